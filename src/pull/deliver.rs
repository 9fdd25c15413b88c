//! Where a pull's batches go, and how each is made durable before its checkpoint.
//!
//! * [`Target::Dir`]: the data-lake layout of `normalize -o DIR/`, **exactly once**. A
//!   batch is normalized into the hidden staging directory `DIR/.pull-<tag>/<run>-<seq>/`,
//!   its files are fsynced and renamed into the layout as `part-<tag>-<run>-<seq>-<n>.<ext>`
//!   (so each run adds its own files and keeps earlier ones), and the staging directory is
//!   removed only after the state is saved ([`Delivery::committed`]). When a run finds a
//!   staging directory, an earlier run died between output and checkpoint: every part of
//!   its tag above the committed `(run, seq)` is removed before pulling again
//!   ([`Delivery::recover`]). Published parts are whole but not committed until the state
//!   is saved: exactly once holds for the committed ones (see the `pull` module).
//! * [`Target::Stream`]: NDJSON to standard output, flushed before each checkpoint. **At
//!   least once**: what was written before a crash cannot be taken back.
//! * [`Target::File`]: NDJSON into one file, renamed into place when the run ends; the
//!   state is saved only then, so a crash leaves the previous file and state as they were.
//!
//! `<tag>` names the source and account ([`tag`]), so that pulls of different accounts can
//! share an output directory.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

pub use super::page::PageBuilder;
use super::raw::RawArchive;
use super::state::Commit;
use super::PullError;
use crate::atomic::sync_dir;
use crate::atomic::AtomicFile;
use crate::pipeline::{input::SharedReader, Batch, Input, Observer, RunSummary};
use crate::registry::Registry;
use crate::sink::layout::recovery::{complete_dead_commits, CommitLock};
use crate::sink::layout::Partition;
use crate::sink::ndjson;
use crate::sink::ndjson_dir::NdjsonDirWriter;
use crate::sink::parquet::{self, ParquetWriter};
use crate::NormalizerBuilder;

use super::files::{
    out_err, refuse_files_of_a_twin, remove_above, remove_stages_through, staging_dir, walk,
};

/// The output's file format in a directory.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum DirFormat {
    /// NDJSON files.
    Ndjson {
        /// Directory partitioning.
        partition: Partition,
        /// Files open at once.
        max_open_files: usize,
    },
    /// Parquet files.
    Parquet(parquet::Options),
}

impl DirFormat {
    /// The partitioning and the file extension of its part files.
    fn layout(&self) -> (Partition, &'static str) {
        match self {
            DirFormat::Ndjson { partition, .. } => (*partition, "ndjson"),
            DirFormat::Parquet(opts) => (opts.partition, "parquet"),
        }
    }
}

/// The part files a [`Delivery`] into a directory published, for `--stats`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileCounts {
    /// The output's partitioning; `None` when the output is not a directory.
    pub partition: Option<Partition>,
    /// The directory's files are Parquet (rows held back and merged per partition), not
    /// NDJSON (written as they come).
    pub parquet: bool,
    /// Part files published into the output directory.
    pub files: u64,
    /// Of those, extra parts of a partition within one batch: its file was written before
    /// the batch's last rows of it came, to stay within the memory or open-files bound.
    pub extra_files: u64,
    /// Rows spilled to disk and merged before they were written (Parquet: a batch's
    /// partitions, in the order its records came, did not fit in the memory bound).
    pub spilled_rows: u64,
}

/// Where the events go.
#[non_exhaustive]
pub enum Target {
    /// NDJSON to a stream (standard output), flushed at each checkpoint.
    Stream(Box<dyn Write + Send>),
    /// NDJSON into one file, in place when the run ends.
    File(AtomicFile),
    /// A directory layout, exactly once.
    Dir {
        /// The output directory.
        dir: PathBuf,
        /// File format.
        format: DirFormat,
    },
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Stream(_) => f.write_str("Stream"),
            Target::File(a) => f.debug_tuple("File").field(a).finish(),
            Target::Dir { dir, format } => f
                .debug_struct("Dir")
                .field("dir", dir)
                .field("format", format)
                .finish(),
        }
    }
}

