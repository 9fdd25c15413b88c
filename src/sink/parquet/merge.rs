//! Part files of a table merged into one (`normalog compact`): the rows of each file in
//! the order given, with the columns of them all, written as the writer writes a part file
//! of that many rows (a small file by the small-file writer, a large one in row groups, with
//! the table's statistics and encodings, and dictionaries chosen from a sample of the
//! rows as a run chooses them).
//!
//! Memory is bounded whatever the size of the records ([`Limits`]): the rows of the sample
//! (at most 32 MiB), then one batch at a time (8,192 rows, fewer when the file's rows are
//! large: about 8 MiB, as a file's first rows show, see [`Batches`]), and the writer's
//! unfinished row group, written out once it buffers 128 MiB (as `normalize` writes its
//! row groups early within its memory bound). Records of a MiB were merged in 1.2 GB before
//! these bounds, in 191 MB after. The merged files are cut at the target size, as
//! `normalize` cuts its part files.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{new_null_array, Array, ArrayRef, ListArray, RecordBatch, StructArray};
use arrow_schema::{DataType, Field, FieldRef, Fields, Schema, SchemaRef};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression as Codec;
use parquet::file::metadata::ParquetMetaData;
use parquet::file::properties::WriterProperties;

use super::dictionary::{unique_columns, DICTIONARY_MIN_ROWS};
use super::files::parquet_error;
use super::part::{table_props, PartWriter, MIN_ZSTD_BYTES};
use super::{Compression, Options};
use crate::error::Error;
use crate::sink::arrow::arrow_error;
use crate::sink::layout::merging::{MergeError, NextFile};
use crate::sink::layout::{path_error, with_path};

/// What bounds a merge's memory, whatever the size of the records.
#[derive(Debug, Clone, Copy)]
struct Limits {
    /// Rows read from a file at a time, at most.
    batch_rows: usize,
    /// About the bytes of a batch read from a file (from the file's own sizes before
    /// compression): files of records of a MiB are read a few rows at a time.
    batch_bytes: u64,
    /// The most bytes of the rows sampled to choose the dictionary columns.
    sample_bytes: usize,
    /// The memory held for a merged file's unfinished row group that gets it written out.
    row_group_bytes: usize,
}

impl Limits {
    const DEFAULT: Limits = Limits {
        batch_rows: 8192,
        batch_bytes: 8 << 20,
        sample_bytes: 32 << 20,
        // Half of `normalize`'s default memory bound, which it gives its unfinished row
        // groups.
        row_group_bytes: super::options::DEFAULT_MAX_BUFFERED_BYTES / 2,
    };

    /// Rows of a batch of about `batch_bytes` of rows as large in memory as those of
    /// `batch`, from 1 to `batch_rows`.
    fn rows_for(&self, batch: &RecordBatch) -> usize {
        let rows = batch.num_rows().max(1) as u64;
        let per_row = (batch.get_array_memory_size() as u64 / rows).max(1);
        usize::try_from(self.batch_bytes / per_row)
            .unwrap_or(self.batch_rows)
            .clamp(1, self.batch_rows)
    }

    /// Rows of a batch of about `batch_bytes` of the file's rows (their mean size before
    /// compression, a first guess: see [`Batches`]), from 1 to `batch_rows`.
    fn rows_per_batch(&self, meta: &ParquetMetaData) -> usize {
        let (rows, bytes) = meta.row_groups().iter().fold((0u64, 0u64), |(r, b), g| {
            let rows = u64::try_from(g.num_rows()).unwrap_or(0);
            let bytes = u64::try_from(g.total_byte_size()).unwrap_or(0);
            (r.saturating_add(rows), b.saturating_add(bytes))
        });
        let per_row = bytes.checked_div(rows).unwrap_or(0).max(1);
        usize::try_from(self.batch_bytes / per_row)
            .unwrap_or(self.batch_rows)
            .clamp(1, self.batch_rows)
    }
}

