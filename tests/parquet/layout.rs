//! The directory layouts of the CLI's Parquet and NDJSON outputs, files that appear only
//! when committed, and a run stopped by its rejects or by a failed write leaving none.

use std::path::Path;
use std::process::Command;

use arrow_array::cast::AsArray;
use arrow_array::types::TimestampMicrosecondType;
use normalog::sink::parquet::{Options, ParquetWriter};
use serde_json::Value;

use crate::{data, listing, parquet_files, read_parquet, util, zoom_events};

fn normalog(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_normalog"))
        .args(args)
        .output()
        .expect("run normalog")
}

/// [`listing`] of a CLI run's output, with the run id (16 hex digits, a hash of the
/// inputs' paths and times) taken out of the part names (`part-<id>-0` → `part-0`), and
/// the run's manifest (checked to name the same files) left out.
fn run_listing(dir: &Path) -> Vec<String> {
    let all = listing(dir);
    let manifests: Vec<&String> = all
        .iter()
        .filter(|f| f.starts_with("_normalog/runs/"))
        .collect();
    assert_eq!(manifests.len(), 1, "{all:?}");
    let id = manifests[0]
        .trim_start_matches("_normalog/runs/")
        .to_owned();
    assert_eq!(id.len(), 16, "{id}");
    let parts: Vec<String> = all
        .iter()
        .filter(|f| !f.starts_with("_normalog/"))
        .cloned()
        .collect();
    let manifest = std::fs::read_to_string(dir.join(manifests[0])).expect("manifest");
    let mut listed: Vec<&str> = manifest.lines().collect();
    listed.sort_unstable();
    assert_eq!(listed, parts);
    parts
        .iter()
        .map(|f| f.replace(&format!("part-{id}-"), "part-"))
        .collect()
}

#[test]
fn partition_layout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = data("samples/mixed.jsonl");
    let input = input.to_str().expect("utf-8 path");
    let lake = dir.path().join("lake");
    let out = normalog(&[
        "normalize",
        input,
        "--format",
        "parquet",
        "-o",
        lake.to_str().expect("path"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        run_listing(&lake),
        [
            // Sorted as text: hour=10 before hour=8.
            "zendesk_audit/year=2024/month=2/day=12/hour=10/part-0.parquet",
            "zendesk_audit/year=2024/month=2/day=12/hour=8/part-0.parquet",
            "zendesk_audit/year=2024/month=2/day=12/hour=9/part-0.parquet",
            "zoom_activity/year=2024/month=2/day=12/hour=16/part-0.parquet",
            "zoom_activity/year=2024/month=2/day=12/hour=7/part-0.parquet",
            "zoom_activity/year=2024/month=2/day=12/hour=9/part-0.parquet",
            "zoom_operation/year=2024/month=2/day=12/hour=10/part-0.parquet",
            "zoom_operation/year=2024/month=2/day=12/hour=17/part-0.parquet",
        ]
    );
    // Each row is in the directory of its event hour.
    for f in parquet_files(&lake) {
        let hour: u32 = f
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix("hour="))
            .and_then(|h| h.parse().ok())
            .expect("hour dir");
        for b in read_parquet(&f) {
            let t = b
                .column_by_name("p_event_time")
                .expect("time")
                .as_primitive::<TimestampMicrosecondType>();
            for &us in t.values() {
                assert_eq!(
                    u32::try_from(us.div_euclid(3_600_000_000) % 24).expect("hour"),
                    hour
                );
            }
        }
    }
    // A second run of the same input into the same directory replaces the first run's
    // files (tests/lake/ has the rows read back).
    let out = normalog(&[
        "normalize",
        input,
        "--format",
        "parquet",
        "--partition",
        "day",
        "-o",
        lake.to_str().expect("path"),
    ]);
    assert!(out.status.success());
    let day = run_listing(&lake);
    assert!(day.contains(&"zoom_activity/year=2024/month=2/day=12/part-0.parquet".to_owned()));
    assert_eq!(day.len(), 3, "{day:?}");

    // Parquet needs a directory.
    let out = normalog(&["normalize", input, "--format", "parquet"]);
    assert_eq!(out.status.code(), Some(2));
}

