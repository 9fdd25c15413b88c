//! The positioned YAML tree: YAML text → [`Node`]s that remember the `line:col` where each
//! starts.
//!
//! This is the only user of yaml-rust2. Its event parser gives the position of every node
//! (`serde_yaml` does not), so every problem found later can point at the place in the file.
//! Reading refuses nesting and alias expansion beyond fixed limits, and tells what a plain
//! scalar is under YAML 1.2: only `true`/`false` are booleans (`yes`, `no`, `on` and `off` are
//! text), and a quoted scalar is always text.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::Span;

/// YAML nesting deeper than this is refused while reading, which also bounds the recursion of
/// reading and checking. A schema nested [`super::validate::MAX_DEPTH`] levels deep takes about
/// twice as many YAML levels, so the checks still see (and report) a little too deep schema.
const MAX_YAML_DEPTH: usize = 160;
/// Nodes in a document, counting each use of an alias in full (stops "billion laughs").
const MAX_NODES: usize = 1_000_000;

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) span: Span,
    pub(crate) kind: NodeKind,
}

#[derive(Debug, Clone)]
pub(crate) enum NodeKind {
    /// `plain` is false for quoted or block scalars and for `!!str`: those are always text.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A problem found while reading the YAML, before any origin is known.
pub(crate) struct Problem {
    pub(crate) span: Span,
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
}

fn span_of(mark: Marker) -> Span {
    // yaml-rust2 lines are 1-based and columns 0-based (in characters).
    Span {
        line: u32::try_from(mark.line()).unwrap_or(u32::MAX),
        col: u32::try_from(mark.col().saturating_add(1)).unwrap_or(u32::MAX),
    }
}

struct TreeReader<'a> {
    parser: Parser<std::str::Chars<'a>>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
}

/// The one document of `text` as a tree (`None` for a file with no document).
pub(crate) fn read_tree(text: &str) -> Result<Option<Node>, Problem> {
    let mut reader = TreeReader {
        parser: Parser::new_from_str(text),
        anchors: HashMap::new(),
        nodes: 0,
    };
    let mut root = None;
    loop {
        let (event, mark) = reader.next()?;
        match event {
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            Event::StreamEnd => return Ok(root),
            Event::DocumentStart => {
                if root.is_some() {
                    return Err(Problem {
                        span: span_of(mark),
                        message: "a second YAML document in a schema file".into(),
                        hint: Some("write one schema per file".into()),
                    });
                }
                let (event, mark) = reader.next()?;
                root = Some(reader.node(event, mark, 0)?);
            }
            _ => {
                // Not produced by the parser outside a document.
                return Err(Problem {
                    span: span_of(mark),
                    message: "unexpected YAML content".into(),
                    hint: None,
                });
            }
        }
    }
}

impl TreeReader<'_> {
    fn next(&mut self) -> Result<(Event, Marker), Problem> {
        self.parser.next_token().map_err(|e| Problem {
            span: span_of(*e.marker()),
            message: format!("invalid YAML: {}", e.info()),
            hint: None,
        })
    }

    fn count(&mut self, n: usize, span: Span) -> Result<(), Problem> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(Problem {
                span,
                message: format!("the YAML document has more than {MAX_NODES} nodes"),
                hint: Some("check the aliases (`*name`): each use copies its anchor".into()),
            });
        }
        Ok(())
    }

    fn node(&mut self, event: Event, mark: Marker, depth: usize) -> Result<Node, Problem> {
        let span = span_of(mark);
        if depth > MAX_YAML_DEPTH {
            return Err(Problem {
                span,
                message: format!("the YAML nests deeper than {MAX_YAML_DEPTH} levels"),
                hint: None,
            });
        }
        self.count(1, span)?;
        let (node, anchor) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                // `!!str 123` is text; other tags do not change how a scalar is read.
                let is_str_tag = tag.is_some_and(|t| t.suffix == "str");
                let plain = style == TScalarStyle::Plain && !is_str_tag;
                (
                    Node {
                        span,
                        kind: NodeKind::Scalar { text, plain },
                    },
                    anchor,
                )
            }
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    let (event, mark) = self.next()?;
                    if event == Event::SequenceEnd {
                        break;
                    }
                    items.push(self.node(event, mark, depth + 1)?);
                }
                (
                    Node {
                        span,
                        kind: NodeKind::Seq(items),
                    },
                    anchor,
                )
            }
            Event::MappingStart(anchor, _) => {
                let mut pairs = Vec::new();
                loop {
                    let (event, mark) = self.next()?;
                    if event == Event::MappingEnd {
                        break;
                    }
                    let key = self.node(event, mark, depth + 1)?;
                    let (event, mark) = self.next()?;
                    let value = self.node(event, mark, depth + 1)?;
                    pairs.push((key, value));
                }
                // A block mapping's start event is marked after its first key; the key is
                // where the mapping visibly starts.
                let span = pairs.first().map_or(span, |(key, _)| span.min(key.span));
                (
                    Node {
                        span,
                        kind: NodeKind::Map(pairs),
                    },
                    anchor,
                )
            }
            Event::Alias(id) => {
                let Some(node) = self.anchors.get(&id).cloned() else {
                    return Err(Problem {
                        span,
                        message: "an alias to an unknown anchor".into(),
                        hint: Some("define the anchor (`&name`) before using it".into()),
                    });
                };
                self.count(node_count(&node), span)?;
                return Ok(node);
            }
            _ => {
                return Err(Problem {
                    span,
                    message: "unexpected YAML content".into(),
                    hint: None,
                })
            }
        };
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        Ok(node)
    }
}

