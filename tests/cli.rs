//! The `normalog` binary: exit codes, stdout (data only), stderr (diagnostics), files.

mod util;

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn normalog() -> Command {
    Command::new(env!("CARGO_BIN_EXE_normalog"))
}

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = normalog()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn normalog");
    let written = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes());
    // A run refused before reading its input may exit before the write ends.
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
    }
    child.wait_with_output().expect("wait")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 stderr")
}

fn events(o: &Output) -> Vec<Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each stdout line is JSON"))
        .collect()
}

const ACTIVITY: &str = r#"{"email":"ann@example.com","time":"2023-07-01T14:00:00.5Z","ip_address":"10.1.2.3","type":"Sign in"}"#;

#[test]
fn samples_normalize_with_exit_0() {
    let file = util::data("samples/mixed.jsonl");
    let o = run(&["normalize", file.to_str().expect("path")], "");
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let evs = events(&o);
    assert_eq!(evs.len(), 12);
    let types: Vec<&str> = evs
        .iter()
        .map(|e| e["p_log_type"].as_str().expect("p_log_type"))
        .collect();
    assert_eq!(types.iter().filter(|t| **t == "Zendesk.Audit").count(), 5);
    assert_eq!(types.iter().filter(|t| **t == "Zoom.Activity").count(), 4);
    assert_eq!(types.iter().filter(|t| **t == "Zoom.Operation").count(), 3);
    assert_eq!(stderr(&o), "");
}

#[test]
fn stdin_and_dash_read_standard_input() {
    for args in [&["normalize"][..], &["normalize", "-"][..]] {
        let o = run(args, &format!("{ACTIVITY}\n"));
        assert_eq!(o.status.code(), Some(0));
        let e = &events(&o)[0];
        assert_eq!(e["p_log_type"], "Zoom.Activity");
        assert_eq!(e["p_event_time"], "2023-07-01T14:00:00.5Z");
        assert_eq!(e["p_any_ip_addresses"], serde_json::json!(["10.1.2.3"]));
        assert_eq!(e["p_any_emails"], serde_json::json!(["ann@example.com"]));
    }
}

#[test]
fn output_field_order_is_schema_then_standard_fields() {
    let o = run(
        &[
            "normalize",
            "--source-id",
            "s-1",
            "--source-label",
            "zoom prod",
        ],
        ACTIVITY,
    );
    let line = stdout(&o);
    let keys: Vec<String> = serde_json::from_str::<serde_json::Map<String, Value>>(&line)
        .expect("json")
        .keys()
        .cloned()
        .collect();
    // serde_json's Map is sorted unless preserve_order; check the raw text order instead.
    let pos = |k: &str| {
        line.find(&format!("\"{k}\":"))
            .unwrap_or_else(|| panic!("{k} missing"))
    };
    let order = [
        "email",
        "time",
        "type",
        "ip_address",
        "p_log_type",
        "p_row_id",
        "p_event_time",
        "p_parse_time",
        "p_schema_version",
        "p_source_id",
        "p_source_label",
        "p_any_ip_addresses",
        "p_any_emails",
    ];
    assert_eq!(keys.len(), order.len());
    for w in order.windows(2) {
        assert!(pos(w[0]) < pos(w[1]), "{} before {}", w[0], w[1]);
    }
}

#[test]
fn panther_time_format() {
    let o = run(&["normalize", "--time-format", "panther"], ACTIVITY);
    let e = &events(&o)[0];
    assert_eq!(e["time"], "2023-07-01 14:00:00.500000000");
    assert_eq!(e["p_event_time"], "2023-07-01 14:00:00.500000000");
}

/// Parquet timestamps are typed columns: `--time-format panther` cannot apply to them, and
/// is refused rather than silently ignored (as it was), before anything is written.
#[test]
fn panther_time_format_with_parquet_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = dir.path().join("lake");
    let lake = lake.to_str().expect("utf-8 path");
    let o = run(
        &[
            "normalize",
            "--format",
            "parquet",
            "--time-format",
            "panther",
            "-o",
            lake,
        ],
        ACTIVITY,
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "normalog: --time-format panther applies to NDJSON output only: Parquet writes \
         timestamps as typed timestamp columns (UTC, microseconds), which have no text layout\n"
    );
    assert!(!std::path::Path::new(lake).exists(), "nothing is written");
}

