//! The queue of part files written whole during a run (held partitions the input has moved
//! on from, [`super::pending`]), and the threads that write them: each takes the next file
//! whichever is free.
//!
//! Why not the writer threads of [`super::threads`], in turn, as before: with `--partition
//! hour`, a months-long archive makes a file of a few dozen rows every hundred
//! microseconds, and handed to the threads in turn through queues of a few messages, the
//! calling thread often waited on one thread's full queue while the other thread had
//! nothing to do (about 80% of two cores busy during such a run). Here the files wait in
//! one queue bounded in bytes, and when it is full the calling thread writes the file
//! itself instead of waiting. Files go in batches (those of one record batch of the
//! input): one message, and one wake-up of a waiting thread, per batch rather than per
//! file, which on a virtual machine cost about 8% of an hour run's CPU.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::files::WholeFile;
use super::threads::thread_stopped;
use crate::error::Error;

/// What the threads of a [`WholeQueue`] share with it.
#[derive(Default)]
struct Shared {
    /// Bytes of the held rows of the files queued and not written yet.
    queued: AtomicUsize,
    /// A thread failed, or the writer is dropped: queued files are not written.
    stop: AtomicBool,
}

/// A file to write whole, and the bytes its held rows take.
pub(super) type Queued = (WholeFile, usize);

/// Files to write whole, and the threads that write them.
pub(super) struct WholeQueue {
    tx: Sender<Vec<Queued>>,
    /// The threads' end, kept here too: with no thread (tests), files stay queued.
    rx: Arc<Mutex<Receiver<Vec<Queued>>>>,
    handles: Vec<JoinHandle<Result<(), Error>>>,
    shared: Arc<Shared>,
    /// Past this many queued bytes, [`send`](Self::send) gives the file back.
    budget: usize,
}

impl WholeQueue {
    /// Start `threads` threads writing the files sent, queued up to `budget` bytes of held
    /// rows.
    ///
    /// # Errors
    ///
    /// A thread cannot be spawned (those already started are stopped).
    pub(super) fn start(threads: usize, budget: usize) -> Result<Self, Error> {
        let (tx, rx) = channel::<Vec<Queued>>();
        let rx = Arc::new(Mutex::new(rx));
        let mut queue = WholeQueue {
            tx,
            rx,
            handles: Vec::with_capacity(threads),
            shared: Arc::new(Shared::default()),
            budget,
        };
        for i in 0..threads {
            let (rx, shared) = (Arc::clone(&queue.rx), Arc::clone(&queue.shared));
            let spawned = std::thread::Builder::new()
                .name(format!("normalog-whole-{i}"))
                .spawn(move || write_queued(&rx, &shared));
            match spawned {
                Ok(h) => queue.handles.push(h),
                Err(e) => {
                    queue.shared.stop.store(true, Ordering::Relaxed);
                    let _ = queue.stop();
                    return Err(Error::from(e));
                }
            }
        }
        Ok(queue)
    }

    /// Queue `files` while the files queued hold less than the budget; the others are
    /// given back for the caller to write: then writing them is better than waiting for
    /// room.
    ///
    /// # Errors
    ///
    /// A thread failed: its error is the one [`stop`](Self::stop) returns.
    pub(super) fn send(&self, files: Vec<Queued>) -> Result<Vec<Queued>, Error> {
        if self.shared.stop.load(Ordering::Relaxed) {
            return Err(thread_stopped());
        }
        let mut queued = self.shared.queued.load(Ordering::Relaxed);
        let (mut taken, mut back) = (Vec::with_capacity(files.len()), Vec::new());
        let mut bytes = 0usize;
        for (file, size) in files {
            if queued == 0 || queued.saturating_add(size) <= self.budget {
                queued = queued.saturating_add(size);
                bytes = bytes.saturating_add(size);
                taken.push((file, size));
            } else {
                back.push((file, size));
            }
        }
        if !taken.is_empty() {
            self.shared.queued.fetch_add(bytes, Ordering::Relaxed);
            self.tx.send(taken).map_err(|_| thread_stopped())?;
        }
        Ok(back)
    }

    /// Drop the files not written yet when the threads stop (the writer is dropped
    /// without committing).
    pub(super) fn abandon(&self) {
        self.shared.stop.store(true, Ordering::Relaxed);
    }

    /// Wait for the threads to write every file queued (unless [abandoned](Self::abandon))
    /// and end.
    ///
    /// # Errors
    ///
    /// The first error of a thread.
    pub(super) fn stop(self) -> Result<(), Error> {
        drop((self.tx, self.rx));
        let mut first = None;
        for h in self.handles {
            let result = h
                .join()
                .unwrap_or_else(|_| Err(Error::sink("a Parquet writer thread panicked")));
            if let Err(e) = result {
                first.get_or_insert(e);
            }
        }
        first.map_or(Ok(()), Err)
    }
}

