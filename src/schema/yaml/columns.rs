//! Where the characters of a scalar's text sit in its file, when each takes one column of one
//! line: a problem found inside a value (a pattern's bad regular expression, a placeholder
//! naming no field) can then point at its character, not only at the start of the value.

use super::Style;
use crate::schema::Span;

/// The lines of a YAML text, each with its line break, cut where yaml-rust2 counts line
/// breaks (`\r\n`, `\n`, `\r`): the line of a mark (1-based) is the item before it. A
/// file cut at `\n` alone disagrees with the marks when it has a lone `\r`.
pub(crate) fn lines_with_breaks(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i += 1;
        }
        if matches!(bytes[i], b'\n' | b'\r') {
            lines.push(&text[start..=i]);
            start = i + 1;
        }
        i += 1;
    }
    lines.push(&text[start..]);
    lines
}

/// The lines of a YAML text without their line breaks ([`lines_with_breaks`]).
pub(super) struct Lines<'a>(Vec<&'a str>);

impl<'a> Lines<'a> {
    pub(super) fn new(text: &'a str) -> Lines<'a> {
        Lines(
            lines_with_breaks(text)
                .into_iter()
                .map(|l| l.trim_end_matches(['\n', '\r']))
                .collect(),
        )
    }

    /// Where the first character of `text` is, for a scalar of `style` that starts at `span`,
    /// when its characters are written one per column on that line: plain, or quoted with no
    /// escape sequence and no doubled quote. `None` otherwise (a block scalar, a scalar over
    /// several lines, a quote or backslash inside quotes), and whenever the file does not
    /// show `text` there: the answer is checked against what is written, never guessed.
    pub(super) fn text_start(&self, span: Span, style: Style, text: &str) -> Option<Span> {
        let line = self
            .0
            .get(usize::try_from(span.line.checked_sub(1)?).ok()?)?;
        let mut written = line
            .chars()
            .skip(usize::try_from(span.col.checked_sub(1)?).ok()?);
        let quote = match style {
            Style::Block => return None,
            Style::Plain => None,
            Style::Quoted => Some(written.next().filter(|q| matches!(q, '\'' | '"'))?),
        };
        if let Some(q) = quote {
            // A quote inside is written doubled (`''`) or escaped (`\"`), and a backslash
            // inside double quotes starts an escape sequence: one character, two columns.
            if text.contains(q) || (q == '"' && text.contains('\\')) {
                return None;
            }
        }
        for c in text.chars() {
            if written.next()? != c {
                return None;
            }
        }
        if let Some(q) = quote {
            if written.next()? != q {
                return None;
            }
        }
        Some(Span {
            line: span.line,
            col: span.col + u32::from(quote.is_some()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(text: &str, span: (u32, u32), style: Style, value: &str) -> Option<(u32, u32)> {
        Lines::new(text)
            .text_start(
                Span {
                    line: span.0,
                    col: span.1,
                },
                style,
                value,
            )
            .map(|s| (s.line, s.col))
    }

    #[test]
    fn one_line_scalars() {
        let text = "a:\n  - x[a-\n  - 'y[b-'\r\n  - \"z[c-\"\r  - 'it''s'\n  - \"a\\tb\"\n";
        assert_eq!(start(text, (2, 5), Style::Plain, "x[a-"), Some((2, 5)));
        assert_eq!(start(text, (3, 5), Style::Quoted, "y[b-"), Some((3, 6)));
        assert_eq!(start(text, (4, 5), Style::Quoted, "z[c-"), Some((4, 6)));
        // The doubled quote and the escape take two columns for one character.
        assert_eq!(start(text, (5, 5), Style::Quoted, "it's"), None);
        assert_eq!(start(text, (6, 5), Style::Quoted, "a\tb"), None);
    }

    #[test]
    fn what_is_not_written_there_has_no_start() {
        // A plain scalar folded from two lines, a block scalar, a position off the text.
        let text = "a: one\n  two\nb: |\n  x\n";
        assert_eq!(start(text, (1, 4), Style::Plain, "one two"), None);
        assert_eq!(start(text, (3, 4), Style::Block, "x\n"), None);
        assert_eq!(start(text, (1, 5), Style::Plain, "one"), None);
        assert_eq!(start(text, (9, 1), Style::Plain, "one"), None);
        assert_eq!(start(text, (0, 0), Style::Plain, ""), None);
    }
}
