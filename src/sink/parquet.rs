//! Parquet output: one table per log type, Hive-partitioned by event time.
//!
//! [`ParquetWriter`] writes [`RecordBatch`]es (built by
//! [`super::arrow::RecordBatchBuilder`]) into the directory layout of
//! [`super::layout`]: `DIR/<table>/year=2023/month=07/day=01/hour=14/part-0.parquet`. It
//! is also a [`Sink`](super::Sink), so it can take events directly; the CLI feeds it batches
//! built by the worker threads of [`Batch::run_parquet`](crate::pipeline::Batch::run_parquet).
//!
//! # Columns and types
//!
//! The schema's fields come first, in schema order, under the schema's names; then the
//! standard fields, then the `p_any_*` columns the schema can fill (the same order as
//! NDJSON):
//!
//! | schema type / field | Arrow type | Parquet physical (logical) type |
//! |---|---|---|
//! | `string` | `Utf8` | `BYTE_ARRAY` (`STRING`) |
//! | `int` | `Int32` | `INT32` |
//! | `smallint` | `Int16` | `INT32` (`INT(16, signed)`) |
//! | `bigint` | `Int64` | `INT64` |
//! | `float` | `Float64` | `DOUBLE` |
//! | `boolean` | `Boolean` | `BOOLEAN` |
//! | `timestamp` | `Timestamp(Microsecond, "UTC")` | `INT64` (`TIMESTAMP(MICROS, isAdjustedToUTC=true)`) |
//! | `object` | `Struct` of its fields | group |
//! | `object` without fields | `Utf8` holding `{}` | `BYTE_ARRAY` (`STRING`) |
//! | `array` | `List` of its element (item field `item`) | `LIST` group |
//! | `json` | `Utf8` holding the compact JSON text, as in NDJSON | `BYTE_ARRAY` (`STRING`) |
//! | `p_log_type`, `p_row_id` | `Utf8`, not null | `BYTE_ARRAY` (`STRING`) |
//! | `p_event_time`, `p_parse_time` | `Timestamp(Microsecond, "UTC")`, not null | as `timestamp` |
//! | `p_schema_version` | `Int64`, not null | `INT64` |
//! | `p_source_id`, `p_source_label` | `Utf8`, null when not given | `BYTE_ARRAY` (`STRING`) |
//! | `p_any_*` | `List<Utf8>` | `LIST` of `STRING` |
//!
//! DuckDB reads these as `VARCHAR`, `INTEGER`, `SMALLINT`, `BIGINT`, `DOUBLE`, `BOOLEAN`,
//! `TIMESTAMP WITH TIME ZONE`, `STRUCT(...)`, `T[]` and `VARCHAR[]`.
//!
//! Timestamps are **microseconds**, not nanoseconds, because decoded times span the years
//! 0000–9999 and 64-bit nanoseconds only reach 1677–2262; it is also the precision of
//! DuckDB, Spark and Trino timestamps. Digits below the microsecond (which NDJSON keeps)
//! are truncated toward the past. `p_schema_version` is `Int64` because the schema's
//! `version` is an integer and Panther's column is a `bigint`.
//!
//! `p_source_id` and `p_source_label` are always present (null when not given), so that
//! every file of a table has the same schema; every `p_any_*` column the schema can fill
//! is present too, whether or not a row fills it.
//!
//! # Nulls
//!
//! Exactly what NDJSON omits is null: a missing or `null` value; `""` in a number, boolean
//! or timestamp field; an empty array (NDJSON omits it, so it is a null list, not an empty
//! one); an empty `p_any_*` list. An absent object is a null struct (all its children null
//! too); a present object whose fields are all absent is a non-null struct of nulls (NDJSON
//! `{}`). Null elements of arrays are dropped when decoding, so list items are never null.
//!
//! Strings are valid UTF-8 (simd-json checks the input), as Parquet `STRING` requires.
//!
//! # Files
//!
//! Compression is zstd by default ([`Compression`]); statistics (min/max, null count) are
//! written per page and row group for every column, so engines prune row groups and files
//! by `p_event_time`.
//!
//! Dictionary encoding is used only where values repeat. `p_row_id`, `p_event_time` and
//! `p_parse_time` never get one. For the other columns, each table's first batch of at
//! least 512 rows decides: a leaf column (struct child, list item) whose first 1024 non-null
//! values are more than half distinct gets no dictionary (plain pages) in the table's files
//! opened from then on; the others, and columns with fewer than 64 values in the sample,
//! keep one. A dictionary of nearly unique values costs a hash per value and repeats every
//! value in the dictionary page; zstd still finds the repeats of plain pages. Files opened
//! before that batch (a table's first batches were small) keep a dictionary on every other
//! column. Readers see the same values either way. A row group is cut every [`Options::row_group_rows`] rows. Memory is
//! bounded by [`Options::max_open_files`] (least recently used files are closed) and
//! [`Options::max_buffered_bytes`] (the largest in-progress row group is flushed early
//! when the open files together buffer more). Files appear under their final names only
//! when the output is committed ([`ParquetWriter::commit`]); see [`super::layout`].
//!
//! # Threads
//!
//! Used as a [`Sink`](super::Sink) or through [`ParquetWriter::write_batch`], the writer
//! encodes on the calling thread. [`Batch::run_parquet`](crate::pipeline::Batch::run_parquet)
//! with `threads(n)`, n ≥ 2, also gives it n writer threads for the run (at most
//! [`Options::max_open_files`]): each file is owned by one of them (files take threads in
//! turn as they are opened), which encodes, compresses and finishes it, in the order its
//! rows were given, while the calling thread only splits batches by partition and keeps
//! the books (which files are open, part numbers, the least recently used file). So the
//! files, their rows and the order of the rows are the same with any number of threads.
//! The memory bound is shared: each writer thread keeps its own files' unfinished row
//! groups under `max_buffered_bytes / n`, so a row group cut early for memory may be cut at
//! another row than with one thread; up to 8 batch slices wait per writer thread. A file
//! closed to stay within `max_open_files` is finished by its thread shortly after, so a
//! new file may be opened just before an old one is closed. At the end of the run the
//! threads hand their open files back to the writer, and [`ParquetWriter::commit`] then
//! finishes them on as many threads (with many hours open, their last row groups are a
//! large part of the work).
//!
//! # Example
//!
//! ```
//! use normalog::pipeline::{Batch, Ignore, Input};
//! use normalog::sink::parquet::{Options, ParquetWriter};
//! use normalog::{NormalizerBuilder, Registry};
//!
//! let dir = tempfile::tempdir()?;
//! let input = dir.path().join("zoom.ndjson");
//! std::fs::write(&input, "{\"email\":\"a@x.com\",\"time\":\"2023-07-01T14:00:00Z\"}\n")?;
//! let lake = dir.path().join("lake");
//! let mut writer = ParquetWriter::new(&lake, Options::default());
//! let run = Batch::new().run_parquet(
//!     &NormalizerBuilder::new(),
//!     &Registry::builtin(),
//!     &[Input::Path(input)],
//!     &mut writer,
//!     &mut Ignore,
//! )?;
//! writer.commit()?;
//! assert_eq!(run.summary.normalized, 1);
//! assert!(lake.join("zoom_activity/year=2023/month=07/day=01/hour=14/part-0.parquet").exists());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::hash::Hash;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch, UInt32Array};
use arrow_schema::{DataType, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::{GzipLevel, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use super::arrow::{arrow_error, RecordBatchBuilder};
use super::layout::{sink_error, table_name, with_path, PartFile, Partition, Parts};
use crate::error::{Error, ErrorKind};
use crate::event::{Event, P_EVENT_TIME, P_PARSE_TIME, P_ROW_ID};

/// Compression codec of the Parquet pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Compression {
    /// zstd at its default level (the default): small files, fast to read.
    #[default]
    Zstd,
    /// Snappy: faster to write, larger files.
    Snappy,
    /// gzip at its default level: for readers that know nothing else.
    Gzip,
    /// No compression.
    None,
}

impl Compression {
    fn codec(self) -> parquet::basic::Compression {
        match self {
            Compression::Zstd => parquet::basic::Compression::ZSTD(ZstdLevel::default()),
            Compression::Snappy => parquet::basic::Compression::SNAPPY,
            Compression::Gzip => parquet::basic::Compression::GZIP(GzipLevel::default()),
            Compression::None => parquet::basic::Compression::UNCOMPRESSED,
        }
    }
}

/// Default rows per row group.
pub const DEFAULT_ROW_GROUP_ROWS: usize = 65_536;
/// Default limit on open part files.
pub const DEFAULT_MAX_OPEN_FILES: usize = 64;
/// Default limit on the bytes buffered by all open files' unfinished row groups.
pub const DEFAULT_MAX_BUFFERED_BYTES: usize = 256 << 20;

/// Options of a [`ParquetWriter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Directory partitioning by event time (default: by hour).
    pub partition: Partition,
    /// Page compression (default: zstd).
    pub compression: Compression,
    /// Rows per row group (default [`DEFAULT_ROW_GROUP_ROWS`]; at least 1).
    pub row_group_rows: usize,
    /// Part files open at once (default [`DEFAULT_MAX_OPEN_FILES`]; at least 1). With
    /// writer threads ([`Batch::run_parquet`](crate::pipeline::Batch::run_parquet) with
    /// `threads(n)`, n ≥ 2) this bounds the files the writer keeps open; a file it closes is
    /// finished by its thread shortly after, so the process can briefly hold a few more.
    pub max_open_files: usize,
    /// Bytes that open files may buffer together before the largest is flushed as a row
    /// group (default [`DEFAULT_MAX_BUFFERED_BYTES`]).
    pub max_buffered_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            partition: Partition::default(),
            compression: Compression::default(),
            row_group_rows: DEFAULT_ROW_GROUP_ROWS,
            max_open_files: DEFAULT_MAX_OPEN_FILES,
            max_buffered_bytes: DEFAULT_MAX_BUFFERED_BYTES,
        }
    }
}

