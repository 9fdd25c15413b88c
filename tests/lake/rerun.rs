//! Re-running into the same directory: the same inputs leave one copy of each event,
//! standard input and new inputs append, and inputs loaded before with others are named.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::files_under;
use crate::{archive, copy_keeping_time, hidden_files, lake_rows, normalog, ok, parquet_into, s};

/// New inputs without `--format parquet` (NDJSON, the default) beside Parquet files of
/// another run: refused before anything is written, as a query of *.parquet would leave
/// them out (review finding: committed without a word).
#[test]
fn new_inputs_of_another_format_are_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = archive(tmp.path(), "a.jsonl", 300, "1d", 1);
    let c = archive(tmp.path(), "c.jsonl", 100, "1d", 3);
    let lake = tmp.path().join("lake");
    parquet_into(&lake, "hour", &[&a]);
    let before = lake_rows(&lake);
    let o = normalog(&["normalize", "--partition", "hour", "-o", s(&lake), s(&c)]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("holds files of another run in another format"),
        "{err}"
    );
    let ndjson = files_under(&lake)
        .into_iter()
        .filter(|f| f.to_string_lossy().contains(".ndjson"))
        .count();
    assert_eq!(ndjson, 0, "nothing written");
    assert_eq!(lake_rows(&lake), before);
}

#[test]
fn rerunning_the_same_inputs_leaves_one_copy_of_each_event() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = archive(tmp.path(), "a.jsonl", 2000, "10d", 1);
    let b = archive(tmp.path(), "b.jsonl", 500, "10d", 2);
    let lake = tmp.path().join("lake");

    parquet_into(&lake, "hour", &[&a]);
    let (first, files) = lake_rows(&lake);
    assert_eq!(first.len(), 2000);
    // The same input again: the same rows, in as many files (replaced, not added).
    parquet_into(&lake, "hour", &[&a]);
    assert_eq!(lake_rows(&lake), (first.clone(), files));

    // Another input is appended beside it, and survives a re-run of the first.
    parquet_into(&lake, "hour", &[&b]);
    let (both, _) = lake_rows(&lake);
    assert_eq!(both.len(), 2500);
    parquet_into(&lake, "hour", &[&a]);
    assert_eq!(lake_rows(&lake).0, both);

    // The same input with another layout, beside another run's files of the first one:
    // refused before its input is read (engines cannot read a table of two layouts).
    let day_run = |lake: &Path, flags: &[&str]| {
        let mut args = vec!["normalize", "--format", "parquet", "--partition", "day"];
        args.extend(flags);
        args.extend(["-o", s(lake), s(&a)]);
        let o = normalog(&args);
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, err) = day_run(&lake, &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("holds files of another run partitioned by hour"),
        "{err}"
    );
    assert_eq!(lake_rows(&lake).0, both);

    // Alone in its directory, the same input with another layout replaces its files, and
    // says so.
    let alone = tmp.path().join("alone");
    parquet_into(&alone, "hour", &[&a]);
    let (code, err) = day_run(&alone, &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains(&format!(
            "note: replaced the earlier run of the same inputs; {files} of its files were \
             not written again and were removed"
        )),
        "{err}"
    );
    assert_eq!(lake_rows(&alone).0, first);
    assert!(
        files_under(&alone)
            .iter()
            .all(|f| !f.to_string_lossy().contains("hour=")),
        "hour files left"
    );

    // A re-run given fewer log types would remove the other tables' files of the earlier
    // run, while the other records are rejects now: refused, the files kept (exit 2).
    let (code, err) = day_run(&alone, &["-t", "Zoom.Activity"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("nothing committed, and the earlier files are kept"),
        "{err}"
    );
    assert_eq!(lake_rows(&alone).0, first);
    // On purpose: a warning names them (exit 1, for the rejects).
    let (code, err) = day_run(&alone, &["-t", "Zoom.Activity", "--allow-dropped-tables"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(
            "warning: zendesk_audit, zoom_operation: the earlier run of the same inputs had \
             rows in these tables and this run wrote none"
        ) && err.contains(
            "records were rejected; or other -t/--log-type or schemas); their files were removed"
        ),
        "{err}"
    );
    let (rows, _) = lake_rows(&alone);
    assert!(
        !rows.is_empty() && rows.iter().all(|(_, t)| t == "Zoom.Activity"),
        "{}",
        rows.len()
    );

    // Nothing but part files, the manifests and the runs' lists of inputs: no temporary
    // files, no other names.
    for f in files_under(&lake) {
        let rel = f
            .strip_prefix(&lake)
            .expect("under")
            .to_string_lossy()
            .into_owned();
        let name = f.file_name().expect("name").to_string_lossy().into_owned();
        assert!(
            rel.starts_with("_normalog/runs/")
                || rel.starts_with("_normalog/inputs/")
                || (name.starts_with("part-") && name.ends_with(".parquet")),
            "{rel}"
        );
    }
}

#[test]
fn ndjson_directories_rerun_the_same_way() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = archive(tmp.path(), "a.jsonl", 600, "3d", 3);
    let lake = tmp.path().join("lake");
    let run = || ok(&["normalize", "-o", &format!("{}/", s(&lake)), s(&a)]);
    let lines = || -> usize {
        files_under(&lake)
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "ndjson"))
            .map(|f| std::fs::read_to_string(f).expect("read").lines().count())
            .sum()
    };
    run();
    assert_eq!(lines(), 600);
    run();
    assert_eq!(lines(), 600);
    // The same inputs in Parquet replace the NDJSON files, and a warning says the lake
    // changed format (a re-run that forgot `--format parquet` did so with a note).
    let out = ok(&["normalize", "--format", "parquet", "-o", s(&lake), s(&a)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "warning: replaced the earlier run of the same inputs, which wrote .ndjson files, \
             with .parquet files (--format)"
        ),
        "{err}"
    );
    assert_eq!(lines(), 0);
    assert_eq!(lake_rows(&lake).0.len(), 600);
}

