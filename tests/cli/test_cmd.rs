//! `normalog test` when some files do not load, and the report of `--update` when a file
//! cannot be rewritten.

use std::path::Path;
use std::process::Output;

use normalog::schematest::{LoadError, Outcome, Suite, TestFile};

use crate::{normalog, stderr, stdout, util};

/// `normalog test ARGS` run in `dir`, so that messages name files as given.
fn test_in(dir: &Path, args: &[&str]) -> Output {
    normalog()
        .arg("test")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run normalog")
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn shipped() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas")
}

/// The number of cases in the shipped test file `rel` (under schemas/).
fn shipped_cases(rel: &str) -> usize {
    TestFile::from_file(&shipped().join(rel))
        .expect("shipped tests load")
        .cases
        .len()
}

/// One schema of a directory with an error: the others' cases still run and are reported,
/// the broken file is named with its problem, and the run exits 2. The broken file is an
/// edited copy of a shipped schema, so its cases must not quietly run against the built-in
/// schema of the same name instead.
#[test]
fn a_broken_schema_in_a_directory_leaves_the_others_running() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&shipped(), &dir.path().join("schemas"));
    let operation = dir.path().join("schemas/zoom/Operation.yml");
    let text = std::fs::read_to_string(&operation).expect("read");
    let broken = text.replacen("type: string", "type: strang", 1);
    assert_ne!(broken, text, "the schema has a string field to break");
    std::fs::write(&operation, broken).expect("write");

    let out = test_in(dir.path(), &["schemas"]);
    let (o, e) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(2), "{o}{e}");
    let not_run = shipped_cases("zoom/tests/Operation.yml");
    let ran = ["zendesk/tests/Audit.yml", "zoom/tests/Activity.yml"]
        .map(shipped_cases)
        .iter()
        .sum::<usize>();
    assert!(
        o.ends_with(&format!("{ran} passed, {not_run} failed\n")),
        "{o}"
    );
    assert_eq!(o.lines().filter(|l| l.starts_with("ok   ")).count(), ran);
    let why = "     error: not run: log type Zoom.Operation is defined in \
               schemas/zoom/Operation.yml, which did not load (see its errors)";
    assert_eq!(o.lines().filter(|l| *l == why).count(), not_run, "{o}");
    // The problem first, with file, line and column; after the report, which may have
    // scrolled it away, which file did not load.
    let first = e.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("normalog: schemas/zoom/Operation.yml:")
            && first.contains(": unknown type `strang`"),
        "{e}"
    );
    assert!(
        e.ends_with(&format!(
            "normalog: {not_run} cases could not run (their errors are in the report)\n\
             normalog: schemas/zoom/Operation.yml did not load (see its errors above); the \
             rest ran\n"
        )),
        "{e}"
    );
}

/// A log type that two schema files define: which one its cases are for is unclear, so they
/// do not run (against the first, say), and the second file is the one reported.
#[test]
fn a_log_type_defined_twice_does_not_run_its_cases() {
    let dir = tempfile::tempdir().expect("tempdir");
    let schema = "schema: Custom.App\nfields:\n  - name: a\n    type: string\n";
    std::fs::write(dir.path().join("1.yml"), schema).expect("write");
    let other = format!("{schema}  - name: b\n    type: int\n");
    std::fs::write(dir.path().join("2.yml"), other).expect("write");
    std::fs::write(
        dir.path().join("app_tests.yml"),
        "name: x\nlogType: Custom.App\ninput: '{\"a\": \"y\"}'\nresult: '{\"a\": \"y\", \
         \"p_log_type\": \"Custom.App\"}'\n",
    )
    .expect("write");
    let (suite, errors) = Suite::load_partial(&[dir.path()]);
    let origins: Vec<_> = errors.iter().map(LoadError::origin).collect();
    assert_eq!(
        origins,
        [Some(&*dir.path().join("2.yml").to_string_lossy())]
    );
    let report = suite.run();
    let outcomes: Vec<_> = report.cases().map(|c| &c.outcome).collect();
    assert!(
        matches!(&outcomes[..], [Outcome::Error(m)] if m.ends_with("2.yml, which did not load (see its errors)")),
        "{outcomes:?}"
    );
}

