//! Values as Panther's text preprocessors give them: an `expandFields` key that the line
//! also fills, for every text parser.

use normalog::sink::Collect;
use normalog::{NormalizerBuilder, Position, Registry};

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
