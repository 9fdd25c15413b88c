//! `normalog compact` on a lake a scheduled pull writes into: each partition's files of the
//! pull merged into one that keeps the pull's name (tag, last run and batch), so that every
//! record stays exactly once across later pulls, and a pull's files are left alone while
//! they may not be committed (its staging directory is there).

use std::fs::File;

use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::*;

/// Every `id` in the Parquet files of the lake, with how many times it appears; and how
/// many files there are.
fn parquet_ids(run: &PullDir) -> (BTreeMap<i64, usize>, usize) {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    let files: Vec<_> = run
        .data_files()
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "parquet"))
        .collect();
    let mut ids = BTreeMap::new();
    for f in &files {
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(f).expect("open"))
            .expect("parquet")
            .build()
            .expect("reader");
        for batch in reader {
            let batch = batch.expect("batch");
            let col = batch.column_by_name("id").expect("id column");
            for id in col.as_primitive::<Int64Type>().iter().flatten() {
                *ids.entry(id).or_default() += 1;
            }
        }
    }
    (ids, files.len())
}

fn compact(run: &PullDir) -> Output {
    Command::new(env!("CARGO_BIN_EXE_normalog"))
        .args(["compact", "-v"])
        .arg(run.out())
        .output()
        .expect("run compact")
}

/// 600 records, one every 30 s over the last five hours.
fn five_hours() -> Vec<Rec> {
    let now = now_secs();
    dataset(1, 600, 0, 1)
        .into_iter()
        .zip(0i64..)
        .map(|(r, i)| Rec {
            created_at: now - 5 * 3600 + i * 30 + 7,
            ..r
        })
        .collect()
}

const FLAGS: [&str; 6] = [
    "--format",
    "parquet",
    "--partition",
    "hour",
    "--batch-records",
    "40",
];

#[test]
fn merged_files_keep_every_record_once_across_later_pulls() {
    let records = five_hours();
    let fake = FakeZendesk::start(records.clone(), token_auth());
    let run = PullDir::new();
    let mut first = FLAGS.to_vec();
    first.extend(["--until", "2h"]);
    let out = run.pull(&fake, &first);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (ids, files) = parquet_ids(&run);

    let out = compact(&run);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (merged_ids, merged_files) = parquet_ids(&run);
    assert_eq!(merged_ids, ids);
    assert!(merged_files < files, "{merged_files} files of {files}");
    // One file per hour, named as the pull names its files.
    let names: Vec<String> = run
        .data_files()
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "parquet"))
        .map(|f| f.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    let tag = names[0].split('-').nth(1).expect("tag").to_owned();
    assert!(
        names
            .iter()
            .all(|n| n.starts_with(&format!("part-{tag}-1-"))),
        "{names:?}"
    );

    // The next pulls go on from the state: every record once, and again after compact.
    let out = run.pull(&fake, &FLAGS);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(parquet_ids(&run).0, expected(&records));
    let out = compact(&run);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(parquet_ids(&run).0, expected(&records));
    let out = run.pull(&fake, &FLAGS);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(parquet_ids(&run).0, expected(&records));
}

/// A pull that crashed after publishing a batch it had not committed leaves its staging
/// directory: its next run removes that batch's files (and pulls it again). Merged
/// first, the batch's rows would be in a file of a committed name, kept by that run, and
/// pulled again beside it.
#[test]
fn a_crashed_pulls_files_wait_for_its_next_run() {
    let records = five_hours();
    let fake = FakeZendesk::start(records.clone(), token_auth());
    let run = PullDir::new();
    let out = run.pull_env(&fake, &FLAGS, &[("NORMALOG_PULL_FAIL_AT", "after-sink:4")]);
    assert_eq!(out.status.code(), None, "crashed: {}", stderr(&out));
    assert_eq!(run.hidden_at_top(), 1, "its staging directory");
    let files_before: Vec<_> = run.data_files();

    let out = compact(&run);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is running or was interrupted"),
        "{}",
        stderr(&out)
    );
    assert_eq!(run.data_files(), files_before);

    let out = run.pull(&fake, &FLAGS);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(parquet_ids(&run).0, expected(&records));
    let (_, files) = parquet_ids(&run);
    let out = compact(&run);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (ids, merged) = parquet_ids(&run);
    assert_eq!(ids, expected(&records));
    assert!(merged < files, "{merged} files of {files}");
}

/// A pull that starts (its staging directory back) while a compaction merges its files: the
/// compaction commits none of them, as a pull recovering from a crash may have removed and
/// published again any of those names (review finding: a merged uncommitted file, under a
/// name above the committed batch, was removed by the pull's next recovery, with the
/// committed rows merged into it).
#[test]
fn a_pull_that_starts_while_its_files_merge_keeps_them() {
    let records = five_hours();
    let fake = FakeZendesk::start(records.clone(), token_auth());
    let run = PullDir::new();
    let out = run.pull(&fake, &FLAGS);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let files = run.data_files();
    let tag = files[0]
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.split('-').nth(1))
        .expect("a pull's part name")
        .to_owned();
    let marker = run.out().with_extension("pause-merge");
    let _ = std::fs::remove_file(&marker);
    let mut compact = Command::new(env!("CARGO_BIN_EXE_normalog"));
    compact
        .args(["compact"])
        .arg(run.out())
        .env("NORMALOG_TEST_PAUSE", format!("merge:{}", marker.display()))
        .stderr(std::process::Stdio::piped());
    let child = compact.spawn().expect("spawn");
    let until = std::time::Instant::now() + Duration::from_secs(60);
    while !marker.exists() {
        assert!(std::time::Instant::now() < until, "never paused");
        std::thread::sleep(Duration::from_millis(10));
    }
    let staging = run.out().join(format!(".pull-{tag}"));
    std::fs::create_dir(&staging).expect("staging");
    std::fs::remove_file(&marker).expect("resume");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is running or was interrupted"),
        "{}",
        stderr(&out)
    );
    assert_eq!(run.data_files(), files);
    std::fs::remove_dir(&staging).expect("rmdir");
    assert!(run.hidden_files().is_empty(), "{:?}", run.hidden_files());
    assert_eq!(parquet_ids(&run).0, expected(&records));
}
