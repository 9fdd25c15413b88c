//! A deterministic generator of realistic log records, for benchmarks and tests.
//!
//! A [`Generator`] produces NDJSON records for any log type of a [`Registry`]: it walks the
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
//! those types), a timestamp that no format of its field accepts, or truncated JSON. Everything comes from one seeded PRNG (splitmix64), so a seed always gives the same
//! bytes.
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

mod realism;
mod text;
mod times;

use std::fmt;
use std::io::{self, Write};

use crate::indicators::IndicatorKind;
use crate::registry::Registry;
use crate::schema::{Field, FieldType, IpVersion, Schema, ValueSchema};
use crate::sink::ndjson::write_json_str;
use crate::time::TimeFormat;

pub use rng::Rng;
use times::TimeGen;

/// The generator's state: the PRNG and the clock of the records (generated logs are
/// roughly in time order, as an API pull is, with about 86 ms between records on average by
/// default: a million records span about a day; [`GenOptions::spread`] spreads them over
/// a longer span).
#[derive(Debug, Clone)]
pub(crate) struct State {
    rng: Rng,
    /// The current record's time, Unix seconds.
    pub(crate) secs: i64,
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
        State {
            rng,
            secs: start.unwrap_or(secs),
            clock: times::Clock::new(mean_gap_us),
        }
    }

    /// Move the clock forward (by 0 to 172 ms by default).
    fn tick(&mut self) {
        self.secs += self.clock.step(&mut self.rng);
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
    /// Mean time between consecutive records, in microseconds (each gap is drawn uniformly
    /// from 0 to twice the mean). Default: 86 ms, so a million records span about a day;
    /// [`spread`](Self::spread) sets it from a span.
    pub mean_gap_us: Option<u64>,
}

impl GenOptions {
    /// Spread `records` records over about `span_secs` seconds (a data-lake archive of
    /// months rather than the default day per million records), by setting
    /// [`mean_gap_us`](Self::mean_gap_us).
    #[must_use]
    pub fn spread(mut self, records: u64, span_secs: u64) -> Self {
        self.mean_gap_us = Some(times::mean_gap_us(records, span_secs));
        self
    }
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            seed: 1,
            invalid_rate: 0.0,
            start: None,
            mean_gap_us: None,
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
    UnknownLogType(String),
    /// `invalid_rate` is not within `0.0..=1.0`.
    BadInvalidRate(f64),
    /// A required timestamp field has no time format the generator can write.
    UnsupportedTimeFormat {
        /// The log type.
        log_type: String,
        /// The field's path, dot-separated.
        field: String,
        /// The field's formats, as written.
        formats: String,
    },
}

impl fmt::Display for GenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GenError::NoLogType => f.write_str("no log type to generate"),
            GenError::UnknownLogType(name) => write!(f, "unknown log type {name}"),
            GenError::BadInvalidRate(r) => {
                write!(f, "invalid rate {r} is not between 0 and 1")
            }
            GenError::UnsupportedTimeFormat {
                log_type,
                field,
                formats,
            } => write!(
                f,
                "{log_type}: cannot generate values for required timestamp field {field} \
                 (timeFormat {formats})"
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
    /// Bytes written, newlines included.
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
    /// An unknown log type, an empty list, an `invalid_rate` outside `0..=1`, or a required
    /// timestamp field whose formats the generator cannot write.
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
        let mut types = Vec::with_capacity(log_types.len());
        for name in log_types {
            let name = name.as_ref();
            let plan = registry
                .get(name)
                .ok_or_else(|| GenError::UnknownLogType(name.to_owned()))?;
            types.push(TypeGen::new(plan.schema())?);
        }
        Ok(Generator {
            types,
            rng: State::with_clock(opts.seed, opts.start, opts.mean_gap_us),
            invalid_rate: opts.invalid_rate,
            serial: 0,
        })
    }

    /// The log types, in the order given to [`Generator::new`].
    pub fn log_types(&self) -> impl Iterator<Item = &str> {
        self.types.iter().map(|t| t.name.as_str())
    }

    /// Append one record (without a newline) to `out`.
    pub fn next_record(&mut self, out: &mut Vec<u8>) -> RecordInfo {
        self.serial += 1;
        self.rng.tick();
        let ti = self.rng.below(self.types.len());
        let t = &self.types[ti];
        let rng = &mut self.rng;
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

    /// Write `n` records as NDJSON to `out` (buffered internally).
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

    /// `n` records as NDJSON in memory.
    pub fn generate(&mut self, n: u64) -> Vec<u8> {
        let mut out = Vec::new();
        for _ in 0..n {
            self.next_record(&mut out);
            out.push(b'\n');
        }
        out
    }
}

