//! The reject of a record that is not valid JSON: where it goes wrong and why, in words
//! (simd-json's own errors are coarse; `serde_json` reads the untouched record again).

use super::{Error, ErrorKind, Position};

impl Error {
    #[cold]
    #[inline(never)]
    pub(crate) fn json(pos: Position, err: &simd_json::Error, original: Option<&[u8]>) -> Error {
        // A byte order mark inside an input (files joined with `cat`, each saved by an
        // editor that starts files with one) makes a good record "expected value": say so.
        // (The mark's bytes are spelled here: this module is below the parser's.)
        if original.is_some_and(|raw| raw.starts_with(b"\xEF\xBB\xBF")) {
            return Error::new(ErrorKind::Json {
                pos,
                offset: 0,
                message: "the line starts with a byte order mark (U+FEFF; files joined with \
                          `cat`?): remove it, only an input's first line may have one"
                    .into(),
            });
        }
        // simd-json's offsets and kinds are coarse (a truncated record is a "syntax error"
        // at its start); when the untouched record is at hand, serde_json describes the
        // problem and its column precisely. Only rejected records pay for this.
        if let Some(e) = original.and_then(|raw| {
            serde_json::from_slice::<serde_json::Value>(raw)
                .err()
                .map(|e| (e, raw))
        }) {
            let (e, raw) = e;
            if e.line() > 0 {
                let offset = line_offset(raw, e.line(), e.column());
                let text = e.to_string();
                let message = match text.rfind(" at line ") {
                    Some(i) => text[..i].to_string(),
                    None => text,
                };
                // serde_json's word for a bare word where a value goes (`not json`, `tru`);
                // a word that starts none of true, false and null (`True`, `None`, `yes`) is
                // "expected value" at its first letter.
                let bare = message == "expected ident"
                    || (message == "expected value"
                        && raw.get(offset).is_some_and(u8::is_ascii_alphabetic));
                let described = match message.as_str() {
                    // serde_json gives up at 128 levels, simd-json at 1024: its own offset is
                    // where its limit is crossed. Another error of simd-json's lies within
                    // the levels serde_json did not read: simd-json's says it (below).
                    "recursion limit exceeded" => (*err.error()
                        == simd_json::ErrorType::DepthLimitExceeded)
                        .then(|| (too_deep(), err.index())),
                    // serde_json's words for a lone surrogate escape point past it and call a
                    // trailing surrogate a leading one.
                    "unexpected end of hex escape" | "lone leading surrogate in hex escape" => {
                        Some(lone_surrogate(raw).unwrap_or((message, offset)))
                    }
                    // serde_json's words for invalid UTF-8 in a string (as for an
                    // escape of a code point that is not one, which the lone-surrogate
                    // case above describes): name the byte.
                    "invalid unicode code point" => {
                        Some(not_utf8(raw).unwrap_or((message, offset)))
                    }
                    // Records apart by carriage returns alone (a file with classic Mac line
                    // ends) are one line here: say why the second is "trailing".
                    "trailing characters" if raw[..offset].ends_with(b"\r") => Some((
                        "trailing characters after the JSON value, after a carriage return: \
                         records apart by CR alone (classic Mac line ends) are one line; \
                         convert them to line feeds (tr '\\r' '\\n')"
                            .to_string(),
                        offset,
                    )),
                    // A byte order mark inside a document (JSON files joined inside an array).
                    "expected value" if raw[offset..].starts_with(b"\xEF\xBB\xBF") => Some((
                        "a byte order mark (U+FEFF) where a value goes (files joined with \
                         `cat`?): remove it"
                            .to_string(),
                        offset,
                    )),
                    _ if bare => {
                        // serde_json points where the word stopped matching a literal (the
                        // `}` of `tru}`, the `y` of `falsy`); the column of the word's first
                        // letter is the one to look at.
                        let start = raw[..offset]
                            .iter()
                            .rposition(|b| !b.is_ascii_alphanumeric())
                            .map_or(0, |i| i + 1);
                        Some((
                            "a bare word where a value goes (only true, false and null are \
                             written without quotes)"
                                .to_string(),
                            start,
                        ))
                    }
                    _ => Some((message, offset)),
                };
                if let Some((message, offset)) = described {
                    return Error::new(ErrorKind::Json {
                        pos,
                        offset,
                        message: message.into(),
                    });
                }
            }
        }
        Error::new(ErrorKind::Json {
            pos,
            offset: err.index(),
            message: json_message(err.error()),
        })
    }
}

