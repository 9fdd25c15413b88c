//! Arrow rows as JSON, for comparing Parquet/Arrow output with NDJSON output.

use std::collections::BTreeSet;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use serde_json::{Map, Value};

/// Marks a timestamp cell: microseconds since the epoch follow.
pub const TS: &str = "\u{0}ts:";

/// One cell as JSON, `None` for null (NDJSON omits nulls).
pub fn cell(a: &dyn Array, i: usize) -> Option<Value> {
    if a.is_null(i) {
        return None;
    }
    Some(match a.data_type() {
        DataType::Utf8 => Value::from(a.as_string::<i32>().value(i)),
        DataType::Int16 => Value::from(a.as_primitive::<Int16Type>().value(i)),
        DataType::Int32 => Value::from(a.as_primitive::<Int32Type>().value(i)),
        DataType::Int64 => Value::from(a.as_primitive::<Int64Type>().value(i)),
        DataType::Float64 => Value::from(a.as_primitive::<Float64Type>().value(i)),
        DataType::Boolean => Value::from(a.as_boolean().value(i)),
        DataType::Timestamp(TimeUnit::Microsecond, Some(tz)) if &**tz == "UTC" => {
            let us = a.as_primitive::<TimestampMicrosecondType>().value(i);
            Value::from(format!("{TS}{us}"))
        }
        DataType::Struct(_) => {
            let s = a.as_struct();
            let mut m = Map::new();
            for (f, c) in s.fields().iter().zip(s.columns()) {
                if let Some(v) = cell(c, i) {
                    m.insert(f.name().clone(), v);
                }
            }
            Value::Object(m)
        }
        DataType::List(_) => {
            let l = a.as_list::<i32>().value(i);
            assert!(!l.is_empty(), "an empty list field is written as null");
            Value::Array((0..l.len()).map(|j| item(&l, j)).collect())
        }
        t => panic!("unexpected type {t}"),
    })
}

/// One list item as JSON: `null` for a null item, and an empty list as `[]` (an empty
/// inner array keeps its place, where an empty field is left out).
fn item(a: &dyn Array, j: usize) -> Value {
    if a.is_valid(j) {
        if let DataType::List(_) = a.data_type() {
            let l = a.as_list::<i32>().value(j);
            return Value::Array((0..l.len()).map(|k| item(&l, k)).collect());
        }
    }
    cell(a, j).unwrap_or(Value::Null)
}

pub fn rows(batches: &[RecordBatch]) -> Vec<Map<String, Value>> {
    let mut out = Vec::new();
    for b in batches {
        for i in 0..b.num_rows() {
            let mut m = Map::new();
            for (f, c) in b.schema().fields().iter().zip(b.columns()) {
                if let Some(v) = cell(c, i) {
                    m.insert(f.name().clone(), v);
                }
            }
            out.push(m);
        }
    }
    out
}

/// Compare an NDJSON value with a Parquet cell: timestamps as instants at microsecond
/// precision (Parquet truncates below it), numbers numerically.
pub fn same(nd: &Value, pq: &Value, path: &str) {
    match (nd, pq) {
        (Value::String(s), Value::String(p)) if p.starts_with(TS) => {
            let want: chrono::DateTime<chrono::Utc> = s.parse().expect("NDJSON timestamp");
            let got: i64 = p[TS.len()..].parse().expect("micros");
            assert_eq!(want.timestamp_micros(), got, "{path}: {s}");
        }
        (Value::Number(a), Value::Number(b)) => {
            if let (Some(a), Some(b)) = (a.as_i64(), b.as_i64()) {
                assert_eq!(a, b, "{path}");
            } else {
                assert_eq!(a.as_f64(), b.as_f64(), "{path}");
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            let ka: BTreeSet<&String> = a.keys().collect();
            let kb: BTreeSet<&String> = b.keys().collect();
            assert_eq!(ka, kb, "{path}: keys");
            for (k, v) in a {
                same(v, &b[k], &format!("{path}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{path}: length");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                same(x, y, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(nd, pq, "{path}"),
    }
}
