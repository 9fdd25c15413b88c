//! The interpreter's exit while a daemon thread is inside a normalog call.
//!
//! Why: Python 3.10 to 3.13 end a thread that takes the GIL back during finalization with
//! `pthread_exit`, a forced unwind; a frame on the thread's stack that catches it (C++
//! code of pyarrow's, when the thread was turning a batch into a pyarrow one) aborts the
//! process ("FATAL: exception not rethrown"). A daemon thread iterating a stream when the
//! program ended aborted it in 3 to 8 runs of 8 (review s38-h1 F5).
//!
//! The module's `atexit` hook runs before finalization begins (and after the non-daemon
//! threads were joined): it marks the exit, then lets go of the GIL until each thread inside
//! a call of ours has either left it or hung. From then on, a thread that ends a wait, or
//! enters a call, hangs without the GIL until the process ends, as Python 3.14 itself hangs
//! such threads. The thread that ran the hook never hangs: an `atexit` function registered
//! before `import normalog` may still normalize.
//!
//! Not covered: a thread inside Python code that a call of ours runs (a file object's
//! `read()`) that gives up the GIL itself when finalization begins.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use pyo3::prelude::*;

/// Set by [`before_exit`].
static EXITING: AtomicBool = AtomicBool::new(false);
/// The thread that ran [`before_exit`].
static EXIT_THREAD: OnceLock<ThreadId> = OnceLock::new();
/// Threads inside a [`Call`], and those of them hung in a wait.
static IN_CALL: AtomicUsize = AtomicUsize::new(0);
static HUNG: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// How deep this thread is in calls of ours (a file object's `read()` may call one).
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// How long the exit waits for threads to leave their calls: longer than a wait
/// (`interrupt::POLL`) and a batch's conversion, short enough that a thread stuck in a
/// file object's `read()` does not hold up the exit for long.
const GRACE: Duration = Duration::from_secs(1);

/// A call of the module that waits for a run or gives up the GIL (held for the call's
/// length): `normalize`, `rejects`, a stream's next batch.
pub(crate) struct Call(());

/// Enters a call; once the interpreter exits, a thread other than the exiting one hangs
/// here, without the GIL.
pub(crate) fn enter(py: Python<'_>) -> Call {
    if exiting_elsewhere() {
        py.detach(|| loop {
            std::thread::park();
        });
    }
    DEPTH.with(|d| {
        if d.get() == 0 {
            IN_CALL.fetch_add(1, Ordering::SeqCst);
        }
        d.set(d.get() + 1);
    });
    Call(())
}

impl Drop for Call {
    fn drop(&mut self) {
        DEPTH.with(|d| {
            d.set(d.get() - 1);
            if d.get() == 0 {
                IN_CALL.fetch_sub(1, Ordering::SeqCst);
            }
        });
    }
}

/// `wait` without the GIL, like `py.detach`, within a [`Call`]; once the interpreter
/// exits, a thread other than the exiting one hangs here instead of taking the GIL back.
pub(crate) fn detach<T: Send>(py: Python<'_>, wait: impl FnOnce() -> T + Send) -> T {
    py.detach(|| {
        let out = wait();
        hang_if_exiting();
        out
    })
}

/// Hangs the calling thread (which holds no GIL) for good once the interpreter exits,
/// unless it is the thread that exits it.
pub(crate) fn hang_if_exiting() {
    if !exiting_elsewhere() {
        return;
    }
    if DEPTH.with(Cell::get) > 0 {
        HUNG.fetch_add(1, Ordering::SeqCst);
    }
    loop {
        std::thread::park();
    }
}

fn exiting_elsewhere() -> bool {
    EXITING.load(Ordering::SeqCst) && EXIT_THREAD.get() != Some(&std::thread::current().id())
}

/// In the child of `os.fork()` (registered when the module is imported): only the thread
/// that forked is there, so the calls of the parent's other threads are not; counted, they
/// held up the child's exit by [`GRACE`].
#[pyfunction]
pub(crate) fn after_fork_in_child() {
    let in_call = DEPTH.with(|d| usize::from(d.get() > 0));
    IN_CALL.store(in_call, Ordering::SeqCst);
    HUNG.store(0, Ordering::SeqCst);
}

/// The `atexit` hook (registered when the module is imported).
#[pyfunction]
pub(crate) fn before_exit(py: Python<'_>) {
    let _ = EXIT_THREAD.set(std::thread::current().id());
    EXITING.store(true, Ordering::SeqCst);
    // A thread in a call that holds or waits for the GIL gets it now, before
    // finalization, and goes back to Python (a call it makes next hangs).
    py.detach(|| {
        let deadline = Instant::now() + GRACE;
        while IN_CALL.load(Ordering::SeqCst) > HUNG.load(Ordering::SeqCst)
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
}
