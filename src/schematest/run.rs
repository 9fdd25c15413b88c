//! One test case run: its input normalized with the schemas loaded, the events and rejects
//! collected, and compared with what the case expects.

use std::sync::Arc;

use serde_json::Value;

use super::compare::{self, Shape};
use super::{CaseResult, Difference, Outcome, Reject, TestCase};
use crate::error::{Error, Position};
use crate::event::{Event, P_EVENT_TIME, P_PARSE_TIME, P_ROW_ID, P_SCHEMA_VERSION};
use crate::registry::Registry;
use crate::sink::{ndjson, Sink};
use crate::NormalizerBuilder;

/// Collects the events of one case as JSON text, and the rejects, each with the line of the
/// input it came from.
#[derive(Default)]
struct CaseSink {
    events: Vec<String>,
    event_lines: Vec<usize>,
    rejects: Vec<Reject>,
    /// The 1-based input line of the record being normalized; `None` for an input of one
    /// record.
    line: Option<usize>,
    buf: Vec<u8>,
}

impl Sink for CaseSink {
    type Error = Error;
    fn record(&mut self, event: &Event<'_>) -> Result<bool, Error> {
        self.buf.clear();
        ndjson::write_event(&mut self.buf, event, ndjson::Options::default());
        self.events
            .push(String::from_utf8_lossy(&self.buf).into_owned());
        self.event_lines.extend(self.line);
        Ok(true)
    }
    fn rejected(&mut self, err: &Error) -> Result<bool, Error> {
        self.rejects.push(Reject {
            line: self.line,
            reason: err.reason(),
        });
        Ok(true)
    }
}

/// An actual event without the values that change on every run, for messages.
fn without_volatile(mut event: Value) -> Value {
    if let Value::Object(m) = &mut event {
        if m.get(P_EVENT_TIME) == m.get(P_PARSE_TIME) {
            m.remove(P_EVENT_TIME);
        }
        for k in [P_ROW_ID, P_PARSE_TIME, P_SCHEMA_VERSION] {
            m.remove(k);
        }
    }
    event
}

/// Why a case of `log_type`, which `registry` does not hold, cannot run.
fn not_loaded(registry: &Registry, log_type: &str) -> String {
    let known: Vec<&str> = registry.log_types().collect();
    let meant = registry.lookup(log_type).err();
    let meant = meant.as_ref().and_then(|u| u.suggestion());
    format!(
        "log type {log_type} is not loaded (loaded: {}); {}give its schema too (a file or \
         directory beside the test files, or -s)",
        known.join(", "),
        crate::suggest::did_you_mean(meant),
    )
}

