//! Results as Python objects: record batches as a `pyarrow.Table` (through the Arrow C
//! stream interface), the rejects table, and the `stats` dict.

use arrow_array::{RecordBatch, RecordBatchIterator, RecordBatchReader};
use arrow_pyarrow::IntoPyArrow;
use arrow_schema::SchemaRef;
use normalog::sink::Summary;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::run::{rejects_schema, FailedInput};

fn reader_of(schema: SchemaRef, batches: Vec<RecordBatch>) -> Box<dyn RecordBatchReader + Send> {
    Box::new(RecordBatchIterator::new(
        batches.into_iter().map(Ok),
        schema,
    ))
}

/// Batches as a `pyarrow.Table`: one C stream, read by pyarrow without copying buffers.
pub(crate) fn table(
    py: Python<'_>,
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
) -> PyResult<Bound<'_, PyAny>> {
    reader_of(schema, batches)
        .into_pyarrow(py)?
        .call_method0("read_all")
}

/// The rejects' batches as one `pyarrow.Table` (its chunks the batches).
pub(crate) fn rejects_table(
    py: Python<'_>,
    batches: Vec<RecordBatch>,
) -> PyResult<Bound<'_, PyAny>> {
    table(py, rejects_schema(), batches)
}

pub(crate) fn stats_dict<'py>(
    py: Python<'py>,
    s: &Summary,
    failed: &[FailedInput],
    notes: &[String],
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("records", s.records)?;
    d.set_item("normalized", s.by_log_type.clone())?;
    d.set_item("rejected", s.rejected)?;
    d.set_item("rejected_by_reason", s.rejects_by_reason.clone())?;
    d.set_item("blank_lines", s.blank_lines)?;
    d.set_item("skipped_lines", s.skipped_lines)?;
    d.set_item("empty_pages", s.empty_pages)?;
    d.set_item("bytes", s.bytes)?;
    let failed_list = PyList::empty(py);
    for f in failed {
        let item = PyDict::new(py);
        item.set_item("source", &f.source)?;
        item.set_item("error", &f.error)?;
        item.set_item("records", f.records)?;
        failed_list.append(item)?;
    }
    d.set_item("failed_inputs", failed_list)?;
    d.set_item("notes", notes)?;
    Ok(d)
}
