//! `normalog schema check` on text parser blocks written the usual way (block style): every
//! mistake of a parser block is reported at once, each at its `file:line:col` (issue 18);
//! schemas given in several paths (one file twice, two log types with one table name); and
//! warnings, for schemas that load but cannot work as written.

use std::fmt::Write as _;
use std::process::Command;

/// The lines `normalog schema check` prints for the schema `yaml`, with the file's directory
/// taken out of them, and its exit code.
fn check(yaml: &str) -> (Vec<String>, Option<i32>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("s.yml");
    std::fs::write(&path, yaml).expect("write");
    let o = Command::new(env!("CARGO_BIN_EXE_normalog"))
        .args(["schema", "check"])
        .arg(&path)
        .output()
        .expect("run normalog");
    let prefix = format!("{}/", dir.path().display());
    let lines = String::from_utf8(o.stderr)
        .expect("utf-8 stderr")
        .lines()
        .map(|l| l.replace(&prefix, ""))
        .collect();
    (lines, o.status.code())
}

#[track_caller]
fn assert_reports(yaml: &str, expected: &[&str]) {
    let (lines, code) = check(yaml);
    assert_eq!(lines, expected, "schema:\n{yaml}");
    assert_eq!(code, Some(2));
}

#[test]
fn r18_regex_mistakes_at_their_item_and_column() {
    assert_reports(
        "schema: Custom.Proxy
parser:
  regex:
    patternDefinitions:
      STATUS: '[0-9](3'
      WHO: '%{WORDS}'
    match:
      - '^(?P<client>\\S+) '
      - '(?P<method>[A-Z+) '
      - '%{NOTSPAC:path} '
      - '%{STATUS:status} %{WHO:user}'
    trimSpaces: true
fields:
  - name: client
    type: string
  - name: method
    type: string
  - name: path
    type: string
  - name: status
    type: int
  - name: user
    type: string
",
        &[
            "normalog: s.yml:5:21: invalid regular expression: unclosed group",
            "normalog: s.yml:6:13: unknown grok pattern `WORDS` in `%{WORDS}` (hint: did you mean `WORD`?)",
            "normalog: s.yml:9:21: invalid regular expression: unclosed character class (hint: the items of `match` are joined into one regular expression)",
            "normalog: s.yml:10:10: unknown grok pattern `NOTSPAC` in `%{NOTSPAC:path}` (hint: did you mean `NOTSPACE`?)",
            "normalog: s.yml:12:5: unknown key `trimSpaces` (hint: did you mean `trimSpace`?)",
        ],
    );
}

#[test]
fn r18_fastmatch_reports_every_mistake() {
    assert_reports(
        "schema: Custom.Access
parser:
  fastmatch:
    match:
      - '%{nope} - %{user} [%{time}]'
      - '%{user}%{time} %{user}'
      - '%{time}'
fields:
  - name: user
    type: string
  - name: time
    type: string
  - name: bytes
    type: bigint
",
        &[
            "normalog: s.yml:5:10: `%{nope}` names no field (hint: add a field of this name to `fields`, use it in an `expandFields` template, or write `%{}` to skip the text)",
            "normalog: s.yml:6:17: placeholder `%{time}` follows another placeholder without text between them (hint: fastmatch cuts a line at the literal text between placeholders; put a separator between them, or use `parser: regex`)",
            "normalog: s.yml:6:25: placeholder `%{user}` appears twice in this pattern (hint: a field holds one value; name the second one differently, or match it as text)",
            "normalog: s.yml:13:5: field `bytes` is filled by no pattern of the fastmatch parser (hint: capture it with `%{bytes}`, build it with `expandFields`, or remove it)",
        ],
    );
}

