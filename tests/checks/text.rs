//! The text parsers (`csv`, `fastmatch`, `regex`) with an arbitrary pattern, options and
//! input: never a panic, never a hang (the `regex` crate matches in linear time, the CSV
//! splitter is one pass), memory bounded by the input. Properties on top:
//!
//! * a schema error holds at least one problem, and every problem renders;
//! * the same input gives the same events and rejects whether it is fed to the
//!   `StreamNormalizer` whole, in pieces of 1 or 7 bytes, or line by line to
//!   `normalize_bytes` with the positions a framer stamps;
//! * every event is a JSON object of its log type.
//!
//! The first byte picks the parser and options (and, with 64, a small record limit), the
//! second a count; the bytes up to the
//! first NUL are the patterns (fastmatch, regex: up to four `match` items, one a line) or the
//! delimiter and column names (csv), the rest is the input.

use normalog::schema::text::{compile_fastmatch, compile_regex};
use normalog::schema::RegexParser;
use normalog::sink::Collect;
use normalog::{NormalizerBuilder, Position, Registry, StreamNormalizer};
use serde_json::{json, Map, Value};

const LOG_TYPE: &str = "Custom.Fuzz";

pub fn check(data: &[u8]) {
    let (Some(&flags), Some(&count)) = (data.first(), data.get(1)) else {
        return;
    };
    let rest = &data[2..];
    let cut = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
    let spec = String::from_utf8_lossy(&rest[..cut]).into_owned();
    let input = rest.get(cut + 1..).unwrap_or_default();
    let Some(yaml) = schema(flags, count, &spec) else {
        return;
    };
    let mut registry = Registry::new();
    if let Err(e) = registry.add_str(&yaml, "<fuzz>") {
        assert!(!e.0.is_empty(), "an error without problems");
        let _ = e.to_string();
        return;
    }
    // Flag 64: a record limit of 8 to 71 bytes, so that lines over it (white space alone
    // among them, which is blank however it arrives: review s37-h2 N3) are framed alike
    // whichever way they are fed.
    let max = (flags & 64 != 0).then(|| 8 + usize::from(count % 64));
    let build = || {
        let mut b = NormalizerBuilder::new();
        if let Some(max) = max {
            b.max_record_bytes(max);
        }
        b.build(&registry).expect("the schema is loaded")
    };

    let whole = stream(build(), input, input.len().max(1));
    for size in [1, 7] {
        assert_eq!(
            stream(build(), input, size),
            whole,
            "pieces of {size} bytes"
        );
    }
    assert_eq!(by_line(build(), input), whole, "line by line");
    for e in &whole.0 {
        let v: Value = serde_json::from_str(e).expect("an event is JSON");
        assert_eq!(v["p_log_type"], LOG_TYPE, "{e}");
    }
}

/// Events (without the per-run row id and parse time) and rejects.
type Outcome = (Vec<String>, Vec<String>);

fn outcome(c: Collect) -> Outcome {
    let events = c
        .events
        .iter()
        .map(|e| {
            let mut v: Value = serde_json::from_str(e).expect("an event is JSON");
            if let Some(m) = v.as_object_mut() {
                m.remove("p_row_id");
                m.remove("p_parse_time");
                // Without an event time field, the event time is the parse time.
                m.remove("p_event_time");
            }
            v.to_string()
        })
        .collect();
    (events, c.rejects)
}

fn stream(n: normalog::Normalizer, input: &[u8], size: usize) -> Outcome {
    let mut s = StreamNormalizer::new(n);
    let mut out = Collect::default();
    for piece in input.chunks(size) {
        s.feed(piece, &mut out).expect("collect never fails");
    }
    s.finish(&mut out).expect("collect never fails");
    outcome(out)
}