/// The first byte of `raw` that is not UTF-8 there: the reject's message, and its offset.
fn not_utf8(raw: &[u8]) -> Option<(String, usize)> {
    let at = std::str::from_utf8(raw).err()?.valid_up_to();
    let byte = raw.get(at)?;
    Some((
        format!("invalid UTF-8: byte 0x{byte:02x} is not UTF-8 there"),
        at,
    ))
}

/// The reject of a record nested deeper than simd-json reads.
fn too_deep() -> String {
    format!(
        "arrays and objects nested deeper than {} levels (the record itself is level 1)",
        simd_json::DEFAULT_MAX_DEPTH
    )
}

/// The first lone surrogate escape of `raw`, a record that `serde_json` read as valid JSON up
/// to one: its offset (at its `\`) and the reject's message. A `\ud800`-`\udbff` escape
/// (high, leading) must be followed at once by a `\udc00`-`\udfff` one (low, trailing), and a
/// low one must follow a high one.
fn lone_surrogate(raw: &[u8]) -> Option<(String, usize)> {
    let hex = |at: usize| -> Option<(u16, &str)> {
        let digits = std::str::from_utf8(raw.get(at..at + 4)?).ok()?;
        Some((u16::from_str_radix(digits, 16).ok()?, digits))
    };
    let escape = |at: usize| match raw.get(at..at + 2) {
        Some(b"\\u") => hex(at + 2),
        _ => None,
    };
    let mut in_string = false;
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'"' => in_string = !in_string,
            b'\\' if in_string => {
                if let Some((n, digits)) = escape(i) {
                    match n {
                        0xD800..=0xDBFF => match escape(i + 6) {
                            Some((0xDC00..=0xDFFF, _)) => i += 6,
                            _ => {
                                return Some((
                                    format!(
                                    "lone leading (high) surrogate escape \\u{digits}: a \\udc00 \
                                         to \\udfff escape must follow it"
                                ),
                                    i,
                                ))
                            }
                        },
                        0xDC00..=0xDFFF => {
                            return Some((
                                format!(
                                    "lone trailing (low) surrogate escape \\u{digits}: it must \
                                     follow a \\ud800 to \\udbff escape"
                                ),
                                i,
                            ))
                        }
                        _ => {}
                    }
                }
                // The escaped byte is not a quote, whatever it is.
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Byte offset in `raw` of `serde_json`'s 1-based `line`/`column` (column counts bytes).
fn line_offset(raw: &[u8], line: usize, column: usize) -> usize {
    let start: usize = raw
        .split(|&b| b == b'\n')
        .take(line.saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum();
    (start + column).saturating_sub(1).min(raw.len())
}

/// simd-json's `ErrorType` has only a `Debug` rendering; give the common ones words.
fn json_message(err: &simd_json::ErrorType) -> std::borrow::Cow<'static, str> {
    use simd_json::ErrorType as E;
    match err {
        E::Eof => "unexpected end of input".into(),
        E::InvalidUtf8 => "invalid UTF-8".into(),
        E::TrailingData => "trailing characters after the JSON value".into(),
        E::ExpectedObjectKey | E::ExpectedObjectColon => "expected an object key".into(),
        E::ExpectedObjectContent | E::ExpectedArrayContent => "expected a value".into(),
        E::InvalidNumber => "invalid number".into(),
        E::InvalidEscape | E::InvalidUnicodeEscape | E::InvalidUnicodeCodepoint => {
            "invalid string escape".into()
        }
        E::UnexpectedCharacter => "unexpected character".into(),
        E::Syntax => "syntax error".into(),
        E::DepthLimitExceeded => too_deep().into(),
        E::InvalidExponent => "invalid number exponent".into(),
        other => {
            let s = format!("{other:?}");
            // CamelCase to words: "UnterminatedString" -> "unterminated string".
            let mut out = String::with_capacity(s.len() + 4);
            for (i, c) in s.chars().enumerate() {
                if c.is_ascii_uppercase() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push(c.to_ascii_lowercase());
                } else {
                    out.push(c);
                }
            }
            out.into()
        }
    }
}
