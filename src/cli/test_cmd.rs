//! `normalog test`: run schema test files and render the report.
//!
//! stdout gets one line per case and the summary (the command's data), and with `--update`
//! what was rewritten; load errors, and the cases that now expect a reject, go to stderr.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde_json::Value;

use super::args::TestArgs;
use super::{messages, stdout_error, Fatal, EXIT_FATAL, EXIT_OK, EXIT_REJECTS};
use normalog::schematest::{
    CaseResult, Difference, LoadError, Outcome, Reject, Report, Suite, Updated,
};

pub(super) fn run(args: &TestArgs) -> Result<u8, Fatal> {
    let paths = [&args.paths[..], &args.schemas].concat();
    let (suite, load_errors) = if paths.is_empty() {
        match Suite::builtin() {
            Ok(s) => (s, Vec::new()),
            Err(e) => {
                report_errors(&e.0);
                return Ok(EXIT_FATAL);
            }
        }
    } else {
        Suite::load_partial(&paths)
    };
    // Said first, and the rest still runs: one broken file among many should not hide how
    // the others fare, and CI still fails on it (exit 2).
    report_errors(&load_errors);
    super::print_warnings(&suite.registry);
    let report = suite.run();
    if report.cases().next().is_none() && !load_errors.is_empty() {
        // Nothing ran, and the errors above say why; "0 passed" would only add noise.
        return Ok(EXIT_FATAL);
    }
    // Even when every case passed: the report then says that nothing needed rewriting,
    // rather than read as if --update had been left out.
    let updated = args.update.then(|| suite.update(&report));
    let mut out = io::stdout().lock();
    out.write_all(render(&report, updated.as_ref()).as_bytes())
        .map_err(stdout_error)?;
    out.flush().map_err(stdout_error)?;
    if let Some(u) = &updated {
        report_errors(&u.errors);
        // After the report, which names them FAIL: why --update left them as they were.
        report_errors(&u.skipped);
        note_new_rejects(&report, u);
    }
    if report.passed() == 0 && report.failed() == 0 {
        // Passing with nothing tested would hide a misplaced or misnamed test file.
        messages::error(
            "no test cases found (test files are named *_tests.yml / *_tests.yaml, or sit in a \
             tests/ directory beside the schema, and their cases name its log type in logType)",
        );
        return Ok(EXIT_FATAL);
    }
    // A case that could not run (its log type is not loaded) is a setup error, as an
    // unreadable file is: exit 2, so that CI tells it from a schema that fails its cases.
    let not_run = report
        .cases()
        .filter(|c| matches!(c.outcome, Outcome::Error(_)))
        .count();
    if not_run > 0 {
        messages::error(&if not_run == 1 {
            "1 case could not run (its error is in the report)".to_owned()
        } else {
            format!("{not_run} cases could not run (their errors are in the report)")
        });
    }
    if !load_errors.is_empty() {
        // Repeated after the report, which may have scrolled the errors out of sight.
        let files = origins(&load_errors);
        messages::error(&if let [file] = &files[..] {
            format!("{file} did not load (see its errors above); the rest ran")
        } else {
            format!(
                "{} files did not load (see their errors above): {}; the rest ran",
                files.len(),
                files.join(", ")
            )
        });
    }
    let failed = report
        .cases()
        .filter(|c| is_failed(c, updated.as_ref()))
        .count();
    Ok(if not_run > 0 || !load_errors.is_empty() {
        EXIT_FATAL
    } else if failed > 0 {
        EXIT_REJECTS
    } else {
        EXIT_OK
    })
}

/// The cases whose rewrite made them expect a reject: `error:` is ours, and a file with it no
/// longer runs in Panther's runner (it refuses unknown keys). Said, as the rewrite is silent.
fn note_new_rejects(report: &Report, updated: &Updated) {
    let to_error = report
        .cases()
        // A case that already expected a reject (`NotRejected`) had `error:` before.
        .filter(|c| c.actual.is_empty() && matches!(c.outcome, Outcome::Rejected { .. }))
        .filter(|c| is_rewritten(c, Some(updated)))
        .count();
    if to_error == 0 {
        return;
    }
    let (s, they, verb) = if to_error == 1 {
        ("", "it", "expects")
    } else {
        ("s", "they", "expect")
    };
    messages::error(&format!(
        "{to_error} case{s} now {verb} a reject (`error:` with the reason): `error:` is \
         normalog's, Panther's runner refuses the key; check that {they} should be rejected"
    ));
}

