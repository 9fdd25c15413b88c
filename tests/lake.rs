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
    archive_from(dir, name, records, span, seed, "2024-01-01")
}

/// [`archive`] from the day `start`.
fn archive_from(
    dir: &Path,
    name: &str,
    records: u64,
    span: &str,
    seed: u64,
    start: &str,
) -> std::path::PathBuf {
    let path = dir.join(name);
    ok(&[
        "gen",
        "-n",
        &records.to_string(),
        "--span",
        span,
        "--start",
        start,
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

/// `(p_event_time, p_log_type)` of every row of every Parquet file under `lake`, sorted;
/// and the number of part files.
fn lake_rows(lake: &Path) -> (Vec<(i64, String)>, usize) {
    use arrow_array::cast::AsArray;
    use arrow_array::types::TimestampMicrosecondType;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let files: Vec<_> = files_under(lake)
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "parquet"))
        .collect();
    let mut rows = Vec::new();
    for f in &files {
        let file = std::fs::File::open(f).expect("open");
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .expect("parquet")
            .build()
            .expect("reader");
        for batch in reader {
            let batch = batch.expect("batch");
            let times = batch
                .column_by_name("p_event_time")
                .expect("p_event_time")
                .as_primitive::<TimestampMicrosecondType>()
                .clone();
            let types = batch
                .column_by_name("p_log_type")
                .expect("p_log_type")
                .as_string::<i32>()
                .clone();
            for i in 0..batch.num_rows() {
                rows.push((times.value(i), types.value(i).to_owned()));
            }
        }
    }
    rows.sort();
    (rows, files.len())
}

fn parquet_into(lake: &Path, partition: &str, inputs: &[&Path]) {
    let mut args = vec![
        "normalize",
        "--format",
        "parquet",
        "--partition",
        partition,
        "-o",
        s(lake),
    ];
    args.extend(inputs.iter().map(|p| s(p)));
    ok(&args);
}

#[test]
fn rerunning_the_same_inputs_leaves_one_copy_of_each_event() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = archive(tmp.path(), "a.jsonl", 2000, "10d", 1);
    let b = archive(tmp.path(), "b.jsonl", 500, "10d", 2);
    let lake = tmp.path().join("lake");

    parquet_into(&lake, "hour", &[&a]);
    let (first, files) = lake_rows(&lake);
    assert_eq!(first.len(), 2000);
    // The same input again: the same rows, in as many files (replaced, not added).
    parquet_into(&lake, "hour", &[&a]);
    assert_eq!(lake_rows(&lake), (first.clone(), files));

    // Another input is appended beside it, and survives a re-run of the first.
    parquet_into(&lake, "hour", &[&b]);
    let (both, _) = lake_rows(&lake);
    assert_eq!(both.len(), 2500);
    parquet_into(&lake, "hour", &[&a]);
    assert_eq!(lake_rows(&lake).0, both);

    // The same input with another layout, beside another run's files of the first one:
    // refused before its input is read (engines cannot read a table of two layouts).
    let day_run = |lake: &Path, flags: &[&str]| {
        let mut args = vec!["normalize", "--format", "parquet", "--partition", "day"];
        args.extend(flags);
        args.extend(["-o", s(lake), s(&a)]);
        let o = normalog(&args);
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, err) = day_run(&lake, &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("holds files of another run partitioned by hour"),
        "{err}"
    );
    assert_eq!(lake_rows(&lake).0, both);

    // Alone in its directory, the same input with another layout replaces its files, and
    // says so.
    let alone = tmp.path().join("alone");
    parquet_into(&alone, "hour", &[&a]);
    let (code, err) = day_run(&alone, &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains(&format!(
            "note: replaced the earlier run of the same inputs; {files} of its files were \
             not written again and were removed"
        )),
        "{err}"
    );
    assert_eq!(lake_rows(&alone).0, first);
    assert!(
        files_under(&alone)
            .iter()
            .all(|f| !f.to_string_lossy().contains("hour=")),
        "hour files left"
    );

    // A re-run given fewer log types removes the other tables' files of the earlier run:
    // a warning names them (the other records are rejects now: exit 1).
    let (code, err) = day_run(&alone, &["-t", "Zoom.Activity"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(
            "warning: zendesk_audit, zoom_operation: the earlier run of the same inputs had \
             rows in these tables and this run wrote none"
        ),
        "{err}"
    );
    let (rows, _) = lake_rows(&alone);
    assert!(
        !rows.is_empty() && rows.iter().all(|(_, t)| t == "Zoom.Activity"),
        "{}",
        rows.len()
    );

    // Nothing but part files, the manifests and the runs' lists of inputs: no temporary
    // files, no other names.
    for f in files_under(&lake) {
        let rel = f
            .strip_prefix(&lake)
            .expect("under")
            .to_string_lossy()
            .into_owned();
        let name = f.file_name().expect("name").to_string_lossy().into_owned();
        assert!(
            rel.starts_with("_normalog/runs/")
                || rel.starts_with("_normalog/inputs/")
                || (name.starts_with("part-") && name.ends_with(".parquet")),
            "{rel}"
        );
    }
}

#[test]
fn ndjson_directories_rerun_the_same_way() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = archive(tmp.path(), "a.jsonl", 600, "3d", 3);
    let lake = tmp.path().join("lake");
    let run = || ok(&["normalize", "-o", &format!("{}/", s(&lake)), s(&a)]);
    let lines = || -> usize {
        files_under(&lake)
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "ndjson"))
            .map(|f| std::fs::read_to_string(f).expect("read").lines().count())
            .sum()
    };
    run();
    assert_eq!(lines(), 600);
    run();
    assert_eq!(lines(), 600);
}

