//! A lake whose bookkeeping (`_normalog/runs`, `_normalog/inputs`) was removed or damaged
//! by hand: the next run warns, naming what it found, since a re-run of the inputs it no
//! longer knows writes their rows a second time (review s45-h3 HIGH-1: silently, exit 0).

use std::path::Path;

use super::{archive_from, normalog, ok, s};

/// Two runs of one archive each into a fresh lake, their bookkeeping damaged by `damage`,
/// then a run of both archives: its stderr.
fn rerun_after(dir: &Path, damage: impl Fn(&Path, &str)) -> String {
    let a = archive_from(dir, "a.jsonl", 300, "1d", 1, "2024-01-01");
    let b = archive_from(dir, "b.jsonl", 300, "1d", 2, "2024-01-02");
    let lake = dir.join("lake");
    let _ = std::fs::remove_dir_all(&lake);
    for input in [&a, &b] {
        ok(&["normalize", "-f", "parquet", "-o", s(&lake), s(input)]);
    }
    let runs: Vec<String> = std::fs::read_dir(lake.join("_normalog/inputs"))
        .expect("inputs lists")
        .map(|e| e.expect("entry").file_name().into_string().expect("name"))
        .collect();
    damage(&lake, &runs[0]);
    let o = normalog(&["normalize", "-f", "parquet", "-o", s(&lake), s(&a), s(&b)]);
    assert_eq!(o.status.code(), Some(0));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn removed_or_damaged_bookkeeping_is_warned_of() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clean = rerun_after(dir.path(), |_, _| {});
    assert!(!clean.contains("warning"), "{clean}");

    let removed = rerun_after(dir.path(), |lake, _| {
        std::fs::remove_dir_all(lake.join("_normalog")).expect("rm");
    });
    assert!(
        removed.contains("a file of a named run that") && removed.contains("does not list"),
        "{removed}"
    );
    // One run's lists removed, the other's kept (review s45-h5 MEDIUM-4).
    let one_gone = rerun_after(dir.path(), |lake, run| {
        std::fs::remove_file(lake.join("_normalog/runs").join(run)).expect("rm");
        std::fs::remove_file(lake.join("_normalog/inputs").join(run)).expect("rm");
    });
    assert!(
        one_gone.contains("a file of a named run that") && one_gone.contains("part-"),
        "{one_gone}"
    );
    let inputs_gone = rerun_after(dir.path(), |lake, _| {
        std::fs::remove_dir_all(lake.join("_normalog/inputs")).expect("rm");
    });
    assert!(
        inputs_gone.contains(": missing (so is the inputs list of 1 more run)")
            && inputs_gone.contains("does not know they were loaded")
            && inputs_gone.matches("warning").count() == 1,
        "{inputs_gone}"
    );
    let emptied = rerun_after(dir.path(), |lake, run| {
        std::fs::write(lake.join("_normalog/inputs").join(run), b"").expect("write");
    });
    assert!(
        emptied.contains(": empty; it is run") && emptied.contains("list of its inputs"),
        "{emptied}"
    );
    let cut = rerun_after(dir.path(), |lake, run| {
        let path = lake.join("_normalog/runs").join(run);
        let text = std::fs::read(&path).expect("manifest");
        std::fs::write(&path, &text[..40]).expect("write");
    });
    assert!(
        cut.contains("cut short within a line; it is run") && cut.contains("list of its files"),
        "{cut}"
    );
}
