//! `iter_batches` and `iter_rejects`: a run on its own thread that hands record batches (of
//! one log type's events, or of the rejects) to Python through a bounded channel, so memory
//! stays bounded whatever the input size.
//!
//! The run waits when Python is behind (the channel holds [`IN_FLIGHT`] batches); when
//! Python drops the stream, the run stops at the next batch.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;

use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::{ArrowError, SchemaRef};
use crossbeam_channel::{bounded, Receiver, RecvTimeoutError, Sender};
use normalog::pipeline::Input;
use normalog::sink::Summary;

use pyo3::prelude::*;

use crate::run::{rejects_only, run_parallel, FailedInput, Job, Keep, Rejects};
use crate::{interrupt, runtime_error};

/// Batches waiting for Python, at most.
const IN_FLIGHT: usize = 2;

/// What the run thread sends.
pub enum Msg {
    Batch(RecordBatch),
    /// The end: `Err` with the message of the error that stopped the run.
    Done(Result<(), String>),
}

/// Where a run's end is put once it is over ([`End`]), for `rejects` and `stats`.
pub type EndSlot = Arc<Mutex<Option<End>>>;

/// How the run ended, for `rejects` and `stats` once the batches are read.
#[derive(Debug, Default)]
pub struct End {
    /// The rejects kept; `None` when they were only counted, or were the stream's batches.
    pub rejects: Option<Vec<RecordBatch>>,
    pub failed: Vec<FailedInput>,
    /// What the run had to say of inputs it read ([`Rejects::take_notes`]): `normalize`
    /// warns of them, a stream has them in `stats["notes"]` (and warns at its end).
    pub notes: Vec<String>,
    pub summary: Summary,
}

/// What the stream's batches are.
pub enum Of {
    /// The events of one log type, the rejects kept for `rejects` (`true`) or only
    /// counted.
    Events {
        log_type: String,
        keep_rejects: bool,
    },
    /// The rejects (events are normalized and dropped).
    Rejects,
}

/// Start the run of `inputs` on its own thread: the events of a log type (with a reader
/// and `threads` normalizer threads of the core's parallel path), or the rejects (one
/// thread); the batches come out of the receiver, and how the run ended is put in the
/// returned slot at the end.
///
/// # Errors
///
/// The system refused the thread (a `RuntimeError` that says so, not a panic).
pub fn start(
    job: Job,
    inputs: Vec<Input>,
    of: Of,
    threads: usize,
) -> PyResult<(Receiver<Msg>, EndSlot)> {
    let (tx, rx) = bounded(IN_FLIGHT);
    let end = Arc::new(Mutex::new(None));
    let slot = Arc::clone(&end);
    let thread = std::thread::Builder::new().name("normalog-stream".into());
    thread
        .spawn(move || {
            let result = match of {
                Of::Events {
                    log_type,
                    keep_rejects,
                } => {
                    let keep = if keep_rejects { Keep::All } else { Keep::Count };
                    let mut rejects = Rejects::new(&job.reader_name, job.batch_rows, keep);
                    let send = |b| tx.send(Msg::Batch(b)).is_ok();
                    run_parallel(&job, &inputs, threads, Some(&log_type), &mut rejects, send)
                        .map(|run| (rejects, run.summary))
                }
                Of::Rejects => {
                    let batches: Sender<Msg> = tx.clone();
                    let send = Box::new(move |b| batches.send(Msg::Batch(b)).is_ok());
                    let mut rejects =
                        Rejects::new(&job.reader_name, job.batch_rows, Keep::Stream(send));
                    rejects_only(&job, &inputs, &mut rejects).map(|summary| (rejects, summary))
                }
            };
            let done = result
                .map_err(|e| e.to_string())
                .and_then(|(mut rejects, summary)| {
                    let notes = rejects.take_notes();
                    let (kept, failed) = rejects.into_kept()?;
                    if let Ok(mut slot) = slot.lock() {
                        *slot = Some(End {
                            rejects: kept,
                            failed,
                            notes,
                            summary,
                        });
                    }
                    Ok(())
                });
            let _ = tx.send(Msg::Done(done));
        })
        .map_err(|e| runtime_error(format!("cannot start the stream's thread: {e}")))?;
    Ok((rx, end))
}

