//! One framing for every entry point (issue 14): the same NDJSON input through
//! `normalize_bytes` line by line, `StreamNormalizer` at several chunk sizes, the batch
//! pipeline (one and two threads, records arriving split at every byte) and the CLI gives
//! the same events and the same rejects at the same positions.
#![allow(clippy::unwrap_used)] // a test that cannot set up its fixture should panic

mod util;

use normalog::Registry;
use util::entry::{self, Outcome};

const MAX: usize = 256;

/// A Zoom.Activity record, different for each `i`.
fn good(i: usize) -> String {
    format!(
        r#"{{"email":"user{i}@example.com","time":"2023-07-0{}T10:00:00Z","type":"Sign in","ip_address":"10.0.0.{i}"}}"#,
        1 + i % 9
    )
}

/// Every entry point on `input`; all must agree with the first (`normalize_bytes` line by
/// line), which is returned.
fn sweep(input: &[u8]) -> Outcome {
    let registry = Registry::builtin();
    let expected = entry::by_lines(&registry, input, MAX);
    let mut chunk_sizes = vec![1, 2, 3, 7, 4096, input.len().max(1)];
    chunk_sizes.dedup();
    for size in chunk_sizes {
        let got = entry::streamed(&registry, input, MAX, size);
        assert_eq!(got, expected, "StreamNormalizer, chunks of {size} bytes");
    }
    for step in [1, 2, 3, 7, 4096] {
        for chunk_bytes in [1, 100, 64 * 1024] {
            let got = entry::pipeline(&registry, input, MAX, step, chunk_bytes);
            assert_eq!(
                got, expected,
                "pipeline, reads of {step}, chunks of {chunk_bytes}"
            );
        }
    }
    for step in [1, 7, 4096] {
        let got = entry::parallel(&registry, input, MAX, step, 100);
        assert_eq!(got, expected, "parallel pipeline, reads of {step}");
    }
    assert_eq!(entry::cli(input, MAX, None), expected, "CLI");
    expected
}

/// The input, built line by line, with the byte offset where each line starts.
struct Input {
    data: Vec<u8>,
}

impl Input {
    fn new(prefix: &[u8]) -> Self {
        Input {
            data: prefix.to_vec(),
        }
    }
    /// Append a line (with its ending) and return the byte where it starts.
    fn push(&mut self, line: &str) -> u64 {
        let at = self.data.len() as u64;
        self.data.extend_from_slice(line.as_bytes());
        at
    }
}

fn reject(o: &Outcome, i: usize) -> (u64, u64, u64, &str) {
    let r = &o.rejects[i];
    (r.0, r.1, r.2, r.3.as_str())
}

