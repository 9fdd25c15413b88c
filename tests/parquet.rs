//! Parquet output (issue 4): written files read back with the parquet crate's Arrow reader
//! and compared value by value with the NDJSON of the same events; the directory layout;
//! temporary names; the cap on open files.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use normalog::pipeline::{self, Batch, Ignore, Input};
use normalog::sink::arrow::{arrow_schema, RecordBatchBuilder};
use normalog::sink::layout::Partition;
use normalog::sink::parquet::{Options, ParquetWriter};
use normalog::sink::{ndjson, Collect, Sink};
use normalog::{Error, Event, NormalizerBuilder, Position, Registry};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;
use util::arrow_rows::{rows, same};

mod util;

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

#[test]
fn shipped_log_types_round_trip() {
    let registry = Registry::builtin();
    for (sample, log_type, table) in [
        ("zendesk_audit.jsonl", "Zendesk.Audit", "zendesk_audit"),
        ("zoom_activity.jsonl", "Zoom.Activity", "zoom_activity"),
        ("zoom_operation.jsonl", "Zoom.Operation", "zoom_operation"),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut b = NormalizerBuilder::new();
        b.log_types([log_type]);
        let lines = tee_to_parquet(
            &registry,
            &b,
            &data(&format!("samples/{sample}")),
            dir.path(),
        );
        assert!(!lines.is_empty());
        assert_eq!(
            assert_same_rows(&lines, dir.path()),
            lines.len(),
            "{sample}"
        );
        assert!(dir.path().join(table).is_dir(), "{table}");
    }
    // All types at once, classified.
    let dir = tempfile::tempdir().expect("tempdir");
    let lines = tee_to_parquet(
        &registry,
        &NormalizerBuilder::new(),
        &data("samples/mixed.jsonl"),
        dir.path(),
    );
    assert_eq!(assert_same_rows(&lines, dir.path()), lines.len());
}

#[test]
fn rich_schema_round_trip() {
    let registry = rich_registry();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = NormalizerBuilder::new();
    b.source_id(Some("src-1".into()))
        .source_label(Some("label ü".into()));
    let lines = tee_to_parquet(&registry, &b, &data("parquet/rich.jsonl"), dir.path());
    assert_eq!(lines.len(), 5);
    assert_eq!(assert_same_rows(&lines, dir.path()), 5);

    // The nulls the comparison cannot see (it treats null and absent alike) checked by hand.
    let batches: Vec<RecordBatch> = parquet_files(dir.path())
        .iter()
        .flat_map(|f| read_parquet(f))
        .collect();
    let all = arrow_select_concat(&batches);
    let id = all
        .column_by_name("id")
        .expect("id")
        .as_primitive::<Int64Type>();
    let row = |want: i64| {
        (0..all.num_rows())
            .find(|&i| id.value(i) == want)
            .expect("row")
    };
    let (r2, r3) = (row(2), row(3));
    // Absent object: a null struct; present but empty object: a struct of nulls.
    let geo = all.column_by_name("geo").expect("geo").as_struct();
    assert!(geo.is_null(r2));
    assert!(geo.is_valid(r3));
    assert!(geo.column(0).is_null(r3) && geo.column(1).is_null(r3));
    // Empty and absent arrays are null lists; "" in numbers is null, kept in strings.
    for name in ["tags", "items", "hosts"] {
        let c = all.column_by_name(name).expect(name);
        assert!(c.is_null(r2) && c.is_null(r3), "{name}");
    }
    assert!(all.column_by_name("small").expect("small").is_null(r3));
    assert_eq!(
        all.column_by_name("msg")
            .expect("msg")
            .as_string::<i32>()
            .value(r3),
        ""
    );
    // Unfilled indicator columns are null lists.
    assert!(all
        .column_by_name("p_any_ip_addresses")
        .expect("ips")
        .is_null(r2));
    // Sub-microsecond digits are truncated toward the past.
    let ts = all
        .column_by_name("ts_rfc")
        .expect("ts_rfc")
        .as_primitive::<TimestampMicrosecondType>();
    assert_eq!(ts.value(row(i64::MAX)), -1);
    assert_eq!(
        all.column_by_name("p_source_label")
            .expect("label")
            .as_string::<i32>()
            .value(r2),
        "label ü"
    );
}