/// One pattern written as a plain scalar, not a list, is refused as Panther refuses it (its
/// `match` is a list of strings), and the problem in the pattern is still pointed at.
#[test]
fn r18_one_plain_pattern() {
    assert_reports(
        "schema: Custom.One
parser:
  regex:
    match: ^(?P<a>\\w+) (?P<b>\\d{2,1})$
fields:
  - name: a
    type: string
  - name: b
    type: string
",
        &[
            "normalog: s.yml:4:12: `match` must be a list, found a string (hint: write `match: ['^(?P<a>\\w+) (?P<b>\\d{2,1})$']`)",
            "normalog: s.yml:4:32: invalid regular expression: invalid repetition count range, the start must be <= the end",
        ],
    );
}

/// A pattern in a block scalar (`|`) or with escapes is pointed at as a whole.
#[test]
fn r18_patterns_off_their_columns_point_at_the_item() {
    assert_reports(
        "schema: Custom.Off
parser:
  regex:
    match:
      - |-
        ^(?P<a>\\q)
      - \" (?P<b>\\\\q)\\t\"
fields:
  - name: a
    type: string
  - name: b
    type: string
",
        &[
            "normalog: s.yml:6:9: invalid regular expression: invalid escape sequence: `\\q` (hint: Panther's regular expressions (Go's) take a backslash before punctuation (`\\.`, `\\<`), and the escapes `\\a \\f \\t \\n \\r \\v`, octal `\\0` to `\\377`, `\\x7F`, `\\x{10FFFF}`, `\\A \\b \\B \\z`, `\\d \\s \\w` (and `\\D \\S \\W`), `\\pL`, `\\p{Greek}` and `\\Q...\\E`: no other letter or digit (no backreference))",
            "normalog: s.yml:7:9: invalid regular expression: invalid escape sequence: `\\q` (hint: Panther's regular expressions (Go's) take a backslash before punctuation (`\\.`, `\\<`), and the escapes `\\a \\f \\t \\n \\r \\v`, octal `\\0` to `\\377`, `\\x7F`, `\\x{10FFFF}`, `\\A \\b \\B \\z`, `\\d \\s \\w` (and `\\D \\S \\W`), `\\pL`, `\\p{Greek}` and `\\Q...\\E`: no other letter or digit (no backreference))",
        ],
    );
}

/// `Custom.MyApp` and `Custom.MyAPP` both have the table `custom_myapp`: a lake run would
/// write files of both shapes into one table directory, which DuckDB cannot read. `schema
/// check` and `normalize` refuse the pair, naming both log types, the table and the files.
#[test]
fn log_types_with_one_table_name_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(
        d.join("a.yml"),
        "schema: Custom.MyApp\nfields:\n  - name: msg\n    type: string\n",
    )
    .expect("write");
    std::fs::write(
        d.join("b.yml"),
        "schema: Custom.MyAPP\nfields:\n  - name: n\n    type: bigint\n",
    )
    .expect("write");
    std::fs::write(d.join("in.jsonl"), "{\"msg\":\"hi\"}\n{\"n\":3}\n").expect("write");
    let expected = "normalog: b.yml:1:1: log type `Custom.MyAPP` has the same table name, \
                    `custom_myapp`, as log type `Custom.MyApp` (a.yml:1:1): the events of both \
                    would go into one table directory (hint: rename one of them; a table name \
                    is the log type lower-cased, with `.` as `_`)\n";
    let lake = ["-s", "a.yml", "-s", "b.yml", "-o", "lake/", "in.jsonl"];
    for args in [
        &["schema", "check", "a.yml", "b.yml"][..],
        &[&["normalize", "--format", "parquet"][..], &lake].concat(),
        &[&["normalize"][..], &lake].concat(),
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_normalog"))
            .current_dir(d)
            .args(args)
            .output()
            .expect("run normalog");
        assert_eq!(String::from_utf8_lossy(&o.stderr), expected, "{args:?}");
        assert_eq!(o.status.code(), Some(2), "{args:?}");
    }
    assert!(!d.join("lake").exists(), "nothing is written");
}

