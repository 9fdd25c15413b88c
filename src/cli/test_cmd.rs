//! `normalog test`: run schema test files and render the report.
//!
//! stdout gets one line per case and the summary (the command's data); load errors and
//! `--update` notes go to stderr.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde_json::Value;

use super::args::TestArgs;
use super::{messages, Fatal, EXIT_FATAL, EXIT_OK, EXIT_REJECTS};
use normalog::schematest::{CaseResult, Difference, LoadErrors, Outcome, Report, Suite};

pub(super) fn run(args: &TestArgs) -> Result<u8, Fatal> {
    let paths = [&args.paths[..], &args.schemas].concat();
    let suite = if paths.is_empty() {
        Suite::builtin()
    } else {
        Suite::load(&paths)
    };
    let suite = match suite {
        Ok(s) => s,
        Err(e) => {
            report_errors(&e);
            return Ok(EXIT_FATAL);
        }
    };
    super::print_warnings(&suite.registry);
    let report = suite.run();
    let mut out = io::stdout().lock();
    out.write_all(render(&report).as_bytes())?;
    out.flush()?;
    if report.passed() == 0 && report.failed() == 0 {
        // Passing with nothing tested would hide a misplaced or misnamed test file.
        messages::error(
            "no test cases found (test files are named *_tests.yml / *_tests.yaml, or sit in a \
             tests/ directory beside the schema)",
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
        let s = if not_run == 1 { "" } else { "s" };
        messages::error(&format!(
            "{not_run} case{s} could not run (their errors are in the report)"
        ));
    }
    let setup = if not_run > 0 {
        EXIT_FATAL
    } else {
        EXIT_REJECTS
    };
    if report.failed() == 0 {
        return Ok(EXIT_OK);
    }
    if !args.update {
        return Ok(setup);
    }
    let updatable = report.cases().filter(|c| c.outcome.is_updatable()).count();
    // The cases that will expect a reject: `error:` is ours, and a file with it no longer
    // runs in Panther's runner (it refuses unknown keys). Said, as the rewrite is silent.
    let to_error = report
        .cases()
        // A case that already expected a reject (`NotRejected`) had `error:` before.
        .filter(|c| c.actual.is_empty() && matches!(c.outcome, Outcome::Rejected { .. }))
        .count();
    match suite.update(&report) {
        Ok(done) => {
            for (origin, n) in &done {
                let s = if *n == 1 { "" } else { "s" };
                messages::error(&format!("{origin}: updated {n} case{s}"));
            }
            if to_error > 0 {
                let (s, they) = if to_error == 1 {
                    ("", "it")
                } else {
                    ("s", "they")
                };
                messages::error(&format!(
                    "{to_error} case{s} now expect{} a reject (`error:` with the reason): \
                     `error:` is normalog's, Panther's runner refuses the key; check that \
                     {they} should be rejected",
                    if to_error == 1 { "s" } else { "" }
                ));
            }
            // Cases that could not run (unknown log type) are still failing.
            Ok(if updatable == report.failed() {
                EXIT_OK
            } else {
                setup
            })
        }
        Err(e) => {
            report_errors(&e);
            Ok(EXIT_REJECTS)
        }
    }
}

fn report_errors(e: &LoadErrors) {
    for err in &e.0 {
        messages::error(&err.to_string());
    }
}

/// The whole report: a line per case, the details of failures, and `N passed, M failed`.
pub(crate) fn render(report: &Report) -> String {
    let mut s = String::new();
    for case in report.cases() {
        render_case(case, &mut s);
    }
    let _ = writeln!(s, "{} passed, {} failed", report.passed(), report.failed());
    s
}

const DETAIL: &str = "     ";

fn render_case(case: &CaseResult, s: &mut String) {
    let status = if case.outcome.is_pass() {
        "ok  "
    } else {
        "FAIL"
    };
    let _ = writeln!(s, "{status} {} ({}:{})", case.name, case.file, case.line);
    match &case.outcome {
        Outcome::Fail(diffs) => {
            for d in diffs {
                let _ = writeln!(s, "{DETAIL}{}", difference(d));
            }
        }
        Outcome::Rejected { reason, expected } => {
            let _ = writeln!(s, "{DETAIL}input rejected: {reason}");
            if *expected == 0 {
                let _ = writeln!(
                    s,
                    "{DETAIL}expected no event and no reject (\"error\" expects a reject)"
                );
            } else {
                let e = if *expected == 1 { "" } else { "s" };
                let _ = writeln!(
                    s,
                    "{DETAIL}expected {expected} event{e}, got {}",
                    count(case.actual.len())
                );
            }
        }
        Outcome::NotRejected { expected, reason } => {
            let got = match (reason, case.actual.len()) {
                (Some(r), 0) => format!("another: {r}"),
                (None, 0) => "no event and no reject".to_owned(),
                (_, 1) => "1 event".to_owned(),
                (_, n) => format!("{n} events"),
            };
            let _ = writeln!(s, "{DETAIL}expected a reject with {expected:?}, got {got}");
        }
        Outcome::Error(m) => {
            let _ = writeln!(s, "{DETAIL}error: {m}");
        }
        _ => {}
    }
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
