//! The pattern engine shared by strftime patterns and Go layouts: [`Pattern`], the compiled
//! elements it is made of ([`Item`]), and matching an input against them. The compilers that
//! build the elements live in `strftime.rs` and `go_layout.rs`, the names it matches in
//! `names.rs`.

use super::calendar::{civil_to_ts, days_in_month, is_leap};
use super::fixed::FixedLayout;
use super::names::{month_name, parse_time_zone, weekday_name};
use super::rfc3339::{fraction_digits, two_digits};
use super::unix::{from_seconds, parse_int};
use super::Timestamp;

/// A compiled strftime pattern or Go layout.
///
/// It keeps the spec text as the user wrote it (for messages) and a compiled list of elements,
/// so decoding a value neither re-reads the pattern nor allocates.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub(super) spec: Box<str>,
    pub(super) items: Box<[Item]>,
    /// Year used when the pattern has no year element: 1900 for strftime (timefmt-go), 0 for Go
    /// layouts (Go's `time.Parse`).
    pub(super) default_year: i64,
    /// The shortcut for values of a fixed shape, when the pattern has one (`fixed.rs`).
    pub(super) fixed: Option<FixedLayout>,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.spec == other.spec
    }
}

impl Eq for Pattern {}

impl Pattern {
    pub(super) fn new(spec: &str, items: Vec<Item>, default_year: i64) -> Pattern {
        Pattern {
            spec: spec.into(),
            fixed: FixedLayout::of(&items, default_year),
            items: items.into_boxed_slice(),
            default_year,
        }
    }

