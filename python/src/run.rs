//! Runs of the core pipeline for the Python API, without Python: inputs in; Arrow record
//! batches, rejects and counts out.
//!
//! Everything here is the core's own code: [`Batch::run_batches`] frames the inputs (NDJSON,
//! JSON arrays, API pages, gzip, zstd), normalizes them on the core's parallel path (a reader
//! thread and `threads` normalizer threads, as the CLI) and encodes events with the core's
//! `RecordBatchBuilder` (the encoder behind the CLI's Parquet), and rejects
//! are encoded by [`rejects::write_reject`] (the CLI's `--rejects` file) before being
//! turned into columns. Nothing here knows Python, so the GIL is never needed while it runs.

use std::io;
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use normalog::pipeline::input::ExpansionExceeded;
use normalog::pipeline::{rejects, Batch, Input, Observer, Progress, Reject, RunSummary};
use normalog::sink::Summary;
use normalog::{Error, NormalizerBuilder, Registry};

/// What a run needs: the loaded schemas, how to build a normalizer, the framing options
/// and the size of output batches.
#[derive(Debug, Clone)]
pub struct Job {
    pub registry: Arc<Registry>,
    pub builder: NormalizerBuilder,
    pub batch: Batch,
    /// Rows per output record batch (at most).
    pub batch_rows: usize,
    /// Replaces `<reader>` as the source name of an in-memory input in rejects.
    pub reader_name: String,
}

/// An input that could not be opened or read to its end (a truncated gzip file, say).
#[derive(Debug, Clone)]
pub struct FailedInput {
    pub source: String,
    pub error: String,
    /// Records read from it before the failure.
    pub records: u64,
    /// It did not exist (`FileNotFoundError` when no input could be read).
    pub not_found: bool,
}

/// What a run does with its rejected records (failed inputs and counts are always kept).
pub enum Keep {
    /// Keep them all, as record batches of at most `batch_rows` rows: memory grows with
    /// the rejects (about the size of their table).
    All,
    /// Only count them (the run's summary counts them by reason): memory stays bounded
    /// whatever the input.
    Count,
    /// Hand each batch of at most `batch_rows` rows to the function as soon as it is full
    /// (and the last one at [`Rejects::flush`]); the function returns false to stop the run.
    Stream(Box<dyn FnMut(RecordBatch) -> bool + Send>),
}

/// Rejects and failed inputs of a run, as told to the [`Observer`].
///
/// Each reject is encoded by the core's rejects-file encoder (exactly the CLI's
/// `--rejects` line) and read at once into the columns of the batch being built, so no
/// more than one batch of them is ever held as text or columns under construction.
pub struct Rejects {
    keep: Keep,
    /// Finished batches, with [`Keep::All`].
    batches: Vec<RecordBatch>,
    /// The batch being built, and its rows.
    columns: RejectColumns,
    rows: usize,
    batch_rows: usize,
    /// One reject's JSON line, reused.
    line: Vec<u8>,
    failed: Vec<FailedInput>,
    /// What the run has to say of inputs that were read (a document over the limit).
    notes: Vec<String>,
    reader_name: String,
    /// The stream's reader went away while a batch was handed on at a pause: the run stops
    /// at the next reject.
    gone: bool,
}

impl Rejects {
    pub fn new(reader_name: &str, batch_rows: usize, keep: Keep) -> Self {
        Rejects {
            keep,
            batches: Vec::new(),
            columns: RejectColumns::new(),
            rows: 0,
            batch_rows: batch_rows.max(1),
            line: Vec::new(),
            failed: Vec::new(),
            notes: Vec::new(),
            reader_name: reader_name.to_owned(),
            gone: false,
        }
    }

    fn source<'a>(&'a self, source: &'a str) -> &'a str {
        if source == "<reader>" {
            &self.reader_name
        } else {
            source
        }
    }

