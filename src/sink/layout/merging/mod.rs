//! Compaction: the part files of a partition merged into one, in place, as a commit
//! (`normalog compact`).
//!
//! Why: `normalog pull` from cron adds files of its own to each partition it reaches, at
//! every run (`part-<tag>-<run>-<batch>-<n>`), so after months an hour partition holds a
//! file per run that wrote into it, of a few rows each; engines pay for every file (its
//! listing, open and footer), and so does the lake's size (a footer per file).
//!
//! **What is merged**, per partition directory (the table directory with `--partition
//! none`):
//! * the files of one pull state (`<tag>`), when that state's staging directory
//!   `DIR/.pull-<tag>/` is absent: checked when the files are listed, and again under the
//!   commit lock, before checking that each file is still the one listed (its identity,
//!   `identity.rs`). A pull publishes a batch's files under that lock while its staging
//!   directory exists, and removes the directory only after its state is saved; its
//!   recovery after a crash removes the uncommitted files, then the directory. So a file
//!   listed earlier and still the same once the directory was seen absent is committed
//!   (review finding: checked at the listing alone, a pull that recovered and published
//!   the same names again in between had its uncommitted file merged, under a name its
//!   next recovery removed, committed rows and all). A present directory (a pull
//!   running, or killed) skips them;
//! * the files of runs without an identity (`part-<n>`: `normalize` from standard input),
//!   which no later run replaces.
//!
//! Never the files of runs with an identity (`part-<id>-<n>`, listed in
//! `_normalog/runs/<id>`): a re-run of the same inputs replaces exactly those files, and a
//! merged file would keep their old rows beside the new ones.
//!
//! The files of a group are merged in their order (a pull's by run and batch, the others
//! by when they were written), into files cut at `max_bytes` (as `normalize` cuts its part
//! files at `--target-file-size`); a file of three quarters of that or more is left alone
//! ([`SETTLED_SHARE`]), so that only the last, partial file of a partition is merged again
//! with the files that come after it.
//!
//! **The commit**, per table: each group is merged into a temporary file of this run
//! ([`RunLock`]), without holding the directory's commit lock (other runs commit
//! meanwhile); then, under that lock, the groups whose files are all still there (another
//! compaction may have merged them meanwhile) are committed: the file system synced, a
//! journal written that names each merged file and, after it, the files it replaces; each
//! merged file put in place under a new name (a pull's keeps its tag and the last run and
//! batch it holds, so that the pull's own rule for committed files still holds), the files
//! it replaces removed, and the journal removed. Killed before the journal, the run leaves
//! temporary files that the next run into the directory removes; killed after it, the next
//! run completes the commit ([`recover`](super::recover)), removing a merged file's inputs
//! only if the merged file is in place. A reader that lists a partition between the two
//! steps sees its rows twice, for that moment.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use super::identity::FileId;
use super::path_error;
use super::recovery::{recover_unless, RunLock};
use crate::error::Error;
use crate::names::table_name;

mod commit;
mod names;

use names::{named_run, parse_name, partition_order, Writer};

/// What to compact (the options of [`crate::sink::compact::CompactOptions`] that do not
/// depend on the file format).
pub(crate) struct Scope<'a> {
    /// The tables to compact, by log type (`Zendesk.Audit`) or directory name
    /// (`zendesk_audit`); empty: every table.
    pub tables: &'a [String],
    /// Only say what would be merged: nothing is written.
    pub dry_run: bool,
    /// The size merged files are cut at, and the files of three quarters of it or more
    /// that stay out; `None`: no limit.
    pub max_bytes: Option<u64>,
    /// Set when the run is asked to stop: checked before each merge and before the commit.
    pub cancelled: &'a dyn Fn() -> bool,
}

/// Why the files of a group could not be merged.
#[derive(Debug)]
#[non_exhaustive]
pub enum MergeError {
    /// The files cannot make one file (e.g. a column of two types): the group is skipped
    /// and the reason reported.
    Refused(String),
    /// The file `path` cannot be read (truncated, corrupt): it is left as it is, reported,
    /// and the group's other files are merged without it.
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why, with the file named.
        reason: String,
    },
    /// Reading or writing failed: the compaction stops.
    Failed(Error),
}