/// The same for a test file that does not load, among others that do.
#[test]
fn a_broken_test_file_leaves_the_others_running() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        shipped().join("zoom/tests/Activity.yml"),
        dir.path().join("activity_tests.yml"),
    )
    .expect("copy");
    std::fs::write(
        dir.path().join("bad_tests.yml"),
        "name: x\nlogType: Zoom.Activity\ninput: '{}'\nreslt: '{}'\n",
    )
    .expect("write");
    let out = test_in(dir.path(), &["."]);
    let (o, e) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(2), "{o}{e}");
    let cases = shipped_cases("zoom/tests/Activity.yml");
    assert!(o.ends_with(&format!("{cases} passed, 0 failed\n")), "{o}");
    assert_eq!(
        e,
        "normalog: ./bad_tests.yml:4:1: unknown key \"reslt\" in test case (did you mean \
         `result`?)\n\
         normalog: ./bad_tests.yml did not load (see its errors above); the rest ran\n"
    );
}

/// One bad schema named alone: its errors, nothing else (no empty report, no "no test
/// cases found"), exit 2.
#[test]
fn a_broken_schema_named_alone_says_only_what_is_wrong() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("App.yml"),
        "schema: Custom.App\nfields:\n  - name: a\n    type: strang\n",
    )
    .expect("write");
    let out = test_in(dir.path(), &["App.yml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
    let e = stderr(&out);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(
        e.starts_with("normalog: App.yml:4:11: unknown type `strang`"),
        "{e}"
    );
}

/// `--update` with a file it cannot rewrite (a case written as a flow mapping): the files it
/// did rewrite are still said, the other's cases still fail, exit 1.
#[test]
fn update_says_what_it_rewrote_beside_a_file_it_could_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        util::data("schematest/failing/activity_tests.yml"),
        dir.path().join("a_tests.yml"),
    )
    .expect("copy");
    std::fs::write(
        dir.path().join("b_tests.yml"),
        "--- {name: flow, logType: Zoom.Activity, results: [], input: \
         '{\"email\": \"ann@example.com\", \"time\": \"2023-05-16T13:41:07Z\"}'}\n",
    )
    .expect("write");
    let out = test_in(dir.path(), &["--update", "a_tests.yml", "b_tests.yml"]);
    let (o, e) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{o}{e}");
    assert!(
        o.ends_with(
            "1 passed, 4 updated, 1 failed\n\
             updated 4 expected results in a_tests.yml\n"
        ),
        "{o}"
    );
    assert!(o.contains("\nFAIL flow (b_tests.yml:1)\n"), "{o}");
    assert!(
        e.starts_with(
            "normalog: b_tests.yml: case \"flow\" is not written as a block mapping; rewrite \
             its result by hand\n"
        ),
        "{e}"
    );
    let again = test_in(dir.path(), &["a_tests.yml"]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
}

/// A schema file named alone runs the tests beside it, as naming its directory does: here
/// zoom/Activity.yml runs zoom/tests/Activity.yml, and not zoom/tests/Operation.yml, whose
/// cases are another schema's. (It found no test case, and said to put them where it
/// then did not look.)
#[test]
fn a_schema_file_named_alone_runs_the_tests_beside_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&shipped().join("zoom"), &dir.path().join("zoom"));
    let out = test_in(dir.path(), &["zoom/Activity.yml"]);
    let (o, e) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{o}{e}");
    let cases = shipped_cases("zoom/tests/Activity.yml");
    assert!(o.ends_with(&format!("{cases} passed, 0 failed\n")), "{o}");
    let in_file = o
        .lines()
        .filter(|l| l.contains("(zoom/tests/Activity.yml:"));
    assert_eq!(in_file.count(), cases, "{o}");
    assert_eq!(e, "");
}

