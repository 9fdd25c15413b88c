//! Which inputs the paths a user gave name ([`expand`], [`Expander`]): a directory is the
//! files under it, recursively, sorted, each file once however many paths reach it. See the
//! parent module's docs.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::Input;

/// Expand paths into inputs: `-` is standard input, a directory is every file under it
/// (recursively, sorted, hidden entries, `_normalog` and earlier runs' output directories
/// skipped: see [`Expander`]), anything else is a file. Each file is
/// listed once, however often it is reached ([`Expander`] says which were repeated).
///
/// A directory that cannot be listed is kept as an input of its own, so that opening it
/// fails in its place in the run and is reported like any unreadable input.
#[must_use]
pub fn expand(paths: &[PathBuf]) -> Vec<Input> {
    let mut expander = Expander::default();
    for p in paths {
        expander.add(p);
    }
    expander.inputs
}

/// Lists the inputs under paths given one after the other, each file once.
///
/// A file is the same file whatever path reaches it (given twice, given and inside a
/// directory also given, or behind a symbolic link): reading it again would load its records
/// twice. A directory reached again (a symbolic link to one of its parents, or to a directory
/// already walked) is not entered again: a link to `.` would otherwise be followed until the
/// system refuses the path, reading every file dozens of times. Directories can also be
/// excluded ([`exclude`](Self::exclude)): a run's output directory inside an input directory
/// must not be read back as input. Nor is the output directory of an earlier run met in a
/// walk (a directory holding `_normalog`, or `pull`'s `.pull-*`: [`outputs`](Self::outputs)):
/// its NDJSON events would be loaded again beside the logs they came from. `_normalog` directories (lists
/// of runs and inputs, never logs) are skipped as hidden entries are.
#[derive(Debug, Default)]
pub struct Expander {
    /// The inputs found, in order.
    pub inputs: Vec<Input>,
    /// Files reached again after their first place, left out.
    pub repeated: Vec<PathBuf>,
    /// Directories reached again, left out.
    pub revisited: Vec<PathBuf>,
    /// Excluded directories met in the walk, left out.
    pub excluded: Vec<PathBuf>,
    /// Output directories of earlier runs (they hold `_normalog` or `.pull-*`) met in the
    /// walk of a directory given, left out; one given itself is read.
    pub outputs: Vec<PathBuf>,
    /// Entries met in a walk that are neither files nor directories (named pipes, sockets,
    /// devices), left out: opening a pipe waits for a writer, and the run hung there. One
    /// given by name is read (`normalize <(zcat x.gz)`).
    pub special: Vec<PathBuf>,
    /// Files that this run's standard output or standard error write to
    /// ([`exclude_file`](Self::exclude_file)), given or met in a walk, left out.
    pub streams: Vec<PathBuf>,
    seen: HashSet<FileId>,
    exclude: HashSet<FileId>,
    exclude_files: HashSet<FileId>,
    /// The directories walked (entered, their files listed).
    walked: HashSet<FileId>,
}

/// What makes two paths the same file or directory.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FileId {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg(not(unix))]
    Canonical(PathBuf),
}

impl FileId {
    // The signature of the other systems' version, which can fail.
    #[allow(clippy::unnecessary_wraps)]
    #[cfg(unix)]
    fn of(_path: &Path, meta: &std::fs::Metadata) -> Option<FileId> {
        use std::os::unix::fs::MetadataExt;
        Some(FileId::Inode(meta.dev(), meta.ino()))
    }

    #[cfg(not(unix))]
    fn of(path: &Path, _meta: &std::fs::Metadata) -> Option<FileId> {
        std::fs::canonicalize(path).ok().map(FileId::Canonical)
    }
}

impl Expander {
    /// Leave out `dir` (if it exists) and everything under it wherever a walk meets it.
    pub fn exclude(&mut self, dir: &Path) {
        if let Some(id) = std::fs::metadata(dir)
            .ok()
            .and_then(|m| FileId::of(dir, &m))
        {
            self.exclude.insert(id);
        }
    }

