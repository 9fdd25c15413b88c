//! The worker side of the framing: split a chunk into records ([`process`]), stamp their
//! positions, normalize them into the sink and keep the rejects.
//!
//! The rules are in [the pipeline module](super#framing).

use std::ops::Range;
use std::sync::Arc;

use super::chunk::{Bufs, Chunk, Framing, Kind, RejectRec};
use super::envelope::{detect, envelope, Envelope};
use super::lines::LineCounter;
use super::split::Split;
use crate::error::{Category, Error, ErrorKind, Position};
use crate::event::Event;
use crate::parse::frame::{Line, Lines};
use crate::parse::Normalizer;
use crate::sink::{EventCounts, Sink, Summary};

/// Where a record goes while it is being normalized: events go through to the sink and
/// are counted; a reject is held, so the caller can still unwrap an envelope instead.
pub(super) struct Capture<'a, S: ?Sized> {
    pub(super) inner: &'a mut S,
    pub(super) summary: &'a mut Summary,
    /// The chunk's events by log type, folded into its summary at its end.
    pub(super) counts: &'a mut EventCounts,
    pub(super) held: Option<Error>,
    /// Whether the record reached the sink (as an event or a reject).
    pub(super) seen: bool,
}

impl<S: Sink + ?Sized> Sink for Capture<'_, S> {
    type Error = S::Error;

    fn record(&mut self, event: &Event<'_>) -> Result<bool, S::Error> {
        self.seen = true;
        self.counts.add_event(event.log_type(), self.summary);
        self.inner.record(event)
    }

    fn rejected(&mut self, err: &Error) -> Result<bool, S::Error> {
        self.seen = true;
        // The sink only lends the error: keep a copy.
        self.held = Some(err.clone());
        Ok(true)
    }
}

/// Everything [`process`] needs besides the data.
pub(super) struct Ctx<'a, S: ?Sized> {
    pub(super) norm: &'a mut Normalizer,
    pub(super) sink: &'a mut S,
    pub(super) summary: &'a mut Summary,
    pub(super) counts: EventCounts,
    rejects: &'a mut Vec<RejectRec>,
    framing: &'a Framing,
    /// Records seen in this chunk (the chunk-relative record index).
    pub(super) record: u64,
    /// Records of this input before the chunk, when known ([`process_numbered`]): the
    /// sink's rejects then number their records in the input, as the observer's do.
    records_before: u64,
    pub(super) stop: bool,
    /// Set when the chunk stopped at a big API page ([`Split`]).
    pub(super) split: Option<Split>,
}

/// Normalize every record of a chunk into `sink`, counting into `chunk.summary` and
/// collecting rejects in `chunk.bufs.rejects` (the sink's `rejected_record` is called too).
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
    process_numbered(norm, chunk, framing, sink, 0)
}

/// [`process`] for a sink that sees rejects, given how many records of the chunk's input
/// came before it (known when chunks are processed in order, on one thread).
///
/// # Errors
///
/// The sink's errors.
pub(crate) fn process_numbered<S: Sink + ?Sized>(
    norm: &mut Normalizer,
    chunk: &mut Chunk,
    framing: &Framing,
    sink: &mut S,
    records_before: u64,
) -> Result<(), S::Error> {
    let done = process_chunk(norm, chunk, framing, sink, records_before);
    // The chunk's first lines were told by the reader: a later in-order caller of this
    // normalizer (`normalize_bytes`, a `StreamNormalizer`) counts them by record again
    // (review finding: it lost lines to the run's last chunk).
    norm.first_lines_by_record();
    done
}