#[test]
fn r14_bom_crlf_blank_lines_limit_and_final_line_agree_everywhere() {
    let long = format!(
        r#"{{"email":"a@example.com","time":"2023-07-01T10:00:00Z","type":"{}"}}"#,
        "x".repeat(MAX)
    );
    let mut input = Input::new(b"\xEF\xBB\xBF");
    let b1 = input.push(&format!("{}\r\n", good(1)));
    input.push("\r\n");
    input.push("   \n");
    input.push("\n");
    let b5 = input.push(&format!("{}\n", good(2)));
    let b6 = input.push("{\"email\":\"x@example.com\"}\r\n");
    let b7 = input.push(&format!("{long}\r\n"));
    let b8 = input.push("{\"email\":\"a@b.co\",\"time\":\"\",\"ip_address\":\"1.1.1.1\"}\n");
    let b9 = input.push("{\"email\": nope}\n");
    let b10 = input.push(&good(3)); // no newline at the end

    let got = sweep(&input.data);
    assert_eq!(got.events.len(), 3, "{got:#?}");
    assert!(got.events[0].contains("user1@example.com"));
    assert_eq!(b1, 3, "the first record starts after the byte-order mark");
    assert_eq!(got.rejects.len(), 4, "{got:#?}");
    assert_eq!(reject(&got, 0), (2, 6, b6, "unclassified"));
    assert_eq!(reject(&got, 1), (3, 7, b7, "too_long"));
    assert!(
        got.rejects[1]
            .4
            .contains(&format!("record of {} bytes", long.len())),
        "the length excludes the CRLF: {}",
        got.rejects[1].4
    );
    assert_eq!(reject(&got, 2), (4, 8, b8, "unclassified"));
    assert!(
        got.rejects[2].4.contains(r#"Zoom.Activity: missing required field "time": the value is "", which is null for a timestamp"#),
        "{}",
        got.rejects[2].4
    );
    assert_eq!(reject(&got, 3), (5, 9, b9, "invalid_json"));
    // The events are in input order: records 0, 1 and 6.
    assert!(got.events[1].contains("user2@example.com"));
    assert!(got.events[2].contains("user3@example.com"));
    assert!(b5 < b10);
}

/// A line of only a vertical tab is blank, as one of only a form feed is (Go's
/// `strings.TrimSpace` takes both; review finding: the vertical tab was an invalid-JSON
/// reject), everywhere.
#[test]
fn vertical_tab_and_form_feed_lines_are_blank() {
    let mut input = Input::new(b"");
    input.push(&format!("{}\n", good(1)));
    input.push("\x0b\n");
    input.push("\x0c\r\n");
    input.push(" \x0b\t\x0c\n");
    input.push(&format!("{}\n", good(2)));
    let got = sweep(&input.data);
    assert_eq!(got.events.len(), 2, "{got:#?}");
    assert!(got.rejects.is_empty(), "{got:#?}");
}

/// A line of white space alone over the record limit is blank however it arrives: whole,
/// or cut by reads anywhere, inside a multi-byte space too (U+3000, U+00A0). Review s37-h2
/// N3: it was a `too_long` reject when a read or a chunk ended inside it, blank when it
/// ended after it, so the same bytes gave different rejects by their offset in the file or
/// a pipe's timing. A line that only starts with white space is still one reject.
#[test]
fn over_long_lines_of_white_space_are_blank_wherever_reads_cut_them() {
    let mut input = Input::new(b"");
    input.push(&format!("{}\n", good(1)));
    input.push(&format!("{}\n", " ".repeat(3 * MAX)));
    input.push(&format!("{}\r\n", "\u{3000}\t\u{a0} ".repeat(MAX)));
    let b4 = input.push(&format!("{}x\n", " ".repeat(2 * MAX)));
    input.push(&format!("{}\n", "\u{3000}".repeat(MAX)));
    input.push(&format!("{}\n", good(2)));
    let got = sweep(&input.data);
    assert_eq!(got.events.len(), 2, "{got:#?}");
    assert_eq!(got.rejects.len(), 1, "{got:#?}");
    // Blank lines take no record index: the long line that is not blank is record 1.
    assert_eq!(reject(&got, 0), (1, 4, b4, "too_long"));
}

#[test]
fn r14_records_at_the_limit_with_crlf() {
    // A record of exactly MAX bytes passes with a CRLF ending; one byte more is too long,
    // whether its line ends with CRLF, LF or the end of the input.
    let base = good(4);
    let pad = |n: usize| {
        let fill = n - base.len() + "Sign in".len();
        base.replace("Sign in", &"s".repeat(fill))
    };
    let at_limit = pad(MAX);
    let over = pad(MAX + 1);
    assert_eq!((at_limit.len(), over.len()), (MAX, MAX + 1));
    let data = format!("{at_limit}\r\n{over}\r\n{at_limit}\n{over}\n{over}");
    let got = sweep(data.as_bytes());
    assert_eq!(got.events.len(), 2, "{got:#?}");
    let codes: Vec<_> = got
        .rejects
        .iter()
        .map(|r| (r.0, r.1, r.3.as_str()))
        .collect();
    assert_eq!(
        codes,
        [(1, 2, "too_long"), (3, 4, "too_long"), (4, 5, "too_long")]
    );
    for r in &got.rejects {
        assert!(
            r.4.contains(&format!("record of {} bytes", MAX + 1)),
            "{}",
            r.4
        );
    }
}

#[test]
fn r14_a_stream_that_is_only_part_of_a_byte_order_mark_is_data() {
    let got = sweep(b"\xEF\xBB");
    assert_eq!(got.events.len(), 0);
    assert_eq!(got.rejects.len(), 1);
    assert_eq!(reject(&got, 0), (0, 1, 0, "invalid_json"));
}

/// `skipLines` counts the lines that are not blank, as Panther's classifier drops blank
/// lines before any parser (and its count) sees them: an input that starts with blank
/// lines, or has some among its preamble, loses its whole preamble and no more, through
/// every entry point, also when the pipeline cuts the input into chunks of a line or less
/// (a chunk from the middle of an input is told where they end by the reader).
/// Before, lines 1 to `skipLines` were skipped, blank or not, and the preamble's last
/// lines came out as events or rejects.
#[test]
fn skip_lines_counts_the_lines_that_are_not_blank_everywhere() {
    let (dir, registry) = skip_schemas(2);
    let mut input = Input::new(b"\xEF\xBB\xBF");
    input.push("\n"); // blank after the byte-order mark
    input.push("\u{a0}\u{3000}\r\n"); // blank to Go's strings.TrimSpace
    input.push("# exported by backup-agent 2.1\n"); // preamble line 1
    input.push("  \t\n");
    input.push("time job status=status\n"); // preamble line 2: it would match
    input.push("2024-05-01T10:00:00Z backup status=ok\n");
    input.push("\n");
    input.push("{\"level\":\"INFO\",\"time\":\"2024-05-01T10:00:01Z\"}\n");
    input.push("2024-05-01T10:00:02Z restore status=failed\n");

    let expected = entry::by_lines(&registry, &input.data, MAX);
    let jobs: Vec<&str> = expected
        .events
        .iter()
        .map(|e| {
            ["backup", "restore", "INFO"]
                .into_iter()
                .find(|w| e.contains(w))
                .unwrap_or(e)
        })
        .collect();
    assert_eq!(jobs, ["backup", "INFO", "restore"], "{expected:#?}");
    assert!(expected.rejects.is_empty(), "{expected:#?}");
    assert_eq!(
        sweep_schemas(&registry, dir.path(), &input.data, MAX),
        expected
    );
}

/// Every entry point on `input` with the schemas of `dir` (`registry` holds them), records
/// of at most `max` bytes: all must agree with `normalize_bytes` line by line, which is
/// returned.
fn sweep_schemas(registry: &Registry, dir: &std::path::Path, input: &[u8], max: usize) -> Outcome {
    let expected = entry::by_lines(registry, input, max);
    // Reads of a byte or a few for short inputs; a test build reads megabytes that way for
    // minutes.
    let small = if input.len() < 4096 {
        [1, 3]
    } else {
        [1000, 3000]
    };
    for size in [small[0], small[1], input.len()] {
        let got = entry::streamed(registry, input, max, size);
        assert_eq!(got, expected, "StreamNormalizer, chunks of {size} bytes");
    }
    for step in [small[0], small[1] + 2, 4096] {
        for chunk_bytes in [1, 40, 64 * 1024] {
            let got = entry::pipeline(registry, input, max, step, chunk_bytes);
            assert_eq!(
                got, expected,
                "pipeline, reads of {step}, chunks of {chunk_bytes}"
            );
        }
        let got = entry::parallel(registry, input, max, step, 1);
        assert_eq!(got, expected, "parallel pipeline, reads of {step}");
    }
    assert_eq!(entry::cli(input, max, Some(dir)), expected, "CLI");
    expected
}

/// The schemas of the `skipLines` tests in a directory: `Custom.Pre` (fastmatch,
/// `skipLines`: `skip`, a time, a job and a status) and `Custom.Json` (JSON with a level
/// and a time), and the registry of them.
fn skip_schemas(skip: u64) -> (tempfile::TempDir, Registry) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Pre.yml"),
        format!(
            "schema: Custom.Pre\nparser:\n  fastmatch:\n    skipLines: {skip}\n    match:\n      \
             - '%{{time}} %{{job}} status=%{{status}}'\nfields:\n  - {{name: time, type: \
             timestamp, timeFormats: [rfc3339], isEventTime: true}}\n  - {{name: job, type: \
             string}}\n  - {{name: status, type: string}}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("Json.yml"),
        "schema: Custom.Json\nfields:\n  - {name: level, type: string, required: true}\n  \
         - {name: time, type: timestamp, timeFormats: [rfc3339], isEventTime: true}\n",
    )
    .unwrap();
    let mut registry = Registry::new();
    registry.add_path(dir.path()).unwrap();
    (dir, registry)
}

