//! The pattern engine shared by strftime patterns and Go layouts: [`Pattern`], the compiled
//! elements it is made of ([`Item`]), and matching an input against them (each element's
//! matcher in `pattern/matching.rs`). The compilers that build the elements live in
//! `strftime.rs` and `go_layout.rs`, the names it matches in `names.rs`.

use super::calendar::{civil_to_ts, days_in_month, is_leap};
use super::fixed::FixedLayout;
use super::unix::from_seconds;
use super::Timestamp;

mod diagnose;
mod matching;
use matching::match_item;

/// A compiled strftime pattern or Go layout.
///
/// It keeps the spec text as the user wrote it (for messages) and a compiled list of elements,
/// so decoding a value neither re-reads the pattern nor allocates.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub(super) spec: Box<str>,
    pub(super) items: Box<[Item]>,
    /// Whose rules decide where timefmt-go and Go's `time.Parse` differ.
    pub(super) dialect: Dialect,
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

/// The library whose rules a pattern follows where the two differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dialect {
    /// strftime patterns, as itchyny/timefmt-go's `Parse` reads them (Panther's library): it
    /// hands the fields to Go's `time.Date`, which rolls hour 24 into the next day and second
    /// 60 (a leap second) into the next minute, and a day of the year (`%j`) gives the date
    /// alone, the month and day being ignored. The year is 1900 when none is given.
    Strftime,
    /// Go reference-time layouts, as Go's `time.Parse` reads them: hours 0-23, seconds 0-59,
    /// a day of the year must agree with the month and day given. The year is 0 when none is
    /// given.
    GoLayout,
}