/// Opens the next file a merge writes into (a temporary file of the compaction).
pub type NextFile<'a> = &'a mut dyn FnMut() -> Result<File, Error>;

/// Merges the part files of one group (the file name extension, the files in order) into
/// files opened with the [`NextFile`], the next one once the current one holds about the
/// target size (`None`: all in one); returns the rows of each file.
pub type Merger<'a> =
    &'a dyn Fn(&str, &[PathBuf], Option<u64>, NextFile<'_>) -> Result<Vec<u64>, MergeError>;

/// One merge: part files of a partition into one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Merged {
    /// The table (directory name).
    pub table: String,
    /// The files merged (removed), in order, relative to the lake directory.
    pub inputs: Vec<PathBuf>,
    /// The files that hold their rows (one, or several of about the target size),
    /// relative to the lake directory; new names. With
    /// [`crate::sink::compact::CompactOptions::dry_run`], the name the first would have had.
    pub outputs: Vec<PathBuf>,
    /// Rows written (0 in a dry run).
    pub rows: u64,
    /// Bytes of the files merged.
    pub bytes_before: u64,
    /// Bytes of the merged files (0 in a dry run).
    pub bytes_after: u64,
}

/// Why part files were left as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipKind {
    /// A pull's files, some of which may not be committed yet (its staging directory is
    /// there): a compaction after the pull's next run merges them.
    PullUnsettled,
    /// Files that cannot make one file, such as a column of two types.
    Incompatible,
    /// A file that cannot be read (truncated, corrupt): the other files of its partition
    /// are merged without it.
    Unreadable,
}

impl SkipKind {
    /// Whether files were left for a reason the run cannot resolve by itself (the command
    /// exits 1): not a pull still committing.
    #[must_use]
    pub fn needs_attention(self) -> bool {
        !matches!(self, SkipKind::PullUnsettled)
    }
}

/// Files that were left as they are, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Skipped {
    /// What kind of reason.
    pub kind: SkipKind,
    /// The table (directory name).
    pub table: String,
    /// The partition directory, relative to the lake directory.
    pub partition: PathBuf,
    /// How many part files.
    pub files: usize,
    /// Why.
    pub reason: String,
}

/// What [`crate::sink::compact::compact`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CompactReport {
    /// The tables looked at.
    pub tables: Vec<String>,
    /// The merges, in the order they were made.
    pub merged: Vec<Merged>,
    /// What was left alone, and why.
    pub skipped: Vec<Skipped>,
    /// What earlier runs killed in the lake had left, cleaned up first.
    pub recovered: super::Recovered,
    /// The run was asked to stop: it stopped before a table's commit (nothing of that
    /// table committed), or after one that had started (the tables in
    /// [`merged`](Self::merged) are the ones done).
    pub interrupted: bool,
    /// In a dry run: commits of interrupted runs waiting in the lake, which a run that is
    /// not dry completes first (what the dry run lists may then change).
    pub pending_commits: usize,
    /// Part files of runs with named inputs (`part-<id>-<n>`) in partitions of more than
    /// one file, left alone: a re-run of those inputs replaces exactly them.
    pub named_left_alone: usize,
}

/// A part file that may be merged.
#[derive(Debug, Clone)]
struct Part {
    path: PathBuf,
    /// Its file name extension (`parquet`, `ndjson`): files of one merge share it.
    ext: &'static str,
    writer: Writer,
    /// The file as listed: merged, and removed, only while it is still that file.
    id: FileId,
    /// The order within its writer's files: (run, batch, n) of a pull; for the others,
    /// when the file was written (seconds and nanoseconds), then n. Not n alone: a run
    /// from standard input takes the lowest free number, so after a compaction a newer
    /// file has a lower number than the merged one.
    order: (u64, u64, u64),
    bytes: u64,
}

