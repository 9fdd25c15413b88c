//! `required` against every kind of empty value, for each scalar type (issue 14): the
//! answer of Panther's reference semantics for each cell, checked on the normalizer and on
//! the slow reference normalizer of the property tests, so the two cannot drift.
//!
//! Panther's rule (null/*.go, tcodec): only a missing or `null` value fails `required`, and
//! `""` is null for numbers, booleans and timestamps, so it fails too; a string keeps `""`
//! as a value. Values of the wrong JSON type reject the record whether required or not.
#![allow(clippy::unwrap_used)] // a test that cannot set up its fixture should panic

mod reference;
mod util;

use normalog::schema::load;
use normalog::{NormalizerBuilder, Position, Registry};
use reference::Outcome;
use serde_json::{json, Value};
use util::entry;

/// What a cell expects.
#[derive(Debug, Clone)]
enum Want {
    /// Accepted; the field is written as this value.
    Ok(Value),
    /// Rejected as a missing required field (missing or `null`).
    Missing,
    /// Rejected as a missing required field because `""` is null for the type.
    Empty,
    /// Rejected with this code for the field's value.
    Bad(&'static str),
}

use Want::{Bad, Empty, Missing, Ok as Accept};

/// The inputs of the columns, as the JSON text of the field's value (`None`: missing).
const INPUTS: [(&str, Option<&str>); 7] = [
    ("missing", None),
    ("null", Some("null")),
    ("\"\"", Some("\"\"")),
    ("0", Some("0")),
    ("false", Some("false")),
    ("[]", Some("[]")),
    ("{}", Some("{}")),
];

/// One row per type: its schema lines, and the answer for each input in `INPUTS` order.
#[rustfmt::skip]
fn table() -> Vec<(&'static str, &'static str, [Want; 7])> {
    let w = || Bad("wrong_type");
    vec![
        ("int",      "type: int",      [Missing, Missing, Empty, Accept(json!(0)), w(), w(), w()]),
        ("smallint", "type: smallint", [Missing, Missing, Empty, Accept(json!(0)), w(), w(), w()]),
        ("bigint",   "type: bigint",   [Missing, Missing, Empty, Accept(json!(0)), w(), w(), w()]),
        // Floats are written in their shortest form: 0.0 as 0.
        ("float",    "type: float",    [Missing, Missing, Empty, Accept(json!(0)), w(), w(), w()]),
        ("boolean",  "type: boolean",
            [Missing, Missing, Empty, Accept(json!(false)), Accept(json!(false)), w(), w()]),
        ("timestamp rfc3339", "type: timestamp\n    timeFormat: rfc3339",
            [Missing, Missing, Empty, Bad("bad_time"), w(), w(), w()]),
        ("timestamp unix", "type: timestamp\n    timeFormat: unix",
            [Missing, Missing, Empty, Accept(json!("1970-01-01T00:00:00Z")), w(), w(), w()]),
        ("string",   "type: string",
            [Missing, Missing, Accept(json!("")), Accept(json!("0")), Accept(json!("false")), w(), w()]),
    ]
}

fn schema_yaml(lines: &str) -> String {
    format!(
        "schema: Custom.Req\nfields:\n  - name: id\n    type: string\n  - name: v\n    required: true\n    {lines}\n"
    )
}

fn record(value: Option<&str>) -> String {
    match value {
        None => r#"{"id":"x"}"#.to_owned(),
        Some(v) => format!(r#"{{"id":"x","v":{v}}}"#),
    }
}

/// Keeps the events as text and the code and message of a reject.
#[derive(Default)]
struct Answer {
    events: normalog::sink::Collect,
    reject: Option<(String, String)>,
}

impl normalog::Sink for Answer {
    type Error = normalog::Error;
    fn record(&mut self, e: &normalog::Event<'_>) -> Result<bool, normalog::Error> {
        self.events.record(e)
    }
    fn rejected(&mut self, err: &normalog::Error) -> Result<bool, normalog::Error> {
        self.reject = Some((err.code().to_owned(), err.reason()));
        Ok(true)
    }
}

/// The normalizer's answer: the written value of `v`, or `(code, message)`.
fn normalize(registry: &Registry, line: &str) -> Result<Option<Value>, (String, String)> {
    let mut n = NormalizerBuilder::new().build(registry).unwrap();
    let mut answer = Answer::default();
    n.normalize_bytes(line.as_bytes(), Position::default(), &mut answer)
        .unwrap();
    if let Some(r) = answer.reject {
        return Err(r);
    }
    let v: Value = serde_json::from_str(&answer.events.events[0]).unwrap();
    Ok(v.get("v").cloned())
}

#[test]
fn r14_required_against_every_empty_value_for_each_type() {
    for (name, lines, row) in table() {
        let yaml = schema_yaml(lines);
        let schema = load::from_str(&yaml, "<table>").unwrap();
        let mut registry = Registry::new();
        registry.add_str(&yaml, "<table>").unwrap();
        for ((input, value), want) in INPUTS.iter().zip(row) {
            let line = record(*value);
            let cell = format!("{name} required, given {input}");
            let got = normalize(&registry, &line);
            let reference = reference::normalize(&schema, line.as_bytes());
            match &want {
                Accept(v) => {
                    assert_eq!(got, Ok(Some(v.clone())), "{cell}");
                    let Outcome::Accepted(e) = &reference else {
                        panic!("{cell}: the reference refused: {reference:?}");
                    };
                    let field = e
                        .fields
                        .get("v")
                        .unwrap_or_else(|| panic!("{cell}: reference"));
                    assert!(
                        reference::same_value(field, v),
                        "{cell}: reference gave {field}"
                    );
                }
                Missing | Empty | Bad(_) => {
                    let code = match want {
                        Bad(c) => c,
                        _ => "missing_field",
                    };
                    let (got_code, message) = got.expect_err(&cell);
                    assert_eq!(got_code, code, "{cell}: {message}");
                    let Outcome::Refused(problems) = &reference else {
                        panic!("{cell}: the reference gave {reference:?}");
                    };
                    assert_eq!(problems.len(), 1, "{cell}: {problems:?}");
                    assert_eq!(
                        (problems[0].path.as_str(), problems[0].code),
                        ("v", code),
                        "{cell}"
                    );
                    let empty = r#"missing required field "v": the value is "", which is null for"#;
                    match want {
                        Missing => assert!(
                            message.ends_with(r#"missing required field "v""#),
                            "{cell}: {message}"
                        ),
                        Empty => assert!(message.contains(empty), "{cell}: {message}"),
                        _ => assert!(message.contains(r#"field "v""#), "{cell}: {message}"),
                    }
                }
            }
        }
    }
}

#[test]
fn r14_optional_fields_given_empty_strings_stay_absent() {
    for (name, lines, _) in table() {
        let yaml = schema_yaml(lines).replace("    required: true\n", "");
        let mut registry = Registry::new();
        registry.add_str(&yaml, "<table>").unwrap();
        let got = normalize(&registry, &record(Some("\"\"")));
        let want = if name == "string" {
            Some(json!(""))
        } else {
            None
        };
        assert_eq!(got, Ok(want), "{name} optional, given \"\"");
    }
}

#[test]
fn r14_nested_required_timestamp_given_an_empty_string() {
    let yaml = "schema: Custom.Nested\nfields:\n  - name: actor\n    type: object\n    fields:\n      - name: seen\n        type: timestamp\n        timeFormat: unix_ms\n        required: true\n";
    let mut registry = Registry::new();
    registry.add_str(yaml, "<nested>").unwrap();
    let (code, message) = normalize(&registry, r#"{"actor":{"seen":""}}"#).unwrap_err();
    assert_eq!(code, "missing_field");
    assert!(
        message.contains(
            r#"missing required field "actor.seen": the value is "", which is null for a timestamp"#
        ),
        "{message}"
    );
    // An absent optional object is not checked inside.
    assert_eq!(normalize(&registry, r#"{"other":1}"#), Ok(None));
}

/// The record of the issue, through every entry point, and through the schema test runner.
#[test]
fn r14_empty_required_time_is_rejected_by_every_entry_point() {
    const RECORD: &str = r#"{"email":"a@b.co","time":"","ip_address":"1.1.1.1"}"#;
    let registry = Registry::builtin();
    let input = format!("{RECORD}\n");
    let expected = entry::by_lines(&registry, input.as_bytes(), 1 << 20);
    assert!(expected.events.is_empty());
    assert_eq!(expected.rejects.len(), 1);
    assert!(
        expected.rejects[0]
            .4
            .contains(r#"Zoom.Activity: missing required field "time": the value is """#),
        "{}",
        expected.rejects[0].4
    );
    assert_eq!(
        entry::streamed(&registry, input.as_bytes(), 1 << 20, 5),
        expected,
        "stream"
    );
    assert_eq!(
        entry::pipeline(&registry, input.as_bytes(), 1 << 20, 3, 100),
        expected,
        "pipeline"
    );
    assert_eq!(
        entry::parallel(&registry, input.as_bytes(), 1 << 20, 3, 100),
        expected,
        "parallel"
    );
    assert_eq!(entry::cli(input.as_bytes(), 1 << 20, None), expected, "CLI");

    // A schema test case that expects this record to normalize now fails, with the reason.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("activity_tests.yml"),
        format!(
            "name: empty time\nlogType: Zoom.Activity\ninput: '{RECORD}'\nresult: '{RECORD}'\n"
        ),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_normalog"))
        .arg("test")
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        format!("{stdout}{stderr}").contains(r#"missing required field "time": the value is """#),
        "{stdout}{stderr}"
    );
}

#[test]
fn r14_required_containers_pass_when_present_even_empty() {
    let yaml = "schema: Custom.Containers\nfields:\n  - name: o\n    type: object\n    required: true\n    fields:\n      - name: x\n        type: int\n  - name: a\n    type: array\n    required: true\n    element:\n      type: int\n  - name: j\n    type: json\n    required: true\n";
    let mut registry = Registry::new();
    registry.add_str(yaml, "<containers>").unwrap();
    let accepted = |line: &str| {
        let mut n = NormalizerBuilder::new().build(&registry).unwrap();
        let mut answer = Answer::default();
        n.normalize_bytes(line.as_bytes(), Position::default(), &mut answer)
            .unwrap();
        answer.reject.map(|r| r.1)
    };
    assert_eq!(accepted(r#"{"o":{},"a":[],"j":""}"#), None);
    assert_eq!(accepted(r#"{"o":{"x":""},"a":[],"j":0}"#), None);
    for (line, field) in [
        (r#"{"a":[],"j":1}"#, "o"),
        (r#"{"o":null,"a":[],"j":1}"#, "o"),
        (r#"{"o":{},"a":null,"j":1}"#, "a"),
        (r#"{"o":{},"a":[],"j":null}"#, "j"),
    ] {
        let message = accepted(line).unwrap_or_else(|| panic!("{line} was accepted"));
        assert!(
            message.ends_with(&format!("missing required field \"{field}\"")),
            "{line}: {message}"
        );
    }
}

/// Go's zero time, 0001-01-01T00:00:00Z, is no time at all to Panther (`time.Time.IsZero`
/// in its codecs and its event-time election): the field is left out, it fails `required`,
/// and it is never the event time, in every format that can give it (review finding: it
/// was kept, became `p_event_time` and put the row in partition year=1).
#[test]
fn go_zero_time_is_no_time() {
    let yaml = "schema: Custom.Zero\nfields:\n  - name: deleted_at\n    type: timestamp\n    timeFormats: [rfc3339, unix]\n    isEventTime: true\n  - name: created_at\n    type: timestamp\n    timeFormat: rfc3339\n    isEventTime: true\n  - name: r\n    type: timestamp\n    timeFormat: \"%Y-%m-%d %H:%M:%S\"\n    required: true\n";
    let mut registry = Registry::new();
    registry.add_str(yaml, "<zero>").unwrap();
    let run = |line: &str| {
        let mut n = NormalizerBuilder::new().build(&registry).unwrap();
        let mut answer = Answer::default();
        n.normalize_bytes(line.as_bytes(), Position::default(), &mut answer)
            .unwrap();
        match answer.reject {
            Some(r) => Err(r.1),
            None => Ok(serde_json::from_str::<Value>(&answer.events.events[0]).unwrap()),
        }
    };
    for deleted in [
        r#""0001-01-01T00:00:00Z""#,
        "-62135596800",
        r#""-62135596800""#,
    ] {
        let line = format!(
            r#"{{"deleted_at":{deleted},"created_at":"2023-07-01T14:00:00Z","r":"2023-07-01 14:00:00"}}"#
        );
        let event = run(&line).unwrap();
        assert!(event.get("deleted_at").is_none(), "{line}: {event}");
        assert_eq!(event["p_event_time"], "2023-07-01T14:00:00Z", "{line}");
    }
    // Another instant of year 1 is a time like any other.
    let event = run(r#"{"deleted_at":"0001-01-01T00:00:01Z","r":"2023-07-01 14:00:00"}"#).unwrap();
    assert_eq!(event["deleted_at"], "0001-01-01T00:00:01Z");
    assert_eq!(event["p_event_time"], "0001-01-01T00:00:01Z");

    // The reject says which of the two null values it was (review finding: a zero time was
    // said to be `""`).
    let message =
        run(r#"{"created_at":"2023-07-01T14:00:00Z","r":"0001-01-01 00:00:00"}"#).unwrap_err();
    assert!(
        message.ends_with(r#"missing required field "r": the value is Go's zero time (0001-01-01T00:00:00Z), which is null for a timestamp"#),
        "{message}"
    );
    let message = run(r#"{"created_at":"2023-07-01T14:00:00Z","r":""}"#).unwrap_err();
    assert!(
        message.ends_with(
            r#"missing required field "r": the value is "", which is null for a timestamp"#
        ),
        "{message}"
    );
}
