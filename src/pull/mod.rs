//! Incremental pulls from the vendor APIs (feature `pull`): Zendesk audit logs and Zoom's
//! sign-in and operation reports fetched page by page, deduplicated against what earlier runs emitted, normalized by the same pipeline
//! as `normalog normalize`, and checkpointed in a state file only after the output holds
//! them.
//!
//! # Brief overview
//!
//! * [`http::Client`] sends one request at a time (the vendors' limits are account-wide),
//!   retries 5xx answers, timeouts and resets with jittered backoff, and waits out every 429
//!   for at least its `Retry-After` (seconds, HTTP-date or RFC 3339), up to a total wait.
//! * [`state::StateFile`] is the checkpoint: per stream, a watermark and the ids (or
//!   content hashes) emitted inside the overlap window; bound to its subdomain or account,
//!   locked for the run through a separate lock file, written atomically (fsync, rename,
//!   fsync of the directory).
//! * [`deliver::Delivery`] writes each batch of records: into a directory layout
//!   exactly once (a batch's part files are named after its commit sequence number, and the
//!   files of a batch that was never checkpointed are removed by the next run), or into a
//!   stream or a single file (at least once across crashes).
//! * [`zendesk::pull`] drives a Zendesk pull: auth (API token, OAuth client credentials,
//!   or a bearer token), the `created_at` window, cursor pages, dedupe and commits.
//! * [`zoom::pull`] drives a Zoom pull: Server-to-Server OAuth, date windows, page tokens
//!   (restarting a window whose token expired), dedupe by a count per content hash, and
//!   commits after each batch (the watermark moving at window ends).
//! * Both number and write their batches and save the positions after them the same way
//!   (`commits.rs`, the commit protocol below), and stop on a cursor that comes back or on
//!   empty pages that keep claiming more (`paging.rs`).
//!
//! Secrets are [`Secret`]s: their `Debug` and `Display` print `***`, and the text of every
//! error that could carry one (a URL, an answer's body) goes through [`Secret::redact`].
//!
//! # Commit protocol
//!
//! A run numbers its batches `(run, seq)`. For a batch: the records are normalized into a
//! hidden staging directory, their files are fsynced and renamed into the layout as
//! `part-<tag>-<run>-<seq>-<n>.<ext>`, and only then is the state saved with
//! `committed = (run, seq)` and the new positions. A run that starts after a crash removes
//! every part of its tag with a `(run, seq)` above the committed one, so the union of the
//! files is exactly the committed records.
//!
//! A part file is visible (whole) from its rename on, before the state commits it: a
//! reader of the directory may rely only on the files whose `(run, seq)` is at most the
//! state's `committed`, or on every file once a run has ended without error (its start
//! removed what a crashed run left; the staging directory `.pull-<tag>/` exists whenever
//! uncommitted files may be present).

mod commits;
pub mod deliver;
mod files;
pub mod http;
mod page;
mod paging;
pub mod raw;
pub mod state;
pub mod zendesk;
pub mod zoom;

use std::fmt;
use std::time::Duration;

