//! The arguments of `Normalizer` calls turned into the core's types: `schemas` into a
//! [`Registry`], `data` (bytes, a file object, a path, a list of paths) into pipeline
//! [`Input`]s.

use std::path::PathBuf;
use std::sync::Arc;

use normalog::pipeline::input::SharedReader;
use normalog::pipeline::{self, Input};
use normalog::{Registry, SchemaErrors};
use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyTypeError, PyUserWarning, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyByteArray, PyBytes, PyMemoryView, PySequence, PyString};

use crate::file_input::{is_file_object, Pump};
use crate::run::FailedInput;
use crate::{schema_error, InputWarning};

/// Schemas: `schemas` (`None`, one path, or a list of paths) and `texts` (`None`, one
/// schema's YAML text, or a list of them); both `None`: the built-in schemas. Every problem
/// of every file and text is reported, as by the CLI. Anything else is a `TypeError` (a
/// missing or bad file is a `SchemaError`, a `ValueError`). A warning of a schema
/// ([`Registry::warnings`]) is a Python `UserWarning`.
///
/// `builtin`: the built-in schemas beside the others (the CLI's `--builtin`).
pub(crate) fn load_registry(
    schemas: Option<&Bound<'_, PyAny>>,
    texts: Option<&Bound<'_, PyAny>>,
    builtin: bool,
) -> PyResult<Registry> {
    let schemas = schemas.filter(|s| !s.is_none());
    let texts = texts.filter(|t| !t.is_none());
    let Some(py) = schemas.or(texts).map(Bound::py) else {
        return Ok(Registry::builtin());
    };
    let paths = match schemas {
        Some(schemas) => schema_paths(schemas)?,
        None => Vec::new(),
    };
    let texts = match texts {
        Some(texts) => schema_texts_of(texts)?,
        None => Vec::new(),
    };
    if paths.is_empty() && texts.is_empty() && builtin {
        return Ok(Registry::builtin());
    }
    if paths.is_empty() && texts.is_empty() {
        let given = if schemas.is_some() {
            "schemas=[]"
        } else {
            "schema_texts=[]"
        };
        return Err(PyValueError::new_err(format!(
            "{given} loads no schema: give schema files or directories (schemas=), schema \
             YAML text (schema_texts=), or neither for the built-in schemas"
        )));
    }
    let mut registry = if builtin {
        Registry::builtin()
    } else {
        Registry::new()
    };
    let mut errors = Vec::new();
    if let Err(e) = registry.add_paths(&paths) {
        errors.extend(e.0);
    }
    for (origin, text) in &texts {
        if let Err(e) = registry.add_str(text, origin) {
            errors.extend(e.0);
        }
    }
    if !errors.is_empty() {
        return Err(schema_error(&SchemaErrors(errors)));
    }
    // What loads but cannot work as written (the CLI prints these): a `UserWarning` each,
    // shown at the caller's `Normalizer(...)` line (level 1: this code has no Python frame).
    for w in registry.warnings() {
        // The class says it is a warning (the CLI's text starts with "warning: ").
        let text = w.to_string();
        let text = text.strip_prefix("warning: ").unwrap_or(&text);
        let message = std::ffi::CString::new(text.replace('\0', " "))?;
        PyErr::warn(py, &py.get_type::<PyUserWarning>(), &message, 1)?;
    }
    Ok(registry)
}

/// `schemas`: one path or a list of paths. A str that holds a schema's YAML (a newline and
/// `schema:`) is a `TypeError` that points to `schema_texts=`: read as a path, the whole
/// YAML was named as a missing file.
fn schema_paths(schemas: &Bound<'_, PyAny>) -> PyResult<Vec<PathBuf>> {
    let yaml_at = |obj: &Bound<'_, PyAny>| {
        obj.cast::<PyString>()
            .ok()
            .and_then(|t| t.to_cow().ok())
            .is_some_and(|t| t.contains('\n') && t.contains("schema:"))
    };
    let refuse = |what: &str| {
        PyTypeError::new_err(format!(
            "{what} is a str that holds a schema's YAML text, not a path: pass the text as \
             schema_texts= (schemas= takes schema files and directories)"
        ))
    };
    if yaml_at(schemas) {
        return Err(refuse("schemas"));
    }
    if let Some(seq) = sequence_of_items(schemas) {
        for (i, item) in seq.try_iter()?.enumerate() {
            if yaml_at(&item?) {
                return Err(refuse(&format!("schemas[{i}]")));
            }
        }
    }
    paths_of("schemas", "None, a path, or a list of paths", schemas)?.ok_or_else(|| {
        let hint = if schemas.is_instance_of::<PyBytes>() || schemas.is_instance_of::<PyByteArray>()
        {
            ": a schema's YAML text goes in schema_texts= (as a str)"
        } else {
            ""
        };
        PyTypeError::new_err(format!(
            "schemas must be None, a path (str or os.PathLike), or a list of paths, not {}{hint}",
            type_name(schemas)
        ))
    })
}

