//! Which inputs each run loaded into a directory output, so that a run of inputs that
//! another run loaded warns that their rows are added again.
//!
//! Why: a run replaces only its own earlier files, and a run is its set of inputs as they
//! were (`normalog::sink::layout`, "Re-running"). Running `a b` after `a`, or `a` again
//! after it grew, or after it was moved or renamed, is another run, and `a`'s rows are then
//! in the lake twice: documented, but silent. Each committed run with an identity lists its
//! inputs in `DIR/_normalog/inputs/<id>`, a line each: the canonical path and, where the
//! system has them, the file's device, inode, size and modification time (so that a file
//! moved within its file system is still known). A later run reads the lists of the runs
//! still in the lake (those with a manifest) and names the inputs it shares with them.

use std::path::{Path, PathBuf};

use normalog::pipeline::Input;

use crate::cli::messages;

const INPUTS_DIR: &str = "_normalog/inputs";
const RUNS_DIR: &str = "_normalog/runs";

/// One input of a run: its path as given, as recorded (canonical), and the file it was.
struct LoadedInput {
    given: String,
    canonical: String,
    file: Option<String>,
}

/// A run into a directory output, with the identity that names its files.
pub(super) struct Loaded {
    dir: PathBuf,
    run: String,
    inputs: Vec<LoadedInput>,
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
    /// The run `id` of `inputs` (files all: a run with an identity) into `dir`.
    pub(super) fn new(dir: &Path, id: u64, inputs: &[Input]) -> Loaded {
        let inputs = inputs
            .iter()
            .filter_map(|i| match i {
                Input::Path(p) => Some((p, std::fs::canonicalize(p).ok()?)),
                _ => None,
            })
            .map(|(given, canonical)| LoadedInput {
                given: given.to_string_lossy().into_owned(),
                file: file_key(&canonical),
                canonical: canonical.to_string_lossy().into_owned(),
            })
            .collect();
        Loaded {
            dir: dir.to_path_buf(),
            run: format!("{id:016x}"),
            inputs,
        }
    }

    /// Whether an earlier run of the same inputs committed files that this run replaces.
    pub(super) fn committed_before(&self) -> bool {
        self.dir.join(RUNS_DIR).join(&self.run).exists()
    }

    /// Warn about the inputs that another run still in the directory loaded.
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
            "warning: {}: {first}{more} {was} loaded by an earlier run with other inputs (or \
             before it changed, or under another path): {its} rows are added again. Only the \
             same inputs, unchanged and where they were, replace a run's files (README: \
             Re-running and appending)",
            self.dir.display()
        ));
    }

    /// This run's inputs that other committed runs list, each with the path it was
    /// loaded as when that was another (the file moved or renamed).
    fn loaded_by_others(&self) -> Vec<(&str, Option<String>)> {
        let Ok(entries) = std::fs::read_dir(self.dir.join(INPUTS_DIR)) else {
            return Vec::new();
        };
        let mut paths = std::collections::HashSet::new();
        let mut files = std::collections::HashMap::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            // Hidden: being written. This run's own list: a re-run replaces it. A list
            // without its run's manifest: that run's files are gone.
            if name.starts_with('.')
                || name == self.run
                || !self.dir.join(RUNS_DIR).join(&name).exists()
            {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            for line in text.lines() {
                // Lists of earlier versions hold the path alone.
                let (path, file) = line
                    .rsplit_once('\t')
                    .filter(|(_, f)| {
                        f.bytes()
                            .all(|b| b.is_ascii_digit() || b == b':' || b == b'.')
                    })
                    .unwrap_or((line, ""));
                paths.insert(path.to_owned());
                if !file.is_empty() {
                    files.insert(file.to_owned(), path.to_owned());
                }
            }
        }
        self.inputs
            .iter()
            .filter_map(|i| {
                if paths.contains(&i.canonical) {
                    return Some((i.given.as_str(), None));
                }
                let old = files.get(i.file.as_deref()?)?;
                Some((i.given.as_str(), Some(old.clone())))
            })
            .collect()
    }

    /// Record this run's inputs, once it is committed (written under a hidden name, then
    /// renamed). A failure costs only a later warning, so it is not an error.
    pub(super) fn record(&self) {
        // A run that wrote nothing has no manifest, and leaves the directory as it was.
        if !self.dir.join(RUNS_DIR).join(&self.run).exists() {
            return;
        }
        let dir = self.dir.join(INPUTS_DIR);
        if std::fs::create_dir_all(&dir).is_err() {
            return;
        }
        // A list this run's identity left half written when it was killed (a re-run
        // replaces the list; nothing else would remove it).
        let stale = format!(".{}.tmp-", self.run);
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if entry.file_name().to_string_lossy().starts_with(&stale) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        let tmp = dir.join(format!("{stale}{}", std::process::id()));
        let mut text = String::new();
        for input in &self.inputs {
            text.push_str(&input.canonical);
            if let Some(file) = &input.file {
                text.push('\t');
                text.push_str(file);
            }
            text.push('\n');
        }
        if std::fs::write(&tmp, text).is_err()
            || std::fs::rename(&tmp, dir.join(&self.run)).is_err()
        {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}
