//! A partition's file written whole can be taken back and written again with more rows, so
//! that rows of a partition that come after its file was written (input that goes back in
//! time: two archives one after the other, the second starting before the first ends) still
//! make one file per partition: the Parquet writer spills such rows, and at the commit reads
//! the partition's file back and writes it again with them
//! ([`super::super::parquet`]).

use std::path::PathBuf;

use super::{PartFile, Parts};

impl<F: PartFile> Parts<F> {
    /// Whether the partition's only part file so far was written whole, and can be taken
    /// back ([`take_back`](Self::take_back)).
    pub(crate) fn can_take_back(&self, table: usize, key: i64) -> bool {
        self.next_part.get(&(table, key)) == Some(&1) && self.whole.contains_key(&(table, key))
    }

    /// Take back the partition's only part file, written whole: it is no longer one of the
    /// run's files, and the partition's next part is its first again. Returns its
    /// temporary path, for the caller to read and remove; `None` if the partition has
    /// another kind of part, or more than one.
    pub(crate) fn take_back(&mut self, table: usize, key: i64) -> Option<PathBuf> {
        if !self.can_take_back(table, key) {
            return None;
        }
        let index = self.whole.remove(&(table, key))?;
        let (tmp, _) = std::mem::take(self.done.get_mut(index)?);
        self.next_part.insert((table, key), 0);
        self.files_opened = self.files_opened.saturating_sub(1);
        Some(tmp)
    }
}
