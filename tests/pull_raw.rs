//! `normalog pull ... --raw DIR`: every API page kept as received (gzip), replayable with
//! `normalize`, and kept exactly once across a crash and a rerun.
#![cfg(feature = "pull")]

mod fake;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use fake::pull::{normalize_page, without_volatile};
use fake::server::now_secs;
use fake::zendesk::{AuthMode, FakeZendesk};
use fake::zoom::{dataset, FakeZoom, Kind, ACCOUNT, CLIENT_ID, SECRET};

fn normalog() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_normalog"));
    cmd.env_remove("NORMALOG_PULL_FAIL_AT");
    cmd
}

fn zoom(fake: &FakeZoom, dir: &Path, extra: &[&str], crash: Option<&str>) -> Output {
    let mut cmd = normalog();
    cmd.args([
        "pull",
        "zoom",
        "--account-id",
        ACCOUNT,
        "--client-id",
        CLIENT_ID,
    ])
    .args(["--api-base", &fake.url, "--oauth-base", &fake.url])
    .args(["--since", "3d", "--page-size", "7", "--batch-records", "10"])
    .arg("--state")
    .arg(dir.join("state.json"))
    .arg("-o")
    .arg(dir.join("lake/"))
    .arg("--raw")
    .arg(dir.join("raw"))
    .args(extra)
    .env("ZOOM_CLIENT_SECRET", SECRET);
    if let Some(point) = crash {
        cmd.env("NORMALOG_PULL_FAIL_AT", point);
    }
    cmd.output().expect("run")
}

/// The raw pages under `dir` (hidden files left out): path → decompressed body.
fn pages(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                let mut text = String::new();
                flate2::read::GzDecoder::new(std::fs::File::open(&p).expect("open"))
                    .read_to_string(&mut text)
                    .expect("gzip");
                out.insert(p.strip_prefix(dir).expect("inside").to_path_buf(), text);
            }
        }
    }
    out
}

/// The events of `normalize` over `input`, without the per-run fields, sorted.
fn replay(input: &Path, log_type: &str) -> Vec<String> {
    let out = normalize_page(log_type, input);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    events(&String::from_utf8_lossy(&out.stdout))
}

fn events(ndjson: &str) -> Vec<String> {
    let mut v: Vec<String> = without_volatile(ndjson)
        .iter()
        .map(ToString::to_string)
        .collect();
    v.sort();
    v
}

fn lake_events(lake: &Path, table: &str) -> Vec<String> {
    let mut all = String::new();
    let mut stack = vec![lake.join(table)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                all.push_str(&std::fs::read_to_string(&p).expect("read"));
            }
        }
    }
    events(&all)
}

