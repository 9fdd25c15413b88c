//! What the patterns of the text parsers mean: grok placeholders of `parser: regex` and the
//! `%{name}` placeholders of `parser: fastmatch`, both turned into one regular expression
//! (run by the `regex` crate, in time linear in the line) per pattern, with the field each
//! capture group fills. Patterns are Go's syntax (Panther's), read as Go reads them and
//! spelled for the crate (`go_syntax.rs`: `\d \w \s \b` keep Go's ASCII meanings, `\<` is
//! `<`...).
//!
//! - **regex**: the `match` items are joined into one pattern. `%{PATTERN:field}` becomes a
//!   capture group filling `field`; `%{PATTERN}` a group that only matches. `PATTERN` is one
//!   of `patternDefinitions` (which may hold placeholders too) or a built-in pattern
//!   ([`BUILTIN_PATTERNS`]). A named group `(?P<name>...)` fills the field `name`. The
//!   pattern is searched for in the line: write `^` and `$` to match whole lines.
//! - **fastmatch**: each item of `match` is a pattern of its own, tried in order; a line
//!   must start with the text before its first placeholder. `%{name}` captures the text up
//!   to the first occurrence of the literal text after it, and the last placeholder of a
//!   pattern that ends with one captures the rest of the line; after a pattern's last
//!   literal text, the rest of the line is ignored. `%{}` skips text. Two placeholders need
//!   literal text between them. Values between quotes are read with their escapes when a
//!   backslash is ahead (`parse/text.rs`): the regular expression is the matcher's on
//!   lines without one.
//!
//! When a field is captured more than once (alternatives, or repeated placeholders), the
//! first group that took part in the match gives its value; when none took part, it is
//! `""` (Panther's grok gives a group outside the match the empty text).
//!
//! The checks of the parser block run with the other schema checks ([`super::validate`]);
//! they report every problem of the patterns, each where it is written (the item of `match`
//! or the definition, and the column inside it when the file shows the text one character
//! per column). A block may also load, here as in Panther, and yet not work as written: a
//! fastmatch placeholder whose value ends at text that every time of its field holds never
//! captures a time whole. Those are warnings ([`super::validate::warnings`]), found and
//! placed the same way.

use regex::Regex;

use super::RegexParser;

mod check;
mod fastmatch;
mod go_limits;
mod go_syntax;
mod grok;
mod joined;
#[cfg(test)]
mod tests;

pub(crate) use check::{check, lint};
pub(crate) use fastmatch::holes;

