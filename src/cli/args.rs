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
    /// Normalize JSON log records into NDJSON or Parquet events.
    ///
    /// Inputs are files, directories (every file under them, recursively, in sorted order;
    /// hidden files skipped) or '-' for standard input. gzip (also multi-member) and zstd
    /// are detected from the content, as is the framing: NDJSON (one record per line; CRLF,
    /// a UTF-8 BOM and blank lines tolerated), a JSON array of records, or API pages (an
    /// object holding the records in an array field, e.g. {"audit_logs":[...]}), which are
    /// unwrapped. With several log types loaded and no --log-type, each record takes the
    /// first log type that accepts it (the last successful one is tried first). Rejected
    /// records are reported on stderr (or written to --rejects) and the run goes on; an
    /// unreadable or truncated input, or one in a format other than JSON text (Parquet, zip,
    /// bzip2, xz, lz4, told by its first bytes), is reported and the run goes on with the
    /// next one.
    /// Output is in input order whatever --threads is.
    #[command(after_help = EXIT_CODES)]
    Normalize(Box<NormalizeArgs>),
    /// Inspect and check schemas.
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// Run schema test files (Panther's *_tests.yml format) and report each case.
    ///
    /// Each PATH is a test file, a schema file, or a directory searched recursively: files
    /// named *_tests.yml / *_tests.yaml or inside a tests/ directory are test files, other
    /// *.yml / *.yaml files are schemas. Log types the paths do not define come from the
    /// built-in schemas. Without PATH, the built-in schemas are tested against their shipped
    /// tests.
    #[command(after_help = TEST_EXIT_CODES)]
    Test(TestArgs),
    /// Generate realistic records (NDJSON) for benchmarks and tests.
    ///
    /// Deterministic for a seed. The shipped log types get hand-tuned values; any other
    /// schema gets values shaped by its field types, indicators and time formats.
    Gen(super::gen_cmd::GenArgs),
    /// Measure normalog on generated data: raw simd-json parse, parse stage, NDJSON and Parquet
    /// output.
    ///
    /// Prints MB/s, records/s and the ratio of each path to the raw simd-json tape parse of
    /// the same lines on the same threads.
    Bench(super::bench::BenchArgs),
}

const TEST_EXIT_CODES: &str = "\
Exit status:
  0  every case passed (with --update: every failing case was rewritten)
  1  some cases failed
  2  a schema or test file could not be read or parsed";

/// `normalog test`.
#[derive(Debug, clap::Args)]
#[command(rename_all = "kebab-case")]
pub struct TestArgs {
    /// Test files, schema files or directories. Default: the built-in schemas and tests.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Rewrite the expected result of each failing case from the actual output, leaving the
    /// rest of the file as it is (p_row_id, p_parse_time and p_schema_version are left out).
    #[arg(long)]
    pub update: bool,
}

/// `normalog normalize`.
#[derive(Debug, clap::Args)]
#[command(rename_all = "kebab-case")]
pub struct NormalizeArgs {
    /// Input files or directories; '-' or no INPUT reads standard input.
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

    /// Where to write events. For NDJSON: a file (one stream, in input order), '-' or
    /// nothing for standard output, or a directory (an existing one, or a path ending in
    /// '/'), which gets the data-lake layout below. For Parquet: a directory, required.
    /// Directory layout: one table per log type, DIR/TABLE/ with TABLE the log type in
    /// snake case (Zendesk.Audit -> zendesk_audit), partitioned by --partition on the UTC
    /// event time, e.g. DIR/zendesk_audit/year=2023/month=07/day=01/hour=14/part-0.parquet.
    /// Files are written under temporary names (.part-*.tmp-*) and renamed only when the run
    /// completes.
    #[arg(short = 'o', long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Output format: ndjson (one JSON object per line) or parquet (typed columns; needs
    /// -o DIR).
    #[arg(short = 'f', long, value_enum, default_value_t = FormatArg::Ndjson, value_name = "FORMAT")]
    pub format: FormatArg,

    /// Directory partitioning of a directory output, on the UTC p_event_time: hour
    /// (year=/month=/day=/hour=), day (year=/month=/day=) or none. Default: hour.
    #[arg(long, value_enum, value_name = "BY")]
    pub partition: Option<PartitionArg>,

    /// Parquet: rows per row group.
    #[arg(long, value_name = "N", default_value_t = crate::sink::parquet::DEFAULT_ROW_GROUP_ROWS)]
    pub row_group_rows: usize,

    /// Parquet: page compression.
    #[arg(long, value_enum, default_value_t = CompressionArg::Zstd, value_name = "CODEC")]
    pub compression: CompressionArg,

    /// Directory output: files open at once; when more partitions are being written, the
    /// least recently used file is closed (a partition seen again gets a new part file).
    /// With Parquet writer threads (see --threads), a closed file is finished by its
    /// thread a little later, so a few more files than N can be open for a moment: keep
    /// N well under the open-files limit (ulimit -n).
    #[arg(long, value_name = "N", default_value_t = crate::sink::parquet::DEFAULT_MAX_OPEN_FILES)]
    pub max_open_files: usize,

    /// Write rejected records to this file as NDJSON objects {"source","record","index"
    /// (in an API page only),"line","byte","reason","log_type","error","candidates" (when
    /// several log types were tried),"raw","raw_truncated" (when raw was cut at 4096
    /// bytes)} instead of reporting each on stderr. "record" is the record's 0-based index
    /// in its input, "line" 1-based and "byte" a 0-based offset; an invalid-JSON error
    /// gives its column in "error".
    #[arg(long, value_name = "PATH")]
    pub rejects: Option<PathBuf>,

    /// Stop with exit status 2 once more than N records were rejected (a safety valve for
    /// a misconfigured schema); output files are then not written (events already sent
    /// to standard output cannot be taken back). Default: no limit.
    #[arg(long, value_name = "N")]
    pub max_rejects: Option<u64>,

    /// Worker threads. With --format parquet and N >= 2 (the default on 2 or more cores),
    /// also min(N, --max-open-files) threads that encode and compress the Parquet files,
    /// each file on one of them. Default: one per core.
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,

    /// Array field of the API pages to unwrap (e.g. audit_logs, activity_logs). An object
    /// without it is tried as a record; refused, it is rejected as `not_a_page`. Default:
    /// an object that no schema accepts and that holds exactly one array of objects is
    /// unwrapped.
    #[arg(long, value_name = "FIELD")]
    pub envelope: Option<String>,

    /// A whole-document input (a JSON array, a pretty-printed page) is read whole up to
    /// this many bytes; a larger one is read as NDJSON.
    #[arg(long, value_name = "BYTES", default_value_t = crate::pipeline::DEFAULT_MAX_DOCUMENT_BYTES)]
    pub max_document_bytes: usize,

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

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// One JSON object per line.
    Ndjson,
    /// Apache Parquet, one table per log type.
    Parquet,
}

/// Directory partitioning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PartitionArg {
    /// DIR/TABLE/part-N.*
    None,
    /// DIR/TABLE/year=YYYY/month=MM/day=DD/part-N.*
    Day,
    /// DIR/TABLE/year=YYYY/month=MM/day=DD/hour=HH/part-N.*
    Hour,
}

/// Parquet compression codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompressionArg {
    /// zstd (default level).
    Zstd,
    /// Snappy.
    Snappy,
    /// gzip (default level).
    Gzip,
    /// Uncompressed.
    None,
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
