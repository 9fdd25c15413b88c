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

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use simd_json::{Buffers, Tape};

use super::{messages, Fatal, EXIT_FATAL, EXIT_OK};
use crate::error::Error;
use crate::event::Event;
use crate::gen::GenOptions;
use crate::sink::ndjson::NdjsonWriter;
use crate::sink::parquet::{self, ParquetWriter};
use crate::sink::{Discard, Sink};
use crate::{Normalizer, NormalizerBuilder, Position, Registry};

/// `normalog bench`.
#[derive(Debug, clap::Args)]
#[command(rename_all = "kebab-case")]
pub struct BenchArgs {
    /// Log types to generate and normalize (mixed at random). Repeatable. Default: every
    /// loaded log type.
    #[arg(short = 't', long = "log-type", value_name = "NAME")]
    pub log_types: Vec<String>,

    /// Number of records generated in memory.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 200_000)]
    pub records: u64,

    /// Worker threads; every row splits the data the same way.
    #[arg(long, value_name = "N", default_value_t = 1)]
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
    /// Normalize to Parquet (zstd) in a temporary directory.
    Parquet,
}

/// One measured row.
struct Measured {
    secs: f64,
    ok: u64,
    rejected: u64,
}

pub(super) fn run(args: &BenchArgs) -> Result<u8, Fatal> {
    if args.threads == 0 || args.repeat == 0 || args.records == 0 {
        return Err(Fatal::Message(
            "--threads, --repeat and --records must be at least 1".into(),
        ));
    }
    let opts = GenOptions {
        seed: args.seed,
        invalid_rate: args.invalid_rate,
    };
    let (registry, names, mut generator) =
        super::gen_cmd::generator(&args.schemas, &args.log_types, &opts)?;
    // Fail on bad names before spending time generating.
    NormalizerBuilder::new()
        .log_types(names.iter().cloned())
        .build(&registry)?;

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
        let m = best(args.repeat, || match only {
            BenchPath::Raw => on_threads(&parts, |lines| Ok(raw_tape(lines))),
            BenchPath::Parse => on_threads(&parts, |lines| {
                normalize(&registry, &names, lines, Discard).map_err(Fatal::from)
            }),
            BenchPath::Ndjson => on_threads(&parts, |lines| {
                normalize(&registry, &names, lines, NdjsonWriter::new(io::sink()))
                    .map_err(Fatal::from)
            }),
            BenchPath::Parquet => parquet_row(&registry, &names, &parts, 1),
        })?;
        writeln!(
            io::stdout().lock(),
            "{only:?}: {:.1} MB/s, {} records/s",
            mb(bytes) / m.secs,
            thousands(f64_u(args.records) / m.secs)
        )?;
        return Ok(EXIT_OK);
    }
    // Rounds of runs interleaved slice by slice (the three rows on slice 1, then on slice 2,
    // ...), each row keeping its best run of each slice: a burst of load from elsewhere
    // spoils one slice's run, not the row, and the rows compared are measured side by side.
    let slices = slices(&parts, bytes);
    let mut best: Vec<[Option<Measured>; 3]> = slices.iter().map(|_| [None, None, None]).collect();
    let mut parquet = None;
    for round in 0..args.repeat as usize {
        for (slice, best) in slices.iter().zip(&mut best) {
            // Each round starts with another row: what a row leaves in a cache helps each alike.
            for k in 0..3 {
                let row = (round + k) % 3;
                let m = match row {
                    0 => on_threads(slice, |lines| Ok(raw_tape(lines)))?,
                    1 => on_threads(slice, |lines| {
                        normalize(&registry, &names, lines, Discard).map_err(Fatal::from)
                    })?,
                    _ => on_threads(slice, |lines| {
                        normalize(&registry, &names, lines, NdjsonWriter::new(io::sink()))
                            .map_err(Fatal::from)
                    })?,
                };
                keep_best(&mut best[row], m);
            }
        }
        // Parquet writes whole files: whole runs, one per round.
        keep_best(&mut parquet, parquet_row(&registry, &names, &parts, 1)?);
    }
    let [raw, parse_only, ndjson] = [0, 1, 2].map(|row| sum_of(best.iter().map(|b| &b[row])));
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
    // A fast but wrong path must not pass unnoticed.
    let counts = |m: &Measured| (m.ok, m.rejected);
    if counts(&parse_only) != counts(&ndjson) || counts(&parse_only) != counts(&parquet) {
        messages::error("parse-only, NDJSON and Parquet counts differ");
        return Ok(EXIT_FATAL);
    }
    if parse_only.ok + parse_only.rejected != args.records || raw.ok + raw.rejected != args.records
    {
        messages::error("record counts do not add up");
        return Ok(EXIT_FATAL);
    }
    Ok(EXIT_OK)
}

