//! Names in times: the English month and weekday names (matched ASCII case-insensitively),
//! and the zone abbreviations and numeric offsets that Go's `parseTimeZone` accepts.

pub(super) const SHORT_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
pub(super) const LONG_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
pub(super) const SHORT_DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
pub(super) const LONG_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// The first three bytes of `s`, ASCII lower-cased.
fn lower_prefix3(s: &[u8]) -> Option<[u8; 3]> {
    let [first, second, third, ..] = *s else {
        return None;
    };
    Some([first, second, third].map(|x| x.to_ascii_lowercase()))
}

/// The 1-based index of the month whose name starts `s` (ASCII case-insensitive), and the
/// length of that name: the short name (`Jan`) or, with `long`, the full one (`January`).
///
/// The twelve names differ in their first three letters, so those three bytes, lower-cased, pick
/// the only candidate; a scan over the list cost over a hundred instructions for late months.
pub(super) fn month_name(s: &[u8], long: bool) -> Option<(u32, usize)> {
    let m = match lower_prefix3(s)? {
        [b'j', b'a', b'n'] => 1,
        [b'f', b'e', b'b'] => 2,
        [b'm', b'a', b'r'] => 3,
        [b'a', b'p', b'r'] => 4,
        [b'm', b'a', b'y'] => 5,
        [b'j', b'u', b'n'] => 6,
        [b'j', b'u', b'l'] => 7,
        [b'a', b'u', b'g'] => 8,
        [b's', b'e', b'p'] => 9,
        [b'o', b'c', b't'] => 10,
        [b'n', b'o', b'v'] => 11,
        [b'd', b'e', b'c'] => 12,
        _ => return None,
    };
    if !long {
        return Some((m, 3));
    }
    let name = LONG_MONTHS[m as usize - 1].as_bytes();
    s.get(..name.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(name))
        .then_some((m, name.len()))
}

/// The length of the weekday name that starts `s` (ASCII case-insensitive), as
/// [`month_name`] does for months: the seven names differ in their first three letters.
pub(super) fn weekday_name(s: &[u8], long: bool) -> Option<usize> {
    let d = match lower_prefix3(s)? {
        [b's', b'u', b'n'] => 0,
        [b'm', b'o', b'n'] => 1,
        [b't', b'u', b'e'] => 2,
        [b'w', b'e', b'd'] => 3,
        [b't', b'h', b'u'] => 4,
        [b'f', b'r', b'i'] => 5,
        [b's', b'a', b't'] => 6,
        _ => return None,
    };
    if !long {
        return Some(3);
    }
    let name = LONG_DAYS[d].as_bytes();
    s.get(..name.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(name))
        .then_some(name.len())
}

/// Go's `parseSignedOffset` (since Go 1.11): `±h` with h ≤ 23; returns the length, 0 when
/// invalid.
fn parse_signed_offset(s: &[u8]) -> usize {
    let [b'+' | b'-', rest @ ..] = s else {
        return 0;
    };
    let n = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 {
        return 0;
    }
    let mut v: u32 = 0;
    for &c in &rest[..n] {
        v = v.saturating_mul(10).saturating_add(u32::from(c - b'0'));
    }
    if v > 23 {
        0
    } else {
        1 + n
    }
}

/// Go's `parseTimeZone`: the length of a zone abbreviation at the start of `s`.
pub(super) fn parse_time_zone(s: &[u8]) -> Option<usize> {
    if s.len() < 3 {
        return None;
    }
    if s.starts_with(b"ChST") || s.starts_with(b"MeST") {
        return Some(4);
    }
    if s.starts_with(b"GMT") {
        return Some(3 + parse_signed_offset(&s[3..]));
    }
    if matches!(s[0], b'+' | b'-') {
        let n = parse_signed_offset(s);
        return (n > 0).then_some(n);
    }
    let upper = s
        .iter()
        .take(6)
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    match upper {
        3 => Some(3),
        4 if s[3] == b'T' || s.starts_with(b"WITA") => Some(4),
        5 if s[4] == b'T' => Some(5),
        _ => None,
    }
}
