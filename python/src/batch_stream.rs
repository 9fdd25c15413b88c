//! `normalog.BatchStream`: what `Normalizer.iter_batches` and `Normalizer.iter_rejects`
//! return, the Python face of the run on its own thread in `stream.rs` (an iterator of
//! record batches and an Arrow C stream), with the rejects and counts once every batch was
//! read.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::RecordBatch;
use arrow_pyarrow::ToPyArrow;
use arrow_schema::SchemaRef;
use pyo3::exceptions::{PyRuntimeError, PyStopIteration, PyValueError};
use pyo3::gc::PyVisit;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict};
use pyo3::PyTraverseError;

use crate::exit;
use crate::file_input::Pump;
use crate::inputs::{check_failed, warn_notes};
use crate::interrupt::{self, Woke};
use crate::runtime_error;
use crate::stream;
use crate::tables::{rejects_table, stats_dict, table};

/// What `Normalizer.iter_batches` and `Normalizer.iter_rejects` return: an iterator of
/// `pyarrow.RecordBatch`, also an Arrow C stream (`__arrow_c_stream__`, readable once);
/// `rejects` (if kept) and `stats` once read.
#[pyclass(module = "normalog", frozen)]
pub(crate) struct BatchStream {
    pub(crate) schema: SchemaRef,
    pub(crate) rx: Mutex<Option<crossbeam_channel::Receiver<stream::Msg>>>,
    /// The call's file object, read for the run while Python waits for a batch.
    pub(crate) pump: Option<Arc<Pump>>,
    /// Its batches went to a pyarrow reader of them ([`Exported`]: the Arrow C stream of a
    /// stream over a file object).
    pub(crate) exported: AtomicBool,
    pub(crate) end: Arc<Mutex<Option<stream::End>>>,
    /// Why `rejects` has no table when the run did not keep them.
    pub(crate) not_kept: &'static str,
    /// What the batches are, for `repr`: `log_type="Zoom.Activity"`, or `rejects`.
    pub(crate) what: String,
    /// How many inputs the call named: when none of them could be read, the end of the
    /// iteration raises, as `normalize` does ([`check_failed`]).
    pub(crate) inputs: usize,
    /// The run's cancel flag: set on Ctrl-C while waiting for a batch, and when the stream
    /// is dropped before its end (a loop left early), so that the run stops instead of
    /// reading on for nobody. Not once its batches went to a reader (`read_all`, the Arrow
    /// C stream): the reader has the run then.
    pub(crate) cancel: Arc<AtomicBool>,
    /// A Ctrl-C stopped the stream (and its run) before its end: later reads raise, where
    /// they ended as if the input had (review s46-h3 LOW-6).
    pub(crate) interrupted: AtomicBool,
}

impl Drop for BatchStream {
    fn drop(&mut self) {
        if self.rx.lock().is_ok_and(|rx| rx.is_some()) {
            self.cancel.store(true, Ordering::Relaxed);
        }
    }
}