#[test]
fn rejects_exit_1_and_report_on_stderr() {
    let input = format!("{ACTIVITY}\n{{\"email\":\"x@y.z\"}}\nnot json\n\n{ACTIVITY}\n");
    let o = run(&["normalize", "-t", "Zoom.Activity"], &input);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(events(&o).len(), 2);
    assert_eq!(
        stderr(&o),
        "normalog: <stdin>: record 1 (line 2, byte 101): Zoom.Activity: missing required field \"time\"\n\
         normalog: <stdin>: record 2 (line 3, byte 119, column 2): invalid JSON: expected ident\n"
    );
}

#[test]
fn rejects_file_and_stats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rejects = dir.path().join("rejects.ndjson");
    let input = format!("{ACTIVITY}\n{{\"email\":\"x@y.z\",\"time\":\"yesterday\"}}\n");
    let o = run(
        &[
            "normalize",
            "--stats",
            "--rejects",
            rejects.to_str().expect("path"),
        ],
        &input,
    );
    assert_eq!(o.status.code(), Some(1));
    let text = std::fs::read_to_string(&rejects).expect("rejects file");
    let r: Value = serde_json::from_str(text.trim()).expect("reject is JSON");
    assert_eq!(r["source"], "<stdin>");
    assert_eq!(r["line"], 2);
    assert_eq!(r["byte"], 101);
    assert_eq!(r["raw"], r#"{"email":"x@y.z","time":"yesterday"}"#);
    assert!(
        r["error"].as_str().expect("error").contains("Zoom.Activity: field \"time\": timestamp does not match time format rfc3339: \"yesterday\""),
        "{r}"
    );
    let err = stderr(&o);
    assert!(
        err.starts_with("records: 2 in, 1 normalized, 1 rejected"),
        "{err}"
    );
    assert!(err.contains("  normalized Zoom.Activity: 1\n"), "{err}");
    assert!(err.contains("  rejected unclassified: 1\n"), "{err}");
    assert!(err.contains("MB/s"), "{err}");
    // No temporary files are left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("rejects.ndjson")]);
}

#[test]
fn output_file_is_written_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("events.ndjson");
    let o = run(&["normalize", "-o", out.to_str().expect("path")], ACTIVITY);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "");
    let text = std::fs::read_to_string(&out).expect("output");
    assert_eq!(text.lines().count(), 1);
    assert!(text.ends_with('\n'));
}

/// `-o` naming a device or a pipe (`-o /dev/null` is the common case) writes into it: the
/// write-then-rename used for regular files would replace it with a plain file.
#[cfg(unix)]
#[test]
fn output_to_a_pipe_writes_into_it_and_leaves_it_a_pipe() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("events.pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).expect("read the pipe"))
    };
    let o = run(&["normalize", "-o", fifo.to_str().expect("path")], ACTIVITY);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    // Checked before joining: had the pipe been replaced, the reader would wait forever.
    let kind = std::fs::symlink_metadata(&fifo)
        .expect("still there")
        .file_type();
    assert!(kind.is_fifo(), "the pipe was replaced: {kind:?}");
    let text = reader.join().expect("reader");
    assert_eq!(text.lines().count(), 1, "{text}");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(leftovers.len(), 1, "temporary files left: {leftovers:?}");
}

/// `-o` naming a symbolic link replaces the file it points to and keeps the link.
#[cfg(unix)]
#[test]
fn output_through_a_symlink_keeps_the_link() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("real.ndjson");
    std::fs::write(&target, "old\n").expect("write");
    let link = dir.path().join("latest.ndjson");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let o = run(&["normalize", "-o", link.to_str().expect("path")], ACTIVITY);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert!(std::fs::symlink_metadata(&link)
        .expect("link")
        .file_type()
        .is_symlink());
    let text = std::fs::read_to_string(&target).expect("target");
    assert!(text.contains("Zoom.Activity"), "{text}");
}

