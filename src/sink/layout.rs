//! The data-lake directory layout shared by the Parquet and NDJSON directory writers.
//!
//! ```text
//! DIR/<table>/year=2023/month=7/day=1/hour=14/part-0.parquet   (--partition hour)
//! DIR/<table>/year=2023/month=7/day=1/part-0.parquet           (--partition day)
//! DIR/<table>/part-0.parquet                                     (--partition none)
//! ```
//!
//! * `<table>` is the log type as Panther names its tables: lower case, and every character
//!   other than `a-z`, `0-9` and `_` replaced by `_` (`Zendesk.Audit` → `zendesk_audit`,
//!   `AWS.VPCFlow` → `aws_vpcflow`: not snake case, the words run together). See
//!   [`table_name`]; a registry refuses two log types with one table name.
//! * Partitions are Hive-style directories on the UTC `p_event_time`, so DuckDB
//!   (`hive_partitioning`), Spark, Trino and Athena read `year`, `month`, `day`, `hour` as
//!   columns and prune by them. The numbers are not zero-padded (`month=7`, `hour=0`), so
//!   that engines that type partition columns from their values read all four as
//!   integers (DuckDB reads `month=07` as text).
//! * Each file is written as `.part-<n>.<ext>.tmp-<token>` in its directory (`<token>`:
//!   the writer's run lock, see [`recovery`]). Closed files keep that name until the whole
//!   output is committed, then all are renamed to `part-<n>.<ext>`; so a reader never sees a
//!   half-written file, and an aborted or cancelled run leaves no part files (its temporary
//!   files are removed). A run killed outright (`kill -9`) leaves only hidden temporary
//!   files (and its lock and, if it was committing, its journal under `_normalog/`), which
//!   the next run into the directory removes or, for a commit, completes ([`recover`]);
//!   killed in the middle of its commit, the files it had renamed are visible until then.
//!   `<n>` counts from 0 in each directory, skipping names that already exist, so a second
//!   run into the same directory adds files beside the first run's; a name that another
//!   such run took meanwhile (two runs from standard input at once) is skipped when the
//!   file is put in place, which never replaces a file (`place.rs`).
//! * With a target file size (the writers' `set_target_file_size`), a part file
//!   that has reached about that many bytes on disk is closed and the partition's next
//!   rows go to its next part (`part-<n+1>`), so a large partition (or a whole table with
//!   [`Partition::None`]) is written as files of about that size.
//! * At most `max_open` files are open at once; opening one more closes the least recently
//!   used. A partition seen again later gets a new part file. So a million distinct hours
//!   cost a million small files, but never a million open handles or buffers. (The Parquet
//!   writer opens a file only for a partition of many rows: it holds the rows of the
//!   others back and writes each whole, see [`super::parquet`].)
//!
//! # Re-running
//!
//! A run given an identity (`set_run_id` of the writers; the CLI derives it from its
//! inputs' paths, sizes and modification times) names its files `part-<id>-<n>.<ext>`
//! (`<id>`: 16 hex digits) and, when it commits, lists them in `DIR/_normalog/runs/<id>`.
//! Committing again under the same id renames the new files over the old ones of the same
//! name and removes the files of the earlier commit it did not write again (a partition
//! the first run had and this one has not). So re-running the same inputs into the same
//! directory leaves exactly one copy of each event, whatever changed in between
//! (`--partition`, thread counts), while files of other ids (other inputs, or runs
//! without an id) are never touched: appending new inputs is running them alone.
//!
//! Running a *different* set that includes inputs already loaded (`a` then `a b`) is
//! another id. Its writer can be told to supersede earlier runs (`supersede_runs`): their
//! files, manifests and inputs lists go in the same commit (the journal names them), so
//! that `a`'s rows are there once. The CLI supersedes each earlier run whose every input
//! is among the new run's, unchanged (same file, size and modification time); an earlier
//! run with an input the new one does not read again, or reads changed (grown, touched),
//! is kept, and its rows of the shared inputs are then there twice (the CLI warns).
//!
//! A Parquet table keeps its columns: at the commit, under the commit lock, the writer
//! compares each table's columns with a file of the run committed last among those whose
//! files stay, and refuses a column of another type or one dropped; columns added are
//! committed and reported (`ParquetWriter::columns_added`; see `earlier.rs`).

#[cfg(feature = "parquet")]
mod again;
mod commit;
mod earlier;
pub(crate) mod identity;
mod manifest;
pub(crate) mod merging;
mod mixed;
mod partition;
pub mod paths;
mod place;
pub mod recovery;

