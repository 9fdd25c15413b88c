//! The replay of a dead run's commit journal (see [`super`]): read whole and checked, then
//! done.
//!
//! A journal is trusted as far as normalog writes one, no further: its run ids are 16 hex
//! digits, and every path in it is relative to the directory, with plain components only:
//! a temporary file `.….tmp-<the journal's token>` (`.part-…`, or `.compact-…`), and a
//! file to put in place or to remove `part-…`. A journal that says anything else was not written by a run of normalog
//! (review s42-h2 F4: one planted in `_normalog/commits` made the next run rename a file over
//! another outside the lake, and remove a third), and nothing of it is done: the error
//! names it, for a person to look at.
//!
//! A temporary file that is neither there nor in place was removed by something else (a
//! clean-up of the directory while the run went): the run's files are not all there
//! (review s42-h2 F2). The commit is still completed (its files in place may have replaced
//! an earlier commit's, which cannot be undone), but it removes none of the runs it
//! supersedes, whose rows the missing files held too, and it marks the run incomplete
//! ([`INCOMPLETE_DIR`]), so that its inputs do not count as loaded.

use std::path::{Component, Path, PathBuf};

use super::{sync_file_system, INPUTS_LINE, REMOVE, SUPERSEDE};
use crate::error::Error;
use crate::sink::layout::identity::FileId;
use crate::sink::layout::paths::INCOMPLETE_DIR;
use crate::sink::layout::{manifest, path_error, place_new, remove_if_there};

/// A line of a journal, checked.
enum Step {
    /// A file to put in place: (temporary, destination).
    Place(PathBuf, PathBuf),
    /// A file the files placed since the last such line replace, and its identity.
    Remove(PathBuf, Option<FileId>),
}

/// A journal, read and checked.
struct Journal {
    run: Option<String>,
    inputs: bool,
    supersedes: Vec<String>,
    steps: Vec<Step>,
}

/// Finish the commit of a dead run from its journal: rename its temporary files still
/// there, replace its manifest, remove the runs it supersedes, remove the journal. Returns
/// how many of its files were missing (neither there nor in place), and whether its run
/// had an identity (named inputs).
pub(super) fn roll_forward(dir: &Path, journal: &Path, token: &str) -> Result<(u64, bool), Error> {
    let text = std::fs::read_to_string(journal).map_err(|e| path_error(journal, &e))?;
    let j = read(dir, &text, token).map_err(|what| {
        Error::sink(format!(
            "{}: this commit journal names {what}, which no run of normalog writes: nothing \
             of it was done, and no run into {} goes on while it is there; look at it (who \
             wrote it?), then remove it",
            journal.display(),
            dir.display()
        ))
    })?;
    let mut written = Vec::new();
    let mut missing = 0;
    // The files `remove` lines name (`normalog compact`: the files merged into the files of
    // the pairs since the last `remove` lines) go only if all of those are in place: their
    // rows are theirs.
    let mut removes = Vec::new();
    let mut group_in_place = true;
    let mut after_removes = false;
    for step in j.steps {
        let (tmp, mut dest) = match step {
            Step::Remove(path, id) => {
                if let (true, Some(id)) = (group_in_place, id) {
                    removes.push((path, id));
                }
                after_removes = true;
                continue;
            }
            Step::Place(tmp, dest) => (tmp, dest),
        };
        if after_removes {
            (group_in_place, after_removes) = (true, false);
        }
        // A run without an identity adds: its file never replaces another (`place_new`).
        let placed = if j.run.is_some() {
            std::fs::rename(&tmp, &dest)
        } else {
            place_new(&tmp, &dest).map(|name| dest = name)
        };
        match placed {
            Ok(()) => {}
            // Renamed before the run died.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && dest.exists() => {}
            // Neither there: removed by something else.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                group_in_place = false;
                missing += 1;
                continue;
            }
            Err(e) => return Err(path_error(&dest, &e)),
        }
        written.push(dest);
    }
    if let Some(run) = &j.run {
        manifest::replace_run(dir, run, &written, token)?;
        if j.inputs {
            manifest::place_inputs(dir, run, token)?;
        }
        if missing > 0 {
            let marks = dir.join(INCOMPLETE_DIR);
            std::fs::create_dir_all(&marks).map_err(|e| path_error(&marks, &e))?;
            let mark = marks.join(run);
            let note = format!("{missing} files of this run's commit were gone\n");
            std::fs::write(&mark, note).map_err(|e| path_error(&mark, &e))?;
        }
    }
    if missing == 0 {
        manifest::remove_runs(dir, &j.supersedes)?;
    }
    // Only once the files that hold their rows are in place (already removed before the
    // run died: nothing to do).
    for (path, id) in &removes {
        if FileId::at(path) == Some(*id) {
            remove_if_there(path)?;
        }
    }
    sync_file_system(dir)?;
    std::fs::remove_file(journal).map_err(|e| path_error(journal, &e))?;
    Ok((missing, j.run.is_some()))
}

/// The journal `text` of the run of `token` into `dir`, or what in it no run writes.
fn read(dir: &Path, text: &str, token: &str) -> Result<Journal, String> {
    let mut lines = text.lines();
    let run = match lines.next().and_then(|l| l.strip_prefix("run ")) {
        Some("-") => None,
        Some(id) if is_run_id(id) => Some(id.to_owned()),
        first => return Err(format!("{:?} as its run", first.unwrap_or_default())),
    };
    let mut j = Journal {
        run,
        inputs: false,
        supersedes: Vec::new(),
        steps: Vec::new(),
    };
    let temporary = format!(".tmp-{token}");
    for line in lines {
        if let Some(rest) = line.strip_prefix(REMOVE) {
            // `remove <path>\t<identity>`: only that file, not another that took its name
            // since (see `identity.rs`).
            let (path, id) = rest.split_once('\t').unwrap_or((rest, ""));
            let path = inside(dir, path, |n| n.starts_with("part-"))?;
            j.steps.push(Step::Remove(path, FileId::parse(id)));
        } else if let Some((tmp, dest)) = line.split_once('\t') {
            let tmp = inside(dir, tmp, |n| n.starts_with('.') && n.ends_with(&temporary))?;
            let dest = inside(dir, dest, |n| n.starts_with("part-"))?;
            j.steps.push(Step::Place(tmp, dest));
        } else if let Some(id) = line.strip_prefix(SUPERSEDE) {
            if !is_run_id(id) {
                return Err(format!("{id:?} as a run it supersedes"));
            }
            j.supersedes.push(id.to_owned());
        } else if line == INPUTS_LINE {
            j.inputs = true;
        } else if !line.is_empty() {
            return Err(format!("the line {line:?}"));
        }
    }
    Ok(j)
}

/// A run's id, as the writers make them: 16 hex digits.
fn is_run_id(id: &str) -> bool {
    id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `listed` under `dir`, when it is a relative path of plain components whose file name
/// `name_ok` takes.
fn inside(dir: &Path, listed: &str, name_ok: impl Fn(&str) -> bool) -> Result<PathBuf, String> {
    let path = Path::new(listed);
    let plain = path.components().all(|c| matches!(c, Component::Normal(_)));
    let named = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(name_ok);
    if plain && named {
        Ok(dir.join(path))
    } else {
        Err(format!("the file {listed:?}"))
    }
}
