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
