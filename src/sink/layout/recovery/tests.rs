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
            let tmp = d.join(format!("t/h={i}/.part-00000000000000aa-0.parquet.tmp-{t}"));
            touch(&tmp);
            (
                tmp,
                d.join(format!("t/h={i}/part-00000000000000aa-0.parquet")),
            )
        })
        .collect();
    lock.write_journal(d, Some("00000000000000aa"), false, &[], &pairs, &[])
        .expect("journal");
    // The first file was renamed, then the run ended without finishing its commit.
    std::fs::rename(&pairs[0].0, &pairs[0].1).expect("rename");
    drop(lock);
    let got = recover(d).expect("recover");
    assert_eq!((got.runs, got.commits_completed), (1, 1));
    for (tmp, dest) in &pairs {
        assert!(dest.exists() && !tmp.exists(), "{}", dest.display());
    }
    let manifest =
        std::fs::read_to_string(d.join("_normalog/runs/00000000000000aa")).expect("manifest");
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

/// A journal that names anything a run does not write (a path out of the directory, an
/// absolute one, a file of another shape, a run id that is a path) is not replayed: the
/// recovery stops and names it, and nothing outside is renamed over or removed (review
/// s42-h2 F4: a journal planted in `_normalog/commits` made the next run overwrite a file
/// outside the lake and remove another).
#[test]
fn a_journal_naming_what_no_run_writes_is_not_replayed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    let victim = outside.join("config");
    let d = &tmp.path().join("lake");
    for (i, line) in [
        format!("{}\tt/part-0.ndjson", victim.display()),
        "t/.part-0.ndjson.tmp-{t}\t../outside/config".into(),
        "t/.part-0.ndjson.tmp-{t}\tt/config".into(),
        "t/.part-0.ndjson.tmp-{t}\tt/part-0.ndjson\nremove ../outside/part-1.ndjson\t1:2:3:4"
            .into(),
        "t/.part-0.ndjson.tmp-{t}\tt/part-0.ndjson\nsupersede ../../outside/x".into(),
        "t/.part-0.ndjson.tmp-other\tt/part-0.ndjson".into(),
    ]
    .into_iter()
    .enumerate()
    {
        std::fs::write(&victim, "original").expect("write");
        std::fs::write(outside.join("part-1.ndjson"), "theirs").expect("write");
        let lock = RunLock::acquire(d).expect("lock");
        let t = lock.token().to_owned();
        touch(&d.join(format!("t/.part-0.ndjson.tmp-{t}")));
        let journal = d.join(COMMITS_DIR).join(&t);
        std::fs::create_dir_all(d.join(COMMITS_DIR)).expect("mkdir");
        std::fs::write(&journal, format!("run -\n{}\n", line.replace("{t}", &t))).expect("journal");
        drop(lock);
        let err = recover(d).expect_err("refused").to_string();
        assert!(
            err.contains("which no run of normalog writes"),
            "{i}: {err}"
        );
        assert!(
            journal.exists(),
            "{i}: the journal is left for a person to look at"
        );
        assert_eq!(
            std::fs::read_to_string(&victim).expect("victim"),
            "original",
            "{i}"
        );
        assert!(outside.join("part-1.ndjson").exists(), "{i}");
        std::fs::remove_dir_all(d).expect("clean");
    }
    // A run id that is a path.
    let lock = RunLock::acquire(d).expect("lock");
    let journal = d.join(COMMITS_DIR).join(lock.token());
    std::fs::create_dir_all(d.join(COMMITS_DIR)).expect("mkdir");
    std::fs::write(&journal, "run ../../outside/config\n").expect("journal");
    drop(lock);
    assert!(recover(d).is_err());
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "original"
    );
}

