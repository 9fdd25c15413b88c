//! The compiled form of a text parser block (`parser: regex`, `fastmatch` or `csv`): the
//! regular expressions to try (and, for fastmatch, the literal text that cuts a line into
//! values) or the CSV columns, which field each value fills, and the options. The line →
//! values → decoders step that uses it is in `parse/text.rs` (and `parse/csv.rs` for
//! splitting rows).

use std::sync::Arc;

use regex::Regex;

use super::cut::RegexCut;
use super::sep::Sep;
use super::ObjectPlan;
use crate::schema::text::{compile_fastmatch, compile_regex, holes, template_names, Compiled};
use crate::schema::{CsvParser, ParserSpec, TextOptions};

/// A text parser, compiled.
#[derive(Debug)]
pub(crate) struct TextPlan {
    /// The patterns, tried in order (one for `regex`).
    pub(crate) regexes: Box<[Regex]>,
    /// For `regex`, when the pattern's shape allows: the same match, found by cutting the
    /// line at its literal text (`cut.rs`); the regex runs only when a cut gives up.
    pub(crate) cut: Option<RegexCut>,
    /// Per pattern: `(capture group, output)` of the groups that fill a field.
    pub(crate) groups: Box<[Groups]>,
    /// The names of the fields a line can fill (captures and `expandFields` keys), by output
    /// index.
    pub(crate) outputs: Box<[Box<str>]>,
    /// The `match` items as written, for rejects.
    pub(crate) sources: Arc<[Box<str>]>,
    /// The first `skip_lines` lines of each input that are not blank are consumed
    /// (`skipLines`; `parse/skip.rs`).
    pub(crate) skip_lines: u64,
    /// Lines that start with it are consumed (`skipPrefix`; never empty).
    pub(crate) skip_prefix: Option<Box<str>>,
    pub(crate) trim_space: bool,
    pub(crate) empty_values: Box<[Box<str>]>,
    /// `(output, template)` of each `expandFields` entry.
    pub(crate) expand: Box<[(usize, Box<[Piece]>)]>,
    /// The outputs that are not `expandFields` keys, in output order: the captured values
    /// handed to the decoders (before the expanded ones).
    pub(crate) plain: Box<[usize]>,
    /// The field of the root object each output fills (by output index), `None` for a name
    /// that is not a field (schema checks refuse those; kept safe anyway).
    pub(crate) fields: Box<[Option<usize>]>,
    /// For `fastmatch`: each pattern as literal text and placeholders, matched by cutting
    /// the line at the literals (the regular expressions are then not run).
    pub(crate) fast: Option<Box<[FastPattern]>>,
    /// For `parser: csv` (then `regexes` is empty).
    pub(crate) csv: Option<CsvPlan>,
}

/// The columns of a `parser: csv` block.
#[derive(Debug)]
pub(crate) struct CsvPlan {
    pub(crate) delimiter: crate::schema::csv::Delimiter,
    /// The first line of each input is a header (consumed).
    pub(crate) has_header: bool,
    /// With `columns`: the output each column fills (none when no field or template uses
    /// it). Empty when the header names the columns: then a header name fills the output
    /// of that name, if any.
    pub(crate) columns: Box<[Option<usize>]>,
}

/// A fastmatch pattern: `lead`, the text a line must start with, then each placeholder
/// with the literal text after it, as Panther's matcher (`pkg/x/fastmatch`) reads a line:
/// a value is the text up to the first occurrence of its separator, which is consumed; the
/// last placeholder without a separator takes the rest of the line, and after the last
/// separator the rest is ignored. A value between quotes (see [`Hole::quote`]) is read with
/// its escapes when a backslash is ahead (`parse/text.rs`).
///
/// Without a backslash, cutting at the first occurrence of each separator gives what the
/// pattern's regular expression (`^lead(.*?)sep1(.*?)...sepN`, lazy groups) gives: the
/// first occurrence is the shortest value a group can take, and a later one only leaves
/// less of the line for the separators after it.
#[derive(Debug)]
pub(crate) struct FastPattern {
    pub(crate) lead: Box<str>,
    /// The placeholders, in order.
    pub(crate) holes: Box<[Hole]>,
}

