//! Small files written without the parquet crate's column writers: each column chunk is
//! one PLAIN data page (levels bit-packed or run-length encoded), compressed with zstd by a
//! compressor that lives as long as its thread, and the file's metadata is laid out by the
//! parquet crate's file writer ([`SerializedRowGroupWriter::append_column`](parquet::file::writer::SerializedRowGroupWriter::append_column)).
//!
//! Why: with `--partition hour`, a months-long archive becomes thousands of files of a few
//! dozen rows, and what a file costs beyond its rows dominates the run (issue 16). The
//! Arrow writer sets up, for every column chunk, a column writer, its encoders, a
//! dictionary, and a zstd compressor and decompressor; each zstd context asks the CPU for
//! its features (`cpuid`, microseconds on a virtual machine). Here a file of 77 rows costs
//! the encoding of its values, one `ZSTD_compress2` per column chunk on a reused context,
//! and its footer. With zstd on every column chunk (not only the large ones, as the Arrow
//! writer's settings of a small file had to), the files are also smaller.
//!
//! Which files: a whole file of fewer than [`MAX_ROWS`] rows, in a
//! table compressed with zstd or not at all, whose columns are all flat values (strings,
//! integers, floats, booleans, timestamps) or lists of them: the tables of every shipped
//! schema. Others (objects become Arrow structs; Snappy or gzip) go to the Arrow writer.
//! The Parquet schema is the Arrow writer's ([`ArrowSchemaConverter`]), so a reader sees
//! the same columns and types from either writer.

use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Schema, SchemaRef, TimeUnit};
use bytes::Bytes;
use parquet::arrow::ArrowSchemaConverter;
use parquet::basic::{Compression, Encoding};
use parquet::column::page::{CompressedPage, Page, PageWriter};
use parquet::column::writer::ColumnCloseResult;
use parquet::errors::{ParquetError, Result};
use parquet::file::metadata::ColumnChunkMetaData;
use parquet::file::properties::{WriterProperties, WriterPropertiesPtr};
use parquet::file::statistics::Statistics;
use parquet::file::writer::{SerializedFileWriter, SerializedPageWriter, TrackedWrite};
use parquet::schema::types::SchemaDescPtr;

use crate::event::P_EVENT_TIME;

/// Pages under this many bytes are stored as they are. Measured on the six-month archive
/// (`benches/lake_layouts.sh`, 12,963 files): compressing every page of at least 64 bytes
/// gives 89.8 MB, from 512 bytes 90.4 MB, from 2 KB 170 MB, none 295 MB; a zstd call on a
/// small page costs microseconds (its entropy tables are built for each page), so the
/// pages that would save a few dozen bytes are left alone.
const MIN_COMPRESS_BYTES: usize = 512;

/// How the values of a leaf column are laid out in a PLAIN page.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// Length-prefixed bytes (UTF-8 strings).
    Bytes,
    /// Bit-packed booleans.
    Bool,
    /// An Arrow `Int16` as Parquet's INT32.
    Int16,
    Int32,
    /// `Int64` and microsecond timestamps: INT64.
    Int64,
    Timestamp,
    Float64,
}

/// The value layout of a flat Arrow type, if this writer handles it.
fn kind(t: &DataType) -> Option<Kind> {
    Some(match t {
        DataType::Utf8 => Kind::Bytes,
        DataType::Boolean => Kind::Bool,
        DataType::Int16 => Kind::Int16,
        DataType::Int32 => Kind::Int32,
        DataType::Int64 => Kind::Int64,
        DataType::Timestamp(TimeUnit::Microsecond, _) => Kind::Timestamp,
        DataType::Float64 => Kind::Float64,
        _ => return None,
    })
}

/// The layout of each top-level column: its values' kind, and whether it is a list of them.
fn layout(schema: &Schema) -> Option<Vec<(Kind, bool)>> {
    schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::List(item) => kind(item.data_type()).map(|k| (k, true)),
            t => kind(t).map(|k| (k, false)),
        })
        .collect()
}

/// Files of at least this many rows go to the Arrow writer: its dictionaries and delta
/// encoding of integers and times beat PLAIN pages under zstd once a column chunk has
/// more than a few hundred values. Measured on the six-month archive with `--partition
/// day` (543 files of about 1,840 rows): 47.2 MB written here, 41.5 MB by the Arrow
/// writer; with `hour` (77 rows a file) 90.4 MB here, 107.0 MB by the Arrow writer.
pub(super) const MAX_ROWS: usize = 1000;

