//! API pages found without `--envelope`: only the vendors' page fields (`audit_logs`,
//! `activity_logs`, `operation_logs`, and `audit_log` alone) make a page; a refused record
//! that holds an array anywhere else is that record, rejected.

use super::{events, run, stderr};

/// Review s45-h2 HIGH-1: a refused record holding an empty array under a key its schema
/// does not name was taken for an empty API page and vanished (no event, no reject, not
/// counted, exit 0), and one holding an array of objects was replaced by them (an event
/// made of an item, the record's own refusal lost).
#[test]
fn a_refused_record_holding_an_array_is_rejected_not_unwrapped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let schema = dir.path().join("app.yml");
    std::fs::write(
        &schema,
        "schema: Custom.App\nfields:\n  - {name: user, type: string, required: true}\n  \
         - {name: ts, type: timestamp, timeFormat: rfc3339, isEventTime: true}\n",
    )
    .expect("write schema");
    let input = [
        r#"{"user":"alice","ts":"2023-07-01T14:00:00Z","groups":[]}"#,
        r#"{"usr":"bob","ts":"2023-07-01T14:00:01Z","groups":[]}"#,
        r#"{"user":"carol","ts":"2023-07-01 14:00:02","groups":[]}"#,
        r#"{"usr":"eve","ts":"2023-07-01T14:00:03Z","items":[{"user":"mallory"}]}"#,
        // Pages: a vendor's page field.
        r#"{"audit_logs":[],"next_page":null,"count":0}"#,
        r#"{"audit_logs":[{"user":"frank","ts":"2023-07-01T14:00:04Z"}],"next_page":null}"#,
        // No key of Custom.App (review s45-h5 LOW-2), or paging keys beside an array under
        // another name (s45-h9 HIGH-1): records, refused.
        r#"{"usr":"zed","groups":[]}"#,
    ]
    .join("\n");
    let schema = schema.to_str().expect("utf-8 path");
    let o = run(&["normalize", "-s", schema, "--stats", "-"], &input);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let users: Vec<_> = events(&o).iter().map(|e| e["user"].clone()).collect();
    assert_eq!(users, ["alice", "frank"], "{err}");
    assert!(
        err.contains(
            "records: 6 in, 2 normalized, 4 rejected (0 blank lines skipped, \
             1 API page without records)"
        ),
        "{err}"
    );
    for (record, says) in [
        (
            "record 1 (line 2, byte 57)",
            "missing required field \"user\"",
        ),
        (
            "record 2 (line 3, byte 111)",
            "does not match time format rfc3339",
        ),
        (
            "record 3 (line 4, byte 167)",
            "missing required field \"user\"",
        ),
        ("(line 7, byte", "missing required field \"user\""),
    ] {
        assert!(
            err.lines().any(|l| l.contains(record) && l.contains(says)),
            "{record}: {err}"
        );
    }
}

/// Only the vendors' page fields make a page without `--envelope`, whatever else the
/// object holds and whatever fields the schemas tried have: a schema of e-mail logs with
/// `from` and `to` took Zoom's pages for its own refused records (review s45-h5 MEDIUM-2);
/// refused mails with `"cc":[]` or a quoted thread beside keys named like paging data
/// vanished as empty pages or became the quoted message (s45-h6 HIGH-2, s45-h9 HIGH-1); a
/// schema with `meta` and `links` fields made Zendesk's pages its refused records (s45-h9
/// MEDIUM-1). Another API's page is unwrapped with `--envelope`.
#[test]
fn only_the_vendors_page_fields_make_a_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let schema = dir.path().join("mail.yml");
    std::fs::write(
        &schema,
        "schema: Custom.Mail\nfields:\n  - {name: from, type: string, required: true}\n  \
         - {name: to, type: string, required: true}\n  - {name: subject, type: string, required: true}\n  \
         - {name: meta, type: json}\n  - {name: links, type: json}\n",
    )
    .expect("write schema");
    let zoom = r#"{"from":"2024-03-01","to":"2024-03-02","page_size":300,"next_page_token":"","activity_logs":[{"email":"ann@example.com","time":"2024-03-01T10:00:00Z","type":"Sign in"}]}"#;
    let zendesk = r#"{"audit_logs":[{"id":1,"action":"create","created_at":"2024-03-01T10:00:00Z"}],"meta":{"has_more":false},"links":{"next":null}}"#;
    let mail = r#"{"from":"a@example.com","to":"b@example.com","subject":"hi"}"#;
    let vanished = r#"{"from":"a@example.com","to":"b@example.com","count":1,"cc":[]}"#;
    let quoting = r#"{"from":"a@example.com","to":"b@example.com","cursor":"x","thread":[{"from":"c@example.com","to":"d@example.com","subject":"Re"}]}"#;
    let other_api =
        r#"{"data":[{"from":"e@example.com","to":"f@example.com","subject":"x"}],"cursor":"y"}"#;
    let input = format!("{zoom}\n{zendesk}\n{mail}\n{vanished}\n{quoting}\n{other_api}\n");
    let schema = schema.to_str().expect("utf-8 path");
    let o = run(
        &["normalize", "-s", schema, "--builtin", "--stats", "-"],
        &input,
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let types: Vec<_> = events(&o).iter().map(|e| e["p_log_type"].clone()).collect();
    assert_eq!(
        types,
        ["Zoom.Activity", "Zendesk.Audit", "Custom.Mail"],
        "{err}"
    );
    assert!(
        err.contains("records: 6 in, 3 normalized, 3 rejected (0 blank lines skipped)"),
        "{err}"
    );
    // Named, the other API's page is unwrapped.
    let o = run(
        &["normalize", "-s", schema, "--envelope", "data", "-q", "-"],
        &format!("{other_api}\n"),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(events(&o)[0]["from"], "e@example.com");
}