/// What a part file is opened with.
pub(crate) struct TableSpec {
    schema: SchemaRef,
    props: WriterProperties,
    /// Whether the dictionary columns were chosen from a sample ([`unique_columns`]);
    /// files opened before keep a dictionary on every column but the unique `p_*` ones.
    sampled: bool,
}

/// The Arrow writer of one open Parquet file (boxed: it is large, and moves between
/// threads).
type FileWriter = Box<ArrowWriter<BufWriter<File>>>;

/// One open Parquet file: written on this thread, or handed to a writer thread.
enum ParquetPart {
    /// Written by the thread that owns the [`ParquetWriter`].
    Local(FileWriter),
    /// Owned by a writer thread ([`Shards`]) until the threads stop; `id` names it there.
    Remote { id: u64, tx: SyncSender<ShardMsg> },
}

impl PartFile for ParquetPart {
    type Table = TableSpec;
    const EXT: &'static str = "parquet";

    fn open(file: File, table: &TableSpec) -> Result<Self, Error> {
        let w = ArrowWriter::try_new(
            BufWriter::with_capacity(1 << 16, file),
            Arc::clone(&table.schema),
            Some(table.props.clone()),
        )
        .map_err(parquet_error)?;
        Ok(ParquetPart::Local(Box::new(w)))
    }

