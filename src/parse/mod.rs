//! The hot path: [`Normalizer`] turns one JSON record into an [`Event`] (or a reject) and
//! hands it to a [`Sink`].
//!
//! A normalizer is built per thread from a shared [`Registry`](crate::Registry) with a [`NormalizerBuilder`].
//! It owns every buffer it needs (simd-json's buffers and tape, the value slots, the text
//! buffer, the indicator lists) and reuses them for each record, so normalizing allocates
//! nothing in steady state. Records are parsed in place: simd-json unescapes strings inside
//! the `&mut [u8]` it is given, and the event's strings point into it. Use
//! [`Normalizer::normalize_bytes`] to keep the input intact (it copies into an internal
//! buffer first).
//!
//! Text log types (`parser: regex`, `fastmatch` or `csv`) read lines of text: a line is
//! matched (`text.rs`) or split (`csv.rs`) into string values, which the plan's decoders
//! read as they read JSON strings (no JSON is written). A line that parses as a JSON object
//! is only ever tried by the JSON log types; other lines by the text ones, in order
//! (`mixed.rs`). Some
//! lines are consumed without an event (`skip.rs`: `skipLines`, `skipPrefix`, CSV headers).

mod builder;
mod candidates;
mod classify;
pub(crate) mod csv;
mod cut;
mod enrich;
pub mod frame;
mod literals;
mod marks;
mod mixed;
mod overflow;
mod skip;
mod stamp;
mod stream;
pub(crate) mod tape;
mod text;
mod unquote;

pub use builder::NormalizerBuilder;
pub(crate) use candidates::Start;
pub(crate) use skip::HEAD_BYTES;
pub use stream::StreamNormalizer;

use std::sync::Arc;

use simd_json::{Buffers, Node, Tape};

use crate::compile::Plan;
use crate::error::{Error, ErrorKind, Position, Refusal};
use crate::event::{recycle, Event, EventBuffers, SourceMeta, Val};
use crate::indicators::Indicators;
use crate::sink::Sink;
use classify::{Classifier, Scan};
use stamp::{Clock, RowIds};
use tape::{json_type, Borrowed, Fail, TapeDecoder};
use text::TextSlot;

/// Default limit on one record's size.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;

/// The highest record size limit (1 GiB): a record's decoded strings, at most a few times
/// its size, are addressed with 32-bit offsets.
pub const MAX_RECORD_BYTES_CEILING: usize = 1 << 30;

/// Normalizes records, one at a time, with reused buffers. Every call takes `&mut self`:
/// build one per thread (they are cheap next to the [`Registry`](crate::Registry) they share).
pub struct Normalizer {
    /// The JSON log types, then the text ones (`plans[n_json..]`).
    plans: Vec<Arc<Plan>>,
    n_json: usize,
    /// The reused matching state of each text log type.
    text_slots: Vec<TextSlot>,
    /// An untouched copy of a record parsed in place: it may be text, or its floats may go
    /// into strings as written (`literals.rs`).
    scratch: Vec<u8>,
    /// The texts of the current record's numbers, read on the rare path.
    literals: literals::Literals,
    /// The last decoding wrote a float into a string without its text.
    wants_literals: bool,
    /// Where the current record's numbers beyond a float's range start (`overflow.rs`):
    /// nearly always none.
    overflowed: Vec<u32>,
    /// `literals` holds the current record's texts, read before decoding: every decoder
    /// of the record gets them.
    literals_read: bool,
    /// Why each text log type refused the current line.
    text_refusals: Vec<(Arc<str>, Refusal)>,
    /// The CSV log types that refused the current line for its number of values alone:
    /// their index among the text log types, and where their refusal is in
    /// `text_refusals` (see `mixed.rs`, `try_text`).
    other_count: Vec<(usize, usize)>,
    /// With several candidates: finds which can accept a record in one scan of its keys.
    classifier: Option<Classifier>,
    /// The classifier's scan of the current record.
    scan: Scan,
    /// The plan that accepted the previous record: tried first.
    last: usize,
    /// In a chunk of the parallel pipeline: how its events depend on the `last` it
    /// started from (`candidates.rs`).
    start: Option<candidates::Start>,
    meta: Arc<SourceMeta>,
    pub(crate) max_record_bytes: usize,
    buffers: Buffers,
    tape: Tape<'static>,
    vals: Vec<Val<'static>>,
    text: String,
    /// `None` while an event holds the lists (taking and putting back an `Option` spares
    /// building and dropping an empty `Indicators` for every record).
    indicators: Option<Indicators<'static>>,
    copy: Vec<u8>,
    rows: RowIds,
    clock: Clock,
}

