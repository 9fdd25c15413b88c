//! A slow, obviously correct reference normalizer on `serde_json::Value`, shared by the
//! property tests (`tests/props/`) and the `differential` fuzz target (`fuzz/`), which
//! include this file with `#[path]`.
//!
//! It reads the user-facing [`Schema`] model directly (not the compiled plan): it resolves
//! `ref`s, looks keys up by exact name, applies the type coercions written down in
//! `src/parse/tape.rs` and `schemas/README.md`, and builds the expected output as a
//! `serde_json::Value`. Instead of the first refusal, it collects *every* problem of the
//! record: the normalizer stops at the first one in input order, so its reason must be one of
//! them.
//!
//! What it deliberately does not re-implement, and takes from the library instead (each is
//! tested on its own: the `time` fuzz target and `src/time` tests, `src/indicators` tests):
//!
//! * the leaf time-format parsers ([`TimeFormat::parse_str`] and friends);
//! * the indicator scanners ([`Indicators::scan`]). The reference decides *which* values are
//!   scanned with *which* kinds; the library extracts from a value.
//!
//! Where `serde_json` and simd-json read JSON differently, the reference follows the
//! normalizer's documented behaviour:
//!
//! * nesting deeper than [`MAX_DEPTH`] (simd-json's limit) is a syntax error;
//! * an integer literal that fits neither `i64` nor `u64` (`1777…777`, 400 digits) is read
//!   as a float, as `serde_json` does (simd-json's `big-int-as-float`); an integral float
//!   beyond 64 bits is out of range for an integer field;
//! * `-0` is the integer 0 (simd-json), not the float -0.0 (`serde_json`); a string keeps
//!   its text `-0`;
//! * floats are read correctly rounded (`serde_json`'s `float_roundtrip` feature, as
//!   simd-json does), since a last-bit difference shows in `unix` times once multiplied;
//! * float *text* is compared as numbers, not as text (see [`same_number`]);
//! * a number beyond a float's range (`1e400`) is valid JSON that `serde_json` refuses: the
//!   model cannot read such a record, and says so ([`beyond_float_range`]); what the
//!   normalizer makes of it is tested in `tests/decode.rs`;
//! * a lone surrogate escape (`\ud800` without its low half, or a low one alone), which
//!   `serde_json` refuses, is U+FFFD, as Panther's decoder (json-iterator) reads it
//!   ([`lone_surrogates_replaced`]);
//! * white space at either end of the record, as Go's `strings.TrimSpace` takes it
//!   (`U+00A0`, the vertical tab, the form feed), is trimmed off, as Panther's classifier
//!   trims every line ([`go_trimmed`]).

#![allow(dead_code)] // each includer uses a different part

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use chrono::Timelike;
use normalog::indicators::{Column, IndicatorKind, Indicators};
use normalog::schema::{FieldType, IpVersion, Schema, ValueSchema};
use normalog::time::{TimeFormat, Timestamp};
use serde_json::{Map, Number, Value};

/// Deepest nesting of arrays and objects a record may have (simd-json's
/// `DEFAULT_MAX_DEPTH`).
pub const MAX_DEPTH: usize = 1024;

/// What the reference decides for one record.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Not JSON.
    Syntax,
    /// Valid JSON that the schema refuses; every problem found.
    Refused(Vec<Problem>),
    /// Normalized.
    Accepted(Expected),
}

/// One reason to refuse a record: where, and the stable code of
/// [`normalog::error::Refusal::code`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// `actor.emails[2]`, as `FieldPath` displays it; empty for the record itself.
    pub path: String,
    /// `missing_field`, `wrong_type`, ...
    pub code: &'static str,
}

/// The expected event.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    /// The schema fields, as NDJSON writes them.
    pub fields: Map<String, Value>,
    /// `p_event_time`, when a field elects it (else it is the parse time).
    pub event_time: Option<String>,
    /// Non-empty `p_any_*` columns.
    pub indicators: BTreeMap<&'static str, Vec<String>>,
}

