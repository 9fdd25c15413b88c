//! Messages for the mistakes a new user makes first: each says what was wrong and what to
//! give instead.

use crate::{run, stderr, stdout, util};

/// An output file whose directory does not exist says so, instead of a bare "No such file
/// or directory" that reads as if the input were missing.
#[test]
fn an_output_in_a_missing_directory_names_the_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("no-such-dir");
    let sample = util::data("samples/zoom_activity.jsonl");
    let sample = sample.to_str().expect("path");
    let out = missing.join("events.ndjson");
    let gz = missing.join("logs.gz");
    for args in [
        vec!["normalize", "-o", out.to_str().expect("path"), sample],
        vec![
            "normalize",
            "--rejects",
            out.to_str().expect("path"),
            sample,
        ],
        vec!["gen", "-n", "1", "-o", gz.to_str().expect("path")],
    ] {
        let o = run(&args, "");
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(&format!(
                "cannot create this output file: its directory {} does not exist",
                missing.display()
            )),
            "{args:?}: {err}"
        );
    }
}

/// A count of 0 names its flag.
#[test]
fn bench_names_the_flag_that_is_zero() {
    for flag in ["--records", "--repeat", "--threads"] {
        let o = run(&["bench", flag, "0"], "");
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!("{flag} 0: must be at least 1")),
            "{err}"
        );
    }
}

/// A Zendesk host name given for the account's name: the name to give is said.
#[test]
fn a_zendesk_host_for_the_subdomain_says_the_name_to_give() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let lake = dir.path().join("lake");
    for given in ["acme.zendesk.com", "https://acme.zendesk.com/"] {
        let o = run(
            &[
                "pull",
                "zendesk",
                "--subdomain",
                given,
                "--state",
                state.to_str().expect("path"),
                "-o",
                lake.to_str().expect("path"),
            ],
            "",
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains("(give the account's name alone: --subdomain acme)"),
            "{err}"
        );
    }
}

/// A table mistyped for `compact -t` gets the one meant, and the lake is named once; the
/// table is named as it was given (review finding: `-t Nope` said `no table "nope"`).
#[test]
fn compact_suggests_the_table_meant() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = dir.path().join("lake");
    let lake = lake.to_str().expect("path");
    let sample = util::data("samples/zoom_activity.jsonl");
    let o = run(
        &[
            "normalize",
            "-q",
            "--format",
            "parquet",
            "-o",
            &format!("{lake}/"),
            sample.to_str().expect("path"),
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&["compact", "-t", "Zoom.Activty", lake], "");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "{lake}: compaction stopped: no table \"Zoom.Activty\" in this lake; did you mean \
             `zoom_activity`? (tables: zoom_activity)"
        )),
        "{err}"
    );
    let o = run(&["compact", "-t", "Nope", lake], "");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "{lake}: compaction stopped: no table \"Nope\" in this lake (tables: zoom_activity)"
        )),
        "{err}"
    );
    // A log type's name is its table: compacted, not refused.
    let o = run(&["compact", "-q", "-t", "Zoom.Activity", lake], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// `--row-group-rows 0` is refused in the same words by compact and normalize (review
/// finding: compact gave clap's "0 is not in 1..18446744073709551615").
#[test]
fn row_group_rows_0_is_refused_alike_by_compact_and_normalize() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = dir.path().join("lake");
    let lake = lake.to_str().expect("path");
    let expected = "normalog: error: invalid value '0' for '--row-group-rows <N>': must be at \
                    least 1\n\nFor more information, try '--help'.\n";
    for args in [
        vec!["compact", "--row-group-rows", "0", lake],
        vec![
            "normalize",
            "--format",
            "parquet",
            "--row-group-rows",
            "0",
            "-o",
            lake,
        ],
    ] {
        let o = run(&args, "");
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&o), expected, "{args:?}");
    }
}

/// A file of log records given as a schema is said to be one.
#[test]
fn records_given_as_a_schema_are_said_to_be_records() {
    let sample = util::data("samples/zoom_activity.jsonl");
    let o = run(&["schema", "check", sample.to_str().expect("path")], "");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("this file holds JSON records, one per line, not a schema"),
        "{err}"
    );
}

