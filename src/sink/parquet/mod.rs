//! Parquet output: one table per log type, Hive-partitioned by event time.
//!
//! [`ParquetWriter`] writes [`RecordBatch`]es (built by
//! [`super::arrow::RecordBatchBuilder`]) into the directory layout of
//! [`super::layout`]: `DIR/<table>/year=2023/month=7/day=1/hour=14/part-0.parquet`. It
//! is also a [`Sink`](super::Sink), so it can take events directly; the CLI feeds it batches
//! built by the worker threads of [`Batch::run_parquet`](crate::pipeline::Batch::run_parquet).
//!
//! # Columns and types
//!
//! The schema's fields come first, in schema order, named as table columns ([`column_name`](crate::schema::validate::column_name):
//! `@timestamp` is `at_sign_timestamp`, `user.name` is `user_name`); then the standard
//! fields, then the `p_any_*` columns the schema can fill (the same order as NDJSON):
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
//! `{}`). Array elements keep their places: a null one is a null item, `[]` an empty list.
//!
//! Strings are valid UTF-8 (simd-json checks the input), as Parquet `STRING` requires.
//!
//! # Files
//!
//! Compression is zstd by default ([`Compression`]); statistics (min/max, null count;
//! strings truncated to 64 bytes) are written per page and row group for every column, so
//! engines prune row groups and files by `p_event_time`. Integer and timestamp columns
//! without a dictionary are delta-encoded (`DELTA_BINARY_PACKED`). The Arrow schema is not
//! embedded (`ARROW:schema`): the Parquet types above map back to the same Arrow types.
//!
//! **Small batches.** A batch of fewer than 256 rows and 8 MiB (an API page, a small
//! input) is kept and merged with the table's next ones before it is split by partition
//! (`coalesce.rs`): the same rows in the same order, written later (its errors too, by a
//! later [`write_batch`](ParquetWriter::write_batch) or [`commit`](ParquetWriter::commit)).
//!
//! **Small files.** A partition's rows are held back as Arrow, with no file open, until
//! they reach 8,192 (or 8 MiB): then its file is opened and written as rows come. A
//! partition that never gets there (an hour of a few dozen events) is written whole, as
//! one file, at [`commit`](ParquetWriter::commit), or earlier, once the rows held back by
//! all partitions take an eighth of half of [`Options::max_buffered_bytes`], if the input
//! is in time order and has moved on from it (least recently used first; see
//! [`ParquetWriter::written_for_memory`]). Input out of time order (a shuffled archive),
//! or in time order past the whole half, is spilled to hidden files under
//! `DIR/_normalog/spill/` and merged at the commit, one file per partition. So input not
//! in time order still makes one file per partition, whatever
//! [`Options::max_open_files`]; a partition whose rows come again after it was written
//! early (whole) is read back at the commit and written again with them, and a large
//! partition whose file was closed gets another part file
//! ([`ParquetWriter::extra_files`]). Such a small file gets
//! settings for its size: statistics only for `p_event_time` (min and max, per column
//! chunk), no page index nor offset index. When it has fewer than 1,000 rows, the codec
//! is zstd (or none) and every column is flat or a list of flat values (all the shipped schemas), it is written by
//! `small_file/`: one page per column chunk (dictionary indices for strings that repeat,
//! deltas for integers and times, else PLAIN), zstd on column chunks of at least 512 bytes
//! with a compressor reused from file to file, and no Arrow column writers. Otherwise
//! the Arrow writer writes it, compressing only the column chunks where it pays: none
//! under 1 KiB, Snappy under 4 KiB when the codec is zstd. Setting up column writers and a
//! zstd compressor for each column chunk was most of the cost of such files, and
//! statistics and indexes most of their footers; see `part.rs` and `small_file/` for the
//! measurements.
//!
//! Dictionary encoding is used only where values repeat. `p_row_id`, `p_event_time` and
//! `p_parse_time` never get one. For the other columns, each table's first batch of at
//! least 512 rows decides: a leaf column (struct child, list item) whose first 1024 non-null
//! values are more than half distinct gets no dictionary (plain pages) in the table's files
//! opened from then on; the others, and columns with fewer than 64 values in the sample,
//! keep one. A dictionary of nearly unique values costs a hash per value and repeats every
//! value in the dictionary page; zstd still finds the repeats of plain pages. Files opened
//! (or held partitions written) before that batch (a table's first batches were small)
//! keep a dictionary on every other column. Readers see the same values either way. A
//! row group is cut every [`Options::row_group_rows`] rows. Memory is bounded by
//! [`Options::max_buffered_bytes`]: half for the rows held back (above), half for the
//! unfinished row groups of open files (the largest is flushed early when they together
//! hold more, counted as the writer's memory, not their encoded size), whose number [`Options::max_open_files`] bounds (least recently used
//! files are closed). Files appear under their final names only
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
//! groups under `max_buffered_bytes / 2n`, so a row group cut early for memory may be cut at
//! another row than with one thread; up to 8 batch slices wait per writer thread. A file
//! closed to stay within `max_open_files` is finished by its thread shortly after, so a
//! new file may be opened just before an old one is closed. The held partitions written
//! during the run are queued at the end of each batch for n more threads (`whole.rs`),
//! the next free one of which creates each file (and directory) and writes it; only when
//! the files queued hold an eighth of the held rows' budget does the calling thread
//! write some itself rather than wait. So with `--partition hour` the calling thread rarely creates a small file
//! (file creation is most of that layout's system time), and no thread waits while
//! another has files to write. At the
//! end of the run the threads hand their open files back to the writer, and
//! [`ParquetWriter::commit`] then finishes them, and writes the partitions still held, on
//! as many threads. With a target file size
//! ([`ParquetWriter::set_target_file_size`]), the writer reads a file's size as its thread
//! logged it a few writes earlier (`size.rs`), so files are closed at the same rows
//! whatever the threads' timing, but a few writes later than without threads.
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
//! assert!(lake.join("zoom_activity/year=2023/month=7/day=1/hour=14/part-0.parquet").exists());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod coalesce;
mod columns;
mod copy;
mod dictionary;
mod files;
mod gather;
mod merge;
mod options;
mod part;
mod pending;
mod route;
mod size;
mod small_file;
mod spill;
mod threads;
mod whole;

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;

