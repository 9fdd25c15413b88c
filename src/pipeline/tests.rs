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
    let records = usize::try_from(chunker::MAX_CHUNK_LINES).unwrap() + 5;
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
