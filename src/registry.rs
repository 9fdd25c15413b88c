//! [`Registry`]: the loaded, compiled log schemas, looked up by log type.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::compile::Plan;
use crate::error::UnknownLogType;
use crate::names::table_name;
use crate::schema::{load, Schema, SchemaError, SchemaErrors, Severity};

/// The shipped schemas, compiled into the binary: `(origin, YAML)`.
pub const BUILTIN_SCHEMAS: &[(&str, &str)] = &[
    (
        "<builtin>/zendesk/Audit.yml",
        include_str!("../schemas/zendesk/Audit.yml"),
    ),
    (
        "<builtin>/zoom/Activity.yml",
        include_str!("../schemas/zoom/Activity.yml"),
    ),
    (
        "<builtin>/zoom/Operation.yml",
        include_str!("../schemas/zoom/Operation.yml"),
    ),
];

/// Compiled log schemas by log type. Share it (it is `Send + Sync`) and build a
/// [`Normalizer`](crate::Normalizer) per thread from it.
#[derive(Clone, Default)]
pub struct Registry {
    plans: Vec<Arc<Plan>>,
    /// The schema files [`Registry::add_path`] read, canonical, so that one given twice
    /// (alone, or inside a directory also given) is read once.
    files: HashSet<PathBuf>,
    /// Warnings about what the paths held but was not read (see
    /// [`load::from_path_with_warnings`]).
    left_out: Vec<SchemaError>,
}

