//! The HTTP layer of `pull`: one blocking request at a time, with the retry rules the
//! vendors ask for.
//!
//! | answer | what the client does |
//! |---|---|
//! | 429 | sleeps at least `Retry-After` (delta-seconds, HTTP-date, or an RFC 3339 instant as Zoom sends) plus up to 1 s of jitter (cut to what `max_wait` leaves), on every 429; without the header (or with 0, or an instant past), 2 s·2ⁿ capped at 60 s. Past `max_wait` of such sleeps (with what 5xx answers' `Retry-After` asked for) in total: [`PullError::RateLimited`] |
//! | 5xx, timeout, reset, refused connection, a 2xx whose body is not JSON (cut short, a proxy's page) | full-jitter exponential backoff (base 1 s, cap 60 s), up to `attempts` tries in all, then [`PullError::Api`]; a 5xx's `Retry-After` is the least wait, and what it asks for counts against `max_wait` with the 429s' sleeps |
//! | a body over 64 MiB, or a request that cannot be made (a URL too long) | [`PullError::Api`] at once: another try would meet it again |
//! | anything else | returned to the caller, which knows what a 401, 403 or 400 means for its vendor |
//!
//! Pacing: when an answer says less than 5 % of the rate limit is left (`X-Rate-Limit` /
//! `X-Rate-Limit-Remaining` of Zendesk, `ratelimit-limit` / `ratelimit-remaining`, or Zoom's
//! `X-RateLimit-Limit` / `X-RateLimit-Remaining`), the next request waits until the window
//! resets (`ratelimit-reset` seconds, at most 60) or 1 s, so that the account's budget, shared
//! with its other integrations, is not run dry.
//!
//! Redirects are not followed (an `Authorization` header must not travel to another
//! host). Bodies are read up to 64 MiB. `http://` URLs (loopback only) never go through a
//! proxy of the environment; `https://` ones take it (the first of `ALL_PROXY`,
//! `HTTPS_PROXY` and `HTTP_PROXY` set), but for the hosts `NO_PROXY` covers (an entry
//! covers its subdomains: `urls::no_proxy_covers`).

use std::time::Duration;

use super::{Progress, PullError, Secret};

mod attempt;
mod urls;
mod waits;

use attempt::{try_request, Try};
pub(crate) use urls::{base64, pct, without_query};
pub use urls::{check_base_url, refuse_api_path};
use urls::{names_a_host, shown};
use waits::{pace, parse_retry_after};

/// Retry settings.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Tries per request for 5xx answers and network errors (at least 1).
    pub attempts: u32,
    /// First backoff step (doubled per try, with full jitter).
    pub backoff_base: Duration,
    /// Largest backoff step.
    pub backoff_cap: Duration,
    /// Total time the client may sleep on 429s before giving up.
    pub max_wait: Duration,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout.
    pub request_timeout: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            attempts: 6,
            backoff_base: Duration::from_secs(1),
            backoff_cap: Duration::from_secs(60),
            max_wait: Duration::from_secs(15 * 60),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
        }
    }
}

