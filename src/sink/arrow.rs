//! Events as Arrow: the Arrow schema of a log type and a [`RecordBatchBuilder`] that
//! appends [`Event`]s and finishes [`RecordBatch`]es.
//!
//! This is the columnar encoder behind the Parquet sink, public so that embedders can hand
//! batches to DataFusion, Polars or their own writer.
//!
//! ```
//! use normalog::sink::arrow::RecordBatchBuilder;
//! use normalog::{NormalizerBuilder, Position, Registry};
//!
//! let registry = Registry::builtin();
//! let plan = registry.get("Zoom.Activity").expect("built in");
//! let mut normalizer = NormalizerBuilder::new().log_types(["Zoom.Activity"]).build(&registry)?;
//! let mut batch = RecordBatchBuilder::new(plan);
//! let line = br#"{"email":"ann@example.com","time":"2023-07-01T14:00:00Z"}"#;
//! normalizer.normalize_bytes(line, Position::default(), &mut batch)?;
//! let batch = batch.finish()?;
//! assert_eq!(batch.num_rows(), 1);
//! assert!(batch.schema().field_with_name("p_any_emails").is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The type mapping and null rules are those of [`super::parquet`] (see there). A builder
//! holds one log type's batch: an event of another log type is an error of the sink, which
//! stops the run (normalize with that log type alone, or sort events by log type into a
//! builder each).
//!
//! The batches are arrow-rs's: [`super::arrow_array`] and [`super::arrow_schema`] are
//! re-exported, so that an embedder uses the version normalog was built with (`Array`,
//! `RecordBatch`, `Schema`).

use std::sync::Arc;

use arrow_array::builder::{PrimitiveBuilder, StringBuilder};
use arrow_array::types::ArrowPrimitiveType;
use arrow_array::{
    Array, ArrayRef, Int64Array, RecordBatch, RecordBatchOptions, StringArray,
    TimestampMicrosecondArray,
};
use arrow_buffer::{Buffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};

use crate::compile::{Decoder, ObjectPlan, Plan, ValuePlan};
use crate::error::{Error, ErrorKind};
use crate::event::{
    Event, SourceMeta, P_EVENT_TIME, P_LOG_TYPE, P_PARSE_TIME, P_ROW_ID, P_SCHEMA_VERSION,
    P_SOURCE_ID, P_SOURCE_LABEL,
};
use crate::indicators::Column;
use crate::names::column_name;
use crate::schema::Schema as LogSchema;
use crate::time::Timestamp;

mod column;
use column::{ColumnBuilder, ListBuilder};

/// The time zone of every timestamp column.
pub const UTC: &str = "UTC";

/// The Arrow type of timestamps: microseconds since the epoch, UTC.
///
/// Microseconds, not nanoseconds: decoded timestamps span the years 0000–9999, and an `i64`
/// of nanoseconds only reaches 1677–2262, while microseconds cover the whole range. It is
/// also the precision of DuckDB's `TIMESTAMP WITH TIME ZONE`, Spark's and Trino's default
/// timestamps. Sub-microsecond digits are truncated (toward the past).
#[must_use]
pub fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some(UTC.into()))
}

/// The Arrow schema of a log type's events: the schema's fields in schema order (named as
/// table columns: [`column_name`]), then
/// `p_log_type`, `p_row_id`, `p_event_time`, `p_parse_time`, `p_schema_version`,
/// `p_source_id`, `p_source_label`, then every `p_any_*` column the schema can fill
/// ([`Plan::indicator_columns`]).
#[must_use]
pub fn arrow_schema(plan: &Plan) -> SchemaRef {
    let mut fields: Vec<Field> = plan
        .root
        .fields
        .iter()
        .map(|f| Field::new(column_name(&f.name), value_type(&f.value), true))
        .collect();
    fields.push(Field::new(P_LOG_TYPE, DataType::Utf8, false));
    fields.push(Field::new(P_ROW_ID, DataType::Utf8, false));
    fields.push(Field::new(P_EVENT_TIME, timestamp_type(), false));
    fields.push(Field::new(P_PARSE_TIME, timestamp_type(), false));
    fields.push(Field::new(P_SCHEMA_VERSION, DataType::Int64, false));
    fields.push(Field::new(P_SOURCE_ID, DataType::Utf8, true));
    fields.push(Field::new(P_SOURCE_LABEL, DataType::Utf8, true));
    for col in plan.indicator_columns() {
        fields.push(Field::new(col.name(), string_list(), true));
    }
    Arc::new(Schema::new(fields))
}

