//! Grok expansion of `parser: regex` patterns: `%{PATTERN:field}` placeholders replaced by the
//! definitions and built-in patterns they name.
//!
//! Expansion never stops at a problem: each is recorded where it is written (the `match` item
//! or the definition, and the byte offset of the placeholder in it), and the placeholder is
//! replaced by a group that matches the empty text, so the rest of the pattern is still read
//! and checked. Each run of the expansion remembers where in the written text it comes from
//! ([`Piece`]), so a problem the `regex` crate finds in the expansion can be pointed at too.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{closest, At, Fill, Problem, BUILTIN_PATTERNS, GROUP_PREFIX};

/// Placeholders nest (a definition using another) at most this deep.
const MAX_NESTING: usize = 32;
/// The most text one pattern may expand to. Each level of patterns within patterns can
/// double it, so a small schema could otherwise ask for gigabytes; the `regex` crate refuses
/// far smaller patterns anyway (10 MiB compiled).
const MAX_EXPANSION: usize = 1 << 20;

/// Grok expansion over the definitions and the built-in patterns.
pub(super) struct Grok<'d> {
    definitions: &'d BTreeMap<String, String>,
    /// The schema's top-level fields: what a capture inside a built-in pattern may fill.
    schema_fields: &'d [&'d str],
    /// Definitions found wrong (each problem reported where it is written): a placeholder
    /// naming one matches the empty text, so the patterns using it are still checked without
    /// a second report.
    pub(super) broken: BTreeSet<String>,
    /// The field of each placeholder group, by number.
    pub(super) fields: Vec<String>,
    /// Where each placeholder that fills a field is written.
    pub(super) fills: Vec<Fill>,
    /// For each of `fills`, the placeholders of the user's text that lead to it, from the
    /// `match` item down (`%{TWO}` in the item, `%{KV}` in `TWO`, for a capture in `KV`):
    /// where two captures of one field part, which is where a second one is written.
    pub(super) trails: Vec<Vec<(At, usize)>>,
    /// The placeholders being expanded that name a definition, as in `trails`.
    trail: Vec<(At, usize)>,
    /// Every problem found, once each, in the order found.
    pub(super) problems: Vec<Problem>,
    /// Problems noticed, counting those already recorded (a definition is broken when its
    /// expansion notices any, even one first found through another pattern).
    pub(super) noticed: usize,
    /// Whether the text being expanded was not read to its end (a placeholder not closed,
    /// or an expansion too long).
    truncated: bool,
    /// Whether the expansion went over [`MAX_EXPANSION`] (then it stops everywhere).
    too_long: bool,
}

/// Where the text being expanded is written: the `match` item or definition `at`. Inside a
/// built-in pattern, `via` is the offset of the placeholder in that text that led there
/// (problems are reported there: the built-in text is not in the file).
#[derive(Debug, Clone)]
pub(super) struct Place {
    pub(super) at: At,
    pub(super) via: Option<usize>,
}

impl Place {
    pub(super) fn of(at: At) -> Place {
        Place { at, via: None }
    }

    /// The offset in the written text of the byte `local` of the text being expanded.
    fn offset(&self, local: usize) -> usize {
        self.via.unwrap_or(local)
    }
}

/// A run of an expansion: from its byte `start` on, the text comes from the byte `offset` of
/// the written text, copied (`literal`) or expanded from the placeholder written there.
#[derive(Debug, Clone, Copy)]
pub(super) struct Piece {
    pub(super) start: usize,
    pub(super) offset: usize,
    pub(super) literal: bool,
}

/// Where the byte `pos` of an expansion made of `pieces` comes from in the written text: its
/// own offset in copied text, the placeholder's in an expansion.
pub(super) fn written_offset(pieces: &[Piece], pos: usize) -> Option<usize> {
    let piece = pieces.iter().rev().find(|p| p.start <= pos)?;
    Some(if piece.literal {
        piece.offset + (pos - piece.start)
    } else {
        piece.offset
    })
}

