//! Framing: cut decoded inputs into chunks on record boundaries, and split chunks into
//! records.
//!
//! The framing is detected from the content of each input, never from its name:
//!
//! * **NDJSON** (the fast path): one record per line, with the rules of
//!   [`parse::frame`](crate::parse::frame) that every entry point shares (byte-order mark,
//!   CRLF, blank lines, record limit); blank lines are counted. The reader cuts the stream
//!   into chunks of about [`Batch::chunk_bytes`](super::Batch::chunk_bytes) made of whole
//!   lines, so workers can normalize chunks independently. A line longer than the record
//!   limit is never buffered: it is skipped to its end and becomes one `too_long` reject.
//! * **Whole JSON documents**: an input whose first non-blank byte is `[`, or whose first
//!   line opens a `{` it does not close (a pretty-printed object), is read whole (up to
//!   [`Batch::max_document_bytes`](super::Batch::max_document_bytes); beyond that it is
//!   framed as NDJSON) and parsed as a sequence of JSON values. A top-level array is a list
//!   of records; a top-level object is a record. If the document is not valid JSON, it is
//!   framed as NDJSON instead, so every line is accounted for.
//! * **API pages (envelopes)**: an object record that no schema accepts and that holds
//!   exactly one field whose value is an array of objects (e.g. Zendesk
//!   `{"audit_logs":[...],"next_page":..}`, Zoom `{"from":..,"activity_logs":[...]}`) is
//!   unwrapped: each element of the array is a record, and an empty page holds no record.
//! * **Single-record responses**: an object record that no schema accepts, whose only field
//!   holds an object that a schema accepts (Zendesk's "show audit log",
//!   `{"audit_log":{...}}`), is that object; if the object is refused too, the record's own
//!   reject stands. With [`Batch::envelope`](super::Batch::envelope) set, an object holding
//!   that field as an array of objects or as an object is unwrapped without being tried as
//!   a record first, and a refused record inside it is rejected as such.
//!
//! Positions: `line` and `byte` always point at the record itself in the decoded input
//! (for a page element or a single-record response, at the object inside the envelope).
//! `record` is the record's 0-based index in its input, except for page elements, where it
//! is the index inside the page (and the reject carries that index as
//! [`Reject::index`](super::Reject::index)). Rejects of records found inside an envelope
//! name its field ([`Reject::field`](super::Reject::field)).

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Read};
use std::ops::Range;
use std::sync::Arc;

use serde_json::value::RawValue;

use super::input::Input;
use crate::error::{Category, Error, ErrorKind, Position};
use crate::event::Event;
use crate::parse::frame::{self, Line, Lines};
use crate::parse::Normalizer;
use crate::sink::{Sink, Summary};

/// Framing limits and choices (a copy of the [`Batch`](super::Batch) options).
#[derive(Debug, Clone)]
pub(crate) struct Framing {
    pub chunk_bytes: usize,
    pub max_record_bytes: usize,
    pub max_document_bytes: usize,
    pub envelope: Option<String>,
}

/// What a chunk's data holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Whole NDJSON lines (the last one may lack its newline at the end of the input).
    Lines,
    /// A whole input holding JSON documents.
    Document,
    /// One line over the record limit, skipped; `len` is its length without the newline.
    TooLong { len: usize },
    /// No data: an input that could not be opened, or the end marker of an input.
    Empty,
}

/// A rejected record of a chunk: the error (with a chunk-relative record index unless
/// `index` is set), where its raw text is in the chunk's data, and its index in its page.
#[derive(Debug)]
pub(crate) struct RejectRec {
    pub error: Error,
    pub raw: Range<usize>,
    pub index: Option<u64>,
    /// The envelope field the record came from, for a single-record response.
    pub field: Option<Arc<str>>,
}

/// The reusable buffers of one chunk in flight; recycled by the writer.
#[derive(Debug, Default)]
pub(crate) struct Bufs {
    /// Decoded input.
    pub data: Vec<u8>,
    /// Encoded output (NDJSON in the parallel path).
    pub out: Vec<u8>,
    /// Rejects, in input order.
    pub rejects: Vec<RejectRec>,
}

