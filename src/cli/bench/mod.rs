//! `normalog bench`: generate records in memory and measure each stage against the raw
//! simd-json tape parse of the same lines on the same threads.
//!
//! Every row runs the same work split: the data is cut into `--threads` parts on line
//! boundaries, each part on its own thread with its own state (simd-json buffers, or a
//! [`Normalizer`]); line boundaries are found once, before timing, so every row measures
//! parsing only, and each record is copied into a reused buffer first in every row (simd-json
//! parses in place). The time of a run is wall clock from the first thread's start to the
//! last thread's end.
//!
//! The machine may be shared, and a burst of load from elsewhere slows whatever runs at the
//! time. So the raw, parse and NDJSON rows are measured slice by slice: the data is cut into
//! slices of at least 64 MiB per thread (twice the last-level cache of common server CPUs, so
//! each slice streams from memory; smaller data is one slice), each round runs the three rows
//! on slice 1, then on slice 2, and so on, starting with another row each round (whatever a
//! row leaves in a cache helps each row alike), and a row's time is the sum over the slices
//! of its best run of each slice, out of `--repeat` rounds. The rows compared are measured
//! side by side, and a burst spoils one slice's run instead of the row. Parquet writes files,
//! so its runs cover the whole data, one per round, and its row keeps the best; its share of
//! raw is then on the safe side (the raw row's sum of best slices is at most its best whole
//! run).
#![allow(clippy::doc_markdown)] // doc comments of the args are --help text

mod measure;
mod report;
mod rows;
mod text;

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Instant;

use self::measure::{best, keep_best, slices, split, sum_of, Measured, Rounds};
use self::report::{as_f64, mb, print_table, thousands};
use self::rows::{parquet_row, Row};
use super::{messages, Fatal, EXIT_FATAL, EXIT_OK};
use normalog::gen::GenOptions;
use normalog::NormalizerBuilder;

/// `normalog bench`.
#[derive(Debug, clap::Args)]
#[command(rename_all = "kebab-case")]
pub struct BenchArgs {
    /// Log types to generate and normalize. Repeatable. The JSON ones are mixed at random in
    /// the JSON rows; each text log type (parser: fastmatch, regex or csv) gets its own lines
    /// and row, and a row for its JSON twin: the same fields as a JSON log type
    /// (`<name>.AsJson`), on as many generated JSON records (the two paths compared on the
    /// same fields; with --invalid-rate, each breaks its own records). Default: every loaded
    /// log type.
    #[arg(short = 't', long = "log-type", value_name = "NAME")]
    pub log_types: Vec<String>,

    /// Number of records generated in memory.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 200_000)]
    pub records: u64,

    /// Worker threads; every row splits the data the same way.
    #[arg(short = 'j', long, value_name = "N", default_value_t = 1)]
    pub threads: usize,

    /// Rounds of runs: each row keeps its best run of each slice of the data (slices of at
    /// least 64 MiB per thread, interleaved row by row), Parquet its best whole run.
    #[arg(long, value_name = "K", default_value_t = 3)]
    pub repeat: u32,

    /// Seed of the generated data.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,

    /// Share of invalid records in the generated data, from 0 to 1.
    #[arg(long, value_name = "R", default_value_t = 0.0)]
    pub invalid_rate: f64,

    /// Schema file or directory. Repeatable. Default: the built-in schemas.
    #[arg(short = 's', long = "schemas", value_name = "PATH")]
    pub schemas: Vec<PathBuf>,

    /// Load the built-in schemas (Zendesk.Audit, Zoom.Activity, Zoom.Operation) beside those
    /// of -s, to mix their records with yours. Without -s they are loaded anyway.
    #[arg(long)]
    pub builtin: bool,

    /// Run only this path, over the whole data, --repeat times (for profilers); prints the
    /// best run (no slices).
    #[arg(long, value_enum, value_name = "PATH")]
    pub only: Option<BenchPath>,
}

