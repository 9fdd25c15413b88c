//! Interrupts: SIGINT, SIGTERM and SIGHUP stop `normalize` and `pull` cleanly.
//!
//! The first signal only sets a flag ([`Interrupt::flag`]), which the library's run checks
//! between chunks ([`normalog::pipeline::Batch::cancel_on`]); the run stops, its writers
//! remove their temporary files, and the command exits with 128 + the signal's number (130
//! for SIGINT, 143 for SIGTERM, 129 for SIGHUP), as shells report a process killed by it.
//! A second signal while the first is being handled ends the process at once, as the
//! signal's default action would: its hidden temporary files are then left for the next
//! run into the same directory to remove.
//!
//! The handlers only store to atomics (signal-hook's `flag` module), which is all a signal
//! handler may safely do.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

#[cfg(unix)]
use signal_hook::consts::signal::SIGHUP;
use signal_hook::consts::signal::{SIGINT, SIGTERM};

/// The signals that stop a run.
#[cfg(unix)]
const SIGNALS: &[i32] = &[SIGINT, SIGTERM, SIGHUP];
#[cfg(not(unix))]
const SIGNALS: &[i32] = &[SIGINT, SIGTERM];

/// The handlers of one command: the flag they set, and the signal that set it.
pub(super) struct Interrupt {
    flag: Arc<AtomicBool>,
    signal: Arc<AtomicUsize>,
}

impl Interrupt {
    /// Install the handlers. One that cannot be installed leaves that signal's default
    /// action (the process ends at once), which is what it was without them.
    pub(super) fn install() -> Interrupt {
        let flag = Arc::new(AtomicBool::new(false));
        let signal = Arc::new(AtomicUsize::new(0));
        for &sig in SIGNALS {
            // In this order: the default action first, armed only once the flag is set.
            let _ = signal_hook::flag::register_conditional_default(sig, Arc::clone(&flag));
            if let Ok(n) = usize::try_from(sig) {
                let _ = signal_hook::flag::register_usize(sig, Arc::clone(&signal), n);
            }
            let _ = signal_hook::flag::register(sig, Arc::clone(&flag));
        }
        Interrupt { flag, signal }
    }

    /// The flag that the handlers set.
    pub(super) fn flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.flag)
    }

    /// Whether a signal came.
    pub(super) fn fired(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// The signal's name and the exit status that reports it (128 + its number).
    pub(super) fn status(&self) -> (&'static str, u8) {
        let n = self.signal.load(Ordering::SeqCst);
        let name = match i32::try_from(n) {
            Ok(SIGINT) => "SIGINT",
            Ok(SIGTERM) => "SIGTERM",
            #[cfg(unix)]
            Ok(SIGHUP) => "SIGHUP",
            _ => "a signal",
        };
        (name, u8::try_from(128 + n).unwrap_or(u8::MAX))
    }
}
