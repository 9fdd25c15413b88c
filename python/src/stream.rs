//! `iter_batches`: a run on its own thread that hands record batches of one log type to
//! Python through a bounded channel, so memory stays bounded whatever the input size.
//!
//! The run waits when Python is behind (the channel holds [`IN_FLIGHT`] batches); when
//! Python drops the stream, the run stops at the next batch.

use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};

use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::{ArrowError, SchemaRef};
use normalog::pipeline::Input;
use normalog::sink::Summary;

use crate::run::{run_parallel, Job, Rejects};

/// Batches waiting for Python, at most.
const IN_FLIGHT: usize = 2;

/// What the run thread sends.
pub enum Msg {
    Batch(RecordBatch),
    /// The end: `Err` with the message of the error that stopped the run.
    Done(Result<(), String>),
}

/// How the run ended, for `rejects` and `stats` once the batches are read.
#[derive(Debug, Default)]
pub struct End {
    pub rejects: Rejects,
    pub summary: Summary,
}

/// Start the run of `inputs` on its own thread (with a reader and `threads` normalizer
/// threads of the core's parallel path); its
/// batches (of `log_type` only) come out of the receiver, and the rejects and counts are put
/// in the returned slot at the end.
pub fn start(
    job: Job,
    inputs: Vec<Input>,
    log_type: String,
    threads: usize,
) -> (Receiver<Msg>, Arc<Mutex<Option<End>>>) {
    let (tx, rx) = sync_channel(IN_FLIGHT);
    let end = Arc::new(Mutex::new(None));
    let slot = Arc::clone(&end);
    std::thread::spawn(move || {
        let mut rejects = Rejects::new(&job.reader_name);
        let send = |b| tx.send(Msg::Batch(b)).is_ok();
        let result = run_parallel(&job, &inputs, threads, Some(&log_type), &mut rejects, send);
        let done = match result {
            Ok(run) => {
                if let Ok(mut slot) = slot.lock() {
                    *slot = Some(End {
                        rejects,
                        summary: run.summary,
                    });
                }
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        };
        let _ = tx.send(Msg::Done(done));
    });
    (rx, end)
}

/// The receiver as an Arrow [`RecordBatchReader`], for the C stream interface.
pub struct ChannelReader {
    pub rx: Receiver<Msg>,
    pub schema: SchemaRef,
    pub done: bool,
}

impl Iterator for ChannelReader {
    type Item = Result<RecordBatch, ArrowError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.rx.recv() {
            Ok(Msg::Batch(b)) => Some(Ok(b)),
            Ok(Msg::Done(Ok(()))) | Err(_) => {
                self.done = true;
                None
            }
            Ok(Msg::Done(Err(e))) => {
                self.done = true;
                Some(Err(ArrowError::ExternalError(e.into())))
            }
        }
    }
}

impl RecordBatchReader for ChannelReader {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
}
