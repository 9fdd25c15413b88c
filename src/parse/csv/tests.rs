//! Cutting a row: as Go's `encoding/csv` with lazy quotes cuts it, and in place exactly when no value needs rewriting.

use super::*;
use crate::testing::xorshift;

/// The delimiter of `text`, as a schema gives it.
fn delim(text: &str) -> Delimiter {
    crate::schema::csv::delimiter(text).expect("a delimiter")
}

/// The delimiter of an ASCII byte.
fn byte(b: u8) -> Delimiter {
    delim(std::str::from_utf8(&[b]).expect("ascii"))
}

fn values(line: &str, delimiter: u8) -> Vec<String> {
    values_by(line, byte(delimiter))
}

fn values_by(line: &str, delimiter: Delimiter) -> Vec<String> {
    let mut fields = Vec::new();
    let mut buf = String::new();
    let text = if split(line, delimiter, &mut fields, &mut buf) {
        buf.clone()
    } else {
        line.to_owned()
    };
    fields.iter().map(|&(s, e)| text[s..e].to_owned()).collect()
}

/// The values every quoting rule gives (the unescaping path, for any line).
fn unescaped(line: &str, delimiter: u8) -> Vec<String> {
    let mut fields = Vec::new();
    let mut buf = String::new();
    unescape(line, byte(delimiter), &mut fields, &mut buf);
    fields.iter().map(|&(s, e)| buf[s..e].to_owned()).collect()
}

/// The values cut in place, or none when a value needs rewriting.
fn in_place(line: &str, delimiter: u8) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    split_in_place(line.as_bytes(), delimiter, &mut fields)
        .then(|| fields.iter().map(|&(s, e)| line[s..e].to_owned()).collect())
}

