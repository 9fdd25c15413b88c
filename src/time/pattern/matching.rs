//! Matching a value against a pattern's elements, one at a time: what each reads, and into
//! which field of the parse state.

use super::{Case, Field, Frac, Item, OffsetForm, State, ZoneSource};
use crate::time::names::{month_name, parse_time_zone, weekday_name};
use crate::time::rfc3339::{fraction_digits, two_digits};
use crate::time::unix::parse_int;

/// Matches one item at the start of `s`, updating `st`; returns the rest of the input.
pub(super) fn match_item<'a>(item: &Item, s: &'a [u8], st: &mut State) -> Option<&'a [u8]> {
    match item {
        // Most literals are one separator byte: compare it without the slice comparison's
        // length checks and call.
        Item::Lit(lit) => match (&**lit, s) {
            ([l], [c, rest @ ..]) => (c == l).then_some(rest),
            _ => s.strip_prefix(&**lit),
        },
        Item::Spaces => {
            if s.first().is_some_and(|&c| c != b' ') {
                return None;
            }
            let n = s.iter().take_while(|&&c| c == b' ').count();
            Some(&s[n..])
        }
        Item::Num {
            field,
            min,
            max,
            skip_spaces,
            auto_frac,
        } => match_num(*field, *min, *max, *skip_spaces, *auto_frac, s, st),
        Item::MonthName { long } => {
            let (m, n) = month_name(s, *long)?;
            st.month = m;
            st.month_set = true;
            Some(&s[n..])
        }
        Item::WeekdayName { long } => {
            let n = weekday_name(s, *long)?;
            Some(&s[n..])
        }
        Item::AmPm(case) => {
            let (word, rest) = s.split_at_checked(2)?;
            let pm = match (case, word) {
                (Case::Upper, b"AM") | (Case::Lower, b"am") => false,
                (Case::Upper, b"PM") | (Case::Lower, b"pm") => true,
                (Case::Any, w) if w.eq_ignore_ascii_case(b"am") => false,
                (Case::Any, w) if w.eq_ignore_ascii_case(b"pm") => true,
                _ => return None,
            };
            st.meridiem = Some(pm);
            Some(rest)
        }
        Item::Frac(frac) => match_frac(*frac, s, st),
        Item::Offset { z, form } => match_offset(*z, *form, s, st),
        Item::ZoneAbbr { strftime } => match_zone_abbr(*strftime, s, st),
        Item::Unix => {
            let neg = s.first() == Some(&b'-');
            let digits = &s[usize::from(neg)..];
            let n = digits.iter().take_while(|c| c.is_ascii_digit()).count();
            let v = parse_int(&s[..usize::from(neg) + n])?;
            st.unix = Some(v);
            Some(&digits[n..])
        }
    }
}

fn match_num<'a>(
    field: Field,
    min: u8,
    max: u8,
    skip_spaces: u8,
    auto_frac: bool,
    s: &'a [u8],
    st: &mut State,
) -> Option<&'a [u8]> {
    // Plain loops: the iterator chains they replace cost about twice the instructions.
    let mut spaces = 0;
    while spaces < usize::from(skip_spaces) && s.get(spaces) == Some(&b' ') {
        spaces += 1;
    }
    let s = &s[spaces..];
    let max = usize::from(max).min(s.len());
    let mut n = 0;
    let mut v = 0u32;
    while n < max {
        let d = s[n].wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        v = v * 10 + u32::from(d);
        n += 1;
    }
    if n < usize::from(min) || n == 0 {
        return None;
    }
    set_field(field, v, st)?;
    let mut rest = &s[n..];
    if auto_frac {
        if let [b'.' | b',', d, ..] = rest {
            if d.is_ascii_digit() {
                let (ns, k) = fraction_digits(&rest[1..], usize::MAX);
                st.nanos = ns;
                rest = &rest[1 + k..];
            }
        }
    }
    Some(rest)
}

