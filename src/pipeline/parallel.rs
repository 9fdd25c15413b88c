//! The parallel path: one reader thread, N workers, the caller's thread as ordered writer.
//!
//! ```text
//!            pool (free buffers, bounded)
//!      ┌────────────────────────────────────────────┐
//!      ▼                                            │
//!   reader ──work (bounded)──► workers ──done──► writer (this thread)
//!   decode, frame, cut         normalize,         reorder by seq, write output,
//!                              encode (NDJSON     report rejects, recycle buffers
//!                              or Arrow batches)
//! ```
//!
//! A fixed number of [`Bufs`] circulate; the reader takes one for each chunk and the
//! writer gives it back after writing the chunk. So at most that many chunks are in
//! flight, wherever they are (queued, in a worker, or waiting in the writer's reorder
//! buffer behind a slower chunk), and memory does not grow with the input.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::chunk::{Bufs, Chunk, Framing};
use super::chunker::Chunker;
use super::emitter::Emitter;
use super::records;
use super::split::Parts;
use super::{Batch, Input, Observer, RunSummary};
use crate::error::Error;
use crate::event::Event;
use crate::parse::{Normalizer, NormalizerBuilder};
use crate::registry::Registry;
use crate::sink::layout::Partition;
use crate::sink::{ndjson, Sink};

/// How often the ordered writer, waiting for a chunk, looks at the cancellation flag.
const CANCEL_POLL: Duration = Duration::from_millis(50);

/// How often a worker with the parts of a big API page looks whether the writer has
/// reached its chunk.
const PART_POLL: Duration = Duration::from_millis(1);

/// Buffers in flight per worker: enough to keep workers busy while the writer waits for
/// a slow chunk, few enough to bound memory (about 3 × chunk size each).
const BUFS_PER_WORKER: usize = 4;

/// What the workers make of a chunk, for the ordered writer to consume.
///
/// Each worker owns one encoder, so it can keep builders across chunks. Events borrow the
/// worker's buffers, so they are encoded here, in the worker; only the output (bytes,
/// record batches) crosses to the writer.
pub(super) trait Encoder: Send {
    /// Travels with the chunk to the writer.
    type Output: Send;
    /// Whether its writer shows events as they come (a stream): then a stream input's
    /// lines go as soon as it pauses ([`Framing::live`]); files that appear at the commit
    /// gain nothing from smaller chunks.
    const LIVE: bool = false;
    /// Normalize the chunk's records (counting and collecting rejects in the chunk) and
    /// return their encoding.
    fn encode(
        &mut self,
        norm: &mut Normalizer,
        chunk: &mut Chunk,
        framing: &Framing,
    ) -> Self::Output;
}

/// The NDJSON stream encoder: events appended as lines to the chunk's output buffer, which
/// circulates with the chunk and is reused.
pub(super) struct NdjsonEncoder {
    pub(super) opts: ndjson::Options,
}

struct ChunkNdjson<'a> {
    out: &'a mut Vec<u8>,
    opts: ndjson::Options,
}

impl Sink for ChunkNdjson<'_> {
    type Error = Error;
    fn record(&mut self, event: &Event<'_>) -> Result<bool, Error> {
        ndjson::write_event(self.out, event, self.opts);
        self.out.push(b'\n');
        Ok(true)
    }
}

impl Encoder for NdjsonEncoder {
    const LIVE: bool = true;

    type Output = ();
    fn encode(&mut self, norm: &mut Normalizer, chunk: &mut Chunk, framing: &Framing) {
        let mut out = std::mem::take(&mut chunk.bufs.out);
        // Infallible: the sink only appends to memory.
        let _ = records::process(
            norm,
            chunk,
            framing,
            &mut ChunkNdjson {
                out: &mut out,
                opts: self.opts,
            },
        );
        chunk.bufs.out = out;
    }
}