/// The first `skipLines` lines that are not blank are told alike by every entry point also
/// when the preamble runs past the megabyte of an input's start that a chunk from its
/// middle carries (a first line of 2 MiB), and when one of its lines is over the record
/// limit (rejected as too long, and a line all the same). Review s37-h1: the pipeline
/// counted such a preamble's blank lines, and a file and the same bytes on standard input
/// gave different events.
#[test]
fn skip_lines_past_a_long_start_and_over_long_lines_agree_everywhere() {
    let (dir, registry) = skip_schemas(3);
    let data = "2024-05-01T10:00:00Z backup status=ok\n2024-05-01T10:00:01Z restore status=ok\n";
    let mut long_start = vec![b'L'; 2 << 20];
    long_start.extend_from_slice(b"\n\n  \n# second\n\ntime job status=status\n");
    long_start.extend_from_slice(data.as_bytes());
    let got = sweep_schemas(&registry, dir.path(), &long_start, 4 << 20);
    assert_eq!(
        (got.events.len(), got.rejects.len()),
        (2, 0),
        "{:?}",
        got.rejects
    );

    let mut over_long = b"# first\n".to_vec();
    over_long.extend_from_slice(&[b'X'; 2000]);
    over_long.extend_from_slice(b"\n\ntime job status=status\n");
    over_long.extend_from_slice(data.as_bytes());
    let got = sweep_schemas(&registry, dir.path(), &over_long, 1000);
    assert_eq!(got.events.len(), 2, "{got:?}");
    assert_eq!(got.rejects.len(), 1, "{:?}", got.rejects);
    assert_eq!(
        (got.rejects[0].1, got.rejects[0].3.as_str()),
        (2, "too_long")
    );
}

