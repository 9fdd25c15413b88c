//! Rows spilled to hidden files when the input is not in time order, and merged back at
//! commit, so that such input still makes one file per partition, with bounded memory.
//!
//! Why: the writer holds partitions back ([`super::pending`]) and, over the memory budget,
//! writes the least recently used whole. With input in time order those are complete; with
//! input in no order they are not, and every partition comes again and again, each time a
//! row or two (whose arrays cost a few KB each). Measured on a six-month archive of
//! 1,000,000 records in random order (`normalog gen -n 1000000 --span 180d`, shuffled),
//! default memory bound, hour layout: 507,986 files of 2 rows each, in 118 s, where one
//! file per partition is 12,963.
//!
//! How (an external merge sort by partition): when the held rows go over their budget and
//! the least recently used partition is between the first and the last partition of the
//! last batch of its table, rows of its time may still come: the input is not in time
//! order, oldest or newest first (nor is it when a partition written earlier comes again).
//! From then on, the
//! rows of partitions without an open file are kept as the batches they came in (each
//! sorted by partition, with its partitions' row ranges), and the held partitions join
//! them. When they go over the budget, each table's rows are sorted by partition (stable:
//! rows of a partition keep their order) and written as one run file (Parquet,
//! uncompressed, without statistics: written once, read once). At commit, the runs of a
//! table are read side by side, one pass each, and each partition's rows from every run
//! are written as one file, a chunk of partitions at a time; a partition written whole
//! before its rows came again is read back first, and written again with them (so input
//! in time order that goes back, such as two archives of overlapping months one after
//! the other, still makes one file per partition). The run files are hidden and
//! named after the run's lock (`DIR/_normalog/spill/.spill-<table>-<n>.parquet.tmp-<token>`):
//! removed after the merge or on drop, and by the next run's recovery after a `kill -9`;
//! so is their directory, once empty.

