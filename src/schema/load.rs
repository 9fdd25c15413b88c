//! Reading schema files: YAML text, a file or a directory of files → [`Schema`]s.
//!
//! The YAML is read with yaml-rust2's event parser into a small tree that remembers the
//! `line:col` of every node; the tree is then turned into the model by hand, so every problem
//! (YAML syntax, a wrong kind of value, an unknown or duplicate key, an unknown type or
//! indicator, ...) carries its position. The semantic checks of [`super::validate`] run on
//! the result, and all problems of a file come back together, in file order.
//!
//! ```text
//! zoom/Activity.yml:12:13: unknown type `strng` (hint: did you mean `string`? valid types: ...)
//! ```
//!
//! Scalars follow YAML 1.2: only `true`/`false` are booleans (`yes`, `no`, `on` and `off` are
//! text), and a quoted scalar is always text.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::validate::{did_you_mean, suggest, validate};
use super::{
    Field, FieldType, IpVersion, KeySpans, NativeParser, ParserSpec, Schema, SchemaError,
    SchemaErrors, Span, Validate, ValueSchema,
};
use crate::indicators::IndicatorKind;

/// Read one schema from YAML text (one document) and check it.
///
/// `origin` names the text in messages (a file name, `<string>`, `<builtin>/...`).
///
/// # Errors
///
/// Every problem found: YAML syntax, the shape of the document, and the semantic checks of
/// [`super::validate::validate`], each with its `line:col`, in file order.
pub fn from_str(text: &str, origin: &str) -> Result<Schema, SchemaErrors> {
    let origin: Arc<str> = Arc::from(origin);
    let fail = |span: Span, message: String, hint: Option<String>| {
        Err(SchemaErrors(vec![SchemaError {
            origin: Some(origin.clone()),
            span,
            message,
            hint,
        }]))
    };
    let root = match read_tree(text) {
        Ok(Some(root)) => root,
        Ok(None) => {
            return fail(
                Span::default(),
                "the schema file is empty".into(),
                Some("a schema needs at least `schema` and `fields`".into()),
            )
        }
        Err(problem) => return fail(problem.span, problem.message, problem.hint),
    };
    let mut loader = Loader {
        origin: origin.clone(),
        errors: Vec::new(),
        poisoned: HashSet::new(),
    };
    let schema = loader.schema(&root);
    let mut errors = std::mem::take(&mut loader.errors);
    let Some(mut schema) = schema else {
        return Err(SchemaErrors(errors));
    };
    schema.origin = Some(origin);
    // A missing `schema`, `fields` or field `name` is left empty in the model; the checks
    // would report the same spot a second time, less precisely. Keep the first report.
    let poisoned = loader.poisoned;
    errors.extend(
        validate(&schema)
            .into_iter()
            .filter(|e| !poisoned.contains(&e.span)),
    );
    if errors.is_empty() {
        Ok(schema)
    } else {
        errors.sort_by_key(|e| e.span);
        Err(SchemaErrors(errors))
    }
}

/// Read one schema file and check it; messages name the file as `path` displays.
///
/// # Errors
///
/// An unreadable file (one error, without position), or every problem in the schema (see
/// [`from_str`]).
pub fn from_file(path: &Path) -> Result<Schema, SchemaErrors> {
    let origin = path.display().to_string();
    match fs::read_to_string(path) {
        Ok(text) => from_str(&text, &origin),
        Err(e) => Err(SchemaErrors(vec![SchemaError {
            origin: Some(Arc::from(origin.as_str())),
            span: Span::default(),
            message: format!(
                "cannot read the schema file: {}",
                lowercase_first(&e.to_string())
            ),
            hint: None,
        }])),
    }
}

/// Read a schema file, or every schema of a directory and its subdirectories (`*.yml` and
/// `*.yaml`, in sorted path order, skipping test files: see [`is_test_file`]).
///
/// Symbolic links to files are followed; symbolic links to directories are not.
///
/// # Errors
///
/// The problems of all files together (see [`from_str`]), plus unreadable directories, a
/// log type defined in two files, and a directory that holds no schema.
pub fn from_path(path: &Path) -> Result<Vec<Schema>, SchemaErrors> {
    let is_dir = fs::metadata(path).is_ok_and(|m| m.is_dir());
    if !is_dir {
        return from_file(path).map(|s| vec![s]);
    }
    let mut files = Vec::new();
    let mut errors = Vec::new();
    walk(path, path, &mut files, &mut errors);
    files.sort();
    if files.is_empty() && errors.is_empty() {
        errors.push(SchemaError {
            origin: Some(Arc::from(path.display().to_string().as_str())),
            span: Span::default(),
            message: "no schema files (*.yml, *.yaml) in this directory".into(),
            hint: Some(
                "test files (`*_tests.yml` and files under `tests/`) are not schemas".into(),
            ),
        });
    }
    let mut schemas: Vec<Schema> = Vec::new();
    let mut names: HashMap<String, (Arc<str>, Span)> = HashMap::new();
    for file in &files {
        match from_file(file) {
            Ok(schema) => {
                let origin = schema.origin.clone().unwrap_or_else(|| Arc::from(""));
                let span = schema.key_spans.get("schema").unwrap_or(schema.span);
                if let Some((first, first_span)) = names.get(&schema.schema) {
                    errors.push(SchemaError {
                        origin: Some(origin),
                        span,
                        message: format!(
                            "log type `{}` is already defined in {first}:{}:{}",
                            schema.schema, first_span.line, first_span.col
                        ),
                        hint: Some("each log type is defined once; rename or remove one".into()),
                    });
                } else {
                    names.insert(schema.schema.clone(), (origin, span));
                    schemas.push(schema);
                }
            }
            Err(SchemaErrors(e)) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(schemas)
    } else {
        Err(SchemaErrors(errors))
    }
}

/// Whether `path` is a schema test file rather than a schema: its name ends in `_tests.yml`
/// or `_tests.yaml`, or one of its directories is named `tests`.
#[must_use]
pub fn is_test_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.ends_with("_tests.yml") || name.ends_with("_tests.yaml") {
        return true;
    }
    path.parent().is_some_and(|dir| {
        dir.components()
            .any(|c| matches!(c, Component::Normal(n) if n == "tests"))
    })
}

fn walk(root: &Path, dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<SchemaError>) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(SchemaError {
                origin: Some(Arc::from(dir.display().to_string().as_str())),
                span: Span::default(),
                message: format!(
                    "cannot read the directory: {}",
                    lowercase_first(&e.to_string())
                ),
                hint: None,
            });
            return;
        }
    };
    let mut paths: Vec<(PathBuf, bool)> = Vec::new();
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            paths.push((path, true));
        } else if fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            paths.push((path, false));
        }
    }
    paths.sort();
    for (path, is_dir) in paths {
        let relative = path.strip_prefix(root).unwrap_or(&path);
        if is_dir {
            if path.file_name().is_some_and(|n| n != "tests") {
                walk(root, &path, files, errors);
            }
        } else if has_yaml_extension(&path) && !is_test_file(relative) {
            files.push(path);
        }
    }
}

