//! `kill -9` at each point of a run, and runs that go or commit at the same time: the next
//! run removes what a killed one left, or completes the commit it had started; the files
//! of a run still going, and other runs' commits, are never touched.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::files_under;
use crate::util::lake::{debris, empty_dirs, parquet_files, parquet_rows};
use crate::util::pause::Paused;
use crate::{assert_kept, committed, lake_with_b, normalize, ok, setup, BIN, POINTS};

#[test]
fn after_kill_9_the_next_run_cleans_up() {
    let t = setup();
    for point in POINTS {
        let context = format!("kill -9 at {point}");
        let (lake, before) = lake_with_b(&t, &format!("lake-{point}"));
        let out = Paused::start(&lake, &t.a, point).signal("KILL");
        assert_eq!(out.status.code(), None, "{context}: killed by the signal");
        // No file under a final name is new, except those a started commit renamed; every
        // final file reads whole.
        let hidden: Vec<PathBuf> = debris(&lake)
            .into_iter()
            .filter(|f| !f.starts_with(lake.join("_normalog")))
            .collect();
        let new: Vec<PathBuf> = committed(&lake)
            .into_keys()
            .filter(|f| !before.contains_key(f))
            .collect();
        if point == "rename" {
            assert_eq!(new.len(), 1, "{context}: the first file renamed");
            assert!(!hidden.is_empty(), "{context}");
        } else {
            assert_eq!(new, Vec::<PathBuf>::new(), "{context}");
        }
        // At `commit` the small partitions' rows may all still be held in memory (the
        // Parquet writer writes a partition of few rows whole, at the commit): then there is
        // nothing on disk to leave behind.
        if point == "write" {
            assert!(!hidden.is_empty(), "{context}: temporary files left");
        }
        parquet_rows(&lake);
        assert_kept(&lake, &before, &context);

        // The next run (the same input) removes the temporary files and says how many, or
        // completes the commit the killed run had started.
        let out = ok(&mut normalize(&lake, &t.a));
        let stderr = String::from_utf8_lossy(&out.stderr);
        if point == "rename" {
            assert!(
                stderr.contains("completed 1 commit that an interrupted run had started"),
                "{context}: {stderr}"
            );
        } else if hidden.is_empty() {
            assert_eq!(stderr, "", "{context}");
        } else {
            let n = hidden.len();
            let s = if n == 1 { "" } else { "s" };
            assert!(
                stderr.contains(&format!(
                    "removed {n} temporary file{s} left by an interrupted run"
                )),
                "{context}: {stderr}"
            );
        }
        assert_eq!(
            stderr.lines().count(),
            usize::from(!hidden.is_empty() || point == "rename")
        );
        assert_eq!(debris(&lake), Vec::<PathBuf>::new(), "{context}");
        assert_eq!(empty_dirs(&lake), Vec::<PathBuf>::new(), "{context}");
        assert_eq!(parquet_rows(&lake), t.all_rows, "{context}");
        assert_kept(&lake, &before, &context);
    }
}

#[test]
fn a_commit_cut_by_kill_9_is_completed_by_a_run_of_other_inputs() {
    let t = setup();
    let lake = t.dir.join("lake");
    let out = Paused::start(&lake, &t.a, "rename").signal("KILL");
    assert_eq!(out.status.code(), None);
    // `b` is another run (another id): it completes `a`'s commit before its own.
    let out = ok(&mut normalize(&lake, &t.b));
    assert!(String::from_utf8_lossy(&out.stderr).contains("completed 1 commit"));
    assert_eq!(parquet_rows(&lake), t.all_rows);
    assert_eq!(debris(&lake), Vec::<PathBuf>::new());
    // And `a` again replaces its files: one copy of each row.
    ok(&mut normalize(&lake, &t.a));
    assert_eq!(parquet_rows(&lake), t.all_rows);
}

