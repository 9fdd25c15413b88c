//! Records when some candidates read text: the dispatch between the JSON log types and the
//! text ones (`parser: regex`, `fastmatch`, `csv`), and the loop over the text log types
//! (skip, match or split, decode).

use std::sync::Arc;

use simd_json::{Node, Tape};

use super::tape::{json_type, Borrowed, Copied, Fail, StrMode};
use super::text::Matched;
use super::{csv, skip, text, Normalizer};
use crate::error::{Error, ErrorKind, Position, Refusal};
use crate::event::{recycle, Event, Val};

impl Normalizer {
    /// A record when some candidates read text, read in place ([`Normalizer::normalize`]:
    /// the event borrows `line`): with JSON log types loaded, a line that is a JSON object
    /// goes to them alone (a text parser never claims one); any other line, and every line
    /// when no JSON log type is loaded, is matched by the text log types in order, and the
    /// first that matches and decodes it wins.
    pub(super) fn normalize_mixed<'s, 'l: 's>(
        &'s mut self,
        line: &'l mut [u8],
        pos: Position,
    ) -> Result<Event<'s>, Error> {
        if !self.json_goes_to_json_types(line) {
            return self.normalize_text(line, pos);
        }
        if pos.line == 1 {
            self.first_line(line, pos.byte);
        }
        let mut copy = std::mem::take(&mut self.scratch);
        copy.clear();
        copy.extend_from_slice(line);
        let mut tape: Tape<'_> = std::mem::replace(&mut self.tape, Tape(Vec::new())).reset();
        // No second reading of what simd-json refuses (`overflow.rs`): the event would
        // borrow a rewritten line. Such a record is invalid JSON here, as documented, and
        // no text log type's line.
        let filled = simd_json::fill_tape(line, &mut self.buffers, &mut tape)
            .map_err(|e| Error::json(pos, &e, Some(&copy)));
        if let Err(e) = &filled {
            if super::overflow::needs_second_reading(&copy) {
                let e = e.clone();
                self.tape = tape.reset();
                self.scratch = copy;
                return Err(e);
            }
        }
        self.mixed_json(tape, filled, copy, None, pos)
    }

    /// A line that starts as a JSON object, parsed into `tape` (`filled`: or why not, after
    /// the second reading of `overflow.rs` where there is an untouched copy): an object
    /// goes to the JSON log types; anything else to the text log types, from `original`
    /// (or `copy`, the line as it was, when there is no `original`). `copy` goes back to
    /// `scratch`.
    pub(super) fn mixed_json<'s, 'l: 's>(
        &'s mut self,
        tape: Tape<'l>,
        filled: Result<(), Error>,
        copy: Vec<u8>,
        original: Option<&[u8]>,
        pos: Position,
    ) -> Result<Event<'s>, Error> {
        let found = match (&filled, tape.0.first()) {
            (Ok(()), Some(Node::Object { .. })) => {
                // An untouched copy for the floats that go into strings: the caller's, or
                // `copy`, back in `scratch`.
                self.scratch = copy;
                return self.decode_event(tape, pos, original);
            }
            (Ok(()), node) => node.map(json_type),
            (Err(_), _) => None,
        };
        self.tape = tape.reset();
        // Numbers written over for this parse (`overflow.rs`) that no decoder will read.
        self.overflowed.clear();
        // simd-json rewrote the line: the text log types read the untouched copy, and the
        // event keeps copies of its strings.
        let json_error = filled.err();
        let text = original.unwrap_or(&copy);
        // A JSON object with bytes that are not UTF-8 is the JSON log types' reject, as in
        // a run of JSON log types alone: read as text, with U+FFFD for those bytes, it was
        // taken by a text log type that reads any line (review finding).
        if let Some(e) = json_error
            .as_ref()
            .filter(|_| simdutf8::basic::from_utf8(text).is_err())
        {
            let e = e.clone();
            self.scratch = copy;
            return Err(e);
        }
        let mut vals: Vec<Val<'l>> = std::mem::take(&mut self.vals);
        let accepted = match self.try_text::<Copied>(text, pos, &mut vals) {
            Tried::Accepted(pi) => Some(pi),
            // A skip by position (`skipLines`, a CSV header) does not read the line: a
            // broken JSON object at the top of an input, with JSON log types loaded, is that
            // object's reject below, not a preamble line (it vanished without a word). A
            // `skipPrefix` that the line starts with says what the line is: skipped.
            Tried::Skipped(pi, by_prefix) if by_prefix || json_error.is_none() => {
                self.scratch = copy;
                self.vals = recycle(vals);
                return Err(self.skipped(pi, pos));
            }
            Tried::Skipped(..) | Tried::Refused => None,
        };
        self.scratch = copy;
        if let Some(pi) = accepted {
            return Ok(self.assemble_event(pi, vals, pos));
        }
        self.vals = recycle(vals);
        // A line that starts like a JSON object but is broken, and that no text log type
        // reads, is most likely broken JSON: say where.
        Err(json_error.unwrap_or_else(|| {
            let json_refusal = found.map_or(Refusal::NotJson, Refusal::NotAnObject);
            self.refuse_all(pos, |_| json_refusal.clone())
        }))
    }

    /// A line for the text log types alone (not a JSON object, or no JSON log type is
    /// loaded): the event's values borrow from it, so it is read where it lies (no copy).
    pub(super) fn normalize_text<'s, 'l: 's>(
        &'s mut self,
        line: &'l [u8],
        pos: Position,
    ) -> Result<Event<'s>, Error> {
        if pos.line == 1 {
            self.first_line(line, pos.byte);
        }
        let mut vals: Vec<Val<'l>> = std::mem::take(&mut self.vals);
        let tried = self.try_text::<Borrowed>(line, pos, &mut vals);
        if let Tried::Accepted(pi) = tried {
            return Ok(self.assemble_event(pi, vals, pos));
        }
        self.vals = recycle(vals);
        Err(match tried {
            Tried::Skipped(pi, _) => self.skipped(pi, pos),
            _ => self.refuse_all(pos, |_| Refusal::NotJson),
        })
    }

    /// Match `line` with each text log type in order and decode the values of the first
    /// that matches and decodes them (strings borrowed or copied as `M` says: see
    /// `text.rs`): the index of the plan that accepted it; else of the first that skips it;
    /// else of the first CSV log type that reads it as a row with another number of values
    /// than its `columns`; else each one's refusal is in `text_refusals`.
    ///
    /// Why such a row comes last: `columns` zip with a row of any count (as in Panther), so
    /// a CSV log type would read nearly any line; taken in turn, it would take the lines of
    /// the text log types loaded after it, and the header or preamble lines another one
    /// skips. A row with as many values as `columns` is read in turn, as before.
    fn try_text<'t, 'a, M: StrMode<'t, 'a>>(
        &mut self,
        line: &'t [u8],
        pos: Position,
        vals: &mut Vec<Val<'a>>,
    ) -> Tried {
        if let Ok(line) = simdutf8::basic::from_utf8(line) {
            return self.try_text_str::<M>(line, pos, vals);
        }
        // Read as Panther's Go code reads it: each byte that is not UTF-8 is one U+FFFD (a
        // rune to its regexp, which `.` and `\S` match; what its JSON writer writes), the
        // values copied (a Latin-1 byte in a syslog line cost the whole line).
        let mut replaced = Vec::new();
        let text = crate::encoding::lossy_as_go_at(line, &mut replaced);
        let tried = self.try_text_str::<Copied>(&text, pos, vals);
        if matches!(tried, Tried::Refused) {
            // Columns count the line's bytes: each U+FFFD written for one byte is three.
            for (_, r) in &mut self.text_refusals {
                if let Refusal::FieldCount {
                    open_quote: Some(column),
                    ..
                } = r
                {
                    let before = replaced.iter().filter(|&&at| at < *column).count();
                    *column -= 2 * before;
                }
            }
        }
        tried
    }

    /// [`Normalizer::try_text`] of a line of text.
    fn try_text_str<'t, 'a, M: StrMode<'t, 'a>>(
        &mut self,
        line: &'t str,
        pos: Position,
        vals: &mut Vec<Val<'a>>,
    ) -> Tried {
        let text_plans = &self.plans[self.n_json..];
        // Reused: a line the first text type refuses is usual in a mixed run.
        let refusals = &mut self.text_refusals;
        refusals.clear();
        // Panther's classifier trims every line (Go's `strings.TrimSpace`) before any parser
        // sees it: a pattern anchored with `$` reads a line with trailing blanks, an
        // indented comment is skipped by `skipPrefix`, and the last value keeps no blanks.
        let lead = line.len() - line.trim_start().len();
        let line = line.trim();
        let mut skipped = None;
        // The CSV log types that refused the line for its number of values alone (their
        // plan indices among the text ones), to read it when no other one does.
        let other_count = &mut self.other_count;
        other_count.clear();
        // With one text log type, nothing can come before such a row.
        let one_text_type = text_plans.len() == 1;
        for (i, plan) in text_plans.iter().enumerate() {
            let (Some(tp), Some(slot)) = (&plan.text, self.text_slots.get_mut(i)) else {
                continue;
            };
            if skip::skips(tp, slot, line, pos) {
                let by_prefix = tp.skips_prefix(line);
                match &mut skipped {
                    None => skipped = Some((self.n_json + i, by_prefix)),
                    Some((_, any)) => *any |= by_prefix,
                }
                continue;
            }
            vals.clear();
            self.text.clear();
            let decoded = match &tp.csv {
                Some(c) => csv::decode::<M>(
                    &plan.root,
                    tp,
                    c,
                    slot,
                    line,
                    vals,
                    &mut self.text,
                    one_text_type,
                ),
                None => match text::match_line(tp, slot, line) {
                    Matched::Line => {
                        text::decode::<M>(&plan.root, tp, slot, line, vals, &mut self.text)
                    }
                    Matched::Unescaped => {
                        // Taken out of the slot while the decode step borrows the slot.
                        let buf = std::mem::take(&mut slot.unescaped);
                        let root = &plan.root;
                        let r = text::decode::<Copied>(root, tp, slot, &buf, vals, &mut self.text);
                        slot.unescaped = buf;
                        r
                    }
                    Matched::No => Err(Fail::Detail(Refusal::NoMatch {
                        patterns: Arc::clone(&tp.sources),
                    })),
                },
            };
            match decoded {
                Ok(_) => return Tried::Accepted(self.n_json + i),
                Err(Fail::Detail(r)) => {
                    if let Refusal::FieldCount {
                        header_line: None, ..
                    } = r
                    {
                        other_count.push((i, refusals.len()));
                    }
                    refusals.push((plan.log_type.clone(), r));
                }
                Err(Fail::Quick) => {}
            }
        }
        if let Some((pi, by_prefix)) = skipped {
            return Tried::Skipped(pi, by_prefix);
        }
        for &(i, at) in other_count.iter() {
            let (Some(plan), Some(slot)) = (text_plans.get(i), self.text_slots.get_mut(i)) else {
                continue;
            };
            let Some(tp) = &plan.text else {
                continue;
            };
            let Some(c) = &tp.csv else {
                continue;
            };
            vals.clear();
            self.text.clear();
            match csv::decode::<M>(&plan.root, tp, c, slot, line, vals, &mut self.text, true) {
                Ok(_) => return Tried::Accepted(self.n_json + i),
                // The row's own fault, rather than its count, is what its reject says.
                Err(Fail::Detail(r)) => {
                    if let Some((_, refusal)) = refusals.get_mut(at) {
                        *refusal = r;
                    }
                }
                Err(Fail::Quick) => {}
            }
        }
        shift_columns(refusals, lead);
        Tried::Refused
    }

    /// What a line that log type `pi` skips gives: not an event, not a reject.
    pub(super) fn skipped(&self, pi: usize, pos: Position) -> Error {
        Error::new(ErrorKind::Skipped {
            pos,
            log_type: self.plans[pi].log_type.clone(),
        })
    }
}

