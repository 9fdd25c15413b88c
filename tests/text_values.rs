//! Values as Panther's text preprocessors give them: a quoted fastmatch value read with its
//! escapes (then trimmed, dropped as an empty value, read by templates), and an
//! `expandFields` key that the line also fills, for every text parser. The fastmatch cases
//! in Panther's test format are in `tests/data/schematest/fastmatch/` (`schema_tests.rs`).

use normalog::sink::ndjson::Options;
use normalog::sink::Collect;
use normalog::{NormalizerBuilder, Position, Registry};

const JSON: &str = r"
schema: Custom.Json
fields:
  - {name: level, type: string, required: true}
";

fn run_in(registry: &Registry, types: &[&str], lines: &[&str]) -> Collect {
    let mut n = NormalizerBuilder::new()
        .log_types(types.iter().copied())
        .build(registry)
        .expect("build");
    let mut out = Collect::default();
    for (i, line) in lines.iter().enumerate() {
        let pos = Position::new(0, i as u64 + 1, i as u64);
        n.normalize_bytes(line.as_bytes(), pos, &mut out)
            .expect("collect never fails");
    }
    out
}

fn field(event: &str, key: &str) -> Option<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(event).expect("event is JSON");
    v.get(key).cloned()
}

/// A quoted fastmatch value with escapes reaches the event unescaped, then trimmed and
/// checked against `emptyValues`, and templates read it, as in Panther (which unescapes
/// while matching): through `normalize_bytes`, `normalize_line` and `normalize`, with a
/// JSON log type loaded beside or not.
#[test]
fn fastmatch_quoted_values_by_every_entry_point() {
    let mut registry = Registry::new();
    registry.add_str(JSON, "json.yml").expect("schema loads");
    registry
        .add_str(
            r#"
schema: Custom.Quoted
parser:
  fastmatch:
    match: ['%{level} msg="%{msg}" user=%{user}']
    trimSpace: true
    emptyValues: ['-']
    expandFields:
      both: '%{user}:%{msg}'
fields:
  - {name: level, type: string}
  - {name: msg, type: string}
  - {name: user, type: string}
  - {name: both, type: string}
"#,
            "quoted.yml",
        )
        .expect("schema loads");
    let lines: [&[u8]; 3] = [
        br#"INFO msg="say \"hi\"\t " user=ann"#,
        br#"INFO msg="\x2d" user=bob"#,
        br#"INFO msg="a\qb" user=eve"#,
    ];
    for types in [&["Custom.Quoted"][..], &["Custom.Json", "Custom.Quoted"]] {
        let mut n = NormalizerBuilder::new()
            .log_types(types.iter().copied())
            .build(&registry)
            .expect("build");
        let mut out = Collect::default();
        for line in lines {
            n.normalize_bytes(line, Position::default(), &mut out)
                .expect("collect");
            n.normalize_line(&mut line.to_vec(), Position::default(), &mut out)
                .expect("collect");
            let mut copy = line.to_vec();
            match n.normalize(&mut copy, Position::default()) {
                Ok(event) => out.events.push(event.to_json(Options::default())),
                Err(e) => out.rejects.push(e.to_string()),
            }
        }
        assert_eq!(out.events.len(), 6, "{types:?}: {:?}", out.rejects);
        for e in &out.events[..3] {
            assert_eq!(field(e, "msg"), Some("say \"hi\"".into()), "{e}");
            assert_eq!(field(e, "both"), Some("ann:say \"hi\"".into()), "{e}");
        }
        for e in &out.events[3..] {
            // `\x2d` is `-`, one of the emptyValues.
            assert_eq!(field(e, "msg"), None, "{e}");
            assert_eq!(field(e, "both"), Some("bob:".into()), "{e}");
        }
        // `\q` is no escape: the pattern does not match.
        assert_eq!(out.rejects.len(), 3, "{types:?}");
        assert!(out
            .rejects
            .iter()
            .all(|r| r.contains("line matches no pattern")));
    }
}

