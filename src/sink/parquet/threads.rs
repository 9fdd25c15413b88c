//! The writer threads of a [`ParquetWriter`]: each owns the files it is given and writes
//! their batches in order ([`shard`]); starting and stopping them, and their errors.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use arrow_array::RecordBatch;

use super::files::{bound_memory, finish_file, parquet_error, FileWriter, ParquetPart};
use super::size::SizeLog;
use super::whole::WholeQueue;
use super::{ParquetWriter, EARLY_WRITE_PART};
use crate::error::Error;
use crate::sink::layout::with_path;

impl ParquetWriter {
    /// Hand the encoding of part files to `threads` writer threads (none when fewer than
    /// 2, or when [`Options::max_open_files`](super::Options::max_open_files) is 1): each
    /// file opened from now on is owned by one of them, which writes the file's batches in
    /// the order [`write_batch`](Self::write_batch) was given them, compresses its pages and
    /// finishes it when it is closed. The writer threads share
    /// [`Options::max_buffered_bytes`](super::Options::max_buffered_bytes) equally, each
    /// flushing the largest row group of its own files. Files, their rows and their order
    /// are the same as without threads; only row groups cut early for the memory bound may
    /// be cut elsewhere. [`stop_threads`](Self::stop_threads) (or
    /// [`commit`](Self::commit)) takes the files back.
    ///
    /// # Errors
    ///
    /// A thread cannot be spawned.
    pub(crate) fn start_threads(&mut self, threads: usize) -> Result<(), Error> {
        let k = threads.min(self.opts.max_open_files);
        if k < 2 || self.shards.is_some() {
            return Ok(());
        }
        let budget = self.opts.row_group_budget() / k;
        let whole = WholeQueue::start(k, self.opts.held_budget() / EARLY_WRITE_PART)?;
        self.threads = k;
        self.parts.set_threads(k);
        let mut shards = Shards {
            txs: Vec::with_capacity(k),
            handles: Vec::with_capacity(k),
            next_id: 0,
            next: 0,
            whole,
        };
        for i in 0..k {
            let (tx, rx) = sync_channel(SHARD_QUEUE);
            let handle = std::thread::Builder::new()
                .name(format!("normalog-parquet-{i}"))
                .spawn(move || shard(&rx, budget));
            match handle {
                Ok(h) => {
                    shards.txs.push(tx);
                    shards.handles.push(h);
                }
                Err(e) => {
                    self.shards = Some(Box::new(shards));
                    let _ = self.stop_threads();
                    return Err(Error::from(e));
                }
            }
        }
        self.shards = Some(Box::new(shards));
        Ok(())
    }

    /// Wait for the writer threads to write everything sent to them and take their open
    /// files back (a no-op without threads).
    ///
    /// # Errors
    ///
    /// The first error of a writer thread (I/O, encoding); the writer then cannot commit.
    pub(crate) fn stop_threads(&mut self) -> Result<(), Error> {
        // The small batches kept, and the files kept for the queue, go first (dropped
        // when the writer is).
        let unsent = self.route_all_small().and_then(|()| self.send_whole());
        let Some(shards) = self.shards.take() else {
            return unsent;
        };
        for tx in &shards.txs {
            // Fails only if the thread has stopped already (after an error).
            let _ = tx.send(ShardMsg::Stop);
        }
        let mut back = HashMap::new();
        let mut first = shards.whole.stop().err().or(unsent.err());
        for h in shards.handles {
            match h.join() {
                Ok(Ok(files)) => back.extend(files),
                Ok(Err(e)) => {
                    first.get_or_insert(e);
                }
                Err(_) => {
                    first.get_or_insert_with(|| Error::sink("a Parquet writer thread panicked"));
                }
            }
        }
        for f in self.parts.open_files() {
            if let ParquetPart::Remote { id, .. } = f {
                if let Some(w) = back.remove(id) {
                    *f = ParquetPart::Local(w);
                }
            }
        }
        match first {
            Some(e) => {
                self.failed = true;
                Err(e)
            }
            None => Ok(()),
        }
    }

    /// The error to report for `e`, met while writer threads run: a writer thread's own
    /// error if one failed (`e` is then only that the thread is gone).
    pub(super) fn thread_error(&mut self, e: Error) -> Error {
        if self.shards.is_none() {
            return e;
        }
        match self.stop_threads() {
            Err(first) => first,
            Ok(()) => e,
        }
    }
}

/// Messages queued per writer thread: enough to keep it busy while the ordered writer
/// splits the next chunk's batches, few enough to bound memory (each holds a slice of a
/// chunk's record batch, which keeps the whole batch alive).
const SHARD_QUEUE: usize = 8;

/// What the [`ParquetWriter`] tells a writer thread, in order.
pub(super) enum ShardMsg {
    /// Own this file from now on.
    Open {
        id: u64,
        tmp: PathBuf,
        writer: FileWriter,
        /// Where the thread logs the file's size after each write.
        size: Arc<SizeLog>,
    },
    /// Append rows to a file.
    Write(u64, RecordBatch),
    /// Finish a file (write its footer and close it).
    Close(u64),
    /// Give the open files back and end.
    Stop,
}

