//! Long calls that Ctrl-C stops: the run goes on a thread of its own while the caller's
//! thread waits without the GIL and checks Python's signals between waits.
//!
//! Why: `normalize` ran on the caller's thread with the GIL released, and Python runs
//! signal handlers only on the main thread between bytecodes, so a `KeyboardInterrupt`
//! came once the whole archive was read (9 s for 600,000 records), and its result was
//! thrown away.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{bounded, select_biased, Receiver};
use pyo3::prelude::*;

use crate::file_input::{Pump, Request};
use crate::runtime_error;

/// How often a waiting thread checks for a signal: a Ctrl-C takes at most this long to be
/// seen, plus what the run takes to stop (a chunk).
pub(crate) const POLL: Duration = Duration::from_millis(50);

/// `work` (a run that stops early once `cancel` is set:
/// [`normalog::pipeline::Batch::cancel_on`]) on a thread of its own. While it runs, this
/// thread reads the call's file objects for it (`pump`, `file_input.rs`). On a signal whose
/// handler raises (Ctrl-C), `cancel` is set and the run is waited for (without the GIL,
/// so that other Python threads go on; its reads are refused) before the handler's
/// exception is raised; a second signal raises at once and leaves the run to stop on its
/// own.
pub(crate) fn run<T: Send + 'static>(
    py: Python<'_>,
    cancel: &Arc<AtomicBool>,
    pump: Option<&Pump>,
    work: impl FnOnce() -> T + Send + 'static,
) -> PyResult<T> {
    let (tx, rx) = bounded(1);
    std::thread::Builder::new()
        .name("normalog-run".into())
        .spawn(move || {
            let _ = tx.send(work());
        })
        .map_err(runtime_error)?;
    let interrupted = loop {
        let woke = match wait(py, &rx, pump) {
            Ok(woke) => woke,
            // The interpreter exits (`exit.rs`): the run stops on its own.
            Err(exiting) => {
                cancel.store(true, Ordering::Relaxed);
                return Err(exiting);
            }
        };
        let request = match woke {
            Woke::Done(out) => return Ok(out),
            // The thread ended without sending: it panicked.
            Woke::Gone => return Err(runtime_error("the run stopped unexpectedly (a bug)")),
            Woke::Read(request) => request,
            Woke::Timeout => None,
        };
        if let Err(e) = between_waits(py, pump, request) {
            cancel.store(true, Ordering::Relaxed);
            break e;
        }
    };
    if let Some(pump) = pump {
        pump.refuse_pending("the call was interrupted");
    }
    loop {
        let Ok(woke) = wait(py, &rx, pump) else {
            // The interpreter exits: the run was told to stop already.
            return Err(interrupted);
        };
        match woke {
            Woke::Done(_) | Woke::Gone => return Err(interrupted),
            Woke::Read(request) => {
                if let Some(request) = request {
                    Pump::refuse(&request, "the call was interrupted");
                }
            }
            Woke::Timeout => {
                if py.check_signals().is_err() {
                    return Err(interrupted);
                }
            }
        }
    }
}

/// What a caller does between two waits for a run: answer the run's read of a file object
/// (a new request, or the one kept for a live stream that had nothing to read before),
/// then run Python's signal handlers; after a read too, since a file that reads fast may
/// keep this thread reading until the run's end, and its reads do not run them. `Err`
/// with what the caller raises after stopping the run.
pub(crate) fn between_waits(
    py: Python<'_>,
    pump: Option<&Pump>,
    request: Option<Request>,
) -> PyResult<()> {
    if let Some(pump) = pump {
        pump.serve(py, request)?;
    }
    py.check_signals()
}

/// What ended one wait of [`wait_for`].
pub(crate) enum Woke<T> {
    /// What the run sent.
    Done(T),
    /// The run's sender is gone.
    Gone,
    /// A read of a file object for the run (`None`: the requests ended).
    Read(Option<Request>),
    /// [`POLL`] went by.
    Timeout,
}

/// How long a wait lasts while a read of a live stream is kept for its data
/// ([`Pump::waiting`]): how late its bytes may be seen.
const LIVE_POLL: Duration = Duration::from_millis(20);

/// One wait, without the GIL, for what the run sends or for a read it asks of `pump`;
/// `SystemExit` when the interpreter began to exit meanwhile (`exit.rs`).
fn wait<T: Send>(py: Python<'_>, rx: &Receiver<T>, pump: Option<&Pump>) -> PyResult<Woke<T>> {
    let requests = pump.map(Pump::requests);
    let waiting = pump.is_some_and(Pump::waiting);
    crate::exit::detach(py, || wait_for(rx, requests, waiting))
}

/// One wait of at most [`POLL`] ([`LIVE_POLL`] when `waiting`: a read is kept for a live
/// stream) for a message of `rx` or a request of `requests`, the run's messages first; the
/// caller holds no GIL.
pub(crate) fn wait_for<T>(
    rx: &Receiver<T>,
    requests: Option<&Receiver<Request>>,
    waiting: bool,
) -> Woke<T> {
    let never = crossbeam_channel::never();
    let timeout = if waiting { LIVE_POLL } else { POLL };
    // Biased: a batch that is there goes to Python before any read is made.
    select_biased! {
        recv(rx) -> got => got.map_or(Woke::Gone, Woke::Done),
        recv(requests.unwrap_or(&never)) -> request => Woke::Read(request.ok()),
        default(timeout) => Woke::Timeout,
    }
}

/// Python's signal handlers run on behalf of a reader of the Arrow C stream (pyarrow,
/// Polars, DuckDB), which reads without the GIL: `Err` with what to tell the reader when
/// a handler raised. Only a message crosses the C stream, and the reader raises its own
/// error with it (pyarrow an `ArrowInvalid`), so a `KeyboardInterrupt` is asked for again
/// (`_thread.interrupt_main`): the caller's code gets it at its next step, as Ctrl-C
/// meant, not only an error that an `except Exception` would swallow.
pub(crate) fn check_signals(py: Python<'_>) -> Result<(), String> {
    let Err(e) = py.check_signals() else {
        return Ok(());
    };
    if e.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py) {
        let again = py
            .import("_thread")
            .and_then(|t| t.call_method0("interrupt_main"));
        if let Err(again) = again {
            return Err(format!(
                "KeyboardInterrupt: the read was interrupted ({again})"
            ));
        }
        return Err("KeyboardInterrupt: the read was interrupted, and the run stopped".into());
    }
    Err(format!(
        "a signal handler raised {e}: the read was interrupted, and the run stopped"
    ))
}
