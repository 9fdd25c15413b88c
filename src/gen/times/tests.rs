//! Tests of the generated timestamps.

use super::*;
use crate::gen::GenOptions;

fn gen_for(spec: &str) -> Option<TimeGen> {
    TimeGen::for_formats(Some(&spec.to_owned()), &[], DEFAULT_TIMES).ok()
}

#[test]
fn every_builtin_format_and_common_patterns_are_writable() {
    for spec in [
        "rfc3339",
        "unix",
        "unix_ms",
        "unix_us",
        "unix_ns",
        "cloudflare",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S.%f%z",
        "%d/%b/%Y:%H:%M:%S %z",
        "layout=2006-01-02 15:04:05",
        "layout=Jan _2 15:04:05",
        "layout=2006-01-02T15:04:05.000Z07:00",
        "layout=Mon Jan 2 15:04:05 MST 2006",
        "layout=Monday, January 2, 2006 3:04:05.999 PM",
        "layout=02.01.06 002 __2 15h04,000000 -07:00:00",
    ] {
        assert!(gen_for(spec).is_some(), "{spec}");
    }
}

#[test]
fn offsets_and_fractions() {
    let mut out = Vec::new();
    write_rfc3339(&mut out, EPOCH_2023, 5_000_000, 3, 330);
    assert_eq!(out, b"2023-01-01T05:30:00.005+05:30");
    out.clear();
    write_rfc3339(&mut out, EPOCH_2023, 0, 0, -300);
    assert_eq!(out, b"2022-12-31T19:00:00-05:00");
}

/// Unix seconds of a UTC time.
fn at(rfc3339: &str) -> i64 {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().timestamp()
}

fn range(first: &str, last: &str) -> TimeRange {
    TimeRange {
        first: at(first),
        last: at(last),
    }
}

/// Formats that hold only part of the times normalog reads are refused for runs outside
/// that part (review s44-h6 MEDIUM-2: gen wrote `-60` for `%s`, which normalize rejects,
/// and `%y` years a century off), and taken within it.
#[test]
fn formats_are_checked_against_the_runs_times() {
    let cases = [
        ("%s", "1969-12-31T23:59:00Z", "1970-01-01T00:01:00Z"),
        ("%s.%f", "2286-11-20T00:00:00Z", "2286-11-21T00:00:00Z"),
        ("unix_ns", "2262-04-11T00:00:00Z", "2262-04-12T00:00:00Z"),
        (
            "%y-%m-%d %H:%M:%S",
            "1950-06-15T00:00:00Z",
            "1950-06-16T00:00:00Z",
        ),
        (
            "%y-%m-%d %H:%M:%S",
            "2068-12-31T00:00:00Z",
            "2069-01-01T12:00:00Z",
        ),
    ];
    for (spec, first, last) in cases {
        let spec = spec.to_owned();
        let outside = TimeGen::for_formats(Some(&spec), &[], range(first, last));
        assert_eq!(
            outside.err(),
            Some(Unwritable::OutOfRange),
            "{spec} {first}"
        );
        let inside = range("1999-12-31T00:00:00Z", "2000-01-02T00:00:00Z");
        assert!(
            TimeGen::for_formats(Some(&spec), &[], inside).is_ok(),
            "{spec}"
        );
    }
    // Formats without seconds, minutes or a time of day hold any run's times (review
    // s45-h5 MEDIUM-1: the samples all fell on whole hours, and these were refused).
    for spec in [
        "%Y-%m-%d %H:%M",
        "layout=2006-01-02 15:04",
        "%d/%b/%Y:%H:%M %z",
        "%Y-%m-%d %H",
        "%Y-%m-%d",
        "%Y-%j",
    ] {
        let spec = spec.to_owned();
        for run in [
            DEFAULT_TIMES,
            range("2024-01-01T00:00:00Z", "2024-06-29T05:17:29Z"),
        ] {
            assert!(
                TimeGen::for_formats(Some(&spec), &[], run).is_ok(),
                "{spec}"
            );
        }
    }
    // A second format that holds the times is taken when the first does not.
    let early = range("1960-01-01T00:00:00Z", "1960-01-02T00:00:00Z");
    let formats = ["%s".to_owned(), "%Y-%m-%d %H:%M:%S".to_owned()];
    let chosen = TimeGen::for_formats(formats.first(), &formats[1..], early);
    assert!(matches!(chosen, Ok(TimeGen::Pattern(p)) if p.starts_with("%Y")));
    // A format without a year is read as normalize reads it, whatever the run's years.
    let spec = "layout=Jan _2 15:04:05".to_owned();
    assert!(TimeGen::for_formats(Some(&spec), &[], early).is_ok());
}

