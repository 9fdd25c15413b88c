//! The inputs of `normalize`: the paths given expanded into files (each once), the outputs
//! that must not be among them, and the identity of a run's inputs that names its files.

use std::path::{Path, PathBuf};

use normalog::pipeline::{self, Input};

use super::args::NormalizeArgs;
use crate::cli::{messages, Fatal};

/// The inputs under the paths given, each file once, the output directory left out. A
/// directory with no input files (every entry hidden, or none) is named in a warning, and
/// when nothing at all is left to read the command ends: a mistyped or empty archive
/// directory must not look like a clean run of 0 records. What was left out is said:
/// files reached twice (their records would be loaded twice), directories reached again
/// through a symbolic link, and the output directory inside an input directory (a second
/// run would read the first one's output back), and the files standard output and standard
/// error are redirected to.
pub(super) fn expand_inputs(
    paths: &[std::path::PathBuf],
    output: Option<&Path>,
    rejects: Option<&Path>,
) -> Result<Vec<Input>, Fatal> {
    let mut expander = pipeline::Expander::default();
    if let Some(out) = output {
        expander.exclude(out);
    }
    for stream in standard_streams() {
        expander.exclude_file(&stream);
    }
    for path in paths {
        if let Some(out) = output {
            refuse_input_in_output(path, out)?;
        }
        let wholes = |e: &pipeline::Expander| {
            e.revisited.len() + e.excluded.len() + e.outputs.len() + e.streams.len()
        };
        let left_out = wholes(&expander);
        let added = expander.add(path);
        // A directory left out as a whole is said below, not as an empty one.
        let whole = wholes(&expander) > left_out;
        if added == 0 && !whole && path.is_dir() {
            messages::error(&format!(
                "warning: {}: a directory with no input files (hidden files, files already \
                 listed and the output directory are skipped)",
                path.display()
            ));
        }
    }
    for (flag, file) in [("-o", output), ("--rejects", rejects)] {
        if let Some(file) = file.filter(|p| p.as_os_str() != "-") {
            refuse_file_in_a_walk(flag, file, &expander)?;
        }
    }
    for (paths, why) in expander.left_out() {
        if let Some(first) = paths.first() {
            let more = match paths.len() - 1 {
                0 => String::new(),
                1 => " and 1 more".to_owned(),
                n => format!(" and {n} more"),
            };
            messages::error(&format!("warning: {}{more}: {why}", first.display()));
        }
    }
    if expander.inputs.is_empty() {
        let left_out = !(expander.repeated.is_empty()
            && expander.revisited.is_empty()
            && expander.excluded.is_empty()
            && expander.outputs.is_empty()
            && expander.special.is_empty()
            && expander.streams.is_empty());
        return Err(Fatal::Message(if left_out {
            "no input files left to read (the warnings above say what was left out)".into()
        } else {
            "no input files: every directory given is empty".into()
        }));
    }
    Ok(expander.inputs)
}

/// The files standard output and standard error are open on, to leave them out of the
/// inputs: `normalize logs/ > logs/events.ndjson` read its own events back as they were
/// written, and never ended.
fn standard_streams() -> Vec<std::fs::File> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        [
            std::io::stdout().as_fd().try_clone_to_owned(),
            std::io::stderr().as_fd().try_clone_to_owned(),
        ]
        .into_iter()
        .filter_map(Result::ok)
        .map(std::fs::File::from)
        .collect()
    }
    #[cfg(not(unix))]
    Vec::new()
}

