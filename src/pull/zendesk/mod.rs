//! Zendesk audit logs (`GET /api/v2/audit_logs`) pulled incrementally into `Zendesk.Audit`
//! events.
//!
//! # The window, and why no record is lost or repeated
//!
//! Zendesk's audit log is eventually consistent (a record can become visible minutes after
//! its `created_at`, after later ones) and has second-precision timestamps with no
//! documented tie-break. So each run reads, in ascending `created_at` order with cursor
//! pages of `page[size]` ≤ 100:
//!
//! * `start = watermark − overlap` (the first run: `--since`) and `end = min(now − lag,
//!   --until)`, both bounds sent as `filter[created_at][]` and treated as inclusive;
//! * a record whose `id` is in the state's `recent_ids` was emitted already and is dropped;
//!   every other record is emitted and its id remembered;
//! * after each batch is durably in the output, the state is saved with the watermark at the
//!   latest `created_at` read (never moving back; and only once the walk has shown a record
//!   later than the one before it) and the ids inside the overlap window; at the end of the
//!   window the watermark becomes `end`;
//! * a record older than the one read before it stops the pull ([`PullError::Api`]) before
//!   its page is committed: the server does not honour `sort=created_at` (the API's default
//!   is newest first), and no position within the window would be safe.
//!
//! A record that becomes visible up to `lag + overlap` after its timestamp is therefore
//! still read by a later run, and a same-second group cut by a page boundary or a crash is
//! re-read whole and deduplicated by id.
//!
//! # Failures
//!
//! 401 and 403 answers are [`PullError::Auth`] (with OAuth client credentials, one 401 first
//! re-mints the token); other 4xx answers (e.g. the 400 for a malformed filter) are
//! [`PullError::Api`] with the redacted body; a cursor that repeats, or three pages in a row
//! that claim more with nothing new (no record, or only records already read in this walk),
//! stop the stream with [`PullError::Api`] instead of looping; so does a
//! page without `meta.has_more` (offset pagination's shape), whose end is unknown.

mod key;
mod session;

use key::Key;
use session::Session;

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::commits::Batches;
use super::deliver::{Delivery, FileCounts, PageBuilder};
use super::http::{check_base_url, pct, refuse_api_path, without_query, Client};
use super::paging::{Paging, NOTHING_NEW};
use super::state::{StateFile, StreamState};
use super::{format_time, parse_rfc3339, Progress, PullError, Secret};
use crate::pipeline::Observer;
use crate::sink::Summary;

/// The stream name in the state file.
pub const STREAM: &str = "audit_logs";
/// The log type of the records.
pub const LOG_TYPE: &str = "Zendesk.Audit";
/// The table directory of the records in a directory output.
pub const TABLE: &str = "zendesk_audit";
/// The OAuth scope that reads audit logs.
pub const SCOPE: &str = "auditlogs:read";
/// The path the endpoint's starts with, appended to the base URL.
pub const API_PREFIX: &str = "/api/v2";
/// Largest `page[size]` of the endpoint.
pub const MAX_PAGE_SIZE: u32 = 100;

/// How to authenticate.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Auth {
    /// An API token: Basic `EMAIL/token:TOKEN`.
    Token {
        /// The agent's email address.
        email: String,
        /// The API token.
        token: Secret,
    },
    /// OAuth client credentials: a token minted at `/oauth/tokens` for `scope`.
    ClientCredentials {
        /// The OAuth client's identifier.
        client_id: String,
        /// Its secret.
        secret: Secret,
        /// Scopes requested (space-separated), normally [`SCOPE`].
        scope: String,
    },
    /// A ready OAuth access token.
    Bearer(Secret),
}

