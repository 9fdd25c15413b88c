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
//! time: `DIR/zoom_activity/year=2023/month=7/day=1/hour=14/part-0.ndjson`.

use std::cell::Cell;
use std::io::{self, Write};
use std::sync::LazyLock;

use simd_json::StaticNode;

use crate::compile::{Decoder, ObjectPlan, ValuePlan};
use crate::event::{Event, Val, P_LOG_TYPE, P_ROW_ID, P_SOURCE_ID, P_SOURCE_LABEL};
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

/// `,"name":` of a field, JSON-escaped, ready to copy.
#[derive(Debug)]
pub(crate) enum JsonKey {
    /// Padded to a fixed size: the copy is then a few moves and a cut, where a copy of any
    /// length is a call to memcpy.
    Short {
        bytes: [u8; 32],
        len: u8,
    },
    Long(Box<[u8]>),
}

impl JsonKey {
    pub(crate) fn new(name: &str) -> JsonKey {
        let mut key = vec![b','];
        write_json_str(&mut key, name);
        key.push(b':');
        let mut bytes = [0u8; 32];
        match (bytes.get_mut(..key.len()), u8::try_from(key.len())) {
            (Some(dst), Ok(len)) => {
                dst.copy_from_slice(&key);
                JsonKey::Short { bytes, len }
            }
            _ => JsonKey::Long(key.into_boxed_slice()),
        }
    }

    #[inline]
    fn write(&self, out: &mut Vec<u8>) {
        match self {
            JsonKey::Short { bytes, len } => {
                let end = out.len() + usize::from(*len);
                out.extend_from_slice(bytes);
                out.truncate(end);
            }
            JsonKey::Long(bytes) => out.extend_from_slice(bytes),
        }
    }
}

/// `Plan::json_head` of a log type: `"p_log_type":"<log type>","p_row_id":"`.
pub(crate) fn json_head(log_type: &str) -> Box<[u8]> {
    let mut out = Vec::new();
    out.push(b'"');
    out.extend_from_slice(P_LOG_TYPE.as_bytes());
    out.extend_from_slice(b"\":");
    write_json_str(&mut out, log_type);
    out.extend_from_slice(b",\"");
    out.extend_from_slice(P_ROW_ID.as_bytes());
    out.extend_from_slice(b"\":\"");
    out.into_boxed_slice()
}

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

