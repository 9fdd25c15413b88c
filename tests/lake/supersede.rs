//! A run that reads again every input of earlier runs supersedes them: its commit removes
//! their files, so that re-running a directory that gained files leaves one copy of each
//! event, as a fresh run of the directory would.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::pause::Paused;
use crate::{
    archive, archive_from, copy_keeping_time, hidden_files, lake_rows, modified, normalog, ok, s,
    set_modified,
};

/// `normalize --format parquet -o lake inputs…` with `flags`; its stderr.
pub(crate) fn run_into(lake: &Path, flags: &[&str], inputs: &[&Path]) -> String {
    let mut args = vec!["normalize", "--format", "parquet", "-o", s(lake)];
    args.extend(flags);
    args.extend(inputs.iter().map(|p| s(p)));
    String::from_utf8(ok(&args).stderr).expect("utf-8")
}

/// The ids of the runs listed in `lake/_normalog/<what>` (`runs` or `inputs`).
pub(crate) fn listed(lake: &Path, what: &str) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(lake.join("_normalog").join(what))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

#[test]
fn rerunning_a_directory_that_gained_files_leaves_one_copy_of_each_event() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let logs = tmp.path().join("logs");
    std::fs::create_dir(&logs).expect("mkdir");
    archive(&logs, "a.jsonl", 600, "3d", 1);
    let other = archive(tmp.path(), "other.jsonl", 250, "3d", 9);
    let lake = tmp.path().join("lake");

    assert_eq!(run_into(&lake, &[], &[&logs]), "");
    // Another run's input, outside the directory: never touched by the directory's runs.
    assert_eq!(run_into(&lake, &[], &[&other]), "");
    let (with_other, _) = lake_rows(&lake);
    assert_eq!(with_other.len(), 850);

    let more = [("b.jsonl", 2, "2024-01-04"), ("c.jsonl", 3, "2024-01-07")];
    for (day, (name, seed, start)) in more.into_iter().enumerate() {
        archive_from(&logs, name, 300, "3d", seed, start);
        let err = run_into(&lake, &[], &[&logs]);
        assert_eq!(
            err.lines().count(),
            1,
            "round {day}: only the note on the replaced run: {err}"
        );
        assert!(
            err.contains("note: replaced the earlier run whose inputs this run read again; its ")
                && err.trim_end().ends_with("files were removed"),
            "round {day}: {err}"
        );
        // The same rows as a fresh run of the directory, beside the other run's.
        let fresh = tmp.path().join(format!("fresh-{day}"));
        run_into(&fresh, &[], &[&logs, &other]);
        assert_eq!(lake_rows(&lake).0, lake_rows(&fresh).0, "round {day}");
        assert_eq!(lake_rows(&lake).0.len(), 850 + 300 * (day + 1));
        // Two runs left: the directory's latest and the other input's; no lists of
        // runs that are gone.
        assert_eq!(listed(&lake, "runs").len(), 2, "round {day}");
        assert_eq!(
            listed(&lake, "runs"),
            listed(&lake, "inputs"),
            "round {day}"
        );
    }
    let hidden: Vec<PathBuf> = hidden_files(&lake);
    assert!(hidden.is_empty(), "{hidden:?}");
}

