//! What `parser: csv` means, and its checks.
//!
//! Each line is one row: values separated by the one-character `delimiter`, read as Go's
//! `encoding/csv` reads them with `LazyQuotes` (what Panther uses), one line at a time:
//!
//! - A value that starts with `"` is quoted: it runs to the next `"` that is followed by
//!   the delimiter or the end of the line, `""` inside it is one `"`, and the delimiter
//!   inside it is text. A `"` followed by anything else is kept as text (`"a"b` is `a"b`),
//!   and a quote never closed runs to the end of the line.
//! - A `"` anywhere else in a value (`ab"c`, ` "a"` with a space first) is plain text.
//! - A row ends at the end of its line: a quoted value cannot span lines.
//!
//! The values then go through the options shared with the other text parsers
//! ([`TextOptions`](super::TextOptions): `trimSpace`, `emptyValues`, `expandFields`), and
//! every value is a string until the fields' decoders convert it.
//!
//! Which name each value gets: `columns`, in order; or, with `hasHeader` and no `columns`,
//! the values of the first line of each input (the header). With `hasHeader` and `columns`
//! the header is consumed whatever it holds, as Panther skips it, and `columns` name the
//! values. With `trimSpace`, header names are trimmed too. A first line that names none of
//! the schema's fields is not this log type's header: it and the rows of that input are
//! refused (so another log type can read them; Panther would skip it and read the rows with
//! names that fill nothing).
//!
//! How many values a row has: with the header's names, as many as the header (a row with
//! another number is rejected, and says both numbers), as Panther's reader is given that
//! count. With `columns`, any number, as Panther zips a row with them: values beyond them
//! are dropped, missing ones are empty. Panther's reader (Go's `encoding/csv`) also holds
//! every row to the count of the first row it read; normalog reads each row on its own.
//!
//! Why not the `csv-core` crate: its quoting differs from Go's lazy quotes where Panther
//! compatibility needs them (`"a"b,c` is one value `a"b,c` in Go, two, `ab` and `c`, in
//! csv-core: its quoted-field state drops the quote and leaves quoting), it copies
//! every value into its output buffer where a line without quotes needs no copy here, and
//! its streaming state machine (records across reads) buys nothing for one line at a time.

use std::collections::HashMap;

use super::text::template_names;
use super::{CsvParser, Schema, Span};

/// The delimiter of a `csv` block: any one character but the quote, line ends, NUL and
/// U+FFFD. An ASCII
/// one is a byte, which the splitter finds fastest; another (`¦`, `þ`) is the UTF-8 bytes of
/// its character, as Go's `encoding/csv` (Panther's reader) takes any rune.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delimiter {
    bytes: [u8; 4],
    len: u8,
}

impl Delimiter {
    fn of(c: char) -> Delimiter {
        let mut bytes = [0; 4];
        let len = c.encode_utf8(&mut bytes).len();
        Delimiter {
            bytes,
            // At most 4: a character's UTF-8 bytes.
            len: u8::try_from(len).unwrap_or(4),
        }
    }

    /// The delimiter's byte, when it is ASCII.
    #[must_use]
    pub fn byte(&self) -> Option<u8> {
        (self.len == 1).then_some(self.bytes[0])
    }

    /// The delimiter's UTF-8 bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// How many bytes it takes.
    #[must_use]
    #[allow(clippy::len_without_is_empty)] // never empty
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Where it first is in `s`.
    #[must_use]
    pub fn find(&self, s: &[u8]) -> Option<usize> {
        match self.byte() {
            Some(b) => memchr::memchr(b, s),
            None => memchr::memmem::find(s, self.as_bytes()),
        }
    }

    /// Whether `s` starts with it.
    #[must_use]
    pub fn starts(&self, s: &[u8]) -> bool {
        s.starts_with(self.as_bytes())
    }
}

