//! The schema language: what a user writes in a YAML log schema.
//!
//! This is Panther's log-schema language (top level `schema`, `parser`, `description`,
//! `referenceURL`, `version`, `definitions`, `fields`). [`load`] turns YAML text into a
//! [`Schema`] and checks it, reporting every problem at once with `file:line:col`;
//! [`crate::compile`] turns a checked `Schema` into the runtime plan.
//!
//! The model derives `serde` (so a schema can be written back as YAML) and
//! `schemars::JsonSchema` (so `normalog schema json-schema` can give editors a JSON Schema for
//! schema files).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::indicators::IndicatorKind;

pub mod csv;
mod field_path;
pub mod load;
mod model;
mod problems;
pub mod text;
pub mod validate;
pub(crate) mod yaml;

pub use problems::{KeySpans, SchemaError, SchemaErrors, Severity, Span};

/// A log schema: one log type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(transform = field_discovery_property)]
pub struct Schema {
    /// The log type name, e.g. `Zendesk.Audit` or `Custom.MyApp`: parts joined by dots, each
    /// an uppercase letter followed by at least one letter or digit.
    #[schemars(pattern(r"^[A-Z][A-Za-z0-9]+(\.[A-Z][A-Za-z0-9]+)*$"), length(min = 3))]
    pub schema: String,
    /// The parser. Omit it for JSON logs; `csv`, `regex` and `fastmatch` read lines of text;
    /// `native` is accepted and ignored, as Panther's own schemas use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parser: Option<ParserSpec>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A link to the vendor's documentation of the log.
    #[serde(
        default,
        rename = "referenceURL",
        skip_serializing_if = "Option::is_none"
    )]
    pub reference_url: Option<String>,
    /// The schema language version; Panther only knows `0`. Written to `p_schema_version`.
    #[serde(default)]
    #[schemars(range(min = 0, max = 0))]
    pub version: i64,
    /// Named value schemas that fields of type `ref` point to with `target`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub definitions: BTreeMap<String, ValueSchema>,
    /// The fields of a record, in output order.
    #[schemars(length(min = 1))]
    pub fields: Vec<Field>,
    /// Where the schema was read from (file name or `<builtin>/...`), for messages.
    #[serde(skip)]
    #[schemars(skip)]
    pub origin: Option<Arc<str>>,
    /// Position of the document in its file.
    #[serde(skip)]
    #[schemars(skip)]
    pub span: Span,
    /// Positions of the top-level keys (`schema`, `fields`, ...) and of each definition name
    /// (`definitions.<Name>`), for messages.
    #[serde(skip)]
    #[schemars(skip)]
    pub key_spans: KeySpans,
}

/// `fieldDiscoveryEnabled` in the JSON Schema of the file format: metadata of Panther's
/// upload tool, which the loader takes (`false` only) without keeping it in the model.
fn field_discovery_property(schema: &mut schemars::Schema) {
    if let Some(properties) = schema
        .get_mut("properties")
        .and_then(serde_json::Value::as_object_mut)
    {
        properties.insert(
            "fieldDiscoveryEnabled".into(),
            serde_json::json!({
                "description": "Panther's field discovery: not supported by normalog, so only `false` is taken.",
                "type": "boolean",
                "const": false
            }),
        );
    }
}

/// The `parser:` block in the JSON Schema: at most one of `csv`, `regex` and `fastmatch`
/// (the checks refuse two).
fn one_parser(schema: &mut schemars::Schema) {
    schema.insert(
        "not".into(),
        serde_json::json!({"anyOf": [
            {"required": ["csv", "regex"]},
            {"required": ["csv", "fastmatch"]},
            {"required": ["regex", "fastmatch"]},
        ]}),
    );
}

impl Schema {
    /// Reset every position (`span`, `key_spans`, `origin`) here and below, so two schemas can
    /// be compared for content alone (e.g. one read back after writing it out).
    pub fn clear_spans(&mut self) {
        self.origin = None;
        self.span = Span::default();
        self.key_spans.clear();
        for value in self.definitions.values_mut() {
            value.clear_spans();
        }
        for field in &mut self.fields {
            field.clear_spans();
        }
    }
}