impl Pattern {
    pub(super) fn new(spec: &str, items: Vec<Item>, dialect: Dialect) -> Pattern {
        let default_year = match dialect {
            Dialect::Strftime => 1900,
            Dialect::GoLayout => 0,
        };
        Pattern {
            spec: spec.into(),
            fixed: FixedLayout::of(&items, default_year, dialect),
            items: items.into_boxed_slice(),
            dialect,
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
    /// Go's `3`/`03`: 1–12 (a higher hour is refused), then its `PM`/`AM` rules.
    Hour12,
    /// timefmt-go's `%I`/`%l`: 12 is hour 0 (so `12 PM` is noon, and `12` without `%p`
    /// midnight), any other value is that hour (13–99 too), and PM adds 12 to it.
    ClockHour12,
    Minute,
    Second,
    /// `%w`: 0–6 (Sunday is 0), checked, otherwise ignored.
    WeekdayFromSunday,
    /// `%u`: 1–7 (Monday is 1), checked, otherwise ignored.
    WeekdayFromMonday,
    /// `%g`: two digits, the year 2000 + yy (timefmt-go's reading of the ISO week year).
    Year2000,
    /// `%U`, `%V`, `%W` (week numbers): read, and ignored as timefmt-go ignores them.
    Ignored,
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
    /// strftime `%z`: `±hhmm` read as timefmt-go reads it (two fields of two bytes, any
    /// value, no range check), or `±hh:mm`.
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
    /// strftime `%t`, `%n`: a run of one or more of ` \t\n\v\f\r`, as timefmt-go reads
    /// both.
    Whitespace,
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
    /// strftime `%s`: seconds since the epoch, one to ten digits and no sign, broken down
    /// into the UTC date and time fields as they are read (timefmt-go), so that a later
    /// element overrides a field and a `%z`/`%Z` zone applies to that wall clock.
    Unix,
}

/// Parse state while matching a pattern.
#[allow(clippy::struct_excessive_bools)] // what the value gave so far, not options
struct State {
    year: i64,
    /// The value gave a year (or a century): without one, February 29 is not refused.
    year_set: bool,
    /// `%C`; 0 when none was read, and a century of 0 is ignored too (timefmt-go:
    /// `if century > 0`).
    century: i64,
    month: u32,
    day: u32,
    yday: u32,
    month_set: bool,
    day_set: bool,
    hour: u32,
    /// `Some(true)` after PM, `Some(false)` after AM.
    meridiem: Option<bool>,
    minute: u32,
    second: u32,
    nanos: u32,
    offset: i64,
    /// What set `offset`, so that a later element can tell whether it may replace it.
    offset_from: ZoneSource,
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
    fn finish(mut self, dialect: Dialect) -> Option<Timestamp> {
        if self.century > 0 {
            self.year = self.century * 100 + self.year.rem_euclid(100);
        }
        if !self.year_set && self.month == 2 && self.day == 29 && !is_leap(self.year) {
            // February 29 of a value without a year (syslog's `%b %e %H:%M:%S`) is a real
            // date of its own year; only the default year 1900 is common. As timefmt-go,
            // whose `time.Date` rolls it over: March 1 (every Feb 29 line was a reject).
            self.month = 3;
            self.day = 1;
        }
        match (dialect, self.meridiem) {
            // timefmt-go adds 12 to any PM hour: its `%I` made 12 into 0 already, and a `%H`
            // of 12 with PM is hour 24, the next day's midnight.
            (Dialect::Strftime, Some(true)) => self.hour += 12,
            (Dialect::GoLayout, Some(true)) if self.hour < 12 => self.hour += 12,
            (Dialect::GoLayout, Some(false)) if self.hour == 12 => self.hour = 0,
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
            // timefmt-go takes the date from the day of the year alone; Go's `time.Parse`
            // refuses a month or day that disagrees with it.
            let disagrees =
                (self.month_set && self.month != month) || (self.day_set && self.day != left);
            if disagrees && dialect == Dialect::GoLayout {
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
        // Only a refused time pays for the check.
        .or_else(|| self.rolled_over(dialect))
    }
}

impl State {
    /// Hour 24 (`%H`, `%k` or `%I` of 24, or 12 with PM added) and second 60 of a strftime
    /// pattern, rolled over as timefmt-go's `time.Date` does: 24:00:00 is the next day's
    /// 00:00:00, 23:59:60 the next minute's first second. Minutes from 60, seconds from 61
    /// and hours from 25 stay refused, as impossible dates are (the README lists these
    /// departures).
    #[cold]
    #[inline(never)]
    fn rolled_over(&self, dialect: Dialect) -> Option<Timestamp> {
        if dialect != Dialect::Strftime || !(self.hour == 24 || self.second == 60) {
            return None;
        }
        let (hour, extra_hour) = if self.hour == 24 {
            (23, 1)
        } else {
            (self.hour, 0)
        };
        let (second, extra_second) = if self.second == 60 {
            (59, 1)
        } else {
            (self.second, 0)
        };
        let ts = civil_to_ts(
            self.year,
            self.month,
            self.day,
            hour,
            self.minute,
            second,
            self.nanos,
            self.offset,
        )?;
        from_seconds(
            ts.timestamp() + extra_hour * 3600 + extra_second,
            ts.timestamp_subsec_nanos(),
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
        let mut st = State::new(self.default_year);
        let mut s = input;
        for item in &*self.items {
            s = match_item(item, s, &mut st)?;
        }
        if s.is_empty() {
            st.finish(self.dialect)
        } else {
            None
        }
    }
}

impl State {
    /// Nothing read yet: January 1 of `year`, midnight, UTC.
    fn new(year: i64) -> State {
        State {
            year,
            year_set: false,
            century: 0,
            month: 1,
            day: 1,
            yday: 0,
            month_set: false,
            day_set: false,
            hour: 0,
            meridiem: None,
            minute: 0,
            second: 0,
            nanos: 0,
            offset: 0,
            offset_from: ZoneSource::Unset,
        }
    }
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
    !matches!(item, Item::Lit(_) | Item::Spaces | Item::Whitespace)
}
