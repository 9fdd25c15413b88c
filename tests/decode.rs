//! Table-driven decoding cases through a custom schema that uses every type, time format,
//! indicator kind and attribute (tests/data/schemas/rich.yml). Each case gives one input
//! record and either the exact normalized event (without `p_row_id`/`p_parse_time`, which
//! vary; `p_log_type`, `p_schema_version` and a parse-time `p_event_time` are filled in when
//! the case does not name them) or the exact rendered reject.

// Table rows stay uniform: every input a raw string, numbers as JSON writes them.
#![allow(clippy::unreadable_literal, clippy::needless_raw_string_hashes)]

mod util;

use serde_json::{json, Value};

fn check_ok(input: &str, mut expected: Value) {
    let registry = util::registry("rich.yml");
    let got = util::normalize(&registry, &["Custom.Rich"], input)
        .unwrap_or_else(|e| panic!("rejected: {e}\ninput: {input}"));
    let obj = expected.as_object_mut().expect("expected is an object");
    obj.entry("p_log_type").or_insert(json!("Custom.Rich"));
    obj.entry("p_event_time").or_insert(json!("<parse time>"));
    obj.entry("p_schema_version").or_insert(json!(0));
    assert_eq!(got, expected, "input: {input}");
}

fn check_err(input: &str, expected: &str) {
    let registry = util::registry("rich.yml");
    match util::normalize(&registry, &["Custom.Rich"], input) {
        Ok(v) => panic!("accepted, expected reject {expected:?}\ninput: {input}\ngot: {v}"),
        Err(e) => assert_eq!(e, expected, "input: {input}"),
    }
}

