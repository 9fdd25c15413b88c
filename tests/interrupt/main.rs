//! Interrupted runs leave no debris (issue 16): SIGINT and SIGTERM stop a run and remove
//! its temporary files; `kill -9` leaves only hidden temporary files, which the next run
//! into the directory removes (or, for a commit it had started, completes); committed files
//! of other runs are never touched, nor the files of a run still going.
//!
//! The runs pause at a named point through the test-only hook `NORMALOG_TEST_PAUSE`
//! (`util::pause`).
#![cfg(unix)]

#[path = "../util/mod.rs"]
mod util;

mod kill9;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use util::lake::{debris, empty_dirs, parquet_files, parquet_rows};
use util::pause::Paused;

const BIN: &str = env!("CARGO_BIN_EXE_normalog");

/// Where a run can be paused, in the order it gets there.
const POINTS: [&str; 4] = ["read", "write", "commit", "rename"];

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn ok(cmd: &mut Command) -> Output {
    let o = cmd.output().expect("run normalog");
    assert!(
        o.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// A generated archive of `records` records over five days.
fn archive(dir: &Path, name: &str, records: u32, seed: u32) -> PathBuf {
    let path = dir.join(name);
    ok(Command::new(BIN).args([
        "gen",
        "-n",
        &records.to_string(),
        "--span",
        "5d",
        "--start",
        "2024-03-01",
        "--seed",
        &seed.to_string(),
        "-o",
        s(&path),
    ]));
    path
}

/// `normalize` of `input` into the Parquet lake `lake`, by hour, with few files open at
/// once (so that files are also closed while the run goes).
fn normalize(lake: &Path, input: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.args([
        "normalize",
        "--format",
        "parquet",
        "--max-open-files",
        "4",
        "-q",
        "-o",
        s(lake),
        s(input),
    ]);
    c
}

impl Paused {
    fn start(lake: &Path, input: &Path, point: &str) -> Paused {
        Paused::start_with(lake, input, point, &[])
    }

    /// As [`start`](Self::start), with more flags.
    fn start_with(lake: &Path, input: &Path, point: &str, flags: &[&str]) -> Paused {
        let mut cmd = normalize(lake, input);
        cmd.args(flags);
        Paused::spawn(cmd, point, lake.with_extension(format!("pause-{point}")))
    }

    /// Send `signal` (`INT`, `TERM`, `KILL`), let the run go on, and wait for its end.
    fn signal(self, signal: &str) -> Output {
        self.send(signal);
        self.resume()
    }

    /// Send `signal` to the paused run.
    fn send(&self, signal: &str) {
        let sent = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill");
        assert!(sent.success());
    }
}

/// Each committed file (relative path) with its contents: what another run must not touch.
fn committed(lake: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    parquet_files(lake)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(&f).expect("read");
            (f.strip_prefix(lake).expect("under").to_path_buf(), bytes)
        })
        .collect()
}

/// The inputs of a test and the rows of their clean runs into one lake.
struct Setup {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    /// The run that gets interrupted.
    a: PathBuf,
    /// Committed before, by another run.
    b: PathBuf,
    /// Rows of `b` alone, and of `a` and `b`, each run cleanly.
    b_rows: Vec<String>,
    all_rows: Vec<String>,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().to_path_buf();
    let a = archive(&dir, "a.jsonl", 3000, 1);
    let b = archive(&dir, "b.jsonl", 400, 2);
    let clean = dir.join("clean");
    ok(&mut normalize(&clean, &b));
    let b_rows = parquet_rows(&clean);
    ok(&mut normalize(&clean, &a));
    let all_rows = parquet_rows(&clean);
    assert_eq!((b_rows.len(), all_rows.len()), (400, 3400));
    Setup {
        _tmp: tmp,
        dir,
        a,
        b,
        b_rows,
        all_rows,
    }
}

/// A lake holding `b`'s committed run.
fn lake_with_b(t: &Setup, name: &str) -> (PathBuf, BTreeMap<PathBuf, Vec<u8>>) {
    let lake = t.dir.join(name);
    ok(&mut normalize(&lake, &t.b));
    let before = committed(&lake);
    assert!(!before.is_empty());
    (lake, before)
}