/// Which tests beside a named schema run: those of its log type, from its directory's
/// tests/ and its *_tests.yml neighbours; a test file named runs alone.
#[test]
fn the_tests_beside_a_schema_are_those_of_its_log_type() {
    let dir = tempfile::tempdir().expect("tempdir");
    let schema = |name: &str| format!("schema: {name}\nfields:\n  - name: a\n    type: string\n");
    let case = |name: &str, log_type: &str| {
        format!(
            "---\nname: {name}\nlogType: {log_type}\ninput: '{{\"a\": \"y\"}}'\nresult: \
             '{{\"a\": \"y\", \"p_log_type\": \"{log_type}\"}}'\n"
        )
    };
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write("s/App.yml", &schema("Custom.App"));
    write("s/Other.yml", &schema("Custom.Other"));
    write(
        "s/tests/both.yml",
        &(case("app in tests", "Custom.App") + &case("other in tests", "Custom.Other")),
    );
    write("s/app_tests.yml", &case("app beside", "Custom.App"));
    write("s/other_tests.yml", &case("other beside", "Custom.Other"));

    let out = test_in(dir.path(), &["s/App.yml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "ok   app beside (s/app_tests.yml:2)\n\
         ok   app in tests (s/tests/both.yml:2)\n\
         2 passed, 0 failed\n"
    );
    let out = test_in(dir.path(), &["s/App.yml", "s/app_tests.yml"]);
    assert_eq!(
        stdout(&out),
        "ok   app beside (s/app_tests.yml:2)\n1 passed, 0 failed\n"
    );
}

/// A test file named but refused (not UTF-8 here) is said once, and the test files beside
/// the named schema are not read in its place: a neighbour that is broken too is not named.
#[test]
fn a_refused_test_file_named_is_said_once_and_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let schema = "schema: Custom.App\nfields:\n  - name: a\n    type: string\n";
    std::fs::write(dir.path().join("App.yml"), schema).expect("write");
    // The é of the case in Latin-1: one byte that is not UTF-8.
    let case = "---\nname: one\nlogType: Custom.App\ninput: '{\"a\": \"é\"}'\n";
    let named: Vec<u8> = case
        .replace('é', "\u{1}")
        .bytes()
        .map(|b| if b == 1 { 0xe9 } else { b })
        .collect();
    std::fs::write(dir.path().join("named_tests.yml"), named).expect("write");
    std::fs::write(dir.path().join("other_tests.yml"), format!("\0{case}")).expect("write");

    let out = test_in(dir.path(), &["App.yml", "named_tests.yml"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let e = stderr(&out);
    assert_eq!(e.matches("named_tests.yml:4:").count(), 1, "{e}");
    assert!(e.contains("not UTF-8"), "{e}");
    assert!(!e.contains("other_tests.yml"), "{e}");
    // Reached twice (named, and in a directory named; or named twice): said once.
    for args in [
        [".", "named_tests.yml", "App.yml"],
        ["named_tests.yml", "./named_tests.yml", "App.yml"],
    ] {
        let e = stderr(&test_in(dir.path(), &args));
        assert_eq!(e.matches("named_tests.yml:4:").count(), 1, "{args:?}: {e}");
    }
}

/// A path that does not exist is said as `schema check` and `normalize -s` say it ("cannot
/// read the schema file: no such file ..."), not in the system's own words alone ("No such
/// file or directory (os error 2)"), and what the file was to be is named.
#[test]
fn a_missing_path_is_said_as_schema_check_says_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (args, said) in [
        (
            &["nothere.yml"][..],
            "nothere.yml: cannot read the schema or test file: ",
        ),
        (
            &["-s", "nothere.yml"],
            "nothere.yml: cannot read the schema or test file: ",
        ),
        (
            &["nothere_tests.yml"],
            "nothere_tests.yml: cannot read the test file: ",
        ),
    ] {
        let out = test_in(dir.path(), args);
        let e = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {e}");
        assert_eq!(stdout(&out), "", "{args:?}");
        assert_eq!(e.lines().count(), 1, "{args:?}: {e}");
        assert!(
            e.starts_with(&format!("normalog: {said}no such file or directory")),
            "{args:?}: {e}"
        );
    }
    let check = normalog()
        .args(["schema", "check", "nothere.yml"])
        .current_dir(dir.path())
        .output()
        .expect("run");
    assert!(
        stderr(&check).starts_with(
            "normalog: nothere.yml: cannot read the schema file: no such file or directory"
        ),
        "{}",
        stderr(&check)
    );
}

/// `--update` when every case passes: the report says that nothing needed rewriting (not
/// the plain report, as if the flag had been left out), the file is untouched, exit 0.
#[test]
fn update_with_every_case_passing_says_nothing_needed_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("activity_tests.yml");
    std::fs::copy(shipped().join("zoom/tests/Activity.yml"), &path).expect("copy");
    let before = std::fs::read_to_string(&path).expect("read");
    let out = test_in(dir.path(), &["--update", "activity_tests.yml"]);
    let (o, e) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{o}{e}");
    let cases = shipped_cases("zoom/tests/Activity.yml");
    assert!(
        o.ends_with(&format!(
            "{cases} passed, 0 updated, 0 failed\nnothing to update: every case passed\n"
        )),
        "{o}"
    );
    assert_eq!(e, "");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), before);
}