/// [`process_numbered`] but for what it leaves the normalizer as.
fn process_chunk<S: Sink + ?Sized>(
    norm: &mut Normalizer,
    chunk: &mut Chunk,
    framing: &Framing,
    sink: &mut S,
    records_before: u64,
) -> Result<(), S::Error> {
    // Text log types that read a CSV header learn this input's columns (a chunk may start
    // in the middle of its input). Not for the elements of a page (`split.rs`), objects
    // that only JSON log types take: the head may be that page, megabytes that a log type
    // waiting for its header would read again for every part.
    if !matches!(chunk.kind, Kind::Elements { .. }) {
        norm.start_input(chunk.head.as_deref());
    }
    // And where the input's first lines are, for `skipLines`: this chunk's records are
    // numbered from its start, and the parts of a page (which carry what its chunk said)
    // from the page's (review s38-h2: a part's elements were told by their index in the
    // page, as if each were a line of the input).
    norm.first_lines_at(&chunk.first_lines);
    norm.begin_chunk();
    let Bufs {
        data,
        rejects,
        records,
        ..
    } = &mut chunk.bufs;
    let mut summary = Summary {
        bytes: chunk.bytes,
        ..Summary::default()
    };
    let mut ctx = Ctx {
        norm,
        sink,
        summary: &mut summary,
        counts: EventCounts::default(),
        rejects,
        framing,
        record: 0,
        records_before,
        stop: false,
        split: None,
    };
    let base = (chunk.byte, chunk.line);
    let page = chunk.page.clone();
    match chunk.kind {
        Kind::Lines => ctx.lines(data, base)?,
        Kind::Document => ctx.document(data, records, base)?,
        Kind::TooLong { len } => {
            let pos = Position::new(chunk.byte, chunk.line, 0);
            let err = Error::new(ErrorKind::TooLong {
                pos,
                len,
                max: framing.max_record_bytes,
            });
            ctx.record = 1;
            ctx.commit_reject(data, err, 0..0, None)?;
        }
        Kind::Elements { first } => {
            ctx.elements(
                data,
                records,
                base,
                first,
                page.as_deref().unwrap_or_default(),
            )?;
        }
        Kind::Blank => ctx.summary.blank_lines += 1,
        Kind::Empty => {}
    }
    chunk.classified = ctx.norm.end_chunk();
    chunk.stop = ctx.stop;
    chunk.split = ctx.split;
    ctx.counts.fold_into(ctx.summary);
    chunk.summary = summary;
    Ok(())
}

