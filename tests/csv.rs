//! `parser: csv` and `skipLines` through every entry point that knows where an input starts:
//! `normalize_bytes` with positions, the `StreamNormalizer`, batch runs over files (plain
//! and gzip, several inputs each with its header, chunks cut in the middle of an input,
//! several threads) and the command line reading stdin; and classification among CSV,
//! regex and JSON log types in one run.
#![allow(clippy::unwrap_used)] // a test that cannot set up its fixture should panic

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

mod util;

use normalog::pipeline::{Batch, Ignore, Input};
use normalog::sink::{ndjson, Collect};
use normalog::{ErrorKind, NormalizerBuilder, Position, Registry, StreamNormalizer};
use util::csv::{value, KV, USERS};

/// Named columns, no header; `skipPrefix` comments.
const PAIRS: &str = r"
schema: Custom.Pairs
parser:
  csv:
    delimiter: '|'
    columns: [key, value]
    skipPrefix: '#'
fields:
  - {name: key, type: string, required: true}
  - {name: value, type: string}
";

/// Column names from each input's header line, which may follow comment lines.
const EXPORT: &str = r"
schema: Custom.Export
parser:
  csv:
    delimiter: ','
    hasHeader: true
    skipPrefix: '#'
fields:
  - {name: user, type: string, required: true}
  - {name: n, type: int}
";

const JSON: &str = r"
schema: Custom.Json
fields:
  - {name: level, type: string, required: true}
";

fn registry() -> Registry {
    let mut r = Registry::new();
    for (yaml, name) in [
        (USERS, "users.yml"),
        (EXPORT, "export.yml"),
        (PAIRS, "pairs.yml"),
        (KV, "kv.yml"),
        (JSON, "json.yml"),
    ] {
        r.add_str(yaml, name).expect("schema loads");
    }
    r
}

/// `(user, n)` of each event, in order.
fn users(events: &[String]) -> Vec<(String, i64)> {
    events
        .iter()
        .map(|e| {
            (
                value(e, "user").as_str().unwrap_or("?").to_owned(),
                value(e, "n").as_i64().unwrap_or(-1),
            )
        })
        .collect()
}

fn lines(types: &[&str], input: &[&str]) -> Collect {
    lines_of(&registry(), types, input)
}

/// `input`'s lines through a normalizer of `types` of `registry`, each a record.
fn lines_of(registry: &Registry, types: &[&str], input: &[&str]) -> Collect {
    let mut n = NormalizerBuilder::new()
        .log_types(types.iter().copied())
        .build(registry)
        .unwrap();
    let mut out = Collect::default();
    for (i, line) in input.iter().enumerate() {
        let pos = Position::new(0, i as u64 + 1, i as u64);
        n.normalize_bytes(line.as_bytes(), pos, &mut out).unwrap();
    }
    out
}

#[test]
fn header_is_consumed_and_names_the_columns() {
    let out = lines(&["Custom.Users"], &["n,extra,user", "1,x,ann", "2,y,bob"]);
    assert!(out.rejects.is_empty(), "{:?}", out.rejects);
    assert_eq!(users(&out.events), [("ann".into(), 1), ("bob".into(), 2)]);
    assert_eq!(value(&out.events[0], "extra"), serde_json::Value::Null);
}

/// Trimmed values, `-` and nothing for none.
const TRIMMED: &str = r"
schema: Custom.Trimmed
parser:
  csv:
    delimiter: ','
    hasHeader: true
    trimSpace: true
    emptyValues: ['-', '']
fields:
  - {name: user, type: string, required: true}
  - {name: n, type: int}
";

