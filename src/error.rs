//! Errors: one boxed [`ErrorKind`] per error, with the position of the record it concerns.
//!
//! A record that cannot be normalized becomes an [`Error`] handed to
//! [`Sink::rejected`](crate::sink::Sink::rejected); the batch goes on. [`Error::is_record_error`]
//! tells such per-record errors apart from fatal ones (I/O, schema, sink).

use std::fmt;
use std::io;
use std::sync::Arc;

use crate::schema::{FieldType, SchemaErrors};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where a record starts in its input. `byte` and `record` are 0-based, `line` is 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Position {
    /// Byte offset of the record's first byte in the (decompressed) input.
    pub byte: u64,
    /// 1-based line number of the record's first line.
    pub line: u64,
    /// 0-based index of the record in the input (or in its API page).
    pub record: u64,
}

impl Position {
    /// A position.
    #[must_use]
    pub fn new(byte: u64, line: u64, record: u64) -> Self {
        Position { byte, line, record }
    }

    /// Byte offset of the record's first byte.
    #[must_use]
    pub fn byte(&self) -> u64 {
        self.byte
    }

    /// 1-based line number.
    #[must_use]
    pub fn line(&self) -> u64 {
        self.line
    }

    /// 0-based record index.
    #[must_use]
    pub fn record(&self) -> u64 {
        self.record
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "record {} (line {}, byte {})",
            self.record, self.line, self.byte
        )
    }
}

/// A path to a value inside a record: `actor.emails[2]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldPath(pub Vec<PathSegment>);

/// One step of a [`FieldPath`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    /// An object key.
    Key(Arc<str>),
    /// An array index.
    Index(usize),
}

impl FieldPath {
    /// Prepend a segment (errors are built while unwinding, innermost first).
    pub(crate) fn push_front(&mut self, seg: PathSegment) {
        self.0.insert(0, seg);
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                PathSegment::Key(k) if i == 0 => f.write_str(k)?,
                PathSegment::Key(k) => write!(f, ".{k}")?,
                PathSegment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// The JSON type of an input value, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl fmt::Display for JsonType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JsonType::Null => "null",
            JsonType::Bool => "a boolean",
            JsonType::Number => "a number",
            JsonType::String => "a string",
            JsonType::Array => "an array",
            JsonType::Object => "an object",
        })
    }
}

/// Why a value could not be decoded into its field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueProblem {
    /// The JSON type cannot become the field's type.
    WrongType {
        /// The schema type.
        expected: FieldType,
        /// What the input held.
        found: JsonType,
    },
    /// A float where an integer is required.
    NotAnInteger,
    /// An integer or float outside the type's range.
    OutOfRange,
    /// A string that does not parse as the field's type.
    BadText {
        /// The schema type.
        expected: FieldType,
    },
    /// A timestamp that matches none of the field's time formats.
    BadTime {
        /// The formats tried, as written in the schema.
        formats: Arc<str>,
    },
    /// A value rejected by `validate.allow` / `validate.deny`.
    NotAllowed,
    /// A value rejected by `validate.ip` / `validate.cidr`.
    NotIp {
        /// `"IP address"` or `"CIDR block"` (with version).
        what: &'static str,
    },
    /// `isEmbeddedJSON` value that is not valid JSON.
    BadEmbeddedJson,
    /// Nesting deeper than the limit.
    TooDeep,
}

impl fmt::Display for ValueProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueProblem::WrongType { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            ValueProblem::NotAnInteger => f.write_str("expected an integer, found a float"),
            ValueProblem::OutOfRange => f.write_str("number out of range for its type"),
            ValueProblem::BadText { expected } => {
                write!(f, "string is not a valid {expected}")
            }
            ValueProblem::BadTime { formats } => {
                write!(f, "timestamp does not match time format {formats}")
            }
            ValueProblem::NotAllowed => f.write_str("value not allowed by validate"),
            ValueProblem::NotIp { what } => write!(f, "value is not a valid {what}"),
            ValueProblem::BadEmbeddedJson => {
                f.write_str("isEmbeddedJSON value is not a JSON string holding valid JSON")
            }
            ValueProblem::TooDeep => f.write_str("value nested too deeply"),
        }
    }
}