impl Field {
    /// Reset every position here and below (see [`Schema::clear_spans`]).
    pub fn clear_spans(&mut self) {
        self.span = Span::default();
        self.value.clear_spans();
    }
}

/// The `parser:` block: how a record is read. Without it (or with only `native`), records
/// are JSON objects; `csv`, `regex` and `fastmatch` read lines of text (see [`text`] and
/// [`csv`] for their semantics). At most one of `csv`, `regex` and `fastmatch` is given.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = one_parser)]
pub struct ParserSpec {
    /// Panther's built-in parser for this log type (ignored by normalog).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub native: Option<NativeParser>,
    /// Text lines matched against patterns with `%{name}` placeholders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fastmatch: Option<FastmatchParser>,
    /// Text lines matched against a regular expression (RE2 syntax, grok `%{PATTERN:field}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<RegexParser>,
    /// Lines of delimiter-separated values, with quoting as in RFC 4180.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csv: Option<CsvParser>,
}

impl ParserSpec {
    /// Whether records of this schema are lines of text (not JSON objects).
    #[must_use]
    pub fn is_text(&self) -> bool {
        self.fastmatch.is_some() || self.regex.is_some() || self.csv.is_some()
    }
}

/// `parser: regex:` — each line is matched (searched, not anchored unless the pattern says
/// so with `^` and `$`) against one regular expression, the concatenation of the `match`
/// items, after grok placeholders are expanded. Named groups fill the fields of their name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
// Unknown keys are refused by the loader; serde cannot deny them beside `flatten`.
#[serde(rename_all = "camelCase")]
#[schemars(deny_unknown_fields)]
pub struct RegexParser {
    /// The pieces of the pattern, joined without separator. RE2 syntax (the `regex` crate)
    /// plus grok placeholders: `%{PATTERN:field}` captures into `field`, `%{PATTERN}` only
    /// matches; `PATTERN` is one of `patternDefinitions` or a built-in pattern.
    #[serde(rename = "match")]
    pub patterns: Vec<String>,
    /// Named patterns for grok placeholders (they may use placeholders themselves).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pattern_definitions: BTreeMap<String, String>,
    /// The first lines of each input to skip (a preamble), see [`FastmatchParser::skip_lines`].
    #[serde(default, skip_serializing_if = "is_zero")]
    pub skip_lines: u64,
    /// The shared text options.
    #[serde(flatten)]
    pub options: TextOptions,
    /// Position of the `regex` key and of its options (`match[0]`,
    /// `patternDefinitions.NAME`, `expandFields.key`, ...), for messages.
    #[serde(skip)]
    #[schemars(skip)]
    pub key_spans: KeySpans,
}

/// `parser: fastmatch:` — each line is matched against the `match` patterns in order; the
/// first that matches wins. A line starts with the text before the first placeholder; a
/// `%{name}` placeholder captures the text up to the first occurrence of the literal text
/// that follows it (the last one, with none after it: to the end of the line), and the rest
/// of the line after the last literal text is ignored. `%{}` skips text. A value between
/// quotes is read with its escapes when a backslash is ahead, as in Panther.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
// Unknown keys are refused by the loader; serde cannot deny them beside `flatten`.
#[serde(rename_all = "camelCase")]
#[schemars(deny_unknown_fields)]
pub struct FastmatchParser {
    /// The patterns, tried in order.
    #[serde(rename = "match")]
    pub patterns: Vec<String>,
    /// How many lines at the start of each input (file, stream) to skip, e.g. a preamble:
    /// the first `skipLines` lines that are not blank are consumed without an event when no
    /// other log type of the run reads them. Blank lines do not count, as in Panther, whose
    /// classifier drops them before any parser sees them; a JSON object never goes to a
    /// text parser while JSON log types are loaded.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub skip_lines: u64,
    /// The shared text options.
    #[serde(flatten)]
    pub options: TextOptions,
    /// Positions, as for [`RegexParser::key_spans`].
    #[serde(skip)]
    #[schemars(skip)]
    pub key_spans: KeySpans,
}

