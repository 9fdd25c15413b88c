//! Timestamp decoding and encoding for the `timestamp` field type.
//!
//! A schema field of type `timestamp` names a `timeFormat`; [`TimeFormat::from_spec`] turns that
//! text into a decoder once, at schema load time, and the `parse_*` methods decode JSON values with
//! it. The semantics follow the Panther open-source log processor (`pantherlog/tcodec`), which is
//! written in Go:
//!
//! * `rfc3339`: Go `time.Parse(time.RFC3339, s)` (Go 1.15, Panther's): `YYYY-MM-DDTHH:MM:SS`
//!   (the hour may have one digit, as Go's `15` reads it), an optional `.` fraction, then `Z` or
//!   `±hh:mm`. Like Go, more than nine fractional digits are accepted and truncated to
//!   nanoseconds. Unlike Go, offsets of 24 hours or more or of 60 minutes or more are rejected
//!   (Go before 1.20 checks no range), and so is a `,` fraction separator (read from Go 1.17).
//! * `unix`: seconds as a JSON number (integer or float) or a numeric string; a fraction is kept to
//!   microsecond precision (`int64(sec*1e6)` µs, as Panther does).
//! * `unix_ms`, `unix_us`, `unix_ns`: integers (JSON integers or base-10 integer strings) only.
//! * `cloudflare`: strings are RFC 3339; integers are seconds below `60_000_000_000`, otherwise
//!   nanoseconds.
//! * strftime patterns (any spec containing `%`): the directives of `itchyny/timefmt-go` v0.1.1,
//!   the version Panther pins, read as it reads them; see [`TimeFormat::from_spec`] for the list
//!   and the few deliberate differences.
//! * `layout=<Go layout>`: Go reference-time layouts (`Mon Jan 2 15:04:05 MST 2006`), parsed with
//!   the rules of Go's `time.Parse`.
//!
//! Every decoded timestamp lies in the years 0000–9999 UTC; anything outside decodes to `None`, so
//! [`write_rfc3339`] and [`write_panther`] always produce valid, fixed-width output for them.
//! Decoding never panics, and the built-in formats (`rfc3339`, `unix*`, `cloudflare`) never
//! allocate; pattern formats are compiled once and do not allocate per value either.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::suggest::{did_you_mean, suggest};

mod always;
mod calendar;
mod fixed;
mod go_layout;
mod names;
mod pattern;
mod rfc3339;
mod strftime;
#[cfg(test)]
mod tests;
mod unix;
mod write;

pub use pattern::Pattern;

/// 0000-01-01T00:00:00Z in Unix seconds: the first time normalog reads (years have four
/// digits).
pub const FIRST_SECOND: i64 = -62_167_219_200;
/// 9999-12-31T23:59:59Z in Unix seconds: the last time normalog reads.
pub const LAST_SECOND: i64 = 253_402_300_799;
pub use write::{write_panther, write_rfc3339};

use crate::strconv::parse_int;
use go_layout::compile_layout;
use rfc3339::parse_rfc3339;
use strftime::compile_strftime;
use unix::{
    from_float_seconds, from_micros, from_millis, from_nanos, from_seconds, parse_unix_str,
    CLOUDFLARE_SECONDS_LIMIT,
};

/// A point in time, UTC, nanosecond precision: chrono's, whose methods
/// ([`Datelike`](chrono::Datelike), [`Timelike`](chrono::Timelike)) come with the
/// [`chrono`] re-exported here.
pub type Timestamp = DateTime<Utc>;

/// The chrono crate as this crate was built with it, for [`Timestamp`]'s methods
/// (`use normalog::time::chrono::Timelike;`): use it rather than a version of your own.
pub use chrono;

/// Go's zero `time.Time`, 0001-01-01T00:00:00Z, in seconds since the Unix epoch.
const GO_ZERO_SECONDS: i64 = -62_135_596_800;

