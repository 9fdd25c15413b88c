//! Which field a problem of a schema file is in, said in its message as a key path
//! (`field `o.p[].q`: unknown type ...`), for nested fields and fields of definitions: in a
//! schema of hundreds of lines, or where several objects have a field of the same name, the
//! line alone does not say which field is meant (review s42-h1 LOW-2).
//!
//! The path is found from the problem's position and the positions the model keeps
//! ([`KeySpans`](super::KeySpans), [`Field::span`]): in a mapping the key written last before
//! the problem holds it, and in a list of fields the item that starts last before it. YAML
//! writes a mapping's keys and a list's items in the order they come, so this finds the
//! innermost field around the position without the end of any node. Keys the loader
//! refused are kept there too, so that a problem at one of them stays with its mapping.
//! A field written once and used twice (a YAML anchor and its alias) is at one position
//! in two places: a problem there gets no path, as it could name the wrong one.
//!
//! Also the words for the element of a nested array in the checks' messages
//! ([`element_of`]).

use std::collections::HashMap;

use super::{Field, Schema, SchemaError, Span, ValueSchema};

/// Put the field each problem of `schema`'s file is in before its message, where it is a
/// nested field (`o.p[].q`) or one of a definition; a top-level field, and the elements of
/// its arrays, are left to the line and the message.
pub(super) fn name_fields(schema: &Schema, problems: &mut [SchemaError]) {
    let mut placed: Option<HashMap<Span, usize>> = None;
    for problem in problems {
        if problem.span.line == 0 || problem.origin != schema.origin {
            continue;
        }
        let placed = placed.get_or_insert_with(|| fields_by_position(schema));
        if let Some(path) = path_at(schema, problem.span, placed) {
            problem.message = format!("{path}: {}", problem.message);
        }
    }
}

/// How many fields of the model start at each position: more than one where an alias
/// repeats an anchored field.
fn fields_by_position(schema: &Schema) -> HashMap<Span, usize> {
    fn value(v: &ValueSchema, out: &mut HashMap<Span, usize>) {
        fields(&v.fields, out);
        if let Some(element) = &v.element {
            value(element, out);
        }
    }
    fn fields(list: &[Field], out: &mut HashMap<Span, usize>) {
        for f in list {
            *out.entry(f.span).or_default() += 1;
            value(&f.value, out);
        }
    }
    let mut out = HashMap::new();
    fields(&schema.fields, &mut out);
    for definition in schema.definitions.values() {
        value(definition, &mut out);
    }
    out
}

/// The words for the field at `at`, if it is nested or in a definition, and written once.
fn path_at(schema: &Schema, at: Span, placed: &HashMap<Span, usize>) -> Option<String> {
    let (key, _) = schema.key_spans.last_at_or_before(at)?;
    let (path, definition) = if key == "fields" {
        (in_fields(&schema.fields, at), None)
    } else {
        let name = key.strip_prefix("definitions.")?;
        (in_value(schema.definitions.get(name)?, at), Some(name))
    };
    let once = |f: &Field| placed.get(&f.span).copied().unwrap_or(0) == 1;
    if !path.iter().all(|s| s.field().is_none_or(once)) {
        return None;
    }
    // A field without a name (refused already) would read `o.`; arrays of arrays nested
    // deeper than a few are counted by the message itself ("element 63 arrays deep").
    let elements = path.iter().filter(|s| s.field().is_none()).count();
    if elements > 4
        || path
            .iter()
            .any(|s| s.field().is_some_and(|f| f.name.is_empty()))
    {
        return None;
    }
    let fields = path.iter().filter(|s| s.field().is_some()).count();
    match definition {
        Some(name) => {
            (fields > 0).then(|| format!("definition `{name}`, field `{}`", joined(&path)))
        }
        // `a[]` alone: the message says "the element of field `a`" already.
        None => (fields > 1).then(|| format!("field `{}`", joined(&path))),
    }
}

/// One step of a path: a field, or the element of an array.
enum Step<'s> {
    Field(&'s Field),
    Element,
}

impl<'s> Step<'s> {
    fn field(&self) -> Option<&'s Field> {
        match self {
            Step::Field(f) => Some(f),
            Step::Element => None,
        }
    }
}

fn joined(path: &[Step<'_>]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Field(field) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&field.name);
            }
            Step::Element => out.push_str("[]"),
        }
    }
    out
}

/// The path to `at` from a list of fields: the field that starts last at or before it, and
/// what within it.
fn in_fields(fields: &[Field], at: Span) -> Vec<Step<'_>> {
    let Some(field) = fields
        .iter()
        .filter(|f| f.span.line > 0 && f.span <= at)
        .max_by_key(|f| f.span)
    else {
        return Vec::new();
    };
    let mut path = vec![Step::Field(field)];
    path.extend(in_value(&field.value, at));
    path
}

/// The path to `at` within a value: through its `fields` or its `element`, when the key
/// written last before `at` is one of those.
fn in_value(value: &ValueSchema, at: Span) -> Vec<Step<'_>> {
    match value.key_spans.last_at_or_before(at) {
        Some(("fields", _)) => in_fields(&value.fields, at),
        Some(("element", _)) => {
            let mut path = vec![Step::Element];
            if let Some(element) = &value.element {
                path.extend(in_value(element, at));
            }
            path
        }
        _ => Vec::new(),
    }
}

