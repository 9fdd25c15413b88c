//! Text lines → string values → the plan's decoders, in Panther's order of operations:
//! match (or split, for CSV: `csv.rs`), trim (`trimSpace`), drop (`emptyValues`), add
//! (`expandFields`), then typed decoding. Lines a log type skips (`skipLines`, `skipPrefix`,
//! a CSV header) never get here (`skip.rs`). Every value is a string until the field's decoder
//! converts it: the common cases straight into the field's slot ([`fast_str`], the field's
//! fast case chosen at compile time), any other value to the same decoders as JSON strings
//! ([`TapeDecoder::flat_field`] on a tape of one string node), so a text field decodes, rejects
//! and reports exactly as a JSON string in that field would, with no JSON written or parsed.
//!
//! # The shared step, and how a parser feeds it
//!
//! A parser (fastmatch and regex here: [`match_line`]; CSV in `csv.rs`)
//! ends by filling [`TextSlot::vals`]: for each output of the [`TextPlan`] (by index), the
//! span `start..end` of its value, or `None`. Every span points into one text, handed to
//! [`decode`] with the slot: the line itself, or a scratch buffer the parser owns (values
//! it had to rewrite, e.g. unescaped quotes; then the whole text is that buffer). The parser
//! applies [`keep`] (trim, then drop the empty values) to each span it stores, and keeps the
//! first value of an output captured twice (a CSV row naming a column twice: the last, see
//! `csv::fill`). [`decode`] then builds the `expandFields`
//! values from the kept ones (in the slot's own scratch), drops those that come out empty or
//! as one of the `emptyValues`, as Panther does, and hands every value to the
//! decoders: captured values first, in output order, then expanded ones, in template order
//! (the order decides which of two bad values a reject names). An expanded value replaces
//! a value captured for the same key; a dropped one leaves it (decoded in the expansion's
//! turn). The caller picks how string
//! values reach the event: borrowed from the text ([`Borrowed`](super::tape::Borrowed), when it is the line the
//! event borrows) or copied into the event's text buffer ([`Copied`], for a scratch
//! buffer, as for a CSV row with an escaped quote); expanded values are always copied.
//!
//! Every buffer is reused: the capture locations per pattern, the value spans and the
//! expansion scratch; a value that leaves the fast cases reaches its decoder as a one-node
//! tape on the stack.

use regex::CaptureLocations;
use simd_json::Node;

use super::csv::CsvSlot;
use super::cut::{cut_line, Cut, CutSlot};
use super::skip::FirstLines;
use super::tape::{fast_str, Copied, DecodeResult, Fail, StrMode, TapeDecoder};
use super::unquote::unquote;
use crate::compile::sep::Sep;
use crate::compile::text::{FastPattern, Piece, TextPlan};
use crate::compile::ObjectPlan;
use crate::error::{FieldPath, PathSegment, Refusal, ValueProblem};
use crate::event::Val;

/// The reused state of one text plan in one normalizer.
pub(crate) struct TextSlot {
    locs: Box<[CaptureLocations]>,
    /// The state of the plan's cut, if it has one.
    cut: Option<CutSlot>,
    /// The span of each output's value (after trimming), or none; see the module docs.
    pub(crate) vals: Vec<Option<(usize, usize)>>,
    /// For an output a CSV row names twice with two kept values: its first kept value, which
    /// templates read (the field takes the last: see `csv::fill`). Empty for other parsers.
    pub(crate) firsts: Vec<(usize, (usize, usize))>,
    /// The values of the `expandFields` entries, one after the other, and their spans (none
    /// for a value that is dropped: empty or one of the `emptyValues`).
    scratch: String,
    /// The most bytes `scratch` may hold: the record limit. The event's text is addressed
    /// with 32-bit offsets, which a template of many placeholders of a long line passed
    /// (the value was cut without a word).
    max_expanded: usize,
    expanded: Vec<Option<(usize, usize)>>,
    /// The state of a `parser: csv` plan.
    pub(super) csv: Option<CsvSlot>,
    /// For `fastmatch`: the text the values point into when one was unescaped (a copy of
    /// the line, then the unescaped values); see [`Matched::Unescaped`].
    pub(super) unescaped: String,
    /// How the current input's first `skipLines` lines are told (`skip.rs`).
    pub(super) first_lines: FirstLines,
}

