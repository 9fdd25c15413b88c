//! What a batch run tells the caller besides its events: each rejected record, each input
//! that failed, its progress ([`Observer`]), and its totals ([`RunSummary`]).

use std::io;

use crate::error::Error;
use crate::sink::Summary;

/// A rejected record, as told to an [`Observer`].
#[derive(Debug, Clone, Copy)]
pub struct Reject<'a> {
    /// The input's name (path, or `<stdin>`).
    pub source: &'a str,
    /// Why, and where ([`Error::position`]).
    pub error: &'a Error,
    /// The record as read (empty for a record over the size limit, which is not kept).
    pub raw: &'a [u8],
    /// For a record inside an API page: its index in the page (also the position's
    /// `record`); `None` for other records, whose `record` is the index in the input.
    pub index: Option<u64>,
    /// For a record found inside an API envelope (a page, or a single-record response such
    /// as `{"audit_log":{...}}`): the envelope's field that held it.
    pub field: Option<&'a str>,
}

/// How far a run has got, for progress displays.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Decoded input bytes done.
    pub bytes: u64,
    /// Records done.
    pub records: u64,
    /// Inputs finished.
    pub inputs_done: usize,
    /// Inputs in the run.
    pub inputs: usize,
    /// The chunk just done was cut where a stream input (standard input, a pipe) paused,
    /// in a run whose output shows what it is told as it comes ([`Batch::live`](super::Batch::live),
    /// and the NDJSON and Arrow batch runs): more may come later, so what the observer
    /// holds back (a batch of rejects being filled) is best handed on now.
    pub paused: bool,
}

/// Told about what does not stop a run: rejected records, unreadable inputs, progress.
/// Called from the thread that called the run, in input order.
pub trait Observer {
    /// A record was rejected.
    ///
    /// # Errors
    ///
    /// An I/O error (e.g. writing a rejects file) aborts the run.
    fn rejected(&mut self, reject: &Reject<'_>) -> io::Result<()> {
        let _ = reject;
        Ok(())
    }

    /// An input could not be opened or read to its end (a truncated or corrupt compressed
    /// file); the run goes on with the next one. `records` is how many records were read
    /// from it before the failure.
    fn input_failed(&mut self, source: &str, err: &io::Error, records: u64) {
        let _ = (source, err, records);
    }

    /// `source` starts as a JSON document (an array, a pretty-printed page) but is longer
    /// than the document limit ([`Batch::max_document_bytes`](super::Batch::max_document_bytes),
    /// `limit`): it is read line by line, as NDJSON, from the start. An array on one line
    /// is then one over-long record, and one written an element per line a reject per line;
    /// the user may want to raise the limit. Called before that input's records are
    /// reported.
    fn document_over_limit(&mut self, source: &str, limit: usize) {
        let _ = (source, limit);
    }

    /// `source` starts as a JSON document (an array, a pretty-printed page) but its JSON
    /// breaks at `line` and `column` (1-based; column 0 at a line's end), for `error`
    /// (serde's words, such as "EOF while parsing a list" for a file cut short): it is read
    /// line by line, as NDJSON, so that every line is accounted for, and its fragments are
    /// rejects. Called before that input's records are reported.
    fn document_not_json(&mut self, source: &str, line: u64, column: u64, error: &str) {
        let _ = (source, line, column, error);
    }

    /// Called after each chunk written, with the totals so far.
    fn progress(&mut self, progress: &Progress) {
        let _ = progress;
    }
}

/// An observer that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct Ignore;
impl Observer for Ignore {}

/// Totals of a run, with the inputs that failed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunSummary {
    /// Record counts.
    pub summary: Summary,
    /// Inputs that could not be opened or read to the end.
    pub failed_inputs: u64,
    /// True when the sink asked to stop before the end.
    pub stopped: bool,
    /// True when the run stopped because more than [`Batch::max_rejects`](super::Batch::max_rejects) records were
    /// rejected.
    pub too_many_rejects: bool,
}
