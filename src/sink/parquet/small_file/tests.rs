//! The small-file writer's files read back as the Arrow writer's do, in every encoding it
//! chooses.

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
            .map(|i| (!null(i)).then(|| format!("välue {} {}", i + k, "x".repeat((i + k) % 40))))
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
    // Five values and nulls: a dictionary.
    let kinds: ArrayRef = Arc::new(
        (0..rows)
            .map(|i| {
                (!null(i)).then(|| ["login", "update", "delete", "create", "exportéd"][(i + k) % 5])
            })
            .collect::<StringArray>(),
    );
    // Numbers far apart: PLAIN (their deltas take as many bits as they do).
    let random: ArrayRef = Arc::new(Int64Array::from_iter_values((0..rows).map(|i| {
        // splitmix64's finalizer: neighbours far apart.
        let mut x = n(i).cast_unsigned().wrapping_mul(0x9e37_79b9_7f4a_7c15);
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        (x ^ (x >> 31)).cast_signed()
    })));
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
        Field::new("kind", DataType::Utf8, true),
        Field::new("random", DataType::Int64, false),
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
            kinds,
            random,
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

/// Each column's path and the encoding of its values: the dictionary's indices, deltas,
/// strings' deltas of lengths, or PLAIN.
fn value_encodings(bytes: &[u8]) -> Vec<(String, Encoding)> {
    let reader = SerializedFileReader::new(Bytes::copy_from_slice(bytes)).expect("read");
    let group = reader.metadata().row_group(0);
    group
        .columns()
        .iter()
        .map(|c| {
            let all: Vec<Encoding> = c.encodings().collect();
            let values = [
                Encoding::RLE_DICTIONARY,
                Encoding::DELTA_BINARY_PACKED,
                Encoding::DELTA_LENGTH_BYTE_ARRAY,
            ]
            .into_iter()
            .find(|e| all.contains(e))
            .unwrap_or(Encoding::PLAIN);
            assert_eq!(
                c.dictionary_page_offset().is_some(),
                values == Encoding::RLE_DICTIONARY
            );
            (c.column_path().string(), values)
        })
        .collect()
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
        let mut w = ArrowWriter::try_new_with_options(&mut theirs, Arc::clone(&schema), options)
            .expect("arrow writer");
        for b in &batches {
            w.write(b).expect("write");
        }
        w.close().expect("close");
        let expected = [
            (P_EVENT_TIME, Encoding::DELTA_BINARY_PACKED),
            ("text", Encoding::DELTA_LENGTH_BYTE_ARRAY),
            ("required", Encoding::DELTA_LENGTH_BYTE_ARRAY),
            ("flag", Encoding::PLAIN),
            ("small", Encoding::DELTA_BINARY_PACKED),
            ("mid", Encoding::DELTA_BINARY_PACKED),
            ("big", Encoding::DELTA_BINARY_PACKED),
            ("float", Encoding::PLAIN),
            ("p_any_ip_addresses.list.item", Encoding::RLE_DICTIONARY),
            ("kind", Encoding::RLE_DICTIONARY),
            ("random", Encoding::PLAIN),
        ];
        let got = value_encodings(&ours);
        assert_eq!(
            got,
            expected.map(|(name, e)| (name.to_owned(), e)),
            "{codec:?}"
        );
        let (ours, theirs) = (read_back(ours), read_back(theirs));
        let ours = arrow_select::concat::concat_batches(&ours[0].schema(), &ours).expect("concat");
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
    let bytes = write(Vec::new(), &b.schema(), std::slice::from_ref(&b), zstd()).expect("write");
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
                // Random bits (the floats' mantissas, `random`) do not compress.
                assert!(
                    raw < 600 || name == "float" || name == "random",
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

/// Integers whose deltas overflow their type: each delta wraps as the readers add it, so
/// the extremes of INT32 and INT64 take a few bits and read back as they were.
#[test]
fn deltas_of_extreme_integers_wrap_and_read_back() {
    let rows = 200;
    let mid: ArrayRef = Arc::new(Int32Array::from_iter_values((0..rows).map(|i| {
        if i % 2 == 0 {
            i32::MIN
        } else {
            i32::MAX
        }
    })));
    let big: ArrayRef = Arc::new(Int64Array::from_iter_values((0..rows).map(|i| {
        if i % 2 == 0 {
            i64::MIN
        } else {
            i64::MAX
        }
    })));
    let small: ArrayRef = Arc::new(Int16Array::from_iter_values((0..rows).map(|i| {
        if i % 3 == 0 {
            i16::MIN
        } else {
            i16::MAX
        }
    })));
    let schema = Arc::new(Schema::new(vec![
        Field::new("mid", DataType::Int32, false),
        Field::new("big", DataType::Int64, false),
        Field::new("small", DataType::Int16, false),
    ]));
    let b = RecordBatch::try_new(Arc::clone(&schema), vec![mid, big, small]).expect("batch");
    for codec in [zstd(), Compression::UNCOMPRESSED] {
        let bytes = write(Vec::new(), &schema, std::slice::from_ref(&b), codec).expect("write");
        let got = value_encodings(&bytes);
        assert!(
            got.iter().all(|(_, e)| *e == Encoding::DELTA_BINARY_PACKED),
            "{got:?}"
        );
        let back = read_back(bytes);
        assert_eq!(back.len(), 1);
        assert_eq!(back[0], b);
    }
}

/// A column of one repeated string, and one of a single row: a dictionary of one entry,
/// and the string alone (a dictionary cannot pay for itself).
#[test]
fn dictionaries_of_one_entry_and_single_values() {
    for rows in [1, 2, 77] {
        let same: ArrayRef = Arc::new(StringArray::from_iter_values(std::iter::repeat_n(
            "Zoom.Activity",
            rows,
        )));
        let schema = Arc::new(Schema::new(vec![Field::new(
            "p_log_type",
            DataType::Utf8,
            false,
        )]));
        let b = RecordBatch::try_new(Arc::clone(&schema), vec![same]).expect("batch");
        let bytes = write(Vec::new(), &schema, std::slice::from_ref(&b), zstd()).expect("write");
        let want = if rows == 1 {
            Encoding::DELTA_LENGTH_BYTE_ARRAY
        } else {
            Encoding::RLE_DICTIONARY
        };
        assert_eq!(value_encodings(&bytes), [("p_log_type".to_owned(), want)]);
        assert_eq!(read_back(bytes), [b]);
    }
}

/// The entries of the first column's dictionary page, and the page's `is_sorted` flag.
fn dictionary_entries(bytes: Vec<u8>) -> (Vec<Vec<u8>>, bool) {
    let reader = SerializedFileReader::new(Bytes::from(bytes)).expect("read");
    let group = reader.get_row_group(0).expect("row group");
    let mut pages = group.get_column_page_reader(0).expect("pages");
    let Some(Page::DictionaryPage { buf, is_sorted, .. }) = pages.get_next_page().expect("page")
    else {
        panic!("no dictionary page first");
    };
    let mut entries = Vec::new();
    let mut rest = &buf[..];
    while let Some((len, tail)) = rest.split_first_chunk::<4>() {
        let (value, tail) = tail.split_at(u32::from_le_bytes(*len) as usize);
        entries.push(value.to_vec());
        rest = tail;
    }
    (entries, is_sorted)
}

/// A dictionary lists its strings in byte order (and says so), whatever order the rows
/// come in; the indices follow, so the rows read back as written.
#[test]
fn dictionaries_are_sorted_and_indices_follow() {
    let words = [
        "update", "Zoë", "create", "", "delete", "ßeta", "create", "update",
    ];
    let values: StringArray = (0..80)
        .map(|i| (i % 7 != 3).then_some(words[(i * 5) % words.len()]))
        .collect();
    let schema = Arc::new(Schema::new(vec![Field::new("kind", DataType::Utf8, true)]));
    let b = RecordBatch::try_new(Arc::clone(&schema), vec![Arc::new(values)]).expect("batch");
    for codec in [zstd(), Compression::UNCOMPRESSED] {
        let bytes = write(Vec::new(), &schema, std::slice::from_ref(&b), codec).expect("write");
        assert_eq!(
            value_encodings(&bytes),
            [("kind".to_owned(), Encoding::RLE_DICTIONARY)]
        );
        let (entries, is_sorted) = dictionary_entries(bytes.clone());
        let mut want: Vec<Vec<u8>> = words.iter().map(|w| w.as_bytes().to_vec()).collect();
        want.sort();
        want.dedup();
        assert_eq!(entries, want);
        assert!(is_sorted);
        assert_eq!(read_back(bytes), std::slice::from_ref(&b));
    }
}

/// Strings without a dictionary (`DELTA_LENGTH_BYTE_ARRAY`): empty ones, long ones,
/// multi-byte characters and nulls read back as written; a column of nulls only has no
/// values to encode.
#[test]
fn distinct_strings_of_every_length_read_back() {
    let texts: StringArray = (0..300)
        .map(|i: usize| match i % 6 {
            0 => None,
            1 => Some(String::new()),
            2 => Some("ü".repeat(i * 7)),
            _ => Some(format!("{i}-{}", "x".repeat(i % 50))),
        })
        .collect();
    let nulls: StringArray = (0..300).map(|_| None::<&str>).collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("text", DataType::Utf8, true),
        Field::new("nothing", DataType::Utf8, true),
    ]));
    let b = RecordBatch::try_new(Arc::clone(&schema), vec![Arc::new(texts), Arc::new(nulls)])
        .expect("batch");
    for codec in [zstd(), Compression::UNCOMPRESSED] {
        let bytes = write(Vec::new(), &schema, std::slice::from_ref(&b), codec).expect("write");
        assert_eq!(
            value_encodings(&bytes),
            [
                ("text".to_owned(), Encoding::DELTA_LENGTH_BYTE_ARRAY),
                ("nothing".to_owned(), Encoding::PLAIN)
            ]
        );
        assert_eq!(read_back(bytes), std::slice::from_ref(&b));
    }
}

