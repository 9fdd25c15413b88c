//! A fake Zendesk for the pull tests, served by `server.rs` on `127.0.0.1:0`,
//! reproducing what `vendor-apis.md` records of `GET /api/v2/audit_logs` and
//! `POST /oauth/tokens`: the paths (with and without `.json`), Basic `EMAIL/token:TOKEN` and
//! Bearer auth with Zendesk's 401 and 403 bodies, the verbatim 400 for a malformed
//! `filter[created_at]`, `sort=created_at` vs the default newest first, `page[size]` ≤ 100,
//! opaque keyset cursors, the `audit_logs`/`meta`/`links` envelope with numeric ids, rate
//! limit headers, and injected faults: 429s with each `Retry-After` form, 5xx bursts,
//! connection resets, a repeating cursor, records that become visible late, expiring OAuth
//! tokens, an answer in the shape of offset pagination (no `meta`), `sort` ignored.
#![allow(dead_code)]
// each test binary uses part of it
// A test fixture written for clarity over the pedantic lints' taste.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::too_many_lines,
    clippy::doc_markdown,
    clippy::semicolon_if_nothing_returned
)]

use std::collections::VecDeque;
use std::time::Duration;

use super::server::{b64, now_secs, rfc3339, Answer, Api, Logged, RetryAfter, Server};

/// A record of the dataset.
#[derive(Debug, Clone)]
pub struct Rec {
    pub id: i64,
    pub created_at: i64,
    /// Invisible records are not returned (eventual consistency).
    pub visible: bool,
}

/// How the fake authenticates.
#[derive(Debug, Clone)]
pub enum AuthMode {
    Token {
        email: String,
        token: String,
    },
    Bearer(String),
    /// OAuth client credentials; tokens carry the scope they were minted with and expire
    /// after `ttl_requests` uses (`None`: never).
    OAuth {
        client_id: String,
        secret: String,
        ttl_requests: Option<u32>,
    },
}

/// A fault served instead of the next audit_logs answer.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    TooMany(RetryAfter),
    Status(u16),
    /// A 503 of maintenance with this `Retry-After`.
    Unavailable(RetryAfter),
    /// A 301 to this `Location` (a renamed or host-mapped account).
    Redirect(&'static str),
    /// Close the connection without answering.
    Reset,
    /// A 200 whose JSON body stops partway (a connection cut short at a proxy).
    CutShort,
    /// A 200 with an HTML page (a proxy's maintenance page).
    Html,
    /// Answer with the cursor of the request (has_more true): a repeating cursor.
    RepeatCursor,
    /// Answer the window's first page again, with has_more true and a cursor never given
    /// before: a loop that no repeating cursor shows.
    Stale,
    /// A 200 whose body is larger than the client reads (65 MiB).
    Huge,
    /// Answer in the shape of offset pagination (`audit_logs`, `next_page`,
    /// `previous_page`, `count`; no `meta`), as Zendesk does for a request it does not
    /// take as a cursor one.
    OffsetShape,
    /// Answer the page with this raw JSON value after its records (`null`, `42`): a bad
    /// element among good ones.
    Element(&'static str),
    /// Answer this status with a body that echoes the credentials, as a server or a proxy
    /// that quotes the request may: the `Authorization` value, its credential alone (the
    /// base64, the bare access token), the decoded `EMAIL/token:TOKEN`, the API token and
    /// the OAuth client secret.
    Echo(u16),
}

#[derive(Debug)]
pub struct Inner {
    pub records: Vec<Rec>,
    pub auth: AuthMode,
    /// Faults served in order, from the `after`th audit_logs request on (0: the first).
    pub faults: VecDeque<Fault>,
    pub faults_after: usize,
    pub log: Vec<Logged>,
    /// OAuth tokens minted: (token, scope, uses).
    pub tokens: Vec<(String, String, u32)>,
    /// Time spent building answers (routing, filtering, JSON), for timings.
    pub busy: Duration,
    /// `X-Rate-Limit-Remaining` of the answers (of a limit of 700).
    pub remaining: u32,
    /// A fault: records past the end of `filter[created_at]` are served too (a server that
    /// does not honour it, or whose clock is ahead).
    pub ignore_range_end: bool,
    /// A fault: every answer is newest first, whatever `sort` asks (Zendesk's default
    /// order), as from a server that ignores `sort=created_at`.
    pub ignore_sort: bool,
    /// The server's clock less this machine's, in seconds (its `Date` header): a machine
    /// whose clock is ahead is a server behind.
    pub clock_offset: i64,
    audit_requests: usize,
}

/// The running fake.
pub type FakeZendesk = Server<Inner>;

pub const BODY_401: &str = r#"{"error":"Couldn't authenticate you"}"#;
pub const BODY_400_FILTER: &str = r#"{"error":"InvalidValue","description":"Invalid filter[created_at] specified; format is ?filter[created_at][]=YYYY-MM-DDTHH:MM:SSZ&filter[created_at][]=YYYY-MM-DDTHH:MM:SSZ"}"#;
pub const BODY_429: &str = "Number of allowed API requests per minute exceeded";

impl FakeZendesk {
    pub fn start(records: Vec<Rec>, auth: AuthMode) -> FakeZendesk {
        Server::serve(Inner {
            records,
            auth,
            faults: VecDeque::new(),
            faults_after: 0,
            log: Vec::new(),
            tokens: Vec::new(),
            busy: Duration::ZERO,
            remaining: 699,
            ignore_range_end: false,
            ignore_sort: false,
            clock_offset: 0,
            audit_requests: 0,
        })
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
            ("POST", "/oauth/tokens") => Some(mint(self, body)),
            ("GET", "/api/v2/audit_logs" | "/api/v2/audit_logs.json") => {
                audit_logs(self, query, authorization)
            }
            _ => Some(json(
                404,
                r#"{"error":"InvalidEndpoint","description":"Not found"}"#,
            )),
        }
    }

    fn log(&mut self) -> &mut Vec<Logged> {
        &mut self.log
    }

    fn busy(&mut self) -> &mut Duration {
        &mut self.busy
    }

    fn clock_offset(&self) -> i64 {
        self.clock_offset
    }
}

