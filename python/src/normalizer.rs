//! `normalog.Normalizer`: schemas and options checked and compiled once, then `normalize`
//! (pyarrow tables), `iter_batches` (a stream of record batches) and `rejects` over bytes,
//! files and directories.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use arrow_pyarrow::ToPyArrow;
use arrow_schema::SchemaRef;
use normalog::pipeline::{Batch, MAX_THREADS};
use normalog::sink::arrow::arrow_schema;
use normalog::{NormalizerBuilder, Registry};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::batch_stream::BatchStream;
use crate::inputs::{check_failed, inputs_of, load_registry, log_types_of, warn_notes};
use crate::result::NormalizeResult;
use crate::run::{self, Job, Keep, Rejects};
use crate::tables::{rejects_table, stats_dict};
use crate::{exit, interrupt, runtime_error, stream, unknown_log_type};

/// The name of in-memory input in rejects, unless told otherwise.
const BYTES_SOURCE: &str = "<bytes>";

/// A compiled set of log schemas, ready to normalize bytes, file objects, files and
/// directories.
///
/// Arguments (all optional):
///
/// - `schemas`: a schema file or directory, or a list of them (the CLI's `-s`);
///   `None`: the built-in schemas. A bad schema is a `normalog.SchemaError`.
/// - `schema_texts`: a schema's YAML text, or a list of them, loaded beside `schemas`
///   (named `schema_texts[i]` in messages). A str in `schemas` is always a path.
/// - `builtin`: load the built-in schemas beside `schemas` and `schema_texts` (the CLI's
///   `--builtin`), so that records are classified among both.
/// - `log_types`: the log types to try, in order (a list of names); `None`: every
///   loaded one, as the CLI classifies records.
/// - `source_id`, `source_label`: the `p_source_id` / `p_source_label` of every event.
/// - `threads`: threads of `normalize` and `iter_batches`, 1 to 1024 (default: all
///   cores); one file is cut into chunks too, and rows stay in input order.
/// - `batch_rows`: the most rows of a record batch (default 65,536).
/// - `envelope`: the field of API responses that holds the records (`"audit_logs"`), as
///   the CLI's `--envelope`; `None`: an object that no schema accepts is unwrapped when
///   it holds a Zendesk or Zoom page (`audit_logs`, `activity_logs`, `operation_logs`).
/// - `max_record_bytes`: longer records are rejected (`too_long`) without being parsed
///   (default 16 MiB, as the CLI; at most 1 GiB).
/// - `max_document_bytes`: the largest whole JSON document (an array, a pretty-printed
///   page) read at once (default 64 MiB).
/// - `max_expansion`: a gzip or zstd input may expand at most this many times its
///   compressed size, once it has given 64 MiB (a decompression bomb is stopped there and
///   the input counted as failed); `"none"` for no limit (the CLI's `--max-expansion`).
///   Default (`None`): 500 for gzip, 20,000 for zstd; logs compress 5 to 50 times, the
///   same line repeated about 300 times with gzip and 11,000 with zstd.
///
/// Create it once and reuse it: the schemas are compiled here. It is not picklable: in
/// a Spark or multiprocessing worker, create it in the worker (`normalog.spark` does).
#[pyclass(module = "normalog", frozen)]
pub(crate) struct Normalizer {
    job: Job,
    /// The log types this normalizer tries, in order.
    log_types: Vec<String>,
    threads: usize,
}