fn match_zone_abbr<'a>(strftime: bool, s: &'a [u8], st: &mut State) -> Option<&'a [u8]> {
    if strftime {
        let n = s.iter().take_while(|c| c.is_ascii_uppercase()).count();
        let name = &s[..n];
        // timefmt-go hands the run of capitals to Go's time.Parse("MST", …) and takes the
        // zone it returns, replacing any `%z` read before.
        if !(name == b"Z" || name == b"UTC" || parse_time_zone(name) == Some(n)) {
            return None;
        }
        st.offset = 0;
        st.offset_from = ZoneSource::Abbreviation;
        return Some(&s[n..]);
    }
    if let Some(rest) = s.strip_prefix(b"UTC") {
        st.set_offset(0, ZoneSource::Utc);
        return Some(rest);
    }
    let n = parse_time_zone(s)?;
    // Go fabricates a zone for an abbreviation it cannot look up (Panther's local zone is
    // UTC), and sets it without moving the instant: the wall clock is read as UTC. So
    // for "GMT+2" too, whose hours only name the zone (`format.go`, golang/go#56392).
    let offset = 0;
    st.set_offset(offset, ZoneSource::Abbreviation);
    Some(&s[n..])
}

fn set_field(field: Field, v: u32, st: &mut State) -> Option<()> {
    match field {
        Field::Year => (st.year, st.year_set) = (i64::from(v), true),
        Field::Year2 => {
            st.year = i64::from(v) + if v >= 69 { 1900 } else { 2000 };
            st.year_set = true;
        }
        Field::Century => (st.century, st.year_set) = (Some(i64::from(v)), true),
        Field::Month => {
            st.month = v;
            st.month_set = true;
        }
        Field::Day => {
            st.day = v;
            st.day_set = true;
        }
        Field::YearDay => {
            if v == 0 {
                return None;
            }
            st.yday = v;
        }
        Field::Hour => st.hour = v,
        Field::Hour12 => {
            st.hour = v;
            st.hour12 = true;
        }
        Field::Minute => st.minute = v,
        Field::Second => st.second = v,
        Field::WeekdayNum => {
            if v > 7 {
                return None;
            }
        }
    }
    Some(())
}

fn match_frac<'a>(frac: Frac, s: &'a [u8], st: &mut State) -> Option<&'a [u8]> {
    match frac {
        Frac::Digits => {
            let (ns, n) = fraction_digits(s, 9);
            if n == 0 {
                return None;
            }
            st.nanos = ns;
            Some(&s[n..])
        }
        Frac::Exact(width) => {
            let [b'.' | b',', rest @ ..] = s else {
                return None;
            };
            let width = usize::from(width);
            let digits = rest.get(..width)?;
            if !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            st.nanos = fraction_digits(digits, width).0;
            Some(&rest[width..])
        }
        Frac::Optional => match s {
            [b'.' | b',', d, ..] if d.is_ascii_digit() => {
                let (ns, n) = fraction_digits(&s[1..], usize::MAX);
                st.nanos = ns;
                Some(&s[1 + n..])
            }
            _ => Some(s),
        },
    }
}

fn match_offset<'a>(z: bool, form: OffsetForm, s: &'a [u8], st: &mut State) -> Option<&'a [u8]> {
    if z {
        if let Some(rest) = s.strip_prefix(b"Z") {
            st.set_offset(0, ZoneSource::Utc);
            return Some(rest);
        }
    }
    let (sign, body) = match s {
        [b'+', rest @ ..] => (1, rest),
        [b'-', rest @ ..] => (-1, rest),
        _ => return None,
    };
    let (hh, mm, ss, rest) = match (form, body) {
        (OffsetForm::Hh, [h0, h1, rest @ ..]) => (two_digits(*h0, *h1)?, 0, 0, rest),
        (OffsetForm::HhMm | OffsetForm::Lenient, [h0, h1, m0, m1, rest @ ..])
            if m0.is_ascii_digit() =>
        {
            (two_digits(*h0, *h1)?, two_digits(*m0, *m1)?, 0, rest)
        }
        (OffsetForm::HhColonMm | OffsetForm::Lenient, [h0, h1, b':', m0, m1, rest @ ..]) => {
            (two_digits(*h0, *h1)?, two_digits(*m0, *m1)?, 0, rest)
        }
        (OffsetForm::HhMmSs, [h0, h1, m0, m1, s0, s1, rest @ ..])
        | (OffsetForm::HhColonMmColonSs, [h0, h1, b':', m0, m1, b':', s0, s1, rest @ ..]) => (
            two_digits(*h0, *h1)?,
            two_digits(*m0, *m1)?,
            two_digits(*s0, *s1)?,
            rest,
        ),
        _ => return None,
    };
    // Go's range test uses `>` (offsets of 24 h or 60 min are tolerated).
    if hh > 24 || mm > 60 || ss > 60 {
        return None;
    }
    st.set_offset(
        sign * i64::from(hh * 3600 + mm * 60 + ss),
        ZoneSource::Numeric,
    );
    Some(rest)
}
