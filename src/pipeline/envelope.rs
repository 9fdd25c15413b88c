//! API envelopes: find the records that an API page (`{"audit_logs":[...]}`) or a
//! single-record response (`{"audit_log":{...}}`) holds, and normalize them in place of
//! the enveloping object.
//!
//! The rules are in [the pipeline module](super#framing).

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use serde_json::value::RawValue;

use super::lines::{offset_in, LineCounter};
use super::records::{Capture, Ctx};
use super::split::Split;
use crate::error::Position;
use crate::sink::Sink;

impl<S: Sink + ?Sized> Ctx<'_, S> {
    /// Normalize the records of an envelope found in the record `data[page]` at
    /// `page_pos`. A refused record inside it is rejected at its own position, naming the
    /// envelope's field: the refusal of the record inside says what is wrong with it, where
    /// the envelope's own refusal (no log type has a field named like the envelope's) would
    /// not. A page of more elements than a chunk holds stops the chunk instead ([`Split`]).
    pub(super) fn unwrap(
        &mut self,
        data: &[u8],
        page: Range<usize>,
        env: Envelope<'_>,
        page_pos: Position,
    ) -> Result<(), S::Error> {
        if !env.single && Split::needed(env.elems.len()) {
            let mut elems = env.elems;
            for r in &mut elems {
                *r = page.start + r.start..page.start + r.end;
            }
            self.split = Some(Split::new(&env.field, elems, page.end));
            return Ok(());
        }
        let elems = &env.elems;
        if elems.is_empty() && !env.single {
            self.summary.empty_pages += 1;
        }
        // The envelope was counted as one record by the caller; its records replace it.
        self.record = self.record - 1 + elems.len() as u64;
        let mut lines = LineCounter {
            at: page.start,
            line: page_pos.line,
        };
        for (i, r) in elems.iter().enumerate() {
            if self.stop {
                break;
            }
            // A page element is numbered inside its page; a single-record response's
            // record keeps the envelope's place in the input.
            let index = (!env.single).then_some(i as u64);
            let range = page.start + r.start..page.start + r.end;
            let pos = Position::new(
                page_pos.byte + r.start as u64,
                lines.line_at(data, range.start),
                index.unwrap_or(page_pos.record),
            );
            self.element(data, range, pos, index, &env.field)?;
        }
        Ok(())
    }

    /// Normalize the elements of an API page at `records` in `data` (a part of a big page,
    /// [`Kind::Elements`](super::chunk::Kind::Elements)), the first being element `first`
    /// of the page of `field`; `base` is the position of `data[0]`.
    pub(super) fn elements(
        &mut self,
        data: &[u8],
        records: &[Range<usize>],
        base: (u64, u64),
        first: u64,
        field: &str,
    ) -> Result<(), S::Error> {
        let mut lines = LineCounter {
            at: 0,
            line: base.1,
        };
        for (index, range) in (first..).zip(records) {
            if self.stop {
                break;
            }
            self.record += 1;
            let pos = Position::new(
                base.0 + range.start as u64,
                lines.line_at(data, range.start),
                index,
            );
            self.element(data, range.clone(), pos, Some(index), field)?;
        }
        Ok(())
    }

    /// Normalize the envelope's record `data[range]`, element `index` of its page.
    fn element(
        &mut self,
        data: &[u8],
        range: Range<usize>,
        pos: Position,
        index: Option<u64>,
        field: &str,
    ) -> Result<(), S::Error> {
        let mut capture = Capture {
            inner: &mut *self.sink,
            summary: &mut *self.summary,
            counts: &mut self.counts,
            held: None,
            seen: false,
        };
        if !self
            .norm
            .normalize_bytes(&data[range.clone()], pos, &mut capture)?
        {
            self.stop = true;
        }
        // An element that a text log type consumed on purpose (a string among the first
        // `skipLines` lines, with its page) took a record index: counted apart, as a line.
        if !capture.seen {
            capture.summary.skipped_lines += 1;
        }
        if let Some(err) = capture.held {
            self.commit_reject_in(data, err, range, index, Some(field))?;
        }
        Ok(())
    }
}