/// The short name of a state file's pulls in part file names: 8 hex digits of a hash
/// (FNV-1a) of the source, the account and the state's id (`state_id`, empty in states
/// written before there was one), stable across runs and machines. Two state files of one
/// account writing into one directory have different tags: their part names (which count
/// runs from 1 in each state) never meet, and each one's recovery removes only its own.
#[must_use]
pub fn tag(source: &str, account: &str, state_id: &str) -> String {
    let id = (!state_id.is_empty()).then_some(state_id);
    let bytes = source.bytes().chain([0]).chain(account.bytes()).chain(
        id.into_iter()
            .flat_map(|i| std::iter::once(0).chain(i.bytes())),
    );
    format!("{:08x}", crate::fnv::fnv1a(bytes) >> 32)
}

/// Normalizes batches of records (API pages) into a [`Target`].
pub struct Delivery {
    target: Target,
    registry: Registry,
    /// Per stream (named by its envelope field): how its pages are normalized.
    streams: Vec<StreamSetup>,
    ndjson: ndjson::Options,
    tag: String,
    /// `--raw DIR`: the pages as received.
    raw: Option<RawArchive>,
    /// What was published so far.
    counts: FileCounts,
}

/// How one stream's pages are normalized.
struct StreamSetup {
    envelope: String,
    builder: NormalizerBuilder,
    batch: Batch,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("target", &self.target)
            .field("tag", &self.tag)
            .finish_non_exhaustive()
    }
}

impl Delivery {
    /// A delivery into `target`; `tag` from [`tag`]. Add each stream with
    /// [`stream`](Self::stream) before writing.
    #[must_use]
    pub fn new(
        target: Target,
        registry: Registry,
        ndjson: ndjson::Options,
        tag: String,
    ) -> Delivery {
        Delivery {
            target,
            registry,
            streams: Vec::new(),
            ndjson,
            tag,
            raw: None,
            counts: FileCounts::default(),
        }
    }

    /// The part files published so far (all zero, with no partitioning, unless the output
    /// is a directory).
    #[must_use]
    pub fn file_counts(&self) -> FileCounts {
        let (partition, parquet) = match &self.target {
            Target::Dir { format, .. } => match format {
                DirFormat::Ndjson { partition, .. } => (Some(*partition), false),
                DirFormat::Parquet(opts) => (Some(opts.partition), true),
            },
            Target::Stream(_) | Target::File(_) => (None, false),
        };
        FileCounts {
            partition,
            parquet,
            ..self.counts
        }
    }

    /// Also keep each API page as received, gzipped, in `dir` (see [`super::raw`]).
    pub fn raw(&mut self, dir: PathBuf) {
        self.raw = Some(RawArchive::new(dir, self.tag.clone()));
    }

    /// An API page of the stream `envelope` as received: kept for the next batch when
    /// [`raw`](Self::raw) is set.
    ///
    /// # Errors
    ///
    /// [`PullError::Output`] when compressing fails.
    pub fn keep_raw(&mut self, envelope: &str, body: &[u8]) -> Result<(), PullError> {
        match &mut self.raw {
            Some(raw) => raw.keep(envelope, body),
            None => Ok(()),
        }
    }

    /// True when the next batch has something to write: records, or raw pages.
    #[must_use]
    pub fn has_pending(&self, page: &PageBuilder) -> bool {
        page.records() > 0 || self.raw.as_ref().is_some_and(|r| r.pending() > 0)
    }

    /// Pages of the stream whose records are in the array field `envelope` (e.g.
    /// `audit_logs`) are normalized with `builder` (its log types set to the stream's) and
    /// the `batch` options (whose envelope is set here).
    pub fn stream(&mut self, envelope: &str, builder: NormalizerBuilder, mut batch: Batch) {
        batch.envelope(Some(envelope.to_owned()));
        self.streams.push(StreamSetup {
            envelope: envelope.to_owned(),
            builder,
            batch,
        });
    }

