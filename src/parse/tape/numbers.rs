//! Numbers written as text (a JSON string in a numeric field, a text log's value), read
//! as Go's `strconv` reads them for Panther.

/// Go's `strconv.ParseInt(s, 10, 64)`: optional sign, ASCII digits, nothing else; none
/// when `s` is not that, or out of range ([`is_integer_text`] tells which). One pass: the
/// check and std's parser after it cost a text log's integer fields about twice.
pub(super) fn parse_int(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let (negative, digits) = match b {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, b),
    };
    if digits.is_empty() {
        return None;
    }
    let mut magnitude = 0u64;
    for &c in digits {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        magnitude = magnitude.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
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
