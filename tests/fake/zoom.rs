//! A fake Zoom for the pull tests, served by `server.rs` on `127.0.0.1:0`, reproducing what `vendor-apis.md` (§2) records of Server-to-Server OAuth and the two
//! report endpoints:
//!
//! * `POST /oauth/token` with `grant_type=account_credentials&account_id=…` in the query or
//!   a form body and Basic `CLIENT_ID:SECRET` → `{"access_token","token_type":"bearer",
//!   "expires_in","scope","api_url"}`; tokens expire after `token_ttl` (and optionally after
//!   a number of uses, as when Zoom invalidates older tokens), then API calls get 401
//!   `{"code":124,"message":"Invalid access token."}`. (The token endpoint's own refusal
//!   body is not in the reference: the fake answers OAuth 2.0's `invalid_client` shape.)
//! * `GET /v2/report/activities` (`activity_logs`) and `GET /v2/report/operationlogs`
//!   (`operation_logs`): `from`/`to` as `yyyy-mm-dd` required, read as UTC days or, with
//!   `offset`, as days of a time zone that far from UTC (Zoom does not say which zone it
//!   reads them in: it may be the account's), a range over one month or a `from` beyond six
//!   months (of that zone's today), or with `refuse_future` a `to` after that today, refused
//!   (400, code 300), `page_size` default 30 and
//!   ≤ 300, records newest first with no id, `next_page_token` opaque and `""` on the last
//!   page. A token names a snapshot of the result taken at the first page (so records that
//!   arrive while a window is paged show up in the next read of it) and expires after
//!   `page_token_ttl` (15 minutes at Zoom): then 400 code 300. The snapshot is an
//!   assumption, not documented by Zoom (`vendor-apis.md` §2.2 says only that a token
//!   expires): the pull's exactly-once rests on it, as the README says (with offset-like
//!   tokens, a record arriving while a window is paged repeats the one on a page boundary).
//! * A missing scope: `{"code":4700,"message":"Invalid access token, does not contain
//!   scopes:[…]."}` (or code 4711, [`Inner::scope_code`]); a role without permission: 400 `{"code":200,"message":"No permission."}`.
//! * Faults: 429s with `X-RateLimit-*` headers and `Retry-After` as seconds, an HTTP-date,
//!   an RFC 3339 instant (Zoom's daily limit) or missing; 5xx bursts; resets; a repeating
//!   page token; a page token that expires now; a 200 holding Zoom's error shape
//!   (`code`, `message`) or a page without its records field.
#![allow(dead_code)] // each test binary uses part of it
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::too_many_lines,
    clippy::doc_markdown,
    clippy::single_match_else
)]

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use super::server::{b64, now_secs, parse_query, rfc3339, Answer, Api, Logged, RetryAfter, Server};

/// Which report a record belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Activity,
    Operation,
}

/// A record of the dataset. Records with the same kind, `time` and `user` are identical
/// (two sign-ins of one user in one second from one client are two events).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rec {
    pub kind: Kind,
    pub time: i64,
    pub user: u64,
    /// Invisible records are not returned yet (they arrive late).
    pub visible: bool,
}

/// A fault served instead of the next report answer.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    TooMany(RetryAfter),
    Status(u16),
    /// Close the connection without answering.
    Reset,
    /// Answer with the page token of the request again.
    RepeatToken,
    /// Every page token issued so far expires now (the client was too slow).
    ExpireTokens,
    /// Answer this status with a body whose message echoes the credentials, as a server or
    /// a proxy that quotes the request may: the `Authorization` value, the bare access
    /// token, the base64 of `CLIENT_ID:SECRET` and the client secret.
    Echo(u16),
    /// A 200 whose body is Zoom's error shape instead of a page:
    /// `{"code":300,"message":"Report is being generated, try later"}`.
    ErrorIn200,
    /// The page without its records field (`activity_logs` / `operation_logs`).
    NoRecordsField,
    /// The window's first page again (whatever the token asked for), with a page token
    /// never given before: a loop that no repeating token shows.
    Stale,
}

