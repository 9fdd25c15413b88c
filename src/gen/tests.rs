use super::*;
use crate::error::Error;
use crate::event::Event;
use crate::sink::{Collect, Sink};
use crate::{NormalizerBuilder, Position};

const SHIPPED: [&str; 3] = ["Zendesk.Audit", "Zoom.Activity", "Zoom.Operation"];

/// Remembers the log type of each event, or `None` for a reject.
#[derive(Default)]
struct Outcomes(Vec<Option<String>>);

impl Sink for Outcomes {
    type Error = Error;
    fn record(&mut self, event: &Event<'_>) -> Result<bool, Error> {
        self.0.push(Some(event.log_type().to_owned()));
        Ok(true)
    }
    fn rejected(&mut self, _err: &Error) -> Result<bool, Error> {
        self.0.push(None);
        Ok(true)
    }
}

fn generator(types: &[&str], seed: u64, invalid_rate: f64) -> Generator {
    Generator::new(
        &Registry::builtin(),
        types,
        &GenOptions {
            seed,
            invalid_rate,
            ..GenOptions::default()
        },
    )
    .unwrap()
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = generator(&SHIPPED, 42, 0.1).generate(500);
    let b = generator(&SHIPPED, 42, 0.1).generate(500);
    let c = generator(&SHIPPED, 43, 0.1).generate(500);
    assert_eq!(a, b);
    assert_ne!(a, c);
    let mut via_writer = Vec::new();
    let summary = generator(&SHIPPED, 42, 0.1)
        .write_to(500, &mut via_writer)
        .unwrap();
    assert_eq!(via_writer, a);
    assert_eq!(summary.records, 500);
    assert_eq!(summary.bytes, a.len() as u64);
    assert_eq!(summary.per_log_type.iter().sum::<u64>(), 500);
}

#[test]
fn valid_records_of_every_shipped_type_normalize() {
    let registry = Registry::builtin();
    for lt in SHIPPED {
        let data = generator(&[lt], 7, 0.0).generate(3000);
        let mut n = NormalizerBuilder::new()
            .log_types([lt])
            .build(&registry)
            .unwrap();
        let mut out = Collect::default();
        for line in data.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            n.normalize_bytes(line, Position::default(), &mut out)
                .unwrap();
        }
        assert_eq!(out.rejects, Vec::<String>::new(), "{lt}");
        assert_eq!(out.events.len(), 3000, "{lt}");
    }
}

#[test]
fn mixed_records_normalize_to_their_intended_type_and_invalid_ones_are_rejected() {
    let registry = Registry::builtin();
    let mut generator = generator(&SHIPPED, 3, 0.2);
    let names: Vec<String> = generator.log_types().map(str::to_owned).collect();
    let mut n = NormalizerBuilder::new().build(&registry).unwrap();
    let mut out = Outcomes::default();
    let mut line = Vec::new();
    let (mut invalid, mut kinds) = (0usize, std::collections::HashSet::new());
    let total = 6000;
    for _ in 0..total {
        line.clear();
        let info = generator.next_record(&mut line);
        n.normalize_bytes(&line, Position::default(), &mut out)
            .unwrap();
        let got = out.0.last().unwrap();
        match info.invalid {
            None => assert_eq!(
                got.as_deref(),
                Some(names[info.log_type].as_str()),
                "{}",
                String::from_utf8_lossy(&line)
            ),
            Some(kind) => {
                assert_eq!(got, &None, "{kind:?}: {}", String::from_utf8_lossy(&line));
                invalid += 1;
                kinds.insert(kind);
            }
        }
    }
    // 20% invalid, within a generous margin for 6000 draws.
    let share = f64::from(u32::try_from(invalid).unwrap()) / f64::from(total);
    assert!((0.18..0.22).contains(&share), "{share}");
    // Every kind, "" in a required number, boolean or timestamp included (issue 14).
    assert_eq!(kinds.len(), 4, "{kinds:?}");
}

