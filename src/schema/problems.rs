//! Where things are in a schema file ([`Span`], [`KeySpans`]) and what is wrong with it
//! ([`SchemaError`], [`SchemaErrors`]): the positions every part of the model keeps, and the
//! problems [`load`](super::load) and [`validate`](super::validate) report with them.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// A 1-based line and column in a schema file (0 = unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub struct Span {
    /// 1-based line.
    pub line: u32,
    /// 1-based column (in characters).
    pub col: u32,
}

/// Where the keys of a YAML mapping were written, by key name: `timeFormat`, `validate.allow`,
/// `timeFormats[1]` (an item of a list), `definitions.Name` (a definition's name). A key with
/// `@` in front (`@match[1]`) is where the text of that value starts, recorded when each of its
/// characters takes one column of one line, so a problem inside the text can point at its
/// column. Filled by [`load`](super::load); empty for a schema built in code, and then checks fall back to
/// the node's `span`. A key the loader refused (unknown, written twice, not allowed there)
/// is `refused@<line>:<col>`: a problem there is then known to be this mapping's, not that
/// of the field it follows (see `field_path.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeySpans(BTreeMap<String, Span>);

impl KeySpans {
    /// The position of `key`, if it was written.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<Span> {
        self.0.get(key).copied()
    }

    /// Whether `key` was written (even with an empty value, e.g. `allow: []`).
    #[must_use]
    pub fn contains(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// Whether a key that starts with `prefix` was written (`definitions.` for a definition).
    #[must_use]
    pub fn any_under(&self, prefix: &str) -> bool {
        self.0
            .range(prefix.to_owned()..)
            .next()
            .is_some_and(|(k, _)| k.starts_with(prefix))
    }

    /// Record the position of `key`.
    pub fn insert(&mut self, key: impl Into<String>, span: Span) {
        self.0.insert(key.into(), span);
    }

    /// Record, as `refused@<line>:<col>`, each of `keys` (the keys of a mapping) not
    /// recorded yet at its position.
    pub(crate) fn note_refused(&mut self, keys: impl Iterator<Item = Span>) {
        let kept: std::collections::HashSet<Span> = self.0.values().copied().collect();
        for span in keys.filter(|span| !kept.contains(span)) {
            self.0
                .insert(format!("refused@{}:{}", span.line, span.col), span);
        }
    }

    /// The key written last at or before `at` (the one whose value holds what is at `at`,
    /// when `at` is inside this mapping), and its position.
    #[must_use]
    pub fn last_at_or_before(&self, at: Span) -> Option<(&str, Span)> {
        self.0
            .iter()
            .filter(|(_, &span)| span.line > 0 && span <= at)
            .max_by_key(|(_, &span)| span)
            .map(|(key, &span)| (key.as_str(), span))
    }

    /// Forget every position (e.g. to compare schemas read from different texts).
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

/// One problem in a schema file: an error, or a warning (see [`Severity`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SchemaError {
    /// The file (or `<string>` / `<builtin>/...`) the schema came from.
    pub origin: Option<Arc<str>>,
    /// Where in the file.
    pub span: Span,
    /// What is wrong, lowercase, no trailing period.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
    /// Whether the schema is refused for it.
    pub severity: Severity,
}

/// How serious a [`SchemaError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// The schema is refused: it does not load.
    Error,
    /// The schema loads (in Panther too) but part of it cannot work as written: see
    /// [`validate::warnings`](super::validate::warnings). Shown as `warning: <file>:<line>:<col>: ...`.
    Warning,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        if let Some(origin) = &self.origin {
            // A file name with a line break (or another control character) must not split
            // the message: written as `\n`.
            for c in origin.chars() {
                if c.is_control() {
                    write!(f, "{}", c.escape_debug())?;
                } else {
                    write!(f, "{c}")?;
                }
            }
            f.write_str(":")?;
        }
        if self.span.line > 0 {
            write!(f, "{}:{}:", self.span.line, self.span.col)?;
        }
        if self.origin.is_some() || self.span.line > 0 {
            f.write_str(" ")?;
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for SchemaError {}

/// Every error found in one or more schema files; never empty.
#[derive(Clone, PartialEq, Eq)]
pub struct SchemaErrors(pub Vec<SchemaError>);

/// The messages, as [`Display`](fmt::Display) gives them: what `fn main() -> Result<(), Box<dyn
/// Error>>` prints for a schema that does not load, `file:line:col: ...` rather than the
/// structs (review s44-h1 LOW-4). `{:#?}` gives the structs.
impl fmt::Debug for SchemaErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            f.debug_tuple("SchemaErrors").field(&self.0).finish()
        } else {
            fmt::Display::fmt(self, f)
        }
    }
}

impl fmt::Display for SchemaErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SchemaErrors {}

#[cfg(test)]
mod tests {
    /// `main` returning a schema's errors prints them as messages, not as structs.
    #[test]
    fn debug_of_schema_errors_is_their_messages() {
        let errors =
            crate::schema::load::from_str("schema: Custom.A1\nversion: 3\nfields: []\n", "s.yml")
                .expect_err("refused");
        let debug = format!("{errors:?}");
        assert_eq!(debug, errors.to_string());
        assert!(debug.starts_with("s.yml:2:10: "), "{debug}");
        assert!(format!("{errors:#?}").contains("SchemaError {"));
    }
}
