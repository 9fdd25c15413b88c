//! The options of a [`ParquetWriter`](super::ParquetWriter): codec, row groups, open files,
//! and the memory bound, with their defaults.

use parquet::basic::{GzipLevel, ZstdLevel};

use crate::sink::layout::Partition;

/// Compression codec of the Parquet pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Compression {
    /// zstd at its default level (the default): small files, fast to read.
    #[default]
    Zstd,
    /// Snappy: faster to write, larger files.
    Snappy,
    /// gzip at its default level: for readers that know nothing else.
    Gzip,
    /// No compression.
    None,
}

impl Compression {
    pub(super) fn codec(self) -> parquet::basic::Compression {
        match self {
            Compression::Zstd => parquet::basic::Compression::ZSTD(ZstdLevel::default()),
            Compression::Snappy => parquet::basic::Compression::SNAPPY,
            Compression::Gzip => parquet::basic::Compression::GZIP(GzipLevel::default()),
            Compression::None => parquet::basic::Compression::UNCOMPRESSED,
        }
    }
}

/// Default rows per row group.
pub const DEFAULT_ROW_GROUP_ROWS: usize = 65_536;
/// Default limit on open part files.
pub const DEFAULT_MAX_OPEN_FILES: usize = 64;
/// Default limit on the bytes buffered by all open files' unfinished row groups.
pub const DEFAULT_MAX_BUFFERED_BYTES: usize = 256 << 20;

/// Options of a [`ParquetWriter`](super::ParquetWriter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Directory partitioning by event time (default: by hour).
    pub partition: Partition,
    /// Page compression (default: zstd).
    pub compression: Compression,
    /// Rows per row group (default [`DEFAULT_ROW_GROUP_ROWS`]; 0 is taken as 1).
    pub row_group_rows: usize,
    /// Part files open at once (default [`DEFAULT_MAX_OPEN_FILES`]; 0 is taken as 1). With
    /// writer threads ([`Batch::run_parquet`](crate::pipeline::Batch::run_parquet) with
    /// `threads(n)`, n ≥ 2) this bounds the files the writer keeps open; a file it closes is
    /// finished by its thread shortly after, so the process can briefly hold a few more.
    pub max_open_files: usize,
    /// Bytes of rows not written yet (default [`DEFAULT_MAX_BUFFERED_BYTES`]): half for
    /// the rows held back by partitions without an open file (the least recently used
    /// are written when they need more), half for the unfinished row groups of open
    /// files (the largest is flushed as a row group when they need more).
    pub max_buffered_bytes: usize,
}

impl Options {
    /// The part of [`max_buffered_bytes`](Self::max_buffered_bytes) for the rows held back
    /// by partitions not written yet ([`pending`](super::pending)); the rest is for the unfinished row
    /// groups of open files.
    pub(super) fn held_budget(&self) -> usize {
        self.max_buffered_bytes / 2
    }

    pub(super) fn row_group_budget(&self) -> usize {
        self.max_buffered_bytes - self.held_budget()
    }

    /// The memory the metadata of a file's row groups may take, which the parquet writer
    /// keeps until the file is closed: a quarter of the row groups' budget, and at least
    /// 64 MiB, so that a table of thousands of columns (15 MB a row group at 10,000) still
    /// gets files of a few row groups under a small bound.
    pub(super) fn metadata_limit(&self) -> usize {
        (self.row_group_budget() / 4).max(64 << 20)
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            partition: Partition::default(),
            compression: Compression::default(),
            row_group_rows: DEFAULT_ROW_GROUP_ROWS,
            max_open_files: DEFAULT_MAX_OPEN_FILES,
            max_buffered_bytes: DEFAULT_MAX_BUFFERED_BYTES,
        }
    }
}
