//! `normalog pull`: fetch audit logs from a vendor API into the outputs of `normalize`,
//! incrementally (see the library's `pull` module for the algorithm and the commit
//! protocol). This file owns the flags, reading secrets from the environment or files,
//! the progress line and the exit codes.
#![allow(clippy::doc_markdown)] // doc comments of the args are --help text

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::normalize::{
    ndjson_options, CompressionArg, FormatArg, NormalizeArgs, PartitionArg, TimeFormatArg,
};
use super::output::{Output, OutputFile};
use super::{messages, EXIT_FATAL, EXIT_OK, EXIT_REJECTS};
use normalog::pipeline::{self, Batch, Observer, Reject};
use normalog::pull::deliver::{self, DirFormat, Target};
use normalog::pull::http::{Client, Policy};
use normalog::pull::state::StateFile;
use normalog::pull::zendesk::{self, Auth};
use normalog::pull::{parse_duration, parse_time, Progress, PullError, Secret};
use normalog::registry::Registry;
use normalog::sink::layout::Partition;
use normalog::sink::parquet;
use normalog::NormalizerBuilder;

/// Exit status: authentication or permission refused.
pub const EXIT_AUTH: u8 = 3;
/// Exit status: rate limited past --max-wait.
pub const EXIT_RATE_LIMITED: u8 = 4;
/// Exit status: another API or network error.
pub const EXIT_API: u8 = 5;

/// `--help` footer of `pull`.
pub const PULL_EXIT_CODES: &str = "\
Delivery: into a directory (-o DIR/) every record is written exactly once, across crashes
(kill -9 included) and reruns: each run adds its own part files, files being written have
hidden names, and the next run removes what a crashed run left. To standard output or a
single file (-o FILE, replaced at the end of each run) it is at least once across crashes.

Exit status:
  0  done
  1  done, some records rejected
  2  bad flags or configuration (also: the state file is in use by another pull)
  3  authentication or permission refused (the state file is left as it was)
  4  rate limited past --max-wait (state saved up to the last committed batch: run again)
  5  other API or network error after retries";

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
    #[command(after_help = PULL_EXIT_CODES)]
    Zendesk(Box<ZendeskArgs>),
}

/// `normalog pull zendesk`.
#[derive(Debug, clap::Args)]
#[command(rename_all = "kebab-case")]
pub struct ZendeskArgs {
    /// The Zendesk subdomain (acme for acme.zendesk.com). The state file is bound to it.
    #[arg(long, value_name = "SUB")]
    pub subdomain: String,

    /// The state file: where each run got to. Created by the first run; locked (through
    /// FILE.lock) while a pull runs.
    #[arg(long, value_name = "FILE")]
    pub state: PathBuf,

    /// API token auth: the agent's email address.
    #[arg(long, value_name = "EMAIL")]
    pub email: Option<String>,

    /// API token auth: the environment variable holding the token. Default:
    /// ZENDESK_API_TOKEN.
    #[arg(long, value_name = "NAME")]
    pub token_env: Option<String>,

    /// API token auth: a file holding the token.
    #[arg(long, value_name = "PATH")]
    pub token_file: Option<PathBuf>,

    /// OAuth client credentials: the client's identifier.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,

    /// OAuth: the environment variable holding the client secret. Default:
    /// ZENDESK_CLIENT_SECRET.
    #[arg(long, value_name = "NAME")]
    pub client_secret_env: Option<String>,

    /// OAuth: a file holding the client secret.
    #[arg(long, value_name = "PATH")]
    pub client_secret_file: Option<PathBuf>,

    /// OAuth: the scopes requested.
    #[arg(long, value_name = "SCOPES", default_value = zendesk::SCOPE)]
    pub scope: String,

    /// A ready OAuth access token, from this environment variable.
    #[arg(long, value_name = "NAME")]
    pub bearer_env: Option<String>,

    /// The API's base URL. Default: https://SUB.zendesk.com. http:// only for loopback
    /// hosts.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    /// Where to start when the state file has no position yet: RFC 3339
    /// (2026-01-01T00:00:00Z) or a duration back from now (30d, 12h).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// Never read records after this time (RFC 3339 or a duration back from now).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// Never read past now minus this: records become visible late.
    #[arg(long, value_name = "DURATION", default_value = "5m")]
    pub lag: String,

    /// Each run reads this much before its last position again and drops what it emitted
    /// already, so a record visible up to lag + overlap after its timestamp is still caught.
    #[arg(long, value_name = "DURATION", default_value = "10m")]
    pub overlap: String,

    /// Records per API page (1 to 100).
    #[arg(long, value_name = "N", default_value_t = zendesk::MAX_PAGE_SIZE)]
    pub page_size: u32,

