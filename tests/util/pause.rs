//! Runs paused at a named point through the test-only hook `NORMALOG_TEST_PAUSE`
//! (`<point>:<marker file>`: the process creates the marker and waits until it is
//! removed; several, separated by `;`, pause at each in turn), so that a test can act on
//! the directory, or signal the run, right there.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A run stopped at a point: it waits there until the marker goes.
pub struct Paused {
    pub child: Child,
    pub marker: PathBuf,
    /// The later points it pauses at ([`Paused::go_on`]), in order, with their markers.
    next: Vec<(String, PathBuf)>,
}

impl Paused {
    /// Spawn `cmd` (its stderr piped) to pause at `point`, with `marker` as the marker
    /// file, and wait until it is there. Panics if the run ends first, or takes two
    /// minutes.
    pub fn spawn(cmd: Command, point: &str, marker: PathBuf) -> Paused {
        Paused::spawn_at(cmd, vec![(point.to_owned(), marker)])
    }

    /// [`Paused::spawn`], pausing at each of `points` (each with its marker) in turn: the
    /// run waits at the first; [`Paused::go_on`] lets it go on to the next.
    pub fn spawn_at(mut cmd: Command, mut points: Vec<(String, PathBuf)>) -> Paused {
        let env: Vec<String> = points
            .iter()
            .map(|(point, marker)| {
                let _ = std::fs::remove_file(marker);
                format!("{point}:{}", marker.display())
            })
            .collect();
        let child = cmd
            .env("NORMALOG_TEST_PAUSE", env.join(";"))
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        points.reverse();
        let (point, marker) = points.pop().expect("a pause point");
        let mut paused = Paused {
            child,
            marker,
            next: points,
        };
        paused.wait_for(&point);
        paused
    }

    /// Wait until the run is at `point` (its marker is there).
    fn wait_for(&mut self, point: &str) {
        let until = Instant::now() + Duration::from_secs(120);
        while !Path::new(&self.marker).exists() {
            if let Some(status) = self.child.try_wait().expect("wait") {
                panic!("the run ended ({status}) before reaching {point}");
            }
            assert!(Instant::now() < until, "the run never reached {point}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Let the run go on to its next pause point, and wait until it is there.
    pub fn go_on(&mut self) {
        let (point, marker) = self.next.pop().expect("another pause point");
        std::fs::remove_file(&self.marker).expect("remove the marker");
        self.marker = marker;
        self.wait_for(&point);
    }

    /// Let the run go on, and wait for its end.
    pub fn resume(self) -> Output {
        std::fs::remove_file(&self.marker).expect("remove the marker");
        self.child.wait_with_output().expect("wait")
    }
}
