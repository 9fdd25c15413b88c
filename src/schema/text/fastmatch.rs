//! Reading a `parser: fastmatch` pattern: its `%{name}` placeholders and the literal text
//! between them, turned into one regular expression. Every problem of the pattern is found,
//! each at the placeholder it concerns.
//!
//! The regular expression is what Panther's matcher (`pkg/x/fastmatch`) does on a line
//! without a backslash: each value is the text up to the first occurrence of the literal
//! text after it (lazy groups), and whatever follows the pattern's last literal text is
//! ignored (no `$`). With a backslash ahead, a value between quotes is read with its
//! escapes (`parse/text.rs`), which no regular expression can say; the parser cuts lines
//! itself and the expression serves the generator (`gen`), whose lines hold no backslash
//! in such patterns.

use std::fmt::Write as _;

use regex::Regex;

use super::super::{FieldType, Schema, TextOptions, ValueSchema};
use super::{
    captures, empty_match, regex_message, At, Compiled, Fill, Problem, Reading, GROUP_PREFIX,
};
use crate::time::TimeFormat;

/// Every pattern of a `fastmatch` block: the problems and captures of all of them.
pub(super) fn read_all(patterns: &[String]) -> Reading {
    if patterns.is_empty() {
        return Reading {
            problems: vec![empty_match()],
            ..Reading::default()
        };
    }
    let mut all = Reading {
        complete: true,
        ..Reading::default()
    };
    for (i, pattern) in patterns.iter().enumerate() {
        let one = read(pattern, i);
        all.compiled.extend(one.compiled);
        all.problems.extend(one.problems);
        all.fills.extend(one.fills);
        all.complete &= one.complete;
    }
    if !all.problems.is_empty() {
        all.compiled.clear();
    }
    all
}

/// The pattern `match[index]`.
pub(super) fn read(pattern: &str, index: usize) -> Reading {
    let at = At::MatchItem(index);
    let mut problems = Vec::new();
    let mut complete = true;
    let mut problem = |offset: usize, message: String, hint: &str| {
        problems.push(Problem {
            at: at.clone(),
            offset: Some(offset),
            message,
            hint: Some(hint.into()),
        });
    };
    let mut source = String::from("(?s)^");
    let mut fields: Vec<String> = Vec::new();
    // The names in `fields`, to find one written twice in time linear in the placeholders
    // (a pattern of 100,000 took 78 s to check: review s43-h3 LOW-2).
    let mut named: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut fills: Vec<Fill> = Vec::new();
    let mut pos = 0;
    let mut after_placeholder = false;
    let mut placeholders = 0;
    while pos < pattern.len() {
        let rest = &pattern[pos..];
        match rest.find("%{") {
            Some(0) => {
                let Some(end) = rest.find('}') else {
                    let shown: String = rest
                        .chars()
                        .take_while(|c| !matches!(c, '\n' | '\r'))
                        .take(20)
                        .collect();
                    problem(
                        pos,
                        format!("placeholder `{shown}` is not closed"),
                        "close it with `}`",
                    );
                    complete = false;
                    break;
                };
                let name = placeholder_name(&rest[2..end]);
                if name.is_empty() {
                    // `%{}` skips text: its value is not kept, as in Panther.
                } else if !named.insert(name.to_owned()) {
                    // Both would match (fastmatch has no alternation): one value would be lost.
                    problem(
                        pos,
                        format!("placeholder `%{{{name}}}` appears twice in this pattern"),
                        "a field holds one value; name the second one differently, or match it as text",
                    );
                } else {
                    fills.push(Fill {
                        field: name.to_owned(),
                        at: at.clone(),
                        offset: Some(pos),
                    });
                }
                if after_placeholder {
                    problem(
                        pos,
                        format!("placeholder `%{{{name}}}` follows another placeholder without text between them"),
                        "fastmatch cuts a line at the literal text between placeholders; put a separator between them, or use `parser: regex`",
                    );
                }
                pos += end + 1;
                let lazy = if pos == pattern.len() { "" } else { "?" };
                if name.is_empty() {
                    let _ = write!(source, "(?:.*{lazy})");
                } else {
                    let _ = write!(source, "(?P<{GROUP_PREFIX}{}>.*{lazy})", fields.len());
                    fields.push(name.to_owned());
                }
                placeholders += 1;
                after_placeholder = true;
            }
            found => {
                let literal = &rest[..found.unwrap_or(rest.len())];
                source.push_str(&regex::escape(literal));
                pos += literal.len();
                after_placeholder = false;
            }
        }
    }
    if complete && placeholders == 0 {
        // Panther refuses it (`invalid pattern`): a line would give no value.
        problem(
            0,
            "this pattern has no placeholder".into(),
            "capture a value with `%{name}`, or skip text with `%{}`",
        );
    }
    // Only the last placeholder, when it ends the pattern, runs to the end of the line.
    if after_placeholder {
        source.push('$');
    }
    let mut out = Reading {
        compiled: Vec::new(),
        problems,
        fills,
        complete,
        lead: None,
    };
    if out.problems.is_empty() {
        compile(&source, &fields, at, &mut out);
    }
    out
}