use self::coalesce::Coalesce;
use self::files::{finish_files, write_whole_files, ParquetPart, WholeFile};
pub(crate) use self::merge::merge_parquet;
pub use self::options::{
    Compression, Options, DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_OPEN_FILES,
    DEFAULT_ROW_GROUP_ROWS,
};
use self::pending::Pending;
use self::spill::Spill;
use self::threads::Shards;
use super::arrow::RecordBatchBuilder;
use super::layout::{table_name, Parts};
use crate::error::Error;
use crate::event::Event;

/// What a part file is opened with.
pub(crate) struct TableSpec {
    schema: SchemaRef,
    /// Shared by the table's files (a clone of the properties is a clone of a map of
    /// column paths: thousands a run with `--partition hour`).
    props: Arc<WriterProperties>,
    /// Whether the dictionary columns were chosen from a sample
    /// (`dictionary::unique_columns`); files opened before keep a dictionary on every column
    /// but the unique `p_*` ones.
    sampled: bool,
    /// A batch of no rows of `schema`, made once: held rows are copied by concatenating
    /// it beside them ([`pending`]); made for each copy, it cost 2% of an hour run.
    empty: RecordBatch,
    /// The target file size ([`ParquetWriter::set_target_file_size`]).
    target: Option<u64>,
    /// A file is closed once its row groups' metadata would take more (`part.rs`).
    metadata_limit: usize,
}

/// Held partitions the input has moved on from are written early once the held rows pass
/// this part (1/n) of their budget (see `write_part`).
const EARLY_WRITE_PART: usize = 8;