#[test]
fn standard_input_appends() {
    // Standard input has no identity: each run adds its files.
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = archive(tmp.path(), "a.jsonl", 300, "1d", 4);
    let lake = tmp.path().join("lake");
    for _ in 0..2 {
        let o = Command::new(env!("CARGO_BIN_EXE_normalog"))
            .args(["normalize", "--format", "parquet", "-o", s(&lake)])
            .stdin(std::fs::File::open(&a).expect("open"))
            .output()
            .expect("run");
        assert!(o.status.success());
    }
    assert_eq!(lake_rows(&lake).0.len(), 600);
}

/// Inputs another run loaded into the lake, which this run does not supersede (that run
/// had inputs this one does not read again), are named in a warning: their rows are added
/// again. Re-running the same inputs, adding new ones alone, or reading again every input
/// of the earlier runs, says nothing of it.
#[test]
fn inputs_loaded_by_a_run_not_superseded_are_named() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = archive(tmp.path(), "a.jsonl", 500, "1d", 1);
    let b = archive(tmp.path(), "b.jsonl", 500, "1d", 2);
    let lake = tmp.path().join("lake");
    let run = |inputs: &[&Path]| {
        let mut args = vec!["normalize", "--format", "parquet", "-q", "-o", s(&lake)];
        args.extend(inputs.iter().map(|p| s(p)));
        String::from_utf8(ok(&args).stderr).expect("utf-8")
    };
    assert_eq!(run(&[&a]), "");
    assert_eq!(run(&[&a]), "");
    assert_eq!(run(&[&b]), "");
    // `a b` reads again every input of the runs `a` and `b`: it replaces both.
    assert_eq!(run(&[&a, &b]), "");
    assert_eq!(lake_rows(&lake).0.len(), 1000);
    // `a` alone: the run `a b` holds its rows already, so it commits nothing (it added
    // them a second time, with a warning).
    let refused = normalog(&[
        "normalize",
        "--format",
        "parquet",
        "-q",
        "-o",
        s(&lake),
        s(&a),
    ]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{err}");
    assert!(
        err.contains("nothing committed: the run ")
            && err.contains("read every input of this one, unchanged and 1 more"),
        "{err}"
    );
    assert_eq!(lake_rows(&lake).0.len(), 1000);
    // `a c` shares `a` with the run `a b` only: both stay, and `a`'s rows are added.
    let c = archive(tmp.path(), "c.jsonl", 200, "1d", 3);
    let err = run(&[&a, &c]);
    assert!(
        err.contains(&format!(
            "warning: {}: {} was loaded by an earlier run with inputs this run does not read \
             again (or before it changed, or under another path): its rows are added again",
            s(&lake),
            s(&a)
        )),
        "{err}"
    );
    assert_eq!(lake_rows(&lake).0.len(), 1700);
    // So does an input that changed since: it is another file.
    let d = archive(tmp.path(), "d.jsonl", 200, "1d", 4);
    assert_eq!(run(&[&d]), "");
    let mut grown = std::fs::read(&d).expect("read");
    grown.extend(std::fs::read(&d).expect("read"));
    std::fs::write(&d, grown).expect("write");
    let err = run(&[&d]);
    assert!(
        err.contains(&format!("{} was loaded by an earlier run", s(&d))),
        "{err}"
    );
    assert_eq!(lake_rows(&lake).0.len(), 1700 + 200 + 400);
}