/// Cut a record at a character boundary strictly inside it: a proper prefix of a JSON object
/// is never valid JSON.
fn truncate(rng: &mut State, out: &mut Vec<u8>, start: usize) {
    let len = out.len() - start;
    if len < 2 {
        return;
    }
    let mut cut = start + 1 + rng.below(len - 1);
    // Back up to a UTF-8 boundary so the truncated record stays valid text.
    while cut > start + 1 && (out[cut] & 0xC0) == 0x80 {
        cut -= 1;
    }
    out.truncate(cut);
}

/// One log type's compiled generator.
#[derive(Debug)]
struct TypeGen {
    name: String,
    root: ObjGen,
    realism: Option<realism::Realism>,
    /// Top-level required fields (for [`InvalidKind::MissingRequired`]).
    required: Vec<String>,
    /// Top-level required fields for which `""` is null: numbers, booleans, timestamps
    /// (for [`InvalidKind::EmptyRequired`]).
    required_nullable: Vec<String>,
    /// Top-level timestamp fields and values none of their formats accept.
    bad_times: Vec<(String, Vec<&'static str>)>,
}

impl TypeGen {
    fn new(schema: &Schema) -> Result<TypeGen, GenError> {
        let cx = Cx { schema };
        let root = cx.object(&schema.fields, 0, "")?;
        let required = schema
            .fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.name.clone())
            .collect();
        let required_nullable = schema
            .fields
            .iter()
            .filter(|f| f.required)
            .filter(|f| {
                cx.resolve(&f.value).is_some_and(|v| {
                    matches!(
                        v.ty,
                        FieldType::Int
                            | FieldType::Smallint
                            | FieldType::Bigint
                            | FieldType::Float
                            | FieldType::Boolean
                            | FieldType::Timestamp
                    )
                })
            })
            .map(|f| f.name.clone())
            .collect();
        let bad_times = schema
            .fields
            .iter()
            .filter_map(|f| {
                let v = cx.resolve(&f.value)?;
                if v.ty != FieldType::Timestamp {
                    return None;
                }
                let formats = time_formats(v);
                let bad: Vec<&'static str> = times::BAD_TIMES
                    .iter()
                    .copied()
                    .filter(|s| formats.iter().all(|f| f.parse_str(s).is_none()))
                    .collect();
                (!bad.is_empty()).then(|| (f.name.clone(), bad))
            })
            .collect();
        Ok(TypeGen {
            name: schema.schema.clone(),
            root,
            realism: realism::Realism::for_schema(schema),
            required,
            required_nullable,
            bad_times,
        })
    }
}

fn time_formats(v: &ValueSchema) -> Vec<TimeFormat> {
    v.time_format
        .iter()
        .chain(&v.time_formats)
        .filter_map(|s| TimeFormat::from_spec(s).ok())
        .collect()
}

/// Deeper than this, optional fields are left out and recursion through `ref`s stops.
const MAX_DEPTH: usize = 8;

struct Cx<'s> {
    schema: &'s Schema,
}