/// Parse one record as the normalizer reads JSON; `None` for a syntax error.
pub fn parse(line: &[u8]) -> Option<Value> {
    // Checked first, so that serde_json never recurses deeper than the limit.
    if text_depth(line) > MAX_DEPTH {
        return None;
    }
    let line = &lone_surrogates_replaced(go_trimmed(line));
    let mut de = serde_json::Deserializer::from_slice(line);
    de.disable_recursion_limit();
    let _: serde::de::IgnoredAny = serde::Deserialize::deserialize(&mut de).ok()?;
    de.end().ok()?;
    // Valid JSON: now read it again with the integer literals as simd-json reads them.
    let text = integers_as_simd_json(line);
    let mut de = serde_json::Deserializer::from_slice(&text);
    de.disable_recursion_limit();
    // Only this reading checks the numbers' range (`IgnoredAny` skips their digits).
    serde::Deserialize::deserialize(&mut de)
        .map_err(|e| {
            BEYOND.with(|b| *b.borrow_mut() = e.to_string().starts_with("number out of range"));
        })
        .ok()
}

/// `line` without the white space Go's `strings.TrimSpace` takes off its ends (Unicode's:
/// Rust's `char::is_whitespace` is the same set), as far as the line is UTF-8 there.
fn go_trimmed(line: &[u8]) -> &[u8] {
    let start = line.utf8_chunks().next().map_or(0, |c| {
        let valid = c.valid();
        valid.len() - valid.trim_start().len()
    });
    let rest = &line[start..];
    let end = match rest.utf8_chunks().last() {
        Some(c) if c.invalid().is_empty() => c.valid().len() - c.valid().trim_end().len(),
        _ => 0,
    };
    &rest[..rest.len() - end]
}

/// `text` with each lone surrogate escape in its strings written `\ufffd`, as
/// json-iterator reads them (a surrogate takes the `\u` escape after it as its other half,
/// paired or not; a high one and a low one are a pair).
fn lone_surrogates_replaced(text: &[u8]) -> Vec<u8> {
    let unit = |i: usize| -> Option<u32> {
        let e = text.get(i..i + 6)?;
        if &e[..2] != b"\\u" {
            return None;
        }
        u32::from_str_radix(std::str::from_utf8(&e[2..]).ok()?, 16).ok()
    };
    let mut out = Vec::with_capacity(text.len());
    let (mut i, mut in_string) = (0, false);
    while i < text.len() {
        let b = text[i];
        if !in_string {
            in_string = b == b'"';
            out.push(b);
            i += 1;
        } else if b == b'\\' {
            // json-iterator's reading: a surrogate takes the next `\u` unit as its other
            // half; no pair is U+FFFD and that unit (U+FFFD too when a surrogate).
            let is_surrogate = |u: Option<u32>| u.is_some_and(|u| (0xD800..0xE000).contains(&u));
            let (first, second) = (unit(i), unit(i + 6));
            let escapes: Vec<(usize, bool)> = match (first, second) {
                (Some(0xD800..=0xDBFF), Some(0xDC00..=0xDFFF)) => vec![(12, false)],
                (Some(_), Some(_)) if is_surrogate(first) => {
                    vec![(6, true), (6, is_surrogate(second))]
                }
                (Some(_), _) => vec![(6, is_surrogate(first))],
                (None, _) => vec![(2, false)],
            };
            for (len, replaced) in escapes {
                let end = (i + len).min(text.len());
                out.extend_from_slice(if replaced { b"\\ufffd" } else { &text[i..end] });
                i = end;
            }
        } else {
            in_string = b != b'"';
            out.push(b);
            i += 1;
        }
    }
    out
}

