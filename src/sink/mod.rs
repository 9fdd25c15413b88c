//! Where normalized events go: the [`Sink`] trait and its implementations.
//!
//! A normalizer pushes each event (or reject) into a sink; the event borrows the input only
//! for the duration of [`Sink::record`]. [`ndjson::NdjsonWriter`] writes one JSON object per
//! line; [`ndjson_dir::NdjsonDirWriter`] and [`parquet::ParquetWriter`] write one table per log
//! type in a partitioned directory ([`layout`]); [`arrow::RecordBatchBuilder`] turns events
//! into Arrow record batches; [`Collect`] keeps owned JSON text (handy in tests and small
//! tools).

#[cfg(feature = "parquet")]
pub mod arrow;
mod collect;
pub mod compact;
pub mod layout;
pub mod ndjson;
pub mod ndjson_dir;
mod parallel;
#[cfg(feature = "parquet")]
pub mod parquet;

pub use collect::{Collect, Discard};
/// The arrow-rs crates of [`arrow::RecordBatchBuilder`]'s batches and schemas, as this
/// crate was built with them: use these rather than another version of your own.
#[cfg(feature = "parquet")]
pub use {arrow_array, arrow_schema};

use std::collections::BTreeMap;

use crate::error::Error;
use crate::event::Event;

/// Receives normalized events and rejected records.
///
/// Every record ends as one call: [`record`](Sink::record) with its event, or
/// [`rejected_record`](Sink::rejected_record) with its error and its raw bytes (a line that a
/// text log type consumes on purpose, such as a CSV header, is neither, and neither is a
/// blank line). A sink that keeps rejects, say for a dead-letter queue, implements
/// `rejected_record`; one that implements only [`rejected`](Sink::rejected) gets the error
/// alone, and a sink that implements neither drops rejects:
///
/// ```
/// use normalog::{Error, Event, NormalizerBuilder, Position, Registry, Sink};
///
/// #[derive(Default)]
/// struct DeadLetters {
///     events: usize,
///     rejects: Vec<(String, Vec<u8>)>,
/// }
///
/// impl Sink for DeadLetters {
///     type Error = Error;
///     fn record(&mut self, _event: &Event<'_>) -> Result<bool, Error> {
///         self.events += 1;
///         Ok(true)
///     }
///     fn rejected_record(&mut self, err: &Error, raw: &[u8]) -> Result<bool, Error> {
///         self.rejects.push((err.code().to_owned(), raw.to_vec()));
///         Ok(true)
///     }
/// }
///
/// let registry = Registry::builtin();
/// let mut normalizer = NormalizerBuilder::new().build(&registry)?;
/// let mut sink = DeadLetters::default();
/// normalizer.normalize_bytes(br#"{"email":"a@example.com""#, Position::default(), &mut sink)?;
/// assert_eq!(sink.rejects[0].0, "invalid_json");
/// assert_eq!(sink.rejects[0].1, br#"{"email":"a@example.com""#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// The counts of a run are a [`Summary`]: [`pipeline::normalize_reader`] returns one,
/// [`StreamNormalizer::summary`] keeps one, and [`Sink::finish`] gets one from the batch runs.
///
/// [`pipeline::normalize_reader`]: crate::pipeline::normalize_reader
/// [`StreamNormalizer::summary`]: crate::StreamNormalizer::summary
pub trait Sink {
    /// The sink's error; crate errors (e.g. I/O) convert into it. A sink whose error is
    /// [`Error`] reports a failure of its own with [`Error::sink`].
    type Error: From<Error>;

    /// Called for each normalized event. `Ok(false)` stops normalization early; `Err`
    /// aborts and skips [`Sink::finish`].
    ///
    /// # Errors
    ///
    /// Whatever the sink fails with; it aborts the run.
    fn record(&mut self, event: &Event<'_>) -> Result<bool, Self::Error>;

    /// Called for each rejected record by [`rejected_record`](Sink::rejected_record)'s
    /// default, which the library calls; the default of this one ignores the reject and
    /// continues. Implement `rejected_record` instead to get the record's bytes too.
    ///
    /// # Errors
    ///
    /// Whatever the sink fails with; it aborts the run.
    fn rejected(&mut self, err: &Error) -> Result<bool, Self::Error> {
        let _ = err;
        Ok(true)
    }

    /// Called for each rejected record, with its error and `raw`, the record as read: the
    /// bytes the caller gave [`Normalizer::normalize_bytes`], or for a line of a stream or a
    /// reader, the line without its line ending (`\n`, `\r\n`) and without the input's
    /// byte-order mark; for a record inside an API page, that element's text. These are the
    /// bytes [`pipeline::Reject::raw`] holds. `raw` is empty only for a record over the size
    /// limit that a stream or reader skipped without holding it in memory: one that arrived
    /// across reads or chunks (when a single chunk holds the whole line, it comes with its
    /// bytes), so a dead-letter queue should expect an empty `raw` for any `too_long`
    /// reject. The default
    /// calls [`rejected`](Sink::rejected).
    ///
    /// `raw` is borrowed for the call: copy it to keep it.
    ///
    /// # Errors
    ///
    /// Whatever the sink fails with; it aborts the run.
    ///
    /// [`Normalizer::normalize_bytes`]: crate::Normalizer::normalize_bytes
    /// [`pipeline::Reject::raw`]: crate::pipeline::Reject::raw
    fn rejected_record(&mut self, err: &Error, raw: &[u8]) -> Result<bool, Self::Error> {
        let _ = raw;
        self.rejected(err)
    }

    /// Called once at the end of the input.
    ///
    /// # Errors
    ///
    /// Whatever the sink fails with.
    fn finish(&mut self, summary: &Summary) -> Result<(), Self::Error> {
        let _ = summary;
        Ok(())
    }
}

impl<S: Sink + ?Sized> Sink for &mut S {
    type Error = S::Error;
    fn record(&mut self, event: &Event<'_>) -> Result<bool, Self::Error> {
        (**self).record(event)
    }
    fn rejected(&mut self, err: &Error) -> Result<bool, Self::Error> {
        (**self).rejected(err)
    }
    fn rejected_record(&mut self, err: &Error, raw: &[u8]) -> Result<bool, Self::Error> {
        (**self).rejected_record(err, raw)
    }
    fn finish(&mut self, summary: &Summary) -> Result<(), Self::Error> {
        (**self).finish(summary)
    }
}

/// Counts of one run. `records == normalized + rejected` always holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// Records read (blank lines are not records).
    pub records: u64,
    /// Records normalized.
    pub normalized: u64,
    /// Records rejected.
    pub rejected: u64,
    /// Blank lines skipped.
    pub blank_lines: u64,
    /// Lines a text log type consumed on purpose, without an event: the first `skipLines`
    /// lines of an input that are not blank, `skipPrefix` comments, CSV headers. Like blank lines, they are not
    /// records.
    pub skipped_lines: u64,
    /// API pages that held no record (`{"audit_logs":[],"next_page":null}`, the last page
    /// of a pull): like blank lines, they are not records.
    pub empty_pages: u64,
    /// Bytes of input read (after decompression).
    pub bytes: u64,
    /// Normalized records per log type.
    pub by_log_type: BTreeMap<String, u64>,
    /// Rejected records per reason code (`missing_field`, `invalid_json`, ...).
    pub rejects_by_reason: BTreeMap<String, u64>,
}