impl<'s> Cx<'s> {
    /// Follow `ref`s to the value schema they name.
    fn resolve(&self, mut v: &'s ValueSchema) -> Option<&'s ValueSchema> {
        for _ in 0..MAX_DEPTH {
            if v.ty != FieldType::Ref {
                return Some(v);
            }
            v = self.schema.definitions.get(v.target.as_deref()?)?;
        }
        None
    }

    fn object(&self, fields: &[Field], depth: usize, path: &str) -> Result<ObjGen, GenError> {
        let mut out = Vec::with_capacity(fields.len());
        for f in fields {
            let fpath = if path.is_empty() {
                f.name.clone()
            } else {
                format!("{path}.{}", f.name)
            };
            let value = match self.value(&f.value, &f.name, depth + 1, &fpath) {
                Ok(v) => v,
                Err(e) if !f.required => {
                    let _ = e;
                    VGen::Skip
                }
                Err(e) => return Err(e),
            };
            if matches!(value, VGen::Skip) && f.required {
                return Err(self.unsupported(&fpath, &f.value));
            }
            let mut key = Vec::with_capacity(f.name.len() + 3);
            write_json_str(&mut key, &f.name);
            key.push(b':');
            out.push(FieldGen {
                key: key.into_boxed_slice(),
                name: f.name.clone(),
                required: f.required,
                value,
            });
        }
        Ok(ObjGen { fields: out })
    }

    fn unsupported(&self, path: &str, v: &ValueSchema) -> GenError {
        GenError::UnsupportedTimeFormat {
            log_type: self.schema.schema.clone(),
            field: path.to_owned(),
            formats: v
                .time_format
                .iter()
                .chain(&v.time_formats)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" | "),
        }
    }

    fn value(
        &self,
        v: &ValueSchema,
        name: &str,
        depth: usize,
        path: &str,
    ) -> Result<VGen, GenError> {
        if depth > MAX_DEPTH {
            return Ok(VGen::Skip);
        }
        let Some(r) = self.resolve(v) else {
            return Ok(VGen::Skip);
        };
        let embedded = v.is_embedded_json || r.is_embedded_json;
        let mut indicators = r.indicators.clone();
        indicators.extend(v.indicators.iter().copied());
        let g = match r.ty {
            FieldType::String => string_gen(r, &indicators, name),
            FieldType::Int => VGen::Int {
                min: 0,
                max: if name_has(name, &["port"]) {
                    65_535
                } else {
                    100_000
                },
            },
            FieldType::Smallint => VGen::Int { min: 0, max: 999 },
            FieldType::Bigint => VGen::Int {
                min: 1_000_000_000,
                max: 999_999_999_999_999,
            },
            FieldType::Float => VGen::Float,
            FieldType::Boolean => VGen::Bool,
            FieldType::Json => VGen::Json,
            FieldType::Timestamp => {
                match TimeGen::for_formats(r.time_format.as_ref(), &r.time_formats) {
                    Some(t) => VGen::Time(t),
                    None => return Err(self.unsupported(path, r)),
                }
            }
            FieldType::Object => VGen::Object(self.object(&r.fields, depth, path)?),
            FieldType::Array => match r.element.as_deref() {
                Some(e) => {
                    let mut inner = self.value(e, name, depth + 1, path)?;
                    if let VGen::Str { kind, .. } = &mut inner {
                        if let Some(k) = indicators.first() {
                            *kind = StrKind::for_indicator(*k);
                        }
                    }
                    if matches!(inner, VGen::Skip) {
                        VGen::Skip
                    } else {
                        VGen::Array(Box::new(inner))
                    }
                }
                None => VGen::Skip,
            },
            FieldType::Ref => VGen::Skip,
        };
        Ok(if embedded && !matches!(g, VGen::Skip) {
            VGen::Embedded(Box::new(g))
        } else {
            g
        })
    }
}

fn name_has(name: &str, parts: &[&str]) -> bool {
    let lower = name.to_ascii_lowercase();
    parts.iter().any(|p| lower.contains(p))
}

fn string_gen(v: &ValueSchema, indicators: &[IndicatorKind], name: &str) -> VGen {
    let (allow, deny) = v
        .validate
        .as_ref()
        .map(|val| (val.allow.clone(), val.deny.clone()))
        .unwrap_or_default();
    if !allow.is_empty() {
        return VGen::Allow(allow);
    }
    let kind = if let Some(ip) = v.validate.as_ref().and_then(|val| val.ip) {
        StrKind::Ip(ip)
    } else if let Some(c) = v.validate.as_ref().and_then(|val| val.cidr) {
        StrKind::Cidr(c)
    } else if let Some(k) = indicators.first() {
        StrKind::for_indicator(*k)
    } else {
        StrKind::for_name(name)
    };
    VGen::Str { kind, deny }
}

