//! The typed `Loader` of schema files: the YAML tree ([`super::yaml`], which remembers the
//! `line:col` of every node) → the model ([`Schema`] and its parts), with a message at its
//! position for every value of the wrong kind, unknown or duplicate key, unknown type or
//! indicator. Scalars follow YAML 1.2: only `true`/`false` are booleans (`yes`, `no`, `on`
//! and `off` are text), and a quoted scalar is always text. Finding and reading the files,
//! and the public functions, are in `load.rs`.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use super::yaml::{Node, NodeKind, ScalarKind};
use super::{
    Field, FieldType, IpVersion, KeySpans, Schema, SchemaError, Severity, Span, Validate,
    ValueSchema,
};
use crate::indicators::IndicatorKind;
use crate::suggest::suggest_or_synonym;
use crate::suggest::{did_you_mean, suggest};

mod keys;
mod parser;
mod scalars;

use keys::dropped_items;

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
    "fieldDiscoveryEnabled",
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
            severity: Severity::Error,
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
        // A test case (`input` and `logType` or `result`, no `schema` or `fields`) read as a
        // schema because of its file name: say that, rather than list every key as wrong.
        let has = |name: &str| pairs.iter().any(|(k, _)| k.text() == Some(name));
        if has("input")
            && (has("logType") || has("result") || has("results"))
            && !has("schema")
            && !has("fields")
        {
            self.error(
                root.span,
                "this is a test case (`input`, `logType`, `result`), not a schema".into(),
                Some(
                    "name test files `*_tests.yml` (or put them under a `tests` directory): \
                     schema paths skip them, and `normalog test` reads them"
                        .into(),
                ),
            );
            self.poisoned.insert(root.span);
            return None;
        }
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
                "referenceURL" => schema.reference_url = self.url(e),
                "version" => schema.version = self.version(e),
                "definitions" => self.definitions(e, &mut schema),
                "fields" => {
                    schema.fields = self.fields(e);
                    let dropped = dropped_items(e.value, &schema.fields);
                    schema.key_spans.note_refused(dropped.into_iter());
                }
                "fieldDiscoveryEnabled" => self.field_discovery(e),
                _ => {}
            }
        }
        schema
            .key_spans
            .note_refused(pairs.iter().map(|(k, _)| k.span));
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

    /// `fieldDiscoveryEnabled`, metadata of Panther's upload tool: `false` is what normalog
    /// does anyway; `true` is refused.
    fn field_discovery(&mut self, e: Entry<'_>) {
        if self.boolean(e) {
            self.error(
                e.value_span(),
                "field discovery is not supported by normalog".into(),
                Some("write `fieldDiscoveryEnabled: false`, or remove it".into()),
            );
        }
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
            let mut value = self.value_schema(d.key_span, entries, &what);
            value
                .key_spans
                .note_refused(pairs.iter().map(|(k, _)| k.span));
            schema.definitions.insert(d.key.to_owned(), value);
        }
        // A definition written twice: the second is refused, not part of the first.
        schema
            .key_spans
            .note_refused(pairs.iter().map(|(k, _)| k.span));
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
        // Where the field's own keys are, beside its value's: a problem after the last of
        // its `fields` is then known to be its own (field_path.rs).
        let mut own_keys = Vec::new();
        for e in entries {
            if FIELD_KEYS.contains(&e.key) {
                own_keys.push((e.key, e.key_span));
            }
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
        let mut value = self.value_schema(node.span, rest, &what);
        for (key, span) in own_keys {
            value.key_spans.insert(key, span);
        }
        value
            .key_spans
            .note_refused(pairs.iter().map(|(k, _)| k.span));
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
                "timeFormat" => {
                    v.time_format = self.filled_text(e, "write a time format, e.g. `rfc3339`");
                }
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
                        let mut element = self.value_schema(e.value.span, entries, &what);
                        element
                            .key_spans
                            .note_refused(pairs.iter().map(|(k, _)| k.span));
                        v.element = Some(Box::new(element));
                    }
                }
                "fields" => {
                    v.fields = self.fields(e);
                    let dropped = dropped_items(e.value, &v.fields);
                    v.key_spans.note_refused(dropped.into_iter());
                }
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
        let names = FieldType::ALL.iter().map(|t| t.name());
        let all = names.clone().collect::<Vec<_>>().join(", ");
        let name = self.text_or(e, Some(format!("write one type: {all}")))?;
        let ty = FieldType::from_name(&name);
        if ty.is_none() {
            let suggestion = suggest_or_synonym(&name, names.clone());
            self.error(
                e.value_span(),
                format!("unknown type `{name}`"),
                Some(format!("{}valid types: {all}", did_you_mean(suggestion))),
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
                let suggestion = suggest_or_synonym(name, names.clone());
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
pub(crate) mod tests;