/// The deepest nesting of `[` and `{` outside strings (of any text: it is only an upper
/// bound for invalid JSON, which is rejected anyway).
fn text_depth(text: &[u8]) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &b in text {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Valid JSON text with its integer literals (no fraction, no exponent) as simd-json reads
/// them: `-0` written `0` (one beyond 64 bits is a float to both).
fn integers_as_simd_json(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut token = String::new();
    for &b in text.iter().chain(b" ") {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        if b.is_ascii_digit() || b"+-.eE".contains(&b) {
            token.push(char::from(b));
            continue;
        }
        if !token.is_empty() {
            note_literal(&token);
            if token == "-0" {
                token.replace_range(.., "0");
            }
            out.extend_from_slice(token.as_bytes());
            token.clear();
        }
        in_string = b == b'"';
        out.push(b);
    }
    out
}

thread_local! {
    /// The texts as written of the current record's numbers (its embedded JSON's too), by
    /// their [`canonical_text`]: a number that goes into a string keeps the text it was
    /// written with (`1.50`), as the normalizer writes it. `None`: one value written two
    /// ways (`1.5` and `1.50`), which the model cannot tell apart.
    static LITERALS: RefCell<HashMap<String, Option<String>>> = RefCell::new(HashMap::new());
    /// Whether a number written two ways went into a string ([`ambiguous_numbers`]).
    static AMBIGUOUS: RefCell<bool> = const { RefCell::new(false) };
    /// Whether `serde_json` refused the record for a number beyond a float's range
    /// ([`beyond_float_range`]).
    static BEYOND: RefCell<bool> = const { RefCell::new(false) };
}

/// Whether the last record given to [`normalize`] has a number beyond a float's range
/// (`1e400`), which `serde_json` refuses: the model's "syntax error" is not the
/// normalizer's reading, and the record is not compared.
pub fn beyond_float_range() -> bool {
    BEYOND.with(|b| *b.borrow())
}

/// Note the text `token` of a number of the record being read.
fn note_literal(token: &str) {
    // `-0` is the integer 0 (simd-json's reading), written `-0` in a string.
    let read = if token == "-0" { "0" } else { token };
    let Ok(n) = serde_json::from_str::<Number>(read) else {
        return;
    };
    let canonical = canonical_text(&n);
    LITERALS.with(|l| {
        l.borrow_mut()
            .entry(canonical)
            .and_modify(|known| {
                if known.as_deref() != Some(token) {
                    *known = None;
                }
            })
            .or_insert_with(|| Some(token.to_owned()));
    });
}

/// Whether the last record given to [`normalize`] put into a string a number that it
/// writes two ways (`1.5` and `1.50`): the model's expectation is then not the
/// normalizer's, and the record is not compared.
pub fn ambiguous_numbers() -> bool {
    AMBIGUOUS.with(|a| *a.borrow())
}

/// Normalize one record with one schema.
pub fn normalize(schema: &Schema, line: &[u8]) -> Outcome {
    LITERALS.with(|l| l.borrow_mut().clear());
    AMBIGUOUS.with(|a| *a.borrow_mut() = false);
    BEYOND.with(|b| *b.borrow_mut() = false);
    match parse(line) {
        None => Outcome::Syntax,
        Some(v) => normalize_value(schema, &v),
    }
}

/// Normalize a parsed record with one schema.
pub fn normalize_value(schema: &Schema, record: &Value) -> Outcome {
    let Value::Object(obj) = record else {
        return Outcome::Refused(vec![Problem {
            path: String::new(),
            code: "not_an_object",
        }]);
    };
    let r = Ref { schema };
    let mut problems = Vec::new();
    let mut path = Vec::new();
    let fields = r.object(&schema.fields, obj, &mut path, &mut problems);
    if !problems.is_empty() {
        problems.sort();
        problems.dedup();
        return Outcome::Refused(problems);
    }
    let mut out = Map::new();
    let mut event_time = None;
    let mut scans = Vec::new();
    for (name, d) in &fields {
        if let Some(v) = d.to_value() {
            out.insert(name.clone(), v);
        }
        d.walk(&mut event_time, &mut scans);
    }
    let mut ind = Indicators::new();
    for (kind, s) in &scans {
        ind.scan(*kind, s);
    }
    ind.finish();
    let indicators = Column::ALL
        .iter()
        .filter(|c| !ind.column(**c).is_empty())
        .map(|c| {
            (
                c.name(),
                ind.column(*c)
                    .iter()
                    .map(std::string::ToString::to_string)
                    .collect(),
            )
        })
        .collect();
    Outcome::Accepted(Expected {
        fields: out,
        event_time: event_time.as_ref().map(rfc3339),
        indicators,
    })
}

/// A decoded value.
#[derive(Debug, Clone)]
enum D {
    /// Missing or null: not written, and missing for `required`.
    Absent,
    /// `""` in a number, boolean or timestamp field: not written, and null for `required`
    /// (kept apart from `Absent` because the normalizer's reason says the value was empty).
    Empty,
    Str(String, Vec<IndicatorKind>),
    Int(i64),
    Float(f64),
    Bool(bool),
    Time(Timestamp, bool),
    /// Fields in schema order.
    Object(Vec<(String, D)>),
    /// Every element in its place, a null one too.
    Array(Vec<D>),
    Json(Value),
}

impl D {
    fn written(&self) -> bool {
        match self {
            D::Absent | D::Empty => false,
            D::Array(a) => !a.is_empty(),
            _ => true,
        }
    }

    fn to_value(&self) -> Option<Value> {
        if !self.written() {
            return None;
        }
        Some(match self {
            D::Absent | D::Empty => Value::Null,
            D::Str(s, _) => Value::String(s.clone()),
            D::Int(i) => Value::from(*i),
            D::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
            D::Bool(b) => Value::Bool(*b),
            D::Time(t, _) => Value::String(rfc3339(t)),
            D::Object(fields) => Value::Object(
                fields
                    .iter()
                    .filter_map(|(k, d)| d.to_value().map(|v| (k.clone(), v)))
                    .collect(),
            ),
            // An element is always written: `null` in its place, an empty array `[]`.
            D::Array(items) => Value::Array(items.iter().map(D::element_value).collect()),
            D::Json(v) => v.clone(),
        })
    }

    /// An array element as written: `null` for a null one, `[]` for an empty array.
    fn element_value(&self) -> Value {
        match self {
            D::Array(items) if items.is_empty() => Value::Array(Vec::new()),
            d => d.to_value().unwrap_or(Value::Null),
        }
    }

    /// Schema order, depth first: the first event-time timestamp, and the strings to scan.
    fn walk<'d>(
        &'d self,
        event_time: &mut Option<Timestamp>,
        scans: &mut Vec<(IndicatorKind, &'d str)>,
    ) {
        match self {
            D::Str(s, kinds) => scans.extend(kinds.iter().map(|k| (*k, s.as_str()))),
            D::Time(t, true) if event_time.is_none() => *event_time = Some(*t),
            D::Object(fields) => fields.iter().for_each(|(_, d)| d.walk(event_time, scans)),
            D::Array(items) => items.iter().for_each(|d| d.walk(event_time, scans)),
            _ => {}
        }
    }
}

/// RFC 3339 UTC, fraction only when not zero, without trailing zeros.
pub fn rfc3339(t: &Timestamp) -> String {
    let mut s = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let ns = t.nanosecond() % 1_000_000_000;
    if ns != 0 {
        let frac = format!("{ns:09}");
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    s.push('Z');
    s
}

/// A value schema with its `ref`s resolved and the attributes a `ref` adds merged in.
struct Resolved<'s> {
    base: &'s ValueSchema,
    indicators: Vec<IndicatorKind>,
    event_time: bool,
    embedded: bool,
}

struct Ref<'s> {
    schema: &'s Schema,
}

