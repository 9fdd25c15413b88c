//! Text that is not UTF-8. In another encoding, told from its first bytes: inputs
//! (`pipeline`) and schema and test files (`schema`) are refused with the encoding named
//! and the command that converts them. Bytes that are not UTF-8 in a text log's line: read
//! as Panther's Go code reads them (`parse`).

/// The encoding of text in UTF-16 or UTF-32 (Windows tools write UTF-16, PowerShell's
/// `Out-File` by default), from its byte-order mark or, without one, from the NULs of
/// ASCII characters in its first two: `None` for anything else.
pub(crate) fn wide_text(head: &[u8]) -> Option<&'static str> {
    // Printable ASCII or whitespace: what JSON, YAML and log lines start with.
    let ascii = |b: u8| b.is_ascii_graphic() || matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    match head {
        [0xFF, 0xFE, 0, 0, ..] => Some("UTF-32LE"),
        [0, 0, 0xFE, 0xFF, ..] => Some("UTF-32BE"),
        [0xFF, 0xFE, ..] => Some("UTF-16LE"),
        [0xFE, 0xFF, ..] => Some("UTF-16BE"),
        [a, 0, 0, 0, ..] if ascii(*a) => Some("UTF-32LE"),
        [0, 0, 0, a, ..] if ascii(*a) => Some("UTF-32BE"),
        [a, 0, b, 0, ..] if ascii(*a) && ascii(*b) => Some("UTF-16LE"),
        [0, a, 0, b, ..] if ascii(*a) && ascii(*b) => Some("UTF-16BE"),
        _ => None,
    }
}

/// What to do with text in `encoding`: "convert it first (iconv ...)".
pub(crate) fn convert_hint(encoding: &str) -> String {
    format!("convert it first (iconv -f {encoding} -t UTF-8)")
}

/// `line` with each byte that is not part of a UTF-8 sequence as U+FFFD, one per byte, as
/// Go reads such a string (`utf8.DecodeRune` takes one byte of an invalid sequence at a
/// time), where Rust's `from_utf8_lossy` would give one for a truncated sequence.
#[cold]
#[inline(never)]
pub(crate) fn lossy_as_go(line: &[u8]) -> String {
    lossy_as_go_at(line, &mut Vec::new())
}

/// [`lossy_as_go`], pushing where each U+FFFD it writes starts in the text into `replaced`.
pub(crate) fn lossy_as_go_at(mut line: &[u8], replaced: &mut Vec<usize>) -> String {
    let mut text = String::with_capacity(line.len() + 8);
    loop {
        match std::str::from_utf8(line) {
            Ok(valid) => {
                text.push_str(valid);
                return text;
            }
            Err(e) => {
                let (valid, rest) = line.split_at(e.valid_up_to());
                text.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let bad = e.error_len().unwrap_or(rest.len());
                for _ in 0..bad {
                    replaced.push(text.len());
                    text.push('\u{fffd}');
                }
                line = &rest[bad..];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::wide_text;

    /// With a byte-order mark or without (review s47-h3 LOW-1: UTF-32 without one was
    /// taken for text with NULs).
    #[test]
    fn wide_encodings_by_their_first_bytes() {
        let little: Vec<u8> = "ab"
            .chars()
            .flat_map(|c| u32::from(c).to_le_bytes())
            .collect();
        let big: Vec<u8> = "ab"
            .chars()
            .flat_map(|c| u32::from(c).to_be_bytes())
            .collect();
        let sixteen: Vec<u8> = "ab".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(wide_text(&little), Some("UTF-32LE"));
        assert_eq!(wide_text(&big), Some("UTF-32BE"));
        assert_eq!(wide_text(&sixteen), Some("UTF-16LE"));
        assert_eq!(wide_text(&[0xFF, 0xFE, 0, 0]), Some("UTF-32LE"));
        assert_eq!(wide_text(b"{\"a\""), None);
    }
}
