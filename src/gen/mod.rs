//! A deterministic generator of realistic log records, for benchmarks and tests.
//!
//! A [`Generator`] produces records for any log type of a [`Registry`] (NDJSON, or lines of
//! text for a log type with `parser: fastmatch`, `regex` or `csv`, after the
//! [`preamble`](Generator::preamble) their reader skips): it walks the
//! schema once, at construction, and compiles a small plan of value generators (strings
//! shaped by their indicators and names, integers in range, timestamps written in the
//! field's own `timeFormat`, nested objects and arrays, embedded JSON). The shipped log types
//! (Zendesk.Audit, Zoom.Activity, Zoom.Operation) get hand-tuned values instead: Zendesk
//! actions and source types, multi-line change descriptions with quotes and non-ASCII text,
//! about 10% null IPs, IPv4 and IPv6, fractional seconds and non-UTC offsets, Zoom client
//! types and versions, operation details with embedded emails.
//!
//! A controlled share of records ([`GenOptions::invalid_rate`]) is invalid on purpose: a
//! required field missing, a required number, boolean or timestamp given as `""` (null for
//! those types), a timestamp that no format of its field accepts, or truncated JSON.
//! Everything comes from one seeded PRNG (splitmix64), so a seed always gives the same bytes.
//!
//! This module holds the public API and the generator's state. The work is in `plan`
//! (schema to value generators, once), `strings` (string shapes), `write` (the record
//! writer and its deliberate mutations), `textgen` (the lines of text log types and the
//! preamble of a file: `lines` for patterns, `csv` for rows), `rng` (the PRNG), `realism`
//! (the hand-tuned log types), `text` (word lists) and `times` (timestamps in a field's own
//! format).
//!
//! ```
//! use normalog::gen::{GenOptions, Generator};
//! use normalog::Registry;
//!
//! let registry = Registry::builtin();
//! let mut generator = Generator::new(&registry, &["Zoom.Activity"], &GenOptions::default())?;
//! let ndjson = generator.generate(3);
//! assert_eq!(ndjson.iter().filter(|&&b| b == b'\n').count(), 3);
//! # Ok::<(), normalog::gen::GenError>(())
//! ```

mod csv;
mod lines;
mod plan;
mod realism;
mod rng;
mod strings;
mod text;
mod textgen;
mod times;
mod walk;

pub use times::{FIRST_TIME, LAST_TIME};
mod write;

use std::fmt;
use std::io::{self, Write};

use crate::error::UnknownLogType;
use crate::registry::Registry;
// Not used here: the submodules (plan, write, times) write JSON strings with it.
use crate::json::write_json_str;

use plan::TypeGen;
pub use rng::Rng;
use write::{truncate, write_fields, Mutation, Rec};

/// The generator's state: the PRNG and the clock of the records (generated logs are
/// roughly in time order, as an API pull is, with about 86 ms between records on average by
/// default: a million records span about a day; [`GenOptions::spread`] spreads them over
/// a longer span).
#[derive(Debug, Clone)]
pub(crate) struct State {
    rng: Rng,
    /// The current record's time, Unix seconds.
    pub(crate) secs: i64,
    /// The first record's time: no time of a record (its jitter included) is before it.
    pub(crate) start: i64,
    /// The clock's steps and the microseconds within `secs` (`times::Clock`).
    clock: times::Clock,
}

impl State {
    fn new(seed: u64) -> State {
        State::with_clock(seed, None, None)
    }

    fn with_clock(seed: u64, start: Option<i64>, mean_gap_us: Option<u64>) -> State {
        let mut rng = Rng::new(seed);
        // Drawn even when `start` is given, so the values that follow do not depend on it.
        #[allow(clippy::cast_possible_wrap)]
        let secs = times::EPOCH_2023 + rng.below_u64(times::TWO_YEARS) as i64;
        let secs = start.unwrap_or(secs);
        State {
            rng,
            secs,
            start: secs,
            clock: times::Clock::new(mean_gap_us),
        }
    }

