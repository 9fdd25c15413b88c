//! The lints of a schema that loads (Panther loads it too) but cannot work as meant, over
//! every value of it: nested fields, array elements and definitions.
//!
//! - An event time whose formats read no year (syslog's `%b %e %H:%M:%S`): every event gets
//!   the year Panther's libraries give a time without one, 1900 for a strftime pattern and
//!   0 for a Go layout, and lands in that year's partition.
//! - A `validate` with both `allow` and `deny`: a value in `allow` is kept and any other
//!   refused, as in Panther, so `deny` does nothing (Panther's JSON schema of the format
//!   takes one of the two).
//! - `isEventTime` on the element of an array of timestamps: no event time comes from it,
//!   as in Panther, whose event-time encoder wraps a field that is a time, never a slice.
//! - `indicators` that Panther does not apply: on an array field (its tag is built from the
//!   element's only), or on strings in an array of arrays (it scans a field that is a
//!   string or an array of strings). normalog applies them (review s41-h1 MEDIUM-2).
//!   These two follow a `ref` to its definition: the compiler does, so an element written
//!   as a `ref` behaves as the definition written in its place (review s41-h7 LOW-1).
//! - A field name with a comma: Panther writes the name into a Go struct tag, which ends it
//!   at the comma, so Panther reads and writes the key before it (`a` for `a,b`); normalog
//!   reads the key as written (review s40-h2 LOW-2).

use std::collections::BTreeMap;

use super::key_span;
use crate::schema::{Field, FieldType, Schema, Span, ValueSchema};
use crate::time::TimeFormat;

type Report<'r> = &'r mut dyn FnMut(Span, String, Option<String>);
type Definitions = BTreeMap<String, ValueSchema>;

/// Report what the lints find in `schema`.
pub(super) fn lint(schema: &Schema, report: Report<'_>) {
    let defs = &schema.definitions;
    for field in &schema.fields {
        field_lint(defs, field, report);
    }
    for (name, definition) in defs {
        value_lint(defs, definition, name, false, report);
    }
}

/// The value `v` stands for: its definition when it is a `ref` (following refs; an unknown
/// target or a cycle, errors of their own, stop there), with the name of the definition.
fn resolve<'s>(defs: &'s Definitions, v: &'s ValueSchema) -> (&'s ValueSchema, Option<&'s str>) {
    let (mut v, mut via) = (v, None);
    for _ in 0..=defs.len() {
        match (&v.ty, &v.target) {
            (FieldType::Ref, Some(t)) => match defs.get_key_value(t) {
                Some((name, def)) => (v, via) = (def, Some(name.as_str())),
                None => break,
            },
            _ => break,
        }
    }
    (v, via)
}

/// Where a lint of `v` (or of the definition it refers to) points: at its `key`, or at the
/// `target` of a `ref`, where the definition is used.
fn span_of(written: &ValueSchema, resolved: &ValueSchema, key: &str) -> Span {
    if std::ptr::eq(written, resolved) {
        key_span(written, key)
    } else {
        key_span(written, "target")
    }
}

/// ` (the definition `T`)` for a value reached through a `ref`.
fn through(via: Option<&str>) -> String {
    via.map(|d| format!(" (the definition `{d}`)"))
        .unwrap_or_default()
}

fn field_lint(defs: &Definitions, field: &Field, report: Report<'_>) {
    if let Some((before, _)) = field.name.split_once(',') {
        report(
            field.span,
            format!(
                "the field name `{}` has a comma: Panther takes the key `{before}` for it (its \
                 Go struct tag ends the name at the comma); normalog reads the key as written",
                field.name
            ),
            Some("for a schema shared with Panther, name the field without a comma".into()),
        );
    }
    value_lint(defs, &field.value, &field.name, false, report);
}

/// The lints of value `v` of field (or definition) `name`; `in_array` when `v` is the
/// element of an array.
fn value_lint(defs: &Definitions, v: &ValueSchema, name: &str, in_array: bool, report: Report<'_>) {
    for field in &v.fields {
        field_lint(defs, field, report);
    }
    if let Some(element) = &v.element {
        value_lint(defs, element, name, true, report);
    }
    let (time, via) = resolve(defs, v);
    if in_array && time.is_event_time && time.ty == FieldType::Timestamp {
        report(
            span_of(v, time, "isEventTime"),
            format!(
                "`isEventTime` on the element of the array `{name}`{} is ignored: the event \
                 time comes from a timestamp field, or one in an object, never from an array \
                 of timestamps (as in Panther)",
                through(via)
            ),
            Some(match via {
                // The definition may be a field's event time elsewhere: keep it there.
                Some(_) => "give the array an element of its own type (a timestamp without \
                            `isEventTime`) instead of the ref, and mark a timestamp field that \
                            holds one time"
                    .into(),
                None => "remove it, and mark a timestamp field that holds one time".into(),
            }),
        );
    } else {
        year_lint(v, name, report);
    }
    if !in_array {
        indicator_lint(defs, v, name, report);
    }
    deny_lint(v, name, report);
    strftime_lint(v, name, report);
}