fn path_string(path: &[Seg]) -> String {
    let mut s = String::new();
    for (i, seg) in path.iter().enumerate() {
        match seg {
            Seg::Key(k) if i == 0 => s.push_str(k),
            Seg::Key(k) => {
                s.push('.');
                s.push_str(k);
            }
            Seg::Index(n) => {
                let _ = write!(s, "[{n}]");
            }
        }
    }
    s
}

enum Seg {
    Key(String),
    Index(usize),
}

impl<'s> Ref<'s> {
    fn resolve(&self, v: &'s ValueSchema) -> Resolved<'s> {
        if v.ty == FieldType::Ref {
            let def = v
                .target
                .as_ref()
                .and_then(|t| self.schema.definitions.get(t))
                .expect("checked schema: ref targets exist");
            // The definition alone: a ref's own attributes are refused (as Panther drops
            // them).
            self.resolve(def)
        } else {
            Resolved {
                base: v,
                indicators: v.indicators.clone(),
                event_time: v.is_event_time,
                embedded: v.is_embedded_json,
            }
        }
    }

    fn object(
        &self,
        fields: &'s [normalog::schema::Field],
        obj: &Map<String, Value>,
        path: &mut Vec<Seg>,
        problems: &mut Vec<Problem>,
    ) -> Vec<(String, D)> {
        let mut out = Vec::with_capacity(fields.len());
        for f in fields {
            path.push(Seg::Key(f.name.clone()));
            // serde_json keeps the last of duplicate keys, as the normalizer does.
            let d = match obj.get(&f.name) {
                None => Some(D::Absent),
                Some(v) => {
                    let r = self.resolve(&f.value);
                    self.value(&r, &[], v, path, problems)
                }
            };
            // A value that failed is a problem already, not also a missing field. `""` in a
            // number, boolean or timestamp field is null, so it fails `required` too.
            let failed = d.is_none();
            let d = d.unwrap_or(D::Empty);
            if f.required && !failed && matches!(d, D::Absent | D::Empty) {
                problems.push(Problem {
                    path: path_string(path),
                    code: "missing_field",
                });
            }
            path.pop();
            out.push((f.name.clone(), d));
        }
        out
    }

    /// `None` when a problem was recorded.
    fn value(
        &self,
        r: &Resolved<'s>,
        extra: &[IndicatorKind],
        v: &Value,
        path: &mut Vec<Seg>,
        problems: &mut Vec<Problem>,
    ) -> Option<D> {
        let mut fail = |code: &'static str, path: &[Seg]| {
            problems.push(Problem {
                path: path_string(path),
                code,
            });
            None
        };
        if v.is_null() {
            return Some(D::Absent);
        }
        if r.embedded {
            if let Value::String(s) = v {
                if s.is_empty() {
                    return Some(D::Absent);
                }
                let Some(inner) = parse(s.as_bytes()) else {
                    return fail("bad_embedded_json", path);
                };
                if inner.is_null() {
                    return Some(D::Absent);
                }
                return self.typed(r, extra, &inner, path, problems);
            }
        }
        self.typed(r, extra, v, path, problems)
    }