/// The files of a run being superseded are not in the way of another layout: the commit
/// removes them. The other run's files still are.
#[test]
fn a_superseding_run_may_change_the_layout_of_what_it_replaces() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = archive(tmp.path(), "a.jsonl", 400, "2d", 1);
    let b = archive(tmp.path(), "b.jsonl", 300, "2d", 2);
    let lake = tmp.path().join("lake");
    run_into(&lake, &["--partition", "hour"], &[&a]);
    run_into(&lake, &["--partition", "day", "-q"], &[&a, &b]);
    let depths: std::collections::BTreeSet<usize> = crate::util::files_under(&lake)
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "parquet"))
        .map(|f| f.strip_prefix(&lake).expect("under").components().count())
        .collect();
    assert_eq!(depths, [5].into(), "table/year/month/day/file only");
    assert_eq!(lake_rows(&lake).0.len(), 700);

    // With a run of other inputs in the table, another layout is refused as before.
    let c = archive(tmp.path(), "c.jsonl", 100, "2d", 3);
    run_into(&lake, &["--partition", "day"], &[&c]);
    let o = normalog(&[
        "normalize",
        "--format",
        "parquet",
        "--partition",
        "hour",
        "-o",
        s(&lake),
        s(&a),
        s(&b),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(lake_rows(&lake).0.len(), 800);
}

/// Killed after its files are in place and before the run it supersedes is removed, a
/// commit is completed by the next run into the directory: the superseded files go then.
#[cfg(unix)]
#[test]
fn a_commit_cut_before_removing_what_it_supersedes_is_completed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = archive(tmp.path(), "a.jsonl", 500, "2d", 1);
    let b = archive(tmp.path(), "b.jsonl", 300, "2d", 2);
    let c = archive(tmp.path(), "c.jsonl", 200, "2d", 3);
    let lake = tmp.path().join("lake");
    run_into(&lake, &[], &[&a]);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_normalog"));
    cmd.args(["normalize", "--format", "parquet", "-q", "-o"])
        .args([s(&lake), s(&a), s(&b)]);
    let mut run = Paused::spawn(cmd, "supersede", tmp.path().join("paused"));
    run.child.kill().expect("kill -9");
    run.child.wait().expect("wait");
    // Both runs' files are in place: `a`'s rows twice, until the commit is completed.
    assert_eq!(lake_rows(&lake).0.len(), 500 + 800);

    let err = run_into(&lake, &[], &[&c]);
    assert!(err.contains("completed 1 commit"), "{err}");
    let fresh = tmp.path().join("fresh");
    run_into(&fresh, &[], &[&a, &b, &c]);
    assert_eq!(lake_rows(&lake).0, lake_rows(&fresh).0);
    assert_eq!(listed(&lake, "runs").len(), 2);
    assert_eq!(listed(&lake, "runs"), listed(&lake, "inputs"));
    let hidden = hidden_files(&lake);
    assert!(hidden.is_empty(), "{hidden:?}");
}

