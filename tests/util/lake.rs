//! A data lake read back for comparisons across runs: its rows as canonical strings (the
//! same for Parquet and NDJSON), and the files an interrupted run may leave.

use std::fs::File;
use std::path::{Path, PathBuf};

use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::{Map, Value};

use super::arrow_rows::{rows, TS};
use super::files_under;

/// A row without what differs between runs (`p_row_id`, `p_parse_time`), timestamps as
/// microseconds since the epoch (NDJSON writes them as text, Parquet as numbers), as JSON
/// text with sorted keys.
pub fn canonical(mut row: Map<String, Value>) -> String {
    row.remove("p_row_id");
    row.remove("p_parse_time");
    let mut v = Value::Object(row);
    times_as_micros(&mut v);
    serde_json::to_string(&v).expect("JSON")
}

fn times_as_micros(v: &mut Value) {
    match v {
        Value::String(s) => {
            let micros = match s.strip_prefix(TS) {
                Some(us) => us.parse::<i64>().ok(),
                None => s
                    .parse::<chrono::DateTime<chrono::Utc>>()
                    .ok()
                    .map(|t| t.timestamp_micros()),
            };
            if let Some(us) = micros {
                *v = Value::String(format!("time {us}"));
            }
        }
        Value::Array(a) => a.iter_mut().for_each(times_as_micros),
        Value::Object(o) => o.values_mut().for_each(times_as_micros),
        _ => {}
    }
}

/// The Parquet part files under `lake` (committed: not hidden).
pub fn parquet_files(lake: &Path) -> Vec<PathBuf> {
    files_under(lake)
        .into_iter()
        .filter(|f| {
            f.extension().is_some_and(|e| e == "parquet")
                && !f
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect()
}

/// Every row of every committed Parquet file under `lake`, canonical, sorted.
pub fn parquet_rows(lake: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for f in parquet_files(lake) {
        let batches: Vec<_> =
            ParquetRecordBatchReaderBuilder::try_new(File::open(&f).expect("open"))
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()))
                .build()
                .expect("reader")
                .collect::<Result<_, _>>()
                .expect("batches");
        out.extend(rows(&batches).into_iter().map(canonical));
    }
    out.sort();
    out
}

/// NDJSON text (lines of events), canonical, sorted.
pub fn ndjson_rows(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .lines()
        .map(|l| match serde_json::from_str(l).expect("NDJSON") {
            Value::Object(m) => canonical(m),
            other => panic!("not an object: {other}"),
        })
        .collect();
    out.sort();
    out
}

/// Directories under `lake` (outside `_normalog/`) that hold nothing: partitions an
/// interrupted run created and left.
#[allow(dead_code)]
pub fn empty_dirs(lake: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut any = false;
        for e in entries.flatten() {
            any = true;
            let path = e.path();
            if path.is_dir() && !path.ends_with("_normalog") {
                walk(&path, out);
            }
        }
        if !any {
            out.push(dir.to_path_buf());
        }
    }
    let mut out = Vec::new();
    walk(lake, &mut out);
    out.retain(|d| d != lake);
    out
}

/// What an unfinished run leaves: hidden files (temporary part files and manifests), and
/// the run locks and commit journals under `_normalog/`.
pub fn debris(lake: &Path) -> Vec<PathBuf> {
    files_under(lake)
        .into_iter()
        .filter(|f| {
            let rel = f.strip_prefix(lake).expect("under the lake");
            rel.starts_with("_normalog/locks")
                || rel.starts_with("_normalog/commits")
                || f.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect()
}
