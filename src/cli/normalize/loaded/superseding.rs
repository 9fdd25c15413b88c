//! Which earlier runs a run supersedes, and the refusals decided with it at the commit,
//! under the directory's commit lock (runs committed meanwhile count): a re-run that would
//! replace rows it could not read, or leave out tables it rejected the records of.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::{changed_of, committed_runs, file_size, partial_of, Now, INPUTS_DIR, RUNS_DIR};

/// Which earlier runs a run supersedes: those still in `dir` (but the run's own identity)
/// whose every input is among the files it read to their end, unchanged. Asked again at the
/// commit, under the directory's commit lock, so that runs committed meanwhile count.
pub(in crate::cli::normalize) struct Superseding {
    pub(super) dir: PathBuf,
    pub(super) run: String,
    /// The files read to their end.
    pub(super) read: std::collections::HashSet<String>,
    /// The canonical paths of the files read to their end, unchanged while the run went.
    pub(super) read_paths: std::collections::HashSet<String>,
    /// The files that failed part of the way, with the records read before.
    pub(super) partial: std::collections::HashMap<String, u64>,
    /// The inputs not read to their end, or changed during the run: each one's name as
    /// given, its file (where known) and, unless it changed, the records read.
    pub(super) not_read: Vec<(String, Option<String>, Option<u64>)>,
    /// What the run made of its inputs.
    pub(super) after: AfterRun,
    /// `--replace-changed`: the runs that were in the directory when this run started
    /// (a run committed meanwhile may hold a later state of a file than this run read),
    /// whose inputs this run holds when it read the file at the same path to its end, not
    /// smaller than it was (see [`Superseding::holds`]).
    pub(super) replace_changed: Option<std::collections::HashSet<String>>,
    /// The size of each file read to its end, by canonical path.
    pub(super) read_sizes: std::collections::HashMap<String, u64>,
    /// Every input's file at the run's start, by canonical path: an earlier run's input
    /// at the same path, downloaded again, is the same file ([`super::same_at_path`]).
    pub(super) now: Now,
}

/// What a finished run made of its inputs, for the refusals decided at its commit.
#[derive(Clone, Debug, Default)]
pub(in crate::cli::normalize) struct AfterRun {
    pub(in crate::cli::normalize) normalized: u64,
    pub(in crate::cli::normalize) rejected: u64,
    /// The tables it wrote rows in.
    pub(in crate::cli::normalize) written: Vec<String>,
    /// `--allow-dropped-tables`.
    pub(in crate::cli::normalize) allow_dropped_tables: bool,
}

/// The device and inode of a file key (`dev:ino:len:mtime`).
fn same_inode(key: &str) -> Option<&str> {
    let mut colons = key.match_indices(':').map(|(i, _)| i);
    let second = colons.nth(1)?;
    Some(&key[..second])
}

impl Superseding {
    /// Whether this run holds the rows an earlier run had of the input at `path` listed as
    /// `file`: it read the same file to the end; or the earlier run read it only in part
    /// and this run read as many records of the same file (a corrupt file fails at the same
    /// place), or read the same file (device and inode) at that path to its end since (a
    /// file read while it was still being copied or written, complete now: the earlier run's rows of it were what
    /// it could read, and keeping them would duplicate them, with every row of the earlier
    /// run's other inputs, in every later run). `by_path` (`--replace-changed`, for a run
    /// there when this one started): it read the file at that path to its end, and it was
    /// not smaller than the listed one: the user says the file holds what the earlier one
    /// did (grown, fixed, downloaded again). A file emptied, cut, or made anew by a rotation
    /// is smaller, and the earlier run's rows would go with it.
    /// A run listed by paths alone (an earlier version's list) is never held.
    fn holds(&self, path: &str, file: Option<&str>, by_path: bool) -> bool {
        let Some(file) = file else {
            return false;
        };
        // The file at that path, read to its end, not smaller than the one listed.
        let at_path = |listed: &str| {
            let was = file_size(listed);
            self.read_sizes
                .get(path)
                .is_some_and(|&now| was.is_some_and(|was| now >= was))
        };
        if let Some(started) = changed_of(file) {
            // Changed while that run read it: by path only.
            return by_path && at_path(started);
        }
        match partial_of(file) {
            // At the path, the same file (device and inode: a copy or download completed
            // in place), or, with `--replace-changed`, any file there: another file put at
            // that path (the next day's `latest.jsonl.gz`, renamed over it) holds other rows
            // (review s42-h2 F5: the earlier run's rows were removed).
            Some((records, key)) => {
                let same_file = || {
                    let now = self.now.get(path).map(|k| same_inode(k));
                    now.is_some() && now == Some(same_inode(key))
                };
                self.read.contains(key)
                    || self.partial.get(key) == Some(&records)
                    || ((by_path || same_file()) && at_path(key))
            }
            None => self.read.contains(file) || (by_path && at_path(file)),
        }
    }