/// `--skip-loaded` reads only the files no run in the lake loaded (unchanged), as a run of
/// their own, and says how many it skipped; with nothing new it does nothing, and says so.
/// A full run of the directory afterwards supersedes those runs: one file per partition.
#[test]
fn skip_loaded_appends_the_new_files_and_a_full_run_compacts_them() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let logs = tmp.path().join("logs");
    std::fs::create_dir(&logs).expect("mkdir");
    let lake = tmp.path().join("lake");
    archive_from(&logs, "a.jsonl", 400, "2d", 1, "2024-01-01");
    assert_eq!(run_into(&lake, &["--skip-loaded"], &[&logs]), "");
    let err = run_into(&lake, &["--skip-loaded"], &[&logs]);
    assert_eq!(
        err.trim_end(),
        format!(
            "normalog: note: {}: nothing new: the input was loaded by a run still there, \
             unchanged (--skip-loaded)",
            s(&lake)
        )
    );
    assert_eq!(listed(&lake, "runs").len(), 1);

    // A new file: read alone, as a run of its own; the partitions it shares with the
    // first run get a second file.
    archive_from(&logs, "b.jsonl", 300, "2d", 2, "2024-01-01");
    let err = run_into(&lake, &["--skip-loaded"], &[&logs]);
    assert!(
        err.contains(
            "1 of the 2 inputs was loaded by a run still there, unchanged, and is skipped"
        ),
        "{err}"
    );
    assert_eq!(listed(&lake, "runs").len(), 2);
    let fresh = tmp.path().join("fresh");
    run_into(&fresh, &[], &[&logs]);
    assert_eq!(lake_rows(&lake).0, lake_rows(&fresh).0);
    let (_, fresh_files) = lake_rows(&fresh);
    let (_, files) = lake_rows(&lake);
    assert!(
        files > fresh_files,
        "{files} files: partitions in both runs"
    );

    // The whole directory without the flag: it reads every input of both runs again and
    // replaces them, one file per partition.
    run_into(&lake, &["-q"], &[&logs]);
    assert_eq!(lake_rows(&lake), lake_rows(&fresh));
    assert_eq!(listed(&lake, "runs").len(), 1);

    // Refused where it cannot apply.
    for (args, says) in [
        (
            vec!["normalize", "--skip-loaded", s(&logs)],
            "--skip-loaded applies to a directory output",
        ),
        (
            vec!["normalize", "--skip-loaded", "-o", s(&lake), "-"],
            "--skip-loaded needs input files",
        ),
    ] {
        let o = normalog(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

/// An input whose name holds a newline or a backslash is listed on one line: a later run of
/// its directory supersedes the run that loaded it (the newline cut its line in two, the run
/// had an input without a file, and each re-run of the directory added its rows again).
#[test]
fn inputs_named_with_a_newline_or_a_backslash_are_superseded() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let logs = tmp.path().join("logs");
    std::fs::create_dir(&logs).expect("mkdir");
    archive(&logs, "a\nb.jsonl", 300, "2d", 1);
    archive(&logs, "c\\nd.jsonl", 200, "2d", 2);
    let lake = tmp.path().join("lake");
    run_into(&lake, &["-q"], &[&logs]);
    archive(&logs, "e.jsonl", 100, "2d", 3);
    run_into(&lake, &["-q"], &[&logs]);
    let fresh = tmp.path().join("fresh");
    run_into(&fresh, &["-q"], &[&logs]);
    assert_eq!(listed(&lake, "runs").len(), 1);
    assert_eq!(lake_rows(&lake).0.len(), 600);
    assert_eq!(lake_rows(&lake).0, lake_rows(&fresh).0);
}

/// `dir` made anew holding copies of `files` that keep their modification times, as a
/// worker that syncs its archive afresh every day has it (`cp -p`, `aws s3 sync`): the same
/// paths, sizes and times, other inodes.
fn download_again(dir: &Path, files: &[&Path]) {
    if dir.exists() {
        std::fs::remove_dir_all(dir).expect("rm");
    }
    std::fs::create_dir(dir).expect("mkdir");
    for file in files {
        copy_keeping_time(file, &dir.join(file.file_name().expect("name")));
    }
}

/// A directory downloaded again every day, with a file more each day: each run supersedes
/// the one before and `--skip-loaded` skips the files loaded, as when the files stayed put
/// (review finding: with new inodes every file was a copy, and every row was added again
/// each day, exit 0: 600,000 rows for 400,000, then 1,200,000 for 600,000).
#[cfg(unix)]
#[test]
fn a_directory_downloaded_again_each_day_keeps_one_copy_of_each_event() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let archive_dir = tmp.path().join("archive");
    std::fs::create_dir(&archive_dir).expect("mkdir");
    let days = [
        archive_from(&archive_dir, "a.jsonl", 300, "2d", 1, "2024-01-01"),
        archive_from(&archive_dir, "b.jsonl", 200, "2d", 2, "2024-01-03"),
        archive_from(&archive_dir, "c.jsonl", 100, "2d", 3, "2024-01-05"),
    ];
    let synced = tmp.path().join("synced");
    let lake = tmp.path().join("lake");
    download_again(&synced, &[&days[0]]);
    run_into(&lake, &["-q"], &[&synced]);
    download_again(&synced, &[&days[0], &days[1]]);
    let err = run_into(&lake, &[], &[&synced]);
    assert!(
        err.contains("note: replaced the earlier run whose inputs this run read again"),
        "{err}"
    );
    assert!(!err.contains("warning"), "{err}");
    assert_eq!(lake_rows(&lake).0.len(), 500);
    assert_eq!(listed(&lake, "runs").len(), 1);

    // The next day with --skip-loaded: the two files loaded are skipped, the new one added.
    download_again(&synced, &[&days[0], &days[1], &days[2]]);
    let err = run_into(&lake, &["--skip-loaded"], &[&synced]);
    assert!(
        err.contains(
            "2 of the 3 inputs were loaded by a run still there, unchanged, and are skipped"
        ),
        "{err}"
    );
    assert_eq!(lake_rows(&lake).0.len(), 600);

    // Downloaded again, but another file of that name (a later export: another time): its
    // rows are added again, with the warning, as for any file that changed.
    download_again(&synced, &[&days[0]]);
    set_modified(&synced.join("a.jsonl"), std::time::SystemTime::now());
    let err = run_into(&lake, &[], &[&synced]);
    assert!(
        err.contains("their rows are added again") || err.contains("its rows are added again"),
        "{err}"
    );
    assert_eq!(lake_rows(&lake).0.len(), 900);
}

/// `path` compressed in place as gzip and zstd do it: `path.gz` (or `.zst`) with the
/// original's modification time, and the original removed.
fn compress_in_place(path: &Path, zst: bool) -> std::path::PathBuf {
    use std::io::Write;
    let data = std::fs::read(path).expect("read");
    let modified = modified(path);
    let mut name = path.as_os_str().to_owned();
    name.push(if zst { ".zst" } else { ".gz" });
    let target = std::path::PathBuf::from(name);
    let bytes = if zst {
        zstd::bulk::compress(&data, 3).expect("zstd")
    } else {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&data).expect("gzip");
        gz.finish().expect("gzip")
    };
    std::fs::write(&target, bytes).expect("write");
    set_modified(&target, modified);
    std::fs::remove_file(path).expect("rm");
    target
}

