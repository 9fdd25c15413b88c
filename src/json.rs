//! JSON text out: the string escaper, scalar writers, pre-escaped keys.
//!
//! The pieces every JSON writer in the crate shares: [`write_json_str`] (a SWAR escaper that
//! writes the bytes `serde_json` writes), the scalar writers, [`JsonKey`] (a field's
//! `,"name":` escaped once when a plan is compiled) and [`json_head`] (a log type's constant
//! standard fields), plus compact JSON for a simd-json tape subtree. The NDJSON sink
//! ([`crate::sink::ndjson`]) writes events with them; `compile` precomputes keys with them;
//! `parse` writes `json` values and quotes values in reject messages with them. A leaf: it
//! imports only the standard field names.

use std::fmt::Write as _;
use std::io::Write as _;

use simd_json::{Node, StaticNode};

use crate::names::{P_LOG_TYPE, P_ROW_ID};

/// `,"name":` of a field, JSON-escaped, ready to copy.
#[derive(Debug)]
pub(crate) enum JsonKey {
    /// Padded to a fixed size: the copy is then a few moves and a cut, where a copy of any
    /// length is a call to memcpy.
    Short {
        bytes: [u8; 32],
        len: u8,
    },
    Long(Box<[u8]>),
}

impl JsonKey {
    pub(crate) fn new(name: &str) -> JsonKey {
        let mut key = vec![b','];
        write_json_str(&mut key, name);
        key.push(b':');
        let mut bytes = [0u8; 32];
        match (bytes.get_mut(..key.len()), u8::try_from(key.len())) {
            (Some(dst), Ok(len)) => {
                dst.copy_from_slice(&key);
                JsonKey::Short { bytes, len }
            }
            _ => JsonKey::Long(key.into_boxed_slice()),
        }
    }

    #[inline]
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        match self {
            JsonKey::Short { bytes, len } => {
                let end = out.len() + usize::from(*len);
                out.extend_from_slice(bytes);
                out.truncate(end);
            }
            JsonKey::Long(bytes) => out.extend_from_slice(bytes),
        }
    }
}

/// `Plan::json_head` of a log type: `"p_log_type":"<log type>","p_row_id":"`.
pub(crate) fn json_head(log_type: &str) -> Box<[u8]> {
    let mut out = Vec::new();
    out.push(b'"');
    out.extend_from_slice(P_LOG_TYPE.as_bytes());
    out.extend_from_slice(b"\":");
    write_json_str(&mut out, log_type);
    out.extend_from_slice(b",\"");
    out.extend_from_slice(P_ROW_ID.as_bytes());
    out.extend_from_slice(b"\":\"");
    out.into_boxed_slice()
}

/// `key` and the string `s`: [`JsonKey::write`] and [`write_json_str`] into one block, for
/// a short key and a short string that needs no escaping (one capacity check and no call,
/// measured with `quote_short` always inline: 7,628 -> 7,582
/// instructions per event).
#[inline]
pub(crate) fn write_key_str(out: &mut Vec<u8>, key: &JsonKey, s: &str) {
    let bytes = s.as_bytes();
    if let (JsonKey::Short { bytes: name, len }, true) = (key, bytes.len() <= SHORT) {
        let start = out.len();
        let k = usize::from(*len);
        out.extend_from_slice(&[b' '; 32 + SHORT + 8]);
        let block = &mut out[start..];
        block[..32].copy_from_slice(name);
        if let Ok(value) = <&mut [u8; SHORT + 8]>::try_from(&mut block[k..k + SHORT + 8]) {
            if quote_short(bytes, value) {
                out.truncate(start + k + bytes.len() + 2);
                return;
            }
        }
        out.truncate(start + k);
        write_json_str_runs(out, bytes);
        return;
    }
    key.write(out);
    if bytes.len() > SHORT {
        // What `write_json_str` does with it, without the call.
        write_json_str_runs(out, bytes);
    } else {
        write_json_str(out, s);
    }
}

pub(crate) fn write_i64(out: &mut Vec<u8>, i: i64) {
    // One digit (every event's schema version, mostly 0) without itoa and its memcpy
    // (measured: 37 instructions per event).
    if let Some(d) = u8::try_from(i).ok().filter(|&d| d < 10) {
        out.push(b'0' + d);
        return;
    }
    out.extend_from_slice(itoa::Buffer::new().format(i).as_bytes());
}