macro_rules! cases {
    ($($name:ident: $input:expr => ok $expected:expr;)* ) => {
        $( #[test] fn $name() { check_ok($input, $expected) } )*
    };
}

macro_rules! err_cases {
    ($($name:ident: $input:expr => $expected:expr;)* ) => {
        $( #[test] fn $name() { check_err($input, $expected) } )*
    };
}

const AT: &str = "record 0 (line 1, byte 0): Custom.Rich: ";

cases! {
    minimal: r#"{"id":1}"# => ok json!({"id":1});
    unknown_keys_dropped: r#"{"id":1,"nope":2,"ID":3}"# => ok json!({"id":1});
    nulls_omitted: r#"{"id":1,"msg":null,"count":null,"actor":null,"tags":null}"# => ok json!({"id":1});
    integer_strings: r#"{"id":"42","small":"-7","count":"+5"}"# => ok json!({"id":42,"small":-7,"count":5});
    integer_bounds: r#"{"id":9223372036854775807,"small":32767,"count":-2147483648}"#
        => ok json!({"id":9223372036854775807i64,"small":32767,"count":-2147483648i64});
    empty_string_is_null_for_numbers: r#"{"id":1,"count":"","ratio":"","ok":"","ts_rfc":""}"# => ok json!({"id":1});
    empty_string_kept_for_strings: r#"{"id":1,"msg":""}"# => ok json!({"id":1,"msg":""});
    numbers_into_strings_keep_text: r#"{"id":1,"msg":12}"# => ok json!({"id":1,"msg":"12"});
    float_into_string: r#"{"id":1,"msg":0.5}"# => ok json!({"id":1,"msg":"0.5"});
    // Panther keeps a number's text as written: a version 1.10 is not 1.1.
    float_into_string_as_written: r#"{"id":1,"msg":1.10}"# => ok json!({"id":1,"msg":"1.10"});
    exponent_into_string_as_written: r#"{"id":1,"msg":1E+2}"# => ok json!({"id":1,"msg":"1E+2"});
    floats_into_strings_beside_escapes: r#"{"id":1,"actor":{"email":"a\"b@x.com","name":-0.50},"msg":"\u00e9\\","tags":[2.50,"k:v",1e-7],"count":12}"#
        => ok json!({"id":1,"actor":{"email":"a\"b@x.com","name":"-0.50"},"msg":"é\\","tags":["2.50","k:v","1e-7"],"count":12,
            "p_any_aws_tags":["1e-7","2.50","k:v"],"p_any_emails":["a\"b@x.com"],"p_any_usernames":["-0.50"]});
    // An integer beyond 64 bits is a float: where no field takes it, it does no harm.
    big_integer_in_an_unknown_key: r#"{"id":1,"nope":123456789012345678901234567890}"# => ok json!({"id":1});
    big_integer_into_string_as_written: r#"{"id":1,"msg":99999999999999999999}"# => ok json!({"id":1,"msg":"99999999999999999999"});
    big_integer_into_float: r#"{"id":1,"ratio":123456789012345678901234567890}"# => ok json!({"id":1,"ratio":1.2345678901234568e29});
    embedded_float_into_string_as_written: r#"{"id":1,"payload":"{\"user\":3.140}"}"# => ok json!({"id":1,"payload":{"user":"3.140"}});
    // A number beyond a float's range is valid JSON: Panther skips it under an unknown key
    // and keeps its text in a string (simd-json alone refuses the record).
    beyond_float_range_into_string_or_unknown_key: r#"{"id":1,"msg":1e400,"nope":[-1E+999,{"a":2e308}],"actor":{"email":"a@b.io","name":-5e999}}"#
        => ok json!({"id":1,"msg":"1e400","actor":{"email":"a@b.io","name":"-5e999"},"p_any_emails":["a@b.io"],"p_any_usernames":["-5e999"]});
    beyond_float_range_in_embedded_json: r#"{"id":1,"payload":"{\"user\":1e400,\"z\":9e999}"}"# => ok json!({"id":1,"payload":{"user":"1e400"}});
    // Panther's classifier trims every line (Go's strings.TrimSpace): white space at the
    // ends that JSON does not allow is no reason to refuse a record.
    unicode_white_space_around_a_record: "\u{a0}\u{3000}{\"id\":1,\"msg\":\"\u{a0}x\"}\u{2028}\u{a0}" => ok json!({"id":1,"msg":"\u{a0}x"});
    vertical_tab_and_form_feed_around_a_record: "\u{b}\u{c}{\"id\":1}\u{c}\u{b}" => ok json!({"id":1});
    huge_integer_into_string: &format!(r#"{{"id":1,"msg":{}}}"#, "9".repeat(400)) => ok json!({"id":1,"msg":"9".repeat(400)});
    bool_into_string: r#"{"id":1,"msg":true}"# => ok json!({"id":1,"msg":"true"});
    floats: r#"{"id":1,"ratio":"2.5","count":3}"# => ok json!({"id":1,"ratio":2.5,"count":3});
    float_from_integer: r#"{"id":1,"ratio":7}"# => ok json!({"id":1,"ratio":7});
    booleans_go_parse_bool: r#"{"id":1,"ok":"T"}"# => ok json!({"id":1,"ok":true});
    booleans_numbers: r#"{"id":1,"ok":0}"# => ok json!({"id":1,"ok":false});
    string_escapes_round_trip: r#"{"id":1,"msg":"a\"b\\c\n\u00e9\ud83d\ude00"}"#
        => ok json!({"id":1,"msg":"a\"b\\c\né😀"});
    // A lone surrogate escape, high or low, is U+FFFD, as Panther's decoder (json-iterator)
    // reads it: the record stays (a truncated emoji in a name lost the whole event).
    lone_high_surrogate: r#"{"id":1,"msg":"Joe \ud83d"}"# => ok json!({"id":1,"msg":"Joe \u{FFFD}"});
    lone_high_surrogate_before_another_escape: r#"{"id":1,"msg":"\ud800\u0041"}"# => ok json!({"id":1,"msg":"\u{FFFD}A"});
    lone_low_surrogate_before_a_high_one: r#"{"id":1,"msg":"\udc00\ud800"}"# => ok json!({"id":1,"msg":"\u{FFFD}\u{FFFD}"});
    // json-iterator takes the unit after a surrogate as its other half, paired or not: the
    // pair after a lone high one is no emoji (Go's encoding/json would read one).
    lone_high_surrogate_before_a_pair: r#"{"id":1,"msg":"\ud800\ud83d\ude00"}"# => ok json!({"id":1,"msg":"\u{FFFD}\u{FFFD}\u{FFFD}"});
    lone_surrogate_after_a_pair_and_escaped_backslashes: r#"{"id":1,"msg":"\\ud800 \uD83D\uDE00 \"\\","extra":"\uDFFF"}"# => ok json!({"id":1,"msg":"\\ud800 😀 \"\\","extra":"\u{FFFD}"});
    duplicate_keys_last_wins: r#"{"id":1,"msg":"first","msg":"second"}"# => ok json!({"id":1,"msg":"second"});

    rfc3339_event_time: r#"{"id":1,"ts_rfc":"2023-07-01T16:00:00.250+02:00"}"#
        => ok json!({"id":1,"ts_rfc":"2023-07-01T14:00:00.25Z","p_event_time":"2023-07-01T14:00:00.25Z"});
    event_time_priority_schema_order: r#"{"id":1,"ts_unix":1688220000,"ts_rfc":"2023-07-01T14:00:00Z"}"#
        => ok json!({"id":1,"ts_rfc":"2023-07-01T14:00:00Z","ts_unix":"2023-07-01T14:00:00Z","p_event_time":"2023-07-01T14:00:00Z"});
    event_time_second_candidate: r#"{"id":1,"ts_rfc":null,"ts_unix":"1688220000.5"}"#
        => ok json!({"id":1,"ts_unix":"2023-07-01T14:00:00.5Z","p_event_time":"2023-07-01T14:00:00.5Z"});
    unix_formats: r#"{"id":1,"ts_ms":1688220000123,"ts_us":"1688220000123456","ts_ns":1688220000123456789}"#
        => ok json!({"id":1,"ts_ms":"2023-07-01T14:00:00.123Z","ts_us":"2023-07-01T14:00:00.123456Z","ts_ns":"2023-07-01T14:00:00.123456789Z"});
    cloudflare_seconds_and_nanos: r#"{"id":1,"ts_cf":1688220000}"# => ok json!({"id":1,"ts_cf":"2023-07-01T14:00:00Z"});
    cloudflare_nanos: r#"{"id":1,"ts_cf":1688220000000000000}"# => ok json!({"id":1,"ts_cf":"2023-07-01T14:00:00Z"});
    cloudflare_string: r#"{"id":1,"ts_cf":"2023-07-01T14:00:00Z"}"# => ok json!({"id":1,"ts_cf":"2023-07-01T14:00:00Z"});
    strftime: r#"{"id":1,"ts_strf":"2023-07-01 14:00:00"}"# => ok json!({"id":1,"ts_strf":"2023-07-01T14:00:00Z"});
    // As timefmt-go (Go's `time.Date`): a leap second and hour 24 roll over.
    strftime_leap_second: r#"{"id":1,"ts_strf":"2016-12-31 23:59:60"}"# => ok json!({"id":1,"ts_strf":"2017-01-01T00:00:00Z"});
    strftime_hour_24: r#"{"id":1,"ts_strf":"2023-07-01 24:00:00"}"# => ok json!({"id":1,"ts_strf":"2023-07-02T00:00:00Z"});
    go_layout: r#"{"id":1,"ts_layout":"2023-07-01 14:00:00 UTC"}"# => ok json!({"id":1,"ts_layout":"2023-07-01T14:00:00Z"});
    time_formats_in_order: r#"{"id":1,"ts_multi":1688220000000}"# => ok json!({"id":1,"ts_multi":"2023-07-01T14:00:00Z"});
    time_formats_first: r#"{"id":1,"ts_multi":"2023-07-01T14:00:00Z"}"# => ok json!({"id":1,"ts_multi":"2023-07-01T14:00:00Z"});

    nested_object_and_indicators: r#"{"id":1,"actor":{"email":" Ann@Example.com ","name":"ann","x":1}}"#
        => ok json!({"id":1,"actor":{"email":" Ann@Example.com ","name":"ann"},"p_any_emails":["Ann@Example.com"],"p_any_usernames":["ann"]});
    empty_object_kept: r#"{"id":1,"geo":{"other":1}}"# => ok json!({"id":1,"geo":{}});
    empty_array_omitted: r#"{"id":1,"tags":[]}"# => ok json!({"id":1});
    array_nulls_kept_in_place: r#"{"id":1,"tags":["a:b",null,"c:d",""]}"#
        => ok json!({"id":1,"tags":["a:b",null,"c:d",""],"p_any_aws_tags":["a:b","c:d"]});
    array_of_one_null_is_written: r#"{"id":1,"tags":[null]}"# => ok json!({"id":1,"tags":[null]});
    array_of_objects_null_element: r#"{"id":1,"items":[{"n":1},null,{"n":""},{"n":null}]}"#
        => ok json!({"id":1,"items":[{"n":1},null,{},{}]});
    array_indicators_hostname_exclusive: r#"{"id":1,"hosts":["example.com","10.0.0.2","10.0.0.2"]}"#
        => ok json!({"id":1,"hosts":["example.com","10.0.0.2","10.0.0.2"],"p_any_ip_addresses":["10.0.0.2"],"p_any_domain_names":["example.com"]});
    array_of_objects: r#"{"id":1,"items":[{"n":1},{"n":"2"},{}]}"# => ok json!({"id":1,"items":[{"n":1},{"n":2},{}]});
    json_kept_compact: r#"{"id":1,"extra":{ "a" : [1, 2.5, "x", null, true] }}"#
        => ok json!({"id":1,"extra":{"a":[1,2.5,"x",null,true]}});
    json_scalar: r#"{"id":1,"extra":"text"}"# => ok json!({"id":1,"extra":"text"});
    embedded_object: r#"{"id":1,"payload":"{\"user\":\"bob@example.com\",\"z\":1}"}"#
        => ok json!({"id":1,"payload":{"user":"bob@example.com"},"p_any_emails":["bob@example.com"]});
    embedded_object_as_object: r#"{"id":1,"payload":{"user":"bob@example.com"}}"#
        => ok json!({"id":1,"payload":{"user":"bob@example.com"},"p_any_emails":["bob@example.com"]});
    embedded_json: r#"{"id":1,"embedded_any":"[1, {\"a\": 2}]"}"# => ok json!({"id":1,"embedded_any":[1,{"a":2}]});
    ref_resolved: r#"{"id":1,"geo":{"country":"NL","ip":"192.0.2.1"}}"#
        => ok json!({"id":1,"geo":{"country":"NL","ip":"192.0.2.1"},"p_any_ip_addresses":["192.0.2.1"]});
    validate_allow: r#"{"id":1,"level":"warn"}"# => ok json!({"id":1,"level":"warn"});
    validate_deny_other: r#"{"id":1,"kind":"prod"}"# => ok json!({"id":1,"kind":"prod"});
    validate_ip: r#"{"id":1,"src":"2001:db8::1"}"# => ok json!({"id":1,"src":"2001:db8::1"});
    validate_cidr: r#"{"id":1,"net":"10.0.0.0/8"}"# => ok json!({"id":1,"net":"10.0.0.0/8"});
    validate_null_passes: r#"{"id":1,"level":null}"# => ok json!({"id":1});

    indicator_domain: r#"{"id":1,"domain":" xn--bcher-kva.example "}"# => ok json!({"id":1,"domain":" xn--bcher-kva.example ","p_any_domain_names":["bücher.example"]});
    indicator_url_host: r#"{"id":1,"link":"https://user@Example.com:8443/x?y"}"#
        => ok json!({"id":1,"link":"https://user@Example.com:8443/x?y","p_any_domain_names":["Example.com"]});
    indicator_url_ip: r#"{"id":1,"link":"http://[2001:db8::2]:80/"}"#
        => ok json!({"id":1,"link":"http://[2001:db8::2]:80/","p_any_ip_addresses":["2001:db8::2"]});
    indicator_url_without_scheme: r#"{"id":1,"link":"example.com/x"}"# => ok json!({"id":1,"link":"example.com/x"});
    indicator_net_addr: r#"{"id":1,"peer":"198.51.100.7:443"}"# => ok json!({"id":1,"peer":"198.51.100.7:443","p_any_ip_addresses":["198.51.100.7"]});
    indicator_trace: r#"{"id":1,"trace":"abc-123"}"# => ok json!({"id":1,"trace":"abc-123","p_any_trace_ids":["abc-123"]});
    indicator_hashes_lowercased: r#"{"id":1,"md5":"D41D8CD98F00B204E9800998ECF8427E","sha1":"da39a3ee5e6b4b0d3255bfef95601890afd80709","sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}"#
        => ok json!({"id":1,"md5":"D41D8CD98F00B204E9800998ECF8427E","sha1":"da39a3ee5e6b4b0d3255bfef95601890afd80709","sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "p_any_md5_hashes":["d41d8cd98f00b204e9800998ecf8427e"],"p_any_sha1_hashes":["da39a3ee5e6b4b0d3255bfef95601890afd80709"],"p_any_sha256_hashes":["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]});
    indicator_bad_hash_skipped: r#"{"id":1,"md5":"xyz"}"# => ok json!({"id":1,"md5":"xyz"});
    indicator_arn: r#"{"id":1,"arn":"arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"}"#
        => ok json!({"id":1,"arn":"arn:aws:ec2:us-east-1:123456789012:instance/i-0abc","p_any_aws_account_ids":["123456789012"],"p_any_aws_instance_ids":["i-0abc"],"p_any_aws_arns":["arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"]});
    indicator_account_and_instance: r#"{"id":1,"account":"123456789012","instance":"i-1"}"#
        => ok json!({"id":1,"account":"123456789012","instance":"i-1","p_any_aws_account_ids":["123456789012"],"p_any_aws_instance_ids":["i-1"]});
    indicators_dedup_sorted_bytewise: r#"{"id":1,"hosts":["52.119.169.95","172.31.20.31","52.119.169.95"],"geo":{"ip":"172.31.20.31"}}"#
        => ok json!({"id":1,"hosts":["52.119.169.95","172.31.20.31","52.119.169.95"],"geo":{"ip":"172.31.20.31"},"p_any_ip_addresses":["172.31.20.31","52.119.169.95"]});
    invalid_ip_no_indicator: r#"{"id":1,"geo":{"ip":"999.1.1.1"}}"# => ok json!({"id":1,"geo":{"ip":"999.1.1.1"}});
}

err_cases! {
    missing_required: r#"{"msg":"x"}"# => &format!("{AT}missing required field \"id\"");
    null_required: r#"{"id":null}"# => &format!("{AT}missing required field \"id\"");
    missing_nested_required: r#"{"id":1,"actor":{"name":"x"}}"# => &format!("{AT}missing required field \"actor.email\"");
    // A number is shown as written, not as the float it was read as.
    big_integer_into_int: r#"{"id":-99999999999999999999}"# => &format!("{AT}field \"id\": number out of range for its type: -99999999999999999999");
    just_below_bigint: r#"{"id":-9223372036854775809}"# => &format!("{AT}field \"id\": number out of range for its type: -9223372036854775809");
    exponent_into_int: r#"{"id":1e12}"# => &format!("{AT}field \"id\": expected an integer, found a float: 1e12");
    exponent_fraction_into_int: r#"{"id":10E-1}"# => &format!("{AT}field \"id\": expected an integer, found a float: 10E-1");
    exponent_into_nested_int: r#"{"id":1,"items":[{"n":1},{"n":2.50}]}"# => &format!("{AT}field \"items[1].n\": expected an integer, found a float: 2.50");
    float_time_as_written: r#"{"id":1,"ts_ms":1.50e3}"# => &format!("{AT}field \"ts_ms\": timestamp does not match time format unix_ms: 1.50e3 (a number with a fraction or an exponent: of the time formats, only unix reads one)");
    beyond_float_range_into_int: r#"{"id":1e400}"# => &format!("{AT}field \"id\": number out of range for its type: 1e400");
    beyond_float_range_into_float: r#"{"id":1,"ratio":-1.5E+400}"# => &format!("{AT}field \"ratio\": number out of range for its type: -1.5E+400");
    beyond_float_range_into_time: r#"{"id":1,"ts_unix":1e999}"# => &format!("{AT}field \"ts_unix\": number out of range for its type: 1e999");
    beyond_float_range_in_an_array: r#"{"id":1,"items":[{"n":1},{"n":1e400}]}"# => &format!("{AT}field \"items[1].n\": number out of range for its type: 1e400");
    huge_integer_into_int_cut: &format!(r#"{{"id":{}}}"#, "9".repeat(400)) => &format!("{AT}field \"id\": number out of range for its type: {}…", "9".repeat(64));
    // The column is the bare word's first letter, wherever serde_json stopped reading it.
    beyond_float_range_and_broken: r#"{"id":1e400,"ok":tru}"# => "record 0 (line 1, byte 0, column 18): invalid JSON: a bare word where a value goes (only true, false and null are written without quotes)";
    bare_word_cut_by_a_space: r#"{"id":1,"ok":nul }"# => "record 0 (line 1, byte 0, column 14): invalid JSON: a bare word where a value goes (only true, false and null are written without quotes)";
    bare_word_longer_than_a_literal: r#"{"id":1,"ok":falsy}"# => "record 0 (line 1, byte 0, column 14): invalid JSON: a bare word where a value goes (only true, false and null are written without quotes)";
    // Python's and YAML's spellings are bare words too; serde_json says "expected value" for
    // a word whose first letter starts none of true/false/null.
    // Records apart by carriage returns alone are one line: the message says why the second
    // is "trailing" (review s43-h3 LOW-3).
    records_apart_by_cr_alone: "{\"id\":1}\r{\"id\":2}" => "record 0 (line 1, byte 0, column 10): invalid JSON: trailing characters after the JSON value, after a carriage return: records apart by CR alone (classic Mac line ends) are one line; convert them to line feeds (tr '\\r' '\\n')";
    byte_order_mark_where_a_value_goes: "{\"id\":1,\"ok\":\u{feff}1}" => "record 0 (line 1, byte 0, column 14): invalid JSON: a byte order mark (U+FEFF) where a value goes (files joined with `cat`?): remove it";
    bare_word_capitalized: r#"{"id":1,"ok":True}"# => "record 0 (line 1, byte 0, column 14): invalid JSON: a bare word where a value goes (only true, false and null are written without quotes)";
    beyond_float_range_not_boolean: r#"{"id":1,"ok":1e400}"# => &format!("{AT}field \"ok\": expected boolean, found a number");
    float_into_int: r#"{"id":1.5}"# => &format!("{AT}field \"id\": expected an integer, found a float: 1.5");
    integral_float_into_int: r#"{"id":-1.0}"# => &format!("{AT}field \"id\": expected an integer, found a float: -1.0");
    out_of_range_smallint: r#"{"id":1,"small":40000}"# => &format!("{AT}field \"small\": number out of range for its type: 40000");
    out_of_range_int_string: r#"{"id":1,"count":"99999999999"}"# => &format!("{AT}field \"count\": number out of range for its type: 99999999999");
    bad_int_text: r#"{"id":"12a"}"# => &format!("{AT}field \"id\": string is not a valid bigint: \"12a\"");
    wrong_type_string: r#"{"id":1,"msg":{"a":1}}"# => &format!("{AT}field \"msg\": expected string, found an object");
    wrong_type_object: r#"{"id":1,"actor":"ann"}"# => &format!("{AT}field \"actor\": expected object, found a string");
    wrong_type_array: r#"{"id":1,"tags":"a"}"# => &format!("{AT}field \"tags\": expected array, found a string");
    bad_bool: r#"{"id":1,"ok":"yes"}"# => &format!("{AT}field \"ok\": string is not a valid boolean: \"yes\"");
    bad_rfc3339_space: r#"{"id":1,"ts_rfc":"2023-07-01 14:00:00Z"}"# => &format!("{AT}field \"ts_rfc\": timestamp does not match time format rfc3339: \"2023-07-01 14:00:00Z\"");
    // rfc3339 stays strict: no leap second, no hour 24; a Go layout refuses them too.
    bad_rfc3339_leap_second: r#"{"id":1,"ts_rfc":"2016-12-31T23:59:60Z"}"# => &format!("{AT}field \"ts_rfc\": timestamp does not match time format rfc3339: \"2016-12-31T23:59:60Z\"");
    bad_layout_hour_24: r#"{"id":1,"ts_layout":"2023-07-01 24:00:00 UTC"}"# => &format!("{AT}field \"ts_layout\": timestamp does not match time format layout=2006-01-02 15:04:05 MST: \"2023-07-01 24:00:00 UTC\" (the value has the format's shape, but no such date or time)");
    strftime_minute_60: r#"{"id":1,"ts_strf":"2023-07-01 14:60:00"}"# => &format!("{AT}field \"ts_strf\": timestamp does not match time format %Y-%m-%d %H:%M:%S: \"2023-07-01 14:60:00\" (the value has the format's shape, but no such date or time)");
    bad_rfc3339_no_zone: r#"{"id":1,"ts_rfc":"2023-07-01T14:00:00"}"# => &format!("{AT}field \"ts_rfc\": timestamp does not match time format rfc3339: \"2023-07-01T14:00:00\"");
    // A JSON number into text formats says which formats read numbers.
    rfc3339_rejects_numbers: r#"{"id":1,"ts_rfc":1688220000}"# => &format!("{AT}field \"ts_rfc\": timestamp does not match time format rfc3339: 1688220000 (a JSON number: of the time formats, only unix, unix_ms, unix_us, unix_ns and cloudflare read numbers)");
    // A fraction or an exponent, where only integers are read (cloudflare reads integers:
    // the hint said it read no numbers).
    unix_ms_rejects_float: r#"{"id":1,"ts_ms":1.5}"# => &format!("{AT}field \"ts_ms\": timestamp does not match time format unix_ms: 1.5 (a number with a fraction or an exponent: of the time formats, only unix reads one)");
    cloudflare_rejects_float: r#"{"id":1,"ts_cf":1688220000.5}"# => &format!("{AT}field \"ts_cf\": timestamp does not match time format cloudflare: 1688220000.5 (a number with a fraction or an exponent: of the time formats, only unix reads one)");
    cloudflare_rejects_exponent: r#"{"id":1,"ts_cf":1.68822e9}"# => &format!("{AT}field \"ts_cf\": timestamp does not match time format cloudflare: 1.68822e9 (a number with a fraction or an exponent: of the time formats, only unix reads one)");
    time_formats_none_match: r#"{"id":1,"ts_multi":"yesterday"}"# => &format!("{AT}field \"ts_multi\": timestamp does not match time format rfc3339 | unix_ms: \"yesterday\"");
    nested_array_path: r#"{"id":1,"items":[{"n":1},{"n":"x"}]}"# => &format!("{AT}field \"items[1].n\": string is not a valid int: \"x\"");
    validate_allow_fails: r#"{"id":1,"level":"debug"}"# => &format!("{AT}field \"level\": value is not one of validate.allow (\"info\", \"warn\", \"error\"): \"debug\"");
    validate_deny_fails: r#"{"id":1,"kind":"test"}"# => &format!("{AT}field \"kind\": value is in validate.deny: \"test\"");
    validate_ip_fails: r#"{"id":1,"src":"10.0.0.300"}"# => &format!("{AT}field \"src\": value is not a valid IP address: \"10.0.0.300\"");
    validate_cidr_fails: r#"{"id":1,"net":"2001:db8::/32"}"# => &format!("{AT}field \"net\": value is not a valid IPv4 CIDR block: \"2001:db8::/32\"");
    bad_embedded: r#"{"id":1,"payload":"{not json"}"# => &format!("{AT}field \"payload\": isEmbeddedJSON value is not a JSON string holding valid JSON: \"{{not json\"");
    // Only a whole record is trimmed as Panther's classifier trims a line: an embedded
    // value's white space that JSON does not allow stays a reason to refuse it.
    embedded_json_with_unicode_white_space: "{\"id\":1,\"payload\":\"\u{a0}{\\\"a\\\":1}\"}" => &format!("{AT}field \"payload\": isEmbeddedJSON value is not a JSON string holding valid JSON: \"\u{a0}{{\\\"a\\\":1}}\"");
    not_an_object: r#"[1,2]"# => &format!("{AT}record is an array, not a JSON object");
    invalid_json: r#"{"id":1,"#=> "record 0 (line 1, byte 0, column 8): invalid JSON: EOF while parsing a value";
    // The column is where simd-json's limit of 1024 levels is crossed (the record is level 1),
    // not where serde_json's of 128 is.
    nested_too_deeply: &format!(r#"{{"id":1,"extra":{}{}}}"#, "[".repeat(1100), "]".repeat(1100)) => "record 0 (line 1, byte 0, column 1040): invalid JSON: arrays and objects nested deeper than 1024 levels (the record itself is level 1)";
    nested_too_deeply_after_5000_bytes: &format!(r#"{{"id":1,"msg":"{}","extra":{}{}}}"#, "x".repeat(5000), "[".repeat(1100), "]".repeat(1100)) => "record 0 (line 1, byte 0, column 6049): invalid JSON: arrays and objects nested deeper than 1024 levels (the record itself is level 1)";
}

#[test]
fn classification_reports_every_candidate() {
    let mut registry = normalog::Registry::builtin();
    registry
        .add_path(&util::data("schemas/rich.yml"))
        .expect("rich schema loads");
    let got = util::normalize(&registry, &[], r#"{"msg":"x"}"#).expect_err("no type accepts it");
    assert_eq!(
        got,
        "record 0 (line 1, byte 0): no log type accepted the record: \
         Zendesk.Audit: missing required field \"created_at\"; \
         Zoom.Activity: missing required field \"email\"; \
         Zoom.Operation: missing required field \"time\"; \
         Custom.Rich: missing required field \"id\""
    );
}

/// With several log types, each refusal is built again once every type refused the record:
/// the numbers it quotes are shown as written there too.
#[test]
fn classification_shows_numbers_as_written() {
    let mut registry = normalog::Registry::builtin();
    registry
        .add_path(&util::data("schemas/rich.yml"))
        .expect("rich schema loads");
    let got = util::normalize(&registry, &[], r#"{"id":1E+2}"#).expect_err("no type accepts it");
    assert!(
        got.ends_with("Custom.Rich: field \"id\": expected an integer, found a float: 1E+2"),
        "{got}"
    );
}

#[test]
fn classification_picks_first_accepting_type() {
    let registry = normalog::Registry::builtin();
    let v = util::normalize(
        &registry,
        &[],
        r#"{"operator":"a@b.c","category_type":"User","time":"2023-07-01T14:00:00Z"}"#,
    )
    .expect("accepted");
    assert_eq!(v["p_log_type"], "Zoom.Operation");
}

/// A `json` value keeps its floats (and a `-0`) as written (Panther keeps the value raw), in
/// the record and in embedded JSON; the text of the event is compared, as a JSON value would
/// not tell `1.50` from `1.5`.
#[test]
fn json_values_keep_their_floats_as_written() {
    let registry = util::registry("rich.yml");
    let mut n = normalog::NormalizerBuilder::new()
        .log_types(["Custom.Rich"])
        .build(&registry)
        .expect("build");
    let mut out = normalog::sink::Collect::default();
    let record = r#"{"id":1,"extra":{"v":[1.50,2,"x\"y"],"e":1E2,"s":-0.0,"z":[-0,0]},"embedded_any":"[0.10, {\"a\": 2e-9, \"z\": -0}]"}"#;
    n.normalize_bytes(record.as_bytes(), normalog::Position::default(), &mut out)
        .expect("collect");
    assert_eq!(out.events.len(), 1, "{:?}", out.rejects);
    let event = &out.events[0];
    assert!(
        event.contains(r#""extra":{"v":[1.50,2,"x\"y"],"e":1E2,"s":-0.0,"z":[-0,0]}"#),
        "{event}"
    );
    assert!(
        event.contains(r#""embedded_any":[0.10,{"a":2e-9,"z":-0}]"#),
        "{event}"
    );
}

/// A `json` value keeps a number beyond a float's range as written (Panther keeps the
/// value raw), with JSON log types alone and with a text log type loaded beside them (two
/// ways through the normalizer); the record after it is read as usual.
#[test]
fn json_values_keep_numbers_beyond_float_range() {
    let mut registry = util::registry("rich.yml");
    registry
        .add_str(
            "schema: Custom.Line\nparser:\n  regex:\n    match: ['^LINE %{GREEDYDATA:rest}$']\nfields:\n  - {name: rest, type: string}\n",
            "line.yml",
        )
        .expect("schema");
    let records = [
        r#"{"id":1,"extra":{"v":[1e400,2,"1e400"],"w":-9E+999}}"#,
        "LINE 1e400",
        r#"{"id":1e400}"#,
        r#"{"id":2,"msg":1.0}"#,
    ];
    for (types, events, rejects) in [
        (&["Custom.Rich"][..], 2, 2),
        (&["Custom.Rich", "Custom.Line"][..], 3, 1),
    ] {
        let mut n = normalog::NormalizerBuilder::new()
            .log_types(types.iter().copied())
            .build(&registry)
            .expect("build");
        let mut out = normalog::sink::Collect::default();
        for record in records {
            n.normalize_bytes(record.as_bytes(), normalog::Position::default(), &mut out)
                .expect("collect");
        }
        assert_eq!(out.events.len(), events, "{types:?}: {:?}", out.rejects);
        assert_eq!(out.rejects.len(), rejects, "{types:?}: {:?}", out.rejects);
        assert!(
            out.events[0].contains(r#""extra":{"v":[1e400,2,"1e400"],"w":-9E+999}"#),
            "{}",
            out.events[0]
        );
        let last = out.events.last().map_or("", String::as_str);
        assert!(last.starts_with(r#"{"id":2,"msg":"1.0","#), "{last}");
        assert!(
            out.rejects
                .iter()
                .any(|r| r.ends_with("field \"id\": number out of range for its type: 1e400")),
            "{:?}",
            out.rejects
        );
    }
}

/// A Unix time out of range (milliseconds in a `unix` field, the usual mistake) says so and
/// names the unit in which it is in range; a value no unit reads is left at "does not match".
#[test]
fn unix_time_out_of_range_names_the_unit_that_fits() {
    let mut registry = normalog::Registry::new();
    registry
        .add_str(
            "schema: Custom.Unix\nfields:\n  - {name: u, type: timestamp, timeFormat: unix}\n  - {name: m, type: timestamp, timeFormats: [unix_ms, unix_us]}\n",
            "u.yml",
        )
        .expect("schema");
    let mut n = normalog::NormalizerBuilder::new()
        .build(&registry)
        .expect("normalizer");
    let mut reject = |line: &str| {
        let mut out = normalog::sink::Collect::default();
        n.normalize_bytes(line.as_bytes(), normalog::Position::default(), &mut out)
            .expect("collect");
        out.rejects.first().cloned().unwrap_or_default()
    };
    let r = reject(r#"{"u":1709251200000}"#);
    assert!(
        r.ends_with("does not match time format unix: 1709251200000 (out of range as unix: years 0000 to 9999 only; in range as unix_ms)"),
        "{r}"
    );
    let r = reject(r#"{"u":"1709251200000000"}"#);
    assert!(r.ends_with("in range as unix_us)"), "{r}");
    let r = reject(r#"{"m":1709251200000000000}"#);
    assert!(
        r.ends_with("out of range as unix_us: years 0000 to 9999 only; in range as unix_ns)"),
        "{r}"
    );
    // A float is read by unix alone: no other unit is named for it...
    let r = reject(r#"{"u":1709251200000.5}"#);
    assert!(
        r.ends_with("unix: 1709251200000.5 (out of range as unix: years 0000 to 9999 only)"),
        "{r}"
    );
    let r = reject(r#"{"u":-62167219200.5}"#);
    assert!(
        r.ends_with("unix: -62167219200.5 (out of range as unix: years 0000 to 9999 only)"),
        "{r}"
    );
    // ...and one whose float is past the range, its decimal text not, says so.
    let r = reject(r#"{"u":253402300799.999999}"#);
    assert!(
        r.ends_with("unix: 253402300799.999999 (out of range as unix: years 0000 to 9999 only; it is read as the float 253402300800)"),
        "{r}"
    );
    // Integer units read no fraction: the hint says that, not a range.
    let r = reject(r#"{"m":1.7e18}"#);
    assert!(
        r.ends_with("unix_ms | unix_us: 1.7e18 (a number with a fraction or an exponent: of the time formats, only unix reads one)"),
        "{r}"
    );
    let r = reject(r#"{"u":"soon"}"#);
    assert!(
        r.ends_with("does not match time format unix: \"soon\""),
        "{r}"
    );
    // NaN and infinities are not numbers, so not out of range either.
    for text in ["NaN", "Infinity", "-inf"] {
        let r = reject(&format!(r#"{{"u":"{text}"}}"#));
        assert!(
            r.ends_with(&format!("does not match time format unix: \"{text}\"")),
            "{r}"
        );
    }
}

/// No event time comes from an array of timestamps, as in Panther (review s41-h1 HIGH-1):
/// `p_event_time` is the next event-time field that has a value, one in an object in an
/// array too, else the parse time.
#[test]
fn an_array_of_timestamps_is_never_the_event_time() {
    let mut registry = normalog::Registry::new();
    registry
        .add_str(
            "schema: Custom.Times\nfields:\n  - {name: ts, type: array, element: {type: timestamp, timeFormat: rfc3339, isEventTime: true}}\n  - {name: o, type: array, element: {type: object, fields: [{name: t, type: timestamp, timeFormat: rfc3339, isEventTime: true}]}}\n",
            "t.yml",
        )
        .expect("schema");
    let mut n = normalog::NormalizerBuilder::new()
        .build(&registry)
        .expect("normalizer");
    let mut event_time = |line: &str| {
        let mut bytes = line.as_bytes().to_vec();
        let event = n
            .normalize(&mut bytes, normalog::Position::default())
            .expect("accepted");
        (!event.event_time_is_parse_time()).then(|| event.event_time().to_rfc3339())
    };
    assert_eq!(
        event_time(r#"{"ts":["2021-01-01T00:00:00Z"],"o":[{"t":"2022-01-01T00:00:00Z"}]}"#)
            .as_deref(),
        Some("2022-01-01T00:00:00+00:00")
    );
    assert_eq!(event_time(r#"{"ts":["2021-01-01T00:00:00Z"]}"#), None);
}
