//! Lines a text log type consumes without an event, and where an input starts.
//!
//! A text log type skips lines 1 to `skipLines` of each input, lines that start with its
//! `skipPrefix`, and (`parser: csv` with `hasHeader`) its header, line 1. A skipped line is
//! neither an event nor a reject, like a blank line; it is skipped only when no other log
//! type of the run reads it, so that classification among several log types still works.
//!
//! Where an input starts is told by the record's [`Position`]: line 1 is an input's first
//! line. Every entry point that frames input stamps it (the batch pipeline, the
//! [`StreamNormalizer`](super::StreamNormalizer), the schema test runner); a caller of
//! [`Normalizer::normalize_bytes`] gives it. A CSV log type that takes its column names from
//! the header learns them when line 1 comes by, or from [`Normalizer::start_input`] when a
//! caller starts in the middle of an input (the pipeline's workers do, for every chunk).

use super::csv;
use super::text::TextSlot;
use super::Normalizer;
use crate::compile::text::TextPlan;
use crate::error::Position;

/// Whether `plan` consumes `line` (at `pos`) without an event. CSV headers must have been
/// learned from line 1 before (see [`Normalizer::learn_headers`]).
pub(super) fn skips(plan: &TextPlan, slot: &mut TextSlot, line: &str, pos: Position) -> bool {
    if (1..=plan.skip_lines).contains(&pos.line) {
        return true;
    }
    if plan
        .skip_prefix
        .as_deref()
        .is_some_and(|p| line.starts_with(p))
    {
        return true;
    }
    pos.line == 1 && csv::is_header(plan, slot, line)
}

impl Normalizer {
    /// Say that the records that follow come from the middle of an input whose first line
    /// is `first_line` (without its line end; `None` when it is blank or unknown). Only CSV
    /// log types that take their column names from a header (`hasHeader` without `columns`)
    /// use it: they read the names from it. Records at line 1 do the same by themselves, so
    /// a caller that normalizes each input from its start needs not call this.
    pub fn start_input(&mut self, first_line: Option<&[u8]>) {
        self.learn_headers(first_line);
    }

    /// Every CSV log type with a header learns the current input's columns from its first
    /// line.
    pub(super) fn learn_headers(&mut self, first_line: Option<&[u8]>) {
        let line = first_line.and_then(|l| std::str::from_utf8(l).ok());
        for (plan, slot) in self.plans[self.n_json..].iter().zip(&mut self.text_slots) {
            if let Some(tp) = &plan.text {
                csv::learn_header(tp, slot, line);
            }
        }
    }
}
