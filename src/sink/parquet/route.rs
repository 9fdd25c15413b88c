//! Where the rows of a batch go: split by partition, then held back until a partition
//! is complete ([`pending`](super::pending)), written into the partition's open file (on
//! this thread or a writer thread), or spilled when the input is out of time order.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::TimestampMicrosecondType;
use arrow_array::{PrimitiveArray, RecordBatch, UInt32Array};

use super::coalesce::{Coalesce, Flush};
use super::files::{bound_memory, local_files, parquet_error, ParquetPart, WholeFile};
use super::gather::{self, runs, should_gather};
use super::threads::{thread_stopped, ShardMsg};
use super::{size, ParquetWriter, EARLY_WRITE_PART};
use crate::error::Error;
use crate::event::P_EVENT_TIME;
use crate::sink::arrow::arrow_error;

/// The partitions of a table's last batch (`first..=last`) and of all its batches so far
/// (`lo..=hi`).
#[derive(Clone, Copy, Debug)]
pub(super) struct Recent {
    first: i64,
    last: i64,
    lo: i64,
    hi: i64,
}

impl Default for Recent {
    fn default() -> Self {
        Recent {
            first: i64::MAX,
            last: i64::MIN,
            lo: i64::MAX,
            hi: i64::MIN,
        }
    }
}

impl Recent {
    /// A batch of the table had partitions `first..=last`.
    fn saw(&mut self, first: i64, last: i64) {
        (self.first, self.last) = (first, last);
        (self.lo, self.hi) = (self.lo.min(first), self.hi.max(last));
    }

    /// Whether the input has moved on from partition `key` for good, as far as can be told:
    /// the last batch had no row of it, and that batch spanned at most half the partitions
    /// seen so far. In time order (oldest or newest first), each batch covers a narrow
    /// window of a growing range, and the partitions behind it are complete. Out of order
    /// (a shuffled archive), a batch spans most of the range, and a partition it missed
    /// (one at the range's edges, of few rows) comes again later: written early, it would
    /// get a second part file.
    fn moved_on_from(&self, key: i64) -> bool {
        !(self.first..=self.last).contains(&key) && self.in_time_order()
    }

    /// Whether the last batch spanned at most half the partitions seen so far (what input
    /// in time order does, once a few batches have come).
    fn in_time_order(&self) -> bool {
        let span = |a: i64, b: i64| i128::from(b) - i128::from(a);
        span(self.first, self.last) * 2 <= span(self.lo, self.hi)
    }
}

/// The `p_event_time` column of a batch of `log_type`.
fn event_times<'a>(
    log_type: &str,
    batch: &'a RecordBatch,
) -> Result<&'a PrimitiveArray<TimestampMicrosecondType>, Error> {
    batch
        .column_by_name(P_EVENT_TIME)
        .and_then(|c| c.as_primitive_opt::<TimestampMicrosecondType>())
        .ok_or_else(|| Error::sink(format!("record batch for {log_type} has no {P_EVENT_TIME}")))
}