/// Merge the Parquet part files `inputs` (in that order) into files opened with `next`: the
/// next one once the current one is about `target` bytes on disk (checked between batches,
/// as `normalize` checks its part files; a file holds at least the rows it keeps before it
/// opens, 8,192); returns the rows of each. Memory stays bounded ([`Limits`]). `compression`: the codec of the merged files;
/// `None` takes the files' own, as their column chunks tell it ([`codec_of`]; zstd when
/// they are too small to tell).
///
/// # Errors
///
/// [`MergeError::Unreadable`] when a file cannot be read; [`MergeError::Refused`] when the
/// files' columns cannot make one table (a column of two types, a column that cannot be
/// null missing from a file).
/// [`MergeError::Failed`] when writing fails.
pub fn merge_parquet(
    inputs: &[PathBuf],
    target: Option<u64>,
    next: NextFile<'_>,
    compression: Option<Compression>,
    row_group_rows: usize,
) -> Result<Vec<u64>, MergeError> {
    merge_within(
        inputs,
        target,
        next,
        compression,
        row_group_rows,
        Limits::DEFAULT,
    )
}

/// [`merge_parquet`] within `limits`.
fn merge_within(
    inputs: &[PathBuf],
    target: Option<u64>,
    next: NextFile<'_>,
    compression: Option<Compression>,
    row_group_rows: usize,
    limits: Limits,
) -> Result<Vec<u64>, MergeError> {
    let unreadable = |path: &Path, e: &dyn std::fmt::Display| MergeError::Unreadable {
        path: path.to_path_buf(),
        reason: format!("{}: {e}", path.display()),
    };
    let mut schemas = Vec::with_capacity(inputs.len());
    let mut metas = Vec::with_capacity(inputs.len());
    for path in inputs {
        let file = File::open(path).map_err(|e| unreadable(path, &e))?;
        let builder =
            ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| unreadable(path, &e))?;
        schemas.push(Arc::clone(builder.schema()));
        metas.push(Arc::clone(builder.metadata()));
    }
    let schema = union(inputs, &schemas)?;
    let opts = Options {
        compression: compression
            .or_else(|| codec_of(&metas))
            .unwrap_or(Compression::Zstd),
        row_group_rows: row_group_rows.max(1),
        ..Options::default()
    };
    let mut batches = Batches::new(inputs, limits);
    // A sample of the first rows chooses the dictionary columns, as in a run.
    let mut sample = Vec::new();
    let (mut sampled, mut sample_bytes) = (0, 0);
    while sampled < DICTIONARY_MIN_ROWS && sample_bytes < limits.sample_bytes {
        let Some(batch) = batches.next(&schema).map_err(|(p, e)| unreadable(&p, &e))? else {
            break;
        };
        sampled += batch.num_rows();
        sample_bytes += batch.get_array_memory_size();
        sample.push(batch);
    }
    let plain = match arrow_select::concat::concat_batches(&schema, &sample) {
        Ok(all) if all.num_rows() >= DICTIONARY_MIN_ROWS => unique_columns(&all),
        _ => Vec::new(),
    };
    let props = table_props(&opts, &schema, plain);
    let mut out = Outputs {
        next,
        schema: &schema,
        props,
        target,
        metadata_limit: opts.metadata_limit(),
        row_group_bytes: limits.row_group_bytes,
        current: None,
        rows: Vec::new(),
    };
    for batch in sample {
        out.write(&batch)?;
    }
    while let Some(batch) = batches.next(&schema).map_err(|(p, e)| unreadable(&p, &e))? {
        out.write(&batch)?;
    }
    out.finish()
}

