//! Timestamp decoding and encoding for the `timestamp` field type.
//!
//! A schema field of type `timestamp` names a `timeFormat`; [`TimeFormat::from_spec`] turns that
//! text into a decoder once, at schema load time, and the `parse_*` methods decode JSON values with
//! it. The semantics follow the Panther open-source log processor (`pantherlog/tcodec`), which is
//! written in Go:
//!
//! * `rfc3339`: Go `time.Parse(time.RFC3339, s)` in its strict form: `YYYY-MM-DDTHH:MM:SS`, an
//!   optional `.` fraction, then `Z` or `±hh:mm`. Like Go, more than nine fractional digits are
//!   accepted and truncated to nanoseconds. Unlike Go's lenient fallback path, one-digit hours and
//!   a `,` fraction separator are rejected.
//! * `unix`: seconds as a JSON number (integer or float) or a numeric string; a fraction is kept to
//!   microsecond precision (`int64(sec*1e6)` µs, as Panther does).
//! * `unix_ms`, `unix_us`, `unix_ns`: integers (JSON integers or base-10 integer strings) only.
//! * `cloudflare`: strings are RFC 3339; integers are seconds below `60_000_000_000`, otherwise
//!   nanoseconds.
//! * strftime patterns (any spec containing `%`): the directives of `itchyny/timefmt-go`, which
//!   Panther uses; see [`TimeFormat::from_spec`] for the list and the few deliberate differences.
//! * `layout=<Go layout>`: Go reference-time layouts (`Mon Jan 2 15:04:05 MST 2006`), parsed with
//!   the rules of Go's `time.Parse`.
//!
//! Every decoded timestamp lies in the years 0000–9999 UTC; anything outside decodes to `None`, so
//! [`write_rfc3339`] and [`write_panther`] always produce valid, fixed-width output for them.
//! Decoding never panics, and the built-in formats (`rfc3339`, `unix*`, `cloudflare`) never
//! allocate; pattern formats are compiled once and do not allocate per value either.

use std::cell::Cell;
use std::fmt;

use chrono::{DateTime, Datelike, Timelike, Utc};

/// A point in time, UTC, nanosecond precision.
pub type Timestamp = DateTime<Utc>;

/// A decoder for one `timeFormat` of a schema (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TimeFormat {
    /// `rfc3339`: strict RFC 3339 strings (`2023-07-01T14:00:00.5+02:00`).
    Rfc3339,
    /// `unix`: seconds since the epoch, integer or fractional, number or numeric string.
    Unix,
    /// `unix_ms`: integer milliseconds since the epoch.
    UnixMs,
    /// `unix_us`: integer microseconds since the epoch.
    UnixUs,
    /// `unix_ns`: integer nanoseconds since the epoch.
    UnixNs,
    /// `cloudflare`: RFC 3339 strings, or integer seconds / nanoseconds.
    Cloudflare,
    /// A strftime pattern such as `%Y-%m-%d %H:%M:%S`.
    Strftime(Pattern),
    /// `layout=<Go layout>`, e.g. `layout=2006-01-02 15:04:05 MST`.
    Layout(Pattern),
}

/// A compiled strftime pattern or Go layout.
///
/// It keeps the spec text as the user wrote it (for messages) and a compiled list of elements,
/// so decoding a value neither re-reads the pattern nor allocates.
#[derive(Debug, Clone)]
pub struct Pattern {
    spec: Box<str>,
    items: Box<[Item]>,
    /// Year used when the pattern has no year element: 1900 for strftime (timefmt-go), 0 for Go
    /// layouts (Go's `time.Parse`).
    default_year: i64,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.spec == other.spec
    }
}

impl Eq for Pattern {}

impl Pattern {
    /// The spec text as written in the schema: `%Y-%m-%d` or `layout=2006-01-02`.
    #[must_use]
    pub fn spec(&self) -> &str {
        &self.spec
    }
}

/// Why a `timeFormat` spec is invalid.
///
/// [`Display`](fmt::Display) shows only `message`; `hint` (valid choices, a did-you-mean) is
/// meant to be shown separately, e.g. as a `help:` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeFormatError {
    /// What is wrong, lowercase, without a trailing period.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    pub hint: Option<String>,
}

impl TimeFormatError {
    fn new(message: impl Into<String>, hint: Option<String>) -> Self {
        Self {
            message: message.into(),
            hint,
        }
    }
}

impl fmt::Display for TimeFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TimeFormatError {}

/// Largest integer that `cloudflare` reads as seconds (exclusive); larger ones are nanoseconds.
const CLOUDFLARE_SECONDS_LIMIT: i64 = 60_000_000_000;

const BUILTIN_NAMES: [&str; 6] = [
    "rfc3339",
    "unix",
    "unix_ms",
    "unix_us",
    "unix_ns",
    "cloudflare",
];

impl TimeFormat {
    /// Parse the schema's `timeFormat` text.
    ///
    /// Accepted: `rfc3339`, `unix`, `unix_ms`, `unix_us`, `unix_ns`, `cloudflare`, any text
    /// containing a strftime directive (`%…`), or `layout=<Go layout>`. The empty string means
    /// `rfc3339`, as in Panther. Names are case-sensitive, as in Panther.
    ///
    /// Strftime directives: `%Y %C %y %m %B %b %h %A %a %w %u %d %e %j %H %k %I %l %p %M %S %f %z
    /// %:z %Z %s %D %x %F %v %R %r %T %X %c %t %n %%`; the flags `-`, `_`, `0` (as in `%-d`) are
    /// accepted and ignored. Numbers are read greedily up to their width (`%d` reads one or two
    /// digits). Differences from timefmt-go, all stricter or more useful: `%f` reads one to nine
    /// fractional digits (timefmt-go: six), `%z` also accepts `Z` and `±hh:mm`, `%Z` also accepts
    /// `Z`, `%y` maps 69–99 to 19xx and 00–68 to 20xx (timefmt-go: the current century), `12 AM`/
    /// `12 PM` mean 00/12 h (timefmt-go adds 12 to any PM hour), and impossible dates such as
    /// February 30 are rejected (timefmt-go rolls them over). Without a year the year is 1900;
    /// without `%z`/`%Z` the time is UTC. Zone abbreviations read by `%Z` are checked for shape
    /// and then taken as UTC (offset 0).
    ///
    /// Go layouts follow `time.Parse`: `2006 06 01 1 Jan January 02 _2 2 002 __2 15 03 3 04 4 05
    /// 5 .000 .999 ,000 ,999 PM pm Mon Monday MST -0700 -07:00 -07 -070000 -07:00:00 Z0700
    /// Z07:00 Z07 Z070000 Z07:00:00`; a run of spaces matches a run of spaces, and a fraction
    /// after the seconds is accepted even when the layout has none. As on Panther (whose local
    /// zone is UTC), a zone abbreviation (`MST`) other than `GMT±h` is taken as offset 0 — Go does
    /// the same for abbreviations it does not know. Without a year the year is 0, as in Go.
    ///
    /// # Errors
    ///
    /// An unknown name (with a hint listing the valid values and a did-you-mean when one is
    /// close), an unsupported strftime directive, or a layout without date/time elements.
    pub fn from_spec(spec: &str) -> Result<TimeFormat, TimeFormatError> {
        match spec {
            "" | "rfc3339" => return Ok(TimeFormat::Rfc3339),
            "unix" => return Ok(TimeFormat::Unix),
            "unix_ms" => return Ok(TimeFormat::UnixMs),
            "unix_us" => return Ok(TimeFormat::UnixUs),
            "unix_ns" => return Ok(TimeFormat::UnixNs),
            "cloudflare" => return Ok(TimeFormat::Cloudflare),
            _ => {}
        }
        if let Some(layout) = spec.strip_prefix("layout=") {
            return compile_layout(spec, layout).map(TimeFormat::Layout);
        }
        if spec.contains('%') {
            return compile_strftime(spec).map(TimeFormat::Strftime);
        }
        Err(unknown_spec(spec))
    }

    /// The text as the user wrote it (for messages): `rfc3339`, `%Y-%m-%d`, `layout=2006-01-02`.
    /// The empty spec reads back as `rfc3339`.
    #[must_use]
    pub fn spec(&self) -> &str {
        match self {
            TimeFormat::Rfc3339 => "rfc3339",
            TimeFormat::Unix => "unix",
            TimeFormat::UnixMs => "unix_ms",
            TimeFormat::UnixUs => "unix_us",
            TimeFormat::UnixNs => "unix_ns",
            TimeFormat::Cloudflare => "cloudflare",
            TimeFormat::Strftime(p) | TimeFormat::Layout(p) => p.spec(),
        }
    }

    /// Decode a JSON string value. `None` = not valid for this format (including `""`).
    #[must_use]
    pub fn parse_str(&self, s: &str) -> Option<Timestamp> {
        let b = s.as_bytes();
        match self {
            TimeFormat::Rfc3339 | TimeFormat::Cloudflare => parse_rfc3339(b),
            TimeFormat::Unix => parse_unix_str(s),
            TimeFormat::UnixMs => parse_int(b).and_then(from_millis),
            TimeFormat::UnixUs => parse_int(b).and_then(from_micros),
            TimeFormat::UnixNs => parse_int(b).and_then(from_nanos),
            TimeFormat::Strftime(p) | TimeFormat::Layout(p) => p.parse(b),
        }
    }

    /// Decode a JSON integer. `None` = not valid for this format (`rfc3339` and pattern formats
    /// never accept numbers) or out of range.
    #[must_use]
    pub fn parse_i64(&self, v: i64) -> Option<Timestamp> {
        match self {
            TimeFormat::Unix => from_seconds(v, 0),
            TimeFormat::UnixMs => from_millis(v),
            TimeFormat::UnixUs => from_micros(v),
            TimeFormat::Cloudflare if v < CLOUDFLARE_SECONDS_LIMIT => from_seconds(v, 0),
            TimeFormat::UnixNs | TimeFormat::Cloudflare => from_nanos(v),
            TimeFormat::Rfc3339 | TimeFormat::Strftime(_) | TimeFormat::Layout(_) => None,
        }
    }

    /// Decode a JSON unsigned integer; see [`TimeFormat::parse_i64`]. Values above `i64::MAX` are
    /// out of range for every format.
    #[must_use]
    pub fn parse_u64(&self, v: u64) -> Option<Timestamp> {
        i64::try_from(v).ok().and_then(|v| self.parse_i64(v))
    }

