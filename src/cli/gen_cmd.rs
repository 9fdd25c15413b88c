//! `normalog gen`: write generated records as NDJSON (text lines for text log types).
#![allow(clippy::doc_markdown)] // doc comments of the args are --help text

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use super::compress::{Codec, Compressor};
use super::output::{Labelled, OutputFile};
use super::signals::Interrupt;
use super::{load_registry, messages, unknown_log_type, Fatal, EXIT_OK};
use normalog::gen::{GenError, GenOptions, GenSummary, Generator, FIRST_TIME, LAST_TIME};
use normalog::Registry;

/// `normalog gen`.
#[derive(Debug, clap::Args)]
#[command(rename_all = "kebab-case")]
pub struct GenArgs {
    /// Generate records of this log type. Repeatable: records of several types are mixed
    /// at random with equal shares. Default: every loaded log type.
    #[arg(short = 't', long = "log-type", value_name = "NAME")]
    pub log_types: Vec<String>,

    /// Number of records. A text log type's file starts with the lines its reader skips
    /// (a CSV header, skipLines lines): they come in addition.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 1000)]
    pub records: u64,

    /// Seed: the same seed, log types and options give the same output.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,

    /// Share of records made invalid on purpose (missing required field, required number,
    /// boolean or timestamp given as "", bad timestamp, truncated JSON), from 0 to 1.
    #[arg(long, value_name = "R", default_value_t = 0.0)]
    pub invalid_rate: f64,

    /// Spread the records' times evenly over this span, e.g. 180d (units s, m, h, d, w),
    /// as an archive of months of logs is. Every record has its event time (an optional
    /// isEventTime field is always written; in a text log type, unless every pattern that
    /// holds it cuts the time format the generator writes). Default: about 86 ms between
    /// records (a million records span about a day).
    #[arg(long, value_name = "DURATION", value_parser = parse_span)]
    pub span: Option<u64>,

    /// Start of the records' times: RFC 3339 (2024-01-01T00:00:00Z) or a date (2024-01-01,
    /// midnight UTC). Record i falls at i mean gaps after it plus a random part of one, so
    /// the first record is within one gap of it (with -n 5 --span 180d, within 36 days).
    /// Default: a time in 2023 or 2024 chosen by --seed. The records must end by
    /// 9999-12-31T23:59:59Z, the last time normalog reads: a later end is refused, as are
    /// times a required or event-time field's format does not hold (`%s` outside 1970 to
    /// 2286, `unix_ns` outside 1677 to 2262, `%y` outside 1969 to 2068).
    #[arg(long, value_name = "TIME", value_parser = parse_start)]
    pub start: Option<i64>,

    /// Write to this file instead of standard output ('-' is standard output). The file
    /// appears only when complete: Ctrl-C, SIGTERM or SIGHUP removes what was written and
    /// exits 130, 143 or 129; after kill -9, the next gen to the same file removes it. A
    /// name ending in .gz is written gzip-compressed, one
    /// ending in .zst zstd-compressed (as normalize reads them); standard output is never
    /// compressed.
    #[arg(short = 'o', long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Schema file or directory. Repeatable. Default: the built-in schemas.
    #[arg(short = 's', long = "schemas", value_name = "PATH")]
    pub schemas: Vec<PathBuf>,

    /// Load the built-in schemas (Zendesk.Audit, Zoom.Activity, Zoom.Operation) beside those
    /// of -s, to mix their records with yours. Without -s they are loaded anyway.
    #[arg(long)]
    pub builtin: bool,

    /// Print a summary (records, invalid, bytes before compression, per log type with how
    /// many are valid) to stderr.
    #[arg(long)]
    pub stats: bool,
}

/// What `gen` and `bench` both start from: the log types asked for (every loaded one by
/// default) and a generator for them. Only an unknown log type's error lists the loaded ones.
pub(super) fn generator(
    registry: &Registry,
    log_types: &[String],
    schemas_given: bool,
    opts: &GenOptions,
) -> Result<(Vec<String>, Generator), Fatal> {
    // By default every loaded log type, JSON records and text lines mixed.
    let names: Vec<String> = if log_types.is_empty() {
        registry.log_types().map(str::to_owned).collect()
    } else {
        asked_once(log_types)
    };
    let generator = Generator::new(registry, &names, opts).map_err(|e| match &e {
        GenError::UnknownLogType(unknown) => unknown_log_type(unknown, schemas_given),
        e => Fatal::Message(e.to_string()),
    })?;
    Ok((names, generator))
}