pub use crate::names::table_name;
pub use earlier::of_a_listed_run;
pub use manifest::{stable_hash, Replaced};
pub use mixed::refuse_mixed_layouts;
pub use partition::Partition;
pub use recovery::{recover, Recovered};

pub(crate) use crate::hooks::{file_created, pause_point};
pub(crate) use earlier::ColumnCheck;
pub(crate) use place::{
    create_file, is_dir_followed, place_new, remove_empty_parents, remove_if_there,
};

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use recovery::RunLock;

use crate::error::{Error, ErrorKind};

// The runs' scratch files ([`Parts::scratch_path`]) go in `SPILL_DIR`, removed when it is
// left empty, by the run that spilled and by the recovery after a killed one.
use paths::SPILL_DIR;

/// A file format of the layout: how a part file is opened, and finished under its
/// temporary name.
pub(crate) trait PartFile: Sized {
    /// What a file is opened for (e.g. the table's Arrow schema).
    type Table;
    /// The file name extension (`parquet`).
    const EXT: &'static str;
    fn open(file: File, table: &Self::Table) -> Result<Self, Error>;
    /// About the bytes the file takes on disk so far (for the target file size).
    fn size(&self) -> u64;
    /// Write the rest (a footer) and close.
    fn finish(self) -> Result<(), Error>;
}

struct Open<F> {
    file: F,
    tmp: PathBuf,
    dest: PathBuf,
    used: u64,
}

/// Which earlier runs a run supersedes (run ids), asked at its commit under the directory's
/// commit lock; or why the run must not commit at all (nothing is put in place, and the
/// commit fails with that message).
pub type SupersedeDecider = Box<dyn Fn() -> Result<Vec<u64>, String> + Send + Sync>;

/// The open and finished part files of one output directory.
pub(crate) struct Parts<F: PartFile> {
    dir: PathBuf,
    partition: Partition,
    max_open: usize,
    /// Table name per table index.
    tables: Vec<String>,
    /// Per table index: whether its directory was checked for another layout's files
    /// ([`mixed`]).
    checked: Vec<bool>,
    open: HashMap<(usize, i64), Open<F>>,
    /// Finished files waiting for [`Parts::commit`]: (temporary, destination).
    done: Vec<(PathBuf, PathBuf)>,
    /// Next part number per partition directory.
    next_part: HashMap<(usize, i64), u32>,
    /// Partitions whose only part so far was written whole ([`Parts::reserve`]): its
    /// index in `done`, for [`Parts::take_back`], until the commit.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    whole: HashMap<(usize, i64), usize>,
    tick: u64,
    /// Files opened so far (tests and stats).
    pub(crate) files_opened: u64,
    /// Files opened for a partition that already had one in this run (its file was closed
    /// to stay within `max_open`, and the partition came again): stats.
    pub(crate) extra_files: u64,
    /// The run's identity ([`Parts::set_run`]), in hex: part files are named after it and
    /// replace those of an earlier run with the same identity.
    run: Option<String>,
    /// Earlier runs this one supersedes ([`Parts::supersede`]), in hex: removed whole when
    /// this one commits.
    supersedes: Vec<String>,
    /// Decides again at the commit which runs this one supersedes
    /// ([`Parts::supersede_decided_by`]).
    decide_supersedes: Option<SupersedeDecider>,
    /// The run's list of inputs ([`Parts::set_inputs_list`]), put in place by the commit.
    inputs_list: Option<String>,
    /// Close a file once it is about this many bytes on disk ([`Parts::set_target_size`]).
    target_size: Option<u64>,
    /// Files closed because they reached the target size (stats).
    pub(crate) rotated_files: u64,
    /// After the commit of a run that replaced an earlier commit of the same identity: what
    /// it removed ([`Replaced`]).
    pub(crate) replaced: Option<Replaced>,
    /// After the commit: the columns it added to tables whose earlier files lack them
    /// ([`earlier`]).
    columns_added: Vec<(String, Vec<String>)>,
    /// Set by the caller to stop the run: the commit then puts nothing in place.
    cancel: Option<Arc<AtomicBool>>,
    /// Taken before the first file is created; its token ends the temporary names.
    lock: Option<RunLock>,
    /// Threads that rename the files into place at the commit ([`Parts::set_threads`]).
    threads: usize,
}