/// Events counted by log type for a [`Summary`], cheaply: by the address of the log type's
/// name, which the normalizer's plans own for the whole run, folded into the summary's
/// map once ([`EventCounts::fold_into`]). A map lookup by name for each event was 1.5% of
/// an NDJSON run (review s42-h4 O1). A few log types are counted so; more go to the map.
#[derive(Debug, Default)]
pub(crate) struct EventCounts {
    /// (address, name, count), in the order first seen.
    by_name_at: Vec<(usize, String, u64)>,
}

impl EventCounts {
    /// Log types counted by address; the others (runs of many) go to the summary's map.
    const MAX: usize = 8;

    /// Count one normalized event of `log_type` into `summary` (now, or at the fold).
    pub(crate) fn add_event(&mut self, log_type: &str, summary: &mut Summary) {
        let at = log_type.as_ptr() as usize;
        if let Some(c) = self
            .by_name_at
            .iter_mut()
            .find(|(a, name, _)| *a == at && name.len() == log_type.len())
        {
            summary.records += 1;
            summary.normalized += 1;
            c.2 += 1;
        } else if self.by_name_at.len() < Self::MAX {
            summary.records += 1;
            summary.normalized += 1;
            self.by_name_at.push((at, log_type.to_owned(), 1));
        } else {
            summary.add_event(log_type);
        }
    }

    /// Add the counts to `summary`'s map, and start again.
    pub(crate) fn fold_into(&mut self, summary: &mut Summary) {
        for (_, name, n) in self.by_name_at.drain(..) {
            *summary.by_log_type.entry(name).or_insert(0) += n;
        }
    }
}

impl Summary {
    /// Count one normalized event.
    pub fn add_event(&mut self, log_type: &str) {
        self.records += 1;
        self.normalized += 1;
        if let Some(n) = self.by_log_type.get_mut(log_type) {
            *n += 1;
        } else {
            self.by_log_type.insert(log_type.to_owned(), 1);
        }
    }

    /// Count one reject.
    pub fn add_reject(&mut self, code: &str) {
        self.records += 1;
        self.rejected += 1;
        *self.rejects_by_reason.entry(code.to_owned()).or_insert(0) += 1;
    }

    /// Add another summary's counts to this one.
    pub fn merge(&mut self, other: &Summary) {
        self.records += other.records;
        self.normalized += other.normalized;
        self.rejected += other.rejected;
        self.blank_lines += other.blank_lines;
        self.skipped_lines += other.skipped_lines;
        self.empty_pages += other.empty_pages;
        self.bytes += other.bytes;
        for (k, v) in &other.by_log_type {
            *self.by_log_type.entry(k.clone()).or_insert(0) += v;
        }
        for (k, v) in &other.rejects_by_reason {
            *self.rejects_by_reason.entry(k.clone()).or_insert(0) += v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counted by address, folded by name: the same counts as a lookup per event, for more
    /// log types than are counted by address too, and for equal names at two addresses.
    #[test]
    fn event_counts_fold_into_the_summary_as_add_event_counts() {
        let names: Vec<String> = (0..12).map(|i| format!("Custom.T{i}")).collect();
        let twin = names[3].clone();
        let events: Vec<&str> = (0..500)
            .map(|i: usize| {
                if i.is_multiple_of(7) {
                    twin.as_str()
                } else {
                    names[(i * 5) % names.len()].as_str()
                }
            })
            .collect();
        let (mut direct, mut counted) = (Summary::default(), Summary::default());
        let mut counts = EventCounts::default();
        for (i, e) in events.iter().enumerate() {
            direct.add_event(e);
            counts.add_event(e, &mut counted);
            if i == 250 {
                counts.fold_into(&mut counted);
            }
        }
        counts.fold_into(&mut counted);
        assert_eq!(counted, direct);
        assert_eq!(counted.by_log_type.len(), 12);
    }
}