#[test]
fn standard_input_appends() {
    // Standard input has no identity: each run adds its files.
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = archive(tmp.path(), "a.jsonl", 300, "1d", 4);
    let lake = tmp.path().join("lake");
    for _ in 0..2 {
        let o = Command::new(env!("CARGO_BIN_EXE_normalog"))
            .args(["normalize", "--format", "parquet", "-o", s(&lake)])
            .stdin(std::fs::File::open(&a).expect("open"))
            .output()
            .expect("run");
        assert!(o.status.success());
    }
    assert_eq!(lake_rows(&lake).0.len(), 600);
}

#[test]
fn stats_report_files_and_warn_when_they_are_tiny() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let input = archive(tmp.path(), "a.jsonl", 3000, "30d", 5);
    let stats = |partition: &str| {
        let lake = tmp.path().join(partition);
        let o = ok(&[
            "normalize",
            "--stats",
            "--format",
            "parquet",
            "--partition",
            partition,
            "-o",
            s(&lake),
            s(&input),
        ]);
        let files = files_under(&lake)
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "parquet"))
            .count();
        (String::from_utf8(o.stderr).expect("utf-8"), files)
    };
    // About 2,100 hours of 1.4 rows each: the average has a decimal below 10 rows. Days
    // would hold about 33 rows: the advice is the unpartitioned layout.
    let (err, files) = stats("hour");
    let per_file = |files: usize| 3000.0 / f64::from(u32::try_from(files).expect("files"));
    let average = format!("{:.1}", per_file(files));
    let line = format!("files: {files} written, {average} rows per file on average\n");
    assert!(err.contains(&line), "{err}");
    assert!(
        err.contains(&format!(
            "normalog: warning: {files} files of {average} rows on average"
        )) && err.contains("--partition none makes fewer, larger files (--partition day would"),
        "{err}"
    );
    // About 90 day files of about 33 rows: tiny, but too few files to warn about.
    let (err, files) = stats("day");
    assert!((88..=93).contains(&files), "{files}");
    assert!(
        err.contains(&format!(
            "files: {files} written, {:.0} rows per file",
            per_file(files)
        )),
        "{err}"
    );
    assert!(!err.contains("warning"), "{err}");
    // One file per table.
    let (err, files) = stats("none");
    assert_eq!(files, 3);
    assert!(
        err.contains("files: 3 written, 1000 rows per file on average\n"),
        "{err}"
    );
    assert!(!err.contains("warning"), "{err}");
}

