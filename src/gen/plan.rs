//! The generator's plan: a log type's schema compiled once, at construction, into value
//! generators ([`TypeGen`], [`VGen`]) that the record writer runs for every record.

use super::realism;
use super::strings::StrKind;
use super::times::{self, TimeGen, TimeRange, Unwritable};
use super::{write_json_str, GenError};
use crate::indicators::IndicatorKind;
use crate::schema::{Field, FieldType, Schema, ValueSchema};
use crate::time::TimeFormat;

/// One log type's compiled generator.
#[derive(Debug)]
pub(super) struct TypeGen {
    pub(super) name: String,
    pub(super) root: ObjGen,
    pub(super) realism: Option<realism::Realism>,
    /// Top-level required fields (for [`InvalidKind::MissingRequired`](super::InvalidKind::MissingRequired)).
    pub(super) required: Vec<String>,
    /// Top-level required fields for which `""` is null: numbers, booleans, timestamps
    /// (for [`InvalidKind::EmptyRequired`](super::InvalidKind::EmptyRequired)).
    pub(super) required_nullable: Vec<String>,
    /// Top-level timestamp fields and values none of their formats accept.
    pub(super) bad_times: Vec<(String, Vec<&'static str>)>,
    /// For a text log type: its lines (the fields are written into them, not as JSON).
    pub(super) line: Option<super::textgen::TextGen>,
}

impl TypeGen {
    /// The plan of `schema`, for records whose times are within `times`.
    pub(super) fn new(schema: &Schema, times: TimeRange) -> Result<TypeGen, GenError> {
        let planner = Planner { schema, times };
        let root = planner.object(&schema.fields, 0, "")?;
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
                planner.resolve(&f.value).is_some_and(|v| {
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
                let v = planner.resolve(&f.value)?;
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
            line: None,
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

/// Deeper than this, optional fields are left out. Required ones are written down to the
/// language's own limit ([`DEEPEST`]): a schema with a required field 9 objects deep was
/// refused, as if the field were a timestamp of no known format (review s44-h6 MEDIUM-3).
const MAX_DEPTH: usize = 8;
/// The deepest nesting a schema may have ([`crate::schema::validate::MAX_DEPTH`]); also the
/// longest chain of `ref`s followed.
const DEEPEST: usize = crate::schema::validate::MAX_DEPTH;

/// Compiles one schema's fields into value generators, resolving `ref`s against its
/// definitions.
struct Planner<'s> {
    schema: &'s Schema,
    /// The run's record times, which every timestamp value must hold.
    times: TimeRange,
}

impl<'s> Planner<'s> {
    /// Follow `ref`s to the value schema they name.
    fn resolve(&self, mut v: &'s ValueSchema) -> Option<&'s ValueSchema> {
        for _ in 0..DEEPEST {
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
                Ok(_) if depth + 1 > MAX_DEPTH && !f.required => VGen::Skip,
                Ok(v) => v,
                // An optional event time is written all the same (every record has its
                // event time): a format that cannot hold the run's times is refused.
                Err(e @ GenError::TimeFormatRange { .. })
                    if self.holds_event_time(&f.value, depth + 1) =>
                {
                    return Err(e)
                }
                Err(_) if !f.required => VGen::Skip,
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
                event_time: self.holds_event_time(&f.value, depth + 1),
                value,
            });
        }
        Ok(ObjGen { fields: out })
    }

    /// Whether `v` is an `isEventTime` timestamp or holds one (in an object's fields, an
    /// array's element, a `ref`'s definition).
    fn holds_event_time(&self, v: &ValueSchema, depth: usize) -> bool {
        if depth > DEEPEST {
            return false;
        }
        let Some(r) = self.resolve(v) else {
            return false;
        };
        v.is_event_time
            || r.is_event_time
            || r.fields
                .iter()
                .any(|f| self.holds_event_time(&f.value, depth + 1))
            || r.element
                .as_deref()
                .is_some_and(|e| self.holds_event_time(e, depth + 1))
    }

    fn unsupported(&self, path: &str, v: &ValueSchema) -> GenError {
        GenError::UnsupportedTimeFormat {
            log_type: self.schema.schema.clone(),
            field: path.to_owned(),
            formats: formats_text(v),
        }
    }

    fn value(
        &self,
        v: &ValueSchema,
        name: &str,
        depth: usize,
        path: &str,
    ) -> Result<VGen, GenError> {
        if depth > DEEPEST {
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
                match TimeGen::for_formats(r.time_format.as_ref(), &r.time_formats, self.times) {
                    Ok(t) => VGen::Time(t),
                    Err(Unwritable::NoFormat) => return Err(self.unsupported(path, r)),
                    Err(Unwritable::OutOfRange) => {
                        return Err(GenError::TimeFormatRange {
                            log_type: self.schema.schema.clone(),
                            field: path.to_owned(),
                            formats: formats_text(r),
                            first: self.times.first,
                            last: self.times.last,
                        })
                    }
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

/// A field's time formats as written, for messages.
fn formats_text(v: &ValueSchema) -> String {
    v.time_format
        .iter()
        .chain(&v.time_formats)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" | ")
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
pub(super) enum VGen {
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

impl VGen {
    /// Whether a text value of `""` passes this value's checks: null for the types that are
    /// not strings; for a string, kept, so refused by an `allow` without `""`, a `deny` with
    /// it, or an `ip`/`cidr` check.
    pub(super) fn takes_empty_text(&self) -> bool {
        match self {
            VGen::Allow(allow) => allow.iter().any(String::is_empty),
            VGen::Str { kind, deny } => {
                !deny.iter().any(String::is_empty)
                    && !matches!(kind, StrKind::Ip(_) | StrKind::Cidr(_))
            }
            _ => true,
        }
    }
}

#[derive(Debug)]
pub(super) struct ObjGen {
    pub(super) fields: Vec<FieldGen>,
}

#[derive(Debug)]
pub(super) struct FieldGen {
    /// `"name":`, escaped.
    pub(super) key: Box<[u8]>,
    pub(super) name: String,
    pub(super) required: bool,
    /// An `isEventTime` field, or one that holds one: written in every record, optional or
    /// not, so that `p_event_time` is a generated time (within `--span` from `--start`), not
    /// the time of the run.
    pub(super) event_time: bool,
    pub(super) value: VGen,
}