fn has_yaml_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"))
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// The YAML tree.

/// YAML nesting deeper than this is refused while reading, which also bounds the recursion of
/// reading and checking. A schema nested [`super::validate::MAX_DEPTH`] levels deep takes about
/// twice as many YAML levels, so the checks still see (and report) a little too deep schema.
const MAX_YAML_DEPTH: usize = 160;
/// Nodes in a document, counting each use of an alias in full (stops "billion laughs").
const MAX_NODES: usize = 1_000_000;

#[derive(Debug, Clone)]
struct Node {
    span: Span,
    kind: NodeKind,
}

#[derive(Debug, Clone)]
enum NodeKind {
    /// `plain` is false for quoted or block scalars and for `!!str`: those are always text.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A problem found while reading the YAML, before any origin is known.
struct Problem {
    span: Span,
    message: String,
    hint: Option<String>,
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
fn read_tree(text: &str) -> Result<Option<Node>, Problem> {
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

/// A value whose `type` is missing or unknown (already reported): keep what is below, so it is
/// checked too, under the type it implies, and drop the attributes whose fitness depends on
/// the type, so the checks do not report them a second time.
fn without_type(mut v: ValueSchema) -> ValueSchema {
    let ty = if v.key_spans.contains("fields") {
        FieldType::Object
    } else if v.element.is_some() {
        FieldType::Array
    } else if v.target.is_some() {
        FieldType::Ref
    } else {
        FieldType::Json
    };
    let mut key_spans = KeySpans::default();
    for key in ["type", "fields", "element", "target"] {
        if let Some(span) = v.key_spans.get(key) {
            key_spans.insert(key, span);
        }
    }
    ValueSchema {
        element: v.element.take(),
        fields: std::mem::take(&mut v.fields),
        target: v.target.take(),
        span: v.span,
        key_spans,
        ..ValueSchema::new(ty)
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
enum ScalarKind {
    Null,
    Bool(bool),
    Int,
    Float,
    Text,
}

fn scalar_kind(text: &str, plain: bool) -> ScalarKind {
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
    fn kind_name(&self) -> &'static str {
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

    fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { text, plain } if scalar_kind(text, *plain) == ScalarKind::Null)
    }

    /// The scalar's text, unless it is null or not a scalar.
    fn text(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { text, plain } if scalar_kind(text, *plain) != ScalarKind::Null => {
                Some(text)
            }
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tree → model.

const TOP_KEYS: &[&str] = &[
    "schema",
    "parser",
    "description",
    "referenceURL",
    "version",
    "definitions",
    "fields",
];
const FIELD_KEYS: &[&str] = &["name", "required", "description"];
const VALUE_KEYS: &[&str] = &[
    "type",
    "indicators",
    "isEventTime",
    "timeFormat",
    "timeFormats",
    "validate",
    "isEmbeddedJSON",
    "element",
    "fields",
    "target",
];
const VALIDATE_KEYS: &[&str] = &["allow", "deny", "ip", "cidr"];
const PARSER_KEYS: &[&str] = &["native", "csv", "fastmatch", "regex", "script"];
const NATIVE_KEYS: &[&str] = &["name"];

/// Keys of Panther's language that normalog knows but does not support, and why.
fn unsupported_hint(key: &str) -> Option<String> {
    Some(match key {
        "isExpiration" => "`isExpiration` is for Panther lookup tables; remove it".into(),
        "rename" | "copy" | "concat" | "split" | "mask" => {
            format!("transformations such as `{key}` are not supported by normalog; remove it")
        }
        "fieldDiscoveryEnabled" => "field discovery is not supported by normalog; remove it".into(),
        _ => return None,
    })
}

/// One `key: value` of a mapping.
#[derive(Clone, Copy)]
struct Entry<'n> {
    key: &'n str,
    key_span: Span,
    value: &'n Node,
}

impl Entry<'_> {
    /// Where to point for a problem with the value: the value, or the key when the value is
    /// empty (an empty value has no position of its own worth showing).
    fn value_span(&self) -> Span {
        match &self.value.kind {
            NodeKind::Scalar { text, plain: true } if text.is_empty() => self.key_span,
            _ => self.value.span,
        }
    }
}

struct Loader {
    origin: Arc<str>,
    errors: Vec<SchemaError>,
    /// Nodes left incomplete in the model (a missing `schema`, `fields` or `name`): problems
    /// the checks find there are consequences of one already reported.
    poisoned: HashSet<Span>,
}

impl Loader {
    fn error(&mut self, span: Span, message: String, hint: Option<String>) {
        self.errors.push(SchemaError {
            origin: Some(self.origin.clone()),
            span,
            message,
            hint,
        });
    }

    /// The pairs of a mapping, or an error saying what `what` must be.
    fn as_map<'n>(
        &mut self,
        node: &'n Node,
        span: Span,
        what: &str,
        hint: Option<&str>,
    ) -> Option<&'n [(Node, Node)]> {
        if let NodeKind::Map(pairs) = &node.kind {
            Some(pairs)
        } else {
            self.error(
                span,
                format!("{what} must be a mapping, found {}", node.kind_name()),
                hint.map(String::from),
            );
            None
        }
    }

