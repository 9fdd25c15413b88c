//! Numbers written as text (a JSON string in a numeric field or a `unix` timestamp, a text
//! log's value), read as Go's `strconv` reads them for Panther.

use std::borrow::Cow;

/// Go's `strconv.ParseInt(s, 10, 64)`: optional sign, ASCII digits, nothing else; none
/// when `s` is not that, or out of range ([`is_integer_text`] tells which). One pass: the
/// check and std's parser after it cost a text log's integer fields about twice.
///
/// Up to 19 digits (leading zeros aside) cannot overflow a `u64`, so the digits are summed
/// without overflow checks, eight at a time where there are eight: a loop of a checked
/// multiply per digit was a chain the CPU could not overlap (`perf` put a quarter of the
/// text decode loop's samples on it, for the 15-digit byte counts of a VPN log).
pub(crate) fn parse_int(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let (negative, mut digits) = match b {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, b),
    };
    if digits.is_empty() {
        return None;
    }
    if digits.len() > MAX_DIGITS {
        let zeros = digits.iter().take_while(|&&c| c == b'0').count();
        // Twenty significant digits are above `i64::MAX` whatever the sign.
        digits = digits.get(zeros.min(digits.len() - 1)..)?;
        if digits.len() > MAX_DIGITS {
            return None;
        }
    }
    let mut magnitude = 0u64;
    let mut rest = digits;
    while let Some((eight, tail)) = rest.split_first_chunk::<8>() {
        magnitude = magnitude * 100_000_000 + eight_digits(u64::from_le_bytes(*eight))?;
        rest = tail;
    }
    for &c in rest {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        magnitude = magnitude * 10 + u64::from(d);
    }
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// The most digits a `u64` holds whatever they are (`u64::MAX` has 20).
const MAX_DIGITS: usize = 19;

/// The value of eight ASCII digits read as a little-endian word (the first digit in the
/// lowest byte), or none when a byte is not a digit.
#[inline]
fn eight_digits(word: u64) -> Option<u64> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // A digit is 0x30..=0x39: its high nibble is 3, and adding 6 does not carry into it.
    let high = word & (0xF0 * ONES);
    let carried = word.wrapping_add(0x06 * ONES) & (0xF0 * ONES);
    if high | (carried >> 4) != 0x33 * ONES {
        return None;
    }
    // Pairs of digits, then fours, then the eight: each step multiplies the lower (earlier)
    // part by its weight and adds the higher, in one multiply.
    let v = word & (0x0F * ONES);
    let v = (v.wrapping_mul(10 << 8 | 1) >> 8) & 0x00FF_00FF_00FF_00FF;
    let v = (v.wrapping_mul(100 << 16 | 1) >> 16) & 0x0000_FFFF_0000_FFFF;
    Some(v.wrapping_mul(10_000 << 32 | 1) >> 32)
}

pub(crate) fn is_integer_text(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A float from a string, as Go's `ParseFloat` reads it (the reference's §1.6): decimal,
/// with `_` between digits (`1_000.5`), or a hexadecimal mantissa with a binary exponent
/// (`0x1.8p3`). Go also takes "NaN"/"Inf", which JSON cannot carry (Panther's encoder
/// fails on them), so only finite values pass.
pub(crate) fn parse_float(s: &str) -> Option<f64> {
    let plain = s
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'));
    let value = if plain {
        s.parse::<f64>().ok()?
    } else {
        go_float(s)?
    };
    Some(value).filter(|f| f.is_finite())
}

/// The forms of Go's float syntax that std's parser does not read.
#[cold]
fn go_float(s: &str) -> Option<f64> {
    let (negative, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    // Not a number at all (a date that a `unix` format before a strftime one is tried on):
    // refused before anything is allocated. Go's "Inf" and "NaN" are refused anyway.
    let go_syntax = |b: u8| {
        b.is_ascii_hexdigit() || matches!(b, b'_' | b'.' | b'x' | b'X' | b'p' | b'P' | b'+' | b'-')
    };
    if !body.bytes().all(go_syntax) || !underscores_ok(body) {
        return None;
    }
    let body = if body.contains('_') {
        Cow::Owned(body.replace('_', ""))
    } else {
        Cow::Borrowed(body)
    };
    let value = match body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        Some(hex) => hex_float(hex)?,
        None if body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E')) =>
        {
            body.parse::<f64>().ok()?
        }
        None => return None,
    };
    Some(if negative { -value } else { value })
}

/// Go's rule for `_` in a number (`strconv`'s `underscoreOK`): each one between two digits,
/// or between the base prefix and a digit.
fn underscores_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let hex = b.len() >= 2 && b[0] == b'0' && b[1].eq_ignore_ascii_case(&b'x');
    // What came last: 'd' a digit (or the prefix), '_' an underscore, '^' the start, '!' other.
    let mut saw = if hex { b'd' } else { b'^' };
    for &c in &b[if hex { 2 } else { 0 }..] {
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'd';
        } else if c == b'_' {
            if saw != b'd' {
                return false;
            }
            saw = b'_';
        } else if saw == b'_' {
            return false;
        } else {
            saw = b'!';
        }
    }
    saw != b'_'
}

