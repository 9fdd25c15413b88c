//! Replays every input the fuzz targets ever failed on (tests/data/crash/), with exactly the
//! checks of the target that found it (tests/checks, shared with `fuzz/fuzz_targets`). Needs
//! no nightly and no libFuzzer: a plain `cargo test`.
//!
//! File names are `<target>-<short description>`; `<target>` picks the check.

mod checks;
mod reference;

use std::fs;
use std::panic;

mod util;

#[test]
fn crash_inputs_replay() {
    let dir = util::data("crash");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("tests/data/crash exists")
        .map(|e| e.expect("readable dir").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no crash inputs found");
    let mut failed = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 file name")
            .to_owned();
        let data = fs::read(path).expect("readable file");
        let check: fn(&[u8]) = match name.split('-').next() {
            Some("normalize_line") => checks::normalize_line::check,
            Some("differential") => checks::differential::check,
            Some("schema") => checks::schema::check,
            Some("time") => checks::time::check,
            Some("text") => checks::text::check,
            _ => panic!("{name}: name must start with a fuzz target and '-'"),
        };
        if panic::catch_unwind(|| check(&data)).is_err() {
            failed.push(name);
        }
    }
    assert!(failed.is_empty(), "crash inputs failing again: {failed:?}");
}