/// The receiver as an Arrow [`RecordBatchReader`], for the C stream interface: what
/// pyarrow (`pa.table(stream)`, `RecordBatchReader.from_stream`), Polars or DuckDB read,
/// without the GIL.
pub struct ChannelReader {
    pub rx: Receiver<Msg>,
    pub schema: SchemaRef,
    pub done: bool,
    /// The run's cancel flag, set when the read is interrupted.
    pub cancel: Arc<AtomicBool>,
    /// It paused once the interpreter exited ([`Self::pause_at_exit`]).
    pub paused_at_exit: bool,
    /// The Python thread that took the stream: signals are checked only when it is the one
    /// reading. A consumer's own thread (DuckDB reads on its workers) would wait for the GIL
    /// that the Python thread holds while it waits for that consumer.
    pub owner: ThreadId,
}

impl ChannelReader {
    /// The next message; waits of at most [`interrupt::POLL`], with Python's signals checked
    /// between them and after each message: a batch of a rare log type may take the whole
    /// input to come, a busy run sends one every few milliseconds (so that no wait lasts
    /// long enough: review s46-h2 MEDIUM-1), and Ctrl-C must stop the read (and the run)
    /// within about a batch, as it stops `for batch in stream`.
    fn recv(&mut self) -> Result<Option<Msg>, ArrowError> {
        let owner = std::thread::current().id() == self.owner;
        loop {
            let msg = match self.rx.recv_timeout(interrupt::POLL) {
                Ok(msg) => Some(msg),
                Err(RecvTimeoutError::Disconnected) => return Ok(None),
                Err(RecvTimeoutError::Timeout) => None,
            };
            if owner && !self.paused_at_exit && crate::exit::exiting_elsewhere() {
                self.pause_at_exit();
            }
            // Once the interpreter exits, its signals are not checked (`exit.rs`): the GIL is
            // not taken back here, where pyarrow's reader is on the stack.
            if owner {
                if let Some(Err(e)) = crate::exit::attach_unless_exiting(interrupt::check_signals) {
                    self.cancel.store(true, Ordering::Relaxed);
                    return Err(ArrowError::ExternalError(e.into()));
                }
            }
            if msg.is_some() {
                return Ok(msg);
            }
        }
    }

    /// The interpreter exits while the Python thread that took the stream reads it (a
    /// daemon thread in `pa.table(stream)`): no batch goes back to pyarrow for
    /// [`AFTER_EXIT`], in which the process ends as a rule. A batch handed on was imported
    /// while the process ended, in memory that `exit()` had freed: SIGSEGV (review s47-h1
    /// HIGH-4, 1 run in 150 to 330). Then the read goes on as before: an `atexit` function
    /// registered before `import normalog` may be waiting for it (joining the thread, or
    /// a DuckDB query that reads on this thread too), and a wait for ever hung that join,
    /// an error failed that query (review s47-h3 HIGH-1). A consumer's own threads
    /// (DuckDB's) read on without a pause (an end of the stream there made a query over
    /// part of the data complete as if whole: s47-h3 HIGH-2).
    fn pause_at_exit(&mut self) {
        self.paused_at_exit = true;
        std::thread::sleep(AFTER_EXIT);
    }
}

/// How long a stream's reader pauses once the interpreter exits
/// ([`ChannelReader::pause_at_exit`]): longer than an exit takes as a rule, short enough
/// for an `atexit` function that waits for its thread.
const AFTER_EXIT: std::time::Duration = std::time::Duration::from_secs(2);

impl Iterator for ChannelReader {
    type Item = Result<RecordBatch, ArrowError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.recv() {
            Ok(Some(Msg::Batch(b))) => Some(Ok(b)),
            Ok(Some(Msg::Done(Ok(()))) | None) => {
                self.done = true;
                None
            }
            Ok(Some(Msg::Done(Err(e)))) => {
                self.done = true;
                Some(Err(ArrowError::ExternalError(e.into())))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl RecordBatchReader for ChannelReader {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
}
