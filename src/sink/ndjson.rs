//! NDJSON output: one JSON object per event, one event per line.
//!
//! # Format
//!
//! Each line is a JSON object with, in this order:
//!
//! 1. the schema's fields, in schema order, nested objects and arrays likewise. Missing and
//!    `null` values, empty arrays and input keys the schema does not name are omitted. A
//!    present object whose fields are all absent is written `{}`.
//! 2. `p_log_type`, `p_row_id`, `p_event_time`, `p_parse_time`, `p_schema_version`, then
//!    `p_source_id` and `p_source_label` when given.
//! 3. the `p_any_*` indicator arrays that are not empty, in Panther's column order
//!    (`p_any_ip_addresses`, `p_any_domain_names`, `p_any_md5_hashes`, `p_any_sha1_hashes`,
//!    `p_any_sha256_hashes`, `p_any_trace_ids`, `p_any_aws_account_ids`,
//!    `p_any_aws_instance_ids`, `p_any_aws_arns`, `p_any_aws_tags`, `p_any_emails`,
//!    `p_any_usernames`), each sorted byte-wise and deduplicated.
//!
//! Values: strings as JSON strings (numbers that arrived in string fields keep their text);
//! `int`/`smallint`/`bigint` as integers; `float` as numbers; `boolean` as `true`/`false`;
//! `json` as the value's compact JSON; timestamps (fields and `p_*` times) as RFC3339 UTC,
//! `2023-07-01T14:00:00Z`, with fractional digits only when not zero — or, with
//! [`TimeLayout::Panther`], Panther's data-lake layout `2023-07-01 14:00:00.000000000`.
//! Input is valid UTF-8 (simd-json checks it), so output is too. Output is byte-for-byte
//! deterministic except `p_row_id` and `p_parse_time`.
//!
//! # Directory layout
//!
//! [`NdjsonWriter`] writes one stream;
//! [`NdjsonDirWriter`](super::ndjson_dir::NdjsonDirWriter) writes the same lines into the
//! data-lake layout of [`super::layout`], one table per log type, partitioned by event
//! time: `DIR/zoom_activity/year=2023/month=07/day=01/hour=14/part-0.ndjson`.

use std::io::{self, Write};

use simd_json::StaticNode;

use crate::compile::{Decoder, ObjectPlan, ValuePlan};
use crate::event::{
    Event, Val, P_EVENT_TIME, P_LOG_TYPE, P_PARSE_TIME, P_ROW_ID, P_SCHEMA_VERSION, P_SOURCE_ID,
    P_SOURCE_LABEL,
};
use crate::indicators::Column;
use crate::time::{write_panther, write_rfc3339, Timestamp};

/// How timestamps are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TimeLayout {
    /// `2023-07-01T14:00:00Z` (fraction only when not zero).
    #[default]
    Rfc3339,
    /// `2023-07-01 14:00:00.000000000`, Panther's data-lake layout.
    Panther,
}

/// NDJSON writing options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Timestamp layout.
    pub time_layout: TimeLayout,
}

/// A [`Sink`](super::Sink) writing events as NDJSON to any `io::Write`.
#[derive(Debug)]
pub struct NdjsonWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
    opts: Options,
}

/// Flush the line buffer to the writer when it grows past this.
const FLUSH_AT: usize = 64 * 1024;

impl<W: Write> NdjsonWriter<W> {
    /// A writer with default options.
    pub fn new(out: W) -> Self {
        Self::with_options(out, Options::default())
    }

    /// A writer with the given options.
    pub fn with_options(out: W, opts: Options) -> Self {
        NdjsonWriter {
            out,
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            opts,
        }
    }

    /// Write one event (buffered).
    ///
    /// # Errors
    ///
    /// I/O errors of the underlying writer.
    pub fn write(&mut self, event: &Event<'_>) -> io::Result<()> {
        write_event(&mut self.buf, event, self.opts);
        self.buf.push(b'\n');
        if self.buf.len() >= FLUSH_AT {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Write buffered output through and flush the writer.
    ///
    /// # Errors
    ///
    /// I/O errors of the underlying writer.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()
    }

    /// Flush and return the writer.
    ///
    /// # Errors
    ///
    /// I/O errors of the underlying writer.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> super::Sink for NdjsonWriter<W> {
    type Error = crate::Error;
    fn record(&mut self, event: &Event<'_>) -> Result<bool, crate::Error> {
        self.write(event)?;
        Ok(true)
    }
    fn finish(&mut self, _summary: &super::Summary) -> Result<(), crate::Error> {
        self.flush()?;
        Ok(())
    }
}

// The event's JSON methods live here, beside the format they write, so `event` does not
// depend on `sink`.
impl Event<'_> {
    /// The event as one JSON object (no newline), in the format described in
    /// [this module](self).
    #[must_use]
    pub fn to_json(&self, opts: Options) -> String {
        let mut buf = Vec::with_capacity(256);
        write_event(&mut buf, self, opts);
        // write_event writes only valid UTF-8 (input strings are validated by simd-json).
        String::from_utf8(buf).unwrap_or_default()
    }

