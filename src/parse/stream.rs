//! [`StreamNormalizer`]: feed NDJSON in arbitrary byte chunks (as they arrive from a socket,
//! an HTTP body or an async reader) and get events as soon as each record is complete.

use crate::error::{Error, ErrorKind, Position};
use crate::parse::{frame, Normalizer};
use crate::sink::Sink;

/// Normalizes NDJSON fed in chunks that need not align with records, with the framing
/// rules of [`frame`] (byte-order mark, CRLF, blank lines, record limit) that the batch
/// pipeline uses too.
///
/// ```
/// use normalog::{NormalizerBuilder, Registry, StreamNormalizer, sink::Collect};
///
/// let registry = Registry::builtin();
/// let mut stream = StreamNormalizer::new(NormalizerBuilder::new().build(&registry)?);
/// let mut out = Collect::default();
/// stream.feed(br#"{"email":"a@example.com","ti"#, &mut out)?;
/// assert!(out.events.is_empty()); // the record is not complete yet
/// stream.feed(b"me\":\"2023-07-01T14:00:00Z\"}\n", &mut out)?;
/// assert_eq!(out.events.len(), 1);
/// stream.finish(&mut out)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct StreamNormalizer {
    normalizer: Normalizer,
    /// How many bytes of a byte-order mark the stream has started with so far; `None` once
    /// the start of the stream is known not to hold (more of) one.
    bom: Option<usize>,
    /// The start of a line whose end has not arrived yet.
    pending: Vec<u8>,
    /// The pending line is over the limit: its bytes are dropped until its end.
    skipping: bool,
    /// While skipping: bytes of the line seen so far, and whether the last one was `\r`.
    skipped: usize,
    skipped_cr: bool,
    /// Byte offset of the next unread byte, and of the pending line's start.
    byte: u64,
    start: u64,
    /// The line number of the last line begun, and the next record index.
    line: u64,
    record: u64,
}

impl StreamNormalizer {
    /// Wrap a normalizer.
    #[must_use]
    pub fn new(normalizer: Normalizer) -> Self {
        StreamNormalizer {
            normalizer,
            bom: Some(0),
            pending: Vec::new(),
            skipping: false,
            skipped: 0,
            skipped_cr: false,
            byte: 0,
            start: 0,
            line: 0,
            record: 0,
        }
    }

    /// Feed the next bytes; every record completed by them goes to `sink`. Returns `false`
    /// when the sink asked to stop.
    ///
    /// # Errors
    ///
    /// Only the sink's errors; bad records go to [`Sink::rejected`].
    pub fn feed<S: Sink + ?Sized>(&mut self, chunk: &[u8], sink: &mut S) -> Result<bool, S::Error> {
        let chunk = match self.bom {
            None => chunk,
            Some(seen) => {
                // Match the stream's first bytes against the mark, however they arrive.
                let n = chunk.len().min(frame::BOM.len() - seen);
                if chunk[..n] != frame::BOM[seen..seen + n] {
                    // Not a mark: what looked like its start is data.
                    self.bom = None;
                    if !self.lines(&frame::BOM[..seen], sink)? {
                        return Ok(false);
                    }
                    chunk
                } else if seen + n == frame::BOM.len() {
                    self.bom = None;
                    self.byte += frame::BOM.len() as u64;
                    self.start = self.byte;
                    &chunk[n..]
                } else {
                    self.bom = Some(seen + n);
                    return Ok(true);
                }
            }
        };
        self.lines(chunk, sink)
    }

    /// The input ended: normalize a last record that had no newline.
    ///
    /// # Errors
    ///
    /// Only the sink's errors.
    pub fn finish<S: Sink + ?Sized>(&mut self, sink: &mut S) -> Result<bool, S::Error> {
        if let Some(seen) = self.bom.take() {
            // The whole stream is a prefix of the mark: it is data.
            if !self.lines(&frame::BOM[..seen], sink)? {
                return Ok(false);
            }
        }
        if self.pending.is_empty() && !self.skipping {
            return Ok(true);
        }
        self.end_pending(sink)
    }

    /// The wrapped normalizer.
    #[must_use]
    pub fn into_inner(self) -> Normalizer {
        self.normalizer
    }