/// Run `inputs` through workers that each encode chunks with an encoder from `make`;
/// `write` gets each chunk (with its output) in input order, on this thread.
pub(super) fn run<E, M, W, O>(
    batch: &Batch,
    builder: &NormalizerBuilder,
    registry: &Registry,
    inputs: &[Input],
    make: M,
    mut write: W,
    observer: &mut O,
) -> Result<RunSummary, Error>
where
    E: Encoder,
    M: Fn() -> E,
    W: FnMut(&Chunk, E::Output) -> Result<(), Error>,
    O: Observer + ?Sized,
{
    // Build every normalizer before reading anything: a bad log type fails up front.
    let workers = (0..batch.threads)
        .map(|_| builder.build(registry).map(|n| (n, make())))
        .collect::<Result<Vec<_>, _>>()?;
    // All built from one builder, so any worker's record limit and log types are the run's.
    let Some((first, _)) = workers.first() else {
        // Never: `Batch::threads` keeps at least one.
        return Ok(RunSummary::default());
    };
    let framing = &batch.framing(first, E::LIVE);
    let in_flight = (batch.threads * BUFS_PER_WORKER).max(4);
    let (pool_tx, pool_rx) = sync_channel::<Bufs>(in_flight);
    for _ in 0..in_flight {
        let _ = pool_tx.send(Bufs::default());
    }
    let (work_tx, work_rx) = sync_channel::<Chunk>(in_flight);
    let work_rx: Arc<Mutex<Receiver<Chunk>>> = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = sync_channel::<(Chunk, E::Output)>(in_flight);
    // Also the inputs' stop: one waiting for its next byte gives up once it is set.
    let stop = Arc::new(AtomicBool::new(false));
    // How many chunks the writer has written, every part of each.
    let written = &AtomicU64::new(0);
    // Stop early: the run ended early (this thread's `stop`), or the caller cancelled it.
    let stopping = || stop.load(Ordering::Relaxed) || batch.cancelled();

    let stop_inputs = Arc::clone(&stop);
    std::thread::scope(|s| {
        let stopping = &stopping;
        let refused = |e: std::io::Error| refused(&stop, &e);
        std::thread::Builder::new()
            .name("normalog-read".into())
            .spawn_scoped(s, move || {
                read(inputs, framing, stop_inputs, &pool_rx, &work_tx, stopping);
            })
            .map_err(refused)?;
        for (norm, encoder) in workers {
            let worker = Worker {
                work: Arc::clone(&work_rx),
                done: done_tx.clone(),
                framing,
                written,
            };
            std::thread::Builder::new()
                .name("normalog-work".into())
                .spawn_scoped(s, move || worker.run(norm, encoder, stopping))
                .map_err(refused)?;
        }
        drop(done_tx);
        drop(work_rx);

        let mut emitter = Emitter::new(batch.max_rejects, inputs.len());
        // Keyed by chunk and part.
        let mut waiting: BTreeMap<(u64, u32), (Chunk, E::Output)> = BTreeMap::new();
        let mut next = (0u64, 0u32);
        let mut order = Reclassify::new(builder, registry, &make);
        let result = 'run: loop {
            if batch.cancelled() {
                break Err(Error::cancelled());
            }
            let (chunk, output) = match done_rx.recv_timeout(CANCEL_POLL) {
                Ok(done) => done,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => {
                    break if batch.cancelled() {
                        Err(Error::cancelled())
                    } else {
                        Ok(())
                    };
                }
            };
            waiting.insert((chunk.seq, chunk.part), (chunk, output));
            while let Some((mut chunk, mut output)) = waiting.remove(&next) {
                next = if chunk.more {
                    (next.0, next.1 + 1)
                } else {
                    (next.0 + 1, 0)
                };
                if let Err(e) = order.check(&mut chunk, &mut output, framing) {
                    break 'run Err(e);
                }
                if let Err(e) = write(&chunk, output) {
                    break 'run Err(e);
                }
                match emitter.emit(&mut chunk, observer) {
                    Ok(true) => {}
                    Ok(false) => break 'run Ok(()),
                    Err(e) => break 'run Err(Error::from(e)),
                }
                written.store(next.0, Ordering::Release);
                // The parts after part 0 have buffers of their own, not the pool's.
                if chunk.part == 0 {
                    chunk.bufs.recycle(framing.chunk_bytes);
                    let _ = pool_tx.send(chunk.bufs);
                }
            }
        };
        // Unblock and stop the other threads if we stopped early.
        stop.store(true, Ordering::Relaxed);
        drop(pool_tx);
        drop(done_rx);
        result?;
        Ok(emitter.run)
    })
}

