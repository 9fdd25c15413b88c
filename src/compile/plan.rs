//! The compiled plan: everything about a schema the hot path needs, computed once.

use std::collections::HashMap;
use std::sync::Arc;

use crate::indicators::{Column, IndicatorKind};
use crate::schema::{FieldType, IpVersion, Schema};
use crate::time::TimeFormat;

/// A compiled log schema, ready to normalize records. Cheap to share: wrap it in an `Arc` and
/// give each thread its own [`Normalizer`](crate::Normalizer).
#[derive(Debug)]
pub struct Plan {
    pub(crate) log_type: Arc<str>,
    pub(crate) schema_version: i64,
    pub(crate) root: ObjectPlan,
    /// The `p_any_*` columns this schema can fill, in output order.
    pub(crate) columns: Vec<Column>,
    pub(crate) schema: Arc<Schema>,
}

impl Plan {
    /// The log type, e.g. `Zendesk.Audit`.
    #[must_use]
    pub fn log_type(&self) -> &str {
        &self.log_type
    }

    /// The schema this plan was compiled from.
    #[must_use]
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The `p_any_*` columns records of this type can have, in output order.
    #[must_use]
    pub fn indicator_columns(&self) -> &[Column] {
        &self.columns
    }
}

/// The fields of an object and how to find them by key.
#[derive(Debug)]
pub(crate) struct ObjectPlan {
    pub(crate) fields: Vec<FieldPlan>,
    pub(crate) index: KeyIndex,
}

impl ObjectPlan {
    /// The field index for a JSON key, if the schema has it.
    #[inline]
    pub(crate) fn find(&self, key: &str) -> Option<usize> {
        match &self.index {
            KeyIndex::Linear => self.fields.iter().position(|f| &*f.name == key),
            KeyIndex::Hash(map) => map.get(key).copied(),
        }
    }
}

/// Small objects are searched linearly (faster than hashing for a handful of keys).
#[derive(Debug)]
pub(crate) enum KeyIndex {
    Linear,
    Hash(HashMap<Box<str>, usize>),
}

/// One field of an object.
#[derive(Debug)]
pub(crate) struct FieldPlan {
    pub(crate) name: Arc<str>,
    /// `"name":` already JSON-escaped, for the NDJSON writer.
    pub(crate) json_key: Box<[u8]>,
    pub(crate) required: bool,
    pub(crate) value: ValuePlan,
}

/// How to decode one value.
#[derive(Debug)]
pub(crate) struct ValuePlan {
    pub(crate) decoder: Decoder,
    pub(crate) indicators: Box<[IndicatorKind]>,
    pub(crate) event_time: bool,
    pub(crate) embedded_json: bool,
    pub(crate) validate: Option<Box<ValidatePlan>>,
    /// True when this value or anything below it has indicators or an event time, so the
    /// post-decode walk can skip subtrees that have neither.
    pub(crate) needs_walk: bool,
}

#[derive(Debug)]
pub(crate) enum Decoder {
    String,
    Int16,
    Int32,
    Int64,
    Float,
    Bool,
    Timestamp {
        formats: Box<[TimeFormat]>,
        /// The formats as written, for messages.
        spec: Arc<str>,
    },
    Object(ObjectPlan),
    Array(Box<ValuePlan>),
    Json,
}

impl Decoder {
    pub(crate) fn field_type(&self) -> FieldType {
        match self {
            Decoder::String => FieldType::String,
            Decoder::Int16 => FieldType::Smallint,
            Decoder::Int32 => FieldType::Int,
            Decoder::Int64 => FieldType::Bigint,
            Decoder::Float => FieldType::Float,
            Decoder::Bool => FieldType::Boolean,
            Decoder::Timestamp { .. } => FieldType::Timestamp,
            Decoder::Object(_) => FieldType::Object,
            Decoder::Array(_) => FieldType::Array,
            Decoder::Json => FieldType::Json,
        }
    }
}

/// `validate:` of a string, compiled.
#[derive(Debug)]
pub(crate) struct ValidatePlan {
    pub(crate) allow: Vec<Box<str>>,
    pub(crate) deny: Vec<Box<str>>,
    pub(crate) ip: Option<IpVersion>,
    pub(crate) cidr: Option<IpVersion>,
}

impl ValidatePlan {
    /// `Ok` when `s` passes; the error names the failing check.
    pub(crate) fn check(&self, s: &str) -> Result<(), crate::error::ValueProblem> {
        use crate::error::ValueProblem;
        if !self.allow.is_empty() {
            if !self.allow.iter().any(|a| &**a == s) {
                return Err(ValueProblem::NotAllowed);
            }
        } else if self.deny.iter().any(|d| &**d == s) {
            return Err(ValueProblem::NotAllowed);
        }
        if let Some(v) = self.ip {
            if !ip_matches(s, v) {
                return Err(ValueProblem::NotIp {
                    what: match v {
                        IpVersion::Ipv4 => "IPv4 address",
                        IpVersion::Ipv6 => "IPv6 address",
                        IpVersion::Any => "IP address",
                    },
                });
            }
        }
        if let Some(v) = self.cidr {
            let ok = s.split_once('/').is_some_and(|(addr, bits)| {
                let max = if addr.contains(':') { 128 } else { 32 };
                ip_matches(addr, v)
                    && !bits.is_empty()
                    && bits.bytes().all(|b| b.is_ascii_digit())
                    && bits.len() <= 3
                    && bits.parse::<u32>().is_ok_and(|n| n <= max)
            });
            if !ok {
                return Err(ValueProblem::NotIp {
                    what: match v {
                        IpVersion::Ipv4 => "IPv4 CIDR block",
                        IpVersion::Ipv6 => "IPv6 CIDR block",
                        IpVersion::Any => "CIDR block",
                    },
                });
            }
        }
        Ok(())
    }
}

fn ip_matches(s: &str, v: IpVersion) -> bool {
    match s.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => matches!(v, IpVersion::Ipv4 | IpVersion::Any),
        Ok(std::net::IpAddr::V6(_)) => matches!(v, IpVersion::Ipv6 | IpVersion::Any),
        Err(_) => false,
    }
}