/// An output file (`-o FILE`, `--rejects FILE`) in a directory the walk of the inputs
/// entered ([`pipeline::Expander::would_meet`]) is refused before anything is read or
/// written, whether it is there yet or not: the first run wrote it, and every later one
/// read it back as an input, or, told not to, would replace a raw log of the directory
/// named by mistake (reviews s45-h4 MEDIUM-1, s45-h5 HIGH-1, s45-h6 HIGH-1). Decided from
/// the directories the walk entered, symbolic links followed as the walk follows them
/// (s45-h9 MEDIUM-2), and not those it leaves out, such as the lake of `-o DIR/` (s45-h9
/// MEDIUM-3). A directory output, a device or a pipe is never met in a walk.
fn refuse_file_in_a_walk(
    flag: &str,
    file: &Path,
    expander: &pipeline::Expander,
) -> Result<(), Fatal> {
    let (Some(name), Some(parent)) = (file.file_name(), file.parent()) else {
        return Ok(());
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let names_a_directory = file.as_os_str().as_encoded_bytes().ends_with(b"/");
    if names_a_directory || std::fs::metadata(file).is_ok_and(|m| !m.is_file()) {
        return Ok(());
    }
    if expander.would_meet(parent, name) {
        return Err(Fatal::Message(format!(
            "{flag} {}: in a directory the input directories' walk reads: the next run would \
             read it back as an input; write it outside them",
            file.display()
        )));
    }
    Ok(())
}

/// An input that is the output directory, or inside it, would read the run's own output
/// back (the lake's tables, again at every run): refused. An output directory inside an
/// input directory is only left out of it (see [`expand_inputs`]).
fn refuse_input_in_output(input: &Path, output: &Path) -> Result<(), Fatal> {
    let (Ok(input_at), Ok(output_at)) =
        (std::fs::canonicalize(input), std::fs::canonicalize(output))
    else {
        return Ok(());
    };
    if !output_at.is_dir() || !input_at.starts_with(&output_at) {
        return Ok(());
    }
    let what = if input_at == output_at {
        "this input directory is also the output directory (-o)".to_owned()
    } else {
        format!("inside the output directory (-o {})", output.display())
    };
    Err(Fatal::Message(format!(
        "{}: {what}: the run would read its own output back; give the output a directory of \
         its own",
        input.display()
    )))
}

/// An output file (`-o FILE`, `--rejects FILE`) that is also an input would be replaced by
/// the run's results, losing the input: refuse it before anything is opened.
pub(super) fn refuse_overwriting_inputs(
    args: &NormalizeArgs,
    inputs: &[Input],
) -> Result<(), Fatal> {
    let outputs = [
        ("-o", args.output.as_deref()),
        ("--rejects", args.rejects.as_deref()),
    ];
    let not_stdout = |p: &&Path| p.as_os_str() != "-";
    if let (Some(o), Some(r)) = (
        outputs[0].1.filter(not_stdout),
        outputs[1].1.filter(not_stdout),
    ) {
        // A device or pipe is written in place, not replaced: `-o /dev/null --rejects
        // /dev/null` is no mistake (review s45-h9 MEDIUM-4).
        let device = std::fs::metadata(o).is_ok_and(|m| !m.is_file());
        if !device && same_destination(o, r) {
            return Err(Fatal::Message(format!(
                "-o {} and --rejects {}: the same file; the events and the rejects would \
                 overwrite each other",
                o.display(),
                r.display()
            )));
        }
    }
    for (flag, out) in outputs {
        let Some(out) = out.filter(|p| p.as_os_str() != "-") else {
            continue;
        };
        for input in inputs {
            if let Input::Path(p) = input {
                if same_file(p, out) {
                    return Err(Fatal::Message(format!(
                        "{flag} {}: this file is also an input; the run would overwrite it",
                        out.display()
                    )));
                }
            }
        }
    }
    Ok(())
}

/// A YAML file named as an input is most likely a schema meant for `-s`: every line of it
/// would be rejected as a record that is not JSON, without a word of why.
pub(super) fn note_schema_files_as_inputs(paths: &[std::path::PathBuf], quiet: bool) {
    if quiet {
        return;
    }
    for p in paths {
        let yaml = p
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"));
        if yaml && p.is_file() {
            messages::error(&format!(
                "note: {}: read as log records; a schema file is given with -s {0}",
                p.display()
            ));
        }
    }
}

/// Run without inputs at a prompt, normalog waited with no word of why: say it reads the
/// terminal, and how to end it (unless `quiet`).
pub(super) fn note_reading_a_terminal(inputs: &[Input], quiet: bool) {
    use std::io::IsTerminal;
    if !quiet && inputs.iter().any(|i| matches!(i, Input::Stdin)) && std::io::stdin().is_terminal()
    {
        messages::error(
            "reading records from standard input, a terminal (end with Ctrl-D; files and \
             directories are given as arguments)",
        );
    }
}

/// Whether two paths name the same existing file (through symbolic or hard links too).
#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Whether two output paths would be the same file: the same existing file, or the same
/// name in the same directory.
fn same_destination(a: &Path, b: &Path) -> bool {
    let dir = |p: &Path| {
        let parent = p.parent().filter(|d| !d.as_os_str().is_empty());
        std::fs::canonicalize(parent.unwrap_or(Path::new("."))).ok()
    };
    same_file(a, b) || (a.file_name() == b.file_name() && dir(a).is_some() && dir(a) == dir(b))
}

/// Whether two paths name the same existing file (through symbolic links).
#[cfg(not(unix))]
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
/// The identity of a run's inputs, which names its part files in a directory output so that
/// re-running the same inputs replaces them (see `normalog::sink::layout`, "Re-running"):
/// each input's absolute path, size and modification time, in sorted order. `None` when an
/// input has no such identity (standard input): the run then adds files beside the others.
/// An input that cannot be looked at (missing, a dangling link) fails when it is opened,
/// and is left out: the run keeps the identity of the others (without one, re-running a
/// directory with a dangling link in it added every row again).
pub(super) fn run_id(inputs: &[Input]) -> Option<u64> {
    let mut ids = Vec::with_capacity(inputs.len());
    for input in inputs {
        let Input::Path(path) = input else {
            return None;
        };
        let Some((path, meta, mtime)) = identity(path) else {
            continue;
        };
        let mut id = path.as_os_str().as_encoded_bytes().to_vec();
        id.extend_from_slice(&meta.len().to_le_bytes());
        id.extend_from_slice(&mtime.as_nanos().to_le_bytes());
        ids.push(id);
    }
    if ids.is_empty() {
        return None;
    }
    ids.sort();
    Some(normalog::sink::layout::stable_hash(
        ids.iter().map(Vec::as_slice),
    ))
}

/// An input's canonical path, metadata and modification time since the epoch.
fn identity(path: &Path) -> Option<(PathBuf, std::fs::Metadata, std::time::Duration)> {
    let path = std::fs::canonicalize(path).ok()?;
    let meta = std::fs::metadata(&path).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some((path, meta, mtime))
}