#[test]
fn a_running_runs_files_are_never_removed() {
    let t = setup();
    let lake = t.dir.join("lake");
    let running = Paused::start(&lake, &t.a, "write");
    let theirs = debris(&lake);
    assert!(
        theirs
            .iter()
            .any(|f| !f.starts_with(lake.join("_normalog"))),
        "temporary files of the running run: {theirs:?}"
    );
    // Another run into the same directory, to its end, while the first is going.
    let out = ok(&mut normalize(&lake, &t.b));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    for f in &theirs {
        assert!(f.exists(), "{} was removed", f.display());
    }
    let out = running.resume();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(parquet_rows(&lake), t.all_rows);
    assert_eq!(debris(&lake), Vec::<PathBuf>::new());
    assert!(files_under(&lake).iter().all(|f| f.exists()));
}

/// Two runs of different layouts started together into a new lake each find no committed
/// file of the other when they start (the other's are still temporary). Commits go one at
/// a time and check the tables again: the second to commit is refused, removes its files
/// and exits non-zero, so the table keeps one layout that engines can read.
#[test]
fn of_two_runs_of_different_layouts_started_together_the_second_to_commit_is_refused() {
    let t = setup();
    let lake = t.dir.join("lake");
    let hour = Paused::start(&lake, &t.a, "commit");
    let day = ok(normalize(&lake, &t.b).args(["--partition", "day"]));
    assert_eq!(String::from_utf8_lossy(&day.stderr), "");
    let out = hour.resume();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the hour run was not refused");
    assert!(
        stderr.contains("holds files of another run partitioned by day")
            && stderr.contains("this run partitions by hour"),
        "{stderr}"
    );
    assert_eq!(parquet_rows(&lake), t.b_rows);
    assert!(parquet_files(&lake).iter().all(|f| {
        let rel = f.strip_prefix(&lake).expect("under the lake");
        rel.components().count() == 5 && !rel.to_string_lossy().contains("hour=")
    }));
    assert_eq!(debris(&lake), Vec::<PathBuf>::new());
    assert_eq!(empty_dirs(&lake), Vec::<PathBuf>::new());
}

/// A run killed in the middle of its commit after a run of another layout started (whose
/// start found it alive): that run completes the dead one's commit under the commit lock
/// before its own, so its check sees the dead run's files and refuses. It used to commit,
/// and the next run completed the dead commit: a table of two layouts, which DuckDB cannot
/// read and every later run refused (review finding).
#[test]
fn a_commit_cut_by_kill_9_after_another_layout_started_is_completed_first_and_refuses_it() {
    let t = setup();
    let lake = t.dir.join("lake");
    // The day run first (a run starting while another commits waits for that commit).
    let day = Paused::start_with(&lake, &t.b, "commit", &["--partition", "day"]);
    let hour = Paused::start(&lake, &t.a, "rename");
    assert_eq!(hour.signal("KILL").status.code(), None);
    let out = day.resume();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the day run was not refused");
    assert!(
        stderr.contains("holds files of another run partitioned by hour"),
        "{stderr}"
    );
    let a_rows = t.all_rows.len() - t.b_rows.len();
    assert_eq!(parquet_rows(&lake).len(), a_rows);
    let depths = |lake: &Path| -> Vec<usize> {
        let mut d: Vec<usize> = parquet_files(lake)
            .iter()
            .map(|f| f.strip_prefix(lake).expect("under").components().count())
            .collect();
        d.dedup();
        d
    };
    assert_eq!(depths(&lake), [6], "hour files only");
    // The next run cleans up what the killed run left (its lock).
    ok(&mut normalize(&lake, &t.a));
    assert_eq!(parquet_rows(&lake).len(), a_rows);
    assert_eq!(debris(&lake), Vec::<PathBuf>::new());
}