    /// Write the event as one NDJSON line (with its newline) to any writer.
    ///
    /// # Errors
    ///
    /// The writer's errors.
    pub fn write_ndjson<W: Write + ?Sized>(&self, w: &mut W, opts: Options) -> io::Result<()> {
        let mut buf = Vec::with_capacity(256);
        write_event(&mut buf, self, opts);
        buf.push(b'\n');
        w.write_all(&buf)
    }

    /// An owned copy that outlives the input buffer and the normalizer.
    #[must_use]
    pub fn to_owned_event(&self) -> OwnedEvent {
        OwnedEvent {
            log_type: self.log_type().to_owned(),
            row_id: self.row_id().to_owned(),
            event_time: self.event_time(),
            parse_time: self.parse_time(),
            json: self.to_json(Options::default()),
        }
    }
}

/// An event that owns its data: what to keep when an [`Event`] must outlive its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedEvent {
    /// `p_log_type`.
    pub log_type: String,
    /// `p_row_id`.
    pub row_id: String,
    /// `p_event_time`.
    pub event_time: Timestamp,
    /// `p_parse_time`.
    pub parse_time: Timestamp,
    /// The whole event as a JSON object (RFC3339 timestamps).
    pub json: String,
}

impl OwnedEvent {
    /// The event as a `serde_json::Value`.
    ///
    /// # Errors
    ///
    /// None in practice: `json` is written by this crate and is valid JSON.
    pub fn to_value(&self) -> serde_json::Result<serde_json::Value> {
        serde_json::from_str(&self.json)
    }
}

/// Append one event as a JSON object (no newline).
pub fn write_event(out: &mut Vec<u8>, ev: &Event<'_>, opts: Options) {
    let (plan, vals) = ev.root();
    out.push(b'{');
    let mut first = write_fields(out, ev, plan, 0, vals, opts);
    let mut key = |out: &mut Vec<u8>, name: &str| {
        if !first {
            out.push(b',');
        }
        first = false;
        out.push(b'"');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
    };
    key(out, P_LOG_TYPE);
    write_json_str(out, ev.log_type());
    key(out, P_ROW_ID);
    write_json_str(out, ev.row_id());
    key(out, P_EVENT_TIME);
    write_time(out, &ev.event_time(), opts);
    key(out, P_PARSE_TIME);
    write_time(out, &ev.parse_time(), opts);
    key(out, P_SCHEMA_VERSION);
    write_i64(out, ev.schema_version());
    if let Some(id) = &ev.source().id {
        key(out, P_SOURCE_ID);
        write_json_str(out, id);
    }
    if let Some(label) = &ev.source().label {
        key(out, P_SOURCE_LABEL);
        write_json_str(out, label);
    }
    for &col in &Column::ALL {
        let values = ev.indicators(col);
        if values.is_empty() {
            continue;
        }
        key(out, col.name());
        out.push(b'[');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_json_str(out, v);
        }
        out.push(b']');
    }
    out.push(b'}');
}

