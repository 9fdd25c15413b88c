//! Reading test files: Panther's multi-document `*_tests.yml` format, decoded strictly, with
//! the line of every case and key kept for messages and for `--update`.
//!
//! The tree comes from [`crate::schema::yaml`] (not serde) because it says where every node
//! starts: a case's line, an unknown key's line and the lines `--update` rewrites all come from
//! it. Aliases are kept as they are written, and refused where a case uses them.

use std::sync::Arc;

use serde_json::Value;

use super::{LoadError, TestCase};
use crate::schema::yaml::{read_documents, Aliases, Node, NodeKind, Style};
use crate::suggest::{did_you_mean, suggest};

/// The keys of a test case: Panther's `logtesting.TestCase`, and `error` (ours: Panther's
/// runner fails every case whose input is rejected, so it has no way to expect a reject).
const KEYS: [&str; 6] = ["name", "logType", "input", "result", "results", "error"];

/// An alias where a case uses it: `--update` rewrites the lines of a case's result, and a
/// result that is another case's text has none of its own.
const ALIASES: &str = "aliases are not supported in test files (write the value out)";

/// Where a top-level key of a case is: what `--update` needs to find the result block.
#[derive(Debug, Clone)]
pub(crate) struct KeyPos {
    pub(crate) name: String,
    /// 1-based line.
    pub(crate) line: usize,
    /// 1-based column.
    pub(crate) col: usize,
}

/// The 1-based line and column messages give for `n`: where the parser marks it (see
/// [`Node::mark`]).
fn pos(n: &Node) -> (usize, usize) {
    (n.mark.line as usize, n.mark.col as usize)
}

/// Parse YAML text into one tree per document.
fn documents(text: &str, origin: &Arc<str>) -> Result<Vec<Node>, LoadError> {
    read_documents(text, Aliases::Keep).map_err(|p| {
        // A log given for a test file gets the hint a schema file would (review finding).
        let hint = p.hint.or_else(|| {
            crate::schema::load::json_lines_hint(
                text,
                "a test file",
                "a test file is YAML, one case per document (`---` between them), with \
                 `input:` and `result:`",
            )
        });
        let message = match hint {
            Some(hint) => format!("{} ({hint})", p.message),
            None => p.message,
        };
        LoadError::test_file(origin, p.span.line as usize, p.span.col as usize, message)
    })
}

/// True when the first non-empty document of `text` looks like a test case (a mapping with
/// an `input` key): how a file given by name is told apart from a schema.
pub(crate) fn looks_like_tests(text: &str) -> bool {
    let origin: Arc<str> = Arc::from("");
    let Ok(docs) = documents(crate::schema::yaml::without_bom(text), &origin) else {
        return false;
    };
    docs.iter().find(|n| !is_null(n)).is_some_and(|n| {
        matches!(&n.kind, NodeKind::Map(entries)
            if entries.iter().any(|(k, _)| scalar(k) == Some("input")))
    })
}

