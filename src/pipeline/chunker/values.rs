//! The records of a JSON document that the reader checked ([`super::document`]): its
//! top-level values, and the elements of its top-level arrays, found by their brackets and
//! strings alone.

use std::ops::Range;

/// A cursor over a valid document's records: its top-level values, and the elements of
/// its top-level arrays. Copy, so that a record read past a full chunk can be put back.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Walk {
    /// The next unread byte.
    at: usize,
    /// Inside a top-level array: the next value is one of its elements.
    in_array: bool,
}

impl Walk {
    /// The next unread byte: after the last record read.
    pub fn at(&self) -> usize {
        self.at
    }

    /// The next record of `doc` (a sequence of JSON values), `None` at its end.
    pub fn next(&mut self, doc: &[u8]) -> Option<Range<usize>> {
        loop {
            while doc.get(self.at).is_some_and(u8::is_ascii_whitespace) {
                self.at += 1;
            }
            match (doc.get(self.at)?, self.in_array) {
                (b'[', false) => self.in_array = true,
                // Separators of a valid array: exactly one comma between elements.
                (b']', true) => self.in_array = false,
                (b',', true) => {}
                _ => {
                    let start = self.at;
                    self.at = value_end(doc, start);
                    return Some(start..self.at);
                }
            }
            self.at += 1;
        }
    }
}

/// Where the value at `doc[at]` ends, in a document of JSON values. The reader checked the
/// document once, so finding the ends of its values needs only its brackets and strings: a
/// second full parse made the reader thread the run's bottleneck. Never past the end of `doc`, whatever it holds.
fn value_end(doc: &[u8], at: usize) -> usize {
    let mut depth = 0usize;
    let mut i = at;
    while let Some(&b) = doc.get(i) {
        i += 1;
        match b {
            b'"' => i = string_end(doc, i),
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            // A number or a literal outside any container: up to its last character.
            _ if depth == 0 => {
                while doc
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || b"+-.".contains(c))
                {
                    i += 1;
                }
            }
            _ => continue,
        }
        if depth == 0 {
            return i;
        }
    }
    doc.len()
}

/// Where the string whose text starts at `doc[at]` ends (after its closing quote).
fn string_end(doc: &[u8], mut at: usize) -> usize {
    while let Some(i) = memchr::memchr2(b'"', b'\\', &doc[at.min(doc.len())..]) {
        if doc[at + i] == b'"' {
            return at + i + 1;
        }
        at += i + 2; // an escape: its next byte is never the closing quote
    }
    doc.len()
}
