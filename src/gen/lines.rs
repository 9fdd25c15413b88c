//! Lines for text log types with patterns (`parser: fastmatch` and `parser: regex`; the rows
//! of `parser: csv` log types are in `csv.rs`).
//!
//! Each placeholder (fastmatch) or capture group that fills a field (regex) gets a value of
//! that field's type from the same value generators as JSON records (an IP for an `ip`
//! indicator, a timestamp in the field's own format, an integer in range), written as the
//! text a log line would hold. The rest of the line is the pattern's own text:
//!
//! - **fastmatch**: the literal text between the placeholders, as written; a value never
//!   holds the literal text that follows its placeholder (the matcher cuts the line at its
//!   first occurrence), and a pattern is chosen only when it fills every required field
//!   (and an optional event time, when some pattern fills it).
//! - **regex**: the pattern's syntax tree is walked (`walk.rs`): literals as written, a character of
//!   each class, a random count of each repetition (a few at most), a random branch of each
//!   alternation (one that fills a required field, or an optional event time, when there is
//!   one). A group that fills a
//!   field takes the field's value when the value matches the group (a few tries, more for
//!   a timestamp), else text made from the group.
//!
//! Every line is read back with the schema's own patterns before it is kept: the pattern
//! that matches first must be the one written, each field must get exactly the value
//! written, and the required fields a value (not empty, not one of `emptyValues`). A line
//! that fails is made again (a few times); a schema whose lines mostly fail is refused when
//! the generator is built (the probe in `textgen.rs`, [`GenError::TextPattern`]), with the
//! reason. A line never starts with the schema's `skipPrefix`: the normalizer would skip it
//! (a comment line).

use regex::{CaptureLocations, Regex};
use regex_syntax::hir::{Hir, HirKind};

use super::plan::{FieldGen, VGen};
use super::walk::{GroupField, Walk};
use super::write::write_value;
use super::{GenError, State};
use crate::schema::text::{compile_fastmatch, compile_regex, holes, Compiled};
use crate::schema::{FieldType, Schema};

/// Attempts at one line before giving up on it (a deliberate mistake is then left out).
const ATTEMPTS: usize = 24;

/// The line generator of one text log type.
#[derive(Debug)]
pub(super) struct LineGen {
    /// Lines that start with it are skipped by the normalizer: never written.
    skip_prefix: Option<String>,
    shape: Shape,
    /// The schema's patterns, in order, as the normalizer tries them.
    regexes: Vec<Regex>,
    /// Per pattern: `(capture group, field index)` of the groups that fill a field.
    groups: Vec<Vec<(usize, usize)>>,
    trim_space: bool,
    empty_values: Vec<String>,
    /// Per field (index in the root's fields): required, and a number, boolean or timestamp
    /// (for which an empty value is null).
    required: Vec<bool>,
    /// Per field: required, or an optional event time a group fills; the branches and
    /// repetitions of a regex are chosen to write these.
    wanted: Vec<bool>,
    nullable: Vec<bool>,
}

#[derive(Debug)]
enum Shape {
    /// The patterns that fill every required field.
    Fastmatch(Vec<FastShape>),
    /// The pattern's syntax tree and the field each capture group fills (by group index).
    Regex {
        hir: Hir,
        fields: Vec<Option<GroupField>>,
    },
}

#[derive(Debug)]
struct FastShape {
    /// Index of the pattern in `match`.
    pattern: usize,
    lead: String,
    /// Each placeholder: the field it fills (none for `%{}`, which skips text) and the
    /// literal text after it.
    parts: Vec<(Option<usize>, String)>,
    /// Some placeholder is between quotes: a backslash in the line would make the matcher
    /// read it with its escapes, which the read-back (a regular expression) does not, so
    /// no value holds one.
    quoted: bool,
}

/// A deliberate mistake: this field gets this text.
#[derive(Debug, Clone, Copy)]
pub(super) struct Bad {
    pub(super) field: usize,
    pub(super) text: &'static str,
}

/// Where each field's value went in the line being written: `(field, start, end)`.
pub(super) type Written = Vec<(usize, usize, usize)>;