/// The label of the element of the array `label` names: `element of field `a``, twice
/// over at most; deeper, a count (`element 65 arrays deep in field `a``), where the words
/// were repeated once a level, 64 times in the depth error (review s41-h6 LOW-5).
pub(super) fn element_of(label: &str) -> String {
    const ONE: &str = "element of ";
    let mut base = label;
    let mut levels = 1;
    while let Some(rest) = base.strip_prefix(ONE) {
        base = rest;
        levels += 1;
    }
    if let Some((n, rest)) = base
        .strip_prefix("element ")
        .and_then(|r| r.split_once(" arrays deep in "))
        .and_then(|(n, rest)| Some((n.parse::<usize>().ok()?, rest)))
    {
        return format!("element {} arrays deep in {rest}", n + 1);
    }
    if levels <= 2 {
        format!("{}{base}", ONE.repeat(levels))
    } else {
        format!("element {levels} arrays deep in {base}")
    }
}

#[cfg(test)]
mod tests {
    use crate::schema::load::from_str;

    fn messages(yaml: &str) -> Vec<String> {
        let errors = from_str(yaml, "s.yml").expect_err("refused");
        errors.0.iter().map(ToString::to_string).collect()
    }

    /// A nested field, an array's element and a definition's field are named by their
    /// path; a top-level field is not (its line says it); a key of the enclosing object
    /// written after its `fields` belongs to that object, not to its last field.
    #[test]
    fn problems_in_nested_fields_name_their_path() {
        let got = messages(
            "schema: Custom.Deep\n\
             definitions:\n  Geo:\n    type: object\n    fields:\n      - name: city\n        type: strng\n\
             fields:\n\
             \x20 - name: top\n    type: strin\n\
             \x20 - name: o\n    type: object\n    fields:\n\
             \x20     - name: p\n        type: array\n        element:\n          type: object\n          fields:\n\
             \x20           - name: q\n              type: strin\n\
             \x20     - name: r\n        type: string\n        indicators: [ipaddr]\n\
             \x20   required: maybe\n",
        );
        let starts: Vec<&str> = got
            .iter()
            .map(|m| m.split(" (hint").next().unwrap())
            .collect();
        assert_eq!(
            starts,
            [
                "s.yml:7:15: definition `Geo`, field `city`: unknown type `strng`",
                "s.yml:10:11: unknown type `strin`",
                "s.yml:20:21: field `o.p[].q`: unknown type `strin`",
                "s.yml:23:22: field `o.r`: unknown indicator `ipaddr`",
                "s.yml:24:15: `required` must be true or false, found a string",
            ],
            "{got:#?}"
        );
    }

    /// A key the loader refused after an object's `fields` is the object's, not its last
    /// field's; a field that an alias repeats gets no path, as the position is in both
    /// places (review s44-h5 MEDIUM-1, MEDIUM-2).
    #[test]
    fn refused_keys_and_aliases_are_not_blamed_on_another_field() {
        let starts = |yaml: &str| -> Vec<String> {
            messages(yaml)
                .iter()
                .map(|m| m.split(" (hint").next().unwrap_or_default().to_owned())
                .collect()
        };
        let object = "schema: Custom.Ab\nfields:\n  - name: o\n    type: object\n    fields:\n      - name: a\n        type: string\n";
        assert_eq!(
            starts(&format!("{object}    indicatros: [ip]\n")),
            ["s.yml:8:5: unknown key `indicatros`"]
        );
        assert_eq!(
            starts(&format!("{object}    type: object\n")),
            ["s.yml:8:5: duplicate key `type`"]
        );
        assert_eq!(
            starts(&format!("{object}bogus: 1\n")),
            ["s.yml:8:1: unknown key `bogus`"]
        );
        assert_eq!(
            starts(
                "schema: Custom.Ab\nfields:\n  - name: o\n    type: object\n    fields:\n      - name: q\n        type: array\n        element:\n          type: object\n          fields:\n            - name: z\n              type: string\n          name: zz\n"
            ),
            ["s.yml:13:11: field `o.q[]`: `name` is not allowed in an array element"]
        );
        assert_eq!(
            starts(
                "schema: Custom.Ab\ndefinitions:\n  Geo:\n    type: object\n    fields:\n      - name: city\n        type: string\n  Geo:\n    type: string\nfields:\n  - name: g\n    type: ref\n    target: Geo\n"
            ),
            ["s.yml:8:3: duplicate key `Geo`"]
        );
        let deep = format!(
            "schema: Custom.Ab\nfields:\n  - name: o\n    type: object\n    fields:\n      - {{name: a, type: array, element: {}{{type: strin}}{}}}\n",
            "{type: array, element: ".repeat(6),
            "}".repeat(6)
        );
        assert_eq!(starts(&deep), ["s.yml:6:186: unknown type `strin`"]);
        // An item of a `fields` list that is not a field (review s44-h8 MEDIUM-1).
        assert_eq!(
            starts(&format!("{object}      - just a string\n")),
            ["s.yml:8:9: a field must be a mapping, found a string"]
        );
        let aliased = "schema: Custom.Ab\nfields:\n  - name: o\n    type: object\n    fields:\n      - &inner\n        name: a\n        type: string\n  - name: p\n    type: object\n    fields:\n      - name: a\n        type: string\n      - *inner\n";
        assert_eq!(starts(aliased), ["s.yml:7:9: duplicate field name `a`"]);
    }

    /// Flow style (`{name: q, type: x}` on one line) is found by column.
    #[test]
    fn flow_style_fields_are_found_by_column() {
        let got = messages(
            "schema: Custom.Flow\nfields:\n  - {name: a, type: object, fields: [{name: b, type: string}, {name: c, type: strin}]}\n",
        );
        assert!(
            got[0].starts_with("s.yml:3:79: field `a.c`: unknown type"),
            "{got:?}"
        );
    }
}