    /// Move the clock forward (by 0 to 172 ms by default). It stops at
    /// [`LAST_TIME`]: a caller of [`Generator::next_record`] that goes on past it gets
    /// records at that time, never years of five digits (no reader takes them) nor 1970
    /// (where a time out of chrono's range fell). [`GenOptions::last_time`] tells before.
    fn tick(&mut self) {
        self.secs = self
            .secs
            .saturating_add(self.clock.step(&mut self.rng))
            .min(times::LAST_TIME);
    }
}

impl std::ops::Deref for State {
    type Target = Rng;
    fn deref(&self) -> &Rng {
        &self.rng
    }
}

impl std::ops::DerefMut for State {
    fn deref_mut(&mut self) -> &mut Rng {
        &mut self.rng
    }
}

/// How records are generated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GenOptions {
    /// Seed of the PRNG: the same seed, log types and options give the same bytes.
    pub seed: u64,
    /// Share of invalid records, `0.0..=1.0`.
    pub invalid_rate: f64,
    /// Unix seconds of the first record's time. Default: a time in 2023 or 2024 chosen by
    /// the seed.
    pub start: Option<i64>,
    /// Mean time between consecutive records, in microseconds (record `i` is at `i` mean
    /// gaps from the start, plus a random part of one: gaps of 0 to twice the mean, and
    /// `n` records within `n` mean gaps). Default: 86 ms, so a million records span about a day;
    /// [`spread`](Self::spread) sets it from a span.
    pub mean_gap_us: Option<u64>,
    /// How many records the caller will draw, when known: every timestamp field's format
    /// must hold the times they span ([`last_time`](Self::last_time)), or
    /// [`Generator::new`] refuses it ([`GenError::TimeFormatRange`]). Unknown: the first
    /// day from the start is checked.
    pub records: Option<u64>,
}

impl GenOptions {
    /// Spread `records` records over `span_secs` seconds (a data-lake archive of
    /// months rather than the default day per million records), by setting
    /// [`mean_gap_us`](Self::mean_gap_us).
    #[must_use]
    pub fn spread(mut self, records: u64, span_secs: u64) -> Self {
        self.mean_gap_us = Some(times::mean_gap_us(records, span_secs));
        self
    }

    /// The latest time (Unix seconds) one of `records` records can have with these
    /// options: the start (without one, the latest a seed can choose) plus the most the
    /// clock moves in `records` records. `None` when that is past what an `i64` holds.
    /// Past [`LAST_TIME`], the records would not all have their own times (see
    /// [`Generator::next_record`]); `normalog gen` refuses such options.
    #[must_use]
    pub fn last_time(&self, records: u64) -> Option<i64> {
        #[allow(clippy::cast_possible_wrap)]
        let start = self
            .start
            .unwrap_or(times::EPOCH_2023 + times::TWO_YEARS as i64);
        let n = u128::from(records);
        let micros = match self.mean_gap_us {
            // Record i is in the slot [i, i + 1) mean gaps from the start (`Clock::step`):
            // the last one is before the end of the span.
            Some(mean) => (n * u128::from(mean.max(1))).saturating_sub(1),
            None => n * u128::from(times::DEFAULT_MAX_STEP_US),
        };
        start.checked_add(i64::try_from(micros / 1_000_000).ok()?)
    }

    /// The times the records will have, from `start` (the one the seed chose when
    /// [`start`](Self::start) is `None`): to [`last_time`](Self::last_time) of
    /// [`records`](Self::records), or a day when the count is not known.
    fn times(&self, start: i64) -> times::TimeRange {
        let last = match self.records {
            Some(n) => GenOptions {
                start: Some(start),
                ..*self
            }
            .last_time(n)
            .unwrap_or(LAST_TIME),
            None => start.saturating_add(86_400),
        };
        times::TimeRange {
            first: start,
            last: last.clamp(start, LAST_TIME),
        }
    }
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            seed: 1,
            invalid_rate: 0.0,
            start: None,
            mean_gap_us: None,
            records: None,
        }
    }
}