    #[allow(clippy::too_many_lines)]
    fn typed(
        &self,
        r: &Resolved<'s>,
        extra: &[IndicatorKind],
        v: &Value,
        path: &mut Vec<Seg>,
        problems: &mut Vec<Problem>,
    ) -> Option<D> {
        let mut fail = |code: &'static str, path: &[Seg]| {
            problems.push(Problem {
                path: path_string(path),
                code,
            });
            None
        };
        let vs = r.base;
        let d = match vs.ty {
            FieldType::String => {
                let s = match v {
                    Value::String(s) => s.clone(),
                    Value::Bool(b) => b.to_string(),
                    Value::Number(n) => number_text(n),
                    _ => return fail("wrong_type", path),
                };
                if let Some(checks) = &vs.validate {
                    if let Err(code) = validate(checks, &s) {
                        return fail(code, path);
                    }
                }
                let mut kinds = r.indicators.clone();
                kinds.extend(extra.iter().copied());
                D::Str(s, kinds)
            }
            FieldType::Smallint => {
                return int(v, i64::from(i16::MIN), i64::from(i16::MAX), path, fail)
            }
            FieldType::Int => return int(v, i64::from(i32::MIN), i64::from(i32::MAX), path, fail),
            FieldType::Bigint => return int(v, i64::MIN, i64::MAX, path, fail),
            FieldType::Float => match v {
                Value::Number(n) => D::Float(n.as_f64().unwrap_or(f64::NAN)),
                Value::String(s) if s.is_empty() => D::Empty,
                Value::String(s) => {
                    let ok = s
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
                    match s.parse::<f64>() {
                        Ok(f) if ok && f.is_finite() => D::Float(f),
                        _ => return fail("bad_text", path),
                    }
                }
                _ => return fail("wrong_type", path),
            },
            FieldType::Boolean => match v {
                Value::Bool(b) => D::Bool(*b),
                Value::Number(n) if n.as_u64() == Some(0) => D::Bool(false),
                Value::Number(n) if n.as_u64() == Some(1) => D::Bool(true),
                Value::String(s) => match s.as_str() {
                    "" => D::Empty,
                    "1" | "t" | "T" | "TRUE" | "true" | "True" => D::Bool(true),
                    "0" | "f" | "F" | "FALSE" | "false" | "False" => D::Bool(false),
                    _ => return fail("bad_text", path),
                },
                _ => return fail("wrong_type", path),
            },
            FieldType::Timestamp => {
                let formats: Vec<TimeFormat> = vs
                    .time_format
                    .iter()
                    .chain(&vs.time_formats)
                    .map(|s| TimeFormat::from_spec(s).expect("checked schema"))
                    .collect();
                let t = match v {
                    Value::String(s) if s.is_empty() => return Some(D::Empty),
                    Value::String(s) => formats.iter().find_map(|f| f.parse_str(s)),
                    Value::Number(n) => {
                        if let Some(i) = n.as_i64() {
                            formats.iter().find_map(|f| f.parse_i64(i))
                        } else if let Some(u) = n.as_u64() {
                            formats.iter().find_map(|f| f.parse_u64(u))
                        } else {
                            let x = n.as_f64().unwrap_or(f64::NAN);
                            formats.iter().find_map(|f| f.parse_f64(x))
                        }
                    }
                    _ => return fail("wrong_type", path),
                };
                // Go's zero time is no time at all to Panther (`time.Time.IsZero`).
                let go_zero: Timestamp = "0001-01-01T00:00:00Z".parse().expect("a time");
                match t {
                    Some(t) if t == go_zero => D::Empty,
                    Some(t) => D::Time(t, r.event_time),
                    None => return fail("bad_time", path),
                }
            }
            FieldType::Object => match v {
                Value::Object(o) => {
                    let before = problems.len();
                    let fields = self.object(&vs.fields, o, path, problems);
                    if problems.len() > before {
                        return None;
                    }
                    D::Object(fields)
                }
                _ => return fail("wrong_type", path),
            },
            FieldType::Array => match v {
                Value::Array(items) => {
                    let element = vs.element.as_deref().expect("checked schema");
                    let er = self.resolve(element);
                    // Indicators written on the array apply to each element.
                    let extra: Vec<IndicatorKind> = vs.indicators.clone();
                    let mut out = Vec::new();
                    let mut ok = true;
                    for (k, item) in items.iter().enumerate() {
                        path.push(Seg::Index(k));
                        match self.value(&er, &extra, item, path, problems) {
                            // An array of timestamps is never the event time, as in Panther.
                            Some(D::Time(t, _)) => out.push(D::Time(t, false)),
                            Some(d) => out.push(d),
                            None => ok = false,
                        }
                        path.pop();
                    }
                    if !ok {
                        return None;
                    }
                    D::Array(out)
                }
                _ => return fail("wrong_type", path),
            },
            FieldType::Json => D::Json(v.clone()),
            _ => unreachable!("refs are resolved"),
        };
        Some(d)
    }
}

