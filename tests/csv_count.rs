//! `parser: csv`: how many values a row has, and the header line, as in Panther (its
//! `preprocessors/csv.go`): with `columns`, a row is zipped with them whatever its number of
//! values; with `hasHeader`, the input's first line (that the log type does not skip) is
//! consumed whatever it holds. Through `normalize_bytes` with positions, and batch runs on
//! one thread and on four, with other text log types in the run.
#![allow(clippy::unwrap_used)] // a test that cannot set up its fixture should panic

use std::fmt::Write as _;

mod util;

use normalog::pipeline::{Batch, Ignore, Input};
use normalog::sink::{ndjson, Collect};
use normalog::{NormalizerBuilder, Position, Registry};
use util::csv::{value, KV, USERS};

/// Named columns, no header.
const PAIRS: &str = r"
schema: Custom.Pairs
parser:
  csv:
    delimiter: '|'
    columns: [key, value]
fields:
  - {name: key, type: string, required: true}
  - {name: value, type: string}
";

/// `columns`, and `""` means none.
const NET: &str = r"
schema: Custom.Net
parser:
  csv:
    columns: [src, port, proto]
    emptyValues: ['']
fields:
  - {name: src, type: string, required: true}
  - {name: port, type: int}
  - {name: proto, type: string, required: true}
";

/// A header, and `columns` that name the values whatever the header says.
const METER: &str = r"
schema: Custom.Meter
parser:
  csv:
    delimiter: ';'
    hasHeader: true
    columns: [at, meter, kwh]
fields:
  - {name: at, type: timestamp, timeFormat: unix, isEventTime: true}
  - {name: meter, type: string, required: true}
  - {name: kwh, type: float}
";

fn registry() -> Registry {
    let mut r = Registry::new();
    for (yaml, name) in [
        (USERS, "users.yml"),
        (PAIRS, "pairs.yml"),
        (NET, "net.yml"),
        (METER, "meter.yml"),
        (KV, "kv.yml"),
    ] {
        r.add_str(yaml, name).expect("schema loads");
    }
    r
}

/// The lines of one input, line 1 first, normalized with the log type `log_type` alone.
fn lines(log_type: &str, input: &[&str]) -> Collect {
    let registry = registry();
    let mut n = NormalizerBuilder::new()
        .log_types([log_type])
        .build(&registry)
        .unwrap();
    let mut out = Collect::default();
    for (i, line) in input.iter().enumerate() {
        let pos = Position::new(0, i as u64 + 1, i as u64);
        n.normalize_bytes(line.as_bytes(), pos, &mut out).unwrap();
    }
    out
}

/// With `columns`, a row is zipped with them whatever its number of values, as Panther's
/// `zipFields` does: values beyond the columns are dropped, missing ones are empty (`""`
/// for a string, null for other types, left out when `""` is one of the `emptyValues`).
#[test]
fn columns_take_a_row_of_any_count() {
    let out = lines("Custom.Pairs", &["a|b|c|d", "k", "|"]);
    assert!(out.rejects.is_empty(), "{:?}", out.rejects);
    let pairs: Vec<_> = out
        .events
        .iter()
        .map(|e| (value(e, "key"), value(e, "value")))
        .collect();
    assert_eq!(
        pairs,
        [
            ("a".into(), "b".into()),
            ("k".into(), "".into()),
            ("".into(), "".into()),
        ]
    );
    // A missing value goes through `emptyValues` as any other: here it is left out, and
    // so is a required field. Values beyond the columns are not read, quoted or not.
    let out = lines(
        "Custom.Net",
        &["10.0.0.1,22,tcp,extra,\"more, quoted\"", "10.0.0.2,53"],
    );
    assert_eq!(out.events.len(), 1, "{:?}", out.rejects);
    assert_eq!(value(&out.events[0], "port"), 22);
    assert_eq!(value(&out.events[0], "proto"), "tcp");
    assert_eq!(
        out.rejects,
        ["record 1 (line 2, byte 0): Custom.Net: missing required field \"proto\""]
    );
}

/// `hasHeader` with `columns`: the header line is consumed whatever it holds (Panther skips
/// the first line), here with more values than `columns`, and the rows are zipped with
/// `columns`.
#[test]
fn a_header_with_columns_is_consumed_whatever_its_count() {
    let out = lines(
        "Custom.Meter",
        &["Zeit;Zähler;Verbrauch;Tarif", "1688220000;M-17;1.25;T1"],
    );
    assert!(out.rejects.is_empty(), "{:?}", out.rejects);
    assert_eq!(out.events.len(), 1);
    assert_eq!(value(&out.events[0], "meter"), "M-17");
    // An input whose first line reads as a row: it is the header all the same; a row with
    // fewer values than `columns` lacks the last.
    let out = lines("Custom.Meter", &["1688220000;M-1;0.5", "1688220060;M-2"]);
    assert!(out.rejects.is_empty(), "{:?}", out.rejects);
    assert_eq!(out.events.len(), 1);
    assert_eq!(value(&out.events[0], "meter"), "M-2");
    assert_eq!(value(&out.events[0], "kwh"), serde_json::Value::Null);
}

