//! Generated timestamps, written in the field's own time format.

use std::io::Write as _;

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, Datelike, Timelike};

use super::State;
use crate::time::{Pattern, TimeFormat};

/// 2023-01-01T00:00:00Z: generated logs start in the two years after it.
pub(super) const EPOCH_2023: i64 = 1_672_531_200;
pub(super) const TWO_YEARS: u64 = 2 * 365 * 86_400;

/// 0000-01-01T00:00:00Z, the first time normalog reads (years have four digits).
pub const FIRST_TIME: i64 = crate::time::FIRST_SECOND;
/// 9999-12-31T23:59:59Z, the last time normalog reads (years have four digits).
pub const LAST_TIME: i64 = crate::time::LAST_SECOND;

/// The most the default clock moves in one record, in microseconds (see [`Clock::step`]).
pub(super) const DEFAULT_MAX_STEP_US: u64 = 172_000;

/// Text that is not a timestamp in most formats; a field's bad values are the ones none of
/// its formats accepts (checked when the generator is built).
pub(super) const BAD_TIMES: &[&str] = &[
    "2023-07-01 14:00:00",
    "2023-02-30T10:00:00Z",
    "2023-07-01T25:61:00Z",
    "07/01/2023 2:00 PM",
    "yesterday",
    "not a timestamp",
];

/// How a timestamp field's values are written: the first of its formats the generator can
/// write (checked by parsing sample values back).
#[derive(Debug, Clone)]
pub(super) enum TimeGen {
    /// RFC 3339, varied: `Z` or an offset, 0, 3, 6 or 9 fractional digits.
    Rfc3339,
    /// Seconds; sometimes with a fraction.
    Unix,
    UnixMs,
    UnixUs,
    UnixNs,
    /// A strftime pattern, translated for chrono ([`chrono_pattern`]) and written in UTC.
    Pattern(Box<str>),
    /// A Go layout, written in UTC by the time module (`Pattern::write_layout`).
    Layout(Pattern),
}

/// Why no generator suits a timestamp field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unwritable {
    /// None of its formats can be written (no writer, or values that do not parse back).
    NoFormat,
    /// A format can be written, but not for every time of the run: normalize would reject
    /// some values, or read them as other times (`%s` before 1970, `unix_ns` after 2262,
    /// `%y` outside 1969 to 2068).
    OutOfRange,
}

/// The times that sample a format before it is chosen: every writer is checked on the
/// default years first, then on the run's own times.
const DEFAULT_TIMES: TimeRange = TimeRange {
    first: EPOCH_2023,
    #[allow(clippy::cast_possible_wrap)]
    last: EPOCH_2023 + TWO_YEARS as i64,
};

/// The first and last record times of a run, Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TimeRange {
    pub(super) first: i64,
    pub(super) last: i64,
}

impl TimeRange {
    /// Sixteen times from `first` to `last`: both, and fourteen between, evenly apart but
    /// each moved by a random part of a day (of the gap, when shorter), so that their
    /// seconds, minutes and hours vary. Evenly apart alone, the default years' samples all
    /// fell on whole hours, where a format without seconds or minutes reads every time
    /// exactly: its tolerance came out under a second, and gen refused `%Y-%m-%d %H:%M`
    /// for any run (review s45-h5 MEDIUM-1).
    fn samples(self, rng: &mut super::Rng) -> Vec<i64> {
        let span = i128::from(self.last) - i128::from(self.first);
        let gap = u64::try_from((span / 15).clamp(1, 86_400)).unwrap_or(86_400);
        let mut out = vec![self.first];
        for k in 1..15i128 {
            let t = i128::from(self.first) + span * k / 15 + i128::from(rng.below_u64(gap));
            out.push(i64::try_from(t.min(i128::from(self.last))).unwrap_or(self.last));
        }
        out.push(self.last);
        out
    }
}

