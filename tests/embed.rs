//! Embedding normalog through its public API only: every entry point normalizes the shipped
//! sample records to the same events.

mod util;

use normalog::indicators::Column;
use normalog::sink::{ndjson::Options, Collect};
use normalog::{NormalizerBuilder, Plan, Position, Registry, StreamNormalizer};

fn samples() -> String {
    std::fs::read_to_string(util::data("samples/mixed.jsonl")).expect("samples")
}

/// The events without the fields that differ on every run.
fn stable(events: &[String]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            let mut v: serde_json::Value = serde_json::from_str(e).expect("json");
            let o = v.as_object_mut().expect("object");
            o.remove("p_row_id");
            o.remove("p_parse_time");
            v.to_string()
        })
        .collect()
}

#[test]
fn shared_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<Registry>();
    send_sync::<Plan>();
    send_sync::<NormalizerBuilder>();
    send::<normalog::Normalizer>();
    send::<StreamNormalizer>();
}

#[test]
fn every_entry_point_gives_the_same_events() {
    let registry = Registry::builtin();
    let builder = NormalizerBuilder::new();
    let text = samples();

    // 1. normalize_bytes into a sink.
    let mut n = builder.build(&registry).expect("normalizer");
    let mut by_bytes = Collect::default();
    for (i, l) in text.lines().enumerate() {
        n.normalize_bytes(
            l.as_bytes(),
            Position::new(0, i as u64 + 1, i as u64),
            &mut by_bytes,
        )
        .expect("sink");
    }

    // 2. normalize_line in place into a sink.
    let mut by_line = Collect::default();
    for (i, l) in text.lines().enumerate() {
        let mut buf = l.as_bytes().to_vec();
        n.normalize_line(
            &mut buf,
            Position::new(0, i as u64 + 1, i as u64),
            &mut by_line,
        )
        .expect("sink");
    }

    // 3. normalize returning the event, buffers handed back.
    let mut returned = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let mut buf = l.as_bytes().to_vec();
        let event = n
            .normalize(&mut buf, Position::new(0, i as u64 + 1, i as u64))
            .expect("valid record");
        returned.push(event.to_json(Options::default()));
        let buffers = event.into_buffers();
        n.reuse(buffers);
    }

    // 4. Streaming, in awkward chunks.
    let mut stream = StreamNormalizer::new(builder.build(&registry).expect("normalizer"));
    let mut streamed = Collect::default();
    for chunk in text.as_bytes().chunks(37) {
        stream.feed(chunk, &mut streamed).expect("sink");
    }
    stream.finish(&mut streamed).expect("sink");

    // 5. A whole reader.
    let mut read = Collect::default();
    let summary = normalog::pipeline::normalize_reader(
        &mut n,
        std::io::Cursor::new(text.clone().into_bytes()),
        &mut read,
    )
    .expect("run");
    assert_eq!(summary.normalized, 12);
    assert_eq!(summary.rejected, 0);

    let expected = stable(&by_bytes.events);
    assert_eq!(expected.len(), 12);
    assert_eq!(stable(&by_line.events), expected);
    assert_eq!(stable(&returned), expected);
    assert_eq!(stable(&streamed.events), expected);
    assert_eq!(stable(&read.events), expected);
}

#[test]
fn typed_access_to_an_event() {
    let registry = Registry::builtin();
    let mut n = NormalizerBuilder::new()
        .log_types(["Zendesk.Audit"])
        .source_label(Some("zendesk prod".into()))
        .build(&registry)
        .expect("normalizer");
    let line = samples().lines().next().expect("a line").to_string();
    let mut buf = line.into_bytes();
    let event = n.normalize(&mut buf, Position::default()).expect("valid");
    assert_eq!(event.log_type(), "Zendesk.Audit");
    assert_eq!(
        event.get(&["id"]).and_then(|v| v.as_i64()),
        Some(30_012_345_601)
    );
    assert_eq!(
        event.get(&["action"]).and_then(|v| v.as_str()),
        Some("update")
    );
    assert_eq!(
        event
            .get(&["created_at"])
            .and_then(|v| v.as_timestamp())
            .map(|t| t.to_rfc3339()),
        Some("2024-02-12T08:15:03+00:00".to_string())
    );
    assert!(event.get(&["nope"]).is_none());
    assert_eq!(event.event_time().to_rfc3339(), "2024-02-12T08:15:03+00:00");
    {
        // chrono's methods through the crate's own chrono, without a dependency on it.
        use normalog::time::chrono::{Datelike, Timelike};
        assert_eq!(
            (event.event_time().year(), event.event_time().hour()),
            (2024, 8)
        );
    }
    assert!(!event.event_time_is_parse_time());
    assert_eq!(event.row_id().len(), 32);
    assert_eq!(event.source().label.as_deref(), Some("zendesk prod"));
    assert_eq!(event.indicators(Column::IpAddresses), ["203.0.113.41"]);
    let owned = event.to_owned_event();
    drop(buf);
    let v = owned.to_value().expect("json");
    assert_eq!(v["p_source_label"], "zendesk prod");
    assert_eq!(owned.log_type, "Zendesk.Audit");
}

