//! Which inputs each run loaded into a directory output: a run that reads again every input
//! of an earlier run supersedes it (the commit removes its files), and a run of inputs that
//! another run loaded, which it does not supersede, warns that their rows are added again.
//!
//! Why: a run is its set of inputs as they were (`normalog::sink::layout`, "Re-running").
//! Running `a b` after `a` is another run; without superseding, `a`'s rows would be in the
//! lake twice, and re-running a directory that gained files would add every row again.
//! Each committed run with an identity lists its inputs in `DIR/_normalog/inputs/<id>`, a
//! line each: the canonical path and, where the system has them, the file's device, inode,
//! size and modification time (so that a file moved within its file system is still
//! known). A later run reads the lists of the runs still in the lake (those with a
//! manifest). Runs whose every file is among its own, unchanged, are superseded; for the
//! others (`a` after it grew, `a` after `a b`) it names the inputs it shares with them.

use std::path::{Path, PathBuf};

use normalog::pipeline::Input;
use normalog::sink::layout::paths::{INCOMPLETE_DIR, INPUTS_DIR, RUNS_DIR};

use crate::cli::{messages, Fatal};

mod compressed;
mod skip;
mod superseding;

pub(super) use skip::{skip_loaded_inputs, warn_if_loaded_without_identity};
pub(super) use superseding::{AfterRun, Superseding};

/// Before the file of an input listed as read only in part (it failed part of the way):
/// `partial:<records read>:<file>`.
const PARTIAL: &str = "partial:";

/// Before the file of an input that changed while its run read it (grew, or rotated): its
/// file when the run started, `changed:<file>`. Which state the run read is not known:
/// only `--replace-changed` supersedes such a run, by a file at that path not smaller.
const CHANGED: &str = "changed:";

/// The file an input listed as changed while read had when its run started.
fn changed_of(listed: &str) -> Option<&str> {
    listed.strip_prefix(CHANGED)
}

/// An input listed as read in part: the records read, and its file.
fn partial_of(listed: &str) -> Option<(u64, &str)> {
    let (records, file) = listed.strip_prefix(PARTIAL)?.split_once(':')?;
    Some((records.parse().ok()?, file))
}

/// A path as written in an inputs list: a newline (which would cut its line in two, and
/// leave the run with an input it cannot be superseded by) as `\n`, a backslash as `\\`.
fn escape_path(path: &str) -> String {
    path.replace('\\', "\\\\").replace('\n', "\\n")
}

/// A path of an inputs list as it is ([`escape_path`]).
fn unescape_path(listed: &str) -> String {
    let mut path = String::with_capacity(listed.len());
    let mut chars = listed.chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('\\', Some('n')) => {
                path.push('\n');
                chars.next();
            }
            ('\\', Some('\\')) => {
                path.push('\\');
                chars.next();
            }
            _ => path.push(c),
        }
    }
    path
}

/// `--replace-changed` applies to a run of files into a directory, alone: with
/// `--skip-loaded`, the unchanged inputs beside a changed one are skipped, so the run that
/// loaded them is never read again whole, and its rows of the changed one were added again.
pub(super) fn check_replace_changed(
    args: &super::args::NormalizeArgs,
    output: &super::Output,
    inputs: &[Input],
) -> Result<(), Fatal> {
    if !args.replace_changed {
        return Ok(());
    }
    let refusal = if args.skip_loaded {
        "--replace-changed and --skip-loaded cannot go together: run the changed files \
         with --replace-changed, and the new ones with --skip-loaded"
    } else if !matches!(
        output,
        super::Output::Parquet(_) | super::Output::NdjsonDir(_)
    ) {
        "--replace-changed applies to a directory output: give -o DIR/ (an existing \
         directory or a path ending in '/')"
    } else if inputs.iter().any(|i| !matches!(i, Input::Path(_))) {
        "--replace-changed needs input files: standard input has no path to know it by"
    } else {
        return Ok(());
    };
    Err(Fatal::Message(refusal.into()))
}

/// The file key of a listed input's file, read to the end or not.
fn file_of(listed: &str) -> &str {
    partial_of(listed).map_or(listed, |(_, file)| file)
}

