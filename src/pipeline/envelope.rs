//! API envelopes: find the records that an API page (`{"audit_logs":[...]}`) or a
//! single-record response (`{"audit_log":{...}}`) holds, and normalize them in place of
//! the enveloping object.
//!
//! The rules are in [the pipeline module](super#framing).

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use serde_json::value::RawValue;

use super::records::{offset_in, Capture, Ctx, LineCounter};
use crate::error::Position;
use crate::sink::Sink;

impl<S: Sink + ?Sized> Ctx<'_, S> {
    /// Normalize the records of an envelope found in the record at `page_pos`. A refused
    /// record inside it is rejected at its own position, naming the envelope's field: the
    /// refusal of the record inside says what is wrong with it, where the envelope's own
    /// refusal (no log type has a field named like the envelope's) would not.
    pub(super) fn unwrap(
        &mut self,
        data: &[u8],
        page_start: usize,
        env: &Envelope<'_>,
        page_pos: Position,
    ) -> Result<(), S::Error> {
        // The envelope was counted as one record by the caller; its records replace it.
        let elems = &env.elems;
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
            // A page element is numbered inside its page; a single-record response's
            // record keeps the envelope's place in the input.
            let index = (!env.single).then_some(i as u64);
            let pos = Position::new(
                page_pos.byte + r.start as u64,
                lines.line_at(page, r.start),
                index.unwrap_or(page_pos.record),
            );
            let range = page_start + r.start..page_start + r.end;
            let mut capture = Capture {
                inner: &mut *self.sink,
                summary: &mut *self.summary,
                held: None,
                // Elements are JSON objects, which no text log type skips.
                seen: false,
            };
            if !self
                .norm
                .normalize_bytes(&data[range.clone()], pos, &mut capture)?
            {
                self.stop = true;
            }
            if let Some(err) = capture.held {
                self.commit_reject_in(data, err, range, index, Some(env.field.as_ref()))?;
            }
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
    /// The field that holds the records.
    pub(super) fn field(&self) -> &str {
        &self.field
    }
}

/// The envelope `raw` is, if any. With `field`: that field, holding an array of objects (a
/// page) or an object (a single record). Without: the one field holding an array of
/// objects (other fields are paging data), or else, when the object has exactly one field
/// and it holds an object, that object.
pub(super) fn envelope<'r>(raw: &'r [u8], field: Option<&str>) -> Option<Envelope<'r>> {
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
