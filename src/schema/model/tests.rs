//! Tests of schema loading: what loads, and the exact errors of what does not.

use std::path::Path;

use super::*;
use crate::schema::load::from_str;

/// Load `yaml` as `t.yml` and compare the rendered errors with `expected`, in order (or,
/// when it loads, its warnings: `warning: 1:5: ...`). An expected line without
/// `(hint: ...)` matches any hint, one with a hint may stop inside it; `t.yml:` is added in
/// front. Shared with the tests of `validate`.
#[track_caller]
pub(crate) fn check(yaml: &str, expected: &[&str]) {
    let got: Vec<String> = match from_str(yaml, "t.yml") {
        Ok(schema) => crate::schema::validate::warnings(&schema)
            .iter()
            .map(ToString::to_string)
            .collect(),
        Err(e) => e.0.iter().map(ToString::to_string).collect(),
    };
    let ok = got.len() == expected.len()
        && got.iter().zip(expected).all(|(g, e)| {
            let (severity, e) = match e.strip_prefix("warning: ") {
                Some(rest) => ("warning: ", rest),
                None => ("", *e),
            };
            let sep = if e.starts_with(|c: char| c.is_ascii_digit()) {
                ""
            } else {
                " "
            };
            let e = format!("{severity}t.yml:{sep}{e}");
            *g == e
                || g.starts_with(&format!("{e} (hint: "))
                || (e.contains(" (hint: ") && g.starts_with(&e))
        });
    assert!(
        ok,
        "yaml: {yaml}\ngot:\n{}\nexpected:\n{}",
        got.join("\n"),
        expected.join("\n")
    );
}

