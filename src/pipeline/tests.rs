//! The batch runs' record limit and their counts, on one thread and on several.

use super::*;

/// The rejects of a run: (reason, length of the raw record kept).
#[derive(Default)]
struct Rejects(Vec<(String, usize)>);

impl Observer for Rejects {
    fn rejected(&mut self, reject: &Reject<'_>) -> io::Result<()> {
        self.0.push((reject.error.reason(), reject.raw.len()));
        Ok(())
    }
}

/// One record under 1000 bytes, one far over it (more than a read), one under it.
fn input(dir: &std::path::Path) -> Vec<Input> {
    let small = r#"{"email":"a@x.com","time":"2023-01-01T00:00:00Z"}"#;
    let big = format!(r#"{{"email":"{}@x.com"}}"#, "a".repeat(200_000));
    let path = dir.join("in.ndjson");
    std::fs::write(&path, format!("{small}\n{big}\n{small}\n")).unwrap();
    vec![Input::Path(path)]
}

fn run(batch: &Batch, builder: &NormalizerBuilder, threads: usize) -> (Summary, Rejects) {
    let dir = tempfile::tempdir().unwrap();
    let inputs = input(dir.path());
    let registry = Registry::builtin();
    let mut rejects = Rejects::default();
    let run = if threads == 0 {
        let mut norm = builder.build(&registry).unwrap();
        let mut sink = crate::sink::Collect::default();
        batch
            .run(&mut norm, &inputs, &mut sink, &mut rejects)
            .unwrap()
    } else {
        let mut batch = batch.clone();
        let mut out = Vec::new();
        batch
            .threads(threads)
            .run_ndjson(
                builder,
                &registry,
                &inputs,
                &mut out,
                ndjson::Options::default(),
                &mut rejects,
            )
            .unwrap()
    };
    (run.summary, rejects)
}

#[test]
#[allow(deprecated)] // the deprecated setter's rule, kept while it is there
fn the_record_limit_is_the_normalizers() {
    let mut builder = NormalizerBuilder::new();
    builder.max_record_bytes(1000);
    let too_long = "record of 200018 bytes is longer than the limit of 1000".to_string();
    for threads in [0, 2] {
        // Only the builder sets the limit: the chunker skips the big line without
        // keeping it (no raw text), with the builder's limit in the message.
        let (s, rejects) = run(&Batch::new(), &builder, threads);
        assert_eq!((s.records, s.normalized, s.rejected), (3, 2, 1));
        assert_eq!(rejects.0, [(too_long.clone(), 0)], "threads {threads}");
        // The deprecated Batch limit, set higher or lower: the lower one applies.
        let (_, rejects) = run(Batch::new().max_record_bytes(1 << 20), &builder, threads);
        assert_eq!(rejects.0, [(too_long.clone(), 0)], "threads {threads}");
        let (s, rejects) = run(Batch::new().max_record_bytes(10), &builder, threads);
        assert_eq!((s.records, s.rejected), (3, 3), "threads {threads}");
        assert!(
            rejects.0[0].0.ends_with("the limit of 10"),
            "{:?}",
            rejects.0
        );
    }
}

/// `normalize_reader`'s error keeps an expansion limit known by its type (diff review: the
/// message was copied into a new error, and `ExpansionExceeded::of` found nothing).
#[test]
fn a_readers_expansion_error_stays_typed() {
    let exceeded = super::input::ExpansionExceeded {
        decompressed: 10,
        compressed: 1,
        ratio: 5,
    };
    let wrapped = |expansion| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            super::ReaderFailed {
                message: "<reader>: stopped (after 3 records)".into(),
                expansion,
            },
        )
    };
    let err = wrapped(Some(exceeded));
    assert_eq!(super::input::ExpansionExceeded::of(&err), Some(&exceeded));
    assert_eq!(err.to_string(), "<reader>: stopped (after 3 records)");
    assert_eq!(super::input::ExpansionExceeded::of(&wrapped(None)), None);
}

/// The positions of a run's rejects: (record, line, byte).
#[derive(Default)]
struct Positions(Vec<(u64, u64, u64)>);

impl Observer for Positions {
    fn rejected(&mut self, reject: &Reject<'_>) -> io::Result<()> {
        let pos = reject.error.position().unwrap();
        self.0.push((pos.record(), pos.line(), pos.byte()));
        Ok(())
    }
}

/// A document of more records than a chunk holds is normalized in several chunks, and its
/// rejects keep their place in the input: record numbers, lines and bytes count on from
/// chunk to chunk, on one thread and on several.
#[test]
fn rejects_of_a_long_document_keep_their_place() {
    let records = usize::try_from(lines::MAX_CHUNK_LINES).unwrap() + 5;
    let good = r#"{"email":"a@x.com","time":"2023-01-01T00:00:00Z"}"#;
    let mut doc = String::from("[");
    let mut want = Vec::new();
    for i in 0..records {
        if i > 0 {
            doc.push_str(",\n");
        }
        if i == records - 3 {
            doc.push_str(good);
        } else {
            want.push((i as u64, i as u64 + 1, doc.len() as u64));
            doc.push_str("{}");
        }
    }
    doc.push(']');
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.json");
    std::fs::write(&path, &doc).unwrap();
    let inputs = [Input::Path(path)];
    let registry = Registry::builtin();
    let builder = NormalizerBuilder::new();
    for threads in [0, 2] {
        let mut seen = Positions::default();
        let run = if threads == 0 {
            let mut norm = builder.build(&registry).unwrap();
            let mut sink = crate::sink::Collect::default();
            Batch::new().run(&mut norm, &inputs, &mut sink, &mut seen)
        } else {
            Batch::new().threads(threads).run_ndjson(
                &builder,
                &registry,
                &inputs,
                &mut Vec::new(),
                ndjson::Options::default(),
                &mut seen,
            )
        }
        .unwrap();
        let s = run.summary;
        assert_eq!((s.records, s.normalized), (records as u64, 1), "{threads}");
        assert_eq!(seen.0, want, "threads {threads}");
    }
}

