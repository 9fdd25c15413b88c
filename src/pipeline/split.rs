//! An API page with more elements than a chunk holds, cut into parts by the worker that
//! found it.
//!
//! Why: the reader cannot tell a page from a record (a page is one only when no log type
//! takes the object as a record), so a page on one line, or a document's one object,
//! reaches a worker as one record. A worker holds a chunk's results (its events' output,
//! every reject with why each log type refused it) until the chunk is written; a 15 MB
//! page of 5,000,000 `{}` elements held 3 GB of rejects. So a worker that meets a page of
//! more than [`MAX_CHUNK_LINES`] elements stops the chunk there ([`Split`]): the chunk's
//! records before the page are its part 0; then come parts of at most that many elements
//! and about [`Framing::chunk_bytes`], each a chunk of its own ([`Kind::Elements`]) with a
//! copy of its bytes, so that the ordered writer can normalize it again like any chunk; then
//! the chunk's records after the page. The worker hands them over one at a time as the
//! writer writes them, so a few parts at most are held at once.

use std::io;
use std::ops::Range;
use std::sync::Arc;

use super::chunk::{Bufs, Chunk, Framing, Kind};
use super::lines::{count_lines, LineCounter, MAX_CHUNK_LINES};

/// Where a chunk stopped at a big API page.
#[derive(Debug)]
pub(crate) struct Split {
    /// The page's field.
    field: Arc<str>,
    /// Where the page's elements are in the chunk's data, in order.
    elems: Vec<Range<usize>>,
    /// Where the page's record ends in the chunk's data.
    page_end: usize,
}

impl Split {
    /// Whether a page of `elements` elements is cut into parts.
    pub(super) fn needed(elements: usize) -> bool {
        elements as u64 > MAX_CHUNK_LINES
    }

    pub(super) fn new(field: &str, elems: Vec<Range<usize>>, page_end: usize) -> Self {
        Split {
            field: Arc::from(field),
            elems,
            page_end,
        }
    }
}

/// The parts after part 0 of a chunk that stopped at a big page: chunks of the page's
/// elements, then one of the chunk's records after the page (the last part, which ends
/// the input if the chunk did, and which may stop at another big page: its parts then
/// follow it, numbered on).
pub(crate) struct Parts {
    /// The chunk's data from the first element on.
    tail: Vec<u8>,
    /// The position of `tail[0]` in the input: byte, and a line counter over `tail`.
    byte: u64,
    lines: LineCounter,
    /// The elements, in `tail`; the next one to send.
    elems: Vec<Range<usize>>,
    next: usize,
    field: Arc<str>,
    /// Where the records after the page start in `tail`, and for a document chunk where
    /// each is; `None` once sent.
    rest: Option<(usize, Option<Vec<Range<usize>>>)>,
    chunk_bytes: usize,
    // Copied from the chunk.
    seq: u64,
    input: usize,
    source: Arc<str>,
    head: Option<Arc<[u8]>>,
    first_lines: Arc<[(u64, u64)]>,
    end: Option<io::Result<()>>,
    live: bool,
    part: u32,
}

impl Parts {
    /// The parts of `chunk` (part 0, which keeps its records before the page: it is marked
    /// as followed by more, and gives its end to the last part).
    pub(crate) fn new(chunk: &mut Chunk, split: Split, framing: &Framing) -> Self {
        let data = &chunk.bufs.data;
        let from = split.elems.first().map_or(split.page_end, |r| r.start);
        let rest_start = match chunk.kind {
            // After the page's line and its newline.
            Kind::Lines => memchr::memchr(b'\n', &data[split.page_end..])
                .map_or(data.len(), |i| split.page_end + i + 1),
            _ => split.page_end,
        };
        let rest_records = (chunk.kind == Kind::Document).then(|| {
            chunk
                .bufs
                .records
                .iter()
                .filter(|r| r.start >= rest_start)
                .map(|r| r.start - from..r.end - from)
                .collect()
        });
        let tail = data[from..].to_vec();
        let byte = chunk.byte + from as u64;
        let line = chunk.line + count_lines(&data[..from]);
        let parts = Parts {
            tail,
            byte,
            lines: LineCounter { at: 0, line },
            elems: {
                let mut elems = split.elems;
                for r in &mut elems {
                    *r = r.start - from..r.end - from;
                }
                elems
            },
            next: 0,
            field: split.field,
            rest: Some((rest_start - from, rest_records)),
            chunk_bytes: framing.chunk_bytes,
            seq: chunk.seq,
            input: chunk.input,
            source: Arc::clone(&chunk.source),
            head: chunk.head.clone(),
            first_lines: Arc::clone(&chunk.first_lines),
            end: chunk.end.take(),
            live: std::mem::take(&mut chunk.live),
            part: chunk.part,
        };
        chunk.more = true;
        parts
    }

    /// A chunk of `tail[from..to]`, its records at `records` (in `tail`).
    fn part(&mut self, kind: Kind, from: usize, to: usize, records: Vec<Range<usize>>) -> Chunk {
        self.part += 1;
        let mut bufs = Bufs::default();
        bufs.data.extend_from_slice(&self.tail[from..to]);
        bufs.records = records
            .into_iter()
            .map(|r| r.start - from..r.end - from)
            .collect();
        let at = (
            self.byte + from as u64,
            self.lines.line_at(&self.tail, from),
        );
        // Part 0 accounted for the chunk's bytes.
        Chunk {
            seq: self.seq,
            head: self.head.clone(),
            first_lines: Arc::clone(&self.first_lines),
            part: self.part,
            more: true,
            ..Chunk::new(self.input, Arc::clone(&self.source), kind, at, bufs)
        }
    }
}

impl Iterator for Parts {
    type Item = Chunk;

    fn next(&mut self) -> Option<Chunk> {
        if self.next < self.elems.len() {
            // At most a chunk's worth of elements, and about a chunk's bytes (one at least).
            let first = self.next;
            let from = self.elems[first].start;
            let mut last = first + 1;
            while last < self.elems.len()
                && ((last - first) as u64) < MAX_CHUNK_LINES
                && self.elems[last].end - from <= self.chunk_bytes
            {
                last += 1;
            }
            self.next = last;
            let to = self.elems[last - 1].end;
            let records = self.elems[first..last].to_vec();
            let mut chunk = self.part(
                Kind::Elements {
                    first: first as u64,
                },
                from,
                to,
                records,
            );
            chunk.page = Some(Arc::clone(&self.field));
            // Its worker does not read the head (`records::process_numbered`).
            chunk.head = None;
            return Some(chunk);
        }
        let (from, records) = self.rest.take()?;
        let to = self.tail.len();
        let mut chunk = match records {
            Some(records) => self.part(Kind::Document, from, to, records),
            None => self.part(Kind::Lines, from, to, Vec::new()),
        };
        chunk.more = false;
        chunk.end = self.end.take();
        chunk.live = self.live;
        Some(chunk)
    }
}
