//! Errors: one boxed [`ErrorKind`] per error, with the position of the record it concerns.
//!
//! A record that cannot be normalized becomes an [`Error`] handed to
//! [`Sink::rejected_record`](crate::sink::Sink::rejected_record) (with the record's bytes;
//! its default hands the error alone to [`Sink::rejected`](crate::sink::Sink::rejected));
//! the batch goes on. [`Error::is_record_error`]
//! tells such per-record errors apart from fatal ones (I/O, schema, sink).

use std::fmt;
use std::io;
use std::sync::Arc;

use crate::schema::SchemaErrors;

mod json;
mod refusal;
mod unknown;
pub use refusal::{FieldPath, JsonType, PathSegment, Refusal, ValueProblem};
pub use unknown::UnknownLogType;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where a record starts in its input. `byte` and `record` are 0-based, `line` is 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Position {
    /// Byte offset of the record's first byte in the (decompressed) input.
    pub byte: u64,
    /// 1-based line number of the record's first line; 0 when not known
    /// (`Position::default()`), which is fine for JSON records.
    ///
    /// Text log types read it: line 1 starts an input, so a CSV header is looked for there
    /// (`hasHeader`) and `skipLines` counts records from it ([`record`](Self::record)). Give
    /// them the real line numbers of an input (1, 2, 3, ...; a later part of the same file
    /// goes on counting), or use
    /// [`StreamNormalizer`](crate::StreamNormalizer) or
    /// [`pipeline::normalize_reader`](crate::pipeline::normalize_reader), which count them.
    pub line: u64,
    /// 0-based index of the record in the input (or in its API page), counting every line
    /// but blank ones: a line a text log type skips (a CSV header, a comment) takes one.
    /// `skipLines` skips records 0 to `skipLines - 1` of an input read from line 1.
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

/// The error type of this crate.
pub struct Error(Box<ErrorKind>);

/// The refusals an [`ErrorKind::Unclassified`] keeps: those of the first candidates tried.
pub const MAX_REFUSALS: usize = 10;

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
    /// No candidate log type accepted the record; one refusal per candidate, for the first
    /// [`MAX_REFUSALS`] candidates.
    Unclassified {
        /// The record.
        pos: Position,
        /// `(log type, why it refused)` for the first [`MAX_REFUSALS`] candidates, in the
        /// order tried.
        refusals: Vec<(Arc<str>, Refusal)>,
        /// How many more candidates refused it (their refusals are not kept: with hundreds
        /// of log types loaded, every reject held them all, 53 KB of text for a 3-byte
        /// line, and a run of such lines took gigabytes).
        more: usize,
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
    /// Not a problem: a line a text log type consumes without an event (a CSV header, one
    /// of the first `skipLines` lines of an input, a `skipPrefix` comment). Only
    /// [`Normalizer::normalize`](crate::Normalizer::normalize) returns it; the entry points
    /// that hand results to a sink pass such lines by, as they do blank lines.
    Skipped {
        /// The line.
        pos: Position,
        /// The log type that consumed it.
        log_type: Arc<str>,
    },
    /// A log type that is not loaded: its name, the loaded ones, and the one it most
    /// likely means ([`UnknownLogType::suggestion`]).
    UnknownLogType(UnknownLogType),
    /// The registry holds no log type: there is nothing to normalize with.
    NoLogTypes,
    /// One or more schemas are invalid.
    Schema(SchemaErrors),
    /// A sink failed.
    Sink(Box<dyn std::error::Error + Send + Sync>),
    /// The run was cancelled through its cancellation flag
    /// ([`Batch::cancel_on`](crate::pipeline::Batch::cancel_on)): nothing was committed.
    Cancelled,
}

/// Broad class of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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
    /// The run was cancelled.
    Cancelled,
    /// Not an error: a line consumed without an event ([`ErrorKind::Skipped`]).
    Skipped,
}

impl ErrorKind {
    /// No candidate accepted the record at `pos`: the first [`MAX_REFUSALS`] `refusals` are
    /// kept, the others counted.
    pub(crate) fn unclassified(pos: Position, mut refusals: Vec<(Arc<str>, Refusal)>) -> Self {
        let more = refusals.len().saturating_sub(MAX_REFUSALS);
        refusals.truncate(MAX_REFUSALS);
        ErrorKind::Unclassified {
            pos,
            refusals,
            more,
        }
    }
}