impl<F: PartFile> Parts<F> {
    pub(crate) fn new(dir: &Path, partition: Partition, max_open: usize) -> Self {
        Parts {
            dir: dir.to_path_buf(),
            partition,
            max_open: max_open.max(1),
            tables: Vec::new(),
            checked: Vec::new(),
            open: HashMap::new(),
            done: Vec::new(),
            next_part: HashMap::new(),
            whole: HashMap::new(),
            tick: 0,
            files_opened: 0,
            extra_files: 0,
            run: None,
            supersedes: Vec::new(),
            decide_supersedes: None,
            inputs_list: None,
            target_size: None,
            rotated_files: 0,
            replaced: None,
            columns_added: Vec::new(),
            cancel: None,
            lock: None,
            threads: 1,
        }
    }

    /// Rename the files into place on up to `threads` threads at the commit (default 1).
    pub(crate) fn set_threads(&mut self, threads: usize) {
        self.threads = threads.max(1);
    }

    /// Close a file once it is about `bytes` on disk and go on in the partition's next
    /// part; `None`: files grow without limit.
    pub(crate) fn set_target_size(&mut self, bytes: Option<u64>) {
        self.target_size = bytes.map(|b| b.max(1));
    }

    /// Stop when `flag` is set: [`commit`](Self::commit) then fails with
    /// [`ErrorKind::Cancelled`] and puts nothing in place, unless it was already renaming
    /// files (then it completes: a commit is never left half done).
    pub(crate) fn cancel_on(&mut self, flag: Arc<AtomicBool>) {
        self.cancel = Some(flag);
    }