    fn finish(self) -> Result<(), Error> {
        match self {
            ParquetPart::Local(w) => finish_file(w),
            // The writer thread finishes it, in order after the file's last batch; an
            // error there is returned when the threads stop.
            ParquetPart::Remote { id, tx } => {
                tx.send(ShardMsg::Close(id)).map_err(|_| thread_stopped())
            }
        }
    }
}

/// Write the footer and close.
fn finish_file(w: FileWriter) -> Result<(), Error> {
    let out = w.into_inner().map_err(parquet_error)?;
    let file = out.into_inner().map_err(|e| Error::from(e.into_error()))?;
    drop(file);
    Ok(())
}

fn parquet_error(e: parquet::errors::ParquetError) -> Error {
    match e {
        parquet::errors::ParquetError::External(e) => match e.downcast::<std::io::Error>() {
            Ok(io) => Error::from(*io),
            Err(e) => Error::new(ErrorKind::Sink(e)),
        },
        e => Error::new(ErrorKind::Sink(Box::new(e))),
    }
}

/// Rows of one log type collected by the [`Sink`](super::Sink) implementation before they
/// are written as one batch.
const SINK_BATCH_ROWS: usize = 8192;

/// Writes record batches (or events) as Parquet files, one table per log type, partitioned
/// by event time. See the [module documentation](self) for the format.
///
/// Nothing appears under a final name until [`commit`](Self::commit) (or
/// [`Sink::finish`](super::Sink::finish)); dropped without it, the writer removes its
/// temporary files.
pub struct ParquetWriter {
    opts: Options,
    parts: Parts<ParquetPart>,
    /// Per log type: the table index in `parts` and the file spec.
    tables: Vec<(Arc<str>, usize, TableSpec)>,
    /// Events taken through the `Sink` implementation, per log type.
    builders: Vec<RecordBatchBuilder>,
    rows: u64,
    /// The writer threads, while [`start_threads`](Self::start_threads) has them running.
    shards: Option<Shards>,
    /// A writer thread failed: its files are lost, so nothing may be committed.
    failed: bool,
    /// Writer threads of the last [`start_threads`](Self::start_threads) (1 without): as
    /// many threads finish the open files on [`commit`](Self::commit).
    threads: usize,
}

impl std::fmt::Debug for ParquetWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetWriter")
            .field("opts", &self.opts)
            .field("tables", &self.tables.len())
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

impl ParquetWriter {
    /// A writer into `dir` (created when the first file is).
    #[must_use]
    pub fn new(dir: &Path, opts: Options) -> Self {
        ParquetWriter {
            opts,
            parts: Parts::new(dir, opts.partition, opts.max_open_files),
            tables: Vec::new(),
            builders: Vec::new(),
            rows: 0,
            shards: None,
            failed: false,
            threads: 1,
        }
    }

    /// Rows written so far.
    #[must_use]
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Part files opened so far.
    #[must_use]
    pub fn files_opened(&self) -> u64 {
        self.parts.files_opened
    }

    /// Part files open now (never more than [`Options::max_open_files`]).
    #[must_use]
    pub fn open_files(&self) -> usize {
        self.parts.open_count()
    }

    fn table(&mut self, log_type: &str, schema: &SchemaRef) -> Result<usize, Error> {
        if let Some(i) = self.tables.iter().position(|(lt, ..)| &**lt == log_type) {
            if self.tables[i].2.schema.fields() != schema.fields() {
                return Err(sink_error(format!(
                    "record batch for {log_type} does not have the schema of its first batch"
                )));
            }
            return Ok(i);
        }
        let name = table_name(log_type);
        let index = self.parts.table(&name);
        self.tables.push((
            log_type.into(),
            index,
            TableSpec {
                schema: Arc::clone(schema),
                props: self.props(Vec::new()),
                sampled: false,
            },
        ));
        Ok(self.tables.len() - 1)
    }

    /// The file properties of a table whose `plain` columns get no dictionary.
    fn props(&self, plain: Vec<ColumnPath>) -> WriterProperties {
        let mut props = WriterProperties::builder()
            .set_compression(self.opts.compression.codec())
            .set_statistics_enabled(EnabledStatistics::Page)
            .set_max_row_group_row_count(Some(self.opts.row_group_rows.max(1)))
            .set_created_by(concat!("normalog ", env!("CARGO_PKG_VERSION")).to_owned());
        // Unique (or nearly) by construction: a dictionary would only grow to its size limit
        // and be dropped, after hashing every value and compressing the dictionary page.
        for column in [P_ROW_ID, P_PARSE_TIME, P_EVENT_TIME] {
            props = props.set_column_dictionary_enabled(column.into(), false);
        }
        for column in plain {
            props = props.set_column_dictionary_enabled(column, false);
        }
        props.build()
    }

    /// Choose the table's dictionary columns from its first batch of at least
    /// [`DICTIONARY_MIN_ROWS`] rows, for the files opened from now on.
    fn sample_dictionary_columns(&mut self, t: usize, batch: &RecordBatch) {
        if self.tables[t].2.sampled || batch.num_rows() < DICTIONARY_MIN_ROWS {
            return;
        }
        let props = self.props(unique_columns(batch));
        let spec = &mut self.tables[t].2;
        spec.props = props;
        spec.sampled = true;
    }

