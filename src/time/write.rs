//! The timestamp writers of the output: [`write_rfc3339`] and [`write_panther`].
//!
//! Every event has two or more timestamps, so the writers have a fast path: digits written in
//! place into a fixed block, several at once in the lanes of a word, and a thread-local cache
//! (`MINUTES`) of the text of the last two date-and-minute pairs. Each fast path has a slow twin
//! (`*_slow`) that reads every field from chrono and caches nothing, and the tests check the two
//! agree (on every boundary the cache could get wrong, and on random runs).

use std::cell::Cell;

use chrono::{Datelike, Timelike};

use super::Timestamp;

/// Append `ts` as RFC 3339 UTC, like Go's `RFC3339Nano`: `2023-07-01T14:00:00Z`; fractional
/// seconds only when non-zero, trailing zeros trimmed (`…:00.5Z`, `…:00.123456789Z`).
///
/// Timestamps from this module are always within the years 0000–9999. Other years (only from
/// timestamps built elsewhere) are written with a leading `-` or more than four digits, which is
/// not valid RFC 3339. A chrono leap second is written as second `60`.
pub fn write_rfc3339(ts: &Timestamp, out: &mut Vec<u8>) {
    // The digits are written in place into a block of fixed size appended at once, then cut:
    // one capacity check, no copy through the stack, no memcpy (measured: 150 -> 137
    // instructions per timestamp).
    let start = out.len();
    out.extend_from_slice(&[b'0'; BLOCK]);
    if let Some(block) = out[start..].first_chunk_mut::<BLOCK>() {
        if let Some(nanos) = fixed_digits(ts, block) {
            block[10] = b'T';
            let mut len = 19;
            if nanos != 0 {
                len = 29;
                while block[len - 1] == b'0' {
                    len -= 1;
                }
            }
            block[len] = b'Z';
            out.truncate(start + len + 1);
            return;
        }
    }
    out.truncate(start);
    write_rfc3339_slow(ts, out);
}

/// The size of the block [`fixed_digits`] writes into.
const BLOCK: usize = 32;

fn write_rfc3339_slow(ts: &Timestamp, out: &mut Vec<u8>) {
    let nanos = write_date_time_slow(ts, b'T', out);
    if nanos != 0 {
        let mut digits = [0u8; 9];
        fill_digits(nanos, &mut digits);
        let mut len = digits.len();
        while len > 0 && digits[len - 1] == b'0' {
            len -= 1;
        }
        out.push(b'.');
        out.extend_from_slice(&digits[..len]);
    }
    out.push(b'Z');
}

/// Append `ts` in Panther's data-lake layout, UTC, always nine fractional digits:
/// `2023-07-01 14:00:00.000000000` (Go layout `2006-01-02 15:04:05.000000000`).
///
/// Years outside 0000–9999 and leap seconds are written as by [`write_rfc3339`].
pub fn write_panther(ts: &Timestamp, out: &mut Vec<u8>) {
    // As write_rfc3339: in place into a block of fixed size, then cut.
    let start = out.len();
    out.extend_from_slice(&[b'0'; BLOCK]);
    if let Some(block) = out[start..].first_chunk_mut::<BLOCK>() {
        if fixed_digits(ts, block).is_some() {
            block[10] = b' ';
            out.truncate(start + 29);
            return;
        }
    }
    out.truncate(start);
    write_panther_slow(ts, out);
}

fn write_panther_slow(ts: &Timestamp, out: &mut Vec<u8>) {
    let nanos = write_date_time_slow(ts, b' ', out);
    let mut digits = [0u8; 9];
    fill_digits(nanos, &mut digits);
    out.push(b'.');
    out.extend_from_slice(&digits);
}