macro_rules! cases {
    ($($name:ident: $yaml:expr => [$($expected:expr),* $(,)?];)*) => {
        $(#[test] fn $name() { check($yaml, &[$($expected),*]); })*
    };
}

// One line per case; the YAML is written in flow style so it fits.
cases! {
    ok_minimal: "{schema: Cust.Tst, fields: [{name: a, type: string}]}" => [];
    syntax_unclosed: "{schema: Cust.Tst, fields: [" => ["2:1: invalid YAML: while parsing a node, did not find expected node content"];
    syntax_nested_value: "schema: a: b" => ["1:10: invalid YAML: mapping values are not allowed in this context (hint: a value that holds `: ` needs quotes; otherwise check this line's indentation against the keys above it)"];
    indentation_slip: "schema: Cust.Tst\nfields:\n    - name: a\n      type: string\n   - name: b\n      type: string\n" => ["5:4: invalid YAML: while parsing a block mapping, did not find expected key (hint: check the indentation of this line against the lines above it: the keys of a field line up under its `name` (`- name: x`, then `  type: string`))"];
    empty_file: "" => ["the schema file is empty (hint: a schema needs at least `schema` and `fields`)"];
    comment_only: "# nothing\n" => ["the schema file is empty"];
    two_documents: "{schema: Cust.Tst, fields: [{name: a, type: string}]}\n---\n{}" => ["2:1: a second YAML document in a schema file (hint: write one schema per file; a file of test cases is named `*_tests.yml` (or sits under `tests/`))"];
    root_list: "[1, 2]" => ["1:1: a schema must be a mapping, found a list"];
    root_scalar: "hello" => ["1:1: a schema must be a mapping, found a string"];
    a_test_case: "{name: one, logType: Cust.Tst, input: '{}', result: '{}'}" => ["1:1: this is a test case (`input`, `logType`, `result`), not a schema (hint: name test files `*_tests.yml` (or put them under a `tests` directory): schema paths skip them, and `normalog test` reads them)"];
    missing_both: "{description: x}" => ["1:1: missing `schema` (the log type name)", "1:1: missing `fields`"];
    unknown_top_key_suggest: "{schema: Cust.Tst, referenceUrl: x, fields: [{name: a, type: string}]}" => ["1:20: unknown key `referenceUrl` (hint: did you mean `referenceURL`?)"];
    unknown_top_key_list: "{schema: Cust.Tst, owner: me, fields: [{name: a, type: string}]}" => ["1:20: unknown key `owner` (hint: valid keys here: schema, parser, description, referenceURL, version, definitions, fields, fieldDiscoveryEnabled)"];
    field_discovery_off_loads: "{schema: Cust.Tst, fieldDiscoveryEnabled: false, fields: [{name: a, type: string}]}" => [];
    field_discovery_on: "{schema: Cust.Tst, fieldDiscoveryEnabled: true, fields: [{name: a, type: string}]}" => ["1:43: field discovery is not supported by normalog (hint: write `fieldDiscoveryEnabled: false`, or remove it)"];
    field_discovery_not_a_bool: "{schema: Cust.Tst, fieldDiscoveryEnabled: 'no', fields: [{name: a, type: string}]}" => ["1:43: `fieldDiscoveryEnabled` must be true or false, found a string"];
    transformation_key: "{schema: Cust.Tst, fields: [{name: a, type: string, rename: {from: b}}]}" => ["1:53: unknown key `rename` (hint: transformations such as `rename` are not supported by normalog; remove it)"];
    typo_required: "{schema: Cust.Tst, fields: [{name: a, type: string, requird: true}]}" => ["1:53: unknown key `requird` (hint: did you mean `required`?)"];
    typo_time_format_case: "{schema: Cust.Tst, fields: [{name: a, type: timestamp, timeformat: unix}]}" => ["1:29: timestamp field `a` has no `timeFormat`", "1:56: unknown key `timeformat` (hint: did you mean `timeFormat`?)"];
    typo_embedded_json_case: "{schema: Cust.Tst, fields: [{name: a, type: json, isEmbeddedJson: true}]}" => ["1:51: unknown key `isEmbeddedJson` (hint: did you mean `isEmbeddedJSON`?)"];
    typo_indicator_key: "{schema: Cust.Tst, fields: [{name: a, type: string, indicator: [ip]}]}" => ["1:53: unknown key `indicator` (hint: did you mean `indicators`?)"];
    duplicate_key: "{schema: Cust.Tst, schema: Custom.U, fields: [{name: a, type: string}]}" => ["1:20: duplicate key `schema` (hint: the first `schema` is at 1:2; remove one)"];
    duplicate_field_key: "{schema: Cust.Tst, fields: [{name: a, type: string, type: int}]}" => ["1:53: duplicate key `type`"];
    non_scalar_key: "{schema: Cust.Tst, [a]: 1, fields: [{name: a, type: string}]}" => ["1:20: a key must be a name, found a list"];
    required_yes: "{schema: Cust.Tst, fields: [{name: a, type: string, required: yes}]}" => ["1:63: `required` must be true or false, found a string (hint: YAML 1.2 reads `yes` as text; write true or false)"];
    required_quoted: "{schema: Cust.Tst, fields: [{name: a, type: string, required: 'true'}]}" => ["1:63: `required` must be true or false, found a string (hint: write true without quotes)"];
    required_number: "{schema: Cust.Tst, fields: [{name: a, type: string, required: 1}]}" => ["1:63: `required` must be true or false, found a number (hint: write true or false)"];
    required_capital: "{schema: Cust.Tst, fields: [{name: a, type: string, required: True}]}" => [];
    event_time_list: "{schema: Cust.Tst, fields: [{name: a, type: timestamp, timeFormat: unix, isEventTime: [x]}]}" => ["1:87: `isEventTime` must be true or false, found a list"];
    version_one: "{schema: Cust.Tst, version: 1, fields: [{name: a, type: string}]}" => ["1:29: unsupported schema `version` 1 (hint: Panther's schema language only has version 0; write `version: 0` or remove it)"];
    version_text: "{schema: Cust.Tst, version: v0, fields: [{name: a, type: string}]}" => ["1:29: `version` must be a number, found a string"];
    version_quoted: "{schema: Cust.Tst, version: '0', fields: [{name: a, type: string}]}" => ["1:29: `version` must be a number, found a string"];
    version_zero: "{schema: Cust.Tst, version: 0, fields: [{name: a, type: string}]}" => [];
    schema_name_list: "{schema: [a], fields: [{name: a, type: string}]}" => ["1:10: `schema` must be a string, found a list"];
    description_number_is_text: "{schema: Cust.Tst, description: 2021, fields: [{name: a, type: string}]}" => [];
    description_empty_is_absent: "{schema: Cust.Tst, description: , fields: [{name: a, type: string}]}" => [];
    unknown_type_suggest: "{schema: Cust.Tst, fields: [{name: a, type: strng}]}" => ["1:45: unknown type `strng` (hint: did you mean `string`? valid types: string, int, smallint, bigint, float, boolean, timestamp, object, array, json, ref)"];
    unknown_type_list: "{schema: Cust.Tst, fields: [{name: a, type: uuid}]}" => ["1:45: unknown type `uuid` (hint: valid types: string, int, smallint, bigint, float, boolean, timestamp, object, array, json, ref)"];
    // Other languages' names for a type or an indicator, where spelling does not tell.
    unknown_type_synonym: "{schema: Cust.Tst, fields: [{name: a, type: integer}]}" => ["1:45: unknown type `integer` (hint: did you mean `int`? valid types: string, int, smallint, bigint, float, boolean, timestamp, object, array, json, ref)"];
    unknown_indicator_synonym: "{schema: Cust.Tst, fields: [{name: a, type: string, indicators: [ipaddress]}]}" => ["1:66: unknown indicator `ipaddress` (hint: did you mean `ip`? valid indicators: ip, domain, hostname, url, net_addr, email, username, trace_id, md5, sha1, sha256, aws_arn, aws_arn_only, aws_account_id, aws_instance_id, aws_tag)"];
    parser_named_without_options: "{schema: Cust.Tst, parser: csv, fields: [{name: a, type: string}]}" => ["1:28: `parser` must be a mapping, found a string (hint: the parser's name is a key holding its options: `parser: {csv: {columns: [a, b]}}`)"];
    unknown_type_case: "{schema: Cust.Tst, fields: [{name: a, type: String}]}" => ["1:45: unknown type `String`"];
    unknown_type_keeps_children: "{schema: Cust.Tst, fields: [{name: a, type: obj, fields: [{name: b, type: strin}]}]}" => ["1:45: unknown type `obj` (hint: valid types: string, int, smallint, bigint, float, boolean, timestamp, object, array, json, ref)", "1:75: field `a.b`: unknown type `strin`"];
    unknown_type_drops_attributes: "{schema: Cust.Tst, fields: [{name: a, type: tmestamp, timeFormat: unix, isEventTime: true}]}" => ["1:45: unknown type `tmestamp`"];
    type_missing: "{schema: Cust.Tst, fields: [{name: a}]}" => ["1:29: field `a` has no `type` (hint: add `type:`, one of string, int, smallint, bigint, float, boolean, timestamp, object, array, json, ref)"];
    type_not_text: "{schema: Cust.Tst, fields: [{name: a, type: {x: 1}}]}" => ["1:45: `type` must be a string, found a mapping"];
    // Review s42-h1 LOW-2: the valid types, YAML's nulls, and tabs said.
    type_list: "{schema: Cust.Tst, fields: [{name: a, type: [string]}]}" => ["1:45: `type` must be a string, found a list (hint: write one type: string, int, smallint, bigint, float, boolean, timestamp, object, array, json, ref)"];
    name_null: "{schema: Cust.Tst, fields: [{name: ~, type: string}]}" => ["1:36: `name` must be a string, found nothing (hint: `~`, `null` and a value left empty are YAML's null; write `''` for an empty string)"];
    allow_null_item: "{schema: Cust.Tst, fields: [{name: a, type: string, validate: {allow: [null, x]}}]}" => ["1:72: each item of `allow` must be a string, found nothing (hint: `~`, `null` and a value left empty are YAML's null; write `''` for an empty string)"];
    // Panther's JSON Schema of the format refuses both (review s42-h1 LOW-1).
    time_format_empty: "{schema: Cust.Tst, fields: [{name: t, type: timestamp, timeFormat: ''}]}" => ["1:68: `timeFormat` is empty (hint: write a time format, e.g. `rfc3339`)"];
    reference_url_without_scheme: "{schema: Cust.Tst, referenceURL: example.com/docs, fields: [{name: t, type: string}]}" => ["1:34: `referenceURL` \"example.com/docs\" is not a URL with its scheme (hint: write it whole, e.g. `https://example.com/docs`)"];
    reference_url_ok: "{schema: Cust.Tst, referenceURL: 'https://example.com/docs', fields: [{name: t, type: string}]}" => [];
    strftime_without_panthers_directives: "{schema: Cust.Tst, fields: [{name: t, type: timestamp, timeFormats: ['%Y-%m-%d', '%s']}]}" => ["warning: 1:82: the time format `%s` of `t` has none of the directives Panther's schema check asks a strftime format for (%Y, %m, %d, %H, %M, %S, ...): normalog reads it, Panther refuses the schema"];
    // Review s45-h9 LOW-3: a closed quote with text after it was said to be unclosed.
    text_after_a_closing_quote: "schema: Cust.Tst\ndescription: \"Audit log\" of the app\nfields: []\n" => ["2:26: invalid YAML: invalid trailing content after double-quoted scalar (hint: text follows the closing quote: quote the whole value, with the quotes inside it doubled (`'\"Audit log\" of the app'`, `'it''s'`), or leave it unquoted; in a list `[...]`, separate the items with commas)"];
    unclosed_quote: "schema: Cust.Tst\ndescription: \"Audit log\nfields: []\n" => ["2:14: invalid YAML: invalid indentation in quoted scalar (hint: a quote opened here is not closed on its line: close it, or check the quotes inside the value)"];
    tab_indented: "schema: Cust.Tst\nfields:\n\t- name: a\n" => ["3:2: invalid YAML: tabs disallowed within this context (block indentation) (hint: indent with spaces: YAML takes no tab in indentation)"];
    // Review s47-h2 LOW-4: its table's directory could not be made.
    long_schema_name: &format!("{{schema: Custom.A{}, fields: [{{name: a, type: string}}]}}", "b".repeat(300)) => ["1:2: the schema name is 308 characters long, more than the 255 of a file name, which its table's directory in an output takes (hint: shorten it)"];
    // Review s47-h2 HIGH-1: the YAML parser took a NUL for the end of the file.
    nul_byte: "schema: Cust.Tst\nfields:\n  - {name: a, type: string}\n\0  - {name: b, type: int, required: true}\n" => ["4:1: a control character (U+0000) that YAML does not allow in a file (hint: a file that holds NUL bytes was often cut short while it was written: check that it is whole)"];
    escape_character: "schema: Cust.Tst\nfields:\n  - {name: a\u{1b}b, type: string}\n" => ["3:13: a control character (U+001B) that YAML does not allow in a file (hint: remove it, or write it as an escape in a double-quoted string (`\"\\u001b\"`))"];
    // Review s47-h3 LOW-1: lone `\r` line ends count as the parser counts them.
    escape_character_after_lone_cr: "schema: Cust.Tst\rfields:\r  - {name: a\u{1b}b, type: string}\r" => ["3:13: a control character (U+001B) that YAML does not allow in a file (hint: remove it, or write it as an escape in a double-quoted string (`\"\\u001b\"`))"];
    next_line_character_is_allowed: "schema: Cust.Tst\ndescription: a\u{85}b\nfields: [{name: a, type: string}]\n" => [];
    name_missing: "{schema: Cust.Tst, fields: [{type: string}]}" => ["1:29: a field has no `name` (hint: add `name:` with the field's JSON key)"];
    name_list: "{schema: Cust.Tst, fields: [{name: [a], type: string}]}" => ["1:36: `name` must be a string, found a list"];
    fields_not_list: "{schema: Cust.Tst, fields: {a: string}}" => ["1:28: `fields` must be a list, found a mapping"];
    field_not_map: "{schema: Cust.Tst, fields: [a]}" => ["1:29: a field must be a mapping, found a string (hint: write `- name: a` and a `type` on the next line)"];
    unknown_indicator_suggest: "{schema: Cust.Tst, fields: [{name: a, type: string, indicators: [ipp]}]}" => ["1:66: unknown indicator `ipp` (hint: did you mean `ip`? valid indicators: ip, domain, hostname, url, net_addr, email, username, trace_id, md5, sha1, sha256, aws_arn, aws_arn_only, aws_account_id, aws_instance_id, aws_tag)"];
    unknown_indicator_list: "{schema: Cust.Tst, fields: [{name: a, type: string, indicators: [mac]}]}" => ["1:66: unknown indicator `mac` (hint: valid indicators: ip, domain, hostname, url, net_addr, email, username, trace_id, md5, sha1, sha256, aws_arn, aws_arn_only, aws_account_id, aws_instance_id, aws_tag)"];
    indicators_not_list: "{schema: Cust.Tst, fields: [{name: a, type: string, indicators: ip}]}" => ["1:65: `indicators` must be a list, found a string (hint: write `indicators: [ip]`)"];
    // The hint is YAML that reads back as the value: `[-]` would not.
    allow_not_list_is_one_mistake: "{schema: Cust.Tst, fields: [{name: a, type: string, validate: {allow: 5}}]}" => ["1:71: `allow` must be a list, found a number (hint: write `allow: ['5']`)"];
    empty_values_not_list: "{schema: Cust.Tst, parser: {csv: {delimiter: ',', columns: [a], emptyValues: '-'}}, fields: [{name: a, type: string}]}" => ["1:78: `emptyValues` must be a list, found a string (hint: write `emptyValues: ['-']`)"];
    indicators_item_map: "{schema: Cust.Tst, fields: [{name: a, type: string, indicators: [{ip: 1}]}]}" => ["1:66: each item of `indicators` must be a string, found a mapping"];
    validate_ip_bad: "{schema: Cust.Tst, fields: [{name: a, type: string, validate: {ip: v4}}]}" => ["1:68: invalid `validate.ip` value `v4` (hint: use ipv4, ipv6 or any)"];
    validate_cidr_bad: "{schema: Cust.Tst, fields: [{name: a, type: string, validate: {cidr: both}}]}" => ["1:70: invalid `validate.cidr` value `both` (hint: use ipv4, ipv6 or any)"];
    validate_unknown_key: "{schema: Cust.Tst, fields: [{name: a, type: string, validate: {alow: [x]}}]}" => ["1:53: `validate` has no checks", "1:64: unknown key `alow` (hint: did you mean `allow`?)"];
    validate_not_map: "{schema: Cust.Tst, fields: [{name: a, type: string, validate: [x]}]}" => ["1:63: `validate` must be a mapping, found a list"];
    parser_native: "{schema: Cust.Tst, parser: {native: {name: Cust.Tst}}, fields: [{name: a, type: string}]}" => [];
    parser_csv: "{schema: Cust.Tst, parser: {csv: {delimiter: ','}}, fields: [{name: a, type: string}]}" => ["1:29: `csv` has no `columns` and no `hasHeader`: nothing names the values (hint: list the column names under `columns`, or set `hasHeader: true` to read them from the first line of each input)"];
    parser_fastmatch: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{a}']}}, fields: [{name: a, type: string}]}" => [];
    parser_regex: "{schema: Cust.Tst, parser: {regex: {match: ['(?P<a>.*)']}}, fields: [{name: a, type: string}]}" => [];
    parser_script: "{schema: Cust.Tst, parser: {script: {function: f}}, fields: [{name: a, type: string}]}" => ["1:29: the script parser is not supported yet"];
    parser_json: "{schema: Cust.Tst, parser: {json: {}}, fields: [{name: a, type: string}]}" => ["1:29: there is no `json` parser (hint: JSON is the default: remove it (and `parser`, if nothing else is in it))"];
    parser_unknown: "{schema: Cust.Tst, parser: {xml: {}}, fields: [{name: a, type: string}]}" => ["1:29: unknown key `xml` (hint: valid keys here: native, csv, fastmatch, regex, script)"];
    parser_native_no_name: "{schema: Cust.Tst, parser: {native: {}}, fields: [{name: a, type: string}]}" => ["1:29: `native` has no `name`"];
    // Both loaded (review s42-h1 LOW-1): Panther's JSON Schema asks for exactly one parser,
    // and normalog read the csv block of the second.
    parser_empty: "{schema: Cust.Tst, parser: {}, fields: [{name: a, type: string}]}" => ["1:28: `parser` is empty"];
    parser_native_and_csv: "{schema: Cust.Tst, parser: {native: {name: Cust.Tst}, csv: {columns: [a]}}, fields: [{name: a, type: string}]}" => ["1:28: a schema has one parser, but `native` is given with a text parser"];
    parser_empty_is_absent: "{schema: Cust.Tst, parser: , fields: [{name: a, type: string}]}" => [];
    element_not_map: "{schema: Cust.Tst, fields: [{name: a, type: array, element: string}]}" => ["1:61: `element` must be a mapping, found a string (hint: give the type of the items, e.g. `element: {type: string}`)"];
    element_with_name: "{schema: Cust.Tst, fields: [{name: a, type: array, element: {name: b, type: string}}]}" => ["1:62: `name` is not allowed in an array element"];
    element_no_type: "{schema: Cust.Tst, fields: [{name: a, type: array, element: {indicators: [ip]}}]}" => ["1:61: the element of field `a` has no `type`"];
    definition_with_description: "{schema: Cust.Tst, definitions: {User: {type: string, description: x}}, fields: [{name: a, type: ref, target: User}]}" => ["1:55: `description` is not allowed in a definition"];
    definition_not_map: "{schema: Cust.Tst, definitions: {User: string}, fields: [{name: a, type: string}]}" => ["1:40: definition `User` must be a mapping, found a string"];
    definitions_not_map: "{schema: Cust.Tst, definitions: [a], fields: [{name: a, type: string}]}" => ["1:33: `definitions` must be a mapping, found a list"];
    anchors_and_aliases: "{schema: Cust.Tst, fields: [{name: a, type: array, element: &e {type: string}}, {name: b, type: array, element: *e}]}" => [];
    str_tag_is_text: "{schema: Cust.Tst, fields: [{name: a, type: string, required: !!str true}]}" => ["1:69: `required` must be true or false, found a string"];
    too_deep_flow: &format!("{}1{}", "[".repeat(300), "]".repeat(300)) => ["1:256: invalid YAML: recursion limit exceeded"];
    too_deep_block: &format!("{}1", "- ".repeat(600)) => ["1:323: the YAML nests deeper than 160 levels"];
    multiple_errors_in_file_order: "schema: custom\nversion: 2\nfields:\n  - name: a\n    type: strng\n  - name: b\n    type: timestamp\n    requird: true\n  - name: a\n    type: string\n" => [
        "1:1: invalid schema name `custom`",
        "2:10: unsupported schema `version` 2",
        "5:11: unknown type `strng`",
        "6:5: timestamp field `b` has no `timeFormat`",
        "8:5: unknown key `requird`",
        "9:5: duplicate field name `a` (hint: the first `a` is at 4:5; remove or rename one)",
    ];
}

#[test]
fn block_positions_point_at_first_key() {
    let schema = from_str(
            "schema: Cust.Tst\nfields:\n  - name: a\n    type: object\n    fields:\n      - name: b\n        type: string\n",
            "t.yml",
        )
        .unwrap();
    assert_eq!(schema.span, Span { line: 1, col: 1 });
    assert_eq!(schema.fields[0].span, Span { line: 3, col: 5 });
    assert_eq!(
        schema.fields[0].value.fields[0].span,
        Span { line: 6, col: 9 }
    );
    assert_eq!(
        schema.fields[0].value.key_spans.get("fields"),
        Some(Span { line: 5, col: 5 })
    );
    assert_eq!(schema.origin.as_deref(), Some("t.yml"));
}

#[test]
fn alias_bomb_is_refused() {
    let mut lines = vec![String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]")];
    for i in 1..8 {
        let prev = format!("*a{}", i - 1);
        let items = [prev.as_str(); 10].join(", ");
        lines.push(format!("a{i}: &a{i} [{items}]"));
    }
    let yaml = lines.join("\n");
    let err = from_str(&yaml, "t.yml").unwrap_err();
    assert_eq!(err.0.len(), 1);
    assert!(
        err.0[0].message.contains("more than 1000000 nodes"),
        "{err}"
    );
}

#[test]
fn deep_flow_nesting_does_not_overflow() {
    let yaml = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(from_str(&yaml, "t.yml").is_err());
}

const SHIPPED: [(&str, &str); 3] = [
    (
        "schemas/zendesk/Audit.yml",
        include_str!("../../../schemas/zendesk/Audit.yml"),
    ),
    (
        "schemas/zoom/Activity.yml",
        include_str!("../../../schemas/zoom/Activity.yml"),
    ),
    (
        "schemas/zoom/Operation.yml",
        include_str!("../../../schemas/zoom/Operation.yml"),
    ),
];

#[test]
fn shipped_schemas_load() {
    for (path, text) in SHIPPED {
        let schema = from_str(text, path).unwrap_or_else(|e| panic!("{e}"));
        let expected = Path::new(path).file_stem().unwrap().to_str().unwrap();
        assert!(schema.schema.ends_with(&format!(".{expected}")), "{path}");
        assert_eq!(schema.version, 0);
        assert!(schema
            .parser
            .as_ref()
            .and_then(|p| p.native.as_ref())
            .is_some());
        assert_eq!(
            schema
                .fields
                .iter()
                .filter(|f| f.value.is_event_time)
                .count(),
            1,
            "{path}"
        );
    }
}

#[test]
fn shipped_zoom_activity_reads_as_documented() {
    let schema = from_str(SHIPPED[1].1, "Activity.yml").unwrap();
    let names: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "email",
            "time",
            "type",
            "ip_address",
            "client_type",
            "version"
        ]
    );
    let email = &schema.fields[0];
    assert!(email.required);
    assert_eq!(email.value.indicators, [IndicatorKind::Email]);
    assert_eq!(
        email.description.as_deref(),
        Some("The email address of the user used for activity.")
    );
    let time = &schema.fields[1];
    assert_eq!(time.value.ty, FieldType::Timestamp);
    assert_eq!(time.value.time_format.as_deref(), Some("rfc3339"));
    assert_eq!(
        schema.fields[2].description.as_deref(),
        Some("Type of user activity: sign in/sign out")
    );
}

