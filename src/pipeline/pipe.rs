//! Inputs that can wait forever for their next byte (standard input, a named pipe, a
//! terminal) are read on a thread of their own, so that a run can stop while they are
//! silent: `tail -f app.log | normalog normalize` with nothing new to read, or a pipe whose
//! writer sleeps, ignored SIGINT and SIGTERM until the writer wrote again or closed (the
//! reading thread sat in `read`, and the run waited for it). The thread reads blocks into a
//! small queue; [`Stoppable::read`] takes from it, and gives up with an error once the run's
//! stop flag is set. The thread itself may stay blocked in its `read` until the process
//! ends or the writer writes: nothing can wake it, and nothing waits for it. (So a program
//! that cancels a run reading its standard input and then reads standard input itself
//! may find the next block taken by that thread: for the CLI, which exits, it does not
//! matter.) A named pipe is opened on that thread too: opening one waits for a writer.
//!
//! Regular files never wait: they are read directly, without the extra thread and copy.

use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

/// Bytes the reading thread asks for at a time.
const BLOCK: usize = 64 * 1024;
/// Blocks read ahead of the consumer.
const QUEUE: usize = 4;
/// How often a waiting [`Stoppable::read`] looks at the stop flag.
const POLL: Duration = Duration::from_millis(50);

/// A reader whose reads stop, with an error, once `stop` is set (see the module docs).
pub(crate) struct Stoppable {
    rx: Receiver<io::Result<Vec<u8>>>,
    block: Vec<u8>,
    at: usize,
    /// The next block, taken from the queue to see whether there was one.
    ahead: Option<io::Result<Vec<u8>>>,
    ended: bool,
    stop: Arc<AtomicBool>,
}

impl Stoppable {
    /// Read `inner` on a new thread.
    ///
    /// # Errors
    ///
    /// The thread cannot be started.
    #[cfg(test)]
    fn new<R: Read + Send + 'static>(inner: R, stop: Arc<AtomicBool>) -> io::Result<Self> {
        Self::open(move || Ok(inner), stop)
    }

    /// Open a reader with `open` and read it, both on a new thread: opening a named pipe
    /// waits for a writer, and can wait as long as a read. An error opening it is the
    /// first read's.
    ///
    /// # Errors
    ///
    /// The thread cannot be started.
    pub(crate) fn open<R: Read + 'static>(
        open: impl FnOnce() -> io::Result<R> + Send + 'static,
        stop: Arc<AtomicBool>,
    ) -> io::Result<Self> {
        let (tx, rx) = sync_channel(QUEUE);
        std::thread::Builder::new()
            .name("normalog-pipe".into())
            .spawn(move || {
                let mut inner = match open() {
                    Ok(inner) => inner,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                };
                loop {
                    let mut block = vec![0; BLOCK];
                    match inner.read(&mut block) {
                        Ok(n) => {
                            block.truncate(n);
                            // The consumer is gone (stopped or done): so is the point of reading.
                            if tx.send(Ok(block)).is_err() || n == 0 {
                                return;
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            return;
                        }
                    }
                }
            })?;
        Ok(Stoppable {
            rx,
            block: Vec::new(),
            at: 0,
            ahead: None,
            ended: false,
            stop,
        })
    }
}

impl Read for Stoppable {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.at < self.block.len() {
                let left = self.block.len() - self.at;
                let mut n = out.len().min(left);
                // The framing takes a read that fills its buffer for a producer with more
                // to give, and waits for it (`chunker`): a burst of exactly 64 KiB from
                // `tail -f` waited for the next write. When nothing more has come, one
                // byte stays for the next read, so this one comes back short.
                if n == left && n == out.len() && n > 1 && !self.more_queued() {
                    n -= 1;
                }
                out[..n].copy_from_slice(&self.block[self.at..self.at + n]);
                self.at += n;
                return Ok(n);
            }
            if self.ended || out.is_empty() {
                return Ok(0);
            }
            if self.stop.load(Ordering::Relaxed) {
                // Not `Interrupted`: readers retry that kind.
                return Err(io::Error::other(
                    "the run was stopped while waiting for input",
                ));
            }
            let next = match self.ahead.take() {
                Some(next) => Ok(next),
                None => self.rx.recv_timeout(POLL),
            };
            match next {
                Ok(Ok(block)) => {
                    self.ended = block.is_empty();
                    (self.block, self.at) = (block, 0);
                }
                Ok(Err(e)) => {
                    self.ended = true;
                    return Err(e);
                }
                Err(RecvTimeoutError::Timeout) => {}
                // The thread ends after the end of the input or an error, both sent.
                Err(RecvTimeoutError::Disconnected) => self.ended = true,
            }
        }
    }
}

impl Stoppable {
    /// Whether the reading thread has queued another block (or the end, or an error).
    fn more_queued(&mut self) -> bool {
        if self.ahead.is_none() {
            self.ahead = self.rx.try_recv().ok();
        }
        self.ahead.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that gives its bytes, then blocks until `release` is dropped.
    struct Silent {
        data: Option<Vec<u8>>,
        release: Receiver<()>,
    }

    impl Read for Silent {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if let Some(data) = self.data.take() {
                out[..data.len()].copy_from_slice(&data);
                return Ok(data.len());
            }
            let _ = self.release.recv();
            Ok(0)
        }
    }

    #[test]
    fn reads_what_comes_then_stops_while_the_input_is_silent() {
        let (hold, release) = sync_channel(0);
        let stop = Arc::new(AtomicBool::new(false));
        let silent = Silent {
            data: Some(b"{\"a\":1}\n".to_vec()),
            release,
        };
        let mut r = Stoppable::new(silent, Arc::clone(&stop)).expect("thread");
        let mut buf = [0u8; 64];
        assert_eq!(r.read(&mut buf).expect("read"), 8);
        let flag = Arc::clone(&stop);
        let setter = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            flag.store(true, Ordering::Relaxed);
        });
        let e = r.read(&mut buf).expect_err("stopped");
        assert!(e.to_string().contains("stopped"), "{e}");
        setter.join().expect("setter");
        drop(hold);
    }

    /// A burst that fills a read exactly, then silence: the read comes back short (the
    /// framing's sign that the producer paused) and the rest of the burst comes at once.
    #[test]
    fn a_burst_that_fills_a_read_comes_back_short() {
        let (hold, release) = sync_channel(0);
        let stop = Arc::new(AtomicBool::new(false));
        let silent = Silent {
            data: Some(vec![b'x'; BLOCK]),
            release,
        };
        let mut r = Stoppable::new(silent, Arc::clone(&stop)).expect("thread");
        let mut buf = vec![0u8; BLOCK];
        assert_eq!(r.read(&mut buf).expect("read"), BLOCK - 1);
        assert_eq!(r.read(&mut buf).expect("read"), 1);
        stop.store(true, Ordering::Relaxed);
        assert!(r.read(&mut buf).is_err(), "silent: stopped");
        drop(hold);
    }

    #[test]
    fn passes_everything_through_to_the_end() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let stop = Arc::new(AtomicBool::new(false));
        let mut r = Stoppable::new(io::Cursor::new(data.clone()), stop).expect("thread");
        let mut out = Vec::new();
        r.read_to_end(&mut out).expect("read");
        assert_eq!(out, data);
    }
}