    /// Records per committed batch: the state is saved after each batch is in the output.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub batch_records: usize,

    /// Give up (exit 4) once this much time in total was spent waiting on rate limits.
    #[arg(long, value_name = "DURATION", default_value = "15m")]
    pub max_wait: String,

    /// Tries per request on server errors, timeouts and resets (at least 5).
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub attempts: u32,

    /// First backoff step on server errors (doubled per try, with jitter, up to 60 s).
    #[arg(long, value_name = "DURATION", default_value = "1s", hide = true)]
    pub backoff: String,

    /// Output options, as for normalize.
    #[command(flatten)]
    pub output: PullOutputArgs,
}

/// The output options of `normalize` that apply to a pull.
#[derive(Debug, clap::Args)]
#[command(rename_all = "kebab-case")]
pub struct PullOutputArgs {
    /// Where to write events: '-' or nothing for standard output, a file (replaced at the
    /// end of the run), or a directory (an existing one, or a path ending in '/') in the
    /// data-lake layout of normalize, written exactly once.
    #[arg(short = 'o', long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Output format: ndjson or parquet (needs -o DIR).
    #[arg(short = 'f', long, value_enum, default_value_t = FormatArg::Ndjson, value_name = "FORMAT")]
    pub format: FormatArg,

    /// Directory partitioning on the UTC p_event_time: hour, day or none. Default: hour.
    #[arg(long, value_enum, value_name = "BY")]
    pub partition: Option<PartitionArg>,

    /// Parquet: rows per row group.
    #[arg(long, value_name = "N", default_value_t = parquet::DEFAULT_ROW_GROUP_ROWS)]
    pub row_group_rows: usize,

    /// Parquet: page compression.
    #[arg(long, value_enum, default_value_t = CompressionArg::Zstd, value_name = "CODEC")]
    pub compression: CompressionArg,

    /// Directory output: files open at once.
    #[arg(long, value_name = "N", default_value_t = parquet::DEFAULT_MAX_OPEN_FILES)]
    pub max_open_files: usize,

    /// Write rejected records to this file as NDJSON objects (as normalize --rejects).
    #[arg(long, value_name = "PATH")]
    pub rejects: Option<PathBuf>,

    /// Worker threads normalizing each batch. Default: one per core.
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,

    /// Print a summary to stderr: pages, records, duplicates dropped, rejects, rate.
    #[arg(long)]
    pub stats: bool,

    /// How timestamps are written: rfc3339 or panther.
    #[arg(long, value_enum, default_value_t = TimeFormatArg::Rfc3339, value_name = "FORMAT")]
    pub time_format: TimeFormatArg,

    /// Value of p_source_id on every event.
    #[arg(long, value_name = "ID")]
    pub source_id: Option<String>,

    /// Value of p_source_label on every event.
    #[arg(long, value_name = "LABEL")]
    pub source_label: Option<String>,

    /// Records longer than this many bytes are rejected without being parsed.
    #[arg(long, value_name = "BYTES", default_value_t = normalog::parse::DEFAULT_MAX_RECORD_BYTES)]
    pub max_record_bytes: usize,

    /// No progress line, and rejected records are not reported one by one.
    #[arg(short, long)]
    pub quiet: bool,
}

impl PullOutputArgs {
    /// The same options as `normalize` flags, to share its checks and output set-up.
    fn as_normalize(&self, log_type: &str) -> NormalizeArgs {
        NormalizeArgs {
            inputs: Vec::new(),
            schemas: Vec::new(),
            log_types: vec![log_type.to_owned()],
            output: self.output.clone(),
            format: self.format,
            partition: self.partition,
            row_group_rows: self.row_group_rows,
            compression: self.compression,
            max_open_files: self.max_open_files,
            max_buffered_mib: parquet::DEFAULT_MAX_BUFFERED_BYTES >> 20,
            rejects: self.rejects.clone(),
            max_rejects: None,
            threads: self.threads,
            envelope: None,
            max_document_bytes: pipeline::DEFAULT_MAX_DOCUMENT_BYTES,
            stats: self.stats,
            time_format: self.time_format,
            source_id: self.source_id.clone(),
            source_label: self.source_label.clone(),
            max_record_bytes: self.max_record_bytes,
            quiet: self.quiet,
        }
    }
}

pub(super) fn run(cmd: &PullCommand) -> u8 {
    match cmd {
        PullCommand::Zendesk(args) => match run_zendesk(args) {
            Ok(code) => code,
            Err(e) => {
                messages::error(e.message());
                exit_code(&e)
            }
        },
    }
}

fn exit_code(e: &PullError) -> u8 {
    match e {
        PullError::Auth(_) => EXIT_AUTH,
        PullError::RateLimited(_) => EXIT_RATE_LIMITED,
        PullError::Api(_) => EXIT_API,
        _ => EXIT_FATAL,
    }
}

