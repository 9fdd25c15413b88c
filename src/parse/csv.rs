//! `parser: csv`: a line → the span of each output's value, then the step every text parser
//! ends with (`text::decode`: `expandFields`, then the field decoders; no JSON is written).
//!
//! The quoting rules are in [`crate::schema::csv`] (Go's `encoding/csv` with lazy quotes,
//! as Panther reads rows). One pass over the positions of the delimiters and quotes
//! ([`split_in_place`]) cuts the usual line: its unquoted values, and its quoted values that
//! hold no quote (their text is what lies between the quotes), are spans of the line itself,
//! no copy. A line with a value to rewrite (an escaped quote `""`, or a quote inside a quoted
//! value that lazy quotes keep as text) has its values unescaped, all of them, into the
//! reused `CsvSlot::unquoted` buffer ([`unescape`]), and the spans point into that buffer,
//! which the decode step then reads in place of the line (`decode::<Copied>`: the event
//! copies those values, as the buffer is rewritten by the next row).
//!
//! Per input, a plan with `hasHeader` takes as its header the input's first line that it
//! does not skip (lines `skipLines` and `skipPrefix` consume, and blank lines, may come
//! before it: an export's comment lines) and consumes it; without `columns` it learns the
//! output of each column from it ([`offer_header`]). The normalizer starts each input's
//! search at line 1, and when a caller says where an input starts
//! ([`Normalizer::start_input`](super::Normalizer::start_input)), from the input's first
//! lines.

use crate::compile::text::{CsvPlan, TextPlan};
use crate::compile::ObjectPlan;
use crate::error::Refusal;
use crate::event::Val;

use super::marks::Marks;
use super::tape::{Copied, DecodeResult, Fail, StrMode};
use super::text::{self, keep, TextSlot};

/// The reused state of one CSV plan in one normalizer.
#[derive(Debug, Default)]
pub(crate) struct CsvSlot {
    /// The output of each column of the current input's header (`hasHeader` without
    /// `columns`), reused from input to input.
    header: Vec<Option<usize>>,
    /// Whether `header` holds this input's columns (its header line named an output).
    header_ok: bool,
    /// The line of the current input that is its header: [`WAITING`] until a line the plan
    /// does not skip has come, [`NO_HEADER`] when there is none (with `columns`: the first
    /// such line had another number of values; or the input's first lines, given by a
    /// caller starting in its middle, held none; or the plan has no `hasHeader`).
    header_line: u64,
    /// The span of each value of the current row, in the line or in `unquoted`.
    fields: Vec<(usize, usize)>,
    /// The values of a row with a value to rewrite (an escaped quote), unescaped.
    unquoted: String,
}

/// Split `line` into the spans of its values (into `fields`, cleared first). Returns false
/// when they point into `line`; true when a value had to be rewritten and every value was
/// unescaped into `buf` (cleared first), the spans pointing there.
pub(crate) fn split(
    line: &str,
    delimiter: u8,
    fields: &mut Vec<(usize, usize)>,
    buf: &mut String,
) -> bool {
    if split_in_place(line.as_bytes(), delimiter, fields) {
        return false;
    }
    unescape(line, delimiter, fields, buf);
    true
}

/// Cut `line` at its delimiters into spans of the line (into `fields`, cleared first),
/// when no value needs rewriting: a quoted value (a quote opens it) is the text between its
/// quotes, up to a quote followed by the delimiter or by the line's end (a value never
/// closed runs to the line's end); a quote anywhere else in an unquoted value is text.
/// False, `fields` left unfinished, when a quoted value holds a quote: an escaped one
/// (`""`) or a quote lazy quotes keep as text (`"a"b"`), for [`unescape`].
///
/// One pass over the positions of the delimiters and quotes ([`Marks`]) rather than a search
/// per value: the values are short, and each search has its own setup.
fn split_in_place(line: &[u8], delimiter: u8, fields: &mut Vec<(usize, usize)>) -> bool {
    fields.clear();
    // The start of the current value, and whether a quote opened it.
    let mut start = 0;
    let mut quoted = false;
    // The delimiter after a closing quote ends that value: it is passed over.
    let mut next = 0;
    for at in Marks::new(delimiter, b'"', line) {
        if at < next {
            continue;
        }
        let byte = line[at];
        if quoted {
            // The delimiter is text inside quotes.
            if byte != b'"' {
                continue;
            }
            match line.get(at + 1) {
                None => {
                    fields.push((start + 1, at));
                    return true;
                }
                Some(&b) if b == delimiter => {
                    fields.push((start + 1, at));
                    start = at + 2;
                    next = at + 2;
                    quoted = false;
                }
                Some(_) => return false,
            }
        } else if byte == delimiter {
            fields.push((start, at));
            start = at + 1;
        } else if at == start {
            quoted = true;
        }
    }
    fields.push(if quoted {
        (start + 1, line.len())
    } else {
        (start, line.len())
    });
    true
}