/// A placeholder of a [`FastPattern`].
#[derive(Debug)]
pub(crate) struct Hole {
    /// The output it fills, none for `%{}` (text skipped).
    pub(crate) output: Option<usize>,
    /// The literal text after it; none only for the last placeholder when it ends the
    /// pattern (schema checks refuse two placeholders without text between them).
    pub(crate) sep: Option<Sep>,
    /// `"` or `'` when the text before the placeholder ends with that quote and its
    /// separator starts with it (Panther's rule), else 0.
    pub(crate) quote: u8,
}

/// `(capture group, output)` of the groups of one pattern that fill a field.
pub(crate) type Groups = Box<[(usize, usize)]>;

/// `(output, template)` of each `expandFields` entry.
type Templates = Vec<(usize, Box<[Piece]>)>;

/// A piece of an `expandFields` template.
#[derive(Debug)]
pub(crate) enum Piece {
    Text(Box<str>),
    Value(usize),
}

impl TextPlan {
    /// The text plan of a parser block, `None` for JSON schemas; `Err` repeats a problem the
    /// schema checks report (they ran before).
    /// `fields` are the names of the schema's top-level fields (what a CSV header can fill).
    pub(crate) fn new(
        spec: Option<&ParserSpec>,
        fields: &[&str],
    ) -> Result<Option<TextPlan>, String> {
        let Some(spec) = spec else { return Ok(None) };
        if let Some(c) = &spec.csv {
            return TextPlan::csv(c, fields).map(Some);
        }
        // The `match` items of `regex` are one pattern, joined.
        let (compiled, options, sources, skip_lines): (Vec<Compiled>, &TextOptions, _, _) =
            match (&spec.regex, &spec.fastmatch) {
                (Some(r), _) => (
                    vec![compile_regex(r, fields).map_err(|p| p.message)?],
                    &r.options,
                    vec![r.patterns.concat()],
                    r.skip_lines,
                ),
                (None, Some(f)) => (
                    f.patterns
                        .iter()
                        .enumerate()
                        .map(|(i, p)| compile_fastmatch(p, i).map_err(|p| p.message))
                        .collect::<Result<_, _>>()?,
                    &f.options,
                    f.patterns.clone(),
                    f.skip_lines,
                ),
                (None, None) => return Ok(None),
            };
        let mut outputs: Vec<Box<str>> = Vec::new();
        let mut output = |name: &str| -> usize {
            if let Some(i) = outputs.iter().position(|o| &**o == name) {
                i
            } else {
                outputs.push(name.into());
                outputs.len() - 1
            }
        };
        let groups: Vec<Groups> = compiled
            .iter()
            .map(|c| c.captures.iter().map(|(g, f)| (*g, output(f))).collect())
            .collect();
        let fast = match (&spec.regex, &spec.fastmatch) {
            (None, Some(f)) => Some(
                f.patterns
                    .iter()
                    .map(|p| fast_pattern(p, &mut output))
                    .collect::<Result<Box<[FastPattern]>, String>>()?,
            ),
            _ => None,
        };
        let expand = templates(options, &mut output)?;
        let mut plan = TextPlan::with_options(options, outputs, expand);
        plan.fast = fast;
        plan.regexes = compiled.iter().map(|c| c.regex.clone()).collect();
        if spec.regex.is_some() {
            plan.cut = plan
                .regexes
                .first()
                .and_then(|re| RegexCut::new(re.as_str(), re.captures_len()));
        }
        plan.groups = groups.into();
        plan.sources = sources.iter().map(|s| s.as_str().into()).collect();
        plan.skip_lines = skip_lines;
        Ok(Some(plan))
    }