#[test]
fn stats_say_when_unordered_input_splits_partitions() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = archive(tmp.path(), "a.jsonl", 20_000, "2d", 6);
    // Two sources interleaved: the archive's first and second halves, line by line (5 MB:
    // several chunks, each with rows of a day and of the next).
    let text = std::fs::read_to_string(&a).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    let (first, second) = lines.split_at(lines.len() / 2);
    let mut mixed = String::new();
    for (x, y) in first.iter().zip(second) {
        mixed.push_str(x);
        mixed.push('\n');
        mixed.push_str(y);
        mixed.push('\n');
    }
    let input = tmp.path().join("mixed.jsonl");
    std::fs::write(&input, mixed).expect("write");
    let run = |lake: &Path, flags: &[&str]| {
        let mut args = vec!["normalize", "--stats", "--format", "parquet", "-o", s(lake)];
        args.extend(flags);
        args.push(s(&input));
        let o = ok(&args);
        let files = files_under(lake)
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "parquet"))
            .count();
        let partitions: usize = ["zendesk_audit", "zoom_activity", "zoom_operation"]
            .iter()
            .map(|t| partitions(lake, t).len())
            .sum();
        (
            String::from_utf8(o.stderr).expect("utf-8"),
            files,
            partitions,
        )
    };
    // Little memory: partitions are written before their last rows come; once one comes
    // back, the rest is spilled and merged. The partitions written before get a second
    // part, and --stats counts them.
    let (err, files, parts) = run(&tmp.path().join("small"), &["--max-buffered-mib", "1"]);
    assert!(
        err.contains("rows spilled to disk and merged at the end"),
        "{err}"
    );
    if files > parts {
        assert!(
            err.contains(&format!(
                "warning: {} of the {files} files are extra parts of a partition",
                files - parts
            )) && err.contains("--max-buffered-mib"),
            "{err}"
        );
    } else {
        assert!(!err.contains("extra parts"), "{err}");
    }
    // The default memory bound, even with few files open at once: one file per
    // partition, and nothing to say.
    for flags in [&[][..], &["--max-open-files", "4"][..]] {
        let (err, files, parts) = run(&tmp.path().join(format!("enough{}", flags.len())), flags);
        assert_eq!(files, parts, "{flags:?}");
        assert!(!err.contains("extra parts"), "{err}");
    }
}

/// Two archives one after the other, the second going back in time (it starts in the
/// middle of the first one's span): partitions written while the first was read get rows
/// again. They are read back and written again with them at the end, so each partition
/// is still one file, whatever the memory bound (a review found 2,871 extra parts with the
/// default bound, and fewer with less memory).
#[test]
fn an_input_going_back_in_time_still_makes_one_file_per_partition() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let first = archive(tmp.path(), "first.jsonl", 60_000, "30d", 8);
    let second = archive_from(tmp.path(), "second.jsonl", 15_000, "20d", 9, "2024-01-10");
    let flat = tmp.path().join("flat");
    parquet_into(&flat, "none", &[&first, &second]);
    let (expected, _) = lake_rows(&flat);
    // With the default bound, the first archive's hours are written as it is read (its
    // held rows pass an eighth of the bound), and some of them come again.
    for mib in ["8", "256"] {
        let lake = tmp.path().join(format!("lake-{mib}"));
        let o = ok(&[
            "normalize",
            "--stats",
            "--format",
            "parquet",
            "--max-buffered-mib",
            mib,
            "-o",
            s(&lake),
            s(&first),
            s(&second),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        let (rows, files) = lake_rows(&lake);
        assert_eq!(rows, expected, "--max-buffered-mib {mib}");
        let parts: usize = ["zendesk_audit", "zoom_activity", "zoom_operation"]
            .iter()
            .map(|t| partitions(&lake, t).len())
            .sum();
        assert_eq!(files, parts, "--max-buffered-mib {mib}: {err}");
        assert!(!err.contains("extra parts"), "{err}");
        assert!(err.contains(&format!("files: {files} written")), "{err}");
    }
}

/// An archive in random order, beyond the memory bound: its rows are spilled to disk and
/// merged, one file per partition, with the rows of the archive; within the bound, held in
/// memory, one file per partition too, and nothing spilled.
#[test]
fn unordered_input_beyond_the_memory_bound_is_spilled_and_merged() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = archive(tmp.path(), "a.jsonl", 30_000, "30d", 7);
    let shuffled = shuffled_copy(&a);

    let sorted = tmp.path().join("sorted");
    parquet_into(&sorted, "hour", &[&a]);
    let (expected, partitions) = lake_rows(&sorted);
    let lake = tmp.path().join("lake");
    let o = ok(&[
        "normalize",
        "--stats",
        "--format",
        "parquet",
        "--max-buffered-mib",
        "1",
        "-o",
        s(&lake),
        s(&shuffled),
    ]);
    let err = String::from_utf8(o.stderr).expect("utf-8");
    assert!(
        err.contains("30000 rows spilled")
            || err.contains("rows spilled to disk and merged at the end"),
        "{err}"
    );
    let (rows, files) = lake_rows(&lake);
    assert_eq!(rows, expected);
    assert_eq!(files, partitions, "{err}");
    assert!(!err.contains("extra parts"), "{err}");
    assert!(err.contains(&format!("files: {files} written")), "{err}");

    // Nothing left of the spill files, nor any hidden file.
    let hidden: Vec<_> = files_under(&lake)
        .into_iter()
        .filter(|f| {
            f.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

/// A copy of `archive` with its lines in random order (the same order every run), beside it.
fn shuffled_copy(archive: &Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(archive).expect("read");
    let mut lines: Vec<&str> = text.lines().collect();
    // Fisher-Yates with a fixed xorshift.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in (1..lines.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let j = usize::try_from(x % (i as u64 + 1)).expect("index");
        lines.swap(i, j);
    }
    let shuffled = archive.with_extension("shuffled.jsonl");
    std::fs::write(&shuffled, lines.join("\n") + "\n").expect("write");
    shuffled
}

/// A shuffled archive large enough that its held rows pass the share of the memory bound
/// after which partitions the input has moved on from are written early: a shuffled batch
/// covers nearly every hour, and one that missed an hour at the edges of the range must
/// not make the input look in time order (an hour written early came again: a second
/// part). Out of time order, the rows are spilled and merged: one file per partition.
#[test]
fn a_shuffled_archive_makes_one_file_per_partition() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = archive(tmp.path(), "a.jsonl", 200_000, "30d", 7);
    let shuffled = shuffled_copy(&a);
    let lake = tmp.path().join("lake");
    let o = ok(&[
        "normalize",
        "--stats",
        "--format",
        "parquet",
        "-o",
        s(&lake),
        s(&shuffled),
    ]);
    let err = String::from_utf8(o.stderr).expect("utf-8");
    assert!(!err.contains("extra parts"), "{err}");
    let (rows, files) = lake_rows(&lake);
    assert_eq!(rows.len(), 200_000);
    let partitions: usize = ["zendesk_audit", "zoom_activity", "zoom_operation"]
        .iter()
        .map(|t| partitions(&lake, t).len())
        .sum();
    assert_eq!(files, partitions, "{err}");
}

/// Part files of `table` under `lake` with their sizes, in part-number order.
fn parts_of(lake: &Path, table: &str, ext: &str) -> Vec<(String, u64)> {
    let mut parts: Vec<(u64, String, u64)> = files_under(&lake.join(table))
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == ext))
        .map(|f| {
            let name = f.file_name().expect("name").to_string_lossy().into_owned();
            let n: u64 = name
                .trim_end_matches(&format!(".{ext}"))
                .rsplit('-')
                .next()
                .and_then(|n| n.parse().ok())
                .expect("part number");
            let size = std::fs::metadata(&f).expect("metadata").len();
            (n, f.display().to_string(), size)
        })
        .collect();
    parts.sort();
    parts.into_iter().map(|(_, f, size)| (f, size)).collect()
}

