//! The files of a directory output that batches leave: staging directories, parts above
//! the last committed batch, and the walks that find them.

use std::path::{Path, PathBuf};

pub(super) use crate::sink::layout::recovery::walk;

use super::super::state::Commit;
use super::super::PullError;

/// Remove the files under `dir/<subdir>` named `<prefix><run>-<seq>...` with `(run, seq)`
/// above `committed`; returns how many.
pub(in crate::pull) fn remove_above(
    dir: &Path,
    subdirs: &[String],
    prefix: &str,
    committed: Commit,
) -> Result<u64, PullError> {
    let mut removed = 0;
    for sub in subdirs {
        let mut files = Vec::new();
        walk(&dir.join(sub), &mut files).map_err(|e| out_err(dir, &e))?;
        for f in files {
            let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let Some(rest) = name.strip_prefix(prefix) else {
                continue;
            };
            let mut nums = rest.split(['-', '.']).map(str::parse::<u64>);
            if let (Some(Ok(run)), Some(Ok(seq))) = (nums.next(), nums.next()) {
                if (Commit { run, seq }) > committed {
                    std::fs::remove_file(&f).map_err(|e| out_err(&f, &e))?;
                    removed += 1;
                }
            }
        }
    }
    Ok(removed)
}

/// Remove the batch directories `<run>-<seq>` of `staging` up to `commit`, and `staging`
/// itself once empty.
pub(in crate::pull) fn remove_stages_through(
    staging: &Path,
    commit: Commit,
) -> Result<(), PullError> {
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

pub(in crate::pull) fn out_err(path: &Path, e: &std::io::Error) -> PullError {
    PullError::Output(format!("{}: {e}", path.display()))
}