/// A worker's ends of the channels, and what it reads of the run.
struct Worker<'a, E: Encoder> {
    work: Arc<Mutex<Receiver<Chunk>>>,
    done: SyncSender<(Chunk, E::Output)>,
    framing: &'a Framing,
    /// How many chunks the writer has written.
    written: &'a AtomicU64,
}

impl<E: Encoder> Worker<'_, E> {
    /// Encode chunks until there are no more or the run stops.
    fn run(self, mut norm: Normalizer, mut encoder: E, stopping: &impl Fn() -> bool) {
        loop {
            // The lock is held only while waiting for a chunk (a shared receiver).
            let next = match self.work.lock() {
                Ok(rx) => rx.recv(),
                Err(_) => return,
            };
            let Ok(mut chunk) = next else { return };
            if stopping() {
                return;
            }
            let output = encoder.encode(&mut norm, &mut chunk, self.framing);
            let (seq, split) = (chunk.seq, chunk.split.take());
            let parts = split.map(|split| Parts::new(&mut chunk, split, self.framing));
            if self.done.send((chunk, output)).is_err() {
                return;
            }
            let Some(mut parts) = parts else { continue };
            // The parts of a big API page go to the writer as it writes them: sent before
            // it reaches this chunk, they would all wait in its reorder buffer, as the whole
            // page's results did before.
            while self.written.load(Ordering::Acquire) < seq {
                if stopping() {
                    return;
                }
                std::thread::sleep(PART_POLL);
            }
            while let Some(mut part) = parts.next() {
                if stopping() {
                    return;
                }
                let output = encoder.encode(&mut norm, &mut part, self.framing);
                // The last part, the chunk's records after the page, may stop at another
                // big page: its parts come next.
                let more = part
                    .split
                    .take()
                    .map(|s| Parts::new(&mut part, s, self.framing));
                if self.done.send((part, output)).is_err() {
                    return;
                }
                if let Some(more) = more {
                    parts = more;
                }
            }
        }
    }
}

/// A thread the system refuses (a process limit) ends the run with its error, not a
/// panic: the threads started stop once `stop` is set and the channels close.
fn refused(stop: &AtomicBool, e: &std::io::Error) -> Error {
    stop.store(true, Ordering::Relaxed);
    Error::from(std::io::Error::new(
        e.kind(),
        format!("cannot start a thread of the run: {e}"),
    ))
}

/// The reader: cut `inputs` into chunks, each in a buffer from the pool, for the workers,
/// until the inputs end or the run stops.
fn read(
    inputs: &[Input],
    framing: &Framing,
    stop: Arc<AtomicBool>,
    pool: &Receiver<Bufs>,
    work: &std::sync::mpsc::SyncSender<Chunk>,
    stopping: impl Fn() -> bool,
) {
    let mut chunker = Chunker::new(inputs, framing);
    chunker.stop_on(stop);
    while let Ok(bufs) = pool.recv() {
        if stopping() {
            break;
        }
        let Some(chunk) = chunker.next_chunk(bufs) else {
            break;
        };
        let first = chunk.seq == 0;
        if work.send(chunk).is_err() {
            break;
        }
        if first {
            crate::hooks::pause_point("read");
        }
    }
}

