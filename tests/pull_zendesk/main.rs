//! `normalog pull zendesk` end to end against the fake Zendesk (tests/fake/zendesk.rs):
//! each fault of the issue, resume after a crash at every commit point, exactly-once
//! directory output across reruns, and secrets kept out of every output.
#![cfg(feature = "pull")]
#![allow(clippy::cast_possible_truncation)]

#[path = "../fake/mod.rs"]
mod fake;
#[path = "../util/mod.rs"]
mod util;

mod answers;
mod compact;
mod crash;
mod faults;
mod outputs;

use std::collections::BTreeMap;
use std::process::{Command, Output};
use std::time::Duration;

use fake::pull::{
    code, interrupt_at, normalize_page, once_unlocked, stderr, without_volatile, PullDir,
};
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
    fn ids(&self) -> BTreeMap<i64, usize>;
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
            .args(["--backoff", "10ms"])
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
        if !extra.contains(&"--lag") {
            cmd.args(["--lag", "0"]);
        }
        cmd.args(extra);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd
    }
    fn ids(&self) -> BTreeMap<i64, usize> {
        let mut ids = BTreeMap::new();
        for f in self.data_files() {
            for line in std::fs::read_to_string(&f).expect("read").lines() {
                let v: serde_json::Value = serde_json::from_str(line).expect("json");
                *ids.entry(v["id"].as_i64().expect("id")).or_default() += 1;
            }
        }
        ids
    }
}

