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

/// `--stats` when rows went through disk: the input's partitions, in the order it came, did
/// not fit in `--max-buffered-mib`.
pub(super) fn print_spilled(spilled: u64) {
    if spilled > 0 {
        messages::plain(&format!(
            "  {spilled} rows spilled to disk and merged at the end, for one file per \
             partition: in the order the input came, its partitions did not fit in \
             --max-buffered-mib"
        ));
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