/// The tables of the lake `dir` (its directories, but for hidden ones and `_normalog`),
/// those of `wanted` (log types or directory names) only when it is not empty; an error
/// names a wanted table not there as it was given.
fn tables(dir: &Path, wanted: &[String]) -> Result<Vec<String>, Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| path_error(dir, &e))?;
    // Every run into a lake creates it (its locks): a directory without it was never
    // written by normalize or pull, and its files are not this command's to merge.
    if !dir.join(super::paths::CONTROL_DIR).is_dir() {
        let within = dir
            .parent()
            .filter(|p| p.join(super::paths::CONTROL_DIR).is_dir())
            .map(|p| format!(": it is a table of the lake {}", p.display()))
            .unwrap_or_default();
        return Err(not_found(format!(
            "{}: not a lake written by normalize or pull (no _normalog/ directory in it){within}",
            dir.display()
        )));
    }
    // Matched by directory name, and named as given: `-t Nope` is not in the lake, not
    // `nope` (review finding).
    let wanted: Vec<(&String, String)> = wanted.iter().map(|w| (w, table_name(w))).collect();
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| path_error(dir, &e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = super::is_dir_followed(&entry);
        if is_dir
            && !name.starts_with(['.', '_'])
            && (wanted.is_empty() || wanted.iter().any(|(_, dir)| *dir == name))
        {
            out.push(name);
        }
    }
    out.sort();
    if let Some((missing, dir_name)) = wanted.iter().find(|(_, d)| !out.contains(d)) {
        let tables = table_names(dir);
        let meant = crate::suggest::suggest(dir_name, tables.iter().map(String::as_str))
            .map(|t| format!("; did you mean `{t}`?"))
            .unwrap_or_default();
        let tables = if tables.is_empty() {
            "none".to_owned()
        } else {
            tables.join(", ")
        };
        return Err(not_found(format!(
            "{}: no table {missing:?} in this lake{meant} (tables: {tables})",
            dir.display(),
        )));
    }
    Ok(out)
}

/// The table directories of `dir`, sorted.
fn table_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter(super::is_dir_followed)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with(['.', '_']))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// An error about what is not in the lake: said as it is (no "output:" before it).
fn not_found(message: String) -> Error {
    Error::from(std::io::Error::new(std::io::ErrorKind::NotFound, message))
}

/// The part files under `table_dir` that may be merged, by partition directory, in time
/// order of the partitions (`hour=9` before `hour=10`); and the run of each file of a run
/// with named inputs (`part-<id>-<n>`, left alone), by partition directory.
#[allow(clippy::type_complexity)]
fn parts(
    table_dir: &Path,
) -> Result<(Vec<(PathBuf, Vec<Part>)>, BTreeMap<PathBuf, Vec<String>>), Error> {
    let mut files = Vec::new();
    let linked = std::fs::symlink_metadata(table_dir).is_ok_and(|m| m.is_symlink());
    super::recovery::walk_in(table_dir, &mut files, linked)
        .map_err(|e| path_error(table_dir, &e))?;
    let mut by_dir: BTreeMap<PathBuf, Vec<Part>> = BTreeMap::new();
    let mut named: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
    for f in files {
        let Some(name) = f.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some((writer, order, ext)) = ["parquet", "ndjson"]
            .into_iter()
            .find_map(|e| parse_name(name, e).map(|(w, o)| (w, o, e)))
        else {
            if let Some(run) = named_run(name) {
                named
                    .entry(f.parent().unwrap_or(table_dir).to_path_buf())
                    .or_default()
                    .push(run.to_owned());
            }
            continue;
        };
        let meta = match std::fs::metadata(&f) {
            Ok(meta) => meta,
            // Removed since the walk (another compaction's commit, a pull's recovery).
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(path_error(&f, &e)),
        };
        let bytes = meta.len();
        let order = match writer {
            Writer::Anonymous => {
                let written = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .unwrap_or_default();
                (
                    written.as_secs(),
                    u64::from(written.subsec_nanos()),
                    order.2,
                )
            }
            Writer::Pull(_) => order,
        };
        let dir = f.parent().unwrap_or(table_dir).to_path_buf();
        by_dir.entry(dir).or_default().push(Part {
            path: f,
            ext,
            writer,
            id: FileId::of(&meta),
            order,
            bytes,
        });
    }
    let mut by_dir: Vec<(PathBuf, Vec<Part>)> = by_dir.into_iter().collect();
    by_dir.sort_by(|(a, _), (b, _)| partition_order(a, b));
    Ok((by_dir, named))
}

