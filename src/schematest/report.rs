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
    /// The input (or a line of it) was rejected, and the case does not expect a reject.
    Rejected {
        /// Why the normalizer rejected the input (the first reject).
        reason: String,
        /// How many events were expected (0: none, and no reject either).
        expected: usize,
    },
    /// The case expects a reject (`error`), but the input gave events, nothing, or a reject
    /// for another reason.
    NotRejected {
        /// The text the reject reason should contain.
        expected: String,
        /// The reason of the first reject, if any.
        reason: Option<String>,
    },
    /// The case could not run (its log type is not loaded).
    Error(String),
}

impl Outcome {
    /// True for [`Outcome::Pass`].
    #[must_use]
    pub fn is_pass(&self) -> bool {
        matches!(self, Outcome::Pass)
    }

    /// True for the failures `--update` can rewrite: all but [`Outcome::Error`].
    #[must_use]
    pub fn is_updatable(&self) -> bool {
        matches!(
            self,
            Outcome::Fail(_) | Outcome::Rejected { .. } | Outcome::NotRejected { .. }
        )
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
