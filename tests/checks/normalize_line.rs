//! Arbitrary bytes through the normalizer, with each shipped schema, the rich custom schema
//! and all of them at once (classification). Properties:
//!
//! * no panic;
//! * every record is either one event or one reject, never both or neither, and a reject is
//!   a per-record error (the batch goes on);
//! * the in-place entry point (`normalize_line`) decides like the copying one
//!   (`normalize_bytes`) and gives the same output (but `p_row_id`/`p_parse_time`);
//! * every event writes NDJSON that `serde_json` parses back to an object with `p_log_type`,
//!   whose `p_any_*` arrays are sorted and unique, and whose top-level fields hold the
//!   values the typed accessors of the event return (but for an event whose `json` value
//!   keeps a number beyond a float's range as written, `1e400`: valid JSON that
//!   `serde_json` refuses, counted and not read back);
//! * the whole input read as NDJSON (framing, blank lines, positions) counts
//!   `records == normalized + rejected`.

use std::cell::RefCell;

use normalog::indicators::Column;
use normalog::schema::FieldType;
use normalog::sink::ndjson;
use normalog::{Error, Event, Position, Sink};
use serde_json::Value;

thread_local! {
    static STATE: RefCell<super::State> = RefCell::new(super::State::new());
}

#[derive(Default)]
struct Check {
    events: Vec<Value>,
    rejects: Vec<&'static str>,
    buf: Vec<u8>,
}

impl Sink for Check {
    type Error = Error;

    fn record(&mut self, event: &Event<'_>) -> Result<bool, Error> {
        self.buf.clear();
        ndjson::write_event(&mut self.buf, event, ndjson::Options::default());
        let v: Value = match serde_json::from_slice(&self.buf) {
            Ok(v) => v,
            Err(e) if e.to_string().starts_with("number out of range") => {
                self.events.push(Value::Null);
                return Ok(true);
            }
            Err(e) => panic!(
                "NDJSON does not parse: {e}: {}",
                String::from_utf8_lossy(&self.buf)
            ),
        };
        let obj = v.as_object().expect("an event is a JSON object");
        assert_eq!(
            obj.get("p_log_type").and_then(Value::as_str),
            Some(event.log_type())
        );
        for c in Column::ALL {
            let Some(values) = obj.get(c.name()) else {
                continue;
            };
            let values: Vec<&str> = values
                .as_array()
                .expect("p_any_* is an array")
                .iter()
                .map(|v| v.as_str().expect("indicator values are strings"))
                .collect();
            assert!(!values.is_empty(), "{} written empty", c.name());
            assert!(
                values.windows(2).all(|w| w[0] < w[1]),
                "{} not sorted and unique: {values:?}",
                c.name()
            );
            assert!(values.iter().all(|v| !v.is_empty()), "empty indicator");
        }
        for field in &event.plan().schema().fields {
            let written = obj.get(&field.name);
            let Some(value) = event.get(&[field.name.as_str()]) else {
                assert!(written.is_none(), "{} written but absent", field.name);
                continue;
            };
            let written = written.unwrap_or_else(|| panic!("{} present, not written", field.name));
            match value.field_type() {
                FieldType::String => assert_eq!(written.as_str(), value.as_str()),
                FieldType::Int | FieldType::Smallint | FieldType::Bigint => {
                    assert_eq!(written.as_i64(), value.as_i64());
                }
                FieldType::Float => {
                    let (a, b) = (
                        written.as_f64().expect("float"),
                        value.as_f64().expect("float"),
                    );
                    assert!(crate::reference::same_f64(a, b), "{a} != {b}");
                }
                FieldType::Boolean => assert_eq!(written.as_bool(), value.as_bool()),
                FieldType::Timestamp => {
                    let mut t = Vec::new();
                    normalog::time::write_rfc3339(&value.as_timestamp().expect("time"), &mut t);
                    assert_eq!(written.as_str().map(str::as_bytes), Some(&t[..]));
                }
                FieldType::Json => {
                    let text = value.as_json().expect("json text");
                    let parsed: Value = serde_json::from_str(text).expect("json value is JSON");
                    assert_eq!(written, &parsed);
                }
                _ => assert!(written.is_object() || written.is_array()),
            }
        }
        let mut v = v;
        let obj = v.as_object_mut().expect("object");
        obj.remove("p_row_id");
        obj.remove("p_parse_time");
        if obj.get("p_event_time").and_then(Value::as_str)
            == Some(&*String::from_utf8_lossy(&{
                let mut t = Vec::new();
                normalog::time::write_rfc3339(&event.parse_time(), &mut t);
                t
            }))
            && event.event_time_is_parse_time()
        {
            obj.remove("p_event_time");
        }
        self.events.push(v);
        Ok(true)
    }