/// The retry loop of the line writers (pattern lines here, CSV rows in `csv.rs`): append a
/// line to `out` with `attempt`, which writes a candidate from `start` (where the line
/// begins in `out`) and says whether it reads back, up to [`ATTEMPTS`] times with the
/// mistake `bad`, then as many times without it. Returns whether the mistake was made; when
/// no attempt without a mistake reads back, the last one is kept (the probe made sure this
/// is rare).
pub(super) fn write_read_back(
    out: &mut Vec<u8>,
    bad: Option<Bad>,
    mut attempt: impl FnMut(&mut Vec<u8>, usize, Option<Bad>) -> bool,
) -> bool {
    let start = out.len();
    for with_bad in [bad.is_some(), false] {
        let bad = bad.filter(|_| with_bad);
        for _ in 0..ATTEMPTS {
            out.truncate(start);
            if attempt(out, start, bad) {
                return bad.is_some();
            }
        }
        if !with_bad {
            return false;
        }
    }
    false
}

impl LineGen {
    /// The line generator of `schema` (a text log type), whose fields compiled to `fields`.
    /// With `event_time`, an optional event time is written wherever a pattern (or regex
    /// branch) can hold it: only those patterns are chosen. Without, any pattern that fills
    /// the required fields (the generator's fallback when those patterns cut the time it
    /// writes: see `Generator::new`).
    pub(super) fn new(
        schema: &Schema,
        fields: &[FieldGen],
        event_time: bool,
    ) -> Result<LineGen, GenError> {
        let refuse = |reason: String| GenError::TextPattern {
            log_type: schema.schema.clone(),
            reason,
        };
        // `None`: a capture that names no field (it only feeds `expandFields` templates):
        // written as text its pattern matches, as a placeholder that skips text.
        let index = |name: &str| -> Result<Option<usize>, GenError> {
            let Some(i) = fields.iter().position(|f| f.name == name) else {
                return Ok(None);
            };
            if matches!(
                fields[i].value,
                VGen::Object(_) | VGen::Array(_) | VGen::Skip
            ) {
                return Err(refuse(format!(
                    "field `{name}` cannot be written as text (an object, an array, or a \
                     timestamp format the generator cannot write)"
                )));
            }
            Ok(Some(i))
        };
        let spec = schema.parser.as_ref();
        let required: Vec<bool> = fields.iter().map(|f| f.required).collect();
        let (shape, compiled, options) = match (
            spec.and_then(|s| s.fastmatch.as_ref()),
            spec.and_then(|s| s.regex.as_ref()),
        ) {
            (_, Some(r)) => {
                let names: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
                let c = compile_regex(r, &names).map_err(|p| refuse(p.message))?;
                (regex_shape(&c, &index, &refuse)?, vec![c], &r.options)
            }
            (Some(f), None) => {
                let mut compiled = Vec::new();
                let mut shapes = Vec::new();
                for (i, p) in f.patterns.iter().enumerate() {
                    compiled.push(compile_fastmatch(p, i).map_err(|p| refuse(p.message))?);
                    let shape = fast_shape(i, p, &index)?;
                    let fills = |fi: usize| shape.parts.iter().any(|&(f, _)| f == Some(fi));
                    let expanded = |name: &str| f.options.expand_fields.contains_key(name);
                    let complete = (0..fields.len())
                        .all(|fi| !required[fi] || fills(fi) || expanded(&fields[fi].name));
                    if complete {
                        shapes.push(shape);
                    }
                }
                if shapes.is_empty() {
                    return Err(refuse(
                        "no pattern fills every required field, so every line would be \
                         rejected"
                            .into(),
                    ));
                }
                // An optional event time is written too, by the patterns that fill it when
                // some do: without it, the event's time would be the run's, not in --span.
                for fi in (0..fields.len()).filter(|&fi| event_time && fields[fi].event_time) {
                    let fills = |s: &FastShape| s.parts.iter().any(|&(f, _)| f == Some(fi));
                    if shapes.iter().any(fills) {
                        shapes.retain(fills);
                    }
                }
                (Shape::Fastmatch(shapes), compiled, &f.options)
            }
            (None, None) => return Err(refuse("the schema reads JSON, not text".into())),
        };
        let groups: Vec<Vec<(usize, usize)>> = compiled
            .iter()
            .map(|c| {
                c.captures
                    .iter()
                    .filter_map(|(g, name)| {
                        Some((*g, fields.iter().position(|f| &f.name == name)?))
                    })
                    .collect()
            })
            .collect();
        // Expanded fields are built from the others: the generator never writes them.
        let mut required = required;
        for key in options.expand_fields.keys() {
            if let Some(i) = fields.iter().position(|f| &f.name == key) {
                required[i] = false;
            }
        }
        // The branches of a regex are chosen to fill the required fields and an optional
        // event time that a group fills (see the fastmatch patterns above).
        let wanted = (0..fields.len())
            .map(|fi| {
                let filled = || groups.iter().flatten().any(|&(_, f)| f == fi);
                required[fi] || (event_time && fields[fi].event_time && filled())
            })
            .collect();
        let gen = LineGen {
            skip_prefix: options.skip_prefix.clone().filter(|p| !p.is_empty()),
            shape,
            regexes: compiled.into_iter().map(|c| c.regex).collect(),
            groups,
            trim_space: options.trim_space,
            empty_values: options.empty_values.clone(),
            required,
            wanted,
            nullable: nullable(schema),
        };
        Ok(gen)
    }

