//! Unix-time decoding: seconds, milliseconds, microseconds and nanoseconds since the epoch,
//! as integers, floats or numeric strings, and the range check every decoded timestamp passes.

use chrono::{DateTime, Datelike};

use super::Timestamp;

/// Largest integer that `cloudflare` reads as seconds (exclusive); larger ones are nanoseconds.
pub(super) const CLOUDFLARE_SECONDS_LIMIT: i64 = 60_000_000_000;

/// Accepts only timestamps within the years 0000–9999 UTC (see the module documentation).
fn in_range(ts: Timestamp) -> Option<Timestamp> {
    (0..=9999).contains(&ts.year()).then_some(ts)
}

pub(super) fn from_seconds(secs: i64, nanos: u32) -> Option<Timestamp> {
    DateTime::from_timestamp(secs, nanos).and_then(in_range)
}

pub(super) fn from_millis(v: i64) -> Option<Timestamp> {
    DateTime::from_timestamp_millis(v).and_then(in_range)
}

pub(super) fn from_micros(v: i64) -> Option<Timestamp> {
    DateTime::from_timestamp_micros(v).and_then(in_range)
}

pub(super) fn from_nanos(v: i64) -> Option<Timestamp> {
    in_range(DateTime::from_timestamp_nanos(v))
}

pub(super) fn from_float_seconds(v: f64) -> Option<Timestamp> {
    // 9999-12-31T23:59:59Z is about 2.5e17 µs: anything beyond ±1e18 is out of range anyway, and
    // the bound keeps the conversion below exact (no saturation).
    let micros = v * 1e6;
    if !micros.is_finite() || micros.abs() >= 1e18 {
        return None;
    }
    // Truncation toward zero is Go's int64(float64) conversion, which Panther relies on.
    #[allow(clippy::cast_possible_truncation)]
    let micros = micros as i64;
    from_micros(micros)
}

pub(super) fn parse_unix_str(s: &str) -> Option<Timestamp> {
    if let Some(secs) = crate::strconv::parse_int(s) {
        return from_seconds(secs, 0);
    }
    // Go's strconv.ParseFloat, as for `float` fields: "1.", ".5", "1e3", "1_000", "0x1p4".
    crate::strconv::parse_float(s).and_then(from_float_seconds)
}