    /// Decode a JSON float. Only `unix` accepts floats (seconds, kept to microseconds and
    /// truncated toward zero as Go's `int64(sec*1e6)` does); NaN, infinities and out-of-range
    /// values give `None`.
    #[must_use]
    pub fn parse_f64(&self, v: f64) -> Option<Timestamp> {
        match self {
            TimeFormat::Unix => from_float_seconds(v),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Output

/// Append `ts` as RFC 3339 UTC, like Go's `RFC3339Nano`: `2023-07-01T14:00:00Z`; fractional
/// seconds only when non-zero, trailing zeros trimmed (`…:00.5Z`, `…:00.123456789Z`).
///
/// Timestamps from this module are always within the years 0000–9999. Other years (only from
/// timestamps built elsewhere) are written with a leading `-` or more than four digits, which is
/// not valid RFC 3339. A chrono leap second is written as second `60`.
pub fn write_rfc3339(ts: &Timestamp, out: &mut Vec<u8>) {
    // The digits are written in place into a block of fixed size appended at once, then cut:
    // one capacity check, no copy through the stack, no memcpy (measured: 150 -> 137
    // instructions per timestamp).
    let start = out.len();
    out.extend_from_slice(&[b'0'; BLOCK]);
    if let Ok(block) = <&mut [u8; BLOCK]>::try_from(&mut out[start..]) {
        if let Some(nanos) = fixed_digits(ts, block) {
            block[10] = b'T';
            let mut len = 19;
            if nanos != 0 {
                len = 29;
                while block[len - 1] == b'0' {
                    len -= 1;
                }
            }
            block[len] = b'Z';
            out.truncate(start + len + 1);
            return;
        }
    }
    out.truncate(start);
    write_rfc3339_slow(ts, out);
}

/// The size of the block [`fixed_digits`] writes into.
const BLOCK: usize = 32;

fn write_rfc3339_slow(ts: &Timestamp, out: &mut Vec<u8>) {
    let nanos = write_date_time_slow(ts, b'T', out);
    if nanos != 0 {
        let mut digits = [0u8; 9];
        fill_digits(nanos, &mut digits);
        let mut len = digits.len();
        while len > 0 && digits[len - 1] == b'0' {
            len -= 1;
        }
        out.push(b'.');
        out.extend_from_slice(&digits[..len]);
    }
    out.push(b'Z');
}

/// Append `ts` in Panther's data-lake layout, UTC, always nine fractional digits:
/// `2023-07-01 14:00:00.000000000` (Go layout `2006-01-02 15:04:05.000000000`).
///
/// Years outside 0000–9999 and leap seconds are written as by [`write_rfc3339`].
pub fn write_panther(ts: &Timestamp, out: &mut Vec<u8>) {
    // As write_rfc3339: in place into a block of fixed size, then cut.
    let start = out.len();
    out.extend_from_slice(&[b'0'; BLOCK]);
    if let Ok(block) = <&mut [u8; BLOCK]>::try_from(&mut out[start..]) {
        if fixed_digits(ts, block).is_some() {
            block[10] = b' ';
            out.truncate(start + 29);
            return;
        }
    }
    out.truncate(start);
    write_panther_slow(ts, out);
}

fn write_panther_slow(ts: &Timestamp, out: &mut Vec<u8>) {
    let nanos = write_date_time_slow(ts, b' ', out);
    let mut digits = [0u8; 9];
    fill_digits(nanos, &mut digits);
    out.push(b'.');
    out.extend_from_slice(&digits);
}

/// The hot path of the writers (every event has two or more timestamps), for the years
/// 0000–9999: writes `YYYY-MM-DD_HH:MM:SS.nnnnnnnnn` into the start of `block` (which holds
/// `0` digits) and returns the nanoseconds, or `None` for other years. The separator at 10 is
/// for the caller to set, and the fraction is left as it is when it is zero.
///
/// The fields are read from chrono's calendar date and seconds of the day as they are
/// stored, without a round trip through Unix time; the date, hour and minute come from
/// [`minute_text`].
#[inline]
fn fixed_digits(ts: &Timestamp, block: &mut [u8; BLOCK]) -> Option<u32> {
    let dt = ts.naive_utc();
    let time = dt.time();
    let sod = time.num_seconds_from_midnight();
    let minute = sod / 60;
    if !minute_text(dt.date(), minute, block) {
        return None;
    }
    let mut nanos = time.nanosecond();
    let mut ss = sod - minute * 60;
    if nanos >= 1_000_000_000 {
        // chrono represents a leap second as second 59 with nanos >= 1e9: write 60.
        nanos -= 1_000_000_000;
        ss += 1;
    }
    block[16] = b':';
    block[17..19].copy_from_slice(&pairs4(lanes(ss, 0, 0, 0))[..2]);
    block[19] = b'.';
    if nanos != 0 {
        let tens = nanos / 10;
        block[20..28].copy_from_slice(&eight_digits(tens));
        block[28] = b'0' + u8::try_from(nanos - tens * 10).unwrap_or(0);
    }
    Some(nanos)
}

/// Writes `YYYY-MM-DD_HH:MM` of a calendar date and a minute of its day into the start of
/// `buf`, or returns false for the years outside 0000–9999. The text comes from a cache of
/// the last two: consecutive timestamps nearly always share them (an event's own times, and
/// its parse time, whose date is another). chrono's month and day are decoded from its
/// packed ordinal date, which costs more than the whole copy (measured: 185 -> 150
/// instructions per timestamp written). The miss path is kept out of the closure so that the
/// thread-local access is inlined (a plain `%fs` load), not a call through the key.
#[inline]
fn minute_text(date: chrono::NaiveDate, minute: u32, buf: &mut [u8; BLOCK]) -> bool {
    let hit = MINUTES.with(|cache| {
        for (i, slot) in cache.slots.iter().enumerate() {
            let m = slot.get();
            if m.date == date && m.minute == minute {
                cache.last.set(i);
                buf[..16].copy_from_slice(&m.text);
                return true;
            }
        }
        false
    });
    hit || minute_text_miss(date, minute, buf)
}

/// [`minute_text`] when the cache has not got it: computes and caches it.
#[cold]
#[inline(never)]
fn minute_text_miss(date: chrono::NaiveDate, minute: u32, buf: &mut [u8; BLOCK]) -> bool {
    let Some(y) = u32::try_from(date.year()).ok().filter(|&y| y <= 9999) else {
        return false;
    };
    let ymd = pairs4(lanes(y / 100, y % 100, date.month(), date.day()));
    let hm = pairs4(lanes(minute / 60, minute % 60, 0, 0));
    let mut text = *b"0000-00-00_00:00";
    text[0..4].copy_from_slice(&ymd[0..4]);
    text[5..7].copy_from_slice(&ymd[4..6]);
    text[8..10].copy_from_slice(&ymd[6..8]);
    text[11..13].copy_from_slice(&hm[0..2]);
    text[14..16].copy_from_slice(&hm[2..4]);
    buf[..16].copy_from_slice(&text);
    MINUTES.with(|cache| {
        // Replace the slot not used last.
        let victim = 1 - cache.last.get();
        cache.slots[victim].set(MinuteText { date, minute, text });
        cache.last.set(victim);
    });
    true
}

/// A cached [`minute_text`].
#[derive(Clone, Copy)]
struct MinuteText {
    date: chrono::NaiveDate,
    /// Minute of the day; `u32::MAX` for an empty slot.
    minute: u32,
    text: [u8; 16],
}

/// The cache of [`minute_text`]: two slots, and which was used last.
struct MinuteCache {
    slots: [Cell<MinuteText>; 2],
    last: Cell<usize>,
}

thread_local! {
    static MINUTES: MinuteCache = const {
        let empty = MinuteText {
            date: chrono::NaiveDate::MIN,
            minute: u32::MAX,
            text: [0; 16],
        };
        MinuteCache {
            slots: [Cell::new(empty), Cell::new(empty)],
            last: Cell::new(0),
        }
    };
}

/// The eight decimal digits of `v` (below 10^8), zero-padded. Its two halves, below 10^4,
/// go into the 32-bit lanes of a word and are split into pairs of digits in both lanes at
/// once (`v * 5243 >> 19` is `v / 100` for `v` below 10^4, and stays within its lane), where
/// four separate divisions and remainders cost more (measured: 10 instructions per NDJSON
/// event, whose parse time always has a fraction).
#[inline]
fn eight_digits(v: u32) -> [u8; 8] {
    let (hi, lo) = (v / 10_000, v % 10_000);
    let x = u64::from(hi) | u64::from(lo) << 32;
    let hundreds = ((x * 5243) >> 19) & 0x0000_007f_0000_007f;
    let rest = x - hundreds * 100;
    pairs4(hundreds | rest << 16)
}

/// Four numbers, each below 100, in the 16-bit lanes of a word, the first in the lowest.
#[inline]
fn lanes(a: u32, b: u32, c: u32, d: u32) -> u64 {
    u64::from(a) | u64::from(b) << 16 | u64::from(c) << 32 | u64::from(d) << 48
}

/// The two decimal digits of each lane of [`lanes`], in order: eight ASCII digits.
/// All lanes at once: `v * 103 >> 10` is `v / 10` for `v` below 100, and `v * 103` stays
/// within its lane (below 2^14).
#[inline]
fn pairs4(x: u64) -> [u8; 8] {
    const LANES: u64 = 0x0001_0001_0001_0001;
    let tens = ((x * 103) >> 10) & (LANES * 0xf);
    let ones = x - tens * 10;
    (tens | ones << 8 | (LANES * 0x3030)).to_le_bytes()
}

fn write_date_time_slow(ts: &Timestamp, sep: u8, out: &mut Vec<u8>) -> u32 {
    let year = ts.year();
    if (0..=9999).contains(&year) {
        push_padded(year.unsigned_abs(), 4, out);
    } else {
        if year < 0 {
            out.push(b'-');
        }
        let abs = year.unsigned_abs();
        let width = if abs > 9999 { 10 } else { 4 };
        let mut digits = [0u8; 10];
        fill_digits(abs, &mut digits[..width]);
        let start = digits[..width]
            .iter()
            .position(|&d| d != b'0')
            .unwrap_or(width)
            .min(width - 4);
        out.extend_from_slice(&digits[start..width]);
    }
    let mut second = ts.second();
    let mut nanos = ts.nanosecond();
    if nanos >= 1_000_000_000 {
        // chrono represents a leap second as second 59 with nanos >= 1e9.
        second += 1;
        nanos -= 1_000_000_000;
    }
    out.push(b'-');
    push_padded(ts.month(), 2, out);
    out.push(b'-');
    push_padded(ts.day(), 2, out);
    out.push(sep);
    push_padded(ts.hour(), 2, out);
    out.push(b':');
    push_padded(ts.minute(), 2, out);
    out.push(b':');
    push_padded(second, 2, out);
    nanos
}

/// Writes the low `buf.len()` decimal digits of `v`, zero-padded, into `buf`.
fn fill_digits(mut v: u32, buf: &mut [u8]) {
    for slot in buf.iter_mut().rev() {
        // `v % 10` is below 10, so the narrowing cannot lose anything.
        *slot = b'0' + u8::try_from(v % 10).unwrap_or(0);
        v /= 10;
    }
}

fn push_padded(v: u32, width: usize, out: &mut Vec<u8>) {
    let mut digits = [0u8; 10];
    let width = width.min(digits.len());
    fill_digits(v, &mut digits[..width]);
    out.extend_from_slice(&digits[..width]);
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/// Accepts only timestamps within the years 0000–9999 UTC (see the module documentation).
fn in_range(ts: Timestamp) -> Option<Timestamp> {
    (0..=9999).contains(&ts.year()).then_some(ts)
}

fn from_seconds(secs: i64, nanos: u32) -> Option<Timestamp> {
    DateTime::from_timestamp(secs, nanos).and_then(in_range)
}

fn from_millis(v: i64) -> Option<Timestamp> {
    DateTime::from_timestamp_millis(v).and_then(in_range)
}

fn from_micros(v: i64) -> Option<Timestamp> {
    DateTime::from_timestamp_micros(v).and_then(in_range)
}

fn from_nanos(v: i64) -> Option<Timestamp> {
    in_range(DateTime::from_timestamp_nanos(v))
}

fn from_float_seconds(v: f64) -> Option<Timestamp> {
    // 9999-12-31T23:59:59Z is about 2.5e17 µs: anything beyond ±1e18 is out of range anyway, and
    // the bound keeps the conversion below exact (no saturation).
    let micros = v * 1e6;
    if !micros.is_finite() || micros.abs() >= 1e18 {
        return None;
    }
    // Truncation toward zero is Go's int64(float64) conversion, which Panther relies on.
    #[allow(clippy::cast_possible_truncation)]
    let micros = micros as i64;
    from_micros(micros)
}

/// Go's `strconv.ParseInt(s, 10, 64)`: optional sign, at least one digit, nothing else.
fn parse_int(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        let d = i64::from(c - b'0');
        v = v.checked_mul(10)?;
        v = if neg {
            v.checked_sub(d)?
        } else {
            v.checked_add(d)?
        };
    }
    Some(v)
}

fn parse_unix_str(s: &str) -> Option<Timestamp> {
    if let Some(secs) = parse_int(s.as_bytes()) {
        return from_seconds(secs, 0);
    }
    // Go's strconv.ParseFloat accepts more spellings than JSON numbers ("1.", ".5", "1e3");
    // Rust's parser accepts the same decimal forms. "inf"/"nan" parse but are then rejected.
    let first = s.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    s.parse::<f64>().ok().and_then(from_float_seconds)
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Builds a timestamp from validated-or-not civil fields and a UTC offset in seconds.
#[allow(clippy::too_many_arguments)]
fn civil_to_ts(
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    offset: i64,
) -> Option<Timestamp> {
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
        || nanos > 999_999_999
        || !(-1_000_000..=1_000_000).contains(&year)
    {
        return None;
    }
    if offset == 0 && (0..=9999).contains(&year) {
        // The common UTC case: chrono builds the date from its fields directly, cheaper
        // than from a day count; the fields were validated above.
        #[allow(clippy::cast_possible_truncation)] // within 0..=9999
        return chrono::NaiveDate::from_ymd_opt(year as i32, month, day)
            .and_then(|d| d.and_hms_nano_opt(hour, minute, second, nanos))
            .map(|t| t.and_utc());
    }
    let secs = days_from_civil(year, month, day) * 86_400
        + i64::from(hour) * 3600
        + i64::from(minute) * 60
        + i64::from(second)
        - offset;
    from_seconds(secs, nanos)
}

/// The seconds east of UTC of an RFC 3339 zone: `Z` or `±hh:mm` (hours below 24).
#[allow(clippy::inline_always)] // measured: the fast path pays ~30 instructions a record otherwise
#[inline(always)]
fn rfc3339_zone(zone: &[u8]) -> Option<i64> {
    match zone {
        [b'Z'] => Some(0),
        [sign @ (b'+' | b'-'), oh0, oh1, b':', om0, om1] => {
            let oh = two_digits(*oh0, *oh1)?;
            let om = two_digits(*om0, *om1)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let off = i64::from(oh * 3600 + om * 60);
            Some(if *sign == b'-' { -off } else { off })
        }
        _ => None,
    }
}

fn two_digits(a: u8, b: u8) -> Option<u32> {
    if a.is_ascii_digit() && b.is_ascii_digit() {
        Some(u32::from(a - b'0') * 10 + u32::from(b - b'0'))
    } else {
        None
    }
}

/// Reads the digits after a fraction separator: all of them are consumed, the first nine count
/// (Go's `parseNanoseconds` truncates the same way). Returns (nanos, digits consumed).
fn fraction_digits(s: &[u8], max_digits: usize) -> (u32, usize) {
    let mut nanos: u32 = 0;
    let mut n = 0;
    while n < s.len() && n < max_digits && s[n].is_ascii_digit() {
        if n < 9 {
            nanos = nanos * 10 + u32::from(s[n] - b'0');
        }
        n += 1;
    }
    let mut k = n;
    while k < 9 {
        nanos *= 10;
        k += 1;
    }
    (nanos, n)
}

// ---------------------------------------------------------------------------------------------
// RFC 3339 (hot path)

fn parse_rfc3339(s: &[u8]) -> Option<Timestamp> {
    parse_rfc3339_fast(s).or_else(|| parse_rfc3339_general(s))
}

/// The shapes nearly every RFC 3339 value has: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of one
/// to nine digits, then `Z` or `±hh:mm`, every field in range.
///
/// `None` means "not sure", never "invalid": the caller then asks [`parse_rfc3339_general`], which
/// has the final word. So this function only has to be right about what it accepts, and anything
/// unusual (ten or more fractional digits, an impossible date, a result outside 0000–9999) is
/// simply left to the general parser.
fn parse_rfc3339_fast(s: &[u8]) -> Option<Timestamp> {
    // `YY` `YY-MM-DD` `T` `HH:MM:SS`: the two eight-byte runs share one layout and are checked
    // as one word each rather than byte by byte.
    let ([c0, c1], s) = s.split_first_chunk::<2>()?;
    let (date, s) = s.split_first_chunk::<8>()?;
    let (b'T', s) = s.split_first()? else {
        return None;
    };
    let (time, rest) = s.split_first_chunk::<8>()?;
    let (hour, minute, second) = three_pairs(*time, b':')?;
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let (nanos, zone) = match rest {
        [b'.', fraction @ ..] => {
            let mut nanos = 0;
            let mut n = 0;
            while let Some(&c @ b'0'..=b'9') = fraction.get(n) {
                if n == 9 {
                    return None;
                }
                nanos = nanos * 10 + u32::from(c - b'0');
                n += 1;
            }
            if n == 0 {
                return None;
            }
            (nanos * POW10[9 - n], &fraction[n..])
        }
        _ => (0, rest),
    };
    let offset = rfc3339_zone(zone)?;
    let date = rfc3339_date(*c0, *c1, *date)?;
    // An offset below 24 hours moves the UTC time at most one day either way.
    // `offset` is below a day: it fits in an i32.
    #[allow(clippy::cast_possible_truncation)]
    let mut secs = (hour * 3600 + minute * 60 + second).cast_signed() - offset as i32;
    let date = if secs < 0 {
        secs += 86_400;
        date.pred_opt()?
    } else if secs >= 86_400 {
        secs -= 86_400;
        date.succ_opt()?
    } else {
        date
    };
    if !(0..=9999).contains(&date.year()) {
        return None;
    }
    let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(secs.cast_unsigned(), nanos)?;
    Some(date.and_time(time).and_utc())
}

/// The calendar date of the text `c0 c1 date` (`YY` `YY-MM-DD`), or `None` when it is not one
/// (February 30 included). The records of a file nearly all share a date, so the last two
/// dates decoded are kept with their text (two: a UTC offset moves some local dates to the
/// day before or after): a hit costs two comparisons, where checking the digits and building
/// the date with chrono's `from_ymd_opt` costs about 50 instructions. Only valid dates are
/// cached, so an invalid one is checked in full every time. The cache is read with
/// `LocalKey::get`: through `LocalKey::with` the access was a call (25 instructions).
#[inline]
fn rfc3339_date(c0: u8, c1: u8, date: [u8; 8]) -> Option<chrono::NaiveDate> {
    let text = u64::from_le_bytes(date);
    let century = u16::from_le_bytes([c0, c1]);
    let [a, b] = LAST_DATE.get();
    if a.text == text && a.century == century {
        return Some(a.date);
    }
    if b.text == text && b.century == century {
        return Some(b.date);
    }
    rfc3339_date_miss(c0, c1, date)
}

/// [`rfc3339_date`] when the cache has not got it: checks, builds and caches the date in the
/// first slot, moving the one there to the second.
#[inline(never)]
fn rfc3339_date_miss(c0: u8, c1: u8, date: [u8; 8]) -> Option<chrono::NaiveDate> {
    let (yy, month, day) = three_pairs(date, b'-')?;
    let year = two_digits(c0, c1)? * 100 + yy;
    // chrono checks month and day (February 30 is `None`).
    let d = chrono::NaiveDate::from_ymd_opt(year.cast_signed(), month, day)?;
    let [a, _] = LAST_DATE.get();
    LAST_DATE.set([
        DateText {
            text: u64::from_le_bytes(date),
            century: u16::from_le_bytes([c0, c1]),
            date: d,
        },
        a,
    ]);
    Some(d)
}

/// A cached [`rfc3339_date`]: the text of a valid date and that date.
#[derive(Clone, Copy)]
struct DateText {
    /// `YY-MM-DD` as a little-endian word.
    text: u64,
    /// The first two digits of the year, little-endian (`u16::MAX` when the slot is empty:
    /// `0xFF` is no byte of UTF-8 text, so no input matches an empty slot).
    century: u16,
    date: chrono::NaiveDate,
}

thread_local! {
    static LAST_DATE: Cell<[DateText; 2]> = const {
        let empty = DateText {
            text: 0,
            century: u16::MAX,
            date: chrono::NaiveDate::MIN,
        };
        Cell::new([empty, empty])
    };
}

/// Nanoseconds per unit of the last digit of an `n`-digit fraction, by `9 - n`.
const POW10: [u32; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// The three two-digit numbers of `dd?dd?dd` (`YY-MM-DD`, `HH:MM:SS`), when every `d` is an ASCII
/// digit and both `?` are `sep`.
///
/// The eight bytes are read as one little-endian word (byte 0 = first character), so all checks
/// and conversions are a few word operations rather than one branch per byte.
#[allow(clippy::cast_possible_truncation)] // each extracted byte is at most 99
fn three_pairs(bytes: [u8; 8], sep: u8) -> Option<(u32, u32, u32)> {
    // Bytes 0, 1, 3, 4, 6, 7 are digits; bytes 2 and 5 are separators.
    const DIGIT_HIGH: u64 = 0xF0F0_00F0_F000_F0F0;
    const DIGIT_LOW: u64 = 0x0F0F_000F_0F00_0F0F;
    const SEPS: u64 = 0x0000_FF00_00FF_0000;
    const DIGIT_ZEROS: u64 = 0x3030_0030_3000_3030;
    const DIGIT_SIXES: u64 = 0x0606_0006_0600_0606;
    let w = u64::from_le_bytes(bytes);
    let want = DIGIT_ZEROS | u64::from(sep) << 16 | u64::from(sep) << 40;
    let low = w & DIGIT_LOW;
    // A digit is 0x30..=0x39: high nibble 3, and a low nibble small enough that adding 6 does not
    // reach the high nibble (15 + 6 < 256, so no byte carries into the next).
    if w & (DIGIT_HIGH | SEPS) != want || (low + DIGIT_SIXES) & DIGIT_HIGH != 0 {
        return None;
    }
    // Byte i becomes 10 * digit i + digit i+1, at most 99, so again no carries; the pairs start
    // at bytes 0, 3 and 6.
    let pairs = low * 10 + (low >> 8);
    Some((
        (pairs & 0xFF) as u32,
        (pairs >> 24 & 0xFF) as u32,
        (pairs >> 48 & 0xFF) as u32,
    ))
}

/// The reference RFC 3339 parser: every input [`parse_rfc3339_fast`] is unsure about ends here.
fn parse_rfc3339_general(s: &[u8]) -> Option<Timestamp> {
    let [y0, y1, y2, y3, b'-', mo0, mo1, b'-', d0, d1, b'T', h0, h1, b':', mi0, mi1, b':', s0, s1, rest @ ..] =
        s
    else {
        return None;
    };
    let year = i64::from(two_digits(*y0, *y1)? * 100 + two_digits(*y2, *y3)?);
    let month = two_digits(*mo0, *mo1)?;
    let day = two_digits(*d0, *d1)?;
    let hour = two_digits(*h0, *h1)?;
    let minute = two_digits(*mi0, *mi1)?;
    let second = two_digits(*s0, *s1)?;
    let mut rest = rest;
    let mut nanos = 0;
    if let [b'.', first, ..] = rest {
        if first.is_ascii_digit() {
            let (ns, n) = fraction_digits(&rest[1..], usize::MAX);
            nanos = ns;
            rest = &rest[1 + n..];
        }
    }
    let offset = rfc3339_zone(rest)?;
    civil_to_ts(year, month, day, hour, minute, second, nanos, offset)
}

// ---------------------------------------------------------------------------------------------
// Compiled patterns (strftime and Go layouts)

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    /// Four-digit (or 1–4 digit) year.
    Year,
    /// Two-digit year: 69–99 → 19xx, 00–68 → 20xx.
    Year2,
    Century,
    Month,
    Day,
    YearDay,
    Hour,
    Hour12,
    Minute,
    Second,
    /// `%w` (0–6) / `%u` (1–7): checked for shape, otherwise ignored.
    WeekdayNum,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frac {
    /// strftime `%f`: 1–9 digits, no separator.
    Digits,
    /// Go `.000`: a `.` or `,` then exactly this many digits.
    Exact(u8),
    /// Go `.999`: optionally a `.` or `,` then any number of digits.
    Optional,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OffsetForm {
    /// `±hhmm`
    HhMm,
    /// `±hh:mm`
    HhColonMm,
    /// `±hh`
    Hh,
    /// `±hhmmss`
    HhMmSs,
    /// `±hh:mm:ss`
    HhColonMmColonSs,
    /// strftime `%z`: `±hhmm` or `±hh:mm`.
    Lenient,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Any,
    Upper,
    Lower,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// Bytes that must appear verbatim.
    Lit(Box<[u8]>),
    /// Go: a run of spaces in the layout matches a run of spaces in the input.
    Spaces,
    /// A number of `min..=max` digits, read greedily, after up to `skip_spaces` spaces.
    Num {
        field: Field,
        min: u8,
        max: u8,
        skip_spaces: u8,
        /// Go: a fraction after the seconds is read even if the layout has none.
        auto_frac: bool,
    },
    MonthName {
        long: bool,
    },
    WeekdayName {
        long: bool,
    },
    AmPm(Case),
    Frac(Frac),
    Offset {
        z: bool,
        form: OffsetForm,
    },
    /// Zone abbreviation: Go `MST` (`strftime == false`) or strftime `%Z`.
    ZoneAbbr {
        strftime: bool,
    },
    /// strftime `%s`: seconds since the epoch.
    Unix,
}

const SHORT_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const LONG_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const SHORT_DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const LONG_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Case-insensitive prefix lookup; returns (1-based index, length).
fn lookup(s: &[u8], names: &[&str]) -> Option<(u32, usize)> {
    names
        .iter()
        .zip(1u32..)
        .find(|(name, _)| {
            s.len() >= name.len() && s[..name.len()].eq_ignore_ascii_case(name.as_bytes())
        })
        .map(|(name, i)| (i, name.len()))
}

/// Go's `parseSignedOffset`: `±h` with h ≤ 12; returns the length, 0 when invalid.
fn parse_signed_offset(s: &[u8]) -> usize {
    let [b'+' | b'-', rest @ ..] = s else {
        return 0;
    };
    let n = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 {
        return 0;
    }
    let mut v: u32 = 0;
    for &c in &rest[..n] {
        v = v.saturating_mul(10).saturating_add(u32::from(c - b'0'));
    }
    if v > 12 {
        0
    } else {
        1 + n
    }
}

/// Go's `parseTimeZone`: the length of a zone abbreviation at the start of `s`.
fn parse_time_zone(s: &[u8]) -> Option<usize> {
    if s.len() < 3 {
        return None;
    }
    if s.starts_with(b"ChST") || s.starts_with(b"MeST") {
        return Some(4);
    }
    if s.starts_with(b"GMT") {
        return Some(3 + parse_signed_offset(&s[3..]));
    }
    if matches!(s[0], b'+' | b'-') {
        let n = parse_signed_offset(s);
        return (n > 0).then_some(n);
    }
    let upper = s
        .iter()
        .take(6)
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    match upper {
        3 => Some(3),
        4 if s[3] == b'T' || s.starts_with(b"WITA") => Some(4),
        5 if s[4] == b'T' => Some(5),
        _ => None,
    }
}

/// Parse state while matching a pattern.
struct State {
    year: i64,
    century: Option<i64>,
    month: u32,
    day: u32,
    yday: u32,
    month_set: bool,
    day_set: bool,
    hour: u32,
    hour12: bool,
    /// `Some(true)` after PM, `Some(false)` after AM.
    meridiem: Option<bool>,
    minute: u32,
    second: u32,
    nanos: u32,
    offset: i64,
    unix: Option<i64>,
}

impl State {
    fn finish(mut self) -> Option<Timestamp> {
        if let Some(secs) = self.unix {
            return from_seconds(secs, self.nanos);
        }
        if let Some(c) = self.century {
            self.year = c * 100 + self.year.rem_euclid(100);
        }
        if self.hour12 && self.hour > 12 {
            return None;
        }
        match self.meridiem {
            Some(true) if self.hour < 12 => self.hour += 12,
            Some(false) if self.hour == 12 => self.hour = 0,
            _ => {}
        }
        if self.yday != 0 {
            let days_in_year = if is_leap(self.year) { 366 } else { 365 };
            if self.yday > days_in_year {
                return None;
            }
            let mut left = self.yday;
            let mut month = 1;
            while month < 12 && left > days_in_month(self.year, month) {
                left -= days_in_month(self.year, month);
                month += 1;
            }
            if (self.month_set && self.month != month) || (self.day_set && self.day != left) {
                return None;
            }
            self.month = month;
            self.day = left;
        }
        civil_to_ts(
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.nanos,
            self.offset,
        )
    }
}

impl Pattern {
    fn parse(&self, input: &[u8]) -> Option<Timestamp> {
        let mut st = State {
            year: self.default_year,
            century: None,
            month: 1,
            day: 1,
            yday: 0,
            month_set: false,
            day_set: false,
            hour: 0,
            hour12: false,
            meridiem: None,
            minute: 0,
            second: 0,
            nanos: 0,
            offset: 0,
            unix: None,
        };
        let mut s = input;
        for item in &*self.items {
            s = match_item(item, s, &mut st)?;
        }
        if s.is_empty() {
            st.finish()
        } else {
            None
        }
    }
}

/// Matches one item at the start of `s`, updating `st`; returns the rest of the input.
fn match_item<'a>(item: &Item, s: &'a [u8], st: &mut State) -> Option<&'a [u8]> {
    match item {
        Item::Lit(lit) => s.strip_prefix(&**lit),
        Item::Spaces => {
            if s.first().is_some_and(|&c| c != b' ') {
                return None;
            }
            let n = s.iter().take_while(|&&c| c == b' ').count();
            Some(&s[n..])
        }
        Item::Num {
            field,
            min,
            max,
            skip_spaces,
            auto_frac,
        } => match_num(*field, *min, *max, *skip_spaces, *auto_frac, s, st),
        Item::MonthName { long } => {
            let (m, n) = lookup(s, if *long { &LONG_MONTHS } else { &SHORT_MONTHS })?;
            st.month = m;
            st.month_set = true;
            Some(&s[n..])
        }
        Item::WeekdayName { long } => {
            let (_, n) = lookup(s, if *long { &LONG_DAYS } else { &SHORT_DAYS })?;
            Some(&s[n..])
        }
        Item::AmPm(case) => {
            let (word, rest) = s.split_at_checked(2)?;
            let pm = match (case, word) {
                (Case::Upper, b"AM") | (Case::Lower, b"am") => false,
                (Case::Upper, b"PM") | (Case::Lower, b"pm") => true,
                (Case::Any, w) if w.eq_ignore_ascii_case(b"am") => false,
                (Case::Any, w) if w.eq_ignore_ascii_case(b"pm") => true,
                _ => return None,
            };
            st.meridiem = Some(pm);
            Some(rest)
        }
        Item::Frac(frac) => match_frac(*frac, s, st),
        Item::Offset { z, form } => match_offset(*z, *form, s, st),
        Item::ZoneAbbr { strftime } => match_zone_abbr(*strftime, s, st),
        Item::Unix => {
            let neg = s.first() == Some(&b'-');
            let digits = &s[usize::from(neg)..];
            let n = digits.iter().take_while(|c| c.is_ascii_digit()).count();
            let v = parse_int(&s[..usize::from(neg) + n])?;
            st.unix = Some(v);
            Some(&digits[n..])
        }
    }
}

fn match_num<'a>(
    field: Field,
    min: u8,
    max: u8,
    skip_spaces: u8,
    auto_frac: bool,
    s: &'a [u8],
    st: &mut State,
) -> Option<&'a [u8]> {
    let spaces = s
        .iter()
        .take(usize::from(skip_spaces))
        .take_while(|&&c| c == b' ')
        .count();
    let s = &s[spaces..];
    let n = s
        .iter()
        .take(usize::from(max))
        .take_while(|c| c.is_ascii_digit())
        .count();
    if n < usize::from(min) || n == 0 {
        return None;
    }
    let v = s[..n]
        .iter()
        .fold(0u32, |acc, &c| acc * 10 + u32::from(c - b'0'));
    set_field(field, v, st)?;
    let mut rest = &s[n..];
    if auto_frac {
        if let [b'.' | b',', d, ..] = rest {
            if d.is_ascii_digit() {
                let (ns, k) = fraction_digits(&rest[1..], usize::MAX);
                st.nanos = ns;
                rest = &rest[1 + k..];
            }
        }
    }
    Some(rest)
}

fn match_zone_abbr<'a>(strftime: bool, s: &'a [u8], st: &mut State) -> Option<&'a [u8]> {
    if strftime {
        let n = s.iter().take_while(|c| c.is_ascii_uppercase()).count();
        let name = &s[..n];
        // timefmt-go hands the run of capitals to Go's time.Parse("MST", …).
        if !(name == b"Z" || name == b"UTC" || parse_time_zone(name) == Some(n)) {
            return None;
        }
        st.offset = 0;
        return Some(&s[n..]);
    }
    if let Some(rest) = s.strip_prefix(b"UTC") {
        st.offset = 0;
        return Some(rest);
    }
    let n = parse_time_zone(s)?;
    // Go fabricates a zone with offset 0 for abbreviations it cannot look up, except "GMT±h",
    // whose hours it reads.
    st.offset = match &s[..n] {
        [b'G', b'M', b'T', sign, digits @ ..] if !digits.is_empty() => {
            let h = digits
                .iter()
                .fold(0i64, |acc, &c| acc * 10 + i64::from(c - b'0'));
            if *sign == b'-' {
                -h * 3600
            } else {
                h * 3600
            }
        }
        _ => 0,
    };
    Some(&s[n..])
}

