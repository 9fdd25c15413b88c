//! The commit of a run's part files: finish the open ones, write the journal, rename every
//! file into place (on several threads), replace the run's manifest, remove the runs it
//! supersedes; and, without a commit, the removal of every temporary file when the writer
//! is dropped.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::recovery::{complete_dead_commits, sync_file_system, CommitLock, RunLock};
use super::{
    manifest, path_error, pause_point, place_new, remove_empty_parents, with_path, ColumnCheck,
    PartFile, Parts, Replaced,
};
use crate::error::Error;
use crate::sink::parallel::parallel;

impl<F: PartFile> Parts<F> {
    /// Finish every open file and rename all finished files into place.
    pub(crate) fn commit(&mut self) -> Result<(), Error> {
        self.commit_with(
            |files| {
                for (file, tmp) in files {
                    file.finish().map_err(|e| with_path(&tmp, e))?;
                }
                Ok(())
            },
            None,
        )
    }

    /// [`commit`](Self::commit), with `finish` finishing the open files (each given with its
    /// temporary path; e.g. on several threads), and `columns` checking each table's
    /// columns against an earlier file of it that stays, under the commit lock (see
    /// [`earlier`](super::earlier)): its error refuses the commit before anything is put
    /// in place.
    pub(crate) fn commit_with(
        &mut self,
        finish: impl FnOnce(Vec<(F, PathBuf)>) -> Result<(), Error>,
        columns: Option<ColumnCheck<'_>>,
    ) -> Result<(), Error> {
        self.columns_added.clear();
        pause_point("commit");
        // Files taken back ([`Parts::take_back`]) left an empty entry; the indices of the
        // others into `done` are no longer right, and nothing is taken back after this.
        self.done.retain(|(tmp, _)| !tmp.as_os_str().is_empty());
        self.whole.clear();
        let mut open: Vec<_> = self.open.drain().collect();
        open.sort_by_key(|(k, _)| *k);
        let mut files = Vec::with_capacity(open.len());
        for (_, o) in open {
            // Recorded first, so the temporary file is removed on drop even if finishing fails.
            self.done.push((o.tmp.clone(), o.dest));
            files.push((o.file, o.tmp));
        }
        if self.cancelled() {
            return Err(Error::cancelled());
        }
        finish(files)?;
        // The last point where a cancelled run leaves nothing: from the journal on, the
        // commit completes (here, or by the next run's `recover` if this one is killed).
        if self.cancelled() {
            return Err(Error::cancelled());
        }
        // Nothing to put in place, and no earlier commit of this run whose files would go:
        // the commit changes nothing, so it writes nothing (no lock, journal or manifest),
        // and a run that wrote no file leaves the directory as it found it.
        if self.done.is_empty()
            && self
                .run
                .iter()
                .chain(&self.supersedes)
                .all(|run| !manifest::exists(&self.dir, run))
        {
            self.lock = None;
            return Ok(());
        }
        // The files' bytes durable before the journal names them (outside the commit lock:
        // the flush of a large run takes a while).
        if !self.done.is_empty() {
            sync_file_system(&self.dir)?;
        }
        self.lock()?;
        let cancel = self.cancel.clone();
        let one_at_a_time = CommitLock::acquire(&self.dir, || {
            cancel.as_ref().is_some_and(|f| f.load(Ordering::Relaxed))
        })?;
        complete_dead_commits(&self.dir, &one_at_a_time)?;
        if let Some(decide) = &self.decide_supersedes {
            // Refused: nothing was put in place; the temporary files go with the writer.
            let ids = decide().map_err(Error::sink)?;
            self.supersede(&ids);
        }
        self.check_again()?;
        // Refused: nothing was put in place; the temporary files go with the writer.
        let added = match columns {
            Some(check) => self.check_columns(check)?,
            None => Vec::new(),
        };
        let (dir, run) = (&self.dir, self.run.as_deref());
        let Some(lock) = &self.lock else {
            return Err(Error::sink("no run lock"));
        };
        // A temporary file removed by something else while the run went (a clean-up of
        // the directory): the output is not whole, so nothing of it is committed (review
        // s42-h2 F2: the next run completed the commit without those rows, and recorded its
        // inputs as loaded). A stat a file, under the commit lock.
        if let Some((tmp, _)) = self.done.iter().find(|(tmp, _)| !tmp.exists()) {
            return Err(Error::sink(format!(
                "{}: this run's temporary file was removed by something else while the run \
                 went: nothing was committed; run again",
                tmp.display()
            )));
        }
        let (journal, inputs) = self.write_journal(lock)?;
        let done = std::mem::take(&mut self.done);
        // The first file alone (the test pause point `rename` holds the whole commit there),
        // the others on several threads: with thousands of hours, renaming one file after
        // another was the last tenth of an hour-partitioned run, on one core.
        let renamed: Vec<AtomicBool> = done.iter().map(|_| AtomicBool::new(false)).collect();
        let rename = |((tmp, dest), ok): (&(PathBuf, PathBuf), &AtomicBool)| {
            let placed = if run.is_some() {
                // Named after the run: an earlier commit's file of that name is replaced.
                std::fs::rename(tmp, dest)
            } else {
                place_new(tmp, dest).map(drop)
            };
            placed.map_err(|e| rename_error(tmp, dest, &e))?;
            ok.store(true, Ordering::Relaxed);
            Ok(())
        };
        let mut pairs = done.iter().zip(&renamed);
        let result = pairs.next().map_or(Ok(()), rename).and_then(|()| {
            pause_point("rename");
            parallel(pairs.collect(), self.threads, "normalog-commit", rename)
        });
        let (written, left): (Vec<_>, Vec<_>) = done
            .into_iter()
            .zip(&renamed)
            .partition(|(_, ok)| ok.load(Ordering::Relaxed));
        if let Err(e) = result {
            // From the journal on, a commit is completed, never undone (a rename may have
            // replaced an earlier commit's file): the files not renamed stay under their
            // temporary names, and the journal stays. The run's lock goes, so the next run
            // into the directory, or the next commit of another, completes this one.
            drop(left);
            self.lock = None;
            return Err(Error::sink(format!(
                "{e}; the commit stopped after {} of its {} files: the next run into {} \
                 completes it (its journal: {})",
                written.len(),
                renamed.len(),
                dir.display(),
                journal.display()
            )));
        }
        let written: Vec<PathBuf> = written.into_iter().map(|((_, dest), _)| dest).collect();
        let token = lock.token().to_owned();
        let finished = self.after_renames(&written, inputs, &token, &journal);
        // Whatever the outcome, nothing of this run is left to clean up: its lock goes
        // (taken again if the writer writes more); on failure, the journal stays for the
        // next run.
        self.lock = None;
        self.replaced = finished?;
        self.columns_added = added;
        Ok(())
    }