/// A rejected record for one candidate log type (classification keeps one per candidate).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// A required field is missing or null.
    MissingField(FieldPath),
    /// A required number, boolean or timestamp field holds `""`, which is null for those
    /// types, so `required` fails as for a missing value (a required string may be `""`).
    EmptyRequired {
        /// Where.
        field: FieldPath,
        /// The field's type.
        expected: FieldType,
    },
    /// A value could not be decoded.
    BadValue {
        /// Where.
        field: FieldPath,
        /// What.
        problem: ValueProblem,
        /// The offending value, shortened for messages.
        value: Option<Box<str>>,
    },
    /// The record is valid JSON but not an object.
    NotAnObject(JsonType),
    /// The record is not JSON (a line of text), and the log type reads JSON.
    NotJson,
    /// The record is a JSON object, and the log type reads text (`parser: regex` or
    /// `fastmatch`): a text parser never claims a JSON object.
    JsonObject,
    /// The line is not UTF-8, and the log type reads text.
    NotUtf8,
    /// The line matches none of the log type's patterns.
    NoMatch {
        /// The `match` items tried, as written in the schema.
        patterns: Arc<[Box<str>]>,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::MissingField(p) => write!(f, "missing required field \"{p}\""),
            Refusal::EmptyRequired { field, expected } => write!(
                f,
                "missing required field \"{field}\": the value is \"\", which is null for {} {expected}",
                if *expected == FieldType::Int { "an" } else { "a" }
            ),
            Refusal::BadValue {
                field,
                problem,
                value,
            } => {
                write!(f, "field \"{field}\": {problem}")?;
                if let Some(v) = value {
                    write!(f, ": {v}")?;
                }
                Ok(())
            }
            Refusal::NotAnObject(t) => write!(f, "record is {t}, not a JSON object"),
            Refusal::NotJson => f.write_str("record is not a JSON object"),
            Refusal::JsonObject => {
                f.write_str("record is a JSON object, and this log type reads text")
            }
            Refusal::NotUtf8 => f.write_str("line is not UTF-8 text"),
            Refusal::NoMatch { patterns } => {
                f.write_str("line matches no pattern (tried ")?;
                for (i, p) in patterns.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write_shortened(f, p)?;
                }
                f.write_str(")")
            }
        }
    }
}

/// A pattern quoted as JSON, cut after 60 characters (with `...`).
fn write_shortened(f: &mut fmt::Formatter<'_>, pattern: &str) -> fmt::Result {
    const MAX: usize = 60;
    match pattern.char_indices().nth(MAX) {
        Some((cut, _)) => write!(f, "{:?}...", &pattern[..cut]),
        None => write!(f, "{pattern:?}"),
    }
}

impl Refusal {
    /// The field the refusal is about, when it is about one (not for a record that is not an
    /// object).
    #[must_use]
    pub fn field(&self) -> Option<&FieldPath> {
        match self {
            Refusal::MissingField(field)
            | Refusal::EmptyRequired { field, .. }
            | Refusal::BadValue { field, .. } => Some(field),
            Refusal::NotAnObject(_)
            | Refusal::NotJson
            | Refusal::JsonObject
            | Refusal::NotUtf8
            | Refusal::NoMatch { .. } => None,
        }
    }

