//! `normalog compact`: merge the part files of a lake's partitions (see
//! [`normalog::sink::compact`]), and report what was merged and what was left.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use clap::Args;

use normalog::sink::compact::{compact_into, CompactOptions, CompactReport};

use super::messages::{self, thousands};
use super::normalize::{at_least_one, CompressionArg};
use super::output::{say_recovered, FileSize};
use super::signals::Interrupt;
use super::{Fatal, EXIT_OK, EXIT_REJECTS};

/// The arguments of `normalog compact`.
#[derive(Debug, Args)]
pub struct CompactArgs {
    /// The lake: the -o DIR of normalize or pull.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Only this table, named by its log type (Zendesk.Audit) or by its directory.
    /// Repeatable. Default: every table.
    #[arg(short = 't', long = "table", value_name = "NAME")]
    pub tables: Vec<String>,

    /// Say what would be merged, and change nothing. It goes by the files' names and
    /// sizes: files that cannot be read, or whose columns cannot make one table, are found
    /// by the run that merges (and left, with the reason). Commits that wait are said; the
    /// temporary files of an interrupted run are neither removed nor counted.
    #[arg(long)]
    pub dry_run: bool,

    /// The size merged files are cut at, as normalize cuts its part files: a partition
    /// holding more becomes files of about SIZE and a last, smaller one; a file of three
    /// quarters of SIZE or more is left as it is (merged again with a few new files, it
    /// would be rewritten whole at every compaction). A Parquet file holds at least 8,192
    /// rows whatever SIZE is. Units as for normalize's --target-file-size ('none' for no
    /// limit). Default: 512MiB.
    #[arg(long, value_name = "SIZE", value_parser = FileSize::parse)]
    pub target_file_size: Option<FileSize>,

    /// Parquet: the compression of the merged files. Default: the files' own.
    #[arg(long, value_enum, value_name = "CODEC")]
    pub compression: Option<CompressionArg>,

    /// Parquet: rows per row group of the merged files. Default: 65536.
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    pub row_group_rows: Option<usize>,

    /// List every merge (file names), not only the totals per table.
    #[arg(short, long)]
    pub verbose: bool,

    /// Print only errors.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
}

/// Run `compact`; the exit status.
pub(super) fn run(args: &CompactArgs, interrupt: Option<&Interrupt>) -> Result<u8, Fatal> {
    if !args.dir.is_dir() {
        let what = if args.dir.exists() {
            "not a directory"
        } else {
            "no such directory"
        };
        return Err(Fatal::Message(format!(
            "{}: {what} (give the -o DIR of normalize or pull)",
            args.dir.display()
        )));
    }
    let mut opts = CompactOptions::default();
    // Given as written: the library matches them to directories, and names a missing one
    // as the user wrote it.
    opts.tables.clone_from(&args.tables);
    opts.dry_run = args.dry_run;
    opts.max_bytes = args.target_file_size.unwrap_or_default().0;
    opts.compression = args.compression.map(Into::into);
    if let Some(n) = args.row_group_rows {
        opts.row_group_rows = n;
    }
    opts.cancel = interrupt.map(Interrupt::flag);
    let mut report = CompactReport::default();
    let result = compact_into(&args.dir, &opts, &mut report);
    if !args.quiet {
        say_recovered(&args.dir, &report.recovered);
    }
    // What was done before an error, too: those tables are compacted.
    print_report(args, &report, result.is_ok());
    // An error of the library names a file when it has one; say which run stopped, and
    // that what it had not committed is as it was.
    result.map_err(|e| {
        let after = if args.dry_run || report.merged.is_empty() {
            "nothing was changed"
        } else {
            "the tables listed above were compacted; the partitions it had not committed are \
             as they were"
        };
        // The library's message names the lake first when it is about the lake itself.
        let dir = format!("{}: ", args.dir.display());
        let e = e.to_string();
        let e = e.strip_prefix(&dir).unwrap_or(&e);
        Fatal::Message(format!("{dir}compaction stopped: {e}; {after}"))
    })?;
    if report.interrupted {
        let done = match report.merged.len() {
            0 => "nothing was committed".to_owned(),
            _ if !args.quiet => "the merges listed above were committed, nothing else".to_owned(),
            n => format!("{n} merges were committed, nothing else"),
        };
        return Err(Fatal::Interrupted(format!(
            "stopped; {done}, temporary files removed"
        )));
    }
    let refused = report.skipped.iter().any(|s| s.kind.needs_attention());
    Ok(if refused { EXIT_REJECTS } else { EXIT_OK })
}