/// The merged files being written: the current one, cut at the target size.
struct Outputs<'a, 'n> {
    next: NextFile<'n>,
    schema: &'a SchemaRef,
    props: Arc<WriterProperties>,
    target: Option<u64>,
    /// A file is closed once its row groups' metadata would take more (`part.rs`).
    metadata_limit: usize,
    /// The bytes of the unfinished row group that get it written out.
    row_group_bytes: usize,
    /// The file being written and its rows.
    current: Option<(PartWriter, u64)>,
    /// The rows of the files finished.
    rows: Vec<u64>,
}

impl Outputs<'_, '_> {
    fn write(&mut self, batch: &RecordBatch) -> Result<(), MergeError> {
        if self.current.is_none() {
            let writer = self.open()?;
            self.current = Some((writer, 0));
        }
        let Some((writer, rows)) = &mut self.current else {
            return Ok(());
        };
        writer.write(batch).map_err(failed)?;
        *rows += batch.num_rows() as u64;
        // `size_on_disk` is u64::MAX for a file whose metadata is at its limit.
        if writer.size_on_disk() >= self.target.unwrap_or(u64::MAX) {
            self.close()?;
        } else if writer.memory_size() >= self.row_group_bytes {
            writer.flush().map_err(failed)?;
        }
        Ok(())
    }

    fn open(&mut self) -> Result<PartWriter, MergeError> {
        let file = (self.next)().map_err(MergeError::Failed)?;
        let writer = PartWriter::new(
            BufWriter::new(file),
            Arc::clone(self.schema),
            Arc::clone(&self.props),
        );
        Ok(writer
            .with_target(self.target)
            .with_metadata_limit(self.metadata_limit))
    }

    fn close(&mut self) -> Result<(), MergeError> {
        if let Some((writer, rows)) = self.current.take() {
            let file = writer
                .finish()
                .map_err(failed)?
                .into_inner()
                .map_err(|e| MergeError::Failed(Error::from(e.into_error())))?;
            file.sync_all()
                .map_err(|e| MergeError::Failed(Error::from(e)))?;
            self.rows.push(rows);
        }
        Ok(())
    }

    /// Finish the last file (a file of no rows when the inputs had none); the rows of each.
    fn finish(mut self) -> Result<Vec<u64>, MergeError> {
        if self.current.is_none() && self.rows.is_empty() {
            let writer = self.open()?;
            self.current = Some((writer, 0));
        }
        self.close()?;
        Ok(self.rows)
    }
}

fn failed(e: parquet::errors::ParquetError) -> MergeError {
    MergeError::Failed(parquet_error(e))
}

/// The batches of the input files one after the other, with the merged file's columns.
///
/// A file's first batch is at most [`PROBE_ROWS`] rows; the rows it holds in memory set the
/// batch size of the rest (`Limits::batch_bytes`), and a batch much over it sets it again.
/// The file's own sizes are only the first guess: a column of a few large values that
/// repeat is stored as a dictionary and an index a row, a few bytes, while every batch read
/// holds each value whole (two values of 250 KB alternating over 2,000 rows were read in
/// 500 MB before the probe: review finding).
struct Batches<'a> {
    inputs: std::slice::Iter<'a, PathBuf>,
    limits: Limits,
    current: Option<Reading<'a>>,
}

/// The file being read.
struct Reading<'a> {
    path: &'a Path,
    reader: parquet::arrow::arrow_reader::ParquetRecordBatchReader,
    /// Its rows read so far, its rows, and the rows of a batch.
    read: usize,
    rows: usize,
    batch_rows: usize,
}

/// The most rows of a file's first batch, read to learn what its rows take in memory.
const PROBE_ROWS: usize = 64;

impl<'a> Batches<'a> {
    fn new(inputs: &'a [PathBuf], limits: Limits) -> Self {
        Batches {
            inputs: inputs.iter(),
            limits,
            current: None,
        }
    }