/// The delimiter of a `csv` block, or what is wrong with it. Empty is `,`, as Panther
/// reads it (its default).
///
/// # Errors
///
/// The message and hint when the delimiter is more than one character, or is the quote, a
/// line end, NUL or U+FFFD (which Go's `encoding/csv` refuses: Panther then fails every
/// row).
pub fn delimiter(text: &str) -> Result<Delimiter, (String, String)> {
    let hint = "write one character: `','`, `\"\\t\"` for tabs or `' '` (what Panther takes), or \
                another, such as `';'` (normalog only)";
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (None, _) => Ok(Delimiter::of(',')),
        (Some('"' | '\r' | '\n' | '\0' | '\u{FFFD}'), None) => Err((
            format!("the delimiter cannot be {text:?}"),
            "the quote encloses values and line ends end rows, and Go's `encoding/csv` \
             (Panther's) refuses NUL and U+FFFD; choose another character"
                .into(),
        )),
        (Some(c), None) => Ok(Delimiter::of(c)),
        _ => Err((
            format!(
                "the delimiter must be one character, found {text:?} ({} characters)",
                text.chars().count()
            ),
            hint.into(),
        )),
    }
}

/// Check a `csv` block of `schema`; `error` receives each problem.
pub(crate) fn check(
    schema: &Schema,
    p: &CsvParser,
    error: &mut dyn FnMut(Span, String, Option<String>),
) {
    let block = p.key_spans.get("").unwrap_or(schema.span);
    let at = |key: &str| p.key_spans.get(key).unwrap_or(block);
    if let Err((message, hint)) = delimiter(&p.delimiter) {
        error(at("delimiter"), message, Some(hint));
    }
    if p.columns.is_empty() && !p.has_header {
        error(
            block,
            "`csv` has no `columns` and no `hasHeader`: nothing names the values".into(),
            Some("list the column names under `columns`, or set `hasHeader: true` to read them from the first line of each input".into()),
        );
    }
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for (i, name) in p.columns.iter().enumerate() {
        let span = at(&format!("columns[{i}]"));
        if name.is_empty() {
            // Panther's JSON Schema refuses it too.
            error(
                span,
                format!("column {} has an empty name", i + 1),
                Some("name every column; one whose value is not kept takes a name no field has, such as `_`".into()),
            );
        } else if let Some(first) = seen.get(name.as_str()) {
            error(
                span,
                format!("duplicate column `{name}`"),
                Some(format!(
                    "the first `{name}` is at {}:{}; each column names one value of a row",
                    first.line, first.col
                )),
            );
        } else {
            seen.insert(name, span);
        }
    }
    let fields: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
    for (key, template) in &p.options.expand_fields {
        let span = at(&format!("expandFields.{key}"));
        if !fields.contains(&key.as_str()) {
            error(
                span,
                format!("`expandFields` key `{key}` names no field"),
                Some(closest(
                    key,
                    &fields,
                    "add a field of this name to `fields`",
                )),
            );
        }
        match template_names(template) {
            // With the names read from each input's header, a template is checked then.
            Ok(_) if p.columns.is_empty() => {}
            Ok(used) => {
                for name in used {
                    if !p.columns.iter().any(|c| c == name) {
                        let columns: Vec<&str> = p.columns.iter().map(String::as_str).collect();
                        error(
                            span,
                            format!("`%{{{name}}}` in `expandFields.{key}` names no column"),
                            Some(closest(
                                name,
                                &columns,
                                "a template uses the values of `columns` by name",
                            )),
                        );
                    }
                }
            }
            Err(rest) => error(
                span,
                format!("placeholder `{rest}` is not closed"),
                Some("close it with `}`".into()),
            ),
        }
    }
    // With `columns`, every field must be one of them or built by a template; with the
    // header alone, the names are known only when an input is read.
    if !p.columns.is_empty() {
        let columns: Vec<&str> = p.columns.iter().map(String::as_str).collect();
        for f in &schema.fields {
            if !columns.contains(&f.name.as_str()) && !p.options.expand_fields.contains_key(&f.name)
            {
                error(
                    f.span,
                    format!(
                        "field `{}` is filled by no column of the csv parser",
                        f.name
                    ),
                    Some(closest(
                        &f.name,
                        &columns,
                        "add it to `columns`, build it with `expandFields`, or remove it",
                    )),
                );
            }
        }
    }
}