/// Floats: integral values print without a fraction (`3`), others in the shortest form that
/// reads back the same; magnitudes under 1e-6 or from 1e21 with an exponent (`1e308`,
/// `5e-324`: in full they run to hundreds of digits), where Go's and JavaScript's JSON
/// switch too. JSON has no NaN or infinity, and decoding never produces them.
pub(crate) fn write_f64(out: &mut Vec<u8>, f: f64) {
    if !f.is_finite() {
        out.extend_from_slice(b"null");
        return;
    }
    let magnitude = f.abs();
    if magnitude != 0.0 && !(1e-6..1e21).contains(&magnitude) {
        let _ = write!(out, "{f:e}");
    } else {
        let _ = write!(out, "{f}");
    }
}

/// A tape scalar as JSON.
fn write_static(out: &mut Vec<u8>, n: StaticNode) {
    match n {
        StaticNode::I64(i) => write_i64(out, i),
        StaticNode::U64(u) => out.extend_from_slice(itoa::Buffer::new().format(u).as_bytes()),
        StaticNode::F64(f) => {
            if f.is_finite() {
                let _ = write!(out, "{f:?}");
            } else {
                out.extend_from_slice(b"null");
            }
        }
        StaticNode::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        StaticNode::Null => out.extend_from_slice(b"null"),
    }
}

/// Append `s` as a JSON string literal: `"`, `\\` and control characters escaped (`\n`, `\r`,
/// `\t`, `\b`, `\f`, else `\u00XX`), everything else, non-ASCII included, as is: the bytes
/// `serde_json` writes.
pub fn write_json_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let n = bytes.len();
    if n <= SHORT {
        // Most strings in logs are short and clean: they are stored as words of fixed size
        // into a block of fixed size appended at once (a single capacity check, no loop, no
        // call to memcpy), which is then cut to the string's length (measured, with the runs
        // below: write_json_str 1,140 -> 948 instructions per event).
        let start = out.len();
        out.extend_from_slice(&[b' '; SHORT + 8]);
        if let Ok(block) = <&mut [u8; SHORT + 8]>::try_from(&mut out[start..]) {
            if quote_short(bytes, block) {
                out.truncate(start + n + 2);
                return;
            }
        }
        out.truncate(start);
    }
    write_json_str_runs(out, bytes);
}

/// The longest string written by [`quote_short`].
const SHORT: usize = 32;

/// Writes `bytes` (at most [`SHORT`] of them) quoted at the start of `block`, unless a
/// byte needs escaping: then returns false. The string is read and stored as words of eight
/// bytes, which overlap where its length is not a multiple of eight; `block` is filled with
/// spaces (which need no escape) past the string.
#[allow(clippy::inline_always)] // measured: a call from `write_key_str` otherwise, 65 instructions an event
#[inline(always)]
fn quote_short(bytes: &[u8], block: &mut [u8; SHORT + 8]) -> bool {
    let n = bytes.len();
    let mut mask = 0;
    let mut put = |at: usize, word: [u8; 8]| {
        mask |= escape_mask(u64::from_le_bytes(word));
        block[1 + at..9 + at].copy_from_slice(&word);
    };
    // Loud if ever wrong; the slice has eight bytes, so the check compiles away.
    #[allow(clippy::expect_used)]
    let word = |at: usize| -> [u8; 8] {
        bytes[at..at + 8]
            .try_into()
            .expect("invariant: a slice of eight bytes is a word")
    };
    if n < 8 {
        put(0, padded(bytes));
    } else {
        put(0, word(0));
        if n > 16 {
            put(8, word(8));
            let at = 16.min(n - 8);
            put(at, word(at));
        }
        put(n - 8, word(n - 8));
    }
    if mask != 0 {
        return false;
    }
    block[0] = b'"';
    block[n + 1] = b'"';
    true
}

