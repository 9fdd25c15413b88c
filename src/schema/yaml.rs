//! The positioned YAML tree: YAML text → [`Node`]s that remember the `line:col` where each
//! starts.
//!
//! This is the only user of yaml-rust2. Its event parser gives the position of every node
//! (`serde_yaml` does not), so every problem found later can point at the place in the file.
//! Two readers use it: schema files ([`read_tree`]: one document, aliases and merge keys
//! (`<<: *base`, [`merge`]) resolved) and
//! schema test files ([`read_documents`] with [`Aliases::Keep`]: many documents, aliases left
//! for the reader to refuse where they are used). Reading refuses nesting and alias expansion
//! beyond fixed limits, and tells what a plain scalar is under YAML 1.2: only `true`/`false`
//! are booleans (`yes`, `no`, `on` and `off` are text), and a quoted scalar is always text.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::Span;

mod columns;
mod merge;

pub(crate) use columns::lines_with_breaks;

/// YAML nesting deeper than this is refused while reading, which also bounds the recursion of
/// reading and checking. A schema nested [`super::validate::MAX_DEPTH`] levels deep takes about
/// twice as many YAML levels, so the checks still see (and report) a little too deep schema.
const MAX_YAML_DEPTH: usize = 160;
/// Nodes in a document, counting each use of an alias in full (stops "billion laughs").
const MAX_NODES: usize = 1_000_000;

#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// Where the node visibly starts: for a block mapping, its first key.
    pub(crate) span: Span,
    /// Where yaml-rust2 marks the node: the same as `span`, except for a block mapping, which
    /// it marks at its first `:`. Test files report at this mark, as they always have.
    pub(crate) mark: Span,
    pub(crate) kind: NodeKind,
}

#[derive(Debug, Clone)]
pub(crate) enum NodeKind {
    Scalar {
        text: String,
        style: Style,
        /// Tagged `!!str`: text even when plain (other tags do not change how it is read).
        str_tag: bool,
        /// Where the first character of `text` is, when its characters take one column each
        /// on one line (see [`columns::Lines::text_start`]).
        text_at: Option<Span>,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
    /// A use of an anchor (`*name`), only with [`Aliases::Keep`].
    Alias,
}

/// How a scalar is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// Bare text, typed by the YAML 1.2 core schema (see [`scalar_kind`]).
    Plain,
    /// `'single'` or `"double"` quoted.
    Quoted,
    /// Literal (`|`) or folded (`>`): its lines keep their place in the file.
    Block,
}

/// What to do with an alias (`*name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Aliases {
    /// Replace it by a copy of its anchor's node (which keeps the anchor's position).
    Resolve,
    /// Leave a [`NodeKind::Alias`] node, for readers that refuse aliases where they are used.
    Keep,
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
    lines: columns::Lines<'a>,
    aliases: Aliases,
    /// The anchors of the current document by id, with their node when aliases are resolved.
    anchors: HashMap<usize, Option<Node>>,
    /// Nodes read in the current document.
    nodes: usize,
}

/// `text` without the byte order mark that editors on Windows start files with, which YAML
/// allows there; left in, it became part of the first key (an unknown key that looks like
/// `schema` or `name`). Files are read through this before their positions are taken.
pub(crate) fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// The one document of `text` as a tree (`None` for a file with no document), aliases
/// resolved.
pub(crate) fn read_tree(text: &str) -> Result<Option<Node>, Problem> {
    refuse_control_characters(text)?;
    let mut reader = TreeReader::new(text, Aliases::Resolve);
    if reader.next_document()?.is_none() {
        return Ok(None);
    }
    let root = reader.root()?;
    if let Some(span) = reader.next_document()? {
        return Err(Problem {
            span,
            message: "a second YAML document in a schema file".into(),
            hint: Some(
                "write one schema per file; a file of test cases is named `*_tests.yml` (or sits \
                 under `tests/`)"
                    .into(),
            ),
        });
    }
    Ok(Some(root))
}

/// Every document of `text` as a tree, in order (a file with no document has none; an empty
/// document is a null scalar).
pub(crate) fn read_documents(text: &str, aliases: Aliases) -> Result<Vec<Node>, Problem> {
    refuse_control_characters(text)?;
    let mut reader = TreeReader::new(text, aliases);
    let mut roots = Vec::new();
    while reader.next_document()?.is_some() {
        roots.push(reader.root()?);
    }
    Ok(roots)
}

