//! The merges of one table and their commit (see the module docs of `compact`): merged
//! into temporary files without the commit lock, committed under it.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::super::identity::FileId;
use super::super::recovery::{complete_dead_commits, sync_file_system, CommitLock, RunLock};
use super::super::{path_error, pause_point, place_new, with_path};
use super::{
    rel, CompactReport, MergeError, Merged, Merger, Names, Part, Scope, SkipKind, Skipped,
};
use crate::atomic::create_fresh;
use crate::error::Error;

/// A group merged into its temporary files, waiting for the commit.
struct Ready {
    partition: PathBuf,
    group: Vec<Part>,
    /// The merged files, in order (more than one when the merge cut its output at the
    /// target size).
    tmps: Vec<PathBuf>,
    rows: u64,
    bytes_after: u64,
}

/// Remove the temporary files of `ready`: they were not committed.
fn discard(ready: &[Ready]) {
    for r in ready {
        remove_all(&r.tmps);
    }
}

fn remove_all(files: &[PathBuf]) {
    for f in files {
        let _ = std::fs::remove_file(f);
    }
}

/// Give the merged file `tmp` the modification time of the newest of its `inputs`: files
/// without an identity are merged in the order they were written, and a run that
/// committed while this one merged wrote later rows than the merged file holds (review
/// finding: with the time of the merge, its rows came first at the next compaction).
fn written_when_its_newest_input_was(tmp: &Path, inputs: &[PathBuf]) -> Result<(), Error> {
    let newest = inputs
        .iter()
        .filter_map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .max();
    if let Some(time) = newest {
        File::options()
            .write(true)
            .open(tmp)
            .and_then(|f| f.set_modified(time))
            .map_err(|e| path_error(tmp, &e))?;
    }
    Ok(())
}

/// How many commit journals wait in the lake `dir` (of interrupted runs, or of runs
/// committing now).
pub(super) fn pending(dir: &Path) -> usize {
    std::fs::read_dir(dir.join(super::super::paths::COMMITS_DIR)).map_or(0, |entries| {
        entries
            .flatten()
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .count()
    })
}

/// One table's compaction: the lake, the table, this run's lock, the options and the
/// format's merge.
#[derive(Clone, Copy)]
pub(super) struct Job<'a> {
    pub(super) dir: &'a Path,
    pub(super) table: &'a str,
    pub(super) lock: &'a RunLock,
    pub(super) opts: &'a Scope<'a>,
    pub(super) merge: Merger<'a>,
}

/// Merge the `planned` groups of the job's table and commit them. A stop before the commit
/// leaves nothing of the table (and sets [`CompactReport::interrupted`]).
pub(super) fn table(
    job: Job<'_>,
    planned: Vec<(PathBuf, Vec<Part>)>,
    report: &mut CompactReport,
) -> Result<(), Error> {
    let mut ready = Vec::new();
    match merge_groups(job, planned, &mut ready, report) {
        Ok(true) => {}
        Ok(false) => {
            discard(&ready);
            report.interrupted = true;
            return Ok(());
        }
        Err(e) => {
            discard(&ready);
            return Err(e);
        }
    }
    if ready.is_empty() {
        return Ok(());
    }
    commit(job, ready, report)
}

/// Merge each group into a temporary file of this run, added to `ready`; groups whose
/// files cannot make one are reported and left. Returns false when the run was stopped.
fn merge_groups(
    job: Job<'_>,
    planned: Vec<(PathBuf, Vec<Part>)>,
    ready: &mut Vec<Ready>,
    report: &mut CompactReport,
) -> Result<bool, Error> {
    let Job {
        dir,
        table,
        lock,
        opts,
        merge,
    } = job;
    for (i, (partition, mut group)) in planned.into_iter().enumerate() {
        // Again without a file that cannot be read, while two or more are left.
        while group.len() >= 2 {
            if (opts.cancelled)() {
                return Ok(false);
            }
            let ext = group[0].ext;
            let inputs: Vec<PathBuf> = group.iter().map(|p| p.path.clone()).collect();
            let mut tmps: Vec<PathBuf> = Vec::new();
            // Whether the last error was creating a file (its error names it).
            let mut creating = false;
            let merged = {
                let mut next = || -> Result<File, Error> {
                    // Hidden, and named after this run's lock: what recovery removes once
                    // the run is gone.
                    let name = format!(".compact-{i}-{}.{ext}.tmp-{}", tmps.len(), lock.token());
                    let tmp = partition.join(name);
                    // Afresh: a symbolic link at the name is removed, not followed.
                    creating = true;
                    let file = create_fresh(&tmp).map_err(|e| path_error(&tmp, &e))?;
                    creating = false;
                    tmps.push(tmp);
                    Ok(file)
                };
                merge(ext, &inputs, opts.max_bytes, &mut next)
            };
            match merged {
                Ok(rows) => {
                    let mut bytes_after = 0;
                    for tmp in &tmps {
                        let done = std::fs::metadata(tmp)
                            .map_err(|e| path_error(tmp, &e))
                            .and_then(|m| {
                                written_when_its_newest_input_was(tmp, &inputs).map(|()| m.len())
                            });
                        match done {
                            Ok(bytes) => bytes_after += bytes,
                            Err(e) => {
                                remove_all(&tmps);
                                return Err(e);
                            }
                        }
                    }
                    ready.push(Ready {
                        partition,
                        group,
                        tmps,
                        rows: rows.iter().sum(),
                        bytes_after,
                    });
                    pause_point("merge");
                    break;
                }
                Err(MergeError::Refused(reason)) => {
                    remove_all(&tmps);
                    // Merged (and removed) by another compaction meanwhile: nothing to say.
                    if inputs.iter().all(|p| p.exists()) {
                        report.skipped.push(Skipped {
                            kind: SkipKind::Incompatible,
                            table: table.to_owned(),
                            partition: rel(dir, &partition),
                            files: inputs.len(),
                            reason,
                        });
                    }
                    break;
                }
                Err(MergeError::Unreadable { path, reason }) => {
                    remove_all(&tmps);
                    // Gone: another compaction merged the group meanwhile.
                    if !path.exists() {
                        break;
                    }
                    report.skipped.push(Skipped {
                        kind: SkipKind::Unreadable,
                        table: table.to_owned(),
                        partition: rel(dir, &partition),
                        files: 1,
                        reason,
                    });
                    group.retain(|p| p.path != path);
                }
                Err(MergeError::Failed(e)) => {
                    remove_all(&tmps);
                    // Writing failed (a full disk): the error names the file being written.
                    return Err(match tmps.last() {
                        Some(tmp) if !creating => with_path(tmp, e),
                        _ => e,
                    });
                }
            }
        }
    }
    Ok(true)
}

