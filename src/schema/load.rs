//! Reading schema files: YAML text, a file or a directory of files → checked [`Schema`]s.
//!
//! The YAML is read with yaml-rust2's event parser into a small tree that remembers the
//! `line:col` of every node (`yaml.rs`); the tree is then turned into the model by
//! hand (`model.rs`), so every problem (YAML syntax, a wrong kind of value, an unknown or
//! duplicate key, an unknown type or indicator, ...) carries its position. The semantic
//! checks of [`super::validate`] run on the result, and all problems of a file come back
//! together, in file order.
//!
//! ```text
//! zoom/Activity.yml:12:13: unknown type `strng` (hint: did you mean `string`? valid types: ...)
//! ```
//!
//! This file owns which files are schemas (`*.yml`/`*.yaml`, not test files), the order they
//! are read in, the log types defined twice across files, and those steps for one text.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::model::Loader;
use super::validate::validate;
use super::yaml::{read_tree, without_bom};
use super::{Schema, SchemaError, SchemaErrors, Severity, Span};

/// Read one schema from YAML text (one document) and check it.
///
/// `origin` names the text in messages (a file name, `<string>`, `<builtin>/...`).
///
/// # Errors
///
/// Every problem found: YAML syntax, the shape of the document, and the semantic checks of
/// [`super::validate::validate`], each with its `line:col`, in file order.
pub fn from_str(text: &str, origin: &str) -> Result<Schema, SchemaErrors> {
    let origin: Arc<str> = Arc::from(origin);
    let text = without_bom(text);
    let fail = |span: Span, message: String, hint: Option<String>| {
        Err(SchemaErrors(vec![SchemaError {
            severity: Severity::Error,
            origin: Some(origin.clone()),
            span,
            message,
            hint,
        }]))
    };
    let root = match read_tree(text) {
        Ok(Some(root)) => root,
        Ok(None) => {
            return fail(
                Span::default(),
                "the schema file is empty".into(),
                Some("a schema needs at least `schema` and `fields`".into()),
            )
        }
        Err(problem) => {
            let hint = problem.hint.or_else(|| {
                json_lines_hint(
                    text,
                    "a schema",
                    "a schema is YAML with `schema:` and `fields:`",
                )
            });
            return fail(problem.span, problem.message, hint);
        }
    };
    let mut loader = Loader {
        origin: origin.clone(),
        errors: Vec::new(),
        poisoned: HashSet::new(),
    };
    let schema = loader.schema(&root);
    let mut errors = std::mem::take(&mut loader.errors);
    let Some(mut schema) = schema else {
        return Err(SchemaErrors(errors));
    };
    schema.origin = Some(origin);
    super::field_path::name_fields(&schema, &mut errors);
    // A missing `schema`, `fields` or field `name` is left empty in the model; the checks
    // would report the same spot a second time, less precisely. Keep the first report.
    let poisoned = loader.poisoned;
    errors.extend(
        validate(&schema)
            .into_iter()
            .filter(|e| !poisoned.contains(&e.span)),
    );
    if errors.is_empty() {
        Ok(schema)
    } else {
        errors.sort_by_key(|e| e.span);
        Err(SchemaErrors(errors))
    }
}

/// Read one schema file and check it; messages name the file as `path` displays.
///
/// # Errors
///
/// An unreadable file (one error, without position), or every problem in the schema (see
/// [`from_str`]).
pub fn from_file(path: &Path) -> Result<Schema, SchemaErrors> {
    let origin = path.display().to_string();
    let mut span = Span::default();
    let (message, hint) = match read_text(path, MAX_SCHEMA_FILE_BYTES) {
        Ok(text) => return from_str(&text, &origin),
        Err(ReadError::Io(e)) => (
            format!("cannot read the schema file: {}", lowercase_first(&e)),
            None,
        ),
        Err(ReadError::NotUtf8 {
            line,
            col,
            message,
            hint,
        }) => {
            span = Span { line, col };
            (message, Some(hint))
        }
        Err(ReadError::TooLarge { max }) => (
            format!(
                "the file is larger than {} MiB, too large for a schema",
                max >> 20
            ),
            Some(
                "a schema is YAML text of some kilobytes, even with hundreds of fields: \
                 check that this path names a schema file"
                    .into(),
            ),
        ),
    };
    Err(SchemaErrors(vec![SchemaError {
        severity: Severity::Error,
        origin: Some(Arc::from(origin.as_str())),
        span,
        message,
        hint,
    }]))
}