/// An input moved or renamed since a run loaded it is the same file: a run of it alone
/// supersedes that run. Beside an input that is not read again, it is named with the path
/// it was loaded as (it said nothing, and every row was in the lake twice: review finding).
#[cfg(unix)]
#[test]
fn a_moved_input_is_known_by_its_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = archive(tmp.path(), "a.jsonl", 300, "1d", 1);
    let b = archive(tmp.path(), "b.jsonl", 200, "1d", 2);
    let lake = tmp.path().join("lake");
    let run = |inputs: &[&Path]| {
        let mut args = vec!["normalize", "--format", "parquet", "-q", "-o", s(&lake)];
        args.extend(inputs.iter().map(|p| s(p)));
        String::from_utf8(ok(&args).stderr).expect("utf-8")
    };
    assert_eq!(run(&[&a]), "");
    let moved = tmp.path().join("renamed.jsonl");
    std::fs::rename(&a, &moved).expect("move");
    assert_eq!(run(&[&moved]), "");
    assert_eq!(lake_rows(&lake).0.len(), 300);

    assert_eq!(run(&[&moved, &b]), "");
    let again = tmp.path().join("again.jsonl");
    std::fs::rename(&moved, &again).expect("move");
    let c = archive(tmp.path(), "c.jsonl", 100, "1d", 3);
    let err = run(&[&again, &c]);
    let was = std::fs::canonicalize(tmp.path())
        .expect("canonical")
        .join("renamed.jsonl");
    assert!(
        err.contains(&format!(
            "{} (loaded as {}) was loaded by an earlier run",
            s(&again),
            s(&was)
        )) && err.contains("its rows are added again"),
        "{err}"
    );
    assert_eq!(lake_rows(&lake).0.len(), 900);
}

/// A re-run whose every record is rejected (here: `-s` with a schema that fits none, which
/// leaves the built-in ones out), or a run that would supersede the earlier one, commits
/// nothing and keeps the earlier run's files: it
/// replaced them with none, and every row was gone, with the exit code of a few rejects
/// (review finding).
#[test]
fn a_rerun_rejecting_every_record_keeps_the_earlier_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (a, lake, before) = loaded_lake(tmp.path(), 300);
    let schemas = one_schema(
        tmp.path(),
        "schema: Custom.Never\nfields:\n  - {name: never, type: string, required: true}\n",
    );
    // The same inputs, and a run that would supersede the first (it reads `a` again).
    let b = archive(tmp.path(), "b.jsonl", 100, "1d", 2);
    for (inputs, rejected) in [(vec![s(&a)], 300), (vec![s(&a), s(&b)], 400)] {
        let mut args = vec!["normalize", "--format", "parquet", "-o", s(&lake)];
        args.extend(["-s", s(&schemas)]);
        args.extend(&inputs);
        let out = normalog(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!(
                "every record was rejected ({rejected}): nothing committed"
            )),
            "{err}"
        );
        let (after, _) = lake_rows(&lake);
        assert_eq!(after, before);
    }
    let hidden = hidden_files(&lake);
    assert!(hidden.is_empty(), "{hidden:?}");
}

