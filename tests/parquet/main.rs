//! Parquet output (issue 4): written files read back with the parquet crate's Arrow reader
//! and compared value by value with the NDJSON of the same events; the directory layout;
//! temporary names; the cap on open files.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use normalog::pipeline::{self};
use normalog::sink::arrow::RecordBatchBuilder;
use normalog::sink::parquet::{Options, ParquetWriter};
use normalog::sink::{Collect, Sink};
use normalog::{Error, Event, NormalizerBuilder, Registry};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;
use util::arrow_rows::{rows, same};

#[path = "../util/mod.rs"]
mod util;

mod files;
mod layout;
mod round_trip;

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

fn rich_registry() -> Registry {
    let mut r = Registry::new();
    r.add_path(&data("schemas/rich.yml")).expect("rich schema");
    r
}

/// Sends each event both to NDJSON and to a record batch builder of its log type, so both
/// outputs hold the very same events (same row ids and parse times).
#[derive(Default)]
struct Tee {
    ndjson: Collect,
    builders: Vec<RecordBatchBuilder>,
}

impl Sink for Tee {
    type Error = Error;
    fn record(&mut self, event: &Event<'_>) -> Result<bool, Error> {
        self.ndjson.record(event)?;
        let found = self
            .builders
            .iter()
            .position(|b| b.log_type() == event.log_type());
        let i = found.unwrap_or_else(|| {
            self.builders.push(RecordBatchBuilder::new(event.plan()));
            self.builders.len() - 1
        });
        self.builders[i].append(event)?;
        Ok(true)
    }
}

/// Normalize a file into NDJSON lines and Parquet files under `lake`.
fn tee_to_parquet(
    registry: &Registry,
    builder: &NormalizerBuilder,
    input: &Path,
    lake: &Path,
) -> Vec<String> {
    let mut norm = builder.build(registry).expect("normalizer");
    let mut tee = Tee::default();
    let summary =
        pipeline::normalize_reader(&mut norm, File::open(input).expect("input"), &mut tee)
            .expect("normalize");
    assert_eq!(summary.rejected, 0, "{:?}", tee.ndjson.rejects);
    let mut writer = ParquetWriter::new(lake, Options::default());
    for b in &mut tee.builders {
        let batch = b.finish().expect("batch");
        writer.write_batch(b.log_type(), &batch).expect("write");
    }
    writer.commit().expect("commit");
    tee.ndjson.events
}

/// Every `*.parquet` file under `dir`, sorted.
fn parquet_files(dir: &Path) -> Vec<PathBuf> {
    util::files_under(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
        .collect()
}

fn read_parquet(path: &Path) -> Vec<RecordBatch> {
    ParquetRecordBatchReaderBuilder::try_new(File::open(path).expect("open"))
        .expect("parquet")
        .build()
        .expect("reader")
        .collect::<Result<_, _>>()
        .expect("batches")
}

/// The `json` columns of the schemas under test (only the rich fixture has them).
const JSON_COLUMNS: [&str; 2] = ["extra", "embedded_any"];

/// Every Parquet row equals the NDJSON line with its `p_row_id`, and the counts match.
fn assert_same_rows(ndjson: &[String], lake: &Path) -> usize {
    let mut by_id: BTreeMap<String, Value> = BTreeMap::new();
    for line in ndjson {
        let v: Value = serde_json::from_str(line).expect("NDJSON");
        by_id.insert(v["p_row_id"].as_str().expect("row id").to_owned(), v);
    }
    let mut seen = 0;
    for file in parquet_files(lake) {
        for mut row in rows(&read_parquet(&file)) {
            // `json` columns hold JSON text; NDJSON holds the value itself.
            for k in JSON_COLUMNS {
                if let Some(Value::String(text)) = row.get(k) {
                    let parsed = serde_json::from_str(text).expect("json column holds JSON");
                    row.insert(k.to_owned(), parsed);
                }
            }
            let id = row["p_row_id"].as_str().expect("row id").to_owned();
            let nd = by_id.remove(&id).expect("row in NDJSON");
            same(&nd, &Value::Object(row), &id);
            seen += 1;
        }
    }
    assert!(by_id.is_empty(), "rows missing from Parquet: {by_id:?}");
    seen
}

/// Relative paths of all files under `dir` (hidden ones included), sorted.
fn listing(dir: &Path) -> Vec<String> {
    util::files_under(dir)
        .iter()
        .map(|p| {
            p.strip_prefix(dir)
                .expect("under dir")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

/// Zoom.Activity events, one per line, at the given hours after 2023-07-01T00:00Z.
fn zoom_events(hours: impl Iterator<Item = u32>) -> (Vec<RecordBatch>, usize) {
    let registry = Registry::builtin();
    let mut norm = NormalizerBuilder::new()
        .log_types(["Zoom.Activity"])
        .build(&registry)
        .expect("normalizer");
    let mut builder = RecordBatchBuilder::new(registry.get("Zoom.Activity").expect("plan"));
    let mut batches = Vec::new();
    let mut n = 0;
    for h in hours {
        let t = chrono::DateTime::from_timestamp(1_688_169_600 + i64::from(h) * 3600 + 60, 0)
            .expect("time");
        let line = format!(
            r#"{{"email":"u{h}@example.com","time":"{}"}}"#,
            t.format("%Y-%m-%dT%H:%M:%SZ")
        );
        norm.normalize_bytes(line.as_bytes(), normalog::Position::default(), &mut builder)
            .expect("normalize");
        n += 1;
        // Batches of 10 rows: 10 distinct partitions each.
        if builder.len() == 10 {
            batches.push(builder.finish().expect("batch"));
        }
    }
    if !builder.is_empty() {
        batches.push(builder.finish().expect("batch"));
    }
    (batches, n)
}
