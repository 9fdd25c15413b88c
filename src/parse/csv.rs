//! `parser: csv`: a line → the span of each output's value, then the step every text parser
//! ends with (`text::decode`: `expandFields`, then the field decoders; no JSON is written).
//!
//! The quoting rules are in [`crate::schema::csv`] (Go's `encoding/csv` with lazy quotes,
//! as Panther reads rows). One pass over the positions of the delimiters and quotes
//! ([`split_in_place`]) cuts the usual line: its unquoted values, and its quoted values that
//! hold no quote (their text is what lies between the quotes), are spans of the line itself,
//! no copy. A line with a value to rewrite (an escaped quote `""`, or a quote inside a quoted
//! value that lazy quotes keep as text) has its values unescaped, all of them, into the
//! reused `CsvSlot::unquoted` buffer ([`unescape`]), and the spans point into that buffer,
//! which the decode step then reads in place of the line (`decode::<Copied>`: the event
//! copies those values, as the buffer is rewritten by the next row).
//!
//! The usual row does not go through those spans at all: it is decoded as it is cut
//! ([`decode_direct`]), each value handed to its field's decoder as soon as its end is
//! found. Any row that way cannot finish (a value to unescape, a bad value, another number
//! of values) is done again the general way above, which decides the reject.
//!
//! Per input, a plan with `hasHeader` takes as its header the input's first line that it
//! does not skip (lines `skipPrefix` consumes, and blank lines, may come before it: an
//! export's comment lines). With `columns` it consumes it, whatever it holds, as Panther
//! skips it; without, it learns the output of each column from it and consumes it, unless
//! it names none: then it is no header, and it is refused with the input's rows
//! ([`offer_header`]). The normalizer
//! starts each input's search at line 1, and when a caller says where an input starts
//! ([`Normalizer::start_input`](super::Normalizer::start_input)), from the input's first
//! lines.
//!
//! How many values a row has: with the header's names, as many as the header (Panther's
//! reader is told that count); with `columns`, any number, as Panther zips a row with its
//! columns (values beyond them dropped, missing ones empty). Such a row, with another
//! number of values than `columns`, is the log type's only when no other text log type
//! reads or skips the line (`mixed.rs`): a CSV log type would otherwise take nearly every
//! line of another log type's input.

use crate::compile::text::{CsvPlan, TextPlan};
use crate::compile::ObjectPlan;
use crate::error::Refusal;
use crate::event::Val;
use crate::schema::csv::Delimiter;

use simd_json::Node;

use super::marks::Marks;
use super::tape::{fast_str, Copied, DecodeResult, Fail, StrMode, TapeDecoder};
use super::text::{self, keep, TextSlot};

mod header;

pub(crate) use header::{
    is_header_line, no_header_yet, offer_header, start_input, waits_for_header,
};
use header::{NOT_STARTED, NO_HEADER, WAITING};

/// The reused state of one CSV plan in one normalizer.
#[derive(Debug, Default)]
pub(crate) struct CsvSlot {
    /// The output of each column of the current input's header (`hasHeader` without
    /// `columns`), reused from input to input.
    header: Vec<Option<usize>>,
    /// Whether `header` holds this input's columns (its header line named an output).
    header_ok: bool,
    /// The line of the current input that is its header: [`WAITING`] until a line the plan
    /// does not skip has come, [`NO_HEADER`] when there is none (the input's first lines,
    /// given by a caller starting in its middle, held none; or the plan has no `hasHeader`).
    header_line: u64,
    /// Where the current input's line 1 starts (a record's `Position::byte`): the header
    /// must end within [`HEAD_BYTES`](crate::parse::HEAD_BYTES) of it.
    origin: u64,
    /// The span of each value of the current row, in the line or in `unquoted`.
    fields: Vec<(usize, usize)>,
    /// The values of a row with a value to rewrite (an escaped quote), unescaped.
    unquoted: String,
    /// Per column of the current columns (`columns`, or the input's header), the root field
    /// its value decodes into ([`NO_FIELD`] for none), when rows can be decoded as they are
    /// cut ([`decode_direct`]); empty when they cannot.
    direct: Vec<usize>,
}

