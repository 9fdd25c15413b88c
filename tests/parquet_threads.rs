//! The Parquet lake written by `Batch::run_parquet` on several threads (workers and Parquet
//! writer threads) is the one written on one thread: the same files, and in each file the
//! same rows in the same order, in the same row groups.

use std::fs::File;
use std::path::Path;

use normalog::pipeline::{Batch, Ignore, Input};
use normalog::sink::layout::Partition;
use normalog::sink::parquet::{Options, ParquetWriter};
use normalog::{NormalizerBuilder, Registry};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::{Map, Value};
use util::arrow_rows::rows;

mod util;

/// Three log types over 48 hours: some stretches in time order (long runs per file), some
/// scattered (rows of one chunk spread over many files).
fn lines() -> String {
    let mut out = String::new();
    for i in 0..6000u32 {
        let hour = if (i / 500) % 2 == 0 {
            (i * 7) % 48
        } else {
            (i / 120) % 48
        };
        let t = chrono::DateTime::from_timestamp(1_688_169_600 + i64::from(hour) * 3600 + 60, 0)
            .expect("time")
            .format("%Y-%m-%dT%H:%M:%SZ");
        let line = match i % 3 {
            0 => format!(r#"{{"email":"u{i}@example.com","time":"{t}","type":"Sign in"}}"#),
            1 => format!(
                r#"{{"time":"{t}","operator":"o{i}@example.com","category_type":"User","action":"Delete","operation_detail":"row {i}"}}"#
            ),
            _ => format!(
                r#"{{"url":"https://a.zendesk.com/api/v2/audit_logs/{i}.json","id":{i},"action_label":"Updated","actor_id":7,"source_id":{i},"source_type":"user","source_label":"u{i}","action":"update","change_description":"row {i}","ip_address":"10.0.0.1","created_at":"{t}"}}"#
            ),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Per file (relative path): row group sizes and rows without `p_row_id` and
/// `p_parse_time` (which differ per run).
type Lake = Vec<(String, Vec<i64>, Vec<Map<String, Value>>)>;

fn read_lake(dir: &Path) -> Lake {
    let files = util::files_under(dir);
    files
        .iter()
        .map(|f| {
            let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(f).expect("open"))
                .expect("parquet");
            let groups = reader
                .metadata()
                .row_groups()
                .iter()
                .map(parquet::file::metadata::RowGroupMetaData::num_rows)
                .collect();
            let batches: Vec<_> = reader
                .build()
                .expect("reader")
                .collect::<Result<_, _>>()
                .expect("batches");
            let rows = rows(&batches)
                .into_iter()
                .map(|mut r| {
                    r.remove("p_row_id");
                    r.remove("p_parse_time");
                    r
                })
                .collect();
            let name = f.strip_prefix(dir).expect("under dir");
            (name.to_string_lossy().replace('\\', "/"), groups, rows)
        })
        .collect()
}

fn run(input: &Path, lake: &Path, threads: usize, opts: Options) -> Lake {
    let mut writer = ParquetWriter::new(lake, opts);
    let run = Batch::new()
        .threads(threads)
        .chunk_bytes(3000)
        .run_parquet(
            &NormalizerBuilder::new(),
            &Registry::builtin(),
            &[Input::Path(input.to_path_buf())],
            &mut writer,
            &mut Ignore,
        )
        .expect("run");
    assert_eq!(run.summary.rejected, 0);
    assert_eq!(run.summary.normalized, 6000);
    assert!(writer.open_files() <= opts.max_open_files);
    writer.commit().expect("commit");
    read_lake(lake)
}

#[test]
fn threads_keep_files_rows_and_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.ndjson");
    std::fs::write(&input, lines()).expect("write");
    let cases = [
        // LRU closes: 3 tables × 48 hours through 8 open files.
        Options {
            row_group_rows: 40,
            max_open_files: 8,
            ..Options::default()
        },
        // Every write flushed at once (the memory bound), on whichever thread.
        Options {
            row_group_rows: 40,
            max_buffered_bytes: 0,
            ..Options::default()
        },
        Options {
            partition: Partition::Day,
            ..Options::default()
        },
    ];
    for (c, opts) in cases.into_iter().enumerate() {
        let one = run(&input, &dir.path().join(format!("one{c}")), 1, opts);
        assert!(one.len() >= 3, "{}", one.len());
        let total: usize = one.iter().map(|f| f.2.len()).sum();
        assert_eq!(total, 6000);
        for threads in [2, 4] {
            let many = run(
                &input,
                &dir.path().join(format!("t{threads}-{c}")),
                threads,
                opts,
            );
            assert_eq!(one.len(), many.len(), "case {c}, {threads} threads");
            for (a, b) in one.iter().zip(&many) {
                assert_eq!(a.0, b.0, "case {c}, {threads} threads");
                assert_eq!(a.1, b.1, "row groups of {}, case {c}", a.0);
                assert!(a.2 == b.2, "rows of {}, case {c}, {threads} threads", a.0);
            }
        }
    }
}

/// `Batch::run_batches` (the Arrow path without files, used by the Python package) gives the
/// same rows in input order on any number of threads, and the same rows as the stream
/// encoder of `Batch::run` into a `RecordBatchBuilder`.
#[test]
fn run_batches_gives_the_same_rows_in_input_order_on_any_threads() {
    use normalog::sink::arrow::RecordBatchBuilder;
    use normalog::{Event, Sink};

    struct Builders(Vec<RecordBatchBuilder>);
    impl Sink for Builders {
        type Error = normalog::Error;
        fn record(&mut self, event: &Event<'_>) -> Result<bool, normalog::Error> {
            let i = if let Some(i) = self.0.iter().position(|b| b.log_type() == event.log_type()) {
                i
            } else {
                self.0.push(RecordBatchBuilder::new(event.plan()));
                self.0.len() - 1
            };
            self.0[i].append(event)?;
            Ok(true)
        }
    }
    let stable = |rows: Vec<Map<String, Value>>| -> Vec<Map<String, Value>> {
        rows.into_iter()
            .map(|mut r| {
                r.remove("p_row_id");
                r.remove("p_parse_time");
                r
            })
            .collect()
    };

    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.ndjson");
    let mut text = lines();
    text.push_str("{\"not\":\"a known record\"}\n");
    std::fs::write(&input, text).expect("write");
    let inputs = [Input::Path(input.clone()), Input::Path(input)];

    let registry = Registry::builtin();
    let mut norm = NormalizerBuilder::new()
        .build(&registry)
        .expect("normalizer");
    let mut one = Builders(Vec::new());
    let run = Batch::new()
        .run(&mut norm, &inputs, &mut one, &mut Ignore)
        .expect("run");
    assert_eq!((run.summary.normalized, run.summary.rejected), (12_000, 2));
    let mut expected: Vec<(String, Vec<Map<String, Value>>)> = one
        .0
        .iter_mut()
        .map(|b| {
            let batch = b.finish().expect("batch");
            (b.log_type().to_owned(), stable(rows(&[batch])))
        })
        .collect();
    expected.sort_by(|a, b| a.0.cmp(&b.0));

    for threads in [1, 2, 3] {
        let mut got: Vec<(String, Vec<Map<String, Value>>)> = Vec::new();
        let mut batches = 0;
        let run = Batch::new()
            .threads(threads)
            .chunk_bytes(3000)
            .run_batches(
                &NormalizerBuilder::new(),
                &registry,
                &inputs,
                |log_type, batch| {
                    batches += 1;
                    let rows = stable(rows(&[batch]));
                    match got.iter_mut().find(|(lt, _)| lt == log_type) {
                        Some((_, all)) => all.extend(rows),
                        None => got.push((log_type.to_owned(), rows)),
                    }
                    Ok(())
                },
                &mut Ignore,
            )
            .expect("run_batches");
        assert_eq!((run.summary.normalized, run.summary.rejected), (12_000, 2));
        assert!(batches > 3, "one batch per log type per chunk: {batches}");
        got.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(got.len(), expected.len(), "{threads} threads");
        for (g, e) in got.iter().zip(&expected) {
            assert_eq!(g.0, e.0);
            assert!(g.1 == e.1, "rows of {} on {threads} threads", g.0);
        }
    }
}

/// `Batch::run_batches` over a stream that pauses (a pipe, another program's output) hands
/// on the records it has before the stream goes on: a Python loop over a producer's pipe
/// got its last records only with a chunk's worth more (1 MiB), or at the end.
#[test]
fn run_batches_hands_on_a_paused_streams_records_at_once() {
    use normalog::pipeline::input::SharedReader;
    use std::io::Read;
    use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
    use std::time::Duration;

    /// Gives `first`, then waits (as a silent producer) until told to end, then ends.
    struct Producer {
        first: std::io::Cursor<Vec<u8>>,
        end: Receiver<()>,
    }
    impl Read for Producer {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.first.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            // Ends on its own after a while, so that a failing run does not hang the test.
            let _ = self.end.recv_timeout(Duration::from_secs(20));
            Ok(0)
        }
    }

    let records = lines().lines().take(300).collect::<Vec<_>>().join("\n") + "\n";
    let (end_tx, end) = channel();
    let input = Input::Reader(
        SharedReader::new(Producer {
            first: std::io::Cursor::new(records.into_bytes()),
            end,
        })
        .may_wait(),
    );
    let (rows_tx, rows_rx) = channel();
    let registry = Registry::builtin();
    let run = std::thread::spawn(move || {
        Batch::new()
            .run_batches(
                &NormalizerBuilder::new(),
                &registry,
                &[input],
                |_, batch| {
                    let _ = rows_tx.send(batch.num_rows());
                    Ok(())
                },
                &mut Ignore,
            )
            .map(|run| run.summary.normalized)
    });
    // Every record comes while the producer is silent.
    let mut got = 0;
    while got < 300 {
        match rows_rx.recv_timeout(Duration::from_secs(10)) {
            Ok(n) => got += n,
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    let _ = end_tx.send(());
    assert_eq!(got, 300, "records handed on while the stream was silent");
    assert_eq!(run.join().expect("run").expect("run_batches"), 300);
}
