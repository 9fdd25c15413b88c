//! Compaction of a lake written by `normalize` and `pull`: the part files of each partition
//! merged into one, in place (`normalog compact`). What is merged, and how the commit keeps
//! every row exactly once across crashes, is in [`super::layout`]'s `merging` module; here,
//! how each file format merges.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::layout::merging::{self as plan, Scope};
pub use super::layout::merging::{CompactReport, MergeError, Merged, NextFile, SkipKind, Skipped};
#[cfg(feature = "parquet")]
use super::parquet::{Compression, DEFAULT_ROW_GROUP_ROWS};
use crate::error::Error;

/// What [`compact`] merges, and how it writes the merged files.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CompactOptions {
    /// The tables to compact, by log type (`Zendesk.Audit`) or directory name
    /// (`zendesk_audit`); empty: every table.
    pub tables: Vec<String>,
    /// Only report what would be merged: nothing is written.
    pub dry_run: bool,
    /// The most bytes of part files merged into one file; `None`: no limit.
    pub max_bytes: Option<u64>,
    /// Parquet: the codec of the merged files; `None`: the files' own.
    #[cfg(feature = "parquet")]
    pub compression: Option<Compression>,
    /// Parquet: rows per row group of the merged files.
    #[cfg(feature = "parquet")]
    pub row_group_rows: usize,
    /// Set to stop the run: it stops before its next merge, or before its commit, and
    /// leaves nothing (its temporary files removed).
    pub cancel: Option<Arc<AtomicBool>>,
}

impl Default for CompactOptions {
    fn default() -> Self {
        CompactOptions {
            tables: Vec::new(),
            dry_run: false,
            max_bytes: None,
            #[cfg(feature = "parquet")]
            compression: None,
            #[cfg(feature = "parquet")]
            row_group_rows: DEFAULT_ROW_GROUP_ROWS,
            cancel: None,
        }
    }
}

/// Merge the part files of each partition of the lake `dir` into one, in place: the files
/// of each `pull` state, and those of runs without an identity (`normalize` from standard
/// input); never those of `normalize` runs with an identity, which a re-run replaces.
///
/// A stop ([`CompactOptions::cancel`]) is not an error: the report's `interrupted` says
/// so, and what was committed before it.
///
/// # Errors
///
/// `dir` is not a lake, a table of `opts.tables` is not in it, or writing or renaming
/// files failed. What was committed before stays; a merge cut short leaves only temporary
/// files (or a commit's journal), which the next run into `dir` removes (or completes).
/// [`compact_into`] keeps the report of what was done before the error.
pub fn compact(dir: &Path, opts: &CompactOptions) -> Result<CompactReport, Error> {
    let mut report = CompactReport::default();
    compact_into(dir, opts, &mut report)?;
    Ok(report)
}

/// [`compact`], with what was done written into `report` as it is done, so that it is
/// there also when an error ends the run.
///
/// # Errors
///
/// As [`compact`].
pub fn compact_into(
    dir: &Path,
    opts: &CompactOptions,
    report: &mut CompactReport,
) -> Result<(), Error> {
    let cancelled = || {
        opts.cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    };
    let scope = Scope {
        tables: &opts.tables,
        dry_run: opts.dry_run,
        max_bytes: opts.max_bytes,
        cancelled: &cancelled,
    };
    let merge = |ext: &str,
                 inputs: &[PathBuf],
                 target: Option<u64>,
                 next: NextFile<'_>|
     -> Result<Vec<u64>, MergeError> {
        match ext {
            #[cfg(feature = "parquet")]
            "parquet" => super::parquet::merge_parquet(
                inputs,
                target,
                next,
                opts.compression,
                opts.row_group_rows,
            ),
            "ndjson" => merge_ndjson(inputs, target, next),
            other => Err(MergeError::Refused(format!(
                "{other} files cannot be merged by this build"
            ))),
        }
    };
    plan::compact(dir, &scope, &merge, report)
}

/// NDJSON part files one after the other (a line end added after a file without one), into
/// files opened with `next`: the next one after an input file once `target` bytes are
/// written; returns the lines of each. A file that cannot be read refuses the merge.
fn merge_ndjson(
    inputs: &[PathBuf],
    target: Option<u64>,
    next: NextFile<'_>,
) -> Result<Vec<u64>, MergeError> {
    let unreadable = |path: &Path, e: &std::io::Error| MergeError::Unreadable {
        path: path.to_path_buf(),
        reason: format!("{}: {e}", path.display()),
    };
    let failed = |e: std::io::Error| MergeError::Failed(Error::from(e));
    let finish = |w: BufWriter<File>| -> Result<(), MergeError> {
        let file = w.into_inner().map_err(|e| failed(e.into_error()))?;
        file.sync_all().map_err(failed)
    };
    let mut done = Vec::new();
    let mut w = BufWriter::new(next().map_err(MergeError::Failed)?);
    let (mut lines, mut written) = (0u64, 0u64);
    let mut buf = vec![0u8; 1 << 16];
    for path in inputs {
        if target.is_some_and(|t| written >= t) {
            let full =
                std::mem::replace(&mut w, BufWriter::new(next().map_err(MergeError::Failed)?));
            finish(full)?;
            done.push(std::mem::take(&mut lines));
            written = 0;
        }
        let mut f = File::open(path).map_err(|e| unreadable(path, &e))?;
        let mut last = b'\n';
        loop {
            let n = f.read(&mut buf).map_err(|e| unreadable(path, &e))?;
            if n == 0 {
                break;
            }
            let chunk = &buf[..n];
            lines += memchr::memchr_iter(b'\n', chunk).count() as u64;
            last = chunk[n - 1];
            w.write_all(chunk).map_err(failed)?;
            written += n as u64;
        }
        if last != b'\n' {
            w.write_all(b"\n").map_err(failed)?;
            lines += 1;
            written += 1;
        }
    }
    finish(w)?;
    done.push(lines);
    Ok(done)
}