/// Whether `t` is Go's zero time (0001-01-01T00:00:00Z, whatever format gave it), which
/// Panther takes for no time at all: the field is left out, it fails `required`, and it is
/// never the event time (`time.Time.IsZero` in its codecs and event-time election). Go
/// programs write it for a time that was never set (`deleted_at`, `expires_at`).
#[inline]
#[must_use]
pub fn is_go_zero(t: &Timestamp) -> bool {
    t.timestamp() == GO_ZERO_SECONDS && t.timestamp_subsec_nanos() == 0
}

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
    /// Strftime directives: `%Y %C %y %g %G %m %B %b %h %A %a %w %u %U %V %W %d %e %j %H %k %I
    /// %l %p %P %M %S %f %z %:z %Z %s %D %x %F %v %R %r %T %X %c %+ %t %n %%`; the flags `-`,
    /// `_`, `0` (as in `%-d`) are accepted and ignored. They read as timefmt-go v0.1.1
    /// (Panther's pin) reads them. Numbers are read greedily up to their width (`%d` reads one
    /// or two digits). `%y` maps 69–99 to 19xx and 00–68 to 20xx, a `%C` of 0 is ignored, `%g`
    /// is 2000 + yy and `%G` a plain year; the week numbers `%U %V %W` are read and ignored.
    /// `%I`/`%l` of 12 is hour 0, other values (13–23 too) are that hour, and PM adds 12 to
    /// the hour whatever read it: `12 PM` is noon with `%I`, `12` without `%p` is midnight,
    /// and `12 PM` with `%H` is the next day's midnight. `%s` is one to ten digits without a
    /// sign, whose UTC date and time are fields as any other: a later directive replaces them
    /// and a `%z`/`%Z` zone moves them. `%z` is a sign and two fields of two bytes each, read
    /// by Go's `strconv.Atoi` with no range check (`+0090`, `+2500`, `+-530`). `%t` and `%n`
    /// take a run of one or more white-space bytes. `%P` is `%p`; `%+` is `%a %b %e %H:%M:%S
    /// %Z %Y`.
    ///
    /// Differences from timefmt-go, all stricter or reading more: `%f` reads one to nine
    /// fractional digits (timefmt-go: six), `%z` also accepts `Z` and `±hh:mm`, `%Z` also
    /// accepts `Z`, `%:z` and the flags are read (timefmt-go v0.1.1 refuses every value of a
    /// pattern with them), and impossible dates such as February 30, hours from 25, minutes
    /// from 60, seconds from 61, days of the year (`%j`) of 0 or past the year's end, and
    /// times outside the years 0000–9999 UTC are rejected (timefmt-go rolls them over, or
    /// ignores a `%j` of 0). As in timefmt-go, hour 24 is the next day's hour 0 and second 60
    /// (a leap second) the next minute's second 0, and a `%j` gives the date whatever `%m` and
    /// `%d` say (a Go layout's `002` must agree with them, as in Go). Without a year the year
    /// is 1900, and February 29 is then March 1 (as timefmt-go makes it: the date is real in
    /// the year the value does not say); without `%z`/`%Z` the time is UTC. Zone
    /// abbreviations read by `%Z` are checked for shape and then taken as UTC (offset 0).
    ///
    /// Go layouts follow `time.Parse` of Go 1.15 (Panther's): `2006 06 01 1 Jan January 02 _2 2
    /// 002 __2 15 03 3 04 4 05 5 .000 .999 PM pm Mon Monday MST -0700 -07:00 -07 -070000
    /// -07:00:00 Z0700 Z07:00 Z07 Z070000 Z07:00:00`; a run of spaces matches a run of spaces,
    /// and a fraction after the seconds is accepted even when the layout has none. A fraction
    /// follows a `.` only (`,000` is text, as before Go 1.17), and a numeric offset has no
    /// range check (`+1299`; Go 1.20 has one). Fraction digits past nine are cut, as Go 1.17+. As on Panther (whose local
    /// zone is UTC), a zone abbreviation (`MST`) other than `GMT±h` is taken as offset 0 — Go does
    /// the same for abbreviations it does not know. A numeric offset wins over an abbreviation
    /// in either order (`-0700 MST`, Go's `Time.String()`, reads `+0200 CEST` as +02:00), and the
    /// name `UTC` or a `Z` wins over both, as in `time.Parse`; strftime patterns take the zone of
    /// their last `%z`/`%Z`, as timefmt-go does. Without a year the year is 0, as in Go.
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
            TimeFormat::UnixMs => parse_int(s).and_then(from_millis),
            TimeFormat::UnixUs => parse_int(s).and_then(from_micros),
            TimeFormat::UnixNs => parse_int(s).and_then(from_nanos),
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
// Errors for unknown specs

/// The start of the hint for an unknown spec, ending with a space, or nothing: a did-you-mean
/// (an alias, a near miss of a built-in name, a Go layout without its prefix) or a how-to.
fn hint_start(spec: &str) -> String {
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
    if let Some(name) = alias.or_else(|| suggest(&norm, BUILTIN_NAMES)) {
        return did_you_mean(Some(name));
    }
    let trimmed = spec.trim_start();
    if trimmed.to_ascii_lowercase().starts_with("layout") {
        return "write \"layout=<Go layout>\" with no spaces around '=' ".to_owned();
    }
    if ["2006", "15:04", "Jan 2", "01/02", "-0700", "Z07:00"]
        .iter()
        .any(|p| spec.contains(p))
    {
        let layout = format!("layout={spec}");
        return format!(
            "this looks like a Go layout: {}",
            did_you_mean(Some(&layout))
        );
    }
    if ["YYYY", "yyyy", "HH:mm", "hh:mm", "MM/DD", "dd/MM"]
        .iter()
        .any(|p| spec.contains(p))
    {
        return "date patterns are written with strftime directives, e.g. \"%Y-%m-%d %H:%M:%S\"; "
            .to_owned();
    }
    String::new()
}

fn unknown_spec(spec: &str) -> TimeFormatError {
    let valid = "valid values: rfc3339, unix, unix_ms, unix_us, unix_ns, cloudflare, a strftime \
                 pattern (e.g. \"%Y-%m-%d %H:%M:%S\") or layout=<Go layout> (e.g. \
                 \"layout=2006-01-02 15:04:05\")";
    let hint = format!("{}{valid}", hint_start(spec));
    TimeFormatError::new(format!("unknown timeFormat {spec:?}"), Some(hint))
}
