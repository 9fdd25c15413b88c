//! Rows for `parser: csv` log types.
//!
//! Each column named by a field gets a value of that field's type from the same value
//! generators as JSON records and the other text lines (an IP for an `ip` indicator, a
//! timestamp in the field's own format, an integer in range), written as text; a column no
//! field reads (`columns` may name one, or a template may use one) gets a word. The values
//! are joined with the schema's `delimiter`, in `columns` order, or, when the header names
//! the columns (`hasHeader` without `columns`), in the order of the schema's fields (those
//! that can be written as text, and the names templates use besides). The header line
//! itself ([`CsvGen::header`]) is the file's first line, written once by the generator.
//!
//! A value holding the delimiter or a quote is quoted, its quotes doubled, as the reader
//! (Go's `encoding/csv` with lazy quotes, `crate::schema::csv`) reads it back. A row ends at
//! its line end and a quoted value cannot span lines, so a value never holds a line end: it
//! is made again (a few times), then its line ends become spaces. With `trimSpace`, values
//! are written trimmed. An optional field is now and then left empty (the first of
//! `emptyValues`, or nothing), as real exports do; never the event time.
//!
//! Every row is read back with the reader's own splitting before it is kept: as many values
//! as columns, each field the value written, each required field a value (not empty, not
//! one of `emptyValues`). A row never starts with `skipPrefix` (it would be skipped), is
//! never blank, and never starts with `{` (a JSON object goes to JSON log types only).

use super::lines::{write_read_back, write_text, Bad};
use super::plan::{FieldGen, VGen};
use super::{text, State};
use crate::parse::csv::split;
use crate::schema::csv::Delimiter;
use crate::schema::CsvParser;

/// The row generator of one `parser: csv` log type.
#[derive(Debug)]
pub(super) struct CsvGen {
    delimiter: Delimiter,
    /// Per column: the field (index in the root's fields) whose value it holds, or none for
    /// a column no field reads (a word is written). A field named by two columns is read
    /// from the first: the second is a column no field reads.
    columns: Vec<Option<usize>>,
    /// The header line (`hasHeader`), without its line end.
    header: Option<String>,
    skip_prefix: Option<String>,
    trim_space: bool,
    empty_values: Vec<String>,
    /// Per field: required (expanded fields never are: templates build them), and a number,
    /// boolean or timestamp (for which an empty value is null).
    required: Vec<bool>,
    nullable: Vec<bool>,
}

/// The reused buffers of one row being written.
#[derive(Default)]
struct Scratch {
    /// One value, before it is quoted.
    value: Vec<u8>,
    /// Each field column's value as written, unquoted: `(field, start, end)` in `values`.
    written: Vec<(usize, usize, usize)>,
    values: Vec<u8>,
    /// The reader's spans and unquoted text.
    spans: Vec<(usize, usize)>,
    unquoted: String,
}

