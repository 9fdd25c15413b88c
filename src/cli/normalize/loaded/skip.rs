//! `--skip-loaded` (skip the input files a run in the lake loaded, unchanged), and the
//! warning of a run without an identity about the files it adds again.

use std::path::Path;

use normalog::pipeline::Input;

use super::{committed_runs, input_file, now_of, partial_of};
use crate::cli::{messages, Fatal};

/// `--skip-loaded` into the directory output `dir` (`None`: the output is not one, which
/// is refused, as is standard input): skip the inputs a run in `dir` loaded, unchanged,
/// and say how many (unless `quiet`). Returns how many were skipped.
pub(in crate::cli::normalize) fn skip_loaded_inputs(
    dir: Option<&Path>,
    inputs: &mut Vec<Input>,
    quiet: bool,
) -> Result<usize, Fatal> {
    let Some(dir) = dir else {
        return Err(Fatal::Message(
            "--skip-loaded applies to a directory output: give -o DIR/ (an existing \
             directory or a path ending in '/')"
                .into(),
        ));
    };
    if inputs.iter().any(|i| !matches!(i, Input::Path(_))) {
        return Err(Fatal::Message(
            "--skip-loaded needs input files: standard input has no identity to know it by".into(),
        ));
    }
    let given = inputs.len();
    let Skipping {
        left_out: skipped,
        partial,
        again,
    } = skip_loaded(dir, inputs);
    if again > 0 && !quiet {
        let (n, was) = match again {
            1 => ("1 input".to_owned(), "was"),
            n => (format!("{n} inputs"), "were"),
        };
        messages::error(&format!(
            "note: {}: {n} loaded unchanged {was} read again all the same: the run that \
             loaded {} holds only part of its inputs' rows (one of them was read in part, and \
             is complete now, or some of its files were removed while it went), and this run \
             replaces that run (--skip-loaded)",
            dir.display(),
            if again == 1 { "it" } else { "them" }
        ));
    }
    let note = if quiet || skipped == 0 {
        None
    } else if skipped == given {
        let what = if given == 1 {
            "the input was".to_owned()
        } else {
            format!("each of the {given} inputs was")
        };
        Some(format!(
            "nothing new: {what} loaded by a run still there, unchanged"
        ))
    } else {
        let (was, is) = if skipped == 1 {
            ("was", "is")
        } else {
            ("were", "are")
        };
        Some(format!(
            "{skipped} of the {given} inputs {was} loaded by a run still there, unchanged, \
             and {is} skipped"
        ))
    };
    let partial = match partial {
        0 => String::new(),
        1 if skipped == 1 => "; it was read only in part, as far as it could be: a run \
                               without --skip-loaded reads it again"
            .to_owned(),
        1 => "; one of them was read only in part, as far as it could be: a run without \
              --skip-loaded reads it again"
            .to_owned(),
        n => format!(
            "; {n} of them were read only in part, as far as they could be: a run without \
             --skip-loaded reads them again"
        ),
    };
    if let Some(note) = note {
        messages::error(&format!(
            "note: {}: {note}{partial} (--skip-loaded)",
            dir.display()
        ));
    }
    Ok(skipped)
}

/// The files (keys) of the inputs the runs committed into `dir` loaded, each with the
/// records a run read of it when none read it to the end (`None`: one did).
fn loaded_files(dir: &Path, inputs: &[Input]) -> std::collections::HashMap<String, Option<u64>> {
    let mut loaded = std::collections::HashMap::new();
    for run in committed_runs(dir, None, &now_of(inputs)) {
        for file in run.inputs.into_iter().filter_map(|(_, file)| file) {
            let (key, records) = match partial_of(&file) {
                Some((records, key)) => (key, Some(records)),
                None => (file.as_str(), None),
            };
            let known = loaded.entry(key.to_owned()).or_insert(records);
            *known = match (*known, records) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            };
        }
    }
    loaded
}

