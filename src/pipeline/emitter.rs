//! The ordered end of a run: each chunk's rejects and input failures reported to the
//! observer in input order, the counts added up, and the decision to go on.

use std::io;

use super::chunk::{AsLines, Chunk};
use super::{Observer, Progress, Reject, RunSummary};

/// The ordered end of a run: reports a chunk's rejects and input failures to the observer
/// (record indexes made input-relative), adds up counts and decides whether to go on.
pub(super) struct Emitter {
    pub(super) run: RunSummary,
    max_rejects: Option<u64>,
    input: Option<usize>,
    input_records: u64,
    /// The record indexes this input's chunks took: its records, and the lines a text log
    /// type skipped (a CSV header, comments), which take one within a chunk too.
    input_indexes: u64,
    progress: Progress,
}

impl Emitter {
    pub(super) fn new(max_rejects: Option<u64>, inputs: usize) -> Self {
        Emitter {
            run: RunSummary::default(),
            max_rejects,
            input: None,
            input_records: 0,
            input_indexes: 0,
            progress: Progress {
                inputs,
                ..Progress::default()
            },
        }
    }

    /// The record indexes `chunk`'s input took before it (chunks given in input order).
    pub(super) fn records_before(&self, chunk: &Chunk) -> u64 {
        if self.input == Some(chunk.input) {
            self.input_indexes
        } else {
            0
        }
    }

    /// Returns whether to go on.
    pub(super) fn emit<O: Observer + ?Sized>(
        &mut self,
        chunk: &mut Chunk,
        observer: &mut O,
    ) -> io::Result<bool> {
        if self.input != Some(chunk.input) {
            self.input = Some(chunk.input);
            self.input_records = 0;
            self.input_indexes = 0;
        }
        match &chunk.as_lines {
            Some(AsLines::OverLimit(limit)) => observer.document_over_limit(&chunk.source, *limit),
            Some(AsLines::NotJson {
                line,
                column,
                error,
            }) => observer.document_not_json(&chunk.source, *line, *column, error),
            None => {}
        }
        let before = self.run.summary.rejected;
        for (rejected, r) in (before + 1..).zip(&mut chunk.bufs.rejects) {
            if r.index.is_none() {
                r.error.shift_record(self.input_indexes);
            }
            observer.rejected(&Reject {
                source: &chunk.source,
                error: &r.error,
                raw: &chunk.bufs.data[r.raw.clone()],
                index: r.index,
                field: r.field.as_deref(),
            })?;
            if self.max_rejects.is_some_and(|max| rejected > max) {
                self.run.too_many_rejects = true;
                break;
            }
        }
        self.run.summary.merge(&chunk.summary);
        self.input_records += chunk.summary.records;
        self.input_indexes += chunk.summary.records + chunk.summary.skipped_lines;
        if let Some(end) = chunk.end.take() {
            self.progress.inputs_done += 1;
            if let Err(e) = end {
                self.run.failed_inputs += 1;
                observer.input_failed(&chunk.source, &e, self.input_records);
            }
        }
        self.progress.bytes = self.run.summary.bytes;
        self.progress.records = self.run.summary.records;
        self.progress.paused = chunk.live;
        observer.progress(&self.progress);
        if chunk.stop {
            self.run.stopped = true;
        }
        Ok(!self.run.stopped && !self.run.too_many_rejects)
    }
}