/// The documented record shape.
pub fn record_json(r: &Rec) -> String {
    format!(
        r#"{{"url":"https://acme.zendesk.com/api/v2/audit_logs/{id}.json","id":{id},"action_label":"Updated","actor_id":1234,"source_id":3456,"source_type":"user","source_label":"John Doe","action":"update","change_description":"Role changed from Administrator to End User","ip_address":"209.119.38.228","created_at":"{at}"}}"#,
        id = r.id,
        at = rfc3339(r.created_at)
    )
}

/// An opaque cursor for the key `(created_at, id)`: base64 of a scrambled text.
fn cursor_of(at: i64, id: i64) -> String {
    let text = format!("{at}:{id}");
    let scrambled: Vec<u8> = text.bytes().map(|b| b ^ 0x5a).collect();
    b64(&scrambled)
}

fn key_of_cursor(c: &str) -> Option<(i64, i64)> {
    // Decode base64 by brute force over the alphabet (tests only).
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for ch in c.bytes() {
        if ch == b'=' {
            break;
        }
        let v = ABC.iter().position(|&a| a == ch)? as u32;
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push(((bits >> n) & 0xff) as u8);
        }
    }
    let text: String = out.iter().map(|b| char::from(b ^ 0x5a)).collect();
    let (a, i) = text.split_once(':')?;
    Some((a.parse().ok()?, i.parse().ok()?))
}

fn json(status: u16, body: &str) -> Answer {
    Answer::json(status, "application/json; charset=utf-8", body)
}

fn mint(inner: &mut Inner, body: &str) -> Answer {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let AuthMode::OAuth {
        client_id, secret, ..
    } = &inner.auth
    else {
        return json(
            401,
            r#"{"error":"invalid_client","error_description":"Client authentication failed"}"#,
        );
    };
    if v["grant_type"] != "client_credentials"
        || v["client_id"] != client_id.as_str()
        || v["client_secret"] != secret.as_str()
    {
        return json(
            401,
            r#"{"error":"invalid_client","error_description":"Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method."}"#,
        );
    }
    let scope = v["scope"].as_str().unwrap_or("read").to_owned();
    let token = format!("oauth-token-{}-{}", inner.tokens.len() + 1, now_secs());
    inner.tokens.push((token.clone(), scope.clone(), 0));
    json(
        200,
        &format!(r#"{{"access_token":"{token}","token_type":"bearer","scope":"{scope}"}}"#),
    )
}

fn authorized(inner: &mut Inner, authorization: Option<&str>) -> Result<(), Answer> {
    let unauthorized = || json(401, BODY_401);
    let Some(h) = authorization else {
        return Err(unauthorized());
    };
    match &inner.auth {
        AuthMode::Token { email, token } => {
            let want = format!("Basic {}", b64(format!("{email}/token:{token}").as_bytes()));
            if h == want {
                Ok(())
            } else {
                Err(unauthorized())
            }
        }
        AuthMode::Bearer(t) => {
            if h == format!("Bearer {t}") {
                Ok(())
            } else {
                Err(unauthorized())
            }
        }
        AuthMode::OAuth { ttl_requests, .. } => {
            let ttl = *ttl_requests;
            let Some(tok) = h.strip_prefix("Bearer ") else {
                return Err(unauthorized());
            };
            let Some(entry) = inner.tokens.iter_mut().find(|t| t.0 == tok) else {
                return Err(unauthorized());
            };
            entry.2 += 1;
            if ttl.is_some_and(|n| entry.2 > n) {
                return Err(unauthorized());
            }
            if !entry
                .1
                .split(' ')
                .any(|s| s == "auditlogs:read" || s == "read")
            {
                return Err(json(
                    403,
                    r#"{"error":"Forbidden","description":"You are missing the following required scopes: auditlogs:read"}"#,
                ));
            }
            Ok(())
        }
    }
}

fn is_zendesk_time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[10] != b'T' || b[19] != b'Z' {
        return None;
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.timestamp())
}