/// A first line that names none of the fields is no header: the input's rows are refused,
/// saying why, rather than read with names that fill no field, and so is that line (it was
/// consumed without a word, as Panther consumes it: review finding, a file without its
/// header line lost its first row silently).
#[test]
fn a_first_line_naming_no_field_and_the_rows_are_refused() {
    let why = "Custom.Users: no header: line 1 of this input names none of the log type's \
               fields (hasHeader)";
    let out = lines("Custom.Users", &["ann,1", "bob,2"]);
    assert!(out.events.is_empty());
    assert_eq!(
        out.rejects,
        [
            format!("record 0 (line 1, byte 0): {why}"),
            format!("record 1 (line 2, byte 0): {why}")
        ]
    );
    let out = lines("Custom.Users", &["a,b"]);
    assert!(out.events.is_empty());
    assert_eq!(out.rejects, [format!("record 0 (line 1, byte 0): {why}")]);
}

/// Rows per file in the batch test: inputs are read 64 KiB at a time, so the file is cut
/// into several chunks.
const ROWS: u32 = 12_000;

/// `hasHeader` with `columns` in a batch run with other text log types: the file's header
/// (with more values than `columns`) is consumed in whatever chunk a worker starts, every
/// row (with more values than `columns` too) is zipped with `columns`, and the lines of
/// the regex log type's file stay its own (Custom.Pairs, loaded before it, would read them
/// as rows of one value, but such a row comes after every other reading and skip), with
/// one thread and with four.
#[test]
fn batch_runs_zip_rows_of_another_count_with_columns() {
    let dir = tempfile::tempdir().unwrap();
    let mut meter = String::from("Zeit;Zähler;Verbrauch;Tarif\n");
    for i in 0..ROWS {
        let _ = writeln!(meter, "{};M-{i};{i}.5;T1", 1_688_220_000 + i);
    }
    let files = [
        ("meter.csv", meter.as_str()),
        ("kv.log", "kv export v1\nset=2\n"),
    ];
    let inputs: Vec<Input> = files
        .iter()
        .map(|(name, text)| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            Input::Path(p)
        })
        .collect();
    let registry = registry();
    let mut builder = NormalizerBuilder::new();
    builder.log_types(["Custom.Meter", "Custom.Pairs", "Custom.Kv"]);
    let rows = u64::from(ROWS);
    let want: Vec<String> = (0..ROWS).map(|i| format!("M-{i}")).collect();
    for threads in [1, 4] {
        for chunk in [64, 1 << 22] {
            let mut out = Vec::new();
            let run = Batch::new()
                .threads(threads)
                .chunk_bytes(chunk)
                .run_ndjson(
                    &builder,
                    &registry,
                    &inputs,
                    &mut out,
                    ndjson::Options::default(),
                    &mut Ignore,
                )
                .unwrap();
            let s = run.summary;
            let at = format!("threads {threads}, chunk {chunk}");
            assert_eq!(
                (s.records, s.normalized, s.rejected, s.skipped_lines),
                (rows + 1, rows + 1, 0, 2),
                "{at}"
            );
            let events: Vec<String> = String::from_utf8(out)
                .unwrap()
                .lines()
                .map(String::from)
                .collect();
            let (last, meters) = events.split_last().unwrap();
            let meters: Vec<String> = meters
                .iter()
                .map(|e| value(e, "meter").as_str().unwrap_or("?").to_owned())
                .collect();
            assert_eq!(meters, want, "{at}");
            assert_eq!(value(last, "p_log_type"), "Custom.Kv", "{at}");
        }
    }
}