/// As in Panther, where the row becomes a JSON object with the name twice: the field gets
/// the last kept value (a repeated JSON key's rule), a template the first (Panther's
/// templates read the first pair of a name).
#[test]
fn a_column_named_twice_gives_the_field_its_last_kept_value() {
    let mut registry = Registry::new();
    registry.add_str(TRIMMED, "trimmed.yml").unwrap();
    let mut n = NormalizerBuilder::new().build(&registry).unwrap();
    let mut out = Collect::default();
    let input = [
        "user,n,user",
        "ann,1,bob",
        " - ,2, cid ",
        "dan,3,-",
        " ,4,  ",
        "-,5,-",
    ];
    for (i, line) in input.iter().enumerate() {
        let pos = Position::new(0, i as u64 + 1, i as u64);
        n.normalize_bytes(line.as_bytes(), pos, &mut out).unwrap();
    }
    // The last column wins; when its value is dropped (empty after trimming, or `-`), the
    // first's; with both dropped, the row has no user, a required field.
    assert_eq!(
        users(&out.events),
        [("bob".into(), 1), ("cid".into(), 2), ("dan".into(), 3)]
    );
    assert_eq!(out.rejects.len(), 2, "{:?}", out.rejects);
    for reject in &out.rejects {
        assert!(reject.contains("user"), "{reject}");
    }
    // A template reads the first kept value, the field the last.
    let mut registry = Registry::new();
    let yaml = TRIMMED.replace(
        "    emptyValues",
        "    expandFields: {who: '<%{user}>'}\n    emptyValues",
    ) + "  - {name: who, type: string}\n";
    registry.add_str(&yaml, "expand.yml").unwrap();
    let mut n = NormalizerBuilder::new().build(&registry).unwrap();
    let mut out = Collect::default();
    for (i, line) in ["user,n,user", "ann,1,bob", "-,2,cid"].iter().enumerate() {
        let pos = Position::new(0, i as u64 + 1, i as u64);
        n.normalize_bytes(line.as_bytes(), pos, &mut out).unwrap();
    }
    assert_eq!(out.events.len(), 2, "{:?}", out.rejects);
    assert_eq!(value(&out.events[0], "user"), "bob");
    assert_eq!(value(&out.events[0], "who"), "<ann>");
    assert_eq!(value(&out.events[1], "user"), "cid");
    assert_eq!(value(&out.events[1], "who"), "<cid>");
}

#[test]
fn a_header_alone_is_neither_event_nor_reject() {
    let out = lines(&["Custom.Users"], &["user,n"]);
    assert!(out.events.is_empty() && out.rejects.is_empty(), "{out:?}");
}

/// With the header's names, a row must have as many values as the header (Panther's reader
/// is told that count, and refuses any other).
#[test]
fn wrong_number_of_values_is_a_reject_that_says_so() {
    let out = lines(&["Custom.Users"], &["user,n", "ann,1,extra", "bob"]);
    assert!(out.events.is_empty());
    assert_eq!(
        out.rejects,
        [
            "record 1 (line 2, byte 0): Custom.Users: row has 3 values, but the header (line 1) names 2 columns",
            "record 2 (line 3, byte 0): Custom.Users: row has 1 value, but the header (line 1) names 2 columns",
        ]
    );
}

/// A value with a line break in an export: its quote opens on one line and closes on the
/// next, and neither row has the header's count. The first reject says which quote is
/// never closed (review finding: only the counts were said).
#[test]
fn an_unclosed_quote_is_named_when_the_count_is_wrong() {
    let out = lines(
        &["Custom.Users"],
        &[
            "user,n",
            "\"ann \"\"the\"\" first, 1",
            "smith\",1,x",
            "\"a\"\"",
        ],
    );
    assert!(out.events.is_empty());
    assert_eq!(
        out.rejects,
        [
            "record 1 (line 2, byte 0): Custom.Users: row has 1 value, but the header (line 1) names 2 columns (the quote at column 1 is never closed on this line: a value cannot span lines)",
            "record 2 (line 3, byte 0): Custom.Users: row has 3 values, but the header (line 1) names 2 columns",
            "record 3 (line 4, byte 0): Custom.Users: row has 1 value, but the header (line 1) names 2 columns (the quote at column 1 is never closed on this line: a value cannot span lines)",
        ]
    );
}

