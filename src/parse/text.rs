//! Text lines → the flat JSON object of string values Panther's text parsers produce, which
//! the normalizer then decodes like any JSON record (same plan, decoders, indicators, event
//! time). The order of operations is Panther's: match (or split, for CSV: `csv.rs`), trim
//! (`trimSpace`), drop (`emptyValues`), then `expandFields`. Lines a log type skips
//! (`skipLines`, `skipPrefix`, a CSV header) never get here (`skip.rs`).
//!
//! Every buffer is reused: the capture locations per pattern, the value spans, the template
//! scratch and the JSON output.

use regex::CaptureLocations;

use super::csv::CsvSlot;
use crate::compile::text::{Piece, TextPlan};
use crate::json::write_json_str;

/// The reused state of one text plan in one normalizer.
pub(crate) struct TextSlot {
    locs: Box<[CaptureLocations]>,
    /// The span of each output's value in the line (after trimming), or none.
    pub(super) vals: Vec<Option<(usize, usize)>>,
    scratch: String,
    /// The state of a `parser: csv` plan.
    pub(super) csv: Option<CsvSlot>,
}

impl TextSlot {
    pub(crate) fn new(plan: &TextPlan) -> TextSlot {
        TextSlot {
            locs: plan
                .regexes
                .iter()
                .map(regex::Regex::capture_locations)
                .collect(),
            vals: vec![None; plan.outputs.len()],
            scratch: String::new(),
            csv: plan.csv.as_ref().map(|_| CsvSlot::default()),
        }
    }
}

/// Match `line` with `plan`; on a match, write the JSON object into `out` (cleared first)
/// followed by `padding` spaces, and return the object's length.
pub(crate) fn to_json(
    plan: &TextPlan,
    slot: &mut TextSlot,
    line: &str,
    out: &mut Vec<u8>,
    padding: usize,
) -> Option<usize> {
    let matched = plan
        .regexes
        .iter()
        .zip(slot.locs.iter_mut())
        .position(|(re, locs)| re.captures_read(locs, line).is_some())?;
    let locs = &slot.locs[matched];
    slot.vals.fill(None);
    for &(group, output) in &*plan.groups[matched] {
        if slot.vals[output].is_some() {
            continue;
        }
        let Some((start, end)) = locs.get(group) else {
            continue;
        };
        slot.vals[output] = keep(plan, line, start, end);
    }
    Some(emit(plan, slot, line, out, padding))
}

/// `trimSpace` and `emptyValues` applied to the value `line[start..end]`: its span, or none
/// when it is one of the empty values.
#[inline]
pub(crate) fn keep(
    plan: &TextPlan,
    line: &str,
    mut start: usize,
    mut end: usize,
) -> Option<(usize, usize)> {
    if plan.trim_space {
        let value = &line[start..end];
        let trimmed = value.trim_start();
        start += value.len() - trimmed.len();
        end = start + trimmed.trim_end().len();
    }
    if plan.empty_values.iter().any(|e| **e == line[start..end]) {
        return None;
    }
    Some((start, end))
}

/// The step every text parser ends with: `slot.vals` holds the span in `line` of each
/// output's value (trimmed, empty values left out); write the JSON object of the values and
/// the `expandFields` templates into `out` (cleared first) followed by `padding` spaces, and
/// return the object's length.
pub(crate) fn emit(
    plan: &TextPlan,
    slot: &mut TextSlot,
    line: &str,
    out: &mut Vec<u8>,
    padding: usize,
) -> usize {
    out.clear();
    out.push(b'{');
    let mut first = true;
    let mut key = |out: &mut Vec<u8>, name: &str| {
        if !std::mem::take(&mut first) {
            out.push(b',');
        }
        write_json_str(out, name);
        out.push(b':');
    };
    for (output, name) in plan.outputs.iter().enumerate() {
        if plan.expand.iter().any(|(o, _)| *o == output) {
            continue;
        }
        if let Some((start, end)) = slot.vals[output] {
            key(out, name);
            write_json_str(out, &line[start..end]);
        }
    }
    for (output, pieces) in &*plan.expand {
        slot.scratch.clear();
        for piece in &**pieces {
            match piece {
                Piece::Text(t) => slot.scratch.push_str(t),
                Piece::Value(v) => {
                    if let Some((start, end)) = slot.vals[*v] {
                        slot.scratch.push_str(&line[start..end]);
                    }
                }
            }
        }
        key(out, &plan.outputs[*output]);
        write_json_str(out, &slot.scratch);
    }
    out.push(b'}');
    let len = out.len();
    out.resize(len + padding, b' ');
    len
}
