//! Text log types (`parser: regex` and `fastmatch`) through the library's entry points:
//! `normalize_line` (in place), `normalize_bytes`, `normalize` (an event returned), and
//! classification among text and JSON log types.

use normalog::sink::ndjson::Options;
use normalog::sink::Collect;
use normalog::{NormalizerBuilder, Position, Registry};

const REGEX: &str = r"
schema: Custom.Kv
parser:
  regex:
    match:
      - '^(?P<level>[A-Z]+) '
      - '%{WORD:op}=%{INT:n}(?: by %{NOTSPACE:who})?$'
    trimSpace: true
fields:
  - {name: level, type: string, required: true}
  - {name: op, type: string}
  - {name: n, type: int}
  - {name: who, type: string, indicators: [email]}
";

const FASTMATCH: &str = r"
schema: Custom.Csvish
parser:
  fastmatch:
    match:
      - '%{a};%{b};%{c}'
      - '%{a};%{b}'
    emptyValues: ['']
    expandFields:
      c: '%{c}%{b}'
fields:
  - {name: a, type: string, required: true}
  - {name: b, type: bigint}
  - {name: c, type: string}
";

const JSON: &str = r"
schema: Custom.Json
fields:
  - {name: level, type: string, required: true}
";

fn registry() -> Registry {
    let mut r = Registry::new();
    for (yaml, name) in [
        (REGEX, "kv.yml"),
        (FASTMATCH, "csvish.yml"),
        (JSON, "json.yml"),
    ] {
        r.add_str(yaml, name).expect("schema loads");
    }
    r
}

fn run(types: &[&str], lines: &[&str]) -> Collect {
    run_in(&registry(), types, lines)
}

/// [`run`] with the log types of `registry`.
fn run_in(registry: &Registry, types: &[&str], lines: &[&str]) -> Collect {
    let mut n = NormalizerBuilder::new()
        .log_types(types.iter().copied())
        .build(registry)
        .expect("build");
    let mut out = Collect::default();
    for (i, line) in lines.iter().enumerate() {
        n.normalize_bytes(
            line.as_bytes(),
            Position::new(0, i as u64 + 1, i as u64),
            &mut out,
        )
        .expect("collect never fails");
    }
    out
}

fn field(event: &str, key: &str) -> Option<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(event).expect("event is JSON");
    v.get(key).cloned()
}

#[test]
fn regex_captures_become_typed_fields() {
    let out = run(&["Custom.Kv"], &["INFO set=42 by ann@example.com"]);
    assert_eq!(out.events.len(), 1, "rejects: {:?}", out.rejects);
    let e = &out.events[0];
    assert_eq!(field(e, "level"), Some("INFO".into()));
    assert_eq!(field(e, "n"), Some(42.into()));
    assert_eq!(field(e, "who"), Some("ann@example.com".into()));
    assert_eq!(
        field(e, "p_any_emails"),
        Some(serde_json::json!(["ann@example.com"]))
    );
}

/// A group that takes no part in the match gives `""`, as Panther's grok does.
#[test]
fn regex_optional_group_left_out_is_empty_and_bad_int_rejected() {
    let out = run(
        &["Custom.Kv"],
        &["WARN del=7", "WARN del=99999999999", "warn del=7"],
    );
    assert_eq!(out.events.len(), 1);
    assert_eq!(field(&out.events[0], "who"), Some("".into()));
    assert_eq!(field(&out.events[0], "p_any_emails"), None);
    assert_eq!(out.rejects.len(), 2);
    assert!(out.rejects[0].contains("field \"n\""), "{}", out.rejects[0]);
    assert!(
        out.rejects[1].contains("line matches no pattern (tried \"^(?P<level>"),
        "{}",
        out.rejects[1]
    );
}

#[test]
fn fastmatch_patterns_in_order_empty_values_and_expansion() {
    let out = run(
        &["Custom.Csvish"],
        &["x;12;y", "x;;y", "x;5", "nothing here"],
    );
    assert_eq!(out.events.len(), 3, "rejects: {:?}", out.rejects);
    assert_eq!(field(&out.events[0], "b"), Some(12.into()));
    assert_eq!(field(&out.events[0], "c"), Some("y12".into()));
    // `b` is empty: left out (null), and expands to nothing.
    assert_eq!(field(&out.events[1], "b"), None);
    assert_eq!(field(&out.events[1], "c"), Some("y".into()));
    // The second pattern: no `c` captured, the expansion still gives a value.
    assert_eq!(field(&out.events[2], "c"), Some("5".into()));
    assert_eq!(out.rejects.len(), 1);
    assert!(
        out.rejects[0].contains("\"%{a};%{b};%{c}\", \"%{a};%{b}\""),
        "{}",
        out.rejects[0]
    );
}