impl CsvSlot {
    /// The slot of a CSV plan; with `columns`, its columns are known now.
    pub(crate) fn new(plan: &TextPlan, c: &CsvPlan) -> CsvSlot {
        let header_line = if c.has_header { NOT_STARTED } else { NO_HEADER };
        let mut slot = CsvSlot {
            header_line,
            ..CsvSlot::default()
        };
        set_direct(plan, &c.columns, &mut slot.direct);
        slot
    }
}

/// [`CsvSlot::direct`] of a column that fills no field.
const NO_FIELD: usize = usize::MAX;

/// Set `direct` ([`CsvSlot::direct`]) for the columns `columns` (the output of each) of
/// `plan`; left empty when a row's values must all be cut before they are decoded, i.e.
/// when templates (`expandFields`) read them or when two columns name one output (the
/// last with a kept value wins: see [`fill`]). Reuses `direct`: a header comes with each input.
fn set_direct(plan: &TextPlan, columns: &[Option<usize>], direct: &mut Vec<usize>) {
    direct.clear();
    // A header that names no output refuses every row (no header): the general way says so.
    let names_one = columns.iter().any(Option::is_some);
    let named_twice = columns
        .iter()
        .enumerate()
        .any(|(i, o)| o.is_some() && columns[..i].contains(o));
    if !plan.expand.is_empty() || !names_one || named_twice {
        return;
    }
    direct.extend(
        columns
            .iter()
            .map(|o| o.and_then(|o| plan.fields[o]).unwrap_or(NO_FIELD)),
    );
}

/// Split `line` into the spans of its values (into `fields`, cleared first). Returns false
/// when they point into `line`; true when a value had to be rewritten and every value was
/// unescaped into `buf` (cleared first), the spans pointing there.
pub(crate) fn split(
    line: &str,
    delimiter: Delimiter,
    fields: &mut Vec<(usize, usize)>,
    buf: &mut String,
) -> bool {
    // A delimiter that is not ASCII (rare) takes the way of the lines with escapes.
    if let Some(byte) = delimiter.byte() {
        if split_in_place(line.as_bytes(), byte, fields) {
            return false;
        }
    }
    unescape(line, delimiter, fields, buf);
    true
}

/// Cut `line` at its delimiters into spans of the line (into `fields`, cleared first),
/// when no value needs rewriting: a quoted value (a quote opens it) is the text between its
/// quotes, up to a quote followed by the delimiter or by the line's end (a value never
/// closed runs to the line's end); a quote anywhere else in an unquoted value is text.
/// False, `fields` left unfinished, when a quoted value holds a quote: an escaped one
/// (`""`) or a quote lazy quotes keep as text (`"a"b"`), for [`unescape`].
///
/// One pass over the positions of the delimiters and quotes ([`Marks`]) rather than a search
/// per value: the values are short, and each search has its own setup.
fn split_in_place(line: &[u8], delimiter: u8, fields: &mut Vec<(usize, usize)>) -> bool {
    fields.clear();
    for cell in Cells::new(line, delimiter) {
        let Ok(span) = cell else {
            return false;
        };
        fields.push(span);
    }
    true
}

/// A quoted value holds a quote: the line's values must be unescaped ([`unescape`]).
#[derive(Debug)]
struct Quote;

/// [`split_in_place`]'s cutting: the span of each value of a line, in order, or [`Quote`]
/// (and nothing after it).
struct Cells<'l> {
    line: &'l [u8],
    delimiter: u8,
    marks: Marks<'l>,
    /// The start of the current value, and whether a quote opened it.
    start: usize,
    quoted: bool,
    /// The delimiter after a closing quote ends that value: it is passed over.
    next: usize,
    done: bool,
}

