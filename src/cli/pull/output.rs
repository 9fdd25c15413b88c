//! The output options of `normalize` that apply to a pull, and opening that output.
#![allow(clippy::doc_markdown)] // doc comments of the args are --help text

use std::path::PathBuf;

use super::{config_err, fatal_to_config};
use crate::cli::normalize::{
    ndjson_options, CompressionArg, FormatArg, NormalizeArgs, PartitionArg, TimeFormatArg,
};
use crate::cli::output::{open_rejects, Output, OutputFile};
use normalog::pipeline::{self, Batch};
use normalog::pull::deliver::{self, Delivery, DirFormat, Target};
use normalog::pull::PullError;
use normalog::registry::Registry;
use normalog::sink::layout::Partition;
use normalog::sink::parquet;
use normalog::NormalizerBuilder;

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

    /// Also keep each API page as received, gzipped, as DIR/<field>/page-*.json.gz (field:
    /// audit_logs, activity_logs, operation_logs), for audit and for replay with normalize.
    /// Written with the records' batches: exactly once in DIR across crashes and reruns.
    #[arg(long, value_name = "DIR")]
    pub raw: Option<PathBuf>,

    /// No progress line, and rejected records are not reported one by one.
    #[arg(short, long)]
    pub quiet: bool,
}

impl PullOutputArgs {
    /// The same options as `normalize` flags, to share its checks and output set-up.
    pub(super) fn as_normalize(&self, log_types: &[&str]) -> NormalizeArgs {
        NormalizeArgs {
            inputs: Vec::new(),
            schemas: Vec::new(),
            log_types: log_types.iter().map(|t| (*t).to_owned()).collect(),
            output: self.output.clone(),
            format: self.format,
            partition: self.partition,
            row_group_rows: self.row_group_rows,
            target_file_size: crate::cli::output::FileSize::default(),
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

/// Open the output of a pull of `source` (`zendesk`, `zoom`) for `account`, checked as
/// normalize checks it (before any request): the delivery, with one stream per
/// `(envelope field, log type)`, and the rejects file.
pub(super) fn open(
    args: &PullOutputArgs,
    source: &str,
    account: &str,
    streams: &[(&str, &str)],
    interrupt: Option<&crate::cli::signals::Interrupt>,
) -> Result<(Delivery, Option<OutputFile>), PullError> {
    let log_types: Vec<&str> = streams.iter().map(|(_, t)| *t).collect();
    let nargs = args.as_normalize(&log_types);
    let output = Output::open(&nargs).map_err(fatal_to_config)?;
    let target = match output {
        Output::Stdout(s) => Target::Stream(Box::new(s)),
        Output::File(OutputFile::Atomic(f)) => Target::File(f),
        Output::File(OutputFile::InPlace(f)) => Target::Stream(Box::new(f)),
        Output::NdjsonDir(_) | Output::Parquet(_) => {
            let dir = nargs.output.clone().unwrap_or_default();
            let partition = Partition::from(nargs.partition.unwrap_or(PartitionArg::Hour));
            let format = if nargs.format == FormatArg::Parquet {
                DirFormat::Parquet(parquet::Options {
                    partition,
                    compression: nargs.compression.into(),
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
    let rejects = open_rejects(nargs.rejects.as_deref()).map_err(fatal_to_config)?;

    let mut batch = Batch::new();
    batch.max_record_bytes(nargs.max_record_bytes);
    if let Some(n) = nargs.threads {
        if n == 0 {
            return Err(config_err("--threads must be at least 1"));
        }
        batch.threads(n);
    }
    if let Some(i) = interrupt {
        batch.cancel_on(i.flag());
    }
    let mut delivery = Delivery::new(
        target,
        Registry::builtin(),
        ndjson_options(&nargs),
        deliver::tag(source, account),
    );
    if let Some(raw) = &args.raw {
        if raw.exists() && !raw.is_dir() {
            return Err(config_err(format!(
                "--raw {}: not a directory",
                raw.display()
            )));
        }
        delivery.raw(raw.clone());
    }
    for (envelope, log_type) in streams {
        let mut builder = NormalizerBuilder::new();
        builder
            .log_types([*log_type])
            .source_id(nargs.source_id.clone())
            .source_label(nargs.source_label.clone())
            .max_record_bytes(nargs.max_record_bytes);
        delivery.stream(envelope, builder, batch.clone());
    }
    Ok((delivery, rejects))
}
