//! The `parser:` block of a schema: `native`, and the text parsers `csv`, `regex` and
//! `fastmatch` with their options, read by the [`super::Loader`] with positions like
//! the rest.

use std::collections::BTreeMap;

use super::{Entry, Loader};
use crate::schema::yaml::{Node, NodeKind, ScalarKind};
use crate::schema::{
    CsvParser, FastmatchParser, KeySpans, NativeParser, ParserSpec, RegexParser, Span, TextOptions,
};

const PARSER_KEYS: &[&str] = &["native", "csv", "fastmatch", "regex", "script"];
const NATIVE_KEYS: &[&str] = &["name"];
const REGEX_KEYS: &[&str] = &[
    "match",
    "patternDefinitions",
    "skipPrefix",
    "trimSpace",
    "emptyValues",
    "expandFields",
    "skipLines",
];
const CSV_KEYS: &[&str] = &[
    "delimiter",
    "hasHeader",
    "columns",
    "skipPrefix",
    "trimSpace",
    "emptyValues",
    "expandFields",
];
const FASTMATCH_KEYS: &[&str] = &[
    "match",
    "skipPrefix",
    "trimSpace",
    "emptyValues",
    "expandFields",
    "skipLines",
];

impl Loader {
    pub(super) fn parser(&mut self, e: Entry<'_>) -> Option<ParserSpec> {
        if e.value.is_null() {
            return None;
        }
        // `parser: csv` names the parser where its block of options goes.
        let hint = match e.value.text() {
            Some(name @ ("csv" | "regex" | "fastmatch")) => format!(
                "the parser's name is a key holding its options: `parser: {{{name}: {{{}}}}}`",
                match name {
                    "csv" => "columns: [a, b]",
                    _ => "match: ['...']",
                }
            ),
            Some("native") => "the parser's name is a key holding its options: \
                               `parser: {native: {name: <Panther's parser>}}`"
                .to_owned(),
            Some("json") => "JSON is the default: remove `parser`".to_owned(),
            _ => "remove `parser` for JSON logs".to_owned(),
        };
        let pairs = self.as_map(e.value, e.value_span(), "`parser`", Some(&hint))?;
        // There is no `parser: json`: JSON is what a schema without `parser` reads.
        let json = |(key, _): &&(Node, Node)| key.text() == Some("json");
        if let Some((key, _)) = pairs.iter().find(json) {
            self.error(
                key.span,
                "there is no `json` parser".into(),
                Some(
                    "JSON is the default: remove it (and `parser`, if nothing else is in it)"
                        .into(),
                ),
            );
        }
        if pairs.is_empty() {
            // Panther's JSON Schema asks for one parser in the block.
            self.error(
                e.value_span(),
                "`parser` is empty".into(),
                Some("give one parser (`csv`, `fastmatch`, `regex` or `native`), or remove `parser` for JSON logs".into()),
            );
        }
        let pairs: Vec<(Node, Node)> = pairs.iter().filter(|p| !json(p)).cloned().collect();
        let mut spec = ParserSpec::default();
        for p in self.entries(&pairs, Some(PARSER_KEYS)) {
            match p.key {
                "native" => spec.native = self.native(p),
                "regex" => spec.regex = self.regex(p),
                "fastmatch" => spec.fastmatch = self.fastmatch(p),
                "csv" => spec.csv = self.csv(p),
                _ => self.error(
                    p.key_span,
                    format!("the {} parser is not supported yet", p.key),
                    Some(
                        "normalog reads JSON logs and text logs with `csv`, `regex` or `fastmatch`"
                            .into(),
                    ),
                ),
            }
        }
        // Two text parsers are refused where they are checked (`text::check`).
        let text = spec.csv.is_some() || spec.regex.is_some() || spec.fastmatch.is_some();
        if spec.native.is_some() && text {
            self.error(
                e.value_span(),
                "a schema has one parser, but `native` is given with a text parser".into(),
                Some("keep one of them".into()),
            );
        }
        (spec != ParserSpec::default()).then_some(spec)
    }

    fn regex(&mut self, e: Entry<'_>) -> Option<RegexParser> {
        let pairs = self.as_map(
            e.value,
            e.value_span(),
            "`regex`",
            Some("write `regex: {match: [<pattern>]}`"),
        )?;
        let mut p = RegexParser::default();
        p.key_spans.insert("", e.key_span);
        for o in self.entries(pairs, Some(REGEX_KEYS)) {
            p.key_spans.insert(o.key, o.key_span);
            match o.key {
                "match" => p.patterns = self.patterns(o, &mut p.key_spans),
                "patternDefinitions" => {
                    p.pattern_definitions =
                        self.text_map(o, "patternDefinitions", &mut p.key_spans);
                }
                "skipLines" => p.skip_lines = self.count(o),
                _ => self.text_option(o, &mut p.options, &mut p.key_spans),
            }
        }
        self.require_match(e, &p.key_spans);
        Some(p)
    }

    fn fastmatch(&mut self, e: Entry<'_>) -> Option<FastmatchParser> {
        let pairs = self.as_map(
            e.value,
            e.value_span(),
            "`fastmatch`",
            Some("write `fastmatch: {match: [<pattern>]}`"),
        )?;
        let mut p = FastmatchParser::default();
        p.key_spans.insert("", e.key_span);
        for o in self.entries(pairs, Some(FASTMATCH_KEYS)) {
            p.key_spans.insert(o.key, o.key_span);
            match o.key {
                "match" => p.patterns = self.patterns(o, &mut p.key_spans),
                "skipLines" => p.skip_lines = self.count(o),
                _ => self.text_option(o, &mut p.options, &mut p.key_spans),
            }
        }
        self.require_match(e, &p.key_spans);
        Some(p)
    }

