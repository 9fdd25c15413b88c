//! `normalog pull zoom`: its flags, and the run.
#![allow(clippy::doc_markdown)] // doc comments of the args are --help text

use std::path::PathBuf;
use std::time::Instant;

use clap::ValueEnum;

use super::{
    check_batches_and_range, config_err, drive, messages, note_copied, note_since_ignored, output,
    print_files, print_records, read_secret, time, PullOutputArgs, RetryArgs,
};
use crate::cli::output::CreatedDirs;
use crate::cli::{EXIT_OK, EXIT_REJECTS};
use normalog::pull::http::Client;
use normalog::pull::state::StateFile;
use normalog::pull::zoom::{self, LogKind};
use normalog::pull::PullError;

/// `normalog pull zoom`.
#[derive(Debug, clap::Args)]
#[command(rename_all = "kebab-case")]
pub struct ZoomArgs {
    /// The Zoom account id (of the Server-to-Server OAuth app). The state file is bound to
    /// it.
    #[arg(long, value_name = "ID")]
    pub account_id: String,

    /// The Server-to-Server OAuth app's client id.
    #[arg(long, value_name = "ID")]
    pub client_id: String,

    /// The environment variable holding the app's client secret. Default:
    /// ZOOM_CLIENT_SECRET.
    #[arg(long, value_name = "NAME")]
    pub client_secret_env: Option<String>,

    /// A file holding the app's client secret (instead of the environment).
    #[arg(long, value_name = "PATH", conflicts_with = "client_secret_env")]
    pub client_secret_file: Option<PathBuf>,

    /// The state file: where each run got to. Created by the first run; locked (through
    /// FILE.lock) while a pull runs.
    #[arg(long, value_name = "FILE")]
    pub state: PathBuf,

    /// The reports to pull: activity (sign in / sign out, Zoom.Activity) or operation
    /// (operation logs, Zoom.Operation). Repeatable. Default: both.
    #[arg(long, value_enum, value_name = "TYPE")]
    pub log_type: Vec<LogTypeArg>,

    /// The API's base URL, without /v2 (appended by the pull); a regional cluster such as
    /// https://eu01api.zoom.us also works. http:// only for loopback hosts.
    #[arg(long, value_name = "URL", default_value = "https://api.zoom.us")]
    pub api_base: String,

    /// The OAuth server's base URL, without /oauth (the pull requests /oauth/token on it).
    /// http:// only for loopback hosts.
    #[arg(long, value_name = "URL", default_value = "https://zoom.us")]
    pub oauth_base: String,

    /// Where to start when the state file has no position yet: RFC 3339
    /// (2026-01-01T00:00:00Z), a date (2026-01-01, 00:00 UTC) or a duration back from now
    /// (30d); the records from 00:00 UTC of its day on are pulled, whatever time zone Zoom
    /// reads its dates in. Zoom serves the last six months only: an older time is clamped,
    /// with a warning. The start of
    /// every --log-type of the run is saved once each has answered its first page, so that
    /// a rerun of an interrupted first run starts there and needs no --since; once a report has a position or a saved
    /// start, --since is ignored for it (with a note).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// Never read records after this time (RFC 3339, a date at 00:00 UTC, or a duration back
    /// from now). The run gets every record up to it, unless it is after 10:00 UTC today:
    /// Zoom may read dates in a time zone up to UTC+14, where that is tomorrow already, and no request asks for
    /// a date after today (UTC); a run after 00:00 UTC gets the rest.
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// Each run reads again from 00:00 UTC this many days before the day it got to, and
    /// drops what it emitted already, so records that show up late are caught while their
    /// day is within the overlap. (Zoom filters by date, in a time zone it does not name:
    /// each run also asks for the date before its first day, and drops the records older
    /// than that day.)
    #[arg(long, value_name = "DAYS", default_value_t = 2)]
    pub overlap_days: u32,

    /// Days per request window (1 to 30). The state's watermark moves at the end of each
    /// window (within one, each batch is saved with the records it emitted): a run stopped
    /// within a window reads it again; longer ones make fewer requests.
    #[arg(long, value_name = "DAYS", default_value_t = 1)]
    pub window_days: u32,

    /// Records per API page (1 to 300).
    #[arg(long, value_name = "N", default_value_t = zoom::MAX_PAGE_SIZE)]
    pub page_size: u32,

    /// Records per written batch. The state is saved after a batch (after each one while a
    /// window is short; see the README), or with -o FILE at the end of the run.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub batch_records: usize,