/// The size in a file key (`dev:inode:size:mtime-ns`).
fn file_size(key: &str) -> Option<u64> {
    key.split(':').nth(2)?.parse().ok()
}

/// One input of a run: its path as given, as recorded (canonical), and the file it was.
struct LoadedInput {
    given: String,
    canonical: String,
    file: Option<String>,
    /// Not read to its end: the records read before ([`Loaded::mark_failed`]).
    failed: Option<u64>,
    /// Another file, or written to, by the end of the run than at its start (rotated, or
    /// growing): which of them was read is not known ([`Loaded::mark_failed`]).
    changed: bool,
}

/// This run's input files now: the file key at each canonical path ([`committed_runs`]).
type Now = std::collections::HashMap<String, String>;

/// The file keys of `inputs` now, by canonical path.
fn now_of(inputs: &[Input]) -> Now {
    inputs
        .iter()
        .filter_map(|input| match input {
            Input::Path(p) => {
                let canonical = std::fs::canonicalize(p).ok()?;
                let key = file_key(&canonical)?;
                Some((canonical.to_string_lossy().into_owned(), key))
            }
            _ => None,
        })
        .collect()
}

/// An earlier run's listed file (`key`, `partial:<n>:key` or `changed:key`) at `path`, with
/// the key of the file at that path now when that is the same file downloaded again or
/// restored: another inode, the same size and modification time (`cp -p`, `aws s3 sync`, a
/// backup put back). Why: a worker that syncs its archive afresh every day and runs the
/// directory into a lake saw every file as a copy, so no run superseded the one before, and
/// `--skip-loaded` skipped nothing: every row was added again each day. A file rotated in
/// place (another made at the path) has another size or time.
fn same_at_path(path: &str, listed: &str, now: &Now) -> String {
    let Some(current) = now.get(path) else {
        return listed.to_owned();
    };
    let (prefix, key) = split_listed(listed);
    match (size_and_time(key), size_and_time(current)) {
        (Some(was), Some(is)) if was == is && key != current => format!("{prefix}{current}"),
        _ => listed.to_owned(),
    }
}

/// A listed file (`key`, `partial:<n>:key` or `changed:key`) as its prefix and its key.
fn split_listed(listed: &str) -> (&str, &str) {
    match (changed_of(listed), partial_of(listed)) {
        (Some(key), _) => (&listed[..CHANGED.len()], key),
        (None, Some((_, key))) => (&listed[..listed.len() - key.len()], key),
        (None, None) => ("", listed),
    }
}

/// The runs committed into `dir` (those whose manifest is there), but `except`: each one's
/// id and inputs (canonical path, and file key where recorded), an input's file read as
/// the file at its path now when that is the same one downloaded again ([`same_at_path`]),
/// or as an input of this run that is it compressed ([`compressed`]).
fn committed_runs(dir: &Path, except: Option<&str>, now: &Now) -> Vec<EarlierRun> {
    let Ok(entries) = std::fs::read_dir(dir.join(INPUTS_DIR)) else {
        return Vec::new();
    };
    let compressed = compressed::Compressed::of(now);
    let mut runs = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        // Hidden: being written. The run's own list: a re-run replaces it. A list without
        // its run's manifest: that run's files are gone.
        if name.starts_with('.')
            || except == Some(name.as_str())
            || !dir.join(RUNS_DIR).join(&name).exists()
        {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let inputs = text
            .lines()
            .map(|line| {
                // Lists of earlier versions hold the path alone.
                match line.rsplit_once('\t').filter(|(_, f)| {
                    let key = changed_of(f).unwrap_or_else(|| file_of(f));
                    !key.is_empty()
                        && key
                            .bytes()
                            .all(|b| b.is_ascii_digit() || b == b':' || b == b'.')
                }) {
                    Some((path, file)) => {
                        let path = unescape_path(path);
                        let file = same_at_path(&path, file, now);
                        let (path, file) = compressed.since(path, file, now);
                        (path, Some(file))
                    }
                    None => (unescape_path(line), None),
                }
            })
            .collect();
        let incomplete = dir.join(INCOMPLETE_DIR).join(&name).exists();
        runs.push(EarlierRun {
            id: name,
            inputs,
            incomplete,
        });
    }
    runs
}

