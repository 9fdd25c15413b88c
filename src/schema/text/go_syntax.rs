//! A pattern read the way Go's `regexp/syntax` reads it (with the Perl flags Panther compiles
//! with), and spelled again for the `regex` crate; or refused, in Go's words, where Go
//! refuses it.
//!
//! The two syntaxes are both RE2's, but they part in places, and a pattern must mean here
//! what it means in Panther:
//!
//! - A backslash before punctuation is that character in Go: `\<` and `\>` are `<` and `>`
//!   (word boundaries in the crate). A backslash before a letter or digit is one of Go's
//!   escapes, or refused (`invalid escape sequence`): `\e`, `\u0041` and a lone `\1` are
//!   refused, `\011` is octal (a tab). `\Q...\E` is literal text.
//! - `\d \w \s \b` (and `\D \W \S \B`) are ASCII (`[0-9]`, `[0-9A-Za-z_]`, `[\t\n\f\r ]`),
//!   where the crate's are Unicode; they are spelled out (`\s` not as `(?-u:\s)`, which would
//!   also take `\v`). `.`, `\pL` and literal text stay Unicode in both.
//! - A `{` that starts no repeat (`{n}`, `{n,}`, `{n,m}`: digits only, without leading zeros
//!   or spaces) is a literal: `a{ 2 }`, `{}`, `a{,2}`.
//! - In a class, every member is a character, a range, a Perl class, `\p{..}` or `[:name:]`:
//!   `[`, `&&`, `--` and `~~` are plain text, and a `-` after a class (`[\w-.]`) is a `-`.
//! - A repetition right after another (`a**`, `a{2}{3}`, `a*?+`) is refused (`invalid nested
//!   repetition operator`), as are flags other than `i m s U` and every other `(?` form
//!   (`invalid or unsupported Perl syntax`), and Unicode classes Go does not know
//!   (`invalid character class range`).
//!
//! What both refuse (a group or class left open, a range backwards, a repetition with
//! nothing before it, a bad group name) is passed on as written, for the `regex` crate to
//! refuse with its own message at the same place; so [`translate`] refuses only where Go
//! refuses and the crate would take the pattern or read it otherwise. A repetition count over
//! Go's 1000 is found later, on the translation (`go_limits.rs`), since Go checks counts
//! nested in one another too.
//!
//! Every problem points into the pattern as written: a [`Refusal`] at its byte offset, and
//! a place in the translation through [`Translation::go_offset`].

use regex_syntax::is_meta_character;

use super::grok::{written_offset, Piece};

mod names;
use names::{perl_class, repeat_len, unicode_name, POSIX_CLASSES};

/// What Go refuses, as its `regexp/syntax` words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refused {
    /// A backslash before a letter or digit Go gives no meaning.
    Escape,
    /// A repetition operator right after another.
    NestedRepetition,
    /// A `(?` that is neither flags nor a named group.
    PerlSyntax,
    /// A Unicode class (`\p{..}`) or an ASCII class (`[:name:]`) Go does not know.
    ClassName,
}

impl Refused {
    /// Go's words (`ErrInvalidEscape`...).
    fn words(self) -> &'static str {
        match self {
            Refused::Escape => "invalid escape sequence",
            Refused::NestedRepetition => "invalid nested repetition operator",
            Refused::PerlSyntax => "invalid or unsupported Perl syntax",
            Refused::ClassName => "invalid character class range",
        }
    }

    /// How to fix it.
    pub(super) fn hint(self) -> String {
        let hint = match self {
            Refused::Escape => {
                "Panther's regular expressions (Go's) take a backslash before punctuation \
                 (`\\.`, `\\<`), and the escapes `\\a \\f \\t \\n \\r \\v`, octal `\\0` to `\\377`, \
                 `\\x7F`, `\\x{10FFFF}`, `\\A \\b \\B \\z`, `\\d \\s \\w` (and `\\D \\S \\W`), \
                 `\\pL`, `\\p{Greek}` and `\\Q...\\E`: no other letter or digit (no backreference)"
            }
            Refused::NestedRepetition => {
                "Panther's regular expressions (Go's) refuse a repetition right after another; \
                 keep one, or group the first: `(?:a*)*`"
            }
            Refused::PerlSyntax => {
                "Panther's regular expressions (Go's) take `(?:...)`, `(?P<name>...)`, \
                 `(?<name>...)`, and the flags `i`, `m`, `s` and `U` as `(?i)` or `(?i-s:...)`"
            }
            Refused::ClassName => {
                "Panther's regular expressions (Go's) know the Unicode categories (`\\pL`, \
                 `\\p{Lu}`) and scripts (`\\p{Greek}`) as Go spells them, and the ASCII \
                 classes `[[:alpha:]]`, `[[:digit:]]`..."
            }
        };
        hint.to_owned()
    }
}

