//! Go reference-time layouts (`2006-01-02 15:04:05 MST`): one tokenizer ([`chunks`], as Go's
//! `nextStdChunk` cuts a layout), used both to compile a layout into pattern elements for
//! parsing and to write a timestamp with it ([`Pattern::write_layout`]), so what is written is
//! what the compiled layout reads.

use chrono::{Datelike, Timelike};

use super::names::{LONG_DAYS, LONG_MONTHS, SHORT_DAYS, SHORT_MONTHS};
use super::pattern::{
    is_field_item, num, num_spaced, push_lit, Case, Dialect, Field, Frac, Item, OffsetForm,
};
use super::{Pattern, TimeFormatError, Timestamp};

/// A piece of a Go layout: literal text, or an element with its text (`Jan`, `_2`, `.000`).
enum Chunk<'a> {
    Lit(&'a str),
    // The text is read only when writing a layout (the generator).
    Elem(
        Item,
        #[cfg_attr(not(feature = "gen"), allow(dead_code))] &'a str,
    ),
}

/// The layout cut into literal text and elements, in order.
fn chunks(layout: &str) -> impl Iterator<Item = Chunk<'_>> {
    let l = layout.as_bytes();
    let (mut i, mut lit_start) = (0, 0);
    let mut pending: Option<Chunk<'_>> = None;
    std::iter::from_fn(move || {
        if let Some(chunk) = pending.take() {
            return Some(chunk);
        }
        while i < l.len() {
            if let Some((item, len)) = go_chunk_at(l, i) {
                let lit = &layout[lit_start..i];
                let elem = Chunk::Elem(item, &layout[i..i + len]);
                i += len;
                lit_start = i;
                if lit.is_empty() {
                    return Some(elem);
                }
                pending = Some(elem);
                return Some(Chunk::Lit(lit));
            }
            // Step over a whole UTF-8 character so literals stay intact.
            i += layout[i..].chars().next().map_or(1, char::len_utf8);
        }
        let lit = &layout[lit_start..];
        lit_start = l.len();
        (!lit.is_empty()).then_some(Chunk::Lit(lit))
    })
}

/// The Go layout element starting at `l[i]`, if any, as (item, length in bytes).
/// Mirrors Go's `nextStdChunk`.
fn go_chunk_at(l: &[u8], i: usize) -> Option<(Item, usize)> {
    let rest = &l[i..];
    let starts = |p: &[u8]| rest.starts_with(p);
    let lower_next = |n: usize| rest.get(n).is_some_and(u8::is_ascii_lowercase);
    let item = match rest[0] {
        b'J' if starts(b"January") => (Item::MonthName { long: true }, 7),
        b'J' if starts(b"Jan") && !lower_next(3) => (Item::MonthName { long: false }, 3),
        b'M' if starts(b"Monday") => (Item::WeekdayName { long: true }, 6),
        b'M' if starts(b"Mon") && !lower_next(3) => (Item::WeekdayName { long: false }, 3),
        b'M' if starts(b"MST") => (Item::ZoneAbbr { strftime: false }, 3),
        b'0' => match rest.get(1) {
            Some(b'1') => (num(Field::Month, 2, 2), 2),
            Some(b'2') => (num(Field::Day, 2, 2), 2),
            Some(b'3') => (num(Field::Hour12, 2, 2), 2),
            Some(b'4') => (num(Field::Minute, 2, 2), 2),
            Some(b'5') => (num(Field::Second, 2, 2), 2),
            Some(b'6') => (num(Field::Year2, 2, 2), 2),
            Some(b'0') if rest.get(2) == Some(&b'2') => (num(Field::YearDay, 3, 3), 3),
            _ => return None,
        },
        b'1' if starts(b"15") => (num(Field::Hour, 1, 2), 2),
        b'1' => (num(Field::Month, 1, 2), 1),
        b'2' if starts(b"2006") => (num(Field::Year, 4, 4), 4),
        b'2' => (num(Field::Day, 1, 2), 1),
        // "_2006" is a literal '_' followed by the year: handled by the caller seeing no chunk.
        b'_' if starts(b"_2") && !starts(b"_2006") => (num_spaced(Field::Day, 1, 2, 1), 2),
        b'_' if starts(b"__2") => (num_spaced(Field::YearDay, 1, 3, 2), 3),
        b'3' => (num(Field::Hour12, 1, 2), 1),
        b'4' => (num(Field::Minute, 1, 2), 1),
        b'5' => (num(Field::Second, 1, 2), 1),
        b'P' if starts(b"PM") => (Item::AmPm(Case::Upper), 2),
        b'p' if starts(b"pm") => (Item::AmPm(Case::Lower), 2),
        b'-' | b'Z' => {
            let z = rest[0] == b'Z';
            let forms: [(&[u8], OffsetForm); 5] = [
                (b"070000", OffsetForm::HhMmSs),
                (b"07:00:00", OffsetForm::HhColonMmColonSs),
                (b"0700", OffsetForm::HhMm),
                (b"07:00", OffsetForm::HhColonMm),
                (b"07", OffsetForm::Hh),
            ];
            let (pat, form) = forms.iter().find(|(p, _)| rest[1..].starts_with(p))?;
            (Item::Offset { z, form: *form }, 1 + pat.len())
        }
        // Go 1.15 reads `,000` as text: its fractions follow a `.` only.
        b'.' => {
            let ch = *rest.get(1).filter(|c| matches!(c, b'0' | b'9'))?;
            let n = rest[1..].iter().take_while(|&&c| c == ch).count();
            if rest.get(1 + n).is_some_and(u8::is_ascii_digit) {
                return None;
            }
            let frac = if ch == b'0' {
                Frac::Exact(u8::try_from(n).unwrap_or(u8::MAX))
            } else {
                Frac::Optional
            };
            (Item::Frac(frac), 1 + n)
        }
        _ => return None,
    };
    Some(item)
}

