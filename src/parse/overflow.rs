//! Numbers beyond the range of a 64-bit float (`1e400`, an integer of 400 digits): simd-json
//! refuses the whole record for one of them, while Panther's decoder skips them under keys
//! the schema does not name, keeps their text in `string` and `json` values, and refuses
//! them only in numeric and timestamp fields.
//!
//! How: such a record is parsed again from a copy in which each of them is written over by
//! a zero of the same length (`1e400` becomes `0.000`), so that every other byte, and
//! simd-json's structural indexes, stay where they were. Where they started is noted: the
//! decoder reads their texts as written (`literals.rs`, which maps those starts to tape
//! nodes), and refuses them where a number is decoded as a number ("out of range"). Only a
//! record that simd-json refused pays for the scan.
//!
//! The same pass writes `\ufffd` over lone surrogate escapes (`"\ud83d"`, half of an
//! emoji), which simd-json refuses and Panther's decoder (json-iterator) reads as U+FFFD;
//! for a whole record, also spaces over white space at its ends that JSON does not allow
//! (`U+00A0`, the vertical tab, the form feed), which Panther's classifier trims off every
//! line ([`neutralize_record`]).

use simd_json::Tape;

use super::Normalizer;
use crate::error::{Error, ErrorKind, Position};

impl Normalizer {
    /// simd-json refused the record `line` (`padded_len`: its length before the padding;
    /// `None`: all of it), `original` untouched: when numbers beyond a float's range are
    /// why, parse it again into `tape` with them written over; otherwise,
    /// or if it fails again, the record's reject.
    #[cold]
    #[inline(never)]
    pub(super) fn refill<'l>(
        &mut self,
        line: &'l mut [u8],
        padded_len: Option<usize>,
        original: &[u8],
        tape: &mut Tape<'l>,
        first: &simd_json::Error,
        pos: Position,
    ) -> Result<(), Error> {
        let len = padded_len.unwrap_or(line.len());
        if !neutralize_record(original, &mut line[..len], &mut self.overflowed) {
            return Err(Error::json(pos, first, Some(original)));
        }
        // The record as simd-json reads it now: what a second error is about.
        let neutral = line[..len].to_vec();
        let parsed = match padded_len {
            Some(len) => simd_json::fill_tape_padded(line, len, &mut self.buffers, tape),
            None => simd_json::fill_tape(line, &mut self.buffers, tape),
        };
        parsed.map_err(|e| {
            self.overflowed.clear();
            Error::json(pos, &e, Some(&neutral))
        })
    }
}

/// A record whose numbers beyond a float's range could not be told from the zeros written
/// over them (not expected: `Literals::read` lines numbers up with simd-json's indexes).
#[cold]
pub(super) fn overflow_unread(pos: Position) -> Error {
    Error::new(ErrorKind::Json {
        pos,
        offset: 0,
        message: "number out of range".into(),
    })
}

/// Whether the record `original`, refused by simd-json, holds what [`neutralize_record`]
/// writes over (a number beyond a float's range, a lone surrogate escape, white space at
/// its ends that JSON does not allow): what Panther reads.
#[cold]
pub(crate) fn needs_second_reading(original: &[u8]) -> bool {
    let mut probe = vec![0; original.len()];
    neutralize_record(original, &mut probe, &mut Vec::new())
}

/// [`neutralize`] for a whole record, which also gets spaces written over the white space
/// at its ends that JSON does not allow (the vertical tab, the form feed, Unicode's:
/// `U+00A0`): Panther's classifier trims it off every line first. Not for the text of an
/// embedded JSON value, which no classifier trims.
fn neutralize_record(original: &[u8], line: &mut [u8], starts: &mut Vec<u32>) -> bool {
    let changed = neutralize(original, line, starts);
    if original.len() != line.len() {
        return changed;
    }
    let lead = super::frame::leading_space(original);
    let trail = if lead == original.len() {
        0
    } else {
        super::frame::trailing_space(original)
    };
    let not_json_space = |b: &u8| !matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let pad = original[..lead].iter().any(not_json_space)
        || original[original.len() - trail..]
            .iter()
            .any(not_json_space);
    if !pad {
        return changed;
    }
    if !changed {
        line.copy_from_slice(original);
    }
    let len = line.len();
    line[..lead].fill(b' ');
    line[len - trail..].fill(b' ');
    true
}

