//! Tests of schema validation: the exact errors of schemas that load but are wrong.

use super::*;
use crate::indicators::IndicatorKind;
use crate::schema::model::tests::check;

macro_rules! cases {
    ($($name:ident: $yaml:expr => [$($expected:expr),* $(,)?];)*) => {
        $(#[test] fn $name() { check($yaml, &[$($expected),*]); })*
    };
}

// `{schema: Cust.Tst, fields: [` is 28 characters: the first field starts at column 29.
cases! {
    valid: "{schema: Cust.Tst, fields: [{name: a, type: string}]}" => [];
    schema_name_lowercase: "{schema: custom, fields: [{name: a, type: string}]}" => ["1:2: invalid schema name `custom` (hint: `custom` does not start with an uppercase letter; a name is one or more parts joined by dots, each an uppercase letter followed by at least one letter or digit, e.g. `Custom.MyApp`)"];
    schema_name_short_part: "{schema: Custom.A, fields: [{name: a, type: string}]}" => ["1:2: invalid schema name `Custom.A` (hint: `A` is a single letter;"];
    schema_name_symbol: "{schema: Custom.My-App, fields: [{name: a, type: string}]}" => ["1:2: invalid schema name `Custom.My-App` (hint: `My-App` holds `-`;"];
    schema_name_empty_part: "{schema: Custom..App, fields: [{name: a, type: string}]}" => ["1:2: invalid schema name `Custom..App` (hint: a part is empty (two dots, or a dot at an end);"];
    schema_name_many_dots: "{schema: Custom.My.App.V2, fields: [{name: a, type: string}]}" => [];
    schema_name_empty: "{schema: '', fields: [{name: a, type: string}]}" => ["1:2: the schema name is empty (hint: name the log type, e.g. `schema: Custom.MyApp`)"];
    fields_empty: "{schema: Cust.Tst, fields: []}" => ["1:20: the schema has no fields (hint: list the record's fields under `fields`)"];
    field_name_empty: "{schema: Cust.Tst, fields: [{name: '', type: string}]}" => ["1:29: a field name is empty (hint: set `name` to the JSON key of the field)"];
    field_name_digit: "{schema: Cust.Tst, fields: [{name: 1st, type: string}]}" => ["1:29: invalid field name `1st` (hint: a field name starts with an ASCII letter, `_` or one of !#%&',/=@$*+\\`~)"];
    field_name_symbols_ok: "{schema: Cust.Tst, fields: [{name: '@timestamp', type: string}, {name: meta.user, type: string}, {name: _id, type: string}]}" => [];
    field_duplicate: "{schema: Cust.Tst, fields: [{name: a, type: string}, {name: a, type: int}]}" => ["1:54: duplicate field name `a` (hint: the first `a` is at 1:29; remove or rename one)"];
    field_collides_case: "{schema: Cust.Tst, fields: [{name: userAgent, type: string}, {name: UserAgent, type: string}]}" => ["1:62: field name `UserAgent` collides with `userAgent` at 1:29 (hint: Panther's table columns ignore case and replace punctuation (query engines such as DuckDB ignore case too), so both become `useragent`; rename one)"];
    field_collides_column: "{schema: Cust.Tst, fields: [{name: user.agent, type: string}, {name: user_agent, type: string}]}" => ["1:63: field name `user_agent` collides with `user.agent` at 1:29 (hint: Panther's table columns ignore case and replace punctuation (query engines such as DuckDB ignore case too), so both become `user_agent`; rename one)"];
    field_collides_transliterated: "{schema: Cust.Tst, fields: [{name: a@b, type: string}, {name: A_at_sign_B, type: string}]}" => ["1:56: field name `A_at_sign_B` collides with `a@b` at 1:29"];
    field_is_a_standard_field: "{schema: Cust.Tst, fields: [{name: p_row_id, type: int}, {name: P_Event_Time, type: timestamp, timeFormat: rfc3339}, {name: p_any_emails, type: array, element: {type: string}}]}" => ["1:29: field name `p_row_id` is taken by the standard field `p_row_id` (hint: every event gets the `p_` fields (`p_any_*` too), so the output would have two; leave this field out of the schema (keys it does not name are dropped))", "1:58: field name `P_Event_Time` is taken by the standard field `p_event_time` (hint: every event gets the `p_` fields (`p_any_*` too), so the output would have two; leave this field out of the schema (keys it does not name are dropped))", "1:118: field name `p_any_emails` is taken by the standard field `p_any_emails` (hint: every event gets the `p_` fields (`p_any_*` too), so the output would have two; leave this field out of the schema (keys it does not name are dropped))"];
    field_column_is_a_standard_field: "{schema: Cust.Tst, fields: [{name: p.log_type, type: string}]}" => ["1:29: field name `p.log_type` is the column `p_log_type`, a standard field (hint: every event gets the `p_` fields (`p_any_*` too), so the output would have two; leave this field out of the schema (keys it does not name are dropped))"];
    nested_standard_name_is_kept: "{schema: Cust.Tst, fields: [{name: o, type: object, fields: [{name: p_row_id, type: string}]}, {name: p_other, type: string}, {name: p_any_other, type: string}]}" => [];
    field_dash_is_kept: "{schema: Cust.Tst, fields: [{name: user-agent, type: string}, {name: user_agent, type: string}]}" => [];
    nested_duplicate: "{schema: Cust.Tst, fields: [{name: o, type: object, fields: [{name: a, type: string}, {name: a, type: string}]}]}" => ["1:87: field `o.a`: duplicate field name `a` (hint: the first `a` is at 1:62; remove or rename one)"];
    same_name_in_different_objects_ok: "{schema: Cust.Tst, fields: [{name: a, type: string}, {name: o, type: object, fields: [{name: a, type: string}]}]}" => [];
    timestamp_no_format: "{schema: Cust.Tst, fields: [{name: t, type: timestamp}]}" => ["1:29: timestamp field `t` has no `timeFormat` (hint: add `timeFormat: rfc3339` (or unix, unix_ms, unix_us, unix_ns, cloudflare, a strftime pattern such as `%Y-%m-%d %H:%M:%S`, or `layout=<Go layout>`))"];
    timestamp_bad_format: "{schema: Cust.Tst, fields: [{name: t, type: timestamp, timeFormat: rfc3389}]}" => ["1:56: unknown timeFormat \"rfc3389\" (hint: did you mean `rfc3339`?"];
    timestamp_bad_formats_item: "{schema: Cust.Tst, fields: [{name: t, type: timestamp, timeFormats: [unix, unix_sec]}]}" => ["1:76: unknown timeFormat \"unix_sec\""];
    timestamp_bad_strftime: "{schema: Cust.Tst, fields: [{name: t, type: timestamp, timeFormat: '%Q'}]}" => ["1:56: unsupported strftime directive \"%Q\" in \"%Q\""];
    timestamp_formats_empty: "{schema: Cust.Tst, fields: [{name: t, type: timestamp, timeFormats: []}]}" => ["1:56: `timeFormats` is empty (hint: list at least one time format, e.g. `timeFormats: [rfc3339]`)"];
    timestamp_both_ok: "{schema: Cust.Tst, fields: [{name: t, type: timestamp, timeFormat: unix, timeFormats: [unix_ms, rfc3339], isEventTime: true}]}" => [];
    time_format_on_string: "{schema: Cust.Tst, fields: [{name: s, type: string, timeFormat: unix}]}" => ["1:53: `timeFormat` is only allowed on timestamp fields (hint: field `s` has type `string`; remove `timeFormat` or use `type: timestamp`)"];
    time_formats_on_int: "{schema: Cust.Tst, fields: [{name: s, type: int, timeFormats: [unix]}]}" => ["1:50: `timeFormats` is only allowed on timestamp fields"];
    event_time_on_string: "{schema: Cust.Tst, fields: [{name: s, type: string, isEventTime: true}]}" => ["1:53: `isEventTime` is only allowed on timestamp fields (hint: field `s` has type `string`; remove `isEventTime` or use `type: timestamp`)"];
    event_time_false_on_string_ok: "{schema: Cust.Tst, fields: [{name: s, type: string, isEventTime: false}]}" => [];
    array_no_element: "{schema: Cust.Tst, fields: [{name: a, type: array}]}" => ["1:29: array field `a` has no `element` (hint: give the type of the items, e.g. `element: {type: string}`)"];
    object_no_fields: "{schema: Cust.Tst, fields: [{name: o, type: object}]}" => ["1:29: object field `o` has no `fields` (hint: list the object's keys under `fields`, or use `type: json` to keep any JSON value)"];
    object_empty_fields: "{schema: Cust.Tst, fields: [{name: o, type: object, fields: []}]}" => ["1:53: object field `o` has no `fields`"];
    fields_on_string: "{schema: Cust.Tst, fields: [{name: s, type: string, fields: [{name: a, type: int}]}]}" => ["1:53: `fields` is only allowed on objects (hint: field `s` has type `string`; remove `fields` or use `type: object`)"];
    element_on_json: "{schema: Cust.Tst, fields: [{name: s, type: json, element: {type: int}}]}" => ["1:51: `element` is only allowed on arrays (hint: field `s` has type `json`; remove `element` or use `type: array`)"];
    target_on_object: "{schema: Cust.Tst, definitions: {User: {type: string}}, fields: [{name: s, type: object, target: User, fields: [{name: a, type: int}]}]}" => ["1:90: `target` is only allowed on refs (hint: field `s` has type `object`; remove `target` or use `type: ref`)"];
    ref_no_target: "{schema: Cust.Tst, fields: [{name: r, type: ref}]}" => ["1:29: ref field `r` has no `target` (hint: describe the type under `definitions` and set `target` to its name)"];
    ref_no_target_lists_definitions: "{schema: Cust.Tst, definitions: {User: {type: string}, Host: {type: string}}, fields: [{name: r, type: ref}]}" => ["1:88: ref field `r` has no `target` (hint: set `target` to one of the definitions: `Host`, `User`)"];
    ref_unknown_target: "{schema: Cust.Tst, definitions: {User: {type: string}}, fields: [{name: r, type: ref, target: Usr}]}" => ["1:87: unknown definition `Usr` (hint: did you mean `User`? definitions: `User`)"];
    // A definition that could not be read: its refs are not reported again, and the others
    // are not told that the schema has no `definitions` (review s41-h4 L3).
    ref_unknown_target_unreadable_definitions: "{schema: Cust.Tst, definitions: {Addr: [1]}, fields: [{name: r, type: ref, target: Adress}, {name: s, type: ref, target: Addr}]}" => ["1:40: definition `Addr` must be a mapping, found a list", "1:76: unknown definition `Adress` (hint: no definition of the schema could be read (see above); add one with this name)"];
    ref_unknown_target_empty_definitions: "{schema: Cust.Tst, definitions: {}, fields: [{name: r, type: ref, target: User}]}" => ["1:67: unknown definition `User` (hint: the schema has no `definitions`; add one with this name)"];
    ref_unknown_target_no_definitions: "{schema: Cust.Tst, fields: [{name: r, type: ref, target: User}]}" => ["1:50: unknown definition `User` (hint: the schema has no `definitions`; add one with this name)"];
    ref_self_cycle: "{schema: Cust.Tst, definitions: {Node: {type: object, fields: [{name: next, type: ref, target: Node}]}}, fields: [{name: r, type: ref, target: Node}]}" => ["1:88: definition `Node`, field `next`: definition `Node` refers to itself: `Node -> Node` (hint: a definition cannot contain itself; use `type: json` where the data nests recursively)"];
    ref_two_step_cycle: "{schema: Cust.Tst, definitions: {Bb: {type: array, element: {type: ref, target: Aa}}, Aa: {type: ref, target: Bb}}, fields: [{name: r, type: ref, target: Aa}]}" => ["1:103: definition `Aa` refers to itself: `Aa -> Bb -> Aa`"];
    ref_shared_not_cycle: "{schema: Cust.Tst, definitions: {Aa: {type: object, fields: [{name: x, type: ref, target: Bb}, {name: y, type: ref, target: Bb}]}, Bb: {type: string}}, fields: [{name: r, type: ref, target: Aa}]}" => [];
    definition_name_lowercase: "{schema: Cust.Tst, definitions: {user: {type: string}}, fields: [{name: r, type: ref, target: user}]}" => ["1:34: invalid definition name `user` (hint: a definition name is an uppercase letter followed by at least one letter or digit, e.g. `UserInfo`)"];
    definition_checked: "{schema: Cust.Tst, definitions: {User: {type: array}}, fields: [{name: r, type: ref, target: User}]}" => ["1:34: array definition `User` has no `element`"];
    indicators_on_int: "{schema: Cust.Tst, fields: [{name: n, type: int, indicators: [ip]}]}" => ["1:50: `indicators` is only allowed on strings and arrays of strings (hint: field `n` has type `int`; indicators scan text, so use `type: string` or remove them)"];
    // Loads, as in Panther, which ignores them; normalog applies them to the elements.
    indicators_on_array_of_strings: "{schema: Cust.Tst, fields: [{name: n, type: array, indicators: [ip], element: {type: string}}]}" => ["warning: 1:52: `indicators` on the array `n`: normalog applies them to its elements, Panther ignores them (it reads the element's)"];
    indicators_on_element: "{schema: Cust.Tst, fields: [{name: n, type: array, element: {type: string, indicators: [ip]}}]}" => [];
    indicators_on_array_of_ints: "{schema: Cust.Tst, fields: [{name: n, type: array, indicators: [ip], element: {type: int}}]}" => ["1:52: `indicators` is only allowed on strings and arrays of strings (hint: field `n` has type `array`; indicators scan text, so use `type: string` or remove them)"];
    indicators_on_element_int: "{schema: Cust.Tst, fields: [{name: n, type: array, element: {type: bigint, indicators: [ip]}}]}" => ["1:76: `indicators` is only allowed on strings and arrays of strings (hint: element of field `n` has type `bigint`"];
    // Panther resolves a ref to its definition and drops the ref's own attributes: it
    // filled no `p_any_*` here, and normalog did (review s42-h1 HIGH-1).
    indicators_on_ref_to_string: "{schema: Cust.Tst, definitions: {Ip: {type: string}}, fields: [{name: n, type: ref, target: Ip, indicators: [ip]}]}" => ["1:97: `indicators` is not allowed on a ref: a ref stands for its definition `Ip` (Panther drops the ref's own `indicators`) (hint: write it on the definition `Ip` (every field that refers to it gets it), or give field `n` a type of its own)"];
    validate_on_ref_to_string: "{schema: Cust.Tst, definitions: {Ip: {type: string}}, fields: [{name: n, type: ref, target: Ip, validate: {allow: [a]}}]}" => ["1:97: `validate` is not allowed on a ref: a ref stands for its definition `Ip` (Panther drops the ref's own `validate`)"];
    time_on_ref_element: "{schema: Cust.Tst, definitions: {Ts: {type: timestamp, timeFormat: unix}}, fields: [{name: n, type: array, element: {type: ref, target: Ts, timeFormat: unix, isEventTime: true}}]}" => ["1:141: `timeFormat` is not allowed on a ref: a ref stands for its definition `Ts` (Panther drops the ref's own `timeFormat`)", "1:159: `isEventTime` is not allowed on a ref: a ref stands for its definition `Ts` (Panther drops the ref's own `isEventTime`)"];
    required_on_ref: "{schema: Cust.Tst, definitions: {Ip: {type: string, indicators: [ip]}}, fields: [{name: n, type: ref, target: Ip, required: true}]}" => [];
    validate_on_int: "{schema: Cust.Tst, fields: [{name: n, type: int, validate: {allow: ['1']}}]}" => ["1:50: `validate` is only allowed on strings (hint: field `n` has type `int`; remove `validate` or use `type: string`)"];
    validate_allow_empty: "{schema: Cust.Tst, fields: [{name: s, type: string, validate: {allow: []}}]}" => ["1:64: `validate.allow` is empty (hint: list the values to allow, or remove `allow`)"];
    validate_deny_empty: "{schema: Cust.Tst, fields: [{name: s, type: string, validate: {deny: , ip: any}}]}" => ["1:64: `validate.deny` is empty (hint: list the values to deny, or remove `deny`)"];
    validate_nothing: "{schema: Cust.Tst, fields: [{name: s, type: string, validate: {}}]}" => ["1:53: `validate` has no checks (hint: add `allow`, `deny`, `ip` or `cidr`, or remove `validate`)"];
    validate_all_ok: "{schema: Cust.Tst, fields: [{name: s, type: string, validate: {allow: [a], ip: ipv4, cidr: ipv6}}]}" => [];
    validate_deny_ok: "{schema: Cust.Tst, fields: [{name: s, type: string, validate: {deny: [b], ip: any}}]}" => [];
    embedded_json_on_string: "{schema: Cust.Tst, fields: [{name: s, type: string, isEmbeddedJSON: true}]}" => ["1:53: `isEmbeddedJSON` is only allowed on object, array and json values (hint: field `s` has type `string`; remove `isEmbeddedJSON`, or use `type: json` to parse the embedded JSON)"];
    embedded_json_ok: "{schema: Cust.Tst, fields: [{name: j, type: json, isEmbeddedJSON: true}, {name: a, type: array, isEmbeddedJSON: true, element: {type: int}}, {name: o, type: object, isEmbeddedJSON: true, fields: [{name: x, type: int}]}]}" => [];
    nested_element_errors: "{schema: Cust.Tst, fields: [{name: a, type: array, element: {type: array, element: {type: timestamp}}}]}" => ["1:84: timestamp element of element of field `a` has no `timeFormat`"];
    // Review s41-h6 LOW-5: deeper, a count, not the words once a level.
    deeper_element_errors: "{schema: Cust.Tst, fields: [{name: a, type: array, element: {type: array, element: {type: array, element: {type: array, element: {type: timestamp}}}}}]}" => ["1:130: timestamp element 4 arrays deep in field `a` has no `timeFormat`"];
    errors_in_file_order: "schema: Cust.Tst\ndefinitions:\n  Bad:\n    type: object\nfields:\n  - name: a\n    type: int\n    indicators: [ip]\n  - name: A\n    type: string\n" => [
        "3:3: object definition `Bad` has no `fields`",
        "8:5: `indicators` is only allowed on strings and arrays of strings",
        "9:5: field name `A` collides with `a` at 6:5",
    ];
}

fn nested(depth: usize) -> Schema {
    let mut value = ValueSchema::new(FieldType::String);
    for _ in 1..depth {
        let mut object = ValueSchema::new(FieldType::Object);
        object.fields.push(field("x", value));
        value = object;
    }
    Schema {
        schema: "Custom.Deep".into(),
        parser: None,
        description: None,
        reference_url: None,
        version: 0,
        definitions: std::collections::BTreeMap::new(),
        fields: vec![field("x", value)],
        origin: None,
        span: Span::default(),
        key_spans: super::super::KeySpans::default(),
    }
}

fn field(name: &str, value: ValueSchema) -> Field {
    Field {
        name: name.into(),
        required: false,
        description: None,
        value,
        span: Span::default(),
    }
}

fn messages(schema: &Schema) -> Vec<String> {
    validate(schema)
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
}

#[test]
fn depth_limit() {
    assert!(validate(&nested(MAX_DEPTH)).is_empty());
    assert_eq!(
            messages(&nested(MAX_DEPTH + 1)),
            ["field `x` nests deeper than 64 levels (hint: flatten the schema, or use `type: json` for the deep part)"]
        );
    assert_eq!(messages(&nested(MAX_DEPTH + 20)).len(), 1);
}

#[test]
fn depth_limit_through_refs() {
    let mut schema = nested(1);
    let deep = nested(40).fields.remove(0).value;
    schema.definitions.insert("Deep".into(), deep);
    let mut wrapper = nested(30).fields.remove(0).value;
    // Replace the innermost string by a ref to Deep: 30 + 40 - 1 levels.
    let mut inner = &mut wrapper;
    while inner.ty == FieldType::Object {
        inner = &mut inner.fields[0].value;
    }
    *inner = ValueSchema {
        target: Some("Deep".into()),
        ..ValueSchema::new(FieldType::Ref)
    };
    schema.fields[0].value = wrapper;
    assert_eq!(
            messages(&schema),
            ["field `x` nests deeper than 64 levels once `Deep` is expanded (hint: flatten the definitions, or use `type: json` for the deep part)"]
        );
}

#[test]
fn schema_built_in_code_has_no_positions() {
    let mut schema = nested(1);
    schema
        .fields
        .push(field("x", ValueSchema::new(FieldType::Array)));
    schema.fields[0].value.indicators.push(IndicatorKind::Ip);
    assert_eq!(
            messages(&schema),
            [
                "duplicate field name `x` (hint: the first `x` is at an earlier field; remove or rename one)",
                "array field `x` has no `element` (hint: give the type of the items, e.g. `element: {type: string}`)",
            ]
        );
}

#[test]
fn column_names() {
    for (name, column) in [
        ("userAgent", "userAgent"),
        ("user-agent", "user-agent"),
        ("user.agent", "user_agent"),
        ("user agent", "user_agent"),
        ("@timestamp", "at_sign_timestamp"),
        ("a@b", "a_at_sign_b"),
        ("price$", "price_dollar_sign"),
        ("a=b", "a_eq_b"),
        ("50%", "50_percent"),
        ("C:\\path", "C__backslash_path"),
        ("x/y+z", "x_slash_y_plus_z"),
        ("héllo", "héllo"),
        (
            "a,b'c`d*e&f!g#h~i",
            "a_comma_b_apostrophe_c_backtick_d_asterisk_e_ampersand_f_exclamation_g_hash_h_tilde_i",
        ),
    ] {
        assert_eq!(column_name(name), column, "{name}");
    }
}

#[test]
fn name_rules() {
    assert!(is_schema_name("Zendesk.Audit"));
    assert!(is_schema_name("Custom.My.App2"));
    assert!(!is_schema_name("Custom."));
    assert!(!is_schema_name("Ab"));
    assert!(!is_schema_name("Custom.my"));
    assert!(is_definition_name("Ab"));
    assert!(!is_definition_name("A"));
    assert!(!is_definition_name("A_b"));
    assert!(is_field_name("`weird`"));
    assert!(!is_field_name("-x"));
    assert!(!is_field_name(""));
}

/// The warnings of a schema that loads (see [`warnings`]): message and position.
fn warned(yaml: &str) -> Vec<String> {
    let schema = crate::schema::load::from_str(yaml, "t.yml").expect("a valid schema");
    warnings(&schema)
        .iter()
        .map(|w| format!("{}:{}: {}", w.span.line, w.span.col, w.message))
        .collect()
}

/// An event time whose formats read no year (syslog's) gets Panther's default year: every
/// event in one partition, 1900 or 0. A warning, at `isEventTime`; a format of the list
/// with a year, or a field that is not the event time, is none.
#[test]
fn event_time_without_a_year_is_a_warning() {
    let field = |formats: &str, event: bool| {
        format!("{{schema: Cust.Tst, fields: [{{name: o, type: object, fields: [{{name: t, type: timestamp, timeFormats: {formats}, isEventTime: {event}}}]}}]}}")
    };
    assert_eq!(
        warned(&field("['%b %e %H:%M:%S']", true)),
        [
            "1:122: field `o.t`: the event time `t` has no year in its time format: every event gets year 1900 \
          (as Panther's strftime library gives), and lands in that year's partition"
        ]
    );
    assert_eq!(
        warned(&field("['layout=Jan _2 15:04:05']", true)),
        [
            "1:130: field `o.t`: the event time `t` has no year in its time format: every event gets year 0 \
          (as Go's `time.Parse` gives Panther), and lands in that year's partition"
        ]
    );
    for fine in [
        "['%b %e %H:%M:%S', '%Y-%m-%d']",
        "['%d/%m/%y %T']",
        "[unix_ms]",
        "['layout=2006 Jan 2']",
    ] {
        assert_eq!(warned(&field(fine, true)), Vec::<String>::new(), "{fine}");
    }
    assert_eq!(
        warned(&field("['%b %e %H:%M:%S']", false)),
        Vec::<String>::new()
    );
    // `%s` reads a year; its warning is Panther's check's (see `lints::strftime_lint`).
    let epoch = warned(&field("['%s']", true));
    assert!(
        epoch.len() == 1 && epoch[0].contains("the time format `%s`"),
        "{epoch:?}"
    );
    // In a definition, at the definition's field.
    let defined = "{schema: Cust.Tst, definitions: {Ev: {type: object, fields: [{name: t, type: timestamp, timeFormat: '%b %d', isEventTime: true}]}}, fields: [{name: e, type: ref, target: Ev}]}";
    assert_eq!(
        warned(defined),
        [
            "1:110: definition `Ev`, field `t`: the event time `t` has no year in its time format: every event gets year 1900 \
          (as Panther's strftime library gives), and lands in that year's partition"
        ]
    );
}

/// A field name with a comma loads, with a warning: Panther takes the key before the comma
/// (review s40-h2 LOW-2). Nested fields too; a name without one is no warning.
#[test]
fn field_name_with_a_comma_is_a_warning() {
    assert_eq!(
        warned("{schema: Cust.Tst, fields: [{name: 'a,b', type: string}, {name: o, type: object, fields: [{name: 'x,', type: int}]}]}"),
        [
            "1:29: the field name `a,b` has a comma: Panther takes the key `a` for it (its Go \
             struct tag ends the name at the comma); normalog reads the key as written",
            "1:91: field `o.x,`: the field name `x,` has a comma: Panther takes the key `x` for it (its Go \
             struct tag ends the name at the comma); normalog reads the key as written",
        ]
    );
    assert_eq!(
        warned("{schema: Cust.Tst, fields: [{name: 'a-b', type: string}]}"),
        Vec::<String>::new()
    );
}

/// Definitions `D0..D(n-1)`, each but the last an object of two fields that both use the
/// next one (the last is a string), and one field `root` using `D0`: 2^n - 1 values once
/// expanded, from n + 4 lines.
fn doubling(n: usize) -> String {
    use std::fmt::Write as _;
    let mut yaml = String::from("schema: Custom.Bomb\ndefinitions:\n");
    for i in 0..n - 1 {
        let next = i + 1;
        writeln!(yaml, "  D{i}: {{type: object, fields: [{{name: a, type: ref, target: D{next}}}, {{name: b, type: ref, target: D{next}}}]}}").expect("a String takes it");
    }
    let last = n - 1;
    writeln!(
        yaml,
        "  D{last}: {{type: string}}\nfields:\n  - {{name: root, type: ref, target: D0}}"
    )
    .expect("a String takes it");
    yaml
}

/// Compiling copied a definition wherever a ref used it, with no bound: 30 definitions that
/// each use the next twice took more memory than the machine had (review finding). The
/// size is counted before anything is built, and refused at the ref that brings it.
#[test]
fn ref_expansion_is_bounded() {
    check(
        &doubling(30),
        &["34:29: the schema holds 1073741823 values once its refs are expanded, more than the 100000 allowed; field `root` holds 1073741823 of them through `D0 -> D1 -> D2 -> D3 -> D4 -> D5 -> D6 -> D7 -> ...` (hint: every ref is a copy of its definition, so definitions that use others several times multiply (`D0` uses `D1` 2 times); use `type: json` for parts that need not be typed field by field)"],
    );
    // 2^16 - 1 = 65535 values: under the bound, and compiled.
    let schema = crate::schema::load::from_str(&doubling(16), "t.yml").expect("valid");
    assert!(crate::compile::compile(&schema).is_ok());
    // Counting saturates instead of overflowing (this one is too deep as well).
    let errors = crate::schema::load::from_str(&doubling(70), "t.yml").unwrap_err();
    let messages: Vec<String> = errors.0.iter().map(|e| e.message.clone()).collect();
    assert!(
        messages.iter().any(|m| m.starts_with(
            "the schema holds at least 18446744073709551615 values once its refs are expanded"
        )),
        "{messages:?}"
    );
}

/// A code-built schema gets the same refusal, where the library compiles it.
#[test]
fn ref_expansion_is_bounded_in_code_built_schemas() {
    let loaded = crate::schema::load::from_str(&doubling(20), "t.yml");
    assert!(loaded.is_err());
    let mut schema = nested(1);
    let mut previous = ValueSchema::new(FieldType::String);
    for i in (0..20).rev() {
        let name = format!("D{i}");
        schema.definitions.insert(name.clone(), previous);
        let mut object = ValueSchema::new(FieldType::Object);
        for f in ["a", "b"] {
            let r = ValueSchema {
                target: Some(name.clone()),
                ..ValueSchema::new(FieldType::Ref)
            };
            object.fields.push(field(f, r));
        }
        previous = object;
    }
    schema.fields[0].value = previous;
    let mut registry = crate::Registry::new();
    let err = registry.add(schema).expect_err("refused").to_string();
    assert!(
        err.contains("the schema holds 2097151 values once its refs are expanded"),
        "{err}"
    );
}

/// A schema written out field by field, with no ref, is bounded the same way.
#[test]
fn many_fields_are_bounded() {
    let mut schema = nested(1);
    schema.fields = (0..=MAX_VALUES)
        .map(|i| field(&format!("f{i}"), ValueSchema::new(FieldType::String)))
        .collect();
    assert_eq!(
        messages(&schema),
        ["the schema holds 100001 values (fields and array elements, at every level), more than the 100000 allowed (hint: split the log type in two, or use `type: json` for parts that need not be typed field by field)"]
    );
    schema.fields.pop();
    assert!(validate(&schema).is_empty());
}

/// Definitions were expanded recursively, definition by definition: a chain of a few
/// thousand (each only naming the next, a valid schema) overflowed the stack.
#[test]
fn a_long_chain_of_definitions_does_not_overflow() {
    let mut schema = nested(1);
    let n = 50_000;
    for i in 0..n {
        let value = if i + 1 == n {
            ValueSchema::new(FieldType::String)
        } else {
            ValueSchema {
                target: Some(format!("D{}", i + 1)),
                ..ValueSchema::new(FieldType::Ref)
            }
        };
        schema.definitions.insert(format!("D{i}"), value);
    }
    schema.fields[0].value = ValueSchema {
        target: Some("D0".into()),
        ..ValueSchema::new(FieldType::Ref)
    };
    assert_eq!(messages(&schema), Vec::<String>::new());
}

/// `validate` with both `allow` and `deny`: `allow` decides (as in Panther), so `deny`
/// does nothing, which the schema does not say (review finding: it loaded without a word).
/// A warning at `deny`, in nested fields and array elements too; one list alone is none.
#[test]
fn validate_with_allow_and_deny_is_a_warning() {
    let field = |checks: &str| {
        format!("{{schema: Cust.Tst, fields: [{{name: tags, type: array, element: {{type: string, validate: {checks}}}}}]}}")
    };
    assert_eq!(
        warned(&field("{allow: [info, debug], deny: [debug]}")),
        [
            "1:112: `validate.deny` of `tags` does nothing beside `allow`: a value in `allow` is \
             kept, and any other refused"
        ]
    );
    for fine in [
        "{allow: [info]}",
        "{deny: [debug]}",
        "{allow: [a], ip: ipv4}",
    ] {
        assert_eq!(warned(&field(fine)), Vec::<String>::new(), "{fine}");
    }
}

/// `isEventTime` on the element of an array of timestamps, and `indicators` Panther does not
/// apply (on an array field, on strings in an array of arrays), load with a warning each
/// (review s41-h1); the same attributes where Panther reads them are none.
#[test]
fn attributes_panther_does_not_read_on_arrays_are_warnings() {
    assert_eq!(
        warned("{schema: Cust.Tst, fields: [{name: ts, type: array, element: {type: timestamp, timeFormat: rfc3339, isEventTime: true}}]}"),
        ["1:101: `isEventTime` on the element of the array `ts` is ignored: the event time comes \
          from a timestamp field, or one in an object, never from an array of timestamps (as in \
          Panther)"]
    );
    assert_eq!(
        warned("{schema: Cust.Tst, fields: [{name: a, type: array, indicators: [ip], element: {type: string}}]}"),
        ["1:52: `indicators` on the array `a`: normalog applies them to its elements, Panther \
          ignores them (it reads the element's)"]
    );
    assert_eq!(
        warned("{schema: Cust.Tst, fields: [{name: n, type: array, element: {type: array, element: {type: string, indicators: [ip]}}}]}"),
        ["1:99: `indicators` in the array of arrays `n`: normalog scans its strings, Panther \
          fills no `p_any_*` from them (it scans a string, or an array of strings)"]
    );
    for fine in [
        "{schema: Cust.Tst, fields: [{name: a, type: array, element: {type: string, indicators: [ip]}}]}",
        "{schema: Cust.Tst, fields: [{name: a, type: array, element: {type: object, fields: [{name: t, type: timestamp, timeFormat: rfc3339, isEventTime: true}, {name: s, type: array, element: {type: string, indicators: [ip]}}]}}]}",
    ] {
        assert_eq!(warned(fine), Vec::<String>::new(), "{fine}");
    }
}

/// The same lints through a `ref`: the compiler follows it, so an element written as a
/// `ref` behaves as its definition in its place (review s41-h7 LOW-1: no warning). They
/// point at the `ref`'s target and name the definition; the definition's own warnings are
/// not repeated at each use, and a `ref` to a timestamp field is no array element.
#[test]
fn array_lints_follow_refs() {
    let schema = |fields: &str| {
        format!(
            "{{schema: Cust.Tst, definitions: {{Ip: {{type: string, indicators: [ip]}}, \
             Ts: {{type: timestamp, timeFormat: rfc3339, isEventTime: true}}, \
             Ips: {{type: array, indicators: [ip], element: {{type: string}}}}, \
             Deep: {{type: ref, target: Strs}}, \
             Strs: {{type: array, element: {{type: string, indicators: [ip]}}}}}}, fields: [{fields}]}}"
        )
    };
    let ips_itself = "1:154: `indicators` on the array `Ips`: normalog applies them to its \
                      elements, Panther ignores them (it reads the element's)";
    assert_eq!(
        warned(&schema(
            "{name: n, type: array, element: {type: array, element: {type: ref, target: Ip}}}"
        )),
        [
            ips_itself.to_owned(),
            "1:372: `indicators` in the array of arrays `n` (the definition `Ip`): \
          normalog scans its strings, Panther fills no `p_any_*` from them (it scans a string, \
          or an array of strings)"
                .to_owned()
        ]
    );
    assert_eq!(
        warned(&schema(
            "{name: d, type: array, element: {type: ref, target: Deep}}"
        )),
        [
            ips_itself.to_owned(),
            "1:349: `indicators` in the array of arrays `d` (the definition `Strs`): \
          normalog scans its strings, Panther fills no `p_any_*` from them (it scans a string, \
          or an array of strings)"
                .to_owned()
        ]
    );
    assert_eq!(
        warned(&schema(
            "{name: ts, type: array, element: {type: ref, target: Ts}}"
        )),
        [
            ips_itself.to_owned(),
            "1:350: `isEventTime` on the element of the array `ts` (the definition \
          `Ts`) is ignored: the event time comes from a timestamp field, or one in an object, \
          never from an array of timestamps (as in Panther)"
                .to_owned()
        ]
    );
    for fine in [
        "{name: t, type: ref, target: Ts}",
        "{name: i, type: ref, target: Ips}",
        "{name: a, type: array, element: {type: ref, target: Ip}}",
        "{name: s, type: ref, target: Deep}",
    ] {
        assert_eq!(warned(&schema(fine)), [ips_itself], "{fine}");
    }
}
