//! The Arrow path's encoder (the `parquet` feature): workers turn their chunk's events into
//! Arrow record batches, one per log type, that the calling thread hands, in input order,
//! to the [`ParquetWriter`](crate::sink::parquet::ParquetWriter) or to the caller of
//! [`Batch::run_batches`].

use std::sync::Arc;

use arrow_array::RecordBatch;

use super::chunk::{Chunk, Framing};
use super::parallel::{self, Encoder};
use super::{records, Batch, Input, Observer, RunSummary};
use crate::error::Error;
use crate::event::Event;
use crate::parse::{Normalizer, NormalizerBuilder};
use crate::registry::Registry;
use crate::sink::arrow::RecordBatchBuilder;
use crate::sink::Sink;

/// The Arrow encoder: events appended to one [`RecordBatchBuilder`] per log type (kept
/// across chunks); each chunk yields one record batch per log type it holds, in the order
/// the log types first appear in the chunk. `LIVE` for [`Batch::run_batches`], whose
/// caller takes batches as they come (a Python stream over a pipe: a producer's records
/// waited for a chunk's worth, or its end), not for the Parquet files, which appear at the
/// commit.
///
/// That order depends only on the chunk, not on the worker (whose builders are in the
/// order it met the log types), so the writer gets the same sequence of batches whatever
/// the threads; its choice of the least recently used file to close, and so the files
/// written, is then the same too.
#[derive(Default)]
pub(super) struct BatchEncoder<const LIVE: bool> {
    builders: Vec<RecordBatchBuilder>,
    /// Indexes into `builders` of the log types of the current chunk, in order of first
    /// appearance.
    order: Vec<usize>,
}

impl<const LIVE: bool> Sink for BatchEncoder<LIVE> {
    type Error = Error;
    fn record(&mut self, event: &Event<'_>) -> Result<bool, Error> {
        let i = crate::sink::arrow::builder_for(&mut self.builders, event);
        if self.builders[i].is_empty() {
            self.order.push(i);
        }
        self.builders[i].append(event)?;
        Ok(true)
    }
}

/// Record batches of one chunk: `(log type, batch)`.
pub(super) type Batches = Result<Vec<(Arc<str>, RecordBatch)>, Error>;

impl<const L: bool> Encoder for BatchEncoder<L> {
    const LIVE: bool = L;
    type Output = Batches;
    fn encode(&mut self, norm: &mut Normalizer, chunk: &mut Chunk, framing: &Framing) -> Batches {
        self.order.clear();
        let processed = records::process(norm, chunk, framing, self);
        let mut out = Vec::with_capacity(self.order.len());
        let mut failed = None;
        for (i, b) in self.builders.iter_mut().enumerate() {
            if b.is_empty() {
                continue;
            }
            // Finished even after an error, so the builder is empty for the next chunk.
            match b.finish() {
                Ok(batch) => {
                    let first = self.order.iter().position(|&o| o == i);
                    out.push((first, Arc::from(b.log_type()), batch));
                }
                Err(e) => {
                    failed.get_or_insert(e);
                }
            }
        }
        processed?;
        if let Some(e) = failed {
            return Err(e);
        }
        out.sort_by_key(|b| b.0);
        Ok(out.into_iter().map(|(_, lt, batch)| (lt, batch)).collect())
    }
}

impl Batch {
    /// Normalize every input on [`threads`](Self::threads) workers into Arrow record batches
    /// (the same batches as the Parquet output's): `on_batch` gets `(log type, batch)` on
    /// this thread, in input order, one batch per log type per chunk of input (so a batch
    /// holds at most a chunk's records; a stream, a pipe or standard input, is cut where it
    /// pauses, so that its records come as it sends them). For embedders that want Arrow
    /// without files (the Python package uses it).
    ///
    /// # Errors
    ///
    /// A normalizer cannot be built, a batch cannot be made, `on_batch` fails (which stops
    /// the run), or the observer fails. Unreadable inputs and bad records do not stop it.
    pub fn run_batches<F, O>(
        &self,
        builder: &NormalizerBuilder,
        registry: &Registry,
        inputs: &[Input],
        mut on_batch: F,
        observer: &mut O,
    ) -> Result<RunSummary, Error>
    where
        F: FnMut(&str, RecordBatch) -> Result<(), Error>,
        O: Observer + ?Sized,
    {
        parallel::run(
            self,
            builder,
            registry,
            inputs,
            BatchEncoder::<true>::default,
            |_, batches: Batches| {
                for (log_type, batch) in batches? {
                    on_batch(&log_type, batch)?;
                }
                Ok(())
            },
            observer,
        )
    }
}