/// An API page among the first lines is one of them, not as many as its elements: the
/// batch pipeline (which unwraps pages) agrees with itself however its input is cut, and
/// with the CLI. Review s37-h1: records were counted, and a page of three elements on line 1
/// took the place of three lines when the input came in one chunk, one otherwise.
#[test]
fn skip_lines_count_an_api_page_as_one_line() {
    let (dir, registry) = skip_schemas(2);
    let time = "2024-05-01T10:00:00Z";
    let input = format!(
        "{{\"audit_logs\":[{{\"level\":\"A\",\"time\":\"{time}\"}},{{\"level\":\"B\",\"time\":\"{time}\"}},\
         {{\"level\":\"C\",\"time\":\"{time}\"}}]}}\ntime job status=status\n\
         {time} backup status=ok\n{time} restore status=ok\n"
    );
    let input = input.as_bytes();
    let expected = entry::cli(input, MAX, Some(dir.path()));
    let jobs: Vec<bool> = expected
        .events
        .iter()
        .map(|e| e.contains("\"job\""))
        .collect();
    assert_eq!(jobs, [false, false, false, true, true], "{expected:#?}");
    assert!(expected.rejects.is_empty(), "{expected:#?}");
    for step in [1, 5, 4096] {
        for chunk_bytes in [1, 40, 64 * 1024] {
            let got = entry::pipeline(&registry, input, MAX, step, chunk_bytes);
            assert_eq!(
                got, expected,
                "pipeline, reads of {step}, chunks of {chunk_bytes}"
            );
        }
        let got = entry::parallel(&registry, input, MAX, step, 1);
        assert_eq!(got, expected, "parallel pipeline, reads of {step}");
    }
}

/// A normalizer that ran a batch (whose last chunk's first lines the reader told) counts
/// the first `skipLines` of an input given to it in order afterwards by record again.
/// Review s37-h2: it kept the run's last chunk's lines, and with fewer lines in that run
/// than `skipLines`, skipped every line of the next input.
#[test]
fn a_normalizer_after_a_batch_run_counts_skip_lines_by_record_again() {
    use normalog::pipeline::input::SharedReader;
    use normalog::pipeline::{Batch, Ignore, Input};
    use normalog::sink::Collect;
    use normalog::{NormalizerBuilder, Position};

    let (_dir, registry) = skip_schemas(2);
    let mut norm = NormalizerBuilder::new().build(&registry).unwrap();
    let inputs = [Input::Reader(SharedReader::new(std::io::Cursor::new(
        b"# one line of preamble\n".to_vec(),
    )))];
    let mut collect = Collect::default();
    Batch::new()
        .run(&mut norm, &inputs, &mut collect, &mut Ignore)
        .unwrap();
    assert!(collect.events.is_empty() && collect.rejected_raw.is_empty());
    let lines = [
        "# preamble",
        "time job status=status",
        "2024-05-01T10:00:00Z backup status=ok",
    ];
    let mut after = Collect::default();
    for (i, line) in lines.iter().enumerate() {
        let pos = Position::new(0, i as u64 + 1, i as u64);
        norm.normalize_bytes(line.as_bytes(), pos, &mut after)
            .unwrap();
    }
    assert_eq!(after.events.len(), 1, "{:?}", after.rejected_raw);
    assert!(after.events[0].contains("backup"), "{:?}", after.events);
}

