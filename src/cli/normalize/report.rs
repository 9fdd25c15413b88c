//! What `normalog normalize` tells while and after it runs: each reject and failed input
//! on stderr (or the rejects into the rejects file) and the progress bar ([`CliObserver`]),
//! and the `--stats` summary, with its warnings about the files written.

use std::io;

use crate::cli::output::RejectsWriter;
use crate::cli::{messages, progress};
use normalog::pipeline::{Observer, Progress, Reject};
use normalog::sink::layout::Partition;
use normalog::sink::Summary;

/// `1 input`, `2 inputs`.
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(super) fn print_stats(s: &Summary, failed_inputs: u64, secs: f64) {
    // Lines skipped on purpose are named only when there are some: the line keeps its shape
    // for JSON logs.
    let on_purpose = if s.skipped_lines > 0 {
        format!(
            ", {} skipped on purpose: skipLines/skipPrefix/header",
            count(s.skipped_lines, "line", "lines")
        )
    } else {
        String::new()
    };
    messages::plain(&format!(
        "records: {} in, {} normalized, {} rejected ({} skipped{on_purpose}{})",
        s.records,
        s.normalized,
        s.rejected,
        count(s.blank_lines, "blank line", "blank lines"),
        if failed_inputs > 0 {
            format!(", {} failed", count(failed_inputs, "input", "inputs"))
        } else {
            String::new()
        }
    ));
    for (lt, n) in &s.by_log_type {
        messages::plain(&format!("  normalized {lt}: {n}"));
    }
    for (reason, n) in &s.rejects_by_reason {
        messages::plain(&format!("  rejected {reason}: {n}"));
    }
    #[allow(clippy::cast_precision_loss)]
    let (mb, recs) = (s.bytes as f64 / 1e6, s.records as f64);
    let secs = secs.max(1e-9);
    messages::plain(&format!(
        "bytes: {}, elapsed: {:.3} s, {:.1} MB/s, {:.0} records/s",
        s.bytes,
        secs,
        mb / secs,
        recs / secs
    ));
}

/// Average rows per part file under which `--stats` warns that the files are too small.
const TINY_FILE_ROWS: u64 = 1000;
/// Files a run must write before `--stats` warns about their size (a sample of a few
/// records makes small files, and that is fine).
const TINY_FILES_MIN: u64 = 100;

/// `--stats` for a directory output: files written, rows per file, and a warning with a
/// coarser layout when files are tiny (each file costs time, a footer and an engine's
/// open, whatever its rows; see README "Choosing a layout").
pub(super) fn print_file_stats(files: u64, extra: u64, rows: u64, partition: Partition) {
    let average = rows.checked_div(files).unwrap_or(0);
    messages::plain(&format!(
        "files: {files} written, {} rows per file on average",
        rows_per_file(rows, files)
    ));
    if extra > 0 {
        messages::error(&format!(
            "warning: {extra} of the {files} files are extra parts of a partition: it was \
             written before its last rows came, to keep within --max-buffered-mib (Parquet) \
             or --max-open-files, and the partition came again (input not in time order); \
             raise them, or sort the input by time, for one file per partition"
        ));
    }
    let coarser = match partition {
        Partition::Hour => "--partition day",
        Partition::Day => "--partition none",
        _ => return,
    };
    if files >= TINY_FILES_MIN && average < TINY_FILE_ROWS {
        messages::error(&format!(
            "warning: {files} files of {} rows on average: files this small cost \
             more to write, store and read than their rows; {coarser} makes fewer, larger \
             files (README: Choosing a layout)",
            rows_per_file(rows, files)
        ));
    }
}

/// `rows / files` for people: one decimal under 10 (`1.4`, not a truncated `1`), rounded
/// to a whole number from there.
fn rows_per_file(rows: u64, files: u64) -> String {
    if files == 0 {
        return "0".into();
    }
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    let average = rows as f64 / files as f64;
    if average < 10.0 {
        format!("{average:.1}")
    } else {
        format!("{average:.0}")
    }
}

/// Reports rejects on stderr or into the rejects file.
pub(super) struct CliObserver<'f> {
    pub(super) rejects: Option<RejectsWriter<'f>>,
    pub(super) quiet: bool,
    pub(super) bar: progress::Bar,
}

impl Observer for CliObserver<'_> {
    fn rejected(&mut self, reject: &Reject<'_>) -> io::Result<()> {
        if let Some(w) = &mut self.rejects {
            w.write(reject)?;
        } else if !self.quiet {
            let line = match (reject.index, reject.field) {
                (Some(i), Some(f)) => format!(
                    "{}: page element {i} of \"{f}\": {}",
                    reject.source, reject.error
                ),
                (Some(i), None) => format!("{}: page element {i}: {}", reject.source, reject.error),
                (None, Some(f)) => format!("{}: inside \"{f}\": {}", reject.source, reject.error),
                (None, None) => format!("{}: {}", reject.source, reject.error),
            };
            self.bar.suspend(|| messages::error(&line));
        }
        Ok(())
    }

    fn input_failed(&mut self, source: &str, err: &io::Error, records: u64) {
        // The run goes on with the other inputs, if any; the summary counts what was read.
        let line = if records == 0 {
            format!("{source}: {err} (input skipped)")
        } else {
            format!("{source}: {err} (after {records} records; the rest of this input is skipped)")
        };
        self.bar.suspend(|| messages::error(&line));
    }

    fn progress(&mut self, progress: &Progress) {
        self.bar.update(progress);
    }
}

#[cfg(test)]
mod tests {
    use super::rows_per_file;

    #[test]
    fn rows_per_file_is_rounded_not_truncated() {
        assert_eq!(rows_per_file(21, 11), "1.9");
        assert_eq!(rows_per_file(3000, 2100), "1.4");
        assert_eq!(rows_per_file(99, 10), "9.9");
        assert_eq!(rows_per_file(200_000, 2598), "77");
        assert_eq!(rows_per_file(1000, 1), "1000");
        assert_eq!(rows_per_file(5, 0), "0");
    }
}
