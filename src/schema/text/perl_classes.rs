//! Go's meaning of `\d \w \s \b` (and `\D \W \S \B`) in a pattern for the `regex` crate.
//!
//! Panther runs patterns with Go's RE2, where these are ASCII: `\d` is `[0-9]`, `\w`
//! `[0-9A-Za-z_]`, `\s` `[\t\n\f\r ]` and `\b` a boundary between an ASCII word character
//! and anything else. The `regex` crate gives them Unicode meanings (`٣` is a digit, `é` a
//! word character, U+00A0 a space), so a pattern would match lines Panther does not. The
//! pattern is rewritten before it is compiled: each of them becomes the ASCII class it
//! stands for (spelled out, as `(?-u:\s)` would also take `\v`), and the boundaries
//! `(?-u:\b)`. The rest is left as written: `.`, `\pL`, literal text, case folding.

use std::borrow::Cow;

use regex_syntax::ast::{self, AssertionKind, Ast, ClassPerl, ClassPerlKind, ClassSetItem, Span};

/// `pattern` with Go's ASCII meanings of the Perl classes and word boundaries; unchanged
/// when it has none, or when it does not parse (its errors are reported from the text as
/// written).
pub(super) fn go_perl_classes(pattern: &str) -> Cow<'_, str> {
    let Ok(tree) = ast::parse::Parser::new().parse(pattern) else {
        return Cow::Borrowed(pattern);
    };
    let Ok(mut edits) = ast::visit(&tree, Edits(Vec::new())) else {
        return Cow::Borrowed(pattern);
    };
    if edits.is_empty() {
        return Cow::Borrowed(pattern);
    }
    // The visitor meets them in pattern order, and they never overlap.
    edits.sort_by_key(|(span, _)| span.start.offset);
    let mut out = String::with_capacity(pattern.len() + 16 * edits.len());
    let mut at = 0;
    for (span, replacement) in edits {
        out.push_str(&pattern[at..span.start.offset]);
        out.push_str(replacement);
        at = span.end.offset;
    }
    out.push_str(&pattern[at..]);
    Cow::Owned(out)
}

/// What replaces `class`: a bracketed class outside brackets, and inside them its members
/// (`[\w-]` is `[0-9A-Za-z_-]`) or, negated, a nested class (`[\W.]` is `[[^0-9A-Za-z_].]`).
fn replacement(class: &ClassPerl, in_brackets: bool) -> &'static str {
    match (&class.kind, class.negated, in_brackets) {
        (ClassPerlKind::Digit, false, true) => "0-9",
        (ClassPerlKind::Word, false, true) => "0-9A-Za-z_",
        (ClassPerlKind::Space, false, true) => r"\t\n\x0C\r\x20",
        (ClassPerlKind::Digit, false, false) => "[0-9]",
        (ClassPerlKind::Word, false, false) => "[0-9A-Za-z_]",
        (ClassPerlKind::Space, false, false) => r"[\t\n\x0C\r\x20]",
        (ClassPerlKind::Digit, true, _) => "[^0-9]",
        (ClassPerlKind::Word, true, _) => "[^0-9A-Za-z_]",
        (ClassPerlKind::Space, true, _) => r"[^\t\n\x0C\r\x20]",
    }
}

/// The spans to replace, and with what.
struct Edits(Vec<(Span, &'static str)>);

impl ast::Visitor for Edits {
    type Output = Vec<(Span, &'static str)>;
    type Err = ();

    fn finish(self) -> Result<Self::Output, ()> {
        Ok(self.0)
    }

    fn visit_pre(&mut self, ast: &Ast) -> Result<(), ()> {
        match ast {
            Ast::ClassPerl(class) => self.0.push((class.span, replacement(class, false))),
            Ast::Assertion(a) => match a.kind {
                AssertionKind::WordBoundary => self.0.push((a.span, r"(?-u:\b)")),
                AssertionKind::NotWordBoundary => self.0.push((a.span, r"(?-u:\B)")),
                // `^ $ \A \z`, and the `regex` crate's own `\b{start}`, `\<`...: Go has
                // none of the latter (they are left as the crate reads them).
                _ => {}
            },
            _ => {}
        }
        Ok(())
    }

    fn visit_class_set_item_pre(&mut self, item: &ClassSetItem) -> Result<(), ()> {
        if let ClassSetItem::Perl(class) = item {
            self.0.push((class.span, replacement(class, true)));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    #[test]
    fn perl_classes_are_spelled_out_where_they_are() {
        for (pattern, want) in [
            (r"^\w+ \d+$", r"^[0-9A-Za-z_]+ [0-9]+$"),
            (r"[\w.-]+@\S+", r"[0-9A-Za-z_.-]+@[^\t\n\x0C\r\x20]+"),
            (r"[^\s\d]", r"[^\t\n\x0C\r\x200-9]"),
            (r"[\W\pL]", r"[[^0-9A-Za-z_]\pL]"),
            (r"\bx\B", r"(?-u:\b)x(?-u:\B)"),
            // Escaped backslashes, literal text and Unicode classes stay as written.
            (r"\\d é \pL \p{Greek} .", r"\\d é \pL \p{Greek} ."),
            (
                r"(?x) \s # \d in a comment",
                r"(?x) [\t\n\x0C\r\x20] # \d in a comment",
            ),
        ] {
            assert_eq!(go_perl_classes(pattern), want, "{pattern}");
            Regex::new(&go_perl_classes(pattern)).expect(pattern);
        }
        // A pattern that does not parse is left for the checks to report.
        assert_eq!(go_perl_classes(r"(\d"), r"(\d");
    }

    /// Each class and boundary matches the characters Go's RE2 gives it, and no others,
    /// on ASCII and on non-ASCII digits, letters and spaces.
    #[test]
    fn classes_match_what_go_matches() {
        let samples = [
            'a', 'Z', '0', '9', '_', ' ', '\t', '\n', '\r', '\x0B', '\x0C', '-', 'é', '٣',
            '\u{a0}', '\u{2003}', 'K', '\u{212A}', 'ß',
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
                let re = Regex::new(&go_perl_classes(&pattern)).expect("compiles");
                for c in samples {
                    let want = go.contains(c) != negated;
                    assert_eq!(re.is_match(&c.to_string()), want, "{pattern} on {c:?}");
                }
            }
        }
        let boundary = Regex::new(&go_perl_classes(r"\bab\b")).expect("compiles");
        assert!(boundary.is_match("x ab."));
        assert!(boundary.is_match("éabé"), "é is no ASCII word character");
        assert!(!boundary.is_match("xab"));
        let inside = Regex::new(&go_perl_classes(r"a\Bb")).expect("compiles");
        assert!(inside.is_match("ab"));
        assert!(!Regex::new(&go_perl_classes(r"a\B"))
            .expect("compiles")
            .is_match("aé"));
    }
}