/// A Zendesk pull.
#[derive(Debug, Clone)]
pub struct Config {
    /// The subdomain (`acme` of `acme.zendesk.com`); the state file is bound to it.
    pub subdomain: String,
    /// The API's base URL, `https://SUB.zendesk.com` unless overridden.
    pub base_url: String,
    /// Credentials.
    pub auth: Auth,
    /// Where the first run starts (Unix seconds); ignored once the state has a position.
    pub since: Option<i64>,
    /// Never read past this instant.
    pub until: Option<i64>,
    /// Never read past now − lag (records become visible late).
    pub lag: Duration,
    /// How far before the watermark each run reads again.
    pub overlap: Duration,
    /// `page[size]` (1..=100).
    pub page_size: u32,
    /// Records per committed batch (at least 1).
    pub batch_records: usize,
}

impl Config {
    /// Refuse what no pull can run with: a base URL that is not HTTP(S) or that names the
    /// API's path, a page size out of 1 to [`MAX_PAGE_SIZE`]. [`pull`] checks it first;
    /// callers may check before they open anything.
    ///
    /// # Errors
    ///
    /// [`PullError::Config`], in the words of the command line's flags.
    pub fn check(&self) -> Result<(), PullError> {
        check_base_url(&self.base_url)?;
        refuse_api_path(
            "--base-url",
            &self.base_url,
            API_PREFIX,
            &format!("https://{}.zendesk.com", self.subdomain),
        )?;
        if self.page_size == 0 || self.page_size > MAX_PAGE_SIZE {
            return Err(PullError::Config(format!(
                "--page-size must be between 1 and {MAX_PAGE_SIZE}"
            )));
        }
        // It goes in a header as it is: a character a header cannot carry fails every try
        // (review s48-h4: retried 6 times over 11 s, then exit 5).
        if let Auth::Bearer(token) = &self.auth {
            if !token.expose().bytes().all(|b| b.is_ascii_graphic()) {
                return Err(PullError::Config(
                    "the bearer token holds a space, a control or a character other than \
                     ASCII, which no OAuth bearer token holds (RFC 6750): check what the \
                     variable holds"
                        .into(),
                ));
            }
        }
        Ok(())
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Outcome {
    /// Pages received.
    pub pages: u64,
    /// Records received.
    pub received: u64,
    /// Records dropped as emitted by an earlier run (or earlier in this one).
    pub duplicates: u64,
    /// Records dropped as outside the time range asked for (a server that does not honour
    /// `filter[created_at]`, or a clock ahead of ours): past its end they would move the
    /// position ahead of records not read yet.
    pub out_of_range: u64,
    /// Counts of the normalization of the emitted records.
    pub summary: Summary,
    /// The window read: `(start, end)`, Unix seconds; `None` when there was nothing to read.
    pub window: Option<(i64, i64)>,
    /// Part files of a crashed run removed before pulling.
    pub leftovers_removed: u64,
    /// Batches committed.
    pub commits: u64,
    /// The part files published into a directory output.
    pub files: FileCounts,
    /// What the user should know about how the run read (said on stderr).
    pub warnings: Vec<String>,
}

#[derive(Deserialize)]
struct Page<'a> {
    #[serde(borrow)]
    audit_logs: Vec<&'a RawValue>,
    /// Required (checked after parsing, to say what is missing): without it, as in an
    /// answer of offset pagination (`next_page`, `count`), whether more pages follow is
    /// unknown, and taking it as the last page moved the watermark to the window's end.
    #[serde(default)]
    meta: Option<Meta>,
}

#[derive(Deserialize)]
struct Meta {
    #[serde(default)]
    has_more: Option<bool>,
    #[serde(default)]
    after_cursor: Option<String>,
}

/// A first run whose `--since` is later than now − lag: nothing can be read yet. Say so,
/// with when the first window can be read; and save the start (`fresh`: the state has no
/// position for the stream yet), so that later runs begin there: a `--since` relative to
/// now (`2m`) given again by each run from cron would otherwise never be reached.
fn not_yet(
    config: &Config,
    state: &mut StateFile,
    fresh: bool,
    since: i64,
    now: i64,
    out: &mut Outcome,
) -> Result<(), PullError> {
    let lag = secs(config.lag);
    out.warnings.push(format!(
        "nothing to read yet: the start {} is later than now minus --lag {} ({}); the first \
         window can be read from {} on{}",
        format_time(since),
        human(lag),
        format_time(now - lag),
        format_time(since + lag),
        if fresh {
            " (the start is saved in the state file: later runs begin there, without --since)"
        } else {
            ""
        }
    ));
    if fresh {
        state.save(state.committed(), STREAM, StreamState::starting_at(since))?;
    }
    Ok(())
}

/// The end of the window by the server's clock, when it is earlier than `end` (ours): its
/// now (the first answer's `Date`) less `--lag`. Records created before it are visible by
/// then; with our clock ahead of the server's, `end` was in the server's future, the
/// position moved there, and records that became visible after the run, created before
/// that end, were never read (review s48-h2 MEDIUM-1). A gap over two seconds (the `Date`
/// has whole seconds, and the answer took some time) is said.
fn server_end(
    resp: &super::http::Response,
    config: &Config,
    end: i64,
    warnings: &mut Vec<String>,
) -> Option<i64> {
    let server_now = resp.date()?;
    let server_end = server_now.saturating_sub(secs(config.lag));
    if server_end >= end {
        return None;
    }
    if end - server_end > 2 {
        warnings.push(format!(
            "the server's Date ({1}) is about {0} behind this machine's clock (a clock ahead, \
             or a stale Date from a cache on the way): the window ends at that Date minus \
             --lag, {2}, not {3}; later records are read by a later run (if this machine's \
             clock is ahead, set it right: NTP)",
            human(end - server_end),
            format_time(server_now),
            format_time(server_end),
            format_time(end)
        ));
    }
    Some(server_end)
}

/// Seconds as `5m`, `2h`, `90s`.
fn human(s: i64) -> String {
    match s {
        0 => "0".into(),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 4)
}

/// Pull the audit log into `delivery`, checkpointing into `state`.
///
/// `now` is the current time (Unix seconds). The state is saved only after the records
/// before it are durably in the output: after each batch for directory and stream
/// outputs, at the end for a single file (after `delivery` is finished, which this
/// function does).
///
/// # Errors
///
/// See [`PullError`]; on any error the state holds the last committed batch.
pub fn pull(
    config: &Config,
    client: &mut Client,
    state: &mut StateFile,
    delivery: Delivery,
    now: i64,
    observer: &mut dyn Observer,
    progress: &mut dyn Progress,
) -> Result<Outcome, PullError> {
    // Messages are redacted where they are made; this is the last guard, with every
    // secret the client sent (a minted token included), whatever the message quotes.
    run(config, client, state, delivery, now, observer, progress).map_err(|e| client.redact(e))
}

#[allow(clippy::too_many_lines)] // one loop, read top to bottom
fn run(
    config: &Config,
    client: &mut Client,
    state: &mut StateFile,
    mut delivery: Delivery,
    now: i64,
    observer: &mut dyn Observer,
    progress: &mut dyn Progress,
) -> Result<Outcome, PullError> {
    config.check()?;
    let overlap = secs(config.overlap);
    let prev = state.stream(STREAM).cloned();
    let mut out = Outcome::default();
    // A stream that has read before goes on from its watermark; one that has not (no
    // position, or only where it starts) starts at `first`.
    let (mut watermark, mut seen, start, first) =
        if let Some(p) = prev.as_ref().filter(|p| p.since.is_empty()) {
            let w = p.watermark_secs()?;
            let start = p.read_back_to(w - overlap)?;
            if p.forgets_before(w - overlap, start) {
                out.warnings.push(format!(
                    "--overlap {}s reaches back before what the state remembers: this run \
                     reads from {} (records before it would be emitted again); the overlap \
                     widens as the runs go on",
                    overlap,
                    format_time(start)
                ));
            }
            (w, p.recent_ids.clone(), start, None)
        } else {
            let saved = prev.as_ref().map(StreamState::since_secs).transpose()?;
            let Some(since) = saved.flatten().or(config.since) else {
                return Err(PullError::Config(
                    "the state file has no position yet: give --since (e.g. --since 30d \
                     or --since 2026-01-01T00:00:00Z)"
                        .into(),
                ));
            };
            (since, BTreeMap::new(), since, Some(since))
        };
    // Every record emitted from here on is in `seen` (pruned below, and this moves up).
    let mut remembered = start;
    // Where the stream began: kept from the state, or this first run's start.
    let began = match prev.as_ref().filter(|p| p.since.is_empty()) {
        Some(p) => p.began.clone(),
        None => format_time(start),
    };
    let mut end = (now - secs(config.lag)).min(config.until.unwrap_or(i64::MAX));
    let committed = state.committed();
    out.leftovers_removed = delivery.recover(&[TABLE.to_owned()], committed)?;
    if end < start {
        if let Some(since) = first.filter(|s| now - secs(config.lag) < *s) {
            not_yet(config, state, prev.is_none(), since, now, &mut out)?;
        }
        delivery.finish()?;
        out.files = delivery.file_counts();
        return Ok(out);
    }
    out.window = Some((start, end));
    let (start_s, end_s) = (format_time(start), format_time(end));
    if let Some(since) = first {
        state.start_streams(&[STREAM], since);
    }

    let mut session = Session {
        config,
        client,
        authorization: None,
    };
    session.authenticate(progress)?;

    let mut batches = Batches::new(committed);
    let per_batch = delivery.checkpoint_each_batch();
    let mut pending = PageBuilder::new(STREAM);
    let mut latest_read = watermark;
    // The order of the walk (see the check below): the time of the last record read, and
    // whether one was later than the one before it.
    let mut last_at: Option<i64> = None;
    let mut rising = false;
    let mut cursor: Option<String> = None;
    let mut paging = Paging::default();
    // The ids read in this walk (see `Paging`).
    let mut walked: std::collections::HashSet<String> = std::collections::HashSet::new();
    let base = format!(
        "{}{API_PREFIX}/audit_logs?filter%5Bcreated_at%5D%5B%5D={}&filter%5Bcreated_at%5D%5B%5D={}&page%5Bsize%5D={}&sort=created_at",
        session.base(),
        pct(&start_s),
        pct(&end_s),
        config.page_size
    );
    // Messages name the URL requested (a base with a path shows in it).
    let what = format!("GET {}", without_query(&base));
    loop {
        if delivery.cancelled() {
            // Between batches: what is pending was not delivered, and will be read again.
            return Err(PullError::Interrupted(super::INTERRUPTED.into()));
        }
        let url = match &cursor {
            Some(c) => format!("{base}&page%5Bafter%5D={}", pct(c)),
            None => base.clone(),
        };
        let resp = session.get(&url, progress)?;
        delivery.keep_raw(STREAM, &resp.body)?;
        let page: Page<'_> = serde_json::from_slice(&resp.body)
            .map_err(|e| PullError::Api(format!("{what}: not an audit log page ({e})")))?;
        let Some(more) = page.meta.as_ref().and_then(|m| m.has_more) else {
            return Err(PullError::Api(format!(
                "{what}: not a cursor page: missing `meta.has_more` (an answer of offset \
                 pagination, with next_page and count, does not say where a cursor page \
                 ends); stopping, the state holds the last committed batch"
            )));
        };
        if out.pages == 0 {
            // The API answers: the start is kept from here on (see `save_starts`).
            state.save_starts()?;
            if let Some(server_end) = server_end(&resp, config, end, &mut out.warnings) {
                end = server_end;
                out.window = Some((start, end));
            }
        }
        out.pages += 1;
        out.received += page.audit_logs.len() as u64;
        // Records not read before in this walk (a record without an id counts).
        let mut fresh = 0;
        for raw in &page.audit_logs {
            let key: Option<Key> = serde_json::from_str(raw.get()).ok();
            let (id, at) = key
                .map(|k| (k.id(), k.created_at.as_deref().and_then(parse_rfc3339)))
                .unwrap_or_default();
            if id.as_ref().is_none_or(|id| walked.insert(id.clone())) {
                fresh += 1;
            }
            if let Some(at) = at {
                // Oldest first is what makes a position within the window safe: every
                // record not read yet is at or after the last one read. A record older than
                // the one before it means the server does not honour sort=created_at (the
                // API's default is newest first): stop before this page is committed. No
                // tolerance is needed: ties (one second) keep the order, and a record that
                // becomes visible late is read by a later run (lag, overlap), never behind
                // the cursor of this walk.
                if let Some(prev) = last_at.filter(|p| at < *p) {
                    let id = id.unwrap_or_else(|| "without an id".to_owned());
                    return Err(PullError::Api(format!(
                        "{what}: created_at goes backwards: record {id} of {} comes after one \
                         of {}: the server does not return records oldest first \
                         (sort=created_at), so no position within the window is safe; \
                         stopping before this page is committed (the state holds the last \
                         committed batch)",
                        format_time(at),
                        format_time(prev)
                    )));
                }
                rising |= last_at.is_some_and(|p| at > p);
                last_at = Some(at);
            }
            if at.is_some_and(|t| t < start || t > end) {
                out.out_of_range += 1;
                continue;
            }
            if let Some(at) = at {
                latest_read = latest_read.max(at);
            }
            match (id, at) {
                (Some(id), _) if seen.contains_key(&id) => out.duplicates += 1,
                (Some(id), Some(at)) => {
                    seen.insert(id, at);
                    pending.push(raw.get());
                }
                // A time the pull cannot read (most likely rejected by the schema too) is
                // remembered as the window's end, no earlier than its own: later runs whose
                // window holds it drop it as read, as the warning of rejects says (review
                // s41-h2 LOW-1: it was emitted, and rejected, by every run).
                (Some(id), None) => {
                    seen.insert(id, end);
                    pending.push(raw.get());
                }
                // Without an id it cannot be tracked: emitted.
                (None, _) => pending.push(raw.get()),
            }
        }
        progress.page(out.pages, out.received, (&start_s, &end_s));

        if more {
            if paging.too_many_empty(fresh) {
                return Err(PullError::Api(format!("{what}: {NOTHING_NEW}")));
            }
            let next = page
                .meta
                .as_ref()
                .and_then(|m| m.after_cursor.clone())
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    PullError::Api(format!("{what}: has_more without an after_cursor"))
                })?;
            if paging.repeats(&next) {
                return Err(PullError::Api(format!(
                    "{what}: the cursor {next:?} came back twice; stopping \
                     rather than looping (the state holds the last committed batch)"
                )));
            }
            cursor = Some(next);
        }
        drop(page);