    /// Finish the batch being built: kept, or handed to the stream's function.
    ///
    /// # Errors
    ///
    /// The stream's function returned false (its reader is gone), or the batch cannot be
    /// made (a bug).
    pub fn flush(&mut self) -> io::Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        self.rows = 0;
        let batch = self.columns.finish().map_err(io::Error::other)?;
        match &mut self.keep {
            Keep::All => self.batches.push(batch),
            Keep::Count => {}
            Keep::Stream(send) => {
                if !send(batch) {
                    return Err(io::Error::other("the rejects' reader is gone"));
                }
            }
        }
        Ok(())
    }

    /// The notes of the run so far ([`Observer::document_over_limit`]).
    pub fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }

    /// The rejects kept ([`Keep::All`]), `None` if they were only counted or streamed.
    ///
    /// # Errors
    ///
    /// As [`flush`](Self::flush).
    pub fn into_kept(mut self) -> Result<(Option<Vec<RecordBatch>>, Vec<FailedInput>), String> {
        self.flush().map_err(|e| e.to_string())?;
        let kept = matches!(self.keep, Keep::All).then_some(self.batches);
        Ok((kept, self.failed))
    }
}

impl Observer for Rejects {
    fn rejected(&mut self, reject: &Reject<'_>) -> io::Result<()> {
        if self.gone {
            return Err(io::Error::other("the rejects' reader is gone"));
        }
        if matches!(self.keep, Keep::Count) {
            return Ok(());
        }
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        let renamed = Reject {
            source: self.source(reject.source),
            ..*reject
        };
        rejects::write_reject(&mut line, &renamed);
        let pushed = self.columns.push_line(&line);
        self.line = line;
        pushed.map_err(io::Error::other)?;
        self.rows += 1;
        if self.rows >= self.batch_rows {
            self.flush()?;
        }
        Ok(())
    }

    /// A stream input paused: the rejects of a stream so far reach Python now, not when a
    /// batch's worth has come.
    fn progress(&mut self, progress: &Progress) {
        if progress.paused && matches!(self.keep, Keep::Stream(_)) && self.flush().is_err() {
            self.gone = true;
        }
    }

    fn document_over_limit(&mut self, source: &str, limit: usize) {
        let source = self.source(source);
        self.notes.push(format!(
            "{source}: a JSON document over max_document_bytes ({limit}): it is read line by \
             line, as NDJSON; raise the Normalizer's max_document_bytes= to read it whole"
        ));
    }

    fn document_not_json(&mut self, source: &str, line: u64, column: u64, error: &str) {
        let source = self.source(source);
        self.notes.push(format!(
            "{source}: starts as a JSON document, but its JSON breaks at line {line}, column \
             {column} ({error}): it is read line by line, as NDJSON"
        ));
    }

    fn input_failed(&mut self, source: &str, err: &io::Error, records: u64) {
        let source = self.source(source).to_owned();
        // The library's message names the ratio; the argument that sets it is this one.
        let error = if ExpansionExceeded::of(err).is_some() {
            format!("{err}; the Normalizer's max_expansion= raises the limit")
        } else {
            err.to_string()
        };
        self.failed.push(FailedInput {
            source,
            error,
            records,
            not_found: err.kind() == io::ErrorKind::NotFound,
        });
    }
}

/// The Arrow schema of the rejects table: the fields of the CLI's rejects file, in its
/// order, with `candidates` as its JSON text (and `candidates_more`, the log types tried
/// beyond the 10 it lists).
pub fn rejects_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("source", DataType::Utf8, false),
        Field::new("record", DataType::Int64, false),
        Field::new("index", DataType::Int64, true),
        Field::new("field", DataType::Utf8, true),
        Field::new("line", DataType::Int64, false),
        Field::new("byte", DataType::Int64, false),
        Field::new("column", DataType::Int64, true),
        Field::new("reason", DataType::Utf8, false),
        Field::new("log_type", DataType::Utf8, true),
        Field::new("error", DataType::Utf8, false),
        Field::new("candidates", DataType::Utf8, true),
        Field::new("candidates_more", DataType::Int64, true),
        Field::new("raw", DataType::Utf8, false),
        Field::new("raw_truncated", DataType::Boolean, false),
    ]))
}