    /// Write a batch of events of `log_type`, with the schema of
    /// [`arrow_schema`](super::arrow::arrow_schema), each row into the partition of its
    /// `p_event_time`. Rows keep their order within a partition.
    ///
    /// # Errors
    ///
    /// I/O and encoding errors, a batch without a `p_event_time` timestamp column, or a
    /// batch whose schema differs from the first batch of the log type.
    pub fn write_batch(&mut self, log_type: &str, batch: &RecordBatch) -> Result<(), Error> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let t = self.table(log_type, &batch.schema())?;
        self.sample_dictionary_columns(t, batch);
        let partition = self.parts.partition();
        let times = batch
            .column_by_name(P_EVENT_TIME)
            .and_then(|c| c.as_primitive_opt::<TimestampMicrosecondType>())
            .ok_or_else(|| {
                sink_error(format!("record batch for {log_type} has no {P_EVENT_TIME}"))
            })?;
        let keys: Vec<i64> = times
            .values()
            .iter()
            .map(|&us| partition.key_of_micros(us))
            .collect();
        let mut runs = runs(&keys);
        let sorted;
        let batch = if should_gather(&runs, keys.len()) {
            // Rows of one partition are scattered in many short runs: gather them (stable),
            // so that each partition gets one write instead of one per run.
            let mut order: Vec<u32> = (0..u32::try_from(keys.len()).unwrap_or(u32::MAX)).collect();
            order.sort_by_key(|&i| keys[i as usize]);
            let keys: Vec<i64> = order.iter().map(|&i| keys[i as usize]).collect();
            runs = self::runs(&keys);
            sorted = arrow_select::take::take_record_batch(batch, &UInt32Array::from(order))
                .map_err(arrow_error)?;
            &sorted
        } else {
            batch
        };
        for (key, start, len) in runs {
            if let Err(e) = self.write_part(t, key, &batch.slice(start, len)) {
                return Err(self.thread_error(e));
            }
        }
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    fn write_part(&mut self, t: usize, key: i64, batch: &RecordBatch) -> Result<(), Error> {
        let (_, index, spec) = &self.tables[t];
        let (file, tmp) = self.parts.file_with_path(*index, key, spec)?;
        let Some(shards) = &mut self.shards else {
            if let ParquetPart::Local(w) = file {
                w.write(batch).map_err(parquet_error)?;
            }
            let budget = self.opts.max_buffered_bytes;
            return bound_memory(local_files(&mut self.parts), budget).map_err(|(_, e)| e);
        };
        if let ParquetPart::Local(_) = file {
            // Opened just now (or before the threads started): from now on one writer
            // thread owns it, so its batches are written in the order they are sent.
            let (id, tx) = shards.assign();
            let remote = ParquetPart::Remote { id, tx: tx.clone() };
            if let ParquetPart::Local(writer) = std::mem::replace(file, remote) {
                let tmp = tmp.to_path_buf();
                tx.send(ShardMsg::Open { id, tmp, writer })
                    .map_err(|_| thread_stopped())?;
            }
        }
        if let ParquetPart::Remote { id, tx } = file {
            tx.send(ShardMsg::Write(*id, batch.clone()))
                .map_err(|_| thread_stopped())?;
        }
        Ok(())
    }

    /// Hand the encoding of part files to `threads` writer threads (none when fewer than
    /// 2, or when [`Options::max_open_files`] is 1): each file opened from now on is owned
    /// by one of them, which writes the file's batches in the order
    /// [`write_batch`](Self::write_batch) was given them, compresses its pages and finishes
    /// it when it is closed. The writer threads share [`Options::max_buffered_bytes`]
    /// equally, each flushing the largest row group of its own files. Files, their rows and
    /// their order are the same as without threads; only row groups cut early for the
    /// memory bound may be cut elsewhere. [`stop_threads`](Self::stop_threads) (or
    /// [`commit`](Self::commit)) takes the files back.
    ///
    /// # Errors
    ///
    /// A thread cannot be spawned.
    pub(crate) fn start_threads(&mut self, threads: usize) -> Result<(), Error> {
        let k = threads.min(self.opts.max_open_files);
        if k < 2 || self.shards.is_some() {
            return Ok(());
        }
        let budget = self.opts.max_buffered_bytes / k;
        self.threads = k;
        let mut shards = Shards {
            txs: Vec::with_capacity(k),
            handles: Vec::with_capacity(k),
            next_id: 0,
            next: 0,
        };
        for i in 0..k {
            let (tx, rx) = sync_channel(SHARD_QUEUE);
            let handle = std::thread::Builder::new()
                .name(format!("normalog-parquet-{i}"))
                .spawn(move || shard(&rx, budget));
            match handle {
                Ok(h) => {
                    shards.txs.push(tx);
                    shards.handles.push(h);
                }
                Err(e) => {
                    self.shards = Some(shards);
                    let _ = self.stop_threads();
                    return Err(Error::from(e));
                }
            }
        }
        self.shards = Some(shards);
        Ok(())
    }

    /// Wait for the writer threads to write everything sent to them and take their open
    /// files back (a no-op without threads).
    ///
    /// # Errors
    ///
    /// The first error of a writer thread (I/O, encoding); the writer then cannot commit.
    pub(crate) fn stop_threads(&mut self) -> Result<(), Error> {
        let Some(shards) = self.shards.take() else {
            return Ok(());
        };
        for tx in &shards.txs {
            // Fails only if the thread has stopped already (after an error).
            let _ = tx.send(ShardMsg::Stop);
        }
        let mut back = HashMap::new();
        let mut first = None;
        for h in shards.handles {
            match h.join() {
                Ok(Ok(files)) => back.extend(files),
                Ok(Err(e)) => {
                    first.get_or_insert(e);
                }
                Err(_) => {
                    first.get_or_insert_with(|| {
                        sink_error("a Parquet writer thread panicked".into())
                    });
                }
            }
        }
        for f in self.parts.open_files() {
            if let ParquetPart::Remote { id, .. } = f {
                if let Some(w) = back.remove(id) {
                    *f = ParquetPart::Local(w);
                }
            }
        }
        match first {
            Some(e) => {
                self.failed = true;
                Err(e)
            }
            None => Ok(()),
        }
    }

