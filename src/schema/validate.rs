//! Semantic checks of a [`Schema`]: what the YAML shape alone cannot say.
//!
//! [`validate`] walks the whole schema (fields, nested objects, array elements and
//! definitions) and returns *every* problem, each located at the attribute at fault when the
//! schema came from a file ([`super::KeySpans`]), else at the nearest node. A schema built in
//! code is checked the same way; its errors simply carry no position.
//!
//! The rules follow Panther's schema language (the JSON Schema of the docs and the checks of
//! the open-source `logschema` package): see `reference/panther-schema-language.md`, section 1.

use std::collections::HashMap;
use std::sync::Arc;

use super::{Field, FieldType, Schema, SchemaError, Severity, Span, ValueSchema};
use crate::time::TimeFormat;
use names::{
    is_definition_name, is_field_name, is_schema_name, is_standard_column, schema_name_hint,
};

mod expand;
mod lints;
mod names;
mod refs;
/// Where it has always been found; it lives with the other output names.
pub use crate::names::column_name;
pub use expand::MAX_VALUES;

/// How deep objects and arrays may nest, counting the record's own fields as level 1
/// (Panther's limit for resolving `ref`s).
pub const MAX_DEPTH: usize = 64;

/// Check `schema` and return every problem found, in file order (problems without a position
/// first, in the order they were found). An empty vector means the schema is valid.
#[must_use]
pub fn validate(schema: &Schema) -> Vec<SchemaError> {
    let mut v = Validator {
        schema,
        origin: schema.origin.clone(),
        errors: Vec::new(),
        expanded: expand::expand_definitions(&schema.definitions),
    };
    v.check_schema();
    let mut errors = v.errors;
    errors.sort_by_key(|e| e.span);
    super::field_path::name_fields(schema, &mut errors);
    errors
}

/// The warnings of `schema`, in file order: what the language allows (the schema loads, in
/// Panther too) but cannot work as written, such as a fastmatch placeholder that can never
/// capture a time its field reads (see [`super::text`]). Each has
/// [`Severity::Warning`]; they are certain, never guesses. Meant for a schema that
/// [`validate`] passes, whose plan keeps them ([`Plan::warnings`](crate::Plan::warnings)).
#[must_use]
pub fn warnings(schema: &Schema) -> Vec<SchemaError> {
    let mut out = Vec::new();
    let mut push = |span, message, hint| {
        out.push(SchemaError {
            severity: Severity::Warning,
            origin: schema.origin.clone(),
            span,
            message,
            hint,
        });
    };
    super::text::lint(schema, &mut push);
    lints::lint(schema, &mut push);
    out.sort_by_key(|w| w.span);
    super::field_path::name_fields(schema, &mut out);
    out
}

const TIME_FORMATS_HINT: &str = "add `timeFormat: rfc3339` (or unix, unix_ms, unix_us, unix_ns, cloudflare, a strftime pattern such as `%Y-%m-%d %H:%M:%S`, or `layout=<Go layout>`)";

struct Validator<'s> {
    schema: &'s Schema,
    origin: Option<Arc<str>>,
    errors: Vec<SchemaError>,
    /// Each definition once its refs are expanded: its depth and size.
    expanded: HashMap<&'s str, expand::Expanded>,
}

impl<'s> Validator<'s> {
    fn error(&mut self, span: Span, message: String, hint: Option<String>) {
        self.errors.push(SchemaError {
            severity: Severity::Error,
            origin: self.origin.clone(),
            span,
            message,
            hint,
        });
    }

