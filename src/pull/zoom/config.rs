//! What a Zoom pull is asked to do ([`Config`], the reports as [`LogKind`]s, Zoom's limits)
//! and what it did ([`Outcome`]).

use crate::pull::deliver::FileCounts;
use crate::pull::http::{check_base_url, refuse_api_path};
use crate::pull::{PullError, Secret};
use crate::sink::Summary;

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
    /// of 1 to [`MAX_WINDOW_DAYS`] days, no log type. [`pull`](super::pull) checks it first; callers
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
