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
//! drained and move the watermark past days never read (see `page.rs`). Such an API error
//! of one report, when it lasts past the retries, leaves the other report to be pulled:
//! what the failed report read is committed with its position, and the run ends with
//! the error (see `report_failure`).

use std::collections::HashMap;
use std::time::Instant;

mod config;
mod days;
mod page;
mod session;
mod stream;

use super::commits::Batches;
use super::deliver::{Delivery, PageBuilder};
use super::http::{base64, pct, without_query, Client};
use super::paging::Paging;
use super::state::StateFile;
use super::{parse_rfc3339, Progress, PullError, Secret};
use crate::pipeline::Observer;
pub use config::{
    Config, LogKind, Outcome, API_PREFIX, CLASSIC_SCOPE, MAX_DAYS_BACK, MAX_PAGE_SIZE,
    MAX_WINDOW_DAYS,
};
use days::{date, day_start, DAY};
use page::{content_hash, TimeField};
use session::{Answer, Session};
use stream::StreamRun;

/// The most copies of one record a window's drain takes. Identical records are separate
/// events (Zoom's have no id), but they share their time to the second: a hundred sign-ins
/// of one user in one second, from one address and client, do not happen, while a server
/// that sends the same records with a new page token each time was followed forever,
/// every copy committed (review s43-h6 MEDIUM-A).
const MAX_IDENTICAL: u32 = 100;

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
        // A report that fails otherwise (see `report_failure`) is left out of the run.
        for s in &mut streams {
            let from = days::first_date(s.floor);
            let asked = (|| -> Result<(), PullError> {
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
                Ok(())
            })();
            if let Err(e) = asked {
                s.failed = Some(report_failure(e)?);
            }
        }
        if streams.iter().all(|s| s.failed.is_some()) {
            if let Some(e) = failures(&mut streams) {
                return Err(e);
            }
        }
        // The reports answer: their starts are kept from here on (see `save_starts`).
        state.save_starts()?;
        for s in streams.iter_mut().filter(|s| s.failed.is_none()) {
            let kind = s.kind;
            let mut pending = PageBuilder::new(kind.envelope());
            // Records written since the state was last saved (see below).
            let mut unsaved = 0usize;
            let drained = (|| -> Result<(), PullError> {
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
                                if *n > MAX_IDENTICAL {
                                    return Err(PullError::Api(format!(
                                        "{what}: the same record came {n} times in the window \
                                         {from_d} .. {to_d}, each page with a new \
                                         next_page_token; stopping rather than looping"
                                    )));
                                }
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
                                // Only empty pages count: identical records are
                                // separate events in Zoom's reports (no ids), so a page
                                // of records read before in this drain may be new ones
                                // (review s43-h5 MEDIUM-1).
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
                                    crate::hooks::pause_point("pull-batch");
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
                Ok(())
            })();
            if let Err(e) = drained {
                s.failed = Some(report_failure(e)?);
                s.failed_draining = true;
                // What the report answered before it failed is delivered, and with a
                // directory output committed with the report's position (its watermark
                // stays; every record emitted is remembered), as when a run stops within a
                // window: a later save of another report commits every batch written so
                // far, this report's included.
                if delivery.has_pending(&pending) {
                    batches.write(
                        state,
                        &mut delivery,
                        &mut pending,
                        observer,
                        &mut out.summary,
                    )?;
                }
                if let Some(pos) = s.position().filter(|_| per_window) {
                    batches.save(state, kind.name(), pos)?;
                    delivery.committed(batches.last())?;
                }
            }
        }
        Ok(())
    })();
    out.tokens_minted = session.minted;
    if let Err(e) = result {
        // A report that failed before the run stopped is said too (review s43-h5 LOW-2).
        let earlier = failed_reports(&mut streams);
        return Err(if earlier.is_empty() {
            e
        } else {
            e.noting(&format!("before that, {}", earlier.join("; ")))
        });
    }
    delivery.finish()?;
    if !per_window {
        for s in &streams {
            // A report that failed after emitting records saves them as emitted (they are
            // in the file): its position as after a stop within a window.
            if s.watermark.is_some() || s.failed_draining {
                if let Some(pos) = s.position() {
                    batches.save(state, s.kind.name(), pos)?;
                }
            }
        }
        delivery.committed(batches.last())?;
    }
    if let Some(e) = failures(&mut streams) {
        return Err(e);
    }
    out.commits = batches.saves();
    out.files = delivery.file_counts();
    Ok(out)
}

/// The failure of one report that lets the run go on with the others: an API error after
/// the retries, or an answer that breaks the protocol (a page token that repeats, a 200
/// that is not a page). A persistent fault of one report (Zoom serving one endpoint badly)
/// must not starve the other, which a security team reads for admin changes. Credentials,
/// permissions and rate limits are the account's, the output is shared, and an interrupt is
/// the user's: those stop the run (`Err`).
fn report_failure(e: PullError) -> Result<PullError, PullError> {
    match e {
        PullError::Api(_) => Ok(e),
        other => Err(other),
    }
}

/// What each report that failed said, named by its log type, in the run's order; their
/// errors are taken out of `streams`.
fn failed_reports(streams: &mut [StreamRun]) -> Vec<String> {
    streams
        .iter_mut()
        .filter_map(|s| Some((s.kind, s.failed.take()?)))
        .map(|(kind, e)| format!("{}: {}", kind.log_type(), e.message()))
        .collect()
}

/// The run's error when a report failed: its message (each report's, named, when the run
/// had several), and the reports that were pulled.
fn failures(streams: &mut [StreamRun]) -> Option<PullError> {
    let pulled: Vec<&'static str> = streams
        .iter()
        .filter(|s| s.failed.is_none())
        .map(|s| s.kind.log_type())
        .collect();
    if streams.len() == 1 {
        return streams[0].failed.take();
    }
    let failed = failed_reports(streams);
    if failed.is_empty() {
        return None;
    }
    let mut message = failed.join("; ");
    if !pulled.is_empty() {
        message = format!(
            "{message} ({} pulled and committed; the failed report reads on from its last \
             commit with the next run)",
            pulled.join(" and ")
        );
    }
    Some(PullError::Api(message))
}
