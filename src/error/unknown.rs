//! [`UnknownLogType`]: a log type asked for that no loaded schema defines, with the one the
//! caller most likely meant.

use std::fmt;

use crate::suggest::{did_you_mean, suggest};

/// A log type that is not loaded, as [`ErrorKind::UnknownLogType`](super::ErrorKind) and
/// the generator's `GenError::UnknownLogType` report it: the name asked for, the
/// loaded log types, and the loaded one it most likely means (the same but for case, or a
/// typo or two away), so that a program can offer "did you mean" without the registry at
/// hand. [`Registry::lookup`](crate::Registry::lookup) makes one.
///
/// Displayed as `unknown log type "Zoom.Activty" (loaded log types: Zendesk.Audit,
/// Zoom.Activity, Zoom.Operation); did you mean `Zoom.Activity`?`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownLogType {
    name: String,
    loaded: Vec<String>,
    suggestion: Option<String>,
}

impl UnknownLogType {
    /// `name` is not among `loaded` (the registry's log types, in load order).
    pub(crate) fn new<'a>(name: &str, loaded: impl IntoIterator<Item = &'a str>) -> Self {
        let loaded: Vec<String> = loaded.into_iter().map(str::to_owned).collect();
        let suggestion = suggest(name, loaded.iter().map(String::as_str)).map(str::to_owned);
        UnknownLogType {
            name: name.to_owned(),
            loaded,
            suggestion,
        }
    }

    /// The log type asked for.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The loaded log types, in load order.
    #[must_use]
    pub fn loaded(&self) -> &[String] {
        &self.loaded
    }

    /// The loaded log type that [`name`](Self::name) most likely means, if one is close:
    /// equal but for ASCII case, or at most two edits away (a swap of neighbours is one) and
    /// fewer than half the longer name.
    #[must_use]
    pub fn suggestion(&self) -> Option<&str> {
        self.suggestion.as_deref()
    }
}

impl fmt::Display for UnknownLogType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown log type \"{}\" ", self.name)?;
        if self.loaded.is_empty() {
            f.write_str("(no log type is loaded)")?;
        } else {
            write!(f, "(loaded log types: {})", self.loaded.join(", "))?;
        }
        if let Some(meant) = &self.suggestion {
            write!(f, "; {}", did_you_mean(Some(meant)).trim_end())?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownLogType {}

#[cfg(test)]
mod tests {
    use super::*;

    const LOADED: [&str; 3] = ["Zendesk.Audit", "Zoom.Activity", "Zoom.Operation"];

    #[test]
    fn names_the_loaded_log_types_and_the_one_meant() {
        let e = UnknownLogType::new("Zoom.Activty", LOADED);
        assert_eq!(e.name(), "Zoom.Activty");
        assert_eq!(e.suggestion(), Some("Zoom.Activity"));
        assert_eq!(e.loaded(), LOADED);
        assert_eq!(
            e.to_string(),
            "unknown log type \"Zoom.Activty\" (loaded log types: Zendesk.Audit, \
             Zoom.Activity, Zoom.Operation); did you mean `Zoom.Activity`?"
        );
        assert_eq!(
            UnknownLogType::new("zendesk.audit", LOADED).suggestion(),
            Some("Zendesk.Audit")
        );
        let far = UnknownLogType::new("No.Such", LOADED);
        assert_eq!(far.suggestion(), None);
        assert!(far.to_string().ends_with("Zoom.Operation)"), "{far}");
        assert_eq!(
            UnknownLogType::new("Zoom.Activity", []).to_string(),
            "unknown log type \"Zoom.Activity\" (no log type is loaded)"
        );
    }
}