    /// A short, stable label for statistics (`missing_field`, `wrong_type`, ...).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            // Counted with missing values: `""` is null for these types.
            Refusal::MissingField(_) | Refusal::EmptyRequired { .. } => "missing_field",
            Refusal::NotAnObject(_) | Refusal::NotJson => "not_an_object",
            Refusal::JsonObject => "json_object",
            Refusal::NotUtf8 => "not_utf8",
            Refusal::NoMatch { .. } => "no_match",
            Refusal::BadValue { problem, .. } => match problem {
                ValueProblem::WrongType { .. } => "wrong_type",
                ValueProblem::NotAnInteger => "not_an_integer",
                ValueProblem::OutOfRange => "out_of_range",
                ValueProblem::BadText { .. } => "bad_text",
                ValueProblem::BadTime { .. } => "bad_time",
                ValueProblem::NotAllowed => "not_allowed",
                ValueProblem::NotIp { .. } => "not_ip",
                ValueProblem::BadEmbeddedJson => "bad_embedded_json",
                ValueProblem::TooDeep => "too_deep",
            },
        }
    }
}

/// The error type of this crate.
pub struct Error(Box<ErrorKind>);

/// What went wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading input or writing output failed.
    Io(io::Error),
    /// The record is not valid JSON.
    Json {
        /// The record.
        pos: Position,
        /// Byte offset of the problem within the record (0-based).
        offset: usize,
        /// What simd-json reported, in words.
        message: std::borrow::Cow<'static, str>,
    },
    /// The record is valid JSON but the (only) log type refused it.
    Rejected {
        /// The record.
        pos: Position,
        /// The log type.
        log_type: Arc<str>,
        /// Why.
        refusal: Refusal,
    },
    /// No candidate log type accepted the record; one refusal per candidate.
    Unclassified {
        /// The record.
        pos: Position,
        /// `(log type, why it refused)` for every candidate, in the order tried.
        refusals: Vec<(Arc<str>, Refusal)>,
    },
    /// With an envelope field set (`--envelope`): an object that does not hold that field as
    /// an array of records, and that no log type accepted as a record either.
    NotAPage {
        /// The envelope field.
        field: Arc<str>,
        /// Why the object was refused as a record.
        record: Error,
    },
    /// A record longer than the configured maximum.
    TooLong {
        /// The record.
        pos: Position,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A log type that is not loaded.
    UnknownLogType(String),
    /// One or more schemas are invalid.
    Schema(SchemaErrors),
    /// A sink failed.
    Sink(Box<dyn std::error::Error + Send + Sync>),
}

/// Broad class of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// The record is not valid JSON.
    Syntax,
    /// Valid JSON that the schema refuses.
    Data,
    /// A record over a size limit.
    Limit,
    /// I/O.
    Io,
    /// Configuration: schemas, log types.
    Config,
    /// The output sink.
    Sink,
}

impl Error {
    /// The kind.
    #[must_use]
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// Unwrap into the kind.
    #[must_use]
    pub fn into_kind(self) -> ErrorKind {
        *self.0
    }

    /// The record the error concerns, if it concerns one.
    #[must_use]
    pub fn position(&self) -> Option<&Position> {
        match &*self.0 {
            ErrorKind::Json { pos, .. }
            | ErrorKind::Rejected { pos, .. }
            | ErrorKind::Unclassified { pos, .. }
            | ErrorKind::TooLong { pos, .. } => Some(pos),
            ErrorKind::NotAPage { record, .. } => record.position(),
            _ => None,
        }
    }

    /// The broad class.
    #[must_use]
    pub fn classify(&self) -> Category {
        match &*self.0 {
            ErrorKind::Json { .. } => Category::Syntax,
            ErrorKind::Rejected { .. }
            | ErrorKind::Unclassified { .. }
            | ErrorKind::NotAPage { .. } => Category::Data,
            ErrorKind::TooLong { .. } => Category::Limit,
            ErrorKind::Io(_) => Category::Io,
            ErrorKind::UnknownLogType(_) | ErrorKind::Schema(_) => Category::Config,
            ErrorKind::Sink(_) => Category::Sink,
        }
    }