impl CsvGen {
    /// The row generator of a log type whose `parser: csv` block is `c` and whose fields
    /// compiled to `fields`; `required` and `nullable` are per field. `Err` says why no row
    /// can be generated.
    pub(super) fn new(
        c: &CsvParser,
        fields: &[FieldGen],
        mut required: Vec<bool>,
        nullable: Vec<bool>,
    ) -> Result<CsvGen, String> {
        let delimiter = crate::schema::csv::delimiter(&c.delimiter).map_err(|(m, _)| m)?;
        let expanded = |name: &str| c.options.expand_fields.contains_key(name);
        let writable = |i: usize| {
            !matches!(
                fields[i].value,
                VGen::Object(_) | VGen::Array(_) | VGen::Skip
            )
        };
        let field_of = |name: &str| fields.iter().position(|f| f.name == name);
        let mut names: Vec<String> = Vec::new();
        let mut columns: Vec<Option<usize>> = Vec::new();
        if c.columns.is_empty() {
            // The header names the columns: every field that can be written as text, then
            // the names templates use that are not fields.
            for (i, f) in fields.iter().enumerate() {
                if writable(i) && !expanded(&f.name) {
                    names.push(f.name.clone());
                    columns.push(Some(i));
                }
            }
            for template in c.options.expand_fields.values() {
                for name in crate::schema::text::template_names(template).unwrap_or_default() {
                    if field_of(name).is_none() && !names.iter().any(|n| n == name) {
                        names.push(name.to_owned());
                        columns.push(None);
                    }
                }
            }
        } else {
            for name in &c.columns {
                let field =
                    field_of(name).filter(|&i| !expanded(name) && !columns.contains(&Some(i)));
                if let Some(i) = field.filter(|&i| !writable(i)) {
                    if fields[i].required {
                        return Err(format!(
                            "column `{name}` is a required field that cannot be written as \
                             text (an object, an array, or a timestamp format the generator \
                             cannot write)"
                        ));
                    }
                    // An optional one is left empty: a column no field reads.
                    columns.push(None);
                } else {
                    columns.push(field);
                }
                names.push(name.clone());
            }
        }
        if !columns.iter().any(Option::is_some) {
            return Err("no column holds a field the generator can write".into());
        }
        for key in c.options.expand_fields.keys() {
            if let Some(i) = field_of(key) {
                required[i] = false;
            }
        }
        if let Some(f) = (0..fields.len()).find(|&f| required[f] && !columns.contains(&Some(f))) {
            return Err(format!(
                "no column holds the required field `{}`, so every row would be rejected",
                fields[f].name
            ));
        }
        let header = c.has_header.then(|| {
            let mut line = Vec::new();
            for (i, name) in names.iter().enumerate() {
                if i > 0 {
                    line.extend_from_slice(delimiter.as_bytes());
                }
                quote(&mut line, name.as_bytes(), delimiter);
            }
            String::from_utf8_lossy(&line).into_owned()
        });
        Ok(CsvGen {
            delimiter,
            columns,
            header,
            skip_prefix: c.options.skip_prefix.clone().filter(|p| !p.is_empty()),
            trim_space: c.options.trim_space,
            empty_values: c.options.empty_values.clone(),
            required,
            nullable,
        })
    }

    /// The header line (`hasHeader`), the first line of a file of these rows.
    pub(super) fn header(&self) -> Option<&str> {
        self.header.as_deref()
    }

    /// Whether a column holds `field` (a deliberate mistake can target it).
    pub(super) fn fills_always(&self, field: usize) -> bool {
        self.columns.contains(&Some(field))
    }

    /// Append one row to `out`; with `bad`, try to make it invalid that way. Returns whether
    /// the mistake was made (a row that would not read back with it is written without).
    pub(super) fn write(
        &self,
        rng: &mut State,
        fields: &[FieldGen],
        out: &mut Vec<u8>,
        bad: Option<Bad>,
    ) -> bool {
        let mut scratch = Scratch::default();
        write_read_back(out, bad, |out, start, bad| {
            self.attempt(rng, fields, out, bad, &mut scratch);
            self.reads_back(&out[start..], bad, &mut scratch)
        })
    }

