//! The parallel path: one reader thread, N workers, the caller's thread as ordered writer.
//!
//! ```text
//!            pool (free buffers, bounded)
//!      ┌────────────────────────────────────────────┐
//!      ▼                                            │
//!   reader ──work (bounded)──► workers ──done──► writer (this thread)
//!   decode, frame, cut         normalize,         reorder by seq, write bytes,
//!                              encode NDJSON      report rejects, recycle buffers
//! ```
//!
//! A fixed number of [`Bufs`] circulate; the reader takes one for each chunk and the
//! writer gives it back after writing the chunk. So at most that many chunks are in
//! flight, wherever they are (queued, in a worker, or waiting in the writer's reorder
//! buffer behind a slower chunk), and memory does not grow with the input.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};

use super::framing::{self, Bufs, Chunk, Chunker};
use super::{Batch, Emitter, Input, Observer, RunSummary};
use crate::error::Error;
use crate::event::Event;
use crate::parse::{Normalizer, NormalizerBuilder};
use crate::registry::Registry;
use crate::sink::{ndjson, Sink};

/// Buffers in flight per worker: enough to keep workers busy while the writer waits for
/// a slow chunk, few enough to bound memory (about 3 × chunk size each).
const BUFS_PER_WORKER: usize = 4;

/// A worker's sink: events appended as NDJSON lines to the chunk's output buffer.
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

fn work(
    norm: &mut Normalizer,
    chunk: &mut Chunk,
    batch: &Batch,
    opts: ndjson::Options,
) -> Result<(), Error> {
    let mut out = std::mem::take(&mut chunk.bufs.out);
    let result = framing::process(
        norm,
        chunk,
        &batch.framing,
        &mut ChunkNdjson {
            out: &mut out,
            opts,
        },
    );
    chunk.bufs.out = out;
    result
}

pub(super) fn run<W, O>(
    batch: &Batch,
    builder: &NormalizerBuilder,
    registry: &Registry,
    inputs: &[Input],
    out: &mut W,
    opts: ndjson::Options,
    observer: &mut O,
) -> Result<RunSummary, Error>
where
    W: Write + ?Sized,
    O: Observer + ?Sized,
{
    // Build every normalizer before reading anything: a bad log type fails up front.
    let normalizers = (0..batch.threads)
        .map(|_| builder.build(registry))
        .collect::<Result<Vec<_>, _>>()?;
    let in_flight = (batch.threads * BUFS_PER_WORKER).max(4);
    let (pool_tx, pool_rx) = sync_channel::<Bufs>(in_flight);
    for _ in 0..in_flight {
        let _ = pool_tx.send(Bufs::default());
    }
    let (work_tx, work_rx) = sync_channel::<Chunk>(in_flight);
    let work_rx: Arc<Mutex<Receiver<Chunk>>> = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = sync_channel::<Chunk>(in_flight);
    let cancel = AtomicBool::new(false);

    std::thread::scope(|s| {
        let cancel = &cancel;
        s.spawn(move || {
            let mut chunker = Chunker::new(inputs, &batch.framing);
            while let Ok(bufs) = pool_rx.recv() {
                if cancel.load(Ordering::Relaxed) {
                    break;
                }
                let Some(chunk) = chunker.next_chunk(bufs) else {
                    break;
                };
                if work_tx.send(chunk).is_err() {
                    break;
                }
            }
        });
        for mut norm in normalizers {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            s.spawn(move || loop {
                // The lock is held only while waiting for a chunk (a shared receiver).
                let next = match work_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok(mut chunk) = next else { return };
                if cancel.load(Ordering::Relaxed) {
                    return;
                }
                // Infallible: the worker's sink only appends to memory.
                let _ = work(&mut norm, &mut chunk, batch, opts);
                if done_tx.send(chunk).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        drop(work_rx);

        let mut emitter = Emitter::new(batch.max_rejects, inputs.len());
        let mut waiting: BTreeMap<u64, Chunk> = BTreeMap::new();
        let mut next = 0u64;
        let result = 'run: loop {
            let Ok(chunk) = done_rx.recv() else {
                break Ok(());
            };
            waiting.insert(chunk.seq, chunk);
            while let Some(mut chunk) = waiting.remove(&next) {
                next += 1;
                if let Err(e) = out.write_all(&chunk.bufs.out) {
                    break 'run Err(Error::from(e));
                }
                match emitter.emit(&mut chunk, observer) {
                    Ok(true) => {}
                    Ok(false) => break 'run Ok(()),
                    Err(e) => break 'run Err(Error::from(e)),
                }
                chunk.bufs.recycle(batch.framing.chunk_bytes);
                let _ = pool_tx.send(chunk.bufs);
            }
        };
        // Unblock and stop the other threads if we stopped early.
        cancel.store(true, Ordering::Relaxed);
        drop(pool_tx);
        drop(done_rx);
        result?;
        out.flush()?;
        Ok(emitter.run)
    })
}
