//! Hostile input, one test each: nothing here may panic, overflow the stack, hang or
//! allocate without bound. Each test asserts a clear reject or error *and* that the other
//! records of the same input are still normalized. There are no timing assertions: a test
//! that completes is bounded.
//!
//! Behaviours defined here (and documented in the README's decoding rules and the reference):
//! duplicate keys — the last one wins, even over a bad earlier value; keys match schema
//! field names exactly (a key that differs only in case is an unknown key, dropped);
//! numbers beyond f64 are invalid JSON (an integer beyond 64 bits is a float); `-0` is the
//! integer 0.

mod util;

use std::fmt::Write as _;
use std::io::Write as _;

use normalog::pipeline::{self, Input, Observer};
use normalog::schema::load;
use normalog::sink::ndjson;
use normalog::sink::Collect;
use normalog::{Error, Event, NormalizerBuilder, Registry, Sink, Summary};
use serde_json::Value;

/// Run `f` on a thread with a modest stack (a quarter of a spawned thread's default), to
/// prove it does not recurse once per level of input.
fn small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    on_stack(512 * 1024, f)
}

fn on_stack<T: Send + 'static>(size: usize, f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(size)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no panic, no stack overflow")
}

/// What a run over a whole input produced: events (parsed) and reject codes, in order.
#[derive(Default)]
struct Out {
    events: Vec<Value>,
    rejects: Vec<String>,
    buf: Vec<u8>,
}

impl Sink for Out {
    type Error = Error;
    fn record(&mut self, e: &Event<'_>) -> Result<bool, Error> {
        self.buf.clear();
        ndjson::write_event(&mut self.buf, e, ndjson::Options::default());
        let mut de = serde_json::Deserializer::from_slice(&self.buf);
        de.disable_recursion_limit();
        let v: Value = serde::Deserialize::deserialize(&mut de).expect("NDJSON parses");
        self.events.push(v);
        Ok(true)
    }
    fn rejected(&mut self, err: &Error) -> Result<bool, Error> {
        assert!(err.is_record_error(), "{err}");
        let _ = err.to_string();
        self.rejects.push(err.code().to_owned());
        Ok(true)
    }
}

/// Normalize `input` (NDJSON) with the rich schema; `max` is the record size limit.
fn run_rich(input: &[u8], max: usize) -> (Out, Summary) {
    let registry = util::registry("rich.yml");
    let mut n = NormalizerBuilder::new()
        .log_types(["Custom.Rich"])
        .max_record_bytes(max)
        .build(&registry)
        .expect("rich");
    let mut out = Out::default();
    let input = Input::Reader(pipeline::input::SharedReader::new(std::io::Cursor::new(
        input.to_vec(),
    )));
    let run = pipeline::Batch::new()
        .run(&mut n, &[input], &mut out, &mut pipeline::Ignore)
        .expect("sink never fails");
    assert_eq!(run.failed_inputs, 0, "input read to its end");
    let summary = run.summary;
    assert_eq!(summary.records, summary.normalized + summary.rejected);
    (out, summary)
}

const GOOD_1: &[u8] = br#"{"id":1,"msg":"before"}"#;
const GOOD_2: &[u8] = br#"{"id":2,"msg":"after"}"#;

/// `GOOD_1`, `bad`, `GOOD_2` as NDJSON; asserts the good ones normalize around the bad one
/// and returns the bad one's reject code.
fn sandwich(bad: &[u8], max: usize) -> String {
    let mut input = Vec::with_capacity(bad.len() + 64);
    input.extend_from_slice(GOOD_1);
    input.push(b'\n');
    input.extend_from_slice(bad);
    input.push(b'\n');
    input.extend_from_slice(GOOD_2);
    input.push(b'\n');
    let (out, summary) = run_rich(&input, max);
    assert_eq!(summary.records, 3);
    assert_eq!(summary.normalized, 2, "rejects: {:?}", out.rejects);
    assert_eq!(out.events[0]["msg"], "before");
    assert_eq!(out.events[1]["msg"], "after");
    out.rejects.into_iter().next().expect("one reject")
}