/// Where and why Go refuses a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Refusal {
    pub(super) kind: Refused,
    /// The byte of the pattern the problem is at (for a nested repetition, the second).
    pub(super) at: usize,
    /// The end of the text Go quotes.
    pub(super) end: usize,
    /// The text Go quotes in its message.
    expr: String,
}

impl Refusal {
    /// `invalid regular expression: `, Go's words, `: `, and the text Go quotes.
    pub(super) fn message(&self) -> String {
        format!(
            "invalid regular expression: {}: `{}`",
            self.kind.words(),
            self.expr
        )
    }

    /// Whether the mistake is one wherever the text stands (a repetition after another may
    /// come from text being left out between them).
    pub(super) fn stands_alone(&self) -> bool {
        self.kind != Refused::NestedRepetition
    }
}

/// A pattern spelled for the `regex` crate, and where each part of it is written in Go's.
#[derive(Debug)]
pub(super) struct Translation {
    rust: String,
    pieces: Vec<Piece>,
    go_len: usize,
}

impl Translation {
    /// The pattern for the `regex` crate.
    pub(super) fn as_str(&self) -> &str {
        &self.rust
    }

    /// The byte of the Go pattern that byte `pos` of the translation comes from (the start of
    /// what was spelled again, the same byte where it was copied).
    pub(super) fn go_offset(&self, pos: usize) -> usize {
        if pos >= self.rust.len() {
            return self.go_len;
        }
        written_offset(&self.pieces, pos).unwrap_or(0)
    }
}

/// `go`, a pattern in Go's syntax, spelled for the `regex` crate.
///
/// # Errors
///
/// Where Go refuses the pattern and the crate would not (see the module's docs).
pub(super) fn translate(go: &str) -> Result<Translation, Refusal> {
    let mut reader = Reader {
        go,
        pos: 0,
        out: String::with_capacity(go.len() + 16),
        pieces: Vec::new(),
        last_repeat: None,
        operand: false,
    };
    reader.pattern()?;
    Ok(Translation {
        rust: reader.out,
        pieces: reader.pieces,
        go_len: go.len(),
    })
}

/// The reader of one pattern.
struct Reader<'g> {
    go: &'g str,
    /// The next byte of `go` to read.
    pos: usize,
    out: String,
    pieces: Vec<Piece>,
    /// Where the repetition just read starts, when the last thing read is one.
    last_repeat: Option<usize>,
    /// Whether something stands before `pos` that a repetition could repeat (where nothing
    /// does, the crate refuses a repetition as Go does, with its own message).
    operand: bool,
}