use std::collections::{BTreeSet, HashSet};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use arrow_select::interleave::interleave_record_batch;
use parquet::arrow::arrow_reader::{
    ArrowReaderOptions, ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::{EnabledStatistics, WriterProperties};

use super::files::{parquet_error, write_whole_files};
use super::pending::{Held, Key};
use super::ParquetWriter;
use crate::error::Error;
use crate::sink::arrow::arrow_error;
use crate::sink::layout::{create_file, path_error, pause_point, with_path};

/// Rows per row group of a run file.
const RUN_ROW_GROUP_ROWS: usize = 16_384;
/// Rows per page of a run file, and bytes at most: the reader of a run holds a page of each
/// column, and the merge reads every run of a table at once. With the crate's default pages
/// (up to 1 MB) each run cost its readers about as much as its rows (a shuffled archive of
/// 1.5M records at `--max-buffered-mib 16`: 452 MB peak).
const RUN_PAGE_ROWS: usize = 1024;
const RUN_PAGE_BYTES: usize = 64 * 1024;
/// Rows per batch read back from a run (a run's batch is held while the merge takes it).
const READ_BATCH_ROWS: usize = 1024;
/// What the reader of a run holds, about: a page of each column and a batch read back.
const RUN_READER_BYTES: usize = 2 << 20;
/// Runs of one level merged into one run of the next, at the least and at the most: the
/// merge reads them all at once, so that the runs read at any time stay within the memory
/// budget and grow with the logarithm of the input, not with the input.
const MIN_FAN_IN: usize = 4;
const MAX_FAN_IN: usize = 64;
/// Rows of merged partitions gathered before they are written (on the writer threads).
const MERGE_CHUNK_ROWS: usize = 65_536;
/// Files gathered before they are written, whatever their rows: each partition waiting
/// holds some 3 KB of Arrow slices and lists, so at a row or two per partition (a sparse
/// archive in hours) the rows' bound let tens of thousands wait, and memory grew with the
/// files a run wrote (review s40-h3 F3, s40-h5: 171 MB for 80,334 files, 77 MB with it).
const MERGE_CHUNK_FILES: usize = 1024;
/// Memory counted per kept batch beyond its buffers.
const BATCH_OVERHEAD: usize = 1024;

impl ParquetWriter {
    /// Keep `runs` of `batch` (partition, start, rows; none with an open file) of table `t`
    /// to be spilled; spill when the kept rows go over the budget.
    pub(super) fn keep_for_spill(
        &mut self,
        t: usize,
        batch: &RecordBatch,
        runs: Vec<(i64, usize, usize)>,
    ) -> Result<(), Error> {
        self.spill.keep(t, batch.clone(), runs);
        if self.spill.kept_bytes > self.opts.held_budget() {
            self.spill_kept()?;
        }
        Ok(())
    }

    /// The input is not in time order: spill from now on, starting with the held rows
    /// (and `taken`, taken from them).
    pub(super) fn start_spilling(&mut self, taken: Option<(Key, Held)>) -> Result<(), Error> {
        self.spill.active = true;
        for ((t, key), held) in taken.into_iter().chain(self.pending.take_all()) {
            for b in held.batches {
                let rows = b.num_rows();
                self.spill.keep(t, b, vec![(key, 0, rows)]);
            }
        }
        if self.spill.kept_bytes > self.opts.held_budget() {
            self.spill_kept()?;
        }
        Ok(())
    }

    /// Write the kept rows of each table as a run, in partition order.
    pub(super) fn spill_kept(&mut self) -> Result<(), Error> {
        let kept = std::mem::take(&mut self.spill.kept);
        self.spill.kept_bytes = 0;
        for (t, batches) in kept.into_iter().enumerate() {
            if batches.is_empty() {
                continue;
            }
            let path = self.run_path(t)?;
            let schema = Arc::clone(&self.tables[t].2.schema);
            self.spill.write_run(t, path, &schema, &batches)?;
            self.merge_full_levels(t)?;
        }
        Ok(())
    }

    /// A new run file's path for table `t`.
    fn run_path(&mut self, t: usize) -> Result<PathBuf, Error> {
        self.spill.named += 1;
        self.parts
            .scratch_path(&format!("spill-{t}-{}.parquet", self.spill.named))
    }

    /// While table `t` has as many runs of one level as the fan-in, merge them into one
    /// run of the next level (an external merge sort's tiers): the final merge then reads
    /// a few dozen runs at the most, whatever the input's size.
    fn merge_full_levels(&mut self, t: usize) -> Result<(), Error> {
        let fan_in = (self.opts.held_budget() / RUN_READER_BYTES).clamp(MIN_FAN_IN, MAX_FAN_IN);
        while let Some(level) = self.spill.full_level(t, fan_in) {
            if self.parts.cancelled() {
                return Err(Error::cancelled());
            }
            let path = self.run_path(t)?;
            let schema = Arc::clone(&self.tables[t].2.schema);
            let parts = &self.parts;
            self.spill
                .merge_level(t, level, path, &schema, &|| parts.cancelled())?;
        }
        Ok(())
    }

    /// Write every spilled partition as one file, with its rows from every run (kept rows
    /// are spilled first), in the order they came.
    pub(super) fn write_spilled(&mut self, threads: usize) -> Result<(), Error> {
        self.spill_kept()?;
        let tables: BTreeSet<usize> = self.spill.runs.iter().map(|r| r.table).collect();
        for t in tables {
            let schema = Arc::clone(&self.tables[t].2.schema);
            let mut cursors = self.spill.open(t)?;
            let (mut chunk, mut chunk_rows) = (Vec::new(), 0);
            let index = self.tables[t].1;
            while let Some(key) = cursors.iter().filter_map(Cursor::next_key).min() {
                // A stop ends the merge at once (it checked every chunk of 65,536 rows, read
                // from every run: seconds on a large shuffled archive).
                if self.parts.cancelled() {
                    return Err(Error::cancelled());
                }
                let mut batches = Vec::new();
                // The partition's file written before its rows came again: read back, its
                // rows first, and written again with them (one file per partition).
                if let Some(earlier) = self.parts.take_back(index, key) {
                    // No longer one of the run's files: removed here, whether read or not.
                    let read = read_whole(&earlier, &schema, &mut batches);
                    self.parts.remove_taken_back(&earlier)?;
                    chunk_rows += read?;
                }
                for c in &mut cursors {
                    if c.next_key() == Some(key) {
                        chunk_rows += c.take(&mut batches)?;
                    }
                }
                // The batches read back carry the run file's schema: the table's, by type.
                let batches = batches
                    .into_iter()
                    .map(|b| RecordBatch::try_new(Arc::clone(&schema), b.columns().to_vec()))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(arrow_error)?;
                chunk.push(self.whole_file(t, key, batches)?);
                if chunk_rows >= MERGE_CHUNK_ROWS || chunk.len() >= MERGE_CHUNK_FILES {
                    write_whole_files(std::mem::take(&mut chunk), threads)?;
                    chunk_rows = 0;
                }
            }
            write_whole_files(chunk, threads)?;
        }
        self.spill.remove_files();
        // Their files are named now: counted by the layout (`files_opened`, `extra_files`).
        self.spill.keys.clear();
        Ok(())
    }
}

/// The properties of a run file: written once, read once.
fn run_props() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::UNCOMPRESSED)
        .set_statistics_enabled(EnabledStatistics::None)
        .set_dictionary_enabled(false)
        .set_offset_index_disabled(true)
        .set_max_row_group_row_count(Some(RUN_ROW_GROUP_ROWS))
        .set_data_page_row_count_limit(RUN_PAGE_ROWS)
        .set_data_page_size_limit(RUN_PAGE_BYTES)
        .set_write_batch_size(RUN_PAGE_ROWS)
        .build()
}

