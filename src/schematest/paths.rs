//! Which files a test run reads: the paths named, the directories searched, and each
//! file's text, read with a limit.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{file, BrokenSchema, LoadError, LoadErrors, Suite, TestFile};
use crate::registry::{Registry, BUILTIN_SCHEMAS};
use crate::schema::load;
use crate::schema::load::{lowercase_first, ReadError};

impl Suite {
    /// Load what `paths` name. Each path is a test file, a schema file, or a directory
    /// searched recursively: files named `*_tests.yml` / `*_tests.yaml` or inside a `tests`
    /// directory are test files, other `*.yml` / `*.yaml` files are schemas. A file named
    /// explicitly is a test file when its first document has an `input` key. When no test
    /// file is named, the schema files named are tested against the test files beside them
    /// (under the `tests` directory beside each, and the `*_tests.yml` / `*_tests.yaml` files
    /// of its directory), for the cases of their log types only. Log types the paths do not
    /// define are taken from the built-in schemas.
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
    /// fail with [`Outcome::Error`](super::Outcome::Error) rather than run against a
    /// built-in schema of that name, which it may be an edited copy of. So does a log type
    /// that two files define, or that clashes with another's table name: which schema the
    /// cases are for is unclear.
    pub fn load_partial<P: AsRef<Path>>(paths: &[P]) -> (Suite, Vec<LoadError>) {
        let mut errors = Vec::new();
        let Found {
            mut schema_files,
            mut test_files,
            mut special,
            named_schemas,
            named_a_test,
            refused,
        } = Found::of(paths, &mut errors);
        // A file named twice, or alone and inside a directory also named, is read once (as
        // `Registry::add_path` reads schemas): a schema read twice would be a log type
        // defined twice, a test file read twice cases run twice.
        // A file named and refused is not read again (and refused twice) from a directory.
        let mut seen = refused;
        let mut once =
            |f: &PathBuf| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone()));
        schema_files.retain(&mut once);
        test_files.retain(&mut once);
        let mut companions = if named_a_test {
            Vec::new()
        } else {
            beside(&named_schemas, &test_files, &mut special, &mut errors)
        };
        companions.retain(&mut once);
        // The log types of the schema files named, loaded or not: what the tests found
        // beside them are run for.
        let named_types: Vec<String> = named_schemas
            .iter()
            .filter_map(|f| crate::schema::load::named_log_type(f))
            .collect();
        let mut registry = Registry::new();
        special.sort();
        for p in special {
            registry.left_out(crate::schema::load::left_out(&p));
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
                Err(e) => (crate::schema::load::named_log_type(f), e),
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
        let mut files = read_tests(&test_files, None, &mut errors);
        // Only the named schemas' cases of those: `tests/` may hold the cases of the other
        // schemas of the directory, which were not asked for.
        files.extend(read_tests(&companions, Some(&named_types), &mut errors));
        (
            Suite {
                registry,
                files,
                broken,
            },
            errors,
        )
    }
}

/// What the paths of a test run name, sorted out.
#[derive(Default)]
struct Found {
    schema_files: Vec<PathBuf>,
    test_files: Vec<PathBuf>,
    /// What is not a regular file (a named pipe, a socket, a device): left out, and said so.
    special: Vec<PathBuf>,
    /// The schema files named as such (not found in a directory): see `beside`.
    named_schemas: Vec<PathBuf>,
    /// Whether a test file was named (then no other is read: see `beside`).
    named_a_test: bool,
    /// The files named that could not be read, as `std::fs::canonicalize` spells them.
    refused: HashSet<PathBuf>,
}

impl Found {
    /// Sort out `paths`: each is a test file, a schema file, or a directory searched.
    fn of<P: AsRef<Path>>(paths: &[P], errors: &mut Vec<LoadError>) -> Found {
        let mut f = Found::default();
        for p in paths {
            let p = p.as_ref();
            if p.is_dir() {
                let mut found = Vec::new();
                if let Err(e) = walk(p, &mut found, &mut f.special) {
                    errors.push(io_error(p, &e));
                }
                found.sort();
                for file in found {
                    // Judge by the path inside the searched directory: a directory named
                    // `tests` above it (as in this repository's own fixtures) does not count.
                    if load::is_test_file(file.strip_prefix(p).unwrap_or(&file)) {
                        f.test_files.push(file);
                    } else {
                        f.schema_files.push(file);
                    }
                }
            } else {
                let named_test = load::is_test_file(Path::new(p.file_name().unwrap_or_default()));
                // Otherwise, which it is, its text says; one that cannot be read is either.
                let what = if named_test {
                    "test file"
                } else {
                    "schema or test file"
                };
                match read_test_file(p, what) {
                    Ok(text) if named_test || file::looks_like_tests(&text) => {
                        f.test_files.push(p.to_path_buf());
                        f.named_a_test = true;
                    }
                    Ok(_) => {
                        f.schema_files.push(p.to_path_buf());
                        f.named_schemas.push(p.to_path_buf());
                    }
                    Err(e) => {
                        // A test file named and refused is still the test file asked for:
                        // the files beside the schemas are not read in its place (and it
                        // is not read, and refused, a second time among them). Named twice,
                        // it is said once (review s48-h4 LOW-2).
                        f.named_a_test |= named_test;
                        let key = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
                        if f.refused.insert(key) {
                            errors.push(e);
                        }
                    }
                }
            }
        }
        f
    }
}