/// A header line longer than the record limit is the header all the same: it names the
/// columns, it is no record (review s47-h2 LOW-1: batch runs read it as the header and
/// refused it as too long too, so that a replay of the rejects fed it back as a row). It
/// is consumed through `normalize_bytes`, the `StreamNormalizer` in chunks of any size,
/// and batch runs; a row as long is still refused. The header follows a blank line here,
/// so that it is not line 1, and is longer than a batch run's first read of an input (8
/// KiB: review s48-h4 MEDIUM-1, such a header was skipped as it was read).
#[test]
fn a_header_longer_than_the_record_limit_is_the_header() {
    let pads = 3000;
    let header: String = std::iter::once("user,n".to_owned())
        .chain((0..pads).map(|i| format!(",pad{i}")))
        .collect();
    let commas = ",".repeat(pads);
    let long_row = format!("bob,2,{}{}", "x".repeat(4100), &commas[1..]);
    let input = format!("\n{header}\nann,1{commas}\n{long_row}\ncid,3{commas}\n");
    assert!(header.len() > 16 * 1024 && long_row.len() > 4096 && commas.len() < 4000);
    let registry = registry();
    let mut builder = NormalizerBuilder::new();
    builder.log_types(["Custom.Users"]).max_record_bytes(4096);
    let want = [("ann", 1), ("cid", 3)];
    let users = |events: &[String]| -> Vec<(String, i64)> {
        events
            .iter()
            .map(|e| {
                let user = value(e, "user").as_str().unwrap_or("?").to_owned();
                (user, value(e, "n").as_i64().unwrap_or(-1))
            })
            .collect()
    };
    let want: Vec<(String, i64)> = want.iter().map(|(u, n)| ((*u).to_owned(), *n)).collect();
    let too_long = |rejects: &[String]| {
        assert_eq!(rejects.len(), 1, "{rejects:?}");
        assert!(
            rejects[0].starts_with("record 2 (line 4, byte ")
                && rejects[0].contains("longer than the limit of 4096"),
            "{rejects:?}"
        );
    };

    // A caller of `normalize_bytes` starts an input with its line 1: the header here.
    let mut n = builder.build(&registry).unwrap();
    let mut out = Collect::default();
    let mut byte = 0;
    for (i, line) in input.trim_start().lines().enumerate() {
        let pos = Position::new(byte, i as u64 + 1, i as u64);
        byte += line.len() as u64 + 1;
        n.normalize_bytes(line.as_bytes(), pos, &mut out).unwrap();
    }
    assert_eq!(users(&out.events), want);
    assert_eq!(out.rejects.len(), 1, "{:?}", out.rejects);
    assert!(out.rejects[0].starts_with("record 2 (line 3, byte "));

    for size in [1, 7, 1000, 1 << 16] {
        let mut s = normalog::StreamNormalizer::new(builder.build(&registry).unwrap());
        let mut out = Collect::default();
        for c in input.as_bytes().chunks(size) {
            s.feed(c, &mut out).unwrap();
        }
        s.finish(&mut out).unwrap();
        assert_eq!(users(&out.events), want, "chunks of {size}");
        too_long(&out.rejects);
        assert_eq!(s.summary().skipped_lines, 1, "chunks of {size}");
    }

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users.csv");
    std::fs::write(&path, &input).unwrap();
    for threads in [1, 2] {
        let (s, events) = batch_ndjson(&builder, &registry, &path, threads, None);
        assert_eq!(users(&events), want, "threads {threads}");
        assert_eq!(
            (s.records, s.rejected, s.skipped_lines),
            (3, 1, 1),
            "threads {threads}"
        );
    }
}

/// A header line longer than the 1 MiB of an input's start that every chunk reads its
/// header from is no header, for every row of the input: it was the header of the first
/// chunk's rows alone, and the rows of the others were refused (review s48-h4 MEDIUM-2).
/// Batch runs in small chunks on one thread and on two, and the `StreamNormalizer`, agree.
#[test]
fn a_header_longer_than_a_mib_is_no_header_for_any_row() {
    let mut rows = String::new();
    for i in 0..3000 {
        let _ = writeln!(rows, "u{i},{i},z");
    }
    // A long header; and a short one that a blank line of a MiB pushes past the first MiB
    // (review s48-h5 MEDIUM-1: normalized in the first chunk of a plain file alone).
    for (input, rejects) in [
        (format!("user,n,{}\n{rows}", "x".repeat(1 << 20)), 3001),
        (format!("{}\nuser,n,z\n{rows}", " ".repeat(1 << 20)), 3001),
    ] {
        none_is_the_header(&input, rejects);
    }
}

/// Every row of `input` (and its header line) is refused: `rejects` of them.
fn none_is_the_header(input: &str, rejects: usize) {
    let registry = registry();
    let mut builder = NormalizerBuilder::new();
    builder.log_types(["Custom.Users"]);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users.csv");
    std::fs::write(&path, input).unwrap();
    for threads in [1, 2] {
        let (s, _) = batch_ndjson(&builder, &registry, &path, threads, Some(4096));
        assert_eq!(
            (s.normalized, s.rejected),
            (0, rejects as u64),
            "threads {threads}"
        );
    }

    let mut stream = normalog::StreamNormalizer::new(builder.build(&registry).unwrap());
    let mut out = Collect::default();
    for c in input.as_bytes().chunks(1 << 16) {
        stream.feed(c, &mut out).unwrap();
    }
    stream.finish(&mut out).unwrap();
    assert!(out.events.is_empty());
    assert_eq!(out.rejects.len(), rejects);
    assert!(
        out.rejects[1].ends_with("the header line must end within the input's first MiB)"),
        "{}",
        out.rejects[1]
    );
}

/// A batch run of the file `path` as NDJSON on `threads` threads (chunks of `chunk` bytes,
/// or the default): its counts, and the events' lines.
fn batch_ndjson(
    builder: &NormalizerBuilder,
    registry: &Registry,
    path: &std::path::Path,
    threads: usize,
    chunk: Option<usize>,
) -> (normalog::sink::Summary, Vec<String>) {
    let mut out = Vec::new();
    let mut batch = Batch::new();
    batch.threads(threads);
    if let Some(chunk) = chunk {
        batch.chunk_bytes(chunk);
    }
    let run = batch
        .run_ndjson(
            builder,
            registry,
            &[Input::Path(path.to_path_buf())],
            &mut out,
            ndjson::Options::default(),
            &mut Ignore,
        )
        .unwrap();
    let events = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    (run.summary, events)
}