/// `path` (`x.gz` or `x.zst`) decompressed in place as `gunzip` and `zstd -d --rm` do:
/// `x` with the compressed file's modification time, the compressed file removed.
fn decompress_in_place(path: &Path) -> std::path::PathBuf {
    use std::io::Read;
    let data = std::fs::read(path).expect("read");
    let mut plain = Vec::new();
    let target = path.with_extension("");
    if path.extension().is_some_and(|e| e == "zst") {
        plain = zstd::stream::decode_all(&data[..]).expect("zstd");
    } else {
        flate2::read::GzDecoder::new(&data[..])
            .read_to_end(&mut plain)
            .expect("gzip");
    }
    std::fs::write(&target, plain).expect("write");
    set_modified(&target, modified(path));
    std::fs::remove_file(path).expect("rm");
    target
}

/// A loaded compressed log decompressed in place since (`gunzip day1.jsonl.gz`, `zstd -d
/// --rm`): its rows are the loaded file's, so `--skip-loaded` skips it and a run of the
/// directory replaces the run that loaded it (review s42-h2 F1: added again, for good,
/// without a word). A file of that name and another time is another input.
#[cfg(unix)]
#[test]
fn a_loaded_log_decompressed_in_place_is_not_loaded_again() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let logs = tmp.path().join("logs");
    std::fs::create_dir(&logs).expect("mkdir");
    let lake = tmp.path().join("lake");
    let day1 = archive_from(&logs, "day1.jsonl", 300, "1d", 1, "2024-01-01");
    let day1 = compress_in_place(&day1, false);
    let day2 = archive_from(&logs, "day2.jsonl", 200, "1d", 2, "2024-01-02");
    let day2 = compress_in_place(&day2, true);
    run_into(&lake, &["-q"], &[&logs]);
    decompress_in_place(&day1);
    decompress_in_place(&day2);
    archive_from(&logs, "day3.jsonl", 100, "1d", 3, "2024-01-03");
    let err = run_into(&lake, &["--skip-loaded"], &[&logs]);
    assert!(
        err.contains(
            "2 of the 3 inputs were loaded by a run still there, unchanged, and are skipped"
        ),
        "{err}"
    );
    assert_eq!(lake_rows(&lake).0.len(), 600);
    let err = run_into(&lake, &[], &[&logs]);
    assert!(err.contains("note: replaced 2 earlier runs"), "{err}");
    assert!(!err.contains("warning"), "{err}");
    assert_eq!(lake_rows(&lake).0.len(), 600);

    // Decompressed, then touched (another time): another input, added again with the
    // warning of an input loaded before.
    let lake2 = tmp.path().join("lake2");
    let day4 = archive_from(&logs, "day4.jsonl", 50, "1d", 4, "2024-01-04");
    let day4 = compress_in_place(&day4, false);
    run_into(&lake2, &["-q"], &[&day4]);
    let day4 = decompress_in_place(&day4);
    set_modified(&day4, modified(&day4) + std::time::Duration::from_secs(1));
    let err = run_into(&lake2, &["--skip-loaded"], &[&day4]);
    assert!(!err.contains("skipped"), "{err}");
    assert_eq!(lake_rows(&lake2).0.len(), 100);
}