/// A secret (an API token, a client secret, an access token). `Debug` and `Display` print
/// `***`; [`expose`](Self::expose) gives the value to whoever must send it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a value; one trailing newline (as a file written by `echo` has) is removed.
    #[must_use]
    pub fn new(value: impl Into<String>) -> Secret {
        let mut v = value.into();
        if v.ends_with('\n') {
            v.pop();
            if v.ends_with('\r') {
                v.pop();
            }
        }
        Secret(v)
    }

    /// The value, to be sent in a header or a body.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True for an empty value.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `text` with every form of each secret replaced by `***`: the value; for an
    /// `Authorization` value (`Basic …`, `Bearer …`), also its credential alone (the
    /// base64 of `EMAIL/token:TOKEN` or `CLIENT_ID:SECRET`, a bare access token), since a
    /// server or a proxy may echo either; and of each of those, the forms it takes when
    /// echoed in a URL (percent-encoded), in JSON (`/` escaped as `\/`; `"`, `\` and
    /// controls escaped, and other than ASCII as `\uXXXX` or not), or as base64 without its
    /// `=` padding; and each of those as a message quotes it (Rust's `{:?}` escapes).
    /// Secrets shorter than 4 bytes are left alone: they would blank common words, and no
    /// real credential is that short.
    #[must_use]
    pub fn redact(text: &str, secrets: &[&Secret]) -> String {
        let mut forms: Vec<String> = secrets.iter().flat_map(|s| s.forms()).collect();
        // The longest first, so that a form inside another (the token inside its header
        // value) does not leave the rest of the longer one behind.
        forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
        forms.dedup();
        let mut out = text.to_owned();
        for f in &forms {
            if out.contains(f.as_str()) {
                out = out.replace(f.as_str(), "***");
            }
        }
        out
    }

    /// Every form of the secret that [`redact`](Self::redact) blanks.
    fn forms(&self) -> Vec<String> {
        let mut bare = vec![self.0.clone()];
        for scheme in ["Basic ", "Bearer "] {
            let v = self.0.as_str();
            // `get`, not slicing: a secret is the user's text, and a byte count may fall
            // inside a character.
            if let Some(rest) = v
                .get(..scheme.len())
                .filter(|head| head.eq_ignore_ascii_case(scheme))
                .and_then(|_| v.get(scheme.len()..))
                .filter(|rest| !rest.is_empty())
            {
                bare.push(rest.trim().to_owned());
            }
        }
        let mut forms = Vec::new();
        for b in bare {
            let unpadded = b.trim_end_matches('=').to_owned();
            let json = json_escaped(&b);
            let ascii = ascii_escaped(&json);
            for f in [
                http::pct(&b),
                b.replace('/', "\\/"),
                unpadded,
                json,
                ascii,
                b,
            ] {
                let quoted = f.escape_debug().to_string();
                for f in [quoted, f] {
                    if f.len() >= 4 && !forms.contains(&f) {
                        forms.push(f);
                    }
                }
            }
        }
        forms
    }
}

/// `s` as inside a JSON string (`"` and `\` and controls escaped).
fn json_escaped(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted
        .get(1..quoted.len().saturating_sub(1))
        .unwrap_or_default()
        .to_owned()
}

/// A JSON string's text with every character other than ASCII as `\uXXXX` (UTF-16).
fn ascii_escaped(json: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            for unit in c.encode_utf16(&mut [0; 2]) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
    out
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Why a pull stopped. Each kind maps to one exit status of `normalog pull`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PullError {
    /// Bad configuration: flags, a state file of another account, a state file in use, an
    /// `http://` URL to a host that is not loopback. Nothing was requested.
    Config(String),
    /// The API refused the credentials (401) or the permission (403). The state holds the
    /// last batch committed before (none when the first request was refused).
    Auth(String),
    /// Still rate limited after waiting `--max-wait` in total. The state holds the last
    /// committed batch.
    RateLimited(String),
    /// Another API or network error, after retries (or a protocol error such as a repeating
    /// cursor).
    Api(String),
    /// Writing the output or the state failed.
    Output(String),
    /// The run was cancelled ([`Batch::cancel_on`](crate::pipeline::Batch::cancel_on) of
    /// the delivery's batch): it stopped between batches, or in a batch before its files
    /// were published (that batch's staging files removed). The state holds the last
    /// committed batch, as after any error.
    Interrupted(String),
}

impl PullError {
    /// The message.
    #[must_use]
    pub fn message(&self) -> &str {
        match self {
            PullError::Config(m)
            | PullError::Auth(m)
            | PullError::RateLimited(m)
            | PullError::Api(m)
            | PullError::Output(m)
            | PullError::Interrupted(m) => m,
        }
    }
}

impl PullError {
    /// The same error with `note` added to its message, in parentheses.
    #[must_use]
    pub(crate) fn noting(self, note: &str) -> PullError {
        self.map(|m| format!("{m} ({note})"))
    }

    fn map(self, r: impl Fn(String) -> String) -> PullError {
        match self {
            PullError::Config(m) => PullError::Config(r(m)),
            PullError::Auth(m) => PullError::Auth(r(m)),
            PullError::RateLimited(m) => PullError::RateLimited(r(m)),
            PullError::Api(m) => PullError::Api(r(m)),
            PullError::Output(m) => PullError::Output(r(m)),
            PullError::Interrupted(m) => PullError::Interrupted(r(m)),
        }
    }

    /// The same error with every form of `secrets` blanked from its message (see
    /// [`Secret::redact`]).
    #[must_use]
    pub fn redacted(self, secrets: &[&Secret]) -> PullError {
        self.map(|m| Secret::redact(&m, secrets))
    }
}

impl fmt::Display for PullError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for PullError {}

impl From<crate::Error> for PullError {
    fn from(e: crate::Error) -> PullError {
        if e.is_cancelled() {
            return PullError::Interrupted(INTERRUPTED.into());
        }
        PullError::Output(e.to_string())
    }
}

/// What an interrupted pull says.
pub(crate) const INTERRUPTED: &str =
    "stopped; the state holds the last committed batch, run again to go on";

impl From<std::io::Error> for PullError {
    fn from(e: std::io::Error) -> PullError {
        PullError::Output(e.to_string())
    }
}

/// Told what a pull is doing, for a progress line. Called on the pulling thread.
pub trait Progress {
    /// A page arrived: totals so far in this run, and the window being read (RFC 3339).
    fn page(&mut self, pages: u64, records: u64, window: (&str, &str)) {
        let _ = (pages, records, window);
    }
    /// The client is about to sleep `wait` before retrying (`why`: "rate limited",
    /// "server error 503", ...).
    fn waiting(&mut self, why: &str, wait: Duration) {
        let _ = (why, wait);
    }
}

/// A [`Progress`] that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;
impl Progress for NoProgress {}

/// Parse a duration such as `30d`, `12h`, `5m`, `90s`, `250ms` or `0` (seconds without a unit are
/// refused, except 0, so that a forgotten unit is not read as seconds).
///
/// # Errors
///
/// A message for a malformed value, or one too large to count in seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    duration(s).map_err(|e| match e {
        DurationError::Malformed => format!("{s:?}: not a duration (e.g. 30d, 12h, 5m, 90s)"),
        DurationError::TooLarge(number) => too_large(s, &number),
    })
}