/// One schema file given twice (`-s app.yml -s app.yml`, or alone and inside a directory
/// also given) is read once: it used to fail with "log type ... is defined twice", without
/// saying that both were the same file. The same log type in two different files is
/// refused, naming both.
#[test]
fn a_schema_file_given_twice_is_read_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir(d.join("dir")).expect("mkdir");
    let app = "schema: Custom.MyApp\nfields:\n  - name: msg\n    type: string\n";
    std::fs::write(d.join("dir/app.yml"), app).expect("write");
    std::fs::write(d.join("copy.yml"), app).expect("write");
    std::fs::write(d.join("in.jsonl"), "{\"msg\":\"hi\"}\n").expect("write");
    let normalog = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_normalog"))
            .current_dir(d)
            .args(args)
            .output()
            .expect("run normalog")
    };
    for args in [
        &["schema", "check", "dir/app.yml", "dir/app.yml"][..],
        &[
            "schema",
            "check",
            "-s",
            "dir/app.yml",
            "-s",
            "./dir/../dir/app.yml",
        ],
        &["schema", "check", "-s", "dir", "-s", "dir/app.yml"],
        &["schema", "check", "-s", "dir/app.yml", "-s", "dir"],
    ] {
        let o = normalog(args);
        assert_eq!(String::from_utf8_lossy(&o.stderr), "", "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&o.stdout),
            "ok: 1 schema (Custom.MyApp)\n",
            "{args:?}"
        );
    }
    let o = normalog(&[
        "normalize",
        "-s",
        "dir/app.yml",
        "-s",
        "dir/app.yml",
        "in.jsonl",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 1);

    let o = normalog(&["schema", "check", "dir/app.yml", "copy.yml"]);
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "normalog: copy.yml:1:1: log type `Custom.MyApp` is already defined in \
         dir/app.yml:1:1 (hint: each log type is defined once; rename or remove one)\n"
    );
    assert_eq!(o.status.code(), Some(2));

    // A file that fails, reached twice: its problem is said once (review finding: twice,
    // once a file that failed could be loaded again).
    std::fs::create_dir(d.join("bad")).expect("mkdir");
    std::fs::write(
        d.join("bad/bad.yml"),
        "schema: Custom.Bad\nfields:\n  - {name: msg, type: strng}\n",
    )
    .expect("write");
    for args in [
        &[
            "normalize",
            "-s",
            "bad/bad.yml",
            "-s",
            "bad/bad.yml",
            "in.jsonl",
        ][..],
        &["schema", "check", "-s", "bad", "-s", "bad/bad.yml"],
        &["schema", "check", "bad/bad.yml", "bad/bad.yml"],
    ] {
        let o = normalog(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.matches("unknown type").count(), 1, "{args:?}: {err}");
    }
}