/// The grok patterns every `parser: regex` schema can use without defining them. First
/// Panther's own set (its `gork` package, based on grokky: the first [`PANTHER_PATTERNS`],
/// which a `patternDefinitions` entry may not redefine, as in Panther), as Panther defines
/// them, with one departure:
/// Panther's `HEXDIGIT` is `[0-9a-fAF]`, a slip that leaves out `B` to `E` (and with them
/// upper-case UUIDs and IPv6 addresses); here it is `[0-9a-fA-F]`. Then a few patterns of
/// Logstash's `grok-patterns` that Panther lacks (normalog extensions: a schema using them
/// does not load in Panther; a definition of the same name replaces one). A capture inside a built-in (`SYSLOGPROG` fills `program`
/// and `pid`) fills a field only when the schema has one of that name.
pub const BUILTIN_PATTERNS: &[(&str, &str)] = &[
    // Panther's patterns. Text.
    ("DATA", r".*?"),
    ("GREEDYDATA", r".*"),
    ("NOTSPACE", r"\S+"),
    ("SPACE", r"\s*"),
    ("WORD", r"\b\w+\b"),
    (
        "QUOTEDSTRING",
        r#""(?:\\.|[^\\"]+)+"|""|'(?:\\.|[^\\']+)+'|''"#,
    ),
    ("HEXDIGIT", r"[0-9a-fA-F]"),
    (
        "UUID",
        r"%{HEXDIGIT}{8}-(?:%{HEXDIGIT}{4}-){3}%{HEXDIGIT}{12}",
    ),
    // Numbers.
    ("INT", r"[+-]?(?:[0-9]+)"),
    ("BASE10NUM", r"[+-]?(?:[0-9]+(?:\.[0-9]+)?)|\.[0-9]+"),
    ("NUMBER", r"%{BASE10NUM}"),
    ("BASE16NUM", r"(?:0[xX])?%{HEXDIGIT}+"),
    ("POSINT", r"\b[1-9][0-9]*\b"),
    ("NONNEGINT", r"\b[0-9]+\b"),
    // Network.
    ("CISCOMAC", r"(?:[A-Fa-f0-9]{4}\.){2}[A-Fa-f0-9]{4}"),
    ("WINDOWSMAC", r"(?:[A-Fa-f0-9]{2}-){5}[A-Fa-f0-9]{2}"),
    ("COMMONMAC", r"(?:[A-Fa-f0-9]{2}:){5}[A-Fa-f0-9]{2}"),
    ("MAC", r"%{CISCOMAC}|%{WINDOWSMAC}|%{COMMONMAC}"),
    ("IPV6", IPV6),
    ("IPV4INT", r"25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]|[0-9]"),
    ("IPV4", r"\b(?:(?:%{IPV4INT})\.){3}(?:%{IPV4INT})\b"),
    ("IP", r"%{IPV6}|%{IPV4}"),
    // Panther ends it with `(\.?|\b)`, which matches what `\.?` does (its first branch
    // always can): written so, without a group, the regex parser can cut at it.
    (
        "HOSTNAME",
        r"\b(?:[0-9A-Za-z][0-9A-Za-z-]{0,62})(?:\.(?:[0-9A-Za-z][0-9A-Za-z-]{0,62}))*\.?",
    ),
    ("IPORHOST", r"%{IP}|%{HOSTNAME}"),
    ("HOSTPORT", r"%{IPORHOST}:%{POSINT}"),
    // Paths and URIs.
    ("USERNAME", r"[a-zA-Z0-9._-]+"),
    ("UNIXPATH", r"(?:/[\w_%!$@:.,-]?/?)(?:\S+)?"),
    ("WINPATH", r"(?:[A-Za-z]:|\\)(?:\\[^\\?*]*)+"),
    ("PATH", r"(?:%{UNIXPATH}|%{WINPATH})"),
    ("TTY", r"(?:/dev/(?:pts|tty(?:[pq])?)(?:\w+)?/?(?:[0-9]+))"),
    ("URIPROTO", r"[A-Za-z]+(?:\+[A-Za-z+]+)?"),
    ("URIHOST", r"%{IPORHOST}(?::%{POSINT})?"),
    ("URIPATH", r"(?:/[A-Za-z0-9$.+!*'(){},~:;=@#%_\-]*)+"),
    ("URIPARAM", r"\?[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\-\[\]<>]*"),
    ("URIPATHPARAM", r"%{URIPATH}(?:%{URIPARAM})?"),
    (
        "URI",
        r"%{URIPROTO}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST})?(?:%{URIPATHPARAM})?",
    ),
    // Dates and times.
    (
        "MONTH",
        r"\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:tember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b",
    ),
    ("MONTHNUM", r"0?[1-9]|1[0-2]"),
    ("MONTHNUM2", r"0[1-9]|1[0-2]"),
    ("MONTHDAY", r"(?:0[1-9])|(?:[12][0-9])|(?:3[01])|[1-9]"),
    (
        "DAY",
        r"\b(?:Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)\b",
    ),
    ("YEAR", r"(?:\d\d){1,2}"),
    ("HOUR", r"2[0123]|[01]?[0-9]"),
    ("MINUTE", r"[0-5][0-9]"),
    // 60: a leap second.
    ("SECOND", r"(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?"),
    ("KITCHEN", r"%{HOUR}:%{MINUTE}"),
    ("TIME", r"%{HOUR}:%{MINUTE}:%{SECOND}"),
    ("DATE_US", r"%{MONTHNUM}[/-]%{MONTHDAY}[/-]%{YEAR}"),
    ("DATE_EU", r"%{MONTHDAY}[./-]%{MONTHNUM}[./-]%{YEAR}"),
    ("ISO8601_TIMEZONE", r"(?:Z|[+-]%{HOUR}(?::?%{MINUTE}))"),
    ("ISO8601_SECOND", r"(?:%{SECOND}|60)"),
    (
        "TIMESTAMP_ISO8601",
        r"%{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?",
    ),
    ("DATE", r"%{DATE_US}|%{DATE_EU}"),
    ("DATETIME", r"%{DATE}[- ]%{TIME}"),
    ("TZ", r"[A-Z]{3}"),
    ("TZOFFSET", r"[+-]\d{4}"),
    (
        "TIMESTAMP_RFC822",
        r"%{DAY} %{MONTH} %{MONTHDAY} %{YEAR} %{TIME} %{TZ}",
    ),
    (
        "TIMESTAMP_RFC2822",
        r"%{DAY}, %{MONTHDAY} %{MONTH} %{YEAR} %{TIME} %{ISO8601_TIMEZONE}",
    ),
    (
        "TIMESTAMP_OTHER",
        r"%{DAY} %{MONTH} %{MONTHDAY} %{TIME} %{TZ} %{YEAR}",
    ),
    (
        "TIMESTAMP_EVENTLOG",
        r"%{YEAR}%{MONTHNUM2}%{MONTHDAY}%{HOUR}%{MINUTE}%{SECOND}",
    ),
    ("SYSLOGTIMESTAMP", r"%{MONTH} +%{MONTHDAY} %{TIME}"),
    (
        "HTTPDATE",
        r"%{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} %{TZOFFSET}",
    ),
    // Panther's aliases.
    ("NS", r"%{NOTSPACE}"),
    ("QS", r"%{QUOTEDSTRING}"),
    ("HOST", r"%{HOSTNAME}"),
    ("PID", r"%{POSINT}"),
    ("USER", r"%{USERNAME}"),
    // normalog extensions: Logstash's, not in Panther.
    ("EMAILLOCALPART", r"[a-zA-Z][a-zA-Z0-9_.+-=:]+"),
    ("EMAILADDRESS", r"%{EMAILLOCALPART}@%{HOSTNAME}"),
    (
        "BASE16FLOAT",
        r"\b[+-]?(?:0x)?(?:[0-9A-Fa-f]+(?:\.[0-9A-Fa-f]*)?|\.[0-9A-Fa-f]+)\b",
    ),
    (
        "URN",
        r"urn:[0-9A-Za-z][0-9A-Za-z-]{0,31}:(?:%[0-9a-fA-F]{2}|[0-9A-Za-z()+,.:=@;$_!*'/?#-])+",
    ),
    ("DATESTAMP", r"%{DATE}[- ]%{TIME}"),
    ("DATESTAMP_RFC822", r"%{TIMESTAMP_RFC822}"),
    ("DATESTAMP_RFC2822", r"%{TIMESTAMP_RFC2822}"),
    ("DATESTAMP_OTHER", r"%{TIMESTAMP_OTHER}"),
    ("DATESTAMP_EVENTLOG", r"%{TIMESTAMP_EVENTLOG}"),
    ("PROG", r"[\x21-\x5a\x5c\x5e-\x7e]+"),
    ("SYSLOGPROG", r"%{PROG:program}(?:\[%{POSINT:pid}\])?"),
    ("SYSLOGHOST", r"%{IPORHOST}"),
    (
        "SYSLOGFACILITY",
        r"<%{NONNEGINT:facility}.%{NONNEGINT:priority}>",
    ),
    (
        "LOGLEVEL",
        r"[Aa]lert|ALERT|[Tt]race|TRACE|[Dd]ebug|DEBUG|[Nn]otice|NOTICE|[Ii]nfo|INFO|[Ww]arn?(?:ing)?|WARN?(?:ING)?|[Ee]rr?(?:or)?|ERR?(?:OR)?|[Cc]rit?(?:ical)?|CRIT?(?:ICAL)?|[Ff]atal|FATAL|[Ss]evere|SEVERE|EMERG(?:ENCY)?|[Ee]merg(?:ency)?",
    ),
];