/// What a run reported: each reject's record, page index and field, and at each progress
/// step (one per part of a chunk written) how many rejects came with it.
#[derive(Default)]
struct Steps {
    rejects: Vec<(u64, Option<u64>, Option<String>, usize)>,
    this_step: u64,
    per_step: Vec<u64>,
}

impl Observer for Steps {
    fn rejected(&mut self, r: &Reject<'_>) -> io::Result<()> {
        let record = r.error.position().map_or(u64::MAX, |p| p.record);
        let field = r.field.map(str::to_owned);
        self.rejects.push((record, r.index, field, r.raw.len()));
        self.this_step += 1;
        Ok(())
    }

    fn progress(&mut self, _: &Progress) {
        self.per_step.push(std::mem::take(&mut self.this_step));
    }
}

/// Pages of 30,000 and twice 9,000 elements, two in three refused, between other records
/// (the two small pages in one chunk of input): their elements are written a chunk's
/// worth at a time (a worker held all the rejects of a page before, and a 15 MB page of
/// `{}` 3 GB), numbered and placed as before, on one thread and several, on lines and
/// inside a document. The second big page of a chunk and the records after it were lost
/// (review finding).
#[test]
fn a_big_page_is_written_a_chunk_at_a_time() {
    let valid =
        |i: u64| format!(r#"{{"id":{i},"action":"create","created_at":"2024-05-01T10:00:00Z"}}"#);
    let element = |i: u64| {
        if i % 3 == 2 {
            valid(i)
        } else {
            format!(r#"{{"id":{i}}}"#)
        }
    };
    let page = |n: u64| {
        let elements: Vec<String> = (0..n).map(element).collect();
        format!(
            r#"{{"audit_logs":[{}],"next_page":null}}"#,
            elements.join(",")
        )
    };
    let records = [
        valid(1),
        page(30_000),
        r#"{"x":1}"#.to_owned(),
        page(9_000),
        page(9_000),
        valid(2),
    ];
    let dir = tempfile::tempdir().unwrap();
    let lines = dir.path().join("lines.ndjson");
    std::fs::write(&lines, records.join("\n") + "\n").unwrap();
    let document = dir.path().join("document.json");
    std::fs::write(&document, format!("[\n{}\n]\n", records.join(",\n"))).unwrap();

    // Expected: every refused element with its index in its page, and the refused record
    // between the pages, numbered after the first page's elements.
    let refused = |n: u64| {
        (0..n)
            .filter(|i| i % 3 != 2)
            .map(move |i| (i, Some(i), Some("audit_logs".to_owned()), element(i).len()))
    };
    let mut expected: Vec<_> = refused(30_000).collect();
    expected.push((1 + 30_000, None, None, 7));
    expected.extend(refused(9_000).chain(refused(9_000)));
    let taken = |n: u64| (0..n).filter(|i| i % 3 == 2).map(|i: u64| i.to_string());
    let mut ids = vec!["1".to_owned()];
    ids.extend(taken(30_000).chain(taken(9_000)).chain(taken(9_000)));
    ids.push("2".to_owned());
    let registry = Registry::builtin();
    let builder = NormalizerBuilder::new();
    for input in [lines, document] {
        let inputs = [Input::Path(input.clone())];
        for threads in [0, 1, 2] {
            let mut steps = Steps::default();
            let (run, events) = if threads == 0 {
                let mut norm = builder.build(&registry).unwrap();
                let mut sink = crate::sink::Collect::default();
                let run = Batch::new()
                    .run(&mut norm, &inputs, &mut sink, &mut steps)
                    .unwrap();
                (run, sink.events.join("\n").into_bytes())
            } else {
                let mut out = Vec::new();
                let run = Batch::new()
                    .threads(threads)
                    .run_ndjson(
                        &builder,
                        &registry,
                        &inputs,
                        &mut out,
                        ndjson::Options::default(),
                        &mut steps,
                    )
                    .unwrap();
                (run, out)
            };
            let events: Vec<String> = std::str::from_utf8(&events)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
                .collect();
            let what = format!("{} on {threads} threads", input.display());
            assert_eq!(steps.rejects, expected, "{what}");
            assert_eq!(events, ids, "{what}");
            assert_eq!(
                (run.summary.records, run.summary.rejected),
                (48_003, 32_001),
                "{what}"
            );
            let most = steps.per_step.iter().max().copied().unwrap_or(0);
            assert!(
                most <= lines::MAX_CHUNK_LINES,
                "{what}: {most} rejects in one step"
            );
        }
    }
}
