//! The run locks, journals and recovery of a directory output, on Linux (where `flock` is
//! tested).

use super::*;

fn touch(p: &Path) {
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, b"x").expect("write");
}

#[test]
fn a_live_runs_files_are_kept_a_dead_runs_removed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    let live = RunLock::acquire(d).expect("lock");
    let live_tmp = d.join(format!("t/.part-0.parquet.tmp-{}", live.token()));
    touch(&live_tmp);
    // A dead run: its lock file is there, unlocked.
    let dead = "1-abc";
    touch(&d.join(LOCKS_DIR).join(dead));
    let dead_tmp = d.join(format!("t/h=1/.part-3.parquet.tmp-{dead}"));
    touch(&dead_tmp);
    let committed = d.join("t/part-3.parquet");
    touch(&committed);
    let got = recover(d).expect("recover");
    assert_eq!(
        (got.runs, got.temporary_files, got.commits_completed),
        (1, 1, 0)
    );
    assert!(live_tmp.exists() && committed.exists() && !dead_tmp.exists());
    // The dead run's partition directory, left empty, went; its table's did not.
    assert!(!d.join("t/h=1").exists() && d.join("t").is_dir());
    assert!(!d.join(LOCKS_DIR).join(dead).exists());
    assert_eq!(recover(d).expect("again"), Recovered::default());
    let live_lock = d.join(LOCKS_DIR).join(live.token());
    assert!(live_lock.exists());
    drop(live);
    assert!(!live_lock.exists());
}

/// The spill directory goes with the dead run's spill files, and stays while a live
/// run's are in it.
#[test]
fn a_dead_runs_spill_directory_is_removed_a_live_ones_kept() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    let spill = d.join(super::super::SPILL_DIR);
    let dead = "1-abc";
    touch(&d.join(LOCKS_DIR).join(dead));
    touch(&spill.join(format!(".spill-0-0.parquet.tmp-{dead}")));
    assert_eq!(recover(d).expect("recover").temporary_files, 1);
    assert!(!spill.exists());

    let live = RunLock::acquire(d).expect("lock");
    let live_spill = spill.join(format!(".spill-0-0.parquet.tmp-{}", live.token()));
    touch(&live_spill);
    touch(&d.join(LOCKS_DIR).join(dead));
    touch(&spill.join(format!(".spill-0-0.parquet.tmp-{dead}")));
    assert_eq!(recover(d).expect("recover").temporary_files, 1);
    assert!(live_spill.exists());
}

#[test]
fn an_interrupted_commit_is_completed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    let lock = RunLock::acquire(d).expect("lock");
    let t = lock.token().to_owned();
    let pairs: Vec<(PathBuf, PathBuf)> = (0..3)
        .map(|i| {
            let tmp = d.join(format!("t/h={i}/.part-aa-0.parquet.tmp-{t}"));
            touch(&tmp);
            (tmp, d.join(format!("t/h={i}/part-aa-0.parquet")))
        })
        .collect();
    lock.write_journal(d, Some("aa"), false, &[], &pairs, &[])
        .expect("journal");
    // The first file was renamed, then the run ended without finishing its commit.
    std::fs::rename(&pairs[0].0, &pairs[0].1).expect("rename");
    drop(lock);
    let got = recover(d).expect("recover");
    assert_eq!((got.runs, got.commits_completed), (1, 1));
    for (tmp, dest) in &pairs {
        assert!(dest.exists() && !tmp.exists(), "{}", dest.display());
    }
    let manifest = std::fs::read_to_string(d.join("_normalog/runs/aa")).expect("manifest");
    assert_eq!(manifest.lines().count(), 3);
    assert!(!d.join(COMMITS_DIR).join(&t).exists());
}