/// Written and read back at the times where chrono and normalize disagreed: `%G` around
/// January 1 (chrono's ISO week year was a year off), `%+` (chrono wrote RFC 3339, so the
/// format could not be generated at all), `unix` fractions before 1970 (`-60.410000` for
/// 0.41 s after -60, 0.82 s early).
#[test]
fn values_read_back_as_the_times_they_were_written_for() {
    let cases = [
        ("%G-%m-%d %H:%M:%S", "2007-12-31T10:00:00Z"),
        ("%G-%m-%d %H:%M:%S", "2010-01-01T10:00:00Z"),
        ("%g-%m-%d %H:%M:%S", "2010-01-01T10:00:00Z"),
        ("%+", "2024-03-05T06:07:08Z"),
        ("unix", "1969-12-31T23:59:00Z"),
        ("unix", "1969-12-31T23:59:59Z"),
    ];
    for (spec, time) in cases {
        let format = TimeFormat::from_spec(spec).unwrap();
        let one = range(time, time);
        let generator = TimeGen::for_formats(Some(&spec.to_owned()), &[], one).unwrap();
        let mut rng = State::new(3);
        for nanos in [0, 410_326_277, 999_999_999] {
            let mut out = Vec::new();
            // Unix fractions are drawn for about a third of the values: draw until one is.
            for _ in 0..64 {
                out.clear();
                generator.write_at(at(time), nanos, &mut rng, &mut out);
                if !matches!(generator, TimeGen::Unix) || out.contains(&b'.') || nanos == 0 {
                    break;
                }
            }
            let text = String::from_utf8(out).unwrap();
            let read = match serde_json::from_str::<serde_json::Value>(&text).unwrap() {
                serde_json::Value::String(s) => format.parse_str(&s),
                serde_json::Value::Number(n) => n.as_f64().and_then(|f| format.parse_f64(f)),
                other => panic!("{other}"),
            };
            let read = read.unwrap_or_else(|| panic!("{spec}: {text} not read"));
            let miss = (read.timestamp() - at(time)) * 1_000_000_000
                + i64::from(read.timestamp_subsec_nanos())
                - i64::from(nanos);
            assert!(miss.abs() < 1_000_000_000, "{spec}: {text} read as {read}");
            if text.contains('.') {
                assert!(miss.abs() < 1_000, "{spec}: {text} read as {read}");
            }
        }
    }
}

#[test]
fn chrono_patterns() {
    assert_eq!(chrono_pattern("%G-W%V-%u %g"), "%Y-W%V-%u %y");
    assert_eq!(
        chrono_pattern("[%+] %%G %-d"),
        "[%a %b %e %H:%M:%S %Z %Y] %%G %-d"
    );
    assert_eq!(chrono_pattern("%_+"), "%a %b %e %H:%M:%S %Z %Y");
}

/// The generator refuses a run whose times a required field or the event time cannot hold,
/// naming the field and the times; an optional field that cannot is left out.
#[test]
fn a_run_outside_a_formats_years_is_refused() {
    let yaml = |required: bool, event_time: bool| {
        format!(
            "schema: Custom.Epoch\nfields:\n  - name: ts\n    type: timestamp\n    \
             timeFormat: '%s'\n    required: {required}\n    isEventTime: {event_time}\n  \
             - name: msg\n    type: string\n    required: true\n"
        )
    };
    let opts = GenOptions {
        start: Some(at("1969-06-01T00:00:00Z")),
        records: Some(1000),
        ..GenOptions::default()
    };
    for (required, event_time) in [(true, false), (false, true), (true, true)] {
        let mut registry = crate::Registry::new();
        registry
            .add_str(&yaml(required, event_time), "epoch.yml")
            .unwrap();
        let refused = crate::gen::Generator::new(&registry, &["Custom.Epoch"], &opts);
        let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            message.starts_with("Custom.Epoch: timestamp field ts (timeFormat %s) cannot hold")
                && message.contains("1969-06-01T00:00:00Z to 1969-06-01T00:02:52Z:"),
            "{message}"
        );
    }
    let mut registry = crate::Registry::new();
    registry.add_str(&yaml(false, false), "epoch.yml").unwrap();
    let mut generator = crate::gen::Generator::new(&registry, &["Custom.Epoch"], &opts).unwrap();
    let records = generator.generate(50);
    assert!(!records.windows(4).any(|w| w == b"\"ts\""));
    // In the default years, the same schema is written with its field.
    let later = GenOptions {
        start: None,
        ..opts
    };
    let mut generator = crate::gen::Generator::new(&registry, &["Custom.Epoch"], &later).unwrap();
    assert!(generator.generate(50).windows(4).any(|w| w == b"\"ts\""));
}