struct Snapshot {
    records: Vec<String>,
    issued: Instant,
}

pub struct Inner {
    pub records: Vec<Rec>,
    pub account_id: String,
    pub client_id: String,
    pub secret: String,
    /// Scopes of minted tokens.
    pub scopes: Vec<String>,
    /// The error code of a token without the report's scope: 4700, or 4711 as Zoom answers
    /// apps of granular scopes (devforum.zoom.us/t/108207).
    pub scope_code: u32,
    /// The role of the app owner may view the reports.
    pub permitted: bool,
    /// `expires_in` of minted tokens.
    pub token_ttl: Duration,
    /// Tokens stop working after this many uses (`None`: only at expiry).
    pub token_uses: Option<u32>,
    /// Page tokens expire after this long.
    pub page_token_ttl: Duration,
    /// Faults served in order, from the `faults_after`th report request on (0: the first).
    pub faults: VecDeque<Fault>,
    /// One report served badly for good: from its `n`th request on (0: the first), every
    /// request of `kind` gets the fault (the other report is served as usual).
    pub broken: Option<(Kind, usize, Fault)>,
    /// Report requests served so far, by report.
    pub requests_of: HashMap<Kind, usize>,
    pub faults_after: usize,
    pub log: Vec<Logged>,
    /// Minted tokens: value → (expiry, uses).
    pub tokens: HashMap<String, (Instant, u32)>,
    pub minted: u32,
    /// Time spent building answers (routing, filtering, JSON), for timings.
    pub busy: Duration,
    /// "Today" for the six-months check, as Unix seconds (the real clock by default).
    pub now: Option<i64>,
    /// The UTC offset, in seconds east of UTC, of the time zone `from`/`to` are read in
    /// (0: UTC days; −8 × 3600: an account in UTC−8, whose date 2026-01-02 runs from
    /// 2026-01-02T08:00:00Z to 2026-01-03T08:00:00Z).
    pub offset: i64,
    snapshots: HashMap<String, Snapshot>,
    /// Report requests served so far (to schedule faults after them).
    pub report_requests: usize,
    /// A `to` after today (of the zone dates are read in) is refused, 400 code 300. Zoom
    /// does not say whether it accepts one (`vendor-apis.md` §4.8): the pull must cope
    /// either way. The message is made up.
    pub refuse_future: bool,
    /// A page without records gives its records field as `null` instead of `[]`. Zoom's
    /// reference shows neither for an empty range; a client should read both.
    pub null_when_empty: bool,
}

/// The running fake.
pub type FakeZoom = Server<Inner>;

pub const ACCOUNT: &str = "acct-Zq3xY";
pub const CLIENT_ID: &str = "s2s-client-7f";
pub const SECRET: &str = "zoom-client-secret-value-0042";
pub const BODY_124: &str = r#"{"code":124,"message":"Invalid access token."}"#;
pub const BODY_NO_PERMISSION: &str = r#"{"code":200,"message":"No permission."}"#;
pub const BODY_TOKEN_EXPIRED: &str =
    r#"{"code":300,"message":"The next page token is invalid or expired."}"#;
pub const BODY_REPORT_PENDING: &str =
    r#"{"code":300,"message":"Report is being generated, try later"}"#;
pub const BODY_429: &str = r#"{"code":429,"message":"You have reached the maximum per-second rate limit for this API. Try again later."}"#;

impl FakeZoom {
    pub fn start(records: Vec<Rec>) -> FakeZoom {
        Server::serve(Inner {
            records,
            account_id: ACCOUNT.into(),
            client_id: CLIENT_ID.into(),
            secret: SECRET.into(),
            scopes: vec![
                "report:read:user_activities:admin".into(),
                "report:read:operation_logs:admin".into(),
            ],
            scope_code: 4700,
            permitted: true,
            token_ttl: Duration::from_secs(3599),
            token_uses: None,
            page_token_ttl: Duration::from_secs(15 * 60),
            faults: VecDeque::new(),
            broken: None,
            requests_of: HashMap::new(),
            faults_after: 0,
            log: Vec::new(),
            tokens: HashMap::new(),
            minted: 0,
            busy: Duration::ZERO,
            now: None,
            offset: 0,
            snapshots: HashMap::new(),
            report_requests: 0,
            refuse_future: false,
            null_when_empty: false,
        })
    }

