//! A table's columns across runs (review finding: a schema changed between runs into the
//! same lake was committed silently, and then broke readers): a column added is committed
//! with a warning that says how to read it; a column whose type changed, or one dropped,
//! is refused, nothing committed; a run that replaces every earlier file of the table
//! may change its columns.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::lake::{parquet_files, parquet_rows};
use crate::util::pause::Paused;
use crate::{normalog, s};

/// `Custom.App`: `a` (string), `actor_id` (`actor`), then `extra` fields, then its event time.
fn schema(dir: &Path, name: &str, actor: &str, extra: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(&path).expect("mkdir");
    std::fs::write(
        path.join("app.yml"),
        format!(
            "schema: Custom.App\nparser:\n  native:\n    name: Custom.App\nfields:\n  \
             - name: a\n    type: string\n  - name: actor_id\n    type: {actor}\n{extra}  \
             - name: time\n    type: timestamp\n    timeFormat: rfc3339\n    isEventTime: true\n"
        ),
    )
    .expect("schema");
    path
}

const BUSINESS_ID: &str = "  - name: business_id\n    type: bigint\n";

/// An input of one record at `hour` on 2024-01-01.
fn input(dir: &Path, name: &str, hour: u32, extra: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!(
            "{{\"a\":\"{name}\",\"actor_id\":7,{extra}\"time\":\"2024-01-01T{hour:02}:00:00Z\"}}\n"
        ),
    )
    .expect("input");
    path
}

/// `normalize` of the schemas of `schemas` into the Parquet lake `lake`, inputs to add.
fn lake_args<'a>(lake: &'a Path, schemas: &'a Path) -> Vec<&'a str> {
    vec![
        "normalize",
        "--format",
        "parquet",
        "-s",
        s(schemas),
        "-o",
        s(lake),
    ]
}

fn into_lake(lake: &Path, schemas: &Path, inputs: &[&Path]) -> std::process::Output {
    let mut args = lake_args(lake, schemas);
    args.extend(inputs.iter().map(|p| s(p)));
    normalog(&args)
}

/// [`into_lake`], which must succeed.
fn into_lake_ok(lake: &Path, schemas: &Path, inputs: &[&Path]) {
    let o = into_lake(lake, schemas, inputs);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Every committed file of the lake with its bytes.
fn snapshot(lake: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    parquet_files(lake)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(&f).expect("read");
            (f, bytes)
        })
        .collect()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_column_added_is_committed_with_a_warning() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let lake = t.join("lake");
    let v1 = schema(t, "v1", "bigint", "");
    let v2 = schema(t, "v2", "bigint", BUSINESS_ID);
    let o = into_lake(&lake, &v1, &[&input(t, "a", 10, "")]);
    assert!(o.status.success() && o.stderr.is_empty(), "{}", stderr(&o));
    // The same columns again: nothing to say.
    let o = into_lake(&lake, &v1, &[&input(t, "b", 11, "")]);
    assert!(o.status.success() && o.stderr.is_empty(), "{}", stderr(&o));

    let o = into_lake(&lake, &v2, &[&input(t, "c", 12, "\"business_id\":5,")]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("warning: "), "{err}");
    assert!(err.contains("custom_app"), "{err}");
    assert!(err.contains("column business_id "), "{err}");
    assert!(err.contains("union_by_name=true"), "{err}");
    assert!(err.contains("mergeSchema"), "{err}");
    // Every file is there, the new one with the new column.
    let rows = parquet_rows(&lake);
    assert_eq!(rows.len(), 3, "{rows:?}");
    let with: Vec<_> = rows.iter().filter(|r| r.contains("business_id")).collect();
    assert_eq!(with.len(), 1, "{rows:?}");
    assert!(with[0].contains("\"business_id\":5"), "{with:?}");

    // The next run of the new schema adds nothing more: no warning.
    let o = into_lake(&lake, &v2, &[&input(t, "d", 13, "")]);
    assert!(o.status.success() && o.stderr.is_empty(), "{}", stderr(&o));
}