impl Error {
    /// The reject of a record of `len` bytes over the limit `max` (out of the hot path).
    #[cold]
    #[inline(never)]
    pub(crate) fn too_long(pos: Position, len: usize, max: usize) -> Error {
        Error::new(ErrorKind::TooLong { pos, len, max })
    }

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
            | ErrorKind::TooLong { pos, .. }
            | ErrorKind::Skipped { pos, .. } => Some(pos),
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
            ErrorKind::UnknownLogType(_) | ErrorKind::NoLogTypes | ErrorKind::Schema(_) => {
                Category::Config
            }
            ErrorKind::Sink(_) => Category::Sink,
            ErrorKind::Cancelled => Category::Cancelled,
            ErrorKind::Skipped { .. } => Category::Skipped,
        }
    }

    /// True for errors about one record: skip it and go on with the next. That includes a
    /// line skipped on purpose (a CSV header, [`Category::Skipped`]), which is not a reject:
    /// to count rejects, leave out that category ([`Error::classify`]).
    #[must_use]
    pub fn is_record_error(&self) -> bool {
        matches!(
            self.classify(),
            Category::Syntax | Category::Data | Category::Limit | Category::Skipped
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
            ErrorKind::NoLogTypes => "no_log_types",
            ErrorKind::Schema(_) => "schema",
            ErrorKind::Sink(_) => "sink",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Skipped { .. } => "skipped",
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
            ErrorKind::Rejected { log_type, .. } | ErrorKind::Skipped { log_type, .. } => {
                Some(log_type)
            }
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
            ErrorKind::Unclassified {
                pos,
                refusals,
                more,
            } => ErrorKind::Unclassified {
                pos: at(pos),
                refusals: refusals.clone(),
                more: *more,
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
            ErrorKind::Skipped { pos, log_type } => ErrorKind::Skipped {
                pos: at(pos),
                log_type: log_type.clone(),
            },
            // `io::Error` is not `Clone`: keep its kind and message (its source is lost).
            ErrorKind::Io(e) => ErrorKind::Io(io::Error::new(e.kind(), e.to_string())),
            ErrorKind::UnknownLogType(t) => ErrorKind::UnknownLogType(t.clone()),
            ErrorKind::NoLogTypes => ErrorKind::NoLogTypes,
            ErrorKind::Schema(e) => ErrorKind::Schema(e.clone()),
            // A sink's error can be of any type: keep its message.
            ErrorKind::Sink(e) => ErrorKind::Sink(e.to_string().into()),
            ErrorKind::Cancelled => ErrorKind::Cancelled,
        })
    }

    /// [`with_record_offset`](Self::with_record_offset) in place, without a copy: the
    /// ordered writer numbers every reject of a chunk in its input this way.
    pub(crate) fn shift_record(&mut self, shift: u64) {
        match &mut *self.0 {
            ErrorKind::Json { pos, .. }
            | ErrorKind::Rejected { pos, .. }
            | ErrorKind::Unclassified { pos, .. }
            | ErrorKind::TooLong { pos, .. }
            | ErrorKind::Skipped { pos, .. } => pos.record += shift,
            ErrorKind::NotAPage { record, .. } => record.shift_record(shift),
            ErrorKind::Io(_)
            | ErrorKind::UnknownLogType(_)
            | ErrorKind::NoLogTypes
            | ErrorKind::Schema(_)
            | ErrorKind::Sink(_)
            | ErrorKind::Cancelled => {}
        }
    }

    pub(crate) fn new(kind: ErrorKind) -> Error {
        Error(Box::new(kind))
    }

    /// A sink's own failure ([`ErrorKind::Sink`], code `sink`): for a [`Sink`](crate::Sink)
    /// whose `Error` is this type and whose output failed (a producer that cannot send, a
    /// table that refuses a batch), told apart from input I/O.
    ///
    /// ```
    /// let e = normalog::Error::sink("the broker refused the batch");
    /// assert_eq!(e.code(), "sink");
    /// assert_eq!(e.to_string(), "output: the broker refused the batch");
    /// ```
    #[cold]
    #[must_use]
    pub fn sink(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Error {
        Error::new(ErrorKind::Sink(e.into()))
    }

    /// The error of a cancelled run.
    #[cold]
    #[must_use]
    pub fn cancelled() -> Error {
        Error::new(ErrorKind::Cancelled)
    }

    /// True when the run was cancelled ([`ErrorKind::Cancelled`]).
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        matches!(*self.0, ErrorKind::Cancelled)
    }
}

struct Reason<'a>(&'a Error);

