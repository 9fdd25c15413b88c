//! The text rows of `normalog bench`: each text log type (`parser: fastmatch`, `regex` or
//! `csv`) gets its own generated lines (as many records as the JSON data) and a parse-stage
//! row, in MB/s of input bytes, beside the JSON rows of the same run.
//!
//! A file of generated lines may start with a preamble its reader skips (a CSV header,
//! `skipLines` lines). Each thread reads its part of the records as an input of its own, so
//! each part starts with the preamble, as each file of a real export does.
//!
//! Beside each text row, its JSON twin: the same fields as a JSON log type (the schema
//! without its `parser`), with as many generated JSON records, through the JSON path. The
//! JSON rows above measure other log types, whose records do other work per byte (the
//! shipped ones: long strings, few numbers and indicators); the twin compares the two paths
//! on the same fields, decoders and indicators. The two are measured in turn, in each round.

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
    twin: Twin,
}

/// The JSON twin of a text row (see the module docs).
struct Twin {
    /// Holds the twin alone.
    registry: Registry,
    name: String,
    data: Vec<u8>,
    best: Option<Measured>,
}

impl Twin {
    /// The twin of text log type `name`: its schema without the parser, named
    /// `<name>.AsJson`, and `records` generated JSON records for it.
    fn new(
        registry: &Registry,
        name: &str,
        records: u64,
        opts: &GenOptions,
    ) -> Result<Twin, Fatal> {
        let fatal = |e: &dyn std::fmt::Display| Fatal::Message(format!("JSON twin of {name}: {e}"));
        let mut schema = registry
            .get(name)
            .ok_or_else(|| fatal(&"not loaded"))?
            .schema()
            .clone();
        schema.parser = None;
        schema.schema = format!("{name}.AsJson");
        let name = schema.schema.clone();
        let mut twin_registry = Registry::new();
        twin_registry.add(schema).map_err(|e| fatal(&e))?;
        let mut generator =
            Generator::new(&twin_registry, &[name.as_str()], opts).map_err(|e| fatal(&e))?;
        Ok(Twin {
            data: generator.generate(records),
            registry: twin_registry,
            name,
            best: None,
        })
    }

    fn measure(&mut self, threads: usize) -> Result<(), Fatal> {
        let parts = split_after(&self.data, 0, threads);
        let m = Row::Parse.measure(&self.registry, std::slice::from_ref(&self.name), &parts)?;
        keep_best(&mut self.best, m);
        Ok(())
    }
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
            twin: Twin::new(registry, name, records, opts)?,
        })
    }

    pub(super) fn bytes(&self) -> usize {
        self.data.len()
    }

    /// One run of the parse stage over this row's lines, on `threads` threads (each part
    /// after the preamble), and one over its twin's records; round `round` decides which
    /// goes first.
    pub(super) fn measure(
        &mut self,
        registry: &Registry,
        threads: usize,
        round: u32,
    ) -> Result<(), Fatal> {
        let twin_first = !round.is_multiple_of(2);
        if twin_first {
            self.twin.measure(threads)?;
        }
        let parts = split_after(&self.data, self.preamble_lines, threads);
        let m = Row::Parse.measure(registry, std::slice::from_ref(&self.name), &parts)?;
        keep_best(&mut self.best, m);
        if !twin_first {
            self.twin.measure(threads)?;
        }
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
         (events, no output), MB/s of input bytes; each with its JSON twin (the same fields \
         as a JSON log type, as many generated JSON records); \"vs twin\" is per byte, as \
         \"vs JSON\" (per record, compare records/s: a text line is shorter than its JSON)"
    )?;
    writeln!(
        out,
        "{:<40} {:>9} {:>12} {:>8} {:>8}  records",
        "path", "MB/s", "records/s", "vs JSON", "vs twin"
    )?;
    let percent = |rate: f64, of: Option<f64>| {
        of.map_or_else(|| "-".to_owned(), |j| format!("{:.1}%", rate / j * 100.0))
    };
    for row in rows {
        let (Some(m), Some(t)) = (&row.best, &row.twin.best) else {
            continue;
        };
        let rate = mb(row.bytes()) / m.secs;
        let twin_rate = mb(row.twin.data.len()) / t.secs;
        for (path, rate, m, bytes, vs_json, vs_twin) in [
            (
                format!("text: {} ({})", row.name, row.parser),
                rate,
                m,
                row.bytes(),
                percent(rate, json_parse),
                percent(rate, Some(twin_rate)),
            ),
            (
                format!("  its JSON twin, {}", row.twin.name),
                twin_rate,
                t,
                row.twin.data.len(),
                percent(twin_rate, json_parse),
                "-".to_owned(),
            ),
        ] {
            let records = m.ok + m.rejected;
            writeln!(
                out,
                "{path:<40} {rate:>9.1} {:>12} {vs_json:>8} {vs_twin:>8}  {} normalized, {} \
                 rejected ({:.1} MB, {:.0} B/record)",
                thousands(as_f64(records) / m.secs),
                m.ok,
                m.rejected,
                mb(bytes),
                as_f64(bytes as u64) / as_f64(records.max(1)),
            )?;
        }
    }
    out.flush()
}

/// Warn of each text row whose share of rejected lines fell far short of `--invalid-rate`
/// (as `gen` does): a pattern that takes any text where gen breaks a value makes the line
/// valid, and the header's rate would misstate what was measured.
pub(super) fn warn_short_of_invalid(rows: &[TextRow], rate: f64) {
    for row in rows {
        let Some(m) = &row.best else { continue };
        let n = m.ok + m.rejected;
        if crate::cli::gen_cmd::far_short_of(rate, n, m.rejected) {
            messages::error(&format!(
                "warning: {}: {} of {n} lines were rejected, far short of --invalid-rate \
                 {rate}: gen cannot make most of its lines invalid (its parser takes what gen \
                 can change in them)",
                row.name, m.rejected
            ));
        }
    }
}

/// Whether every text row's events and rejects add up to the records generated.
pub(super) fn counts_add_up(rows: &[TextRow], records: u64) -> bool {
    let adds_up = |m: &Option<Measured>| m.as_ref().is_some_and(|m| m.ok + m.rejected == records);
    rows.iter()
        .all(|r| adds_up(&r.best) && adds_up(&r.twin.best))
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
    for round in 0..args.repeat {
        for row in rows.iter_mut() {
            row.measure(registry, args.threads, round)?;
        }
    }
    // The run's settings, as the JSON table's header gives them.
    writeln!(
        io::stdout().lock(),
        "normalog bench: {} records per text log type, seed {}, {:.1}% invalid; {} thread{}; \
         time of a row: best of {} run{}",
        args.records,
        args.seed,
        args.invalid_rate * 100.0,
        args.threads,
        if args.threads == 1 { "" } else { "s" },
        args.repeat,
        if args.repeat == 1 { "" } else { "s" },
    )?;
    print_rows(rows, None)?;
    warn_short_of_invalid(rows, args.invalid_rate);
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
        crate::cli::gen_cmd::asked_once(asked)
    };
    chosen
        .into_iter()
        .partition(|n| registry.get(n).is_some_and(|p| p.is_text()))
}