/// Writes the present fields of an object (without braces); returns true if none was written.
fn write_fields(
    out: &mut Vec<u8>,
    ev: &Event<'_>,
    plan: &ObjectPlan,
    start: usize,
    vals: &[Val<'_>],
    opts: Options,
) -> bool {
    let mut first = true;
    for (i, f) in plan.fields.iter().enumerate() {
        let v = vals[start + i];
        if !v.is_written() {
            continue;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        out.extend_from_slice(&f.json_key);
        write_value(out, ev, &f.value, v, vals, opts);
    }
    first
}

fn write_value(
    out: &mut Vec<u8>,
    ev: &Event<'_>,
    plan: &ValuePlan,
    v: Val<'_>,
    vals: &[Val<'_>],
    opts: Options,
) {
    match v {
        Val::Absent | Val::Empty => out.extend_from_slice(b"null"),
        Val::Str(s) => write_json_str(out, s),
        Val::Text { start, end } => write_json_str(out, ev.text_of(start, end)),
        Val::Json { start, end } => out.extend_from_slice(ev.text_of(start, end).as_bytes()),
        Val::Int(i) => write_i64(out, i),
        Val::Float(f) => write_f64(out, f),
        Val::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        Val::Time(t) => write_time(out, &t, opts),
        Val::Object { start } => {
            out.push(b'{');
            if let Decoder::Object(o) = &plan.decoder {
                write_fields(out, ev, o, start as usize, vals, opts);
            }
            out.push(b'}');
        }
        Val::Array { start, len } => {
            out.push(b'[');
            if let Decoder::Array(e) = &plan.decoder {
                for k in 0..len {
                    if k > 0 {
                        out.push(b',');
                    }
                    write_value(out, ev, e, vals[(start + k) as usize], vals, opts);
                }
            }
            out.push(b']');
        }
    }
}

fn write_time(out: &mut Vec<u8>, t: &Timestamp, opts: Options) {
    out.push(b'"');
    match opts.time_layout {
        TimeLayout::Rfc3339 => write_rfc3339(t, out),
        TimeLayout::Panther => write_panther(t, out),
    }
    out.push(b'"');
}

fn write_i64(out: &mut Vec<u8>, i: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(i).as_bytes());
}

/// Floats: integral values print without a fraction (`3`), others in the shortest form that
/// reads back the same; JSON has no NaN or infinity, and decoding never produces them.
pub(crate) fn write_f64(out: &mut Vec<u8>, f: f64) {
    if f.is_finite() {
        let _ = write!(out, "{f}");
    } else {
        out.extend_from_slice(b"null");
    }
}

/// A tape scalar as JSON.
pub(crate) fn write_static(out: &mut Vec<u8>, n: StaticNode) {
    match n {
        StaticNode::I64(i) => write_i64(out, i),
        StaticNode::U64(u) => out.extend_from_slice(itoa::Buffer::new().format(u).as_bytes()),
        StaticNode::F64(f) => {
            if f.is_finite() {
                let _ = write!(out, "{f:?}");
            } else {
                out.extend_from_slice(b"null");
            }
        }
        StaticNode::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        StaticNode::Null => out.extend_from_slice(b"null"),
    }
}

/// Append `s` as a JSON string literal.
pub fn write_json_str(out: &mut Vec<u8>, s: &str) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut clean = 0;
    let mut i = 0;
    // Eight bytes at a time: most strings need no escaping at all.
    while i + 8 <= bytes.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[i..i + 8]);
        if !needs_escape(u64::from_le_bytes(w)) {
            i += 8;
            continue;
        }
        for k in i..i + 8 {
            if let Some(esc) = escape(bytes[k]) {
                out.extend_from_slice(&bytes[clean..k]);
                push_escape(out, bytes[k], esc);
                clean = k + 1;
            }
        }
        i += 8;
    }
    for k in i..bytes.len() {
        if let Some(esc) = escape(bytes[k]) {
            out.extend_from_slice(&bytes[clean..k]);
            push_escape(out, bytes[k], esc);
            clean = k + 1;
        }
    }
    out.extend_from_slice(&bytes[clean..]);
    out.push(b'"');
}

/// Whether any byte of the word is a control character, `"` or `\\` (SWAR: a zero byte
/// test on the word and on its XORs with the two quotable characters).
#[inline]
fn needs_escape(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    // Bytes below 0x20: subtracting 0x20 borrows into the high bit (for bytes without it).
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    (control | has_zero(w ^ (ONES * u64::from(b'"'))) | has_zero(w ^ (ONES * u64::from(b'\\'))))
        != 0
}

/// The escape of a byte: `Some(b"")` for a `\\u00XX` escape, `None` for none.
#[inline]
fn escape(b: u8) -> Option<&'static [u8]> {
    match b {
        b'"' => Some(b"\\\""),
        b'\\' => Some(b"\\\\"),
        b'\n' => Some(b"\\n"),
        b'\r' => Some(b"\\r"),
        b'\t' => Some(b"\\t"),
        0x08 => Some(b"\\b"),
        0x0c => Some(b"\\f"),
        0..=0x1f => Some(b""),
        _ => None,
    }
}

#[cold]
fn push_escape(out: &mut Vec<u8>, b: u8, esc: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    if esc.is_empty() {
        out.extend_from_slice(b"\\u00");
        out.push(HEX[(b >> 4) as usize]);
        out.push(HEX[(b & 0xf) as usize]);
    } else {
        out.extend_from_slice(esc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_strings() {
        let mut out = Vec::new();
        write_json_str(&mut out, "a\"b\\c\nd\u{1}é");
        assert_eq!(String::from_utf8(out).unwrap(), r#""a\"b\\c\nd\u0001é""#);
    }

    #[test]
    fn escapes_like_serde_json_at_every_offset() {
        let specials = [
            "\"", "\\", "\n", "\u{1}", "\u{1f}", "é", "\t", " ", "~", "\u{7f}",
        ];
        for pad in 0..17 {
            for sp in specials {
                let s = format!("{}{sp}{}", "a".repeat(pad), "b".repeat(17 - pad));
                let mut out = Vec::new();
                write_json_str(&mut out, &s);
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    serde_json::to_string(&s).unwrap()
                );
            }
        }
    }

    #[test]
    fn floats() {
        let mut out = Vec::new();
        write_f64(&mut out, 3.0);
        out.push(b' ');
        write_f64(&mut out, 0.25);
        assert_eq!(out, b"3 0.25");
    }
}