fn string_list() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)))
}

fn value_type(plan: &ValuePlan) -> DataType {
    match &plan.decoder {
        Decoder::String | Decoder::Json => DataType::Utf8,
        Decoder::Int16 => DataType::Int16,
        Decoder::Int32 => DataType::Int32,
        Decoder::Int64 => DataType::Int64,
        Decoder::Float => DataType::Float64,
        Decoder::Bool => DataType::Boolean,
        Decoder::Timestamp { .. } => timestamp_type(),
        // Parquet cannot store a group without columns: an object without fields is its
        // JSON text (`{}`), as NDJSON writes it.
        Decoder::Object(o) if o.fields.is_empty() => DataType::Utf8,
        Decoder::Object(o) => DataType::Struct(object_fields(o)),
        Decoder::Array(e) => DataType::List(Arc::new(Field::new_list_field(value_type(e), true))),
    }
}

fn object_fields(o: &ObjectPlan) -> Fields {
    o.fields
        .iter()
        .map(|f| Field::new(column_name(&f.name), value_type(&f.value), true))
        .collect()
}

/// Appends events of one log type and finishes them as [`RecordBatch`]es with the schema of
/// [`arrow_schema()`]. The builders are kept and reused across batches.
///
/// It is also a [`Sink`](super::Sink): events are appended, rejects ignored.
#[derive(Debug)]
pub struct RecordBatchBuilder {
    schema: SchemaRef,
    log_type: Arc<str>,
    /// The log schema of the plan the builder was made for: events of that plan (the same
    /// `Arc`), or of one compiled from an equal schema (a registry built again), fill its
    /// columns; an event of another schema of the same name would not.
    log_schema: Arc<LogSchema>,
    schema_version: i64,
    fields: Vec<ColumnBuilder>,
    // `p_log_type` and `p_schema_version` are the same on every row: they are made at
    // `finish`, nothing is appended per row.
    /// `p_row_id`: [`ROW_ID_LEN`] bytes per row (ASCII hex), validated once per batch.
    row_ids: Vec<u8>,
    event_times: Vec<i64>,
    parse_times: Vec<i64>,
    /// `p_source_id` and `p_source_label` as runs of rows with the same source.
    sources: SourceRuns,
    indicators: Vec<(Column, ListBuilder)>,
    rows: usize,
}

/// Bytes of a `p_row_id`.
const ROW_ID_LEN: usize = 32;

impl RecordBatchBuilder {
    /// A builder for events of `plan`'s log type.
    #[must_use]
    pub fn new(plan: &Plan) -> Self {
        RecordBatchBuilder {
            schema: arrow_schema(plan),
            log_type: Arc::clone(&plan.log_type),
            log_schema: Arc::clone(&plan.schema),
            schema_version: plan.schema_version,
            fields: plan
                .root
                .fields
                .iter()
                .map(|f| ColumnBuilder::new(&f.value))
                .collect(),
            row_ids: Vec::new(),
            event_times: Vec::new(),
            parse_times: Vec::new(),
            sources: SourceRuns::default(),
            indicators: plan
                .indicator_columns()
                .iter()
                .map(|&c| {
                    let item = Arc::new(Field::new_list_field(DataType::Utf8, true));
                    (
                        c,
                        ListBuilder::new(item, ColumnBuilder::Utf8(StringBuilder::new())),
                    )
                })
                .collect(),
            rows: 0,
        }
    }

