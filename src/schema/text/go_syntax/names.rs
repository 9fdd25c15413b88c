//! The names and small forms of Go's syntax that [`super::translate`] looks up: the classes
//! Go knows by name, the ASCII meanings of its Perl classes, and what a repeat is.

/// Go's POSIX classes (`[:alpha:]`, and `[:^alpha:]`), which the crate reads alike.
pub(super) const POSIX_CLASSES: &[&str] = &[
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// Go's Unicode general categories (`unicode.Categories` of Go 1.19).
const CATEGORIES: &[&str] = &[
    "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N",
    "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So",
    "Z", "Zl", "Zp", "Zs",
];

/// Whether Go's `\p{name}` knows `name`: `Any`, a category, or a script. Scripts are
/// those the crate knows, spelled as Go spells them (`Old_Italic`, not `old italic`); the
/// crate also takes four-letter codes (`Grek`), which Go does not: those pass here.
pub(super) fn unicode_name(name: &str) -> bool {
    if name == "Any" || CATEGORIES.contains(&name) {
        return true;
    }
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.chars().all(|c| c.is_ascii_uppercase())
        && regex_syntax::Parser::new()
            .parse(&format!(r"\p{{sc={name}}}"))
            .is_ok()
}

/// `\d \w \s` (negated: upper case) with Go's ASCII meanings: inside brackets the members
/// (`[\w-]` is `[0-9A-Za-z_-]`) or, negated, a nested class; outside, a class.
pub(super) fn perl_class(c: char, in_class: bool) -> &'static str {
    match (c, in_class) {
        ('d', true) => "0-9",
        ('w', true) => "0-9A-Za-z_",
        ('s', true) => r"\t\n\x0C\r\x20",
        ('d', false) => "[0-9]",
        ('w', false) => "[0-9A-Za-z_]",
        ('s', false) => r"[\t\n\x0C\r\x20]",
        ('D', _) => "[^0-9]",
        ('W', _) => "[^0-9A-Za-z_]",
        _ => r"[^\t\n\x0C\r\x20]",
    }
}

/// The length of the repeat `{n}`, `{n,}` or `{n,m}` that `s` starts with, as Go's
/// `parseRepeat` reads one (a number has no leading zero); `None` when `{` is a literal.
pub(super) fn repeat_len(s: &str) -> Option<usize> {
    fn number(s: &str) -> usize {
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 1 && s.starts_with('0') {
            0
        } else {
            digits
        }
    }
    let mut at = 1;
    let min = number(s.get(at..)?);
    if min == 0 {
        return None;
    }
    at += min;
    if s[at..].starts_with(',') {
        at += 1;
        if !s[at..].starts_with('}') {
            let max = number(&s[at..]);
            if max == 0 {
                return None;
            }
            at += max;
        }
    }
    s[at..].starts_with('}').then_some(at + 1)
}
