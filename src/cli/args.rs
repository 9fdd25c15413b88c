//! Command-line arguments (clap derive): the command line and its subcommands. Raw flags
//! only; each command validates and acts. The arguments of `normalize`, `schema`, `gen`
//! and `bench` live with their command.
//!
//! Doc comments here are `--help` text, printed as written, so they are not Markdown.
#![allow(clippy::doc_markdown)]

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// The exit statuses of `normalize`, in its `--help` and (named as such) the top level's.
macro_rules! normalize_exit_codes {
    () => {
        "  0    every record was normalized
  1    the run finished, but some records were rejected (or some inputs could not be
       read while others were)
  2    fatal error: bad flags, bad schema, unusable output, nothing to read (no input
       file at all, or not one input could be read)
  130  interrupted by SIGINT (Ctrl-C); 143 by SIGTERM, 129 by SIGHUP (128 + the signal's
       number): the run stopped, its temporary files were removed and nothing was
       committed (or, if it was already renaming its files into place, it finished
       that). Signals within a second of the first are the same request; one a
       second or more later ends the process at once, and the next run into the same
       directory removes what it left."
    };
}
const EXIT_CODES: &str = concat!("Exit status:\n", normalize_exit_codes!());
const TOP_EXIT_CODES: &str = concat!(
    "Exit status of normalize (test, compact and pull zendesk|zoom list theirs in their --help):\n",
    normalize_exit_codes!(),
    "\n\nExit status of gen, bench and schema: 0 done (also when standard output was closed, \
     as by `| head`), 2 an error (bad flags, a bad schema, an output that cannot be written)."
);

/// Normalize logs with Panther log schemas: JSON records, and text lines read by a
/// schema's `parser: csv`, `regex` or `fastmatch`, into typed fields, p_* standard fields and
/// indicators. Schemas for Zendesk.Audit, Zoom.Activity and Zoom.Operation are built in.
#[derive(Debug, Parser)]
#[command(name = "normalog", version, after_help = TOP_EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Normalize log records (JSON, or text lines for schemas with a text parser) into
    /// NDJSON or Parquet events.
    ///
    /// Inputs are files, directories (every file under them, recursively, in sorted order;
    /// hidden files, the output and what standard output and error go to skipped) or '-'
    /// for standard input. gzip (also multi-member) and zstd
    /// are detected from the content, as is the framing: NDJSON (one record per line; CRLF,
    /// a UTF-8 BOM and blank lines tolerated), a JSON array of records, or Zendesk's and
    /// Zoom's API pages ({"audit_logs":[...]}, activity_logs, operation_logs, and
    /// {"audit_log":{...}}), which are unwrapped (other APIs' with --envelope). A line that
    /// is not a JSON object goes to the log types whose schema has a text parser; when only
    /// such log types are loaded, every input is read as lines and every line, a JSON object
    /// too, goes to them. With several
    /// log types (loaded, or given with --log-type), each record takes the first that
    /// accepts it: among JSON log types, the last successful one tried first (a record two
    /// of them accept goes to the one that took the JSON records before it in its input,
    /// whatever --threads is; each input starts from the first loaded, as in Panther); text log types in the order loaded, or given with --log-type. Rejected
    /// records are reported on stderr (or written to --rejects) and the run goes on; an
    /// unreadable or truncated input, or one in a format other than JSON text (Parquet, zip,
    /// bzip2, xz, lz4, told by its first bytes), is reported and the run goes on with the
    /// next one.
    /// Output is in input order whatever --threads is.
    #[command(after_help = EXIT_CODES)]
    Normalize(Box<super::normalize::NormalizeArgs>),
    /// Inspect and check schemas.
    #[command(subcommand)]
    Schema(super::schema_cmd::SchemaCommand),
    /// Run schema test files (Panther's *_tests.yml format) and report each case.
    ///
    /// Each PATH is a test file, a schema file, or a directory searched recursively: files
    /// named *_tests.yml / *_tests.yaml or inside a tests/ directory are test files, other
    /// *.yml / *.yaml files are schemas. When no test file is named, a schema file named is
    /// tested against the test files beside it, as its directory would be (those in its
    /// directory's tests/, and its *_tests.yml neighbours), for the cases of its log type
    /// only. Log types the paths do not define come from the built-in schemas. Without PATH,
    /// the built-in schemas are tested against their shipped tests.
    #[command(after_help = TEST_EXIT_CODES)]
    Test(TestArgs),
    /// Generate realistic records (NDJSON, or text lines for schemas with a text parser) for
    /// benchmarks and tests.
    ///
    /// Deterministic for a seed. The shipped log types get hand-tuned values; any other
    /// schema gets values shaped by its field types, indicators and time formats. A text log
    /// type's lines follow its parser (csv: a header line when the schema has `hasHeader`,
    /// then the values joined by the delimiter, quoted where needed; fastmatch: the text
    /// between placeholders; regex: the pattern's syntax), and each line is checked to read
    /// back as written.
    Gen(super::gen_cmd::GenArgs),
    /// Measure normalog on generated data: raw simd-json parse, parse stage, NDJSON and Parquet
    /// output.
    ///
    /// Prints MB/s, records/s and the ratio of each path to the raw simd-json tape parse of
    /// the same lines on the same threads. The data is generated in memory for the log types
    /// loaded (-s for your own schemas); to time your own files, run `normalog normalize
    /// --stats -o /dev/null FILE...` (or `--format parquet -o DIR`): --stats prints records/s
    /// and MB/s.
    Bench(super::bench::BenchArgs),
    /// Pull audit logs from a vendor API (Zendesk, Zoom), incrementally, into the outputs
    /// of normalize.
    ///
    /// Into a directory, each run adds part files of its own to the partitions it reaches:
    /// run from cron, the pulls leave many small files, which `normalog compact DIR`
    /// merges (nightly, say).
    #[cfg(feature = "pull")]
    #[command(subcommand)]
    Pull(super::pull::PullCommand),
    /// Merge the part files of each partition of a lake into one, in place.
    ///
    /// `normalog pull` run on a schedule adds files of its own to each partition at every
    /// run, so after months a partition holds many files of a few rows, which every query
    /// pays for. compact merges, in each partition directory, the files of each pull state
    /// (part-TAG-RUN-BATCH-N), and those of normalize runs from standard input (part-N),
    /// into one file under a new name, then removes the files it merged. The files of
    /// normalize runs with named inputs (part-ID-N) are left alone: a re-run of those
    /// inputs replaces exactly them. A pull's files are left alone while its staging
    /// directory (DIR/.pull-TAG/) exists: the pull is running, or was killed and its next
    /// run has not cleaned up yet.
    ///
    /// Safe beside other runs into DIR: it merges into hidden files while they go on,
    /// then commits each table in one step, waiting for their commits as they wait for
    /// its. Interrupted (Ctrl-C), the tables it committed stay compacted and the one in
    /// progress is left as it was (or, if its commit had started, completed); killed, it
    /// leaves hidden temporary files or the journal of its commit, which the next run into
    /// DIR (normalize, pull or compact) removes or completes. A reader that lists a
    /// partition in the moment between a merged file's arrival and the removal of the
    /// files it holds sees their rows twice.
    #[command(after_help = COMPACT_EXIT_CODES)]
    Compact(super::compact_cmd::CompactArgs),
}

