//! Criterion benches: normalog against the raw simd-json tape parse and serde_json baselines,
//! on generated records (`normalog::gen`), one group per shipped log type and one mixed.
//!
//! Functions per group:
//!
//! * `raw_tape`: simd-json `fill_tape` of each line with reused buffers (the limit: no
//!   schema, no validation, no output).
//! * `ours_parse_only`: the normalizer into a sink that drops events (typed, validated
//!   events with indicators and event time; no output).
//! * `ours_ndjson`: the normalizer writing NDJSON into a reused buffer.
//! * `ours_parquet`: the normalizer writing Parquet (zstd, the default options: one table
//!   per log type, partitioned by hour) into a new temporary directory, files closed.
//! * `serde_json_typed`: the fair baseline: serde_json into `#[derive(Deserialize)]` structs
//!   borrowing strings where possible, required fields checked by the types, the event time
//!   parsed with chrono. Mixed data tries each type in turn, as normalog does.
//! * `serde_json_value`: serde_json into a `serde_json::Value` DOM.
//!
//! Text log types (`benches/schemas/`: `Bench.WebAccess`, fastmatch; `Bench.Firewall`,
//! regex) get groups of their own, `text_<name>`, on generated lines, with the same
//! throughput unit (input bytes): `ours_parse_only`, `ours_ndjson`, and `regex_captures`
//! (only the schema's compiled patterns run over each line with reused capture locations:
//! the cost of matching alone, what the rest of the parse stage adds to).
//!
//! Two micro groups measure the shared decoders that text log types lean on:
//!
//! * `strftime`: [`TimeFormat::parse_str`] on 1,000 generated values per layout (Apache
//!   `%d/%b/%Y:%H:%M:%S %z`, `%Y-%m-%d %H:%M:%S`, syslog `%b %e %H:%M:%S`, ISO-like
//!   `%Y-%m-%dT%H:%M:%S.%f%z`).
//! * `url_indicator`: the `url` indicator scanner ([`Indicators::scan`] then `finish`) on a
//!   mix of absolute URLs (names, ports, paths, queries, IP hosts, a few userinfo and `xn--`
//!   hosts).
//!
//! Every function asserts how many records it accepted, so a fast wrong change fails.
//! Run with `cargo bench --bench normalize`; `cargo bench --no-run` only builds.
#![allow(missing_docs, clippy::unwrap_used, clippy::doc_markdown)]

use std::borrow::Cow;
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use normalog::gen::{GenOptions, Generator};
use normalog::indicators::{IndicatorKind, Indicators};
use normalog::sink::ndjson::NdjsonWriter;
use normalog::sink::parquet::{self, ParquetWriter};
use normalog::sink::{Discard, Sink};
use normalog::time::TimeFormat;
use normalog::{Error, Event, Normalizer, NormalizerBuilder, Position, Registry};
use serde::Deserialize;

/// Records per batch: about 5 MB of mixed data.
const RECORDS: u64 = 20_000;

#[derive(Deserialize)]
#[allow(dead_code)]
struct ZendeskAudit<'a> {
    #[serde(borrow)]
    action: Option<Cow<'a, str>>,
    #[serde(borrow)]
    action_label: Option<Cow<'a, str>>,
    actor_id: Option<i64>,
    #[serde(borrow)]
    change_description: Option<Cow<'a, str>>,
    #[serde(borrow)]
    created_at: Cow<'a, str>,
    id: i64,
    #[serde(borrow)]
    ip_address: Option<Cow<'a, str>>,
    source_id: Option<i64>,
    #[serde(borrow)]
    source_label: Option<Cow<'a, str>>,
    #[serde(borrow)]
    source_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    url: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct ZoomActivity<'a> {
    #[serde(borrow)]
    email: Cow<'a, str>,
    #[serde(borrow)]
    time: Cow<'a, str>,
    #[serde(borrow, rename = "type")]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    ip_address: Option<Cow<'a, str>>,
    #[serde(borrow)]
    client_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    version: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct ZoomOperation<'a> {
    #[serde(borrow)]
    time: Cow<'a, str>,
    #[serde(borrow)]
    operator: Cow<'a, str>,
    #[serde(borrow)]
    category_type: Cow<'a, str>,
    #[serde(borrow)]
    action: Option<Cow<'a, str>>,
    #[serde(borrow)]
    operation_detail: Option<Cow<'a, str>>,
}