/// Panther adds an `expandFields` value only when it is neither empty nor one of the
/// `emptyValues`: a template whose values were all dropped leaves its field out.
#[test]
fn expanded_value_empty_or_in_empty_values_is_left_out() {
    let mut registry = Registry::new();
    registry
        .add_str(
            r"
schema: Custom.Sessions
parser:
  fastmatch:
    match: ['%{at}|%{user}|%{host}']
    emptyValues: ['-', 'none', '@']
    expandFields:
      session: '%{user}@%{host}'
      who: '%{user}'
      tagged: 'none'
fields:
  - {name: at, type: string}
  - {name: user, type: string}
  - {name: host, type: string}
  - {name: session, type: string}
  - {name: who, type: string}
  - {name: tagged, type: string}
",
            "sessions.yml",
        )
        .expect("schema loads");
    let out = run_in(
        &registry,
        &["Custom.Sessions"],
        &["1|eve|10.0.0.9", "2|-|10.0.0.9", "3|none|-"],
    );
    assert_eq!(out.events.len(), 3, "rejects: {:?}", out.rejects);
    let [full, no_user, nothing] = [0, 1, 2].map(|i| &out.events[i]);
    assert_eq!(field(full, "session"), Some("eve@10.0.0.9".into()));
    assert_eq!(field(full, "who"), Some("eve".into()));
    // A template of literal text only, equal to an empty value.
    assert_eq!(field(full, "tagged"), None, "{full}");
    assert_eq!(field(no_user, "session"), Some("@10.0.0.9".into()));
    // `%{user}` alone, with `user` dropped: empty.
    assert_eq!(field(no_user, "who"), None, "{no_user}");
    // Both values dropped: `@`, one of the empty values.
    assert_eq!(field(nothing, "session"), None, "{nothing}");
    assert_eq!(field(nothing, "who"), None, "{nothing}");
}

/// A capture that names no field but feeds a template is read for the template and left
/// out of the event, as Panther's flat object of captures does (review finding: `schema
/// check` refused it, so a field with a dot in its name could not be filled from a regex).
#[test]
fn a_capture_only_for_a_template_fills_the_template() {
    let mut registry = Registry::new();
    registry
        .add_str(
            r"
schema: Custom.Logins
parser:
  regex:
    match: ['^%{WORD:action} %{WORD:tmp} %{WORD:domain}$']
    expandFields:
      user.name: '%{tmp}@%{domain}'
fields:
  - {name: action, type: string}
  - {name: user.name, type: string, indicators: [email]}
",
            "logins.yml",
        )
        .expect("schema loads");
    let out = run_in(&registry, &["Custom.Logins"], &["login ann example"]);
    assert_eq!(out.events.len(), 1, "rejects: {:?}", out.rejects);
    let event: serde_json::Value = serde_json::from_str(&out.events[0]).expect("JSON");
    assert_eq!(event["user.name"], "ann@example");
    assert_eq!(event["p_any_emails"], serde_json::json!(["ann@example"]));
    assert!(
        event.get("tmp").is_none() && event.get("domain").is_none(),
        "{event}"
    );
}

/// Spaces around a template's names are not part of them (Panther trims them).
#[test]
fn template_names_are_trimmed() {
    let mut registry = Registry::new();
    let yaml = "schema: Custom.Tpl\nparser:\n  fastmatch:\n    match: ['%{u} %{h}']\n    \
                expandFields: {s: '%{ u }@%{h\t}!'}\nfields:\n  - {name: u, type: string}\n  - \
                {name: h, type: string}\n  - {name: s, type: string}\n";
    registry.add_str(yaml, "t.yml").expect("schema loads");
    let out = run_in(&registry, &["Custom.Tpl"], &["eve host1"]);
    assert_eq!(out.events.len(), 1, "rejects: {:?}", out.rejects);
    assert_eq!(field(&out.events[0], "s"), Some("eve@host1!".into()));
}