/// `b`'s files are all there, unchanged.
fn assert_kept(lake: &Path, before: &BTreeMap<PathBuf, Vec<u8>>, context: &str) {
    let now = committed(lake);
    for (path, bytes) in before {
        assert!(
            now.get(path) == Some(bytes),
            "{context}: {} changed",
            path.display()
        );
    }
}

#[test]
fn sigint_and_sigterm_stop_cleanly_at_every_point() {
    let t = setup();
    for (i, point) in POINTS.iter().enumerate() {
        for (signal, status) in [("INT", 130), ("TERM", 143)] {
            let context = format!("SIG{signal} at {point}");
            let (lake, before) = lake_with_b(&t, &format!("lake-{i}-{signal}"));
            let out = Paused::start(&lake, &t.a, point).signal(signal);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(status), "{context}: {stderr}");
            assert!(
                stderr.contains(&format!("interrupted by SIG{signal}")),
                "{context}: {stderr}"
            );
            assert_eq!(debris(&lake), Vec::<PathBuf>::new(), "{context}");
            assert_eq!(empty_dirs(&lake), Vec::<PathBuf>::new(), "{context}");
            assert_kept(&lake, &before, &context);
            if *point == "rename" {
                // Renaming had begun: the commit completes rather than stay half done.
                assert!(
                    stderr.contains("complete and committed"),
                    "{context}: {stderr}"
                );
                assert_eq!(parquet_rows(&lake), t.all_rows, "{context}");
            } else {
                assert!(
                    stderr.contains("no output committed"),
                    "{context}: {stderr}"
                );
                assert_eq!(parquet_rows(&lake), t.b_rows, "{context}");
            }
            // A clean re-run: nothing to clean up, and the rows of clean runs.
            let out = ok(&mut normalize(&lake, &t.a));
            assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{context}");
            assert_eq!(parquet_rows(&lake), t.all_rows, "{context}");
            assert_eq!(debris(&lake), Vec::<PathBuf>::new(), "{context}");
            assert_kept(&lake, &before, &context);
        }
    }
}

/// Signals that come together (`timeout` signals the process and then its group) are one
/// request: the run stops cleanly. One that comes a second or more after the first ends the
/// process at once, as the signal would, leaving only hidden files for the next run.
#[test]
fn repeated_signals_are_one_stop_and_a_later_one_ends_at_once() {
    let t = setup();
    let (lake, before) = lake_with_b(&t, "lake-twice");
    let paused = Paused::start(&lake, &t.a, "write");
    paused.send("INT");
    paused.send("INT");
    let out = paused.resume();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("no output committed"), "{stderr}");
    assert_eq!(debris(&lake), Vec::<PathBuf>::new());
    assert_kept(&lake, &before, "two SIGINTs");

    // A SIGTERM right after a SIGINT is the same stop: reported as the first signal.
    let (lake, before) = lake_with_b(&t, "lake-int-term");
    let paused = Paused::start(&lake, &t.a, "write");
    paused.send("INT");
    std::thread::sleep(Duration::from_millis(50));
    paused.send("TERM");
    let out = paused.resume();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted by SIGINT"), "{stderr}");
    assert_kept(&lake, &before, "SIGINT then SIGTERM");

    let (lake, before) = lake_with_b(&t, "lake-later");
    let mut paused = Paused::start(&lake, &t.a, "write");
    paused.send("INT");
    // Well past the second of grace, even if the signal thread read the first one late.
    std::thread::sleep(Duration::from_millis(2500));
    assert!(
        paused.child.try_wait().expect("wait").is_none(),
        "still stopping"
    );
    paused.send("INT");
    let status = paused.child.wait().expect("wait");
    std::os::unix::process::ExitStatusExt::signal(&status).map_or_else(
        || panic!("ended by itself: {status}"),
        |sig| assert_eq!(sig, 2, "{status}"),
    );
    let _ = std::fs::remove_file(&paused.marker);
    assert!(
        !debris(&lake).is_empty(),
        "killed while writing: its temporary files stay"
    );
    // The next run removes them and says so.
    let out = ok(&mut normalize(&lake, &t.a));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("temporary files left by an interrupted run"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(debris(&lake), Vec::<PathBuf>::new());
    assert_eq!(parquet_rows(&lake), t.all_rows);
    assert_kept(&lake, &before, "a later SIGINT");
}