/// The log types loaded, in load order (their plans are internals of some kilobytes each).
impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("log_types", &self.log_types().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Registry {
    /// An empty registry.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The shipped schemas (Zendesk.Audit, Zoom.Activity, Zoom.Operation).
    ///
    /// # Panics
    ///
    /// Only if a shipped schema is invalid, which the test suite rules out.
    #[must_use]
    pub fn builtin() -> Self {
        let mut r = Registry::new();
        for (origin, text) in BUILTIN_SCHEMAS {
            // The shipped schemas are checked by tests; a failure here is a build defect.
            r.add_str(text, origin)
                .unwrap_or_else(|e| panic!("built-in schema {origin} is invalid: {e}"));
        }
        r
    }

    /// Add a schema that was already loaded.
    ///
    /// # Errors
    ///
    /// The schema's problems, a log type that is already registered, or one with the table
    /// name of a registered one ([`sink::layout::table_name`](crate::sink::layout::table_name):
    /// `Custom.MyApp` and `Custom.MyAPP` are both `custom_myapp`), whose events would share
    /// a table directory of a lake.
    pub fn add(&mut self, schema: Schema) -> Result<(), SchemaErrors> {
        if let Some(first) = self.get(&schema.schema) {
            return Err(SchemaErrors(vec![SchemaError {
                severity: Severity::Error,
                origin: schema.origin.clone(),
                span: schema.key_spans.get("schema").unwrap_or(schema.span),
                message: format!(
                    "log type `{}` is already defined in {}",
                    schema.schema,
                    defined_at(first.schema())
                ),
                hint: Some("each log type is defined once; rename or remove one".into()),
            }]));
        }
        // Refused here rather than by the lake writers: a lake's tables are one directory
        // per table name, and files of two shapes in one directory are a table no engine
        // reads ("schema mismatch" in DuckDB). Finding it when the schemas are loaded puts
        // it before any input is read, and in `schema check`.
        let table = table_name(&schema.schema);
        if let Some(other) = self
            .plans
            .iter()
            .find(|p| table_name(p.log_type()) == table)
        {
            return Err(SchemaErrors(vec![SchemaError {
                severity: Severity::Error,
                origin: schema.origin.clone(),
                span: schema.key_spans.get("schema").unwrap_or(schema.span),
                message: format!(
                    "log type `{}` has the same table name, `{table}`, as log type `{}` ({}): \
                     the events of both would go into one table directory",
                    schema.schema,
                    other.log_type(),
                    defined_at(other.schema()),
                ),
                hint: Some(
                    "rename one of them; a table name is the log type lower-cased, with `.` as `_`"
                        .into(),
                ),
            }]));
        }
        let plan = crate::compile::compile_owned(schema)?;
        self.plans.push(Arc::new(plan));
        Ok(())
    }

    /// Load one schema from YAML text; `origin` names it in messages.
    ///
    /// # Errors
    ///
    /// Every problem of the schema.
    pub fn add_str(&mut self, yaml: &str, origin: &str) -> Result<(), SchemaErrors> {
        self.add(load::from_str(yaml, origin)?)
    }

    /// Load a schema file, or every schema under a directory (test files skipped).
    ///
    /// A file whose schema an earlier call added (the same file by its canonical path:
    /// given twice, or alone and inside a directory) is skipped: it holds the same schema,
    /// so `-s app.yml -s app.yml` loads it once rather than failing on a log type "defined"
    /// twice. A file that failed is read again (fixed since, say). What is not a regular
    /// file inside a directory (a named pipe, a socket, a device) is not read, with a
    /// warning in [`warnings`](Self::warnings).
    ///
    /// # Errors
    ///
    /// Every problem of every file read (of a file added before: none).
    pub fn add_path(&mut self, path: &Path) -> Result<(), SchemaErrors> {
        let mut errors = Vec::new();
        let given = canonical_file(path);
        if given.as_ref().is_some_and(|f| self.files.contains(f)) {
            return Ok(());
        }
        match load::from_path_with_warnings(path, &mut self.left_out) {
            Ok(schemas) => {
                for s in schemas {
                    // From a directory: each schema names its file by its origin.
                    let file = given
                        .clone()
                        .or_else(|| s.origin.as_deref().map(Path::new).and_then(canonical_file));
                    if file.as_ref().is_some_and(|f| self.files.contains(f)) {
                        continue;
                    }
                    // Only a file whose schema was added counts as read: one that failed
                    // was a silent no-op when given again, fixed (review finding).
                    match self.add(s) {
                        Ok(()) => self.files.extend(file),
                        Err(e) => errors.extend(e.0),
                    }
                }
            }
            Err(e) => errors.extend(e.0),
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(SchemaErrors(errors))
        }
    }

    /// Load several schema files or directories as one load: [`add_path`](Self::add_path)
    /// of each, every problem reported once. A file that fails, reached twice (given twice,
    /// or alone and inside a directory also given), is read twice, and its problems were
    /// reported twice (review finding).
    ///
    /// # Errors
    ///
    /// Every problem of every file read, each once.
    pub fn add_paths<P: AsRef<Path>>(
        &mut self,
        paths: impl IntoIterator<Item = P>,
    ) -> Result<(), SchemaErrors> {
        let mut errors: Vec<SchemaError> = Vec::new();
        // Each once, found in a set: a file of 100,000 problems took minutes (review
        // s43-h3 LOW-2).
        let mut seen: std::collections::HashSet<SchemaError> = std::collections::HashSet::new();
        for path in paths {
            if let Err(e) = self.add_path(path.as_ref()) {
                for error in e.0 {
                    if seen.insert(error.clone()) {
                        errors.push(error);
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(SchemaErrors(errors))
        }
    }

    /// The plan of a log type.
    #[must_use]
    pub fn get(&self, log_type: &str) -> Option<&Arc<Plan>> {
        self.plans.iter().find(|p| p.log_type() == log_type)
    }

    /// The plan of a log type, or an error that names the loaded log types and the one
    /// `log_type` most likely means (see [`UnknownLogType::suggestion`]).
    ///
    /// # Errors
    ///
    /// [`UnknownLogType`] when no loaded schema defines `log_type`.
    ///
    /// # Example
    ///
    /// ```
    /// let registry = normalog::Registry::builtin();
    /// assert!(registry.lookup("Zoom.Activity").is_ok());
    /// let e = registry.lookup("Zoom.Activty").unwrap_err();
    /// assert_eq!(e.suggestion(), Some("Zoom.Activity"));
    /// assert!(e.to_string().ends_with("; did you mean `Zoom.Activity`?"));
    /// ```
    pub fn lookup(&self, log_type: &str) -> Result<&Arc<Plan>, UnknownLogType> {
        self.get(log_type)
            .ok_or_else(|| UnknownLogType::new(log_type, self.log_types()))
    }

    /// All plans, in load order.
    #[must_use]
    pub fn plans(&self) -> &[Arc<Plan>] {
        &self.plans
    }

    /// The warnings of every loaded schema ([`Plan::warnings`]), in load order, then those
    /// about files [`add_path`](Self::add_path) left out of a directory (named pipes,
    /// sockets, devices).
    pub fn warnings(&self) -> impl Iterator<Item = &SchemaError> {
        self.plans
            .iter()
            .flat_map(|p| p.warnings())
            .chain(&self.left_out)
    }

    /// Keep a warning about a file left out, for [`warnings`](Self::warnings).
    pub(crate) fn left_out(&mut self, warning: SchemaError) {
        self.left_out.push(warning);
    }

    /// All log types, in load order.
    pub fn log_types(&self) -> impl Iterator<Item = &str> {
        self.plans.iter().map(|p| p.log_type())
    }

    /// The loaded log type `name` most likely meant (the same but for case, or a typo or two
    /// away), for messages about an unknown one; [`lookup`](Self::lookup) gives it in its
    /// error.
    ///
    /// ```
    /// let registry = normalog::Registry::builtin();
    /// assert_eq!(registry.closest_log_type("zoom.activity"), Some("Zoom.Activity"));
    /// assert_eq!(registry.closest_log_type("Zom.Operaton"), Some("Zoom.Operation"));
    /// assert_eq!(registry.closest_log_type("Okta.SystemLog"), None);
    /// ```
    #[must_use]
    pub fn closest_log_type(&self, name: &str) -> Option<&str> {
        crate::suggest::suggest(name, self.log_types())
    }

    /// Number of log types.
    #[must_use]
    pub fn len(&self) -> usize {
        self.plans.len()
    }

    /// True when no schema is loaded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.plans.is_empty()
    }
}

/// The canonical path of `path` when it is a file (not a directory, nor missing).
fn canonical_file(path: &Path) -> Option<PathBuf> {
    let file = std::fs::canonicalize(path).ok()?;
    file.is_file().then_some(file)
}

/// Where a schema was defined, for messages: `file:line:col` of its `schema` key, the file
/// alone when positions are unknown, or "a schema built in code".
fn defined_at(schema: &Schema) -> String {
    let span = schema.key_spans.get("schema").unwrap_or(schema.span);
    match (&schema.origin, span.line) {
        (Some(origin), 0) => origin.to_string(),
        (Some(origin), line) => format!("{origin}:{line}:{}", span.col),
        (None, _) => "a schema built in code".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &str = "fields:\n  - name: msg\n    type: string\n";

    #[test]
    fn log_types_with_one_table_name_are_refused_naming_both() {
        let mut r = Registry::new();
        r.add_str(&format!("schema: Custom.MyApp\n{FIELDS}"), "a.yml")
            .expect("first schema");
        let e = r
            .add_str(&format!("schema: Custom.MyAPP\n{FIELDS}"), "b.yml")
            .expect_err("same table name");
        assert_eq!(
            e.to_string(),
            "b.yml:1:1: log type `Custom.MyAPP` has the same table name, `custom_myapp`, as \
             log type `Custom.MyApp` (a.yml:1:1): the events of both would go into one table \
             directory (hint: rename one of them; a table name is the log type lower-cased, \
             with `.` as `_`)"
        );
        r.add_str(&format!("schema: Custom.My.App\n{FIELDS}"), "c.yml")
            .expect("a table name of its own");
        assert_eq!(r.len(), 2);
    }

    /// A file that failed to load, given again once fixed, is loaded (review finding: the
    /// second call returned `Ok` and loaded nothing, as for a file read before), alone and
    /// inside a directory; a file that loaded is still read once.
    #[test]
    fn a_file_that_failed_is_read_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("app.yml");
        for given in [file.clone(), dir.path().to_owned()] {
            std::fs::write(
                &file,
                "schema: Custom.MyApp
fields:
  - {name: msg, type: strng}
",
            )
            .expect("write");
            let mut r = Registry::new();
            r.add_path(&given).expect_err("unknown type");
            std::fs::write(
                &file,
                format!(
                    "schema: Custom.MyApp
{FIELDS}"
                ),
            )
            .expect("write");
            r.add_path(&given).expect("fixed");
            assert_eq!(r.log_types().collect::<Vec<_>>(), ["Custom.MyApp"]);
            r.add_path(&file).expect("read once");
            assert_eq!(r.len(), 1);
        }
    }

    /// A file that fails, given twice in one load (alone twice, or alone and in its
    /// directory), has its problems reported once (review finding: twice, once the retry
    /// of a failed file was allowed).
    #[test]
    fn one_load_reports_a_problem_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("app.yml");
        std::fs::write(
            &file,
            "schema: Custom.MyApp\nfields:\n  - {name: msg, type: strng}\n",
        )
        .expect("write");
        for paths in [[&file, &file], [&dir.path().to_owned(), &file]] {
            let e = Registry::new().add_paths(paths).expect_err("unknown type");
            assert_eq!(e.0.len(), 1, "{e}");
        }
    }
}