#[test]
fn fatal_errors_exit_2() {
    let o = run(&["normalize", "-t", "No.Such"], "");
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "normalog: unknown log type \"No.Such\" (loaded log types: Zendesk.Audit, Zoom.Activity, Zoom.Operation); a log type of your own needs its schema: -s PATH\n"
    );
    // A name that differs only in case, or by a typo, gets the loaded one it means, in gen
    // as in normalize.
    for (cmd, name) in [
        ("normalize", "zoom.activity"),
        ("gen", "zoom.activity"),
        ("normalize", "Zoom.Activty"),
        ("gen", "Zoom.Actvity"),
    ] {
        let o = run(&[cmd, "-t", name], "");
        assert_eq!(o.status.code(), Some(2));
        assert!(
            stderr(&o).ends_with("; did you mean `Zoom.Activity`?\n"),
            "{cmd}: {}",
            stderr(&o)
        );
    }
    // With schemas of one's own loaded, no hint to load them.
    let schemas = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let o = run(
        &[
            "normalize",
            "-s",
            schemas.to_str().expect("path"),
            "-t",
            "No.Such",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).ends_with("Zoom.Operation)\n"), "{}", stderr(&o));
    let o = run(&["normalize", "--bogus"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--bogus"));
    let o = run(&["normalize", "-s", "no/such/dir"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("normalog: no/such/dir"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn unreadable_input_is_reported_and_the_run_goes_on() {
    let sample = util::data("samples/zoom_activity.jsonl");
    let o = run(
        &[
            "normalize",
            "no-such-file.jsonl",
            sample.to_str().expect("path"),
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(events(&o).len(), 4);
    assert!(
        stderr(&o).starts_with("normalog: no-such-file.jsonl: "),
        "{}",
        stderr(&o)
    );
}

#[test]
fn broken_pipe_exits_0() {
    let mut child = normalog()
        .args(["normalize"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let line = format!("{ACTIVITY}\n");
        for _ in 0..20_000 {
            if stdin.write_all(line.as_bytes()).is_err() {
                break;
            }
        }
    });
    let mut out = child.stdout.take().expect("stdout");
    let mut first = [0u8; 64];
    out.read_exact(&mut first).expect("some output");
    drop(out);
    let status = child.wait().expect("wait");
    writer.join().expect("writer");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn schema_commands() {
    let o = run(&["schema", "list"], "");
    assert_eq!(o.status.code(), Some(0));
    let list = stdout(&o);
    for t in [
        "Zendesk.Audit\t11 fields",
        "Zoom.Activity\t6 fields",
        "Zoom.Operation\t5 fields",
    ] {
        assert!(list.contains(t), "{list}");
    }
    let o = run(&["schema", "check"], "");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "ok: 3 schemas (Zendesk.Audit, Zoom.Activity, Zoom.Operation)\n"
    );
    let rich = util::data("schemas/rich.yml");
    let o = run(&["schema", "check", rich.to_str().expect("path")], "");
    assert_eq!(stdout(&o), "ok: 1 schema (Custom.Rich)\n");
    let o = run(&["schema", "json-schema"], "");
    assert_eq!(o.status.code(), Some(0));
    let js: Value = serde_json::from_str(&stdout(&o)).expect("JSON Schema is JSON");
    assert_eq!(js["title"], "Schema");
    assert!(js["properties"]["fields"].is_object());
    assert!(js["properties"]["referenceURL"].is_object());
}

#[test]
fn help_explains_every_flag() {
    let o = run(&["normalize", "--help"], "");
    assert_eq!(o.status.code(), Some(0));
    let help = stdout(&o);
    for flag in [
        "--schemas",
        "--log-type",
        "--output",
        "--rejects",
        "--stats",
        "--time-format",
        "--source-id",
        "--source-label",
        "--max-record-bytes",
        "--target-file-size",
        "KiB, MiB, GiB",
        "Exit status:",
        "130  interrupted by SIGINT",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
}

#[test]
fn rejects_to_stdout_is_refused() {
    let o = run(&["normalize", "--rejects", "-"], ACTIVITY);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "normalog: --rejects needs a file: standard output carries the events\n"
    );
    assert_eq!(stdout(&o), "");
}

#[test]
fn max_rejects_on_stdout_says_the_output_is_incomplete() {
    let input = format!("{ACTIVITY}\n{{}}\n{{}}\n{ACTIVITY}\n");
    let o = run(
        &["normalize", "-q", "--max-rejects", "1", "-j", "1"],
        &input,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).ends_with(
            "stopped: more than 1 records rejected (--max-rejects); the events written to \
             standard output so far are incomplete\n"
        ),
        "{}",
        stderr(&o)
    );
}

/// The limit is checked per chunk of input (about 1 MiB), not per record: on a smaller input
/// the run reads it all, writes every valid event and then stops. The help says so (a
/// reviewer expected the stop at the N+1st reject).
#[test]
fn max_rejects_stops_at_the_end_of_the_chunk_as_the_help_says() {
    let input = format!("{ACTIVITY}\n{{}}\n").repeat(20);
    let o = run(&["normalize", "--max-rejects", "2", "-j", "1"], &input);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(events(&o).len(), 20, "the whole chunk's events are written");
    let reported = stderr(&o)
        .lines()
        .filter(|l| l.contains("missing required field"))
        .count();
    assert_eq!(reported, 3, "the first N + 1 rejects are reported");
    let help = stdout(&run(&["normalize", "--help"], ""))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        help.contains("the run stops at the end of the chunk in which the limit was passed"),
        "{help}"
    );
}

#[test]
fn schema_test_without_cases_is_not_a_pass() {
    let rich = util::data("schemas/rich.yml");
    let o = run(&["test", rich.to_str().expect("path")], "");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "0 passed, 0 failed\n");
    assert!(
        stderr(&o).starts_with("normalog: no test cases found"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bench_prints_a_row_per_path_with_every_record_counted() {
    let out = run(
        &[
            "bench",
            "--records",
            "3000",
            "--threads",
            "2",
            "--repeat",
            "2",
            "--invalid-rate",
            "0.1",
        ],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("2 threads") && text.contains("best of 2 runs"),
        "{text}"
    );
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("raw ") || l.starts_with("parse ") || l.starts_with("normalize "))
        .collect();
    assert_eq!(rows.len(), 4, "{text}");
    assert!(rows[0].contains("100.0%"), "{text}");
    // Every row accounts for every record: accepted plus rejected.
    let counts: Vec<(u64, u64)> = rows
        .iter()
        .map(|row| {
            let numbers: Vec<u64> = row
                .split([' ', ','])
                .filter_map(|w| w.parse().ok())
                .collect();
            (numbers[numbers.len() - 2], numbers[numbers.len() - 1])
        })
        .collect();
    for (row, (ok, rejected)) in rows.iter().zip(&counts) {
        assert_eq!(ok + rejected, 3000, "{row}");
    }
    // The normalizer's rows agree, and reject more than the raw parse (which refuses only
    // the truncated JSON among the invalid records).
    assert!(counts[1] == counts[2] && counts[2] == counts[3], "{text}");
    assert!(counts[1].1 > counts[0].1, "{text}");
}

/// `bench` with text log types loaded beside JSON ones: a row per text log type (the CSV one
/// too, its rows after a header), on its own lines, with every record counted and the share
/// of the JSON parse row; on two threads each part starts with the header, so no row of the
/// second part is lost or refused.
#[test]
fn bench_gives_text_log_types_a_row_each() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let schemas = root.join("schemas");
    let text_schemas = root.join("benches/schemas");
    for threads in ["1", "2"] {
        let out = run(
            &[
                "bench",
                "-s",
                schemas.to_str().expect("utf-8 path"),
                "-s",
                text_schemas.to_str().expect("utf-8 path"),
                "--records",
                "500",
                "--repeat",
                "1",
                "--threads",
                threads,
                "--invalid-rate",
                "0.1",
            ],
            "",
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("text: ")).collect();
        assert_eq!(rows.len(), 3, "{text}");
        // Each text row is followed by its JSON twin's, with the same records generated.
        let lines: Vec<&str> = text.lines().collect();
        for row in &rows {
            let at = lines.iter().position(|l| l == row).expect("the row");
            let twin = lines.get(at + 1).copied().unwrap_or_default();
            assert!(twin.starts_with("  its JSON twin"), "{text}");
            assert!(twin.contains(" rejected ("), "{twin}");
            // The text row's share of the JSON rows and of its twin.
            assert_eq!(row.matches('%').count(), 2, "{row}");
        }
        assert!(
            rows[0].starts_with("text: Bench.Firewall (regex)"),
            "{text}"
        );
        assert!(
            rows[1].starts_with("text: Bench.VpnSessions (csv)"),
            "{text}"
        );
        assert!(
            rows[2].starts_with("text: Bench.WebAccess (fastmatch)"),
            "{text}"
        );
        for row in rows {
            assert!(row.contains('%'), "{row}");
            // "... N normalized, M rejected (x MB, y B/record)": N + M is every record.
            let at = row.find(" normalized").expect("counts");
            let head: Vec<u64> = row[..at]
                .split(' ')
                .filter_map(|w| w.parse().ok())
                .collect();
            let ok = *head.last().expect("normalized count");
            let rejected: u64 = row[at..]
                .split(' ')
                .find_map(|w| w.parse().ok())
                .expect("rejected count");
            assert_eq!(ok + rejected, 500, "{row}");
            assert!(rejected > 0, "invalid lines are generated too: {row}");
            // Only the invalid ones: about 10%, never most.
            assert!(rejected < 150, "{row}");
        }
    }
}

/// `gen` for a CSV log type with a header: the header comes first, then `--records` rows,
/// and `normalize --stats` reads them all back, counting the header as a line skipped on
/// purpose, apart from blank lines and rejects.
#[test]
fn gen_writes_csv_rows_that_normalize_with_the_header_counted() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text_schemas = root.join("benches/schemas");
    let schemas = text_schemas.to_str().expect("utf-8 path");
    let generated = run(
        &["gen", "-s", schemas, "-t", "Bench.VpnSessions", "-n", "200"],
        "",
    );
    assert!(generated.status.success(), "{}", stderr(&generated));
    let rows = stdout(&generated);
    let first = rows.lines().next().expect("a header");
    assert!(
        first.starts_with("time,event,session_id,user,client_ip,"),
        "{first}"
    );
    assert_eq!(rows.lines().count(), 201);
    let o = run(&["normalize", "--stats", "-s", schemas], &rows);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert_eq!(events(&o).len(), 200);
    let err = stderr(&o);
    assert!(
        err.contains(
            "records: 200 in, 200 normalized, 0 rejected (0 blank lines skipped, \
             1 line skipped on purpose: skipLines/skipPrefix/header)"
        ),
        "{err}"
    );
}

/// Text log types beside JSON ones in one run: each line goes to the type that reads it, and
/// a line no pattern matches is a reject that names the patterns tried.
#[test]
fn text_and_json_logs_in_one_run() {
    let text = util::data("schematest/text");
    let json = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let input = [
        ACTIVITY,
        r#"203.0.113.9 - alice [01/Jul/2023:14:00:00 +0200] "GET / HTTP/1.1" 200 5120"#,
        "2023-07-01 14:00:00 CONNECT user=alice src=10.0.0.1 port=443 duration=35.5s",
        "garbage line",
    ]
    .join("\n");
    let o = run(
        &[
            "normalize",
            "--stats",
            "-s",
            json.to_str().expect("path"),
            "-s",
            text.to_str().expect("path"),
        ],
        &input,
    );
    assert_eq!(o.status.code(), Some(1), "stderr: {}", stderr(&o));
    let types: Vec<String> = events(&o)
        .iter()
        .map(|e| e["p_log_type"].as_str().expect("p_log_type").to_owned())
        .collect();
    assert_eq!(
        types,
        ["Zoom.Activity", "Custom.WebAccess", "Custom.VpnSession"]
    );
    let err = stderr(&o);
    assert!(err.contains("record 3 (line 4, byte "), "{err}");
    assert!(
        err.contains(r#"Custom.VpnSession: line matches no pattern (tried "%{time} CONNECT user="#),
        "{err}"
    );
    assert!(
        err.contains("records: 4 in, 3 normalized, 1 rejected"),
        "{err}"
    );
}

/// `schema check` reports a bad regex at the pattern, with the regex crate's message; the
/// JSON Schema describes the text parser blocks.
#[test]
fn schema_check_points_at_a_bad_regex() {
    let o = run(&["schema", "json-schema"], "");
    let schema: Value = serde_json::from_str(&stdout(&o)).expect("JSON Schema");
    let defs = &schema["$defs"];
    assert_eq!(
        defs["RegexParser"]["required"],
        serde_json::json!(["match"])
    );
    assert_eq!(
        defs["RegexParser"]["additionalProperties"],
        Value::Bool(false)
    );
    assert!(defs["FastmatchParser"]["properties"]["expandFields"].is_object());

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.yml");
    std::fs::write(
        &path,
        "schema: Custom.Bad\nparser:\n  regex:\n    match:\n      - '^(?P<a>[a-z+'\nfields:\n  - {name: a, type: string}\n",
    )
    .expect("write");
    let o = run(&["schema", "check", path.to_str().expect("path")], "");
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("bad.yml:5:17: invalid regular expression: unclosed character class"),
        "{err}"
    );
}

/// An output file that is also an input would be overwritten with the run's results: the
/// input is refused before anything is read or written (review finding).
#[test]
fn outputs_that_are_inputs_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.jsonl");
    let data = std::fs::read(util_sample()).expect("sample");
    std::fs::write(&input, &data).expect("write");
    let link = dir.path().join("link.jsonl");
    std::fs::hard_link(&input, &link).expect("hard link");
    let path = input.to_str().expect("utf-8");
    for args in [
        vec!["normalize", "--rejects", path, path],
        vec!["normalize", "-o", path, path],
        vec!["normalize", "-o", link.to_str().expect("utf-8"), path],
    ] {
        let out = run(&args, "");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("is also an input"),
            "{}",
            stderr(&out)
        );
        assert_eq!(std::fs::read(&input).expect("read"), data, "{args:?}");
    }
}

fn util_sample() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/samples/mixed.jsonl")
}

/// The rejects file gives the column where invalid JSON goes wrong, as stderr does (review
/// finding: the help promised it, the file did not have it).
#[test]
fn rejects_file_gives_the_column_of_invalid_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rejects = dir.path().join("r.ndjson");
    let out = run(
        &["normalize", "--rejects", rejects.to_str().expect("utf-8")],
        "{\"a\":1,\"b\":tru}\n",
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: Value =
        serde_json::from_slice(&std::fs::read(&rejects).expect("rejects")).expect("JSON");
    assert_eq!(v["reason"], "invalid_json", "{v}");
    assert_eq!(v["column"], 15, "{v}");
    let quiet = run(&["normalize"], "{\"a\":1,\"b\":tru}\n");
    assert!(stderr(&quiet).contains("column 15"), "{}", stderr(&quiet));
}

#[test]
fn an_input_directory_without_files_is_named_and_nothing_to_read_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("archive");
    std::fs::create_dir_all(empty.join("2024")).expect("mkdir");
    std::fs::write(empty.join(".hidden.jsonl"), "{}\n").expect("write");
    let empty = empty.to_str().expect("utf-8");
    // Only empty directories: nothing to read ends the command, not a clean run of 0.
    let o = run(&["normalize", "--stats", empty], "");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "warning: {empty}: a directory with no input files"
        )),
        "{err}"
    );
    assert!(
        err.contains("no input files: every directory given is empty"),
        "{err}"
    );
    // Beside a file with records: a warning, and the run goes on.
    let file = util::data("samples/mixed.jsonl");
    let o = run(
        &[
            "normalize",
            "-o",
            "/dev/null",
            empty,
            file.to_str().expect("path"),
        ],
        "",
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains(&format!("warning: {empty}:")), "{err}");
}