/// A compiled value generator.
#[derive(Debug)]
enum VGen {
    Str {
        kind: StrKind,
        deny: Vec<String>,
    },
    Allow(Vec<String>),
    Int {
        min: i64,
        max: i64,
    },
    Float,
    Bool,
    Time(TimeGen),
    Object(ObjGen),
    Array(Box<VGen>),
    Json,
    /// `isEmbeddedJSON`: the inner value, written as a JSON string.
    Embedded(Box<VGen>),
    /// Not generated (recursion limit, a format the generator cannot write).
    Skip,
}

#[derive(Debug)]
struct ObjGen {
    fields: Vec<FieldGen>,
}

#[derive(Debug)]
struct FieldGen {
    /// `"name":`, escaped.
    key: Box<[u8]>,
    name: String,
    required: bool,
    value: VGen,
}

/// The shape of a generated string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StrKind {
    Ip(IpVersion),
    Cidr(IpVersion),
    Email,
    Domain,
    Url,
    NetAddr,
    Username,
    Hex(usize),
    Arn,
    AccountId,
    InstanceId,
    Tag,
    Uuid,
    Name,
    Sentence,
    UserAgent,
    Word,
}

impl StrKind {
    fn for_indicator(k: IndicatorKind) -> StrKind {
        match k {
            IndicatorKind::Ip => StrKind::Ip(IpVersion::Any),
            IndicatorKind::Domain => StrKind::Domain,
            IndicatorKind::Hostname => StrKind::Domain,
            IndicatorKind::Url => StrKind::Url,
            IndicatorKind::NetAddr => StrKind::NetAddr,
            IndicatorKind::Email => StrKind::Email,
            IndicatorKind::Username => StrKind::Username,
            IndicatorKind::TraceId => StrKind::Uuid,
            IndicatorKind::Md5 => StrKind::Hex(32),
            IndicatorKind::Sha1 => StrKind::Hex(40),
            IndicatorKind::Sha256 => StrKind::Hex(64),
            IndicatorKind::AwsArn | IndicatorKind::AwsArnOnly => StrKind::Arn,
            IndicatorKind::AwsAccountId => StrKind::AccountId,
            IndicatorKind::AwsInstanceId => StrKind::InstanceId,
            IndicatorKind::AwsTag => StrKind::Tag,
        }
    }

    fn for_name(name: &str) -> StrKind {
        let n = name.to_ascii_lowercase();
        let ends = |s: &str| n.ends_with(s);
        if n.contains("email") || n.contains("operator") {
            StrKind::Email
        } else if n == "ip" || ends("_ip") || n.contains("ip_address") || n.contains("ipaddress") {
            StrKind::Ip(IpVersion::Any)
        } else if n.contains("url") || n.contains("uri") || n.contains("link") {
            StrKind::Url
        } else if n.contains("host") || n.contains("domain") {
            StrKind::Domain
        } else if n.contains("agent") {
            StrKind::UserAgent
        } else if n.contains("user") || n.contains("login") || n.contains("actor") {
            StrKind::Username
        } else if n == "id" || ends("_id") || ends("id") || n.contains("uuid") {
            StrKind::Uuid
        } else if n.contains("name") || n.contains("label") {
            StrKind::Name
        } else if n.contains("desc")
            || n.contains("message")
            || n.contains("detail")
            || n.contains("reason")
            || n.contains("summary")
        {
            StrKind::Sentence
        } else {
            StrKind::Word
        }
    }