/// What the patterns of a fastmatch block of `schema` cannot do as written, though the block
/// loads (here and in Panther): the warnings of the schema checks. Only what is certain:
///
/// - a pattern holding a line break, which no line holds (review s42-h1 LOW-1);
/// - a pattern whose literal text at the start begins with the `skipPrefix`: every line it
///   matches is skipped before it is matched;
/// - a placeholder of a `timestamp` field followed by literal text that every time format
///   of the field always holds ([`TimeFormat::always_holds`]): its value ends at the first
///   occurrence of that text, so no time is captured whole. Not for a value between quotes
///   (read with its escapes, it may hold the text), nor for a field `expandFields` builds
///   (the template gives its value).
pub(super) fn lint(schema: &Schema, patterns: &[String], options: &TextOptions) -> Vec<Problem> {
    let mut out = Vec::new();
    let skip_prefix = options.skip_prefix.as_deref().filter(|p| !p.is_empty());
    for (index, pattern) in patterns.iter().enumerate() {
        // A placeholder not closed is an error of its own.
        let Some((lead, holes)) = holes(pattern) else {
            continue;
        };
        let at = At::MatchItem(index);
        // A line never holds a line break (a YAML `|` block ends its text with one).
        if let Some(offset) = pattern.find(['\n', '\r']) {
            out.push(Problem {
                at: at.clone(),
                offset: Some(offset),
                message: "this pattern holds a line break, which no line holds: it never \
                          matches"
                    .into(),
                hint: Some(
                    "write the pattern on one line (a YAML `|` block ends with a line break: \
                     `|-` does not)"
                        .into(),
                ),
            });
        }
        if let Some(prefix) = skip_prefix.filter(|p| lead.starts_with(p)) {
            out.push(Problem {
                at: at.clone(),
                offset: Some(0),
                message: format!(
                    "every line this pattern matches starts with the `skipPrefix` {prefix:?}, \
                     which skips the line before any pattern is tried: this pattern never gives \
                     an event"
                ),
                hint: Some("change `skipPrefix`, or the text the pattern starts with".into()),
            });
        }
        for hole in &holes {
            if hole.after.is_empty()
                || hole.quote.is_some()
                || options.expand_fields.contains_key(hole.name)
            {
                continue;
            }
            let Some(specs) = time_specs(schema, hole.name) else {
                continue;
            };
            let always = specs
                .iter()
                .all(|spec| TimeFormat::from_spec(spec).is_ok_and(|f| f.always_holds(hole.after)));
            if always {
                out.push(Problem {
                    at: at.clone(),
                    offset: Some(hole.offset),
                    message: cut_time(hole.name, hole.after, &specs),
                    hint: Some(format!(
                        "follow `%{{{}}}` with text its times never hold, end the pattern \
                         with it, or read the line with `parser: regex`",
                        hole.name
                    )),
                });
            }
        }
    }
    out
}

/// The time formats of the top-level field `name` when it is a timestamp (following `ref`s;
/// fastmatch fills top-level fields only, by name), in the order they are tried; `None` for
/// another type, no such field, or no format.
fn time_specs<'s>(schema: &'s Schema, name: &str) -> Option<Vec<&'s str>> {
    let field = schema.fields.iter().find(|f| f.name == name)?;
    let mut v: &ValueSchema = &field.value;
    // Bounded, so that a cycle of refs (an error of its own) ends.
    for _ in 0..=schema.definitions.len() {
        match (v.ty, &v.target) {
            (FieldType::Ref, Some(target)) => v = schema.definitions.get(target)?,
            _ => break,
        }
    }
    let specs: Vec<&str> = v
        .time_format
        .iter()
        .chain(&v.time_formats)
        .map(String::as_str)
        .collect();
    (v.ty == FieldType::Timestamp && !specs.is_empty()).then_some(specs)
}