/// A request: method, URL, headers (secret ones kept as [`Secret`]s) and an optional body.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The whole URL, query included (no secret in it).
    pub url: String,
    /// Headers whose values are not secret.
    pub headers: Vec<(&'static str, String)>,
    /// The `Authorization` header, if any.
    pub authorization: Option<Secret>,
    /// A body, with its content type.
    pub body: Option<(&'static str, Vec<u8>)>,
}

impl Request {
    /// A GET of `url`.
    #[must_use]
    pub fn get(url: String) -> Request {
        Request {
            method: "GET",
            url,
            headers: vec![("Accept", "application/json".into())],
            authorization: None,
            body: None,
        }
    }
}

/// An answer: status, headers (names lower case) and body.
#[derive(Debug, Clone)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The first header of this (lower-case) name.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The server's clock when it answered: its `Date` header (an HTTP-date, Unix seconds).
    #[must_use]
    pub fn date(&self) -> Option<i64> {
        let date = chrono::DateTime::parse_from_rfc2822(self.header("date")?.trim()).ok()?;
        Some(date.timestamp())
    }

    /// For a redirect (3xx), where it pointed and why it is not followed, for a message in
    /// place of the body: `flag` is the base URL to give that host with. A bare `301: ` said
    /// nothing of the host that a renamed or mapped domain now answers at (review finding).
    #[must_use]
    pub(crate) fn redirected(&self, flag: &str) -> Option<String> {
        if !(300..400).contains(&self.status) {
            return None;
        }
        let not_followed = "which is not followed (the credentials would go along)";
        Some(match self.header("location").map(str::trim) {
            None | Some("") => format!("redirected without a Location, {not_followed}"),
            // A path on the same host: no other host to give (a `://` in its query, as in
            // `/login?next=https://…`, names none).
            Some(l) if !names_a_host(l) => {
                format!(
                    "redirected to {} on the same host, {not_followed}",
                    shown(l)
                )
            }
            Some(l) => format!(
                "redirected to {}, {not_followed}: give that host as {flag}",
                shown(l)
            ),
        })
    }

    /// For an answer of an OAuth token endpoint that is none (404 or 405: a wrong base URL)
    /// or a redirect, what to say after the status: `body` (redacted) and the base URL's
    /// `flag` to check. Such answers were taken for refused credentials (review finding).
    #[must_use]
    pub(crate) fn not_a_token_endpoint(&self, flag: &str, body: &str) -> Option<String> {
        let body = if body.trim().is_empty() {
            "(an empty body)"
        } else {
            body
        };
        match self.status {
            404 | 405 => Some(format!(
                "{body}; no OAuth token endpoint there: check {flag}"
            )),
            _ => self.redirected(flag),
        }
    }

    /// The body as text for error messages: every form of `secrets` blanked in the whole
    /// body, and then cut to 500 bytes, so that a secret the cut falls inside is blanked
    /// too (review s41-h2: its first part was printed).
    #[must_use]
    pub fn body_excerpt(&self, secrets: &[&Secret]) -> String {
        let text = Secret::redact(&String::from_utf8_lossy(&self.body), secrets);
        // On one line: a body's line breaks printed as they are let a server write lines
        // of its own into the cron mail (review s43-h4 LOW-1).
        let text: String = text
            .trim()
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let text = text.as_str();
        if text.len() <= 500 {
            return text.to_owned();
        }
        let mut end = 500;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}...", &text[..end])
    }
}

/// The blocking client: one request at a time, retried by [`Policy`].
pub struct Client {
    agent: ureq::Agent,
    /// The agent for `http://` URLs (loopback only, [`check_base_url`]): never through a
    /// proxy of the environment (`ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY`), which would get the
    /// credentials in clear text (review finding).
    direct: ureq::Agent,
    policy: Policy,
    /// Sleeps on 429s so far.
    rate_waited: Duration,
    /// What the `Retry-After` of 5xx answers asked for so far (not the backoff, which is
    /// ours): with `rate_waited`, bounded by `max_wait`.
    server_waited: Duration,
    /// Sleeps of pacing so far.
    paced: Duration,
    /// No request before this instant (pacing).
    next_at: Option<std::time::Instant>,
    rng: u64,
    /// Set when the run is asked to stop: the waits between tries end at once.
    cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// Every secret sent so far (`Authorization` values, and those named to
    /// [`send`](Self::send)), for [`redact`](Self::redact).
    sent: Vec<Secret>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("policy", &self.policy)
            .field("rate_waited", &self.rate_waited)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client with this policy.
    #[must_use]
    pub fn new(policy: Policy) -> Client {
        let config = || {
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .timeout_connect(Some(policy.connect_timeout))
                .timeout_global(Some(policy.request_timeout))
                .user_agent(concat!("normalog/", env!("CARGO_PKG_VERSION")))
        };
        let seed = u64::from(std::process::id())
            ^ u64::try_from(chrono::Utc::now().timestamp_nanos_opt().unwrap_or(1)).unwrap_or(1);
        Client {
            agent: config().build().into(),
            direct: config().proxy(None).build().into(),
            policy,
            rate_waited: Duration::ZERO,
            server_waited: Duration::ZERO,
            paced: Duration::ZERO,
            next_at: None,
            rng: seed | 1,
            cancel: None,
            sent: Vec::new(),
        }
    }

