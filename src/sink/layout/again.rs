//! A partition's file written whole can be taken back and written again with more rows, so
//! that rows of a partition that come after its file was written (input that goes back in
//! time: two archives one after the other, the second starting before the first ends) still
//! make one file per partition: the Parquet writer spills such rows, and at the commit reads
//! the partition's file back and writes it again with them
//! ([`super::super::parquet`]).

use std::path::{Path, PathBuf};

use super::{path_error, remove_empty_parents, PartFile, Parts};
use crate::error::Error;

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

    /// Remove a file [taken back](Self::take_back), once read, with the partition
    /// directories it leaves empty: a run stopped (or killed) before it wrote the partition
    /// again left those directories behind, empty, where no temporary file told the next
    /// run's recovery of them.
    ///
    /// # Errors
    ///
    /// The file cannot be removed.
    pub(crate) fn remove_taken_back(&self, tmp: &Path) -> Result<(), Error> {
        std::fs::remove_file(tmp).map_err(|e| path_error(tmp, &e))?;
        remove_empty_parents(tmp, &self.dir);
        Ok(())
    }
}

#[cfg(all(test, feature = "parquet"))]
mod tests {
    use std::fs::File;

    use super::super::{create_file, Partition};
    use super::*;

    /// A part file that writes nothing: the tests look at names and directories only.
    struct Blank;

    impl PartFile for Blank {
        type Table = ();
        const EXT: &'static str = "parquet";
        fn open(_: File, (): &()) -> Result<Self, Error> {
            Ok(Blank)
        }
        fn size(&self) -> u64 {
            0
        }
        fn finish(self) -> Result<(), Error> {
            Ok(())
        }
    }

    /// The partition's file written whole, taken back and removed, then named again and
    /// never written (the run stopped first): no directory of it is left, empty (review
    /// finding: interrupted runs left 45 to 119, which no later run removed).
    #[test]
    fn a_partition_taken_back_leaves_no_empty_directory() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lake = dir.path().join("lake");
        let mut parts = Parts::<Blank>::new(&lake, Partition::Hour, 4);
        let table = parts.table("t");
        let hour = 473_352; // 2024-01-01T00
        let tmp = parts.reserve(table, hour).expect("reserve");
        drop(create_file(&tmp).expect("written whole"));
        let partition = tmp.parent().expect("partition").to_path_buf();
        assert!(partition.is_dir());

        let back = parts.take_back(table, hour).expect("taken back");
        assert_eq!(back, tmp);
        parts.remove_taken_back(&back).expect("removed");
        assert!(!partition.exists(), "removed with its file");
        assert!(!lake.join("t").exists(), "the table too, empty");

        // Named again; its directory made by a writer thread stopped before the file.
        let again = parts.reserve(table, hour).expect("reserve");
        std::fs::create_dir_all(again.parent().expect("partition")).expect("mkdir");
        drop(parts);
        assert!(!partition.exists(), "dropped: its directory goes");
        assert!(lake.join("_normalog").is_dir(), "the lake's own files stay");
    }
}