const COMPACT_EXIT_CODES: &str = "\
Exit status:
  0    done (also when there was nothing to merge, or a pull's files were left for later)
  1    done, but some files could not be merged (a column of two types, a file that
       cannot be read): they are left as they are, and stderr says why
  2    fatal error: DIR is not a directory, no such table, an I/O error
  130  interrupted by SIGINT (143 SIGTERM, 129 SIGHUP): the merges it lists were
       committed, nothing else";

const TEST_EXIT_CODES: &str = "\
Exit status:
  0  every case passed (with --update: every failing case was rewritten)
  1  some cases failed (with --update: some could not be rewritten, in a file that cannot be
     written, or as no expectation makes them pass)
  2  a schema or test file could not be read or parsed (it is reported, and the other files'
     cases still run), no test case was found, or a case could not run (its log type is not
     loaded)";

/// `normalog test`.
#[derive(Debug, clap::Args)]
#[command(rename_all = "kebab-case")]
pub struct TestArgs {
    /// Test files, schema files or directories. Default: the built-in schemas and tests.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Schema file or directory, the same as giving it as PATH (normalize's flag, accepted
    /// here too). Repeatable.
    #[arg(short = 's', long = "schemas", value_name = "PATH")]
    pub schemas: Vec<PathBuf>,

    /// Rewrite the expected result of each failing case from the actual output, leaving the
    /// rest of the file as it is (p_row_id, p_parse_time and p_schema_version are left out;
    /// a rejected input gets `error:` with the reason). The report marks each rewritten case
    /// `upd` and says how many were rewritten in each file. A case that no expectation can
    /// make pass is left as it is, still fails, and is said on stderr: a case expects either
    /// events or a reject, so an input whose lines give both, or are rejected for different
    /// reasons, must be split into cases.
    #[arg(long)]
    pub update: bool,
}
