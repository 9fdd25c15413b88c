//! The built-in grok patterns of `parser: regex`: each one loads and compiles, and the
//! usual ones read the lines they are made for; and Go's ASCII `\d \w \s \b` in them.

use normalog::schema::text::BUILTIN_PATTERNS;
use normalog::sink::Collect;
use normalog::{NormalizerBuilder, Position, Registry};

/// The events and rejects of `lines` read by the one schema in `yaml`.
fn normalize(yaml: &str, lines: &[&str]) -> Collect {
    let mut registry = Registry::new();
    registry.add_str(yaml, "grok.yml").expect("schema loads");
    let mut n = NormalizerBuilder::new().build(&registry).expect("build");
    let mut out = Collect::default();
    for (i, line) in lines.iter().enumerate() {
        n.normalize_bytes(
            line.as_bytes(),
            Position::new(0, i as u64 + 1, i as u64),
            &mut out,
        )
        .expect("collect never fails");
    }
    out
}

fn fields(event: &str) -> serde_json::Value {
    serde_json::from_str(event).expect("event is JSON")
}

/// Every built-in, captured whole into a field, passes the schema checks (known, compiles,
/// its own captures fill no field the schema lacks), and so does a placeholder without a
/// capture.
#[test]
fn every_builtin_pattern_compiles() {
    for (name, _) in BUILTIN_PATTERNS {
        for placeholder in [format!("%{{{name}:x}}"), format!("%{{{name}}}(?P<x>)")] {
            let yaml = format!(
                "schema: Custom.Builtin\nparser:\n  regex:\n    match: ['^{placeholder}$']\n\
                 fields:\n  - {{name: x, type: string}}\n"
            );
            let mut registry = Registry::new();
            if let Err(e) = registry.add_str(&yaml, "builtin.yml") {
                panic!("{placeholder}: {e}");
            }
        }
    }
}

#[test]
fn apache_common_log_line() {
    let out = normalize(
        r#"
schema: Custom.Access
parser:
  regex:
    match:
      - '^%{IPORHOST:client} %{USER:ident} %{USER:auth} \[%{HTTPDATE:ts}\] '
      - '"%{WORD:verb} %{NOTSPACE:req} HTTP/%{NUMBER:v}" %{NUMBER:status} %{NUMBER:bytes}$'
fields:
  - {name: client, type: string}
  - {name: ident, type: string}
  - {name: auth, type: string}
  - {name: ts, type: timestamp, timeFormat: '%d/%b/%Y:%H:%M:%S %z', isEventTime: true}
  - {name: verb, type: string}
  - {name: req, type: string}
  - {name: v, type: string}
  - {name: status, type: int}
  - {name: bytes, type: bigint}
"#,
        &[
            r#"198.51.100.23 - frank [10/Oct/2023:13:55:36 -0700] "GET /index.html?q=1 HTTP/1.1" 200 2326"#,
            r#"web-7.example.org - - [01/Jan/2024:00:00:05 +0000] "POST /api HTTP/2.0" 503 0"#,
        ],
    );
    assert_eq!(out.events.len(), 2, "rejects: {:?}", out.rejects);
    let e = fields(&out.events[0]);
    assert_eq!(e["client"], "198.51.100.23");
    assert_eq!(e["ident"], "-");
    assert_eq!(e["auth"], "frank");
    assert_eq!(e["ts"], "2023-10-10T20:55:36Z");
    assert_eq!(e["req"], "/index.html?q=1");
    assert_eq!(e["v"], "1.1");
    assert_eq!(e["status"], 200);
    assert_eq!(e["bytes"], 2326);
    assert_eq!(fields(&out.events[1])["client"], "web-7.example.org");
}