fn int(
    v: &Value,
    min: i64,
    max: i64,
    path: &[Seg],
    mut fail: impl FnMut(&'static str, &[Seg]) -> Option<D>,
) -> Option<D> {
    let i = match v {
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i,
            (None, Some(_)) => return fail("out_of_range", path),
            (None, None) => match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() >= 2f64.powi(63) => {
                    return fail("out_of_range", path)
                }
                _ => return fail("not_an_integer", path),
            },
        },
        Value::String(s) if s.is_empty() => return Some(D::Empty),
        Value::String(s) => {
            let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return fail("bad_text", path);
            }
            match s.parse::<i64>() {
                Ok(i) => i,
                Err(_) => return fail("out_of_range", path),
            }
        }
        _ => return fail("wrong_type", path),
    };
    if i < min || i > max {
        return fail("out_of_range", path);
    }
    Some(D::Int(i))
}

/// A JSON number as it appears in a string field: its text as written in the record read
/// last (see [`LITERALS`]), else [`canonical_text`].
pub fn number_text(n: &Number) -> String {
    let canonical = canonical_text(n);
    match LITERALS.with(|l| l.borrow().get(&canonical).cloned()) {
        Some(Some(written)) => written,
        Some(None) => {
            AMBIGUOUS.with(|a| *a.borrow_mut() = true);
            canonical
        }
        None => canonical,
    }
}

/// A JSON number's canonical text: integers exactly, floats in Rust's shortest round-trip
/// `Debug` form (`0.5`, `1e300`, `1.0`).
pub fn canonical_text(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        format!("{:?}", n.as_f64().unwrap_or(f64::NAN))
    }
}