/// Split `line` into its values unescaped into `buf` (cleared first), their spans into
/// `fields` (cleared first): every quoting rule, for the lines [`split_in_place`] leaves.
fn unescape(line: &str, delimiter: u8, fields: &mut Vec<(usize, usize)>, buf: &mut String) {
    fields.clear();
    buf.clear();
    // Cutting at ASCII bytes (the quote, the delimiter) keeps every slice on a character
    // boundary.
    let mut rest = line;
    'values: loop {
        let start = buf.len();
        if let Some(quoted) = rest.strip_prefix('"') {
            rest = quoted;
            loop {
                let Some(q) = memchr::memchr(b'"', rest.as_bytes()) else {
                    // Never closed: the value runs to the end of the line.
                    buf.push_str(rest);
                    fields.push((start, buf.len()));
                    return;
                };
                buf.push_str(&rest[..q]);
                rest = &rest[q + 1..];
                match rest.as_bytes().first() {
                    None => {
                        fields.push((start, buf.len()));
                        return;
                    }
                    Some(&b) if b == delimiter => {
                        rest = &rest[1..];
                        fields.push((start, buf.len()));
                        continue 'values;
                    }
                    Some(b'"') => {
                        buf.push('"');
                        rest = &rest[1..];
                    }
                    // A quote followed by other text is text (lazy quotes).
                    Some(_) => buf.push('"'),
                }
            }
        }
        let Some(at) = memchr::memchr(delimiter, rest.as_bytes()) else {
            buf.push_str(rest);
            fields.push((start, buf.len()));
            return;
        };
        buf.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        fields.push((start, buf.len()));
    }
}

/// [`CsvSlot::header_line`] of a plan with `hasHeader` before its input's header has come.
const WAITING: u64 = u64::MAX;
/// [`CsvSlot::header_line`] of an input without a header line (and of a plan without
/// `hasHeader`, or before any input started: the default).
const NO_HEADER: u64 = 0;

/// A new input starts: a plan with `hasHeader` waits for its header line.
pub(crate) fn start_input(plan: &TextPlan, slot: &mut TextSlot) {
    if let (Some(c), Some(cs)) = (&plan.csv, &mut slot.csv) {
        if c.has_header {
            cs.header.clear();
            cs.header_ok = false;
            cs.header_line = WAITING;
        }
    }
}

/// Whether the plan of `slot` waits for the current input's header line.
pub(crate) fn waits_for_header(slot: &TextSlot) -> bool {
    slot.csv
        .as_ref()
        .is_some_and(|cs| cs.header_line == WAITING)
}

/// The input's first lines, given by a caller that starts in its middle, were all read and
/// none was the header: the plan stops waiting (its rows are refused: no header).
pub(crate) fn no_header_yet(slot: &mut TextSlot) {
    if let Some(cs) = slot.csv.as_mut().filter(|cs| cs.header_line == WAITING) {
        cs.header_line = NO_HEADER;
    }
}

