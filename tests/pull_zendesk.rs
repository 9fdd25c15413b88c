//! `normalog pull zendesk` end to end against the fake Zendesk (tests/fake/zendesk.rs):
//! each fault of the issue, resume after a crash at every commit point, exactly-once
//! directory output across reruns, and secrets kept out of every output.
#![cfg(feature = "pull")]
#![allow(clippy::cast_possible_truncation)]

mod fake;
mod util;

use std::collections::BTreeMap;
use std::process::{Command, Output};
use std::time::Duration;

use fake::pull::{code, interrupt_at, normalize_page, stderr, without_volatile, PullDir};
use fake::server::{now_secs, RetryAfter};
use fake::zendesk::{dataset, AuthMode, FakeZendesk, Fault, Rec};

const TOKEN: &str = "s3cr3t-api-token-value";
const EMAIL: &str = "admin@acme.example";

fn token_auth() -> AuthMode {
    AuthMode::Token {
        email: EMAIL.into(),
        token: TOKEN.into(),
    }
}

/// What an OAuth token the fake mints starts with: no output or state may hold one.
const MINTED_TOKEN: &str = "oauth-token";

/// `normalog pull zendesk` in a [`PullDir`].
trait ZendeskPull {
    /// `pull zendesk` with token auth, output to the lake directory, and `extra` flags.
    fn pull(&self, fake: &FakeZendesk, extra: &[&str]) -> Output;
    fn pull_env(&self, fake: &FakeZendesk, extra: &[&str], env: &[(&str, &str)]) -> Output;
    /// The command of [`pull_env`](Self::pull_env), not started.
    fn command(&self, fake: &FakeZendesk, extra: &[&str], env: &[(&str, &str)]) -> Command;
    /// Every `id` in the lake, with how many times it appears.
    fn ids(&self) -> BTreeMap<u64, usize>;
}

impl ZendeskPull for PullDir {
    fn pull(&self, fake: &FakeZendesk, extra: &[&str]) -> Output {
        self.pull_env(fake, extra, &[])
    }
    fn pull_env(&self, fake: &FakeZendesk, extra: &[&str], env: &[(&str, &str)]) -> Output {
        let out = self
            .command(fake, extra, env)
            .output()
            .expect("run normalog");
        self.check_secrets(&out, &[TOKEN, MINTED_TOKEN]);
        out
    }
    fn command(&self, fake: &FakeZendesk, extra: &[&str], env: &[(&str, &str)]) -> Command {
        let out_dir = self.out_dir_arg();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_normalog"));
        cmd.args(["pull", "zendesk", "--subdomain", "acme", "--state"])
            .arg(self.state())
            .args(["--lag", "0", "--backoff", "10ms"])
            .env("ZENDESK_API_TOKEN", TOKEN)
            .env_remove("NORMALOG_PULL_FAIL_AT");
        if !extra
            .iter()
            .any(|a| *a == "--client-id" || *a == "--bearer-env")
        {
            cmd.args(["--email", EMAIL]);
        }
        if !extra.contains(&"--base-url") {
            cmd.args(["--base-url", &fake.url]);
        }
        if !extra.contains(&"-o") {
            cmd.args(["-o", &out_dir]);
        }
        if !extra.contains(&"--since") {
            cmd.args(["--since", "30d"]);
        }
        cmd.args(extra);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd
    }
    fn ids(&self) -> BTreeMap<u64, usize> {
        let mut ids = BTreeMap::new();
        for f in self.data_files() {
            for line in std::fs::read_to_string(&f).expect("read").lines() {
                let v: serde_json::Value = serde_json::from_str(line).expect("json");
                *ids.entry(v["id"].as_u64().expect("id")).or_default() += 1;
            }
        }
        ids
    }
}

/// The visible records' ids, each once.
fn expected(records: &[Rec]) -> BTreeMap<u64, usize> {
    records
        .iter()
        .filter(|r| r.visible)
        .map(|r| (r.id, 1))
        .collect()
}

