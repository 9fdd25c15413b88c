//! `Debug` of an [`Event`] and of a [`Value`]: what the record became (its log type,
//! position, time and field values), not the compiled plan they point into. Why: derived,
//! `dbg!(event.get(&["email"]))` printed 7,700 characters of key indexes and schema spans
//! for one string.

use std::fmt;

use super::{Event, Value};

impl fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(elements) = self.elements() {
            return f.debug_list().entries(elements).finish();
        }
        if let Some(fields) = self.fields() {
            return fields.fmt(f);
        }
        if let Some(s) = self.as_str() {
            write!(f, "{s:?}")
        } else if let Some(i) = self.as_i64() {
            write!(f, "{i}")
        } else if let Some(x) = self.as_f64() {
            write!(f, "{x:?}")
        } else if let Some(b) = self.as_bool() {
            write!(f, "{b}")
        } else if let Some(t) = self.as_timestamp() {
            write!(
                f,
                "{}",
                t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
            )
        } else if let Some(json) = self.as_json() {
            f.write_str(json)
        } else {
            f.write_str("null")
        }
    }
}

impl fmt::Debug for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("log_type", &self.log_type())
            .field("position", &self.position)
            .field("event_time", &self.event_time)
            .field("fields", &self.fields())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use crate::{NormalizerBuilder, Position, Registry};

    #[test]
    fn debug_shows_the_values_not_the_plan() {
        let registry = Registry::builtin();
        let mut n = NormalizerBuilder::new()
            .log_types(["Zoom.Activity"])
            .build(&registry)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut line =
            br#"{"email":"ann@example.com","time":"2023-07-01T14:00:00Z","ip_address":"10.1.2.3"}"#
                .to_vec();
        let event = n
            .normalize(&mut line, Position::new(0, 1, 0))
            .unwrap_or_else(|e| panic!("{e}"));
        let email = event.get(&["email"]).map(|v| format!("{v:?}"));
        assert_eq!(email.as_deref(), Some(r#""ann@example.com""#));
        let time = event.get(&["time"]).map(|v| format!("{v:?}"));
        assert_eq!(time.as_deref(), Some("2023-07-01T14:00:00Z"));
        let whole = format!("{event:?}");
        assert!(
            whole.starts_with(r#"Event { log_type: "Zoom.Activity", "#),
            "{whole}"
        );
        assert!(whole.contains(r#""email": "ann@example.com""#), "{whole}");
        assert!(whole.len() < 400, "{} characters: {whole}", whole.len());
    }
}