fn push_go_literal(items: &mut Vec<Item>, bytes: &[u8]) {
    let mut rest = bytes;
    while !rest.is_empty() {
        let spaces = rest.iter().take_while(|&&c| c == b' ').count();
        if spaces > 0 {
            if items.last() != Some(&Item::Spaces) {
                items.push(Item::Spaces);
            }
            rest = &rest[spaces..];
        } else {
            let n = rest.iter().take_while(|&&c| c != b' ').count();
            push_lit(items, &rest[..n]);
            rest = &rest[n..];
        }
    }
}

pub(super) fn compile_layout(spec: &str, layout: &str) -> Result<Pattern, TimeFormatError> {
    let example = "layout=2006-01-02 15:04:05";
    if let Some(pos) = layout.find('%') {
        let directive: String = layout[pos..].chars().take(2).collect();
        return Err(TimeFormatError::new(
            format!(
                "layout {layout:?} contains the strftime directive \"{directive}\", not a Go reference-time element"
            ),
            Some(format!(
                "drop the \"layout=\" prefix to use a strftime pattern ({layout:?}), or write a Go layout such as \"{example}\""
            )),
        ));
    }
    let mut items: Vec<Item> = Vec::new();
    for chunk in chunks(layout) {
        match chunk {
            Chunk::Lit(text) => push_go_literal(&mut items, text.as_bytes()),
            Chunk::Elem(item, _) => items.push(item),
        }
    }
    if !items.iter().any(is_field_item) {
        return Err(TimeFormatError::new(
            format!("layout {layout:?} has no Go reference-time element"),
            Some(format!(
                "Go layouts spell the reference time Mon Jan 2 15:04:05 MST 2006, e.g. \"{example}\""
            )),
        ));
    }
    // Go reads a fraction after the seconds when the next element is not itself a fraction.
    for k in 0..items.len() {
        if let Item::Num {
            field: Field::Second,
            ..
        } = items[k]
        {
            let next_is_frac = items[k + 1..]
                .iter()
                .find(|it| is_field_item(it))
                .is_some_and(|it| matches!(it, Item::Frac(_)));
            if let Item::Num { auto_frac, .. } = &mut items[k] {
                *auto_frac = !next_is_frac;
            }
        }
    }
    Ok(Pattern::new(spec, items, Dialect::GoLayout))
}

impl Pattern {
    /// For a Go layout (`layout=…`), appends `ts` as Go's `Time.Format` writes it in UTC and
    /// returns true; for a strftime pattern, writes nothing and returns false.
    ///
    /// The layout is cut by the same tokenizer that compiled it, so the text parses back with
    /// this pattern. In UTC, `MST` is written `UTC`, `Z07:00` as `Z` and `-07:00` as `+00:00`.
    // Only the generator writes timestamps in a Go layout.
    #[cfg_attr(not(feature = "gen"), allow(dead_code))]
    pub(crate) fn write_layout(&self, ts: &Timestamp, out: &mut String) -> bool {
        let Some(layout) = self.spec.strip_prefix("layout=") else {
            return false;
        };
        for chunk in chunks(layout) {
            match chunk {
                Chunk::Lit(text) => out.push_str(text),
                Chunk::Elem(item, text) => write_elem(&item, text, ts, out),
            }
        }
        true
    }
}

