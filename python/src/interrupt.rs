//! Long calls that Ctrl-C stops: the run goes on a thread of its own while the caller's
//! thread waits without the GIL and checks Python's signals between waits.
//!
//! Why: `normalize` ran on the caller's thread with the GIL released, and Python runs
//! signal handlers only on the main thread between bytecodes, so a `KeyboardInterrupt`
//! came once the whole archive was read (9 s for 600,000 records), and its result was
//! thrown away.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use pyo3::prelude::*;

use crate::runtime_error;

/// How often a waiting thread checks for a signal: a Ctrl-C takes at most this long to be
/// seen, plus what the run takes to stop (a chunk).
pub(crate) const POLL: Duration = Duration::from_millis(50);

/// `work` (a run that stops early once `cancel` is set:
/// [`normalog::pipeline::Batch::cancel_on`]) on a thread of its own. On a signal whose
/// handler raises (Ctrl-C), `cancel` is set and the run is waited for (without the GIL,
/// so that other Python threads go on) before the handler's exception is raised; a second
/// signal raises at once and leaves the run to stop on its own.
pub(crate) fn run<T: Send + 'static>(
    py: Python<'_>,
    cancel: &Arc<AtomicBool>,
    work: impl FnOnce() -> T + Send + 'static,
) -> PyResult<T> {
    let (tx, rx) = sync_channel(1);
    std::thread::Builder::new()
        .name("normalog-run".into())
        .spawn(move || {
            let _ = tx.send(work());
        })
        .map_err(runtime_error)?;
    let mut rx = rx;
    let interrupted = loop {
        let (got, back) = wait(py, rx);
        rx = back;
        match got {
            Ok(out) => return Ok(out),
            Err(RecvTimeoutError::Timeout) => {}
            // The thread ended without sending: it panicked.
            Err(RecvTimeoutError::Disconnected) => {
                return Err(runtime_error("the run stopped unexpectedly (a bug)"))
            }
        }
        if let Err(e) = py.check_signals() {
            cancel.store(true, Ordering::Relaxed);
            break e;
        }
    };
    loop {
        let (got, back) = wait(py, rx);
        rx = back;
        if !matches!(got, Err(RecvTimeoutError::Timeout)) || py.check_signals().is_err() {
            return Err(interrupted);
        }
    }
}

/// One wait of at most [`POLL`] for the run's result, without the GIL. The receiver is not
/// `Sync`: it goes to the wait and back.
fn wait<T: Send>(py: Python<'_>, rx: Receiver<T>) -> (Result<T, RecvTimeoutError>, Receiver<T>) {
    py.detach(move || (rx.recv_timeout(POLL), rx))
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