/// Every type, nested objects, arrays of objects, refs, definitions and every attribute.
const COMPLEX: &str = r#"
schema: Custom.Complex.Example
parser:
  native:
    name: Custom.Complex.Example
description: "A schema that uses everything: quotes, colons and # signs"
referenceURL: https://example.com/docs
version: 0
definitions:
  Actor:
    type: object
    fields:
      - name: id
        required: true
        type: bigint
      - name: email
        type: string
        indicators: [email, username]
      - name: roles
        type: array
        element:
          type: ref
          target: Role
  Role:
    type: string
    validate:
      allow: [admin, agent, "end user"]
fields:
  - name: time
    required: true
    description: When it happened
    type: timestamp
    timeFormat: rfc3339
    isEventTime: true
  - name: alt_time
    type: timestamp
    timeFormats: [unix_ms, "%Y-%m-%d %H:%M:%S", "layout=2006-01-02"]
    isEventTime: true
  - name: count
    type: int
  - name: small
    type: smallint
  - name: big
    type: bigint
  - name: ratio
    type: float
  - name: ok
    type: boolean
  - name: src_ip
    type: string
    indicators: [ip]
    validate:
      ip: any
  - name: net
    type: string
    validate:
      cidr: ipv4
      deny: ["0.0.0.0/0"]
  - name: actor
    type: ref
    target: Actor
  - name: meta.user
    type: object
    isEmbeddedJSON: true
    fields:
      - name: name
        type: string
      - name: address
        type: object
        fields:
          - name: city
            type: string
  - name: hosts
    type: array
    indicators: [hostname]
    element:
      type: string
  - name: urls
    type: array
    element:
      type: string
      indicators: [url]
  - name: events
    type: array
    element:
      type: object
      fields:
        - name: at
          type: timestamp
          timeFormat: unix
        - name: tags
          type: array
          element:
            type: ref
            target: Role
  - name: raw
    type: json
    isEmbeddedJSON: true
  - name: matrix
    type: array
    isEmbeddedJSON: true
    element:
      type: array
      element:
        type: float