impl TextSlot {
    /// The slot of `plan`, whose `expandFields` values of a record may take up to
    /// `max_expanded` bytes together (the record limit).
    pub(crate) fn new(plan: &TextPlan, max_expanded: usize) -> TextSlot {
        TextSlot {
            max_expanded,
            locs: plan
                .regexes
                .iter()
                .map(regex::Regex::capture_locations)
                .collect(),
            cut: plan.cut.as_ref().map(CutSlot::new),
            vals: vec![None; plan.outputs.len()],
            firsts: Vec::new(),
            scratch: String::new(),
            expanded: Vec::with_capacity(plan.expand.len()),
            csv: plan.csv.as_ref().map(|c| CsvSlot::new(plan, c)),
            unescaped: String::new(),
            first_lines: FirstLines::default(),
        }
    }
}

/// What [`match_line`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Matched {
    /// No pattern matches the line.
    No,
    /// `slot.vals` are spans in the line.
    Line,
    /// A fastmatch value was unescaped: `slot.vals` are spans in `slot.unescaped`.
    Unescaped,
}

/// Match `line` with the patterns of `plan` in order and fill `slot.vals` from the first
/// that matches: spans in `line`, or in `slot.unescaped` as the result says.
pub(crate) fn match_line(plan: &TextPlan, slot: &mut TextSlot, line: &str) -> Matched {
    slot.vals.fill(None);
    if let Some(fast) = &plan.fast {
        let buf = &mut slot.unescaped;
        return fast
            .iter()
            .map(|p| cut(p, plan, &mut slot.vals, line, buf))
            .find(|m| *m != Matched::No)
            .unwrap_or(Matched::No);
    }
    if let (Some(c), Some(cs)) = (&plan.cut, &mut slot.cut) {
        match cut_line(c, cs, line) {
            Cut::Match => {
                for &(group, output) in &*plan.groups[0] {
                    if slot.vals[output].is_some() {
                        continue;
                    }
                    if let Some(&Some((start, end))) = cs.spans.get(group) {
                        slot.vals[output] = keep(plan, line, start, end);
                    }
                }
                let took_part = |group: usize| matches!(cs.spans.get(group), Some(Some(_)));
                empty_if_unmatched(plan, &plan.groups[0], &mut slot.vals, took_part);
                return Matched::Line;
            }
            Cut::NoMatch => return Matched::No,
            Cut::GaveUp => {}
        }
    }
    let Some(matched) = plan
        .regexes
        .iter()
        .zip(slot.locs.iter_mut())
        .position(|(re, locs)| re.captures_read(locs, line).is_some())
    else {
        return Matched::No;
    };
    let locs = &slot.locs[matched];
    for &(group, output) in &*plan.groups[matched] {
        if slot.vals[output].is_some() {
            continue;
        }
        if let Some((start, end)) = locs.get(group) {
            slot.vals[output] = keep(plan, line, start, end);
        }
    }
    let took_part = |group: usize| locs.get(group).is_some();
    empty_if_unmatched(plan, &plan.groups[matched], &mut slot.vals, took_part);
    Matched::Line
}

/// A field whose groups all stayed out of the match (`(?: %{WORD:b})?` on a line without
/// it) is `""`, as in Panther, whose grok gives such a group the empty text: it passes
/// `required` as a string, and is null for other types or when `emptyValues` holds `""`.
#[inline]
fn empty_if_unmatched(
    plan: &TextPlan,
    groups: &[(usize, usize)],
    vals: &mut [Option<(usize, usize)>],
    took_part: impl Fn(usize) -> bool,
) {
    for &(_, output) in groups {
        if vals[output].is_none() && !groups.iter().any(|&(g, o)| o == output && took_part(g)) {
            vals[output] = keep(plan, "", 0, 0);
        }
    }
}

