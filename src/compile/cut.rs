//! A faster way to run a `parser: regex` pattern whose parts are cut apart by literal text
//! (the usual shape of a log line pattern: `^%{A:a} text %{B:b} more "%{C:c}"$`), with the
//! same result as the `regex` crate's captures. Finding capture groups is the slow part of a
//! regular expression (a backtracker over the whole NFA); finding where each part of such a
//! pattern starts and ends needs no search at all when the text between the parts decides
//! it, and then only each part is checked, by a lazy DFA over its own span.
//!
//! The pattern's syntax tree (the same parse as the `regex` crate's) must be `^` followed by
//! a sequence of: literal text, parts (any sub-pattern without capture groups inside, whole
//! or in one capture group), optional pieces `(?:literal ...)?`, and maybe `$` at the end.
//! Each part must end at a place every match agrees on, for one of two reasons:
//!
//! - **stop byte**: every byte the part can match is in a set, and whatever follows it starts
//!   with a byte outside that set (literal text, or an optional piece's literal or what follows
//!   it), so the part ends at the first byte outside the set, in every match;
//! - **fixed tail**: only literal text and `$` follow, so the part ends that many bytes before
//!   the end of the line.
//!
//! An optional piece is taken when the line goes on with its literal, skipped otherwise: it
//! must be followed by literal text neither a prefix of the piece's literal nor starting with
//! it, so at most one of the two can go on. With every boundary forced this way, all matches
//! of the pattern cut the line at the same places, so which one the regex engine's priority
//! rules (leftmost-first, greedy or lazy) would pick does not matter: the groups' spans are
//! the cut spans, and the pattern matches exactly when every literal is where it should be
//! and every part matches its whole span (its lazy DFA, with the bytes around the span as
//! context for `\b`). A pattern of another shape is run by the regex engine, as is a line
//! the lazy DFA gives up on (a Unicode `\b` next to a non-ASCII character).

use regex_automata::hybrid::dfa::DFA;
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::MatchKind;
use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// The most memory the lazy DFA of one part may use (per normalizer).
const CACHE_BYTES: usize = 256 * 1024;

/// A `parser: regex` pattern as cuts and checks (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct RegexCut {
    pub(crate) steps: Box<[Step]>,
    /// The lazy DFA of each part (by `Step::Part::dfa`), matching exactly its span.
    pub(crate) dfas: Box<[DFA]>,
    /// The number of capture groups of the pattern (group 0 included).
    pub(crate) groups: usize,
}

/// One step of a cut, from where the previous one ended.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// This text, as written.
    Literal(Box<[u8]>),
    /// A part: its span ends where `end` says, and `dfas[dfa]` must match all of it; it fills
    /// capture group `group`, if any.
    Part {
        dfa: usize,
        group: Option<usize>,
        end: End,
    },
    /// When the line goes on with `literal`: it, then `steps`; else nothing.
    Optional {
        literal: Box<[u8]>,
        steps: Box<[Step]>,
    },
    /// The end of the line.
    LineEnd,
}

/// Where a part ends.
#[derive(Debug, Clone)]
pub(crate) enum End {
    /// At the first byte not in the set (or the end of the line).
    StopByte(Box<[bool; 256]>),
    /// This many bytes before the end of the line.
    FromLineEnd(usize),
}

/// A step before the ends of the parts are known.
enum Draft<'h> {
    Literal(Vec<u8>),
    Part(&'h Hir, Option<u32>),
    Optional(Vec<u8>, Vec<Draft<'h>>),
    LineEnd,
}

/// What may follow a part.
enum Follow {
    /// Text that starts with one of these bytes.
    Bytes(Box<[bool; 256]>),
    /// Exactly this many bytes of literal text, then the end of the line.
    Fixed(usize),
}

impl RegexCut {
    /// The cut of `pattern` (a pattern the `regex` crate compiled with its default options),
    /// or `None` when its shape does not allow one (see the module docs).
    pub(crate) fn new(pattern: &str, groups: usize) -> Option<RegexCut> {
        let hir = regex_syntax::ParserBuilder::new()
            .build()
            .parse(pattern)
            .ok()?;
        let HirKind::Concat(items) = hir.kind() else {
            return None;
        };
        let (first, rest) = items.split_first()?;
        if !matches!(first.kind(), HirKind::Look(Look::Start)) {
            return None;
        }
        let drafts = drafts(rest, true)?;
        let mut dfas = Vec::new();
        let steps = finish(&drafts, &[], &mut dfas)?;
        Some(RegexCut {
            steps,
            dfas: dfas.into(),
            groups,
        })
    }
}

/// The steps of the items of a concatenation; `top` when `$` may end it.
fn drafts(items: &[Hir], top: bool) -> Option<Vec<Draft<'_>>> {
    let mut out: Vec<Draft<'_>> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let draft = match item.kind() {
            HirKind::Literal(l) => {
                if let Some(Draft::Literal(previous)) = out.last_mut() {
                    previous.extend_from_slice(&l.0);
                    continue;
                }
                Draft::Literal(l.0.to_vec())
            }
            HirKind::Look(Look::End) if top && i + 1 == items.len() => Draft::LineEnd,
            HirKind::Look(_) => return None,
            HirKind::Capture(c) if !has_group(&c.sub) => Draft::Part(&c.sub, Some(c.index)),
            HirKind::Repetition(r) if r.min == 0 && r.max == Some(1) && has_group(&r.sub) => {
                let HirKind::Concat(inner) = r.sub.kind() else {
                    return None;
                };
                let (head, tail) = inner.split_first()?;
                let HirKind::Literal(l) = head.kind() else {
                    return None;
                };
                Draft::Optional(l.0.to_vec(), drafts(tail, false)?)
            }
            _ if !has_group(item) => Draft::Part(item, None),
            _ => return None,
        };
        out.push(draft);
    }
    Some(out)
}