/// What Go's `encoding/csv` reader with `LazyQuotes` gives for one line.
#[test]
fn splits_as_go_lazy_quotes() {
    let cases: &[(&str, &[&str])] = &[
        ("a,b,c", &["a", "b", "c"]),
        ("a,,c,", &["a", "", "c", ""]),
        (",", &["", ""]),
        ("x", &["x"]),
        (r#""a,b",c"#, &["a,b", "c"]),
        (r#""say ""hi""",2"#, &[r#"say "hi""#, "2"]),
        (r#""""#, &[""]),
        (r#""",x"#, &["", "x"]),
        (r#"a"b,c"#, &[r#"a"b"#, "c"]),
        (r#" "a",b"#, &[r#" "a""#, "b"]),
        // After a bare quote the value is still quoted: the delimiter is text.
        (r#""a"b,c"#, &[r#"a"b,c"#]),
        (r#""a"b",c"#, &[r#"a"b"#, "c"]),
        (r#""open,to end"#, &["open,to end"]),
        (r#""é,ü",ß"#, &["é,ü", "ß"]),
        (r#"a,"b""#, &["a", "b"]),
        (r#"a,"b","#, &["a", "b", ""]),
    ];
    for (line, want) in cases {
        assert_eq!(values(line, b','), *want, "{line}");
        assert_eq!(unescaped(line, b','), *want, "{line}");
    }
    assert_eq!(values("a\tb c\t\"d\te\"", b'\t'), ["a", "b c", "d\te"]);
}

/// Which lines are cut in place (no value to rewrite), and which are left to the
/// unescaping path; what the in-place cut gives is what unescaping gives.
#[test]
fn cuts_in_place_unless_a_quoted_value_holds_a_quote() {
    let in_line: &[(&str, &[&str])] = &[
        ("", &[""]),
        ("a,b,c", &["a", "b", "c"]),
        ("a,,c,", &["a", "", "c", ""]),
        (",,", &["", "", ""]),
        (r#""a,b",c"#, &["a,b", "c"]),
        (r#"x,"a,b""#, &["x", "a,b"]),
        (r#""","",x"#, &["", "", "x"]),
        (r#"a,"b","#, &["a", "b", ""]),
        (r#""open,to end"#, &["open,to end"]),
        (r#"a"b,c"d"#, &[r#"a"b"#, r#"c"d"#]),
        (r#" "a",b"#, &[r#" "a""#, "b"]),
        (r#""é,ü",ß,"山田, 太郎""#, &["é,ü", "ß", "山田, 太郎"]),
        (
            r#""Mozilla/5.0 (X11; Linux) Gecko",-"#,
            &["Mozilla/5.0 (X11; Linux) Gecko", "-"],
        ),
    ];
    for (line, want) in in_line {
        let want: Vec<String> = want.iter().map(|&v| v.to_owned()).collect();
        assert_eq!(in_place(line, b','), Some(want.clone()), "{line}");
        assert_eq!(unescaped(line, b','), want, "{line}");
    }
    let rewritten = [
        r#""say ""hi""",2"#,
        r#""""""#,
        r#""a"b,c"#,
        r#""a"b",c"#,
        r#"x,"a"""#,
        r#"x,"a" ,y"#,
    ];
    for line in rewritten {
        assert_eq!(in_place(line, b','), None, "{line}");
    }
}

/// On random lines made of delimiters, quotes, spaces and text (ASCII and not), the
/// in-place cut gives what the unescaping path gives whenever it takes the line, and
/// takes every line whose quoted values hold no quote.
#[test]
fn cutting_in_place_agrees_with_unescaping() {
    let pieces = [
        ",", ";", "\"", "\"\"", " ", "a", "bc", "é", "山田", ",\"", "\",",
    ];
    let mut rnd = xorshift(0xc5f);
    let mut cut = 0;
    for _ in 0..20_000 {
        let mut line = String::new();
        for _ in 0..rnd(12) {
            line.push_str(pieces[rnd(pieces.len())]);
        }
        let delimiter = if rnd(2) == 0 { b',' } else { b';' };
        let want = unescaped(&line, delimiter);
        assert_eq!(values(&line, delimiter), want, "{line:?}");
        match in_place(&line, delimiter) {
            Some(got) => {
                cut += 1;
                assert_eq!(got, want, "{line:?}");
            }
            None => assert!(
                holds_a_quote(&line, delimiter),
                "{line:?} was not cut in place"
            ),
        }
    }
    // Enough lines are cut in place for the values to be compared.
    assert!(cut > 5_000, "{cut} lines cut in place");
}

/// Whether a quoted value of `line` holds a quote (read with every rule, the slow way):
/// a quote opens a value, and the quote that closes it is not followed by the delimiter
/// or the line's end.
fn holds_a_quote(line: &str, delimiter: u8) -> bool {
    let b = line.as_bytes();
    let mut at = 0;
    loop {
        if b.get(at) == Some(&b'"') {
            let Some(q) = b[at + 1..].iter().position(|&c| c == b'"') else {
                return false;
            };
            let after = at + 1 + q + 1;
            match b.get(after) {
                None => return false,
                Some(&c) if c == delimiter => at = after + 1,
                Some(_) => return true,
            }
        } else {
            match b[at..].iter().position(|&c| c == delimiter) {
                Some(d) => at += d + 1,
                None => return false,
            }
        }
    }
}

/// A delimiter that is not ASCII (`¦`, `þ`, an emoji) cuts a row as an ASCII one does, as
/// Go's `encoding/csv` takes any rune (review s40-h6: such schemas were refused): the same
/// random lines with `;` in its place give the same values, quotes and all.
#[test]
fn a_delimiter_that_is_not_ascii_cuts_as_an_ascii_one() {
    let pieces = ["D", "\"", "\"\"", " ", "a", "bc", "é", "山田", "D\"", "\"D"];
    let mut rnd = xorshift(0x5e6);
    for wide in ["¦", "þ", "😀"] {
        for _ in 0..5_000 {
            let mut line = String::new();
            for _ in 0..rnd(12) {
                line.push_str(pieces[rnd(pieces.len())]);
            }
            let got = values_by(&line.replace('D', wide), delim(wide));
            let want: Vec<String> = values(&line.replace('D', ";"), b';')
                .into_iter()
                .map(|v| v.replace(';', wide))
                .collect();
            assert_eq!(got, want, "{line:?} with {wide:?}");
        }
    }
    assert_eq!(values_by("alice¦login", delim("¦")), ["alice", "login"]);
    assert_eq!(values_by("\"a¦b\"¦c", delim("¦")), ["a¦b", "c"]);
    // A quote followed by text is text, and the value, never closed, runs to the end.
    assert_eq!(values_by("\"a\"b¦c", delim("¦")), ["a\"b¦c"]);
    // The delimiter's first byte alone (other characters share it) cuts nothing.
    assert_eq!(values_by("a§b¦c", delim("¦")), ["a§b", "c"]);
}