/// Each input file is read once, however the paths reach it: a symbolic link to `.` in an
/// input directory is not followed round (it read every file about 40 times), a file given
/// twice or given beside its directory is loaded once, and an output directory inside the
/// input directory is not read back by the next run (a re-run added every row again). Each
/// is said on stderr.
#[cfg(unix)]
#[test]
fn each_input_file_is_read_once_and_the_output_directory_is_not_an_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).expect("mkdir");
    let records = format!("{ACTIVITY}\n{ACTIVITY}\n{ACTIVITY}\n");
    std::fs::write(logs.join("a.jsonl"), &records).expect("write");
    std::os::unix::fs::symlink(".", logs.join("current")).expect("symlink");
    let a = logs.join("a.jsonl");
    let (logs_arg, a_arg) = (logs.to_str().expect("utf-8"), a.to_str().expect("utf-8"));

    let o = run(&["normalize", logs_arg, a_arg, a_arg], "");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(events(&o).len(), 3, "{err}");
    assert!(
        err.contains(&format!(
            "warning: {a_arg} and 1 more: reached more than once"
        )),
        "{err}"
    );
    assert!(
        err.contains("current: a directory reached again (given twice, inside a directory"),
        "{err}"
    );

    // The lake inside the directory it is made from: the second run reads what the first
    // did, and replaces its files.
    let lake = logs.join("lake");
    let lake_arg = &format!("{}/", lake.display());
    for round in 0..2 {
        let o = run(&["normalize", "-o", lake_arg, logs_arg], "");
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{err}");
        assert_eq!(
            err.contains("lake: the output directory, inside an input directory"),
            round == 1,
            "{err}"
        );
        let rows: usize = walk_files(&lake)
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "ndjson"))
            .map(|p| std::fs::read_to_string(p).expect("read").lines().count())
            .sum();
        assert_eq!(rows, 3, "round {round}: {err}");
    }
}

