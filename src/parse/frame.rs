//! NDJSON framing: split a byte stream into records and stamp each with its position.
//!
//! Lines end with `\n`; a trailing `\r` is dropped (CRLF files), as is a UTF-8 byte-order
//! mark at the start of the stream. Lines holding only whitespace are skipped and counted.
//! A line longer than the limit is not buffered: it is skipped to its end and reported as
//! [`Frame::TooLong`], so one huge line cannot exhaust memory.

use std::io::{self, BufRead};

use crate::error::Position;

/// What [`LineReader::next_record`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// A record is in the reader's buffer ([`LineReader::record`]).
    Record(Position),
    /// A line over the limit was skipped; `len` is its length.
    TooLong(Position, usize),
    /// End of input.
    Eof,
}

/// Reads records from a `BufRead`, one line at a time, reusing one buffer.
#[derive(Debug)]
pub struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    max: usize,
    byte: u64,
    line: u64,
    record: u64,
    blank: u64,
    started: bool,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl<R: BufRead> LineReader<R> {
    /// A reader with a maximum record length in bytes.
    pub fn new(inner: R, max: usize) -> Self {
        LineReader {
            inner,
            buf: Vec::with_capacity(4096),
            max,
            byte: 0,
            line: 0,
            record: 0,
            blank: 0,
            started: false,
        }
    }

    /// The current record (valid after [`Frame::Record`]).
    pub fn record(&self) -> &[u8] {
        &self.buf
    }

    /// The current record, mutable (for in-place parsing).
    pub fn record_mut(&mut self) -> &mut [u8] {
        &mut self.buf
    }

    /// Blank lines skipped so far.
    pub fn blank_lines(&self) -> u64 {
        self.blank
    }

    /// Bytes consumed so far.
    pub fn bytes(&self) -> u64 {
        self.byte
    }

    /// Records framed so far (including over-long ones).
    pub fn records(&self) -> u64 {
        self.record
    }

    /// Read the next record.
    ///
    /// # Errors
    ///
    /// I/O errors of the underlying reader (including decompression errors).
    pub fn next_record(&mut self) -> io::Result<Frame> {
        loop {
            self.buf.clear();
            let start = self.byte;
            let (len, too_long) = self.read_line()?;
            if len == 0 {
                return Ok(Frame::Eof);
            }
            self.line += 1;
            let mut pos = Position::new(start, self.line, self.record);
            if too_long {
                self.record += 1;
                return Ok(Frame::TooLong(pos, len));
            }
            if self.buf.last() == Some(&b'\n') {
                self.buf.pop();
            }
            if self.buf.last() == Some(&b'\r') {
                self.buf.pop();
            }
            if !self.started {
                self.started = true;
                if self.buf.starts_with(BOM) {
                    self.buf.drain(..BOM.len());
                    pos.byte += BOM.len() as u64;
                }
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                self.blank += 1;
                continue;
            }
            self.record += 1;
            return Ok(Frame::Record(pos));
        }
    }

    /// Read one line into `buf` (keeping the newline), or skip it when it exceeds the
    /// limit. Returns the bytes consumed and whether the line was too long.
    fn read_line(&mut self) -> io::Result<(usize, bool)> {
        let mut total = 0usize;
        let mut too_long = false;
        loop {
            let available = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                break;
            }
            let (chunk, done) = match memchr_newline(available) {
                Some(i) => (&available[..=i], true),
                None => (available, false),
            };
            let n = chunk.len();
            // The newline itself does not count toward the record's length.
            let content = total + n - usize::from(done);
            if !too_long && content > self.max {
                too_long = true;
                self.buf.clear();
            }
            if !too_long {
                self.buf.extend_from_slice(chunk);
            }
            total += n;
            self.inner.consume(n);
            if done {
                break;
            }
        }
        self.byte += total as u64;
        Ok((total, too_long))
    }
}

fn memchr_newline(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8], max: usize) -> Vec<(String, u64, u64, u64)> {
        let mut r = LineReader::new(input, max);
        let mut out = Vec::new();
        loop {
            match r.next_record().unwrap() {
                Frame::Record(p) => out.push((
                    String::from_utf8_lossy(r.record()).into_owned(),
                    p.line,
                    p.byte,
                    p.record,
                )),
                Frame::TooLong(p, len) => {
                    out.push((format!("too long {len}"), p.line, p.byte, p.record));
                }
                Frame::Eof => return out,
            }
        }
    }

    #[test]
    fn lines_positions_crlf_bom_blank() {
        let got = frames(b"\xEF\xBB\xBF{\"a\":1}\r\n\n  \n{\"b\":2}", 100);
        assert_eq!(
            got,
            vec![
                ("{\"a\":1}".to_string(), 1, 3, 0),
                ("{\"b\":2}".to_string(), 4, 16, 1),
            ]
        );
    }

    #[test]
    fn too_long_lines_are_skipped_not_buffered() {
        let got = frames(b"{\"a\":1}\n0123456789\n{}\n", 8);
        assert_eq!(
            got,
            vec![
                ("{\"a\":1}".to_string(), 1, 0, 0),
                ("too long 11".to_string(), 2, 8, 1),
                ("{}".to_string(), 3, 19, 2),
            ]
        );
    }
}
