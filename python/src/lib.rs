//! `normalog._normalog`: the Python extension module of the `normalog` package.
//!
//! A thin layer: arguments are checked and turned into the core's [`Registry`],
//! [`NormalizerBuilder`] and [`Batch`]; the runs ([`run`], [`stream`]) are the core's
//! pipeline; results cross to Python as Arrow through the C data / C stream interface
//! (`arrow-pyarrow`, and `__arrow_c_stream__` capsules), never as per-record objects.
//! The GIL is released while normalizing.

mod run;
mod stream;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{RecordBatch, RecordBatchIterator, RecordBatchReader};
use arrow_pyarrow::{IntoPyArrow, ToPyArrow};
use arrow_schema::SchemaRef;
use normalog::pipeline::input::SharedReader;
use normalog::pipeline::{self, Batch, Input};
use normalog::sink::arrow::arrow_schema;
use normalog::sink::Summary;
use normalog::{NormalizerBuilder, Registry, SchemaErrors};
use pyo3::create_exception;
use pyo3::exceptions::{PyFileNotFoundError, PyRuntimeError, PyStopIteration, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyCapsule, PyDict, PyList};

use run::{FailedInput, Job, Outcome, Rejects};

create_exception!(
    _normalog,
    SchemaError,
    PyValueError,
    "Schemas that cannot be loaded: the message lists every problem with file:line:col, as the CLI prints them."
);

/// Rows per record batch unless told otherwise (Spark's Arrow vectors, DuckDB and Polars
/// all take batches of this size comfortably).
const DEFAULT_BATCH_ROWS: usize = 65_536;

/// The name of in-memory input in rejects, unless told otherwise.
const BYTES_SOURCE: &str = "<bytes>";

/// A compiled set of log schemas, ready to normalize bytes, files and directories.
#[pyclass(module = "normalog", frozen)]
struct Normalizer {
    job: Job,
    /// The log types this normalizer tries, in order.
    log_types: Vec<String>,
    threads: usize,
}

/// Schemas: `None` (built in), one path, or a list of paths; every problem of every file
/// is reported, as by the CLI.
fn load_registry(schemas: Option<&Bound<'_, PyAny>>) -> PyResult<Registry> {
    let Some(schemas) = schemas.filter(|s| !s.is_none()) else {
        return Ok(Registry::builtin());
    };
    let paths: Vec<PathBuf> = if let Ok(p) = schemas.extract::<PathBuf>() {
        vec![p]
    } else {
        schemas.extract::<Vec<PathBuf>>().map_err(|_| {
            PyValueError::new_err("schemas must be None, a path, or a list of paths")
        })?
    };
    let mut registry = Registry::new();
    let mut errors = Vec::new();
    for p in &paths {
        if let Err(e) = registry.add_path(p) {
            errors.extend(e.0);
        }
    }
    if errors.is_empty() {
        Ok(registry)
    } else {
        Err(schema_error(&SchemaErrors(errors)))
    }
}

fn schema_error(errors: &SchemaErrors) -> PyErr {
    let lines: Vec<String> = errors.0.iter().map(ToString::to_string).collect();
    SchemaError::new_err(lines.join("\n"))
}

fn unknown_log_type(e: &normalog::Error, registry: &Registry) -> PyErr {
    // The CLI's wording (cli/normalize/mod.rs).
    let known: Vec<&str> = registry.log_types().collect();
    PyValueError::new_err(format!("{e} (loaded log types: {})", known.join(", ")))
}

fn runtime_error(e: impl std::fmt::Display) -> PyErr {
    PyRuntimeError::new_err(e.to_string())
}