impl<'l> Cells<'l> {
    fn new(line: &'l [u8], delimiter: u8) -> Cells<'l> {
        Cells {
            line,
            delimiter,
            marks: Marks::new(delimiter, b'"', line),
            start: 0,
            quoted: false,
            next: 0,
            done: false,
        }
    }
}

impl Iterator for Cells<'_> {
    type Item = Result<(usize, usize), Quote>;

    // Inlined into its two loops, its state stays in registers: called once a value, it
    // cost 1,210 instructions a `Bench.VpnSessions` row (15 values), and inlining it took
    // 645 instructions off each row (callgrind).
    #[allow(clippy::inline_always)]
    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        for at in self.marks.by_ref() {
            if at < self.next {
                continue;
            }
            let byte = self.line[at];
            if self.quoted {
                // The delimiter is text inside quotes.
                if byte != b'"' {
                    continue;
                }
                let value = (self.start + 1, at);
                match self.line.get(at + 1) {
                    None => {
                        self.done = true;
                        return Some(Ok(value));
                    }
                    Some(&b) if b == self.delimiter => {
                        self.start = at + 2;
                        self.next = at + 2;
                        self.quoted = false;
                        return Some(Ok(value));
                    }
                    Some(_) => {
                        self.done = true;
                        return Some(Err(Quote));
                    }
                }
            } else if byte == self.delimiter {
                let value = (self.start, at);
                self.start = at + 1;
                return Some(Ok(value));
            } else if at == self.start {
                self.quoted = true;
            }
        }
        self.done = true;
        let end = self.line.len();
        Some(Ok(if self.quoted {
            (self.start + 1, end)
        } else {
            (self.start, end)
        }))
    }
}

/// The column (1-based) of the quote that opens the last value of `line` when no quote
/// closes it (a quote followed by the delimiter or the line's end), as [`unescape`] reads
/// quotes: such a value runs to the end of the line.
fn unclosed_quote(line: &str, delimiter: Delimiter) -> Option<usize> {
    let b = line.as_bytes();
    let mut start = 0;
    loop {
        if b.get(start) != Some(&b'"') {
            start += delimiter.find(b.get(start..)?)? + delimiter.len();
            continue;
        }
        let mut at = start + 1;
        loop {
            let Some(q) = b.get(at..).and_then(|rest| memchr::memchr(b'"', rest)) else {
                return Some(start + 1);
            };
            let q = at + q;
            match b.get(q + 1) {
                None => return None,
                Some(_) if delimiter.starts(&b[q + 1..]) => {
                    start = q + 1 + delimiter.len();
                    break;
                }
                // `""` is an escaped quote; a quote followed by anything else is text.
                Some(b'"') => at = q + 2,
                Some(_) => at = q + 1,
            }
        }
    }
}

/// Split `line` into its values unescaped into `buf` (cleared first), their spans into
/// `fields` (cleared first): every quoting rule, for the lines [`split_in_place`] leaves.
fn unescape(line: &str, delimiter: Delimiter, fields: &mut Vec<(usize, usize)>, buf: &mut String) {
    fields.clear();
    buf.clear();
    // Cutting at the quote and at the delimiter's whole character keeps every slice on a
    // character boundary.
    let mut rest = line;
    'values: loop {
        let start = buf.len();
        if let Some(quoted) = rest.strip_prefix('"') {
            rest = quoted;
            loop {
                let Some(q) = memchr::memchr(b'"', rest.as_bytes()) else {
                    // Never closed: the value runs to the end of the line.
                    buf.push_str(rest);
                    fields.push((start, buf.len()));
                    return;
                };
                buf.push_str(&rest[..q]);
                rest = &rest[q + 1..];
                match rest.as_bytes().first() {
                    None => {
                        fields.push((start, buf.len()));
                        return;
                    }
                    Some(_) if delimiter.starts(rest.as_bytes()) => {
                        rest = &rest[delimiter.len()..];
                        fields.push((start, buf.len()));
                        continue 'values;
                    }
                    Some(b'"') => {
                        buf.push('"');
                        rest = &rest[1..];
                    }
                    // A quote followed by other text is text (lazy quotes).
                    Some(_) => buf.push('"'),
                }
            }
        }
        let Some(at) = delimiter.find(rest.as_bytes()) else {
            buf.push_str(rest);
            fields.push((start, buf.len()));
            return;
        };
        buf.push_str(&rest[..at]);
        rest = &rest[at + delimiter.len()..];
        fields.push((start, buf.len()));
    }
}