    /// Whether the run was cancelled ([`Batch::cancel_on`] of a stream's batch): the
    /// source's loop checks it between pages, so that an interrupt never waits for the
    /// next request (or rate-limit wait) to end.
    #[must_use]
    pub fn cancelled(&self) -> bool {
        self.streams.iter().any(|s| s.batch.is_cancelled())
    }

    /// True when the state may be saved after each batch; false for [`Target::File`], whose
    /// records are in place only when the run ends.
    #[must_use]
    pub fn checkpoint_each_batch(&self) -> bool {
        !matches!(self.target, Target::File(_))
    }

    /// True when batches are published as files named after the tag (a directory output,
    /// or `--raw` pages).
    #[must_use]
    pub fn names_files(&self) -> bool {
        matches!(self.target, Target::Dir { .. }) || self.raw.is_some()
    }

    fn staging(&self, dir: &Path) -> PathBuf {
        staging_dir(dir, &self.tag)
    }

    /// Remove what a crashed run left in a directory output: the parts of `tables` (table
    /// directory names) of this tag above `committed`, and the staging directory; and the
    /// same in the raw archive. Returns how many files were removed.
    ///
    /// # Errors
    ///
    /// [`PullError::Output`] on I/O errors; [`PullError::Config`] when files of this tag
    /// above `committed` are there with no staging directory: another state file with
    /// this one's id wrote them, and this run's files would replace them.
    pub fn recover(&mut self, tables: &[String], committed: Commit) -> Result<u64, PullError> {
        let removed = match &mut self.raw {
            Some(raw) => {
                let envelopes: Vec<&str> =
                    self.streams.iter().map(|s| s.envelope.as_str()).collect();
                raw.recover(&envelopes, committed)?
            }
            None => 0,
        };
        let Target::Dir { dir, format } = &self.target else {
            return Ok(removed);
        };
        // What normalize runs killed in this lake left: their commits completed (before the
        // check below, which must see their files), their temporary files removed.
        let removed = removed + crate::sink::layout::recover(dir)?.temporary_files;
        // A table of two layouts cannot be read: refused before anything is fetched.
        let (partition, ext) = format.layout();
        for table in tables {
            // Flags that do not fit the lake (another format or partitioning): refused
            // before any request, as a configuration error, not an I/O one.
            crate::sink::layout::refuse_mixed_layouts(&dir.join(table), partition, &[], ext)
                .map_err(|e| match e.kind() {
                    crate::ErrorKind::Io(_) => PullError::from(e),
                    _ => PullError::Config(e.to_string()),
                })?;
        }
        let staging = self.staging(dir);
        let prefix = format!("part-{}-", self.tag);
        if !staging.exists() {
            refuse_files_of_a_twin(dir, tables, &prefix, committed)?;
            return Ok(removed);
        }
        let removed = removed + remove_above(dir, tables, &prefix, committed)?;
        std::fs::remove_dir_all(&staging).map_err(|e| out_err(&staging, &e))?;
        sync_dir(dir).map_err(|e| out_err(dir, &e))?;
        Ok(removed)
    }

    /// Normalize the records of `page` (emptying it) as batch `commit`, and make them
    /// durable in the output (except [`Target::File`], durable at
    /// [`finish`](Self::finish)); then the raw pages kept since the last batch.
    ///
    /// # Errors
    ///
    /// [`PullError::Output`] when writing fails, also when the page's stream was not added
    /// (a bug of the caller).
    pub fn write(
        &mut self,
        commit: Commit,
        page: &mut PageBuilder,
        observer: &mut dyn Observer,
    ) -> Result<RunSummary, PullError> {
        let run = if page.records() > 0 {
            let envelope = page.envelope;
            let limit = self
                .streams
                .iter()
                .find(|s| s.envelope == envelope)
                .map_or(crate::parse::DEFAULT_MAX_RECORD_BYTES, |s| {
                    s.builder.record_limit()
                });
            self.normalize(commit, envelope, page.take(limit), observer)?
        } else {
            RunSummary::default()
        };
        if let Some(raw) = &mut self.raw {
            raw.publish(commit)?;
        }
        Ok(run)
    }

