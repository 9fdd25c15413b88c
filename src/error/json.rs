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
                let (message, offset) = if bare {
                    // serde_json points where the word stopped matching a literal (the
                    // `}` of `tru}`, the `y` of `falsy`); the column of the word's first
                    // letter is the one to look at.
                    let start = raw[..offset]
                        .iter()
                        .rposition(|b| !b.is_ascii_alphanumeric())
                        .map_or(0, |i| i + 1);
                    (
                        "a bare word where a value goes (only true, false and null are \
                         written without quotes)"
                            .to_string(),
                        start,
                    )
                } else {
                    (message, offset)
                };
                return Error::new(ErrorKind::Json {
                    pos,
                    offset,
                    message: message.into(),
                });
            }
        }
        Error::new(ErrorKind::Json {
            pos,
            offset: err.index(),
            message: json_message(err.error()),
        })
    }
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
        E::DepthLimitExceeded => "nesting too deep".into(),
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
