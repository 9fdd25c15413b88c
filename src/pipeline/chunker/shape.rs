//! What an input's first bytes tell: its framing (NDJSON lines or a whole JSON document),
//! the whole lines of its start that a chunk carries as its head, and where its first
//! lines that are not blank are (for `skipLines`).

use std::sync::Arc;

use super::{count_lines, Mode, Open, HEAD_BYTES};
use crate::parse::frame;
use crate::pipeline::chunk::Kind;

/// Decide the framing from the first bytes: `None` while more input is needed.
pub(super) fn detect(data: &[u8], eof: bool, chunk_bytes: usize) -> Option<Mode> {
    let Some(i) = data.iter().position(|b| !b.is_ascii_whitespace()) else {
        return (eof || data.len() >= chunk_bytes).then_some(Mode::Lines);
    };
    match data[i] {
        b'[' => Some(Mode::Document),
        b'{' => match memchr::memchr(b'\n', &data[i..]) {
            Some(j) if !closes(&data[i..i + j]) => Some(Mode::Document),
            Some(_) => Some(Mode::Lines),
            None => (eof || data.len() >= chunk_bytes).then_some(Mode::Lines),
        },
        _ => Some(Mode::Lines),
    }
}

/// True when the JSON text closes every bracket it opens (strings skipped).
fn closes(text: &[u8]) -> bool {
    let mut depth = 0i64;
    let mut in_str = false;
    let mut escaped = false;
    for &b in text {
        if in_str {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_str = false;
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth -= 1,
            _ => {}
        }
    }
    depth <= 0
}

/// The whole lines of `data` within its first `room` bytes, or (`first`: the input's first
/// chunk) its first line if that is longer; none when empty.
fn head(data: &[u8], room: usize, first: bool) -> Option<&[u8]> {
    let end = if data.len() <= room {
        data.len()
    } else {
        let within = memchr::memrchr(b'\n', &data[..room]).map(|nl| nl + 1);
        match within {
            Some(end) => end,
            None if first => memchr::memchr(b'\n', data).map_or(data.len(), |nl| nl + 1),
            None => 0,
        }
    };
    (end > 0).then(|| &data[..end])
}

impl Open<'_> {
    /// Add the lines of the chunk at `line` to the head while the head is short and the
    /// chunk continues it; anything else (a skipped over-long line, a full head, a chunk
    /// that holds more than fits) completes it.
    pub(super) fn grow_head(&mut self, kind: Kind, line: u64, data: &[u8]) {
        self.head_taken = true;
        // A document's chunks carry its first lines, taken before it is cut
        // (`document_read`): its chunks of records are not lines that go on from them.
        if !matches!(kind, Kind::Lines | Kind::Blank) || line != self.head_lines + 1 {
            return;
        }
        // A blank line over the record limit is in the head as the empty line it stands
        // for: a CSV header after it is still learned from the head.
        let data: &[u8] = if kind == Kind::Blank { b"\n" } else { data };
        let had = self.head.as_deref().unwrap_or_default();
        let Some(part) = head(data, HEAD_BYTES.saturating_sub(had.len()), had.is_empty()) else {
            return;
        };
        let mut grown = Vec::with_capacity(had.len() + part.len());
        grown.extend_from_slice(had);
        grown.extend_from_slice(part);
        self.head_lines += count_lines(part);
        // All of the chunk fitted, ending with a line end: the next one may go on.
        self.head_taken =
            part.len() < data.len() || grown.len() >= HEAD_BYTES || !part.ends_with(b"\n");
        self.head = Some(Arc::from(grown));
    }

    /// Count the lines of the chunk at `line` (`data`) that are not blank, as the framer
    /// tells them ([`frame::record_of`]), noting where the input's first `n` end for each
    /// `n` of the run's `skipLines`, until the largest is reached. An over-long line
    /// skipped is one of them (a record, if a rejected one); so are the lines of a JSON
    /// document (whose elements that are not objects text log types read).
    pub(super) fn note_first_lines(&mut self, kind: Kind, line: u64, data: &[u8]) {
        let mut reached = Vec::new();
        let mut count = |line_no: u64, seen: &mut u64| {
            *seen += 1;
            if self.skip_lines.contains(seen) {
                reached.push((*seen, line_no));
            }
        };
        let mut seen = self.lines_not_blank;
        let max = self.skip_lines.last().copied().unwrap_or(0);
        match kind {
            Kind::Lines | Kind::Document if !data.is_empty() => {
                let text = data.strip_suffix(b"\n").unwrap_or(data);
                for (line_no, l) in (line..).zip(text.split(|&b| b == b'\n')) {
                    if seen >= max {
                        break;
                    }
                    if frame::record_of(l).is_some() {
                        count(line_no, &mut seen);
                    }
                }
            }
            Kind::TooLong { .. } => count(line, &mut seen),
            _ => {}
        }
        self.lines_not_blank = seen;
        if !reached.is_empty() {
            let mut known = self.first_lines.to_vec();
            known.extend(reached);
            self.first_lines = Arc::from(known);
        }
    }
}