impl Normalizer {
    /// Whether `line` is for the JSON log types alone: it starts like a JSON object (after
    /// whitespace) and some are loaded (a departure: Panther's classifier offers every line
    /// to every parser, so that a text log type matching anything takes the JSON objects
    /// the JSON log types refuse). Without any, a line such as `{"a":1}` is text like any
    /// other, for the text log types to match.
    pub(super) fn json_goes_to_json_types(&self, line: &[u8]) -> bool {
        self.n_json > 0
            && match line.iter().find(|b| !b.is_ascii_whitespace()) {
                Some(b'{') => true,
                // White space Go trims and Rust's ASCII test does not (`U+00A0`, `\v`).
                Some(&b) if !b.is_ascii() || b == 0x0b => {
                    line.get(super::frame::leading_space(line)) == Some(&b'{')
                }
                _ => false,
            }
    }
}

/// What the text log types made of a line: the index of the plan that accepted it, or of
/// the first that skips it (and whether one skips it by its `skipPrefix`), or none took it.
enum Tried {
    Accepted(usize),
    Skipped(usize, bool),
    Refused,
}

/// Columns count from the line's start, before the trim of its `lead` bytes of white space.
fn shift_columns(refusals: &mut [(Arc<str>, Refusal)], lead: usize) {
    if lead == 0 {
        return;
    }
    for (_, r) in refusals {
        if let Refusal::FieldCount {
            open_quote: Some(column),
            ..
        } = r
        {
            *column += lead;
        }
    }
}