    /// The error to report for `e`, met while writer threads run: a writer thread's own
    /// error if one failed (`e` is then only that the thread is gone).
    fn thread_error(&mut self, e: Error) -> Error {
        if self.shards.is_none() {
            return e;
        }
        match self.stop_threads() {
            Err(first) => first,
            Ok(()) => e,
        }
    }

    /// Append one event (the [`Sink`](super::Sink) path): events are collected per log
    /// type and written in batches.
    ///
    /// # Errors
    ///
    /// As [`write_batch`](Self::write_batch).
    pub fn write_event(&mut self, event: &Event<'_>) -> Result<(), Error> {
        let i = super::arrow::builder_for(&mut self.builders, event);
        self.builders[i].append(event)?;
        if self.builders[i].len() >= SINK_BATCH_ROWS {
            self.flush_builder(i)?;
        }
        Ok(())
    }

    fn flush_builder(&mut self, i: usize) -> Result<(), Error> {
        if self.builders[i].is_empty() {
            return Ok(());
        }
        let batch = self.builders[i].finish()?;
        let log_type: Arc<str> = self.builders[i].log_type().into();
        self.write_batch(&log_type, &batch)
    }

    /// Write everything through, close every file and rename all files into place.
    ///
    /// # Errors
    ///
    /// I/O and encoding errors.
    pub fn commit(&mut self) -> Result<(), Error> {
        for i in 0..self.builders.len() {
            self.flush_builder(i)?;
        }
        self.stop_threads()?;
        if self.failed {
            return Err(sink_error(
                "a Parquet writer thread failed earlier: nothing is committed".into(),
            ));
        }
        let threads = self.threads;
        self.parts.commit_with(|files| finish_files(files, threads))
    }
}

impl Drop for ParquetWriter {
    /// Stops the writer threads before the temporary files are removed.
    fn drop(&mut self) {
        let _ = self.stop_threads();
    }
}

/// Finish `files` (write their last row group and footer) on up to `threads` threads: with
/// many hours open at the end of a run, this is where most of their last row groups are
/// encoded and compressed.
///
/// # Errors
///
/// The first error; the other threads stop after their current file.
fn finish_files(mut files: Vec<(ParquetPart, PathBuf)>, threads: usize) -> Result<(), Error> {
    let finish =
        |(file, tmp): (ParquetPart, PathBuf)| file.finish().map_err(|e| with_path(&tmp, e));
    let threads = threads.min(files.len());
    if threads < 2 {
        return files.into_iter().try_for_each(finish);
    }
    // Largest first, so that no thread is left alone with a big file at the end.
    files.sort_by_key(|(f, _)| {
        std::cmp::Reverse(match f {
            ParquetPart::Local(w) => w.in_progress_size(),
            ParquetPart::Remote { .. } => 0,
        })
    });
    let queue = std::sync::Mutex::new(files.into_iter());
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        let work = || -> Result<(), Error> {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let next = match queue.lock() {
                    Ok(mut q) => q.next(),
                    Err(_) => None,
                };
                let Some(file) = next else { break };
                if let Err(e) = finish(file) {
                    stop.store(true, std::sync::atomic::Ordering::Relaxed);
                    return Err(e);
                }
            }
            Ok(())
        };
        let mut handles = Vec::with_capacity(threads);
        for i in 0..threads {
            match std::thread::Builder::new()
                .name(format!("normalog-parquet-{i}"))
                .spawn_scoped(s, work)
            {
                Ok(h) => handles.push(h),
                // The threads already spawned (or this one) finish the rest.
                Err(_) => break,
            }
        }
        let mut first = if handles.is_empty() {
            work().err()
        } else {
            None
        };
        for h in handles {
            let result = h
                .join()
                .unwrap_or_else(|_| Err(sink_error("a Parquet writer thread panicked".into())));
            if let Err(e) = result {
                first.get_or_insert(e);
            }
        }
        first.map_or(Ok(()), Err)
    })
}

/// The Arrow writers of the open files written on this thread.
fn local_files(parts: &mut Parts<ParquetPart>) -> Vec<&mut FileWriter> {
    parts
        .open_files()
        .filter_map(|f| match f {
            ParquetPart::Local(w) => Some(w),
            ParquetPart::Remote { .. } => None,
        })
        .collect()
}

/// Flush the largest unfinished row group while all of them together are over `budget`.
///
/// # Errors
///
/// The flush's error, with the index in `files` of the file that failed.
fn bound_memory(mut files: Vec<&mut FileWriter>, budget: usize) -> Result<(), (usize, Error)> {
    loop {
        let mut total = 0usize;
        let mut largest: Option<(usize, usize)> = None;
        for (i, f) in files.iter().enumerate() {
            let size = f.in_progress_size();
            total += size;
            if largest.is_none_or(|(_, l)| l < size) {
                largest = Some((i, size));
            }
        }
        match largest {
            Some((i, size)) if total > budget && size > 0 => {
                files[i].flush().map_err(|e| (i, parquet_error(e)))?;
            }
            _ => return Ok(()),
        }
    }
}

/// Messages queued per writer thread: enough to keep it busy while the ordered writer
/// splits the next chunk's batches, few enough to bound memory (each holds a slice of a
/// chunk's record batch, which keeps the whole batch alive).
const SHARD_QUEUE: usize = 8;

