//! The batches of a pull's run and the state saves that commit them, as both sources do
//! them: numbered `(run, seq)`, written, then the positions saved, with the crash points of
//! the commit protocol (see the `pull` module's opening comment).

use super::deliver::{Delivery, PageBuilder};
use super::state::{Commit, StateFile, StreamState};
use super::PullError;
use crate::hooks::crash_point;
use crate::pipeline::Observer;
use crate::sink::Summary;

/// The batches of one run, numbered `(run, seq)` after the last committed one, and the
/// state saves that commit them.
#[derive(Debug)]
pub(super) struct Batches {
    run: u64,
    /// The number of the last batch written by this run (0: none yet).
    seq: u64,
    /// The last batch in the output: this run's latest, or the one committed before it.
    last: Commit,
    /// State saves of this run.
    saves: u64,
}

impl Batches {
    /// The batches of the run after the one that committed `committed`.
    pub(super) fn new(committed: Commit) -> Batches {
        Batches {
            run: committed.run + 1,
            seq: 0,
            last: committed,
            saves: 0,
        }
    }

    /// Write `pending` (emptying it) into `delivery` as the run's next batch, its counts
    /// added to `summary`.
    pub(super) fn write(
        &mut self,
        state: &mut StateFile,
        delivery: &mut Delivery,
        pending: &mut PageBuilder,
        observer: &mut dyn Observer,
        summary: &mut Summary,
    ) -> Result<(), PullError> {
        // The state's id names the batch's files: on disk before any is published.
        if delivery.names_files() {
            state.create_if_missing()?;
        }
        self.seq += 1;
        let commit = Commit {
            run: self.run,
            seq: self.seq,
        };
        let r = delivery.write(commit, pending, observer)?;
        summary.merge(&r.summary);
        self.last = commit;
        crash_point("after-sink", self.seq);
        Ok(())
    }

    /// Save `position` as where `stream` got to, with the last batch written as the
    /// committed one.
    pub(super) fn save(
        &mut self,
        state: &mut StateFile,
        stream: &str,
        position: StreamState,
    ) -> Result<(), PullError> {
        state.save(self.last, stream, position)?;
        self.saves += 1;
        crash_point("after-state", self.saves);
        Ok(())
    }

    /// The last batch in the output.
    pub(super) fn last(&self) -> Commit {
        self.last
    }

    /// Whether this run wrote a batch.
    pub(super) fn wrote_any(&self) -> bool {
        self.seq > 0
    }

    /// State saves of this run.
    pub(super) fn saves(&self) -> u64 {
        self.saves
    }
}
