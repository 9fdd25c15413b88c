//! Reading a `parser: regex` block: the definitions, then the `match` items, expanded and
//! joined into one regular expression, with every problem placed where it is written.
//!
//! The items are one pattern, so the `regex` crate refuses them at one place of the joined
//! text: that place is traced back to its item and the column in it. To find the mistakes of
//! other items too, the item at fault is left out and the rest is read again, as long as the
//! next mistake found cannot be a consequence of leaving one out (a group or class left open
//! in one item may be closed in another; an unknown escape is wrong wherever it is).
//!
//! The joined text is Go's syntax: it is read as Go reads it and spelled for the `regex`
//! crate (`go_syntax.rs`) before anything else looks at it, and every place found in the
//! translation is traced back through it to the text as written.

use regex::Regex;
use regex_syntax::ast::{self, AssertionKind, Ast, GroupKind};

use super::go_limits::{repeat_counts, repeat_hint, repeat_message};
use super::go_syntax::{translate, Translation};
use super::grok::{go_capture_name, written_offset, Grok, Piece, Place};
use super::{captures, empty_match, regex_message, At, Compiled, Fill, Problem, Reading};
use super::{RegexParser, BUILTIN_PATTERNS, GROUP_PREFIX, PANTHER_PATTERNS};

mod twice;
use twice::filled_twice;

/// Patterns compiled in this process, by their text (`regex::Regex` clones share the
/// compiled program): a block's pattern is compiled when its schema is checked and again
/// when the schema is compiled into a plan, and again for each normalizer that a Python or
/// Spark worker builds; compiling it was most of what loading a regex log type cost (a
/// grok pattern of addresses: 36 M instructions each time; review s42-h4 O9). At most
/// [`CACHED_PATTERNS`] are kept.
fn compile_cached(pattern: &str) -> Result<Regex, regex::Error> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, Regex>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(regex) = cache.lock().ok().and_then(|c| c.get(pattern).cloned()) {
        return Ok(regex);
    }
    let regex = Regex::new(pattern)?;
    if let Ok(mut c) = cache.lock() {
        if c.len() >= CACHED_PATTERNS {
            c.clear();
        }
        c.insert(pattern.to_owned(), regex.clone());
    }
    Ok(regex)
}

/// The most patterns [`compile_cached`] keeps.
const CACHED_PATTERNS: usize = 64;

/// Syntax mistakes reported at most in one block: each costs a new reading of the whole
/// pattern, and this bounds the work on a block of thousands of bad items.
const MAX_SYNTAX_REPORTS: usize = 32;

/// One `match` item, expanded.
struct Item {
    source: String,
    pieces: Vec<Piece>,
    /// Read to its end (no placeholder left open).
    whole: bool,
}

/// The `regex` block `p` of a schema whose top-level fields are `fields`.
pub(super) fn read(p: &RegexParser, fields: &[&str]) -> Reading {
    if p.patterns.is_empty() {
        return Reading {
            problems: vec![empty_match()],
            ..Reading::default()
        };
    }
    let mut grok = Grok::new(&p.pattern_definitions, fields);
    check_definitions(p, &mut grok);
    let items: Vec<Item> = p
        .patterns
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let mut pieces = Vec::new();
            let place = Place::of(At::MatchItem(i));
            let (source, whole) = grok.expand_written(text, &place, &mut Vec::new(), &mut pieces);
            Item {
                source,
                pieces,
                whole,
            }
        })
        .collect();
    let joined: String = items.iter().map(|item| item.source.as_str()).collect();
    let mut out = Reading {
        compiled: Vec::new(),
        problems: std::mem::take(&mut grok.problems),
        fills: std::mem::take(&mut grok.fills),
        complete: items.iter().all(|item| item.whole),
        lead: None,
    };
    // Read as Go reads it, then compiled; refused, it is reported as written.
    let compiled = translate(&joined).map(|go| {
        let regex = compile_cached(go.as_str());
        (go, regex)
    });
    match compiled {
        Ok((go, Ok(regex))) => {
            out.problems.extend(too_many_repeats(&go, &items));
            out.problems.extend(filled_twice(
                go.as_str(),
                &grok.fields,
                &out.fills,
                &grok.trails,
            ));
            let named = named_groups(&go, &items);
            // The `regex` crate takes `.`, `[` and `]` in a group's name; Go does not.
            for fill in named.iter().filter(|f| !go_capture_name(&f.field)) {
                out.problems.push(Problem {
                    at: fill.at.clone(),
                    offset: fill.offset,
                    message: format!(
                        "the group name `{}` is refused by Panther's regular expressions",
                        fill.field
                    ),
                    hint: Some("name groups with letters, digits and `_`".into()),
                });
            }
            out.fills.extend(named);
            if out.problems.is_empty() {
                out.lead = literal_lead(go.as_str());
                let captures = captures(&regex, &grok.fields);
                out.compiled.push(Compiled { regex, captures });
            }
        }
        refused => {
            let crate_error = match &refused {
                Ok((_, Err(e))) => Some(e),
                _ => None,
            };
            out.problems.extend(syntax_problems(&items, crate_error));
            // The user's named groups are not known.
            out.complete = false;
        }
    }
    out
}