/// `SYSLOGPROG` captures `program` and `pid` itself: they fill the schema's fields of those
/// names, and are plain groups in a schema without them.
#[test]
fn syslog_line_and_the_captures_of_a_builtin() {
    let schema = |extra: &str| {
        format!(
            r"
schema: Custom.Syslog
parser:
  regex:
    match: ['^%{{SYSLOGTIMESTAMP:ts}} %{{SYSLOGHOST:host}} %{{SYSLOGPROG}}: %{{GREEDYDATA:msg}}$']
fields:
  - {{name: ts, type: timestamp, timeFormat: '%b %e %H:%M:%S'}}
  - {{name: host, type: string}}
  - {{name: msg, type: string}}
{extra}"
        )
    };
    let lines = [
        "Mar  7 04:02:11 gw-01 sshd[4121]: Accepted publickey for ops from 203.0.113.9",
        "Dec 24 23:59:59 10.1.2.3 kernel: eth0: link up",
    ];
    let with = normalize(
        &schema("  - {name: program, type: string}\n  - {name: pid, type: int}\n"),
        &lines,
    );
    assert_eq!(with.events.len(), 2, "rejects: {:?}", with.rejects);
    let e = fields(&with.events[0]);
    assert_eq!(e["ts"], "1900-03-07T04:02:11Z");
    assert_eq!(e["host"], "gw-01");
    assert_eq!(e["program"], "sshd");
    assert_eq!(e["pid"], 4121);
    assert_eq!(e["msg"], "Accepted publickey for ops from 203.0.113.9");
    let e = fields(&with.events[1]);
    assert_eq!(e["program"], "kernel");
    assert_eq!(e.get("pid"), None);
    assert_eq!(e["msg"], "eth0: link up");

    let without = normalize(&schema(""), &lines);
    assert_eq!(without.events.len(), 2, "rejects: {:?}", without.rejects);
    assert_eq!(fields(&without.events[0]).get("program"), None);
}

#[test]
fn timestamps_macs_uris_and_levels() {
    let out = normalize(
        r"
schema: Custom.Mixed
parser:
  regex:
    match: ['^%{TIMESTAMP_ISO8601:ts} %{LOGLEVEL:level} %{MAC:mac} %{URI:uri} %{EMAILADDRESS:mail} %{UUID:id}$']
fields:
  - {name: ts, type: timestamp, timeFormat: rfc3339}
  - {name: level, type: string}
  - {name: mac, type: string}
  - {name: uri, type: string}
  - {name: mail, type: string}
  - {name: id, type: string}
",
        &[
            "2023-06-01T12:00:00.5+02:00 WARN 00:1a:2B:3c:4d:5e https://ann:pw@example.com:8443/a/b?x=1&y=2 ann.lee@example.com 123e4567-e89b-12d3-a456-426614174000",
            "2023-06-01T12:00:00Z error 001a.2b3c.4d5e http://10.0.0.1/ bob@mail.example.org 123E4567-E89B-12D3-A456-426614174000",
            "2023-06-01T12:00:00Z LOUD 00-1a-2b-3c-4d-5e http://x/ a@b.c 123e4567-e89b-12d3-a456-426614174000",
        ],
    );
    assert_eq!(out.events.len(), 2, "rejects: {:?}", out.rejects);
    let e = fields(&out.events[0]);
    assert_eq!(e["ts"], "2023-06-01T10:00:00.5Z");
    assert_eq!(e["level"], "WARN");
    assert_eq!(e["uri"], "https://ann:pw@example.com:8443/a/b?x=1&y=2");
    assert_eq!(fields(&out.events[1])["mac"], "001a.2b3c.4d5e");
    // `LOUD` is no log level.
    assert_eq!(out.rejects.len(), 1);
}

/// `\d \w \s \b` are ASCII, as in Go's RE2 (Panther), in grok patterns too (`WORD` is
/// `\b\w+\b`): a non-ASCII letter, digit or space is none of them.
#[test]
fn regex_perl_classes_are_ascii_as_in_go() {
    let out = normalize(
        r"
schema: Custom.Ascii
parser:
  regex:
    match: ['^%{WORD:w} (?P<d>\d+) %{NOTSPACE:ns}(?P<s>\s)x$']
fields:
  - {name: w, type: string}
  - {name: d, type: string}
  - {name: ns, type: string}
  - {name: s, type: string}
",
        &[
            "abc 12 q-é x",
            "héllo 5 a x",
            "abc \u{663}\u{664} b x",
            "abc 5 b\u{a0}x",
            "abc 5 b\u{2003}x",
        ],
    );
    assert_eq!(out.events.len(), 1, "rejects: {:?}", out.rejects);
    assert_eq!(fields(&out.events[0])["ns"], "q-é");
    assert_eq!(out.rejects.len(), 4, "events: {:?}", out.events);
    for reject in &out.rejects {
        assert!(reject.contains("line matches no pattern"), "{reject}");
    }
}