/// [`write_json_str`] for long strings and strings with something to escape: the string
/// is checked two words at a time, then one, and each run of bytes between two escapes is
/// copied at once (where the words with an escape used to go byte by byte).
#[inline(never)]
fn write_json_str_runs(out: &mut Vec<u8>, bytes: &[u8]) {
    let n = bytes.len();
    out.reserve(n + 2);
    out.push(b'"');
    // Bytes before `run` are written; bytes before `next` are checked.
    let (mut run, mut next) = (0, 0);
    while next < n {
        // Sixteen bytes at a time while there are as many: one loop step for two words
        // (measured: 74 fewer instructions per event; four words at a time saved 60).
        if let Some(chunk) = bytes.get(next..next + 16) {
            let (lo, hi) = (word_mask(&chunk[..8]), word_mask(&chunk[8..]));
            if lo | hi == 0 {
                next += 16;
                continue;
            }
            // The lowest flagged byte of a word is exact (see `escape_mask`).
            let at = if lo != 0 {
                next + lo.trailing_zeros() as usize / 8
            } else {
                next + 8 + hi.trailing_zeros() as usize / 8
            };
            (run, next) = escape_at(out, bytes, run, at);
            continue;
        }
        // Then a word at a time: the word at `next`; at the end, the last eight bytes with the
        // first `skip` of them (checked already, maybe escaped) made spaces, or the few bytes
        // padded with spaces.
        let (word, skip) = match bytes.get(next..).and_then(<[u8]>::first_chunk::<8>) {
            Some(w) => (u64::from_le_bytes(*w), 0),
            None => match bytes.last_chunk::<8>() {
                Some(last) => {
                    let skip = next + 8 - n;
                    let keep = !0 << (skip * 8);
                    let spaces = u64::from_le_bytes([b' '; 8]);
                    (u64::from_le_bytes(*last) & keep | spaces & !keep, skip)
                }
                None => (u64::from_le_bytes(padded(&bytes[next..])), 0),
            },
        };
        let base = next - skip;
        let mask = escape_mask(word);
        if mask == 0 {
            next = base + 8;
            continue;
        }
        // The lowest flagged byte is exact (see `escape_mask`).
        let at = base + mask.trailing_zeros() as usize / 8;
        (run, next) = escape_at(out, bytes, run, at);
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

/// 1 to 7 bytes in place in a word of spaces. Copies of fixed size from both ends cover
/// them all without a loop (which the compiler would turn into a call to memcpy).
#[inline]
fn padded(b: &[u8]) -> [u8; 8] {
    let mut w = [b' '; 8];
    let n = b.len();
    if n >= 4 {
        w[..4].copy_from_slice(&b[..4]);
        w[n - 4..n].copy_from_slice(&b[n - 4..]);
    } else if n > 0 {
        w[0] = b[0];
        w[n / 2] = b[n / 2];
        w[n - 1] = b[n - 1];
    }
    w
}

/// The high bit of each byte of the word that is a control character, `"` or `\\` (SWAR: a
/// zero byte test on the word and on its XORs with the two quotable characters). Only the
/// lowest flagged byte is exact: a borrow can flag bytes above it that need no escape. Zero
/// when no byte needs escaping.
#[inline]
fn escape_mask(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // XOR with 0x02 maps `"` (0x22) to 0x20 and the control characters onto themselves, so
    // that one test, a byte below 0x21, finds both: subtracting 0x21 borrows into the high bit
    // (for bytes without it). `\\` is a zero byte after XOR with itself. The high bit of a byte
    // is the same in `w` and in both XORs. (Measured: 7,669 -> 7,628
    // instructions per NDJSON event.)
    let below = (w ^ (ONES * 0x02)).wrapping_sub(ONES * 0x21);
    let backslash = (w ^ (ONES * u64::from(b'\\'))).wrapping_sub(ONES);
    (below | backslash) & !w & HIGH
}

/// Writes the run `bytes[run..at]` and the escape of `bytes[at]`; returns where the next
/// run starts and where checking goes on (both just past the escaped byte).
#[inline]
fn escape_at(out: &mut Vec<u8>, bytes: &[u8], run: usize, at: usize) -> (usize, usize) {
    out.extend_from_slice(&bytes[run..at]);
    escape_byte(out, bytes[at]);
    (at + 1, at + 1)
}

/// [`escape_mask`] of eight bytes (the callers' halves of sixteen: the check compiles away).
#[inline]
#[allow(clippy::expect_used)]
fn word_mask(w: &[u8]) -> u64 {
    let w = w
        .try_into()
        .expect("invariant: word_mask is given eight bytes");
    escape_mask(u64::from_le_bytes(w))
}

/// The escape of a byte that needs one: `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`, else
/// `\u00XX`.
#[cold]
fn escape_byte(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = match b {
        b'"' => b'"',
        b'\\' => b'\\',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        0x08 => b'b',
        0x0c => b'f',
        _ => {
            let hex = |d: u8| HEX[usize::from(d & 0xf)];
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hex(b >> 4), hex(b)]);
            return;
        }
    };
    out.extend_from_slice(&[b'\\', short]);
}