#[test]
fn an_empty_registry_says_so() {
    let e = NormalizerBuilder::new()
        .build(&Registry::new())
        .expect_err("nothing loaded");
    assert_eq!(e.classify(), normalog::Category::Config);
    assert_eq!(e.code(), "no_log_types");
    assert!(
        e.to_string()
            .starts_with("no log type is loaded: add schemas"),
        "{e}"
    );
}

#[test]
fn an_unknown_log_type_names_the_one_meant() {
    let registry = Registry::builtin();
    let unknown = |name: &str| {
        let e = NormalizerBuilder::new()
            .log_types(["Zoom.Activity", name])
            .build(&registry)
            .expect_err("unknown log type");
        assert_eq!(e.classify(), normalog::Category::Config);
        assert_eq!(e.code(), "unknown_log_type");
        match e.into_kind() {
            normalog::ErrorKind::UnknownLogType(u) => u,
            other => panic!("not an unknown log type: {other:?}"),
        }
    };
    // A typo, a swap of neighbours, another case: the loaded one meant.
    for typo in [
        "Zoom.Activty",
        "Zoom.Actvitiy",
        "zoom.activity",
        "ZOOM.ACTIVITY",
    ] {
        let u = unknown(typo);
        assert_eq!(u.name(), typo);
        assert_eq!(u.suggestion(), Some("Zoom.Activity"), "{typo}");
    }
    let u = unknown("Zendesk.Audti");
    assert_eq!(u.suggestion(), Some("Zendesk.Audit"));
    assert_eq!(
        u.to_string(),
        "unknown log type \"Zendesk.Audti\" (loaded log types: Zendesk.Audit, Zoom.Activity, \
         Zoom.Operation); did you mean `Zendesk.Audit`?"
    );
    assert_eq!(
        u.loaded(),
        ["Zendesk.Audit", "Zoom.Activity", "Zoom.Operation"]
    );
    // Nothing close: no guess.
    let u = unknown("Okta.SystemLog");
    assert_eq!(u.suggestion(), None);
    assert!(!u.to_string().contains("did you mean"), "{u}");
    // The registry says the same without building a normalizer, of its own log types.
    let mut own = Registry::new();
    own.add_str(
        "schema: Custom.MyApp\nfields:\n  - name: msg\n    type: string\n",
        "a.yml",
    )
    .expect("schema");
    let e = own.lookup("Custom.MyAp").expect_err("unknown");
    assert_eq!(e.suggestion(), Some("Custom.MyApp"));
    assert!(own.lookup("Custom.MyApp").is_ok());
    // And the generator.
    let g = normalog::gen::Generator::new(
        &registry,
        &["zoom.operation"],
        &normalog::gen::GenOptions::default(),
    );
    match g.err() {
        Some(normalog::gen::GenError::UnknownLogType(u)) => {
            assert_eq!(u.suggestion(), Some("Zoom.Operation"));
        }
        other => panic!("not an unknown log type: {other:?}"),
    }
}

#[test]
fn rejects_come_back_as_errors() {
    let registry = Registry::builtin();
    let mut n = NormalizerBuilder::new()
        .log_types(["Zoom.Activity"])
        .build(&registry)
        .expect("normalizer");
    let mut buf = br#"{"email":"a@b.c"}"#.to_vec();
    let err = n
        .normalize(&mut buf, Position::new(10, 2, 1))
        .expect_err("missing time");
    assert!(err.is_record_error());
    assert_eq!(err.classify(), normalog::Category::Data);
    assert_eq!(err.code(), "missing_field");
    assert_eq!(err.position(), Some(&Position::new(10, 2, 1)));
    assert_eq!(
        err.to_string(),
        "record 1 (line 2, byte 10): Zoom.Activity: missing required field \"time\""
    );
}