/// Keeps the classification of records that several log types accept what one thread
/// would make of them (`parse/candidates.rs`): each chunk, taken in input order, is checked
/// against the log type the chunk before it left, and normalized again from it on this
/// thread when the worker's start was another and mattered.
struct Reclassify<'a, E, M> {
    builder: &'a NormalizerBuilder,
    registry: &'a Registry,
    make: &'a M,
    /// The log type (index) the records so far left to be tried first: a new
    /// normalizer's, then each chunk's; again the first at each input
    /// ([`Normalizer::new_input`]).
    state: usize,
    /// The input of the chunk before.
    input: Option<usize>,
    /// This thread's normalizer and encoder, made the first time a chunk is redone.
    again: Option<(Normalizer, E)>,
}

impl<'a, E: Encoder, M: Fn() -> E> Reclassify<'a, E, M> {
    fn new(builder: &'a NormalizerBuilder, registry: &'a Registry, make: &'a M) -> Self {
        Reclassify {
            builder,
            registry,
            make,
            state: 0,
            input: None,
            again: None,
        }
    }

    /// Check the next chunk in input order; redo it (its `output` replaced) if its events
    /// are not those it has from the state the chunk before left.
    fn check(
        &mut self,
        chunk: &mut Chunk,
        output: &mut E::Output,
        framing: &Framing,
    ) -> Result<(), Error> {
        if self.input != Some(chunk.input) {
            self.input = Some(chunk.input);
            self.state = 0;
        }
        let Some(start) = chunk.classified else {
            return Ok(());
        };
        if let Some(after) = start.state_after(self.state) {
            self.state = after;
            return Ok(());
        }
        let (norm, encoder) = match &mut self.again {
            Some(again) => again,
            None => self
                .again
                .insert((self.builder.build(self.registry)?, (self.make)())),
        };
        chunk.bufs.out.clear();
        chunk.bufs.rejects.clear();
        norm.start_from(self.state);
        *output = encoder.encode(norm, chunk, framing);
        // Part 0 of a big API page stops at the page again; its worker sends the parts.
        chunk.split = None;
        if let Some(start) = chunk.classified {
            self.state = start.state_after(self.state).unwrap_or(start.to);
        }
        Ok(())
    }
}

/// Lines of one chunk for the NDJSON directory layout: `(log type, partition key, byte
/// range of the chunk's output)`, consecutive lines of one partition merged.
pub(super) type Runs = Vec<(Arc<str>, i64, Range<usize>)>;

/// The NDJSON directory encoder: lines in the chunk's output buffer, as for the stream,
/// plus the runs saying which partition file each belongs to.
pub(super) struct NdjsonRunsEncoder {
    pub(super) opts: ndjson::Options,
    pub(super) partition: Partition,
}

struct ChunkRuns<'a> {
    out: &'a mut Vec<u8>,
    runs: &'a mut Runs,
    opts: ndjson::Options,
    partition: Partition,
}

impl Sink for ChunkRuns<'_> {
    type Error = Error;
    fn record(&mut self, event: &Event<'_>) -> Result<bool, Error> {
        let start = self.out.len();
        ndjson::write_event(self.out, event, self.opts);
        self.out.push(b'\n');
        let end = self.out.len();
        let key = self.partition.key(&event.event_time());
        match self.runs.last_mut() {
            Some((lt, k, range)) if *k == key && **lt == *event.log_type() => range.end = end,
            _ => self
                .runs
                .push((Arc::clone(&event.plan().log_type), key, start..end)),
        }
        Ok(true)
    }
}

impl Encoder for NdjsonRunsEncoder {
    type Output = Runs;
    fn encode(&mut self, norm: &mut Normalizer, chunk: &mut Chunk, framing: &Framing) -> Runs {
        let mut out = std::mem::take(&mut chunk.bufs.out);
        let mut runs = Vec::new();
        // Infallible: the sink only appends to memory.
        let _ = records::process(
            norm,
            chunk,
            framing,
            &mut ChunkRuns {
                out: &mut out,
                runs: &mut runs,
                opts: self.opts,
                partition: self.partition,
            },
        );
        chunk.bufs.out = out;
        runs
    }
}