#[pymethods]
impl Normalizer {
    // batch_rows: 65,536 rows a batch unless told otherwise (Spark's Arrow vectors, DuckDB
    // and Polars all take batches of this size comfortably). A literal, not a const: PyO3
    // shows a literal default in the signature Python sees (`inspect.signature`, `help`,
    // IDEs, the stubs' check), a const as `...`.
    #[new]
    #[pyo3(signature = (
        schemas=None, log_types=None, source_id=None, source_label=None, *,
        schema_texts=None, builtin=false, threads=None, batch_rows=65_536, envelope=None,
        max_record_bytes=None, max_document_bytes=None, max_expansion=None,
    ))]
    #[allow(clippy::too_many_arguments)] // Python keyword arguments
    fn new(
        schemas: Option<&Bound<'_, PyAny>>,
        log_types: Option<&Bound<'_, PyAny>>,
        source_id: Option<String>,
        source_label: Option<String>,
        schema_texts: Option<&Bound<'_, PyAny>>,
        builtin: bool,
        threads: Option<i64>,
        batch_rows: i64,
        envelope: Option<String>,
        max_record_bytes: Option<i64>,
        max_document_bytes: Option<i64>,
        max_expansion: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        if envelope.as_deref() == Some("") {
            return Err(PyValueError::new_err(
                "envelope must name a field (\"audit_logs\"), or be None, not an empty str",
            ));
        }
        let log_types = log_types_of(log_types)?;
        if log_types.as_ref().is_some_and(Vec::is_empty) {
            return Err(PyValueError::new_err(
                "log_types must be None (classify among all) or a non-empty list",
            ));
        }
        // Taken as signed integers so that a negative one is a ValueError that says what
        // is allowed, not an OverflowError about converting to an unsigned type.
        let threads = threads.map(thread_count).transpose()?;
        let batch_rows = at_least_one("batch_rows", batch_rows)?;
        let max_record_bytes = max_record_bytes.map(record_limit).transpose()?;
        let max_document_bytes = max_document_bytes
            .map(|n| at_least_one("max_document_bytes", n))
            .transpose()?;
        let max_expansion = max_expansion
            .filter(|m| !m.is_none())
            .map(expansion_ratio)
            .transpose()?;
        let registry = load_registry(schemas, schema_texts, builtin)?;
        let mut builder = NormalizerBuilder::new();
        builder
            .log_types(log_types.unwrap_or_default())
            .source_id(source_id)
            .source_label(source_label);
        let mut batch = Batch::new();
        batch.envelope(envelope);
        if let Some(n) = max_record_bytes {
            // The run takes the normalizer's limit.
            builder.max_record_bytes(n);
        }
        if let Some(n) = max_document_bytes {
            batch.max_document_bytes(n);
        }
        if let Some(ratio) = max_expansion {
            batch.max_expansion(ratio);
        }
        let own_schemas = (schemas.is_some_and(|s| !s.is_none())
            || schema_texts.is_some_and(|s| !s.is_none()))
            && !builtin;
        let normalizer = builder
            .build(&registry)
            .map_err(|e| not_built(&e, own_schemas))?;
        let log_types = normalizer.log_types().map(str::to_owned).collect();
        let threads = threads.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map_or(1, std::num::NonZeroUsize::get)
                .min(MAX_THREADS)
        });
        batch.threads(threads);
        Ok(Normalizer {
            job: Job {
                registry: Arc::new(registry),
                builder,
                batch,
                batch_rows,
                reader_name: BYTES_SOURCE.into(),
            },
            log_types,
            threads,
        })
    }

    /// The log types this normalizer tries, in order.
    #[getter]
    fn log_types(&self) -> Vec<String> {
        self.log_types.clone()
    }

    /// Threads of `normalize` and `iter_batches` (one file too: a reader thread cuts it
    /// into chunks); rows stay in input order.
    #[getter]
    fn threads(&self) -> usize {
        self.threads
    }

    /// The `pyarrow.Schema` of a log type's events (the CLI's Parquet schema).
    fn arrow_schema<'py>(&self, py: Python<'py>, log_type: &str) -> PyResult<Bound<'py, PyAny>> {
        let _call = exit::enter()?;
        self.schema_of(log_type)?.as_ref().to_pyarrow(py)
    }

    /// The Arrow schema of the rejects table.
    #[staticmethod]
    fn rejects_schema(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        let _call = exit::enter()?;
        run::rejects_schema().as_ref().to_pyarrow(py)
    }

    /// Normalize `data` (bytes or any other buffer, such as a memoryview or a
    /// `pyarrow.Buffer`; a binary file object, read with `read1(n)` or `read(n)` by this
    /// thread as the run goes: `open(path, "rb")`, `gzip.open(...)`, an S3 body; or a path to
    /// a file or directory, or a list of paths) into pyarrow tables, one per log type seen,
    /// with the rejects and counts.
    ///
    /// `source` names bytes data (default `<bytes>`) and a file object (default: its `name`,
    /// else its type, `<BytesIO>`) in the rejects; a path names itself.
    /// The path `"-"` is the file named `-`, not standard input (that is `/dev/stdin`).
    /// An input that cannot be read is in `stats["failed_inputs"]` and a `UserWarning`;
    /// when none could be read at all, an `OSError` (`FileNotFoundError` when missing).
    #[pyo3(signature = (data, *, source=None))]
    fn normalize(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        source: Option<String>,
    ) -> PyResult<NormalizeResult> {
        let _call = exit::enter()?;
        let (inputs, pump) = inputs_of(data, source.as_deref())?;
        let (job, cancel) = self.interruptible_job(source);
        let threads = self.threads;
        let n_inputs = inputs.len();
        let run_job = job.clone();
        let outcome = interrupt::run(py, &cancel, pump.as_deref(), move || {
            run::collect(&run_job, &inputs, threads)
        })?
        .map_err(runtime_error)?;
        check_failed(py, &outcome.failed, n_inputs)?;
        warn_notes(py, &outcome.notes)?;
        NormalizeResult::new(py, outcome, &job, self.single_log_type().as_deref())
    }

    /// The events of one log type as a stream of `pyarrow.RecordBatch`es of at most
    /// `batch_rows` rows, normalized on a background thread while they are read.
    ///
    /// The rejects are kept for `stream.rejects` (memory grows with them: about the size of
    /// their table); with `keep_rejects=False` they are only counted (`stream.stats`), and
    /// memory stays bounded whatever the input. `iter_rejects` streams them.
    ///
    /// `data` is what `normalize` takes. A binary file object is read by the thread that
    /// asks for the next batch (`next()`, `read_all()`, a reader of the Arrow C stream),
    /// while it waits. Inputs that could not be read are in `stream.stats`; the end of the
    /// iteration warns of them (`InputWarning`), or raises `OSError` when none could be read.
    #[pyo3(signature = (data, log_type=None, *, source=None, keep_rejects=true))]
    fn iter_batches(
        &self,
        data: &Bound<'_, PyAny>,
        log_type: Option<String>,
        source: Option<String>,
        keep_rejects: bool,
    ) -> PyResult<BatchStream> {
        let log_type = match log_type {
            Some(lt) => lt,
            None => self.single_log_type().ok_or_else(|| {
                PyValueError::new_err(format!(
                    "iter_batches needs log_type= when the normalizer tries several log types ({})",
                    self.log_types.join(", ")
                ))
            })?,
        };
        let schema = self.schema_of(&log_type)?;
        if !self.log_types.contains(&log_type) {
            return Err(PyValueError::new_err(format!(
                "log type \"{log_type}\" is not tried by this normalizer (its log types: {})",
                self.log_types.join(", ")
            )));
        }
        let (inputs, pump) = inputs_of(data, source.as_deref())?;
        let n_inputs = inputs.len();
        let what = format!("log_type={log_type:?}");
        let of = stream::Of::Events {
            log_type,
            keep_rejects,
        };
        let (job, cancel) = self.interruptible_job(source);
        let (rx, end) = stream::start(job, inputs, of, self.threads)?;
        Ok(BatchStream {
            cancel,
            pump,
            exported: AtomicBool::new(false),
            interrupted: AtomicBool::new(false),
            schema,
            rx: Mutex::new(Some(rx)),
            end,
            not_kept: "the rejects were only counted (keep_rejects=False): their counts are in \
                       stats; iter_rejects streams them",
            what,
            inputs: n_inputs,
        })
    }

    /// The rejects of `data` as a stream of `pyarrow.RecordBatch`es of at most `batch_rows`
    /// rows (with `rejects_schema()`), made on a background thread while they are read:
    /// memory stays bounded whatever the input. Events are normalized and dropped; the
    /// counts and failed inputs are in `stream.stats` once every batch was read (and warned
    /// of, or raised, as by `iter_batches`). `data` is what `normalize` takes (a file
    /// object is read as by `iter_batches`).
    #[pyo3(signature = (data, *, source=None))]
    fn iter_rejects(
        &self,
        data: &Bound<'_, PyAny>,
        source: Option<String>,
    ) -> PyResult<BatchStream> {
        let (inputs, pump) = inputs_of(data, source.as_deref())?;
        let n_inputs = inputs.len();
        let (job, cancel) = self.interruptible_job(source);
        let (rx, end) = stream::start(job, inputs, stream::Of::Rejects, 1)?;
        Ok(BatchStream {
            cancel,
            pump,
            exported: AtomicBool::new(false),
            interrupted: AtomicBool::new(false),
            schema: run::rejects_schema(),
            rx: Mutex::new(Some(rx)),
            end,
            not_kept: "the rejects of iter_rejects are the stream's batches",
            what: "rejects".into(),
            inputs: n_inputs,
        })
    }

    /// Only the rejects of `data` (a pyarrow table, in chunks of at most `batch_rows` rows),
    /// with the counts: events are normalized and dropped. The table is in memory whole;
    /// `iter_rejects` streams it. `data` is what `normalize` takes.
    #[pyo3(signature = (data, *, source=None))]
    fn rejects<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'_, PyAny>,
        source: Option<String>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyDict>)> {
        let _call = exit::enter()?;
        let (inputs, pump) = inputs_of(data, source.as_deref())?;
        let (job, cancel) = self.interruptible_job(source);
        let n_inputs = inputs.len();
        let (kept, failed, notes, summary) =
            interrupt::run(py, &cancel, pump.as_deref(), move || {
                let mut rejects = Rejects::new(&job.reader_name, job.batch_rows, Keep::All);
                let summary =
                    run::rejects_only(&job, &inputs, &mut rejects).map_err(|e| e.to_string())?;
                let notes = rejects.take_notes();
                let (kept, failed) = rejects.into_kept()?;
                Ok::<_, String>((kept, failed, notes, summary))
            })?
            .map_err(runtime_error)?;
        check_failed(py, &failed, n_inputs)?;
        warn_notes(py, &notes)?;
        let stats = stats_dict(py, &summary, &failed, &notes)?;
        let table = rejects_table(py, kept.unwrap_or_default())?;
        Ok((table, stats))
    }

    fn __repr__(&self) -> String {
        format!("normalog.Normalizer(log_types={:?})", self.log_types)
    }
}