fn set_field(field: Field, v: u32, st: &mut State) -> Option<()> {
    match field {
        Field::Year => st.year = i64::from(v),
        Field::Year2 => st.year = i64::from(v) + if v >= 69 { 1900 } else { 2000 },
        Field::Century => st.century = Some(i64::from(v)),
        Field::Month => {
            st.month = v;
            st.month_set = true;
        }
        Field::Day => {
            st.day = v;
            st.day_set = true;
        }
        Field::YearDay => {
            if v == 0 {
                return None;
            }
            st.yday = v;
        }
        Field::Hour => st.hour = v,
        Field::Hour12 => {
            st.hour = v;
            st.hour12 = true;
        }
        Field::Minute => st.minute = v,
        Field::Second => st.second = v,
        Field::WeekdayNum => {
            if v > 7 {
                return None;
            }
        }
    }
    Some(())
}

fn match_frac<'a>(frac: Frac, s: &'a [u8], st: &mut State) -> Option<&'a [u8]> {
    match frac {
        Frac::Digits => {
            let (ns, n) = fraction_digits(s, 9);
            if n == 0 {
                return None;
            }
            st.nanos = ns;
            Some(&s[n..])
        }
        Frac::Exact(width) => {
            let [b'.' | b',', rest @ ..] = s else {
                return None;
            };
            let width = usize::from(width);
            let digits = rest.get(..width)?;
            if !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            st.nanos = fraction_digits(digits, width).0;
            Some(&rest[width..])
        }
        Frac::Optional => match s {
            [b'.' | b',', d, ..] if d.is_ascii_digit() => {
                let (ns, n) = fraction_digits(&s[1..], usize::MAX);
                st.nanos = ns;
                Some(&s[1 + n..])
            }
            _ => Some(s),
        },
    }
}

