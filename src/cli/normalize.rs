//! `normalog normalize`: its arguments, the run (inputs through the pipeline into the
//! output), the reporting of rejects and progress, and `--stats`.
#![allow(clippy::doc_markdown)] // doc comments of the args are --help text

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::ValueEnum;

use super::output::{open_rejects, FileSize, Output, OutputFile, RejectsWriter};
use super::signals::Interrupt;
use super::{load_registry, messages, progress, Fatal, EXIT_OK, EXIT_REJECTS};
use normalog::pipeline::{self, Batch, Input, Observer, Progress, Reject, RunSummary};
use normalog::registry::Registry;
use normalog::sink::layout::Partition;
use normalog::sink::ndjson::{self, TimeLayout};
use normalog::sink::parquet;
use normalog::sink::Summary;
use normalog::NormalizerBuilder;

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
    /// event time, e.g. DIR/zendesk_audit/year=2023/month=7/day=1/hour=14/part-0.parquet.
    /// Files are written under temporary names (.part-*.tmp-*) and renamed only when the run
    /// completes. An interrupted run (SIGINT, SIGTERM, SIGHUP) removes its temporary files
    /// and commits nothing; one killed outright leaves only hidden temporary files, which
    /// the next run into the directory removes (and says so).
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
    /// 128 MB to 1 GB best. A Parquet file holds at least 8,192 rows whatever SIZE is.
    #[arg(long, value_name = "SIZE", default_value = "512MiB", value_parser = FileSize::parse)]
    pub target_file_size: FileSize,

    /// Parquet: rows per row group.
    #[arg(long, value_name = "N", default_value_t = normalog::sink::parquet::DEFAULT_ROW_GROUP_ROWS)]
    pub row_group_rows: usize,

    /// Parquet: page compression.
    #[arg(long, value_enum, default_value_t = CompressionArg::Zstd, value_name = "CODEC")]
    pub compression: CompressionArg,

    /// Directory output: files open at once; when more partitions are being written, the
    /// least recently used file is closed (a partition seen again gets a new part file).
    /// With Parquet writer threads (see --threads), a closed file is finished by its
    /// thread a little later, so a few more files than N can be open for a moment: keep
    /// N well under the open-files limit (ulimit -n).
    #[arg(long, value_name = "N", default_value_t = normalog::sink::parquet::DEFAULT_MAX_OPEN_FILES)]
    pub max_open_files: usize,

    /// Parquet: memory, in MiB, for rows not written yet. Half holds back the rows of
    /// partitions with fewer rows than a large file (8,192), so that each is written
    /// once, as one file, even from input not in time order; when they need more, the
    /// least recently used are written early. Once a partition written so comes again (the
    /// input is not in time order), rows beyond this memory are spilled to hidden files
    /// under DIR/_normalog/spill and merged at the end, so that each partition is still one
    /// file (a partition written before that gets a second part; --stats says both). The
    /// other half is for the unfinished row groups of open files.
    #[arg(long, value_name = "MIB", default_value_t = normalog::sink::parquet::DEFAULT_MAX_BUFFERED_BYTES >> 20)]
    pub max_buffered_mib: usize,

    /// Write rejected records to this file as NDJSON objects {"source","record","index"
    /// (in an API page only),"field" (the envelope field, for a record found inside an API
    /// page or single-record response),"line","byte","column" (invalid JSON only: where it
    /// goes wrong),"reason","log_type","error","candidates" (when several log types were
    /// tried),"raw","raw_truncated" (when raw was cut at 4096 bytes)} instead of reporting
    /// each on stderr. "record" is the record's 0-based index in its input, "line" and
    /// "column" 1-based and "byte" a 0-based offset.
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

    /// Field of the API responses to unwrap: an array of records (audit_logs,
    /// activity_logs) or one record (audit_log, from Zendesk's "show audit log"). An object
    /// without it is tried as a record; refused, it is rejected as `not_a_page`. Default:
    /// an object that no schema accepts is unwrapped when it holds exactly one array of
    /// objects, or when its only field holds an object. A record refused inside an envelope
    /// is reported there ("field" in the rejects file).
    #[arg(long, value_name = "FIELD")]
    pub envelope: Option<String>,

    /// A whole-document input (a JSON array, a pretty-printed page) is read whole up to
    /// this many bytes; a larger one is read as NDJSON.
    #[arg(long, value_name = "BYTES", default_value_t = normalog::pipeline::DEFAULT_MAX_DOCUMENT_BYTES)]
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
    #[arg(long, value_name = "BYTES", default_value_t = normalog::parse::DEFAULT_MAX_RECORD_BYTES)]
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
    /// DIR/TABLE/year=YYYY/month=M/day=D/part-N.*
    Day,
    /// DIR/TABLE/year=YYYY/month=M/day=D/hour=H/part-N.*
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