/// The largest schema file read: far over any schema written by hand (a few kilobytes,
/// some tens with hundreds of fields), and small enough that a path naming something else
/// (a log, `/dev/zero`) is refused at once instead of read into memory whole.
pub const MAX_SCHEMA_FILE_BYTES: u64 = 4 << 20;

/// Why [`read_text`] gave no text.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// Opening or reading failed.
    Io(std::io::Error),
    /// The text is not UTF-8, first at this line and column (0 when it is another
    /// encoding as a whole): why, and what to do.
    NotUtf8 {
        line: u32,
        col: u32,
        message: String,
        hint: String,
    },
    /// The file holds more than `max` bytes (only `max + 1` were read).
    TooLarge {
        /// The limit, in bytes.
        max: u64,
    },
}

/// The text of the file at `path`, read only up to `max` bytes: a larger file (or an
/// endless one, a device or a pipe) is refused once `max + 1` bytes have come.
pub(crate) fn read_text(path: &Path, max: u64) -> Result<String, ReadError> {
    use std::io::Read as _;
    let file = fs::File::open(path).map_err(ReadError::Io)?;
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge { max });
    }
    if let Some(encoding) = crate::encoding::wide_text(&bytes) {
        return Err(ReadError::NotUtf8 {
            line: 0,
            col: 0,
            message: format!("{encoding} text; normalog reads UTF-8"),
            hint: crate::encoding::convert_hint(encoding),
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let valid = &bytes[..e.utf8_error().valid_up_to()];
        let line = memchr::memchr_iter(b'\n', valid).count() + 1;
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        // Whole characters before it on its line (the text before is UTF-8).
        let col = std::str::from_utf8(&valid[line_start..]).map_or(0, |s| s.chars().count()) + 1;
        let byte = bytes.get(valid.len()).copied().unwrap_or_default();
        ReadError::NotUtf8 {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            col: u32::try_from(col).unwrap_or(u32::MAX),
            message: format!("not UTF-8 text: the byte 0x{byte:02X} here is not valid UTF-8"),
            hint: "save the file as UTF-8 (iconv -f LATIN1 -t UTF-8 converts Latin-1 text)".into(),
        }
    })
}

/// Read a schema file, or every schema of a directory and its subdirectories (`*.yml` and
/// `*.yaml`, in sorted path order, skipping test files: see [`is_test_file`], and hidden
/// files and directories, such as a repository's `.github/` workflows).
///
/// Symbolic links to files are followed; symbolic links to directories are not. What is
/// not a regular file (a named pipe, a socket, a device) is not read inside a directory,
/// as input directories do; [`from_path_with_warnings`] says which were left out.
///
/// # Errors
///
/// The problems of all files together (see [`from_str`]), plus unreadable directories, a
/// log type defined in two files, and a directory that holds no schema.
pub fn from_path(path: &Path) -> Result<Vec<Schema>, SchemaErrors> {
    from_path_with_warnings(path, &mut Vec::new())
}

