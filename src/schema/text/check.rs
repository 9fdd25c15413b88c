//! The checks of a text parser block (`regex`, `fastmatch`; `csv` has its own): its patterns
//! compile, and they and `expandFields` name the fields of the schema. Every problem is
//! reported, each where it is written: the column of a placeholder or of a regular
//! expression's mistake inside a `match` item or a definition when the file shows the text
//! one character per column (the loader records where, as `@match[i]`), else the item.
//! [`lint`] finds, the same way, the warnings: what a block that loads cannot do as written.

use std::collections::BTreeMap;

use super::super::{FastmatchParser, KeySpans, Schema, Span, TextOptions};
use super::{closest, fastmatch, joined, template_names, At, Fill, Problem, Reading};

/// Which text parser, for messages.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Regex,
    Fastmatch,
}

/// Where the patterns of a block are written: the positions the loader recorded, and the
/// texts (to count the characters before a byte offset).
struct Places<'a> {
    spans: &'a KeySpans,
    patterns: &'a [String],
    definitions: Option<&'a BTreeMap<String, String>>,
    /// The `regex:` or `fastmatch:` key, when nothing closer is known.
    block: Span,
}

impl Places<'_> {
    /// The position of `offset` in the text written at `at`, or of the text, or of the block.
    fn span(&self, at: &At, offset: Option<usize>) -> Span {
        let (key, text) = match at {
            At::Match => ("match".to_owned(), None),
            At::MatchItem(i) => (format!("match[{i}]"), self.patterns.get(*i)),
            At::Definition(name) => (
                format!("patternDefinitions.{name}"),
                self.definitions.and_then(|d| d.get(name)),
            ),
        };
        let inside = offset
            .zip(text)
            .and_then(|(offset, text)| text.get(..offset))
            .zip(self.spans.get(&format!("@{key}")))
            .and_then(|(before, start)| {
                let chars = u32::try_from(before.chars().count()).ok()?;
                Some(Span {
                    line: start.line,
                    col: start.col.checked_add(chars)?,
                })
            });
        inside
            .or_else(|| self.spans.get(&key))
            .or_else(|| self.spans.get("match"))
            .unwrap_or(self.block)
    }
}

/// Check the text parser block of `schema`, if any; `error` receives each problem.
pub(crate) fn check(schema: &Schema, error: &mut dyn FnMut(Span, String, Option<String>)) {
    let Some(parser) = &schema.parser else {
        return;
    };
    if let Some(c) = &parser.csv {
        if parser.regex.is_some() || parser.fastmatch.is_some() {
            error(
                c.key_spans.get("").unwrap_or(schema.span),
                "a schema has one parser, but `csv` is given with another".into(),
                Some("keep one of them".into()),
            );
            return;
        }
        return super::super::csv::check(schema, c, error);
    }
    let field_names: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
    let (reading, options, places, kind) = match (&parser.regex, &parser.fastmatch) {
        (Some(_), Some(f)) => {
            let span = f.key_spans.get("").unwrap_or(schema.span);
            error(
                span,
                "a schema has one parser, but both `regex` and `fastmatch` are given".into(),
                Some("keep one of them".into()),
            );
            return;
        }
        (Some(r), None) => {
            let places = Places {
                spans: &r.key_spans,
                patterns: &r.patterns,
                definitions: Some(&r.pattern_definitions),
                block: r.key_spans.get("").unwrap_or(schema.span),
            };
            (
                joined::read(r, &field_names),
                &r.options,
                places,
                Kind::Regex,
            )
        }
        (None, Some(f)) => (
            fastmatch::read_all(&f.patterns),
            &f.options,
            fastmatch_places(schema, f),
            Kind::Fastmatch,
        ),
        (None, None) => return,
    };
    for p in &reading.problems {
        report(p, &places, error);
    }
    check_names(schema, &reading, options, &places, kind, error);
}

