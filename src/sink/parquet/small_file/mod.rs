//! Small files written without the parquet crate's column writers: each column chunk is
//! one data page (levels bit-packed or run-length encoded; the values as a dictionary and
//! its indices, as deltas, as lengths and bytes, or PLAIN: `leaf.rs` chooses), compressed with zstd by a
//! compressor that lives as long as its thread, and the file's footer is written by
//! `footer.rs` from the parts of the parquet crate's footer that a table's files share.
//!
//! Why: with `--partition hour`, a months-long archive becomes thousands of files of a few
//! dozen rows, and what a file costs beyond its rows dominates the run (issue 16). The
//! Arrow writer sets up, for every column chunk, a column writer, its encoders, a
//! dictionary, and a zstd compressor and decompressor; each zstd context asks the CPU for
//! its features (`cpuid`, microseconds on a virtual machine). Here a file of 77 rows costs
//! the encoding of its values, at most one `ZSTD_compress2` per page on a reused context,
//! and its footer. zstd compresses pages of a few hundred values poorly (the entropy tables
//! it writes in each cost nearly what they save), so the encodings do most of the work:
//! strings that repeat (actions, types, versions) become one-byte-or-less indices, and
//! times and counters deltas of a few bits.
//!
//! Which files: a whole file of fewer than [`MAX_ROWS`] rows, in a
//! table compressed with zstd or not at all, whose columns are all flat values (strings,
//! integers, floats, booleans, timestamps) or lists of them: the tables of every shipped
//! schema. Others (objects become Arrow structs; Snappy or gzip) go to the Arrow writer.
//! The Parquet schema is the Arrow writer's ([`ArrowSchemaConverter`]), so a reader sees
//! the same columns and types from either writer.

use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

use arrow_array::RecordBatch;
use arrow_schema::{DataType, Schema, SchemaRef, TimeUnit};
use bytes::Bytes;
use parquet::arrow::ArrowSchemaConverter;
use parquet::basic::{Compression, Encoding};
use parquet::column::page::{CompressedPage, Page, PageWriteSpec, PageWriter};
use parquet::errors::{ParquetError, Result};
use parquet::file::properties::{WriterProperties, WriterPropertiesPtr};
use parquet::file::writer::{SerializedFileWriter, SerializedPageWriter, TrackedWrite};
use parquet::schema::types::SchemaDescPtr;

use crate::event::P_EVENT_TIME;

mod encode;
mod footer;
mod leaf;

use footer::{ChunkMeta, TableFooter};
use leaf::{Leaf, Pages};

/// Column chunks whose pages hold fewer bytes are stored as they are. Measured on the
/// six-month archive (`benches/lake_layouts.sh`, 12,963 files), when every page was PLAIN:
/// compressing every page of at least 64 bytes gave 89.8 MB, from 512 bytes 90.4 MB, from
/// 2 KB 170 MB, none 295 MB; a zstd call on a small page costs microseconds (its entropy
/// tables are built for each page), so the pages that would save a few dozen bytes are
/// left alone.
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

/// Files of at least this many rows go to the Arrow writer. Before this writer had
/// dictionaries and deltas, the Arrow writer's files were smaller from a few hundred rows
/// (with `--partition day`, 543 files of about 1,840 rows: 47.2 MB here, 41.5 MB by the
/// Arrow writer). With them, the day files are the same size either way (41.3 against
/// 41.4 MB) and took no less CPU, so larger files stay with the writer that splits pages
/// and row groups.
pub(super) const MAX_ROWS: usize = 1000;

/// Whether a small file of `rows` rows of `schema` compressed with `codec` is written here.
pub(super) fn handles(schema: &Schema, codec: Compression, rows: usize) -> bool {
    rows < MAX_ROWS
        && matches!(codec, Compression::ZSTD(_) | Compression::UNCOMPRESSED)
        && layout(schema).is_some()
}