/// A new run file at `path`, buffered.
fn run_file(path: &Path) -> Result<BufWriter<File>, Error> {
    let file = create_file(path).map_err(|e| path_error(path, &e))?;
    Ok(BufWriter::with_capacity(1 << 20, file))
}

/// Append the rows of a part file written whole by this run to `out`, with the table's
/// `schema` (its file has no Arrow schema: timestamps would read back with another time
/// zone name); returns how many.
fn read_whole(path: &Path, schema: &SchemaRef, out: &mut Vec<RecordBatch>) -> Result<usize, Error> {
    let file = File::open(path).map_err(|e| path_error(path, &e))?;
    let options = ArrowReaderOptions::new().with_schema(Arc::clone(schema));
    let reader = ParquetRecordBatchReaderBuilder::try_new_with_options(file, options)
        .and_then(|b| b.with_batch_size(READ_BATCH_ROWS).build())
        .map_err(|e| with_path(path, parquet_error(e)))?;
    let mut rows = 0;
    for batch in reader {
        let batch = batch.map_err(|e| with_path(path, arrow_error(e)))?;
        rows += batch.num_rows();
        out.push(batch);
    }
    Ok(rows)
}

/// The spilled rows of a writer.
#[derive(Default)]
pub(super) struct Spill {
    runs: Vec<Run>,
    /// Run files named so far (each name once, as merged runs go).
    named: usize,
    /// Input not in time order was seen: rows of partitions without an open file are
    /// kept here, and spilled.
    active: bool,
    /// Per table: batches kept to be spilled, each with its partitions' row ranges.
    kept: Vec<Vec<Kept>>,
    kept_bytes: usize,
    /// Partitions with rows kept or spilled.
    keys: HashSet<Key>,
    /// Rows kept or spilled.
    rows: u64,
}

/// A batch kept to be spilled: the rows `start..start + len` of each partition.
struct Kept {
    batch: RecordBatch,
    runs: Vec<(i64, usize, usize)>,
}

/// One run file: the rows of some partitions of one table, in partition order.
struct Run {
    table: usize,
    /// 0 for rows spilled, n + 1 for runs of level n merged.
    level: u32,
    path: PathBuf,
    /// Each partition in the run and its rows, in the order written.
    index: Vec<(i64, usize)>,
}

impl Spill {
    /// Whether the rows of partitions without an open file are spilled.
    pub(super) fn active(&self) -> bool {
        self.active
    }

    /// Whether any rows are kept or spilled.
    pub(super) fn is_empty(&self) -> bool {
        self.runs.is_empty() && self.kept_bytes == 0
    }