/// Whether a number's text as written may differ from the one [`write_number`] gives it:
/// a float's (`1.50`, `1e2`, `1E+2`), and a zero's (`-0`, which simd-json reads as the
/// integer 0); other integers' digits are their text.
pub(crate) fn text_may_differ(n: StaticNode) -> bool {
    matches!(n, StaticNode::F64(_) | StaticNode::I64(0))
}

/// A JSON number as text: integers exactly, floats in the shortest form that reads back
/// the same (`0.5`, `1e300`), integral floats with `.0` kept so the text stays a float.
pub(crate) fn write_number(out: &mut String, n: StaticNode) {
    // Writing to a String cannot fail.
    let _ = match n {
        StaticNode::I64(i) => write!(out, "{i}"),
        StaticNode::U64(u) => write!(out, "{u}"),
        StaticNode::F64(f) => write!(out, "{f:?}"),
        StaticNode::Bool(b) => write!(out, "{b}"),
        StaticNode::Null => write!(out, "null"),
    };
}

/// Compact JSON for a tape subtree. `float_text(i)` gives the text as written of the number
/// at `nodes[i]` ([`text_may_differ`]: a float, or a zero) when it is known, and it is
/// written as it is (valid JSON: it was read as such); otherwise its shortest form. Returns
/// whether every such number had its text.
pub(crate) fn write_json<'x>(
    out: &mut String,
    nodes: &[Node<'_>],
    float_text: &dyn Fn(usize) -> Option<&'x str>,
) -> bool {
    let mut buf = std::mem::take(out).into_bytes();
    let mut all = true;
    write_json_bytes(&mut buf, nodes, &mut |i| {
        let text = float_text(i);
        all &= text.is_some();
        text
    });
    // Only valid UTF-8 was written: tape strings are validated str, the rest is ASCII. A
    // fallback here would drop the whole text buffer, every earlier `Text` value with it.
    #[allow(clippy::expect_used)]
    let text = String::from_utf8(buf).expect("invariant: compact JSON of a tape is UTF-8");
    *out = text;
    all
}