/// Every file under `dir`, recursively.
fn walk_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk_files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn an_input_that_cannot_be_opened_is_skipped_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nope.jsonl");
    let missing = missing.to_str().expect("utf-8");
    let o = run(&["normalize", "-o", "/dev/null", missing], "");
    let err = stderr(&o);
    // The only input: nothing was read at all (see the next test).
    assert_eq!(o.status.code(), Some(2), "{err}");
    let line = err.lines().find(|l| l.contains("nope.jsonl")).expect(&err);
    assert!(line.ends_with("(input skipped)"), "{line}");
    assert!(!line.contains("after 0 records"), "{line}");
}

/// Not one input could be read: nothing to read, as when no input file was found (exit 2,
/// not the 1 of a finished run with rejects), and the outputs are left as they were. Some
/// inputs unreadable beside others read is still a finished run with problems (exit 1).
#[test]
fn no_input_could_be_read_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = |name: &str| dir.path().join(name).to_str().expect("utf-8").to_owned();
    let (nope1, nope2) = (path("nope1.jsonl"), path("nope2.jsonl"));
    let (out, rejects) = (path("out.ndjson"), path("rejects.ndjson"));
    std::fs::write(&out, "earlier output\n").expect("write");
    std::fs::write(&rejects, "earlier rejects\n").expect("write");
    let o = run(
        &[
            "normalize",
            "--stats",
            "-o",
            &out,
            "--rejects",
            &rejects,
            &nope1,
            &nope2,
        ],
        "",
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for nope in [&nope1, &nope2] {
        assert!(err.contains(&format!("{nope}: ")), "{err}");
    }
    assert!(
        err.contains("no input could be read: every input was skipped; nothing written"),
        "{err}"
    );
    assert!(err.contains("2 inputs failed"), "--stats: {err}");
    assert_eq!(
        std::fs::read_to_string(&out).expect("read"),
        "earlier output\n"
    );
    assert_eq!(
        std::fs::read_to_string(&rejects).expect("read"),
        "earlier rejects\n"
    );

    // One input read beside the missing one: the run finishes, written, with exit 1.
    let file = util::data("samples/mixed.jsonl");
    let o = run(
        &[
            "normalize",
            "-o",
            &out,
            &nope1,
            file.to_str().expect("path"),
        ],
        "",
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("(input skipped)"), "{err}");
    assert!(!err.contains("no input could be read"), "{err}");
    let written = std::fs::read_to_string(&out).expect("read");
    assert_eq!(written.lines().count(), 12, "{written}");
}

