//! Zoom's sign-in/sign-out report (`GET /v2/report/activities`, `Zoom.Activity`) and
//! operation logs (`GET /v2/report/operationlogs`, `Zoom.Operation`), pulled incrementally
//! with a Server-to-Server OAuth app.
//!
//! # The windows, and why no record is lost or repeated
//!
//! Zoom filters by date only (`from`, `to`: `yyyy-mm-dd`, a range of at most one month
//! within the last six months), returns records newest first in pages of `page_size` ≤ 300
//! chained by `next_page_token`, and gives records no id. So, per log type, each run:
//!
//! * emits the records from `floor = 00:00 UTC of the watermark's day − overlap days` (the
//!   first run: of the day of `--since`) up to now (or `--until`). Zoom does not say in which
//!   time zone it reads the dates (it may be the account's, anywhere from UTC−12 to
//!   UTC+14), so the run asks from the date before the floor's and up to the date after the
//!   end's, though never past today (UTC) nor further back than Zoom serves (today − 179
//!   days: an older floor is clamped, with a warning), in windows of `window_days` days
//!   (the first one takes the date before too), oldest first (see `days.rs`);
//! * drops records older than `floor` (emitted already, or before `--since`) and records
//!   after `--until`;
//! * drops what was emitted already by a **count per content hash** (SHA-256 of the record's
//!   canonical JSON): within a window drain the `n`th occurrence of a hash is emitted only
//!   when fewer than `n` were emitted before, so two identical sign-ins in the same second
//!   are two events, and a window read again (by the next run, or after an expired page
//!   token) emits only what is new;
//! * asks each report's first page before anything is committed, so that an app refused
//!   one of the reports (scope, role) fails with the state file as it was;
//! * commits after a batch: the batch, then the state with the hashes of every record
//!   emitted (after each batch while the hashes are few; see `run` for long windows). The watermark moves only at the end of a window (records arrive newest
//!   first, so no position inside a window is safe), to the last instant the window's
//!   dates hold in every time zone (10:00 UTC of its last date; at most now, or
//!   `--until`); within a window it stays, and a run stopped there reads the window again
//!   and skips what its batches emitted. Batches that were never committed (a crash
//!   between a batch and its save) are removed by the next run (see [`super::deliver`]).
//!
//! All this assumes what Zoom does not document: that a `next_page_token` pages through
//! the result as it was at the window's first page (a snapshot). If it is an offset into
//! the live result, a record that arrives at the head of the newest-first order while a
//! window is paged shifts the rest by one, and the record on the next page boundary comes
//! back on both pages: it counts as two occurrences of its hash and is emitted twice
//! (never lost). Without ids, nothing read tells that copy from a second identical event
//! on the boundary (the count per hash exists to keep those), so the pull does not try:
//! reading page 1 again to see whether the head moved, or draining a window twice, would
//! cost requests on every run (the reports' limits are the account's) and still not
//! decide which repeat is which. The README says so where it promises exactly once.
//!
//! Zoom has no visibility lag to wait out: today's records are pulled, and a record that
//! shows up late is caught by the next run while its day is within the overlap. If Zoom
//! reads dates in a zone ahead of UTC, the records of the end of the UTC day are under
//! tomorrow's date there, which is asked for once it is today in UTC: they come with a run
//! after 00:00 UTC (the watermark stays before them).
//!
//! # Tokens and failures
//!
//! One access token per run, minted at `POST {oauth}/oauth/token?grant_type=
//! account_credentials&account_id=ID` with Basic `CLIENT_ID:SECRET`, re-minted when it
//! is near its `expires_in` or once on a 401 (Zoom invalidates older tokens when too many
//! are minted, so never one per request). A 4xx answer to a request that carries a page
//! token means the token expired (Zoom answers 400 with code 300 after 15 minutes): the
//! window is read again from its first page. A 400 with code 300 to a window's first page
//! up to a date that is still in the future behind UTC (today, before 12:00 UTC) makes the
//! run ask up to yesterday instead, with a warning (see `days`). The token endpoint refusing the app, a 401
//! after a fresh token, a missing scope (code 4700) and "No permission." (code 200) are
//! [`PullError::Auth`]; a page token that repeats stops the stream with [`PullError::Api`],
//! and so does a 200 that is not a page of the report (no records field: Zoom's error shape
//! `{"code":…,"message":…}`, say), which read as an empty page would end its window as
//! drained and move the watermark past days never read (see `page.rs`).

