//! The result table of `normalog bench` and its number formatting.

use std::io::{self, Write};

use super::measure::{Measured, Rounds};
use super::BenchArgs;

/// The result table on stdout; `rows` are raw, parse-only, NDJSON and Parquet.
pub(super) fn print_table(
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
        as_f64(bytes as u64) / as_f64(args.records),
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
            thousands(as_f64(args.records) / m.secs),
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

/// `n` as a float, for rates and averages: counts and sizes here stay far below 2^53, where
/// `f64` starts to lose integers.
pub(super) fn as_f64(n: u64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let x = n as f64;
    x
}

pub(super) fn mb(bytes: usize) -> f64 {
    as_f64(bytes as u64) / 1e6
}

pub(super) fn thousands(x: f64) -> String {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let n = x.round() as u64;
    crate::cli::messages::thousands(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(1_234_567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
    }
}