struct RejectColumns {
    source: StringBuilder,
    record: Int64Builder,
    index: Int64Builder,
    field: StringBuilder,
    line: Int64Builder,
    byte: Int64Builder,
    column: Int64Builder,
    reason: StringBuilder,
    log_type: StringBuilder,
    error: StringBuilder,
    candidates: StringBuilder,
    candidates_more: Int64Builder,
    raw: StringBuilder,
    raw_truncated: BooleanBuilder,
}

impl RejectColumns {
    fn new() -> Self {
        RejectColumns {
            source: StringBuilder::new(),
            record: Int64Builder::new(),
            index: Int64Builder::new(),
            field: StringBuilder::new(),
            line: Int64Builder::new(),
            byte: Int64Builder::new(),
            column: Int64Builder::new(),
            reason: StringBuilder::new(),
            log_type: StringBuilder::new(),
            error: StringBuilder::new(),
            candidates: StringBuilder::new(),
            candidates_more: Int64Builder::new(),
            raw: StringBuilder::new(),
            raw_truncated: BooleanBuilder::new(),
        }
    }

    /// Add the reject of one line of the rejects file (without its newline).
    fn push_line(&mut self, line: &[u8]) -> Result<(), String> {
        let v: serde_json::Value =
            serde_json::from_slice(line).map_err(|e| format!("rejects: {e}"))?;
        self.push(&v);
        Ok(())
    }

    /// The rows added since the last call, as a record batch with [`rejects_schema`].
    fn finish(&mut self) -> Result<RecordBatch, String> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.source.finish()),
            Arc::new(self.record.finish()),
            Arc::new(self.index.finish()),
            Arc::new(self.field.finish()),
            Arc::new(self.line.finish()),
            Arc::new(self.byte.finish()),
            Arc::new(self.column.finish()),
            Arc::new(self.reason.finish()),
            Arc::new(self.log_type.finish()),
            Arc::new(self.error.finish()),
            Arc::new(self.candidates.finish()),
            Arc::new(self.candidates_more.finish()),
            Arc::new(self.raw.finish()),
            Arc::new(self.raw_truncated.finish()),
        ];
        RecordBatch::try_new(rejects_schema(), columns).map_err(|e| e.to_string())
    }

    fn push(&mut self, v: &serde_json::Value) {
        let text = |k: &str| v.get(k).and_then(serde_json::Value::as_str);
        let int = |k: &str| v.get(k).and_then(serde_json::Value::as_i64);
        self.source.append_value(text("source").unwrap_or_default());
        self.record.append_value(int("record").unwrap_or_default());
        self.index.append_option(int("index"));
        self.field.append_option(text("field"));
        self.line.append_value(int("line").unwrap_or_default());
        self.byte.append_value(int("byte").unwrap_or_default());
        self.column.append_option(int("column"));
        self.reason.append_value(text("reason").unwrap_or_default());
        self.log_type.append_option(text("log_type"));
        self.error.append_value(text("error").unwrap_or_default());
        self.candidates
            .append_option(v.get("candidates").map(ToString::to_string));
        self.candidates_more.append_option(int("candidates_more"));
        self.raw.append_value(text("raw").unwrap_or_default());
        self.raw_truncated.append_value(
            v.get("raw_truncated")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false),
        );
    }
}

/// Everything a run made, in memory.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Batches by log type, log types in order of first appearance in the input.
    pub tables: Vec<(String, Vec<RecordBatch>)>,
    /// The rejects, in batches of at most `batch_rows` rows.
    pub rejects: Vec<RecordBatch>,
    pub failed: Vec<FailedInput>,
    /// [`Rejects::take_notes`].
    pub notes: Vec<String>,
    pub summary: Summary,
}