impl ParquetWriter {
    /// Write a batch of events of `log_type`, with the schema of
    /// [`arrow_schema`](crate::sink::arrow::arrow_schema), each row into the partition of its
    /// `p_event_time`. Rows keep their order within a partition.
    ///
    /// # Errors
    ///
    /// I/O and encoding errors, a batch without a `p_event_time` timestamp column, or a
    /// batch whose schema differs from the first batch of the log type.
    ///
    /// A batch of fewer than a few hundred rows may be kept and written with the table's
    /// next ones ([`commit`](Self::commit) writes what is kept): an error it meets is
    /// returned by a later call.
    pub fn write_batch(&mut self, log_type: &str, batch: &RecordBatch) -> Result<(), Error> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let t = self.table(log_type, &batch.schema())?;
        event_times(log_type, batch)?;
        self.rows += batch.num_rows() as u64;
        let bytes = batch.get_array_memory_size();
        if !Coalesce::is_small(batch.num_rows(), bytes) {
            // Rows kept earlier go first, to keep the rows' order.
            self.route_small(t)?;
            return self.route(t, batch);
        }
        match self.small.add(t, batch, bytes) {
            Flush::Nothing => Ok(()),
            Flush::Table => self.route_small(t),
            Flush::All => self.route_all_small(),
        }
    }

    /// Route the small batches kept for table `t`, merged.
    fn route_small(&mut self, t: usize) -> Result<(), Error> {
        let schema = Arc::clone(&self.tables[t].2.schema);
        match self.small.take(t, &schema).map_err(arrow_error)? {
            Some(batch) => self.route(t, &batch),
            None => Ok(()),
        }
    }

    /// Route the small batches kept for every table.
    pub(super) fn route_all_small(&mut self) -> Result<(), Error> {
        self.small
            .tables()
            .into_iter()
            .try_for_each(|t| self.route_small(t))
    }

    /// Split a batch of table `t` by partition and send each part on its way.
    fn route(&mut self, t: usize, batch: &RecordBatch) -> Result<(), Error> {
        self.sample_dictionary_columns(t, batch);
        let partition = self.parts.partition();
        let times = event_times(&self.tables[t].0, batch)?;
        let keys: Vec<i64> = times
            .values()
            .iter()
            .map(|&us| partition.key_of_micros(us))
            .collect();
        if self.recent.len() <= t {
            self.recent.resize(t + 1, Recent::default());
        }
        let first = keys.iter().copied().min().unwrap_or(i64::MAX);
        let last = keys.iter().copied().max().unwrap_or(i64::MIN);
        self.recent[t].saw(first, last);
        let mut runs = runs(&keys);
        let sorted;
        let batch = if should_gather(&runs, keys.len()) {
            // Rows of one partition are scattered in many short runs: gather them (stable),
            // so that each partition gets one write instead of one per run.
            let mut order: Vec<u32> = (0..u32::try_from(keys.len()).unwrap_or(u32::MAX)).collect();
            order.sort_by_key(|&i| keys[i as usize]);
            let keys: Vec<i64> = order.iter().map(|&i| keys[i as usize]).collect();
            runs = gather::runs(&keys);
            sorted = arrow_select::take::take_record_batch(batch, &UInt32Array::from(order))
                .map_err(arrow_error)?;
            &sorted
        } else {
            batch
        };
        let index = self.tables[t].1;
        let mut to_spill = Vec::new();
        for (key, start, len) in runs {
            if self.spill.active() && !self.parts.is_open(index, key) {
                to_spill.push((key, start, len));
            } else if let Err(e) = self.write_part(t, key, &batch.slice(start, len)) {
                return Err(self.thread_error(e));
            }
        }
        if !to_spill.is_empty() {
            if let Err(e) = self.keep_for_spill(t, batch, to_spill) {
                return Err(self.thread_error(e));
            }
        }
        if let Err(e) = self.send_whole() {
            return Err(self.thread_error(e));
        }
        Ok(())
    }

    /// Write rows of one partition: held back ([`pending`](super::pending)) while the
    /// partition has no open file and fewer rows than a large file, into its open file
    /// otherwise.
    pub(super) fn write_part(
        &mut self,
        t: usize,
        key: i64,
        batch: &RecordBatch,
    ) -> Result<(), Error> {
        let index = self.tables[t].1;
        if !self.parts.is_open(index, key) {
            if !self.pending.holds((t, key)) && self.parts.had_part(index, key) {
                // A partition written earlier comes again: the input is not in time order.
                self.start_spilling(None)?;
                return self.keep_for_spill(t, batch, vec![(key, 0, batch.num_rows())]);
            }
            if self
                .pending
                .add((t, key), &self.tables[t].2.empty, batch)
                .map_err(arrow_error)?
            {
                // Large enough to be written as it comes: opened with its rows so far.
                if let Some(held) = self.pending.take((t, key)) {
                    for b in &held.batches {
                        self.write_open(t, key, b)?;
                    }
                }
            }
            // Past an eighth of their budget, held partitions the input has moved on from
            // ([`Recent::moved_on_from`]: in time order, oldest or newest first, they are
            // complete) are written: then they take no memory, and are written while the
            // input is read. A partition the input may come back to, past the whole budget,
            // means the input is not in time order: spill. So does input not in time order
            // past the eighth: its partitions get a row or two from each batch, and holding
            // them costs more than spilling (a shuffled six-month archive held in 4 GiB took
            // twice as long as spilled and merged).
            while let Some(((t, key), over)) = self.pending.lru_over(EARLY_WRITE_PART) {
                let recent = self.recent[t];
                if !recent.moved_on_from(key) {
                    if !over && recent.in_time_order() {
                        break;
                    }
                    let held = self.pending.take((t, key));
                    return self.start_spilling(held.map(|h| ((t, key), h)));
                }
                if let Some(held) = self.pending.take((t, key)) {
                    self.written_for_memory += 1;
                    self.write_whole(t, key, held.batches, held.bytes)?;
                }
            }
            return Ok(());
        }
        self.write_open(t, key, batch)
    }

    /// The file of a partition's rows, to be written whole.
    pub(super) fn whole_file(
        &mut self,
        t: usize,
        key: i64,
        batches: Vec<RecordBatch>,
    ) -> Result<WholeFile, Error> {
        let (_, index, spec) = &self.tables[t];
        Ok(WholeFile {
            tmp: self.parts.reserve(*index, key)?,
            schema: Arc::clone(&spec.schema),
            props: Arc::clone(&spec.props),
            batches,
        })
    }

    /// Write a partition's held rows (`bytes` in memory) as one file: with writer threads,
    /// kept for them until the end of the batch ([`send_whole`](Self::send_whole)), else
    /// here.
    pub(super) fn write_whole(
        &mut self,
        t: usize,
        key: i64,
        batches: Vec<RecordBatch>,
        bytes: usize,
    ) -> Result<(), Error> {
        let file = self.whole_file(t, key, batches)?;
        if self.shards.is_some() {
            self.outbox.push((file, bytes));
            return Ok(());
        }
        file.write()
    }

    /// Queue the files kept by [`write_whole`](Self::write_whole) for the writer threads,
    /// writing here those the queue has no room for.
    pub(super) fn send_whole(&mut self) -> Result<(), Error> {
        if self.outbox.is_empty() {
            return Ok(());
        }
        let files = std::mem::take(&mut self.outbox);
        let back = match &self.shards {
            Some(shards) => shards.whole.send(files)?,
            None => files,
        };
        back.into_iter().try_for_each(|(file, _)| file.write())
    }

    /// Write rows into the partition's open file (opened if needed).
    pub(super) fn write_open(
        &mut self,
        t: usize,
        key: i64,
        batch: &RecordBatch,
    ) -> Result<(), Error> {
        let (_, index, spec) = &self.tables[t];
        let (file, tmp) = self.parts.file_with_path(*index, key, spec)?;
        let Some(shards) = &mut self.shards else {
            if let ParquetPart::Local(w) = file {
                w.write(batch).map_err(parquet_error)?;
            }
            let budget = self.opts.row_group_budget();
            return bound_memory(local_files(&mut self.parts), budget).map_err(|(_, e)| e);
        };
        if let ParquetPart::Local(_) = file {
            // Opened just now (or before the threads started): from now on one writer
            // thread owns it, so its batches are written in the order they are sent.
            let (id, tx) = shards.assign();
            let size = Arc::new(size::SizeLog::default());
            let remote = ParquetPart::Remote {
                id,
                tx: tx.clone(),
                size: Arc::clone(&size),
                writes: 0,
            };
            if let ParquetPart::Local(writer) = std::mem::replace(file, remote) {
                let tmp = tmp.to_path_buf();
                tx.send(ShardMsg::Open {
                    id,
                    tmp,
                    writer,
                    size,
                })
                .map_err(|_| thread_stopped())?;
            }
        }
        if let ParquetPart::Remote { id, tx, writes, .. } = file {
            *writes += 1;
            tx.send(ShardMsg::Write(*id, batch.clone()))
                .map_err(|_| thread_stopped())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Recent;

    #[test]
    fn the_input_moves_on_from_partitions_only_when_in_time_order() {
        let mut r = Recent::default();
        // Oldest first: batches of hours 0-9, 10-19, 20-29.
        for start in [0, 10, 20] {
            r.saw(start, start + 9);
        }
        assert!(r.moved_on_from(5) && r.moved_on_from(19));
        assert!(!r.moved_on_from(20) && !r.moved_on_from(29));
        // Newest first.
        let mut r = Recent::default();
        for start in [20, 10, 0] {
            r.saw(start, start + 9);
        }
        assert!(r.moved_on_from(25) && !r.moved_on_from(5));
        // Shuffled: each batch spans nearly everything seen; the hour it missed at the
        // edge will come again.
        let mut r = Recent::default();
        for (first, last) in [(0, 99), (1, 100), (0, 98)] {
            r.saw(first, last);
        }
        assert!(!r.moved_on_from(100) && !r.in_time_order());
        // The first batch alone tells nothing.
        let mut r = Recent::default();
        r.saw(0, 9);
        assert!(!r.moved_on_from(20));
    }
}