impl Bufs {
    /// Empty the buffers for reuse; give memory back when one grew far past the target
    /// (a huge document or record), so recycled buffers stay small.
    pub fn recycle(&mut self, target: usize) {
        for v in [&mut self.data, &mut self.out] {
            v.clear();
            if v.capacity() > 4 * target {
                v.shrink_to(2 * target);
            }
        }
        self.rejects.clear();
        if self.rejects.capacity() > 1024 {
            self.rejects.shrink_to(1024);
        }
    }
}

/// A piece of one input, with everything needed to normalize it on its own.
#[derive(Debug)]
pub(crate) struct Chunk {
    /// Position in the run, for the ordered writer.
    pub seq: u64,
    /// Index of the input in the run.
    pub input: usize,
    /// Its name.
    pub source: Arc<str>,
    pub kind: Kind,
    /// Byte offset of `data[0]` in the decoded input.
    pub byte: u64,
    /// 1-based line number of `data[0]`.
    pub line: u64,
    /// Decoded bytes of the input this chunk accounts for (data, BOM, skipped lines).
    pub bytes: u64,
    /// Set on the last chunk of an input: how the input ended.
    pub end: Option<io::Result<()>>,
    pub bufs: Bufs,
    /// Filled by [`process`].
    pub summary: Summary,
    /// The sink asked to stop while processing this chunk.
    pub stop: bool,
}

const READ_SIZE: usize = 64 * 1024;

/// The reader side: turns a list of inputs into chunks, one call at a time.
pub(crate) struct Chunker<'a> {
    inputs: &'a [Input],
    framing: &'a Framing,
    next_input: usize,
    seq: u64,
    cur: Option<Open>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Detect,
    Lines,
    Document,
}

/// An over-long line being skipped.
#[derive(Debug, Clone, Copy)]
struct Skip {
    byte: u64,
    line: u64,
    /// Bytes of the line seen so far, and whether the last of them was a `\r`.
    len: usize,
    ends_with_cr: bool,
}

impl Skip {
    /// The chunk that reports the skipped line.
    fn kind(&self) -> Kind {
        Kind::TooLong {
            len: frame::skipped_len(self.len, self.ends_with_cr),
        }
    }
}

struct Open {
    index: usize,
    source: Arc<str>,
    reader: Box<dyn Read + Send>,
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
    skip: Option<Skip>,
}

impl<'a> Chunker<'a> {
    pub fn new(inputs: &'a [Input], framing: &'a Framing) -> Self {
        Chunker {
            inputs,
            framing,
            next_input: 0,
            seq: 0,
            cur: None,
        }
    }