/// Why a duration was refused: the time flags say "not a time" for the first only.
enum DurationError {
    Malformed,
    /// Its number (given, or in seconds) is past 64 bits.
    TooLarge(String),
}

fn too_large(s: &str, number: &str) -> String {
    format!("{s:?}: {number} is too large for a duration")
}

fn duration(s: &str) -> Result<Duration, DurationError> {
    let s = s.trim();
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().map_err(|e: std::num::ParseIntError| {
        if *e.kind() == std::num::IntErrorKind::PosOverflow {
            DurationError::TooLarge(num.to_owned())
        } else {
            DurationError::Malformed
        }
    })?;
    if unit == "ms" {
        return Ok(Duration::from_millis(n));
    }
    let secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(DurationError::Malformed),
    };
    n.checked_mul(secs)
        .map(Duration::from_secs)
        .ok_or_else(|| DurationError::TooLarge(num.to_owned()))
}

/// Parse a point in time: RFC 3339 (`2026-01-01T00:00:00Z`), a date (`2026-01-01`, its
/// 00:00 UTC, as `normalog gen --start` reads one), or a duration back from `now` (`30d`).
/// Returns Unix seconds (fractions dropped: the APIs have second precision), 0 for any time
/// before 1970, whichever way it is written: the APIs hold nothing older, and a duration
/// far back was 1970 already while a date before it went to the API as given (review
/// s39-h6 F7).
///
/// # Errors
///
/// A message for a malformed value, or a duration too large to count.
pub fn parse_time(s: &str, now: i64) -> Result<i64, String> {
    point_in_time(s, now).map(|t| t.max(0))
}

fn point_in_time(s: &str, now: i64) -> Result<i64, String> {
    let text = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(t.timestamp());
    }
    if let Some(t) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
    {
        return Ok(t.and_utc().timestamp());
    }
    let d = duration(s).map_err(|e| match e {
        DurationError::Malformed => format!(
            "{s:?}: not a time (RFC 3339, e.g. 2026-01-01T00:00:00Z, a date, e.g. 2026-01-01, \
             or a duration back from now, e.g. 30d)"
        ),
        DurationError::TooLarge(number) => too_large(s, &number),
    })?;
    Ok(now - i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2))
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
#[must_use]
pub fn format_time(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// An RFC 3339 instant (a record's time, a watermark) in Unix seconds; `None` when it is
/// not one.
pub(crate) fn parse_rfc3339(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.timestamp())
}

