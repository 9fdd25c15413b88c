//! The `rfc3339` decoder (also the string form of `cloudflare`): a fast path for the shapes
//! nearly every value has, with a thread-local cache of the last two dates, and the general
//! parser that has the final word. Also the two-digit and fraction readers the pattern engine
//! shares.

use std::cell::Cell;

use chrono::Datelike;

use super::calendar::civil_to_ts;
use super::Timestamp;

pub(super) fn parse_rfc3339(s: &[u8]) -> Option<Timestamp> {
    parse_rfc3339_fast(s).or_else(|| parse_rfc3339_general(s))
}

/// The shapes nearly every RFC 3339 value has: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of one
/// to nine digits, then `Z` or `±hh:mm`, every field in range.
///
/// `None` means "not sure", never "invalid": the caller then asks [`parse_rfc3339_general`], which
/// has the final word. So this function only has to be right about what it accepts, and anything
/// unusual (ten or more fractional digits, an impossible date, a result outside 0000–9999) is
/// simply left to the general parser.
fn parse_rfc3339_fast(s: &[u8]) -> Option<Timestamp> {
    // `YY` `YY-MM-DD` `T` `HH:MM:SS`: the two eight-byte runs share one layout and are checked
    // as one word each rather than byte by byte.
    let ([c0, c1], s) = s.split_first_chunk::<2>()?;
    let (date, s) = s.split_first_chunk::<8>()?;
    let (b'T', s) = s.split_first()? else {
        return None;
    };
    let (time, rest) = s.split_first_chunk::<8>()?;
    let (hour, minute, second) = three_pairs(*time, b':')?;
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let (nanos, zone) = match rest {
        [b'.', fraction @ ..] => {
            let mut nanos = 0;
            let mut n = 0;
            while let Some(&c @ b'0'..=b'9') = fraction.get(n) {
                if n == 9 {
                    return None;
                }
                nanos = nanos * 10 + u32::from(c - b'0');
                n += 1;
            }
            if n == 0 {
                return None;
            }
            (nanos * POW10[9 - n], &fraction[n..])
        }
        _ => (0, rest),
    };
    let offset = rfc3339_zone(zone)?;
    let date = rfc3339_date(*c0, *c1, *date)?;
    // An offset below 24 hours moves the UTC time at most one day either way.
    // `offset` is below a day: it fits in an i32.
    #[allow(clippy::cast_possible_truncation)]
    let mut secs = (hour * 3600 + minute * 60 + second).cast_signed() - offset as i32;
    let date = if secs < 0 {
        secs += 86_400;
        date.pred_opt()?
    } else if secs >= 86_400 {
        secs -= 86_400;
        date.succ_opt()?
    } else {
        date
    };
    if !(0..=9999).contains(&date.year()) {
        return None;
    }
    let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(secs.cast_unsigned(), nanos)?;
    Some(date.and_time(time).and_utc())
}

/// The calendar date of the text `c0 c1 date` (`YY` `YY-MM-DD`), or `None` when it is not one
/// (February 30 included). The records of a file nearly all share a date, so the last two
/// dates decoded are kept with their text (two: a UTC offset moves some local dates to the
/// day before or after): a hit costs two comparisons, where checking the digits and building
/// the date with chrono's `from_ymd_opt` costs about 50 instructions. Only valid dates are
/// cached, so an invalid one is checked in full every time. The cache is read with
/// `LocalKey::get`: through `LocalKey::with` the access was a call (25 instructions).
#[inline]
fn rfc3339_date(c0: u8, c1: u8, date: [u8; 8]) -> Option<chrono::NaiveDate> {
    let text = u64::from_le_bytes(date);
    let century = u16::from_le_bytes([c0, c1]);
    let [a, b] = LAST_DATE.get();
    if a.text == text && a.century == century {
        return Some(a.date);
    }
    if b.text == text && b.century == century {
        return Some(b.date);
    }
    rfc3339_date_miss(c0, c1, date)
}

/// [`rfc3339_date`] when the cache has not got it: checks, builds and caches the date in the
/// first slot, moving the one there to the second.
#[inline(never)]
fn rfc3339_date_miss(c0: u8, c1: u8, date: [u8; 8]) -> Option<chrono::NaiveDate> {
    let (yy, month, day) = three_pairs(date, b'-')?;
    let year = two_digits(c0, c1)? * 100 + yy;
    // chrono checks month and day (February 30 is `None`).
    let d = chrono::NaiveDate::from_ymd_opt(year.cast_signed(), month, day)?;
    let [a, _] = LAST_DATE.get();
    LAST_DATE.set([
        DateText {
            text: u64::from_le_bytes(date),
            century: u16::from_le_bytes([c0, c1]),
            date: d,
        },
        a,
    ]);
    Some(d)
}