fn match_offset<'a>(z: bool, form: OffsetForm, s: &'a [u8], st: &mut State) -> Option<&'a [u8]> {
    if z {
        if let Some(rest) = s.strip_prefix(b"Z") {
            st.offset = 0;
            return Some(rest);
        }
    }
    let (sign, body) = match s {
        [b'+', rest @ ..] => (1, rest),
        [b'-', rest @ ..] => (-1, rest),
        _ => return None,
    };
    let (hh, mm, ss, rest) = match (form, body) {
        (OffsetForm::Hh, [h0, h1, rest @ ..]) => (two_digits(*h0, *h1)?, 0, 0, rest),
        (OffsetForm::HhMm | OffsetForm::Lenient, [h0, h1, m0, m1, rest @ ..])
            if m0.is_ascii_digit() =>
        {
            (two_digits(*h0, *h1)?, two_digits(*m0, *m1)?, 0, rest)
        }
        (OffsetForm::HhColonMm | OffsetForm::Lenient, [h0, h1, b':', m0, m1, rest @ ..]) => {
            (two_digits(*h0, *h1)?, two_digits(*m0, *m1)?, 0, rest)
        }
        (OffsetForm::HhMmSs, [h0, h1, m0, m1, s0, s1, rest @ ..])
        | (OffsetForm::HhColonMmColonSs, [h0, h1, b':', m0, m1, b':', s0, s1, rest @ ..]) => (
            two_digits(*h0, *h1)?,
            two_digits(*m0, *m1)?,
            two_digits(*s0, *s1)?,
            rest,
        ),
        _ => return None,
    };
    // Go's range test uses `>` (offsets of 24 h or 60 min are tolerated).
    if hh > 24 || mm > 60 || ss > 60 {
        return None;
    }
    st.offset = sign * i64::from(hh * 3600 + mm * 60 + ss);
    Some(rest)
}