/// An `expandFields` key that the line also fills keeps the line's value when the
/// template comes out empty or one of the `emptyValues` (Panther then adds nothing), and
/// takes the template's value otherwise, for every text parser (review finding: the
/// captured value was lost).
#[test]
fn a_dropped_expansion_keeps_the_captured_value() {
    let mut registry = Registry::new();
    for (yaml, name) in [
        (
            r"
schema: Custom.RxExpand
parser:
  regex:
    match: ['^%{NOTSPACE:user}@%{NOTSPACE:host} %{GREEDYDATA:msg}$']
    emptyValues: ['-']
    expandFields: {msg: '%{user}'}
fields:
  - {name: user, type: string}
  - {name: host, type: string}
  - {name: msg, type: string}
",
            "rx.yml",
        ),
        (
            r"
schema: Custom.CsvExpand
parser:
  csv:
    columns: [user, host, msg]
    emptyValues: ['-']
    expandFields: {msg: '%{user}'}
fields:
  - {name: user, type: string}
  - {name: host, type: string}
  - {name: msg, type: string}
",
            "csv.yml",
        ),
        (
            r"
schema: Custom.FmExpand
parser:
  fastmatch:
    match: ['%{user}@%{host} %{msg}']
    emptyValues: ['-']
    expandFields: {msg: '%{user}'}
fields:
  - {name: user, type: string}
  - {name: host, type: string}
  - {name: msg, type: string}
",
            "fm.yml",
        ),
    ] {
        registry.add_str(yaml, name).expect("schema loads");
    }
    for (log_type, lines) in [
        ("Custom.FmExpand", ["-@h1 hello", "ann@h1 hello"]),
        ("Custom.RxExpand", ["-@h1 hello", "ann@h1 hello"]),
        ("Custom.CsvExpand", ["-,h1,hello", "ann,h1,hello"]),
    ] {
        let out = run_in(&registry, &[log_type], &lines);
        assert_eq!(out.events.len(), 2, "{log_type}: {:?}", out.rejects);
        assert_eq!(
            field(&out.events[0], "msg"),
            Some("hello".into()),
            "{log_type}"
        );
        assert_eq!(
            field(&out.events[1], "msg"),
            Some("ann".into()),
            "{log_type}"
        );
    }
}

/// A required timestamp of a text line given Go's zero time fails `required` as `""`
/// would, and the reject says which of the two it was, for fastmatch and CSV alike.
#[test]
fn a_required_zero_time_is_named_in_text_lines() {
    let mut registry = Registry::new();
    for (yaml, name) in [
        (
            "schema: Custom.Fm\nparser:\n  fastmatch:\n    match: ['%{t} %{msg}']\nfields:\n  - {name: t, type: timestamp, timeFormat: rfc3339, required: true}\n  - {name: msg, type: string}\n",
            "fm.yml",
        ),
        (
            "schema: Custom.Csv\nparser:\n  csv:\n    delimiter: ','\n    columns: [t, msg]\nfields:\n  - {name: t, type: timestamp, timeFormat: rfc3339, required: true}\n  - {name: msg, type: string}\n",
            "csv.yml",
        ),
    ] {
        registry.add_str(yaml, name).expect("schema loads");
    }
    let zero = "the value is Go's zero time (0001-01-01T00:00:00Z), which is null for a timestamp";
    let out = run_in(&registry, &["Custom.Fm"], &["0001-01-01T00:00:00Z hello"]);
    assert!(
        out.rejects.len() == 1 && out.rejects[0].ends_with(zero),
        "{:?}",
        out.rejects
    );
    let out = run_in(&registry, &["Custom.Csv"], &["0001-01-01T00:00:00Z,hello"]);
    assert!(
        out.rejects.len() == 1 && out.rejects[0].ends_with(zero),
        "{:?}",
        out.rejects
    );
}

/// `expandFields` copies a value once per placeholder, so a record can make many times its
/// size: together its expanded values are held to the record limit, and a record past it
/// is refused (`too_long`) naming the field, not cut. The event's text is addressed with
/// 32-bit offsets, which such a record passed: a value of 4.3 GB came out as 25 MB, with
/// no reject (review s48-h1 H-1).
#[test]
fn expanded_values_are_held_to_the_record_limit() {
    let mut registry = Registry::new();
    let template = "%{a}".repeat(20);
    registry
        .add_str(
            &format!(
                "schema: Custom.Big\nparser:\n  fastmatch:\n    match: ['%{{a}}']\n    \
                 expandFields:\n      b: '{template}'\n\
                 fields:\n  - {{name: a, type: string}}\n  - {{name: b, type: string}}\n"
            ),
            "big.yml",
        )
        .expect("schema loads");
    let mut n = NormalizerBuilder::new()
        .max_record_bytes(1500)
        .build(&registry)
        .expect("build");
    let mut out = Collect::default();
    for (i, line) in ["y".repeat(75), "x".repeat(76)].iter().enumerate() {
        let pos = Position::new(0, i as u64 + 1, i as u64);
        n.normalize_bytes(line.as_bytes(), pos, &mut out)
            .expect("collect never fails");
    }
    assert_eq!(out.events.len(), 1, "{:?}", out.rejects);
    assert_eq!(
        field(&out.events[0], "b"),
        Some(serde_json::Value::from("y".repeat(1500)))
    );
    assert_eq!(
        out.rejects,
        [
            "record 1 (line 2, byte 0): Custom.Big: field \"b\": the values expandFields makes \
          of this record pass the record limit of 1500 bytes"
        ]
    );
    let mut line = "x".repeat(76).into_bytes();
    let err = n
        .normalize(&mut line, Position::new(0, 2, 1))
        .expect_err("refused");
    assert_eq!(err.code(), "too_long");
}
