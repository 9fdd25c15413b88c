//! `--update`: rewrite the expected results of failing cases from what the normalizer
//! produced, leaving the rest of the file's text as it was.
//!
//! Only the `result` / `results` block of an affected case is replaced (or, when the case has
//! neither, a block is added after its last key). Comments and blank lines after the block
//! stay. The new expectation is written the way Panther's test files write it, a JSON string
//! in a `|` block:
//!
//! ```yaml
//! result: |
//!   {
//!     "email": "ann@example.com",
//!     "p_log_type": "Zoom.Activity",
//!     "p_event_time": "2023-07-01T14:00:00Z"
//!   }
//! ```
//!
//! Keys keep the output order. Values the comparison ignores or that change on every run are
//! left out: `p_row_id`, `p_parse_time`, and `p_event_time` when it is the parse time (an
//! absent `p_event_time` asserts exactly that). `p_schema_version` and the source fields are
//! left out as in Panther's files (they are only compared when listed). A case whose input was
//! rejected, giving no event, gets `error:` with the reject reason.
//!
//! A case that no expectation would make pass is not rewritten ([`Expect::of`] says why): its
//! lines give events and rejects (a case expects either), or are rejected for different
//! reasons (`error:` holds one). Writing its events alone would claim a fix, and the next
//! run would fail it again.

use std::fmt::Write as _;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

use super::{CaseResult, Outcome, Reject, TestCase};
use crate::event::{
    P_EVENT_TIME, P_LOG_TYPE, P_PARSE_TIME, P_ROW_ID, P_SCHEMA_VERSION, P_SOURCE_ID, P_SOURCE_LABEL,
};

/// Why a case could not be rewritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unsupported(pub(crate) String);