/// The decimal exponent of a hexadecimal float, clamped: past a few thousand, every
/// exponent gives 0 or infinity (the mantissa holds at most 64 bits), so a longer one is as
/// good as `FAR`.
fn binary_exponent(text: &str) -> Option<i64> {
    const FAR: i64 = 1 << 20;
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(match text.parse::<i64>() {
        Ok(e) => e.clamp(-FAR, FAR),
        Err(_) if text.starts_with('-') => -FAR,
        Err(_) => FAR,
    })
}

/// A hexadecimal mantissa (digits, at most one `.`) and its exponent (`p`, a power of two,
/// which Go requires): `1.8p3` is 12.
fn hex_float(s: &str) -> Option<f64> {
    let (mantissa, exponent) = s.split_once(['p', 'P'])?;
    let mut exponent = binary_exponent(exponent)?;
    let (mut value, mut digits, mut after_point, mut sticky) = (0u64, false, false, false);
    for c in mantissa.bytes() {
        if c == b'.' && !after_point {
            after_point = true;
            continue;
        }
        let d = u64::from(char::from(c).to_digit(16)?);
        digits = true;
        if value >> 60 == 0 {
            value = value * 16 + d;
            exponent -= if after_point { 4 } else { 0 };
        } else {
            // Past 60 bits a digit only tells whether the value is above a halfway point
            // (f64 keeps 53): it is kept as a sticky lowest bit.
            sticky |= d != 0;
            exponent += if after_point { 0 } else { 4 };
        }
    }
    if !digits {
        return None;
    }
    value |= u64::from(sticky);
    #[allow(clippy::cast_precision_loss)] // rounded to f64's 53 bits, as any parser does
    let mut out = value as f64;
    // Scaled in steps: 2^e is exact in f64 only for e in -1022..=1023.
    let step = exponent.signum() * 512;
    while exponent.abs() > 512 && out != 0.0 && out.is_finite() {
        out *= 2f64.powi(i32::try_from(step).ok()?);
        exponent -= step;
    }
    Some(out * 2f64.powi(i32::try_from(exponent).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Go's `ParseFloat` (checked against Go 1.19 by a reviewer, and its documentation):
    /// underscores between digits, hexadecimal mantissas with a binary exponent.
    #[test]
    fn go_float_syntax() {
        for (s, want) in [
            ("1_0.5", Some(10.5)),
            ("1_000", Some(1000.0)),
            ("-1_000e1_0", Some(-1e13)),
            ("0x1p3", Some(8.0)),
            ("0x1.8p1", Some(3.0)),
            ("-0X1P-2", Some(-0.25)),
            ("0x_1p0", Some(1.0)),
            ("0x.8p1", Some(1.0)),
            ("0x1p-1074", Some(5e-324)),
            // A digit past 60 bits still rounds the halfway case up (review finding).
            (
                "0x1.00000000000008000000000001p0",
                Some(1.000_000_000_000_000_2),
            ),
            (
                "0x1.000000000000080000000000001p-1022",
                Some(2.225_073_858_507_202e-308),
            ),
            ("0x1.00000000000008p0", Some(1.0)),
            ("0x1p-99999999999999999999", Some(0.0)),
            ("0x1p99999999999999999999", None),
            ("0x1p1024", None),
            ("0x10", None),
            ("0xp3", None),
            ("_1", None),
            ("1_", None),
            ("1__0", None),
            ("1_.5", None),
            ("1._5", None),
            ("NaN", None),
            ("Inf", None),
            ("1,5", None),
            ("12.50", Some(12.5)),
        ] {
            assert_eq!(parse_float(s), want, "{s}");
        }
    }

    /// The one-pass reader agrees with the check and std's parser it replaced (Go's
    /// `ParseInt` rules), around the limits and on malformed text.
    #[test]
    fn parse_int_agrees_with_std() {
        let cases = [
            "0",
            "7",
            "-7",
            "+7",
            "-0",
            "+0",
            "007",
            "-007",
            "",
            "-",
            "+",
            "+-1",
            "--1",
            " 1",
            "1 ",
            "1_000",
            "1.0",
            "1e3",
            "0x10",
            "١",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "+9223372036854775807",
            "00000000000000000000000000009223372036854775807",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999999",
            "-18446744073709551616",
        ];
        for s in cases {
            let std = if is_integer_text(s) {
                s.parse::<i64>().ok()
            } else {
                None
            };
            assert_eq!(parse_int(s), std, "{s:?}");
        }
        // Digits and the bytes next to them, in every position of the eight-digit words.
        let mut rnd = crate::testing::xorshift(0x1d1);
        let bytes = b"0123456789/:+- \x80\xff";
        for _ in 0..50_000 {
            let len = rnd(26);
            let s: Vec<u8> = (0..len)
                .map(|_| {
                    if rnd(8) == 0 {
                        bytes[rnd(bytes.len())]
                    } else {
                        b'0' + u8::try_from(rnd(10)).expect("a digit")
                    }
                })
                .collect();
            let s = String::from_utf8_lossy(&s);
            let std = if is_integer_text(&s) {
                s.parse::<i64>().ok()
            } else {
                None
            };
            assert_eq!(parse_int(&s), std, "{s:?}");
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            #[allow(clippy::cast_possible_wrap)] // any bit pattern is a test value
            let v = x as i64 >> (x % 64);
            for s in [v.to_string(), format!("+{v}"), format!("{v}0")] {
                let std = if is_integer_text(&s) {
                    s.parse::<i64>().ok()
                } else {
                    None
                };
                assert_eq!(parse_int(&s), std, "{s:?}");
            }
        }
    }
}