/// Offer line `line_no` of the input (`line`, without its line end) to a plan with
/// `hasHeader`; returns whether it is the input's header, to be consumed. The first line
/// the plan does not skip (lines 1 to `skipLines`, lines that start with `skipPrefix`,
/// blank lines) is the header line: without `columns` its values name the output each
/// column fills (a header that names none is not this log type's: neither it nor the
/// input's rows are, they are refused); with `columns`, it is the header only if it has as
/// many values as columns (otherwise the input has no header line, and this line is a row).
pub(crate) fn offer_header(plan: &TextPlan, slot: &mut TextSlot, line: &str, line_no: u64) -> bool {
    let (Some(c), Some(cs)) = (&plan.csv, &mut slot.csv) else {
        return false;
    };
    if !c.has_header {
        return false;
    }
    if cs.header_line != WAITING {
        return cs.header_line == line_no && (cs.header_ok || !c.columns.is_empty());
    }
    let skipped = plan.skips_line(line, line_no) || line.trim().is_empty();
    if skipped {
        return false;
    }
    let CsvSlot {
        header,
        header_ok,
        header_line,
        fields,
        unquoted,
    } = cs;
    let text: &str = if split(line, c.delimiter, fields, unquoted) {
        unquoted
    } else {
        line
    };
    if !c.columns.is_empty() {
        let is_header = fields.len() == c.columns.len();
        *header_line = if is_header { line_no } else { NO_HEADER };
        return is_header;
    }
    header.extend(fields.iter().map(|&(s, e)| {
        let name = if plan.trim_space {
            text[s..e].trim()
        } else {
            &text[s..e]
        };
        plan.outputs.iter().position(|o| **o == *name)
    }));
    *header_ok = header.iter().any(Option::is_some);
    *header_line = line_no;
    *header_ok
}

/// Split the row `line` into the values of `plan`'s outputs and decode them into a new
/// block of `vals` for `root` (see `text::decode`): values that point into the line reach
/// the event as `M` makes them, unescaped ones are copied. The block's start, or why the row
/// is refused.
pub(crate) fn decode<'t, 'a, M: StrMode<'t, 'a>>(
    root: &ObjectPlan,
    plan: &TextPlan,
    c: &CsvPlan,
    slot: &mut TextSlot,
    line: &'t str,
    vals: &mut Vec<Val<'a>>,
    out_text: &mut String,
) -> DecodeResult<usize> {
    // Taken out of the slot while the decode step borrows the slot, and put back after.
    let mut unquoted = slot
        .csv
        .as_mut()
        .map(|cs| std::mem::take(&mut cs.unquoted))
        .unwrap_or_default();
    let result = match fill(plan, c, slot, line, &mut unquoted) {
        Ok(false) => text::decode::<M>(root, plan, slot, line, vals, out_text),
        Ok(true) => text::decode::<Copied>(root, plan, slot, &unquoted, vals, out_text),
        Err(refusal) => Err(Fail::Detail(refusal)),
    };
    if let Some(cs) = slot.csv.as_mut() {
        cs.unquoted = unquoted;
    }
    result
}

/// Split the row into `slot.vals` (trimmed, empty values left out); true when the spans
/// point into `unquoted` rather than `line`.
fn fill(
    plan: &TextPlan,
    c: &CsvPlan,
    slot: &mut TextSlot,
    line: &str,
    unquoted: &mut String,
) -> Result<bool, Refusal> {
    let TextSlot { vals, csv, .. } = slot;
    let Some(cs) = csv.as_mut() else {
        return Err(Refusal::NoHeader { line: None });
    };
    let quoted = split(line, c.delimiter, &mut cs.fields, unquoted);
    let text: &str = if quoted { unquoted } else { line };
    let (columns, header_line): (&[Option<usize>], Option<u64>) = if c.columns.is_empty() {
        if !cs.header_ok {
            let line = cs.header_line;
            return Err(Refusal::NoHeader {
                line: (line != WAITING && line != NO_HEADER).then_some(line),
            });
        }
        (&cs.header, Some(cs.header_line))
    } else {
        (&c.columns, None)
    };
    if cs.fields.len() != columns.len() {
        return Err(Refusal::FieldCount {
            found: cs.fields.len(),
            expected: columns.len(),
            header_line,
        });
    }
    vals.fill(None);
    // Last column first, so that of two columns naming an output, the first with a kept
    // value wins without reading back what was stored (the usual row names each output once).
    for (&(start, end), column) in cs.fields.iter().zip(columns).rev() {
        if let Some(output) = *column {
            if let Some(span) = keep(plan, text, start, end) {
                vals[output] = Some(span);
            }
        }
    }
    Ok(quoted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::xorshift;

    fn values(line: &str, delimiter: u8) -> Vec<String> {
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
        unescape(line, delimiter, &mut fields, &mut buf);
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
}