/// `--help` says what the two cases above do: a file that does not load leaves the others
/// running (exit 2), and `--update` marks what it rewrote; `-s` says it is PATH again.
#[test]
fn help_says_what_a_broken_file_and_update_do() {
    let help = stdout(&normalog().args(["test", "--help"]).output().expect("run"));
    let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
    for said in [
        "it is reported, and the other files' cases still run",
        "The report marks each rewritten case `upd`",
        "A case that no expectation can make pass is left as it is, still fails",
        "the same as giving it as PATH",
    ] {
        assert!(flat.contains(said), "--help lacks {said:?}:\n{help}");
    }
}

/// `--update` leaves a case that no expectation makes pass as it is (review finding: a text
/// case whose first line gave an event and whose second was rejected got `result:` with the
/// event, was reported `upd`, "updated 1 expected result", exit 0, and failed the next run).
/// A case expects either events or one reject: stderr names each input line and what it gave,
/// says to split the input, and the run exits 1. The other cases of the file are rewritten,
/// and the case left is named at its line in the file as rewritten.
#[test]
fn update_leaves_a_case_whose_lines_give_events_and_rejects_as_it_is() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        util::data("schematest/text/VpnSession.yml"),
        dir.path().join("VpnSession.yml"),
    )
    .expect("copy");
    let connect = "2023-07-01 14:00:00 CONNECT user=alice src=10.0.0.1 port=443 duration=35.5s";
    let bad_port = "2023-07-01 14:00:00 CONNECT user=alice src=10.0.0.1 port=x duration=35.5s";
    let text = format!(
        "name: garbage alone\nlogType: Custom.VpnSession\ninput: garbage\n\
         ---\nname: event and reject\nlogType: Custom.VpnSession\ninput: |\n  {connect}\n  garbage\n\
         ---\nname: two reasons\nlogType: Custom.VpnSession\ninput: |\n  garbage\n  {bad_port}\n"
    );
    let path = dir.path().join("vpn_tests.yml");
    std::fs::write(&path, &text).expect("write");

    let out = test_in(dir.path(), &["--update", "VpnSession.yml", "vpn_tests.yml"]);
    let (o, e) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{o}{e}");
    let no_pattern = "Custom.VpnSession: line matches no pattern (tried \"%{time} CONNECT \
                      user=%{user} src=%{src_ip} port=%{port} dura\"..., \"%{time} DENY \
                      user=%{user} src=%{src_ip} reason=\\\"%{reason}\\\"\")";
    let not_int = "Custom.VpnSession: field \"port\": string is not a valid int: \"x\"";
    // `garbage alone` gained an `error:` line: the cases after it moved down by one.
    assert_eq!(
        o,
        format!(
            "upd  garbage alone (vpn_tests.yml:1)
FAIL event and reject (vpn_tests.yml:6)
     input line 2 rejected: {no_pattern}
     expected no event and no reject (\"error\" expects a reject), got 1 event (input line 1) \
             and 1 rejected line
     a case expects either events or a reject: split its input into cases
FAIL two reasons (vpn_tests.yml:12)
     input line 1 rejected: {no_pattern}
     input line 2 rejected: {not_int}
     expected no event and no reject (\"error\" expects a reject), got no event and 2 \
             rejected lines
0 passed, 1 updated, 2 failed
updated 1 expected result in vpn_tests.yml
"
        )
    );
    assert_eq!(
        e,
        format!(
            "normalog: vpn_tests.yml:6:1: case \"event and reject\" not updated: its input gives \
             events and rejects, and a case expects either events or a reject (`error:`), so \
             split its input into cases: input line 1 gives an event; input line 2 is \
             rejected: {no_pattern}\n\
             normalog: vpn_tests.yml:12:1: case \"two reasons\" not updated: its input lines \
             are rejected for different reasons, and a case expects one reject (`error:` with \
             a text every reason contains), so split its input into cases: input line 1 is \
             rejected: {no_pattern}; input line 2 is rejected: {not_int}\n\
             normalog: 1 case now expects a reject (`error:` with the reason): `error:` is \
             normalog's, Panther's runner refuses the key; check that it should be rejected\n"
        )
    );
    // Only `garbage alone` was rewritten; the next run fails the two others as before.
    let after = std::fs::read_to_string(&path).expect("read");
    assert_eq!(
        after,
        text.replacen(
            "input: garbage\n",
            &format!(
                "input: garbage\nerror: {}\n",
                serde_json::Value::from(no_pattern)
            ),
            1
        )
    );
    let again = test_in(dir.path(), &["VpnSession.yml", "vpn_tests.yml"]);
    let o = stdout(&again);
    assert_eq!(again.status.code(), Some(1), "{o}");
    assert!(
        o.starts_with("ok   garbage alone (vpn_tests.yml:1)\n"),
        "{o}"
    );
    assert!(o.ends_with("1 passed, 2 failed\n"), "{o}");
}

/// `--update` of a test file whose lines end in `\r` (old Mac) or `\r\n` (Windows): the
/// parser counts a lone `\r` as a line break, and the rewrite cut the file at `\n` alone
/// (a panic, review finding); the new lines end as the file's do, and the file then passes.
#[test]
fn update_rewrites_files_with_cr_and_crlf_line_breaks() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("App.yml"),
        "schema: Custom.App\nfields:\n  - {name: a, type: string, required: true}\n",
    )
    .expect("write");
    for (file, br) in [("cr_tests.yml", "\r"), ("crlf_tests.yml", "\r\n")] {
        let mut text = String::new();
        for line in [
            "name: one",
            "logType: Custom.App",
            "input: |",
            r#"  {"a":"x"}"#,
            "result: |",
            r#"  {"a":"y"}"#,
        ] {
            text.push_str(line);
            text.push_str(br);
        }
        std::fs::write(dir.path().join(file), text).expect("write");
        let out = test_in(dir.path(), &["--update", "App.yml", file]);
        assert_eq!(out.status.code(), Some(0), "{file}: {}", stderr(&out));
        assert!(
            stdout(&out).contains("updated 1 expected result"),
            "{}",
            stdout(&out)
        );
        let rewritten = std::fs::read_to_string(dir.path().join(file)).expect("read");
        assert!(rewritten.contains(r#""a": "x""#), "{rewritten:?}");
        assert_eq!(
            rewritten
                .split(br)
                .filter(|l| l.contains('\n') || l.contains('\r'))
                .count(),
            0,
            "{file}: every line ends with {br:?}: {rewritten:?}"
        );
        let out = test_in(dir.path(), &["App.yml", file]);
        assert_eq!(out.status.code(), Some(0), "{file}: {}", stdout(&out));
    }
}

/// A file of log records where a test file goes (named as one, or in a `tests/` directory)
/// gets the hint `normalize -s` gives for one given as a schema (review finding: only the
/// YAML parser's "did not find expected <document start>").
#[test]
fn records_given_as_a_test_file_are_said_to_be_records() {
    let dir = tempfile::tempdir().expect("tempdir");
    let records = std::fs::read(util::data("samples/zoom_activity.jsonl")).expect("read");
    std::fs::write(dir.path().join("bad_tests.yml"), &records).expect("write");
    std::fs::create_dir(dir.path().join("tests")).expect("mkdir");
    std::fs::write(dir.path().join("tests/bad.yml"), &records).expect("write");
    // Named, and found in a directory (the one above tests/).
    for (arg, file) in [("bad_tests.yml", "bad_tests.yml"), (".", "./tests/bad.yml")] {
        let o = test_in(dir.path(), &[arg]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{arg}: {err}");
        assert!(
            err.contains(&format!(
                "{file}:2:1: invalid YAML: did not find expected <document start> (this file \
                 holds JSON records, one per line, not a test file: log records are the inputs \
                 of `normalize`; a test file is YAML, one case per document (`---` \
                 between them), with `input:` and `result:`)"
            )),
            "{arg}: {err}"
        );
    }
}