/// A strftime time format without any of the directives Panther's JSON Schema of the
/// format looks for (`%F %T`, `%s`): normalog reads it, Panther refuses the schema (review
/// s42-h1 LOW-1).
fn strftime_lint(v: &ValueSchema, name: &str, report: Report<'_>) {
    const DIRECTIVES: &str = "aAbBcCdfHIjmMpSUwWxyYzZ";
    if v.ty != FieldType::Timestamp {
        return;
    }
    let specs = v.time_format.iter().map(|s| (s, "timeFormat".to_owned()));
    let listed = v.time_formats.iter().enumerate();
    for (spec, key) in specs.chain(listed.map(|(i, s)| (s, format!("timeFormats[{i}]")))) {
        let strftime = matches!(TimeFormat::from_spec(spec), Ok(TimeFormat::Strftime(_)));
        let qualifies = spec
            .split('%')
            .skip(1)
            .any(|rest| rest.starts_with(|c| DIRECTIVES.contains(c)));
        if strftime && !qualifies {
            report(
                v.key_spans.get(&key).unwrap_or(key_span(v, "timeFormat")),
                format!(
                    "the time format `{spec}` of `{name}` has none of the directives Panther's \
                     schema check asks a strftime format for (%Y, %m, %d, %H, %M, %S, ...): \
                     normalog reads it, Panther refuses the schema"
                ),
                Some(
                    "for a schema shared with Panther, spell it out: `%Y-%m-%d %H:%M:%S` for \
                     `%F %T`, `unix` for `%s`"
                        .into(),
                ),
            );
        }
    }
}

/// `indicators` that Panther does not apply, on array field `v` and the arrays below it.
/// An array reached through a `ref` has its own indicators reported with its definition.
fn indicator_lint(defs: &Definitions, v: &ValueSchema, name: &str, report: Report<'_>) {
    let mut array = v;
    let mut depth = 0;
    // The first `ref` followed, and its definition: lints below it point there.
    let mut used: Option<(&ValueSchema, &str)> = None;
    while array.ty == FieldType::Array {
        if !array.indicators.is_empty() && used.is_none() {
            report(
                key_span(array, "indicators"),
                format!(
                    "`indicators` on the array `{name}`: normalog applies them to its \
                     elements, Panther ignores them (it reads the element's)"
                ),
                Some("for a schema shared with Panther, move them to `element`".into()),
            );
        }
        let Some(written) = array.element.as_deref() else {
            return;
        };
        let (element, via) = resolve(defs, written);
        if let (None, Some(d)) = (used, via) {
            used = Some((written, d));
        }
        depth += 1;
        if depth > 1 && element.ty != FieldType::Array && !element.indicators.is_empty() {
            report(
                used.map_or_else(
                    || key_span(element, "indicators"),
                    |(r, _)| key_span(r, "target"),
                ),
                format!(
                    "`indicators` in the array of arrays `{name}`{}: normalog scans its \
                     strings, Panther fills no `p_any_*` from them (it scans a string, or an \
                     array of strings)",
                    through(used.map(|(_, d)| d))
                ),
                None,
            );
        }
        array = element;
    }
}

/// An `isEventTime` value none of whose time formats reads a year.
fn year_lint(v: &ValueSchema, name: &str, report: Report<'_>) {
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

/// A `validate` with both lists: `deny` does nothing.
fn deny_lint(v: &ValueSchema, name: &str, report: Report<'_>) {
    let Some(checks) = &v.validate else {
        return;
    };
    if checks.allow.is_empty() || checks.deny.is_empty() {
        return;
    }
    report(
        key_span(v, "validate.deny"),
        format!(
            "`validate.deny` of `{name}` does nothing beside `allow`: a value in `allow` is \
             kept, and any other refused"
        ),
        Some("keep one list: `allow` alone, or `deny` alone".into()),
    );
}