/// The file (key) of the input at `path`, if it can be looked at.
fn input_file(path: &Path) -> Option<String> {
    file_key(&std::fs::canonicalize(path).ok()?)
}

/// A run committed into the directory before: its id and its inputs (canonical path, and
/// the file's key where recorded).
struct EarlierRun {
    id: String,
    inputs: Vec<(String, Option<String>)>,
    /// Its commit was completed with files missing ([`INCOMPLETE_DIR`]): it holds only
    /// some of its inputs' rows.
    incomplete: bool,
}

/// A run into a directory output, with the identity that names its files.
pub(super) struct Loaded {
    dir: PathBuf,
    run: String,
    inputs: Vec<LoadedInput>,
    /// The earlier runs this one supersedes ([`Loaded::superseded`]).
    superseded: Vec<u64>,
    /// `--allow-dropped-tables`: its commit may remove tables of the files it replaces
    /// that it writes nothing in, though it rejected records.
    pub(super) allow_dropped_tables: bool,
    /// `--replace-changed`: the runs in the directory when this run started, which it may
    /// supersede by its inputs' paths ([`Superseding::holds`]).
    replace_changed: Option<std::collections::HashSet<String>>,
    /// The inputs given that cannot be found (each as given, and why): not part of the
    /// run's identity, and named if a run in the directory covers this one.
    missing: Vec<String>,
}

/// The size and modification time of a file key (`dev:inode:size:mtime-ns`), by which a
/// copy that kept the time looks like its original; `None` for an empty file (any two
/// look alike).
fn size_and_time(key: &str) -> Option<&str> {
    let mut parts = key.splitn(3, ':');
    let (_dev, _inode, look) = (parts.next()?, parts.next()?, parts.next()?);
    (!look.starts_with("0:")).then_some(look)
}

/// The file at `path` as `dev:inode:size:mtime-ns`: the same after a move within its file
/// system, different once it is written to.
#[cfg(unix)]
fn file_key(path: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some(format!(
        "{}:{}:{}:{}.{}",
        m.dev(),
        m.ino(),
        m.size(),
        m.mtime(),
        m.mtime_nsec()
    ))
}

#[cfg(not(unix))]
fn file_key(_path: &Path) -> Option<String> {
    None
}

impl Loaded {
    /// The run `id` of `inputs` (files all: a run with an identity) into `dir`;
    /// `replace_changed`: `--replace-changed`.
    pub(super) fn new(dir: &Path, id: u64, inputs: &[Input], replace_changed: bool) -> Loaded {
        let mut missing = Vec::new();
        let inputs = inputs
            .iter()
            .filter_map(|i| match i {
                Input::Path(p) => match std::fs::canonicalize(p) {
                    Ok(canonical) => Some((p, canonical)),
                    Err(e) => {
                        missing.push(format!("{}: {e}", p.display()));
                        None
                    }
                },
                _ => None,
            })
            .map(|(given, canonical)| LoadedInput {
                given: given.to_string_lossy().into_owned(),
                file: file_key(&canonical),
                canonical: canonical.to_string_lossy().into_owned(),
                failed: None,
                changed: false,
            })
            .collect();
        let mut loaded = Loaded {
            dir: dir.to_path_buf(),
            run: format!("{id:016x}"),
            inputs,
            superseded: Vec::new(),
            allow_dropped_tables: false,
            replace_changed: replace_changed.then(|| {
                committed_runs(dir, Some(&format!("{id:016x}")), &Now::new())
                    .into_iter()
                    .map(|run| run.id)
                    .collect()
            }),
            missing,
        };
        loaded.superseded = loaded.find_superseded();
        loaded
    }

    /// Refuse the run before it reads anything when a run in the directory read every
    /// input of it, and more ([`Superseding::covered`]); decided again at the commit, for a
    /// run committed meanwhile.
    pub(super) fn refuse_if_covered(&self) -> Result<(), Fatal> {
        match self.superseding(&AfterRun::default()).covered() {
            // An input given that is not there is why (review s42-h2 F6: a re-run of the
            // same inputs, one of them gone, was told only of "1 more").
            Some(refusal) if !self.missing.is_empty() => Err(Fatal::Message(format!(
                "{}; so {refusal}",
                self.missing.join("; ")
            ))),
            Some(refusal) => Err(Fatal::Message(refusal)),
            None => Ok(()),
        }
    }

