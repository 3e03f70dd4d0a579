//! Strict JSON loader (RFC 8259: no comments, no trailing commas) keeping spans.

use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::{parse_to_ast, CollectOptions, ParseOptions};

use super::tree::{Key, Node, NodeValue};
use super::SyntaxError;
use crate::source::SourceFile;

/// Parses a JSON file into one node (an array of documents is split by the caller).
pub fn load(src: &SourceFile) -> Result<Node, SyntaxError> {
    let opts = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let parsed = parse_to_ast(&src.text, &CollectOptions::default(), &opts).map_err(|e| {
        let r = e.range();
        SyntaxError {
            message: format!("invalid JSON: {}", e.kind()),
            span: r.start..r.end,
        }
    })?;
    match parsed.value {
        Some(v) => convert(&v, 0),
        None => Err(SyntaxError {
            message: "empty JSON file: expected a document".into(),
            span: 0..0,
        }),
    }
}

fn convert(v: &Value<'_>, depth: usize) -> Result<Node, SyntaxError> {
    let range = v.range();
    let span = range.start..range.end;
    if depth > 128 {
        return Err(SyntaxError {
            message: "JSON nesting deeper than 128 levels".into(),
            span,
        });
    }
    let value = match v {
        Value::StringLit(s) => NodeValue::String(s.value.to_string()),
        Value::NumberLit(n) => match n.value.parse::<serde_json::Number>() {
            Ok(num) => NodeValue::Number(num),
            Err(_) => {
                return Err(SyntaxError {
                    message: format!("invalid JSON number `{}`", n.value),
                    span,
                })
            }
        },
        Value::BooleanLit(b) => NodeValue::Bool(b.value),
        Value::NullKeyword(_) => NodeValue::Null,
        Value::Array(a) => NodeValue::Seq(
            a.elements
                .iter()
                .map(|e| convert(e, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(o) => NodeValue::Map(
            o.properties
                .iter()
                .map(|p| {
                    let (name, r) = match &p.name {
                        ObjectPropName::String(s) => (s.value.to_string(), s.range),
                        ObjectPropName::Word(w) => (w.value.to_string(), w.range),
                    };
                    Ok((
                        Key {
                            name,
                            span: r.start..r.end,
                        },
                        convert(&p.value, depth + 1)?,
                    ))
                })
                .collect::<Result<_, SyntaxError>>()?,
        ),
    };
    Ok(Node { span, value })
}
