//! The reader side of the framing: open each input, detect its framing (NDJSON or a whole
//! document) and cut it into [`Chunk`]s on record boundaries, skipping over-long lines
//! without buffering them.
//!
//! The rules are in [the pipeline module](super#framing).

use std::io::{self, Read};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use super::chunk::{AsLines, Bufs, Chunk, Framing, Kind};
use super::input::{self, Input};
use super::lines::{count_lines, MAX_CHUNK_LINES};
use crate::parse::frame;
use shape::detect;
use values::Walk;

mod document;
mod shape;
mod values;

/// The most a read asks for.
const READ_SIZE: usize = 64 * 1024;

/// What an input's first read asks for: each read that gets all it asked for doubles the
/// next, up to [`READ_SIZE`]. The room a read asks for is zeroed first (safe code cannot
/// read into memory not yet written), and a small file's two reads (its bytes, then the
/// end) zeroed 128 KiB for a few KB: 9% of an NDJSON run over many small files (review
/// s45-h8 P7).
const FIRST_READ_SIZE: usize = 8 * 1024;

/// What a chunker reads.
pub(crate) enum Source<'a> {
    /// A run's inputs, opened in turn.
    Inputs(&'a [Input]),
    /// One reader the caller lends for a run on the caller's thread (so neither `Send` nor
    /// `'static`), named [`input::READER`]; taken by the first chunk.
    Borrowed(Option<Box<dyn Read + 'a>>),
}

impl Source<'_> {
    /// How many inputs.
    pub fn len(&self) -> usize {
        match self {
            Source::Inputs(inputs) => inputs.len(),
            Source::Borrowed(_) => 1,
        }
    }
}

/// The reader side: turns a list of inputs into chunks, one call at a time.
pub(crate) struct Chunker<'a> {
    inputs: Source<'a>,
    framing: &'a Framing,
    next_input: usize,
    seq: u64,
    cur: Option<Open<'a>>,
    /// Set when the run stops: an input waiting for its next byte gives up then
    /// ([`Input::open_stoppable`]).
    stop: Option<Arc<AtomicBool>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Detect,
    Lines,
    Document,
}

/// What a chunk of lines cut at [`MAX_CHUNK_LINES`] was besides its lines.
#[derive(Debug)]
enum Cut {
    Plain,
    /// A live stream's lines, to be written out at once.
    Live,
    /// The last lines of the input, which ended so (a read error, or not).
    Ends(io::Result<()>),
}

/// An over-long line being skipped.
#[derive(Debug, Clone, Copy)]
struct Skip {
    byte: u64,
    line: u64,
    /// Bytes of the line seen so far, and whether the last of them was a `\r`.
    len: usize,
    ends_with_cr: bool,
    /// Whether it is white space alone so far.
    blank: frame::BlankScan,
}

impl Skip {
    /// The chunk that reports the skipped line: a blank line, or one `too_long` reject.
    fn kind(&self) -> Kind {
        if self.blank.is_blank() {
            return Kind::Blank;
        }
        Kind::TooLong {
            len: frame::skipped_len(self.len, self.ends_with_cr),
        }
    }
}

struct Open<'a> {
    index: usize,
    source: Arc<str>,
    reader: Box<dyn Read + 'a>,
    /// Standard input or a pipe: whole lines go as soon as a read finds no more for now.
    stream: bool,
    mode: Mode,
    /// Offset of the next unsent byte (the start of `pending`) in the decoded input.
    byte: u64,
    /// Its line number.
    line: u64,
    /// Bytes read from the decoder.
    read: u64,
    /// Bytes already accounted to chunks.
    reported: u64,
    /// Read but not yet sent: the unterminated tail of the last chunk.
    pending: Vec<u8>,
    /// Whole lines read but not yet sent (from `backlog_at`), due before `pending` and
    /// `skip`: the rest of a chunk cut at [`MAX_CHUNK_LINES`], sent by the next calls. An
    /// offset, not a copy of the rest per chunk: after a document over the limit, the
    /// backlog is the whole document. In [`Mode::Document`], the rest of a whole
    /// document, sent a chunk of records at a time ([`document`]).
    backlog: Vec<u8>,
    backlog_at: usize,
    /// Where the document in the backlog is read up to.
    walk: Walk,
    /// What the chunk cut for the backlog was besides lines, which the chunks that send
    /// the backlog are in its place.
    backlog_cut: Cut,
    /// An over-long line whose start was read with the last chunk: the next call skips
    /// the rest of it and reports it.
    skip: Option<Skip>,
    /// The input started as a JSON document but is read as lines: the next chunk says
    /// why ([`Chunk::as_lines`]).
    as_lines: Option<AsLines>,
    /// The input's first lines, from its first chunks: up to [`HEAD_BYTES`] of whole
    /// lines, complete once `head_taken` (a stream's first chunks may be a line each, and
    /// a CSV header may come after a preamble sent apart).
    head: Option<Arc<[u8]>>,
    head_taken: bool,
    /// The lines `head` holds, to tell that a chunk continues it.
    head_lines: u64,
    /// Where the input's first lines that are not blank end, for each count of
    /// [`Framing::skip_lines`] reached ([`Chunk::first_lines`]), and how many such lines
    /// were read, up to the largest of those counts.
    first_lines: Arc<[(u64, u64)]>,
    lines_not_blank: u64,
    skip_lines: Arc<[u64]>,
    /// What the next read asks for ([`FIRST_READ_SIZE`]).
    read_size: usize,
}