    /// Whether the run was given `--replace-changed`: the runs it replaces may have read
    /// its inputs before they changed.
    pub(super) fn replaces_changed(&self) -> bool {
        self.replace_changed.is_some()
    }

    /// The earlier runs this run supersedes ([`Loaded::find_superseded`]), found when it
    /// started.
    pub(super) fn superseded(&self) -> &[u64] {
        &self.superseded
    }

    /// The earlier runs this run supersedes: those still in the directory whose every
    /// input is among this run's, unchanged (the same file, size and modification time,
    /// wherever it is now; or at the same path, the same size and time: [`same_at_path`]). Their rows are all in this run's output, so its commit removes
    /// their files (`normalog::sink::layout`, "Re-running"). A list of an earlier version
    /// (paths alone) proves nothing about the files, and supersedes nothing.
    fn find_superseded(&self) -> Vec<u64> {
        self.superseding(&AfterRun::default()).runs()
    }

    /// What decides, at the commit, which runs this one supersedes: its inputs read to
    /// their end (all, until [`Loaded::mark_failed`]).
    pub(super) fn superseding(&self, after: &AfterRun) -> Superseding {
        let whole = || {
            self.inputs
                .iter()
                .filter(|i| i.failed.is_none() && !i.changed)
        };
        Superseding {
            dir: self.dir.clone(),
            run: self.run.clone(),
            read: whole().filter_map(|i| i.file.clone()).collect(),
            read_paths: whole().map(|i| i.canonical.clone()).collect(),
            partial: self
                .inputs
                .iter()
                .filter(|i| !i.changed)
                .filter_map(|i| Some((i.file.clone()?, i.failed?)))
                .collect(),
            not_read: self
                .inputs
                .iter()
                .filter(|i| i.failed.is_some() || i.changed)
                .map(|i| {
                    let read = i.failed.filter(|_| !i.changed);
                    (i.given.clone(), i.file.clone(), read)
                })
                .collect(),
            after: after.clone(),
            replace_changed: self.replace_changed.clone(),
            read_sizes: whole()
                .filter_map(|i| Some((i.canonical.clone(), file_size(i.file.as_deref()?)?)))
                .collect(),
            now: self.now(),
        }
    }

    /// The inputs that could not be read to their end (named as the run reports them, with
    /// the records read), listed as read in part; and, looked at again, those that changed
    /// while the run went, listed by path alone. No earlier run that loaded them is
    /// superseded unless this run holds the same rows of them.
    pub(super) fn mark_failed(&mut self, failed: &[(String, u64)]) {
        for input in &mut self.inputs {
            if let Some((_, records)) = failed.iter().find(|(name, _)| *name == input.given) {
                input.failed = Some(*records);
            }
            // Looked at again: a file rotated (renamed, and another made under its name)
            // or written to after the run took its identity.
            input.changed =
                input.file.is_some() && input_file(Path::new(&input.canonical)) != input.file;
        }
    }

    /// The given names of the inputs that could not be read to their end, or changed
    /// while the run went.
    pub(super) fn failed(&self) -> Vec<&str> {
        self.inputs
            .iter()
            .filter(|i| i.failed.is_some() || i.changed)
            .map(|i| i.given.as_str())
            .collect()
    }