/// What a writer thread returns: the files still open, by id.
type ShardResult = Result<Vec<(u64, FileWriter)>, Error>;

/// The writer threads of a [`ParquetWriter`].
pub(super) struct Shards {
    txs: Vec<SyncSender<ShardMsg>>,
    handles: Vec<JoinHandle<ShardResult>>,
    next_id: u64,
    /// The thread the next file goes to.
    next: usize,
    /// Held partitions written during the run.
    pub(super) whole: WholeQueue,
}

impl Shards {
    /// An id and a thread for a new file: threads take files in turn, so that the files
    /// written at the same time (a few tables, the same hour) are spread over all of them.
    pub(super) fn assign(&mut self) -> (u64, &SyncSender<ShardMsg>) {
        let id = self.next_id;
        self.next_id += 1;
        (id, self.next_thread())
    }

    /// The next thread in turn.
    fn next_thread(&mut self) -> &SyncSender<ShardMsg> {
        let tx = &self.txs[self.next];
        self.next = (self.next + 1) % self.txs.len();
        tx
    }
}

pub(super) fn thread_stopped() -> Error {
    Error::sink("a Parquet writer thread stopped")
}

/// A writer thread: writes the files it is given until told to stop, keeping their
/// unfinished row groups within `budget` bytes; returns the files still open. Returns
/// at the first error (dropping its files: the writer removes their temporary files).
fn shard(rx: &Receiver<ShardMsg>, budget: usize) -> ShardResult {
    let mut open: Vec<(u64, PathBuf, FileWriter, Arc<SizeLog>)> = Vec::new();
    let index = |open: &[(u64, PathBuf, FileWriter, Arc<SizeLog>)], id: u64| {
        open.iter()
            .position(|f| f.0 == id)
            .ok_or_else(|| Error::sink(format!("parquet writer thread has no file {id}")))
    };
    // A closed channel means the writer is gone (dropped while unwinding): end quietly.
    while let Ok(msg) = rx.recv() {
        match msg {
            ShardMsg::Open {
                id,
                tmp,
                writer,
                size,
            } => open.push((id, tmp, writer, size)),
            ShardMsg::Write(id, batch) => {
                // Errors name the file (its temporary path), as those of `Close` do.
                let i = index(&open, id)?;
                let (_, tmp, w, size) = &mut open[i];
                w.write(&batch)
                    .map_err(|e| with_path(tmp, parquet_error(e)))?;
                size.push(w.size_on_disk());
                bound_memory(open.iter_mut().map(|f| &mut f.2).collect(), budget)
                    .map_err(|(i, e)| with_path(&open[i].1, e))?;
            }
            ShardMsg::Close(id) => {
                let i = index(&open, id)?;
                let (_, tmp, w, _) = open.remove(i);
                finish_file(*w).map_err(|e| with_path(&tmp, e))?;
            }
            ShardMsg::Stop => break,
        }
    }
    Ok(open.into_iter().map(|(id, _, w, _)| (id, w)).collect())
}

#[cfg(test)]
mod tests {
    use std::fs::File;
    use std::path::Path;
    use std::sync::Arc;

    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;

    use super::super::{Options, DEFAULT_MAX_BUFFERED_BYTES};
    use super::*;
    use crate::event::P_EVENT_TIME;