/// A run that writes nothing into a directory output it created (here: its input is
/// missing, or every record is rejected) leaves no empty directory behind, nor the
/// parents it created for it; a directory that existed before the run stays, and one the
/// run wrote files into is kept.
#[test]
fn a_run_that_writes_nothing_leaves_no_directory_it_created() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = |name: &str| dir.path().join(name).to_str().expect("utf-8").to_owned();
    let missing = path("nope.jsonl");
    let rejected = path("rejected.jsonl");
    std::fs::write(&rejected, "{\"not\":\"a known record\"}\n").expect("write");
    let sample = util::data("samples/mixed.jsonl");
    let sample = sample.to_str().expect("path");

    let cases: [(&[&str], String, &str, Option<i32>); 4] = [
        (
            &["-f", "parquet"],
            path("new/lake"),
            missing.as_str(),
            Some(2),
        ),
        (
            &["-f", "parquet"],
            path("new/lake/"),
            rejected.as_str(),
            Some(1),
        ),
        (&[], path("new/lake/"), missing.as_str(), Some(2)),
        (
            &["-f", "ndjson"],
            path("new/lake/"),
            rejected.as_str(),
            Some(1),
        ),
    ];
    for (flags, out, input, code) in cases {
        let mut args = vec!["normalize"];
        args.extend(flags);
        args.extend(["-o", out.as_str(), input]);
        let o = run(&args, "");
        assert_eq!(o.status.code(), code, "{args:?}: {}", stderr(&o));
        assert!(
            !dir.path().join("new").exists(),
            "{args:?} left {:?}",
            util::files_under(dir.path())
        );
    }

    // An empty directory that was there before the run stays.
    let kept = dir.path().join("kept");
    std::fs::create_dir(&kept).expect("mkdir");
    for flags in [&["-f", "parquet"][..], &[][..]] {
        let out = format!("{}/", kept.display());
        let mut args = vec!["normalize"];
        args.extend(flags);
        args.extend(["-o", out.as_str(), missing.as_str()]);
        let o = run(&args, "");
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(kept.is_dir(), "{args:?}");
    }

    // A run that writes files keeps the directory it created, with them.
    for flags in [&["-f", "parquet"][..], &[][..]] {
        let out = path("written/lake/");
        let mut args = vec!["normalize"];
        args.extend(flags);
        args.extend(["-o", out.as_str(), sample]);
        let o = run(&args, "");
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(
            !util::files_under(&dir.path().join("written/lake")).is_empty(),
            "{args:?}"
        );
        std::fs::remove_dir_all(dir.path().join("written")).expect("clean up");
    }
}