/// Decode every case of a test file. All problems are reported, not only the first.
pub(crate) fn parse(text: &str, origin: &Arc<str>) -> Result<Vec<TestCase>, Vec<LoadError>> {
    let docs = documents(text, origin).map_err(|e| vec![e])?;
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for root in docs {
        if is_null(&root) {
            continue; // an empty document, e.g. a file that starts with `---`
        }
        match case(&root, origin) {
            Ok(c) => cases.push(c),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(cases)
    } else {
        Err(errors)
    }
}

fn case(root: &Node, origin: &Arc<str>) -> Result<TestCase, Vec<LoadError>> {
    let err = |n: &Node, m: String| {
        let (line, col) = pos(n);
        LoadError::test_file(origin, line, col, m)
    };
    let NodeKind::Map(entries) = &root.kind else {
        return Err(vec![err(
            root,
            "a test case must be a mapping with the keys name, logType, input and result or \
             results"
                .into(),
        )]);
    };
    // A block mapping's own mark is after its first key: the case starts at that key.
    let (line, col) = entries.first().map_or(pos(root), |(k, _)| pos(k));
    let at = |m: String| LoadError::test_file(origin, line, col, m);
    let mut errors = Vec::new();
    let mut keys: Vec<KeyPos> = Vec::new();
    let (mut name, mut log_type, mut input) = (None, None, None);
    let (mut result, mut results, mut error) = (None, None, None);
    for (k, v) in entries {
        let Some(key) = scalar(k) else {
            errors.push(err(k, "a key of a test case must be a plain string".into()));
            continue;
        };
        if keys.iter().any(|p| p.name == key) {
            errors.push(err(k, format!("duplicate key \"{key}\"")));
            continue;
        }
        let (key_line, key_col) = pos(k);
        keys.push(KeyPos {
            name: key.to_owned(),
            line: key_line,
            col: key_col,
        });
        match key {
            // An empty name is no name (see below), as Panther's runner takes it.
            "name" if scalar(v).is_some() => {
                name = scalar(v)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned);
            }
            "name" | "logType" => match scalar(v) {
                Some(s) if !s.trim().is_empty() => log_type = Some(s.trim().to_owned()),
                _ => errors.push(err(v, format!("\"{key}\" must be a non-empty string"))),
            },
            "input" => match &v.kind {
                NodeKind::Scalar { text, .. } => input = Some(text.clone()),
                // Less escaping for authors: an input written as YAML is the JSON record,
                // its numbers as written (`1.10`, a 23-digit id), as in the file it stands for.
                NodeKind::Map(_) | NodeKind::Seq(_) => {
                    let mut text = String::new();
                    match json_text(v, &mut text) {
                        Ok(()) => input = Some(text),
                        Err(e) => errors.push(e.at(origin)),
                    }
                }
                NodeKind::Alias => errors.push(err(v, ALIASES.into())),
            },
            "result" => result = Some(v),
            "results" => results = Some(v),
            "error" => match expected_reject(v) {
                Ok(e) => error = Some(e),
                Err(e) => errors.push(e.at(origin)),
            },
            other => errors.push(err(k, unknown_key(other))),
        }
    }
    if log_type.is_none() && !keys.iter().any(|k| k.name == "logType") {
        errors.push(at("test case has no \"logType\"".into()));
    }
    // Without `name` or `input` Panther's runner runs the case, unnamed, with an empty
    // input (no record, so no event): so does this one, the case named by its line.
    if let (Some(_), Some(k)) = (&error, keys.iter().find(|k| k.name.starts_with("result"))) {
        let m = format!(
            "\"{}\" and \"error\" in one case: a case expects either events or a reject",
            k.name
        );
        errors.push(LoadError::test_file(origin, k.line, k.col, m));
    }
    let lt = log_type.clone().unwrap_or_default();
    let expected = expected_events(result, results, &lt, origin, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(TestCase {
        name: name.unwrap_or_else(|| format!("(no name, line {line})")),
        log_type: lt,
        input: input.unwrap_or_default(),
        expected,
        error,
        line,
        keys,
    })
}

/// The expected events: as in Panther, `result` first, then the `results` list.
fn expected_events(
    result: Option<&Node>,
    results: Option<&Node>,
    log_type: &str,
    origin: &Arc<str>,
    errors: &mut Vec<LoadError>,
) -> Vec<Value> {
    let mut expected = Vec::new();
    // `list`: the `results` list `v` is an item of.
    let mut add = |v: &Node, list: Option<&Node>| {
        let event = match (list, &v.kind) {
            // A bare `-` has no position of its own (the parser marks what follows it): the
            // list's is said.
            (Some(list), NodeKind::Scalar { text, style, .. })
                if text.is_empty() && *style == Style::Plain =>
            {
                Err(NodeError::new(list, blank("an item of \"results\"")))
            }
            _ => expected_event(v, log_type, list.is_some()),
        };
        match event {
            Ok(Some(e)) => expected.push(e),
            Ok(None) => {}
            Err(e) => errors.push(e.at(origin)),
        }
    };
    if let Some(v) = result {
        add(v, None);
    }
    match results.map(|v| (v, &v.kind)) {
        Some((list, NodeKind::Seq(items))) => items.iter().for_each(|v| add(v, Some(list))),
        Some((v, _)) if !is_null(v) => errors.push(
            NodeError::new(v, "\"results\" must be a list of expected events".into()).at(origin),
        ),
        _ => {}
    }
    expected
}

/// A problem found below the document level, located before the origin is known.
struct NodeError {
    line: usize,
    col: usize,
    message: String,
}

impl NodeError {
    fn new(n: &Node, message: String) -> NodeError {
        let (line, col) = pos(n);
        NodeError { line, col, message }
    }

    fn at(self, origin: &Arc<str>) -> LoadError {
        LoadError::test_file(origin, self.line, self.col, self.message)
    }
}

fn unknown_key(key: &str) -> String {
    let hint = match suggest(key, KEYS.iter().copied()) {
        Some(k) => did_you_mean(Some(k)).trim_end().to_owned(),
        None => "the keys are name, logType, input, result, results and error".to_owned(),
    };
    format!("unknown key \"{key}\" in test case ({hint})")
}

/// `error`: a part of the reason the input must be rejected with.
fn expected_reject(v: &Node) -> Result<String, NodeError> {
    match scalar(v).map(str::trim) {
        Some(s) if !s.is_empty() => Ok(s.to_owned()),
        _ => Err(NodeError::new(
            v,
            "\"error\" must be a non-empty string: a part of the expected reject reason".into(),
        )),
    }
}

/// One expected event: a JSON string (Panther's form) or a YAML mapping. A `result` that
/// is empty (`""`, or no value) means "no event", as in Panther's runner (`if c.Result !=
/// ""`); an empty `item` of `results` is an expected event there, which no event matches, so
/// here it is an error: dropping it made a case that expects two events pass with one.
fn expected_event(v: &Node, log_type: &str, item: bool) -> Result<Option<Value>, NodeError> {
    let value = match &v.kind {
        NodeKind::Scalar { text, style, .. } => {
            if !item && (text.is_empty() || is_null(v)) {
                return Ok(None);
            }
            if text.trim().is_empty() || (item && is_null(v)) {
                let what = if item {
                    "an item of \"results\""
                } else {
                    "\"result\""
                };
                return Err(NodeError::new(v, blank(what)));
            }
            let text = expand(text, log_type);
            serde_json::from_str::<Value>(&text).map_err(|e| {
                // A block scalar's mark is its first content line, and its lines keep their
                // relative indentation: the JSON error's position maps onto the file.
                let (first, col) = pos(v);
                let col = if *style == Style::Block {
                    col + e.column().saturating_sub(1)
                } else {
                    col
                };
                NodeError {
                    line: first + e.line().saturating_sub(1),
                    col,
                    message: format!("expected event is not valid JSON: {e}"),
                }
            })?
        }
        NodeKind::Map(_) => to_json(v, Some(log_type))?,
        NodeKind::Alias => return Err(NodeError::new(v, ALIASES.into())),
        NodeKind::Seq(_) => {
            return Err(NodeError::new(
                v,
                "an expected event must be a JSON string or a mapping".into(),
            ))
        }
    };
    if value.is_object() {
        Ok(Some(value))
    } else {
        Err(NodeError::new(
            v,
            "an expected event must be a JSON object".into(),
        ))
    }
}

/// The message for a blank expected event.
fn blank(what: &str) -> String {
    format!(
        "{what} is blank: an expected event is a JSON object (a record that gives no event \
         has no result, or `result: \"\"`)"
    )
}

/// Replace the Go template placeholder `{{.LogType}}` (spaces inside the braces allowed).
/// Other `{{ ... }}` text is left alone.
pub(crate) fn expand(s: &str, log_type: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        let inner = &rest[start + 2..start + len];
        if inner.trim() == ".LogType" {
            out.push_str(log_type);
        } else {
            out.push_str(&rest[start..start + len + 2]);
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

/// A YAML node as JSON. Plain scalars follow the YAML 1.2 core schema (null, booleans,
/// numbers); quoted and block scalars are strings. `log_type` expands the placeholder.
fn to_json(n: &Node, log_type: Option<&str>) -> Result<Value, NodeError> {
    let text = |s: &str| log_type.map_or_else(|| s.to_owned(), |lt| expand(s, lt));
    Ok(match &n.kind {
        NodeKind::Scalar {
            text: s,
            style: Style::Plain,
            ..
        } => plain_scalar(s).unwrap_or_else(|| text(s).into()),
        NodeKind::Scalar { text: s, .. } => Value::String(text(s)),
        NodeKind::Seq(items) => Value::Array(
            items
                .iter()
                .map(|i| to_json(i, log_type))
                .collect::<Result<_, _>>()?,
        ),
        NodeKind::Map(entries) => {
            let mut map = serde_json::Map::new();
            for (k, v) in entries {
                let Some(key) = scalar(k) else {
                    return Err(NodeError::new(k, "a key must be a string".into()));
                };
                map.insert(text(key), to_json(v, log_type)?);
            }
            Value::Object(map)
        }
        NodeKind::Alias => return Err(NodeError::new(n, ALIASES.into())),
    })
}

/// `n`, an input written as YAML, as the JSON text of the record: as [`to_json`] reads it,
/// but a number keeps its text when it is written as JSON writes numbers (`1.10`, `1e3`,
/// `12345678901234567890123`), where reading it as a float changed it (review s44-h7
/// MEDIUM-1: the case tested another record than the one written).
fn json_text(n: &Node, out: &mut String) -> Result<(), NodeError> {
    match &n.kind {
        NodeKind::Scalar {
            text,
            style: Style::Plain,
            ..
        } if is_json_number(text) => out.push_str(text),
        NodeKind::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_text(item, out)?;
            }
            out.push(']');
        }
        NodeKind::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                let Some(key) = scalar(k) else {
                    return Err(NodeError::new(k, "a key must be a string".into()));
                };
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.to_owned()).to_string());
                out.push(':');
                json_text(v, out)?;
            }
            out.push('}');
        }
        _ => out.push_str(&to_json(n, None)?.to_string()),
    }
    Ok(())
}

