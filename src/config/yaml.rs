//! YAML loader: saphyr's event parser, assembled into span-carrying [`Node`]s.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr::Scalar;
use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span};

use super::tree::{Key, Node, NodeValue};
use super::SyntaxError;
use crate::source::SourceFile;

/// Cap on nodes built per file, so alias expansion ("billion laughs") cannot exhaust memory.
const MAX_NODES: usize = 200_000;
/// Cap on nesting depth.
const MAX_DEPTH: usize = 128;

/// Parses every document in a YAML stream.
pub fn load(src: &SourceFile) -> Result<Vec<Node>, SyntaxError> {
    let mut b = Builder {
        src,
        anchors: HashMap::new(),
        nodes: 0,
        parser: Parser::new_from_str(&src.text),
    };
    let mut docs = Vec::new();
    loop {
        let (ev, span) = b.next()?;
        match ev {
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                let (ev, span) = b.next()?;
                if matches!(ev, Event::DocumentEnd) {
                    continue;
                }
                docs.push(b.node(ev, span, 0)?);
            }
            other => return Err(b.err(span.start, format!("unexpected YAML event {other:?}"))),
        }
    }
    Ok(docs)
}

struct Builder<'a> {
    src: &'a SourceFile,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
}

impl<'a> Builder<'a> {
    fn next(&mut self) -> Result<(Event<'a>, Span), SyntaxError> {
        match self.parser.next_event() {
            Some(Ok(e)) => Ok(e),
            Some(Err(e)) => {
                let at = self.offset(e.marker());
                Err(SyntaxError {
                    message: format!("invalid YAML: {}", e.info()),
                    span: at..at,
                })
            }
            None => Ok((Event::StreamEnd, Span::default())),
        }
    }

    fn offset(&self, m: &Marker) -> usize {
        self.src.offset_of(m.line(), m.col())
    }

    fn err(&self, m: Marker, message: String) -> SyntaxError {
        let at = self.offset(&m);
        SyntaxError {
            message,
            span: at..at,
        }
    }

    fn count(&mut self, at: Marker) -> Result<(), SyntaxError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(self.err(
                at,
                format!("YAML document too large: more than {MAX_NODES} nodes (alias expansion?)"),
            ));
        }
        Ok(())
    }

    fn node(&mut self, ev: Event<'a>, span: Span, depth: usize) -> Result<Node, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.err(
                span.start,
                format!("YAML nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.count(span.start)?;
        let start = self.offset(&span.start);
        let (node, anchor) = match ev {
            Event::Scalar(text, style, anchor, tag) => {
                let end = self.offset(&span.end);
                let value = scalar_value(text, style, tag.as_ref());
                (
                    Node {
                        span: start..end.max(start),
                        value,
                    },
                    anchor,
                )
            }
            Event::Alias(id) => {
                let Some(n) = self.anchors.get(&id).cloned() else {
                    return Err(
                        self.err(span.start, "YAML alias refers to an unknown anchor".into())
                    );
                };
                self.nodes += weight(&n);
                if self.nodes > MAX_NODES {
                    return Err(self.err(span.start, format!("YAML document too large: more than {MAX_NODES} nodes (alias expansion?)")));
                }
                let end = self.offset(&span.end);
                return Ok(Node {
                    span: start..end.max(start),
                    value: n.value,
                });
            }
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                let end = loop {
                    let (ev, sp) = self.next()?;
                    if matches!(ev, Event::SequenceEnd) {
                        break self.offset(&sp.end);
                    }
                    items.push(self.node(ev, sp, depth + 1)?);
                };
                let end = items.last().map_or(end, |n| n.span.end.max(start));
                (
                    Node {
                        span: start..end,
                        value: NodeValue::Seq(items),
                    },
                    anchor,
                )
            }
            Event::MappingStart(anchor, _) => {
                let mut entries: Vec<(Key, Node)> = Vec::new();
                let end = loop {
                    let (ev, sp) = self.next()?;
                    if matches!(ev, Event::MappingEnd) {
                        break self.offset(&sp.end);
                    }
                    let key_node = self.node(ev, sp, depth + 1)?;
                    let name = match &key_node.value {
                        NodeValue::String(s) => s.clone(),
                        NodeValue::Bool(b) => b.to_string(),
                        NodeValue::Number(n) => n.to_string(),
                        NodeValue::Null => "null".into(),
                        _ => {
                            return Err(SyntaxError {
                                message: "complex YAML mapping keys are not supported".into(),
                                span: key_node.span,
                            })
                        }
                    };
                    let (ev, sp) = self.next()?;
                    let value = self.node(ev, sp, depth + 1)?;
                    entries.push((
                        Key {
                            name,
                            span: key_node.span,
                        },
                        value,
                    ));
                };
                let end = entries.last().map_or(end, |(_, v)| v.span.end.max(start));
                (
                    Node {
                        span: start..end,
                        value: NodeValue::Map(entries),
                    },
                    anchor,
                )
            }
            other => return Err(self.err(span.start, format!("unexpected YAML event {other:?}"))),
        };
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        Ok(node)
    }
}

fn weight(n: &Node) -> usize {
    match &n.value {
        NodeValue::Seq(items) => 1 + items.iter().map(weight).sum::<usize>(),
        NodeValue::Map(e) => 1 + e.iter().map(|(_, v)| 1 + weight(v)).sum::<usize>(),
        _ => 1,
    }
}

fn scalar_value(
    text: Cow<'_, str>,
    style: ScalarStyle,
    tag: Option<&Cow<'_, saphyr_parser::Tag>>,
) -> NodeValue {
    if style != ScalarStyle::Plain {
        return NodeValue::String(text.into_owned());
    }
    match Scalar::parse_from_cow_and_metadata(text.clone(), style, tag) {
        Some(Scalar::Null) => NodeValue::Null,
        Some(Scalar::Boolean(b)) => NodeValue::Bool(b),
        Some(Scalar::Integer(i)) => NodeValue::Number(i.into()),
        Some(Scalar::FloatingPoint(f)) => serde_json::Number::from_f64(f.into_inner())
            .map_or_else(|| NodeValue::String(text.into_owned()), NodeValue::Number),
        Some(Scalar::String(s)) => NodeValue::String(s.into_owned()),
        None => NodeValue::String(text.into_owned()),
    }
}