#[test]
fn a_directory_output_over_a_file_is_refused_with_or_without_a_slash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("afile");
    std::fs::write(&file, "keep me").expect("write");
    let with_slash = format!("{}/", file.display());
    for args in [
        vec!["normalize", "-o", with_slash.as_str()],
        vec![
            "normalize",
            "--format",
            "parquet",
            "-o",
            with_slash.as_str(),
        ],
    ] {
        let o = run(&args, "");
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("writes a directory, and this is a file"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "keep me");
}

/// `-o NAME.parquet` makes a directory of tables, not one file: said once, at the start.
#[test]
fn a_parquet_named_output_is_said_to_be_a_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("events.parquet");
    let normalize = |email: &str| {
        let record = format!(
            "{{\"time\":\"2024-01-01T00:00:17Z\",\"email\":\"{email}\",\"type\":\"Sign in\"}}\n"
        );
        let path = out.to_str().expect("utf-8");
        run(&["normalize", "--format", "parquet", "-o", path], &record)
    };
    let o = normalize("a@example.com");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--format parquet writes a directory of tables"),
        "{}",
        stderr(&o)
    );
    assert!(out.join("zoom_activity").is_dir());
    // Into it again: it is a directory now, nothing to say.
    let o = normalize("b@example.com");
    assert_eq!(stderr(&o), "");
}

