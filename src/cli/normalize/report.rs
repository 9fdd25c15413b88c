//! What `normalog normalize` tells while and after it runs: each reject and failed input
//! on stderr (or the rejects into the rejects file) and the progress bar ([`CliObserver`]),
//! and the `--stats` summary, with its warnings about the files written; after a commit
//! into a directory, what it replaced and the columns it added.

use std::io;
use std::path::Path;

use crate::cli::output::{Output, OutputFile, RejectsWriter};
use crate::cli::{messages, progress, STDOUT};
use normalog::pipeline::input::ExpansionExceeded;
use normalog::pipeline::{Observer, Progress, Reject};
use normalog::sink::Summary;

/// `1 input`, `2 inputs`.
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What a run stopped before its end (by a signal, or `--max-rejects`) says of the outputs
/// it cannot take back: those written as it goes (standard output, or a pipe or device
/// given with `-o` or `--rejects`, written in place), which keep what they got so far. A
/// file is written under a temporary name, which the stop removes: `None` when every
/// output is one.
pub(super) fn left_incomplete(events: &Output, rejects: Option<&OutputFile>) -> Option<String> {
    let mut streams = Vec::new();
    match events {
        Output::Stdout(_) => streams.push(format!("the events written to {STDOUT}")),
        Output::File(OutputFile::InPlace(_, path), _) => {
            streams.push(format!("the events written to {}", path.display()));
        }
        _ => {}
    }
    if let Some(OutputFile::InPlace(_, path)) = rejects {
        streams.push(format!("the rejects written to {}", path.display()));
    }
    (!streams.is_empty()).then(|| format!("{} so far are incomplete", streams.join(" and ")))
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
    // API pages without records (a pull's last page) are not records either.
    let empty_pages = if s.empty_pages > 0 {
        format!(
            ", {} without records",
            count(s.empty_pages, "API page", "API pages")
        )
    } else {
        String::new()
    };
    messages::plain(&format!(
        "records: {} in, {} normalized, {} rejected ({} skipped{on_purpose}{empty_pages}{})",
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

/// Reports rejects on stderr or into the rejects file.
pub(super) struct CliObserver<'f> {
    pub(super) rejects: Option<RejectsWriter<'f>>,
    pub(super) quiet: bool,
    pub(super) bar: progress::Bar,
    /// The inputs that could not be read to their end, as named in messages, with the
    /// records read before.
    pub(super) failed: Vec<(String, u64)>,
}

impl Observer for CliObserver<'_> {
    fn rejected(&mut self, reject: &Reject<'_>) -> io::Result<()> {
        if let Some(w) = &mut self.rejects {
            w.write(reject)?;
        } else if !self.quiet {
            let source = messages::shown(reject.source);
            let line = match (reject.index, reject.field) {
                (Some(i), Some(f)) => {
                    format!("{source}: page element {i} of \"{f}\": {}", reject.error)
                }
                (Some(i), None) => format!("{source}: page element {i}: {}", reject.error),
                (None, Some(f)) => format!("{source}: inside \"{f}\": {}", reject.error),
                (None, None) => format!("{source}: {}", reject.error),
            };
            // The library's message names the limit; the flag that sets it is the CLI's.
            let line = if reject.error.code() == "too_long" {
                format!("{line}; --max-record-bytes raises the limit")
            } else {
                line
            };
            self.bar.suspend(|| messages::error(&line));
        }
        Ok(())
    }

    fn document_over_limit(&mut self, source: &str, limit: usize) {
        let source = messages::shown(source);
        // Even with -q: without it, the rejects that follow do not point at the limit.
        let line = format!(
            "note: {source}: a JSON document over --max-document-bytes ({limit}): it is read \
             line by line, as NDJSON; raise --max-document-bytes to read it whole"
        );
        self.bar.suspend(|| messages::error(&line));
    }

    fn document_not_json(&mut self, source: &str, line: u64, column: u64, error: &str) {
        let source = messages::shown(source);
        // Even with -q: the rejects that follow are fragments, the first at line 1.
        let line = format!(
            "note: {source}: starts as a JSON document, but its JSON breaks at line {line}, \
             column {column} ({error}): it is read line by line, as NDJSON"
        );
        self.bar.suspend(|| messages::error(&line));
    }

    fn input_failed(&mut self, source: &str, err: &io::Error, records: u64) {
        let source = messages::shown(source);
        // The run goes on with the other inputs, if any; the summary counts what was read.
        self.failed.push((source.to_string(), records));
        let line = if records == 0 {
            format!("{source}: {err} (input skipped)")
        } else {
            let s = if records == 1 { "" } else { "s" };
            format!(
                "{source}: {err} (after {records} record{s}; the rest of this input is skipped)"
            )
        };
        // The library's message names the ratio; the flag that sets it is the CLI's.
        let line = if ExpansionExceeded::of(err).is_some() {
            format!("{line}; --max-expansion raises the limit")
        } else {
            line
        };
        self.bar.suspend(|| messages::error(&line));
    }

    fn progress(&mut self, progress: &Progress) {
        self.bar.update(progress);
    }
}

/// Say what a re-run removed of the earlier run of the same inputs: its files not written
/// again (a note: another `--partition` or time range writes other files), and above all
/// the tables it had rows in and this run has none, whose rows from these inputs are now
/// gone (a warning: `-t` or other schemas on a re-run are easy to miss, and so are flags
/// that make every record a reject: `rejected` says how many were).
/// A re-run in another `--format` (`ext`: this run's file extension) replaces every file of
/// the earlier one: a warning too, as the lake changes format.
pub(super) fn report_replaced(
    replaced: &normalog::sink::layout::Replaced,
    ext: &str,
    rejected: u64,
    quiet: bool,
    changed: bool,
) {
    // With --replace-changed, the inputs may have changed since those runs read them.
    let again = if changed {
        "read again, as they are now (--replace-changed)"
    } else {
        "read again"
    };
    let runs = match replaced.superseded.len() {
        0 => "the earlier run of the same inputs".to_owned(),
        1 => format!("the earlier run whose inputs this run {again}"),
        n => format!("{n} earlier runs whose inputs this run {again}"),
    };
    let its = if replaced.superseded.len() > 1 {
        "their"
    } else {
        "its"
    };
    if !replaced.tables_gone.is_empty() {
        let why = match rejected {
            0 => "other -t/--log-type or schemas".to_owned(),
            1 => "1 record was rejected; or other -t/--log-type or schemas".to_owned(),
            n => format!("{n} records were rejected; or other -t/--log-type or schemas"),
        };
        messages::error(&format!(
            "warning: {}: {runs} had rows in these tables and this run wrote none ({why}); \
             their files were removed",
            replaced.tables_gone.join(", ")
        ));
    }
    let n = replaced.removed.len();
    let (files_were, were) = if n == 1 {
        ("file was", "was")
    } else {
        ("files were", "were")
    };
    let other_format = replaced
        .removed
        .iter()
        .filter_map(|f| Path::new(f).extension()?.to_str())
        .find(|e| *e != ext);
    if let Some(theirs) = other_format {
        messages::error(&format!(
            "warning: replaced {runs}, which wrote .{theirs} files, with .{ext} files \
             (--format); {n} of {its} {files_were} removed",
        ));
    } else if replaced.tables_gone.is_empty() && n > 0 && !quiet {
        let note = if replaced.superseded.is_empty() {
            format!("{n} of its {files_were} not written again and {were} removed")
        } else {
            // Read again whatever the options: with others (-t, -s, limits), its rows
            // are what this run made of them.
            format!("{its} {n} {files_were} removed")
        };
        messages::error(&format!("note: replaced {runs}; {note}"));
    }
}

/// Warn about the columns a run added to Parquet tables of `dir` whose earlier files lack
/// them: readers that take one file's columns (DuckDB's `read_parquet` by default) do not
/// see them.
pub(super) fn warn_columns_added(dir: &Path, added: &[(String, Vec<String>)]) {
    for (table, columns) in added {
        let table = dir.join(table);
        let table = table.display();
        let (columns_, them) = if columns.len() == 1 {
            ("column", "it")
        } else {
            ("columns", "them")
        };
        messages::error(&format!(
            "warning: {table}: this run added the {columns_} {} that the table's earlier files \
             lack (its schema gained fields); read the table merging the files' columns by \
             name (otherwise a reader takes one file's columns, and either misses {them} or \
             fails on the files without {them}): DuckDB read_parquet('{table}/**/*.parquet', \
             hive_partitioning=true, union_by_name=true), Spark \
             spark.read.option(\"mergeSchema\", \"true\"), pyarrow a dataset given the \
             files' unified schema (README, \"A table keeps its columns\")",
            columns.join(", ")
        ));
    }
}

/// Say which inputs changed while the run read them (review s40-h3 F1): which state of the
/// file the run read is not known, so no later run replaces these rows unless it is given
/// `--replace-changed`, and a re-run of the same file adds them again.
pub(super) fn warn_changed_while_read(loaded: &super::loaded::Loaded) {
    let changed = loaded.changed();
    let Some(first) = changed.first() else {
        return;
    };
    let (more, was, it, its) = match changed.len() {
        1 => (String::new(), "was", "it", "its"),
        2 => (" and 1 more input".to_owned(), "were", "them", "their"),
        n => (
            format!(" and {} more inputs", n - 1),
            "were",
            "them",
            "their",
        ),
    };
    messages::error(&format!(
        "warning: {}: {first}{more} {was} written to (or rotated) while this run read {it}: \
         which state of {it} the run read is not known, so no later run replaces {its} rows \
         but one given --replace-changed (of a file at the same path, not smaller): a later \
         run of {it} adds them again (README: Re-running and appending); run a file once it \
         is complete",
        loaded.dir().display(),
    ));
}

/// Say that earlier runs this run would have superseded are kept, because an input of
/// theirs could not be read: the rows of their other inputs are now there twice.
pub(super) fn warn_kept_for_failed_inputs(loaded: &super::loaded::Loaded) {
    let failed = loaded.failed();
    let kept = loaded.kept();
    if failed.is_empty() || kept == 0 {
        return;
    }
    let runs = if kept == 1 {
        "an earlier run".to_owned()
    } else {
        format!("{kept} earlier runs")
    };
    messages::error(&format!(
        "warning: {runs} that loaded {} {} kept, as this run could not read it to the end \
         (or it changed while read): the rows of any other inputs it shares with this run \
         are there twice, until a run reads them all again",
        failed.join(", "),
        if kept == 1 { "is" } else { "are" }
    ));
}