/// [`from_path`], adding to `warnings` the schema files of the directory that were left out
/// because they are not regular files (with [`Severity::Warning`]; given by name, such a
/// file is read).
///
/// # Errors
///
/// As [`from_path`].
pub fn from_path_with_warnings(
    path: &Path,
    warnings: &mut Vec<SchemaError>,
) -> Result<Vec<Schema>, SchemaErrors> {
    let is_dir = fs::metadata(path).is_ok_and(|m| m.is_dir());
    if !is_dir {
        return from_file(path).map(|s| vec![s]).map_err(|mut e| {
            // Named as a test file and not a schema: its problems are that it is not one.
            if has_test_file_name(path) {
                for error in &mut e.0 {
                    error.hint = Some(
                        "this is named as a schema test file (`*_tests.yml`): run it with \
                         `normalog test`, and give -s the schema file"
                            .into(),
                    );
                }
            }
            e
        });
    }
    let mut found = Found::default();
    let mut errors = Vec::new();
    walk(path, path, &mut found, &mut errors);
    let mut files = found.files;
    files.sort();
    found.special.sort();
    warnings.extend(found.special.iter().map(|p| left_out(p)));
    if files.is_empty() && errors.is_empty() {
        errors.push(SchemaError {
            severity: Severity::Error,
            origin: Some(Arc::from(path.display().to_string().as_str())),
            span: Span::default(),
            message: "no schema files (*.yml, *.yaml) in this directory".into(),
            hint: Some(
                "test files (`*_tests.yml` and files under `tests/`) are not schemas".into(),
            ),
        });
    }
    let mut schemas: Vec<Schema> = Vec::new();
    let mut names: HashMap<String, (Arc<str>, Span)> = HashMap::new();
    for file in &files {
        match from_file(file) {
            Ok(schema) => {
                let origin = schema.origin.clone().unwrap_or_else(|| Arc::from(""));
                let span = schema.key_spans.get("schema").unwrap_or(schema.span);
                if let Some((first, first_span)) = names.get(&schema.schema) {
                    errors.push(SchemaError {
                        severity: Severity::Error,
                        origin: Some(origin),
                        span,
                        message: format!(
                            "log type `{}` is already defined in {first}:{}:{}",
                            schema.schema, first_span.line, first_span.col
                        ),
                        hint: Some("each log type is defined once; rename or remove one".into()),
                    });
                } else {
                    names.insert(schema.schema.clone(), (origin, span));
                    schemas.push(schema);
                }
            }
            Err(SchemaErrors(e)) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(schemas)
    } else {
        Err(SchemaErrors(errors))
    }
}

/// The warning for a special file (a named pipe, a socket or a device) found inside a
/// schema directory: left out, as input directories leave them.
pub(crate) fn left_out(path: &Path) -> SchemaError {
    SchemaError {
        severity: Severity::Warning,
        origin: Some(Arc::from(path.display().to_string().as_str())),
        span: Span::default(),
        message: "not a file (a named pipe, a socket or a device), inside a schema directory; \
                  not read (give it by name to read it)"
            .into(),
        hint: None,
    }
}

/// The files [`from_path`] reads for `path`, in its order: the file itself, or the schema
/// files under the directory (unreadable directories left out). For a caller that must
/// know whether the schemas changed, by these files' bytes (the Spark recipe's digest).
#[must_use]
pub fn schema_files(path: &Path) -> Vec<PathBuf> {
    if !fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return vec![path.to_path_buf()];
    }
    let mut found = Found::default();
    walk(path, path, &mut found, &mut Vec::new());
    found.files.sort();
    found.files
}

/// Whether `path` is a schema test file rather than a schema: its name ends in `_tests.yml`
/// or `_tests.yaml`, or one of its directories is named `tests`.
#[must_use]
pub fn is_test_file(path: &Path) -> bool {
    if has_test_file_name(path) {
        return true;
    }
    path.parent().is_some_and(|dir| {
        dir.components()
            .any(|c| matches!(c, Component::Normal(n) if n == "tests"))
    })
}

/// Whether the name of `path` ends in `_tests.yml` or `_tests.yaml`.
fn has_test_file_name(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with("_tests.yml") || name.ends_with("_tests.yaml")
}

/// What a walk of a schema directory found.
#[derive(Default)]
struct Found {
    /// The schema files.
    files: Vec<PathBuf>,
    /// What would be a schema file by its name but is not a regular file: left out, as
    /// input directories leave them out, since reading one could wait forever (a named
    /// pipe) or never end (a device).
    special: Vec<PathBuf>,
}