/// The commit of a dead run without an identity (which adds files) completes without
/// replacing a file that took one of its names meanwhile, and without a second copy of
/// a file it had linked into place but not yet unlinked from its temporary name.
#[test]
fn an_interrupted_adding_commit_replaces_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    let lock = RunLock::acquire(d).expect("lock");
    let t = lock.token().to_owned();
    let pairs: Vec<(PathBuf, PathBuf)> = (0..2)
        .map(|i| {
            let tmp = d.join(format!("t/h={i}/.part-0.ndjson.tmp-{t}"));
            std::fs::create_dir_all(tmp.parent().expect("parent")).expect("mkdir");
            std::fs::write(&tmp, format!("ours {i}")).expect("write");
            (tmp, d.join(format!("t/h={i}/part-0.ndjson")))
        })
        .collect();
    lock.write_journal(d, None, false, &[], &pairs, &[])
        .expect("journal");
    // Another adding run committed its own part-0 into h=0; our run had linked its
    // file of h=1 into place and died before removing the temporary name.
    std::fs::write(&pairs[0].1, "theirs").expect("write");
    std::fs::hard_link(&pairs[1].0, &pairs[1].1).expect("link");
    drop(lock);
    let got = recover(d).expect("recover");
    assert_eq!((got.runs, got.commits_completed), (1, 1));
    let read = |p: &str| std::fs::read_to_string(d.join(p)).expect(p);
    assert_eq!(read("t/h=0/part-0.ndjson"), "theirs");
    assert_eq!(read("t/h=0/part-1.ndjson"), "ours 0");
    assert_eq!(read("t/h=1/part-0.ndjson"), "ours 1");
    for dir in ["t/h=0", "t/h=1"] {
        let names: Vec<_> = std::fs::read_dir(d.join(dir)).expect("read").collect();
        assert_eq!(names.len(), if dir == "t/h=0" { 2 } else { 1 }, "{dir}");
    }
}

/// A compaction's journal: each group's merged files, then the files they replace. The
/// completion removes a group's inputs only if every merged file of that group is in place,
/// and only an input that is still the file the journal names.
#[test]
fn a_compactions_inputs_go_only_with_all_their_merged_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    let lock = RunLock::acquire(d).expect("lock");
    let t = lock.token().to_owned();
    let mut pairs = Vec::new();
    let mut removes = Vec::new();
    let mut inputs = Vec::new();
    // Group a: two merged files; group b: one.
    for (group, merged) in [("a", 2), ("b", 1)] {
        let group_inputs: Vec<PathBuf> = (0..3)
            .map(|i| d.join(format!("t/{group}/part-{i}.parquet")))
            .collect();
        for f in &group_inputs {
            touch(f);
        }
        for k in 0..merged {
            let tmp = d.join(format!("t/{group}/.compact-{k}.parquet.tmp-{t}"));
            touch(&tmp);
            pairs.push((tmp, d.join(format!("t/{group}/part-{}.parquet", 3 + k))));
            removes.push(if k + 1 == merged {
                group_inputs
                    .iter()
                    .map(|f| (f.clone(), FileId::at(f).expect("input")))
                    .collect()
            } else {
                Vec::new()
            });
        }
        inputs.push(group_inputs);
    }
    lock.write_journal(d, None, false, &[], &pairs, &removes)
        .expect("journal");
    // Group a's first merged file is gone (removed by hand); one of group b's inputs was
    // replaced by another file of its name.
    std::fs::remove_file(&pairs[0].0).expect("remove");
    std::fs::remove_file(&inputs[1][0]).expect("remove");
    std::fs::write(d.join("t/keep"), b"holds an inode").expect("write");
    std::fs::write(&inputs[1][0], b"another run's file").expect("write");
    drop(lock);
    let got = recover(d).expect("recover");
    assert_eq!(got.commits_completed, 1);
    assert!(
        inputs[0].iter().all(|f| f.exists()),
        "group a's inputs kept"
    );
    assert!(
        inputs[1][0].exists(),
        "the file that took an input's name is kept"
    );
    assert!(!inputs[1][1].exists() && !inputs[1][2].exists());
    assert!(pairs[1].1.exists() && pairs[2].1.exists());
}

/// The hidden lock of a journal's run is created if missing, to be locked: a symbolic link
/// at its name is not followed (which would create the file it names), and the journal is
/// then not taken for a dead run's.
#[test]
fn a_link_at_a_hidden_lock_is_not_followed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    std::fs::create_dir_all(d.join(LOCKS_DIR)).expect("mkdir");
    let target = d.join("created-through-the-link");
    std::os::unix::fs::symlink(&target, hidden_lock(d, "1-abc")).expect("symlink");
    assert!(lock_anyway(d, "1-abc").is_none());
    assert!(!target.exists(), "created through the link");
}

/// An output directory that cannot be made is named as the output directory (review
/// finding: the error named `DIR/_normalog/locks`, a path of normalog's own, at the commit
/// of a `ParquetWriter`).
#[test]
fn an_output_directory_that_cannot_be_made_is_named() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("a-file");
    touch(&file);
    let dir = file.join("lake");
    let Err(e) = RunLock::acquire(&dir) else {
        panic!("a lock under a file");
    };
    let message = e.to_string();
    assert!(
        message.starts_with(&format!(
            "{}: cannot create the output directory: ",
            dir.display()
        )),
        "{message}"
    );
    assert!(!message.contains("_normalog"), "{message}");
}