/// A loaded log compressed in place since (logrotate's `compress`, `gzip day1.jsonl`; or
/// renamed first, `delaycompress`): `--skip-loaded` skips it as loaded, and a run of the
/// whole directory replaces the run that loaded it; each event stays in the lake once
/// (review finding: it was a new input, and its rows were added again, exit 0, with a note
/// that only the unchanged files were skipped).
#[cfg(unix)]
#[test]
fn a_loaded_log_compressed_in_place_is_not_loaded_again() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let logs = tmp.path().join("logs");
    std::fs::create_dir(&logs).expect("mkdir");
    let lake = tmp.path().join("lake");
    let day1 = archive_from(&logs, "day1.jsonl", 300, "1d", 1, "2024-01-01");
    let day2 = archive_from(&logs, "day2.jsonl", 200, "1d", 2, "2024-01-02");
    run_into(&lake, &["-q"], &[&logs]);

    compress_in_place(&day1, false);
    // Rotated as logrotate does by default: renamed, a new file made under the old name,
    // the rotated one compressed.
    let rotated = logs.join("day2.jsonl.1");
    std::fs::rename(&day2, &rotated).expect("rotate");
    archive_from(&logs, "day2.jsonl", 30, "1d", 7, "2024-01-02");
    compress_in_place(&rotated, true);
    archive_from(&logs, "day3.jsonl", 100, "1d", 3, "2024-01-03");
    let err = run_into(&lake, &["--skip-loaded"], &[&logs]);
    assert!(
        err.contains(
            "2 of the 4 inputs were loaded by a run still there, unchanged, and are skipped"
        ),
        "{err}"
    );
    assert_eq!(lake_rows(&lake).0.len(), 630);

    // The directory again, without the flag: it replaces both runs.
    let err = run_into(&lake, &[], &[&logs]);
    assert!(err.contains("note: replaced 2 earlier runs"), "{err}");
    assert!(!err.contains("warning"), "{err}");
    let fresh = tmp.path().join("fresh");
    run_into(&fresh, &["-q"], &[&logs]);
    assert_eq!(lake_rows(&lake), lake_rows(&fresh));

    // A compressed file of another content but the same time is another input.
    let day4 = archive_from(&logs, "day4.jsonl", 50, "1d", 4, "2024-01-04");
    run_into(&lake, &["-q"], &[&day4]);
    let time = modified(&day4);
    let other = archive_from(tmp.path(), "other.jsonl", 60, "1d", 5, "2024-01-04");
    std::fs::rename(&other, &day4).expect("replace");
    set_modified(&day4, time);
    compress_in_place(&day4, false);
    let err = run_into(&lake, &["--skip-loaded"], &[&logs]);
    assert!(
        err.contains("4 of the 5 inputs were loaded by a run still there"),
        "{err}"
    );

    // Another file of the same size and time, compressed (two exports whose times a sync
    // set to the same second): not the loaded one, whose rows stay (review finding: a run
    // of it replaced them, and --skip-loaded skipped it).
    let other = tmp.path().join("other");
    std::fs::create_dir(&other).expect("mkdir");
    let a = archive_from(&other, "a.jsonl", 80, "1d", 6, "2024-02-01");
    let text = std::fs::read_to_string(&a).expect("read");
    let b = other.join("b.jsonl");
    std::fs::write(&b, text.replacen("2024-02-01", "2024-02-02", 1)).expect("write");
    assert_eq!(
        std::fs::metadata(&a).expect("a").len(),
        std::fs::metadata(&b).expect("b").len()
    );
    set_modified(&b, modified(&a));
    let lake2 = tmp.path().join("lake2");
    run_into(&lake2, &["-q"], &[&a]);
    let b = compress_in_place(&b, false);
    let err = run_into(&lake2, &[], &[&b]);
    assert!(!err.contains("replaced"), "{err}");
    assert_eq!(lake_rows(&lake2).0.len(), 160);
    let err = run_into(&lake2, &["--skip-loaded"], &[&b, &a]);
    assert!(
        err.contains("2 of the 2 inputs") || err.contains("nothing new"),
        "{err}"
    );
    assert_eq!(lake_rows(&lake2).0.len(), 160);
}

/// Partitions removed while a run writes them (a retention job that did not wait): the
/// commit stops, saying that this run's temporary files were removed by something else,
/// not that its final file is missing (review finding); the next run completes the commit.
#[cfg(unix)]
#[test]
fn partitions_removed_under_a_commit_are_named_as_removed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = archive(tmp.path(), "a.jsonl", 500, "2d", 1);
    let lake = tmp.path().join("lake");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_normalog"));
    cmd.args([
        "normalize",
        "--format",
        "parquet",
        "--partition",
        "day",
        "-q",
        "-o",
    ])
    .args([s(&lake), s(&a)]);
    let run = Paused::spawn(cmd, "rename", tmp.path().join("paused"));
    let days: Vec<_> = crate::util::files_under(&lake)
        .into_iter()
        .filter_map(|f| f.parent().map(Path::to_path_buf))
        .filter(|d| d.ends_with("day=2"))
        .collect();
    assert!(!days.is_empty(), "the archive spans two days");
    for day in &days {
        let _ = std::fs::remove_dir_all(day);
    }
    let out = run.resume();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("was removed by something else while the run went"),
        "{err}"
    );
    assert!(!err.contains("No such file"), "{err}");
    let b = archive(tmp.path(), "b.jsonl", 10, "1d", 2);
    let err = run_into(&lake, &["--partition", "day"], &[&b]);
    assert!(err.contains("completed 1 commit"), "{err}");
    assert!(hidden_files(&lake).is_empty());
    // Review s42-h2 F2: the completed commit lacks the rows of the files removed, so its
    // input does not count as loaded: `--skip-loaded` reads it again (it was skipped as
    // loaded, and those rows were never in the lake), and the lake is then what a fresh
    // run of both inputs gives.
    assert!(
        err.contains("gone (removed while that run went): the runs it was to replace stay"),
        "{err}"
    );
    let err = run_into(&lake, &["--partition", "day", "--skip-loaded"], &[&a, &b]);
    assert!(
        err.contains("1 input loaded unchanged was read again"),
        "{err}"
    );
    let fresh = tmp.path().join("fresh");
    run_into(&fresh, &["--partition", "day"], &[&a, &b]);
    assert_eq!(lake_rows(&lake).0, lake_rows(&fresh).0);
    assert!(!lake
        .join("_normalog/incomplete")
        .read_dir()
        .is_ok_and(|mut d| d.next().is_some()));
}