    fn csv(&mut self, e: Entry<'_>) -> Option<CsvParser> {
        let pairs = self.as_map(
            e.value,
            e.value_span(),
            "`csv`",
            Some("write `csv: {delimiter: ',', columns: [<name>, ...]}`"),
        )?;
        let mut p = CsvParser::default();
        p.key_spans.insert("", e.key_span);
        for o in self.entries(pairs, Some(CSV_KEYS)) {
            p.key_spans.insert(o.key, o.key_span);
            match o.key {
                "delimiter" => {
                    if let Some(d) = self.text(o) {
                        p.key_spans.insert("delimiter", o.value_span());
                        p.delimiter = d;
                    }
                }
                "hasHeader" => p.has_header = self.boolean(o),
                "columns" => {
                    for (i, (name, span)) in self.text_list(o).into_iter().enumerate() {
                        p.key_spans.insert(format!("columns[{i}]"), span);
                        p.columns.push(name.to_owned());
                    }
                }
                _ => self.text_option(o, &mut p.options, &mut p.key_spans),
            }
        }
        Some(p)
    }

    /// A count: a whole number, zero or more.
    fn count(&mut self, e: Entry<'_>) -> u64 {
        let text = e.value.text().unwrap_or_default();
        if let (Some(ScalarKind::Int), Ok(n)) = (e.value.scalar_kind(), text.parse::<u64>()) {
            return n;
        }
        let found = match e.value.scalar_kind() {
            Some(ScalarKind::Int | ScalarKind::Float) => format!("`{text}`"),
            _ => e.value.kind_name().to_owned(),
        };
        self.error(
            e.value_span(),
            format!(
                "`{}` must be a whole number, zero or more, found {found}",
                e.key
            ),
            Some(format!("write e.g. `{}: 1`", e.key)),
        );
        0
    }

    fn require_match(&mut self, e: Entry<'_>, spans: &KeySpans) {
        if !spans.contains("match") {
            self.error(
                e.key_span,
                format!("`{}` has no `match`", e.key),
                Some("list the patterns a line must match under `match`".into()),
            );
        }
    }

    /// `match`: a list of patterns. One pattern written alone, not in a list, is refused as
    /// Panther refuses it (its `match` is a Go `[]string`, which Go's YAML does not fill from
    /// a scalar), with the hint `text_list` gives; it is still read as a list of one, so that
    /// the problems inside the pattern are reported too. Each item's position is `match[i]`,
    /// and `@match[i]` where its text starts when a problem inside it can be pointed at by
    /// column (the YAML node's `text_at`).
    fn patterns(&mut self, e: Entry<'_>, spans: &mut KeySpans) -> Vec<String> {
        // The items `text_list` keeps, in its order: the text ones (a scalar is one).
        let starts: Vec<Option<Span>> = match &e.value.kind {
            NodeKind::Seq(nodes) => nodes
                .iter()
                .filter(|n| n.text().is_some())
                .map(Node::text_at)
                .collect(),
            _ => vec![e.value.text_at()],
        };
        let items = self.text_list(e);
        for (i, (_, span)) in items.iter().enumerate() {
            spans.insert(format!("match[{i}]"), *span);
            if let Some(Some(at)) = starts.get(i) {
                spans.insert(format!("@match[{i}]"), *at);
            }
        }
        items.into_iter().map(|(t, _)| t.to_owned()).collect()
    }

    /// A mapping of names to text, each position recorded as `<what>.<name>` (the name), and
    /// `@<what>.<name>` where the text starts, as for [`Self::patterns`].
    fn text_map(
        &mut self,
        e: Entry<'_>,
        what: &str,
        spans: &mut KeySpans,
    ) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if e.value.is_null() {
            return out;
        }
        let Some(pairs) = self.as_map(
            e.value,
            e.value_span(),
            &format!("`{what}`"),
            Some("write one `name: text` per line"),
        ) else {
            return out;
        };
        for d in self.entries(pairs, None) {
            spans.insert(format!("{what}.{}", d.key), d.key_span);
            if let Some(at) = d.value.text_at() {
                spans.insert(format!("@{what}.{}", d.key), at);
            }
            if let Some(text) = self.text(d) {
                out.insert(d.key.to_owned(), text);
            }
        }
        out
    }

    /// One of the options the text parsers share.
    fn text_option(&mut self, o: Entry<'_>, options: &mut TextOptions, spans: &mut KeySpans) {
        match o.key {
            "skipPrefix" => options.skip_prefix = self.opt_text(o),
            "trimSpace" => options.trim_space = self.boolean(o),
            "emptyValues" => {
                options.empty_values = self
                    .text_list(o)
                    .into_iter()
                    .map(|(t, _)| t.to_owned())
                    .collect();
            }
            "expandFields" => options.expand_fields = self.text_map(o, "expandFields", spans),
            _ => {}
        }
    }

    fn native(&mut self, e: Entry<'_>) -> Option<NativeParser> {
        let pairs = self.as_map(
            e.value,
            e.value_span(),
            "`native`",
            Some("write `native: {name: <log type>}`"),
        )?;
        let mut name = None;
        for n in self.entries(pairs, Some(NATIVE_KEYS)) {
            name = self.text(n);
        }
        if name.is_none() && !pairs.iter().any(|(k, _)| k.text() == Some("name")) {
            self.error(
                e.key_span,
                "`native` has no `name`".into(),
                Some("write `native: {name: <log type>}`".into()),
            );
        }
        name.map(|name| NativeParser { name })
    }
}