fn config_err(m: impl Into<String>) -> PullError {
    PullError::Config(m.into())
}

/// A secret from a file (warning when others may read it) or an environment variable.
fn read_secret(
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
                        "warning: {}: readable by others (chmod 600 it)",
                        path.display()
                    ));
                }
            }
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| config_err(format!("{}: {e}", path.display())))?;
        Secret::new(text)
    } else {
        let name = env.unwrap_or(default_env);
        let value = std::env::var(name)
            .map_err(|_| config_err(format!("the environment variable {name} is not set")))?;
        Secret::new(value)
    };
    if secret.is_empty() {
        return Err(config_err("the secret given is empty"));
    }
    Ok(secret)
}

fn zendesk_auth(a: &ZendeskArgs) -> Result<Auth, PullError> {
    let modes = usize::from(a.email.is_some())
        + usize::from(a.client_id.is_some())
        + usize::from(a.bearer_env.is_some());
    if modes != 1 {
        return Err(config_err(
            "give one way to authenticate: --email (API token), --client-id (OAuth client \
             credentials) or --bearer-env (an OAuth access token)",
        ));
    }
    if let Some(name) = &a.bearer_env {
        return Ok(Auth::Bearer(read_secret(None, Some(name), name)?));
    }
    if let Some(client_id) = &a.client_id {
        let secret = read_secret(
            a.client_secret_file.as_deref(),
            a.client_secret_env.as_deref(),
            "ZENDESK_CLIENT_SECRET",
        )?;
        return Ok(Auth::ClientCredentials {
            client_id: client_id.clone(),
            secret,
            scope: a.scope.clone(),
        });
    }
    let email = a.email.clone().unwrap_or_default();
    let token = read_secret(
        a.token_file.as_deref(),
        a.token_env.as_deref(),
        "ZENDESK_API_TOKEN",
    )?;
    Ok(Auth::Token { email, token })
}

fn duration(flag: &str, v: &str) -> Result<Duration, PullError> {
    parse_duration(v).map_err(|e| config_err(format!("{flag}: {e}")))
}

