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
//! * `input` is one record (pretty-printed JSON over several lines is fine).
//! * `result` is the expected event as a JSON string, or as a YAML mapping; `results` is a
//!   list of them (`result` comes first), and `results: []` (or neither key) means the input
//!   must produce no event and no reject, e.g. a CSV header or a comment line.
//! * `error` (ours, not Panther's) instead says the input must be rejected, with a reason that
//!   contains its text (`error: missing required field "id"`).
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
//! * `p_event_time` is compared as an instant; when the expected event has none, the event
//!   time must equal the parse time (the record has no event time);
//! * timestamp fields of the schema are compared as instants, whatever their rendering in the
//!   expected event: RFC3339, Panther's data-lake layout `YYYY-MM-DD HH:MM:SS[.f]` (UTC), or
//!   the string or number the field's own `timeFormat` reads (`1688220000` for `unix`);
//! * every other key is compared exactly: a missing or an extra key is a difference, `p_any_*`
//!   arrays must be sorted and deduplicated. Numbers compare by value (`1 == 1.0`), and an
//!   expected `null` means "absent" (normalized events never hold `null`);
//! * `p_schema_version`, `p_source_id` and `p_source_label` are compared only when the
//!   expected event lists them: Panther's format predates the first and leaves the others to
//!   the source.
//!
//! A case whose input is rejected fails with the reject reason ([`Outcome::Rejected`]) unless
//! it expects that reject with `error`: Panther's runner requires the input to parse
//! (`logtesting.TestRegisteredParser` asserts no error) before it counts the events, so "no
//! event" there means a line skipped on purpose, never a line refused.
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
mod report;
mod run;
mod update;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::registry::{Registry, BUILTIN_SCHEMAS};
use crate::schema::files::ReadError;
use crate::schema::{load, SchemaError};
use file::KeyPos;
pub use report::{CaseResult, Difference, FileReport, Outcome, Report};
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
        let text = read_test_file(path).map_err(|e| LoadErrors(vec![e]))?;
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
}

impl Updated {
    /// Whether the cases of `file` (an origin) were rewritten.
    #[must_use]
    pub fn rewrote(&self, file: &str) -> bool {
        self.files.iter().any(|(f, _)| &**f == file)
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

    /// Load what `paths` name. Each path is a test file, a schema file, or a directory
    /// searched recursively: files named `*_tests.yml` / `*_tests.yaml` or inside a `tests`
    /// directory are test files, other `*.yml` / `*.yaml` files are schemas. A file named
    /// explicitly is a test file when its first document has an `input` key. Log types the
    /// paths do not define are taken from the built-in schemas.
    ///
    /// # Errors
    ///
    /// Every problem of every schema and test file, or a path that does not exist.
    pub fn load<P: AsRef<Path>>(paths: &[P]) -> Result<Suite, LoadErrors> {
        let (suite, errors) = Suite::load_partial(paths);
        if errors.is_empty() {
            Ok(suite)
        } else {
            Err(LoadErrors(errors))
        }
    }

    /// [`Suite::load`], leaving out what does not load: the suite of the files that load,
    /// and the problems of the others (empty when every file loaded).
    ///
    /// One broken file among many should not hide how the others fare. A schema file that
    /// does not load is listed in [`Suite::broken`], and the cases of the log type it names
    /// fail with [`Outcome::Error`] rather than run against a built-in schema of that name,
    /// which it may be an edited copy of. So does a log type that two files define, or that
    /// clashes with another's table name: which schema the cases are for is unclear.
    pub fn load_partial<P: AsRef<Path>>(paths: &[P]) -> (Suite, Vec<LoadError>) {
        let mut errors = Vec::new();
        let mut schema_files = Vec::new();
        let mut test_files = Vec::new();
        let mut special = Vec::new();
        for p in paths {
            let p = p.as_ref();
            if p.is_dir() {
                let mut found = Vec::new();
                if let Err(e) = walk(p, &mut found, &mut special) {
                    errors.push(io_error(p, &e));
                }
                found.sort();
                for f in found {
                    // Judge by the path inside the searched directory: a directory named
                    // `tests` above it (as in this repository's own fixtures) does not count.
                    if load::is_test_file(f.strip_prefix(p).unwrap_or(&f)) {
                        test_files.push(f);
                    } else {
                        schema_files.push(f);
                    }
                }
            } else {
                match read_test_file(p) {
                    Ok(text)
                        if load::is_test_file(Path::new(p.file_name().unwrap_or_default()))
                            || file::looks_like_tests(&text) =>
                    {
                        test_files.push(p.to_path_buf());
                    }
                    Ok(_) => schema_files.push(p.to_path_buf()),
                    Err(e) => errors.push(e),
                }
            }
        }
        let mut registry = Registry::new();
        special.sort();
        for p in special {
            registry.left_out(crate::schema::files::left_out(&p));
        }
        let mut broken = Vec::new();
        for f in &schema_files {
            let (log_type, e) = match load::from_file(f) {
                Ok(schema) => {
                    let name = schema.schema.clone();
                    match registry.add(schema) {
                        Ok(()) => continue,
                        Err(e) => (Some(name), e),
                    }
                }
                Err(e) => (crate::schema::files::named_log_type(f), e),
            };
            errors.extend(LoadErrors::from(e).0);
            broken.push(BrokenSchema {
                origin: Arc::from(f.display().to_string().as_str()),
                log_type,
            });
        }
        for (origin, text) in BUILTIN_SCHEMAS {
            match load::from_str(text, origin) {
                Ok(s) if registry.get(&s.schema).is_none() => {
                    if let Err(e) = registry.add(s) {
                        errors.extend(LoadErrors::from(e).0);
                    }
                }
                Ok(_) => {}
                Err(e) => errors.extend(LoadErrors::from(e).0),
            }
        }
        let mut files = Vec::new();
        for f in &test_files {
            match TestFile::from_file(f) {
                Ok(t) => files.push(t),
                Err(e) => errors.extend(e.0),
            }
        }
        (
            Suite {
                registry,
                files,
                broken,
            },
            errors,
        )
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
                "not run: log type {} is defined in {}, which has errors",
                case.log_type, broken.origin
            )),
            actual: Vec::new(),
        }
    }

    /// `--update`: rewrite the expected results of the failing cases of `report` (from a
    /// [`Suite::run`] of this suite) in their files, from the actual output. Cases whose
    /// outcome is [`Outcome::Error`] are left alone. Returns the files rewritten, with the
    /// number of cases rewritten in each, and the files that could not be.
    ///
    /// Only the `result` / `results` block of a failing case is replaced (a case with neither
    /// gets one after its last key); comments, layout and the other cases keep their text.
    /// The new expectation is written as Panther writes it, a JSON string in a `|` block with
    /// the keys in output order. Left out: `p_row_id` and `p_parse_time` (they change on every
    /// run and are not compared), `p_event_time` when it is the parse time (its absence
    /// asserts exactly that), and `p_schema_version` / `p_source_*` (as in Panther's files).
    /// `{{.LogType}}` is kept for `p_log_type` when the old expectation used it. A rejected
    /// input that gave no event gets `error:` with the reject reason.
    ///
    /// A file that cannot be rewritten is left as it was and listed in [`Updated::errors`]
    /// (a built-in test file, with nothing to write to; a case not written as a block
    /// mapping; an I/O error); the other files are rewritten all the same.
    pub fn update(&self, report: &Report) -> Updated {
        let mut done = Vec::new();
        let mut errors = Vec::new();
        for (file, fr) in self.files.iter().zip(&report.files) {
            let todo: Vec<(&TestCase, update::Expect<'_>)> = file
                .cases
                .iter()
                .zip(&fr.cases)
                .filter(|(_, r)| r.outcome.is_updatable())
                .map(|(c, r)| (c, update::Expect::of(r)))
                .collect();
            if todo.is_empty() {
                continue;
            }
            let err = |message: String| LoadError::TestFile {
                origin: file.origin.clone(),
                line: 0,
                col: 0,
                message,
            };
            let Some(path) = &file.path else {
                errors.push(err(
                    "built-in tests cannot be updated; pass the file's path".into(),
                ));
                continue;
            };
            match update::rewrite(&file.text, &todo) {
                Ok(text) => match crate::atomic::write(path, &text) {
                    Ok(()) => done.push((file.origin.clone(), todo.len())),
                    Err(e) => errors.push(err(e.to_string())),
                },
                Err(update::Unsupported(m)) => errors.push(err(m)),
            }
        }
        Updated {
            files: done,
            errors,
        }
    }
}

