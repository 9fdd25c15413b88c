//! The record writer: runs a plan's value generators into NDJSON text, and applies the
//! deliberate mutations that make a record invalid ([`Mutation`], [`truncate`]).

use std::io::Write;

use super::plan::{FieldGen, VGen};
use super::{text, write_json_str, State};

/// Cut a record at a character boundary strictly inside it: a proper prefix of a JSON object
/// is never valid JSON.
pub(super) fn truncate(rng: &mut State, out: &mut Vec<u8>, start: usize) {
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

/// What makes a record invalid, by top-level field name.
#[derive(Debug, Clone, Copy)]
pub(super) enum Mutation<'a> {
    None,
    Omit(&'a str),
    /// The field is written as this string (a bad timestamp, or `""`).
    Text(&'a str, &'static str),
}

/// Writes the top-level fields of one record, applying its [`Mutation`].
pub(super) struct Rec<'a, 'm> {
    pub(super) out: &'a mut Vec<u8>,
    pub(super) first: bool,
    pub(super) mutation: Mutation<'m>,
}

impl Rec<'_, '_> {
    /// Start field `name` given as its escaped `"name":`. Returns whether the caller should
    /// write the value (false when the mutation left the field out or wrote a bad value).
    pub(super) fn key_raw(&mut self, name: &str, key: &[u8]) -> bool {
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
    pub(super) fn key(&mut self, name: &str) -> bool {
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

    pub(super) fn str(&mut self, name: &str, value: &str) {
        if self.key(name) {
            write_json_str(self.out, value);
        }
    }

    pub(super) fn int(&mut self, name: &str, value: u64) {
        if self.key(name) {
            let _ = write!(self.out, "{value}");
        }
    }

    pub(super) fn null(&mut self, name: &str) {
        if self.key(name) {
            self.out.extend_from_slice(b"null");
        }
    }

    /// A string value built by `f` (written raw between quotes: `f` must only write text that
    /// needs no escaping).
    pub(super) fn quoted(&mut self, name: &str, f: impl FnOnce(&mut Vec<u8>)) {
        if self.key(name) {
            self.out.push(b'"');
            f(self.out);
            self.out.push(b'"');
        }
    }
}

/// Write the fields of an object (without braces).
pub(super) fn write_fields(
    rng: &mut State,
    rec: &mut Rec<'_, '_>,
    fields: &[FieldGen],
    depth: usize,
) {
    for f in fields {
        if matches!(f.value, VGen::Skip) {
            continue;
        }
        let targeted = matches!(rec.mutation, Mutation::Text(n, _) if n == f.name);
        if !f.required && !f.event_time && !targeted {
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

pub(super) fn write_value(rng: &mut State, out: &mut Vec<u8>, v: &VGen, depth: usize) {
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