#[allow(clippy::too_many_lines)] // flags to config, then the run and its report
fn run_zendesk(a: &ZendeskArgs) -> Result<u8, PullError> {
    let now = normalog::pull::now_secs();
    let sub = &a.subdomain;
    if sub.is_empty() || !sub.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(config_err(format!(
            "--subdomain {sub:?}: letters, digits and '-' only"
        )));
    }
    let base_url = a
        .base_url
        .clone()
        .unwrap_or_else(|| format!("https://{sub}.zendesk.com"));
    normalog::pull::http::check_base_url(&base_url)?;
    let time = |flag: &str, v: &Option<String>| -> Result<Option<i64>, PullError> {
        v.as_deref()
            .map(|s| parse_time(s, now).map_err(|e| config_err(format!("{flag}: {e}"))))
            .transpose()
    };
    if a.attempts < 5 {
        return Err(config_err("--attempts must be at least 5"));
    }
    let config = zendesk::Config {
        subdomain: sub.clone(),
        base_url,
        auth: zendesk_auth(a)?,
        since: time("--since", &a.since)?,
        until: time("--until", &a.until)?,
        lag: duration("--lag", &a.lag)?,
        overlap: duration("--overlap", &a.overlap)?,
        page_size: a.page_size,
        batch_records: a.batch_records.max(1),
    };
    if config.page_size == 0 || config.page_size > zendesk::MAX_PAGE_SIZE {
        return Err(config_err("--page-size must be between 1 and 100"));
    }
    let policy = Policy {
        attempts: a.attempts,
        backoff_base: duration("--backoff", &a.backoff)?,
        max_wait: duration("--max-wait", &a.max_wait)?,
        ..Policy::default()
    };

    // The output, checked as normalize checks it (before any request).
    let nargs = a.output.as_normalize(zendesk::LOG_TYPE);
    let output = Output::open(&nargs).map_err(fatal_to_config)?;
    let target = match output {
        Output::Stdout(s) => Target::Stream(Box::new(s)),
        Output::File(OutputFile::Atomic(f)) => Target::File(f),
        Output::File(OutputFile::InPlace(f)) => Target::Stream(Box::new(f)),
        Output::NdjsonDir(_) | Output::Parquet(_) => {
            let dir = nargs.output.clone().unwrap_or_default();
            let partition = match nargs.partition.unwrap_or(PartitionArg::Hour) {
                PartitionArg::None => Partition::None,
                PartitionArg::Day => Partition::Day,
                PartitionArg::Hour => Partition::Hour,
            };
            let format = if nargs.format == FormatArg::Parquet {
                DirFormat::Parquet(parquet::Options {
                    partition,
                    compression: match nargs.compression {
                        CompressionArg::Zstd => parquet::Compression::Zstd,
                        CompressionArg::Snappy => parquet::Compression::Snappy,
                        CompressionArg::Gzip => parquet::Compression::Gzip,
                        CompressionArg::None => parquet::Compression::None,
                    },
                    row_group_rows: nargs.row_group_rows,
                    max_open_files: nargs.max_open_files,
                    ..parquet::Options::default()
                })
            } else {
                DirFormat::Ndjson {
                    partition,
                    max_open_files: nargs.max_open_files,
                }
            };
            Target::Dir { dir, format }
        }
    };
    let mut rejects = match &nargs.rejects {
        Some(p) if p.as_os_str() == "-" => {
            return Err(config_err(
                "--rejects needs a file: standard output carries the events",
            ))
        }
        Some(p) => Some(OutputFile::create(p).map_err(fatal_to_config)?),
        None => None,
    };

    let registry = Registry::builtin();
    let mut builder = NormalizerBuilder::new();
    builder
        .log_types([zendesk::LOG_TYPE])
        .source_id(nargs.source_id.clone())
        .source_label(nargs.source_label.clone())
        .max_record_bytes(nargs.max_record_bytes);
    let mut batch = Batch::new();
    batch
        .max_record_bytes(nargs.max_record_bytes)
        .envelope(Some(zendesk::STREAM.to_owned()));
    if let Some(n) = nargs.threads {
        if n == 0 {
            return Err(config_err("--threads must be at least 1"));
        }
        batch.threads(n);
    }
    let delivery = deliver::Delivery::new(
        target,
        registry,
        builder,
        batch,
        ndjson_options(&nargs),
        deliver::tag("zendesk", sub),
    );

    let mut state = StateFile::open(&a.state, "zendesk", sub)?;
    if state.stream(zendesk::STREAM).is_some() && a.since.is_some() && !a.output.quiet {
        messages::error("note: --since is ignored: the state file has a position");
    }
    let mut client = Client::new(policy);
    let mut line = Line::new(a.output.quiet);
    let started = Instant::now();
    let result = {
        let mut observer = RejectReporter {
            rejects: rejects.as_mut().map(|f| BufWriter::new(f.file())),
            quiet: a.output.quiet,
            buf: Vec::new(),
            line: line.clone(),
        };
        let r = zendesk::pull(
            &config,
            &mut client,
            &mut state,
            delivery,
            now,
            &mut observer,
            &mut line,
        );
        if let Some(w) = observer.rejects.take() {
            w.into_inner().map_err(io::IntoInnerError::into_error)?;
        }
        r
    };
    line.finish();
    if let Some(r) = rejects {
        r.commit()?;
    }
    let outcome = result?;
    if a.output.stats {
        let s = &outcome.summary;
        let secs = started.elapsed().as_secs_f64().max(1e-9);
        let window = outcome.window.map_or_else(
            || "nothing to read yet (the window is empty)".to_owned(),
            |(from, to)| {
                format!(
                    "{} .. {}",
                    normalog::pull::format_time(from),
                    normalog::pull::format_time(to)
                )
            },
        );
        messages::plain(&format!("window: {window}"));
        #[allow(clippy::cast_precision_loss)]
        let rate = outcome.received as f64 / secs;
        messages::plain(&format!(
            "pages: {}, records: {} received, {} duplicates dropped, {} normalized, {} rejected",
            outcome.pages, outcome.received, outcome.duplicates, s.normalized, s.rejected
        ));
        messages::plain(&format!(
            "commits: {}, leftovers of a crashed run removed: {}, rate-limit waits: {:.1} s, \
             elapsed: {secs:.3} s, {rate:.0} records/s",
            outcome.commits,
            outcome.leftovers_removed,
            client.rate_waited().as_secs_f64()
        ));
    }
    Ok(if outcome.summary.rejected > 0 {
        EXIT_REJECTS
    } else {
        EXIT_OK
    })
}

fn fatal_to_config(f: super::Fatal) -> PullError {
    match f {
        super::Fatal::Message(m) => PullError::Config(m),
        super::Fatal::BrokenPipe => PullError::Output("broken pipe".into()),
        super::Fatal::Schemas(e) => PullError::Config(e.to_string()),
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
    rejects: Option<BufWriter<&'f mut std::fs::File>>,
    quiet: bool,
    buf: Vec<u8>,
    line: Line,
}

impl Observer for RejectReporter<'_> {
    fn rejected(&mut self, reject: &Reject<'_>) -> io::Result<()> {
        if let Some(w) = &mut self.rejects {
            self.buf.clear();
            pipeline::rejects::write_reject(&mut self.buf, reject);
            w.write_all(&self.buf)?;
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