    /// Write one candidate row, keeping each field's value as written in `scratch`.
    fn attempt(
        &self,
        rng: &mut State,
        fields: &[FieldGen],
        out: &mut Vec<u8>,
        bad: Option<Bad>,
        scratch: &mut Scratch,
    ) {
        scratch.written.clear();
        scratch.values.clear();
        for (i, column) in self.columns.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(self.delimiter.as_bytes());
            }
            let value = &mut scratch.value;
            value.clear();
            match *column {
                None => value.extend_from_slice(rng.pick(text::WORDS).as_bytes()),
                Some(f) => match bad.filter(|b| b.field == f) {
                    Some(b) => value.extend_from_slice(b.text.as_bytes()),
                    // Never the event time: without it the event's would be the run's.
                    // An empty value, as the schema writes one: the first of its
                    // `emptyValues` (absent), else `""`, when that passes the field's checks
                    // (review s40-h7: an `allow` list refused it, and the row).
                    None if !self.required[f]
                        && !fields[f].event_time
                        && (!self.empty_values.is_empty()
                            || fields[f].value.takes_empty_text())
                        && rng.chance(0.05) =>
                    {
                        let empty = self.empty_values.first().map_or("", String::as_str);
                        value.extend_from_slice(empty.as_bytes());
                    }
                    None => self.value(rng, &fields[f].value, value),
                },
            }
            quote(out, &scratch.value, self.delimiter);
            if let Some(f) = *column {
                let at = scratch.values.len();
                scratch.values.extend_from_slice(&scratch.value);
                scratch.written.push((f, at, scratch.values.len()));
            }
        }
    }

    /// A value of `v` as a CSV row holds it: on one line, trimmed with `trimSpace`.
    fn value(&self, rng: &mut State, v: &VGen, out: &mut Vec<u8>) {
        for _ in 0..8 {
            out.clear();
            write_text(rng, out, v);
            if !out.contains(&b'\n') && !out.contains(&b'\r') {
                break;
            }
        }
        for b in out.iter_mut() {
            if *b == b'\n' || *b == b'\r' {
                *b = b' ';
            }
        }
        if self.trim_space {
            let text = String::from_utf8_lossy(out);
            let trimmed = text.trim().as_bytes().to_vec();
            *out = trimmed;
        }
    }

    /// Whether the row reads back as written (see the module docs).
    fn reads_back(&self, line: &[u8], bad: Option<Bad>, scratch: &mut Scratch) -> bool {
        let Ok(text) = std::str::from_utf8(line) else {
            return false;
        };
        if text.contains(['\n', '\r']) || text.trim_start().starts_with('{') {
            return false;
        }
        if text.trim().is_empty() {
            return false;
        }
        if self
            .skip_prefix
            .as_ref()
            .is_some_and(|p| text.starts_with(p.as_str()))
        {
            return false;
        }
        // The reader trims every line first (as Panther's classifier does): a row whose first
        // or last value is empty, unquoted, with a white-space delimiter, loses it there and
        // reads shifted (review s44-h6 MEDIUM-1). A valid row is read trimmed; a row made
        // invalid keeps the check it had (its value count is then wrong too).
        let (lead, trail) = (
            crate::parse::frame::leading_space(line),
            crate::parse::frame::trailing_space(line),
        );
        let text = match bad {
            Some(_) => text,
            None => match text.get(lead..text.len() - trail.min(text.len() - lead)) {
                Some(trimmed) => trimmed,
                None => return false,
            },
        };
        let Scratch {
            written,
            values,
            spans,
            unquoted,
            ..
        } = scratch;
        let read: &str = if split(text, self.delimiter, spans, unquoted) {
            unquoted
        } else {
            text
        };
        if spans.len() != self.columns.len() {
            return false;
        }
        let field_spans = self
            .columns
            .iter()
            .zip(spans.iter())
            .filter_map(|(c, s)| c.map(|_| *s));
        for (&(field, ws, we), (s, e)) in written.iter().zip(field_spans) {
            let value = &read[s..e];
            if value.as_bytes() != &values[ws..we] {
                return false;
            }
            let value = if self.trim_space { value.trim() } else { value };
            let targeted = bad.is_some_and(|b| b.field == field);
            let empty = self.empty_values.iter().any(|v| v == value)
                || (self.nullable[field] && value.is_empty());
            if self.required[field] && empty && !targeted {
                return false;
            }
        }
        true
    }
}

/// Append `value` to `out` as a CSV value: quoted, its quotes doubled, when it holds the
/// delimiter or a quote.
fn quote(out: &mut Vec<u8>, value: &[u8], delimiter: Delimiter) {
    if delimiter.find(value).is_none() && memchr::memchr(b'"', value).is_none() {
        out.extend_from_slice(value);
        return;
    }
    out.push(b'"');
    for &b in value {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Quoted values read back with the reader's own splitting, whatever they hold.
    #[test]
    fn quoted_values_read_back() {
        let values: &[&str] = &[
            "plain",
            "a,b",
            "say \"hi\"",
            "\"",
            "\"\"",
            "",
            " lead",
            "tab\there",
            "end\"",
            ",",
            "é,ü \"ß\"",
            "a¦b",
            "¦",
            "þ\"þ",
        ];
        for text in [",", "\t", ";", " ", "¦", "þ", "😀"] {
            let delimiter = crate::schema::csv::delimiter(text).expect("a delimiter");
            let mut line = Vec::new();
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    line.extend_from_slice(delimiter.as_bytes());
                }
                quote(&mut line, v.as_bytes(), delimiter);
            }
            let line = String::from_utf8(line).expect("utf-8");
            let (mut spans, mut buf) = (Vec::new(), String::new());
            let text = if split(&line, delimiter, &mut spans, &mut buf) {
                buf.as_str()
            } else {
                line.as_str()
            };
            let read: Vec<&str> = spans.iter().map(|&(s, e)| &text[s..e]).collect();
            assert_eq!(read, values, "{line:?}");
        }
    }
}
