//! The interpreter's exit while a daemon thread is inside a normalog call.
//!
//! Why: Python 3.10 to 3.13 end a thread that takes the GIL back during finalization with
//! `pthread_exit`, a forced unwind; a frame on the thread's stack that catches it (C++
//! code of pyarrow's, when the thread was turning a batch into a pyarrow one) aborts the
//! process ("FATAL: exception not rethrown"). A daemon thread iterating a stream when the
//! program ended aborted it in 3 to 8 runs of 8 (review s38-h1 F5).
//!
//! The module's `atexit` hook runs before finalization begins (and after the non-daemon
//! threads were joined): it marks the exit, then lets go of the GIL until every thread
//! inside a call of ours has left it. From then on, a call from another thread, or its next
//! wait for the run, raises `SystemExit`, which ends a thread quietly, so that no thread
//! of ours is in pyarrow when finalization begins. Not a hang: an `atexit` function
//! registered before `import normalog` runs after the hook, and may stop and join a worker
//! that is in a normalog call (review s39-h6 F2: a hang kept that join waiting for ever).
//! The thread that ran the hook goes on as ever: such a function may normalize too.
//!
//! The hook of a subinterpreter's `atexit` (run when it is destroyed) marks nothing: the
//! process goes on (review s39-h6 F3).

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use pyo3::exceptions::PySystemExit;
use pyo3::prelude::*;

/// Set by [`before_exit`].
static EXITING: AtomicBool = AtomicBool::new(false);
/// The thread that ran [`before_exit`].
static EXIT_THREAD: OnceLock<ThreadId> = OnceLock::new();
/// Threads inside a [`Call`].
static IN_CALL: AtomicUsize = AtomicUsize::new(0);
/// Threads outside a call about to take the GIL, or holding it ([`attach_unless_exiting`]).
static ATTACHING: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// How deep this thread is in calls of ours (a file object's `read()` may call one).
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// How long the exit waits for threads to leave their calls: longer than a wait
/// (`interrupt::POLL`) and a batch's conversion, short enough that a thread stuck in a
/// file object's `read()` does not hold up the exit for long.
const GRACE: Duration = Duration::from_secs(1);

/// A call of the module that waits for a run or calls pyarrow (held for the call's
/// length): `normalize`, `rejects`, a stream's next batch, a table or schema made.
pub(crate) struct Call(());

/// Enters a call; `SystemExit` once the interpreter exits, but in the exiting thread.
pub(crate) fn enter() -> PyResult<Call> {
    if exiting_elsewhere() {
        return Err(exiting());
    }
    DEPTH.with(|d| {
        if d.get() == 0 {
            IN_CALL.fetch_add(1, Ordering::SeqCst);
        }
        d.set(d.get() + 1);
    });
    Ok(Call(()))
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

/// `wait` without the GIL, like `py.detach`, within a [`Call`]; `SystemExit` when the
/// interpreter began to exit meanwhile (but in the exiting thread): the caller stops its
/// run and raises it, instead of making a pyarrow object.
pub(crate) fn detach<T: Send>(py: Python<'_>, wait: impl FnOnce() -> T + Send) -> PyResult<T> {
    let out = py.detach(wait);
    if exiting_elsewhere() {
        return Err(exiting());
    }
    Ok(out)
}

/// `f` with the GIL, from a thread outside any call of ours (pyarrow's reader of our C
/// stream, on the Python thread that took the stream, between two batches); `None` once the
/// interpreter exits (but in the exiting thread).
///
/// Why the thread is counted before it looks at the exit: one that saw no exit and then
/// took the GIL after the hook had returned did so during finalization, and the process
/// died of SIGSEGV (`pa.table(stream)` in a daemon thread at exit, once in CI; with a
/// 300 ms pause made between the look and the GIL, 22 runs in 24 took it during
/// finalization). Counted first, either the thread sees
/// the exit, or the hook sees the thread and lets go of the GIL until it is done.
pub(crate) fn attach_unless_exiting<T>(f: impl FnOnce(Python<'_>) -> T) -> Option<T> {
    ATTACHING.fetch_add(1, Ordering::SeqCst);
    let out = (!exiting_elsewhere()).then(|| Python::attach(f));
    ATTACHING.fetch_sub(1, Ordering::SeqCst);
    out
}

/// Whether the interpreter exits and this is not the thread that exits it.
pub(crate) fn exiting_elsewhere() -> bool {
    EXITING.load(Ordering::SeqCst) && EXIT_THREAD.get() != Some(&std::thread::current().id())
}

fn exiting() -> PyErr {
    PySystemExit::new_err("normalog: the interpreter is exiting; calls from other threads stop")
}

/// In the child of `os.fork()` (registered when the module is imported): only the thread
/// that forked is there, so the calls of the parent's other threads are not; counted, they
/// held up the child's exit by [`GRACE`].
#[pyfunction]
pub(crate) fn after_fork_in_child() {
    let in_call = DEPTH.with(|d| usize::from(d.get() > 0));
    IN_CALL.store(in_call, Ordering::SeqCst);
    // Nor are their waits for the GIL between two batches (review s47-h1 LOW-2: a child
    // forked then waited the whole grace at its exit).
    ATTACHING.store(0, Ordering::SeqCst);
}

/// The `atexit` hook (registered when the module is imported).
#[pyfunction]
pub(crate) fn before_exit(py: Python<'_>) {
    if !main_interpreter(py) {
        return;
    }
    let _ = EXIT_THREAD.set(std::thread::current().id());
    EXITING.store(true, Ordering::SeqCst);
    // A thread in a call that holds or waits for the GIL gets it now, before
    // finalization, and leaves the call (its next wait raises); so does one that takes it
    // outside a call.
    let busy = || IN_CALL.load(Ordering::SeqCst) > 0 || ATTACHING.load(Ordering::SeqCst) > 0;
    py.detach(|| {
        let deadline = Instant::now() + GRACE;
        let waited = busy();
        while busy() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        // A thread that left its call may still be in the frames that made it: pyarrow's
        // C++ reading our stream (`pa.table(stream)`) takes the GIL back to raise what the
        // call raised, and taken during finalization, that aborted the process ("terminate
        // called without an active exception", 2 runs in 80 of the exit test). It gets the
        // GIL now, while the hook still lets go of it.
        if waited {
            std::thread::sleep(UNWIND);
        }
    });
}

/// How long the exit still lets go of the GIL after the last thread left its call, for it
/// to leave the frames above the call (see [`before_exit`]).
const UNWIND: Duration = Duration::from_millis(50);

/// Whether this is the main interpreter, whose exit ends the process: not a
/// subinterpreter being destroyed (`_interpreters` from 3.13, `_xxsubinterpreters` before;
/// without either there are no subinterpreters).
/// A module that answers otherwise is taken for the main interpreter's.
fn main_interpreter(py: Python<'_>) -> bool {
    let is_main = |name: &str| -> PyResult<bool> {
        let m = py.import(name)?;
        m.call_method0("get_current")?
            .eq(m.call_method0("get_main")?)
    };
    ["_interpreters", "_xxsubinterpreters"]
        .into_iter()
        .find_map(|name| is_main(name).ok())
        .unwrap_or(true)
}
