//! Lines a text log type consumes without an event, and where an input starts.
//!
//! A text log type skips the first `skipLines` lines of each input that are not blank,
//! lines that start with its `skipPrefix`, and (`parser: csv` with `hasHeader`) its
//! header, the first other line. Blank lines do not count, as in Panther, whose classifier
//! drops them before any parser (and its count of `skipLines`) sees them. A skipped line is
//! neither an event nor a reject, like a blank line; it is skipped only when no other log
//! type of the run reads it, so that classification among several log types still works.
//!
//! Where an input starts is told by the record's [`Position`]: line 1 is an input's first
//! line, and `record` counts the records before it in the input (blank lines take none).
//! Every entry point that frames input stamps both (the [`StreamNormalizer`](super::StreamNormalizer),
//! the schema test runner); a caller of [`Normalizer::normalize_bytes`] gives them. A CSV
//! log type with a header starts waiting for it when line 1 comes by, and takes it from the
//! input's first lines ([`Normalizer::start_input`]) when a caller starts in the middle of
//! an input. The batch pipeline's workers do, for every chunk, whose records they number
//! from the chunk's start: the reader tells them where the input's first lines that are
//! not blank are ([`Normalizer::first_lines_at`]), and the first `skipLines` are those.

use super::csv;
use super::text::TextSlot;
use super::Normalizer;
use crate::compile::text::TextPlan;
use crate::error::Position;

/// How much of an input's start is searched for a CSV header, which may follow comment and
/// blank lines: 64 KiB missed the header of an export after 2,000 comment lines, and a
/// header of thousands of columns. It bounds a header line too, which the record limit
/// (`--max-record-bytes`) does not: a header names columns, it is not a record.
pub(crate) const HEAD_BYTES: usize = 1 << 20;

/// Whether `plan` consumes `line` (at `pos`) without an event: the first `skipLines`
/// lines of the input that are not blank, lines that start with `skipPrefix`, and a CSV
/// header (the first other line of the input; see [`csv::offer_header`]).
pub(super) fn skips(plan: &TextPlan, slot: &mut TextSlot, line: &str, pos: Position) -> bool {
    among_first_lines(plan, slot.first_lines, pos)
        || plan.skips_prefix(line)
        || csv::offer_header(plan, slot, line, (pos.line, pos.byte))
}

/// How the normalizer tells the first `skipLines` lines of the current input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum FirstLines {
    /// The first `skipLines` records, as [`Position::record`] numbers them in the input.
    #[default]
    ByRecord,
    /// Lines 1 to this one: the batch pipeline's reader told where they end
    /// ([`Normalizer::first_lines_at`]).
    Through(u64),
}

/// Whether the record at `pos` is one of the first `skipLines` lines of its input that are
/// not blank. A record whose line is not known (0) never is.
fn among_first_lines(plan: &TextPlan, first: FirstLines, pos: Position) -> bool {
    plan.skip_lines > 0
        && pos.line != 0
        && match first {
            FirstLines::ByRecord => pos.record < plan.skip_lines,
            FirstLines::Through(last) => pos.line <= last,
        }
}

/// The lines of `head`, without their `\n` (a last line need not end with one).
fn head_lines(head: &[u8]) -> impl Iterator<Item = &[u8]> {
    head.strip_suffix(b"\n")
        .unwrap_or(head)
        .split(|&b| b == b'\n')
        .take_while(move |_| !head.is_empty())
}

impl Normalizer {
    /// Whether a CSV log type reads a header line. It learns it from an input's first
    /// record, which the records of a JSON document from its middle do not show it: such a
    /// run sends a document whole to one worker (see `pipeline::chunker::document`).
    pub(crate) fn reads_headers(&self) -> bool {
        self.plans[self.n_json..].iter().any(|p| {
            p.text
                .as_ref()
                .and_then(|t| t.csv.as_ref())
                .is_some_and(|c| c.has_header)
        })
    }

    /// The `skipLines` of the text log types, each once, smallest first (none of 0): the
    /// batch pipeline's reader notes where each input's first that many lines that are not
    /// blank end ([`Self::first_lines_at`]).
    pub(crate) fn skip_lines(&self) -> Vec<u64> {
        let mut skips: Vec<u64> = self.plans[self.n_json..]
            .iter()
            .filter_map(|p| p.text.as_ref().map(|t| t.skip_lines))
            .filter(|&s| s > 0)
            .collect();
        skips.sort_unstable();
        skips.dedup();
        skips
    }

    /// Say where the current input's first lines that are not blank end: `(n, line)` for
    /// each `n` of [`Self::skip_lines`] known up to the end of the records that follow. A
    /// text log type skips lines 1 to the end of its first `skipLines`, or every line when
    /// that end is not known yet (all of them are among its first). For the batch
    /// pipeline's chunks, which number their records from the chunk's start, after
    /// [`Self::start_input`]; until [`Self::first_lines_by_record`].
    pub(crate) fn first_lines_at(&mut self, ends: &[(u64, u64)]) {
        for (plan, slot) in self.plans[self.n_json..].iter().zip(&mut self.text_slots) {
            let Some(skip) = plan.text.as_ref().map(|t| t.skip_lines).filter(|&s| s > 0) else {
                continue;
            };
            let last = ends
                .iter()
                .find(|(n, _)| *n == skip)
                .map_or(u64::MAX, |&(_, line)| line);
            slot.first_lines = FirstLines::Through(last);
        }
    }