/// Write `original` over `line` (of the same length) with every number outside strings
/// that a 64-bit float cannot hold written over by a zero of the same length, and push
/// where each of them starts into `starts` (cleared first, ascending); and with every lone
/// surrogate escape (`\ud800` without its `\udc00`-`\udfff`, or one of those alone) written
/// over by `\ufffd`, U+FFFD, as Panther's decoder reads it ([`escape_len`]; it keeps the
/// record, with the replacement character: a truncated emoji in a name cost the whole
/// event). Returns
/// whether there was any: if not, `line` is left as it was.
pub(crate) fn neutralize(original: &[u8], line: &mut [u8], starts: &mut Vec<u32>) -> bool {
    starts.clear();
    if original.len() != line.len() || u32::try_from(original.len()).is_err() {
        return false;
    }
    let mut surrogates = Vec::new();
    let mut at = 0;
    let mut in_string = false;
    while at < original.len() {
        let b = original[at];
        if in_string {
            if b == b'\\' {
                at += escape_len(original, at, &mut surrogates);
                continue;
            }
            in_string = b != b'"';
            at += 1;
            continue;
        }
        if b == b'-' || b.is_ascii_digit() {
            let len = token_len(&original[at..]);
            if beyond_f64(&original[at..at + len]) {
                // Checked above: the record's length fits in a u32.
                starts.push(u32::try_from(at).unwrap_or(u32::MAX));
            }
            at += len;
            continue;
        }
        in_string = b == b'"';
        at += 1;
    }
    if starts.is_empty() && surrogates.is_empty() {
        return false;
    }
    line.copy_from_slice(original);
    for &start in starts.iter() {
        let start = start as usize;
        let len = token_len(&original[start..]);
        // At least `1e309`: there is room for `0.` and a zero.
        let zero = &mut line[start..start + len];
        zero.fill(b'0');
        zero[1] = b'.';
    }
    for at in surrogates {
        line[at..at + 6].copy_from_slice(br"\ufffd");
    }
    true
}

/// The length of the escape at `text[at]` (a `\` in a string), pushing where each lone
/// surrogate escape in it starts into `lone`. As Panther's decoder (json-iterator) reads
/// them: a surrogate escape takes the `\u` escape after it, if any, as its other half; two
/// that make no pair (a low one first, or a high one and another unit) are read as U+FFFD
/// and that unit (itself U+FFFD when a surrogate: `\ud800\ud83d\ude00` is three of them),
/// one escape of 12 bytes; so is a pair (`\ud83d\ude00`).
fn escape_len(text: &[u8], at: usize, lone: &mut Vec<usize>) -> usize {
    let unit = |i: usize| -> Option<u16> {
        let hex = text.get(i..i + 6)?.strip_prefix(br"\u")?;
        u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
    };
    let surrogate = |u: u16| (0xD800..=0xDFFF).contains(&u);
    match (unit(at), unit(at + 6)) {
        (Some(0xD800..=0xDBFF), Some(0xDC00..=0xDFFF)) => 12,
        (Some(first), Some(second)) if surrogate(first) => {
            lone.push(at);
            if surrogate(second) {
                lone.push(at + 6);
            }
            12
        }
        (Some(first), _) => {
            if surrogate(first) {
                lone.push(at);
            }
            6
        }
        // `\"`, `\\`, `\n`...: the escaped byte goes with it.
        (None, _) => 2,
    }
}