/// `schema_texts`: one schema's YAML text, or a list of them, each with the name it has in
/// messages (`schema_texts[1]:3:5: ...`).
fn schema_texts_of(texts: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    const TAKES: &str = "schema_texts must be a schema's YAML text (str) or a list of them";
    if let Ok(text) = texts.cast::<PyString>() {
        return Ok(vec![("schema_texts".into(), text.to_cow()?.into_owned())]);
    }
    let not_text = |what: &str, obj: &Bound<'_, PyAny>| {
        let hint = if obj.extract::<PathBuf>().is_ok() {
            " (schema files and directories go in schemas=)"
        } else {
            ""
        };
        PyTypeError::new_err(format!("{what}, not {}{hint}", type_name(obj)))
    };
    let Some(seq) = sequence_of_items(texts) else {
        return Err(not_text(TAKES, texts));
    };
    let mut out = Vec::new();
    for (i, item) in seq.try_iter()?.enumerate() {
        let item = item?;
        let Ok(text) = item.cast::<PyString>() else {
            return Err(not_text(
                &format!("schema_texts[{i}] is not YAML text (str): {TAKES}"),
                &item,
            ));
        };
        out.push((format!("schema_texts[{i}]"), text.to_cow()?.into_owned()));
    }
    Ok(out)
}

/// A sequence whose items are looked at one by one: not a str, bytes or a path (`None` for
/// those, and for what is not a sequence).
fn sequence_of_items<'a, 'py>(obj: &'a Bound<'py, PyAny>) -> Option<&'a Bound<'py, PySequence>> {
    if obj.is_instance_of::<PyString>()
        || obj.is_instance_of::<PyBytes>()
        || obj.is_instance_of::<PyByteArray>()
    {
        return None;
    }
    obj.cast::<PySequence>().ok()
}

/// `log_types`: `None` (all loaded), or a sequence of names. A single name is refused with
/// the fix, where the extraction of a `Vec` said only "Can't extract `str` to `Vec`".
pub(crate) fn log_types_of(log_types: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<String>>> {
    let Some(log_types) = log_types.filter(|l| !l.is_none()) else {
        return Ok(None);
    };
    if let Ok(name) = log_types.cast::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "log_types must be a list of log type names, not a str: log_types=[{}]",
            name.repr()?
        )));
    }
    log_types.extract::<Vec<String>>().map(Some).map_err(|_| {
        PyTypeError::new_err(format!(
            "log_types must be None or a list of log type names (str), not {}",
            log_types
                .repr()
                .map_or_else(|_| "that".into(), |r| r.to_string())
        ))
    })
}

