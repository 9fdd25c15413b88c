//! `Event::get` and `Value::get` by path, through arrays as through objects: what a program
//! that reads fields of its events relies on.

use normalog::{NormalizerBuilder, Position, Registry};

const SCHEMA: &str = r"
schema: Custom.Batch
fields:
  - name: id
    type: bigint
  - name: tags
    type: array
    element:
      type: string
  - name: events
    type: array
    element:
      type: object
      fields:
        - name: user
          type: object
          fields:
            - name: name
              type: string
            - name: ids
              type: array
              element:
                type: int
        - name: at
          type: timestamp
          timeFormat: unix
  - name: matrix
    type: array
    element:
      type: array
      element:
        type: string
  - name: extra
    type: json
  - name: empty
    type: array
    element:
      type: string
";

const RECORD: &str = r#"{"id":7,
  "tags":["a",null,"b"],
  "events":[{"user":{"name":"ann","ids":[1,2]},"at":1688220000},{"user":{"name":"bob"}}],
  "matrix":[["x","y"],[],["z"]],
  "extra":{"k":[1]},
  "empty":[]}"#;

fn normalizer() -> normalog::Normalizer {
    let mut registry = Registry::new();
    registry.add_str(SCHEMA, "batch.yml").expect("schema");
    NormalizerBuilder::new()
        .build(&registry)
        .expect("normalizer")
}

#[test]
fn paths_reach_into_arrays_of_values_and_of_objects() {
    let mut n = normalizer();
    let mut line = RECORD.replace('\n', "").into_bytes();
    let event = n.normalize(&mut line, Position::default()).expect("valid");
    let str_at = |path: &[&str]| event.get(path).and_then(|v| v.as_str());

    assert_eq!(str_at(&["events", "0", "user", "name"]), Some("ann"));
    assert_eq!(str_at(&["events", "1", "user", "name"]), Some("bob"));
    let id = event.get(&["events", "0", "user", "ids", "1"]);
    assert_eq!(id.and_then(|v| v.as_i64()), Some(2));
    let at = event
        .get(&["events", "0", "at"])
        .and_then(|v| v.as_timestamp());
    assert_eq!(
        at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2023-07-01T14:00:00+00:00")
    );
    // Indexes are the input's: a null element keeps its place, as in the NDJSON.
    assert_eq!(str_at(&["tags", "0"]), Some("a"));
    assert_eq!(str_at(&["tags", "1"]), None);
    assert_eq!(str_at(&["tags", "2"]), Some("b"));
    let tags = event
        .get(&["tags"])
        .and_then(|v| v.elements())
        .expect("tags");
    let nulls: Vec<bool> = tags.map(|v| v.is_null()).collect();
    assert_eq!(nulls, [false, true, false]);
    // Arrays of arrays; an empty inner array keeps its place too, with no elements.
    assert_eq!(str_at(&["matrix", "0", "1"]), Some("y"));
    assert_eq!(str_at(&["matrix", "2", "0"]), Some("z"));
    let inner = event
        .get(&["matrix", "1"])
        .expect("an empty inner array is a value");
    assert!(!inner.is_null());
    assert_eq!(inner.elements().map(|e| e.len()), Some(0));
    assert_eq!(
        format!("{:?}", event.get(&["matrix"]).expect("matrix")),
        r#"[["x", "y"], [], ["z"]]"#
    );
    assert_eq!(
        format!("{:?}", event.get(&["tags"]).expect("tags")),
        r#"["a", null, "b"]"#
    );
    // Paths that were already there still work.
    assert_eq!(event.get(&["id"]).and_then(|v| v.as_i64()), Some(7));
    let tags = event.get(&["tags"]).expect("tags");
    assert_eq!(tags.field_type(), normalog::schema::FieldType::Array);
}

#[test]
fn a_value_reads_the_rest_of_a_path_and_walks_its_elements() {
    let mut n = normalizer();
    let mut line = RECORD.replace('\n', "").into_bytes();
    let event = n.normalize(&mut line, Position::default()).expect("valid");

    let events = event.get(&["events"]).expect("events");
    let names: Vec<&str> = events
        .elements()
        .expect("an array")
        .filter_map(|e| e.get(&["user", "name"]).and_then(|v| v.as_str()))
        .collect();
    assert_eq!(names, ["ann", "bob"]);
    assert_eq!(events.elements().expect("an array").len(), 2);
    let second = events.get(&["1"]).expect("an element");
    assert_eq!(
        second.get(&["user", "name"]).and_then(|v| v.as_str()),
        Some("bob")
    );
    // The empty path is the value itself.
    assert_eq!(
        second
            .get(&[])
            .and_then(|v| v.get(&["user", "name"]))
            .and_then(|v| v.as_str()),
        Some("bob")
    );
    let mut elements = events.elements().expect("an array");
    assert!(elements.nth(1).is_some());
    assert!(elements.next().is_none());
    // Only arrays have elements.
    assert!(event.get(&["id"]).expect("id").elements().is_none());
    assert!(second.elements().is_none());
}