/// The length of the number-like token at the start of `text` (digits, signs, points and
/// exponent marks: what simd-json reads as one number, valid or not).
fn token_len(text: &[u8]) -> usize {
    text.iter()
        .take_while(|&&c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'))
        .count()
}

/// Whether `token` is a valid JSON number that a 64-bit float cannot hold (its value
/// rounds to infinity; one that rounds to zero, `1e-400`, is read as 0 by simd-json).
fn beyond_f64(token: &[u8]) -> bool {
    valid_number(token)
        && std::str::from_utf8(token)
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .is_some_and(f64::is_infinite)
}

/// JSON's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn valid_number(token: &[u8]) -> bool {
    let digits = |t: &[u8]| t.iter().take_while(|c| c.is_ascii_digit()).count();
    let mut rest = token.strip_prefix(b"-").unwrap_or(token);
    match digits(rest) {
        0 => return false,
        n if n > 1 && rest[0] == b'0' => return false,
        n => rest = &rest[n..],
    }
    if let Some(fraction) = rest.strip_prefix(b".") {
        match digits(fraction) {
            0 => return false,
            n => rest = &fraction[n..],
        }
    }
    if let Some(exponent) = rest.strip_prefix(b"e").or_else(|| rest.strip_prefix(b"E")) {
        let exponent = exponent
            .strip_prefix(b"+")
            .or_else(|| exponent.strip_prefix(b"-"))
            .unwrap_or(exponent);
        match digits(exponent) {
            0 => return false,
            n => rest = &exponent[n..],
        }
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(record: &str) -> Option<(String, Vec<u32>)> {
        let mut line = vec![b' '; record.len()];
        let mut starts = vec![7];
        neutralize(record.as_bytes(), &mut line, &mut starts)
            .then(|| (String::from_utf8(line).unwrap_or_default(), starts))
    }

    #[test]
    fn writes_zeros_of_the_same_length_over_numbers_beyond_f64() {
        let big = "9".repeat(400);
        let record = format!(r#"{{"a":1e400,"b":[-1E+999,2],"c":{big},"d":1.5}}"#);
        let (line, starts) = run(&record).unwrap_or_default();
        let zeros = format!("0.{}", "0".repeat(398));
        assert_eq!(
            line,
            format!(r#"{{"a":0.000,"b":[0.00000,2],"c":{zeros},"d":1.5}}"#)
        );
        assert_eq!(starts, vec![5, 16, 31]);
    }

    #[test]
    fn leaves_strings_small_numbers_and_invalid_numbers_alone() {
        assert_eq!(run(r#"{"a":"1e400","b\"1e400":1e-400,"c":1e308}"#), None);
        assert_eq!(run(r#"{"a":01e400,"b":1e400e1,"c":1.e400,"d":-}"#), None);
        assert_eq!(run(r#"{"a\\":1e400}"#).map(|(_, s)| s), Some(vec![7]));
    }

    /// Lone surrogate escapes become `\ufffd`, as Go reads them; pairs, other escapes and
    /// an escaped backslash before `ud800` text stay.
    #[test]
    fn writes_replacement_escapes_over_lone_surrogates() {
        let line = |record: &str| run(record).map(|(line, starts)| (line, starts.len()));
        assert_eq!(
            line(r#"{"a":"Joe \ud83d","\uDC00":1}"#),
            Some((r#"{"a":"Joe \ufffd","\ufffd":1}"#.to_owned(), 0))
        );
        // As json-iterator: a surrogate takes the next unit as its other half, paired or not.
        assert_eq!(
            line(r#"{"a":"\ud800\u0041\ud83d\ud83d\ude00"}"#),
            Some((r#"{"a":"\ufffd\u0041\ufffd\ufffd\ufffd"}"#.to_owned(), 0))
        );
        assert_eq!(
            line(r#"{"a":"\udc00\ud83d\ude00x\ud83d\ude00"}"#),
            Some((r#"{"a":"\ufffd\ufffd\ufffdx\ud83d\ude00"}"#.to_owned(), 0))
        );
        assert_eq!(line(r#"{"a":"\ud83d\ude00 \\ud800 \"\ud8"}"#), None);
        // With a number beyond a float's range: both.
        assert_eq!(
            line(r#"{"a":"\udfff","b":1e400}"#),
            Some((r#"{"a":"\ufffd","b":0.000}"#.to_owned(), 1))
        );
    }

    #[test]
    fn json_number_grammar() {
        for good in ["0", "-0", "10", "1.5", "1e5", "1E+5", "-1.25e-7", "0.0"] {
            assert!(valid_number(good.as_bytes()), "{good}");
        }
        for bad in [
            "", "-", "01", "1.", ".5", "1e", "1e+", "+1", "1.5.5", "1e5e5", "--1",
        ] {
            assert!(!valid_number(bad.as_bytes()), "{bad}");
        }
    }
}