/// An `NdjsonWriter` dropped without a flush still writes its lines: an embedder feeding a
/// `StreamNormalizer` and letting the writer go out of scope loses nothing.
#[test]
fn a_dropped_ndjson_writer_writes_what_it_holds() {
    let registry = Registry::builtin();
    let mut stream = StreamNormalizer::new(NormalizerBuilder::new().build(&registry).expect("n"));
    let mut out = Vec::new();
    {
        let mut writer = normalog::sink::ndjson::NdjsonWriter::new(&mut out);
        stream
            .feed(samples().as_bytes(), &mut writer)
            .expect("feed");
        stream.finish(&mut writer).expect("finish");
    }
    let lines = String::from_utf8(out).expect("utf-8");
    assert_eq!(lines.lines().count(), samples().lines().count(), "{lines}");
}

/// `normalize` (in place) says what is wrong with invalid JSON as precisely as
/// `normalize_bytes`: the same message and column, a byte order mark named as such.
#[test]
fn invalid_json_is_described_alike_by_every_entry_point() {
    let registry = Registry::builtin();
    let mut n = NormalizerBuilder::new()
        .log_types(["Zoom.Activity"])
        .build(&registry)
        .expect("normalizer");
    let good = r#"{"email":"a@b.c","time":"2023-07-01T14:00:00Z"}"#;
    for bad in [
        format!("\u{feff}{good}"),
        format!("{good}{good}"),
        "NaN".to_owned(),
        good[..20].to_owned(),
        good.replace("a@b.c", "a\u{0}b"),
    ] {
        let pos = Position::new(0, 2, 1);
        let mut by_bytes = Collect::default();
        n.normalize_bytes(bad.as_bytes(), pos, &mut by_bytes)
            .expect("sink");
        let expected = by_bytes.rejects.first().expect("rejected").clone();
        let mut buf = bad.as_bytes().to_vec();
        let err = n.normalize(&mut buf, pos).expect_err("rejected");
        assert_eq!(err.to_string(), expected, "{bad:?}");
        assert!(!expected.contains("internal error"), "{expected}");
    }
}

/// A dead-letter queue: keeps each reject's reason and raw record, counts events.
#[derive(Default)]
struct DeadLetters {
    events: usize,
    rejects: Vec<(String, Vec<u8>)>,
}

impl normalog::Sink for DeadLetters {
    type Error = normalog::Error;
    fn record(&mut self, _event: &normalog::Event<'_>) -> Result<bool, normalog::Error> {
        self.events += 1;
        Ok(true)
    }
    fn rejected_record(
        &mut self,
        err: &normalog::Error,
        raw: &[u8],
    ) -> Result<bool, normalog::Error> {
        self.rejects.push((err.code().to_owned(), raw.to_vec()));
        Ok(true)
    }
}

/// A sink written before `rejected_record`: it implements `rejected` alone.
#[derive(Default)]
struct OnlyRejected {
    events: u64,
    rejects: Vec<String>,
}

impl normalog::Sink for OnlyRejected {
    type Error = normalog::Error;
    fn record(&mut self, _event: &normalog::Event<'_>) -> Result<bool, normalog::Error> {
        self.events += 1;
        Ok(true)
    }
    fn rejected(&mut self, err: &normalog::Error) -> Result<bool, normalog::Error> {
        self.rejects.push(err.code().to_owned());
        Ok(true)
    }
}

const GOOD: &str = r#"{"email":"a@example.com","time":"2023-07-01T14:00:00Z"}"#;

