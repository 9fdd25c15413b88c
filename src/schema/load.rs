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
//!
//! This file owns the last of those steps, the typed `Loader`: tree → model, with a message
//! for every value of the wrong kind, unknown or duplicate key, unknown type or indicator.
//! Finding and reading the files is in `files.rs` (re-exported here), the YAML tree in
//! `yaml.rs`.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

pub use super::files::{from_file, from_path, from_str, is_test_file};
use super::validate::{did_you_mean, suggest};
use super::yaml::{Node, NodeKind, ScalarKind};
use super::{
    Field, FieldType, IpVersion, KeySpans, Schema, SchemaError, Span, Validate, ValueSchema,
};
use crate::indicators::IndicatorKind;

mod parser;

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
            NodeKind::Scalar { text, .. } if text.is_empty() && self.value.is_null() => {
                self.key_span
            }
            _ => self.value.span,
        }
    }
}

pub(super) struct Loader {
    pub(super) origin: Arc<str>,
    pub(super) errors: Vec<SchemaError>,
    /// Nodes left incomplete in the model (a missing `schema`, `fields` or `name`): problems
    /// the checks find there are consequences of one already reported.
    pub(super) poisoned: HashSet<Span>,
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
        if let Some(ScalarKind::Bool(b)) = e.value.scalar_kind() {
            return b;
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

    pub(super) fn schema(&mut self, root: &Node) -> Option<Schema> {
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
        let (text, kind) = match (&e.value.kind, e.value.scalar_kind()) {
            (NodeKind::Scalar { text, .. }, Some(kind)) => (text.as_str(), kind),
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
    use std::path::Path;

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
        parser_csv: "{schema: Cust.Tst, parser: {csv: {delimiter: ','}}, fields: [{name: a, type: string}]}" => ["1:29: `csv` has no `columns` and no `hasHeader`: nothing names the values (hint: list the column names under `columns`, or set `hasHeader: true` to read them from the first line of each input)"];
        parser_fastmatch: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{a}']}}, fields: [{name: a, type: string}]}" => [];
        parser_regex: "{schema: Cust.Tst, parser: {regex: {match: ['(?P<a>.*)']}}, fields: [{name: a, type: string}]}" => [];
        parser_script: "{schema: Cust.Tst, parser: {script: {function: f}}, fields: [{name: a, type: string}]}" => ["1:29: the script parser is not supported yet"];
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
}