impl Normalizer {
    fn schema_of(&self, log_type: &str) -> PyResult<SchemaRef> {
        match self.job.registry.lookup(log_type) {
            Ok(plan) => Ok(arrow_schema(plan)),
            Err(e) => Err(unknown_log_type(&e)),
        }
    }

    fn single_log_type(&self) -> Option<String> {
        match self.log_types.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        }
    }

    /// The job of a call that Ctrl-C stops ([`interrupt::run`]), and its flag.
    fn interruptible_job(&self, source: Option<String>) -> (Job, Arc<AtomicBool>) {
        let mut job = self.job_named(source);
        let cancel = Arc::new(AtomicBool::new(false));
        job.batch.cancel_on(Arc::clone(&cancel));
        (job, cancel)
    }

    fn job_named(&self, source: Option<String>) -> Job {
        let mut job = self.job.clone();
        if let Some(s) = source {
            job.reader_name = s;
        }
        job
    }
}

/// The error of a normalizer that cannot be built: an unknown log type, with the CLI's
/// hint when it is a built-in one and only one's own schemas are loaded.
fn not_built(e: &normalog::Error, own_schemas: bool) -> PyErr {
    if let normalog::ErrorKind::UnknownLogType(u) = e.kind() {
        if own_schemas && u.suggestion().is_none() && Registry::builtin().get(u.name()).is_some() {
            return unknown_log_type(&format!(
                "{e}; `{}` is built in: add builtin=True to load the built-in schemas beside \
                 yours",
                u.name()
            ));
        }
    }
    unknown_log_type(e)
}

