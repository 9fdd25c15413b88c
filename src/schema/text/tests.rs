//! The checks of the text parser blocks (`regex`, `fastmatch`), on schemas read from YAML:
//! the exact `line:col` and message of each problem.

use crate::schema::model::tests::check;

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
        regex_bad_regex: "{schema: Cust.Tst, parser: {regex: {match: ['(?P<a>.*']}}, fields: [{name: a, type: string}]}" => ["1:46: invalid regular expression: unclosed group"];
        regex_bad_regex_joined: "{schema: Cust.Tst, parser: {regex: {match: ['(?P<a>', '.*']}}, fields: [{name: a, type: string}]}" => ["1:46: invalid regular expression: unclosed group (hint: the items of `match` are joined into one regular expression)"];
        regex_bad_at_the_start_of_an_item: "{schema: Cust.Tst, parser: {regex: {match: ['(?P<a>x) (?P<b', '^y']}}, fields: [{name: a, type: string}]}" => ["1:64: invalid regular expression: invalid capture group character (hint: the items of `match` are joined into one regular expression: the mistake may be at the end of the item before this one)"];
        regex_bracket_before_a_placeholder: "{schema: Cust.Tst, parser: {regex: {match: ['^%{IPORHOST:a} - [%{HTTPDATE:b}] ']}}, fields: [{name: a, type: string}, {name: b, type: string}]}" => ["1:64: invalid regular expression: unopened group (hint: a `[` before this starts a character class, and the group or placeholder after it is taken as text: write `\\[` and `\\]` for literal brackets)"];
        // Review s46-h3 LOW-3: the same mistake met as another error, or as none.
        regex_placeholder_in_a_class: "{schema: Cust.Tst, parser: {regex: {match: ['^x [%{DATA:a}] []x]%{INT:c}']}}, fields: [{name: a, type: string}, {name: c, type: string}]}" => ["warning: 1:49: this `[` starts a character class, which takes the placeholder after it as text: the placeholder captures nothing, and the class matches one character (hint: write `\\[` and `\\]` for literal brackets)"];
        regex_placeholder_in_a_class_in_a_definition: "{schema: Cust.Tst, parser: {regex: {patternDefinitions: {BR: '[%{DATA:a}]'}, match: ['^x %{BR} y']}}, fields: [{name: a, type: string}]}" => ["warning: 1:63: this `[` starts a character class, which takes the placeholder after it as text: the placeholder captures nothing, and the class matches one character (hint: write `\\[` and `\\]` for literal brackets)"];
        regex_bracket_before_a_word_in_a_definition: "{schema: Cust.Tst, parser: {regex: {patternDefinitions: {BR: '[%{WORD:a}]'}, match: ['^x %{BR} y']}}, fields: [{name: a, type: string}]}" => ["1:64: invalid regular expression: invalid escape sequence: `\\b` (hint: a `[` before this starts a character class, and the group or placeholder after it is taken as text: write `\\[` and `\\]` for literal brackets)", "1:112: field `a` is filled by no pattern of the regex parser (hint: capture it with `%{PATTERN:a}` or `(?P<name>...)`, build it with `expandFields`, or remove it)"];
        regex_placeholder_further_in_a_class: "{schema: Cust.Tst, parser: {regex: {match: ['^x [ %{DATA:a}]']}}, fields: [{name: a, type: string}]}" => ["warning: 1:49: this `[` starts a character class, which takes the placeholder after it as text: the placeholder captures nothing, and the class matches one character (hint: write `\\[` and `\\]` for literal brackets)"];
        // Review s46-h5 LOW-1: a POSIX class is one member of the class around it.
        regex_placeholder_after_a_posix_class_in_a_class: "{schema: Cust.Tst, parser: {regex: {match: ['^x [[:alpha:]%{DATA:a}] y']}}, fields: [{name: a, type: string}]}" => ["warning: 1:49: this `[` starts a character class, which takes the placeholder after it as text: the placeholder captures nothing, and the class matches one character (hint: write `\\[` and `\\]` for literal brackets)"];
        regex_bracket_member_after_a_posix_class: "{schema: Cust.Tst, parser: {regex: {match: ['^x (?P<w>[[:alpha:][]+) %{DATA:a}$']}}, fields: [{name: a, type: string}, {name: w, type: string}]}" => [];
        regex_placeholder_text_quoted: "{schema: Cust.Tst, parser: {regex: {match: ['^x \\Q[\\E%{DATA:a}\\Q]\\E']}}, fields: [{name: a, type: string}]}" => [];
        regex_escaped_brackets_around_a_placeholder: "{schema: Cust.Tst, parser: {regex: {match: ['^x \\[%{DATA:a}\\] [a-z]%{WORD:b}']}}, fields: [{name: a, type: string}, {name: b, type: string}]}" => [];
        regex_bracket_before_a_word: "{schema: Cust.Tst, parser: {regex: {match: ['^[%{WORD:a}] x']}}, fields: [{name: a, type: string}]}" => ["1:48: invalid regular expression: invalid escape sequence: `\\b` (hint: a `[` before this starts a character class, and the group or placeholder after it is taken as text: write `\\[` and `\\]` for literal brackets)"];
        regex_bracket_before_a_timestamp: "{schema: Cust.Tst, parser: {regex: {match: ['^[%{TIMESTAMP_ISO8601:a}] x']}}, fields: [{name: a, type: string}]}" => ["1:48: invalid regular expression: invalid character class range, the start must be <= the end (hint: a `[` before this starts a character class, and the group or placeholder after it is taken as text: write `\\[` and `\\]` for literal brackets)"];
        regex_class_of_a_paren_is_not_a_bracket_mistake: "{schema: Cust.Tst, parser: {regex: {match: ['^(?P<a>[(]x))']}}, fields: [{name: a, type: string}]}" => ["1:58: invalid regular expression: unopened group"];
        regex_bad_definition: "{schema: Cust.Tst, parser: {regex: {patternDefinitions: {BAD: '[a-'}, match: ['%{BAD:a}']}}, fields: [{name: a, type: string}]}" => ["1:64: invalid regular expression: unclosed character class"];
        regex_unknown_grok: "{schema: Cust.Tst, parser: {regex: {match: ['%{NOTSPAC:a}']}}, fields: [{name: a, type: string}]}" => ["1:46: unknown grok pattern `NOTSPAC` in `%{NOTSPAC:a}` (hint: did you mean `NOTSPACE`?)"];
        regex_grok_cycle: "{schema: Cust.Tst, parser: {regex: {patternDefinitions: {AA: '%{BB}', BB: '%{AA}'}, match: ['%{AA:a}']}}, fields: [{name: a, type: string}]}" => ["1:76: grok pattern `AA` refers to itself: `AA -> BB -> AA`"];
        regex_grok_conversion: "{schema: Cust.Tst, parser: {regex: {match: ['%{INT:a:int}']}}, fields: [{name: a, type: int}]}" => ["1:46: `%{INT:a:int}` has a type conversion"];
        regex_capture_names_no_field: "{schema: Cust.Tst, parser: {regex: {match: ['%{WORD:a} %{WORD:usr}']}}, fields: [{name: a, type: string}, {name: user, type: string}]}" => ["1:56: the capture `usr` names no field (hint: did you mean `user`?)", "1:107: field `user` is filled by no pattern of the regex parser"];
        regex_named_group_no_field: "{schema: Cust.Tst, parser: {regex: {match: ['(?P<a>x)(?P<zzz>y)']}}, fields: [{name: a, type: string}]}" => ["1:54: the capture `zzz` names no field (hint: add a field of this name to `fields`, use it in an `expandFields` template, or make the group unnamed)"];
        regex_field_not_filled: "{schema: Cust.Tst, parser: {regex: {match: ['%{WORD:a}']}}, fields: [{name: a, type: string}, {name: b, type: string}]}" => ["1:95: field `b` is filled by no pattern of the regex parser (hint: capture it with `%{PATTERN:b}` or `(?P<name>...)`, build it with `expandFields`, or remove it)"];
        regex_expand_ok: "{schema: Cust.Tst, parser: {regex: {match: ['%{WORD:a}'], expandFields: {b: 'x-%{a}'}}}, fields: [{name: a, type: string}, {name: b, type: string}]}" => [];
        // A capture only for a template needs no field (review finding: Panther loads it).
        regex_capture_only_templated: "{schema: Cust.Tst, parser: {regex: {match: ['%{WORD:a} %{WORD:tmp}'], expandFields: {user.name: '%{tmp}'}}}, fields: [{name: a, type: string}, {name: user.name, type: string}]}" => [];
        fastmatch_capture_only_templated: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{a} %{tmp}'], expandFields: {b: 'x-%{tmp}'}}}, fields: [{name: a, type: string}, {name: b, type: string}]}" => [];
        regex_expand_spaced_name: "{schema: Cust.Tst, parser: {regex: {match: ['%{WORD:a}'], expandFields: {b: 'x-%{ a }'}}}, fields: [{name: a, type: string}, {name: b, type: string}]}" => [];
        regex_expand_unknown_value: "{schema: Cust.Tst, parser: {regex: {match: ['%{WORD:a}'], expandFields: {b: 'x-%{c}'}}}, fields: [{name: a, type: string}, {name: b, type: string}]}" => ["1:74: `%{c}` in `expandFields.b` names no captured value (hint: the patterns capture: `a`)"];
        regex_expand_unknown_key: "{schema: Cust.Tst, parser: {regex: {match: ['%{WORD:a}'], expandFields: {bb: 'x'}}}, fields: [{name: a, type: string}]}" => ["1:74: `expandFields` key `bb` names no field (hint: add a field of this name to `fields`)"];
        regex_skip_lines: "{schema: Cust.Tst, parser: {regex: {match: ['%{WORD:a}'], skipLines: 1}}, fields: [{name: a, type: string}]}" => [];
        fastmatch_skip_lines_negative: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{a}'], skipLines: -1}}, fields: [{name: a, type: string}]}" => ["1:69: `skipLines` must be a whole number, zero or more, found `-1` (hint: write e.g. `skipLines: 1`)"];
        regex_trim_space_not_bool: "{schema: Cust.Tst, parser: {regex: {match: ['%{WORD:a}'], trimSpace: yes}}, fields: [{name: a, type: string}]}" => ["1:70: `trimSpace` must be true or false, found a string"];
        regex_and_fastmatch: "{schema: Cust.Tst, parser: {regex: {match: ['%{WORD:a}']}, fastmatch: {match: ['%{a}']}}, fields: [{name: a, type: string}]}" => ["1:60: a schema has one parser, but both `regex` and `fastmatch` are given (hint: keep one of them)"];
        fastmatch_names_no_field: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{a} %{usr}']}}, fields: [{name: a, type: string}, {name: user, type: string}]}" => ["1:55: `%{usr}` names no field (hint: did you mean `user`?)", "1:101: field `user` is filled by no pattern of the fastmatch parser"];
        fastmatch_adjacent: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{a} x', '%{a}%{b}']}}, fields: [{name: a, type: string}, {name: b, type: string}]}" => ["1:64: placeholder `%{b}` follows another placeholder without text between them"];
        fastmatch_twice: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{a} as %{a}']}}, fields: [{name: a, type: string}]}" => ["1:58: placeholder `%{a}` appears twice in this pattern (hint: a field holds one value; name the second one differently, or match it as text)"];
        regex_twice: "{schema: Cust.Tst, parser: {regex: {match: ['^%{WORD:a} %{WORD:a}$']}}, fields: [{name: a, type: string}]}" => ["1:57: field `a` is filled by two placeholders that can both match a line (hint: a field holds one value; name the second one differently, match it without a field (`%{PATTERN}`), or make them alternatives (`(?:...|...)`))"];
        regex_twice_across_items: "{schema: Cust.Tst, parser: {regex: {match: ['^%{WORD:a} ', '(?:x|%{INT:a})$']}}, fields: [{name: a, type: string}]}" => ["1:66: field `a` is filled by two placeholders that can both match a line (hint: a field holds one value; name the second one differently, match it without a field (`%{PATTERN}`), or make them alternatives (`(?:...|...)`))"];
        // Panther's grok: the tag is trimmed, an empty field captures nothing.
        grok_tag_trimmed: "{schema: Cust.Tst, parser: {regex: {match: ['%{ WORD:a } %{WORD:}']}}, fields: [{name: a, type: string}]}" => [];
        grok_lower_case_builtin: "{schema: Cust.Tst, parser: {regex: {match: ['%{word:a}']}}, fields: [{name: a, type: string}]}" => ["1:46: `word` in `%{word:a}` is not a grok pattern name Panther accepts (hint: did you mean `WORD`?)"];
        grok_lower_case_definition: "{schema: Cust.Tst, parser: {regex: {patternDefinitions: {myword: '\\w+'}, match: ['%{myword:a}']}}, fields: [{name: a, type: string}]}" => ["1:83: `myword` in `%{myword:a}` is not a grok pattern name Panther accepts (hint: name patterns with capital letters, digits and `_`, starting with a letter)"];
        grok_field_not_a_group_name: "{schema: Cust.Tst, parser: {regex: {match: ['%{WORD:user.name} %{INT:src-port}']}}, fields: [{name: user.name, type: string}, {name: src-port, type: int}]}" => [
            "1:46: `user.name` in `%{WORD:user.name}` cannot name a capture group (Panther's regular expressions refuse it) (hint: capture it under a name of letters, digits and `_`, and build the field from it: `%{WORD:user_name}` with `expandFields: {user.name: '%{user_name}'}`)",
            "1:64: `src-port` in `%{INT:src-port}` cannot name a capture group (Panther's regular expressions refuse it) (hint: capture it under a name of letters, digits and `_`, and build the field from it: `%{INT:src_port}` with `expandFields: {src-port: '%{src_port}'}`)",
        ];
        // A name that is no field of the schema: the rule, and that it names none.
        grok_field_not_a_group_name_nor_a_field: "{schema: Cust.Tst, parser: {regex: {match: ['%{WORD:a} %{WORD:b.c}']}}, fields: [{name: a, type: string}]}" => [
            "1:56: `b.c` in `%{WORD:b.c}` cannot name a capture group (Panther's regular expressions refuse it) (hint: a field a `regex` parser fills has a name of letters, digits and `_`)",
            "1:56: the capture `b.c` names no field (hint: add a field of this name to `fields`, use it in an `expandFields` template, or make the group unnamed)",
        ];
        // Panther trims the spaces around the whole tag, not after `:`: one problem, not
        // three (the capture naming no field, and the field filled by none).
        grok_field_with_a_space: "{schema: Cust.Tst, parser: {regex: {match: ['%{WORD: a}']}}, fields: [{name: a, type: string}]}" => [
            "1:46: ` a` in `%{WORD: a}` cannot name a capture group (Panther's regular expressions refuse it) (hint: remove the spaces around the name: `%{WORD:a}`)",
        ];
        regex_group_not_a_go_name: "{schema: Cust.Tst, parser: {regex: {match: ['(?P<user.name>x)']}}, fields: [{name: user.name, type: string}]}" => ["1:46: the group name `user.name` is refused by Panther's regular expressions (hint: name groups with letters, digits and `_`)"];
        grok_redefined_builtin: "{schema: Cust.Tst, parser: {regex: {patternDefinitions: {INT: '[0-9]+'}, match: ['%{INT:a}']}}, fields: [{name: a, type: int}]}" => ["1:58: `INT` is a built-in grok pattern, which Panther does not let a schema redefine (hint: give your pattern another name)"];
        grok_redefined_extension: "{schema: Cust.Tst, parser: {regex: {patternDefinitions: {LOGLEVEL: 'info|warn'}, match: ['%{LOGLEVEL:a}']}}, fields: [{name: a, type: string}]}" => [];
        regex_alternatives_fill_one_field: "{schema: Cust.Tst, parser: {regex: {match: ['^(?:%{IP:host}|%{HOSTNAME:host}) %{WORD:a}$']}}, fields: [{name: host, type: string}, {name: a, type: string}]}" => [];
        fastmatch_unclosed: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{a'], emptyValues: ['-']}}, fields: [{name: a, type: string}]}" => ["1:50: placeholder `%{a` is not closed (hint: close it with `}`)"];
        fastmatch_empty_match: "{schema: Cust.Tst, parser: {fastmatch: {match: []}}, fields: [{name: a, type: string}]}" => ["1:41: `match` has no patterns (hint: list at least one pattern under `match`)"];
        // `%{}` skips text, as in Panther; spaces before a name are not part of it.
        fastmatch_skip_placeholder: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{} %{ a} %{}', '[%{}] %{a}']}}, fields: [{name: a, type: string}]}" => [];
        fastmatch_skip_still_needs_text_after: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{}%{a}']}}, fields: [{name: a, type: string}]}" => ["1:53: placeholder `%{a}` follows another placeholder without text between them"];
        // Panther refuses a pattern without placeholders (`invalid pattern`).
        fastmatch_no_placeholder: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{a}', 'just text']}}, fields: [{name: a, type: string}]}" => ["1:58: this pattern has no placeholder (hint: capture a value with `%{name}`, or skip text with `%{}`)"];
        fastmatch_one_string: "{schema: Cust.Tst, parser: {fastmatch: {match: '%{a}', skipPrefix: '>', trimSpace: true, emptyValues: ['-'], expandFields: {}}}, fields: [{name: a, type: string}]}" => ["1:48: `match` must be a list, found a string (hint: write `match: ['%{a}']`)"];
        regex_one_string: r"{schema: Cust.Tst, parser: {regex: {match: '^(?P<a>\w+)$'}}, fields: [{name: a, type: string}]}" => [r"1:44: `match` must be a list, found a string (hint: write `match: ['^(?P<a>\w+)$']`)"];
        // The pattern written alone is still checked: both mistakes at once.
        regex_one_string_bad_too: r"{schema: Cust.Tst, parser: {regex: {match: '^(?P<a>\q)$'}}, fields: [{name: a, type: string}]}" => [r"1:44: `match` must be a list, found a string (hint: write `match: ['^(?P<a>\q)$']`)", "1:52: invalid regular expression: invalid escape sequence: `\\q`"];
        // Go refuses repetition counts over 1000, here at the `{` of the count.
        regex_repeat_over_go_limit: r"{schema: Cust.Tst, parser: {regex: {match: ['^(?P<a>\w{1001})$']}}, fields: [{name: a, type: string}]}" => ["1:55: invalid regular expression: invalid repeat count (hint: Panther's regular expressions (Go's) refuse a count `{n}`, `{n,}` or `{n,m}` over 1000, and counts nested in one another whose product is over 1000; use `+` or `*`)"];
        regex_repeat_at_least_over_go_limit: r"{schema: Cust.Tst, parser: {regex: {match: ['^(?P<a>\w+) ', '(?P<b>x{1001,})$']}}, fields: [{name: a, type: string}, {name: b, type: string}]}" => ["1:69: invalid regular expression: invalid repeat count (hint: Panther's regular expressions (Go's) refuse a count `{n}`, `{n,}` or `{n,m}` over 1000, and counts nested in one another whose product is over 1000; use `+` or `*`)"];
        regex_repeat_range_over_go_limit: r"{schema: Cust.Tst, parser: {regex: {match: ['^(?P<a>x{2,1001})$']}}, fields: [{name: a, type: string}]}" => ["1:54: invalid regular expression: invalid repeat count (hint: Panther's regular expressions (Go's) refuse a count `{n}`, `{n,}` or `{n,m}` over 1000, and counts nested in one another whose product is over 1000; use `+` or `*`)"];
        regex_repeat_at_go_limit: r"{schema: Cust.Tst, parser: {regex: {match: ['^(?P<a>x{1000}(?:y{10}){100})$']}}, fields: [{name: a, type: string}]}" => [];
        regex_repeat_nested_over_go_limit: r"{schema: Cust.Tst, parser: {regex: {patternDefinitions: {TEN: 'y{10}'}, match: ['^(?P<a>(?:%{TEN}){101})$']}}, fields: [{name: a, type: string}]}" => ["1:99: invalid regular expression: invalid repeat count (hint: Panther's regular expressions (Go's) refuse a count `{n}`, `{n,}` or `{n,m}` over 1000, and counts nested in one another whose product is over 1000; use `+` or `*`)"];
        regex_repeat_in_definition: r"{schema: Cust.Tst, parser: {regex: {patternDefinitions: {LONG: 'y{1001}'}, match: ['^%{LONG}(?P<a>x)$', '%{LONG}']}}, fields: [{name: a, type: string}]}" => ["1:66: invalid regular expression: invalid repeat count (hint: Panther's regular expressions (Go's) refuse a count `{n}`, `{n,}` or `{n,m}` over 1000, and counts nested in one another whose product is over 1000; use `+` or `*`)"];
        // A definition used twice: each field once, at the second use, not in the definition.
        regex_filled_twice_through_definitions: r"{schema: Cust.Tst, parser: {regex: {patternDefinitions: {KV: '%{WORD:k}=%{WORD:v}', TWO: '%{KV} %{KV}'}, match: ['^%{HOSTPORT:addr} %{TWO}$']}}, fields: [{name: addr, type: string}, {name: k, type: string}, {name: v, type: string}]}" => ["1:97: field `k` is filled by two placeholders that can both match a line (hint: this placeholder fills it through the grok patterns it names; a field holds one value; name the second one differently, match it without a field (`%{PATTERN}`), or make them alternatives (`(?:...|...)`))", "1:97: field `v` is filled by two placeholders that can both match a line (hint: this placeholder fills it through the grok patterns it names; a field holds one value; name the second one differently, match it without a field (`%{PATTERN}`), or make them alternatives (`(?:...|...)`))"];
        regex_filled_thrice_reported_at_each_use: r"{schema: Cust.Tst, parser: {regex: {patternDefinitions: {KV: '%{WORD:k}=%{WORD:v}'}, match: ['^%{KV} ', '%{KV} %{KV}$']}}, fields: [{name: k, type: string}, {name: v, type: string}]}" => ["1:106: field `k` is filled by two placeholders that can both match a line (hint: this placeholder fills it through the grok patterns it names; a field holds one value; name the second one differently, match it without a field (`%{PATTERN}`), or make them alternatives (`(?:...|...)`))", "1:106: field `v` is filled by two placeholders that can both match a line (hint: this placeholder fills it through the grok patterns it names; a field holds one value; name the second one differently, match it without a field (`%{PATTERN}`), or make them alternatives (`(?:...|...)`))", "1:112: field `k` is filled by two placeholders that can both match a line (hint: this placeholder fills it through the grok patterns it names; a field holds one value; name the second one differently, match it without a field (`%{PATTERN}`), or make them alternatives (`(?:...|...)`))", "1:112: field `v` is filled by two placeholders that can both match a line (hint: this placeholder fills it through the grok patterns it names; a field holds one value; name the second one differently, match it without a field (`%{PATTERN}`), or make them alternatives (`(?:...|...)`))"];
        regex_filled_twice_by_a_builtin_capture: r"{schema: Cust.Tst, parser: {regex: {match: ['^%{SYSLOGPROG}: %{INT:pid}$']}}, fields: [{name: program, type: string}, {name: pid, type: int}]}" => ["1:62: field `pid` is filled by two placeholders that can both match a line (hint: a field holds one value; name the second one differently, match it without a field (`%{PATTERN}`), or make them alternatives (`(?:...|...)`))"];
        // What Go takes and the `regex` crate does not, with a hint (README: Text logs).
        regex_duplicate_group_name_hint: r"{schema: Cust.Tst, parser: {regex: {match: ['^(?:(?P<a>\d+)|(?P<a>[a-z]+))$']}}, fields: [{name: a, type: string}]}" => [r"1:65: invalid regular expression: duplicate capture group name (hint: Go's regular expressions take one name on several groups, but normalog does not: to fill one field from alternatives, write placeholders, e.g. `(?:%{INT:a}|%{WORD:a})`, defining your own patterns under `patternDefinitions` if need be)"];
        // Go's `\Q...\E` (literal text) is read as Go reads it.
        regex_quoted_literal: r"{schema: Cust.Tst, parser: {regex: {match: ['^\Q1.2\E (?P<a>\w+)$']}}, fields: [{name: a, type: string}]}" => [];
        regex_quoted_literal_in_definition: r"{schema: Cust.Tst, parser: {regex: {patternDefinitions: {V: '\Q1.2\E'}, match: ['^%{V} (?P<a>\w+)$']}}, fields: [{name: a, type: string}]}" => [];
        // What Go refuses and the `regex` crate takes, refused in Go's words where it is written.
        regex_go_nested_repetition: r"{schema: Cust.Tst, parser: {regex: {match: ['^(?P<a>a++)$']}}, fields: [{name: a, type: string}]}" => ["1:55: invalid regular expression: invalid nested repetition operator: `++` (hint: Panther's regular expressions (Go's) refuse a repetition right after another; keep one, or group the first: `(?:a*)*`)"];
        regex_go_nested_counts: r"{schema: Cust.Tst, parser: {regex: {match: ['^(?P<a>x{2}{3})$']}}, fields: [{name: a, type: string}]}" => ["1:57: invalid regular expression: invalid nested repetition operator: `{2}{3}`"];
        regex_go_nested_after_lazy: r"{schema: Cust.Tst, parser: {regex: {match: ['^(?P<a>x*?+)$']}}, fields: [{name: a, type: string}]}" => ["1:56: invalid regular expression: invalid nested repetition operator: `*?+`"];
        regex_go_nested_across_items: r"{schema: Cust.Tst, parser: {regex: {match: ['^(?P<a>x*', '*)$']}}, fields: [{name: a, type: string}]}" => ["1:59: invalid regular expression: invalid nested repetition operator: `**`"];
        regex_go_repeat_of_a_group: r"{schema: Cust.Tst, parser: {regex: {match: ['^(?P<a>(?:x*)*)$']}}, fields: [{name: a, type: string}]}" => [];
        regex_go_verbose_flag: r"{schema: Cust.Tst, parser: {regex: {match: ['(?x)(?P<a>\w+)']}}, fields: [{name: a, type: string}]}" => ["1:48: invalid regular expression: invalid or unsupported Perl syntax: `(?x` (hint: Panther's regular expressions (Go's) take `(?:...)`, `(?P<name>...)`, `(?<name>...)`, and the flags `i`, `m`, `s` and `U` as `(?i)` or `(?i-s:...)`)"];
        regex_go_unicode_flag: r"{schema: Cust.Tst, parser: {regex: {match: ['(?P<a>(?-u:\w+))']}}, fields: [{name: a, type: string}]}" => ["1:55: invalid regular expression: invalid or unsupported Perl syntax: `(?-u`"];
        regex_go_flags_taken: r"{schema: Cust.Tst, parser: {regex: {match: ['(?i)(?P<a>(?s-m:x.)(?U)y+)']}}, fields: [{name: a, type: string}]}" => [];
        regex_go_angle_named_group: r"{schema: Cust.Tst, parser: {regex: {match: ['^(?<a>\w+)$']}}, fields: [{name: a, type: string}]}" => [];
        regex_go_unknown_escapes: r"{schema: Cust.Tst, parser: {regex: {match: ['(?P<a>\u0041)', '\e', ' \1', '\b{start}']}}, fields: [{name: a, type: string}]}" => [
            r"1:52: invalid regular expression: invalid escape sequence: `\u` (hint: Panther's regular expressions (Go's) take a backslash before punctuation (`\.`, `\<`), and the escapes `\a \f \t \n \r \v`, octal `\0` to `\377`, `\x7F`, `\x{10FFFF}`, `\A \b \B \z`, `\d \s \w` (and `\D \S \W`), `\pL`, `\p{Greek}` and `\Q...\E`: no other letter or digit (no backreference))",
            r"1:63: invalid regular expression: invalid escape sequence: `\e`",
            r"1:70: invalid regular expression: invalid escape sequence: `\1`",
        ];
        regex_go_octal_and_punctuation: r"{schema: Cust.Tst, parser: {regex: {match: ['^\<(?P<a>\011\0)\>\_\ \Q[x\E$']}}, fields: [{name: a, type: string}]}" => [];
        regex_go_unicode_names: r"{schema: Cust.Tst, parser: {regex: {match: ['(?P<a>\pL\p{Greek}\P{Lu}[\p{^Han}])', ' \p{Letter}']}}, fields: [{name: a, type: string}]}" => [r"1:86: invalid regular expression: invalid character class range: `\p{Letter}`"];
        regex_go_refused_in_definition: r"{schema: Cust.Tst, parser: {regex: {patternDefinitions: {V: 'a(?R)'}, match: ['%{V:a}']}}, fields: [{name: a, type: string}]}" => ["1:65: invalid regular expression: invalid or unsupported Perl syntax: `(?R`"];
        regex_go_braces_are_text: r"{schema: Cust.Tst, parser: {regex: {match: ['^attrs={%{DATA:a}}$ {} x{,2} x{ 2 } [\w-.][^[]']}}, fields: [{name: a, type: string}]}" => [];
    // Issue 18: each mistake at the item and column where it is written, all of them at once.
    r18_bad_regex_at_its_item: r"{schema: Cust.Tst, parser: {regex: {match: ['^(?P<a>\w+) ', '\q', ' (?P<b>\w+)$']}}, fields: [{name: a, type: string}, {name: b, type: string}]}" => ["1:62: invalid regular expression: invalid escape sequence: `\\q`"];
    r18_bad_regex_in_each_item: r"{schema: Cust.Tst, parser: {regex: {match: ['(?P<a>\q)', '(?P<b>x{3,2})', ' \p{Foo}']}}, fields: [{name: a, type: string}, {name: b, type: string}]}" => [
        "1:52: invalid regular expression: invalid escape sequence: `\\q`",
        "1:66: invalid regular expression: invalid repetition count range, the start must be <= the end",
        r"1:77: invalid regular expression: invalid character class range: `\p{Foo}`",
    ];
    r18_mistake_across_items: "{schema: Cust.Tst, parser: {regex: {match: ['(?P<a>[a-', ')']}}, fields: [{name: a, type: string}]}" => ["1:53: invalid regular expression: invalid character class range, the start must be <= the end (hint: the items of `match` are joined into one regular expression)"];
    // Leaving out the item with the unclosed class would leave `)` unopened: not a mistake of its own.
    r18_no_report_caused_by_leaving_an_item_out: "{schema: Cust.Tst, parser: {regex: {match: ['(?P<a>[a-z', ')', ')']}}, fields: [{name: a, type: string}]}" => ["1:52: invalid regular expression: unclosed character class (hint: the items of `match` are joined into one regular expression)"];
    r18_groups_across_items_are_fine: "{schema: Cust.Tst, parser: {regex: {match: ['(?P<a>x)(', ')', '[', 'a]']}}, fields: [{name: a, type: string}]}" => [];
    r18_duplicate_group_name: "{schema: Cust.Tst, parser: {regex: {match: ['(?P<a>x)', '(?P<a>y)']}}, fields: [{name: a, type: string}]}" => ["1:62: invalid regular expression: duplicate capture group name"];
    r18_grok_problems_in_each_item: "{schema: Cust.Tst, parser: {regex: {match: ['(?P<a>\\w+) ', '%{NOPE:b}', ' %{INT:c:int}']}}, fields: [{name: a, type: string}, {name: b, type: string}, {name: c, type: int}]}" => [
        "1:61: unknown grok pattern `NOPE` in `%{NOPE:b}` (hint: define it under `patternDefinitions`)",
        "1:75: `%{INT:c:int}` has a type conversion",
    ];
    r18_every_bad_definition_once: "{schema: Cust.Tst, parser: {regex: {patternDefinitions: {ONE: '[0-', TWO: '%{NOPE}', USES: '%{TWO}x'}, match: ['%{USES:a} %{ONE:b}']}}, fields: [{name: a, type: string}, {name: b, type: string}]}" => [
        "1:64: invalid regular expression: unclosed character class",
        "1:76: unknown grok pattern `NOPE` in `%{NOPE}`",
    ];
    r18_captures_at_their_column: "{schema: Cust.Tst, parser: {regex: {match: ['%{WORD:a} %{WORD:usr}', ' (?P<zzz>x)']}}, fields: [{name: a, type: string}, {name: user, type: string}]}" => [
        "1:56: the capture `usr` names no field (hint: did you mean `user`?)",
        "1:72: the capture `zzz` names no field",
        "1:122: field `user` is filled by no pattern of the regex parser",
    ];
    // An escape or a doubled quote moves the text off its columns: the item is pointed at.
    r18_escaped_text_points_at_the_item: r#"{schema: Cust.Tst, parser: {regex: {match: ["(?P<a>\\q)", (?P<b>\q), 'it''s\q']}}, fields: [{name: a, type: string}, {name: b, type: string}]}"# => [
        "1:45: invalid regular expression: invalid escape sequence: `\\q`",
        "1:65: invalid regular expression: invalid escape sequence: `\\q`",
        "1:70: invalid regular expression: invalid escape sequence: `\\q`",
    ];
    r18_columns_count_characters: r"{schema: Cust.Tst, parser: {regex: {match: ['(?P<a>é\q)']}}, fields: [{name: a, type: string}]}" => ["1:53: invalid regular expression: invalid escape sequence: `\\q`"];
    r18_fastmatch_every_item: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{nope} x %{a}', '%{a}%{b}']}}, fields: [{name: a, type: string}, {name: b, type: string}]}" => [
        "1:50: `%{nope}` names no field",
        "1:72: placeholder `%{b}` follows another placeholder without text between them",
    ];
    r18_fastmatch_every_placeholder: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{a}%{b} %{a} %{}', '%{c', '%{d}']}}, fields: [{name: a, type: string}, {name: b, type: string}, {name: c, type: string}]}" => [
        "1:54: placeholder `%{b}` follows another placeholder without text between them",
        "1:59: placeholder `%{a}` appears twice in this pattern",
        "1:71: placeholder `%{c` is not closed",
        "1:78: `%{d}` names no field",
    ];
    r18_fastmatch_unfilled_field_beside_a_bad_item: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{a}%{b}', '%{a} %{c}']}}, fields: [{name: a, type: string}, {name: b, type: string}, {name: d, type: string}]}" => [
        "1:54: placeholder `%{b}` follows another placeholder without text between them",
        "1:67: `%{c}` names no field",
        "1:136: field `d` is filled by no pattern of the fastmatch parser",
    ];
    // Each level of patterns using another twice doubles the expansion: it is bounded.
    grok_expansion_is_bounded: &format!("{{schema: Cust.Tst, parser: {{regex: {{patternDefinitions: {{A: '{}', B: '{}'}}, match: ['%{{B:a}}']}}}}, fields: [{{name: a, type: string}}]}}", "y".repeat(1000), "%{A}".repeat(1100)) => ["1:1065: the grok patterns in this pattern expand to more than 1 MiB"];
}