/// The log types of `-t`, each once, in the order first given: a repeated `-t` does not
/// give its log type a second share.
pub(super) fn asked_once(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for n in names {
        if !out.contains(n) {
            out.push(n.clone());
        }
    }
    out
}

/// Whether the records go to a file (`-o FILE`), which an interrupt must not leave
/// half-written.
pub(super) fn writes_a_file(args: &GenArgs) -> bool {
    args.output.as_deref().is_some_and(|p| p.as_os_str() != "-")
}

pub(super) fn run(args: &GenArgs, interrupt: Option<&Interrupt>) -> Result<u8, Fatal> {
    generate(args, interrupt).map_err(|e| match e {
        // Still exit 0 (`| head`), but `--stats` asked for a word: the records stopped
        // early, as `normalize` says (review s46-h5 LOW-2).
        Fatal::BrokenPipe if args.stats => {
            messages::error(
                "standard output was closed before the last record: gen stopped there (no \
                 statistics for it)",
            );
            Fatal::BrokenPipe
        }
        e => e,
    })
}

fn generate(args: &GenArgs, interrupt: Option<&Interrupt>) -> Result<u8, Fatal> {
    let mut opts = GenOptions {
        seed: args.seed,
        invalid_rate: args.invalid_rate,
        start: args.start,
        records: Some(args.records),
        ..GenOptions::default()
    };
    if let Some(span) = args.span {
        opts = opts.spread(args.records, span);
    }
    check_end(args, &opts)?;
    // A schema given by name may be a named pipe, which waits for its writer: a signal
    // then ends the process (nothing is written yet).
    let registry = super::signals::at_once(|| load_registry(&args.schemas, args.builtin))??;
    let (_, mut generator) =
        generator(&registry, &args.log_types, !args.schemas.is_empty(), &opts)?;
    let path = args.output.as_deref().filter(|p| p.as_os_str() != "-");
    let summary = match path {
        Some(p) => {
            let codec = Codec::for_path(p)?;
            let mut file = OutputFile::create(p)?;
            let name = file.dest().display().to_string();
            // Stopped by a signal, the file is dropped uncommitted: its temporary file is
            // removed, and the destination is as it was.
            let stopped = |e: io::Error| match interrupt.filter(|i| i.fired()) {
                Some(_) => {
                    Fatal::Interrupted(format!("{name} not written (its temporary file removed)"))
                }
                None => Fatal::from(e),
            };
            let stdout = super::output::is_standard_output(file.file());
            let s = match Compressor::new(codec, file.file())? {
                None => write(
                    &mut generator,
                    args.records,
                    UntilSignal(
                        Labelled::new(file.file(), name.clone()).or_stdout(stdout),
                        interrupt,
                    ),
                )
                .map_err(stopped)?,
                Some(mut c) => {
                    let s = write(
                        &mut generator,
                        args.records,
                        UntilSignal(
                            Labelled::new(&mut c, name.clone()).or_stdout(stdout),
                            interrupt,
                        ),
                    )
                    .map_err(stopped)?;
                    c.finish()
                        .map_err(|e| super::output::write_error(e, &name, stdout))?;
                    s
                }
            };
            file.commit()?;
            s
        }
        None => write(
            &mut generator,
            args.records,
            Labelled::new(io::stdout().lock(), super::STDOUT),
        )?,
    };
    warn_short_of_invalid(args.invalid_rate, &generator, &summary);
    if args.stats {
        // The bytes generated; a compressed file's own size after them.
        let on_disk = path
            .filter(|p| Codec::for_path(p).is_ok_and(|c| c != Codec::None))
            .and_then(|p| std::fs::metadata(p).ok())
            .map(|m| format!(" ({} bytes compressed)", m.len()))
            .unwrap_or_default();
        messages::plain(&format!(
            "generated {} records ({} invalid), {} bytes{on_disk}",
            summary.records, summary.invalid, summary.bytes
        ));
        let counts = summary.per_log_type.iter().zip(&summary.valid_per_log_type);
        for (name, (n, valid)) in generator.log_types().zip(counts) {
            messages::plain(&format!("  {name}: {n} ({valid} valid)"));
        }
    }
    Ok(EXIT_OK)
}

