//! Schema tests: run Panther-format test files (`*_tests.yml`) against log schemas.
//!
//! A test file holds one case per YAML document:
//!
//! ```yaml
//! ---
//! name: Sign-in from the web client
//! logType: Zoom.Activity
//! input: |
//!   {"email": "ann@example.com", "time": "2023-07-01T14:00:00Z", "type": "Sign in"}
//! result: |
//!   {
//!     "email": "ann@example.com",
//!     "time": "2023-07-01T14:00:00Z",
//!     "type": "Sign in",
//!     "p_log_type": "{{.LogType}}",
//!     "p_event_time": "2023-07-01T14:00:00Z",
//!     "p_any_emails": ["ann@example.com"]
//!   }
//! ```
//!
//! * `input` is one record (pretty-printed JSON over several lines is fine); none, or an
//!   empty one, is no record. A case without `name` is named by its line.
//! * `result` is the expected event as a JSON string, or as a YAML mapping; `results` is a
//!   list of them (`result` comes first), and `results: []` (or neither key, or `result:
//!   ""`) means the input must produce no event and no reject, e.g. a CSV header or a
//!   comment line. A blank item of `results` is an error, not "no event".
//! * `error` (ours, not Panther's) instead says the input must be rejected, with a reason that
//!   contains its text (`error: missing required field "id"`). For a text input of several
//!   lines, every line must be skipped or rejected with such a reason, and at least one
//!   rejected: a line that gives an event, or is rejected for another reason, fails the case.
//! * `{{.LogType}}` in an expected event stands for the case's `logType`.
//! * Any other key is an error naming the file and line.
//!
//! # Comparison
//!
//! Events are compared as Panther's `logtesting.TestResult` compares them:
//!
//! * `p_log_type` must match;
//! * `p_row_id` must be a non-empty string and `p_parse_time` a timestamp; their expected
//!   values, if any, are ignored;
//! * `p_event_time` is compared as an instant; when the expected event has none (or `null`,
//!   or `""`), the event time must equal the parse time (the record has no event time);
//! * timestamp fields of the schema are compared as instants, whatever their rendering in the
//!   expected event: RFC3339, Panther's data-lake layout `YYYY-MM-DD HH:MM:SS[.f]` (UTC), or
//!   the string or number the field's own `timeFormat` reads (`1688220000` for `unix`);
//! * every other key is compared exactly: a missing or an extra key is a difference, `p_any_*`
//!   arrays must be sorted and deduplicated. Numbers compare by value (`1 == 1.0`), and an
//!   expected `null` is a difference: normalized events never hold `null`, so Panther's
//!   `JSONEq` finds the key missing (leave out what a record does not fill);
//! * `p_schema_version`, `p_source_id` and `p_source_label` are compared only when the
//!   expected event lists them: Panther's format predates the first and leaves the others to
//!   the source.
//!
//! A case whose input is rejected fails with the reject reason ([`Outcome::Rejected`]) unless
//! it expects that reject with `error`: Panther's runner requires the input to parse
//! (`logtesting.TestRegisteredParser` asserts no error) before it counts the events, so "no
//! event" there means a line skipped on purpose, never a line refused. A case expects either
//! events or a reject, so an input whose lines give both can never pass: its lines belong in
//! cases of their own. Each reject ([`Reject`]) names its line in the input when the input is
//! several lines of text.
//!
//! # Usage
//!
//! ```
//! use normalog::schematest::Suite;
//!
//! let suite = Suite::builtin()?; // the shipped schemas and their shipped tests
//! let report = suite.run();
//! assert_eq!(report.failed(), 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The library never prints: [`Report`] holds, per case, its name, file, line and
//! [`Outcome`]; the `normalog test` command renders it.

mod compare;
mod file;
mod paths;
mod report;
mod run;
mod update;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::registry::Registry;
use crate::schema::SchemaError;
use file::KeyPos;
pub use paths::MAX_TEST_FILE_BYTES;
pub use report::{CaseResult, Difference, FileReport, Outcome, Reject, Report};
pub use run::run_case;