/// A cached [`rfc3339_date`]: the text of a valid date and that date.
#[derive(Clone, Copy)]
struct DateText {
    /// `YY-MM-DD` as a little-endian word.
    text: u64,
    /// The first two digits of the year, little-endian (`u16::MAX` when the slot is empty:
    /// `0xFF` is no byte of UTF-8 text, so no input matches an empty slot).
    century: u16,
    date: chrono::NaiveDate,
}

thread_local! {
    static LAST_DATE: Cell<[DateText; 2]> = const {
        let empty = DateText {
            text: 0,
            century: u16::MAX,
            date: chrono::NaiveDate::MIN,
        };
        Cell::new([empty, empty])
    };
}

/// Nanoseconds per unit of the last digit of an `n`-digit fraction, by `9 - n`.
const POW10: [u32; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// The three two-digit numbers of `dd?dd?dd` (`YY-MM-DD`, `HH:MM:SS`), when every `d` is an ASCII
/// digit and both `?` are `sep`.
///
/// The eight bytes are read as one little-endian word (byte 0 = first character), so all checks
/// and conversions are a few word operations rather than one branch per byte.
#[allow(clippy::cast_possible_truncation)] // each extracted byte is at most 99
fn three_pairs(bytes: [u8; 8], sep: u8) -> Option<(u32, u32, u32)> {
    // Bytes 0, 1, 3, 4, 6, 7 are digits; bytes 2 and 5 are separators.
    const DIGIT_HIGH: u64 = 0xF0F0_00F0_F000_F0F0;
    const DIGIT_LOW: u64 = 0x0F0F_000F_0F00_0F0F;
    const SEPS: u64 = 0x0000_FF00_00FF_0000;
    const DIGIT_ZEROS: u64 = 0x3030_0030_3000_3030;
    const DIGIT_SIXES: u64 = 0x0606_0006_0600_0606;
    let w = u64::from_le_bytes(bytes);
    let want = DIGIT_ZEROS | u64::from(sep) << 16 | u64::from(sep) << 40;
    let low = w & DIGIT_LOW;
    // A digit is 0x30..=0x39: high nibble 3, and a low nibble small enough that adding 6 does not
    // reach the high nibble (15 + 6 < 256, so no byte carries into the next).
    if w & (DIGIT_HIGH | SEPS) != want || (low + DIGIT_SIXES) & DIGIT_HIGH != 0 {
        return None;
    }
    // Byte i becomes 10 * digit i + digit i+1, at most 99, so again no carries; the pairs start
    // at bytes 0, 3 and 6.
    let pairs = low * 10 + (low >> 8);
    Some((
        (pairs & 0xFF) as u32,
        (pairs >> 24 & 0xFF) as u32,
        (pairs >> 48 & 0xFF) as u32,
    ))
}

/// The reference RFC 3339 parser: every input [`parse_rfc3339_fast`] is unsure about ends here.
fn parse_rfc3339_general(s: &[u8]) -> Option<Timestamp> {
    let [y0, y1, y2, y3, b'-', mo0, mo1, b'-', d0, d1, b'T', rest @ ..] = s else {
        return None;
    };
    // The hour has one digit or two: Go's `time.Parse` reads the layout's `15` with
    // `getnum(value, false)`, so `T9:02:03Z` is 09:02:03 (the other fields have two).
    let (hour, rest) = match rest {
        [h0, h1, rest @ ..] if h1.is_ascii_digit() => (two_digits(*h0, *h1)?, rest),
        [h0 @ b'0'..=b'9', rest @ ..] => (u32::from(h0 - b'0'), rest),
        _ => return None,
    };
    let [b':', mi0, mi1, b':', rest @ ..] = rest else {
        return None;
    };
    // No seconds before a fraction (`14:00:.5Z`) is 14:00:00.5 to Go's `time.Parse`: the
    // seconds' error is overwritten by the fraction's reading (review s45-h7 LOW-1).
    let (second, rest) = match rest {
        [s0, s1, rest @ ..] if s0.is_ascii_digit() => (two_digits(*s0, *s1)?, rest),
        [b'.', d, ..] if d.is_ascii_digit() => (0, rest),
        _ => return None,
    };
    let year = i64::from(two_digits(*y0, *y1)? * 100 + two_digits(*y2, *y3)?);
    let month = two_digits(*mo0, *mo1)?;
    let day = two_digits(*d0, *d1)?;
    let minute = two_digits(*mi0, *mi1)?;
    let mut rest = rest;
    let mut nanos = 0;
    if let [b'.', first, ..] = rest {
        if first.is_ascii_digit() {
            let (ns, n) = fraction_digits(&rest[1..], usize::MAX);
            nanos = ns;
            rest = &rest[1 + n..];
        }
    }
    let offset = rfc3339_zone(rest)?;
    civil_to_ts(year, month, day, hour, minute, second, nanos, offset)
}

/// The seconds east of UTC of an RFC 3339 zone: `Z` or `±hh:mm` (hours below 24).
#[allow(clippy::inline_always)] // measured: the fast path pays ~30 instructions a record otherwise
#[inline(always)]
fn rfc3339_zone(zone: &[u8]) -> Option<i64> {
    match zone {
        [b'Z'] => Some(0),
        [sign @ (b'+' | b'-'), oh0, oh1, b':', om0, om1] => {
            let oh = two_digits(*oh0, *oh1)?;
            let om = two_digits(*om0, *om1)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let off = i64::from(oh * 3600 + om * 60);
            Some(if *sign == b'-' { -off } else { off })
        }
        _ => None,
    }
}

pub(super) fn two_digits(a: u8, b: u8) -> Option<u32> {
    if a.is_ascii_digit() && b.is_ascii_digit() {
        Some(u32::from(a - b'0') * 10 + u32::from(b - b'0'))
    } else {
        None
    }
}

/// Reads the digits after a fraction separator: all of them are consumed, the first nine count
/// (Go's `parseNanoseconds` truncates the same way). Returns (nanos, digits consumed).
pub(super) fn fraction_digits(s: &[u8], max_digits: usize) -> (u32, usize) {
    let mut nanos: u32 = 0;
    let mut n = 0;
    while n < s.len() && n < max_digits && s[n].is_ascii_digit() {
        if n < 9 {
            nanos = nanos * 10 + u32::from(s[n] - b'0');
        }
        n += 1;
    }
    let mut k = n;
    while k < 9 {
        nanos *= 10;
        k += 1;
    }
    (nanos, n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::TimeFormat;

    /// The RFC 3339 fast path against the general parser: whatever the fast path accepts, it
    /// must decode exactly as the general parser does; and it must not leave any valid value
    /// with at most nine fractional digits to the general parser (it would still be correct,
    /// only slower).
    fn check_rfc3339_fast(s: &str) {
        let b = s.as_bytes();
        let fast = parse_rfc3339_fast(b);
        let general = parse_rfc3339_general(b);
        if fast.is_some() {
            assert_eq!(fast, general, "{s:?}");
        }
        let fraction_digits = s
            .get(19..)
            .and_then(|r| r.strip_prefix('.'))
            .map_or(0, |r| r.bytes().take_while(u8::is_ascii_digit).count());
        // A one-digit hour (`T9:02:03Z`, which Go reads), and no seconds before a fraction
        // (`T14:00:.5Z`, which Go reads too), are left to the general parser.
        let two_digit_hour = b.get(13) == Some(&b':');
        let seconds = b.get(17).is_some_and(u8::is_ascii_digit);
        if general.is_some() && fraction_digits <= 9 && two_digit_hour && seconds {
            assert_eq!(fast, general, "fast path fell back on {s:?}");
        }
        assert_eq!(TimeFormat::Rfc3339.parse_str(s), general, "{s:?}");
    }

    #[test]
    fn rfc3339_fast_path_agrees_on_edge_cases() {
        for s in [
            "2023-07-01T14:00:00Z",
            "2023-07-01T14:00:00.1Z",
            "2023-07-01T14:00:00.12Z",
            "2023-07-01T14:00:00.123Z",
            "2023-07-01T14:00:00.1234Z",
            "2023-07-01T14:00:00.12345Z",
            "2023-07-01T14:00:00.123456Z",
            "2023-07-01T14:00:00.1234567Z",
            "2023-07-01T14:00:00.12345678Z",
            "2023-07-01T14:00:00.123456789Z",
            "2023-07-01T14:00:00.1234567891Z",
            "2023-07-01T14:00:00.123456789123456789Z",
            "2023-07-01T14:00:00.000000000Z",
            "2023-07-01T14:00:00.999999999Z",
            "2023-07-01T14:00:00.Z",
            "2023-07-01T14:00:00.5",
            "2023-07-01T14:00:00,5Z",
            "2023-07-01T14:00:00.5.5Z",
            "2023-07-01T14:00:00+02:00",
            "2023-07-01T14:00:00.123456+02:00",
            "2023-07-01T14:00:00.5-08:00",
            "2023-07-01T14:00:00+14:00",
            "2023-07-01T14:00:00-12:00",
            "2023-07-01T14:00:00+00:00",
            "2023-07-01T14:00:00-00:00",
            "2023-07-01T14:00:00+23:59",
            "2023-07-01T14:00:00-23:59",
            "2023-07-01T14:00:00+24:00",
            "2023-07-01T14:00:00+05:60",
            "2023-07-01T14:00:00+0530",
            "2023-07-01T14:00:00+05",
            "2023-07-01T14:00:00+05:30:00",
            "2023-07-01T14:00:00 +05:30",
            "2023-07-01T14:00:00z",
            "2023-07-01t14:00:00Z",
            "2023-07-01 14:00:00Z",
            "2023-07-01T14:00:00ZZ",
            "2023-07-01T14:00:00Z ",
            " 2023-07-01T14:00:00Z",
            "2023-07-01T14:00:00",
            "2023-07-01T14:00:0Z",
            "2023-07-01T1:00:00Z",
            "2023-07-01T9:02:03.5+01:00",
            "2023-07-01T:00:00Z",
            "2023-07-01T123:00:00Z",
            "2023-07-01T1:0:00Z",
            "2023-7-01T14:00:00Z",
            "+2023-07-01T14:00:00Z",
            "-2023-07-01T14:00:00Z",
            "2023-07-01T23:59:60Z",
            "2016-12-31T23:59:60Z",
            "2023-07-01T24:00:00Z",
            "2023-07-01T14:60:00Z",
            "2023-02-28T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2023-02-30T00:00:00Z",
            "2024-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2000-02-29T00:00:00Z",
            "2023-04-31T00:00:00Z",
            "2023-00-01T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-07-00T00:00:00Z",
            "2023-07-32T00:00:00Z",
            "2023-12-31T23:30:00-01:00",
            "2024-01-01T00:30:00+01:00",
            "2024-02-28T23:00:00-01:00",
            "2023-02-28T23:00:00-01:00",
            "2024-03-01T00:30:00+01:00",
            "0000-01-01T00:00:00Z",
            "0000-01-01T00:00:00+00:01",
            "0000-01-01T00:00:00-00:01",
            "0000-01-01T00:59:59+01:00",
            "9999-12-31T23:59:59.999999999Z",
            "9999-12-31T23:59:59-00:01",
            "9999-12-31T23:00:00+01:00",
            "9999-12-31T00:00:00-23:59",
            "1969-12-31T23:59:59Z",
            "2023-07-01T14:00:00\u{0}Z",
            "2023-07-01T14:00:00Ｚ",
            "2022-04-04\u{3a4}17:09:17Z",
            "2023:07:01T14-00-00Z",
            "2023-07-01T14:00:00/0Z",
            "20:3-07-01T14:00:00Z",
            "2023-0:-01T14:00:00Z",
            "2023-07-01T14:0:00Z",
            "",
            "2023",
        ] {
            check_rfc3339_fast(s);
        }
    }

    #[test]
    fn rfc3339_date_cache_empty_slots_match_nothing() {
        // NUL bytes (from `\u0000` escapes) where the date should be: refused, on a fresh
        // thread whose cache is still empty.
        let s = "\0\0\0\0\0\0\0\0\0\0T04:29:45Z";
        let got = std::thread::spawn(move || parse_rfc3339_fast(s.as_bytes()))
            .join()
            .expect("thread");
        assert_eq!(got, None);
        assert_eq!(parse_rfc3339_general(s.as_bytes()), None);
    }

    #[test]
    fn rfc3339_date_cache_keeps_dates_apart() {
        // Consecutive values whose dates differ in one field (the century included), cross
        // month and year ends, or are invalid right after a valid neighbour: each must decode
        // as on its own, whatever the cache held before.
        let dates = [
            "2023-07-16",
            "2023-07-16",
            "1923-07-16",
            "2023-07-17",
            "2023-08-16",
            "2024-07-16",
            "2023-12-31",
            "2024-01-01",
            "2023-12-31",
            "2024-02-29",
            "2023-02-29",
            "2023-02-29",
            "2024-02-29",
            "2023-02-28",
            "2023-02-30",
            "2023-02-28",
            "2023-04-31",
            "2023-04-30",
            "2023-00-30",
            "2023-13-30",
            "0000-01-01",
            "9999-12-31",
            "2100-02-29",
            "2000-02-29",
        ];
        for (i, date) in dates.iter().enumerate() {
            for time in ["04:29:45Z", "00:30:00+01:00", "23:30:00-01:00"] {
                let s = format!("{date}T{time}");
                let want = parse_rfc3339_general(s.as_bytes());
                assert_eq!(
                    parse_rfc3339_fast(s.as_bytes()),
                    want,
                    "{s} after {i} dates"
                );
                // And again right after values with one and two other dates (the cache holds
                // two).
                let other = dates[(i + 7) % dates.len()];
                let _ = parse_rfc3339_fast(format!("{other}T{time}").as_bytes());
                assert_eq!(parse_rfc3339_fast(s.as_bytes()), want, "{s} after {other}");
                let third = dates[(i + 13) % dates.len()];
                let _ = parse_rfc3339_fast(format!("{other}T{time}").as_bytes());
                let _ = parse_rfc3339_fast(format!("{third}T{time}").as_bytes());
                assert_eq!(parse_rfc3339_fast(s.as_bytes()), want, "{s} after {third}");
            }
        }
    }

    #[test]
    fn rfc3339_fast_path_agrees_on_every_day_near_midnight() {
        let times = [
            ("00:00:00", "Z"),
            ("00:00:00", "+00:01"),
            ("00:00:00", "-00:00"),
            ("00:00:00", "-23:59"),
            ("00:30:00.5", "+01:00"),
            ("12:00:00", "+14:00"),
            ("23:30:00", "-01:00"),
            ("23:59:59", "-00:01"),
            ("23:59:59.999999999", "+23:59"),
            ("23:59:59.999999999", "-23:59"),
        ];
        for year in [
            0, 1, 4, 99, 100, 400, 1900, 1969, 1970, 2000, 2023, 2024, 2100, 9999,
        ] {
            for month in 0..=13 {
                for day in 0..=32 {
                    for (time, zone) in times {
                        check_rfc3339_fast(&format!("{year:04}-{month:02}-{day:02}T{time}{zone}"));
                    }
                }
            }
        }
    }

    #[test]
    fn rfc3339_fast_path_agrees_on_random_and_mutated_values() {
        use std::fmt::Write as _;
        let mut next = crate::testing::xorshift(0x2545_f491_4f6c_dd1d);
        let noise = b"0123456789-:.TtZz+ /\xff";
        let mut s = String::new();
        for _ in 0..300_000 {
            s.clear();
            let year = [0, 1, 1900, 1970, 2000, 2023, 2024, 9999, next(10_000)][next(9)];
            let (month, day) = (next(14), next(33));
            let (hour, minute, second) = (next(25), next(61), next(61));
            let _ = write!(
                s,
                "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}"
            );
            let digits = [0, 0, 0, 1, 3, 6, 9, next(13)][next(8)];
            if digits > 0 || next(20) == 0 {
                s.push('.');
                for _ in 0..digits {
                    s.push(char::from(b"0123456789"[next(10)]));
                }
            }
            let _ = match next(6) {
                0 | 1 => write!(s, "Z"),
                2 => write!(s, "+{:02}:{:02}", next(25), next(61)),
                3 => write!(s, "-{:02}:{:02}", next(25), next(61)),
                4 => write!(
                    s,
                    "{}",
                    ["+00:00", "-00:00", "+14:00", "-12:00", "z", ""][next(6)]
                ),
                _ => write!(s, "+{:02}:30", next(3)),
            };
            check_rfc3339_fast(&s);
            // The same value with one byte replaced, or cut short.
            let mut bytes = s.clone().into_bytes();
            let at = next(bytes.len());
            if next(2) == 0 {
                bytes[at] = noise[next(noise.len())];
            } else {
                bytes.truncate(at);
            }
            check_rfc3339_fast(&String::from_utf8_lossy(&bytes));
        }
    }
}