fn report_errors(errors: &[LoadError]) {
    for err in errors {
        messages::error(&err.to_string());
    }
}

/// The files that `errors` are about, each once, in order.
fn origins(errors: &[LoadError]) -> Vec<String> {
    let mut files: Vec<String> = Vec::new();
    for e in errors {
        let origin = e.origin().unwrap_or("<string>");
        if !files.iter().any(|f| f == origin) {
            files.push(origin.to_owned());
        }
    }
    files
}

/// Whether `case` still fails: it did not pass, and `--update` did not rewrite it.
fn is_failed(case: &CaseResult, updated: Option<&Updated>) -> bool {
    !case.outcome.is_pass() && !is_rewritten(case, updated)
}

fn is_rewritten(case: &CaseResult, updated: Option<&Updated>) -> bool {
    updated.is_some_and(|u| {
        case.outcome.is_updatable() && case.not_updatable().is_none() && u.rewrote(&case.file)
    })
}

/// The whole report: a line per case, the details of failures, and `N passed, M failed`.
/// With `--update`, a rewritten case is `upd` (its new expectation is in the file, for
/// `git diff`), the count of those joins the summary, and a line per file says what was
/// rewritten there (or one line says that every case passed): the run succeeded, and should
/// not read as a list of failures. Each case is named at its line in the file as rewritten.
pub(crate) fn render(report: &Report, updated: Option<&Updated>) -> String {
    let mut s = String::new();
    for case in report.cases() {
        render_case(case, updated, &mut s);
    }
    let failed = report.cases().filter(|c| is_failed(c, updated)).count();
    let Some(updated) = updated else {
        let _ = writeln!(s, "{} passed, {failed} failed", report.passed());
        return s;
    };
    let rewritten: usize = updated.files.iter().map(|(_, n)| n).sum();
    let _ = writeln!(
        s,
        "{} passed, {rewritten} updated, {failed} failed",
        report.passed()
    );
    for (file, n) in &updated.files {
        let s_ = if *n == 1 { "" } else { "s" };
        let _ = writeln!(s, "updated {n} expected result{s_} in {file}");
    }
    if report.passed() > 0 && report.failed() == 0 {
        let _ = writeln!(s, "nothing to update: every case passed");
    }
    s
}

const DETAIL: &str = "     ";

fn render_case(case: &CaseResult, updated: Option<&Updated>, s: &mut String) {
    let rewritten = is_rewritten(case, updated);
    let status = if case.outcome.is_pass() {
        "ok  "
    } else if rewritten {
        "upd "
    } else {
        "FAIL"
    };
    // Where the case is now: to be found in the file as it is after the rewrite.
    let line = updated.map_or(case.line, |u| u.line(&case.file, case.line));
    let _ = writeln!(s, "{status} {} ({}:{line})", case.name, case.file);
    if rewritten {
        return;
    }
    match &case.outcome {
        Outcome::Fail(diffs) => {
            for d in diffs {
                let _ = writeln!(s, "{DETAIL}{}", difference(d));
            }
        }
        Outcome::Rejected {
            rejects,
            expected,
            event_lines,
        } => rejected(case, rejects, *expected, event_lines, s),
        Outcome::NotRejected {
            expected,
            rejects,
            event_lines,
        } => not_rejected(case, expected, rejects, event_lines, s),
        Outcome::Error(m) => {
            let _ = writeln!(s, "{DETAIL}error: {m}");
        }
        _ => {}
    }
}

