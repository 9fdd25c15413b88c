//! The translation of Go's syntax: what each pattern becomes, what Go refuses and where, and
//! what the translations match (Go's results, checked with Go 1.19's `regexp`).

use regex::Regex;

use super::{translate, Refused};

/// `go` as the `regex` crate reads it.
fn rust(go: &str) -> String {
    match translate(go) {
        Ok(t) => t.as_str().to_owned(),
        Err(e) => panic!("{go}: refused: {}", e.message()),
    }
}

/// The text of the first match of `go` in `line` (of group 1 when it has one).
fn found(go: &str, line: &str) -> Option<String> {
    let re = Regex::new(&rust(go)).unwrap_or_else(|e| panic!("{go}: {e}"));
    let caps = re.captures(line)?;
    let m = caps.get(1).or_else(|| caps.get(0))?;
    Some(m.as_str().to_owned())
}

macro_rules! spelled {
    ($($name:ident: $go:expr => $rust:expr;)*) => {
        $(#[test] fn $name() { assert_eq!(rust($go), $rust, "{}", $go); })*
    };
}

spelled! {
    // Punctuation escapes are the character itself.
    angle_escapes_are_literal: r"^\<%{x}\>" => r"^<%\{x}>";
    punctuation_escapes_kept_or_dropped: r"\.\-\_\ \/\{" => r"\.\-_ /\{";
    // A `{` that starts no repeat is literal; a repeat is one.
    brace_literals: r"a{ 2 }{}a{,2}a{01}x{1}y{1,}z{1,2}?" => r"a\{ 2 }\{}a\{,2}a\{01}x{1}y{1,}z{1,2}?";
    word_boundary_then_brace: r"\b{start}" => r"(?-u:\b)\{start}";
    // Class members as Go reads them.
    class_set_operators_are_text: r"[a~~b][a-c--b][&&]" => r"[a\~\~b][a-c\--b][\&\&]";
    class_dash_after_perl_class: r"[\w-.]" => r"[0-9A-Za-z_\-\.]";
    class_bracket_is_text: r"[^[]+\[" => r"[^\[]+\[";
    class_bracket_first: r"[]a][^]a]" => r"[\]a][^\]a]";
    class_posix_names: r"[[:alpha:][:^digit:]_]" => r"[[:alpha:][:^digit:]_]";
    class_escapes: r"[\-\]\t\x41\x{263A}\011]" => r"[\-\]\t\x41\x{263A}\x{9}]";
    class_unicode: r"[\pL\p{^Greek}\P{Lu}]" => r"[\p{L}\P{Greek}\P{Lu}]";
    // Octal.
    octal: r"\011\0\1234\08" => r"\x{9}\x{0}\x{53}4\x{0}8";
    // Literal text.
    quoted: r"\Q1.2*(x)\E+\Qa[b" => r"1\.2\*\(x\)+a\[b";
    // Perl classes and boundaries, Go's ASCII meanings.
    perl_classes: r"^\w+ \d+$" => r"^[0-9A-Za-z_]+ [0-9]+$";
    perl_classes_in_brackets: r"[\w.-]+@\S+" => r"[0-9A-Za-z_\.\-]+@[^\t\n\x0C\r\x20]+";
    perl_classes_negated_in_brackets: r"[^\s\d][\W\pL]" => r"[^\t\n\x0C\r\x200-9][[^0-9A-Za-z_]\p{L}]";
    boundaries: r"\bx\B\Ay\z" => r"(?-u:\b)x(?-u:\B)\Ay\z";
    // Flags and groups.
    flags: r"(?i)a(?s-i:b)(?i-i)c(?)d(?:e)(?U)" => r"(?i)a(?s-i:b)(?-i)cd(?:e)(?U)";
    named_groups: r"(?P<a>x)(?<b>y)" => r"(?P<a>x)(?<b>y)";
    // Stacked repetitions behind a group, or with a literal `{` between, are fine.
    repeat_of_a_group: r"(a*)*a+{x}(?:b?)?" => r"(a*)*a+\{x}(?:b?)?";
    surrogates_match_nothing: r"\p{Cs}\P{Cs}" => r"\P{Any}\p{Any}";
}

/// What Go refuses, where (the byte reported), and the text Go quotes.
#[test]
fn refusals_in_go_words_at_their_byte() {
    for (go, kind, at, expr) in [
        ("a++", Refused::NestedRepetition, 2, "++"),
        ("xa**", Refused::NestedRepetition, 3, "**"),
        ("a{2}{3}", Refused::NestedRepetition, 4, "{2}{3}"),
        ("a*?+", Refused::NestedRepetition, 3, "*?+"),
        ("a??*?", Refused::NestedRepetition, 3, "??*?"),
        ("(?x)a", Refused::PerlSyntax, 2, "(?x"),
        ("(?u)a", Refused::PerlSyntax, 2, "(?u"),
        ("a(?R)", Refused::PerlSyntax, 3, "(?R"),
        ("(?i-)a", Refused::PerlSyntax, 4, "(?i-)"),
        ("(?--i)a", Refused::PerlSyntax, 3, "(?--"),
        ("(?=a)", Refused::PerlSyntax, 2, "(?="),
        ("(?P=a)", Refused::PerlSyntax, 2, "(?P"),
        ("x(?i", Refused::PerlSyntax, 1, "(?i"),
        (r"\1", Refused::Escape, 0, r"\1"),
        (r"a\8", Refused::Escape, 1, r"\8"),
        (r"\u0041", Refused::Escape, 0, r"\u"),
        (r"\e", Refused::Escape, 0, r"\e"),
        (r"\Z", Refused::Escape, 0, r"\Z"),
        (r"\C", Refused::Escape, 0, r"\C"),
        (r"\é", Refused::Escape, 0, r"\é"),
        (r"\xg1", Refused::Escape, 0, r"\xg1"),
        (r"\x{}", Refused::Escape, 0, r"\x{}"),
        (r"\x{110000}", Refused::Escape, 0, r"\x{110000}"),
        (r"\x{12é", Refused::Escape, 0, r"\x{12é"),
        (r"[\b]", Refused::Escape, 1, r"\b"),
        (r"[a-\d]", Refused::Escape, 3, r"\d"),
        (r"[\Q]", Refused::Escape, 1, r"\Q"),
        (r"\p{Letter}", Refused::ClassName, 0, r"\p{Letter}"),
        (r"\p{greek}", Refused::ClassName, 0, r"\p{greek}"),
        // Spellings the crate reads and Go does not (review finding: they passed).
        (r"\p{IsGreek}", Refused::ClassName, 0, r"\p{IsGreek}"),
        (r"\p{OldItalic}", Refused::ClassName, 0, r"\p{OldItalic}"),
        (r"\p{Grek}", Refused::ClassName, 0, r"\p{Grek}"),
        (r"[\p{Greek_}]", Refused::ClassName, 1, r"\p{Greek_}"),
        (r"\p{GREEK}", Refused::ClassName, 0, r"\p{GREEK}"),
        (r"\pX", Refused::ClassName, 0, r"\pX"),
        (r"\p{L", Refused::ClassName, 0, r"\p{L"),
        (r"[[:word:][:foo:]]", Refused::ClassName, 9, "[:foo:]"),
    ] {
        let e = translate(go).expect_err(go);
        assert_eq!((e.kind, e.at, e.expr.as_str()), (kind, at, expr), "{go}");
    }
    let e = translate("a**").expect_err("nested");
    assert_eq!(
        e.message(),
        "invalid regular expression: invalid nested repetition operator: `**`"
    );
}

/// What both refuse is passed on for the crate to refuse, at the same place.
#[test]
fn mistakes_both_refuse_are_left_to_the_crate() {
    for (go, at) in [
        ("(a", 0),
        ("[a-", 0),
        ("a)", 1),
        ("*a", 0),
        ("a|*", 2),
        ("x[z-a]", 2),
        (r"a\", 1),
        ("(?P<a", 5),
        ("(?<=a)b", 0),
    ] {
        let t = translate(go).unwrap_or_else(|e| panic!("{go}: {}", e.message()));
        let Err(regex_syntax::Error::Parse(e)) = regex_syntax::Parser::new().parse(t.as_str())
        else {
            panic!("{go}: the crate takes {}", t.as_str());
        };
        assert_eq!(t.go_offset(e.span().start.offset), at, "{go}: {e}");
    }
}

/// Each byte of the translation points at the Go text it comes from.
#[test]
fn offsets_point_into_the_go_pattern() {
    let go = r"^\<(?P<x>[\w-.]+)\> \d{2}\Qa.b\E$";
    let t = translate(go).expect("translates");
    for (needle, want) in [
        ("(?P<x>", "(?P<x>"),
        ("[0-9A-Za-z_", r"[\w"),
        ("{2}", "{2}"),
        (r"a\.b", "a.b"),
        ("$", "$"),
        ("<", r"\<"),
    ] {
        let pos = t.as_str().find(needle).expect(needle);
        assert!(go[t.go_offset(pos)..].starts_with(want), "{needle}");
    }
    assert_eq!(t.go_offset(t.as_str().len()), go.len());
}

/// The reviewer's lines, with Go's results.
#[test]
fn lines_match_as_in_go() {
    for (go, line, want) in [
        (r"^\<([0-9]+)\>", "<34>Oct 11 host su: msg", Some("34")),
        (r"^([a~~b]+)", "a~b", Some("a~b")),
        (r"^([a-c--b]+)", "a-cb", Some("a-cb")),
        (r"^(a{ 2 })$", "a{ 2 }", Some("a{ 2 }")),
        (r"^a{ 2 }$", "aa", None),
        (
            r"^host=([\w-.]+) ",
            "host=web-1.example.com x",
            Some("web-1.example.com"),
        ),
        (r"^([^[]+)\[", "sshd[12]", Some("sshd")),
        (r"^attrs={(.*?)}$", "attrs={a,b}", Some("a,b")),
        (r"^x{}a{,2}$", "x{}a{,2}", Some("x{}a{,2}")),
        (r"^a(\011)b$", "a\tb", Some("\t")),
        (r"^\Q1.2\E (\w+)$", "1.2 ab", Some("ab")),
        (r"^\Q1.2\E", "102", None),
        (r"(\b{start})", "a{start}", Some("{start}")),
        (r"^(?<n>\d+)$", "42", Some("42")),
    ] {
        assert_eq!(found(go, line).as_deref(), want, "{go} on {line:?}");
    }
}

/// Each Perl class and boundary matches the characters Go's gives it, and no others, on
/// ASCII and on non-ASCII digits, letters and spaces.
#[test]
fn perl_classes_match_what_go_matches() {
    let samples = [
        'a', 'Z', '0', '9', '_', ' ', '\t', '\n', '\r', '\x0B', '\x0C', '-', 'é', '٣', '\u{a0}',
        '\u{2003}', 'K', '\u{212A}', 'ß',
    ];
    for (class, go) in [
        (r"\d", "0123456789"),
        (
            r"\w",
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_",
        ),
        (r"\s", "\t\n\x0C\r "),
    ] {
        let upper = class.to_uppercase();
        for (pattern, negated) in [
            (format!("^{class}$"), false),
            (format!("^[{class}]$"), false),
            (format!("^{upper}$"), true),
            (format!("^[{upper}]$"), true),
            (format!("^[^{class}]$"), true),
        ] {
            let re = Regex::new(&rust(&pattern)).expect("compiles");
            for c in samples {
                let want = go.contains(c) != negated;
                assert_eq!(re.is_match(&c.to_string()), want, "{pattern} on {c:?}");
            }
        }
    }
    let boundary = Regex::new(&rust(r"\bab\b")).expect("compiles");
    assert!(boundary.is_match("x ab."));
    assert!(boundary.is_match("éabé"), "é is no ASCII word character");
    assert!(!boundary.is_match("xab"));
    let inside = Regex::new(&rust(r"a\Bb")).expect("compiles");
    assert!(inside.is_match("ab"));
    assert!(!Regex::new(&rust(r"a\B")).expect("compiles").is_match("aé"));
}

/// The built-in grok patterns are Go's: each one translates and compiles.
#[test]
fn builtin_patterns_translate() {
    for (name, pattern) in super::super::BUILTIN_PATTERNS {
        let t = translate(pattern).unwrap_or_else(|e| panic!("{name}: {}", e.message()));
        Regex::new(t.as_str()).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// Every short pattern over the characters that matter is translated or refused without a
/// panic, and every offset of a translation points inside the pattern.
#[test]
fn short_patterns_never_panic() {
    let alphabet = [
        "\\", "[", "]", "(", ")", "?", "*", "{", "}", ",", "1", "x", "p", "Q", "E", ":", "^", "-",
        "<", "é",
    ];
    let mut pattern = String::new();
    let n = alphabet.len();
    for len in 1..=4u32 {
        for mut k in 0..n.pow(len) {
            pattern.clear();
            for _ in 0..len {
                pattern.push_str(alphabet[k % n]);
                k /= n;
            }
            match translate(&pattern) {
                Ok(t) => {
                    for pos in 0..=t.as_str().len() {
                        assert!(t.go_offset(pos) <= pattern.len(), "{pattern}");
                    }
                }
                Err(e) => assert!(e.at <= e.end && e.end <= pattern.len(), "{pattern}"),
            }
        }
    }
}

/// Every script Go knows is one the crate reads, spelled as Go spells it.
#[test]
fn go_script_names_compile() {
    for name in super::names::SCRIPTS {
        let go = format!(r"\p{{{name}}}[\P{{{name}}}]");
        Regex::new(&rust(&go)).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}