impl<S: Sink + ?Sized> Ctx<'_, S> {
    /// Frame `data[from..]` as NDJSON lines; `base` is the position of `data[0]`.
    fn lines(&mut self, data: &[u8], base: (u64, u64)) -> Result<(), S::Error> {
        let mut lines = Lines::new(data, Position::new(base.0, base.1, self.record));
        while !self.stop && self.split.is_none() {
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

    /// A chunk of a whole-document input's records: JSON values that the reader checked,
    /// at `records` in `data`.
    fn document(
        &mut self,
        data: &[u8],
        records: &[Range<usize>],
        base: (u64, u64),
    ) -> Result<(), S::Error> {
        let mut lines = LineCounter {
            at: 0,
            line: base.1,
        };
        for range in records {
            if self.stop || self.split.is_some() {
                break;
            }
            let pos = Position::new(
                base.0 + range.start as u64,
                lines.line_at(data, range.start),
                self.record,
            );
            self.record += 1;
            self.record_or_page(data, range.clone(), pos)?;
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
            // An API page read whole (a pretty-printed document, up to the document limit)
            // holds the records the limit is for: its elements are checked one by one. As
            // one record, a page of 16 MiB lost every record to one reject (review s43-h3).
            if let Some(env) = self.long_page(raw) {
                return self.unwrap(data, range, env, pos);
            }
            if self.norm.long_header(raw, pos).is_some() {
                self.summary.skipped_lines += 1;
                return Ok(());
            }
            let err = Error::new(ErrorKind::TooLong {
                pos,
                len: raw.len(),
                max: self.framing.max_record_bytes,
            });
            return self.commit_reject(data, err, range, None);
        }
        let is_object = raw.first() == Some(&b'{');
        if is_object {
            if let Some(field) = self.framing.envelope.as_deref() {
                if let Some(env) = envelope(raw, field) {
                    return self.unwrap(data, range, env, pos);
                }
            }
        }
        let mut capture = Capture {
            inner: &mut *self.sink,
            summary: &mut *self.summary,
            counts: &mut self.counts,
            held: None,
            seen: false,
        };
        if !self.norm.normalize_bytes(raw, pos, &mut capture)? {
            self.stop = true;
        }
        // The normalizer hands every line to the sink but one a text log type consumes on
        // purpose (skipLines, skipPrefix, a CSV header): count those apart, as blank lines.
        if !capture.seen {
            capture.summary.skipped_lines += 1;
        }
        let Some(err) = capture.held else {
            return Ok(());
        };
        if is_object && err.classify() == Category::Data {
            match self.framing.envelope.as_deref() {
                // Only an object none of whose keys a JSON log type has: a record of a
                // user's schema that holds an array (of objects, or empty) is that record,
                // refused, not a page of its items.
                None => {
                    if let Some(env) = detect(raw, |k| self.norm.has_json_field(k)) {
                        return self.unwrap(data, range, env, pos);
                    }
                }
                // Not the page the caller said to expect: say so, with the record's refusal.
                Some(field) => {
                    let err = Error::new(ErrorKind::NotAPage {
                        field: field.into(),
                        record: err,
                    });
                    return self.commit_reject(data, err, range, None);
                }
            }
        }
        self.commit_reject(data, err, range, None)
    }

    /// The page an object longer than the record limit is, if it is one: an envelope of
    /// the run's field, or (none given) one whose keys are none of them a top-level field
    /// of a JSON log type (a page's are its records' field, `meta`, `next_page`, `count`).
    /// A record that long is refused anyway, so it is not tried first; one holding a field
    /// of a log type is a record of it, too long (not a page of its array's items: review
    /// s43-h5 HIGH-1); a single-record response that long is that record, too long.
    fn long_page<'r>(&self, raw: &'r [u8]) -> Option<Envelope<'r>> {
        if raw.first() != Some(&b'{') {
            return None;
        }
        match self.framing.envelope.as_deref() {
            Some(field) => envelope(raw, field),
            None => detect(raw, |k| self.norm.has_json_field(k)),
        }
        .filter(Envelope::is_page)
    }

    pub(super) fn commit_reject(
        &mut self,
        data: &[u8],
        err: Error,
        raw: Range<usize>,
        index: Option<u64>,
    ) -> Result<(), S::Error> {
        self.commit_reject_in(data, err, raw, index, None)
    }

    /// Count and keep a reject, whose record is `data[raw]`; `field` names the envelope
    /// field it came from.
    pub(super) fn commit_reject_in(
        &mut self,
        data: &[u8],
        err: Error,
        raw: Range<usize>,
        index: Option<u64>,
        field: Option<&str>,
    ) -> Result<(), S::Error> {
        self.summary.add_reject(err.code());
        // The sink gets the bytes the observer will (`Reject::raw`), and the record's number
        // in its input as the observer will (a record of an API page keeps its index).
        let shifted;
        let numbered = if index.is_none() && self.records_before > 0 {
            shifted = err.with_record_offset(self.records_before);
            &shifted
        } else {
            &err
        };
        if !self.sink.rejected_record(numbered, &data[raw.clone()])? {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::chunker::Chunker;
    use crate::pipeline::input::Input;
    use crate::registry::Registry;
    use crate::sink::Collect;
    use crate::NormalizerBuilder;

    fn framing(chunk: usize, max: usize) -> Framing {
        Framing::for_tests(chunk, max)
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

    /// An element of a page that is not an object is rejected on its own, and the page's
    /// other records are normalized: the page was one refused record before, and a pull
    /// lost every record of it (review finding). An array none of whose elements is an
    /// object is no page unless the envelope was asked for.
    #[test]
    fn an_element_that_is_not_an_object_is_rejected_alone() {
        let page = format!("{{\"activity_logs\":[{A},null,42,{A}],\"next_page_token\":\"\"}}\n");
        for envelope in [None, Some("activity_logs")] {
            let (_, s, rejects) = normalize(page.as_bytes(), envelope);
            assert_eq!(
                (s.records, s.normalized, s.rejected),
                (4, 2, 2),
                "{envelope:?}"
            );
            assert_eq!(rejects, ["Some(1) null", "Some(2) 42"], "{envelope:?}");
        }
        let (sink, s, _) = normalize(b"{\"tags\":[1,2]}\n", None);
        assert_eq!((s.records, s.rejected), (1, 1));
        assert!(
            sink.rejects[0].starts_with("record 0 (line 1"),
            "{:?}",
            sink.rejects
        );
        let (_, s, rejects) = normalize(b"{\"tags\":[1,2]}\n", Some("tags"));
        assert_eq!((s.records, s.rejected), (2, 2));
        assert_eq!(rejects, ["Some(0) 1", "Some(1) 2"]);
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
            msg.contains(r#"not an envelope: no "audit_logs" field holding records (the envelope field asked for); as a record: no log type accepted the record: "#),
            "{msg}"
        );
        assert!(msg.starts_with("record 0 (line 1, byte 0)"), "{msg}");
    }
}