use std::collections::HashMap;
use std::time::Instant;

mod days;
mod page;
mod session;
mod stream;

use super::commits::Batches;
use super::deliver::{Delivery, FileCounts, PageBuilder};
use super::http::{base64, check_base_url, pct, refuse_api_path, without_query, Client};
use super::paging::Paging;
use super::state::{StateFile, StreamState};
use super::{format_time, parse_rfc3339, Progress, PullError, Secret};
use crate::pipeline::Observer;
use crate::sink::Summary;
use days::{date, day_start, DAY};
use page::{content_hash, TimeField};
use session::{Answer, Session};

/// Largest `page_size` of the report endpoints.
pub const MAX_PAGE_SIZE: u32 = 300;
/// Longest window Zoom serves, in days ("one month"; taken as 30 days).
pub const MAX_WINDOW_DAYS: u32 = 30;
/// How many days back Zoom serves ("the last six months"; 179 days keeps clear of the edge).
pub const MAX_DAYS_BACK: i64 = 179;
/// The path every endpoint's starts with, appended to `--api-base`.
pub const API_PREFIX: &str = "/v2";
/// The classic scope that reads both reports.
pub const CLASSIC_SCOPE: &str = "report:read:admin";

/// A Zoom report pulled as one stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum LogKind {
    /// The sign-in/sign-out report.
    Activity,
    /// The operation logs (admin changes).
    Operation,
}

impl LogKind {
    /// Both, in the order they are pulled.
    pub const ALL: [LogKind; 2] = [LogKind::Activity, LogKind::Operation];

    /// The stream name in the state file (and of `--log-type`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            LogKind::Activity => "activity",
            LogKind::Operation => "operation",
        }
    }

    /// The endpoint's path.
    #[must_use]
    pub fn path(self) -> &'static str {
        match self {
            LogKind::Activity => "/v2/report/activities",
            LogKind::Operation => "/v2/report/operationlogs",
        }
    }

    /// The array field of the records in an answer.
    #[must_use]
    pub fn envelope(self) -> &'static str {
        match self {
            LogKind::Activity => "activity_logs",
            LogKind::Operation => "operation_logs",
        }
    }

    /// The log type of the records.
    #[must_use]
    pub fn log_type(self) -> &'static str {
        match self {
            LogKind::Activity => "Zoom.Activity",
            LogKind::Operation => "Zoom.Operation",
        }
    }

    /// The granular scope that reads it.
    #[must_use]
    pub fn scope(self) -> &'static str {
        match self {
            LogKind::Activity => "report:read:user_activities:admin",
            LogKind::Operation => "report:read:operation_logs:admin",
        }
    }

    /// The view permission the app owner's role needs, besides "Usage reports".
    #[must_use]
    pub fn role_permission(self) -> &'static str {
        match self {
            LogKind::Activity => "Sign In/Sign Out",
            LogKind::Operation => "Admin Activity Logs",
        }
    }
}

/// A Zoom pull.
#[derive(Debug, Clone)]
pub struct Config {
    /// The Zoom account id; the state file is bound to it.
    pub account_id: String,
    /// The Server-to-Server OAuth app's client id.
    pub client_id: String,
    /// Its client secret.
    pub secret: Secret,
    /// The API's base URL (`https://api.zoom.us`).
    pub api_base: String,
    /// The OAuth server's base URL (`https://zoom.us`).
    pub oauth_base: String,
    /// The reports to pull, in this order.
    pub kinds: Vec<LogKind>,
    /// Where the first run starts (Unix seconds); ignored once the state has a position.
    pub since: Option<i64>,
    /// Never read past this instant.
    pub until: Option<i64>,
    /// Whole days before the watermark's day each run reads again.
    pub overlap_days: u32,
    /// Days per request window (1..=30).
    pub window_days: u32,
    /// `page_size` (1..=300).
    pub page_size: u32,
    /// Records per written batch (at least 1); the state is saved after each.
    pub batch_records: usize,
}