/// A thread of the queue: write the next files until the queue is closed and empty, or
/// told to stop.
fn write_queued(rx: &Mutex<Receiver<Vec<Queued>>>, shared: &Shared) -> Result<(), Error> {
    loop {
        let next = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return Err(Error::sink("a Parquet writer thread panicked")),
        };
        let Ok(files) = next else {
            return Ok(());
        };
        for (file, bytes) in files {
            // Told to stop: the rest are dropped (the writer removes temporary files; these
            // were not created).
            let written = if shared.stop.load(Ordering::Relaxed) {
                Ok(())
            } else {
                file.write()
            };
            shared.queued.fetch_sub(bytes, Ordering::Relaxed);
            if let Err(e) = written {
                shared.stop.store(true, Ordering::Relaxed);
                return Err(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use arrow_array::{ArrayRef, Int64Array, RecordBatch};
    use parquet::file::properties::WriterProperties;

    use super::*;

    /// A file of three rows to be written at `tmp`.
    fn file(tmp: &Path) -> WholeFile {
        let values: ArrayRef = Arc::new(Int64Array::from(vec![1, 2, 3]));
        let batch = RecordBatch::try_from_iter([("v", values)]).expect("batch");
        WholeFile {
            tmp: tmp.to_path_buf(),
            schema: batch.schema(),
            props: Arc::new(WriterProperties::builder().build()),
            batches: vec![batch],
        }
    }

    #[test]
    fn files_are_given_back_once_the_queue_holds_its_budget() {
        // No thread: nothing leaves the queue, so what it holds is known.
        let queue = WholeQueue::start(0, 100).expect("queue");
        let dir = tempfile::tempdir().expect("tempdir");
        let at = |name: &str| dir.path().join(name);
        let paths = |back: Vec<Queued>| back.into_iter().map(|(f, _)| f.tmp).collect::<Vec<_>>();
        let back = queue.send(vec![(file(&at("a")), 60), (file(&at("b")), 50)]);
        assert_eq!(paths(back.expect("send")), [at("b")]);
        assert!(queue
            .send(vec![(file(&at("c")), 40)])
            .expect("send")
            .is_empty());
        let back = queue.send(vec![(file(&at("d")), 1), (file(&at("e")), 1)]);
        assert_eq!(paths(back.expect("send")), [at("d"), at("e")]);
        // A file larger than the whole budget is still queued when the queue is empty.
        let empty = WholeQueue::start(0, 100).expect("queue");
        let back = empty.send(vec![(file(&at("f")), 1000), (file(&at("g")), 1)]);
        assert_eq!(paths(back.expect("send")), [at("g")]);
    }

    #[test]
    fn every_queued_file_is_written_before_stop_returns() {
        let dir = tempfile::tempdir().expect("tempdir");
        let queue = WholeQueue::start(2, usize::MAX).expect("queue");
        let paths: Vec<PathBuf> = (0..50)
            .map(|i| dir.path().join(format!("h{i}/part.parquet")))
            .collect();
        for some in paths.chunks(7) {
            let files = some.iter().map(|p| (file(p), 10)).collect();
            assert!(queue.send(files).expect("send").is_empty());
        }
        queue.stop().expect("stop");
        for p in &paths {
            let f = std::fs::File::open(p).expect("written");
            let reader = parquet::file::reader::SerializedFileReader::new(f).expect("parquet");
            let rows = parquet::file::reader::FileReader::metadata(&reader)
                .file_metadata()
                .num_rows();
            assert_eq!(rows, 3, "{}", p.display());
        }
    }

    #[test]
    fn a_failed_file_is_the_error_of_stop_and_later_files_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        // A regular file where the file's directory should be: it cannot be created.
        std::fs::write(dir.path().join("blocked"), "").expect("write");
        let bad = dir.path().join("blocked/hour=1/part.parquet");
        let queue = WholeQueue::start(1, usize::MAX).expect("queue");
        assert!(queue.send(vec![(file(&bad), 10)]).expect("send").is_empty());
        // Refused once the thread has failed (it fails on its first file).
        let mut refused = false;
        for i in 0..1000 {
            match queue.send(vec![(file(&dir.path().join(format!("ok{i}"))), 10)]) {
                Err(_) => {
                    refused = true;
                    break;
                }
                Ok(_) => std::thread::sleep(std::time::Duration::from_millis(1)),
            }
        }
        assert!(refused, "files are still taken after a failure");
        let err = queue.stop().expect_err("the file failed");
        assert!(err.to_string().contains("blocked"), "{err}");
    }
}
