//! A commit that fails part of the way: what it leaves, what it says, and the run that
//! completes it.

use std::path::Path;

use crate::supersede::listed;
use crate::{archive, hidden_files, lake_rows, s};

/// A commit that cannot remove one file of an earlier commit (here a directory in its
/// place, which even root cannot remove as a file; a read-only partition for a user) goes
/// on with the others, and says which file and why: the rows of that one partition are
/// there twice until the commit is completed, not those of the whole lake (review s40-h3
/// F2: the removal stopped at the first such file, and hundreds of hour files stayed
/// beside the new day files). Once the file can go, the next run completes the commit.
#[test]
fn an_earlier_file_that_cannot_be_removed_does_not_stop_the_others() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = archive(tmp.path(), "a.jsonl", 400, "3d", 1);
    let lake = tmp.path().join("lake");
    crate::parquet_into(&lake, "hour", &[&a]);
    let (rows, written) = lake_rows(&lake);
    assert!(written > 20, "{written}");
    // The first file the manifest lists: the one the removal used to stop at.
    let [run] = &listed(&lake, "runs")[..] else {
        panic!("one run")
    };
    let victim = unremovable_first_file(&lake, run);
    let o = crate::parquet_run(&lake, "day", &[&a]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("{}: ", victim.display()))
            && err.contains("an earlier run's file could not be removed")
            && err.contains("the next run into"),
        "{err}"
    );
    assert_eq!(hour_files(&lake), 0, "every other hour file is gone");
    assert_eq!(
        lake_rows(&lake).0,
        rows,
        "the day files hold every row once"
    );

    std::fs::remove_dir_all(&victim).expect("remove");
    crate::parquet_into(&lake, "day", &[&a]);
    assert_eq!(lake_rows(&lake).0, rows);
    assert!(hidden_files(&lake).is_empty(), "{:?}", hidden_files(&lake));
    assert_eq!(listed(&lake, "runs").len(), 1);
}

/// The same when the commit supersedes several earlier runs: a run with a file that cannot
/// be removed keeps that file (and its manifest), and the others go (review s40-h7 F1: the
/// removal stopped at the first such run, and every later run kept all its files).
#[test]
fn an_unremovable_file_of_one_superseded_run_does_not_keep_the_others() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = archive(tmp.path(), "a.jsonl", 300, "3d", 1);
    let b = archive(tmp.path(), "b.jsonl", 300, "3d", 2);
    let lake = tmp.path().join("lake");
    crate::parquet_into(&lake, "hour", &[&a]);
    crate::parquet_into(&lake, "hour", &[&b]);
    let (rows, _) = lake_rows(&lake);
    // The first file each run lists, made unremovable.
    let mut victims = Vec::new();
    for run in listed(&lake, "runs") {
        victims.push(unremovable_first_file(&lake, &run));
    }
    assert_eq!(victims.len(), 2);
    let o = crate::parquet_run(&lake, "day", &[&a, &b]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("an earlier run's file could not be removed"),
        "{err}"
    );
    assert_eq!(
        hour_files(&lake),
        0,
        "every other hour file of both runs is gone"
    );
    assert_eq!(
        lake_rows(&lake).0,
        rows,
        "the day files hold every row once"
    );

    for victim in &victims {
        std::fs::remove_dir_all(victim).expect("remove");
    }
    crate::parquet_into(&lake, "day", &[&a, &b]);
    assert_eq!(lake_rows(&lake).0, rows);
    assert_eq!(listed(&lake, "runs").len(), 1);
}

/// The hour-partitioned Parquet files under `lake`.
fn hour_files(lake: &Path) -> usize {
    crate::util::files_under(lake)
        .iter()
        .filter(|f| {
            f.to_string_lossy().contains("/hour=") && f.extension().is_some_and(|e| e == "parquet")
        })
        .count()
}

/// The first file run `run` lists in its manifest, replaced by a directory of that name
/// (which `remove_file` refuses, even to root); its path.
fn unremovable_first_file(lake: &Path, run: &str) -> std::path::PathBuf {
    let manifest = std::fs::read_to_string(lake.join("_normalog/runs").join(run)).expect("read");
    let victim = lake.join(manifest.lines().next().expect("a file"));
    std::fs::remove_file(&victim).expect("remove");
    std::fs::create_dir(&victim).expect("a directory in its place");
    std::fs::write(victim.join("keep"), "").expect("write");
    victim
}

/// A file where the lake's control directory goes is named as such, not as a clean-up
/// after an interrupted run that failed (review s42-h2 F7).
#[test]
fn a_file_in_the_way_of_the_control_directory_is_named() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = archive(tmp.path(), "a.jsonl", 10, "1d", 1);
    let lake = tmp.path().join("lake");
    std::fs::create_dir(&lake).expect("mkdir");
    std::fs::write(lake.join("_normalog"), "x").expect("write");
    let out = crate::normalog(&["normalize", "--format", "parquet", "-o", s(&lake), s(&a)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("_normalog: not a directory: normalog keeps the locks"),
        "{err}"
    );
    assert!(!err.contains("interrupted"), "{err}");
}