/// `parser: csv:` — each line is a row of values separated by `delimiter`, quoted as in
/// RFC 4180 and Go's `encoding/csv` with lazy quotes, as Panther reads them (see [`csv`]).
/// The values fill the fields named by `columns`, or by the header line of each input
/// (`hasHeader`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
// Unknown keys are refused by the loader; serde cannot deny them beside `flatten`.
#[serde(rename_all = "camelCase")]
#[schemars(deny_unknown_fields)]
pub struct CsvParser {
    /// The one character between values (not the quote nor a line end), `,` when not given
    /// or empty.
    #[serde(default = "default_delimiter")]
    pub delimiter: String,
    /// The first line of each input names the columns. It is consumed, never an event;
    /// with `columns` given too, `columns` name the values and the header is only skipped.
    #[serde(default, skip_serializing_if = "is_false")]
    pub has_header: bool,
    /// The names of the columns, in order (required without `hasHeader`). A row may have
    /// any number of values: those beyond `columns` are dropped, a missing one is empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// The shared text options.
    #[serde(flatten)]
    pub options: TextOptions,
    /// Position of the `csv` key and of its options (`delimiter`, `columns[i]`,
    /// `expandFields.key`, ...), for messages.
    #[serde(skip)]
    #[schemars(skip)]
    pub key_spans: KeySpans,
}

impl Default for CsvParser {
    fn default() -> Self {
        CsvParser {
            delimiter: default_delimiter(),
            has_header: false,
            columns: Vec::new(),
            options: TextOptions::default(),
            key_spans: KeySpans::default(),
        }
    }
}

fn default_delimiter() -> String {
    ",".into()
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Options shared by the text parsers, applied in this order after a line matched: trim
/// (`trimSpace`), drop (`emptyValues`), then add (`expandFields`). Every value is a string
/// until the fields' decoders convert it. `skipPrefix` comes first: it skips lines.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TextOptions {
    /// Lines that start with this text (comments) are skipped: consumed without an event,
    /// as in Panther, when no other log type of the run reads them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_prefix: Option<String>,
    /// Trim white space around every captured value.
    #[serde(default, skip_serializing_if = "is_false")]
    pub trim_space: bool,
    /// Captured values that mean "no value" (e.g. `-`): the field is left out (null).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub empty_values: Vec<String>,
    /// Fields built from templates over the captured values: `%{name}` is replaced by the
    /// value of `name` (empty when it has none), everything else is kept as written.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub expand_fields: BTreeMap<String, String>,
}

/// `parser: native: name: ...`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NativeParser {
    /// The name of Panther's parser.
    pub name: String,
}

/// One named field of an object (or of the record itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
// Unknown keys are refused by the loader; serde cannot deny them beside `flatten`.
#[serde(rename_all = "camelCase")]
#[schemars(deny_unknown_fields)]
pub struct Field {
    /// The JSON key, matched case-sensitively. A dot is part of the name, not a path.
    pub name: String,
    /// A missing or `null` value rejects the record. `0` and `false` are present; `""` is
    /// present for a string, and null for numbers, booleans and timestamps.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The field's type and type attributes.
    #[serde(flatten)]
    pub value: ValueSchema,
    /// Position of the field in its file.
    #[serde(skip)]
    #[schemars(skip)]
    pub span: Span,
}

