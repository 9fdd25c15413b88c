//! What the pull tests of every vendor do around a run of `normalog pull`: its working
//! directory (the state file and the lake), the data files of the lake, the checks that no
//! secret leaks and that nothing hidden is left, and an interrupt delivered while a run is
//! paused at a known point.
#![allow(dead_code)] // each test binary uses part of it

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The working directory of a pull: `state.json` and the lake directory `lake/`, in a
/// temporary directory of the test.
pub struct PullDir {
    pub dir: tempfile::TempDir,
}

impl PullDir {
    pub fn new() -> PullDir {
        PullDir {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn state(&self) -> PathBuf {
        self.dir.path().join("state.json")
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("lake")
    }

    /// The `-o` value of a directory output into the lake (a path ending in '/').
    pub fn out_dir_arg(&self) -> String {
        let mut out_dir = self.out().display().to_string();
        out_dir.push('/');
        out_dir
    }

    /// Every file of the lake, hidden ones included.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        walk(&self.out(), &mut files);
        files
    }

    /// The files of the lake's data set: no hidden file, nothing under a hidden directory
    /// (a pull's staging directory, a temporary file).
    pub fn data_files(&self) -> Vec<PathBuf> {
        self.files()
            .into_iter()
            .filter(|f| !self.is_hidden(f))
            .collect()
    }

    /// The hidden files of the lake (none after a run that ended, whatever the way).
    pub fn hidden_files(&self) -> Vec<PathBuf> {
        self.files()
            .into_iter()
            .filter(|f| self.is_hidden(f))
            .collect()
    }

    /// Whether `file`, under the lake, or a directory it is in below the lake, is hidden.
    fn is_hidden(&self, file: &Path) -> bool {
        file.strip_prefix(self.out())
            .expect("inside")
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
    }

    /// Hidden entries at the top of the lake, where the staging directories go.
    pub fn hidden_at_top(&self) -> usize {
        std::fs::read_dir(self.out()).map_or(0, |d| {
            d.flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
                .count()
        })
    }

    /// No `secret` (a credential, or the start of every access token) in the run's output
    /// or in the state file.
    pub fn check_secrets(&self, out: &Output, secrets: &[&str]) {
        for text in [&out.stdout, &out.stderr] {
            let text = String::from_utf8_lossy(text);
            for secret in secrets {
                assert!(!text.contains(secret), "{secret} printed: {text}");
            }
        }
        if let Ok(state) = std::fs::read_to_string(self.state()) {
            for secret in secrets {
                assert!(!state.contains(secret), "{secret} in the state: {state}");
            }
        }
    }
}

/// Every file under `dir`, into `out`.
pub fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The exit status; -1 when the process was killed by a signal (a crash point aborts).
pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// `pull()` once a state file's lock the test held is released: the test's process may
/// still share it for a moment after the test drops it, through another test's child
/// process that the harness's threads forked meanwhile and that has not yet run its
/// program (a forked child holds the parent's open files until then; `flock` locks follow
/// them). Retried while the run says the state is locked, for up to 10 s.
pub fn once_unlocked(mut pull: impl FnMut() -> Output) -> Output {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let out = pull();
        if !stderr(&out).contains("another pull is running") || std::time::Instant::now() > deadline
        {
            return out;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Run `pull` (a command of `normalog pull`) paused at `point` (`NORMALOG_TEST_PAUSE`:
/// `read` or `commit`, through a marker file in `dir`), send it `SIG<signal>` there, let it
/// go on, and return its output.
pub fn interrupt_at(mut pull: Command, dir: &Path, point: &str, signal: &str) -> Output {
    let marker = dir.join("paused");
    let pause = format!("{point}:{}", marker.display());
    let child = pull
        .env("NORMALOG_TEST_PAUSE", &pause)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let until = Instant::now() + Duration::from_secs(60);
    while !marker.exists() {
        assert!(Instant::now() < until, "{point}: never paused");
        std::thread::sleep(Duration::from_millis(10));
    }
    let sent = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .expect("kill");
    assert!(sent.success());
    std::fs::remove_file(&marker).expect("resume");
    child.wait_with_output().expect("wait")
}

/// NDJSON events as JSON values without the columns that differ between two runs
/// (`p_row_id`, `p_parse_time`).
pub fn without_volatile(ndjson: &str) -> Vec<serde_json::Value> {
    ndjson
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).expect("json");
            let o = v.as_object_mut().expect("object");
            o.remove("p_row_id");
            o.remove("p_parse_time");
            v
        })
        .collect()
}

/// `normalog normalize -t LOG_TYPE PAGE`: the events of an API page saved to a file.
pub fn normalize_page(log_type: &str, page: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_normalog"))
        .args(["normalize", "-t", log_type])
        .arg(page)
        .output()
        .expect("normalize")
}

/// Every URL of `base` that `stderr` names is without its query: messages name the URL
/// requested, not its page cursor, window or token (review finding: a 5xx, a 429 past
/// `--max-wait` and a timeout quoted the whole query).
pub fn assert_urls_without_query(stderr: &str, base: &str) {
    assert!(stderr.contains(base), "no URL of {base} named: {stderr}");
    for (at, _) in stderr.match_indices(base) {
        let url: String = stderr[at..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect();
        assert!(!url.contains('?'), "a query in {url}: {stderr}");
    }
}
