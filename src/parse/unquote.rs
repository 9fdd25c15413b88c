//! A quoted value of a fastmatch line read with its escapes, as Panther's matcher reads it
//! (`pkg/x/fastmatch`, `matchQuoted`: Go's `strconv.UnquoteChar` character by character up
//! to the first quote not escaped). Escapes: `\a \b \f \n \r \t \v \\`, `\xhh` and `\ooo`
//! (three octal digits, at most `\377`), both a character up to U+00FF, `\uhhhh` and
//! `\Uhhhhhhhh` (a Unicode scalar value), and the quote itself (`\"` between double quotes,
//! `\'` between single ones). Any other escape, or a bad digit or value, fails the match.

use memchr::memchr2;

/// Read `line[at..]` up to the first `quote` that is not escaped (or the end of the line),
/// appending the value, unescaped, to `out`. Returns where the reading stopped (the quote,
/// or the line's length), or `None` on an escape Go's `strconv.UnquoteChar` refuses.
pub(crate) fn unquote(line: &str, at: usize, quote: u8, out: &mut String) -> Option<usize> {
    let b = line.as_bytes();
    let mut at = at;
    loop {
        // Runs of plain text are copied whole: `quote` and `\` are ASCII, so a run ends on a
        // character boundary.
        let stop = memchr2(quote, b'\\', &b[at..]).map_or(b.len(), |i| at + i);
        out.push_str(&line[at..stop]);
        if b.get(stop) != Some(&b'\\') {
            return Some(stop);
        }
        let (c, len) = escape(&b[stop + 1..], quote)?;
        out.push(c);
        at = stop + 1 + len;
    }
}

/// The character an escape stands for, and the length of the escape after its backslash
/// (`esc` starts right after it).
fn escape(esc: &[u8], quote: u8) -> Option<(char, usize)> {
    let &c = esc.first()?;
    let simple = match c {
        b'a' => '\x07',
        b'b' => '\x08',
        b'f' => '\x0c',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'v' => '\x0b',
        b'\\' => '\\',
        // Only the quote the value is read between (Go: `\'` in a double-quoted string is
        // an error, and the other way round).
        b'"' | b'\'' if c == quote => char::from(c),
        b'x' | b'u' | b'U' => {
            let n = match c {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let v = esc
                .get(1..=n)?
                .iter()
                .try_fold(0u32, |v, &d| Some(v << 4 | char::from(d).to_digit(16)?))?;
            // `\xhh` is a byte in Go, which Panther's matcher keeps as the character of that
            // code point; `\u` and `\U` must be a Unicode scalar value (no surrogate).
            let ch = if c == b'x' {
                char::from(u8::try_from(v).ok()?)
            } else {
                char::from_u32(v)?
            };
            return Some((ch, 1 + n));
        }
        b'0'..=b'7' => {
            let v = esc.get(..3)?.iter().try_fold(0u32, |v, &d| {
                let digit = char::from(d).to_digit(8)?;
                Some(v << 3 | digit)
            })?;
            return Some((char::from(u8::try_from(v).ok()?), 3));
        }
        _ => return None,
    };
    Some((simple, 1))
}

#[cfg(test)]
mod tests {
    use super::unquote;

    /// `(text after the opening quote, quote, value, where the reading stopped)`; `None`
    /// for an escape that fails the match.
    fn read(text: &str, quote: u8) -> Option<(String, usize)> {
        let mut out = String::from("kept");
        let stop = unquote(text, 0, quote, &mut out)?;
        Some((out["kept".len()..].to_owned(), stop))
    }

    #[test]
    fn every_escape() {
        let cases: &[(&str, u8, &str)] = &[
            (
                r#"a\ab\bc\fd\ne\rf\tg\vh\\i" x"#,
                b'"',
                "a\x07b\x08c\x0cd\ne\rf\tg\x0bh\\i",
            ),
            (r#"\"q\" \x41\xe9\xFF" x"#, b'"', "\"q\" A\u{e9}\u{ff}"),
            (
                r#"\101\000\377\u00e9\u263A\U0001F600" x"#,
                b'"',
                "A\0\u{ff}é☺😀",
            ),
            (r"it\'s é' x", b'\'', "it's é"),
            // No escape: up to the first quote.
            ("plain \u{e9}\" x", b'"', "plain é"),
            // Never closed: the rest of the line.
            (r"open \t", b'"', "open \t"),
        ];
        for &(text, quote, want) in cases {
            let (got, stop) = read(text, quote).unwrap_or_else(|| panic!("{text:?} refused"));
            assert_eq!(got, want, "{text:?}");
            // At the closing quote (the last one in these texts), or the line's end.
            let closing = text.rfind(char::from(quote)).unwrap_or(text.len());
            assert_eq!(stop, closing, "{text:?}");
        }
    }

    #[test]
    fn bad_escapes_fail() {
        for (text, quote) in [
            (r#"C:\Users\x""#, b'"'),
            (r#"\q""#, b'"'),
            (r#"\'""#, b'"'),
            (r#"\"'"#, b'\''),
            (r#"\x4""#, b'"'),
            (r#"\xg1""#, b'"'),
            (r"\u12", b'"'),
            (r#"\ud800""#, b'"'),
            (r#"\U00110000""#, b'"'),
            (r#"\400""#, b'"'),
            (r#"\18""#, b'"'),
            (r#"\7""#, b'"'),
            (r#"\é""#, b'"'),
            ("end\\", b'"'),
        ] {
            assert_eq!(read(text, quote), None, "{text:?}");
        }
    }
}