#[pymethods]
impl Normalizer {
    #[new]
    #[pyo3(signature = (
        schemas=None, log_types=None, source_id=None, source_label=None, *,
        threads=None, batch_rows=DEFAULT_BATCH_ROWS, envelope=None,
        max_record_bytes=None, max_document_bytes=None,
    ))]
    #[allow(clippy::too_many_arguments)] // Python keyword arguments
    fn new(
        schemas: Option<&Bound<'_, PyAny>>,
        log_types: Option<Vec<String>>,
        source_id: Option<String>,
        source_label: Option<String>,
        threads: Option<usize>,
        batch_rows: usize,
        envelope: Option<String>,
        max_record_bytes: Option<usize>,
        max_document_bytes: Option<usize>,
    ) -> PyResult<Self> {
        if log_types.as_ref().is_some_and(Vec::is_empty) {
            return Err(PyValueError::new_err(
                "log_types must be None (classify among all) or a non-empty list",
            ));
        }
        if threads == Some(0) {
            return Err(PyValueError::new_err("threads must be at least 1"));
        }
        if batch_rows == 0 {
            return Err(PyValueError::new_err("batch_rows must be at least 1"));
        }
        let registry = load_registry(schemas)?;
        let mut builder = NormalizerBuilder::new();
        builder
            .log_types(log_types.unwrap_or_default())
            .source_id(source_id)
            .source_label(source_label);
        let mut batch = Batch::new();
        batch.envelope(envelope);
        if let Some(n) = max_record_bytes {
            builder.max_record_bytes(n);
            batch.max_record_bytes(n);
        }
        if let Some(n) = max_document_bytes {
            batch.max_document_bytes(n);
        }
        let normalizer = builder
            .build(&registry)
            .map_err(|e| unknown_log_type(&e, &registry))?;
        let log_types = normalizer.log_types().map(str::to_owned).collect();
        let threads = threads.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
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

    /// Threads of `normalize` over several inputs.
    #[getter]
    fn threads(&self) -> usize {
        self.threads
    }

    /// The `pyarrow.Schema` of a log type's events (the CLI's Parquet schema).
    fn arrow_schema<'py>(&self, py: Python<'py>, log_type: &str) -> PyResult<Bound<'py, PyAny>> {
        self.schema_of(log_type)?.as_ref().to_pyarrow(py)
    }

    /// The Arrow schema of the rejects table.
    #[staticmethod]
    fn rejects_schema(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        run::rejects_schema().as_ref().to_pyarrow(py)
    }

    /// Normalize `data` (bytes, or a path to a file or directory, or a list of paths) into
    /// pyarrow tables, one per log type seen, with the rejects and counts.
    #[pyo3(signature = (data, *, source=None))]
    fn normalize(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        source: Option<String>,
    ) -> PyResult<NormalizeResult> {
        let inputs = inputs_of(data)?;
        let job = self.job_named(source);
        let threads = self.threads;
        let outcome = py
            .detach(|| run::collect(&job, &inputs, threads))
            .map_err(runtime_error)?;
        NormalizeResult::new(py, outcome, &job, self.single_log_type().as_deref())
    }

    /// The events of one log type as a stream of `pyarrow.RecordBatch`es of at most
    /// `batch_rows` rows, normalized on a background thread while they are read.
    #[pyo3(signature = (data, log_type=None, *, source=None))]
    fn iter_batches(
        &self,
        data: &Bound<'_, PyAny>,
        log_type: Option<String>,
        source: Option<String>,
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
        let inputs = inputs_of(data)?;
        let (rx, end) = stream::start(self.job_named(source), inputs, log_type, self.threads);
        Ok(BatchStream {
            schema,
            rx: Mutex::new(Some(rx)),
            end,
        })
    }

    /// Only the rejects of `data` (a pyarrow table), with the counts: events are normalized
    /// and dropped.
    #[pyo3(signature = (data, *, source=None))]
    fn rejects<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'_, PyAny>,
        source: Option<String>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyDict>)> {
        let inputs = inputs_of(data)?;
        let job = self.job_named(source);
        let (rejects, summary) = py
            .detach(|| run::rejects_only(&job, &inputs))
            .map_err(runtime_error)?;
        let table = rejects_table(py, &rejects)?;
        let stats = stats_dict(py, &summary, rejects.failed())?;
        Ok((table, stats))
    }

    fn __repr__(&self) -> String {
        format!("normalog.Normalizer(log_types={:?})", self.log_types)
    }
}

impl Normalizer {
    fn schema_of(&self, log_type: &str) -> PyResult<SchemaRef> {
        let registry = &self.job.registry;
        if let Some(plan) = registry.get(log_type) {
            return Ok(arrow_schema(plan));
        }
        let err = NormalizerBuilder::new()
            .log_types([log_type])
            .build(registry)
            .err()
            .ok_or_else(|| runtime_error("log type both missing and found"))?;
        Err(unknown_log_type(&err, registry))
    }

    fn single_log_type(&self) -> Option<String> {
        match self.log_types.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        }
    }

    fn job_named(&self, source: Option<String>) -> Job {
        let mut job = self.job.clone();
        if let Some(s) = source {
            job.reader_name = s;
        }
        job
    }
}

