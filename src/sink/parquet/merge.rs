//! Part files of a table merged into one (`normalog compact`): the rows of each file in
//! the order given, with the columns of them all, written as the writer writes a part file
//! of that many rows (a small file by the compact writer, a large one in row groups, with
//! the table's statistics and encodings, and dictionaries chosen from a sample of the
//! rows as a run chooses them).
//!
//! Memory: the rows of the sample, then one batch of [`READ_BATCH_ROWS`] rows at a time,
//! and the writer's unfinished row group. The merged files are cut at the target size, as
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
use super::part::{PartWriter, MIN_ZSTD_BYTES};
use super::{table_props, Compression, Options};
use crate::error::Error;
use crate::sink::arrow::arrow_error;
use crate::sink::layout::compact::{MergeError, NextFile};
use crate::sink::layout::{path_error, with_path};

/// Rows read from a file at a time.
const READ_BATCH_ROWS: usize = 8192;

/// Merge the Parquet part files `inputs` (in that order) into files opened with `next`: the
/// next one once the current one is about `target` bytes on disk (checked between batches,
/// as `normalize` checks its part files; a file holds at least the rows it keeps before it
/// opens, 8,192); returns the rows of each. `compression`: the codec of the merged files;
/// `None` takes the files' own, as their column chunks tell it ([`codec_of`]; zstd when
/// they are too small to tell).
///
/// # Errors
///
/// [`MergeError::Refused`] when a file cannot be read, or the files' columns cannot make
/// one table (a column of two types, a column that cannot be null missing from a file).
/// [`MergeError::Failed`] when writing fails.
pub fn merge_parquet(
    inputs: &[PathBuf],
    target: Option<u64>,
    next: NextFile<'_>,
    compression: Option<Compression>,
    row_group_rows: usize,
) -> Result<Vec<u64>, MergeError> {
    let unreadable = |path: &Path, e: &dyn std::fmt::Display| {
        MergeError::Refused(format!("{}: {e}", path.display()))
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
    let mut batches = Batches::new(inputs);
    // A sample of the first rows chooses the dictionary columns, as in a run.
    let mut sample = Vec::new();
    let mut sampled = 0;
    while sampled < DICTIONARY_MIN_ROWS {
        let Some(batch) = batches.next(&schema).map_err(|(p, e)| unreadable(&p, &e))? else {
            break;
        };
        sampled += batch.num_rows();
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
        if self.target.is_some_and(|t| writer.size_on_disk() >= t) {
            self.close()?;
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
        Ok(writer.with_target(self.target))
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
struct Batches<'a> {
    inputs: std::slice::Iter<'a, PathBuf>,
    current: Option<(
        &'a Path,
        parquet::arrow::arrow_reader::ParquetRecordBatchReader,
    )>,
}

impl<'a> Batches<'a> {
    fn new(inputs: &'a [PathBuf]) -> Self {
        Batches {
            inputs: inputs.iter(),
            current: None,
        }
    }

    /// The next batch, with the columns of `schema`; or the file that could not be read.
    fn next(&mut self, schema: &SchemaRef) -> Result<Option<RecordBatch>, (PathBuf, Error)> {
        loop {
            if let Some((path, reader)) = &mut self.current {
                match reader.next() {
                    Some(Ok(batch)) => {
                        return conform_batch(&batch, schema)
                            .map(Some)
                            .map_err(|e| (path.to_path_buf(), arrow_error(e)));
                    }
                    Some(Err(e)) => return Err((path.to_path_buf(), arrow_error(e))),
                    None => self.current = None,
                }
            }
            let Some(path) = self.inputs.next() else {
                return Ok(None);
            };
            let reader = File::open(path)
                .map_err(|e| path_error(path, &e))
                .and_then(|f| {
                    ParquetRecordBatchReaderBuilder::try_new(f)
                        .and_then(|b| b.with_batch_size(READ_BATCH_ROWS).build())
                        .map_err(|e| with_path(path, parquet_error(e)))
                })
                .map_err(|e| (path.clone(), e))?;
            self.current = Some((path, reader));
        }
    }
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