/// Each definition on its own: its placeholders, and its expansion as a regular expression.
/// A definition with a problem is broken: the patterns using it are read as if it matched
/// the empty text.
fn check_definitions(p: &RegexParser, grok: &mut Grok<'_>) {
    for (name, text) in &p.pattern_definitions {
        if BUILTIN_PATTERNS[..PANTHER_PATTERNS]
            .iter()
            .any(|(builtin, _)| builtin == name)
        {
            // Panther's grok refuses it ("already defined"): a schema that loads here would
            // not load there.
            grok.problems.push(Problem {
                at: At::Definition(name.clone()),
                offset: None,
                message: format!("`{name}` is a built-in grok pattern, which Panther does not let a schema redefine"),
                hint: Some("give your pattern another name".into()),
            });
            grok.broken.insert(name.clone());
            continue;
        }
        if grok.broken.contains(name) {
            continue;
        }
        let noticed = grok.noticed;
        let at = At::Definition(name.clone());
        let mut pieces = Vec::new();
        let mut stack = vec![name.clone()];
        let (source, _) =
            grok.expand_written(text, &Place::of(at.clone()), &mut stack, &mut pieces);
        // Its captures count where it is used.
        grok.fields.clear();
        grok.fills.clear();
        grok.trails.clear();
        if grok.noticed > noticed {
            grok.broken.insert(name.clone());
            continue;
        }
        let go = match translate(&source) {
            Ok(go) => go,
            Err(refusal) => {
                grok.problems.push(Problem {
                    at,
                    offset: written_offset(&pieces, refusal.at),
                    message: refusal.message(),
                    hint: bracket_hint(&source, refusal.at).or_else(|| Some(refusal.kind.hint())),
                });
                grok.broken.insert(name.clone());
                continue;
            }
        };
        // A count Go refuses, where it is written; the patterns using it then read it as
        // empty, so it is reported once.
        if let Some(&pos) = repeat_counts(go.as_str()).first() {
            grok.problems.push(Problem {
                at,
                offset: written_offset(&pieces, go.go_offset(pos)),
                message: repeat_message(),
                hint: Some(repeat_hint()),
            });
            grok.broken.insert(name.clone());
            continue;
        }
        if let Err(e) = compile_cached(go.as_str()) {
            let (offset, message, hint) = match regex_syntax::Parser::new().parse(go.as_str()) {
                Err(syntax) => (
                    written_offset(&pieces, go.go_offset(error_span(&syntax).0)),
                    syntax_message(&syntax),
                    bracket_hint(go.as_str(), error_span(&syntax).0)
                        .or_else(|| go_only_hint(&syntax)),
                ),
                Ok(_) => (None, regex_message(&e), None),
            };
            grok.problems.push(Problem {
                at,
                offset,
                message,
                hint,
            });
            grok.broken.insert(name.clone());
        }
    }
}

/// The problems of joined items that Go's syntax or the `regex` crate refused (`crate_error`
/// when it was the crate): the first where it is, then those of the other items (see the
/// module's comment).
fn syntax_problems(items: &[Item], crate_error: Option<&regex::Error>) -> Vec<Problem> {
    let joined_hint = || "the items of `match` are joined into one regular expression".to_owned();
    // An item not read to its end is already reported, and left out from the start.
    let mut left_out: Vec<bool> = items.iter().map(|item| !item.whole).collect();
    let mut first = !left_out.contains(&true);
    let mut out = Vec::new();
    for _ in 0..items.len().min(MAX_SYNTAX_REPORTS) {
        let mut source = String::new();
        let mut starts = Vec::with_capacity(items.len());
        for (item, out) in items.iter().zip(&left_out) {
            starts.push(source.len());
            if !out {
                source.push_str(&item.source);
            }
        }
        let Some(mistake) = first_mistake(&source) else {
            if let Some(refused) = crate_error.filter(|_| first) {
                // Refused for another reason than syntax (its size).
                let (at, hint) = match items.len() {
                    1 => (At::MatchItem(0), None),
                    _ => (At::Match, Some(joined_hint())),
                };
                out.push(Problem::new(at, regex_message(refused), hint));
            }
            break;
        };
        if !first && !mistake.alone {
            break;
        }
        let (start, end) = (mistake.start, mistake.end);
        let Some((i, offset)) = locate(items, &starts, &left_out, start) else {
            if first {
                out.push(Problem::new(At::Match, mistake.message, None));
            }
            break;
        };
        // Where the mistake runs over into the next item, or may be completed by another.
        let last = locate(items, &starts, &left_out, end.saturating_sub(1).max(start));
        let across = last.is_some_and(|(j, _)| j != i);
        // Refused at its very first character, an item most often pays for the one before
        // it, which left a group or a name open (`(?P<name` then `^...`).
        let at_start = start == starts[i] && (0..i).any(|j| !left_out[j]);
        let hint = if at_start {
            Some(format!(
                "{}: the mistake may be at the end of the item before this one",
                joined_hint()
            ))
        } else {
            (items.len() > 1 && (across || !mistake.alone)).then(joined_hint)
        };
        out.push(Problem {
            at: At::MatchItem(i),
            offset,
            message: mistake.message,
            hint: mistake.hint.or(hint),
        });
        left_out[i] = true;
        first = false;
    }
    out
}

