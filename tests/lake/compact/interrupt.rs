//! `normalog compact` stopped or killed at each step, and beside other runs: the lake
//! readable throughout, and whole after the next run.

use std::process::Command;

use super::*;
use crate::util::pause::Paused;

/// `compact` of `lake`, paused at `point`.
fn paused_at(lake: &Path, point: &str) -> Paused {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_normalog"));
    cmd.args(["compact", s(lake)]);
    Paused::spawn(cmd, point, lake.with_extension(format!("pause-{point}")))
}

#[test]
fn a_stop_before_the_commit_leaves_the_lake_as_it_was() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let lake = three_runs(tmp.path());
    let before = files_by_partition(&lake);
    let rows = exact_rows(&lake);
    let run = paused_at(&lake, "merge");
    let pid = run.child.id().to_string();
    ok_kill(&["-INT", &pid]);
    let o = run.resume();
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert!(stderr(&o).contains("interrupted"), "{}", stderr(&o));
    assert_eq!(files_by_partition(&lake), before);
    assert_eq!(exact_rows(&lake), rows);
    assert!(debris(&lake).is_empty(), "{:?}", debris(&lake));
}

fn ok_kill(args: &[&str]) {
    let st = Command::new("kill").args(args).status().expect("kill");
    assert!(st.success());
}

/// Killed at each step: the rows are all readable at once (some twice after the merged
/// files are in place), and the next run into the lake leaves each of them once, one file
/// per partition, nothing hidden.
#[test]
fn a_kill_at_any_step_is_made_whole_by_the_next_run() {
    for point in ["merge", "compact", "rename"] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let lake = three_runs(tmp.path());
        let rows = exact_rows(&lake);
        let run = paused_at(&lake, point);
        ok_kill(&["-KILL", &run.child.id().to_string()]);
        let o = run.resume();
        assert_eq!(o.status.code(), None, "{point}: killed");
        assert!(!debris(&lake).is_empty(), "{point}: the kill left its lock");
        let seen = exact_rows(&lake);
        if point == "rename" {
            assert!(seen.len() > rows.len(), "{point}: merged files in place");
        } else {
            assert_eq!(seen, rows, "{point}");
        }

        let o = compact(&lake, &[]);
        assert_eq!(o.status.code(), Some(0), "{point}: {}", stderr(&o));
        let said = stderr(&o);
        if point == "merge" {
            assert!(said.contains("left by an interrupted run"), "{said}");
        } else {
            assert!(said.contains("completed 1 commit"), "{point}: {said}");
        }
        assert_eq!(exact_rows(&lake), rows, "{point}");
        assert!(
            files_by_partition(&lake).values().all(|f| f.len() == 1),
            "{point}"
        );
        assert!(debris(&lake).is_empty(), "{point}: {:?}", debris(&lake));
    }
}

/// A merged file removed by hand after a kill (it looks like debris): the next run keeps
/// the files it held, so no row is lost (review finding: they were removed too).
#[test]
fn a_merged_file_gone_keeps_the_files_it_held() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let lake = three_runs(tmp.path());
    let rows = exact_rows(&lake);
    let run = paused_at(&lake, "compact");
    ok_kill(&["-KILL", &run.child.id().to_string()]);
    let _ = run.resume();
    let merged: Vec<PathBuf> = crate::util::files_under(&lake)
        .into_iter()
        .filter(|f| {
            f.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".compact-"))
        })
        .collect();
    assert!(merged.len() > 1, "{merged:?}");
    std::fs::remove_file(&merged[0]).expect("remove");
    let o = compact(&lake, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(exact_rows(&lake), rows);
    assert!(debris(&lake).is_empty(), "{:?}", debris(&lake));
}

/// Merging holds no lock: a run from standard input commits (and could be stopped) while a
/// compaction merges; then the compaction commits, and each row is there once (review
/// finding: other runs waited for the whole merge, deaf to Ctrl-C).
#[test]
fn other_runs_commit_while_a_compaction_merges() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let lake = three_runs(tmp.path());
    let run = paused_at(&lake, "merge");
    let more = archive(tmp.path(), "more.jsonl", 200, "1d", 9);
    let mut normalize = Command::new(env!("CARGO_BIN_EXE_normalog"))
        .args(["normalize", "--format", "parquet", "-q", "-o", s(&lake)])
        .stdin(File::open(&more).expect("open"))
        .spawn()
        .expect("run");
    // The compaction waits at its pause for a minute: a run that waited for it would
    // still be going long after it should have ended.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        if let Some(status) = normalize.try_wait().expect("wait") {
            break status;
        }
        if std::time::Instant::now() > until {
            let _ = normalize.kill();
            panic!("the run waited for the paused compaction");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(status.success());
    let rows = exact_rows(&lake);
    let o = run.resume();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(exact_rows(&lake), rows);
    assert!(debris(&lake).is_empty(), "{:?}", debris(&lake));
}

