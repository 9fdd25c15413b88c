//! The lake's bookkeeping (`_normalog/runs`, `_normalog/inputs`) is what lets a re-run
//! replace the rows of its inputs instead of writing them again: a run that cannot read an
//! earlier run's lists does not know that run read the same inputs. Removed (a clean-up,
//! a copy that skips `_` directories) or damaged (emptied, cut short), the next run of
//! those inputs wrote every row a second time without a word (review s45-h3 HIGH-1). The
//! damage is warned of before the run, naming the file and what to do; only what can be
//! told cheaply: a list that is empty, not text, or cut within a line, a run's list of
//! inputs missing beside its list of files, and a file of a named run that `runs` does not
//! list, among those of the first directories of the tables ([`DIRS_LOOKED_AT`]).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::messages;
use normalog::sink::layout::of_a_listed_run;
use normalog::sink::layout::paths::{COMMITS_DIR, INPUTS_DIR, RUNS_DIR};

/// At most this many directories are read looking for a named run's file (a lake of
/// months has tens of thousands of hour directories; a named run writes into many).
const DIRS_LOOKED_AT: usize = 64;

/// Warn of the damaged or missing bookkeeping of the directory output `dir`.
pub(super) fn warn_if_damaged(dir: &Path) {
    let mut runs = HashSet::new();
    let mut without_inputs = Vec::new();
    for (run, path) in lists(&dir.join(RUNS_DIR)) {
        if let Some(why) = damage(&path) {
            let what = "list of its files: a run that replaces it leaves the files the \
                        list lost, and their rows are then in the lake twice";
            warn(&path, why, &run, what);
        }
        // A list there but unreadable is said below, once.
        if std::fs::symlink_metadata(dir.join(INPUTS_DIR).join(&run)).is_err() {
            without_inputs.push(run.clone());
        }
        runs.insert(run);
    }
    // One warning for them all: every run of a lake whose inputs lists were removed, or
    // written before runs kept them, would otherwise have a line of its own at every run.
    if let [first, rest @ ..] = without_inputs.as_slice() {
        let more = match rest.len() {
            0 => String::new(),
            1 => " (so is the inputs list of 1 more run)".to_owned(),
            n => format!(" (so are the inputs lists of {n} more runs)"),
        };
        messages::error(&format!(
            "warning: {}: missing{more}: a run of the inputs of run {first} does not know \
             they were loaded, and writes their rows again beside its files. _normalog/ is \
             part of the lake: restore the lists from where the lake was copied, or remove \
             the runs' files (part-<run>-*) and lists before re-running their inputs",
            dir.join(INPUTS_DIR).join(first).display(),
        ));
    }
    for (run, path) in lists(&dir.join(INPUTS_DIR)) {
        // A list whose run has no manifest is of a run whose files are gone.
        if runs.contains(&run) {
            if let Some(why) = damage(&path) {
                let what = "list of its inputs: a run of the same inputs does not know \
                            they were loaded, and writes their rows again beside its files";
                warn(&path, why, &run, what);
            }
        }
    }
    // A commit in progress puts its files in place before its list: not yet known.
    let committing = || lists(&dir.join(COMMITS_DIR)).next().is_some();
    if committing() {
        return;
    }
    let mut budget = DIRS_LOOKED_AT;
    let unlisted =
        |name: &str| of_a_listed_run(name) && !runs.contains(name.get(5..21).unwrap_or_default());
    let Some(file) = find_file(dir, 0, &mut budget, &unlisted) else {
        return;
    };
    if committing() {
        return;
    }
    messages::error(&format!(
        "warning: {}: a file of a named run that {} does not list: the run's lists were \
         removed, so a run of the inputs it loaded writes their rows again beside its \
         files. _normalog/ is part of the lake: restore it from where the lake was \
         copied, or remove the files of the runs it no longer lists",
        file.display(),
        dir.join(RUNS_DIR).display()
    ));
}

/// The entries of the list directory `dir` (none being written: hidden), by name.
fn lists(dir: &Path) -> impl Iterator<Item = (String, PathBuf)> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            (!name.starts_with('.')).then(|| (name, e.path()))
        })
}

/// Why the list at `path` cannot be what its run wrote, if it cannot: every list holds a
/// line or more, each ended by a line feed.
fn damage(path: &Path) -> Option<&'static str> {
    let Ok(bytes) = std::fs::read(path) else {
        return Some("cannot be read");
    };
    if bytes.is_empty() {
        Some("empty")
    } else if std::str::from_utf8(&bytes).is_err() {
        Some("not text")
    } else if !bytes.ends_with(b"\n") {
        Some("cut short within a line")
    } else {
        None
    }
}

/// Warn of the damaged list of run `run` at `path`: `what` says what it is, and what the
/// damage does.
fn warn(path: &Path, why: &str, run: &str, what: &str) {
    messages::error(&format!(
        "warning: {}: {why}; it is run {run}'s {what}. _normalog/ is part of the lake: \
         restore the file from where the lake was copied, or remove the run's files \
         (part-{run}-*) and its lists before re-running its inputs",
        path.display(),
    ));
}

/// A file under `dir` (in table and partition directories) whose name is `wanted`, looking
/// into `budget` directories at most.
fn find_file(
    dir: &Path,
    depth: usize,
    budget: &mut usize,
    wanted: &impl Fn(&str) -> bool,
) -> Option<PathBuf> {
    if *budget == 0 || depth > 5 {
        return None;
    }
    *budget -= 1;
    let mut entries: Vec<_> = std::fs::read_dir(dir).ok()?.flatten().collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    let mut subdirs = Vec::new();
    for entry in entries {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with(['.', '_']) {
            continue;
        }
        match entry.file_type() {
            Ok(t) if t.is_file() && wanted(name) => return Some(entry.path()),
            Ok(t) if t.is_dir() => subdirs.push(entry.path()),
            _ => {}
        }
    }
    subdirs
        .iter()
        .find_map(|sub| find_file(sub, depth + 1, budget, wanted))
}