/// `threads=`: 1 to the CLI's limit, as `--threads` (far more threads than cores only
/// costs memory; 2**40 aborted the interpreter, out of memory).
fn thread_count(n: i64) -> PyResult<usize> {
    let n = at_least_one("threads", n)?;
    if n > MAX_THREADS {
        return Err(PyValueError::new_err(format!(
            "threads must be at most {MAX_THREADS}, not {n}"
        )));
    }
    Ok(n)
}

/// `max_expansion`: a ratio of at least 1, or `"none"` (`None`: no limit).
fn expansion_ratio(value: &Bound<'_, PyAny>) -> PyResult<Option<u64>> {
    if let Ok(text) = value.extract::<String>() {
        if text.trim().eq_ignore_ascii_case("none") {
            return Ok(None);
        }
        return Err(PyValueError::new_err(format!(
            "max_expansion must be a ratio (500) or \"none\" (no limit), not {text:?}"
        )));
    }
    if value.is_instance_of::<pyo3::types::PyBool>() {
        return Err(PyTypeError::new_err(
            "max_expansion must be an int (500) or \"none\", not a bool",
        ));
    }
    let n: i64 = value.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "max_expansion must be an int (500) or \"none\", not {}",
            value
                .get_type()
                .name()
                .map_or_else(|_| "?".into(), |n| n.to_string())
        ))
    })?;
    let n = at_least_one("max_expansion", n)?;
    Ok(Some(n as u64))
}

/// `n` as a count, or the `ValueError` that says `name` must be at least 1.
/// `max_record_bytes`: at least 1, at most the library's ceiling (1 GiB).
fn record_limit(n: i64) -> PyResult<usize> {
    use normalog::parse::MAX_RECORD_BYTES_CEILING as CEILING;
    match at_least_one("max_record_bytes", n)? {
        n if n > CEILING => Err(PyValueError::new_err(format!(
            "max_record_bytes must be at most {CEILING} (1 GiB), not {n}"
        ))),
        n => Ok(n),
    }
}

fn at_least_one(name: &str, n: i64) -> PyResult<usize> {
    usize::try_from(n)
        .ok()
        .filter(|&n| n >= 1)
        .ok_or_else(|| PyValueError::new_err(format!("{name} must be at least 1, not {n}")))
}
