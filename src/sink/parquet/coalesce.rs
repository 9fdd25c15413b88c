//! Small record batches of a table, collected and routed as one batch.
//!
//! Why: what routing a batch costs is mostly per column, not per row (its partition runs,
//! a copy of each run's arrays while it is held back, their merges, the arrays'
//! allocations and drops): a batch of 3 rows costs nearly what one of 3,000 does. Many
//! small inputs (API pages, thousands of small files, a rare log type beside common ones)
//! make one small batch per input and log type: 10,000 files of 10 records took ten times
//! as long as the same records in one file, most of it in `Pending::add` and the
//! allocator (`benches/runs/2026-12-07-2core-small-batches`). Collected here until they
//! hold [`FLUSH_ROWS`] rows (or [`MAX_BATCHES`] batches, [`FLUSH_BYTES`], or their share
//! of memory), they are merged by one concatenation and routed once. A batch of few rows
//! but many bytes (records of megabytes) is not kept: its cost is in its bytes, and
//! merging such batches could overflow a string column's 32-bit offsets (review s46-h1 M1).
//!
//! The rows and their order within each partition are the same as if each batch had been
//! routed as it came. The files can differ where the writer decides by batch: which
//! columns get a dictionary in day or unpartitioned files (the table's first batch of 512
//! rows or more decides, `dictionary.rs`, and merged small batches can make one where none
//! came before), where `--target-file-size` cuts a file, which file `--max-open-files`
//! closes, and whether input is taken as out of time order and spilled (review s46-h1 L1).

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, SchemaRef};

/// Batches of fewer rows are collected. A chunk of input (1 MiB) makes batches of a few
/// thousand rows per log type, which go straight on; a log type of a few percent of the
/// records, or an input of a few records, makes smaller ones.
pub(super) const SMALL_ROWS: usize = 256;

/// The collected batches of a table are routed once they hold this many rows...
const FLUSH_ROWS: usize = 1024;

/// ... or this much memory (and a batch of this much is not kept).
const FLUSH_BYTES: usize = 8 << 20;

/// ... or this many batches: merging them is one concatenation, whose cost is per batch
/// and column.
const MAX_BATCHES: usize = 256;

/// What the caller should route after [`Coalesce::add`].
#[derive(Debug, PartialEq)]
pub(super) enum Flush {
    /// Nothing yet.
    Nothing,
    /// The batches of the table just added to.
    Table,
    /// Every table's batches: together they took their share of memory.
    All,
}

/// The small batches collected per table (by the writer's table index).
#[derive(Default)]
pub(super) struct Coalesce {
    tables: Vec<Collected>,
    /// Memory taken by all the tables' batches.
    bytes: usize,
    /// Memory they may take before they are routed.
    budget: usize,
}

#[derive(Default)]
struct Collected {
    batches: Vec<RecordBatch>,
    rows: usize,
    bytes: usize,
}

impl Coalesce {
    /// Collected batches that may take `budget` bytes together.
    pub(super) fn new(budget: usize) -> Self {
        Coalesce {
            budget,
            ..Coalesce::default()
        }
    }

    /// Whether a batch of `rows` rows taking `bytes` of memory is collected rather than
    /// routed as it comes.
    pub(super) fn is_small(rows: usize, bytes: usize) -> bool {
        rows < SMALL_ROWS && bytes < FLUSH_BYTES
    }

    /// Collect `batch` (a small one, taking `bytes` of memory) for table `t`, and say what
    /// is to be routed now.
    pub(super) fn add(&mut self, t: usize, batch: &RecordBatch, bytes: usize) -> Flush {
        if self.tables.len() <= t {
            self.tables.resize_with(t + 1, Collected::default);
        }
        let c = &mut self.tables[t];
        c.batches.push(batch.clone());
        c.rows += batch.num_rows();
        c.bytes += bytes;
        self.bytes += bytes;
        if self.bytes > self.budget {
            Flush::All
        } else if c.rows >= FLUSH_ROWS || c.batches.len() >= MAX_BATCHES || c.bytes >= FLUSH_BYTES {
            Flush::Table
        } else {
            Flush::Nothing
        }
    }