/// A file of at least this share of the target size (`max_bytes`) is left as it is:
/// merged again with a few new files, it would be rewritten whole every time (a table of
/// `--partition none` fed by pulls, compacted nightly, would be). Apache Iceberg's
/// compaction leaves files of three quarters of its target alone too.
const SETTLED_SHARE: (u64, u64) = (3, 4);

/// The groups of `parts` (one directory's) to merge, each in order: the files of each
/// writer and file format, of two files or more; files of [`SETTLED_SHARE`] of `max_bytes`
/// or more stay out. (The merge cuts its output at `max_bytes`: grouping by the files'
/// sizes instead made files well under it, as small files shrink when merged, and those
/// were merged again at every compaction: review finding.)
fn groups(mut parts: Vec<Part>, max_bytes: Option<u64>) -> Vec<Vec<Part>> {
    if let Some(max) = max_bytes {
        let (share, of) = SETTLED_SHARE;
        parts
            .retain(|p| u128::from(p.bytes) * u128::from(of) < u128::from(max) * u128::from(share));
    }
    parts.sort_by(|a, b| (a.ext, &a.writer, a.order).cmp(&(b.ext, &b.writer, b.order)));
    let mut out: Vec<Vec<Part>> = Vec::new();
    for p in parts {
        match out.last_mut() {
            Some(group) if group[0].writer == p.writer && group[0].ext == p.ext => group.push(p),
            _ => out.push(vec![p]),
        }
    }
    out.retain(|g| g.len() > 1);
    out
}

/// The name of the file that holds the rows of `group` in `dir`: a pull's tag, with its
/// last run and batch and the next free part number of those; `part-<n>` with the next
/// number of the directory's for the others. Taken out of `taken` (names already chosen
/// or there).
fn output_name(group: &[Part], taken: &mut Vec<String>) -> String {
    let ext = group.first().map_or("", |p| p.ext);
    let last = group.last().map(|p| (p.writer.clone(), p.order));
    let prefix = match &last {
        Some((Writer::Pull(tag), (run, batch, _))) => format!("part-{tag}-{run}-{batch}-"),
        _ => "part-".to_owned(),
    };
    let mut n = taken
        .iter()
        .filter_map(|t| {
            t.strip_prefix(&prefix)?
                .strip_suffix(ext)?
                .strip_suffix('.')
        })
        .filter_map(|rest| rest.parse::<u64>().ok())
        .max()
        .map_or(0, |m| m + 1);
    loop {
        let name = format!("{prefix}{n}.{ext}");
        if !taken.contains(&name) {
            taken.push(name.clone());
            return name;
        }
        n += 1;
    }
}

/// The names of the entries of `dir`.
fn names_in(dir: &Path) -> Result<Vec<String>, Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| path_error(dir, &e))?;
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| path_error(dir, &e))?;
        out.push(entry.file_name().to_string_lossy().into_owned());
    }
    Ok(out)
}

