//! Arbitrary strings, integers and floats through every time format: the built-ins, a few
//! strftime patterns and Go layouts, and the input itself used as a spec. Properties: no
//! panic; every decoded time lies in the years 0000-9999; written as RFC 3339 it reads back
//! as the same instant with the `rfc3339` format.

use std::sync::OnceLock;

use chrono::Datelike;
use normalog::time::{write_rfc3339, TimeFormat, Timestamp};

const SPECS: &[&str] = &[
    "rfc3339",
    "unix",
    "unix_ms",
    "unix_us",
    "unix_ns",
    "cloudflare",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%d/%b/%Y:%H:%M:%S %z",
    "%a %b %e %H:%M:%S %Z %Y",
    "%s",
    "%y%m%d %I:%M:%S %p",
    "%j %C %u %w %:z %c %D %x %F %v %R %r %T %X",
    "layout=2006-01-02 15:04:05 MST",
    "layout=Mon Jan _2 15:04:05.000000 2006",
    "layout=02/Jan/2006:15:04:05 -0700",
    "layout=2006-01-02T15:04:05.999999999Z07:00",
    "layout=Monday, 02-Jan-06 15:04:05 Z0700 pm __2 002",
];

fn formats() -> &'static [TimeFormat] {
    static F: OnceLock<Vec<TimeFormat>> = OnceLock::new();
    F.get_or_init(|| {
        SPECS
            .iter()
            .map(|s| TimeFormat::from_spec(s).unwrap_or_else(|e| panic!("{s}: {e}")))
            .collect()
    })
}

fn check_time(f: &TimeFormat, t: Option<Timestamp>, input: &dyn std::fmt::Debug) {
    let Some(t) = t else { return };
    assert!(
        (0..=9999).contains(&t.year()),
        "{}: {input:?} decoded to year {}",
        f.spec(),
        t.year()
    );
    let mut out = Vec::new();
    write_rfc3339(&t, &mut out);
    let text = std::str::from_utf8(&out).expect("ASCII");
    let back = TimeFormat::Rfc3339.parse_str(text);
    assert_eq!(
        back,
        Some(t),
        "{}: {input:?} -> {text} does not read back",
        f.spec()
    );
}

fn all(f: &TimeFormat, data: &[u8]) {
    if let Ok(s) = std::str::from_utf8(data) {
        check_time(f, f.parse_str(s), &s);
    }
    if data.len() >= 8 {
        let bytes: [u8; 8] = data[..8].try_into().expect("8 bytes");
        let i = i64::from_le_bytes(bytes);
        check_time(f, f.parse_i64(i), &i);
        let u = u64::from_le_bytes(bytes);
        check_time(f, f.parse_u64(u), &u);
        let x = f64::from_le_bytes(bytes);
        check_time(f, f.parse_f64(x), &x);
    }
    // Integers and floats written as text, as they arrive in string fields.
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(i) = s.parse::<i64>() {
            check_time(f, f.parse_i64(i), &i);
        }
        if let Ok(x) = s.parse::<f64>() {
            check_time(f, f.parse_f64(x), &x);
        }
    }
}

pub fn check(data: &[u8]) {
    for f in formats() {
        all(f, data);
    }
    // The input as a spec: the first line is the spec, the rest the value.
    if let Ok(s) = std::str::from_utf8(data) {
        let (spec, value) = s.split_once('\n').unwrap_or((s, ""));
        match TimeFormat::from_spec(spec) {
            Ok(f) => {
                all(&f, value.as_bytes());
                let _ = f.spec();
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
}