/// The file properties the crate's file writer needs to write the footer parts that every file
/// of a table shares ([`table`]).
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
    /// The tables this thread wrote last (the Arrow schema kept alongside, so that its
    /// address is not reused while it is a key).
    static TABLES: RefCell<Vec<(SchemaRef, Arc<Table>)>> = const { RefCell::new(Vec::new()) };
}

/// What the files of a table share: the Parquet schema, and the footer's parts that do
/// not depend on the rows.
struct Table {
    descr: SchemaDescPtr,
    footer: TableFooter,
}

/// The table of `schema`, made once per thread.
fn table(schema: &SchemaRef) -> Result<Arc<Table>> {
    TABLES.with_borrow_mut(|known| {
        if let Some((_, t)) = known.iter().find(|(s, _)| Arc::ptr_eq(s, schema)) {
            return Ok(Arc::clone(t));
        }
        let descr = Arc::new(ArrowSchemaConverter::new().convert(schema)?);
        // The crate's footer of a file of no rows: its schema, `created_by` and column
        // orders are every file's.
        let empty = SerializedFileWriter::new(Vec::new(), descr.root_schema_ptr(), file_props())?
            .into_inner()?;
        let footer = empty
            .get(MAGIC.len()..empty.len().saturating_sub(8))
            .ok_or_else(|| ParquetError::General("small-file writer: no footer".into()))?;
        let t = Arc::new(Table {
            footer: TableFooter::new(footer, &descr)?,
            descr,
        });
        if known.len() >= 64 {
            known.remove(0);
        }
        known.push((Arc::clone(schema), Arc::clone(&t)));
        Ok(t)
    })
}

/// The first and last bytes of a Parquet file.
const MAGIC: &[u8; 4] = b"PAR1";

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