/// Merge the part files of each partition of the lake `dir` (see the module docs), with
/// `merge` writing the merged files; what was done goes into `report` as it is done (also
/// when an error ends the run).
///
/// # Errors
///
/// `dir` is not a lake, a table of `opts.tables` is not in it, or writing or renaming
/// files failed (what was committed before stays committed; a merge in progress leaves
/// only temporary files, removed by the next run into `dir`, or a journal that it
/// completes). A stop (`opts.cancelled`) is not an error: the report says so.
pub(crate) fn compact(
    dir: &Path,
    opts: &Scope<'_>,
    merge: Merger<'_>,
    report: &mut CompactReport,
) -> Result<(), Error> {
    report.tables = tables(dir, opts.tables)?;
    let lock = if opts.dry_run {
        report.pending_commits = commit::pending(dir);
        None
    } else {
        match recover_unless(dir, opts.cancelled) {
            Ok(recovered) => report.recovered = recovered,
            Err(e) if e.is_cancelled() => {
                report.interrupted = true;
                return Ok(());
            }
            Err(e) => return Err(e),
        }
        Some(RunLock::acquire(dir)?)
    };
    for table in report.tables.clone() {
        if (opts.cancelled)() {
            report.interrupted = true;
            break;
        }
        let planned = plan(dir, &table, opts.max_bytes, report)?;
        if planned.is_empty() {
            continue;
        }
        match &lock {
            None => {
                let mut names = Names::default();
                for (partition, group) in planned {
                    let output = names.choose(&partition, &group)?;
                    report.merged.push(Merged {
                        table: table.clone(),
                        inputs: group.iter().map(|p| rel(dir, &p.path)).collect(),
                        outputs: vec![rel(dir, &output)],
                        rows: 0,
                        bytes_before: group.iter().map(|p| p.bytes).sum(),
                        bytes_after: 0,
                    });
                }
            }
            Some(lock) => {
                let job = commit::Job {
                    dir,
                    table: &table,
                    lock,
                    opts,
                    merge,
                };
                commit::table(job, planned, report)?;
            }
        }
    }
    // A stop that came while a commit went on (which completes): the run still stops.
    report.interrupted |= (opts.cancelled)();
    Ok(())
}

/// The groups of part files of `table` to merge, each with its partition directory; the
/// groups of a pull that may not have committed them are reported as skipped.
fn plan(
    dir: &Path,
    table: &str,
    max_bytes: Option<u64>,
    report: &mut CompactReport,
) -> Result<Vec<(PathBuf, Vec<Part>)>, Error> {
    let mut planned = Vec::new();
    let (partitions, named) = parts(&dir.join(table))?;
    for (partition, runs) in &named {
        // Files of one run alone (cut at a target size) are that run's to replace: not
        // counted; beside another run's, or beside files compact merges, they are.
        let others = partitions.iter().any(|(p, _)| p == partition);
        let mut distinct = runs.clone();
        distinct.sort();
        distinct.dedup();
        if distinct.len() > 1 || others {
            report.named_left_alone += runs.len();
        }
    }
    for (partition, parts) in partitions {
        for group in groups(parts, max_bytes) {
            // Checked after the listing: see the module docs.
            if let Some(skipped) = unsettled(dir, table, &partition, &group) {
                report.skipped.push(skipped);
                continue;
            }
            planned.push((partition.clone(), group));
        }
    }
    Ok(planned)
}

/// The skip of a pull's `group` whose files may not all be committed: its staging
/// directory is there (see the module docs); `None` for other groups.
fn unsettled(dir: &Path, table: &str, partition: &Path, group: &[Part]) -> Option<Skipped> {
    let Writer::Pull(tag) = &group.first()?.writer else {
        return None;
    };
    dir.join(format!(".pull-{tag}")).exists().then(|| Skipped {
        kind: SkipKind::PullUnsettled,
        table: table.to_owned(),
        partition: rel(dir, partition),
        files: group.len(),
        reason: format!(
            "a pull of state {tag} is running or was interrupted (.pull-{tag}/ exists): its \
             files may not be committed yet"
        ),
    })
}

/// `p` relative to `dir`.
fn rel(dir: &Path, p: &Path) -> PathBuf {
    p.strip_prefix(dir).unwrap_or(p).to_path_buf()
}

/// The names merged files take, chosen per partition directory: those there and those
/// chosen before are taken.
#[derive(Default)]
struct Names {
    taken: BTreeMap<PathBuf, Vec<String>>,
}

impl Names {
    /// The path of the file that holds the rows of `group` in `partition`.
    fn choose(&mut self, partition: &Path, group: &[Part]) -> Result<PathBuf, Error> {
        let taken = match self.taken.entry(partition.to_path_buf()) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => e.insert(names_in(partition)?),
        };
        Ok(partition.join(output_name(group, taken)))
    }
}

#[cfg(test)]
mod tests;