/// Elements of an API page among the first `skipLines` lines that a text log type takes
/// (strings, once `--envelope` unwraps them) are skipped with their page, and counted as
/// lines skipped on purpose, in one chunk or several. Review s37-h2 N4: they were counted
/// nowhere (not as records, rejects, or lines skipped).
#[test]
fn elements_skipped_with_a_page_among_the_first_lines_are_counted() {
    let (_dir, registry) = skip_schemas(2);
    let time = "2024-05-01T10:00:00Z";
    let input = format!(
        "# preamble\n{{\"items\":[\"{time} a status=x\",\"{time} b status=x\",\"{time} c \
         status=x\"]}}\n{time} backup status=ok\nnot a job line\n"
    );
    let mut rejects = Vec::new();
    for chunk_bytes in [1, 64 * 1024] {
        let (s, rejected) = envelope_run(&registry, &input, 1, chunk_bytes);
        assert_eq!(
            (s.records, s.normalized, s.rejected, s.skipped_lines),
            (2, 1, 1, 4),
            "chunks of {chunk_bytes}: {s:?}"
        );
        rejects.push(rejected);
    }
    assert_eq!(rejects[0], rejects[1]);
    assert!(rejects[0][0].contains("(line 4, byte 163)"), "{rejects:?}");
}

/// A run of `input` with `--envelope items`: on this thread (`threads` 1, into `Collect`,
/// whose rendered rejects come back) or on the parallel NDJSON path (none come back), in
/// chunks of about `chunk_bytes`.
fn envelope_run(
    registry: &Registry,
    input: &str,
    threads: usize,
    chunk_bytes: usize,
) -> (normalog::sink::Summary, Vec<String>) {
    use normalog::pipeline::input::SharedReader;
    use normalog::pipeline::{Batch, Ignore, Input};
    use normalog::sink::Collect;
    use normalog::NormalizerBuilder;

    let inputs = [Input::Reader(SharedReader::new(std::io::Cursor::new(
        input.as_bytes().to_vec(),
    )))];
    let mut batch = Batch::new();
    batch
        .envelope(Some("items".into()))
        .threads(threads)
        .chunk_bytes(chunk_bytes);
    let builder = NormalizerBuilder::new();
    if threads == 1 {
        let mut norm = builder.build(registry).unwrap();
        let mut collect = Collect::default();
        let run = batch
            .run(&mut norm, &inputs, &mut collect, &mut Ignore)
            .unwrap();
        return (run.summary, collect.rejects);
    }
    let opts = normalog::sink::ndjson::Options::default();
    let run = batch
        .run_ndjson(
            &builder,
            registry,
            &inputs,
            &mut Vec::new(),
            opts,
            &mut Ignore,
        )
        .unwrap();
    (run.summary, Vec::new())
}

/// A page of more elements than a chunk holds lines is normalized in parts (`split.rs`):
/// its elements are skipped with it, or not, as those of a page in one part. Review
/// s38-h2: the parts told their elements by their index in the page, so a split page
/// among the first `skipLines` lines had only its first elements skipped, and one after
/// them lost its first elements.
#[test]
fn a_page_in_parts_is_skipped_whole_or_not_at_all() {
    let (_dir, registry) = skip_schemas(2);
    let limit: u64 = 8192; // pipeline::chunker::MAX_CHUNK_LINES: more elements, more parts.
    for elements in [limit, limit + 1, 3 * limit] {
        let page = (0..elements)
            .map(|i| format!("\"2024-05-01T10:00:00Z e{i} status=x\""))
            .collect::<Vec<_>>()
            .join(",");
        for (preamble, skipped, records) in [
            ("# preamble\n", 1 + elements, 1),
            ("# preamble\n# preamble 2\n", 2, elements + 1),
        ] {
            let input = format!("{preamble}{{\"items\":[{page}]}}\nlast line\n");
            for threads in [1, 2] {
                let chunk_bytes = normalog::pipeline::DEFAULT_CHUNK_BYTES;
                let (s, _) = envelope_run(&registry, &input, threads, chunk_bytes);
                assert_eq!(
                    (s.skipped_lines, s.records),
                    (skipped, records),
                    "{elements} elements after {preamble:?}, {threads} threads"
                );
            }
        }
    }
}