/// A run reading standard input that has nothing more to give (`tail -f app.log |`, a
/// writer asleep) stops on SIGINT or SIGTERM at once: it waited in its read until the
/// writer wrote again or closed. The events read before the signal were not committed.
#[test]
fn a_signal_stops_a_run_waiting_for_standard_input() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let record = "{\"email\":\"a@example.com\",\"time\":\"2023-07-01T14:00:00Z\"}\n";
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let lake = tmp.path().join(format!("lake-{signal}"));
        for threads in ["1", "2"] {
            let mut child = Command::new(BIN)
                .args(["normalize", "-j", threads, "--format", "parquet", "-o"])
                .arg(&lake)
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn");
            let mut stdin = child.stdin.take().expect("stdin");
            std::io::Write::write_all(&mut stdin, record.as_bytes()).expect("write");
            // Read, normalized, and now waiting for more.
            std::thread::sleep(Duration::from_millis(300));
            // The writer keeps its end open: only the signal can end the run.
            let status = signal_and_wait(&mut child, signal).unwrap_or_else(|| {
                panic!("-j {threads}: still waiting for input after SIG{signal}")
            });
            drop(stdin);
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut err)
                .expect("stderr");
            assert_eq!(status.code(), Some(code), "-j {threads}: {err}");
            assert!(err.contains("no output committed"), "{err}");
            // The directory the run created goes with its files.
            assert!(!lake.exists(), "{}", lake.display());
        }
    }
    // A named pipe without a writer: opening it waits, and the signal ends that too.
    let fifo = tmp.path().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let mut child = Command::new(BIN)
        .args(["normalize", "-o", "/dev/null"])
        .arg(&fifo)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(300));
    let Some(status) = signal_and_wait(&mut child, "TERM") else {
        // Open the pipe for writing so that the run can end either way.
        let _ = std::fs::OpenOptions::new().write(true).open(&fifo);
        panic!("still opening the named pipe after SIGTERM");
    };
    assert_eq!(status.code(), Some(143), "{status}");
}

/// A schema, an output or a token file given by name that is a named pipe without its
/// other end: opening it waits, and the first signal ends that wait (reviews s43-h4 LOW-2,
/// s44-h6 LOW-2, s45-h4 LOW-6: the first one was ignored). An output's wait stops as a run
/// does, removing what was prepared (review s46-h3 LOW-1); a schema's or a secret's, before
/// anything is prepared, ends the process at once, saying so.
#[cfg(unix)]
#[test]
fn a_signal_ends_a_wait_for_a_named_pipe_before_the_run() {
    use std::os::unix::process::ExitStatusExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let fifo = t.join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let input = t.join("in.jsonl");
    std::fs::write(&input, "{}\n").expect("input");
    let state = t.join("state.json");
    let lake = t.join("new/lake");
    let lake_slash = format!("{}/", lake.display());
    let before_the_run = "interrupted by SIGTERM before the run started: nothing was written\n";
    let as_a_run =
        "interrupted by SIGTERM: stopped; no output committed, temporary files removed\n";
    let cases: [(&[&str], &str); 4] = [
        (&["normalize", "-s", s(&fifo), s(&input)], before_the_run),
        (&["normalize", s(&input), "-o", s(&fifo)], as_a_run),
        (
            &[
                "normalize",
                s(&input),
                "-o",
                &lake_slash,
                "--rejects",
                s(&fifo),
            ],
            as_a_run,
        ),
        (
            &[
                "pull",
                "zendesk",
                "--subdomain",
                "acme",
                "--email",
                "a@example.com",
                "--token-file",
                s(&fifo),
                "--since",
                "1d",
                "--state",
                s(&state),
                "-o",
                "/dev/null",
            ],
            before_the_run,
        ),
    ];
    for (args, said) in cases {
        let mut child = Command::new(BIN)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(300));
        let Some(status) = signal_and_wait(&mut child, "TERM") else {
            // Open the other end so that the command can end either way.
            let _ = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&fifo);
            let _ = child.wait();
            panic!("{args:?}: still waiting for the named pipe after SIGTERM");
        };
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut err)
            .expect("stderr");
        if said == before_the_run {
            assert_eq!(status.signal(), Some(15), "{args:?}: {status}: {err}");
        } else {
            assert_eq!(status.code(), Some(143), "{args:?}: {status}: {err}");
        }
        assert!(err.ends_with(said), "{args:?}: {err}");
        assert!(!t.join("new").exists(), "{args:?}: {err}");
    }
    // A state file that is a named pipe is refused, not read.
    let o = Command::new(BIN)
        .args([
            "pull",
            "zendesk",
            "--subdomain",
            "acme",
            "--email",
            "a@example.com",
            "--token-env",
            "HOME",
            "--since",
            "1d",
            "--state",
            s(&fifo),
            "-o",
            "/dev/null",
        ])
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("fifo: not a regular file: the state is a file that each run replaces"),
        "{err}"
    );
}

