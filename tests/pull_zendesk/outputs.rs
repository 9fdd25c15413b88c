//! Where a pull writes, when writing fails: the exit status of an I/O error, and messages
//! that name the path.

use super::*;

/// Writing the output fails (a full disk, a file where a table's directory goes): exit 5,
/// the I/O error of the run, with the path named; it exited 2, "bad flags or
/// configuration", with a bare "No space left on device" (tester finding).
#[cfg(target_os = "linux")]
#[test]
fn output_errors_exit_5_and_name_the_path() {
    let fake = FakeZendesk::start(dataset(1, 5, now_secs() - 100, 1), token_auth());

    let run = PullDir::new();
    let out = run.pull(&fake, &["-o", "/dev/full"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("-o /dev/full: No space left on device"),
        "{}",
        stderr(&out)
    );

    let run = PullDir::new();
    let full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = run
        .command(&fake, &["-o", "-"], &[])
        .stdout(full)
        .output()
        .expect("run");
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("standard output: No space left on device"),
        "{}",
        stderr(&out)
    );

    let run = PullDir::new();
    std::fs::create_dir_all(run.out()).expect("lake");
    std::fs::write(run.out().join("zendesk_audit"), "").expect("a file in the way");
    let out = run.pull(&fake, &[]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("zendesk_audit/") && stderr(&out).contains("Not a directory"),
        "{}",
        stderr(&out)
    );
}

/// A secret file that cannot be read is named with the flag it came from (tester finding:
/// "/nonexist: No such file or directory" said neither which file nor why it was read).
#[test]
fn an_unreadable_token_file_is_named_with_its_flag() {
    let fake = FakeZendesk::start(Vec::new(), token_auth());
    let run = PullDir::new();
    let missing = run.dir.path().join("no-such-token");
    let out = run.pull(&fake, &["--token-file", missing.to_str().expect("utf-8")]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("--token-file {}: ", missing.display())),
        "{}",
        stderr(&out)
    );
    assert!(fake.inner().log.is_empty());
}

/// A token file longer than any token (`/dev/zero` by mistake) is refused, not read on
/// without end (review s43-h4 LOW-2).
#[test]
fn a_token_file_longer_than_a_token_is_refused() {
    let fake = FakeZendesk::start(Vec::new(), token_auth());
    let run = PullDir::new();
    let out = run.pull(&fake, &["--token-file", "/dev/zero"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--token-file /dev/zero: longer than 64 KiB"),
        "{}",
        stderr(&out)
    );
    assert!(fake.inner().log.is_empty());
}

/// A symbolic link planted where the next part file goes is refused, said to be a link
/// (the message blamed a copy of the state file: review s43-h4 LOW-5), and what it points
/// at is left as it was.
#[cfg(unix)]
#[test]
fn a_link_planted_at_the_next_part_file_is_named_a_link() {
    let fake = FakeZendesk::start(dataset(1, 5, now_secs() - 100, 1), token_auth());
    let run = PullDir::new();
    let out = run.pull(&fake, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let first = run.data_files();
    let part = first.first().expect("a part file");
    let name = part.file_name().and_then(|n| n.to_str()).expect("name");
    let next = part.with_file_name(name.replace("-1-1-0.", "-2-1-0."));
    assert_ne!(&next, part, "{name}");
    let victim = run.dir.path().join("victim.txt");
    std::fs::write(&victim, "keep me").expect("victim");
    std::os::unix::fs::symlink(&victim, &next).expect("link");
    let out = run.pull(&fake, &[]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("a symbolic link where"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "keep me");
}

/// A pull that fails before writing a file removes the output directory it created (and
/// the parents it created for it), as normalize does; one that existed before stays, and
/// so does one a run that succeeded made (tester finding: the empty directory was left).
#[test]
fn a_failed_pull_removes_the_empty_output_directory_it_created() {
    let fake = FakeZendesk::start(
        dataset(1, 5, now_secs() - 100, 1),
        AuthMode::Token {
            email: EMAIL.into(),
            token: "another-token".into(),
        },
    );
    let run = PullDir::new();
    let parent = run.dir.path().join("new");
    let lake = format!("{}/lake/", parent.display());
    let out = run.pull(&fake, &["-o", &lake]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(!parent.exists(), "{} left", parent.display());

    std::fs::create_dir_all(run.out()).expect("lake");
    let out = run.pull(&fake, &[]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(run.out().is_dir(), "a directory that existed is kept");

    let fake = FakeZendesk::start(Vec::new(), token_auth());
    let out = run.pull(&fake, &["-o", &lake]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        parent.join("lake").is_dir(),
        "a run that succeeded keeps it"
    );
}