/// The result table on stdout; `rows` are raw, parse-only, NDJSON and Parquet.
fn print_table(
    args: &BenchArgs,
    names: &[String],
    bytes: usize,
    rounds: Rounds,
    rows: &[&Measured; 4],
) -> io::Result<()> {
    let [raw, parse_only, ndjson, parquet] = *rows;
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "normalog bench: {} records ({}), {:.1} MB, {:.0} B/record, seed {}, {:.1}% invalid",
        args.records,
        names.join(", "),
        mb(bytes),
        f(bytes) / f64_u(args.records),
        args.seed,
        args.invalid_rate * 100.0
    )?;
    writeln!(
        out,
        "{} thread{}, simd-json {} (runtime detection: {})",
        args.threads,
        if args.threads == 1 { "" } else { "s" },
        simd_json::Deserializer::algorithm(),
        if cfg!(target_feature = "avx2") {
            "on, AVX2 also enabled at compile time"
        } else {
            "on"
        },
    )?;
    let runs = format!(
        "best of {} run{}",
        rounds.repeat,
        if rounds.repeat == 1 { "" } else { "s" }
    );
    if rounds.slices == 1 {
        writeln!(out, "time of a row: {runs}")?;
    } else {
        writeln!(
            out,
            "time of a row: the sum over {} slices of each slice's {runs} (Parquet: {runs} \
             over all the data)",
            rounds.slices
        )?;
    }
    writeln!(
        out,
        "{:<40} {:>9} {:>12} {:>8}  records",
        "path", "MB/s", "records/s", "vs raw"
    )?;
    let row = |out: &mut io::StdoutLock<'_>, name: &str, m: &Measured, what: &str| {
        writeln!(
            out,
            "{:<40} {:>9.1} {:>12} {:>7.1}%  {} {what}, {} rejected",
            name,
            mb(bytes) / m.secs,
            thousands(f64_u(args.records) / m.secs),
            raw.secs / m.secs * 100.0,
            m.ok,
            m.rejected,
        )
    };
    row(
        &mut out,
        "raw simd-json tape parse (the limit)",
        raw,
        "parsed",
    )?;
    row(
        &mut out,
        "parse stage only (events, no output)",
        parse_only,
        "normalized",
    )?;
    row(
        &mut out,
        "normalize -> NDJSON (to io::sink)",
        ndjson,
        "normalized",
    )?;
    row(
        &mut out,
        "normalize -> Parquet (zstd, temp dir)",
        parquet,
        "normalized",
    )?;
    out.flush()?;
    Ok(())
}

/// The Parquet row: one [`ParquetWriter`] per thread (zstd, the default options), each
/// writing into its own temporary directory, removed afterwards. Its runs cover the whole
/// data (files are written), one per round of the other rows.
fn parquet_row(
    registry: &Registry,
    names: &[String],
    parts: &[Vec<&[u8]>],
    repeat: u32,
) -> Result<Measured, Fatal> {
    let base = std::env::temp_dir().join(format!("normalog-bench-{}", std::process::id()));
    let result = best(repeat, || {
        let _ = std::fs::remove_dir_all(&base);
        let run = AtomicUsize::new(0);
        on_threads(parts, |lines| {
            let dir = base.join(run.fetch_add(1, Ordering::Relaxed).to_string());
            let sink = ParquetWriter::new(&dir, parquet::Options::default());
            normalize(registry, names, lines, sink).map_err(Fatal::from)
        })
    });
    let _ = std::fs::remove_dir_all(&base);
    result
}

fn f(n: usize) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let x = n as f64;
    x
}

fn f64_u(n: u64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let x = n as f64;
    x
}

fn mb(bytes: usize) -> f64 {
    f(bytes) / 1e6
}