/// A run whose `-o` and `--rejects` are named pipes writes into them as it goes: stopped
/// by a signal, it says that what they got is incomplete, naming them. It said "no output
/// committed" alone, which is what files and directory outputs are left as. The signal is
/// sent once the reader has an event: the run has written into the pipe and waits for more
/// input.
#[test]
fn a_signal_says_pipe_outputs_are_incomplete() {
    use std::io::BufRead;
    let tmp = tempfile::tempdir().expect("tempdir");
    let events = tmp.path().join("events.pipe");
    let rejects = tmp.path().join("rejects.pipe");
    for fifo in [&events, &rejects] {
        let made = Command::new("mkfifo").arg(fifo).status().expect("mkfifo");
        assert!(made.success());
    }
    let input = "{\"email\":\"a@example.com\",\"time\":\"2023-07-01T14:00:00Z\"}\n{}\n";
    let mut child = Command::new(BIN)
        .args(["normalize", "-o"])
        .arg(&events)
        .arg("--rejects")
        .arg(&rejects)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Each pipe is read from its own side: the run's opens for writing wait for a reader.
    let rejects_reader = {
        let rejects = rejects.clone();
        std::thread::spawn(move || std::fs::read(rejects).expect("read the rejects"))
    };
    let mut stdin = child.stdin.take().expect("stdin");
    std::io::Write::write_all(&mut stdin, input.as_bytes()).expect("write");
    let mut reader = std::io::BufReader::new(std::fs::File::open(&events).expect("open the pipe"));
    let mut event = String::new();
    reader.read_line(&mut event).expect("read the pipe");
    assert!(event.contains("a@example.com"), "{event}");
    let status = signal_and_wait(&mut child, "INT").expect("still running after SIGINT");
    drop(stdin);
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut err)
        .expect("stderr");
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(
        err.ends_with(&format!(
            "; the events written to {} and the rejects written to {} so far are incomplete\n",
            events.display(),
            rejects.display()
        )),
        "{err}"
    );
    rejects_reader.join().expect("rejects reader");
}