/// A manifest that lists a path out of the directory: superseding its run removes
/// nothing there.
#[test]
fn a_manifest_listing_a_path_outside_removes_nothing_there() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = &tmp.path().join("lake");
    let run = "00000000000000ab";
    let outside = tmp
        .path()
        .join("outside")
        .join(format!("part-{run}-0.ndjson"));
    touch(&outside);
    let ours = d.join(format!("t/part-{run}-0.ndjson"));
    touch(&ours);
    let runs = d.join(super::super::paths::RUNS_DIR);
    std::fs::create_dir_all(&runs).expect("mkdir");
    std::fs::write(
        runs.join(run),
        format!(
            "t/part-{run}-0.ndjson\nt/../../outside/part-{run}-0.ndjson\n{}\n",
            outside.display()
        ),
    )
    .expect("manifest");
    super::super::manifest::remove_runs(d, &[run.to_owned()]).expect("remove");
    assert!(!ours.exists());
    assert!(outside.exists());
}

/// A commit completed with files missing (removed while its run went) keeps the runs it
/// superseded (their rows were in the missing files too) and marks its run incomplete
/// (review s42-h2 F2); a commit completed whole removes them.
#[test]
fn a_commit_completed_with_files_missing_keeps_what_it_supersedes() {
    for missing in [true, false] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let d = tmp.path();
        let (old, new) = ("00000000000000aa", "00000000000000bb");
        let old_file = d.join(format!("t/part-{old}-0.ndjson"));
        touch(&old_file);
        let runs = d.join(super::super::paths::RUNS_DIR);
        std::fs::create_dir_all(&runs).expect("mkdir");
        std::fs::write(runs.join(old), format!("t/part-{old}-0.ndjson\n")).expect("manifest");
        let lock = RunLock::acquire(d).expect("lock");
        let t = lock.token().to_owned();
        let pairs: Vec<(PathBuf, PathBuf)> = (0..2)
            .map(|i| {
                let tmp = d.join(format!("t/h={i}/.part-{new}-0.ndjson.tmp-{t}"));
                touch(&tmp);
                (tmp, d.join(format!("t/h={i}/part-{new}-0.ndjson")))
            })
            .collect();
        lock.write_journal(d, Some(new), false, &[old.to_owned()], &pairs, &[])
            .expect("journal");
        if missing {
            std::fs::remove_file(&pairs[1].0).expect("remove");
        }
        drop(lock);
        let got = recover(d).expect("recover");
        assert_eq!(got.commits_completed, 1);
        assert_eq!(got.files_missing, u64::from(missing));
        assert_eq!(old_file.exists(), missing, "the superseded run's file");
        let mark = d.join(super::super::paths::INCOMPLETE_DIR).join(new);
        assert_eq!(mark.exists(), missing);
        assert!(pairs[0].1.exists());
    }
}

/// `walk` follows a table or partition directory behind a symbolic link, once (a link
/// back up ends there); under it, only files and partition directories (not a volume's
/// `lost+found`); no other link (review s42-h5 MEDIUM-1: a link to `/usr` was walked whole).
#[test]
fn walk_follows_table_and_partition_links_only() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    touch(&d.join("lake/t/h=0/part-0.parquet"));
    touch(&d.join("moved/h=1/part-0.parquet"));
    touch(&d.join("volume/part-0.parquet"));
    touch(&d.join("volume/h=2/part-0.parquet"));
    touch(&d.join("volume/lost+found/x"));
    touch(&d.join("elsewhere/file"));
    let link = |to: &str, at: &str| {
        std::os::unix::fs::symlink(d.join(to), d.join(at)).expect("link");
    };
    link("moved/h=1", "lake/t/h=1");
    link("volume", "lake/u");
    link("lake", "lake/t/h=0/up");
    link("elsewhere", "lake/t/shared");
    let mut files = Vec::new();
    walk(&d.join("lake"), &mut files).expect("walk");
    files.sort();
    assert_eq!(
        files,
        [
            d.join("lake/t/h=0/part-0.parquet"),
            d.join("lake/t/h=1/part-0.parquet"),
            d.join("lake/u/h=2/part-0.parquet"),
            d.join("lake/u/part-0.parquet"),
        ]
    );
    // Compaction walks a linked table from itself.
    let mut files = Vec::new();
    walk_in(&d.join("lake/u"), &mut files, true).expect("walk");
    assert_eq!(files.len(), 2, "{files:?}");
}