/// A size as the footer's `i64`.
fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// An offset in the file as the footer's `i64`.
fn offset(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The pages of a column chunk as the page writer takes them (the dictionary first), each
/// with its uncompressed length, and the chunk's codec: zstd when the table's codec is
/// zstd, the pages hold at least [`MIN_COMPRESS_BYTES`] and compressing makes them smaller
/// (a codec holds for every page of a chunk).
fn compress(
    pages: Pages,
    num_values: u32,
    codec: Compression,
) -> Result<(Vec<(Page, usize)>, Compression)> {
    let Pages {
        dictionary,
        data,
        encoding,
    } = pages;
    let (entries, mut bufs) = match dictionary {
        Some((values, entries)) => (Some(entries), vec![values, data]),
        None => (None, vec![data]),
    };
    let raw_lens: Vec<usize> = bufs.iter().map(Vec::len).collect();
    let raw_total: usize = raw_lens.iter().sum();
    let mut chunk_codec = Compression::UNCOMPRESSED;
    if let Compression::ZSTD(level) = codec {
        if raw_total >= MIN_COMPRESS_BYTES {
            let level = level.compression_level();
            let packed = bufs
                .iter()
                .map(|b| zstd_compress(level, b))
                .collect::<Result<Vec<_>>>()?;
            if packed.iter().map(Vec::len).sum::<usize>() < raw_total {
                (bufs, chunk_codec) = (packed, codec);
            }
        }
    }
    let mut bufs = bufs.into_iter().map(Bytes::from).zip(raw_lens);
    let mut out = Vec::with_capacity(2);
    // The dictionary's page comes first.
    if let Some((entries, (buf, raw_len))) = entries.and_then(|e| Some((e, bufs.next()?))) {
        let page = Page::DictionaryPage {
            buf,
            num_values: entries,
            encoding: Encoding::PLAIN,
            is_sorted: true,
        };
        out.push((page, raw_len));
    }
    let Some((buf, raw_len)) = bufs.next() else {
        return Err(ParquetError::General(
            "a column chunk without a data page".into(),
        ));
    };
    let page = Page::DataPage {
        buf,
        num_values,
        encoding,
        def_level_encoding: Encoding::RLE,
        rep_level_encoding: Encoding::RLE,
        statistics: None,
    };
    out.push((page, raw_len));
    Ok((out, chunk_codec))
}

/// Write `batches` (all the rows of the file, fewer than a few thousand) to `out` as one
/// row group; see the module docs. `codec` is the table's (zstd or none: [`handles`]).
pub(super) fn write<W: std::io::Write + Send>(
    mut out: W,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    codec: Compression,
) -> Result<W> {
    let table = table(schema)?;
    let (data, rows, chunks) = encode(&table.descr, schema, batches, codec)?;
    let mut footer = Vec::with_capacity(2048);
    table
        .footer
        .write(&mut footer, to_i64(rows), &chunks, to_i64(MAGIC.len()))?;
    let footer_len = u32::try_from(footer.len())
        .map_err(|_| ParquetError::General("small-file writer: footer too large".into()))?;
    out.write_all(MAGIC)?;
    out.write_all(&data)?;
    out.write_all(&footer)?;
    out.write_all(&footer_len.to_le_bytes())?;
    out.write_all(MAGIC)?;
    Ok(out)
}

/// The column chunks of `batches` one after the other, the rows, and what the footer
/// says of each chunk (offsets from the start of the chunks).
fn encode(
    descr: &SchemaDescPtr,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    codec: Compression,
) -> Result<(Vec<u8>, usize, Vec<ChunkMeta>)> {
    let Some(layout) = layout(schema) else {
        return Err(ParquetError::General(
            "small-file writer: unsupported column type".into(),
        ));
    };
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    // Every column chunk goes into one buffer.
    let mut sink = TrackedWrite::new(Vec::new());
    let mut chunks = Vec::with_capacity(layout.len());
    let mut leaf = Leaf::default();
    for (i, (field, &(kind, is_list))) in schema.fields().iter().zip(&layout).enumerate() {
        let column = descr.column(i);
        let (max_def, max_rep) = (column.max_def_level(), column.max_rep_level());
        leaf.clear();
        for batch in batches {
            let array = batch.column(i).as_ref();
            if is_list {
                leaf.list(kind, array, field.is_nullable(), max_def)?;
            } else {
                leaf.flat(kind, array, max_def)?;
            }
        }
        let levels = if max_rep > 0 || max_def > 0 {
            leaf.def.len()
        } else {
            rows
        };
        let num_values = u32::try_from(levels)
            .map_err(|_| ParquetError::General("too many values for one page".into()))?;
        let pages = leaf.pages(kind, max_def, max_rep);
        let mut encodings = vec![pages.encoding];
        if max_rep > 0 || max_def > 0 {
            encodings.push(Encoding::RLE);
        }
        if pages.dictionary.is_some() {
            encodings.push(Encoding::PLAIN);
        }
        let has_dictionary = pages.dictionary.is_some();
        let (pages, chunk_codec) = compress(pages, num_values, codec)?;
        let mut writer = SerializedPageWriter::new(&mut sink);
        let mut specs = Vec::with_capacity(2);
        for (page, raw_len) in pages {
            specs.push(writer.write_page(CompressedPage::new(page, raw_len))?);
        }
        let (Some(first), Some(last)) = (specs.first(), specs.last()) else {
            return Err(ParquetError::General("a column chunk without pages".into()));
        };
        let sum = |f: fn(&PageWriteSpec) -> usize| specs.iter().map(f).sum::<usize>();
        let statistics = if field.name() == P_EVENT_TIME && !is_list {
            leaf.int64_range()
                .map(|(min, max)| (min, max, to_i64(rows.saturating_sub(leaf.count()))))
        } else {
            None
        };
        chunks.push(ChunkMeta {
            encodings,
            codec: chunk_codec,
            num_values: i64::from(num_values),
            uncompressed: to_i64(sum(|s| s.uncompressed_size)),
            compressed: to_i64(sum(|s| s.compressed_size)),
            data_page_offset: offset(last.offset),
            dictionary_page_offset: has_dictionary.then(|| offset(first.offset)),
            statistics,
        });
    }
    Ok((sink.into_inner()?, rows, chunks))
}

#[cfg(test)]
mod tests;