/// Appends each event to two builders: one reused batch after batch, one fresh per batch.
struct ReusedAndFresh {
    reused: RecordBatchBuilder,
    fresh: RecordBatchBuilder,
}

impl Sink for ReusedAndFresh {
    type Error = Error;
    fn record(&mut self, event: &Event<'_>) -> Result<bool, Error> {
        self.reused.append(event)?;
        self.fresh.append(event)?;
        Ok(true)
    }
}

/// A builder keeps its buffers reserved after `finish`; its later batches (of every type:
/// structs, lists, nulls, `p_*` columns) must equal those of a fresh builder.
#[test]
fn reused_builder_matches_fresh() {
    let registry = rich_registry();
    let plan = registry.get("Custom.Rich").expect("rich schema");
    let text = std::fs::read_to_string(data("parquet/rich.jsonl")).expect("rich records");
    let lines: Vec<&str> = text.lines().collect();
    let mut b = NormalizerBuilder::new();
    b.source_id(Some("src-1".into()));
    let mut normalizer = b.build(&registry).expect("normalizer");
    let mut sink = ReusedAndFresh {
        reused: RecordBatchBuilder::new(plan),
        fresh: RecordBatchBuilder::new(plan),
    };
    // Batches of different sizes and contents, so that reserved room is both too much and
    // too little.
    for batch in [&lines[..1], &lines[1..], &lines[..], &lines[2..4]] {
        sink.fresh = RecordBatchBuilder::new(plan);
        for line in batch {
            normalizer
                .normalize_bytes(line.as_bytes(), Position::default(), &mut sink)
                .expect("normalized");
        }
        let reused = sink.reused.finish().expect("reused batch");
        let fresh = sink.fresh.finish().expect("fresh batch");
        assert_eq!(reused.num_rows(), batch.len());
        assert_eq!(reused, fresh);
    }
}

fn arrow_select_concat(batches: &[RecordBatch]) -> RecordBatch {
    arrow_select::concat::concat_batches(&batches[0].schema(), batches).expect("concat")
}

#[test]
fn arrow_schema_maps_types() {
    let registry = rich_registry();
    let schema = arrow_schema(registry.get("Custom.Rich").expect("plan"));
    let ts = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    let ty = |n: &str| schema.field_with_name(n).expect(n).data_type().clone();
    assert_eq!(ty("id"), DataType::Int64);
    assert_eq!(ty("small"), DataType::Int16);
    assert_eq!(ty("count"), DataType::Int32);
    assert_eq!(ty("ratio"), DataType::Float64);
    assert_eq!(ty("ok"), DataType::Boolean);
    assert_eq!(ty("msg"), DataType::Utf8);
    assert_eq!(ty("extra"), DataType::Utf8);
    assert_eq!(ty("ts_layout"), ts);
    assert_eq!(ty("p_event_time"), ts);
    assert_eq!(ty("p_parse_time"), ts);
    assert_eq!(ty("p_schema_version"), DataType::Int64);
    assert_eq!(ty("p_source_id"), DataType::Utf8);
    assert!(matches!(ty("actor"), DataType::Struct(f) if f.len() == 2));
    let DataType::List(items) = ty("items") else {
        panic!("items is a list")
    };
    assert!(
        matches!(items.data_type(), DataType::Struct(f) if f[0].data_type() == &DataType::Int32)
    );
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let p_at = names
        .iter()
        .position(|n| *n == "p_log_type")
        .expect("p_log_type");
    assert_eq!(
        names[p_at - 1],
        "instance",
        "schema fields first, in schema order"
    );
    assert_eq!(
        &names[p_at..p_at + 7],
        [
            "p_log_type",
            "p_row_id",
            "p_event_time",
            "p_parse_time",
            "p_schema_version",
            "p_source_id",
            "p_source_label"
        ]
    );
    // The rich schema uses every indicator kind, so all 12 columns, as lists of strings.
    let any: Vec<&&str> = names.iter().filter(|n| n.starts_with("p_any_")).collect();
    assert_eq!(any.len(), 12);
    for n in any {
        assert!(matches!(ty(n), DataType::List(f) if f.data_type() == &DataType::Utf8));
    }
    // Zoom.Activity fills only some columns.
    let zoom = arrow_schema(Registry::builtin().get("Zoom.Activity").expect("zoom"));
    let any: Vec<&str> = zoom
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .filter(|n| n.starts_with("p_any_"))
        .collect();
    assert_eq!(any, ["p_any_ip_addresses", "p_any_emails"]);
}

