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
pub mod layout;
pub mod ndjson;
pub mod ndjson_dir;
mod parallel;
#[cfg(feature = "parquet")]
pub mod parquet;

pub use collect::{Collect, Discard};

use std::collections::BTreeMap;

use crate::error::Error;
use crate::event::Event;

/// Receives normalized events and rejected records.
pub trait Sink {
    /// The sink's error; crate errors (e.g. I/O) convert into it.
    type Error: From<Error>;

    /// Called for each normalized event. `Ok(false)` stops normalization early; `Err`
    /// aborts and skips [`Sink::finish`].
    ///
    /// # Errors
    ///
    /// Whatever the sink fails with; it aborts the run.
    fn record(&mut self, event: &Event<'_>) -> Result<bool, Self::Error>;

    /// Called for each rejected record; the default ignores it and continues.
    ///
    /// # Errors
    ///
    /// Whatever the sink fails with; it aborts the run.
    fn rejected(&mut self, err: &Error) -> Result<bool, Self::Error> {
        let _ = err;
        Ok(true)
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
    fn finish(&mut self, summary: &Summary) -> Result<(), Self::Error> {
        (**self).finish(summary)
    }
}

/// Counts of one run. `records == normalized + rejected` always holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Records read (blank lines are not records).
    pub records: u64,
    /// Records normalized.
    pub normalized: u64,
    /// Records rejected.
    pub rejected: u64,
    /// Blank lines skipped.
    pub blank_lines: u64,
    /// Lines a text log type consumed on purpose, without an event: lines 1 to `skipLines`
    /// of an input, `skipPrefix` comments, CSV headers. Like blank lines, they are not
    /// records.
    pub skipped_lines: u64,
    /// Bytes of input read (after decompression).
    pub bytes: u64,
    /// Normalized records per log type.
    pub by_log_type: BTreeMap<String, u64>,
    /// Rejected records per reason code (`missing_field`, `invalid_json`, ...).
    pub rejects_by_reason: BTreeMap<String, u64>,
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
        self.bytes += other.bytes;
        for (k, v) in &other.by_log_type {
            *self.by_log_type.entry(k.clone()).or_insert(0) += v;
        }
        for (k, v) in &other.rejects_by_reason {
            *self.rejects_by_reason.entry(k.clone()).or_insert(0) += v;
        }
    }
}