/// The hot path of the writers (every event has two or more timestamps), for the years
/// 0000–9999: writes `YYYY-MM-DD_HH:MM:SS.nnnnnnnnn` into the start of `block` (which holds
/// `0` digits) and returns the nanoseconds, or `None` for other years. The separator at 10 is
/// for the caller to set, and the fraction is left as it is when it is zero.
///
/// The fields are read from chrono's calendar date and seconds of the day as they are
/// stored, without a round trip through Unix time; the date, hour and minute come from
/// [`minute_text`].
#[inline]
fn fixed_digits(ts: &Timestamp, block: &mut [u8; BLOCK]) -> Option<u32> {
    let dt = ts.naive_utc();
    let time = dt.time();
    let sod = time.num_seconds_from_midnight();
    let minute = sod / 60;
    if !minute_text(dt.date(), minute, block) {
        return None;
    }
    let mut nanos = time.nanosecond();
    let mut ss = sod - minute * 60;
    if nanos >= 1_000_000_000 {
        // chrono represents a leap second as second 59 with nanos >= 1e9: write 60.
        nanos -= 1_000_000_000;
        ss += 1;
    }
    block[16] = b':';
    block[17..19].copy_from_slice(&pairs4(lanes(ss, 0, 0, 0))[..2]);
    block[19] = b'.';
    if nanos != 0 {
        let tens = nanos / 10;
        block[20..28].copy_from_slice(&eight_digits(tens));
        // The last digit is below 10, so the narrowing cannot lose anything.
        block[28] = b'0' + u8::try_from(nanos - tens * 10).unwrap_or(0);
    }
    Some(nanos)
}

/// Writes `YYYY-MM-DD_HH:MM` of a calendar date and a minute of its day into the start of
/// `buf`, or returns false for the years outside 0000–9999. The text comes from a cache of
/// the last two: consecutive timestamps nearly always share them (an event's own times, and
/// its parse time, whose date is another). chrono's month and day are decoded from its
/// packed ordinal date, which costs more than the whole copy (measured: 185 -> 150
/// instructions per timestamp written). The miss path is kept out of the closure so that the
/// thread-local access is inlined (a plain `%fs` load), not a call through the key.
#[inline]
fn minute_text(date: chrono::NaiveDate, minute: u32, buf: &mut [u8; BLOCK]) -> bool {
    let hit = MINUTES.with(|cache| {
        for (i, slot) in cache.slots.iter().enumerate() {
            let m = slot.get();
            if m.date == date && m.minute == minute {
                cache.last.set(i);
                buf[..16].copy_from_slice(&m.text);
                return true;
            }
        }
        false
    });
    hit || minute_text_miss(date, minute, buf)
}

/// [`minute_text`] when the cache has not got it: computes and caches it.
#[cold]
#[inline(never)]
fn minute_text_miss(date: chrono::NaiveDate, minute: u32, buf: &mut [u8; BLOCK]) -> bool {
    let Some(y) = u32::try_from(date.year()).ok().filter(|&y| y <= 9999) else {
        return false;
    };
    let ymd = pairs4(lanes(y / 100, y % 100, date.month(), date.day()));
    let hm = pairs4(lanes(minute / 60, minute % 60, 0, 0));
    let mut text = *b"0000-00-00_00:00";
    text[0..4].copy_from_slice(&ymd[0..4]);
    text[5..7].copy_from_slice(&ymd[4..6]);
    text[8..10].copy_from_slice(&ymd[6..8]);
    text[11..13].copy_from_slice(&hm[0..2]);
    text[14..16].copy_from_slice(&hm[2..4]);
    buf[..16].copy_from_slice(&text);
    MINUTES.with(|cache| {
        // Replace the slot not used last.
        let victim = 1 - cache.last.get();
        cache.slots[victim].set(MinuteText { date, minute, text });
        cache.last.set(victim);
    });
    true
}

/// A cached [`minute_text`].
#[derive(Clone, Copy)]
struct MinuteText {
    date: chrono::NaiveDate,
    /// Minute of the day; `u32::MAX` for an empty slot.
    minute: u32,
    text: [u8; 16],
}

/// The cache of [`minute_text`]: two slots, and which was used last.
struct MinuteCache {
    slots: [Cell<MinuteText>; 2],
    last: Cell<usize>,
}

thread_local! {
    static MINUTES: MinuteCache = const {
        let empty = MinuteText {
            date: chrono::NaiveDate::MIN,
            minute: u32::MAX,
            text: [0; 16],
        };
        MinuteCache {
            slots: [Cell::new(empty), Cell::new(empty)],
            last: Cell::new(0),
        }
    };
}