    /// The batches collected for table `t` (of `schema`), merged into one, no longer
    /// collected.
    pub(super) fn take(
        &mut self,
        t: usize,
        schema: &SchemaRef,
    ) -> Result<Option<RecordBatch>, ArrowError> {
        let Some(c) = self.tables.get_mut(t) else {
            return Ok(None);
        };
        let c = std::mem::take(c);
        self.bytes -= c.bytes;
        match c.batches.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one.clone())),
            all => arrow_select::concat::concat_batches(schema, all).map(Some),
        }
    }

    /// The tables with batches collected.
    pub(super) fn tables(&self) -> Vec<usize> {
        (0..self.tables.len())
            .filter(|&t| !self.tables[t].batches.is_empty())
            .collect()
    }

    /// Forget every collected batch.
    pub(super) fn clear(&mut self) {
        self.tables.clear();
        self.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    use arrow_array::{ArrayRef, Int64Array};

    use super::*;

    fn batch(from: i64, rows: i64) -> RecordBatch {
        let v: ArrayRef = Arc::new(Int64Array::from_iter_values(from..from + rows));
        RecordBatch::try_from_iter([("v", v)]).expect("batch")
    }

    /// Collect `b` for table `t`, with the memory it takes.
    fn add(c: &mut Coalesce, t: usize, b: &RecordBatch) -> Flush {
        c.add(t, b, b.get_array_memory_size())
    }

    fn values(b: &RecordBatch) -> Vec<i64> {
        b.column(0).as_primitive::<Int64Type>().values().to_vec()
    }

    #[test]
    fn collects_small_batches_until_rows_batches_or_memory_say_so() {
        let schema = batch(0, 1).schema();
        let mut c = Coalesce::new(usize::MAX);
        // Rows: 4 x 255 + 4 reach FLUSH_ROWS; merged in order.
        for i in 0..4 {
            assert_eq!(add(&mut c, 0, &batch(i * 255, 255)), Flush::Nothing);
        }
        assert_eq!(add(&mut c, 1, &batch(10_000, 5)), Flush::Nothing);
        assert_eq!(add(&mut c, 0, &batch(1020, 4)), Flush::Table);
        assert_eq!(c.tables(), vec![0, 1]);
        let merged = c.take(0, &schema).expect("concat").expect("rows");
        assert_eq!(values(&merged), (0..1024).collect::<Vec<_>>());
        assert_eq!(c.tables(), vec![1]);
        // Batches: the 256th batch of one row.
        for _ in 0..MAX_BATCHES - 2 {
            assert_eq!(add(&mut c, 1, &batch(20_000, 1)), Flush::Nothing);
        }
        assert_eq!(add(&mut c, 1, &batch(30_000, 1)), Flush::Table);
        assert_eq!(
            c.take(1, &schema)
                .expect("concat")
                .expect("rows")
                .num_rows(),
            260
        );
        assert!(c.take(1, &schema).expect("nothing").is_none());
        assert_eq!(c.bytes, 0);
        // Bytes: a batch of many bytes is not kept, and a table's kept ones go at 8 MiB
        // (merged, they could overflow a string column's offsets).
        assert!(Coalesce::is_small(SMALL_ROWS - 1, FLUSH_BYTES - 1));
        assert!(!Coalesce::is_small(1, FLUSH_BYTES));
        assert_eq!(c.add(3, &batch(0, 1), FLUSH_BYTES / 2), Flush::Nothing);
        assert_eq!(c.add(3, &batch(1, 1), FLUSH_BYTES / 2), Flush::Table);
        assert_eq!(
            values(&c.take(3, &schema).expect("concat").expect("rows")),
            vec![0, 1]
        );
        // Memory: over the budget, every table goes.
        let mut c = Coalesce::new(batch(0, 10).get_array_memory_size());
        assert_eq!(add(&mut c, 2, &batch(0, 10)), Flush::Nothing);
        assert_eq!(add(&mut c, 0, &batch(0, 1)), Flush::All);
        c.clear();
        assert!(c.tables().is_empty());
    }
}
