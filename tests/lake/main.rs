//! The data lake from months of logs (issue 16): archives spanning months (`gen --span`),
//! the layouts' files, re-runs into the same directory, `--stats` on files.

#[path = "../util/mod.rs"]
mod util;

use std::path::Path;
use std::process::{Command, Output};

use util::files_under;

mod bookkeeping;
mod columns;
mod commit_failures;
mod compact;
mod files;
mod partitions;
mod rerun;
mod supersede;
mod supersede_failures;

fn normalog(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_normalog"))
        .args(args)
        .output()
        .expect("run normalog")
}

fn ok(args: &[&str]) -> Output {
    let o = normalog(args);
    assert!(
        o.status.success(),
        "normalog {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// The hidden files under `lake`: temporary and spill files a run left.
fn hidden_files(lake: &Path) -> Vec<std::path::PathBuf> {
    files_under(lake)
        .into_iter()
        .filter(|f| {
            f.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Write a generated archive of the shipped log types spread over `span`.
fn archive(dir: &Path, name: &str, records: u64, span: &str, seed: u64) -> std::path::PathBuf {
    archive_from(dir, name, records, span, seed, "2024-01-01")
}

/// A copy of `from` at `to` that keeps its modification time (`cp -p`, a backup restored,
/// an archive downloaded again): another file, of the same size and time.
fn copy_keeping_time(from: &Path, to: &Path) {
    std::fs::copy(from, to).expect("copy");
    set_modified(to, modified(from));
}

/// The modification time of `path`.
fn modified(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .expect("mtime")
}

/// Set the modification time of `path` to `time`.
fn set_modified(path: &Path, time: std::time::SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(time))
        .expect("set the time");
}

/// [`archive`] from the day `start`.
fn archive_from(
    dir: &Path,
    name: &str,
    records: u64,
    span: &str,
    seed: u64,
    start: &str,
) -> std::path::PathBuf {
    let path = dir.join(name);
    ok(&[
        "gen",
        "-n",
        &records.to_string(),
        "--span",
        span,
        "--start",
        start,
        "--seed",
        &seed.to_string(),
        "-o",
        s(&path),
    ]);
    path
}

/// The partition directories (relative) of the part files under `table`.
fn partitions(lake: &Path, table: &str) -> std::collections::BTreeSet<String> {
    let root = lake.join(table);
    files_under(&root)
        .iter()
        .map(|f| {
            f.parent()
                .expect("parent")
                .strip_prefix(&root)
                .expect("under the table")
                .display()
                .to_string()
        })
        .collect()
}

/// `(p_event_time, p_log_type)` of every row of every Parquet file under `lake`, sorted;
/// and the number of part files.
fn lake_rows(lake: &Path) -> (Vec<(i64, String)>, usize) {
    use arrow_array::cast::AsArray;
    use arrow_array::types::TimestampMicrosecondType;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let files: Vec<_> = files_under(lake)
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "parquet"))
        .collect();
    let mut rows = Vec::new();
    for f in &files {
        let file = std::fs::File::open(f).expect("open");
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .expect("parquet")
            .build()
            .expect("reader");
        for batch in reader {
            let batch = batch.expect("batch");
            let times = batch
                .column_by_name("p_event_time")
                .expect("p_event_time")
                .as_primitive::<TimestampMicrosecondType>()
                .clone();
            let types = batch
                .column_by_name("p_log_type")
                .expect("p_log_type")
                .as_string::<i32>()
                .clone();
            for i in 0..batch.num_rows() {
                rows.push((times.value(i), types.value(i).to_owned()));
            }
        }
    }
    rows.sort();
    (rows, files.len())
}

fn parquet_into(lake: &Path, partition: &str, inputs: &[&Path]) {
    let o = parquet_run(lake, partition, inputs);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// `normalize --format parquet --partition <partition> -o lake inputs`, whatever its outcome.
fn parquet_run(lake: &Path, partition: &str, inputs: &[&Path]) -> Output {
    let mut args = vec![
        "normalize",
        "--format",
        "parquet",
        "--partition",
        partition,
        "-o",
        s(lake),
    ];
    args.extend(inputs.iter().map(|p| s(p)));
    normalog(&args)
}

/// Part files of `table` under `lake` with their sizes, in part-number order.
fn parts_of(lake: &Path, table: &str, ext: &str) -> Vec<(String, u64)> {
    let mut parts: Vec<(u64, String, u64)> = files_under(&lake.join(table))
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == ext))
        .map(|f| {
            let name = f.file_name().expect("name").to_string_lossy().into_owned();
            let n: u64 = name
                .trim_end_matches(&format!(".{ext}"))
                .rsplit('-')
                .next()
                .and_then(|n| n.parse().ok())
                .expect("part number");
            let size = std::fs::metadata(&f).expect("metadata").len();
            (n, f.display().to_string(), size)
        })
        .collect();
    parts.sort();
    parts.into_iter().map(|(_, f, size)| (f, size)).collect()
}