    /// Time slept on 429s so far.
    #[must_use]
    pub fn rate_waited(&self) -> Duration {
        self.rate_waited
    }

    /// What the `Retry-After` of server errors (5xx) asked to wait so far.
    #[must_use]
    pub fn server_waited(&self) -> Duration {
        self.server_waited
    }

    /// The waits the server asked for so far (429s, and 5xx's `Retry-After`): what
    /// `max_wait` bounds.
    fn asked_waited(&self) -> Duration {
        self.rate_waited.saturating_add(self.server_waited)
    }

    /// Time slept pacing requests (the rate limit nearly spent) so far.
    #[must_use]
    pub fn paced(&self) -> Duration {
        self.paced
    }

    /// `e` with every secret this client has sent blanked from its message (see
    /// [`Secret::redact`]): the last guard of a pull's errors, whatever built them.
    #[must_use]
    pub fn redact(&self, e: PullError) -> PullError {
        let sent: Vec<&Secret> = self.sent.iter().collect();
        e.redacted(&sent)
    }

    fn remember(&mut self, secret: &Secret) {
        if !self.sent.contains(secret) {
            self.sent.push(secret.clone());
        }
    }

    /// A uniform value in `[0, 1)`.
    fn random(&mut self) -> f64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        #[allow(clippy::cast_precision_loss)] // 53 bits are kept on purpose
        let v = (self.rng >> 11) as f64 / (1u64 << 53) as f64;
        v
    }

    /// Send `req`, retrying as the [`Policy`] says; `secrets` are redacted from every message.
    ///
    /// # Errors
    ///
    /// [`PullError::RateLimited`] past `max_wait`, [`PullError::Api`] when the tries are
    /// spent on 5xx answers or network errors.
    pub fn send(
        &mut self,
        req: &Request,
        secrets: &[&Secret],
        progress: &mut dyn Progress,
    ) -> Result<Response, PullError> {
        for s in secrets.iter().copied().chain(&req.authorization) {
            self.remember(s);
        }
        let mut all: Vec<&Secret> = secrets.to_vec();
        all.extend(&req.authorization);
        let secrets = &all[..];
        let what = named(req, secrets);
        let mut failures = 0u32;
        let mut rate_limited = 0u32;
        loop {
            if let Some(at) = self.next_at.take() {
                let wait = at.saturating_duration_since(std::time::Instant::now());
                if !wait.is_zero() {
                    progress.waiting("rate limit nearly spent", wait);
                    self.sleep(wait)?;
                    self.paced += wait;
                }
            }
            let outcome = self.try_once(req)?;
            if let Try::Answer(resp) = &outcome {
                if resp.status != 429 {
                    self.next_at = pace(resp).map(|d| std::time::Instant::now() + d);
                }
            }
            let (why, wait) = match outcome {
                Try::Answer(resp) if resp.status == 429 => {
                    let now_ms = chrono::Utc::now().timestamp_millis();
                    let floor = resp
                        .header("retry-after")
                        .and_then(|v| parse_retry_after(v, now_ms));
                    // Never early: the header is a minimum; jitter only adds, as far as
                    // --max-wait leaves room (a wait that fits is not refused for its jitter).
                    // `Retry-After: 0`, or an instant already past (a clock ahead of the
                    // server's), is taken as no header: with the jitter alone, once
                    // --max-wait was spent the request was sent again at once, forever
                    // (review s43-h4 HIGH-2).
                    let backoff = Duration::from_secs(2)
                        .saturating_mul(1 << rate_limited.min(5))
                        .min(Duration::from_secs(60));
                    let step = floor.filter(|d| !d.is_zero()).unwrap_or(backoff);
                    let room = self.policy.max_wait.saturating_sub(self.asked_waited());
                    let wait = (step + Duration::from_secs_f64(self.random())).min(room.max(step));
                    rate_limited += 1;
                    if self.asked_waited().saturating_add(wait) > self.policy.max_wait {
                        let asked = floor.is_some_and(|d| !d.is_zero());
                        return Err(self.past_max_wait(&what, &resp, asked, step));
                    }
                    self.rate_waited = self.rate_waited.saturating_add(wait);
                    ("rate limited".to_owned(), wait)
                }
                Try::Answer(resp) if resp.status >= 500 => {
                    failures += 1;
                    let wait = self.after_server_error(&resp, failures, &what, secrets)?;
                    (format!("server error {}", resp.status), wait)
                }
                // Both vendors answer JSON: a success that is not (a body cut short, a
                // proxy's maintenance page) is a fault of the way there, tried again.
                Try::Answer(resp)
                    if (200..300).contains(&resp.status)
                        && serde_json::from_slice::<serde::de::IgnoredAny>(&resp.body).is_err() =>
                {
                    failures += 1;
                    let why = format!("an answer {} that is not JSON", resp.status);
                    if failures >= self.policy.attempts.max(1) {
                        let body = resp.body_excerpt(secrets);
                        return Err(PullError::Api(format!(
                            "{what}: {why} after {failures} tries ({body:?}); the state holds \
                             the last committed batch: run again later"
                        )));
                    }
                    (why, self.backoff(failures))
                }
                Try::Answer(resp) => return Ok(resp),
                Try::Refused(why) => {
                    let why =
                        Secret::redact(&why.replace(&req.url, without_query(&req.url)), secrets);
                    return Err(PullError::Api(format!("{what}: {why}")));
                }
                Try::Failed(err) => {
                    failures += 1;
                    // A network error's text may quote the URL: its query goes too.
                    let err = err.replace(&req.url, without_query(&req.url));
                    let err = Secret::redact(&err, secrets);
                    if failures >= self.policy.attempts.max(1) {
                        return Err(PullError::Api(format!(
                            "{what}: {err} (after {failures} tries)"
                        )));
                    }
                    (err, self.backoff(failures))
                }
            };
            progress.waiting(&why, wait);
            self.sleep(wait)?;
        }
    }

    /// End the waits between tries (429s, server errors, pacing) as soon as `flag` is set:
    /// a stop asked during a wait of minutes (`--max-wait`) took effect only after it.
    pub fn cancel_on(&mut self, flag: std::sync::Arc<std::sync::atomic::AtomicBool>) {
        self.cancel = Some(flag);
    }

    /// Sleep `wait`, in slices, unless the run is asked to stop.
    fn sleep(&self, wait: Duration) -> Result<(), PullError> {
        let until = std::time::Instant::now() + wait;
        loop {
            if self
                .cancel
                .as_ref()
                .is_some_and(|f| f.load(std::sync::atomic::Ordering::Relaxed))
            {
                return Err(PullError::Interrupted(super::INTERRUPTED.into()));
            }
            let left = until.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            std::thread::sleep(left.min(Duration::from_millis(50)));
        }
    }

    /// The wait before the next try after a server error, the `failures`th in a row: the
    /// backoff, or the answer's `Retry-After` when longer (a 503 of maintenance, RFC 9110),
    /// counted against `max_wait` as a 429's (backoff alone gave up on a 30 s maintenance
    /// within 9 s, review finding).
    ///
    /// # Errors
    ///
    /// [`PullError::Api`] when the tries are spent, or the wait asked for would pass
    /// `max_wait`.
    fn after_server_error(
        &mut self,
        resp: &Response,
        failures: u32,
        what: &str,
        secrets: &[&Secret],
    ) -> Result<Duration, PullError> {
        let why = format!("server error {}", resp.status);
        let said = || {
            let body = resp.body_excerpt(secrets);
            if body.trim().is_empty() {
                " (an empty body)".to_owned()
            } else {
                format!(": {body}")
            }
        };
        if failures >= self.policy.attempts.max(1) {
            return Err(PullError::Api(format!(
                "{what}: {why} after {failures} tries{}",
                said()
            )));
        }
        let backoff = self.backoff(failures);
        let asked = resp
            .header("retry-after")
            .and_then(|v| parse_retry_after(v, chrono::Utc::now().timestamp_millis()));
        // Only what the header asked for counts against `max_wait`, not the backoff
        // (`Retry-After: 0` spent the budget on the random backoff: review finding).
        match asked {
            Some(floor) if self.asked_waited().saturating_add(floor) > self.policy.max_wait => {
                Err(PullError::Api(format!(
                    "{what}: {why}, asking to wait {:.1} s (Retry-After), past --max-wait {} s \
                     with {:.1} s waited already; run again later{}",
                    floor.as_secs_f64(),
                    self.policy.max_wait.as_secs(),
                    self.asked_waited().as_secs_f64(),
                    said()
                )))
            }
            Some(floor) => {
                self.server_waited = self.server_waited.saturating_add(floor);
                Ok(floor.max(backoff))
            }
            None => Ok(backoff),
        }
    }

    /// Full jitter: uniform in `[0, min(cap, base·2^(n-1))]`.
    fn backoff(&mut self, n: u32) -> Duration {
        let step = self
            .policy
            .backoff_base
            .saturating_mul(1u32 << (n - 1).min(16))
            .min(self.policy.backoff_cap);
        step.mul_f64(self.random())
    }

    /// One try of `req`. With a stop flag ([`cancel_on`](Self::cancel_on)), the request
    /// runs on a thread of its own and a stop does not wait for it: a server that hangs
    /// held a Ctrl-C for the whole request timeout. The abandoned thread ends with the
    /// request (at its timeout, at the latest) or with the process.
    fn try_once(&self, req: &Request) -> Result<Try, PullError> {
        let no_proxy = std::env::var("NO_PROXY")
            .or_else(|_| std::env::var("no_proxy"))
            .unwrap_or_default();
        let agent = if req.url.starts_with("http://") || urls::no_proxy_covers(&req.url, &no_proxy)
        {
            &self.direct
        } else {
            &self.agent
        };
        let Some(cancel) = self.cancel.clone() else {
            return Ok(try_request(agent, req));
        };
        let stopped = || cancel.load(std::sync::atomic::Ordering::Relaxed);
        if stopped() {
            return Err(PullError::Interrupted(super::INTERRUPTED.into()));
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let (on_thread, request) = (agent.clone(), req.clone());
        let spawned = std::thread::Builder::new()
            .name("normalog-request".into())
            .spawn(move || {
                let _ = tx.send(try_request(&on_thread, &request));
            });
        if spawned.is_err() {
            // No thread to be had: the request on this one, as without a stop flag.
            return Ok(try_request(agent, req));
        }
        loop {
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(outcome) => return Ok(outcome),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) if stopped() => {
                    return Err(PullError::Interrupted(super::INTERRUPTED.into()));
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    return Ok(Try::Failed("the request's thread ended".into()));
                }
            }
        }
    }
}