    pub(crate) fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|f| f.load(Ordering::Relaxed))
    }

    /// The run lock, taken now if not yet.
    fn lock(&mut self) -> Result<&RunLock, Error> {
        if self.lock.is_none() {
            self.lock = Some(RunLock::acquire(&self.dir)?);
        }
        self.lock.as_ref().ok_or_else(|| Error::sink("no run lock"))
    }

    /// Name this run's part files after `id` (`part-<id>-<n>`), and on commit replace the
    /// files an earlier run with the same id wrote (listed in its manifest,
    /// `DIR/_normalog/runs/<id>`), so that re-running the same inputs leaves one copy of
    /// each event. Files of other runs are never touched.
    pub(crate) fn set_run(&mut self, id: u64) {
        self.run = Some(format!("{id:016x}"));
    }

    /// Remove the files of the runs `ids` when this run commits, in the same commit (its
    /// journal names them, so a commit cut short is completed with them): runs whose
    /// inputs this one reads again, unchanged, so that their rows would otherwise be in
    /// the directory twice. Their files are not in the way of this run's layout either.
    /// The caller decides which runs (the CLI: those whose every input is among this
    /// run's); a run already gone at the commit is passed over.
    pub(crate) fn supersede(&mut self, ids: &[u64]) {
        self.supersedes = ids.iter().map(|id| format!("{id:016x}")).collect();
        self.supersedes.sort();
        self.supersedes.dedup();
        if let Some(run) = &self.run {
            self.supersedes.retain(|s| s != run);
        }
    }

    /// Put `text` in `DIR/_normalog/inputs/<id>` when this run (with an id) commits, in
    /// the same commit as its files and manifest: what later runs read to know which
    /// inputs this one loaded (the CLI's list; the library only stores it, and removes it
    /// with the run when a later run supersedes it).
    pub(crate) fn set_inputs_list(&mut self, text: String) {
        self.inputs_list = Some(text);
    }

    /// Decide again at the commit, under the directory's commit lock, which runs this one
    /// supersedes: `decide`'s answer replaces [`supersede`](Self::supersede)'s (runs
    /// committed after this one started count; inputs that failed can be left out), and
    /// its error stops the commit before anything is put in place.
    pub(crate) fn supersede_decided_by(&mut self, decide: SupersedeDecider) {
        self.decide_supersedes = Some(decide);
    }

    /// The runs whose part files are not in the way of this run's layout: its own
    /// earlier commit's and those it supersedes, all replaced by its commit.
    fn own_runs(&self) -> Vec<&str> {
        self.run
            .iter()
            .chain(&self.supersedes)
            .map(String::as_str)
            .collect()
    }

    /// The index of a table, registering it on first use.
    pub(crate) fn table(&mut self, name: &str) -> usize {
        if let Some(i) = self.tables.iter().position(|t| t == name) {
            return i;
        }
        self.tables.push(name.to_owned());
        self.checked.push(false);
        self.tables.len() - 1
    }

    /// The directory of a table; the first time, after checking that it holds no other
    /// run's files of another layout ([`mixed`]).
    fn table_dir(&mut self, table: usize) -> Result<PathBuf, Error> {
        let dir = self.dir.join(&self.tables[table]);
        if !self.checked[table] {
            mixed::refuse_mixed_layouts(&dir, self.partition, &self.own_runs(), F::EXT)?;
            self.checked[table] = true;
        }
        Ok(dir)
    }

    /// Check, before the run writes, that the table directories of `log_types` hold no
    /// other run's files of another layout ([`mixed`]), without registering the tables.
    pub(crate) fn check_layout<'a>(
        &self,
        log_types: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), Error> {
        for log_type in log_types {
            let dir = self.dir.join(table_name(log_type));
            mixed::refuse_mixed_layouts(&dir, self.partition, &self.own_runs(), F::EXT)?;
        }
        Ok(())
    }

    /// Check the tables this run wrote again, under the commit lock
    /// ([`recovery::CommitLock`]): another run of another layout may have committed
    /// into them since they were checked.
    fn check_again(&self) -> Result<(), Error> {
        for (table, _) in self.tables.iter().zip(&self.checked).filter(|(_, c)| **c) {
            let dir = self.dir.join(table);
            mixed::refuse_mixed_layouts(&dir, self.partition, &self.own_runs(), F::EXT)?;
        }
        Ok(())
    }

    pub(crate) fn partition(&self) -> Partition {
        self.partition
    }

    /// The open file of a table's partition, opened (and the least recently used one
    /// closed) if needed.
    pub(crate) fn file(
        &mut self,
        table: usize,
        key: i64,
        spec: &F::Table,
    ) -> Result<&mut F, Error> {
        Ok(self.file_with_path(table, key, spec)?.0)
    }

    /// [`file`](Self::file), with the file's temporary path.
    pub(crate) fn file_with_path(
        &mut self,
        table: usize,
        key: i64,
        spec: &F::Table,
    ) -> Result<(&mut F, &Path), Error> {
        self.tick += 1;
        let tick = self.tick;
        let mut rotating = false;
        // A file whose size is u64::MAX is full whatever its size (a Parquet file whose row
        // groups' metadata is at its limit): closed even without a target.
        let target = self.target_size.unwrap_or(u64::MAX);
        if self
            .open
            .get(&(table, key))
            .is_some_and(|o| o.file.size() >= target)
        {
            if let Some(full) = self.open.remove(&(table, key)) {
                self.finish(full)?;
                self.rotated_files += 1;
                rotating = true;
            }
        }
        if !self.open.contains_key(&(table, key)) {
            if self.open.len() >= self.max_open {
                self.close_lru()?;
            }
            let opened = self.create(table, key, spec, rotating)?;
            self.open.insert((table, key), opened);
        }
        let slot = self
            .open
            .get_mut(&(table, key))
            .ok_or_else(|| Error::sink("part file vanished"))?;
        slot.used = tick;
        Ok((&mut slot.file, &slot.tmp))
    }

    /// Whether the partition has had a part file in this run.
    #[cfg(feature = "parquet")]
    pub(crate) fn had_part(&self, table: usize, key: i64) -> bool {
        self.next_part.get(&(table, key)).is_some_and(|&n| n > 0)
    }

    /// Whether the partition has a file open.
    #[cfg(feature = "parquet")]
    pub(crate) fn is_open(&self, table: usize, key: i64) -> bool {
        self.open.contains_key(&(table, key))
    }

    /// Name the partition's next part file without creating it (nor its directory): the
    /// caller writes it whole, on any thread, before [`commit`](Self::commit) renames it
    /// into place (or drop removes it). Returns its temporary path.
    #[cfg(feature = "parquet")]
    ///
    /// # Errors
    ///
    /// The run's lock cannot be taken (its token names temporary files).
    pub(crate) fn reserve(&mut self, table: usize, key: i64) -> Result<PathBuf, Error> {
        let token = self.lock()?.token().to_owned();
        let mut dir = self.table_dir(table)?;
        dir.push(self.partition.dir(key));
        let (tmp, dest) = self.name(&dir, table, key, false, &token);
        self.opened();
        self.done.push((tmp.clone(), dest));
        if self.next_part.get(&(table, key)) == Some(&1) {
            self.whole.insert((table, key), self.done.len() - 1);
        }
        Ok(tmp)
    }

    /// A hidden file for the run's own use, `DIR/_normalog/spill/.<name>.tmp-<token>`:
    /// named after the run's lock, so that the next run's [`recover`] removes it if this run
    /// is killed. The caller removes it when done.
    #[cfg(feature = "parquet")]
    ///
    /// # Errors
    ///
    /// The run's lock cannot be taken, or the directory cannot be created.
    pub(crate) fn scratch_path(&mut self, name: &str) -> Result<PathBuf, Error> {
        let token = self.lock()?.token().to_owned();
        let dir = self.dir.join(SPILL_DIR);
        std::fs::create_dir_all(&dir).map_err(|e| path_error(&dir, &e))?;
        Ok(dir.join(format!(".{name}.tmp-{token}")))
    }

    /// Open the partition's next part file; `rotating` when the partition's previous one
    /// was closed for its size (not an extra part).
    fn create(
        &mut self,
        table: usize,
        key: i64,
        spec: &F::Table,
        rotating: bool,
    ) -> Result<Open<F>, Error> {
        let token = self.lock()?.token().to_owned();
        let mut dir = self.table_dir(table)?;
        dir.push(self.partition.dir(key));
        let (tmp, dest) = self.name(&dir, table, key, rotating, &token);
        let file = create_file(&tmp).map_err(|e| path_error(&tmp, &e))?;
        file_created();
        self.opened();
        Ok(Open {
            file: F::open(file, spec)?,
            tmp,
            dest,
            used: 0,
        })
    }

    /// One more part file named (for `--stats`).
    fn opened(&mut self) {
        self.files_opened += 1;
    }

    /// The temporary and final names of the partition's next part file in `dir`; the
    /// temporary name ends in the run's lock `token` (how recovery knows its owner).
    fn name(
        &mut self,
        dir: &Path,
        table: usize,
        key: i64,
        rotating: bool,
        token: &str,
    ) -> (PathBuf, PathBuf) {
        let n = self.next_part.entry((table, key)).or_insert(0);
        if *n > 0 && !rotating {
            self.extra_files += 1;
        }
        let stem = match &self.run {
            // Named after the run: the same run's file of an earlier time is replaced.
            Some(run) => {
                *n += 1;
                format!("part-{run}-{}", *n - 1)
            }
            None => loop {
                let stem = format!("part-{n}");
                *n += 1;
                if !dir.join(format!("{stem}.{}", F::EXT)).exists() {
                    break stem;
                }
            },
        };
        let dest = dir.join(format!("{stem}.{}", F::EXT));
        let tmp = dir.join(format!(".{stem}.{}.tmp-{token}", F::EXT));
        (tmp, dest)
    }

    fn close_lru(&mut self) -> Result<(), Error> {
        let lru = self
            .open
            .iter()
            .min_by_key(|(_, o)| o.used)
            .map(|(k, _)| *k);
        if let Some(k) = lru {
            if let Some(o) = self.open.remove(&k) {
                self.finish(o)?;
            }
        }
        Ok(())
    }

    fn finish(&mut self, o: Open<F>) -> Result<(), Error> {
        // Recorded first, so the temporary file is removed on drop even if finishing fails.
        self.done.push((o.tmp.clone(), o.dest));
        o.file.finish().map_err(|e| with_path(&o.tmp, e))
    }

    /// The open files, for memory accounting.
    #[cfg(feature = "parquet")]
    pub(crate) fn open_files(&mut self) -> impl Iterator<Item = &mut F> {
        self.open.values_mut().map(|o| &mut o.file)
    }

    /// Number of open files.
    #[cfg(feature = "parquet")]
    pub(crate) fn open_count(&self) -> usize {
        self.open.len()
    }
}