/// A rename that fails in the middle of a commit (here: a directory where a file goes)
/// leaves the commit to be completed, never half undone: the journal and the files not
/// yet renamed stay, and the next run into the directory completes it once the cause is
/// gone. A re-run in another layout that failed so used to leave some files of each
/// layout, and every later run was refused (review finding).
#[test]
fn a_commit_whose_rename_fails_is_completed_by_the_next_run() {
    let t = setup();
    let lake = t.dir.join("lake");
    ok(&mut normalize(&lake, &t.a));
    // Where the day re-run of `a` puts its files: the same names in a lake of their own.
    let probe = t.dir.join("probe");
    ok(normalize(&probe, &t.a).args(["--partition", "day"]));
    let mut names = parquet_files(&probe);
    names.sort();
    let last = names
        .last()
        .expect("files")
        .strip_prefix(&probe)
        .expect("under");
    let blocker = lake.join(last);
    std::fs::create_dir_all(blocker.join("in-the-way")).expect("mkdir");
    let out = normalize(&lake, &t.a)
        .args(["--partition", "day", "--threads", "1"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the next run into"), "{stderr}");
    std::fs::remove_dir_all(&blocker).expect("remove the blocker");
    let out = ok(normalize(&lake, &t.b).args(["--partition", "day"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("completed 1 commit"), "{stderr}");
    assert_eq!(parquet_rows(&lake), t.all_rows);
    assert!(parquet_files(&lake)
        .iter()
        .all(|f| !f.to_string_lossy().contains("hour=")));
    assert_eq!(debris(&lake), Vec::<PathBuf>::new());
    assert_eq!(empty_dirs(&lake), Vec::<PathBuf>::new());
}

/// A run that waits for another run's commit into the same directory (the commit lock,
/// an `flock` on `DIR/_normalog`, here held by the test) stops on SIGINT, before it has
/// committed anything (the wait did not see the signal: Ctrl-C did nothing until the other
/// commit ended, and then the run committed).
#[cfg(target_os = "linux")]
#[test]
fn a_run_waiting_for_another_commit_stops_on_sigint() {
    let t = setup();
    let (lake, before) = lake_with_b(&t, "lake");
    let mut paused = Paused::start(&lake, &t.a, "commit");
    let held = std::fs::File::open(lake.join("_normalog")).expect("open _normalog");
    rustix::fs::flock(&held, rustix::fs::FlockOperation::LockExclusive).expect("flock");
    std::fs::remove_file(&paused.marker).expect("resume");
    // Let it reach the lock and wait there.
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        paused.child.try_wait().expect("wait").is_none(),
        "the run did not wait for the lock"
    );
    paused.send("INT");
    let (tx, rx) = std::sync::mpsc::channel();
    let child = paused.child;
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the run did not stop while it waited")
        .expect("wait");
    drop(held);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("no output committed"), "{stderr}");
    assert_eq!(parquet_rows(&lake), t.b_rows);
    assert_eq!(debris(&lake), Vec::<PathBuf>::new());
    assert_kept(&lake, &before, "after the stop");
}

/// Input not in time order, over the memory bound, is spilled to hidden files (see
/// `sink::parquet::spill`): an interrupt removes them, `kill -9` leaves them for the next
/// run to remove, and the clean re-run has every row once. No run leaves the spill
/// directory behind, empty (it used to stay, interrupted or not).
#[test]
fn spill_files_go_with_an_interrupt_and_after_kill_9() {
    let t = setup();
    // `a`'s lines in a scrambled order (a fixed permutation: every 7th line, round robin).
    let text = std::fs::read_to_string(&t.a).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    let mut scrambled = String::new();
    for start in 0..7 {
        for line in lines.iter().skip(start).step_by(7) {
            scrambled.push_str(line);
            scrambled.push('\n');
        }
    }
    let input = t.dir.join("scrambled.jsonl");
    std::fs::write(&input, scrambled).expect("write");
    let flags = ["--max-buffered-mib", "1"];
    for (signal, status) in [("INT", Some(130)), ("KILL", None)] {
        let context = format!("SIG{signal} at spill");
        let (lake, before) = lake_with_b(&t, &format!("lake-spill-{signal}"));
        let paused = Paused::start_with(&lake, &input, "spill", &flags);
        let spilled: Vec<PathBuf> = files_under(&lake.join("_normalog/spill"));
        assert!(!spilled.is_empty(), "{context}: a spill file is written");
        let out = paused.signal(signal);
        assert_eq!(out.status.code(), status, "{context}");
        let left = debris(&lake);
        let spill_dir = lake.join("_normalog/spill");
        if signal == "INT" {
            assert_eq!(left, Vec::<PathBuf>::new(), "{context}");
            assert_eq!(empty_dirs(&lake), Vec::<PathBuf>::new(), "{context}");
            assert!(
                !spill_dir.exists(),
                "{context}: the spill directory is removed"
            );
        } else {
            assert!(
                spilled.iter().all(|f| left.contains(f)),
                "{context}: {left:?}"
            );
        }
        assert_kept(&lake, &before, &context);
        let out = ok(normalize(&lake, &input).args(flags));
        let stderr = String::from_utf8_lossy(&out.stderr);
        if signal == "KILL" {
            let temporary = left
                .iter()
                .filter(|f| {
                    f.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                })
                .count();
            assert!(
                stderr.contains(&format!("removed {temporary} temporary file")),
                "{context}: {stderr}"
            );
        }
        assert_eq!(debris(&lake), Vec::<PathBuf>::new(), "{context}");
        assert_eq!(empty_dirs(&lake), Vec::<PathBuf>::new(), "{context}");
        // The re-run spills too (the same input and bound), and removes the directory.
        assert!(
            !spill_dir.exists(),
            "{context}: the spill directory is removed"
        );
        assert_eq!(parquet_rows(&lake), t.all_rows, "{context}");
        assert_kept(&lake, &before, &context);
    }
}

/// `-o FILE` (and `--rejects FILE`): a run killed while writing leaves its hidden temporary
/// file, the size of what it had written; the next run to the same file removes it and
/// says so (walkthrough finding: they stayed for ever, one per killed cron run). The
/// temporary file of a run still going is left alone.
#[test]
fn after_kill_9_the_next_run_to_the_same_file_removes_its_temporary_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("events.ndjson");
    let record = "{\"email\":\"a@example.com\",\"time\":\"2023-07-01T14:00:00Z\"}\n";
    let writer = |out: &Path| {
        let mut child = Command::new(BIN)
            .args(["normalize", "-o"])
            .arg(out)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut stdin = child.stdin.take().expect("stdin");
        std::io::Write::write_all(&mut stdin, record.as_bytes()).expect("write");
        let tmp_file = out.with_file_name(format!(".events.ndjson.tmp-{}", child.id()));
        let started = Instant::now();
        while !tmp_file.exists() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no temporary file"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        (child, stdin, tmp_file)
    };

    let (mut killed, stdin, left) = writer(&out);
    killed.kill().expect("kill -9");
    killed.wait().expect("wait");
    drop(stdin);
    assert!(left.exists(), "kill -9 leaves the temporary file");
    // A file written in the last seconds is left alone (its writer may not have locked it
    // yet); this one is, as a cron job's next run would find it, older.
    let next_run_err = next_run_of(&out);
    assert!(
        left.exists(),
        "a fresh temporary file was removed: {next_run_err}"
    );
    let old = std::time::SystemTime::now() - Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(&left)
        .and_then(|f| f.set_modified(old))
        .expect("set the file's time");

    let next_run = || next_run_of(&out);
    let err = next_run();
    assert!(!left.exists(), "{err}");
    assert!(
        err.contains(&format!(
            "removed {}: left by an interrupted run (the temporary file of {})",
            left.display(),
            out.display()
        )),
        "{err}"
    );

    // A run still writing to the same file keeps its temporary file.
    let (mut running, running_stdin, running_tmp) = writer(&out);
    let err = next_run();
    assert!(
        running_tmp.exists(),
        "a running run's file was removed: {err}"
    );
    assert!(!err.contains("removed"), "{err}");
    drop(running_stdin);
    let status = running.wait().expect("wait");
    assert!(status.success());
    assert!(!running_tmp.exists());
    assert_eq!(
        std::fs::read_to_string(&out).expect("read").lines().count(),
        1
    );
}

/// A run of `normalize -o out` with nothing to read; its stderr.
fn next_run_of(out: &Path) -> String {
    let o = Command::new(BIN)
        .args(["normalize", "-o"])
        .arg(out)
        .stdin(Stdio::piped())
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{err}");
    err
}