/// How many of [`BUILTIN_PATTERNS`] are Panther's (the rest are normalog extensions).
pub const PANTHER_PATTERNS: usize = 67;

/// Panther's `IPV6`: the eight groups of hex digits with `::` in any place, an IPv4 tail,
/// and a zone (`%eth0`). Its groups are written non-capturing here (Panther skips groups
/// without a name), and its zone is letters, digits and `._~-` (RFC 6874's unreserved
/// characters; Panther's is `%.+`, any text): both let the regex parser cut lines at the
/// literal text after an address instead of running the regex engine.
const IPV6: &str = concat!(
    r"\b(?:(?:(?:%{HEXDIGIT}{1,4}:){7}(?:%{HEXDIGIT}{1,4}|:))",
    r"|(?:(?:%{HEXDIGIT}{1,4}:){6}(?::%{HEXDIGIT}{1,4}|(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})|:))",
    r"|(?:(?:%{HEXDIGIT}{1,4}:){5}(?:(?:(?::%{HEXDIGIT}{1,4}){1,2})|:(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})|:))",
    r"|(?:(?:%{HEXDIGIT}{1,4}:){4}(?:(?:(?::%{HEXDIGIT}{1,4}){1,3})|(?:(?::%{HEXDIGIT}{1,4})?:(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))",
    r"|(?:(?:%{HEXDIGIT}{1,4}:){3}(?:(?:(?::%{HEXDIGIT}{1,4}){1,4})|(?:(?::%{HEXDIGIT}{1,4}){0,2}:(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))",
    r"|(?:(?:%{HEXDIGIT}{1,4}:){2}(?:(?:(?::%{HEXDIGIT}{1,4}){1,5})|(?:(?::%{HEXDIGIT}{1,4}){0,3}:(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))",
    r"|(?:(?:%{HEXDIGIT}{1,4}:){1}(?:(?:(?::%{HEXDIGIT}{1,4}){1,6})|(?:(?::%{HEXDIGIT}{1,4}){0,4}:(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))",
    r"|(?::(?:(?:(?::%{HEXDIGIT}{1,4}){1,7})|(?:(?::%{HEXDIGIT}{1,4}){0,5}:(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:)))(?:%[0-9A-Za-z._~-]+)?\b",
);