#[test]
fn a_column_whose_type_changed_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let lake = t.join("lake");
    let v1 = schema(t, "v1", "bigint", "");
    into_lake_ok(&lake, &v1, &[&input(t, "a", 10, "")]);
    let before = snapshot(&lake);
    // Alone in its schemas, the log type is refused before the input is read; beside
    // another schema (the records may match either), at the commit.
    let changed = schema(t, "v3", "string", "");
    let beside = schema(t, "v3-beside", "string", "");
    std::fs::copy(
        env!("CARGO_MANIFEST_DIR").to_owned() + "/schemas/zoom/Activity.yml",
        beside.join("zoom.yml"),
    )
    .expect("copy");
    for schemas in [&changed, &beside] {
        let o = into_lake(&lake, schemas, &[&input(t, "b", 11, "")]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("custom_app"), "{err}");
        assert!(
            err.contains(
                "column `actor_id` is BIGINT in the earlier files and VARCHAR in this run"
            ),
            "{err}"
        );
        assert!(err.contains("nothing committed"), "{err}");
        assert!(err.contains("another directory"), "{err}");
        assert_eq!(snapshot(&lake), before, "{schemas:?}");
    }
}

#[test]
fn a_column_removed_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let lake = t.join("lake");
    let v2 = schema(t, "v2", "bigint", BUSINESS_ID);
    into_lake_ok(&lake, &v2, &[&input(t, "a", 10, "")]);
    let before = snapshot(&lake);
    // Removed, or renamed (a removal and an addition).
    let renamed = "  - name: businessId\n    type: bigint\n";
    for (name, extra) in [("v1", ""), ("renamed", renamed)] {
        let o = into_lake(
            &lake,
            &schema(t, name, "bigint", extra),
            &[&input(t, "b", 11, "")],
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains(
                "column `business_id` (BIGINT) of the earlier files is missing from this run"
            ),
            "{err}"
        );
        assert_eq!(snapshot(&lake), before, "{name}");
    }
}

/// Only the files that stay after the commit count: a run that supersedes every earlier
/// run of the table replaces it whole, and may change its columns; with another run's
/// files left, it may not.
#[test]
fn a_run_replacing_every_earlier_file_may_change_the_columns() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let lake = t.join("lake");
    let v1 = schema(t, "v1", "bigint", "");
    let (a, b) = (input(t, "a", 10, ""), input(t, "b", 11, ""));
    for i in [&a, &b] {
        into_lake_ok(&lake, &v1, &[i]);
    }
    let before = snapshot(&lake);
    let v3 = schema(t, "v3", "string", "");
    // `a` again with the new type: `b`'s run stays, of the old one.
    let o = into_lake(&lake, &v3, &[&a]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(snapshot(&lake), before);
    // `a` and `b` in one run: both earlier runs go, and the table has the new type only.
    let o = into_lake(&lake, &v3, &[&a, &b]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    let rows = parquet_rows(&lake);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows.iter().all(|r| r.contains("\"actor_id\":\"7\"")),
        "{rows:?}"
    );
}

/// Two runs of different columns started together into an empty table: each finds no
/// earlier file when it starts, and the second to commit is refused, as the check is made
/// again under the commit lock.
#[cfg(unix)]
#[test]
fn a_run_of_other_columns_committed_meanwhile_is_seen_at_the_commit() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let lake = t.join("lake");
    let v3 = schema(t, "v3", "string", "");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_normalog"));
    cmd.args([
        "normalize",
        "--format",
        "parquet",
        "-s",
        s(&v3),
        "-o",
        s(&lake),
    ])
    .arg(input(t, "a", 10, ""));
    let run = Paused::spawn(cmd, "commit", t.join("paused"));
    let v1 = schema(t, "v1", "bigint", "");
    into_lake_ok(&lake, &v1, &[&input(t, "b", 11, "")]);
    let before = snapshot(&lake);
    let o = run.resume();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("column `actor_id` is BIGINT"), "{err}");
    assert_eq!(snapshot(&lake), before);
}

/// [`into_lake`] of `records` from standard input: a run without an identity, whose
/// files no manifest lists.
fn stdin_into_lake(lake: &Path, schemas: &Path, records: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_normalog"))
        .args(lake_args(lake, schemas))
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run normalog");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(records.as_bytes())
        .expect("write");
    child.wait_with_output().expect("wait")
}