/// Split the row `line` into the values of `plan`'s outputs and decode them into a new
/// block of `vals` for `root` (see `text::decode`): values that point into the line reach
/// the event as `M` makes them, unescaped ones are copied. The block's start, or why the row
/// is refused. With `columns`, a row with another number of values is refused
/// ([`Refusal::FieldCount`]) unless `any_count`: then its values beyond the columns are
/// dropped and the missing ones are empty, as in Panther (see the module docs for when).
#[allow(clippy::too_many_arguments)] // the decode step's buffers, and the one option
pub(crate) fn decode<'t, 'a, M: StrMode<'t, 'a>>(
    root: &ObjectPlan,
    plan: &TextPlan,
    c: &CsvPlan,
    slot: &mut TextSlot,
    line: &'t str,
    vals: &mut Vec<Val<'a>>,
    out_text: &mut String,
    any_count: bool,
) -> DecodeResult<usize> {
    if let Some(decoded) = decode_direct::<M>(root, plan, c, slot, line, vals, out_text) {
        return decoded;
    }
    decode_general::<M>(root, plan, c, slot, line, vals, out_text, any_count)
}

/// [`decode`] the general way: every value cut, then the decode step every text parser
/// ends with.
#[allow(clippy::too_many_arguments)] // as `decode`
fn decode_general<'t, 'a, M: StrMode<'t, 'a>>(
    root: &ObjectPlan,
    plan: &TextPlan,
    c: &CsvPlan,
    slot: &mut TextSlot,
    line: &'t str,
    vals: &mut Vec<Val<'a>>,
    out_text: &mut String,
    any_count: bool,
) -> DecodeResult<usize> {
    // Taken out of the slot while the decode step borrows the slot, and put back after.
    let mut unquoted = slot
        .csv
        .as_mut()
        .map(|cs| std::mem::take(&mut cs.unquoted))
        .unwrap_or_default();
    let result = match fill(plan, c, slot, line, &mut unquoted, any_count) {
        Ok(false) => text::decode::<M>(root, plan, slot, line, vals, out_text),
        Ok(true) => text::decode::<Copied>(root, plan, slot, &unquoted, vals, out_text),
        Err(refusal) => Err(Fail::Detail(refusal)),
    };
    if let Some(cs) = slot.csv.as_mut() {
        cs.unquoted = unquoted;
    }
    result
}

