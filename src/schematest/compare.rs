//! Panther's comparison contract for an expected event and an actual one; the contract is
//! documented on the [module](super).

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::Difference;
use crate::event::{
    P_EVENT_TIME, P_LOG_TYPE, P_PARSE_TIME, P_ROW_ID, P_SCHEMA_VERSION, P_SOURCE_ID, P_SOURCE_LABEL,
};
use crate::schema::{FieldType, Schema, ValueSchema};
use crate::time::{TimeFormat, Timestamp};

/// How deep `ref` definitions are followed (they may be recursive).
const MAX_DEPTH: usize = 32;

/// What the schema says about a JSON path: which values are timestamps, and in which formats.
#[derive(Debug)]
pub(crate) enum Shape {
    Timestamp(Vec<TimeFormat>),
    Object(Vec<(String, Shape)>),
    Array(Box<Shape>),
    Other,
}

impl Shape {
    /// The shape of a log type's records.
    pub(crate) fn of(schema: &Schema) -> Shape {
        Shape::Object(
            schema
                .fields
                .iter()
                .map(|f| (f.name.clone(), Shape::value(&f.value, schema, 0)))
                .collect(),
        )
    }

    fn value(v: &ValueSchema, schema: &Schema, depth: usize) -> Shape {
        if depth > MAX_DEPTH {
            return Shape::Other;
        }
        match v.ty {
            FieldType::Timestamp => Shape::Timestamp(
                v.time_format
                    .iter()
                    .chain(&v.time_formats)
                    .filter_map(|spec| TimeFormat::from_spec(spec).ok())
                    .collect(),
            ),
            FieldType::Object => Shape::Object(
                v.fields
                    .iter()
                    .map(|f| (f.name.clone(), Shape::value(&f.value, schema, depth + 1)))
                    .collect(),
            ),
            FieldType::Array => v.element.as_ref().map_or(Shape::Other, |e| {
                Shape::Array(Box::new(Shape::value(e, schema, depth + 1)))
            }),
            FieldType::Ref => v
                .target
                .as_ref()
                .and_then(|t| schema.definitions.get(t))
                .map_or(Shape::Other, |d| Shape::value(d, schema, depth + 1)),
            _ => Shape::Other,
        }
    }

    fn field(&self, key: &str) -> &Shape {
        match self {
            Shape::Object(fields) => fields
                .iter()
                .find(|(name, _)| name == key)
                .map_or(&Shape::Other, |(_, s)| s),
            _ => &Shape::Other,
        }
    }
}

/// Compare one expected event with the actual one; an empty list means they agree.
///
/// Differences come in reading order: schema fields in schema order, other keys, the
/// standard fields, then the other `p_*` fields (indicators).
pub(crate) fn event(
    expected: &Map<String, Value>,
    actual: &Map<String, Value>,
    shape: &Shape,
) -> Vec<Difference> {
    const HANDLED: [&str; 4] = [P_LOG_TYPE, P_ROW_ID, P_PARSE_TIME, P_EVENT_TIME];
    const IF_EXPECTED: [&str; 3] = [P_SCHEMA_VERSION, P_SOURCE_ID, P_SOURCE_LABEL];
    let mut diffs = Vec::new();
    let keys = ordered_keys(expected, actual, shape);
    let (meta, fields): (Vec<&String>, Vec<&String>) =
        keys.into_iter().partition(|k| k.starts_with("p_"));
    for key in fields {
        value(
            key,
            expected.get(key),
            actual.get(key),
            shape.field(key),
            &mut diffs,
        );
    }
    // p_log_type: exact.
    let (e, a) = (expected.get(P_LOG_TYPE), actual.get(P_LOG_TYPE));
    if e != a {
        diffs.push(Difference::new(P_LOG_TYPE, e, a));
    }
    // p_row_id: any non-empty string.
    let row_id = actual.get(P_ROW_ID);
    if row_id.and_then(Value::as_str).is_none_or(str::is_empty) {
        diffs.push(Difference::rule(P_ROW_ID, "a non-empty string", row_id));
    }
    // p_parse_time: any timestamp.
    let parse_time = actual.get(P_PARSE_TIME).and_then(|v| instant(v, &[]));
    if parse_time.is_none() {
        diffs.push(Difference::rule(
            P_PARSE_TIME,
            "a timestamp",
            actual.get(P_PARSE_TIME),
        ));
    }
    // p_event_time: an instant; without an expectation (`null` and `""` are none, as the
    // zero time of Panther's decoder), the parse time.
    let a = actual.get(P_EVENT_TIME);
    match expected
        .get(P_EVENT_TIME)
        .filter(|v| !v.is_null() && v.as_str() != Some(""))
    {
        Some(e) => {
            if !same_instant(e, a, &[]) {
                diffs.push(Difference::new(P_EVENT_TIME, Some(e), a));
            }
        }
        None => {
            if a.and_then(|v| instant(v, &[])) != parse_time {
                diffs.push(Difference::rule(
                    P_EVENT_TIME,
                    "(absent: the parse time)",
                    a,
                ));
            }
        }
    }
    for key in meta {
        if HANDLED.contains(&key.as_str())
            || (IF_EXPECTED.contains(&key.as_str()) && !expected.contains_key(key))
        {
            continue;
        }
        value(
            key,
            expected.get(key),
            actual.get(key),
            &Shape::Other,
            &mut diffs,
        );
    }
    diffs
}