/// Why a generator cannot be built.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum GenError {
    /// No log type was asked for.
    NoLogType,
    /// The log type is not in the registry.
    UnknownLogType(UnknownLogType),
    /// The log type reads lines of text, and the generator cannot write lines its pattern
    /// reads back as written.
    TextPattern {
        /// The log type.
        log_type: String,
        /// Why not.
        reason: String,
    },
    /// `invalid_rate` is not within `0.0..=1.0`.
    BadInvalidRate(f64),
    /// The start (Unix seconds) is not within [`FIRST_TIME`]`..=`[`LAST_TIME`], the times
    /// normalog reads.
    StartOutOfRange(i64),
    /// A required timestamp field has no time format the generator can write.
    UnsupportedTimeFormat {
        /// The log type.
        log_type: String,
        /// The field's path, dot-separated.
        field: String,
        /// The field's formats, as written.
        formats: String,
    },
    /// A timestamp field's formats can be written, but not for every time of the run:
    /// normalize would reject some of the values, or read them as other times (`%s`
    /// before 1970, `unix_ns` after 2262, two-digit years outside 1969 to 2068). Required
    /// fields and event times only; other fields are left out.
    TimeFormatRange {
        /// The log type.
        log_type: String,
        /// The field's path, dot-separated.
        field: String,
        /// The field's formats, as written.
        formats: String,
        /// The run's first record time, Unix seconds.
        first: i64,
        /// The run's last record time, Unix seconds (at most).
        last: i64,
    },
}

impl fmt::Display for GenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GenError::NoLogType => f.write_str("no log type to generate"),
            GenError::UnknownLogType(e) => write!(f, "{e}"),
            GenError::TextPattern { log_type, reason } => {
                write!(f, "{log_type}: cannot generate text lines: {reason}")
            }
            GenError::BadInvalidRate(r) => {
                write!(f, "invalid rate {r} is not between 0 and 1")
            }
            GenError::StartOutOfRange(t) => write!(
                f,
                "the start, {t} (Unix seconds), is outside the times normalog reads, \
                 0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z"
            ),
            GenError::UnsupportedTimeFormat {
                log_type,
                field,
                formats,
            } => write!(
                f,
                "{log_type}: cannot generate values for required timestamp field {field} \
                 (timeFormat {formats})"
            ),
            GenError::TimeFormatRange {
                log_type,
                field,
                formats,
                first,
                last,
            } => write!(
                f,
                "{log_type}: timestamp field {field} (timeFormat {formats}) cannot hold the \
                 run's times, {} to {}: normalize would reject some values or read them as \
                 other times; choose a start and span within the format's years",
                times::show(*first),
                times::show(*last),
            ),
        }
    }
}

impl std::error::Error for GenError {}

/// How a generated record was made invalid on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InvalidKind {
    /// A required top-level field is left out.
    MissingRequired,
    /// A top-level timestamp holds text that none of its formats accepts.
    BadTimestamp,
    /// A required top-level number, boolean or timestamp is `""`, which is null for those
    /// types (a required string may be `""`).
    EmptyRequired,
    /// The record's JSON is cut short.
    TruncatedJson,
}

/// What [`Generator::next_record`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordInfo {
    /// Index of the record's log type in [`Generator::log_types`].
    pub log_type: usize,
    /// `Some` when the record is invalid on purpose.
    pub invalid: Option<InvalidKind>,
}

/// Counts of a [`Generator::write_to`] run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenSummary {
    /// Records written.
    pub records: u64,
    /// Of which invalid on purpose.
    pub invalid: u64,
    /// Bytes written, newlines and the [`preamble`](Generator::preamble) included.
    pub bytes: u64,
    /// Records per log type, in [`Generator::log_types`] order.
    pub per_log_type: Vec<u64>,
    /// Of which valid (what a normalizer must accept as that log type), in the same order.
    pub valid_per_log_type: Vec<u64>,
}

/// Generates records for one or more log types, mixed at random with equal shares.
#[derive(Debug)]
pub struct Generator {
    types: Vec<TypeGen>,
    /// The lines a file of these records starts with ([`Generator::preamble`]).
    preamble: Vec<u8>,
    rng: State,
    invalid_rate: f64,
    /// Counts records, for ids that grow like real ones.
    serial: u64,
}

