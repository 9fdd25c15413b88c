//! Answers that are JSON but not what the walk needs: a page of offset pagination (no
//! `meta`), records newest first (`sort=created_at` ignored); and a server whose clock is
//! behind this machine's.

use super::*;

/// A page without `meta` (the shape of offset pagination: `next_page`, `previous_page`,
/// `count`) stops the pull with exit 5, the state as the last committed batch left it, and
/// the next run gets every record once. It was taken as the last page: the watermark moved
/// to the window's end, past the records never read (tester finding).
#[test]
fn a_page_without_meta_stops_the_pull() {
    let records = dataset(1, 250, now_secs() - 3600, 1);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    {
        let mut inner = fake.inner();
        inner.faults_after = 1;
        inner.faults.push_back(Fault::OffsetShape);
    }
    let run = PullDir::new();
    let flags = ["--page-size", "100", "--batch-records", "100"];
    let out = run.pull(&fake, &flags);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "GET {}/api/v2/audit_logs: not a cursor page: missing `meta.has_more`",
            fake.url
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(run.ids().len(), 100, "the first page's batch is committed");
    let out = run.pull(&fake, &flags);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
}

/// A page with an element that is not a record (`null`) among its records: that element
/// is rejected (exit 1), every record of the page is written, and the next run writes
/// none again. The page was one refused record: its 100 records were never written, and
/// the state moved past them (review finding).
#[test]
fn a_bad_element_loses_no_other_record_of_its_page() {
    let records = dataset(1, 250, now_secs() - 3600, 1);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    {
        let mut inner = fake.inner();
        inner.faults_after = 1;
        inner.faults.push_back(Fault::Element("null"));
    }
    let run = PullDir::new();
    let flags = ["--page-size", "100", "--batch-records", "100"];
    let out = run.pull(&fake, &flags);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("API record 100 of a batch: record 100 (line 1, byte ")
            && stderr(&out).contains("record is null, not a JSON object"),
        "{}",
        stderr(&out)
    );
    assert_eq!(run.ids(), expected(&records));
    let out = run.pull(&fake, &flags);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
}

/// `n` records from an hour ago, one every `every` seconds, ids from 1.
fn spaced(n: usize, every: i64) -> Vec<Rec> {
    let t0 = now_secs() - 3600;
    dataset(1, n, t0, 1)
        .into_iter()
        .enumerate()
        .map(|(i, r)| Rec {
            created_at: t0 + i64::try_from(i).expect("small") * every,
            ..r
        })
        .collect()
}

/// A server that ignores `sort=created_at` and answers newest first (the API's default)
/// is caught on its first page, before anything is committed, and the next run (the
/// server mended) gets every record once. Its first batch was committed with the
/// watermark at the newest record, and a run stopped after it (here, a server error) left
/// the next one to start there and skip the rest of the window (tester finding).
#[test]
fn records_newest_first_stop_the_pull_before_a_commit() {
    let records = spaced(250, 10);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    {
        let mut inner = fake.inner();
        inner.ignore_sort = true;
        inner.faults_after = 1;
        inner.faults.extend([Fault::Status(503); 5]);
    }
    let run = PullDir::new();
    let flags = [
        "--page-size",
        "50",
        "--batch-records",
        "50",
        "--attempts",
        "5",
    ];
    let out = run.pull(&fake, &flags);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("created_at goes backwards: record 249 of "),
        "{}",
        stderr(&out)
    );
    assert!(run.ids().is_empty(), "nothing committed");
    {
        let mut inner = fake.inner();
        inner.ignore_sort = false;
        inner.faults.clear();
    }
    let out = run.pull(&fake, &flags);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
}

