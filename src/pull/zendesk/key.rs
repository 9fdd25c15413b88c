//! The two fields of a Zendesk audit log record that a pull reads itself: its id, to drop
//! the records an overlap reads again, and its time, to keep the records of the window.

use serde::Deserialize;
use serde_json::value::RawValue;

/// What dedupes a record and checks its range.
///
/// The id is kept as text ([`id_key`]), so that every id is tracked whatever its value:
/// an integer of any size or sign, as a JSON number or as its text (`"777"`, which the
/// schema's `bigint` reads), is its decimal digits; any other value is its JSON text. A
/// record whose id could not be told apart was emitted again by every run that read its
/// overlap (review findings: a text id, then a negative one, which did not fit the `u64`
/// the ids were kept as).
#[derive(Deserialize)]
pub(super) struct Key<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(default, deserialize_with = "text_or_nothing")]
    pub(super) created_at: Option<String>,
}

impl Key<'_> {
    /// The record's id as the state keeps it; `None` without one (absent or `null`).
    pub(super) fn id(&self) -> Option<String> {
        self.id.and_then(|raw| id_key(raw.get()))
    }
}

/// The key of the id whose JSON text is `raw`: an integer (a number without fraction or
/// exponent, or a string holding one, signs and leading zeros allowed) as its canonical
/// decimal digits (`-` only below zero), so that `777`, `"777"` and `"0777"` are one id,
/// as the schema reads them; any other value as its JSON text, which starts with a
/// character no integer key does (`"`, `{`, `[`, `t`, `f`) or holds a `.` or an `e`. `null`
/// is no id.
fn id_key(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw == "null" {
        return None;
    }
    let text = serde_json::from_str::<String>(raw).ok();
    let digits = text.as_deref().map_or(raw, str::trim);
    Some(integer(digits).unwrap_or_else(|| raw.to_owned()))
}

/// `text` as canonical decimal digits when it is an integer (an optional sign, then
/// digits).
fn integer(text: &str) -> Option<String> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = digits.trim_start_matches('0');
    Some(match (digits.is_empty(), negative) {
        (true, _) => "0".to_owned(),
        (false, true) => format!("-{digits}"),
        (false, false) => digits.to_owned(),
    })
}

/// A string, or nothing for a value of another kind.
fn text_or_nothing<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        Text(String),
        Other(serde::de::IgnoredAny),
    }
    Ok(match Text::deserialize(d)? {
        Text::Text(t) => Some(t),
        Text::Other(_) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(record: &str) -> (Option<String>, Option<String>) {
        let k: Key<'_> = serde_json::from_str(record).expect("a key");
        (k.id(), k.created_at)
    }

    #[test]
    fn every_id_is_a_key_and_times_are_read_whatever_the_id() {
        let at = Some("2026-01-01T00:00:00Z".to_owned());
        for (id, want) in [
            ("777", "777"),
            (r#""777""#, "777"),
            (r#""0777""#, "777"),
            ("-3", "-3"),
            (r#""-3""#, "-3"),
            ("-0", "0"),
            ("0", "0"),
            ("18446744073709551616", "18446744073709551616"),
            (
                "-99999999999999999999999999999999999999999",
                "-99999999999999999999999999999999999999999",
            ),
            // Not integers: their JSON text, which no integer's key can be.
            ("1.5", "1.5"),
            ("1e3", "1e3"),
            (r#""x7""#, r#""x7""#),
            ("{}", "{}"),
            ("true", "true"),
        ] {
            let record = format!(r#"{{"id":{id},"created_at":"2026-01-01T00:00:00Z"}}"#);
            assert_eq!(
                key(&record),
                (Some(want.to_owned()), at.clone()),
                "{record}"
            );
        }
        assert_eq!(
            key(r#"{"id":null,"created_at":"2026-01-01T00:00:00Z"}"#),
            (None, at)
        );
        assert_eq!(key(r#"{"id":1,"created_at":5}"#), (Some("1".into()), None));
        assert_eq!(key("{}"), (None, None));
    }
}
