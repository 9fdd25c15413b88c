//! Chunks: a piece of one input with its reusable buffers, as the reader hands it to a
//! worker and the worker to the ordered writer; and the framing options they are cut with.

use std::io;
use std::ops::Range;
use std::sync::Arc;

use crate::error::Error;
use crate::parse::Start;
use crate::sink::Summary;

/// Framing limits and choices of one run: the [`Batch`](super::Batch) options, with the
/// record size limit of the normalizer the run uses.
#[derive(Debug, Clone)]
pub(crate) struct Framing {
    pub chunk_bytes: usize,
    pub max_record_bytes: usize,
    pub max_document_bytes: usize,
    /// The largest ratios compressed inputs may expand by.
    pub max_expansion: super::input::ExpansionLimits,
    pub envelope: Option<String>,
    /// Whether an input may be a JSON document, read whole (see `chunker::detect`): only
    /// when a JSON log type is loaded. Without one, every input is lines of text, whatever
    /// its first byte (`[error] ...`, or `{"a":1}` for a text pattern to match).
    pub documents: bool,
    /// Cut a stream's whole lines into a chunk as soon as a read finds less than it asked
    /// for (the stream paused), for outputs that show events as they come.
    pub live: bool,
    /// A CSV log type of the run reads each input's header. Then a JSON document goes whole
    /// to one worker, not in chunks of its records: the log type learns the header from the
    /// document's first record (an array of CSV lines), which the workers of later chunks
    /// would not see. And a line over the record limit among the input's first
    /// [`HEAD_BYTES`](crate::parse::HEAD_BYTES) is held whole, not skipped: it may be the
    /// header, which is not held to the limit.
    pub reads_headers: bool,
    /// The `skipLines` of the run's text log types (each once, smallest first; empty for
    /// none): where each input's first that many lines that are not blank end is what the
    /// chunks carry ([`Chunk::first_lines`]).
    pub skip_lines: Arc<[u64]>,
}

#[cfg(test)]
impl Framing {
    /// Chunks of about `chunk_bytes`, records of at most `max_record_bytes`, documents of
    /// 1 MiB; live, with JSON documents detected.
    pub fn for_tests(chunk_bytes: usize, max_record_bytes: usize) -> Framing {
        Framing {
            chunk_bytes,
            max_record_bytes,
            max_document_bytes: 1 << 20,
            max_expansion: super::input::ExpansionLimits::all(None),
            envelope: None,
            live: true,
            documents: true,
            reads_headers: false,
            skip_lines: Arc::from([]),
        }
    }
}

/// What a chunk's data holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Whole NDJSON lines (the last one may lack its newline at the end of the input).
    Lines,
    /// Records of a whole input holding JSON documents ([`Bufs::records`]).
    Document,
    /// One line over the record limit, skipped; `len` is its length without the newline.
    TooLong { len: usize },
    /// One line of white space alone over the record limit, skipped: a blank line, as it
    /// is when it arrives whole.
    Blank,
    /// No data: an input that could not be opened, or the end marker of an input.
    Empty,
    /// Elements of an API page too big for one chunk's results, from element `first` of
    /// the page on ([`Bufs::records`]); the page's field is [`Chunk::page`]. Made by a
    /// worker ([`split`](super::split)), not by the reader.
    Elements { first: u64 },
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
    /// A [`Kind::Document`] chunk's records: where each is in `data`, in order.
    pub records: Vec<Range<usize>>,
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
        self.records.clear();
        if self.rejects.capacity() > 1024 {
            self.rejects.shrink_to(1024);
        }
    }
}

/// Why an input that started as a JSON document is read line by line, as NDJSON.
#[derive(Debug, Clone)]
pub(crate) enum AsLines {
    /// It outgrew the document limit (this one).
    OverLimit(usize),
    /// It is not JSON from this line and column of the input on, for this reason.
    NotJson {
        line: u64,
        column: u64,
        error: String,
    },
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
    /// The input's first lines (up to [`HEAD_BYTES`](super::chunker::HEAD_BYTES), whole
    /// lines; none when not read): a worker tells its normalizer, so CSV log types with a
    /// header know this input's columns even in a chunk from the middle of the input.
    pub head: Option<Arc<[u8]>>,
    /// `(n, line)` for each `n` of [`Framing::skip_lines`] that the reader had reached
    /// with this chunk: line `line` ends the input's first `n` lines that are not blank.
    /// The worker tells its normalizer ([`Normalizer::first_lines_at`]), as the chunk's
    /// own record numbers, counted from its start, cannot tell which of its lines are
    /// among the input's first `skipLines`.
    ///
    /// [`Normalizer::first_lines_at`]: crate::parse::Normalizer::first_lines_at
    pub first_lines: Arc<[(u64, u64)]>,
    pub bufs: Bufs,
    /// Filled by [`process`](super::records::process).
    pub summary: Summary,
    /// The sink asked to stop while processing this chunk.
    pub stop: bool,
    /// Filled by [`process`](super::records::process) with several JSON log types: how
    /// the log types of its events depend on the one its first record was tried with
    /// first (the ordered writer checks it against the chunk before).
    pub classified: Option<Start>,
    /// Cut before a chunk's worth because a stream (standard input, a pipe) had no more
    /// for now: its output is written out at once (see [`Chunker`](super::chunker)).
    pub live: bool,
    /// Set on the first chunk after the input, which started as a JSON document, turned
    /// out to be read as lines: why.
    pub as_lines: Option<AsLines>,
    /// Which part of the reader's chunk `seq` this is: 0, then the parts a worker cut a
    /// big API page of it into ([`split`](super::split)), in order.
    pub part: u32,
    /// More parts of chunk `seq` follow this one.
    pub more: bool,
    /// A [`Kind::Elements`] chunk's page field.
    pub page: Option<Arc<str>>,
    /// Set by [`process`](super::records::process) when it stopped at an API page with
    /// more elements than a chunk holds: the rest of the chunk, from the page on, is to
    /// be cut into parts.
    pub split: Option<super::split::Split>,
}

impl Chunk {
    /// A chunk of `bufs` from input `input` (named `source`) starting at `byte`/`line`:
    /// not yet numbered (`seq` 0, set by the reader), accounting for no bytes, part 0 of
    /// its reader's chunk, with nothing processed yet. Callers set what differs.
    pub fn new(
        input: usize,
        source: Arc<str>,
        kind: Kind,
        (byte, line): (u64, u64),
        bufs: Bufs,
    ) -> Chunk {
        Chunk {
            seq: 0,
            input,
            source,
            kind,
            byte,
            line,
            bytes: 0,
            end: None,
            head: None,
            first_lines: Arc::from([]),
            bufs,
            summary: Summary::default(),
            stop: false,
            classified: None,
            live: false,
            as_lines: None,
            part: 0,
            more: false,
            page: None,
            split: None,
        }
    }
}
