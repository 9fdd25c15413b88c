//! Text lines → the flat JSON object of string values Panther's text parsers produce, which
//! the normalizer then decodes like any JSON record (same plan, decoders, indicators, event
//! time). The order of operations is Panther's: match (after `skipPrefix` is cut off), trim
//! (`trimSpace`), drop (`emptyValues`), then `expandFields`.
//!
//! Every buffer is reused: the capture locations per pattern, the value spans, the template
//! scratch and the JSON output.

use regex::CaptureLocations;

use crate::compile::text::{Piece, TextPlan};
use crate::json::write_json_str;

/// The reused state of one text plan in one normalizer.
pub(crate) struct TextSlot {
    locs: Box<[CaptureLocations]>,
    /// The span of each output's value in the line (after trimming), or none.
    vals: Vec<Option<(usize, usize)>>,
    scratch: String,
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
    let line = match &plan.skip_prefix {
        Some(prefix) => line.strip_prefix(&**prefix).unwrap_or(line),
        None => line,
    };
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
        let Some((mut start, mut end)) = locs.get(group) else {
            continue;
        };
        if plan.trim_space {
            let value = &line[start..end];
            let trimmed = value.trim_start();
            start += value.len() - trimmed.len();
            end = start + trimmed.trim_end().len();
        }
        if plan.empty_values.iter().any(|e| **e == line[start..end]) {
            continue;
        }
        slot.vals[output] = Some((start, end));
    }
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
    Some(len)
}
