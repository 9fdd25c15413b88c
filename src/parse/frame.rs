//! NDJSON framing rules, in one place for every entry point: the batch pipeline
//! (`pipeline/records.rs`), [`StreamNormalizer`](crate::StreamNormalizer), and callers that
//! split lines themselves before [`Normalizer::normalize_bytes`](crate::Normalizer) (with
//! [`Lines`]).
//!
//! * A UTF-8 byte-order mark at the very start of an input is dropped; byte offsets still
//!   count it, so the first record of such an input starts at byte 3.
//! * Lines end with `\n`. A record is its line without the `\n` and without one `\r` before
//!   it (CRLF files).
//! * A line holding only white space (ASCII's or Unicode's, as Go's `strings.TrimSpace`
//!   takes it) is blank: it is skipped, takes no record index, and still counts as a line.
//! * A record longer than the limit (measured without its line ending) is one `too_long`
//!   reject at its position; a blank line is blank however long (`BlankScan` tells it for
//!   a line too long to hold). Readers that hold the start of a line while its end has not
//!   arrived stop holding it once [`surely_too_long`] says so, and report the length that
//!   [`skipped_len`] gives when the line ends: one huge line never sits in memory.

use std::ops::Range;

use crate::error::Position;

/// The UTF-8 byte-order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How many bytes of a byte-order mark start `data` (0 or 3): only call this on the very
/// start of an input.
#[must_use]
pub fn bom_len(data: &[u8]) -> usize {
    if data.starts_with(BOM) {
        BOM.len()
    } else {
        0
    }
}

/// The record of one line given without its `\n`: the line without a trailing `\r`, or
/// `None` when the line is blank: only white space as Go's `strings.TrimSpace` takes it
/// (Panther's classifier trims every line, and skips one left empty): ASCII's (space, tab,
/// `\r`, the form feed and the vertical tab) and Unicode's (`U+00A0`, `U+3000`, ...).
#[must_use]
#[inline]
pub fn record_of(line: &[u8]) -> Option<&[u8]> {
    let rec = line.strip_suffix(b"\r").unwrap_or(line);
    match rec.first() {
        // Most lines: a JSON record's `{`, a text line's first character.
        Some(&b) if b.is_ascii_graphic() => Some(rec),
        _ if is_blank(rec) => None,
        _ => Some(rec),
    }
}

/// Whether `rec` holds only white space ([`record_of`]).
#[inline(never)]
fn is_blank(rec: &[u8]) -> bool {
    leading_space(rec) == rec.len()
}

/// How many bytes of white space, as Go's `strings.TrimSpace` takes it, start `rec`.
pub(crate) fn leading_space(rec: &[u8]) -> usize {
    let mut at = 0;
    while let Some(&b) = rec.get(at) {
        if b.is_ascii_whitespace() || b == VERTICAL_TAB {
            at += 1;
            continue;
        }
        if b.is_ascii() {
            break;
        }
        // One character: its bytes, up to the first that is not UTF-8.
        match first_char(&rec[at..rec.len().min(at + 4)]) {
            Some(c) if c.is_whitespace() => at += c.len_utf8(),
            _ => break,
        }
    }
    at
}

/// How many bytes of white space, as Go's `strings.TrimSpace` takes it, end `rec` (none
/// of those [`leading_space`] counts, when `rec` is all white space).
pub(crate) fn trailing_space(rec: &[u8]) -> usize {
    let mut end = rec.len();
    while let Some(&b) = end.checked_sub(1).and_then(|i| rec.get(i)) {
        if b.is_ascii_whitespace() || b == VERTICAL_TAB {
            end -= 1;
            continue;
        }
        if b.is_ascii() {
            break;
        }
        // The character that ends here: it starts at most 3 bytes before.
        let from = (end.saturating_sub(4)..end)
            .rev()
            .find(|&i| rec.get(i).is_some_and(|&b| b & 0xC0 != 0x80))
            .unwrap_or(end);
        match first_char(&rec[from..end]) {
            Some(c) if c.is_whitespace() && c.len_utf8() == end - from => end = from,
            _ => break,
        }
    }
    rec.len() - end
}

/// The first character of `bytes`, if they start with one in UTF-8.
fn first_char(bytes: &[u8]) -> Option<char> {
    let valid = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
    };
    valid.chars().next()
}

/// Whether a line that arrives in pieces is blank ([`record_of`]) so far: a line of white
/// space alone over the record limit, skipped by a reader that does not hold it, is a blank
/// line as it is when it arrives whole, wherever the reads cut it (it was a `too_long`
/// reject when a read ended inside it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct BlankScan {
    blank: bool,
    /// The first bytes of a character that the end of the last piece cut.
    partial: [u8; 4],
    partial_len: usize,
}