fn node_count(node: &Node) -> usize {
    match &node.kind {
        NodeKind::Scalar { .. } => 1,
        NodeKind::Seq(items) => 1 + items.iter().map(node_count).sum::<usize>(),
        NodeKind::Map(pairs) => {
            1 + pairs
                .iter()
                .map(|(k, v)| node_count(k) + node_count(v))
                .sum::<usize>()
        }
    }
}

/// What a YAML 1.2 (core schema) plain scalar is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScalarKind {
    Null,
    Bool(bool),
    Int,
    Float,
    Text,
}

pub(crate) fn scalar_kind(text: &str, plain: bool) -> ScalarKind {
    if !plain {
        return ScalarKind::Text;
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return ScalarKind::Null,
        "true" | "True" | "TRUE" => return ScalarKind::Bool(true),
        "false" | "False" | "FALSE" => return ScalarKind::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => return ScalarKind::Float,
        _ => {}
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return ScalarKind::Int;
    }
    if let Some(hex) = text.strip_prefix("0x") {
        if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return ScalarKind::Int;
        }
    }
    if let Some(oct) = text.strip_prefix("0o") {
        if !oct.is_empty() && oct.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            return ScalarKind::Int;
        }
    }
    // [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
    let (mantissa, exponent) = match digits.find(['e', 'E']) {
        Some(i) => (&digits[..i], Some(&digits[i + 1..])),
        None => (digits, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            (!int.is_empty() || !frac.is_empty())
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    if mantissa_ok && exponent_ok {
        ScalarKind::Float
    } else {
        ScalarKind::Text
    }
}

impl Node {
    /// `a string`, `a number`, `a list`, ... for messages.
    pub(crate) fn kind_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Map(_) => "a mapping",
            NodeKind::Seq(_) => "a list",
            NodeKind::Scalar { text, plain } => match scalar_kind(text, *plain) {
                ScalarKind::Null => "nothing",
                ScalarKind::Bool(_) => "a boolean",
                ScalarKind::Int | ScalarKind::Float => "a number",
                ScalarKind::Text => "a string",
            },
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { text, plain } if scalar_kind(text, *plain) == ScalarKind::Null)
    }

    /// The scalar's text, unless it is null or not a scalar.
    pub(crate) fn text(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { text, plain } if scalar_kind(text, *plain) != ScalarKind::Null => {
                Some(text)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalar_kinds() {
        for (text, kind) in [
            ("", ScalarKind::Null),
            ("~", ScalarKind::Null),
            ("true", ScalarKind::Bool(true)),
            ("FALSE", ScalarKind::Bool(false)),
            ("yes", ScalarKind::Text),
            ("12", ScalarKind::Int),
            ("-0x1F", ScalarKind::Text),
            ("0x1F", ScalarKind::Int),
            ("1.5e3", ScalarKind::Float),
            (".5", ScalarKind::Float),
            ("1.", ScalarKind::Float),
            (".", ScalarKind::Text),
            ("1e", ScalarKind::Text),
            (".inf", ScalarKind::Float),
            ("1.2.3", ScalarKind::Text),
        ] {
            assert_eq!(scalar_kind(text, true), kind, "{text}");
        }
        assert_eq!(scalar_kind("true", false), ScalarKind::Text);
    }
}