/// Commit the merged files of `ready` under the directory's commit lock.
fn commit(job: Job<'_>, ready: Vec<Ready>, report: &mut CompactReport) -> Result<(), Error> {
    let Job {
        dir,
        table,
        lock,
        opts,
        ..
    } = job;
    // The merged files' bytes durable before the journal that names them.
    if let Err(e) = sync_file_system(dir) {
        discard(&ready);
        return Err(e);
    }
    let held = match CommitLock::acquire(dir, opts.cancelled) {
        Ok(held) => held,
        Err(e) => {
            discard(&ready);
            report.interrupted |= e.is_cancelled();
            return if e.is_cancelled() { Ok(()) } else { Err(e) };
        }
    };
    if let Err(e) = complete_dead_commits(dir, &held) {
        discard(&ready);
        return Err(e);
    }
    // A pull's files whose staging directory is back (see the module docs), then files
    // that are no longer those listed: merged and removed by another compaction, replaced
    // by another run's file of the same name. Checked in that order, under the lock.
    let (ready, unsettled): (Vec<Ready>, Vec<Ready>) = ready
        .into_iter()
        .partition(|r| super::unsettled(dir, table, &r.partition, &r.group).is_none());
    for r in &unsettled {
        report
            .skipped
            .extend(super::unsettled(dir, table, &r.partition, &r.group));
    }
    discard(&unsettled);
    let (ready, gone): (Vec<Ready>, Vec<Ready>) = ready
        .into_iter()
        .partition(|r| r.group.iter().all(|p| FileId::at(&p.path) == Some(p.id)));
    discard(&gone);
    // The last point where a stop leaves nothing: from the journal on, the commit
    // completes (here, or by the next run into the directory).
    if ready.is_empty() || (opts.cancelled)() {
        discard(&ready);
        report.interrupted |= !ready.is_empty();
        return Ok(());
    }
    // Each merged file's final name; after a group's last file in the journal, the files
    // they replace (recovery removes them only if every file of the group is in place).
    let mut names = Names::default();
    let mut pairs = Vec::new();
    let mut removes: Vec<Vec<(PathBuf, FileId)>> = Vec::new();
    for r in &ready {
        for (k, tmp) in r.tmps.iter().enumerate() {
            match names.choose(&r.partition, &r.group) {
                Ok(output) => pairs.push((tmp.clone(), output)),
                Err(e) => {
                    discard(&ready);
                    return Err(e);
                }
            }
            removes.push(if k + 1 == r.tmps.len() {
                r.group.iter().map(|p| (p.path.clone(), p.id)).collect()
            } else {
                Vec::new()
            });
        }
    }
    let journal = match lock.write_journal(dir, None, false, &[], &pairs, &removes) {
        Ok(j) => j,
        Err(e) => {
            discard(&ready);
            return Err(e);
        }
    };
    pause_point("compact");
    let outputs = match put_in_place(dir, &pairs, &removes, &journal) {
        Ok(outputs) => outputs,
        Err(e) => {
            return Err(Error::sink(format!(
                "{e}; the compaction of {table} stopped in its commit: the next run into {} \
                 completes it (its journal: {})",
                dir.display(),
                journal.display()
            )))
        }
    };
    drop(held);
    let mut outputs = outputs.into_iter();
    for r in ready {
        report.merged.push(Merged {
            table: table.to_owned(),
            inputs: r.group.iter().map(|p| rel(dir, &p.path)).collect(),
            outputs: outputs
                .by_ref()
                .take(r.tmps.len())
                .map(|o| rel(dir, &o))
                .collect(),
            rows: r.rows,
            bytes_before: r.group.iter().map(|p| p.bytes).sum(),
            bytes_after: r.bytes_after,
        });
    }
    Ok(())
}

/// The journal's steps: each merged file of `pairs` put in place, then the files it
/// replaces (`removes`, at its index) removed, the file system synced, the journal
/// removed. Returns where each merged file went.
fn put_in_place(
    dir: &Path,
    pairs: &[(PathBuf, PathBuf)],
    removes: &[Vec<(PathBuf, FileId)>],
    journal: &Path,
) -> Result<Vec<PathBuf>, Error> {
    let mut outputs = Vec::with_capacity(pairs.len());
    for (tmp, output) in pairs {
        let placed = place_new(tmp, output).map_err(|e| {
            Error::sink(format!(
                "putting {} in place as {}: {e}",
                tmp.display(),
                output.display()
            ))
        })?;
        outputs.push(placed);
    }
    pause_point("rename");
    for (path, _) in removes.iter().flatten() {
        super::super::remove_if_there(path)?;
    }
    sync_file_system(dir)?;
    std::fs::remove_file(journal).map_err(|e| path_error(journal, &e))?;
    Ok(outputs)
}
