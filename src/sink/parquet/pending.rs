//! Partitions whose rows are held back as Arrow until they are written as one file.
//!
//! Why: with `--partition hour`, most partitions hold a few dozen rows; written as they
//! come, each would need an open file, and input not in time order (sources interleaved,
//! API pages newest first) would bring a partition back after its file was closed to stay
//! within `--max-open-files`, making several part files of it. Held back here, a
//! partition costs only its rows (no file, no Parquet writer), so any number of them can
//! wait, and each is written once, as one file, when its rows are complete: at the end of
//! the run, or earlier when it reaches [`OPEN_AFTER_ROWS`] (then it is opened and written
//! as it comes, as a large file) or when the held rows of all partitions go over a share
//! of the memory budget (then, with input in time order, the least recently used
//! partitions the input has moved on from are written out, complete; otherwise the
//! writer spills: see `route.rs`).

use std::collections::{BTreeMap, HashMap};

use arrow_array::RecordBatch;

use super::part::{OPEN_AFTER_BYTES, OPEN_AFTER_ROWS};

/// A partition: `(table index, partition key)`.
pub(super) type Key = (usize, i64);

/// Memory counted per held batch beyond its buffers (the batch, its arrays' headers).
const BATCH_OVERHEAD: usize = 1024;

/// The rows held back of one partition.
pub(super) struct Held {
    pub(super) batches: Vec<RecordBatch>,
    pub(super) rows: usize,
    /// Memory taken by `batches`.
    pub(super) bytes: usize,
    used: u64,
}

/// The held partitions of a writer, with their memory and the order of their last use.
pub(super) struct Pending {
    held: HashMap<Key, Held>,
    /// Partitions by last use (the tick of their last rows).
    by_use: BTreeMap<u64, Key>,
    tick: u64,
    bytes: usize,
    budget: usize,
}

impl Pending {
    /// Held partitions that may take `budget` bytes together.
    pub(super) fn new(budget: usize) -> Self {
        Pending {
            held: HashMap::new(),
            by_use: BTreeMap::new(),
            tick: 0,
            bytes: 0,
            budget,
        }
    }

    /// Hold a copy of `batch` (a slice of a larger batch, which it would otherwise keep
    /// alive) for `key`, given a batch of no rows of its schema; returns whether the partition has reached the rows or bytes at
    /// which its file is opened ([`take`](Self::take) it then).
    pub(super) fn add(
        &mut self,
        key: Key,
        empty: &RecordBatch,
        batch: &RecordBatch,
    ) -> Result<bool, arrow_schema::ArrowError> {
        self.tick += 1;
        // A copy: a slice would keep (and count) all of the larger batch's buffers for each
        // partition that holds a slice of it.
        let schema = empty.schema_ref();
        let copy = super::copy::compact(batch, empty)?;
        let held = self.held.entry(key).or_insert_with(|| Held {
            batches: Vec::new(),
            rows: 0,
            bytes: 0,
            used: 0,
        });
        if held.used != 0 {
            self.by_use.remove(&held.used);
        }
        held.used = self.tick;
        self.by_use.insert(self.tick, key);
        held.rows += copy.num_rows();
        held.batches.push(copy);
        // A partition that gets a row or two from each batch of scattered input would
        // otherwise hold thousands of tiny batches, each with its own small buffers (a few
        // KB for a row). Merged like a binary counter: the last two while the last is as
        // large as the one before, so a partition holds about log2(rows) batches and each
        // row is copied about log2(rows) times.
        while let [.., before, last] = held.batches.as_slice() {
            if last.num_rows() < before.num_rows() {
                break;
            }
            let at = held.batches.len() - 2;
            let merged = arrow_select::concat::concat_batches(schema, &held.batches[at..])?;
            held.batches.truncate(at);
            held.batches.push(merged);
        }
        let bytes = held
            .batches
            .iter()
            .map(|b| b.get_array_memory_size() + BATCH_OVERHEAD)
            .sum::<usize>();
        self.bytes = self.bytes - held.bytes + bytes;
        held.bytes = bytes;
        Ok(held.rows >= OPEN_AFTER_ROWS || held.bytes >= OPEN_AFTER_BYTES)
    }

    /// The rows held for `key`, no longer held.
    pub(super) fn take(&mut self, key: Key) -> Option<Held> {
        let held = self.held.remove(&key)?;
        self.by_use.remove(&held.used);
        self.bytes -= held.bytes;
        Some(held)
    }

    /// The least recently used partition, while the held rows are over `part` of the
    /// budget (1 / `part`), and whether they are over the whole budget.
    pub(super) fn lru_over(&self, part: usize) -> Option<(Key, bool)> {
        if self.bytes <= self.budget / part {
            return None;
        }
        let key = *self.by_use.values().next()?;
        Some((key, self.bytes > self.budget))
    }

    /// Whether rows of the partition are held.
    pub(super) fn holds(&self, key: Key) -> bool {
        self.held.contains_key(&key)
    }

    /// Every held partition, taken, in key order.
    pub(super) fn take_all(&mut self) -> Vec<(Key, Held)> {
        let mut all: Vec<(Key, Held)> = self.held.drain().collect();
        self.by_use.clear();
        self.bytes = 0;
        all.sort_by_key(|(k, _)| *k);
        all
    }

    /// Partitions held now.
    pub(super) fn len(&self) -> usize {
        self.held.len()
    }

    /// The partitions held now.
    pub(super) fn keys(&self) -> impl Iterator<Item = Key> + '_ {
        self.held.keys().copied()
    }

    /// Bytes held now.
    #[cfg(test)]
    pub(super) fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Int64Array};

    use super::*;

    fn batch(rows: i64) -> RecordBatch {
        let v: ArrayRef = Arc::new(Int64Array::from_iter_values(0..rows));
        RecordBatch::try_from_iter([("v", v)]).expect("batch")
    }

    #[test]
    fn holds_merges_and_gives_back_the_least_recently_used_over_budget() {
        let b = batch(10);
        let empty = RecordBatch::new_empty(b.schema());
        let mut p = Pending::new(usize::MAX);
        for i in 0..40 {
            assert!(!p.add((0, i % 4), &empty, &b.slice(0, 2)).expect("add"));
        }
        // Ten slices of 2 rows each, merged as a binary counter: 16 + 4 rows.
        let held = p.take((0, 1)).expect("held");
        assert_eq!(held.rows, 20);
        let sizes: Vec<usize> = held.batches.iter().map(RecordBatch::num_rows).collect();
        assert_eq!(sizes, vec![16, 4]);
        // Over a budget of nothing, the least recently used go first: 0 (last used at
        // tick 37), then 2, then 3.
        p.budget = 0;
        let order: Vec<i64> = std::iter::from_fn(|| {
            let (k, over) = p.lru_over(1)?;
            assert!(over);
            p.take(k).map(|_| k.1)
        })
        .collect();
        assert_eq!(order, vec![0, 2, 3]);
        assert_eq!(p.bytes(), 0);
        // Reaching the rows of a large file says so.
        let big = batch(i64::try_from(OPEN_AFTER_ROWS).expect("rows"));
        assert!(p.add((1, 0), &empty, &big).expect("add"));
        assert_eq!(p.take_all().len(), 1);
    }
}
