//! Command-line arguments (clap derive). Raw flags only; `mod.rs` validates and acts.
//!
//! Doc comments here are `--help` text, printed as written, so they are not Markdown.
#![allow(clippy::doc_markdown)]

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit status:
  0  every record was normalized
  1  the run finished, but some records were rejected (or an input could not be read)
  2  fatal error: bad flags, bad schema, unusable output";

/// Normalize JSON logs with Panther log schemas: typed fields, p_* standard fields,
/// indicator extraction. Schemas for Zendesk.Audit, Zoom.Activity and Zoom.Operation are
/// built in.
#[derive(Debug, Parser)]
#[command(name = "normalog", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Normalize NDJSON records into NDJSON events.
    ///
    /// Each input line is one JSON record. With several log types loaded and no --log-type,
    /// each record takes the first log type that accepts it (the last successful one is
    /// tried first). Rejected records are reported on stderr (or written to --rejects) and
    /// the run goes on.
    #[command(after_help = EXIT_CODES)]
    Normalize(NormalizeArgs),
    /// Inspect and check schemas.
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// Generate realistic records (NDJSON) for benchmarks and tests.
    ///
    /// Deterministic for a seed. The shipped log types get hand-tuned values; any other
    /// schema gets values shaped by its field types, indicators and time formats.
    Gen(super::gen_cmd::GenArgs),
    /// Measure normalog on generated data: raw simd-json parse, parse stage, NDJSON output.
    ///
    /// Prints MB/s, records/s and the ratio of each path to the raw simd-json tape parse of
    /// the same lines on the same threads.
    Bench(super::bench_cmd::BenchArgs),
}

/// `normalog normalize`.
#[derive(Debug, clap::Args)]
#[command(rename_all = "kebab-case")]
pub struct NormalizeArgs {
    /// Input files; '-' or no INPUT reads standard input.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Schema file or directory (searched recursively for *.yml / *.yaml, test files
    /// skipped). Repeatable. Default: the built-in schemas.
    #[arg(short = 's', long = "schemas", value_name = "PATH")]
    pub schemas: Vec<PathBuf>,

    /// Only try these log types, in this order. Repeatable. Default: classify among all
    /// loaded log types.
    #[arg(short = 't', long = "log-type", value_name = "NAME")]
    pub log_types: Vec<String>,

    /// Write NDJSON events to this file instead of standard output ('-' is standard
    /// output). The file appears only when the run completes.
    #[arg(short = 'o', long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Write rejected records to this file as NDJSON objects
    /// {"source","line","byte","log_type","error","raw"} instead of reporting each on stderr.
    #[arg(long, value_name = "PATH")]
    pub rejects: Option<PathBuf>,

    /// Print a summary to stderr: records in, normalized per log type, rejected per reason,
    /// bytes, elapsed time, MB/s and records/s.
    #[arg(long)]
    pub stats: bool,

    /// How timestamps are written: rfc3339 (2023-07-01T14:00:00Z) or panther
    /// (2023-07-01 14:00:00.000000000, Panther's data-lake layout).
    #[arg(long, value_enum, default_value_t = TimeFormatArg::Rfc3339, value_name = "FORMAT")]
    pub time_format: TimeFormatArg,

    /// Value of p_source_id on every event.
    #[arg(long, value_name = "ID")]
    pub source_id: Option<String>,

    /// Value of p_source_label on every event.
    #[arg(long, value_name = "LABEL")]
    pub source_label: Option<String>,

    /// Records longer than this many bytes are rejected without being parsed.
    #[arg(long, value_name = "BYTES", default_value_t = crate::parse::DEFAULT_MAX_RECORD_BYTES)]
    pub max_record_bytes: usize,

    /// Do not report each rejected record on stderr (they are still counted).
    #[arg(short, long)]
    pub quiet: bool,
}

/// Timestamp layout of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TimeFormatArg {
    /// 2023-07-01T14:00:00Z, fractional digits only when not zero.
    Rfc3339,
    /// 2023-07-01 14:00:00.000000000 (UTC, 9 fractional digits).
    Panther,
}

/// `normalog schema ...`.
#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// List the loaded log types (built-in, or from --schemas).
    List {
        /// Schema file or directory. Repeatable. Default: the built-in schemas.
        #[arg(short = 's', long = "schemas", value_name = "PATH")]
        schemas: Vec<PathBuf>,
    },
    /// Load and compile schemas, reporting every problem with file:line:col. Without PATH,
    /// checks the built-in schemas. Exit status 0 when all are valid, 2 otherwise.
    Check {
        /// Schema files or directories.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Print a JSON Schema of the schema file format, for editors (e.g. the YAML language
    /// server's `# yaml-language-server: $schema=<file>` comment).
    JsonSchema,
}
