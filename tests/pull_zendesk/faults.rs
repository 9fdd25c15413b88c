//! Faults of the API: rate limits and their `Retry-After`, server errors, resets, a cursor
//! that repeats.

use super::*;
use crate::fake::pull::assert_urls_without_query;

/// A 429 with this `Retry-After` (1 s ahead) is waited out, never retried early.
/// 429s that keep asking to wait nothing (`Retry-After: 0`, or an instant already past)
/// are waited out with the backoff, which --max-wait bounds: the run ends with exit 4.
/// With the jitter alone, once --max-wait was spent, it asked again at once, forever
/// (review s43-h4 HIGH-2).
#[test]
fn retry_after_zero_is_backed_off_and_bounded_by_max_wait() {
    let fake = FakeZendesk::start(dataset(1, 5, now_secs() - 100, 1), token_auth());
    for _ in 0..1000 {
        fake.inner()
            .faults
            .push_back(Fault::TooMany(RetryAfter::Seconds(0)));
    }
    let run = PullDir::new();
    let out = run.pull(&fake, &["--max-wait", "3s"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(stderr(&out).contains("--max-wait"), "{}", stderr(&out));
    // Waits of 2 s and more: at most two 429s fit in 3 s.
    assert!(
        fake.inner().faults.len() >= 997,
        "{} left",
        fake.inner().faults.len()
    );
}

/// Pages that keep claiming more, each with a cursor never given before, but holding only
/// records already read in this walk: the pull stops (exit 5) at the third such page in a
/// row. It followed the cursors forever (review s43-h4 MEDIUM-1).
#[test]
fn pages_of_records_already_read_stop_the_walk() {
    // One record, so that its page again does not go back in time (which stops the walk
    // on its own).
    let fake = FakeZendesk::start(dataset(1, 1, now_secs() - 100, 1), token_auth());
    {
        let mut inner = fake.inner();
        for _ in 0..1000 {
            inner.faults.push_back(Fault::Stale);
        }
    }
    let run = PullDir::new();
    let out = run.pull(&fake, &["--page-size", "10"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("three pages in a row that claim more but hold nothing new"),
        "{}",
        stderr(&out)
    );
    assert!(
        fake.inner().faults.len() >= 990,
        "{} left",
        fake.inner().faults.len()
    );
}

/// An answer larger than the client reads is refused once, saying so: it was downloaded
/// again on every try, and the message spoke of a "request limit" (review s43-h4 LOW-4).
#[test]
fn an_answer_over_the_size_limit_is_not_tried_again() {
    let fake = FakeZendesk::start(dataset(1, 1, now_secs() - 100, 1), token_auth());
    fake.inner().faults.push_back(Fault::Huge);
    let run = PullDir::new();
    let out = run.pull(&fake, &["--attempts", "5"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the answer (status 200) is larger than 64 MiB"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fake.inner().log.len(), 1);
}

fn honours_retry_after(form: RetryAfter) {
    let records = dataset(1, 20, now_secs() - 100, 1);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    {
        let mut inner = fake.inner();
        inner.faults_after = 1;
        inner.faults.push_back(Fault::TooMany(form));
    }
    let run = PullDir::new();
    let out = run.pull(&fake, &["--page-size", "10"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
    let log = fake.inner().log.clone();
    let i = log.iter().position(|l| l.status == 429).expect("a 429");
    let gap = log[i + 1].at.duration_since(log[i].at);
    // HTTP dates have whole seconds: "1 s ahead" can be as little as just over 0 s.
    let floor = match form {
        RetryAfter::Seconds(s) => Duration::from_secs(s),
        _ => Duration::from_millis(1),
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
fn retry_after_as_rfc3339() {
    honours_retry_after(RetryAfter::Rfc3339(2));
}

/// A `Retry-After` that fits in `--max-wait` is waited out, whatever the jitter: the run
/// gave up at once when the header asked for all of it (review finding), and its message
/// said "1 s more, after 4 s" of a 5 s limit (whole seconds of waits that had jitter).
#[test]
fn a_retry_after_as_long_as_max_wait_is_waited_out() {
    let records = dataset(1, 20, now_secs() - 100, 1);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    {
        let mut inner = fake.inner();
        inner.faults_after = 1;
        inner
            .faults
            .push_back(Fault::TooMany(RetryAfter::Seconds(2)));
    }
    let run = PullDir::new();
    let out = run.pull(&fake, &["--page-size", "10", "--max-wait", "2s"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
}

#[test]
fn requests_are_paced_when_the_rate_limit_is_nearly_spent() {
    let records = dataset(1, 30, now_secs() - 100, 1);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    fake.inner().remaining = 20; // of 700: under 5 %
    let run = PullDir::new();
    let out = run.pull(&fake, &["--page-size", "10"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
    let log = fake.inner().log.clone();
    assert_eq!(log.len(), 3);
    for w in log.windows(2) {
        let gap = w[1].at.duration_since(w[0].at);
        assert!(gap >= Duration::from_millis(950), "paced by 1 s: {gap:?}");
    }
}

#[test]
fn rate_limited_past_max_wait_exits_4_with_state_saved() {
    let records = dataset(1, 30, now_secs() - 100, 1);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    {
        let mut inner = fake.inner();
        inner.faults_after = 2;
        for _ in 0..10 {
            inner
                .faults
                .push_back(Fault::TooMany(RetryAfter::Seconds(60)));
        }
    }
    let run = PullDir::new();
    let out = run.pull(
        &fake,
        &[
            "--page-size",
            "10",
            "--batch-records",
            "10",
            "--max-wait",
            "5s",
        ],
    );
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(stderr(&out).contains("--max-wait"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "GET {}/api/v2/audit_logs: still rate limited",
            fake.url
        )),
        "{}",
        stderr(&out)
    );
    assert_urls_without_query(&stderr(&out), &fake.url);
    // Two batches were committed before the storm.
    assert_eq!(run.ids().len(), 20);
    assert!(run.state().exists());
    // Later, without the storm, the rest arrives exactly once.
    fake.inner().faults.clear();
    let out = run.pull(&fake, &["--page-size", "10"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
}

#[test]
fn server_errors_and_resets_are_retried() {
    let records = dataset(1, 25, now_secs() - 100, 1);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    {
        let mut inner = fake.inner();
        inner.faults_after = 1;
        for f in [
            Fault::Status(503),
            Fault::Reset,
            Fault::Status(500),
            Fault::Status(502),
        ] {
            inner.faults.push_back(f);
        }
    }
    let run = PullDir::new();
    let out = run.pull(&fake, &["--page-size", "10"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
}

#[test]
fn a_burst_longer_than_the_tries_exits_5() {
    let fake = FakeZendesk::start(dataset(1, 5, now_secs() - 100, 1), token_auth());
    for _ in 0..6 {
        fake.inner().faults.push_back(Fault::Status(503));
    }
    let run = PullDir::new();
    let out = run.pull(&fake, &[]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "GET {}/api/v2/audit_logs: server error 503 after 6 tries",
            fake.url
        )),
        "{}",
        stderr(&out)
    );
    assert_urls_without_query(&stderr(&out), &fake.url);
    assert_eq!(fake.inner().log.len(), 6);
    assert!(!run.state().exists());
}

#[test]
fn a_repeating_cursor_stops_the_stream() {
    let fake = FakeZendesk::start(dataset(1, 50, now_secs() - 100, 1), token_auth());
    {
        let mut inner = fake.inner();
        inner.faults_after = 2;
        inner.faults.push_back(Fault::RepeatCursor);
    }
    let run = PullDir::new();
    let out = run.pull(&fake, &["--page-size", "10"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(stderr(&out).contains("came back twice"), "{}", stderr(&out));
    assert!(fake.inner().log.len() < 10, "no spinning");
}

/// A stop asked while the pull waits out a 429 ends the wait at once: exit 130, the state
/// as it was. The wait went on to the end (up to `--max-wait`, 15 minutes by default) and
/// the run then exited 4 (review finding).
#[cfg(unix)]
#[test]
fn sigint_during_a_rate_limit_wait_stops_at_once() {
    let records = dataset(1, 20, now_secs() - 100, 1);
    let fake = FakeZendesk::start(records, token_auth());
    {
        let mut inner = fake.inner();
        for _ in 0..20 {
            inner
                .faults
                .push_back(Fault::TooMany(RetryAfter::Seconds(30)));
        }
    }
    let run = PullDir::new();
    let mut cmd = run.command(&fake, &["--max-wait", "40s"], &[]);
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    // The first request is answered 429 at once; the run then waits 30 s.
    let until = std::time::Instant::now() + Duration::from_secs(20);
    while fake.inner().log.is_empty() {
        assert!(std::time::Instant::now() < until, "no request");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(code(&out), 130, "{}", stderr(&out));
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the stop waited for the rate limit: {:?}",
        started.elapsed()
    );
    assert!(!run.state().exists());
}

/// Records a server serves past the end of the range asked for (it ignored the filter, or
/// its clock is ahead) are dropped and counted: passed on, they were events after `--until`,
/// and they moved the saved position into the future, so later runs read nothing until
/// then (review finding).
#[test]
fn records_past_the_range_asked_for_are_dropped() {
    let now = now_secs();
    let mut records = dataset(1, 10, now - 300, 1);
    let future = dataset(100, 4, now + 86_400, 1);
    records.extend(future);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    fake.inner().ignore_range_end = true;
    let run = PullDir::new();
    let out = run.pull(&fake, &["--stats"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("4 outside the window"),
        "{}",
        stderr(&out)
    );
    let in_range: Vec<Rec> = records.iter().filter(|r| r.id < 100).cloned().collect();
    assert_eq!(run.ids(), expected(&in_range));
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.state()).expect("state")).expect("json");
    let watermark = state["streams"]["audit_logs"]["watermark"]
        .as_str()
        .expect("watermark");
    let at = chrono::DateTime::parse_from_rfc3339(watermark).expect("rfc 3339");
    assert!(at.timestamp() <= now_secs(), "{watermark}");
}

/// A case of [`credentials_echoed_in_an_error_body_are_redacted`]: the auth, the status of
/// the echo, the flags and the environment.
type EchoCase<'a> = (AuthMode, u16, &'a [&'a str], &'a [(&'a str, &'a str)]);

/// A server (or a proxy) that echoes the credentials in an error body: no form of any of
/// them reaches the output. Only whole header values were redacted, and the bare base64 of
/// `EMAIL/token:TOKEN` and the bare OAuth access token were printed (review finding).
#[test]
fn credentials_echoed_in_an_error_body_are_redacted() {
    let basic = fake::server::b64(format!("{EMAIL}/token:{TOKEN}").as_bytes());
    let oauth = AuthMode::OAuth {
        client_id: "cli".into(),
        secret: "client-secret-xyz".into(),
        ttl_requests: None,
    };
    let cases: [EchoCase<'_>; 3] = [
        (token_auth(), 400, &[], &[]),
        (
            oauth,
            404,
            &["--client-id", "cli"],
            &[("ZENDESK_CLIENT_SECRET", "client-secret-xyz")],
        ),
        (
            AuthMode::Bearer("ready-token-123".into()),
            400,
            &["--bearer-env", "MY_TOKEN"],
            &[("MY_TOKEN", "ready-token-123")],
        ),
    ];
    for (auth, status, flags, env) in cases {
        let fake = FakeZendesk::start(dataset(1, 5, now_secs() - 100, 1), auth);
        fake.inner().faults.push_back(Fault::Echo(status));
        let run = PullDir::new();
        let out = run.pull_env(&fake, flags, env);
        assert_eq!(code(&out), 5, "{}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(&format!("{status}: ")), "{err}");
        assert!(err.contains("Authorization: ***"), "{err}");
        for secret in [
            basic.as_str(),
            basic.trim_end_matches('='),
            TOKEN,
            MINTED_TOKEN,
            "client-secret-xyz",
            "ready-token-123",
        ] {
            assert!(!err.contains(secret), "{secret} printed: {err}");
        }
    }
}

/// A server that accepts the connection and never answers: Ctrl-C stops the pull at once,
/// without waiting for the request's timeout (pull review finding: a SIGINT took the whole
/// 60 s request timeout), and `--request-timeout` sets that timeout.
#[cfg(unix)]
#[test]
fn a_stop_does_not_wait_for_a_request_that_hangs() {
    use std::time::{Duration, Instant};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let hanging = format!("http://{}", listener.local_addr().expect("addr"));
    // Connections accepted and held open, never answered.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            held.push(conn);
        }
    });
    let fake = FakeZendesk::start(Vec::new(), token_auth());
    let run = PullDir::new();
    let mut child = run
        .command(
            &fake,
            &["--base-url", &hanging, "--request-timeout", "300s", "-q"],
            &[],
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(500));
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
    let signalled = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if signalled.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("still waiting for the hung request 30 s after SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut err)
        .expect("stderr");
    assert_eq!(status.code(), Some(130), "{err}");

    // The timeout: a request unanswered for 1 s is a failed try, retried, then given up.
    let out = run.pull(
        &fake,
        &[
            "--base-url",
            &hanging,
            "--request-timeout",
            "1s",
            "--attempts",
            "5",
        ],
    );
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    // Named by the flag, not by the HTTP client's word for its timer ("global").
    assert!(
        stderr(&out).contains("no whole answer within --request-timeout"),
        "{}",
        stderr(&out)
    );
    assert_urls_without_query(&stderr(&out), &hanging);
}

/// A success whose body is not JSON (cut short, a proxy's page) is tried again, as a server
/// error is (review finding: the first one ended the pull with exit 5).
#[test]
fn answers_that_are_not_json_are_tried_again() {
    let records = dataset(1, 25, now_secs() - 100, 1);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    {
        let mut inner = fake.inner();
        inner.faults_after = 1;
        inner.faults.extend([Fault::CutShort, Fault::Html]);
    }
    let run = PullDir::new();
    let out = run.pull(&fake, &["--page-size", "10"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
}

/// A success whose body is not JSON, again and again: given up after the tries, saying so.
#[test]
fn answers_that_are_never_json_exit_5_after_the_tries() {
    let fake = FakeZendesk::start(dataset(1, 5, now_secs() - 100, 1), token_auth());
    for _ in 0..6 {
        fake.inner().faults.push_back(Fault::CutShort);
    }
    let run = PullDir::new();
    let out = run.pull(&fake, &[]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("an answer 200 that is not JSON after 6 tries"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fake.inner().log.len(), 6);
}

/// A base URL that holds the API's path (`…/api/v2`) is refused before any request, with
/// the fix; and an error names the URL requested, a base's own path included (tester
/// finding: `/api/v2/api/v2/audit_logs` was requested, and the 404 named
/// `/api/v2/audit_logs`).
#[test]
fn a_base_url_with_the_api_path_is_refused_and_errors_name_the_url_requested() {
    let fake = FakeZendesk::start(dataset(1, 5, now_secs() - 100, 1), token_auth());
    let run = PullDir::new();
    for base in [
        format!("{}/api/v2", fake.url),
        format!("{}/api/v2/", fake.url),
    ] {
        let out = run.pull(&fake, &["--base-url", &base]);
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!(
                "--base-url {base}: give the base without /api/v2 (e.g. https://acme.zendesk.com)"
            )),
            "{}",
            stderr(&out)
        );
    }
    assert!(fake.inner().log.is_empty());
    assert!(!run.state().exists());

    let base = format!("{}/proxy", fake.url);
    let out = run.pull(&fake, &["--base-url", &base]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("GET {base}/api/v2/audit_logs: 404: ")),
        "{}",
        stderr(&out)
    );
}

/// A proxy of the environment is not used for an `http://` (loopback) base URL: it would get
/// the credentials in clear text (review finding: `HTTPS_PROXY` took the request, the token
/// with it, and the run failed with a 502 after its tries).
#[test]
fn a_loopback_base_url_never_goes_through_a_proxy() {
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    proxy.set_nonblocking(true).expect("non-blocking");
    let proxy_url = format!("http://{}", proxy.local_addr().expect("address"));
    let records = dataset(1, 20, now_secs() - 100, 1);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    let run = PullDir::new();
    let mut cmd = run.command(&fake, &["--attempts", "5", "--request-timeout", "2s"], &[]);
    for var in [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
    ] {
        cmd.env(var, &proxy_url);
    }
    cmd.env_remove("NO_PROXY").env_remove("no_proxy");
    let out = cmd.output().expect("run normalog");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
    assert!(proxy.accept().is_err(), "a connection reached the proxy");
}

/// A 503 with `Retry-After` (maintenance) is waited out for at least what it asks, as a 429's
/// is (review finding: backoff alone gave up on a 30 s maintenance within 9 s); one that asks
/// for more than `--max-wait` leaves stops the run at once, saying so.
#[test]
fn a_503_retry_after_is_waited_out_within_max_wait() {
    let records = dataset(1, 20, now_secs() - 100, 1);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    {
        let mut inner = fake.inner();
        inner.faults_after = 1;
        inner
            .faults
            .push_back(Fault::Unavailable(RetryAfter::Seconds(1)));
    }
    let run = PullDir::new();
    let out = run.pull(&fake, &["--page-size", "10"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
    let log = fake.inner().log.clone();
    let i = log.iter().position(|l| l.status == 503).expect("a 503");
    let gap = log[i + 1].at.duration_since(log[i].at);
    assert!(gap >= Duration::from_secs(1), "retried after {gap:?}");

    let fake = FakeZendesk::start(records, token_auth());
    fake.inner()
        .faults
        .push_back(Fault::Unavailable(RetryAfter::Seconds(600)));
    let run = PullDir::new();
    let out = run.pull(&fake, &["--max-wait", "5s"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "server error 503, asking to wait 600.0 s (Retry-After), past --max-wait 5 s"
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(fake.inner().log.len(), 1);

    // Only what the header asks for counts against --max-wait, not the backoff (review
    // finding: `Retry-After: 0` answers spent the budget on the random backoff).
    let fake = FakeZendesk::start(dataset(1, 20, now_secs() - 100, 1), token_auth());
    for _ in 0..4 {
        fake.inner()
            .faults
            .push_back(Fault::Unavailable(RetryAfter::Seconds(0)));
    }
    let run = PullDir::new();
    let out = run.pull(&fake, &["--max-wait", "0s", "--stats"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("server-error waits (Retry-After): 0.0 s"),
        "{}",
        stderr(&out)
    );
}

/// A redirect is not followed (the credentials would go along), and the message says where
/// it pointed (review finding: a bare "301: ").
#[test]
fn a_redirect_names_where_it_points() {
    let fake = FakeZendesk::start(dataset(1, 5, now_secs() - 100, 1), token_auth());
    fake.inner().faults.push_back(Fault::Redirect(
        "https://acme2.zendesk.com/api/v2/audit_logs?page%5Bsize%5D=100",
    ));
    let run = PullDir::new();
    let out = run.pull(&fake, &[]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            ": 301: redirected to https://acme2.zendesk.com/api/v2/audit_logs, which is not \
             followed (the credentials would go along): give that host as --base-url (in place of \
             --subdomain)"
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(fake.inner().log.len(), 1);
}

/// A base URL whose token endpoint answers 404 names the base URL, not the credentials
/// (review finding: "the OAuth client was refused", exit 3).
#[test]
fn no_token_endpoint_at_the_base_url_says_so() {
    let fake = FakeZendesk::start(
        dataset(1, 5, now_secs() - 100, 1),
        AuthMode::OAuth {
            client_id: "cli".into(),
            secret: "client-secret-xyz".into(),
            ttl_requests: None,
        },
    );
    let run = PullDir::new();
    let base = format!("{}/zendesk", fake.url);
    let out = run.pull_env(
        &fake,
        &["--client-id", "cli", "--base-url", &base],
        &[("ZENDESK_CLIENT_SECRET", "client-secret-xyz")],
    );
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "POST {base}/oauth/tokens: 404: {{\"error\":\"InvalidEndpoint\",\"description\":\
             \"Not found\"}}; no OAuth token endpoint there: check --subdomain (or --base-url)"
        )),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("refused"), "{}", stderr(&out));
}

/// A `Retry-After` too long for any clock (`u64::MAX` seconds), after a wait already
/// counted, is past `--max-wait` like any other (it panicked, adding durations: review
/// finding), for a 429 and for a 503.
#[test]
fn an_absurd_retry_after_is_past_max_wait_not_a_crash() {
    for absurd in [
        Fault::TooMany(RetryAfter::Seconds(u64::MAX)),
        Fault::Unavailable(RetryAfter::Seconds(u64::MAX)),
    ] {
        let fake = FakeZendesk::start(dataset(1, 20, now_secs() - 100, 1), token_auth());
        {
            let mut inner = fake.inner();
            inner.faults_after = 1;
            inner
                .faults
                .push_back(Fault::TooMany(RetryAfter::Seconds(1)));
            inner.faults.push_back(absurd);
        }
        let run = PullDir::new();
        let out = run.pull(&fake, &["--page-size", "10", "--max-wait", "5s"]);
        let want = if matches!(absurd, Fault::TooMany(_)) {
            4
        } else {
            5
        };
        assert_eq!(code(&out), want, "{absurd:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("past --max-wait 5 s"),
            "{}",
            stderr(&out)
        );
    }
}