fn walk(root: &Path, dir: &Path, found: &mut Found, errors: &mut Vec<SchemaError>) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(SchemaError {
                severity: Severity::Error,
                origin: Some(Arc::from(dir.display().to_string().as_str())),
                span: Span::default(),
                message: format!("cannot read the directory: {}", lowercase_first(&e)),
                hint: None,
            });
            return;
        }
    };
    // (path, is a directory, is a regular file)
    let mut paths: Vec<(PathBuf, bool, bool)> = Vec::new();
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            paths.push((path, true, false));
        } else if let Ok(meta) = fs::metadata(&path) {
            // Through a symbolic link, whose target may be a directory: not followed.
            if !meta.is_dir() {
                paths.push((path, false, meta.is_file()));
            }
        }
    }
    paths.sort();
    for (path, is_dir, is_file) in paths {
        let relative = path.strip_prefix(root).unwrap_or(&path);
        if path
            .file_name()
            .is_some_and(|n| n.as_encoded_bytes().starts_with(b"."))
        {
            continue;
        }
        if is_dir {
            if path.file_name().is_some_and(|n| n != "tests") {
                walk(root, &path, found, errors);
            }
        } else if has_yaml_extension(&path) && !is_test_file(relative) {
            if is_file {
                found.files.push(path);
            } else {
                found.special.push(path);
            }
        }
    }
}

/// The hint for YAML that does not read because `text` is JSON records, one per line: a log
/// given where `a_file` (a schema, a test file) goes, which is `what_it_is`. One hint for
/// `-s` and `normalog test`, which both read such files.
pub(crate) fn json_lines_hint(text: &str, a_file: &str, what_it_is: &str) -> Option<String> {
    json_lines(text).then(|| {
        format!(
            "this file holds JSON records, one per line, not {a_file}: log records are the \
             inputs of `normalize`; {what_it_is}"
        )
    })
}

/// Whether `text` reads as JSON records one per line (its first two lines that are not blank
/// start with `{` or `[`): YAML refuses a second such line, with a message about documents.
fn json_lines(text: &str) -> bool {
    let mut lines = text.lines().map(str::trim_start).filter(|l| !l.is_empty());
    lines
        .by_ref()
        .take(2)
        .filter(|l| l.starts_with(['{', '[']))
        .count()
        == 2
}

/// The log type that the schema file at `path` names (its top-level `schema:`), however broken
/// the rest of the file is; `None` when it cannot be read or names none.
///
/// For a file that did not load: the schema test runner must not run that log type's cases
/// against another schema of the name (a built-in one, when the file is an edited copy), and
/// can say which file they were waiting for. A file whose YAML does not read gets a look at
/// its lines, since a syntax error far below the `schema:` line says nothing about the name.
pub(crate) fn named_log_type(path: &Path) -> Option<String> {
    let text = read_text(path, MAX_SCHEMA_FILE_BYTES).ok()?;
    let text = without_bom(&text);
    let name = match read_tree(text) {
        Ok(Some(root)) => match root.kind {
            super::yaml::NodeKind::Map(pairs) => pairs
                .iter()
                .find(|(k, _)| k.text() == Some("schema"))
                .and_then(|(_, v)| v.text().map(str::to_owned)),
            _ => None,
        },
        Ok(None) => None,
        Err(_) => text.lines().find_map(|line| {
            let value = line.strip_prefix("schema:")?;
            // The value up to a comment, without the quotes a YAML scalar may have.
            let value = value.split(" #").next().unwrap_or(value).trim();
            Some(value.trim_matches(['"', '\'']).to_owned())
        }),
    };
    name.filter(|n| !n.is_empty())
}

fn has_yaml_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"))
}

