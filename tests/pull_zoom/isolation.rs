//! One report that Zoom keeps serving badly does not starve the other: the run pulls the
//! other, commits what the failing one read, and exits 5 naming it; the next run, once
//! Zoom serves it again, completes it with every record exactly once. And a batch longer
//! than the record limit is normalized whole, not rejected as one record.

use super::*;

/// `n` records of each report from two days ago, one every 48 minutes (30 a day).
fn two_days(n: usize) -> Vec<Rec> {
    spaced(n, 2_880)
}

fn of(records: &[Rec], kind: Kind) -> Vec<Rec> {
    records.iter().filter(|r| r.kind == kind).cloned().collect()
}

#[test]
fn a_report_refused_from_its_first_page_does_not_stop_the_other() {
    let records = two_days(60);
    let fake = FakeZoom::start(records.clone());
    fake.inner().broken = Some((Kind::Activity, 0, Fault::Status(503)));
    let run = PullDir::new();
    let out = run.pull(&fake, &["--page-size", "10"]);
    let err = stderr(&out);
    assert_eq!(code(&out), 5, "{err}");
    assert!(
        err.contains(&format!(
            "Zoom.Activity: GET {}/v2/report/activities: server error 503 after 6 tries",
            fake.url
        )),
        "{err}"
    );
    assert!(err.contains("Zoom.Operation pulled and committed"), "{err}");
    assert_eq!(run.events(), expected(&of(&records, Kind::Operation)));

    // Zoom serves the report again: the next run reads it from its start.
    fake.inner().broken = None;
    let out = run.pull(&fake, &["--page-size", "10"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.events(), expected(&records));
}

/// The activity report fails on the fourth page of its one window, with records of the
/// window read and partly written (batches of 15 from pages of 10): they are committed with the report's
/// position, so that the operation report's commits (which commit every batch written so
/// far) leave no batch the activity report would write again.
#[test]
fn a_report_failing_within_a_window_commits_what_it_read_and_the_rerun_completes_it() {
    let records = two_days(60);
    let fake = FakeZoom::start(records.clone());
    fake.inner().broken = Some((Kind::Activity, 3, Fault::NoRecordsField));
    let run = PullDir::new();
    let flags = [
        "--page-size",
        "10",
        "--batch-records",
        "15",
        "--window-days",
        "30",
    ];
    let out = run.pull(&fake, &flags);
    let err = stderr(&out);
    assert_eq!(code(&out), 5, "{err}");
    assert!(err.contains("Zoom.Activity: GET "), "{err}");
    assert!(err.contains("Zoom.Operation pulled and committed"), "{err}");
    let first = run.events();
    assert!(first.values().all(|&n| n == 1), "{first:?}");
    let activity = first.keys().filter(|k| k.0 == "Zoom.Activity").count();
    assert_eq!(activity, 30, "the three pages read: {first:?}");
    let operation: BTreeMap<Key, usize> = first
        .into_iter()
        .filter(|(k, _)| k.0 == "Zoom.Operation")
        .collect();
    assert_eq!(operation, expected(&of(&records, Kind::Operation)));

    fake.inner().broken = None;
    let out = run.pull(&fake, &flags);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.events(), expected(&records));
}

/// To a single file (replaced by each run, its state saved when the run ends): the first
/// run's file holds the operation report and what the activity report read; the second
/// run's file holds the rest, and no record is in both.
#[test]
fn to_a_single_file_the_two_runs_hold_every_record_once() {
    let records = two_days(60);
    let fake = FakeZoom::start(records.clone());
    fake.inner().broken = Some((Kind::Activity, 3, Fault::NoRecordsField));
    let run = PullDir::new();
    let file = run.dir.path().join("zoom.ndjson");
    let file = file.to_str().expect("utf-8");
    let flags = [
        "--page-size",
        "10",
        "--batch-records",
        "15",
        "--window-days",
        "30",
        "-o",
        file,
    ];
    let out = run.pull(&fake, &flags);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let mut all: BTreeMap<Key, usize> = BTreeMap::new();
    let count = |all: &mut BTreeMap<Key, usize>| {
        for line in std::fs::read_to_string(file).expect("read").lines() {
            *all.entry(key_of(line)).or_default() += 1;
        }
    };
    count(&mut all);
    assert_eq!(all.len(), 60 + 30, "{all:?}");

    fake.inner().broken = None;
    let out = run.pull(&fake, &flags);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    count(&mut all);
    assert_eq!(all, expected(&records));
}

/// A batch's records add up to far more than the record limit (here lowered to 4 KiB:
/// 16 MiB by default, which 10,000 records of 2 KB pass): every record is written, none
/// rejected. The batch was one page, rejected whole as one `too_long` record, and the
/// watermark moved past its records (review s43-h4 HIGH-1).
#[test]
fn a_batch_longer_than_the_record_limit_is_written_whole() {
    let records = both(400, 1, 0);
    let fake = FakeZoom::start(records.clone());
    let run = PullDir::new();
    let flags = [
        "--page-size",
        "300",
        "--batch-records",
        "1000",
        "--max-record-bytes",
        "4096",
        "--stats",
    ];
    let out = run.pull(&fake, &flags);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert!(err.contains("0 rejected"), "{err}");
    assert_eq!(run.events(), expected(&records));
}