/// A run without an identity (standard input among its inputs) adds its files: warn when
/// its input files were loaded by a run in `dir`, whose rows of them are then there twice.
/// A file of which that run read no record has no rows there, and is not named. Files that
/// no run loaded are named too: nothing records that this run loaded them, so a later run
/// of them adds their rows again, and cannot say so (review s40-h3 F4).
pub(in crate::cli::normalize) fn warn_if_loaded_without_identity(dir: &Path, inputs: &[Input]) {
    let mut loaded = loaded_files(dir, inputs);
    loaded.retain(|_, records| *records != Some(0));
    let files: Vec<&Path> = inputs
        .iter()
        .filter_map(|input| match input {
            Input::Path(p) => Some(p.as_path()),
            _ => None,
        })
        .collect();
    let shared: Vec<String> = files
        .iter()
        .filter(|p| input_file(p).is_some_and(|k| loaded.contains_key(&k)))
        .map(|p| p.display().to_string())
        .collect();
    if let Some(first) = shared.first() {
        let (more, was) = match shared.len() {
            1 => (String::new(), "was"),
            n => (format!(" and {} more of this run's inputs", n - 1), "were"),
        };
        messages::error(&format!(
            "warning: {}: {first}{more} {was} loaded by an earlier run: with standard input among \
             its inputs this run has no identity and adds its rows again (run the files \
             alone to replace that run)",
            dir.display()
        ));
        return;
    }
    // The files that can be read beside standard input (none is without a path when
    // every file is missing).
    // A file of no bytes adds no rows (review s40-h7 F3).
    let beside: Vec<&&Path> = files
        .iter()
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() > 0))
        .collect();
    let stdin = inputs.iter().any(|i| !matches!(i, Input::Path(_)));
    if let (true, Some(first)) = (stdin, beside.first()) {
        let (more, it, its) = match beside.len() {
            1 => (String::new(), "it", "its"),
            2 => (" and 1 more file".to_owned(), "them", "their"),
            n => (format!(" and {} more files", n - 1), "them", "their"),
        };
        messages::error(&format!(
            "warning: {}: {first}{more} read beside standard input: with standard input among \
             its inputs this run has no identity, so nothing records that it loaded {it}, and \
             a later run of {it} adds {its} rows again (give files and standard input to \
             runs of their own)",
            dir.display(),
            first = first.display(),
        ));
    }
}

/// Remove from `inputs` the files that a run committed into `dir` loaded, unchanged (the
/// same file, size and modification time, wherever it is now, or at the same path the same
/// size and time): their rows are in the lake
/// already, and the run that holds them stays. Returns how many, and how many of them
/// were read only in part (a corrupt file: read again unchanged, it gives the same records,
/// which would be there twice). A file of which no record could be read is read again.
fn skip_loaded(dir: &Path, inputs: &mut Vec<Input>) -> Skipping {
    let loaded = loaded_files(dir, inputs);
    let redo = runs_to_redo(dir, inputs);
    let before = inputs.len();
    let (mut partial, mut again) = (0, 0);
    inputs.retain(|input| {
        let Input::Path(path) = input else {
            return true;
        };
        let key = input_file(path);
        if key.as_ref().is_some_and(|k| redo.contains(k)) {
            again += usize::from(key.as_ref().is_some_and(|k| loaded.contains_key(k)));
            return true;
        }
        match key.and_then(|k| loaded.get(&k).copied()) {
            Some(None) => false,
            Some(Some(records)) if records > 0 => {
                partial += 1;
                false
            }
            _ => true,
        }
    });
    Skipping {
        left_out: before - inputs.len(),
        partial,
        again,
    }
}

/// What [`skip_loaded`] left out, and read again.
struct Skipping {
    left_out: usize,
    /// Of those left out, the files read only in part.
    partial: usize,
    /// Files loaded unchanged but read again: another input of their run, read in part
    /// then, is complete now, and this run replaces that run ([`runs_to_redo`]).
    again: usize,
}

/// The files (keys) of the runs in `dir` that read in part an input found at its path
/// again among `inputs`, changed (a file that was still being copied, complete now), or
/// whose commit was completed with files missing: none of those runs' inputs is skipped,
/// so that this run reads them all again and replaces the run (its rows of the file were
/// what could be read of it; skipping its other inputs kept the run, and those rows were
/// there twice).
fn runs_to_redo(dir: &Path, inputs: &[Input]) -> std::collections::HashSet<String> {
    let now: std::collections::HashMap<String, Option<String>> = inputs
        .iter()
        .filter_map(|input| match input {
            Input::Path(p) => Some(p),
            _ => None,
        })
        .filter_map(|p| {
            let canonical = std::fs::canonicalize(p).ok()?;
            Some((canonical.to_string_lossy().into_owned(), input_file(p)))
        })
        .collect();
    committed_runs(dir, None, &now_of(inputs))
        .into_iter()
        .filter(|run| {
            run.incomplete
                || run.inputs.iter().any(|(path, file)| {
                    let Some((_, was)) = file.as_deref().and_then(partial_of) else {
                        return false;
                    };
                    now.get(path).is_some_and(|key| key.as_deref() != Some(was))
                })
        })
        .flat_map(|run| run.inputs.into_iter().filter_map(|(_, file)| file))
        .map(|file| super::file_of(&file).to_owned())
        .collect()
}