/// The first character YAML does not allow in a file (YAML 1.2, `c-printable`: a control
/// character other than tab and line ends, or U+FFFE and U+FFFF), refused where it is.
///
/// Why: the parser takes a NUL for the end of the text, so a file with NUL bytes (what a
/// crash during a write leaves on some file systems) lost every field after them without
/// a word, and `schema check` said ok (review s47-h2 HIGH-1). Panther's reader (go-yaml)
/// refuses such a file.
fn refuse_control_characters(text: &str) -> Result<(), Problem> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | '\u{85}')
            || !(c.is_control() || c == '\u{fffe}' || c == '\u{ffff}')
    };
    let Some((at, c)) = text.char_indices().find(|&(_, c)| !allowed(c)) else {
        return Ok(());
    };
    // Lines end at `\n`, `\r\n` or a lone `\r`, as the parser counts them (review s47-h3
    // LOW-1: a file of lone `\r`s had its control character on line 1).
    let before = &text[..at];
    let breaks = before.matches('\n').count() + before.matches('\r').count();
    let line = breaks - before.matches("\r\n").count() + 1;
    let col = before
        .rsplit(['\n', '\r'])
        .next()
        .map_or(0, |l| l.chars().count())
        + 1;
    Err(Problem {
        span: Span {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            col: u32::try_from(col).unwrap_or(u32::MAX),
        },
        message: format!(
            "a control character (U+{:04X}) that YAML does not allow in a file",
            u32::from(c)
        ),
        hint: Some(if c == '\0' {
            "a file that holds NUL bytes was often cut short while it was written: check that \
             it is whole"
                .into()
        } else {
            "remove it, or write it as an escape in a double-quoted string (`\"\\u001b\"`)".into()
        }),
    })
}