        let batch_full = pending.records() >= config.batch_records.max(1);
        if batch_full || !more {
            // The watermark never moves back, and the ids kept are those a later read
            // (from watermark − overlap) can return again.
            let position = if more {
                // Only once the walk has shown its order (a record later than the one
                // before): pages whose records all share one second show no order, and a
                // server that ignores the sort would be caught only at a later page, after
                // this save had moved the watermark past the records not read yet.
                if rising {
                    watermark = watermark.max(latest_read);
                }
                watermark
            } else {
                watermark = watermark.max(end);
                watermark
            };
            seen.retain(|_, at| *at >= position - overlap);
            remembered = remembered.max(position - overlap);
            if delivery.has_pending(&pending) {
                batches.write(
                    state,
                    &mut delivery,
                    &mut pending,
                    observer,
                    &mut out.summary,
                )?;
            }
            if per_batch {
                let pos = StreamState {
                    watermark: format_time(position),
                    recent_ids: seen.clone(),
                    remembered_from: format_time(remembered),
                    began: began.clone(),
                    ..StreamState::default()
                };
                batches.save(state, STREAM, pos)?;
                if batches.wrote_any() {
                    delivery.committed(batches.last())?;
                }
            }
        }
        if !more {
            break;
        }
    }
    delivery.finish()?;
    if !per_batch {
        let pos = StreamState {
            watermark: format_time(watermark),
            recent_ids: seen,
            remembered_from: format_time(remembered),
            began,
            ..StreamState::default()
        };
        batches.save(state, STREAM, pos)?;
        delivery.committed(batches.last())?;
    }
    out.commits = batches.saves();
    out.files = delivery.file_counts();
    Ok(out)
}