#[test]
fn pulls_every_record_once_with_the_documented_request_shape() {
    let t0 = now_secs() - 3600;
    let records = dataset(1000, 250, t0, 7);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    let run = PullDir::new();
    let out = run.pull(&fake, &["--stats"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
    let log = fake.inner().log.clone();
    assert_eq!(log.len(), 3, "250 records in pages of 100");
    for (i, req) in log.iter().enumerate() {
        assert_eq!(req.method, "GET");
        assert_eq!(req.path, "/api/v2/audit_logs");
        let q = |k: &str| -> Vec<&str> {
            req.query
                .iter()
                .filter(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
                .collect()
        };
        assert_eq!(q("sort"), ["created_at"]);
        assert_eq!(q("page[size]"), ["100"]);
        assert_eq!(q("filter[created_at][]").len(), 2);
        assert_eq!(q("page[after]").len(), usize::from(i > 0));
        // Basic base64("EMAIL/token:TOKEN").
        assert_eq!(
            req.authorization.as_deref(),
            Some("Basic YWRtaW5AYWNtZS5leGFtcGxlL3Rva2VuOnMzY3IzdC1hcGktdG9rZW4tdmFsdWU=")
        );
    }
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.state()).expect("state")).expect("json");
    assert_eq!(state["source"], "zendesk");
    assert_eq!(state["account"], "acme");
    assert!(
        stderr(&out).contains("pages: 3, records: 250 received"),
        "{}",
        stderr(&out)
    );
    // And the files it published, as normalize reports them.
    let files = run.data_files().len();
    assert!(files > 0);
    assert!(
        stderr(&out).contains(&format!("files: {files} written, ")),
        "{files} files: {}",
        stderr(&out)
    );

    // A second run reads the overlap again and emits nothing new.
    let out = run.pull(&fake, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
}

#[test]
fn same_events_as_normalizing_the_pages() {
    let t0 = now_secs() - 3600;
    let records = dataset(1, 30, t0, 3);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    let run = PullDir::new();
    let pulled = run.dir.path().join("pulled.ndjson");
    let out = run.pull(
        &fake,
        &["-o", pulled.to_str().expect("utf-8"), "--page-size", "7"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // The same records as one API page, through normalize.
    let page = run.dir.path().join("page.json");
    let recs: Vec<String> = records.iter().map(fake::zendesk::record_json).collect();
    std::fs::write(
        &page,
        format!(
            r#"{{"audit_logs":[{}],"meta":{{"has_more":false}}}}"#,
            recs.join(",")
        ),
    )
    .expect("write");
    let normalized = normalize_page("Zendesk.Audit", &page);
    assert_eq!(code(&normalized), 0);
    assert_eq!(
        without_volatile(&std::fs::read_to_string(&pulled).expect("read")),
        without_volatile(&String::from_utf8_lossy(&normalized.stdout))
    );
}

#[test]
fn late_records_and_same_second_groups_are_caught_once_by_the_next_run() {
    let now = now_secs();
    // 40 records in the same second, cut by pages of 15; and more spread around.
    let mut records = dataset(1, 40, now - 600, 40);
    records.extend(dataset(100, 30, now - 590, 2));
    // Visible only later: inside the overlap (10 min) behind the next watermark.
    records.push(Rec {
        id: 500,
        created_at: now - 595,
        visible: false,
    });
    records.push(Rec {
        id: 501,
        created_at: now - 600,
        visible: false,
    });
    let fake = FakeZendesk::start(records.clone(), token_auth());
    let run = PullDir::new();
    let out = run.pull(&fake, &["--page-size", "15", "--batch-records", "10"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));

    // They become visible, and the window gains new records of the same second.
    {
        let mut inner = fake.inner();
        for r in &mut inner.records {
            r.visible = true;
        }
        inner.records.extend(dataset(200, 5, now - 600, 5));
    }
    let records = fake.inner().records.clone();
    let out = run.pull(&fake, &["--page-size", "15", "--batch-records", "10"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
}

#[test]
fn bad_credentials_exit_3_and_leave_no_state() {
    let fake = FakeZendesk::start(dataset(1, 5, now_secs() - 100, 1), token_auth());
    let run = PullDir::new();
    let out = run.pull_env(&fake, &[], &[("ZENDESK_API_TOKEN", "wrong-token")]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Couldn't authenticate you"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("wrong-token"));
    assert!(!run.state().exists(), "absent stays absent");
    assert!(run.ids().is_empty());
}

#[test]
fn missing_scope_exits_3_naming_it() {
    let fake = FakeZendesk::start(
        dataset(1, 5, now_secs() - 100, 1),
        AuthMode::OAuth {
            client_id: "cli".into(),
            secret: "client-secret-xyz".into(),
            ttl_requests: None,
        },
    );
    let run = PullDir::new();
    let out = run.pull_env(
        &fake,
        &["--client-id", "cli", "--scope", "tickets:read"],
        &[("ZENDESK_CLIENT_SECRET", "client-secret-xyz")],
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("auditlogs:read"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("client-secret-xyz"));
    assert!(!run.state().exists());
}

#[test]
fn oauth_client_credentials_and_one_remint_on_expiry() {
    let records = dataset(1, 60, now_secs() - 1000, 1);
    let fake = FakeZendesk::start(
        records.clone(),
        AuthMode::OAuth {
            client_id: "cli".into(),
            secret: "client-secret-xyz".into(),
            ttl_requests: Some(2),
        },
    );
    let run = PullDir::new();
    let out = run.pull_env(
        &fake,
        &["--client-id", "cli", "--page-size", "10"],
        &[("ZENDESK_CLIENT_SECRET", "client-secret-xyz")],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
    let inner = fake.inner();
    // 6 pages, 2 per token: 3 tokens minted, each after one 401.
    assert_eq!(inner.tokens.len(), 3);
    let body = &inner
        .log
        .iter()
        .find(|l| l.path == "/oauth/tokens")
        .expect("minted")
        .body;
    let v: serde_json::Value = serde_json::from_str(body).expect("json");
    assert_eq!(v["grant_type"], "client_credentials");
    assert_eq!(v["scope"], "auditlogs:read");
}

#[test]
fn bearer_token_from_the_environment() {
    let records = dataset(1, 3, now_secs() - 100, 1);
    let fake = FakeZendesk::start(records.clone(), AuthMode::Bearer("ready-token-123".into()));
    let run = PullDir::new();
    let out = run.pull_env(
        &fake,
        &["--bearer-env", "MY_TOKEN"],
        &[("MY_TOKEN", "ready-token-123")],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
    assert!(!stderr(&out).contains("ready-token-123"));
}

/// A 429 with this `Retry-After` (1 s ahead) is waited out, never retried early.
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
        stderr(&out).contains("server error 503 after 6 tries"),
        "{}",
        stderr(&out)
    );
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

#[test]
fn the_400_for_a_malformed_filter_is_reported() {
    // The fake answers Zendesk's 400 to a request with one bound; the client always sends
    // two, so ask the fake directly, then check how the client reports a 400.
    let fake = FakeZendesk::start(Vec::new(), token_auth());
    let url = format!(
        "{}/api/v2/audit_logs?filter%5Bcreated_at%5D%5B%5D=2026-01-01T00:00:00Z&page%5Bsize%5D=10",
        fake.url
    );
    let mut client = normalog::pull::http::Client::new(normalog::pull::http::Policy::default());
    let mut req = normalog::pull::http::Request::get(url);
    req.authorization = Some(normalog::pull::Secret::new(
        "Basic YWRtaW5AYWNtZS5leGFtcGxlL3Rva2VuOnMzY3IzdC1hcGktdG9rZW4tdmFsdWU=",
    ));
    let resp = client
        .send(&req, &[], &mut normalog::pull::NoProgress)
        .expect("answer");
    assert_eq!(resp.status, 400);
    assert_eq!(
        String::from_utf8_lossy(&resp.body),
        fake::zendesk::BODY_400_FILTER
    );

    fake.inner().faults.push_back(Fault::Status(400));
    let run = PullDir::new();
    let out = run.pull(&fake, &[]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
}

#[test]
fn plain_http_to_another_host_is_refused_before_any_request() {
    let fake = FakeZendesk::start(Vec::new(), token_auth());
    let run = PullDir::new();
    let out = run.pull(&fake, &["--base-url", "http://acme.zendesk.com"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("loopback"), "{}", stderr(&out));
    assert!(fake.inner().log.is_empty());
}

#[test]
fn a_second_pull_on_the_same_state_exits_2() {
    let fake = FakeZendesk::start(dataset(1, 5, now_secs() - 100, 1), token_auth());
    let run = PullDir::new();
    let held =
        normalog::pull::state::StateFile::open(&run.state(), "zendesk", "acme").expect("lock");
    let out = run.pull(&fake, &[]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("another pull is running"),
        "{}",
        stderr(&out)
    );
    drop(held);
    assert_eq!(code(&run.pull(&fake, &[])), 0);
}

#[test]
fn the_state_is_bound_to_its_subdomain() {
    let fake = FakeZendesk::start(dataset(1, 5, now_secs() - 100, 1), token_auth());
    let run = PullDir::new();
    assert_eq!(code(&run.pull(&fake, &[])), 0);
    let before = std::fs::read(run.state()).expect("state");
    let out = Command::new(env!("CARGO_BIN_EXE_normalog"))
        .args([
            "pull",
            "zendesk",
            "--subdomain",
            "other",
            "--email",
            EMAIL,
            "--state",
        ])
        .arg(run.state())
        .args(["--base-url", &fake.url])
        .env("ZENDESK_API_TOKEN", TOKEN)
        .output()
        .expect("run");
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("belongs to zendesk \"acme\""),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(run.state()).expect("state"), before);
}

/// Crash (abort, as kill -9) at `point`, then run again: every record exactly once.
fn crash_then_resume(
    point: &str,
    records: &[Rec],
    page: &str,
    batch: &str,
    must_crash: bool,
) -> Result<(), String> {
    let fake = FakeZendesk::start(records.to_vec(), token_auth());
    let run = PullDir::new();
    let flags = ["--page-size", page, "--batch-records", batch];
    let out = run.pull_env(&fake, &flags, &[("NORMALOG_PULL_FAIL_AT", point)]);
    let crashed = out.status.code().is_none();
    if must_crash && !crashed {
        return Err(format!(
            "{point}: the first run did not crash: {}",
            stderr(&out)
        ));
    }
    let out = run.pull(&fake, &flags);
    if code(&out) != 0 {
        return Err(format!("{point}: rerun failed: {}", stderr(&out)));
    }
    let got = run.ids();
    let want = expected(records);
    if got != want {
        return Err(format!(
            "{point} (crashed: {crashed}): got {got:?}, want {want:?}"
        ));
    }
    // Nothing hidden is left behind by the successful run.
    if run.hidden_at_top() != 0 {
        return Err(format!("{point}: hidden files left"));
    }
    Ok(())
}

#[test]
fn resume_after_a_crash_at_every_commit_point() {
    let records = dataset(1, 50, now_secs() - 500, 3);
    // 50 records, pages of 10, batches of 10: 5 batches, 5 state saves.
    for n in 1..=5 {
        crash_then_resume(&format!("after-sink:{n}"), &records, "10", "10", true).expect("resume");
        crash_then_resume(&format!("after-state:{n}"), &records, "10", "10", true).expect("resume");
    }
}

/// SIGINT or SIGTERM while a batch is being normalized or committed into its staging
/// directory: the pull stops with 130 or 143, publishes nothing of that batch, leaves no
/// staging directory, and the next run delivers every record once (issue 16).
#[cfg(unix)]
#[test]
fn an_interrupt_stops_between_commits_and_the_next_run_resumes() {
    let records = dataset(1, 50, now_secs() - 500, 3);
    for (point, signal, status) in [("read", "INT", 130), ("commit", "TERM", 143)] {
        let fake = FakeZendesk::start(records.clone(), token_auth());
        let run = PullDir::new();
        let flags = ["--page-size", "10", "--batch-records", "10", "-q"];
        let out = interrupt_at(
            run.command(&fake, &flags, &[]),
            run.dir.path(),
            point,
            signal,
        );
        run.check_secrets(&out, &[TOKEN, MINTED_TOKEN]);
        assert_eq!(code(&out), status, "{point}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("interrupted by SIG{signal}")),
            "{}",
            stderr(&out)
        );
        // Nothing hidden left: no staging directory, no temporary file.
        let hidden = run.hidden_files();
        assert!(hidden.is_empty(), "{point}: {hidden:?}");
        // The records delivered so far are each there once; the rest come with the next run.
        assert!(run.ids().values().all(|&n| n == 1));
        let out = run.pull(&fake, &flags);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert_eq!(run.ids(), expected(&records), "{point}");
    }
}

#[test]
fn crash_of_a_single_file_output_keeps_the_previous_file_and_state() {
    let records = dataset(1, 20, now_secs() - 500, 1);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    let run = PullDir::new();
    let file = run.dir.path().join("events.ndjson");
    let flags = [
        "-o",
        file.to_str().expect("utf-8"),
        "--page-size",
        "5",
        "--batch-records",
        "5",
    ];
    let out = run.pull_env(&fake, &flags, &[("NORMALOG_PULL_FAIL_AT", "after-sink:2")]);
    assert!(out.status.code().is_none(), "crashed");
    assert!(!file.exists() && !run.state().exists());
    let out = run.pull(&fake, &flags);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&file)
            .expect("read")
            .lines()
            .count(),
        20
    );
}

/// `--max-buffered-mib` is taken as normalize takes it (a number of MiB, here the bound of
/// each batch's Parquet writer), and a small bound gives the lake of the default one: one
/// file for the batch's partition, the rows of the NDJSON pull, nothing hidden left.
#[test]
fn max_buffered_mib_is_taken_for_parquet_batches() {
    let records = dataset(1, 3000, now_secs() - 3600, 7);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    let flags = ["--partition", "none", "--batch-records", "5000", "-q"];
    let ndjson = PullDir::new();
    let out = ndjson.pull(&fake, &flags);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut text = String::new();
    for f in ndjson.data_files() {
        text.push_str(&std::fs::read_to_string(f).expect("read"));
    }
    let want = util::lake::ndjson_rows(&text);
    assert_eq!(want.len(), 3000);

    for memory in [&[][..], &["--max-buffered-mib", "1"][..]] {
        let run = PullDir::new();
        let out = run.pull(
            &fake,
            &[&flags[..], &["--format", "parquet"], memory].concat(),
        );
        assert_eq!(code(&out), 0, "{memory:?}: {}", stderr(&out));
        assert_eq!(util::lake::parquet_rows(&run.out()), want, "{memory:?}");
        assert_eq!(util::lake::parquet_files(&run.out()).len(), 1, "{memory:?}");
        assert!(run.hidden_files().is_empty(), "{:?}", run.hidden_files());
    }
    // `--stats` counts the files the batches published.
    let run = PullDir::new();
    let out = run.pull(
        &fake,
        &[&flags[..], &["--format", "parquet", "--stats"]].concat(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("files: 1 written, 3000 rows per file on average"),
        "{}",
        stderr(&out)
    );

    // Its value is normalize's: a number of MiB.
    let run = PullDir::new();
    let out = run.pull(&fake, &["--max-buffered-mib", "1GB"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--max-buffered-mib"),
        "{}",
        stderr(&out)
    );
}

/// A pull of 100,000 fake records end to end into a directory, timed (run with
/// `cargo test --release --test pull_zendesk -- --ignored --nocapture`).
#[test]
#[ignore = "a timing, not a check"]
fn timing_100k_records() {
    let records = dataset(1, 100_000, now_secs() - 20 * 86_400, 1);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    let run = PullDir::new();
    let t = std::time::Instant::now();
    let out = run.pull(&fake, &["--stats", "-q"]);
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids().len(), 100_000);
    let busy = fake.inner().busy.as_secs_f64();
    println!(
        "100000 records: {secs:.2} s end to end, {:.0} records/s; fake server busy {busy:.2} s \
         ({:.0}%)\n{}",
        100_000.0 / secs,
        100.0 * busy / secs,
        stderr(&out)
    );
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

        /// Random datasets (sizes, same-second groups, late records), page and batch sizes,
        /// fault schedules and crash points: the directory output holds every record once.
        #[test]
        fn exactly_once_into_a_directory(
            n in 1usize..120,
            per_second in 1usize..30,
            late in proptest::collection::vec(0usize..120, 0..5),
            page in 1u32..40,
            batch in 1usize..50,
            crash_sink in any::<bool>(),
            crash_at in 1u64..6,
            faults in proptest::collection::vec(0u8..3, 0..4),
        ) {
            let now = now_secs();
            let mut records = dataset(1, n, now - 500, per_second);
            for i in &late {
                if let Some(r) = records.get_mut(*i) {
                    r.visible = false;
                }
            }
            let fake = FakeZendesk::start(records.clone(), token_auth());
            {
                let mut inner = fake.inner();
                inner.faults_after = 1;
                for f in &faults {
                    inner.faults.push_back(match f {
                        0 => Fault::Status(503),
                        1 => Fault::Reset,
                        _ => Fault::TooMany(RetryAfter::Seconds(0)),
                    });
                }
            }
            let run = PullDir::new();
            let (page, batch) = (page.to_string(), batch.to_string());
            let flags = ["--page-size", page.as_str(), "--batch-records", batch.as_str()];
            let point = format!("{}:{crash_at}", if crash_sink { "after-sink" } else { "after-state" });
            let _ = run.pull_env(&fake, &flags, &[("NORMALOG_PULL_FAIL_AT", &point)]);
            // The late records become visible; a rerun catches them and the rest.
            for r in &mut fake.inner().records {
                r.visible = true;
            }
            let out = run.pull(&fake, &flags);
            prop_assert_eq!(code(&out), 0, "{}", stderr(&out));
            let all: Vec<Rec> = fake.inner().records.clone();
            prop_assert_eq!(run.ids(), expected(&all));
        }
    }
}