impl<'a> Chunker<'a> {
    pub fn new(inputs: &'a [Input], framing: &'a Framing) -> Self {
        Chunker::from_source(Source::Inputs(inputs), framing)
    }

    pub fn from_source(inputs: Source<'a>, framing: &'a Framing) -> Self {
        Chunker {
            inputs,
            framing,
            next_input: 0,
            seq: 0,
            cur: None,
            stop: None,
        }
    }

    /// Make inputs that can wait forever (standard input, pipes) give up once `stop` is set.
    pub fn stop_on(&mut self, stop: Arc<AtomicBool>) {
        self.stop = Some(stop);
    }

    /// The next chunk, built in `bufs`; `None` when every input is done.
    pub fn next_chunk(&mut self, mut bufs: Bufs) -> Option<Chunk> {
        bufs.data.clear();
        bufs.out.clear();
        bufs.rejects.clear();
        bufs.records.clear();
        let chunk = if let Some(open) = &mut self.cur {
            open.next_chunk(bufs, self.framing)
        } else {
            let index = self.next_input;
            let (source, opened, stream): (Arc<str>, io::Result<Box<dyn Read + 'a>>, _) =
                match &mut self.inputs {
                    Source::Inputs(inputs) => {
                        let input = inputs.get(index)?;
                        let opened =
                            input.open_stoppable(self.stop.as_ref(), self.framing.max_expansion);
                        let reader = opened.map(|(r, _)| -> Box<dyn Read + 'a> { r });
                        (input.name().into(), reader, input.is_stream())
                    }
                    Source::Borrowed(reader) => {
                        let opened =
                            input::decode_borrowed(reader.take()?, self.framing.max_expansion)
                                .map(|(r, _)| r);
                        (input::READER.into(), opened, false)
                    }
                };
            self.next_input += 1;
            match opened {
                Ok(reader) => {
                    let mut open = Open {
                        index,
                        source,
                        reader,
                        stream,
                        mode: Mode::Detect,
                        byte: 0,
                        line: 1,
                        read: 0,
                        reported: 0,
                        pending: Vec::new(),
                        backlog: Vec::new(),
                        backlog_at: 0,
                        walk: Walk::default(),
                        backlog_cut: Cut::Plain,
                        skip: None,
                        as_lines: None,
                        head: None,
                        head_taken: false,
                        head_lines: 0,
                        first_lines: Arc::from([]),
                        lines_not_blank: 0,
                        skip_lines: Arc::clone(&self.framing.skip_lines),
                        read_size: FIRST_READ_SIZE,
                    };
                    let chunk = open.next_chunk(bufs, self.framing);
                    self.cur = Some(open);
                    chunk
                }
                Err(e) => Chunk {
                    end: Some(Err(e)),
                    ..Chunk::new(index, source, Kind::Empty, (0, 1), bufs)
                },
            }
        };
        let mut chunk = chunk;
        if chunk.end.is_some() {
            self.cur = None;
        }
        chunk.seq = self.seq;
        self.seq += 1;
        Some(chunk)
    }
}

/// Read up to `size` bytes onto the end of `data`; returns the bytes read (0 at the end).
fn read_more(reader: &mut dyn Read, data: &mut Vec<u8>, size: usize) -> io::Result<usize> {
    let old = data.len();
    data.resize(old + size, 0);
    let result = loop {
        match reader.read(&mut data[old..]) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => break other,
        }
    };
    data.truncate(old + *result.as_ref().unwrap_or(&0));
    result
}

/// Where the first `max` records of `data` end (after the `max`-th newline, or the end of
/// `data` when it holds no more), and their newlines.
fn cap_lines(data: &[u8], max: u64) -> (usize, u64) {
    // Most chunks hold fewer lines than the cap: their newlines are counted at once
    // (memchr counts without stopping at each), and looked for one by one only past it.
    let all = count_lines(data);
    if all < max {
        return (data.len(), all);
    }
    let mut lines = 0;
    for nl in memchr::memchr_iter(b'\n', data) {
        lines += 1;
        if lines == max {
            return (nl + 1, lines);
        }
    }
    (data.len(), lines)
}

/// How much of an input's start a chunk from its middle carries ([`Chunk::head`]), for the
/// CSV header. A worker reads the head only as far as the header
/// (`Normalizer::start_input`).
pub(crate) use crate::parse::HEAD_BYTES;

impl Open<'_> {
    /// Bytes read that no chunk accounts for yet: the unterminated tail kept for the next
    /// chunk, and the start of an over-long line, which the next chunk reports with the
    /// rest of that line.
    fn unsent(&self) -> u64 {
        (self.pending.len() + self.backlog_left() + self.skip.map_or(0, |s| s.len)) as u64
    }

