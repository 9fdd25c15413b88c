//! A Python binary file object as an input: anything with a `read(n)` that returns bytes
//! (`open(path, "rb")`, `gzip.open(...)`, `io.BytesIO`, `sys.stdin.buffer`, a boto3
//! `StreamingBody`, a subprocess's stdout). The core's pipeline reads it on its reader
//! thread as it reads a file, a chunk at a time, so memory stays bounded whatever the
//! stream's size; each read takes the GIL for the one call (the run itself holds none).
//! A read that waits (a silent socket) does not hold Ctrl-C: the core reads such an input
//! on a thread of its own, which a stopped run leaves in its read.

use std::io::{self, Read};

use normalog::pipeline::input::SharedReader;
use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyByteArray, PyBytes, PyString};

/// Whether `data` is a file object to read from: it has a `read` method and is none of the
/// other things `data` may be (a str, bytes, a bytearray: those are not read with `read`).
pub(crate) fn is_file_object(data: &Bound<'_, PyAny>) -> PyResult<bool> {
    if data.is_instance_of::<PyString>()
        || data.is_instance_of::<PyBytes>()
        || data.is_instance_of::<PyByteArray>()
    {
        return Ok(false);
    }
    data.hasattr(intern!(data.py(), "read"))
}

/// The input that reads the file object `file`, named `name` in rejects and messages when
/// one is given (the call's `source=` names it otherwise), else by the file's `name` (an
/// open file's path) or its type (`<BytesIO>`). A file opened in text mode is a
/// `TypeError`: its `read` gives str, decoded by Python and with line ends rewritten.
pub(crate) fn file_input(file: &Bound<'_, PyAny>, named_by_caller: bool) -> PyResult<SharedReader> {
    let py = file.py();
    let text_io = py
        .import(intern!(py, "io"))?
        .getattr(intern!(py, "TextIOBase"))?;
    if file.is_instance(&text_io)? {
        return Err(PyTypeError::new_err(
            "data is a file opened in text mode: open it in binary mode (open(path, \"rb\")), \
             or pass its path",
        ));
    }
    // `read1` (buffered files, `BytesIO`, `gzip.open`) gives what one read of the stream
    // gives, at most `n`: `read(n)` of a buffered pipe waits until it has all `n` bytes,
    // and the records of a slow producer waited with it.
    let method = if file.hasattr(intern!(py, "read1"))? {
        intern!(py, "read1")
    } else {
        intern!(py, "read")
    };
    let reader = PyFile {
        file: file.clone().unbind(),
        method: method.clone().unbind(),
    };
    // Its reads may wait for as long as the other end likes (a socket, a pipe): Ctrl-C
    // does not wait for them.
    if named_by_caller {
        return Ok(SharedReader::new(reader).may_wait());
    }
    let name = match file.getattr(intern!(py, "name")) {
        Ok(name) if name.is_instance_of::<PyString>() => name.extract::<String>()?,
        _ => format!(
            "<{}>",
            file.get_type()
                .name()
                .map_or_else(|_| "file object".into(), |n| n.to_string())
        ),
    };
    Ok(SharedReader::named(reader, &name).may_wait())
}

/// A Python file object read through its `read1(n)` or `read(n)` (`method`).
struct PyFile {
    file: Py<PyAny>,
    method: Py<PyString>,
}

impl Read for PyFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        Python::attach(|py| {
            let method = self.method.bind(py);
            let got = self
                .file
                .bind(py)
                .call_method1(method, (buf.len(),))
                .map_err(|e| io::Error::other(format!("{method}() raised {e}")))?;
            if got.is_none() {
                // A raw stream in non-blocking mode with nothing to read yet.
                return Err(io::Error::new(
                    io::ErrorKind::WouldBlock,
                    format!(
                        "{method}() returned None (a non-blocking stream): give a blocking one"
                    ),
                ));
            }
            let bytes: PyBackedBytes = got.extract().map_err(|_| {
                let what = got
                    .get_type()
                    .name()
                    .map_or_else(|_| "?".into(), |n| n.to_string());
                let hint = if got.is_instance_of::<PyString>() {
                    ": open the file in binary mode (\"rb\")"
                } else {
                    ""
                };
                io::Error::other(format!("{method}() returned {what}, not bytes{hint}"))
            })?;
            let Some(to) = buf.get_mut(..bytes.len()) else {
                return Err(io::Error::other(format!(
                    "{method}({}) returned {} bytes, more than asked",
                    buf.len(),
                    bytes.len()
                )));
            };
            to.copy_from_slice(&bytes);
            Ok(bytes.len())
        })
    }
}
