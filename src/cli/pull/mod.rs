//! `normalog pull`: fetch audit logs from a vendor API into the outputs of `normalize`,
//! incrementally (see the library's `pull` module for the algorithm and the commit
//! protocol). This file owns the flags, reading secrets from the environment or files,
//! the progress line and the exit codes.
#![allow(clippy::doc_markdown)] // doc comments of the args are --help text

mod output;
mod zendesk;
mod zoom;

use std::io::{self, IsTerminal};
use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::file_stats::{print_file_stats, FileStats};
use super::output::{CreatedDirs, OutputFile, RejectsWriter};
use super::{messages, EXIT_FATAL};
use normalog::pipeline::{Observer, Reject};
use normalog::pull::deliver::FileCounts;
use normalog::pull::http::Policy;
use normalog::pull::state::StateFile;
use normalog::pull::{parse_duration, parse_time, Progress, PullError, Secret};

pub use output::PullOutputArgs;
pub use zendesk::ZendeskArgs;
pub use zoom::ZoomArgs;

/// Exit status: authentication or permission refused.
pub const EXIT_AUTH: u8 = 3;
/// Exit status: rate limited past --max-wait.
pub const EXIT_RATE_LIMITED: u8 = 4;
/// Exit status: another API or network error.
pub const EXIT_API: u8 = 5;

/// The text after each pull's `--help`: delivery and exit status, with what only Zoom's
/// reports have (`zoom_delivery`, `zoom_exit`) given by the caller.
macro_rules! after_help {
    ($zoom_delivery:literal, $zoom_exit:literal) => {
        concat!(
            "\
Delivery: into a directory (-o DIR/) every record ends up in exactly one committed part
file, across crashes (kill -9 included) and reruns.",
            $zoom_delivery,
            "
A part file part-<tag>-<run>-<batch>-<n>.<ext> appears whole (it is written under a
hidden name), but it is committed only when the state file is saved after it (right after
each batch), and until then a crash makes the next run remove it and write its records
again in new files. So read DIR after a run that exited 0 or 1 (nothing uncommitted is
left then), or take only the files whose (run, batch) is at most the state file's
committed {run, seq}: while DIR/.pull-<tag>/ exists, uncommitted files may be present. A
loader that ingests files as they appear (S3 notifications, Auto Loader) gets at least
once. To standard output or a single file (-o FILE, replaced at the end of each run) it
is at least once across crashes.

Exit status:
  0  done
  1  done, some records rejected
  2  bad flags or configuration (also: the state file is in use by another pull)
  3  authentication or permission refused (the state keeps the batches committed before)
  4  rate limited past --max-wait (state saved up to the last committed batch: run again)
  5  other API or network error after retries, or an error writing the output or the
     state file (a full disk, a file where a directory goes): the state holds the last
     committed batch.",
            $zoom_exit,
            "
  130  interrupted by SIGINT (143 SIGTERM, 129 SIGHUP): stopped between pages, in a wait
       before a retry, or in a batch before its files were published; the state holds the
       last committed batch (run again to go on). Signals within a second of the first are
       the same request; one a second or more later ends the process at once (as kill -9:
       see Delivery)"
        )
    };
}

/// After `pull zendesk --help`.
const ZENDESK_AFTER_HELP: &str = after_help!("", "");

/// After `pull zoom --help`.
const ZOOM_AFTER_HELP: &str = after_help!(
    " This assumes, as Zoom does not
document, that a next_page_token pages through the window as it was at its first page: if
it is an offset into the live result, a record arriving while a window is paged can make
the record on a page boundary come back twice, and (records having no id, identical ones
being kept) be written twice.",
    " With both reports, one that fails so does not stop
     the other: the message names each"
);