/// A syntax mistake in a pattern, placed in the pattern as written.
struct Mistake {
    start: usize,
    end: usize,
    message: String,
    /// Its own hint, over the one about joined items.
    hint: Option<String>,
    /// Wrong wherever it stands (see [`stands_alone`]).
    alone: bool,
}

/// The first syntax mistake of `source`: what Go refuses, else what the `regex` crate
/// refuses in the translation.
fn first_mistake(source: &str) -> Option<Mistake> {
    let go = match translate(source) {
        Ok(go) => go,
        Err(refusal) => {
            return Some(Mistake {
                start: refusal.at,
                end: refusal.end,
                message: refusal.message(),
                hint: bracket_hint(source, refusal.at).or_else(|| Some(refusal.kind.hint())),
                alone: refusal.stands_alone(),
            })
        }
    };
    let error = regex_syntax::Parser::new().parse(go.as_str()).err()?;
    let (start, end) = error_span(&error);
    Some(Mistake {
        start: go.go_offset(start),
        end: go.go_offset(end),
        message: syntax_message(&error),
        hint: bracket_hint(go.as_str(), start).or_else(|| go_only_hint(&error)),
        alone: stands_alone(&error),
    })
}

/// The item holding the byte `pos` of the joined text, and the offset in its written text.
fn locate(
    items: &[Item],
    starts: &[usize],
    left_out: &[bool],
    pos: usize,
) -> Option<(usize, Option<usize>)> {
    let kept = || (0..items.len()).filter(|&i| !left_out[i] && !items[i].source.is_empty());
    // At the end of the text (a pattern cut short), the last item.
    let i = kept()
        .find(|&i| pos < starts[i] + items[i].source.len())
        .or_else(|| kept().next_back())?;
    let within = pos.saturating_sub(starts[i]).min(items[i].source.len());
    Some((i, written_offset(&items[i].pieces, within)))
}

/// The literal text every match of `joined` starts the line with: `None` unless the
/// pattern starts with `^` (or `\A`) outside any alternation; then the literal characters
/// that follow it, up to the first thing that is not one (a group, a class, a repetition).
fn literal_lead(joined: &str) -> Option<String> {
    let tree = ast::parse::Parser::new().parse(joined).ok()?;
    let asts = match &tree {
        Ast::Concat(concat) => concat.asts.as_slice(),
        other => std::slice::from_ref(other),
    };
    let (first, rest) = asts.split_first()?;
    let Ast::Assertion(anchor) = first else {
        return None;
    };
    if !matches!(
        anchor.kind,
        AssertionKind::StartLine | AssertionKind::StartText
    ) {
        return None;
    }
    let mut lead = String::new();
    for ast in rest {
        let Ast::Literal(literal) = ast else {
            break;
        };
        lead.push(literal.c);
    }
    Some(lead)
}

/// The repetition counts of the joined items that Go refuses, each where it is written.
fn too_many_repeats(go: &Translation, items: &[Item]) -> Vec<Problem> {
    let starts = item_starts(items);
    let everything = vec![false; items.len()];
    repeat_counts(go.as_str())
        .into_iter()
        .map(|pos| {
            let (at, offset) = match locate(items, &starts, &everything, go.go_offset(pos)) {
                Some((i, offset)) => (At::MatchItem(i), offset),
                None => (At::Match, None),
            };
            Problem {
                at,
                offset,
                message: repeat_message(),
                hint: Some(repeat_hint()),
            }
        })
        .collect()
}

/// Where each item starts in the joined text.
fn item_starts(items: &[Item]) -> Vec<usize> {
    let mut starts = Vec::with_capacity(items.len());
    let mut start = 0;
    for item in items {
        starts.push(start);
        start += item.source.len();
    }
    starts
}

