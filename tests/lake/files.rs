//! The files of a run: one per partition for input in any order (spilled and merged beyond
//! the memory bound), `--target-file-size`, and `--stats` on files.

use std::path::Path;

use crate::util::files_under;
use crate::{
    archive, archive_from, hidden_files, lake_rows, ok, parquet_into, partitions, parts_of, s, util,
};

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
    let hidden = hidden_files(&lake);
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

/// The extra-parts warning names the cause by the format (review finding: it said "the
/// input was in time order, then went back" of input in time order whose three tables
/// outnumbered --max-open-files, and of shuffled input into NDJSON).
#[test]
fn the_extra_parts_warning_names_the_cause() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // In time order, three tables of about 10,000 rows each: their files are open at once.
    let input = archive(tmp.path(), "a.jsonl", 30_000, "2d", 3);
    let stderr = |format: &str, partition: &str, open: &str, input: &Path| {
        // A path ending in '/': a directory output whatever the format.
        let lake = format!(
            "{}/",
            s(&tmp.path().join(format!("{format}-{partition}-{open}")))
        );
        let o = ok(&[
            "normalize",
            "--stats",
            "--format",
            format,
            "--partition",
            partition,
            "--max-open-files",
            open,
            "-o",
            &lake,
            s(input),
        ]);
        String::from_utf8(o.stderr).expect("utf-8")
    };
    let err = stderr("parquet", "none", "1", &input);
    assert!(
        err.contains("extra parts of a partition: its file was closed"),
        "{err}"
    );
    assert!(
        err.contains("raise --max-open-files (at least the number of tables)"),
        "{err}"
    );
    assert!(!err.contains("went back"), "{err}");
    assert!(!stderr("parquet", "none", "3", &input).contains("extra parts"));

    let err = stderr("ndjson", "day", "2", &shuffled_copy(&input));
    assert!(
        err.contains("extra parts of a partition: NDJSON is written as it comes"),
        "{err}"
    );
    assert!(err.contains("or write Parquet"), "{err}");
}

/// A run out of file descriptors ("Too many open files") says what to do: a lower
/// --max-open-files, or a higher open-files limit, with both values (review finding: the
/// OS error alone). Under the same limit, a lower --max-open-files runs.
#[test]
fn too_many_open_files_names_the_flag_and_the_limit() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // Shuffled, hourly NDJSON: a file open per hour of 30 days, far more than 40.
    let input = shuffled_copy(&archive(tmp.path(), "a.jsonl", 5000, "30d", 1));
    let with_limit = |max_open_files: &str, lake: &str| {
        std::process::Command::new("sh")
            .args(["-c", "ulimit -n 40 && exec \"$0\" \"$@\""])
            .arg(env!("CARGO_BIN_EXE_normalog"))
            .args(["normalize", "-q", "--max-open-files", max_open_files])
            .args(["-o", &format!("{}/", s(&tmp.path().join(lake))), s(&input)])
            .output()
            .expect("run normalog")
    };
    let o = with_limit("1000", "many");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "Too many open files (os error 24); each partition being written holds a file \
             open, up to --max-open-files (1000 in this run): give a lower --max-open-files, \
             or raise the open-files limit, 40 now (ulimit -n)\n"
        ),
        "{err}"
    );
    let o = with_limit("16", "fewer");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