impl Generator {
    /// A generator for these log types of the registry.
    ///
    /// # Errors
    ///
    /// An unknown log type, a text log type whose lines cannot be generated, an empty list, an `invalid_rate` outside
    /// `0..=1`, a start outside [`FIRST_TIME`]`..=`[`LAST_TIME`], or a required timestamp
    /// field whose formats the generator cannot write.
    pub fn new<S: AsRef<str>>(
        registry: &Registry,
        log_types: &[S],
        opts: &GenOptions,
    ) -> Result<Generator, GenError> {
        if log_types.is_empty() {
            return Err(GenError::NoLogType);
        }
        if !(0.0..=1.0).contains(&opts.invalid_rate) {
            return Err(GenError::BadInvalidRate(opts.invalid_rate));
        }
        if let Some(start) = opts.start.filter(|t| !(FIRST_TIME..=LAST_TIME).contains(t)) {
            return Err(GenError::StartOutOfRange(start));
        }
        let rng = State::with_clock(opts.seed, opts.start, opts.mean_gap_us);
        let times = opts.times(rng.start);
        let mut types = Vec::with_capacity(log_types.len());
        for name in log_types {
            let name = name.as_ref();
            let plan = registry.lookup(name).map_err(GenError::UnknownLogType)?;
            let mut t = TypeGen::new(plan.schema(), times)?;
            if plan.is_text() {
                let made = |event_time| {
                    let line = textgen::TextGen::new(plan.schema(), &t.root.fields, event_time)?;
                    line.probe(&t.root.fields, registry, name)
                        .map_err(|reason| GenError::TextPattern {
                            log_type: name.to_owned(),
                            reason,
                        })?;
                    Ok::<_, GenError>(line)
                };
                // Lines that hold an optional event time (so that it is in --span) first;
                // any line of the schema when those are mostly rejected (the pattern that
                // holds the time cuts the format the generator writes: review finding).
                let line = made(true).or_else(|_| made(false))?;
                t.line = Some(line);
            }
            types.push(t);
        }
        let preamble = textgen::preamble(&types)?;
        Ok(Generator {
            types,
            preamble,
            rng,
            invalid_rate: opts.invalid_rate,
            serial: 0,
        })
    }

    /// The log types, in the order given to [`Generator::new`].
    pub fn log_types(&self) -> impl Iterator<Item = &str> {
        self.types.iter().map(|t| t.name.as_str())
    }

    /// The lines a file of these records must start with, each with its line end, for text
    /// log types whose reader consumes the first lines of each input: the header of a
    /// `parser: csv` log type with `hasHeader`, then filler lines (comments) up to the
    /// largest `skipLines`. Empty for JSON log types. [`generate`](Self::generate) and
    /// [`write_to`](Self::write_to) write it first; a caller of
    /// [`next_record`](Self::next_record) writes it before the records of each file.
    #[must_use]
    pub fn preamble(&self) -> &[u8] {
        &self.preamble
    }

    /// Append one record (without a newline) to `out`. Its times follow the previous
    /// record's; once the clock reaches [`LAST_TIME`] it stays there (see
    /// [`GenOptions::last_time`]).
    pub fn next_record(&mut self, out: &mut Vec<u8>) -> RecordInfo {
        self.serial += 1;
        self.rng.tick();
        let ti = self.rng.below(self.types.len());
        let t = &self.types[ti];
        let rng = &mut self.rng;
        if let Some(line) = &t.line {
            let mistake = if self.invalid_rate > 0.0 && rng.chance(self.invalid_rate) {
                text_mistake(rng, t, line)
            } else {
                None
            };
            let made = line.write(rng, &t.root.fields, out, mistake.map(|(_, bad)| bad));
            let invalid = mistake.filter(|_| made).map(|(kind, _)| kind);
            return RecordInfo {
                log_type: ti,
                invalid,
            };
        }
        let invalid = if self.invalid_rate > 0.0 && rng.chance(self.invalid_rate) {
            let mut kinds = [InvalidKind::TruncatedJson; 4];
            let mut n = 1;
            if !t.required.is_empty() {
                kinds[n] = InvalidKind::MissingRequired;
                n += 1;
            }
            if !t.bad_times.is_empty() {
                kinds[n] = InvalidKind::BadTimestamp;
                n += 1;
            }
            if !t.required_nullable.is_empty() {
                kinds[n] = InvalidKind::EmptyRequired;
                n += 1;
            }
            Some(kinds[rng.below(n)])
        } else {
            None
        };
        let mutation = match invalid {
            Some(InvalidKind::MissingRequired) => Mutation::Omit(rng.pick(&t.required).as_str()),
            Some(InvalidKind::BadTimestamp) => {
                let (field, bad) = rng.pick(&t.bad_times);
                Mutation::Text(field, rng.choose(bad))
            }
            Some(InvalidKind::EmptyRequired) => {
                Mutation::Text(rng.pick(&t.required_nullable).as_str(), "")
            }
            _ => Mutation::None,
        };
        let start = out.len();
        let mut rec = Rec {
            out,
            first: true,
            mutation,
        };
        rec.out.push(b'{');
        match t.realism {
            Some(r) => r.write(rng, &mut rec, self.serial),
            None => write_fields(rng, &mut rec, &t.root.fields, 0),
        }
        rec.out.push(b'}');
        if invalid == Some(InvalidKind::TruncatedJson) {
            truncate(rng, out, start);
        }
        RecordInfo {
            log_type: ti,
            invalid,
        }
    }

