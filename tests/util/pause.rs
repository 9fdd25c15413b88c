//! Runs paused at a named point through the debug-build hook `NORMALOG_TEST_PAUSE`
//! (`<point>:<marker file>`: the process creates the marker and waits until it is
//! removed), so that a test can act on the directory, or signal the run, right there.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A run stopped at a point: it waits there until the marker goes.
pub struct Paused {
    pub child: Child,
    pub marker: PathBuf,
}

impl Paused {
    /// Spawn `cmd` (its stderr piped) to pause at `point`, with `marker` as the marker
    /// file, and wait until it is there. Panics if the run ends first, or takes two
    /// minutes.
    pub fn spawn(mut cmd: Command, point: &str, marker: PathBuf) -> Paused {
        let _ = std::fs::remove_file(&marker);
        let mut child = cmd
            .env(
                "NORMALOG_TEST_PAUSE",
                format!("{point}:{}", marker.display()),
            )
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let until = Instant::now() + Duration::from_secs(120);
        while !Path::new(&marker).exists() {
            if let Some(status) = child.try_wait().expect("wait") {
                panic!("the run ended ({status}) before reaching {point}");
            }
            assert!(Instant::now() < until, "the run never reached {point}");
            std::thread::sleep(Duration::from_millis(10));
        }
        Paused { child, marker }
    }

    /// Let the run go on, and wait for its end.
    pub fn resume(self) -> Output {
        std::fs::remove_file(&self.marker).expect("remove the marker");
        self.child.wait_with_output().expect("wait")
    }
}