/// Cut `line` with fastmatch pattern `p` (see [`FastPattern`]) into `vals`, as Panther's
/// matcher does; `vals` cleared when the pattern does not match. A value between quotes
/// with a backslash ahead is read with its escapes ([`quoted`]); the first one that holds
/// an escape moves every value to `buf`.
fn cut(
    p: &FastPattern,
    plan: &TextPlan,
    vals: &mut [Option<(usize, usize)>],
    line: &str,
    buf: &mut String,
) -> Matched {
    let b = line.as_bytes();
    if !b.starts_with(p.lead.as_bytes()) {
        return Matched::No;
    }
    let mut at = p.lead.len();
    let mut matched = Matched::Line;
    // The first backslash at or after where it was last looked for (`None`: none is left),
    // looked for once a quoted value needs to know, as Panther reads a quoted value with its
    // escapes only when a backslash is ahead.
    let mut backslash: Option<Option<usize>> = None;
    for hole in &*p.holes {
        let Some(sep) = &hole.sep else {
            // The last placeholder, with no text after it: the rest of the line.
            if let Some(output) = hole.output {
                let text = if matched == Matched::Line {
                    line
                } else {
                    &**buf
                };
                vals[output] = keep(plan, text, at, b.len());
            }
            return matched;
        };
        let escapes_ahead = hole.quote != 0 && {
            let next = match backslash {
                Some(Some(found)) if found >= at => Some(found),
                Some(None) => None,
                _ => memchr::memchr(b'\\', &b[at..]).map(|i| at + i),
            };
            backslash = Some(next);
            next.is_some()
        };
        let value = if escapes_ahead {
            quoted(line, at, hole.quote, sep, buf, &mut matched)
        } else {
            sep.find(&b[at..])
                .map(|found| (at, at + found, at + found + sep.len()))
        };
        let Some((start, end, next)) = value else {
            vals.fill(None);
            return Matched::No;
        };
        if let Some(output) = hole.output {
            // Spans in the line are the same in `buf`, which starts with a copy of it.
            let text = if matched == Matched::Line {
                line
            } else {
                &**buf
            };
            vals[output] = keep(plan, text, start, end);
        }
        at = next;
    }
    // The pattern ends with literal text: the rest of the line is ignored, as in Panther.
    matched
}

/// The quoted value at `line[at..]`, read up to the first quote not escaped ([`unquote`]):
/// its span and where the rest of the line starts, after `sep`, which must follow. A value
/// with no escape is a span of the line; else it is unescaped into `buf`, which first
/// gets a copy of the line (`matched` then says so). `None` when an escape is bad or `sep`
/// does not follow, as in Panther (no later quote is tried).
#[cold]
fn quoted(
    line: &str,
    at: usize,
    quote: u8,
    sep: &Sep,
    buf: &mut String,
    matched: &mut Matched,
) -> Option<(usize, usize, usize)> {
    let b = line.as_bytes();
    let stop = memchr::memchr2(quote, b'\\', &b[at..]).map_or(b.len(), |i| at + i);
    let (start, end, close) = if b.get(stop) == Some(&b'\\') {
        if *matched == Matched::Line {
            buf.clear();
            buf.push_str(line);
            *matched = Matched::Unescaped;
        }
        let start = buf.len();
        let close = unquote(line, at, quote, buf)?;
        (start, buf.len(), close)
    } else {
        (at, stop, stop)
    };
    sep.starts(&b[close..])
        .then_some((start, end, close + sep.len()))
}

/// `trimSpace` and `emptyValues` applied to the value `text[start..end]`: its span, or none
/// when it is one of the empty values. Called for every value: small enough to inline, the
/// rare work out of line.
#[inline]
pub(crate) fn keep(
    plan: &TextPlan,
    text: &str,
    mut start: usize,
    mut end: usize,
) -> Option<(usize, usize)> {
    // Bytes: the span is on character boundaries (the parsers cut at them).
    let b = text.as_bytes();
    if plan.trim_space {
        // Nearly every value starts and ends with a visible ASCII character: nothing to trim
        // (every other White_Space character is a control, a space or not ASCII).
        let visible = |c: Option<&u8>| c.is_some_and(u8::is_ascii_graphic);
        let value = &b[start..end];
        if !(visible(value.first()) && visible(value.last())) {
            (start, end) = trimmed(text, start, end);
        }
    }
    let value = &b[start..end];
    // Lengths first: most values are longer than an empty value such as `-`.
    let empty = plan
        .empty_values
        .iter()
        .any(|e| e.len() == value.len() && e.as_bytes() == value);
    (!empty).then_some((start, end))
}

/// The span of `text[start..end]` without the white space around it (`str::trim`).
#[inline(never)]
fn trimmed(text: &str, start: usize, end: usize) -> (usize, usize) {
    let value = &text[start..end];
    let rest = value.trim_start();
    let start = start + value.len() - rest.len();
    (start, start + rest.trim_end().len())
}