/// The records of an API envelope, as ranges relative to the enveloping object.
#[derive(Debug)]
pub(super) struct Envelope<'r> {
    /// The field that holds them.
    field: Cow<'r, str>,
    elems: Vec<Range<usize>>,
    /// A single-record response (`{"audit_log": {...}}`): the field holds one object.
    single: bool,
}

impl Envelope<'_> {
    /// A page (an array of records), not a single-record response.
    pub(super) fn is_page(&self) -> bool {
        !self.single
    }
}

/// The envelope of field `field` that `raw` is, if any: that field, holding an array (a
/// page, whatever its elements) or an object (a single record).
pub(super) fn envelope<'r>(raw: &'r [u8], field: &str) -> Option<Envelope<'r>> {
    let map = keys(raw)?;
    let (k, v) = map.get_key_value(field)?;
    match page(raw, v) {
        Some(elems) => Some(Envelope {
            field: k.clone(),
            elems,
            single: false,
        }),
        None => single(raw, k, v),
    }
}

/// The fields that hold the records of the vendors' API pages: Zendesk's audit logs, Zoom's
/// sign-in and operation reports.
const PAGE_FIELDS: &[&str] = &["audit_logs", "activity_logs", "operation_logs"];

/// The field that holds the record of Zendesk's "show audit log" response.
const SINGLE_FIELDS: &[&str] = &["audit_log"];

/// The envelope `raw` is, found without being told its field (`is_field`: whether a key
/// is a top-level field of a JSON log type tried): a page, when exactly one of its fields
/// is a page field of the vendors ([`PAGE_FIELDS`]) and holds an array (every element a
/// record; none, an empty page: a pull's last); a single-record response, when its only
/// field is one of [`SINGLE_FIELDS`] and holds an object. Never when that field is a log
/// type's: the object is then a record of that type, refused.
///
/// Only the vendors' own fields: guessed from the object's shape (an array of objects
/// under a key no schema names, beside keys that look like paging data), a refused record
/// of a user's schema with `"groups":[]` or `"thread":[{..}]` was taken for a page, and
/// vanished as an empty one or was replaced by its items; each refinement of the guess
/// was met by another record's shape (reviews s45-h2 HIGH-1, s45-h5 MEDIUM-2, s45-h6
/// HIGH-2, s45-h9 HIGH-1). Pages of other APIs are unwrapped with `--envelope FIELD`.
///
/// Every element of a page is a record, and one that is not an object (`null`, a number)
/// is rejected on its own: it used to make the whole page one refused record, so that
/// `normalog pull` lost a page of a hundred records to one bad element.
pub(super) fn detect(raw: &[u8], is_field: impl Fn(&str) -> bool) -> Option<Envelope<'_>> {
    let map = keys(raw)?;
    let mut found = None;
    for (k, v) in &map {
        if !PAGE_FIELDS.contains(&&**k) {
            continue;
        }
        if let Some(elems) = page(raw, v) {
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
    let env = if let Some(env) = found {
        env
    } else {
        let (k, v) = map.iter().next().filter(|_| map.len() == 1)?;
        single(raw, k, v).filter(|_| SINGLE_FIELDS.contains(&&**k))?
    };
    (!is_field(&env.field)).then_some(env)
}

/// The top-level keys of the object `raw`, and their values.
fn keys(raw: &[u8]) -> Option<HashMap<Cow<'_, str>, &RawValue>> {
    serde_json::from_slice(raw).ok()
}

/// Where `v` is in `raw`.
fn range(raw: &[u8], v: &RawValue) -> Range<usize> {
    let off = offset_in(raw, v.get().as_bytes());
    off..off + v.get().len()
}

/// The elements of `v` when it is an array: the records of a page whose field is known
/// (named with `--envelope`, or a vendor's), whatever they are.
fn page(raw: &[u8], v: &RawValue) -> Option<Vec<Range<usize>>> {
    if !v.get().starts_with('[') {
        return None;
    }
    let elems: Vec<&RawValue> = serde_json::from_str(v.get()).ok()?;
    Some(elems.iter().map(|e| range(raw, e)).collect())
}

/// `v` as a single-record response of field `k`, when it is an object.
fn single<'r>(raw: &[u8], k: &Cow<'r, str>, v: &RawValue) -> Option<Envelope<'r>> {
    v.get().starts_with('{').then(|| Envelope {
        field: k.clone(),
        elems: vec![range(raw, v)],
        single: true,
    })
}