/// The warning of a `csv` block that loads but not in Panther, whose JSON Schema of the
/// format takes `,`, tab and space as the delimiter, and no other nor none (review s42-h1
/// MEDIUM-1): normalog reads any one character, `,` when none is given.
pub(crate) fn lint(p: &CsvParser, block: Span, warn: &mut dyn FnMut(Span, String, Option<String>)) {
    const PANTHER: [&str; 3] = [",", "\t", " "];
    let written = p.key_spans.get("delimiter");
    let (span, what) = match written {
        Some(at) if !p.delimiter.is_empty() => {
            if PANTHER.contains(&p.delimiter.as_str()) || delimiter(&p.delimiter).is_err() {
                return;
            }
            (at, format!("the delimiter {:?}", p.delimiter))
        }
        _ => (
            written.unwrap_or(block),
            "no delimiter (normalog reads `,`)".to_owned(),
        ),
    };
    warn(
        span,
        format!(
            "`csv` with {what}: Panther's schema check takes only `,`, `\"\\t\"` and `\" \"` \
             (and asks for one), so this schema does not load there"
        ),
        Some("for a schema shared with Panther, write one of those three".into()),
    );
}

/// `did you mean `x`?` for the closest of `names`, else `otherwise`.
fn closest(word: &str, names: &[&str], otherwise: &str) -> String {
    crate::suggest::did_you_mean_or(word, names.iter().copied(), || otherwise.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::model::tests::check;

    macro_rules! cases {
        ($($name:ident: $yaml:expr => [$($expected:expr),* $(,)?];)*) => {
            $(#[test] fn $name() { check($yaml, &[$($expected),*]); })*
        };
    }

    // One line per case, in flow style.
    cases! {
        columns_ok: "{schema: Cust.Tst, parser: {csv: {delimiter: ',', columns: [a, x], expandFields: {b: '%{a}-%{x}'}}}, fields: [{name: a, type: string}, {name: b, type: string}]}" => [];
        header_ok: "{schema: Cust.Tst, parser: {csv: {delimiter: \"\\t\", hasHeader: true, expandFields: {b: '%{anything}'}}}, fields: [{name: a, type: string}, {name: b, type: string}]}" => [];
        // Loads, and the warning says Panther's check refuses it (review s42-h1 MEDIUM-1).
        default_delimiter: "{schema: Cust.Tst, parser: {csv: {columns: [a]}}, fields: [{name: a, type: string}]}" => ["warning: 1:29: `csv` with no delimiter (normalog reads `,`): Panther's schema check takes only `,`, `\"\\t\"` and `\" \"` (and asks for one), so this schema does not load there"];
        unknown_option: "{schema: Cust.Tst, parser: {csv: {columns: [a], skipLines: 1}}, fields: [{name: a, type: string}]}" => ["1:49: unknown key `skipLines` (hint: valid keys here: delimiter, hasHeader, columns, skipPrefix, trimSpace, emptyValues, expandFields)"];
        no_columns_no_header: "{schema: Cust.Tst, parser: {csv: {hasHeader: false}}, fields: [{name: a, type: string}]}" => ["1:29: `csv` has no `columns` and no `hasHeader`: nothing names the values"];
        delimiter_two_chars: "{schema: Cust.Tst, parser: {csv: {delimiter: ', ', columns: [a]}}, fields: [{name: a, type: string}]}" => ["1:46: the delimiter must be one character, found \", \" (2 characters)"];
        delimiter_quote: "{schema: Cust.Tst, parser: {csv: {delimiter: '\"', columns: [a]}}, fields: [{name: a, type: string}]}" => ["1:46: the delimiter cannot be \"\\\"\""];
        delimiter_not_ascii: "{schema: Cust.Tst, parser: {csv: {delimiter: '§', columns: [a]}}, fields: [{name: a, type: string}]}" => ["warning: 1:46: `csv` with the delimiter \"§\": Panther's schema check takes only `,`, `\"\\t\"` and `\" \"` (and asks for one), so this schema does not load there"];
        delimiter_empty: "{schema: Cust.Tst, parser: {csv: {delimiter: '', columns: [a]}}, fields: [{name: a, type: string}]}" => ["warning: 1:46: `csv` with no delimiter (normalog reads `,`): Panther's schema check takes only `,`, `\"\\t\"` and `\" \"` (and asks for one), so this schema does not load there"];
        delimiters_of_panther: "{schema: Cust.Tst, parser: {csv: {delimiter: ' ', columns: [a]}}, fields: [{name: a, type: string}]}" => [];
        column_empty: "{schema: Cust.Tst, parser: {csv: {delimiter: ',', columns: [a, '']}}, fields: [{name: a, type: string}]}" => ["1:64: column 2 has an empty name"];
        delimiter_replacement: "{schema: Cust.Tst, parser: {csv: {delimiter: '\u{FFFD}', columns: [a]}}, fields: [{name: a, type: string}]}" => ["1:46: the delimiter cannot be \"\u{FFFD}\""];
        duplicate_column: "{schema: Cust.Tst, parser: {csv: {columns: [a, b, a]}}, fields: [{name: a, type: string}]}" => ["1:51: duplicate column `a` (hint: the first `a` is at 1:45; each column names one value of a row)"];
        template_names_no_column: "{schema: Cust.Tst, parser: {csv: {columns: [user], expandFields: {b: '%{usr}'}}}, fields: [{name: user, type: string}, {name: b, type: string}]}" => ["1:67: `%{usr}` in `expandFields.b` names no column (hint: did you mean `user`?)"];
        template_spaced_name: "{schema: Cust.Tst, parser: {csv: {delimiter: ',', columns: [user], expandFields: {b: '%{ user }'}}}, fields: [{name: user, type: string}, {name: b, type: string}]}" => [];
        expand_key_names_no_field: "{schema: Cust.Tst, parser: {csv: {columns: [a], expandFields: {c: '%{a}'}}}, fields: [{name: a, type: string}]}" => ["1:64: `expandFields` key `c` names no field"];
        field_no_column_fills: "{schema: Cust.Tst, parser: {csv: {columns: [a, usr]}}, fields: [{name: a, type: string}, {name: user, type: string}]}" => ["1:90: field `user` is filled by no column of the csv parser (hint: did you mean `usr`?)"];
        csv_and_regex: "{schema: Cust.Tst, parser: {csv: {columns: [a]}, regex: {match: ['(?P<a>.)']}}, fields: [{name: a, type: string}]}" => ["1:29: a schema has one parser, but `csv` is given with another (hint: keep one of them)"];
        has_header_not_bool: "{schema: Cust.Tst, parser: {csv: {hasHeader: 1, columns: [a]}}, fields: [{name: a, type: string}]}" => ["1:46: `hasHeader` must be true or false, found a number"];
    }

    #[test]
    fn delimiters() {
        let byte = |text: &str| delimiter(text).ok().and_then(|d| d.byte());
        assert_eq!(byte(","), Some(b','));
        assert_eq!(byte("\t"), Some(b'\t'));
        assert_eq!(byte("|"), Some(b'|'));
        // Empty is Panther's default; another character is its UTF-8 bytes (review s40-h6).
        assert_eq!(byte(""), Some(b','));
        for wide in ["§", "¦", "þ", "→", "😀"] {
            let d = delimiter(wide).expect("one character");
            assert_eq!(
                (d.byte(), d.as_bytes()),
                (None, wide.as_bytes()),
                "{wide:?}"
            );
            assert_eq!(d.find(format!("a{wide}b").as_bytes()), Some(1));
        }
        for bad in [",,", "\"", "\n", "\r", "\0", "\u{FFFD}", "§§"] {
            assert!(delimiter(bad).is_err(), "{bad:?}");
        }
    }
}