impl Default for BlankScan {
    fn default() -> Self {
        BlankScan {
            blank: true,
            partial: [0; 4],
            partial_len: 0,
        }
    }
}

impl BlankScan {
    /// The next piece of the line.
    pub(crate) fn feed(&mut self, mut bytes: &[u8]) {
        if !self.blank || bytes.is_empty() {
            return;
        }
        if self.partial_len > 0 {
            // The character cut before, completed by this piece's first bytes.
            let had = self.partial_len;
            let take = (4 - had).min(bytes.len());
            let mut buf = self.partial;
            buf[had..had + take].copy_from_slice(&bytes[..take]);
            match char_at_start(&buf[..had + take]) {
                Start::Char(c, len) if c.is_whitespace() && len > had => {
                    self.partial_len = 0;
                    bytes = &bytes[len - had..];
                }
                Start::Cut if take == bytes.len() => {
                    self.partial[had..had + take].copy_from_slice(bytes);
                    self.partial_len = had + take;
                    return;
                }
                _ => {
                    self.blank = false;
                    return;
                }
            }
        }
        let rest = &bytes[leading_space(bytes)..];
        match char_at_start(rest) {
            Start::Empty => {}
            Start::Cut => {
                self.partial[..rest.len()].copy_from_slice(rest);
                self.partial_len = rest.len();
            }
            Start::Char(..) | Start::Invalid => self.blank = false,
        }
    }

    /// Whether every byte fed is white space.
    pub(crate) fn is_blank(&self) -> bool {
        self.blank && self.partial_len == 0
    }
}

/// What starts some bytes, as UTF-8.
enum Start {
    Empty,
    /// A character and its length in bytes.
    Char(char, usize),
    /// The first bytes of a character, cut before its end.
    Cut,
    Invalid,
}

fn char_at_start(bytes: &[u8]) -> Start {
    let valid = match std::str::from_utf8(&bytes[..bytes.len().min(4)]) {
        Ok(s) => s,
        Err(e) if e.valid_up_to() > 0 => {
            std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(e) if e.error_len().is_none() => return Start::Cut,
        Err(_) => return Start::Invalid,
    };
    valid
        .chars()
        .next()
        .map_or(Start::Empty, |c| Start::Char(c, c.len_utf8()))
}

/// Not in Rust's `is_ascii_whitespace`, which has the form feed.
const VERTICAL_TAB: u8 = 0x0b;

/// Whether a line of which `held` bytes have arrived, with no `\n` yet, is sure to hold a
/// record over `max` bytes (one more byte may be the `\r` of a CRLF ending).
#[must_use]
pub fn surely_too_long(held: usize, max: usize) -> bool {
    held > max.saturating_add(1)
}

/// The record length of a skipped line: `len` bytes came before its `\n` (or the end of the
/// input), and `ends_with_cr` says whether the last of them was a `\r`.
#[must_use]
pub fn skipped_len(len: usize, ends_with_cr: bool) -> usize {
    if ends_with_cr {
        len - 1
    } else {
        len
    }
}

/// What one line of a buffer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A record: where it starts, and its bytes in the buffer (line ending excluded).
    Record(Position, Range<usize>),
    /// A blank line (skipped, not a record).
    Blank,
}

/// Splits a buffer of whole lines into [`Line`]s, stamping each record with its position.
/// The last line may lack its `\n` (the end of the input). The buffer should not start with
/// a byte-order mark: drop it first (see [`bom_len`]) and start at byte 3.
///
/// ```
/// use normalog::parse::frame::{Line, Lines};
/// use normalog::Position;
///
/// let data = b"{\"a\":1}\r\n\n{\"a\":2}";
/// let lines: Vec<Line> = Lines::new(data, Position::new(0, 1, 0)).collect();
/// assert_eq!(lines[0], Line::Record(Position::new(0, 1, 0), 0..7));
/// assert_eq!(lines[1], Line::Blank);
/// assert_eq!(lines[2], Line::Record(Position::new(10, 3, 1), 10..17));
/// ```
#[derive(Debug, Clone)]
pub struct Lines<'a> {
    data: &'a [u8],
    at: usize,
    /// Position of `data[0]`: byte offset and line in the input, and the next record index.
    base: Position,
    line: u64,
}

impl<'a> Lines<'a> {
    /// The lines of `data`, whose first byte is at `start` (`start.record` is the index the
    /// first record gets).
    #[must_use]
    pub fn new(data: &'a [u8], start: Position) -> Self {
        Lines {
            data,
            at: 0,
            base: start,
            line: start.line,
        }
    }

    /// The index the next record gets.
    #[must_use]
    pub fn next_record(&self) -> u64 {
        self.base.record
    }

    /// Number the following records from `record` on (when one record stood for several,
    /// as an API page does for its elements).
    pub fn set_next_record(&mut self, record: u64) {
        self.base.record = record;
    }
}