// ---------------------------------------------------------------------------------------------
// Compilation

/// Pushes literal bytes, merging with a preceding literal.
fn push_lit(items: &mut Vec<Item>, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    if let Some(Item::Lit(prev)) = items.last_mut() {
        let mut merged = prev.to_vec();
        merged.extend_from_slice(bytes);
        *prev = merged.into_boxed_slice();
    } else {
        items.push(Item::Lit(bytes.into()));
    }
}

fn num(field: Field, min: u8, max: u8) -> Item {
    Item::Num {
        field,
        min,
        max,
        skip_spaces: 0,
        auto_frac: false,
    }
}

fn num_spaced(field: Field, min: u8, max: u8, skip_spaces: u8) -> Item {
    Item::Num {
        field,
        min,
        max,
        skip_spaces,
        auto_frac: false,
    }
}

fn is_field_item(item: &Item) -> bool {
    !matches!(item, Item::Lit(_) | Item::Spaces)
}

const STRFTIME_DIRECTIVES: &str =
    "%Y %C %y %m %B %b %h %A %a %w %u %d %e %j %H %k %I %l %p %M %S %f %z %:z %Z %s %D %x %F %v %R %r %T %X %c %t %n %%";

fn compile_strftime(spec: &str) -> Result<Pattern, TimeFormatError> {
    let mut items = Vec::new();
    let mut chars = spec.char_indices().peekable();
    let mut lit_start = 0;
    while let Some((i, c)) = chars.next() {
        if c != '%' {
            continue;
        }
        push_lit(&mut items, &spec.as_bytes()[lit_start..i]);
        // Flags (`%-d`, `%_d`, `%0d`) only affect formatting; parsing is greedy anyway.
        while let Some((_, '-' | '_' | '0')) = chars.peek() {
            chars.next();
        }
        let Some((j, d)) = chars.next() else {
            return Err(TimeFormatError::new(
                format!("strftime pattern {spec:?} ends with a stray '%'"),
                Some("write %% for a literal percent sign".to_owned()),
            ));
        };
        let mut end = j + d.len_utf8();
        if d == ':' {
            if let Some((k, 'z')) = chars.peek().copied() {
                chars.next();
                end = k + 1;
                items.push(Item::Offset {
                    z: true,
                    form: OffsetForm::HhColonMm,
                });
                lit_start = end;
                continue;
            }
        }
        if !expand_strftime(d, &mut items) {
            return Err(TimeFormatError::new(
                format!(
                    "unsupported strftime directive \"{}\" in {spec:?}",
                    &spec[i..end]
                ),
                Some(format!("supported directives: {STRFTIME_DIRECTIVES}")),
            ));
        }
        lit_start = end;
    }
    push_lit(&mut items, &spec.as_bytes()[lit_start..]);
    if !items.iter().any(is_field_item) {
        return Err(TimeFormatError::new(
            format!("strftime pattern {spec:?} has no date or time directive"),
            Some("use directives such as %Y-%m-%d %H:%M:%S".to_owned()),
        ));
    }
    Ok(Pattern {
        spec: spec.into(),
        items: items.into_boxed_slice(),
        default_year: 1900,
    })
}

/// Appends the items of one strftime directive; false when it is not supported.
fn expand_strftime(d: char, items: &mut Vec<Item>) -> bool {
    let composite = match d {
        'D' | 'x' => "m/d/y",
        'F' => "Y-m-d",
        'v' => "e-b-Y",
        'R' => "H:M",
        'r' => "I:M:S p",
        'T' | 'X' => "H:M:S",
        'c' => "a b e H:M:S Y",
        _ => "",
    };
    if !composite.is_empty() {
        for c in composite.chars() {
            if c.is_ascii_alphabetic() {
                expand_strftime(c, items);
            } else {
                let mut buf = [0u8; 4];
                push_lit(items, c.encode_utf8(&mut buf).as_bytes());
            }
        }
        return true;
    }
    let item = match d {
        'Y' => num(Field::Year, 1, 4),
        'C' => num(Field::Century, 1, 2),
        'y' => num(Field::Year2, 1, 2),
        'm' => num(Field::Month, 1, 2),
        'B' => Item::MonthName { long: true },
        'b' | 'h' => Item::MonthName { long: false },
        'A' => Item::WeekdayName { long: true },
        'a' => Item::WeekdayName { long: false },
        'w' | 'u' => num(Field::WeekdayNum, 1, 1),
        'd' => num(Field::Day, 1, 2),
        'e' => num_spaced(Field::Day, 1, 2, 1),
        'j' => num(Field::YearDay, 1, 3),
        'H' => num(Field::Hour, 1, 2),
        'k' => num_spaced(Field::Hour, 1, 2, 1),
        'I' => num(Field::Hour12, 1, 2),
        'l' => num_spaced(Field::Hour12, 1, 2, 1),
        'p' => Item::AmPm(Case::Any),
        'M' => num(Field::Minute, 1, 2),
        'S' => num(Field::Second, 1, 2),
        'f' => Item::Frac(Frac::Digits),
        'z' => Item::Offset {
            z: true,
            form: OffsetForm::Lenient,
        },
        'Z' => Item::ZoneAbbr { strftime: true },
        's' => Item::Unix,
        't' => Item::Lit(Box::new(*b"\t")),
        'n' => Item::Lit(Box::new(*b"\n")),
        '%' => Item::Lit(Box::new(*b"%")),
        _ => return false,
    };
    if let Item::Lit(bytes) = &item {
        push_lit(items, bytes);
    } else {
        items.push(item);
    }
    true
}

/// The Go layout element starting at `l[i]`, if any, as (item, length in bytes).
/// Mirrors Go's `nextStdChunk`.
fn go_chunk_at(l: &[u8], i: usize) -> Option<(Item, usize)> {
    let rest = &l[i..];
    let starts = |p: &[u8]| rest.starts_with(p);
    let lower_next = |n: usize| rest.get(n).is_some_and(u8::is_ascii_lowercase);
    let item = match rest[0] {
        b'J' if starts(b"January") => (Item::MonthName { long: true }, 7),
        b'J' if starts(b"Jan") && !lower_next(3) => (Item::MonthName { long: false }, 3),
        b'M' if starts(b"Monday") => (Item::WeekdayName { long: true }, 6),
        b'M' if starts(b"Mon") && !lower_next(3) => (Item::WeekdayName { long: false }, 3),
        b'M' if starts(b"MST") => (Item::ZoneAbbr { strftime: false }, 3),
        b'0' => match rest.get(1) {
            Some(b'1') => (num(Field::Month, 2, 2), 2),
            Some(b'2') => (num(Field::Day, 2, 2), 2),
            Some(b'3') => (num(Field::Hour12, 2, 2), 2),
            Some(b'4') => (num(Field::Minute, 2, 2), 2),
            Some(b'5') => (num(Field::Second, 2, 2), 2),
            Some(b'6') => (num(Field::Year2, 2, 2), 2),
            Some(b'0') if rest.get(2) == Some(&b'2') => (num(Field::YearDay, 3, 3), 3),
            _ => return None,
        },
        b'1' if starts(b"15") => (num(Field::Hour, 1, 2), 2),
        b'1' => (num(Field::Month, 1, 2), 1),
        b'2' if starts(b"2006") => (num(Field::Year, 4, 4), 4),
        b'2' => (num(Field::Day, 1, 2), 1),
        // "_2006" is a literal '_' followed by the year: handled by the caller seeing no chunk.
        b'_' if starts(b"_2") && !starts(b"_2006") => (num_spaced(Field::Day, 1, 2, 1), 2),
        b'_' if starts(b"__2") => (num_spaced(Field::YearDay, 1, 3, 2), 3),
        b'3' => (num(Field::Hour12, 1, 2), 1),
        b'4' => (num(Field::Minute, 1, 2), 1),
        b'5' => (num(Field::Second, 1, 2), 1),
        b'P' if starts(b"PM") => (Item::AmPm(Case::Upper), 2),
        b'p' if starts(b"pm") => (Item::AmPm(Case::Lower), 2),
        b'-' | b'Z' => {
            let z = rest[0] == b'Z';
            let forms: [(&[u8], OffsetForm); 5] = [
                (b"070000", OffsetForm::HhMmSs),
                (b"07:00:00", OffsetForm::HhColonMmColonSs),
                (b"0700", OffsetForm::HhMm),
                (b"07:00", OffsetForm::HhColonMm),
                (b"07", OffsetForm::Hh),
            ];
            let (pat, form) = forms.iter().find(|(p, _)| rest[1..].starts_with(p))?;
            (Item::Offset { z, form: *form }, 1 + pat.len())
        }
        b'.' | b',' => {
            let ch = *rest.get(1).filter(|c| matches!(c, b'0' | b'9'))?;
            let n = rest[1..].iter().take_while(|&&c| c == ch).count();
            if rest.get(1 + n).is_some_and(u8::is_ascii_digit) {
                return None;
            }
            let frac = if ch == b'0' {
                Frac::Exact(u8::try_from(n).unwrap_or(u8::MAX))
            } else {
                Frac::Optional
            };
            (Item::Frac(frac), 1 + n)
        }
        _ => return None,
    };
    Some(item)
}

fn push_go_literal(items: &mut Vec<Item>, bytes: &[u8]) {
    let mut rest = bytes;
    while !rest.is_empty() {
        let spaces = rest.iter().take_while(|&&c| c == b' ').count();
        if spaces > 0 {
            if items.last() != Some(&Item::Spaces) {
                items.push(Item::Spaces);
            }
            rest = &rest[spaces..];
        } else {
            let n = rest.iter().take_while(|&&c| c != b' ').count();
            push_lit(items, &rest[..n]);
            rest = &rest[n..];
        }
    }
}