#[test]
fn shipped_types_have_the_promised_realism() {
    let data = generator(&["Zendesk.Audit"], 11, 0.0).generate(2000);
    let text = String::from_utf8(data).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let count = |pat: &str| lines.iter().filter(|l| l.contains(pat)).count();
    let null_ips = count(r#""ip_address":null"#);
    assert!((140..260).contains(&null_ips), "{null_ips}");
    assert!(count(r#""ip_address":"2001:db8:"#) > 100);
    assert!(count(r"\n") > 100, "multi-line change descriptions");
    assert!(count(r#"\""#) > 100, "quotes");
    assert!(lines.iter().any(|l| !l.is_ascii()), "non-ASCII text");
    assert!(
        count("+05:30\"") + count("-05:00\"") > 10,
        "non-UTC offsets"
    );
    assert!(lines.iter().any(|l| l.contains(":00.") || l.contains('.')));
    let sizes: usize = lines.iter().map(|l| l.len()).sum::<usize>() / lines.len();
    assert!((250..700).contains(&sizes), "mean size {sizes}");

    let ops = String::from_utf8(generator(&["Zoom.Operation"], 1, 0.0).generate(500)).unwrap();
    assert!(ops.contains("Change Role  - ") && ops.contains('@'));
    let act = String::from_utf8(generator(&["Zoom.Activity"], 1, 0.0).generate(500)).unwrap();
    assert!(act.contains(r#""client_type":"Zoom Rooms""#) && act.contains("5.16.10 (26186)"));
}

#[test]
#[allow(clippy::too_many_lines)] // one schema using every type, then its checks
fn any_schema_gets_records_that_normalize() {
    let yaml = r#"
schema: Custom.Everything
definitions:
  Actor:
    type: object
    fields:
      - name: name
        type: string
      - name: email
        type: string
        indicators: [email]
fields:
  - name: ts
    required: true
    type: timestamp
    timeFormat: "%Y-%m-%d %H:%M:%S"
    isEventTime: true
  - name: epoch
    type: timestamp
    timeFormat: unix_ms
  - name: go_time
    required: true
    type: timestamp
    timeFormat: layout=Jan _2 2006 15:04:05.000 MST
  - name: src_ip
    required: true
    type: string
    validate:
      ip: ipv6
  - name: net
    type: string
    validate:
      cidr: ipv4
  - name: level
    required: true
    type: string
    validate:
      allow: [info, warn, error]
  - name: count
    type: smallint
  - name: ratio
    type: float
  - name: ok
    type: boolean
  - name: actor
    type: ref
    target: Actor
  - name: tags
    type: array
    element:
      type: string
  - name: hashes
    type: array
    indicators: [sha256]
    element:
      type: string
  - name: extra
    type: json
  - name: nested
    type: object
    isEmbeddedJSON: true
    fields:
      - name: url
        type: string
        indicators: [url]
      - name: when
        type: timestamp
        timeFormats: [rfc3339, unix]
"#;
    let mut registry = Registry::new();
    registry.add_str(yaml, "<test>").unwrap();
    let mut generator = Generator::new(
        &registry,
        &["Custom.Everything"],
        &GenOptions {
            seed: 5,
            invalid_rate: 0.0,
            ..GenOptions::default()
        },
    )
    .unwrap();
    let data = generator.generate(1000);
    let mut n = NormalizerBuilder::new().build(&registry).unwrap();
    let mut out = Collect::default();
    for line in data.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        n.normalize_bytes(line, Position::default(), &mut out)
            .unwrap();
    }
    assert_eq!(out.rejects, Vec::<String>::new());
    assert_eq!(out.events.len(), 1000);
    assert!(out.events.iter().any(|e| e.contains("p_any_sha256_hashes")));
    assert!(out.events.iter().any(|e| e.contains("p_any_emails")));
    assert!(out.events.iter().any(|e| e.contains("p_any_domain_names")));

    // And its invalid records are rejected.
    let mut generator = Generator::new(
        &registry,
        &["Custom.Everything"],
        &GenOptions {
            seed: 5,
            invalid_rate: 1.0,
            ..GenOptions::default()
        },
    )
    .unwrap();
    let data = generator.generate(300);
    let mut out = Collect::default();
    for line in data.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        n.normalize_bytes(line, Position::default(), &mut out)
            .unwrap();
    }
    assert_eq!(out.events, Vec::<String>::new());
    assert_eq!(out.rejects.len(), 300);
}

#[test]
fn bad_options_are_errors() {
    let r = Registry::builtin();
    let opts = GenOptions::default();
    assert_eq!(
        Generator::new::<&str>(&r, &[], &opts).unwrap_err(),
        GenError::NoLogType
    );
    // The registry's error, "did you mean" and all.
    assert_eq!(
        Generator::new(&r, &["Zoom.Actvity"], &opts).unwrap_err(),
        GenError::UnknownLogType(r.lookup("Zoom.Actvity").unwrap_err())
    );
    let bad = GenOptions {
        invalid_rate: 1.5,
        ..opts
    };
    assert!(matches!(
        Generator::new(&r, &["Zoom.Activity"], &bad).unwrap_err(),
        GenError::BadInvalidRate(_)
    ));
}

#[test]
fn rng_is_uniform_enough() {
    let mut rng = Rng::new(9);
    let mut buckets = [0u32; 10];
    for _ in 0..100_000 {
        buckets[rng.below(10)] += 1;
    }
    assert!(
        buckets.iter().all(|&b| (9_500..10_500).contains(&b)),
        "{buckets:?}"
    );
}

/// Collects `p_event_time` (Unix seconds) of the events.
#[derive(Default)]
struct EventTimes(Vec<i64>);

impl Sink for EventTimes {
    type Error = Error;
    fn record(&mut self, event: &Event<'_>) -> Result<bool, Error> {
        assert!(!event.event_time_is_parse_time());
        self.0.push(event.event_time().timestamp());
        Ok(true)
    }
}

#[test]
fn spread_over_a_span_from_a_start() {
    const DAY: u64 = 86_400;
    let registry = Registry::builtin();
    let start = 1_704_067_200; // 2024-01-01T00:00:00Z
    let records = 20_000;
    let opts = GenOptions {
        seed: 9,
        start: Some(start),
        ..GenOptions::default()
    }
    .spread(records, 180 * DAY);
    let data = Generator::new(&registry, &SHIPPED, &opts)
        .unwrap()
        .generate(records);
    let mut n = NormalizerBuilder::new().build(&registry).unwrap();
    let mut times = EventTimes::default();
    for line in data.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        n.normalize_bytes(line, Position::default(), &mut times)
            .unwrap();
    }
    let times = times.0;
    assert_eq!(times.len(), 20_000);
    let (lo, hi) = (*times.iter().min().unwrap(), *times.iter().max().unwrap());
    // Record i is at i mean gaps (777.6 s) from `start`, plus a random part of one;
    // record times are up to 2 s before the clock. So every record is within the span, and
    // the first and last are within a gap of its ends.
    let end = start + i64::try_from(180 * DAY).unwrap();
    assert!((start - 2..start + 778).contains(&lo), "{lo}");
    assert!((end - 780..end).contains(&hi), "{hi} against {end}");
    // Spread evenly: every day has records, and about as many per day.
    let mut per_day = std::collections::BTreeMap::new();
    for t in &times {
        *per_day
            .entry((t - start).div_euclid(86_400))
            .or_insert(0u32) += 1;
    }
    assert!(per_day.len() >= 170, "{}", per_day.len());
    assert!(
        per_day.values().all(|&n| (40..200).contains(&n)),
        "{per_day:?}"
    );
    // Each shipped type (each with its own realism) has records all over the span.
    for lt in SHIPPED {
        let mut n = NormalizerBuilder::new()
            .log_types([lt])
            .build(&registry)
            .unwrap();
        let mut only = EventTimes::default();
        for line in data.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let _ = n.normalize_bytes(line, Position::default(), &mut only);
        }
        let t = &only.0;
        assert!(t.len() > 5000, "{lt}: {}", t.len());
        let spread = t.iter().max().unwrap() - t.iter().min().unwrap();
        assert!(spread > 170 * 86_400, "{lt}: {spread}");
    }
}

#[test]
fn default_clock_unchanged_by_the_span_options() {
    // Without a span, the clock moves 0 to 172 ms a record, as before the options existed.
    let with_start = GenOptions {
        start: Some(1_704_067_200),
        ..GenOptions::default()
    };
    let a = Generator::new(&Registry::builtin(), &SHIPPED, &GenOptions::default())
        .unwrap()
        .generate(200);
    let b = Generator::new(&Registry::builtin(), &SHIPPED, &with_start)
        .unwrap()
        .generate(200);
    assert_ne!(a, b, "the start moves the times");
    assert_eq!(super::times::mean_gap_us(1_000_000, 86_400), 86_400);
    assert_eq!(super::times::mean_gap_us(0, 10), 10_000_000);
}

/// `p_event_time` of every record generated for the log type `lt` of `yaml` over 30 days
/// from 2024-01-01: the sink refuses an event whose time is the parse time.
fn event_times_over_a_month(yaml: &str, lt: &str) -> (i64, Vec<i64>) {
    const START: i64 = 1_704_067_200; // 2024-01-01T00:00:00Z
    let mut registry = Registry::new();
    registry.add_str(yaml, "custom.yml").unwrap();
    let opts = GenOptions {
        seed: 3,
        start: Some(START),
        ..GenOptions::default()
    }
    .spread(2000, 30 * 86_400);
    let data = Generator::new(&registry, &[lt], &opts)
        .unwrap()
        .generate(2000);
    let mut n = NormalizerBuilder::new().build(&registry).unwrap();
    let mut times = EventTimes::default();
    for line in data.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        n.normalize_bytes(line, Position::default(), &mut times)
            .unwrap();
    }
    assert_eq!(times.0.len(), 2000);
    (START, times.0)
}

/// An optional `isEventTime` field (or an optional object holding one) is written in every
/// record: left out, the event's time would be the time of the run, outside `--span`.
#[test]
fn optional_event_times_are_always_written() {
    let top = "
schema: Custom.OptionalTime
fields:
  - {name: at, type: timestamp, timeFormat: unix_ms, isEventTime: true}
  - {name: user, type: string}
";
    let nested = "
schema: Custom.NestedTime
fields:
  - {name: user, type: string}
  - name: meta
    type: object
    fields:
      - {name: host, type: string}
      - {name: when, type: timestamp, timeFormat: rfc3339, isEventTime: true}
";
    // Text log types: a CSV column left empty now and then, a fastmatch pattern and a
    // regex branch without the time.
    let csv = "
schema: Custom.CsvTime
parser: {csv: {delimiter: ',', columns: [at, user]}}
fields:
  - {name: at, type: timestamp, timeFormat: unix, isEventTime: true}
  - {name: user, type: string, required: true}
";
    let fastmatch = "
schema: Custom.FastTime
parser:
  fastmatch:
    match: ['%{at} | %{user} | %{msg}', 'NOTIME %{user} | %{msg}']
fields:
  - {name: at, type: timestamp, timeFormat: rfc3339, isEventTime: true}
  - {name: user, type: string, required: true}
  - {name: msg, type: string}
";
    let regex = "
schema: Custom.RegexTime
parser:
  regex:
    match: ['^%{WORD:user}(?: at %{TIMESTAMP_ISO8601:at})? said %{GREEDYDATA:msg}$']
fields:
  - {name: at, type: timestamp, timeFormat: rfc3339, isEventTime: true}
  - {name: user, type: string, required: true}
  - {name: msg, type: string}
";
    for (yaml, lt) in [
        (top, "Custom.OptionalTime"),
        (nested, "Custom.NestedTime"),
        (csv, "Custom.CsvTime"),
        (fastmatch, "Custom.FastTime"),
        (regex, "Custom.RegexTime"),
    ] {
        let (start, times) = event_times_over_a_month(yaml, lt);
        for t in times {
            assert!((start - 2..start + 30 * 86_400).contains(&t), "{lt}: {t}");
        }
    }
}

/// A `parser: regex` group that takes only some of a time format's forms (`unix` with a
/// fraction) gets a time of the record, not text made from the group (`0.0`, in 1970).
#[test]
fn regex_groups_narrower_than_a_time_format_get_record_times() {
    let yaml = r"
schema: Custom.Epoch
parser:
  regex:
    match: ['^(?P<ts>\d+\.\d+) %{WORD:user}$']
fields:
  - {name: ts, type: timestamp, timeFormat: unix, isEventTime: true, required: true}
  - {name: user, type: string}
";
    let (start, times) = event_times_over_a_month(yaml, "Custom.Epoch");
    for t in times {
        assert!((start - 2..start + 30 * 86_400).contains(&t), "{t}");
    }
}

/// A fastmatch log type whose optional event time is read as `unix` (its first format,
/// `%Y-%m-%d %H:%M:%S`, the one the generator writes, is cut at the pattern's space) and
/// whose other pattern has no time: the schema loads without a warning and normalizes both
/// kinds of lines. Keeping only the pattern with the time must not make the generator
/// refuse the log type (it wrote the pattern without the time before).
#[test]
fn an_event_time_pattern_that_cannot_take_the_written_format_does_not_refuse_the_type() {
    let yaml = "
schema: Custom.FmUnix
parser:
  fastmatch:
    match: ['NOTIME %{msg}', '%{time} %{msg}']
fields:
  - {name: time, type: timestamp, timeFormats: ['%Y-%m-%d %H:%M:%S', unix], isEventTime: true}
  - {name: msg, type: string, required: true}
";
    let mut registry = Registry::new();
    registry.add_str(yaml, "custom.yml").unwrap();
    assert!(registry.warnings().next().is_none());
    let generator = Generator::new(&registry, &["Custom.FmUnix"], &GenOptions::default());
    assert!(generator.is_ok(), "{:?}", generator.err());
}

/// Times past 9999 were written with five-digit years, and once out of chrono's range as
/// 1970 (review finding): normalize rejects the first and misplaces the second. The options
/// say where the records end, a start out of range is refused, and a clock that reaches the
/// last time stays there: every record still normalizes, RFC 3339 offsets included.
#[test]
fn times_stay_within_years_0_to_9999() {
    let near_end = GenOptions {
        start: Some(LAST_TIME - 86_399),
        ..GenOptions::default()
    };
    // Three records over a day: each in its third, the last before the day ends.
    assert_eq!(near_end.spread(3, 86_400).last_time(3), Some(LAST_TIME));
    assert_eq!(near_end.spread(3, 86_401).last_time(3), Some(LAST_TIME + 1));
    // The default clock: up to 172 ms a record.
    assert_eq!(near_end.last_time(1000), Some(LAST_TIME - 86_399 + 172));
    assert!(!matches!(
        GenOptions::default().spread(2, u64::MAX).last_time(2),
        Some(t) if t <= LAST_TIME
    ));
    let registry = Registry::builtin();
    for start in [LAST_TIME + 1, FIRST_TIME - 1] {
        let opts = GenOptions {
            start: Some(start),
            ..GenOptions::default()
        };
        assert_eq!(
            Generator::new(&registry, &SHIPPED, &opts).unwrap_err(),
            GenError::StartOutOfRange(start)
        );
    }
    // Ten minutes before the end, a second apart: the last 1400 records reach it.
    let opts = GenOptions {
        start: Some(LAST_TIME - 600),
        ..GenOptions::default()
    }
    .spread(2000, 2000);
    let data = Generator::new(&registry, &SHIPPED, &opts)
        .unwrap()
        .generate(2000);
    let mut n = NormalizerBuilder::new().build(&registry).unwrap();
    let mut out = Collect::default();
    for line in data.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        n.normalize_bytes(line, Position::default(), &mut out)
            .unwrap();
    }
    assert_eq!(out.rejects, Vec::<String>::new());
    assert_eq!(out.events.len(), 2000);
    // Those at the end (a second or two of jitter before it, as every record has).
    let at_the_end = out
        .events
        .iter()
        .filter(|e| e.contains(r#""p_event_time":"9999-12-31T23:59:5"#))
        .count();
    assert!(at_the_end > 1000, "{at_the_end}");
}

/// A required field nested deeper than the optional ones are written is still written, down
/// to the language's limit: a required string 12 objects deep refused the schema, as a
/// "required timestamp field" of no format (review s44-h6 MEDIUM-3); an optional one that
/// deep is left out.
#[test]
fn required_fields_deep_down_are_written() {
    let opened = "{name: l, required: true, type: object, fields: [".repeat(12);
    let yaml = format!(
        "schema: Custom.Deep\nfields: [{opened}{{name: leaf, type: string, required: true}}, {{name: extra, type: string}}{}]\n",
        "]}".repeat(12)
    );
    let mut registry = Registry::new();
    registry.add_str(&yaml, "deep.yml").expect("schema loads");
    let mut generator = Generator::new(&registry, &["Custom.Deep"], &GenOptions::default())
        .expect("a generator for it");
    let mut data = Vec::new();
    generator.write_to(20, &mut data).expect("in memory");
    let mut normalizer = NormalizerBuilder::new()
        .build(&registry)
        .expect("normalizer");
    let mut out = Collect::default();
    crate::pipeline::normalize_reader(&mut normalizer, &data[..], &mut out).expect("collect");
    assert_eq!(
        (out.rejects.len(), out.events.len()),
        (0, 20),
        "{:?}",
        out.rejects
    );
    let deep = |e: &String| e.contains("\"leaf\":") && !e.contains("\"extra\":");
    assert!(out.events.iter().all(deep));
}
