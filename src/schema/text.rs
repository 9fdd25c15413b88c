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

use std::fmt::Write as _;

use regex::Regex;

use super::validate::suggest;
use super::RegexParser;

mod check;
mod grok;
#[cfg(test)]
mod tests;

pub(crate) use check::check;
use grok::Grok;

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

/// `did you mean `x`?` for the closest of `names`, else `otherwise`.
fn closest(word: &str, names: &[&str], otherwise: &str) -> String {
    match suggest(word, names.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => otherwise.into(),
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
