//! Archives spread over months (`gen --span`) and their partitions; fields named like the
//! partition directories.

use crate::{archive, normalog, ok, partitions, s};

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

/// `gen --start T`: no record is before T, with or without `--span` (the second or two of
/// jitter in each record's times put the first records of an archive starting at a new
/// year in the year before).
#[test]
fn gen_start_is_the_earliest_time() {
    for span in [None, Some("1h")] {
        let mut args = vec!["gen", "-n", "300", "--start", "2024-01-01", "--seed", "5"];
        args.extend(span.iter().flat_map(|s| ["--span", *s]));
        let tmp = tempfile::tempdir().expect("tempdir");
        let archive = tmp.path().join("a.jsonl");
        std::fs::write(&archive, ok(&args).stdout).expect("write");
        let out = ok(&["normalize", s(&archive)]);
        let text = String::from_utf8(out.stdout).expect("utf-8");
        assert_eq!(text.lines().count(), 300, "{span:?}");
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("JSON");
            let t = v["p_event_time"].as_str().expect("p_event_time");
            assert!(t.starts_with("2024-01-01T"), "{span:?}: {t}");
        }
    }
}

/// A field named like a partition directory (`year`, `hour`: table columns ignore case) is
/// warned about with a partitioned layout, where engines reading the partitions as columns
/// would show the directory's value in its place; not with `--partition none`.
#[test]
fn fields_named_like_partition_directories_are_warned_about() {
    let dir = tempfile::tempdir().expect("tempdir");
    let schemas = dir.path().join("schemas");
    std::fs::create_dir(&schemas).expect("mkdir");
    std::fs::write(
        schemas.join("hours.yml"),
        "schema: Custom.Hours\nparser: {csv: {delimiter: ',', columns: [time, year, Hour, note]}}\n\
         fields:\n  - {name: time, type: timestamp, timeFormat: rfc3339, isEventTime: true}\n  \
         - {name: year, type: string}\n  - {name: Hour, type: int}\n  - {name: note, type: string}\n",
    )
    .expect("write");
    let input = dir.path().join("h.csv");
    std::fs::write(&input, "2023-07-01T14:00:00Z,FY23,3,a\n").expect("write");
    let warned = |partition: &str, format: &str| {
        let lake = dir.path().join(format!("lake-{partition}-{format}"));
        let out = ok(&[
            "normalize",
            "-s",
            s(&schemas),
            "--format",
            format,
            "--partition",
            partition,
            "-o",
            &format!("{}/", s(&lake)),
            s(&input),
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        ["`year`", "`Hour`"].map(|f| {
            stderr.contains(&format!(
                "warning: Custom.Hours: field {f} has the name of a partition directory"
            ))
        })
    };
    assert_eq!(warned("hour", "parquet"), [true, true]);
    assert_eq!(warned("day", "ndjson"), [true, false]);
    assert_eq!(warned("none", "parquet"), [false, false]);
}