/// Whether a small file of `rows` rows of `schema` compressed with `codec` is written here.
pub(super) fn handles(schema: &Schema, codec: Compression, rows: usize) -> bool {
    rows < MAX_ROWS
        && matches!(codec, Compression::ZSTD(_) | Compression::UNCOMPRESSED)
        && layout(schema).is_some()
}

/// The file properties the file writer needs (what it writes in the footer).
fn file_props() -> WriterPropertiesPtr {
    static PROPS: OnceLock<WriterPropertiesPtr> = OnceLock::new();
    Arc::clone(PROPS.get_or_init(|| {
        Arc::new(
            WriterProperties::builder()
                .set_created_by(concat!("normalog ", env!("CARGO_PKG_VERSION")).to_owned())
                .build(),
        )
    }))
}

thread_local! {
    /// The zstd compressor of this thread, and its level.
    static ZSTD: RefCell<Option<(i32, zstd::bulk::Compressor<'static>)>> = const { RefCell::new(None) };
    /// The Parquet schema of the tables this thread wrote last (the Arrow schema kept
    /// alongside, so that its address is not reused while it is a key).
    static SCHEMAS: RefCell<Vec<(SchemaRef, SchemaDescPtr)>> = const { RefCell::new(Vec::new()) };
}

/// The Parquet schema of `schema`, converted once per thread.
fn parquet_schema(schema: &SchemaRef) -> Result<SchemaDescPtr> {
    SCHEMAS.with_borrow_mut(|known| {
        if let Some((_, d)) = known.iter().find(|(s, _)| Arc::ptr_eq(s, schema)) {
            return Ok(Arc::clone(d));
        }
        let descr = Arc::new(ArrowSchemaConverter::new().convert(schema)?);
        if known.len() >= 64 {
            known.remove(0);
        }
        known.push((Arc::clone(schema), Arc::clone(&descr)));
        Ok(descr)
    })
}

/// `data` compressed with zstd at `level` by this thread's compressor.
fn zstd_compress(level: i32, data: &[u8]) -> Result<Vec<u8>> {
    ZSTD.with_borrow_mut(|slot| {
        if slot.as_ref().is_none_or(|(l, _)| *l != level) {
            let c = zstd::bulk::Compressor::new(level)
                .map_err(|e| ParquetError::External(Box::new(e)))?;
            *slot = Some((level, c));
        }
        let Some((_, c)) = slot.as_mut() else {
            return Err(ParquetError::General("no zstd compressor".into()));
        };
        c.compress(data)
            .map_err(|e| ParquetError::External(Box::new(e)))
    })
}

/// The levels and values of one leaf column, gathered from every batch.
#[derive(Default)]
struct Leaf {
    rep: Vec<u8>,
    def: Vec<u8>,
    values: Vec<u8>,
    bools: Vec<bool>,
    /// Min and max of an INT64 column (for `p_event_time`'s statistics).
    range: Option<(i64, i64)>,
}

impl Leaf {
    /// Append value `i` of `array` (known to be valid).
    fn push(&mut self, kind: Kind, array: &dyn Array, i: usize) {
        match kind {
            Kind::Bytes => {
                let v = array.as_string::<i32>().value(i).as_bytes();
                // A string of an Arrow array with i32 offsets is under 2 GiB.
                let len = u32::try_from(v.len()).unwrap_or(u32::MAX);
                self.values.extend_from_slice(&len.to_le_bytes());
                self.values.extend_from_slice(v);
            }
            Kind::Bool => self.bools.push(array.as_boolean().value(i)),
            Kind::Int16 => {
                let v = i32::from(array.as_primitive::<Int16Type>().value(i));
                self.values.extend_from_slice(&v.to_le_bytes());
            }
            Kind::Int32 => {
                let v = array.as_primitive::<Int32Type>().value(i);
                self.values.extend_from_slice(&v.to_le_bytes());
            }
            Kind::Int64 | Kind::Timestamp => {
                let v = if kind == Kind::Int64 {
                    array.as_primitive::<Int64Type>().value(i)
                } else {
                    array.as_primitive::<TimestampMicrosecondType>().value(i)
                };
                self.values.extend_from_slice(&v.to_le_bytes());
                self.range = Some(match self.range {
                    Some((lo, hi)) => (lo.min(v), hi.max(v)),
                    None => (v, v),
                });
            }
            Kind::Float64 => {
                let v = array.as_primitive::<Float64Type>().value(i);
                self.values.extend_from_slice(&v.to_le_bytes());
            }
        }
    }

    /// Append the rows of a flat column whose defined values have level `max_def` (0:
    /// required, 1: optional).
    fn flat(&mut self, kind: Kind, array: &dyn Array, max_def: i16) -> Result<()> {
        for i in 0..array.len() {
            if array.is_valid(i) {
                if max_def > 0 {
                    self.def.push(1);
                }
                self.push(kind, array, i);
            } else if max_def > 0 {
                self.def.push(0);
            } else {
                return Err(ParquetError::General(
                    "a null in a column that is not nullable".into(),
                ));
            }
        }
        Ok(())
    }

    /// Append the rows of a list column (Parquet's three-level list): a null list is
    /// level 0, an empty one the list's own level, a null item one more, a value `max_def`.
    fn list(&mut self, kind: Kind, array: &dyn Array, nullable: bool, max_def: i16) -> Result<()> {
        let list = array.as_list::<i32>();
        let values = list.values().as_ref();
        let (list_def, item_null_def) = (u8::from(nullable), u8::from(nullable) + 1);
        let value_def = u8::try_from(max_def).unwrap_or(u8::MAX);
        let offsets = list.value_offsets();
        for row in 0..list.len() {
            if list.is_null(row) {
                if !nullable {
                    return Err(ParquetError::General(
                        "a null list in a column that is not nullable".into(),
                    ));
                }
                self.rep.push(0);
                self.def.push(0);
                continue;
            }
            let (start, end) = (to_index(offsets[row]), to_index(offsets[row + 1]));
            if start == end {
                self.rep.push(0);
                self.def.push(list_def);
                continue;
            }
            for j in start..end {
                self.rep.push(u8::from(j > start));
                if values.is_valid(j) {
                    self.def.push(value_def);
                    self.push(kind, values, j);
                } else if value_def > item_null_def {
                    self.def.push(item_null_def);
                } else {
                    return Err(ParquetError::General(
                        "a null item in a list whose items are not nullable".into(),
                    ));
                }
            }
        }
        Ok(())
    }
}

impl Leaf {
    /// The uncompressed page: repetition levels, definition levels, PLAIN values.
    fn page(&self, kind: Kind, max_def: i16, max_rep: i16) -> Vec<u8> {
        let mut page = Vec::with_capacity(self.values.len() + self.def.len() / 2 + 16);
        if max_rep > 0 {
            encode_levels(&mut page, &self.rep, max_rep);
        }
        if max_def > 0 {
            encode_levels(&mut page, &self.def, max_def);
        }
        if kind == Kind::Bool {
            for bits in self.bools.chunks(8) {
                page.push(
                    bits.iter()
                        .enumerate()
                        .fold(0u8, |byte, (k, &b)| byte | (u8::from(b) << k)),
                );
            }
        } else {
            page.extend_from_slice(&self.values);
        }
        page
    }
}

/// A size as the footer's `i64`.
fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// An Arrow offset (never negative) as an index.
fn to_index(offset: i32) -> usize {
    usize::try_from(offset).unwrap_or(0)
}

/// Append `v` as an unsigned LEB128 varint.
fn uleb(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v.to_le_bytes()[0] | 0x80);
        v >>= 7;
    }
    out.push(v.to_le_bytes()[0]);
}