/// A re-run that rejects records and writes nothing in tables the earlier run had rows in
/// (here: `-s` with a schema that fits the Zendesk records alone) commits nothing and
/// keeps the earlier files, unless `--allow-dropped-tables` (review finding: the three
/// tables' rows were removed, for one table of the wrong log type).
#[test]
fn a_rerun_dropping_tables_while_rejecting_records_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (a, lake, before) = loaded_lake(tmp.path(), 600);
    let schemas = one_schema(
        tmp.path(),
        "schema: Custom.Ids\nfields:\n  - {name: id, type: bigint, required: true}\n",
    );
    let rerun = |flags: &[&str]| {
        let mut args = vec!["normalize", "--format", "parquet", "-o", s(&lake)];
        args.extend(["-s", s(&schemas)]);
        args.extend(flags);
        args.push(s(&a));
        normalog(&args)
    };
    let out = rerun(&[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "zendesk_audit, zoom_activity, zoom_operation: the earlier run of these inputs \
             has rows in these tables and this run wrote none, while it rejected"
        ) && err.contains("nothing committed, and the earlier files are kept"),
        "{err}"
    );
    assert_eq!(lake_rows(&lake).0, before);
    let hidden = hidden_files(&lake);
    assert!(hidden.is_empty(), "{hidden:?}");

    let out = rerun(&["--allow-dropped-tables"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("their files were removed"), "{err}");
    let (after, _) = lake_rows(&lake);
    assert!(!after.is_empty() && after.len() < before.len());
    assert!(after.iter().all(|(_, lt)| lt == "Custom.Ids"), "{after:?}");
}

/// An archive `dir/a.jsonl` of `records` over a day, loaded into the Parquet lake
/// `dir/lake`: the archive, the lake and its rows.
fn loaded_lake(dir: &Path, records: u64) -> (PathBuf, PathBuf, Vec<(i64, String)>) {
    let a = archive(dir, "a.jsonl", records, "1d", 1);
    let lake = dir.join("lake");
    ok(&["normalize", "--format", "parquet", "-o", s(&lake), s(&a)]);
    let (rows, _) = lake_rows(&lake);
    (a, lake, rows)
}

/// A directory `dir/schemas` holding one schema, `yaml`.
fn one_schema(dir: &Path, yaml: &str) -> PathBuf {
    let schemas = dir.join("schemas");
    std::fs::create_dir_all(&schemas).expect("mkdir");
    std::fs::write(schemas.join("schema.yml"), yaml).expect("write");
    schemas
}

/// A copy of a file a run loaded, that kept its modification time (`cp -p`, a backup
/// restored), is another file, whose rows are added again: the warning names the file it
/// seems to copy (review finding: nothing was said, with --skip-loaded too).
#[test]
fn a_copy_of_a_loaded_file_is_named() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = archive(tmp.path(), "a.jsonl", 200, "1d", 1);
    let copy = tmp.path().join("restored.jsonl");
    copy_keeping_time(&a, &copy);
    for (n, flags) in [&[][..], &["--skip-loaded"][..]].into_iter().enumerate() {
        let lake = tmp.path().join(format!("lake{n}"));
        parquet_into(&lake, "hour", &[&a]);
        let mut args = vec!["normalize", "--format", "parquet", "-o", s(&lake)];
        args.extend(flags);
        args.push(s(&copy));
        let err = String::from_utf8(ok(&args).stderr).expect("utf-8");
        let was = std::fs::canonicalize(&a).expect("canonical");
        assert!(
            err.contains(&format!(
                "{} (loaded as {}, it seems: a copy, of the same size and modification time) \
                 was loaded by an earlier run",
                s(&copy),
                s(&was)
            )),
            "{flags:?}: {err}"
        );
    }
}