/// The visible records' ids, each once.
fn expected(records: &[Rec]) -> BTreeMap<i64, usize> {
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
    // The next run reads from its own clock's "now" less the overlap (10 min): the records
    // sit 30 s inside it, so that the seconds the runs take do not push them out (at the
    // edge, a run starting a second later than this clock missed them).
    let t = now_secs() - 600 + 30;
    // 40 records in the same second, cut by pages of 15; and more spread around.
    let mut records = dataset(1, 40, t, 40);
    records.extend(dataset(100, 30, t + 10, 2));
    // Visible only later: inside the overlap behind the next watermark.
    records.push(Rec {
        id: 500,
        created_at: t + 5,
        visible: false,
    });
    records.push(Rec {
        id: 501,
        created_at: t,
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
        inner.records.extend(dataset(200, 5, t, 5));
    }
    let records = fake.inner().records.clone();
    let out = run.pull(&fake, &["--page-size", "15", "--batch-records", "10"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
}

/// Two state files of one account pulling into one directory (a backfill beside the
/// scheduled pull, or a state file lost and made again) keep each other's files: each
/// state names its files with its own id. Their part names used to meet (runs are counted
/// from 1 in each state) and the second pull's files replaced the first's: 1,500 of 3,000
/// records lost without an error (review finding).
#[test]
fn two_state_files_into_one_directory_keep_each_others_files() {
    let now = now_secs();
    let records: Vec<Rec> = dataset(1, 400, 0, 1)
        .into_iter()
        .zip(0i64..)
        .map(|(r, i)| Rec {
            created_at: now - 4 * 3600 + i * 30 + 7,
            ..r
        })
        .collect();
    let fake = FakeZendesk::start(records.clone(), token_auth());
    let (backfill, scheduled) = (PullDir::new(), PullDir::new());
    let lake = backfill.out_dir_arg();
    let flags = ["--partition", "none", "--batch-records", "50", "-o", &lake];
    let mut old = flags.to_vec();
    old.extend(["--since", "1d", "--until", "2h"]);
    let out = backfill.pull(&fake, &old);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut new = flags.to_vec();
    new.extend(["--since", "2h"]);
    let out = scheduled.pull(&fake, &new);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(backfill.ids(), expected(&records));
}

/// A wider `--overlap` than the last run's does not read back before what the state
/// remembers: those records were emitted, and the state no longer knows them, so they came
/// again (review finding). The run says so and reads from there.
#[test]
fn a_wider_overlap_reads_back_only_what_the_state_remembers() {
    let now = now_secs();
    let records: Vec<Rec> = dataset(1, 300, 0, 1)
        .into_iter()
        .zip(0i64..)
        .map(|(r, i)| Rec {
            created_at: now - 5 * 3600 + i * 55,
            ..r
        })
        .collect();
    let fake = FakeZendesk::start(records.clone(), token_auth());
    let run = PullDir::new();
    let out = run.pull(&fake, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
    let out = run.pull(&fake, &["--overlap", "3h"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("reaches back before what the state remembers"),
        "{}",
        stderr(&out)
    );
    assert_eq!(run.ids(), expected(&records));
}

/// A token file written by an editor (a space before, CRLF and a blank line after) is the
/// token: the spaces used to be sent with it, and the API answered 401.
#[test]
fn a_token_file_with_spaces_and_line_ends_around_the_token_works() {
    let records = dataset(1, 5, now_secs() - 100, 1);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    let run = PullDir::new();
    let file = run.dir.path().join("token");
    std::fs::write(&file, format!(" {TOKEN}\r\n\r\n")).expect("write");
    let out = run.pull(&fake, &["--token-file", file.to_str().expect("utf-8")]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids(), expected(&records));
}

/// `--batch-records 0`, `--until` before `--since`, and a `--since` after now are refused
/// (exit 2) before any request; each was taken (the second one exited 0, having read
/// nothing; the third saved its start in year 9999).
#[test]
fn a_zero_batch_and_a_range_that_ends_before_it_starts_are_refused() {
    let fake = FakeZendesk::start(Vec::new(), token_auth());
    for (flags, says) in [
        (
            &["--batch-records", "0"][..],
            "--batch-records must be at least 1",
        ),
        (
            &[
                "--since",
                "2026-01-02T00:00:00Z",
                "--until",
                "2026-01-01T00:00:00Z",
            ][..],
            "--until is before --since",
        ),
        (
            &["--since", "9999-12-31T23:59:59Z"][..],
            "--since 9999-12-31T23:59:59Z is after now (",
        ),
    ] {
        let run = PullDir::new();
        let out = run.pull(&fake, flags);
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
        assert!(!run.state().exists());
    }
    assert!(fake.inner().log.is_empty());
}

/// `--since` and `--until` take a date, as `gen --start` does (its 00:00 UTC; refused as
/// "not a time" before), and a number past 64 bits is too large, not "not a time" (review
/// findings). Both are said before any request.
#[test]
fn time_flags_take_a_date_and_say_a_number_is_too_large() {
    let fake = FakeZendesk::start(Vec::new(), token_auth());
    for (flags, says) in [
        (
            &["--since", "2026-01-02", "--until", "2026-01-01T23:59:59Z"][..],
            "--until is before --since",
        ),
        (
            &["--since", "2026-01-01T00:00:01Z", "--until", "2026-01-01"][..],
            "--until is before --since",
        ),
        (
            &["--since", "99999999999999999999d"][..],
            "--since: \"99999999999999999999d\": 99999999999999999999 is too large for a duration",
        ),
    ] {
        let run = PullDir::new();
        let out = run.pull(&fake, flags);
        assert_eq!(code(&out), 2, "{flags:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{flags:?}: {}", stderr(&out));
    }
    assert!(fake.inner().log.is_empty());
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
    // The request, as every other error names it (review finding: the base URL alone).
    assert!(
        stderr(&out).contains(&format!(
            "GET {}/api/v2/audit_logs: authentication refused (401)",
            fake.url
        )),
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

    // A token no header can carry is refused before any request, not retried.
    let out = run.pull_env(
        &fake,
        &["--bearer-env", "MY_TOKEN"],
        &[("MY_TOKEN", "tök-123")],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the bearer token holds a space, a control or a character"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("tök"));
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
    assert_eq!(code(&once_unlocked(|| run.pull(&fake, &[]))), 0);
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

/// A `--since` later than now minus `--lag` cannot be read yet: the run says so, naming the
/// start, the lag and when the first window can be read, and saves the start, so that the
/// next run (from cron, with the same relative --since) begins there. Such a run exited 0
/// without a word, no request and no state file, every run: a `--since 2m` never started
/// (review finding).
#[test]
fn a_since_later_than_now_minus_lag_is_said_and_its_start_kept() {
    let now = now_secs();
    let records = dataset(1, 10, now - 100, 1);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    let run = PullDir::new();
    let out = run.pull(&fake, &["--since", "2m", "--lag", "5m"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    for says in [
        "warning: nothing to read yet: the start ",
        "is later than now minus --lag 5m",
        "the first window can be read from ",
        "the start is saved in the state file",
    ] {
        assert!(err.contains(says), "{says}: {err}");
    }
    assert!(fake.inner().log.is_empty(), "no request");
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.state()).expect("state")).expect("json");
    let since = state["streams"]["audit_logs"]["since"]
        .as_str()
        .expect("the start saved");
    let at = chrono::DateTime::parse_from_rfc3339(since).expect("rfc 3339");
    assert!((at.timestamp() - (now - 120)).abs() <= 5, "{since}");

    // Later (here: with no lag, so now minus lag is past the start), the same kind of
    // --since, which would start after the records, is ignored: the run reads from the
    // saved start.
    let out = run.pull(&fake, &["--since", "1m"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--since is ignored for audit_logs: the state file starts it at"),
        "{}",
        stderr(&out)
    );
    assert_eq!(run.ids(), expected(&records));
}