/// Run one case with the schemas of `registry`.
pub fn run_case(registry: &Registry, case: &TestCase, file: &Arc<str>) -> CaseResult {
    let mut result = CaseResult {
        name: case.name.clone(),
        file: file.clone(),
        line: case.line,
        outcome: Outcome::Pass,
        actual: Vec::new(),
    };
    let (Some(plan), Ok(mut normalizer)) = (
        registry.get(&case.log_type),
        NormalizerBuilder::new()
            .log_types([case.log_type.as_str()])
            .build(registry),
    ) else {
        result.outcome = Outcome::Error(not_loaded(registry, &case.log_type));
        return result;
    };
    let mut sink = CaseSink::default();
    // A JSON input is one record, possibly pretty-printed: simd-json takes the newlines as
    // whitespace, so the whole text is one record. A text input is lines, each a record,
    // kept as written but for the line ends (spaces may matter to the patterns), each with
    // its 1-based line in the input for messages.
    // A leading byte-order mark is no part of the first record, as the framer of a run
    // drops it: a line of it alone is blank.
    let input = case.input.strip_prefix('\u{feff}').unwrap_or(&case.input);
    let (records, whole): (Vec<(usize, &str)>, _) = if plan.is_text() {
        let lines = input
            .lines()
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .enumerate()
            .map(|(i, l)| (i + 1, l));
        // Blank lines, white space alone too, are no records (as the framer of a run
        // tells them): one did not count among the first `skipLines` in a run, but did here.
        let records = lines.filter(|(_, l)| crate::parse::frame::record_of(l.as_bytes()).is_some());
        (records.collect(), None)
    } else {
        // An empty input is no record (Panther's `ParseLog("")` gives no event), as a blank
        // line of a run is none.
        (Vec::new(), Some(input.trim()).filter(|i| !i.is_empty()))
    };
    // One record has no line to tell apart: its messages stay as they were before lines
    // were named.
    let named = records.len() > 1;
    let whole = whole.map(|w| (0, w));
    for (i, (line, input)) in whole.into_iter().chain(records).enumerate() {
        let pos = Position::new(0, i as u64 + 1, i as u64);
        sink.line = named.then_some(line);
        if let Err(e) = normalizer.normalize_bytes(input.as_bytes(), pos, &mut sink) {
            result.outcome = Outcome::Error(e.to_string());
            return result;
        }
    }
    result.actual = sink.events;
    let (mut rejects, event_lines) = (sink.rejects, sink.event_lines);
    let expected = &case.expected;
    if let Some(want) = &case.error {
        // Every rejected line must be the expected reject, and no line may give an event: a
        // case expects either events or a reject, and one reject among others proves little.
        let all_match = !rejects.is_empty() && rejects.iter().all(|r| r.reason.contains(want));
        if !(result.actual.is_empty() && all_match) {
            result.outcome = Outcome::NotRejected {
                expected: want.clone(),
                rejects,
                event_lines,
            };
        }
        return result;
    }
    // A reject fails the case whatever it expects, as Panther's runner fails a case whose
    // input does not parse: a case that expects no event passes only when its lines are
    // skipped (a header, a comment), not when they are refused.
    if let Some(first) = rejects.first_mut() {
        // Two JSON records written on two lines: "trailing characters" alone does not say why.
        let records = case
            .input
            .lines()
            .filter(|l| l.trim_start().starts_with('{'));
        if whole.is_some() && first.reason.contains("trailing characters") && records.count() > 1 {
            first.reason.push_str(
                " (the input holds more than one JSON record: a case of a JSON log type is one \
                 record; write a case for each)",
            );
        }
        result.outcome = Outcome::Rejected {
            rejects,
            expected: expected.len(),
            event_lines,
        };
        return result;
    }
    let diffs = differences(expected, &result.actual, &Shape::of(plan.schema()));
    if !diffs.is_empty() {
        result.outcome = Outcome::Fail(diffs);
    }
    result
}

/// How the `actual` events (NDJSON lines) differ from the `expected` ones, in order.
fn differences(expected: &[Value], actual: &[String], shape: &Shape) -> Vec<Difference> {
    let mut diffs = Vec::new();
    let many = expected.len() > 1 || actual.len() > 1;
    for i in 0..expected.len().max(actual.len()) {
        let prefix = if many {
            format!("[{i}] ")
        } else {
            String::new()
        };
        let a: Option<Value> = actual.get(i).and_then(|s| serde_json::from_str(s).ok());
        if let Some(why) = actual
            .get(i)
            .filter(|_| a.is_none())
            .and_then(|s| super::update::unreadable(s))
        {
            diffs.push(Difference {
                path: format!("{prefix}(event)"),
                expected: expected.get(i).cloned(),
                actual: Some(Value::String(format!(
                    "an event that cannot be compared: {why}"
                ))),
                rule: None,
            });
            continue;
        }
        match (expected.get(i), a) {
            (Some(Value::Object(e)), Some(Value::Object(a))) => {
                for mut d in compare::event(e, &a, shape) {
                    d.path.insert_str(0, &prefix);
                    diffs.push(d);
                }
            }
            (e, a) => diffs.push(Difference {
                path: format!("{prefix}(event)"),
                expected: e.cloned(),
                actual: a.map(without_volatile),
                rule: e.is_none().then_some("no event"),
            }),
        }
    }
    diffs
}
