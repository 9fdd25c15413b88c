//! The warning of an event time whose formats read no year (syslog's `%b %e %H:%M:%S`):
//! every event gets the year Panther's libraries give a time without one, 1900 for a
//! strftime pattern and 0 for a Go layout, and lands in that year's partition. The schema
//! is valid (Panther loads it), but it cannot work as meant.

use super::key_span;
use crate::schema::{Field, Schema, Span, ValueSchema};
use crate::time::TimeFormat;

/// Report each `isEventTime` field of `schema` (nested ones and definitions too) none of
/// whose time formats reads a year.
pub(super) fn lint(schema: &Schema, report: &mut dyn FnMut(Span, String, Option<String>)) {
    for field in &schema.fields {
        field_lint(field, report);
    }
    for (name, definition) in &schema.definitions {
        value_lint(definition, name, report);
    }
}

fn field_lint(field: &Field, report: &mut dyn FnMut(Span, String, Option<String>)) {
    value_lint(&field.value, &field.name, report);
}

fn value_lint(v: &ValueSchema, name: &str, report: &mut dyn FnMut(Span, String, Option<String>)) {
    for field in &v.fields {
        field_lint(field, report);
    }
    if let Some(element) = &v.element {
        value_lint(element, name, report);
    }
    if !v.is_event_time {
        return;
    }
    let specs: Vec<&String> = v.time_format.iter().chain(&v.time_formats).collect();
    let formats: Vec<TimeFormat> = specs
        .iter()
        .filter_map(|s| TimeFormat::from_spec(s).ok())
        .collect();
    // A bad or missing format is `validate`'s error, not this warning's.
    if formats.is_empty() || formats.iter().any(TimeFormat::reads_year) {
        return;
    }
    let layouts = formats.iter().filter(|f| f.is_layout()).count();
    let years = if layouts == formats.len() {
        "year 0 (as Go's `time.Parse` gives Panther)"
    } else if layouts == 0 {
        "year 1900 (as Panther's strftime library gives)"
    } else {
        "year 1900 (a strftime pattern) or 0 (a Go layout)"
    };
    report(
        key_span(v, "isEventTime"),
        format!(
            "the event time `{name}` has no year in its time format: every event gets {years}, \
             and lands in that year's partition"
        ),
        Some(
            "give the field a format with the year (`%Y`), or let another timestamp with a \
             year be the event time"
                .into(),
        ),
    );
}