/// `normalog pull`.
#[derive(Debug, clap::Subcommand)]
pub enum PullCommand {
    /// Pull Zendesk audit logs (GET /api/v2/audit_logs) as Zendesk.Audit events.
    ///
    /// Auth, one of: an API token (--email, the token from $ZENDESK_API_TOKEN, --token-env
    /// or --token-file); OAuth client credentials (--client-id, the secret from
    /// $ZENDESK_CLIENT_SECRET, --client-secret-env or --client-secret-file; scope
    /// auditlogs:read); or a ready OAuth token (--bearer-env). No option takes a secret's
    /// value. Needs an admin of an account on the Enterprise plan.
    #[command(after_help = ZENDESK_AFTER_HELP)]
    Zendesk(Box<ZendeskArgs>),
    /// Pull Zoom sign-in/sign-out (GET /v2/report/activities, as Zoom.Activity) and
    /// operation logs (GET /v2/report/operationlogs, as Zoom.Operation).
    ///
    /// Auth: a Server-to-Server OAuth app (--account-id, --client-id, the client secret
    /// from $ZOOM_CLIENT_SECRET, --client-secret-env or --client-secret-file; no option
    /// takes a secret's value). One access token per run. Needs a Pro plan or higher, the
    /// scopes report:read:user_activities:admin and report:read:operation_logs:admin (or
    /// the classic report:read:admin), and an app owner whose role may view "Usage
    /// reports", "Sign In/Sign Out" and "Admin Activity Logs". Zoom's records have no id:
    /// each run reads whole days again (--overlap-days, and one date more, as Zoom may read
    /// dates in the account's time zone) and drops what it emitted by a count per content
    /// hash, so identical records are kept as often as Zoom has them.
    #[command(after_help = ZOOM_AFTER_HELP)]
    Zoom(Box<ZoomArgs>),
}

pub(super) fn run(cmd: &PullCommand, interrupt: Option<&super::signals::Interrupt>) -> u8 {
    let result = match cmd {
        PullCommand::Zendesk(args) => zendesk::run(args, interrupt),
        PullCommand::Zoom(args) => zoom::run(args, interrupt),
    };
    match result {
        Ok(code) => code,
        Err(PullError::Interrupted(what)) => {
            let (signal, status) =
                interrupt.map_or(("a signal", 130), super::signals::Interrupt::status);
            messages::error(&format!("interrupted by {signal}: {what}"));
            status
        }
        Err(e) => {
            // Out of file descriptors in a lake: what to do, as normalize says it.
            let output = match cmd {
                PullCommand::Zendesk(a) => &a.output,
                PullCommand::Zoom(a) => &a.output,
            };
            let nargs = output.as_normalize(&[]);
            let hint = if super::output::writes_a_directory(&nargs) {
                let max_open_files = super::normalize::max_open_files(&nargs);
                super::output::too_many_open_files(e.message(), max_open_files)
            } else {
                None
            };
            messages::error(hint.as_deref().unwrap_or(e.message()));
            exit_code(&e)
        }
    }
}

fn exit_code(e: &PullError) -> u8 {
    match e {
        PullError::Auth(_) => EXIT_AUTH,
        PullError::RateLimited(_) => EXIT_RATE_LIMITED,
        // Writing the output or the state failed (a full disk, a file where a table's
        // directory goes): an I/O error of the run, as vendor-apis.md's design groups them,
        // not a flag to fix.
        PullError::Api(_) | PullError::Output(_) => EXIT_API,
        _ => EXIT_FATAL,
    }
}

pub(super) fn config_err(m: impl Into<String>) -> PullError {
    PullError::Config(m.into())
}

/// A secret from a file given with the flag `file_flag` (warning when others may read it)
/// or an environment variable. Messages about the file name the flag it came from.
pub(super) fn read_secret(
    file_flag: &str,
    file: Option<&Path>,
    env: Option<&str>,
    default_env: &str,
) -> Result<Secret, PullError> {
    let secret = if let Some(path) = file {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if let Ok(meta) = std::fs::metadata(path) {
                if meta.permissions().mode() & 0o077 != 0 {
                    messages::error(&format!(
                        "warning: {file_flag} {}: readable by others (chmod 600 it)",
                        path.display()
                    ));
                }
            }
        }
        let text = read_small(path, file_flag)?;
        // Tokens and secrets hold no spaces: an editor's line end (CRLF, a blank line
        // after) or a stray space would only make the API answer 401.
        Secret::new(text.trim())
    } else {
        let name = env.unwrap_or(default_env);
        let value = std::env::var(name)
            .map_err(|_| config_err(format!("the environment variable {name} is not set")))?;
        Secret::new(value.trim())
    };
    if secret.is_empty() {
        return Err(config_err("the secret given is empty"));
    }
    Ok(secret)
}

