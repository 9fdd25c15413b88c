//! The `--stats` lines about the files a run wrote into a directory output (`normalize` and
//! `pull`): how many, their rows, and warnings when they are tiny or a partition got more
//! than one.

use crate::cli::messages;
use normalog::sink::layout::Partition;

/// Average rows per part file under which `--stats` warns that the files are too small.
const TINY_FILE_ROWS: u64 = 1000;
/// Files a run must write before `--stats` warns about their size (a sample of a few
/// records makes small files, and that is fine).
const TINY_FILES_MIN: u64 = 100;

/// What a run's files were: how many, with how many extra parts of a partition
/// ([`print_file_stats`]), and the rows that went through disk.
pub(super) struct FileStats {
    pub(super) files: u64,
    pub(super) extra: u64,
    pub(super) rows: u64,
    pub(super) partition: Partition,
    pub(super) spilled: u64,
    /// Files closed at `--target-file-size`, when the output counts them.
    pub(super) rotated: Option<u64>,
    /// Parquet (rows held back, spilled and merged per partition), not NDJSON (written as
    /// they come): the causes of extra parts differ.
    pub(super) parquet: bool,
}

/// `--stats` for a directory output: files written, rows per file, rows spilled, files
/// closed at the target size; then warnings: extra parts, and tiny files with a coarser
/// layout (each file costs time, a footer and an engine's open, whatever its rows; see
/// README "Choosing a layout").
pub(super) fn print_file_stats(stats: &FileStats) {
    let FileStats {
        files,
        extra,
        rows,
        partition,
        spilled,
        rotated,
        parquet,
    } = *stats;
    let average = rows.checked_div(files).unwrap_or(0);
    if files == 0 {
        messages::plain("files: none written");
        return;
    }
    messages::plain(&format!(
        "files: {files} written, {} rows per file on average",
        rows_per_file(rows, files)
    ));
    if spilled > 0 {
        // Input out of time order: its partitions' rows come a few at a time, and are
        // spilled once the rows held back take an eighth of their memory.
        messages::plain(&format!(
            "  {spilled} rows spilled to disk and merged at the end, for one file per \
             partition (input not in time order, or its partitions did not fit in \
             --max-buffered-mib)"
        ));
    }
    if let Some(rotated) = rotated.filter(|&n| n > 0) {
        // Only Parquet files have row groups, whose metadata can close a file.
        let metadata = if parquet {
            " (or, for a table of thousands of columns, once the metadata of their row groups \
             reached its limit, see README)"
        } else {
            ""
        };
        messages::plain(&format!(
            "  {rotated} files closed at --target-file-size{metadata}, the partition going on \
             in its next part"
        ));
    }
    if extra > 0 {
        // The cause named by the format: "the input went back in time" was said of input in
        // time order whose tables outnumbered --max-open-files, and of shuffled input into
        // NDJSON, which gets a file per visit to a partition (review finding).
        let why = if parquet {
            "its file was closed to stay within --max-open-files (more tables, or partitions \
             of over 8,192 rows, written at once than it allows) or its rows written early \
             to stay within --max-buffered-mib, and the partition came again: raise \
             --max-open-files (at least the number of tables) or --max-buffered-mib"
        } else {
            "NDJSON is written as it comes, and a partition's file is closed when more \
             partitions than --max-open-files are open at once: when the partition comes \
             again (input not in time order, or more tables at once than the limit) it gets \
             another file; sort the input by time, raise --max-open-files, or write Parquet \
             (which holds rows back and merges them: one file per partition)"
        };
        messages::error(&format!(
            "warning: {extra} of the {files} files are extra parts of a partition: {why}"
        ));
    }
    // A day holds at most 24 hours: day files average at most 24 times the hour files'
    // rows, so hour files that small are tiny as days too.
    let coarser = match partition {
        Partition::Hour if average.saturating_mul(24) < TINY_FILE_ROWS => {
            "--partition none makes fewer, larger files (--partition day would still make \
             files of fewer than 1,000 rows)"
        }
        Partition::Hour => "--partition day makes fewer, larger files",
        Partition::Day => "--partition none makes fewer, larger files",
        _ => return,
    };
    if files >= TINY_FILES_MIN && average < TINY_FILE_ROWS {
        messages::error(&format!(
            "warning: {files} files of {} rows on average: files this small cost \
             more to write, store and read than their rows; {coarser} (README: Choosing a \
             layout)",
            rows_per_file(rows, files)
        ));
    }
}

/// `rows / files` for people: one decimal under 10 (`1.4`, not a truncated `1`), rounded
/// to a whole number from there. A whole number is written without its decimal under 10
/// too (`1`, not `1.0`), as it is above (`31`): "1.0 rows per file" beside "31 rows per
/// file" read as two formats.
fn rows_per_file(rows: u64, files: u64) -> String {
    if files == 0 {
        return "0".into();
    }
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    let average = rows as f64 / files as f64;
    if average < 10.0 {
        let text = format!("{average:.1}");
        match text.strip_suffix(".0") {
            Some(whole) => whole.to_owned(),
            None => text,
        }
    } else {
        format!("{average:.0}")
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
        // Whole numbers look alike on both sides of 10.
        assert_eq!(rows_per_file(150, 148), "1");
        assert_eq!(rows_per_file(300, 100), "3");
        assert_eq!(rows_per_file(999, 100), "10");
        assert_eq!(rows_per_file(3100, 100), "31");
    }
}
