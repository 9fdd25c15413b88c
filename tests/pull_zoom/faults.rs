//! Faults of the API: expired and repeating page tokens, rate limits and their
//! `Retry-After`, server errors, resets.

use super::*;
use crate::fake::pull::assert_urls_without_query;

#[test]
fn an_expired_page_token_restarts_the_window() {
    let records = both(100, 50, 4);
    let fake = FakeZoom::start(records.clone());
    {
        let mut inner = fake.inner();
        inner.faults_after = 3;
        inner.faults.push_back(Fault::ExpireTokens);
    }
    let run = PullDir::new();
    let out = run.pull(&fake, &["--page-size", "10", "--stats"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("windows restarted (page token expired): 1"),
        "{}",
        stderr(&out)
    );
    assert_eq!(run.events(), expected(&records));
    let log = fake.report_log();
    let i = log.iter().position(|l| l.status == 400).expect("a 400");
    assert!(log[i].param("next_page_token").is_some());
    assert!(log[i + 1].param("next_page_token").is_none(), "from page 1");
}

#[test]
fn a_repeating_page_token_stops_the_stream() {
    let fake = FakeZoom::start(both(100, 1, 0));
    {
        // The third page of the first day with records answers its own token again.
        let mut inner = fake.inner();
        inner.faults_after = 2;
        inner.faults.push_back(Fault::RepeatToken);
    }
    let run = PullDir::new();
    let flags = [
        "--page-size",
        "10",
        "--since",
        "2d",
        "--log-type",
        "activity",
    ];
    let out = run.pull(&fake, &flags);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(stderr(&out).contains("came back twice"), "{}", stderr(&out));
    assert!(fake.report_log().len() < 10, "no spinning");
}

/// A 429 with this `Retry-After` (some seconds ahead) is waited out, never retried early.
fn honours_retry_after(form: RetryAfter) {
    let records = both(20, 1, 0);
    let fake = FakeZoom::start(records.clone());
    {
        let mut inner = fake.inner();
        inner.faults_after = 1;
        inner.faults.push_back(Fault::TooMany(form));
    }
    let run = PullDir::new();
    let out = run.pull(&fake, &["--page-size", "10"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.events(), expected(&records));
    let log = fake.report_log();
    let i = log.iter().position(|l| l.status == 429).expect("a 429");
    let gap = log[i + 1].at.duration_since(log[i].at);
    // Dates have whole seconds: "2 s ahead" is at least just over 1 s.
    let floor = match form {
        RetryAfter::Seconds(s) => Duration::from_secs(s),
        _ => Duration::from_secs(1),
    };
    assert!(gap >= floor, "retried after {gap:?}");
}

#[test]
fn retry_after_in_seconds() {
    honours_retry_after(RetryAfter::Seconds(1));
}

#[test]
fn retry_after_as_http_date() {
    honours_retry_after(RetryAfter::HttpDate(2));
}

#[test]
fn retry_after_as_zoom_rfc3339_instant() {
    honours_retry_after(RetryAfter::Rfc3339(2));
}

#[test]
fn rate_limited_past_max_wait_exits_4_with_state_saved() {
    let records = both(30, 1, 0);
    let fake = FakeZoom::start(records.clone());
    {
        let mut inner = fake.inner();
        // Two day windows of activity pass, then a daily-limit storm.
        inner.faults_after = 2;
        for _ in 0..10 {
            inner
                .faults
                .push_back(Fault::TooMany(RetryAfter::Rfc3339(3600)));
        }
    }
    let run = PullDir::new();
    let out = run.pull(&fake, &["--max-wait", "5s"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(stderr(&out).contains("--max-wait"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "GET {}/v2/report/activities: still rate",
            fake.url
        )),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains(
            "still rate limited (429) (X-RateLimit-Type: Daily-limit: the day's quota is \
             spent): the server asks to wait"
        ),
        "{}",
        stderr(&out)
    );
    assert_urls_without_query(&stderr(&out), &fake.url);
    assert!(run.state().exists(), "the committed windows are saved");
    fake.inner().faults.clear();
    let out = run.pull(&fake, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.events(), expected(&records));
}

/// 429s without `Retry-After` past `--max-wait`: the wait said is the backoff's, not the
/// server's (review s48-h2 LOW-1: "the server asks to wait 32.0 s" of a server that asked
/// nothing).
#[test]
fn a_backoff_without_retry_after_is_not_called_the_servers() {
    let fake = FakeZoom::start(both(5, 1, 0));
    {
        let mut inner = fake.inner();
        for _ in 0..10 {
            inner.faults.push_back(Fault::TooMany(RetryAfter::Missing));
        }
    }
    let run = PullDir::new();
    let out = run.pull(&fake, &["--max-wait", "3s"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("still rate limited (429): no Retry-After: the backoff waits"),
        "{}",
        stderr(&out)
    );
    // `Retry-After: 0` is a header that asks for no wait, not a missing one.
    {
        let mut inner = fake.inner();
        inner.faults.clear();
        for _ in 0..10 {
            inner
                .faults
                .push_back(Fault::TooMany(RetryAfter::Seconds(0)));
        }
    }
    let out = PullDir::new().pull(&fake, &["--max-wait", "3s"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("(429): Retry-After \"0\" asks for no wait: the backoff waits"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn server_errors_and_resets_are_retried() {
    let records = both(25, 1, 0);
    let fake = FakeZoom::start(records.clone());
    {
        let mut inner = fake.inner();
        inner.faults_after = 1;
        for f in [
            Fault::Status(503),
            Fault::Reset,
            Fault::Status(500),
            Fault::Status(502),
            Fault::TooMany(RetryAfter::Missing),
        ] {
            inner.faults.push_back(f);
        }
    }
    let run = PullDir::new();
    let out = run.pull(&fake, &["--page-size", "10"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.events(), expected(&records));
}

#[test]
fn a_burst_longer_than_the_tries_exits_5() {
    let fake = FakeZoom::start(both(5, 1, 0));
    for _ in 0..6 {
        fake.inner().faults.push_back(Fault::Status(503));
    }
    let run = PullDir::new();
    // One report: with both, the other goes on (see `isolation.rs`).
    let out = run.pull(&fake, &["--log-type", "activity"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("server error 503 after 6 tries"),
        "{}",
        stderr(&out)
    );
    assert_urls_without_query(&stderr(&out), &fake.url);
    assert_eq!(fake.report_log().len(), 6);
    assert!(!run.state().exists());
}

/// Server errors past the tries on a page asked for with a page token: the message names
/// the URL without its query, the token included.
#[test]
fn a_burst_on_a_later_page_names_the_url_without_its_token() {
    let fake = FakeZoom::start(both(25, 1, 0));
    {
        let mut inner = fake.inner();
        // Each report's first page, then the activity report's second.
        inner.faults_after = 2;
        for _ in 0..6 {
            inner.faults.push_back(Fault::Status(503));
        }
    }
    let run = PullDir::new();
    let out = run.pull(&fake, &["--page-size", "10", "--window-days", "30"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let failed = fake.report_log()[2].clone();
    assert_eq!(failed.path, "/v2/report/activities");
    assert!(
        failed.param("next_page_token").is_some(),
        "a later page failed"
    );
    assert!(
        stderr(&out).contains(&format!(
            "GET {}/v2/report/activities: server error 503 after 6 tries",
            fake.url
        )),
        "{}",
        stderr(&out)
    );
    assert_urls_without_query(&stderr(&out), &fake.url);
}

/// A run that stops partway (here: server errors past the tries, after its first window)
/// keeps the position where it was: the windows it re-read within the overlap do not move
/// it back. It moved back to the first window's end, and the next run read back further
/// than the state remembered and emitted those days' records again (review finding).
#[test]
fn a_run_stopped_partway_does_not_move_the_position_back() {
    let now = now_secs();
    let records = dataset(Kind::Activity, 1, 300, now - 6 * 86_400, 1, 0)
        .into_iter()
        .enumerate()
        .map(|(i, r)| Rec {
            time: now - 6 * 86_400 + (i as i64) * 1700,
            ..r
        })
        .collect::<Vec<_>>();
    let fake = FakeZoom::start(records.clone());
    let run = PullDir::new();
    let flags = ["--log-type", "activity", "--since", "7d"];
    let out = run.pull(&fake, &flags);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.events(), expected(&records));
    let state = std::fs::read_to_string(run.state()).expect("state");
    {
        let mut inner = fake.inner();
        inner.faults_after = inner.report_requests + 2;
        for _ in 0..6 {
            inner.faults.push_back(Fault::Status(503));
        }
    }
    let out = run.pull(&fake, &flags);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let watermark = |text: &str| -> String {
        let v: serde_json::Value = serde_json::from_str(text).expect("json");
        v["streams"]["activity"]["watermark"]
            .as_str()
            .expect("watermark")
            .to_owned()
    };
    let after = std::fs::read_to_string(run.state()).expect("state");
    assert_eq!(watermark(&after), watermark(&state));
    let out = run.pull(&fake, &flags);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.events(), expected(&records));
}

/// A wider `--overlap-days` than the last run's does not read back before what the state
/// remembers (those records would be emitted again): the run says so and reads from there.
#[test]
fn a_wider_overlap_reads_back_only_what_the_state_remembers() {
    let now = now_secs();
    let records = dataset(Kind::Activity, 1, 200, now - 6 * 86_400, 1, 0)
        .into_iter()
        .enumerate()
        .map(|(i, r)| Rec {
            time: now - 6 * 86_400 + (i as i64) * 2500,
            ..r
        })
        .collect::<Vec<_>>();
    let fake = FakeZoom::start(records.clone());
    let run = PullDir::new();
    let out = run.pull(&fake, &["--log-type", "activity", "--since", "7d"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = run.pull(&fake, &["--log-type", "activity", "--overlap-days", "5"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--overlap-days 5 reaches back before what the state remembers"),
        "{}",
        stderr(&out)
    );
    assert_eq!(run.events(), expected(&records));
}

/// A first `--since` nearer than the overlap: the next runs read back only to it, and
/// say nothing, since nothing before it was ever emitted (review finding: every run
/// warned, for two days, of an overlap the user never changed).
#[test]
fn an_overlap_reaching_before_the_first_since_is_not_warned_of() {
    let now = now_secs();
    let records = dataset(Kind::Activity, 1, 120, now - 86_400, 1, 0)
        .into_iter()
        .enumerate()
        .map(|(i, r)| Rec {
            time: now - 20 * 3600 + (i as i64) * 500,
            ..r
        })
        .collect::<Vec<_>>();
    let fake = FakeZoom::start(records.clone());
    let run = PullDir::new();
    let out = run.pull(&fake, &["--log-type", "activity", "--since", "1d"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    for _ in 0..2 {
        let out = run.pull(&fake, &["--log-type", "activity"]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert!(!stderr(&out).contains("reaches back"), "{}", stderr(&out));
    }
    assert_eq!(run.events(), expected(&records));
}

/// A server (or a proxy) that echoes the credentials in an error message: no form of any
/// of them reaches the output. The bare access token and the bare base64 of
/// `CLIENT_ID:SECRET` were printed (review finding).
#[test]
fn credentials_echoed_in_an_error_body_are_redacted() {
    let basic = fake::server::b64(format!("{CLIENT_ID}:{SECRET}").as_bytes());
    for status in [400, 404] {
        let fake = FakeZoom::start(both(5, 1, 0));
        fake.inner().faults.push_back(Fault::Echo(status));
        let run = PullDir::new();
        let out = run.pull(&fake, &[]);
        assert_eq!(code(&out), 5, "{}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("Authorization: ***"), "{err}");
        for secret in [
            basic.as_str(),
            basic.trim_end_matches('='),
            SECRET,
            MINTED_TOKEN,
        ] {
            assert!(!err.contains(secret), "{secret} printed: {err}");
        }
    }
}

/// An `--api-base` that holds the API's path (`…/v2`, as Zoom writes its base URL) is
/// refused before any request, with the fix; and an error names the URL requested, a
/// base's own path included (tester finding: `/v2/v2/report/activities` was requested, and
/// the 404 named `/v2/report/activities`).
#[test]
fn a_base_url_with_the_api_path_is_refused_and_errors_name_the_url_requested() {
    let fake = FakeZoom::start(both(5, 1, 0));
    let run = PullDir::new();
    for base in [format!("{}/v2", fake.url), format!("{}/v2/", fake.url)] {
        let out = run.pull(&fake, &["--api-base", &base]);
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!(
                "--api-base {base}: give the base without /v2 (e.g. https://api.zoom.us)"
            )),
            "{}",
            stderr(&out)
        );
    }
    assert!(fake.inner().log.is_empty());
    assert!(!run.state().exists());

    let base = format!("{}/proxy", fake.url);
    let out = run.pull(&fake, &["--api-base", &base]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("GET {base}/v2/report/activities: 404: ")),
        "{}",
        stderr(&out)
    );
}

/// An `--oauth-base` that holds the token path (`…/oauth`, `…/oauth/token`) is refused
/// before any request, and a token endpoint that answers 404 names `--oauth-base`, not the
/// credentials (review finding: "Zoom refused the app's credentials (404)", exit 3).
#[test]
fn an_oauth_base_with_the_token_path_or_none_there_is_named() {
    let fake = FakeZoom::start(both(5, 1, 0));
    let run = PullDir::new();
    for (base, path) in [
        (format!("{}/oauth", fake.url), "/oauth"),
        (format!("{}/oauth/token/", fake.url), "/oauth/token"),
    ] {
        let out = run.pull(&fake, &["--oauth-base", &base]);
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!(
                "--oauth-base {base}: give the base without {path} (e.g. https://zoom.us)"
            )),
            "{}",
            stderr(&out)
        );
    }
    assert!(fake.inner().log.is_empty());

    let base = format!("{}/proxy", fake.url);
    let out = run.pull(&fake, &["--oauth-base", &base]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("POST {base}/oauth/token: 404: ")),
        "{err}"
    );
    assert!(
        err.contains("; no OAuth token endpoint there: check --oauth-base"),
        "{err}"
    );
    assert!(!err.contains("refused"), "{err}");
    assert!(!run.state().exists());
}

/// A 200 that is not a page of the report (Zoom's error shape `{"code":300,"message":…}`,
/// or a page without its records field) stops the pull with exit 5, saying what is missing
/// and what Zoom said, and the state stays before the day not read: the next run gets
/// every record. It was read as an empty page: the window counted as drained, the run
/// exited 0 and the watermark moved past a day never read (tester finding).
#[test]
fn an_answer_without_the_records_field_stops_the_pull() {
    let now = now_secs();
    let records = dataset(Kind::Activity, 1, 300, now - 6 * 86_400, 1, 0)
        .into_iter()
        .enumerate()
        .map(|(i, r)| Rec {
            time: now - 6 * 86_400 + (i as i64) * 1700,
            ..r
        })
        .collect::<Vec<_>>();
    for (fault, says) in [
        (
            Fault::ErrorIn200,
            "not a report page (missing field `activity_logs`); Zoom answered code 300: \
             Report is being generated, try later",
        ),
        (
            Fault::NoRecordsField,
            "not a report page (missing field `activity_logs`); the state holds",
        ),
    ] {
        let fake = FakeZoom::start(records.clone());
        {
            // The third day's window: two are committed before it.
            let mut inner = fake.inner();
            inner.faults_after = 2;
            inner.faults.push_back(fault);
        }
        let run = PullDir::new();
        let flags = ["--log-type", "activity", "--since", "7d"];
        let out = run.pull(&fake, &flags);
        assert_eq!(code(&out), 5, "{fault:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("GET {}/v2/report/activities: {says}", fake.url)),
            "{fault:?}: {}",
            stderr(&out)
        );
        let out = run.pull(&fake, &flags);
        assert_eq!(code(&out), 0, "{fault:?}: {}", stderr(&out));
        assert_eq!(run.events(), expected(&records), "{fault:?}");
    }
}

/// A page whose records field is `null` (an empty range, so answered) is a page without
/// records: the run goes on and the next one too (review finding: every run stopped with
/// exit 5 and "missing field `activity_logs`", a field that was there).
#[test]
fn a_null_records_field_is_a_page_without_records() {
    // Sign-ins two days ago only: the other day windows, and today's, are empty.
    let records = dataset(Kind::Activity, 1, 20, now_secs() - 2 * 86_400, 1, 0);
    let fake = FakeZoom::start(records.clone());
    fake.inner().null_when_empty = true;
    let run = PullDir::new();
    for _ in 0..2 {
        let out = run.pull(&fake, &[]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert_eq!(run.events(), expected(&records));
    }
    // The operation logs have no record: each of their pages was `null`.
    assert!(fake
        .report_log()
        .iter()
        .any(|r| r.path == "/v2/report/operationlogs"));
}

/// Identical records are separate events in Zoom's reports: pages that hold only records
/// read before in the window do not stop the walk (review s43-h5 MEDIUM-1: five identical
/// sign-ins a page each stopped it with exit 5, on every rerun).
#[test]
fn pages_of_identical_records_are_read_to_the_end() {
    let records = dataset(Kind::Activity, 1, 1, now_secs() - 3_600, 1, 0);
    let mut five = Vec::new();
    for _ in 0..5 {
        five.extend(records.iter().cloned());
    }
    let fake = FakeZoom::start(five.clone());
    let run = PullDir::new();
    let out = run.pull(&fake, &["--page-size", "1", "--log-type", "activity"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.events(), expected(&five));
}

/// A server that answers the same page again with a new page token each time is stopped
/// (exit 5) once one record has come more than 100 times in the window: it was followed
/// forever, every copy committed as a new event (review s43-h6 MEDIUM-A).
#[test]
fn the_same_page_with_new_page_tokens_stops_the_walk() {
    let records = dataset(Kind::Activity, 1, 3, now_secs() - 3_600, 1, 0);
    let fake = FakeZoom::start(records);
    for _ in 0..2000 {
        fake.inner().faults.push_back(Fault::Stale);
    }
    let run = PullDir::new();
    let flags = [
        "--page-size",
        "1",
        "--log-type",
        "activity",
        "--window-days",
        "30",
    ];
    let out = run.pull(&fake, &flags);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the same record came 101 times in the window"),
        "{}",
        stderr(&out)
    );
    assert!(
        fake.inner().faults.len() > 1000,
        "{} left",
        fake.inner().faults.len()
    );
}
