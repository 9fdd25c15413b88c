//! Part files of a table merged into one (`normalog compact`): the rows of each file in
//! the order given, with the columns of them all, written as the writer writes a part file
//! of that many rows (a small file by the compact writer, a large one in row groups, with
//! the table's statistics and encodings).
//!
//! Memory: one file's batch of [`READ_BATCH_ROWS`] rows at a time, and the writer's
//! unfinished row group.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{new_null_array, ArrayRef, RecordBatch};
use arrow_schema::{Field, Schema, SchemaRef};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression as Codec;

use super::files::parquet_error;
use super::part::PartWriter;
use super::{table_props, Compression, Options};
use crate::error::Error;
use crate::sink::arrow::arrow_error;
use crate::sink::layout::compact::MergeError;
use crate::sink::layout::{path_error, with_path};

/// Rows read from a file at a time.
const READ_BATCH_ROWS: usize = 8192;

/// Merge the Parquet part files `inputs` (in that order) into `out`; returns the rows.
/// `compression`: the codec of the merged file; `None` takes the files' own (the first
/// compressed column chunk's codec, zstd when none is compressed).
///
/// # Errors
///
/// [`MergeError::Refused`] when the files' columns cannot make one table: a column of two
/// types, or a column that cannot be null missing from some file.
/// [`MergeError::Failed`] when reading or writing fails.
pub fn merge_parquet(
    inputs: &[PathBuf],
    out: File,
    compression: Option<Compression>,
    row_group_rows: usize,
) -> Result<u64, MergeError> {
    let failed = |path: &Path, e: parquet::errors::ParquetError| {
        MergeError::Failed(with_path(path, parquet_error(e)))
    };
    let mut schemas = Vec::with_capacity(inputs.len());
    let mut codec = None;
    for path in inputs {
        let file = File::open(path).map_err(|e| MergeError::Failed(path_error(path, &e)))?;
        let builder =
            ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| failed(path, e))?;
        if codec.is_none() {
            codec = builder
                .metadata()
                .row_groups()
                .iter()
                .flat_map(parquet::file::metadata::RowGroupMetaData::columns)
                .map(parquet::file::metadata::ColumnChunkMetaData::compression)
                .find(|c| *c != Codec::UNCOMPRESSED);
        }
        schemas.push(Arc::clone(builder.schema()));
    }
    let schema = union(inputs, &schemas)?;
    let opts = Options {
        compression: compression.unwrap_or(match codec {
            Some(Codec::SNAPPY) => Compression::Snappy,
            Some(Codec::GZIP(_)) => Compression::Gzip,
            _ => Compression::Zstd,
        }),
        row_group_rows,
        ..Options::default()
    };
    let props = table_props(&opts, &schema, Vec::new());
    let mut writer = PartWriter::new(BufWriter::new(out), Arc::clone(&schema), props);
    let mut rows = 0u64;
    for path in inputs {
        let file = File::open(path).map_err(|e| MergeError::Failed(path_error(path, &e)))?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .and_then(|b| b.with_batch_size(READ_BATCH_ROWS).build())
            .map_err(|e| failed(path, e))?;
        for batch in reader {
            let batch = batch.map_err(|e| MergeError::Failed(with_path(path, arrow_error(e))))?;
            rows += batch.num_rows() as u64;
            let batch = project(&batch, &schema)
                .map_err(|e| MergeError::Failed(with_path(path, arrow_error(e))))?;
            writer.write(&batch).map_err(|e| failed(path, e))?;
        }
    }
    let fail_out = |e: Error| MergeError::Failed(e);
    let out = writer.finish().map_err(|e| fail_out(parquet_error(e)))?;
    let file = out
        .into_inner()
        .map_err(|e| fail_out(Error::from(e.into_error())))?;
    file.sync_all().map_err(|e| fail_out(Error::from(e)))?;
    Ok(rows)
}

/// The columns of the newest file (the last) then those only older files have, each of one
/// type in every file; a column missing from some file must take nulls.
fn union(inputs: &[PathBuf], schemas: &[SchemaRef]) -> Result<SchemaRef, MergeError> {
    let mut fields: Vec<Field> = Vec::new();
    for (path, schema) in inputs.iter().zip(schemas).rev() {
        for f in schema.fields() {
            match fields.iter_mut().find(|g| g.name() == f.name()) {
                Some(g) if g.data_type() != f.data_type() => {
                    return Err(MergeError::Refused(format!(
                        "column {:?} is {} in {} but {} in a later file",
                        f.name(),
                        f.data_type(),
                        path.display(),
                        g.data_type()
                    )));
                }
                Some(g) => {
                    if f.is_nullable() && !g.is_nullable() {
                        *g = g.clone().with_nullable(true);
                    }
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

/// `batch` with the columns of `schema`: its own by name, nulls for those it lacks.
fn project(
    batch: &RecordBatch,
    schema: &SchemaRef,
) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let columns: Vec<ArrayRef> = schema
        .fields()
        .iter()
        .map(|f| match batch.column_by_name(f.name()) {
            Some(c) => Arc::clone(c),
            None => new_null_array(f.data_type(), batch.num_rows()),
        })
        .collect();
    RecordBatch::try_new(Arc::clone(schema), columns)
}