/// The steps of `drafts`, followed by `after` (what comes after them, outside); each part's
/// lazy DFA is added to `dfas`.
fn finish(drafts: &[Draft<'_>], after: &[&Draft<'_>], dfas: &mut Vec<DFA>) -> Option<Box<[Step]>> {
    let mut steps = Vec::with_capacity(drafts.len());
    for (i, draft) in drafts.iter().enumerate() {
        let follow: Vec<&Draft<'_>> = drafts[i + 1..]
            .iter()
            .chain(after.iter().copied())
            .collect();
        steps.push(match draft {
            Draft::Literal(l) => Step::Literal(l.as_slice().into()),
            Draft::LineEnd => Step::LineEnd,
            Draft::Optional(literal, inner) => {
                // Taking the piece and skipping it cannot both go on.
                let Some(Draft::Literal(next)) = follow.first() else {
                    return None;
                };
                if literal.is_empty()
                    || next.is_empty()
                    || literal.starts_with(next)
                    || next.starts_with(literal)
                {
                    return None;
                }
                Step::Optional {
                    literal: literal.as_slice().into(),
                    steps: finish(inner, &follow, dfas)?,
                }
            }
            Draft::Part(hir, group) => {
                let end = match follows(&follow)? {
                    Follow::Fixed(n) => End::FromLineEnd(n),
                    Follow::Bytes(next) => {
                        let mut set = [false; 256];
                        bytes(hir, &mut set);
                        if set.iter().zip(next.iter()).any(|(a, b)| *a && *b) {
                            return None;
                        }
                        End::StopByte(Box::new(set))
                    }
                };
                dfas.push(exact_dfa(hir)?);
                Step::Part {
                    dfa: dfas.len() - 1,
                    group: group.map(|g| g as usize),
                    end,
                }
            }
        });
    }
    Some(steps.into())
}

/// What `follow` (the steps after a part) starts with; `None` when it may start with a part
/// (its first byte unknown) or be empty without ending the line.
fn follows(follow: &[&Draft<'_>]) -> Option<Follow> {
    let mut fixed = 0;
    for draft in follow {
        match draft {
            Draft::Literal(l) => fixed += l.len(),
            Draft::LineEnd => return Some(Follow::Fixed(fixed)),
            _ => break,
        }
    }
    let mut first = Box::new([false; 256]);
    for draft in follow {
        match draft {
            Draft::Literal(l) => {
                first[usize::from(*l.first()?)] = true;
                return Some(Follow::Bytes(first));
            }
            // Taken or skipped: its literal, or what follows it.
            Draft::Optional(l, _) => first[usize::from(*l.first()?)] = true,
            Draft::Part(..) | Draft::LineEnd => return None,
        }
    }
    None
}

/// Whether `hir` holds a capture group.
fn has_group(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Capture(_) => true,
        HirKind::Repetition(r) => has_group(&r.sub),
        HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().any(has_group),
        _ => false,
    }
}

/// Mark in `set` every byte a match of `hir` can hold (all non-ASCII bytes for a class with
/// non-ASCII characters).
fn bytes(hir: &Hir, set: &mut [bool; 256]) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(l) => l.0.iter().for_each(|&b| set[usize::from(b)] = true),
        HirKind::Class(Class::Unicode(c)) => {
            for r in c.ranges() {
                let (lo, hi) = (u32::from(r.start()), u32::from(r.end()));
                for b in lo..=hi.min(0x7f) {
                    set[b as usize] = true;
                }
                if hi > 0x7f {
                    set[0x80..].fill(true);
                }
            }
        }
        HirKind::Class(Class::Bytes(c)) => {
            for r in c.ranges() {
                set[usize::from(r.start())..=usize::from(r.end())].fill(true);
            }
        }
        HirKind::Repetition(r) => bytes(&r.sub, set),
        HirKind::Capture(c) => bytes(&c.sub, set),
        HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().for_each(|h| bytes(h, set)),
    }
}

/// A lazy DFA that reports every end of a match (not only the first one the regex engine
/// would pick), so that a match ending exactly at the end of a span can be asked for. Its
/// cache (one per part and normalizer) is kept small: parts are short pieces of a pattern; a
/// part that needs more gets no DFA, and the pattern no cut.
fn exact_dfa(hir: &Hir) -> Option<DFA> {
    let nfa = thompson::Compiler::new()
        .configure(thompson::Config::new().which_captures(WhichCaptures::None))
        .build_from_hir(hir)
        .ok()?;
    DFA::builder()
        .configure(
            DFA::config()
                .match_kind(MatchKind::All)
                .unicode_word_boundary(true)
                .cache_capacity(CACHE_BYTES),
        )
        .build_from_nfa(nfa)
        .ok()
}