    /// Fields a deliberate mistake can target: those every pattern fills.
    pub(super) fn fills_always(&self, field: usize) -> bool {
        match &self.shape {
            Shape::Fastmatch(shapes) => shapes
                .iter()
                .all(|s| s.parts.iter().any(|&(f, _)| f == Some(field))),
            Shape::Regex { fields, .. } => fields.iter().flatten().any(|g| g.field == field),
        }
    }

    /// Append one line to `out`; with `bad`, try to make it invalid that way. Returns whether
    /// the mistake was made (a line that would not read back with it is written without).
    pub(super) fn write(
        &self,
        rng: &mut State,
        fields: &[FieldGen],
        out: &mut Vec<u8>,
        bad: Option<Bad>,
    ) -> bool {
        let mut written = Vec::new();
        let mut locs: Vec<CaptureLocations> =
            self.regexes.iter().map(Regex::capture_locations).collect();
        write_read_back(out, bad, |out, start, bad| {
            let chosen = self.attempt(rng, fields, out, bad, &mut written);
            // `written` spans are relative to `out[start..]`.
            self.reads_back(&out[start..], chosen, bad, &written, &mut locs)
        })
    }

    /// Write one candidate line (spans in `written` relative to where it starts); returns
    /// the index of the pattern written.
    fn attempt(
        &self,
        rng: &mut State,
        fields: &[FieldGen],
        out: &mut Vec<u8>,
        bad: Option<Bad>,
        written: &mut Written,
    ) -> usize {
        written.clear();
        let base = out.len();
        match &self.shape {
            Shape::Fastmatch(shapes) => {
                let shape = rng.pick(shapes);
                out.extend_from_slice(shape.lead.as_bytes());
                for (field, after) in &shape.parts {
                    let start = out.len();
                    let fits =
                        |v: &[u8]| fits_before(v, after) && !(shape.quoted && v.contains(&b'\\'));
                    let Some(field) = *field else {
                        // Skipped text: any that the separator after it does not cut.
                        let filler = ["x", "-", "0", "~"]
                            .into_iter()
                            .find(|f| fits(f.as_bytes()));
                        out.extend_from_slice(filler.unwrap_or_default().as_bytes());
                        out.extend_from_slice(after.as_bytes());
                        continue;
                    };
                    match bad.filter(|b| b.field == field) {
                        Some(b) => out.extend_from_slice(b.text.as_bytes()),
                        None => {
                            for _ in 0..8 {
                                out.truncate(start);
                                write_text(rng, out, &fields[field].value);
                                if fits(&out[start..]) {
                                    break;
                                }
                            }
                        }
                    }
                    written.push((field, start - base, out.len() - base));
                    out.extend_from_slice(after.as_bytes());
                }
                shape.pattern
            }
            Shape::Regex {
                hir,
                fields: groups,
            } => {
                let mut walk = Walk {
                    rng,
                    fields,
                    groups,
                    bad,
                    wanted: &self.wanted,
                    base,
                    written,
                };
                walk.hir(hir, out);
                0
            }
        }
    }

    /// Whether the line reads back as written: it is not skipped (`skipPrefix`), pattern
    /// `chosen` is the first that matches, each field gets the value written, each required
    /// field a value.
    fn reads_back(
        &self,
        line: &[u8],
        chosen: usize,
        bad: Option<Bad>,
        written: &Written,
        locs: &mut [CaptureLocations],
    ) -> bool {
        let Ok(text) = std::str::from_utf8(line) else {
            return false;
        };
        if text.contains(['\n', '\r']) {
            return false;
        }
        if self
            .skip_prefix
            .as_ref()
            .is_some_and(|p| text.starts_with(p.as_str()))
        {
            return false;
        }
        let first = self
            .regexes
            .iter()
            .zip(locs.iter_mut())
            .position(|(re, l)| re.captures_read(l, text).is_some());
        if first != Some(chosen) {
            return false;
        }
        let locs = &locs[chosen];
        let mut seen = vec![false; self.required.len()];
        for &(group, field) in &self.groups[chosen] {
            if seen[field] {
                continue;
            }
            let Some((s, e)) = locs.get(group) else {
                continue;
            };
            seen[field] = true;
            let value = &text[s..e];
            // The first value written for the field is the one its first group holds.
            let Some(&(_, ws, we)) = written.iter().find(|w| w.0 == field) else {
                return false;
            };
            if text.get(ws..we) != Some(value) {
                return false;
            }
            let value = if self.trim_space { value.trim() } else { value };
            let targeted = bad.is_some_and(|b| b.field == field);
            let empty = self.empty_values.iter().any(|v| v == value)
                || (self.nullable[field] && value.is_empty());
            if self.required[field] && empty && !targeted {
                return false;
            }
        }
        (0..self.required.len()).all(|f| !self.required[f] || seen[f])
    }
}