impl TreeReader<'_> {
    fn new(text: &str, aliases: Aliases) -> TreeReader<'_> {
        TreeReader {
            parser: Parser::new_from_str(text),
            lines: columns::Lines::new(text),
            aliases,
            anchors: HashMap::new(),
            nodes: 0,
        }
    }

    /// Go to the start of the next document and return where it is, or `None` at the end of
    /// the text.
    fn next_document(&mut self) -> Result<Option<Span>, Problem> {
        loop {
            let (event, mark) = self.next()?;
            match event {
                Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
                Event::StreamEnd => return Ok(None),
                Event::DocumentStart => return Ok(Some(span_of(mark))),
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

    /// The root node of the document just started.
    fn root(&mut self) -> Result<Node, Problem> {
        // An anchor is known in its own document only.
        self.anchors.clear();
        self.nodes = 0;
        let (event, mark) = self.next()?;
        self.node(event, mark, 0)
    }

    fn next(&mut self) -> Result<(Event, Marker), Problem> {
        self.parser.next_token().map_err(|e| Problem {
            span: span_of(*e.marker()),
            message: format!("invalid YAML: {}", e.info()),
            hint: scan_hint(e.info()),
        })
    }

    fn count(&mut self, n: usize, span: Span) -> Result<(), Problem> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(Problem {
                span,
                message: format!("the YAML document has more than {MAX_NODES} nodes"),
                hint: (self.aliases == Aliases::Resolve)
                    .then(|| "check the aliases (`*name`): each use copies its anchor".into()),
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
        if let Event::Scalar(_, _, anchor, _)
        | Event::SequenceStart(anchor, _)
        | Event::MappingStart(anchor, _) = &event
        {
            // Known from its start on, as to yaml-rust2; its node is kept once complete.
            if *anchor > 0 && self.aliases == Aliases::Keep {
                self.anchors.insert(*anchor, None);
            }
        }
        let leaf = |kind| Node {
            span,
            mark: span,
            kind,
        };
        let (node, anchor) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                let style = match style {
                    TScalarStyle::Plain => Style::Plain,
                    TScalarStyle::Literal | TScalarStyle::Folded => Style::Block,
                    TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => Style::Quoted,
                };
                let str_tag = tag.is_some_and(|t| t.suffix == "str");
                let text_at = self.lines.text_start(span, style, &text);
                let kind = NodeKind::Scalar {
                    text,
                    style,
                    str_tag,
                    text_at,
                };
                (leaf(kind), anchor)
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
                (leaf(NodeKind::Seq(items)), anchor)
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
                // Schema files (aliases resolved) apply merge keys as Panther's YAML reader
                // does; test files keep them, to refuse where their aliases are used.
                if self.aliases == Aliases::Resolve {
                    pairs = merge::apply(pairs)?;
                }
                // A block mapping's start event is marked after its first key; the key is
                // where the mapping visibly starts.
                let visible = pairs.first().map_or(span, |(key, _)| span.min(key.span));
                (
                    Node {
                        span: visible,
                        mark: span,
                        kind: NodeKind::Map(pairs),
                    },
                    anchor,
                )
            }
            Event::Alias(id) => return self.alias(id, span),
            _ => {
                return Err(Problem {
                    span,
                    message: "unexpected YAML content".into(),
                    hint: None,
                })
            }
        };
        if anchor > 0 && self.aliases == Aliases::Resolve {
            self.anchors.insert(anchor, Some(node.clone()));
        }
        Ok(node)
    }

    /// The node of an alias (`*name`) at `span`: a copy of its anchor's, or an
    /// [`NodeKind::Alias`] node when aliases are kept.
    fn alias(&mut self, id: usize, span: Span) -> Result<Node, Problem> {
        match (self.anchors.get(&id), self.aliases) {
            (Some(Some(node)), _) => {
                let node = node.clone();
                self.count(node_count(&node), span)?;
                Ok(node)
            }
            (Some(None), _) => Ok(Node {
                span,
                mark: span,
                kind: NodeKind::Alias,
            }),
            // An anchor of an earlier document: yaml-rust2 refuses an unknown anchor in the
            // same words when it loads documents itself.
            (None, Aliases::Keep) => Err(Problem {
                span,
                message: "invalid YAML: while parsing node, found unknown anchor".into(),
                hint: None,
            }),
            // Also an alias inside its own anchor's node (`&a [*a]`).
            (None, Aliases::Resolve) => Err(Problem {
                span,
                message: "an alias to an unknown anchor".into(),
                hint: Some("define the anchor (`&name`) before using it".into()),
            }),
        }
    }
}

/// A hint for the YAML reader's messages that do not say what to do (review s42-h1 LOW-2,
/// s41-h4 L3).
fn scan_hint(info: &str) -> Option<String> {
    if info.contains("tabs disallowed") {
        Some("indent with spaces: YAML takes no tab in indentation".into())
    } else if info.contains("trailing content after") {
        // `description: "Audit log" of the app`: the quote is closed, text goes on.
        Some(
            "text follows the closing quote: quote the whole value, with the quotes inside \
             it doubled (`'\"Audit log\" of the app'`, `'it''s'`), or leave it unquoted; \
             in a list `[...]`, separate the items with commas"
                .into(),
        )
    } else if info.contains("quoted scalar") {
        Some("a quote opened here is not closed on its line: close it, or check the quotes inside the value".into())
    } else if info.contains("did not find expected '-' indicator")
        || info.contains("did not find expected key")
    {
        // The commonest slip of a hand-written schema: libyaml's words do not say it.
        Some(
            "check the indentation of this line against the lines above it: the keys of a \
             field line up under its `name` (`- name: x`, then `  type: string`)"
                .into(),
        )
    } else if info.contains("mapping values are not allowed") {
        Some(
            "a value that holds `: ` needs quotes; otherwise check this line's indentation \
             against the keys above it"
                .into(),
        )
    } else {
        None
    }
}

fn node_count(node: &Node) -> usize {
    match &node.kind {
        NodeKind::Scalar { .. } | NodeKind::Alias => 1,
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
    /// What a scalar is under the YAML 1.2 core schema (`None` for anything else): quoted and
    /// block scalars and `!!str` are text.
    pub(crate) fn scalar_kind(&self) -> Option<ScalarKind> {
        match &self.kind {
            NodeKind::Scalar {
                text,
                style,
                str_tag,
                ..
            } => Some(scalar_kind(text, *style == Style::Plain && !str_tag)),
            _ => None,
        }
    }

    /// `a string`, `a number`, `a list`, ... for messages.
    pub(crate) fn kind_name(&self) -> &'static str {
        match (&self.kind, self.scalar_kind()) {
            (NodeKind::Map(_), _) => "a mapping",
            (NodeKind::Seq(_), _) => "a list",
            (NodeKind::Alias, _) => "an alias",
            (_, Some(ScalarKind::Null)) => "nothing",
            (_, Some(ScalarKind::Bool(_))) => "a boolean",
            (_, Some(ScalarKind::Int | ScalarKind::Float)) => "a number",
            (_, Some(ScalarKind::Text) | None) => "a string",
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        self.scalar_kind() == Some(ScalarKind::Null)
    }

    /// Where the first character of a scalar's text is written, when each of its characters
    /// takes one column of one line (plain, or quoted without escapes).
    pub(crate) fn text_at(&self) -> Option<Span> {
        match &self.kind {
            NodeKind::Scalar { text_at, .. } => *text_at,
            _ => None,
        }
    }

    /// The scalar's text, unless it is null or not a scalar.
    pub(crate) fn text(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { text, .. } if !self.is_null() => Some(text),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32, col: u32) -> Span {
        Span { line, col }
    }

    /// A NUL ended the text for the parser: a test file's later cases were lost (review
    /// s47-h2 HIGH-1).
    #[test]
    fn documents_refuse_a_nul_where_it_is() {
        let text = "name: a\n---\nname: b\0\n---\nname: c\n";
        let Err(p) = read_documents(text, Aliases::Keep) else {
            panic!("a NUL read");
        };
        assert_eq!(p.span, at(3, 8));
        assert!(p.message.contains("U+0000"), "{}", p.message);
    }

    #[test]
    fn documents_marks_and_kept_aliases() {
        let roots = read_documents("a: &x 1\nb:\n  c: *x\n---\n", Aliases::Keep)
            .unwrap_or_else(|p| panic!("{}", p.message));
        assert_eq!(roots.len(), 2);
        assert!(roots[1].is_null(), "an empty document is a null scalar");
        let NodeKind::Map(pairs) = &roots[0].kind else {
            panic!("{:?}", roots[0]);
        };
        // A block mapping starts visibly at its first key; yaml-rust2 marks it at its `:`.
        let inner = &pairs[1].1;
        assert_eq!((inner.span, inner.mark), (at(3, 3), at(3, 4)));
        let NodeKind::Map(inner) = &inner.kind else {
            panic!("{inner:?}");
        };
        assert!(matches!(inner[0].1.kind, NodeKind::Alias));
        assert_eq!(inner[0].1.span, at(3, 6));
    }

    #[test]
    fn anchors_belong_to_their_document() {
        let text = "a: &x 1\n---\nb: *x\n";
        let message = |aliases| {
            read_documents(text, aliases)
                .err()
                .map(|p| (p.span, p.message))
        };
        assert_eq!(
            message(Aliases::Keep),
            Some((
                at(3, 4),
                "invalid YAML: while parsing node, found unknown anchor".into()
            ))
        );
        assert_eq!(
            message(Aliases::Resolve),
            Some((at(3, 4), "an alias to an unknown anchor".into()))
        );
    }

    #[test]
    fn scalar_styles() {
        let Some(root) = read_tree("- a\n- 'b'\n- !!str 1\n- |\n  x\n")
            .unwrap_or_else(|p| panic!("{}", p.message))
        else {
            panic!("no document");
        };
        let NodeKind::Seq(items) = &root.kind else {
            panic!("{root:?}");
        };
        let styles: Vec<(Style, bool)> = items
            .iter()
            .map(|n| match &n.kind {
                NodeKind::Scalar { style, str_tag, .. } => (*style, *str_tag),
                _ => panic!("{n:?}"),
            })
            .collect();
        assert_eq!(
            styles,
            [
                (Style::Plain, false),
                (Style::Quoted, false),
                (Style::Plain, true),
                (Style::Block, false)
            ]
        );
        assert_eq!(items[2].scalar_kind(), Some(ScalarKind::Text));
    }

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