/// A case that expects no reject, with rejected lines. The input lines are named when the
/// input has several (a text input); one record reads as it did before lines were named.
fn rejected(
    case: &CaseResult,
    rejects: &[Reject],
    expected: usize,
    event_lines: &[usize],
    s: &mut String,
) {
    for r in rejects {
        let _ = match r.line {
            Some(line) => writeln!(s, "{DETAIL}input line {line} rejected: {}", r.reason),
            None => writeln!(s, "{DETAIL}input rejected: {}", r.reason),
        };
    }
    let e = if expected == 1 { "" } else { "s" };
    if rejects.iter().all(|r| r.line.is_none()) {
        let _ = if expected == 0 {
            writeln!(
                s,
                "{DETAIL}expected no event and no reject (\"error\" expects a reject)"
            )
        } else {
            writeln!(
                s,
                "{DETAIL}expected {expected} event{e}, got {}",
                count(case.actual.len())
            )
        };
        return;
    }
    let got = got(event_lines, rejects.len());
    let _ = if expected == 0 {
        writeln!(
            s,
            "{DETAIL}expected no event and no reject (\"error\" expects a reject), got {got}"
        )
    } else {
        writeln!(
            s,
            "{DETAIL}expected {expected} event{e} and no reject, got {got}"
        )
    };
    if !case.actual.is_empty() {
        let _ = writeln!(s, "{DETAIL}{EITHER}");
    }
}

/// Said of a case whose input gives events and rejects.
const EITHER: &str = "a case expects either events or a reject: split its input into cases";

/// A case that expects a reject (`error`) and got something else: each input line that gave
/// an event or another reject is named, when the input has several lines.
fn not_rejected(
    case: &CaseResult,
    expected: &str,
    rejects: &[Reject],
    event_lines: &[usize],
    s: &mut String,
) {
    let named = !event_lines.is_empty() || rejects.iter().any(|r| r.line.is_some());
    if !named {
        let got = match (rejects.first(), case.actual.len()) {
            (Some(r), 0) => format!("another: {}", r.reason),
            (None, 0) => "no event and no reject".to_owned(),
            (_, 1) => "1 event".to_owned(),
            (_, n) => format!("{n} events"),
        };
        let _ = writeln!(s, "{DETAIL}expected a reject with {expected:?}, got {got}");
        return;
    }
    let _ = writeln!(
        s,
        "{DETAIL}expected a reject with {expected:?} for every line not skipped, and no event; \
         got:"
    );
    // In input order: the lines that gave events, and those rejected for another reason.
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (i, &line) in event_lines.iter().enumerate() {
        if i > 0 && event_lines[i - 1] == line {
            continue;
        }
        let n = event_lines.iter().filter(|&&l| l == line).count();
        let events = if n == 1 {
            "an event".to_owned()
        } else {
            format!("{n} events")
        };
        lines.push((line, format!("input line {line} gave {events}")));
    }
    for r in rejects.iter().filter(|r| !r.reason.contains(expected)) {
        let line = r.line.unwrap_or(0);
        lines.push((
            line,
            format!(
                "input line {line} rejected for another reason: {}",
                r.reason
            ),
        ));
    }
    lines.sort_by_key(|(line, _)| *line);
    for (_, text) in lines {
        let _ = writeln!(s, "{DETAIL}  {text}");
    }
    if !case.actual.is_empty() && !rejects.is_empty() {
        let _ = writeln!(s, "{DETAIL}{EITHER}");
    }
}

/// `1 event (input line 1) and 2 rejected lines`, `no event and 1 rejected line`.
fn got(event_lines: &[usize], rejects: usize) -> String {
    let mut lines = event_lines.to_vec();
    lines.dedup();
    let events = match (event_lines.len(), &lines[..]) {
        (0, _) => "no event".to_owned(),
        (1, [line]) => format!("1 event (input line {line})"),
        (n, [line]) => format!("{n} events (input line {line})"),
        (n, _) => {
            let each: Vec<String> = lines.iter().map(ToString::to_string).collect();
            format!("{n} events (input lines {})", each.join(", "))
        }
    };
    let s = if rejects == 1 { "" } else { "s" };
    format!("{events} and {rejects} rejected line{s}")
}

fn count(n: usize) -> String {
    if n == 0 {
        "none".to_owned()
    } else {
        n.to_string()
    }
}

/// `key: expected <value>, actual <value>`, values as compact JSON.
fn difference(d: &Difference) -> String {
    let value = |v: &Option<Value>| v.as_ref().map_or("(absent)".to_owned(), Value::to_string);
    let expected = d.rule.map_or_else(|| value(&d.expected), str::to_owned);
    format!(
        "{}: expected {expected}, actual {}",
        d.path,
        value(&d.actual)
    )
}