/// The eight decimal digits of `v` (below 10^8), zero-padded. Its two halves, below 10^4,
/// go into the 32-bit lanes of a word and are split into pairs of digits in both lanes at
/// once (`v * 5243 >> 19` is `v / 100` for `v` below 10^4, and stays within its lane), where
/// four separate divisions and remainders cost more (measured: 10 instructions per NDJSON
/// event, whose parse time always has a fraction).
#[inline]
fn eight_digits(v: u32) -> [u8; 8] {
    let (hi, lo) = (v / 10_000, v % 10_000);
    let x = u64::from(hi) | u64::from(lo) << 32;
    let hundreds = ((x * 5243) >> 19) & 0x0000_007f_0000_007f;
    let rest = x - hundreds * 100;
    pairs4(hundreds | rest << 16)
}

/// Four numbers, each below 100, in the 16-bit lanes of a word, the first in the lowest.
#[inline]
fn lanes(a: u32, b: u32, c: u32, d: u32) -> u64 {
    u64::from(a) | u64::from(b) << 16 | u64::from(c) << 32 | u64::from(d) << 48
}

/// The two decimal digits of each lane of [`lanes`], in order: eight ASCII digits.
/// All lanes at once: `v * 103 >> 10` is `v / 10` for `v` below 100, and `v * 103` stays
/// within its lane (below 2^14).
#[inline]
fn pairs4(x: u64) -> [u8; 8] {
    const LANES: u64 = 0x0001_0001_0001_0001;
    let tens = ((x * 103) >> 10) & (LANES * 0xf);
    let ones = x - tens * 10;
    (tens | ones << 8 | (LANES * 0x3030)).to_le_bytes()
}

fn write_date_time_slow(ts: &Timestamp, sep: u8, out: &mut Vec<u8>) -> u32 {
    let year = ts.year();
    if (0..=9999).contains(&year) {
        push_padded(year.unsigned_abs(), 4, out);
    } else {
        if year < 0 {
            out.push(b'-');
        }
        let abs = year.unsigned_abs();
        let width = if abs > 9999 { 10 } else { 4 };
        let mut digits = [0u8; 10];
        fill_digits(abs, &mut digits[..width]);
        let start = digits[..width]
            .iter()
            .position(|&d| d != b'0')
            .unwrap_or(width)
            .min(width - 4);
        out.extend_from_slice(&digits[start..width]);
    }
    let mut second = ts.second();
    let mut nanos = ts.nanosecond();
    if nanos >= 1_000_000_000 {
        // chrono represents a leap second as second 59 with nanos >= 1e9.
        second += 1;
        nanos -= 1_000_000_000;
    }
    out.push(b'-');
    push_padded(ts.month(), 2, out);
    out.push(b'-');
    push_padded(ts.day(), 2, out);
    out.push(sep);
    push_padded(ts.hour(), 2, out);
    out.push(b':');
    push_padded(ts.minute(), 2, out);
    out.push(b':');
    push_padded(second, 2, out);
    nanos
}

/// Writes the low `buf.len()` decimal digits of `v`, zero-padded, into `buf`.
fn fill_digits(mut v: u32, buf: &mut [u8]) {
    for slot in buf.iter_mut().rev() {
        // `v % 10` is below 10, so the narrowing cannot lose anything.
        *slot = b'0' + u8::try_from(v % 10).unwrap_or(0);
        v /= 10;
    }
}