/// NDJSON gets the same layout, and the same lines as the stream.
#[test]
fn ndjson_directory_layout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = data("samples/mixed.jsonl");
    let input = input.to_str().expect("utf-8 path");
    let nd = dir.path().join("nd");
    std::fs::create_dir(&nd).expect("mkdir");
    let out = normalog(&[
        "normalize",
        input,
        "--partition",
        "none",
        "-o",
        nd.to_str().expect("path"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        run_listing(&nd),
        [
            "zendesk_audit/part-0.ndjson",
            "zoom_activity/part-0.ndjson",
            "zoom_operation/part-0.ndjson"
        ]
    );
    let stream = normalog(&["normalize", input]);
    let strip = |l: &str| {
        let mut v: Value = serde_json::from_str(l).expect("json");
        let o = v.as_object_mut().expect("object");
        o.remove("p_row_id");
        o.remove("p_parse_time");
        v
    };
    let stream: Vec<Value> = String::from_utf8(stream.stdout)
        .expect("utf-8")
        .lines()
        .map(strip)
        .collect();
    let mut from_dir = 0;
    for table in ["zendesk_audit", "zoom_activity", "zoom_operation"] {
        let part = listing(&nd.join(table));
        assert_eq!(part.len(), 1, "{part:?}");
        let text = std::fs::read_to_string(nd.join(table).join(&part[0])).expect("file");
        let lines: Vec<Value> = text.lines().map(strip).collect();
        let log_type = lines[0]["p_log_type"].clone();
        let want: Vec<&Value> = stream
            .iter()
            .filter(|v| v["p_log_type"] == log_type)
            .collect();
        assert_eq!(lines.iter().collect::<Vec<_>>(), want, "{table}");
        from_dir += lines.len();
    }
    assert_eq!(from_dir, stream.len());
}

#[test]
fn max_rejects_leaves_no_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.ndjson");
    std::fs::write(
        &input,
        "{\"email\":\"a@x.com\",\"time\":\"2023-07-01T14:00:00Z\"}\nnot json\nnot json\n",
    )
    .expect("write");
    let lake = dir.path().join("lake");
    let out = normalog(&[
        "normalize",
        input.to_str().expect("path"),
        "-q",
        "--max-rejects",
        "1",
        "--format",
        "parquet",
        "-o",
        lake.to_str().expect("path"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    // Not even the directory: the run created it, and left no file in it.
    assert!(!lake.exists(), "{:?}", listing(&lake));
}

#[test]
fn files_appear_only_when_committed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (batches, _) = zoom_events(0..3);
    // No memory for holding rows back: each partition is written at once.
    let mut writer = ParquetWriter::new(
        dir.path(),
        Options {
            max_buffered_bytes: 0,
            ..Options::default()
        },
    );
    writer
        .write_batch("Zoom.Activity", &batches[0])
        .expect("write");
    // Before the commit: only hidden temporary files (rows held in none spilled to a run
    // file, see `sink::parquet::spill`), none with a final name (and the writer's run lock,
    // by which the next run tells that they are in use).
    let mut before = listing(dir.path());
    let lock = before.remove(0);
    assert!(lock.starts_with("_normalog/locks/"), "{lock}");
    assert!(!before.is_empty());
    for f in &before {
        let name = f.rsplit('/').next().expect("name");
        assert!(
            (name.starts_with(".part-") || name.starts_with(".spill-"))
                && name.contains(".parquet.tmp-"),
            "{f}"
        );
    }
    writer.commit().expect("commit");
    let after = listing(dir.path());
    assert_eq!(after.len(), 3);
    assert!(
        after.iter().all(|f| f.ends_with("/part-0.parquet")),
        "{after:?}"
    );

    // A writer dropped without commit (an aborted run) leaves nothing behind.
    let mut aborted = ParquetWriter::new(
        dir.path(),
        Options {
            max_buffered_bytes: 0,
            ..Options::default()
        },
    );
    let (more, _) = zoom_events(100..110);
    aborted
        .write_batch("Zoom.Activity", &more[0])
        .expect("write");
    assert!(listing(dir.path()).len() > 3);
    drop(aborted);
    assert_eq!(listing(dir.path()), after);
}

/// A write that fails on a writer thread (here: over the file size limit, `ulimit -f`)
/// names the file in the error, as errors at close do, and nothing is committed.
#[cfg(target_os = "linux")]
#[test]
fn writer_thread_write_errors_name_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.jsonl");
    let lake = dir.path().join("lake");
    let out = normalog(&[
        "gen",
        "--log-type",
        "Zendesk.Audit",
        "--records",
        "20000",
        "-o",
        input.to_str().expect("utf-8 path"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Row groups of 500 rows are written while the run goes on, so the limit (100 KiB a
    // file) is met by a write, not at the end. SIGXFSZ is ignored: the write fails instead.
    let out = Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 200; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_normalog"))
        .args(["normalize", "--threads", "2", "-q", "-f", "parquet"])
        .args(["--row-group-rows", "500", "-o"])
        .arg(&lake)
        .arg(&input)
        .output()
        .expect("run sh");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("zendesk_audit/year=") && stderr.contains("-0.parquet.tmp-"),
        "{stderr}"
    );
    // Nothing committed under a final name, nor anything else: the directory the run
    // created is gone with its temporary files.
    assert!(!lake.exists(), "{:?}", util::files_under(&lake));
}
