//! The compiled form of a text parser block (`parser: regex` or `fastmatch`): the regular
//! expressions to try, which field each capture group fills, and the options. The line →
//! JSON object step that uses it is in `parse/text.rs`.

use std::sync::Arc;

use regex::Regex;

use crate::schema::text::{compile_fastmatch, compile_regex, template_names, Compiled};
use crate::schema::{ParserSpec, TextOptions};

/// A text parser, compiled.
#[derive(Debug)]
pub(crate) struct TextPlan {
    /// The patterns, tried in order (one for `regex`).
    pub(crate) regexes: Box<[Regex]>,
    /// Per pattern: `(capture group, output)` of the groups that fill a field.
    pub(crate) groups: Box<[Groups]>,
    /// The names of the fields a line can fill (captures and `expandFields` keys), by output
    /// index.
    pub(crate) outputs: Box<[Box<str>]>,
    /// The `match` items as written, for rejects.
    pub(crate) sources: Arc<[Box<str>]>,
    pub(crate) skip_prefix: Option<Box<str>>,
    pub(crate) trim_space: bool,
    pub(crate) empty_values: Box<[Box<str>]>,
    /// `(output, template)` of each `expandFields` entry.
    pub(crate) expand: Box<[(usize, Box<[Piece]>)]>,
}

/// `(capture group, output)` of the groups of one pattern that fill a field.
pub(crate) type Groups = Box<[(usize, usize)]>;

/// A piece of an `expandFields` template.
#[derive(Debug)]
pub(crate) enum Piece {
    Text(Box<str>),
    Value(usize),
}

impl TextPlan {
    /// The text plan of a parser block, `None` for JSON schemas; `Err` repeats a problem the
    /// schema checks report (they ran before).
    pub(crate) fn new(spec: Option<&ParserSpec>) -> Result<Option<TextPlan>, String> {
        let Some(spec) = spec else { return Ok(None) };
        // The `match` items of `regex` are one pattern, joined.
        let (compiled, options, sources): (Vec<Compiled>, &TextOptions, Vec<String>) =
            match (&spec.regex, &spec.fastmatch) {
                (Some(r), _) => (
                    vec![compile_regex(r).map_err(|p| p.message)?],
                    &r.options,
                    vec![r.patterns.concat()],
                ),
                (None, Some(f)) => (
                    f.patterns
                        .iter()
                        .enumerate()
                        .map(|(i, p)| compile_fastmatch(p, i).map_err(|p| p.message))
                        .collect::<Result<_, _>>()?,
                    &f.options,
                    f.patterns.clone(),
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
                rest = &rest[start + name.len() + 3..];
            }
            if !rest.is_empty() {
                pieces.push(Piece::Text(rest.into()));
            }
            expand.push((output(key), pieces.into_boxed_slice()));
        }
        Ok(Some(TextPlan {
            regexes: compiled.iter().map(|c| c.regex.clone()).collect(),
            groups: groups.into(),
            outputs: outputs.into(),
            sources: sources.iter().map(|s| s.as_str().into()).collect(),
            skip_prefix: options.skip_prefix.as_deref().map(Into::into),
            trim_space: options.trim_space,
            empty_values: options
                .empty_values
                .iter()
                .map(|s| s.as_str().into())
                .collect(),
            expand: expand.into(),
        }))
    }
}