impl fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 .0 {
            ErrorKind::Io(e) => write!(f, "{e}"),
            ErrorKind::Json { message, .. } => write!(f, "invalid JSON: {message}"),
            ErrorKind::Rejected {
                log_type,
                refusal,
                pos,
            } => {
                write!(f, "{log_type}: {refusal}")?;
                // Only a record at a known line is a header: a caller that passes
                // `Position::default()` saw its header itself refused as "no header".
                let no_header = matches!(refusal, Refusal::NoHeader { line: None });
                if pos.line == 0 && (no_header || matches!(refusal, Refusal::HeaderNotGiven)) {
                    f.write_str(
                        "; this record's line is 0 (not known), and only a record at a known \
                         line can be a header: number the lines of each input from 1",
                    )?;
                    // `HeaderNotGiven` says it already.
                    if no_header {
                        f.write_str(" (or give the input's first lines to `start_input`)")?;
                    }
                }
                Ok(())
            }
            ErrorKind::Unclassified { refusals, more, .. } => {
                f.write_str("no log type accepted the record")?;
                for (i, (lt, r)) in refusals.iter().enumerate() {
                    f.write_str(if i == 0 { ": " } else { "; " })?;
                    write!(f, "{lt}: {r}")?;
                }
                match more {
                    0 => Ok(()),
                    1 => f.write_str("; and 1 more log type"),
                    n => write!(f, "; and {n} more log types"),
                }
            }
            ErrorKind::NotAPage { field, record } => write!(
                f,
                "not an envelope: no \"{field}\" field holding records (the envelope field \
                 asked for); as a record: {}",
                Reason(record)
            ),
            ErrorKind::TooLong { len, max, .. } => {
                write!(f, "record of {len} bytes is longer than the limit of {max}")
            }
            ErrorKind::UnknownLogType(e) => write!(f, "{e}"),
            ErrorKind::NoLogTypes => f.write_str(
                "no log type is loaded: add schemas to the registry, or start from the \
                 built-in ones (Registry::builtin)",
            ),
            ErrorKind::Schema(e) => write!(f, "{e}"),
            ErrorKind::Sink(e) => write!(f, "output: {e}"),
            ErrorKind::Cancelled => f.write_str("cancelled: nothing was committed"),
            ErrorKind::Skipped { log_type, .. } => {
                write!(
                    f,
                    "{log_type}: line skipped (a header, skipLines or skipPrefix)"
                )
            }
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
            | ErrorKind::TooLong { pos, .. }
            | ErrorKind::Skipped { pos, .. } => write!(f, "{pos}: {}", Reason(self)),
            ErrorKind::NotAPage { record, .. } => match record.position() {
                Some(pos) => write!(f, "{pos}: {}", Reason(self)),
                None => write!(f, "{}", Reason(self)),
            },
            _ => write!(f, "{}", Reason(self)),
        }
    }
}

/// A copy: exact for record errors (what a sink's `rejected_record` is lent), which hold
/// only cloneable data, so that a dead-letter sink can keep the error itself, with its code,
/// position and refusals; an I/O or sink error keeps its kind and message (`io::Error` and
/// a sink's own error are not `Clone`).
impl Clone for Error {
    fn clone(&self) -> Error {
        self.with_record_offset(0)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// The source is that of the error wrapped ([`ErrorKind::Io`], [`ErrorKind::Schema`],
/// [`ErrorKind::Sink`]), not the error itself: the message already says what it says, and a
/// report that walks the chain (anyhow's `{:#}`, `tracing`) printed it twice (review
/// finding). The wrapped error is [`Error::kind`]'s.
impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.0 {
            ErrorKind::Io(e) => e.source(),
            ErrorKind::Schema(e) => e.source(),
            ErrorKind::Sink(e) => e.source(),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Error {
        Error::new(ErrorKind::Io(e))
    }
}

impl From<UnknownLogType> for Error {
    fn from(e: UnknownLogType) -> Error {
        Error::new(ErrorKind::UnknownLogType(e))
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
    use crate::schema::{SchemaError, Severity, Span};

    fn refusal() -> Refusal {
        Refusal::MissingField(FieldPath(vec![PathSegment::Key("eventTime".into())]))
    }

    /// A log type of many patterns names the first three in its refusal, and how many more.
    #[test]
    fn no_match_names_a_few_patterns() {
        let patterns = |n: usize| -> Arc<[Box<str>]> {
            (0..n)
                .map(|i| format!("p{i} %{{a}}").into_boxed_str())
                .collect()
        };
        let shown = |n| {
            Refusal::NoMatch {
                patterns: patterns(n),
            }
            .to_string()
        };
        assert_eq!(
            shown(200),
            "line matches no pattern (tried \"p0 %{a}\", \"p1 %{a}\", \"p2 %{a}\" and 197 more)"
        );
        assert_eq!(
            shown(2),
            "line matches no pattern (tried \"p0 %{a}\", \"p1 %{a}\")"
        );
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
                more: 0,
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
            Error::from(UnknownLogType::new("Zoom.activity", ["Zoom.Activity"])),
            Error::from(SchemaErrors(vec![SchemaError {
                severity: Severity::Error,
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
