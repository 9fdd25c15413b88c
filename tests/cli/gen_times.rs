//! `normalog gen`'s times stay within years 0 to 9999, the times normalize reads.

use super::{events, run, stderr};

/// A start and span ending past 9999-12-31T23:59:59Z gave years of five digits, and past
/// chrono's range 1970 (review finding); so did a span past what 64 bits hold. Each is
/// refused now, with the flags and the latest start that fits.
#[test]
fn gen_refuses_records_past_the_year_9999() {
    for (args, expected) in [
        (
            &[
                "-n",
                "4",
                "--span",
                "10000000000000s",
                "--start",
                "2024-01-01",
            ][..],
            "normalog: --start 2024-01-01T00:00:00Z with --span 10000000000000s: the records \
             would end after 9999-12-31T23:59:59Z, the last time normalog reads; they would \
             take longer than all the times normalog reads, years 0 to 9999: give a shorter \
             --span\n",
        ),
        (
            &["-n", "4", "--span", "18446744073709551615s"],
            "normalog: the default start (in 2023 or 2024) with --span \
             18446744073709551615s: the records would end after 9999-12-31T23:59:59Z, the \
             last time normalog reads; they would take longer than all the times normalog \
             reads, years 0 to 9999: give a shorter --span\n",
        ),
        // The count is what is too large: records a microsecond apart, the closest any
        // --span puts them, would not fit either (review finding: "give a shorter --span").
        (
            &["-n", "18446744073709551615", "--span", "1s"],
            "normalog: the default start (in 2023 or 2024) with --span 1s: the records would \
             end after 9999-12-31T23:59:59Z, the last time normalog reads; they would take \
             longer than all the times normalog reads, years 0 to 9999, even a microsecond \
             apart (the shortest --span gives): give fewer records (-n)\n",
        ),
        (
            &["-n", "4", "--start", "9999-12-31", "--span", "1000d"],
            "normalog: --start 9999-12-31T00:00:00Z with --span 1000d: the records would end \
             after 9999-12-31T23:59:59Z, the last time normalog reads; --start can be \
             9997-04-06T00:00:00Z at the latest\n",
        ),
        (
            &["-n", "1000000", "--start", "9999-12-31T23:00:00Z"],
            "normalog: --start 9999-12-31T23:00:00Z with -n 1000000 (records up to 172 ms \
             apart without --span): the records would end after 9999-12-31T23:59:59Z, the \
             last time normalog reads; --start can be 9999-12-30T00:13:19Z at the latest\n",
        ),
    ] {
        let o = run(&[&["gen", "-t", "Zoom.Activity"][..], args].concat(), "");
        assert_eq!(stderr(&o), expected, "{args:?}");
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
    // A start that is in the year 10000 in UTC.
    let o = run(&["gen", "--start", "9999-12-31T23:00:00-05:00"], "");
    assert!(
        stderr(&o).contains(
            "\"9999-12-31T23:00:00-05:00\" is +10000-01-01T04:00:00Z in UTC, outside the times \
             normalog reads, 0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z"
        ),
        "{}",
        stderr(&o)
    );
    assert_eq!(o.status.code(), Some(2));
}

/// A --span whose number is past 64 bits says it is too large, not that it "does not start
/// with a number" (review finding).
#[test]
fn gen_says_a_span_number_past_64_bits_is_too_large() {
    let o = run(&["gen", "-n", "5", "--span", "99999999999999999999d"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(
            "\"99999999999999999999d\": 99999999999999999999 is too large: the span must be \
             under 2^64 seconds"
        ),
        "{}",
        stderr(&o)
    );
}

/// Up to the last second is fine: the records of the last day before it all normalize,
/// RFC 3339 offsets included (shown in UTC where an offset would pass the year 9999).
#[test]
fn gen_up_to_the_last_second_normalizes() {
    let o = run(
        &["gen", "-n", "500", "--start", "9999-12-31", "--span", "1d"],
        "",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let normalized = run(&["normalize"], &String::from_utf8_lossy(&o.stdout));
    assert_eq!(normalized.status.code(), Some(0), "{}", stderr(&normalized));
    let events = events(&normalized);
    assert_eq!(events.len(), 500);
    for e in &events {
        let t = e["p_event_time"].as_str().expect("an event time");
        assert!(t.starts_with("9999-12-31T"), "{t}");
    }
}