    /// The next chunk, built in `bufs`; `None` when every input is done.
    pub fn next_chunk(&mut self, mut bufs: Bufs) -> Option<Chunk> {
        bufs.data.clear();
        bufs.out.clear();
        bufs.rejects.clear();
        let chunk = if let Some(open) = &mut self.cur {
            open.next_chunk(bufs, self.framing)
        } else {
            let index = self.next_input;
            let input = self.inputs.get(index)?;
            self.next_input += 1;
            let source: Arc<str> = input.name().into();
            match input.open() {
                Ok((reader, _)) => {
                    let mut open = Open {
                        index,
                        source,
                        reader,
                        mode: Mode::Detect,
                        byte: 0,
                        line: 1,
                        read: 0,
                        reported: 0,
                        pending: Vec::new(),
                        skip: None,
                    };
                    let chunk = open.next_chunk(bufs, self.framing);
                    self.cur = Some(open);
                    chunk
                }
                Err(e) => Chunk {
                    seq: 0,
                    input: index,
                    source,
                    kind: Kind::Empty,
                    byte: 0,
                    line: 1,
                    bytes: 0,
                    end: Some(Err(e)),
                    bufs,
                    summary: Summary::default(),
                    stop: false,
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

/// Read into the spare room at the end of `data`; returns the bytes read (0 at the end).
fn read_more(reader: &mut dyn Read, data: &mut Vec<u8>) -> io::Result<usize> {
    let old = data.len();
    data.resize(old + READ_SIZE, 0);
    let result = loop {
        match reader.read(&mut data[old..]) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => break other,
        }
    };
    data.truncate(old + *result.as_ref().unwrap_or(&0));
    result
}

fn count_lines(b: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', b).count() as u64
}

/// Decide the framing from the first bytes: `None` while more input is needed.
fn detect(data: &[u8], eof: bool, chunk_bytes: usize) -> Option<Mode> {
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

impl Open {
    fn chunk(&mut self, kind: Kind, byte: u64, line: u64, bufs: Bufs) -> Chunk {
        let done = self.read - self.pending.len() as u64;
        let bytes = done.saturating_sub(self.reported);
        self.reported = done.max(self.reported);
        Chunk {
            seq: 0,
            input: self.index,
            source: self.source.clone(),
            kind,
            byte,
            line,
            bytes,
            end: None,
            bufs,
            summary: Summary::default(),
            stop: false,
        }
    }

    /// Send `data[..cut]` (whole lines) and keep the rest as pending.
    fn lines_chunk(&mut self, mut bufs: Bufs, cut: usize) -> Chunk {
        self.pending.clear();
        self.pending.extend_from_slice(&bufs.data[cut..]);
        bufs.data.truncate(cut);
        let (byte, line) = (self.byte, self.line);
        self.byte += cut as u64;
        self.line += count_lines(&bufs.data);
        self.chunk(Kind::Lines, byte, line, bufs)
    }

    fn ended(mut chunk: Chunk, end: io::Result<()>) -> Chunk {
        chunk.end = Some(end);
        chunk
    }

    #[allow(clippy::too_many_lines)]
    fn next_chunk(&mut self, mut bufs: Bufs, f: &Framing) -> Chunk {
        if let Some(skip) = self.skip.take() {
            return self.skip_line(bufs, skip);
        }
        bufs.data.append(&mut self.pending);
        // Where the last newline of `data` is, so the unterminated tail is known.
        let mut last_nl = memchr::memrchr(b'\n', &bufs.data);
        loop {
            if self.mode == Mode::Lines && bufs.data.len() >= f.chunk_bytes {
                if let Some(nl) = last_nl {
                    return self.lines_chunk(bufs, nl + 1);
                }
            }
            let old = bufs.data.len();
            let n = match read_more(&mut *self.reader, &mut bufs.data) {
                Ok(n) => n,
                Err(e) => {
                    // Keep the whole lines read before the damage; the partial last
                    // line is part of the damage and is dropped.
                    let cut = if self.mode == Mode::Document {
                        0
                    } else {
                        last_nl.map_or(0, |nl| nl + 1)
                    };
                    bufs.data.truncate(cut);
                    self.pending.clear();
                    let (byte, line) = (self.byte, self.line);
                    let kind = if cut == 0 { Kind::Empty } else { Kind::Lines };
                    let chunk = self.chunk(kind, byte, line, bufs);
                    return Self::ended(chunk, Err(e));
                }
            };
            self.read += n as u64;
            let eof = n == 0;
            if let Some(i) = memchr::memrchr(b'\n', &bufs.data[old..]) {
                last_nl = Some(old + i);
            }
            if self.mode == Mode::Detect {
                if bufs.data.len() >= frame::BOM.len() || eof {
                    let bom = if self.byte == 0 {
                        frame::bom_len(&bufs.data)
                    } else {
                        0
                    };
                    if bom > 0 {
                        bufs.data.drain(..bom);
                        self.byte = bom as u64;
                        last_nl = last_nl.map(|nl| nl - bom);
                    }
                    if let Some(mode) = detect(&bufs.data, eof, f.chunk_bytes) {
                        self.mode = mode;
                    }
                }
                if self.mode == Mode::Detect && !eof {
                    continue;
                }
                if self.mode == Mode::Detect {
                    self.mode = Mode::Lines;
                }
            }
            if self.mode == Mode::Document {
                if eof {
                    let (byte, line) = (self.byte, self.line);
                    let chunk = self.chunk(Kind::Document, byte, line, bufs);
                    return Self::ended(chunk, Ok(()));
                }
                if bufs.data.len() > f.max_document_bytes {
                    // Too big to hold: frame it as lines after all.
                    self.mode = Mode::Lines;
                }
                continue;
            }
            if eof {
                let len = bufs.data.len();
                let chunk = self.lines_chunk(bufs, len);
                return Self::ended(chunk, Ok(()));
            }
            let tail_start = last_nl.map_or(0, |nl| nl + 1);
            let tail = bufs.data.len() - tail_start;
            if frame::surely_too_long(tail, f.max_record_bytes) {
                // The line in progress is over the limit: send the lines before it and
                // skip it without buffering it.
                let skip_line = self.line + count_lines(&bufs.data[..tail_start]);
                let skip = Skip {
                    byte: self.byte + tail_start as u64,
                    line: skip_line,
                    len: tail,
                    ends_with_cr: bufs.data.last() == Some(&b'\r'),
                };
                bufs.data.truncate(tail_start);
                self.read -= tail as u64;
                if tail_start > 0 {
                    self.skip = Some(skip);
                    // The skipped bytes are accounted with the too-long chunk.
                    let chunk = self.lines_chunk(bufs, tail_start);
                    self.read += tail as u64;
                    return chunk;
                }
                self.read += tail as u64;
                return self.skip_line(bufs, skip);
            }
        }
    }

    /// Skip the rest of an over-long line; the chunk reports it as one reject.
    fn skip_line(&mut self, mut bufs: Bufs, mut skip: Skip) -> Chunk {
        loop {
            bufs.data.clear();
            match read_more(&mut *self.reader, &mut bufs.data) {
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

/// Where a record goes while it is being normalized: events go through to the sink and
/// are counted; a reject is held, so the caller can still unwrap an envelope instead.
struct Capture<'a, S: ?Sized> {
    inner: &'a mut S,
    summary: &'a mut Summary,
    held: Option<Error>,
}

impl<S: Sink + ?Sized> Sink for Capture<'_, S> {
    type Error = S::Error;

    fn record(&mut self, event: &Event<'_>) -> Result<bool, S::Error> {
        self.summary.add_event(event.log_type());
        self.inner.record(event)
    }

    fn rejected(&mut self, err: &Error) -> Result<bool, S::Error> {
        self.held = Some(clone_record_error(err, 0));
        Ok(true)
    }
}

/// A copy of a per-record error with `shift` added to its record index. Record errors
/// hold only cloneable data; anything else cannot reach a sink's `rejected`.
pub(crate) fn clone_record_error(err: &Error, shift: u64) -> Error {
    let at = |pos: &Position| Position::new(pos.byte, pos.line, pos.record + shift);
    Error::new(match err.kind() {
        ErrorKind::Json {
            pos,
            offset,
            message,
        } => ErrorKind::Json {
            pos: at(pos),
            offset: *offset,
            message: message.clone(),
        },
        ErrorKind::Rejected {
            pos,
            log_type,
            refusal,
        } => ErrorKind::Rejected {
            pos: at(pos),
            log_type: log_type.clone(),
            refusal: refusal.clone(),
        },
        ErrorKind::Unclassified { pos, refusals } => ErrorKind::Unclassified {
            pos: at(pos),
            refusals: refusals.clone(),
        },
        ErrorKind::TooLong { pos, len, max } => ErrorKind::TooLong {
            pos: at(pos),
            len: *len,
            max: *max,
        },
        ErrorKind::NotAPage { field, record } => ErrorKind::NotAPage {
            field: field.clone(),
            record: clone_record_error(record, shift),
        },
        _ => ErrorKind::Sink(err.to_string().into()),
    })
}

/// Everything [`process`] needs besides the data.
struct Ctx<'a, S: ?Sized> {
    norm: &'a mut Normalizer,
    sink: &'a mut S,
    summary: &'a mut Summary,
    rejects: &'a mut Vec<RejectRec>,
    framing: &'a Framing,
    /// Records seen in this chunk (the chunk-relative record index).
    record: u64,
    stop: bool,
}

/// Normalize every record of a chunk into `sink`, counting into `chunk.summary` and
/// collecting rejects in `chunk.bufs.rejects` (the sink's `rejected` is called too).
///
/// # Errors
///
/// The sink's errors.
pub(crate) fn process<S: Sink + ?Sized>(
    norm: &mut Normalizer,
    chunk: &mut Chunk,
    framing: &Framing,
    sink: &mut S,
) -> Result<(), S::Error> {
    let Bufs { data, rejects, .. } = &mut chunk.bufs;
    let mut summary = Summary {
        bytes: chunk.bytes,
        ..Summary::default()
    };
    let mut ctx = Ctx {
        norm,
        sink,
        summary: &mut summary,
        rejects,
        framing,
        record: 0,
        stop: false,
    };
    let base = (chunk.byte, chunk.line);
    match chunk.kind {
        Kind::Lines => ctx.lines(data, base)?,
        Kind::Document => ctx.document(data, base)?,
        Kind::TooLong { len } => {
            let pos = Position::new(chunk.byte, chunk.line, 0);
            let err = Error::new(ErrorKind::TooLong {
                pos,
                len,
                max: framing.max_record_bytes,
            });
            ctx.record = 1;
            ctx.commit_reject(err, 0..0, None)?;
        }
        Kind::Empty => {}
    }
    chunk.stop = ctx.stop;
    chunk.summary = summary;
    Ok(())
}

/// Advances a line count through a buffer, front to back.
struct LineCounter {
    at: usize,
    line: u64,
}

impl LineCounter {
    fn line_at(&mut self, data: &[u8], offset: usize) -> u64 {
        if offset > self.at {
            self.line += count_lines(&data[self.at..offset]);
            self.at = offset;
        }
        self.line
    }
}

fn offset_in(outer: &[u8], inner: &[u8]) -> usize {
    (inner.as_ptr() as usize).saturating_sub(outer.as_ptr() as usize)
}

impl<S: Sink + ?Sized> Ctx<'_, S> {
    /// Frame `data[from..]` as NDJSON lines; `base` is the position of `data[0]`.
    fn lines(&mut self, data: &[u8], base: (u64, u64)) -> Result<(), S::Error> {
        let mut lines = Lines::new(data, Position::new(base.0, base.1, self.record));
        while !self.stop {
            match lines.next() {
                None => break,
                Some(Line::Blank) => self.summary.blank_lines += 1,
                Some(Line::Record(pos, range)) => {
                    self.record = pos.record + 1;
                    self.record_or_page(data, range, pos)?;
                    // A page replaces its record by its elements in the count.
                    lines.set_next_record(self.record);
                }
            }
        }
        Ok(())
    }

    /// A whole-document input: a sequence of JSON values, or NDJSON if it is not JSON.
    fn document(&mut self, data: &[u8], base: (u64, u64)) -> Result<(), S::Error> {
        let mut values = Vec::new();
        for v in serde_json::Deserializer::from_slice(data).into_iter::<&RawValue>() {
            match v {
                Ok(v) => {
                    let off = offset_in(data, v.get().as_bytes());
                    values.push(off..off + v.get().len());
                }
                Err(_) => return self.lines(data, base),
            }
        }
        let mut lines = LineCounter {
            at: 0,
            line: base.1,
        };
        for range in values {
            if self.stop {
                break;
            }
            if data[range.start] == b'[' {
                let Ok(elems) = serde_json::from_slice::<Vec<&RawValue>>(&data[range.clone()])
                else {
                    continue; // unreachable: validated above
                };
                for e in elems {
                    if self.stop {
                        break;
                    }
                    let off = offset_in(data, e.get().as_bytes());
                    let pos =
                        Position::new(base.0 + off as u64, lines.line_at(data, off), self.record);
                    self.record += 1;
                    self.record_or_page(data, off..off + e.get().len(), pos)?;
                }
            } else {
                let pos = Position::new(
                    base.0 + range.start as u64,
                    lines.line_at(data, range.start),
                    self.record,
                );
                self.record += 1;
                self.record_or_page(data, range, pos)?;
            }
        }
        Ok(())
    }

    /// Normalize one record; if no schema takes it and it is an API page, its elements.
    fn record_or_page(
        &mut self,
        data: &[u8],
        range: Range<usize>,
        pos: Position,
    ) -> Result<(), S::Error> {
        let raw = &data[range.clone()];
        if raw.len() > self.framing.max_record_bytes {
            let err = Error::new(ErrorKind::TooLong {
                pos,
                len: raw.len(),
                max: self.framing.max_record_bytes,
            });
            return self.commit_reject(err, range, None);
        }
        let is_object = raw.first() == Some(&b'{');
        if is_object {
            if let Some(field) = self.framing.envelope.as_deref() {
                if let Some(env) = envelope(raw, Some(field)) {
                    return self.unwrap(data, range.start, &env, pos, None);
                }
            }
        }
        let mut capture = Capture {
            inner: &mut *self.sink,
            summary: &mut *self.summary,
            held: None,
        };
        if !self.norm.normalize_bytes(raw, pos, &mut capture)? {
            self.stop = true;
        }
        let Some(err) = capture.held else {
            return Ok(());
        };
        if is_object && err.classify() == Category::Data {
            match self.framing.envelope.as_deref() {
                None => {
                    if let Some(env) = envelope(raw, None) {
                        return self.unwrap(data, range.start, &env, pos, Some((err, range)));
                    }
                }
                // Not the page the caller said to expect: say so, with the record's refusal.
                Some(field) => {
                    let err = Error::new(ErrorKind::NotAPage {
                        field: field.into(),
                        record: err,
                    });
                    return self.commit_reject(err, range, None);
                }
            }
        }
        self.commit_reject(err, range, None)
    }

    /// Normalize the records of an envelope found in the record at `page_pos`. A
    /// single-record response found without being named (`refused` holds the record's own
    /// reject and range) is unwrapped only when its record is accepted; else the record's
    /// own reject stands.
    fn unwrap(
        &mut self,
        data: &[u8],
        page_start: usize,
        env: &Envelope<'_>,
        page_pos: Position,
        refused: Option<(Error, Range<usize>)>,
    ) -> Result<(), S::Error> {
        if !env.single {
            return self.page(data, page_start, env, page_pos);
        }
        let r = &env.elems[0];
        let page = &data[page_start..];
        let pos = Position::new(
            page_pos.byte + r.start as u64,
            page_pos.line + count_lines(&page[..r.start]),
            page_pos.record,
        );
        let range = page_start + r.start..page_start + r.end;
        let mut capture = Capture {
            inner: &mut *self.sink,
            summary: &mut *self.summary,
            held: None,
        };
        if !self
            .norm
            .normalize_bytes(&data[range.clone()], pos, &mut capture)?
        {
            self.stop = true;
        }
        match (capture.held, refused) {
            (None, _) => Ok(()),
            (Some(_), Some((own, own_range))) => self.commit_reject(own, own_range, None),
            (Some(err), None) => self.commit_reject_in(err, range, None, Some(env.field.as_ref())),
        }
    }

    /// Normalize the elements of an API page; the page itself is not a record.
    fn page(
        &mut self,
        data: &[u8],
        page_start: usize,
        env: &Envelope<'_>,
        page_pos: Position,
    ) -> Result<(), S::Error> {
        let elems = &env.elems;
        // The page was counted as one record by the caller; its elements replace it.
        self.record = self.record - 1 + elems.len() as u64;
        let page = &data[page_start..];
        let mut lines = LineCounter {
            at: 0,
            line: page_pos.line,
        };
        for (i, r) in elems.iter().enumerate() {
            if self.stop {
                break;
            }
            let i = i as u64;
            let pos = Position::new(
                page_pos.byte + r.start as u64,
                lines.line_at(page, r.start),
                i,
            );
            let range = page_start + r.start..page_start + r.end;
            let mut capture = Capture {
                inner: &mut *self.sink,
                summary: &mut *self.summary,
                held: None,
            };
            if !self
                .norm
                .normalize_bytes(&data[range.clone()], pos, &mut capture)?
            {
                self.stop = true;
            }
            if let Some(err) = capture.held {
                self.commit_reject_in(err, range, Some(i), Some(env.field.as_ref()))?;
            }
        }
        Ok(())
    }

    fn commit_reject(
        &mut self,
        err: Error,
        raw: Range<usize>,
        index: Option<u64>,
    ) -> Result<(), S::Error> {
        self.commit_reject_in(err, raw, index, None)
    }

    /// Count and keep a reject; `field` names the envelope field it came from.
    fn commit_reject_in(
        &mut self,
        err: Error,
        raw: Range<usize>,
        index: Option<u64>,
        field: Option<&str>,
    ) -> Result<(), S::Error> {
        self.summary.add_reject(err.code());
        if !self.sink.rejected(&err)? {
            self.stop = true;
        }
        self.rejects.push(RejectRec {
            error: err,
            raw,
            index,
            field: field.map(Arc::from),
        });
        Ok(())
    }
}

/// The records of an API envelope, as ranges relative to the enveloping object.
#[derive(Debug)]
struct Envelope<'r> {
    /// The field that holds them.
    field: Cow<'r, str>,
    elems: Vec<Range<usize>>,
    /// A single-record response (`{"audit_log": {...}}`): the field holds one object.
    single: bool,
}

/// The envelope `raw` is, if any. With `field`: that field, holding an array of objects (a
/// page) or an object (a single record). Without: the one field holding an array of
/// objects (other fields are paging data), or else, when the object has exactly one field
/// and it holds an object, that object.
fn envelope<'r>(raw: &'r [u8], field: Option<&str>) -> Option<Envelope<'r>> {
    let map: HashMap<Cow<'r, str>, &RawValue> = serde_json::from_slice(raw).ok()?;
    let range = |v: &RawValue| {
        let off = offset_in(raw, v.get().as_bytes());
        off..off + v.get().len()
    };
    let page = |v: &RawValue| -> Option<Vec<Range<usize>>> {
        if !v.get().starts_with('[') {
            return None;
        }
        let elems: Vec<&RawValue> = serde_json::from_str(v.get()).ok()?;
        elems
            .iter()
            .map(|e| e.get().starts_with('{').then(|| range(e)))
            .collect()
    };
    let single = |k: &Cow<'r, str>, v: &RawValue| {
        v.get().starts_with('{').then(|| Envelope {
            field: k.clone(),
            elems: vec![range(v)],
            single: true,
        })
    };
    if let Some(field) = field {
        let (k, v) = map.get_key_value(field)?;
        return match page(v) {
            Some(elems) => Some(Envelope {
                field: k.clone(),
                elems,
                single: false,
            }),
            None => single(k, v),
        };
    }
    let mut found = None;
    for (k, v) in &map {
        if let Some(elems) = page(v) {
            if found.is_some() {
                return None;
            }
            found = Some(Envelope {
                field: k.clone(),
                elems,
                single: false,
            });
        }
    }
    if found.is_none() && map.len() == 1 {
        let (k, v) = map.iter().next()?;
        return single(k, v);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;
    use crate::sink::Collect;
    use crate::NormalizerBuilder;

    fn framing(chunk: usize, max: usize) -> Framing {
        Framing {
            chunk_bytes: chunk,
            max_record_bytes: max,
            max_document_bytes: 1 << 20,
            envelope: None,
        }
    }

    /// Chunks of one in-memory input: (kind, byte, line, data, bytes).
    fn chunks(input: &[u8], f: &Framing) -> Vec<(Kind, u64, u64, String, u64)> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("in");
        std::fs::write(&p, input).unwrap();
        let inputs = [Input::Path(p)];
        let mut c = Chunker::new(&inputs, f);
        let mut out = Vec::new();
        while let Some(ch) = c.next_chunk(Bufs::default()) {
            out.push((
                ch.kind,
                ch.byte,
                ch.line,
                String::from_utf8_lossy(&ch.bufs.data).into_owned(),
                ch.bytes,
            ));
        }
        out
    }

    #[test]
    fn lines_are_cut_on_newlines_with_positions() {
        let got = chunks(b"\xEF\xBB\xBFaaaa\nbb\ncccc\nd", &framing(4, 100));
        let total: u64 = got.iter().map(|c| c.4).sum();
        assert_eq!(total, 17);
        let text: String = got.iter().map(|c| c.3.clone()).collect();
        assert_eq!(text, "aaaa\nbb\ncccc\nd");
        for (kind, byte, line, data, _) in &got {
            assert_eq!(*kind, Kind::Lines);
            let before = &"aaaa\nbb\ncccc\nd"[..usize::try_from(*byte).unwrap() - 3];
            assert!(data.is_empty() || before.ends_with('\n') || before.is_empty());
            assert_eq!(*line, 1 + before.matches('\n').count() as u64);
        }
    }

    #[test]
    fn over_long_lines_are_skipped() {
        let input = format!("{{}}\n{}\n{{}}\n{}", "x".repeat(200_000), "y".repeat(100));
        let got = chunks(input.as_bytes(), &framing(1 << 20, 50));
        let kinds: Vec<_> = got.iter().map(|c| (c.0, c.1, c.2)).collect();
        assert_eq!(
            kinds,
            [
                (Kind::Lines, 0, 1),
                (Kind::TooLong { len: 200_000 }, 3, 2),
                (Kind::Lines, 200_004, 3),
            ]
        );
        assert_eq!(got.iter().map(|c| c.4).sum::<u64>(), input.len() as u64);
    }

    #[test]
    fn framing_is_detected() {
        assert_eq!(detect(b" [1]", true, 10), Some(Mode::Document));
        assert_eq!(detect(b"{\n \"a\": 1\n}", false, 100), Some(Mode::Document));
        assert_eq!(detect(b"{\"a\":\"{\"}\n", false, 100), Some(Mode::Lines));
        assert_eq!(detect(b"{\"a\":1", false, 100), None);
        assert_eq!(detect(b"{\"a\":1", true, 100), Some(Mode::Lines));
    }

    fn normalize(input: &[u8], envelope: Option<&str>) -> (Collect, Summary, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("in");
        std::fs::write(&p, input).unwrap();
        let inputs = [Input::Path(p)];
        let mut f = framing(64, 1000);
        f.envelope = envelope.map(Into::into);
        let registry = Registry::builtin();
        let mut norm = NormalizerBuilder::new().build(&registry).unwrap();
        let mut c = Chunker::new(&inputs, &f);
        let mut sink = Collect::default();
        let mut total = Summary::default();
        let mut rejects = Vec::new();
        while let Some(mut ch) = c.next_chunk(Bufs::default()) {
            process(&mut norm, &mut ch, &f, &mut sink).unwrap();
            for r in &ch.bufs.rejects {
                rejects.push(format!(
                    "{:?} {}",
                    r.index,
                    String::from_utf8_lossy(&ch.bufs.data[r.raw.clone()])
                ));
            }
            total.merge(&ch.summary);
        }
        (sink, total, rejects)
    }

    const A: &str = r#"{"email":"a@x.com","time":"2023-01-01T00:00:00Z"}"#;

    #[test]
    fn pages_arrays_and_pretty_objects() {
        let page = format!(
            "{{\"from\":\"2023-01-01\",\"next_page_token\":\"\",\"activity_logs\":[{A},\n{{\"email\":\"b@x.com\"}}]}}\n"
        );
        let (sink, s, rejects) = normalize(page.as_bytes(), None);
        assert_eq!((s.records, s.normalized, s.rejected), (2, 1, 1));
        assert_eq!(sink.rejects.len(), 1);
        assert!(
            sink.rejects[0].starts_with("record 1 (line 2, byte "),
            "{}",
            sink.rejects[0]
        );
        assert_eq!(rejects, [r#"Some(1) {"email":"b@x.com"}"#]);

        let empty = b"{\"from\":\"x\",\"activity_logs\":[]}";
        let (_, s, _) = normalize(empty, None);
        assert_eq!((s.records, s.rejected), (0, 0));

        let (_, s, _) = normalize(format!("[\n {A},\n {A}\n]\n").as_bytes(), None);
        assert_eq!((s.records, s.normalized), (2, 2));

        let pretty = format!("{{\n\"audit_logs\": [\n{A}\n]\n}}\n");
        let (_, s, _) = normalize(pretty.as_bytes(), Some("audit_logs"));
        assert_eq!((s.records, s.normalized), (1, 1));

        let broken = format!("{{\n{A}\n");
        let (_, s, _) = normalize(broken.as_bytes(), None);
        assert_eq!((s.records, s.normalized, s.rejected), (2, 1, 1));
    }

    #[test]
    fn an_object_that_is_not_the_named_page_says_so() {
        // A page under another field, with --envelope audit_logs: not unwrapped, refused as
        // a record, and the reject names the field it expected.
        let page = format!("{{\"activity_logs\":[{A}]}}\n{A}\n");
        let (sink, s, _) = normalize(page.as_bytes(), Some("audit_logs"));
        assert_eq!((s.records, s.normalized, s.rejected), (2, 1, 1));
        assert_eq!(
            s.rejects_by_reason
                .iter()
                .map(|(r, n)| (r.as_str(), *n))
                .collect::<Vec<_>>(),
            [("not_a_page", 1)]
        );
        let msg = &sink.rejects[0];
        assert!(
            msg.contains(r#"not a page: no "audit_logs" array of records (--envelope); as a record: no log type accepted the record: "#),
            "{msg}"
        );
        assert!(msg.starts_with("record 0 (line 1, byte 0)"), "{msg}");
    }
}