/// The current time in Unix seconds.
#[must_use]
pub fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_print_stars_and_are_redacted() {
        let s = Secret::new("hunter22\n");
        assert_eq!(s.expose(), "hunter22");
        assert_eq!(format!("{s} {s:?}"), "*** ***");
        assert_eq!(
            Secret::redact("token hunter22 in url?x=hunter22", &[&s]),
            "token *** in url?x=***"
        );
    }

    /// Every form a credential can be echoed in is blanked: the header value, its
    /// credential alone (with and without base64 padding), percent-encoded and
    /// JSON-escaped (review finding: only whole header values were).
    #[test]
    fn every_form_of_a_credential_is_redacted() {
        let token = Secret::new("s3cr3t-api-token-value");
        let b64 = http::base64(b"admin@acme.example/token:s3cr3t-api-token-value");
        let basic = Secret::new(format!("Basic {b64}"));
        let bearer = Secret::new("Bearer oauth-token-1-a/b+c");
        let text = format!(
            "header Basic {b64}; bare {b64}; unpadded {}; url {}; raw s3cr3t-api-token-value; \
             bearer oauth-token-1-a/b+c; json oauth-token-1-a\\/b+c; url {}",
            b64.trim_end_matches('='),
            http::pct(&b64),
            http::pct("oauth-token-1-a/b+c"),
        );
        let red = Secret::redact(&text, &[&token, &basic, &bearer]);
        assert_eq!(
            red,
            "header ***; bare ***; unpadded ***; url ***; raw ***; bearer ***; json ***; url ***"
        );
    }

    /// A secret with `"`, `\` or other than ASCII, echoed by a server inside a JSON string
    /// (escaped, non-ASCII as `\uXXXX` or not), and that JSON quoted by a message (Rust's
    /// escapes): each is blanked whole (review s48-h2 LOW-2: all but the secret's last
    /// character was printed).
    #[test]
    fn a_secret_echoed_json_escaped_is_redacted() {
        let value = r#"ZD/secret+with=odd&chars"x\é😀"#;
        let s = Secret::new(value);
        let json = serde_json::json!({ "client_secret": value }).to_string();
        let ascii = r#"{"client_secret":"ZD/secret+with=odd&chars\"x\\\u00e9\ud83d\ude00"}"#;
        for body in [json, ascii.to_owned()] {
            let quoted = format!("{body:?}");
            for text in [body, quoted] {
                let red = Secret::redact(&text, &[&s]);
                assert!(
                    red.contains("client_secret") && red.contains("***"),
                    "{red}"
                );
                assert!(
                    !red.contains("odd&chars") && !red.contains("ude00"),
                    "{red}"
                );
            }
        }
    }

    /// A secret with a character across the length of "Basic " or "Bearer " (review
    /// finding: slicing it by bytes panicked on the first request).
    #[test]
    fn a_secret_with_multibyte_characters_is_redacted() {
        for value in ["abcde€-token", "abcdef€-token", "Bearer €-token"] {
            let s = Secret::new(value);
            assert_eq!(Secret::redact(&format!("x {value} y"), &[&s]), "x *** y");
        }
    }

    /// A body is redacted whole before it is cut for a message: a credential echoed across
    /// the cut at 500 bytes printed its first part (review s41-h2 MEDIUM-2).
    #[test]
    fn a_secret_across_the_cut_of_a_body_is_redacted() {
        let b64 = http::base64(b"client-id:csec-SECRET-zoom-42");
        let secret = Secret::new(format!("Basic {b64}"));
        for pad in 440..500 {
            let body = format!(
                "{{\"pad\":\"{}\",\"authorization\":\"Basic {b64}\"}}",
                "x".repeat(pad)
            );
            let resp = http::Response {
                status: 400,
                headers: Vec::new(),
                body: body.into_bytes(),
            };
            let excerpt = resp.body_excerpt(&[&secret]);
            assert!(!excerpt.contains(&b64[..8]), "pad {pad}: {excerpt}");
        }
    }

    #[test]
    fn durations_and_times() {
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("30d"), Ok(Duration::from_secs(30 * 86_400)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("10ms"), Ok(Duration::from_millis(10)));
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("m").is_err());
        assert_eq!(parse_time("2026-01-01T00:00:00Z", 0), Ok(1_767_225_600));
        assert_eq!(parse_time("1h", 10_000), Ok(6400));
        assert!(parse_time("yesterday", 0).is_err());
        // A date is its 00:00 UTC, as gen --start reads it (review finding: refused).
        assert_eq!(parse_time("2026-11-01", 0), Ok(1_793_491_200));
        // Before 1970 is 1970, however written (review s39-h6 F7: a date went as given).
        for old in ["0000-01-01", "1960-05-01T12:00:00Z", "100000000000d"] {
            assert_eq!(parse_time(old, 1_793_491_200), Ok(0), "{old}");
        }
        // A number past 64 bits, or a duration past them, is too large, not "not a time"
        // (review finding).
        for big in ["99999999999999999999d", "18446744073709551615d"] {
            let e = parse_time(big, 0).expect_err(big);
            assert!(e.contains("is too large for a duration"), "{e}");
        }
        assert_eq!(format_time(1_767_225_600), "2026-01-01T00:00:00Z");
    }
}