/// The README lists every built-in pattern (its "Text logs" section).
#[test]
fn readme_lists_every_builtin_pattern() {
    let readme = include_str!("../README.md");
    let start = readme
        .find("`PATTERN` is one of `patternDefinitions` or a built-in")
        .expect("the README's list of built-ins");
    let list = &readme[start..start + readme[start..].find("\n\n").unwrap_or(0)];
    for (name, _) in BUILTIN_PATTERNS {
        assert!(list.contains(&format!("`{name}`")), "README lacks `{name}`");
    }
}

/// Panther's own built-ins (its grok package), as Panther defines them: the aliases `NS`
/// and `PID` its Apache schemas use, `TZ` as any three capitals, `KITCHEN`,
/// `TIMESTAMP_RFC822`, `IPV4INT` and `HEXDIGIT` (review finding: unknown here before, and
/// `TZ` refused `GMT`).
#[test]
fn panther_builtins_read_their_lines() {
    let out = normalize(
        r"
schema: Custom.Panther
parser:
  regex:
    match: ['^%{NS:a} %{PID:pid} %{TZ:tz} %{KITCHEN:k} %{TIMESTAMP_RFC822:r} %{IPV4INT:o} %{HEXDIGIT:h}$']
fields:
  - {name: a, type: string}
  - {name: pid, type: int}
  - {name: tz, type: string}
  - {name: k, type: string}
  - {name: r, type: string}
  - {name: o, type: int}
  - {name: h, type: string}
",
        &[
            "x-y 42 GMT 9:05 Mon Jan 2 2006 15:04:05 JST 255 B",
            "x-y 42 UT 9:05 Mon Jan 2 2006 15:04:05 JST 255 B",
            "x-y 0 GMT 9:05 Mon Jan 2 2006 15:04:05 JST 255 B",
        ],
    );
    assert_eq!(out.events.len(), 1, "rejects: {:?}", out.rejects);
    let e = fields(&out.events[0]);
    assert_eq!(e["tz"], "GMT");
    assert_eq!(e["pid"], 42);
    assert_eq!(e["r"], "Mon Jan 2 2006 15:04:05 JST");
    assert_eq!(e["h"], "B");
    // `UT` is not three capitals; 0 is no `PID` (`POSINT`).
    assert_eq!(out.rejects.len(), 2, "events: {:?}", out.events);
}

/// Patterns are Go's syntax (review s34-h1): where it parts from the `regex` crate's, lines
/// match as Go matches them (the values are Go 1.19's).
#[test]
fn go_syntax_lines_match_as_in_go() {
    let mut wrong = Vec::new();
    for (pattern, line, want) in [
        // Punctuation escapes are the character (not word boundaries).
        (r"^\<%{INT:x}\>", "<34>Oct 11 22:14:15 host su: msg", "34"),
        // In a class, `~~`, `--` and `[` are text, and `-` after `\w` is a `-`.
        (r"^(?P<x>[a~~b]+)", "a~b", "a~b"),
        (r"^(?P<x>[a-c--b]+)", "a-cb", "a-cb"),
        (
            r"^host=(?P<x>[\w-.]+) ",
            "host=web-1.example.com x",
            "web-1.example.com",
        ),
        (r"^(?P<x>[^[]+)\[", "sshd[12]: msg", "sshd"),
        // A `{` that starts no repeat is text.
        (r"^(?P<x>a{ 2 })", "a{ 2 }", "a{ 2 }"),
        (r"^attrs={%{DATA:x}}$", "attrs={a,b}", "a,b"),
        (r"^x{}y{,2} (?P<x>\w+)$", "x{}y{,2} ok", "ok"),
        // Octal, and literal text.
        (r"^a(?P<x>\011)b", "a\tb", "\t"),
        (r"^\Q1.2\E (?P<x>\w+)$", "1.2 ab", "ab"),
    ] {
        let yaml = format!(
            "schema: Custom.Go\nparser:\n  regex:\n    match: ['{pattern}']\n\
             fields:\n  - {{name: x, type: string}}\n"
        );
        let mut registry = Registry::new();
        let got = if let Err(e) = registry.add_str(&yaml, "go.yml") {
            format!("refused: {e}")
        } else {
            let out = normalize(&yaml, &[line]);
            match out.events.first() {
                Some(event) => fields(event)["x"].to_string(),
                None => format!("{:?}", out.rejects),
            }
        };
        if got != serde_json::Value::from(want).to_string().as_str() {
            wrong.push(format!("{pattern} on {line:?}: {got}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