    /// The report requests received (OAuth requests left out).
    pub fn report_log(&self) -> Vec<Logged> {
        self.inner()
            .log
            .iter()
            .filter(|l| l.path.starts_with("/v2/"))
            .cloned()
            .collect()
    }
}

impl Api for Inner {
    fn route(
        &mut self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        authorization: Option<&str>,
        body: &str,
    ) -> Option<Answer> {
        match (method, path) {
            ("POST", "/oauth/token") => Some(mint(self, query, authorization, body)),
            ("GET", "/v2/report/activities") => report(self, Kind::Activity, query, authorization),
            ("GET", "/v2/report/operationlogs") => {
                report(self, Kind::Operation, query, authorization)
            }
            _ => Some(json(
                404,
                r#"{"code":404,"message":"No API found with that request."}"#,
            )),
        }
    }

    fn log(&mut self) -> &mut Vec<Logged> {
        &mut self.log
    }

    fn busy(&mut self) -> &mut Duration {
        &mut self.busy
    }
}

/// The record as Zoom's documented examples show it.
pub fn record_json(r: &Rec) -> String {
    match r.kind {
        Kind::Activity => format!(
            r#"{{"email":"user{u}@example.com","time":"{t}","type":"Sign in","ip_address":"192.0.2.{ip}","client_type":"Browser","version":"5.9.1.2581"}}"#,
            u = r.user,
            t = rfc3339(r.time),
            ip = r.user % 250 + 1
        ),
        Kind::Operation => format!(
            r#"{{"action":"Update","category_type":"User","operation_detail":"Activate User user{u}@example.com","operator":"admin@example.com","time":"{t}"}}"#,
            u = r.user,
            t = rfc3339(r.time)
        ),
    }
}

fn json(status: u16, body: &str) -> Answer {
    Answer::json(status, "application/json;charset=UTF-8", body)
}

fn mint(
    inner: &mut Inner,
    query: &[(String, String)],
    authorization: Option<&str>,
    body: &str,
) -> Answer {
    // The grant may come in the query or as a form body.
    let mut params = query.to_vec();
    params.extend(parse_query(body));
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let want = format!(
        "Basic {}",
        b64(format!("{}:{}", inner.client_id, inner.secret).as_bytes())
    );
    if authorization != Some(want.as_str()) {
        return json(
            401,
            r#"{"reason":"Invalid client_id or client_secret","error":"invalid_client"}"#,
        );
    }
    if get("grant_type").as_deref() != Some("account_credentials") {
        return json(
            400,
            r#"{"reason":"unsupported grant type","error":"unsupported_grant_type"}"#,
        );
    }
    if get("account_id").as_deref() != Some(inner.account_id.as_str()) {
        return json(
            400,
            r#"{"reason":"Invalid request : Invalid account_id","error":"invalid_request"}"#,
        );
    }
    inner.minted += 1;
    let token = format!("zoom-access-token-{}-{}", inner.minted, now_secs());
    inner
        .tokens
        .insert(token.clone(), (Instant::now() + inner.token_ttl, 0));
    json(
        200,
        &format!(
            r#"{{"access_token":"{token}","token_type":"bearer","expires_in":{},"scope":"{}","api_url":"https://api.zoom.us"}}"#,
            inner.token_ttl.as_secs(),
            inner.scopes.join(" ")
        ),
    )
}

