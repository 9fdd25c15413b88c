//! Events as Arrow: the Arrow schema of a log type and a [`RecordBatchBuilder`] that
//! appends [`Event`]s and finishes [`RecordBatch`]es.
//!
//! This is the columnar encoder behind the Parquet sink, public so that embedders can hand
//! batches to DataFusion, Polars or their own writer.
//!
//! ```
//! use normalog::sink::arrow::RecordBatchBuilder;
//! use normalog::{NormalizerBuilder, Position, Registry, Sink};
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
//! The type mapping and null rules are those of [`super::parquet`] (see there).

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int16Builder, Int32Builder, Int64Builder, PrimitiveBuilder,
    StringBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::types::ArrowPrimitiveType;
use arrow_array::{
    Array, ArrayRef, Int64Array, ListArray, RecordBatch, RecordBatchOptions, StringArray,
    StructArray, TimestampMicrosecondArray,
};
use arrow_buffer::{Buffer, NullBufferBuilder, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, FieldRef, Fields, Schema, SchemaRef, TimeUnit};

use crate::compile::{Decoder, ObjectPlan, Plan, ValuePlan};
use crate::error::{Error, ErrorKind};
use crate::event::{
    Event, SourceMeta, Val, P_EVENT_TIME, P_LOG_TYPE, P_PARSE_TIME, P_ROW_ID, P_SCHEMA_VERSION,
    P_SOURCE_ID, P_SOURCE_LABEL,
};
use crate::indicators::Column;
use crate::time::Timestamp;

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