/// Warn of each log type whose share of invalid records fell far short of
/// `--invalid-rate`: gen breaks a record by giving a field a value its type or a `validate`
/// refuses, which a text log type's line does not always allow (a pattern that takes any
/// text there), and only `--stats` showed it.
fn warn_short_of_invalid(rate: f64, generator: &Generator, summary: &GenSummary) {
    if rate <= 0.0 {
        return;
    }
    let counts = summary.per_log_type.iter().zip(&summary.valid_per_log_type);
    for (name, (&n, &valid)) in generator.log_types().zip(counts) {
        let invalid = n.saturating_sub(valid);
        if far_short_of(rate, n, invalid) {
            messages::error(&format!(
                "warning: {name}: {invalid} of {n} records are invalid, far short of \
                 --invalid-rate {rate}: gen cannot make most of its records invalid (its \
                 parser takes what gen can change in them)"
            ));
        }
    }
}

/// Whether `invalid` of `n` records is far short of the share `rate`: under half of what was
/// asked, when 20 or more were expected (half of them is then no chance shortfall).
pub(super) fn far_short_of(rate: f64, n: u64, invalid: u64) -> bool {
    #[allow(clippy::cast_precision_loss)] // counts of records, far below 2^52
    let (invalid, expected) = (invalid as f64, rate * n as f64);
    expected >= 20.0 && invalid < expected / 2.0
}

/// A writer that fails once a signal came: `gen -o FILE` stops at its next buffer (64 KiB).
struct UntilSignal<'i, W>(W, Option<&'i Interrupt>);

impl<W: Write> Write for UntilSignal<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.1.is_some_and(Interrupt::fired) {
            return Err(io::Error::other("interrupted"));
        }
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

fn write(generator: &mut Generator, records: u64, out: impl Write) -> io::Result<GenSummary> {
    let mut w = BufWriter::with_capacity(1 << 16, out);
    let summary = generator.write_to(records, &mut w)?;
    w.flush()?;
    Ok(summary)
}

/// The records end by [`LAST_TIME`]: past it, years of five digits, which no reader takes
/// (normalize refuses them), or one time for all the records left. Refused here, naming
/// the flags and the latest start that fits.
fn check_end(args: &GenArgs, opts: &GenOptions) -> Result<(), Fatal> {
    if opts.last_time(args.records).is_some_and(|t| t <= LAST_TIME) {
        return Ok(());
    }
    let start = opts.start.map_or_else(
        || "the default start (in 2023 or 2024)".to_owned(),
        |t| format!("--start {}", utc(t)),
    );
    let spacing = match args.span {
        Some(span) => format!("--span {}", span_text(span)),
        None => format!(
            "-n {} (records up to 172 ms apart without --span)",
            args.records
        ),
    };
    // How long the records take, and so the latest start for them.
    let from_zero = GenOptions {
        start: Some(0),
        ..*opts
    };
    let latest = from_zero
        .last_time(args.records)
        .and_then(|length| LAST_TIME.checked_sub(length))
        .filter(|latest| *latest >= FIRST_TIME);
    let fix = match latest {
        Some(latest) if opts.start.is_some() => {
            format!("--start can be {} at the latest", utc(latest))
        }
        Some(latest) => format!("give --start {} or earlier", utc(latest)),
        // A span shorter than a microsecond per record is one microsecond per record (the
        // clock's step): when even that is too long, no --span helps, the count is too large.
        None if args.span.is_some() && !fits_a_microsecond_apart(args.records) => {
            "they would take longer than all the times normalog reads, years 0 to 9999, even \
             a microsecond apart (the shortest --span gives): give fewer records (-n)"
                .to_owned()
        }
        None => format!(
            "they would take longer than all the times normalog reads, years 0 to 9999: {}",
            if args.span.is_some() {
                "give a shorter --span"
            } else {
                "give fewer records"
            }
        ),
    };
    Err(Fatal::Message(format!(
        "{start} with {spacing}: the records would end after {}, the last time normalog \
         reads; {fix}",
        utc(LAST_TIME)
    )))
}

/// Whether `records` records a microsecond apart, the least a span spreads them, fit in the
/// times normalog reads.
fn fits_a_microsecond_apart(records: u64) -> bool {
    let closest = GenOptions {
        start: Some(FIRST_TIME),
        mean_gap_us: Some(1),
        ..GenOptions::default()
    };
    closest.last_time(records).is_some_and(|t| t <= LAST_TIME)
}

/// A `--span` in seconds, in the largest unit that divides it (`86400000` is `1000d`).
fn span_text(secs: u64) -> String {
    let (n, unit) = [(86_400, "d"), (3600, "h"), (60, "m")]
        .into_iter()
        .find(|(size, _)| secs.is_multiple_of(*size))
        .map_or((secs, "s"), |(size, unit)| (secs / size, unit));
    format!("{n}{unit}")
}