    /// A run in the directory that read every input of this one, unchanged, to its end,
    /// and more: its files hold every row this run would commit (the same inputs as part
    /// of a larger run, or a run of more files committed while this one went). Committing
    /// would add each of those rows a second time: the refusal that says so.
    pub(in crate::cli::normalize) fn covered(&self) -> Option<String> {
        // Every input read whole, each known by its file (a file without a key proves
        // nothing).
        if self.read.is_empty()
            || !self.not_read.is_empty()
            || self.read.len() != self.read_paths.len()
        {
            return None;
        }
        let superseded = self.runs();
        let covering = committed_runs(&self.dir, Some(&self.run), &self.now)
            .into_iter()
            // A run marked incomplete holds only part of its inputs' rows (review s42-h5
            // LOW-2: --skip-loaded read its inputs again, then refused as covered).
            .filter(|run| {
                !run.incomplete
                    && u64::from_str_radix(&run.id, 16).is_ok_and(|id| !superseded.contains(&id))
            })
            .find(|run| {
                let whole: std::collections::HashSet<&str> = run
                    .inputs
                    .iter()
                    .filter_map(|(_, file)| file.as_deref())
                    .filter(|file| partial_of(file).is_none())
                    .collect();
                self.read.iter().all(|file| whole.contains(file.as_str()))
            })?;
        let more = match covering.inputs.len().saturating_sub(self.read.len()) {
            0 => String::new(),
            1 => " and 1 more".to_owned(),
            n => format!(" and {n} more"),
        };
        Some(format!(
            "{}: nothing committed: the run {} in this directory read every input of this \
             one, unchanged{more}, so its files hold these rows already (committing would \
             add them again); run all of its inputs again to replace it, or give only new \
             files (--skip-loaded leaves out the loaded ones)",
            self.dir.display(),
            covering.id,
        ))
    }

    /// At the commit, under the directory's commit lock (so that a run of the same inputs
    /// committed meanwhile counts): the runs superseded, or why nothing may be committed.
    pub(in crate::cli::normalize) fn decide(&self) -> Result<Vec<u64>, String> {
        if self.would_lose_rows() {
            let names: Vec<&str> = self.not_read.iter().map(|(n, _, _)| n.as_str()).collect();
            return Err(format!(
                "{}: {} could not be read to the end: nothing committed, and the files the \
                 earlier run of these inputs wrote are kept (this run would replace them \
                 without those rows); make it readable as it was, and run again",
                self.dir.display(),
                names.join(", ")
            ));
        }
        if let Some(refusal) = self.covered() {
            return Err(refusal);
        }
        let ids = self.runs();
        self.refuse_dropping_rows(&ids)?;
        Ok(ids)
    }

