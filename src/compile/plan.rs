//! The compiled plan: everything about a schema the hot path needs, computed once.

use std::sync::Arc;

use crate::indicators::{Column, IndicatorKind};
use crate::schema::{FieldType, IpVersion, Schema, SchemaError};
use crate::time::TimeFormat;
use crate::words::{read4, read8};

/// A compiled log schema, ready to normalize records. Cheap to share: wrap it in an `Arc` and
/// give each thread its own [`Normalizer`](crate::Normalizer).
pub struct Plan {
    pub(crate) log_type: Arc<str>,
    /// `"p_log_type":"<log type>","p_row_id":"`, JSON-escaped: the start of the standard
    /// fields in the NDJSON writer, the same for every event of the type.
    pub(crate) json_head: Box<[u8]>,
    pub(crate) schema_version: i64,
    pub(crate) root: ObjectPlan,
    /// The `p_any_*` columns this schema can fill, in output order.
    pub(crate) columns: Vec<Column>,
    pub(crate) schema: Arc<Schema>,
    /// How a line of text becomes a record, for `parser: regex` and `fastmatch`.
    pub(crate) text: Option<super::text::TextPlan>,
    /// See [`Plan::warnings`].
    pub(crate) warnings: Box<[SchemaError]>,
}

/// The log type and version only: the compiled plan is thousands of lines of internals
/// (review finding: an embedder's `#[derive(Debug)]` config logged 7 KB per plan).
impl std::fmt::Debug for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plan")
            .field("log_type", &self.log_type)
            .field("schema_version", &self.schema_version)
            .finish_non_exhaustive()
    }
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

    /// Whether records of this type are lines of text (`parser: csv`, `regex` or `fastmatch`)
    /// rather than JSON objects.
    #[must_use]
    pub fn is_text(&self) -> bool {
        self.text.is_some()
    }

    /// The `p_any_*` columns records of this type can have, in output order.
    #[must_use]
    pub fn indicator_columns(&self) -> &[Column] {
        &self.columns
    }

    /// The warnings of the schema ([`validate::warnings`](crate::schema::validate::warnings)):
    /// parts that load but cannot work as written, in file order. The library does not show
    /// them; the `normalog` command prints them when it loads the schema.
    #[must_use]
    pub fn warnings(&self) -> &[SchemaError] {
        &self.warnings
    }
}

/// The fields of an object and how to find them by key.
#[derive(Debug)]
pub(crate) struct ObjectPlan {
    pub(crate) fields: Vec<FieldPlan>,
    pub(crate) index: KeyIndex,
    /// See [`ObjectPlan::required_mask`].
    pub(crate) required: Option<u64>,
    /// The fields whose values the post-decode walk visits (`needs_walk`), in schema order.
    pub(crate) walk: Box<[usize]>,
    /// The required fields, in schema order (checked after decoding).
    pub(crate) required_fields: Box<[usize]>,
}

impl ObjectPlan {
    pub(crate) fn new(fields: Vec<FieldPlan>) -> ObjectPlan {
        let index = KeyIndex::new(fields.iter().map(|f| &f.name));
        let required = (fields.len() <= 64).then(|| {
            fields
                .iter()
                .enumerate()
                .filter(|(_, f)| f.required)
                .fold(0u64, |m, (i, _)| m | (1 << i))
        });
        let walk = (0..fields.len())
            .filter(|&i| fields[i].value.needs_walk)
            .collect();
        let required_fields = (0..fields.len()).filter(|&i| fields[i].required).collect();
        ObjectPlan {
            fields,
            index,
            required,
            walk,
            required_fields,
        }
    }

    /// The field index for a JSON key, if the schema has it.
    #[allow(clippy::inline_always)] // measured: not inlined otherwise, ~20 instructions a key
    #[inline(always)]
    pub(crate) fn find(&self, key: &str) -> Option<usize> {
        self.index.find(key)
    }