    /// A batch of `(event time in hours since the epoch, value)` rows.
    fn hours_batch(rows: &[(i64, i64)]) -> RecordBatch {
        use arrow_array::{ArrayRef, Int64Array, TimestampMicrosecondArray};
        let times: ArrayRef = Arc::new(
            TimestampMicrosecondArray::from_iter_values(
                rows.iter().map(|r| r.0 * 3_600_000_000 + 1),
            )
            .with_timezone("UTC"),
        );
        let values: ArrayRef = Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.1)));
        RecordBatch::try_from_iter([(P_EVENT_TIME, times), ("v", values)]).expect("batch")
    }

    /// Every file under `dir`, relative, sorted.
    fn listing(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("read dir") {
                let p = e.expect("entry").path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p.strip_prefix(dir).expect("under dir").to_path_buf());
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn writer_thread_errors_reach_the_caller() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut w = ParquetWriter::new(dir.path(), Options::default());
        w.start_threads(2).expect("threads");
        // Enough rows for the file to be opened (not held back).
        let rows: Vec<(i64, i64)> = (0..8192).map(|i| (0, i)).collect();
        w.write_batch("T", &hours_batch(&rows)).expect("write");
        // A batch the file's Arrow writer refuses (another schema), sent to the thread
        // that owns the file: the thread fails, as it would on an I/O error.
        let Some(ParquetPart::Remote { id, tx, .. }) = w.parts.open_files().next() else {
            panic!("the file is owned by a writer thread");
        };
        let wrong = RecordBatch::try_from_iter([(
            "other",
            Arc::new(arrow_array::StringArray::from(vec!["x"])) as arrow_array::ArrayRef,
        )])
        .expect("batch");
        tx.send(ShardMsg::Write(*id, wrong)).expect("send");
        // The error reaches the caller: from the next writes (once the thread is gone) or
        // when the threads stop, and commit refuses to put anything in place.
        let mut failed = None;
        for _ in 0..100 {
            if let Err(e) = w.write_batch("T", &hours_batch(&[(0, 3), (1, 4)])) {
                failed = Some(e);
                break;
            }
        }
        let err = match failed {
            Some(e) => e,
            None => w.stop_threads().expect_err("the thread failed"),
        };
        assert!(err.to_string().contains("Incompatible type"), "{err}");
        assert!(w.commit().is_err());
        drop(w);
        assert_eq!(listing(dir.path()), Vec::<PathBuf>::new());
    }

    /// The values of each file under `dir`, in file order.
    fn file_values(dir: &Path) -> Vec<(PathBuf, Vec<i64>)> {
        listing(dir)
            .into_iter()
            .map(|f| {
                let file = File::open(dir.join(&f)).expect("open");
                let values =
                    parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
                        .expect("parquet")
                        .build()
                        .expect("reader")
                        .flat_map(|b| {
                            b.expect("batch")
                                .column(1)
                                .as_primitive::<Int64Type>()
                                .values()
                                .to_vec()
                        })
                        .collect();
                (f, values)
            })
            .collect()
    }

    #[test]
    fn small_batches_kept_back_keep_their_rows_order() {
        // Small batches are kept and written with the next ones; a large batch goes
        // after them, and so does everything at the commit.
        let small = |hour: i64, values: std::ops::Range<i64>| {
            hours_batch(&values.map(|v| (hour, v)).collect::<Vec<_>>())
        };
        let large: Vec<(i64, i64)> = (15..2015).map(|v| (v % 2, v)).collect();
        for threads in [1, 2] {
            let dir = tempfile::tempdir().expect("tempdir");
            let mut w = ParquetWriter::new(dir.path(), Options::default());
            w.start_threads(threads).expect("threads");
            w.write_batch("T", &small(0, 0..10)).expect("write");
            w.write_batch("T", &small(1, 10..15)).expect("write");
            assert_eq!(w.rows(), 15);
            w.write_batch("T", &hours_batch(&large)).expect("write");
            w.write_batch("T", &small(0, 2015..2020)).expect("write");
            assert_eq!(w.rows(), 2020);
            w.commit().expect("commit");
            let files = file_values(dir.path());
            assert_eq!(files.len(), 2, "{threads} threads");
            let hour0: Vec<i64> = (0..10)
                .chain((16..2015).step_by(2))
                .chain(2015..2020)
                .collect();
            let hour1: Vec<i64> = (10..15).chain((15..2015).step_by(2)).collect();
            assert_eq!(files[0].1, hour0, "{threads} threads");
            assert_eq!(files[1].1, hour1, "{threads} threads");
        }
    }

    #[test]
    fn threads_write_the_same_files() {
        // 40 hours, scattered and in runs, with LRU closes (6 files open at most) and
        // row groups cut by size and by the memory bound.
        let batches: Vec<RecordBatch> = (0..30)
            .map(|b| {
                let rows: Vec<(i64, i64)> = (0..200)
                    .map(|i| {
                        let n = b * 200 + i;
                        let hour = if b % 3 == 0 {
                            (n * 7) % 40
                        } else {
                            (n / 150) % 40
                        };
                        (hour, n)
                    })
                    .collect();
                hours_batch(&rows)
            })
            .collect();
        for budget in [0, DEFAULT_MAX_BUFFERED_BYTES] {
            let opts = Options {
                row_group_rows: 50,
                max_open_files: 6,
                max_buffered_bytes: budget,
                ..Options::default()
            };
            let mut outputs = Vec::new();
            for threads in [1, 2, 3] {
                let dir = tempfile::tempdir().expect("tempdir");
                let mut w = ParquetWriter::new(dir.path(), opts);
                w.start_threads(threads).expect("threads");
                assert_eq!(w.shards.is_some(), threads > 1);
                for b in &batches {
                    w.write_batch("T", b).expect("write");
                }
                w.commit().expect("commit");
                let mut files = Vec::new();
                for f in listing(dir.path()) {
                    let file = File::open(dir.path().join(&f)).expect("open");
                    let reader =
                        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
                            file,
                        )
                        .expect("parquet");
                    let groups: Vec<i64> = reader
                        .metadata()
                        .row_groups()
                        .iter()
                        .map(parquet::file::metadata::RowGroupMetaData::num_rows)
                        .collect();
                    let values: Vec<i64> = reader
                        .build()
                        .expect("reader")
                        .flat_map(|b| {
                            let b = b.expect("batch");
                            b.column(1).as_primitive::<Int64Type>().values().to_vec()
                        })
                        .collect();
                    files.push((f, groups, values));
                }
                outputs.push(files);
            }
            // Held back until the end whatever the LRU closes (with no memory for it, spilled
            // to disk and merged at the commit): one file per hour.
            assert_eq!(outputs[0].len(), 40, "budget {budget}");
            assert_eq!(outputs[0], outputs[1], "2 threads, budget {budget}");
            assert_eq!(outputs[0], outputs[2], "3 threads, budget {budget}");
        }
    }
}
