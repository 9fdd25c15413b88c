//! `parser: csv`: a line → the span of each output's value, then the step every text parser
//! ends with (`text::decode`: `expandFields`, then the field decoders; no JSON is written).
//!
//! The quoting rules are in [`crate::schema::csv`] (Go's `encoding/csv` with lazy quotes,
//! as Panther reads rows). A line without any `"` is cut at each delimiter and the spans
//! point into the line itself (no copy). A line holding a `"` has its values unescaped, all
//! of them, into the reused `CsvSlot::unquoted` buffer, and the spans point into that
//! buffer, which the decode step then reads in place of the line (`decode::<Copied>`: the
//! event copies those values, as the buffer is rewritten by the next row).
//!
//! Per input, a plan with `hasHeader` and no `columns` learns the output of each column from
//! the input's first line ([`learn_header`]); the normalizer calls it for line 1 and when a
//! caller says where an input starts ([`Normalizer::start_input`](super::Normalizer::start_input)).

use crate::compile::text::{CsvPlan, TextPlan};
use crate::compile::ObjectPlan;
use crate::error::Refusal;
use crate::event::Val;

use super::tape::{Copied, DecodeResult, Fail, StrMode};
use super::text::{self, keep, TextSlot};

/// The reused state of one CSV plan in one normalizer.
#[derive(Debug, Default)]
pub(crate) struct CsvSlot {
    /// The output of each column of the current input's header (`hasHeader` without
    /// `columns`), reused from input to input.
    header: Vec<Option<usize>>,
    /// Whether `header` holds this input's columns (its first line named an output).
    header_ok: bool,
    /// The span of each value of the current row, in the line or in `unquoted`.
    fields: Vec<(usize, usize)>,
    /// The values of a row holding quotes, unescaped.
    unquoted: String,
}

/// Split `line` into the spans of its values (into `fields`, cleared first). Returns false
/// when they point into `line`; true when the line holds a quote and every value was
/// unescaped into `buf` (cleared first), the spans pointing there.
pub(crate) fn split(
    line: &str,
    delimiter: u8,
    fields: &mut Vec<(usize, usize)>,
    buf: &mut String,
) -> bool {
    fields.clear();
    let bytes = line.as_bytes();
    if memchr::memchr(b'"', bytes).is_none() {
        let mut start = 0;
        for at in memchr::memchr_iter(delimiter, bytes) {
            fields.push((start, at));
            start = at + 1;
        }
        fields.push((start, bytes.len()));
        return false;
    }
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
                    return true;
                };
                buf.push_str(&rest[..q]);
                rest = &rest[q + 1..];
                match rest.as_bytes().first() {
                    None => {
                        fields.push((start, buf.len()));
                        return true;
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
            return true;
        };
        buf.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        fields.push((start, buf.len()));
    }
}

/// Read the first line of an input (none: the input has no first line, or it is not text)
/// as the header of a plan with `hasHeader` and no `columns`: the output each column fills.
/// A header that names none of the outputs is not this log type's: its rows are refused.
pub(crate) fn learn_header(plan: &TextPlan, slot: &mut TextSlot, line: Option<&str>) {
    let (Some(c), Some(cs)) = (&plan.csv, &mut slot.csv) else {
        return;
    };
    if !c.has_header || !c.columns.is_empty() {
        return;
    }
    cs.header.clear();
    cs.header_ok = false;
    let Some(line) = line else { return };
    let CsvSlot {
        header,
        header_ok,
        fields,
        unquoted,
    } = cs;
    let text: &str = if split(line, c.delimiter, fields, unquoted) {
        unquoted
    } else {
        line
    };
    header.extend(fields.iter().map(|&(s, e)| {
        let name = if plan.trim_space {
            text[s..e].trim()
        } else {
            &text[s..e]
        };
        plan.outputs.iter().position(|o| **o == *name)
    }));
    *header_ok = header.iter().any(Option::is_some);
}

/// Whether `line`, the first of its input, is the header of this plan (to be consumed):
/// for `hasHeader` with `columns`, a row of as many values as columns; without `columns`,
/// a header that names an output (see [`learn_header`], called before).
pub(crate) fn is_header(plan: &TextPlan, slot: &mut TextSlot, line: &str) -> bool {
    let (Some(c), Some(cs)) = (&plan.csv, &mut slot.csv) else {
        return false;
    };
    if !c.has_header {
        return false;
    }
    if c.columns.is_empty() {
        return cs.header_ok;
    }
    split(line, c.delimiter, &mut cs.fields, &mut cs.unquoted);
    cs.fields.len() == c.columns.len()
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
        return Err(Refusal::NoHeader);
    };
    let quoted = split(line, c.delimiter, &mut cs.fields, unquoted);
    let text: &str = if quoted { unquoted } else { line };
    let (columns, from_header): (&[Option<usize>], bool) = if c.columns.is_empty() {
        if !cs.header_ok {
            return Err(Refusal::NoHeader);
        }
        (&cs.header, true)
    } else {
        (&c.columns, false)
    };
    if cs.fields.len() != columns.len() {
        return Err(Refusal::FieldCount {
            found: cs.fields.len(),
            expected: columns.len(),
            from_header,
        });
    }
    vals.fill(None);
    for (&(start, end), column) in cs.fields.iter().zip(columns) {
        if let Some(output) = *column {
            if vals[output].is_none() {
                vals[output] = keep(plan, text, start, end);
            }
        }
    }
    Ok(quoted)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        }
        assert_eq!(values("a\tb c\t\"d\te\"", b'\t'), ["a", "b c", "d\te"]);
    }
}
