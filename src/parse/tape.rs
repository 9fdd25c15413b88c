//! Walks a simd-json tape following a compiled plan and fills the event's value slots.
//!
//! Decoding never allocates in steady state: values go into a reused `Vec<Val>`, rewritten
//! text (numbers into strings, `json` values) into a reused `String`. Errors are built while
//! unwinding, innermost path segment first; they allocate, but only for rejected records.

use std::marker::PhantomData;

use simd_json::{Node, StaticNode};

use crate::compile::{Decoder, Fast, ObjectPlan, ValuePlan};
use crate::error::{FieldPath, JsonType, PathSegment, Refusal, ValueProblem};
use crate::event::Val;
use crate::json::text_may_differ;
use crate::json::{write_json, write_number};
use crate::parse::literals::Literals;
use crate::strconv::{is_integer_text, parse_float, parse_int};
use crate::time::Timestamp;

mod fast;
mod keys;
mod rare;
mod refusals;
pub(crate) use fast::fast_str;
pub(crate) use keys::{scan_keys, KeyScan, Memo, MEMO};
pub(crate) use refusals::quote;
use refusals::{add_segment, bad_text, problem, wrong};

/// Number of tape nodes a value occupies.
#[inline]
pub(crate) fn node_count(n: &Node<'_>) -> usize {
    match n {
        Node::Object { count, .. } | Node::Array { count, .. } => *count + 1,
        _ => 1,
    }
}

pub(crate) fn json_type(n: &Node<'_>) -> JsonType {
    match n {
        Node::String(_) => JsonType::String,
        Node::Object { .. } => JsonType::Object,
        Node::Array { .. } => JsonType::Array,
        Node::Static(StaticNode::Null) => JsonType::Null,
        Node::Static(StaticNode::Bool(_)) => JsonType::Bool,
        Node::Static(_) => JsonType::Number,
    }
}

/// How strings of the tape become event values: borrowed from the line, or copied into the
/// event's text buffer (for tapes of embedded JSON, which live shorter than the event).
pub(crate) trait StrMode<'v, 'a> {
    fn string(s: &'v str, text: &mut String) -> Val<'a>;

    /// [`StrMode::string`] stored into `slot` (see `fast_str` for why it is stored there).
    fn store(s: &'v str, text: &mut String, slot: &mut Val<'a>);
}

/// Strings borrow from the input line.
pub(crate) struct Borrowed;
impl<'v: 'a, 'a> StrMode<'v, 'a> for Borrowed {
    #[inline]
    fn string(s: &'v str, _: &mut String) -> Val<'a> {
        Val::Str(s)
    }

    #[inline]
    fn store(s: &'v str, _: &mut String, slot: &mut Val<'a>) {
        *slot = Val::Str(s);
    }
}

/// Strings are copied into the text buffer.
pub(crate) struct Copied;
impl<'a> StrMode<'_, 'a> for Copied {
    fn string(s: &str, text: &mut String) -> Val<'a> {
        let start = text.len();
        text.push_str(s);
        text_val(start, text.len())
    }

    #[inline]
    fn store(s: &str, text: &mut String, slot: &mut Val<'a>) {
        let start = text.len();
        text.push_str(s);
        *slot = text_val(start, text.len());
    }
}

#[inline]
// An event's text is its record decoded once (at most the 1 GiB record ceiling), and the
// `expandFields` values, which are held to the record limit too (`text.rs`).
#[allow(clippy::cast_possible_truncation)]
fn text_val<'a>(start: usize, end: usize) -> Val<'a> {
    Val::Text {
        start: start as u32,
        end: end as u32,
    }
}

/// Why decoding failed. While classifying, candidates are tried without details
/// (`Quick`: nothing is allocated for a refusal); the details are only built when no
/// candidate accepted the record and the reject must say why.
pub(crate) enum Fail {
    Quick,
    Detail(Refusal),
}

/// A refusal under construction; the path is completed on the way up.
pub(crate) type DecodeResult<T> = Result<T, Fail>;

pub(crate) struct TapeDecoder<'t, 'v, 'a, M> {
    tape: &'t [Node<'v>],
    vals: &'t mut Vec<Val<'a>>,
    text: &'t mut String,
    /// Build detailed refusals (see [`Fail`]).
    detail: bool,
    /// The texts of the record's numbers, when read (`literals.rs`).
    literals: Option<&'t Literals>,
    /// A float went into a string while the texts were not read: the record is decoded
    /// again with them (the rare path).
    pub(crate) wants_literals: bool,
    mode: PhantomData<M>,
}

