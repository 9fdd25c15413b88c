//! The checks of the text parser blocks (`regex`, `fastmatch`), on schemas read from YAML:
//! the exact `line:col` and message of each problem.

use crate::schema::load::tests::check;

macro_rules! cases {
    ($($name:ident: $yaml:expr => [$($expected:expr),* $(,)?];)*) => {
        $(#[test] fn $name() { check($yaml, &[$($expected),*]); })*
    };
}

// One line per case, in flow style.
cases! {
        regex_unknown_option: "{schema: Cust.Tst, parser: {regex: {match: ['(?P<a>.*)'], trimSpaces: true}}, fields: [{name: a, type: string}]}" => ["1:59: unknown key `trimSpaces` (hint: did you mean `trimSpace`?)"];
        fastmatch_unknown_option: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{a}'], patternDefinitions: {}}}, fields: [{name: a, type: string}]}" => ["1:58: unknown key `patternDefinitions` (hint: valid keys here: match, skipPrefix, trimSpace, emptyValues, expandFields, skipLines)"];
        regex_no_match: "{schema: Cust.Tst, parser: {regex: {trimSpace: true}}, fields: [{name: a, type: string}]}" => ["1:29: `regex` has no `match` (hint: list the patterns a line must match under `match`)", "1:29: `match` has no patterns"];
        regex_bad_regex: "{schema: Cust.Tst, parser: {regex: {match: ['(?P<a>.*']}}, fields: [{name: a, type: string}]}" => ["1:45: invalid regular expression: unclosed group"];
        regex_bad_regex_joined: "{schema: Cust.Tst, parser: {regex: {match: ['(?P<a>', '.*']}}, fields: [{name: a, type: string}]}" => ["1:37: invalid regular expression: unclosed group (hint: the items of `match` are joined into one regular expression)"];
        regex_bad_definition: "{schema: Cust.Tst, parser: {regex: {patternDefinitions: {BAD: '[a-'}, match: ['%{BAD:a}']}}, fields: [{name: a, type: string}]}" => ["1:58: invalid regular expression: unclosed character class"];
        regex_unknown_grok: "{schema: Cust.Tst, parser: {regex: {match: ['%{NOTSPAC:a}']}}, fields: [{name: a, type: string}]}" => ["1:45: unknown grok pattern `NOTSPAC` in `%{NOTSPAC:a}` (hint: did you mean `NOTSPACE`?)"];
        regex_grok_cycle: "{schema: Cust.Tst, parser: {regex: {patternDefinitions: {AA: '%{BB}', BB: '%{AA}'}, match: ['%{AA:a}']}}, fields: [{name: a, type: string}]}" => ["1:58: grok pattern `AA` refers to itself: `AA -> BB -> AA`"];
        regex_grok_conversion: "{schema: Cust.Tst, parser: {regex: {match: ['%{INT:a:int}']}}, fields: [{name: a, type: int}]}" => ["1:45: `%{INT:a:int}` has a type conversion"];
        regex_capture_names_no_field: "{schema: Cust.Tst, parser: {regex: {match: ['%{WORD:a} %{WORD:usr}']}}, fields: [{name: a, type: string}, {name: user, type: string}]}" => ["1:45: the capture `usr` names no field (hint: did you mean `user`?)", "1:107: field `user` is filled by no pattern of the regex parser"];
        regex_named_group_no_field: "{schema: Cust.Tst, parser: {regex: {match: ['(?P<a>x)(?P<zzz>y)']}}, fields: [{name: a, type: string}]}" => ["1:45: the capture `zzz` names no field (hint: add a field of this name to `fields`)"];
        regex_field_not_filled: "{schema: Cust.Tst, parser: {regex: {match: ['%{WORD:a}']}}, fields: [{name: a, type: string}, {name: b, type: string}]}" => ["1:95: field `b` is filled by no pattern of the regex parser (hint: capture it with `%{PATTERN:b}` or `(?P<name>...)`, build it with `expandFields`, or remove it)"];
        regex_expand_ok: "{schema: Cust.Tst, parser: {regex: {match: ['%{WORD:a}'], expandFields: {b: 'x-%{a}'}}}, fields: [{name: a, type: string}, {name: b, type: string}]}" => [];
        regex_expand_unknown_value: "{schema: Cust.Tst, parser: {regex: {match: ['%{WORD:a}'], expandFields: {b: 'x-%{c}'}}}, fields: [{name: a, type: string}, {name: b, type: string}]}" => ["1:74: `%{c}` in `expandFields.b` names no captured value (hint: the patterns capture: `a`)"];
        regex_expand_unknown_key: "{schema: Cust.Tst, parser: {regex: {match: ['%{WORD:a}'], expandFields: {bb: 'x'}}}, fields: [{name: a, type: string}]}" => ["1:74: `expandFields` key `bb` names no field (hint: add a field of this name to `fields`)"];
        regex_skip_lines: "{schema: Cust.Tst, parser: {regex: {match: ['%{WORD:a}'], skipLines: 1}}, fields: [{name: a, type: string}]}" => [];
        fastmatch_skip_lines_negative: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{a}'], skipLines: -1}}, fields: [{name: a, type: string}]}" => ["1:69: `skipLines` must be a whole number, zero or more, found `-1` (hint: write e.g. `skipLines: 1`)"];
        regex_trim_space_not_bool: "{schema: Cust.Tst, parser: {regex: {match: ['%{WORD:a}'], trimSpace: yes}}, fields: [{name: a, type: string}]}" => ["1:70: `trimSpace` must be true or false, found a string"];
        regex_and_fastmatch: "{schema: Cust.Tst, parser: {regex: {match: ['%{WORD:a}']}, fastmatch: {match: ['%{a}']}}, fields: [{name: a, type: string}]}" => ["1:60: a schema has one parser, but both `regex` and `fastmatch` are given (hint: keep one of them)"];
        fastmatch_names_no_field: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{a} %{usr}']}}, fields: [{name: a, type: string}, {name: user, type: string}]}" => ["1:49: `%{usr}` names no field (hint: did you mean `user`?)", "1:101: field `user` is filled by no pattern of the fastmatch parser"];
        fastmatch_adjacent: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{a} x', '%{a}%{b}']}}, fields: [{name: a, type: string}, {name: b, type: string}]}" => ["1:59: placeholder `%{b}` follows another placeholder without text between them"];
        fastmatch_twice: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{a} as %{a}']}}, fields: [{name: a, type: string}]}" => ["1:49: placeholder `%{a}` appears twice in this pattern (hint: a field holds one value; name the second one differently, or match it as text)"];
        fastmatch_unclosed: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{a'], emptyValues: ['-']}}, fields: [{name: a, type: string}]}" => ["1:49: placeholder `%{a` is not closed (hint: close it with `}`)"];
        fastmatch_empty_match: "{schema: Cust.Tst, parser: {fastmatch: {match: []}}, fields: [{name: a, type: string}]}" => ["1:41: `match` has no patterns (hint: list at least one pattern under `match`)"];
        fastmatch_one_string: "{schema: Cust.Tst, parser: {fastmatch: {match: '%{a}', skipPrefix: '>', trimSpace: true, emptyValues: ['-'], expandFields: {}}}, fields: [{name: a, type: string}]}" => [];
}
