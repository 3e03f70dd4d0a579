//! TOML loader on toml_edit, which keeps the span of every key and value.

use toml_edit::{Document, Item, Table, Value};

use super::tree::{Key, Node, NodeValue};
use super::SyntaxError;
use crate::source::SourceFile;

/// Parses a TOML file into one document.
pub fn load(src: &SourceFile) -> Result<Node, SyntaxError> {
    let doc = Document::parse(src.text.as_str()).map_err(|e| SyntaxError {
        message: format!("invalid TOML: {}", e.message()),
        span: e.span().unwrap_or(0..0),
    })?;
    let root = doc.as_table();
    Ok(table(root, 0..src.text.len()))
}

fn table(t: &Table, fallback: std::ops::Range<usize>) -> Node {
    let span = t.span().unwrap_or(fallback.clone());
    let entries = t
        .iter()
        .filter_map(|(k, _)| t.get_key_value(k))
        .map(|(k, item)| {
            let kspan = k.span().unwrap_or(span.clone());
            (
                Key {
                    name: k.get().to_string(),
                    span: kspan.clone(),
                },
                item_node(item, kspan),
            )
        })
        .collect();
    Node {
        span,
        value: NodeValue::Map(entries),
    }
}

fn item_node(item: &Item, key_span: std::ops::Range<usize>) -> Node {
    match item {
        Item::None => Node {
            span: key_span,
            value: NodeValue::Null,
        },
        Item::Value(v) => value_node(v, key_span),
        Item::Table(t) => table(t, key_span),
        Item::ArrayOfTables(a) => Node {
            span: a.span().unwrap_or(key_span.clone()),
            value: NodeValue::Seq(a.iter().map(|t| table(t, key_span.clone())).collect()),
        },
    }
}

fn value_node(v: &Value, fallback: std::ops::Range<usize>) -> Node {
    let span = v.span().unwrap_or(fallback);
    let value = match v {
        Value::String(s) => NodeValue::String(s.value().clone()),
        Value::Integer(i) => NodeValue::Number((*i.value()).into()),
        Value::Float(f) => serde_json::Number::from_f64(*f.value()).map_or_else(
            || NodeValue::String(f.value().to_string()),
            NodeValue::Number,
        ),
        Value::Boolean(b) => NodeValue::Bool(*b.value()),
        Value::Datetime(d) => NodeValue::String(d.value().to_string()),
        Value::Array(a) => NodeValue::Seq(a.iter().map(|x| value_node(x, span.clone())).collect()),
        Value::InlineTable(t) => NodeValue::Map(
            t.iter()
                .filter_map(|(k, _)| t.get_key_value(k))
                .map(|(k, item)| {
                    let kspan = k.span().unwrap_or(span.clone());
                    (
                        Key {
                            name: k.get().to_string(),
                            span: kspan.clone(),
                        },
                        item_node(item, kspan),
                    )
                })
                .collect(),
        ),
    };
    Node { span, value }
}
