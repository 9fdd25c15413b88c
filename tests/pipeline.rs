//! Batch runs end to end: inputs, compression, framing, parallel order, accounting.
#![allow(clippy::unwrap_used)] // a test that cannot set up its fixture should panic

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use normalog::pipeline::{Batch, Ignore, Input};
use normalog::sink::{ndjson, Collect};
use normalog::{NormalizerBuilder, Registry};

fn normalog(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_normalog"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run normalog")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A Zoom.Activity record, different for each `i`.
fn good(i: usize) -> String {
    format!(
        r#"{{"email":"user{}@example.com","time":"2023-07-{:02}T{:02}:{:02}:00Z","type":"Sign in","ip_address":"10.0.{}.{}","client_type":"Browser","version":"5.{i}"}}"#,
        i % 97,
        1 + i % 28,
        i % 24,
        i % 60,
        i % 256,
        (i * 7) % 256
    )
}

/// A record no schema accepts (valid JSON, no required fields).
fn bad(i: usize) -> String {
    format!(r#"{{"note":"not a log record","n":{i}}}"#)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// `records: X in, Y normalized, Z rejected` from `--stats`.
fn stats_counts(err: &str) -> (u64, u64, u64) {
    let line = err
        .lines()
        .find(|l| l.starts_with("records: "))
        .unwrap_or_else(|| panic!("no stats line in {err}"));
    let nums: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .take(3)
        .map(|s| s.parse().unwrap())
        .collect();
    (nums[0], nums[1], nums[2])
}

/// Remove the values that differ between runs: `p_row_id` and `p_parse_time`.
fn stable(ndjson: &[u8]) -> String {
    let mut s = String::from_utf8(ndjson.to_vec()).unwrap();
    for key in ["\"p_row_id\":\"", "\"p_parse_time\":\""] {
        let mut out = String::with_capacity(s.len());
        let mut rest = s.as_str();
        while let Some(i) = rest.find(key) {
            out.push_str(&rest[..i + key.len()]);
            let after = &rest[i + key.len()..];
            let end = after.find('"').unwrap();
            rest = &after[end..];
        }
        out.push_str(rest);
        s = out;
    }
    s
}

fn lines(b: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', b).count()
}

#[test]
fn directory_of_mixed_compression_and_framing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("in");
    std::fs::create_dir_all(d.join("sub")).unwrap();
    // Plain, with a BOM, CRLF line ends and blank lines.
    let plain = format!(
        "\u{feff}{}\r\n\r\n{}\r\n   \n{}\n",
        good(1),
        good(2),
        good(3)
    );
    std::fs::write(d.join("a.ndjson"), plain).unwrap();
    // Multi-member gzip under a misleading name.
    let mut gz = gzip(format!("{}\n{}\n", good(4), good(5)).as_bytes());
    gz.extend(gzip(format!("{}\n", good(6)).as_bytes()));
    std::fs::write(d.join("b.json"), gz).unwrap();
    // zstd named .log, in a subdirectory.
    let zst = zstd::encode_all(format!("{}\n{}\n", good(7), bad(8)).as_bytes(), 3).unwrap();
    std::fs::write(d.join("sub/c.log"), zst).unwrap();
    // A JSON array document.
    std::fs::write(
        d.join("d.json"),
        format!("[\n  {},\n  {}\n]\n", good(9), good(10)),
    )
    .unwrap();

    let out = dir.path().join("out.ndjson");
    let rejects = dir.path().join("rejects.ndjson");
    let o = normalog(&[
        "normalize",
        path(&d),
        "-o",
        path(&out),
        "--rejects",
        path(&rejects),
        "--stats",
        "--threads",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stats_counts(&stderr(&o)), (10, 9, 1));
    assert!(
        stderr(&o).contains("2 blank lines skipped"),
        "{}",
        stderr(&o)
    );
    let events = std::fs::read(&out).unwrap();
    assert_eq!(lines(&events), 9);
    // Input order: sorted paths, records in file order.
    let order: Vec<String> = String::from_utf8(events)
        .unwrap()
        .lines()
        .map(|l| l[..l.find(',').unwrap()].to_string())
        .collect();
    let expected: Vec<String> = [1, 2, 3, 4, 5, 6, 9, 10, 7]
        .iter()
        .map(|&i| format!("{{\"email\":\"user{i}@example.com\""))
        .collect();
    assert_eq!(order, expected);
    let rej: serde_json::Value = serde_json::from_slice(&std::fs::read(&rejects).unwrap()).unwrap();
    assert!(rej["source"].as_str().unwrap().ends_with("c.log"));
    assert_eq!(rej["line"], 2);
    assert_eq!(rej["record"], 1);
    assert_eq!(rej["reason"], "unclassified");
    assert_eq!(rej["candidates"].as_array().unwrap().len(), 3);
    assert_eq!(rej["raw"], bad(8));
}

#[test]
fn truncated_gzip_is_reported_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let data: String = (0..2000).map(|i| good(i) + "\n").collect();
    let gz = gzip(data.as_bytes());
    let a = dir.path().join("a.gz");
    std::fs::write(&a, &gz[..gz.len() * 2 / 3]).unwrap();
    let b = dir.path().join("b.ndjson");
    std::fs::write(&b, good(1) + "\n").unwrap();
    let o = normalog(&[
        "normalize",
        path(&a),
        path(&b),
        "--stats",
        "-o",
        "/dev/null",
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let msg = err.lines().find(|l| l.contains("a.gz")).expect(&err);
    assert!(msg.contains("the rest of this input is skipped"), "{msg}");
    let (records, normalized, rejected) = stats_counts(&err);
    assert_eq!((records, rejected), (normalized, 0));
    assert!(records > 1 && records < 2001, "{records}");
    assert!(
        msg.contains(&format!("after {} records", records - 1)),
        "{msg}"
    );
    assert!(err.contains("1 input failed"), "{err}");
}

/// A Parquet file in an input directory (say, an earlier run's output) is reported and
/// skipped, not read as NDJSON line by line.
#[test]
fn binary_files_in_a_directory_are_skipped_by_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.ndjson"), good(1) + "\n").unwrap();
    std::fs::write(
        dir.path().join("b.parquet"),
        b"PAR1\x15\x04\x15\x00\n\x00PAR1",
    )
    .unwrap();
    let o = normalog(&["normalize", path(dir.path()), "--stats"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let msg = err.lines().find(|l| l.contains("b.parquet")).expect(&err);
    assert!(msg.contains("a Parquet file, not JSON text"), "{msg}");
    assert_eq!(stats_counts(&err), (1, 1, 0), "{err}");
    assert!(err.contains("1 input failed"), "{err}");
}

/// Text in UTF-16 (what Windows tools write) or UTF-32 fails its input with the encoding
/// and the way to convert it; it gave one invalid-JSON reject per line, and one more.
#[test]
fn utf16_and_utf32_inputs_are_named_with_their_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let text = good(1) + "\n" + &good(2) + "\n";
    let utf16 = |big: bool| -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|u| {
                if big {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    };
    let bom = |mark: &[u8], mut body: Vec<u8>| {
        body.splice(0..0, mark.iter().copied());
        body
    };
    let utf32le: Vec<u8> = text
        .chars()
        .flat_map(|c| (c as u32).to_le_bytes())
        .collect();
    for (name, bytes, says) in [
        ("le-bom", bom(b"\xff\xfe", utf16(false)), "UTF-16LE text"),
        ("le", utf16(false), "UTF-16LE text"),
        ("be-bom", bom(b"\xfe\xff", utf16(true)), "UTF-16BE text"),
        ("be", utf16(true), "UTF-16BE text"),
        ("32le", bom(b"\xff\xfe\0\0", utf32le), "UTF-32LE text"),
    ] {
        let file = dir.path().join(format!("{name}.jsonl"));
        std::fs::write(&file, bytes).unwrap();
        let o = normalog(&["normalize", path(&file)]);
        let err = stderr(&o);
        // Its only input skipped: nothing was read.
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(
            err.contains(&format!(
                "{says}; normalog reads UTF-8: convert it first (iconv -f"
            )),
            "{name}: {err}"
        );
        assert_eq!(err.lines().count(), 2, "{name}: {err}");
    }
}

#[test]
fn api_pages_are_unwrapped_with_positions() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/envelopes");
    let dir = tempfile::tempdir().unwrap();
    let rejects = dir.path().join("rejects.ndjson");
    let o = normalog(&[
        "normalize",
        path(&data),
        "--rejects",
        path(&rejects),
        "--stats",
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    // Zendesk page: 2 records; Zendesk single-record response: 1; empty Zoom page: none;
    // Zoom operation page: 3, one bad.
    assert_eq!(stats_counts(&err), (6, 5, 1));
    assert!(err.contains("normalized Zendesk.Audit: 3"), "{err}");
    assert!(err.contains("normalized Zoom.Operation: 2"), "{err}");
    let rej: serde_json::Value = serde_json::from_slice(&std::fs::read(&rejects).unwrap()).unwrap();
    assert!(rej["source"]
        .as_str()
        .unwrap()
        .ends_with("zoom_operation_page.json"));
    assert_eq!(rej["index"], 1);
    assert_eq!(rej["field"], "operation_logs");
    assert_eq!(rej["record"], 1);
    assert_eq!(rej["line"], 14);
    let page = std::fs::read(data.join("zoom_operation_page.json")).unwrap();
    let byte = usize::try_from(rej["byte"].as_u64().unwrap()).unwrap();
    assert!(page[byte..].starts_with(b"{\n            \"time\": \"2024-03-01T09:20:00Z\""));

    // Naming the field gives the same result.
    let o2 = normalog(&[
        "normalize",
        path(&data.join("zoom_operation_page.json")),
        "--envelope",
        "operation_logs",
        "--stats",
        "-q",
    ]);
    assert_eq!(stats_counts(&stderr(&o2)), (3, 2, 1));
}

/// Zendesk's "show audit log" response holds its record in an object field (issue 14).
#[test]
fn r14_single_record_responses_are_unwrapped() {
    let show =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/envelopes/zendesk_audit_show.json");
    let o = normalog(&["normalize", path(&show), "--stats"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(stats_counts(&err), (1, 1, 0), "{err}");
    let event: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(event["p_log_type"], "Zendesk.Audit");
    assert_eq!(event["id"], 1003);
    assert_eq!(event["p_event_time"], "2024-02-01T08:10:00Z");

    // As NDJSON lines: unwrapped when its object is accepted; when it is refused too, the
    // line is not an envelope and its own refusal stands, at its own position.
    let dir = tempfile::tempdir().unwrap();
    let lines = dir.path().join("show.jsonl");
    let good = r#"{"audit_log":{"action":"create","created_at":"2024-02-01T08:00:00Z","id":7}}"#;
    let bad = r#"{"audit_log":{"action":"create","id":8}}"#;
    std::fs::write(&lines, format!("{good}\n{bad}\n")).unwrap();
    let rejects = dir.path().join("rejects.ndjson");
    let o = normalog(&[
        "normalize",
        path(&lines),
        "--rejects",
        path(&rejects),
        "--stats",
    ]);
    let err = stderr(&o);
    assert_eq!(stats_counts(&err), (2, 1, 1), "{err}");
    let rej: serde_json::Value = serde_json::from_slice(&std::fs::read(&rejects).unwrap()).unwrap();
    assert_eq!(
        (rej["record"].as_u64(), rej["line"].as_u64()),
        (Some(1), Some(2))
    );
    let inner = good.len() + 1 + bad.find("{\"action").unwrap();
    assert_eq!(rej["byte"].as_u64(), Some(inner as u64), "{rej}");
    assert_eq!(rej["field"], "audit_log", "{rej}");
    assert!(
        rej["error"]
            .as_str()
            .unwrap()
            .contains("missing required field \"created_at\""),
        "{rej}"
    );

    // Named with --envelope, the object is unwrapped without being tried as a record, and a
    // refused record inside it says where it is: inside the field, at the object.
    let o = normalog(&[
        "normalize",
        path(&lines),
        "--envelope",
        "audit_log",
        "--rejects",
        path(&rejects),
        "--stats",
    ]);
    let err = stderr(&o);
    assert_eq!(stats_counts(&err), (2, 1, 1), "{err}");
    let rej: serde_json::Value = serde_json::from_slice(&std::fs::read(&rejects).unwrap()).unwrap();
    assert_eq!(rej["field"], "audit_log", "{rej}");
    assert_eq!(
        (rej["record"].as_u64(), rej["line"].as_u64()),
        (Some(1), Some(2))
    );
    let inner = good.len() + 1 + bad.find("{\"action").unwrap();
    assert_eq!(rej["byte"].as_u64(), Some(inner as u64), "{rej}");
    assert!(
        rej["error"]
            .as_str()
            .unwrap()
            .contains("missing required field \"created_at\""),
        "{rej}"
    );
    // Without a rejects file, stderr says so.
    let o = normalog(&["normalize", path(&lines), "--envelope", "audit_log"]);
    assert!(
        stderr(&o).contains("inside \"audit_log\": record 1 (line 2, byte"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn corpus_pages_when_present() {
    // The shared corpus sits beside the repository on the team's machines; skip elsewhere.
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/envelopes");
    let page = corpus.join("zoom_operation__grove_001.json");
    if !page.exists() {
        return;
    }
    let o = normalog(&["normalize", path(&page), "--stats"]);
    let (records, normalized, rejected) = stats_counts(&stderr(&o));
    assert!(records > 0, "{}", stderr(&o));
    assert_eq!(records, normalized + rejected);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn oversized_record_is_a_reject_not_an_allocation() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("big.ndjson");
    let huge = format!(r#"{{"email":"a@b.c","pad":"{}"}}"#, "x".repeat(300_000));
    std::fs::write(&f, format!("{}\n{huge}\n{}\n", good(1), good(2))).unwrap();
    let rejects = dir.path().join("r.ndjson");
    let o = normalog(&[
        "normalize",
        path(&f),
        "--max-record-bytes",
        "1000",
        "--rejects",
        path(&rejects),
        "--stats",
        "-o",
        "/dev/null",
    ]);
    let err = stderr(&o);
    assert_eq!(stats_counts(&err), (3, 2, 1));
    assert!(err.contains("rejected too_long: 1"), "{err}");
    let rej: serde_json::Value = serde_json::from_slice(&std::fs::read(&rejects).unwrap()).unwrap();
    assert_eq!(
        (rej["line"].as_u64(), rej["record"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(rej["byte"].as_u64(), Some(good(1).len() as u64 + 1));
}

/// Inputs big enough for many chunks, with rejects spread through them.
fn many_records(dir: &Path) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for f in 0..3 {
        let mut s = String::new();
        for i in 0..12_000 {
            let n = f * 100_000 + i;
            s.push_str(&if n % 1000 == 7 { bad(n) } else { good(n) });
            s.push('\n');
        }
        let p = dir.join(format!("part{f}.ndjson"));
        if f == 1 {
            std::fs::write(&p, gzip(s.as_bytes())).unwrap();
        } else {
            std::fs::write(&p, s).unwrap();
        }
        paths.push(p);
    }
    paths
}

#[test]
fn same_output_with_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = many_records(dir.path());
    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("out{threads}.ndjson"));
        let rej = dir.path().join(format!("rej{threads}.ndjson"));
        let mut args = vec!["normalize", "--threads", threads, "-o", path(&out)];
        args.extend(["--rejects", path(&rej)]);
        args.extend(inputs.iter().map(|p| path(p)));
        let o = normalog(&args);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        outs.push((std::fs::read(&out).unwrap(), std::fs::read(&rej).unwrap()));
    }
    assert_eq!(lines(&outs[0].0), 36_000 - 36);
    assert_eq!(lines(&outs[0].1), 36);
    assert!(stable(&outs[0].0) == stable(&outs[1].0), "outputs differ");
    assert_eq!(outs[0].1, outs[1].1);
    assert_ne!(outs[0].0, outs[1].0, "row ids should differ between runs");
}

#[test]
fn library_single_threaded_and_parallel_paths_agree() {
    let dir = tempfile::tempdir().unwrap();
    let inputs: Vec<Input> = many_records(dir.path())
        .into_iter()
        .map(Input::Path)
        .collect();
    let registry = Registry::builtin();
    let builder = NormalizerBuilder::new();
    let mut batch = Batch::new();
    batch.chunk_bytes(64 * 1024);

    let mut collect = Collect::default();
    let mut norm = builder.build(&registry).unwrap();
    let single = batch
        .run(&mut norm, &inputs, &mut collect, &mut Ignore)
        .unwrap();
    let single_out: String = collect.events.iter().map(|e| e.clone() + "\n").collect();

    let mut out = Vec::new();
    let parallel = batch
        .threads(2)
        .run_ndjson(
            &builder,
            &registry,
            &inputs,
            &mut out,
            ndjson::Options::default(),
            &mut Ignore,
        )
        .unwrap();
    assert_eq!(single, parallel);
    assert_eq!(stable(single_out.as_bytes()), stable(&out));
    let s = &parallel.summary;
    assert_eq!(s.records, 36_000);
    assert_eq!(s.records, s.normalized + s.rejected);
}

#[test]
fn counts_balance_across_good_bad_truncated_and_oversized() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // good + bad + invalid JSON + oversized, plain.
    let big = format!(r#"{{"pad":"{}"}}"#, "y".repeat(5000));
    std::fs::write(
        d.join("1.ndjson"),
        format!("{}\n{}\n{{not json\n{big}\n{}\n", good(1), bad(2), good(3)),
    )
    .unwrap();
    // A truncated gzip.
    let data: String = (0..500).map(|i| good(i) + "\n" + &bad(i) + "\n").collect();
    let gz = gzip(data.as_bytes());
    std::fs::write(d.join("2.gz"), &gz[..gz.len() / 2]).unwrap();
    // An unreadable input (a missing file).
    let missing = d.join("missing.ndjson");
    // A page with a good and a bad element, and a JSON array.
    std::fs::write(
        d.join("3.json"),
        format!(
            "{{\"activity_logs\":[{},{}],\"next_page_token\":\"\"}}\n",
            good(4),
            bad(5)
        ),
    )
    .unwrap();
    std::fs::write(d.join("4.json"), format!("[{},{}]", good(6), bad(7))).unwrap();
    let o = normalog(&[
        "normalize",
        path(d),
        path(&missing),
        "--max-record-bytes",
        "2000",
        "--stats",
        "-q",
        "-o",
        "/dev/null",
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let (records, normalized, rejected) = stats_counts(&err);
    assert_eq!(records, normalized + rejected, "{err}");
    assert!(err.contains("2 inputs failed"), "{err}");
    let per_reason: u64 = err
        .lines()
        .filter_map(|l| l.trim().strip_prefix("rejected "))
        .map(|l| l.rsplit(": ").next().unwrap().parse::<u64>().unwrap())
        .sum();
    let per_type: u64 = err
        .lines()
        .filter_map(|l| l.trim().strip_prefix("normalized "))
        .map(|l| l.rsplit(": ").next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!((per_type, per_reason), (normalized, rejected), "{err}");
    assert!(err.contains("rejected too_long: 1"), "{err}");
    assert!(err.contains("rejected invalid_json: 1"), "{err}");
    // Plain file: 5 records, page: 2, array: 2, and the truncated gzip's lines read.
    assert!(records > 9, "{err}");
}

#[test]
fn max_rejects_stops_with_status_2_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.ndjson");
    let s: String = (0..100).map(|i| bad(i) + "\n").collect();
    std::fs::write(&f, s).unwrap();
    let out = dir.path().join("out.ndjson");
    let rejects = dir.path().join("rejects.ndjson");
    let o = normalog(&[
        "normalize",
        path(&f),
        "--max-rejects",
        "5",
        "-o",
        path(&out),
        "--rejects",
        path(&rejects),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--max-rejects"), "{}", stderr(&o));
    assert!(!out.exists());
    assert_eq!(lines(&std::fs::read(&rejects).unwrap()), 6);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 2, "temporary files left: {leftovers:?}");
}

#[test]
fn stdin_dash_reads_standard_input() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_normalog"))
        .args(["normalize", "-", "--stats"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let gz = gzip(format!("{}\n{}\n", good(1), good(2)).as_bytes());
    child.stdin.take().unwrap().write_all(&gz).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(lines(&o.stdout), 2);
}

/// A reader that gives its bytes, then waits until `release` is dropped: a socket or
/// another program's output with nothing more to say yet.
struct Silent {
    data: std::io::Cursor<Vec<u8>>,
    release: std::sync::mpsc::Receiver<()>,
}

impl std::io::Read for Silent {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.data.read(out)?;
        if n == 0 {
            let _ = self.release.recv();
        }
        Ok(n)
    }
}

/// An embedder's reader that may wait forever (`SharedReader::may_wait`: a socket, another
/// program's output) does not hold a cancelled run, as standard input and named pipes do
/// not: the run ends, cancelled, once its flag is set. Unmarked, the run waited for the
/// read to return.
#[test]
fn a_cancelled_run_does_not_wait_for_a_reader_that_may_wait() {
    use normalog::pipeline::input::SharedReader;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{mpsc, Arc};
    use std::time::Duration;

    let (hold, release) = mpsc::sync_channel::<()>(0);
    let reader = Silent {
        data: std::io::Cursor::new(format!("{}\n", good(1)).into_bytes()),
        release,
    };
    let inputs = [Input::Reader(
        SharedReader::named(reader, "socket").may_wait(),
    )];
    let cancel = Arc::new(AtomicBool::new(false));
    let (done_tx, done) = mpsc::channel();
    let flag = Arc::clone(&cancel);
    let run = std::thread::spawn(move || {
        let registry = Registry::builtin();
        let mut norm = NormalizerBuilder::new().build(&registry).unwrap();
        let mut batch = Batch::new();
        batch.cancel_on(flag);
        let mut collect = Collect::default();
        let run = batch.run(&mut norm, &inputs, &mut collect, &mut Ignore);
        let _ = done_tx.send(run.map(|r| r.summary.normalized));
    });
    std::thread::sleep(Duration::from_millis(200));
    cancel.store(true, Ordering::Relaxed);
    let ended = done
        .recv_timeout(Duration::from_secs(30))
        .expect("the cancelled run ended without its reader");
    assert!(format!("{ended:?}").contains("Cancelled"), "{ended:?}");
    drop(hold);
    run.join().unwrap();
}