/// The longest secret file read: tokens and secrets are some dozens of bytes (`/dev/zero`
/// given by mistake was read without end: review s43-h4 LOW-2).
const MAX_SECRET_FILE: u64 = 64 * 1024;

/// The text of the secret file `path`, refused past [`MAX_SECRET_FILE`].
fn read_small(path: &Path, file_flag: &str) -> Result<String, PullError> {
    use std::io::Read;
    let fail =
        |e: &dyn std::fmt::Display| config_err(format!("{file_flag} {}: {e}", path.display()));
    // A named pipe waits for its writer: a signal then ends the process.
    let read = crate::cli::signals::at_once(|| {
        let mut bytes = Vec::new();
        std::fs::File::open(path)?
            .take(MAX_SECRET_FILE + 1)
            .read_to_end(&mut bytes)
            .map(|_| bytes)
    })
    .map_err(|_| PullError::Interrupted("nothing was requested".into()))?;
    let bytes = read.map_err(|e| fail(&e))?;
    if bytes.len() as u64 > MAX_SECRET_FILE {
        return Err(fail(&format!(
            "longer than {} KiB: not a token or secret file",
            MAX_SECRET_FILE / 1024
        )));
    }
    String::from_utf8(bytes).map_err(|_| fail(&"not UTF-8 text"))
}

/// The `--stats` line of what a pull read: pages, records received, dropped, normalized.
pub(super) fn print_records(
    pages: u64,
    received: u64,
    duplicates: u64,
    out_of_range: u64,
    s: &normalog::sink::Summary,
) {
    messages::plain(&format!(
        "pages: {pages}, records: {received} received, {duplicates} duplicates dropped, \
         {out_of_range} outside the window, {} normalized, {} rejected",
        s.normalized, s.rejected
    ));
}

/// The checks both pulls make of `--batch-records`, `--since` and `--until`. A `--since`
/// after `now` is refused: a first run would save it as the start, and every run would
/// read nothing until then (review s41-h2 LOW-5: year 9999 was saved).
pub(super) fn check_batches_and_range(
    batch_records: usize,
    since: Option<i64>,
    until: Option<i64>,
    now: i64,
) -> Result<(), PullError> {
    if batch_records == 0 {
        return Err(config_err("--batch-records must be at least 1"));
    }
    if let Some(since) = since.filter(|&s| s > now) {
        return Err(config_err(format!(
            "--since {} is after now ({}): a pull reads what happened up to now",
            normalog::pull::format_time(since),
            normalog::pull::format_time(now)
        )));
    }
    if let (Some(since), Some(until)) = (since, until) {
        if until < since {
            return Err(config_err(
                "--until is before --since: there is nothing to read between them",
            ));
        }
    }
    Ok(())
}

/// Say, unless `quiet`, for which of `streams` a `--since` given is ignored: those the
/// state file has a position for, or a start saved by an earlier run (a start is never
/// moved by a later --since, nor a position).
/// Say that the state file is a copy of another one, and so pulls under an id of its own.
/// Said even with -q (under cron): records that both state files pull go into the
/// output of each, so a copy made by mistake doubles them.
pub(super) fn note_copied(state: &StateFile) {
    if let Some(original) = state.copied_from() {
        messages::error(&format!(
            "note: {} is a copy of the state file {}: it goes on from the position it holds, \
             as a state file of its own (its part files are named apart from that one's; \
             records both pull are in the output of each)",
            state.path().display(),
            original.display()
        ));
    }
}