    /// Whether the line that starts at `tail_start` of the buffer, `tail` bytes so far, over
    /// the record limit, is held whole rather than skipped: it may be the input's CSV
    /// header, which is not held to the limit but must end within the input's first
    /// [`HEAD_BYTES`], as the workers read it from there (review s48-h4 MEDIUM-1: a header longer than the
    /// limit, but not in the input's first read, was a `too_long` reject and every row a
    /// `no_header` one).
    fn may_be_header(&self, f: &Framing, tail_start: usize, tail: usize) -> bool {
        // A header must end within the input's first HEAD_BYTES (`csv::offer_header`).
        f.reads_headers && self.byte + (tail_start + tail) as u64 <= HEAD_BYTES as u64 + 2
    }

    /// Bytes of the backlog not sent yet.
    fn backlog_left(&self) -> usize {
        self.backlog.len() - self.backlog_at
    }

    /// A chunk of `kind` starting at `byte`/`line`, accounting for every byte read so far
    /// except the [unsent](Self::unsent) ones.
    fn chunk(&mut self, kind: Kind, byte: u64, line: u64, bufs: Bufs) -> Chunk {
        let done = self.read - self.unsent();
        let bytes = done.saturating_sub(self.reported);
        self.reported = done.max(self.reported);
        if !self.head_taken {
            self.grow_head(kind, line, &bufs.data);
        }
        if self.first_lines.len() < self.skip_lines.len() {
            self.note_first_lines(kind, line, &bufs.data);
        }
        Chunk {
            bytes,
            head: self.head.clone(),
            first_lines: Arc::clone(&self.first_lines),
            as_lines: self.as_lines.take(),
            ..Chunk::new(self.index, self.source.clone(), kind, (byte, line), bufs)
        }
    }

    /// Send `data[..cut]` (whole lines) and keep the rest as pending.
    fn lines_chunk(&mut self, mut bufs: Bufs, cut: usize) -> Chunk {
        self.pending.clear();
        self.pending.extend_from_slice(&bufs.data[cut..]);
        bufs.data.truncate(cut);
        self.send_lines(bufs)
    }

    /// Send the first [`MAX_CHUNK_LINES`] lines of `data`, all of it if fewer; the others
    /// go to the (empty) backlog.
    fn send_lines(&mut self, mut bufs: Bufs) -> Chunk {
        let (cut, lines) = cap_lines(&bufs.data, MAX_CHUNK_LINES);
        self.backlog.clear();
        self.backlog.extend_from_slice(&bufs.data[cut..]);
        self.backlog_at = 0;
        bufs.data.truncate(cut);
        self.lines_sent(bufs, lines)
    }

    /// The chunk of the lines in `bufs.data`, `lines` of them, from the next unsent byte.
    fn lines_sent(&mut self, bufs: Bufs, lines: u64) -> Chunk {
        let (byte, line) = (self.byte, self.line);
        self.byte += bufs.data.len() as u64;
        self.line += lines;
        self.chunk(Kind::Lines, byte, line, bufs)
    }