/// The keys of two objects: the schema's fields in schema order, then the others sorted.
fn ordered_keys<'a>(
    e: &'a Map<String, Value>,
    a: &'a Map<String, Value>,
    shape: &Shape,
) -> Vec<&'a String> {
    let mut rest: BTreeSet<&String> = e.keys().chain(a.keys()).collect();
    let mut keys = Vec::with_capacity(rest.len());
    if let Shape::Object(fields) = shape {
        for (name, _) in fields {
            if let Some(k) = rest.take(name) {
                keys.push(k);
            }
        }
    }
    keys.extend(rest);
    keys
}

fn value(
    path: &str,
    e: Option<&Value>,
    a: Option<&Value>,
    shape: &Shape,
    diffs: &mut Vec<Difference>,
) {
    // Compared as Panther's `JSONEq` compares: an expected `null` where the event has no
    // key is a difference (normalized events hold no null but inside `json` values).
    let (e, a) = match (e, a) {
        (None, None) => return,
        (Some(e), Some(a)) => (e, a),
        (e, a) => {
            diffs.push(Difference::new(path, e, a));
            return;
        }
    };
    match (shape, e, a) {
        (Shape::Timestamp(formats), _, _) => {
            let same = match (instant(e, formats), instant(a, formats)) {
                (Some(x), Some(y)) => x == y,
                _ => scalar_eq(e, a),
            };
            if !same {
                diffs.push(Difference::new(path, Some(e), Some(a)));
            }
        }
        (_, Value::Object(eo), Value::Object(ao)) => {
            for k in ordered_keys(eo, ao, shape) {
                value(
                    &format!("{path}.{k}"),
                    eo.get(k),
                    ao.get(k),
                    shape.field(k),
                    diffs,
                );
            }
        }
        (_, Value::Array(ea), Value::Array(aa)) if ea.len() == aa.len() => {
            let element = match shape {
                Shape::Array(el) => el,
                _ => &Shape::Other,
            };
            // Arrays of plain values read best whole; arrays of objects element by element.
            if ea.iter().chain(aa).all(|v| !v.is_object() && !v.is_array()) {
                if !ea
                    .iter()
                    .zip(aa)
                    .all(|(x, y)| scalar_eq(x, y) || timestamps_eq(x, y, element))
                {
                    diffs.push(Difference::new(path, Some(e), Some(a)));
                }
            } else {
                for (i, (x, y)) in ea.iter().zip(aa).enumerate() {
                    value(&format!("{path}[{i}]"), Some(x), Some(y), element, diffs);
                }
            }
        }
        _ => {
            if !scalar_eq(e, a) {
                diffs.push(Difference::new(path, Some(e), Some(a)));
            }
        }
    }
}

fn timestamps_eq(x: &Value, y: &Value, shape: &Shape) -> bool {
    match shape {
        Shape::Timestamp(formats) => same_instant(x, Some(y), formats),
        _ => false,
    }
}

/// Exact equality, except that numbers compare by value (`1 == 1.0`).
fn scalar_eq(x: &Value, y: &Value) -> bool {
    match (x, y) {
        (Value::Number(a), Value::Number(b)) => {
            match (a.as_i64(), b.as_i64(), a.as_u64(), b.as_u64()) {
                (Some(a), Some(b), _, _) => a == b,
                (_, _, Some(a), Some(b)) => a == b,
                _ => {
                    #[allow(clippy::float_cmp)] // exact equality is the contract
                    let eq = a.as_f64() == b.as_f64();
                    eq
                }
            }
        }
        _ => x == y,
    }
}