/// The shipped schema tests, compiled into the binary: `(origin, YAML)`.
pub const BUILTIN_TESTS: &[(&str, &str)] = &[
    (
        "<builtin>/zendesk/tests/Audit.yml",
        include_str!("../../schemas/zendesk/tests/Audit.yml"),
    ),
    (
        "<builtin>/zoom/tests/Activity.yml",
        include_str!("../../schemas/zoom/tests/Activity.yml"),
    ),
    (
        "<builtin>/zoom/tests/Operation.yml",
        include_str!("../../schemas/zoom/tests/Operation.yml"),
    ),
];

/// One test case: a document of a test file.
#[derive(Debug, Clone)]
pub struct TestCase {
    /// `name`.
    pub name: String,
    /// `logType`: the schema the input is normalized with.
    pub log_type: String,
    /// `input`: one raw record.
    pub input: String,
    /// The expected events (`result`, then `results`), placeholders expanded. Empty: the
    /// input must produce no event.
    pub expected: Vec<Value>,
    /// `error`: the input must be rejected, with a reason containing this text. Set only when
    /// `expected` is empty.
    pub error: Option<String>,
    /// 1-based line where the case starts in its file.
    pub line: usize,
    /// Where the top-level keys are, for `--update`.
    keys: Vec<KeyPos>,
}

/// A test file and its cases.
#[derive(Debug, Clone)]
pub struct TestFile {
    /// The file name as given (or `<builtin>/...`), for messages.
    pub origin: Arc<str>,
    /// The path on disk; `None` for built-in tests.
    pub path: Option<PathBuf>,
    /// The file's text (kept for `--update`).
    pub text: String,
    /// The cases, in file order.
    pub cases: Vec<TestCase>,
}

impl TestFile {
    /// Parse test-file text; `origin` names it in messages.
    ///
    /// # Errors
    ///
    /// Every problem of the file: invalid YAML, unknown or missing keys, expected events
    /// that are not JSON objects — each with its line and column.
    pub fn from_str(text: &str, origin: &str) -> Result<TestFile, LoadErrors> {
        // Kept without the mark: `--update` rewrites the text at the positions parsed.
        let text = crate::schema::yaml::without_bom(text);
        let origin: Arc<str> = Arc::from(origin);
        let cases = file::parse(text, &origin).map_err(LoadErrors)?;
        Ok(TestFile {
            origin,
            path: None,
            text: text.to_owned(),
            cases,
        })
    }

    /// Read and parse a test file.
    ///
    /// # Errors
    ///
    /// The file cannot be read, holds more than [`MAX_TEST_FILE_BYTES`], or see
    /// [`TestFile::from_str`].
    pub fn from_file(path: &Path) -> Result<TestFile, LoadErrors> {
        let origin = path.display().to_string();
        let text = paths::read_test_file(path, "test file").map_err(|e| LoadErrors(vec![e]))?;
        let mut f = TestFile::from_str(&text, &origin)?;
        f.path = Some(path.to_path_buf());
        Ok(f)
    }
}

/// A problem that stops a test run before it starts: a schema or test file that cannot be
/// read or parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoadError {
    /// A schema problem.
    Schema(SchemaError),
    /// A test-file problem (line and column are 1-based; 0 when unknown).
    TestFile {
        /// The file.
        origin: Arc<str>,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// What is wrong.
        message: String,
    },
}

impl LoadError {
    /// The file the problem is in (or the path that could not be read); `None` for schema
    /// text given without a name.
    #[must_use]
    pub fn origin(&self) -> Option<&str> {
        match self {
            LoadError::Schema(e) => e.origin.as_deref(),
            LoadError::TestFile { origin, .. } => Some(origin),
        }
    }