    /// The next batch, with the columns of `schema`; or the file that could not be read.
    fn next(&mut self, schema: &SchemaRef) -> Result<Option<RecordBatch>, (PathBuf, Error)> {
        loop {
            if let Some(r) = &mut self.current {
                match r.reader.next() {
                    Some(Ok(batch)) => {
                        let path = r.path;
                        r.read += batch.num_rows();
                        let fit = self.limits.rows_for(&batch);
                        let first = r.read == batch.num_rows();
                        let resize =
                            (first && fit != r.batch_rows) || fit.saturating_mul(2) <= r.batch_rows;
                        if resize && r.read < r.rows {
                            r.reader = open(path, r.read, fit)?;
                            r.batch_rows = fit;
                        }
                        return conform_batch(&batch, schema)
                            .map(Some)
                            .map_err(|e| (path.to_path_buf(), arrow_error(e)));
                    }
                    Some(Err(e)) => return Err((r.path.to_path_buf(), arrow_error(e))),
                    None => self.current = None,
                }
            }
            let Some(path) = self.inputs.next() else {
                return Ok(None);
            };
            let (reader, batch_rows, rows) = File::open(path)
                .map_err(|e| path_error(path, &e))
                .and_then(|f| {
                    ParquetRecordBatchReaderBuilder::try_new(f)
                        .and_then(|b| {
                            let guess = self.limits.rows_per_batch(b.metadata());
                            let rows = b.metadata().file_metadata().num_rows();
                            let batch_rows = guess.min(PROBE_ROWS);
                            let reader = b.with_batch_size(batch_rows).build()?;
                            Ok((reader, batch_rows, usize::try_from(rows).unwrap_or(0)))
                        })
                        .map_err(|e| with_path(path, parquet_error(e)))
                })
                .map_err(|e| (path.clone(), e))?;
            self.current = Some(Reading {
                path,
                reader,
                read: 0,
                rows,
                batch_rows,
            });
        }
    }
}

/// A reader of the file `path` from its row `offset`, `batch_rows` rows at a time.
fn open(
    path: &Path,
    offset: usize,
    batch_rows: usize,
) -> Result<parquet::arrow::arrow_reader::ParquetRecordBatchReader, (PathBuf, Error)> {
    File::open(path)
        .map_err(|e| path_error(path, &e))
        .and_then(|f| {
            ParquetRecordBatchReaderBuilder::try_new(f)
                .and_then(|b| b.with_offset(offset).with_batch_size(batch_rows).build())
                .map_err(|e| with_path(path, parquet_error(e)))
        })
        .map_err(|e| (path.to_path_buf(), e))
}

/// The codec a table's files were written with, from their column chunks, when they tell:
/// small files compress only some chunks (none under 512 bytes; in a zstd table of nested
/// columns, Snappy under [`MIN_ZSTD_BYTES`]), large ones every chunk with the table's codec.
fn codec_of(metas: &[Arc<ParquetMetaData>]) -> Option<Compression> {
    let chunks = || {
        metas
            .iter()
            .flat_map(|m| m.row_groups())
            .flat_map(parquet::file::metadata::RowGroupMetaData::columns)
    };
    let large = |c: &&parquet::file::metadata::ColumnChunkMetaData| {
        usize::try_from(c.uncompressed_size()).is_ok_and(|n| n >= MIN_ZSTD_BYTES)
    };
    if chunks().any(|c| matches!(c.compression(), Codec::ZSTD(_))) {
        Some(Compression::Zstd)
    } else if chunks().any(|c| matches!(c.compression(), Codec::GZIP(_))) {
        Some(Compression::Gzip)
    } else if chunks()
        .filter(large)
        .any(|c| c.compression() == Codec::SNAPPY)
    {
        Some(Compression::Snappy)
    } else if chunks()
        .filter(large)
        .any(|c| c.compression() == Codec::UNCOMPRESSED)
    {
        Some(Compression::None)
    } else {
        None
    }
}

