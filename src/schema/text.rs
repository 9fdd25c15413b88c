//! What the patterns of the text parsers mean: grok placeholders of `parser: regex` and the
//! `%{name}` placeholders of `parser: fastmatch`, both turned into one regular expression
//! (RE2 syntax, run by the `regex` crate, in time linear in the line) per pattern, with the
//! field each capture group fills.
//!
//! - **regex**: the `match` items are joined into one pattern. `%{PATTERN:field}` becomes a
//!   capture group filling `field`; `%{PATTERN}` a group that only matches. `PATTERN` is one
//!   of `patternDefinitions` (which may hold placeholders too) or a built-in pattern
//!   ([`BUILTIN_PATTERNS`]). A named group `(?P<name>...)` fills the field `name`. The
//!   pattern is searched for in the line: write `^` and `$` to match whole lines.
//! - **fastmatch**: each item of `match` is a pattern of its own, tried in order, and must
//!   match the whole line. `%{name}` captures as little text as lets the rest of the pattern
//!   match (so up to the next occurrence of the literal text after it), and the last
//!   placeholder of a pattern that ends with one captures the rest of the line. Two
//!   placeholders need literal text between them.
//!
//! When a field is captured more than once (alternatives, or repeated placeholders), the
//! first group that took part in the match gives its value.
//!
//! The checks of the parser block run with the other schema checks ([`super::validate`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use regex::Regex;

use super::validate::suggest;
use super::{RegexParser, Schema, Span, TextOptions};

/// The grok patterns every `parser: regex` schema can use without defining them; a
/// `patternDefinitions` entry of the same name replaces one. Written for normalog (loosely
/// after the usual names of grok libraries): `IPV6` is permissive (hex digits, colons and
/// dots with at least one colon), and the decoders or indicators check the value further.
pub const BUILTIN_PATTERNS: &[(&str, &str)] = &[
    ("WORD", r"\b\w+\b"),
    ("NOTSPACE", r"\S+"),
    ("SPACE", r"\s*"),
    ("DATA", r".*?"),
    ("GREEDYDATA", r".*"),
    ("INT", r"[+-]?[0-9]+"),
    ("POSINT", r"\b[1-9][0-9]*\b"),
    ("NONNEGINT", r"\b[0-9]+\b"),
    ("NUMBER", r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"),
    (
        "IPV4",
        r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])",
    ),
    ("IPV6", r"[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*"),
    ("IP", r"(?:%{IPV6}|%{IPV4})"),
    (
        "HOSTNAME",
        r"\b[0-9A-Za-z][0-9A-Za-z-]{0,62}(?:\.[0-9A-Za-z][0-9A-Za-z-]{0,62})*\.?\b",
    ),
    ("IPORHOST", r"(?:%{IP}|%{HOSTNAME})"),
    ("USER", r"[a-zA-Z0-9._-]+"),
    ("QUOTEDSTRING", r#""(?:[^"\\]|\\.)*""#),
    ("QS", r"%{QUOTEDSTRING}"),
    (
        "HTTPDATE",
        r"[0-9]{2}/[A-Za-z]{3}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}",
    ),
    (
        "UUID",
        r"[A-Fa-f0-9]{8}-(?:[A-Fa-f0-9]{4}-){3}[A-Fa-f0-9]{12}",
    ),
];

/// Placeholders nest (a definition using another) at most this deep.
const MAX_NESTING: usize = 32;

/// The prefix of the capture groups made for placeholders (user groups cannot clash with
/// them in practice: a group name of the `regex` crate may not hold the dash).
const GROUP_PREFIX: &str = "__nl";

/// One pattern turned into a regular expression.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The regular expression.
    pub regex: Regex,
    /// `(capture group index, field name)` for each group that fills a field, in group order.
    pub captures: Vec<(usize, String)>,
}

/// Where in a parser block a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum At {
    /// The `match` list as a whole.
    Match,
    /// The item `match[i]`.
    MatchItem(usize),
    /// `patternDefinitions.NAME`.
    Definition(String),
}

/// A problem with a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where.
    pub at: At,
    /// What, lowercase.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl Problem {
    fn new(at: At, message: String, hint: Option<String>) -> Problem {
        Problem { at, message, hint }
    }
}

