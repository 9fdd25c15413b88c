//! The data lake from months of logs (issue 16): archives spanning months (`gen --span`),
//! the layouts' files, re-runs into the same directory, `--stats` on files.

mod util;

use std::path::Path;
use std::process::{Command, Output};

use util::files_under;

fn normalog(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_normalog"))
        .args(args)
        .output()
        .expect("run normalog")
}

fn ok(args: &[&str]) -> Output {
    let o = normalog(args);
    assert!(
        o.status.success(),
        "normalog {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Write a generated archive of the shipped log types spread over `span`.
fn archive(dir: &Path, name: &str, records: u64, span: &str, seed: u64) -> std::path::PathBuf {
    let path = dir.join(name);
    ok(&[
        "gen",
        "-n",
        &records.to_string(),
        "--span",
        span,
        "--start",
        "2024-01-01",
        "--seed",
        &seed.to_string(),
        "-o",
        s(&path),
    ]);
    path
}

/// The partition directories (relative) of the part files under `table`.
fn partitions(lake: &Path, table: &str) -> std::collections::BTreeSet<String> {
    let root = lake.join(table);
    files_under(&root)
        .iter()
        .map(|f| {
            f.parent()
                .expect("parent")
                .strip_prefix(&root)
                .expect("under the table")
                .display()
                .to_string()
        })
        .collect()
}

#[test]
fn gen_span_spreads_an_archive_over_days() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let input = archive(tmp.path(), "a.jsonl", 3000, "30d", 1);
    let lake = tmp.path().join("lake");
    ok(&[
        "normalize",
        "--format",
        "parquet",
        "--partition",
        "day",
        "-o",
        s(&lake),
        s(&input),
    ]);
    for table in ["zendesk_audit", "zoom_activity", "zoom_operation"] {
        let days = partitions(&lake, table);
        // 30 days from 2024-01-01, ~33 records a day per table: every day, in January
        // or the first days of February.
        assert!((29..=31).contains(&days.len()), "{table}: {days:?}");
        assert!(
            days.iter().all(|d| d.starts_with("year=2024/month=1/") || d.starts_with("year=2024/month=2/")),
            "{days:?}"
        );
        assert!(days.contains("year=2024/month=1/day=1"), "{days:?}");
    }
    // A bad span is a usage error.
    let o = normalog(&["gen", "-n", "1", "--span", "6 months"]);
    assert_eq!(o.status.code(), Some(2));
}