/// Append `levels` (each at most `max`) as a data page v1 level block: a 4-byte length,
/// then the RLE/bit-packed hybrid: one run when all are equal, else bit-packed groups of 8.
fn encode_levels(out: &mut Vec<u8>, levels: &[u8], max: i16) {
    let width = 16 - max.leading_zeros() as usize;
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    match levels.first() {
        Some(&first) if levels.iter().all(|&l| l == first) => {
            uleb(out, (levels.len() as u64) << 1);
            out.push(first);
        }
        Some(_) => {
            let groups = levels.len().div_ceil(8);
            uleb(out, ((groups as u64) << 1) | 1);
            let mut acc: u64 = 0;
            let mut bits = 0;
            for k in 0..groups * 8 {
                acc |= u64::from(levels.get(k).copied().unwrap_or(0)) << bits;
                bits += width;
                while bits >= 8 {
                    out.push(acc.to_le_bytes()[0]);
                    acc >>= 8;
                    bits -= 8;
                }
            }
        }
        None => {}
    }
    let len = u32::try_from(out.len() - at - 4).unwrap_or(u32::MAX);
    out[at..at + 4].copy_from_slice(&len.to_le_bytes());
}

/// Write `batches` (all the rows of the file, fewer than a few thousand) to `out` as one
/// row group; see the module docs. `codec` is the table's (zstd or none: [`handles`]).
pub(super) fn write<W: std::io::Write + Send>(
    out: W,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    codec: Compression,
) -> Result<W> {
    let Some(layout) = layout(schema) else {
        return Err(ParquetError::General(
            "compact writer: unsupported column type".into(),
        ));
    };
    let descr = parquet_schema(schema)?;
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    // Every column chunk goes into one buffer, then each is appended from its offset.
    let mut sink = TrackedWrite::new(Vec::new());
    let mut chunks = Vec::with_capacity(layout.len());
    for (i, (field, &(kind, is_list))) in schema.fields().iter().zip(&layout).enumerate() {
        let column = descr.column(i);
        let (max_def, max_rep) = (column.max_def_level(), column.max_rep_level());
        let mut leaf = Leaf::default();
        for batch in batches {
            let array = batch.column(i).as_ref();
            if is_list {
                leaf.list(kind, array, field.is_nullable(), max_def)?;
            } else {
                leaf.flat(kind, array, max_def)?;
            }
        }
        let page = leaf.page(kind, max_def, max_rep);
        let levels = if max_rep > 0 || max_def > 0 {
            leaf.def.len()
        } else {
            rows
        };
        let raw_len = page.len();
        let (data, chunk_codec) = match codec {
            Compression::ZSTD(level) if raw_len >= MIN_COMPRESS_BYTES => {
                let packed = zstd_compress(level.compression_level(), &page)?;
                if packed.len() < raw_len {
                    (packed, codec)
                } else {
                    (page, Compression::UNCOMPRESSED)
                }
            }
            _ => (page, Compression::UNCOMPRESSED),
        };
        let num_values = u32::try_from(levels)
            .map_err(|_| ParquetError::General("too many values for one page".into()))?;
        let spec = SerializedPageWriter::new(&mut sink).write_page(CompressedPage::new(
            Page::DataPage {
                buf: Bytes::from(data),
                num_values,
                encoding: Encoding::PLAIN,
                def_level_encoding: Encoding::RLE,
                rep_level_encoding: Encoding::RLE,
                statistics: None,
            },
            raw_len,
        ))?;
        let mut encodings = vec![Encoding::PLAIN];
        if max_rep > 0 || max_def > 0 {
            encodings.push(Encoding::RLE);
        }
        let mut meta = ColumnChunkMetaData::builder(column)
            .set_encodings(encodings)
            .set_num_values(i64::from(num_values))
            .set_compression(chunk_codec)
            .set_total_compressed_size(to_i64(spec.compressed_size))
            .set_total_uncompressed_size(to_i64(spec.uncompressed_size))
            .set_data_page_offset(i64::try_from(spec.offset).unwrap_or(i64::MAX));
        if field.name() == P_EVENT_TIME && !is_list {
            if let Some((min, max)) = leaf.range {
                // Eight bytes a value.
                let nulls = rows.saturating_sub(leaf.values.len() / 8);
                meta = meta.set_statistics(Statistics::int64(
                    Some(min),
                    Some(max),
                    None,
                    Some(nulls as u64),
                    false,
                ));
            }
        }
        chunks.push((meta.build()?, spec.bytes_written));
    }
    let data = Bytes::from(sink.into_inner()?);
    let mut file = SerializedFileWriter::new(out, descr.root_schema_ptr(), file_props())?;
    let mut group = file.next_row_group()?;
    for (metadata, bytes_written) in chunks {
        group.append_column(
            &data,
            ColumnCloseResult {
                bytes_written,
                rows_written: rows as u64,
                metadata,
                bloom_filter: None,
                column_index: None,
                offset_index: None,
            },
        )?;
    }
    group.close()?;
    file.into_inner()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::builder::{ListBuilder, StringBuilder};
    use arrow_array::{
        ArrayRef, BooleanArray, Float64Array, Int16Array, Int32Array, Int64Array, StringArray,
        TimestampMicrosecondArray,
    };
    use arrow_schema::Field;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use parquet::arrow::arrow_writer::ArrowWriterOptions;
    use parquet::arrow::ArrowWriter;
    use parquet::basic::ZstdLevel;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    use super::*;

    /// A list of strings per row: `None` a null list, `Some(vec![])` an empty one, a
    /// `None` item a null item.
    fn lists(rows: &[Option<Vec<Option<&str>>>]) -> ArrayRef {
        let mut b = ListBuilder::new(StringBuilder::new());
        for row in rows {
            match row {
                None => b.append(false),
                Some(items) => {
                    for item in items {
                        b.values().append_option(*item);
                    }
                    b.append(true);
                }
            }
        }
        Arc::new(b.finish())
    }

    /// A batch with every kind of column this writer handles, nulls in each nullable one
    /// (rows `k`, shifted by `k`).
    fn batch(rows: usize, k: usize) -> RecordBatch {
        let null = |i: usize| (i + k) % 5 == 3;
        let n = |i: usize| i64::try_from(i + k).expect("small");
        let times: ArrayRef = Arc::new(
            TimestampMicrosecondArray::from_iter_values(
                (0..rows).map(|i| 1_700_000_000_000_000 + n(i) * 7_919),
            )
            .with_timezone("UTC"),
        );
        let text: ArrayRef = Arc::new(
            (0..rows)
                .map(|i| {
                    (!null(i)).then(|| format!("välue {} {}", i + k, "x".repeat((i + k) % 40)))
                })
                .collect::<StringArray>(),
        );
        let required: ArrayRef = Arc::new(StringArray::from_iter_values(
            (0..rows).map(|i| format!("{:032x}", i + k)),
        ));
        let flags: ArrayRef = Arc::new(
            (0..rows)
                .map(|i| (!null(i)).then_some((i + k).is_multiple_of(3)))
                .collect::<BooleanArray>(),
        );
        let small: ArrayRef = Arc::new(
            (0..rows)
                .map(|i| (!null(i)).then_some(i16::try_from(i + k).unwrap_or(0) - 300))
                .collect::<Int16Array>(),
        );
        let mid: ArrayRef = Arc::new(
            (0..rows)
                .map(|i| (!null(i)).then_some(i32::try_from(i + k).unwrap_or(0) * -65_537))
                .collect::<Int32Array>(),
        );
        let big: ArrayRef = Arc::new(
            (0..rows)
                .map(|i| (!null(i)).then_some(n(i) << 40))
                .collect::<Int64Array>(),
        );
        let float: ArrayRef = Arc::new(
            (0..rows)
                .map(|i| (!null(i)).then_some(f64::from(i32::try_from(i + k).unwrap_or(0)) / 3.0))
                .collect::<Float64Array>(),
        );
        let shapes: Vec<Option<Vec<Option<&str>>>> = (0..rows)
            .map(|i| match (i + k) % 4 {
                0 => None,
                1 => Some(vec![]),
                2 => Some(vec![Some("10.0.0.1"), None, Some("2001:db8::1")]),
                _ => Some(vec![Some("192.168.1.1")]),
            })
            .collect();
        let fields = vec![
            Field::new(P_EVENT_TIME, times.data_type().clone(), false),
            Field::new("text", DataType::Utf8, true),
            Field::new("required", DataType::Utf8, false),
            Field::new("flag", DataType::Boolean, true),
            Field::new("small", DataType::Int16, true),
            Field::new("mid", DataType::Int32, true),
            Field::new("big", DataType::Int64, true),
            Field::new("float", DataType::Float64, true),
            Field::new("p_any_ip_addresses", lists(&[]).data_type().clone(), true),
        ];
        RecordBatch::try_new(
            Arc::new(Schema::new(fields)),
            vec![
                times,
                text,
                required,
                flags,
                small,
                mid,
                big,
                float,
                lists(&shapes),
            ],
        )
        .expect("batch")
    }

    fn read_back(bytes: Vec<u8>) -> Vec<RecordBatch> {
        ParquetRecordBatchReaderBuilder::try_new(Bytes::from(bytes))
            .expect("reader")
            .build()
            .expect("reader")
            .collect::<std::result::Result<_, _>>()
            .expect("batches")
    }

    fn zstd() -> Compression {
        Compression::ZSTD(ZstdLevel::default())
    }

    /// The rows read back are the rows written, with the types the Arrow writer's files
    /// read back with: every kind, null and empty lists, null items, several batches.
    #[test]
    fn reads_back_as_the_arrow_writer_files_do() {
        let batches = [batch(700, 0), batch(3, 700), batch(250, 703)];
        let schema = batches[0].schema();
        assert!(handles(&schema, zstd(), 953));
        assert!(!handles(&schema, zstd(), MAX_ROWS));
        for codec in [zstd(), Compression::UNCOMPRESSED] {
            let ours = write(Vec::new(), &schema, &batches, codec).expect("write");
            let mut theirs = Vec::new();
            let options = ArrowWriterOptions::new().with_skip_arrow_metadata(true);
            let mut w =
                ArrowWriter::try_new_with_options(&mut theirs, Arc::clone(&schema), options)
                    .expect("arrow writer");
            for b in &batches {
                w.write(b).expect("write");
            }
            w.close().expect("close");
            let (ours, theirs) = (read_back(ours), read_back(theirs));
            let ours =
                arrow_select::concat::concat_batches(&ours[0].schema(), &ours).expect("concat");
            let theirs =
                arrow_select::concat::concat_batches(&theirs[0].schema(), &theirs).expect("concat");
            assert_eq!(ours, theirs);
            let input = arrow_select::concat::concat_batches(&schema, &batches).expect("concat");
            assert_eq!(ours.num_rows(), 953);
            for (i, column) in input.columns().iter().enumerate() {
                assert_eq!(
                    ours.column(i).to_data(),
                    column.to_data(),
                    "{}",
                    schema.field(i).name()
                );
            }
        }
    }

    /// zstd where a page is large enough, statistics only for `p_event_time`, one page per
    /// column chunk, no page index.
    #[test]
    fn compresses_large_pages_and_keeps_event_time_statistics() {
        let b = batch(80, 0);
        let bytes =
            write(Vec::new(), &b.schema(), std::slice::from_ref(&b), zstd()).expect("write");
        let reader = SerializedFileReader::new(Bytes::from(bytes)).expect("read");
        let meta = reader.metadata();
        assert_eq!(meta.file_metadata().num_rows(), 80);
        assert_eq!(
            meta.file_metadata().created_by(),
            Some(concat!("normalog ", env!("CARGO_PKG_VERSION")))
        );
        let rg = meta.row_group(0);
        for c in rg.columns() {
            let name = c.column_path().string();
            let raw = c.uncompressed_size();
            match c.compression() {
                Compression::ZSTD(_) => assert!(c.compressed_size() < raw, "{name}"),
                Compression::UNCOMPRESSED => {
                    assert!(
                        raw < 600 || name == "float",
                        "{name}: {raw} bytes left as they are"
                    );
                }
                other => panic!("{name}: {other:?}"),
            }
            assert!(c.column_index_offset().is_none(), "{name}");
            assert!(c.offset_index_offset().is_none(), "{name}");
            assert_eq!(c.statistics().is_some(), name == P_EVENT_TIME, "{name}");
        }
        // 80 strings of 32 characters: zstd.
        assert!(matches!(rg.column(2).compression(), Compression::ZSTD(_)));
        // 80 bits and levels: too small to compress.
        assert_eq!(rg.column(3).compression(), Compression::UNCOMPRESSED);
        let t = rg.column(0).statistics().expect("stats");
        let first = 1_700_000_000_000_000i64;
        assert_eq!(t.min_bytes_opt(), Some(&first.to_le_bytes()[..]));
        assert_eq!(
            t.max_bytes_opt(),
            Some(&(first + 79 * 7_919).to_le_bytes()[..])
        );
        assert_eq!(t.null_count_opt(), Some(0));
    }

    #[test]
    fn leaves_structs_and_other_codecs_to_the_arrow_writer() {
        let b = batch(2, 0);
        assert!(!handles(&b.schema(), Compression::SNAPPY, 2));
        let inner = Field::new("a", DataType::Utf8, true);
        let s = Schema::new(vec![Field::new(
            "obj",
            DataType::Struct(vec![inner].into()),
            true,
        )]);
        assert!(!handles(&s, zstd(), 2));
    }

    /// Levels of one value, of equal values (a run) and of mixed ones (bit-packed), as the
    /// hybrid encoding lays them out.
    #[test]
    fn encodes_levels_as_runs_or_bit_packed_groups() {
        let mut out = Vec::new();
        encode_levels(&mut out, &[1; 300], 1);
        assert_eq!(out, [3, 0, 0, 0, 0xd8, 0x04, 1]);
        out.clear();
        encode_levels(&mut out, &[1, 0, 1, 1, 0, 0, 0, 1, 1], 1);
        assert_eq!(out, [3, 0, 0, 0, 0b101, 0b1000_1101, 0b1]);
        out.clear();
        encode_levels(&mut out, &[3, 0, 2, 1], 3);
        assert_eq!(out, [3, 0, 0, 0, 0b11, 0b0110_0011, 0]);
    }
}