/// Send `signal` (`INT`, `TERM`) to `child` and wait up to 10 s for it to end.
fn signal_and_wait(child: &mut Child, signal: &str) -> Option<std::process::ExitStatus> {
    let sent = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if let Some(status) = child.try_wait().expect("wait") {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// `pull` shares the handling of signals with `normalize`, and its `--help` says the same
/// about repeated ones: it used to say that any second signal ends the process at once.
#[test]
fn pull_help_describes_repeated_signals_as_normalize_does() {
    let same = "Signals within a second of the first are the same request; one a second or more \
                later ends the process at once";
    for args in [
        &["normalize", "--help"][..],
        &["pull", "zendesk", "--help"],
        &["pull", "zoom", "--help"],
    ] {
        let o = ok(Command::new(BIN).args(args));
        // Help text is wrapped to the terminal: compare it with its spacing made single.
        let help = String::from_utf8_lossy(&o.stdout)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(help.contains(same), "{args:?}:\n{help}");
        assert!(!help.contains("A second signal ends"), "{args:?}:\n{help}");
    }
}

/// The one entry of `lake/_normalog/<sub>` (the paused run's lock token, say).
fn only_entry(lake: &Path, sub: &str) -> String {
    let entries: Vec<String> = std::fs::read_dir(lake.join("_normalog").join(sub))
        .expect("read the directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    entries.into_iter().next().expect("one")
}

/// A commit that fails after its files are in place (the manifest cannot be written: a
/// full disk, here a directory in its way) says that they are, and that the next run
/// completes it (review finding: a bare "No space left on device", exit 2, while readers
/// saw every file). The next run does.
#[test]
fn a_commit_failing_after_its_files_are_in_place_says_so() {
    let t = setup();
    let (lake, before) = lake_with_b(&t, "lake-manifest");
    let paused = Paused::start(&lake, &t.a, "rename");
    let journal = only_entry(&lake, "commits");
    let text =
        std::fs::read_to_string(lake.join("_normalog/commits").join(&journal)).expect("journal");
    let run = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("run "))
        .expect("the run's id");
    let in_the_way = lake.join("_normalog/runs").join(run);
    std::fs::create_dir_all(in_the_way.join("x")).expect("mkdir");
    let out = paused.resume();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the commit stopped after its ")
            && stderr.contains(" files were in place: the next run into "),
        "{stderr}"
    );
    assert_kept(&lake, &before, "manifest in the way");
    std::fs::remove_dir_all(&in_the_way).expect("remove");
    let out = ok(&mut normalize(&lake, &t.b));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("completed 1 commit"), "{stderr}");
    assert_eq!(parquet_rows(&lake), t.all_rows);
    assert_eq!(debris(&lake), Vec::<PathBuf>::new());
}

/// A commit whose journal cannot be written leaves nothing of it (review finding: the
/// inputs list written before it stayed under its hidden name for good).
#[test]
fn a_commit_failing_before_its_journal_leaves_nothing() {
    let t = setup();
    let (lake, before) = lake_with_b(&t, "lake-journal");
    let paused = Paused::start(&lake, &t.a, "commit");
    let token = only_entry(&lake, "locks");
    std::fs::create_dir_all(lake.join("_normalog/commits").join(&token).join("x")).expect("mkdir");
    let out = paused.resume();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&token), "{stderr}");
    let hidden: Vec<PathBuf> = util::files_under(&lake.join("_normalog/inputs"))
        .into_iter()
        .filter(|f| {
            f.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    assert_eq!(hidden, Vec::<PathBuf>::new());
    assert_kept(&lake, &before, "journal in the way");
    assert_eq!(parquet_rows(&lake), t.b_rows);
    std::fs::remove_dir_all(lake.join("_normalog/commits").join(&token)).expect("remove");
    ok(&mut normalize(&lake, &t.a));
    assert_eq!(parquet_rows(&lake), t.all_rows);
    assert_eq!(debris(&lake), Vec::<PathBuf>::new());
}

/// `gen -o FILE` stopped by a signal removes its temporary file and exits 128 + the
/// signal's number (review s44-h6 LOW-1: the process ended at once, and a hidden file of
/// hundreds of MB stayed).
#[test]
fn an_interrupted_gen_leaves_no_file() {
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        for name in ["big.ndjson", "big.ndjson.gz"] {
            let dir = tempfile::tempdir().expect("tempdir");
            let mut child = Command::new(BIN)
                .args(["gen", "-n", "20000000", "-o", s(&dir.path().join(name))])
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn gen");
            // Signalled once it has written: its temporary file has bytes.
            let until = Instant::now() + Duration::from_secs(60);
            while !std::fs::read_dir(dir.path())
                .expect("read dir")
                .any(|e| e.expect("entry").metadata().is_ok_and(|m| m.len() > 0))
            {
                assert!(Instant::now() < until, "gen wrote nothing");
                std::thread::sleep(Duration::from_millis(5));
            }
            let status = signal_and_wait(&mut child, signal).expect("gen stops");
            let err =
                std::io::read_to_string(child.stderr.take().expect("stderr")).expect("read stderr");
            assert_eq!(status.code(), Some(code), "{signal} {name}: {err}");
            assert!(
                err.contains("not written (its temporary file removed)"),
                "{signal} {name}: {err}"
            );
            let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
            assert!(left.is_empty(), "{signal} {name}: {left:?}");
        }
    }
}
