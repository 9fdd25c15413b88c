//! The header of an input, for a CSV plan with `hasHeader`: waiting for it, which line it
//! is, and the output each of its columns names (see the parent module's docs).

use super::{set_direct, split, CsvSlot};
use crate::compile::text::{CsvPlan, TextPlan};
use crate::parse::skip::HEAD_BYTES;
use crate::parse::text::TextSlot;

/// [`CsvSlot::header_line`] of a plan with `hasHeader` before its input's header has come.
pub(super) const WAITING: u64 = u64::MAX;
/// [`CsvSlot::header_line`] of an input without a header line, or of a plan without `hasHeader`.
pub(super) const NO_HEADER: u64 = 0;
/// `header_line` before any input started (no line 1, no `start_input`): `HeaderNotGiven`.
pub(super) const NOT_STARTED: u64 = u64::MAX - 1;

/// A new input starts, its line 1 at byte `origin`: a plan with `hasHeader` waits for its
/// header line.
pub(crate) fn start_input(plan: &TextPlan, slot: &mut TextSlot, origin: u64) {
    if let (Some(c), Some(cs)) = (&plan.csv, &mut slot.csv) {
        if c.has_header {
            cs.origin = origin;
            cs.header.clear();
            cs.header_ok = false;
            cs.header_line = WAITING;
            if c.columns.is_empty() {
                cs.direct.clear();
            }
        }
    }
}

/// Whether the plan of `slot` waits for the current input's header line.
pub(crate) fn waits_for_header(slot: &TextSlot) -> bool {
    slot.csv
        .as_ref()
        .is_some_and(|cs| cs.header_line == WAITING)
}

/// The input's first lines, given by a caller that starts in its middle, were all read and
/// none was the header: the plan stops waiting (its rows are refused: no header).
pub(crate) fn no_header_yet(slot: &mut TextSlot) {
    if let Some(cs) = slot.csv.as_mut().filter(|cs| cs.header_line == WAITING) {
        cs.header_line = NO_HEADER;
    }
}

/// Whether line `line_no` of the current input is the header a plan (`c`, its slot `cs`)
/// took, to be consumed: its names were read, or `columns` name the values.
fn took_header(c: &CsvPlan, cs: &CsvSlot, line_no: u64) -> bool {
    // Line 0 is a record whose line is not known (`Position::default()`): never a header,
    // even when no input has started (NO_HEADER is 0 too).
    cs.header_line != NO_HEADER
        && cs.header_line != WAITING
        && cs.header_line == line_no
        && (cs.header_ok || !c.columns.is_empty())
}

/// [`took_header`] for the plan of `slot`, if it reads a header.
pub(crate) fn is_header_line(plan: &TextPlan, slot: &TextSlot, line_no: u64) -> bool {
    match (&plan.csv, &slot.csv) {
        (Some(c), Some(cs)) => c.has_header && took_header(c, cs, line_no),
        _ => false,
    }
}

/// Offer line `line_no` of the input (`line`, without its line end) to a plan with
/// `hasHeader`; returns whether it is the input's header, to be consumed. The first line
/// the plan does not skip (lines that start with `skipPrefix`, blank lines) is the header
/// line, whatever it holds, as Panther skips the first line when `columns` are given and
/// reads the names from it when not. Without `columns` its values name the output each
/// column fills; a header that names none is not this log type's, and neither are the
/// input's rows: they are refused (no header), so that another log type may read them.
/// Such a line is not consumed either: it is refused as its rows are (it was dropped
/// without a word, and with it the first row of a file that has no header line). A header
/// that is consumed goes as a skipped line does: to a log type that reads it, if one does.
pub(crate) fn offer_header(
    plan: &TextPlan,
    slot: &mut TextSlot,
    line: &str,
    (line_no, byte): (u64, u64),
) -> bool {
    let (Some(c), Some(cs)) = (&plan.csv, &mut slot.csv) else {
        return false;
    };
    if !c.has_header {
        return false;
    }
    if cs.header_line != WAITING {
        return took_header(c, cs, line_no);
    }
    // `parser: csv` has no `skipLines`: only a `skipPrefix` skips a line before the header.
    let skipped = plan.skips_prefix(line) || line.trim().is_empty();
    if skipped {
        return false;
    }
    let end = byte.saturating_sub(cs.origin) + line.len() as u64 + 1;
    if end > HEAD_BYTES as u64 && c.columns.is_empty() {
        // The header of every chunk of a batch run is read from the input's first bytes,
        // up to this much: a header that ends past them named the columns of the first
        // chunk's rows alone (review s48-h4 MEDIUM-2, s48-h5 MEDIUM-1). None is, and the
        // rows, this line among them, are refused. (With `columns` the line is consumed
        // whatever it holds, as any header.)
        cs.header_line = NO_HEADER;
        return false;
    }
    cs.header_line = line_no;
    if !c.columns.is_empty() {
        // `columns` name the values: the header's own names are not read.
        return true;
    }
    let CsvSlot {
        header,
        header_ok,
        fields,
        unquoted,
        direct,
        ..
    } = cs;
    let text: &str = if split(line, c.delimiter, fields, unquoted) {
        unquoted
    } else {
        line
    };
    header.extend(fields.iter().map(|&(s, e)| {
        let name = if plan.trim_space {
            text[s..e].trim()
        } else {
            &text[s..e]
        };
        plan.outputs.iter().position(|o| **o == *name)
    }));
    *header_ok = header.iter().any(Option::is_some);
    set_direct(plan, header, direct);
    *header_ok
}