impl TimeGen {
    /// The generator for a field with these formats: the first whose values normalize
    /// reads back, as the times they were written for, across `times`.
    pub(super) fn for_formats(
        first: Option<&String>,
        rest: &[String],
        times: TimeRange,
    ) -> Result<TimeGen, Unwritable> {
        let mut why = Unwritable::NoFormat;
        for spec in first.into_iter().chain(rest) {
            let Ok(format) = TimeFormat::from_spec(spec) else {
                continue;
            };
            let candidate = match &format {
                TimeFormat::Rfc3339 | TimeFormat::Cloudflare => TimeGen::Rfc3339,
                TimeFormat::Unix => TimeGen::Unix,
                TimeFormat::UnixMs => TimeGen::UnixMs,
                TimeFormat::UnixUs => TimeGen::UnixUs,
                TimeFormat::UnixNs => TimeGen::UnixNs,
                TimeFormat::Strftime(p) => TimeGen::Pattern(chrono_pattern(p.spec()).into()),
                TimeFormat::Layout(p) => TimeGen::Layout(p.clone()),
            };
            // On the default years, how far a value read back may be from the time it was
            // written for: under a second for most formats, a minute or a day for formats
            // without seconds or a time of day. Formats without a year (`Jan _2 15:04:05`)
            // are only read, as normalize reads them.
            let Some(default_miss) = candidate.reads_back(&format, DEFAULT_TIMES) else {
                continue;
            };
            let tolerance = [1, 60, 3_600, 86_400]
                .map(|s: u64| u128::from(s) * 1_000_000_000)
                .into_iter()
                .find(|&t| default_miss < t);
            match candidate.reads_back(&format, times) {
                Some(miss) if tolerance.is_none_or(|t| miss < t) => return Ok(candidate),
                _ => why = Unwritable::OutOfRange,
            }
        }
        Err(why)
    }

    /// How far (nanoseconds) the values written for sample times in `times` are, read back
    /// with `format` as normalize reads them, from the times they were written for, at most;
    /// `None` when one is not read at all.
    fn reads_back(&self, format: &TimeFormat, times: TimeRange) -> Option<u128> {
        if let TimeGen::Pattern(p) = self {
            if StrftimeItems::new(p).any(|i| matches!(i, Item::Error)) {
                return None;
            }
        }
        let mut rng = State::new(7);
        let mut most = 0;
        for secs in times.samples(&mut rng) {
            #[allow(clippy::cast_possible_truncation)]
            let nanos = rng.below_u64(1_000_000_000) as u32;
            let mut out = Vec::new();
            self.write_at(secs, nanos, &mut rng, &mut out);
            let read = match serde_json::from_slice::<serde_json::Value>(&out) {
                Ok(serde_json::Value::String(s)) => format.parse_str(&s),
                Ok(serde_json::Value::Number(n)) => {
                    if let Some(i) = n.as_i64() {
                        format.parse_i64(i)
                    } else if let Some(u) = n.as_u64() {
                        format.parse_u64(u)
                    } else {
                        n.as_f64().and_then(|f| format.parse_f64(f))
                    }
                }
                _ => None,
            }?;
            let written = i128::from(secs) * 1_000_000_000 + i128::from(nanos);
            let got = i128::from(read.timestamp()) * 1_000_000_000
                + i128::from(read.timestamp_subsec_nanos());
            most = most.max((got - written).unsigned_abs());
        }
        Some(most)
    }

    /// Write one JSON value (string or number) for the current record's time.
    pub(super) fn write(&self, rng: &mut State, out: &mut Vec<u8>) {
        let (secs, nanos) = record_time(rng);
        self.write_at(secs, nanos, rng, out);
    }