/// A schema that Panther loads but that can never read a line's time: `%{time}` captures
/// the text up to the first space, and its time format always has one. `schema check` says
/// so on stderr, at the placeholder, as a warning, and exits 0; `normalize` and `test` print
/// the warning too, before the rejects it explains.
#[test]
fn fastmatch_time_cut_by_its_separator_is_a_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(
        d.join("fm.yml"),
        "schema: Custom.Fm
parser:
  fastmatch:
    match:
      - '%{time} %{user} %{msg}'
fields:
  - name: time
    type: timestamp
    timeFormats:
      - '%Y-%m-%d %H:%M:%S'
    isEventTime: true
    required: true
  - name: user
    type: string
  - name: msg
    type: string
",
    )
    .expect("write");
    std::fs::write(d.join("in.log"), "2024-01-02 10:11:12 bob hi\n").expect("write");
    std::fs::write(
        d.join("fm_tests.yml"),
        "name: A line\nlogType: Custom.Fm\ninput: 2024-01-02 10:11:12 bob hi\nerror: does not match time format\n",
    )
    .expect("write");
    let warning = "normalog: warning: fm.yml:5:10: `%{time}` captures the text up to the first \
                   \" \", but the time format of field `time`, `%Y-%m-%d %H:%M:%S`, always \
                   writes \" \": no time is captured whole, so this pattern never gives `time` a \
                   value (hint: follow `%{time}` with text its times never hold, end the \
                   pattern with it, or read the line with `parser: regex`)";
    let normalog = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_normalog"))
            .current_dir(d)
            .args(args)
            .output()
            .expect("run normalog")
    };

    let o = normalog(&["schema", "check", "fm.yml"]);
    assert_eq!(String::from_utf8_lossy(&o.stderr), format!("{warning}\n"));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "ok: 1 schema (Custom.Fm)\n"
    );
    assert_eq!(o.status.code(), Some(0));

    let o = normalog(&["normalize", "-s", "fm.yml", "in.log"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.first(), Some(&warning), "{stderr}");
    assert!(
        lines[1..]
            .iter()
            .any(|l| l.contains("does not match time format %Y-%m-%d %H:%M:%S: \"2024-01-02\"")),
        "{stderr}"
    );
    assert_eq!(o.status.code(), Some(1), "{stderr}");

    // The case expects the reject, so it passes: the warning does not fail the run.
    let o = normalog(&["test", "fm.yml", "fm_tests.yml"]);
    assert_eq!(String::from_utf8_lossy(&o.stderr), format!("{warning}\n"));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );

    // With the time last in the pattern, it takes the rest of the line: no warning.
    let fixed = std::fs::read_to_string(d.join("fm.yml"))
        .expect("read")
        .replace("'%{time} %{user} %{msg}'", "'%{user} %{msg}: %{time}'");
    std::fs::write(d.join("fm.yml"), fixed).expect("write");
    let o = normalog(&["schema", "check", "fm.yml"]);
    assert_eq!(String::from_utf8_lossy(&o.stderr), "");
    assert_eq!(o.status.code(), Some(0));
}

/// Thirty definitions that each use the next twice: 2^30 values once the refs are expanded.
/// Every command that loads schemas took gigabytes and minutes building them (review
/// finding); each refuses the schema at once, at the ref, as any schema error.
#[test]
fn ref_expansion_is_refused_by_every_command() {
    let mut yaml = String::from("schema: Custom.Bomb\ndefinitions:\n");
    for i in 0..29 {
        let next = i + 1;
        writeln!(yaml, "  D{i}: {{type: object, fields: [{{name: a, type: ref, target: D{next}}}, {{name: b, type: ref, target: D{next}}}]}}").expect("a String takes it");
    }
    yaml.push_str("  D29: {type: string}\nfields:\n  - {name: root, type: ref, target: D0}\n");
    let expected = "normalog: s.yml:34:29: the schema holds 1073741823 values once its refs are expanded, more than the 100000 allowed; field `root` holds 1073741823 of them through `D0 -> D1 -> D2 -> D3 -> D4 -> D5 -> D6 -> D7 -> ...` (hint: every ref is a copy of its definition, so definitions that use others several times multiply (`D0` uses `D1` 2 times); use `type: json` for parts that need not be typed field by field)";
    assert_reports(&yaml, &[expected]);

    let dir = tempfile::tempdir().expect("tempdir");
    let schema = dir.path().join("s.yml");
    std::fs::write(&schema, &yaml).expect("write");
    let input = dir.path().join("in.json");
    std::fs::write(&input, "{\"root\":{}}\n").expect("write");
    let s = schema.to_str().expect("utf-8 path");
    let i = input.to_str().expect("utf-8 path");
    for args in [
        &["normalize", "-s", s, i][..],
        &["test", s],
        &["gen", "-s", s, "-t", "Custom.Bomb", "-n", "1"],
        &["schema", "list", "-s", s],
    ] {
        let started = std::time::Instant::now();
        let o = Command::new(env!("CARGO_BIN_EXE_normalog"))
            .args(args)
            .output()
            .expect("run normalog");
        let stderr =
            String::from_utf8_lossy(&o.stderr).replace(&format!("{}/", dir.path().display()), "");
        assert!(
            stderr.contains(&expected["normalog: ".len()..]),
            "{args:?}: {stderr}"
        );
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            started.elapsed().as_secs() < 10,
            "{args:?} took {:?}",
            started.elapsed()
        );
    }
}