impl BrokenSchema {
    fn defines(&self, log_type: &str) -> bool {
        self.log_type.as_deref() == Some(log_type)
    }
}

/// The largest test file read: test files hold records, so they may be larger than a
/// schema, but a path naming something else (a log archive, `/dev/zero`) is refused at
/// once instead of read into memory whole.
pub const MAX_TEST_FILE_BYTES: u64 = 16 << 20;

/// The text of the test (or schema) file at `path`, at most [`MAX_TEST_FILE_BYTES`].
fn read_test_file(path: &Path) -> Result<String, LoadError> {
    crate::schema::files::read_text(path, MAX_TEST_FILE_BYTES).map_err(|e| {
        let message = match e {
            ReadError::Io(e) => e.to_string(),
            ReadError::TooLarge { max } => format!(
                "the file is larger than {} MiB, more than a schema or test file may be: \
                 check that this path names one (a test file this large can be split in \
                 several)",
                max >> 20
            ),
        };
        LoadError::TestFile {
            origin: Arc::from(path.display().to_string().as_str()),
            line: 0,
            col: 0,
            message,
        }
    })
}

fn io_error(p: &Path, e: &std::io::Error) -> LoadError {
    LoadError::TestFile {
        origin: Arc::from(p.display().to_string().as_str()),
        line: 0,
        col: 0,
        message: e.to_string(),
    }
}

/// Collect the `*.yml` / `*.yaml` files under `dir` (hidden entries skipped). A symbolic
/// link to a directory is not followed, as in the schema directories' walk: a link back to
/// a parent sent this one round until the path was too long for the system.
///
/// What is not a regular file (a named pipe, a socket, a device) goes to `special`, not
/// read, as schema and input directories leave them out: reading a named pipe waits for a
/// writer, forever if none comes.
fn walk(dir: &Path, out: &mut Vec<PathBuf>, special: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'))
        {
            continue;
        }
        if entry.file_type()?.is_dir() {
            walk(&path, out, special)?;
        } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            // Through a symbolic link: what it leads to. What cannot be examined is read,
            // to say why it cannot be.
            match std::fs::metadata(&path) {
                Ok(m) if !m.is_file() && !m.is_dir() => special.push(path),
                _ => out.push(path),
            }
        }
    }
    Ok(())
}