/// The framing rules of `parse::frame` (byte-order mark, CRLF, blank lines) by hand, and
/// `normalize_bytes` for each record.
fn by_line(mut n: normalog::Normalizer, input: &[u8]) -> Outcome {
    let mut out = Collect::default();
    let bom = normalog::parse::frame::bom_len(input);
    let body = &input[bom..];
    // Line 1 blank is no record, and the records then do not start the input by
    // themselves: the caller says where it starts, with its first lines, as the
    // `StreamNormalizer` does (a CSV header after the blank line was not looked for).
    let first = body.split(|&b| b == b'\n').next().unwrap_or_default();
    if normalog::parse::frame::record_of(first).is_none() {
        n.start_input(Some(body));
    }
    let mut byte = bom as u64;
    let mut record = 0;
    for (i, line) in body.split(|&b| b == b'\n').enumerate() {
        let start = byte;
        byte += line.len() as u64 + 1;
        let Some(rec) = normalog::parse::frame::record_of(line) else {
            continue;
        };
        let pos = Position::new(start, i as u64 + 1, record);
        record += 1;
        n.normalize_bytes(rec, pos, &mut out)
            .expect("collect never fails");
    }
    outcome(out)
}

/// The schema the flags describe, as YAML; `None` when the spec makes no usable schema.
fn schema(flags: u8, count: u8, spec: &str) -> Option<String> {
    let mut options = Map::new();
    if flags & 4 != 0 {
        options.insert("trimSpace".into(), json!(true));
    }
    if flags & 8 != 0 {
        options.insert("emptyValues".into(), json!(["-", ""]));
    }
    if flags & 16 != 0 {
        options.insert("skipPrefix".into(), json!("#"));
    }
    let expand = flags & 32 != 0;
    let mut fields: Vec<String>;
    let parser = match flags & 3 {
        // csv: the first character is the delimiter, the rest (split at spaces) the
        // column names; or `hasHeader` without names.
        kind @ (0 | 3) => {
            let mut chars = spec.chars();
            let delimiter = chars.next().map_or(",".to_owned(), String::from);
            let columns: Vec<String> = chars
                .as_str()
                .split(' ')
                .filter(|c| !c.is_empty())
                .take(8)
                .map(String::from)
                .collect();
            let header = kind == 3;
            fields = if header {
                (0..=count % 4).map(|i| format!("f{i}")).collect()
            } else {
                columns.clone()
            };
            options.insert("delimiter".into(), json!(delimiter));
            if header {
                options.insert("hasHeader".into(), json!(true));
            }
            if !columns.is_empty() && (!header || count & 4 != 0) {
                options.insert("columns".into(), json!(columns));
            }
            json!({ "csv": options })
        }
        1 => {
            let patterns: Vec<&str> = spec.split('\n').take(4).collect();
            fields = Vec::new();
            for (i, p) in patterns.iter().enumerate() {
                for (_, f) in compile_fastmatch(p, i).ok()?.captures {
                    if !fields.contains(&f) {
                        fields.push(f);
                    }
                }
            }
            options.insert("match".into(), json!(patterns));
            options.insert("skipLines".into(), json!(count % 3));
            json!({ "fastmatch": options })
        }
        _ => {
            // Joined into one regular expression: a mistake in one item is traced back to it.
            let patterns: Vec<String> = spec.split('\n').take(4).map(String::from).collect();
            let parser = RegexParser {
                patterns: patterns.clone(),
                ..RegexParser::default()
            };
            fields = Vec::new();
            // No fields yet: the captures of built-in patterns stay plain groups.
            for (_, f) in compile_regex(&parser, &[]).ok()?.captures {
                if !fields.contains(&f) {
                    fields.push(f);
                }
            }
            options.insert("match".into(), json!(patterns));
            options.insert("skipLines".into(), json!(count % 3));
            json!({ "regex": options })
        }
    };
    let mut parser = parser;
    if expand && fields.len() >= 2 {
        let template = format!("%{{{}}}-%{{{}}}", fields[0], fields[1]);
        let block = parser
            .as_object_mut()
            .and_then(|m| m.values_mut().next())
            .and_then(Value::as_object_mut)?;
        block.insert("expandFields".into(), json!({ "joined": template }));
        fields.push("joined".into());
    }
    if fields.is_empty() {
        return None;
    }
    let fields: Vec<Value> = fields
        .iter()
        .enumerate()
        .map(|(i, name)| {
            // Some values decoded as numbers, so decoders see arbitrary text too.
            let ty = if i % 3 == 1 { "bigint" } else { "string" };
            json!({ "name": name, "type": ty })
        })
        .collect();
    let doc = json!({ "schema": LOG_TYPE, "parser": parser, "fields": fields });
    serde_yaml::to_string(&doc).ok()
}