#[pymethods]
impl BatchStream {
    /// Its file objects, for the garbage collector: a file object that keeps the stream
    /// it feeds (a cycle) is collected, and its run stopped (review s38-h1 F4). Nothing to
    /// clear: the cycle's other objects break it.
    #[allow(clippy::needless_pass_by_value)] // the signature PyO3 asks for
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        for file in self.pump.iter().flat_map(|pump| pump.file_objects()) {
            visit.call(file)?;
        }
        Ok(())
    }

    /// The `pyarrow.Schema` of the batches.
    #[getter]
    fn schema<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let _call = exit::enter()?;
        self.schema.as_ref().to_pyarrow(py)
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.not_exported()?;
        next_pyarrow(self, py)
    }

    /// The Arrow C stream of the remaining batches (the stream is then consumed).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        slf: &Bound<'py, Self>,
        requested_schema: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let py = slf.py();
        let this = slf.get();
        let _call = exit::enter()?;
        this.not_stopped()?;
        if this.pump.is_some() {
            // A file object is read by the thread that asks for the next batch, with the
            // GIL: pyarrow's reader of a Python iterator takes it on whatever thread the
            // consumer reads with (DuckDB reads on its own; a read of ours there waited for
            // the GIL that DuckDB's other threads held). The iterator is not the stream,
            // whose own iteration stops then (review s38-h1 F9: it took the reader's
            // batches).
            if this.exported.load(Ordering::Relaxed)
                || this.rx.lock().map_err(runtime_error)?.is_none()
            {
                return Err(PyValueError::new_err("the stream was already read"));
            }
            let batches = Exported {
                stream: slf.clone().unbind(),
            };
            let reader = py
                .import("pyarrow")?
                .getattr("RecordBatchReader")?
                .call_method1(
                    "from_batches",
                    (this.schema.as_ref().to_pyarrow(py)?, batches),
                )?
                .call_method1("__arrow_c_stream__", (requested_schema,))?
                .cast_into::<PyCapsule>()?;
            this.exported.store(true, Ordering::Relaxed);
            return Ok(reader);
        }
        // The schema is ours; a requested schema is a hint the producer may ignore.
        let _ = requested_schema;
        let ffi = FFI_ArrowArrayStream::new(Box::new(this.take_reader()?));
        PyCapsule::new_with_value(py, ffi, c"arrow_array_stream")
    }

    /// The remaining batches as one `pyarrow.Table`.
    fn read_all<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        // Read here, not by pyarrow's `read_all` of the C stream: that waits without the
        // GIL, where a Ctrl-C can only end the read as pyarrow's own error; here it is the
        // `KeyboardInterrupt` itself, within about a batch, as for `for batch in stream`.
        self.not_exported()?;
        let _call = exit::enter()?;
        self.not_stopped()?;
        // pyarrow imported before the batches are taken: a Ctrl-C during its first import
        // lost them all (review s46-h5 MEDIUM-2, as s46-h4 HIGH-1 for `next`).
        py.import("pyarrow")?;
        if self.rx.lock().map_err(runtime_error)?.is_none() {
            return Err(PyValueError::new_err("the stream was already read"));
        }
        let mut batches = Vec::new();
        while let Some(b) = self.next_batch(py)? {
            batches.push(b);
            // A busy run sends a batch every few milliseconds, and no wait for one then
            // lasts long enough to look at signals: the read went on to the end of its
            // input (review s46-h2 MEDIUM-1). A loop over the stream needs no such look:
            // the interpreter runs the handler between its own steps.
            if let Err(e) = py.check_signals() {
                self.stop_interrupted();
                return Err(e);
            }
        }
        // Batches taken and not handed over: the stream cannot be read on.
        table(py, Arc::clone(&self.schema), batches).inspect_err(|_| self.stop_interrupted())
    }

    /// The rejects (a pyarrow table), once every batch was read; a `ValueError` if they
    /// were not kept (`keep_rejects=False`, or the stream of `iter_rejects`).
    #[getter]
    fn rejects<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let _call = exit::enter()?;
        // Copied out: the lock is not held while pyarrow makes the table (see `end_copy`).
        let batches = self
            .end_copy(|end| end.rejects.clone())?
            .ok_or_else(|| self.not_ended("rejects"))?
            .ok_or_else(|| PyValueError::new_err(self.not_kept))?;
        rejects_table(py, batches)
    }

    /// The counts, once every batch was read.
    #[getter]
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let (summary, failed, notes) = self
            .end_copy(|end| (end.summary.clone(), end.failed.clone(), end.notes.clone()))?
            .ok_or_else(|| self.not_ended("stats"))?;
        stats_dict(py, &summary, &failed, &notes)
    }

    /// What the batches are, and the main counts once the run is over.
    fn __repr__(&self) -> PyResult<String> {
        let end = self.end.lock().map_err(runtime_error)?;
        Ok(match end.as_ref() {
            // As NormalizeResult's: its repr counts the failed inputs too.
            Some(end) => format!(
                "normalog.BatchStream({}, records={}, rejected={}{})",
                self.what,
                end.summary.records,
                end.summary.rejected,
                match end.failed.len() {
                    0 => String::new(),
                    n => format!(", failed_inputs={n}"),
                }
            ),
            None => format!("normalog.BatchStream({})", self.what),
        })
    }
}

impl BatchStream {
    /// What `copy` takes of how the run ended, `None` before its end. The lock is held for
    /// the copy only, never while Python or pyarrow runs: `rejects` held it while pyarrow
    /// made the table (which lets go of the GIL), and `stats` or `repr` on another thread
    /// waited for it with the GIL held: the interpreter froze (review s47-h1 HIGH-3).
    fn end_copy<T>(&self, copy: impl FnOnce(&stream::End) -> T) -> PyResult<Option<T>> {
        Ok(self.end.lock().map_err(runtime_error)?.as_ref().map(copy))
    }

    /// `Err` once the batches went to a reader of the Arrow C stream ([`Exported`]).
    /// A `RuntimeError` once an exception (Ctrl-C) stopped the stream before its end:
    /// every later read says so (review s46-h3 LOW-6, s46-h4 LOW-3).
    fn not_stopped(&self) -> PyResult<()> {
        if self.interrupted.load(Ordering::Relaxed) {
            return Err(runtime_error(
                "the stream was stopped by an exception (Ctrl-C) before its end, and its run \
                 with it: read the input again with a new stream",
            ));
        }
        Ok(())
    }

    fn not_exported(&self) -> PyResult<()> {
        if self.exported.load(Ordering::Relaxed) {
            return Err(PyValueError::new_err(
                "the stream was read as an Arrow C stream (pa.table, DuckDB): its batches \
                 go to that reader",
            ));
        }
        Ok(())
    }

    /// The remaining batches as a record batch reader; the stream is then consumed.
    fn take_reader(&self) -> PyResult<stream::ChannelReader> {
        let rx = self
            .rx
            .lock()
            .ok()
            .and_then(|mut r| r.take())
            .ok_or_else(|| PyValueError::new_err("the stream was already read"))?;
        Ok(stream::ChannelReader {
            rx,
            schema: Arc::clone(&self.schema),
            done: false,
            cancel: Arc::clone(&self.cancel),
            paused_at_exit: false,
            owner: std::thread::current().id(),
        })
    }

