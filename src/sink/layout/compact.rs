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
//!   `DIR/.pull-<tag>/` is absent. It is checked after the files are listed: a pull
//!   publishes a batch's files while its staging directory exists and removes that
//!   directory only after its state is saved, so a file listed before the directory was
//!   seen absent is committed. A present directory (a pull running, or killed) skips them;
//! * the files of runs without an identity (`part-<n>`: `normalize` from standard input),
//!   which no later run replaces.
//!
//! Never the files of runs with an identity (`part-<id>-<n>`, listed in
//! `_normalog/runs/<id>`): a re-run of the same inputs replaces exactly those files, and a
//! merged file would keep their old rows beside the new ones.
//!
//! The files of a group are merged in their order (a pull's by run and batch), into files
//! of at most `max_bytes` of input each; a file as large by itself is left alone.
//!
//! **The commit**, per table, under the directory's commit lock: each merged file is
//! written as a temporary file of this run ([`RunLock`]), the file system synced, a journal
//! written that names the merged files and the files they replace; then each merged file
//! is put in place under a new name (a pull's keeps its tag and the last run and batch it
//! holds, so that the pull's own rule for committed files still holds), the files it
//! replaces are removed, and the journal goes. Killed before the journal, the run leaves
//! temporary files that the next run into the directory removes; killed after it, the next
//! run completes the commit ([`recover`](super::recover)). A reader that lists a
//! partition between the two steps sees its rows twice, for that moment.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use super::recovery::{complete_dead_commits, sync_file_system, CommitLock, RunLock};
use super::{path_error, pause_point, place_new};
use crate::error::Error;

/// What to compact (the options of [`crate::sink::compact::CompactOptions`] that do not
/// depend on the file format).
pub(crate) struct Scope<'a> {
    /// The tables (directory names) to compact; empty: every table.
    pub tables: &'a [String],
    /// Only say what would be merged: nothing is written.
    pub dry_run: bool,
    /// The most input bytes merged into one file; `None`: no limit.
    pub max_bytes: Option<u64>,
    /// Set when the run is asked to stop: checked before each merge and before the commit.
    pub cancelled: &'a dyn Fn() -> bool,
}

/// Why the files of a group could not be merged ([`Merger`]).
#[derive(Debug)]
pub enum MergeError {
    /// The files cannot make one file (e.g. a column of two types): the group is skipped
    /// and the reason reported.
    Refused(String),
    /// Reading or writing failed: the compaction stops.
    Failed(Error),
}

/// Merges the part files of one group (the file name extension, the files in order) into
/// an open file; returns the rows written.
pub type Merger<'a> = &'a dyn Fn(&str, &[PathBuf], File) -> Result<u64, MergeError>;

/// One merge: part files of a partition into one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Merged {
    /// The table (directory name).
    pub table: String,
    /// The files merged (removed), in order, relative to the lake directory.
    pub inputs: Vec<PathBuf>,
    /// The file that holds their rows, relative to the lake directory (a new name; with
    /// [`crate::sink::compact::CompactOptions::dry_run`], the name it would have had).
    pub output: PathBuf,
    /// Rows written (0 in a dry run).
    pub rows: u64,
    /// Bytes of the files merged.
    pub bytes_before: u64,
    /// Bytes of the merged file (0 in a dry run).
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

/// What [`compact`] did.
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
}

/// Who wrote a part file, from its name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Writer {
    /// `part-<n>`: a run without an identity.
    Anonymous,
    /// `part-<tag>-<run>-<batch>-<n>`: a pull with the state of `<tag>`.
    Pull(String),
}

/// A part file that may be merged.
#[derive(Debug, Clone)]
struct Part {
    path: PathBuf,
    /// Its file name extension (`parquet`, `ndjson`): files of one merge share it.
    ext: &'static str,
    writer: Writer,
    /// The order within its writer's files: (run, batch, n) of a pull, (0, 0, n) else.
    order: (u64, u64, u64),
    bytes: u64,
}

/// Who wrote the part file `name` (`part-….<ext>`) and its place in that writer's order;
/// `None` for a run with an identity and for names that are not part files.
fn parse_name(name: &str, ext: &str) -> Option<(Writer, (u64, u64, u64))> {
    let stem = name
        .strip_prefix("part-")?
        .strip_suffix(ext)?
        .strip_suffix('.')?;
    let fields: Vec<&str> = stem.split('-').collect();
    let num = |s: &str| {
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse::<u64>().ok())?
    };
    let hex = |s: &str, len: usize| s.len() == len && s.bytes().all(|c| c.is_ascii_hexdigit());
    match fields.as_slice() {
        [n] => Some((Writer::Anonymous, (0, 0, num(n)?))),
        [tag, run, batch, n] if hex(tag, 8) => Some((
            Writer::Pull((*tag).to_owned()),
            (num(run)?, num(batch)?, num(n)?),
        )),
        _ => None,
    }
}

