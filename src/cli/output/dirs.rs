//! The output directory of a run: the directories it creates (removed again when it
//! leaves no file in them), and the clean-up after runs into it that were killed.

use std::io;
use std::path::{Path, PathBuf};

use super::super::{messages, Fatal};
use normalog::sink::layout;

/// The directories a run created for its directory output (`-o DIR/` and the parents it
/// lacked), outermost first; never one that existed before the run. A run that leaves no
/// file in its output directory removes them ([`remove_if_empty`](Self::remove_if_empty)):
/// `normalize -o DIR/ missing.jsonl` leaves no empty `DIR` behind.
#[derive(Debug, Default)]
pub(in crate::cli) struct CreatedDirs(Vec<PathBuf>);

impl CreatedDirs {
    /// Create `dir` and its missing parents (as `create_dir_all`), one level at a time, and
    /// note those this call made: one that another process makes meanwhile is not noted.
    /// On failure, what it made is removed again.
    pub(super) fn create(&mut self, dir: &Path) -> io::Result<()> {
        let mut missing = Vec::new();
        let mut d = dir.components().as_path();
        while !d.as_os_str().is_empty() && std::fs::metadata(d).is_err() {
            missing.push(d.to_path_buf());
            match d.parent() {
                Some(parent) => d = parent,
                None => break,
            }
        }
        for d in missing.into_iter().rev() {
            match std::fs::create_dir(&d) {
                Ok(()) => self.0.push(d),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && d.is_dir() => {}
                Err(e) => {
                    self.remove_if_empty();
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// Once the output's writers are gone (their temporary files removed): when the output
    /// directory was created by this run and holds no file, remove it (with the empty
    /// directories a writer may leave in it, such as `_normalog/locks/`), then each parent
    /// created with it, innermost first, while they are empty. A directory holding any file
    /// (or symbolic link) is never removed.
    pub(in crate::cli) fn remove_if_empty(&mut self) {
        let Some(out) = self.0.last() else {
            return;
        };
        if !holds_no_file(out) {
            return;
        }
        remove_subdirs(out);
        for d in self.0.drain(..).rev() {
            // Fails, and stops, at the first that is not empty.
            if std::fs::remove_dir(&d).is_err() {
                break;
            }
        }
    }
}

/// Whether `dir` holds nothing but directories that hold nothing but directories.
fn holds_no_file(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.into_iter().all(|e| {
            e.is_ok_and(|e| e.file_type().is_ok_and(|t| t.is_dir()) && holds_no_file(&e.path()))
        })
    })
}

/// Remove the (empty) directories under `dir`, innermost first.
fn remove_subdirs(dir: &Path) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = e.path();
        remove_subdirs(&path);
        let _ = std::fs::remove_dir(&path);
    }
}

/// Clean up after the runs into `dir` that were killed (their hidden temporary files; a
/// commit they had started is completed), and say so.
pub(super) fn recover(dir: &Path) -> Result<(), Fatal> {
    // A file in the way of the control directory: said as such, not as a clean-up that
    // failed (review s42-h2 F7).
    let control = dir.join(layout::paths::CONTROL_DIR);
    if std::fs::symlink_metadata(&control).is_ok_and(|m| !m.is_dir()) && !control.is_dir() {
        return Err(Fatal::Message(format!(
            "{}: not a directory: normalog keeps the locks and records of the runs into {} \
             there; move it out of the way",
            control.display(),
            dir.display()
        )));
    }
    let done = layout::recover(dir).map_err(|e| {
        Fatal::Message(format!(
            "{}: cleaning up after an earlier run that did not finish (interrupted, or its \
             commit failed): {e}",
            dir.display()
        ))
    })?;
    say_recovered(dir, &done);
    Ok(())
}

/// Say what the clean-up of `dir` after killed runs did, if anything.
pub(in crate::cli) fn say_recovered(dir: &Path, done: &layout::Recovered) {
    let mut said = Vec::new();
    if done.temporary_files > 0 {
        let s = if done.temporary_files == 1 { "" } else { "s" };
        said.push(format!(
            "removed {} temporary file{s} left by an interrupted run",
            done.temporary_files
        ));
    }
    if done.commits_completed > 0 {
        let s = if done.commits_completed == 1 { "" } else { "s" };
        said.push(format!(
            "completed {} commit{s} that an interrupted run had started",
            done.commits_completed
        ));
    }
    let gone = |n: u64| {
        if n == 1 {
            "1 file of it was".to_owned()
        } else {
            format!("{n} files of it were")
        }
    };
    if done.files_missing > 0 {
        said.push(format!(
            "{} gone (removed while that run went): the runs it was to replace stay, and its \
             inputs do not count as loaded; run them again (--skip-loaded reads them)",
            gone(done.files_missing)
        ));
    }
    if done.files_gone > 0 {
        said.push(format!(
            "{} gone (removed while that run went)",
            gone(done.files_gone)
        ));
    }
    if !said.is_empty() {
        messages::error(&format!("{}: {}", dir.display(), said.join("; ")));
    }
}