    fn write(self, rng: &mut State, out: &mut Vec<u8>) {
        match self {
            StrKind::Ip(v) => text::ip(rng, out, v),
            StrKind::Cidr(v) => {
                let start = out.len();
                text::ip(rng, out, v);
                let bits = if out[start..].contains(&b':') { 64 } else { 24 };
                let _ = write!(out, "/{bits}");
            }
            StrKind::Email => text::email(rng, out),
            StrKind::Domain => out.extend_from_slice(rng.pick(text::DOMAINS).as_bytes()),
            StrKind::Url => {
                out.extend_from_slice(b"https://");
                out.extend_from_slice(rng.pick(text::DOMAINS).as_bytes());
                out.push(b'/');
                out.extend_from_slice(rng.pick(text::WORDS).as_bytes());
                let _ = write!(out, "/{}", rng.below(100_000));
            }
            StrKind::NetAddr => {
                text::ip(rng, out, IpVersion::Ipv4);
                let _ = write!(out, ":{}", 1024 + rng.below(60_000));
            }
            StrKind::Username => text::username(rng, out),
            StrKind::Hex(n) => text::hex(rng, out, n),
            StrKind::Arn => {
                let _ = write!(
                    out,
                    "arn:aws:iam::{:012}:role/{}",
                    rng.below(1_000_000_000_000),
                    rng.pick(text::WORDS)
                );
            }
            StrKind::AccountId => {
                let _ = write!(out, "{:012}", rng.below(1_000_000_000_000));
            }
            StrKind::InstanceId => {
                out.extend_from_slice(b"i-");
                text::hex(rng, out, 17);
            }
            StrKind::Tag => {
                let _ = write!(out, "team:{}", rng.pick(text::WORDS));
            }
            StrKind::Uuid => text::uuid(rng, out),
            StrKind::Name => out.extend_from_slice(rng.pick(text::NAMES).as_bytes()),
            StrKind::Sentence => text::sentence(rng, out),
            StrKind::UserAgent => out.extend_from_slice(rng.pick(text::USER_AGENTS).as_bytes()),
            StrKind::Word => out.extend_from_slice(rng.pick(text::WORDS).as_bytes()),
        }
    }
}

/// What makes a record invalid, by top-level field name.
#[derive(Debug, Clone, Copy)]
enum Mutation<'a> {
    None,
    Omit(&'a str),
    /// The field is written as this string (a bad timestamp, or `""`).
    Text(&'a str, &'static str),
}

/// Writes the top-level fields of one record, applying its [`Mutation`].
struct Rec<'a, 'm> {
    out: &'a mut Vec<u8>,
    first: bool,
    mutation: Mutation<'m>,
}

impl Rec<'_, '_> {
    /// Start field `name` given as its escaped `"name":`. Returns whether the caller should
    /// write the value (false when the mutation left the field out or wrote a bad value).
    fn key_raw(&mut self, name: &str, key: &[u8]) -> bool {
        match self.mutation {
            Mutation::Omit(n) if n == name => return false,
            _ => {}
        }
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.extend_from_slice(key);
        match self.mutation {
            Mutation::Text(n, bad) if n == name => {
                write_json_str(self.out, bad);
                false
            }
            _ => true,
        }
    }

    /// Start field `name` (a plain ASCII key without characters to escape).
    fn key(&mut self, name: &str) -> bool {
        if let Mutation::None = self.mutation {
            if !self.first {
                self.out.push(b',');
            }
            self.first = false;
            self.out.push(b'"');
            self.out.extend_from_slice(name.as_bytes());
            self.out.extend_from_slice(b"\":");
            true
        } else {
            let mut key = Vec::with_capacity(name.len() + 3);
            write_json_str(&mut key, name);
            key.push(b':');
            self.key_raw(name, &key)
        }
    }

    fn str(&mut self, name: &str, value: &str) {
        if self.key(name) {
            write_json_str(self.out, value);
        }
    }

    fn int(&mut self, name: &str, value: u64) {
        if self.key(name) {
            let _ = write!(self.out, "{value}");
        }
    }

    fn null(&mut self, name: &str) {
        if self.key(name) {
            self.out.extend_from_slice(b"null");
        }
    }

    /// A string value built by `f` (written raw between quotes: `f` must only write text that
    /// needs no escaping).
    fn quoted(&mut self, name: &str, f: impl FnOnce(&mut Vec<u8>)) {
        if self.key(name) {
            self.out.push(b'"');
            f(self.out);
            self.out.push(b'"');
        }
    }
}

/// Write the fields of an object (without braces).
fn write_fields(rng: &mut State, rec: &mut Rec<'_, '_>, fields: &[FieldGen], depth: usize) {
    for f in fields {
        if matches!(f.value, VGen::Skip) {
            continue;
        }
        let targeted = matches!(rec.mutation, Mutation::Text(n, _) if n == f.name);
        if !f.required && !targeted {
            // Optional fields: sometimes missing, sometimes null, deeper ones more often.
            let r = rng.below(100);
            if r < 6 + depth * 10 {
                continue;
            }
            if r < 10 + depth * 10 {
                if rec.key_raw(&f.name, &f.key) {
                    rec.out.extend_from_slice(b"null");
                }
                continue;
            }
        }
        if rec.key_raw(&f.name, &f.key) {
            write_value(rng, rec.out, &f.value, depth);
        }
    }
}