impl std::fmt::Debug for Normalizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Normalizer")
            .field(
                "log_types",
                &self.plans.iter().map(|p| p.log_type()).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Normalizer {
    /// The log types this normalizer tries, in order: the JSON ones, then the text ones
    /// (`parser: csv`, `regex` or `fastmatch`), each in the order asked for.
    pub fn log_types(&self) -> impl Iterator<Item = &str> {
        self.plans.iter().map(|p| p.log_type())
    }

    /// Whether some of the log types read JSON (have no text parser).
    pub(crate) fn reads_json(&self) -> bool {
        self.n_json > 0
    }

    /// Whether `key` names a top-level field of one of the JSON log types: an object that
    /// holds it is a record of that type (refused, then rejected with its own reason), not
    /// an API envelope whose field holds records.
    pub(crate) fn has_json_field(&self, key: &str) -> bool {
        self.plans[..self.n_json]
            .iter()
            .any(|p| p.root.fields.iter().any(|f| &*f.name == key))
    }

    /// Normalize one record and hand the event, or the reject, to `sink`: the same as
    /// [`normalize_bytes`](Self::normalize_bytes), which copies the record into a reused,
    /// padded buffer (simd-json reads a padded copy either way) and leaves `line` as it was.
    ///
    /// For text log types, `pos.line` tells where an input starts: line 1 is an input's
    /// first line (a CSV header with `hasHeader`; `skipLines` counts from it). A line such
    /// a type consumes reaches the sink as neither event nor reject.
    ///
    /// Returns what the sink returned: `false` asks the caller to stop.
    ///
    /// # Errors
    ///
    /// Only the sink's errors; a bad record is a call to [`Sink::rejected_record`] (with
    /// `line` as it was given), not an error.
    pub fn normalize_line<S: Sink + ?Sized>(
        &mut self,
        line: &mut [u8],
        pos: Position,
        sink: &mut S,
    ) -> Result<bool, S::Error> {
        self.normalize_bytes(line, pos, sink)
    }

    /// Parse the record `line[..len]` in place; the rest of `line` is at least
    /// [`simd_json::INPUT_PADDING`] bytes of padding, which spares simd-json its own padded
    /// copy. `original` is the record untouched: it describes a syntax error precisely, and
    /// holds the texts of floats that go into strings (`literals.rs`).
    fn parse<S: Sink + ?Sized>(
        &mut self,
        line: &mut [u8],
        len: usize,
        original: &[u8],
        pos: Position,
        sink: &mut S,
    ) -> Result<bool, S::Error> {
        if len > self.max_record_bytes {
            if self.long_header(original, pos).is_some() {
                return Ok(true);
            }
            return sink
                .rejected_record(&Error::too_long(pos, len, self.max_record_bytes), original);
        }
        if self.n_json < self.plans.len() {
            let normalized = if self.json_goes_to_json_types(&line[..len]) {
                if pos.line == 1 {
                    self.first_line(&line[..len], pos.byte);
                }
                // What simd-json refuses and Panther's decoder reads (`overflow.rs`) is read
                // again before any text log type sees the line: a JSON object goes to the
                // JSON log types alone, whatever text log type would read it as a line.
                let mut tape: Tape<'_> =
                    std::mem::replace(&mut self.tape, Tape(Vec::new())).reset();
                let mut filled = Ok(());
                if let Err(e) = simd_json::fill_tape_padded(line, len, &mut self.buffers, &mut tape)
                {
                    tape = tape.reset();
                    filled = self.refill(line, Some(len), original, &mut tape, &e, pos);
                }
                let copy = std::mem::take(&mut self.scratch);
                self.mixed_json(tape, filled, copy, Some(original), pos)
            } else {
                self.normalize_text(&line[..len], pos)
            };
            let (result, buffers) = hand_over(normalized, original, sink);
            if let Some(buffers) = buffers {
                self.reuse(buffers);
            }
            return result;
        }
        let mut tape: Tape<'_> = std::mem::replace(&mut self.tape, Tape(Vec::new())).reset();
        if let Err(e) = simd_json::fill_tape_padded(line, len, &mut self.buffers, &mut tape) {
            tape = tape.reset();
            if let Err(e) = self.refill(line, Some(len), original, &mut tape, &e, pos) {
                self.tape = tape.reset();
                return sink.rejected_record(&e, original);
            }
        }
        match self.decode_event(tape, pos, Some(original)) {
            Ok(event) => {
                let result = sink.record(&event);
                let buffers = event.into_buffers();
                self.reuse(buffers);
                result
            }
            Err(e) => sink.rejected_record(&e, original),
        }
    }

    /// Normalize one record in place and return the event (or the reject) instead of
    /// pushing it into a sink. The event borrows the line and the normalizer; hand its
    /// buffers back with [`Normalizer::reuse`] (`event.into_buffers()`) to keep the next call
    /// free of allocations — dropping the event instead is correct, just slower.
    ///
    /// # Errors
    ///
    /// The record's reject: invalid JSON, too long, or refused by every candidate log type;
    /// or [`ErrorKind::Skipped`] for a line a text log type consumes without an event (a CSV
    /// header, `skipLines`, `skipPrefix`), which is not a reject.
    ///
    /// One difference from [`normalize_bytes`](Self::normalize_bytes) and
    /// [`normalize_line`](Self::normalize_line): a record with a number beyond the range of
    /// a 64-bit float (`1e400`), a lone surrogate escape (`"\ud800"`), or white space at its
    /// ends that JSON does not allow (`U+00A0`, the vertical tab, the form feed) is invalid
    /// JSON here, where they read it as Panther does (the number's text kept in `string` and
    /// `json` values, skipped under keys the schema does not name; the escape read as
    /// U+FFFD; the white space trimmed). They parse such a record a second time, from a
    /// copy; here the event borrows `line`, which the first parse has already rewritten.
    /// With text log types loaded too, such a record is invalid JSON here, never a line for
    /// them.
    pub fn normalize<'a>(
        &'a mut self,
        line: &'a mut [u8],
        pos: Position,
    ) -> Result<Event<'a>, Error> {
        if line.len() > self.max_record_bytes {
            if let Some(pi) = self.long_header(line, pos) {
                return Err(self.skipped(pi, pos));
            }
            return Err(Error::too_long(pos, line.len(), self.max_record_bytes));
        }
        if self.n_json < self.plans.len() {
            return self.normalize_mixed(line, pos);
        }
        // The event borrows the line: its untouched copy is kept for the rare record whose
        // floats go into strings (`literals.rs`).
        self.scratch.clear();
        self.scratch.extend_from_slice(line);
        let mut tape: Tape<'_> = std::mem::replace(&mut self.tape, Tape(Vec::new())).reset();
        if let Err(e) = simd_json::fill_tape(line, &mut self.buffers, &mut tape) {
            self.tape = tape.reset();
            // The untouched copy tells what simd-json's error does not (a byte order mark,
            // trailing characters: the same message as `normalize_bytes`).
            return Err(Error::json(pos, &e, Some(&self.scratch)));
        }
        self.decode_event(tape, pos, None)
    }

    /// The reject of a record no candidate accepted: the text log types' refusals are in
    /// `text_refusals`; `json` gives each JSON log type's.
    #[cold]
    fn refuse_all(&self, pos: Position, json: impl Fn(&Plan) -> Refusal) -> Error {
        let mut refusals: Vec<(Arc<str>, Refusal)> = self.plans[..self.n_json]
            .iter()
            .map(|p| (p.log_type.clone(), json(p)))
            .collect();
        refusals.extend(self.text_refusals.iter().cloned());
        if refusals.len() == 1 {
            let (log_type, refusal) = refusals.remove(0);
            return Error::new(ErrorKind::Rejected {
                pos,
                log_type,
                refusal,
            });
        }
        Error::new(ErrorKind::unclassified(pos, refusals))
    }

    /// Give an event's buffers back for reuse (see [`Normalizer::normalize`]).
    pub fn reuse(&mut self, buffers: EventBuffers) {
        if buffers.vals.capacity() >= self.vals.capacity() {
            self.vals = buffers.vals;
            self.indicators = Some(buffers.indicators);
        }
    }

    /// Like [`normalize_line`](Self::normalize_line), but leaves `line` untouched: it is
    /// copied into a reused internal buffer first.
    ///
    /// Returns what the sink returned: `true` means "go on" whether the record was
    /// normalized or rejected, `false` asks the caller to stop. Which one it was is what the
    /// sink was called with: [`Sink::record`] with the event, or
    /// [`Sink::rejected_record`] with the error and `line` itself (the raw record, for a
    /// dead-letter queue), whose default calls [`Sink::rejected`], whose default drops it. A
    /// sink that keeps no rejects ([`NdjsonWriter`](crate::sink::ndjson::NdjsonWriter),
    /// `RecordBatchBuilder`, [`Discard`](crate::sink::Discard)) needs a wrapper of its own
    /// that forwards events and keeps rejects, or use [`Collect`](crate::sink::Collect),
    /// which keeps both. This call keeps no counts: [`StreamNormalizer::summary`] and
    /// [`normalize_reader`](crate::pipeline::normalize_reader) do.
    /// For text log types, `pos.line` must be the real line number (see
    /// [`Position::line`](crate::Position::line)).
    ///
    /// # Errors
    ///
    /// Only the sink's errors.
    pub fn normalize_bytes<S: Sink + ?Sized>(
        &mut self,
        line: &[u8],
        pos: Position,
        sink: &mut S,
    ) -> Result<bool, S::Error> {
        if line.len() > self.max_record_bytes {
            if self.long_header(line, pos).is_some() {
                return Ok(true);
            }
            return sink.rejected_record(
                &Error::too_long(pos, line.len(), self.max_record_bytes),
                line,
            );
        }
        if self.n_json < self.plans.len() && !self.json_goes_to_json_types(line) {
            // A text line is read where it lies: only simd-json needs a copy to rewrite.
            let normalized = self.normalize_text(line, pos);
            let (result, buffers) = hand_over(normalized, line, sink);
            if let Some(buffers) = buffers {
                self.reuse(buffers);
            }
            return result;
        }
        let mut copy = std::mem::take(&mut self.copy);
        // The padding may hold anything (an earlier, longer record), so the buffer only grows.
        let padded = line.len() + simd_json::INPUT_PADDING;
        if copy.len() < padded {
            copy.resize(padded, b' ');
        }
        copy[..line.len()].copy_from_slice(line);
        let result = self.parse(&mut copy[..padded], line.len(), line, pos, sink);
        self.copy = copy;
        result
    }

    /// Decode a parsed record with the candidate plans into an event, or say why not: the
    /// not-an-object reject, then `try_candidates` (with `explain_refusals` when every
    /// candidate refuses), then `assemble_event`.
    /// `original`: the record untouched (`None`: its copy in `scratch`), read only when a
    /// float went into a string (`literals.rs`).
    fn decode_event<'s, 'l: 's>(
        &'s mut self,
        tape_buf: Tape<'l>,
        pos: Position,
        original: Option<&[u8]>,
    ) -> Result<Event<'s>, Error> {
        let tape: &[Node<'l>] = &tape_buf.0;
        // Empty, and `Vec<Val<'static>>` is a `Vec<Val<'l>>` (covariance): no recycling here.
        let mut vals: Vec<Val<'l>> = std::mem::take(&mut self.vals);
        let accepted = if !self.overflowed.is_empty() && !self.read_overflowed(tape, original) {
            Err(overflow::overflow_unread(pos))
        } else if matches!(tape.first(), Some(Node::Object { .. })) {
            self.try_candidates(tape, &mut vals, pos)
                .map_err(|e| self.refuse_with_literals(tape, &mut vals, original, e))
        } else {
            Err(self.not_an_object(tape, pos))
        };
        self.literals_read = false;
        if let (Ok(pi), true) = (&accepted, self.wants_literals) {
            self.decode_with_literals(tape, &mut vals, *pi, original);
        }
        // Every exit puts the tape back here, before the event borrows `self`.
        self.tape = tape_buf.reset();
        match accepted {
            Ok(pi) => Ok(self.assemble_event(pi, vals, pos)),
            Err(err) => {
                self.vals = recycle(vals);
                Err(err)
            }
        }
    }

    /// The reject of a record that is valid JSON but not an object.
    #[cold]
    fn not_an_object(&self, tape: &[Node<'_>], pos: Position) -> Error {
        let found = tape.first().map_or(crate::error::JsonType::Null, json_type);
        if self.plans.len() == 1 {
            Error::new(ErrorKind::Rejected {
                pos,
                log_type: self.plans[0].log_type.clone(),
                refusal: Refusal::NotAnObject(found),
            })
        } else {
            Error::new(ErrorKind::unclassified(
                pos,
                self.plans
                    .iter()
                    .map(|p| (p.log_type.clone(), Refusal::NotAnObject(found)))
                    .collect(),
            ))
        }
    }

    /// No candidate accepted the record: decode it again with details, in schema order, to
    /// say why each refused it.
    #[cold]
    pub(super) fn explain_refusals<'l>(
        &mut self,
        tape: &[Node<'l>],
        vals: &mut Vec<Val<'l>>,
        pos: Position,
    ) -> Error {
        let mut refusals: Vec<(Arc<str>, Refusal)> = Vec::with_capacity(self.n_json);
        self.wants_literals = false;
        for plan in &self.plans[..self.n_json] {
            vals.clear();
            self.text.clear();
            let mut dec = TapeDecoder::<Borrowed>::new(tape, vals, &mut self.text, true);
            if self.literals_read {
                dec = dec.with_literals(&self.literals);
            }
            if let Err(Fail::Detail(r)) = dec.object(&plan.root, 0) {
                refusals.push((plan.log_type.clone(), r));
            }
            // A refusal may quote a number as parsed (`refuse_with_literals`).
            self.wants_literals |= dec.wants_literals;
        }
        Error::new(ErrorKind::unclassified(pos, refusals))
    }

    /// The event of a record that plan `pi` accepted: its indicators and event time (one
    /// walk over the decoded values), its stamps and source.
    fn assemble_event<'s, 'l: 's>(
        &'s mut self,
        pi: usize,
        vals: Vec<Val<'l>>,
        pos: Position,
    ) -> Event<'s> {
        let plan: &Plan = &self.plans[pi];
        let text: &str = &self.text;
        let mut indicators: Indicators<'_> = self.indicators.take().unwrap_or_default();
        let mut event_time = None;
        enrich::walk_object(&plan.root, 0, &vals, text, &mut indicators, &mut event_time);
        indicators.finish();
        Event {
            plan,
            vals,
            text,
            indicators,
            event_time,
            parse_time: self.clock.now(),
            row_id: self.rows.next(),
            meta: &self.meta,
            position: pos,
        }
    }
}

/// Hand a text or mixed record's event, or its reject with the record untouched (`raw`), to
/// `sink` (a line consumed without an event goes to neither): what the sink returned, and
/// the event's buffers for reuse.
fn hand_over<S: Sink + ?Sized>(
    normalized: Result<Event<'_>, Error>,
    raw: &[u8],
    sink: &mut S,
) -> (Result<bool, S::Error>, Option<EventBuffers>) {
    match normalized {
        Ok(event) => {
            let result = sink.record(&event);
            (result, Some(event.into_buffers()))
        }
        Err(e) if e.classify() == crate::error::Category::Skipped => (Ok(true), None),
        Err(e) => (sink.rejected_record(&e, raw), None),
    }
}