/// Small batches collected before they are routed ([`coalesce`]) may take this part (1/n)
/// of the held rows' budget.
const SMALL_BATCHES_PART: usize = 16;

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
    /// The writer threads, while [`start_threads`](Self::start_threads) has them running
    /// (boxed, as `pending`).
    shards: Option<Box<Shards>>,
    /// A writer thread failed: its files are lost, so nothing may be committed.
    failed: bool,
    /// Writer threads of the last [`start_threads`](Self::start_threads) (1 without): as
    /// many threads finish the open files on [`commit`](Self::commit).
    threads: usize,
    /// Partitions whose rows are held back until they are written whole (boxed: the
    /// writer is moved around by value).
    pending: Box<Pending>,
    /// Held partitions written before the end of the run because the held rows went over
    /// their memory budget (stats).
    written_for_memory: u64,
    /// Held rows spilled to disk when the input is not in time order (boxed, as `pending`).
    spill: Box<Spill>,
    /// Per table, the partitions of its last batch and of all its batches so far: which
    /// held partitions the input has moved on from ([`route::Recent`]).
    recent: Vec<route::Recent>,
    /// Held partitions to be written whole by the writer threads, sent at the end of each
    /// batch ([`whole`]).
    outbox: Vec<whole::Queued>,
    /// The target file size, for the tables' specs ([`TableSpec::target`]).
    target_size: Option<u64>,
    /// Small batches collected before they are routed ([`coalesce`]; boxed, as `pending`).
    small: Box<Coalesce>,
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
            // The small batches' part of the budget is the held rows'.
            pending: Box::new(Pending::new(
                opts.held_budget() - opts.held_budget() / SMALL_BATCHES_PART,
            )),
            written_for_memory: 0,
            spill: Box::default(),
            recent: Vec::new(),
            outbox: Vec::new(),
            target_size: None,
            small: Box::new(Coalesce::new(opts.held_budget() / SMALL_BATCHES_PART)),
        }
    }

    /// The writer's options.
    #[must_use]
    pub fn options(&self) -> Options {
        self.opts
    }

    /// Rows written so far.
    #[must_use]
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Name this run's part files after `id` and make a re-run with the same id replace
    /// this run's files instead of adding to them: see [`super::layout`] ("Re-running").
    /// Use an id derived from the inputs' identity (the CLI hashes their paths, sizes and
    /// modification times).
    pub fn set_run_id(&mut self, id: u64) {
        self.parts.set_run(id);
    }

    /// Remove, when this run commits, the files of the earlier runs `ids` (their ids as
    /// given to [`set_run_id`](Self::set_run_id)), their manifests and their inputs lists,
    /// in the same commit: for runs whose every input this run reads again, unchanged, so
    /// that their rows are not in the directory twice. See [`super::layout`]
    /// ("Re-running"). Their files of another layout are not in this run's way.
    pub fn supersede_runs(&mut self, ids: &[u64]) {
        self.parts.supersede(ids);
    }

    /// Decide again at the commit which runs this one supersedes: `decide` is called under
    /// the directory's commit lock, just before the files are put in place, and its answer
    /// replaces [`supersede_runs`](Self::supersede_runs)'s, so that runs committed after
    /// this one started are seen (and inputs that could not be read can be left out). An
    /// error from `decide` stops the commit before anything is put in place.
    pub fn supersede_runs_decided_by(&mut self, decide: crate::sink::layout::SupersedeDecider) {
        self.parts.supersede_decided_by(decide);
    }

    /// Put `list` in `DIR/_normalog/inputs/<id>` when the run (given an id with
    /// [`set_run_id`](Self::set_run_id)) commits, in the same commit as its files: a
    /// record of what the run read, for later runs to find the runs they supersede (the
    /// CLI writes each input's canonical path and file identity, a line each). Removed with
    /// the run when a later run supersedes it.
    pub fn set_run_inputs(&mut self, list: String) {
        self.parts.set_inputs_list(list);
    }

    /// Close a part file once it is about `bytes` on disk (the row groups written plus the
    /// unfinished one's expected size, scaled by the written ones' compression), and write
    /// the partition's next rows into its next part; `None` (the default): one file per
    /// partition, whatever its size. A file's first rows are held back until they reach
    /// 8,192: a file holds at least that many rows, whatever the target. A row group is
    /// written early if its bytes before compression reach `bytes`, so that a file's size
    /// on disk is known for a target below a row group's.
    pub fn set_target_file_size(&mut self, bytes: Option<u64>) {
        self.parts.set_target_size(bytes);
        self.target_size = bytes;
        for (_, _, spec) in &mut self.tables {
            spec.target = bytes;
        }
    }

    /// Stop when `flag` becomes true: [`commit`](Self::commit) then fails with
    /// [`ErrorKind::Cancelled`](crate::ErrorKind::Cancelled) and puts nothing in place
    /// (dropping the writer removes its temporary files), unless it had started renaming
    /// files into place, which it then completes. [`Batch::run_parquet`] gives the writer
    /// the run's flag ([`Batch::cancel_on`]).
    ///
    /// [`Batch::run_parquet`]: crate::pipeline::Batch::run_parquet
    /// [`Batch::cancel_on`]: crate::pipeline::Batch::cancel_on
    pub fn cancel_on(&mut self, flag: Arc<AtomicBool>) {
        self.parts.cancel_on(flag);
    }

    /// After [`commit`](Self::commit), when the run had an identity and an earlier run with
    /// the same one had committed into the directory: the files of it that this run did not
    /// write again, now removed, and the tables it had rows in and this run has none.
    #[must_use]
    pub fn replaced(&self) -> Option<&crate::sink::layout::Replaced> {
        self.parts.replaced.as_ref()
    }

    /// Refuse now, before any input is read, a run whose tables (those of `log_types`)
    /// hold other runs' files of another layout: the writer refuses it anyway when it
    /// writes a table's first file, which for small partitions is at the commit. Call it
    /// after [`set_run_id`](Self::set_run_id): the run's own files are not in the way.
    ///
    /// # Errors
    ///
    /// A table directory holds files of another run in another layout.
    pub fn check_layout<'a>(
        &self,
        log_types: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), crate::error::Error> {
        self.parts.check_layout(log_types)
    }

    /// Part files opened so far, counting the partitions held back (which
    /// [`commit`](Self::commit) writes, one file each).
    #[must_use]
    pub fn files_opened(&self) -> u64 {
        // A spilled partition whose file the commit takes back is written again, not added.
        let spilled_only = self
            .spill
            .keys()
            .filter(|&(t, key)| {
                !self.pending.holds((t, key)) && !self.parts.can_take_back(self.tables[t].1, key)
            })
            .count();
        self.parts.files_opened + self.pending.len() as u64 + spilled_only as u64
    }

    /// Rows that go through disk: once the input shows it is not in time order (a
    /// partition written for memory comes again), the rows of partitions without an open
    /// file are kept, spilled to hidden files when they go over their memory budget, and
    /// merged at [`commit`](Self::commit), so that each partition is still one file.
    #[must_use]
    pub fn spilled_rows(&self) -> u64 {
        self.spill.rows()
    }

    /// Part files closed because they reached the target file size.
    #[must_use]
    pub fn rotated_files(&self) -> u64 {
        self.parts.rotated_files
    }

    /// Part files opened for a partition that already had one in this run: its file was
    /// closed to stay within [`Options::max_open_files`], or its held rows written to stay
    /// within [`Options::max_buffered_bytes`], and the partition came again (input not in
    /// time order, with more partitions at once than fit).
    #[must_use]
    pub fn extra_files(&self) -> u64 {
        // Counting the partitions held back that had a part already (written for memory).
        let held = self
            .pending
            .keys()
            .filter(|&(t, key)| self.parts.had_part(self.tables[t].1, key))
            .count();
        // And the partitions whose rows were spilled after they had a part the merge at
        // commit cannot take back (one written whole it reads back and writes again).
        let spilled = self
            .spill
            .keys()
            .filter(|&(t, key)| {
                let index = self.tables[t].1;
                self.parts.had_part(index, key) && !self.parts.can_take_back(index, key)
            })
            .count();
        self.parts.extra_files + held as u64 + spilled as u64
    }

    /// Partitions written before the end of the run because the rows held back for
    /// partitions not written yet went over their share of [`Options::max_buffered_bytes`]
    /// (input not in time order, or a lot of it, with many partitions at once): if its rows
    /// come again, they are spilled, and the commit reads its file back and writes it
    /// again with them.
    #[must_use]
    pub fn written_for_memory(&self) -> u64 {
        self.written_for_memory
    }

    /// Part files open now (never more than [`Options::max_open_files`]).
    #[must_use]
    pub fn open_files(&self) -> usize {
        self.parts.open_count()
    }

    fn table(&mut self, log_type: &str, schema: &SchemaRef) -> Result<usize, Error> {
        if let Some(i) = self.tables.iter().position(|(lt, ..)| &**lt == log_type) {
            if self.tables[i].2.schema.fields() != schema.fields() {
                return Err(Error::sink(format!(
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
                props: self.props(schema, Vec::new()),
                sampled: false,
                empty: RecordBatch::new_empty(Arc::clone(schema)),
                target: self.target_size,
                metadata_limit: self.opts.metadata_limit(),
            },
        ));
        Ok(self.tables.len() - 1)
    }

    /// The file properties of a table whose `plain` columns get no dictionary.
    fn props(
        &self,
        schema: &arrow_schema::Schema,
        plain: Vec<ColumnPath>,
    ) -> Arc<WriterProperties> {
        part::table_props(&self.opts, schema, plain)
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
            return Err(Error::sink(
                "a Parquet writer thread failed earlier: nothing is committed",
            ));
        }
        let threads = self.threads;
        if !self.spill.is_empty() {
            self.write_spilled(threads)?;
        }
        let held = self.pending.take_all();
        let whole: Vec<WholeFile> = held
            .into_iter()
            .map(|((t, key), h)| self.whole_file(t, key, h.batches))
            .collect::<Result<_, _>>()?;
        let columns = self.column_check();
        self.parts.commit_with(
            |files| {
                finish_files(files, threads)?;
                write_whole_files(whole, threads)
            },
            Some(&columns),
        )
    }
}

impl Drop for ParquetWriter {
    /// Stops the writer threads before the temporary files are removed.
    fn drop(&mut self) {
        if let Some(shards) = &self.shards {
            shards.whole.abandon();
        }
        self.outbox.clear();
        self.small.clear();
        let _ = self.stop_threads();
    }
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
