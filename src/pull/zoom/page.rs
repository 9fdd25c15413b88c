//! A report page as Zoom answers it, checked: its report's records field must be there.
//! Read as an empty page, an answer without it (`{"code":300,"message":"Report is being
//! generated, try later"}` with a 200, or a page missing the field) ended the window as
//! drained, and the watermark moved past days never read. The field given as `null` on a
//! page that is not Zoom's error shape (no `code`) is a page without records: Zoom does
//! not document it, but an empty range so answered stopped every run (review finding).

use serde::Deserialize;
use serde_json::value::RawValue;

use super::LogKind;
use crate::pull::PullError;

/// A page of a report: its records, and the token of the next page.
pub(super) struct Page<'a> {
    pub(super) next_page_token: Option<String>,
    pub(super) records: Vec<&'a RawValue>,
}

/// The fields read of an answer. Both record fields are optional here so that the one of
/// the report asked for can be required by name, and `code` / `message` (Zoom's error
/// shape) are kept to say what came instead.
#[derive(Deserialize)]
struct Body<'a> {
    #[serde(default)]
    next_page_token: Option<String>,
    #[serde(borrow, default, deserialize_with = "present")]
    activity_logs: Field<Vec<&'a RawValue>>,
    #[serde(borrow, default, deserialize_with = "present")]
    operation_logs: Field<Vec<&'a RawValue>>,
    #[serde(default)]
    code: Option<serde_json::Value>,
    #[serde(default)]
    message: Option<serde_json::Value>,
}

/// A field of an answer: not there, `null`, or a value.
#[derive(Default)]
enum Field<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

/// A field that is there: `null` or a value (absent, it is the default).
fn present<'de, D, T>(d: D) -> Result<Field<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.map_or(Field::Null, Field::Value))
}

/// Read the answer `body` of a request of the report `kind` (`what`: `GET URL`, for
/// messages).
///
/// # Errors
///
/// [`PullError::Api`] for a body that is not a page of the report: not a JSON object of
/// the right types, without the report's records field, or with it `null` beside a
/// `code` (Zoom's error shape), saying what the answer holds instead (Zoom's `code` and
/// `message`).
pub(super) fn parse<'a>(kind: LogKind, body: &'a [u8], what: &str) -> Result<Page<'a>, PullError> {
    let b: Body<'a> = serde_json::from_slice(body)
        .map_err(|e| PullError::Api(format!("{what}: not a report page ({e})")))?;
    let records = match kind {
        LogKind::Activity => b.activity_logs,
        LogKind::Operation => b.operation_logs,
    };
    let null = matches!(records, Field::Null);
    let records = match records {
        Field::Value(records) => Some(records),
        // `null` on a page: no records. Beside an error code, the answer is the error.
        Field::Null if b.code.is_none() => Some(Vec::new()),
        Field::Null | Field::Absent => None,
    };
    let Some(records) = records else {
        let text = |v: Option<serde_json::Value>| match v {
            Some(serde_json::Value::String(s)) => Some(s),
            Some(serde_json::Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        let said = match (text(b.code), text(b.message)) {
            (None, None) => String::new(),
            (code, message) => format!(
                "; Zoom answered code {}: {}",
                code.as_deref().unwrap_or("(none)"),
                message.as_deref().unwrap_or("(no message)")
            ),
        };
        let fault = if null {
            format!("field `{}` is null", kind.envelope())
        } else {
            format!("missing field `{}`", kind.envelope())
        };
        return Err(PullError::Api(format!(
            "{what}: not a report page ({fault}){said}; the state holds the last committed \
             batch: run again later"
        )));
    };
    Ok(Page {
        next_page_token: b.next_page_token,
        records,
    })
}

/// A record's `time`, where it has one.
#[derive(Deserialize)]
pub(super) struct TimeField<'a> {
    #[serde(default)]
    pub(super) time: Option<&'a str>,
}

/// The SHA-256 (hex) of a record's canonical JSON: keys sorted, insignificant white space
/// dropped, numbers as `serde_json` writes them.
#[must_use]
pub(super) fn content_hash(raw: &str) -> String {
    let canonical = serde_json::from_str::<serde_json::Value>(raw)
        .map_or_else(|_| raw.to_owned(), |v| v.to_string());
    let digest = ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes());
    let mut hex = String::with_capacity(64);
    for b in digest.as_ref() {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        hex.push(char::from(HEX[usize::from(b >> 4)]));
        hex.push(char::from(HEX[usize::from(b & 15)]));
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(kind: LogKind, body: &str) -> String {
        match parse(kind, body.as_bytes(), "GET u") {
            Ok(_) => panic!("{body}: read as a page"),
            Err(e) => e.message().to_owned(),
        }
    }

    #[test]
    fn a_page_needs_its_reports_records_field() {
        let p = parse(
            LogKind::Activity,
            br#"{"next_page_token":"t","activity_logs":[{"a":1},{"b":2}]}"#,
            "GET u",
        )
        .expect("a page");
        assert_eq!(
            (p.next_page_token.as_deref(), p.records.len()),
            (Some("t"), 2)
        );
        let p = parse(LogKind::Operation, br#"{"operation_logs":[]}"#, "GET u").expect("page");
        assert!(p.records.is_empty() && p.next_page_token.is_none());

        assert_eq!(
            err(
                LogKind::Activity,
                r#"{"code":300,"message":"Report is being generated, try later"}"#
            ),
            "GET u: not a report page (missing field `activity_logs`); Zoom answered code \
             300: Report is being generated, try later; the state holds the last committed \
             batch: run again later"
        );
        // The other report's field is not this one's.
        assert!(err(LogKind::Operation, r#"{"activity_logs":[]}"#)
            .starts_with("GET u: not a report page (missing field `operation_logs`); the"));
        // `null` is a page without records, unless the answer is Zoom's error shape.
        for kind in [LogKind::Activity, LogKind::Operation] {
            let body = format!(r#"{{"next_page_token":"","{}":null}}"#, kind.envelope());
            let p = parse(kind, body.as_bytes(), "GET u").expect("a page");
            assert!(p.records.is_empty() && p.next_page_token.as_deref() == Some(""));
        }
        assert_eq!(
            err(
                LogKind::Activity,
                r#"{"code":300,"message":"Report is being generated","activity_logs":null}"#
            ),
            "GET u: not a report page (field `activity_logs` is null); Zoom answered code \
             300: Report is being generated; the state holds the last committed batch: run \
             again later"
        );
        assert!(err(LogKind::Activity, r#"{"activity_logs":{}}"#).contains("invalid type"));
    }

    #[test]
    fn hashes_ignore_key_order_and_spacing() {
        let a = content_hash(r#"{"email":"a@b.c","time":"2026-01-01T00:00:00Z"}"#);
        let b = content_hash(r#"{ "time": "2026-01-01T00:00:00Z", "email": "a@b.c" }"#);
        let c = content_hash(r#"{"email":"a@b.c","time":"2026-01-01T00:00:01Z"}"#);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 64);
        assert_eq!(
            content_hash("{}"),
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
    }
}