    /// A run that rejected records must not replace the files of the earlier run of its
    /// inputs, or of the runs `ids` it supersedes, with none (every record rejected: a
    /// wrong `-s`, a schema being edited), nor leave out tables they had rows in (a wrong
    /// `-s` that fits a few records, fewer `-t`) unless `--allow-dropped-tables`: an
    /// accident far more often than a wish, so the earlier files stay.
    fn refuse_dropping_rows(&self, ids: &[u64]) -> Result<(), String> {
        let after = &self.after;
        let own = self.tables_of(&self.run);
        let replaced = self.dir.join(RUNS_DIR).join(&self.run).exists() || !ids.is_empty();
        if after.rejected == 0 || !replaced {
            return Ok(());
        }
        if after.normalized == 0 {
            return Err(format!(
                "every record was rejected ({}): nothing committed to {}, and the files \
                 earlier runs of these inputs wrote are kept (check the schemas and -t, and \
                 run again)",
                after.rejected,
                self.dir.display()
            ));
        }
        let others: BTreeSet<String> = ids
            .iter()
            .flat_map(|id| self.tables_of(&format!("{id:016x}")))
            .collect();
        let gone = |t: &String| !after.written.contains(t);
        let dropped: BTreeSet<&String> = own.iter().chain(&others).filter(|t| gone(t)).collect();
        if dropped.is_empty() || after.allow_dropped_tables {
            return Ok(());
        }
        let whose = match (own.iter().any(gone), ids.len()) {
            (true, 0) => "the earlier run of these inputs has",
            (true, _) => {
                "the earlier runs of these inputs and whose inputs this run read again have"
            }
            (false, 1) => "the earlier run whose inputs this run read again has",
            (false, _) => "the earlier runs whose inputs this run read again have",
        };
        let names: Vec<&str> = dropped.iter().map(|t| t.as_str()).collect();
        Err(format!(
            "{}: {whose} rows in {} and this run wrote none, while it rejected {} records: \
             nothing committed, and the earlier files are kept (check the schemas and -t, and \
             run again; --allow-dropped-tables commits such a run, removing those rows)",
            names.join(", "),
            if names.len() == 1 {
                "this table"
            } else {
                "these tables"
            },
            after.rejected
        ))
    }

    /// The tables the files of run `id` are in, as its manifest lists them
    /// (`DIR/_normalog/runs/<id>`: a path relative to DIR a line), those still there.
    fn tables_of(&self, id: &str) -> BTreeSet<String> {
        let Ok(text) = std::fs::read_to_string(self.dir.join(RUNS_DIR).join(id)) else {
            return BTreeSet::new();
        };
        text.lines()
            .filter(|f| self.dir.join(f).is_file())
            .filter_map(|f| Path::new(f).components().next())
            .map(|t| t.as_os_str().to_string_lossy().into_owned())
            .collect()
    }

    /// Whether the earlier commit of this run's identity read to the end an input that
    /// this run could not: replacing its files would lose that input's rows.
    fn would_lose_rows(&self) -> bool {
        if self.not_read.is_empty() {
            return false;
        }
        let Ok(text) = std::fs::read_to_string(self.dir.join(INPUTS_DIR).join(&self.run)) else {
            // No list (an earlier version's run, or one killed before it): its files may
            // hold any of the inputs' rows.
            return self.dir.join(RUNS_DIR).join(&self.run).exists();
        };
        let earlier: Vec<&str> = text
            .lines()
            .filter_map(|l| l.rsplit_once('\t').map(|(_, f)| f))
            .collect();
        self.not_read
            .iter()
            .filter_map(|(_, file, read)| Some((file.as_deref()?, *read)))
            .any(|(file, read)| {
                earlier
                    .iter()
                    .any(|listed| match (partial_of(listed), read) {
                        // Read in part before: lost if this run read fewer of its records.
                        (Some((records, was)), Some(now)) => was == file && now < records,
                        (Some((_, was)), None) => was == file,
                        // Read whole before.
                        (None, _) => *listed == file,
                    })
            })
    }

    pub(super) fn runs(&self) -> Vec<u64> {
        committed_runs(&self.dir, Some(&self.run), &self.now)
            .into_iter()
            .filter(|run| {
                let by_path = self
                    .replace_changed
                    .as_ref()
                    .is_some_and(|known| known.contains(&run.id));
                !run.inputs.is_empty()
                    && run
                        .inputs
                        .iter()
                        .all(|(path, file)| self.holds(path, file.as_deref(), by_path))
            })
            .filter_map(|run| u64::from_str_radix(&run.id, 16).ok())
            .collect()
    }
}
