//! `normalog._normalog`: the Python extension module of the `normalog` package.
//!
//! A thin layer: arguments are checked and turned into the core's [`Registry`](normalog::Registry),
//! [`NormalizerBuilder`](normalog::NormalizerBuilder) and
//! [`Batch`](normalog::pipeline::Batch); the runs (`run.rs`, `stream.rs`) are the core's
//! pipeline; results cross to Python as Arrow through the C data / C stream interface
//! (`arrow-pyarrow`, and `__arrow_c_stream__` capsules), never as per-record objects.
//! The GIL is released while normalizing.
//!
//! The classes: `Normalizer` (`normalizer.rs`, its arguments read by `inputs.rs`),
//! `NormalizeResult` (`result.rs`) and `BatchStream` (`batch_stream.rs`); results become
//! pyarrow objects in `tables.rs`. This file declares the module, its exception and the
//! errors every class raises.

mod batch_stream;
mod exit;
mod file_input;
mod inputs;
mod interrupt;
mod normalizer;
mod result;
mod run;
mod stream;
mod tables;

use normalog::SchemaErrors;
use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyUserWarning, PyValueError};
use pyo3::prelude::*;

use batch_stream::BatchStream;
use normalizer::Normalizer;
use result::NormalizeResult;

// Declared in module `normalog` (which re-exports it), not `_normalog`: pickle finds a
// class by its `__module__`, and an exception raised in a worker process of a
// `ProcessPoolExecutor` must be unpickled in the parent.
create_exception!(
    normalog,
    SchemaError,
    PyValueError,
    "Schemas that cannot be loaded: the message lists every problem with file:line:col, as the CLI prints them."
);

create_exception!(
    normalog,
    InputWarning,
    PyUserWarning,
    "Some inputs of a call could not be read, or not to the end: the result holds what was read, and stats[\"failed_inputs\"] lists them. A UserWarning, to filter on its own (warnings.simplefilter(\"error\", normalog.InputWarning) makes it an exception, and the result is lost)."
);

pub(crate) fn schema_error(errors: &SchemaErrors) -> PyErr {
    let lines: Vec<String> = errors.0.iter().map(ToString::to_string).collect();
    SchemaError::new_err(lines.join("\n"))
}

/// A `ValueError` with the library's message: the loaded log types and the one meant, in
/// the CLI's words (the CLI adds hints that name its own flags).
pub(crate) fn unknown_log_type(e: &dyn std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

pub(crate) fn runtime_error(e: impl std::fmt::Display) -> PyErr {
    PyRuntimeError::new_err(e.to_string())
}

/// The schema files that `Normalizer(schemas=paths)` reads, in its order: each file given,
/// and the schema files under each directory given (`*.yml`, `*.yaml`; not test files, nor
/// hidden ones). `normalog.spark` digests them to tell that the schemas changed.
#[pyfunction]
fn schema_files(paths: Vec<std::path::PathBuf>) -> Vec<std::path::PathBuf> {
    paths
        .into_iter()
        .flat_map(|p| normalog::schema::load::schema_files(&p))
        .collect()
}

#[pymodule]
fn _normalog(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Normalizer>()?;
    m.add_function(wrap_pyfunction!(schema_files, m)?)?;
    m.add_class::<NormalizeResult>()?;
    m.add_class::<BatchStream>()?;
    m.add("SchemaError", m.py().get_type::<SchemaError>())?;
    m.add("InputWarning", m.py().get_type::<InputWarning>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // A daemon thread in a normalog call at exit must not abort the process (`exit.rs`).
    let before_exit = wrap_pyfunction!(exit::before_exit, m)?;
    m.py()
        .import("atexit")?
        .call_method1("register", (before_exit,))?;
    let after_fork = wrap_pyfunction!(exit::after_fork_in_child, m)?;
    let kwargs = pyo3::types::PyDict::new(m.py());
    kwargs.set_item("after_in_child", after_fork)?;
    m.py()
        .import("os")?
        .call_method("register_at_fork", (), Some(&kwargs))?;
    Ok(())
}