/// `schema list`, `schema check` and `test` take schema paths both ways: as arguments and
/// with `-s`, normalize's flag.
#[test]
fn schema_commands_take_paths_as_arguments_or_with_s() {
    let schemas = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/schemas");
    let dir = schemas.to_str().expect("utf-8");
    for args in [
        &["schema", "check", dir][..],
        &["schema", "check", "-s", dir],
        &["schema", "list", dir],
        &["schema", "list", "-s", dir],
    ] {
        let o = run(args, "");
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
        assert!(text.contains("Bench.VpnSessions"), "{args:?}: {text}");
    }
    let builtin = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let o = run(&["test", "-s", builtin.to_str().expect("utf-8")], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// A refused record of a user's schema that holds an array of objects (an order's items) is
/// rejected with its own reason, not unwrapped as an API page of its items; a page whose
/// field no schema has is still unwrapped.
#[test]
fn a_refused_record_is_not_read_as_a_page_of_its_items() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("order.yml"),
        "schema: Custom.Order\nfields:\n  - {name: time, type: timestamp, timeFormat: rfc3339, \
         isEventTime: true, required: true}\n  - {name: customer, type: string}\n  - name: items\n    \
         type: array\n    element: {type: object, fields: [{name: time, type: timestamp, \
         timeFormat: rfc3339}, {name: sku, type: string}]}\n",
    )
    .expect("write");
    let item = r#"{"time":"2023-07-01T13:00:00Z","sku":"B1"}"#;
    let bad = format!(r#"{{"time":"2023-07-01 15:00:00","customer":"b","items":[{item},{item}]}}"#);
    let o = run(
        &["normalize", "-s", dir.path().to_str().expect("utf-8")],
        &format!("{bad}\n"),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(
        stderr(&o)
            .contains("Custom.Order: field \"time\": timestamp does not match time format rfc3339"),
        "{}",
        stderr(&o)
    );
    // A page of orders: its field is no field of the schema, so it is unwrapped.
    let good = r#"{"time":"2023-07-01T15:00:00Z","customer":"c","items":[]}"#;
    let page = format!(r#"{{"orders":[{good},{good}],"next_page":null}}"#);
    let o = run(
        &["normalize", "-s", dir.path().to_str().expect("utf-8")],
        &format!("{page}\n"),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 2);
}

/// A JSON array file over --max-document-bytes is read line by line: a note says so, and
/// which flag reads it whole.
#[test]
fn a_json_array_over_the_document_limit_is_noted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("array.json");
    let rec = r#"{"email":"a@example.com","time":"2024-01-01T00:00:17Z","type":"Sign in"}"#;
    std::fs::write(&file, format!("[\n{rec},\n{rec}\n]\n")).expect("write");
    let path = file.to_str().expect("utf-8");
    let o = run(&["normalize", "--max-document-bytes", "50", "-q", path], "");
    assert!(
        stderr(&o).contains("over --max-document-bytes (50): it is read line by line"),
        "{}",
        stderr(&o)
    );
    // Within the limit: read whole, no note.
    let o = run(&["normalize", path], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 2);
}