/// A stop after a table's commit has started: that commit completes, the run stops there
/// with 130, and says what was committed.
#[test]
fn a_stop_during_a_commit_completes_it_and_says_so() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let lake = three_runs(tmp.path());
    let rows = exact_rows(&lake);
    let run = paused_at(&lake, "compact");
    ok_kill(&["-INT", &run.child.id().to_string()]);
    let o = run.resume();
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    let said = stderr(&o);
    assert!(said.contains("zendesk_audit: merged"), "{said}");
    assert!(
        said.contains("the merges listed above were committed"),
        "{said}"
    );
    assert_eq!(exact_rows(&lake), rows);
    let after = files_by_partition(&lake);
    assert!(after
        .iter()
        .filter(|(p, _)| p.starts_with("zendesk_audit"))
        .all(|(_, f)| f.len() == 1));
    assert!(after
        .iter()
        .any(|(p, f)| p.starts_with("zoom_operation") && f.len() > 1));
    assert!(debris(&lake).is_empty(), "{:?}", debris(&lake));
}

/// Runs from standard input take the lowest free part numbers: while one compaction
/// merged `part-0` and `part-1`, another merged them first, and new runs wrote new
/// `part-0` and `part-1`. The first must not commit its copy, nor remove the new files
/// (review finding: their rows were lost, and the old ones doubled).
#[test]
fn files_that_took_a_listed_name_are_not_merged_nor_removed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let lake = t.join("lake");
    let input = |seed: u64| archive(t, &format!("{seed}.jsonl"), 200, "1d", seed);
    for seed in [1, 2] {
        from_stdin(&lake, &input(seed), &["--partition", "none"]);
    }
    let first = paused_at(&lake, "merge");
    let o = compact(&lake, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for seed in [3, 4] {
        from_stdin(&lake, &input(seed), &["--partition", "none"]);
    }
    let names: BTreeSet<String> = files_by_partition(&lake).into_values().flatten().collect();
    assert!(names.contains("part-0.parquet"), "{names:?}");
    let rows = exact_rows(&lake);
    let o = first.resume();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(exact_rows(&lake), rows);
    assert!(debris(&lake).is_empty(), "{:?}", debris(&lake));
}

/// The rows of a merged file, and of a run that committed while it was being merged, keep
/// the order they were written in at the next compaction (review finding: the merged file
/// took the time of the merge, and the newer run's rows came first).
#[test]
fn rows_keep_the_order_they_were_written_in() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let lake = t.join("lake");
    let input = |seed: u64| archive(t, &format!("{seed}.jsonl"), 300, "1d", seed);
    for seed in [1, 2] {
        from_stdin(&lake, &input(seed), &[]);
    }
    // Paused after the first of a table's many partitions: the others are merged after the
    // third run committed.
    let run = paused_at(&lake, "merge");
    from_stdin(&lake, &input(3), &[]);
    assert_eq!(run.resume().status.code(), Some(0));
    let o = compact(&lake, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut three_runs = 0;
    for f in parquet_files(&lake) {
        let batches: Vec<_> =
            ParquetRecordBatchReaderBuilder::try_new(File::open(&f).expect("open"))
                .expect("parquet")
                .build()
                .expect("reader")
                .collect::<Result<_, _>>()
                .expect("batches");
        let times: Vec<i64> = batches
            .iter()
            .flat_map(|b| {
                use arrow_array::cast::AsArray;
                b.column_by_name("p_parse_time")
                    .expect("p_parse_time")
                    .as_primitive::<arrow_array::types::TimestampMicrosecondType>()
                    .values()
                    .to_vec()
            })
            .collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{f:?}");
        let mut runs = times.clone();
        runs.dedup();
        three_runs += usize::from(runs.len() == 3);
    }
    assert!(
        three_runs > 10,
        "{three_runs} files of rows of the three runs"
    );
}
