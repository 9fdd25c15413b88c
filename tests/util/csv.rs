//! Fixtures shared by the CSV tests (`csv.rs`, `csv_count.rs`).

/// Column names from each input's header line.
pub const USERS: &str = r"
schema: Custom.Users
parser:
  csv:
    delimiter: ','
    hasHeader: true
fields:
  - {name: user, type: string, required: true}
  - {name: n, type: int}
";

/// A regex log type whose first line of each input is a preamble.
pub const KV: &str = r"
schema: Custom.Kv
parser:
  regex:
    skipLines: 1
    match: ['^%{WORD:op}=%{INT:n}$']
fields:
  - {name: op, type: string, required: true}
  - {name: n, type: int}
";

/// The value of `key` in an event's JSON (null when absent).
pub fn value(event: &str, key: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(event).expect("event is JSON");
    v.get(key).cloned().unwrap_or(serde_json::Value::Null)
}