/// The usual row, decoded as it is cut: each value, once kept (`trimSpace`,
/// `emptyValues`), goes to its field's decoder at once, without the spans of the row's
/// values and of the outputs' values written and read back (`fill`, then `text::decode`).
/// None, with nothing left behind, when the row needs the general way: the columns do not
/// allow it (see [`set_direct`]), a value must be unescaped, the row has another number
/// of values, or a value is refused (the general way decides which reject to give: the
/// first bad value in the outputs' order, not the columns').
///
/// Every value decoded, the block is the general way's: the same values in the same
/// fields (each output named by one column), so its `required` check gives the same.
fn decode_direct<'t, 'a, M: StrMode<'t, 'a>>(
    root: &ObjectPlan,
    plan: &TextPlan,
    c: &CsvPlan,
    slot: &TextSlot,
    line: &'t str,
    vals: &mut Vec<Val<'a>>,
    out_text: &mut String,
) -> Option<DecodeResult<usize>> {
    let direct = &slot.csv.as_ref()?.direct;
    if direct.is_empty() {
        return None;
    }
    // Rows are cut straight into the fields with an ASCII delimiter (the byte-wise cutting).
    let byte = c.delimiter.byte()?;
    let text_len = out_text.len();
    let start = TapeDecoder::<M>::new(&[], vals, out_text, true).open(root);
    let mut columns = direct.iter();
    let mut complete = true;
    for cell in Cells::new(line.as_bytes(), byte) {
        let (Ok((from, to)), Some(&field)) = (cell, columns.next()) else {
            complete = false;
            break;
        };
        if field == NO_FIELD {
            continue;
        }
        let Some((from, to)) = keep(plan, line, from, to) else {
            continue;
        };
        let (Some(plan_field), Some(value)) = (root.fields.get(field), line.get(from..to)) else {
            complete = false;
            break;
        };
        let Some(slot) = vals.get_mut(start + field) else {
            complete = false;
            break;
        };
        if fast_str::<M>(&plan_field.value, value, out_text, slot) {
            continue;
        }
        let node = [Node::String(value)];
        let mut decoder = TapeDecoder::<M>::new(&node, vals, out_text, false);
        if decoder.flat_field(root, start, field, 0).is_err() {
            complete = false;
            break;
        }
    }
    if !complete || columns.next().is_some() {
        vals.truncate(start);
        out_text.truncate(text_len);
        return None;
    }
    Some(TapeDecoder::<M>::new(&[], vals, out_text, true).close(root, start))
}

/// Split the row into `slot.vals` (trimmed, empty values left out); true when the spans
/// point into `unquoted` rather than `line`. `any_count`: see [`decode`].
fn fill(
    plan: &TextPlan,
    c: &CsvPlan,
    slot: &mut TextSlot,
    line: &str,
    unquoted: &mut String,
    any_count: bool,
) -> Result<bool, Refusal> {
    let TextSlot {
        vals, csv, firsts, ..
    } = slot;
    let Some(cs) = csv.as_mut() else {
        return Err(Refusal::NoHeader { line: None });
    };
    let quoted = split(line, c.delimiter, &mut cs.fields, unquoted);
    let text: &str = if quoted { unquoted } else { line };
    let (columns, header_line): (&[Option<usize>], Option<u64>) = if c.columns.is_empty() {
        if !cs.header_ok {
            let line = cs.header_line;
            if line == NOT_STARTED {
                return Err(Refusal::HeaderNotGiven);
            }
            return Err(Refusal::NoHeader {
                line: (line != WAITING && line != NO_HEADER).then_some(line),
            });
        }
        (&cs.header, Some(cs.header_line))
    } else {
        (&c.columns, None)
    };
    // Panther's reader is given the header's count of values, which it then holds every
    // row to; with `columns` it zips each row with them, whatever its count.
    if cs.fields.len() != columns.len() && (header_line.is_some() || !any_count) {
        return Err(Refusal::FieldCount {
            found: cs.fields.len(),
            expected: columns.len(),
            header_line,
            open_quote: unclosed_quote(line, c.delimiter),
        });
    }
    vals.fill(None);
    firsts.clear();
    // Of two columns naming an output, the field gets the last kept value and templates the
    // first, as in Panther (the reference's `OSS:LP/preprocessors/csv.go` and `text.go`):
    // the row becomes name/value pairs, values dropped pair by pair (`emptyValues`), a
    // template reads the first pair of its name, and the pairs are written as one JSON
    // object whose repeated key decodes as the last, as a repeated JSON key does here.
    for (i, column) in columns.iter().enumerate() {
        if let Some(output) = *column {
            // A value the row lacks is empty, as Panther's `zipFields` makes it (and goes
            // through `trimSpace` and `emptyValues` as any value); values beyond the
            // columns are never read.
            let (start, end) = cs.fields.get(i).copied().unwrap_or((0, 0));
            if let Some(span) = keep(plan, text, start, end) {
                if let Some(first) = vals[output] {
                    if !plan.expand.is_empty() && !firsts.iter().any(|(o, _)| *o == output) {
                        firsts.push((output, first));
                    }
                }
                vals[output] = Some(span);
            }
        }
    }
    Ok(quoted)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod direct_tests;