impl Iterator for Lines<'_> {
    type Item = Line;

    fn next(&mut self) -> Option<Line> {
        if self.at >= self.data.len() {
            return None;
        }
        let start = self.at;
        let end = memchr::memchr(b'\n', &self.data[start..]).map_or(self.data.len(), |i| start + i);
        self.at = end + 1;
        let line = self.line;
        self.line += 1;
        match record_of(&self.data[start..end]) {
            None => Some(Line::Blank),
            Some(rec) => {
                let pos = Position::new(self.base.byte + start as u64, line, self.base.record);
                self.base.record += 1;
                Some(Line::Record(pos, start..start + rec.len()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line fed in pieces cut at every byte is blank exactly when `record_of` calls it
    /// blank whole: multi-byte spaces cut anywhere, invalid bytes, a cut character that a
    /// letter completes.
    #[test]
    fn blank_scan_agrees_with_record_of_wherever_the_pieces_are_cut() {
        let lines: [&[u8]; 9] = [
            b"   \t  ",
            "\u{3000} \u{a0}\u{3000}".as_bytes(),
            "\u{2028}\u{85}\x0b\x0c".as_bytes(),
            "  \u{3000}x".as_bytes(),
            "  é".as_bytes(),
            b"  \xe3\x80",
            b"  \xe3\x80A ",
            b" \xff ",
            b"",
        ];
        for line in lines {
            let whole = record_of(line).is_none();
            for cut in 0..=line.len() {
                for second in cut..=line.len() {
                    let mut scan = BlankScan::default();
                    scan.feed(&line[..cut]);
                    scan.feed(&line[cut..second]);
                    scan.feed(&line[second..]);
                    assert_eq!(scan.is_blank(), whole, "{line:?} cut at {cut} and {second}");
                }
            }
        }
    }

    #[test]
    fn records_blanks_and_positions() {
        let data = b"a\r\n \t\r\n\nb\n\rc";
        let got: Vec<Line> = Lines::new(data, Position::new(3, 1, 5)).collect();
        assert_eq!(
            got,
            [
                Line::Record(Position::new(3, 1, 5), 0..1),
                Line::Blank,
                Line::Blank,
                Line::Record(Position::new(11, 4, 6), 8..9),
                Line::Record(Position::new(13, 5, 7), 10..12),
            ]
        );
    }

    /// Blank as Go's `strings.TrimSpace` leaves a line empty (Panther skips it): Unicode
    /// white space too, but not a character that only looks like it, nor bytes that are not
    /// UTF-8.
    #[test]
    fn blank_is_white_space_as_go_trims_it() {
        for blank in [
            &b" \t\x0b\x0c"[..],
            "\u{a0}".as_bytes(),
            "\u{3000} \u{2028}\u{85}".as_bytes(),
            "\t\u{202f}\u{205f}\u{1680}\u{2000}\u{200a}\u{2029}".as_bytes(),
        ] {
            assert_eq!(record_of(blank), None, "{blank:?}");
        }
        for record in [
            "\u{a0}x".as_bytes(),
            "\u{200b}".as_bytes(), // zero width space: not White_Space
            "\u{feff}".as_bytes(),
            "\u{180e}".as_bytes(),
            &b"\xc2"[..],
            &b" \xe3\x80"[..],
            &b"\x1c"[..],
        ] {
            assert_eq!(record_of(record), Some(record), "{record:?}");
        }
        assert_eq!(record_of(b"\xe3\x80\x80\r"), None);
    }

    #[test]
    fn white_space_at_either_end_as_go_trims_it() {
        for (rec, lead, trail) in [
            (&b"{}"[..], 0, 0),
            (b" \x0b{} \x0c", 2, 2),
            ("\u{a0}{}\u{3000}".as_bytes(), 2, 3),
            ("\u{2028}x\u{85}\t".as_bytes(), 3, 3),
            ("x\u{200b}".as_bytes(), 0, 0),
            (b"x\xa0", 0, 0),
            (b"\xc2 x", 0, 0),
        ] {
            assert_eq!(leading_space(rec), lead, "{rec:?}");
            assert_eq!(trailing_space(rec), trail, "{rec:?}");
        }
    }

    #[test]
    fn the_limit_allows_one_carriage_return() {
        assert!(!surely_too_long(17, 16));
        assert!(surely_too_long(18, 16));
        assert_eq!(skipped_len(18, true), 17);
        assert_eq!(skipped_len(18, false), 18);
        assert!(!surely_too_long(usize::MAX, usize::MAX));
    }

    #[test]
    fn bom_only_as_a_whole() {
        assert_eq!(bom_len(b"\xEF\xBB\xBF{}"), 3);
        assert_eq!(bom_len(b"\xEF\xBB{}"), 0);
        assert_eq!(bom_len(b""), 0);
    }
}