pub(crate) fn path_error(path: &Path, e: &std::io::Error) -> Error {
    Error::new(ErrorKind::Io(std::io::Error::new(
        e.kind(),
        format!("{}: {e}", path.display()),
    )))
}

pub(crate) fn with_path(path: &Path, e: Error) -> Error {
    match e.into_kind() {
        ErrorKind::Io(io) => path_error(path, &io),
        kind => Error::new(kind),
    }
}

#[cfg(all(test, feature = "parquet"))]
mod tests {
    use std::fs::File;

    use super::*;

    /// A part file whose size says it is full (`u64::MAX`, a Parquet file whose row
    /// groups' metadata is at its limit).
    struct Full;

    impl PartFile for Full {
        type Table = ();
        const EXT: &'static str = "parquet";
        fn open(_: File, (): &()) -> Result<Self, Error> {
            Ok(Full)
        }
        fn size(&self) -> u64 {
            u64::MAX
        }
        fn finish(self) -> Result<(), Error> {
            Ok(())
        }
    }

    /// A full file is closed, the partition going on in its next part, also without a
    /// target file size.
    #[test]
    fn a_full_file_is_closed_without_a_target_size() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut parts = Parts::<Full>::new(&dir.path().join("lake"), Partition::Hour, 4);
        let table = parts.table("t");
        let hour = 473_352; // 2024-01-01T00
        for _ in 0..3 {
            parts.file(table, hour, &()).expect("file");
        }
        assert_eq!(parts.rotated_files, 2);
    }
}