/// A stream with a byte-order mark, CRLF and LF endings, blank lines, a text line, and a
/// last record without its newline; and the raw records of its rejects, as the caller
/// wrote them.
fn dead_letter_input() -> (Vec<u8>, Vec<&'static [u8]>) {
    let mut input = b"\xEF\xBB\xBF".to_vec();
    for line in [
        GOOD,
        "\r",
        "{\"email\":\"b@example.com\"}\r",
        "ok fine",
        GOOD,
        "{\"email\": broken",
        "not json at all\r",
        "  ",
        "42",
        "ok fine\r",
    ] {
        input.extend_from_slice(line.as_bytes());
        input.push(b'\n');
    }
    input.extend_from_slice(br#"{"time":"x"}"#);
    let raw: Vec<&[u8]> = vec![
        br#"{"email":"b@example.com"}"#,
        br#"{"email": broken"#,
        b"not json at all",
        b"42",
        br#"{"time":"x"}"#,
    ];
    (input, raw)
}

/// The built-in log types, and with `text`, one more that reads `ok <word>` lines (so that
/// records take the text and mixed paths too).
fn dead_letter_registry(text: bool) -> Registry {
    let mut registry = Registry::builtin();
    if text {
        registry
            .add_str(
                "schema: Custom.Ok\nparser:\n  regex:\n    match: ['^ok (?P<word>\\w+)$']\n\
                 fields:\n  - {name: word, type: string, required: true}\n",
                "ok.yml",
            )
            .expect("schema");
    }
    registry
}

/// Every entry point hands each reject's raw record to the sink: the record as written,
/// without its line ending or the input's byte-order mark (the bytes `pipeline::Reject::raw`
/// holds), in order, and never an event's.
#[test]
fn rejects_reach_the_sink_with_their_raw_records() {
    let (input, raw) = dead_letter_input();
    for text in [false, true] {
        let registry = dead_letter_registry(text);
        let builder = NormalizerBuilder::new();
        let events = if text { 4 } else { 2 };
        let mut expected: Vec<&[u8]> = raw.clone();
        if !text {
            // No log type reads `ok fine`: two more rejects.
            expected.insert(1, b"ok fine");
            expected.push(b"ok fine");
            expected.swap(5, 6);
        }
        let check = |path: &str, sink: &DeadLetters| {
            let got: Vec<&[u8]> = sink.rejects.iter().map(|(_, r)| &r[..]).collect();
            assert_eq!(got, expected, "{path}, text log type: {text}");
            assert_eq!(sink.events, events, "{path}, text log type: {text}");
        };

        // normalize_bytes over the lines a caller splits with the framing rules.
        let mut n = builder.build(&registry).expect("normalizer");
        let mut sink = DeadLetters::default();
        let bom = normalog::parse::frame::bom_len(&input);
        let start = Position::new(bom as u64, 1, 0);
        for line in normalog::parse::frame::Lines::new(&input[bom..], start) {
            if let normalog::parse::frame::Line::Record(pos, range) = line {
                let rec = &input[bom + range.start..bom + range.end];
                // Through `&mut S` too: it forwards the raw record.
                n.normalize_bytes(rec, pos, &mut &mut sink).expect("sink");
            }
        }
        check("normalize_bytes", &sink);

        // StreamNormalizer, fed in small pieces.
        for size in [1, 2, 5, 64] {
            let mut stream = StreamNormalizer::new(builder.build(&registry).expect("n"));
            let mut sink = DeadLetters::default();
            for piece in input.chunks(size) {
                stream.feed(piece, &mut sink).expect("feed");
            }
            stream.finish(&mut sink).expect("finish");
            check(&format!("StreamNormalizer in pieces of {size}"), &sink);
        }

        // normalize_reader.
        let mut n = builder.build(&registry).expect("normalizer");
        let mut sink = DeadLetters::default();
        normalog::pipeline::normalize_reader(
            &mut n,
            std::io::Cursor::new(input.clone()),
            &mut sink,
        )
        .expect("reader");
        check("normalize_reader", &sink);
    }
}

/// `StreamNormalizer::summary` counts what the sink got, as `normalize_reader` counts the
/// same input.
#[test]
fn stream_summary_counts_what_the_sink_got() {
    let (input, _) = dead_letter_input();
    let mut input = [input, b"\n".to_vec(), samples().into_bytes()].concat();
    input.extend_from_slice(b"\n\n");
    for text in [false, true] {
        let registry = dead_letter_registry(text);
        let builder = NormalizerBuilder::new();
        let mut n = builder.build(&registry).expect("normalizer");
        let by_reader = normalog::pipeline::normalize_reader(
            &mut n,
            std::io::Cursor::new(input.clone()),
            &mut normalog::sink::Discard,
        )
        .expect("reader");
        for size in [1, 7, 4096] {
            let mut stream = StreamNormalizer::new(builder.build(&registry).expect("n"));
            let mut out = Collect::default();
            for piece in input.chunks(size) {
                stream.feed(piece, &mut out).expect("feed");
            }
            stream.finish(&mut out).expect("finish");
            let s = stream.summary();
            let at = format!("pieces of {size}, text log type: {text}");
            assert_eq!(s.normalized, out.events.len() as u64, "{at}");
            assert_eq!(s.rejected, out.rejects.len() as u64, "{at}");
            assert_eq!(s.records, s.normalized + s.rejected, "{at}");
            assert_eq!(s.by_log_type.values().sum::<u64>(), s.normalized, "{at}");
            assert_eq!(
                s.rejects_by_reason.values().sum::<u64>(),
                s.rejected,
                "{at}"
            );
            assert_eq!(s.blank_lines, 4, "{at}");
            assert_eq!(s.bytes, input.len() as u64, "{at}");
            assert_eq!(out.rejected_raw.len(), out.rejects.len(), "{at}");
            assert_eq!(*s, by_reader, "{at}");
        }
    }
}

/// A sink that implements only `rejected` still gets every reject, on every path.
#[test]
fn a_sink_with_only_rejected_gets_every_reject() {
    let (input, raw) = dead_letter_input();
    let registry = dead_letter_registry(true);
    let builder = NormalizerBuilder::new();

    let mut stream = StreamNormalizer::new(builder.build(&registry).expect("n"));
    let mut by_stream = OnlyRejected::default();
    for piece in input.chunks(3) {
        stream.feed(piece, &mut by_stream).expect("feed");
    }
    stream.finish(&mut by_stream).expect("finish");
    assert_eq!(by_stream.rejects.len(), raw.len());
    assert_eq!(stream.summary().rejected, raw.len() as u64);
    assert_eq!(stream.summary().normalized, by_stream.events);

    let mut n = builder.build(&registry).expect("normalizer");
    let mut by_reader = OnlyRejected::default();
    let summary =
        normalog::pipeline::normalize_reader(&mut n, std::io::Cursor::new(input), &mut by_reader)
            .expect("reader");
    assert_eq!(by_reader.rejects, by_stream.rejects);
    assert_eq!(summary.rejected, raw.len() as u64);

    let mut by_bytes = OnlyRejected::default();
    n.normalize_bytes(b"{}", Position::default(), &mut &mut by_bytes)
        .expect("sink");
    assert_eq!(by_bytes.rejects.len(), 1);
}

/// A reject's record number is its index in the input, also past the first chunk of a
/// reader (the sink used to get the number within the chunk, unlike the observer).
#[test]
fn rejects_of_a_long_input_number_their_records_in_the_input() {
    let registry = Registry::builtin();
    let mut n = NormalizerBuilder::new()
        .build(&registry)
        .expect("normalizer");
    let good = r#"{"email":"a@b.c","time":"2023-07-01T14:00:00Z"}"#;
    let records = 3 * 1024 * 1024 / good.len();
    let mut text = format!("{good}\n").repeat(records);
    text.push_str("not json\n");
    let mut sink = Collect::default();
    let summary =
        normalog::pipeline::normalize_reader(&mut n, std::io::Cursor::new(text), &mut sink)
            .expect("run");
    assert_eq!(summary.rejected, 1);
    let reject = &sink.rejects[0];
    assert!(
        reject.starts_with(&format!("record {records} (line {}, ", records + 1)),
        "{reject}"
    );
}

/// The errors an embedder logs with their chain of sources say each thing once (review
/// finding: the wrapped I/O, schema and sink errors were the source too, and a report
/// that walks the chain printed them twice); a sink reports its own failure as one.
#[test]
fn an_error_and_its_sources_say_each_thing_once() {
    fn chain(e: &dyn std::error::Error) -> Vec<String> {
        let mut all = vec![e.to_string()];
        let mut next = e.source();
        while let Some(s) = next {
            all.push(s.to_string());
            next = s.source();
        }
        all
    }
    let io = normalog::Error::from(std::io::Error::new(std::io::ErrorKind::NotFound, "gone"));
    assert_eq!(chain(&io), ["gone"]);
    assert!(
        matches!(io.kind(), normalog::ErrorKind::Io(e) if e.kind() == std::io::ErrorKind::NotFound)
    );
    let mut registry = Registry::new();
    let schema = registry
        .add_str(
            "schema: Custom.App\nfields:\n  - {name: a, type: strng}\n",
            "app.yml",
        )
        .expect_err("unknown type");
    let schema = normalog::Error::from(schema);
    assert_eq!(chain(&schema).len(), 1, "{:?}", chain(&schema));
    let sink = normalog::Error::sink("the broker refused the batch");
    assert_eq!(chain(&sink), ["output: the broker refused the batch"]);
    assert_eq!(sink.code(), "sink");
}

/// `Debug` of what an embedder keeps in its own structs says what it is without the
/// internals (review finding: 25 KB for the built-in registry, and the bytes of a pending
/// line, up to the record limit, as numbers).
#[test]
fn debug_output_stays_short() {
    let registry = Registry::builtin();
    let shown = format!("{registry:?}");
    assert_eq!(
        shown,
        "Registry { log_types: [\"Zendesk.Audit\", \"Zoom.Activity\", \"Zoom.Operation\"], .. }"
    );
    let plan = registry.get("Zoom.Activity").expect("plan");
    assert!(format!("{plan:?}").len() < 100, "{plan:?}");
    let mut stream =
        StreamNormalizer::new(NormalizerBuilder::new().build(&registry).expect("build"));
    let mut out = Collect::default();
    stream.feed(&vec![b' '; 1 << 20], &mut out).expect("feed");
    let shown = format!("{stream:?}");
    assert!(shown.len() < 300, "{} bytes", shown.len());
    assert!(shown.contains("pending_bytes: 1048576"), "{shown}");
}

/// A log type named twice is tried once (review finding: tried twice, and named twice in
/// every reject).
#[test]
fn a_log_type_named_twice_is_tried_once() {
    let registry = Registry::builtin();
    let mut n = NormalizerBuilder::new()
        .log_types(["Zoom.Activity", "Zoom.Operation", "Zoom.Activity"])
        .build(&registry)
        .expect("build");
    assert_eq!(
        n.log_types().collect::<Vec<_>>(),
        ["Zoom.Activity", "Zoom.Operation"]
    );
    let mut out = Collect::default();
    n.normalize_bytes(b"{\"x\":1}", Position::default(), &mut out)
        .expect("normalize");
    assert_eq!(out.rejects.len(), 1);
    assert_eq!(
        out.rejects[0].matches("Zoom.Activity:").count(),
        1,
        "{}",
        out.rejects[0]
    );
}

/// A dead-letter sink keeps the errors it is lent, whole (review finding: `Error` was not
/// `Clone`, so only its message could be kept).
#[test]
fn a_sink_keeps_the_errors_it_is_lent() {
    #[derive(Default)]
    struct Kept(Vec<normalog::Error>);
    impl normalog::Sink for Kept {
        type Error = normalog::Error;
        fn record(&mut self, _: &normalog::Event<'_>) -> Result<bool, normalog::Error> {
            Ok(true)
        }
        fn rejected(&mut self, err: &normalog::Error) -> Result<bool, normalog::Error> {
            self.0.push(err.clone());
            Ok(true)
        }
    }
    let registry = Registry::builtin();
    let mut n = NormalizerBuilder::new()
        .log_types(["Zoom.Activity"])
        .build(&registry)
        .expect("build");
    let mut kept = Kept::default();
    n.normalize_bytes(
        br#"{"time":"2024-01-01T00:00:00Z"}"#,
        Position::new(10, 2, 1),
        &mut kept,
    )
    .expect("normalize");
    let [err] = &kept.0[..] else {
        panic!("{:?}", kept.0)
    };
    assert_eq!(err.code(), "missing_field");
    assert_eq!(
        err.position().map(|p| (p.byte(), p.line(), p.record())),
        Some((10, 2, 1))
    );
    assert!(
        err.to_string()
            .ends_with("missing required field \"email\""),
        "{err}"
    );
    let io = normalog::Error::from(std::io::Error::new(std::io::ErrorKind::NotFound, "gone"));
    assert!(
        matches!(io.clone().kind(), normalog::ErrorKind::Io(e) if e.kind() == std::io::ErrorKind::NotFound)
    );
}