    fn rejected(&mut self, err: &Error) -> Result<bool, Error> {
        assert!(err.is_record_error(), "not a record error: {err}");
        // Rendering must not panic.
        let _ = err.to_string();
        self.rejects.push(err.code());
        Ok(true)
    }
}

fn one(n: &mut normalog::Normalizer, data: &[u8]) {
    let mut a = Check::default();
    n.normalize_bytes(data, Position::new(0, 1, 0), &mut a)
        .expect("the sink never fails");
    assert_eq!(
        a.events.len() + a.rejects.len(),
        1,
        "one outcome per record"
    );
    let mut b = Check::default();
    let mut copy = data.to_vec();
    n.normalize_line(&mut copy, Position::new(0, 1, 0), &mut b)
        .expect("the sink never fails");
    assert_eq!(a.rejects, b.rejects);
    assert_eq!(a.events, b.events);
}

pub fn check(data: &[u8]) {
    STATE.with(|s| {
        let s = &mut *s.borrow_mut();
        for n in &mut s.single {
            one(n, data);
        }
        one(&mut s.all, data);
        let mut c = Check::default();
        let result = normalog::pipeline::normalize_reader(
            &mut s.all,
            std::io::Cursor::new(data.to_vec()),
            &mut c,
        );
        let summary = match result {
            Ok(summary) => summary,
            // Input with a gzip or zstd magic (a zstd skippable frame's too) is decompressed;
            // corrupt compressed data is an input error (I/O), not a panic. Anything else
            // but a document cut short (below) cannot fail on a slice.
            Err(e)
                if data.starts_with(&[0x1f, 0x8b])
                    || data.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
                    || matches!(data, [m, 0x2a, 0x4d, 0x18, ..] if m & 0xf0 == 0x50) =>
            {
                assert_eq!(e.classify(), normalog::Category::Io, "{e}");
                return;
            }
            // So is input that starts like a binary format (Parquet, zip, bzip2, xz, lz4):
            // refused whole, by name, as an input error.
            Err(e) if BINARY_MAGIC.iter().any(|m| data.starts_with(m)) => {
                assert_eq!(e.classify(), normalog::Category::Io, "{e}");
                assert!(e.to_string().contains("not JSON text"), "{e}");
                return;
            }
            // And text in UTF-16 or UTF-32 (a byte-order mark, or NULs between its first
            // characters), refused whole with its encoding.
            Err(e)
                if data.starts_with(&[0xff, 0xfe])
                    || data.starts_with(&[0xfe, 0xff])
                    || data.iter().take(4).any(|&b| b == 0) =>
            {
                assert_eq!(e.classify(), normalog::Category::Io, "{e}");
                assert!(e.to_string().contains("normalog reads UTF-8"), "{e}");
                return;
            }
            // A JSON document cut short: its whole records, then an input error that says
            // so, as for a compressed input cut short.
            Err(e) if e.to_string().contains("the JSON document ends early") => {
                assert_eq!(e.classify(), normalog::Category::Io, "{e}");
                return;
            }
            Err(e) => panic!("reading a slice cannot fail: {e}"),
        };
        assert_eq!(summary.records, summary.normalized + summary.rejected);
        assert_eq!(summary.normalized, c.events.len() as u64);
        assert_eq!(summary.rejected, c.rejects.len() as u64);
    });
}

/// First bytes of the formats `normalize_reader` refuses as not JSON text.
const BINARY_MAGIC: &[&[u8]] = &[
    b"PAR1",
    b"PK\x03\x04",
    b"BZh",
    b"\xfd7zX",
    b"\x04\x22\x4d\x18",
];