/// The new expectation of a failing case.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Expect<'a> {
    /// These events (NDJSON lines); none: `results: []`.
    Events(&'a [String]),
    /// A reject with this reason.
    Reject(&'a str),
}

impl<'a> Expect<'a> {
    /// What a run of the case gave: its reject when it gave no event, else its events. An
    /// error, saying why, when no expectation would make the case pass: its input gave events
    /// and rejects (a case expects either), or rejects for different reasons (`error:` is one
    /// reason).
    pub(crate) fn of(r: &'a CaseResult) -> Result<Expect<'a>, String> {
        let (Outcome::Rejected {
            rejects,
            event_lines,
            ..
        }
        | Outcome::NotRejected {
            rejects,
            event_lines,
            ..
        }) = &r.outcome
        else {
            // An event the comparison cannot read cannot be expected either: written, it made
            // the whole test file unreadable (review s43-h3 MEDIUM-2).
            if let Some(e) = r.actual.iter().find_map(|a| unreadable(a)) {
                return Err(format!("its event cannot be compared: {e}"));
            }
            return Ok(Expect::Events(&r.actual));
        };
        let Some(first) = rejects.first() else {
            return Ok(Expect::Events(&r.actual));
        };
        let why = if !r.actual.is_empty() {
            "its input gives events and rejects, and a case expects either events or a reject \
             (`error:`)"
        } else if rejects.iter().any(|x| x.reason != first.reason) {
            "its input lines are rejected for different reasons, and a case expects one reject \
             (`error:` with a text every reason contains)"
        } else {
            return Ok(Expect::Reject(&first.reason));
        };
        Err(format!(
            "{why}, so split its input into cases: {}",
            lines(event_lines, rejects)
        ))
    }
}

/// Why an event (an NDJSON line of `normalize`) cannot be read as a JSON value to compare:
/// a `json` value nested deeper than 127 levels, or a number past the float range (both
/// written as received by `normalize`).
pub(crate) fn unreadable(event: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(event)
        .err()
        .map(|e| format!("{e} (the test runner reads events as JSON values of at most 127 levels, numbers within the float range)"))
}

/// What each line of an input gave, in input order: `input line 1 gives an event; input
/// line 2 is rejected: REASON`.
fn lines(event_lines: &[usize], rejects: &[Reject]) -> String {
    let mut each: Vec<(usize, String)> = Vec::new();
    for (i, &line) in event_lines.iter().enumerate() {
        if i == 0 || event_lines[i - 1] != line {
            each.push((line, format!("input line {line} gives an event")));
        }
    }
    for x in rejects {
        each.push(match x.line {
            Some(line) => (line, format!("input line {line} is rejected: {}", x.reason)),
            None => (0, format!("the input is rejected: {}", x.reason)),
        });
    }
    each.sort_by_key(|(line, _)| *line);
    let each: Vec<String> = each.into_iter().map(|(_, s)| s).collect();
    each.join("; ")
}

/// A replacement of whole lines: `[start, end)` (0-based) by `text`.
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

/// How the lines of a file moved in a rewrite: the report of `--update` names each case
/// where it now is, not where it was before the blocks above it grew or shrank.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Moves(Vec<(usize, isize)>);

impl Moves {
    /// The 1-based line, after the rewrite, of what was at `line` before it. Only the lines
    /// outside the replaced blocks move as a whole (a case's first line is always one).
    pub(crate) fn line(&self, line: usize) -> usize {
        let shift: isize = self
            .0
            .iter()
            .filter(|(end, _)| *end < line)
            .map(|(_, delta)| delta)
            .sum();
        line.saturating_add_signed(shift)
    }
}

/// The new text of a file in which `cases` get the given expectations, and how its lines
/// moved.
pub(crate) fn rewrite(
    text: &str,
    cases: &[(&TestCase, Expect<'_>)],
) -> Result<(String, Moves), Unsupported> {
    // Cut as the parser counts lines (a lone `\r` is a break), so that the keys' lines
    // index them.
    let lines = crate::schema::yaml::lines_with_breaks(text);
    let mut edits = Vec::new();
    for (case, expect) in cases {
        edits.push(edit(&lines, case, *expect)?);
    }
    edits.sort_by_key(|e| e.start);
    // Each edit moves the lines from its end (0-based, exclusive: the first 1-based line
    // after it is `end + 1`) by the lines it adds less those it replaces.
    let moves = Moves(
        edits
            .iter()
            .map(|e| {
                let added = e.text.matches('\n').count();
                let delta = isize::try_from(added).unwrap_or(isize::MAX)
                    - isize::try_from(e.end.saturating_sub(e.start)).unwrap_or(isize::MAX);
                (e.end, delta)
            })
            .collect(),
    );
    // New lines end as the file's first line does (`\r\n` in a file from Windows).
    let line_break = lines
        .first()
        .map_or("\n", |l| &l[l.trim_end_matches(['\n', '\r']).len()..]);
    let line_break = if line_break.is_empty() {
        "\n"
    } else {
        line_break
    };
    let mut out = String::with_capacity(text.len());
    let mut next = 0;
    for e in edits {
        for l in &lines[next..e.start] {
            out.push_str(l);
        }
        if !out.is_empty() && !out.ends_with(['\n', '\r']) {
            out.push_str(line_break);
        }
        if line_break == "\n" {
            out.push_str(&e.text);
        } else {
            out.push_str(&e.text.replace('\n', line_break));
        }
        next = e.end.max(e.start);
    }
    for l in &lines[next.min(lines.len())..] {
        out.push_str(l);
    }
    Ok((out, moves))
}

fn edit(lines: &[&str], case: &TestCase, expect: Expect<'_>) -> Result<Edit, Unsupported> {
    let keys = &case.keys;
    for (i, k) in keys.iter().enumerate() {
        let before = lines
            .get(k.line - 1)
            .map_or("", |l| l.get(..k.col - 1).unwrap_or(l));
        let same_line = i > 0 && keys[i - 1].line == k.line;
        if same_line || !before.trim().is_empty() {
            return Err(Unsupported(format!(
                "case \"{}\" is not written as a block mapping; rewrite its result by hand",
                case.name
            )));
        }
    }
    let Some(last) = keys.last() else {
        return Err(Unsupported(format!("case \"{}\" has no keys", case.name)));
    };
    // Not expected (the keys were read from this text), but a line past the end must not
    // cost a panic.
    if keys.iter().any(|k| k.line == 0 || k.line > lines.len()) {
        return Err(Unsupported(format!(
            "case \"{}\" is not where its file's lines say; rewrite its result by hand",
            case.name
        )));
    }
    // The document ends at the next document marker (always at column 1) or the file's end.
    let doc_end = (last.line..lines.len())
        .find(|&i| lines[i].starts_with("---") || lines[i].starts_with("..."))
        .unwrap_or(lines.len());
    let indent = last.col - 1;
    // The value of key i ends where key i+1 starts, less the comments and blank lines
    // before it (they belong to what follows).
    let range = |i: usize| -> (usize, usize) {
        let start = keys[i].line - 1;
        let mut end = keys.get(i + 1).map_or(doc_end, |k| k.line - 1);
        while end > start + 1 {
            let l = lines[end - 1];
            let t = l.trim_start();
            let col = l.len() - t.len();
            if t.trim().is_empty() || (t.starts_with('#') && col <= indent) {
                end -= 1;
            } else {
                break;
            }
        }
        (start, end)
    };
    let targets: Vec<usize> = keys
        .iter()
        .enumerate()
        .filter(|(_, k)| matches!(k.name.as_str(), "result" | "results" | "error"))
        .map(|(i, _)| i)
        .collect();
    // Keep the `{{.LogType}}` placeholder when the old expectation used it.
    let placeholder = targets.iter().any(|&i| {
        let (start, end) = range(i);
        lines[start..end].iter().any(|l| l.contains(".LogType"))
    });
    let log_type = placeholder.then_some(case.log_type.as_str());
    let block = match expect {
        Expect::Events(events) => block(events, indent, log_type),
        // A JSON string is a YAML double-quoted scalar: its escapes are YAML's too.
        Expect::Reject(reason) => format!(
            "{}error: {}\n",
            " ".repeat(indent),
            Value::String(reason.to_owned())
        ),
    };
    match targets.as_slice() {
        [] => {
            let (_, end) = range(keys.len() - 1);
            Ok(Edit {
                start: end,
                end,
                text: block,
            })
        }
        [only] => {
            let (start, end) = range(*only);
            Ok(Edit {
                start,
                end,
                text: block,
            })
        }
        [first, .., last] => {
            // Several of `result`, `results`, `error`: one block replaces them all, and
            // anything between.
            let (start, _) = range(*first);
            let (_, end) = range(*last);
            Ok(Edit {
                start,
                end,
                text: block,
            })
        }
    }
}

/// The YAML text of the new expectation, indented like the case's keys.
/// With `placeholder`, a `p_log_type` of that value is written `{{.LogType}}`.
fn block(events: &[String], indent: usize, placeholder: Option<&str>) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    match events {
        [] => {
            let _ = writeln!(out, "{pad}results: []");
        }
        [one] => {
            let _ = writeln!(out, "{pad}result: |");
            push_indented(&mut out, &expected_json(one, placeholder), indent + 2);
        }
        many => {
            let _ = writeln!(out, "{pad}results:");
            for e in many {
                let _ = writeln!(out, "{pad}  - |");
                push_indented(&mut out, &expected_json(e, placeholder), indent + 6);
            }
        }
    }
    out
}

fn push_indented(out: &mut String, text: &str, indent: usize) {
    for line in text.lines() {
        for _ in 0..indent {
            out.push(' ');
        }
        out.push_str(line);
        out.push('\n');
    }
}

/// An actual event (compact JSON) as pretty JSON, without the keys an expectation leaves out.
/// With `placeholder`, a `p_log_type` of that value is written `{{.LogType}}`.
fn expected_json(event: &str, placeholder: Option<&str>) -> String {
    let Ok(Json::Object(mut entries)) = Json::parse(event) else {
        return event.to_owned();
    };
    let time = |key: &str, entries: &[(String, Json)]| {
        entries.iter().find_map(|(k, v)| match v {
            Json::Scalar(s) if k == key => Some(s.clone()),
            _ => None,
        })
    };
    let event_is_parse_time = time(P_EVENT_TIME, &entries) == time(P_PARSE_TIME, &entries);
    entries.retain(|(k, _)| {
        !matches!(
            k.as_str(),
            P_ROW_ID | P_PARSE_TIME | P_SCHEMA_VERSION | P_SOURCE_ID | P_SOURCE_LABEL
        ) && (k != P_EVENT_TIME || !event_is_parse_time)
    });
    if let Some(lt) = placeholder {
        let quoted = Value::from(lt).to_string();
        for (k, v) in &mut entries {
            if k == P_LOG_TYPE && matches!(v, Json::Scalar(s) if *s == quoted) {
                *v = Json::Scalar(Value::from("{{.LogType}}").to_string());
            }
        }
    }
    let mut out = String::new();
    Json::Object(entries).pretty(&mut out, 0);
    out
}

/// A JSON value that keeps the order of object keys (`serde_json::Value` sorts them) and
/// the text of its scalars: a `json` field's numbers as the event has them (`1e3`, `-0`, a
/// 23-digit integer), where a float rewrote them (`1000.0`, `-0.0`,
/// `1.2345678901234568e+22`: review s44-h8 LOW-1).
enum Json {
    /// A string, number, boolean or null, as written.
    Scalar(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The JSON value `text`.
    fn parse(text: &str) -> Result<Json, serde_json::Error> {
        match text.as_bytes().first() {
            Some(b'{') => {
                let Entries(raw) = serde_json::from_str(text)?;
                raw.into_iter()
                    .map(|(k, v)| Ok((k, Json::parse(v.get())?)))
                    .collect::<Result<_, _>>()
                    .map(Json::Object)
            }
            Some(b'[') => {
                let raw: Vec<Box<RawValue>> = serde_json::from_str(text)?;
                raw.iter()
                    .map(|v| Json::parse(v.get()))
                    .collect::<Result<_, _>>()
                    .map(Json::Array)
            }
            _ => {
                serde_json::from_str::<serde::de::IgnoredAny>(text)?;
                Ok(Json::Scalar(text.to_owned()))
            }
        }
    }

    fn pretty(&self, out: &mut String, indent: usize) {
        match self {
            Json::Scalar(v) => out.push_str(v),
            // Lists of plain values (indicators, tags) stay on one line.
            Json::Array(items) if items.iter().all(|i| matches!(i, Json::Scalar(_))) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.pretty(out, indent);
                }
                out.push(']');
            }
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    out.push_str(if i > 0 { ",\n" } else { "\n" });
                    pad(out, indent + 2);
                    item.pretty(out, indent + 2);
                }
                out.push('\n');
                pad(out, indent);
                out.push(']');
            }
            Json::Object(entries) if entries.is_empty() => out.push_str("{}"),
            Json::Object(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    out.push_str(if i > 0 { ",\n" } else { "\n" });
                    pad(out, indent + 2);
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push_str(": ");
                    v.pretty(out, indent + 2);
                }
                out.push('\n');
                pad(out, indent);
                out.push('}');
            }
        }
    }
}