    /// The output directory.
    pub(super) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The given names of the inputs whose file changed while the run read them (written
    /// to, or rotated), and that it read to their end.
    pub(super) fn changed(&self) -> Vec<&str> {
        self.inputs
            .iter()
            .filter(|i| i.changed && i.failed.is_none())
            .map(|i| i.given.as_str())
            .collect()
    }

    /// Of the runs this run would have superseded when it started, those still in the
    /// directory after its commit (kept because an input of theirs failed).
    pub(super) fn kept(&self) -> usize {
        self.superseded
            .iter()
            .filter(|id| self.dir.join(RUNS_DIR).join(format!("{id:016x}")).exists())
            .count()
    }

    /// Warn about the inputs that another run still in the directory loaded, and that
    /// this run does not supersede.
    pub(super) fn warn_if_loaded_before(&self) {
        let shared = self.loaded_by_others();
        let Some((given, was)) = shared.first() else {
            return;
        };
        let first = match was {
            Some(old) => format!("{given} (loaded as {old})"),
            None => (*given).to_owned(),
        };
        let (more, was, its) = match shared.len() {
            1 => (String::new(), "was", "its"),
            n => (
                format!(" and {} more of this run's inputs", n - 1),
                "were",
                "their",
            ),
        };
        messages::error(&format!(
            "warning: {}: {first}{more} {was} loaded by an earlier run with inputs this run \
             does not read again (or before it changed, or under another path): {its} rows \
             are added again. A run replaces the earlier runs whose inputs it reads all \
             again, unchanged; with --replace-changed, changed too, if not smaller (README: \
             Re-running and appending)",
            self.dir.display(),
        ));
    }

    /// The runs committed into the directory before, other than this run's identity: each
    /// one's id and inputs (canonical path, and file key where recorded).
    fn earlier_runs(&self) -> Vec<EarlierRun> {
        committed_runs(&self.dir, Some(&self.run), &self.now())
    }

    /// This run's inputs now, by canonical path, as their keys were taken at its start.
    fn now(&self) -> Now {
        self.inputs
            .iter()
            .filter_map(|i| Some((i.canonical.clone(), i.file.clone()?)))
            .collect()
    }

    /// This run's inputs that other committed runs list, and that this run does not
    /// supersede, each with the path it was loaded as when that was another (the file
    /// moved or renamed).
    fn loaded_by_others(&self) -> Vec<(&str, Option<String>)> {
        let superseded: Vec<String> = self
            .superseded
            .iter()
            .map(|id| format!("{id:016x}"))
            .collect();
        let mut paths = std::collections::HashSet::new();
        let mut files = std::collections::HashMap::new();
        let mut copies = std::collections::HashMap::new();
        for run in self.earlier_runs() {
            if superseded.contains(&run.id) {
                continue;
            }
            for (path, file) in run.inputs {
                if let Some(file) = file {
                    let key = file_of(&file);
                    if let Some(look) = size_and_time(key) {
                        copies.insert(look.to_owned(), path.clone());
                    }
                    files.insert(key.to_owned(), path.clone());
                }
                paths.insert(path);
            }
        }
        self.inputs
            .iter()
            .filter_map(|i| {
                if paths.contains(&i.canonical) {
                    return Some((i.given.as_str(), None));
                }
                let file = i.file.as_deref()?;
                if let Some(old) = files.get(file) {
                    return Some((i.given.as_str(), Some(old.clone())));
                }
                // Another file of the same size and modification time: a copy (`cp -p`, a
                // backup restored), whose rows are that file's.
                let old = copies.get(size_and_time(file)?)?;
                Some((
                    i.given.as_str(),
                    Some(format!(
                        "{old}, it seems: a copy, of the same size and modification time"
                    )),
                ))
            })
            .collect()
    }

    /// This run's list of inputs, a line each (the canonical path, and a tab and the
    /// file's key where known): the writer puts it in `DIR/_normalog/inputs/<id>` with its
    /// commit (`set_run_inputs`), so that a run whose files are in place always has its
    /// list.
    pub(super) fn list(&self) -> String {
        let mut text = String::new();
        for input in &self.inputs {
            text.push_str(&escape_path(&input.canonical));
            // Changed while read: which file's rows the run holds is not known, so it is
            // listed with the file it started with, marked (only a run of a file at that
            // path not smaller, with --replace-changed, supersedes this one by it).
            if let (Some(file), true) = (&input.file, input.changed) {
                text.push('\t');
                text.push_str(CHANGED);
                text.push_str(file);
            } else if let Some(file) = &input.file {
                text.push('\t');
                // An input not read to its end: the run holds only some of its rows.
                if let Some(records) = input.failed {
                    text.push_str(PARTIAL);
                    text.push_str(&records.to_string());
                    text.push(':');
                }
                text.push_str(file);
            }
            text.push('\n');
        }
        text
    }
}