/// The tables of the lake `dir` (its directories, but for hidden ones and `_normalog`),
/// those of `wanted` only when it is not empty; an error names a wanted table not there.
fn tables(dir: &Path, wanted: &[String]) -> Result<Vec<String>, Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| path_error(dir, &e))?;
    // Every run into a lake creates it (its locks): a directory without it was never
    // written by normalize or pull, and its files are not this command's to merge.
    if !dir.join("_normalog").is_dir() {
        return Err(super::sink_error(format!(
            "{}: not a lake written by normalize or pull (no _normalog/ directory in it)",
            dir.display()
        )));
    }
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| path_error(dir, &e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && !name.starts_with(['.', '_']) && (wanted.is_empty() || wanted.contains(&name))
        {
            out.push(name);
        }
    }
    out.sort();
    if let Some(missing) = wanted.iter().find(|w| !out.contains(w)) {
        return Err(super::sink_error(format!(
            "{}: no table {missing:?} in this directory",
            dir.display()
        )));
    }
    Ok(out)
}

/// The part files under `table_dir` that may be merged, by partition directory.
fn parts(table_dir: &Path) -> Result<BTreeMap<PathBuf, Vec<Part>>, Error> {
    let mut files = Vec::new();
    super::recovery::walk(table_dir, &mut files).map_err(|e| path_error(table_dir, &e))?;
    let mut by_dir: BTreeMap<PathBuf, Vec<Part>> = BTreeMap::new();
    for f in files {
        let Some(name) = f.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some((writer, order, ext)) = ["parquet", "ndjson"]
            .into_iter()
            .find_map(|e| parse_name(name, e).map(|(w, o)| (w, o, e)))
        else {
            continue;
        };
        let bytes = std::fs::metadata(&f).map_err(|e| path_error(&f, &e))?.len();
        let dir = f.parent().unwrap_or(table_dir).to_path_buf();
        by_dir.entry(dir).or_default().push(Part {
            path: f,
            ext,
            writer,
            order,
            bytes,
        });
    }
    Ok(by_dir)
}

/// The groups of `parts` (one directory's) to merge, each in order: per writer and file
/// format, runs of consecutive files of at most `max_bytes` together, of two files or more.
fn groups(mut parts: Vec<Part>, max_bytes: Option<u64>) -> Vec<Vec<Part>> {
    parts.sort_by(|a, b| (a.ext, &a.writer, a.order).cmp(&(b.ext, &b.writer, b.order)));
    let limit = max_bytes.unwrap_or(u64::MAX);
    let mut out: Vec<Vec<Part>> = Vec::new();
    let mut current: Vec<Part> = Vec::new();
    let mut bytes = 0u64;
    for p in parts {
        let same_writer = current
            .first()
            .is_some_and(|c| c.writer == p.writer && c.ext == p.ext);
        if !same_writer || bytes.saturating_add(p.bytes) > limit {
            let done = std::mem::take(&mut current);
            if done.len() > 1 {
                out.push(done);
            }
            bytes = 0;
        }
        bytes = bytes.saturating_add(p.bytes);
        current.push(p);
    }
    if current.len() > 1 {
        out.push(current);
    }
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
/// `merge` writing the merged files.
///
/// # Errors
///
/// `dir` is not a readable directory, a table of `opts.tables` is not in it, or reading,
/// writing or renaming files failed (what was committed before stays committed; a merge in
/// progress leaves only temporary files, removed by the next run into `dir`).
pub(crate) fn compact(
    dir: &Path,
    opts: &Scope<'_>,
    merge: Merger<'_>,
) -> Result<CompactReport, Error> {
    let mut report = CompactReport {
        tables: tables(dir, opts.tables)?,
        ..CompactReport::default()
    };
    if !opts.dry_run {
        report.recovered = super::recover(dir)?;
    }
    let lock = if opts.dry_run {
        None
    } else {
        Some(RunLock::acquire(dir)?)
    };
    for table in report.tables.clone() {
        let table_dir = dir.join(&table);
        let by_dir = parts(&table_dir)?;
        let rel = |p: &Path| p.strip_prefix(dir).unwrap_or(p).to_path_buf();
        let mut planned: Vec<(PathBuf, Vec<Part>)> = Vec::new();
        for (partition, parts) in by_dir {
            for group in groups(parts, opts.max_bytes) {
                // Checked after the listing: see the module docs.
                if let Writer::Pull(tag) = &group[0].writer {
                    if dir.join(format!(".pull-{tag}")).exists() {
                        report.skipped.push(Skipped {
                            kind: SkipKind::PullUnsettled,
                            table: table.clone(),
                            partition: rel(&partition),
                            files: group.len(),
                            reason: format!(
                                "a pull of state {tag} is running or was interrupted \
                                 (.pull-{tag}/ exists): its files may not be committed yet"
                            ),
                        });
                        continue;
                    }
                }
                planned.push((partition.clone(), group));
            }
        }
        if planned.is_empty() {
            continue;
        }
        match &lock {
            None => {
                for (partition, group) in planned {
                    let mut taken = names_in(&partition)?;
                    let output = partition.join(output_name(&group, &mut taken));
                    report.merged.push(Merged {
                        table: table.clone(),
                        inputs: group.iter().map(|p| rel(&p.path)).collect(),
                        output: rel(&output),
                        rows: 0,
                        bytes_before: group.iter().map(|p| p.bytes).sum(),
                        bytes_after: 0,
                    });
                }
            }
            Some(lock) => {
                let table = Table { name: &table, lock };
                commit_table(dir, &table, planned, opts, merge, &mut report)?;
            }
        }
    }
    Ok(report)
}

/// The table being compacted, and this run's lock.
#[derive(Clone, Copy)]
struct Table<'a> {
    name: &'a str,
    lock: &'a RunLock,
}