    /// The spec text as written in the schema: `%Y-%m-%d` or `layout=2006-01-02`.
    #[must_use]
    pub fn spec(&self) -> &str {
        &self.spec
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    /// Four-digit (or 1–4 digit) year.
    Year,
    /// Two-digit year: 69–99 → 19xx, 00–68 → 20xx.
    Year2,
    Century,
    Month,
    Day,
    YearDay,
    Hour,
    Hour12,
    Minute,
    Second,
    /// `%w` (0–6) / `%u` (1–7): checked for shape, otherwise ignored.
    WeekdayNum,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Frac {
    /// strftime `%f`: 1–9 digits, no separator.
    Digits,
    /// Go `.000`: a `.` or `,` then exactly this many digits.
    Exact(u8),
    /// Go `.999`: optionally a `.` or `,` then any number of digits.
    Optional,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OffsetForm {
    /// `±hhmm`
    HhMm,
    /// `±hh:mm`
    HhColonMm,
    /// `±hh`
    Hh,
    /// `±hhmmss`
    HhMmSs,
    /// `±hh:mm:ss`
    HhColonMmColonSs,
    /// strftime `%z`: `±hhmm` or `±hh:mm`.
    Lenient,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Case {
    Any,
    Upper,
    Lower,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Item {
    /// Bytes that must appear verbatim.
    Lit(Box<[u8]>),
    /// Go: a run of spaces in the layout matches a run of spaces in the input.
    Spaces,
    /// A number of `min..=max` digits, read greedily, after up to `skip_spaces` spaces.
    Num {
        field: Field,
        min: u8,
        max: u8,
        skip_spaces: u8,
        /// Go: a fraction after the seconds is read even if the layout has none.
        auto_frac: bool,
    },
    MonthName {
        long: bool,
    },
    WeekdayName {
        long: bool,
    },
    AmPm(Case),
    Frac(Frac),
    Offset {
        z: bool,
        form: OffsetForm,
    },
    /// Zone abbreviation: Go `MST` (`strftime == false`) or strftime `%Z`.
    ZoneAbbr {
        strftime: bool,
    },
    /// strftime `%s`: seconds since the epoch.
    Unix,
}

/// Parse state while matching a pattern.
#[allow(clippy::struct_excessive_bools)] // what the value gave so far, not options
struct State {
    year: i64,
    /// The value gave a year (or a century): without one, February 29 is not refused.
    year_set: bool,
    century: Option<i64>,
    month: u32,
    day: u32,
    yday: u32,
    month_set: bool,
    day_set: bool,
    hour: u32,
    hour12: bool,
    /// `Some(true)` after PM, `Some(false)` after AM.
    meridiem: Option<bool>,
    minute: u32,
    second: u32,
    nanos: u32,
    offset: i64,
    /// What set `offset`, so that a later element can tell whether it may replace it.
    offset_from: ZoneSource,
    unix: Option<i64>,
}

/// Where a value's offset came from, weakest first. Go's `time.Parse` ranks them: the name
/// `UTC` or a `Z` fixes the zone at UTC, else a numeric offset decides, else a zone
/// abbreviation (an unknown one being offset 0); within a rank the last one read wins. So
/// `+0200 CEST` (Go's `Time.String()`) is two hours east, not the abbreviation's offset 0.
/// timefmt-go's `%Z` does not rank: it replaces whatever came before (see
/// `match_zone_abbr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ZoneSource {
    Unset,
    Abbreviation,
    Numeric,
    Utc,
}

impl State {
    /// Sets the offset unless a stronger source set it already.
    fn set_offset(&mut self, offset: i64, from: ZoneSource) {
        if from >= self.offset_from {
            self.offset = offset;
            self.offset_from = from;
        }
    }
}

impl State {
    fn finish(mut self) -> Option<Timestamp> {
        if let Some(secs) = self.unix {
            return from_seconds(secs, self.nanos);
        }
        if let Some(c) = self.century {
            self.year = c * 100 + self.year.rem_euclid(100);
        }
        if !self.year_set && self.month == 2 && self.day == 29 && !is_leap(self.year) {
            // February 29 of a value without a year (syslog's `%b %e %H:%M:%S`) is a real
            // date of its own year; only the default year 1900 is common. As timefmt-go,
            // whose `time.Date` rolls it over: March 1 (every Feb 29 line was a reject).
            self.month = 3;
            self.day = 1;
        }
        if self.hour12 && self.hour > 12 {
            return None;
        }
        match self.meridiem {
            Some(true) if self.hour < 12 => self.hour += 12,
            Some(false) if self.hour == 12 => self.hour = 0,
            _ => {}
        }
        if self.yday != 0 {
            let days_in_year = if is_leap(self.year) { 366 } else { 365 };
            if self.yday > days_in_year {
                return None;
            }
            let mut left = self.yday;
            let mut month = 1;
            while month < 12 && left > days_in_month(self.year, month) {
                left -= days_in_month(self.year, month);
                month += 1;
            }
            if (self.month_set && self.month != month) || (self.day_set && self.day != left) {
                return None;
            }
            self.month = month;
            self.day = left;
        }
        civil_to_ts(
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.nanos,
            self.offset,
        )
    }
}

impl Pattern {
    pub(super) fn parse(&self, input: &[u8]) -> Option<Timestamp> {
        if let Some(Ok(decided)) = self.fixed.as_ref().map(|f| f.parse(input)) {
            return decided;
        }
        self.parse_items(input)
    }

    /// The pattern engine: match `input` element by element.
    pub(super) fn parse_items(&self, input: &[u8]) -> Option<Timestamp> {
        let mut st = State {
            year: self.default_year,
            year_set: false,
            century: None,
            month: 1,
            day: 1,
            yday: 0,
            month_set: false,
            day_set: false,
            hour: 0,
            hour12: false,
            meridiem: None,
            minute: 0,
            second: 0,
            nanos: 0,
            offset: 0,
            offset_from: ZoneSource::Unset,
            unix: None,
        };
        let mut s = input;
        for item in &*self.items {
            s = match_item(item, s, &mut st)?;
        }
        if s.is_empty() {
            st.finish()
        } else {
            None
        }
    }
}

/// Matches one item at the start of `s`, updating `st`; returns the rest of the input.
fn match_item<'a>(item: &Item, s: &'a [u8], st: &mut State) -> Option<&'a [u8]> {
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
    // Go fabricates a zone with offset 0 for abbreviations it cannot look up, except "GMT±h",
    // whose hours it reads.
    let offset = match &s[..n] {
        [b'G', b'M', b'T', sign, digits @ ..] if !digits.is_empty() => {
            let h = digits
                .iter()
                .fold(0i64, |acc, &c| acc * 10 + i64::from(c - b'0'));
            if *sign == b'-' {
                -h * 3600
            } else {
                h * 3600
            }
        }
        _ => 0,
    };
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

/// Pushes literal bytes, merging with a preceding literal.
pub(super) fn push_lit(items: &mut Vec<Item>, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    if let Some(Item::Lit(prev)) = items.last_mut() {
        let mut merged = prev.to_vec();
        merged.extend_from_slice(bytes);
        *prev = merged.into_boxed_slice();
    } else {
        items.push(Item::Lit(bytes.into()));
    }
}

pub(super) fn num(field: Field, min: u8, max: u8) -> Item {
    Item::Num {
        field,
        min,
        max,
        skip_spaces: 0,
        auto_frac: false,
    }
}

pub(super) fn num_spaced(field: Field, min: u8, max: u8, skip_spaces: u8) -> Item {
    Item::Num {
        field,
        min,
        max,
        skip_spaces,
        auto_frac: false,
    }
}

pub(super) fn is_field_item(item: &Item) -> bool {
    !matches!(item, Item::Lit(_) | Item::Spaces)
}