/// The warnings of the text parser block of `schema` (see [`fastmatch::lint`] and
/// [`csv::lint`](super::super::csv::lint)); `warn` receives each one. Only a parser block
/// alone has any.
pub(crate) fn lint(schema: &Schema, warn: &mut dyn FnMut(Span, String, Option<String>)) {
    let Some(parser) = &schema.parser else {
        return;
    };
    match (&parser.fastmatch, &parser.regex, &parser.csv) {
        (Some(f), None, None) => {
            let places = fastmatch_places(schema, f);
            for p in fastmatch::lint(schema, &f.patterns, &f.options) {
                report(&p, &places, warn);
            }
        }
        (None, Some(r), None) => {
            let places = Places {
                spans: &r.key_spans,
                patterns: &r.patterns,
                definitions: Some(&r.pattern_definitions),
                block: r.key_spans.get("").unwrap_or(schema.span),
            };
            let items = r
                .patterns
                .iter()
                .enumerate()
                .map(|(i, p)| (At::MatchItem(i), p));
            let definitions = r
                .pattern_definitions
                .iter()
                .map(|(name, p)| (At::Definition(name.clone()), p));
            for (at, pattern) in items.chain(definitions) {
                if let Some(offset) = placeholder_in_a_class(pattern) {
                    let p = Problem {
                        at,
                        offset: Some(offset),
                        message: "this `[` starts a character class, which takes the placeholder \
                                  after it as text: the placeholder captures nothing, and the \
                                  class matches one character"
                            .into(),
                        hint: Some("write `\\[` and `\\]` for literal brackets".into()),
                    };
                    report(&p, &places, warn);
                }
            }
            let field_names: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
            let prefix = r.options.skip_prefix.as_deref().filter(|p| !p.is_empty());
            // Read (and compiled) only for a `skipPrefix`: compiling the pattern is most of
            // what loading a regex log type costs (review s42-h4 O9).
            let lead = prefix.and_then(|_| joined::read(r, &field_names).lead);
            if let Some((prefix, _)) = prefix.zip(lead).filter(|(p, lead)| lead.starts_with(p)) {
                let p = Problem::new(
                    At::MatchItem(0),
                    format!(
                        "every line this pattern matches starts with the `skipPrefix` {prefix:?}, \
                         which skips the line before the pattern is tried: this pattern never \
                         gives an event"
                    ),
                    Some("change `skipPrefix`, or the text the pattern starts with".into()),
                );
                report(&p, &places, warn);
            }
        }
        (None, None, Some(c)) => {
            super::super::csv::lint(c, c.key_spans.get("").unwrap_or(schema.span), warn);
        }
        _ => {}
    }
}

/// Where a `[` opens a character class that holds a placeholder (`[%{DATA:msg}]` for a
/// bracketed value): compiled, the class holds the placeholder's expansion as text, and
/// every line is refused (review s46-h3 LOW-3, s46-h4 LOW-2). Text between `\\Q` and `\\E`
/// is literal.
fn placeholder_in_a_class(pattern: &str) -> Option<usize> {
    let b = pattern.as_bytes();
    let mut i = 0;
    let mut class: Option<usize> = None;
    while i < b.len() {
        match (b[i], class) {
            (b'\\', _) if b.get(i + 1) == Some(&b'Q') => {
                let rest = pattern.get(i + 2..).unwrap_or_default();
                i = rest.find("\\E").map_or(b.len(), |e| i + 2 + e + 2);
                continue;
            }
            (b'\\', _) => i += 1,
            (b'%', Some(start)) if b.get(i + 1) == Some(&b'{') => return Some(start),
            // A POSIX class (`[:alpha:]`) is one member: its `]` does not end the class.
            (b'[', Some(_)) if b.get(i + 1) == Some(&b':') => {
                if let Some(end) = pattern.get(i + 2..).and_then(|r| r.find(":]")) {
                    i += 2 + end + 2;
                    continue;
                }
            }
            (b'[', None) => {
                class = Some(i);
                // A `]` first in the class (after `^`) is a member, not its end.
                i += usize::from(b.get(i + 1) == Some(&b'^'));
                i += usize::from(b.get(i + 1) == Some(&b']'));
            }
            (b']', Some(_)) => class = None,
            _ => {}
        }
        i += 1;
    }
    None
}

fn fastmatch_places<'a>(schema: &Schema, f: &'a FastmatchParser) -> Places<'a> {
    Places {
        spans: &f.key_spans,
        patterns: &f.patterns,
        definitions: None,
        block: f.key_spans.get("").unwrap_or(schema.span),
    }
}

fn report(p: &Problem, places: &Places<'_>, error: &mut dyn FnMut(Span, String, Option<String>)) {
    error(
        places.span(&p.at, p.offset),
        p.message.clone(),
        p.hint.clone(),
    );
}