/// The prefix of the capture groups made for placeholders (user groups cannot clash with
/// them in practice: a group name of the `regex` crate may not hold the dash).
const GROUP_PREFIX: &str = "__nl";

/// One pattern turned into a regular expression.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The regular expression.
    pub regex: Regex,
    /// `(capture group index, field name)` for each group that fills a field, in group order.
    pub captures: Vec<(usize, String)>,
}

/// Where in a parser block a problem is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum At {
    /// The `match` list as a whole.
    Match,
    /// The item `match[i]`.
    MatchItem(usize),
    /// `patternDefinitions.NAME`.
    Definition(String),
}

/// A problem with a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where.
    pub at: At,
    /// Where in the text of `at` (the `match` item or the definition's pattern), as a byte
    /// offset, when the problem is at one place of it.
    pub offset: Option<usize>,
    /// What, lowercase.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl Problem {
    fn new(at: At, message: String, hint: Option<String>) -> Problem {
        Problem {
            at,
            offset: None,
            message,
            hint,
        }
    }
}

/// A capture that fills a field, and where it is written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Fill {
    pub(crate) field: String,
    pub(crate) at: At,
    /// Byte offset in the text of `at`.
    pub(crate) offset: Option<usize>,
}

/// What reading the patterns of a parser block found.
#[derive(Debug, Default)]
pub(crate) struct Reading {
    /// The regular expressions (one for `regex`, one per item for `fastmatch`) when there is
    /// no problem.
    pub(crate) compiled: Vec<Compiled>,
    /// Every problem, in the order found.
    pub(crate) problems: Vec<Problem>,
    /// Every capture that fills a field.
    pub(crate) fills: Vec<Fill>,
    /// Whether `fills` is known to hold every capture: false when a pattern could not be read
    /// to its end, so that no field is said to be filled by nothing when it may be.
    pub(crate) complete: bool,
    /// `regex`: the literal text every match starts a line with, when the pattern is
    /// anchored at the start (`^`) and compiled (empty when it starts with anything else).
    pub(crate) lead: Option<String>,
}