/// `req` as messages name it: its method and its URL without the query (a page
/// request's is long, and a page token or a window is no help in reading what went
/// wrong), `secrets` redacted.
fn named(req: &Request, secrets: &[&Secret]) -> String {
    Secret::redact(
        &format!("{} {}", req.method, without_query(&req.url)),
        secrets,
    )
}

impl Client {
    /// A 429 whose wait (`step`) would pass `--max-wait`: said with who set the wait, the
    /// server (`asked`: its `Retry-After`) or the backoff without its word (review s48-h2
    /// LOW-1: a backoff was said to be the server's), and a Zoom daily limit named.
    fn past_max_wait(&self, what: &str, resp: &Response, asked: bool, step: Duration) -> PullError {
        let asks = match resp.header("retry-after") {
            _ if asked => "the server asks to wait".to_owned(),
            // `Retry-After: 0` or an instant past (review s48-h4 LOW-3: said to be missing),
            // or a value not read (`soon`, `1.5`).
            Some(v) if parse_retry_after(v, 0).is_some() => format!(
                "Retry-After {:?} asks for no wait: the backoff waits",
                v.trim()
            ),
            Some(v) => format!(
                "Retry-After {:?} is not a wait (seconds, or an HTTP or RFC 3339 date): the \
                 backoff waits",
                v.trim()
            ),
            None => "no Retry-After: the backoff waits".to_owned(),
        };
        let daily = resp
            .header("x-ratelimit-type")
            .filter(|t| t.trim().eq_ignore_ascii_case("daily-limit"))
            .map_or("", |_| {
                " (X-RateLimit-Type: Daily-limit: the day's quota is spent)"
            });
        PullError::RateLimited(format!(
            "{what}: still rate limited (429){daily}: {asks} {:.1} s more, after {:.1} s \
             waited in total, past --max-wait {} s; run again later",
            step.as_secs_f64(),
            self.asked_waited().as_secs_f64(),
            self.policy.max_wait.as_secs()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A base URL that holds the API path the pull appends is refused; other paths (a
    /// proxy's) pass.
    #[test]
    fn base_urls_ending_with_the_api_path_are_refused() {
        let ex = "https://api.zoom.us";
        for bad in [
            "https://api.zoom.us/v2",
            "https://api.zoom.us/v2/",
            "http://127.0.0.1:8080/v2?x=1",
            "https://proxy.example/zoom/v2",
        ] {
            let err = refuse_api_path("--api-base", bad, "/v2", ex).expect_err(bad);
            assert!(matches!(err, PullError::Config(_)), "{bad}");
            assert!(err.message().contains("give the base without /v2"), "{err}");
            assert!(
                err.message().starts_with(&format!("--api-base {bad}: ")),
                "{err}"
            );
        }
        for good in [
            "https://api.zoom.us",
            "https://eu01api.zoom.us/",
            "https://proxy.example/v2x",
            "https://v2",
        ] {
            assert_eq!(
                refuse_api_path("--api-base", good, "/v2", ex),
                Ok(()),
                "{good}"
            );
        }
        let zd = "https://acme.zendesk.com";
        assert!(refuse_api_path(
            "--base-url",
            "https://acme.zendesk.com/api/v2",
            "/api/v2",
            zd
        )
        .is_err());
        assert_eq!(
            refuse_api_path("--base-url", "https://acme.zendesk.com/api", "/api/v2", zd),
            Ok(())
        );
        assert_eq!(
            without_query("http://h/v2/report/activities?from=1"),
            "http://h/v2/report/activities"
        );
    }

    #[test]
    fn retry_after_forms() {
        let now = 1_590_883_200_000 - 10_000; // 10 s before 2020-05-31T00:00:00Z
        assert_eq!(parse_retry_after("93", now), Some(Duration::from_secs(93)));
        assert_eq!(
            parse_retry_after("2020-05-31T00:00:00Z", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 31 May 2020 00:00:00 GMT", now),
            Some(Duration::from_secs(10))
        );
        // In the past: no wait (the client still adds jitter).
        assert_eq!(
            parse_retry_after("Sat, 30 May 2020 00:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
        // Too long for any clock: capped, so sums and deadlines cannot overflow.
        assert_eq!(
            parse_retry_after("18446744073709551615", now),
            Some(super::waits::LONGEST_RETRY_AFTER)
        );
        assert_eq!(
            parse_retry_after("99999999999999999999999999", now),
            Some(super::waits::LONGEST_RETRY_AFTER)
        );
        assert_eq!(
            parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now),
            Some(super::waits::LONGEST_RETRY_AFTER)
        );
    }

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(b"a@b.com/token:xyz"), "YUBiLmNvbS90b2tlbjp4eXo=");
    }

    #[test]
    fn query_components_are_encoded() {
        assert_eq!(pct("2026-01-01T00:00:00Z"), "2026-01-01T00%3A00%3A00Z");
        assert_eq!(pct("a+b/c=="), "a%2Bb%2Fc%3D%3D");
        assert_eq!(pct("A-z_0.9~ é&"), "A-z_0.9~%20%C3%A9%26");
    }

    #[test]
    fn pacing_when_the_budget_is_nearly_spent() {
        let resp = |headers: &[(&str, &str)]| Response {
            status: 200,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: Vec::new(),
        };
        let zd = |left: &str| resp(&[("x-rate-limit", "700"), ("x-rate-limit-remaining", left)]);
        assert_eq!(pace(&zd("699")), None);
        assert_eq!(pace(&zd("35")), None, "5 % left");
        assert_eq!(pace(&zd("34")), Some(Duration::from_secs(1)));
        let reset = resp(&[
            ("ratelimit-limit", "400"),
            ("ratelimit-remaining", "3"),
            ("ratelimit-reset", "17"),
        ]);
        assert_eq!(pace(&reset), Some(Duration::from_secs(17)));
        let zoom = resp(&[
            ("x-ratelimit-limit", "30000"),
            ("x-ratelimit-remaining", "100"),
        ]);
        assert_eq!(pace(&zoom), Some(Duration::from_secs(1)));
        assert_eq!(pace(&resp(&[])), None);
    }

    #[test]
    fn loopback_only_for_http() {
        assert!(check_base_url("https://acme.zendesk.com").is_ok());
        assert!(check_base_url("http://127.0.0.1:8080").is_ok());
        assert!(check_base_url("http://localhost:1/x").is_ok());
        assert!(check_base_url("http://[::1]:99").is_ok());
        assert!(check_base_url("http://acme.zendesk.com").is_err());
        assert!(check_base_url("http://127.0.0.1.evil.com").is_err());
        assert!(check_base_url("http://user@10.0.0.1/").is_err());
        // A password in a base URL is refused, without printing it (review s41-h2 LOW-3).
        for url in [
            "http://u:pw-SECRET@127.0.0.1:1",
            "https://u:pw-SECRET@acme.zendesk.com",
        ] {
            let e = check_base_url(url).expect_err(url).to_string();
            assert!(e.contains("no user name or password"), "{e}");
            assert!(!e.contains("SECRET"), "{e}");
        }
        // What the client cannot parse is refused here, not retried (review s41-h2 LOW-2).
        let e = check_base_url("http://127.0.0.2:18099\\@127.0.0.1:1").expect_err("refused");
        assert!(!e.to_string().contains("tries"), "{e}");
        let e = check_base_url("https://acme zendesk.com").expect_err("refused");
        assert!(e.to_string().contains("not a valid URL"), "{e}");
        assert!(check_base_url("ftp://x").is_err());
        assert!(check_base_url("https://").is_err());
    }

    /// A redirect's message shows where it pointed without the credentials of the URL,
    /// its query or more than 200 bytes, and gives no host to a path on the same host
    /// (review finding).
    #[test]
    fn a_redirect_is_shown_without_credentials() {
        let redirect = |location: &str| Response {
            status: 301,
            headers: vec![("location".into(), location.into())],
            body: Vec::new(),
        };
        let said = redirect("https://admin:hunter2@acme2.zendesk.com/api/v2/x?token=1")
            .redirected("--base-url")
            .expect("a redirect");
        assert_eq!(
            said,
            "redirected to https://acme2.zendesk.com/api/v2/x, which is not followed (the \
             credentials would go along): give that host as --base-url"
        );
        let said = redirect("//admin:pw@acme2.zendesk.com/api/v2/x")
            .redirected("--base-url")
            .expect("a redirect");
        assert_eq!(
            said,
            "redirected to //acme2.zendesk.com/api/v2/x, which is not followed (the \
             credentials would go along): give that host as --base-url"
        );
        let said = redirect("/login?next=https://sso.example/")
            .redirected("--base-url")
            .expect("a redirect");
        assert!(
            said.ends_with(
                " on the same host, which is not followed (the credentials would go along)"
            ),
            "{said}"
        );
        let said = redirect("/api/v2/x?page=2")
            .redirected("--base-url")
            .expect("a redirect");
        assert_eq!(
            said,
            "redirected to /api/v2/x on the same host, which is not followed (the credentials \
             would go along)"
        );
        let long = format!("https://h.example/{}", "é".repeat(300));
        let said = redirect(&long)
            .redirected("--base-url")
            .expect("a redirect");
        assert!(said.contains("..., which"), "{said}");
        assert!(said.len() < 320, "{}", said.len());
        assert_eq!(
            Response {
                status: 200,
                headers: Vec::new(),
                body: Vec::new()
            }
            .redirected("x"),
            None
        );
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let mut c = Client::new(Policy {
            backoff_base: Duration::from_millis(100),
            backoff_cap: Duration::from_millis(400),
            ..Policy::default()
        });
        for n in 1..20 {
            let d = c.backoff(n);
            assert!(d <= Duration::from_millis(400), "{d:?}");
        }
    }
}