    /// Write the [`preamble`](Self::preamble), then `n` records as NDJSON (or lines of
    /// text) to `out` (buffered internally).
    ///
    /// # Errors
    ///
    /// I/O errors of `out`.
    pub fn write_to<W: Write>(&mut self, n: u64, mut out: W) -> io::Result<GenSummary> {
        let mut summary = GenSummary {
            per_log_type: vec![0; self.types.len()],
            valid_per_log_type: vec![0; self.types.len()],
            ..GenSummary::default()
        };
        let mut buf = Vec::with_capacity(1 << 17);
        buf.extend_from_slice(&self.preamble);
        for _ in 0..n {
            let info = self.next_record(&mut buf);
            buf.extend_from_slice(b"\n");
            summary.records += 1;
            summary.invalid += u64::from(info.invalid.is_some());
            summary.per_log_type[info.log_type] += 1;
            summary.valid_per_log_type[info.log_type] += u64::from(info.invalid.is_none());
            if buf.len() >= 1 << 16 {
                out.write_all(&buf)?;
                summary.bytes += buf.len() as u64;
                buf.clear();
            }
        }
        out.write_all(&buf)?;
        summary.bytes += buf.len() as u64;
        out.flush()?;
        Ok(summary)
    }

    /// The [`preamble`](Self::preamble), then `n` records as NDJSON (or lines of text), in
    /// memory.
    pub fn generate(&mut self, n: u64) -> Vec<u8> {
        let mut out = self.preamble.clone();
        for _ in 0..n {
            self.next_record(&mut out);
            out.push(b'\n');
        }
        out
    }
}

/// A deliberate mistake for a line of a text log type: a bad timestamp, or an empty
/// required number, boolean or timestamp, in a field every pattern fills.
fn text_mistake(
    rng: &mut State,
    t: &TypeGen,
    line: &textgen::TextGen,
) -> Option<(InvalidKind, lines::Bad)> {
    let index = |name: &str| t.root.fields.iter().position(|f| f.name == name);
    let bad_times: Vec<(usize, &Vec<&'static str>)> = t
        .bad_times
        .iter()
        .filter_map(|(name, bad)| Some((index(name)?, bad)))
        .filter(|&(f, _)| line.fills_always(f))
        .collect();
    let empty: Vec<usize> = t
        .required_nullable
        .iter()
        .filter_map(|name| index(name))
        .filter(|&f| line.fills_always(f))
        .collect();
    let time = match (bad_times.is_empty(), empty.is_empty()) {
        (true, true) => return None,
        (false, true) => true,
        (true, false) => false,
        (false, false) => rng.chance(0.5),
    };
    Some(if time {
        let (field, bad) = rng.pick(&bad_times);
        let text = rng.choose(bad);
        (
            InvalidKind::BadTimestamp,
            lines::Bad {
                field: *field,
                text,
            },
        )
    } else {
        let field = *rng.pick(&empty);
        (InvalidKind::EmptyRequired, lines::Bad { field, text: "" })
    })
}

#[cfg(test)]
mod tests;
