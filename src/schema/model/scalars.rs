//! The scalar readers of the `Loader`: a text, an optional text, a boolean, a list of texts,
//! each with the message (and hint) for a value of the wrong kind.

use super::{Entry, Loader};
use crate::schema::yaml::{NodeKind, ScalarKind};
use crate::schema::Span;

/// The hint for a null where a text goes (review s42-h1 LOW-2: "found nothing" alone).
const NULL_HINT: &str =
    "`~`, `null` and a value left empty are YAML's null; write `''` for an empty string";

impl Loader {
    /// A text value (any scalar but null).
    pub(super) fn text(&mut self, e: Entry<'_>) -> Option<String> {
        self.text_or(e, None)
    }

    /// [`text`](Self::text), with `hint` for a value that is not text (null has its own).
    pub(super) fn text_or(&mut self, e: Entry<'_>, hint: Option<String>) -> Option<String> {
        if let Some(text) = e.value.text() {
            return Some(text.to_owned());
        }
        let hint = if e.value.is_null() {
            Some(NULL_HINT.to_owned())
        } else {
            hint
        };
        self.error(
            e.value_span(),
            format!(
                "`{}` must be a string, found {}",
                e.key,
                e.value.kind_name()
            ),
            hint,
        );
        None
    }

    /// A text value that may not be empty (`what` says what to write instead).
    pub(super) fn filled_text(&mut self, e: Entry<'_>, what: &str) -> Option<String> {
        let text = self.text(e)?;
        if text.is_empty() {
            // Panther's JSON Schema of the format refuses it (review s42-h1 LOW-1).
            self.error(
                e.value_span(),
                format!("`{}` is empty", e.key),
                Some(what.to_owned()),
            );
        }
        Some(text)
    }

    /// `referenceURL`: an absolute URL, with its scheme, as Panther's JSON Schema of the
    /// format asks (`format: uri`; review s42-h1 LOW-1); null means absent.
    pub(super) fn url(&mut self, e: Entry<'_>) -> Option<String> {
        let url = self.opt_text(e)?;
        let scheme = url.split_once(':').map_or("", |(s, _)| s);
        let mut chars = scheme.chars();
        let has_scheme = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !has_scheme {
            self.error(
                e.value_span(),
                format!("`{}` {url:?} is not a URL with its scheme", e.key),
                Some(format!("write it whole, e.g. `https://{url}`")),
            );
        }
        Some(url)
    }

    /// An optional text value: null means absent.
    pub(super) fn opt_text(&mut self, e: Entry<'_>) -> Option<String> {
        if e.value.is_null() {
            None
        } else {
            self.text(e)
        }
    }

    pub(super) fn boolean(&mut self, e: Entry<'_>) -> bool {
        if let Some(ScalarKind::Bool(b)) = e.value.scalar_kind() {
            return b;
        }
        let hint = match e.value.text() {
            Some(t @ ("yes" | "no" | "on" | "off" | "y" | "n" | "Yes" | "No" | "On" | "Off")) => {
                format!("YAML 1.2 reads `{t}` as text; write true or false")
            }
            Some(t) if matches!(t.to_ascii_lowercase().as_str(), "true" | "false") => {
                format!("write {} without quotes", t.to_ascii_lowercase())
            }
            _ => "write true or false".into(),
        };
        self.error(
            e.value_span(),
            format!(
                "`{}` must be true or false, found {}",
                e.key,
                e.value.kind_name()
            ),
            Some(hint),
        );
        false
    }

    /// A list of text values with their positions; null means an empty list.
    pub(super) fn text_list<'n>(&mut self, e: Entry<'n>) -> Vec<(&'n str, Span)> {
        match &e.value.kind {
            NodeKind::Seq(items) => items
                .iter()
                .filter_map(|item| {
                    if let Some(t) = item.text() {
                        Some((t, item.span))
                    } else {
                        self.error(
                            item.span,
                            format!(
                                "each item of `{}` must be a string, found {}",
                                e.key,
                                item.kind_name()
                            ),
                            item.is_null().then(|| NULL_HINT.to_owned()),
                        );
                        None
                    }
                })
                .collect(),
            _ if e.value.is_null() => Vec::new(),
            _ => {
                let example = e.value.text().map_or_else(|| "...".to_owned(), flow_item);
                self.error(
                    e.value_span(),
                    format!("`{}` must be a list, found {}", e.key, e.value.kind_name()),
                    Some(format!("write `{}: [{example}]`", e.key)),
                );
                // Read as the list the hint writes, so that the checks of the list (not
                // empty) do not report the same mistake again; the schema is refused anyway.
                e.value
                    .text()
                    .map(|t| vec![(t, e.value.span)])
                    .unwrap_or_default()
            }
        }
    }
}

/// `text` as an item of a YAML flow list (`[...]`): as it is when it is a word that YAML
/// reads as that string (`ip`, `Custom.App`), single-quoted otherwise (`-`, `a, b`, `#x`,
/// `true`, `404`...).
fn flow_item(text: &str) -> String {
    let word = text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/'))
        && !["true", "false", "null", "yes", "no", "on", "off"]
            .iter()
            .any(|w| w.eq_ignore_ascii_case(text));
    if word {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "''"))
    }
}
