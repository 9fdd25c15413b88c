//! NDJSON output: one JSON object per event, one event per line.
//!
//! This module owns [`NdjsonWriter`], [`write_event`] (an event's fields, standard fields
//! and indicators, in the format below), a cache of the most recent timestamp texts, and
//! [`Event`]'s JSON methods with [`OwnedEvent`]. It writes with the crate's shared JSON text
//! primitives (the string escaper, scalars, pre-escaped keys), which also serve `compile`
//! and `parse` and so live in a leaf module of their own; [`write_json_str`] is re-exported
//! here.
//!
//! # Format
//!
//! Each line is a JSON object with, in this order:
//!
//! 1. the schema's fields, in schema order, nested objects and arrays likewise. Missing and
//!    `null` values, empty arrays and input keys the schema does not name are omitted. A
//!    present object whose fields are all absent is written `{}`. Array elements keep
//!    their places: a `null` one (or `""` in an array of numbers, booleans or timestamps)
//!    is written `null`, an empty inner array `[]`.
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
//! time: `DIR/zoom_activity/year=2023/month=7/day=1/hour=14/part-0.ndjson`.

use std::cell::Cell;
use std::io::{self, Write};
use std::sync::LazyLock;

use crate::compile::{Decoder, ObjectPlan, ValuePlan};
use crate::event::{Event, Val, P_SOURCE_ID, P_SOURCE_LABEL};
use crate::indicators::Column;
use crate::json::{write_f64, write_i64, write_key_str, JsonKey};
use crate::time::{write_panther, write_rfc3339, Timestamp};

pub use crate::json::write_json_str;

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
#[non_exhaustive]
pub struct Options {
    /// Timestamp layout.
    pub time_layout: TimeLayout,
}

/// A [`Sink`](super::Sink) writing events as NDJSON to any `io::Write`.
///
/// Lines are buffered (64 KiB). Like `std::io::BufWriter`, it writes what it holds when
/// dropped, but an error then is lost: call [`flush`](Self::flush) or
/// [`into_inner`](Self::into_inner) (or let [`Batch`](crate::pipeline::Batch) call
/// [`Sink::finish`](super::Sink::finish)) to see it.
#[derive(Debug)]
pub struct NdjsonWriter<W: Write> {
    /// `None` only once [`into_inner`](Self::into_inner) took it.
    out: Option<W>,
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
            out: Some(out),
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
            self.write_through()?;
        }
        Ok(())
    }

    /// Write the buffered lines to the writer.
    fn write_through(&mut self) -> io::Result<()> {
        if let Some(out) = self.out.as_mut() {
            out.write_all(&self.buf)?;
        }
        self.buf.clear();
        Ok(())
    }

    /// Write buffered output through and flush the writer.
    ///
    /// # Errors
    ///
    /// I/O errors of the underlying writer.
    pub fn flush(&mut self) -> io::Result<()> {
        self.write_through()?;
        self.out.as_mut().map_or(Ok(()), Write::flush)
    }

    /// Flush and return the writer.
    ///
    /// # Errors
    ///
    /// I/O errors of the underlying writer.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.flush()?;
        // Always there: only this method, which consumes the writer, takes it.
        self.out
            .take()
            .ok_or_else(|| io::Error::other("the NDJSON writer's output was taken"))
    }
}

