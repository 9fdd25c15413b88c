//! The two fields of a Zendesk audit log record that a pull reads itself: its id, to drop
//! the records an overlap reads again, and its time, to keep the records of the window.

use serde::Deserialize;

/// What dedupes a record and checks its range. An id given as text (`"777"`, which the
/// schema's `bigint` reads) counts as the number; an id of another kind leaves the record
/// untracked, its time still checked (review finding: a text id made the whole key fail,
/// so such a record was emitted again by every run that read its overlap).
#[derive(Deserialize)]
pub(super) struct Key {
    #[serde(default, deserialize_with = "id_number_or_text")]
    pub(super) id: Option<u64>,
    #[serde(default, deserialize_with = "text_or_nothing")]
    pub(super) created_at: Option<String>,
}

/// An id as a JSON number or as the text of one; anything else is no id.
fn id_number_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Number(u64),
        Text(String),
        Other(serde::de::IgnoredAny),
    }
    Ok(match Id::deserialize(d)? {
        Id::Number(n) => Some(n),
        Id::Text(t) => t.parse().ok(),
        Id::Other(_) => None,
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

    fn key(record: &str) -> (Option<u64>, Option<String>) {
        let k: Key = serde_json::from_str(record).expect("a key");
        (k.id, k.created_at)
    }

    #[test]
    fn ids_as_numbers_or_their_text_and_times_whatever_the_id() {
        let at = Some("2026-01-01T00:00:00Z".to_owned());
        assert_eq!(
            key(r#"{"id":777,"created_at":"2026-01-01T00:00:00Z"}"#),
            (Some(777), at.clone())
        );
        assert_eq!(
            key(r#"{"id":"777","created_at":"2026-01-01T00:00:00Z"}"#),
            (Some(777), at.clone())
        );
        for odd in [r#""x7""#, "1.5", "-3", "18446744073709551616", "{}", "null"] {
            let record = format!(r#"{{"id":{odd},"created_at":"2026-01-01T00:00:00Z"}}"#);
            assert_eq!(key(&record), (None, at.clone()), "{record}");
        }
        assert_eq!(key(r#"{"id":1,"created_at":5}"#), (Some(1), None));
        assert_eq!(key("{}"), (None, None));
    }
}
