//! Diagnostics on stderr, each line prefixed with the program name.

use std::io::Write;

/// Print one diagnostic line: `normalog: <message>`. Errors writing to stderr are ignored:
/// there is nowhere left to report them.
pub fn error(message: &str) {
    let stderr = std::io::stderr();
    let mut lock = stderr.lock();
    let _ = writeln!(lock, "normalog: {message}");
}

/// Print a line to stderr without the prefix (summaries, tables).
pub fn plain(message: &str) {
    let stderr = std::io::stderr();
    let mut lock = stderr.lock();
    let _ = writeln!(lock, "{message}");
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