/// The parallel path (workers build batches, ordered writer) writes the same rows as the
/// single-threaded NDJSON path, in input order within each table.
#[test]
fn parallel_path_matches_ndjson() {
    let registry = Registry::builtin();
    let dir = tempfile::tempdir().expect("tempdir");
    // Many copies, so that small chunks spread the input over both workers.
    let text = std::fs::read_to_string(data("samples/mixed.jsonl")).expect("sample");
    let input = dir.path().join("in.ndjson");
    std::fs::write(&input, text.repeat(50)).expect("write");
    let lake = dir.path().join("lake");
    let mut writer = ParquetWriter::new(
        &lake,
        Options {
            partition: Partition::None,
            row_group_rows: 100,
            ..Options::default()
        },
    );
    let run = Batch::new()
        .threads(2)
        .chunk_bytes(700)
        .run_parquet(
            &NormalizerBuilder::new(),
            &registry,
            &[Input::Path(input.clone())],
            &mut writer,
            &mut Ignore,
        )
        .expect("run");
    writer.commit().expect("commit");
    assert_eq!(run.summary.rejected, 0);

    let mut norm = NormalizerBuilder::new()
        .build(&registry)
        .expect("normalizer");
    let mut collect = Collect::with_options(ndjson::Options::default());
    pipeline::normalize_reader(&mut norm, File::open(&input).expect("input"), &mut collect)
        .expect("ndjson");
    assert_eq!(run.summary.normalized, collect.events.len() as u64);

    let mut total = 0;
    for file in parquet_files(&lake) {
        let pq = rows(&read_parquet(&file));
        assert!(
            file.ends_with("part-0.parquet"),
            "one file per table: {file:?}"
        );
        let log_type = pq[0]["p_log_type"].as_str().expect("log type").to_owned();
        let nd: Vec<Value> = collect
            .events
            .iter()
            .map(|l| serde_json::from_str::<Value>(l).expect("json"))
            .filter(|v| v["p_log_type"] == log_type.as_str())
            .collect();
        assert_eq!(nd.len(), pq.len(), "{log_type}");
        for (i, (mut n, mut p)) in nd.into_iter().zip(pq).enumerate() {
            for k in ["p_row_id", "p_parse_time"] {
                n.as_object_mut().expect("object").remove(k);
                p.remove(k);
            }
            same(&n, &Value::Object(p), &format!("{log_type}[{i}]"));
        }
        // Several row groups were cut.
        let meta = ParquetRecordBatchReaderBuilder::try_new(File::open(&file).expect("open"))
            .expect("parquet")
            .metadata()
            .clone();
        if meta.file_metadata().num_rows() > 100 {
            assert!(meta.num_row_groups() > 1);
            // Statistics are on: p_event_time has min/max per row group.
            let col = meta
                .row_group(0)
                .columns()
                .iter()
                .find(|c| c.column_path().string() == "p_event_time");
            assert!(col
                .and_then(|c| c.statistics())
                .is_some_and(|s| s.min_bytes_opt().is_some()));
        }
        total += meta.file_metadata().num_rows();
    }
    assert_eq!(u64::try_from(total).expect("rows"), run.summary.normalized);
}