/// The columns of the newest file (the last) then those only older files have, each of one
/// type in every file (objects: the fields of them all); a column missing from some file
/// must take nulls.
fn union(inputs: &[PathBuf], schemas: &[SchemaRef]) -> Result<SchemaRef, MergeError> {
    let mut fields: Vec<Field> = Vec::new();
    for (path, schema) in inputs.iter().zip(schemas).rev() {
        for f in schema.fields() {
            match fields.iter_mut().find(|g| g.name() == f.name()) {
                Some(g) => {
                    let Some(merged) = merge_types(g.data_type(), f.data_type()) else {
                        return Err(MergeError::Refused(format!(
                            "column {:?} is {} in {} but {} in a later file",
                            f.name(),
                            f.data_type(),
                            path.display(),
                            g.data_type()
                        )));
                    };
                    let nullable = g.is_nullable() || f.is_nullable();
                    *g = g.clone().with_data_type(merged).with_nullable(nullable);
                }
                None => fields.push(f.as_ref().clone()),
            }
        }
    }
    for (path, schema) in inputs.iter().zip(schemas) {
        let missing = fields
            .iter()
            .find(|f| !f.is_nullable() && schema.field_with_name(f.name()).is_err());
        if let Some(f) = missing {
            return Err(MergeError::Refused(format!(
                "column {:?} cannot be null, and {} does not have it",
                f.name(),
                path.display()
            )));
        }
    }
    Ok(Arc::new(Schema::new(fields)))
}

/// The type that holds values of `newer` and `older`: the same type, or objects (and lists
/// of them) with the fields of both (those of one only may be null); `None` if there is
/// none.
fn merge_types(newer: &DataType, older: &DataType) -> Option<DataType> {
    match (newer, older) {
        (a, b) if a == b => Some(a.clone()),
        (DataType::Struct(a), DataType::Struct(b)) => {
            let mut fields: Vec<Field> = Vec::with_capacity(a.len().max(b.len()));
            for f in a {
                let field = match b.find(f.name()) {
                    Some((_, g)) => f
                        .as_ref()
                        .clone()
                        .with_data_type(merge_types(f.data_type(), g.data_type())?)
                        .with_nullable(f.is_nullable() || g.is_nullable()),
                    None => f.as_ref().clone().with_nullable(true),
                };
                fields.push(field);
            }
            for g in b {
                if a.find(g.name()).is_none() {
                    fields.push(g.as_ref().clone().with_nullable(true));
                }
            }
            Some(DataType::Struct(Fields::from(fields)))
        }
        (DataType::List(a), DataType::List(b)) => {
            let item = a
                .as_ref()
                .clone()
                .with_data_type(merge_types(a.data_type(), b.data_type())?)
                .with_nullable(a.is_nullable() || b.is_nullable());
            Some(DataType::List(Arc::new(item)))
        }
        _ => None,
    }
}

/// `batch` with the columns of `schema`: its own by name (objects with the fields of the
/// schema's), nulls for those it lacks.
fn conform_batch(
    batch: &RecordBatch,
    schema: &SchemaRef,
) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let columns = schema
        .fields()
        .iter()
        .map(|f| match batch.column_by_name(f.name()) {
            Some(c) => conform(c, f.data_type()),
            None => Ok(new_null_array(f.data_type(), batch.num_rows())),
        })
        .collect::<Result<Vec<ArrayRef>, _>>()?;
    RecordBatch::try_new(Arc::clone(schema), columns)
}