/// A delimiter that is not ASCII (the broken bar of some exports, `þ` of e-discovery
/// files) and an empty one (`,`, Panther's default) load and read rows as Panther's reader
/// does (review s40-h6: both schemas were refused). With a header, quotes, the wrong count.
#[test]
fn a_delimiter_that_is_not_ascii_or_is_empty_reads_rows() {
    let mut registry = Registry::new();
    let schema = |name: &str, delimiter: &str| {
        format!(
            "schema: Custom.{name}\nparser:\n  csv:\n    delimiter: '{delimiter}'\n    \
             hasHeader: true\nfields:\n  - {{name: user, type: string, required: true}}\n  \
             - {{name: n, type: int}}\n"
        )
    };
    registry.add_str(&schema("Bar", "¦"), "bar.yml").unwrap();
    registry.add_str(&schema("Empty", ""), "empty.yml").unwrap();
    let run = |log_type: &str, input: &[&str]| lines_of(&registry, &[log_type], input);
    let out = run(
        "Custom.Bar",
        &[
            "user¦n",
            "ann¦1",
            "\"b¦o\"\"b\"¦2",
            "§¦3",
            "\"carl¦4",
            "x¦y¦5",
        ],
    );
    assert_eq!(
        users(&out.events),
        [("ann".into(), 1), ("b¦o\"b".into(), 2), ("§".into(), 3)]
    );
    assert_eq!(
        out.rejects,
        [
            "record 4 (line 5, byte 0): Custom.Bar: row has 1 value, but the header (line 1) names 2 columns (the quote at column 1 is never closed on this line: a value cannot span lines)",
            "record 5 (line 6, byte 0): Custom.Bar: row has 3 values, but the header (line 1) names 2 columns",
        ]
    );
    let out = run("Custom.Empty", &["user,n", "ann,1"]);
    assert_eq!(users(&out.events), [("ann".into(), 1)]);
}

/// The header is the first line the log type does not skip: an export's comment lines
/// (`skipPrefix`) may come before it (and blank lines: the batch test below).
#[test]
fn the_header_may_follow_comments_and_blank_lines() {
    let out = lines(
        &["Custom.Export"],
        &[
            "# exported 2026-12-04",
            "# columns: n, user",
            "n,user",
            "1,ann",
            "# end",
        ],
    );
    assert!(out.rejects.is_empty(), "{:?}", out.rejects);
    assert_eq!(users(&out.events), [("ann".to_owned(), 1)]);
    // A line that names no field in the header's place: the rejects say which line it was.
    let out = lines(&["Custom.Export"], &["# exported", "a,b", "ann,1"]);
    assert!(out.events.is_empty());
    assert!(
        out.rejects[0].ends_with(
            "Custom.Export: no header: line 2 of this input names none of the log type's fields (hasHeader)"
        ),
        "{}",
        out.rejects[0]
    );
    // Without `skipPrefix`, a comment line is the header line, and names no field.
    let out = lines(&["Custom.Users"], &["# exported", "user,n", "ann,1"]);
    assert!(out.events.is_empty(), "{:?}", out.events);
}

