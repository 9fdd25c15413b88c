//! Diagnostics on stderr, each line prefixed with the program name.

use std::borrow::Cow;
use std::io::Write;

/// Print one diagnostic line: `normalog: <message>`. Errors writing to stderr are ignored:
/// there is nowhere left to report them.
pub fn error(message: &str) {
    let stderr = std::io::stderr();
    let mut lock = stderr.lock();
    let _ = writeln!(lock, "normalog: {}", terminal_safe(message));
}

/// Print a line to stderr without the prefix (summaries, tables).
pub fn plain(message: &str) {
    let stderr = std::io::stderr();
    let mut lock = stderr.lock();
    let _ = writeln!(lock, "{}", terminal_safe(message));
}

/// `message` with its control characters escaped (`\u{1b}`), but for the newlines and tabs
/// that lay a message out: a file name or a value in a message must not drive the
/// terminal (colours, a cleared screen, a rewritten line).
fn terminal_safe(message: &str) -> Cow<'_, str> {
    escape_controls(message, |c| c != '\n' && c != '\t')
}

/// A name from outside (a file name) as shown in a message: every control character
/// escaped, newlines too, so that one message stays one line (`a\nb.jsonl`).
pub fn shown(name: &str) -> Cow<'_, str> {
    escape_controls(name, |_| true)
}

fn escape_controls(text: &str, escape: impl Fn(char) -> bool) -> Cow<'_, str> {
    let to_escape = |c: char| c.is_control() && escape(c);
    if !text.chars().any(to_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if to_escape(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `12345` as `12,345`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{shown, terminal_safe};

    /// A file named with a newline or an escape sequence neither splits a message nor
    /// drives the terminal (review finding: both went to stderr as they were).
    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(shown("names/a\nb.jsonl"), "names/a\\nb.jsonl");
        assert_eq!(shown("x\u{1b}[31m.jsonl"), "x\\u{1b}[31m.jsonl");
        assert_eq!(shown("plain.jsonl"), "plain.jsonl");
        assert_eq!(terminal_safe("a\n\tb\u{1b}[2J"), "a\n\tb\\u{1b}[2J");
    }
}