/// What the [`ParquetWriter`] tells a writer thread, in order.
enum ShardMsg {
    /// Own this file from now on.
    Open {
        id: u64,
        tmp: PathBuf,
        writer: FileWriter,
    },
    /// Append rows to a file.
    Write(u64, RecordBatch),
    /// Finish a file (write its footer and close it).
    Close(u64),
    /// Give the open files back and end.
    Stop,
}

/// What a writer thread returns: the files still open, by id.
type ShardResult = Result<Vec<(u64, FileWriter)>, Error>;

/// The writer threads of a [`ParquetWriter`].
struct Shards {
    txs: Vec<SyncSender<ShardMsg>>,
    handles: Vec<JoinHandle<ShardResult>>,
    next_id: u64,
    /// The thread the next file goes to.
    next: usize,
}

impl Shards {
    /// An id and a thread for a new file: threads take files in turn, so that the files
    /// written at the same time (a few tables, the same hour) are spread over all of them.
    fn assign(&mut self) -> (u64, &SyncSender<ShardMsg>) {
        let id = self.next_id;
        self.next_id += 1;
        let tx = &self.txs[self.next];
        self.next = (self.next + 1) % self.txs.len();
        (id, tx)
    }
}

fn thread_stopped() -> Error {
    sink_error("a Parquet writer thread stopped".into())
}

/// A writer thread: writes the files it is given until told to stop, keeping their
/// unfinished row groups within `budget` bytes; returns the files still open. Returns
/// at the first error (dropping its files: the writer removes their temporary files).
fn shard(rx: &Receiver<ShardMsg>, budget: usize) -> ShardResult {
    let mut open: Vec<(u64, PathBuf, FileWriter)> = Vec::new();
    let index = |open: &[(u64, PathBuf, FileWriter)], id: u64| {
        open.iter()
            .position(|f| f.0 == id)
            .ok_or_else(|| sink_error(format!("parquet writer thread has no file {id}")))
    };
    // A closed channel means the writer is gone (dropped while unwinding): end quietly.
    while let Ok(msg) = rx.recv() {
        match msg {
            ShardMsg::Open { id, tmp, writer } => open.push((id, tmp, writer)),
            ShardMsg::Write(id, batch) => {
                // Errors name the file (its temporary path), as those of `Close` do.
                let i = index(&open, id)?;
                let (_, tmp, w) = &mut open[i];
                w.write(&batch)
                    .map_err(|e| with_path(tmp, parquet_error(e)))?;
                bound_memory(open.iter_mut().map(|f| &mut f.2).collect(), budget)
                    .map_err(|(i, e)| with_path(&open[i].1, e))?;
            }
            ShardMsg::Close(id) => {
                let i = index(&open, id)?;
                let (_, tmp, w) = open.remove(i);
                finish_file(w).map_err(|e| with_path(&tmp, e))?;
            }
            ShardMsg::Stop => break,
        }
    }
    Ok(open.into_iter().map(|(id, _, w)| (id, w)).collect())
}

/// Runs of equal keys: `(key, start, len)`.
fn runs(keys: &[i64]) -> Vec<(i64, usize, usize)> {
    let mut out: Vec<(i64, usize, usize)> = Vec::new();
    for (i, &k) in keys.iter().enumerate() {
        match out.last_mut() {
            Some((last, _, len)) if *last == k => *len += 1,
            _ => out.push((k, i, 1)),
        }
    }
    out
}

/// Rows a table's batch needs for its values to choose the table's dictionary columns
/// ([`unique_columns`]); fewer cannot tell a column of a few thousand repeating values from
/// a unique one.
const DICTIONARY_MIN_ROWS: usize = 512;
/// Values sampled per column to choose whether it gets a dictionary.
const DICTIONARY_SAMPLE: usize = 1024;
/// Fewer non-null sampled values than this keep the dictionary (too few to judge; and a
/// mostly null column costs little either way).
const DICTIONARY_MIN_VALUES: usize = 64;

/// The leaf columns of `batch` (Parquet column paths) whose first [`DICTIONARY_SAMPLE`]
/// non-null values are more than half distinct: for those a dictionary costs more than it
/// saves. Each value is hashed into the dictionary and then written again in the
/// dictionary page, and zstd still finds the repeats of a plain page. Measured on the
/// bench's data (`normalog bench -n 20000 --only parquet`, callgrind): 5% fewer
/// instructions per record, sampling included, and 8% smaller files (200,000 records).
fn unique_columns(batch: &RecordBatch) -> Vec<ColumnPath> {
    let mut out = Vec::new();
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        collect_unique(vec![field.name().clone()], column.as_ref(), &mut out);
    }
    out
}

fn collect_unique(mut path: Vec<String>, array: &dyn Array, out: &mut Vec<ColumnPath>) {
    let unique = match array.data_type() {
        DataType::Struct(_) => {
            let s = array.as_struct();
            for (field, child) in s.fields().iter().zip(s.columns()) {
                let mut path = path.clone();
                path.push(field.name().clone());
                collect_unique(path, child.as_ref(), out);
            }
            return;
        }
        DataType::List(item) => {
            // Parquet's three-level list: `<column>.list.<item>`.
            path.push("list".to_owned());
            path.push(item.name().clone());
            collect_unique(path, array.as_list::<i32>().values().as_ref(), out);
            return;
        }
        DataType::Utf8 => mostly_distinct(array.as_string::<i32>().iter().flatten()),
        DataType::Int16 => mostly_distinct(array.as_primitive::<Int16Type>().iter().flatten()),
        DataType::Int32 => mostly_distinct(array.as_primitive::<Int32Type>().iter().flatten()),
        DataType::Int64 => mostly_distinct(array.as_primitive::<Int64Type>().iter().flatten()),
        DataType::Timestamp(..) => mostly_distinct(
            array
                .as_primitive::<TimestampMicrosecondType>()
                .iter()
                .flatten(),
        ),
        DataType::Float64 => mostly_distinct(
            array
                .as_primitive::<Float64Type>()
                .iter()
                .flatten()
                .map(f64::to_bits),
        ),
        // Booleans have no dictionary.
        _ => false,
    };
    if unique {
        out.push(ColumnPath::new(path));
    }
}

