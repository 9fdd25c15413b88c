//! The rejects file: one JSON object per rejected record (`normalog normalize --rejects`).
//!
//! # Format
//!
//! Each line is an object with, in this order:
//!
//! * `source`: the input's name (path as given, or `<stdin>`);
//! * `record`: the record's 0-based index in its input, or in its API page;
//! * `index`: present only for a record inside an API page: its index in the page;
//! * `field`: present only for a record found inside an API envelope (a page, or a
//!   single-record response such as `{"audit_log":{...}}`): the envelope's field;
//! * `line`, `byte`: where the record starts in the decoded input (1-based line, 0-based
//!   byte offset); for a page element, where the element starts inside the page;
//! * `column`: present only for invalid JSON: the 1-based column in the record's first
//!   line where the JSON goes wrong;
//! * `reason`: a stable code (`invalid_json`, `missing_field`, `unclassified`, `not_a_page`,
//!   `too_long`, ...), as counted by `--stats`;
//! * `log_type`: the log type that refused the record when only one was tried, else `null`;
//! * `error`: the message, without the position;
//! * `candidates`: when several log types were tried, `[{"log_type", "error"}]`, one per
//!   candidate in the order tried, with why each refused (also for `not_a_page`);
//! * `raw`: the record as read (invalid UTF-8 replaced by U+FFFD), at most
//!   [`RAW_LIMIT`] bytes, cut on a character boundary; an over-long record (`too_long`) is
//!   not kept, so its `raw` is empty;
//! * `raw_truncated`: `true`, present only when `raw` was cut.

use std::io::Write as _;

use super::Reject;
use crate::error::ErrorKind;
use crate::json::write_json_str;

/// The most bytes of a rejected record's text written to the rejects file.
pub const RAW_LIMIT: usize = 4096;

/// Append one reject as a JSON object and a newline.
pub fn write_reject(out: &mut Vec<u8>, reject: &Reject<'_>) {
    let err = reject.error;
    let pos = err.position().copied().unwrap_or_default();
    out.extend_from_slice(b"{\"source\":");
    write_json_str(out, reject.source);
    let _ = write!(out, ",\"record\":{}", pos.record);
    if let Some(i) = reject.index {
        let _ = write!(out, ",\"index\":{i}");
    }
    if let Some(field) = reject.field {
        out.extend_from_slice(b",\"field\":");
        write_json_str(out, field);
    }
    let _ = write!(out, ",\"line\":{},\"byte\":{}", pos.line, pos.byte);
    if let ErrorKind::Json { offset, .. } = err.kind() {
        let _ = write!(out, ",\"column\":{}", offset + 1);
    }
    out.extend_from_slice(b",\"reason\":");
    write_json_str(out, err.code());
    out.extend_from_slice(b",\"log_type\":");
    match err.log_type() {
        Some(lt) => write_json_str(out, lt),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"error\":");
    write_json_str(out, &err.reason());
    // The candidates of the record (of an object that was not the expected page, too).
    let record = match err.kind() {
        ErrorKind::NotAPage { record, .. } => record,
        _ => err,
    };
    if let ErrorKind::Unclassified { refusals, more, .. } = record.kind() {
        out.extend_from_slice(b",\"candidates\":[");
        for (i, (lt, why)) in refusals.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"log_type\":");
            write_json_str(out, lt);
            out.extend_from_slice(b",\"error\":");
            write_json_str(out, &why.to_string());
            out.push(b'}');
        }
        out.push(b']');
        // The candidates whose refusals are not kept (see `ErrorKind::Unclassified`).
        if *more > 0 {
            out.extend_from_slice(format!(",\"candidates_more\":{more}").as_bytes());
        }
    }
    out.extend_from_slice(b",\"raw\":");
    let mut cut = reject.raw.len().min(RAW_LIMIT);
    // Back up to a character boundary (at most 3 continuation bytes).
    while cut < reject.raw.len() && cut > 0 && (reject.raw[cut] & 0xC0) == 0x80 {
        cut -= 1;
    }
    write_json_str(out, &String::from_utf8_lossy(&reject.raw[..cut]));
    if cut < reject.raw.len() {
        out.extend_from_slice(b",\"raw_truncated\":true");
    }
    out.extend_from_slice(b"}\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Error, Position};

    #[test]
    fn long_raw_is_cut_on_a_char_boundary() {
        let err = Error::new(ErrorKind::TooLong {
            pos: Position::new(10, 2, 1),
            len: 5000,
            max: 100,
        });
        let raw = "é".repeat(RAW_LIMIT);
        let mut out = Vec::new();
        write_reject(
            &mut out,
            &Reject {
                source: "a.json",
                error: &err,
                raw: raw.as_bytes(),
                index: Some(3),
                field: Some("audit_logs"),
            },
        );
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["raw"].as_str().unwrap().len(), RAW_LIMIT);
        assert_eq!(v["raw_truncated"], true);
        assert_eq!(v["index"], 3);
        assert_eq!(v["field"], "audit_logs");
        assert_eq!(v["line"], 2);
        assert_eq!(v["reason"], "too_long");
    }
}
