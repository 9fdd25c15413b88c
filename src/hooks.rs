//! Test-only hooks: pause points where the interruption tests (`tests/interrupt/`,
//! `tests/lake`, the pull tests) stop a process to signal or kill it, and crash points
//! where the pull tests abort it. Compiled in with the feature `test-hooks` alone, which
//! normalog's own test builds turn on (a dev-dependency on itself) and nothing else should:
//! an embedder's build, debug or release, has no process abort or sleep driven by the
//! environment.

/// The test-only pause: with `NORMALOG_TEST_PAUSE=<point>:<marker>` in the environment, the
/// first time the process reaches `point` it creates the file `<marker>` and waits until it
/// is removed (at most a minute), so that a test can interrupt it right there; several
/// `<point>:<marker>` separated by `;` pause at each in turn. Points:
/// `read` (the reader has cut its first chunk), `write` (the third part file was created),
/// `commit` (all input written, before the open files are finished), `rename` (the first
/// file of the commit was renamed into place), `supersede` (every file renamed and the
/// manifest replaced, before the runs it supersedes are removed), `spill` (rows out of
/// time order were written to a spill file); and of `compact`:
/// `merge` (the first merged file written, under its temporary name), `compact` (the
/// journal written, before the merged files are put in place), `rename` (the merged files
/// in place, before the files they hold are removed); and of `pull zoom`: `pull-batch`
/// (a batch within a window written, before the state saves it).
#[cfg(feature = "test-hooks")]
pub(crate) fn pause_point(point: &str) {
    static PAUSED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let Ok(v) = std::env::var("NORMALOG_TEST_PAUSE") else {
        return;
    };
    let Some(marker) = v
        .split(';')
        .filter_map(|p| p.split_once(':'))
        .find_map(|(p, marker)| (p == point).then_some(marker))
    else {
        return;
    };
    {
        let Ok(mut paused) = PAUSED.lock() else {
            return;
        };
        if paused.iter().any(|p| p == point) {
            return;
        }
        paused.push(point.to_owned());
    }
    if std::fs::write(marker, point).is_err() {
        return;
    }
    let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::path::Path::new(marker).exists() && std::time::Instant::now() < until {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[cfg(not(feature = "test-hooks"))]
#[inline]
pub(crate) fn pause_point(_point: &str) {}

/// A temporary part file was created (on any thread): the third one of the process is the
/// test-only pause point `write` (see [`pause_point`]).
#[inline]
pub(crate) fn file_created() {
    #[cfg(feature = "test-hooks")]
    {
        static CREATED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        if CREATED.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == 3 {
            pause_point("write");
        }
    }
}

/// The test-only crash: with `NORMALOG_PULL_FAIL_AT=<point>:<n>` in the environment, the
/// process aborts (as `kill -9` would stop it: no destructor runs, temporary files stay)
/// the `n`th time it reaches `point` (`after-sink`: a batch is in the output, its state not
/// saved; `after-state`: the state is saved). Only the pull has crash points.
#[cfg(all(feature = "pull", feature = "test-hooks"))]
pub(crate) fn crash_point(point: &str, n: u64) {
    if let Ok(v) = std::env::var("NORMALOG_PULL_FAIL_AT") {
        if let Some((p, k)) = v.split_once(':') {
            if p == point && k.parse() == Ok(n) {
                std::process::abort();
            }
        }
    }
}

#[cfg(all(feature = "pull", not(feature = "test-hooks")))]
#[inline]
pub(crate) fn crash_point(_point: &str, _n: u64) {}