    /// Write one JSON value for the time `secs` + `nanos`.
    fn write_at(&self, secs: i64, nanos: u32, rng: &mut State, out: &mut Vec<u8>) {
        match self {
            TimeGen::Rfc3339 => {
                let digits = [0, 0, 0, 3, 6, 9][rng.below(6)];
                let offset = if rng.chance(0.8) {
                    0
                } else {
                    *rng.pick(&[120, -300, 330, 60, -480, 540])
                };
                out.push(b'"');
                write_rfc3339(out, secs, nanos, digits, offset);
                out.push(b'"');
            }
            TimeGen::Unix => {
                if rng.chance(0.3) {
                    // Before 1970 the fraction counts back from the sign: -59.59 s is
                    // `secs` -60 plus 0.41 s (written `-60.410000` it was 0.82 s early).
                    let micros = i128::from(secs) * 1_000_000 + i128::from(nanos / 1000);
                    let sign = if micros < 0 { "-" } else { "" };
                    let m = micros.unsigned_abs();
                    let _ = write!(out, "{sign}{}.{:06}", m / 1_000_000, m % 1_000_000);
                } else {
                    let _ = write!(out, "{secs}");
                }
            }
            TimeGen::UnixMs => {
                let _ = write!(out, "{}", secs * 1000 + i64::from(nanos / 1_000_000));
            }
            TimeGen::UnixUs => {
                let _ = write!(out, "{}", secs * 1_000_000 + i64::from(nanos / 1000));
            }
            TimeGen::UnixNs => {
                // Past 2262 nanoseconds overflow an i64 (and no reader takes them): written
                // as they are rather than wrapped.
                let _ = write!(
                    out,
                    "{}",
                    i128::from(secs) * 1_000_000_000 + i128::from(nanos)
                );
            }
            // `secs` is within years 0 to 9999 (see `State::tick`), where chrono has every
            // time: the default (1970) is never taken.
            TimeGen::Pattern(p) => {
                let t = DateTime::from_timestamp(secs, nanos).unwrap_or_default();
                let text = t.format_with_items(StrftimeItems::new(p)).to_string();
                super::write_json_str(out, &text);
            }
            TimeGen::Layout(p) => {
                let t = DateTime::from_timestamp(secs, nanos).unwrap_or_default();
                let mut text = String::new();
                p.write_layout(&t, &mut text);
                super::write_json_str(out, &text);
            }
        }
    }
}

/// `t` (Unix seconds) as RFC 3339 in UTC, for messages.
pub(super) fn show(t: i64) -> String {
    DateTime::from_timestamp(t, 0).map_or_else(
        || format!("{t} (Unix seconds)"),
        |d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
}

/// `spec` (a strftime pattern as normalize reads it) for chrono's formatter: the
/// directives whose meaning differs are written as normalize reads them. timefmt-go, and
/// so normalize, reads `%G` and `%g` as the calendar year (chrono writes the ISO week-based
/// year, a year off around January 1), and `%+` as `%a %b %e %H:%M:%S %Z %Y` (chrono
/// writes RFC 3339).
pub(super) fn chrono_pattern(spec: &str) -> String {
    let mut out = String::with_capacity(spec.len());
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        let directive = out.len();
        out.push(c);
        if c != '%' {
            continue;
        }
        let mut next = chars.next();
        while let Some(flag @ ('-' | '_' | '0')) = next {
            out.push(flag);
            next = chars.next();
        }
        match next {
            Some('G') => out.push('Y'),
            Some('g') => out.push('y'),
            Some('+') => {
                out.truncate(directive);
                out.push_str("%a %b %e %H:%M:%S %Z %Y");
            }
            Some(d) => out.push(d),
            None => {}
        }
    }
    out
}

/// The records' clock: how far each record is from the previous one.
///
/// With a mean gap (`--span`), record `i` is at `i` mean gaps from the start plus a random
/// part of one: times never go back, gaps are 0 to 2 mean gaps (about the mean), and the
/// `n`th record is within the span of `n` mean gaps. (Gaps drawn independently, as before,
/// added up to a random walk: 200,000 records over 90 days ended up to 4 hours past the
/// span.)
#[derive(Debug, Clone)]
pub(super) struct Clock {
    /// The mean gap in microseconds; `None`: the default steps of 0 to 172 whole
    /// milliseconds.
    mean_gap_us: Option<u64>,
    /// Records timed so far (with a mean gap).
    index: u64,
    /// Microseconds from the start to the current record (with a mean gap), or within the
    /// current second (without).
    micros: u64,
}