/// The user's named groups `(?P<name>...)`, where each is written.
fn named_groups(go: &Translation, items: &[Item]) -> Vec<Fill> {
    struct Names(Vec<(usize, String)>);
    impl ast::Visitor for Names {
        type Output = Vec<(usize, String)>;
        type Err = ();
        fn finish(self) -> Result<Self::Output, ()> {
            Ok(self.0)
        }
        fn visit_pre(&mut self, ast: &Ast) -> Result<(), ()> {
            if let Ast::Group(group) = ast {
                if let GroupKind::CaptureName { name, .. } = &group.kind {
                    if !name.name.starts_with(GROUP_PREFIX) {
                        self.0.push((group.span.start.offset, name.name.clone()));
                    }
                }
            }
            Ok(())
        }
    }
    let Ok(tree) = ast::parse::Parser::new().parse(go.as_str()) else {
        return Vec::new();
    };
    let names = ast::visit(&tree, Names(Vec::new())).unwrap_or_default();
    let starts = item_starts(items);
    let everything = vec![false; items.len()];
    names
        .into_iter()
        .map(
            |(pos, field)| match locate(items, &starts, &everything, go.go_offset(pos)) {
                Some((i, offset)) => Fill {
                    field,
                    at: At::MatchItem(i),
                    offset,
                },
                None => Fill {
                    field,
                    at: At::Match,
                    offset: None,
                },
            },
        )
        .collect()
}

/// Whether a syntax error is wrong wherever the text stands, so it can be reported after an
/// item was left out (unlike a group, a class or an escape left open, or a repetition with
/// nothing before it, which the left-out item may have completed).
fn stands_alone(error: &regex_syntax::Error) -> bool {
    use ast::ErrorKind as K;
    match error {
        regex_syntax::Error::Parse(e) => matches!(
            e.kind(),
            K::ClassEscapeInvalid
                | K::ClassRangeInvalid
                | K::DecimalInvalid
                | K::EscapeHexInvalid
                | K::EscapeHexInvalidDigit
                | K::EscapeUnrecognized
                | K::FlagDuplicate { .. }
                | K::FlagRepeatedNegation { .. }
                | K::FlagUnrecognized
                | K::GroupNameDuplicate { .. }
                | K::GroupNameEmpty
                | K::GroupNameInvalid
                | K::RepetitionCountInvalid
                | K::SpecialWordBoundaryUnrecognized
                | K::UnicodeClassInvalid
                | K::UnsupportedBackreference
                | K::UnsupportedLookAround
        ),
        regex_syntax::Error::Translate(_) => true,
        _ => false,
    }
}

/// The hint for what Go's regular expressions (Panther's) take and the `regex` crate does
/// not: one name on several groups.
fn go_only_hint(error: &regex_syntax::Error) -> Option<String> {
    let regex_syntax::Error::Parse(e) = error else {
        return None;
    };
    match e.kind() {
        ast::ErrorKind::GroupNameDuplicate { .. } => Some(
            "Go's regular expressions take one name on several groups, but normalog does not: \
             to fill one field from alternatives, write placeholders, e.g. \
             `(?:%{INT:a}|%{WORD:a})`, defining your own patterns under \
             `patternDefinitions` if need be"
                .into(),
        ),
        _ => None,
    }
}

/// `[%{HTTPDATE:time}]` for a bracketed time: the `[` opens a class that takes the
/// placeholder's group as text, and the error comes later, in any words (an unopened
/// group, an escape or a range a class does not take: review s44-h7 LOW-2, s46-h3 LOW-3).
/// The hint when an unescaped `[` directly followed by a group's `(?` comes before `end`
/// in `pattern` (as written, or as translated for Go's classes, which escapes both).
fn bracket_hint(pattern: &str, end: usize) -> Option<String> {
    let b = &pattern.as_bytes()[..end.min(pattern.len())];
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'[' if matches!(
                b[i + 1..],
                [b'(', b'?', ..] | [b'\\', b'(', b'\\', b'?', ..]
            ) =>
            {
                return Some(
                    "a `[` before this starts a character class, and the group or placeholder \
                     after it is taken as text: write `\\[` and `\\]` for literal brackets"
                        .into(),
                );
            }
            _ => i += 1,
        }
    }
    None
}

/// The byte range of the pattern a syntax error is about.
fn error_span(error: &regex_syntax::Error) -> (usize, usize) {
    let span = match error {
        regex_syntax::Error::Parse(e) => e.span(),
        regex_syntax::Error::Translate(e) => e.span(),
        _ => return (0, 0),
    };
    (span.start.offset, span.end.offset)
}

/// `invalid regular expression: <what>`, in the words of the `regex` crate.
fn syntax_message(error: &regex_syntax::Error) -> String {
    let what = match error {
        regex_syntax::Error::Parse(e) => e.kind().to_string(),
        regex_syntax::Error::Translate(e) => e.kind().to_string(),
        other => other.to_string(),
    };
    format!("invalid regular expression: {what}")
}
