//! The JSON log types a record is tried with, in order: the one that accepted the record
//! before it first, then the others in the order they were loaded ("the last successful
//! one tried first", as Panther's classifier does); and what the parallel pipeline needs
//! to keep that rule when chunks of one input are normalized on several threads
//! ([`Start`]).
//!
//! Why: a record that two log types accept goes to the one that took the record before
//! it, and with several workers that record is in another chunk, normalized by another
//! worker. Each worker starts a chunk from its own last log type and notes whether that
//! mattered: it did not when the chunk's first accepted record is accepted by one log type
//! alone, since from there on every start leads to the same events. The ordered writer
//! normalizes again, from the right start, the chunk whose guessed start mattered and was
//! wrong, so the output is the same whatever the number of threads.

use simd_json::Node;

use super::tape::{Borrowed, Fail, TapeDecoder};
use super::Normalizer;
use crate::error::{Error, ErrorKind, Position};
use crate::event::Val;

/// How the log types of a chunk's events depend on the log type its first record was tried
/// with first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Start {
    /// The log type (index) tried first for the chunk's first record.
    pub(crate) from: usize,
    /// The log type tried first after the chunk's last record.
    pub(crate) to: usize,
    /// `None`: no record of the chunk was accepted (the start passes through to the next
    /// chunk). `Some(true)`: the first record accepted was accepted by one log type alone,
    /// so the chunk's events are the same from any start; `Some(false)`: by several.
    first_alone: Option<bool>,
}

impl Start {
    /// If the chunk's events are those it would have from the start `state` (the log type
    /// the record before it left): the state after the chunk; `None` if it must be
    /// normalized again from `state`.
    pub(crate) fn state_after(&self, state: usize) -> Option<usize> {
        match self.first_alone {
            None => Some(state),
            Some(true) => Some(self.to),
            Some(false) => (self.from == state).then_some(self.to),
        }
    }
}

impl Normalizer {
    /// Start a chunk of records: from here to [`end_chunk`](Self::end_chunk), note whether
    /// its events depend on the log type tried first for its first record. Nothing to note
    /// with one JSON log type.
    pub(crate) fn begin_chunk(&mut self) {
        self.start = (self.n_json > 1).then_some(Start {
            from: self.last,
            to: self.last,
            first_alone: None,
        });
    }

    /// End a chunk begun with [`begin_chunk`](Self::begin_chunk): how its events depended
    /// on its start (`None` with one JSON log type: not at all).
    pub(crate) fn end_chunk(&mut self) -> Option<Start> {
        self.start.take().map(|s| Start { to: self.last, ..s })
    }

    /// A new input starts: its first record is tried with the log types in the order they
    /// were loaded, as Panther's classifier, made anew for each file, tries them. The log
    /// type the input before left was tried first, so a record that two log types accept
    /// went to one or the other by where the files began, and a Spark job (file by file)
    /// put it elsewhere than the command line (review s48-h3 HIGH-1).
    pub(crate) fn new_input(&mut self) {
        self.last = 0;
    }

    /// Try the next record with the log type of index `state` first (what the record
    /// before it left, in another normalizer).
    pub(crate) fn start_from(&mut self, state: usize) {
        if state < self.n_json {
            self.last = state;
        }
    }

    /// Decode the record (an object) into `vals` with each candidate plan, the last
    /// successful one first, and return the index of the first plan that accepts it.
    pub(super) fn try_candidates<'l>(
        &mut self,
        tape: &[Node<'l>],
        vals: &mut Vec<Val<'l>>,
        pos: Position,
    ) -> Result<usize, Error> {
        let n = self.n_json;
        if let Some(c) = &self.classifier {
            c.scan(tape, &mut self.scan);
        }
        if self.start.is_some_and(|s| s.first_alone.is_none()) {
            self.note_first_accepted(tape, vals);
        }
        for attempt in 0..n {
            // The last successful type first, then the others in order.
            let pi = match attempt {
                0 => self.last,
                a if a <= self.last => a - 1,
                a => a,
            };
            match self.decode_as(tape, vals, pi) {
                None => {}
                Some(Ok(())) => {
                    self.last = pi;
                    return Ok(pi);
                }
                Some(Err(Fail::Detail(refusal))) if n == 1 => {
                    return Err(Error::new(ErrorKind::Rejected {
                        pos,
                        log_type: self.plans[pi].log_type.clone(),
                        refusal,
                    }));
                }
                Some(Err(_)) => {}
            }
        }
        Err(self.explain_refusals(tape, vals, pos))
    }

    /// For the first record of a chunk that a log type accepts: whether another accepts it
    /// too (each candidate decodes it; once per chunk).
    #[cold]
    fn note_first_accepted<'l>(&mut self, tape: &[Node<'l>], vals: &mut Vec<Val<'l>>) {
        let mut accepted = 0;
        for pi in 0..self.n_json {
            if let Some(Ok(())) = self.decode_as(tape, vals, pi) {
                accepted += 1;
                if accepted > 1 {
                    break;
                }
            }
        }
        if let (Some(start), true) = (&mut self.start, accepted > 0) {
            start.first_alone = Some(accepted == 1);
        }
    }

    /// Decode the record into `vals` with plan `pi`: `None` if the classifier's scan rules
    /// the plan out without decoding.
    #[inline]
    fn decode_as<'l>(
        &mut self,
        tape: &[Node<'l>],
        vals: &mut Vec<Val<'l>>,
        pi: usize,
    ) -> Option<Result<(), Fail>> {
        self.wants_literals = false;
        let memo = match &self.classifier {
            Some(c) if !c.candidate(&self.scan, pi) => return None,
            Some(c) => Some(c.memo(&self.scan, pi)),
            None => None,
        };
        vals.clear();
        self.text.clear();
        let mut dec = TapeDecoder::<Borrowed>::new(tape, vals, &mut self.text, self.n_json == 1);
        if self.literals_read {
            dec = dec.with_literals(&self.literals);
        }
        let decoded = match memo {
            Some(memo) => dec.object_known(&self.plans[pi].root, memo),
            None => dec.object(&self.plans[pi].root, 0),
        };
        self.wants_literals = dec.wants_literals;
        Some(decoded.map(|_| ()))
    }
}