/// Inputs another run loaded into the lake are named in a warning: their rows are added
/// again (only the same inputs, unchanged, replace a run). Re-running the same inputs, or
/// adding new ones alone, says nothing.
#[test]
fn inputs_loaded_by_another_run_are_named() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = archive(tmp.path(), "a.jsonl", 500, "1d", 1);
    let b = archive(tmp.path(), "b.jsonl", 500, "1d", 2);
    let lake = tmp.path().join("lake");
    let run = |inputs: &[&Path]| {
        let mut args = vec!["normalize", "--format", "parquet", "-o", s(&lake)];
        args.extend(inputs.iter().map(|p| s(p)));
        String::from_utf8(ok(&args).stderr).expect("utf-8")
    };
    assert_eq!(run(&[&a]), "");
    assert_eq!(run(&[&a]), "");
    assert_eq!(run(&[&b]), "");
    let err = run(&[&a, &b]);
    assert!(
        err.contains(&format!(
            "warning: {}: {} and 1 more of this run's inputs were loaded by an earlier run \
             with other inputs (or before it changed): their rows are added again",
            s(&lake),
            s(&a)
        )),
        "{err}"
    );
    let (rows, _) = lake_rows(&lake);
    assert_eq!(rows.len(), 2000, "a and b, then a and b again");
    // After that run, a alone is loaded elsewhere too.
    let err = run(&[&a]);
    assert!(
        err.contains(&format!("{} was loaded by an earlier run", s(&a)))
            && err.contains("its rows are added again"),
        "{err}"
    );
}