/// In a table written from standard input alone (no manifest names its files), a run is
/// checked against the newest file: a column whose type a later run changed is refused,
/// wherever the walk of the partitions meets the older files (review finding: the first
/// file met was the one compared, an older one without the column, and the run was
/// committed with a warning that the earlier files lack the column, leaving it of two types).
#[test]
fn a_column_type_changed_in_a_table_from_standard_input_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let lake = t.join("lake");
    let line = |hour: u32, extra: &str| {
        format!("{{\"a\":\"x\",\"actor_id\":7,{extra}\"time\":\"2024-01-01T{hour:02}:00:00Z\"}}\n")
    };
    let v1 = schema(t, "v1", "bigint", "");
    let first: String = (0..8).map(|h| line(h, "")).collect();
    assert!(stdin_into_lake(&lake, &v1, &first).status.success());
    let as_string = schema(
        t,
        "v2",
        "bigint",
        "  - name: business_id\n    type: string\n",
    );
    let o = stdin_into_lake(&lake, &as_string, &line(8, "\"business_id\":\"7\","));
    assert!(o.status.success(), "{}", stderr(&o));
    let before = snapshot(&lake);
    let as_bigint = schema(t, "v3", "bigint", BUSINESS_ID);
    let o = stdin_into_lake(&lake, &as_bigint, &line(9, "\"business_id\":7,"));
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("column `business_id` is VARCHAR in the earlier files and BIGINT in this run"),
        "{err}"
    );
    assert_eq!(snapshot(&lake), before);
}

/// A table of a named run and runs from standard input: the newer of the named run's file
/// and the newest standard-input file stands for the table. The standard-input files were
/// not looked at while a named run had files there, so a second standard-input run that
/// changed the type of the column the first one added was committed, with a warning that
/// it added the column, and Spark then failed on every read (review s43-h2 F1).
#[test]
fn standard_input_runs_beside_a_named_run_are_checked_against_each_other() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let lake = t.join("lake");
    let v1 = schema(t, "v1", "bigint", "");
    into_lake_ok(&lake, &v1, &[&input(t, "a", 10, "")]);
    let line = |hour: u32, extra: &str| {
        format!("{{\"a\":\"x\",\"actor_id\":7,{extra}\"time\":\"2024-01-01T{hour:02}:00:00Z\"}}\n")
    };
    let as_string = schema(
        t,
        "v2",
        "bigint",
        "  - name: business_id\n    type: string\n",
    );
    let o = stdin_into_lake(&lake, &as_string, &line(11, "\"business_id\":\"7\","));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("business_id"), "{}", stderr(&o));
    let before = snapshot(&lake);
    let as_bigint = schema(t, "v3", "bigint", BUSINESS_ID);
    let o = stdin_into_lake(&lake, &as_bigint, &line(12, "\"business_id\":7,"));
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("column `business_id` is VARCHAR in the earlier files and BIGINT in this run"),
        "{err}"
    );
    assert_eq!(snapshot(&lake), before);
    // A run that drops the column is refused too (the named run's file lacks it).
    let o = stdin_into_lake(&lake, &v1, &line(13, ""));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(snapshot(&lake), before);
    // And a named run after them is checked against the newest file, theirs.
    let o = into_lake(
        &lake,
        &as_bigint,
        &[&input(t, "b", 14, "\"business_id\":7,")],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// A column added is said once, by the run that adds it: beside standard-input files that
/// lack it, every later run said it again (review s43-h6 MEDIUM-B).
#[test]
fn a_column_added_beside_standard_input_files_is_said_once() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let lake = t.join("lake");
    let v1 = schema(t, "v1", "bigint", "");
    into_lake_ok(&lake, &v1, &[&input(t, "a", 10, "")]);
    let line = "{\"a\":\"x\",\"actor_id\":7,\"time\":\"2024-01-01T11:00:00Z\"}\n";
    assert!(stdin_into_lake(&lake, &v1, line).status.success());
    let v2 = schema(t, "v2", "bigint", BUSINESS_ID);
    let o = into_lake(&lake, &v2, &[&input(t, "c", 12, "\"business_id\":5,")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("added the column business_id"),
        "{}",
        stderr(&o)
    );
    let o = into_lake(&lake, &v2, &[&input(t, "d", 13, "\"business_id\":6,")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("added the column"), "{}", stderr(&o));
}