/// Whether more than half of the first [`DICTIONARY_SAMPLE`] values are distinct (false
/// with fewer than [`DICTIONARY_MIN_VALUES`] values).
fn mostly_distinct<T: Hash + Eq>(values: impl Iterator<Item = T>) -> bool {
    // aHash (built for arrow-array already): with the standard SipHash sampling took twice
    // the instructions (measured).
    let mut seen: HashSet<T, ahash::RandomState> =
        HashSet::with_capacity_and_hasher(DICTIONARY_SAMPLE, ahash::RandomState::new());
    let mut n = 0;
    for v in values.take(DICTIONARY_SAMPLE) {
        seen.insert(v);
        n += 1;
    }
    n >= DICTIONARY_MIN_VALUES && seen.len() * 2 > n
}

/// Rows per run below which gathering a batch's rows by partition (a copy of every column
/// with `take`) is cheaper than one Parquet write per run. Measured (callgrind, 20,000
/// Zoom.Activity rows alternating between two hours in runs of `k`): a write costs about
/// 43,000 instructions and the gather about 1,150 per row, so they break even near 37 rows
/// per run; with `k = 64` writing the runs took 10% fewer instructions than gathering, with
/// `k = 8` half as many as writing them.
const GATHER_BELOW_RUN_ROWS: usize = 32;

/// Whether the rows of a batch are better gathered by partition before writing: some
/// partition has several runs, and the runs are short on average.
fn should_gather(runs: &[(i64, usize, usize)], rows: usize) -> bool {
    runs.len() > 1 && has_repeats(runs) && runs.len() * GATHER_BELOW_RUN_ROWS > rows
}

/// Whether some key has more than one run.
fn has_repeats(runs: &[(i64, usize, usize)]) -> bool {
    let mut keys: Vec<i64> = runs.iter().map(|r| r.0).collect();
    keys.sort_unstable();
    keys.windows(2).any(|w| w[0] == w[1])
}