    fn test_file(origin: &Arc<str>, line: usize, col: usize, message: String) -> LoadError {
        LoadError::TestFile {
            origin: origin.clone(),
            line,
            col,
            message,
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Schema(e) => e.fmt(f),
            LoadError::TestFile {
                origin,
                line: 0,
                message,
                ..
            } => write!(f, "{origin}: {message}"),
            LoadError::TestFile {
                origin,
                line,
                col,
                message,
            } => write!(f, "{origin}:{line}:{col}: {message}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// Every problem found while loading a suite; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadErrors(pub Vec<LoadError>);

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            e.fmt(f)?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadErrors {}

impl From<crate::SchemaErrors> for LoadErrors {
    fn from(e: crate::SchemaErrors) -> LoadErrors {
        LoadErrors(e.0.into_iter().map(LoadError::Schema).collect())
    }
}

/// Schemas and the test files to run against them.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The schemas cases are normalized with.
    pub registry: Registry,
    /// The test files, in the order found.
    pub files: Vec<TestFile>,
    /// The schema files that did not load ([`Suite::load_partial`]): the cases of their log
    /// types fail with [`Outcome::Error`].
    pub broken: Vec<BrokenSchema>,
}

/// A schema file that did not load (its problems are among the load errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenSchema {
    /// The file, as named in messages.
    pub origin: Arc<str>,
    /// The log type it names (its `schema:`), when that much could be read.
    pub log_type: Option<String>,
}

/// What [`Suite::update`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Updated {
    /// Per test file rewritten: its origin and the number of cases whose expectation was
    /// rewritten.
    pub files: Vec<(Arc<str>, usize)>,
    /// The files that could not be rewritten, and why; they are left as they were.
    pub errors: Vec<LoadError>,
    /// The failing cases left as they were because no expectation would make them pass
    /// ([`CaseResult::not_updatable`]), each at its line in its file as rewritten, with why.
    pub skipped: Vec<LoadError>,
    /// How the lines of each rewritten file moved.
    moves: Vec<(Arc<str>, update::Moves)>,
}

impl Updated {
    /// Whether the cases of `file` (an origin) were rewritten.
    #[must_use]
    pub fn rewrote(&self, file: &str) -> bool {
        self.files.iter().any(|(f, _)| &**f == file)
    }

    /// Where what was at `line` (1-based) of `file` (an origin) is now: a case's
    /// [`CaseResult::line`] is from before the rewrite, and the blocks rewritten above it
    /// may have grown or shrunk. `line` itself for a file that was not rewritten.
    #[must_use]
    pub fn line(&self, file: &str, line: usize) -> usize {
        self.moves
            .iter()
            .find(|(f, _)| &**f == file)
            .map_or(line, |(_, m)| m.line(line))
    }
}

impl Suite {
    /// The built-in schemas with their shipped tests.
    ///
    /// # Errors
    ///
    /// Only if a shipped test file is invalid, which the test suite rules out.
    pub fn builtin() -> Result<Suite, LoadErrors> {
        let files = BUILTIN_TESTS
            .iter()
            .map(|(origin, text)| TestFile::from_str(text, origin))
            .collect::<Result<_, _>>()?;
        Ok(Suite {
            registry: Registry::builtin(),
            files,
            broken: Vec::new(),
        })
    }

    /// Run every case of every file.
    pub fn run(&self) -> Report {
        Report {
            files: self
                .files
                .iter()
                .map(|f| FileReport {
                    origin: f.origin.clone(),
                    cases: f.cases.iter().map(|c| self.run_one(c, &f.origin)).collect(),
                })
                .collect(),
        }
    }

    fn run_one(&self, case: &TestCase, file: &Arc<str>) -> CaseResult {
        let Some(broken) = self.broken.iter().find(|b| b.defines(&case.log_type)) else {
            return run_case(&self.registry, case, file);
        };
        CaseResult {
            name: case.name.clone(),
            file: file.clone(),
            line: case.line,
            outcome: Outcome::Error(format!(
                "not run: log type {} is defined in {}, which did not load (see its errors)",
                case.log_type, broken.origin
            )),
            actual: Vec::new(),
        }
    }