#[test]
fn json_objects_go_to_json_types_and_text_to_text_types() {
    let lines = [
        r#"{"level":"INFO"}"#,
        "INFO set=1",
        "a;1;c",
        r#"{"other":1}"#,
        "[1,2]",
    ];
    let out = run(&[], &lines);
    let types: Vec<_> = out
        .events
        .iter()
        .map(|e| field(e, "p_log_type").expect("p_log_type"))
        .collect();
    assert_eq!(types, ["Custom.Json", "Custom.Kv", "Custom.Csvish"]);
    assert_eq!(out.rejects.len(), 2, "{:?}", out.rejects);
    // A JSON object is never claimed by a text type, even one whose pattern would match it.
    assert!(
        out.rejects[0].contains("Custom.Json: missing required field \"level\""),
        "{}",
        out.rejects[0]
    );
    // Only a line that starts with `{` can be a JSON object; others are tried as text.
    assert!(
        out.rejects[1].contains("Custom.Json: record is not a JSON object"),
        "{}",
        out.rejects[1]
    );
    assert!(
        out.rejects[1].contains("Custom.Csvish: line matches no pattern"),
        "{}",
        out.rejects[1]
    );
}

/// With no JSON log type in the run, a line that is a JSON object is text like any other,
/// for the text log types to match (it used to be refused by each of them); with one, it
/// goes to the JSON log types alone, as Panther's classifier gives it.
#[test]
fn a_json_object_is_text_when_no_json_log_type_is_loaded() {
    let mut registry = registry();
    registry
        .add_str(
            r#"
schema: Custom.Embedded
parser:
  fastmatch:
    match: ['{"a":%{a},"b":%{b}}']
fields:
  - {name: a, type: int}
  - {name: b, type: string}
"#,
            "embedded.yml",
        )
        .expect("schema loads");
    let line = r#"{"a":1,"b":"x"}"#;
    let out = run_in(&registry, &["Custom.Embedded"], &[line]);
    assert_eq!(out.events.len(), 1, "rejects: {:?}", out.rejects);
    assert_eq!(field(&out.events[0], "a"), Some(1.into()));
    assert_eq!(field(&out.events[0], "b"), Some("\"x\"".into()));
    // `%{a};%{b};%{c}` matches this line read as text.
    let out = run_in(&registry, &["Custom.Csvish"], &[r#"{"a":"x;1;y"}"#]);
    assert_eq!(out.events.len(), 1, "rejects: {:?}", out.rejects);
    assert_eq!(field(&out.events[0], "a"), Some("{\"a\":\"x".into()));
    assert_eq!(field(&out.events[0], "b"), Some(1.into()));

    // A JSON log type loaded: the object is its record, refused by it alone.
    let out = run_in(&registry, &["Custom.Json", "Custom.Embedded"], &[line]);
    assert!(out.events.is_empty());
    assert!(
        out.rejects[0].contains("Custom.Json") && !out.rejects[0].contains("Custom.Embedded"),
        "{}",
        out.rejects[0]
    );
}

/// The batch runs frame inputs the same way: without a JSON log type, an input that starts
/// like a JSON document (`[`) is lines of text all the same, not a document read whole and
/// cut into its elements.
#[test]
fn a_run_of_text_log_types_reads_a_json_looking_input_as_lines() {
    use normalog::pipeline::{Batch, Ignore, Input};

    let mut registry = Registry::new();
    registry
        .add_str(
            r#"
schema: Custom.FirstA
parser:
  regex:
    match: ['"a":%{INT:a}']
fields:
  - {name: a, type: int}
"#,
            "first_a.yml",
        )
        .expect("schema loads");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("looks_like.json");
    std::fs::write(&path, "[{\"a\":1},{\"a\":2}]\n{\"a\":3}\n").expect("write input");
    let inputs = [Input::Path(path)];
    let builder = {
        let mut b = NormalizerBuilder::new();
        b.log_types(["Custom.FirstA"]);
        b
    };
    let mut normalizer = builder.build(&registry).expect("build");
    let mut out = normalog::sink::Collect::default();
    let run = Batch::new()
        .run(&mut normalizer, &inputs, &mut out, &mut Ignore)
        .expect("run");
    assert_eq!(run.summary.normalized, 2, "rejects: {:?}", out.rejects);
    assert_eq!(field(&out.events[0], "a"), Some(1.into()));
    assert_eq!(field(&out.events[1], "a"), Some(3.into()));
    let mut ndjson = Vec::new();
    let run = Batch::new()
        .threads(2)
        .run_ndjson(
            &builder,
            &registry,
            &inputs,
            &mut ndjson,
            normalog::sink::ndjson::Options::default(),
            &mut Ignore,
        )
        .expect("run");
    assert_eq!(run.summary.normalized, 2);
}

/// A line that starts like a JSON object but is broken, at the top of an input, is the
/// JSON reject that says where, also when a text log type skips the first lines of each
/// input (`skipLines`): the skip used to count it as a preamble line, and the record
/// vanished without a reject (review finding). Text lines there are still skipped.
#[test]
fn broken_json_at_the_top_of_an_input_is_rejected_not_skipped() {
    let mut registry = registry();
    registry
        .add_str(
            "schema: Custom.Pre\nparser:\n  fastmatch:\n    skipLines: 2\n    match:\n      \
             - '%{job} status=%{status}'\nfields:\n  - {name: job, type: string}\n  \
             - {name: status, type: string}\n",
            "pre.yml",
        )
        .expect("schema loads");
    let lines = [
        r#"{"level":"INFO","#,
        "# a preamble line",
        r#"{"level":"WARN"}"#,
        "backup status=ok",
    ];
    let out = run_in(&registry, &["Custom.Json", "Custom.Pre"], &lines);
    assert_eq!(out.rejects.len(), 1, "{:?}", out.rejects);
    assert!(
        out.rejects[0].contains("line 1") && out.rejects[0].contains("JSON"),
        "{}",
        out.rejects[0]
    );
    let types: Vec<_> = out
        .events
        .iter()
        .map(|e| field(e, "p_log_type").expect("p_log_type"))
        .collect();
    assert_eq!(types, ["Custom.Json", "Custom.Pre"]);
}

/// A line that starts with a text log type's `skipPrefix` is skipped even when it starts
/// with `{` and is not JSON, with JSON log types loaded: the prefix says what the line is
/// (the positional skips above do not).
#[test]
fn a_line_with_the_skip_prefix_is_skipped_even_if_it_looks_like_broken_json() {
    let mut registry = registry();
    registry
        .add_str(
            "schema: Custom.Pre\nparser:\n  fastmatch:\n    skipPrefix: '{#'\n    match:\n      \
             - '%{job} status=%{status}'\nfields:\n  - {name: job, type: string}\n  \
             - {name: status, type: string}\n",
            "pre.yml",
        )
        .expect("schema loads");
    let lines = [
        "{# generated by backup-agent 2.1 #}",
        r#"{"level":"WARN"}"#,
        "backup status=ok",
        r#"{"level":"#,
    ];
    let out = run_in(&registry, &["Custom.Json", "Custom.Pre"], &lines);
    assert_eq!(out.rejects.len(), 1, "{:?}", out.rejects);
    assert!(out.rejects[0].contains("line 4"), "{}", out.rejects[0]);
    assert_eq!(out.events.len(), 2, "{:?}", out.events);
}

/// A line that is not UTF-8 is read as Panther's Go code reads it: each byte that is not
/// part of a UTF-8 sequence is one U+FFFD, which patterns match as a character and values
/// keep (it was a reject: a Latin-1 byte in a syslog line cost the whole line).
#[test]
fn a_line_not_utf8_is_read_with_replacement_characters_as_go_reads_it() {
    let registry = registry();
    let mut n = NormalizerBuilder::new()
        .log_types(["Custom.Kv"])
        .build(&registry)
        .expect("build");
    let mut out = Collect::default();
    for line in [
        &b"INFO set=1 by caf\xe9"[..],
        b"INFO set=2 by \xe3\x80!",
        b"INFO s\xff=3",
    ] {
        n.normalize_bytes(line, Position::default(), &mut out)
            .expect("collect");
    }
    assert_eq!(out.events.len(), 2, "{:?}", out.rejects);
    assert_eq!(field(&out.events[0], "who"), Some("caf\u{fffd}".into()));
    // A truncated sequence is a character a byte, as Go's `utf8.DecodeRune` takes it.
    assert_eq!(
        field(&out.events[1], "who"),
        Some("\u{fffd}\u{fffd}!".into())
    );
    // `%{WORD}` does not match U+FFFD: the line is refused as any other that does not match.
    assert!(
        out.rejects[0].contains("line matches no pattern"),
        "{}",
        out.rejects[0]
    );
}

#[test]
fn normalize_line_and_normalize_read_text_too() {
    let registry = registry();
    let mut n = NormalizerBuilder::new().build(&registry).expect("build");
    let mut out = Collect::default();
    let mut line = b"{ \"level\": \"x\\u0041\" }".to_vec();
    n.normalize_line(&mut line, Position::default(), &mut out)
        .expect("collect");
    let mut line = b"DEBUG get=3".to_vec();
    n.normalize_line(&mut line, Position::default(), &mut out)
        .expect("collect");
    // A line that starts like JSON but is not: the text types read the untouched line.
    let mut line = b"{x;2".to_vec();
    n.normalize_line(&mut line, Position::default(), &mut out)
        .expect("collect");
    assert_eq!(out.events.len(), 3, "rejects: {:?}", out.rejects);
    assert_eq!(field(&out.events[0], "level"), Some("xA".into()));
    assert_eq!(field(&out.events[1], "op"), Some("get".into()));
    assert_eq!(field(&out.events[2], "a"), Some("{x".into()));

    let mut line = b"ERROR put=9".to_vec();
    let event = n
        .normalize(&mut line, Position::default())
        .expect("accepted");
    assert_eq!(event.log_type(), "Custom.Kv");
    let mut line = b"{\"a\":".to_vec();
    let err = n
        .normalize(&mut line, Position::default())
        .expect_err("rejected");
    assert!(err.to_string().contains("invalid JSON"), "{err}");
}

/// A float that goes into a string keeps its text as written (`1.10`, not `1.1`) whichever
/// entry point reads it, with text log types loaded beside (the mixed path) or not.
#[test]
fn floats_into_strings_as_written_by_every_entry_point() {
    let registry = registry();
    for types in [&["Custom.Json"][..], &["Custom.Json", "Custom.Kv"]] {
        let mut n = NormalizerBuilder::new()
            .log_types(types.iter().copied())
            .build(&registry)
            .expect("build");
        let record = br#"{"x": "a\"b", "level": 1.10}"#;
        let mut out = Collect::default();
        n.normalize_bytes(record, Position::default(), &mut out)
            .expect("collect");
        n.normalize_line(&mut record.to_vec(), Position::default(), &mut out)
            .expect("collect");
        let mut line = record.to_vec();
        let event = n
            .normalize(&mut line, Position::default())
            .expect("accepted");
        out.events.push(event.to_json(Options::default()));
        assert_eq!(out.events.len(), 3, "{types:?}: {:?}", out.rejects);
        for event in &out.events {
            assert_eq!(
                field(event, "level"),
                Some("1.10".into()),
                "{types:?}: {event}"
            );
        }
    }
}

/// The generator writes lines for text log types that read back as written: every line is
/// normalized, except the ones made invalid on purpose, which are all rejected; the
/// preamble (CSV headers, `skipLines` lines) is skipped.
#[cfg(feature = "gen")]
#[test]
fn gen_writes_text_lines_that_normalize() {
    use normalog::gen::{GenOptions, Generator};
    let mut registry = registry();
    let root = env!("CARGO_MANIFEST_DIR");
    for path in [
        "benches/schemas/WebAccess.yml",
        "benches/schemas/Firewall.yml",
        "benches/schemas/VpnSessions.yml",
        "tests/data/schematest/text/VpnSession.yml",
        "tests/data/schematest/text/WebAccess.yml",
        "tests/data/schematest/text/FirewallCsv.yml",
        "tests/data/schematest/text/AppUsers.yml",
        "tests/data/schematest/text/Meter.yml",
        "tests/data/schematest/text/Preamble.yml",
    ] {
        registry
            .add_path(&std::path::Path::new(root).join(path))
            .expect("schema loads");
    }
    let text_types = [
        "Bench.WebAccess",
        "Bench.Firewall",
        "Custom.VpnSession",
        "Custom.WebAccess",
        "Custom.Kv",
        "Custom.Csvish",
        "Bench.VpnSessions",
        "Custom.FirewallCsv",
        "Custom.AppUsers",
        "Custom.Meter",
        "Custom.JobLog",
    ];
    for log_type in text_types {
        for invalid_rate in [0.0, 0.2] {
            let opts = GenOptions {
                seed: 3,
                invalid_rate,
                ..GenOptions::default()
            };
            let mut generator = Generator::new(&registry, &[log_type], &opts).expect(log_type);
            let mut data = Vec::new();
            let summary = generator.write_to(300, &mut data).expect("in memory");
            let mut n = NormalizerBuilder::new()
                .log_types([log_type])
                .build(&registry)
                .expect("build");
            let mut out = Collect::default();
            for (i, line) in data
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .enumerate()
            {
                let pos = Position::new(0, i as u64 + 1, i as u64);
                n.normalize_bytes(line, pos, &mut out).expect("collect");
            }
            assert_eq!(
                out.rejects.len() as u64,
                summary.invalid,
                "{log_type} at {invalid_rate}: {:?}",
                out.rejects.first()
            );
            assert_eq!(out.events.len() as u64, summary.records - summary.invalid);
            // A fastmatch placeholder or a CSV column takes any text, so a bad timestamp or an
            // empty required value always fits (a regex group may refuse them: then the line
            // stays valid).
            let any_text = ["Bench.WebAccess", "Custom.VpnSession", "Bench.VpnSessions"];
            if invalid_rate > 0.0 && any_text.contains(&log_type) {
                assert!(summary.invalid > 0, "{log_type}: no invalid line made");
            }
        }
    }
}

/// A pattern whose groups cannot hold a value the field accepts: the generator says why
/// instead of writing lines the log type would reject.
#[cfg(feature = "gen")]
#[test]
fn gen_refuses_a_pattern_it_cannot_fill() {
    use normalog::gen::{GenError, GenOptions, Generator};
    let mut registry = Registry::new();
    let yaml = r"
schema: Custom.Letters
parser:
  regex:
    match: ['^(?P<n>[a-z]+)$']
fields:
  - {name: n, type: int, required: true}
";
    registry.add_str(yaml, "letters.yml").expect("schema loads");
    let err = Generator::new(&registry, &["Custom.Letters"], &GenOptions::default())
        .expect_err("cannot fill");
    let GenError::TextPattern { log_type, reason } = &err else {
        panic!("{err}");
    };
    assert_eq!(log_type, "Custom.Letters");
    assert!(
        reason.contains("most lines made from its pattern are rejected"),
        "{reason}"
    );
    assert!(reason.contains("field \"n\""), "{reason}");
    // The sample line's reason alone: its position among the samples means nothing.
    assert!(!reason.contains("(line "), "{reason}");
}

/// Lines that start with `skipPrefix` are skipped by the normalizer, so the generator never
/// writes one: here many values of the first field start with the prefix, and every line
/// written is still an event.
#[cfg(feature = "gen")]
#[test]
fn gen_never_writes_a_line_the_log_type_skips() {
    use normalog::gen::{GenOptions, Generator};
    let mut registry = Registry::new();
    let yaml = r"
schema: Custom.Ones
parser:
  fastmatch:
    match: ['%{n} %{word}']
    skipPrefix: '1'
fields:
  - {name: n, type: bigint, required: true}
  - {name: word, type: string, required: true}
";
    registry.add_str(yaml, "ones.yml").expect("schema loads");
    let opts = GenOptions {
        seed: 5,
        ..GenOptions::default()
    };
    let mut generator = Generator::new(&registry, &["Custom.Ones"], &opts).expect("generator");
    let mut data = Vec::new();
    let summary = generator.write_to(400, &mut data).expect("in memory");
    let lines: Vec<&[u8]> = data
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len() as u64, summary.records);
    assert!(
        lines.iter().all(|l| !l.starts_with(b"1")),
        "a line starts with the prefix"
    );
    let mut n = NormalizerBuilder::new()
        .log_types(["Custom.Ones"])
        .build(&registry)
        .expect("build");
    let mut out = Collect::default();
    for (i, line) in lines.iter().enumerate() {
        let pos = Position::new(0, i as u64 + 1, i as u64);
        n.normalize_bytes(line, pos, &mut out).expect("collect");
    }
    assert_eq!(
        out.events.len() as u64,
        summary.records,
        "{:?}",
        out.rejects.first()
    );
}

/// A field whose group takes no part in the match is `""` (review finding: it was left
/// out, so a `required` string failed where Panther takes `""`): a string keeps it, a
/// number is null, and `emptyValues` holding `''` drops it.
#[test]
fn regex_groups_outside_the_match_are_empty_text() {
    let schema = |empty: &str| {
        format!(
            "schema: Custom.Opt\nparser:\n  regex:\n    match: ['^%{{WORD:a}}(?: %{{WORD:b}} %{{INT:n}})?$']\n\
             {empty}fields:\n  - {{name: a, type: string}}\n  - {{name: b, type: string, required: true}}\n\
             \x20 - {{name: n, type: int}}\n"
        )
    };
    let mut registry = Registry::new();
    registry
        .add_str(&schema(""), "opt.yml")
        .expect("schema loads");
    let out = run_in(&registry, &["Custom.Opt"], &["x", "x y 3"]);
    assert_eq!(out.events.len(), 2, "rejects: {:?}", out.rejects);
    assert_eq!(field(&out.events[0], "b"), Some("".into()));
    assert_eq!(field(&out.events[0], "n"), None);
    assert_eq!(field(&out.events[1], "n"), Some(3.into()));

    let mut registry = Registry::new();
    registry
        .add_str(&schema("    emptyValues: ['']\n"), "opt.yml")
        .expect("schema loads");
    let out = run_in(&registry, &["Custom.Opt"], &["x"]);
    assert_eq!(out.events.len(), 0);
    assert!(
        out.rejects[0].contains("missing required field \"b\""),
        "{:?}",
        out.rejects
    );
}

/// A JSON object that simd-json refuses only for what Panther's decoder reads (a lone
/// surrogate escape, a number beyond a float's range) is still a JSON object: with a text
/// log type loaded beside, one that would read any line, it goes to the JSON log types,
/// read as without the text type (it used to be taken by the text type, as a line).
#[test]
fn a_json_object_simd_json_refuses_is_not_taken_by_a_text_type() {
    let mut registry = registry();
    registry
        .add_str(
            r"
schema: Custom.AnyLine
parser:
  regex:
    match: ['^(?P<level>.+)$']
fields:
  - {name: level, type: string, required: true}
",
            "any.yml",
        )
        .expect("schema loads");
    let lines = [r#"{"level":"a\ud800","n":1e400}"#, "plain text"];
    let json_alone = run_in(&registry, &["Custom.Json"], &lines[..1]);
    let mixed = run_in(&registry, &["Custom.Json", "Custom.AnyLine"], &lines);
    assert_eq!(mixed.events.len(), 2, "{:?}", mixed.rejects);
    assert_eq!(json_alone.events.len(), 1, "{:?}", json_alone.rejects);
    let event = &mixed.events[0];
    assert_eq!(
        field(event, "p_log_type"),
        Some("Custom.Json".into()),
        "{event}"
    );
    assert_eq!(field(event, "level"), Some("a\u{fffd}".into()), "{event}");
    assert_eq!(field(event, "level"), field(&json_alone.events[0], "level"));
    assert_eq!(
        field(&mixed.events[1], "p_log_type"),
        Some("Custom.AnyLine".into())
    );

    // A JSON object with a byte that is not UTF-8 is the JSON log types' reject, as
    // without the text type (read as text with U+FFFD, the text type took it).
    let mut n = NormalizerBuilder::new()
        .log_types(["Custom.Json", "Custom.AnyLine"])
        .build(&registry)
        .expect("build");
    let mut out = Collect::default();
    n.normalize_bytes(b"{\"level\":\"caf\xe9\"}", Position::default(), &mut out)
        .expect("collect");
    assert!(out.events.is_empty(), "{:?}", out.events);
    assert!(
        out.rejects[0].contains("invalid JSON"),
        "{}",
        out.rejects[0]
    );

    // Nor does white space Go trims and JSON does not allow, around a JSON object, make it
    // a text line (Panther's classifier trims every line).
    n.normalize_bytes(
        "\u{a0}{\"level\":\"x\"}\u{b}".as_bytes(),
        Position::default(),
        &mut out,
    )
    .expect("collect");
    assert_eq!(out.events.len(), 1, "{:?}", out.rejects);
    assert_eq!(
        field(&out.events[0], "p_log_type"),
        Some("Custom.Json".into())
    );

    // In place (`normalize`), no second reading: such a record is invalid JSON there, as
    // documented, not a line for the text type.
    let mut line = lines[0].as_bytes().to_vec();
    let err = n
        .normalize(&mut line, Position::default())
        .expect_err("invalid JSON in place");
    assert!(err.to_string().contains("invalid JSON"), "{err}");
}

/// Every text line is trimmed of white space (Go's `strings.TrimSpace`, Unicode's too)
/// before it is skipped, matched or split, as Panther's classifier trims each line before
/// any parser sees it: trailing blanks stay out of the last value and out of a number, a
/// pattern anchored with `$` reads such a line, an indented line and an indented comment
/// read as they would unindented; a line of white space alone is blank, not a record.
#[test]
fn text_lines_are_trimmed_as_panther_trims_them() {
    let mut registry = Registry::new();
    for (yaml, name) in [
        (
            r"
schema: Custom.Rx
parser:
  regex:
    skipPrefix: '#'
    match: ['^%{IP:src} %{WORD:action} %{GREEDYDATA:msg}$']
fields:
  - {name: src, type: string}
  - {name: action, type: string}
  - {name: msg, type: string}
",
            "rx.yml",
        ),
        (
            r"
schema: Custom.Fm
parser:
  fastmatch:
    match: ['%{user} n=%{n}']
fields:
  - {name: user, type: string}
  - {name: n, type: int}
",
            "fm.yml",
        ),
        (
            r"
schema: Custom.Csv
parser:
  csv:
    delimiter: ';'
    hasHeader: true
fields:
  - {name: a, type: string}
  - {name: b, type: string}
",
            "csv.yml",
        ),
    ] {
        registry.add_str(yaml, name).expect("schema loads");
    }
    let stream = |log_type: &str, input: &[u8]| {
        let n = NormalizerBuilder::new()
            .log_types([log_type])
            .build(&registry)
            .expect("build");
        let mut s = normalog::StreamNormalizer::new(n);
        let mut out = Collect::default();
        s.feed(input, &mut out).expect("collect");
        s.finish(&mut out).expect("collect");
        (out, s.summary().blank_lines)
    };

    let (out, blank) = stream(
        "Custom.Rx",
        "10.0.0.2 deny blocked  \n  10.0.0.3 allow indented\n   # comment\n\
         10.0.0.4 allow tab\t\n\u{a0}\n\u{3000} \u{2028}\n"
            .as_bytes(),
    );
    assert!(out.rejects.is_empty(), "{:?}", out.rejects);
    let msgs: Vec<_> = out.events.iter().map(|e| field(e, "msg")).collect();
    assert_eq!(
        msgs,
        [
            Some("blocked".into()),
            Some("indented".into()),
            Some("tab".into())
        ]
    );
    assert_eq!(blank, 2, "lines of Unicode white space alone are blank");

    let (out, _) = stream("Custom.Fm", b"bob n=5 \n");
    assert!(out.rejects.is_empty(), "{:?}", out.rejects);
    assert_eq!(field(&out.events[0], "n"), Some(5.into()));

    // The header's last name and the row's last value, without their trailing blanks; an
    // unclosed quote's column counts from the line's start, before the trim.
    let (out, _) = stream(
        "Custom.Csv",
        b"  b;c;a  \n 1 ;2;3 \n  x;\"y;z\n \xff\xff;\"y;z\n",
    );
    assert_eq!(out.events.len(), 1, "{:?}", out.rejects);
    assert_eq!(field(&out.events[0], "a"), Some("3".into()));
    assert_eq!(
        field(&out.events[0], "b"),
        Some("1 ".into()),
        "only the line is trimmed"
    );
    assert_eq!(out.rejects.len(), 2, "{:?}", out.rejects);
    assert!(
        out.rejects[0].contains("the quote at column 5 is never closed"),
        "{}",
        out.rejects[0]
    );
    // And bytes that are not UTF-8 (read as U+FFFD, three bytes each) count one each.
    assert!(
        out.rejects[1].contains("the quote at column 5 is never closed"),
        "{}",
        out.rejects[1]
    );
}