    fn normalize(
        &mut self,
        commit: Commit,
        envelope: &str,
        pages: Vec<Vec<u8>>,
        observer: &mut dyn Observer,
    ) -> Result<RunSummary, PullError> {
        // Rejects name the batch (and its page, when it took several); their `index` is the
        // record's place in it.
        let n = pages.len();
        let inputs: Vec<Input> = pages
            .into_iter()
            .enumerate()
            .map(|(i, page)| {
                let name = match n {
                    1 => format!(
                        "pull batch {} of run {} ({envelope})",
                        commit.seq, commit.run
                    ),
                    _ => format!(
                        "pull batch {} of run {} ({envelope}, page {} of {n})",
                        commit.seq,
                        commit.run,
                        i + 1
                    ),
                };
                Input::Reader(SharedReader::named(Cursor::new(page), &name))
            })
            .collect();
        let Some(setup) = self.streams.iter().find(|s| s.envelope == envelope) else {
            return Err(PullError::Output(format!(
                "no stream {envelope:?} in this delivery"
            )));
        };
        let (builder, registry, batch) = (&setup.builder, &self.registry, &setup.batch);
        match &mut self.target {
            Target::Stream(w) => {
                let run = batch.run_ndjson(builder, registry, &inputs, w, self.ndjson, observer)?;
                w.flush()?;
                Ok(run)
            }
            Target::File(f) => {
                let dest = f.destination().map(Path::to_path_buf).unwrap_or_default();
                batch
                    .run_ndjson(builder, registry, &inputs, f.file(), self.ndjson, observer)
                    .map_err(|e| on_file(&dest, e))
            }
            Target::Dir { dir, format } => {
                let dir = dir.clone();
                let stage =
                    staging_dir(&dir, &self.tag).join(format!("{}-{}", commit.run, commit.seq));
                if stage.exists() {
                    std::fs::remove_dir_all(&stage).map_err(|e| out_err(&stage, &e))?;
                }
                std::fs::create_dir_all(&stage).map_err(|e| out_err(&stage, &e))?;
                let run = match Self::stage(
                    batch,
                    builder,
                    registry,
                    &inputs,
                    &stage,
                    *format,
                    self.ndjson,
                    observer,
                ) {
                    Ok((run, extra, spilled)) => {
                        self.counts.extra_files += extra;
                        self.counts.spilled_rows += spilled;
                        run
                    }
                    Err(e) => {
                        // Nothing of this batch was published: its staging directory goes
                        // (a crash instead leaves it for `recover`).
                        let _ = std::fs::remove_dir_all(&stage);
                        let _ = std::fs::remove_dir(staging_dir(&dir, &self.tag));
                        return Err(e);
                    }
                };
                self.counts.files += self.publish(&dir, &stage, commit)?;
                Ok(run)
            }
        }
    }

    /// Normalize a batch into its staging directory, committed there; with the extra part
    /// files and the rows spilled ([`FileCounts`]).
    #[allow(clippy::too_many_arguments)]
    fn stage(
        batch: &Batch,
        builder: &NormalizerBuilder,
        registry: &Registry,
        inputs: &[Input],
        stage: &Path,
        format: DirFormat,
        ndjson: ndjson::Options,
        observer: &mut dyn Observer,
    ) -> Result<(RunSummary, u64, u64), PullError> {
        Ok(match format {
            DirFormat::Ndjson {
                partition,
                max_open_files,
            } => {
                let mut w = NdjsonDirWriter::new(stage, partition, max_open_files, ndjson);
                let run = batch.run_ndjson_dir(builder, registry, inputs, &mut w, observer)?;
                let extra = w.extra_files();
                w.commit()?;
                (run, extra, 0)
            }
            DirFormat::Parquet(opts) => {
                let mut w = ParquetWriter::new(stage, opts);
                let run = batch.run_parquet(builder, registry, inputs, &mut w, observer)?;
                // Counted before the commit, which writes the held and spilled rows.
                let (extra, spilled) = (w.extra_files(), w.spilled_rows());
                w.commit()?;
                (run, extra, spilled)
            }
        })
    }