    /// `--update`: rewrite the expected results of the failing cases of `report` (from a
    /// [`Suite::run`] of this suite) in their files, from the actual output. Cases whose
    /// outcome is [`Outcome::Error`] are left alone, and so are those no expectation would
    /// make pass, listed in [`Updated::skipped`]: an input whose lines give events and
    /// rejects, or rejects for different reasons (see [`CaseResult::not_updatable`]). Returns
    /// the files rewritten, with the number of cases rewritten in each, and the files that
    /// could not be.
    ///
    /// Only the `result` / `results` block of a failing case is replaced (a case with neither
    /// gets one after its last key); comments, layout and the other cases keep their text.
    /// The new expectation is written as Panther writes it, a JSON string in a `|` block with
    /// the keys in output order. Left out: `p_row_id` and `p_parse_time` (they change on every
    /// run and are not compared), `p_event_time` when it is the parse time (its absence
    /// asserts exactly that), and `p_schema_version` / `p_source_*` (as in Panther's files).
    /// `{{.LogType}}` is kept for `p_log_type` when the old expectation used it. A rejected
    /// input that gave no event (every rejected line with the same reason) gets `error:` with
    /// the reject reason.
    ///
    /// A file that cannot be rewritten is left as it was and listed in [`Updated::errors`]
    /// (a built-in test file, with nothing to write to; a case not written as a block
    /// mapping; an I/O error); the other files are rewritten all the same.
    pub fn update(&self, report: &Report) -> Updated {
        let mut done = Vec::new();
        let mut errors = Vec::new();
        let mut moves = Vec::new();
        let mut skipped = Vec::new();
        for (file, fr) in self.files.iter().zip(&report.files) {
            let mut todo: Vec<(&TestCase, update::Expect<'_>)> = Vec::new();
            let mut left = Vec::new();
            for (c, r) in file.cases.iter().zip(&fr.cases) {
                if !r.outcome.is_updatable() {
                    continue;
                }
                match update::Expect::of(r) {
                    Ok(expect) => todo.push((c, expect)),
                    Err(why) => left.push((c, why)),
                }
            }
            let lines = (!todo.is_empty())
                .then(|| Self::rewrite(file, &todo, &mut done, &mut errors))
                .flatten();
            for (c, why) in left {
                let col = c.keys.first().map_or(1, |k| k.col);
                let message = format!("case \"{}\" not updated: {why}", c.name);
                skipped.push(LoadError::test_file(
                    &file.origin,
                    lines.as_ref().map_or(c.line, |m| m.line(c.line)),
                    col,
                    message,
                ));
            }
            if let Some(lines) = lines {
                moves.push((file.origin.clone(), lines));
            }
        }
        Updated {
            files: done,
            errors,
            skipped,
            moves,
        }
    }

    /// Rewrite the cases `todo` of `file`, saying in `done` or `errors` how it went; how its
    /// lines moved, when it was rewritten.
    fn rewrite(
        file: &TestFile,
        todo: &[(&TestCase, update::Expect<'_>)],
        done: &mut Vec<(Arc<str>, usize)>,
        errors: &mut Vec<LoadError>,
    ) -> Option<update::Moves> {
        let err = |message: String| LoadError::test_file(&file.origin, 0, 0, message);
        let Some(path) = &file.path else {
            errors.push(err(
                "built-in tests cannot be updated; pass the file's path".into(),
            ));
            return None;
        };
        match update::rewrite(&file.text, todo) {
            Ok((text, lines)) => match crate::atomic::write(path, &text) {
                Ok(()) => {
                    done.push((file.origin.clone(), todo.len()));
                    return Some(lines);
                }
                Err(e) => errors.push(err(e.to_string())),
            },
            Err(update::Unsupported(m)) => errors.push(err(m)),
        }
        None
    }
}

impl BrokenSchema {
    fn defines(&self, log_type: &str) -> bool {
        self.log_type.as_deref() == Some(log_type)
    }
}
