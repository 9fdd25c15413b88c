//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod arrow_rows;
pub mod csv;
pub mod entry;
pub mod lake;
pub mod pause;

use std::path::{Path, PathBuf};

use normalog::sink::Collect;
use normalog::{NormalizerBuilder, Position, Registry};
use serde_json::Value;

/// Path of a file under tests/data.
pub fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

/// A registry with one schema file from tests/data/schemas.
pub fn registry(schema_file: &str) -> Registry {
    let mut r = Registry::new();
    r.add_path(&data(&format!("schemas/{schema_file}")))
        .unwrap_or_else(|e| panic!("{e}"));
    r
}

/// Normalize one line: the event as JSON without `p_row_id` / `p_parse_time`, or the reject.
pub fn normalize(registry: &Registry, log_types: &[&str], line: &str) -> Result<Value, String> {
    let mut n = NormalizerBuilder::new()
        .log_types(log_types.iter().copied())
        .build(registry)
        .map_err(|e| e.to_string())?;
    let mut out = Collect::default();
    n.normalize_bytes(line.as_bytes(), Position::new(0, 1, 0), &mut out)
        .map_err(|e| e.to_string())?;
    if let Some(r) = out.rejects.pop() {
        return Err(r);
    }
    assert_eq!(out.events.len(), 1, "one event per record");
    let mut v: Value = serde_json::from_str(&out.events[0]).expect("output is JSON");
    let obj = v.as_object_mut().expect("object");
    let row = obj.remove("p_row_id").expect("p_row_id");
    assert_eq!(row.as_str().map(str::len), Some(32));
    let parse = obj.remove("p_parse_time").expect("p_parse_time");
    // Event time falls back to parse time: make that visible as "<parse time>".
    if obj.get("p_event_time") == Some(&parse) {
        obj.insert("p_event_time".into(), Value::String("<parse time>".into()));
    }
    Ok(v)
}

/// Every file under `dir` (hidden ones included, as temporary files are), sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