/// A measured path, for `--only`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchPath {
    /// The raw simd-json tape parse.
    Raw,
    /// The parse stage without output.
    Parse,
    /// Normalize to NDJSON.
    Ndjson,
    /// Normalize to Parquet (zstd) in a temporary directory, $TMPDIR/normalog-bench-PID-TOKEN
    /// (removed at the end; one left by a killed bench is removed by the next bench).
    Parquet,
    /// The parse stage of each text log type, on its own lines, and of its JSON twin.
    Text,
}

/// With text log types alone, `--only` may ask for their path only: the others are a JSON
/// log type's, and none was given to run them with.
fn text_only(only: Option<BenchPath>) -> Result<(), Fatal> {
    match only {
        Some(only) if only != BenchPath::Text => Err(Fatal::Message(format!(
            "--only {}: no JSON log type to run it with (the log types given are text ones): \
             use --only text, or add a JSON log type (--builtin for the built-in ones)",
            only.flag()
        ))),
        _ => Ok(()),
    }
}

/// `--only`: one path over the whole data, its best of `--repeat` runs.
fn run_only(
    only: BenchPath,
    args: &BenchArgs,
    registry: &normalog::Registry,
    names: &[String],
    parts: &[Vec<&[u8]>],
    bytes: usize,
) -> Result<u8, Fatal> {
    let m = best(args.repeat, || match only {
        BenchPath::Raw => Row::Raw.measure(registry, names, parts),
        BenchPath::Parse | BenchPath::Text => Row::Parse.measure(registry, names, parts),
        BenchPath::Ndjson => Row::Ndjson.measure(registry, names, parts),
        BenchPath::Parquet => parquet_row(registry, names, parts, 1),
    })?;
    writeln!(
        io::stdout().lock(),
        "--only {}: {:.1} MB/s, {} records/s",
        only.flag(),
        mb(bytes) / m.secs,
        thousands(as_f64(args.records) / m.secs)
    )?;
    Ok(EXIT_OK)
}

/// With JSON log types alone, `--only text` has nothing to run.
fn json_only(only: Option<BenchPath>) -> Result<(), Fatal> {
    if only == Some(BenchPath::Text) {
        return Err(Fatal::Message(
            "--only text: no text log type to run it with (the log types given are JSON \
             ones): load a schema with a csv, regex or fastmatch parser with -s"
                .into(),
        ));
    }
    Ok(())
}

impl BenchPath {
    /// As `--only` names it.
    fn flag(self) -> &'static str {
        match self {
            BenchPath::Raw => "raw",
            BenchPath::Parse => "parse",
            BenchPath::Ndjson => "ndjson",
            BenchPath::Parquet => "parquet",
            BenchPath::Text => "text",
        }
    }
}

/// The counts of `args` that cannot be zero.
fn at_least_one(args: &BenchArgs) -> Result<(), Fatal> {
    for (flag, zero) in [
        ("--threads", args.threads == 0),
        ("--repeat", args.repeat == 0),
        ("--records", args.records == 0),
    ] {
        if zero {
            return Err(Fatal::Message(format!("{flag} 0: must be at least 1")));
        }
    }
    Ok(())
}