    /// Move the staged files of `commit` into the layout, fsynced, under their final names;
    /// returns how many.
    fn publish(&self, dir: &Path, stage: &Path, commit: Commit) -> Result<u64, PullError> {
        let mut files = Vec::new();
        walk(stage, &mut files).map_err(|e| out_err(stage, &e))?;
        // One commit into the lake at a time (normalize's too), and under that lock its
        // tables checked again: a run of another layout may have committed into them since
        // this pull started. Refused here, the batch is not in the state, and the next
        // run's recovery removes its stage.
        let one_at_a_time = CommitLock::acquire(dir, || self.cancelled())?;
        // A normalize run killed in the middle of its commit into this lake: its files in
        // place first, for the check to see them.
        complete_dead_commits(dir, &one_at_a_time)?;
        if let Target::Dir { format, .. } = &self.target {
            let (partition, ext) = format.layout();
            let mut tables: Vec<&std::ffi::OsStr> = files
                .iter()
                .filter_map(|f| f.strip_prefix(stage).ok()?.components().next())
                .map(std::path::Component::as_os_str)
                .collect();
            tables.sort_unstable();
            tables.dedup();
            for table in tables {
                crate::sink::layout::refuse_mixed_layouts(&dir.join(table), partition, &[], ext)?;
            }
        }
        let mut dirs: Vec<PathBuf> = Vec::new();
        let mut published = 0;
        for f in files {
            let rel = f.strip_prefix(stage).unwrap_or(&f);
            let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let Some(rest) = name.strip_prefix("part-") else {
                continue; // only finished parts (temporary names start with a dot)
            };
            let dest_dir = dir.join(rel.parent().unwrap_or(Path::new("")));
            std::fs::create_dir_all(&dest_dir).map_err(|e| out_err(&dest_dir, &e))?;
            std::fs::File::open(&f)
                .and_then(|h| h.sync_all())
                .map_err(|e| out_err(&f, &e))?;
            let dest = dest_dir.join(format!(
                "part-{}-{}-{}-{rest}",
                self.tag, commit.run, commit.seq
            ));
            std::fs::rename(&f, &dest).map_err(|e| out_err(&dest, &e))?;
            published += 1;
            // The new entry, and any directory created for it, down from the output.
            let mut d = dest_dir.as_path();
            while d.starts_with(dir) && !dirs.iter().any(|x| x == d) {
                dirs.push(d.to_path_buf());
                match d.parent() {
                    Some(p) => d = p,
                    None => break,
                }
            }
        }
        for d in &dirs {
            sync_dir(d).map_err(|e| out_err(d, &e))?;
        }
        Ok(published)
    }

    /// The state is saved with `commit`: the staging directories of the batches up to it
    /// can go.
    ///
    /// # Errors
    ///
    /// [`PullError::Output`] on I/O errors.
    pub fn committed(&mut self, commit: Commit) -> Result<(), PullError> {
        if let Target::Dir { dir, .. } = &self.target {
            remove_stages_through(&self.staging(dir), commit)?;
        }
        if let Some(raw) = &mut self.raw {
            raw.committed(commit)?;
        }
        Ok(())
    }

    /// End of the run: a [`Target::File`] is fsynced and renamed into place; a stream is
    /// flushed.
    ///
    /// # Errors
    ///
    /// [`PullError::Output`] on I/O errors.
    pub fn finish(&mut self) -> Result<(), PullError> {
        match &mut self.target {
            Target::Stream(w) => w.flush()?,
            Target::File(_) => {
                let done = Target::Stream(Box::new(std::io::sink()));
                if let Target::File(f) = std::mem::replace(&mut self.target, done) {
                    let dest = f.destination().map(Path::to_path_buf).unwrap_or_default();
                    f.commit().map_err(|e| out_err(&dest, &e))?;
                }
            }
            Target::Dir { .. } => {}
        }
        Ok(())
    }
}

/// The error of a batch written into the file `dest`, naming it (an interrupt stays one).
fn on_file(dest: &Path, e: crate::Error) -> PullError {
    if e.is_cancelled() {
        return PullError::from(e);
    }
    PullError::Output(format!("{}: {e}", dest.display()))
}

#[cfg(test)]
mod tests;