/// `--replace-changed`: a run of a file that changed since it was loaded (grown, touched,
/// fixed) replaces the earlier runs whose every input it reads again at the same path
/// (review finding: a touched or grown day file was loaded a second time, exit 0, and no
/// command took the copy out). A run of which this one does not read every input again is
/// kept, flag or not.
#[test]
fn replace_changed_replaces_the_earlier_load_of_a_changed_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let day = archive(tmp.path(), "day.jsonl", 300, "1d", 1);
    let more = archive(tmp.path(), "more.jsonl", 200, "1d", 2);
    let other = archive(tmp.path(), "other.jsonl", 100, "1d", 3);
    let lake = tmp.path().join("lake");
    let run = |flags: &[&str], inputs: &[&Path]| {
        let mut args = vec!["normalize", "--format", "parquet", "-o", s(&lake)];
        args.extend(flags);
        args.extend(inputs.iter().map(|p| s(p)));
        String::from_utf8(ok(&args).stderr).expect("utf-8")
    };
    let touch = |path: &Path, secs: u64| {
        let file = std::fs::File::options()
            .write(true)
            .open(path)
            .expect("open");
        let when = std::time::SystemTime::now() + std::time::Duration::from_secs(secs);
        file.set_modified(when).expect("set mtime");
    };
    assert_eq!(run(&["-q"], &[&day]), "");
    // The day file grew: with the flag, its earlier load is replaced.
    let mut grown = std::fs::read(&day).expect("read");
    grown.extend(std::fs::read(&more).expect("read"));
    std::fs::write(&day, grown).expect("write");
    let err = run(&["--replace-changed"], &[&day]);
    assert!(
        err.contains(
            "note: replaced the earlier run whose inputs this run read again, as they are \
             now (--replace-changed)"
        ),
        "{err}"
    );
    assert_eq!(lake_rows(&lake).0.len(), 500);
    // Touched (the same bytes, another modification time): without the flag its rows are
    // added again, and the warning names the flag.
    touch(&day, 10);
    let err = run(&[], &[&day]);
    assert!(
        err.contains("its rows are added again") && err.contains("with --replace-changed"),
        "{err}"
    );
    assert_eq!(lake_rows(&lake).0.len(), 1000);
    // A run with the flag takes out both copies.
    touch(&day, 20);
    assert_eq!(run(&["-q", "--replace-changed"], &[&day]), "");
    assert_eq!(lake_rows(&lake).0.len(), 500);
    // `day other`, then `day` changed: the run `day other` is not read again whole, so it
    // is kept, with the flag too.
    assert_eq!(run(&["-q"], &[&day, &other]), "");
    assert_eq!(lake_rows(&lake).0.len(), 600);
    touch(&day, 30);
    let err = run(&["--replace-changed"], &[&day]);
    assert!(err.contains("its rows are added again"), "{err}");
    assert_eq!(lake_rows(&lake).0.len(), 1100);

    // Diff review: a file emptied or cut (a rotation that made it anew) holds less than the
    // earlier run loaded: that run is kept, the flag or not (its rows were deleted).
    let cut = archive(tmp.path(), "cut.jsonl", 300, "1d", 4);
    assert_eq!(run(&["-q"], &[&cut]), "");
    let text = std::fs::read_to_string(&cut).expect("read");
    let half: String = text.split_inclusive('\n').take(100).collect();
    std::fs::write(&cut, half).expect("write");
    let err = run(&["--replace-changed"], &[&cut]);
    assert!(err.contains("its rows are added again"), "{err}");
    assert_eq!(lake_rows(&lake).0.len(), 1100 + 300 + 100);
    std::fs::write(&cut, "").expect("empty");
    run(&["-q", "--replace-changed"], &[&cut]);
    assert_eq!(lake_rows(&lake).0.len(), 1100 + 300 + 100);

    // What it cannot apply to is refused: with --skip-loaded (the unchanged inputs beside
    // a changed one would be skipped, and their run never replaced), standard input, a
    // file output.
    for (args, input, why) in [
        (
            vec![
                "--replace-changed",
                "--skip-loaded",
                "-o",
                s(&lake),
                s(&day),
            ],
            "",
            "--replace-changed and --skip-loaded cannot go together",
        ),
        (
            vec!["--replace-changed", "-o", s(&lake), "-"],
            "{}\n",
            "--replace-changed needs input files",
        ),
        (
            vec!["--replace-changed", "-o", "out.ndjson", s(&day)],
            "",
            "--replace-changed applies to a directory output",
        ),
    ] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_normalog"));
        cmd.arg("normalize")
            .args(&args)
            .current_dir(tmp.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("spawn");
        std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), input.as_bytes())
            .expect("stdin");
        let o = child.wait_with_output().expect("wait");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(why), "{err}");
    }
    assert_eq!(lake_rows(&lake).0.len(), 1100 + 300 + 100);
}
