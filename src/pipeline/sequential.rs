//! The run on the caller's thread ([`Batch::run`]): the chunks one after the other, each
//! normalized straight into the caller's sink, the parts of a big API page after the
//! chunk that stopped at it.

use super::chunk::{Bufs, Chunk};
use super::chunker::{Chunker, Source};
use super::emitter::Emitter;
use super::split::Parts;
use super::{records, Batch, Input, Observer, RunSummary};
use crate::error::Error;
use crate::parse::Normalizer;
use crate::sink::Sink;
use std::sync::Arc;

impl Batch {
    /// Normalize every input into `sink` on this thread, then call [`Sink::finish`].
    ///
    /// # Errors
    ///
    /// The sink's errors and the observer's I/O errors abort the run. Unreadable inputs and
    /// bad records do not.
    pub fn run<S, O>(
        &self,
        normalizer: &mut Normalizer,
        inputs: &[Input],
        sink: &mut S,
        observer: &mut O,
    ) -> Result<RunSummary, S::Error>
    where
        S: Sink + ?Sized,
        O: Observer + ?Sized,
    {
        self.run_source(normalizer, Source::Inputs(inputs), sink, observer)
    }

    /// [`run`](Self::run) over inputs, or over a reader the caller lends: everything
    /// happens on this thread, so the reader need not be `Send` nor `'static`.
    pub(super) fn run_source<S, O>(
        &self,
        normalizer: &mut Normalizer,
        inputs: Source<'_>,
        sink: &mut S,
        observer: &mut O,
    ) -> Result<RunSummary, S::Error>
    where
        S: Sink + ?Sized,
        O: Observer + ?Sized,
    {
        let framing = self.framing(normalizer, self.live);
        let count = inputs.len();
        let mut chunker = Chunker::from_source(inputs, &framing);
        if let Some(flag) = &self.cancel {
            chunker.stop_on(Arc::clone(flag));
        }
        let mut emitter = Emitter::new(self.max_rejects, count);
        let mut bufs = Bufs::default();
        let emit = |emitter: &mut Emitter, chunk: &mut Chunk, observer: &mut O| {
            emitter
                .emit(chunk, observer)
                .map_err(|e| S::Error::from(Error::from(e)))
        };
        let mut input = None;
        while let Some(mut chunk) = chunker.next_chunk(bufs) {
            if self.cancelled() {
                return Err(S::Error::from(Error::cancelled()));
            }
            if input != Some(chunk.input) {
                input = Some(chunk.input);
                normalizer.new_input();
            }
            let before = emitter.records_before(&chunk);
            records::process_numbered(normalizer, &mut chunk, &framing, sink, before)?;
            let mut parts = chunk
                .split
                .take()
                .map(|split| Parts::new(&mut chunk, split, &framing));
            let mut go_on = emit(&mut emitter, &mut chunk, observer)?;
            bufs = chunk.bufs;
            bufs.recycle(framing.chunk_bytes);
            // The parts of a big API page the chunk stopped at, one after the other.
            while let Some(mut part) = parts.as_mut().and_then(Iterator::next) {
                if !go_on || self.cancelled() {
                    break;
                }
                let before = emitter.records_before(&part);
                records::process_numbered(normalizer, &mut part, &framing, sink, before)?;
                // The last part, the chunk's records after the page, may stop at another
                // big page: its parts come next.
                if let Some(split) = part.split.take() {
                    parts = Some(Parts::new(&mut part, split, &framing));
                }
                go_on = emit(&mut emitter, &mut part, observer)?;
            }
            if !go_on {
                break;
            }
        }
        if self.cancelled() {
            return Err(S::Error::from(Error::cancelled()));
        }
        sink.finish(&emitter.run.summary)?;
        Ok(emitter.run)
    }
}