/// `array` as an array of `to` (a type [`merge_types`] made from its own).
fn conform(array: &ArrayRef, to: &DataType) -> Result<ArrayRef, arrow_schema::ArrowError> {
    if array.data_type() == to {
        return Ok(Arc::clone(array));
    }
    match to {
        DataType::Struct(fields) => {
            let s = array.as_struct();
            let children = fields
                .iter()
                .map(|f| match s.column_by_name(f.name()) {
                    Some(c) => conform(c, f.data_type()),
                    None => Ok(new_null_array(f.data_type(), s.len())),
                })
                .collect::<Result<Vec<ArrayRef>, _>>()?;
            Ok(Arc::new(StructArray::try_new(
                fields.clone(),
                children,
                s.nulls().cloned(),
            )?))
        }
        DataType::List(item) => {
            let l = array.as_list::<i32>();
            let values = conform(l.values(), item.data_type())?;
            Ok(Arc::new(ListArray::try_new(
                FieldRef::clone(item),
                l.offsets().clone(),
                values,
                l.nulls().cloned(),
            )?))
        }
        other => Err(arrow_schema::ArrowError::CastError(format!(
            "{} cannot be read as {other}",
            array.data_type()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use arrow_array::{StringArray, UInt32Array};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReader;
    use parquet::arrow::ArrowWriter;
    use parquet::file::metadata::RowGroupMetaData;

    use super::*;

    /// A part file of `rows` rows numbered from `first`, each with a text of `width` bytes
    /// that does not compress.
    fn part(path: &Path, first: u32, rows: u32, width: usize) {
        let mut state = u64::from(first) + 1;
        let mut text = |_| {
            (0..width)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1);
                    char::from(b'a' + u8::try_from(state >> 59).unwrap_or(0) % 26)
                })
                .collect::<String>()
        };
        let batch = RecordBatch::try_from_iter([
            (
                "n",
                Arc::new(UInt32Array::from_iter_values(first..first + rows)) as ArrayRef,
            ),
            (
                "text",
                Arc::new(StringArray::from_iter_values((0..rows).map(&mut text))) as ArrayRef,
            ),
        ])
        .expect("batch");
        let mut w = ArrowWriter::try_new(File::create(path).expect("create"), batch.schema(), None)
            .expect("writer");
        w.write(&batch).expect("write");
        w.close().expect("close");
    }

    /// Merge `inputs` within `limits` into files under `dir`; their metadata.
    fn merged(dir: &Path, inputs: &[PathBuf], limits: Limits) -> Vec<ParquetMetaData> {
        let mut outputs = Vec::new();
        let mut next = || {
            let path = dir.join(format!("merged-{}.parquet", outputs.len()));
            outputs.push(path.clone());
            File::create(path).map_err(Error::from)
        };
        merge_within(inputs, None, &mut next, None, 65_536, limits).expect("merge");
        outputs
            .iter()
            .map(|p| {
                let file = File::open(p).expect("open");
                let builder = ParquetRecordBatchReaderBuilder::try_new(file).expect("read");
                builder.metadata().as_ref().clone()
            })
            .collect()
    }

    /// Records of 10 KB are read a few at a time, and the merged file's row groups are
    /// written out once they buffer the limit's bytes, so memory does not grow with the
    /// records' size; every row is kept, in order.
    #[test]
    fn large_records_are_merged_within_the_limits() {
        let dir = tempfile::tempdir().expect("tempdir");
        let inputs: Vec<PathBuf> = (0..3)
            .map(|i| {
                let path = dir.path().join(format!("part-{i}.parquet"));
                part(&path, i * 60, 60, 10_000);
                path
            })
            .collect();
        let limits = Limits {
            batch_rows: 8192,
            batch_bytes: 64 << 10,
            sample_bytes: 128 << 10,
            row_group_bytes: 256 << 10,
        };
        let file = File::open(&inputs[0]).expect("open");
        let meta = ParquetRecordBatchReaderBuilder::try_new(file).expect("read");
        assert_eq!(limits.rows_per_batch(meta.metadata()), 6);

        let out = merged(dir.path(), &inputs, limits);
        assert_eq!(out.len(), 1);
        let groups: Vec<i64> = out[0]
            .row_groups()
            .iter()
            .map(RowGroupMetaData::num_rows)
            .collect();
        assert_eq!(groups.iter().sum::<i64>(), 180);
        assert!(groups.len() >= 6, "row groups of {groups:?}");
        assert!(groups.iter().all(|&n| n <= 32), "row groups of {groups:?}");
        let file = File::open(dir.path().join("merged-0.parquet")).expect("open");
        let numbers: Vec<u32> = ParquetRecordBatchReader::try_new(file, 1024)
            .expect("reader")
            .flat_map(|b| {
                let b = b.expect("batch");
                let n = b.column(0).as_primitive::<arrow_array::types::UInt32Type>();
                n.values().to_vec()
            })
            .collect();
        assert_eq!(numbers, (0..180).collect::<Vec<u32>>());
    }

    /// A column of few distinct large values is stored as a dictionary and an index a row,
    /// so the file's sizes say a few bytes a row while a batch read holds every value whole:
    /// the first batch (64 rows at most) sets the batch size of the rest. Review finding:
    /// two values of 250 KB alternating were read 8,192 rows at a time, in 500 MB.
    #[test]
    fn repeated_large_values_are_read_within_the_batch_bytes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("part-0.parquet");
        let values = ["a".repeat(10_000), "b".repeat(10_000)];
        let rows = 2_000u32;
        let batch = RecordBatch::try_from_iter([
            (
                "n",
                Arc::new(UInt32Array::from_iter_values(0..rows)) as ArrayRef,
            ),
            (
                "text",
                Arc::new(StringArray::from_iter_values(
                    (0..rows).map(|i| values[(i % 2) as usize].as_str()),
                )) as ArrayRef,
            ),
        ])
        .expect("batch");
        // Row groups of 300 rows: reading on from a row is reading on across them.
        let props = WriterProperties::builder()
            .set_max_row_group_row_count(Some(300))
            .build();
        let mut w = ArrowWriter::try_new(
            File::create(&path).expect("create"),
            batch.schema(),
            Some(props),
        )
        .expect("writer");
        w.write(&batch).expect("write");
        assert_eq!(w.close().expect("close").num_row_groups(), 7);
        let limits = Limits {
            batch_rows: 8192,
            batch_bytes: 64 << 10,
            sample_bytes: 128 << 10,
            row_group_bytes: 256 << 10,
        };
        let inputs = [path];
        let mut batches = Batches::new(&inputs, limits);
        let schema = batch.schema();
        let mut sizes = Vec::new();
        let mut numbers = Vec::new();
        while let Some(b) = batches.next(&schema).expect("read") {
            sizes.push((b.num_rows(), b.get_array_memory_size()));
            let n = b.column(0).as_primitive::<arrow_array::types::UInt32Type>();
            numbers.extend_from_slice(n.values());
        }
        assert_eq!(numbers, (0..rows).collect::<Vec<u32>>());
        assert!(sizes[0].0 <= PROBE_ROWS, "{sizes:?}");
        assert!(
            sizes[1..]
                .iter()
                .all(|&(_, bytes)| bytes as u64 <= 2 * limits.batch_bytes),
            "{sizes:?}"
        );
    }

    /// Small records keep the row limit: a batch is 8,192 rows, and a file of them stays
    /// one row group.
    #[test]
    fn small_records_keep_whole_batches_and_row_groups() {
        let dir = tempfile::tempdir().expect("tempdir");
        let inputs: Vec<PathBuf> = (0..2)
            .map(|i| {
                let path = dir.path().join(format!("part-{i}.parquet"));
                part(&path, i * 20_000, 20_000, 8);
                path
            })
            .collect();
        let file = File::open(&inputs[0]).expect("open");
        let meta = ParquetRecordBatchReaderBuilder::try_new(file).expect("read");
        assert_eq!(Limits::DEFAULT.rows_per_batch(meta.metadata()), 8192);
        let out = merged(dir.path(), &inputs, Limits::DEFAULT);
        let groups: Vec<i64> = out[0]
            .row_groups()
            .iter()
            .map(RowGroupMetaData::num_rows)
            .collect();
        assert_eq!(groups, [40_000]);
    }
}
