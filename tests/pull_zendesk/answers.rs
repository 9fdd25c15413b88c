//! Answers that are JSON but not what the walk needs: a page of offset pagination (no
//! `meta`), records newest first (`sort=created_at` ignored).

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