fn write_value(rng: &mut State, out: &mut Vec<u8>, v: &VGen, depth: usize) {
    match v {
        VGen::Str { kind, deny } => {
            let start = out.len();
            kind.write(rng, out);
            if !deny.is_empty() && deny.iter().any(|d| d.as_bytes() == &out[start..]) {
                out.extend_from_slice(b"-1");
            }
            // Escape in place: only names and sentences can hold characters to escape.
            let raw = out.split_off(start);
            write_json_str(out, std::str::from_utf8(&raw).unwrap_or_default());
        }
        VGen::Allow(allowed) => write_json_str(out, rng.pick(allowed).as_str()),
        VGen::Int { min, max } => {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let span = (max - min) as u64 + 1;
            #[allow(clippy::cast_possible_wrap)]
            let i = min + rng.below_u64(span) as i64;
            let _ = write!(out, "{i}");
        }
        VGen::Float => {
            let _ = write!(out, "{}.{:02}", rng.below(10_000), rng.below(100));
        }
        VGen::Bool => out.extend_from_slice(if rng.chance(0.5) { b"true" } else { b"false" }),
        VGen::Time(t) => t.write(rng, out),
        VGen::Object(o) => {
            out.push(b'{');
            let mut rec = Rec {
                out,
                first: true,
                mutation: Mutation::None,
            };
            write_fields(rng, &mut rec, &o.fields, depth + 1);
            out.push(b'}');
        }
        VGen::Array(e) => {
            out.push(b'[');
            let n = 1 + rng.below(3);
            for i in 0..n {
                if i > 0 {
                    out.push(b',');
                }
                write_value(rng, out, e, depth + 1);
            }
            out.push(b']');
        }
        VGen::Json => {
            let _ = write!(
                out,
                "{{\"{}\":{},\"tags\":[\"{}\",\"{}\"]}}",
                rng.pick(text::WORDS),
                rng.below(1000),
                rng.pick(text::WORDS),
                rng.pick(text::WORDS)
            );
        }
        VGen::Embedded(inner) => {
            let mut tmp = Vec::new();
            write_value(rng, &mut tmp, inner, depth);
            write_json_str(out, &String::from_utf8_lossy(&tmp));
        }
        VGen::Skip => out.extend_from_slice(b"null"),
    }
}

mod rng {
    /// A small, fast, seeded PRNG (splitmix64). Not for cryptography.
    #[derive(Debug, Clone)]
    pub struct Rng(u64);

    impl Rng {
        /// A generator from a seed.
        #[must_use]
        pub fn new(seed: u64) -> Rng {
            Rng(seed ^ 0x5DEE_CE66_D1A4_F87B)
        }

        /// The next 64 random bits.
        pub fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        /// Uniform in `0..n` (`n > 0`; 0 gives 0).
        pub fn below_u64(&mut self, n: u64) -> u64 {
            // Lemire's multiply-shift; the bias is below 2^-32 for the ranges used here.
            #[allow(clippy::cast_possible_truncation)]
            let r = ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64;
            r
        }

        /// Uniform in `0..n` (`n > 0`; 0 gives 0).
        pub fn below(&mut self, n: usize) -> usize {
            #[allow(clippy::cast_possible_truncation)]
            let r = self.below_u64(n as u64) as usize;
            r
        }

        /// True with probability `p`.
        pub fn chance(&mut self, p: f64) -> bool {
            #[allow(clippy::cast_precision_loss)]
            let x = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            x < p
        }

        /// A uniformly chosen element (`items` must not be empty).
        pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
            &items[self.below(items.len())]
        }

        /// A uniformly chosen element, copied (`items` must not be empty).
        pub fn choose<T: Copy>(&mut self, items: &[T]) -> T {
            items[self.below(items.len())]
        }
    }
}

#[cfg(test)]
mod tests;
