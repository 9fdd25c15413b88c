//! Schema → [`Plan`], once, before any record is read.
//!
//! Compiling resolves `ref`s, parses time formats, precomputes key lookups and the escaped
//! output keys, and notes which subtrees carry indicators or event times. Nothing about the
//! schema is looked up per record afterwards.

pub(crate) mod cut;
mod plan;
pub(crate) mod sep;
pub(crate) mod text;

use std::sync::Arc;

pub use plan::Plan;
pub(crate) use plan::{Decoder, Fast, FieldPlan, KeyIndex, ObjectPlan, ValuePlan};

use crate::indicators::{Column, IndicatorKind};
use crate::schema::{
    validate, Field, FieldType, Schema, SchemaError, SchemaErrors, Severity, ValueSchema,
};
use crate::time::TimeFormat;
use plan::ValidatePlan;

/// Same limit as the schema checks: refs cannot nest deeper than this.
const MAX_DEPTH: usize = 64;

/// Check `schema` and compile it into a [`Plan`].
///
/// # Errors
///
/// Every problem [`validate::validate`] finds, with positions.
pub fn compile(schema: &Schema) -> Result<Plan, SchemaErrors> {
    compile_owned(schema.clone())
}

/// [`compile`], taking the schema by value (it is kept in the plan).
///
/// # Errors
///
/// Every problem [`validate::validate`] finds, with positions.
pub fn compile_owned(schema: Schema) -> Result<Plan, SchemaErrors> {
    let problems = validate::validate(&schema);
    if !problems.is_empty() {
        return Err(SchemaErrors(problems));
    }
    let cx = Cx { schema: &schema };
    let root = cx
        .object(&schema.fields, 0)
        .map_err(|message| SchemaErrors(vec![cx.error(message)]))?;
    let mut kinds = Vec::new();
    collect_kinds(&root, &mut kinds);
    let mut columns: Vec<Column> = kinds
        .iter()
        .flat_map(|k: &IndicatorKind| k.columns().iter().copied())
        .collect();
    columns.sort();
    columns.dedup();
    let fields: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
    let mut text = text::TextPlan::new(schema.parser.as_ref(), &fields)
        .map_err(|message| SchemaErrors(vec![cx.error(message)]))?;
    if let Some(t) = &mut text {
        t.bind(&root);
    }
    Ok(Plan {
        text,
        warnings: validate::warnings(&schema).into(),
        log_type: schema.schema.as_str().into(),
        json_head: crate::json::json_head(&schema.schema),
        schema_version: schema.version,
        root,
        columns,
        schema: Arc::new(schema),
    })
}

struct Cx<'s> {
    schema: &'s Schema,
}