    /// The next lines of the backlog; the last of them end the input if it had ended.
    fn backlog_chunk(&mut self, mut bufs: Bufs) -> Chunk {
        let rest = &self.backlog[self.backlog_at..];
        let (cut, lines) = cap_lines(rest, MAX_CHUNK_LINES);
        bufs.data.extend_from_slice(&rest[..cut]);
        self.backlog_at += cut;
        if self.backlog_left() > 0 {
            let mut chunk = self.lines_sent(bufs, lines);
            chunk.live = matches!(self.backlog_cut, Cut::Live);
            return chunk;
        }
        // Given back: after a document over the limit it held the whole document.
        self.backlog = Vec::new();
        self.backlog_at = 0;
        let mut chunk = self.lines_sent(bufs, lines);
        match std::mem::replace(&mut self.backlog_cut, Cut::Plain) {
            Cut::Ends(end) => Self::ended(chunk, end),
            Cut::Live => {
                chunk.live = true;
                chunk
            }
            Cut::Plain => chunk,
        }
    }

    /// Send `data[..cut]`, the input's last whole lines (a chunk's worth at a time).
    fn last_lines(&mut self, bufs: Bufs, cut: usize) -> Chunk {
        let chunk = self.lines_chunk(bufs, cut);
        if self.backlog_left() > 0 {
            self.backlog_cut = Cut::Ends(Ok(()));
            return chunk;
        }
        Self::ended(chunk, Ok(()))
    }

    fn ended(mut chunk: Chunk, end: io::Result<()>) -> Chunk {
        chunk.end = Some(end);
        chunk
    }

    /// The next chunk of this input. Reads until there is one to send: a chunk's worth of
    /// whole lines, a whole document, an over-long line, or the end of the input.
    fn next_chunk(&mut self, mut bufs: Bufs, f: &Framing) -> Chunk {
        if self.backlog_left() > 0 {
            return if self.mode == Mode::Document {
                self.document_chunk(bufs, f)
            } else {
                self.backlog_chunk(bufs)
            };
        }
        if let Some(skip) = self.skip.take() {
            return self.skip_line(bufs, skip);
        }
        bufs.data.append(&mut self.pending);
        // Where the last newline of `data` is, so the unterminated tail is known.
        let mut last_nl = memchr::memrchr(b'\n', &bufs.data);
        loop {
            // A chunk's worth of NDJSON: send its whole lines, keep the tail.
            if self.mode == Mode::Lines && bufs.data.len() >= f.chunk_bytes {
                if let Some(nl) = last_nl {
                    return self.lines_chunk(bufs, nl + 1);
                }
            }
            let old = bufs.data.len();
            let asked = self.read_size;
            let n = match read_more(&mut *self.reader, &mut bufs.data, asked) {
                Ok(n) => n,
                Err(e) if self.mode == Mode::Document => return self.document_failed(bufs, f, e),
                Err(e) => return self.read_failed(bufs, last_nl, e),
            };
            if n == asked {
                self.read_size = (asked * 2).min(READ_SIZE);
            }
            self.read += n as u64;
            let eof = n == 0;
            if let Some(i) = memchr::memrchr(b'\n', &bufs.data[old..]) {
                last_nl = Some(old + i);
            }
            if self.mode == Mode::Detect {
                self.detect_mode(&mut bufs.data, &mut last_nl, eof, f);
            }
            match self.mode {
                // Not decided yet: read more.
                Mode::Detect => {}
                Mode::Document if eof => return self.document_read(bufs, f),
                Mode::Document => {
                    if bufs.data.len() > f.max_document_bytes {
                        // Too big to hold: frame it as lines after all.
                        self.mode = Mode::Lines;
                        self.as_lines = Some(AsLines::OverLimit(f.max_document_bytes));
                    }
                }
                Mode::Lines if eof => {
                    let len = bufs.data.len();
                    return self.last_lines(bufs, len);
                }
                Mode::Lines => {
                    let tail_start = last_nl.map_or(0, |nl| nl + 1);
                    let tail = bufs.data.len() - tail_start;
                    if frame::surely_too_long(tail, f.max_record_bytes)
                        && !self.may_be_header(f, tail_start, tail)
                    {
                        return self.start_skip(bufs, tail_start);
                    }
                    // A stream that gave less than asked for had no more for now (`tail -f`,
                    // a slow producer): its whole lines go now rather than after a chunk's
                    // worth, which may be hours away. A fast producer fills every read.
                    if f.live && self.stream && n < asked && tail_start > 0 {
                        let mut chunk = self.lines_chunk(bufs, tail_start);
                        chunk.live = true;
                        if self.backlog_left() > 0 {
                            self.backlog_cut = Cut::Live;
                        }
                        return chunk;
                    }
                }
            }
        }
    }

