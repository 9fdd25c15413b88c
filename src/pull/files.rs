//! The files of a directory output that batches leave: staging directories, parts above
//! the last committed batch, and the walks that find them. For the delivery of batches
//! (`deliver.rs`) and the archive of raw pages (`raw.rs`) alike.

use std::path::{Path, PathBuf};

pub(super) use crate::sink::layout::recovery::walk;

use super::state::Commit;
use super::PullError;

/// Remove the files under `dir/<subdir>` named `<prefix><run>-<seq>...` with `(run, seq)`
/// above `committed`; returns how many.
pub(super) fn remove_above(
    dir: &Path,
    subdirs: &[String],
    prefix: &str,
    committed: Commit,
) -> Result<u64, PullError> {
    let mut removed = 0;
    for (f, _) in above(dir, subdirs, prefix, committed)? {
        std::fs::remove_file(&f).map_err(|e| out_err(&f, &e))?;
        removed += 1;
    }
    Ok(removed)
}

/// The files under `dir/<subdir>` named `<prefix><run>-<seq>...` with `(run, seq)` above
/// `committed`, with their `(run, seq)`.
fn above(
    dir: &Path,
    subdirs: &[String],
    prefix: &str,
    committed: Commit,
) -> Result<Vec<(PathBuf, Commit)>, PullError> {
    let mut found = Vec::new();
    for sub in subdirs {
        let sub = dir.join(sub);
        if !sub.is_dir() {
            continue; // none yet, or a file in the way, which writing names
        }
        let mut files = Vec::new();
        walk(&sub, &mut files).map_err(|e| out_err(&sub, &e))?;
        for f in files {
            let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let Some(rest) = name.strip_prefix(prefix) else {
                continue;
            };
            let mut nums = rest.split(['-', '.']).map(str::parse::<u64>);
            if let (Some(Ok(run)), Some(Ok(seq))) = (nums.next(), nums.next()) {
                let batch = Commit { run, seq };
                if batch > committed {
                    found.push((f, batch));
                }
            }
        }
    }
    Ok(found)
}

/// Refuse to pull on when `dir/<subdir>` holds a file of this state's pulls (`prefix`
/// names its tag) above `committed` while no run of it left a staging directory: a run
/// of this state writes above its last commit only with its staging directory there, so
/// another state file with this one's id wrote it, and the next batches would be named
/// like its files and replace them. Two state files share an id when one was copied
/// where the copy could not be told (on another machine, or before state files recorded
/// where they live), or when an older copy was put back in place of its original.
pub(super) fn refuse_files_of_a_twin(
    dir: &Path,
    subdirs: &[String],
    prefix: &str,
    committed: Commit,
) -> Result<(), PullError> {
    let Some((file, batch)) = above(dir, subdirs, prefix, committed)?
        .into_iter()
        .max_by_key(|(_, b)| *b)
    else {
        return Ok(());
    };
    // No pull writes a link: one planted at a part file's name is said for what it is
    // (review s43-h4 LOW-5: the message blamed a copy of the state file).
    if file
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        return Err(PullError::Config(format!(
            "{}: a symbolic link where this state file's pulls would write a part file (run \
             {}, batch {}); no pull writes links: remove it",
            file.display(),
            batch.run,
            batch.seq
        )));
    }
    Err(PullError::Config(format!(
        "{}: a file of run {}, batch {} of this state file's pulls, which has committed only \
         up to run {}, batch {}: another state file with its id (a copy of it, or a newer \
         version of it that this one was put back in place of) wrote it, and this pull \
         would write over its files; pull with the newest version of this state file, or \
         with a new one (--state NEW.json --since ...)",
        file.display(),
        batch.run,
        batch.seq,
        committed.run,
        committed.seq
    )))
}

/// Remove the batch directories `<run>-<seq>` of `staging` up to `commit`, and `staging`
/// itself once empty.
pub(super) fn remove_stages_through(staging: &Path, commit: Commit) -> Result<(), PullError> {
    let entries = match std::fs::read_dir(staging) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(out_err(staging, &e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| out_err(staging, &e))?;
        let name = entry.file_name();
        let mut nums = name
            .to_str()
            .unwrap_or_default()
            .split('-')
            .map(str::parse::<u64>);
        if let (Some(Ok(run)), Some(Ok(seq)), None) = (nums.next(), nums.next(), nums.next()) {
            if (Commit { run, seq }) <= commit {
                let path = entry.path();
                std::fs::remove_dir_all(&path).map_err(|e| out_err(&path, &e))?;
            }
        }
    }
    let _ = std::fs::remove_dir(staging); // only when empty
    Ok(())
}

/// `DIR/.pull-<tag>`.
pub(super) fn staging_dir(dir: &Path, tag: &str) -> PathBuf {
    dir.join(format!(".pull-{tag}"))
}

pub(super) fn out_err(path: &Path, e: &std::io::Error) -> PullError {
    PullError::Output(format!("{}: {e}", path.display()))
}
