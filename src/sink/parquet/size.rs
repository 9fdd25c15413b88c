//! The size of a part file written by a writer thread, for the target file size
//! ([`ParquetWriter::set_target_file_size`](super::ParquetWriter::set_target_file_size)).
//!
//! The writer decides when to close a file, but the file's bytes are written by its
//! thread, a few writes behind. Reading whatever size the thread reached so far would make
//! the files of a run depend on the threads' timing; a re-run would then cut other files.
//! So the thread logs the file's size after each write ([`SizeLog`]), and the writer, about
//! to send write `n`, looks at the size after write `n - SIZE_LAG` (waiting for it if the
//! thread is further behind): the same number for the same input, however the threads ran.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// How many writes behind the writer reads a file's size: enough that the writer rarely
/// waits (the thread's queue holds 8 messages, shared by its files), few enough that a file
/// goes little past its target (a write is a chunk's rows of one partition: about 1 MiB of
/// input split among the tables).
pub(super) const SIZE_LAG: u64 = 4;

/// The sizes of a file after each of its writes, oldest first.
#[derive(Default)]
pub(super) struct SizeLog {
    /// `(number of the write of the front entry, sizes)`; writes are numbered from 1.
    sizes: Mutex<(u64, VecDeque<u64>)>,
    logged: Condvar,
}

impl SizeLog {
    /// Log the size after the file's next write (the writer thread).
    pub(super) fn push(&self, size: u64) {
        if let Ok(mut s) = self.sizes.lock() {
            if s.1.is_empty() && s.0 == 0 {
                s.0 = 1;
            }
            s.1.push_back(size);
        }
        self.logged.notify_all();
    }

    /// The size after write `n` of `log` (1-based), waiting for the thread to get there;
    /// 0 for write 0. Entries before `n` are dropped: the writer asks in increasing order.
    /// If the thread is gone (it failed: the run fails too), the last size known.
    pub(super) fn after(log: &Arc<SizeLog>, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let Ok(mut s) = log.sizes.lock() else {
            return 0;
        };
        loop {
            let (first, sizes) = &mut *s;
            while *first < n && sizes.len() > 1 {
                sizes.pop_front();
                *first += 1;
            }
            let logged = *first + sizes.len() as u64; // one past the last write logged
            if *first <= n && n < logged {
                return sizes
                    .get(usize::try_from(n - *first).unwrap_or(0))
                    .copied()
                    .unwrap_or(0);
            }
            // Only the writer holds the log once its thread has dropped the file.
            if Arc::strong_count(log) == 1 {
                return sizes.back().copied().unwrap_or(0);
            }
            match log.logged.wait_timeout(s, Duration::from_millis(20)) {
                Ok((guard, _)) => s = guard,
                Err(_) => return 0,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_by_write_number() {
        let log = Arc::new(SizeLog::default());
        assert_eq!(SizeLog::after(&log, 0), 0);
        let thread = Arc::clone(&log);
        let h = std::thread::spawn(move || {
            for size in [10, 20, 30, 40] {
                std::thread::sleep(Duration::from_millis(5));
                thread.push(size);
            }
        });
        // Waits for the thread: always the size after that write.
        assert_eq!(SizeLog::after(&log, 2), 20);
        assert_eq!(SizeLog::after(&log, 4), 40);
        h.join().expect("thread");
        // The thread is gone: the last size known.
        assert_eq!(SizeLog::after(&log, 9), 40);
    }
}
