//! What every source's pull loop does the same way: number and write the run's batches and
//! save the positions after them ([`Batches`], the commit protocol of the module's opening
//! comment, with its crash points), and stop a paging loop that would not end
//! ([`Paging`]).

use std::collections::HashSet;

use super::deliver::{Delivery, PageBuilder};
use super::state::{Commit, StateFile, StreamState};
use super::{crash_point, PullError};
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
        delivery: &mut Delivery,
        pending: &mut PageBuilder,
        observer: &mut dyn Observer,
        summary: &mut Summary,
    ) -> Result<(), PullError> {
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

/// Stops a paging loop that would not end: a cursor (or page token) that comes back, or
/// empty pages that keep claiming more. One per walk through a result's pages.
#[derive(Debug, Default)]
pub(super) struct Paging {
    cursors: HashSet<String>,
    empty_in_a_row: u32,
}

impl Paging {
    /// Empty pages in a row, each claiming more, that stop the stream.
    const MAX_EMPTY_IN_A_ROW: u32 = 3;

    /// A page of `records` records that claims more: whether it makes too many empty pages
    /// in a row (three).
    pub(super) fn too_many_empty(&mut self, records: usize) -> bool {
        if records > 0 {
            self.empty_in_a_row = 0;
            return false;
        }
        self.empty_in_a_row += 1;
        self.empty_in_a_row >= Self::MAX_EMPTY_IN_A_ROW
    }

    /// Whether `cursor`, the next page's, was already followed in this walk (it is
    /// remembered otherwise).
    pub(super) fn repeats(&mut self, cursor: &str) -> bool {
        !self.cursors.insert(cursor.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::Paging;

    #[test]
    fn paging_stops_at_the_third_empty_page_in_a_row() {
        let mut p = Paging::default();
        assert!(!p.too_many_empty(0));
        assert!(!p.too_many_empty(0));
        assert!(
            !p.too_many_empty(5),
            "a page with records starts the count again"
        );
        assert!(!p.too_many_empty(0));
        assert!(!p.too_many_empty(0));
        assert!(p.too_many_empty(0));
    }

    #[test]
    fn paging_stops_at_a_cursor_that_comes_back() {
        let mut p = Paging::default();
        assert!(!p.repeats("a"));
        assert!(!p.repeats("b"));
        assert!(p.repeats("a"));
    }
}