/// [`write_json`] without recursion (a `json` value may nest as deep as its record: 1,024
/// levels, more than a recursive writer's frames fit in a test thread's stack unoptimized),
/// and without allocating: the open arrays and objects are kept in a fixed array.
fn write_json_bytes<'x>(
    out: &mut Vec<u8>,
    nodes: &[Node<'_>],
    float_text: &mut dyn FnMut(usize) -> Option<&'x str>,
) {
    /// simd-json's deepest nesting (its `DEFAULT_MAX_DEPTH`), which every tape keeps to.
    const DEPTH: usize = 1024;
    // The open containers, innermost last: the index after each one's last node, and
    // whether it is an object (its entries start with a key).
    let mut open = [(0u32, false); DEPTH];
    let mut depth = 0;
    // The next value is the first of its container: no comma before it.
    let mut first = true;
    let mut i = 0;
    while i < nodes.len() {
        while depth > 0 && open[depth - 1].0 as usize <= i {
            depth -= 1;
            out.push(if open[depth].1 { b'}' } else { b']' });
            // The container was a value of the one around it.
            first = false;
        }
        if depth > 0 {
            if !first {
                out.push(b',');
            }
            if open[depth - 1].1 {
                if let Node::String(key) = nodes[i] {
                    write_json_str(out, key);
                }
                out.push(b':');
                i += 1;
            }
        }
        first = false;
        let Some(&node) = nodes.get(i) else {
            break;
        };
        match node {
            Node::String(s) => write_json_str(out, s),
            Node::Static(n) if text_may_differ(n) => match float_text(i) {
                Some(text) => out.extend_from_slice(text.as_bytes()),
                None => write_static(out, n),
            },
            Node::Static(n) => write_static(out, n),
            Node::Array { count, .. } | Node::Object { count, .. } if depth == DEPTH => {
                // Deeper than any tape: not reached.
                out.extend_from_slice(b"null");
                i += count;
            }
            Node::Array { count, .. } | Node::Object { count, .. } => {
                let object = matches!(node, Node::Object { .. });
                out.push(if object { b'{' } else { b'[' });
                #[allow(clippy::cast_possible_truncation)] // records are far below 4 GiB
                let end = (i + count + 1) as u32;
                open[depth] = (end, object);
                depth += 1;
                first = true;
            }
        }
        i += 1;
    }
    while depth > 0 {
        depth -= 1;
        out.push(if open[depth].1 { b'}' } else { b']' });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_strings() {
        let mut out = Vec::new();
        write_json_str(&mut out, "a\"b\\c\nd\u{1}é");
        assert_eq!(String::from_utf8(out).unwrap(), r#""a\"b\\c\nd\u0001é""#);
    }

    /// `write_json` writes what `serde_json` writes compactly, for nested and empty arrays
    /// and objects, at any depth a tape may have.
    #[test]
    fn compact_json_like_serde_json() {
        // serde_json reads 128 levels: 120 here (the hostile tests nest 1,000).
        let deep = format!("{}1{}", "[{\"a\":".repeat(60), "}]".repeat(60));
        for text in [
            "[]",
            "{}",
            "[[],{}]",
            r#"{"a":[],"b":{},"c":[1,[2,[]],{"d":{}}],"e":"x\"y\u00e9"}"#,
            r#"[{"a":1},{"b":[true,null,"x",-7,18446744073709551615]},[]]"#,
            r#" { "k" : [ 1 , { } , [ [ ] ] ] } "#,
            &deep,
        ] {
            let mut bytes = text.as_bytes().to_vec();
            let tape = simd_json::to_tape(&mut bytes).expect("valid JSON");
            let mut out = String::new();
            assert!(write_json(&mut out, &tape.0, &|_| None), "no float: {text}");
            let expected: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
            assert_eq!(out, expected.to_string(), "{text}");
        }
    }

    /// Floats are written with the text `float_text` gives, else in their shortest form.
    #[test]
    fn compact_json_floats_as_given() {
        let mut bytes = br#"[1.50,{"a":2E-9,"b":[0.10]}]"#.to_vec();
        let tape = simd_json::to_tape(&mut bytes).expect("valid JSON");
        let mut out = String::new();
        let texts = |i: usize| match i {
            1 => Some("1.50"),
            4 => Some("2E-9"),
            _ => None,
        };
        assert!(!write_json(&mut out, &tape.0, &texts));
        assert_eq!(out, r#"[1.50,{"a":2E-9,"b":[0.1]}]"#);
    }

    #[test]
    fn escapes_like_serde_json_at_every_offset() {
        let specials = [
            "\"", "\\", "\n", "\u{1}", "\u{1f}", "é", "\t", " ", "~", "\u{7f}",
        ];
        for pad in 0..17 {
            for sp in specials {
                let s = format!("{}{sp}{}", "a".repeat(pad), "b".repeat(17 - pad));
                let mut out = Vec::new();
                write_json_str(&mut out, &s);
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    serde_json::to_string(&s).unwrap()
                );
            }
        }
    }

    /// `s` as `serde_json` writes it.
    fn reference(s: &str) -> Vec<u8> {
        serde_json::to_string(s).unwrap().into_bytes()
    }

    /// Characters that take each path of the writer: every control character, the two
    /// quotable ones, multi-byte UTF-8 (U+2028 and U+2029 are written as they are, as
    /// `serde_json` does), and plain ASCII around them.
    fn specials() -> Vec<char> {
        (0u8..0x20)
            .map(char::from)
            .chain([
                '"', '\\', '\u{7f}', 'é', '€', '😀', '\u{2028}', '\u{2029}', ' ', '~', 'a',
            ])
            .collect()
    }

    #[test]
    fn escapes_like_serde_json_at_every_length_and_offset() {
        // Whole words, the tail word that overlaps the last whole word, the padded short
        // string: every length up to five words, each special character at every place,
        // appended after other output (the tail store cuts back into it).
        let filler = "The quick brown fox jumps over the lazy dog";
        for len in 0..40 {
            for at in 0..=len {
                for sp in specials() {
                    let s = format!("{}{sp}{}", &filler[..at], &filler[at..len]);
                    let mut out = b"{\"k\":".to_vec();
                    write_json_str(&mut out, &s);
                    assert_eq!(out[..5], *b"{\"k\":");
                    assert_eq!(
                        String::from_utf8_lossy(&out[5..]),
                        String::from_utf8_lossy(&reference(&s)),
                        "{s:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn escapes_like_serde_json_random_strings() {
        let chars = specials();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            usize::try_from(x % 1024).unwrap()
        };
        for _ in 0..20_000 {
            let len = next() % 70;
            let s: String = (0..len).map(|_| chars[next() % chars.len()]).collect();
            let mut out = Vec::new();
            write_json_str(&mut out, &s);
            assert_eq!(
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&reference(&s)),
                "{s:?}"
            );
        }
    }

    /// An escaped byte followed by the byte a borrow out of it can flag by mistake (SWAR's
    /// false positives): `"` then `#`, `\\` then `]`, a control character then a space or
    /// `!`; at every offset of strings around the short and the word lengths, so that the pair
    /// falls in the short block, in whole words and in the overlapping last word.
    #[test]
    fn escapes_like_serde_json_after_false_positive_candidates() {
        let pairs = [
            "\"#", "\\]", "\n ", "\u{1f} ", "\u{0}!", "\"\"#", "\t\u{1}#",
        ];
        for len in 0..48 {
            for at in 0..=len {
                for pair in pairs {
                    let body: String = ('a'..='z').cycle().take(len).collect();
                    let s = format!("{}{pair}{}", &body[..at], &body[at..]);
                    let mut out = b"x".to_vec();
                    write_json_str(&mut out, &s);
                    assert_eq!(out[1..], reference(&s)[..], "{s:?}");
                }
            }
        }
    }

    #[test]
    fn keys_like_serde_json_short_and_long() {
        for len in 0..40 {
            for sp in ['a', '"', '\n', 'é'] {
                let name: String = std::iter::repeat_n('x', len).chain([sp]).collect();
                let key = JsonKey::new(&name);
                let want = [&b","[..], &reference(&name), b":"].concat();
                assert_eq!(matches!(key, JsonKey::Short { .. }), want.len() <= 32);
                let mut out = b"{\"a\":1".to_vec();
                key.write(&mut out);
                assert_eq!(out[..6], *b"{\"a\":1");
                assert_eq!(out[6..], want[..], "{name:?}");
            }
        }
    }

    #[test]
    fn key_and_string_like_key_then_string() {
        let filler = "The quick brown fox jumps over the lazy dog";
        for key_len in [0, 1, 20, 28, 29, 30, 40] {
            let key = JsonKey::new(&"k".repeat(key_len));
            for len in 0..40 {
                for sp in ['a', '"', '\n', 'é'] {
                    let s = format!("{}{sp}", &filler[..len]);
                    let mut want = b"{\"a\":1".to_vec();
                    key.write(&mut want);
                    want.extend_from_slice(&reference(&s));
                    let mut out = b"{\"a\":1".to_vec();
                    write_key_str(&mut out, &key, &s);
                    assert_eq!(out, want, "{key_len} {s:?}");
                }
            }
        }
    }

    #[test]
    fn integers_like_to_string() {
        let edges = [
            i64::MIN,
            i64::MIN + 1,
            -10,
            -9,
            -1,
            0,
            1,
            9,
            10,
            11,
            99,
            100,
            255,
            256,
        ];
        for i in edges
            .into_iter()
            .chain([i64::MAX - 1, i64::MAX])
            .chain(-300..300)
        {
            let mut out = b"x".to_vec();
            write_i64(&mut out, i);
            assert_eq!(out[1..], *format!("{i}").as_bytes(), "{i}");
        }
    }

    #[test]
    fn floats() {
        let mut out = Vec::new();
        write_f64(&mut out, 3.0);
        out.push(b' ');
        write_f64(&mut out, 0.25);
        assert_eq!(out, b"3 0.25");
        // Very large and very small magnitudes with an exponent, not hundreds of digits; all
        // read back the same.
        for (f, text) in [
            (1e308, "1e308"),
            (5e-324, "5e-324"),
            (-1.5e21, "-1.5e21"),
            (1e20, "100000000000000000000"),
            (1.5e-7, "1.5e-7"),
            (0.000_001, "0.000001"),
            (0.0, "0"),
            (-2.5, "-2.5"),
        ] {
            out.clear();
            write_f64(&mut out, f);
            assert_eq!(std::str::from_utf8(&out), Ok(text), "{f}");
            let back: f64 = serde_json::from_slice(&out).expect("json");
            assert_eq!(back.to_bits(), f.to_bits(), "{text}");
        }
    }
}