fn time_ok(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

/// serde_json typed decoding of one line as `log_type` (or, for `None`, the first type
/// that accepts it); true when accepted with a valid event time.
fn serde_typed(line: &[u8], log_type: Option<&str>) -> bool {
    let zendesk =
        || serde_json::from_slice::<ZendeskAudit<'_>>(line).is_ok_and(|r| time_ok(&r.created_at));
    let activity =
        || serde_json::from_slice::<ZoomActivity<'_>>(line).is_ok_and(|r| time_ok(&r.time));
    let operation =
        || serde_json::from_slice::<ZoomOperation<'_>>(line).is_ok_and(|r| time_ok(&r.time));
    match log_type {
        Some("Zendesk.Audit") => zendesk(),
        Some("Zoom.Activity") => activity(),
        Some("Zoom.Operation") => operation(),
        _ => zendesk() || activity() || operation(),
    }
}

/// Counts events on their way to another sink.
struct Count<S>(S, u64);

impl<S: Sink<Error = Error>> Sink for Count<S> {
    type Error = Error;
    fn record(&mut self, event: &Event<'_>) -> Result<bool, Error> {
        self.1 += 1;
        self.0.record(event)
    }
}

fn bench_group(c: &mut Criterion, registry: &Registry, name: &str, types: &[&str]) {
    let data = Generator::new(
        registry,
        types,
        &GenOptions {
            seed: 1,
            invalid_rate: 0.0,
            ..GenOptions::default()
        },
    )
    .unwrap()
    .generate(RECORDS);
    let lines: Vec<&[u8]> = data
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let n = lines.len() as u64;
    assert_eq!(n, RECORDS);
    let single = (types.len() == 1).then(|| types[0]);

    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));

    group.bench_function("raw_tape", |b| {
        let mut buffers = simd_json::Buffers::new(4096);
        let mut tape: simd_json::Tape<'static> = simd_json::Tape(Vec::new());
        let mut copy = Vec::new();
        b.iter(|| {
            let mut ok = 0u64;
            for line in &lines {
                copy.clear();
                copy.extend_from_slice(line);
                let mut t = std::mem::replace(&mut tape, simd_json::Tape(Vec::new())).reset();
                ok += u64::from(simd_json::fill_tape(&mut copy, &mut buffers, &mut t).is_ok());
                tape = t.reset();
            }
            assert_eq!(ok, n);
        });
    });

    let mut normalizer = NormalizerBuilder::new()
        .log_types(types.iter().copied())
        .build(registry)
        .unwrap();
    group.bench_function("ours_parse_only", |b| {
        b.iter(|| {
            let mut sink = Count(Discard, 0);
            for line in &lines {
                normalizer
                    .normalize_bytes(line, Position::default(), &mut sink)
                    .unwrap();
            }
            assert_eq!(sink.1, n);
        });
    });

    let mut out: Vec<u8> = Vec::with_capacity(data.len() * 2);
    group.bench_function("ours_ndjson", |b| {
        b.iter(|| {
            out.clear();
            let mut sink = Count(NdjsonWriter::new(&mut out), 0);
            for line in &lines {
                normalizer
                    .normalize_bytes(line, Position::default(), &mut sink)
                    .unwrap();
            }
            sink.0.flush().unwrap();
            assert_eq!(sink.1, n);
        });
    });

    bench_parquet(&mut group, &mut normalizer, &lines);

    group.bench_function("serde_json_typed", |b| {
        b.iter(|| {
            let ok = lines.iter().filter(|l| serde_typed(l, single)).count() as u64;
            assert_eq!(ok, n);
        });
    });

    group.bench_function("serde_json_value", |b| {
        b.iter(|| {
            let ok = lines
                .iter()
                .filter(|l| black_box(serde_json::from_slice::<serde_json::Value>(l)).is_ok())
                .count() as u64;
            assert_eq!(ok, n);
        });
    });
    group.finish();
}

