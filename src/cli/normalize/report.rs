//! What `normalog normalize` tells while and after it runs: each reject and failed input
//! on stderr (or the rejects into the rejects file) and the progress bar ([`CliObserver`]),
//! and the `--stats` summary, with its warnings about the files written.

use std::io;

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

    fn input_failed(&mut self, source: &str, err: &io::Error, records: u64) {
        let source = messages::shown(source);
        // The run goes on with the other inputs, if any; the summary counts what was read.
        self.failed.push((source.to_string(), records));
        let line = if records == 0 {
            format!("{source}: {err} (input skipped)")
        } else {
            format!("{source}: {err} (after {records} records; the rest of this input is skipped)")
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