impl<'t, 'v, 'a, M: StrMode<'v, 'a>> TapeDecoder<'t, 'v, 'a, M> {
    /// A decoder filling `vals` and `text` from `tape`; `detail` builds full refusals.
    pub(crate) fn new(
        tape: &'t [Node<'v>],
        vals: &'t mut Vec<Val<'a>>,
        text: &'t mut String,
        detail: bool,
    ) -> Self {
        TapeDecoder {
            tape,
            vals,
            text,
            detail,
            literals: None,
            wants_literals: false,
            mode: PhantomData,
        }
    }

    /// The decoder writes floats into strings with their texts as written, from `literals`.
    pub(crate) fn with_literals(mut self, literals: &'t Literals) -> Self {
        self.literals = Some(literals);
        self
    }

    #[inline]
    fn fail(&self, refusal: impl FnOnce() -> Refusal) -> Fail {
        if self.detail {
            Fail::Detail(refusal())
        } else {
            Fail::Quick
        }
    }

    /// Decode the object at tape index `at` into a new block of slots; returns its start.
    pub(crate) fn object(&mut self, plan: &ObjectPlan, at: usize) -> DecodeResult<usize> {
        let Node::Object { len, .. } = self.tape[at] else {
            return Err(self.fail(|| Refusal::NotAnObject(json_type(&self.tape[at]))));
        };
        if !self.detail {
            if let Some(required) = plan.required_mask().filter(|&m| m != 0) {
                // Classifying: refuse before decoding anything when a required field is
                // missing or null, the usual way a record of another type fails. Keys are
                // looked up once: the scan is kept for the decoding pass.
                let mut scan = KeyScan::new();
                let mut present = 0u64;
                scan_keys(self.tape, at, len, &mut scan, |key, value| {
                    let fi = plan.find(key)?;
                    if !matches!(value, Node::Static(StaticNode::Null)) {
                        present |= 1 << fi;
                    }
                    #[allow(clippy::cast_possible_truncation)] // at most 64 fields
                    Some(fi as u16)
                });
                if present & required != required {
                    return Err(Fail::Quick);
                }
                return self.fields(plan, at + 1, len, Some(Memo::Fields(&scan)));
            }
        }
        self.fields(plan, at + 1, len, None)
    }

    /// Decode the root object with the field indices of its first [`MEMO`] keys already
    /// known (from the classifier's scan), so keys are not looked up again.
    pub(crate) fn object_known(
        &mut self,
        plan: &ObjectPlan,
        memo: Memo<'_>,
    ) -> DecodeResult<usize> {
        let Node::Object { len, .. } = self.tape[0] else {
            return Err(self.fail(|| Refusal::NotAnObject(json_type(&self.tape[0]))));
        };
        self.fields(plan, 1, len, Some(memo))
    }

    /// Decode the `len` entries of an object into a new block of slots, then check the
    /// required fields; returns the block's start. `i` is the tape index of the first key;
    /// with `memo`, the keys it holds are not walked again.
    #[allow(clippy::needless_range_loop)] // `k` counts keys, `i` walks the tape
    fn fields(
        &mut self,
        plan: &ObjectPlan,
        mut i: usize,
        len: usize,
        memo: Option<Memo<'_>>,
    ) -> DecodeResult<usize> {
        let start = self.open(plan);
        let mut first = 0;
        if let Some(memo) = memo {
            let scan = memo.scan();
            let count = scan.count.min(MEMO);
            let keys = scan.names[..count].iter().zip(&scan.values[..count]);
            for (k, (&n, &vi)) in keys.enumerate() {
                if let Some(fi) = memo.field(n) {
                    self.field(plan, start, fi, vi as usize, len - k - 1)?;
                }
            }
            first = scan.count;
            i = scan.rest;
        }
        for k in first..len {
            let Node::String(key) = self.tape[i] else {
                // simd-json guarantees keys are strings.
                break;
            };
            let vi = i + 1;
            i = vi + node_count(&self.tape[vi]);
            if let Some(fi) = plan.find(key) {
                self.field(plan, start, fi, vi, len - k - 1)?;
            }
        }
        self.check_required(plan, start)
    }

    /// Start a block of slots for the fields of `plan`, all absent; returns its start. With
    /// [`Self::flat_field`] and [`Self::close`], the entry of records that are flat objects of
    /// string values handed over one by one (text log lines: `parse/text.rs`), decoded by
    /// the same decoders as JSON objects.
    #[inline]
    pub(crate) fn open(&mut self, plan: &ObjectPlan) -> usize {
        let start = self.vals.len();
        self.vals.resize(start + plan.fields.len(), Val::Absent);
        start
    }

    /// Decode field `fi` of the block at `start` from the value at tape index `vi` (a flat
    /// record: no key follows it).
    #[inline]
    pub(crate) fn flat_field(
        &mut self,
        plan: &ObjectPlan,
        start: usize,
        fi: usize,
        vi: usize,
    ) -> DecodeResult<()> {
        self.field(plan, start, fi, vi, 0)
    }

    /// Check the required fields of the block at `start`; returns the block's start.
    pub(crate) fn close(&self, plan: &ObjectPlan, start: usize) -> DecodeResult<usize> {
        self.check_required(plan, start)
    }

    /// [`Self::close`], inlined into the JSON objects' loop (a call there costs the JSON path
    /// about 1% of its instructions, callgrind).
    #[allow(clippy::inline_always)]
    #[inline(always)]
    fn check_required(&self, plan: &ObjectPlan, start: usize) -> DecodeResult<usize> {
        for &fi in &*plan.required_fields {
            // `""` is null for numbers, booleans and timestamps (`Val::Empty`; Go's zero time
            // is `Val::ZeroTime`), so it fails `required` as a missing value does; a string
            // keeps `""`.
            match self.vals[start + fi] {
                Val::Absent => {
                    let name = &plan.fields[fi].name;
                    return Err(self.fail(|| {
                        Refusal::MissingField(FieldPath(vec![PathSegment::Key(name.clone())]))
                    }));
                }
                v @ (Val::Empty | Val::ZeroTime) => {
                    let field = &plan.fields[fi];
                    return Err(self.fail(|| Refusal::EmptyRequired {
                        field: FieldPath(vec![PathSegment::Key(field.name.clone())]),
                        expected: field.value.decoder.field_type(),
                        zero_time: matches!(v, Val::ZeroTime),
                    }));
                }
                _ => {}
            }
        }
        Ok(start)
    }

    /// Decode field `fi` of an object whose slots start at `start`, from the value at tape
    /// index `vi`; `later` keys follow it in the object.
    #[allow(clippy::inline_always)] // the loop body of both loops of `fields`
    #[inline(always)]
    fn field(
        &mut self,
        plan: &ObjectPlan,
        start: usize,
        fi: usize,
        vi: usize,
        later: usize,
    ) -> DecodeResult<()> {
        let field = &plan.fields[fi];
        let node = self.tape[vi];
        // The JSON cases of `fast_str` and the integers, matched here on both at once: calling
        // `fast_str` here cost the JSON path 3% of its instructions (callgrind).
        let fast = match (field.value.fast, node) {
            (Fast::String, Node::String(s)) => Some(M::string(s, self.text)),
            (Fast::Int { min, max }, Node::Static(StaticNode::I64(i))) if min <= i && i <= max => {
                Some(Val::Int(i))
            }
            // simd-json gives every non-negative integer as a U64.
            (Fast::Int { max, .. }, Node::Static(StaticNode::U64(u))) => {
                i64::try_from(u).ok().filter(|&i| i <= max).map(Val::Int)
            }
            // Integer text (a text log's value): anything else, `""` too, goes the long way.
            (Fast::Int { min, max }, Node::String(s)) => parse_int(s)
                .filter(|i| (min..=max).contains(i))
                .map(Val::Int),
            (Fast::Time, Node::String(s)) if !s.is_empty() => match &field.value.decoder {
                Decoder::Timestamp { formats, .. } => {
                    // Go's zero time goes the long way, which leaves it out.
                    formats
                        .iter()
                        .find_map(|f| f.parse_str(s))
                        .filter(|t| !crate::time::is_go_zero(t))
                        .map(Val::Time)
                }
                _ => None,
            },
            _ => None,
        };
        if let Some(v) = fast {
            self.vals[start + fi] = v;
            return Ok(());
        }
        // Duplicate keys: the last one wins, as with most JSON decoders...
        match self.value(&field.value, vi) {
            Ok(v) => self.vals[start + fi] = v,
            // ...so a bad value that a later key replaces does not reject the record.
            Err(_) if later > 0 && later_key(self.tape, vi, later) => {}
            Err(mut r) => {
                add_segment(&mut r, || PathSegment::Key(field.name.clone()));
                return Err(r);
            }
        }
        Ok(())
    }

    fn value(&mut self, plan: &ValuePlan, at: usize) -> DecodeResult<Val<'a>> {
        let node = self.tape[at];
        if let Node::Static(StaticNode::Null) = node {
            return Ok(Val::Absent);
        }
        if plan.embedded_json {
            if let Node::String(s) = node {
                return self.embedded(plan, s);
            }
        }
        let v = self.decode(plan, node, at)?;
        if let Some(check) = &plan.validate {
            let s = match v {
                Val::Str(s) => Some(s),
                Val::Text { start, end } => Some(&self.text[start as usize..end as usize]),
                _ => None,
            };
            if let Some(s) = s {
                if let Err(problem) = check.check(s) {
                    return Err(self.fail(|| Refusal::BadValue {
                        field: FieldPath::default(),
                        problem,
                        value: Some(quote(s)),
                    }));
                }
            }
        }
        Ok(v)
    }

    /// Decode one non-null node with the plan's decoder.
    fn decode(&mut self, plan: &ValuePlan, node: Node<'v>, at: usize) -> DecodeResult<Val<'a>> {
        if let (Node::Static(StaticNode::F64(_)), Some(literals)) = (node, self.literals) {
            if literals.overflowed(at) {
                return self.overflowed(plan, node, literals.at(at));
            }
        }
        Ok(match &plan.decoder {
            Decoder::String => match node {
                Node::String(s) => M::string(s, self.text),
                Node::Static(StaticNode::Bool(b)) => Val::Str(if b { "true" } else { "false" }),
                Node::Static(n) => {
                    let start = self.text.len();
                    if let Some(written) = self.literals.and_then(|l| l.at(at)) {
                        self.text.push_str(written);
                    } else {
                        self.wants_literals |= self.literals.is_none() && text_may_differ(n);
                        write_number(self.text, n);
                    }
                    text_val(start, self.text.len())
                }
                _ => return Err(self.fail(|| wrong(plan, &node))),
            },
            Decoder::Int16 => self.int(plan, node, at, i64::from(i16::MIN), i64::from(i16::MAX))?,
            Decoder::Int32 => self.int(plan, node, at, i64::from(i32::MIN), i64::from(i32::MAX))?,
            Decoder::Int64 => self.int(plan, node, at, i64::MIN, i64::MAX)?,
            Decoder::Float => match node {
                Node::Static(StaticNode::F64(f)) => Val::Float(f),
                #[allow(clippy::cast_precision_loss)] // as JSON decoders do
                Node::Static(StaticNode::I64(i)) => Val::Float(i as f64),
                #[allow(clippy::cast_precision_loss)]
                Node::Static(StaticNode::U64(u)) => Val::Float(u as f64),
                Node::String("") => Val::Empty,
                Node::String(s) => match parse_float(s) {
                    Some(f) => Val::Float(f),
                    None => return Err(self.fail(|| bad_text(plan, s))),
                },
                _ => return Err(self.fail(|| wrong(plan, &node))),
            },
            Decoder::Bool => match node {
                Node::Static(StaticNode::Bool(b)) => Val::Bool(b),
                Node::Static(StaticNode::I64(0) | StaticNode::U64(0)) => Val::Bool(false),
                Node::Static(StaticNode::I64(1) | StaticNode::U64(1)) => Val::Bool(true),
                Node::String("") => Val::Empty,
                // Go's strconv.ParseBool, as Panther accepts.
                Node::String("1" | "t" | "T" | "TRUE" | "true" | "True") => Val::Bool(true),
                Node::String("0" | "f" | "F" | "FALSE" | "false" | "False") => Val::Bool(false),
                Node::String(s) => return Err(self.fail(|| bad_text(plan, s))),
                _ => return Err(self.fail(|| wrong(plan, &node))),
            },
            Decoder::Timestamp { formats, spec } => {
                let parsed: Option<Timestamp> = match node {
                    Node::String("") => return Ok(Val::Empty),
                    Node::String(s) => formats.iter().find_map(|f| f.parse_str(s)),
                    Node::Static(StaticNode::I64(i)) => formats.iter().find_map(|f| f.parse_i64(i)),
                    Node::Static(StaticNode::U64(u)) => formats.iter().find_map(|f| f.parse_u64(u)),
                    Node::Static(StaticNode::F64(x)) => formats.iter().find_map(|f| f.parse_f64(x)),
                    _ => return Err(self.fail(|| wrong(plan, &node))),
                };
                match parsed {
                    // No time at all to Panther (see `is_go_zero`): as `""`.
                    Some(t) if crate::time::is_go_zero(&t) => Val::ZeroTime,
                    Some(t) => Val::Time(t),
                    None => {
                        let formats = spec.clone();
                        return Err(self.refuse_value(ValueProblem::BadTime { formats }, node, at));
                    }
                }
            }
            Decoder::Object(o) => match node {
                Node::Object { .. } => {
                    let start = self.object(o, at)?;
                    #[allow(clippy::cast_possible_truncation)]
                    Val::Object {
                        start: start as u32,
                    }
                }
                _ => return Err(self.fail(|| wrong(plan, &node))),
            },
            Decoder::Array(element) => match node {
                Node::Array { len, .. } => self.array(element, at, len)?,
                _ => return Err(self.fail(|| wrong(plan, &node))),
            },
            Decoder::Json => {
                let start = self.text.len();
                let literals = self.literals;
                let nodes = &self.tape[at..at + node_count(&node)];
                let all = write_json(self.text, nodes, &|i| literals.and_then(|l| l.at(at + i)));
                self.wants_literals |= literals.is_none() && !all;
                Val::Json {
                    #[allow(clippy::cast_possible_truncation)]
                    start: start as u32,
                    #[allow(clippy::cast_possible_truncation)]
                    end: self.text.len() as u32,
                }
            }
        })
    }

    fn int(
        &mut self,
        plan: &ValuePlan,
        node: Node<'_>,
        at: usize,
        min: i64,
        max: i64,
    ) -> DecodeResult<Val<'a>> {
        let v = match node {
            Node::Static(StaticNode::I64(i)) => i,
            Node::Static(StaticNode::U64(u)) => i64::try_from(u).map_err(|_| {
                self.fail(|| problem(ValueProblem::OutOfRange, Some(u.to_string().into())))
            })?,
            // An integer beyond 64 bits is read as a float: out of range, not a fraction.
            Node::Static(StaticNode::F64(f)) if f.fract() == 0.0 && f.abs() >= 2f64.powi(63) => {
                return Err(self.refuse_value(ValueProblem::OutOfRange, node, at))
            }
            Node::Static(StaticNode::F64(f)) if f.is_finite() => {
                return Err(self.refuse_value(ValueProblem::NotAnInteger, node, at))
            }
            Node::Static(StaticNode::F64(_)) => {
                return Err(self.fail(|| problem(ValueProblem::NotAnInteger, None)))
            }
            Node::String("") => return Ok(Val::Empty),
            Node::String(s) => match parse_int(s) {
                Some(i) => i,
                None if is_integer_text(s) => {
                    return Err(self.fail(|| problem(ValueProblem::OutOfRange, Some(quote(s)))))
                }
                None => return Err(self.fail(|| bad_text(plan, s))),
            },
            _ => return Err(self.fail(|| wrong(plan, &node))),
        };
        if v < min || v > max {
            return Err(self.fail(|| problem(ValueProblem::OutOfRange, Some(v.to_string().into()))));
        }
        Ok(Val::Int(v))
    }

    fn array(&mut self, element: &ValuePlan, at: usize, len: usize) -> DecodeResult<Val<'a>> {
        let start = self.vals.len();
        self.vals.resize(start + len, Val::Absent);
        let mut i = at + 1;
        for k in 0..len {
            let node = self.tape[i];
            let v = self.value(element, i).map_err(|mut r| {
                add_segment(&mut r, || PathSegment::Index(k));
                r
            })?;
            i += node_count(&node);
            // Every element keeps its place, a null one too (written `null`), as Panther's
            // slice decoder keeps it: an array keeps its length and its indexes.
            self.vals[start + k] = v;
        }
        #[allow(clippy::cast_possible_truncation)]
        Ok(Val::Array {
            start: start as u32,
            len: len as u32,
        })
    }
}

/// Whether the key of the value at tape index `vi` comes again in the `later` entries of
/// its object that follow it.
#[cold]
#[inline(never)]
fn later_key(tape: &[Node<'_>], vi: usize, later: usize) -> bool {
    let Node::String(key) = tape[vi - 1] else {
        return false;
    };
    let mut at = vi + node_count(&tape[vi]);
    for _ in 0..later {
        if matches!(tape[at], Node::String(k) if k == key) {
            return true;
        }
        at += 1 + node_count(&tape[at + 1]);
    }
    false
}
