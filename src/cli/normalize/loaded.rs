//! Which inputs each run loaded into a directory output, so that a run of inputs that
//! another run loaded warns that their rows are added again.
//!
//! Why: a run replaces only its own earlier files, and a run is its set of inputs as they
//! were (`normalog::sink::layout`, "Re-running"). Running `a b` after `a`, or `a` again
//! after it grew, is another run, and `a`'s rows are then in the lake twice: documented,
//! but silent. Each committed run with an identity lists its inputs' paths in
//! `DIR/_normalog/inputs/<id>`; a later run reads the lists of the runs still in the lake
//! (those with a manifest) and names the inputs it shares with them.

use std::path::{Path, PathBuf};

use normalog::pipeline::Input;

use crate::cli::messages;

const INPUTS_DIR: &str = "_normalog/inputs";
const RUNS_DIR: &str = "_normalog/runs";

/// A run into a directory output, with the identity that names its files.
pub(super) struct Loaded {
    dir: PathBuf,
    run: String,
    /// Each input's path as given, and as recorded (canonical).
    paths: Vec<(String, String)>,
}

impl Loaded {
    /// The run `id` of `inputs` (files all: a run with an identity) into `dir`.
    pub(super) fn new(dir: &Path, id: u64, inputs: &[Input]) -> Loaded {
        let paths = inputs
            .iter()
            .filter_map(|i| match i {
                Input::Path(p) => Some((p, std::fs::canonicalize(p).ok()?)),
                _ => None,
            })
            .map(|(given, canonical)| {
                (
                    given.to_string_lossy().into_owned(),
                    canonical.to_string_lossy().into_owned(),
                )
            })
            .collect();
        Loaded {
            dir: dir.to_path_buf(),
            run: format!("{id:016x}"),
            paths,
        }
    }

    /// Warn about the inputs that another run still in the directory loaded.
    pub(super) fn warn_if_loaded_before(&self) {
        let shared = self.loaded_by_others();
        let Some(first) = shared.first() else {
            return;
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
             before it changed): {its} rows are added again. Only the same inputs, unchanged, \
             replace a run's files (README: Re-running and appending)",
            self.dir.display()
        ));
    }

    /// This run's inputs that other committed runs list.
    fn loaded_by_others(&self) -> Vec<&str> {
        let Ok(entries) = std::fs::read_dir(self.dir.join(INPUTS_DIR)) else {
            return Vec::new();
        };
        let mut seen = std::collections::HashSet::new();
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
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                seen.extend(text.lines().map(str::to_owned));
            }
        }
        self.paths
            .iter()
            .filter(|(_, canonical)| seen.contains(canonical.as_str()))
            .map(|(given, _)| given.as_str())
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
        let tmp = dir.join(format!(".{}.tmp-{}", self.run, std::process::id()));
        let mut text = String::new();
        for (_, canonical) in &self.paths {
            text.push_str(canonical);
            text.push('\n');
        }
        if std::fs::write(&tmp, text).is_err()
            || std::fs::rename(&tmp, dir.join(&self.run)).is_err()
        {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}
