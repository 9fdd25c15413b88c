//! The checks of a text parser block (`regex`, `fastmatch`; `csv` has its own): its patterns
//! compile, and they and `expandFields` name the fields of the schema.

use super::super::{Schema, Span, TextOptions};
use super::{
    closest, compile_fastmatch, compile_regex, empty_match, template_names, At, Compiled, Problem,
};

/// The top-level fields a text parser block fills: every captured field and every
/// `expandFields` key.
fn filled(compiled: &[Compiled], options: &TextOptions) -> Vec<String> {
    let mut out: Vec<String> = compiled
        .iter()
        .flat_map(|c| c.captures.iter().map(|(_, f)| f.clone()))
        .collect();
    out.extend(options.expand_fields.keys().cloned());
    out
}

/// Check the text parser block of `schema`, if any; `error` receives each problem.
pub(crate) fn check(schema: &Schema, error: &mut dyn FnMut(Span, String, Option<String>)) {
    let Some(parser) = &schema.parser else {
        return;
    };
    if let Some(c) = &parser.csv {
        if parser.regex.is_some() || parser.fastmatch.is_some() {
            error(
                c.key_spans.get("").unwrap_or(schema.span),
                "a schema has one parser, but `csv` is given with another".into(),
                Some("keep one of them".into()),
            );
            return;
        }
        return super::super::csv::check(schema, c, error);
    }
    let (compiled, options, spans, kind) = match (&parser.regex, &parser.fastmatch) {
        (Some(_), Some(f)) => {
            let span = f.key_spans.get("").unwrap_or(schema.span);
            error(
                span,
                "a schema has one parser, but both `regex` and `fastmatch` are given".into(),
                Some("keep one of them".into()),
            );
            return;
        }
        (Some(r), None) => match compile_regex(r) {
            Ok(c) => (vec![c], &r.options, &r.key_spans, "regex"),
            Err(p) => return report(&p, &r.key_spans, schema, error),
        },
        (None, Some(f)) => {
            if f.patterns.is_empty() {
                return report(&empty_match(), &f.key_spans, schema, error);
            }
            let mut compiled = Vec::new();
            let mut ok = true;
            for (i, pattern) in f.patterns.iter().enumerate() {
                match compile_fastmatch(pattern, i) {
                    Ok(c) => compiled.push(c),
                    Err(p) => {
                        report(&p, &f.key_spans, schema, error);
                        ok = false;
                    }
                }
            }
            if !ok {
                return;
            }
            (compiled, &f.options, &f.key_spans, "fastmatch")
        }
        (None, None) => return,
    };
    check_names(schema, &compiled, options, spans, kind, error);
}

/// Captures and `expandFields` keys name top-level fields, templates name captured values,
/// and every field is filled by something.
fn check_names(
    schema: &Schema,
    compiled: &[Compiled],
    options: &TextOptions,
    spans: &super::super::KeySpans,
    kind: &str,
    error: &mut dyn FnMut(Span, String, Option<String>),
) {
    let names: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
    let block = spans.get("").unwrap_or(schema.span);
    // Captures must name top-level fields.
    for (i, c) in compiled.iter().enumerate() {
        let span = spans
            .get(&format!("match[{i}]"))
            .or_else(|| spans.get("match"))
            .unwrap_or(block);
        for (_, field) in &c.captures {
            if !names.contains(&field.as_str()) {
                let hint = closest(field, &names, "add a field of this name to `fields`");
                let shown = if kind == "fastmatch" {
                    format!("`%{{{field}}}`")
                } else {
                    format!("the capture `{field}`")
                };
                error(span, format!("{shown} names no field"), Some(hint));
            }
        }
    }
    let captured: Vec<String> = filled(compiled, &TextOptions::default());
    for (key, template) in &options.expand_fields {
        let span = spans.get(&format!("expandFields.{key}")).unwrap_or(block);
        if !names.contains(&key.as_str()) {
            let hint = closest(key, &names, "add a field of this name to `fields`");
            error(
                span,
                format!("`expandFields` key `{key}` names no field"),
                Some(hint),
            );
        }
        match template_names(template) {
            Ok(used) => {
                for name in used {
                    if !captured.iter().any(|c| c == name) {
                        error(
                            span,
                            format!(
                                "`%{{{name}}}` in `expandFields.{key}` names no captured value"
                            ),
                            Some(format!("the patterns capture: {}", list(&captured))),
                        );
                    }
                }
            }
            Err(rest) => error(
                span,
                format!("placeholder `{rest}` is not closed"),
                Some("close it with `}`".into()),
            ),
        }
    }
    let all = filled(compiled, options);
    for f in &schema.fields {
        if !all.contains(&f.name) {
            error(
                f.span,
                format!(
                    "field `{}` is filled by no pattern of the {kind} parser",
                    f.name
                ),
                Some(if kind == "fastmatch" {
                    format!(
                        "capture it with `%{{{}}}`, build it with `expandFields`, or remove it",
                        f.name
                    )
                } else {
                    format!("capture it with `%{{PATTERN:{}}}` or `(?P<name>...)`, build it with `expandFields`, or remove it", f.name)
                }),
            );
        }
    }
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "nothing".into()
    } else {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn report(
    p: &Problem,
    spans: &super::super::KeySpans,
    schema: &Schema,
    error: &mut dyn FnMut(Span, String, Option<String>),
) {
    let block = spans.get("").unwrap_or(schema.span);
    let span = match &p.at {
        At::Match => spans.get("match"),
        At::MatchItem(i) => spans
            .get(&format!("match[{i}]"))
            .or_else(|| spans.get("match")),
        At::Definition(name) => spans.get(&format!("patternDefinitions.{name}")),
    }
    .unwrap_or(block);
    error(span, p.message.clone(), p.hint.clone());
}
