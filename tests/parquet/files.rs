//! What goes into each file: one per partition for input in any order, and dictionaries
//! only where values repeat.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use arrow_array::RecordBatch;
use normalog::pipeline::{self, Batch, Ignore, Input};
use normalog::sink::parquet::{Options, ParquetWriter};
use normalog::{NormalizerBuilder, Registry};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::{assert_same_rows, listing, parquet_files, read_parquet, zoom_events, Tee};

#[test]
fn unordered_partitions_get_one_file_each() {
    // 300 distinct hours, each seen twice, 300 hours apart, through 4 open files: the
    // hours' rows are held back and each is written once, as one file.
    let (batches, n) = zoom_events((0..600).map(|i| i % 300));
    let write = |dir: &Path, opts: Options| {
        let mut writer = ParquetWriter::new(dir, opts);
        for b in &batches {
            writer.write_batch("Zoom.Activity", b).expect("write");
            assert!(writer.open_files() <= 4);
        }
        writer.commit().expect("commit");
        assert_eq!(writer.open_files(), 0);
        let files = parquet_files(dir);
        let rows: Vec<usize> = files
            .iter()
            .map(|f| read_parquet(f).iter().map(RecordBatch::num_rows).sum())
            .collect();
        assert_eq!(rows.iter().sum::<usize>(), n);
        assert_eq!(listing(dir).len(), files.len(), "no temporary files left");
        (writer, files, rows)
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = Options {
        max_open_files: 4,
        row_group_rows: 1,
        ..Options::default()
    };
    let (writer, files, rows) = write(dir.path(), opts);
    assert_eq!(files.len(), 300);
    assert!(rows.iter().all(|&r| r == 2), "{rows:?}");
    assert_eq!(writer.extra_files(), 0);
    assert_eq!(writer.written_for_memory(), 0);
    assert!(files.iter().all(|f| f.ends_with("part-0.parquet")));

    // No memory to hold rows back: the rows go through disk (spilled, then merged at the
    // commit), and each hour is still one file, and the writer says so.
    let dir = tempfile::tempdir().expect("tempdir");
    let (writer, files, rows) = write(
        dir.path(),
        Options {
            max_buffered_bytes: 0,
            ..opts
        },
    );
    assert_eq!(files.len(), 300);
    assert!(rows.iter().all(|&r| r == 2), "{rows:?}");
    assert_eq!(writer.files_opened(), 300);
    assert_eq!(writer.extra_files(), 0);
    assert_eq!(writer.written_for_memory(), 0);
    assert_eq!(writer.spilled_rows(), 600);
    assert!(files.iter().all(|f| f.ends_with("part-0.parquet")));
    let spill = dir.path().join("_normalog/spill");
    assert_eq!(std::fs::read_dir(&spill).map_or(0, Iterator::count), 0);
}

/// Whether each column chunk of a file has a dictionary page, by column path.
fn dictionary_pages(path: &Path) -> BTreeMap<String, bool> {
    let reader =
        ParquetRecordBatchReaderBuilder::try_new(File::open(path).expect("open")).expect("parquet");
    let mut out = BTreeMap::new();
    for rg in reader.metadata().row_groups() {
        for c in rg.columns() {
            out.insert(
                c.column_path().string(),
                c.dictionary_page_offset().is_some(),
            );
        }
    }
    out
}

#[test]
fn dictionary_only_where_values_repeat() {
    let registry = Registry::builtin();
    let mut norm = NormalizerBuilder::new()
        .log_types(["Zoom.Activity"])
        .build(&registry)
        .expect("normalizer");
    // Unique emails, two event types; 10 rows in hour 0, then 1,000 more in hour 0 and
    // 1,200 in hour 1 (files of 1,000 rows or more: smaller ones are written without
    // dictionaries at all, by the small-file writer).
    let lines = |range: std::ops::Range<u32>, hour: u32| {
        let mut text = String::new();
        for i in range {
            let kind = ["Sign in", "Sign out"][i as usize % 2];
            let second = i % 60;
            writeln!(
            text,
                "{{\"email\":\"u{i}@example.com\",\"type\":\"{kind}\",\"time\":\"2023-07-01T{hour:02}:00:{second:02}Z\"}}"
            )
            .expect("write to a String");
        }
        text
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut writer = ParquetWriter::new(dir.path(), Options::default());
    let mut tee = Tee::default();
    for text in [lines(0..10, 0), lines(10..1010, 0) + &lines(1010..2210, 1)] {
        pipeline::normalize_reader(&mut norm, std::io::Cursor::new(text), &mut tee)
            .expect("normalize");
        let b = &mut tee.builders[0];
        let batch = b.finish().expect("batch");
        writer.write_batch(b.log_type(), &batch).expect("write");
    }
    writer.commit().expect("commit");
    assert_eq!(assert_same_rows(&tee.ndjson.events, dir.path()), 2210);

    let files = parquet_files(dir.path());
    assert_eq!(files.len(), 2);
    // The first batch is too small to sample; the second one decides for the files
    // written from then on, which are both: their rows were held back until the commit.
    // No dictionary for the unique emails (nor their p_any_emails items), one for the
    // repeating type; columns with too few values (all null) keep theirs.
    let first = dictionary_pages(&files[0]);
    assert!(files[0].ends_with("hour=0/part-0.parquet"));
    assert!(!first["email"]);
    assert!(!first["p_any_emails.list.item"]);
    assert!(first["type"]);
    assert!(!first["p_row_id"]);
    let second = dictionary_pages(&files[1]);
    assert!(files[1].ends_with("hour=1/part-0.parquet"));
    assert!(!second["email"]);
    assert!(!second["p_any_emails.list.item"]);
    assert!(second["type"]);
    assert!(second["client_type"]);
    assert!(second["p_log_type"]);
    assert!(!second["p_row_id"]);
}

/// The lines of `text` newest first, two halves interleaved, and shuffled.
fn unordered(text: &str) -> [(&'static str, Vec<&str>); 3] {
    let lines: Vec<&str> = text.lines().collect();
    let newest_first: Vec<&str> = lines.iter().rev().copied().collect();
    let (a, b) = lines.split_at(lines.len() / 2);
    let interleaved: Vec<&str> = a.iter().zip(b).flat_map(|(x, y)| [*x, *y]).collect();
    let mut shuffled = lines.clone();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in (1..shuffled.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        shuffled.swap(i, usize::try_from(x % (i as u64 + 1)).expect("index"));
    }
    [
        ("newest_first", newest_first),
        ("interleaved", interleaved),
        ("shuffled", shuffled),
    ]
}

/// `input` through the whole pipeline on 2 threads in small chunks, into `writer`
/// (committed).
fn run_threaded(
    registry: &Registry,
    input: &Path,
    writer: &mut ParquetWriter,
) -> pipeline::RunSummary {
    let run = Batch::new()
        .threads(2)
        .chunk_bytes(20_000)
        .run_parquet(
            &NormalizerBuilder::new(),
            registry,
            &[Input::Path(input.to_path_buf())],
            writer,
            &mut Ignore,
        )
        .expect("run");
    writer.commit().expect("commit");
    run
}

/// Issue 16: input not in time order (sources interleaved, API pages newest first, or
/// shuffled) makes exactly one file per partition under the default memory bound, on one
/// thread and on several, and its rows equal the NDJSON output of the same events.
#[test]
fn r16_unordered_input_makes_one_file_per_partition() {
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = dir.path().join("archive.jsonl");
    let o = Command::new(env!("CARGO_BIN_EXE_normalog"))
        .args([
            "gen",
            "-n",
            "3000",
            "--span",
            "30d",
            "--start",
            "2024-01-01",
        ])
        .args(["--seed", "7", "-o"])
        .arg(&archive)
        .output()
        .expect("gen");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&archive).expect("archive");
    let registry = Registry::builtin();
    for (name, order) in unordered(&text) {
        let input = dir.path().join(format!("{name}.jsonl"));
        std::fs::write(&input, order.join("\n") + "\n").expect("write");

        // The same events to NDJSON and, in batches of 100 rows (each with rows of many
        // hours, hours coming back batch after batch), to Parquet.
        let mut norm = NormalizerBuilder::new()
            .build(&registry)
            .expect("normalizer");
        let mut tee = Tee::default();
        pipeline::normalize_reader(&mut norm, File::open(&input).expect("input"), &mut tee)
            .expect("normalize");
        let lake = dir.path().join(format!("{name}-tee"));
        let mut writer = ParquetWriter::new(&lake, Options::default());
        for builder in &mut tee.builders {
            let batch = builder.finish().expect("batch");
            let mut at = 0;
            while at < batch.num_rows() {
                let len = (batch.num_rows() - at).min(100);
                writer
                    .write_batch(builder.log_type(), &batch.slice(at, len))
                    .expect("write");
                at += len;
            }
        }
        writer.commit().expect("commit");
        assert_eq!(writer.extra_files(), 0, "{name}");
        assert_eq!(assert_same_rows(&tee.ndjson.events, &lake), 3000, "{name}");
        let files = parquet_files(&lake);
        let dirs: std::collections::BTreeSet<_> =
            files.iter().map(|f| f.parent().expect("dir")).collect();
        assert_eq!(files.len(), dirs.len(), "{name}: one file per partition");
        assert!(files.len() > 1000, "{name}: {} files", files.len());

        // The whole pipeline, with writer threads and small chunks: the same files.
        let threaded = dir.path().join(format!("{name}-threads"));
        let mut writer = ParquetWriter::new(&threaded, Options::default());
        let run = run_threaded(&registry, &input, &mut writer);
        assert_eq!(run.summary.normalized, 3000);
        assert_eq!(writer.extra_files(), 0, "{name}");
        let relative = |root: &Path, files: &[PathBuf]| -> Vec<PathBuf> {
            files
                .iter()
                .map(|f| {
                    f.parent()
                        .expect("dir")
                        .strip_prefix(root)
                        .expect("under")
                        .to_path_buf()
                })
                .collect()
        };
        assert_eq!(
            relative(&threaded, &parquet_files(&threaded)),
            relative(&lake, &files),
            "{name}"
        );
        let rows: usize = parquet_files(&threaded)
            .iter()
            .map(|f| {
                read_parquet(f)
                    .iter()
                    .map(RecordBatch::num_rows)
                    .sum::<usize>()
            })
            .sum();
        assert_eq!(rows, 3000, "{name}");
    }
}

/// The memory bound counts what the parquet writer holds for an unfinished row group, not
/// the size it expects the row group to take once encoded: `normalize --partition day` of
/// 10,000,000 generated records peaked at 530 MB at the default bound of 256 MiB, and at
/// 377 MB once the writer's buffers were counted.
#[test]
fn memory_bound_counts_what_the_writer_holds() {
    let registry = Registry::builtin();
    let mut norm = NormalizerBuilder::new()
        .log_types(["Zoom.Activity"])
        .build(&registry)
        .expect("normalizer");
    let mut tee = Tee::default();
    // 60,000 rows of one hour, each with its own e-mail address (twice: `email` and
    // `p_any_emails`) and row id: about 4 MB of values, which zstd packs into 100 KB.
    let mut batches = Vec::new();
    for chunk in 0..60u32 {
        let mut text = String::new();
        for i in chunk * 1000..(chunk + 1) * 1000 {
            let kind = ["Sign in", "Sign out"][i as usize % 2];
            let second = i % 60;
            writeln!(
                text,
                "{{\"email\":\"user-{i}@example.com\",\"type\":\"{kind}\",\"time\":\"2023-07-01T00:00:{second:02}Z\"}}"
            )
            .expect("write to a String");
        }
        pipeline::normalize_reader(&mut norm, std::io::Cursor::new(text), &mut tee)
            .expect("normalize");
        batches.push(tee.builders[0].finish().expect("batch"));
    }
    // 4 MiB: 2 MiB for unfinished row groups.
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = Options {
        max_buffered_bytes: 4 << 20,
        ..Options::default()
    };
    let mut writer = ParquetWriter::new(dir.path(), opts);
    for b in &batches {
        writer.write_batch("Zoom.Activity", b).expect("write");
    }
    writer.commit().expect("commit");
    assert_eq!(assert_same_rows(&tee.ndjson.events, dir.path()), 60_000);
    let files = parquet_files(dir.path());
    assert_eq!(files.len(), 1);
    let meta = ParquetRecordBatchReaderBuilder::try_new(File::open(&files[0]).expect("open"))
        .expect("parquet")
        .metadata()
        .clone();
    // Written out whenever the writer held more than the bound: before, one row group.
    assert!(meta.num_row_groups() >= 2, "{}", meta.num_row_groups());
}

/// A table `Custom.Wide` of `columns` string fields and an event time, and `chunks`
/// batches of 100 rows of it (all in one hour), with the NDJSON of the same events.
fn wide_table(columns: usize, chunks: usize) -> (Tee, Vec<RecordBatch>) {
    let mut schema = String::from(
        "schema: Custom.Wide\nfields:\n  - {name: ts, type: timestamp, timeFormat: rfc3339, isEventTime: true}\n",
    );
    for i in 0..columns {
        writeln!(schema, "  - {{name: f{i}, type: string}}").expect("write to a String");
    }
    let mut registry = Registry::new();
    registry.add_str(&schema, "wide.yml").expect("schema");
    let mut norm = NormalizerBuilder::new()
        .build(&registry)
        .expect("normalizer");
    let mut tee = Tee::default();
    let mut batches = Vec::new();
    for chunk in 0..chunks {
        let mut text = String::new();
        for row in 0..100 {
            text.push_str("{\"ts\":\"2023-07-01T00:00:00Z\"");
            for i in 0..columns {
                write!(text, ",\"f{i}\":\"value {} of {i}\"", chunk * 100 + row)
                    .expect("write to a String");
            }
            text.push_str("}\n");
        }
        pipeline::normalize_reader(&mut norm, std::io::Cursor::new(text), &mut tee)
            .expect("normalize");
        batches.push(tee.builders[0].finish().expect("batch"));
    }
    (tee, batches)
}

/// The footers of the Parquet files under `dir`.
fn footers(dir: &Path) -> Vec<parquet::file::metadata::ParquetMetaData> {
    parquet_files(dir)
        .iter()
        .map(|f| {
            ParquetRecordBatchReaderBuilder::try_new(File::open(f).expect("open"))
                .expect("parquet")
                .metadata()
                .as_ref()
                .clone()
        })
        .collect()
}

/// A table of many columns keeps row groups of many rows under a small memory bound
/// (reviews s44-h4 HIGH-1, s44-h5 HIGH-1). The writer's own memory for 80 columns (their
/// dictionary encoders: some 3 MB from the first row) was over the 2 MiB for unfinished
/// row groups: every write was flushed as a row group of its 100 rows, whose metadata the
/// writer keeps until the file closes (3.1 GB for 800 records of 10,000 fields). A row
/// group is now written for memory only from 1,024 rows, and such a table gets no
/// dictionaries.
#[test]
fn many_columns_under_a_small_bound_keep_large_row_groups() {
    let (tee, batches) = wide_table(80, 40);
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = Options {
        max_buffered_bytes: 4 << 20,
        ..Options::default()
    };
    let mut writer = ParquetWriter::new(dir.path(), opts);
    for b in &batches {
        writer.write_batch("Custom.Wide", b).expect("write");
    }
    writer.commit().expect("commit");
    assert_eq!(assert_same_rows(&tee.ndjson.events, dir.path()), 4_000);
    let metas = footers(dir.path());
    assert_eq!(metas.len(), 1);
    let groups: Vec<i64> = metas[0]
        .row_groups()
        .iter()
        .map(parquet::file::metadata::RowGroupMetaData::num_rows)
        .collect();
    // One a write was 40 row groups of 100 rows.
    assert!(groups.len() <= 4, "{groups:?}");
    let dictionary = metas[0]
        .row_groups()
        .iter()
        .flat_map(parquet::file::metadata::RowGroupMetaData::columns)
        .any(|c| c.dictionary_page_offset().is_some());
    assert!(!dictionary, "a dictionary page");
}
