//! A format-neutral document tree that remembers where every key and value came from.
//!
//! YAML, JSON and TOML loaders all produce a [`Node`]; the schema check and the
//! rules work on its `serde_json::Value` form, and findings point back through
//! the JSON pointer index built here.

use std::ops::Range;

/// A scalar, mapping or sequence with the byte span it occupies.
#[derive(Debug, Clone)]
pub struct Node {
    /// Byte range of the value in its source file.
    pub span: Range<usize>,
    /// The value itself.
    pub value: NodeValue,
}

/// The shape of a [`Node`].
#[derive(Debug, Clone)]
pub enum NodeValue {
    /// `null` / `~` / empty.
    Null,
    /// true / false.
    Bool(bool),
    /// A number kept as JSON.
    Number(serde_json::Number),
    /// A string (TOML dates land here too, in RFC 3339 form).
    String(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping; keys keep their own spans.
    Map(Vec<(Key, Node)>),
}

/// A mapping key and its span.
#[derive(Debug, Clone)]
pub struct Key {
    /// The key text.
    pub name: String,
    /// Byte range of the key.
    pub span: Range<usize>,
}

impl Node {
    /// Converts to a JSON value for schema validation and typed decoding.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.value {
            NodeValue::Null => Value::Null,
            NodeValue::Bool(b) => Value::Bool(*b),
            NodeValue::Number(n) => Value::Number(n.clone()),
            NodeValue::String(s) => Value::String(s.clone()),
            NodeValue::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeValue::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// First duplicated key anywhere in the tree.
    pub fn find_duplicate_key(&self) -> Option<Key> {
        match &self.value {
            NodeValue::Seq(items) => items.iter().find_map(Node::find_duplicate_key),
            NodeValue::Map(entries) => {
                let mut seen = std::collections::HashSet::new();
                entries
                    .iter()
                    .find(|(k, _)| !seen.insert(k.name.as_str()))
                    .map(|(k, _)| k.clone())
                    .or_else(|| entries.iter().find_map(|(_, v)| v.find_duplicate_key()))
            }
            _ => None,
        }
    }
}

/// Escapes one JSON pointer reference token (RFC 6901).
pub fn escape_pointer_token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Unescapes one JSON pointer reference token (RFC 6901).
pub fn unescape_pointer_token(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('~') {
        s.replace("~1", "/").replace("~0", "~").into()
    } else {
        s.into()
    }
}