/// The shared step: build the `expandFields` values from `slot.vals` (spans in `text`) and
/// decode every value into a new block of `vals` for `root` (see the module docs). String
/// values reach the event as `M` makes them; expanded ones are copied into `out_text`.
pub(crate) fn decode<'t, 'a, M: StrMode<'t, 'a>>(
    root: &ObjectPlan,
    plan: &TextPlan,
    slot: &mut TextSlot,
    text: &'t str,
    vals: &mut Vec<Val<'a>>,
    out_text: &mut String,
) -> DecodeResult<usize> {
    // The templates read the kept values (empty when none).
    slot.scratch.clear();
    slot.expanded.clear();
    for (output, pieces) in &*plan.expand {
        let start = slot.scratch.len();
        for piece in &**pieces {
            match piece {
                Piece::Text(t) => slot.scratch.push_str(t),
                Piece::Value(v) => {
                    let first = slot.firsts.iter().find(|(o, _)| o == v).map(|&(_, s)| s);
                    if let Some((s, e)) = first.or(slot.vals[*v]) {
                        // Checked before it is copied: memory stays within the limit too.
                        if slot.scratch.len() + (e - s) > slot.max_expanded {
                            return Err(expanded_too_long(root, plan, *output, slot.max_expanded));
                        }
                        slot.scratch.push_str(&text[s..e]);
                    }
                }
            }
        }
        // Panther adds an expanded field only when its value is neither empty nor one of the
        // `emptyValues` (`@` from `%{user}@%{src}` with both values dropped, say).
        let value = &slot.scratch[start..];
        let dropped = value.is_empty() || plan.empty_values.iter().any(|e| **e == *value);
        slot.expanded
            .push((!dropped).then_some((start, slot.scratch.len())));
    }

    let start = TapeDecoder::<M>::new(&[], vals, out_text, true).open(root);
    for &output in &*plan.plain {
        if let (Some((s, e)), Some(field)) = (slot.vals[output], plan.fields[output]) {
            // The common cases straight into the slot, without a decoder and a tape for
            // each value (what `flat_field` would try first anyway).
            let s = &text[s..e];
            let taken = match (root.fields.get(field), vals.get_mut(start + field)) {
                (Some(f), Some(slot)) => fast_str::<M>(&f.value, s, out_text, slot),
                _ => false,
            };
            if !taken {
                decode_str::<M>(root, start, field, s, vals, out_text)?;
            }
        }
    }
    for ((output, _), &span) in plan.expand.iter().zip(&slot.expanded) {
        let Some(field) = plan.fields[*output] else {
            continue;
        };
        match (span, slot.vals[*output]) {
            (Some((s, e)), _) => {
                decode_str::<Copied>(root, start, field, &slot.scratch[s..e], vals, out_text)?;
            }
            // A dropped expansion adds nothing, so a value the line gave the key stays, as
            // in Panther (which appends an expanded value after the captured ones, and only
            // when it is kept).
            (None, Some((s, e))) => {
                decode_str::<M>(root, start, field, &text[s..e], vals, out_text)?;
            }
            (None, None) => {}
        }
    }
    TapeDecoder::<M>::new(&[], vals, out_text, true).close(root, start)
}

/// The refusal of a record whose `expandFields` values pass `max` bytes, at the template
/// of `output`.
#[cold]
#[inline(never)]
fn expanded_too_long(root: &ObjectPlan, plan: &TextPlan, output: usize, max: usize) -> Fail {
    let name = match plan.fields[output].and_then(|f| root.fields.get(f)) {
        Some(field) => field.name.clone(),
        None => std::sync::Arc::from(&*plan.outputs[output]),
    };
    Fail::Detail(Refusal::BadValue {
        field: FieldPath(vec![PathSegment::Key(name)]),
        problem: ValueProblem::ExpandedTooLong { max },
        value: None,
    })
}