    /// The partitions with rows kept or spilled.
    pub(super) fn keys(&self) -> impl Iterator<Item = Key> + '_ {
        self.keys.iter().copied()
    }

    /// Rows spilled so far, or kept to be.
    pub(super) fn rows(&self) -> u64 {
        self.rows
    }

    fn keep(&mut self, t: usize, batch: RecordBatch, runs: Vec<(i64, usize, usize)>) {
        if self.kept.len() <= t {
            self.kept.resize_with(t + 1, Vec::new);
        }
        for &(key, ..) in &runs {
            self.keys.insert((t, key));
        }
        self.kept_bytes += batch.get_array_memory_size() + BATCH_OVERHEAD;
        self.rows += runs.iter().map(|&(.., n)| n as u64).sum::<u64>();
        self.kept[t].push(Kept { batch, runs });
    }

    /// Write the rows of `kept` (batches of table `table`) as a run at `path`: sorted by
    /// partition, stable.
    fn write_run(
        &mut self,
        table: usize,
        path: PathBuf,
        schema: &SchemaRef,
        kept: &[Kept],
    ) -> Result<(), Error> {
        // Every row range, by partition then as they came; then the rows in that order.
        let mut ranges: Vec<(i64, usize, usize, usize)> = kept
            .iter()
            .enumerate()
            .flat_map(|(b, k)| k.runs.iter().map(move |&(key, s, n)| (key, b, s, n)))
            .collect();
        ranges.sort_by_key(|&(key, b, s, _)| (key, b, s));
        let mut index: Vec<(i64, usize)> = Vec::new();
        let mut order: Vec<(usize, usize)> = Vec::new();
        for &(key, b, s, n) in &ranges {
            match index.last_mut() {
                Some((k, rows)) if *k == key => *rows += n,
                _ => index.push((key, n)),
            }
            order.extend((s..s + n).map(|row| (b, row)));
        }
        let batches: Vec<&RecordBatch> = kept.iter().map(|k| &k.batch).collect();
        // Listed first, so that it is removed on drop even if writing fails.
        self.runs.push(Run {
            table,
            level: 0,
            path,
            index: Vec::new(),
        });
        let path = &self.runs[self.runs.len() - 1].path;
        let out = run_file(path)?;
        let write = || -> parquet::errors::Result<()> {
            let mut w = ArrowWriter::try_new(out, Arc::clone(schema), Some(run_props()))?;
            for rows in order.chunks(RUN_ROW_GROUP_ROWS) {
                let batch = interleave_record_batch(&batches, rows)?;
                w.write(&batch)?;
            }
            w.close()?;
            Ok(())
        };
        write()
            .map_err(parquet_error)
            .map_err(|e| with_path(path, e))?;
        if let Some(run) = self.runs.last_mut() {
            run.index = index;
        }
        pause_point("spill");
        Ok(())
    }

    /// A level of `table`'s runs that holds `fan_in` runs, if any.
    fn full_level(&self, table: usize, fan_in: usize) -> Option<u32> {
        let mut counts = std::collections::BTreeMap::new();
        for r in self.runs.iter().filter(|r| r.table == table) {
            *counts.entry(r.level).or_insert(0) += 1;
        }
        counts
            .into_iter()
            .find(|&(_, n)| n >= fan_in)
            .map(|(level, _)| level)
    }

    /// Merge the runs of `table` at `level` into one run of the next level, at `path`:
    /// each partition's rows from each run, in the order of the runs (so, as they came).
    fn merge_level(
        &mut self,
        table: usize,
        level: u32,
        path: PathBuf,
        schema: &SchemaRef,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(), Error> {
        let merged = |r: &Run| r.table == table && r.level == level;
        let mut cursors = self.open_where(merged)?;
        // Listed first, so that it is removed on drop even if writing fails.
        self.runs.push(Run {
            table,
            level: level + 1,
            path,
            index: Vec::new(),
        });
        let path = self.runs[self.runs.len() - 1].path.clone();
        let out = run_file(&path)?;
        let mut index = Vec::new();
        let write = || -> Result<(), Error> {
            let mut w = ArrowWriter::try_new(out, Arc::clone(schema), Some(run_props()))
                .map_err(parquet_error)?;
            while let Some(key) = cursors.iter().filter_map(Cursor::next_key).min() {
                if cancelled() {
                    return Err(Error::cancelled());
                }
                let mut batches = Vec::new();
                let mut rows = 0;
                for c in &mut cursors {
                    if c.next_key() == Some(key) {
                        rows += c.take(&mut batches)?;
                    }
                }
                for b in batches {
                    let b = RecordBatch::try_new(Arc::clone(schema), b.columns().to_vec())
                        .map_err(arrow_error)?;
                    w.write(&b).map_err(parquet_error)?;
                }
                index.push((key, rows));
            }
            w.close().map_err(parquet_error)?;
            Ok(())
        };
        write().map_err(|e| with_path(&path, e))?;
        if let Some(run) = self.runs.last_mut() {
            run.index = index;
        }
        // The merged runs go (the new one is of the next level).
        let (gone, kept): (Vec<Run>, Vec<Run>) = std::mem::take(&mut self.runs)
            .into_iter()
            .partition(|r| merged(r));
        self.runs = kept;
        for run in gone {
            let _ = std::fs::remove_file(&run.path);
        }
        Ok(())
    }

    /// The runs of `table`, opened to be read in partition order.
    pub(super) fn open(&self, table: usize) -> Result<Vec<Cursor>, Error> {
        self.open_where(|r| r.table == table)
    }

    /// The runs `which` selects, in the order they were written, opened to be read in
    /// partition order.
    fn open_where(&self, which: impl Fn(&Run) -> bool) -> Result<Vec<Cursor>, Error> {
        self.runs
            .iter()
            .filter(|r| which(r) && !r.index.is_empty())
            .map(|r| {
                let file = File::open(&r.path).map_err(|e| path_error(&r.path, &e))?;
                let reader = ParquetRecordBatchReaderBuilder::try_new(file)
                    .and_then(|b| b.with_batch_size(READ_BATCH_ROWS).build())
                    .map_err(parquet_error)
                    .map_err(|e| with_path(&r.path, e))?;
                Ok(Cursor {
                    reader,
                    index: r.index.clone(),
                    next: 0,
                    batch: None,
                    at: 0,
                })
            })
            .collect()
    }

    /// Remove the run files (after the merge, or when the run is dropped), and their
    /// directory when that leaves it empty, so that a run leaves no `_normalog/spill/`
    /// behind (interrupted or not). Another run spilling into the same lake keeps it (its
    /// files are in it), or, between creating it and its file, creates it again
    /// ([`create_file`]).
    pub(super) fn remove_files(&mut self) {
        let dir = self
            .runs
            .first()
            .and_then(|r| r.path.parent().map(Path::to_path_buf));
        for run in self.runs.drain(..) {
            let _ = std::fs::remove_file(&run.path);
        }
        if let Some(dir) = dir {
            // Fails, as it should, while the directory holds anything.
            let _ = std::fs::remove_dir(dir);
        }
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        self.remove_files();
    }
}