    /// True for errors about one record: skip it and go on with the next.
    #[must_use]
    pub fn is_record_error(&self) -> bool {
        matches!(
            self.classify(),
            Category::Syntax | Category::Data | Category::Limit
        )
    }

    /// A short, stable label for statistics: `invalid_json`, `missing_field`, `unclassified`,
    /// `not_a_page`...
    #[must_use]
    pub fn code(&self) -> &'static str {
        match &*self.0 {
            ErrorKind::Json { .. } => "invalid_json",
            ErrorKind::Rejected { refusal, .. } => refusal.code(),
            ErrorKind::Unclassified { .. } => "unclassified",
            ErrorKind::NotAPage { .. } => "not_a_page",
            ErrorKind::TooLong { .. } => "too_long",
            ErrorKind::Io(_) => "io",
            ErrorKind::UnknownLogType(_) => "unknown_log_type",
            ErrorKind::Schema(_) => "schema",
            ErrorKind::Sink(_) => "sink",
        }
    }

    /// The message without the position prefix (what `--rejects` writes as `error`).
    #[must_use]
    pub fn reason(&self) -> String {
        Reason(self).to_string()
    }

    /// The log type that refused the record, when only one was tried.
    #[must_use]
    pub fn log_type(&self) -> Option<&str> {
        match &*self.0 {
            ErrorKind::Rejected { log_type, .. } => Some(log_type),
            ErrorKind::NotAPage { record, .. } => record.log_type(),
            _ => None,
        }
    }

    /// A copy of this error with `shift` added to the record index of its position, for a
    /// record error counted from a later start (a chunk's record indexes made
    /// input-relative); a `shift` of 0 is a plain copy.
    ///
    /// Record errors hold only cloneable data, so their copy is exact. The other kinds have
    /// no position and never reach this: the normalizer hands a sink's `rejected` record
    /// errors only, and the pipeline shifts only those. They are still copied as faithfully
    /// as their contents allow, so a new kind must be handled here, not fall into another.
    pub(crate) fn with_record_offset(&self, shift: u64) -> Error {
        let at = |pos: &Position| Position::new(pos.byte, pos.line, pos.record + shift);
        Error::new(match &*self.0 {
            ErrorKind::Json {
                pos,
                offset,
                message,
            } => ErrorKind::Json {
                pos: at(pos),
                offset: *offset,
                message: message.clone(),
            },
            ErrorKind::Rejected {
                pos,
                log_type,
                refusal,
            } => ErrorKind::Rejected {
                pos: at(pos),
                log_type: log_type.clone(),
                refusal: refusal.clone(),
            },
            ErrorKind::Unclassified { pos, refusals } => ErrorKind::Unclassified {
                pos: at(pos),
                refusals: refusals.clone(),
            },
            ErrorKind::NotAPage { field, record } => ErrorKind::NotAPage {
                field: field.clone(),
                record: record.with_record_offset(shift),
            },
            ErrorKind::TooLong { pos, len, max } => ErrorKind::TooLong {
                pos: at(pos),
                len: *len,
                max: *max,
            },
            // `io::Error` is not `Clone`: keep its kind and message (its source is lost).
            ErrorKind::Io(e) => ErrorKind::Io(io::Error::new(e.kind(), e.to_string())),
            ErrorKind::UnknownLogType(t) => ErrorKind::UnknownLogType(t.clone()),
            ErrorKind::Schema(e) => ErrorKind::Schema(e.clone()),
            // A sink's error can be of any type: keep its message.
            ErrorKind::Sink(e) => ErrorKind::Sink(e.to_string().into()),
        })
    }

    pub(crate) fn new(kind: ErrorKind) -> Error {
        Error(Box::new(kind))
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn json(pos: Position, err: &simd_json::Error, original: Option<&[u8]>) -> Error {
        // simd-json's offsets and kinds are coarse (a truncated record is a "syntax error"
        // at its start); when the untouched record is at hand, serde_json describes the
        // problem and its column precisely. Only rejected records pay for this.
        if let Some(e) = original.and_then(|raw| {
            serde_json::from_slice::<serde_json::Value>(raw)
                .err()
                .map(|e| (e, raw))
        }) {
            let (e, raw) = e;
            if e.line() > 0 {
                let offset = line_offset(raw, e.line(), e.column());
                let text = e.to_string();
                let message = match text.rfind(" at line ") {
                    Some(i) => text[..i].to_string(),
                    None => text,
                };
                return Error::new(ErrorKind::Json {
                    pos,
                    offset,
                    message: message.into(),
                });
            }
        }
        Error::new(ErrorKind::Json {
            pos,
            offset: err.index(),
            message: json_message(err.error()),
        })
    }
}