/// A value's type and its attributes; `element` of an array is a bare `ValueSchema`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(deny_unknown_fields)]
pub struct ValueSchema {
    /// The value type.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// Indicator scanners run on the value; their results go to the `p_any_*` fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<IndicatorKind>,
    /// Use this timestamp as `p_event_time` (the first non-null one in schema order wins).
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_event_time: bool,
    /// How a `timestamp` is written in the input: `rfc3339`, `unix`, `unix_ms`, `unix_us`,
    /// `unix_ns`, `cloudflare`, a strftime pattern (`%Y-%m-%d %H:%M:%S`) or `layout=<Go layout>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_format: Option<String>,
    /// Several time formats, tried in order (after `timeFormat`, if both are given).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub time_formats: Vec<String>,
    /// Value checks for strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validate: Option<Validate>,
    /// The value arrives as a JSON string holding JSON (`"{\"a\":1}"`); parse it.
    #[serde(default, rename = "isEmbeddedJSON", skip_serializing_if = "is_false")]
    pub is_embedded_json: bool,
    /// The element type of an `array`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<Box<ValueSchema>>,
    /// The fields of an `object`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    /// The definition a `ref` points to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Position of the value schema in its file.
    #[serde(skip)]
    #[schemars(skip)]
    pub span: Span,
    /// Positions of the attributes written for this value (`timeFormat`, `timeFormats[1]`,
    /// `validate.allow`, ...), for messages.
    #[serde(skip)]
    #[schemars(skip)]
    pub key_spans: KeySpans,
}

impl ValueSchema {
    /// A value schema of type `ty` with no attributes.
    #[must_use]
    pub fn new(ty: FieldType) -> Self {
        ValueSchema {
            ty,
            indicators: Vec::new(),
            is_event_time: false,
            time_format: None,
            time_formats: Vec::new(),
            validate: None,
            is_embedded_json: false,
            element: None,
            fields: Vec::new(),
            target: None,
            span: Span::default(),
            key_spans: KeySpans::default(),
        }
    }

    /// Reset every position here and below (see [`Schema::clear_spans`]).
    pub fn clear_spans(&mut self) {
        self.span = Span::default();
        self.key_spans.clear();
        if let Some(element) = &mut self.element {
            element.clear_spans();
        }
        for field in &mut self.fields {
            field.clear_spans();
        }
    }
}

/// `validate:` checks on a string value. A failing value rejects the record for this log
/// type. `allow` wins when both `allow` and `deny` are given (as in Panther).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Validate {
    /// The value must be one of these (exact, case-sensitive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<String>,
    /// The value must be none of these (exact, case-sensitive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deny: Vec<String>,
    /// The value must be an IP address of this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpVersion>,
    /// The value must be a CIDR block of this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<IpVersion>,
}

/// The IP version accepted by `validate.ip` / `validate.cidr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum IpVersion {
    /// IPv4 only.
    Ipv4,
    /// IPv6 only.
    Ipv6,
    /// Either.
    Any,
}

/// A value type of the schema language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum FieldType {
    /// UTF-8 text.
    String,
    /// 32-bit signed integer.
    Int,
    /// 16-bit signed integer.
    Smallint,
    /// 64-bit signed integer.
    Bigint,
    /// 64-bit float.
    Float,
    /// `true` / `false`.
    Boolean,
    /// A point in time; needs `timeFormat` or `timeFormats`.
    Timestamp,
    /// An object with known `fields`.
    Object,
    /// An array of `element`.
    Array,
    /// Any JSON value, kept as JSON.
    Json,
    /// A named definition (`target`).
    Ref,
}

impl FieldType {
    /// Every type, in the order the documentation lists them.
    pub const ALL: [FieldType; 11] = [
        FieldType::String,
        FieldType::Int,
        FieldType::Smallint,
        FieldType::Bigint,
        FieldType::Float,
        FieldType::Boolean,
        FieldType::Timestamp,
        FieldType::Object,
        FieldType::Array,
        FieldType::Json,
        FieldType::Ref,
    ];

    /// The name as written in a schema.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Int => "int",
            FieldType::Smallint => "smallint",
            FieldType::Bigint => "bigint",
            FieldType::Float => "float",
            FieldType::Boolean => "boolean",
            FieldType::Timestamp => "timestamp",
            FieldType::Object => "object",
            FieldType::Array => "array",
            FieldType::Json => "json",
            FieldType::Ref => "ref",
        }
    }

    /// Parse a type name (exact, case-sensitive).
    #[must_use]
    pub fn from_name(s: &str) -> Option<FieldType> {
        FieldType::ALL.into_iter().find(|t| t.name() == s)
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_false(b: &bool) -> bool {
    !*b
}