    /// Bit `i` set when field `i` is required (only for objects of at most 64 fields).
    #[inline]
    pub(crate) fn required_mask(&self) -> Option<u64> {
        self.required
    }
}

/// Key lookup: an open-addressing table of name indices, sized to at least twice the
/// number of names. A slot keeps the name's length and its first and last eight bytes, so
/// for names up to 16 bytes a lookup is one hash of the key and one comparison of two
/// words, without touching the names. Built once, at compile time.
#[derive(Debug)]
pub(crate) struct KeyIndex {
    slots: Box<[Slot]>,
    mask: usize,
    names: Box<[Arc<str>]>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    head: u64,
    tail: u64,
    len: u32,
    /// `name index + 1`, 0 for an empty slot.
    name: u32,
}

impl KeyIndex {
    /// An index of `names`; [`KeyIndex::find`] gives a name's position in this order.
    /// A repeated name keeps its first position.
    pub(crate) fn new<'n>(names: impl IntoIterator<Item = &'n Arc<str>>) -> KeyIndex {
        let names: Box<[Arc<str>]> = names.into_iter().cloned().collect();
        let size = (names.len() * 2).next_power_of_two().max(8);
        let mut index = KeyIndex {
            slots: vec![Slot::default(); size].into_boxed_slice(),
            mask: size - 1,
            names: Box::new([]),
        };
        for (i, name) in names.iter().enumerate() {
            if index.find_in(name, &names).is_some() {
                continue;
            }
            let (head, tail, h) = key_words(name.as_bytes());
            let mut at = h & index.mask;
            while index.slots[at].name != 0 {
                at = (at + 1) & index.mask;
            }
            #[allow(clippy::cast_possible_truncation)] // names and schemas are far smaller
            let slot = Slot {
                head,
                tail,
                len: name.len() as u32,
                name: i as u32 + 1,
            };
            index.slots[at] = slot;
        }
        index.names = names;
        index
    }

    /// The position of `key` among the indexed names.
    #[allow(clippy::inline_always)] // measured: not inlined otherwise, ~20 instructions a key
    #[inline(always)]
    pub(crate) fn find(&self, key: &str) -> Option<usize> {
        self.find_in(key, &self.names)
    }

    #[allow(clippy::inline_always)]
    #[inline(always)]
    fn find_in(&self, key: &str, names: &[Arc<str>]) -> Option<usize> {
        let b = key.as_bytes();
        let (head, tail, h) = key_words(b);
        let mut at = h & self.mask;
        loop {
            let slot = &self.slots[at];
            if slot.name == 0 {
                return None;
            }
            if slot.head == head && slot.tail == tail && slot.len as usize == b.len() {
                let i = slot.name as usize - 1;
                // Names up to 16 bytes are fully covered by head and tail.
                if b.len() <= 16 || names[i].as_bytes() == b {
                    return Some(i);
                }
            }
            at = (at + 1) & self.mask;
        }
    }
}