fn normalog(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_normalog"))
        .args(args)
        .output()
        .expect("run normalog")
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

/// [`listing`] of a CLI run's output, with the run id (16 hex digits, a hash of the
/// inputs' paths and times) taken out of the part names (`part-<id>-0` → `part-0`), and
/// the run's manifest (checked to name the same files) left out.
fn run_listing(dir: &Path) -> Vec<String> {
    let all = listing(dir);
    let manifests: Vec<&String> = all
        .iter()
        .filter(|f| f.starts_with("_normalog/runs/"))
        .collect();
    assert_eq!(manifests.len(), 1, "{all:?}");
    let id = manifests[0]
        .trim_start_matches("_normalog/runs/")
        .to_owned();
    assert_eq!(id.len(), 16, "{id}");
    let parts: Vec<String> = all
        .iter()
        .filter(|f| !f.starts_with("_normalog/"))
        .cloned()
        .collect();
    let manifest = std::fs::read_to_string(dir.join(manifests[0])).expect("manifest");
    let mut listed: Vec<&str> = manifest.lines().collect();
    listed.sort_unstable();
    assert_eq!(listed, parts);
    parts
        .iter()
        .map(|f| f.replace(&format!("part-{id}-"), "part-"))
        .collect()
}

#[test]
fn partition_layout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = data("samples/mixed.jsonl");
    let input = input.to_str().expect("utf-8 path");
    let lake = dir.path().join("lake");
    let out = normalog(&[
        "normalize",
        input,
        "--format",
        "parquet",
        "-o",
        lake.to_str().expect("path"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        run_listing(&lake),
        [
            // Sorted as text: hour=10 before hour=8.
            "zendesk_audit/year=2024/month=2/day=12/hour=10/part-0.parquet",
            "zendesk_audit/year=2024/month=2/day=12/hour=8/part-0.parquet",
            "zendesk_audit/year=2024/month=2/day=12/hour=9/part-0.parquet",
            "zoom_activity/year=2024/month=2/day=12/hour=16/part-0.parquet",
            "zoom_activity/year=2024/month=2/day=12/hour=7/part-0.parquet",
            "zoom_activity/year=2024/month=2/day=12/hour=9/part-0.parquet",
            "zoom_operation/year=2024/month=2/day=12/hour=10/part-0.parquet",
            "zoom_operation/year=2024/month=2/day=12/hour=17/part-0.parquet",
        ]
    );
    // Each row is in the directory of its event hour.
    for f in parquet_files(&lake) {
        let hour: u32 = f
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix("hour="))
            .and_then(|h| h.parse().ok())
            .expect("hour dir");
        for b in read_parquet(&f) {
            let t = b
                .column_by_name("p_event_time")
                .expect("time")
                .as_primitive::<TimestampMicrosecondType>();
            for &us in t.values() {
                assert_eq!(
                    u32::try_from(us.div_euclid(3_600_000_000) % 24).expect("hour"),
                    hour
                );
            }
        }
    }
    // A second run of the same input into the same directory replaces the first run's
    // files (tests/lake.rs has the rows read back).
    let out = normalog(&[
        "normalize",
        input,
        "--format",
        "parquet",
        "--partition",
        "day",
        "-o",
        lake.to_str().expect("path"),
    ]);
    assert!(out.status.success());
    let day = run_listing(&lake);
    assert!(day.contains(&"zoom_activity/year=2024/month=2/day=12/part-0.parquet".to_owned()));
    assert_eq!(day.len(), 3, "{day:?}");

    // Parquet needs a directory.
    let out = normalog(&["normalize", input, "--format", "parquet"]);
    assert_eq!(out.status.code(), Some(2));
}

/// NDJSON gets the same layout, and the same lines as the stream.
#[test]
fn ndjson_directory_layout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = data("samples/mixed.jsonl");
    let input = input.to_str().expect("utf-8 path");
    let nd = dir.path().join("nd");
    std::fs::create_dir(&nd).expect("mkdir");
    let out = normalog(&[
        "normalize",
        input,
        "--partition",
        "none",
        "-o",
        nd.to_str().expect("path"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        run_listing(&nd),
        [
            "zendesk_audit/part-0.ndjson",
            "zoom_activity/part-0.ndjson",
            "zoom_operation/part-0.ndjson"
        ]
    );
    let stream = normalog(&["normalize", input]);
    let strip = |l: &str| {
        let mut v: Value = serde_json::from_str(l).expect("json");
        let o = v.as_object_mut().expect("object");
        o.remove("p_row_id");
        o.remove("p_parse_time");
        v
    };
    let stream: Vec<Value> = String::from_utf8(stream.stdout)
        .expect("utf-8")
        .lines()
        .map(strip)
        .collect();
    let mut from_dir = 0;
    for table in ["zendesk_audit", "zoom_activity", "zoom_operation"] {
        let part = listing(&nd.join(table));
        assert_eq!(part.len(), 1, "{part:?}");
        let text = std::fs::read_to_string(nd.join(table).join(&part[0])).expect("file");
        let lines: Vec<Value> = text.lines().map(strip).collect();
        let log_type = lines[0]["p_log_type"].clone();
        let want: Vec<&Value> = stream
            .iter()
            .filter(|v| v["p_log_type"] == log_type)
            .collect();
        assert_eq!(lines.iter().collect::<Vec<_>>(), want, "{table}");
        from_dir += lines.len();
    }
    assert_eq!(from_dir, stream.len());
}

#[test]
fn max_rejects_leaves_no_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.ndjson");
    std::fs::write(
        &input,
        "{\"email\":\"a@x.com\",\"time\":\"2023-07-01T14:00:00Z\"}\nnot json\nnot json\n",
    )
    .expect("write");
    let lake = dir.path().join("lake");
    let out = normalog(&[
        "normalize",
        input.to_str().expect("path"),
        "-q",
        "--max-rejects",
        "1",
        "--format",
        "parquet",
        "-o",
        lake.to_str().expect("path"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    // Not even the directory: the run created it, and left no file in it.
    assert!(!lake.exists(), "{:?}", listing(&lake));
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

#[test]
fn files_appear_only_when_committed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (batches, _) = zoom_events(0..3);
    // No memory for holding rows back: each partition is written at once.
    let mut writer = ParquetWriter::new(
        dir.path(),
        Options {
            max_buffered_bytes: 0,
            ..Options::default()
        },
    );
    writer
        .write_batch("Zoom.Activity", &batches[0])
        .expect("write");
    // Before the commit: only hidden temporary files (rows held in none spilled to a run
    // file, see `sink::parquet::spill`), none with a final name (and the writer's run lock,
    // by which the next run tells that they are in use).
    let mut before = listing(dir.path());
    let lock = before.remove(0);
    assert!(lock.starts_with("_normalog/locks/"), "{lock}");
    assert!(!before.is_empty());
    for f in &before {
        let name = f.rsplit('/').next().expect("name");
        assert!(
            (name.starts_with(".part-") || name.starts_with(".spill-"))
                && name.contains(".parquet.tmp-"),
            "{f}"
        );
    }
    writer.commit().expect("commit");
    let after = listing(dir.path());
    assert_eq!(after.len(), 3);
    assert!(
        after.iter().all(|f| f.ends_with("/part-0.parquet")),
        "{after:?}"
    );

    // A writer dropped without commit (an aborted run) leaves nothing behind.
    let mut aborted = ParquetWriter::new(
        dir.path(),
        Options {
            max_buffered_bytes: 0,
            ..Options::default()
        },
    );
    let (more, _) = zoom_events(100..110);
    aborted
        .write_batch("Zoom.Activity", &more[0])
        .expect("write");
    assert!(listing(dir.path()).len() > 3);
    drop(aborted);
    assert_eq!(listing(dir.path()), after);
}

#[test]
fn unordered_partitions_get_one_file_each() {
    // 300 distinct hours, each seen twice, 300 hours apart, through 4 open files: the
    // hours' rows are held back and each is written once, as one file.
    let (batches, n) = zoom_events((0..600).map(|i| i % 300));
    let write = |dir: &Path, opts: Options| {
        let mut writer = ParquetWriter::new(dir, opts);
        for b in &batches {
            writer.write_batch("Zoom.Activity", b).expect("write");
            assert!(writer.open_files() <= 4);
        }
        writer.commit().expect("commit");
        assert_eq!(writer.open_files(), 0);
        let files = parquet_files(dir);
        let rows: Vec<usize> = files
            .iter()
            .map(|f| read_parquet(f).iter().map(RecordBatch::num_rows).sum())
            .collect();
        assert_eq!(rows.iter().sum::<usize>(), n);
        assert_eq!(listing(dir).len(), files.len(), "no temporary files left");
        (writer, files, rows)
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = Options {
        max_open_files: 4,
        row_group_rows: 1,
        ..Options::default()
    };
    let (writer, files, rows) = write(dir.path(), opts);
    assert_eq!(files.len(), 300);
    assert!(rows.iter().all(|&r| r == 2), "{rows:?}");
    assert_eq!(writer.extra_files(), 0);
    assert_eq!(writer.written_for_memory(), 0);
    assert!(files.iter().all(|f| f.ends_with("part-0.parquet")));

    // No memory to hold rows back: the rows go through disk (spilled, then merged at the
    // commit), and each hour is still one file, and the writer says so.
    let dir = tempfile::tempdir().expect("tempdir");
    let (writer, files, rows) = write(
        dir.path(),
        Options {
            max_buffered_bytes: 0,
            ..opts
        },
    );
    assert_eq!(files.len(), 300);
    assert!(rows.iter().all(|&r| r == 2), "{rows:?}");
    assert_eq!(writer.files_opened(), 300);
    assert_eq!(writer.extra_files(), 0);
    assert_eq!(writer.written_for_memory(), 0);
    assert_eq!(writer.spilled_rows(), 600);
    assert!(files.iter().all(|f| f.ends_with("part-0.parquet")));
    let spill = dir.path().join("_normalog/spill");
    assert_eq!(std::fs::read_dir(&spill).map_or(0, Iterator::count), 0);
}

/// Whether each column chunk of a file has a dictionary page, by column path.
fn dictionary_pages(path: &Path) -> BTreeMap<String, bool> {
    let reader =
        ParquetRecordBatchReaderBuilder::try_new(File::open(path).expect("open")).expect("parquet");
    let mut out = BTreeMap::new();
    for rg in reader.metadata().row_groups() {
        for c in rg.columns() {
            out.insert(
                c.column_path().string(),
                c.dictionary_page_offset().is_some(),
            );
        }
    }
    out
}

#[test]
fn dictionary_only_where_values_repeat() {
    let registry = Registry::builtin();
    let mut norm = NormalizerBuilder::new()
        .log_types(["Zoom.Activity"])
        .build(&registry)
        .expect("normalizer");
    // Unique emails, two event types; 10 rows in hour 0, then 1,000 more in hour 0 and
    // 1,200 in hour 1 (files of 1,000 rows or more: smaller ones are written without
    // dictionaries at all, by the compact writer).
    let lines = |range: std::ops::Range<u32>, hour: u32| {
        let mut text = String::new();
        for i in range {
            let kind = ["Sign in", "Sign out"][i as usize % 2];
            let second = i % 60;
            writeln!(
            text,
                "{{\"email\":\"u{i}@example.com\",\"type\":\"{kind}\",\"time\":\"2023-07-01T{hour:02}:00:{second:02}Z\"}}"
            )
            .expect("write to a String");
        }
        text
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut writer = ParquetWriter::new(dir.path(), Options::default());
    let mut tee = Tee::default();
    for text in [lines(0..10, 0), lines(10..1010, 0) + &lines(1010..2210, 1)] {
        pipeline::normalize_reader(&mut norm, std::io::Cursor::new(text), &mut tee)
            .expect("normalize");
        let b = &mut tee.builders[0];
        let batch = b.finish().expect("batch");
        writer.write_batch(b.log_type(), &batch).expect("write");
    }
    writer.commit().expect("commit");
    assert_eq!(assert_same_rows(&tee.ndjson.events, dir.path()), 2210);

    let files = parquet_files(dir.path());
    assert_eq!(files.len(), 2);
    // The first batch is too small to sample; the second one decides for the files
    // written from then on, which are both: their rows were held back until the commit.
    // No dictionary for the unique emails (nor their p_any_emails items), one for the
    // repeating type; columns with too few values (all null) keep theirs.
    let first = dictionary_pages(&files[0]);
    assert!(files[0].ends_with("hour=0/part-0.parquet"));
    assert!(!first["email"]);
    assert!(!first["p_any_emails.list.item"]);
    assert!(first["type"]);
    assert!(!first["p_row_id"]);
    let second = dictionary_pages(&files[1]);
    assert!(files[1].ends_with("hour=1/part-0.parquet"));
    assert!(!second["email"]);
    assert!(!second["p_any_emails.list.item"]);
    assert!(second["type"]);
    assert!(second["client_type"]);
    assert!(second["p_log_type"]);
    assert!(!second["p_row_id"]);
}

/// A write that fails on a writer thread (here: over the file size limit, `ulimit -f`)
/// names the file in the error, as errors at close do, and nothing is committed.
#[cfg(target_os = "linux")]
#[test]
fn writer_thread_write_errors_name_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.jsonl");
    let lake = dir.path().join("lake");
    let out = normalog(&[
        "gen",
        "--log-type",
        "Zendesk.Audit",
        "--records",
        "20000",
        "-o",
        input.to_str().expect("utf-8 path"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Row groups of 500 rows are written while the run goes on, so the limit (100 KiB a
    // file) is met by a write, not at the end. SIGXFSZ is ignored: the write fails instead.
    let out = Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 200; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_normalog"))
        .args(["normalize", "--threads", "2", "-q", "-f", "parquet"])
        .args(["--row-group-rows", "500", "-o"])
        .arg(&lake)
        .arg(&input)
        .output()
        .expect("run sh");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("zendesk_audit/year=") && stderr.contains("-0.parquet.tmp-"),
        "{stderr}"
    );
    // Nothing committed under a final name, nor anything else: the directory the run
    // created is gone with its temporary files.
    assert!(!lake.exists(), "{:?}", util::files_under(&lake));
}

/// The lines of `text` newest first, two halves interleaved, and shuffled.
fn unordered(text: &str) -> [(&'static str, Vec<&str>); 3] {
    let lines: Vec<&str> = text.lines().collect();
    let newest_first: Vec<&str> = lines.iter().rev().copied().collect();
    let (a, b) = lines.split_at(lines.len() / 2);
    let interleaved: Vec<&str> = a.iter().zip(b).flat_map(|(x, y)| [*x, *y]).collect();
    let mut shuffled = lines.clone();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in (1..shuffled.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        shuffled.swap(i, usize::try_from(x % (i as u64 + 1)).expect("index"));
    }
    [
        ("newest_first", newest_first),
        ("interleaved", interleaved),
        ("shuffled", shuffled),
    ]
}

/// `input` through the whole pipeline on 2 threads in small chunks, into `writer`
/// (committed).
fn run_threaded(
    registry: &Registry,
    input: &Path,
    writer: &mut ParquetWriter,
) -> pipeline::RunSummary {
    let run = Batch::new()
        .threads(2)
        .chunk_bytes(20_000)
        .run_parquet(
            &NormalizerBuilder::new(),
            registry,
            &[Input::Path(input.to_path_buf())],
            writer,
            &mut Ignore,
        )
        .expect("run");
    writer.commit().expect("commit");
    run
}

/// Issue 16: input not in time order (sources interleaved, API pages newest first, or
/// shuffled) makes exactly one file per partition under the default memory bound, on one
/// thread and on several, and its rows equal the NDJSON output of the same events.
#[test]
fn r16_unordered_input_makes_one_file_per_partition() {
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = dir.path().join("archive.jsonl");
    let o = Command::new(env!("CARGO_BIN_EXE_normalog"))
        .args([
            "gen",
            "-n",
            "3000",
            "--span",
            "30d",
            "--start",
            "2024-01-01",
        ])
        .args(["--seed", "7", "-o"])
        .arg(&archive)
        .output()
        .expect("gen");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&archive).expect("archive");
    let registry = Registry::builtin();
    for (name, order) in unordered(&text) {
        let input = dir.path().join(format!("{name}.jsonl"));
        std::fs::write(&input, order.join("\n") + "\n").expect("write");

        // The same events to NDJSON and, in batches of 100 rows (each with rows of many
        // hours, hours coming back batch after batch), to Parquet.
        let mut norm = NormalizerBuilder::new()
            .build(&registry)
            .expect("normalizer");
        let mut tee = Tee::default();
        pipeline::normalize_reader(&mut norm, File::open(&input).expect("input"), &mut tee)
            .expect("normalize");
        let lake = dir.path().join(format!("{name}-tee"));
        let mut writer = ParquetWriter::new(&lake, Options::default());
        for builder in &mut tee.builders {
            let batch = builder.finish().expect("batch");
            let mut at = 0;
            while at < batch.num_rows() {
                let len = (batch.num_rows() - at).min(100);
                writer
                    .write_batch(builder.log_type(), &batch.slice(at, len))
                    .expect("write");
                at += len;
            }
        }
        writer.commit().expect("commit");
        assert_eq!(writer.extra_files(), 0, "{name}");
        assert_eq!(assert_same_rows(&tee.ndjson.events, &lake), 3000, "{name}");
        let files = parquet_files(&lake);
        let dirs: std::collections::BTreeSet<_> =
            files.iter().map(|f| f.parent().expect("dir")).collect();
        assert_eq!(files.len(), dirs.len(), "{name}: one file per partition");
        assert!(files.len() > 1000, "{name}: {} files", files.len());

        // The whole pipeline, with writer threads and small chunks: the same files.
        let threaded = dir.path().join(format!("{name}-threads"));
        let mut writer = ParquetWriter::new(&threaded, Options::default());
        let run = run_threaded(&registry, &input, &mut writer);
        assert_eq!(run.summary.normalized, 3000);
        assert_eq!(writer.extra_files(), 0, "{name}");
        let relative = |root: &Path, files: &[PathBuf]| -> Vec<PathBuf> {
            files
                .iter()
                .map(|f| {
                    f.parent()
                        .expect("dir")
                        .strip_prefix(root)
                        .expect("under")
                        .to_path_buf()
                })
                .collect()
        };
        assert_eq!(
            relative(&threaded, &parquet_files(&threaded)),
            relative(&lake, &files),
            "{name}"
        );
        let rows: usize = parquet_files(&threaded)
            .iter()
            .map(|f| {
                read_parquet(f)
                    .iter()
                    .map(RecordBatch::num_rows)
                    .sum::<usize>()
            })
            .sum();
        assert_eq!(rows, 3000, "{name}");
    }
}
