//! The parse stage allocates nothing per record in steady state: after a warm-up pass, more
//! records through `Normalizer::normalize_line` (and `normalize_bytes`) make zero heap
//! allocations. This backs the "zero-copy" claim in the README.

// A counting global allocator needs `unsafe impl GlobalAlloc`; it only forwards to `System`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use normalog::sink::Discard;
use normalog::time::TimeFormat;
use normalog::{Event, NormalizerBuilder, Position, Registry, Sink};

struct Counting;

thread_local! {
    /// Set on the test's thread only: the test harness's other threads may allocate at any
    /// time (under load, libtest's main thread does while the test runs).
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

fn counting() -> bool {
    COUNTING.try_with(Cell::get).unwrap_or(false)
}

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if counting() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if counting() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Realistic records of the three shipped log types, mixed, so classification switches type
/// on most records (the failing candidates must not allocate either).
const RECORDS: &[&str] = &[
    r#"{"url":"https://acme.zendesk.com/api/v2/audit_logs/9001.json","id":9001,"action_label":"Updated","actor_id":381,"source_id":77,"source_type":"user","source_label":"Dana \"D\" Ortiz","action":"update","change_description":"Role changed from End User to Agent\nGroup added: Tier 2 — Support","ip_address":"203.0.113.9","created_at":"2024-03-05T09:12:44Z"}"#,
    r#"{"email":"li.wei@example.org","time":"2024-03-05T09:13:02.125Z","type":"Sign in","ip_address":"2001:db8:85a3::8a2e:370:7334","client_type":"Browser","version":"-"}"#,
    r#"{"time":"2024-03-05T09:15:10+01:00","operator":"admin@example.org","category_type":"User","action":"Update","operation_detail":"Update user sam@example.org: role changed"}"#,
    r#"{"id":9002,"actor_id":-1,"action":"login","ip_address":null,"created_at":"2024-03-05T10:00:00Z","change_description":""}"#,
    r#"{"email":"ops@example.org","time":"2024-03-05T10:01:00Z","type":"Sign out","ip_address":"198.51.100.20","client_type":"Zoom Rooms","version":"5.17.11 (3835)"}"#,
];

struct Count(usize);
impl Sink for Count {
    type Error = normalog::Error;
    fn record(&mut self, _event: &Event<'_>) -> Result<bool, normalog::Error> {
        self.0 += 1;
        Ok(true)
    }
}

#[test]
fn steady_state_parse_stage_allocates_nothing() {
    let registry = Registry::builtin();
    let mut normalizer = NormalizerBuilder::new()
        .source_id(Some("src-1".into()))
        .build(&registry)
        .expect("normalizer");
    let mut line = Vec::with_capacity(4096);
    let mut sink = Count(0);
    let run = |normalizer: &mut normalog::Normalizer, line: &mut Vec<u8>, sink: &mut Count| {
        for (i, r) in RECORDS.iter().enumerate() {
            line.clear();
            line.extend_from_slice(r.as_bytes());
            let pos = Position::new(0, i as u64 + 1, i as u64);
            normalizer.normalize_line(line, pos, sink).expect("sink");
            normalizer
                .normalize_bytes(r.as_bytes(), pos, &mut Discard)
                .expect("sink");
        }
    };
    // Warm-up: buffers grow to their working size.
    run(&mut normalizer, &mut line, &mut sink);
    run(&mut normalizer, &mut line, &mut sink);
    assert_eq!(sink.0, 2 * RECORDS.len(), "every record normalizes");

    ALLOCATIONS.store(0, Ordering::Relaxed);
    COUNTING.with(|c| c.set(true));
    for _ in 0..200 {
        run(&mut normalizer, &mut line, &mut sink);
    }
    COUNTING.with(|c| c.set(false));
    assert_eq!(sink.0, 202 * RECORDS.len());
    assert_eq!(
        ALLOCATIONS.load(Ordering::Relaxed),
        0,
        "allocations in steady state"
    );
}

/// The same with text log types loaded beside the JSON ones: text lines (matched, written
/// as a JSON object, decoded) and JSON records (copied aside, since a text type may have to
/// read the untouched line) allocate nothing either.
#[test]
fn steady_state_text_lines_allocate_nothing() {
    let mut registry = Registry::builtin();
    let text = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/schematest/text");
    registry.add_path(&text).expect("text schemas");
    let mut normalizer = NormalizerBuilder::new()
        .build(&registry)
        .expect("normalizer");
    let lines: Vec<&str> = RECORDS
        .iter()
        .copied()
        .chain([
            // No referrer URL: the `url` indicator allocates for every URL it reads (in
            // indicators/url.rs, whatever the record's format), which is not this test's topic.
            r#"203.0.113.9 - alice [01/Jul/2023:14:00:00 +0200] "GET /index.html?q=1 HTTP/1.1" 200 5120 "" "Mozilla/5.0 (X11)""#,
            "2023-07-01 14:00:00 CONNECT user=alice src=10.0.0.1 port=443 duration=35.5s",
            // CSV rows, one with a quoted value (unescaped into a reused buffer).
            "2023-07-01 14:00:00, allow ,10.0.0.1,51000,192.0.2.10,443,tcp,5120,dmz,web-out",
            r#"2023-07-01 14:00:01,deny,10.0.0.2,51001,198.51.100.7,22,tcp,0,lan,"block ""ssh"", outbound""#,
            r#"2023-07-01 14:00:05 DENY user= bob  src=198.51.100.4 reason="bad password, locked""#,
            "www.example.org - - [01/Jul/2023:14:00:05 +0000] \"-\" 408 -",
        ])
        .collect();
    let mut line = Vec::with_capacity(4096);
    let mut sink = Count(0);
    let mut run = |normalizer: &mut normalog::Normalizer, sink: &mut Count| {
        for (i, r) in lines.iter().enumerate() {
            line.clear();
            line.extend_from_slice(r.as_bytes());
            let pos = Position::new(0, i as u64 + 1, i as u64);
            normalizer
                .normalize_line(&mut line, pos, sink)
                .expect("sink");
            normalizer
                .normalize_bytes(r.as_bytes(), pos, &mut Discard)
                .expect("sink");
        }
    };
    run(&mut normalizer, &mut sink);
    run(&mut normalizer, &mut sink);
    assert_eq!(sink.0, 2 * (RECORDS.len() + 6), "every record normalizes");

    ALLOCATIONS.store(0, Ordering::Relaxed);
    COUNTING.with(|c| c.set(true));
    for _ in 0..200 {
        run(&mut normalizer, &mut sink);
    }
    COUNTING.with(|c| c.set(false));
    assert_eq!(sink.0, 202 * (RECORDS.len() + 6));
    assert_eq!(
        ALLOCATIONS.load(Ordering::Relaxed),
        0,
        "allocations in steady state"
    );
}

/// Indicators that read hosts out of URLs and `host:port` values allocate nothing either
/// (the URL scanner used to write every host out to check it).
#[test]
fn steady_state_url_and_host_indicators_allocate_nothing() {
    let yaml = "schema: Custom.Web\nfields:\n  - name: referer\n    type: string\n    indicators: [url]\n  - name: peer\n    type: string\n    indicators: [net_addr]\n  - name: host\n    type: string\n    indicators: [hostname]\n";
    let mut registry = Registry::new();
    registry.add_str(yaml, "<web>").expect("schema");
    let mut normalizer = NormalizerBuilder::new()
        .build(&registry)
        .expect("normalizer");
    let records: [&[u8]; 3] = [
        br#"{"referer":"https://www.example.com:8443/a/b?q=1","peer":"10.0.0.7:443","host":"api.example.org"}"#,
        br#"{"referer":"http://[2001:db8::1]/x","peer":"[2001:db8::2]:80","host":"192.0.2.1"}"#,
        br#"{"referer":"//cdn.example.net/lib.js","peer":"db.internal","host":"mail.example.com"}"#,
    ];
    let mut sink = Count(0);
    let run = |normalizer: &mut normalog::Normalizer, sink: &mut Count| {
        for (i, r) in records.iter().enumerate() {
            let pos = Position::new(0, i as u64 + 1, i as u64);
            normalizer.normalize_bytes(r, pos, sink).expect("sink");
        }
    };
    run(&mut normalizer, &mut sink);
    run(&mut normalizer, &mut sink);
    assert_eq!(sink.0, 2 * records.len(), "every record normalizes");
    ALLOCATIONS.store(0, Ordering::Relaxed);
    COUNTING.with(|c| c.set(true));
    for _ in 0..100 {
        run(&mut normalizer, &mut sink);
    }
    COUNTING.with(|c| c.set(false));
    assert_eq!(
        ALLOCATIONS.load(Ordering::Relaxed),
        0,
        "allocations in steady state"
    );
}

/// Formats and values, valid and not, touching every kind of pattern element.
const TIME_CASES: &[(&str, &[&str])] = &[
    (
        "%s %z",
        &["1688220123 +0200", "1688220123 +-530", "-1 +0000"],
    ),
    ("%s%f", &["1688220123123456", "16882201231"]),
    (
        "%Y-%m-%d%t%H:%M:%S",
        &["2023-07-01 \t 14:02:03", "2023-07-0114:02:03"],
    ),
    (
        "%d/%b/%Y:%H:%M:%S %z",
        &[
            "01/Jul/2023:14:02:03 +0090",
            "01/Jul/2023:14:02:03 +01:00",
            "1/Jul/2023:1:2:3 Z",
        ],
    ),
    (
        "%A %B %e %Y %I:%M:%S %P",
        &["Saturday July  1 2023 12:30:00 pm", "Sat"],
    ),
    ("%+", &["Sat Jul  1 14:02:03 CEST 2023"]),
    ("%G-W%V-%u %C%g", &["2023-W26-6 0023"]),
    (
        "layout=Mon Jan _2 15:04:05.000 MST 2006",
        &["Sat Jul  1 14:02:03.250 UTC 2023"],
    ),
    (
        "rfc3339",
        &["2023-07-01T9:02:03.5+01:00", "2023-07-01T14:02:03Z"],
    ),
];

/// Decoding a time allocates nothing, whichever pattern elements it has (`%s` broken into
/// fields, `%t` runs, `%z` read as timefmt-go reads it, names, fractions): the records
/// above use few of them.
#[test]
fn decoding_times_allocates_nothing() {
    let formats: Vec<(TimeFormat, &[&str])> = TIME_CASES
        .iter()
        .map(|(spec, values)| (TimeFormat::from_spec(spec).expect(spec), *values))
        .collect();
    let decode_all = || {
        let mut decoded = 0;
        for (format, values) in &formats {
            for v in *values {
                decoded += usize::from(format.parse_str(v).is_some());
            }
        }
        decoded
    };
    let warm = decode_all();
    ALLOCATIONS.store(0, Ordering::Relaxed);
    COUNTING.with(|c| c.set(true));
    let mut decoded = 0;
    for _ in 0..100 {
        decoded += decode_all();
    }
    COUNTING.with(|c| c.set(false));
    assert_eq!(decoded, warm * 100);
    assert!(warm >= 12, "only {warm} values decoded");
    assert_eq!(ALLOCATIONS.load(Ordering::Relaxed), 0);
}