impl<W: Write> Drop for NdjsonWriter<W> {
    /// Write what is buffered, as `BufWriter` does: an embedder who forgets to flush loses
    /// no lines (an error here has nowhere to go).
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            let _ = self.flush();
        }
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
        // Loud in tests; a public method does not panic on it.
        let json = String::from_utf8(buf);
        debug_assert!(json.is_ok(), "invariant: write_event writes UTF-8");
        json.unwrap_or_default()
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
    let open = out.len();
    write_fields(out, ev, plan, 0, vals, opts);
    // The first field's leading comma becomes the brace; the standard fields follow.
    if out.len() == open {
        out.push(b'{');
    } else {
        out[open] = b'{';
        out.push(b',');
    }
    // The standard fields are always there: their keys and the log type are constant
    // bytes, and the row id needs no escaping (hex digits).
    out.extend_from_slice(&ev.plan.json_head);
    out.extend_from_slice(&ev.row_id);
    out.extend_from_slice(EVENT_TIME_KEY);
    write_time(out, &ev.event_time(), opts, Role::Field);
    out.extend_from_slice(PARSE_TIME_KEY);
    write_time(out, &ev.parse_time(), opts, Role::Parse);
    out.extend_from_slice(SCHEMA_VERSION_KEY);
    write_i64(out, ev.schema_version());
    let key = |out: &mut Vec<u8>, name: &str| {
        out.extend_from_slice(b",\"");
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
    };
    if let Some(id) = &ev.source().id {
        key(out, P_SOURCE_ID);
        write_json_str(out, id);
    }
    if let Some(label) = &ev.source().label {
        key(out, P_SOURCE_LABEL);
        write_json_str(out, label);
    }
    // Only the columns the schema's scanners can fill (in `Column` order, as `ALL`).
    for &col in ev.plan.indicator_columns() {
        let values = ev.indicators(col);
        if values.is_empty() {
            continue;
        }
        INDICATOR_KEYS[col.index()].write(out);
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

/// `,"p_any_…":` of each indicator column, by [`Column::index`]: one copy of fixed size,
/// where the name alone took a call to memcpy (measured: 22 instructions per event).
static INDICATOR_KEYS: LazyLock<[JsonKey; Column::ALL.len()]> =
    LazyLock::new(|| Column::ALL.map(|c| JsonKey::new(c.name())));

/// What comes between the row id and the event time, the two times (written with their
/// quotes), and the parse time and the schema version (checked against the `P_*` names by a
/// test).
const EVENT_TIME_KEY: &[u8; 17] = b"\",\"p_event_time\":";
const PARSE_TIME_KEY: &[u8; 16] = b",\"p_parse_time\":";
const SCHEMA_VERSION_KEY: &[u8; 20] = b",\"p_schema_version\":";

/// Writes the present fields of an object, each as `,"name":value`.
fn write_fields(
    out: &mut Vec<u8>,
    ev: &Event<'_>,
    plan: &ObjectPlan,
    start: usize,
    vals: &[Val<'_>],
    opts: Options,
) {
    for (f, &v) in plan
        .fields
        .iter()
        .zip(&vals[start..start + plan.fields.len()])
    {
        if !v.is_written() {
            continue;
        }
        // The common scalars without the call to `write_value`.
        match v {
            Val::Str(s) => write_key_str(out, &f.json_key, s),
            Val::Time(t) => {
                f.json_key.write(out);
                write_time(out, &t, opts, Role::Field);
            }
            Val::Int(i) => {
                f.json_key.write(out);
                write_i64(out, i);
            }
            _ => {
                f.json_key.write(out);
                write_value(out, ev, &f.value, v, vals, opts);
            }
        }
    }
}

/// `{`, the present fields of an object, `}`.
fn write_object(
    out: &mut Vec<u8>,
    ev: &Event<'_>,
    plan: &ObjectPlan,
    start: usize,
    vals: &[Val<'_>],
    opts: Options,
) {
    let open = out.len();
    write_fields(out, ev, plan, start, vals, opts);
    // The first field's leading comma becomes the brace.
    if out.len() == open {
        out.push(b'{');
    } else {
        out[open] = b'{';
    }
    out.push(b'}');
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
        Val::Absent | Val::Empty | Val::ZeroTime => out.extend_from_slice(b"null"),
        Val::Str(s) => write_json_str(out, s),
        Val::Text { start, end } => write_json_str(out, ev.text_of(start, end)),
        Val::Json { start, end } => out.extend_from_slice(ev.text_of(start, end).as_bytes()),
        Val::Int(i) => write_i64(out, i),
        Val::Float(f) => write_f64(out, f),
        Val::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        Val::Time(t) => write_time(out, &t, opts, Role::Field),
        Val::Object { start } => match &plan.decoder {
            Decoder::Object(o) => write_object(out, ev, o, start as usize, vals, opts),
            _ => out.extend_from_slice(b"{}"),
        },
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

/// Which of the [`RECENT`] texts a timestamp is looked up in and kept as.
#[derive(Clone, Copy)]
enum Role {
    /// Fields and `p_event_time`, which is most often the time of a field written just before.
    Field = 0,
    /// `p_parse_time`, which is the same for many events in a row (the clock is coarse).
    Parse = 1,
}

/// A timestamp written, and its text with its quotes (the first `len` bytes).
#[derive(Clone, Copy)]
struct TimeText {
    key: (Timestamp, TimeLayout),
    len: u8,
    text: [u8; 32],
}

thread_local! {
    /// The last timestamp written in each [`Role`], with its text: copying it is cheaper than
    /// formatting it again, about 130 instructions (measured: 7,806 -> 7,669 instructions per
    /// NDJSON event; `p_event_time` and `p_parse_time` are nearly always found).
    static RECENT: [Cell<Option<TimeText>>; 2] = const { [Cell::new(None), Cell::new(None)] };
}

/// A timestamp in quotes.
#[inline]
fn write_time(out: &mut Vec<u8>, t: &Timestamp, opts: Options, role: Role) {
    // The thread-local is only read here and written in `format_time`, out of the
    // formatting, so that its access stays inline (a load from `%fs`), not a call through the
    // key.
    if let Some(last) = RECENT.with(|recent| recent[role as usize].get()) {
        if last.key == (*t, opts.time_layout) {
            let start = out.len();
            out.extend_from_slice(&last.text);
            out.truncate(start + usize::from(last.len));
            return;
        }
    }
    format_time(out, t, opts, role);
}

/// [`write_time`] of a timestamp not in [`RECENT`], which then holds it.
#[inline(never)]
fn format_time(out: &mut Vec<u8>, t: &Timestamp, opts: Options, role: Role) {
    let start = out.len();
    out.push(b'"');
    match opts.time_layout {
        TimeLayout::Rfc3339 => write_rfc3339(t, out),
        TimeLayout::Panther => write_panther(t, out),
    }
    out.push(b'"');
    let written = &out[start..];
    let n = written.len();
    // Two copies of fixed size from both ends, where one of any length is a call to memcpy.
    if let (Some(head), Some(tail), Ok(len)) = (
        written.first_chunk::<16>(),
        written.last_chunk::<16>(),
        u8::try_from(n),
    ) {
        if n <= 32 {
            let mut text = [0; 32];
            text[..16].copy_from_slice(head);
            text[n - 16..n].copy_from_slice(tail);
            let key = (*t, opts.time_layout);
            let last = Some(TimeText { key, len, text });
            RECENT.with(|recent| recent[role as usize].set(last));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_field_bytes_match_their_names() {
        use crate::event::{P_EVENT_TIME, P_LOG_TYPE, P_PARSE_TIME, P_ROW_ID, P_SCHEMA_VERSION};
        use crate::json::json_head;
        let key = |before: &str, name: &str, after: &str| format!("{before},\"{name}\":{after}");
        assert_eq!(EVENT_TIME_KEY, key("\"", P_EVENT_TIME, "").as_bytes());
        assert_eq!(PARSE_TIME_KEY, key("", P_PARSE_TIME, "").as_bytes());
        assert_eq!(SCHEMA_VERSION_KEY, key("", P_SCHEMA_VERSION, "").as_bytes());
        let head = json_head("Odd \"Type\"");
        let want = format!(
            "\"{P_LOG_TYPE}\":{},\"{P_ROW_ID}\":\"",
            serde_json::to_string("Odd \"Type\"").unwrap()
        );
        assert_eq!(String::from_utf8_lossy(&head), want);
    }

    #[test]
    fn indicator_keys_match_their_columns() {
        for (i, col) in Column::ALL.into_iter().enumerate() {
            assert_eq!(col.index(), i);
            let mut out = b"x".to_vec();
            INDICATOR_KEYS[col.index()].write(&mut out);
            assert_eq!(out[1..], *format!(",\"{}\":", col.name()).as_bytes());
        }
    }

    #[test]
    fn recent_times_are_written_as_formatted() {
        use chrono::{DateTime, NaiveDate};
        let at = |y, mo, d, h, mi, s, ns| {
            NaiveDate::from_ymd_opt(y, mo, d)
                .and_then(|day| day.and_hms_nano_opt(h, mi, s, ns))
                .unwrap()
                .and_utc()
        };
        let times: Vec<Timestamp> = vec![
            at(2023, 7, 16, 4, 29, 45, 0),
            at(2023, 7, 16, 4, 29, 45, 0),
            at(2023, 7, 16, 4, 29, 45, 1),
            at(2023, 7, 16, 4, 29, 45, 1),
            at(2023, 7, 16, 4, 29, 45, 120_000_000),
            at(2023, 7, 16, 4, 29, 59, 1_500_000_000),
            at(2023, 7, 16, 4, 29, 46, 0),
            at(1, 1, 1, 0, 0, 0, 0),
            at(9999, 12, 31, 23, 59, 59, 999_999_999),
            at(10_000, 1, 1, 0, 0, 0, 123_456_789),
            at(10_000, 1, 1, 0, 0, 0, 123_456_789),
            at(-1, 1, 1, 0, 0, 0, 5),
            DateTime::default(),
            DateTime::default(),
        ];
        for layout in [
            TimeLayout::Rfc3339,
            TimeLayout::Panther,
            TimeLayout::Rfc3339,
        ] {
            let opts = Options {
                time_layout: layout,
            };
            for role in [Role::Field, Role::Parse] {
                for t in times.iter().chain(times.iter().rev()) {
                    let mut want = b"x\"".to_vec();
                    match layout {
                        TimeLayout::Rfc3339 => write_rfc3339(t, &mut want),
                        TimeLayout::Panther => write_panther(t, &mut want),
                    }
                    want.push(b'"');
                    let mut out = b"x".to_vec();
                    write_time(&mut out, t, opts, role);
                    assert_eq!(out, want, "{t:?}");
                }
            }
        }
    }
}