    fn check_schema(&mut self) {
        /// The longest file name of Linux's and macOS's file systems, in bytes (a schema
        /// name is ASCII).
        const MAX_SCHEMA_NAME: usize = 255;
        let schema = self.schema;
        let name_span = schema.key_spans.get("schema").unwrap_or(schema.span);
        if schema.schema.is_empty() {
            self.error(
                name_span,
                "the schema name is empty".into(),
                Some("name the log type, e.g. `schema: Custom.MyApp`".into()),
            );
        } else if !is_schema_name(&schema.schema) {
            self.error(
                name_span,
                format!("invalid schema name `{}`", schema.schema),
                Some(schema_name_hint(&schema.schema)),
            );
        } else if schema.schema.len() > MAX_SCHEMA_NAME {
            // Its table is a directory of that name in an output directory: the run failed
            // at its first write, "File name too long" (review s47-h2 LOW-4).
            self.error(
                name_span,
                format!(
                    "the schema name is {} characters long, more than the {MAX_SCHEMA_NAME} of \
                     a file name, which its table's directory in an output takes",
                    schema.schema.len()
                ),
                Some("shorten it".into()),
            );
        }
        for (name, value) in &schema.definitions {
            let key = format!("definitions.{name}");
            let span = schema.key_spans.get(&key).unwrap_or(value.span);
            if !is_definition_name(name) {
                self.error(
                    span,
                    format!("invalid definition name `{name}`"),
                    Some("a definition name is an uppercase letter followed by at least one letter or digit, e.g. `UserInfo`".into()),
                );
            }
            self.check_value(value, &format!("definition `{name}`"), 1);
        }
        if schema.fields.is_empty() {
            let span = schema.key_spans.get("fields").unwrap_or(schema.span);
            self.error(
                span,
                "the schema has no fields".into(),
                Some("list the record's fields under `fields`".into()),
            );
        }
        self.check_fields(&schema.fields, 1);
        self.check_cycles();
        self.check_size();
        let mut found = Vec::new();
        super::text::check(schema, &mut |span, message, hint| {
            found.push((span, message, hint));
        });
        for (span, message, hint) in found {
            self.error(span, message, hint);
        }
    }

    fn check_fields(&mut self, fields: &'s [Field], depth: usize) {
        // Exact duplicates first, then names that would become the same table column.
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut columns: HashMap<String, (&str, Span)> = HashMap::new();
        for field in fields {
            let name = field.name.as_str();
            if name.is_empty() {
                self.error(
                    field.span,
                    "a field name is empty".into(),
                    Some("set `name` to the JSON key of the field".into()),
                );
            } else if !is_field_name(name) {
                self.error(
                    field.span,
                    format!("invalid field name `{name}`"),
                    Some(
                        "a field name starts with an ASCII letter, `_` or one of !#%&',/=@$*+\\`~"
                            .into(),
                    ),
                );
            }
            if let Some(first) = seen.get(name) {
                let first = *first;
                self.error(
                    field.span,
                    format!("duplicate field name `{name}`"),
                    Some(format!(
                        "the first `{name}` is at {}; remove or rename one",
                        at(first)
                    )),
                );
                continue;
            }
            seen.insert(name, field.span);
            let column = column_name(name).to_lowercase();
            if depth == 1 && is_standard_column(&column) {
                let taken = if column == name.to_lowercase() {
                    format!("field name `{name}` is taken by the standard field `{column}`")
                } else {
                    format!("field name `{name}` is the column `{column}`, a standard field")
                };
                self.error(
                    field.span,
                    taken,
                    Some(
                        "every event gets the `p_` fields (`p_any_*` too), so the output would \
                         have two; leave this field out of the schema (keys it does not name \
                         are dropped)"
                            .into(),
                    ),
                );
                continue;
            }
            if let Some((other, other_span)) = columns.get(&column) {
                let (other, other_span) = (*other, *other_span);
                self.error(
                    field.span,
                    format!("field name `{name}` collides with `{other}` at {}", at(other_span)),
                    Some(format!("Panther's table columns ignore case and replace punctuation (query engines such as DuckDB ignore case too), so both become `{column}`; rename one")),
                );
            } else {
                columns.insert(column, (name, field.span));
            }
        }
        for field in fields {
            self.check_value(&field.value, &format!("field `{}`", field.name), depth);
        }
    }

    /// The rules for one value, in this order, then the values below it.
    fn check_value(&mut self, v: &'s ValueSchema, label: &str, depth: usize) {
        if !self.check_nesting(v, label, depth) {
            return;
        }
        self.check_structure(v, label, depth);
        if v.ty == FieldType::Ref {
            self.check_ref_attributes(v, label);
        } else {
            self.check_time(v, label);
            self.check_indicators(v, label);
            self.check_validate_block(v, label);
            self.check_embedded_json(v, label);
        }
        self.check_children(v, label, depth);
    }

    /// A `ref` stands for its definition: Panther resolves it to the definition's value
    /// and drops the ref's own attributes (`logschema.Resolve`), so each is refused here,
    /// where it was applied (indicators) or ignored without a word (review s42-h1 HIGH-1).
    fn check_ref_attributes(&mut self, v: &ValueSchema, label: &str) {
        let target = v.target.as_deref().unwrap_or_default();
        let written = [
            ("indicators", !v.indicators.is_empty()),
            ("validate", v.validate.is_some()),
            ("isEmbeddedJSON", v.is_embedded_json),
            ("timeFormat", v.time_format.is_some()),
            ("timeFormats", !v.time_formats.is_empty()),
            ("isEventTime", v.is_event_time),
        ];
        for (attr, _) in written
            .iter()
            .filter(|(a, on)| *on || v.key_spans.contains(a))
        {
            self.error(
                key_span(v, attr),
                format!(
                    "`{attr}` is not allowed on a ref: a ref stands for its definition \
                     `{target}` (Panther drops the ref's own `{attr}`)"
                ),
                Some(format!(
                    "write it on the definition `{target}` (every field that refers to it gets \
                     it), or give {label} a type of its own"
                )),
            );
        }
    }