    /// While the framing is unknown: drop a byte-order mark at the start of the input
    /// (`last_nl` follows), then decide the framing from the data. At the end of the input,
    /// an undecided framing is NDJSON.
    fn detect_mode(
        &mut self,
        data: &mut Vec<u8>,
        last_nl: &mut Option<usize>,
        eof: bool,
        f: &Framing,
    ) {
        if data.len() >= frame::BOM.len() || eof {
            // Once a mark was dropped, `byte` is past it: never drop a second one.
            let bom = if self.byte == 0 {
                frame::bom_len(data)
            } else {
                0
            };
            if bom > 0 {
                data.drain(..bom);
                self.byte = bom as u64;
                *last_nl = last_nl.map(|nl| nl - bom);
            }
            if !f.documents {
                self.mode = Mode::Lines;
            } else if let Some(mode) = detect(data, eof, f.chunk_bytes) {
                self.mode = mode;
            }
        }
        if self.mode == Mode::Detect && eof {
            self.mode = Mode::Lines;
        }
    }

    /// The decoder failed: end the input with the whole lines read before the damage. The
    /// partial last line is part of the damage and is dropped (a document's:
    /// [`Self::document_failed`]).
    fn read_failed(&mut self, mut bufs: Bufs, last_nl: Option<usize>, e: io::Error) -> Chunk {
        let cut = last_nl.map_or(0, |nl| nl + 1);
        bufs.data.truncate(cut);
        self.pending.clear();
        if cut == 0 {
            let (byte, line) = (self.byte, self.line);
            let chunk = self.chunk(Kind::Empty, byte, line, bufs);
            return Self::ended(chunk, Err(e));
        }
        // Its whole lines, at most a chunk's worth of lines at a time, then the error.
        let chunk = self.send_lines(bufs);
        if self.backlog_left() > 0 {
            self.backlog_cut = Cut::Ends(Err(e));
            return chunk;
        }
        Self::ended(chunk, Err(e))
    }

    /// The line in progress, `data[tail_start..]`, is over the record limit: send the whole
    /// lines before it, and skip it without buffering it.
    fn start_skip(&mut self, mut bufs: Bufs, tail_start: usize) -> Chunk {
        let mut blank = frame::BlankScan::default();
        blank.feed(&bufs.data[tail_start..]);
        let skip = Skip {
            byte: self.byte + tail_start as u64,
            line: self.line + count_lines(&bufs.data[..tail_start]),
            len: bufs.data.len() - tail_start,
            ends_with_cr: bufs.data.last() == Some(&b'\r'),
            blank,
        };
        bufs.data.truncate(tail_start);
        if tail_start == 0 {
            return self.skip_line(bufs, skip);
        }
        // The lines go now, the skipped line with the next call. The bytes of it read so
        // far are kept out of this chunk's count (`unsent`): the too-long chunk counts them.
        self.skip = Some(skip);
        self.lines_chunk(bufs, tail_start)
    }

    /// Skip the rest of an over-long line; the chunk reports it as one reject.
    fn skip_line(&mut self, mut bufs: Bufs, mut skip: Skip) -> Chunk {
        loop {
            bufs.data.clear();
            match read_more(&mut *self.reader, &mut bufs.data, READ_SIZE) {
                Ok(0) => {
                    self.pending.clear();
                    let chunk = self.chunk(skip.kind(), skip.byte, skip.line, bufs);
                    return Self::ended(chunk, Ok(()));
                }
                Ok(n) => {
                    self.read += n as u64;
                    let end = memchr::memchr(b'\n', &bufs.data);
                    let before = &bufs.data[..end.unwrap_or(n)];
                    skip.len += before.len();
                    skip.blank.feed(before);
                    if let Some(&last) = before.last() {
                        skip.ends_with_cr = last == b'\r';
                    }
                    if let Some(i) = end {
                        self.pending.clear();
                        self.pending.extend_from_slice(&bufs.data[i + 1..]);
                        bufs.data.clear();
                        self.byte = skip.byte + skip.len as u64 + 1;
                        self.line = skip.line + 1;
                        return self.chunk(skip.kind(), skip.byte, skip.line, bufs);
                    }
                }
                Err(e) => {
                    self.pending.clear();
                    bufs.data.clear();
                    let chunk = self.chunk(skip.kind(), skip.byte, skip.line, bufs);
                    return Self::ended(chunk, Err(e));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