/// `t` as RFC 3339 in UTC, or Unix seconds when chrono has no such time.
fn utc(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0).map_or_else(
        || format!("{t} (Unix seconds)"),
        |d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
}

/// `--span`: a number and a unit (s, m, h, d, w), in seconds.
pub(super) fn parse_span(text: &str) -> Result<u64, String> {
    let unit_at = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("{text:?} has no unit: write e.g. 180d, 12h, 90m, 3600s or 2w"))?;
    let (number, unit) = text.split_at(unit_at);
    let n: u64 = number.parse().map_err(|e: std::num::ParseIntError| {
        if *e.kind() == std::num::IntErrorKind::PosOverflow {
            format!("{text:?}: {number} is too large: the span must be under 2^64 seconds")
        } else {
            format!("{text:?} does not start with a number (e.g. 180d)")
        }
    })?;
    let secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ if unit.starts_with(['.', ',']) => {
            return Err(format!(
                "{text:?}: a whole number of its unit (1.5d is 36h)"
            ))
        }
        _ if unit.len() > 1 && matches!(&unit[..1], "s" | "m" | "h" | "d" | "w") => {
            return Err(format!("{text:?}: one number and one unit (1h30m is 90m)"))
        }
        _ => {
            return Err(format!(
                "unknown unit {unit:?} in {text:?}: use s, m, h, d or w"
            ))
        }
    };
    n.checked_mul(secs)
        .filter(|&s| s > 0)
        .ok_or_else(|| format!("{text:?}: the span must be above zero and under 2^64 seconds"))
}

/// `--start`: RFC 3339, or a date at midnight UTC, as Unix seconds; within years 0 to 9999
/// in UTC (`9999-12-31T23:00:00-05:00` is in the year 10000).
pub(super) fn parse_start(text: &str) -> Result<i64, String> {
    let t = match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(t) => t.timestamp(),
        Err(_) => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().timestamp())
            .ok_or_else(|| {
                format!(
                    "{text:?} is neither RFC 3339 (2024-01-01T00:00:00Z) nor a date (2024-01-01)"
                )
            })?,
    };
    if (FIRST_TIME..=LAST_TIME).contains(&t) {
        Ok(t)
    } else {
        Err(format!(
            "{text:?} is {} in UTC, outside the times normalog reads, {} to {}",
            utc(t),
            utc(FIRST_TIME),
            utc(LAST_TIME)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans() {
        assert_eq!(parse_span("180d"), Ok(180 * 86_400));
        assert_eq!(parse_span("12h"), Ok(43_200));
        assert_eq!(parse_span("90m"), Ok(5400));
        assert_eq!(parse_span("3600s"), Ok(3600));
        assert_eq!(parse_span("2w"), Ok(14 * 86_400));
        for bad in [
            "180",
            "d",
            "0d",
            "1y",
            "-1d",
            "1.5d",
            "99999999999999999999d",
        ] {
            assert!(parse_span(bad).is_err(), "{bad}");
        }
        // What was wrong, not "unknown unit" (review finding).
        let says = |text: &str, what: &str| {
            let e = parse_span(text).expect_err(text);
            assert!(e.contains(what), "{text}: {e}");
        };
        says("1.5d", "a whole number of its unit");
        says("1h30m", "one number and one unit");
        says("1y", "unknown unit \"y\"");
        // A number past 64 bits is a number, too large (review finding: "does not start
        // with a number").
        says(
            "99999999999999999999d",
            "99999999999999999999 is too large: the span must be under 2^64 seconds",
        );
    }

    #[test]
    fn starts() {
        assert_eq!(parse_start("2024-01-01"), Ok(1_704_067_200));
        assert_eq!(parse_start("2024-01-01T01:00:00+01:00"), Ok(1_704_067_200));
        assert!(parse_start("yesterday").is_err());
        // Within years 0 to 9999 in UTC.
        assert_eq!(parse_start("9999-12-31T23:59:59Z"), Ok(LAST_TIME));
        assert_eq!(parse_start("0000-01-01"), Ok(FIRST_TIME));
        assert!(parse_start("9999-12-31T23:00:00-05:00").is_err());
        assert!(parse_start("0000-01-01T00:00:00+01:00").is_err());
    }

    #[test]
    fn spans_shown_in_their_largest_unit() {
        assert_eq!(span_text(1000 * 86_400), "1000d");
        assert_eq!(span_text(7200), "2h");
        assert_eq!(span_text(90), "90s");
        assert_eq!(span_text(u64::MAX), "18446744073709551615s");
    }
}
