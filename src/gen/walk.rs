//! The walk of a `parser: regex` pattern's syntax tree that writes a line it matches
//! (`lines.rs` chooses the pattern and reads the line back): literals as written, a
//! character of each class, a random count of each repetition, a random branch of each
//! alternation, preferring those that write the wanted fields; a group that fills a field
//! takes the field's value when the value fits the group.

use regex::Regex;
use regex_syntax::hir::{Class, Hir, HirKind};

use super::lines::{write_text, Bad, Written};
use super::plan::{FieldGen, VGen};
use super::State;

/// A capture group that fills a field.
#[derive(Debug)]
pub(super) struct GroupField {
    pub(super) field: usize,
    /// The group's own pattern, anchored: does a value of the field fit it?
    pub(super) fits: Regex,
}

/// One walk of a regex syntax tree, writing text it matches.
pub(super) struct Walk<'a, 'r> {
    pub(super) rng: &'r mut State,
    pub(super) fields: &'a [FieldGen],
    pub(super) groups: &'a [Option<GroupField>],
    pub(super) bad: Option<Bad>,
    /// The fields to write when a branch or repetition can (`LineGen`'s `wanted`).
    pub(super) wanted: &'a [bool],
    /// Where the line begins in the output: the spans in `written` are relative to it.
    pub(super) base: usize,
    pub(super) written: &'r mut Written,
}

/// Characters tried first for a class (readable lines).
const NICE: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_./";

impl Walk<'_, '_> {
    /// Append text that `h` matches to `out`.
    pub(super) fn hir(&mut self, h: &Hir, out: &mut Vec<u8>) {
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => {}
            HirKind::Literal(l) => out.extend_from_slice(&l.0),
            HirKind::Class(Class::Unicode(c)) => {
                let ranges = c.ranges();
                let fits = |ch: char| ranges.iter().any(|r| r.start() <= ch && ch <= r.end());
                let nice = (0..8)
                    .map(|_| char::from(NICE[self.rng.below(NICE.len())]))
                    .find(|&ch| fits(ch));
                let ch = nice.or_else(|| {
                    ranges
                        .iter()
                        .flat_map(|r| (r.start()..=r.end()).take(128))
                        .find(|ch| !ch.is_control())
                });
                if let Some(ch) = ch {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
            }
            HirKind::Class(Class::Bytes(c)) => {
                let b = NICE
                    .iter()
                    .copied()
                    .find(|&b| c.ranges().iter().any(|r| r.start() <= b && b <= r.end()));
                if let Some(b) = b.or_else(|| {
                    c.ranges()
                        .first()
                        .map(regex_syntax::hir::ClassBytesRange::start)
                }) {
                    out.push(b);
                }
            }
            HirKind::Repetition(r) => {
                let hi = r.max.unwrap_or(r.min + 6).min(r.min + 6);
                let mut n =
                    r.min + u32::try_from(self.rng.below((hi - r.min) as usize + 1)).unwrap_or(0);
                if n == 0 && self.fills_wanted(&r.sub) {
                    n = 1;
                }
                for _ in 0..n {
                    self.hir(&r.sub, out);
                }
            }
            HirKind::Capture(c) => {
                let Some(g) = self.groups.get(c.index as usize).and_then(Option::as_ref) else {
                    return self.hir(&c.sub, out);
                };
                let start = out.len();
                if let Some(b) = self.bad.filter(|b| b.field == g.field) {
                    out.extend_from_slice(b.text.as_bytes());
                } else {
                    let value = &self.fields[g.field].value;
                    // Text made from the group is a last resort: for a timestamp it reads as
                    // a time far from the record's (`\d+\.\d+` for `unix` gives 0.0, 1970),
                    // and a group may take only some of the format's forms (`unix` is
                    // written with a fraction 3 times in 10), so times get more tries.
                    let tries = if matches!(value, VGen::Time(_)) {
                        48
                    } else {
                        4
                    };
                    let fitted = (0..tries).any(|_| {
                        out.truncate(start);
                        write_text(self.rng, out, value);
                        std::str::from_utf8(&out[start..]).is_ok_and(|s| g.fits.is_match(s))
                    });
                    if !fitted {
                        out.truncate(start);
                        self.hir(&c.sub, out);
                    }
                }
                self.written
                    .push((g.field, start - self.base, out.len() - self.base));
            }
            HirKind::Concat(v) => {
                for h in v {
                    self.hir(h, out);
                }
            }
            HirKind::Alternation(v) => {
                let wanted: Vec<&Hir> = v.iter().filter(|h| self.fills_wanted(h)).collect();
                let h = if wanted.is_empty() {
                    self.rng.pick(v)
                } else {
                    *self.rng.pick(&wanted)
                };
                self.hir(h, out);
            }
        }
    }

    /// Whether `h` holds a group that fills a wanted field.
    fn fills_wanted(&self, h: &Hir) -> bool {
        match h.kind() {
            HirKind::Capture(c) => {
                let g = self.groups.get(c.index as usize).and_then(Option::as_ref);
                g.is_some_and(|g| self.wanted[g.field]) || self.fills_wanted(&c.sub)
            }
            HirKind::Repetition(r) => self.fills_wanted(&r.sub),
            HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().any(|h| self.fills_wanted(h)),
            _ => false,
        }
    }
}
