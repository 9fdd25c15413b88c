//! The output options of `normalize` that apply to a pull.
#![allow(clippy::doc_markdown)] // doc comments of the args are --help text

use std::path::PathBuf;

use crate::cli::normalize::{
    CompressionArg, FormatArg, NormalizeArgs, PartitionArg, TimeFormatArg,
};
use normalog::pipeline;
use normalog::sink::parquet;

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
    pub(super) fn as_normalize(&self, log_type: &str) -> NormalizeArgs {
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