impl Reading {
    /// The first regular expression, or the first problem.
    fn into_first(self) -> Result<Compiled, Problem> {
        let mut problems = self.problems.into_iter();
        match (problems.next(), self.compiled.into_iter().next()) {
            (None, Some(compiled)) => Ok(compiled),
            (Some(problem), _) => Err(problem),
            // Not produced by the readers: a pattern is compiled unless a problem says why.
            (None, None) => Err(empty_match()),
        }
    }
}

/// The regular expression of a `parser: regex` block, in a schema whose top-level fields
/// are `fields` (what the captures of built-in patterns may fill).
///
/// # Errors
///
/// The first problem (a schema check reports all of them): an unknown grok pattern, a cycle
/// of definitions, a grok type conversion, or what the `regex` crate refuses (its message).
pub fn compile_regex(p: &RegexParser, fields: &[&str]) -> Result<Compiled, Problem> {
    joined::read(p, fields).into_first()
}

/// The regular expression of the pattern `match[index]` of a `parser: fastmatch` block.
///
/// # Errors
///
/// The first problem (a schema check reports all of them): a placeholder not closed, two
/// placeholders without text between, one name twice, or no placeholder at all.
pub fn compile_fastmatch(pattern: &str, index: usize) -> Result<Compiled, Problem> {
    fastmatch::read(pattern, index).into_first()
}

/// `(group index, field)` of the groups that fill fields: the placeholders' groups and the
/// user's named groups.
fn captures(regex: &Regex, fields: &[String]) -> Vec<(usize, String)> {
    regex
        .capture_names()
        .enumerate()
        .filter_map(|(i, name)| {
            let name = name?;
            match name.strip_prefix(GROUP_PREFIX) {
                Some(n) => n
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| fields.get(n))
                    .map(|f| (i, f.clone())),
                None => Some((i, name.to_owned())),
            }
        })
        .collect()
}

/// The message of a regex error: the line of the `regex` crate's message that says what is
/// wrong (its other lines draw the pattern, which the schema position already shows).
fn regex_message(e: &regex::Error) -> String {
    let text = e.to_string();
    let what = text
        .lines()
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or(text.as_str())
        .trim();
    format!("invalid regular expression: {what}")
}

fn empty_match() -> Problem {
    Problem::new(
        At::Match,
        "`match` has no patterns".into(),
        Some("list at least one pattern under `match`".into()),
    )
}

/// `did you mean `x`?` for the closest of `names`, else `otherwise`.
fn closest(word: &str, names: &[&str], otherwise: &str) -> String {
    crate::suggest::did_you_mean_or(word, names.iter().copied(), || otherwise.into())
}

/// The `%{name}`s of an `expandFields` template. Spaces around a name are not part of it
/// (`%{ user }` is `user`): Panther trims them when it compiles the template (the reference's
/// `OSS:LP/preprocessors/text.go`, `compileFieldTemplates`).
///
/// # Errors
///
/// The rest of the template from a `%{` that is not closed.
pub fn template_names(template: &str) -> Result<Vec<&str>, &str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("%{") {
        rest = &rest[start..];
        let Some(end) = rest.find('}') else {
            return Err(rest);
        };
        out.push(rest[2..end].trim());
        rest = &rest[end + 1..];
    }
    Ok(out)
}
