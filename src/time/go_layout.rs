//! Compiles Go reference-time layouts (`2006-01-02 15:04:05 MST`) into pattern elements,
//! tokenizing them as Go's `nextStdChunk` does.

use super::pattern::{
    is_field_item, num, num_spaced, push_lit, Case, Field, Frac, Item, OffsetForm,
};
use super::{Pattern, TimeFormatError};

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
        b'.' | b',' => {
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
    let l = layout.as_bytes();
    let mut items: Vec<Item> = Vec::new();
    let mut lit_start = 0;
    let mut i = 0;
    while i < l.len() {
        if let Some((item, len)) = go_chunk_at(l, i) {
            push_go_literal(&mut items, &l[lit_start..i]);
            items.push(item);
            i += len;
            lit_start = i;
        } else {
            // Step over a whole UTF-8 character so literals stay intact.
            i += layout[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    push_go_literal(&mut items, &l[lit_start..]);
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
    Ok(Pattern {
        spec: spec.into(),
        items: items.into_boxed_slice(),
        default_year: 0,
    })
}
