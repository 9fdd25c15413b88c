//! The keys of a mapping the `Loader` keeps, and where the others were: an unknown key
//! (with a "did you mean"), one written twice, one that is not a name, a field's key in
//! an element; and the items of a `fields` list that are not fields.

use super::{Entry, Loader, FIELD_KEYS, VALUE_KEYS};
use crate::schema::yaml::{Node, NodeKind};
use crate::schema::{Field, Span};
use std::collections::HashMap;

/// Keys of Panther's language that normalog knows but does not support, and why.
fn unsupported_hint(key: &str) -> Option<String> {
    Some(match key {
        "isExpiration" => "`isExpiration` is for Panther lookup tables; remove it".into(),
        "rename" | "copy" | "concat" | "split" | "mask" => {
            format!("transformations such as `{key}` are not supported by normalog; remove it")
        }
        _ => return None,
    })
}

/// Where the items of a `fields` list are that the model did not keep as fields (not a
/// mapping, empty): a problem there is the list's owner's, not the field before it's
/// (`field_path.rs`; review s44-h8 MEDIUM-1).
pub(super) fn dropped_items(list: &Node, kept: &[Field]) -> Vec<Span> {
    match &list.kind {
        NodeKind::Seq(items) => items
            .iter()
            .map(|item| item.span)
            .filter(|span| !kept.iter().any(|f| f.span == *span))
            .collect(),
        _ => Vec::new(),
    }
}

impl Loader {
    /// The entries of a mapping with string keys, without duplicates and (when `allowed` is
    /// given) without unknown keys; each of those is reported.
    pub(super) fn entries<'n>(
        &mut self,
        pairs: &'n [(Node, Node)],
        allowed: Option<&[&str]>,
    ) -> Vec<Entry<'n>> {
        let mut out: Vec<Entry<'n>> = Vec::with_capacity(pairs.len());
        let mut seen: HashMap<&str, Span> = HashMap::with_capacity(pairs.len());
        for (key, value) in pairs {
            let Some(name) = key.text() else {
                self.error(
                    key.span,
                    format!("a key must be a name, found {}", key.kind_name()),
                    None,
                );
                continue;
            };
            if let Some(&first) = seen.get(name) {
                self.error(
                    key.span,
                    format!("duplicate key `{name}`"),
                    Some(format!(
                        "the first `{name}` is at {}:{}; remove one",
                        first.line, first.col
                    )),
                );
                continue;
            }
            if let Some(allowed) = allowed {
                if !allowed.contains(&name) {
                    let hint = unsupported_hint(name).unwrap_or_else(|| {
                        crate::suggest::did_you_mean_or(name, allowed.iter().copied(), || {
                            format!("valid keys here: {}", allowed.join(", "))
                        })
                    });
                    self.error(key.span, format!("unknown key `{name}`"), Some(hint));
                    continue;
                }
            }
            seen.insert(name, key.span);
            out.push(Entry {
                key: name,
                key_span: key.span,
                value,
            });
        }
        out
    }

    /// Entries of a bare value schema (array element, definition): the field-only keys are
    /// reported.
    pub(super) fn value_entries<'n>(
        &mut self,
        pairs: &'n [(Node, Node)],
        what: &str,
    ) -> Vec<Entry<'n>> {
        let all: Vec<&str> = FIELD_KEYS.iter().chain(VALUE_KEYS).copied().collect();
        let mut entries = self.entries(pairs, Some(&all));
        entries.retain(|e| {
            if FIELD_KEYS.contains(&e.key) {
                self.error(
                    e.key_span,
                    format!("`{}` is not allowed in {what}", e.key),
                    Some("an array element or a definition is a bare type; `name`, `required` and `description` belong to a field".into()),
                );
                false
            } else {
                true
            }
        });
        entries
    }
}