#[test]
fn quoting_as_go_encoding_csv_with_lazy_quotes() {
    let out = lines(
        &["Custom.Pairs"],
        &[
            r#"a|"x|y""#,
            r#"b|"say ""hi""""#,
            r#"c|5" tall"#,
            r#"d|"open"#,
            "# a comment",
        ],
    );
    assert!(out.rejects.is_empty(), "{:?}", out.rejects);
    let values: Vec<_> = out.events.iter().map(|e| value(e, "value")).collect();
    assert_eq!(values, ["x|y", r#"say "hi""#, r#"5" tall"#, "open"]);
}

#[test]
fn normalize_returns_skipped_for_a_header() {
    let registry = registry();
    let mut n = NormalizerBuilder::new()
        .log_types(["Custom.Users"])
        .build(&registry)
        .unwrap();
    let mut line = b"user,n".to_vec();
    let err = n
        .normalize(&mut line, Position::new(0, 1, 0))
        .expect_err("a header is no event");
    assert!(
        matches!(err.kind(), ErrorKind::Skipped { log_type, .. } if &**log_type == "Custom.Users"),
        "{err}"
    );
    let mut line = b"ann,3".to_vec();
    let event = n.normalize(&mut line, Position::new(6, 2, 1)).unwrap();
    assert_eq!(event.log_type(), "Custom.Users");
}

/// Review finding: a record with no known line (`Position::default()`, line 0) was taken
/// for the header of an input that had not started, and consumed: every row of a fresh
/// normalizer vanished, neither event nor reject. It is a row: read with `columns`,
/// refused (no header) without them, so that it is never lost without a word.
#[test]
fn a_record_of_unknown_line_is_never_taken_for_a_header() {
    const WITH_COLUMNS: &str = r"
schema: Custom.Named
parser:
  csv:
    delimiter: ','
    hasHeader: true
    columns: [user, n]
fields:
  - {name: user, type: string, required: true}
  - {name: n, type: int}
";
    let mut registry = registry();
    registry
        .add_str(WITH_COLUMNS, "named.yml")
        .expect("schema loads");
    let build = |log_type: &str| {
        NormalizerBuilder::new()
            .log_types([log_type])
            .build(&registry)
            .unwrap()
    };

    let mut n = build("Custom.Named");
    let mut out = Collect::default();
    for line in ["ann,1", "bob,2"] {
        n.normalize_bytes(line.as_bytes(), Position::default(), &mut out)
            .unwrap();
    }
    assert!(out.rejects.is_empty(), "{:?}", out.rejects);
    assert_eq!(users(&out.events), [("ann".into(), 1), ("bob".into(), 2)]);
    let mut line = b"cy,3".to_vec();
    let event = n.normalize(&mut line, Position::default()).expect("a row");
    assert_eq!(event.log_type(), "Custom.Named");

    let mut n = build("Custom.Users");
    let mut out = Collect::default();
    n.normalize_bytes(b"ann,1", Position::default(), &mut out)
        .unwrap();
    assert!(out.events.is_empty());
    assert_eq!(out.rejects.len(), 1, "{:?}", out.rejects);
    // The reject says why: the line is not known (review finding: "no line of this
    // input's first MiB is a header line", of an input whose header was that very record).
    let message = &out.rejects[0];
    assert!(
        message.contains("this record's line is 0 (not known)")
            && message.contains("number the lines of each input from 1"),
        "{message}"
    );
    // At a known line, no such words; but the input's line 1 never came, nor
    // `start_input`: the reject says how to give the header (review s41-h6: it said "no line
    // of this input's first MiB is a header line", of lines never read).
    let mut n = build("Custom.Users");
    let mut out = Collect::default();
    n.normalize_bytes(b"ann,1", Position::new(1, 3, 40), &mut out)
        .unwrap();
    let message = &out.rejects[0];
    assert!(!message.contains("not known"), "{message}");
    assert!(
        message.contains(
            "the input's header line was not given (hasHeader): normalize the \
             input from its line 1, or give its first lines to `start_input`"
        ),
        "{message}"
    );
    assert!(!message.contains("first MiB"), "{message}");
    // Given by `start_input`, the same row is read.
    n.start_input(Some(b"user,n\n"));
    let mut out = Collect::default();
    n.normalize_bytes(b"ann,1", Position::new(1, 3, 40), &mut out)
        .unwrap();
    assert!(out.rejects.is_empty(), "{:?}", out.rejects);
    assert_eq!(users(&out.events), [("ann".into(), 1)]);
}

/// Also after blank lines (review s48: a blank line 1 is no record, and the header after
/// it was not looked for: every row was refused, "the input's header line was not given").
#[test]
fn stream_normalizer_learns_the_header_whatever_the_chunking() {
    let with_bom = b"\xef\xbb\xbfuser,n\r\nann,1\r\n\r\nbob,2".as_slice();
    let after_blanks = b"\r\n  \n\nuser,n\nann,1\nbob,2\n".as_slice();
    for (input, size) in [with_bom, after_blanks]
        .into_iter()
        .flat_map(|i| [1, 2, 5, 100].map(|size| (i, size)))
    {
        let registry = registry();
        let n = NormalizerBuilder::new()
            .log_types(["Custom.Users"])
            .build(&registry)
            .unwrap();
        let mut s = StreamNormalizer::new(n);
        let mut out = Collect::default();
        for c in input.chunks(size) {
            s.feed(c, &mut out).unwrap();
        }
        s.finish(&mut out).unwrap();
        assert!(out.rejects.is_empty(), "size {size}: {:?}", out.rejects);
        assert_eq!(
            users(&out.events),
            [("ann".into(), 1), ("bob".into(), 2)],
            "size {size}"
        );
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// An input of `rows` rows with a header naming the columns in the given order.
fn users_file(rows: u32, user_first: bool, tag: &str) -> String {
    use std::fmt::Write as _;
    let mut s = String::from(if user_first { "user,n\n" } else { "n,user\n" });
    for i in 0..rows {
        if user_first {
            let _ = writeln!(s, "{tag}{i},{i}");
        } else {
            let _ = writeln!(s, "{i},{tag}{i}");
        }
    }
    s
}

/// A batch run of `inputs` as NDJSON on `threads` threads with chunks of `chunk` bytes: its
/// counts, and the events' lines.
fn batch_run(
    builder: &NormalizerBuilder,
    registry: &Registry,
    inputs: &[Input],
    threads: usize,
    chunk: usize,
) -> (normalog::sink::Summary, Vec<String>) {
    let mut out = Vec::new();
    let run = Batch::new()
        .threads(threads)
        .chunk_bytes(chunk)
        .run_ndjson(
            builder,
            registry,
            inputs,
            &mut out,
            ndjson::Options::default(),
            &mut Ignore,
        )
        .unwrap();
    let events = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    (run.summary, events)
}

/// Rows per file in the batch test: inputs are read 64 KiB at a time, so these files are
/// cut into several chunks each.
const ROWS: u32 = 12_000;

/// Two files with their own headers (columns in another order), one gzip: every row of
/// each is read with its own file's header, with one thread and with four, and with
/// chunks small enough that most start in the middle of a file.
#[test]
fn batch_runs_read_each_files_header_in_every_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv.gz");
    std::fs::write(&a, users_file(ROWS, true, "a")).unwrap();
    std::fs::write(&b, gzip(users_file(ROWS, false, "b").as_bytes())).unwrap();
    let inputs = [Input::Path(a), Input::Path(b)];
    let registry = registry();
    let mut builder = NormalizerBuilder::new();
    builder.log_types(["Custom.Users"]);
    let mut expected: Vec<(String, i64)> =
        (0..ROWS).map(|i| (format!("a{i}"), i64::from(i))).collect();
    expected.extend((0..ROWS).map(|i| (format!("b{i}"), i64::from(i))));
    let total = 2 * u64::from(ROWS);
    for threads in [1, 4] {
        for chunk in [64, 1 << 22] {
            let (s, events) = batch_run(&builder, &registry, &inputs, threads, chunk);
            assert_eq!(
                (s.records, s.normalized, s.rejected),
                (total, total, 0),
                "threads {threads}, chunk {chunk}"
            );
            // Each file's header once, whatever chunk a worker starts in.
            assert_eq!(s.skipped_lines, 2, "threads {threads}, chunk {chunk}");
            assert_eq!(users(&events), expected, "threads {threads}, chunk {chunk}");
        }
    }
    // The single-threaded path into any sink.
    let mut n = builder.build(&registry).unwrap();
    let mut sink = Collect::default();
    let run = Batch::new()
        .chunk_bytes(64)
        .run(&mut n, &inputs, &mut sink, &mut Ignore)
        .unwrap();
    assert_eq!(run.summary.normalized, total);
    assert_eq!(users(&sink.events), expected);
}

/// Files whose header follows a comment line and a blank line: every chunk, from whatever
/// worker, reads its rows with that header.
#[test]
fn batch_runs_find_a_header_after_comments_in_every_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    std::fs::write(
        &a,
        format!(
            "# exported by a gateway\n\n{}",
            users_file(ROWS, false, "a")
        ),
    )
    .unwrap();
    let inputs = [Input::Path(a)];
    let registry = registry();
    let mut builder = NormalizerBuilder::new();
    builder.log_types(["Custom.Export"]);
    let expected: Vec<(String, i64)> = (0..ROWS).map(|i| (format!("a{i}"), i64::from(i))).collect();
    for threads in [1, 4] {
        for chunk in [64, 1 << 22] {
            let (s, events) = batch_run(&builder, &registry, &inputs, threads, chunk);
            let rows = u64::from(ROWS);
            assert_eq!(
                (s.normalized, s.rejected, s.skipped_lines, s.blank_lines),
                (rows, 0, 2, 1),
                "threads {threads}, chunk {chunk}"
            );
            assert_eq!(users(&events), expected, "threads {threads}, chunk {chunk}");
        }
    }
}

/// CSV (header and `skipPrefix`), regex (`skipLines`) and JSON log types in one run: each
/// line goes to the log type that reads it, a header line and comments are consumed, and
/// a line `skipLines` covers is consumed only when no other log type reads it.
#[test]
fn classification_among_csv_regex_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("users.csv", "user,n\nann,1\n"),
        ("kv.log", "kv export v1\nset=2\n"),
        ("pairs.txt", "# pairs\nk|v\n"),
        ("app.jsonl", "{\"level\":\"info\"}\n"),
        ("mixed.log", "get=3\nuser,n\n"),
    ];
    let inputs: Vec<Input> = files
        .iter()
        .map(|(name, text)| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            Input::Path(p)
        })
        .collect();
    let registry = registry();
    let mut n = NormalizerBuilder::new().build(&registry).unwrap();
    let mut sink = Collect::default();
    let run = Batch::new()
        .run(&mut n, &inputs, &mut sink, &mut Ignore)
        .unwrap();
    let got: Vec<String> = sink
        .events
        .iter()
        .map(|e| value(e, "p_log_type").as_str().unwrap().to_owned())
        .collect();
    // Line 1 of kv.log and of mixed.log (`get=3`, which the pattern would match) are
    // skipped by Custom.Kv, as no other type reads them; Custom.Users and Custom.Export
    // take them as headers (naming none of their fields). mixed.log's `user,n` is line 2,
    // not a header: Custom.Users has no header for this input, Custom.Kv no match, and
    // Custom.Pairs reads it as a row of one value (`columns` zip with any count). Such a
    // row is a CSV log type's only when no other one reads or skips the line: Custom.Pairs,
    // loaded before Custom.Kv, would otherwise take `kv export v1` and `set=2` too.
    assert_eq!(
        got,
        [
            "Custom.Users",
            "Custom.Kv",
            "Custom.Pairs",
            "Custom.Json",
            "Custom.Pairs"
        ],
        "rejects: {:?}",
        sink.rejects
    );
    assert!(sink.rejects.is_empty(), "{:?}", sink.rejects);
    assert_eq!(value(&sink.events[4], "key"), "user,n");
    assert_eq!(value(&sink.events[4], "value"), "");
    assert_eq!(run.summary.records, 5);
    // Consumed on purpose: the header of users.csv, line 1 of kv.log and of mixed.log
    // (skipLines), the comment of pairs.txt (skipPrefix).
    assert_eq!(run.summary.skipped_lines, 4);
}