/// Two words that, with the length, identify a key of up to 16 bytes (its first and last
/// eight bytes; shorter keys are packed whole), and a hash of them and the length.
#[inline]
fn key_words(b: &[u8]) -> (u64, u64, usize) {
    let n = b.len();
    let (head, tail) = if n >= 8 {
        (read8(b, 0), read8(b, n - 8))
    } else if n >= 4 {
        (
            u64::from(read4(b, 0)) | (u64::from(read4(b, n - 4)) << 32),
            0,
        )
    } else if n > 0 {
        (
            u64::from(b[0]) | (u64::from(b[n / 2]) << 8) | (u64::from(b[n - 1]) << 16),
            0,
        )
    } else {
        (0, 0)
    };
    let h = (head ^ tail.rotate_left(29) ^ (n as u64)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    #[allow(clippy::cast_possible_truncation)]
    let h = (h >> 32) as usize;
    (head, tail, h)
}

/// One field of an object.
#[derive(Debug)]
pub(crate) struct FieldPlan {
    pub(crate) name: Arc<str>,
    /// For the NDJSON writer.
    pub(crate) json_key: crate::json::JsonKey,
    pub(crate) required: bool,
    pub(crate) value: ValuePlan,
}

/// How to decode one value.
#[derive(Debug)]
#[allow(clippy::struct_excessive_bools)] // independent facts, each read on the hot path
pub(crate) struct ValuePlan {
    pub(crate) decoder: Decoder,
    pub(crate) indicators: Box<[IndicatorKind]>,
    pub(crate) event_time: bool,
    pub(crate) embedded_json: bool,
    pub(crate) validate: Option<Box<ValidatePlan>>,
    /// True when this value or anything below it has indicators or an event time, so the
    /// post-decode walk can skip subtrees that have neither.
    pub(crate) needs_walk: bool,
    /// The common case of this value, decoded straight in the object loop.
    pub(crate) fast: Fast,
}

/// The common shapes of a value that the object loop decodes itself, without the general
/// path (null checks, embedded JSON, the decoder dispatch, `validate`); anything else, and
/// every error, goes the general way. Measured: fields of these kinds are most fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fast {
    /// A `string` without `isEmbeddedJSON` or `validate`: a JSON string is taken as it is.
    String,
    /// An integer type without `isEmbeddedJSON`: a JSON integer in range is taken as it is.
    Int { min: i64, max: i64 },
    /// A `timestamp` without `isEmbeddedJSON`: a non-empty JSON string one of the formats
    /// reads is taken.
    Time,
    /// A `boolean` without `isEmbeddedJSON`: a JSON boolean, or a string Go's
    /// `strconv.ParseBool` reads (`""` is empty), is taken.
    Bool,
    /// A `string` with `validate` and without `isEmbeddedJSON`: a JSON string that passes
    /// the checks is taken as it is.
    Checked,
    /// No fast case.
    No,
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
        /// The formats as written, for messages (a list: a format may hold `" | "`, which
        /// messages join them with).
        spec: Arc<[Box<str>]>,
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

/// The values of `allow` as a refusal names them: JSON-quoted, each cut at 64 characters,
/// the first eight and how many there are in all (a list of hundreds, or long values,
/// would drown the reason, which every candidate's refusal repeats).
fn listed(values: &[String]) -> Arc<str> {
    const LISTED: usize = 8;
    const CUT: usize = 64;
    let quote = |v: &String| {
        let cut: String = v.chars().take(CUT).collect();
        let ellipsis = if cut.len() < v.len() { "…" } else { "" };
        format!("{}{ellipsis}", serde_json::Value::String(cut))
    };
    let mut parts: Vec<String> = values.iter().take(LISTED).map(quote).collect();
    if values.len() > LISTED {
        parts.push(format!("… {} in all", values.len()));
    }
    parts.join(", ").into()
}

/// `validate:` of a string, compiled.
#[derive(Debug)]
pub(crate) struct ValidatePlan {
    /// `allow` (when not empty) and `deny`, looked up as keys are (a value up to 16 bytes
    /// is one hash and one comparison of two words, not a comparison with each entry).
    allow: Option<KeyIndex>,
    /// The `allow` values as a refusal lists them.
    allowed: Option<Arc<str>>,
    deny: KeyIndex,
    pub(crate) ip: Option<IpVersion>,
    pub(crate) cidr: Option<IpVersion>,
}

impl ValidatePlan {
    /// The checks of `validate`: the values `allow`ed (none: any), those `deny`ed, the IP
    /// and CIDR checks.
    pub(crate) fn new(
        allow: &[String],
        deny: &[String],
        ip: Option<IpVersion>,
        cidr: Option<IpVersion>,
    ) -> ValidatePlan {
        let index = |values: &[String]| {
            let values: Vec<Arc<str>> = values.iter().map(|v| v.as_str().into()).collect();
            KeyIndex::new(&values)
        };
        ValidatePlan {
            allow: (!allow.is_empty()).then(|| index(allow)),
            allowed: (!allow.is_empty()).then(|| listed(allow)),
            deny: index(deny),
            ip,
            cidr,
        }
    }

    /// `Ok` when `s` passes; the error names the failing check.
    pub(crate) fn check(&self, s: &str) -> Result<(), crate::error::ValueProblem> {
        use crate::error::ValueProblem;
        if let Some(allow) = &self.allow {
            if allow.find(s).is_none() {
                return Err(ValueProblem::NotAllowed {
                    allowed: self.allowed.clone(),
                });
            }
        } else if self.deny.find(s).is_some() {
            return Err(ValueProblem::NotAllowed { allowed: None });
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

#[cfg(test)]
mod tests {
    use super::ValidatePlan;
    use crate::error::ValueProblem;
    use crate::testing::xorshift;

    /// A refusal names the values `allow` takes, the first eight of a long list.
    #[test]
    fn not_allowed_names_the_allowed_values() {
        let few: Vec<String> = ["info", "warn"].map(String::from).to_vec();
        let many: Vec<String> = (0..20).map(|i| format!("v{i}")).collect();
        let refusal = |allow: &[String]| {
            ValidatePlan::new(allow, &[], None, None)
                .check("x")
                .expect_err("x is not allowed")
                .to_string()
        };
        assert_eq!(
            refusal(&few),
            r#"value is not one of validate.allow ("info", "warn")"#
        );
        let long = vec!["x".repeat(100), "tab\there".into()];
        assert_eq!(
            refusal(&long),
            format!(
                r#"value is not one of validate.allow ("{}"…, "tab\there")"#,
                "x".repeat(64)
            )
        );
        assert_eq!(
            refusal(&many),
            r#"value is not one of validate.allow ("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", … 20 in all)"#
        );
    }

    /// `allow` and `deny` through the key index decide as a comparison with each entry, on
    /// random values near the entries: of every length around the index's 4, 8 and 16
    /// bytes, prefixes and extensions of each other, repeated entries, the empty string.
    #[test]
    fn allow_and_deny_decide_as_a_scan_of_the_entries() {
        let pieces = ["a", "ab", "-", "é", "\0", "session", "x", "0123456789"];
        let mut rnd = xorshift(0xa110);
        let value = |rnd: &mut dyn FnMut(usize) -> usize| {
            let mut v = String::new();
            for _ in 0..rnd(5) {
                v.push_str(pieces[rnd(pieces.len())]);
            }
            v
        };
        let (mut allowed, mut denied) = (0, 0);
        for _ in 0..300 {
            let entries: Vec<String> = (0..rnd(7)).map(|_| value(&mut rnd)).collect();
            let allow = ValidatePlan::new(&entries, &[], None, None);
            let deny = ValidatePlan::new(&[], &entries, None, None);
            for _ in 0..100 {
                let v = if rnd(3) == 0 && !entries.is_empty() {
                    entries[rnd(entries.len())].clone()
                } else {
                    value(&mut rnd)
                };
                let listed = entries.contains(&v);
                let want_allow = entries.is_empty() || listed;
                assert_eq!(allow.check(&v).is_ok(), want_allow, "{v:?} in {entries:?}");
                assert_eq!(deny.check(&v).is_ok(), !listed, "{v:?} in {entries:?}");
                if let Err(p) = allow.check(&v) {
                    assert!(matches!(p, ValueProblem::NotAllowed { allowed: Some(_) }));
                }
                allowed += usize::from(want_allow);
                denied += usize::from(listed);
            }
        }
        // Both answers come up often enough to be compared.
        assert!(
            allowed > 5_000 && denied > 5_000,
            "{allowed} allowed, {denied} denied"
        );
    }
}