/// The one record of a sandwich that normalized in the middle.
fn accepted_middle(record: &[u8]) -> Value {
    let mut input = Vec::new();
    for line in [GOOD_1, record, GOOD_2] {
        input.extend_from_slice(line);
        input.push(b'\n');
    }
    let (mut out, summary) = run_rich(&input, normalog::parse::DEFAULT_MAX_RECORD_BYTES);
    assert_eq!(summary.normalized, 3, "rejects: {:?}", out.rejects);
    out.events.remove(1)
}

const MAX: usize = normalog::parse::DEFAULT_MAX_RECORD_BYTES;

#[test]
fn nesting_100k_levels_arrays() {
    let reject = small_stack(|| {
        let n = 100_000;
        let line = [vec![b'['; n], vec![b']'; n]].concat();
        sandwich(&line, MAX)
    });
    assert_eq!(reject, "invalid_json");
}

#[test]
fn nesting_100k_levels_objects_in_a_json_field() {
    let reject = small_stack(|| {
        let n = 100_000;
        let mut line = br#"{"id":3,"extra":"#.to_vec();
        line.extend(std::iter::repeat_n(&b"{\"a\":"[..], n).flatten());
        line.extend_from_slice(b"1");
        line.extend(std::iter::repeat_n(b'}', n + 1));
        sandwich(&line, MAX)
    });
    assert_eq!(reject, "invalid_json");
}

#[test]
fn nesting_1000_levels_in_json_and_embedded_json_fields_is_kept() {
    // Under simd-json's depth limit (1024): accepted, and written back without trouble on a
    // small stack. (The output is checked as text: parsing it back would recurse 1000 deep
    // in the test's own JSON parser.)
    let deep = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
    let record = format!(
        r#"{{"id":3,"extra":{deep},"embedded_any":{}}}"#,
        Value::from(deep.clone())
    );
    let out = small_stack(move || {
        let registry = util::registry("rich.yml");
        let mut n = NormalizerBuilder::new().build(&registry).expect("rich");
        let mut out = Collect::default();
        n.normalize_bytes(record.as_bytes(), normalog::Position::default(), &mut out)
            .expect("no sink error");
        out
    });
    assert_eq!(out.events.len(), 1, "{:?}", out.rejects);
    let line = &out.events[0];
    assert!(
        line.starts_with(&format!(
            r#"{{"id":3,"extra":{deep},"embedded_any":{deep},"#
        )),
        "{line}"
    );
}