/// `s` with its first letter in lower case: the operating system's "No such file or
/// directory" inside a message of ours, which starts lower case.
pub(crate) fn lowercase_first(s: &impl std::fmt::Display) -> String {
    let s = s.to_string();
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, path: &str, text: &str) {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    const TINY: &str = "{schema: Custom.Aa, fields: [{name: a, type: string}]}";

    #[test]
    fn from_path_reads_a_tree_in_order_and_skips_tests() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "b/B.yaml", &TINY.replace("Custom.Aa", "Custom.Bb"));
        write(d, "a/A.yml", TINY);
        write(d, "a/C.yml", &TINY.replace("Custom.Aa", "Custom.Cc"));
        write(d, "a/A_tests.yml", "not: [a schema");
        write(d, "a/tests/A.yml", "not: [a schema");
        write(d, "a/notes.txt", "not yaml");
        // A repository's CI workflows and an editor's swap files are no schemas.
        write(d, ".github/workflows/ci.yml", "name: ci\non: [push]\n");
        write(d, "a/.A.yml.swp.yml", "not: [a schema");
        let schemas = from_path(d).unwrap();
        let names: Vec<&str> = schemas.iter().map(|s| s.schema.as_str()).collect();
        assert_eq!(names, ["Custom.Aa", "Custom.Cc", "Custom.Bb"]);
        // A single file is read whatever its name.
        assert_eq!(from_path(&d.join("b/B.yaml")).unwrap().len(), 1);
    }

    /// A byte order mark (which YAML allows at the start, and Windows editors write) is no
    /// part of the first key; a mark later on is a character like any other.
    #[test]
    fn a_byte_order_mark_at_the_start_is_skipped() {
        let schema = from_str(&format!("\u{feff}{TINY}"), "bom.yml").unwrap();
        assert_eq!(schema.schema, "Custom.Aa");
        let block = "\u{feff}schema: Custom.Bb\r\nfields:\r\n  - name: a\r\n    type: string\r\n";
        assert_eq!(from_str(block, "bom.yml").unwrap().schema, "Custom.Bb");
        let err = from_str(
            "schema: Custom.Cc\n\u{feff}fields: [{name: a, type: string}]\n",
            "x.yml",
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("unknown key `\u{feff}fields`"),
            "{err}"
        );
    }

    #[test]
    fn from_path_collects_errors_of_all_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(
            d,
            "1.yml",
            "{schema: Custom.Aa, fields: [{name: a, type: strng}]}",
        );
        write(
            d,
            "2.yml",
            "{schema: Custom.Bb, fields: [{name: a, type: int, requird: true}]}",
        );
        write(d, "3.yml", TINY);
        write(d, "4.yml", TINY);
        let err = from_path(d).unwrap_err();
        let text = err.to_string().replace(&d.display().to_string(), "D");
        let lines: Vec<&str> = text
            .lines()
            .map(|l| l.split(" (hint").next().unwrap())
            .collect();
        assert_eq!(
            lines,
            [
                "D/1.yml:1:46: unknown type `strng`",
                "D/2.yml:1:51: unknown key `requird`",
                "D/4.yml:1:2: log type `Custom.Aa` is already defined in D/3.yml:1:2",
            ]
        );
    }

    #[test]
    fn from_path_empty_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "tests/A.yml", TINY);
        let err = from_path(dir.path()).unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert_eq!(err.0[0].span, Span::default());
        assert!(err.0[0].message.starts_with("no schema files"), "{err}");
    }

    #[test]
    fn from_path_root_inside_tests_directory_still_reads() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "tests/schemas/A.yml", TINY);
        assert_eq!(
            from_path(&dir.path().join("tests/schemas")).unwrap().len(),
            1
        );
    }

    #[test]
    fn unreadable_file_has_no_position() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.yml");
        let err = from_file(&missing).unwrap_err();
        assert_eq!(err.0.len(), 1);
        let e = &err.0[0];
        assert_eq!(e.span, Span::default());
        assert_eq!(
            e.origin.as_deref(),
            Some(missing.display().to_string().as_str())
        );
        assert!(
            e.message
                .starts_with("cannot read the schema file: no such file"),
            "{e}"
        );
        assert!(from_path(&missing).is_err());
    }

    /// Up to the limit the text is read; one byte more and it is refused, without reading
    /// further (a device never ends).
    #[test]
    fn read_text_stops_past_its_limit() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "x.yml", "0123456789");
        let path = dir.path().join("x.yml");
        assert_eq!(read_text(&path, 10).unwrap(), "0123456789");
        assert!(matches!(
            read_text(&path, 9),
            Err(ReadError::TooLarge { max: 9 })
        ));
    }

    /// Text that is not UTF-8 is refused where it is, and UTF-16 as such, with how to
    /// convert it (review s47-h2 LOW-2: no position, and the same words for both).
    #[test]
    fn from_file_says_where_the_text_is_not_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let latin1 = dir.path().join("latin1.yml");
        fs::write(
            &latin1,
            b"schema: Custom.A\nfields:\n  - {name: \xe9t\xe9, type: string}\n",
        )
        .unwrap();
        let err = from_file(&latin1).unwrap_err().to_string();
        assert!(
            err.ends_with(
                "latin1.yml:3:12: not UTF-8 text: the byte 0xE9 here is not valid UTF-8 \
                 (hint: save the file as UTF-8 (iconv -f LATIN1 -t UTF-8 converts Latin-1 text))"
            ),
            "{err}"
        );
        let utf16 = dir.path().join("utf16.yml");
        let text: Vec<u8> = "schema: Custom.A\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        fs::write(&utf16, text).unwrap();
        let err = from_file(&utf16).unwrap_err().to_string();
        assert!(
            err.ends_with(
                "utf16.yml: UTF-16LE text; normalog reads UTF-8 (hint: convert it first (iconv \
                 -f UTF-16LE -t UTF-8))"
            ),
            "{err}"
        );
    }

    #[test]
    fn from_file_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "x.yml", "{schema: Custom.Aa, fields: []}");
        let path = dir.path().join("x.yml");
        let err = from_file(&path).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}:1:21: the schema has no fields (hint: list the record's fields under `fields`)",
                path.display()
            )
        );
    }

    #[test]
    fn a_test_file_given_as_a_schema_says_what_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let test = "name: one\nlogType: Custom.Aa\ninput: '{}'\nresult: '{}'\n---\nname: two\n";
        write(dir.path(), "Aa_tests.yml", test);
        write(dir.path(), "Aa.yml", test);
        let hint = |name: &str| {
            let err = from_path(&dir.path().join(name)).unwrap_err();
            err.0
                .iter()
                .filter_map(|e| e.hint.clone())
                .collect::<Vec<_>>()
        };
        let named_as_test = hint("Aa_tests.yml");
        assert!(!named_as_test.is_empty());
        assert!(
            named_as_test
                .iter()
                .all(|h| h.contains("run it with `normalog test`")),
            "{named_as_test:?}"
        );
        // The same text under a schema's name keeps the schema hints.
        assert!(
            !hint("Aa.yml").iter().any(|h| h.contains("normalog test")),
            "{:?}",
            hint("Aa.yml")
        );
    }

    /// The name of a schema that does not load: from the tree when the YAML reads, from
    /// the `schema:` line when it does not.
    #[test]
    fn named_log_type_of_broken_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for (file, text, expected) in [
            (
                "type.yml",
                "schema: Custom.Aa\nfields: [{name: a, type: strng}]\n",
                Some("Custom.Aa"),
            ),
            (
                "flow.yml",
                "{fields: [], schema: 'Custom.Bb'}",
                Some("Custom.Bb"),
            ),
            (
                "syntax.yml",
                "schema: \"Custom.Cc\" # x\nfields: [{name: a\n",
                Some("Custom.Cc"),
            ),
            ("nameless.yml", "fields: [{name: a, type: string}]\n", None),
            ("empty_name.yml", "schema: ''\nfields: [\n", None),
            ("list.yml", "- schema: Custom.Dd\n", None),
        ] {
            write(d, file, text);
            assert_eq!(named_log_type(&d.join(file)).as_deref(), expected, "{file}");
        }
        assert_eq!(named_log_type(&d.join("missing.yml")), None);
    }

    #[test]
    fn test_files() {
        for (path, expected) in [
            ("a/Audit_tests.yml", true),
            ("a/Audit_tests.yaml", true),
            ("tests/Audit.yml", true),
            ("schemas/zoom/tests/Activity.yml", true),
            ("schemas/zoom/Activity.yml", false),
            ("schemas/zoom/tests.yml", false),
            ("Audit_test.yml", false),
            ("latests/Audit.yml", false),
        ] {
            assert_eq!(is_test_file(Path::new(path)), expected, "{path}");
        }
    }
}
