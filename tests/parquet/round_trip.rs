//! Rows read back from Parquet equal the NDJSON of the same events: the shipped log
//! types, the rich fixture's types, reused builders, the parallel path; and the Arrow types
//! of the schema types.

use std::fs::File;

use crate::util::arrow_rows::{rows, same};
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

use crate::{assert_same_rows, data, parquet_files, read_parquet, rich_registry, tee_to_parquet};

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