#[test]
fn single_line_of_64_mib_over_the_limit() {
    // 64 MiB against the default 16 MiB limit: skipped without being buffered.
    let mut line = br#"{"id":3,"msg":""#.to_vec();
    line.resize(64 << 20, b'a');
    line.extend_from_slice(br#""}"#);
    assert_eq!(sandwich(&line, MAX), "too_long");
}

#[test]
fn single_line_of_64_mib_under_the_limit() {
    let mut line = br#"{"id":3,"msg":""#.to_vec();
    line.resize(64 << 20, b'a');
    line.extend_from_slice(br#""}"#);
    let mut input = Vec::new();
    for l in [GOOD_1, &line, GOOD_2] {
        input.extend_from_slice(l);
        input.push(b'\n');
    }
    let (out, summary) = run_rich(&input, 128 << 20);
    assert_eq!(summary.normalized, 3, "{:?}", out.rejects);
    assert_eq!(
        out.events[1]["msg"].as_str().map(str::len),
        Some((64 << 20) - 15)
    );
}

#[test]
fn invalid_utf8_inside_a_string() {
    assert_eq!(
        sandwich(b"{\"id\":3,\"msg\":\"a\xff\xfeb\"}", MAX),
        "invalid_json"
    );
    // Truncated multi-byte sequence right before the closing quote.
    assert_eq!(
        sandwich(b"{\"id\":3,\"msg\":\"\xe2\x82\"}", MAX),
        "invalid_json"
    );
}

/// The reject names the byte that is not UTF-8 and points at it (review finding: it said
/// "invalid unicode code point", the words of `serde_json`).
#[test]
fn invalid_utf8_is_named_in_the_reject() {
    let mut n = NormalizerBuilder::new()
        .build(&Registry::builtin())
        .expect("normalizer");
    let mut out = Collect::default();
    n.normalize_bytes(
        b"{\"email\":\"a\xffb\",\"time\":\"2023-07-01T14:00:00Z\"}",
        normalog::Position::default(),
        &mut out,
    )
    .expect("collect");
    let reject = out.rejects.first().cloned().unwrap_or_default();
    assert!(
        reject.contains("column 12): invalid JSON: invalid UTF-8: byte 0xff is not UTF-8 there"),
        "{reject}"
    );
}

#[test]
fn invalid_utf8_inside_a_key() {
    assert_eq!(
        sandwich(b"{\"id\":3,\"m\xffsg\":\"a\"}", MAX),
        "invalid_json"
    );
    // Even in a key the schema does not name.
    assert_eq!(sandwich(b"{\"id\":3,\"\xc0\xaf\":1}", MAX), "invalid_json");
}

#[test]
fn raw_nul_bytes_are_invalid_json() {
    assert_eq!(
        sandwich(b"{\"id\":3,\"msg\":\"a\0b\"}", MAX),
        "invalid_json"
    );
    assert_eq!(sandwich(b"{\"id\":3}\0", MAX), "invalid_json");
    assert_eq!(sandwich(b"\0", MAX), "invalid_json");
}

#[test]
fn escaped_nul_is_kept_and_escaped_on_output() {
    let v = accepted_middle(br#"{"id":3,"msg":"a\u0000b"}"#);
    assert_eq!(v["msg"], "a\u{0}b");
}

/// Lone surrogate escapes are U+FFFD, as Panther's decoder (json-iterator) reads them: the record
/// is kept, and the records around it are read as usual.
#[test]
fn lone_surrogate_escapes() {
    assert_eq!(
        accepted_middle(br#"{"id":3,"msg":"\ud800"}"#)["msg"],
        "\u{FFFD}"
    );
    assert_eq!(
        accepted_middle(br#"{"id":3,"msg":"\udc00x"}"#)["msg"],
        "\u{FFFD}x"
    );
    assert_eq!(
        accepted_middle(br#"{"id":3,"msg":"\ud800\u0041"}"#)["msg"],
        "\u{FFFD}A"
    );
    // In a key too (not a field of the schema: dropped).
    assert_eq!(accepted_middle(br#"{"id":3,"\ud800":1}"#)["id"], 3);
}

/// Valid JSON beyond a float's range, as Panther reads it: out of range in a number field,
/// its text kept by a string field, skipped under a key the schema does not name (a `json`
/// value keeps it too: `tests/decode.rs`); the records around it are read as usual.
#[test]
fn integer_with_400_digits() {
    let digits = "7".repeat(400);
    for field in ["id", "ratio"] {
        let line = format!(r#"{{"id":3,"{field}":{digits}}}"#);
        assert_eq!(sandwich(line.as_bytes(), MAX), "out_of_range", "{field}");
    }
    let v = accepted_middle(format!(r#"{{"id":3,"msg":{digits},"nope":{digits}}}"#).as_bytes());
    assert_eq!(v["msg"], digits.as_str());
    // As a string it is text: out of range for an integer field, kept by a string field.
    let line = format!(r#"{{"id":"{digits}"}}"#);
    assert_eq!(sandwich(line.as_bytes(), MAX), "out_of_range");
    let v = accepted_middle(format!(r#"{{"id":3,"msg":"{digits}"}}"#).as_bytes());
    assert_eq!(v["msg"], digits.as_str());
}

#[test]
fn number_1e999() {
    for field in ["ratio", "ts_unix", "count"] {
        let line = format!(r#"{{"id":3,"{field}":1e999}}"#);
        assert_eq!(sandwich(line.as_bytes(), MAX), "out_of_range", "{field}");
    }
    let v = accepted_middle(br#"{"id":3,"msg":-1e999,"nope":[1e999]}"#);
    assert_eq!(v["msg"], "-1e999");
    // Beside a syntax error, the record is invalid JSON.
    assert_eq!(sandwich(br#"{"id":3,"msg":1e999,}"#, MAX), "invalid_json");
    // As text in a float field: not a finite float.
    assert_eq!(sandwich(br#"{"id":3,"ratio":"1e999"}"#, MAX), "bad_text");
}

#[test]
fn negative_zero() {
    let v = accepted_middle(br#"{"id":-0,"count":-0,"ratio":-0,"msg":-0,"ok":-0}"#);
    assert_eq!(v["id"], 0);
    assert_eq!(v["count"], 0);
    // A string keeps the number's text as written (Panther: the raw JSON number).
    assert_eq!(v["msg"], "-0");
    assert_eq!(v["ok"], false);
    assert_eq!(v["ratio"].as_f64(), Some(0.0));
    let v = accepted_middle(br#"{"id":3,"ratio":-0.0,"msg":-0.0}"#);
    assert_eq!(v["ratio"].as_f64().map(f64::is_sign_negative), Some(true));
    assert_eq!(v["msg"], "-0.0");
}

#[test]
fn duplicate_keys_last_wins() {
    let v = accepted_middle(br#"{"id":3,"msg":"first","msg":"second"}"#);
    assert_eq!(v["msg"], "second");
    // A later null removes the value.
    let v = accepted_middle(br#"{"id":3,"msg":"first","msg":null}"#);
    assert!(v.get("msg").is_none());
    // A bad earlier value does not reject the record when a later key replaces it.
    let v = accepted_middle(br#"{"id":"x","id":4,"small":99999,"small":1}"#);
    assert_eq!((v["id"].clone(), v["small"].clone()), (4.into(), 1.into()));
    // ...but a bad last value does.
    assert_eq!(
        sandwich(br#"{"id":3,"small":1,"small":99999}"#, MAX),
        "out_of_range"
    );
    // Nested objects too.
    let v = accepted_middle(br#"{"id":3,"actor":{"email":"a@b","email":"c@d"}}"#);
    assert_eq!(v["actor"]["email"], "c@d");
    assert_eq!(v["p_any_emails"], serde_json::json!(["c@d"]));
}

#[test]
fn key_matching_only_case_insensitively_is_dropped() {
    let v = accepted_middle(br#"{"id":3,"MSG":"x","Msg":"y"}"#);
    assert!(v.get("msg").is_none() && v.get("MSG").is_none() && v.get("Msg").is_none());
    // A required field written in another case is missing.
    assert_eq!(sandwich(br#"{"ID":3}"#, MAX), "missing_field");
}

#[test]
fn zero_byte_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("empty.jsonl");
    std::fs::File::create(&path).expect("create");
    let registry = util::registry("rich.yml");
    let mut n = NormalizerBuilder::new().build(&registry).expect("rich");
    let mut out = Collect::default();
    let r = pipeline::Batch::new()
        .run(
            &mut n,
            &[Input::Path(path)],
            &mut out,
            &mut pipeline::Ignore,
        )
        .expect("no sink error");
    assert_eq!(r.failed_inputs, 0);
    assert_eq!(r.summary, Summary::default());
}

#[derive(Default)]
struct Failures(Vec<String>);
impl Observer for Failures {
    fn input_failed(&mut self, source: &str, err: &std::io::Error, _records: u64) {
        // The expansion limit's error is typed, for callers that say how to raise it.
        let limit = pipeline::input::ExpansionExceeded::of(err)
            .map_or(String::new(), |e| format!(" [limit {}x]", e.ratio));
        self.0.push(format!("{source}: {err}{limit}"));
    }
}

#[test]
fn binary_file_that_is_not_json() {
    // Pseudo-random bytes (with some newlines), then a file of good records: every binary
    // "line" is rejected as invalid JSON, and the next input is normalized in full.
    let dir = tempfile::tempdir().expect("tempdir");
    let binary = dir.path().join("random.bin");
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..1 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[3]
        })
        .collect();
    std::fs::write(&binary, &bytes).expect("write");
    let good = dir.path().join("good.jsonl");
    let mut f = std::fs::File::create(&good).expect("create");
    writeln!(f, "{}", String::from_utf8_lossy(GOOD_1)).expect("write");
    writeln!(f, "{}", String::from_utf8_lossy(GOOD_2)).expect("write");
    drop(f);
    let registry = util::registry("rich.yml");
    let mut n = NormalizerBuilder::new().build(&registry).expect("rich");
    let mut out = Out::default();
    let mut failures = Failures::default();
    let r = pipeline::Batch::new()
        .run(
            &mut n,
            &[Input::Path(binary), Input::Path(good)],
            &mut out,
            &mut failures,
        )
        .expect("no sink error");
    assert!(failures.0.is_empty(), "{:?}", failures.0);
    assert_eq!(r.summary.normalized, 2);
    assert!(r.summary.rejected > 1000, "{:?}", r.summary);
    assert!(out.rejects.iter().all(|c| c == "invalid_json"));
    assert_eq!(r.summary.records, r.summary.normalized + r.summary.rejected);
}

/// Load and compile on a 1 MiB stack: the loader recurses, bounded by its depth limits
/// (160 YAML levels, 64 schema levels); an unoptimized build needs more than 512 KiB for that.
fn schema_errors(yaml: String) -> String {
    on_stack(1024 * 1024, move || {
        match load::from_str(&yaml, "<hostile>") {
            Ok(schema) => match normalog::compile::compile(&schema) {
                Ok(_) => String::new(),
                Err(e) => e.to_string(),
            },
            Err(e) => e.to_string(),
        }
    })
}

#[test]
fn schema_with_a_ref_cycle() {
    let yaml = "schema: Custom.Cycle\ndefinitions:\n  A:\n    type: object\n    fields:\n      - name: b\n        type: ref\n        target: B\n  B:\n    type: array\n    element:\n      type: ref\n      target: A\nfields:\n  - name: a\n    type: ref\n    target: A\n";
    let e = schema_errors(yaml.into());
    assert!(e.contains("contain itself") || e.contains("cycle"), "{e}");
    // A definition that is its own target.
    let yaml = "schema: Custom.Cycle\ndefinitions:\n  A:\n    type: ref\n    target: A\nfields:\n  - name: a\n    type: ref\n    target: A\n";
    let e = schema_errors(yaml.into());
    assert!(!e.is_empty(), "a self-ref must be an error");
}

#[test]
fn schema_with_10000_fields() {
    // Valid, if large: loads, compiles, and normalizes a record that sets every field.
    let mut yaml = String::from("schema: Custom.Wide\nfields:\n");
    let mut record = serde_json::Map::new();
    for i in 0..10_000 {
        let _ = write!(yaml, "  - name: f{i}\n    type: int\n");
        record.insert(format!("f{i}"), i.into());
    }
    let schema = on_stack(1024 * 1024, move || {
        load::from_str(&yaml, "<wide>").map_err(|e| e.to_string())
    })
    .expect("a wide schema is valid");
    let mut registry = Registry::new();
    registry.add(schema).expect("compiles");
    let line = Value::Object(record).to_string();
    let mut n = NormalizerBuilder::new().build(&registry).expect("one type");
    let mut out = Out::default();
    n.normalize_bytes(line.as_bytes(), normalog::Position::default(), &mut out)
        .expect("no sink error");
    assert_eq!(out.events.len(), 1, "{:?}", out.rejects);
    assert_eq!(out.events[0]["f9999"], 9999);
}

#[test]
fn classifying_among_schemas_with_more_than_64_top_level_names() {
    // Two log types of 50 fields each, no name shared: 100 names in all, so the sets of
    // present names span two words. Each type requires its last field (name 49 and 99).
    let mut registry = Registry::new();
    for (t, prefix) in [("Custom.Left", "l"), ("Custom.Right", "r")] {
        let mut yaml = format!("schema: {t}\nfields:\n");
        for i in 0..50 {
            let required = if i == 49 { "    required: true\n" } else { "" };
            let _ = write!(yaml, "  - name: {prefix}{i}\n    type: int\n{required}");
        }
        registry
            .add(load::from_str(&yaml, "<wide>").expect("valid"))
            .expect("compiles");
    }
    let mut n = NormalizerBuilder::new()
        .log_types(["Custom.Left", "Custom.Right"])
        .build(&registry)
        .expect("two types");
    let mut out = Out::default();
    let lines = [
        r#"{"r1":1,"r49":2}"#,    // Right
        r#"{"l0":1,"l49":3}"#,    // Left
        r#"{"r1":1,"l49":null}"#, // neither: r49 missing, l49 null
        r#"{"l49":4,"r49":5}"#,   // both could: the last accepted type (Left) first
    ];
    for line in lines {
        n.normalize_bytes(line.as_bytes(), normalog::Position::default(), &mut out)
            .expect("no sink error");
    }
    let types: Vec<&str> = out
        .events
        .iter()
        .map(|e| e["p_log_type"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(types, ["Custom.Right", "Custom.Left", "Custom.Left"]);
    assert_eq!(out.events[0]["r49"], 2);
    assert_eq!(out.events[1]["l49"], 3);
    assert_eq!(out.rejects.len(), 1, "{:?}", out.rejects);
}

#[test]
fn schema_with_a_1000_level_nested_object() {
    let mut yaml = String::from("schema: Custom.Deep\nfields:\n");
    let mut indent = String::new();
    for i in 0..1000 {
        let _ = write!(
            yaml,
            "{indent}  - name: o{i}\n{indent}    type: object\n{indent}    fields:\n"
        );
        indent.push_str("    ");
    }
    let _ = write!(yaml, "{indent}  - name: leaf\n{indent}    type: string\n");
    let e = schema_errors(yaml);
    assert!(e.contains("nests deeper"), "{e}");
    // The same depth in YAML flow style.
    let mut flow = String::from("schema: Custom.Deep\nfields: ");
    for i in 0..1000 {
        let _ = write!(flow, "[{{name: o{i}, type: object, fields: ");
    }
    flow.push_str("[{name: leaf, type: string}]");
    flow.push_str(&"}]".repeat(1000));
    let e = schema_errors(flow);
    assert!(
        e.contains("nests deeper") || e.contains("recursion limit exceeded"),
        "{e}"
    );
}

#[test]
fn nesting_limit_is_1024_levels_counting_the_record() {
    let record = |levels: usize| {
        // The record object is level 1.
        let inner = levels - 1;
        format!(
            r#"{{"id":3,"extra":{}{}}}"#,
            "[".repeat(inner),
            "]".repeat(inner)
        )
    };
    let v = small_stack(move || {
        let registry = util::registry("rich.yml");
        let mut n = NormalizerBuilder::new().build(&registry).expect("rich");
        let mut out = Collect::default();
        for levels in [1024, 1025] {
            n.normalize_bytes(
                record(levels).as_bytes(),
                normalog::Position::default(),
                &mut out,
            )
            .expect("no sink error");
        }
        out
    });
    assert_eq!(v.events.len(), 1, "1024 levels are accepted");
    assert_eq!(v.rejects.len(), 1, "1025 levels are not");
    assert!(v.rejects[0].contains("invalid JSON"), "{}", v.rejects[0]);
}

#[test]
fn gzip_bomb_is_stopped_and_the_run_goes_on() {
    // 256 gzip members of 1 MiB of newlines each (gzip files may hold many members): about
    // 1000x smaller than its 256 MiB of content. The reader stops it past the documented
    // allowance and ratio, reports the input, and the next input is normalized.
    use std::io::Write as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let bomb = dir.path().join("bomb.jsonl.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![b'\n'; 1 << 20]).expect("write");
    let member = gz.finish().expect("finish");
    std::fs::write(&bomb, member.repeat(256)).expect("write");
    assert!(std::fs::metadata(&bomb).expect("meta").len() < 1 << 20);
    let good = dir.path().join("good.jsonl");
    std::fs::write(&good, [GOOD_1, b"\n", GOOD_2, b"\n"].concat()).expect("write");
    let registry = util::registry("rich.yml");
    let mut n = NormalizerBuilder::new().build(&registry).expect("rich");
    let mut out = Out::default();
    let mut failures = Failures::default();
    let r = pipeline::Batch::new()
        .run(
            &mut n,
            &[Input::Path(bomb), Input::Path(good)],
            &mut out,
            &mut failures,
        )
        .expect("no sink error");
    assert_eq!(r.failed_inputs, 1);
    assert_eq!(failures.0.len(), 1);
    assert!(
        failures.0[0].contains("a decompression bomb?)")
            && failures.0[0].ends_with(&format!(
                " [limit {}x]",
                pipeline::input::MAX_EXPANSION_RATIO
            )),
        "{}",
        failures.0[0]
    );
    assert_eq!(r.summary.normalized, 2);
    assert_eq!(r.summary.records, r.summary.normalized + r.summary.rejected);
}

/// Objects with more keys than the decoder remembers from its key scan (32): required fields,
/// nested objects and duplicate keys after that point, with one and with two candidate types.
#[test]
fn objects_longer_than_the_key_memo() {
    let mut registry = Registry::new();
    let a = "schema: Test.Alpha\nfields:\n  - name: a\n    required: true\n    type: bigint\n  - name: o\n    type: object\n    fields:\n      - name: r\n        required: true\n        type: string\n      - name: s\n        type: smallint\n";
    let b = "schema: Test.Beta\nfields:\n  - name: b\n    required: true\n    type: string\n";
    registry.add_str(a, "a.yml").expect("Test.Alpha");
    registry.add_str(b, "b.yml").expect("Test.Beta");
    let pad = |n: usize| -> String {
        (0..n).fold(String::new(), |mut s, i| {
            let _ = write!(s, "\"k{i}\":{i},");
            s
        })
    };
    let run = |types: &[&str], line: &str| {
        let mut n = NormalizerBuilder::new()
            .log_types(types.iter().copied())
            .build(&registry)
            .expect("types");
        let mut out = Collect::default();
        n.normalize_bytes(line.as_bytes(), normalog::Position::new(0, 1, 0), &mut out)
            .expect("collect");
        match (out.events.pop(), out.rejects.pop()) {
            (Some(e), None) => Ok(serde_json::from_str::<Value>(&e).expect("json")),
            (None, Some(r)) => Err(r),
            other => panic!("one outcome expected: {other:?}"),
        }
    };
    for types in [
        &["Test.Alpha"][..],
        &["Test.Beta", "Test.Alpha"],
        &["Test.Alpha", "Test.Beta"],
    ] {
        // The required field, the nested object's required field and a duplicate come after
        // 40 other keys; the earlier bad `a` is replaced by the later good one.
        let o = format!("{{{}\"s\":\"x\",\"s\":7,\"r\":\"yes\"}}", pad(40));
        let line = format!("{{\"a\":\"bad\",{}\"o\":{o},\"a\":5}}", pad(40));
        let v = run(types, &line).unwrap_or_else(|e| panic!("{types:?}: {e}"));
        assert_eq!(v["p_log_type"], "Test.Alpha", "{types:?}");
        assert_eq!(
            (&v["a"], &v["o"]["r"], &v["o"]["s"]),
            (&5.into(), &"yes".into(), &7.into())
        );
        // A bad value with no later key to replace it rejects the record, wherever it is.
        let line = format!(
            "{{{}\"a\":5,\"o\":{{{}\"r\":\"x\",\"s\":99999}}}}",
            pad(40),
            pad(35)
        );
        assert!(run(types, &line).is_err(), "{types:?}");
        // A missing nested required field after the memo's reach.
        let line = format!("{{{}\"a\":5,\"o\":{{{}\"s\":1}}}}", pad(40), pad(35));
        assert!(run(types, &line).is_err(), "{types:?}");
    }
    // With both types, a record only the second accepts because of a key after the memo.
    let line = format!("{{{}\"b\":\"here\"}}", pad(50));
    assert_eq!(
        run(&["Test.Alpha", "Test.Beta"], &line).map(|v| v["p_log_type"].clone()),
        Ok("Test.Beta".into())
    );
    let line = format!("{{{}\"b\":null}}", pad(50));
    assert!(run(&["Test.Alpha", "Test.Beta"], &line).is_err());
}
