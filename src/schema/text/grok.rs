//! Grok expansion of `parser: regex` patterns: `%{PATTERN:field}` placeholders replaced by the
//! definitions and built-in patterns they name.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{closest, unclosed, At, Problem, BUILTIN_PATTERNS, GROUP_PREFIX};

/// Placeholders nest (a definition using another) at most this deep.
const MAX_NESTING: usize = 32;

/// Grok expansion over the definitions and the built-in patterns.
pub(super) struct Grok<'d> {
    pub(super) definitions: &'d BTreeMap<String, String>,
    /// The field of each placeholder group, by number.
    pub(super) fields: Vec<String>,
}

impl<'d> Grok<'d> {
    fn definition(&self, name: &str) -> Option<&'d str> {
        self.definitions.get(name).map(String::as_str).or_else(|| {
            BUILTIN_PATTERNS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, p)| *p)
        })
    }

    /// `text` with its placeholders replaced; `stack` holds the definitions being expanded.
    pub(super) fn expand(
        &mut self,
        text: &str,
        at: &At,
        stack: &mut Vec<String>,
    ) -> Result<String, Problem> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("%{") {
            out.push_str(&rest[..start]);
            rest = &rest[start..];
            let Some(end) = rest.find('}') else {
                return Err(unclosed(at.clone(), rest));
            };
            let inner = &rest[2..end];
            rest = &rest[end + 1..];
            let mut parts = inner.splitn(3, ':');
            let name = parts.next().unwrap_or_default();
            let field = parts.next();
            if parts.next().is_some() {
                return Err(Problem::new(
                    at.clone(),
                    format!("`%{{{inner}}}` has a type conversion"),
                    Some("write `%{PATTERN:field}`; the field's type in the schema converts the value".into()),
                ));
            }
            if field == Some("") {
                return Err(Problem::new(
                    at.clone(),
                    format!("`%{{{inner}}}` has an empty field name"),
                    Some(format!(
                        "write `%{{{name}:field}}`, or `%{{{name}}}` to match without capturing"
                    )),
                ));
            }
            let Some(body) = self.definition(name) else {
                let mut names: Vec<&str> = self.definitions.keys().map(String::as_str).collect();
                names.extend(BUILTIN_PATTERNS.iter().map(|(n, _)| *n));
                let hint = closest(name, &names, "define it under `patternDefinitions`");
                return Err(Problem::new(
                    at.clone(),
                    format!("unknown grok pattern `{name}` in `%{{{inner}}}`"),
                    Some(hint),
                ));
            };
            if stack.iter().any(|s| s == name) || stack.len() >= MAX_NESTING {
                return Err(Problem::new(
                    at.clone(),
                    format!(
                        "grok pattern `{name}` refers to itself: `{} -> {name}`",
                        stack.join(" -> ")
                    ),
                    Some("a pattern cannot contain itself".into()),
                ));
            }
            stack.push(name.to_owned());
            let inner_source = self.expand(body, at, stack)?;
            stack.pop();
            match field {
                Some(field) => {
                    let _ = write!(out, "(?P<{GROUP_PREFIX}{}>", self.fields.len());
                    self.fields.push(field.to_owned());
                }
                None => out.push_str("(?:"),
            }
            out.push_str(&inner_source);
            out.push(')');
        }
        out.push_str(rest);
        Ok(out)
    }
}
