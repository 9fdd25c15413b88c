//! The flags of `normalog normalize` ([`NormalizeArgs`]), their value types, and what the
//! values mean to the library (a [`Partition`], a Parquet codec, ndjson options); `pull`
//! takes part of them (`cli::pull::output`).
#![allow(clippy::doc_markdown)] // doc comments of the args are --help text

use std::path::PathBuf;

use clap::ValueEnum;

use crate::cli::output::FileSize;
use normalog::sink::layout::Partition;
use normalog::sink::ndjson::{self, TimeLayout};
use normalog::sink::parquet;

/// `normalog normalize`.
#[derive(Debug, clap::Args)]
#[command(rename_all = "kebab-case")]
#[allow(clippy::struct_excessive_bools)] // command-line switches, each its own
pub struct NormalizeArgs {
    /// Input files or directories; '-' or no INPUT reads standard input. A directory is
    /// every file under it, recursively, in sorted order, except hidden entries (names
    /// starting with '.'), the output directory, earlier runs' output directories and the
    /// files standard output and standard error go to. Each file is read once, however many
    /// paths reach it (given twice, inside a directory also given, behind a symbolic link),
    /// and a link back to a parent directory is not followed again; stderr says what was
    /// left out. An -o or --rejects file inside an input directory, where the next run would
    /// read it back, is refused (unless its name is hidden).
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Schema file or directory (searched recursively for *.yml / *.yaml, test files and
    /// hidden entries such as .github/ skipped; named pipes, sockets and devices in it left
    /// out with a warning). Repeatable; a file given twice (or also inside a directory
    /// given) is read once. A schema file is at most 4 MiB. Default: the built-in schemas.
    #[arg(short = 's', long = "schemas", value_name = "PATH")]
    pub schemas: Vec<PathBuf>,

    /// Load the built-in schemas (Zendesk.Audit, Zoom.Activity, Zoom.Operation) beside those
    /// of -s, to classify records among yours and theirs. Without -s they are loaded anyway.
    #[arg(long)]
    pub builtin: bool,

    /// Only try these log types. Repeatable. A record tries them in the order given, except
    /// that among JSON log types the one that accepted the previous JSON record of the same
    /// input goes first (see the command's description). Default: classify among all loaded log types.
    #[arg(short = 't', long = "log-type", value_name = "NAME")]
    pub log_types: Vec<String>,

    /// Where to write events. For NDJSON: a file (one stream, in input order, written under
    /// a hidden name and put in place when the run ends; gzip-compressed when its name ends
    /// in .gz, zstd when in .zst), '-' or nothing for standard output
    /// (written as the input comes), or a directory (an existing one, or a path ending in
    /// '/'), which gets the data-lake layout below. For Parquet: a directory, required.
    /// Directory layout: one table per log type, DIR/TABLE/ with TABLE the log type
    /// lower-cased, with '.' as '_' (Zendesk.Audit -> zendesk_audit, Custom.MyApp ->
    /// custom_myapp; two log types with one table name are refused), partitioned by
    /// --partition on the UTC event time, e.g.
    /// DIR/zendesk_audit/year=2023/month=7/day=1/hour=14/part-ID-0.parquet
    /// (ID from the inputs' identity, so that a re-run replaces its own files, and a run
    /// that reads again every input of an earlier run, unchanged (or compressed in place
    /// since, as --skip-loaded says), replaces that run's: a directory of logs that gained
    /// files is re-run without duplicates; standard input
    /// has no identity and writes part-N files).
    /// Files are written under temporary names (.part-*.tmp-*) and renamed only when the run
    /// completes. An interrupted run (SIGINT, SIGTERM, SIGHUP) removes its temporary files
    /// and commits nothing; one killed outright leaves hidden temporary files, which the
    /// next run into the directory removes (and says so), or, killed while renaming its
    /// files into place, part of them renamed, a commit the next run completes.
    #[arg(short = 'o', long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Output format: ndjson (one JSON object per line) or parquet (typed columns; needs
    /// -o DIR).
    #[arg(short = 'f', long, value_enum, default_value_t = FormatArg::Ndjson, value_name = "FORMAT")]
    pub format: FormatArg,

    /// Directory partitioning of a directory output, on the UTC p_event_time: hour
    /// (year=/month=/day=/hour=, numbers not zero-padded), day (year=/month=/day=) or none.
    /// Default: hour.
    #[arg(long, value_enum, value_name = "BY")]
    pub partition: Option<PartitionArg>,

    /// Directory output: close a part file once it is about SIZE on disk and go on in the
    /// partition's next part file (part-...-1, -2, ...), so that a large partition, or a
    /// whole table with --partition none, becomes files of about SIZE. SIZE is a number of
    /// bytes with an optional unit: K, M, G, T (or KiB, MiB, GiB, TiB: powers of 1024), KB,
    /// MB, GB, TB (powers of 1000); 'none' for no limit. Query engines read files of
    /// 128 MB to 1 GB best. A file passes SIZE by up to what a few MiB of input make (more
    /// with writer threads), so targets of a few MB come out larger; a Parquet file holds
    /// at least 8,192 rows whatever SIZE is. Default: 512MiB. Refused without a directory
    /// output.
    #[arg(long, value_name = "SIZE", value_parser = FileSize::parse)]
    pub target_file_size: Option<FileSize>,

    /// Directory output: skip the input files that a run still in DIR loaded, unchanged
    /// (the same file, size and modification time, even if moved or renamed, or downloaded
    /// again to the same path with its time kept, or compressed in place since by gzip or
    /// zstd as logrotate does, day1.jsonl.1.gz for day1.jsonl; also one it could read only
    /// in part, whose records would come twice), and read only the
    /// others, as a run of their own: appending the new files of a directory of
    /// logs without reading the old ones again. (Without it, a run that reads again every
    /// input of an earlier run replaces that run's files: the same rows, rewritten as one
    /// file per partition.)
    #[arg(long)]
    pub skip_loaded: bool,

    /// Directory output: let a re-run that rejects records remove the tables the earlier
    /// run of the same inputs (or a run it supersedes) had rows in and it writes none of.
    /// Without it such a commit is refused, the earlier files kept (exit 2): a wrong -s or
    /// -t that still accepts a few records would otherwise replace the lake's good tables.
    #[arg(long)]
    pub allow_dropped_tables: bool,

    /// Directory output: also replace an earlier run whose every input this run reads
    /// again at the same path, though the file changed since (it grew, was fixed, touched
    /// or downloaded again), when it is not smaller than it was. Without it such a run is
    /// kept and its rows are added again, with a warning, since a file rotated in place may
    /// no longer hold them. For files that are only appended to or rewritten whole; not for
    /// logs rotated in place (copytruncate, or rename and a new file at the path: once the
    /// new file outgrows the old, the old one's rows would go). Not with --skip-loaded.
    #[arg(long)]
    pub replace_changed: bool,

    /// Parquet: rows per row group. Default: 65536. Refused with NDJSON output.
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    pub row_group_rows: Option<usize>,

    /// Parquet: page compression. Default: zstd. In small files, column chunks under 1 KiB
    /// are stored uncompressed, and zstd chunks under 4 KiB as Snappy (smaller files, as
    /// fast to read). Refused with NDJSON output.
    #[arg(long, value_enum, value_name = "CODEC")]
    pub compression: Option<CompressionArg>,

    /// Directory output: files open at once; when more partitions are being written, the
    /// least recently used file is closed (a partition seen again gets a new part file).
    /// With Parquet writer threads (see --threads), a closed file is finished by its
    /// thread a little later, so a few more files than N can be open for a moment: keep
    /// N well under the open-files limit (ulimit -n). Default: 64. Refused without a
    /// directory output.
    #[arg(long, value_name = "N")]
    pub max_open_files: Option<usize>,

    /// Parquet: memory, in MiB, for rows not written yet. Half holds back the rows of
    /// partitions with fewer rows than a large file (8,192), so that each is written
    /// once, as one file. Past an eighth of that half, input in time order has the
    /// partitions it has moved on from written early; input out of time order (a shuffled
    /// archive), or in time order but past the whole half, has its rows spilled to hidden
    /// files under DIR/_normalog/spill and merged at the end, so that each partition is
    /// still one file (a partition written early that comes again is read back at the end
    /// and written again with its new rows; a large one, written as it came, gets a
    /// second part; --stats says both). The other half is for the unfinished row groups of
    /// open files (one is written early when they pass it, once it holds 1,024 rows or
    /// 64 MiB: a table of thousands of columns can take more, see README). Default: 256.
    /// Refused with NDJSON output.
    #[arg(long, value_name = "MIB", value_parser = at_least_one)]
    pub max_buffered_mib: Option<usize>,

    /// Write rejected records to this file as NDJSON objects {"source","record","index"
    /// (in an API page only),"field" (the envelope field, for a record found inside an API
    /// page or single-record response),"line","byte","column" (invalid JSON only: where it
    /// goes wrong),"reason","log_type","error","candidates" (when several log types were
    /// tried: ten at most),"candidates_more" (how many more were tried),"raw",
    /// "raw_truncated" (when raw was cut at 4096 bytes)} instead of reporting
    /// each on stderr. "record" is the record's 0-based index in its input (for a record of
    /// an API page, its index in the page, as "index"; "line" and "byte" find the page),
    /// "line" and "column" 1-based and "byte" a 0-based offset.
    #[arg(long, value_name = "PATH")]
    pub rejects: Option<PathBuf>,

    /// Stop with exit status 2 once more than N records were rejected (a safety valve for
    /// a misconfigured schema); output files are then not written (events already sent
    /// to standard output, or to a pipe given with -o, cannot be taken back), and
    /// --rejects holds the rejects reported so far. The count is checked as each chunk of
    /// input (about 1 MiB and at most 8,192 records; the elements of a larger API page
    /// come in chunks of their own) is done, so the run stops at the end of the chunk in
    /// which the limit was passed: more records than N may be read and rejected (the first
    /// N + 1 are reported), and that chunk's events still go to standard output. Default:
    /// no limit.
    #[arg(long, value_name = "N")]
    pub max_rejects: Option<u64>,

    /// Worker threads. With --format parquet and N >= 2 (the default on 2 or more cores),
    /// also min(N, --max-open-files) threads that encode and compress the Parquet files,
    /// each file on one of them. Default: one per core.
    #[arg(short = 'j', long, value_name = "N", value_parser = thread_count)]
    pub threads: Option<usize>,

    /// Field of the API responses to unwrap: an array of records (audit_logs,
    /// activity_logs) or one record (audit_log, from Zendesk's "show audit log"). An object
    /// without it is tried as a record; refused, it is rejected as `not_a_page`. Default:
    /// an object that no schema accepts is unwrapped when it holds the vendors' page field
    /// audit_logs, activity_logs or operation_logs (empty: a page without records, counted
    /// in --stats), or is {"audit_log":{...}}, and that field is no field of a schema tried;
    /// the pages of other APIs need this flag.
    /// A record refused inside an envelope is reported there ("field" in the rejects file).
    #[arg(long, value_name = "FIELD", value_parser = envelope_field)]
    pub envelope: Option<String>,

    /// A whole-document input (a JSON array, a pretty-printed page) is read whole up to
    /// this many bytes (a size, with units as --target-file-size: 64MiB); a larger one is
    /// read as NDJSON, line by line, and a note on stderr says so. --max-record-bytes
    /// applies to each record of a document read whole, not to the document.
    #[arg(long, value_name = "BYTES", default_value_t = normalog::pipeline::DEFAULT_MAX_DOCUMENT_BYTES, value_parser = byte_count)]
    pub max_document_bytes: usize,

    /// A gzip or zstd input may expand at most RATIO times its compressed size, once it has
    /// given 64 MiB (a decompression bomb is stopped there, the input reported as failed and
    /// the run goes on); 'none' for no limit. Logs compress 5 to 50 times; the same line
    /// repeated about 300 times with gzip -9 and 11,000 with zstd; a gzip bomb of zeros
    /// 1,000, a zstd one 32,000. Default: 500 for gzip, 20000 for zstd.
    #[arg(long, value_name = "RATIO", value_parser = expansion)]
    pub max_expansion: Option<Expansion>,

    /// Print a summary to stderr: records in, normalized per log type, rejected per reason,
    /// bytes, elapsed time, MB/s and records/s; with -o DIR/, the files written and their
    /// average rows, rows spilled to disk, files closed at --target-file-size, and warnings
    /// for extra parts of a partition and for tiny files (with a coarser --partition).
    #[arg(long)]
    pub stats: bool,

    /// How timestamps are written in NDJSON: rfc3339 (2023-07-01T14:00:00Z) or panther
    /// (2023-07-01 14:00:00.000000000, Panther's data-lake layout). Parquet has typed
    /// timestamp columns: panther with --format parquet is refused.
    #[arg(long, value_enum, default_value_t = TimeFormatArg::Rfc3339, value_name = "FORMAT")]
    pub time_format: TimeFormatArg,

    /// Value of p_source_id on every event.
    #[arg(long, value_name = "ID")]
    pub source_id: Option<String>,

    /// Value of p_source_label on every event.
    #[arg(long, value_name = "LABEL")]
    pub source_label: Option<String>,

    /// Records longer than this many bytes are rejected without being parsed (a size, with
    /// units as --target-file-size: 16MiB; at most 1GiB). A record takes up to some 40 times
    /// its size in memory while a worker thread parses it. A CSV header line is no record:
    /// it is read whatever this limit, if it ends within the input's first MiB.
    #[arg(long, value_name = "BYTES", default_value_t = normalog::parse::DEFAULT_MAX_RECORD_BYTES, value_parser = record_limit)]
    pub max_record_bytes: usize,

    /// Do not report each rejected record on stderr (they are still counted), show no
    /// progress bar (shown otherwise when stderr is a terminal), and print no notes: what a
    /// run into a directory replaced or skipped as loaded before, a schema file given as an
    /// input, standard input being a terminal. Warnings and errors are still printed.
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
    /// DIR/TABLE/part-*
    None,
    /// DIR/TABLE/year=YYYY/month=M/day=D/part-*
    Day,
    /// DIR/TABLE/year=YYYY/month=M/day=D/hour=H/part-*
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

impl From<PartitionArg> for Partition {
    fn from(by: PartitionArg) -> Partition {
        match by {
            PartitionArg::None => Partition::None,
            PartitionArg::Day => Partition::Day,
            PartitionArg::Hour => Partition::Hour,
        }
    }
}

impl From<CompressionArg> for parquet::Compression {
    fn from(codec: CompressionArg) -> parquet::Compression {
        match codec {
            CompressionArg::Zstd => parquet::Compression::Zstd,
            CompressionArg::Snappy => parquet::Compression::Snappy,
            CompressionArg::Gzip => parquet::Compression::Gzip,
            CompressionArg::None => parquet::Compression::None,
        }
    }
}

/// Timestamp layout of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TimeFormatArg {
    /// 2023-07-01T14:00:00Z, fractional digits only when not zero.
    Rfc3339,
    /// 2023-07-01 14:00:00.000000000 (UTC, 9 fractional digits).
    Panther,
}

pub(crate) fn ndjson_options(args: &NormalizeArgs) -> ndjson::Options {
    let mut options = ndjson::Options::default();
    options.time_layout = match args.time_format {
        TimeFormatArg::Rfc3339 => TimeLayout::Rfc3339,
        TimeFormatArg::Panther => TimeLayout::Panther,
    };
    options
}

/// The directory partitioning of `--partition` (default: by hour).
pub(crate) fn partition(args: &NormalizeArgs) -> Partition {
    Partition::from(args.partition.unwrap_or(PartitionArg::Hour))
}

/// The Parquet writer's options of a directory output, from the flags (`normalize` and
/// `pull` alike).
pub(crate) fn parquet_options(args: &NormalizeArgs) -> parquet::Options {
    parquet::Options {
        partition: partition(args),
        compression: args.compression.unwrap_or(CompressionArg::Zstd).into(),
        row_group_rows: args
            .row_group_rows
            .unwrap_or(normalog::sink::parquet::DEFAULT_ROW_GROUP_ROWS),
        max_open_files: max_open_files(args),
        max_buffered_bytes: args
            .max_buffered_mib
            .map_or(normalog::sink::parquet::DEFAULT_MAX_BUFFERED_BYTES, |mib| {
                mib.saturating_mul(1 << 20)
            }),
    }
}

/// The files a directory output keeps open at once (`--max-open-files`, or the default).
pub(crate) fn max_open_files(args: &NormalizeArgs) -> usize {
    args.max_open_files
        .unwrap_or(normalog::sink::parquet::DEFAULT_MAX_OPEN_FILES)
}

/// `--envelope`: a field's name. An empty one is refused here: no page has a field "", so
/// every page would be a reject (review finding: `--envelope ''` was taken).
pub(crate) fn envelope_field(s: &str) -> Result<String, String> {
    if s.is_empty() {
        Err(
            "the field name is empty: give the field that holds the records (audit_logs, \
             activity_logs), or leave --envelope out to find it"
                .into(),
        )
    } else {
        Ok(s.to_owned())
    }
}

/// A count of at least 1 (`--max-buffered-mib`, `--row-group-rows` of normalize, pull and
/// compact: one parser, so that they refuse 0 in the same words).
pub(crate) fn at_least_one(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// A number of bytes of at least 1, with an optional unit (`16MiB`, `10KB`: as
/// `--target-file-size`, without `none`).
pub(crate) fn byte_count(s: &str) -> Result<usize, String> {
    match crate::cli::output::parse_bytes(s)? {
        0 => Err("must be at least 1 byte".into()),
        n => usize::try_from(n).map_err(|_| format!("{s:?} is too large")),
    }
}

/// `--max-record-bytes`: a size of at least 1 byte and at most the library's ceiling.
pub(crate) fn record_limit(s: &str) -> Result<usize, String> {
    use normalog::parse::MAX_RECORD_BYTES_CEILING as CEILING;
    match byte_count(s)? {
        n if n > CEILING => Err(format!(
            "at most 1GiB ({CEILING} bytes): a record's strings are addressed with 32-bit offsets"
        )),
        n => Ok(n),
    }
}

/// `--max-expansion`: a ratio of at least 1, or no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Expansion(pub Option<u64>);

/// `--max-expansion`: `none`, or a whole number of at least 1 (`500`, `500x`).
pub(crate) fn expansion(s: &str) -> Result<Expansion, String> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("none") {
        return Ok(Expansion(None));
    }
    match s.strip_suffix(['x', 'X']).unwrap_or(s).parse::<u64>() {
        Ok(0) => Err("must be at least 1 (or 'none' for no limit)".into()),
        Ok(n) => Ok(Expansion(Some(n))),
        Err(_) => Err(format!("{s:?}: a whole number (500) or 'none'")),
    }
}

pub(crate) use normalog::pipeline::MAX_THREADS;

/// `--threads`: 1 to [`MAX_THREADS`].
pub(crate) fn thread_count(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) if n > MAX_THREADS => Err(format!("at most {MAX_THREADS}")),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}
