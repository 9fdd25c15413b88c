//! Reading a `parser: fastmatch` pattern: its `%{name}` placeholders and the literal text
//! between them, turned into one regular expression. Every problem of the pattern is found,
//! each at the placeholder it concerns.

use std::fmt::Write as _;

use regex::Regex;

use super::{
    captures, empty_match, regex_message, At, Compiled, Fill, Problem, Reading, GROUP_PREFIX,
};

/// Every pattern of a `fastmatch` block: the problems and captures of all of them.
pub(super) fn read_all(patterns: &[String]) -> Reading {
    if patterns.is_empty() {
        return Reading {
            problems: vec![empty_match()],
            ..Reading::default()
        };
    }
    let mut all = Reading {
        complete: true,
        ..Reading::default()
    };
    for (i, pattern) in patterns.iter().enumerate() {
        let one = read(pattern, i);
        all.compiled.extend(one.compiled);
        all.problems.extend(one.problems);
        all.fills.extend(one.fills);
        all.complete &= one.complete;
    }
    if !all.problems.is_empty() {
        all.compiled.clear();
    }
    all
}

/// The pattern `match[index]`.
pub(super) fn read(pattern: &str, index: usize) -> Reading {
    let at = At::MatchItem(index);
    let mut problems = Vec::new();
    let mut complete = true;
    let mut problem = |offset: usize, message: String, hint: &str| {
        problems.push(Problem {
            at: at.clone(),
            offset: Some(offset),
            message,
            hint: Some(hint.into()),
        });
    };
    let mut source = String::from("(?s)^");
    let mut fields: Vec<String> = Vec::new();
    let mut fills: Vec<Fill> = Vec::new();
    let mut pos = 0;
    let mut after_placeholder = false;
    while pos < pattern.len() {
        let rest = &pattern[pos..];
        match rest.find("%{") {
            Some(0) => {
                let Some(end) = rest.find('}') else {
                    let shown: String = rest
                        .chars()
                        .take_while(|c| !matches!(c, '\n' | '\r'))
                        .take(20)
                        .collect();
                    problem(
                        pos,
                        format!("placeholder `{shown}` is not closed"),
                        "close it with `}`",
                    );
                    complete = false;
                    break;
                };
                let name = &rest[2..end];
                if name.is_empty() {
                    problem(
                        pos,
                        "a `%{}` placeholder has no field name".into(),
                        "write the name of the field it fills, e.g. `%{client_ip}`",
                    );
                } else if fields.iter().any(|f| f == name) {
                    // Both would match (fastmatch has no alternation): one value would be lost.
                    problem(
                        pos,
                        format!("placeholder `%{{{name}}}` appears twice in this pattern"),
                        "a field holds one value; name the second one differently, or match it as text",
                    );
                } else {
                    fills.push(Fill {
                        field: name.to_owned(),
                        at: at.clone(),
                        offset: Some(pos),
                    });
                }
                if after_placeholder {
                    problem(
                        pos,
                        format!("placeholder `%{{{name}}}` follows another placeholder without text between them"),
                        "fastmatch cuts a line at the literal text between placeholders; put a separator between them, or use `parser: regex`",
                    );
                }
                pos += end + 1;
                let lazy = if pos == pattern.len() { "" } else { "?" };
                let _ = write!(source, "(?P<{GROUP_PREFIX}{}>.*{lazy})", fields.len());
                fields.push(name.to_owned());
                after_placeholder = true;
            }
            found => {
                let literal = &rest[..found.unwrap_or(rest.len())];
                source.push_str(&regex::escape(literal));
                pos += literal.len();
                after_placeholder = false;
            }
        }
    }
    source.push('$');
    let mut out = Reading {
        compiled: Vec::new(),
        problems,
        fills,
        complete,
    };
    if out.problems.is_empty() {
        match Regex::new(&source) {
            Ok(regex) => out.compiled.push(Compiled {
                captures: captures(&regex, &fields),
                regex,
            }),
            // Only a pattern too large for the regex crate's limits gets here.
            Err(e) => out.problems.push(Problem::new(at, regex_message(&e), None)),
        }
    }
    out
}