pub(super) fn note_since_ignored(state: &StateFile, streams: &[&str], since: bool, quiet: bool) {
    if !since || quiet {
        return;
    }
    for name in streams {
        let Some(p) = state.stream(name) else {
            continue;
        };
        let why = if p.since.is_empty() {
            format!("the state file has its position (up to {})", p.watermark)
        } else {
            format!(
                "the state file starts it at {} (saved by an earlier run; to start elsewhere, \
                 give another --state)",
                p.since
            )
        };
        messages::error(&format!("note: --since is ignored for {name}: {why}"));
    }
}

pub(super) fn duration(flag: &str, v: &str) -> Result<Duration, PullError> {
    parse_duration(v).map_err(|e| config_err(format!("{flag}: {e}")))
}

/// The value of a time flag (`--since`, `--until`): RFC 3339, a date (00:00 UTC) or a
/// duration back from `now`.
pub(super) fn time(flag: &str, v: Option<&str>, now: i64) -> Result<Option<i64>, PullError> {
    v.map(|s| parse_time(s, now).map_err(|e| config_err(format!("{flag}: {e}"))))
        .transpose()
}

/// The retry and rate-limit flags of every pull.
#[derive(Debug, clap::Args)]
#[command(rename_all = "kebab-case")]
pub struct RetryArgs {
    /// Give up once the waits the server asked for would pass this much in total: on rate
    /// limits (429s: exit 4), and a server error's Retry-After (exit 5).
    #[arg(long, value_name = "DURATION", default_value = "15m")]
    pub max_wait: String,

    /// Tries per request on server errors, timeouts and resets (at least 5).
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub attempts: u32,

    /// First backoff step on server errors (doubled per try, with jitter, up to 60 s).
    #[arg(long, value_name = "DURATION", default_value = "1s", hide = true)]
    pub backoff: String,

    /// Give up on a request that has not been answered whole in this time (a server that
    /// hangs), and try again as on a server error (--attempts). A stop (Ctrl-C) does not
    /// wait for it.
    #[arg(long, value_name = "DURATION", default_value = "60s")]
    pub request_timeout: String,
}

impl RetryArgs {
    /// Refuse too few tries: checked with the other numbers, before any secret is read.
    pub(super) fn check(&self) -> Result<(), PullError> {
        if self.attempts < 5 {
            return Err(config_err("--attempts must be at least 5"));
        }
        Ok(())
    }

    /// The HTTP client's retry policy.
    pub(super) fn policy(&self) -> Result<Policy, PullError> {
        Ok(Policy {
            attempts: self.attempts,
            backoff_base: duration("--backoff", &self.backoff)?,
            max_wait: duration("--max-wait", &self.max_wait)?,
            request_timeout: match duration("--request-timeout", &self.request_timeout)? {
                d if d.is_zero() => return Err(config_err("--request-timeout must be above 0")),
                d => d,
            },
            ..Policy::default()
        })
    }
}

/// Run `pull` with the rejects reported (into `rejects` or on stderr) and the progress
/// line drawn (unless `quiet`); then clear the line and commit the rejects file, also when
/// the pull failed: it holds what was rejected before. A pull that failed removes the
/// output directory it `created` when no file is in it (as normalize does): a run that
/// failed before writing anything leaves no empty lake behind.
pub(super) fn drive<T>(
    rejects: Option<OutputFile>,
    quiet: bool,
    mut created: CreatedDirs,
    pull: impl FnOnce(&mut dyn Observer, &mut dyn Progress) -> Result<T, PullError>,
) -> Result<T, PullError> {
    let result = drive_in(rejects, quiet, pull);
    if result.is_err() {
        // The delivery, and its writers with their temporary files, are gone by now.
        created.remove_if_empty();
    }
    result
}

