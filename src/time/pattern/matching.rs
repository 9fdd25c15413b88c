//! Matching a value against a pattern's elements, one at a time: what each reads, and into
//! which field of the parse state.

use chrono::{Datelike as _, Timelike as _};

use super::{Case, Field, Frac, Item, OffsetForm, State, ZoneSource};
use crate::time::names::{month_name, parse_time_zone, weekday_name};
use crate::time::rfc3339::{fraction_digits, two_digits};

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
        Item::Whitespace => {
            let n = s
                .iter()
                .take_while(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r'))
                .count();
            (n > 0).then(|| &s[n..])
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
        Item::Unix => match_unix(s, st),
    }
}

/// timefmt-go's `%s`: one to ten digits (no sign: a time before 1970 is refused), whose UTC
/// date and time replace the fields read so far. Later elements may replace them in turn
/// (`%s %H`), and a zone read anywhere moves the whole wall clock (`%s %z`), as in Go,
/// where the fields go to `time.Date` with the zone at the end.
fn match_unix<'a>(s: &'a [u8], st: &mut State) -> Option<&'a [u8]> {
    let mut n = 0;
    let mut secs = 0i64;
    while n < 10 {
        let Some(&c @ b'0'..=b'9') = s.get(n) else {
            break;
        };
        secs = secs * 10 + i64::from(c - b'0');
        n += 1;
    }
    if n == 0 {
        return None;
    }
    // Ten digits end in 2286: chrono has every such time.
    let t = chrono::DateTime::from_timestamp(secs, 0)?;
    st.year = i64::from(t.year());
    st.month = t.month();
    st.day = t.day();
    st.hour = t.hour();
    st.minute = t.minute();
    st.second = t.second();
    st.year_set = true;
    st.month_set = true;
    st.day_set = true;
    Some(&s[n..])
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
        // No seconds at all before a fraction (`14:00:.5`) is 14:00:00.5 to Go's
        // `time.Parse`: the fraction's special case runs after `getnum` failed, and its
        // result replaces getnum's error (review s45-h9 LOW-1; `rfc3339` reads it so too).
        if auto_frac && n == 0 && starts_fraction(s) {
            set_field(field, 0, st)?;
            return Some(auto_fraction(s, st));
        }
        return None;
    }
    set_field(field, v, st)?;
    let rest = &s[n..];
    Some(if auto_frac {
        auto_fraction(rest, st)
    } else {
        rest
    })
}

/// Whether `s` starts with a fraction that Go 1.15's `time.Parse` (Panther's) reads after
/// the seconds: only `.` starts one (`,` from Go 1.17), and a digit must follow.
fn starts_fraction(s: &[u8]) -> bool {
    matches!(s, [b'.', d, ..] if d.is_ascii_digit())
}

/// The fraction at the start of `s` read into `st` (every digit, the first nine counting),
/// if there is one; returns the rest.
fn auto_fraction<'a>(s: &'a [u8], st: &mut State) -> &'a [u8] {
    if !starts_fraction(s) {
        return s;
    }
    let (ns, k) = fraction_digits(&s[1..], usize::MAX);
    st.nanos = ns;
    &s[1 + k..]
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
        Field::Century => {
            st.century = i64::from(v);
            // A century of 0 is ignored (timefmt-go), so it gives no year.
            st.year_set |= v > 0;
        }
        Field::Year2000 => (st.year, st.year_set) = (2000 + i64::from(v), true),
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
            // Go's `time.Parse` refuses the hour at once.
            if v > 12 {
                return None;
            }
            st.hour = v;
        }
        Field::ClockHour12 => st.hour = if v == 12 { 0 } else { v },
        Field::Minute => st.minute = v,
        Field::Second => st.second = v,
        Field::WeekdayFromSunday => {
            if v > 6 {
                return None;
            }
        }
        Field::WeekdayFromMonday => {
            if v == 0 || v > 7 {
                return None;
            }
        }
        Field::Ignored => {}
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
            let [b'.', rest @ ..] = s else {
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
        // Every digit, the first nine counting, as the fraction after the seconds (Go 1.17+;
        // Go 1.15 refuses a tenth: a documented departure).
        Frac::Optional => match s {
            [b'.', d, ..] if d.is_ascii_digit() => {
                let (ns, n) = fraction_digits(&s[1..], usize::MAX);
                st.nanos = ns;
                Some(&s[1 + n..])
            }
            _ => Some(s),
        },
    }
}

fn match_offset<'a>(z: bool, form: OffsetForm, s: &'a [u8], st: &mut State) -> Option<&'a [u8]> {
    // Go's `time.Parse` takes `Z` for `Z0700`, `Z07:00` and `Z07`, not for the forms with
    // seconds, though it writes `Z` for them (review s41-h5).
    let with_seconds = matches!(form, OffsetForm::HhMmSs | OffsetForm::HhColonMmColonSs);
    if z && !with_seconds {
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
    if form == OffsetForm::Lenient {
        return match_lenient_offset(sign, body, st);
    }
    let (hh, mm, ss, rest) = match (form, body) {
        (OffsetForm::Hh, [h0, h1, rest @ ..]) => (two_digits(*h0, *h1)?, 0, 0, rest),
        (OffsetForm::HhMm, [h0, h1, m0, m1, rest @ ..]) => {
            (two_digits(*h0, *h1)?, two_digits(*m0, *m1)?, 0, rest)
        }
        (OffsetForm::HhColonMm, [h0, h1, b':', m0, m1, rest @ ..]) => {
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
    // No range test, as Go 1.15's `time.Parse` (Panther's; 1.20 refuses past 24 h and
    // 60 min): `+1299` is 12 h 99 min (review s41-h5).
    st.set_offset(
        sign * i64::from(hh * 3600 + mm * 60 + ss),
        ZoneSource::Numeric,
    );
    Some(rest)
}

/// strftime's `%z` after its sign: timefmt-go takes four bytes and checks no range (`+0090`
/// and `+2500` are read as written); our extra `±hh:mm` (which it refuses) has no range
/// check either.
fn match_lenient_offset<'a>(sign: i64, body: &'a [u8], st: &mut State) -> Option<&'a [u8]> {
    let (hh, mm, rest) = match body {
        [h0, h1, b':', m0, m1, rest @ ..] => (
            i64::from(two_digits(*h0, *h1)?),
            i64::from(two_digits(*m0, *m1)?),
            rest,
        ),
        [h0, h1, m0, m1, rest @ ..] => (go_atoi2(*h0, *h1)?, go_atoi2(*m0, *m1)?, rest),
        _ => return None,
    };
    st.set_offset(sign * (hh * 60 + mm) * 60, ZoneSource::Numeric);
    Some(rest)
}

/// Go's `strconv.Atoi` on two bytes, as timefmt-go's `%z` applies it to the hours and to
/// the minutes: two digits, or a sign and one digit (so `+-530` is -5 h + 30 min east,
/// 4:30 west, as in Panther).
fn go_atoi2(a: u8, b: u8) -> Option<i64> {
    if !b.is_ascii_digit() {
        return None;
    }
    let low = i64::from(b - b'0');
    match a {
        b'0'..=b'9' => Some(i64::from(a - b'0') * 10 + low),
        b'+' => Some(low),
        b'-' => Some(-low),
        _ => None,
    }
}