fn audit_logs(
    inner: &mut Inner,
    query: &[(String, String)],
    authorization: Option<&str>,
) -> Option<Answer> {
    if let Err(a) = authorized(inner, authorization) {
        return Some(a);
    }
    inner.audit_requests += 1;
    let mut repeat = false;
    let mut stale = false;
    let mut offset_shape = false;
    let mut extra = None;
    if inner.audit_requests > inner.faults_after {
        if let Some(f) = inner.faults.pop_front() {
            match f {
                Fault::Reset => return None,
                Fault::CutShort => {
                    return Some(json(200, r#"{"audit_logs":[{"url":"https://acme.zen"#));
                }
                Fault::Html => {
                    return Some(Answer {
                        status: 200,
                        headers: vec![("Content-Type".into(), "text/html".into())],
                        body: "<html><body>Down for maintenance</body></html>".into(),
                    });
                }
                Fault::Status(s) => {
                    return Some(json(s, r#"{"error":"ServiceUnavailable"}"#));
                }
                Fault::Unavailable(form) => {
                    let mut headers = vec![("Content-Type".to_owned(), "text/plain".to_owned())];
                    headers.extend(form.value().map(|v| ("retry-after".to_owned(), v)));
                    return Some(Answer {
                        status: 503,
                        headers,
                        body: "Maintenance".to_owned(),
                    });
                }
                Fault::Redirect(location) => {
                    return Some(Answer {
                        status: 301,
                        headers: vec![("location".to_owned(), location.to_owned())],
                        body: String::new(),
                    });
                }
                Fault::TooMany(form) => {
                    let mut headers = vec![
                        ("Content-Type".to_owned(), "text/plain".to_owned()),
                        ("x-rate-limit".to_owned(), "700".to_owned()),
                        ("x-rate-limit-remaining".to_owned(), "0".to_owned()),
                    ];
                    if let Some(v) = form.value() {
                        headers.push(("retry-after".into(), v));
                    }
                    return Some(Answer {
                        status: 429,
                        headers,
                        body: BODY_429.to_owned(),
                    });
                }
                Fault::RepeatCursor => repeat = true,
                Fault::Stale => stale = true,
                Fault::Huge => return Some(json(200, &" ".repeat(65 << 20))),
                Fault::OffsetShape => offset_shape = true,
                Fault::Element(value) => extra = Some(value),
                Fault::Echo(status) => return Some(echo(status, &inner.auth, authorization)),
            }
        }
    }
    let bounds: Vec<&str> = query
        .iter()
        .filter(|(k, _)| k == "filter[created_at][]")
        .map(|(_, v)| v.as_str())
        .collect();
    let parsed: Vec<i64> = bounds.iter().filter_map(|b| is_zendesk_time(b)).collect();
    if bounds.len() != 2 || parsed.len() != 2 {
        return Some(json(400, BODY_400_FILTER));
    }
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(size) = get("page[size]").and_then(|s| s.parse::<usize>().ok()) else {
        return Some(json(
            400,
            r#"{"error":"fake: page[size] missing: offset pagination is not served"}"#,
        ));
    };
    if size == 0 || size > 100 {
        return Some(json(
            400,
            r#"{"error":"InvalidPaginationParameter","description":"page[size] must be between 1 and 100"}"#,
        ));
    }
    let ascending = get("sort") == Some("created_at") && !inner.ignore_sort;
    let after = get("page[after]");
    let after_key = match after {
        Some(c) => match key_of_cursor(c) {
            Some(k) => Some(k),
            None => {
                return Some(json(
                    400,
                    r#"{"error":"InvalidPaginationParameter","description":"invalid cursor"}"#,
                ))
            }
        },
        None => None,
    };
    let after_key = if stale { None } else { after_key };
    let (lo, hi) = (parsed[0], parsed[1]);
    let mut matching: Vec<&Rec> = inner
        .records
        .iter()
        .filter(|r| {
            r.visible && r.created_at >= lo && (r.created_at <= hi || inner.ignore_range_end)
        })
        .collect();
    matching.sort_by_key(|r| (r.created_at, r.id));
    if !ascending {
        matching.reverse();
    }
    let rest: Vec<&Rec> = matching
        .into_iter()
        .filter(|r| match after_key {
            None => true,
            Some(k) if ascending => (r.created_at, r.id) > k,
            Some(k) => (r.created_at, r.id) < k,
        })
        .collect();
    let page: Vec<&Rec> = rest.iter().take(size).copied().collect();
    let has_more = rest.len() > size;
    let mut after_cursor = page.last().map(|r| cursor_of(r.created_at, r.id));
    let before_cursor = page.first().map(|r| cursor_of(r.created_at, r.id));
    let mut more = has_more;
    if repeat {
        if let Some(c) = after {
            after_cursor = Some(c.to_owned());
            more = true;
        }
    }
    if stale {
        // Before every record of the window, and another for each request.
        let n = i64::try_from(inner.audit_requests).unwrap_or(0);
        after_cursor = Some(cursor_of(lo - 1 - n, 0));
        more = true;
    }
    let mut recs: Vec<String> = page.iter().map(|r| record_json(r)).collect();
    recs.extend(extra.map(str::to_owned));
    let q = |c: &Option<String>| {
        match c {
        Some(c) => format!("\"https://acme.zendesk.com/api/v2/audit_logs.json?page%5Bafter%5D={c}&page%5Bsize%5D={size}\""),
        None => "null".into(),
    }
    };
    let opt = |c: &Option<String>| c.as_ref().map_or("null".to_owned(), |c| format!("\"{c}\""));
    let body = format!(
        r#"{{"audit_logs":[{}],"meta":{{"has_more":{more},"after_cursor":{},"before_cursor":{}}},"links":{{"prev":{},"next":{}}}}}"#,
        recs.join(","),
        opt(&after_cursor),
        opt(&before_cursor),
        q(&before_cursor),
        if more {
            q(&after_cursor)
        } else {
            "null".into()
        },
    );
    let body = if offset_shape {
        format!(
            r#"{{"audit_logs":[{}],"next_page":{},"previous_page":null,"count":{}}}"#,
            recs.join(","),
            if more {
                format!(
                    "\"https://acme.zendesk.com/api/v2/audit_logs.json?page=2&per_page={size}\""
                )
            } else {
                "null".into()
            },
            rest.len()
        )
    } else {
        body
    };
    let mut a = json(200, &body);
    a.headers.push(("X-Rate-Limit".into(), "700".into()));
    a.headers
        .push(("X-Rate-Limit-Remaining".into(), inner.remaining.to_string()));
    Some(a)
}

/// The answer of [`Fault::Echo`].
fn echo(status: u16, auth: &AuthMode, authorization: Option<&str>) -> Answer {
    let header = authorization.unwrap_or_default();
    let bare = header.split_once(' ').map_or(header, |(_, c)| c);
    let known = match auth {
        AuthMode::Token { email, token } => format!("{email}/token:{token} {token}"),
        AuthMode::Bearer(t) => t.clone(),
        AuthMode::OAuth { secret, .. } => secret.clone(),
    };
    let body = serde_json::json!({
        "error": "InvalidValue",
        "description": format!("rejected request with Authorization: {header}"),
        "credential": bare,
        "echo": known,
    });
    json(status, &body.to_string())
}

/// `n` records from `start`, `per_second` of them in each second, ids from `first_id`.
pub fn dataset(first_id: i64, n: usize, start: i64, per_second: usize) -> Vec<Rec> {
    (0..n)
        .map(|i| Rec {
            id: first_id + i as i64,
            created_at: start + (i / per_second.max(1)) as i64,
            visible: true,
        })
        .collect()
}
