//! Tests of the Arrow record batches built from events.

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, TimestampMicrosecondType};
use arrow_array::Array;

use super::*;
use crate::{NormalizerBuilder, Position, Registry, Sink};

/// Appends to the builder and keeps what NDJSON would show of the standard fields.
struct Recorder<'b> {
    batch: &'b mut RecordBatchBuilder,
    /// Per event: row id, event time, parse time (microseconds).
    rows: Vec<(String, i64, i64)>,
}

impl Sink for Recorder<'_> {
    type Error = Error;
    fn record(&mut self, event: &Event<'_>) -> Result<bool, Error> {
        self.rows.push((
            event.row_id().to_owned(),
            micros(&event.event_time()),
            micros(&event.parse_time()),
        ));
        self.batch.record(event)
    }
}

fn strings(batch: &RecordBatch, name: &str) -> Vec<Option<String>> {
    let column = batch.column_by_name(name).expect("column");
    column
        .as_string::<i32>()
        .iter()
        .map(|s| s.map(str::to_owned))
        .collect()
}

#[test]
fn standard_columns_per_row() {
    let registry = Registry::builtin();
    let plan = registry.get("Zoom.Activity").expect("built in");
    let mut with_source = NormalizerBuilder::new();
    with_source
        .log_types(["Zoom.Activity"])
        .source_id(Some("src-1".into()))
        .source_label(Some("label ü".into()));
    let mut with_source = with_source.build(&registry).expect("normalizer");
    let mut without = NormalizerBuilder::new()
        .log_types(["Zoom.Activity"])
        .build(&registry)
        .expect("normalizer");
    let mut batch = RecordBatchBuilder::new(plan);
    let mut rec = Recorder {
        batch: &mut batch,
        rows: Vec::new(),
    };
    let line = |h: u32| format!(r#"{{"email":"a@x.com","time":"2023-07-01T{h:02}:00:00Z"}}"#);
    // Sources change between runs of rows, and back: every run must keep its own.
    let order = [true, true, false, true, false, false, true];
    // Two batches: the second reuses the buffers the first left reserved.
    for take in [&order[..4], &order[4..]] {
        rec.rows.clear();
        for (h, &source) in (0u32..).zip(take) {
            let n = if source {
                &mut with_source
            } else {
                &mut without
            };
            n.normalize_bytes(line(h).as_bytes(), Position::default(), &mut rec)
                .expect("normalized");
        }
        let out = rec.batch.finish().expect("batch");
        assert_eq!(out.num_rows(), take.len());
        assert!(rec.batch.is_empty());
        let ids: Vec<Option<String>> = take
            .iter()
            .map(|&s| s.then(|| "src-1".to_owned()))
            .collect();
        let labels: Vec<Option<String>> = take
            .iter()
            .map(|&s| s.then(|| "label ü".to_owned()))
            .collect();
        assert_eq!(strings(&out, P_SOURCE_ID), ids);
        assert_eq!(strings(&out, P_SOURCE_LABEL), labels);
        let row_ids: Vec<Option<String>> = rec.rows.iter().map(|r| Some(r.0.clone())).collect();
        assert_eq!(strings(&out, P_ROW_ID), row_ids);
        assert!(row_ids.iter().flatten().all(|id| id.len() == ROW_ID_LEN));
        assert_eq!(
            strings(&out, P_LOG_TYPE),
            vec![Some("Zoom.Activity".to_owned()); take.len()]
        );
        let times = |name| -> Vec<i64> {
            let c = out.column_by_name(name).expect("column");
            assert_eq!(c.null_count(), 0);
            c.as_primitive::<TimestampMicrosecondType>()
                .values()
                .to_vec()
        };
        assert_eq!(
            times(P_EVENT_TIME),
            rec.rows.iter().map(|r| r.1).collect::<Vec<_>>()
        );
        assert_eq!(
            times(P_PARSE_TIME),
            rec.rows.iter().map(|r| r.2).collect::<Vec<_>>()
        );
        let versions = out.column_by_name(P_SCHEMA_VERSION).expect("column");
        assert_eq!(
            versions.as_primitive::<Int64Type>().values().to_vec(),
            vec![plan.schema_version; take.len()]
        );
        assert_eq!(out.schema(), *rec.batch.schema());
    }
    // An empty batch is still a valid batch.
    assert_eq!(batch.finish().expect("empty batch").num_rows(), 0);
}

#[test]
fn other_log_type_is_refused() {
    let registry = Registry::builtin();
    let mut batch = RecordBatchBuilder::new(registry.get("Zoom.Activity").expect("built in"));
    let mut n = NormalizerBuilder::new()
        .log_types(["Zoom.Operation"])
        .build(&registry)
        .expect("normalizer");
    let line = br#"{"time":"2023-07-01T14:00:00Z","operator":"a@x.com","category_type":"User"}"#;
    let err = n
        .normalize_bytes(line, Position::default(), &mut batch)
        .expect_err("refused");
    assert!(err.to_string().contains("cannot be appended"), "{err}");
    assert!(batch.is_empty());
}

/// A registry built again (a schema reloaded): events of the new plan fill a builder of the
/// old one when the schema is the same, and are refused when its fields changed, instead
/// of filling columns by position with another field's values.
#[test]
fn same_name_other_schema_is_refused() {
    let v1 = "schema: Custom.App\nfields:\n  - {name: a, type: string}\n  - {name: b, type: int}\n";
    let v2 = "schema: Custom.App\nfields:\n  - {name: b, type: int}\n  - {name: a, type: string}\n";
    let registry = |yaml: &str| {
        let mut r = Registry::default();
        r.add_str(yaml, "app.yml").expect("schema");
        r
    };
    let (old, same, new) = (registry(v1), registry(v1), registry(v2));
    let mut batch = RecordBatchBuilder::new(old.get("Custom.App").expect("plan"));
    let line = br#"{"a":"hello","b":7}"#;
    let mut n = NormalizerBuilder::new().build(&same).expect("normalizer");
    n.normalize_bytes(line, Position::default(), &mut batch)
        .expect("same schema: appended");
    let mut n = NormalizerBuilder::new().build(&new).expect("normalizer");
    let err = n
        .normalize_bytes(line, Position::default(), &mut batch)
        .expect_err("refused");
    assert!(err.to_string().contains("of another schema"), "{err}");
    let out = batch.finish().expect("batch");
    assert_eq!(out.num_rows(), 1);
    assert_eq!(strings(&out, "a"), [Some("hello".to_owned())]);
}

/// Columns take Panther's data-lake names (`meta.user` is `meta_user`), fields of objects
/// too, so that query engines read them without quoting; the values are the fields'.
#[test]
fn columns_are_named_as_table_columns() {
    let yaml = "schema: Custom.Names\nfields:\n  - {name: meta.user, type: string}\n  - {name: '@timestamp', type: string}\n  - {name: has space, type: string}\n  - name: o\n    type: object\n    fields:\n      - {name: in.ner, type: string}\n";
    let mut registry = Registry::default();
    registry.add_str(yaml, "names.yml").expect("schema");
    let mut batch = RecordBatchBuilder::new(registry.get("Custom.Names").expect("plan"));
    let mut n = NormalizerBuilder::new()
        .build(&registry)
        .expect("normalizer");
    let line = br#"{"meta.user":"ann","@timestamp":"t","has space":"x","o":{"in.ner":"y"}}"#;
    n.normalize_bytes(line, Position::default(), &mut batch)
        .expect("appended");
    let out = batch.finish().expect("batch");
    let schema = out.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        names[..4],
        ["meta_user", "at_sign_timestamp", "has_space", "o"]
    );
    assert_eq!(strings(&out, "meta_user"), [Some("ann".to_owned())]);
    assert_eq!(strings(&out, "has_space"), [Some("x".to_owned())]);
    let o = out.column_by_name("o").expect("o").as_struct();
    assert_eq!(o.column_names(), ["in_ner"]);
    assert_eq!(o.column(0).as_string::<i32>().value(0), "y");
}

#[test]
fn same_str_compares_text() {
    let a: Arc<str> = "Zoom.Activity".into();
    let b = String::from("Zoom.Activity");
    assert!(same_str(&a, &a));
    assert!(same_str(&a, &b));
    assert!(!same_str(&a, "Zoom.Operation"));
    // Same start, shorter: not equal.
    assert!(!same_str(&a, &a[..4]));
}