fn compile_layout(spec: &str, layout: &str) -> Result<Pattern, TimeFormatError> {
    let example = "layout=2006-01-02 15:04:05";
    if let Some(pos) = layout.find('%') {
        let directive: String = layout[pos..].chars().take(2).collect();
        return Err(TimeFormatError::new(
            format!(
                "layout {layout:?} contains the strftime directive \"{directive}\", not a Go reference-time element"
            ),
            Some(format!(
                "drop the \"layout=\" prefix to use a strftime pattern ({layout:?}), or write a Go layout such as \"{example}\""
            )),
        ));
    }
    let l = layout.as_bytes();
    let mut items: Vec<Item> = Vec::new();
    let mut lit_start = 0;
    let mut i = 0;
    while i < l.len() {
        if let Some((item, len)) = go_chunk_at(l, i) {
            push_go_literal(&mut items, &l[lit_start..i]);
            items.push(item);
            i += len;
            lit_start = i;
        } else {
            // Step over a whole UTF-8 character so literals stay intact.
            i += layout[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    push_go_literal(&mut items, &l[lit_start..]);
    if !items.iter().any(is_field_item) {
        return Err(TimeFormatError::new(
            format!("layout {layout:?} has no Go reference-time element"),
            Some(format!(
                "Go layouts spell the reference time Mon Jan 2 15:04:05 MST 2006, e.g. \"{example}\""
            )),
        ));
    }
    // Go reads a fraction after the seconds when the next element is not itself a fraction.
    for k in 0..items.len() {
        if let Item::Num {
            field: Field::Second,
            ..
        } = items[k]
        {
            let next_is_frac = items[k + 1..]
                .iter()
                .find(|it| is_field_item(it))
                .is_some_and(|it| matches!(it, Item::Frac(_)));
            if let Item::Num { auto_frac, .. } = &mut items[k] {
                *auto_frac = !next_is_frac;
            }
        }
    }
    Ok(Pattern {
        spec: spec.into(),
        items: items.into_boxed_slice(),
        default_year: 0,
    })
}

// ---------------------------------------------------------------------------------------------
// Errors for unknown specs

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn suggest(spec: &str) -> Option<String> {
    let norm = spec
        .trim()
        .to_ascii_lowercase()
        .replace(['-', ' ', '.'], "_");
    let alias = match norm.as_str() {
        "rfc3339" | "rfc_3339" | "rfc3339nano" | "rfc3339_nano" | "iso8601" | "iso_8601"
        | "iso" => Some("rfc3339"),
        "unix" | "epoch" | "unix_s" | "unix_sec" | "unix_secs" | "unix_second" | "unix_seconds"
        | "seconds" | "epoch_seconds" | "epoch_s" | "timestamp" | "unixtime" | "unix_time" => {
            Some("unix")
        }
        "unix_ms" | "unix_milli" | "unix_millis" | "unix_msec" | "unix_millisecond"
        | "unix_milliseconds" | "epoch_ms" | "epoch_millis" | "milliseconds" | "millis" | "ms"
        | "unixms" => Some("unix_ms"),
        "unix_us" | "unix_micro" | "unix_micros" | "unix_usec" | "unix_microsecond"
        | "unix_microseconds" | "epoch_us" | "microseconds" | "micros" | "us" | "unixus" => {
            Some("unix_us")
        }
        "unix_ns" | "unix_nano" | "unix_nanos" | "unix_nsec" | "unix_nanosecond"
        | "unix_nanoseconds" | "epoch_ns" | "nanoseconds" | "nanos" | "ns" | "unixns" => {
            Some("unix_ns")
        }
        "cloudflare" => Some("cloudflare"),
        _ => None,
    };
    if let Some(name) = alias {
        return Some(format!("did you mean \"{name}\"?"));
    }
    if norm.len() <= 16 {
        if let Some(name) = BUILTIN_NAMES
            .iter()
            .map(|n| (levenshtein(&norm, n), n))
            .filter(|(d, _)| *d <= 2)
            .min()
            .map(|(_, n)| n)
        {
            return Some(format!("did you mean \"{name}\"?"));
        }
    }
    let trimmed = spec.trim_start();
    if trimmed.to_ascii_lowercase().starts_with("layout") {
        return Some("write \"layout=<Go layout>\" with no spaces around '='".to_owned());
    }
    if ["2006", "15:04", "Jan 2", "01/02", "-0700", "Z07:00"]
        .iter()
        .any(|p| spec.contains(p))
    {
        return Some(format!(
            "this looks like a Go layout: did you mean \"layout={spec}\"?"
        ));
    }
    if ["YYYY", "yyyy", "HH:mm", "hh:mm", "MM/DD", "dd/MM"]
        .iter()
        .any(|p| spec.contains(p))
    {
        return Some(
            "date patterns are written with strftime directives, e.g. \"%Y-%m-%d %H:%M:%S\""
                .to_owned(),
        );
    }
    None
}

fn unknown_spec(spec: &str) -> TimeFormatError {
    let valid = "valid values: rfc3339, unix, unix_ms, unix_us, unix_ns, cloudflare, a strftime \
                 pattern (e.g. \"%Y-%m-%d %H:%M:%S\") or layout=<Go layout> (e.g. \
                 \"layout=2006-01-02 15:04:05\")";
    let hint = match suggest(spec) {
        Some(s) => format!("{s} {valid}"),
        None => valid.to_owned(),
    };
    TimeFormatError::new(format!("unknown timeFormat {spec:?}"), Some(hint))
}

#[cfg(test)]
mod tests {
    #[test]
    fn fast_date_time_matches_chrono_fields() {
        use chrono::TimeZone as _;
        // `0000-01-01T00:00:00Z` and `9999-12-31T23:59:59Z` in Unix seconds.
        const MIN_FAST_SECS: i64 = -62_167_219_200;
        const MAX_FAST_SECS: i64 = 253_402_300_799;
        let mut x: u64 = 0x1234_5678_9abc_def0;
        let check = |ts: super::Timestamp| {
            let (mut fast, mut slow) = (b"x".to_vec(), b"x".to_vec());
            super::write_rfc3339(&ts, &mut fast);
            super::write_rfc3339_slow(&ts, &mut slow);
            assert_eq!(fast, slow, "{ts:?}");
            super::write_panther(&ts, &mut fast);
            super::write_panther_slow(&ts, &mut slow);
            assert_eq!(fast, slow, "{ts:?}");
            let mut buf = [b'0'; super::BLOCK];
            let nanos = super::fixed_digits(&ts, &mut buf).expect("in range");
            slow.clear();
            let slow_nanos = super::write_date_time_slow(&ts, b'_', &mut slow);
            assert_eq!(slow, buf[..19], "{ts:?}");
            assert_eq!(nanos, slow_nanos, "{ts:?}");
            assert_eq!(buf[19..29], *format!(".{nanos:09}").as_bytes(), "{ts:?}");
        };
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            #[allow(clippy::cast_possible_wrap)]
            let secs =
                MIN_FAST_SECS + (x % 253_402_300_800_u64.wrapping_add(62_167_219_200)) as i64;
            #[allow(clippy::cast_possible_truncation)]
            let nanos = (x >> 20) as u32 % 1_000_000_000;
            check(chrono::Utc.timestamp_opt(secs, nanos).unwrap());
        }
        for secs in [MIN_FAST_SECS, MAX_FAST_SECS, 0, -1, 951_782_400] {
            // Trailing zeros trimmed or not.
            for nanos in [0, 1, 10, 120_000, 500_000_000, 999_999_999] {
                check(chrono::Utc.timestamp_opt(secs, nanos).unwrap());
            }
        }
        // A leap second.
        check(
            chrono::Utc
                .timestamp_opt(1_483_228_799, 1_500_000_000)
                .unwrap(),
        );
    }

    #[test]
    fn pairs4_writes_two_digits_per_lane() {
        for a in 0..100 {
            for b in 0..100 {
                let (c, d) = ((a * 7 + b) % 100, 99 - b);
                let want = format!("{a:02}{b:02}{c:02}{d:02}");
                assert_eq!(super::pairs4(super::lanes(a, b, c, d)), want.as_bytes());
            }
        }
    }

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
        "rfc3339", S("2023-07-01T1:00:00Z") => None;
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

    decode_cases!(strftime {
        "%Y-%m-%d %H:%M:%S", S("2023-07-01 14:00:00") => Some("2023-07-01T14:00:00Z");
        "%Y-%m-%d %H:%M:%S", S("2023-7-1 14:0:0") => Some("2023-07-01T14:00:00Z");
        "%Y-%m-%d %H:%M:%S", S("2023-07-01T14:00:00") => None;
        "%Y-%m-%d %H:%M:%S", S("2023-07-01 14:00:00 ") => None;
        "%Y-%m-%d %H:%M:%S", S("2023-02-30 14:00:00") => None;
        "%Y-%m-%d %H:%M:%S", S("2024-02-29 14:00:00") => Some("2024-02-29T14:00:00Z");
        "%Y-%m-%d %H:%M:%S", S("2023-07-01 24:00:00") => None;
        "%Y-%m-%d %H:%M:%S", S("") => None;
        "%d/%b/%Y:%H:%M:%S %z", S("10/Oct/2000:13:55:36 -0700") => Some("2000-10-10T20:55:36Z");
        "%d/%b/%Y:%H:%M:%S %z", S("10/oct/2000:13:55:36 +05:30") => Some("2000-10-10T08:25:36Z");
        "%d/%b/%Y:%H:%M:%S %z", S("10/Oct/2000:13:55:36 Z") => Some("2000-10-10T13:55:36Z");
        "%d/%b/%Y:%H:%M:%S %z", S("10/Oct/2000:13:55:36") => None;
        "%d/%b/%Y:%H:%M:%S %z", S("10/Oct/2000:13:55:36 -07") => None;
        "%d/%b/%Y:%H:%M:%S %z", S("10/Foo/2000:13:55:36 -0700") => None;
        "%Y%m%d%H%M%S.%f", S("20230701140000.123456") => Some("2023-07-01T14:00:00.123456Z");
        "%Y%m%d%H%M%S.%f", S("20230701140000.5") => Some("2023-07-01T14:00:00.5Z");
        "%Y%m%d%H%M%S.%f", S("20230701140000.123456789") => Some("2023-07-01T14:00:00.123456789Z");
        "%Y%m%d%H%M%S.%f", S("20230701140000.") => None;
        "%a, %d %b %Y %H:%M:%S %z", S("Sat, 01 Jul 2023 14:00:00 +0000") => Some("2023-07-01T14:00:00Z");
        "%a, %d %b %Y %H:%M:%S %z", S("Mon, 01 Jul 2023 14:00:00 +0200") => Some("2023-07-01T12:00:00Z");
        "%A %B %e %Y", S("Saturday July  1 2023") => Some("2023-07-01T00:00:00Z");
        "%A %B %e %Y", S("Saturday July 1 2023") => Some("2023-07-01T00:00:00Z");
        "%A %B %d %Y", S("Saturday July 1 2023") => Some("2023-07-01T00:00:00Z");
        "%y-%m-%d", S("23-07-01") => Some("2023-07-01T00:00:00Z");
        "%y-%m-%d", S("99-07-01") => Some("1999-07-01T00:00:00Z");
        "%C%y-%m-%d", S("1923-07-01") => Some("1923-07-01T00:00:00Z");
        "%Y %j", S("2024 060") => Some("2024-02-29T00:00:00Z");
        "%Y %j", S("2023 366") => None;
        "%Y %j", S("2023 0") => None;
        "%I:%M %p %F", S("12:30 AM 2023-07-01") => Some("2023-07-01T00:30:00Z");
        "%I:%M %p %F", S("12:30 pm 2023-07-01") => Some("2023-07-01T12:30:00Z");
        "%I:%M %p %F", S("01:30 PM 2023-07-01") => Some("2023-07-01T13:30:00Z");
        "%I:%M %p %F", S("13:30 PM 2023-07-01") => None;
        "%D %T", S("07/01/23 14:00:00") => Some("2023-07-01T14:00:00Z");
        "%F %T %Z", S("2023-07-01 14:00:00 UTC") => Some("2023-07-01T14:00:00Z");
        "%F %T %Z", S("2023-07-01 14:00:00 GMT") => Some("2023-07-01T14:00:00Z");
        "%F %T %Z", S("2023-07-01 14:00:00 Z") => Some("2023-07-01T14:00:00Z");
        "%F %T %Z", S("2023-07-01 14:00:00 PST") => Some("2023-07-01T14:00:00Z");
        "%F %T %Z", S("2023-07-01 14:00:00 utc") => None;
        "%F %T %Z", S("2023-07-01 14:00:00 ") => None;
        "%F %T %:z", S("2023-07-01 14:00:00 -08:00") => Some("2023-07-01T22:00:00Z");
        "%s", S("1688220000") => Some("2023-07-01T14:00:00Z");
        "%s", S("-1") => Some("1969-12-31T23:59:59Z");
        "%s", S("99999999999999999999") => None;
        "%s.%f", S("1688220000.25") => Some("2023-07-01T14:00:00.25Z");
        "%H:%M", S("14:05") => Some("1900-01-01T14:05:00Z");
        "100%% at %H:%M", S("100% at 14:05") => Some("1900-01-01T14:05:00Z");
        "%-d/%-m/%Y", S("1/7/2023") => Some("2023-07-01T00:00:00Z");
        "%c", S("Sat Jul  1 14:00:00 2023") => Some("2023-07-01T14:00:00Z");
        "%Y-%m-%d", I(20_230_701) => None;
        "%Y-%m-%d", F(1.0) => None;
        "%Y年%m月%d日", S("2023年07月01日") => Some("2023-07-01T00:00:00Z");
        "%Y\t%m%n%d", S("2023\t07\n01") => Some("2023-07-01T00:00:00Z");
    });

    decode_cases!(layout {
        "layout=2006-01-02 15:04:05 MST", S("2023-07-01 14:00:00 UTC") => Some("2023-07-01T14:00:00Z");
        "layout=2006-01-02 15:04:05 MST", S("2023-07-01 14:00:00 MST") => Some("2023-07-01T14:00:00Z");
        "layout=2006-01-02 15:04:05 MST", S("2023-07-01 14:00:00 GMT+2") => Some("2023-07-01T12:00:00Z");
        "layout=2006-01-02 15:04:05 MST", S("2023-07-01 14:00:00 GMT-3") => Some("2023-07-01T17:00:00Z");
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
        "layout=01/02/2006 15:04:05.000", S("07/01/2023 14:00:00,123") => Some("2023-07-01T14:00:00.123Z");
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
        "unix_milli" => ("unknown timeFormat \"unix_milli\"", "did you mean \"unix_ms\"?");
        "RFC3339" => ("unknown timeFormat", "did you mean \"rfc3339\"?");
        "rfc3339nano" => ("unknown timeFormat", "did you mean \"rfc3339\"?");
        "unix_nano" => ("unknown", "did you mean \"unix_ns\"?");
        "unix_micro" => ("unknown", "did you mean \"unix_us\"?");
        "epoch" => ("unknown", "did you mean \"unix\"?");
        "unixx" => ("unknown", "did you mean \"unix\"?");
        "cloudflar" => ("unknown", "did you mean \"cloudflare\"?");
        " rfc3339" => ("unknown", "did you mean \"rfc3339\"?");
        "bogus" => ("unknown timeFormat \"bogus\"", "valid values: rfc3339, unix, unix_ms");
        "2006-01-02" => ("unknown", "did you mean \"layout=2006-01-02\"?");
        "YYYY-MM-DD" => ("unknown", "strftime directives");
        "layout = 2006" => ("unknown", "no spaces around");
        "%Y-%m-%d %Q" => ("unsupported strftime directive \"%Q\"", "supported directives");
        "%Y %U" => ("\"%U\"", "");
        "%Y %é" => ("\"%é\"", "");
        "%Y-%m-%" => ("stray", "%%");
        "100%%" => ("no date or time directive", "");
        "layout=" => ("no Go reference-time element", "Mon Jan 2 15:04:05 MST 2006");
        "layout=YYYY-MM-DD" => ("no Go reference-time element", "");
        "layout=%Y-%m-%d" => ("strftime directive \"%Y\"", "drop the \"layout=\" prefix");
    });

    /// One line per case: `rfc3339 input => (write_rfc3339 output, write_panther output)`.
    macro_rules! write_cases {
        ($name:ident { $($input:expr => ($rfc:expr, $panther:expr);)* }) => {
            #[test]
            fn $name() {
                $(
                    let ts = TimeFormat::Rfc3339.parse_str($input).expect($input);
                    let mut out = Vec::new();
                    write_rfc3339(&ts, &mut out);
                    assert_eq!(std::str::from_utf8(&out), Ok($rfc), "rfc3339 of {}", $input);
                    out.clear();
                    write_panther(&ts, &mut out);
                    assert_eq!(std::str::from_utf8(&out), Ok($panther), "panther of {}", $input);
                )*
            }
        };
    }

    write_cases!(writers {
        "2023-07-01T14:00:00Z" => ("2023-07-01T14:00:00Z", "2023-07-01 14:00:00.000000000");
        "2023-07-01T14:00:00.500Z" => ("2023-07-01T14:00:00.5Z", "2023-07-01 14:00:00.500000000");
        "2023-07-01T14:00:00.123Z" => ("2023-07-01T14:00:00.123Z", "2023-07-01 14:00:00.123000000");
        "2023-07-01T14:00:00.123456Z" => ("2023-07-01T14:00:00.123456Z", "2023-07-01 14:00:00.123456000");
        "2023-07-01T14:00:00.000000001Z" => ("2023-07-01T14:00:00.000000001Z", "2023-07-01 14:00:00.000000001");
        "2023-07-01T14:00:00.123456789Z" => ("2023-07-01T14:00:00.123456789Z", "2023-07-01 14:00:00.123456789");
        "0001-01-01T00:00:00Z" => ("0001-01-01T00:00:00Z", "0001-01-01 00:00:00.000000000");
        "0000-02-29T09:08:07Z" => ("0000-02-29T09:08:07Z", "0000-02-29 09:08:07.000000000");
        "9999-12-31T23:59:59.999999999Z" => ("9999-12-31T23:59:59.999999999Z", "9999-12-31 23:59:59.999999999");
    });

    #[test]
    fn writers_out_of_range_years_do_not_panic() {
        use chrono::TimeZone;
        let cases = [
            (
                Utc.with_ymd_and_hms(-1, 1, 1, 0, 0, 0).unwrap(),
                "-0001-01-01T00:00:00Z",
            ),
            (
                Utc.with_ymd_and_hms(12345, 1, 1, 0, 0, 0).unwrap(),
                "12345-01-01T00:00:00Z",
            ),
            (
                Utc.with_ymd_and_hms(-123_456, 1, 1, 0, 0, 0).unwrap(),
                "-123456-01-01T00:00:00Z",
            ),
        ];
        for (ts, want) in cases {
            let mut out = Vec::new();
            write_rfc3339(&ts, &mut out);
            assert_eq!(std::str::from_utf8(&out), Ok(want));
        }
        for ts in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
            let mut out = Vec::new();
            write_rfc3339(&ts, &mut out);
            write_panther(&ts, &mut out);
            assert!(!out.is_empty());
        }
    }

    /// `ts` by the writers and by their slow paths (which read every field from chrono and
    /// cache nothing), as `(rfc3339, panther)`; asserts that they agree.
    fn written_both_ways(ts: &Timestamp) -> (String, String) {
        let (mut fast, mut slow) = (b"x".to_vec(), b"x".to_vec());
        write_rfc3339(ts, &mut fast);
        write_rfc3339_slow(ts, &mut slow);
        assert_eq!(fast, slow, "rfc3339 of {ts:?}");
        let rfc = String::from_utf8_lossy(&fast[1..]).into_owned();
        let (mut fast, mut slow) = (b"x".to_vec(), b"x".to_vec());
        write_panther(ts, &mut fast);
        write_panther_slow(ts, &mut slow);
        assert_eq!(fast, slow, "panther of {ts:?}");
        (rfc, String::from_utf8_lossy(&fast[1..]).into_owned())
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, nanos: u32) -> Timestamp {
        chrono::NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|d| d.and_hms_nano_opt(h, mi, s, nanos))
            .map(|n| n.and_utc())
            .expect("valid date")
    }

    /// The writers' cache of date, hour and minute: the same minute of the day on other
    /// dates, and runs of seconds across minute, hour, day, month and year boundaries
    /// (leap days, leap seconds, years 0, 999/1000, 1969/1970, 9999), interleaved with one
    /// or two other dates as a parse time is, and with years the cache must not take.
    #[test]
    fn writers_cache_keeps_dates_and_minutes_apart() {
        use chrono::TimeZone as _;
        // One minute of the day on dates one day, one month, one year and 400 years apart.
        let same_minute = [
            (utc(2023, 7, 1, 14, 5, 6, 0), "2023-07-01T14:05:06Z"),
            (utc(2023, 7, 2, 14, 5, 6, 0), "2023-07-02T14:05:06Z"),
            (utc(2023, 8, 2, 14, 5, 6, 0), "2023-08-02T14:05:06Z"),
            (utc(2024, 8, 2, 14, 5, 6, 0), "2024-08-02T14:05:06Z"),
            (utc(2424, 8, 2, 14, 5, 6, 0), "2424-08-02T14:05:06Z"),
            (
                utc(2023, 7, 1, 14, 5, 7, 5),
                "2023-07-01T14:05:07.000000005Z",
            ),
            (utc(2023, 7, 1, 15, 5, 7, 0), "2023-07-01T15:05:07Z"),
            (utc(2023, 7, 1, 14, 6, 7, 0), "2023-07-01T14:06:07Z"),
        ];
        for (ts, want) in same_minute {
            assert_eq!(written_both_ways(&ts).0, want);
        }
        let starts = [
            utc(2023, 12, 31, 23, 58, 30, 0),
            utc(2024, 2, 28, 23, 59, 0, 250_000_000),
            utc(2023, 2, 28, 23, 59, 0, 0),
            utc(2016, 12, 31, 23, 59, 58, 0),
            utc(1969, 12, 31, 23, 59, 1, 999_999_999),
            utc(999, 12, 31, 23, 59, 30, 0),
            utc(0, 1, 1, 0, 0, 0, 0),
            utc(0, 2, 28, 23, 59, 0, 0),
            utc(9999, 12, 31, 23, 58, 0, 1),
        ];
        let others = [
            utc(2026, 11, 22, 23, 47, 38, 808_581_653),
            utc(1999, 1, 1, 0, 0, 0, 0),
        ];
        let out_of_range = [
            Utc.with_ymd_and_hms(-1, 12, 31, 23, 59, 0).single(),
            Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).single(),
        ];
        for (k, start) in (0_i64..).zip(starts) {
            for step in 0..200 {
                let ts = start + chrono::Duration::seconds(step * 7);
                written_both_ways(&ts);
                // A parse time after every timestamp, a second date every third.
                written_both_ways(&others[0]);
                if step % 3 == k % 3 {
                    written_both_ways(&others[1]);
                }
                if step % 50 == 0 {
                    for ts in out_of_range.iter().flatten() {
                        written_both_ways(ts);
                    }
                }
            }
        }
        // A leap second in a cached minute, and the minutes around it.
        let leap = [
            (utc(2016, 12, 31, 23, 59, 59, 0), "2016-12-31T23:59:59Z"),
            (
                utc(2016, 12, 31, 23, 59, 59, 1_000_000_000),
                "2016-12-31T23:59:60Z",
            ),
            (
                utc(2016, 12, 31, 23, 59, 59, 1_500_000_000),
                "2016-12-31T23:59:60.5Z",
            ),
            (utc(2017, 1, 1, 0, 0, 0, 0), "2017-01-01T00:00:00Z"),
            (
                utc(2016, 12, 31, 23, 59, 59, 1_000_000_001),
                "2016-12-31T23:59:60.000000001Z",
            ),
        ];
        for (ts, want) in leap {
            assert_eq!(written_both_ways(&ts).0, want);
        }
        let (_, panther) = written_both_ways(&utc(2016, 12, 31, 23, 59, 59, 1_500_000_000));
        assert_eq!(panther, "2016-12-31 23:59:60.500000000");
    }

    /// Random timestamps over the whole range, in runs of close ones, against the slow paths.
    #[test]
    fn writers_agree_with_slow_paths_on_random_runs() {
        let mut next = crate::testing::xorshift(0x9e37_79b9_7f4a_7c15);
        let max_days = utc(9999, 12, 31, 0, 0, 0, 0).timestamp() / 86_400;
        let min_days = utc(0, 1, 1, 0, 0, 0, 0).timestamp() / 86_400;
        let span = usize::try_from(max_days - min_days).expect("span");
        for _ in 0..2_000 {
            let days = min_days + i64::try_from(next(span)).expect("days");
            let secs = days * 86_400 + i64::try_from(next(86_400)).expect("secs");
            for _ in 0..8 {
                let nanos = match next(4) {
                    0 => 0,
                    1 => u32::try_from(next(1_000)).expect("nanos") * 1_000_000,
                    _ => u32::try_from(next(1_000_000_000)).expect("nanos"),
                };
                let secs = secs + i64::try_from(next(300)).expect("step");
                if let Some(ts) = DateTime::from_timestamp(secs, nanos) {
                    written_both_ways(&ts);
                }
            }
        }
    }

    #[test]
    fn eight_digits_like_format() {
        let mut next = crate::testing::xorshift(0x2545_f491_4f6c_dd1d);
        let edges = (0..10_000).flat_map(|k| [k, k * 10_000, k * 10_000 + 9_999, 99_999_999 - k]);
        let random = (0..200_000).map(|_| next(100_000_000));
        for v in edges.chain(random) {
            let v = u32::try_from(v).expect("below 10^8");
            assert_eq!(eight_digits(v), *format!("{v:08}").as_bytes(), "{v}");
        }
    }

    #[test]
    fn leap_second_is_written_as_60() {
        let ts = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
            .map(|n| n.and_utc())
            .expect("leap second");
        let mut out = Vec::new();
        write_rfc3339(&ts, &mut out);
        assert_eq!(std::str::from_utf8(&out), Ok("2016-12-31T23:59:60.5Z"));
    }

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

    /// The RFC 3339 fast path against the general parser: whatever the fast path accepts, it
    /// must decode exactly as the general parser does; and it must not leave any valid value
    /// with at most nine fractional digits to the general parser (it would still be correct,
    /// only slower).
    fn check_rfc3339_fast(s: &str) {
        let b = s.as_bytes();
        let fast = parse_rfc3339_fast(b);
        let general = parse_rfc3339_general(b);
        if fast.is_some() {
            assert_eq!(fast, general, "{s:?}");
        }
        let fraction_digits = s
            .get(19..)
            .and_then(|r| r.strip_prefix('.'))
            .map_or(0, |r| r.bytes().take_while(u8::is_ascii_digit).count());
        if general.is_some() && fraction_digits <= 9 {
            assert_eq!(fast, general, "fast path fell back on {s:?}");
        }
        assert_eq!(TimeFormat::Rfc3339.parse_str(s), general, "{s:?}");
    }

    #[test]
    fn rfc3339_fast_path_agrees_on_edge_cases() {
        for s in [
            "2023-07-01T14:00:00Z",
            "2023-07-01T14:00:00.1Z",
            "2023-07-01T14:00:00.12Z",
            "2023-07-01T14:00:00.123Z",
            "2023-07-01T14:00:00.1234Z",
            "2023-07-01T14:00:00.12345Z",
            "2023-07-01T14:00:00.123456Z",
            "2023-07-01T14:00:00.1234567Z",
            "2023-07-01T14:00:00.12345678Z",
            "2023-07-01T14:00:00.123456789Z",
            "2023-07-01T14:00:00.1234567891Z",
            "2023-07-01T14:00:00.123456789123456789Z",
            "2023-07-01T14:00:00.000000000Z",
            "2023-07-01T14:00:00.999999999Z",
            "2023-07-01T14:00:00.Z",
            "2023-07-01T14:00:00.5",
            "2023-07-01T14:00:00,5Z",
            "2023-07-01T14:00:00.5.5Z",
            "2023-07-01T14:00:00+02:00",
            "2023-07-01T14:00:00.123456+02:00",
            "2023-07-01T14:00:00.5-08:00",
            "2023-07-01T14:00:00+14:00",
            "2023-07-01T14:00:00-12:00",
            "2023-07-01T14:00:00+00:00",
            "2023-07-01T14:00:00-00:00",
            "2023-07-01T14:00:00+23:59",
            "2023-07-01T14:00:00-23:59",
            "2023-07-01T14:00:00+24:00",
            "2023-07-01T14:00:00+05:60",
            "2023-07-01T14:00:00+0530",
            "2023-07-01T14:00:00+05",
            "2023-07-01T14:00:00+05:30:00",
            "2023-07-01T14:00:00 +05:30",
            "2023-07-01T14:00:00z",
            "2023-07-01t14:00:00Z",
            "2023-07-01 14:00:00Z",
            "2023-07-01T14:00:00ZZ",
            "2023-07-01T14:00:00Z ",
            " 2023-07-01T14:00:00Z",
            "2023-07-01T14:00:00",
            "2023-07-01T14:00:0Z",
            "2023-07-01T1:00:00Z",
            "2023-7-01T14:00:00Z",
            "+2023-07-01T14:00:00Z",
            "-2023-07-01T14:00:00Z",
            "2023-07-01T23:59:60Z",
            "2016-12-31T23:59:60Z",
            "2023-07-01T24:00:00Z",
            "2023-07-01T14:60:00Z",
            "2023-02-28T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2023-02-30T00:00:00Z",
            "2024-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2000-02-29T00:00:00Z",
            "2023-04-31T00:00:00Z",
            "2023-00-01T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-07-00T00:00:00Z",
            "2023-07-32T00:00:00Z",
            "2023-12-31T23:30:00-01:00",
            "2024-01-01T00:30:00+01:00",
            "2024-02-28T23:00:00-01:00",
            "2023-02-28T23:00:00-01:00",
            "2024-03-01T00:30:00+01:00",
            "0000-01-01T00:00:00Z",
            "0000-01-01T00:00:00+00:01",
            "0000-01-01T00:00:00-00:01",
            "0000-01-01T00:59:59+01:00",
            "9999-12-31T23:59:59.999999999Z",
            "9999-12-31T23:59:59-00:01",
            "9999-12-31T23:00:00+01:00",
            "9999-12-31T00:00:00-23:59",
            "1969-12-31T23:59:59Z",
            "2023-07-01T14:00:00\u{0}Z",
            "2023-07-01T14:00:00Ｚ",
            "2022-04-04\u{3a4}17:09:17Z",
            "2023:07:01T14-00-00Z",
            "2023-07-01T14:00:00/0Z",
            "20:3-07-01T14:00:00Z",
            "2023-0:-01T14:00:00Z",
            "2023-07-01T14:0:00Z",
            "",
            "2023",
        ] {
            check_rfc3339_fast(s);
        }
    }

    #[test]
    fn rfc3339_date_cache_empty_slots_match_nothing() {
        // NUL bytes (from `\u0000` escapes) where the date should be: refused, on a fresh
        // thread whose cache is still empty.
        let s = "\0\0\0\0\0\0\0\0\0\0T04:29:45Z";
        let got = std::thread::spawn(move || parse_rfc3339_fast(s.as_bytes()))
            .join()
            .expect("thread");
        assert_eq!(got, None);
        assert_eq!(parse_rfc3339_general(s.as_bytes()), None);
    }

    #[test]
    fn rfc3339_date_cache_keeps_dates_apart() {
        // Consecutive values whose dates differ in one field (the century included), cross
        // month and year ends, or are invalid right after a valid neighbour: each must decode
        // as on its own, whatever the cache held before.
        let dates = [
            "2023-07-16",
            "2023-07-16",
            "1923-07-16",
            "2023-07-17",
            "2023-08-16",
            "2024-07-16",
            "2023-12-31",
            "2024-01-01",
            "2023-12-31",
            "2024-02-29",
            "2023-02-29",
            "2023-02-29",
            "2024-02-29",
            "2023-02-28",
            "2023-02-30",
            "2023-02-28",
            "2023-04-31",
            "2023-04-30",
            "2023-00-30",
            "2023-13-30",
            "0000-01-01",
            "9999-12-31",
            "2100-02-29",
            "2000-02-29",
        ];
        for (i, date) in dates.iter().enumerate() {
            for time in ["04:29:45Z", "00:30:00+01:00", "23:30:00-01:00"] {
                let s = format!("{date}T{time}");
                let want = parse_rfc3339_general(s.as_bytes());
                assert_eq!(
                    parse_rfc3339_fast(s.as_bytes()),
                    want,
                    "{s} after {i} dates"
                );
                // And again right after values with one and two other dates (the cache holds
                // two).
                let other = dates[(i + 7) % dates.len()];
                let _ = parse_rfc3339_fast(format!("{other}T{time}").as_bytes());
                assert_eq!(parse_rfc3339_fast(s.as_bytes()), want, "{s} after {other}");
                let third = dates[(i + 13) % dates.len()];
                let _ = parse_rfc3339_fast(format!("{other}T{time}").as_bytes());
                let _ = parse_rfc3339_fast(format!("{third}T{time}").as_bytes());
                assert_eq!(parse_rfc3339_fast(s.as_bytes()), want, "{s} after {third}");
            }
        }
    }

    #[test]
    fn rfc3339_fast_path_agrees_on_every_day_near_midnight() {
        let times = [
            ("00:00:00", "Z"),
            ("00:00:00", "+00:01"),
            ("00:00:00", "-00:00"),
            ("00:00:00", "-23:59"),
            ("00:30:00.5", "+01:00"),
            ("12:00:00", "+14:00"),
            ("23:30:00", "-01:00"),
            ("23:59:59", "-00:01"),
            ("23:59:59.999999999", "+23:59"),
            ("23:59:59.999999999", "-23:59"),
        ];
        for year in [
            0, 1, 4, 99, 100, 400, 1900, 1969, 1970, 2000, 2023, 2024, 2100, 9999,
        ] {
            for month in 0..=13 {
                for day in 0..=32 {
                    for (time, zone) in times {
                        check_rfc3339_fast(&format!("{year:04}-{month:02}-{day:02}T{time}{zone}"));
                    }
                }
            }
        }
    }

    #[test]
    fn rfc3339_fast_path_agrees_on_random_and_mutated_values() {
        use std::fmt::Write as _;
        let mut next = crate::testing::xorshift(0x2545_f491_4f6c_dd1d);
        let noise = b"0123456789-:.TtZz+ /\xff";
        let mut s = String::new();
        for _ in 0..300_000 {
            s.clear();
            let year = [0, 1, 1900, 1970, 2000, 2023, 2024, 9999, next(10_000)][next(9)];
            let (month, day) = (next(14), next(33));
            let (hour, minute, second) = (next(25), next(61), next(61));
            let _ = write!(
                s,
                "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}"
            );
            let digits = [0, 0, 0, 1, 3, 6, 9, next(13)][next(8)];
            if digits > 0 || next(20) == 0 {
                s.push('.');
                for _ in 0..digits {
                    s.push(char::from(b"0123456789"[next(10)]));
                }
            }
            let _ = match next(6) {
                0 | 1 => write!(s, "Z"),
                2 => write!(s, "+{:02}:{:02}", next(25), next(61)),
                3 => write!(s, "-{:02}:{:02}", next(25), next(61)),
                4 => write!(
                    s,
                    "{}",
                    ["+00:00", "-00:00", "+14:00", "-12:00", "z", ""][next(6)]
                ),
                _ => write!(s, "+{:02}:30", next(3)),
            };
            check_rfc3339_fast(&s);
            // The same value with one byte replaced, or cut short.
            let mut bytes = s.clone().into_bytes();
            let at = next(bytes.len());
            if next(2) == 0 {
                bytes[at] = noise[next(noise.len())];
            } else {
                bytes.truncate(at);
            }
            check_rfc3339_fast(&String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn error_display_is_message() {
        let err = TimeFormat::from_spec("nope").expect_err("nope");
        assert_eq!(err.to_string(), "unknown timeFormat \"nope\"");
        let _: &dyn std::error::Error = &err;
    }
}