/// Runs `normalog args` in `dir`, giving up after 20 s (a run that waits on a named pipe
/// would wait forever): (stderr with the directory taken out, exit code).
#[cfg(unix)]
fn run_in(dir: &std::path::Path, args: &[&str]) -> (String, Option<i32>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_normalog"))
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run normalog");
    let started = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed().as_secs() > 20 {
            child.kill().expect("kill");
            child.wait().expect("wait");
            panic!("{args:?} still running after 20 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let o = child.wait_with_output().expect("output");
    (
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.code(),
    )
}

/// A schema path naming `/dev/zero` was read whole: 13 GB before it was killed (review
/// finding). Schema files are read up to 4 MiB, test files up to 16 MiB; past that, an
/// error at once.
#[cfg(unix)]
#[test]
fn schema_files_are_read_up_to_a_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::os::unix::fs::symlink("/dev/zero", d.join("zz.yml")).expect("symlink");
    let big = format!("{}\n", "#".repeat(4 << 20));
    std::fs::write(d.join("big.yml"), big).expect("write");
    let schema = "normalog: {}: the file is larger than 4 MiB, too large for a schema (hint: a \
                  schema is YAML text of some kilobytes, even with hundreds of fields: check \
                  that this path names a schema file)\n";
    for file in ["zz.yml", "big.yml"] {
        for args in [
            &["schema", "check", file][..],
            &["normalize", "-s", file, "-"],
            &["gen", "-s", file, "-t", "Custom.Aa", "-n", "1"],
        ] {
            assert_eq!(
                run_in(d, args),
                (schema.replace("{}", file), Some(2)),
                "{args:?}"
            );
        }
    }
    assert_eq!(
        run_in(d, &["test", "zz.yml"]),
        (
            "normalog: zz.yml: the file is larger than 16 MiB, more than a schema or test file \
             may be: check that this path names one (a test file this large can be split in \
             several)\n"
                .into(),
            Some(2)
        )
    );
}

/// A named pipe (or another file that is not a regular file) inside a `-s` directory was
/// left out without a word, while input directories warn of one; `test` read it, waiting
/// for a writer forever. Both warn now, as input directories do, and go on.
#[cfg(unix)]
#[test]
fn special_files_in_schema_directories_are_left_out_with_a_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir(d.join("s")).expect("mkdir");
    std::fs::write(
        d.join("s/A.yml"),
        "{schema: Custom.Aa, fields: [{name: a, type: string}]}\n",
    )
    .expect("write");
    let made = Command::new("mkfifo")
        .arg(d.join("s/pipe.yml"))
        .status()
        .expect("mkfifo");
    assert!(made.success());
    std::os::unix::fs::symlink("/dev/zero", d.join("s/zero.yml")).expect("symlink");
    let warnings = "normalog: warning: s/pipe.yml: not a file (a named pipe, a socket or a \
                    device), inside a schema directory; not read (give it by name to read it)\n\
                    normalog: warning: s/zero.yml: not a file (a named pipe, a socket or a \
                    device), inside a schema directory; not read (give it by name to read it)\n";
    assert_eq!(
        run_in(d, &["schema", "check", "s"]),
        (warnings.into(), Some(0))
    );
    assert_eq!(
        run_in(d, &["normalize", "-s", "s", "-"]),
        (warnings.into(), Some(0))
    );
    let (stderr, code) = run_in(d, &["test", "s"]);
    assert!(stderr.starts_with(warnings), "{stderr}");
    // No test cases in `s`: the run says so, after the warnings.
    assert_eq!(code, Some(2), "{stderr}");
}