impl Config {
    /// Refuse what no pull can run with: base URLs that are not HTTP(S) or an API base
    /// that names the API's path, a page size out of 1 to [`MAX_PAGE_SIZE`], a window out
    /// of 1 to [`MAX_WINDOW_DAYS`] days, no log type. [`pull`] checks it first; callers
    /// may check before they open anything.
    ///
    /// # Errors
    ///
    /// [`PullError::Config`], in the words of the command line's flags.
    pub fn check(&self) -> Result<(), PullError> {
        check_base_url(&self.api_base)?;
        refuse_api_path(
            "--api-base",
            &self.api_base,
            API_PREFIX,
            "https://api.zoom.us",
        )?;
        check_base_url(&self.oauth_base)?;
        for path in ["/oauth", "/oauth/token"] {
            refuse_api_path("--oauth-base", &self.oauth_base, path, "https://zoom.us")?;
        }
        if self.page_size == 0 || self.page_size > MAX_PAGE_SIZE {
            return Err(PullError::Config(format!(
                "--page-size must be between 1 and {MAX_PAGE_SIZE}"
            )));
        }
        if self.window_days == 0 || self.window_days > MAX_WINDOW_DAYS {
            return Err(PullError::Config(format!(
                "--window-days must be between 1 and {MAX_WINDOW_DAYS}"
            )));
        }
        if self.kinds.is_empty() {
            return Err(PullError::Config("no --log-type to pull".into()));
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
    /// Records dropped as older than the run's first day or newer than `--until`.
    pub out_of_range: u64,
    /// Counts of the normalization of the emitted records.
    pub summary: Summary,
    /// The days read, `(first, last)` as `yyyy-mm-dd`, over all log types.
    pub window: Option<(String, String)>,
    /// Windows read again from their first page after a page token expired.
    pub restarts: u64,
    /// Access tokens minted.
    pub tokens_minted: u64,
    /// Part files of a crashed run removed before pulling.
    pub leftovers_removed: u64,
    /// State saves.
    pub commits: u64,
    /// The part files published into a directory output.
    pub files: FileCounts,
    /// Things the user should know (e.g. `--since` clamped to six months).
    pub warnings: Vec<String>,
}

/// The URL of a window's first page.
fn window_url(api: &str, kind: LogKind, from: i64, to: i64, page_size: u32) -> String {
    format!(
        "{api}{}?from={}&to={}&page_size={page_size}",
        kind.path(),
        date(from),
        date(to)
    )
}

/// The last date to ask for after Zoom refused a window's first page up to `to`: the
/// last date that is past in every time zone, when `to` is later (a date in the future
/// for an account behind UTC, which Zoom may refuse: see `days`), with a warning; else
/// the refusal.
fn past_refused(
    refusal: PullError,
    kind: LogKind,
    to: i64,
    now: i64,
    warnings: &mut Vec<String>,
) -> Result<i64, PullError> {
    let past = days::past_everywhere(now);
    if to <= past {
        return Err(refusal);
    }
    warnings.push(format!(
        "{}: Zoom refused the dates up to {} ({}); {} is still in the future in time zones \
         behind UTC, so this run read up to {} and a later run reads on",
        kind.name(),
        date(to),
        refusal.message(),
        date(to),
        date(past)
    ));
    Ok(past)
}

/// Pull the configured reports into `delivery`, checkpointing into `state`.
///
/// `now` is the current time (Unix seconds). The state is saved only after the records
/// before it are durably in the output: after each batch for directory and stream
/// outputs, at the end of the run for a single file (after `delivery` is finished, which
/// this function does).
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

#[allow(clippy::too_many_lines)] // the windows, their pages, their commits: read top to bottom
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
    let mut out = Outcome::default();
    let overlap = i64::from(config.overlap_days) * DAY;
    let end = now.min(config.until.unwrap_or(i64::MAX));
    // Every stream's starting point, checked before any request.
    let mut streams = stream::start(config, state, now, &mut out.warnings)?;
    // Every stream of the run gets its start with the first commit of any of them, so
    // that a rerun of an interrupted first run needs no --since.
    if let Some(since) = config.since {
        let names: Vec<&str> = config.kinds.iter().map(|k| k.name()).collect();
        state.start_streams(&names, since);
    }
    let committed = state.committed();
    let tables: Vec<String> = config
        .kinds
        .iter()
        .map(|k| crate::sink::layout::table_name(k.log_type()))
        .collect();
    out.leftovers_removed = delivery.recover(&tables, committed)?;

    let mut session = Session {
        config,
        client,
        basic: Secret::new(format!(
            "Basic {}",
            base64(format!("{}:{}", config.client_id, config.secret.expose()).as_bytes())
        )),
        bearer: None,
        refresh_at: Instant::now(),
        minted: 0,
    };
    let mut batches = Batches::new(committed);
    let per_window = delivery.checkpoint_each_batch();
    let api = config.api_base.trim_end_matches('/').to_owned();
    // The dates to ask for: from the date before each floor's (see `days`), in windows of
    // `window_days` dates (the first one takes that date too, up to Zoom's one month), up
    // to the date after the end's but not past today (nor past a date Zoom refused).
    let mut last = days::last_date(end, now);
    let max_span = i64::from(MAX_WINDOW_DAYS - 1) * DAY;
    let window_to = |from: i64, floor: i64, last: i64| {
        (from.max(floor) + i64::from(config.window_days - 1) * DAY)
            .min(from + max_span)
            .min(last)
    };
    let result = (|| -> Result<(), PullError> {
        // Each report's first page before anything is committed, so that an app allowed
        // one report but not the other (scopes, role) leaves the state as it was.
        for s in &mut streams {
            let from = days::first_date(s.floor);
            while s.floor <= end && from <= last {
                let to = window_to(from, s.floor, last);
                let url = window_url(&api, s.kind, from, to, config.page_size);
                match session.get(s.kind, &url, false, progress)? {
                    Answer::Page(r) => s.prefetched = Some((url, r)),
                    Answer::Refused(e) => {
                        last = past_refused(e, s.kind, to, now, &mut out.warnings)?;
                        continue;
                    }
                    Answer::TokenExpired(_) => {}
                }
                break;
            }
        }
        // Both reports answer: their starts are kept from here on (see `save_starts`).
        state.save_starts()?;
        for s in &mut streams {
            let kind = s.kind;
            let mut pending = PageBuilder::new(kind.envelope());
            // Records written since the state was last saved (see below).
            let mut unsaved = 0usize;
            let mut from = days::first_date(s.floor);
            'windows: while s.floor <= end && from <= last {
                let to = window_to(from, s.floor, last);
                let (from_d, to_d) = (date(from), date(to));
                let base = window_url(&api, kind, from, to, config.page_size);
                // Messages name the URL requested (a base with a path shows in it).
                let what = format!("GET {}", without_query(&base));
                let mut restarts = 0;
                'window: loop {
                    // How often each hash was read in this drain of the window.
                    let mut got: HashMap<String, u32> = HashMap::new();
                    let mut paging = Paging::default();
                    let mut token: Option<String> = None;
                    loop {
                        if delivery.cancelled() {
                            // Between pages: the window's records not yet in a batch were
                            // not delivered, and the next run reads the window again
                            // (skipping those of its batches already committed).
                            return Err(PullError::Interrupted(super::INTERRUPTED.into()));
                        }
                        let url = match &token {
                            Some(t) => format!("{base}&next_page_token={}", pct(t)),
                            None => base.clone(),
                        };
                        // The first page asked before (for these dates: another report's
                        // refusal may have lowered `last` since).
                        let prefetched = match token {
                            None => s.prefetched.take().filter(|(u, _)| *u == url),
                            Some(_) => None,
                        };
                        let answer = match prefetched {
                            Some((_, r)) => Answer::Page(r),
                            None => session.get(kind, &url, token.is_some(), progress)?,
                        };
                        let resp = match answer {
                            Answer::Page(r) => r,
                            Answer::Refused(e) => {
                                // Only a first page: the window is asked again up to
                                // the lower `last`, or the run stops.
                                last = past_refused(e, kind, to, now, &mut out.warnings)?;
                                continue 'windows;
                            }
                            Answer::TokenExpired(body) => {
                                restarts += 1;
                                out.restarts += 1;
                                if restarts > 3 {
                                    return Err(PullError::Api(format!(
                                        "{what}: the page token was refused {restarts} times \
                                         in the window {from_d} .. {to_d}: {body}"
                                    )));
                                }
                                continue 'window;
                            }
                        };
                        delivery.keep_raw(kind.envelope(), &resp.body)?;
                        let page = page::parse(kind, &resp.body, &what)?;
                        out.pages += 1;
                        out.received += page.records.len() as u64;
                        for raw in &page.records {
                            let at = serde_json::from_str::<TimeField<'_>>(raw.get())
                                .ok()
                                .and_then(|f| f.time.and_then(parse_rfc3339));
                            if at.is_some_and(|t| t < s.floor || t > end) {
                                out.out_of_range += 1;
                                continue;
                            }
                            let hash = content_hash(raw.get());
                            let n = got.entry(hash.clone()).or_insert(0);
                            *n += 1;
                            let emitted = s.seen.get(&hash).map_or(0, |e| e.1);
                            if *n <= emitted {
                                out.duplicates += 1;
                                continue;
                            }
                            // A record without a time is remembered while its window's
                            // dates can be read again (from the day before a next floor).
                            s.seen.insert(hash, (at.unwrap_or(to + DAY), *n));
                            pending.push(raw.get());
                        }
                        progress.page(out.pages, out.received, (&from_d, &to_d));
                        let next = page.next_page_token.clone().filter(|t| !t.is_empty());
                        if let Some(t) = &next {
                            if paging.too_many_empty(page.records.len()) {
                                return Err(PullError::Api(format!(
                                    "{what}: three empty pages in a row with a \
                                     next_page_token; stopping rather than looping"
                                )));
                            }
                            if paging.repeats(t) {
                                return Err(PullError::Api(format!(
                                    "{what}: the next_page_token {t:?} came back twice in the \
                                     window {from_d} .. {to_d}; stopping rather than looping \
                                     (the state holds the last committed batch)"
                                )));
                            }
                        }
                        drop(page);
                        if pending.records() >= config.batch_records.max(1)
                            || (next.is_none() && delivery.has_pending(&pending))
                        {
                            unsaved += pending.records();
                            batches.write(
                                state,
                                &mut delivery,
                                &mut pending,
                                observer,
                                &mut out.summary,
                            )?;
                            // Within the window: its watermark stays, and what the batch
                            // emitted is remembered, so that a run stopped before the
                            // window ends (an interrupt, a failed request) leaves no
                            // batch uncommitted and the next one emits none of it again.
                            // Each save writes every hash remembered: once they outnumber
                            // four times what was written since the last save, the next
                            // save waits for more, so that a long window's saves write a
                            // few times its state, not once per batch (a review measured
                            // 13 GB for a 30-day window of 50,000 records a day). Until
                            // then a stop leaves those batches to be read and sent again.
                            if per_window && next.is_some() && unsaved * 4 >= s.seen.len() {
                                crate::sink::layout::pause_point("pull-batch");
                                if let Some(pos) = s.position() {
                                    batches.save(state, kind.name(), pos)?;
                                    delivery.committed(batches.last())?;
                                    unsaved = 0;
                                }
                            }
                        }
                        match next {
                            Some(t) => token = Some(t),
                            None => break 'window,
                        }
                    }
                }
                // The window is drained and in the output: commit it.
                out.window = Some(match out.window.take() {
                    Some((first, lastd)) => (first.min(from_d), lastd.max(to_d)),
                    None => (from_d, to_d),
                });
                let watermark = days::held_until(to)
                    .min(end)
                    .max(s.previous.unwrap_or(i64::MIN));
                s.watermark = Some(watermark);
                let next_floor = day_start(watermark) - overlap;
                s.seen.retain(|_, (at, _)| *at >= next_floor);
                s.remembered = s.remembered.max(next_floor);
                if let Some(pos) = s.position().filter(|_| per_window) {
                    batches.save(state, kind.name(), pos)?;
                    delivery.committed(batches.last())?;
                    unsaved = 0;
                }
                from = to + DAY;
            }
        }
        Ok(())
    })();
    out.tokens_minted = session.minted;
    result?;
    delivery.finish()?;
    if !per_window {
        for s in streams {
            if let Some(w) = s.watermark {
                let pos = StreamState {
                    watermark: format_time(w),
                    recent_hashes: s.seen,
                    remembered_from: format_time(s.remembered),
                    began: s.began.map(format_time).unwrap_or_default(),
                    ..StreamState::default()
                };
                batches.save(state, s.kind.name(), pos)?;
            }
        }
        delivery.committed(batches.last())?;
    }
    out.commits = batches.saves();
    out.files = delivery.file_counts();
    Ok(out)
}