fn pad(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

/// An object's entries in order, each value's text as written.
struct Entries(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Entries, D::Error> {
        d.deserialize_map(EntriesVisitor)
    }
}

struct EntriesVisitor;

impl<'de> Visitor<'de> for EntriesVisitor {
    type Value = Entries;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Box<RawValue>>()? {
            entries.push((k, v));
        }
        Ok(Entries(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn rewrite_all(text: &str, events: &[String]) -> Result<String, Unsupported> {
        let cases = crate::schematest::file::parse(text, &Arc::from("t_tests.yml")).expect("valid");
        let todo: Vec<(&TestCase, Expect<'_>)> =
            cases.iter().map(|c| (c, Expect::Events(events))).collect();
        rewrite(text, &todo).map(|(text, _)| text)
    }

    /// A `json` field's numbers are written as the event has them, not through a float
    /// (review s44-h8 LOW-1: `1e3` became `1000.0`, `-0` `-0.0`, and a 23-digit integer
    /// `1.2345678901234568e+22`).
    #[test]
    fn numbers_keep_their_text() {
        let event = r#"{"j":{"a":1.50,"b":[1e3,-0,"x\"y"],"c":{"d":12345678901234567890123}},"n":7,"p_log_type":"A.B"}"#;
        assert_eq!(
            expected_json(event, Some("A.B")),
            "{\n  \"j\": {\n    \"a\": 1.50,\n    \"b\": [1e3, -0, \"x\\\"y\"],\n    \"c\": {\n      \
             \"d\": 12345678901234567890123\n    }\n  },\n  \"n\": 7,\n  \"p_log_type\": \
             \"{{.LogType}}\"\n}"
        );
    }

    #[test]
    fn adds_a_result_after_the_last_key() {
        let text = "# head\nname: a\nlogType: A.B\n  # indented comment\ninput: |\n  {}\n\n# tail\n---\nname: b\nlogType: A.B\ninput: '{}'";
        let ev = [r#"{"x":1,"p_log_type":"A.B"}"#.to_owned()];
        assert_eq!(
            rewrite_all(text, &ev).expect("rewritten"),
            "# head\nname: a\nlogType: A.B\n  # indented comment\ninput: |\n  {}\nresult: |\n  {\n    \"x\": 1,\n    \"p_log_type\": \"A.B\"\n  }\n\n# tail\n---\nname: b\nlogType: A.B\ninput: '{}'\nresult: |\n  {\n    \"x\": 1,\n    \"p_log_type\": \"A.B\"\n  }\n"
        );
    }

    #[test]
    fn moves_say_where_the_lines_after_each_block_went() {
        // Case a gets a result of 5 lines where it had none, case b's one-line result
        // becomes `results: []` (as long), and case c's one-line result 5 lines.
        let text = "name: a\nlogType: A.B\ninput: '{}'\n---\nname: b\nlogType: A.B\n\
                    input: '{}'\nresult: '{}'\n---\nname: c\nlogType: A.B\ninput: '{}'\n\
                    result: '{}'\n# end\n";
        let cases = crate::schematest::file::parse(text, &Arc::from("t_tests.yml")).expect("valid");
        let one = [r#"{"x":1,"p_log_type":"A.B"}"#.to_owned()];
        let todo = [
            (&cases[0], Expect::Events(&one)),
            (&cases[1], Expect::Events(&[])),
            (&cases[2], Expect::Events(&one)),
        ];
        let (new, moves) = rewrite(text, &todo).expect("rewritten");
        let again = crate::schematest::file::parse(&new, &Arc::from("t_tests.yml")).expect("valid");
        let before: Vec<usize> = cases.iter().map(|c| c.line).collect();
        let after: Vec<usize> = again.iter().map(|c| c.line).collect();
        assert_eq!(before, [1, 5, 10]);
        assert_eq!(after, [1, 10, 15]);
        let mapped: Vec<usize> = before.iter().map(|&l| moves.line(l)).collect();
        assert_eq!(mapped, after);
        // A line after the last block moves by all of them: `# end` (14) by 5 + 0 + 4.
        assert_eq!(moves.line(14), 23);
        assert_eq!(new.lines().nth(22), Some("# end"));
    }

    #[test]
    fn replaces_result_and_results_together() {
        let text =
            "name: a\nlogType: A.B\ninput: '{}'\nresult: '{\"a\": 1}'\nresults:\n- '{\"b\": 1}'\n";
        assert_eq!(
            rewrite_all(text, &[]).expect("rewritten"),
            "name: a\nlogType: A.B\ninput: '{}'\nresults: []\n"
        );
    }

    #[test]
    fn flow_mappings_are_not_rewritten() {
        let text = "{name: a, logType: A.B, input: '{}', results: []}\n";
        assert!(rewrite_all(text, &[]).is_err());
    }

    #[test]
    fn pretty_keeps_order_and_drops_volatile_keys() {
        let ev = r#"{"z":1,"a":{"k":[1,2],"o":[{"x":null}]},"p_log_type":"A.B","p_row_id":"r","p_event_time":"2024-01-01T00:00:00Z","p_parse_time":"2024-01-01T00:00:00Z","p_schema_version":0}"#;
        assert_eq!(
            expected_json(ev, None),
            "{\n  \"z\": 1,\n  \"a\": {\n    \"k\": [1, 2],\n    \"o\": [\n      {\n        \"x\": null\n      }\n    ]\n  },\n  \"p_log_type\": \"A.B\"\n}"
        );
    }

    #[test]
    fn keeps_event_time_when_not_parse_time() {
        let ev = r#"{"p_log_type":"A.B","p_event_time":"2023-01-01T00:00:00Z","p_parse_time":"2024-01-01T00:00:00Z"}"#;
        let json = expected_json(ev, Some("A.B"));
        assert!(json.contains("\"p_event_time\": \"2023-01-01T00:00:00Z\""));
        assert!(json.contains("\"p_log_type\": \"{{.LogType}}\""));
    }
}