/// `ours_parquet`: each run writes into a new directory, closes the files and removes them.
fn bench_parquet(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    normalizer: &mut Normalizer,
    lines: &[&[u8]],
) {
    let n = lines.len() as u64;
    let tmp = tempfile::tempdir().unwrap();
    let mut run = 0u32;
    group.bench_function("ours_parquet", |b| {
        b.iter(|| {
            run += 1;
            let dir = tmp.path().join(run.to_string());
            let mut sink = Count(ParquetWriter::new(&dir, parquet::Options::default()), 0);
            for line in lines {
                normalizer
                    .normalize_bytes(line, Position::default(), &mut sink)
                    .unwrap();
            }
            sink.0.commit().unwrap();
            assert_eq!((sink.1, sink.0.rows()), (n, n));
            std::fs::remove_dir_all(&dir).unwrap();
        });
    });
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A small deterministic generator (xorshift) so the inputs vary like real logs do.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }

    fn index(&mut self, len: usize) -> usize {
        usize::try_from(self.below(len as u64)).unwrap()
    }
}

/// `(format, values)` for the `strftime` group: 1,000 valid values per layout.
fn strftime_inputs() -> Vec<(&'static str, &'static str, Vec<String>)> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut apache = Vec::new();
    let mut plain = Vec::new();
    let mut syslog = Vec::new();
    let mut iso = Vec::new();
    for _ in 0..1000 {
        let (y, mo, d) = (2000 + rng.below(30), rng.index(12), 1 + rng.below(28));
        let (h, mi, s) = (rng.below(24), rng.below(60), rng.below(60));
        let tz = ["+0000", "-0700", "+0100", "+0530"][rng.index(4)];
        let month = MONTHS[mo];
        apache.push(format!("{d:02}/{month}/{y}:{h:02}:{mi:02}:{s:02} {tz}"));
        plain.push(format!("{y}-{:02}-{d:02} {h:02}:{mi:02}:{s:02}", mo + 1));
        syslog.push(format!("{month} {d:>2} {h:02}:{mi:02}:{s:02}"));
        let frac = rng.below(1_000_000);
        iso.push(format!(
            "{y}-{:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{frac:06}{tz}",
            mo + 1
        ));
    }
    vec![
        ("apache", "%d/%b/%Y:%H:%M:%S %z", apache),
        ("ymd_hms", "%Y-%m-%d %H:%M:%S", plain),
        ("syslog", "%b %e %H:%M:%S", syslog),
        ("iso_frac", "%Y-%m-%dT%H:%M:%S.%f%z", iso),
    ]
}

fn bench_strftime(c: &mut Criterion) {
    let mut group = c.benchmark_group("strftime");
    group.sample_size(20);
    group.warm_up_time(Duration::from_millis(300));
    group.measurement_time(Duration::from_secs(2));
    for (name, spec, values) in strftime_inputs() {
        let format = TimeFormat::from_spec(spec).unwrap();
        group.throughput(Throughput::Elements(values.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                let ok = values
                    .iter()
                    .filter(|v| black_box(format.parse_str(v)).is_some())
                    .count();
                assert_eq!(ok, values.len());
            });
        });
    }
    group.finish();
}

/// URLs for the `url_indicator` group, as web and proxy logs carry them; every one has a host.
fn url_inputs() -> Vec<String> {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let hosts = [
        "www.example.com",
        "api.example.org",
        "cdn.static.example.net",
        "Shop.Example.COM",
        "10.1.2.3",
        "192.168.10.200",
        "[2001:db8::1]",
        "login.example.co.uk",
    ];
    let paths = [
        "/",
        "/index.html",
        "/api/v2/users/12345/orders",
        "/static/js/app.5f3c2a.js",
        "/search",
        "/images/logo%20large.png",
    ];
    let queries = ["", "?q=logs&page=2", "?utm_source=mail&id=42#top", "?a=%2F"];
    (0..1000)
        .map(|i| {
            let scheme = ["http", "https"][rng.index(2)];
            let host = if i % 100 == 0 {
                "xn--bcher-kva.example"
            } else if i % 50 == 1 {
                "user:pw@example.com"
            } else {
                hosts[rng.index(hosts.len())]
            };
            let port = [":8080", ":443", "", "", ""][rng.index(5)];
            let path = paths[rng.index(paths.len())];
            let query = queries[rng.index(queries.len())];
            format!("{scheme}://{host}{port}{path}{query}")
        })
        .collect()
}

