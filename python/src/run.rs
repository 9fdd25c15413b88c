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
use normalog::pipeline::{rejects, Batch, Input, Observer, Reject, RunSummary};
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
}

/// Rejects and failed inputs of a run, as told to the [`Observer`].
#[derive(Debug, Default)]
pub struct Rejects {
    /// One JSON object per line, exactly as the CLI's `--rejects` file.
    lines: Vec<u8>,
    rows: usize,
    failed: Vec<FailedInput>,
    reader_name: String,
}

impl Rejects {
    pub fn new(reader_name: &str) -> Self {
        Rejects {
            reader_name: reader_name.to_owned(),
            ..Rejects::default()
        }
    }

    fn source<'a>(&'a self, source: &'a str) -> &'a str {
        if source == "<reader>" {
            &self.reader_name
        } else {
            source
        }
    }

    /// The rejects as one record batch with [`rejects_schema`].
    ///
    /// # Errors
    ///
    /// Only if a line is not the JSON the core wrote (a bug).
    pub fn finish(&self) -> Result<RecordBatch, String> {
        RejectColumns::from_lines(&self.lines, self.rows)
    }

    pub fn failed(&self) -> &[FailedInput] {
        &self.failed
    }
}

impl Observer for Rejects {
    fn rejected(&mut self, reject: &Reject<'_>) -> io::Result<()> {
        let mut buf = std::mem::take(&mut self.lines);
        let renamed = Reject {
            source: self.source(reject.source),
            ..*reject
        };
        rejects::write_reject(&mut buf, &renamed);
        self.lines = buf;
        self.rows += 1;
        Ok(())
    }

    fn input_failed(&mut self, source: &str, err: &io::Error, records: u64) {
        let source = self.source(source).to_owned();
        self.failed.push(FailedInput {
            source,
            error: err.to_string(),
            records,
        });
    }
}

/// The Arrow schema of the rejects table: the fields of the CLI's rejects file, in its
/// order, with `candidates` as its JSON text.
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
    raw: StringBuilder,
    raw_truncated: BooleanBuilder,
}

impl RejectColumns {
    fn from_lines(lines: &[u8], rows: usize) -> Result<RecordBatch, String> {
        let mut c = RejectColumns {
            source: StringBuilder::with_capacity(rows, 0),
            record: Int64Builder::with_capacity(rows),
            index: Int64Builder::with_capacity(rows),
            field: StringBuilder::with_capacity(rows, 0),
            line: Int64Builder::with_capacity(rows),
            byte: Int64Builder::with_capacity(rows),
            column: Int64Builder::with_capacity(rows),
            reason: StringBuilder::with_capacity(rows, 0),
            log_type: StringBuilder::with_capacity(rows, 0),
            error: StringBuilder::with_capacity(rows, 0),
            candidates: StringBuilder::with_capacity(rows, 0),
            raw: StringBuilder::with_capacity(rows, 0),
            raw_truncated: BooleanBuilder::with_capacity(rows),
        };
        for line in lines.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let v: serde_json::Value =
                serde_json::from_slice(line).map_err(|e| format!("rejects: {e}"))?;
            c.push(&v);
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(c.source.finish()),
            Arc::new(c.record.finish()),
            Arc::new(c.index.finish()),
            Arc::new(c.field.finish()),
            Arc::new(c.line.finish()),
            Arc::new(c.byte.finish()),
            Arc::new(c.column.finish()),
            Arc::new(c.reason.finish()),
            Arc::new(c.log_type.finish()),
            Arc::new(c.error.finish()),
            Arc::new(c.candidates.finish()),
            Arc::new(c.raw.finish()),
            Arc::new(c.raw_truncated.finish()),
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
    pub rejects: Rejects,
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
    let mut out = Outcome {
        rejects: Rejects::new(&job.reader_name),
        ..Outcome::default()
    };
    let mut batches = Vec::new();
    let run = run_parallel(job, inputs, threads, None, &mut out.rejects, |b| {
        batches.push(b);
        true
    })?;
    for b in batches {
        out.add_batch(b);
    }
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
    batch.run_batches(
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
    )
}

/// Rejects only (events are normalized and dropped).
///
/// # Errors
///
/// As [`collect`].
pub fn rejects_only(job: &Job, inputs: &[Input]) -> Result<(Rejects, Summary), Error> {
    let mut norm = job.builder.build(&job.registry)?;
    let mut rejects = Rejects::new(&job.reader_name);
    let run = job.batch.run(
        &mut norm,
        inputs,
        &mut normalog::sink::Discard,
        &mut rejects,
    )?;
    Ok((rejects, run.summary))
}