    /// Frame `chunk` (past the byte-order mark) into lines.
    fn lines<S: Sink + ?Sized>(
        &mut self,
        mut chunk: &[u8],
        sink: &mut S,
    ) -> Result<bool, S::Error> {
        while !chunk.is_empty() {
            let Some(nl) = memchr::memchr(b'\n', chunk) else {
                self.append(chunk);
                self.byte += chunk.len() as u64;
                return Ok(true);
            };
            let (head, rest) = chunk.split_at(nl + 1);
            self.byte += head.len() as u64;
            let go_on = if self.pending.is_empty() && !self.skipping {
                // The whole line is in this chunk: no copy.
                self.line += 1;
                let start = self.start;
                self.start = self.byte;
                self.emit(&head[..nl], start, sink)?
            } else {
                self.append(&head[..nl]);
                self.end_pending(sink)?
            };
            if !go_on {
                return Ok(false);
            }
            chunk = rest;
        }
        Ok(true)
    }

    fn append(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if !self.skipping
            && frame::surely_too_long(
                self.pending.len() + bytes.len(),
                self.normalizer.max_record_bytes,
            )
        {
            self.skipping = true;
            self.skipped = self.pending.len();
            self.pending.clear();
        }
        if self.skipping {
            self.skipped += bytes.len();
            self.skipped_cr = bytes.last() == Some(&b'\r');
        } else {
            self.pending.extend_from_slice(bytes);
        }
    }

    fn end_pending<S: Sink + ?Sized>(&mut self, sink: &mut S) -> Result<bool, S::Error> {
        self.line += 1;
        let start = self.start;
        self.start = self.byte;
        if std::mem::take(&mut self.skipping) {
            let pos = Position::new(start, self.line, self.record);
            self.record += 1;
            let len = frame::skipped_len(self.skipped, self.skipped_cr);
            return sink.rejected(&Error::new(ErrorKind::TooLong {
                pos,
                len,
                max: self.normalizer.max_record_bytes,
            }));
        }
        let pending = std::mem::take(&mut self.pending);
        let r = self.emit(&pending, start, sink);
        self.pending = pending;
        self.pending.clear();
        r
    }

    /// One whole line (without its `\n`) that starts at byte `start`.
    fn emit<S: Sink + ?Sized>(
        &mut self,
        line: &[u8],
        start: u64,
        sink: &mut S,
    ) -> Result<bool, S::Error> {
        let Some(rec) = frame::record_of(line) else {
            return Ok(true);
        };
        let pos = Position::new(start, self.line, self.record);
        self.record += 1;
        self.normalizer.normalize_bytes(rec, pos, sink)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::Collect;
    use crate::{NormalizerBuilder, Registry};

    const REC: &str = r#"{"email":"a@example.com","time":"2023-07-01T14:00:00Z"}"#;

    #[test]
    fn any_chunking_gives_the_same_events_and_positions() {
        let input = format!("{REC}\n\n{{\"email\":1}}\r\n{REC}");
        let registry = Registry::builtin();
        let mut expected: Option<(Vec<String>, Vec<String>)> = None;
        for size in [1, 3, 7, 100, 8192] {
            let mut s = StreamNormalizer::new(NormalizerBuilder::new().build(&registry).unwrap());
            let mut out = Collect::default();
            for chunk in input.as_bytes().chunks(size) {
                s.feed(chunk, &mut out).unwrap();
            }
            s.finish(&mut out).unwrap();
            let events: Vec<String> = out
                .events
                .iter()
                .map(|e| e[..e.find("\"p_row_id\"").unwrap()].to_string())
                .collect();
            let got = (events, out.rejects.clone());
            assert_eq!(got.0.len(), 2, "chunk size {size}");
            assert_eq!(got.1.len(), 1, "chunk size {size}");
            assert!(
                got.1[0].starts_with("record 1 (line 3, byte "),
                "{}",
                got.1[0]
            );
            match &expected {
                None => expected = Some(got),
                Some(e) => assert_eq!(&got, e, "chunk size {size}"),
            }
        }
    }

    #[test]
    fn over_long_record_is_rejected_without_buffering_it() {
        let registry = Registry::builtin();
        let n = NormalizerBuilder::new()
            .max_record_bytes(16)
            .build(&registry)
            .unwrap();
        let mut s = StreamNormalizer::new(n);
        let mut out = Collect::default();
        s.feed(b"{\"email\":\"xxxxxxxx", &mut out).unwrap();
        s.feed(b"xxxxxxxxxxxxxxxxxxxx\"}\n{}\n", &mut out).unwrap();
        assert!(s.pending.capacity() < 64);
        assert_eq!(out.rejects.len(), 2);
        assert!(
            out.rejects[0].contains("longer than the limit of 16"),
            "{}",
            out.rejects[0]
        );
    }
}