impl super::Sink for ParquetWriter {
    type Error = Error;
    fn record(&mut self, event: &Event<'_>) -> Result<bool, Error> {
        self.write_event(event)?;
        Ok(true)
    }
    fn finish(&mut self, _summary: &super::Summary) -> Result<(), Error> {
        self.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_and_repeats() {
        assert_eq!(
            runs(&[1, 1, 2, 2, 2, 1]),
            vec![(1, 0, 2), (2, 2, 3), (1, 5, 1)]
        );
        assert!(has_repeats(&runs(&[1, 1, 2, 2, 2, 1])));
        assert!(!has_repeats(&runs(&[3, 1, 1, 2])));
        assert!(runs(&[]).is_empty());
    }

    #[test]
    fn unique_columns_by_sample() {
        use arrow_array::{ArrayRef, Int64Array, ListArray, StringArray, StructArray};
        use arrow_buffer::OffsetBuffer;
        use arrow_schema::{Field, Fields};

        let rows = 1000;
        // Every value distinct: no dictionary.
        let unique: ArrayRef = Arc::new(StringArray::from_iter_values(
            (0..rows).map(|i| format!("u{i}")),
        ));
        // Exactly half distinct (in the first 1024 values, here all 1000): keeps it.
        let half: ArrayRef = Arc::new(Int64Array::from_iter_values((0..rows).map(|i| i / 2)));
        // 501 distinct of 1000: just over half.
        let over: ArrayRef = Arc::new(Int64Array::from_iter_values((0..rows).map(|i| {
            if i < 2 {
                i
            } else {
                i / 2 + 1
            }
        })));
        // Distinct but only 63 non-null values: too few to judge, keeps it.
        let sparse: ArrayRef = Arc::new(
            (0..rows)
                .map(|i| (i < 63).then(|| format!("s{i}")))
                .collect::<StringArray>(),
        );
        let fields = Fields::from(vec![
            Field::new("unique", DataType::Utf8, true),
            Field::new("half", DataType::Int64, true),
        ]);
        let object: ArrayRef = Arc::new(
            StructArray::try_new(fields, vec![Arc::clone(&unique), Arc::clone(&half)], None)
                .expect("struct"),
        );
        // A list of two values per row, all distinct.
        let item = Arc::new(Field::new_list_field(DataType::Utf8, true));
        let items: ArrayRef = Arc::new(StringArray::from_iter_values(
            (0..2 * rows).map(|i| format!("i{i}")),
        ));
        let list: ArrayRef = Arc::new(
            ListArray::try_new(
                item,
                OffsetBuffer::from_lengths(std::iter::repeat_n(2, 1000)),
                items,
                None,
            )
            .expect("list"),
        );
        let batch = RecordBatch::try_from_iter([
            ("unique", unique),
            ("half", half),
            ("over", over),
            ("sparse", sparse),
            ("object", object),
            ("list", list),
        ])
        .expect("batch");
        let plain: Vec<String> = unique_columns(&batch)
            .iter()
            .map(ColumnPath::string)
            .collect();
        assert_eq!(plain, ["unique", "over", "object.unique", "list.list.item"]);
    }

    /// A batch of `(event time in hours since the epoch, value)` rows.
    fn hours_batch(rows: &[(i64, i64)]) -> RecordBatch {
        use arrow_array::{ArrayRef, Int64Array, TimestampMicrosecondArray};
        let times: ArrayRef = Arc::new(
            TimestampMicrosecondArray::from_iter_values(
                rows.iter().map(|r| r.0 * 3_600_000_000 + 1),
            )
            .with_timezone("UTC"),
        );
        let values: ArrayRef = Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.1)));
        RecordBatch::try_from_iter([(P_EVENT_TIME, times), ("v", values)]).expect("batch")
    }

    /// Every file under `dir`, relative, sorted.
    fn listing(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("read dir") {
                let p = e.expect("entry").path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p.strip_prefix(dir).expect("under dir").to_path_buf());
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn writer_thread_errors_reach_the_caller() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut w = ParquetWriter::new(dir.path(), Options::default());
        w.start_threads(2).expect("threads");
        w.write_batch("T", &hours_batch(&[(0, 1), (1, 2)]))
            .expect("write");
        // A batch the file's Arrow writer refuses (another schema), sent to the thread
        // that owns the file: the thread fails, as it would on an I/O error.
        let Some(ParquetPart::Remote { id, tx }) = w.parts.open_files().next() else {
            panic!("the file is owned by a writer thread");
        };
        let wrong = RecordBatch::try_from_iter([(
            "other",
            Arc::new(arrow_array::StringArray::from(vec!["x"])) as arrow_array::ArrayRef,
        )])
        .expect("batch");
        tx.send(ShardMsg::Write(*id, wrong)).expect("send");
        // The error reaches the caller: from the next writes (once the thread is gone) or
        // when the threads stop, and commit refuses to put anything in place.
        let mut failed = None;
        for _ in 0..100 {
            if let Err(e) = w.write_batch("T", &hours_batch(&[(0, 3), (1, 4)])) {
                failed = Some(e);
                break;
            }
        }
        let err = match failed {
            Some(e) => e,
            None => w.stop_threads().expect_err("the thread failed"),
        };
        assert!(err.to_string().contains("Incompatible type"), "{err}");
        assert!(w.commit().is_err());
        drop(w);
        assert_eq!(listing(dir.path()), Vec::<PathBuf>::new());
    }

    #[test]
    fn threads_write_the_same_files() {
        // 40 hours, scattered and in runs, with LRU closes (6 files open at most) and
        // row groups cut by size and by the memory bound.
        let batches: Vec<RecordBatch> = (0..30)
            .map(|b| {
                let rows: Vec<(i64, i64)> = (0..200)
                    .map(|i| {
                        let n = b * 200 + i;
                        let hour = if b % 3 == 0 {
                            (n * 7) % 40
                        } else {
                            (n / 150) % 40
                        };
                        (hour, n)
                    })
                    .collect();
                hours_batch(&rows)
            })
            .collect();
        for budget in [0, DEFAULT_MAX_BUFFERED_BYTES] {
            let opts = Options {
                row_group_rows: 50,
                max_open_files: 6,
                max_buffered_bytes: budget,
                ..Options::default()
            };
            let mut outputs = Vec::new();
            for threads in [1, 2, 3] {
                let dir = tempfile::tempdir().expect("tempdir");
                let mut w = ParquetWriter::new(dir.path(), opts);
                w.start_threads(threads).expect("threads");
                assert_eq!(w.shards.is_some(), threads > 1);
                for b in &batches {
                    w.write_batch("T", b).expect("write");
                }
                w.commit().expect("commit");
                let mut files = Vec::new();
                for f in listing(dir.path()) {
                    let file = File::open(dir.path().join(&f)).expect("open");
                    let reader =
                        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
                            file,
                        )
                        .expect("parquet");
                    let groups: Vec<i64> = reader
                        .metadata()
                        .row_groups()
                        .iter()
                        .map(parquet::file::metadata::RowGroupMetaData::num_rows)
                        .collect();
                    let values: Vec<i64> = reader
                        .build()
                        .expect("reader")
                        .flat_map(|b| {
                            let b = b.expect("batch");
                            b.column(1).as_primitive::<Int64Type>().values().to_vec()
                        })
                        .collect();
                    files.push((f, groups, values));
                }
                outputs.push(files);
            }
            assert!(outputs[0].len() > 40, "LRU closes made more files");
            if budget == 0 {
                // Every write was flushed as its own row group, on any thread.
                assert!(outputs[0].iter().any(|(_, g, _)| g.iter().any(|&n| n < 50)));
            }
            assert_eq!(outputs[0], outputs[1], "2 threads, budget {budget}");
            assert_eq!(outputs[0], outputs[2], "3 threads, budget {budget}");
        }
    }

    #[test]
    fn gather_only_short_runs() {
        // One run per partition: nothing to gather.
        let one_each: Vec<i64> = (0..1000).map(|i| i / 500).collect();
        assert!(!should_gather(&runs(&one_each), one_each.len()));
        // Two partitions alternating in runs of 100 rows: written run by run.
        let long: Vec<i64> = (0..1000).map(|i| (i / 100) % 2).collect();
        assert!(!should_gather(&runs(&long), long.len()));
        // Alternating row by row, or in runs of 8: gathered.
        let short: Vec<i64> = (0..1000).map(|i| i % 2).collect();
        assert!(should_gather(&runs(&short), short.len()));
        let eights: Vec<i64> = (0..1000).map(|i| (i / 8) % 2).collect();
        assert!(should_gather(&runs(&eights), eights.len()));
    }
}