fn bench_url(c: &mut Criterion) {
    let urls = url_inputs();
    let mut group = c.benchmark_group("url_indicator");
    group.sample_size(20);
    group.warm_up_time(Duration::from_millis(300));
    group.measurement_time(Duration::from_secs(2));
    group.throughput(Throughput::Elements(urls.len() as u64));
    group.bench_function("scan_finish", |b| {
        let mut buffer = Indicators::new();
        b.iter(|| {
            let mut found = 0;
            for url in &urls {
                let mut ind = std::mem::take(&mut buffer).recycle();
                ind.scan(IndicatorKind::Url, url);
                ind.finish();
                found += usize::from(!black_box(&ind).is_empty());
                buffer = ind.recycle();
            }
            assert_eq!(found, urls.len());
        });
    });
    group.finish();
}

/// A text log type: the parse stage and NDJSON output on its generated lines, and the
/// matching alone.
fn bench_text_group(c: &mut Criterion, registry: &Registry, name: &str, log_type: &str) {
    let data = Generator::new(registry, &[log_type], &GenOptions::default())
        .unwrap()
        .generate(RECORDS);
    let lines: Vec<&[u8]> = data
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let n = lines.len() as u64;
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));

    let plan = registry.get(log_type).unwrap();
    let parser = plan.schema().parser.as_ref().unwrap();
    let regexes: Vec<regex::Regex> = match (&parser.regex, &parser.fastmatch) {
        (Some(r), _) => {
            let fields: Vec<&str> = plan
                .schema()
                .fields
                .iter()
                .map(|f| f.name.as_str())
                .collect();
            vec![
                normalog::schema::text::compile_regex(r, &fields)
                    .unwrap()
                    .regex,
            ]
        }
        (None, Some(f)) => f
            .patterns
            .iter()
            .enumerate()
            .map(|(i, p)| {
                normalog::schema::text::compile_fastmatch(p, i)
                    .unwrap()
                    .regex
            })
            .collect(),
        (None, None) => unreachable!("a text log type"),
    };
    group.bench_function("regex_captures", |b| {
        let mut locs: Vec<_> = regexes
            .iter()
            .map(regex::Regex::capture_locations)
            .collect();
        b.iter(|| {
            let mut ok = 0u64;
            for line in &lines {
                let line = std::str::from_utf8(line).unwrap();
                ok += u64::from(
                    regexes
                        .iter()
                        .zip(&mut locs)
                        .any(|(re, l)| re.captures_read(l, line).is_some()),
                );
            }
            assert_eq!(ok, n);
        });
    });

    let mut normalizer = NormalizerBuilder::new()
        .log_types([log_type])
        .build(registry)
        .unwrap();
    group.bench_function("ours_parse_only", |b| {
        b.iter(|| {
            let mut sink = Count(Discard, 0);
            for line in &lines {
                normalizer
                    .normalize_bytes(line, Position::default(), &mut sink)
                    .unwrap();
            }
            assert_eq!(sink.1, n);
        });
    });
    let mut out: Vec<u8> = Vec::with_capacity(data.len() * 3);
    group.bench_function("ours_ndjson", |b| {
        b.iter(|| {
            out.clear();
            let mut sink = Count(NdjsonWriter::new(&mut out), 0);
            for line in &lines {
                normalizer
                    .normalize_bytes(line, Position::default(), &mut sink)
                    .unwrap();
            }
            sink.0.flush().unwrap();
            assert_eq!(sink.1, n);
        });
    });
    group.finish();
}

fn text_benches(c: &mut Criterion) {
    let mut registry = Registry::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/schemas");
    registry.add_path(&dir).unwrap();
    bench_text_group(c, &registry, "text_web_access", "Bench.WebAccess");
    bench_text_group(c, &registry, "text_firewall", "Bench.Firewall");
}

fn benches(c: &mut Criterion) {
    bench_strftime(c);
    bench_url(c);
    let registry = Registry::builtin();
    bench_group(c, &registry, "zendesk_audit", &["Zendesk.Audit"]);
    bench_group(c, &registry, "zoom_activity", &["Zoom.Activity"]);
    bench_group(c, &registry, "zoom_operation", &["Zoom.Operation"]);
    bench_group(
        c,
        &registry,
        "mixed",
        &["Zendesk.Audit", "Zoom.Activity", "Zoom.Operation"],
    );
}

criterion_group!(normalize, benches, text_benches);
criterion_main!(normalize);