/// A run being read: its partitions one after the other.
pub(super) struct Cursor {
    reader: ParquetRecordBatchReader,
    index: Vec<(i64, usize)>,
    /// The next partition in `index`.
    next: usize,
    /// The batch being read, and the rows of it already taken.
    batch: Option<RecordBatch>,
    at: usize,
}

impl Cursor {
    /// The partition whose rows come next.
    pub(super) fn next_key(&self) -> Option<i64> {
        self.index.get(self.next).map(|&(key, _)| key)
    }

    /// Append the rows of the next partition to `out` (slices of the batches read).
    pub(super) fn take(&mut self, out: &mut Vec<RecordBatch>) -> Result<usize, Error> {
        let Some(&(_, rows)) = self.index.get(self.next) else {
            return Ok(0);
        };
        self.next += 1;
        let mut left = rows;
        while left > 0 {
            let len = self.batch.as_ref().map_or(0, RecordBatch::num_rows);
            if self.at == len {
                let next = self
                    .reader
                    .next()
                    .ok_or_else(|| Error::sink("a spill file ended early"))?;
                self.batch = Some(next.map_err(arrow_error)?);
                self.at = 0;
                continue;
            }
            let n = left.min(len - self.at);
            if let Some(b) = &self.batch {
                out.push(b.slice(self.at, n));
            }
            self.at += n;
            left -= n;
        }
        Ok(rows)
    }
}