/// Decode field `field` of the block at `start` from the value `s`: a tape of one string
/// node, so the value decodes as a JSON string in that field would. Built per value, with
/// no tape to fill and read back for the whole line.
#[inline]
fn decode_str<'v, 'a, M: StrMode<'v, 'a>>(
    root: &ObjectPlan,
    start: usize,
    field: usize,
    s: &'v str,
    vals: &mut Vec<Val<'a>>,
    out_text: &mut String,
) -> DecodeResult<()> {
    let node = [Node::String(s)];
    TapeDecoder::<M>::new(&node, vals, out_text, true).flat_field(root, start, field, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;
    use crate::testing::xorshift;

    /// `keep` with its fast checks gives what trimming with `str::trim` and comparing with
    /// every empty value gives, on random values of visible, space, control and non-ASCII
    /// characters (Unicode white space among them), with and without `trimSpace`.
    #[test]
    fn keep_trims_and_drops_as_str_trim() {
        let pieces = [
            "a", "-", " ", "\t", "\r", "\u{a0}", "\u{85}", "\u{3000}", "é", "\u{1}", "x-", "--",
        ];
        let mut rnd = xorshift(0x7e4);
        for trim_space in [false, true] {
            let yaml = format!(
                "schema: Tst.Keep\nparser:\n  fastmatch:\n    match: ['%{{a}}']\n    \
                 trimSpace: {trim_space}\n    emptyValues: ['-', '', '\u{a0}-']\n\
                 fields:\n  - {{name: a, type: string}}\n"
            );
            let mut registry = Registry::new();
            registry.add_str(&yaml, "keep.yml").expect("schema loads");
            let plan = registry.get("Tst.Keep").expect("plan");
            let tp = plan.text.as_ref().expect("text plan");
            assert_eq!(tp.trim_space, trim_space);
            for _ in 0..5000 {
                let mut text = String::new();
                for _ in 0..rnd(6) {
                    text.push_str(pieces[rnd(pieces.len())]);
                }
                // A value somewhere inside the text, on character boundaries.
                let bounds: Vec<usize> = (0..=text.len())
                    .filter(|&i| text.is_char_boundary(i))
                    .collect();
                let (i, j) = (rnd(bounds.len()), rnd(bounds.len()));
                let (start, end) = (bounds[i.min(j)], bounds[i.max(j)]);
                let value = &text[start..end];
                let kept = if trim_space { value.trim() } else { value };
                let want = (!tp.empty_values.iter().any(|e| **e == *kept)).then(|| {
                    let at =
                        start + (value.len() - value.trim_start().len()) * usize::from(trim_space);
                    (at, at + kept.len())
                });
                assert_eq!(keep(tp, &text, start, end), want, "{value:?} in {text:?}");
            }
        }
    }

    /// Cutting a line at the literal text of a fastmatch pattern gives what the pattern's
    /// regular expression (lazy groups, anchored at the start, and at the end only after a
    /// final placeholder) gives, on random lines made of the patterns' own pieces (no
    /// backslash: no value is read with escapes): the same match or non-match, the same
    /// values.
    #[test]
    fn cutting_at_literals_agrees_with_the_regex() {
        let patterns = [
            "%{a} %{b}",
            "%{a}::%{b}:%{c}",
            "[%{a}] \"%{b}\" %{c}",
            "x%{a}ab%{b}b",
            "%{a},%{b},%{c},",
            "lead %{a}",
            "é%{a}ü%{b}",
            "%{a} %{} [%{b}]",
            "'%{a}' %{}",
        ];
        let pieces = [
            "", " ", ":", "::", "a", "b", "ab", "x", "[", "]", "\"", ",", "é", "ü", "z9", "'",
        ];
        let mut rnd = xorshift(0x5eed);
        for pattern in patterns {
            let mut fields = String::new();
            for f in ["a", "b", "c"] {
                if pattern.contains(&format!("%{{{f}}}")) {
                    fields.push_str("  - {name: ");
                    fields.push_str(f);
                    fields.push_str(", type: string}\n");
                }
            }
            let yaml = format!(
                "schema: Tst.Cut\nparser:\n  fastmatch:\n    match: ['{}']\nfields:\n{fields}",
                pattern.replace('\'', "''")
            );
            let mut registry = Registry::new();
            registry.add_str(&yaml, "cut.yml").expect("schema loads");
            let plan = registry.get("Tst.Cut").expect("plan");
            let tp = plan.text.as_ref().expect("text plan");
            let fast = &tp.fast.as_ref().expect("fastmatch")[0];
            let re = &tp.regexes[0];
            let mut vals = vec![None; tp.outputs.len()];
            let mut buf = String::new();
            let mut matched = 0;
            for _ in 0..3000 {
                let mut line = String::new();
                if rnd(3) == 0 {
                    line.push_str(
                        &pattern
                            .replace("%{a}", "")
                            .replace("%{b}", "")
                            .replace("%{c}", ""),
                    );
                }
                for _ in 0..rnd(9) {
                    line.push_str(pieces[rnd(pieces.len())]);
                }
                if rnd(2) == 0 {
                    // Start and end like the pattern, so that some lines match.
                    let lead = &pattern[..pattern.find("%{").unwrap_or(pattern.len())];
                    let tail = &pattern[pattern.rfind('}').map_or(pattern.len(), |i| i + 1)..];
                    line = format!("{lead}{line}{tail}");
                }
                vals.fill(None);
                let cut_ok = cut(fast, tp, &mut vals, &line, &mut buf) == Matched::Line;
                let caps = re.captures(&line);
                assert_eq!(cut_ok, caps.is_some(), "{pattern:?} on {line:?}");
                if let Some(caps) = caps {
                    matched += 1;
                    for &(group, output) in &*tp.groups[0] {
                        let want = caps.get(group).map(|m| (m.start(), m.end()));
                        assert_eq!(vals[output], want, "{pattern:?} on {line:?}");
                    }
                }
            }
            // Enough lines match for the values to be compared, not only the refusals.
            assert!(matched > 200, "{pattern:?}: {matched} lines matched");
        }
    }
}