/// Inputs of a call: bytes-like data (read in memory, compression detected), or a path (a
/// directory is walked as by the CLI), or a list of paths.
fn inputs_of(data: &Bound<'_, PyAny>) -> PyResult<Vec<Input>> {
    let bytes: Option<Vec<u8>> = if let Ok(b) = data.cast::<PyBytes>() {
        Some(b.as_bytes().to_vec())
    } else if let Ok(b) = data.cast::<PyByteArray>() {
        Some(b.to_vec())
    } else if data.hasattr("__buffer__")? && !data.is_instance_of::<pyo3::types::PyString>() {
        // memoryview and other buffers: copied once through bytes().
        let b = data
            .py()
            .import("builtins")?
            .getattr("bytes")?
            .call1((data,))?;
        Some(b.cast::<PyBytes>()?.as_bytes().to_vec())
    } else {
        None
    };
    if let Some(bytes) = bytes {
        return Ok(vec![Input::Reader(SharedReader::new(
            std::io::Cursor::new(bytes),
        ))]);
    }
    let paths: Vec<PathBuf> = if let Ok(p) = data.extract::<PathBuf>() {
        vec![p]
    } else if data.is_instance_of::<PyList>() || data.is_instance_of::<pyo3::types::PyTuple>() {
        data.extract::<Vec<PathBuf>>()?
    } else {
        return Err(PyValueError::new_err(
            "data must be bytes, a path (str or os.PathLike), or a list of paths",
        ));
    };
    for p in &paths {
        if !p.exists() {
            return Err(PyFileNotFoundError::new_err(format!(
                "{}: No such file or directory",
                p.display()
            )));
        }
    }
    Ok(pipeline::expand(&paths))
}

fn reader_of(schema: SchemaRef, batches: Vec<RecordBatch>) -> Box<dyn RecordBatchReader + Send> {
    Box::new(RecordBatchIterator::new(
        batches.into_iter().map(Ok),
        schema,
    ))
}

/// Batches as a `pyarrow.Table`: one C stream, read by pyarrow without copying buffers.
fn table(
    py: Python<'_>,
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
) -> PyResult<Bound<'_, PyAny>> {
    reader_of(schema, batches)
        .into_pyarrow(py)?
        .call_method0("read_all")
}

fn rejects_table<'py>(py: Python<'py>, rejects: &Rejects) -> PyResult<Bound<'py, PyAny>> {
    let batch = rejects.finish().map_err(runtime_error)?;
    table(py, batch.schema(), vec![batch])
}

fn stats_dict<'py>(
    py: Python<'py>,
    s: &Summary,
    failed: &[FailedInput],
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("records", s.records)?;
    d.set_item("normalized", s.by_log_type.clone())?;
    d.set_item("rejected", s.rejected)?;
    d.set_item("rejected_by_reason", s.rejects_by_reason.clone())?;
    d.set_item("blank_lines", s.blank_lines)?;
    d.set_item("skipped_lines", s.skipped_lines)?;
    d.set_item("bytes", s.bytes)?;
    let failed_list = PyList::empty(py);
    for f in failed {
        let item = PyDict::new(py);
        item.set_item("source", &f.source)?;
        item.set_item("error", &f.error)?;
        item.set_item("records", f.records)?;
        failed_list.append(item)?;
    }
    d.set_item("failed_inputs", failed_list)?;
    Ok(d)
}

/// What `Normalizer.normalize` returns: `tables`, `rejects`, `stats`.
#[pyclass(module = "normalog", frozen)]
struct NormalizeResult {
    tables: Py<PyDict>,
    rejects: Py<PyAny>,
    stats: Py<PyDict>,
    /// The table streamed by `__arrow_c_stream__`: the normalizer's only log type.
    single: Option<Py<PyAny>>,
}

impl NormalizeResult {
    fn new(py: Python<'_>, outcome: Outcome, job: &Job, single: Option<&str>) -> PyResult<Self> {
        let tables = PyDict::new(py);
        let mut single_table = None;
        for (log_type, batches) in outcome.tables {
            let schema = match batches.first() {
                Some(b) => b.schema(),
                None => continue,
            };
            let t = table(py, schema, batches)?;
            if single == Some(&*log_type) {
                single_table = Some(t.clone().unbind());
            }
            tables.set_item(log_type, t)?;
        }
        if let (Some(lt), None) = (&single, &single_table) {
            // No event of the only log type: an empty table with its schema.
            if let Some(plan) = job.registry.get(lt) {
                single_table = Some(table(py, arrow_schema(plan), Vec::new())?.unbind());
            }
        }
        let rejects = rejects_table(py, &outcome.rejects)?;
        let stats = stats_dict(py, &outcome.summary, outcome.rejects.failed())?;
        Ok(NormalizeResult {
            tables: tables.unbind(),
            rejects: rejects.unbind(),
            stats: stats.unbind(),
            single: single_table,
        })
    }
}

#[pymethods]
impl NormalizeResult {
    /// `{log_type: pyarrow.Table}`, one per log type seen, in order of first appearance.
    #[getter]
    fn tables(&self, py: Python<'_>) -> Py<PyDict> {
        self.tables.clone_ref(py)
    }

    /// The rejected records as a pyarrow table (the CLI's rejects file as columns).
    #[getter]
    fn rejects(&self, py: Python<'_>) -> Py<PyAny> {
        self.rejects.clone_ref(py)
    }