fn drive_in<T>(
    mut rejects: Option<OutputFile>,
    quiet: bool,
    pull: impl FnOnce(&mut dyn Observer, &mut dyn Progress) -> Result<T, PullError>,
) -> Result<T, PullError> {
    let mut line = Line::new(quiet);
    let mut observer = RejectReporter {
        rejects: rejects.as_mut().map(RejectsWriter::new),
        quiet,
        line: line.clone(),
        count: 0,
    };
    let pulled = pull(&mut observer, &mut line);
    let flushed = observer
        .rejects
        .take()
        .map_or(Ok(()), RejectsWriter::finish);
    let rejected = observer.count;
    drop(observer);
    line.finish();
    // From cron (`-q`), a rejected record was lost without a word: the watermark moves past
    // it, and no later run reads it again. One line says so, which cron mails.
    if quiet && rejected > 0 {
        let kept = match &rejects {
            Some(r) => format!("written to {}", r.dest().display()),
            None => "not kept: give --rejects FILE to keep them".to_owned(),
        };
        messages::error(&format!(
            "warning: {rejected} API record{} rejected (the watermark moves past {}); {kept}",
            if rejected == 1 { " was" } else { "s were" },
            if rejected == 1 { "it" } else { "them" },
        ));
    }
    // A run that rejected nothing leaves the rejects file as it was: from cron, the last
    // rejects stay until a run rejects records again.
    if let Some(r) = rejects.filter(|_| rejected > 0) {
        r.commit().map_err(|f| match f {
            super::Fatal::Message(m) => PullError::Output(m),
            other => fatal_to_config(other),
        })?;
    }
    // A rejects file that could not be written is the error, whatever the pull's outcome.
    flushed?;
    pulled
}

/// `--stats` about the part files a pull published into a directory output (`rows`: the
/// records normalized, all of which are in them); nothing for other outputs.
pub(super) fn print_files(files: FileCounts, rows: u64) {
    let Some(partition) = files.partition else {
        return;
    };
    print_file_stats(&FileStats {
        files: files.files,
        extra: files.extra_files,
        rows,
        partition,
        spilled: files.spilled_rows,
        rotated: None,
        parquet: files.parquet,
    });
}

pub(super) fn fatal_to_config(f: super::Fatal) -> PullError {
    match f {
        super::Fatal::Message(m) => PullError::Config(m),
        super::Fatal::BrokenPipe => PullError::Output("broken pipe".into()),
        super::Fatal::Schemas(e) => PullError::Config(e.to_string()),
        super::Fatal::Interrupted(m) => PullError::Interrupted(m),
    }
}

/// The progress line: only on a terminal, never with --quiet. Clones draw the same line.
#[derive(Clone)]
struct Line(Option<ProgressBar>);

impl Line {
    fn new(quiet: bool) -> Line {
        if quiet || !io::stderr().is_terminal() {
            return Line(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4));
        bar.set_style(
            ProgressStyle::with_template("{elapsed_precise} {spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(250));
        Line(Some(bar))
    }
    fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.0 {
            Some(b) => b.suspend(f),
            None => f(),
        }
    }
    fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

impl Progress for Line {
    fn page(&mut self, pages: u64, records: u64, window: (&str, &str)) {
        if let Some(b) = &self.0 {
            b.set_message(format!(
                "{pages} pages, {records} records, window {} .. {}",
                window.0, window.1
            ));
        }
    }
    fn waiting(&mut self, why: &str, wait: Duration) {
        if let Some(b) = &self.0 {
            b.set_message(format!("{why}: waiting {:.1} s", wait.as_secs_f64()));
        }
    }
}

/// Reports rejects on stderr or into the rejects file (as normalize does).
struct RejectReporter<'f> {
    rejects: Option<RejectsWriter<'f>>,
    quiet: bool,
    line: Line,
    /// Records rejected so far.
    count: u64,
}

impl Observer for RejectReporter<'_> {
    fn rejected(&mut self, reject: &Reject<'_>) -> io::Result<()> {
        self.count += 1;
        if let Some(w) = &mut self.rejects {
            w.write(reject)?;
        } else if !self.quiet {
            let line = match reject.index {
                Some(i) => format!("API record {i} of a batch: {}", reject.error),
                None => format!("API record: {}", reject.error),
            };
            self.line.suspend(|| messages::error(&line));
        }
        Ok(())
    }
}
