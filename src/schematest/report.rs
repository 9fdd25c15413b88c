//! What a schema test run reports: per file, per case, the outcome and the differences
//! between the expected and the actual event.

use std::sync::Arc;

use serde_json::Value;

/// The results of a run, per file.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// One entry per test file, in suite order.
    pub files: Vec<FileReport>,
}

impl Report {
    /// Every case result, in order.
    pub fn cases(&self) -> impl Iterator<Item = &CaseResult> {
        self.files.iter().flat_map(|f| &f.cases)
    }

    /// Number of passing cases.
    #[must_use]
    pub fn passed(&self) -> usize {
        self.cases().filter(|c| c.outcome.is_pass()).count()
    }

    /// Number of failing cases.
    #[must_use]
    pub fn failed(&self) -> usize {
        self.cases().filter(|c| !c.outcome.is_pass()).count()
    }
}

/// The results of one test file.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The file, as named in messages.
    pub origin: Arc<str>,
    /// One result per case, in file order.
    pub cases: Vec<CaseResult>,
}

/// The result of one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The case's `name`.
    pub name: String,
    /// The file it is in.
    pub file: Arc<str>,
    /// 1-based line where the case starts.
    pub line: usize,
    /// What happened.
    pub outcome: Outcome,
    /// The events the input produced, as NDJSON lines.
    pub actual: Vec<String>,
}

/// How a case ended.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// The events are as expected.
    Pass,
    /// Events were produced, but not the expected ones.
    Fail(Vec<Difference>),
    /// The input (or lines of it) was rejected, and the case does not expect a reject.
    Rejected {
        /// Every reject, in input order (never empty).
        rejects: Vec<Reject>,
        /// How many events were expected (0: none, and no reject either).
        expected: usize,
        /// The 1-based line of the input each event came from (as
        /// [`CaseResult::actual`]); empty when the input is one record.
        event_lines: Vec<usize>,
    },
    /// The case expects a reject (`error`), but the input gave an event, nothing, or a reject
    /// whose reason does not contain the expected text.
    NotRejected {
        /// The text every reject reason should contain.
        expected: String,
        /// Every reject, in input order, those with the expected text too.
        rejects: Vec<Reject>,
        /// The 1-based line of the input each event came from (as
        /// [`CaseResult::actual`]); empty when the input is one record.
        event_lines: Vec<usize>,
    },
    /// The case could not run (its log type is not loaded).
    Error(String),
}

/// A record of a case's input that the normalizer rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// The 1-based line of the case's `input` it is on; `None` when the input is one record
    /// (a JSON record, or a text input of one line), where there is no line to tell apart.
    pub line: Option<usize>,
    /// Why it was rejected.
    pub reason: String,
}

impl Outcome {
    /// True for [`Outcome::Pass`].
    #[must_use]
    pub fn is_pass(&self) -> bool {
        matches!(self, Outcome::Pass)
    }

    /// True for the failures `--update` may rewrite: all but [`Outcome::Error`]. Whether a
    /// given case can be rewritten is [`CaseResult::not_updatable`].
    #[must_use]
    pub fn is_updatable(&self) -> bool {
        matches!(
            self,
            Outcome::Fail(_) | Outcome::Rejected { .. } | Outcome::NotRejected { .. }
        )
    }
}

impl CaseResult {
    /// Why `--update` cannot rewrite this failing case, when no expectation would make it
    /// pass: its input gives events and rejects (a case expects either events or a reject),
    /// or rejects for reasons that differ (`error` is one text every reason contains). `None`
    /// for a case that passed, could not run, or can be rewritten.
    #[must_use]
    pub fn not_updatable(&self) -> Option<String> {
        if !self.outcome.is_updatable() {
            return None;
        }
        super::update::Expect::of(self).err()
    }
}

/// One way an actual event differs from the expected one.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// Where: a key path such as `actor.id` or `tags[2]`, prefixed with `[i] ` when the case
    /// expects several events; `(event)` for an event that should not be there.
    pub path: String,
    /// The expected value; `None` when the key should be absent (or see `rule`).
    pub expected: Option<Value>,
    /// The actual value; `None` when the key is absent.
    pub actual: Option<Value>,
    /// When the expectation is a rule rather than a value (`a non-empty string`).
    pub rule: Option<&'static str>,
}

impl Difference {
    pub(super) fn new(path: &str, expected: Option<&Value>, actual: Option<&Value>) -> Difference {
        Difference {
            path: path.to_owned(),
            expected: expected.cloned(),
            actual: actual.cloned(),
            rule: None,
        }
    }

    pub(super) fn rule(path: &str, rule: &'static str, actual: Option<&Value>) -> Difference {
        Difference {
            path: path.to_owned(),
            expected: None,
            actual: actual.cloned(),
            rule: Some(rule),
        }
    }
}