fn thousands(x: f64) -> String {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let n = x.round() as u64;
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The lines of `data`, in `n` parts of about equal size.
fn split(data: &[u8], n: usize) -> Vec<Vec<&[u8]>> {
    let lines: Vec<&[u8]> = data
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let per = lines.len().div_ceil(n).max(1);
    let mut parts: Vec<Vec<&[u8]>> = lines.chunks(per).map(<[&[u8]]>::to_vec).collect();
    parts.resize_with(n, Vec::new);
    parts
}

/// Bytes of data per thread in one slice, at least: twice the last-level cache of common
/// server CPUs (32 MiB), so that each slice streams from memory in every row, as a file read
/// does, rather than from what the row before left in the cache.
const SLICE_BYTES_PER_THREAD: usize = 64 << 20;

/// At most this many slices, so that a slice's run stays long against the timer and the
/// start of its threads.
const MAX_SLICES: usize = 16;

/// How the runs were made, for the table's header.
#[derive(Clone, Copy)]
struct Rounds {
    repeat: u32,
    slices: usize,
}

/// The `parts` (one per thread; `bytes` in all) cut into slices measured one at a time:
/// slice `s` holds the `s`-th piece of every part, so that every run of a slice keeps the
/// threads' split. Data under one slice's worth is a single slice.
fn slices<'d>(parts: &[Vec<&'d [u8]>], bytes: usize) -> Vec<Vec<Vec<&'d [u8]>>> {
    let slice_bytes = SLICE_BYTES_PER_THREAD * parts.len().max(1);
    let n = (bytes / slice_bytes).clamp(1, MAX_SLICES);
    (0..n)
        .map(|s| {
            parts
                .iter()
                .map(|part| {
                    let (from, to) = (part.len() * s / n, part.len() * (s + 1) / n);
                    part[from..to].to_vec()
                })
                .collect()
        })
        .collect()
}

/// The runs of the slices added up; `None` if a slice has none.
fn sum_of<'m>(runs: impl Iterator<Item = &'m Option<Measured>>) -> Option<Measured> {
    let mut total = Measured {
        secs: 0.0,
        ok: 0,
        rejected: 0,
    };
    for m in runs {
        let m = m.as_ref()?;
        total.secs += m.secs;
        total.ok += m.ok;
        total.rejected += m.rejected;
    }
    Some(total)
}

fn keep_best(best: &mut Option<Measured>, m: Measured) {
    if best.as_ref().is_none_or(|b| m.secs < b.secs) {
        *best = Some(m);
    }
}

/// The best (shortest) of `k` runs.
fn best(k: u32, mut run: impl FnMut() -> Result<Measured, Fatal>) -> Result<Measured, Fatal> {
    let mut best: Option<Measured> = None;
    for _ in 0..k {
        let m = run()?;
        if best.as_ref().is_none_or(|b| m.secs < b.secs) {
            best = Some(m);
        }
    }
    best.ok_or_else(|| Fatal::Message("no run".into()))
}

/// Run `work` on each part on its own thread; sum the counts, time the whole.
fn on_threads<'d, W>(parts: &[Vec<&'d [u8]>], work: W) -> Result<Measured, Fatal>
where
    W: Fn(&[&'d [u8]]) -> Result<(u64, u64), Fatal> + Sync,
{
    let started = Instant::now();
    let results: Vec<Result<(u64, u64), Fatal>> = std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .iter()
            .map(|p| {
                let work = &work;
                s.spawn(move || work(p))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Fatal::Message("bench thread panicked".into())))
            })
            .collect()
    });
    let secs = started.elapsed().as_secs_f64();
    let (mut ok, mut rejected) = (0, 0);
    for r in results {
        let (o, r) = r?;
        ok += o;
        rejected += r;
    }
    Ok(Measured { secs, ok, rejected })
}

/// The limit: simd-json's tape parse of each line, with reused buffers and tape.
fn raw_tape(lines: &[&[u8]]) -> (u64, u64) {
    let mut buffers = Buffers::new(4096);
    let mut tape: Tape<'static> = Tape(Vec::new());
    let mut copy: Vec<u8> = Vec::new();
    let (mut ok, mut bad) = (0u64, 0u64);
    for line in lines {
        copy.clear();
        copy.extend_from_slice(line);
        let mut t: Tape<'_> = tape.reset();
        match simd_json::fill_tape(&mut copy, &mut buffers, &mut t) {
            Ok(()) => ok += u64::from(!t.0.is_empty()),
            Err(_) => bad += 1,
        }
        tape = t.reset();
    }
    (ok, bad)
}