impl Outcome {
    fn add_batch(&mut self, batch: RecordBatch) {
        let log_type = log_type_of(&batch);
        match self.tables.iter_mut().find(|(lt, _)| *lt == log_type) {
            Some((_, batches)) => batches.push(batch),
            None => self.tables.push((log_type, vec![batch])),
        }
    }
}

/// The log type of a batch of the core's builder: its `p_log_type` (the same on every row).
fn log_type_of(batch: &RecordBatch) -> String {
    use arrow_array::cast::AsArray;
    use arrow_array::Array;
    batch
        .column_by_name("p_log_type")
        .and_then(|c| c.as_string_opt::<i32>())
        .filter(|c| !c.is_empty())
        .map(|c| c.value(0).to_owned())
        .unwrap_or_default()
}

/// Normalize `inputs` into memory. With `threads` > 1 the core's parallel path normalizes
/// chunks of the inputs (of one file too) on that many threads; the outcome is the same as
/// on one thread (rows in input order), except `p_row_id`, `p_parse_time` and how the rows
/// are cut into batches.
///
/// # Errors
///
/// A normalizer cannot be built, or a batch cannot be made (the core's errors).
pub fn collect(job: &Job, inputs: &[Input], threads: usize) -> Result<Outcome, Error> {
    let mut out = Outcome::default();
    let mut rejects = Rejects::new(&job.reader_name, job.batch_rows, Keep::All);
    let mut batches = Vec::new();
    let run = run_parallel(job, inputs, threads, None, &mut rejects, |b| {
        batches.push(b);
        true
    })?;
    for b in batches {
        out.add_batch(b);
    }
    out.notes = rejects.take_notes();
    let (kept, failed) = rejects.into_kept().map_err(io::Error::other)?;
    out.rejects = kept.unwrap_or_default();
    out.failed = failed;
    out.summary = run.summary;
    Ok(out)
}

/// The core's parallel Arrow path ([`Batch::run_batches`]) on `threads` workers: batches
/// (of `only` if given) in input order, cut to at most `batch_rows` rows, go to `emit`,
/// which returns false to stop the run (then the result is an error nobody reads: the
/// consumer is gone).
///
/// # Errors
///
/// As [`collect`].
pub fn run_parallel(
    job: &Job,
    inputs: &[Input],
    threads: usize,
    only: Option<&str>,
    rejects: &mut Rejects,
    mut emit: impl FnMut(RecordBatch) -> bool,
) -> Result<RunSummary, Error> {
    let rows = job.batch_rows.max(1);
    let mut batch = job.batch.clone();
    batch.threads(threads);
    let run = batch.run_batches(
        &job.builder,
        &job.registry,
        inputs,
        |log_type, b| {
            if only.is_some_and(|only| only != log_type) {
                return Ok(());
            }
            let mut offset = 0;
            while offset < b.num_rows() {
                let len = rows.min(b.num_rows() - offset);
                if !emit(b.slice(offset, len)) {
                    return Err(Error::from(io::Error::other("the batches' reader is gone")));
                }
                offset += len;
            }
            Ok(())
        },
        rejects,
    )?;
    rejects.flush()?;
    Ok(run)
}

/// Rejects only (events are normalized and dropped), on one thread, told to `rejects`
/// (kept, or streamed as they come: see [`Keep`]).
///
/// # Errors
///
/// As [`collect`]; also when a streamed batch's reader is gone.
pub fn rejects_only(job: &Job, inputs: &[Input], rejects: &mut Rejects) -> Result<Summary, Error> {
    let mut norm = job.builder.build(&job.registry)?;
    // A stream of rejects shows them as they come: a pipe's are handed on when it pauses.
    let mut batch = job.batch.clone();
    batch.live(matches!(rejects.keep, Keep::Stream(_)));
    let run = batch.run(&mut norm, inputs, &mut normalog::sink::Discard, rejects)?;
    rejects.flush()?;
    Ok(run.summary)
}
