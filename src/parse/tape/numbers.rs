//! Numbers written as text (a JSON string in a numeric field, a text log's value), read
//! as Go's `strconv` reads them for Panther.

/// Go's `strconv.ParseInt(s, 10, 64)`: optional sign, ASCII digits, nothing else.
pub(super) fn parse_int(s: &str) -> Option<i64> {
    if !is_integer_text(s) {
        return None;
    }
    s.parse().ok()
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
