//! API pages found without `--envelope`: only objects none of whose keys is a field of a log
//! type tried are pages; a refused record that holds an array is that record, rejected.

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
        // Pages: no key is a field of Custom.App.
        r#"{"audit_logs":[],"next_page":null,"count":0}"#,
        r#"{"items":[{"user":"frank","ts":"2023-07-01T14:00:04Z"}],"next_page":null}"#,
        // No key of Custom.App, but keys no page has (review s45-h5 LOW-2).
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

/// A page's paging keys count whatever the schemas tried name: a schema of e-mail logs with
/// `from` and `to` loaded beside the built-in ones took Zoom's pages for refused records of
/// its own (review s45-h5 MEDIUM-2).
#[test]
fn paging_keys_make_a_page_whatever_the_schemas_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let schema = dir.path().join("mail.yml");
    std::fs::write(
        &schema,
        "schema: Custom.Mail\nfields:\n  - {name: from, type: string, required: true}\n  \
         - {name: to, type: string, required: true}\n  - {name: subject, type: string, required: true}\n",
    )
    .expect("write schema");
    let page = r#"{"from":"2024-03-01","to":"2024-03-02","page_size":300,"next_page_token":"","activity_logs":[{"email":"ann@example.com","time":"2024-03-01T10:00:00Z","type":"Sign in"}]}"#;
    let mail = r#"{"from":"a@example.com","to":"b@example.com","subject":"hi"}"#;
    let schema = schema.to_str().expect("utf-8 path");
    // Refused mails whose other keys are paging keys, but all of them the schema's fields:
    // records, rejected (review s45-h6 HIGH-2: the first vanished as an empty page, the
    // second became an event of the message it quotes).
    let vanished = r#"{"from":"a@example.com","to":"b@example.com","cc":[]}"#;
    let quoting = r#"{"from":"a@example.com","to":"b@example.com","thread":[{"from":"c@example.com","to":"d@example.com","subject":"Re"}]}"#;
    let input = format!("{page}\n{mail}\n{vanished}\n{quoting}\n");
    let o = run(
        &["normalize", "-s", schema, "--builtin", "--stats", "-"],
        &input,
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let types: Vec<_> = events(&o).iter().map(|e| e["p_log_type"].clone()).collect();
    assert_eq!(types, ["Zoom.Activity", "Custom.Mail"], "{err}");
    assert!(
        err.contains("records: 4 in, 2 normalized, 2 rejected (0 blank lines skipped)"),
        "{err}"
    );
}