/// A file named with a newline or a terminal escape sequence: its rejects stay one line
/// each, and the escape never reaches the terminal (review finding: both went to stderr as
/// they were).
#[test]
fn odd_file_names_are_escaped_in_messages() {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["a\nb.jsonl", "x\u{1b}[31m.jsonl"] {
        std::fs::write(dir.path().join(name), "{bad\n").expect("write");
    }
    let o = run(&["normalize", dir.path().to_str().expect("path")], "");
    let err = stderr(&o);
    assert!(!err.contains('\u{1b}'), "{err}");
    let rejects: Vec<&str> = err.lines().filter(|l| l.contains("invalid JSON")).collect();
    assert_eq!(rejects.len(), 2, "{err}");
    assert!(rejects[0].contains("a\\nb.jsonl: record 0"), "{err}");
    assert!(rejects[1].contains("x\\u{1b}[31m.jsonl: record 0"), "{err}");
    // A schema file's name in its errors, too.
    let schema = dir.path().join("s\nx.yml");
    std::fs::write(&schema, "schema: Custom.Odd\n").expect("write");
    let o = run(&["schema", "check", schema.to_str().expect("path")], "");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("s\\nx.yml:"), "{err}");
}

/// Two ways to authenticate are named as two, not answered with the words of none given
/// (review s41-h4 L1).
#[test]
fn two_ways_to_authenticate_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let state = state.to_str().expect("path");
    let both = run(
        &[
            "pull",
            "zendesk",
            "--subdomain",
            "acme",
            "--email",
            "a@b.c",
            "--client-id",
            "x",
            "--state",
            state,
        ],
        "",
    );
    let err = stderr(&both);
    assert_eq!(both.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--email and --client-id cannot go together: give one way"),
        "{err}"
    );
    let none = run(
        &["pull", "zendesk", "--subdomain", "acme", "--state", state],
        "",
    );
    let err = stderr(&none);
    assert_eq!(none.status.code(), Some(2), "{err}");
    assert!(
        err.contains("normalog: give one way to authenticate"),
        "{err}"
    );
}

/// `--target-file-size`, a flag of normalize, given to pull: the reason it has none, not a
/// suggestion of `--client-secret-file` (review s41-h4 L2); and it is not in pull's help.
#[test]
fn target_file_size_on_pull_says_why_there_is_none() {
    let o = run(
        &[
            "pull",
            "zoom",
            "--account-id",
            "a",
            "--client-id",
            "c",
            "--state",
            "s.json",
            "--target-file-size",
            "1M",
        ],
        "",
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("pull has no --target-file-size"), "{err}");
    assert!(!err.contains("--client-secret-file"), "{err}");
    let help = stdout(&run(&["pull", "zoom", "--help"], ""));
    assert!(!help.contains("--target-file-size"), "{help}");
}

/// An empty log type name is said to be empty, not answered with `-s PATH` as a log type
/// of one's own would be (review s41-h4 L6).
#[test]
fn an_empty_log_type_is_said_to_be_empty() {
    let o = run(&["normalize", "-t", ""], "");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("the name given is empty"), "{err}");
    assert!(!err.contains("-s PATH"), "{err}");
}

/// A pull's secret flags of another way to authenticate, or two sources of one secret, are
/// refused, naming both flags (review s45-h4 LOW-5: `--token-file` left in a cron line
/// beside `--client-id` was ignored, and `--token-file` silently won over `--token-env`).
#[cfg(feature = "pull")]
#[test]
fn pull_refuses_secret_flags_that_would_be_ignored() {
    let zendesk = [
        "pull",
        "zendesk",
        "--subdomain",
        "acme",
        "--state",
        "s.json",
    ];
    let zoom = [
        "pull",
        "zoom",
        "--account-id",
        "a",
        "--client-id",
        "c",
        "--state",
        "s.json",
    ];
    for (base, more, pair) in [
        (
            &zendesk[..],
            &["--email", "a@b.c", "--token-env", "T", "--token-file", "t"][..],
            ("--token-env", "--token-file"),
        ),
        (
            &zendesk[..],
            &["--client-id", "c", "--token-file", "t"][..],
            ("--client-id", "--token-file"),
        ),
        (
            &zendesk[..],
            &["--email", "a@b.c", "--scope", "read"][..],
            ("--email", "--scope"),
        ),
        (
            &zendesk[..],
            &["--bearer-env", "B", "--client-secret-env", "S"][..],
            ("--client-secret-env", "--bearer-env"),
        ),
        (
            &zoom[..],
            &["--client-secret-env", "S", "--client-secret-file", "f"][..],
            ("--client-secret-env", "--client-secret-file"),
        ),
    ] {
        let args: Vec<&str> = base.iter().chain(more).copied().collect();
        let o = run(&args, "");
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("cannot be used with") && err.contains(pair.0) && err.contains(pair.1),
            "{args:?}: {err}"
        );
    }
}