/// A temporary file removed before the commit (a clean-up of the lake while the run
/// went): nothing is committed, and the run says so, rather than writing a journal that
/// the next run would complete without those rows (review s42-h2 F2).
#[cfg(unix)]
#[test]
fn a_temporary_file_removed_before_the_commit_commits_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = archive(tmp.path(), "a.jsonl", 300, "2d", 3);
    let lake = tmp.path().join("lake");
    // NDJSON: its part files are on disk while the run goes (Parquet's small files are
    // written at the commit).
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_normalog"));
    cmd.args(["normalize", "--format", "ndjson", "-q", "-o"])
        .arg(format!("{}/", s(&lake)))
        .arg(&a);
    let run = Paused::spawn(cmd, "commit", tmp.path().join("paused"));
    let hidden = hidden_files(&lake);
    let part = hidden
        .iter()
        .find(|f| f.to_string_lossy().contains("/.part-"))
        .expect("a temporary part file");
    std::fs::remove_file(part).expect("remove");
    let out = run.resume();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("nothing was committed; run again"), "{err}");
    let rows = || -> usize {
        crate::util::files_under(&lake)
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "ndjson"))
            .map(|f| std::fs::read_to_string(f).expect("read").lines().count())
            .sum()
    };
    // The run made the directory, and leaves none of it: no part file, no journal.
    assert!(!lake.exists(), "{:?}", crate::util::files_under(&lake));
    let out_dir = format!("{}/", s(&lake));
    let out = ok(&["normalize", "--format", "ndjson", "-o", &out_dir, s(&a)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("completed"), "{err}");
    assert_eq!(rows(), 300);
}

/// A run whose commit was completed with files missing covers no run of its inputs:
/// `--skip-loaded a` reads `a` again and commits, where it was refused as holding rows the
/// incomplete run has only in part (review s42-h5 LOW-2); all of its inputs again then
/// leave the rows of a fresh run.
#[cfg(unix)]
#[test]
fn an_incomplete_run_covers_no_run_of_its_inputs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = archive(tmp.path(), "a.jsonl", 400, "2d", 1);
    let b = archive(tmp.path(), "b.jsonl", 100, "2d", 2);
    let lake = tmp.path().join("lake");
    run_into(&lake, &["--partition", "day", "-q"], &[&a]);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_normalog"));
    cmd.args([
        "normalize",
        "--format",
        "parquet",
        "--partition",
        "day",
        "-q",
        "-o",
    ])
    .args([s(&lake), s(&a), s(&b)]);
    let run = Paused::spawn(cmd, "rename", tmp.path().join("paused"));
    for f in hidden_files(&lake) {
        if f.to_string_lossy().contains("/day=2/") {
            std::fs::remove_file(f).expect("remove");
        }
    }
    assert_eq!(run.resume().status.code(), Some(2));
    let err = run_into(&lake, &["--partition", "day", "--skip-loaded"], &[&a]);
    assert!(err.contains("completed 1 commit"), "{err}");
    assert!(!err.contains("nothing committed"), "{err}");
    run_into(&lake, &["--partition", "day", "--skip-loaded"], &[&a, &b]);
    let fresh = tmp.path().join("fresh");
    run_into(&fresh, &["--partition", "day", "-q"], &[&a, &b]);
    assert_eq!(lake_rows(&lake).0, lake_rows(&fresh).0);
}
