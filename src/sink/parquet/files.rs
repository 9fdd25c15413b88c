//! The part files of a [`ParquetWriter`](super::ParquetWriter): one open Parquet file
//! ([`ParquetPart`]), finishing files (alone or on threads at commit), and the bound on the
//! memory their unfinished row groups take.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::sync::mpsc::SyncSender;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use parquet::file::properties::WriterProperties;

use super::part::PartWriter;
use super::size::{SizeLog, SIZE_LAG};
use super::threads::{thread_stopped, ShardMsg};
use super::TableSpec;
use crate::error::{Error, ErrorKind};
use crate::sink::layout::{create_file, path_error, with_path, PartFile, Parts};
use crate::sink::parallel::parallel;

/// The writer of one open Parquet file (boxed: it is large, and moves between threads).
pub(super) type FileWriter = Box<PartWriter>;

/// One open Parquet file: written on this thread, or handed to a writer thread.
pub(super) enum ParquetPart {
    /// Written by the thread that owns the [`ParquetWriter`](super::ParquetWriter).
    Local(FileWriter),
    /// Owned by a writer thread ([`Shards`](super::threads::Shards)) until the threads stop;
    /// `id` names it there. The thread logs the file's size after each of the `writes`
    /// sent to it (for the target file size).
    Remote {
        id: u64,
        tx: SyncSender<ShardMsg>,
        size: Arc<SizeLog>,
        writes: u64,
    },
}

impl PartFile for ParquetPart {
    type Table = TableSpec;
    const EXT: &'static str = "parquet";

    fn open(file: File, table: &TableSpec) -> Result<Self, Error> {
        let w = PartWriter::new(
            BufWriter::with_capacity(1 << 16, file),
            Arc::clone(&table.schema),
            Arc::clone(&table.props),
        )
        .with_target(table.target);
        Ok(ParquetPart::Local(Box::new(w)))
    }

    fn size(&self) -> u64 {
        match self {
            ParquetPart::Local(w) => w.size_on_disk(),
            ParquetPart::Remote { size, writes, .. } => {
                SizeLog::after(size, writes.saturating_sub(SIZE_LAG))
            }
        }
    }

    fn finish(self) -> Result<(), Error> {
        match self {
            ParquetPart::Local(w) => finish_file(*w),
            // The writer thread finishes it, in order after the file's last batch; an
            // error there is returned when the threads stop.
            ParquetPart::Remote { id, tx, .. } => {
                tx.send(ShardMsg::Close(id)).map_err(|_| thread_stopped())
            }
        }
    }
}

/// A part file written whole from rows held back ([`super::pending`]): created (with its
/// directory) by the thread that writes it.
pub(super) struct WholeFile {
    pub(super) tmp: PathBuf,
    pub(super) schema: SchemaRef,
    pub(super) props: Arc<WriterProperties>,
    pub(super) batches: Vec<RecordBatch>,
}

impl WholeFile {
    /// Create the file and write it.
    pub(super) fn write(self) -> Result<(), Error> {
        let tmp = self.tmp;
        let file = create_file(&tmp).map_err(|e| path_error(&tmp, &e))?;
        crate::sink::layout::file_created();
        let w = PartWriter::whole(
            BufWriter::with_capacity(1 << 16, file),
            self.schema,
            self.props,
            self.batches,
        );
        finish_file(w).map_err(|e| with_path(&tmp, e))
    }
}

/// Write `files` on up to `threads` threads.
///
/// # Errors
///
/// The first error; the other threads stop after their current file.
pub(super) fn write_whole_files(files: Vec<WholeFile>, threads: usize) -> Result<(), Error> {
    parallel(files, threads, "normalog-parquet", WholeFile::write)
}

/// Write the footer and close.
pub(super) fn finish_file(w: PartWriter) -> Result<(), Error> {
    let out = w.finish().map_err(parquet_error)?;
    let file = out.into_inner().map_err(|e| Error::from(e.into_error()))?;
    drop(file);
    Ok(())
}

pub(super) fn parquet_error(e: parquet::errors::ParquetError) -> Error {
    match e {
        parquet::errors::ParquetError::External(e) => match e.downcast::<std::io::Error>() {
            Ok(io) => Error::from(*io),
            Err(e) => Error::new(ErrorKind::Sink(e)),
        },
        e => Error::new(ErrorKind::Sink(Box::new(e))),
    }
}

/// Finish `files` (write their last row group and footer) on up to `threads` threads: with
/// many hours open at the end of a run, this is where most of their last row groups are
/// encoded and compressed.
///
/// # Errors
///
/// The first error; the other threads stop after their current file.
pub(super) fn finish_files(
    mut files: Vec<(ParquetPart, PathBuf)>,
    threads: usize,
) -> Result<(), Error> {
    let finish =
        |(file, tmp): (ParquetPart, PathBuf)| file.finish().map_err(|e| with_path(&tmp, e));
    // Largest first, so that no thread is left alone with a big file at the end.
    files.sort_by_key(|(f, _)| {
        std::cmp::Reverse(match f {
            ParquetPart::Local(w) => w.in_progress_size(),
            ParquetPart::Remote { .. } => 0,
        })
    });
    parallel(files, threads, "normalog-parquet", finish)
}

/// The Arrow writers of the open files written on this thread.
pub(super) fn local_files(parts: &mut Parts<ParquetPart>) -> Vec<&mut FileWriter> {
    parts
        .open_files()
        .filter_map(|f| match f {
            ParquetPart::Local(w) => Some(w),
            ParquetPart::Remote { .. } => None,
        })
        .collect()
}

/// Flush the largest unfinished row group while all of them together hold more memory than
/// `budget`.
///
/// # Errors
///
/// The flush's error, with the index in `files` of the file that failed.
pub(super) fn bound_memory(
    mut files: Vec<&mut FileWriter>,
    budget: usize,
) -> Result<(), (usize, Error)> {
    loop {
        let mut total = 0usize;
        let mut largest: Option<(usize, usize)> = None;
        for (i, f) in files.iter().enumerate() {
            let size = f.memory_size();
            total += size;
            if largest.is_none_or(|(_, l)| l < size) {
                largest = Some((i, size));
            }
        }
        match largest {
            Some((i, size)) if total > budget && size > 0 => {
                files[i].flush().map_err(|e| (i, parquet_error(e)))?;
            }
            _ => return Ok(()),
        }
    }
}