/// Per top-level field: a number, boolean or timestamp, for which an empty value is null.
pub(super) fn nullable(schema: &Schema) -> Vec<bool> {
    schema
        .fields
        .iter()
        .map(|f| {
            matches!(
                f.value.ty,
                FieldType::Int
                    | FieldType::Smallint
                    | FieldType::Bigint
                    | FieldType::Float
                    | FieldType::Boolean
                    | FieldType::Timestamp
            )
        })
        .collect()
}

/// The syntax tree of a compiled `parser: regex` pattern, and which field each group fills.
fn regex_shape(
    c: &Compiled,
    index: &dyn Fn(&str) -> Result<Option<usize>, GenError>,
    refuse: &dyn Fn(String) -> GenError,
) -> Result<Shape, GenError> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(c.regex.as_str())
        .map_err(|e| refuse(e.to_string()))?;
    let mut by_group: Vec<Option<GroupField>> = Vec::new();
    for (group, name) in &c.captures {
        let Some(field) = index(name)? else {
            continue;
        };
        let Some(sub) = group_hir(&hir, *group) else {
            continue;
        };
        let fits = Regex::new(&format!("^(?:{sub})$"))
            .map_err(|e| refuse(format!("group of `{name}`: {e}")))?;
        if by_group.len() <= *group {
            by_group.resize_with(group + 1, || None);
        }
        by_group[*group] = Some(GroupField { field, fits });
    }
    Ok(Shape::Regex {
        hir,
        fields: by_group,
    })
}

/// The fastmatch pattern `pattern` (number `index`) as literal text and placeholders.
fn fast_shape(
    index: usize,
    pattern: &str,
    field: &dyn Fn(&str) -> Result<Option<usize>, GenError>,
) -> Result<FastShape, GenError> {
    // Unclosed placeholders are refused when the pattern is compiled, before this.
    let (lead, holes) = holes(pattern).unwrap_or((pattern, Vec::new()));
    let mut parts = Vec::new();
    for h in &holes {
        let filled = if h.name.is_empty() {
            None
        } else {
            field(h.name)?
        };
        parts.push((filled, h.after.to_owned()));
    }
    Ok(FastShape {
        pattern: index,
        lead: lead.to_owned(),
        parts,
        quoted: holes.iter().any(|h| h.quote.is_some()),
    })
}

/// A value may be followed by `after` (fastmatch cuts at its first occurrence) and stays on
/// its line.
fn fits_before(value: &[u8], after: &str) -> bool {
    let cut = !after.is_empty() && memchr::memmem::find(value, after.as_bytes()).is_some();
    !cut && !value.contains(&b'\n') && !value.contains(&b'\r')
}

/// A value of `v` as a text log holds it: strings unquoted and unescaped, numbers and
/// booleans as written in JSON.
pub(super) fn write_text(rng: &mut State, out: &mut Vec<u8>, v: &VGen) {
    let start = out.len();
    write_value(rng, out, v, 0);
    if out.get(start) == Some(&b'"') {
        let s: String = serde_json::from_slice(&out[start..]).unwrap_or_default();
        out.truncate(start);
        out.extend_from_slice(s.as_bytes());
    }
}

/// The sub-pattern of capture group `index` in `hir`.
fn group_hir(hir: &Hir, index: usize) -> Option<&Hir> {
    match hir.kind() {
        HirKind::Capture(c) if c.index as usize == index => Some(&c.sub),
        HirKind::Capture(c) => group_hir(&c.sub, index),
        HirKind::Repetition(r) => group_hir(&r.sub, index),
        HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().find_map(|h| group_hir(h, index)),
        _ => None,
    }
}