pub(super) fn run(args: &BenchArgs) -> Result<u8, Fatal> {
    at_least_one(args)?;
    let opts = GenOptions {
        seed: args.seed,
        invalid_rate: args.invalid_rate,
        records: Some(args.records),
        ..GenOptions::default()
    };
    let registry = super::load_registry(&args.schemas, args.builtin)?;
    // Claimed before the others' are looked at: a bench started meanwhile holds its own.
    let _dir_lock = rows::DirLock::claim();
    for dir in rows::remove_stale_dirs() {
        messages::error(&format!(
            "removed {}: left by an interrupted bench",
            dir.display()
        ));
    }
    let (text_names, names) = text::split_names(&registry, &args.log_types);
    if names.is_empty() {
        text_only(args.only)?;
    }
    if text_names.is_empty() {
        json_only(args.only)?;
    }
    let mut text_rows = text::generate(&registry, &text_names, args.records, &opts)?;
    if names.is_empty() || args.only == Some(BenchPath::Text) {
        return text::run_alone(&mut text_rows, &registry, args);
    }
    let (names, mut generator) =
        super::gen_cmd::generator(&registry, &names, !args.schemas.is_empty(), &opts)?;
    // Fail on bad names before spending time generating.
    NormalizerBuilder::new()
        .log_types(names.iter().cloned())
        .build(&registry)?;

    rows::check_temp_dir(args.only)?;
    let started = Instant::now();
    let data = generator.generate(args.records);
    messages::plain(&format!(
        "generated {} records, {:.1} MB in {:.2} s",
        args.records,
        mb(data.len()),
        started.elapsed().as_secs_f64()
    ));
    let parts = split(&data, args.threads);
    let bytes = data.len();

    if let Some(only) = args.only {
        return run_only(only, args, &registry, &names, &parts, bytes);
    }
    // Rounds of runs interleaved slice by slice (the three rows on slice 1, then on slice 2,
    // ...), each row keeping its best run of each slice: a burst of load from elsewhere
    // spoils one slice's run, not the row, and the rows compared are measured side by side.
    let slices = slices(&parts, bytes);
    let mut best: Vec<[Option<Measured>; Row::ALL.len()]> = slices
        .iter()
        .map(|_| [const { None }; Row::ALL.len()])
        .collect();
    let mut parquet = None;
    for round in 0..args.repeat as usize {
        for (slice, best) in slices.iter().zip(&mut best) {
            // Each round starts with another row: what a row leaves in a cache helps each alike.
            for k in 0..Row::ALL.len() {
                let row = Row::ALL[(round + k) % Row::ALL.len()];
                let m = row.measure(&registry, &names, slice)?;
                keep_best(&mut best[row as usize], m);
            }
        }
        // Parquet writes whole files: whole runs, one per round.
        keep_best(&mut parquet, parquet_row(&registry, &names, &parts, 1)?);
        // Text lines: whole runs, one per round, between the JSON rows' rounds.
        for row in &mut text_rows {
            #[allow(clippy::cast_possible_truncation)] // rounds are counted in u32
            row.measure(&registry, args.threads, round as u32)?;
        }
    }
    let [raw, parse_only, ndjson] =
        Row::ALL.map(|row| sum_of(best.iter().map(|b| &b[row as usize])));
    let (Some(raw), Some(parse_only), Some(ndjson), Some(parquet)) =
        (raw, parse_only, ndjson, parquet)
    else {
        return Err(Fatal::Message("no run".into()));
    };
    let rounds = Rounds {
        repeat: args.repeat,
        slices: slices.len(),
    };

    print_table(
        args,
        &names,
        bytes,
        rounds,
        &[&raw, &parse_only, &ndjson, &parquet],
    )?;
    if !text_rows.is_empty() {
        text::print_rows(&text_rows, Some(mb(bytes) / parse_only.secs))?;
        text::warn_short_of_invalid(&text_rows, args.invalid_rate);
    }
    // A fast but wrong path must not pass unnoticed.
    let counts = |m: &Measured| (m.ok, m.rejected);
    if counts(&parse_only) != counts(&ndjson) || counts(&parse_only) != counts(&parquet) {
        messages::error("parse-only, NDJSON and Parquet counts differ");
        return Ok(EXIT_FATAL);
    }
    if parse_only.ok + parse_only.rejected != args.records
        || raw.ok + raw.rejected != args.records
        || !text::counts_add_up(&text_rows, args.records)
    {
        messages::error("record counts do not add up");
        return Ok(EXIT_FATAL);
    }
    Ok(EXIT_OK)
}