    /// Leave out the file `file` is open on (if it is a regular file) wherever it is met,
    /// given or in a walk: the run's standard output redirected into an input directory
    /// (`normalize logs/ > logs/out.ndjson`) would otherwise be read back as it grows, and
    /// the run would never end. Only where files have an identity apart from their path
    /// (Unix); elsewhere nothing is left out.
    pub fn exclude_file(&mut self, file: &std::fs::File) {
        #[cfg(unix)]
        if let Some(id) = file
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_file)
            .and_then(|m| FileId::of(Path::new(""), &m))
        {
            self.exclude_files.insert(id);
        }
        #[cfg(not(unix))]
        let _ = file;
    }

    /// What was left out, and why, in words for the user: each list of paths (possibly
    /// empty) with the reason, as the CLI and the Python package warn of them.
    #[must_use]
    pub fn left_out(&self) -> [(&[PathBuf], &'static str); 6] {
        [
            (
                &self.repeated,
                "reached more than once (given twice, inside a directory also given, or \
                 behind a link); read once",
            ),
            (
                &self.revisited,
                "a directory reached again (given twice, inside a directory also given, or \
                 behind a symbolic link); not read again",
            ),
            (
                &self.excluded,
                "the output directory, inside an input directory; not read as input",
            ),
            (
                &self.outputs,
                "the output of an earlier run (it holds _normalog or .pull-*), inside an \
                 input directory; not read as input (give it by name to read it)",
            ),
            (
                &self.special,
                "not a file (a named pipe, a socket or a device), inside an input directory; \
                 not read (give it by name to read it)",
            ),
            (
                &self.streams,
                "the file this run's standard output or standard error is redirected to; not \
                 read as input (it would read its own output back)",
            ),
        ]
    }

    /// Whether a file named `name` in the directory `dir` is one a walk of the paths added
    /// so far met, or would meet if it were there: `dir` was walked (reached however:
    /// through a symbolic link too), and the name is not hidden. For an output file, which
    /// the next run would read back as an input.
    #[must_use]
    pub fn would_meet(&self, dir: &Path, name: &std::ffi::OsStr) -> bool {
        !name.as_encoded_bytes().starts_with(b".")
            && name != OUTPUT_MARK
            && std::fs::metadata(dir)
                .ok()
                .and_then(|m| FileId::of(dir, &m))
                .is_some_and(|id| self.walked.contains(&id))
    }

    /// Add the inputs under `path` (see [`expand`]); returns how many were added.
    pub fn add(&mut self, path: &Path) -> usize {
        let before = self.inputs.len();
        if path.as_os_str() == "-" {
            self.inputs.push(Input::Stdin);
        } else {
            self.visit(path, true);
        }
        self.inputs.len() - before
    }

    /// `given`: the path was given, not met in a walk.
    fn visit(&mut self, path: &Path, given: bool) {
        // A path that cannot be examined stays an input: opening it reports why.
        let Ok(meta) = std::fs::metadata(path) else {
            self.inputs.push(Input::Path(path.to_path_buf()));
            return;
        };
        if !given && !meta.is_file() && !meta.is_dir() {
            self.special.push(path.to_path_buf());
            return;
        }
        let id = FileId::of(path, &meta);
        if let Some(id) = &id {
            if meta.is_dir() && self.exclude.contains(id) {
                self.excluded.push(path.to_path_buf());
                return;
            }
            if meta.is_file() && self.exclude_files.contains(id) {
                self.streams.push(path.to_path_buf());
                return;
            }
            if !self.seen.insert(id.clone()) {
                if meta.is_dir() {
                    self.revisited.push(path.to_path_buf());
                } else if !self.repeated.iter().any(|p| p == path) {
                    // A path given three times is one file read once, not two.
                    self.repeated.push(path.to_path_buf());
                }
                return;
            }
        }
        if meta.is_dir() {
            if !given && is_output_dir(path) {
                self.outputs.push(path.to_path_buf());
                return;
            }
            self.walk(path);
        } else {
            self.inputs.push(Input::Path(path.to_path_buf()));
        }
    }

    fn walk(&mut self, dir: &Path) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            self.inputs.push(Input::Path(dir.to_path_buf()));
            return;
        };
        if let Some(id) = std::fs::metadata(dir)
            .ok()
            .and_then(|m| FileId::of(dir, &m))
        {
            self.walked.insert(id);
        }
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| {
                let name = e.file_name();
                !name.as_encoded_bytes().starts_with(b".") && name != OUTPUT_MARK
            })
            .map(|e| e.path())
            .collect();
        paths.sort();
        for p in paths {
            self.visit(&p, false);
        }
    }
}

/// The directory every directory output of `normalize` holds (its runs' manifests).
const OUTPUT_MARK: &str = crate::sink::layout::paths::CONTROL_DIR;

/// Whether `dir` is the output directory of a run: `normalize`'s hold [`OUTPUT_MARK`],
/// `pull`'s a hidden staging directory per source and account (`.pull-<tag>`).
fn is_output_dir(dir: &Path) -> bool {
    dir.join(OUTPUT_MARK).is_dir()
        || std::fs::read_dir(dir).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                e.file_name().as_encoded_bytes().starts_with(b".pull-")
                    && e.file_type().is_ok_and(|t| t.is_dir())
            })
        })
}