/// `normalog normalize` reading a CSV file with a header from stdin.
#[test]
fn cli_reads_a_header_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("users.yml"), USERS).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_normalog"))
        .args([
            "normalize",
            "-s",
            path(dir.path()),
            "--stats",
            "-o",
            "-",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"n,user\n7,zoe\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let events: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(users(&events), [("zoe".into(), 7)]);
    assert!(
        stderr.contains(
            "records: 1 in, 1 normalized, 0 rejected (0 blank lines skipped, 1 line skipped \
             on purpose: skipLines/skipPrefix/header)"
        ),
        "{stderr}"
    );
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The JSON Schema of schema files describes the `csv` block and `skipLines`; `schema
/// check` points at each mistake of a `csv` block with `file:line:col`.
#[test]
fn json_schema_and_schema_check_cover_csv() {
    let o = Command::new(env!("CARGO_BIN_EXE_normalog"))
        .args(["schema", "json-schema"])
        .output()
        .unwrap();
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON Schema");
    let defs = &schema["$defs"];
    let csv = &defs["CsvParser"];
    assert_eq!(csv["additionalProperties"], serde_json::Value::Bool(false));
    assert_eq!(csv["properties"]["delimiter"]["default"], ",");
    for key in [
        "hasHeader",
        "columns",
        "skipPrefix",
        "trimSpace",
        "emptyValues",
        "expandFields",
    ] {
        assert!(csv["properties"][key].is_object(), "{key}");
    }
    assert!(csv["properties"]["skipLines"].is_null());
    for parser in ["FastmatchParser", "RegexParser"] {
        assert!(
            defs[parser]["properties"]["skipLines"].is_object(),
            "{parser}"
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.yml");
    std::fs::write(
        &file,
        "schema: Custom.Bad\nparser:\n  csv:\n    delimiter: ', '\n    columns: [a, b, a]\n    skiplines: 1\nfields:\n  - {name: a, type: string}\n  - {name: c, type: string}\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_normalog"))
        .args(["schema", "check", path(&file)])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    for want in [
        "bad.yml:6:5: unknown key `skiplines`",
        "bad.yml:4:16: the delimiter must be one character",
        "bad.yml:5:21: duplicate column `a`",
        "bad.yml:9:5: field `c` is filled by no column of the csv parser",
    ] {
        assert!(err.contains(want), "{want}\n{err}");
    }
}

/// The rejects' record indexes, and lines.
#[derive(Default)]
struct Positions(Vec<(u64, u64)>);

impl normalog::pipeline::Observer for Positions {
    fn rejected(&mut self, reject: &normalog::pipeline::Reject<'_>) -> std::io::Result<()> {
        let pos = reject.error.position().copied().unwrap_or_default();
        self.0.push((pos.record, pos.line));
        Ok(())
    }
}

/// A header after more than 64 KiB of comment lines is found by every chunk, and record
/// indexes count the comment and header lines in every chunk alike: before, chunks past
/// the first 64 KiB refused their rows (no header), and a reject's index counted the
/// skipped lines only in the input's first chunk.
#[test]
fn batch_runs_find_a_late_header_and_number_records_alike_in_every_chunk() {
    use std::fmt::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let comments = 3000;
    let mut text = String::new();
    for i in 0..comments {
        let _ = writeln!(
            text,
            "# export note {i} of a gateway that writes long preambles"
        );
    }
    text.push_str(&users_file(ROWS, false, "a"));
    // Two rows that are not numbers where `n` is: rejected.
    let bad = [10, ROWS - 10];
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    for row in bad {
        let at = (comments + 1 + row) as usize;
        lines[at] = format!("x{row},a{row}");
    }
    std::fs::write(&a, lines.join("\n") + "\n").unwrap();
    assert!(text.len() > 2 * 64 * 1024);
    let inputs = [Input::Path(a)];
    let registry = registry();
    let mut builder = NormalizerBuilder::new();
    builder.log_types(["Custom.Export"]);
    // The comments and the header take indexes 0 to 3,000; row r is line 3,002 + r.
    let expected: Vec<(u64, u64)> = bad
        .iter()
        .map(|&r| (u64::from(comments + 1 + r), u64::from(comments + 2 + r)))
        .collect();
    for threads in [1, 4] {
        for chunk in [4096, 1 << 22] {
            let mut positions = Positions::default();
            let run = Batch::new()
                .threads(threads)
                .chunk_bytes(chunk)
                .run_ndjson(
                    &builder,
                    &registry,
                    &inputs,
                    &mut Vec::new(),
                    ndjson::Options::default(),
                    &mut positions,
                )
                .unwrap();
            let s = run.summary;
            assert_eq!(
                (s.normalized, s.rejected, s.skipped_lines),
                (u64::from(ROWS) - 2, 2, u64::from(comments) + 1),
                "threads {threads}, chunk {chunk}"
            );
            assert_eq!(positions.0, expected, "threads {threads}, chunk {chunk}");
        }
    }
    // The single-threaded path into any sink.
    let mut n = builder.build(&registry).unwrap();
    let mut positions = Positions::default();
    let run = Batch::new()
        .chunk_bytes(4096)
        .run(&mut n, &inputs, &mut Collect::default(), &mut positions)
        .unwrap();
    assert_eq!(run.summary.rejected, 2);
    assert_eq!(positions.0, expected);
}

/// A JSON array of strings that a CSV log type reads as one column, the first naming it
/// (a text log type reads a record's JSON text: `"user"` is a quoted CSV value), with a
/// JSON log type loaded too (so the input is read as a document): the rows after the first
/// 8,192 are read with the header as well, on one thread and on two. The document goes
/// whole to one worker here, as the worker of a chunk from its middle would not have seen
/// the header record.
#[test]
fn a_json_array_of_csv_lines_keeps_its_header_to_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<String> = (0..9_000).map(|i| format!("\"u{i}\"")).collect();
    let path = dir.path().join("rows.json");
    std::fs::write(&path, format!("[\"user\",\n{}\n]\n", rows.join(",\n"))).unwrap();
    let inputs = [Input::Path(path)];
    let registry = registry();
    let builder = NormalizerBuilder::new()
        .log_types(["Custom.Users", "Custom.Json"])
        .clone();
    for threads in [1, 2] {
        let (s, events) = batch_run(&builder, &registry, &inputs, threads, 1 << 20);
        assert_eq!((s.normalized, s.rejected), (9_000, 0), "threads {threads}");
        assert_eq!(users(&events[8_999..]), [("u8999".to_owned(), -1)]);
    }
}
