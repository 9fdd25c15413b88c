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
