//! Where a value stops matching a strftime pattern or Go layout, for the message of a
//! refused time: "does not match time format %d/%m/%Y" alone left the user guessing, where
//! the matcher knows that `Mar` stood where `%m` reads a month number (review s44-h7 LOW-3).
//! Run only for a refusal's message, never on the way of a value.

use super::matching::match_item;
use super::{Dialect, Field, Item, Pattern, State};

impl Pattern {
    /// Why `input` does not match, in words: where the pattern stopped and what it expected
    /// there, or the text left over after it. `None` when every element matched (the fields
    /// then make no valid date or time, or the value matches).
    #[must_use]
    pub fn mismatch(&self, input: &str) -> Option<String> {
        let mut st = State::new(self.default_year);
        let mut s = input.as_bytes();
        for item in &*self.items {
            let Some(rest) = match_item(item, s, &mut st) else {
                let at = input.len() - s.len();
                return Some(format!(
                    "at {}, the format expects {}",
                    place(input, at),
                    expected(item, self.dialect)
                ));
            };
            s = rest;
        }
        (!s.is_empty()).then(|| {
            let at = input.len() - s.len();
            format!("{}, is left over after the format", place(input, at))
        })
    }
}

/// `byte N, "text"…`: the place in `input` and what follows it (up to 12 characters).
fn place(input: &str, at: usize) -> String {
    let rest = input.get(at..).unwrap_or_default();
    if rest.is_empty() {
        return "the end of the value".to_owned();
    }
    let shown: String = rest.chars().take(12).collect();
    let more = if rest.chars().count() > 12 { "…" } else { "" };
    // JSON's escapes, as the value is shown in the message (`\u00a0`, not `\u{a0}`).
    let shown = serde_json::Value::from(shown).to_string();
    format!("byte {at}, {shown}{more}")
}

/// What `item` reads, in words (`dialect`: how the pattern names a month name).
fn expected(item: &Item, dialect: Dialect) -> String {
    match item {
        Item::Lit(b) => serde_json::Value::from(String::from_utf8_lossy(b)).to_string(),
        Item::Spaces | Item::Whitespace => "white space".to_owned(),
        Item::Num { field, .. } => match field {
            Field::Year => "a year",
            Field::Year2 | Field::Year2000 => "a two-digit year",
            Field::Century => "a century",
            Field::Month => match dialect {
                Dialect::Strftime => "a month number (%b reads a month name)",
                Dialect::GoLayout => "a month number (Jan reads a month name)",
            },
            Field::Day => "a day of the month",
            Field::YearDay => "a day of the year",
            Field::Hour | Field::Hour12 | Field::ClockHour12 => "an hour",
            Field::Minute => "minutes",
            Field::Second => "seconds",
            Field::WeekdayFromSunday | Field::WeekdayFromMonday => "a weekday number",
            Field::Ignored => "a week number",
        }
        .to_owned(),
        Item::MonthName { .. } => "a month name (Jan or January)".to_owned(),
        Item::WeekdayName { .. } => "a weekday name (Mon or Monday)".to_owned(),
        Item::AmPm(_) => "AM or PM".to_owned(),
        Item::Frac(_) => "a fraction of a second".to_owned(),
        Item::Offset { .. } => "a UTC offset (+0100, -05:00 or Z)".to_owned(),
        Item::ZoneAbbr { .. } => "a time zone abbreviation (UTC, CET)".to_owned(),
        Item::Unix => "seconds since 1970 (1 to 10 digits)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use crate::time::TimeFormat;

    fn mismatch(spec: &str, value: &str) -> Option<String> {
        match TimeFormat::from_spec(spec).expect("spec") {
            TimeFormat::Strftime(p) | TimeFormat::Layout(p) => p.mismatch(value),
            _ => None,
        }
    }

    #[test]
    fn says_where_the_value_stops_matching() {
        assert_eq!(
            mismatch("%d/%m/%Y:%H:%M:%S %z", "14/Mar/2024:13:55:36 +0000").as_deref(),
            Some(
                "at byte 3, \"Mar/2024:13:\"…, the format expects a month number (%b reads \
                 a month name)"
            )
        );
        assert_eq!(
            mismatch("%Y-%m-%d", "2024-03-14T10:00:00").as_deref(),
            Some("byte 10, \"T10:00:00\", is left over after the format")
        );
        assert_eq!(
            mismatch("layout=2006-01-02 15:04", "2024-03-14").as_deref(),
            Some("at the end of the value, the format expects an hour")
        );
        assert_eq!(mismatch("%Y-%m-%d", "2024-03-14"), None);
    }
}