fn validate(checks: &normalog::schema::Validate, s: &str) -> Result<(), &'static str> {
    if !checks.allow.is_empty() {
        if !checks.allow.iter().any(|a| a == s) {
            return Err("not_allowed");
        }
    } else if checks.deny.iter().any(|d| d == s) {
        return Err("not_allowed");
    }
    let ip_ok = |s: &str, v: IpVersion| match s.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => v != IpVersion::Ipv6,
        Ok(std::net::IpAddr::V6(_)) => v != IpVersion::Ipv4,
        Err(_) => false,
    };
    if let Some(v) = checks.ip {
        if !ip_ok(s, v) {
            return Err("not_ip");
        }
    }
    if let Some(v) = checks.cidr {
        let ok = match s.split_once('/') {
            Some((addr, bits)) => {
                let max = if addr.contains(':') { 128 } else { 32 };
                ip_ok(addr, v)
                    && (1..=3).contains(&bits.len())
                    && bits.bytes().all(|b| b.is_ascii_digit())
                    && bits.parse::<u32>().is_ok_and(|n| n <= max)
            }
            None => false,
        };
        if !ok {
            return Err("not_ip");
        }
    }
    Ok(())
}

/// Numbers are equal when both are the same integer, or when they are the same float up
/// to the last bits. Known exception: NDJSON writes a float field with `Display` (`3`,
/// `100000000000000000000`), which reads back as an integer or a float that may differ in
/// the last bits from simd-json's reading of the input.
pub fn same_number(a: &Number, b: &Number) -> bool {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return x == y;
    }
    same_f64(
        a.as_f64().unwrap_or(f64::NAN),
        b.as_f64().unwrap_or(f64::NAN),
    )
}

/// Floats equal up to a few units in the last place.
#[allow(clippy::float_cmp)] // exact equality first, for values the margin cannot handle
pub fn same_f64(x: f64, y: f64) -> bool {
    x == y || (x - y).abs() <= f64::EPSILON * 4.0 * x.abs().max(y.abs())
}

/// Structural equality with [`same_number`] for numbers.
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => same_number(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_value(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_value(v, w)))
        }
        _ => a == b,
    }
}

/// Compare one NDJSON line written by the normalizer with the expected event; `Err` says
/// what differs.
pub fn check_event(
    line: &str,
    log_type: &str,
    version: i64,
    expected: &Expected,
) -> Result<(), String> {
    let v: Value = serde_json::from_str(line).map_err(|e| format!("output is not JSON: {e}"))?;
    let Value::Object(mut got) = v else {
        return Err("output is not an object".into());
    };
    let take =
        |got: &mut Map<String, Value>, k: &str| got.remove(k).ok_or_else(|| format!("{k} missing"));
    if take(&mut got, "p_log_type")? != log_type {
        return Err("p_log_type".into());
    }
    if take(&mut got, "p_schema_version")? != version {
        return Err("p_schema_version".into());
    }
    let row = take(&mut got, "p_row_id")?;
    if row.as_str().map(str::len) != Some(32) {
        return Err(format!("p_row_id {row}"));
    }
    let parse_time = take(&mut got, "p_parse_time")?;
    let event_time = take(&mut got, "p_event_time")?;
    match &expected.event_time {
        Some(t) if event_time != t.as_str() => {
            return Err(format!("p_event_time {event_time}, expected {t}"))
        }
        None if event_time != parse_time => {
            return Err(format!("p_event_time {event_time} is not the parse time"))
        }
        _ => {}
    }
    for name in expected.indicators.keys() {
        if !got.contains_key(*name) {
            return Err(format!("{name} missing"));
        }
    }
    for c in Column::ALL {
        let Some(values) = got.remove(c.name()) else {
            continue;
        };
        let want = expected.indicators.get(c.name());
        let values: Vec<String> = serde_json::from_value(values).map_err(|e| e.to_string())?;
        if Some(&values) != want {
            return Err(format!("{}: {values:?}, expected {want:?}", c.name()));
        }
    }
    let got = Value::Object(got);
    let want = Value::Object(expected.fields.clone());
    if !same_value(&got, &want) {
        return Err(format!("fields differ:\n got {got}\nwant {want}"));
    }
    Ok(())
}