/// The file the parquet crate's file writer makes of the same column chunks: how this
/// writer's footers were written before `footer.rs`.
fn write_with_crate(schema: &SchemaRef, batches: &[RecordBatch], codec: Compression) -> Vec<u8> {
    use parquet::column::writer::ColumnCloseResult;
    use parquet::file::metadata::ColumnChunkMetaData;
    use parquet::file::statistics::Statistics;

    let table = table(schema).expect("table");
    let (data, rows, chunks) = encode(&table.descr, schema, batches, codec).expect("encode");
    let data = Bytes::from(data);
    let mut file =
        SerializedFileWriter::new(Vec::new(), table.descr.root_schema_ptr(), file_props())
            .expect("file writer");
    let mut group = file.next_row_group().expect("row group");
    for (i, c) in chunks.iter().enumerate() {
        let mut meta = ColumnChunkMetaData::builder(table.descr.column(i))
            .set_encodings(c.encodings.clone())
            .set_num_values(c.num_values)
            .set_compression(c.codec)
            .set_total_compressed_size(c.compressed)
            .set_total_uncompressed_size(c.uncompressed)
            .set_data_page_offset(c.data_page_offset)
            .set_dictionary_page_offset(c.dictionary_page_offset);
        if let Some((min, max, nulls)) = c.statistics {
            let nulls = u64::try_from(nulls).expect("a count");
            meta = meta.set_statistics(Statistics::int64(
                Some(min),
                Some(max),
                None,
                Some(nulls),
                false,
            ));
        }
        let result = ColumnCloseResult {
            bytes_written: u64::try_from(c.compressed).expect("a size"),
            rows_written: rows as u64,
            metadata: meta.build().expect("metadata"),
            bloom_filter: None,
            column_index: None,
            offset_index: None,
        };
        group.append_column(&data, result).expect("append");
    }
    group.close().expect("close");
    file.into_inner().expect("file")
}

/// The footer written here is the one the parquet crate writes, byte for byte: whole files
/// compared, for files of every kind of column, with and without nulls, dictionaries,
/// deltas and compression.
#[test]
fn files_are_the_parquet_crates_byte_for_byte() {
    for (rows, k) in [(1, 0), (2, 3), (7, 1), (77, 5), (300, 2), (999, 11)] {
        let b = batch(rows, k);
        let schema = b.schema();
        for codec in [zstd(), Compression::UNCOMPRESSED] {
            let ours = write(Vec::new(), &schema, std::slice::from_ref(&b), codec).expect("write");
            let theirs = write_with_crate(&schema, std::slice::from_ref(&b), codec);
            assert!(ours == theirs, "{rows} rows, {codec:?}: files differ");
        }
    }
}