    /// The next batch, `None` at the end (the run's notes warned of then). Waits of at most
    /// `POLL` without the GIL, Python's signals checked between them: a batch of a rare log
    /// type may take the whole input to come, and Ctrl-C stops the wait and the run. The
    /// run's reads of a file object are done here, meanwhile.
    fn next_batch(&self, py: Python<'_>) -> PyResult<Option<RecordBatch>> {
        self.not_stopped()?;
        let pump = self.pump.as_deref();
        if pump.is_some_and(Pump::serving) {
            return Err(read_while_serving());
        }
        let requests = pump.map(Pump::requests);
        let msg = loop {
            let waiting = pump.is_some_and(Pump::waiting);
            let got = exit::detach(py, || {
                let guard = self.rx.lock().ok()?;
                Some(interrupt::wait_for(guard.as_ref()?, requests, waiting))
            })
            .inspect_err(|_| {
                // The interpreter exits: the run stops on its own.
                self.cancel.store(true, Ordering::Relaxed);
                self.close();
            })?;
            let request = match got {
                Some(Woke::Timeout) => None,
                Some(Woke::Read(request)) => request,
                Some(Woke::Done(msg)) => break Some(msg),
                Some(Woke::Gone) | None => break None,
            };
            // Another thread reading this stream began to read its file object meanwhile:
            // the request is its to serve (review s47-h1 HIGH-2).
            if let Some(pump) = pump.filter(|p| p.serving()) {
                if let Some(request) = request {
                    pump.keep(request);
                }
                return Err(read_while_serving());
            }
            if let Err(e) = interrupt::between_waits(py, pump, request) {
                self.stop_interrupted();
                return Err(e);
            }
        };
        match msg {
            Some(stream::Msg::Batch(b)) => Ok(Some(b)),
            Some(stream::Msg::Done(Err(e))) => {
                self.close();
                Err(runtime_error(e))
            }
            Some(stream::Msg::Done(Ok(()))) => {
                self.close();
                // As `normalize` warns of them, and raises when no input could be read (a
                // mistyped path was an empty stream, its reason only in `stats`: review
                // s41-h3); `stats` has them too, for the readers of the C stream, which no
                // warning reaches.
                let (failed, notes) = self
                    .end
                    .lock()
                    .map_err(runtime_error)?
                    .as_ref()
                    .map(|end| (end.failed.clone(), end.notes.clone()))
                    .unwrap_or_default();
                check_failed(py, &failed, self.inputs)?;
                warn_notes(py, &notes)?;
                Ok(None)
            }
            None => {
                self.close();
                Ok(None)
            }
        }
    }

    fn close(&self) {
        if let Ok(mut rx) = self.rx.lock() {
            rx.take();
        }
    }

    /// Stop the run and the stream after a signal's exception.
    fn stop_interrupted(&self) {
        self.interrupted.store(true, Ordering::Relaxed);
        self.cancel.store(true, Ordering::Relaxed);
        self.close();
    }

    /// The error of a read of `what` (stats, rejects) before the stream's end.
    fn not_ended(&self, what: &str) -> PyErr {
        if self.interrupted.load(Ordering::Relaxed) {
            return runtime_error(format!(
                "{what} are not known: the stream was stopped by an exception (Ctrl-C) before \
                 its end, and its run with it; read the input again with a new stream"
            ));
        }
        runtime_error(format!("{what} are known once every batch was read"))
    }
}

/// The batches of a stream over a file object, for pyarrow's reader of them (the stream's
/// Arrow C stream): the stream's own iteration refuses once they went there.
#[pyclass(module = "normalog", frozen)]
struct Exported {
    stream: Py<BatchStream>,
}

#[pymethods]
impl Exported {
    #[allow(clippy::needless_pass_by_value)] // the signature PyO3 asks for
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.stream)
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        next_pyarrow(self.stream.get(), py)
    }
}

/// The stream's next batch as a `pyarrow.RecordBatch`; `StopIteration` at the end.
fn next_pyarrow<'py>(stream: &BatchStream, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
    let _call = exit::enter()?;
    // pyarrow imported before a batch is taken: the first import runs Python code, where a
    // Ctrl-C raises, and the batch taken was lost while the stream read on (review s46-h4
    // HIGH-1).
    py.import("pyarrow")?;
    match stream.next_batch(py)? {
        Some(b) => b.to_pyarrow(py).inspect_err(|_| {
            // A batch taken and not handed over: the stream cannot go on without a gap.
            stream.stop_interrupted();
        }),
        None => Err(PyStopIteration::new_err(())),
    }
}

/// A stream's next batch asked for while its file object is read for the run.
fn read_while_serving() -> PyErr {
    PyRuntimeError::new_err(
        "the stream's next batch was asked for while its file object is read for the run: by \
         that file object's own read(), which the batch waits for, or by another thread \
         reading this stream (read a stream from one thread)",
    )
}