pub(super) fn run(args: &NormalizeArgs, interrupt: Option<&Interrupt>) -> Result<u8, Fatal> {
    let mut config = NormalizeConfig::from_args(args)?;
    if let Some(i) = interrupt {
        config.batch.cancel_on(i.flag());
    }
    config.run(interrupt)
}

/// The `normalize` command ready to run: every flag checked, the schemas loaded, the inputs
/// listed and the outputs opened. Raw flags stay in [`NormalizeArgs`]; this is what they
/// mean (ripgrep's split of raw and validated arguments, `flags/{lowargs,hiargs}.rs`).
struct NormalizeConfig {
    registry: Registry,
    builder: NormalizerBuilder,
    inputs: Vec<Input>,
    batch: Batch,
    ndjson: ndjson::Options,
    output: Output,
    rejects: Option<OutputFile>,
    quiet: bool,
    stats: bool,
    max_rejects: Option<u64>,
}

/// An output file (`-o FILE`, `--rejects FILE`) that is also an input would be replaced by
/// the run's results, losing the input: refuse it before anything is opened.
fn refuse_overwriting_inputs(args: &NormalizeArgs, inputs: &[Input]) -> Result<(), Fatal> {
    let outputs = [
        ("-o", args.output.as_deref()),
        ("--rejects", args.rejects.as_deref()),
    ];
    for (flag, out) in outputs {
        let Some(out) = out.filter(|p| p.as_os_str() != "-") else {
            continue;
        };
        for input in inputs {
            if let Input::Path(p) = input {
                if same_file(p, out) {
                    return Err(Fatal::Message(format!(
                        "{flag} {}: this file is also an input; the run would overwrite it",
                        out.display()
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Whether two paths name the same existing file (through symbolic or hard links too).
#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Whether two paths name the same existing file (through symbolic links).
#[cfg(not(unix))]
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

impl NormalizeConfig {
    /// Check `args` and open the outputs, in this order: schemas and log types, inputs,
    /// `--threads`, the output, the rejects file. The first problem ends the command before
    /// any input is read.
    fn from_args(args: &NormalizeArgs) -> Result<NormalizeConfig, Fatal> {
        let registry = load_registry(&args.schemas)?;
        let mut builder = NormalizerBuilder::new();
        builder
            .log_types(args.log_types.iter().cloned())
            .source_id(args.source_id.clone())
            .source_label(args.source_label.clone())
            .max_record_bytes(args.max_record_bytes);
        // Check the log types now, for a clear message; the workers build their own.
        builder.build(&registry).map_err(|e| {
            let known: Vec<&str> = registry.log_types().collect();
            Fatal::Message(format!("{e} (loaded log types: {})", known.join(", ")))
        })?;

        let inputs: Vec<Input> = if args.inputs.is_empty() {
            vec![Input::Stdin]
        } else {
            pipeline::expand(&args.inputs)
        };

        refuse_overwriting_inputs(args, &inputs)?;
        let mut batch = Batch::new();
        batch
            .max_record_bytes(args.max_record_bytes)
            .max_document_bytes(args.max_document_bytes)
            .envelope(args.envelope.clone())
            .max_rejects(args.max_rejects);
        if let Some(n) = args.threads {
            if n == 0 {
                return Err(Fatal::Message("--threads must be at least 1".into()));
            }
            batch.threads(n);
        }
        let mut output = Output::open(args)?;
        if let Some(id) = run_id(&inputs) {
            match &mut output {
                Output::Parquet(w) => w.set_run_id(id),
                Output::NdjsonDir(w) => w.set_run_id(id),
                Output::Stdout(_) | Output::File(_) => {}
            }
        }
        let rejects = open_rejects(args.rejects.as_deref())?;
        Ok(NormalizeConfig {
            registry,
            builder,
            inputs,
            batch,
            ndjson: ndjson_options(args),
            output,
            rejects,
            quiet: args.quiet,
            stats: args.stats,
            max_rejects: args.max_rejects,
        })
    }

    /// Normalize every input into the output, report, and commit the outputs; returns the
    /// exit status.
    fn run(mut self, interrupt: Option<&Interrupt>) -> Result<u8, Fatal> {
        let mut rejects = self.rejects.take();
        let mut observer = CliObserver {
            rejects: rejects.as_mut().map(RejectsWriter::new),
            quiet: self.quiet,
            bar: progress::Bar::new(self.inputs.len(), self.quiet),
        };

        let started = Instant::now();
        let run = self.batch_run(&mut observer).map_err(|e| match e {
            Fatal::Interrupted(what) if matches!(self.output, Output::Stdout(_)) => {
                Fatal::Interrupted(format!(
                    "{what}; the events written to standard output so far are incomplete"
                ))
            }
            e => e,
        })?;
        observer.bar.finish();
        if let Some(w) = observer.rejects.take() {
            w.finish()?;
        }
        drop(observer);
        // The rejects file is kept even when the run stops on --max-rejects: it says why.
        if let Some(r) = rejects {
            r.commit()?;
        }
        if run.too_many_rejects {
            if self.stats {
                print_stats(
                    &run.summary,
                    run.failed_inputs,
                    started.elapsed().as_secs_f64(),
                );
            }
            // The output is incomplete: its temporary files are removed, not renamed. Standard
            // output cannot be taken back: say so.
            let what = if matches!(self.output, Output::Stdout(_)) {
                "the events written to standard output so far are incomplete"
            } else {
                "no output written"
            };
            drop(self.output);
            return Err(Fatal::Message(format!(
                "stopped: more than {} records rejected (--max-rejects); {what}",
                self.max_rejects.unwrap_or_default()
            )));
        }
        let output_files = self.output_files();
        let rotated = self.rotated_files();
        let spilled = match &self.output {
            Output::Parquet(w) => w.spilled_rows(),
            _ => 0,
        };
        self.output.commit()?;
        // After the commit: it writes the partitions held back, and finishes the open files.
        if self.stats {
            print_stats(
                &run.summary,
                run.failed_inputs,
                started.elapsed().as_secs_f64(),
            );
            if let Some((files, extra, partition)) = output_files {
                print_file_stats(files, extra, run.summary.normalized, partition);
            }
            if spilled > 0 {
                messages::plain(&format!(
                    "  {spilled} rows spilled to disk and merged at the end, for one file per \
                     partition: in the order the input came, its partitions did not fit in \
                     --max-buffered-mib"
                ));
            }
            if let Some(rotated) = rotated.filter(|&n| n > 0) {
                messages::plain(&format!(
                    "  {rotated} files closed at --target-file-size, the partition going on \
                     in its next part"
                ));
            }
        }
        if interrupt.is_some_and(Interrupt::fired) {
            // Too late to stop: the output was complete, and committing is never left half
            // done. Still reported, so that a script sees the interrupt.
            return Err(Fatal::Interrupted(
                "the run had finished: its output is complete and committed".into(),
            ));
        }
        Ok(if run.summary.rejected > 0 || run.failed_inputs > 0 {
            EXIT_REJECTS
        } else {
            EXIT_OK
        })
    }

    /// Part files written (opened: every opened file is written), the extra ones among
    /// them (a partition's second part and later) and the partitioning, for a directory
    /// output.
    fn output_files(&self) -> Option<(u64, u64, Partition)> {
        match &self.output {
            Output::Parquet(w) => Some((w.files_opened(), w.extra_files(), w.options().partition)),
            Output::NdjsonDir(w) => Some((w.files_opened(), w.extra_files(), w.partition())),
            Output::Stdout(_) | Output::File(_) => None,
        }
    }

    /// Part files closed at the target size, for a directory output.
    fn rotated_files(&self) -> Option<u64> {
        match &self.output {
            Output::Parquet(w) => Some(w.rotated_files()),
            Output::NdjsonDir(w) => Some(w.rotated_files()),
            Output::Stdout(_) | Output::File(_) => None,
        }
    }

    /// The pipeline run into the output, whichever it is.
    fn batch_run(&mut self, observer: &mut CliObserver<'_>) -> Result<RunSummary, Fatal> {
        let (builder, registry, inputs) = (&self.builder, &self.registry, &self.inputs);
        Ok(match &mut self.output {
            Output::Parquet(w) => self
                .batch
                .run_parquet(builder, registry, inputs, w, observer)?,
            Output::NdjsonDir(w) => self
                .batch
                .run_ndjson_dir(builder, registry, inputs, w, observer)?,
            Output::Stdout(_) | Output::File(_) => {
                let mut writer = BufWriter::with_capacity(1 << 20, self.output.writer());
                let run = self.batch.run_ndjson(
                    builder,
                    registry,
                    inputs,
                    &mut writer,
                    self.ndjson,
                    observer,
                )?;
                writer.flush()?;
                run
            }
        })
    }
}

/// The identity of a run's inputs, which names its part files in a directory output so that
/// re-running the same inputs replaces them (see `normalog::sink::layout`, "Re-running"):
/// each input's absolute path, size and modification time, in sorted order. `None` when an
/// input has no such identity (standard input), or cannot be looked at: the run then adds
/// files beside the others.
fn run_id(inputs: &[Input]) -> Option<u64> {
    let mut ids = Vec::with_capacity(inputs.len());
    for input in inputs {
        let Input::Path(path) = input else {
            return None;
        };
        let path = std::fs::canonicalize(path).ok()?;
        let meta = std::fs::metadata(&path).ok()?;
        let mtime = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        let mut id = path.as_os_str().as_encoded_bytes().to_vec();
        id.extend_from_slice(&meta.len().to_le_bytes());
        id.extend_from_slice(&mtime.as_nanos().to_le_bytes());
        ids.push(id);
    }
    if ids.is_empty() {
        return None;
    }
    ids.sort();
    Some(normalog::sink::layout::stable_hash(
        ids.iter().map(Vec::as_slice),
    ))
}

/// `1 input`, `2 inputs`.
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn print_stats(s: &Summary, failed_inputs: u64, secs: f64) {
    // Lines skipped on purpose are named only when there are some: the line keeps its shape
    // for JSON logs.
    let on_purpose = if s.skipped_lines > 0 {
        format!(
            ", {} skipped on purpose: skipLines/skipPrefix/header",
            count(s.skipped_lines, "line", "lines")
        )
    } else {
        String::new()
    };
    messages::plain(&format!(
        "records: {} in, {} normalized, {} rejected ({} skipped{on_purpose}{})",
        s.records,
        s.normalized,
        s.rejected,
        count(s.blank_lines, "blank line", "blank lines"),
        if failed_inputs > 0 {
            format!(", {} failed", count(failed_inputs, "input", "inputs"))
        } else {
            String::new()
        }
    ));
    for (lt, n) in &s.by_log_type {
        messages::plain(&format!("  normalized {lt}: {n}"));
    }
    for (reason, n) in &s.rejects_by_reason {
        messages::plain(&format!("  rejected {reason}: {n}"));
    }
    #[allow(clippy::cast_precision_loss)]
    let (mb, recs) = (s.bytes as f64 / 1e6, s.records as f64);
    let secs = secs.max(1e-9);
    messages::plain(&format!(
        "bytes: {}, elapsed: {:.3} s, {:.1} MB/s, {:.0} records/s",
        s.bytes,
        secs,
        mb / secs,
        recs / secs
    ));
}

/// Average rows per part file under which `--stats` warns that the files are too small.
const TINY_FILE_ROWS: u64 = 1000;
/// Files a run must write before `--stats` warns about their size (a sample of a few
/// records makes small files, and that is fine).
const TINY_FILES_MIN: u64 = 100;

/// `--stats` for a directory output: files written, rows per file, and a warning with a
/// coarser layout when files are tiny (each file costs time, a footer and an engine's
/// open, whatever its rows; see README "Choosing a layout").
fn print_file_stats(files: u64, extra: u64, rows: u64, partition: Partition) {
    let average = rows.checked_div(files).unwrap_or(0);
    messages::plain(&format!(
        "files: {files} written, {average} rows per file on average"
    ));
    if extra > 0 {
        messages::error(&format!(
            "warning: {extra} of the {files} files are extra parts of a partition: it was \
             written before its last rows came, to keep within --max-buffered-mib (Parquet) \
             or --max-open-files, and the partition came again (input not in time order); \
             raise them, or sort the input by time, for one file per partition"
        ));
    }
    let coarser = match partition {
        Partition::Hour => "--partition day",
        Partition::Day => "--partition none",
        _ => return,
    };
    if files >= TINY_FILES_MIN && average < TINY_FILE_ROWS {
        messages::error(&format!(
            "warning: {files} files of {average} rows on average: files this small cost \
             more to write, store and read than their rows; {coarser} makes fewer, larger \
             files (README: Choosing a layout)"
        ));
    }
}

/// Reports rejects on stderr or into the rejects file.
struct CliObserver<'f> {
    rejects: Option<RejectsWriter<'f>>,
    quiet: bool,
    bar: progress::Bar,
}

impl Observer for CliObserver<'_> {
    fn rejected(&mut self, reject: &Reject<'_>) -> io::Result<()> {
        if let Some(w) = &mut self.rejects {
            w.write(reject)?;
        } else if !self.quiet {
            let line = match (reject.index, reject.field) {
                (Some(i), Some(f)) => format!(
                    "{}: page element {i} of \"{f}\": {}",
                    reject.source, reject.error
                ),
                (Some(i), None) => format!("{}: page element {i}: {}", reject.source, reject.error),
                (None, Some(f)) => format!("{}: inside \"{f}\": {}", reject.source, reject.error),
                (None, None) => format!("{}: {}", reject.source, reject.error),
            };
            self.bar.suspend(|| messages::error(&line));
        }
        Ok(())
    }

    fn input_failed(&mut self, source: &str, err: &io::Error, records: u64) {
        let line =
            format!("{source}: {err} (after {records} records; going on with the next input)");
        self.bar.suspend(|| messages::error(&line));
    }

    fn progress(&mut self, progress: &Progress) {
        self.bar.update(progress);
    }
}

pub(super) fn ndjson_options(args: &NormalizeArgs) -> ndjson::Options {
    ndjson::Options {
        time_layout: match args.time_format {
            TimeFormatArg::Rfc3339 => TimeLayout::Rfc3339,
            TimeFormatArg::Panther => TimeLayout::Panther,
        },
    }
}