    /// Report `attr` written on a value whose type does not take it: it is only allowed on
    /// `what`, and `fix` says what to do.
    fn misplaced(&mut self, v: &ValueSchema, label: &str, attr: &str, what: &str, fix: &str) {
        self.error(
            key_span(v, attr),
            format!("`{attr}` is only allowed on {what}"),
            Some(format!("{label} has type `{}`; {fix}", v.ty)),
        );
    }

    /// Whether `v` is within [`MAX_DEPTH`]; if not, reported, and nothing below is checked.
    fn check_nesting(&mut self, v: &ValueSchema, label: &str, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            self.error(
                v.span,
                format!("{label} nests deeper than {MAX_DEPTH} levels"),
                Some("flatten the schema, or use `type: json` for the deep part".into()),
            );
            return false;
        }
        true
    }

    /// A timestamp has valid time formats; the time attributes are on timestamps only.
    fn check_time(&mut self, v: &ValueSchema, label: &str) {
        if v.ty == FieldType::Timestamp {
            let written = v.key_spans.contains("timeFormat") || v.key_spans.contains("timeFormats");
            if v.time_format.is_none() && v.time_formats.is_empty() && written {
                // `timeFormats: []`, or a value the loader could not read (already reported).
                if v.key_spans.contains("timeFormats") && !v.key_spans.contains("timeFormat") {
                    self.error(
                        key_span(v, "timeFormats"),
                        "`timeFormats` is empty".into(),
                        Some("list at least one time format, e.g. `timeFormats: [rfc3339]`".into()),
                    );
                }
            } else if v.time_format.is_none() && v.time_formats.is_empty() {
                self.error(
                    v.span,
                    format!("timestamp {label} has no `timeFormat`"),
                    Some(TIME_FORMATS_HINT.into()),
                );
            }
            if let Some(spec) = &v.time_format {
                self.check_time_format(spec, key_span(v, "timeFormat"));
            }
            for (i, spec) in v.time_formats.iter().enumerate() {
                let at = v
                    .key_spans
                    .get(&format!("timeFormats[{i}]"))
                    .unwrap_or(key_span(v, "timeFormats"));
                self.check_time_format(spec, at);
            }
        } else {
            if v.time_format.is_some() {
                self.misplaced(
                    v,
                    label,
                    "timeFormat",
                    "timestamp fields",
                    "remove `timeFormat` or use `type: timestamp`",
                );
            }
            if !v.time_formats.is_empty() || v.key_spans.contains("timeFormats") {
                self.misplaced(
                    v,
                    label,
                    "timeFormats",
                    "timestamp fields",
                    "remove `timeFormats` or use `type: timestamp`",
                );
            }
            if v.is_event_time {
                self.misplaced(
                    v,
                    label,
                    "isEventTime",
                    "timestamp fields",
                    "remove `isEventTime` or use `type: timestamp`",
                );
            }
        }
    }

    /// An array has an `element`, an object `fields` and a ref a valid `target`; each of
    /// those only on its own type.
    fn check_structure(&mut self, v: &'s ValueSchema, label: &str, depth: usize) {
        let ty = v.ty;
        if ty == FieldType::Array {
            // A written `element` that is missing here could not be read (already reported).
            if v.element.is_none() && !v.key_spans.contains("element") {
                self.error(
                    v.span,
                    format!("array {label} has no `element`"),
                    Some("give the type of the items, e.g. `element: {type: string}`".into()),
                );
            }
        } else if v.element.is_some() {
            self.misplaced(
                v,
                label,
                "element",
                "arrays",
                "remove `element` or use `type: array`",
            );
        }
        if ty == FieldType::Object {
            if v.fields.is_empty() {
                self.error(
                    key_span(v, "fields"),
                    format!("object {label} has no `fields`"),
                    Some("list the object's keys under `fields`, or use `type: json` to keep any JSON value".into()),
                );
            }
        } else if !v.fields.is_empty() || v.key_spans.contains("fields") {
            self.misplaced(
                v,
                label,
                "fields",
                "objects",
                "remove `fields` or use `type: object`",
            );
        }
        if ty == FieldType::Ref {
            self.check_target(v, label, depth);
        } else if v.target.is_some() {
            self.misplaced(
                v,
                label,
                "target",
                "refs",
                "remove `target` or use `type: ref`",
            );
        }
    }

    /// Indicators scan text: only strings and arrays of strings take them.
    fn check_indicators(&mut self, v: &'s ValueSchema, label: &str) {
        if !v.indicators.is_empty() && !self.holds_strings(v) {
            self.misplaced(
                v,
                label,
                "indicators",
                "strings and arrays of strings",
                "indicators scan text, so use `type: string` or remove them",
            );
        }
    }

    /// `validate` is on a string and has at least one check, none of them an empty list.
    fn check_validate_block(&mut self, v: &'s ValueSchema, label: &str) {
        let Some(checks) = &v.validate else {
            return;
        };
        if self.resolve(v).ty != FieldType::String {
            self.misplaced(
                v,
                label,
                "validate",
                "strings",
                "remove `validate` or use `type: string`",
            );
            return;
        }
        let mut empty = false;
        for (list, key) in [(&checks.allow, "allow"), (&checks.deny, "deny")] {
            let full = format!("validate.{key}");
            if list.is_empty() && v.key_spans.contains(&full) {
                empty = true;
                self.error(
                    key_span(v, &full),
                    format!("`validate.{key}` is empty"),
                    Some(format!("list the values to {key}, or remove `{key}`")),
                );
            }
        }
        let written = ["allow", "deny", "ip", "cidr"]
            .iter()
            .any(|k| v.key_spans.contains(&format!("validate.{k}")));
        if !empty
            && !written
            && checks.allow.is_empty()
            && checks.deny.is_empty()
            && checks.ip.is_none()
            && checks.cidr.is_none()
        {
            self.error(
                key_span(v, "validate"),
                "`validate` has no checks".into(),
                Some("add `allow`, `deny`, `ip` or `cidr`, or remove `validate`".into()),
            );
        }
    }

    /// Only objects, arrays and json values can arrive as embedded JSON.
    fn check_embedded_json(&mut self, v: &ValueSchema, label: &str) {
        if v.is_embedded_json
            && !matches!(v.ty, FieldType::Object | FieldType::Array | FieldType::Json)
        {
            self.misplaced(
                v,
                label,
                "isEmbeddedJSON",
                "object, array and json values",
                "remove `isEmbeddedJSON`, or use `type: json` to parse the embedded JSON",
            );
        }
    }

    /// The array element and the object fields, one level deeper.
    fn check_children(&mut self, v: &'s ValueSchema, label: &str, depth: usize) {
        if let Some(element) = &v.element {
            self.check_value(element, &super::field_path::element_of(label), depth + 1);
        }
        if !v.fields.is_empty() {
            self.check_fields(&v.fields, depth + 1);
        }
    }

    fn check_time_format(&mut self, spec: &str, span: Span) {
        if let Err(e) = TimeFormat::from_spec(spec) {
            self.error(span, e.message, e.hint);
        }
    }

    /// The value a `ref` stands for (following refs; a cycle or unknown target stops there).
    fn resolve(&self, mut v: &'s ValueSchema) -> &'s ValueSchema {
        for _ in 0..=self.schema.definitions.len() {
            match (&v.ty, &v.target) {
                (FieldType::Ref, Some(t)) => match self.schema.definitions.get(t) {
                    Some(def) => v = def,
                    None => return v,
                },
                _ => return v,
            }
        }
        v
    }

    /// A string, or an array of strings (indicators may sit on the array or its element).
    fn holds_strings(&self, v: &'s ValueSchema) -> bool {
        let v = self.resolve(v);
        match v.ty {
            FieldType::String => true,
            FieldType::Array => v
                .element
                .as_deref()
                .is_some_and(|e| self.resolve(e).ty == FieldType::String),
            _ => false,
        }
    }
}

/// `line 3:5`, or `an earlier field` when positions are unknown.
/// Where attribute `key` of `v` was written, else where `v` is.
fn key_span(v: &ValueSchema, key: &str) -> Span {
    v.key_spans.get(key).unwrap_or(v.span)
}

fn at(span: Span) -> String {
    if span.line == 0 {
        "an earlier field".into()
    } else {
        format!("{}:{}", span.line, span.col)
    }
}

#[cfg(test)]
mod tests;