    /// A `parser: csv` block. Outputs are made only for what a line can give a field: the
    /// columns that are fields or that templates use (all of `fields` and the templates'
    /// names when the header names the columns), and the `expandFields` keys.
    fn csv(c: &CsvParser, fields: &[&str]) -> Result<TextPlan, String> {
        let delimiter = crate::schema::csv::delimiter(&c.delimiter).map_err(|(m, _)| m)?;
        let used: Vec<&str> = c
            .options
            .expand_fields
            .values()
            .filter_map(|t| template_names(t).ok())
            .flatten()
            .collect();
        let mut outputs: Vec<Box<str>> = Vec::new();
        let columns: Box<[Option<usize>]> = if c.columns.is_empty() {
            for name in fields.iter().chain(&used) {
                if !outputs.iter().any(|o| &**o == *name) {
                    outputs.push((*name).into());
                }
            }
            Box::default()
        } else {
            c.columns
                .iter()
                .map(|name| {
                    let wanted = fields.contains(&name.as_str()) || used.contains(&name.as_str());
                    wanted.then(|| {
                        outputs.push(name.as_str().into());
                        outputs.len() - 1
                    })
                })
                .collect()
        };
        let mut output = |name: &str| -> usize {
            if let Some(i) = outputs.iter().position(|o| &**o == name) {
                i
            } else {
                outputs.push(name.into());
                outputs.len() - 1
            }
        };
        let expand = templates(&c.options, &mut output)?;
        let mut plan = TextPlan::with_options(&c.options, outputs, expand);
        plan.sources = Arc::new([format!("csv, delimiter {:?}", c.delimiter).into()]);
        plan.csv = Some(CsvPlan {
            delimiter,
            has_header: c.has_header,
            columns,
        });
        Ok(plan)
    }

    /// A plan with the shared options and no pattern yet.
    fn with_options(options: &TextOptions, outputs: Vec<Box<str>>, expand: Templates) -> TextPlan {
        let plain = (0..outputs.len())
            .filter(|o| !expand.iter().any(|(e, _)| e == o))
            .collect();
        TextPlan {
            plain,
            fields: vec![None; outputs.len()].into(),
            fast: None,
            regexes: Box::default(),
            cut: None,
            groups: Box::default(),
            outputs: outputs.into(),
            sources: Arc::new([]),
            skip_lines: 0,
            skip_prefix: options
                .skip_prefix
                .as_deref()
                .filter(|p| !p.is_empty())
                .map(Into::into),
            trim_space: options.trim_space,
            empty_values: options
                .empty_values
                .iter()
                .map(|s| s.as_str().into())
                .collect(),
            expand: expand.into(),
            csv: None,
        }
    }
}

/// The `expandFields` templates cut into pieces; `output` gives the output of a name.
fn templates(
    options: &TextOptions,
    output: &mut impl FnMut(&str) -> usize,
) -> Result<Templates, String> {
    let mut expand = Vec::new();
    for (key, template) in &options.expand_fields {
        let names = template_names(template).map_err(|rest| format!("unclosed `{rest}`"))?;
        let mut pieces = Vec::new();
        let mut rest = template.as_str();
        for name in names {
            let start = rest.find("%{").unwrap_or(rest.len());
            if start > 0 {
                pieces.push(Piece::Text(rest[..start].into()));
            }
            pieces.push(Piece::Value(output(name)));
            // Past the closing `}`: the name may have had spaces around it.
            let end = rest[start..]
                .find('}')
                .map_or(rest.len(), |e| start + e + 1);
            rest = &rest[end..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.into()));
        }
        expand.push((output(key), pieces.into_boxed_slice()));
    }
    Ok(expand)
}

impl TextPlan {
    /// Whether `line` starts with the `skipPrefix`: a skip that says what the line is, not
    /// only where it stands.
    pub(crate) fn skips_prefix(&self, line: &str) -> bool {
        self.skip_prefix
            .as_deref()
            .is_some_and(|p| line.starts_with(p))
    }

    /// Name the root field each output fills (once the root object is compiled).
    pub(crate) fn bind(&mut self, root: &ObjectPlan) {
        self.fields = self.outputs.iter().map(|name| root.find(name)).collect();
    }
}

/// The fastmatch pattern `pattern` cut at its placeholders; `output` gives each named field's
/// output index. `Err` repeats a problem the schema checks report.
fn fast_pattern(
    pattern: &str,
    output: &mut impl FnMut(&str) -> usize,
) -> Result<FastPattern, String> {
    let (lead, holes) = holes(pattern).ok_or_else(|| format!("unclosed `%{{` in `{pattern}`"))?;
    let last = holes.len().saturating_sub(1);
    let holes = holes
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let sep = Sep::new(h.after);
            if sep.is_none() && i != last {
                return Err("two placeholders without text between them".to_owned());
            }
            Ok(Hole {
                output: (!h.name.is_empty()).then(|| output(h.name)),
                sep,
                quote: h.quote.unwrap_or(0),
            })
        })
        .collect::<Result<Box<[Hole]>, String>>()?;
    if holes.is_empty() {
        return Err("a pattern without placeholders".into());
    }
    Ok(FastPattern {
        lead: lead.into(),
        holes,
    })
}