struct Reason<'a>(&'a Error);

impl fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 .0 {
            ErrorKind::Io(e) => write!(f, "{e}"),
            ErrorKind::Json { message, .. } => write!(f, "invalid JSON: {message}"),
            ErrorKind::Rejected {
                log_type, refusal, ..
            } => write!(f, "{log_type}: {refusal}"),
            ErrorKind::Unclassified { refusals, .. } => {
                f.write_str("no log type accepted the record")?;
                for (i, (lt, r)) in refusals.iter().enumerate() {
                    f.write_str(if i == 0 { ": " } else { "; " })?;
                    write!(f, "{lt}: {r}")?;
                }
                Ok(())
            }
            ErrorKind::NotAPage { field, record } => write!(
                f,
                "not an envelope: no \"{field}\" field holding records (--envelope); as a record: {}",
                Reason(record)
            ),
            ErrorKind::TooLong { len, max, .. } => {
                write!(f, "record of {len} bytes is longer than the limit of {max}")
            }
            ErrorKind::UnknownLogType(t) => write!(f, "unknown log type \"{t}\""),
            ErrorKind::Schema(e) => write!(f, "{e}"),
            ErrorKind::Sink(e) => write!(f, "output: {e}"),
        }
    }
}

/// Byte offset in `raw` of `serde_json`'s 1-based `line`/`column` (column counts bytes).
fn line_offset(raw: &[u8], line: usize, column: usize) -> usize {
    let start: usize = raw
        .split(|&b| b == b'\n')
        .take(line.saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum();
    (start + column).saturating_sub(1).min(raw.len())
}

/// simd-json's `ErrorType` has only a `Debug` rendering; give the common ones words.
fn json_message(err: &simd_json::ErrorType) -> std::borrow::Cow<'static, str> {
    use simd_json::ErrorType as E;
    match err {
        E::Eof => "unexpected end of input".into(),
        E::InvalidUtf8 => "invalid UTF-8".into(),
        E::TrailingData => "trailing characters after the JSON value".into(),
        E::ExpectedObjectKey | E::ExpectedObjectColon => "expected an object key".into(),
        E::ExpectedObjectContent | E::ExpectedArrayContent => "expected a value".into(),
        E::InvalidNumber => "invalid number".into(),
        E::InvalidEscape | E::InvalidUnicodeEscape | E::InvalidUnicodeCodepoint => {
            "invalid string escape".into()
        }
        E::UnexpectedCharacter => "unexpected character".into(),
        E::Syntax => "syntax error".into(),
        E::DepthLimitExceeded => "nesting too deep".into(),
        E::InvalidExponent => "invalid number exponent".into(),
        other => {
            let s = format!("{other:?}");
            // CamelCase to words: "UnterminatedString" -> "unterminated string".
            let mut out = String::with_capacity(s.len() + 4);
            for (i, c) in s.chars().enumerate() {
                if c.is_ascii_uppercase() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push(c.to_ascii_lowercase());
                } else {
                    out.push(c);
                }
            }
            out.into()
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            ErrorKind::Json { pos, offset, .. } => write!(
                f,
                "record {} (line {}, byte {}, column {}): {}",
                pos.record,
                pos.line,
                pos.byte,
                offset + 1,
                Reason(self)
            ),
            ErrorKind::Rejected { pos, .. }
            | ErrorKind::Unclassified { pos, .. }
            | ErrorKind::TooLong { pos, .. } => write!(f, "{pos}: {}", Reason(self)),
            ErrorKind::NotAPage { record, .. } => match record.position() {
                Some(pos) => write!(f, "{pos}: {}", Reason(self)),
                None => write!(f, "{}", Reason(self)),
            },
            _ => write!(f, "{}", Reason(self)),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.0 {
            ErrorKind::Io(e) => Some(e),
            ErrorKind::Schema(e) => Some(e),
            ErrorKind::Sink(e) => Some(&**e),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Error {
        Error::new(ErrorKind::Io(e))
    }
}

impl From<SchemaErrors> for Error {
    fn from(e: SchemaErrors) -> Error {
        Error::new(ErrorKind::Schema(e))
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> io::Error {
        match e.into_kind() {
            ErrorKind::Io(e) => e,
            kind => io::Error::other(Error::new(kind)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{SchemaError, Span};

    fn refusal() -> Refusal {
        Refusal::MissingField(FieldPath(vec![PathSegment::Key("eventTime".into())]))
    }

    /// Every kind, with positions at record 2.
    fn every_kind() -> Vec<Error> {
        let pos = Position::new(100, 7, 2);
        let rejected = || {
            Error::new(ErrorKind::Rejected {
                pos,
                log_type: "Zoom.Activity".into(),
                refusal: refusal(),
            })
        };
        vec![
            Error::new(ErrorKind::Json {
                pos,
                offset: 4,
                message: "expected a value".into(),
            }),
            rejected(),
            Error::new(ErrorKind::Unclassified {
                pos,
                refusals: vec![("Zoom.Activity".into(), refusal())],
            }),
            Error::new(ErrorKind::NotAPage {
                field: "audit_logs".into(),
                record: rejected(),
            }),
            Error::new(ErrorKind::TooLong {
                pos,
                len: 20,
                max: 10,
            }),
            Error::from(io::Error::new(io::ErrorKind::UnexpectedEof, "cut short")),
            Error::new(ErrorKind::UnknownLogType("Nope.Log".into())),
            Error::from(SchemaErrors(vec![SchemaError {
                origin: Some("a.yml".into()),
                span: Span::default(),
                message: "bad".into(),
                hint: None,
            }])),
            Error::new(ErrorKind::Sink("disk full".into())),
        ]
    }

    #[test]
    fn with_record_offset_shifts_record_errors_and_keeps_every_kind() {
        for err in every_kind() {
            let copy = err.with_record_offset(40);
            assert_eq!(copy.code(), err.code(), "{err:?}");
            assert_eq!(copy.classify(), err.classify(), "{err:?}");
            assert_eq!(copy.reason(), err.reason(), "{err:?}");
            assert_eq!(copy.log_type(), err.log_type(), "{err:?}");
            if err.position().is_some() {
                assert!(err.is_record_error());
                assert_eq!(copy.position(), Some(&Position::new(100, 7, 42)));
                assert_eq!(
                    copy.to_string(),
                    err.to_string().replacen("record 2 ", "record 42 ", 1)
                );
            } else {
                assert!(!err.is_record_error());
                assert_eq!(copy.position(), None);
                assert_eq!(copy.to_string(), err.to_string());
            }
            assert_eq!(err.with_record_offset(0).to_string(), err.to_string());
        }
        let io = Error::from(io::Error::new(io::ErrorKind::UnexpectedEof, "cut short"));
        match io.with_record_offset(1).into_kind() {
            ErrorKind::Io(e) => assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof),
            other => panic!("not an I/O error: {other:?}"),
        }
    }
}