impl<'g> Reader<'g> {
    fn rest(&self) -> &'g str {
        &self.go[self.pos..]
    }

    /// Append `text`, which stands for the Go text at `from`: copied (`literal`, so each of
    /// its bytes maps to one there) or spelled again.
    fn put(&mut self, from: usize, text: &str, literal: bool) {
        let start = self.out.len();
        let extends = self
            .pieces
            .last()
            .is_some_and(|p| literal && p.literal && p.offset + (start - p.start) == from);
        if !extends {
            self.pieces.push(Piece {
                start,
                offset: from,
                literal,
            });
        }
        self.out.push_str(text);
    }

    /// Copy the next `len` bytes as they are.
    fn copy(&mut self, len: usize) {
        let go = self.go;
        self.put(self.pos, &go[self.pos..self.pos + len], true);
        self.pos += len;
    }

    /// Append the literal character `c`, read at `from`, escaped if the crate needs it.
    fn literal(&mut self, from: usize, c: char) {
        if is_meta_character(c) {
            self.put(from, &format!("\\{c}"), false);
        } else {
            self.put(from, c.encode_utf8(&mut [0; 4]), false);
        }
    }

    fn refuse(&self, kind: Refused, at: usize, from: usize, end: usize) -> Refusal {
        Refusal {
            kind,
            at,
            end,
            expr: self.go[from..end].to_owned(),
        }
    }

    /// The whole pattern: Go's `parse` loop, outside brackets.
    fn pattern(&mut self) -> Result<(), Refusal> {
        while let Some(c) = self.rest().chars().next() {
            let repeat = match c {
                '*' | '+' | '?' => Some(1),
                '{' => repeat_len(self.rest()),
                _ => None,
            };
            if let Some(len) = repeat {
                self.repetition(len)?;
                continue;
            }
            self.last_repeat = None;
            match c {
                '[' => self.class()?,
                '(' => self.group()?,
                '\\' => self.escape()?,
                '{' => {
                    self.pos += 1;
                    self.put(self.pos - 1, r"\{", false);
                    self.operand = true;
                }
                '|' => {
                    self.copy(1);
                    self.operand = false;
                }
                // `)`, `^`, `$`, `.`, and literal text (`]` and `}` too), read alike.
                _ => {
                    self.copy(c.len_utf8());
                    self.operand = true;
                }
            }
        }
        Ok(())
    }

    /// A repetition of `len` bytes (and its `?`) at `pos`.
    fn repetition(&mut self, len: usize) -> Result<(), Refusal> {
        let start = self.pos;
        let mut end = start + len;
        if self.go[end..].starts_with('?') {
            end += 1;
        }
        if let (true, Some(first)) = (self.operand, self.last_repeat) {
            return Err(self.refuse(Refused::NestedRepetition, start, first, end));
        }
        self.copy(end - start);
        self.last_repeat = self.operand.then_some(start);
        Ok(())
    }

    /// `(`: a group, a named group, or flags (Go's `parsePerlFlags`).
    fn group(&mut self) -> Result<(), Refusal> {
        let start = self.pos;
        let rest = self.rest();
        if !rest[1..].starts_with('?') {
            self.copy(1);
            self.operand = false;
            return Ok(());
        }
        if rest.starts_with("(?P<") || rest.starts_with("(?<") {
            // The name is checked once the pattern compiles (`joined.rs`); one the crate
            // cannot read it refuses here.
            let len = rest.find('>').map_or(rest.len(), |i| i + 1);
            self.copy(len);
            self.operand = false;
            return Ok(());
        }
        let (mut on, mut off) = (String::new(), String::new());
        let (mut negated, mut saw_flag) = (false, false);
        for (i, c) in rest[2..].char_indices() {
            let at = start + 2 + i;
            match c {
                'i' | 'm' | 's' | 'U' => {
                    saw_flag = true;
                    if negated {
                        on.retain(|f| f != c);
                        if !off.contains(c) {
                            off.push(c);
                        }
                    } else if !on.contains(c) {
                        on.push(c);
                    }
                }
                '-' if !negated => {
                    negated = true;
                    saw_flag = false;
                }
                ':' | ')' if !negated || saw_flag => {
                    self.pos = at + 1;
                    let flags = if off.is_empty() {
                        on
                    } else {
                        format!("{on}-{off}")
                    };
                    let text = match c {
                        ':' => format!("(?{flags}:"),
                        _ if flags.is_empty() => String::new(),
                        _ => format!("(?{flags})"),
                    };
                    self.operand &= c == ')';
                    self.put(start, &text, false);
                    return Ok(());
                }
                _ => {
                    let end = at + c.len_utf8();
                    return Err(self.refuse(Refused::PerlSyntax, at, start, end));
                }
            }
        }
        Err(self.refuse(Refused::PerlSyntax, start, start, self.go.len()))
    }

    /// A backslash outside brackets.
    fn escape(&mut self) -> Result<(), Refusal> {
        let start = self.pos;
        let Some(c) = self.go[start + 1..].chars().next() else {
            // A trailing backslash: refused by the crate too.
            self.copy(1);
            return Ok(());
        };
        self.operand = true;
        match c {
            'A' | 'z' => self.copy(2),
            'b' | 'B' => {
                self.pos += 2;
                let text = if c == 'b' { r"(?-u:\b)" } else { r"(?-u:\B)" };
                self.put(start, text, false);
            }
            'Q' => self.quoted(),
            'p' | 'P' => self.unicode_class()?,
            'd' | 'D' | 's' | 'S' | 'w' | 'W' => {
                self.pos += 2;
                self.put(start, perl_class(c, false), false);
            }
            _ => self.char_escape()?,
        }
        Ok(())
    }

    /// `\Q...\E`: the text up to `\E` (or the end), literal.
    fn quoted(&mut self) {
        let body = self.pos + 2;
        let go = self.go;
        let (text, end) = match go[body..].find(r"\E") {
            Some(i) => (&go[body..body + i], body + i + 2),
            None => (&go[body..], go.len()),
        };
        for (i, c) in text.char_indices() {
            self.literal(body + i, c);
        }
        self.pos = end;
    }

    /// `\p` or `\P` at `pos`: a Unicode class (Go's `parseUnicodeClass`).
    fn unicode_class(&mut self) -> Result<(), Refusal> {
        let start = self.pos;
        let rest = self.rest();
        let mut negated = rest.starts_with(r"\P");
        let (name, len) = match rest[2..].chars().next() {
            Some('{') => {
                let Some(end) = rest.find('}') else {
                    let end = self.go.len();
                    return Err(self.refuse(Refused::ClassName, start, start, end));
                };
                (&rest[3..end], end + 1)
            }
            Some(c) => (&rest[2..2 + c.len_utf8()], 2 + c.len_utf8()),
            None => ("", 2),
        };
        let name = match name.strip_prefix('^') {
            Some(name) => {
                negated = !negated;
                name
            }
            None => name,
        };
        if !unicode_name(name) {
            return Err(self.refuse(Refused::ClassName, start, start, start + len));
        }
        self.pos += len;
        let text = match (name, negated) {
            // Surrogates, which no text holds (the crate refuses the name).
            ("Cs", false) => r"\P{Any}".to_owned(),
            ("Cs", true) => r"\p{Any}".to_owned(),
            (_, false) => format!(r"\p{{{name}}}"),
            (_, true) => format!(r"\P{{{name}}}"),
        };
        self.put(start, &text, false);
        self.operand = true;
        Ok(())
    }

    /// A backslash that stands for one character (Go's `parseEscape`), in or out of brackets.
    fn char_escape(&mut self) -> Result<(), Refusal> {
        let start = self.pos;
        let go = self.go;
        let rest = &go[start + 1..];
        let Some(c) = rest.chars().next() else {
            self.copy(1);
            return Ok(());
        };
        let bad = |end: usize| self.refuse(Refused::Escape, start, start, end);
        match c {
            _ if c.is_ascii() && !c.is_ascii_alphanumeric() => {
                self.pos += 2;
                self.literal(start, c);
            }
            '0'..='7' => {
                let digits = rest
                    .bytes()
                    .take(3)
                    .take_while(|b| (b'0'..=b'7').contains(b))
                    .count();
                // A lone `\1`...`\7` would be a backreference.
                if c != '0' && digits < 2 {
                    return Err(bad(start + 2));
                }
                let value = rest[..digits]
                    .bytes()
                    .fold(0u32, |v, b| v * 8 + u32::from(b - b'0'));
                self.pos += 1 + digits;
                self.put(start, &format!(r"\x{{{value:X}}}"), false);
            }
            'x' => {
                let hex = &rest[1..];
                let len = if let Some(braced) = hex.strip_prefix('{') {
                    let digits = braced.bytes().take_while(u8::is_ascii_hexdigit).count();
                    let value = u32::from_str_radix(&braced[..digits], 16).ok();
                    let closed = braced[digits..].starts_with('}');
                    if !closed || value.is_none_or(|v| v > 0x0010_FFFF) {
                        // Go quotes up to the character it stopped at.
                        let next = braced[digits..].chars().next().map_or(0, char::len_utf8);
                        return Err(bad(start + 3 + digits + next));
                    }
                    4 + digits
                } else {
                    let digits = hex
                        .bytes()
                        .take(2)
                        .take_while(u8::is_ascii_hexdigit)
                        .count();
                    if digits < 2 {
                        let read: usize = hex.chars().take(2).map(char::len_utf8).sum();
                        return Err(bad(start + 2 + read));
                    }
                    4
                };
                self.copy(len);
            }
            'a' | 'f' | 'n' | 'r' | 't' | 'v' => self.copy(2),
            _ => return Err(bad(start + 1 + c.len_utf8())),
        }
        Ok(())
    }

    /// A class in brackets (Go's `parseClass`): each member re-spelled so that the crate
    /// reads Go's meaning. A class not closed is left for the crate to refuse.
    fn class(&mut self) -> Result<(), Refusal> {
        self.operand = true;
        self.copy(1);
        if self.rest().starts_with('^') {
            self.copy(1);
        }
        let mut first = true;
        loop {
            let rest = self.rest();
            if rest.is_empty() {
                return Ok(());
            }
            if rest.starts_with(']') && !first {
                self.copy(1);
                return Ok(());
            }
            first = false;
            if let Some(len) = rest
                .strip_prefix("[:")
                .and_then(|r| r.find(":]"))
                .map(|i| i + 4)
            {
                let name = &rest[2..len - 2];
                if !POSIX_CLASSES.contains(&name.strip_prefix('^').unwrap_or(name)) {
                    let end = self.pos + len;
                    return Err(self.refuse(Refused::ClassName, self.pos, self.pos, end));
                }
                self.copy(len);
                continue;
            }
            if rest.starts_with(r"\p") || rest.starts_with(r"\P") {
                self.unicode_class()?;
                continue;
            }
            if let Some(c @ ('d' | 'D' | 's' | 'S' | 'w' | 'W')) =
                rest.strip_prefix('\\').and_then(|r| r.chars().next())
            {
                self.pos += 2;
                self.put(self.pos - 2, perl_class(c, true), false);
                continue;
            }
            self.class_char()?;
            let rest = self.rest();
            if rest.len() >= 2 && rest.starts_with('-') && !rest[1..].starts_with(']') {
                self.copy(1);
                self.class_char()?;
            }
        }
    }

    /// One character of a class (Go's `parseClassChar`).
    fn class_char(&mut self) -> Result<(), Refusal> {
        let start = self.pos;
        match self.rest().chars().next() {
            None => Ok(()),
            Some('\\') => self.char_escape(),
            Some(c) => {
                self.pos += c.len_utf8();
                self.literal(start, c);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests;