    /// The entries of a mapping with string keys, without duplicates and (when `allowed` is
    /// given) without unknown keys; each of those is reported.
    fn entries<'n>(
        &mut self,
        pairs: &'n [(Node, Node)],
        allowed: Option<&[&str]>,
    ) -> Vec<Entry<'n>> {
        let mut out: Vec<Entry<'n>> = Vec::with_capacity(pairs.len());
        for (key, value) in pairs {
            let Some(name) = key.text() else {
                self.error(
                    key.span,
                    format!("a key must be a name, found {}", key.kind_name()),
                    None,
                );
                continue;
            };
            if let Some(first) = out.iter().find(|e| e.key == name) {
                let first = first.key_span;
                self.error(
                    key.span,
                    format!("duplicate key `{name}`"),
                    Some(format!(
                        "the first `{name}` is at {}:{}; remove one",
                        first.line, first.col
                    )),
                );
                continue;
            }
            if let Some(allowed) = allowed {
                if !allowed.contains(&name) {
                    let hint = unsupported_hint(name).unwrap_or_else(|| {
                        match suggest(name, allowed.iter().copied()) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => format!("valid keys here: {}", allowed.join(", ")),
                        }
                    });
                    self.error(key.span, format!("unknown key `{name}`"), Some(hint));
                    continue;
                }
            }
            out.push(Entry {
                key: name,
                key_span: key.span,
                value,
            });
        }
        out
    }

    /// Entries of a bare value schema (array element, definition): the field-only keys are
    /// reported.
    fn value_entries<'n>(&mut self, pairs: &'n [(Node, Node)], what: &str) -> Vec<Entry<'n>> {
        let all: Vec<&str> = FIELD_KEYS.iter().chain(VALUE_KEYS).copied().collect();
        let mut entries = self.entries(pairs, Some(&all));
        entries.retain(|e| {
            if FIELD_KEYS.contains(&e.key) {
                self.error(
                    e.key_span,
                    format!("`{}` is not allowed in {what}", e.key),
                    Some("an array element or a definition is a bare type; `name`, `required` and `description` belong to a field".into()),
                );
                false
            } else {
                true
            }
        });
        entries
    }

    /// A text value (any scalar but null).
    fn text(&mut self, e: Entry<'_>) -> Option<String> {
        if let Some(text) = e.value.text() {
            return Some(text.to_owned());
        }
        self.error(
            e.value_span(),
            format!(
                "`{}` must be a string, found {}",
                e.key,
                e.value.kind_name()
            ),
            None,
        );
        None
    }

    /// An optional text value: null means absent.
    fn opt_text(&mut self, e: Entry<'_>) -> Option<String> {
        if e.value.is_null() {
            None
        } else {
            self.text(e)
        }
    }

    fn boolean(&mut self, e: Entry<'_>) -> bool {
        if let NodeKind::Scalar { text, plain } = &e.value.kind {
            if let ScalarKind::Bool(b) = scalar_kind(text, *plain) {
                return b;
            }
        }
        let hint = match e.value.text() {
            Some(t @ ("yes" | "no" | "on" | "off" | "y" | "n" | "Yes" | "No" | "On" | "Off")) => {
                format!("YAML 1.2 reads `{t}` as text; write true or false")
            }
            Some(t) if matches!(t.to_ascii_lowercase().as_str(), "true" | "false") => {
                format!("write {} without quotes", t.to_ascii_lowercase())
            }
            _ => "write true or false".into(),
        };
        self.error(
            e.value_span(),
            format!(
                "`{}` must be true or false, found {}",
                e.key,
                e.value.kind_name()
            ),
            Some(hint),
        );
        false
    }

    /// A list of text values with their positions; null means an empty list.
    fn text_list<'n>(&mut self, e: Entry<'n>) -> Vec<(&'n str, Span)> {
        match &e.value.kind {
            NodeKind::Seq(items) => items
                .iter()
                .filter_map(|item| {
                    if let Some(t) = item.text() {
                        Some((t, item.span))
                    } else {
                        self.error(
                            item.span,
                            format!(
                                "each item of `{}` must be a string, found {}",
                                e.key,
                                item.kind_name()
                            ),
                            None,
                        );
                        None
                    }
                })
                .collect(),
            _ if e.value.is_null() => Vec::new(),
            _ => {
                let example = e.value.text().unwrap_or("...");
                self.error(
                    e.value_span(),
                    format!("`{}` must be a list, found {}", e.key, e.value.kind_name()),
                    Some(format!("write `{}: [{example}]`", e.key)),
                );
                Vec::new()
            }
        }
    }

    fn schema(&mut self, root: &Node) -> Option<Schema> {
        let pairs = self.as_map(
            root,
            root.span,
            "a schema",
            Some("a schema file is a mapping with at least `schema` and `fields`"),
        )?;
        let mut schema = Schema {
            schema: String::new(),
            parser: None,
            description: None,
            reference_url: None,
            version: 0,
            definitions: BTreeMap::new(),
            fields: Vec::new(),
            origin: None,
            span: root.span,
            key_spans: KeySpans::default(),
        };
        for e in self.entries(pairs, Some(TOP_KEYS)) {
            schema.key_spans.insert(e.key, e.key_span);
            match e.key {
                "schema" => match self.text(e) {
                    Some(name) => schema.schema = name,
                    None => {
                        self.poisoned.insert(e.key_span);
                    }
                },
                "parser" => schema.parser = self.parser(e),
                "description" => schema.description = self.opt_text(e),
                "referenceURL" => schema.reference_url = self.opt_text(e),
                "version" => schema.version = self.version(e),
                "definitions" => self.definitions(e, &mut schema),
                "fields" => schema.fields = self.fields(e),
                _ => {}
            }
        }
        if !schema.key_spans.contains("schema") || !schema.key_spans.contains("fields") {
            self.poisoned.insert(root.span);
        }
        if !schema.key_spans.contains("schema") {
            self.error(
                root.span,
                "missing `schema` (the log type name)".into(),
                Some("add e.g. `schema: Custom.MyApp`".into()),
            );
        }
        if !schema.key_spans.contains("fields") {
            self.error(
                root.span,
                "missing `fields`".into(),
                Some("list the record's fields under `fields`".into()),
            );
        }
        Some(schema)
    }

    fn version(&mut self, e: Entry<'_>) -> i64 {
        let (text, kind) = match &e.value.kind {
            NodeKind::Scalar { text, plain } => (text.as_str(), scalar_kind(text, *plain)),
            _ => ("", ScalarKind::Text),
        };
        match kind {
            ScalarKind::Int | ScalarKind::Float => {
                if text.parse::<f64>() == Ok(0.0) || text == "0x0" || text == "0o0" {
                    return 0;
                }
                self.error(
                    e.value_span(),
                    format!("unsupported schema `version` {text}"),
                    Some("Panther's schema language only has version 0; write `version: 0` or remove it".into()),
                );
            }
            _ => self.error(
                e.value_span(),
                format!("`version` must be a number, found {}", e.value.kind_name()),
                Some("write `version: 0` or remove it".into()),
            ),
        }
        0
    }

    fn parser(&mut self, e: Entry<'_>) -> Option<ParserSpec> {
        if e.value.is_null() {
            return None;
        }
        let pairs = self.as_map(
            e.value,
            e.value_span(),
            "`parser`",
            Some("remove `parser` for JSON logs"),
        )?;
        let mut native = None;
        for p in self.entries(pairs, Some(PARSER_KEYS)) {
            if p.key == "native" {
                native = self.native(p);
            } else {
                self.error(
                    p.key_span,
                    format!("the {} parser is not supported: normalog reads JSON logs only", p.key),
                    Some("remove `parser` (JSON is the default), or use `parser: {native: {name: ...}}`".into()),
                );
            }
        }
        native.map(|native| ParserSpec {
            native: Some(native),
        })
    }

    fn native(&mut self, e: Entry<'_>) -> Option<NativeParser> {
        let pairs = self.as_map(
            e.value,
            e.value_span(),
            "`native`",
            Some("write `native: {name: <log type>}`"),
        )?;
        let mut name = None;
        for n in self.entries(pairs, Some(NATIVE_KEYS)) {
            name = self.text(n);
        }
        if name.is_none() && !pairs.iter().any(|(k, _)| k.text() == Some("name")) {
            self.error(
                e.key_span,
                "`native` has no `name`".into(),
                Some("write `native: {name: <log type>}`".into()),
            );
        }
        name.map(|name| NativeParser { name })
    }

    fn definitions(&mut self, e: Entry<'_>, schema: &mut Schema) {
        if e.value.is_null() {
            return;
        }
        let Some(pairs) = self.as_map(
            e.value,
            e.value_span(),
            "`definitions`",
            Some("write each definition as `Name: {type: ...}`"),
        ) else {
            return;
        };
        for d in self.entries(pairs, None) {
            schema
                .key_spans
                .insert(format!("definitions.{}", d.key), d.key_span);
            let what = format!("definition `{}`", d.key);
            let Some(pairs) = self.as_map(d.value, d.value_span(), &what, None) else {
                continue;
            };
            let entries = self.value_entries(pairs, "a definition");
            // A definition is best pointed at by its name.
            let value = self.value_schema(d.key_span, entries, &what);
            schema.definitions.insert(d.key.to_owned(), value);
        }
    }

    fn fields(&mut self, e: Entry<'_>) -> Vec<Field> {
        let items = match &e.value.kind {
            NodeKind::Seq(items) => items,
            _ if e.value.is_null() => return Vec::new(),
            _ => {
                self.poisoned.insert(e.key_span);
                self.error(
                    e.value_span(),
                    format!("`fields` must be a list, found {}", e.value.kind_name()),
                    Some("write each field as an item `- name: ...` under `fields`".into()),
                );
                return Vec::new();
            }
        };
        let fields: Vec<Field> = items.iter().filter_map(|item| self.field(item)).collect();
        if fields.is_empty() && !items.is_empty() {
            // "no fields" would only repeat why the items were dropped.
            self.poisoned.insert(e.key_span);
        }
        fields
    }

    fn field(&mut self, node: &Node) -> Option<Field> {
        let hint = match node.text() {
            Some(name) => format!("write `- name: {name}` and a `type` on the next line"),
            None => "write `- name: ...` and a `type` on the next line".into(),
        };
        let pairs = self.as_map(node, node.span, "a field", Some(&hint))?;
        let all: Vec<&str> = FIELD_KEYS.iter().chain(VALUE_KEYS).copied().collect();
        let entries = self.entries(pairs, Some(&all));
        let mut name = None;
        let mut required = false;
        let mut description = None;
        let mut rest = Vec::with_capacity(entries.len());
        for e in entries {
            match e.key {
                "name" => {
                    if self.text(e).map(|n| name = Some(n)).is_none() {
                        self.poisoned.insert(node.span);
                        name = Some(String::new());
                    }
                }
                "required" => required = self.boolean(e),
                "description" => description = self.opt_text(e),
                _ => rest.push(e),
            }
        }
        let what = if let Some(name) = &name {
            format!("field `{name}`")
        } else {
            self.poisoned.insert(node.span);
            self.error(
                node.span,
                "a field has no `name`".into(),
                Some("add `name:` with the field's JSON key".into()),
            );
            "a field".into()
        };
        let value = self.value_schema(node.span, rest, &what);
        Some(Field {
            name: name.unwrap_or_default(),
            required,
            description,
            value,
            span: node.span,
        })
    }

    fn value_schema(&mut self, span: Span, entries: Vec<Entry<'_>>, what: &str) -> ValueSchema {
        let mut v = ValueSchema::new(FieldType::Json);
        v.span = span;
        let mut ty = None;
        for e in entries {
            v.key_spans.insert(e.key, e.key_span);
            match e.key {
                "type" => ty = self.field_type(e),
                "indicators" => self.indicators(e, &mut v.indicators),
                "isEventTime" => v.is_event_time = self.boolean(e),
                "timeFormat" => v.time_format = self.text(e),
                "timeFormats" => {
                    for (i, (spec, at)) in self.text_list(e).into_iter().enumerate() {
                        v.key_spans.insert(format!("timeFormats[{i}]"), at);
                        v.time_formats.push(spec.to_owned());
                    }
                }
                "validate" => v.validate = self.validate_block(e, &mut v.key_spans),
                "isEmbeddedJSON" => v.is_embedded_json = self.boolean(e),
                "element" => {
                    if let Some(pairs) = self.as_map(
                        e.value,
                        e.value_span(),
                        "`element`",
                        Some("give the type of the items, e.g. `element: {type: string}`"),
                    ) {
                        let entries = self.value_entries(pairs, "an array element");
                        let what = format!("the element of {what}");
                        let element = self.value_schema(e.value.span, entries, &what);
                        v.element = Some(Box::new(element));
                    }
                }
                "fields" => v.fields = self.fields(e),
                "target" => v.target = self.text(e),
                _ => {}
            }
        }
        if let Some(ty) = ty {
            v.ty = ty;
            return v;
        }
        if !v.key_spans.contains("type") {
            let names: Vec<&str> = FieldType::ALL.iter().map(|t| t.name()).collect();
            self.error(
                span,
                format!("{what} has no `type`"),
                Some(format!("add `type:`, one of {}", names.join(", "))),
            );
        }
        without_type(v)
    }

    /// The `type`, or `None` after reporting why not.
    fn field_type(&mut self, e: Entry<'_>) -> Option<FieldType> {
        let name = self.text(e)?;
        let ty = FieldType::from_name(&name);
        if ty.is_none() {
            let names = FieldType::ALL.iter().map(|t| t.name());
            let suggestion = suggest(&name, names.clone());
            self.error(
                e.value_span(),
                format!("unknown type `{name}`"),
                Some(format!(
                    "{}valid types: {}",
                    did_you_mean(suggestion),
                    names.collect::<Vec<_>>().join(", ")
                )),
            );
        }
        ty
    }

    fn indicators(&mut self, e: Entry<'_>, out: &mut Vec<IndicatorKind>) {
        for (name, at) in self.text_list(e) {
            if let Some(kind) = IndicatorKind::from_name(name) {
                if !out.contains(&kind) {
                    out.push(kind);
                }
            } else {
                let names = IndicatorKind::ALL.iter().map(|k| k.name());
                let suggestion = suggest(name, names.clone());
                self.error(
                    at,
                    format!("unknown indicator `{name}`"),
                    Some(format!(
                        "{}valid indicators: {}",
                        did_you_mean(suggestion),
                        names.collect::<Vec<_>>().join(", ")
                    )),
                );
            }
        }
    }

    fn validate_block(&mut self, e: Entry<'_>, spans: &mut KeySpans) -> Option<Validate> {
        if e.value.is_null() {
            return Some(Validate::default());
        }
        let pairs = self.as_map(
            e.value,
            e.value_span(),
            "`validate`",
            Some("write e.g. `validate: {allow: [a, b]}`"),
        )?;
        let mut out = Validate::default();
        for c in self.entries(pairs, Some(VALIDATE_KEYS)) {
            spans.insert(format!("validate.{}", c.key), c.key_span);
            match c.key {
                "allow" => {
                    out.allow = self
                        .text_list(c)
                        .into_iter()
                        .map(|(t, _)| t.to_owned())
                        .collect();
                }
                "deny" => {
                    out.deny = self
                        .text_list(c)
                        .into_iter()
                        .map(|(t, _)| t.to_owned())
                        .collect();
                }
                "ip" => out.ip = self.ip_version(c),
                "cidr" => out.cidr = self.ip_version(c),
                _ => {}
            }
        }
        Some(out)
    }

    fn ip_version(&mut self, e: Entry<'_>) -> Option<IpVersion> {
        let text = e.value.text().unwrap_or("");
        match text {
            "ipv4" => Some(IpVersion::Ipv4),
            "ipv6" => Some(IpVersion::Ipv6),
            "any" => Some(IpVersion::Any),
            _ => {
                let shown = e
                    .value
                    .text()
                    .map_or_else(|| e.value.kind_name().to_owned(), |t| format!("`{t}`"));
                let suggestion = suggest(text, ["ipv4", "ipv6", "any"]);
                self.error(
                    e.value_span(),
                    format!("invalid `validate.{}` value {shown}", e.key),
                    Some(format!("{}use ipv4, ipv6 or any", did_you_mean(suggestion))),
                );
                None
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Load `yaml` as `t.yml` and compare the rendered errors with `expected`, in order. An
    /// expected line without `(hint: ...)` matches any hint, one with a hint may stop inside
    /// it; `t.yml:` is added in front. Shared with the tests of `validate`.
    #[track_caller]
    pub(crate) fn check(yaml: &str, expected: &[&str]) {
        let got: Vec<String> = match from_str(yaml, "t.yml") {
            Ok(_) => Vec::new(),
            Err(e) => e.0.iter().map(ToString::to_string).collect(),
        };
        let ok = got.len() == expected.len()
            && got.iter().zip(expected).all(|(g, e)| {
                let sep = if e.starts_with(|c: char| c.is_ascii_digit()) {
                    ""
                } else {
                    " "
                };
                let e = format!("t.yml:{sep}{e}");
                *g == e
                    || g.starts_with(&format!("{e} (hint: "))
                    || (e.contains(" (hint: ") && g.starts_with(&e))
            });
        assert!(
            ok,
            "yaml: {yaml}\ngot:\n{}\nexpected:\n{}",
            got.join("\n"),
            expected.join("\n")
        );
    }

    macro_rules! cases {
        ($($name:ident: $yaml:expr => [$($expected:expr),* $(,)?];)*) => {
            $(#[test] fn $name() { check($yaml, &[$($expected),*]); })*
        };
    }

    // One line per case; the YAML is written in flow style so it fits.
    cases! {
        ok_minimal: "{schema: Cust.Tst, fields: [{name: a, type: string}]}" => [];
        syntax_unclosed: "{schema: Cust.Tst, fields: [" => ["2:1: invalid YAML: while parsing a node, did not find expected node content"];
        syntax_nested_value: "schema: a: b" => ["1:10: invalid YAML: mapping values are not allowed in this context"];
        empty_file: "" => ["the schema file is empty (hint: a schema needs at least `schema` and `fields`)"];
        comment_only: "# nothing\n" => ["the schema file is empty"];
        two_documents: "{schema: Cust.Tst, fields: [{name: a, type: string}]}\n---\n{}" => ["2:1: a second YAML document in a schema file (hint: write one schema per file)"];
        root_list: "[1, 2]" => ["1:1: a schema must be a mapping, found a list"];
        root_scalar: "hello" => ["1:1: a schema must be a mapping, found a string"];
        missing_both: "{description: x}" => ["1:1: missing `schema` (the log type name)", "1:1: missing `fields`"];
        unknown_top_key_suggest: "{schema: Cust.Tst, referenceUrl: x, fields: [{name: a, type: string}]}" => ["1:20: unknown key `referenceUrl` (hint: did you mean `referenceURL`?)"];
        unknown_top_key_list: "{schema: Cust.Tst, owner: me, fields: [{name: a, type: string}]}" => ["1:20: unknown key `owner` (hint: valid keys here: schema, parser, description, referenceURL, version, definitions, fields)"];
        unsupported_key: "{schema: Cust.Tst, fieldDiscoveryEnabled: true, fields: [{name: a, type: string}]}" => ["1:20: unknown key `fieldDiscoveryEnabled` (hint: field discovery is not supported by normalog; remove it)"];
        transformation_key: "{schema: Cust.Tst, fields: [{name: a, type: string, rename: {from: b}}]}" => ["1:53: unknown key `rename` (hint: transformations such as `rename` are not supported by normalog; remove it)"];
        typo_required: "{schema: Cust.Tst, fields: [{name: a, type: string, requird: true}]}" => ["1:53: unknown key `requird` (hint: did you mean `required`?)"];
        typo_time_format_case: "{schema: Cust.Tst, fields: [{name: a, type: timestamp, timeformat: unix}]}" => ["1:29: timestamp field `a` has no `timeFormat`", "1:56: unknown key `timeformat` (hint: did you mean `timeFormat`?)"];
        typo_embedded_json_case: "{schema: Cust.Tst, fields: [{name: a, type: json, isEmbeddedJson: true}]}" => ["1:51: unknown key `isEmbeddedJson` (hint: did you mean `isEmbeddedJSON`?)"];
        typo_indicator_key: "{schema: Cust.Tst, fields: [{name: a, type: string, indicator: [ip]}]}" => ["1:53: unknown key `indicator` (hint: did you mean `indicators`?)"];
        duplicate_key: "{schema: Cust.Tst, schema: Custom.U, fields: [{name: a, type: string}]}" => ["1:20: duplicate key `schema` (hint: the first `schema` is at 1:2; remove one)"];
        duplicate_field_key: "{schema: Cust.Tst, fields: [{name: a, type: string, type: int}]}" => ["1:53: duplicate key `type`"];
        non_scalar_key: "{schema: Cust.Tst, [a]: 1, fields: [{name: a, type: string}]}" => ["1:20: a key must be a name, found a list"];
        required_yes: "{schema: Cust.Tst, fields: [{name: a, type: string, required: yes}]}" => ["1:63: `required` must be true or false, found a string (hint: YAML 1.2 reads `yes` as text; write true or false)"];
        required_quoted: "{schema: Cust.Tst, fields: [{name: a, type: string, required: 'true'}]}" => ["1:63: `required` must be true or false, found a string (hint: write true without quotes)"];
        required_number: "{schema: Cust.Tst, fields: [{name: a, type: string, required: 1}]}" => ["1:63: `required` must be true or false, found a number (hint: write true or false)"];
        required_capital: "{schema: Cust.Tst, fields: [{name: a, type: string, required: True}]}" => [];
        event_time_list: "{schema: Cust.Tst, fields: [{name: a, type: timestamp, timeFormat: unix, isEventTime: [x]}]}" => ["1:87: `isEventTime` must be true or false, found a list"];
        version_one: "{schema: Cust.Tst, version: 1, fields: [{name: a, type: string}]}" => ["1:29: unsupported schema `version` 1 (hint: Panther's schema language only has version 0; write `version: 0` or remove it)"];
        version_text: "{schema: Cust.Tst, version: v0, fields: [{name: a, type: string}]}" => ["1:29: `version` must be a number, found a string"];
        version_quoted: "{schema: Cust.Tst, version: '0', fields: [{name: a, type: string}]}" => ["1:29: `version` must be a number, found a string"];
        version_zero: "{schema: Cust.Tst, version: 0, fields: [{name: a, type: string}]}" => [];
        schema_name_list: "{schema: [a], fields: [{name: a, type: string}]}" => ["1:10: `schema` must be a string, found a list"];
        description_number_is_text: "{schema: Cust.Tst, description: 2021, fields: [{name: a, type: string}]}" => [];
        description_empty_is_absent: "{schema: Cust.Tst, description: , fields: [{name: a, type: string}]}" => [];
        unknown_type_suggest: "{schema: Cust.Tst, fields: [{name: a, type: strng}]}" => ["1:45: unknown type `strng` (hint: did you mean `string`? valid types: string, int, smallint, bigint, float, boolean, timestamp, object, array, json, ref)"];
        unknown_type_list: "{schema: Cust.Tst, fields: [{name: a, type: integer}]}" => ["1:45: unknown type `integer` (hint: valid types: string, int, smallint, bigint, float, boolean, timestamp, object, array, json, ref)"];
        unknown_type_case: "{schema: Cust.Tst, fields: [{name: a, type: String}]}" => ["1:45: unknown type `String`"];
        unknown_type_keeps_children: "{schema: Cust.Tst, fields: [{name: a, type: obj, fields: [{name: b, type: strin}]}]}" => ["1:45: unknown type `obj` (hint: valid types: string, int, smallint, bigint, float, boolean, timestamp, object, array, json, ref)", "1:75: unknown type `strin`"];
        unknown_type_drops_attributes: "{schema: Cust.Tst, fields: [{name: a, type: tmestamp, timeFormat: unix, isEventTime: true}]}" => ["1:45: unknown type `tmestamp`"];
        type_missing: "{schema: Cust.Tst, fields: [{name: a}]}" => ["1:29: field `a` has no `type` (hint: add `type:`, one of string, int, smallint, bigint, float, boolean, timestamp, object, array, json, ref)"];
        type_not_text: "{schema: Cust.Tst, fields: [{name: a, type: {x: 1}}]}" => ["1:45: `type` must be a string, found a mapping"];
        name_missing: "{schema: Cust.Tst, fields: [{type: string}]}" => ["1:29: a field has no `name` (hint: add `name:` with the field's JSON key)"];
        name_list: "{schema: Cust.Tst, fields: [{name: [a], type: string}]}" => ["1:36: `name` must be a string, found a list"];
        fields_not_list: "{schema: Cust.Tst, fields: {a: string}}" => ["1:28: `fields` must be a list, found a mapping"];
        field_not_map: "{schema: Cust.Tst, fields: [a]}" => ["1:29: a field must be a mapping, found a string (hint: write `- name: a` and a `type` on the next line)"];
        unknown_indicator_suggest: "{schema: Cust.Tst, fields: [{name: a, type: string, indicators: [ipp]}]}" => ["1:66: unknown indicator `ipp` (hint: did you mean `ip`? valid indicators: ip, domain, hostname, url, net_addr, email, username, trace_id, md5, sha1, sha256, aws_arn, aws_arn_only, aws_account_id, aws_instance_id, aws_tag)"];
        unknown_indicator_list: "{schema: Cust.Tst, fields: [{name: a, type: string, indicators: [mac]}]}" => ["1:66: unknown indicator `mac` (hint: valid indicators: ip, domain, hostname, url, net_addr, email, username, trace_id, md5, sha1, sha256, aws_arn, aws_arn_only, aws_account_id, aws_instance_id, aws_tag)"];
        indicators_not_list: "{schema: Cust.Tst, fields: [{name: a, type: string, indicators: ip}]}" => ["1:65: `indicators` must be a list, found a string (hint: write `indicators: [ip]`)"];
        indicators_item_map: "{schema: Cust.Tst, fields: [{name: a, type: string, indicators: [{ip: 1}]}]}" => ["1:66: each item of `indicators` must be a string, found a mapping"];
        validate_ip_bad: "{schema: Cust.Tst, fields: [{name: a, type: string, validate: {ip: v4}}]}" => ["1:68: invalid `validate.ip` value `v4` (hint: use ipv4, ipv6 or any)"];
        validate_cidr_bad: "{schema: Cust.Tst, fields: [{name: a, type: string, validate: {cidr: both}}]}" => ["1:70: invalid `validate.cidr` value `both` (hint: use ipv4, ipv6 or any)"];
        validate_unknown_key: "{schema: Cust.Tst, fields: [{name: a, type: string, validate: {alow: [x]}}]}" => ["1:53: `validate` has no checks", "1:64: unknown key `alow` (hint: did you mean `allow`?)"];
        validate_not_map: "{schema: Cust.Tst, fields: [{name: a, type: string, validate: [x]}]}" => ["1:63: `validate` must be a mapping, found a list"];
        parser_native: "{schema: Cust.Tst, parser: {native: {name: Cust.Tst}}, fields: [{name: a, type: string}]}" => [];
        parser_csv: "{schema: Cust.Tst, parser: {csv: {delimiter: ','}}, fields: [{name: a, type: string}]}" => ["1:29: the csv parser is not supported: normalog reads JSON logs only (hint: remove `parser` (JSON is the default), or use `parser: {native: {name: ...}}`)"];
        parser_fastmatch: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{a}']}}, fields: [{name: a, type: string}]}" => ["1:29: the fastmatch parser is not supported: normalog reads JSON logs only"];
        parser_regex: "{schema: Cust.Tst, parser: {regex: {match: ['.*']}}, fields: [{name: a, type: string}]}" => ["1:29: the regex parser is not supported: normalog reads JSON logs only"];
        parser_script: "{schema: Cust.Tst, parser: {script: {function: f}}, fields: [{name: a, type: string}]}" => ["1:29: the script parser is not supported: normalog reads JSON logs only"];
        parser_unknown: "{schema: Cust.Tst, parser: {json: {}}, fields: [{name: a, type: string}]}" => ["1:29: unknown key `json` (hint: valid keys here: native, csv, fastmatch, regex, script)"];
        parser_native_no_name: "{schema: Cust.Tst, parser: {native: {}}, fields: [{name: a, type: string}]}" => ["1:29: `native` has no `name`"];
        parser_empty_is_absent: "{schema: Cust.Tst, parser: , fields: [{name: a, type: string}]}" => [];
        element_not_map: "{schema: Cust.Tst, fields: [{name: a, type: array, element: string}]}" => ["1:61: `element` must be a mapping, found a string (hint: give the type of the items, e.g. `element: {type: string}`)"];
        element_with_name: "{schema: Cust.Tst, fields: [{name: a, type: array, element: {name: b, type: string}}]}" => ["1:62: `name` is not allowed in an array element"];
        element_no_type: "{schema: Cust.Tst, fields: [{name: a, type: array, element: {indicators: [ip]}}]}" => ["1:61: the element of field `a` has no `type`"];
        definition_with_description: "{schema: Cust.Tst, definitions: {User: {type: string, description: x}}, fields: [{name: a, type: ref, target: User}]}" => ["1:55: `description` is not allowed in a definition"];
        definition_not_map: "{schema: Cust.Tst, definitions: {User: string}, fields: [{name: a, type: string}]}" => ["1:40: definition `User` must be a mapping, found a string"];
        definitions_not_map: "{schema: Cust.Tst, definitions: [a], fields: [{name: a, type: string}]}" => ["1:33: `definitions` must be a mapping, found a list"];
        anchors_and_aliases: "{schema: Cust.Tst, fields: [{name: a, type: array, element: &e {type: string}}, {name: b, type: array, element: *e}]}" => [];
        str_tag_is_text: "{schema: Cust.Tst, fields: [{name: a, type: string, required: !!str true}]}" => ["1:69: `required` must be true or false, found a string"];
        too_deep_flow: &format!("{}1{}", "[".repeat(300), "]".repeat(300)) => ["1:256: invalid YAML: recursion limit exceeded"];
        too_deep_block: &format!("{}1", "- ".repeat(600)) => ["1:323: the YAML nests deeper than 160 levels"];
        multiple_errors_in_file_order: "schema: custom\nversion: 2\nfields:\n  - name: a\n    type: strng\n  - name: b\n    type: timestamp\n    requird: true\n  - name: a\n    type: string\n" => [
            "1:1: invalid schema name `custom`",
            "2:10: unsupported schema `version` 2",
            "5:11: unknown type `strng`",
            "6:5: timestamp field `b` has no `timeFormat`",
            "8:5: unknown key `requird`",
            "9:5: duplicate field name `a` (hint: the first `a` is at 4:5; remove or rename one)",
        ];
    }

    #[test]
    fn block_positions_point_at_first_key() {
        let schema = from_str(
            "schema: Cust.Tst\nfields:\n  - name: a\n    type: object\n    fields:\n      - name: b\n        type: string\n",
            "t.yml",
        )
        .unwrap();
        assert_eq!(schema.span, Span { line: 1, col: 1 });
        assert_eq!(schema.fields[0].span, Span { line: 3, col: 5 });
        assert_eq!(
            schema.fields[0].value.fields[0].span,
            Span { line: 6, col: 9 }
        );
        assert_eq!(
            schema.fields[0].value.key_spans.get("fields"),
            Some(Span { line: 5, col: 5 })
        );
        assert_eq!(schema.origin.as_deref(), Some("t.yml"));
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut lines = vec![String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]")];
        for i in 1..8 {
            let prev = format!("*a{}", i - 1);
            let items = [prev.as_str(); 10].join(", ");
            lines.push(format!("a{i}: &a{i} [{items}]"));
        }
        let yaml = lines.join("\n");
        let err = from_str(&yaml, "t.yml").unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert!(
            err.0[0].message.contains("more than 1000000 nodes"),
            "{err}"
        );
    }

    #[test]
    fn deep_flow_nesting_does_not_overflow() {
        let yaml = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(from_str(&yaml, "t.yml").is_err());
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

    const SHIPPED: [(&str, &str); 3] = [
        (
            "schemas/zendesk/Audit.yml",
            include_str!("../../schemas/zendesk/Audit.yml"),
        ),
        (
            "schemas/zoom/Activity.yml",
            include_str!("../../schemas/zoom/Activity.yml"),
        ),
        (
            "schemas/zoom/Operation.yml",
            include_str!("../../schemas/zoom/Operation.yml"),
        ),
    ];

    #[test]
    fn shipped_schemas_load() {
        for (path, text) in SHIPPED {
            let schema = from_str(text, path).unwrap_or_else(|e| panic!("{e}"));
            let expected = Path::new(path).file_stem().unwrap().to_str().unwrap();
            assert!(schema.schema.ends_with(&format!(".{expected}")), "{path}");
            assert_eq!(schema.version, 0);
            assert!(schema
                .parser
                .as_ref()
                .and_then(|p| p.native.as_ref())
                .is_some());
            assert_eq!(
                schema
                    .fields
                    .iter()
                    .filter(|f| f.value.is_event_time)
                    .count(),
                1,
                "{path}"
            );
        }
    }

    #[test]
    fn shipped_zoom_activity_reads_as_documented() {
        let schema = from_str(SHIPPED[1].1, "Activity.yml").unwrap();
        let names: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "email",
                "time",
                "type",
                "ip_address",
                "client_type",
                "version"
            ]
        );
        let email = &schema.fields[0];
        assert!(email.required);
        assert_eq!(email.value.indicators, [IndicatorKind::Email]);
        assert_eq!(
            email.description.as_deref(),
            Some("The email address of the user used for activity.")
        );
        let time = &schema.fields[1];
        assert_eq!(time.value.ty, FieldType::Timestamp);
        assert_eq!(time.value.time_format.as_deref(), Some("rfc3339"));
        assert_eq!(
            schema.fields[2].description.as_deref(),
            Some("Type of user activity: sign in/sign out")
        );
    }

    /// Every type, nested objects, arrays of objects, refs, definitions and every attribute.
    const COMPLEX: &str = r#"
schema: Custom.Complex.Example
parser:
  native:
    name: Custom.Complex.Example
description: "A schema that uses everything: quotes, colons and # signs"
referenceURL: https://example.com/docs
version: 0
definitions:
  Actor:
    type: object
    fields:
      - name: id
        required: true
        type: bigint
      - name: email
        type: string
        indicators: [email, username]
      - name: roles
        type: array
        element:
          type: ref
          target: Role
  Role:
    type: string
    validate:
      allow: [admin, agent, "end user"]
fields:
  - name: time
    required: true
    description: When it happened
    type: timestamp
    timeFormat: rfc3339
    isEventTime: true
  - name: alt_time
    type: timestamp
    timeFormats: [unix_ms, "%Y-%m-%d %H:%M:%S", "layout=2006-01-02"]
    isEventTime: true
  - name: count
    type: int
  - name: small
    type: smallint
  - name: big
    type: bigint
  - name: ratio
    type: float
  - name: ok
    type: boolean
  - name: src_ip
    type: string
    indicators: [ip]
    validate:
      ip: any
  - name: net
    type: string
    validate:
      cidr: ipv4
      deny: ["0.0.0.0/0"]
  - name: actor
    type: ref
    target: Actor
  - name: meta.user
    type: object
    isEmbeddedJSON: true
    fields:
      - name: name
        type: string
      - name: address
        type: object
        fields:
          - name: city
            type: string
  - name: hosts
    type: array
    indicators: [hostname]
    element:
      type: string
  - name: urls
    type: array
    element:
      type: string
      indicators: [url]
  - name: events
    type: array
    element:
      type: object
      fields:
        - name: at
          type: timestamp
          timeFormat: unix
        - name: tags
          type: array
          element:
            type: ref
            target: Role
  - name: raw
    type: json
    isEmbeddedJSON: true
  - name: matrix
    type: array
    isEmbeddedJSON: true
    element:
      type: array
      element:
        type: float
"#;

    #[test]
    fn complex_schema_loads() {
        let schema = from_str(COMPLEX, "complex.yml").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(schema.fields.len(), 16);
        assert_eq!(schema.definitions.len(), 2);
        let net = &schema.fields[8].value;
        assert_eq!(
            net.validate,
            Some(Validate {
                allow: Vec::new(),
                deny: vec!["0.0.0.0/0".into()],
                ip: None,
                cidr: Some(IpVersion::Ipv4),
            })
        );
        assert_eq!(
            schema.fields[1].value.key_spans.get("timeFormats[2]"),
            Some(Span { line: 37, col: 49 })
        );
        let types: Vec<FieldType> = schema.fields.iter().map(|f| f.value.ty).collect();
        for ty in FieldType::ALL {
            assert!(types.contains(&ty), "{ty} is not used");
        }
    }

    #[test]
    fn complex_schema_round_trips() {
        let mut schema = from_str(COMPLEX, "complex.yml").unwrap();
        let yaml = serde_yaml::to_string(&schema).unwrap();
        let mut back = from_str(&yaml, "written.yml").unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        schema.clear_spans();
        back.clear_spans();
        assert_eq!(schema, back, "{yaml}");
        // serde_yaml reads it back the same way.
        let mut serde_back: Schema = serde_yaml::from_str(&yaml).unwrap();
        serde_back.clear_spans();
        assert_eq!(schema, serde_back);
    }

    #[test]
    fn shipped_schemas_round_trip() {
        for (path, text) in SHIPPED {
            let mut schema = from_str(text, path).unwrap();
            let yaml = serde_yaml::to_string(&schema).unwrap();
            let mut back = from_str(&yaml, path).unwrap();
            schema.clear_spans();
            back.clear_spans();
            assert_eq!(schema, back, "{path}");
        }
    }

    fn write(dir: &Path, path: &str, text: &str) {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    const TINY: &str = "{schema: Custom.Aa, fields: [{name: a, type: string}]}";

    #[test]
    fn from_path_reads_a_tree_in_order_and_skips_tests() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "b/B.yaml", &TINY.replace("Custom.Aa", "Custom.Bb"));
        write(d, "a/A.yml", TINY);
        write(d, "a/C.yml", &TINY.replace("Custom.Aa", "Custom.Cc"));
        write(d, "a/A_tests.yml", "not: [a schema");
        write(d, "a/tests/A.yml", "not: [a schema");
        write(d, "a/notes.txt", "not yaml");
        let schemas = from_path(d).unwrap();
        let names: Vec<&str> = schemas.iter().map(|s| s.schema.as_str()).collect();
        assert_eq!(names, ["Custom.Aa", "Custom.Cc", "Custom.Bb"]);
        // A single file is read whatever its name.
        assert_eq!(from_path(&d.join("b/B.yaml")).unwrap().len(), 1);
    }

    #[test]
    fn from_path_collects_errors_of_all_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(
            d,
            "1.yml",
            "{schema: Custom.Aa, fields: [{name: a, type: strng}]}",
        );
        write(
            d,
            "2.yml",
            "{schema: Custom.Bb, fields: [{name: a, type: int, requird: true}]}",
        );
        write(d, "3.yml", TINY);
        write(d, "4.yml", TINY);
        let err = from_path(d).unwrap_err();
        let text = err.to_string().replace(&d.display().to_string(), "D");
        let lines: Vec<&str> = text
            .lines()
            .map(|l| l.split(" (hint").next().unwrap())
            .collect();
        assert_eq!(
            lines,
            [
                "D/1.yml:1:46: unknown type `strng`",
                "D/2.yml:1:51: unknown key `requird`",
                "D/4.yml:1:2: log type `Custom.Aa` is already defined in D/3.yml:1:2",
            ]
        );
    }

    #[test]
    fn from_path_empty_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "tests/A.yml", TINY);
        let err = from_path(dir.path()).unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert_eq!(err.0[0].span, Span::default());
        assert!(err.0[0].message.starts_with("no schema files"), "{err}");
    }

    #[test]
    fn from_path_root_inside_tests_directory_still_reads() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "tests/schemas/A.yml", TINY);
        assert_eq!(
            from_path(&dir.path().join("tests/schemas")).unwrap().len(),
            1
        );
    }

    #[test]
    fn unreadable_file_has_no_position() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.yml");
        let err = from_file(&missing).unwrap_err();
        assert_eq!(err.0.len(), 1);
        let e = &err.0[0];
        assert_eq!(e.span, Span::default());
        assert_eq!(
            e.origin.as_deref(),
            Some(missing.display().to_string().as_str())
        );
        assert!(
            e.message
                .starts_with("cannot read the schema file: no such file"),
            "{e}"
        );
        assert!(from_path(&missing).is_err());
    }

    #[test]
    fn from_file_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "x.yml", "{schema: Custom.Aa, fields: []}");
        let path = dir.path().join("x.yml");
        let err = from_file(&path).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}:1:21: the schema has no fields (hint: list the record's fields under `fields`)",
                path.display()
            )
        );
    }

    #[test]
    fn test_files() {
        for (path, expected) in [
            ("a/Audit_tests.yml", true),
            ("a/Audit_tests.yaml", true),
            ("tests/Audit.yml", true),
            ("schemas/zoom/tests/Activity.yml", true),
            ("schemas/zoom/Activity.yml", false),
            ("schemas/zoom/tests.yml", false),
            ("Audit_test.yml", false),
            ("latests/Audit.yml", false),
        ] {
            assert_eq!(is_test_file(Path::new(path)), expected, "{path}");
        }
    }
}