impl Cx<'_> {
    fn error(&self, message: String) -> SchemaError {
        SchemaError {
            severity: Severity::Error,
            origin: self.schema.origin.clone(),
            span: self.schema.span,
            message,
            hint: None,
        }
    }

    fn object(&self, fields: &[Field], depth: usize) -> Result<ObjectPlan, String> {
        let mut plans = Vec::with_capacity(fields.len());
        for f in fields {
            plans.push(FieldPlan {
                name: f.name.as_str().into(),
                json_key: crate::json::JsonKey::new(&f.name),
                required: f.required,
                value: self.value(&f.value, depth + 1)?,
            });
        }
        Ok(ObjectPlan::new(plans))
    }

    fn value(&self, v: &ValueSchema, depth: usize) -> Result<ValuePlan, String> {
        if depth > MAX_DEPTH {
            return Err(format!("schema nests deeper than {MAX_DEPTH} levels"));
        }
        let decoder = match v.ty {
            FieldType::String => Decoder::String,
            FieldType::Int => Decoder::Int32,
            FieldType::Smallint => Decoder::Int16,
            FieldType::Bigint => Decoder::Int64,
            FieldType::Float => Decoder::Float,
            FieldType::Boolean => Decoder::Bool,
            FieldType::Json => Decoder::Json,
            FieldType::Timestamp => {
                let specs: Vec<&str> = v
                    .time_format
                    .iter()
                    .map(String::as_str)
                    .chain(v.time_formats.iter().map(String::as_str))
                    .collect();
                let mut formats = Vec::with_capacity(specs.len().max(1));
                for s in &specs {
                    formats.push(TimeFormat::from_spec(s).map_err(|e| e.to_string())?);
                }
                if formats.is_empty() {
                    return Err("timestamp without timeFormat".into());
                }
                Decoder::Timestamp {
                    formats: formats.into(),
                    spec: specs.iter().map(|s| Box::from(*s)).collect(),
                }
            }
            FieldType::Object => Decoder::Object(self.object(&v.fields, depth)?),
            FieldType::Array => {
                let element = v.element.as_deref().ok_or("array without element")?;
                let mut element = self.value(element, depth + 1)?;
                // No event time from an array of timestamps, as in Panther, whose event-time
                // encoder wraps a field that is a time, never a slice of them (review s41-h1;
                // `schema check` warns). A time in an object in an array still is one.
                if matches!(element.decoder, Decoder::Timestamp { .. }) && element.event_time {
                    element.event_time = false;
                    element.needs_walk = !element.indicators.is_empty();
                }
                // Indicators written on the array apply to each element.
                if !v.indicators.is_empty() {
                    let mut all = element.indicators.to_vec();
                    all.extend(v.indicators.iter().copied());
                    all.dedup();
                    element.indicators = all.into();
                    element.needs_walk = true;
                }
                Decoder::Array(Box::new(element))
            }
            FieldType::Ref => {
                let target = v.target.as_deref().ok_or("ref without target")?;
                let def = self
                    .schema
                    .definitions
                    .get(target)
                    .ok_or_else(|| format!("unknown ref target {target}"))?;
                // The definition's value, as Panther resolves a ref: a ref's own attributes
                // are refused by validation.
                return self.value(def, depth + 1);
            }
        };
        let validate = v
            .validate
            .as_ref()
            .map(|val| Box::new(ValidatePlan::new(&val.allow, &val.deny, val.ip, val.cidr)));
        let indicators: Box<[IndicatorKind]> = if matches!(v.ty, FieldType::Array) {
            Box::new([])
        } else {
            v.indicators.clone().into()
        };
        let child_walk = match &decoder {
            Decoder::Object(o) => o.fields.iter().any(|f| f.value.needs_walk),
            Decoder::Array(e) => e.needs_walk,
            _ => false,
        };
        Ok(ValuePlan {
            needs_walk: child_walk || v.is_event_time || !indicators.is_empty(),
            fast: fast(&decoder, v.is_embedded_json, validate.is_some()),
            decoder,
            indicators,
            event_time: v.is_event_time && v.ty == FieldType::Timestamp,
            embedded_json: v.is_embedded_json,
            validate,
        })
    }
}

fn collect_kinds(o: &ObjectPlan, out: &mut Vec<IndicatorKind>) {
    for f in &o.fields {
        collect_value_kinds(&f.value, out);
    }
}

fn collect_value_kinds(v: &ValuePlan, out: &mut Vec<IndicatorKind>) {
    out.extend(v.indicators.iter().copied());
    match &v.decoder {
        Decoder::Object(o) => collect_kinds(o, out),
        Decoder::Array(e) => collect_value_kinds(e, out),
        _ => {}
    }
}

/// The fast case of a value decoded with `decoder` (see [`Fast`]); none when the value is
/// embedded JSON, or validated and not a string.
fn fast(decoder: &Decoder, embedded_json: bool, validated: bool) -> Fast {
    match decoder {
        _ if embedded_json => Fast::No,
        Decoder::String if validated => Fast::Checked,
        _ if validated => Fast::No,
        Decoder::String => Fast::String,
        Decoder::Bool => Fast::Bool,
        Decoder::Int16 => Fast::Int {
            min: i16::MIN.into(),
            max: i16::MAX.into(),
        },
        Decoder::Int32 => Fast::Int {
            min: i32::MIN.into(),
            max: i32::MAX.into(),
        },
        Decoder::Int64 => Fast::Int {
            min: i64::MIN,
            max: i64::MAX,
        },
        Decoder::Timestamp { .. } => Fast::Time,
        _ => Fast::No,
    }
}
