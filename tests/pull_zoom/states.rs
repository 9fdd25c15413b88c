//! State files that share a lake: a copy of a state file, a state file reached through a
//! symbolic link, and an older version of a state file put back in its place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::*;

/// `pull zoom` into the lake of `run` with the state file `state` and `extra` flags.
fn pull_state(run: &PullDir, fake: &FakeZoom, state: &Path, extra: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_normalog"));
    cmd.args([
        "pull",
        "zoom",
        "--client-id",
        CLIENT_ID,
        "--account-id",
        ACCOUNT,
    ])
    .arg("--state")
    .arg(state)
    .args(["--backoff", "10ms", "--since", "3d", "--page-size", "10"])
    .args(["--api-base", &fake.url, "--oauth-base", &fake.url])
    .args(["-o", &run.out_dir_arg()])
    .args(extra)
    .env("ZOOM_CLIENT_SECRET", SECRET)
    .env_remove("NORMALOG_PULL_FAIL_AT")
    // A relative `state` is relative to the run's directory.
    .current_dir(run.dir.path());
    cmd.output().expect("run normalog")
}

/// `n` records of each report over the last two days, one every 9 minutes.
fn spread(n: usize) -> Vec<Rec> {
    spaced(n, 540)
}

fn ok(out: &Output) {
    assert_eq!(code(out), 0, "{}", stderr(out));
}

/// Every data file of the lake with its content.
fn contents(run: &PullDir) -> BTreeMap<PathBuf, Vec<u8>> {
    run.data_files()
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(&f).expect("read");
            (f, bytes)
        })
        .collect()
}

/// Every file in `before` is in `after`, unchanged.
fn kept(before: &BTreeMap<PathBuf, Vec<u8>>, after: &BTreeMap<PathBuf, Vec<u8>>) {
    for (f, bytes) in before {
        assert_eq!(
            after.get(f),
            Some(bytes),
            "{} replaced or removed",
            f.display()
        );
    }
}

/// A copy of a state file, pulling into the original's lake, keeps every file the original
/// committed: it gets an id of its own, and with it part file names of its own. Both had
/// one id, so the copy's run 2 named its files as the original's run 2 had and replaced
/// them (review finding: records the original had committed were gone from the lake).
#[test]
fn a_copy_of_a_state_file_gets_an_id_of_its_own() {
    let records = spread(300);
    let fake = FakeZoom::start(records.clone());
    let run = PullDir::new();
    let a = run.dir.path().join("a.json");
    let b = run.dir.path().join("b.json");
    ok(&pull_state(&run, &fake, &a, &["--until", "36h"]));
    std::fs::copy(&a, &b).expect("cp a.json b.json");
    ok(&pull_state(&run, &fake, &a, &[]));
    assert_eq!(
        run.events(),
        expected(&records),
        "a.json pulled every record"
    );
    let committed_by_a = contents(&run);

    // Said under -q too, as under cron (review finding: -q hid it).
    let out = pull_state(&run, &fake, &b, &["--until", "24h", "-q"]);
    kept(&committed_by_a, &contents(&run));
    ok(&out);
    assert!(
        stderr(&out).contains(&format!(
            "b.json is a copy of the state file {}",
            a.display()
        )),
        "{}",
        stderr(&out)
    );
    let id = |p: &Path| -> String {
        let s: serde_json::Value =
            serde_json::from_slice(&std::fs::read(p).expect("state")).expect("json");
        s["id"].as_str().expect("id").to_owned()
    };
    assert_ne!(id(&a), id(&b));

    // Each goes on as a state file of its own: no note, a's files still kept.
    let committed = contents(&run);
    for state in [&b, &a] {
        let out = pull_state(&run, &fake, state, &[]);
        ok(&out);
        assert!(!stderr(&out).contains("copy"), "{}", stderr(&out));
    }
    kept(&committed, &contents(&run));
    assert_eq!(run.hidden_at_top(), 0);
}

/// A state file reached through a symbolic link is the file it names: locked through that
/// file's lock (a pull on the link while one runs on the file exits 2), and written where
/// it is, the link left a link. Before, the link got a lock of its own, so both ran, and
/// the first save replaced the link with a file of its own (review finding).
#[cfg(unix)]
#[test]
fn a_state_file_reached_through_a_link_is_one_state_file() {
    let records = both(30, 1, 0);
    let fake = FakeZoom::start(records.clone());
    let run = PullDir::new();
    let real_dir = run.dir.path().join("real");
    std::fs::create_dir(&real_dir).expect("mkdir");
    let real = real_dir.join("s.json");
    let link = run.dir.path().join("link.json");
    std::os::unix::fs::symlink("real/s.json", &link).expect("symlink");

    let held = normalog::pull::state::StateFile::open(&real, "zoom", ACCOUNT).expect("lock");
    let out = pull_state(&run, &fake, &link, &[]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("another pull is running"),
        "{}",
        stderr(&out)
    );
    drop(held);

    ok(&once_unlocked(|| pull_state(&run, &fake, &link, &[])));
    assert!(std::fs::symlink_metadata(&link)
        .expect("link")
        .file_type()
        .is_symlink());
    assert!(real.is_file(), "the state is written where the link points");
    assert!(!run.dir.path().join("link.json.lock").exists());
    // The file itself is the same state: nothing new, no note of a copy.
    let out = pull_state(&run, &fake, &real, &["--stats"]);
    ok(&out);
    assert!(!stderr(&out).contains("copy"), "{}", stderr(&out));
    assert_eq!(run.events(), expected(&records));
}

/// An older version of a state file put back in its place (from a backup) is behind the
/// files its id has in the lake: the pull refuses (exit 2) before any request, rather than
/// write its next batches over them, and says what to do.
#[test]
fn an_older_version_put_back_is_refused_before_it_writes_over_files() {
    let records = spread(300);
    let fake = FakeZoom::start(records.clone());
    let run = PullDir::new();
    let a = run.dir.path().join("a.json");
    let backup = run.dir.path().join("backup");
    ok(&pull_state(&run, &fake, &a, &["--until", "36h"]));
    std::fs::copy(&a, &backup).expect("backup");
    ok(&pull_state(&run, &fake, &a, &[]));
    let committed = contents(&run);
    std::fs::copy(&backup, &a).expect("put back");

    let requests = fake.inner().log.len();
    let out = pull_state(&run, &fake, &a, &[]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("another state file with its id"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("--state NEW.json"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fake.inner().log.len(), requests, "no request");
    kept(&committed, &contents(&run));
}

/// A first run's state file may go in a directory that does not exist yet: it is made, as
/// `-o` makes its directories (review finding: the run failed on the lock file's path).
#[test]
fn a_state_file_in_a_new_directory_is_written() {
    let records = spread(30);
    let fake = FakeZoom::start(records.clone());
    let run = PullDir::new();
    ok(&pull_state(
        &run,
        &fake,
        Path::new("pull/zoom/acme.json"),
        &[],
    ));
    let state = run.dir.path().join("pull/zoom/acme.json");
    assert!(state.is_file());
    assert_eq!(run.events(), expected(&records));
    // Recorded whole, as when the directory was there: copies of the state are told apart
    // by it (review finding: a relative path, so a copied directory was not seen as one).
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state).expect("state")).expect("json");
    let recorded = Path::new(s["path"].as_str().expect("path"));
    assert!(recorded.is_absolute(), "{recorded:?}");
    assert!(recorded.ends_with("pull/zoom/acme.json"), "{recorded:?}");
}