/// The regular expression of a `parser: regex` block.
///
/// # Errors
///
/// An unknown grok pattern, a cycle of definitions, a grok type conversion, or what the
/// `regex` crate refuses (its message).
pub fn compile_regex(p: &RegexParser) -> Result<Compiled, Problem> {
    if p.patterns.is_empty() {
        return Err(empty_match());
    }
    let mut grok = Grok {
        definitions: &p.pattern_definitions,
        fields: Vec::new(),
    };
    // A definition that is wrong on its own is reported where it is written.
    for (name, text) in &p.pattern_definitions {
        let at = At::Definition(name.clone());
        let mut probe = Grok {
            definitions: &p.pattern_definitions,
            fields: Vec::new(),
        };
        let source = probe.expand(text, &at, &mut vec![name.clone()])?;
        if let Err(e) = Regex::new(&source) {
            return Err(Problem::new(at, regex_message(&e), None));
        }
    }
    let mut source = String::new();
    for (i, item) in p.patterns.iter().enumerate() {
        source.push_str(&grok.expand(item, &At::MatchItem(i), &mut Vec::new())?);
    }
    let at = if p.patterns.len() == 1 {
        At::MatchItem(0)
    } else {
        At::Match
    };
    let regex = Regex::new(&source).map_err(|e| {
        Problem::new(
            at,
            regex_message(&e),
            (p.patterns.len() > 1)
                .then(|| "the items of `match` are joined into one regular expression".into()),
        )
    })?;
    let captures = captures(&regex, &grok.fields);
    Ok(Compiled { regex, captures })
}

/// The regular expression of the pattern `match[index]` of a `parser: fastmatch` block.
///
/// # Errors
///
/// A placeholder without a name or not closed, or two placeholders without text between.
pub fn compile_fastmatch(pattern: &str, index: usize) -> Result<Compiled, Problem> {
    let at = At::MatchItem(index);
    let mut source = String::from("(?s)^");
    let mut fields: Vec<String> = Vec::new();
    let mut rest = pattern;
    let mut after_placeholder = false;
    while !rest.is_empty() {
        match rest.find("%{") {
            Some(0) => {
                let Some(end) = rest.find('}') else {
                    return Err(unclosed(at, rest));
                };
                let name = &rest[2..end];
                if name.is_empty() {
                    return Err(Problem::new(
                        at,
                        "a `%{}` placeholder has no field name".into(),
                        Some("write the name of the field it fills, e.g. `%{client_ip}`".into()),
                    ));
                }
                if after_placeholder {
                    return Err(Problem::new(
                        at,
                        format!("placeholder `%{{{name}}}` follows another placeholder without text between them"),
                        Some("fastmatch cuts a line at the literal text between placeholders; put a separator between them, or use `parser: regex`".into()),
                    ));
                }
                if fields.iter().any(|f| f == name) {
                    // Both would match (fastmatch has no alternation): one value would be lost.
                    return Err(Problem::new(
                        at,
                        format!("placeholder `%{{{name}}}` appears twice in this pattern"),
                        Some("a field holds one value; name the second one differently, or match it as text".into()),
                    ));
                }
                rest = &rest[end + 1..];
                let lazy = if rest.is_empty() { "" } else { "?" };
                let _ = write!(source, "(?P<{GROUP_PREFIX}{}>.*{lazy})", fields.len());
                fields.push(name.to_owned());
                after_placeholder = true;
            }
            Some(start) => {
                source.push_str(&regex::escape(&rest[..start]));
                rest = &rest[start..];
                after_placeholder = false;
            }
            None => {
                source.push_str(&regex::escape(rest));
                rest = "";
                after_placeholder = false;
            }
        }
    }
    source.push('$');
    let regex = Regex::new(&source).map_err(|e| Problem::new(at, regex_message(&e), None))?;
    let captures = captures(&regex, &fields);
    Ok(Compiled { regex, captures })
}

/// `(group index, field)` of the groups that fill fields: the placeholders' groups and the
/// user's named groups.
fn captures(regex: &Regex, fields: &[String]) -> Vec<(usize, String)> {
    regex
        .capture_names()
        .enumerate()
        .filter_map(|(i, name)| {
            let name = name?;
            match name.strip_prefix(GROUP_PREFIX) {
                Some(n) => n
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| fields.get(n))
                    .map(|f| (i, f.clone())),
                None => Some((i, name.to_owned())),
            }
        })
        .collect()
}