// Warnings: the schema loads (as in Panther) but a fastmatch pattern cannot work as written.
// A placeholder's value ends at the first occurrence of the text after it, so a time whose
// every format writes that text is never captured whole.

/// The warning of `%{name}` at `at`, cut at `after`, which `formats` (as the message lists
/// them) always write; the first case spells one out.
fn time_cut(at: &str, name: &str, after: &str, formats: &str) -> String {
    format!("warning: {at}: `%{{{name}}}` captures the text up to the first {after:?}, but {formats} always writes {after:?}: no time is captured whole, so this pattern never gives `{name}` a value (hint: follow `%{{{name}}}` with text its times never hold, end the pattern with it, or read the line with `parser: regex`)")
}

cases! {
    time_cut_by_a_space: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{time} %{user} %{msg}']}}, fields: [{name: time, type: timestamp, timeFormats: ['%Y-%m-%d %H:%M:%S'], isEventTime: true, required: true}, {name: user, type: string}, {name: msg, type: string}]}" => [
        "warning: 1:50: `%{time}` captures the text up to the first \" \", but the time format of field `time`, `%Y-%m-%d %H:%M:%S`, always writes \" \": no time is captured whole, so this pattern never gives `time` a value (hint: follow `%{time}` with text its times never hold, end the pattern with it, or read the line with `parser: regex`)",
    ];
    time_cut_every_format: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{ts} %{msg}']}}, fields: [{name: ts, type: timestamp, timeFormat: '%d/%b/%Y:%H:%M:%S %z', timeFormats: ['%c', 'layout=02/Jan/2006:15:04:05 -0700']}, {name: msg, type: string}]}" => [
        &time_cut("1:50", "ts", " ", "every time format of field `ts` (`%d/%b/%Y:%H:%M:%S %z`, `%c`, `layout=02/Jan/2006:15:04:05 -0700`)"),
    ];
    time_cut_by_a_directive: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{msg} at %{time}:%{rest}', '%{time} %{msg}']}}, fields: [{name: time, type: timestamp, timeFormats: ['%Y-%m-%d %T', rfc3339]}, {name: msg, type: string}, {name: rest, type: string}]}" => [
        &time_cut("1:60", "time", ":", "every time format of field `time` (`%Y-%m-%d %T`, `rfc3339`)"),
    ];
    time_cut_through_a_ref: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{time} %{msg}']}}, definitions: {When: {type: ref, target: Time}, Time: {type: timestamp, timeFormat: '%I:%M:%S %p'}}, fields: [{name: time, type: ref, target: When}, {name: msg, type: string}]}" => [
        &time_cut("1:50", "time", " ", "the time format of field `time`, `%I:%M:%S %p`,"),
    ];
    time_cut_in_each_pattern: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{time}|%{msg}', '%{time} %{msg}', '%{msg}: %{time} %{}']}}, fields: [{name: time, type: timestamp, timeFormat: 'layout=Jan _2 15:04:05'}, {name: msg, type: string}]}" => [
        &time_cut("1:68", "time", " ", "the time format of field `time`, `layout=Jan _2 15:04:05`,"),
        &time_cut("1:94", "time", " ", "the time format of field `time`, `layout=Jan _2 15:04:05`,"),
    ];
    // Fine: the format never writes the text after the placeholder, or only some formats do.
    time_not_cut_by_its_separator: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{time} %{msg}', '%{time},%{msg}', '%{time} - %{msg}']}}, fields: [{name: time, type: timestamp, timeFormats: ['%Y-%m-%dT%H:%M:%S', rfc3339, unix, '%Y-%m-%d %H:%M']}, {name: msg, type: string}]}" => [];
    time_last_takes_the_rest: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{msg} %{time}']}}, fields: [{name: time, type: timestamp, timeFormat: '%Y-%m-%d %H:%M:%S'}, {name: msg, type: string}]}" => [];
    time_comma_with_a_spaced_format: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{time},%{msg}']}}, fields: [{name: time, type: timestamp, timeFormat: '%Y-%m-%d %H:%M:%S'}, {name: msg, type: string}]}" => [];
    time_one_format_of_several_without_it: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{time} %{msg}']}}, fields: [{name: time, type: timestamp, timeFormats: ['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', 'layout=Jan 2 15:04:05']}, {name: msg, type: string}]}" => [];
    // `%e` writes a space before days 1 to 9 only; `%z` a sign or `Z`; a Go layout's
    // trailing spaces match the end of a value; unix times are digits.
    time_text_written_only_sometimes: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{a} %{msg}', '%{b}+%{msg}', '%{c} %{msg}', '%{d}.%{msg}']}}, fields: [{name: a, type: timestamp, timeFormat: '%b%e'}, {name: b, type: timestamp, timeFormat: '%FT%T%z'}, {name: c, type: timestamp, timeFormat: 'layout=2006-01-02 '}, {name: d, type: timestamp, timeFormat: unix}, {name: msg, type: string}]}" => [];
    // A value between quotes with a backslash ahead is read with its escapes, so it may hold
    // the text after it; a field `expandFields` builds takes the template's value.
    time_quoted_or_expanded: r#"{schema: Cust.Tst, parser: {fastmatch: {match: ['"%{time}" %{msg}', '%{when} %{clock} %{msg}'], expandFields: {when: '%{when} %{clock}'}}}, fields: [{name: time, type: timestamp, timeFormat: '%Y" %m'}, {name: when, type: timestamp, timeFormat: '%Y-%m-%d %H:%M:%S'}, {name: clock, type: string}, {name: msg, type: string}]}"# => [];
    time_field_of_another_type: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{time} %{msg}']}}, fields: [{name: time, type: string}, {name: msg, type: string}]}" => [];
    // Every line the first pattern matches starts with the `skipPrefix`: skipped, never matched.
    pattern_behind_skip_prefix: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{a} %{msg}', '## %{msg}', '# %{a}'], skipPrefix: '##'}}, fields: [{name: a, type: string}, {name: msg, type: string}]}" => [
        "warning: 1:65: every line this pattern matches starts with the `skipPrefix` \"##\", which skips the line before any pattern is tried: this pattern never gives an event (hint: change `skipPrefix`, or the text the pattern starts with)",
    ];
    // A line break in a pattern (a YAML `|` block ends with one): no line holds one (review
    // s42-h1 LOW-1: loaded without a word, and never matched).
    pattern_with_a_line_break: "{schema: Cust.Tst, parser: {fastmatch: {match: ['%{a} x', \"%{a} %{msg}\\n\"]}}, fields: [{name: a, type: string}, {name: msg, type: string}]}" => [
        "warning: 1:59: this pattern holds a line break, which no line holds: it never matches (hint: write the pattern on one line (a YAML `|` block ends with a line break: `|-` does not))",
    ];
    // The same for regex, when the pattern, anchored at the start, begins with the prefix.
    regex_behind_skip_prefix: r"{schema: Cust.Tst, parser: {regex: {skipPrefix: '#', match: ['^#(?P<a>\w+)$']}}, fields: [{name: a, type: string}]}" => [
        "warning: 1:62: every line this pattern matches starts with the `skipPrefix` \"#\", which skips the line before the pattern is tried: this pattern never gives an event (hint: change `skipPrefix`, or the text the pattern starts with)",
    ];
    regex_behind_skip_prefix_across_items: r"{schema: Cust.Tst, parser: {regex: {skipPrefix: '# ', match: ['^', '\# (?P<a>\w+)$']}}, fields: [{name: a, type: string}]}" => [
        "warning: 1:63: every line this pattern matches starts with the `skipPrefix` \"# \", which skips the line before the pattern is tried: this pattern never gives an event (hint: change `skipPrefix`, or the text the pattern starts with)",
    ];
    // Not certain: not anchored, optional, case-insensitive, in a group, in an alternation.
    regex_skip_prefix_unanchored: r"{schema: Cust.Tst, parser: {regex: {skipPrefix: '#', match: ['#(?P<a>\w+)$']}}, fields: [{name: a, type: string}]}" => [];
    regex_skip_prefix_optional: r"{schema: Cust.Tst, parser: {regex: {skipPrefix: '#', match: ['^#?(?P<a>\w+)$']}}, fields: [{name: a, type: string}]}" => [];
    regex_skip_prefix_any_case: r"{schema: Cust.Tst, parser: {regex: {skipPrefix: 'x', match: ['^(?i)x(?P<a>\w+)$']}}, fields: [{name: a, type: string}]}" => [];
    regex_skip_prefix_in_a_group: r"{schema: Cust.Tst, parser: {regex: {skipPrefix: '#', match: ['^(?P<a>#\w+)$']}}, fields: [{name: a, type: string}]}" => [];
    regex_skip_prefix_in_one_branch: r"{schema: Cust.Tst, parser: {regex: {skipPrefix: '#', match: ['^#(?P<a>\w+)$|^(?P<b>x)$']}}, fields: [{name: a, type: string}, {name: b, type: string}]}" => [];
}