/// Pages that show no order (one record each, or records of one second) do not move the
/// watermark until the walk has shown a record later than the one before it: a server
/// that answers newest first is caught only at its second page, after the first batch
/// was committed, and that commit must not have moved the watermark past the records not
/// read yet.
#[test]
fn pages_that_show_no_order_do_not_move_the_watermark() {
    let records = spaced(30, 60);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    fake.inner().ignore_sort = true;
    let run = PullDir::new();
    let flags = ["--page-size", "1", "--batch-records", "1"];
    let out = run.pull(&fake, &flags);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("created_at goes backwards: record 29 of "),
        "{}",
        stderr(&out)
    );
    assert_eq!(run.ids().len(), 1, "the first page's batch is committed");
    fake.inner().ignore_sort = false;
    let out = run.pull(&fake, &["--page-size", "10"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
}

/// Ids of any sign are deduplicated: a record with a negative id (or 0) read again by the
/// next run's overlap is dropped, as a positive one is. They did not fit the `u64` the
/// state kept ids as, went untracked, and were written again by every run that read them
/// (review finding). An id that is no integer (`"x7"`, which the schema refuses) is
/// tracked by its JSON text: rejected by the first run, not again by the next.
#[test]
fn records_with_negative_or_odd_ids_are_written_once() {
    let records = dataset(-50, 100, now_secs() - 300, 7);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    let odd: &'static str = Box::leak(
        format!(
            r#"{{"id":"x7","action":"update","created_at":"{}"}}"#,
            fake::server::rfc3339(now_secs() - 60)
        )
        .into_boxed_str(),
    );
    let run = PullDir::new();
    fake.inner().faults.push_back(Fault::Element(odd));
    let out = run.pull(&fake, &[]);
    assert_eq!(code(&out), 1, "the odd id is rejected: {}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
    // The next run reads them all again (its overlap), the odd one too.
    fake.inner().faults.push_back(Fault::Element(odd));
    let out = run.pull(&fake, &["--stats"]);
    assert_eq!(code(&out), 0, "nothing rejected again: {}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
    let state = std::fs::read_to_string(run.state()).expect("state");
    assert!(state.contains(r#""-50": "#), "{state}");
}

/// From cron (`-q`), a rejected record is said in one line, which cron mails: the
/// watermark moves past it and no later run reads it again, so it was lost without a word
/// (review finding). The rejects file keeps it until a run rejects records again: a later
/// run that rejects none leaves the file as it was (it was emptied).
#[test]
fn rejects_from_cron_are_said_and_kept() {
    let records = dataset(1, 40, now_secs() - 300, 7);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    let bad: &'static str = Box::leak(
        format!(
            r#"{{"id":9001,"actor_id":"not-a-number","created_at":"{}"}}"#,
            fake::server::rfc3339(now_secs() - 60)
        )
        .into_boxed_str(),
    );
    let run = PullDir::new();
    fake.inner().faults.push_back(Fault::Element(bad));
    let out = run.pull(&fake, &["-q"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "warning: 1 API record was rejected (the watermark moves past it); not kept: \
             give --rejects FILE to keep them"
        ),
        "{}",
        stderr(&out)
    );

    let rejects = run.dir.path().join("rejects.ndjson");
    let rejects_arg = rejects.to_str().expect("path");
    let run = PullDir::new();
    fake.inner().faults.push_back(Fault::Element(bad));
    let out = run.pull(&fake, &["-q", "--rejects", rejects_arg]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("written to {rejects_arg}")),
        "{}",
        stderr(&out)
    );
    let kept = std::fs::read_to_string(&rejects).expect("rejects");
    assert_eq!(kept.lines().count(), 1, "{kept}");
    assert!(kept.contains("not-a-number"), "{kept}");
    // The reject names the batch it came in (review finding: `<reader>`).
    let reject: serde_json::Value = serde_json::from_str(kept.trim()).expect("json");
    assert_eq!(
        reject["source"], "pull batch 1 of run 1 (audit_logs)",
        "{kept}"
    );
    // A run that rejects nothing: no word, and the file as it was.
    let out = run.pull(&fake, &["-q", "--rejects", rejects_arg]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    assert_eq!(std::fs::read_to_string(&rejects).expect("rejects"), kept);
    assert_eq!(run.ids(), expected(&records));
}

/// A record whose `created_at` the pull cannot read is remembered by its id, as the
/// warning says: a later run whose window holds it again drops it as read, where it was
/// emitted, and rejected, by every run (review s41-h2 LOW-1).
#[test]
fn a_record_with_an_unreadable_time_is_not_read_again() {
    let records = dataset(1, 20, now_secs() - 300, 7);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    let odd = r#"{"id":9002,"actor_id":1,"created_at":"07/12/2026 05:00"}"#;
    let run = PullDir::new();
    fake.inner().faults.push_back(Fault::Element(odd));
    let out = run.pull(&fake, &["-q"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("1 API record was rejected"),
        "{}",
        stderr(&out)
    );
    // The server answers it again (its own time is in the overlap of the next window).
    fake.inner().faults.push_back(Fault::Element(odd));
    let out = run.pull(&fake, &["-q"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    assert_eq!(run.ids(), expected(&records));
}

/// A machine whose clock runs ahead of the server's: the window ends at the server's now
/// (its `Date`) less `--lag`, not in the server's future. A record that becomes visible
/// after the first run, created inside `--lag` + `--overlap` before the server's now, is
/// read by the next run once. The position moved to this machine's now less the lag, two
/// minutes ahead of the server's, and the next run's window started after such a record:
/// it was never read, exit 0 and no word (review s48-h2 MEDIUM-1).
#[test]
fn a_clock_ahead_of_the_servers_loses_no_late_record() {
    let skew = 120;
    let server_now = now_secs() - skew;
    let mut records = dataset(1, 20, server_now - 600, 10);
    records.push(Rec {
        id: 900,
        created_at: server_now - 8,
        visible: false,
    });
    let fake = FakeZendesk::start(records.clone(), token_auth());
    fake.inner().clock_offset = -skew;
    let run = PullDir::new();
    let flags = ["--lag", "5s", "--overlap", "60s"];
    let out = run.pull(&fake, &flags);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
    assert!(
        stderr(&out).contains("the server's Date (")
            && stderr(&out).contains("behind this machine's clock"),
        "{}",
        stderr(&out)
    );
    for r in &mut fake.inner().records {
        r.visible = true;
    }
    let records = fake.inner().records.clone();
    let out = run.pull(&fake, &flags);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
}