"#;

#[test]
fn complex_schema_loads() {
    let schema = from_str(COMPLEX, "complex.yml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(schema.fields.len(), 16);
    assert_eq!(schema.definitions.len(), 2);
    let net = &schema.fields[8].value;
    assert_eq!(
        net.validate,
        Some(Validate {
            allow: Vec::new(),
            deny: vec!["0.0.0.0/0".into()],
            ip: None,
            cidr: Some(IpVersion::Ipv4),
        })
    );
    assert_eq!(
        schema.fields[1].value.key_spans.get("timeFormats[2]"),
        Some(Span { line: 37, col: 49 })
    );
    let types: Vec<FieldType> = schema.fields.iter().map(|f| f.value.ty).collect();
    for ty in FieldType::ALL {
        assert!(types.contains(&ty), "{ty} is not used");
    }
}

#[test]
fn complex_schema_round_trips() {
    let mut schema = from_str(COMPLEX, "complex.yml").unwrap();
    let yaml = serde_yaml::to_string(&schema).unwrap();
    let mut back = from_str(&yaml, "written.yml").unwrap_or_else(|e| panic!("{e}\n{yaml}"));
    schema.clear_spans();
    back.clear_spans();
    assert_eq!(schema, back, "{yaml}");
    // serde_yaml reads it back the same way.
    let mut serde_back: Schema = serde_yaml::from_str(&yaml).unwrap();
    serde_back.clear_spans();
    assert_eq!(schema, serde_back);
}

#[test]
fn shipped_schemas_round_trip() {
    for (path, text) in SHIPPED {
        let mut schema = from_str(text, path).unwrap();
        let yaml = serde_yaml::to_string(&schema).unwrap();
        let mut back = from_str(&yaml, path).unwrap();
        schema.clear_spans();
        back.clear_spans();
        assert_eq!(schema, back, "{path}");
    }
}