    /// Counts: records, normalized per log type, rejected (and per reason), failed inputs.
    #[getter]
    fn stats(&self, py: Python<'_>) -> Py<PyDict> {
        self.stats.clone_ref(py)
    }

    /// The table of one log type (an empty table if none of its events was seen).
    fn __getitem__<'py>(&self, py: Python<'py>, log_type: &str) -> PyResult<Bound<'py, PyAny>> {
        match self.tables.bind(py).get_item(log_type)? {
            Some(t) => Ok(t),
            None => Err(pyo3::exceptions::PyKeyError::new_err(log_type.to_owned())),
        }
    }

    /// The Arrow C stream of the events, when the normalizer has a single log type (else
    /// pick one: `result.tables[log_type]`).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let Some(t) = &self.single else {
            return Err(PyValueError::new_err(
                "this result holds several log types: stream one of result.tables[log_type]",
            ));
        };
        t.bind(py)
            .call_method1("__arrow_c_stream__", (requested_schema,))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let stats = self.stats.bind(py);
        Ok(format!(
            "normalog.NormalizeResult(records={}, normalized={}, rejected={})",
            stats
                .get_item("records")?
                .map_or(String::new(), |v| v.to_string()),
            stats
                .get_item("normalized")?
                .map_or(String::new(), |v| v.to_string()),
            stats
                .get_item("rejected")?
                .map_or(String::new(), |v| v.to_string()),
        ))
    }
}

/// What `Normalizer.iter_batches` returns: an iterator of `pyarrow.RecordBatch`, also an
/// Arrow C stream (`__arrow_c_stream__`, readable once); `rejects` and `stats` once read.
#[pyclass(module = "normalog", frozen)]
struct BatchStream {
    schema: SchemaRef,
    rx: Mutex<Option<std::sync::mpsc::Receiver<stream::Msg>>>,
    end: Arc<Mutex<Option<stream::End>>>,
}

#[pymethods]
impl BatchStream {
    /// The `pyarrow.Schema` of the batches.
    #[getter]
    fn schema<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.schema.as_ref().to_pyarrow(py)
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let msg = py.detach(|| {
            let guard = self.rx.lock().ok()?;
            guard.as_ref()?.recv().ok()
        });
        match msg {
            Some(stream::Msg::Batch(b)) => b.to_pyarrow(py),
            Some(stream::Msg::Done(Err(e))) => {
                self.close();
                Err(runtime_error(e))
            }
            Some(stream::Msg::Done(Ok(()))) | None => {
                self.close();
                Err(PyStopIteration::new_err(()))
            }
        }
    }

    /// The Arrow C stream of the remaining batches (the stream is then consumed).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        // The schema is ours; a requested schema is a hint the producer may ignore.
        let _ = requested_schema;
        let rx = self
            .rx
            .lock()
            .ok()
            .and_then(|mut r| r.take())
            .ok_or_else(|| PyValueError::new_err("the stream was already read"))?;
        let reader = stream::ChannelReader {
            rx,
            schema: Arc::clone(&self.schema),
            done: false,
        };
        let ffi = FFI_ArrowArrayStream::new(Box::new(reader));
        PyCapsule::new_with_value(py, ffi, c"arrow_array_stream")
    }

    /// The remaining batches as one `pyarrow.Table`.
    fn read_all<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let rx = self
            .rx
            .lock()
            .ok()
            .and_then(|mut r| r.take())
            .ok_or_else(|| PyValueError::new_err("the stream was already read"))?;
        let reader: Box<dyn RecordBatchReader + Send> = Box::new(stream::ChannelReader {
            rx,
            schema: Arc::clone(&self.schema),
            done: false,
        });
        let pa_reader = reader.into_pyarrow(py)?;
        // pyarrow reads the stream without the GIL.
        pa_reader.call_method0("read_all")
    }

    /// The rejects (a pyarrow table), once every batch was read.
    #[getter]
    fn rejects<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let end = self.end.lock().map_err(runtime_error)?;
        let end = end
            .as_ref()
            .ok_or_else(|| runtime_error("rejects are known once every batch was read"))?;
        rejects_table(py, &end.rejects)
    }

    /// The counts, once every batch was read.
    #[getter]
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let end = self.end.lock().map_err(runtime_error)?;
        let end = end
            .as_ref()
            .ok_or_else(|| runtime_error("stats are known once every batch was read"))?;
        stats_dict(py, &end.summary, end.rejects.failed())
    }
}

impl BatchStream {
    fn close(&self) {
        if let Ok(mut rx) = self.rx.lock() {
            rx.take();
        }
    }
}

#[pymodule]
fn _normalog(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Normalizer>()?;
    m.add_class::<NormalizeResult>()?;
    m.add_class::<BatchStream>()?;
    m.add("SchemaError", m.py().get_type::<SchemaError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
