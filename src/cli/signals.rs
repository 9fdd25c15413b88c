//! Interrupts: SIGINT, SIGTERM and SIGHUP stop `normalize`, `pull`, `compact` and
//! `gen -o FILE` cleanly.
//!
//! The first signal only sets a flag ([`Interrupt::flag`]), which the library's run checks
//! between chunks ([`normalog::pipeline::Batch::cancel_on`]); the run stops, its writers
//! remove their temporary files, and the command exits with 128 + the signal's number (130
//! for SIGINT, 143 for SIGTERM, 129 for SIGHUP), as shells report a process killed by it.
//! Another signal at least [`REPEAT_GRACE`] after the first ends the process at once, as the
//! signal's default action would: its hidden temporary files are then left for the next
//! run into the same directory to remove. Signals closer to the first are the same request
//! again: `timeout(1)` sends its signal to the process and then to its process group, and a
//! supervisor may signal both too, so one stop would otherwise come as two.
//!
//! The handlers only store to atomics (signal-hook's `flag` module), which is all a signal
//! handler may safely do; a thread reads the signals again (signal-hook's iterator) to time
//! the repeats.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[cfg(unix)]
use signal_hook::consts::signal::SIGHUP;
use signal_hook::consts::signal::{SIGINT, SIGTERM};

/// The signals that stop a run.
#[cfg(unix)]
const SIGNALS: &[i32] = &[SIGINT, SIGTERM, SIGHUP];
#[cfg(not(unix))]
const SIGNALS: &[i32] = &[SIGINT, SIGTERM];

/// How long after the first signal another one is the same request (see the module docs).
const REPEAT_GRACE: Duration = Duration::from_secs(1);

/// Whether the command waits where no one looks at the flag: opening a named pipe (a
/// schema, an output, a token file given by name) waits for its other end, and a signal
/// then ends the process at once, as its default action would ([`at_once`]).
static AT_ONCE: AtomicBool = AtomicBool::new(false);

/// The flag of the installed handlers, for [`at_once`] (none: the signals' default actions).
static FLAG: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();

/// Whether a signal came (false when no handlers were installed).
pub(super) fn signalled() -> bool {
    FLAG.get().is_some_and(|f| f.load(Ordering::SeqCst))
}

/// Run `wait`, an open that may wait for the other end of a named pipe and looks at no
/// flag, so that a signal ends the process at once (nothing that needs removing is
/// written yet); the first signal was ignored there (reviews s43-h4 LOW-2, s44-h6 LOW-2,
/// s45-h4 LOW-6). A signal that came before is [`Fatal::Interrupted`].
pub(super) fn at_once<T>(wait: impl FnOnce() -> T) -> Result<T, super::Fatal> {
    AT_ONCE.store(true, Ordering::SeqCst);
    if FLAG.get().is_some_and(|f| f.load(Ordering::SeqCst)) {
        AT_ONCE.store(false, Ordering::SeqCst);
        return Err(super::Fatal::Interrupted("nothing was written".into()));
    }
    let out = wait();
    AT_ONCE.store(false, Ordering::SeqCst);
    Ok(out)
}

/// The handlers of one command: the flag they set, and the signal that set it.
pub(super) struct Interrupt {
    flag: Arc<AtomicBool>,
    /// The first signal, as the thread that times repeats saw it (0 until then).
    first: Arc<AtomicUsize>,
    /// The last signal, stored by the handlers themselves (a handler cannot tell whether
    /// it is the first without code this crate does not allow: `unsafe`).
    last: Arc<AtomicUsize>,
}

impl Interrupt {
    /// Install the handlers. One that cannot be installed leaves that signal's default
    /// action (the process ends at once), which is what it was without them.
    pub(super) fn install() -> Interrupt {
        let flag = Arc::new(AtomicBool::new(false));
        let first = Arc::new(AtomicUsize::new(0));
        let last = Arc::new(AtomicUsize::new(0));
        let repeats = watch_repeats(Arc::clone(&first));
        for &sig in SIGNALS {
            if !repeats {
                // Without the thread, any second signal: the default action first, armed
                // only once the flag is set.
                let _ = signal_hook::flag::register_conditional_default(sig, Arc::clone(&flag));
            }
            if let Ok(n) = usize::try_from(sig) {
                let _ = signal_hook::flag::register_usize(sig, Arc::clone(&last), n);
            }
            let _ = signal_hook::flag::register(sig, Arc::clone(&flag));
        }
        let _ = FLAG.set(Arc::clone(&flag));
        Interrupt { flag, first, last }
    }

    /// The flag that the handlers set.
    pub(super) fn flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.flag)
    }

    /// Whether a signal came.
    pub(super) fn fired(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// The signal's name and the exit status that reports it (128 + its number): the
    /// first signal's, when a second came within the grace (SIGINT then SIGTERM: 130).
    pub(super) fn status(&self) -> (&'static str, u8) {
        let n = match self.first.load(Ordering::SeqCst) {
            0 => self.last.load(Ordering::SeqCst),
            first => first,
        };
        (signal_name(n), u8::try_from(128 + n).unwrap_or(u8::MAX))
    }
}

/// The name of signal `n`, one of [`SIGNALS`].
fn signal_name(n: usize) -> &'static str {
    match i32::try_from(n) {
        Ok(SIGINT) => "SIGINT",
        Ok(SIGTERM) => "SIGTERM",
        #[cfg(unix)]
        Ok(SIGHUP) => "SIGHUP",
        _ => "a signal",
    }
}

/// Let a write past the file size limit (`ulimit -f`) fail with its error ("File too
/// large"), which names the file and leaves the run to remove its temporary files, instead
/// of SIGXFSZ ending the process at once without a word (review s45-h3 LOW-1). The handler
/// only stores to a flag no one reads.
pub(super) fn survive_file_size_limit() {
    #[cfg(unix)]
    {
        let ignored = Arc::new(AtomicBool::new(false));
        let _ = signal_hook::flag::register(signal_hook::consts::signal::SIGXFSZ, ignored);
    }
}

/// Start the thread that records the first signal in `first_signal` and ends the process
/// on a signal that comes [`REPEAT_GRACE`] or more after it; false when it cannot be
/// started.
fn watch_repeats(first_signal: Arc<AtomicUsize>) -> bool {
    let Ok(mut signals) = signal_hook::iterator::Signals::new(SIGNALS) else {
        return false;
    };
    let watcher = move || {
        let mut first: Option<Instant> = None;
        for sig in signals.forever() {
            match first {
                None => {
                    first = Some(Instant::now());
                    first_signal.store(usize::try_from(sig).unwrap_or(0), Ordering::SeqCst);
                    if AT_ONCE.load(Ordering::SeqCst) {
                        super::messages::error(&format!(
                            "interrupted by {} before the run started: nothing was written",
                            signal_name(usize::try_from(sig).unwrap_or(0))
                        ));
                        let _ = signal_hook::low_level::emulate_default_handler(sig);
                    }
                }
                Some(at) if at.elapsed() >= REPEAT_GRACE => {
                    // Ends the process as the signal would have (exit status and all).
                    let _ = signal_hook::low_level::emulate_default_handler(sig);
                }
                Some(_) => {}
            }
        }
    };
    std::thread::Builder::new()
        .name("normalog-signals".into())
        .spawn(watcher)
        .is_ok()
}