/// The message of a regex error: the line of the `regex` crate's message that says what is
/// wrong (its other lines draw the pattern, which the schema position already shows).
fn regex_message(e: &regex::Error) -> String {
    let text = e.to_string();
    let what = text
        .lines()
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or(text.as_str())
        .trim();
    format!("invalid regular expression: {what}")
}

fn empty_match() -> Problem {
    Problem::new(
        At::Match,
        "`match` has no patterns".into(),
        Some("list at least one pattern under `match`".into()),
    )
}

fn unclosed(at: At, rest: &str) -> Problem {
    let shown: String = rest.chars().take(20).collect();
    Problem::new(
        at,
        format!("placeholder `{shown}` is not closed"),
        Some("close it with `}`".into()),
    )
}

/// Grok expansion over the definitions and the built-in patterns.
struct Grok<'d> {
    definitions: &'d BTreeMap<String, String>,
    /// The field of each placeholder group, by number.
    fields: Vec<String>,
}

impl<'d> Grok<'d> {
    fn definition(&self, name: &str) -> Option<&'d str> {
        self.definitions.get(name).map(String::as_str).or_else(|| {
            BUILTIN_PATTERNS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, p)| *p)
        })
    }

    /// `text` with its placeholders replaced; `stack` holds the definitions being expanded.
    fn expand(&mut self, text: &str, at: &At, stack: &mut Vec<String>) -> Result<String, Problem> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("%{") {
            out.push_str(&rest[..start]);
            rest = &rest[start..];
            let Some(end) = rest.find('}') else {
                return Err(unclosed(at.clone(), rest));
            };
            let inner = &rest[2..end];
            rest = &rest[end + 1..];
            let mut parts = inner.splitn(3, ':');
            let name = parts.next().unwrap_or_default();
            let field = parts.next();
            if parts.next().is_some() {
                return Err(Problem::new(
                    at.clone(),
                    format!("`%{{{inner}}}` has a type conversion"),
                    Some("write `%{PATTERN:field}`; the field's type in the schema converts the value".into()),
                ));
            }
            if field == Some("") {
                return Err(Problem::new(
                    at.clone(),
                    format!("`%{{{inner}}}` has an empty field name"),
                    Some(format!(
                        "write `%{{{name}:field}}`, or `%{{{name}}}` to match without capturing"
                    )),
                ));
            }
            let Some(body) = self.definition(name) else {
                let mut names: Vec<&str> = self.definitions.keys().map(String::as_str).collect();
                names.extend(BUILTIN_PATTERNS.iter().map(|(n, _)| *n));
                let hint = closest(name, &names, "define it under `patternDefinitions`");
                return Err(Problem::new(
                    at.clone(),
                    format!("unknown grok pattern `{name}` in `%{{{inner}}}`"),
                    Some(hint),
                ));
            };
            if stack.iter().any(|s| s == name) || stack.len() >= MAX_NESTING {
                return Err(Problem::new(
                    at.clone(),
                    format!(
                        "grok pattern `{name}` refers to itself: `{} -> {name}`",
                        stack.join(" -> ")
                    ),
                    Some("a pattern cannot contain itself".into()),
                ));
            }
            stack.push(name.to_owned());
            let inner_source = self.expand(body, at, stack)?;
            stack.pop();
            match field {
                Some(field) => {
                    let _ = write!(out, "(?P<{GROUP_PREFIX}{}>", self.fields.len());
                    self.fields.push(field.to_owned());
                }
                None => out.push_str("(?:"),
            }
            out.push_str(&inner_source);
            out.push(')');
        }
        out.push_str(rest);
        Ok(out)
    }
}

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
        return super::csv::check(schema, c, error);
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
    spans: &super::KeySpans,
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

/// `did you mean `x`?` for the closest of `names`, else `otherwise`.
fn closest(word: &str, names: &[&str], otherwise: &str) -> String {
    match suggest(word, names.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => otherwise.into(),
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

/// The `%{name}`s of an `expandFields` template.
///
/// # Errors
///
/// The rest of the template from a `%{` that is not closed.
pub fn template_names(template: &str) -> Result<Vec<&str>, &str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("%{") {
        rest = &rest[start..];
        let Some(end) = rest.find('}') else {
            return Err(rest);
        };
        out.push(&rest[2..end]);
        rest = &rest[end + 1..];
    }
    Ok(out)
}

fn report(
    p: &Problem,
    spans: &super::KeySpans,
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