    /// Retries and rate limits.
    #[command(flatten)]
    pub retry: RetryArgs,

    /// Output options, as for normalize.
    #[command(flatten)]
    pub output: PullOutputArgs,
}

/// A Zoom report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogTypeArg {
    /// Sign in / sign out (GET /v2/report/activities), as Zoom.Activity.
    Activity,
    /// Operation logs (GET /v2/report/operationlogs), as Zoom.Operation.
    Operation,
}

#[allow(clippy::too_many_lines)] // flags to config, then the run and its report
pub(super) fn run(
    a: &ZoomArgs,
    interrupt: Option<&crate::cli::signals::Interrupt>,
) -> Result<u8, PullError> {
    let now = normalog::pull::now_secs();
    let account = &a.account_id;
    if account.is_empty()
        || !account
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(config_err(format!(
            "--account-id {account:?}: letters, digits, '-' and '_' only"
        )));
    }
    a.retry.check()?;
    let mut kinds: Vec<LogKind> = a
        .log_type
        .iter()
        .map(|t| match t {
            LogTypeArg::Activity => LogKind::Activity,
            LogTypeArg::Operation => LogKind::Operation,
        })
        .collect();
    if kinds.is_empty() {
        kinds = LogKind::ALL.to_vec();
    }
    kinds.sort_unstable();
    kinds.dedup();
    let config = zoom::Config {
        account_id: account.clone(),
        client_id: a.client_id.clone(),
        secret: read_secret(
            "--client-secret-file",
            a.client_secret_file.as_deref(),
            a.client_secret_env.as_deref(),
            "ZOOM_CLIENT_SECRET",
        )?,
        api_base: a.api_base.clone(),
        oauth_base: a.oauth_base.clone(),
        kinds: kinds.clone(),
        since: time("--since", a.since.as_deref(), now)?,
        until: time("--until", a.until.as_deref(), now)?,
        overlap_days: a.overlap_days,
        window_days: a.window_days,
        page_size: a.page_size,
        batch_records: a.batch_records,
    };
    config.check()?;
    check_batches_and_range(a.batch_records, config.since, config.until, now)?;
    let policy = a.retry.policy()?;
    let streams: Vec<(&str, &str)> = kinds.iter().map(|k| (k.envelope(), k.log_type())).collect();
    let mut state = StateFile::open(&a.state, "zoom", account)?;
    note_copied(&state);
    let mut created = CreatedDirs::default();
    let (delivery, rejects) = output::open(
        &a.output,
        "zoom",
        account,
        state.id(),
        &streams,
        interrupt,
        &mut created,
    )?;
    let names: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
    note_since_ignored(&state, &names, a.since.is_some(), a.output.quiet);
    let mut client = Client::new(policy);
    if let Some(i) = interrupt {
        client.cancel_on(i.flag());
    }
    let started = Instant::now();
    let outcome = drive(rejects, a.output.quiet, created, |observer, line| {
        zoom::pull(
            &config,
            &mut client,
            &mut state,
            delivery,
            now,
            observer,
            line,
        )
    })?;
    for w in &outcome.warnings {
        messages::error(&format!("warning: {w}"));
    }
    if a.output.stats {
        let s = &outcome.summary;
        let secs = started.elapsed().as_secs_f64().max(1e-9);
        let window = outcome.window.as_ref().map_or_else(
            || "nothing to read yet".to_owned(),
            |(from, to)| format!("{from} .. {to} (the dates asked for)"),
        );
        messages::plain(&format!("window: {window}"));
        #[allow(clippy::cast_precision_loss)]
        let rate = outcome.received as f64 / secs;
        print_records(
            outcome.pages,
            outcome.received,
            outcome.duplicates,
            outcome.out_of_range,
            s,
        );
        messages::plain(&format!(
            "commits: {}, tokens minted: {}, windows restarted (page token expired): {}, \
             leftovers of a crashed run removed: {}, rate-limit waits: {:.1} s, server-error waits (Retry-After): {:.1} s, pacing: {:.1} s, elapsed: \
             {secs:.3} s, {rate:.0} records/s",
            outcome.commits,
            outcome.tokens_minted,
            outcome.restarts,
            outcome.leftovers_removed,
            client.rate_waited().as_secs_f64(),
            client.server_waited().as_secs_f64(),
            client.paced().as_secs_f64()
        ));
        print_files(outcome.files, s.normalized);
    }
    Ok(if outcome.summary.rejected > 0 {
        EXIT_REJECTS
    } else {
        EXIT_OK
    })
}