/// Whether Panther's grok takes `name` as the name of a pattern in a placeholder: capital
/// letters, digits and `_`, starting with a letter.
fn panther_pattern_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Whether Go's regular expressions take `name` as a capture group's name (letters, digits
/// and `_`): a field named otherwise (`user.name`, `src-ip`) cannot be filled by Panther's
/// `regex` parser.
pub(super) fn go_capture_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether Panther's grok takes `field` in `%{PATTERN:field}`: a Go capture name holding a
/// letter or `_` (grok checks for one).
fn grok_field_name(field: &str) -> bool {
    go_capture_name(field) && field.chars().any(|c| c.is_ascii_alphabetic() || c == '_')
}

impl<'d> Grok<'d> {
    pub(super) fn new(
        definitions: &'d BTreeMap<String, String>,
        schema_fields: &'d [&'d str],
    ) -> Grok<'d> {
        Grok {
            definitions,
            schema_fields,
            broken: BTreeSet::new(),
            fields: Vec::new(),
            fills: Vec::new(),
            trails: Vec::new(),
            trail: Vec::new(),
            problems: Vec::new(),
            noticed: 0,
            truncated: false,
            too_long: false,
        }
    }

    /// The expansion of `text`, written by the user at `place` (a `match` item or a
    /// definition, whose name is then in `stack`), with where each run of it comes from, and
    /// whether it was read to its end.
    pub(super) fn expand_written(
        &mut self,
        text: &str,
        place: &Place,
        stack: &mut Vec<String>,
        pieces: &mut Vec<Piece>,
    ) -> (String, bool) {
        self.truncated = false;
        self.too_long = false;
        let mut out = String::new();
        self.expand(text, place, stack, &mut out, Some(pieces));
        if self.too_long {
            // Reported for the pattern written here, not for the one deep inside it where
            // the expansion happened to pass the limit.
            self.noticed += 1;
            self.problems.push(Problem {
                at: place.at.clone(),
                offset: None,
                message: format!(
                    "the grok patterns in this pattern expand to more than {} MiB",
                    MAX_EXPANSION >> 20
                ),
                hint: Some("a pattern that uses another twice doubles in size at each level; use fewer levels".into()),
            });
        }
        (out, !self.truncated)
    }

    fn definition(&self, name: &str) -> Option<&'d str> {
        self.definitions.get(name).map(String::as_str).or_else(|| {
            BUILTIN_PATTERNS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, p)| *p)
        })
    }

    fn problem(&mut self, place: &Place, local: usize, message: String, hint: Option<String>) {
        self.noticed += 1;
        let problem = Problem {
            at: place.at.clone(),
            offset: Some(place.offset(local)),
            message,
            hint,
        };
        if !self.problems.contains(&problem) {
            self.problems.push(problem);
        }
    }

    /// Append `text`, written at `place`, to `out` with its placeholders replaced; `stack`
    /// holds the definitions being expanded. For a text the user wrote, at the top, `pieces`
    /// receives where each run of `out` comes from.
    fn expand(
        &mut self,
        text: &str,
        place: &Place,
        stack: &mut Vec<String>,
        out: &mut String,
        mut pieces: Option<&mut Vec<Piece>>,
    ) {
        let piece = |pieces: &mut Option<&mut Vec<Piece>>, start, offset, literal| {
            if let Some(pieces) = pieces {
                pieces.push(Piece {
                    start,
                    offset,
                    literal,
                });
            }
        };
        let mut pos = 0;
        while let Some(found) = text[pos..].find("%{") {
            let start = pos + found;
            if self.too_long {
                return;
            }
            if out.len() > MAX_EXPANSION {
                self.truncated = true;
                self.too_long = true;
                return;
            }
            if start > pos {
                piece(&mut pieces, out.len(), pos, true);
                out.push_str(&text[pos..start]);
            }
            let Some(close) = text[start..].find('}') else {
                let shown: String = text[start..]
                    .chars()
                    .take_while(|c| !matches!(c, '\n' | '\r'))
                    .take(20)
                    .collect();
                self.problem(
                    place,
                    start,
                    format!("placeholder `{shown}` is not closed"),
                    Some("close it with `}`".into()),
                );
                self.truncated = true;
                return;
            };
            piece(&mut pieces, out.len(), place.offset(start), false);
            self.placeholder(&text[start + 2..start + close], place, start, stack, out);
            pos = start + close + 1;
        }
        if pos < text.len() {
            piece(&mut pieces, out.len(), pos, true);
            out.push_str(&text[pos..]);
        }
    }

    /// Append the group of the placeholder `%{inner}` written at the byte `local` of `place`.
    fn placeholder(
        &mut self,
        inner: &str,
        place: &Place,
        local: usize,
        stack: &mut Vec<String>,
        out: &mut String,
    ) {
        // Panther's grok trims the tag (`%{ WORD:a }`) and splits it at its first `:`.
        let tag = inner.trim();
        let (name, mut field) = match tag.split_once(':') {
            Some((name, field)) => (name, Some(field)),
            None => (tag, None),
        };
        if let Some((before, _)) = field.and_then(|f| f.split_once(':')) {
            self.problem(
                place,
                local,
                format!("`%{{{inner}}}` has a type conversion"),
                Some(
                    "write `%{PATTERN:field}`; the field's type in the schema converts the value"
                        .into(),
                ),
            );
            field = Some(before);
        }
        // `%{WORD:}` matches without capturing, as in Panther.
        if field == Some("") {
            field = None;
        }
        let name_ok = panther_pattern_name(name);
        if !name_ok {
            let upper = name.to_ascii_uppercase();
            let hint = if panther_pattern_name(&upper) && self.definition(&upper).is_some() {
                crate::suggest::meant(&upper)
            } else {
                "name patterns with capital letters, digits and `_`, starting with a letter".into()
            };
            self.problem(
                place,
                local,
                format!("`{name}` in `%{{{inner}}}` is not a grok pattern name Panther accepts"),
                Some(hint),
            );
        }
        // Still a capture of the field (no second report that nothing fills it).
        if let Some(f) = field.filter(|f| !grok_field_name(f)) {
            let trimmed = f.trim();
            let hint = if trimmed != f && grok_field_name(trimmed) {
                // Panther trims the spaces around the whole tag, not those after `:`.
                field = Some(trimmed);
                format!("remove the spaces around the name: `%{{{name}:{trimmed}}}`")
            } else if self.schema_fields.contains(&f) {
                let group: String = f
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .collect();
                format!(
                    "capture it under a name of letters, digits and `_`, and build the field \
                     from it: `%{{{name}:{group}}}` with `expandFields: {{{f}: '%{{{group}}}'}}`"
                )
            } else {
                "a field a `regex` parser fills has a name of letters, digits and `_`".into()
            };
            self.problem(
                place,
                local,
                format!("`{f}` in `%{{{inner}}}` cannot name a capture group (Panther's regular expressions refuse it)"),
                Some(hint),
            );
        }
        // A built-in's own captures (`program` and `pid` of `SYSLOGPROG`) are values Panther
        // hands its decoder, which keeps only those a field is named after: here they fill
        // a field of the schema, or are plain groups (no "names no field" report about a
        // text the user did not write).
        if place.via.is_some() && field.is_some_and(|f| !self.schema_fields.contains(&f)) {
            field = None;
        }
        match field {
            Some(field) => {
                let _ = write!(out, "(?P<{GROUP_PREFIX}{}>", self.fields.len());
                self.fields.push(field.to_owned());
                self.fills.push(Fill {
                    field: field.to_owned(),
                    at: place.at.clone(),
                    offset: Some(place.offset(local)),
                });
                self.trails.push(self.trail.clone());
            }
            None => out.push_str("(?:"),
        }
        // A name Panther refuses is not expanded, whatever it is defined as: its group
        // matches the empty text (and its field counts as filled: one report).
        if name_ok {
            self.body(name, inner, place, local, stack, out);
        }
        out.push(')');
    }

    /// Append the expansion of the pattern `name`, unless it is unknown, broken or would
    /// nest too deep (then nothing: the group matches the empty text).
    fn body(
        &mut self,
        name: &str,
        inner: &str,
        place: &Place,
        local: usize,
        stack: &mut Vec<String>,
        out: &mut String,
    ) {
        let Some(body) = self.definition(name) else {
            let mut names: Vec<&str> = self.definitions.keys().map(String::as_str).collect();
            names.extend(BUILTIN_PATTERNS.iter().map(|(n, _)| *n));
            let hint = closest(name, &names, "define it under `patternDefinitions`");
            self.problem(
                place,
                local,
                format!("unknown grok pattern `{name}` in `%{{{inner}}}`"),
                Some(hint),
            );
            return;
        };
        if self.broken.contains(name) {
            self.noticed += 1;
            return;
        }
        if let Some(first) = stack.iter().position(|s| s == name) {
            self.problem(
                place,
                local,
                format!(
                    "grok pattern `{name}` refers to itself: `{} -> {name}`",
                    stack[first..].join(" -> ")
                ),
                Some("a pattern cannot contain itself".into()),
            );
            // One report for the whole cycle.
            self.broken.extend(stack[first..].iter().cloned());
            return;
        }
        if stack.len() >= MAX_NESTING {
            self.problem(
                place,
                local,
                format!(
                    "grok patterns nest more than {MAX_NESTING} deep: `{} -> {name}`",
                    stack.join(" -> ")
                ),
                Some("use fewer levels of patterns within patterns".into()),
            );
            return;
        }
        let defined = self.definitions.contains_key(name);
        let inner_place = if defined {
            self.trail.push((place.at.clone(), place.offset(local)));
            Place::of(At::Definition(name.to_owned()))
        } else {
            Place {
                at: place.at.clone(),
                via: Some(place.offset(local)),
            }
        };
        stack.push(name.to_owned());
        self.expand(body, &inner_place, stack, out, None);
        stack.pop();
        if defined {
            self.trail.pop();
        }
    }
}
