//! Numbers written as text (a JSON string in a numeric field, a text log's value), read
//! as Go's `strconv` reads them for Panther.

/// Go's `strconv.ParseInt(s, 10, 64)`: optional sign, ASCII digits, nothing else; none
/// when `s` is not that, or out of range ([`is_integer_text`] tells which). One pass: the
/// check and std's parser after it cost a text log's integer fields about twice.
///
/// Up to 19 digits (leading zeros aside) cannot overflow a `u64`, so the digits are summed
/// without overflow checks, eight at a time where there are eight: a loop of a checked
/// multiply per digit was a chain the CPU could not overlap (`perf` put a quarter of the
/// text decode loop's samples on it, for the 15-digit byte counts of a VPN log).
pub(super) fn parse_int(s: &str) -> Option<i64> {
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

pub(super) fn is_integer_text(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A float from a string; Go's `ParseFloat` also takes "NaN"/"Inf", which JSON cannot carry,
/// so only finite values pass.
pub(super) fn parse_float(s: &str) -> Option<f64> {
    let ok = s
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'));
    if !ok {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

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
