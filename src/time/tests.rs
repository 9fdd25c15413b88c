//! Decoding through the public API, one table per format, spec parsing and its errors.

use chrono::Datelike as _;

use super::*;

/// A JSON value handed to a decoder.
#[derive(Debug, Clone, Copy)]
enum V {
    S(&'static str),
    I(i64),
    U(u64),
    F(f64),
}
use V::{F, I, S, U};

fn decode(spec: &str, v: V) -> Option<String> {
    let f = TimeFormat::from_spec(spec).unwrap_or_else(|e| panic!("spec {spec:?}: {e:?}"));
    let ts = match v {
        S(s) => f.parse_str(s),
        I(i) => f.parse_i64(i),
        U(u) => f.parse_u64(u),
        F(x) => f.parse_f64(x),
    }?;
    let mut out = Vec::new();
    write_rfc3339(&ts, &mut out);
    Some(String::from_utf8(out).expect("utf8"))
}

/// One line per case: `format, input => expected RFC 3339 output (or None)`.
macro_rules! decode_cases {
    ($name:ident { $($spec:expr, $input:expr => $want:expr;)* }) => {
        #[test]
        fn $name() {
            $(
                let want: Option<&str> = $want;
                assert_eq!(
                    decode($spec, $input).as_deref(),
                    want,
                    "format {:?}, input {:?}",
                    $spec,
                    $input
                );
            )*
        }
    };
}

// The strftime tables, in a file of their own (they use `decode_cases!` above).
mod strftime;

decode_cases!(rfc3339_valid {
    "rfc3339", S("2023-07-01T14:00:00Z") => Some("2023-07-01T14:00:00Z");
    "", S("2023-07-01T14:00:00Z") => Some("2023-07-01T14:00:00Z");
    "rfc3339", S("2023-07-01T14:00:00.5Z") => Some("2023-07-01T14:00:00.5Z");
    "rfc3339", S("2023-07-01T14:00:00.12Z") => Some("2023-07-01T14:00:00.12Z");
    "rfc3339", S("2023-07-01T14:00:00.123Z") => Some("2023-07-01T14:00:00.123Z");
    "rfc3339", S("2023-07-01T14:00:00.1234Z") => Some("2023-07-01T14:00:00.1234Z");
    "rfc3339", S("2023-07-01T14:00:00.12345Z") => Some("2023-07-01T14:00:00.12345Z");
    "rfc3339", S("2023-07-01T14:00:00.123456Z") => Some("2023-07-01T14:00:00.123456Z");
    "rfc3339", S("2023-07-01T14:00:00.1234567Z") => Some("2023-07-01T14:00:00.1234567Z");
    "rfc3339", S("2023-07-01T14:00:00.12345678Z") => Some("2023-07-01T14:00:00.12345678Z");
    "rfc3339", S("2023-07-01T14:00:00.123456789Z") => Some("2023-07-01T14:00:00.123456789Z");
    "rfc3339", S("2023-07-01T14:00:00.1234567891Z") => Some("2023-07-01T14:00:00.123456789Z");
    "rfc3339", S("2023-07-01T14:00:00.000Z") => Some("2023-07-01T14:00:00Z");
    "rfc3339", S("2023-07-01T14:00:00+05:30") => Some("2023-07-01T08:30:00Z");
    "rfc3339", S("2023-07-01T20:00:00-08:00") => Some("2023-07-02T04:00:00Z");
    "rfc3339", S("2023-12-31T23:30:00-01:00") => Some("2024-01-01T00:30:00Z");
    "rfc3339", S("2024-02-29T00:00:00Z") => Some("2024-02-29T00:00:00Z");
    "rfc3339", S("2000-02-29T00:00:00Z") => Some("2000-02-29T00:00:00Z");
    "rfc3339", S("0000-01-01T00:00:00Z") => Some("0000-01-01T00:00:00Z");
    "rfc3339", S("9999-12-31T23:59:59.999999999Z") => Some("9999-12-31T23:59:59.999999999Z");
    "rfc3339", S("1969-12-31T23:59:59Z") => Some("1969-12-31T23:59:59Z");
    "rfc3339", S("2023-07-01T14:00:00+00:00") => Some("2023-07-01T14:00:00Z");
    "rfc3339", S("2023-07-01T14:00:00.5-00:00") => Some("2023-07-01T14:00:00.5Z");
    // One-digit hours, as Go's `time.Parse` reads the layout's `15` (review s39-h4 F7).
    "rfc3339", S("2023-07-01T9:02:03Z") => Some("2023-07-01T09:02:03Z");
    "rfc3339", S("2023-07-01T0:00:00.5+01:00") => Some("2023-06-30T23:00:00.5Z");
    // No seconds before a fraction: Go's `time.Parse` overwrites the seconds' error with the
    // fraction's (review s45-h7 LOW-1); a fraction alone, or one digit, is still refused.
    "rfc3339", S("2023-07-01T14:00:.5Z") => Some("2023-07-01T14:00:00.5Z");
    "rfc3339", S("2023-07-01T14:00:.123+01:00") => Some("2023-07-01T13:00:00.123Z");
});

decode_cases!(rfc3339_no_seconds {
    "rfc3339", S("2023-07-01T14:00:Z") => None;
    "rfc3339", S("2023-07-01T14:00:.Z") => None;
    "rfc3339", S("2023-07-01T14:00:5.5Z") => None;
    "rfc3339", S("2023-07-01T14:00:,5Z") => None;
});

decode_cases!(layout_no_seconds_before_a_fraction {
    // No seconds before a fraction: Go's `time.Parse` overwrites the seconds' error with the
    // fraction's, whatever the layout, when no fraction follows the seconds in it (review
    // s45-h9 LOW-1); a digit less, a comma, or a fraction in the layout is still refused.
    "layout=2006-01-02T15:04:05Z07:00", S("2023-07-01T14:00:.5Z") => Some("2023-07-01T14:00:00.5Z");
    "layout=2006-01-02 15:04:05", S("2023-07-01 14:00:.25") => Some("2023-07-01T14:00:00.25Z");
    "layout=02/Jan/2006:15:04:05 -0700", S("01/Jul/2023:14:00:.25 +0200") => Some("2023-07-01T12:00:00.25Z");
    "layout=2006-01-02 15:04:5", S("2023-07-01 14:00:.5") => Some("2023-07-01T14:00:00.5Z");
    "layout=2006-01-02 15:04:05", S("2023-07-01 14:00:5.5") => None;
    "layout=2006-01-02 15:04:05", S("2023-07-01 14:00:.") => None;
    "layout=2006-01-02 15:04:05", S("2023-07-01 14:00:,5") => None;
    "layout=2006-01-02 15:04:05.000", S("2023-07-01 14:00:.500") => None;
});

decode_cases!(rfc3339_invalid {
    "rfc3339", S("") => None;
    "rfc3339", S("2023-07-01T14:00:00") => None;
    "rfc3339", S("2023-07-01 14:00:00Z") => None;
    "rfc3339", S("2023-07-01t14:00:00Z") => None;
    "rfc3339", S("2023-07-01T14:00:00z") => None;
    "rfc3339", S("2023-02-30T00:00:00Z") => None;
    "rfc3339", S("2023-02-29T00:00:00Z") => None;
    "rfc3339", S("1900-02-29T00:00:00Z") => None;
    "rfc3339", S("2023-13-01T00:00:00Z") => None;
    "rfc3339", S("2023-00-01T00:00:00Z") => None;
    "rfc3339", S("2023-04-31T00:00:00Z") => None;
    "rfc3339", S("2023-07-00T00:00:00Z") => None;
    "rfc3339", S("2023-07-01T24:00:00Z") => None;
    "rfc3339", S("2023-07-01T14:60:00Z") => None;
    "rfc3339", S("2023-07-01T14:00:60Z") => None;
    "rfc3339", S("2023-07-01T14:00:00ZZ") => None;
    "rfc3339", S("2023-07-01T14:00:00Z ") => None;
    "rfc3339", S(" 2023-07-01T14:00:00Z") => None;
    "rfc3339", S("2023-07-01T14:00:00.Z") => None;
    "rfc3339", S("2023-07-01T14:00:00,5Z") => None;
    "rfc3339", S("2023-07-01T14:00:00+0530") => None;
    "rfc3339", S("2023-07-01T14:00:00+05") => None;
    "rfc3339", S("2023-07-01T14:00:00+24:00") => None;
    "rfc3339", S("2023-07-01T14:00:00+05:60") => None;
    "rfc3339", S("2023-07-01T:00:00Z") => None;
    "rfc3339", S("2023-07-01T123:00:00Z") => None;
    "rfc3339", S("2023-07-01T9:2:03Z") => None;
    "rfc3339", S("2023-07-01T9:02:3Z") => None;
    "rfc3339", S("2023-7-01T14:00:00Z") => None;
    "rfc3339", S("+2023-07-01T14:00:00Z") => None;
    "rfc3339", S("2023-07-01T14:00:00.5") => None;
    "rfc3339", S("2022-04-04\u{3a4}17:09:17Z") => None;
    "rfc3339", S("0000-01-01T00:00:00+01:00") => None;
    "rfc3339", S("9999-12-31T23:00:00-01:00") => None;
    "rfc3339", I(1_688_220_000) => None;
    "rfc3339", U(1_688_220_000) => None;
    "rfc3339", F(1.5) => None;
});

decode_cases!(unix {
    "unix", I(1_392_163_202) => Some("2014-02-12T00:00:02Z");
    "unix", U(1_392_163_202) => Some("2014-02-12T00:00:02Z");
    "unix", S("1392163202") => Some("2014-02-12T00:00:02Z");
    "unix", S("1392163202.5") => Some("2014-02-12T00:00:02.5Z");
    "unix", F(1_392_163_202.5) => Some("2014-02-12T00:00:02.5Z");
    "unix", F(1_392_163_202.123_456_7) => Some("2014-02-12T00:00:02.123456Z");
    "unix", F(0.0) => Some("1970-01-01T00:00:00Z");
    "unix", I(0) => Some("1970-01-01T00:00:00Z");
    "unix", I(-1) => Some("1969-12-31T23:59:59Z");
    "unix", F(-1.5) => Some("1969-12-31T23:59:58.5Z");
    "unix", S("-1.5") => Some("1969-12-31T23:59:58.5Z");
    "unix", S("1e9") => Some("2001-09-09T01:46:40Z");
    "unix", S("+5") => Some("1970-01-01T00:00:05Z");
    // Go's ParseFloat, as for `float` fields: underscores between digits, hexadecimal.
    "unix", S("1_000") => Some("1970-01-01T00:16:40Z");
    "unix", S("0x1p4") => Some("1970-01-01T00:00:16Z");
    "unix", S("1__000") => None;
    "unix", S("Infinity") => None;
    "unix", I(253_402_300_799) => Some("9999-12-31T23:59:59Z");
    "unix", I(253_402_300_800) => None;
    "unix", I(-62_167_219_200) => Some("0000-01-01T00:00:00Z");
    "unix", I(-62_167_219_201) => None;
    "unix", I(i64::MAX) => None;
    "unix", I(i64::MIN) => None;
    "unix", U(u64::MAX) => None;
    "unix", F(f64::INFINITY) => None;
    "unix", F(f64::MAX) => None;
    "unix", F(f64::NAN) => None;
    "unix", F(f64::NEG_INFINITY) => None;
    "unix", F(1e300) => None;
    "unix", S("") => None;
    "unix", S(" 1") => None;
    "unix", S("1 ") => None;
    "unix", S("abc") => None;
    "unix", S("inf") => None;
    "unix", S("NaN") => None;
    "unix", S("1e999") => None;
    "unix", S("99999999999999999999999") => None;
});

decode_cases!(unix_int_formats {
    "unix_ms", I(1_688_220_000_123) => Some("2023-07-01T14:00:00.123Z");
    "unix_ms", S("1688220000123") => Some("2023-07-01T14:00:00.123Z");
    "unix_ms", U(1_688_220_000_000) => Some("2023-07-01T14:00:00Z");
    "unix_ms", I(0) => Some("1970-01-01T00:00:00Z");
    "unix_ms", S("-1") => Some("1969-12-31T23:59:59.999Z");
    "unix_ms", F(1_688_220_000_123.0) => None;
    "unix_ms", S("1688220000123.5") => None;
    "unix_ms", S("1.6e12") => None;
    "unix_ms", S("") => None;
    "unix_ms", S("-") => None;
    "unix_ms", S("12a") => None;
    "unix_ms", S("9223372036854775808") => None;
    "unix_ms", I(i64::MAX) => None;
    "unix_us", I(1_688_220_000_123_456) => Some("2023-07-01T14:00:00.123456Z");
    "unix_us", S("1688220000123456") => Some("2023-07-01T14:00:00.123456Z");
    "unix_us", F(1.0) => None;
    "unix_us", I(i64::MAX) => None;
    "unix_ns", I(1_688_220_000_123_456_789) => Some("2023-07-01T14:00:00.123456789Z");
    "unix_ns", S("1688220000123456789") => Some("2023-07-01T14:00:00.123456789Z");
    "unix_ns", I(i64::MAX) => Some("2262-04-11T23:47:16.854775807Z");
    "unix_ns", I(i64::MIN) => Some("1677-09-21T00:12:43.145224192Z");
    "unix_ns", U(u64::MAX) => None;
    "unix_ns", F(1.0) => None;
});

decode_cases!(cloudflare {
    "cloudflare", S("2023-07-01T14:00:00Z") => Some("2023-07-01T14:00:00Z");
    "cloudflare", S("2023-07-01 14:00:00Z") => None;
    "cloudflare", I(1_688_220_000) => Some("2023-07-01T14:00:00Z");
    "cloudflare", I(59_999_999_999) => Some("3871-04-29T10:39:59Z");
    "cloudflare", I(60_000_000_000) => Some("1970-01-01T00:01:00Z");
    "cloudflare", I(1_688_220_000_123_456_789) => Some("2023-07-01T14:00:00.123456789Z");
    "cloudflare", U(1_688_220_000) => Some("2023-07-01T14:00:00Z");
    "cloudflare", F(1.5) => None;
    "cloudflare", S("1688220000") => None;
});

// Go's `time.Parse`: a numeric offset wins over a zone abbreviation, in either order (the
// first case is `Time.String()`), and the name UTC (or `Z`) wins over both.
decode_cases!(layout_numeric_offset_beats_zone_abbreviation {
    "layout=2006-01-02 15:04:05.999999999 -0700 MST", S("2023-06-01 12:00:00.5 +0200 CEST") => Some("2023-06-01T10:00:00.5Z");
    "layout=2006-01-02 15:04:05 -0700 MST", S("2023-01-01 00:00:00 -0500 EST") => Some("2023-01-01T05:00:00Z");
    "layout=2006-01-02 15:04:05 -0700 MST", S("2023-01-01 00:00:00 +0100 GMT+3") => Some("2022-12-31T23:00:00Z");
    "layout=2006-01-02 15:04:05 -0700 MST", S("2023-01-01 00:00:00 +0100 UTC") => Some("2023-01-01T00:00:00Z");
    "layout=2006-01-02 15:04:05 -07:00 MST", S("2023-01-01 00:00:00 +01:00 CET") => Some("2022-12-31T23:00:00Z");
    "layout=2006-01-02 15:04:05 MST -0700", S("2023-01-01 00:00:00 CET +0100") => Some("2022-12-31T23:00:00Z");
    "layout=2006-01-02 15:04:05 MST -0700", S("2023-01-01 00:00:00 GMT+3 +0100") => Some("2022-12-31T23:00:00Z");
    "layout=2006-01-02 15:04:05 MST -0700", S("2023-01-01 00:00:00 UTC +0100") => Some("2023-01-01T00:00:00Z");
    "layout=2006-01-02 15:04:05 Z0700 MST", S("2023-01-01 00:00:00 Z CET") => Some("2023-01-01T00:00:00Z");
});

decode_cases!(layout {
    "layout=2006-01-02 15:04:05 MST", S("2023-07-01 14:00:00 UTC") => Some("2023-07-01T14:00:00Z");
    "layout=2006-01-02 15:04:05 MST", S("2023-07-01 14:00:00 MST") => Some("2023-07-01T14:00:00Z");
    // Go names the zone "GMT+2" but reads the wall clock as UTC (golang/go#56392), for hours
    // up to 23 either way (`parseSignedOffset` since Go 1.11).
    "layout=2006-01-02 15:04:05 MST", S("2023-07-01 14:00:00 GMT+2") => Some("2023-07-01T14:00:00Z");
    "layout=2006-01-02 15:04:05 MST", S("2023-07-01 14:00:00 GMT-3") => Some("2023-07-01T14:00:00Z");
    "layout=2006-01-02 15:04:05 MST", S("2023-07-01 14:00:00 GMT+13") => Some("2023-07-01T14:00:00Z");
    "layout=2006-01-02 15:04:05 MST", S("2023-07-01 14:00:00 GMT-23") => Some("2023-07-01T14:00:00Z");
    "layout=2006-01-02 15:04:05 MST", S("2023-07-01 14:00:00 GMT+24") => None;
    "layout=2006-01-02 15:04:05 MST", S("2023-07-01 14:00:00 +14") => Some("2023-07-01T14:00:00Z");
    "layout=2006-01-02 15:04:05 MST", S("2023-07-01 14:00:00 -24") => None;
    "layout=2006-01-02 15:04:05 MST", S("2023-07-01 14:00:00 +07") => Some("2023-07-01T14:00:00Z");
    "layout=2006-01-02 15:04:05 MST", S("2023-07-01 14:00:00 CEST") => Some("2023-07-01T14:00:00Z");
    "layout=2006-01-02 15:04:05 MST", S("2023-07-01 14:00:00 Mst") => None;
    "layout=2006-01-02 15:04:05 MST", S("2023-07-01 14:00:00 ABCD") => None;
    "layout=2006-01-02 15:04:05 MST", S("2023-07-01 14:00:00.25 UTC") => Some("2023-07-01T14:00:00.25Z");
    "layout=2006-01-02 15:04:05 MST", S("2023-07-01 14:00:00") => None;
    "layout=01/02/2006 15:04:05.999", S("07/01/2023 14:00:00.123") => Some("2023-07-01T14:00:00.123Z");
    "layout=01/02/2006 15:04:05.999", S("07/01/2023 14:00:00") => Some("2023-07-01T14:00:00Z");
    "layout=01/02/2006 15:04:05.999", S("07/01/2023 14:00:00.123456789") => Some("2023-07-01T14:00:00.123456789Z");
    "layout=01/02/2006 15:04:05.999", S("7/01/2023 14:00:00") => None;
    "layout=01/02/2006 15:04:05.000", S("07/01/2023 14:00:00.123") => Some("2023-07-01T14:00:00.123Z");
    // Go 1.15 (Panther's): `,` starts no fraction, in the value nor in the layout (review
    // s41-h5); offsets have no range check. A fraction's digits past nine are cut, as Go 1.17+
    // (a departure: Go 1.15 refuses them).
    "layout=01/02/2006 15:04:05.000", S("07/01/2023 14:00:00,123") => None;
    "layout=2006-01-02 15:04:05", S("2023-07-01 14:00:00,5") => None;
    "layout=2006-01-02 15:04:05,000", S("2023-07-01 14:00:00,123") => None;
    "layout=2006-01-02 15:04:05,000", S("2023-07-01 14:00:00,000") => Some("2023-07-01T14:00:00Z");
    "layout=01/02/2006 15:04:05.999", S("07/01/2023 14:00:00.1234567891") => Some("2023-07-01T14:00:00.123456789Z");
    "layout=01/02/2006 15:04:05", S("07/01/2023 14:00:00.1234567891") => Some("2023-07-01T14:00:00.123456789Z");
    "layout=01/02/2006 15:04:05.999", S("07/01/2023 14:00:00.123456789") => Some("2023-07-01T14:00:00.123456789Z");
    "layout=2006-01-02 15:04:05 -0700", S("2023-07-01 14:00:00 +1299") => Some("2023-07-01T00:21:00Z");
    "layout=2006-01-02T15:04:05Z07:00", S("2023-07-01T14:00:00+25:00") => Some("2023-06-30T13:00:00Z");
    "layout=2006-01-02 15:04:05 Z07:00:00", S("2023-07-01 14:00:00 Z") => None;
    "layout=2006-01-02 15:04:05 Z070000", S("2023-07-01 14:00:00 Z") => None;
    "layout=2006-01-02 15:04:05 Z070000", S("2023-07-01 14:00:00 +013000") => Some("2023-07-01T12:30:00Z");
    "layout=2006-01-02 15:04:05 Z07", S("2023-07-01 14:00:00 Z") => Some("2023-07-01T14:00:00Z");
    "layout=01/02/2006 15:04:05.000", S("07/01/2023 14:00:00.12") => None;
    "layout=01/02/2006 15:04:05.000", S("07/01/2023 14:00:00") => None;
    "layout=2006-01-02T15:04:05", S("2023-07-01T14:00:00") => Some("2023-07-01T14:00:00Z");
    "layout=2006-01-02T15:04:05", S("2023-07-01T4:00:00") => Some("2023-07-01T04:00:00Z");
    "layout=2006-01-02T15:04:05", S("2023-07-01T14:00:00Z") => None;
    "layout=2006-01-02T15:04:05", S("2023-02-29T14:00:00") => None;
    "layout=2006-01-02T15:04:05Z07:00", S("2023-07-01T14:00:00Z") => Some("2023-07-01T14:00:00Z");
    "layout=2006-01-02T15:04:05Z07:00", S("2023-07-01T14:00:00+05:30") => Some("2023-07-01T08:30:00Z");
    "layout=2006-01-02T15:04:05Z07:00", S("2023-07-01T14:00:00.5-08:00") => Some("2023-07-01T22:00:00.5Z");
    "layout=2006-01-02T15:04:05Z07:00", S("2023-07-01T14:00:00+0530") => None;
    "layout=2006-01-02T15:04:05-0700", S("2023-07-01T14:00:00+0530") => Some("2023-07-01T08:30:00Z");
    "layout=2006-01-02T15:04:05-0700", S("2023-07-01T14:00:00Z") => None;
    "layout=2006-01-02T15:04:05Z0700", S("2023-07-01T14:00:00Z") => Some("2023-07-01T14:00:00Z");
    "layout=2006-01-02T15:04:05-07", S("2023-07-01T14:00:00-03") => Some("2023-07-01T17:00:00Z");
    "layout=2006-01-02T15:04:05-07:00:00", S("2023-07-01T14:00:00+01:00:30") => Some("2023-07-01T12:59:30Z");
    "layout=Jan _2 15:04:05", S("Jul  1 14:00:00") => Some("0000-07-01T14:00:00Z");
    "layout=Jan _2 15:04:05", S("Jul 11 14:00:00") => Some("0000-07-11T14:00:00Z");
    "layout=Jan _2 15:04:05", S("jul 1 14:00:00") => Some("0000-07-01T14:00:00Z");
    "layout=Jan _2 15:04:05", S("Jul1 14:00:00") => None;
    "layout=Mon Jan 2 15:04:05 MST 2006", S("Sat Jul 1 14:00:00 UTC 2023") => Some("2023-07-01T14:00:00Z");
    "layout=Monday, January 2, 2006 3:04 PM", S("Saturday, July 1, 2023 2:00 PM") => Some("2023-07-01T14:00:00Z");
    "layout=Monday, January 2, 2006 3:04 PM", S("Saturday, July 1, 2023 12:00 AM") => Some("2023-07-01T00:00:00Z");
    "layout=Monday, January 2, 2006 3:04 PM", S("Saturday, July 1, 2023 2:00 pm") => None;
    "layout=Monday, January 2, 2006 3:04 PM", S("Saturday, July 1, 2023 13:00 PM") => None;
    "layout=03:04pm 02.01.06", S("02:30pm 01.07.23") => Some("2023-07-01T14:30:00Z");
    "layout=2006 002", S("2024 060") => Some("2024-02-29T00:00:00Z");
    // Go's `time.Parse`, unlike timefmt-go: the day of the year must agree with the month
    // and day, and hour 24 and second 60 are refused.
    "layout=2006 002 01 02", S("2023 001 07 01") => None;
    "layout=2006 002 01 02", S("2023 001 01 01") => Some("2023-01-01T00:00:00Z");
    "layout=2006-01-02 15:04:05", S("2023-07-01 24:00:00") => None;
    "layout=2006-01-02 15:04:05", S("2016-12-31 23:59:60") => None;
    "layout=2006-01-02 3:04:05", S("2016-12-31 3:59:60") => None;
    "layout=2006_01_02", S("2023_07_01") => Some("2023-07-01T00:00:00Z");
    "layout=_2006", S("_2023") => Some("2023-01-01T00:00:00Z");
    "layout=2006-01-02", S("2023-07-01") => Some("2023-07-01T00:00:00Z");
    "layout=2006-01-02", I(1) => None;
    "layout=15:04", S("14:05") => Some("0000-01-01T14:05:00Z");
    "layout=15:04 -0700", S("00:05 +0100") => None;
});

#[test]
fn spec_round_trip() {
    for spec in [
        "rfc3339",
        "unix",
        "unix_ms",
        "unix_us",
        "unix_ns",
        "cloudflare",
        "%Y-%m-%d",
        "layout=2006-01-02",
    ] {
        assert_eq!(
            TimeFormat::from_spec(spec).map(|f| f.spec().to_owned()),
            Ok(spec.to_owned())
        );
    }
    assert_eq!(TimeFormat::from_spec(""), Ok(TimeFormat::Rfc3339));
    assert_eq!(TimeFormat::Rfc3339.spec(), "rfc3339");
    assert!(matches!(
        TimeFormat::from_spec("%Y"),
        Ok(TimeFormat::Strftime(_))
    ));
    assert!(matches!(
        TimeFormat::from_spec("layout=2006"),
        Ok(TimeFormat::Layout(_))
    ));
    assert_eq!(TimeFormat::from_spec("%Y"), TimeFormat::from_spec("%Y"));
    assert_ne!(TimeFormat::from_spec("%Y"), TimeFormat::from_spec("%y"));
}

/// One line per case: `spec => (message contains, hint contains)`; "" = don't care.
macro_rules! spec_errors {
    ($name:ident { $($spec:expr => ($msg:expr, $hint:expr);)* }) => {
        #[test]
        fn $name() {
            $(
                let err = TimeFormat::from_spec($spec).expect_err($spec);
                assert!(err.message.contains($msg), "{:?}: message {:?}", $spec, err.message);
                let hint = err.hint.clone().unwrap_or_default();
                assert!(hint.contains($hint), "{:?}: hint {:?}", $spec, hint);
                let shown = err.to_string();
                assert!(!shown.ends_with('.') && shown.starts_with(|c: char| !c.is_uppercase()), "{shown:?}");
            )*
        }
    };
}

spec_errors!(from_spec_errors {
    "unix_milli" => ("unknown timeFormat \"unix_milli\"", "did you mean `unix_ms`?");
    "RFC3339" => ("unknown timeFormat", "did you mean `rfc3339`?");
    "rfc3339nano" => ("unknown timeFormat", "did you mean `rfc3339`?");
    "unix_nano" => ("unknown", "did you mean `unix_ns`?");
    "unix_micro" => ("unknown", "did you mean `unix_us`?");
    "epoch" => ("unknown", "did you mean `unix`?");
    "unixx" => ("unknown", "did you mean `unix`?");
    "cloudflar" => ("unknown", "did you mean `cloudflare`?");
    "uinx" => ("unknown", "did you mean `unix`?");
    " rfc3339" => ("unknown", "did you mean `rfc3339`?");
    "bogus" => ("unknown timeFormat \"bogus\"", "valid values: rfc3339, unix, unix_ms");
    "2006-01-02" => ("unknown", "did you mean `layout=2006-01-02`?");
    "YYYY-MM-DD" => ("unknown", "strftime directives");
    "layout = 2006" => ("unknown", "no spaces around");
    "%Y-%m-%d %Q" => ("unsupported strftime directive \"%Q\"", "supported directives");
    "%Y %E" => ("\"%E\"", "");
    "%Y %:y" => ("\"%:\"", "");
    "%Y %é" => ("\"%é\"", "");
    "%Y-%m-%" => ("stray", "%%");
    "100%%" => ("no date or time directive", "");
    "layout=" => ("no Go reference-time element", "Mon Jan 2 15:04:05 MST 2006");
    "layout=YYYY-MM-DD" => ("no Go reference-time element", "");
    "layout=%Y-%m-%d" => ("strftime directive \"%Y\"", "drop the \"layout=\" prefix");
});

/// A cheap deterministic fuzz: truncations and byte mutations of valid inputs never panic
/// and, when they decode, decode into the writable range.
#[test]
fn no_panics_on_mutated_inputs() {
    let formats = [
        "rfc3339",
        "unix",
        "unix_ms",
        "cloudflare",
        "%d/%b/%Y:%H:%M:%S %z",
        "%Y%m%d%H%M%S.%f",
        "%s %j %C%y %e %l %p %Z",
        "layout=2006-01-02 15:04:05.999 MST",
        "layout=Mon Jan _2 03:04:05.000 PM Z07:00:00 __2 06",
        "layout=2006-01-02T15:04:05-07",
    ];
    let seeds = [
        "2023-07-01T14:00:00.123456789+05:30",
        "10/Oct/2000:13:55:36 -0700",
        "20230701140000.123456",
        "1688220000 060 1923  1  1 PM GMT",
        "2023-07-01 14:00:00.25 GMT+12",
        "Sat Jul  1 02:00:00.123 PM +01:00:00  60 23",
        "-1.5e3",
    ];
    let noise = [
        b'0', b'9', b'-', b'+', b':', b'.', b' ', b'Z', b'T', 0xff, b'%', b'G',
    ];
    for spec in formats {
        let f = TimeFormat::from_spec(spec).expect(spec);
        for seed in seeds {
            let bytes = seed.as_bytes();
            for cut in 0..=bytes.len() {
                for (k, &n) in noise.iter().enumerate() {
                    let mut m = bytes[..cut].to_vec();
                    if let Some(b) = m.get_mut((cut + k) % cut.max(1)) {
                        *b = n;
                    }
                    let s = String::from_utf8_lossy(&m);
                    if let Some(ts) = f.parse_str(&s) {
                        assert!((0..=9999).contains(&ts.year()), "{spec} {s:?}");
                    }
                }
            }
        }
        for v in [i64::MIN, -1, 0, 1, i64::MAX] {
            let _ = f.parse_i64(v);
        }
        for v in [f64::MIN, -0.0, f64::EPSILON, f64::MAX, f64::NAN] {
            let _ = f.parse_f64(v);
        }
    }
}

#[test]
fn error_display_is_message() {
    let err = TimeFormat::from_spec("nope").expect_err("nope");
    assert_eq!(err.to_string(), "unknown timeFormat \"nope\"");
    let _: &dyn std::error::Error = &err;
}

#[test]
fn unknown_spec_hint_is_suggestion_then_valid_values() {
    let hint = |spec: &str| TimeFormat::from_spec(spec).expect_err(spec).hint;
    let valid = "valid values: rfc3339, unix, unix_ms";
    let h = hint("unixx").unwrap_or_default();
    assert!(
        h.starts_with(&format!("did you mean `unix`? {valid}")),
        "{h:?}"
    );
    let h = hint("bogus").unwrap_or_default();
    assert!(h.starts_with(valid), "{h:?}");
    let h = hint("layout = 2006").unwrap_or_default();
    assert!(
        h.starts_with(&format!(
            "write \"layout=<Go layout>\" with no spaces around '=' {valid}"
        )),
        "{h:?}"
    );
}