fn push_padded(v: u32, width: usize, out: &mut Vec<u8>) {
    let mut digits = [0u8; 10];
    let width = width.min(digits.len());
    fill_digits(v, &mut digits[..width]);
    out.extend_from_slice(&digits[..width]);
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use crate::time::TimeFormat;

    #[test]
    fn fast_date_time_matches_chrono_fields() {
        use super::super::{FIRST_SECOND as MIN_FAST_SECS, LAST_SECOND as MAX_FAST_SECS};
        use chrono::TimeZone as _;
        let mut x: u64 = 0x1234_5678_9abc_def0;
        let check = |ts: super::Timestamp| {
            let (mut fast, mut slow) = (b"x".to_vec(), b"x".to_vec());
            super::write_rfc3339(&ts, &mut fast);
            super::write_rfc3339_slow(&ts, &mut slow);
            assert_eq!(fast, slow, "{ts:?}");
            super::write_panther(&ts, &mut fast);
            super::write_panther_slow(&ts, &mut slow);
            assert_eq!(fast, slow, "{ts:?}");
            let mut buf = [b'0'; super::BLOCK];
            let nanos = super::fixed_digits(&ts, &mut buf).expect("in range");
            slow.clear();
            let slow_nanos = super::write_date_time_slow(&ts, b'_', &mut slow);
            assert_eq!(slow, buf[..19], "{ts:?}");
            assert_eq!(nanos, slow_nanos, "{ts:?}");
            assert_eq!(buf[19..29], *format!(".{nanos:09}").as_bytes(), "{ts:?}");
        };
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            #[allow(clippy::cast_possible_wrap)]
            let secs =
                MIN_FAST_SECS + (x % 253_402_300_800_u64.wrapping_add(62_167_219_200)) as i64;
            #[allow(clippy::cast_possible_truncation)]
            let nanos = (x >> 20) as u32 % 1_000_000_000;
            check(chrono::Utc.timestamp_opt(secs, nanos).unwrap());
        }
        for secs in [MIN_FAST_SECS, MAX_FAST_SECS, 0, -1, 951_782_400] {
            // Trailing zeros trimmed or not.
            for nanos in [0, 1, 10, 120_000, 500_000_000, 999_999_999] {
                check(chrono::Utc.timestamp_opt(secs, nanos).unwrap());
            }
        }
        // A leap second.
        check(
            chrono::Utc
                .timestamp_opt(1_483_228_799, 1_500_000_000)
                .unwrap(),
        );
    }

    #[test]
    fn pairs4_writes_two_digits_per_lane() {
        for a in 0..100 {
            for b in 0..100 {
                let (c, d) = ((a * 7 + b) % 100, 99 - b);
                let want = format!("{a:02}{b:02}{c:02}{d:02}");
                assert_eq!(super::pairs4(super::lanes(a, b, c, d)), want.as_bytes());
            }
        }
    }

    use super::*;

    /// One line per case: `rfc3339 input => (write_rfc3339 output, write_panther output)`.
    macro_rules! write_cases {
        ($name:ident { $($input:expr => ($rfc:expr, $panther:expr);)* }) => {
            #[test]
            fn $name() {
                $(
                    let ts = TimeFormat::Rfc3339.parse_str($input).expect($input);
                    let mut out = Vec::new();
                    write_rfc3339(&ts, &mut out);
                    assert_eq!(std::str::from_utf8(&out), Ok($rfc), "rfc3339 of {}", $input);
                    out.clear();
                    write_panther(&ts, &mut out);
                    assert_eq!(std::str::from_utf8(&out), Ok($panther), "panther of {}", $input);
                )*
            }
        };
    }

    write_cases!(writers {
        "2023-07-01T14:00:00Z" => ("2023-07-01T14:00:00Z", "2023-07-01 14:00:00.000000000");
        "2023-07-01T14:00:00.500Z" => ("2023-07-01T14:00:00.5Z", "2023-07-01 14:00:00.500000000");
        "2023-07-01T14:00:00.123Z" => ("2023-07-01T14:00:00.123Z", "2023-07-01 14:00:00.123000000");
        "2023-07-01T14:00:00.123456Z" => ("2023-07-01T14:00:00.123456Z", "2023-07-01 14:00:00.123456000");
        "2023-07-01T14:00:00.000000001Z" => ("2023-07-01T14:00:00.000000001Z", "2023-07-01 14:00:00.000000001");
        "2023-07-01T14:00:00.123456789Z" => ("2023-07-01T14:00:00.123456789Z", "2023-07-01 14:00:00.123456789");
        "0001-01-01T00:00:00Z" => ("0001-01-01T00:00:00Z", "0001-01-01 00:00:00.000000000");
        "0000-02-29T09:08:07Z" => ("0000-02-29T09:08:07Z", "0000-02-29 09:08:07.000000000");
        "9999-12-31T23:59:59.999999999Z" => ("9999-12-31T23:59:59.999999999Z", "9999-12-31 23:59:59.999999999");
    });

    #[test]
    fn writers_out_of_range_years_do_not_panic() {
        use chrono::TimeZone;
        let cases = [
            (
                Utc.with_ymd_and_hms(-1, 1, 1, 0, 0, 0).unwrap(),
                "-0001-01-01T00:00:00Z",
            ),
            (
                Utc.with_ymd_and_hms(12345, 1, 1, 0, 0, 0).unwrap(),
                "12345-01-01T00:00:00Z",
            ),
            (
                Utc.with_ymd_and_hms(-123_456, 1, 1, 0, 0, 0).unwrap(),
                "-123456-01-01T00:00:00Z",
            ),
        ];
        for (ts, want) in cases {
            let mut out = Vec::new();
            write_rfc3339(&ts, &mut out);
            assert_eq!(std::str::from_utf8(&out), Ok(want));
        }
        for ts in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
            let mut out = Vec::new();
            write_rfc3339(&ts, &mut out);
            write_panther(&ts, &mut out);
            assert!(!out.is_empty());
        }
    }

    /// `ts` by the writers and by their slow paths (which read every field from chrono and
    /// cache nothing), as `(rfc3339, panther)`; asserts that they agree.
    fn written_both_ways(ts: &Timestamp) -> (String, String) {
        let (mut fast, mut slow) = (b"x".to_vec(), b"x".to_vec());
        write_rfc3339(ts, &mut fast);
        write_rfc3339_slow(ts, &mut slow);
        assert_eq!(fast, slow, "rfc3339 of {ts:?}");
        let rfc = String::from_utf8_lossy(&fast[1..]).into_owned();
        let (mut fast, mut slow) = (b"x".to_vec(), b"x".to_vec());
        write_panther(ts, &mut fast);
        write_panther_slow(ts, &mut slow);
        assert_eq!(fast, slow, "panther of {ts:?}");
        (rfc, String::from_utf8_lossy(&fast[1..]).into_owned())
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, nanos: u32) -> Timestamp {
        chrono::NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|d| d.and_hms_nano_opt(h, mi, s, nanos))
            .map(|n| n.and_utc())
            .expect("valid date")
    }

    /// The writers' cache of date, hour and minute: the same minute of the day on other
    /// dates, and runs of seconds across minute, hour, day, month and year boundaries
    /// (leap days, leap seconds, years 0, 999/1000, 1969/1970, 9999), interleaved with one
    /// or two other dates as a parse time is, and with years the cache must not take.
    #[test]
    fn writers_cache_keeps_dates_and_minutes_apart() {
        use chrono::TimeZone as _;
        // One minute of the day on dates one day, one month, one year and 400 years apart.
        let same_minute = [
            (utc(2023, 7, 1, 14, 5, 6, 0), "2023-07-01T14:05:06Z"),
            (utc(2023, 7, 2, 14, 5, 6, 0), "2023-07-02T14:05:06Z"),
            (utc(2023, 8, 2, 14, 5, 6, 0), "2023-08-02T14:05:06Z"),
            (utc(2024, 8, 2, 14, 5, 6, 0), "2024-08-02T14:05:06Z"),
            (utc(2424, 8, 2, 14, 5, 6, 0), "2424-08-02T14:05:06Z"),
            (
                utc(2023, 7, 1, 14, 5, 7, 5),
                "2023-07-01T14:05:07.000000005Z",
            ),
            (utc(2023, 7, 1, 15, 5, 7, 0), "2023-07-01T15:05:07Z"),
            (utc(2023, 7, 1, 14, 6, 7, 0), "2023-07-01T14:06:07Z"),
        ];
        for (ts, want) in same_minute {
            assert_eq!(written_both_ways(&ts).0, want);
        }
        let starts = [
            utc(2023, 12, 31, 23, 58, 30, 0),
            utc(2024, 2, 28, 23, 59, 0, 250_000_000),
            utc(2023, 2, 28, 23, 59, 0, 0),
            utc(2016, 12, 31, 23, 59, 58, 0),
            utc(1969, 12, 31, 23, 59, 1, 999_999_999),
            utc(999, 12, 31, 23, 59, 30, 0),
            utc(0, 1, 1, 0, 0, 0, 0),
            utc(0, 2, 28, 23, 59, 0, 0),
            utc(9999, 12, 31, 23, 58, 0, 1),
        ];
        let others = [
            utc(2026, 11, 22, 23, 47, 38, 808_581_653),
            utc(1999, 1, 1, 0, 0, 0, 0),
        ];
        let out_of_range = [
            Utc.with_ymd_and_hms(-1, 12, 31, 23, 59, 0).single(),
            Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).single(),
        ];
        for (k, start) in (0_i64..).zip(starts) {
            for step in 0..200 {
                let ts = start + chrono::Duration::seconds(step * 7);
                written_both_ways(&ts);
                // A parse time after every timestamp, a second date every third.
                written_both_ways(&others[0]);
                if step % 3 == k % 3 {
                    written_both_ways(&others[1]);
                }
                if step % 50 == 0 {
                    for ts in out_of_range.iter().flatten() {
                        written_both_ways(ts);
                    }
                }
            }
        }
        // A leap second in a cached minute, and the minutes around it.
        let leap = [
            (utc(2016, 12, 31, 23, 59, 59, 0), "2016-12-31T23:59:59Z"),
            (
                utc(2016, 12, 31, 23, 59, 59, 1_000_000_000),
                "2016-12-31T23:59:60Z",
            ),
            (
                utc(2016, 12, 31, 23, 59, 59, 1_500_000_000),
                "2016-12-31T23:59:60.5Z",
            ),
            (utc(2017, 1, 1, 0, 0, 0, 0), "2017-01-01T00:00:00Z"),
            (
                utc(2016, 12, 31, 23, 59, 59, 1_000_000_001),
                "2016-12-31T23:59:60.000000001Z",
            ),
        ];
        for (ts, want) in leap {
            assert_eq!(written_both_ways(&ts).0, want);
        }
        let (_, panther) = written_both_ways(&utc(2016, 12, 31, 23, 59, 59, 1_500_000_000));
        assert_eq!(panther, "2016-12-31 23:59:60.500000000");
    }

    /// Random timestamps over the whole range, in runs of close ones, against the slow paths.
    #[test]
    fn writers_agree_with_slow_paths_on_random_runs() {
        let mut next = crate::testing::xorshift(0x9e37_79b9_7f4a_7c15);
        let max_days = utc(9999, 12, 31, 0, 0, 0, 0).timestamp() / 86_400;
        let min_days = utc(0, 1, 1, 0, 0, 0, 0).timestamp() / 86_400;
        let span = usize::try_from(max_days - min_days).expect("span");
        for _ in 0..2_000 {
            let days = min_days + i64::try_from(next(span)).expect("days");
            let secs = days * 86_400 + i64::try_from(next(86_400)).expect("secs");
            for _ in 0..8 {
                let nanos = match next(4) {
                    0 => 0,
                    1 => u32::try_from(next(1_000)).expect("nanos") * 1_000_000,
                    _ => u32::try_from(next(1_000_000_000)).expect("nanos"),
                };
                let secs = secs + i64::try_from(next(300)).expect("step");
                if let Some(ts) = DateTime::from_timestamp(secs, nanos) {
                    written_both_ways(&ts);
                }
            }
        }
    }

    #[test]
    fn eight_digits_like_format() {
        let mut next = crate::testing::xorshift(0x2545_f491_4f6c_dd1d);
        let edges = (0..10_000).flat_map(|k| [k, k * 10_000, k * 10_000 + 9_999, 99_999_999 - k]);
        let random = (0..200_000).map(|_| next(100_000_000));
        for v in edges.chain(random) {
            let v = u32::try_from(v).expect("below 10^8");
            assert_eq!(eight_digits(v), *format!("{v:08}").as_bytes(), "{v}");
        }
    }

    #[test]
    fn leap_second_is_written_as_60() {
        let ts = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
            .map(|n| n.and_utc())
            .expect("leap second");
        let mut out = Vec::new();
        write_rfc3339(&ts, &mut out);
        assert_eq!(std::str::from_utf8(&out), Ok("2016-12-31T23:59:60.5Z"));
    }
}
