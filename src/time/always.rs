//! What every value of a time format holds, for the schema checks: its text (a fastmatch
//! placeholder whose value ends at text that every time of its field holds can never capture
//! one whole: `schema::text`), and a year (an event time without one: `schema::validate`).

use super::pattern::{Field, Frac, Item};
use super::TimeFormat;

/// The separators of every value `rfc3339` reads (`2023-07-01T14:00:00Z`): its offset is
/// `Z` or a sign, so neither is always there.
const RFC3339_SEPARATORS: [&[u8]; 3] = [b"-", b"T", b":"];

impl TimeFormat {
    /// Whether every value this format reads has a year (`%Y`, `%y`, `2006`, `%s`, the
    /// `rfc3339` and `unix` formats); a pattern without one gives a default year.
    pub(crate) fn reads_year(&self) -> bool {
        match self {
            TimeFormat::Strftime(p) | TimeFormat::Layout(p) => p.items.iter().any(|item| {
                matches!(
                    item,
                    Item::Num {
                        field: Field::Year | Field::Year2 | Field::Year2000,
                        ..
                    } | Item::Unix
                )
            }),
            _ => true,
        }
    }

    /// Whether this is a Go layout (`layout=...`), whose default year is 0.
    pub(crate) fn is_layout(&self) -> bool {
        matches!(self, TimeFormat::Layout(_))
    }

    /// Whether every text this format reads ([`TimeFormat::parse_str`]) holds `text`.
    ///
    /// Only what is certain counts, so `false` may also mean "not known": the literal text of
    /// a pattern (` `, `-` and `:` in `%Y-%m-%d %H:%M:%S`, also when a directive writes it, as
    /// `%T` writes `:` and `%c` spaces), a run of spaces of a Go layout that more of the
    /// value follows (at the end it matches no space), and the separators of `rfc3339`
    /// (`-`, `T`, `:`), which `cloudflare` reads too. Never what a directive writes only for
    /// some values (`%e` writes a space before days 1 to 9), nor digits or names.
    pub(crate) fn always_holds(&self, text: &str) -> bool {
        let needle = text.as_bytes();
        if needle.is_empty() {
            return true;
        }
        let holds = |run: &[u8]| memchr::memmem::find(run, needle).is_some();
        match self {
            TimeFormat::Rfc3339 | TimeFormat::Cloudflare => {
                RFC3339_SEPARATORS.into_iter().any(holds)
            }
            TimeFormat::Unix | TimeFormat::UnixMs | TimeFormat::UnixUs | TimeFormat::UnixNs => {
                false
            }
            TimeFormat::Strftime(p) | TimeFormat::Layout(p) => {
                p.items.iter().enumerate().any(|(i, item)| match item {
                    Item::Lit(bytes) => holds(bytes),
                    Item::Spaces => holds(b" ") && p.items[i + 1..].iter().any(takes_text),
                    _ => false,
                })
            }
        }
    }
}

/// Whether an element matches only when it takes at least one byte of the value.
fn takes_text(item: &Item) -> bool {
    matches!(
        item,
        Item::Lit(_)
            | Item::Whitespace
            | Item::Num { .. }
            | Item::MonthName { .. }
            | Item::WeekdayName { .. }
            | Item::AmPm(_)
            | Item::Offset { .. }
            | Item::Frac(Frac::Digits | Frac::Exact(_))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holds(spec: &str, text: &str) -> bool {
        TimeFormat::from_spec(spec)
            .expect("valid spec")
            .always_holds(text)
    }

    #[test]
    fn literal_text_and_directives_that_always_write_it() {
        assert!(holds("%Y-%m-%d %H:%M:%S", " "));
        assert!(holds("%Y-%m-%d %H:%M:%S", ":"));
        assert!(holds("%d/%b/%Y:%H:%M:%S %z", "/"));
        assert!(holds("%F %T", " "));
        assert!(holds("%FT%T", ":"));
        assert!(holds("%c", " "));
        assert!(holds("%r", " "));
        assert!(holds("%D", "/"));
        // The whole text must be in one run of literal text.
        assert!(holds("%Y-%m-%d, %H", ", "));
        assert!(!holds("%Y-%m-%d %H", "- "));
        assert!(!holds("%Y-%m-%dT%H:%M:%S", " "));
        assert!(!holds("%Y%m%d", "0"));
    }

    #[test]
    fn text_a_directive_writes_only_sometimes_does_not_count() {
        // `%e`, `%k`, `%l`: a space before one-digit numbers only.
        assert!(!holds("%Y%m%e", " "));
        assert!(!holds("%k%M", " "));
        assert!(!holds("%Y-%m-%d%z", "+"));
        assert!(!holds("%Y-%m-%d%Z", "Z"));
        assert!(!holds("%s", "-"));
        // `%t` and `%n` take any run of white space (timefmt-go), not one tab or newline.
        assert!(!holds("%Y%t%m", "\t"));
        assert!(!holds("%Y%n%m", "\n"));
    }

    #[test]
    fn go_layouts_spaces_only_when_more_follows() {
        assert!(holds("layout=2006-01-02 15:04:05", " "));
        assert!(holds("layout=Jan _2 15:04", " "));
        assert!(holds("layout=01/02/2006", "/"));
        assert!(holds("layout=2006-01-02T15:04:05 -0700", " "));
        // A trailing run of spaces matches the end of a value.
        assert!(!holds("layout=2006-01-02 ", " "));
        assert!(!holds("layout=2006-01-02 .999", " "));
    }

    #[test]
    fn builtin_formats() {
        for spec in ["rfc3339", "", "cloudflare"] {
            for text in ["-", "T", ":"] {
                assert!(holds(spec, text), "{spec:?} {text:?}");
            }
            for text in [" ", "Z", "+", ".", "T1"] {
                assert!(!holds(spec, text), "{spec:?} {text:?}");
            }
        }
        for spec in ["unix", "unix_ms", "unix_us", "unix_ns"] {
            for text in [" ", "-", ".", ":", "1"] {
                assert!(!holds(spec, text), "{spec:?} {text:?}");
            }
        }
    }
}