#[test]
fn zoom_pages_are_kept_as_received_and_replay_to_the_same_events() {
    let start = now_secs() - 2 * 86_400 + 60;
    let mut records = dataset(Kind::Activity, 1, 40, start, 3, 4);
    records.extend(dataset(Kind::Operation, 1, 30, start, 3, 0));
    let fake = FakeZoom::start(records);
    let dir = tempfile::tempdir().expect("tempdir");
    let out = zoom(&fake, dir.path(), &[], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let raw = dir.path().join("raw");
    let kept = pages(&raw);
    // One file per page answered, with the body Zoom sent.
    let answered: Vec<_> = fake
        .report_log()
        .into_iter()
        .filter(|l| l.status == 200)
        .collect();
    assert_eq!(kept.len(), answered.len());
    assert!(kept
        .keys()
        .all(|p| p.starts_with("activity_logs") || p.starts_with("operation_logs")));
    assert!(kept.values().all(|b| b.starts_with(r#"{"from":"#)));
    // A first run reads no page twice: replaying the pages gives the events pulled.
    let lake = dir.path().join("lake");
    assert_eq!(
        replay(&raw.join("activity_logs"), "Zoom.Activity"),
        lake_events(&lake, "zoom_activity")
    );
    assert_eq!(
        replay(&raw.join("operation_logs"), "Zoom.Operation"),
        lake_events(&lake, "zoom_operation")
    );
}

#[test]
fn zoom_pages_are_kept_exactly_once_across_a_crash() {
    let start = now_secs() - 2 * 86_400 + 60;
    let mut records = dataset(Kind::Activity, 1, 40, start, 3, 4);
    records.extend(dataset(Kind::Operation, 1, 30, start, 3, 0));
    for point in [
        "after-sink:2",
        "after-sink:5",
        "after-state:3",
        "after-state:6",
    ] {
        let fake = FakeZoom::start(records.clone());
        let dir = tempfile::tempdir().expect("tempdir");
        let out = zoom(&fake, dir.path(), &[], Some(point));
        assert_eq!(out.status.code(), None, "{point}: crashed");
        // The last batch of the first run whose state was saved.
        let committed = std::fs::read_to_string(dir.path().join("state.json")).map_or(0, |t| {
            let v: serde_json::Value = serde_json::from_str(&t).expect("json");
            v["committed"]["seq"].as_u64().expect("seq")
        });
        let asked = fake.report_log().len();
        let out = zoom(&fake, dir.path(), &[], None);
        assert_eq!(out.status.code(), Some(0), "{point}");
        let answered = fake.report_log()[asked..]
            .iter()
            .filter(|l| l.status == 200)
            .count();
        // (run, seq) of each page kept.
        let kept: Vec<(u64, u64)> = pages(&dir.path().join("raw"))
            .keys()
            .map(|p| {
                let name = p.file_name().expect("name").to_string_lossy().into_owned();
                let mut parts = name
                    .split('-')
                    .skip(2)
                    .map(|n| n.parse::<u64>().expect("number"));
                (parts.next().expect("run"), parts.next().expect("seq"))
            })
            .collect();
        // The pages of the crashed run's uncommitted batches are gone; every page of the
        // rerun is kept once.
        if committed > 0 {
            let first = kept.iter().filter(|(run, _)| *run == 1);
            assert!(
                first.clone().all(|(_, seq)| *seq <= committed),
                "{point}: {kept:?}"
            );
            let rerun = kept.iter().filter(|(run, _)| *run == 2).count();
            assert_eq!(rerun, answered, "{point}");
        } else {
            assert_eq!(kept.len(), answered, "{point}: {kept:?}");
        }
        let hidden = std::fs::read_dir(dir.path().join("raw"))
            .expect("dir")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
            .count();
        assert_eq!(hidden, 0, "{point}");
    }
}

#[test]
fn zendesk_pages_are_kept_and_replay_to_the_same_events() {
    let records = fake::zendesk::dataset(1, 45, now_secs() - 3600, 2);
    let fake = FakeZendesk::start(
        records,
        AuthMode::Token {
            email: "a@b.example".into(),
            token: "tok-123456".into(),
        },
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let out = normalog()
        .args([
            "pull",
            "zendesk",
            "--subdomain",
            "acme",
            "--email",
            "a@b.example",
        ])
        .args(["--base-url", &fake.url, "--since", "1d", "--lag", "0"])
        .args(["--page-size", "10", "--batch-records", "20"])
        .arg("--state")
        .arg(dir.path().join("state.json"))
        .arg("-o")
        .arg(dir.path().join("lake/"))
        .arg("--raw")
        .arg(dir.path().join("raw"))
        .env("ZENDESK_API_TOKEN", "tok-123456")
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let raw = dir.path().join("raw");
    assert_eq!(pages(&raw).len(), 5, "45 records in pages of 10");
    assert_eq!(
        replay(&raw.join("audit_logs"), "Zendesk.Audit"),
        lake_events(&dir.path().join("lake"), "zendesk_audit")
    );
}

#[test]
fn raw_pages_beside_a_single_file_output_leave_nothing_hidden() {
    let start = now_secs() - 86_400;
    let fake = FakeZoom::start(dataset(Kind::Activity, 1, 20, start, 2, 0));
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("events.ndjson");
    let mut cmd = normalog();
    cmd.args([
        "pull",
        "zoom",
        "--account-id",
        ACCOUNT,
        "--client-id",
        CLIENT_ID,
    ])
    .args(["--api-base", &fake.url, "--oauth-base", &fake.url])
    .args([
        "--since",
        "1d",
        "--page-size",
        "6",
        "--log-type",
        "activity",
    ])
    .arg("--state")
    .arg(dir.path().join("state.json"))
    .arg("-o")
    .arg(&file)
    .arg("--raw")
    .arg(dir.path().join("raw"))
    .env("ZOOM_CLIENT_SECRET", SECRET);
    let out = cmd.output().expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&file)
            .expect("read")
            .lines()
            .count(),
        20
    );
    let answered = fake.report_log().iter().filter(|l| l.status == 200).count();
    assert_eq!(pages(&dir.path().join("raw")).len(), answered);
    let names: Vec<String> = std::fs::read_dir(dir.path().join("raw"))
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["activity_logs"], "nothing hidden left");
}