/// The Arrow schema of a log type's events: the schema's fields in schema order, then
/// `p_log_type`, `p_row_id`, `p_event_time`, `p_parse_time`, `p_schema_version`,
/// `p_source_id`, `p_source_label`, then every `p_any_*` column the schema can fill
/// ([`Plan::indicator_columns`]).
#[must_use]
pub fn arrow_schema(plan: &Plan) -> SchemaRef {
    let mut fields: Vec<Field> = plan
        .root
        .fields
        .iter()
        .map(|f| Field::new(&*f.name, value_type(&f.value), true))
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
        .map(|f| Field::new(&*f.name, value_type(&f.value), true))
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
            return Err(Error::new(ErrorKind::Sink(
                format!(
                    "a {} event cannot be appended to a {} record batch",
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
    /// Whether the event is of the builder's log type. The builder's name is the plan's
    /// own `Arc`, so the pointers are equal for events of the same plan and the text
    /// comparison is only the fallback.
    fn takes(&self, event: &Event<'_>) -> bool {
        same_str(&self.log_type, event.log_type())
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

/// A builder for one column (or struct child, or list element), following a [`ValuePlan`].
#[derive(Debug)]
enum ColumnBuilder {
    Utf8(StringBuilder),
    Int16(Int16Builder),
    Int32(Int32Builder),
    Int64(Int64Builder),
    Float64(Float64Builder),
    Bool(BooleanBuilder),
    Timestamp(TimestampMicrosecondBuilder),
    Struct(StructBuilder),
    List(ListBuilder),
}

#[derive(Debug)]
struct StructBuilder {
    fields: Fields,
    children: Vec<ColumnBuilder>,
    nulls: NullBufferBuilder,
}

#[derive(Debug)]
struct ListBuilder {
    item: FieldRef,
    offsets: Vec<i32>,
    nulls: NullBufferBuilder,
    child: Box<ColumnBuilder>,
    /// Offsets are `i32`: past this many child values the batch cannot be built.
    overflow: bool,
}

impl StructBuilder {
    /// A null struct: a null in every child too, so that all children keep its length.
    fn append_null(&mut self) {
        for c in &mut self.children {
            c.append_null();
        }
        self.nulls.append_null();
    }
}

impl ListBuilder {
    fn new(item: FieldRef, child: ColumnBuilder) -> Self {
        ListBuilder {
            item,
            offsets: vec![0],
            nulls: NullBufferBuilder::new(0),
            child: Box::new(child),
            overflow: false,
        }
    }

    fn last(&self) -> i32 {
        self.offsets.last().copied().unwrap_or(0)
    }

    fn append_null(&mut self) {
        let last = self.last();
        self.offsets.push(last);
        self.nulls.append_null();
    }

    /// Close a list of `len` child values, already appended to the child.
    fn append_len(&mut self, len: usize) {
        let next = i32::try_from(len)
            .ok()
            .and_then(|len| self.last().checked_add(len));
        if let Some(next) = next {
            self.offsets.push(next);
        } else {
            self.overflow = true;
            let last = self.last();
            self.offsets.push(last);
        }
        self.nulls.append_non_null();
    }

    fn finish(&mut self) -> Result<ArrayRef, Error> {
        let offsets = take_reserved(&mut self.offsets);
        self.offsets.push(0);
        let values = self.child.finish()?;
        if std::mem::take(&mut self.overflow) {
            self.nulls.finish();
            return Err(Error::new(ErrorKind::Sink(
                "list column too large for one record batch (more than 2^31 values)".into(),
            )));
        }
        let list = ListArray::try_new(
            Arc::clone(&self.item),
            OffsetBuffer::new(ScalarBuffer::from(offsets)),
            values,
            self.nulls.finish(),
        )
        .map_err(arrow_error)?;
        Ok(Arc::new(list))
    }
}

impl ColumnBuilder {
    fn new(plan: &ValuePlan) -> Self {
        match &plan.decoder {
            Decoder::String | Decoder::Json => ColumnBuilder::Utf8(StringBuilder::new()),
            Decoder::Int16 => ColumnBuilder::Int16(Int16Builder::new()),
            Decoder::Int32 => ColumnBuilder::Int32(Int32Builder::new()),
            Decoder::Int64 => ColumnBuilder::Int64(Int64Builder::new()),
            Decoder::Float => ColumnBuilder::Float64(Float64Builder::new()),
            Decoder::Bool => ColumnBuilder::Bool(BooleanBuilder::new()),
            Decoder::Timestamp { .. } => {
                ColumnBuilder::Timestamp(TimestampMicrosecondBuilder::new().with_timezone(UTC))
            }
            Decoder::Object(o) if o.fields.is_empty() => ColumnBuilder::Utf8(StringBuilder::new()),
            Decoder::Object(o) => ColumnBuilder::Struct(StructBuilder {
                fields: object_fields(o),
                children: o
                    .fields
                    .iter()
                    .map(|f| ColumnBuilder::new(&f.value))
                    .collect(),
                nulls: NullBufferBuilder::new(0),
            }),
            Decoder::Array(e) => ColumnBuilder::List(ListBuilder::new(
                Arc::new(Field::new_list_field(value_type(e), true)),
                ColumnBuilder::new(e),
            )),
        }
    }

    /// Append a null (an absent value; for a struct, a null in every child too).
    fn append_null(&mut self) {
        match self {
            ColumnBuilder::Utf8(b) => b.append_null(),
            ColumnBuilder::Int16(b) => b.append_null(),
            ColumnBuilder::Int32(b) => b.append_null(),
            ColumnBuilder::Int64(b) => b.append_null(),
            ColumnBuilder::Float64(b) => b.append_null(),
            ColumnBuilder::Bool(b) => b.append_null(),
            ColumnBuilder::Timestamp(b) => b.append_null(),
            ColumnBuilder::Struct(s) => s.append_null(),
            ColumnBuilder::List(l) => l.append_null(),
        }
    }

    /// Append one value. The decoder guarantees that a value matches its plan (an `Int`
    /// of an `int` field fits `i32`, and so on); a mismatch, which cannot happen, is null.
    ///
    /// Inlined into the per-field loop for the common case, a value of a leaf column; nulls,
    /// structs and lists go through [`append_other`](Self::append_other). Measured with the
    /// loop over values by `zip`: `ParquetWriter::record` 1,506 -> 1,414 instructions/record.
    #[inline]
    fn append(&mut self, ev: &Event<'_>, plan: &ValuePlan, v: Val<'_>, vals: &[Val<'_>]) {
        // Every value matched here is written (`Val::is_written`).
        match (self, v) {
            (ColumnBuilder::Utf8(b), Val::Str(s)) => b.append_value(s),
            (ColumnBuilder::Utf8(b), Val::Text { start, end } | Val::Json { start, end }) => {
                b.append_value(ev.text_of(start, end));
            }
            (ColumnBuilder::Int64(b), Val::Int(i)) => b.append_value(i),
            (ColumnBuilder::Timestamp(b), Val::Time(t)) => b.append_value(micros(&t)),
            (b, v) => b.append_other(ev, plan, v, vals),
        }
    }

    /// [`append`](Self::append) of the rarer cases.
    #[inline(never)]
    fn append_other(&mut self, ev: &Event<'_>, plan: &ValuePlan, v: Val<'_>, vals: &[Val<'_>]) {
        if !v.is_written() {
            self.append_null();
            return;
        }
        match (self, v) {
            (ColumnBuilder::Utf8(b), Val::Str(s)) => b.append_value(s),
            (ColumnBuilder::Utf8(b), Val::Text { start, end } | Val::Json { start, end }) => {
                b.append_value(ev.text_of(start, end));
            }
            // An object without fields (see `value_type`).
            (ColumnBuilder::Utf8(b), Val::Object { .. }) => b.append_value("{}"),
            (ColumnBuilder::Int16(b), Val::Int(i)) => b.append_option(i16::try_from(i).ok()),
            (ColumnBuilder::Int32(b), Val::Int(i)) => b.append_option(i32::try_from(i).ok()),
            (ColumnBuilder::Int64(b), Val::Int(i)) => b.append_value(i),
            (ColumnBuilder::Float64(b), Val::Float(f)) => b.append_value(f),
            (ColumnBuilder::Bool(b), Val::Bool(x)) => b.append_value(x),
            (ColumnBuilder::Timestamp(b), Val::Time(t)) => b.append_value(micros(&t)),
            (ColumnBuilder::Struct(s), Val::Object { start }) => {
                if let Decoder::Object(o) = &plan.decoder {
                    let start = start as usize;
                    let values = &vals[start..start + o.fields.len()];
                    for ((f, c), &v) in o.fields.iter().zip(&mut s.children).zip(values) {
                        c.append(ev, &f.value, v, vals);
                    }
                    s.nulls.append_non_null();
                } else {
                    s.append_null();
                }
            }
            (ColumnBuilder::List(l), Val::Array { start, len }) => {
                if let Decoder::Array(e) = &plan.decoder {
                    for &v in &vals[start as usize..(start + len) as usize] {
                        l.child.append(ev, e, v, vals);
                    }
                    l.append_len(len as usize);
                } else {
                    l.append_null();
                }
            }
            (b, _) => b.append_null(),
        }
    }

    /// The column so far; the builder is then empty, with room for as many values as the
    /// finished column held (see [`headroom`]).
    fn finish(&mut self) -> Result<ArrayRef, Error> {
        Ok(match self {
            ColumnBuilder::Utf8(b) => {
                let a = b.finish();
                *b =
                    StringBuilder::with_capacity(headroom(a.len()), headroom(a.value_data().len()));
                Arc::new(a)
            }
            ColumnBuilder::Int16(b) => refill(b),
            ColumnBuilder::Int32(b) => refill(b),
            ColumnBuilder::Int64(b) => refill(b),
            ColumnBuilder::Float64(b) => refill(b),
            ColumnBuilder::Bool(b) => {
                let a = b.finish();
                *b = BooleanBuilder::with_capacity(headroom(a.len()));
                Arc::new(a)
            }
            ColumnBuilder::Timestamp(b) => refill(b),
            ColumnBuilder::Struct(s) => {
                let mut arrays = Vec::with_capacity(s.children.len());
                for c in &mut s.children {
                    arrays.push(c.finish()?);
                }
                let nulls = s.nulls.finish();
                Arc::new(
                    StructArray::try_new(s.fields.clone(), arrays, nulls).map_err(arrow_error)?,
                )
            }
            ColumnBuilder::List(l) => l.finish()?,
        })
    }
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
