//! The text rows of `normalog bench`: each text log type (`parser: fastmatch`, `regex` or
//! `csv`) gets its own generated lines (as many records as the JSON data) and a parse-stage
//! row, in MB/s of input bytes, beside the JSON rows of the same run.
//!
//! A file of generated lines may start with a preamble its reader skips (a CSV header,
//! `skipLines` lines). Each thread reads its part of the records as an input of its own, so
//! each part starts with the preamble, as each file of a real export does.

use std::io::{self, Write};
use std::time::Instant;

use super::measure::{keep_best, split_after, Measured};
use super::report::{as_f64, mb, thousands};
use super::rows::Row;
use super::{messages, BenchArgs, Fatal, EXIT_FATAL, EXIT_OK};
use normalog::gen::{GenOptions, Generator};
use normalog::Registry;

/// One text log type's data and its best run so far.
pub(super) struct TextRow {
    pub(super) name: String,
    /// `fastmatch`, `regex` or `csv`.
    parser: &'static str,
    /// The preamble, then the records.
    data: Vec<u8>,
    /// Lines of the preamble.
    preamble_lines: usize,
    pub(super) best: Option<Measured>,
}

impl TextRow {
    /// The row of text log type `name`, with `records` generated lines.
    pub(super) fn new(
        registry: &Registry,
        name: &str,
        records: u64,
        opts: &GenOptions,
    ) -> Result<TextRow, Fatal> {
        let mut generator =
            Generator::new(registry, &[name], opts).map_err(|e| Fatal::Message(e.to_string()))?;
        let parser = registry
            .get(name)
            .and_then(|p| p.schema().parser.as_ref())
            .map_or("text", |p| {
                if p.regex.is_some() {
                    "regex"
                } else if p.csv.is_some() {
                    "csv"
                } else {
                    "fastmatch"
                }
            });
        let preamble_lines = memchr::memchr_iter(b'\n', generator.preamble()).count();
        Ok(TextRow {
            name: name.to_owned(),
            parser,
            data: generator.generate(records),
            preamble_lines,
            best: None,
        })
    }

    pub(super) fn bytes(&self) -> usize {
        self.data.len()
    }

    /// One run of the parse stage over this row's lines, on `threads` threads (each part
    /// after the preamble).
    pub(super) fn measure(&mut self, registry: &Registry, threads: usize) -> Result<(), Fatal> {
        let parts = split_after(&self.data, self.preamble_lines, threads);
        let m = Row::Parse.measure(registry, std::slice::from_ref(&self.name), &parts)?;
        keep_best(&mut self.best, m);
        Ok(())
    }
}

/// The text rows under the JSON table; `json_parse` (the JSON parse-stage row's MB/s) gives
/// the ratio column.
pub(super) fn print_rows(rows: &[TextRow], json_parse: Option<f64>) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "text log types: their own generated lines, as many records; parse stage only \
         (events, no output), MB/s of input bytes"
    )?;
    writeln!(
        out,
        "{:<40} {:>9} {:>12} {:>8}  records",
        "path", "MB/s", "records/s", "vs JSON"
    )?;
    for row in rows {
        let Some(m) = &row.best else { continue };
        let rate = mb(row.bytes()) / m.secs;
        let records = m.ok + m.rejected;
        let vs = json_parse.map_or_else(|| "-".to_owned(), |j| format!("{:.1}%", rate / j * 100.0));
        writeln!(
            out,
            "{:<40} {:>9.1} {:>12} {:>8}  {} normalized, {} rejected ({:.1} MB, {:.0} B/record)",
            format!("text: {} ({})", row.name, row.parser),
            rate,
            thousands(as_f64(records) / m.secs),
            vs,
            m.ok,
            m.rejected,
            mb(row.bytes()),
            as_f64(row.bytes() as u64) / as_f64(records.max(1)),
        )?;
    }
    out.flush()
}

/// Whether every text row's events and rejects add up to the records generated.
pub(super) fn counts_add_up(rows: &[TextRow], records: u64) -> bool {
    rows.iter().all(|r| {
        r.best
            .as_ref()
            .is_some_and(|m| m.ok + m.rejected == records)
    })
}

/// The rows of the text log types `names`, each with `records` generated lines.
pub(super) fn generate(
    registry: &Registry,
    names: &[String],
    records: u64,
    opts: &GenOptions,
) -> Result<Vec<TextRow>, Fatal> {
    let mut rows = Vec::new();
    for name in names {
        let started = Instant::now();
        let row = TextRow::new(registry, name, records, opts)?;
        messages::plain(&format!(
            "generated {records} {name} lines, {:.1} MB in {:.2} s",
            mb(row.bytes()),
            started.elapsed().as_secs_f64()
        ));
        rows.push(row);
    }
    Ok(rows)
}

/// Only text rows (no JSON log type asked for, or `--only text`): `--repeat` runs each.
pub(super) fn run_alone(
    rows: &mut [TextRow],
    registry: &Registry,
    args: &BenchArgs,
) -> Result<u8, Fatal> {
    for _ in 0..args.repeat {
        for row in rows.iter_mut() {
            row.measure(registry, args.threads)?;
        }
    }
    print_rows(rows, None)?;
    if !counts_add_up(rows, args.records) {
        messages::error("record counts do not add up");
        return Ok(EXIT_FATAL);
    }
    Ok(EXIT_OK)
}

/// The log types asked for (every loaded one by default) as `(text, JSON)`. Unknown names
/// stay with the JSON ones: the generator's error lists the loaded types.
pub(super) fn split_names(registry: &Registry, asked: &[String]) -> (Vec<String>, Vec<String>) {
    let chosen: Vec<String> = if asked.is_empty() {
        registry.log_types().map(str::to_owned).collect()
    } else {
        asked.to_vec()
    };
    chosen
        .into_iter()
        .partition(|n| registry.get(n).is_some_and(|p| p.is_text()))
}