#[test]
fn target_file_size_rotates_part_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let input = archive(tmp.path(), "a.jsonl", 120_000, "20d", 6);
    let target: u64 = 512 << 10;
    let lake = tmp.path().join("lake");
    let run = || {
        ok(&[
            "normalize",
            "--format",
            "parquet",
            "--partition",
            "none",
            "--target-file-size",
            "512KiB",
            // Small row groups: the size of a file is known at each row group's end.
            "--row-group-rows",
            "2048",
            "--stats",
            "-o",
            s(&lake),
            s(&input),
        ])
    };
    let o = run();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("files closed at --target-file-size"),
        "{stderr}"
    );
    let listing = parts_near_target(&lake, target);
    // The rows are those of the NDJSON output of the same input.
    let ndjson = ok(&["normalize", s(&input)]);
    let want = util::lake::ndjson_rows(&String::from_utf8_lossy(&ndjson.stdout));
    assert_eq!(want.len(), 120_000);
    assert_eq!(util::lake::parquet_rows(&lake), want);
    // Re-run: the same files, replaced; one copy of each row.
    run();
    let mut again = Vec::new();
    for table in ["zendesk_audit", "zoom_activity", "zoom_operation"] {
        again.extend(parts_of(&lake, table, "parquet"));
    }
    assert_eq!(
        again.iter().map(|p| &p.0).collect::<Vec<_>>(),
        listing.iter().map(|p| &p.0).collect::<Vec<_>>()
    );
    assert_eq!(util::lake::parquet_rows(&lake), want);

    // A target below a compressed row group of the default size (65,536 rows, about 2.5 MB
    // here): files of about the target, not of a fraction of it (the size of a file whose
    // only row group is unfinished was its bytes before compression).
    let small = tmp.path().join("small");
    let target: u64 = 1 << 20;
    ok(&[
        "normalize",
        "--format",
        "parquet",
        "--partition",
        "none",
        "--target-file-size",
        "1MiB",
        "-o",
        s(&small),
        s(&input),
    ]);
    parts_near_target(&small, target);
    assert_eq!(util::lake::parquet_rows(&small), want);
}

/// The Parquet part files of the three tables under `lake`, after checking that each table
/// has several and that every part but its last was closed once it reached `target`: at
/// least it, at most what the rows of a few writes add past it (writer threads report a
/// file's size a few writes late).
fn parts_near_target(lake: &Path, target: u64) -> Vec<(String, u64)> {
    let mut listing = Vec::new();
    for table in ["zendesk_audit", "zoom_activity", "zoom_operation"] {
        let parts = parts_of(lake, table, "parquet");
        assert!(parts.len() >= 2, "{table}: {parts:?}");
        for (f, size) in &parts[..parts.len() - 1] {
            assert!(
                *size >= target && *size <= target * 2,
                "{f}: {size} bytes for a target of {target}"
            );
        }
        listing.extend(parts);
    }
    listing
}

#[test]
fn target_file_size_applies_to_ndjson_directories() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let input = archive(tmp.path(), "a.jsonl", 6000, "2d", 7);
    let lake = tmp.path().join("lake");
    let target: u64 = 100_000;
    let o = ok(&[
        "normalize",
        "--partition",
        "day",
        "--target-file-size",
        "100KB",
        "-o",
        &format!("{}/", s(&lake)),
        s(&input),
    ]);
    assert!(o.stderr.is_empty());
    let mut lines = Vec::new();
    let mut rotated = 0;
    for table in ["zendesk_audit", "zoom_activity", "zoom_operation"] {
        let mut by_dir: std::collections::BTreeMap<String, Vec<(String, u64)>> =
            std::collections::BTreeMap::new();
        for (f, size) in parts_of(&lake, table, "ndjson") {
            let dir = Path::new(&f).parent().expect("dir").display().to_string();
            by_dir.entry(dir).or_default().push((f, size));
        }
        for parts in by_dir.values() {
            for (f, size) in &parts[..parts.len() - 1] {
                // Closed at the first write past the target: the lines of one chunk.
                assert!(*size >= target && *size < target * 2, "{f}: {size}");
                rotated += 1;
            }
            for (f, _) in parts {
                let text = std::fs::read_to_string(f).expect("read");
                lines.extend(text.lines().map(str::to_owned));
            }
        }
    }
    assert!(rotated > 3, "{rotated} files closed at the target");
    let ndjson = ok(&["normalize", s(&input)]);
    let want = util::lake::ndjson_rows(&String::from_utf8_lossy(&ndjson.stdout));
    assert_eq!(util::lake::ndjson_rows(&lines.join("\n")), want);
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