fn too_many(form: RetryAfter) -> Answer {
    let mut a = json(429, BODY_429);
    a.headers.extend([
        ("X-RateLimit-Category".to_owned(), "Heavy".to_owned()),
        ("X-RateLimit-Type".to_owned(), "QPS".to_owned()),
        ("X-RateLimit-Limit".to_owned(), "10".to_owned()),
        ("X-RateLimit-Remaining".to_owned(), "0".to_owned()),
    ]);
    if matches!(form, RetryAfter::Rfc3339(_)) {
        for (k, v) in &mut a.headers {
            if k == "X-RateLimit-Type" {
                "Daily-limit".clone_into(v);
            }
        }
    }
    if let Some(v) = form.value() {
        a.headers.push(("Retry-After".into(), v));
    }
    a
}

fn parse_date(s: &str) -> Option<i64> {
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp())
}

fn report(
    inner: &mut Inner,
    kind: Kind,
    query: &[(String, String)],
    authorization: Option<&str>,
) -> Option<Answer> {
    // Auth first, as Zoom's gateway does.
    let Some(token) = authorization.and_then(|h| h.strip_prefix("Bearer ")) else {
        return Some(json(401, BODY_124));
    };
    let uses_cap = inner.token_uses;
    let Some(entry) = inner.tokens.get_mut(token) else {
        return Some(json(401, BODY_124));
    };
    entry.1 += 1;
    if Instant::now() >= entry.0 || uses_cap.is_some_and(|n| entry.1 > n) {
        return Some(json(401, BODY_124));
    }
    let scope = match kind {
        Kind::Activity => "report:read:user_activities:admin",
        Kind::Operation => "report:read:operation_logs:admin",
    };
    if !inner
        .scopes
        .iter()
        .any(|s| s == scope || s == "report:read:admin")
    {
        return Some(json(
            401,
            &format!(
                r#"{{"code":{},"message":"Invalid access token, does not contain scopes:[{scope}, report:read:admin]."}}"#,
                inner.scope_code
            ),
        ));
    }
    if !inner.permitted {
        return Some(json(400, BODY_NO_PERMISSION));
    }
    inner.report_requests += 1;
    let nth = inner.requests_of.entry(kind).or_insert(0);
    *nth += 1;
    let broken = match inner.broken {
        Some((k, after, f)) if k == kind && *nth > after => Some(f),
        _ => None,
    };
    let mut repeat = false;
    let mut stale = false;
    let mut no_records = false;
    if broken.is_some() || inner.report_requests > inner.faults_after {
        if let Some(f) = broken.or_else(|| inner.faults.pop_front()) {
            match f {
                Fault::Reset => return None,
                Fault::Status(s) => {
                    return Some(json(s, r#"{"code":5000,"message":"Internal error."}"#))
                }
                Fault::TooMany(form) => return Some(too_many(form)),
                Fault::RepeatToken => repeat = true,
                Fault::ErrorIn200 => return Some(json(200, BODY_REPORT_PENDING)),
                Fault::NoRecordsField => no_records = true,
                Fault::Stale => stale = true,
                Fault::ExpireTokens => inner.snapshots.clear(),
                Fault::Echo(status) => {
                    let basic = b64(format!("{}:{}", inner.client_id, inner.secret).as_bytes());
                    let message = format!(
                        "rejected request with Authorization: Bearer {token}; bare {token}; \
                         app {basic}; secret {}",
                        inner.secret
                    );
                    let body = serde_json::json!({"code": status, "message": message});
                    return Some(json(status, &body.to_string()));
                }
            }
        }
    }
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let invalid = |m: &str| Some(json(400, &format!(r#"{{"code":300,"message":"{m}"}}"#)));
    let (Some(from), Some(to)) = (
        get("from").and_then(parse_date),
        get("to").and_then(parse_date),
    ) else {
        return invalid("Invalid field: from and to must be yyyy-mm-dd.");
    };
    if to < from || to - from >= 31 * 86_400 {
        return invalid("The date range should only be one month.");
    }
    // Dates, as UTC midnights, of the zone they are read in.
    let zone = inner.offset;
    let today = (inner.now.unwrap_or_else(now_secs) + zone).div_euclid(86_400) * 86_400;
    if from < today - 183 * 86_400 {
        return invalid("Only provide report in recent 6 months.");
    }
    if inner.refuse_future && to > today {
        return invalid("The to date cannot be later than today.");
    }
    let size = match get("page_size").map(str::parse::<usize>) {
        None => 30,
        Some(Ok(n)) if (1..=300).contains(&n) => n,
        Some(_) => return invalid("Invalid field: page_size must be between 1 and 300."),
    };
    // A page token names the snapshot and the offset of the next page.
    let (snap_id, offset) = match get("next_page_token").filter(|t| !t.is_empty()) {
        Some(t) => {
            let Some((id, off)) = t.split_once('.') else {
                return Some(json(400, BODY_TOKEN_EXPIRED));
            };
            let ttl = inner.page_token_ttl;
            match inner.snapshots.get(id) {
                Some(s) if s.issued.elapsed() < ttl => {}
                _ => return Some(json(400, BODY_TOKEN_EXPIRED)),
            }
            (id.to_owned(), off.parse::<usize>().unwrap_or(0))
        }
        None => {
            let mut matching: Vec<&Rec> = inner
                .records
                .iter()
                .filter(|r| {
                    let local = r.time + zone;
                    r.kind == kind && r.visible && local >= from && local < to + 86_400
                })
                .collect();
            // Newest first; ties in dataset order.
            matching.sort_by_key(|r| std::cmp::Reverse(r.time));
            let records = matching.iter().map(|r| record_json(r)).collect();
            let id = format!("{:x}{:04x}", now_secs(), inner.snapshots.len());
            inner.snapshots.insert(
                id.clone(),
                Snapshot {
                    records,
                    issued: Instant::now(),
                },
            );
            (id, 0)
        }
    };
    let snap = &inner.snapshots[&snap_id];
    let end = (offset + size).min(snap.records.len());
    let page = snap.records[offset.min(end)..end].join(",");
    let mut next = if end < snap.records.len() {
        format!("{snap_id}.{end}")
    } else {
        String::new()
    };
    if repeat {
        if let Some(t) = get("next_page_token") {
            t.clone_into(&mut next);
        }
    }
    if stale {
        // An offset that does not parse reads as 0: the first page again.
        next = format!("{snap_id}.0-{}", inner.report_requests);
    }
    let field = match kind {
        Kind::Activity => "activity_logs",
        Kind::Operation => "operation_logs",
    };
    let records = if no_records {
        String::new()
    } else if page.is_empty() && inner.null_when_empty {
        format!(r#","{field}":null"#)
    } else {
        format!(r#","{field}":[{page}]"#)
    };
    let mut a = json(
        200,
        &format!(
            r#"{{"from":"{}","to":"{}","page_size":{size},"next_page_token":"{next}"{records}}}"#,
            get("from").unwrap_or_default(),
            get("to").unwrap_or_default()
        ),
    );
    a.headers.extend([
        ("X-RateLimit-Category".to_owned(), "Heavy".to_owned()),
        ("X-RateLimit-Limit".to_owned(), "10".to_owned()),
        ("X-RateLimit-Remaining".to_owned(), "9".to_owned()),
    ]);
    Some(a)
}

/// `n` records of `kind` from `start` on, `per_second` in each second, users numbered from
/// `first_user`; every `dup_every`th record (if > 0) is followed by an identical one.
pub fn dataset(
    kind: Kind,
    first_user: u64,
    n: usize,
    start: i64,
    per_second: usize,
    dup_every: usize,
) -> Vec<Rec> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let r = Rec {
            kind,
            time: start + (i / per_second.max(1)) as i64,
            user: first_user + i as u64,
            visible: true,
        };
        if dup_every > 0 && i % dup_every == 0 {
            out.push(r.clone());
        }
        out.push(r);
    }
    out
}