/// Appends one layout element (`item`, spelled `text` in the layout) of `ts`, as Go's
/// `appendFormat` does.
#[cfg_attr(not(feature = "gen"), allow(dead_code))]
fn write_elem(item: &Item, text: &str, ts: &Timestamp, out: &mut String) {
    // Go's time has no leap seconds; chrono's (nanos above 1e9) is written as second 59.
    let nanos = ts.nanosecond() % 1_000_000_000;
    match *item {
        Item::MonthName { long } => {
            let names = if long { &LONG_MONTHS } else { &SHORT_MONTHS };
            out.push_str(names[ts.month0() as usize]);
        }
        Item::WeekdayName { long } => {
            let names = if long { &LONG_DAYS } else { &SHORT_DAYS };
            out.push_str(names[ts.weekday().num_days_from_sunday() as usize]);
        }
        Item::ZoneAbbr { .. } => out.push_str("UTC"),
        Item::Num {
            field,
            max,
            skip_spaces,
            ..
        } => {
            let v = match field {
                Field::Year => ts.year().unsigned_abs(),
                Field::Year2 => ts.year().unsigned_abs() % 100,
                Field::Month => ts.month(),
                Field::Day => ts.day(),
                Field::YearDay => ts.ordinal(),
                Field::Hour => ts.hour(),
                Field::Hour12 | Field::ClockHour12 => ts.hour12().1,
                Field::Minute => ts.minute(),
                Field::Second => ts.second(),
                // Not Go layout elements (strftime only).
                Field::Century => ts.year().unsigned_abs() / 100,
                Field::Year2000 => ts.year().unsigned_abs() % 100,
                Field::WeekdayFromSunday => ts.weekday().num_days_from_sunday(),
                Field::WeekdayFromMonday => ts.weekday().number_from_monday(),
                Field::Ignored => 0,
            };
            // `_2` and `__2` pad with spaces to their width; `01`, `002`, `15`, `2006` with
            // zeros to the length of their text; `1`, `2`, `3`, `4`, `5` not at all.
            let (width, fill) = if skip_spaces > 0 {
                (usize::from(max), ' ')
            } else {
                (text.len(), '0')
            };
            let digits = v.to_string();
            for _ in digits.len()..width {
                out.push(fill);
            }
            out.push_str(&digits);
        }
        Item::AmPm(case) => {
            let pm = ts.hour() >= 12;
            out.push_str(match (case, pm) {
                (Case::Lower, false) => "am",
                (Case::Lower, true) => "pm",
                (_, false) => "AM",
                (_, true) => "PM",
            });
        }
        Item::Frac(frac) => {
            // `.000` keeps as many digits as it has zeros; `.999` as many nines, then drops
            // trailing zeros, and the separator too when nothing is left.
            let all = format!("{nanos:09}");
            let digits = &all[..text.len().saturating_sub(1).min(9)];
            let digits = match frac {
                Frac::Optional => digits.trim_end_matches('0'),
                Frac::Exact(_) | Frac::Digits => digits,
            };
            if !digits.is_empty() {
                out.push_str(&text[..1]);
                out.push_str(digits);
            }
        }
        Item::Offset { z, form } => {
            // UTC: `Z` for the Z forms, else the layout's own shape with zero digits. Go
            // writes `Z` for `Z070000` and `Z07:00:00` too, but its parse refuses it there:
            // zero digits, which read back (what is written here is `gen`'s input).
            let with_seconds = matches!(form, OffsetForm::HhMmSs | OffsetForm::HhColonMmColonSs);
            if z && !with_seconds {
                out.push('Z');
            } else {
                out.push('+');
                out.extend(text[1..].chars().map(|c| if c == ':' { ':' } else { '0' }));
            }
        }
        Item::Lit(_) | Item::Spaces | Item::Whitespace | Item::Unix => out.push_str(text),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Datelike as _;

    use crate::time::{TimeFormat, Timestamp};

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, nanos: u32) -> Timestamp {
        chrono::NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|d| d.and_hms_nano_opt(h, mi, s, nanos))
            .map(|n| n.and_utc())
            .expect("valid date")
    }

    fn written(layout: &str, ts: &Timestamp) -> String {
        let TimeFormat::Layout(p) =
            TimeFormat::from_spec(&format!("layout={layout}")).expect(layout)
        else {
            panic!("{layout}: not a layout");
        };
        let mut out = String::new();
        assert!(p.write_layout(ts, &mut out), "{layout}");
        out
    }

    /// What Go's `Time.Format` writes for these layouts in UTC.
    #[test]
    fn writes_as_go_format() {
        let ts = utc(2023, 7, 1, 14, 5, 9, 120_000_000);
        for (layout, want) in [
            ("2006-01-02 15:04:05", "2023-07-01 14:05:09"),
            (
                "Mon Jan _2 15:04:05 MST 2006",
                "Sat Jul  1 14:05:09 UTC 2023",
            ),
            (
                "Monday, January 2, 2006 3:04:05 PM",
                "Saturday, July 1, 2023 2:05:09 PM",
            ),
            ("2006-01-02T15:04:05.000Z07:00", "2023-07-01T14:05:09.120Z"),
            (
                "2006-01-02T15:04:05.999-07:00",
                "2023-07-01T14:05:09.12+00:00",
            ),
            (
                "03:04pm 06 002 __2 .000000 -0700",
                "02:05pm 23 182 182 .120000 +0000",
            ),
            // As Go 1.15 writes it: `,000` is text (a fraction from Go 1.17).
            ("15:04:05,000", "14:05:09,000"),
            (
                "-07 -070000 -07:00:00 Z07 Z070000",
                "+00 +000000 +00:00:00 Z +000000",
            ),
            ("1/2/06 3:4:5", "7/1/23 2:5:9"),
            ("_2006  年 Jan", "_2023  年 Jul"),
        ] {
            assert_eq!(written(layout, &ts), want, "{layout}");
        }
        let midnight = utc(2023, 1, 5, 0, 0, 0, 0);
        assert_eq!(written("3 03 PM .999|", &midnight), "12 12 AM |");
        assert_eq!(written("__2 _2", &midnight), "  5  5");
    }

    #[test]
    fn strftime_patterns_are_not_written() {
        let Ok(TimeFormat::Strftime(p)) = TimeFormat::from_spec("%Y-%m-%d") else {
            panic!("strftime");
        };
        let mut out = String::new();
        assert!(!p.write_layout(&utc(2023, 7, 1, 0, 0, 0, 0), &mut out));
        assert!(out.is_empty());
    }

    /// Whatever is written parses back with the same layout; to the same instant when the
    /// layout has every field down to the nanosecond.
    #[test]
    fn written_text_parses_back() {
        let complete = [
            "2006-01-02T15:04:05.000000000Z07:00",
            "Monday, January _2 2006 03:04:05.999999999 PM -0700",
            "Mon Jan 2 15:04:05.000000000 MST 2006",
            "2006 002 15:04:05.000000000 -07:00:00",
            "06-1-2 3:4:5.999999999pm Z070000",
        ];
        let partial = [
            "Jan _2 15:04:05",
            "2006-01-02",
            "15:04",
            "01/02/2006 15:04:05.999",
            "02.01.06 3PM",
        ];
        let mut next = crate::testing::xorshift(0x0123_4567_89ab_cdef);
        for _ in 0..3_000 {
            let days = i64::try_from(next(2_932_896)).expect("days"); // 0000..=9999
            let secs = -62_167_219_200 + days * 86_400 + i64::try_from(next(86_400)).expect("s");
            let nanos = [
                0,
                120_000_000,
                u32::try_from(next(1_000_000_000)).expect("n"),
            ][next(3)];
            let Some(ts) = chrono::DateTime::from_timestamp(secs, nanos) else {
                continue;
            };
            for layout in complete {
                let f = TimeFormat::from_spec(&format!("layout={layout}")).expect(layout);
                let text = written(layout, &ts);
                // Two-digit years come back in 1969..=2068.
                let want =
                    (!layout.starts_with("06") || (1969..=2068).contains(&ts.year())).then_some(ts);
                if want.is_some() {
                    assert_eq!(f.parse_str(&text), want, "{layout}: {text:?}");
                } else {
                    assert!(f.parse_str(&text).is_some(), "{layout}: {text:?}");
                }
            }
            for layout in partial {
                let f = TimeFormat::from_spec(&format!("layout={layout}")).expect(layout);
                let text = written(layout, &ts);
                assert!(f.parse_str(&text).is_some(), "{layout}: {text:?}");
            }
        }
    }
}
