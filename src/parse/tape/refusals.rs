//! The refusals the tape decoder builds when a value does not fit its field: cold paths,
//! kept out of the decoder's way (a refusal is only detailed on the second, explaining
//! pass over a rejected record).

use simd_json::Node;

use super::{json_type, Fail, StrMode, TapeDecoder};
use crate::compile::ValuePlan;
use crate::error::{FieldPath, PathSegment, Refusal, ValueProblem};
use crate::json::{text_may_differ, write_json_str, write_number};

/// Longest value quoted in a reject message.
const QUOTE_MAX: usize = 64;

pub(super) fn add_segment(r: &mut Fail, seg: impl FnOnce() -> PathSegment) {
    if let Fail::Detail(
        Refusal::MissingField(p)
        | Refusal::EmptyRequired { field: p, .. }
        | Refusal::BadValue { field: p, .. },
    ) = r
    {
        p.push_front(seg());
    }
}

#[cold]
#[inline(never)]
pub(super) fn wrong(plan: &ValuePlan, node: &Node<'_>) -> Refusal {
    Refusal::BadValue {
        field: FieldPath::default(),
        problem: ValueProblem::WrongType {
            expected: plan.decoder.field_type(),
            found: json_type(node),
        },
        value: None,
    }
}

#[cold]
#[inline(never)]
pub(super) fn bad_text(plan: &ValuePlan, s: &str) -> Refusal {
    Refusal::BadValue {
        field: FieldPath::default(),
        problem: ValueProblem::BadText {
            expected: plan.decoder.field_type(),
        },
        value: Some(quote(s)),
    }
}

#[cold]
#[inline(never)]
pub(super) fn problem(p: ValueProblem, value: Option<Box<str>>) -> Refusal {
    Refusal::BadValue {
        field: FieldPath::default(),
        problem: p,
        value,
    }
}

impl<'v, 'a, M: StrMode<'v, 'a>> TapeDecoder<'_, 'v, 'a, M> {
    /// The refusal of the value `node` at tape index `at` for `p`, quoting the value. A
    /// number is quoted as written in the record (`1e12`, not `1000000000000.0`) when its
    /// text was read (`literals.rs`); when it was not, as it was parsed, and the decoder asks
    /// for the texts (`wants_literals`), so that the record's refusal is built again with them.
    #[cold]
    #[inline(never)]
    pub(super) fn refuse_value(&mut self, p: ValueProblem, node: Node<'_>, at: usize) -> Fail {
        if !self.detail {
            return Fail::Quick;
        }
        let value = match (node, self.literals.and_then(|l| l.at(at))) {
            (Node::Static(_), Some(text)) => number_text(text),
            (Node::Static(n), None) => {
                self.wants_literals |= text_may_differ(n);
                quote_node(&node)
            }
            _ => quote_node(&node),
        };
        Fail::Detail(problem(p, Some(value)))
    }
}

/// A value for a message: JSON-quoted, cut at [`QUOTE_MAX`] characters.
pub(crate) fn quote(s: &str) -> Box<str> {
    let cut: String = s.chars().take(QUOTE_MAX).collect();
    let mut out = Vec::with_capacity(cut.len() + 5);
    write_json_str(&mut out, &cut);
    if cut.len() < s.len() {
        out.extend_from_slice("…".as_bytes());
    }
    // Only valid UTF-8 was written: `cut` is a str, and the escapes and the ellipsis are too.
    #[allow(clippy::expect_used)]
    let quoted = String::from_utf8(out).expect("invariant: a quoted str is UTF-8");
    quoted.into_boxed_str()
}

pub(super) fn quote_node(n: &Node<'_>) -> Box<str> {
    match n {
        Node::String(s) => quote(s),
        Node::Static(s) => {
            let mut t = String::new();
            write_number(&mut t, *s);
            t.into_boxed_str()
        }
        other => json_type(other).to_string().into_boxed_str(),
    }
}

/// A number's text for a refusal, cut as [`quote`] cuts strings (an integer of 400 digits
/// says enough in its first few dozen).
pub(super) fn number_text(s: &str) -> Box<str> {
    match s.char_indices().nth(QUOTE_MAX) {
        Some((cut, _)) => format!("{}…", &s[..cut]).into_boxed_str(),
        None => s.into(),
    }
}

/// The refusal of an `isEmbeddedJSON` string that does not hold JSON.
pub(super) fn bad_embedded(s: &str) -> Refusal {
    problem(ValueProblem::BadEmbeddedJson, Some(quote(s)))
}