    /// Tell the first `skipLines` lines by [`Position::record`] again, as in-order callers
    /// number the records of an input from its start.
    pub(crate) fn first_lines_by_record(&mut self) {
        for slot in &mut self.text_slots {
            slot.first_lines = FirstLines::ByRecord;
        }
    }

    /// Say that the records that follow come from the middle of an input that starts with
    /// `head`: its first line (without its line end; `None` when it is blank or unknown), or
    /// its first lines (each ended by `\n`, the last one whole too). Only CSV log types with
    /// `hasHeader` use it: they take the first line they do not skip (`skipLines`,
    /// `skipPrefix`, blank lines) as the input's header, and without `columns` read their
    /// column names from it; when `head` holds no such line, the input's rows are refused
    /// (no header). Records at line 1 start an input by themselves, so a caller that
    /// normalizes each input from its start needs not call this.
    pub fn start_input(&mut self, head: Option<&[u8]>) {
        let head = head.unwrap_or_default();
        for (plan, slot) in self.plans[self.n_json..].iter().zip(&mut self.text_slots) {
            if let Some(tp) = &plan.text {
                // Bytes are counted from the head's start on.
                csv::start_input(tp, slot, 0);
                slot.first_lines = FirstLines::ByRecord;
            }
        }
        let mut lines = head_lines(head);
        let mut at = 0;
        // Read only as far as a log type waits for its header (usually line 1; for JSON log
        // types alone, not at all: not even to the end of line 1, which may be an API page
        // of megabytes that every part of it would look through).
        for line_no in 1.. {
            if !self.text_slots.iter().any(csv::waits_for_header) {
                break;
            }
            let Some(line) = lines.next() else {
                break;
            };
            let byte = at;
            at += line.len() as u64 + 1;
            let line = as_text(line.strip_suffix(b"\r").unwrap_or(line));
            if line.trim().is_empty() {
                continue;
            }
            self.offer_headers(&line, (line_no, byte));
        }
        for slot in &mut self.text_slots {
            csv::no_header_yet(slot);
        }
    }

    /// Whether line `line_no` of the current input may be a CSV header still: a log type
    /// reads one, and this is line 1 or one waits for its header. Such a line may be
    /// longer than the record limit, up to [`HEAD_BYTES`].
    pub(crate) fn may_take_header(&self, line_no: u64) -> bool {
        line_no != 0
            && self.reads_headers()
            && (line_no == 1 || self.text_slots.iter().any(csv::waits_for_header))
    }

    /// A line over the record limit, at `pos`: whether it is the input's CSV header, which
    /// a log type with `hasHeader` takes (and consumes) rather than it being refused as
    /// too long; the index of that log type's plan. A header names the columns of the rows
    /// that follow: refused, it was still read as the header from the input's first lines
    /// by the batch runs (review s47-h2 LOW-1), and a replay of the rejects fed it back as
    /// a record.
    pub(crate) fn long_header(&mut self, line: &[u8], pos: Position) -> Option<usize> {
        if pos.line == 0 || line.len() > HEAD_BYTES || !self.reads_headers() {
            return None;
        }
        // A batch run's worker took the header from the input's first lines already
        // (`start_input`); an in-order caller offers it here.
        if pos.line == 1 {
            self.first_line(line, pos.byte);
        } else if self.text_slots.iter().any(csv::waits_for_header) {
            self.offer_headers(&as_text(line), (pos.line, pos.byte));
        }
        self.plans[self.n_json..]
            .iter()
            .zip(&self.text_slots)
            .position(|(plan, slot)| {
                plan.text
                    .as_ref()
                    .is_some_and(|tp| csv::is_header_line(tp, slot, pos.line))
            })
            .map(|i| self.n_json + i)
    }

    /// Line 1 of an input, at byte `byte`, in the order its records come: every CSV log
    /// type with `hasHeader` starts waiting for the input's header, which may be this line.
    pub(super) fn first_line(&mut self, line: &[u8], byte: u64) {
        self.blank_first_line(byte);
        self.offer_headers(&as_text(line), (1, byte));
    }

    /// Line 1 of an input is blank: every CSV log type with `hasHeader` starts waiting for
    /// the input's header, a later line. For an in-order caller that sees every line, as
    /// the [`StreamNormalizer`](super::StreamNormalizer) (a blank line is no record: the
    /// header after it was not looked for, and every row was refused).
    pub(crate) fn blank_first_line(&mut self, byte: u64) {
        for (plan, slot) in self.plans[self.n_json..].iter().zip(&mut self.text_slots) {
            if let Some(tp) = &plan.text {
                csv::start_input(tp, slot, byte);
            }
        }
    }

    /// Offer line `line_no`, at byte `byte`, to every CSV log type waiting for its header,
    /// trimmed as every text line is (`mixed.rs`).
    fn offer_headers(&mut self, line: &str, at: (u64, u64)) {
        for (plan, slot) in self.plans[self.n_json..].iter().zip(&mut self.text_slots) {
            if let Some(tp) = &plan.text {
                csv::offer_header(tp, slot, line.trim(), at);
            }
        }
    }
}

/// A line as the text log types read it: bytes that are not UTF-8 as U+FFFD (`mixed.rs`).
fn as_text(line: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(line) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => std::borrow::Cow::Owned(crate::encoding::lossy_as_go(line)),
    }
}
