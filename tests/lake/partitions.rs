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