/// Whether `s` is a number as JSON writes one: `-`, digits without a leading zero, a
/// fraction, an exponent.
fn is_json_number(s: &str) -> bool {
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let rest = s.strip_prefix('-').unwrap_or(s);
    let int = digits(rest);
    if int == 0 || (int > 1 && rest.starts_with('0')) {
        return false;
    }
    let mut rest = &rest[int..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = digits(fraction);
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    if let Some(exponent) = rest.strip_prefix(['e', 'E']) {
        let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        let n = digits(exponent);
        return n > 0 && n == exponent.len();
    }
    rest.is_empty()
}

/// The non-string value of a plain scalar, if it is one (YAML 1.2 core schema).
fn plain_scalar(s: &str) -> Option<Value> {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    if let Ok(i) = s.parse::<i64>() {
        return Some(i.into());
    }
    if let Ok(u) = s.parse::<u64>() {
        return Some(u.into());
    }
    let numeric = s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if numeric {
        if let Some(n) = s.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
            return Some(Value::Number(n));
        }
    }
    None
}

fn scalar(n: &Node) -> Option<&str> {
    match &n.kind {
        NodeKind::Scalar { text, .. } => Some(text),
        _ => None,
    }
}

fn is_null(n: &Node) -> bool {
    matches!(&n.kind, NodeKind::Scalar { text, style: Style::Plain, .. } if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Arc<str> {
        Arc::from("t_tests.yml")
    }

    #[test]
    fn placeholder() {
        assert_eq!(expand("a {{.LogType}} b", "X.Y"), "a X.Y b");
        assert_eq!(expand("{{ .LogType }}{{.Other}}", "X"), "X{{.Other}}");
        assert_eq!(expand("{{ unclosed", "X"), "{{ unclosed");
    }

    #[test]
    fn cases_with_lines() {
        let text = "# comment\n---\nname: one\nlogType: A.B\ninput: |\n  {\"a\": 1}\nresult: |\n  {\"p_log_type\": \"{{.LogType}}\"}\n---\nname: two\nlogType: A.B\ninput: '{}'\nresults: []\n";
        let cases = parse(text, &origin()).expect("valid");
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].line, 3);
        assert_eq!(cases[0].input, "{\"a\": 1}\n");
        assert_eq!(cases[0].expected[0]["p_log_type"], "A.B");
        assert_eq!(cases[1].line, 10);
        assert!(cases[1].expected.is_empty());
        assert_eq!(cases[1].keys[3].name, "results");
        assert_eq!((cases[1].keys[3].line, cases[1].keys[3].col), (13, 1));
    }

    #[test]
    fn yaml_mapping_result() {
        let text = "name: m\nlogType: A.B\ninput: '{}'\nresult:\n  n: 1\n  f: 1.5\n  s: '1'\n  b: true\n  z: ~\n  lt: '{{.LogType}}'\n";
        let cases = parse(text, &origin()).expect("valid");
        let e = &cases[0].expected[0];
        assert_eq!(e["n"], 1);
        assert_eq!(e["f"], 1.5);
        assert_eq!(e["s"], "1");
        assert_eq!(e["b"], true);
        assert!(e["z"].is_null());
        assert_eq!(e["lt"], "A.B");
    }

    #[test]
    fn strict_keys() {
        let text = "name: x\nlogtype: A.B\ninput: '{}'\nexpect: 1\n";
        let errs = parse(text, &origin()).expect_err("unknown keys");
        let msgs: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                "t_tests.yml:2:1: unknown key \"logtype\" in test case (did you mean `logType`?)",
                "t_tests.yml:4:1: unknown key \"expect\" in test case (the keys are name, logType, input, result, results and error)",
                "t_tests.yml:1:1: test case has no \"logType\"",
            ]
        );
    }

    #[test]
    fn bad_json_line() {
        let text = "name: x\nlogType: A.B\ninput: '{}'\nresult: |\n  {\n    \"a\": ,\n  }\n";
        let errs = parse(text, &origin()).expect_err("bad json");
        assert!(
            errs[0].to_string().starts_with("t_tests.yml:6:"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn aliases_and_mapping_positions() {
        let text =
            "name: &n x\nlogType: A.B\ninput: *n\nresults:\n  a: 1\n---\nname: y\nlogType: *n\n";
        let errs = parse(text, &origin()).expect_err("aliases");
        let msgs: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            ["t_tests.yml:8:10: invalid YAML: while parsing node, found unknown anchor"]
        );
        let text = &text[..text.find("---").unwrap_or(text.len())];
        let errs = parse(text, &origin()).expect_err("aliases");
        let msgs: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                "t_tests.yml:3:8: aliases are not supported in test files (write the value out)",
                // At yaml-rust2's mark of a block mapping: its first `:`.
                "t_tests.yml:5:4: \"results\" must be a list of expected events",
            ]
        );
    }

    /// Only `result` may be empty ("no event", as Panther's `if c.Result != ""`); an empty
    /// item of `results` is an expected event no event matches, never dropped; an alias there
    /// says aliases are not supported.
    #[test]
    fn empty_expected_events() {
        let case = |tail: &str| {
            parse(
                &format!("name: x\nlogType: A.B\ninput: '{{}}'\n{tail}"),
                &origin(),
            )
        };
        for none in ["result: ''", "result:", "result: ~", "results: []"] {
            let cases = case(none).unwrap_or_else(|e| panic!("{none}: {e:?}"));
            assert!(cases[0].expected.is_empty(), "{none}");
        }
        let blank = "is blank: an expected event is a JSON object (a record that gives no \
                     event has no result, or `result: \"\"`)";
        for (tail, at, what) in [
            ("results:\n  - '{}'\n  -\n", "5:3", "an item of \"results\""),
            (
                "results:\n  - '{}'\n  - ''\n",
                "6:5",
                "an item of \"results\"",
            ),
            ("results: [~]\n", "4:11", "an item of \"results\""),
            ("result: ' '\n", "4:9", "\"result\""),
        ] {
            let errs = case(tail).expect_err(tail);
            assert_eq!(
                errs[0].to_string(),
                format!("t_tests.yml:{at}: {what} {blank}"),
                "{tail}"
            );
        }
        let errs = case("result: &r '{}'\nresults: [*r]\n").expect_err("alias");
        assert_eq!(
            errs[0].to_string(),
            "t_tests.yml:5:11: aliases are not supported in test files (write the value out)"
        );
    }

    /// An input written as YAML keeps its numbers as written (review s44-h7 MEDIUM-1:
    /// `1.10` became 1.1, `1e3` 1000.0, a 23-digit id 1.2345678901234568e+22).
    #[test]
    fn an_input_written_as_yaml_keeps_its_numbers() {
        let text = "name: m\nlogType: A.B\ninput: {a: 1.10, b: 1e3, c: 12345678901234567890123, d: [-0, 2.5E-3], e: +1, f: 'x\"y', g: ~, h: true, i: 007}\nresults: []\n";
        let cases = parse(text, &Arc::from("t_tests.yml")).expect("parsed");
        assert_eq!(
            cases[0].input,
            r#"{"a":1.10,"b":1e3,"c":12345678901234567890123,"d":[-0,2.5E-3],"e":1,"f":"x\"y","g":null,"h":true,"i":7}"#
        );
        for (number, json) in [
            ("0", true),
            ("-0.5", true),
            ("1e+9", true),
            ("01", false),
            ("1.", false),
            (".5", false),
            ("+1", false),
            ("1e", false),
            ("-", false),
            ("1_000", false),
        ] {
            assert_eq!(is_json_number(number), json, "{number}");
        }
    }

    /// A case without `name` or `input` runs, as in Panther's runner: named by its line,
    /// with an empty input.
    #[test]
    fn no_name_and_no_input() {
        let cases = parse(
            "logType: A.B\nresults: []\n---\nname: ''\nlogType: A.B\ninput: ''\n",
            &origin(),
        )
        .expect("valid");
        assert_eq!(cases[0].name, "(no name, line 1)");
        assert_eq!(cases[0].input, "");
        assert_eq!(cases[1].name, "(no name, line 4)");
    }

    #[test]
    fn sniff() {
        assert!(looks_like_tests("---\nname: x\ninput: '{}'\n"));
        assert!(!looks_like_tests("schema: A.B\nfields: []\n"));
    }
}