#[test]
fn paths_that_lead_nowhere_are_none_never_a_panic() {
    let mut n = normalizer();
    let mut line = RECORD.replace('\n', "").into_bytes();
    let event = n.normalize(&mut line, Position::default()).expect("valid");

    let nowhere: &[&[&str]] = &[
        &[],
        &["nope"],
        &["tags", "1"], // null
        &["tags", "1", "0"],
        &["tags", "3"],
        &["tags", "18446744073709551616"], // past usize
        &["tags", "99999999999999999999999999"],
        &["tags", "-1"],
        &["tags", "+1"],
        &["tags", "01"],
        &["tags", " 1"],
        &["tags", "1 "],
        &["tags", ""],
        &["tags", "a"],
        &["tags", "0", "0"],   // into a string
        &["events", "name"],   // a name in an array
        &["events", "0", "0"], // an index in an object
        &["events", "2", "user"],
        &["events", "1", "user", "ids"], // missing
        &["events", "1", "user", "ids", "0"],
        &["id", "0"],
        &["extra", "k"], // json is text
        &["extra", "k", "0"],
        &["empty"], // an empty array is not written
        &["empty", "0"],
        &["matrix", "3"],
        &["matrix", "1", "0"], // an empty inner array
        &["matrix", "0", "2"],
        &["matrix", "0", "0", "0"],
    ];
    for path in nowhere {
        assert!(event.get(path).is_none(), "{path:?}");
    }
    assert!(event.get(&["extra"]).and_then(|v| v.as_json()).is_some());
}

/// A value rebuilt from `fields` and `elements` alone, as a sink of its own format walks an
/// event without the schema.
fn walked(value: normalog::Value<'_>) -> serde_json::Value {
    use serde_json::Value as J;
    if let Some(fields) = value.fields() {
        return J::Object(
            fields
                .map(|(name, v)| (name.to_owned(), walked(v)))
                .collect(),
        );
    }
    if let Some(elements) = value.elements() {
        return J::Array(elements.map(walked).collect());
    }
    if value.is_null() {
        J::Null
    } else if let Some(s) = value.as_str() {
        J::from(s)
    } else if let Some(i) = value.as_i64() {
        J::from(i)
    } else if let Some(t) = value.as_timestamp() {
        J::from(t.format("%Y-%m-%dT%H:%M:%S%.fZ").to_string())
    } else if let Some(json) = value.as_json() {
        serde_json::from_str(json).expect("json text")
    } else {
        panic!("{value:?}")
    }
}

/// Walking an event's fields, and its objects' fields, reaches every value the NDJSON
/// event has, by the same names and in the same order (review s44-h1 LOW-3: a sink had
/// to walk the schema and resolve its refs to list them).
#[test]
fn fields_walk_the_whole_event_as_the_ndjson_writes_it() {
    let mut n = normalizer();
    let mut line = RECORD.replace('\n', "").into_bytes();
    let event = n.normalize(&mut line, Position::default()).expect("valid");
    let walked: serde_json::Map<String, serde_json::Value> = event
        .fields()
        .map(|(name, value)| (name.to_owned(), walked(value)))
        .collect();
    let mut ndjson = Vec::new();
    event
        .write_ndjson(&mut ndjson, normalog::sink::ndjson::Options::default())
        .expect("written");
    let mut written: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&ndjson).expect("an object");
    written.retain(|k, _| !k.starts_with("p_"));
    assert_eq!(walked, written);
    let order: Vec<&str> = event.fields().map(|(name, _)| name).collect();
    assert_eq!(order, ["id", "tags", "events", "matrix", "extra"]);
    let user = event.get(&["events", "1", "user"]).expect("an object");
    let names: Vec<&str> = user.fields().expect("fields").map(|(n, _)| n).collect();
    assert_eq!(names, ["name"], "missing fields are left out");
    assert!(event.get(&["id"]).expect("id").fields().is_none());
}