impl Clock {
    pub(super) fn new(mean_gap_us: Option<u64>) -> Clock {
        Clock {
            mean_gap_us,
            index: 0,
            micros: 0,
        }
    }

    /// Draw the next record's time; returns the whole seconds to move the clock by (over
    /// `n` records, at most `n` mean gaps, or `n` times [`DEFAULT_MAX_STEP_US`]).
    pub(super) fn step(&mut self, rng: &mut super::Rng) -> i64 {
        let moved = match self.mean_gap_us {
            // The default draws `below(173)` milliseconds, as before there were options, so
            // a seed gives the same bytes as it always did.
            None => {
                self.micros += rng.below(173) as u64 * 1000; // DEFAULT_MAX_STEP_US at most
                let secs = self.micros / 1_000_000;
                self.micros %= 1_000_000;
                secs
            }
            Some(mean) => {
                let slot = mean.max(1);
                let at = self
                    .index
                    .saturating_mul(slot)
                    .saturating_add(rng.below_u64(slot));
                self.index += 1;
                // Never back: the next slot starts where this one ends.
                let at = at.max(self.micros);
                let secs = at / 1_000_000 - self.micros / 1_000_000;
                self.micros = at;
                secs
            }
        };
        i64::try_from(moved).unwrap_or(i64::MAX)
    }
}

/// The mean gap that spreads `records` records over `span_secs` seconds.
pub(super) fn mean_gap_us(records: u64, span_secs: u64) -> u64 {
    let span_us = u128::from(span_secs) * 1_000_000;
    u64::try_from(span_us / u128::from(records.max(1))).unwrap_or(u64::MAX)
}

/// The current record's time, with a second or two of jitter (fields of one record differ a
/// little) and random sub-second digits; never before the first record's time (`--start`
/// is where the archive starts: records 2 s before it fell into the hour, day and even year
/// before).
pub(super) fn record_time(rng: &mut State) -> (i64, u32) {
    #[allow(clippy::cast_possible_wrap)]
    let secs = (rng.secs - rng.below(3) as i64).max(rng.start);
    #[allow(clippy::cast_possible_truncation)]
    let nanos = rng.below_u64(1_000_000_000) as u32;
    (secs, nanos)
}

/// Append `secs` (UTC) shown at `offset_min` minutes from UTC, as RFC 3339 with `digits`
/// fractional digits (0, 3, 6 or 9) and `Z` for offset 0. Shown in UTC instead when the
/// offset would take the local time out of years 0 to 9999 (9999-12-31T23:00:00Z is
/// 10000-01-01T08:00:00+09:00, which no reader takes).
pub(super) fn write_rfc3339(
    out: &mut Vec<u8>,
    secs: i64,
    nanos: u32,
    digits: u32,
    offset_min: i32,
) {
    let mut offset_min = offset_min;
    let mut local = secs + i64::from(offset_min) * 60;
    if !(FIRST_TIME..=LAST_TIME).contains(&local) {
        offset_min = 0;
        local = secs;
    }
    let t = DateTime::from_timestamp(local, 0).unwrap_or_default();
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    match digits {
        3 => {
            let _ = write!(out, ".{:03}", nanos / 1_000_000);
        }
        6 => {
            let _ = write!(out, ".{:06}", nanos / 1000);
        }
        9 => {
            let _ = write!(out, ".{nanos:09}");
        }
        _ => {}
    }
    if offset_min == 0 {
        out.push(b'Z');
    } else {
        let sign = if offset_min < 0 { '-' } else { '+' };
        let m = offset_min.unsigned_abs();
        let _ = write!(out, "{sign}{:02}:{:02}", m / 60, m % 60);
    }
}

#[cfg(test)]
mod tests;