/// Totals per table on stderr (each merge with `--verbose`), then what was skipped; with
/// `--quiet`, only the files that could not be merged.
fn print_report(args: &CompactArgs, report: &CompactReport, finished: bool) {
    if !args.quiet {
        print_totals(args, report, finished);
    }
    // One line per table and reason: a pull that runs skips every partition it wrote.
    let mut skipped: BTreeMap<(&str, &str), (BTreeSet<&Path>, usize)> = BTreeMap::new();
    for s in &report.skipped {
        if args.quiet && !s.kind.needs_attention() {
            continue;
        }
        let e = skipped.entry((&s.table, &s.reason)).or_default();
        e.0.insert(&s.partition);
        e.1 += s.files;
    }
    for ((table, reason), (partitions, files)) in skipped {
        messages::error(&format!(
            "{table}: {} partition(s), {} files left as they are: {reason}",
            thousands(partitions.len() as u64),
            thousands(files as u64)
        ));
    }
}

/// Totals per table (each merge with `--verbose`); `finished`: the run was not ended by
/// an error (else "nothing to merge" would not be true).
fn print_totals(args: &CompactArgs, report: &CompactReport, finished: bool) {
    if report.pending_commits > 0 {
        messages::error(&format!(
            "{}: {} commit(s) of other runs wait in _normalog/commits (of interrupted runs, \
             or of runs committing now): a compaction that is not dry completes those of \
             interrupted runs first, so what it merges may differ from this list",
            args.dir.display(),
            report.pending_commits
        ));
    }
    let verb = if args.dry_run {
        "would merge"
    } else {
        "merged"
    };
    for table in &report.tables {
        let merges: Vec<_> = report.merged.iter().filter(|m| &m.table == table).collect();
        if merges.is_empty() {
            continue;
        }
        if args.verbose {
            for m in &merges {
                let names = |paths: &[PathBuf]| -> String {
                    let names: Vec<String> =
                        paths.iter().map(|p| p.display().to_string()).collect();
                    names.join(" ")
                };
                messages::plain(&format!(
                    "{verb} {} -> {}",
                    names(&m.inputs),
                    names(&m.outputs)
                ));
            }
        }
        let files: usize = merges.iter().map(|m| m.inputs.len()).sum();
        let before: u64 = merges.iter().map(|m| m.bytes_before).sum();
        if args.dry_run {
            // How many files they make is known only once they are written (cut at the
            // target size).
            messages::plain(&format!(
                "{table}: would merge {} files ({}) in {} partition(s)",
                thousands(files as u64),
                size(before),
                thousands(merges.len() as u64)
            ));
        } else {
            let after: u64 = merges.iter().map(|m| m.bytes_after).sum();
            let rows: u64 = merges.iter().map(|m| m.rows).sum();
            let outputs: usize = merges.iter().map(|m| m.outputs.len()).sum();
            messages::plain(&format!(
                "{table}: merged {} files ({}) into {} ({}), {} rows",
                thousands(files as u64),
                size(before),
                thousands(outputs as u64),
                size(after),
                thousands(rows)
            ));
        }
    }
    if finished && report.merged.is_empty() && report.skipped.is_empty() && !report.interrupted {
        messages::plain(&format!(
            "{}: nothing to merge ({} table(s) looked at)",
            args.dir.display(),
            report.tables.len()
        ));
    }
    if finished && report.named_left_alone > 0 {
        messages::plain(&format!(
            "{}: {} file(s) of normalize runs with named inputs share partitions with other \
             files and were left alone (a re-run of those inputs replaces exactly them); one \
             run of all those inputs together writes one file per partition",
            args.dir.display(),
            report.named_left_alone
        ));
    }
}

/// `bytes` for a person: `512 B`, `3.4 kB`, `14.2 MB`, `1.3 GB` (powers of 1000).
fn size(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    match bytes {
        0..=999 => format!("{bytes} B"),
        // Up to what rounds to 999.9 of the unit, not to 1000.0.
        1_000..=999_949 => format!("{:.1} kB", b / 1e3),
        999_950..=999_949_999 => format!("{:.1} MB", b / 1e6),
        _ => format!("{:.1} GB", b / 1e9),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_at_a_glance() {
        let cases = [
            (0, "0 B"),
            (999, "999 B"),
            (1_000, "1.0 kB"),
            (3_449, "3.4 kB"),
            (999_949, "999.9 kB"),
            (999_999, "1.0 MB"),
            (14_200_000, "14.2 MB"),
            (1_300_000_000, "1.3 GB"),
        ];
        for (bytes, shown) in cases {
            assert_eq!(super::size(bytes), shown);
        }
    }
}