/// `key` and the string `s`: [`JsonKey::write`] and [`write_json_str`] into one block, for
/// a short key and a short string that needs no escaping (one capacity check and no call,
/// measured with `quote_short` always inline: 7,628 -> 7,582
/// instructions per event).
#[inline]
fn write_key_str(out: &mut Vec<u8>, key: &JsonKey, s: &str) {
    let bytes = s.as_bytes();
    if let (JsonKey::Short { bytes: name, len }, true) = (key, bytes.len() <= SHORT) {
        let start = out.len();
        let k = usize::from(*len);
        out.extend_from_slice(&[b' '; 32 + SHORT + 8]);
        let block = &mut out[start..];
        block[..32].copy_from_slice(name);
        if let Ok(value) = <&mut [u8; SHORT + 8]>::try_from(&mut block[k..k + SHORT + 8]) {
            if quote_short(bytes, value) {
                out.truncate(start + k + bytes.len() + 2);
                return;
            }
        }
        out.truncate(start + k);
        write_json_str_runs(out, bytes);
        return;
    }
    key.write(out);
    if bytes.len() > SHORT {
        // What `write_json_str` does with it, without the call.
        write_json_str_runs(out, bytes);
    } else {
        write_json_str(out, s);
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
        Val::Absent | Val::Empty => out.extend_from_slice(b"null"),
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

fn write_i64(out: &mut Vec<u8>, i: i64) {
    // One digit (every event's schema version, mostly 0) without itoa and its memcpy
    // (measured: 37 instructions per event).
    if let Some(d) = u8::try_from(i).ok().filter(|&d| d < 10) {
        out.push(b'0' + d);
        return;
    }
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

/// Append `s` as a JSON string literal: `"`, `\\` and control characters escaped (`\n`, `\r`,
/// `\t`, `\b`, `\f`, else `\u00XX`), everything else, non-ASCII included, as is: the bytes
/// `serde_json` writes.
pub fn write_json_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let n = bytes.len();
    if n <= SHORT {
        // Most strings in logs are short and clean: they are stored as words of fixed size
        // into a block of fixed size appended at once (a single capacity check, no loop, no
        // call to memcpy), which is then cut to the string's length (measured, with the runs
        // below: write_json_str 1,140 -> 948 instructions per event).
        let start = out.len();
        out.extend_from_slice(&[b' '; SHORT + 8]);
        if let Ok(block) = <&mut [u8; SHORT + 8]>::try_from(&mut out[start..]) {
            if quote_short(bytes, block) {
                out.truncate(start + n + 2);
                return;
            }
        }
        out.truncate(start);
    }
    write_json_str_runs(out, bytes);
}

/// The longest string written by [`quote_short`].
const SHORT: usize = 32;

/// Writes `bytes` (at most [`SHORT`] of them) quoted at the start of `block`, unless a
/// byte needs escaping: then returns false. The string is read and stored as words of eight
/// bytes, which overlap where its length is not a multiple of eight; `block` is filled with
/// spaces (which need no escape) past the string.
#[allow(clippy::inline_always)] // measured: a call from `write_key_str` otherwise, 65 instructions an event
#[inline(always)]
fn quote_short(bytes: &[u8], block: &mut [u8; SHORT + 8]) -> bool {
    let n = bytes.len();
    let mut mask = 0;
    let mut put = |at: usize, word: [u8; 8]| {
        mask |= escape_mask(u64::from_le_bytes(word));
        block[1 + at..9 + at].copy_from_slice(&word);
    };
    let word = |at: usize| -> [u8; 8] { bytes[at..at + 8].try_into().unwrap_or_default() };
    if n < 8 {
        put(0, padded(bytes));
    } else {
        put(0, word(0));
        if n > 16 {
            put(8, word(8));
            let at = 16.min(n - 8);
            put(at, word(at));
        }
        put(n - 8, word(n - 8));
    }
    if mask != 0 {
        return false;
    }
    block[0] = b'"';
    block[n + 1] = b'"';
    true
}

/// [`write_json_str`] for long strings and strings with something to escape: the string
/// is checked two words at a time, then one, and each run of bytes between two escapes is
/// copied at once (where the words with an escape used to go byte by byte).
#[inline(never)]
fn write_json_str_runs(out: &mut Vec<u8>, bytes: &[u8]) {
    let n = bytes.len();
    out.reserve(n + 2);
    out.push(b'"');
    // Bytes before `run` are written; bytes before `next` are checked.
    let (mut run, mut next) = (0, 0);
    while next < n {
        // Sixteen bytes at a time while there are as many: one loop step for two words
        // (measured: 74 fewer instructions per event; four words at a time saved 60).
        if let Some(chunk) = bytes.get(next..next + 16) {
            let (lo, hi) = (word_mask(&chunk[..8]), word_mask(&chunk[8..]));
            if lo | hi == 0 {
                next += 16;
                continue;
            }
            // The lowest flagged byte of a word is exact (see `escape_mask`).
            let at = if lo != 0 {
                next + lo.trailing_zeros() as usize / 8
            } else {
                next + 8 + hi.trailing_zeros() as usize / 8
            };
            (run, next) = escape_at(out, bytes, run, at);
            continue;
        }
        // Then a word at a time: the word at `next`; at the end, the last eight bytes with the
        // first `skip` of them (checked already, maybe escaped) made spaces, or the few bytes
        // padded with spaces.
        let (word, skip) = match bytes.get(next..next + 8) {
            Some(w) => (u64::from_le_bytes(w.try_into().unwrap_or_default()), 0),
            None => match bytes.last_chunk::<8>() {
                Some(last) => {
                    let skip = next + 8 - n;
                    let keep = !0 << (skip * 8);
                    let spaces = u64::from_le_bytes([b' '; 8]);
                    (u64::from_le_bytes(*last) & keep | spaces & !keep, skip)
                }
                None => (u64::from_le_bytes(padded(&bytes[next..])), 0),
            },
        };
        let base = next - skip;
        let mask = escape_mask(word);
        if mask == 0 {
            next = base + 8;
            continue;
        }
        // The lowest flagged byte is exact (see `escape_mask`).
        let at = base + mask.trailing_zeros() as usize / 8;
        (run, next) = escape_at(out, bytes, run, at);
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

/// 1 to 7 bytes in place in a word of spaces. Copies of fixed size from both ends cover
/// them all without a loop (which the compiler would turn into a call to memcpy).
#[inline]
fn padded(b: &[u8]) -> [u8; 8] {
    let mut w = [b' '; 8];
    let n = b.len();
    if n >= 4 {
        w[..4].copy_from_slice(&b[..4]);
        w[n - 4..n].copy_from_slice(&b[n - 4..]);
    } else if n > 0 {
        w[0] = b[0];
        w[n / 2] = b[n / 2];
        w[n - 1] = b[n - 1];
    }
    w
}

/// The high bit of each byte of the word that is a control character, `"` or `\\` (SWAR: a
/// zero byte test on the word and on its XORs with the two quotable characters). Only the
/// lowest flagged byte is exact: a borrow can flag bytes above it that need no escape. Zero
/// when no byte needs escaping.
#[inline]
fn escape_mask(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // XOR with 0x02 maps `"` (0x22) to 0x20 and the control characters onto themselves, so
    // that one test, a byte below 0x21, finds both: subtracting 0x21 borrows into the high bit
    // (for bytes without it). `\\` is a zero byte after XOR with itself. The high bit of a byte
    // is the same in `w` and in both XORs. (Measured: 7,669 -> 7,628
    // instructions per NDJSON event.)
    let below = (w ^ (ONES * 0x02)).wrapping_sub(ONES * 0x21);
    let backslash = (w ^ (ONES * u64::from(b'\\'))).wrapping_sub(ONES);
    (below | backslash) & !w & HIGH
}

/// Writes the run `bytes[run..at]` and the escape of `bytes[at]`; returns where the next
/// run starts and where checking goes on (both just past the escaped byte).
#[inline]
fn escape_at(out: &mut Vec<u8>, bytes: &[u8], run: usize, at: usize) -> (usize, usize) {
    out.extend_from_slice(&bytes[run..at]);
    escape_byte(out, bytes[at]);
    (at + 1, at + 1)
}

/// [`escape_mask`] of eight bytes.
#[inline]
fn word_mask(w: &[u8]) -> u64 {
    escape_mask(u64::from_le_bytes(w.try_into().unwrap_or_default()))
}

/// The escape of a byte that needs one: `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`, else
/// `\u00XX`.
#[cold]
fn escape_byte(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = match b {
        b'"' => b'"',
        b'\\' => b'\\',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        0x08 => b'b',
        0x0c => b'f',
        _ => {
            let hex = |d: u8| HEX[usize::from(d & 0xf)];
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hex(b >> 4), hex(b)]);
            return;
        }
    };
    out.extend_from_slice(&[b'\\', short]);
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

    /// `s` as `serde_json` writes it.
    fn reference(s: &str) -> Vec<u8> {
        serde_json::to_string(s).unwrap().into_bytes()
    }

    /// Characters that take each path of the writer: every control character, the two
    /// quotable ones, multi-byte UTF-8 (U+2028 and U+2029 are written as they are, as
    /// `serde_json` does), and plain ASCII around them.
    fn specials() -> Vec<char> {
        (0u8..0x20)
            .map(char::from)
            .chain([
                '"', '\\', '\u{7f}', 'é', '€', '😀', '\u{2028}', '\u{2029}', ' ', '~', 'a',
            ])
            .collect()
    }

    #[test]
    fn escapes_like_serde_json_at_every_length_and_offset() {
        // Whole words, the tail word that overlaps the last whole word, the padded short
        // string: every length up to five words, each special character at every place,
        // appended after other output (the tail store cuts back into it).
        let filler = "The quick brown fox jumps over the lazy dog";
        for len in 0..40 {
            for at in 0..=len {
                for sp in specials() {
                    let s = format!("{}{sp}{}", &filler[..at], &filler[at..len]);
                    let mut out = b"{\"k\":".to_vec();
                    write_json_str(&mut out, &s);
                    assert_eq!(out[..5], *b"{\"k\":");
                    assert_eq!(
                        String::from_utf8_lossy(&out[5..]),
                        String::from_utf8_lossy(&reference(&s)),
                        "{s:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn escapes_like_serde_json_random_strings() {
        let chars = specials();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            usize::try_from(x % 1024).unwrap()
        };
        for _ in 0..20_000 {
            let len = next() % 70;
            let s: String = (0..len).map(|_| chars[next() % chars.len()]).collect();
            let mut out = Vec::new();
            write_json_str(&mut out, &s);
            assert_eq!(
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&reference(&s)),
                "{s:?}"
            );
        }
    }

    /// An escaped byte followed by the byte a borrow out of it can flag by mistake (SWAR's
    /// false positives): `"` then `#`, `\\` then `]`, a control character then a space or
    /// `!`; at every offset of strings around the short and the word lengths, so that the pair
    /// falls in the short block, in whole words and in the overlapping last word.
    #[test]
    fn escapes_like_serde_json_after_false_positive_candidates() {
        let pairs = [
            "\"#", "\\]", "\n ", "\u{1f} ", "\u{0}!", "\"\"#", "\t\u{1}#",
        ];
        for len in 0..48 {
            for at in 0..=len {
                for pair in pairs {
                    let body: String = ('a'..='z').cycle().take(len).collect();
                    let s = format!("{}{pair}{}", &body[..at], &body[at..]);
                    let mut out = b"x".to_vec();
                    write_json_str(&mut out, &s);
                    assert_eq!(out[1..], reference(&s)[..], "{s:?}");
                }
            }
        }
    }

    #[test]
    fn keys_like_serde_json_short_and_long() {
        for len in 0..40 {
            for sp in ['a', '"', '\n', 'é'] {
                let name: String = std::iter::repeat_n('x', len).chain([sp]).collect();
                let key = JsonKey::new(&name);
                let want = [&b","[..], &reference(&name), b":"].concat();
                assert_eq!(matches!(key, JsonKey::Short { .. }), want.len() <= 32);
                let mut out = b"{\"a\":1".to_vec();
                key.write(&mut out);
                assert_eq!(out[..6], *b"{\"a\":1");
                assert_eq!(out[6..], want[..], "{name:?}");
            }
        }
    }

    #[test]
    fn key_and_string_like_key_then_string() {
        let filler = "The quick brown fox jumps over the lazy dog";
        for key_len in [0, 1, 20, 28, 29, 30, 40] {
            let key = JsonKey::new(&"k".repeat(key_len));
            for len in 0..40 {
                for sp in ['a', '"', '\n', 'é'] {
                    let s = format!("{}{sp}", &filler[..len]);
                    let mut want = b"{\"a\":1".to_vec();
                    key.write(&mut want);
                    want.extend_from_slice(&reference(&s));
                    let mut out = b"{\"a\":1".to_vec();
                    write_key_str(&mut out, &key, &s);
                    assert_eq!(out, want, "{key_len} {s:?}");
                }
            }
        }
    }

    #[test]
    fn standard_field_bytes_match_their_names() {
        use crate::event::{P_EVENT_TIME, P_PARSE_TIME, P_SCHEMA_VERSION};
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
    fn integers_like_to_string() {
        let edges = [
            i64::MIN,
            i64::MIN + 1,
            -10,
            -9,
            -1,
            0,
            1,
            9,
            10,
            11,
            99,
            100,
            255,
            256,
        ];
        for i in edges
            .into_iter()
            .chain([i64::MAX - 1, i64::MAX])
            .chain(-300..300)
        {
            let mut out = b"x".to_vec();
            write_i64(&mut out, i);
            assert_eq!(out[1..], *format!("{i}").as_bytes(), "{i}");
        }
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

    #[test]
    fn floats() {
        let mut out = Vec::new();
        write_f64(&mut out, 3.0);
        out.push(b' ');
        write_f64(&mut out, 0.25);
        assert_eq!(out, b"3 0.25");
    }
}