    /// The schema of the batches.
    #[must_use]
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// The log type of the events this builder takes.
    #[must_use]
    pub fn log_type(&self) -> &str {
        &self.log_type
    }

    /// Rows appended since the last [`finish`](Self::finish).
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows
    }

    /// True when no row was appended since the last [`finish`](Self::finish).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Append one event as a row.
    ///
    /// # Errors
    ///
    /// The event is of another log type than the builder's (a [`ErrorKind::Sink`] error).
    pub fn append(&mut self, event: &Event<'_>) -> Result<(), Error> {
        if !self.takes(event) {
            let of = if same_str(&self.log_type, event.log_type()) {
                " of another schema (its fields differ)"
            } else {
                ""
            };
            return Err(Error::new(ErrorKind::Sink(
                format!(
                    "a {} event{of} cannot be appended to a {} record batch",
                    event.log_type(),
                    self.log_type
                )
                .into(),
            )));
        }
        let (plan, vals) = event.root();
        for ((f, b), &v) in plan.fields.iter().zip(&mut self.fields).zip(vals) {
            b.append(event, &f.value, v, vals);
        }
        self.row_ids.extend_from_slice(&event.row_id);
        self.event_times.push(micros(&event.event_time()));
        self.parse_times.push(micros(&event.parse_time()));
        self.sources.push(event.source());
        for (col, list) in &mut self.indicators {
            let values = event.indicators(*col);
            if values.is_empty() {
                list.append_null();
            } else {
                if let ColumnBuilder::Utf8(b) = &mut *list.child {
                    for v in values {
                        b.append_value(v);
                    }
                }
                list.append_len(values.len());
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// The rows appended so far as a batch; the builder is then empty and ready for more.
    ///
    /// # Errors
    ///
    /// Only if the arrays do not fit Arrow's 32-bit offsets (over 2 GiB of text in one
    /// column of one batch): finish batches more often.
    pub fn finish(&mut self) -> Result<RecordBatch, Error> {
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(self.schema.fields().len());
        for b in &mut self.fields {
            columns.push(b.finish()?);
        }
        let rows = std::mem::take(&mut self.rows);
        let mut log_types = StringBuilder::with_capacity(rows, rows * self.log_type.len());
        log_types.append_value_n(&*self.log_type, rows);
        columns.push(Arc::new(log_types.finish()));
        columns.push(Arc::new(row_id_array(take_reserved(&mut self.row_ids))?));
        columns.push(Arc::new(timestamp_array(take_reserved(
            &mut self.event_times,
        ))));
        columns.push(Arc::new(timestamp_array(take_reserved(
            &mut self.parse_times,
        ))));
        columns.push(Arc::new(Int64Array::from_value(self.schema_version, rows)));
        let (ids, labels) = self.sources.finish();
        columns.push(Arc::new(ids));
        columns.push(Arc::new(labels));
        for (_, list) in &mut self.indicators {
            columns.push(list.finish()?);
        }
        RecordBatch::try_new_with_options(
            Arc::clone(&self.schema),
            columns,
            &RecordBatchOptions::new().with_row_count(Some(rows)),
        )
        .map_err(arrow_error)
    }
}

impl RecordBatchBuilder {
    /// Whether the event is of the builder's log type and schema: the same plan (its schema's
    /// `Arc`), or, rarely, a plan of the same name compiled from an equal schema.
    fn takes(&self, event: &Event<'_>) -> bool {
        let theirs = &event.plan().schema;
        Arc::ptr_eq(&self.log_schema, theirs)
            || (same_str(&self.log_type, event.log_type()) && *self.log_schema == **theirs)
    }
}

/// `a == b`, deciding by address first: equal when both point to the same bytes.
fn same_str(a: &str, b: &str) -> bool {
    (std::ptr::eq(a.as_ptr(), b.as_ptr()) && a.len() == b.len()) || a == b
}

/// The contents of `v`, leaving it empty with room for as many (see [`headroom`]).
fn take_reserved<T>(v: &mut Vec<T>) -> Vec<T> {
    let capacity = headroom(v.len());
    std::mem::replace(v, Vec::with_capacity(capacity))
}

/// The room a builder keeps after finishing a batch of `n` values (or bytes): the next batch
/// is usually about as large, and then grows no buffer (each growth copies the buffer).
/// An eighth more, so that a slightly larger batch does not double the buffer either; and
/// no more than that, so that a builder does not hold much more than its last batch did.
fn headroom(n: usize) -> usize {
    n + n / 8
}

/// The column of a primitive builder so far; the builder is then empty, with room for as
/// many values (see [`headroom`]) and the same data type (a timestamp keeps its zone).
fn refill<T: ArrowPrimitiveType>(b: &mut PrimitiveBuilder<T>) -> ArrayRef {
    let a = b.finish();
    *b = PrimitiveBuilder::<T>::with_capacity(headroom(a.len()))
        .with_data_type(a.data_type().clone());
    Arc::new(a)
}

fn timestamp_array(micros: Vec<i64>) -> TimestampMicrosecondArray {
    TimestampMicrosecondArray::new(ScalarBuffer::from(micros), None).with_timezone(UTC)
}

/// The `p_row_id` column of [`ROW_ID_LEN`]-byte ids laid end to end. Arrow checks the
/// bytes are UTF-8 here, once for the batch, instead of once per row.
fn row_id_array(bytes: Vec<u8>) -> Result<StringArray, Error> {
    let rows = bytes.len() / ROW_ID_LEN;
    StringArray::try_new(
        OffsetBuffer::from_lengths(std::iter::repeat_n(ROW_ID_LEN, rows)),
        Buffer::from_vec(bytes),
        None,
    )
    .map_err(arrow_error)
}

/// `p_source_id` and `p_source_label`, run-length encoded. A normalizer stamps the same
/// source on all its events, so a row costs a comparison instead of two string appends.
#[derive(Debug, Default)]
struct SourceRuns {
    runs: Vec<(SourceMeta, usize)>,
}

impl SourceRuns {
    fn push(&mut self, source: &SourceMeta) {
        match self.runs.last_mut() {
            Some((last, rows)) if last == source => *rows += 1,
            _ => self.runs.push((source.clone(), 1)),
        }
    }

    /// The `p_source_id` and `p_source_label` columns; the runs are then empty.
    fn finish(&mut self) -> (StringArray, StringArray) {
        let rows = self.runs.iter().map(|(_, n)| n).sum();
        let mut ids = StringBuilder::with_capacity(rows, 0);
        let mut labels = StringBuilder::with_capacity(rows, 0);
        for (source, n) in self.runs.drain(..) {
            for (builder, value) in [(&mut ids, &source.id), (&mut labels, &source.label)] {
                match value {
                    Some(v) => builder.append_value_n(v, n),
                    None => builder.append_nulls(n),
                }
            }
        }
        (ids.finish(), labels.finish())
    }
}

impl super::Sink for RecordBatchBuilder {
    type Error = Error;
    fn record(&mut self, event: &Event<'_>) -> Result<bool, Error> {
        self.append(event)?;
        Ok(true)
    }
}

/// Microseconds since the epoch (sub-microsecond digits truncated toward the past).
#[must_use]
pub fn micros(t: &Timestamp) -> i64 {
    t.timestamp_micros()
}

pub(crate) fn arrow_error(e: arrow_schema::ArrowError) -> Error {
    Error::new(ErrorKind::Sink(Box::new(e)))
}

/// The index in `builders` of the builder for the event's log type, created on first use
/// (sinks that see several log types keep one builder per type).
pub(crate) fn builder_for(builders: &mut Vec<RecordBatchBuilder>, event: &Event<'_>) -> usize {
    if let Some(i) = builders.iter().position(|b| b.takes(event)) {
        return i;
    }
    builders.push(RecordBatchBuilder::new(event.plan()));
    builders.len() - 1
}

#[cfg(test)]
mod tests;