/// Merge and commit the `planned` groups of one table (see the module docs).
fn commit_table(
    dir: &Path,
    table: &Table<'_>,
    planned: Vec<(PathBuf, Vec<Part>)>,
    opts: &Scope<'_>,
    merge: Merger<'_>,
    report: &mut CompactReport,
) -> Result<(), Error> {
    let Table { name: table, lock } = *table;
    let rel = |p: &Path| p.strip_prefix(dir).unwrap_or(p).to_path_buf();
    let held = CommitLock::acquire(dir, opts.cancelled)?;
    complete_dead_commits(dir, &held)?;
    let mut pairs: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut removes: Vec<PathBuf> = Vec::new();
    let mut done: Vec<Merged> = Vec::new();
    let result = (|| -> Result<(), Error> {
        for (partition, group) in planned {
            if (opts.cancelled)() {
                return Err(Error::cancelled());
            }
            // Merged by another compaction since they were listed: nothing left to do.
            if group.iter().any(|p| !p.path.exists()) {
                continue;
            }
            let mut taken = names_in(&partition)?;
            let name = output_name(&group, &mut taken);
            let output = partition.join(&name);
            let tmp = partition.join(format!(".{name}.tmp-{}", lock.token()));
            let file = File::create(&tmp).map_err(|e| path_error(&tmp, &e))?;
            pairs.push((tmp.clone(), output.clone()));
            let inputs: Vec<PathBuf> = group.iter().map(|p| p.path.clone()).collect();
            let rows = match merge(group[0].ext, &inputs, file) {
                Ok(rows) => rows,
                Err(MergeError::Refused(reason)) => {
                    pairs.pop();
                    let _ = std::fs::remove_file(&tmp);
                    report.skipped.push(Skipped {
                        kind: SkipKind::Incompatible,
                        table: table.to_owned(),
                        partition: rel(&partition),
                        files: group.len(),
                        reason,
                    });
                    continue;
                }
                Err(MergeError::Failed(e)) => return Err(e),
            };
            pause_point("merge");
            let bytes_after = std::fs::metadata(&tmp)
                .map_err(|e| path_error(&tmp, &e))?
                .len();
            removes.extend(inputs.iter().cloned());
            done.push(Merged {
                table: table.to_owned(),
                inputs: inputs.iter().map(|p| rel(p)).collect(),
                output: rel(&output),
                rows,
                bytes_before: group.iter().map(|p| p.bytes).sum(),
                bytes_after,
            });
        }
        if pairs.is_empty() {
            return Ok(());
        }
        // The last point where a stop leaves nothing: from the journal on, the commit
        // completes (here, or by the next run into the directory).
        if (opts.cancelled)() {
            return Err(Error::cancelled());
        }
        // The merged files' bytes durable before the journal that names them.
        sync_file_system(dir)?;
        let journal = lock.write_journal(dir, None, false, &[], &pairs, &removes)?;
        pause_point("compact");
        for (tmp, output) in &pairs {
            place_new(tmp, output).map_err(|e| path_error(output, &e))?;
        }
        pause_point("rename");
        for path in &removes {
            match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(path_error(path, &e));
                }
                _ => {}
            }
        }
        sync_file_system(dir)?;
        std::fs::remove_file(&journal).map_err(|e| path_error(&journal, &e))
    })();
    if let Err(e) = result {
        // Before the journal, the temporary files are this run's to remove; after it, they
        // are gone (renamed) or the journal's, for the next run to complete.
        let journal = dir.join("_normalog/commits").join(lock.token());
        if !journal.exists() {
            for (tmp, _) in &pairs {
                let _ = std::fs::remove_file(tmp);
            }
            return Err(e);
        }
        if e.is_cancelled() {
            return Err(e);
        }
        return Err(super::sink_error(format!(
            "{e}; the compaction of {table} stopped in its commit: the next run into {} \
             completes it (its journal: {})",
            dir.display(),
            journal.display()
        )));
    }
    report.merged.extend(done);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_names_tell_their_writer() {
        assert_eq!(
            parse_name("part-3.parquet", "parquet"),
            Some((Writer::Anonymous, (0, 0, 3)))
        );
        assert_eq!(
            parse_name("part-0a1b2c3d-12-4-0.ndjson", "ndjson"),
            Some((Writer::Pull("0a1b2c3d".into()), (12, 4, 0)))
        );
        // A run with an identity, and names that are not part files.
        for name in [
            "part-0123456789abcdef-0.parquet",
            "part-x.parquet",
            "part-1.parquet.tmp-1-ab",
            ".part-1.parquet",
            "part--1.parquet",
            "part-0a1b2c3d-1-2.parquet",
        ] {
            assert_eq!(parse_name(name, "parquet"), None, "{name}");
        }
    }

    fn part(name: &str, bytes: u64) -> Part {
        let (writer, order) = parse_name(name, "parquet").expect("part name");
        Part {
            path: PathBuf::from(name),
            ext: "parquet",
            writer,
            order,
            bytes,
        }
    }

    #[test]
    fn groups_keep_writers_apart_in_order_within_the_size() {
        let parts = vec![
            part("part-aaaaaaaa-2-1-0.parquet", 10),
            part("part-1.parquet", 10),
            part("part-aaaaaaaa-1-9-0.parquet", 10),
            part("part-bbbbbbbb-1-1-0.parquet", 10),
            part("part-aaaaaaaa-10-1-0.parquet", 10),
            part("part-0.parquet", 10),
        ];
        let names = |g: &Vec<Part>| -> Vec<String> {
            g.iter().map(|p| p.path.display().to_string()).collect()
        };
        let all: Vec<Vec<String>> = groups(parts.clone(), None).iter().map(names).collect();
        assert_eq!(
            all,
            [
                vec!["part-0.parquet", "part-1.parquet"],
                vec![
                    "part-aaaaaaaa-1-9-0.parquet",
                    "part-aaaaaaaa-2-1-0.parquet",
                    "part-aaaaaaaa-10-1-0.parquet"
                ],
            ]
        );
        let within: Vec<Vec<String>> = groups(parts, Some(25)).iter().map(names).collect();
        assert_eq!(
            within,
            [
                vec!["part-0.parquet", "part-1.parquet"],
                vec!["part-aaaaaaaa-1-9-0.parquet", "part-aaaaaaaa-2-1-0.parquet"],
            ]
        );
    }

    #[test]
    fn files_of_two_formats_are_never_merged() {
        let mut ndjson = part("part-1.parquet", 10);
        ndjson.ext = "ndjson";
        let parts = vec![
            part("part-0.parquet", 10),
            ndjson,
            part("part-2.parquet", 10),
        ];
        let formats: Vec<Vec<&str>> = groups(parts, None)
            .iter()
            .map(|g| g.iter().map(|p| p.ext).collect())
            .collect();
        assert_eq!(formats, [vec!["parquet", "parquet"]]);
    }

    #[test]
    fn merged_files_take_a_free_name_of_their_writer() {
        let group = vec![
            part("part-aaaaaaaa-1-1-0.parquet", 1),
            part("part-aaaaaaaa-3-2-0.parquet", 1),
        ];
        let mut taken = vec![
            "part-aaaaaaaa-1-1-0.parquet".to_owned(),
            "part-aaaaaaaa-3-2-0.parquet".to_owned(),
            "part-aaaaaaaa-3-2-1.parquet".to_owned(),
        ];
        assert_eq!(
            output_name(&group, &mut taken),
            "part-aaaaaaaa-3-2-2.parquet"
        );
        let anonymous = vec![part("part-0.parquet", 1), part("part-7.parquet", 1)];
        let mut taken = vec!["part-0.parquet".to_owned(), "part-7.parquet".to_owned()];
        assert_eq!(output_name(&anonymous, &mut taken), "part-8.parquet");
        assert_eq!(output_name(&anonymous, &mut taken), "part-9.parquet");
    }
}