fn same_instant(e: &Value, a: Option<&Value>, formats: &[TimeFormat]) -> bool {
    match (instant(e, formats), a.and_then(|a| instant(a, formats))) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Read a value as a point in time: RFC3339, Panther's data-lake layout
/// (`2023-07-01 14:00:00.123`, UTC), or any of the field's own formats (strings or numbers).
pub(crate) fn instant(v: &Value, formats: &[TimeFormat]) -> Option<Timestamp> {
    match v {
        Value::String(s) => TimeFormat::Rfc3339
            .parse_str(s)
            .or_else(|| panther_layout(s))
            .or_else(|| formats.iter().find_map(|f| f.parse_str(s))),
        Value::Number(n) => formats.iter().find_map(|f| {
            if let Some(i) = n.as_i64() {
                f.parse_i64(i)
            } else if let Some(u) = n.as_u64() {
                f.parse_u64(u)
            } else {
                n.as_f64().and_then(|x| f.parse_f64(x))
            }
        }),
        _ => None,
    }
}

/// `YYYY-MM-DD HH:MM:SS` with an optional fraction, UTC: how Panther's data lake (and
/// Snowflake-era events) render timestamps.
fn panther_layout(s: &str) -> Option<Timestamp> {
    let spec = if s.contains('.') {
        "%Y-%m-%d %H:%M:%S.%f"
    } else {
        "%Y-%m-%d %H:%M:%S"
    };
    TimeFormat::from_spec(spec).ok()?.parse_str(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn shape() -> Shape {
        Shape::Object(vec![
            ("t".into(), Shape::Timestamp(vec![TimeFormat::Unix])),
            (
                "ts".into(),
                Shape::Array(Box::new(Shape::Timestamp(vec![TimeFormat::UnixMs]))),
            ),
        ])
    }

    fn actual(extra: Value) -> Map<String, Value> {
        let mut m = obj(json!({
            "p_log_type": "A.B",
            "p_row_id": "abc",
            "p_event_time": "2023-07-01T14:00:00Z",
            "p_parse_time": "2024-01-01T00:00:00.5Z",
            "p_schema_version": 0,
        }));
        m.extend(obj(extra));
        m
    }

    fn paths(d: &[Difference]) -> Vec<&str> {
        d.iter().map(|d| d.path.as_str()).collect()
    }

    #[test]
    fn contract() {
        let a = actual(
            json!({"n": 1, "t": "2023-07-01T14:00:00Z", "ts": ["2023-07-01T14:00:00.001Z"]}),
        );
        let e = obj(json!({
            "p_log_type": "A.B", "p_row_id": "whatever", "p_parse_time": "x",
            "p_event_time": "2023-07-01 16:00:00.000+02:00",
            "n": 1.0, "t": 1_688_220_000, "ts": [1_688_220_000_001_u64]
        }));
        // The +02:00 form is not one Panther writes: it fails the instant parse.
        assert_eq!(paths(&event(&e, &a, &shape())), ["p_event_time"]);
        let mut e2 = e.clone();
        e2.insert(
            "p_event_time".into(),
            json!("2023-07-01 14:00:00.000000000"),
        );
        assert!(event(&e2, &a, &shape()).is_empty());
        e2.insert("p_event_time".into(), json!("2023-07-01T16:00:00+02:00"));
        assert!(event(&e2, &a, &shape()).is_empty());
        // An expected null is a key the event lacks, as Panther's `JSONEq` has it.
        e2.insert("gone".into(), json!(null));
        assert_eq!(paths(&event(&e2, &a, &shape())), ["gone"]);
    }

    #[test]
    fn missing_extra_changed() {
        let a = actual(json!({"n": 2, "extra": "x", "o": {"k": [1, 2]}}));
        let e = obj(
            json!({"p_log_type": "A.B", "p_event_time": "2023-07-01T14:00:00Z",
            "n": 1, "miss": true, "o": {"k": [1, 3]}, "p_schema_version": 1}),
        );
        assert_eq!(
            paths(&event(&e, &a, &shape())),
            ["extra", "miss", "n", "o.k", "p_schema_version"]
        );
    }

    #[test]
    fn event_time_defaults_to_parse_time() {
        let mut a = actual(json!({}));
        let e = obj(json!({"p_log_type": "A.B"}));
        assert_eq!(paths(&event(&e, &a, &shape())), ["p_event_time"]);
        a.insert("p_event_time".into(), json!("2024-01-01T00:00:00.5Z"));
        assert!(event(&e, &a, &shape()).is_empty());
        // `null` and `""` expect no event time, as Panther's decoder reads them (zero).
        for none in [json!(null), json!("")] {
            let e = obj(json!({"p_log_type": "A.B", "p_event_time": none}));
            assert!(event(&e, &a, &shape()).is_empty(), "{none}");
        }
    }

    #[test]
    fn row_id_and_log_type() {
        let mut a = actual(json!({}));
        a.insert("p_row_id".into(), json!(""));
        let e = obj(json!({"p_log_type": "X.Y", "p_event_time": "2023-07-01T14:00:00Z"}));
        assert_eq!(paths(&event(&e, &a, &shape())), ["p_log_type", "p_row_id"]);
    }
}