/// Read the test files `paths`; with `log_types`, keep only their cases (and the files with
/// one).
fn read_tests(
    paths: &[PathBuf],
    log_types: Option<&[String]>,
    errors: &mut Vec<LoadError>,
) -> Vec<TestFile> {
    let mut files = Vec::new();
    for f in paths {
        match TestFile::from_file(f) {
            Ok(mut t) => {
                if let Some(log_types) = log_types {
                    t.cases.retain(|c| log_types.contains(&c.log_type));
                }
                if log_types.is_none() || !t.cases.is_empty() {
                    files.push(t);
                }
            }
            Err(e) => errors.extend(e.0),
        }
    }
    files
}

/// The test files beside the schema files `schemas`, as a run of their directory would find
/// them: every file under the `tests/` directory beside each, and the `*_tests.yml` /
/// `*_tests.yaml` files in its own directory; sorted, each once, none of `found`.
///
/// Naming a schema file alone (`normalog test zoom/Activity.yml`) then runs its tests, as
/// naming its directory does; a run that names a test file runs that one only, so this is
/// not called for it.
fn beside(
    schemas: &[PathBuf],
    found: &[PathBuf],
    special: &mut Vec<PathBuf>,
    errors: &mut Vec<LoadError>,
) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs: Vec<&Path> = schemas
        .iter()
        .map(|s| s.parent().unwrap_or(Path::new("")))
        .collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        let tests = dir.join("tests");
        if tests.is_dir() {
            let mut under = Vec::new();
            if let Err(e) = walk(&tests, &mut under, special) {
                errors.push(io_error(&tests, &e));
            }
            out.extend(under);
        }
        // `a.yml` has the parent "": listed as ".", its files named as `a.yml` is.
        let listed = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        // Not reported when it cannot be listed: the schema named in it was read, and
        // nothing was asked of the directory.
        for entry in std::fs::read_dir(listed).into_iter().flatten().flatten() {
            let name = entry.file_name();
            let is_file = std::fs::metadata(entry.path()).is_ok_and(|m| m.is_file());
            if is_file
                && !name.as_encoded_bytes().starts_with(b".")
                && load::is_test_file(Path::new(&name))
            {
                out.push(dir.join(name));
            }
        }
    }
    // The same file, however it is spelled (`a/x_tests.yml`, `./a/x_tests.yml`), once.
    let key = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let known: Vec<PathBuf> = found.iter().map(|p| key(p)).collect();
    out.sort();
    let mut seen = Vec::new();
    out.retain(|p| {
        let k = key(p);
        let new = !known.contains(&k) && !seen.contains(&k);
        seen.push(k);
        new
    });
    out
}

/// The largest test file read: test files hold records, so they may be larger than a
/// schema, but a path naming something else (a log archive, `/dev/zero`) is refused at
/// once instead of read into memory whole.
pub const MAX_TEST_FILE_BYTES: u64 = 16 << 20;

/// The text of the test (or schema) file at `path`, at most [`MAX_TEST_FILE_BYTES`].
///
/// `what` names the file in the message (`test file`, `schema or test file`), as `schema
/// check` and `normalize -s` say "cannot read the schema file: no such file or directory".
pub(super) fn read_test_file(path: &Path, what: &str) -> Result<String, LoadError> {
    crate::schema::load::read_text(path, MAX_TEST_FILE_BYTES).map_err(|e| {
        let (mut line, mut col) = (0, 0);
        let message = match e {
            ReadError::Io(e) => format!("cannot read the {what}: {}", lowercase_first(&e)),
            ReadError::NotUtf8 {
                line: at_line,
                col: at_col,
                message,
                hint,
            } => {
                (line, col) = (at_line as usize, at_col as usize);
                format!("{message} (hint: {hint})")
            }
            ReadError::TooLarge { max } => format!(
                "the file is larger than {} MiB, more than a schema or test file may be: \
                 check that this path names one (a test file this large can be split in \
                 several)",
                max >> 20
            ),
        };
        LoadError::TestFile {
            origin: Arc::from(path.display().to_string().as_str()),
            line,
            col,
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