/// The bytes of any other object with the buffer protocol (memoryview, `pyarrow.Buffer`,
/// numpy arrays), copied once (`tobytes()`); `None` for an object without it.
///
/// `memoryview()` is the test: `__buffer__` exists on Python 3.12 and later only, and
/// `PyObject_CheckBuffer` is not in the limited API of 3.10, this wheel's floor.
fn buffer_bytes(data: &Bound<'_, PyAny>) -> PyResult<Option<PyBackedBytes>> {
    match PyMemoryView::from(data) {
        Ok(view) => Ok(Some(view.call_method0("tobytes")?.extract()?)),
        Err(e) if e.is_instance_of::<PyTypeError>(data.py()) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Inputs of a call: bytes-like data (read in memory, compression detected; `bytes` is
/// read where it lies, not copied), a binary file object (read as the run goes, by the
/// caller's thread: the returned [`Pump`], `file_input.rs`), a path (a directory is walked
/// as by the CLI), or a list of paths; a path that cannot be opened is not an error here
/// but a failed input of the run. `source`: the call's `source=`, which names a file
/// object too.
pub(crate) fn inputs_of(
    data: &Bound<'_, PyAny>,
    source: Option<&str>,
) -> PyResult<(Vec<Input>, Option<Arc<Pump>>)> {
    let bytes: Option<PyBackedBytes> =
        if data.is_instance_of::<PyBytes>() || data.is_instance_of::<PyByteArray>() {
            Some(data.extract()?)
        } else if data.is_instance_of::<PyString>() {
            None
        } else {
            buffer_bytes(data)?
        };
    if let Some(bytes) = bytes {
        let input = Input::Reader(SharedReader::new(std::io::Cursor::new(bytes)));
        return Ok((vec![input], None));
    }
    if is_file_object(data)? {
        let mut pump = Pump::new();
        let input = pump.add(data, source)?;
        return Ok((vec![input], Some(Arc::new(pump))));
    }
    // Records passed as a str (or a list of them: records from Kafka or an API) are read
    // as paths, and missing files: say so.
    if holds_records(data) {
        return Err(PyTypeError::new_err(
            "data is a str, which is read as a path, but it holds records: pass them as \
             bytes (data.encode())",
        ));
    }
    if let Some(seq) = sequence_of_items(data) {
        for (i, item) in seq.try_iter()?.enumerate() {
            let item = item?;
            if is_file_object(&item)? {
                return Err(PyTypeError::new_err(format!(
                    "data[{i}] is a file object: pass one file object per call (data=f), or \
                     a list of paths"
                )));
            }
            if holds_records(&item) {
                return Err(PyTypeError::new_err(format!(
                    "data[{i}] is a str, which is read as a path, but it holds records: pass \
                     records as bytes (\"\\n\".join(data).encode() for a list of them)"
                )));
            }
        }
    }
    let takes = "bytes-like, a binary file object, a path, or a list of paths";
    let paths = paths_of("data", takes, data)?.ok_or_else(|| {
        // Lines from an iterator (an API client's `iter_lines()`, a consumer, a generator
        // of `json.dumps(...).encode()`): say how to pass them (review s46-h2 LOW-4).
        let hint = if data.hasattr("__next__").unwrap_or(false) {
            ": join records into one bytes object (b\"\\n\".join(lines)), or pass a binary \
             file object that reads them"
        } else {
            ""
        };
        PyTypeError::new_err(format!(
            "data must be bytes-like, a binary file object, a path (str or os.PathLike), or \
             a list of paths, not {}{hint}",
            type_name(data)
        ))
    })?;
    // A path that cannot be opened (missing, deleted since it was listed, unreadable) is a
    // failed input of the run, as for the CLI (`stats["failed_inputs"]`); the others are
    // normalized.
    if paths.is_empty() {
        return Err(PyValueError::new_err(
            "data names no input (an empty list): give bytes, a path, or paths",
        ));
    }
    let mut expander = pipeline::Expander::default();
    for path in &paths {
        // The CLI's `-` (standard input) is the file of that name here: Python has
        // `/dev/stdin` (or `sys.stdin.buffer.read()`), and in a notebook or a Spark worker
        // standard input is not the user's.
        if path.as_os_str() == "-" {
            expander.add(&std::path::Path::new(".").join("-"));
        } else {
            expander.add(path);
        }
    }
    // As the CLI's warnings: a file given twice is read once, and so on.
    for (left_out, why) in expander.left_out() {
        if let Some(first) = left_out.first() {
            let more = match left_out.len() - 1 {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            let message = format!("{}{more}: {why}", first.display());
            let message = std::ffi::CString::new(message.replace('\0', " "))?;
            PyErr::warn(
                data.py(),
                &data.py().get_type::<InputWarning>(),
                &message,
                1,
            )?;
        }
    }
    let inputs = expander.inputs;
    if inputs.is_empty() {
        // Directories without a file to read (empty, or only hidden entries): the CLI stops
        // with these words; an empty result would look like logs without events.
        let named: Vec<String> = paths
            .iter()
            .take(3)
            .map(|p| p.display().to_string())
            .collect();
        return Err(PyFileNotFoundError::new_err(format!(
            "no input files: every directory given is empty ({}{})",
            named.join(", "),
            if paths.len() > 3 { ", ..." } else { "" }
        )));
    }
    Ok((inputs, None))
}

/// What `normalize` and `rejects` do about inputs that could not be read, beside listing
/// them in `stats["failed_inputs"]`: when no input could be read at all (each failed before
/// its first record), an `OSError` (a `FileNotFoundError` when each was missing), as the
/// CLI stops with "no input could be read"; when some failed, a `normalog.InputWarning`
/// (a `UserWarning`) that names them, and the result holds what was read, as the CLI goes
/// on and exits 1. A mistyped path returned an empty result, the reason only in `stats`.
pub(crate) fn check_failed(py: Python<'_>, failed: &[FailedInput], inputs: usize) -> PyResult<()> {
    const LISTED: usize = 3;
    if failed.is_empty() {
        return Ok(());
    }
    let mut listed: Vec<String> = failed
        .iter()
        .take(LISTED)
        .map(|f| match f.records {
            0 => format!("{}: {}", f.source, f.error),
            1 => format!("{}: {} (after 1 record)", f.source, f.error),
            n => format!("{}: {} (after {n} records)", f.source, f.error),
        })
        .collect();
    if failed.len() > LISTED {
        listed.push(format!("and {} more", failed.len() - LISTED));
    }
    let listed = listed.join("; ");
    if failed.len() >= inputs && failed.iter().all(|f| f.records == 0) {
        let message = format!("no input could be read: {listed}");
        return Err(if failed.iter().all(|f| f.not_found) {
            PyFileNotFoundError::new_err(message)
        } else {
            PyOSError::new_err(message)
        });
    }
    let (n, s) = (failed.len(), if failed.len() == 1 { "" } else { "s" });
    let message = format!(
        "{n} input{s} could not be read, or not to the end; the result holds the records read \
         (stats[\"failed_inputs\"] lists the inputs): {listed}"
    );
    let message = std::ffi::CString::new(message.replace('\0', " "))?;
    PyErr::warn(py, &py.get_type::<InputWarning>(), &message, 1)
}

/// Each note of a run ([`crate::run::Rejects::take_notes`]) as a `normalog.InputWarning`.
pub(crate) fn warn_notes(py: Python<'_>, notes: &[String]) -> PyResult<()> {
    for note in notes {
        let message = std::ffi::CString::new(note.replace('\0', " "))?;
        PyErr::warn(py, &py.get_type::<InputWarning>(), &message, 1)?;
    }
    Ok(())
}

/// One path, or any sequence (list, tuple, ...) of paths; `None` for an object that is
/// neither (bytes too: a sequence of ints, not of paths). An item that is not a path is a
/// `TypeError` that names it: `{arg}[{i}]`, and what `arg` takes (`takes`).
fn paths_of(arg: &str, takes: &str, obj: &Bound<'_, PyAny>) -> PyResult<Option<Vec<PathBuf>>> {
    if let Some(p) = path_of(obj)? {
        return Ok(Some(vec![p]));
    }
    if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
        return Ok(None);
    }
    let Ok(seq) = obj.cast::<PySequence>() else {
        return Ok(None);
    };
    let mut paths = Vec::new();
    for (i, item) in seq.try_iter()?.enumerate() {
        let item = item?;
        let Some(path) = path_of(&item)? else {
            // A list of records as bytes (review s46-h2 LOW-4), or of schemas' YAML texts
            // (review s46-h3 LOW-5).
            let bytes = item.is_instance_of::<PyBytes>() || item.is_instance_of::<PyByteArray>();
            let hint = match (bytes, arg) {
                (true, "schemas") => {
                    "; a schema's YAML text goes in schema_texts= (as a str)".to_owned()
                }
                (true, _) => format!("; records go in one bytes object: b\"\\n\".join({arg})"),
                (false, _) => String::new(),
            };
            return Err(PyTypeError::new_err(format!(
                "{arg}[{i}] is not a path (str or os.PathLike) but {}: {arg} must be \
                 {takes}{hint}",
                type_name(&item)
            )));
        };
        paths.push(path);
    }
    Ok(Some(paths))
}

/// `obj` as a path when it is one (a str or an `os.PathLike`); an `os.PathLike` whose
/// `__fspath__` raises is that error, and one that gives bytes a `TypeError`: both were
/// "not a path", the user's own exception dropped (review s46-h2 LOW-3).
fn path_of(obj: &Bound<'_, PyAny>) -> PyResult<Option<PathBuf>> {
    if let Ok(p) = obj.extract::<PathBuf>() {
        return Ok(Some(p));
    }
    if obj.is_instance_of::<PyString>() || !obj.hasattr("__fspath__")? {
        return Ok(None);
    }
    let fspath = obj.py().import("os")?.call_method1("fspath", (obj,))?;
    if fspath.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err(format!(
            "{}'s __fspath__ gave bytes: normalog takes paths as str",
            type_name(obj)
        )));
    }
    fspath.extract::<PathBuf>().map(Some)
}

/// A str that holds records rather than names a file: it starts with `{` or `[` and holds
/// quotes or colons (a file name may start with a bracket: `[2024].json`), or it holds
/// several lines; and no file has that name.
fn holds_records(obj: &Bound<'_, PyAny>) -> bool {
    // A str that is not UTF-8 (a file name `os.listdir` gave, with surrogates) is a path.
    let Some(text) = obj.cast::<PyString>().ok().and_then(|t| t.to_cow().ok()) else {
        return false;
    };
    let looks_like_records = (text.trim_start().starts_with(['{', '['])
        && text.contains(['"', ':']))
        || text.trim_end().contains('\n');
    looks_like_records && !std::path::Path::new(&*text).exists()
}

/// The name of an object's type, for messages.
pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "?".into(), |n| n.to_string())
}
