//! Compiles strftime patterns (the directives of `itchyny/timefmt-go`) into pattern elements.

use super::pattern::{
    is_field_item, num, num_spaced, push_lit, Case, Dialect, Field, Frac, Item, OffsetForm,
};
use super::{Pattern, TimeFormatError};

const STRFTIME_DIRECTIVES: &str = "%Y %C %y %g %G %m %B %b %h %A %a %w %u %U %V %W %d %e %j %H %k \
     %I %l %p %P %M %S %f %z %:z %Z %s %D %x %F %v %R %r %T %X %c %+ %t %n %%";

pub(super) fn compile_strftime(spec: &str) -> Result<Pattern, TimeFormatError> {
    let mut items = Vec::new();
    let mut chars = spec.char_indices().peekable();
    let mut lit_start = 0;
    while let Some((i, c)) = chars.next() {
        if c != '%' {
            continue;
        }
        push_lit(&mut items, &spec.as_bytes()[lit_start..i]);
        // Flags (`%-d`, `%_d`, `%0d`) only affect formatting; parsing is greedy anyway.
        while let Some((_, '-' | '_' | '0')) = chars.peek() {
            chars.next();
        }
        let Some((j, d)) = chars.next() else {
            return Err(TimeFormatError::new(
                format!("strftime pattern {spec:?} ends with a stray '%'"),
                Some("write %% for a literal percent sign".to_owned()),
            ));
        };
        let mut end = j + d.len_utf8();
        if d == ':' {
            if let Some((k, 'z')) = chars.peek().copied() {
                chars.next();
                end = k + 1;
                items.push(Item::Offset {
                    z: true,
                    form: OffsetForm::HhColonMm,
                });
                lit_start = end;
                continue;
            }
        }
        if !expand_strftime(d, &mut items) {
            return Err(TimeFormatError::new(
                format!(
                    "unsupported strftime directive \"{}\" in {spec:?}",
                    &spec[i..end]
                ),
                Some(format!("supported directives: {STRFTIME_DIRECTIVES}")),
            ));
        }
        lit_start = end;
    }
    push_lit(&mut items, &spec.as_bytes()[lit_start..]);
    if !items.iter().any(is_field_item) {
        return Err(TimeFormatError::new(
            format!("strftime pattern {spec:?} has no date or time directive"),
            Some("use directives such as %Y-%m-%d %H:%M:%S".to_owned()),
        ));
    }
    Ok(Pattern::new(spec, items, Dialect::Strftime))
}

/// Appends the items of one strftime directive; false when it is not supported.
fn expand_strftime(d: char, items: &mut Vec<Item>) -> bool {
    let composite = match d {
        'D' | 'x' => "m/d/y",
        'F' => "Y-m-d",
        'v' => "e-b-Y",
        'R' => "H:M",
        'r' => "I:M:S p",
        'T' | 'X' => "H:M:S",
        'c' => "a b e H:M:S Y",
        '+' => "a b e H:M:S Z Y",
        _ => "",
    };
    if !composite.is_empty() {
        for c in composite.chars() {
            if c.is_ascii_alphabetic() {
                expand_strftime(c, items);
            } else {
                let mut buf = [0u8; 4];
                push_lit(items, c.encode_utf8(&mut buf).as_bytes());
            }
        }
        return true;
    }
    let item = match d {
        'Y' => num(Field::Year, 1, 4),
        'C' => num(Field::Century, 1, 2),
        'y' => num(Field::Year2, 1, 2),
        // timefmt-go reads the ISO week-based year as a plain year (`%G`) or 2000 + yy
        // (`%g`), and reads the week numbers only to ignore them: `%G-W%V-%u` is January 1.
        'G' => num(Field::Year, 1, 4),
        'g' => num(Field::Year2000, 1, 2),
        'U' | 'V' | 'W' => num(Field::Ignored, 1, 2),
        'm' => num(Field::Month, 1, 2),
        'B' => Item::MonthName { long: true },
        'b' | 'h' => Item::MonthName { long: false },
        'A' => Item::WeekdayName { long: true },
        'a' => Item::WeekdayName { long: false },
        'w' => num(Field::WeekdayFromSunday, 1, 1),
        'u' => num(Field::WeekdayFromMonday, 1, 1),
        'd' => num(Field::Day, 1, 2),
        'e' => num_spaced(Field::Day, 1, 2, 1),
        'j' => num(Field::YearDay, 1, 3),
        'H' => num(Field::Hour, 1, 2),
        'k' => num_spaced(Field::Hour, 1, 2, 1),
        'I' => num(Field::ClockHour12, 1, 2),
        'l' => num_spaced(Field::ClockHour12, 1, 2, 1),
        'p' | 'P' => Item::AmPm(Case::Any),
        'M' => num(Field::Minute, 1, 2),
        'S' => num(Field::Second, 1, 2),
        'f' => Item::Frac(Frac::Digits),
        'z' => Item::Offset {
            z: true,
            form: OffsetForm::Lenient,
        },
        'Z' => Item::ZoneAbbr { strftime: true },
        's' => Item::Unix,
        't' | 'n' => Item::Whitespace,
        '%' => Item::Lit(Box::new(*b"%")),
        _ => return false,
    };
    if let Item::Lit(bytes) = &item {
        push_lit(items, bytes);
    } else {
        items.push(item);
    }
    true
}