/// Normalize each line into `sink` with a fresh normalizer; counts events and rejects.
fn normalize<S: Sink<Error = Error>>(
    registry: &Registry,
    names: &[String],
    lines: &[&[u8]],
    sink: S,
) -> Result<(u64, u64), Error> {
    let mut normalizer: Normalizer = NormalizerBuilder::new()
        .log_types(names.iter().cloned())
        .build(registry)?;
    let mut counting = Counting {
        inner: sink,
        ok: 0,
        rejected: 0,
    };
    let mut byte = 0u64;
    for (i, line) in lines.iter().enumerate() {
        let pos = Position::new(byte, i as u64 + 1, i as u64);
        normalizer.normalize_bytes(line, pos, &mut counting)?;
        byte += line.len() as u64 + 1;
    }
    counting.finish(&crate::Summary::default())?;
    Ok((counting.ok, counting.rejected))
}

/// Counts events and rejects on their way to another sink.
struct Counting<S> {
    inner: S,
    ok: u64,
    rejected: u64,
}

impl<S: Sink> Sink for Counting<S> {
    type Error = S::Error;
    fn record(&mut self, event: &Event<'_>) -> Result<bool, S::Error> {
        self.ok += 1;
        self.inner.record(event)
    }
    fn rejected(&mut self, _err: &Error) -> Result<bool, S::Error> {
        self.rejected += 1;
        Ok(true)
    }
    fn finish(&mut self, summary: &crate::Summary) -> Result<(), S::Error> {
        self.inner.finish(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_lines_into_equal_parts() {
        let parts = split(b"a\nb\nc\n\nd\ne", 2);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], vec![&b"a"[..], b"b", b"c"]);
        assert_eq!(parts[1], vec![&b"d"[..], b"e"]);
        assert_eq!(split(b"a\n", 3).len(), 3);
        assert_eq!(thousands(1_234_567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
    }

    #[test]
    fn slices_keep_every_line_of_every_thread_once_in_order() {
        let data: Vec<u8> = (0..1000)
            .flat_map(|i| format!("{i}\n").into_bytes())
            .collect();
        let parts = split(&data, 3);
        let per = SLICE_BYTES_PER_THREAD;
        for (bytes, want) in [
            (data.len(), 1),
            (3 * 3 * per, 3),
            (3 * 3 * per + per, 3),
            (1000 * 3 * per, MAX_SLICES),
        ] {
            let slices = slices(&parts, bytes);
            assert_eq!(slices.len(), want, "{bytes} bytes");
            for (t, part) in parts.iter().enumerate() {
                let joined: Vec<&[u8]> = slices.iter().flat_map(|s| s[t].clone()).collect();
                assert_eq!(&joined, part, "thread {t}, {want} slices");
            }
        }
        // A slice without a run (none can be, with --repeat at least 1) makes no total.
        let run = |secs| {
            Some(Measured {
                secs,
                ok: 2,
                rejected: 1,
            })
        };
        let total = sum_of([run(1.0), run(0.5)].iter()).expect("both have a run");
        assert_eq!((total.secs, total.ok, total.rejected), (1.5, 4, 2));
        assert!(sum_of([run(1.0), None].iter()).is_none());
    }

    #[test]
    fn counts_add_up() {
        let registry = Registry::builtin();
        let names: Vec<String> = registry.log_types().map(str::to_owned).collect();
        let data = crate::gen::Generator::new(
            &registry,
            &names,
            &GenOptions {
                seed: 2,
                invalid_rate: 0.1,
            },
        )
        .unwrap()
        .generate(500);
        let parts = split(&data, 2);
        let Ok(raw) = on_threads(&parts, |l| Ok(raw_tape(l))) else {
            panic!("raw parse failed")
        };
        let Ok(ours) = on_threads(&parts, |l| {
            normalize(&registry, &names, l, Discard).map_err(Fatal::from)
        }) else {
            panic!("normalize failed")
        };
        assert_eq!(raw.ok + raw.rejected, 500);
        assert_eq!(ours.ok + ours.rejected, 500);
        assert!(ours.rejected >= raw.rejected && ours.rejected > 0);
    }
}