    /// The commit's journal, after the run's inputs list under a temporary name (the
    /// journal says to put it in place): the journal's path, and whether there is a list.
    fn write_journal(&self, lock: &RunLock) -> Result<(PathBuf, bool), Error> {
        let (dir, run) = (&self.dir, self.run.as_deref());
        let inputs = match (run, &self.inputs_list) {
            (Some(run), Some(text)) => {
                manifest::write_inputs(dir, run, lock.token(), text)?;
                true
            }
            _ => false,
        };
        let journal = lock
            .write_journal(dir, run, inputs, &self.supersedes, &self.done, &[])
            .inspect_err(|_| {
                // No journal: nothing of the commit is done, and its inputs list would stay
                // under its hidden name for good (its token is in no lock nor journal).
                if let (true, Some(run)) = (inputs, run) {
                    manifest::remove_inputs_tmp(dir, run, lock.token());
                }
            })?;
        Ok((journal, inputs))
    }

    /// After the renames: the manifest and inputs list in place, the runs superseded
    /// removed, all durable, then the journal removed. On failure the journal stays: the
    /// next run's `recover` completes the commit. The files are in place (readers see
    /// them): the error says so, and who completes it, as after a failed rename (a bare "No
    /// space left on device" read as nothing committed: review finding).
    fn after_renames(
        &self,
        written: &[PathBuf],
        inputs: bool,
        token: &str,
        journal: &Path,
    ) -> Result<Option<Replaced>, Error> {
        let finished = self
            .replace_earlier(written, inputs, token)
            .and_then(|replaced| {
                // The renames and the manifest durable before the journal goes.
                sync_file_system(&self.dir)?;
                std::fs::remove_file(journal).map_err(|e| path_error(journal, &e))?;
                Ok(replaced)
            });
        finished.map_err(|e| {
            Error::sink(format!(
                "{e}; the commit stopped after its {} files were in place: the next run into \
                 {} completes it (its journal: {})",
                written.len(),
                self.dir.display(),
                journal.display()
            ))
        })
    }
}

impl<F: PartFile> Parts<F> {
    /// After the renames: replace the run's manifest and put its inputs list (if it
    /// `wrote_inputs`) in place, then remove the runs it supersedes. Returns what was
    /// removed of earlier runs, if anything was theirs.
    fn replace_earlier(
        &self,
        written: &[PathBuf],
        wrote_inputs: bool,
        token: &str,
    ) -> Result<Option<Replaced>, Error> {
        let dir = &self.dir;
        let mut removed = None;
        if let Some(run) = self.run.as_deref() {
            removed = manifest::replace_run(dir, run, written, token)?;
            if wrote_inputs {
                manifest::place_inputs(dir, run, token)?;
            }
        }
        // The superseded runs after this run's manifest: cut short in between, the
        // journal's completion removes them (their rows are in this run's files).
        if !self.supersedes.is_empty() {
            pause_point("supersede");
        }
        let (superseded, files) = manifest::remove_runs(dir, &self.supersedes)?;
        if !superseded.is_empty() {
            removed.get_or_insert_with(Vec::new).extend(files);
        }
        Ok(removed.map(|files| Replaced::new(files, superseded, &self.tables)))
    }
}

impl<F: PartFile> Drop for Parts<F> {
    /// Without [`Parts::commit`], nothing appears: every temporary file is removed, and
    /// the partition directories left empty.
    fn drop(&mut self) {
        let mut removed = Vec::with_capacity(self.open.len() + self.done.len());
        for (_, o) in self.open.drain() {
            drop(o.file);
            removed.push(o.tmp);
        }
        removed.extend(self.done.drain(..).map(|(tmp, _)| tmp));
        for tmp in &removed {
            // Not there: never created (named, and the run stopped before it wrote it), or
            // removed already; its directory may still be there, empty.
            match std::fs::remove_file(tmp) {
                Ok(()) => remove_empty_parents(tmp, &self.dir),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    remove_empty_parents(tmp, &self.dir);
                }
                Err(_) => {}
            }
        }
    }
}

/// A rename of the commit that failed: when the temporary file or its partition directory
/// is gone, something else removed it while the run went (a retention job on partitions
/// being written): say so, rather than name the final file as missing (review finding).
fn rename_error(tmp: &Path, dest: &Path, e: &std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::NotFound && !tmp.exists() {
        let name = tmp.file_name().unwrap_or(tmp.as_os_str()).to_string_lossy();
        let removed = std::io::Error::new(
            e.kind(),
            format!(
                "this run's temporary file {name} was removed by something else while the \
                 run went (remove only partitions no run is writing: README, Removing old \
                 partitions)"
            ),
        );
        return path_error(dest, &removed);
    }
    path_error(dest, e)
}