/// Captures name top-level fields, or feed `expandFields` templates (a capture that only
/// feeds a template needs no field of its own: as in Panther, whose flat object of
/// captures drops keys that name no field); a definition used twice is reported once.
fn check_captures(
    names: &[&str],
    reading: &Reading,
    options: &TextOptions,
    places: &Places<'_>,
    kind: Kind,
    error: &mut dyn FnMut(Span, String, Option<String>),
) {
    let templated: Vec<&str> = options
        .expand_fields
        .values()
        .filter_map(|t| template_names(t).ok())
        .flatten()
        .collect();
    // Linear in the captures, not quadratic (see `fastmatch::read`).
    let names_set: std::collections::HashSet<&str> = names.iter().copied().collect();
    let mut seen: std::collections::HashSet<&Fill> = std::collections::HashSet::new();
    for fill in &reading.fills {
        let field = fill.field.as_str();
        if names_set.contains(field) || templated.contains(&field) || !seen.insert(fill) {
            continue;
        }
        let no_match = match kind {
            // Text to pass over has a placeholder of its own (review finding: the hint
            // only said to add a field).
            Kind::Fastmatch => {
                "add a field of this name to `fields`, use it in an `expandFields` template, \
                 or write `%{}` to skip the text"
            }
            Kind::Regex => {
                "add a field of this name to `fields`, use it in an `expandFields` template, \
                 or make the group unnamed"
            }
        };
        let hint = closest(&fill.field, names, no_match);
        let shown = match kind {
            Kind::Fastmatch => format!("`%{{{}}}`", fill.field),
            Kind::Regex => format!("the capture `{}`", fill.field),
        };
        error(
            places.span(&fill.at, fill.offset),
            format!("{shown} names no field"),
            Some(hint),
        );
    }
}

/// Captures and `expandFields` keys name top-level fields, templates name captured values,
/// and every field is filled by something. What depends on knowing every capture is checked
/// only when the patterns could be read whole.
fn check_names(
    schema: &Schema,
    reading: &Reading,
    options: &TextOptions,
    places: &Places<'_>,
    kind: Kind,
    error: &mut dyn FnMut(Span, String, Option<String>),
) {
    let names: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
    check_captures(&names, reading, options, places, kind, error);
    // In the order captured (messages list them), found in a set: linear in the captures.
    let mut captured: Vec<String> = Vec::new();
    let mut captured_set: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for fill in &reading.fills {
        if captured_set.insert(fill.field.as_str()) {
            captured.push(fill.field.clone());
        }
    }
    for (key, template) in &options.expand_fields {
        let span = places
            .spans
            .get(&format!("expandFields.{key}"))
            .unwrap_or(places.block);
        if !names.contains(&key.as_str()) {
            let hint = closest(key, &names, "add a field of this name to `fields`");
            error(
                span,
                format!("`expandFields` key `{key}` names no field"),
                Some(hint),
            );
        }
        match template_names(template) {
            Ok(used) if reading.complete => {
                for name in used {
                    if !captured_set.contains(name) {
                        error(
                            span,
                            format!(
                                "`%{{{name}}}` in `expandFields.{key}` names no captured value"
                            ),
                            Some(format!("the patterns capture: {}", list(&captured))),
                        );
                    }
                }
            }
            Ok(_) => {}
            Err(rest) => error(
                span,
                format!("placeholder `{rest}` is not closed"),
                Some("close it with `}`".into()),
            ),
        }
    }
    if !reading.complete {
        return;
    }
    for f in &schema.fields {
        if captured_set.contains(f.name.as_str()) || options.expand_fields.contains_key(&f.name) {
            continue;
        }
        let (parser, hint) = match kind {
            Kind::Fastmatch => (
                "fastmatch",
                format!(
                    "capture it with `%{{{}}}`, build it with `expandFields`, or remove it",
                    f.name
                ),
            ),
            Kind::Regex => (
                "regex",
                format!("capture it with `%{{PATTERN:{}}}` or `(?P<name>...)`, build it with `expandFields`, or remove it", f.name),
            ),
        };
        error(
            f.span,
            format!(
                "field `{}` is filled by no pattern of the {parser} parser",
                f.name
            ),
            Some(hint),
        );
    }
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "nothing".into()
    } else {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
