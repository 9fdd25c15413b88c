//! Long calls that Ctrl-C stops: the run goes on a thread of its own while the caller's
//! thread waits without the GIL and checks Python's signals between waits.
//!
//! Why: `normalize` ran on the caller's thread with the GIL released, and Python runs
//! signal handlers only on the main thread between bytecodes, so a `KeyboardInterrupt`
//! came once the whole archive was read (9 s for 600,000 records), and its result was
//! thrown away.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use pyo3::prelude::*;

use crate::runtime_error;

/// How often the waiting thread checks for a signal: a Ctrl-C takes at most this long
/// to be seen, plus what the run takes to stop (a chunk).
const POLL: Duration = Duration::from_millis(50);

/// `work` (a run that stops early once `cancel` is set: [`normalog::pipeline::Batch::cancel_on`])
/// on a thread of its own; on a signal whose handler raises (Ctrl-C), `cancel` is set,
/// the run is waited for, and the handler's exception is raised.
pub(crate) fn run<T: Send>(
    py: Python<'_>,
    cancel: &Arc<AtomicBool>,
    work: impl FnOnce() -> T + Send,
) -> PyResult<T> {
    std::thread::scope(|s| {
        let (tx, rx) = sync_channel(1);
        let handle = std::thread::Builder::new()
            .name("normalog-run".into())
            .spawn_scoped(s, move || {
                let _ = tx.send(work());
            })
            .map_err(runtime_error)?;
        let mut handle = Some(handle);
        let mut rx = rx;
        loop {
            // The receiver is not `Sync`: it goes to the wait without the GIL and back.
            let (got, back) = py.detach(move || (rx.recv_timeout(POLL), rx));
            rx = back;
            match got {
                Ok(out) => return Ok(out),
                Err(RecvTimeoutError::Timeout) => {}
                // The thread ended without sending: it panicked. Joined here, its panic
                // is this error (the scope would panic again with it).
                Err(RecvTimeoutError::Disconnected) => {
                    let _ = handle.take().map(std::thread::ScopedJoinHandle::join);
                    return Err(runtime_error("the run stopped unexpectedly (a bug)"));
                }
            }
            if let Err(e) = py.check_signals() {
                cancel.store(true, Ordering::Relaxed);
                // The scope waits for the run, which stops at its next check.
                return Err(e);
            }
        }
    })
}