/// Why `%{name}`, followed by `after`, can never capture a time of the formats `specs`.
fn cut_time(name: &str, after: &str, specs: &[&str]) -> String {
    let formats = specs
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let which = if specs.len() == 1 {
        format!("the time format of field `{name}`, {formats},")
    } else {
        format!("every time format of field `{name}` ({formats})")
    };
    format!(
        "`%{{{name}}}` captures the text up to the first {after:?}, but {which} always \
         writes {after:?}: no time is captured whole, so this pattern never gives `{name}` a \
         value"
    )
}

/// The regular expression `source` of a pattern whose placeholders fill `fields`, into `out`.
fn compile(source: &str, fields: &[String], at: At, out: &mut Reading) {
    match Regex::new(source) {
        Ok(regex) => out.compiled.push(Compiled {
            captures: captures(&regex, fields),
            regex,
        }),
        // Only a pattern too large for the regex crate's limits gets here.
        Err(e) => out.problems.push(Problem::new(at, regex_message(&e), None)),
    }
}

/// The field name of a placeholder from the text between `%{` and `}`: white space before
/// it is not part of it (`%{ user}` is `user`), as Panther's pattern splitter reads it
/// (`%{\s*(?P<tag>[^}]*)\s*}`, whose `\s` is Go's ASCII white space). Empty for `%{}`, a
/// placeholder that skips text.
fn placeholder_name(inside: &str) -> &str {
    inside.trim_start_matches(['\t', '\n', '\x0c', '\r', ' '])
}

/// The quote a placeholder's value is read between: `"` or `'` when the literal text before
/// the placeholder ends with it and the text after starts with the same one, as Panther
/// detects quoted values. With a backslash ahead in the line, such a value is read with its
/// escapes (see `parse/text.rs`).
fn quote_between(before: &str, after: &str) -> Option<u8> {
    let quote = *before.as_bytes().last()?;
    (matches!(quote, b'"' | b'\'') && after.as_bytes().first() == Some(&quote)).then_some(quote)
}

/// A placeholder of a fastmatch pattern, as the matcher uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hole<'a> {
    /// The field it fills; empty for `%{}`, which skips text.
    pub(crate) name: &'a str,
    /// The literal text after it, up to the next placeholder or the end of the pattern.
    pub(crate) after: &'a str,
    /// See [`quote_between`].
    pub(crate) quote: Option<u8>,
    /// The byte offset of its `%{` in the pattern.
    pub(crate) offset: usize,
}

/// A fastmatch pattern cut into the literal text before its first placeholder and its
/// placeholders; `None` when a placeholder is not closed (the schema checks report it).
pub(crate) fn holes(pattern: &str) -> Option<(&str, Vec<Hole<'_>>)> {
    let lead_end = pattern.find("%{").unwrap_or(pattern.len());
    let lead = &pattern[..lead_end];
    let mut rest = &pattern[lead_end..];
    let mut before = lead;
    let mut out = Vec::new();
    while let Some(open) = rest.strip_prefix("%{") {
        let offset = pattern.len() - rest.len();
        let close = open.find('}')?;
        rest = &open[close + 1..];
        let next = rest.find("%{").unwrap_or(rest.len());
        let after = &rest[..next];
        out.push(Hole {
            name: placeholder_name(&open[..close]),
            after,
            quote: quote_between(before, after),
            offset,
        });
        before = after;
        rest = &rest[next..];
    }
    Some((lead, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holes_names_and_quotes() {
        let (lead, h) = holes(r#"<%{ a}> "%{b}" '%{}' "%{c}'%{d}"#).expect("closed");
        assert_eq!(lead, "<");
        let got: Vec<_> = h
            .iter()
            .map(|h| (h.name, h.after, h.quote, h.offset))
            .collect();
        assert_eq!(
            got,
            [
                ("a", "> \"", None, 1),
                ("b", "\" '", Some(b'"'), 9),
                ("", "' \"", Some(b'\''), 16),
                // The quotes around `c` differ: not a quoted value.
                ("c", "'", None, 22),
                ("d", "", None, 27),
            ]
        );
        assert_eq!(holes("x %{a"), None);
        assert_eq!(holes("no placeholder"), Some(("no placeholder", vec![])));
    }
}
