//! The decoder's rare cases, kept out of the way of its loops: a string that holds JSON
//! (`isEmbeddedJSON`), and a number beyond a float's range (`overflow.rs`).

use simd_json::{Node, StaticNode};

use super::refusals::{bad_embedded, number_text, problem, wrong};
use super::{text_val, Copied, DecodeResult, StrMode, TapeDecoder};
use crate::compile::{Decoder, ValuePlan};
use crate::error::ValueProblem;
use crate::event::Val;
use crate::json::text_may_differ;
use crate::parse::literals::Literals;
use crate::parse::overflow::neutralize;

impl<'v, 'a, M: StrMode<'v, 'a>> TapeDecoder<'_, 'v, 'a, M> {
    /// A number beyond a float's range (`overflow.rs`; `node` is the zero written in its
    /// place, `text` the number as written): its text in a string or `json` value, as
    /// Panther keeps it; out of range where it would be decoded as a number.
    #[cold]
    pub(super) fn overflowed(
        &mut self,
        plan: &ValuePlan,
        node: Node<'v>,
        text: Option<&str>,
    ) -> DecodeResult<Val<'a>> {
        match (&plan.decoder, text) {
            (Decoder::String | Decoder::Json, Some(text)) => {
                let start = self.text.len();
                self.text.push_str(text);
                Ok(match plan.decoder {
                    Decoder::Json => Val::Json {
                        #[allow(clippy::cast_possible_truncation)]
                        start: start as u32,
                        #[allow(clippy::cast_possible_truncation)]
                        end: self.text.len() as u32,
                    },
                    _ => text_val(start, self.text.len()),
                })
            }
            (
                Decoder::Float
                | Decoder::Int16
                | Decoder::Int32
                | Decoder::Int64
                | Decoder::Timestamp { .. }
                | Decoder::String
                | Decoder::Json,
                _,
            ) => Err(self.fail(|| problem(ValueProblem::OutOfRange, text.map(number_text)))),
            _ => Err(self.fail(|| wrong(plan, &node))),
        }
    }

    /// `isEmbeddedJSON`: the string holds JSON; parse it and decode the result. The copy and
    /// the new tape allocate, but only for such fields.
    pub(super) fn embedded(&mut self, plan: &ValuePlan, s: &str) -> DecodeResult<Val<'a>> {
        if s.is_empty() {
            return Ok(Val::Absent);
        }
        let mut buf = s.as_bytes().to_vec();
        let mut buffers = simd_json::Buffers::new(buf.len());
        let mut tape = simd_json::Tape(Vec::new());
        let mut starts = Vec::new();
        if simd_json::fill_tape(&mut buf, &mut buffers, &mut tape).is_err() {
            // Numbers beyond a float's range are written over, and read as written.
            tape = tape.reset();
            if !neutralize(s.as_bytes(), &mut buf, &mut starts)
                || simd_json::fill_tape(&mut buf, &mut buffers, &mut tape).is_err()
            {
                return Err(self.fail(|| bad_embedded(s)));
            }
        }
        // The string is the embedded record untouched: its floats' texts are at hand.
        let mut literals = Literals::default();
        if tape
            .0
            .iter()
            .any(|n| matches!(n, Node::Static(n) if text_may_differ(*n)))
        {
            let aligned =
                literals.read(&tape.0, s.as_bytes(), buffers.structural_indexes(), &starts);
            // Without their texts, the numbers written over would pass for zeros.
            if !aligned && !starts.is_empty() {
                return Err(self.fail(|| bad_embedded(s)));
            }
        }
        let mut sub = TapeDecoder::<Copied>::new(&tape.0, self.vals, self.text, self.detail)
            .with_literals(&literals);
        match tape.0[0] {
            Node::Static(StaticNode::Null) => Ok(Val::Absent),
            node => sub.decode(plan, node, 0),
        }
    }
}
