//! The same input through every entry point of the library and the tool, each giving the
//! events and rejects it produced in one comparable form.

use std::io::{self, Read};
use std::path::Path;
use std::process::{Command, Stdio};

use normalog::parse::frame::{self, Line, Lines};
use normalog::pipeline::input::SharedReader;
use normalog::pipeline::{Batch, Input, Observer, Reject};
use normalog::sink::{ndjson, Sink};
use normalog::{Error, Event, NormalizerBuilder, Position, Registry, StreamNormalizer};
use serde_json::Value;

/// What one entry point made of an input.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    /// The events as JSON text without `p_row_id` and `p_parse_time` (keys sorted).
    pub events: Vec<String>,
    /// `(record, line, byte, code, message without the position)`, in input order.
    pub rejects: Vec<(u64, u64, u64, String, String)>,
}

/// An event's JSON text without the fields that differ from run to run.
pub fn canonical_event(json: &str) -> String {
    let mut v: Value = serde_json::from_str(json).expect("events are JSON");
    let obj = v.as_object_mut().expect("events are objects");
    obj.remove("p_row_id").expect("p_row_id");
    obj.remove("p_parse_time").expect("p_parse_time");
    v.to_string()
}

fn reject_of(err: &Error) -> (u64, u64, u64, String, String) {
    let pos = err.position().copied().unwrap_or_default();
    (
        pos.record,
        pos.line,
        pos.byte,
        err.code().to_owned(),
        err.reason(),
    )
}

/// A sink that keeps both, in the comparable form.
#[derive(Default)]
struct Keep(Outcome);

impl Sink for Keep {
    type Error = Error;
    fn record(&mut self, e: &Event<'_>) -> Result<bool, Error> {
        let mut buf = Vec::new();
        ndjson::write_event(&mut buf, e, ndjson::Options::default());
        let text = String::from_utf8(buf).expect("UTF-8 output");
        self.0.events.push(canonical_event(text.trim_end()));
        Ok(true)
    }
    fn rejected(&mut self, err: &Error) -> Result<bool, Error> {
        self.0.rejects.push(reject_of(err));
        Ok(true)
    }
}

fn builder(max_record_bytes: usize) -> NormalizerBuilder {
    let mut b = NormalizerBuilder::new();
    b.max_record_bytes(max_record_bytes);
    b
}

/// The caller splits lines with [`frame::Lines`] and calls `normalize_bytes` for each.
pub fn by_lines(registry: &Registry, input: &[u8], max: usize) -> Outcome {
    let mut n = builder(max).build(registry).expect("normalizer");
    let mut keep = Keep::default();
    let bom = frame::bom_len(input);
    for line in Lines::new(&input[bom..], Position::new(bom as u64, 1, 0)) {
        if let Line::Record(pos, range) = line {
            n.normalize_bytes(&input[bom..][range], pos, &mut keep)
                .expect("the sink never fails");
        }
    }
    keep.0
}

/// [`StreamNormalizer`] fed `chunk` bytes at a time.
pub fn streamed(registry: &Registry, input: &[u8], max: usize, chunk: usize) -> Outcome {
    let mut s = StreamNormalizer::new(builder(max).build(registry).expect("normalizer"));
    let mut keep = Keep::default();
    for piece in input.chunks(chunk) {
        s.feed(piece, &mut keep).expect("the sink never fails");
    }
    s.finish(&mut keep).expect("the sink never fails");
    keep.0
}

/// A reader that gives at most `step` bytes per read, so records arrive split at every
/// `step`-th byte.
struct Trickle {
    data: Vec<u8>,
    at: usize,
    step: usize,
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len() - self.at);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[derive(Default)]
struct Rejects(Vec<(u64, u64, u64, String, String)>);

impl Observer for Rejects {
    fn rejected(&mut self, reject: &Reject<'_>) -> io::Result<()> {
        self.0.push(reject_of(reject.error));
        Ok(())
    }
}

fn trickle(input: &[u8], step: usize) -> Vec<Input> {
    vec![Input::Reader(SharedReader::new(Trickle {
        data: input.to_vec(),
        at: 0,
        step,
    }))]
}

/// The batch pipeline on one thread (`Batch::run`), reading `step` bytes at a time, in
/// chunks of about `chunk_bytes`.
pub fn pipeline(
    registry: &Registry,
    input: &[u8],
    max: usize,
    step: usize,
    chunk_bytes: usize,
) -> Outcome {
    let mut n = builder(max).build(registry).expect("normalizer");
    let mut batch = Batch::new();
    batch.chunk_bytes(chunk_bytes);
    let mut keep = Keep::default();
    let mut rejects = Rejects::default();
    batch
        .run(&mut n, &trickle(input, step), &mut keep, &mut rejects)
        .expect("run");
    // The observer sees the rejects in input order with their final positions.
    assert_eq!(keep.0.rejects.len(), rejects.0.len());
    keep.0.rejects = rejects.0;
    keep.0
}

/// The batch pipeline on two threads writing NDJSON (`Batch::run_ndjson`).
pub fn parallel(
    registry: &Registry,
    input: &[u8],
    max: usize,
    step: usize,
    chunk_bytes: usize,
) -> Outcome {
    let mut batch = Batch::new();
    batch.chunk_bytes(chunk_bytes).threads(2);
    let mut out = Vec::new();
    let mut rejects = Rejects::default();
    batch
        .run_ndjson(
            &builder(max),
            registry,
            &trickle(input, step),
            &mut out,
            ndjson::Options::default(),
            &mut rejects,
        )
        .expect("run");
    let text = String::from_utf8(out).expect("UTF-8 output");
    Outcome {
        events: text.lines().map(canonical_event).collect(),
        rejects: rejects.0,
    }
}

/// `normalog normalize` on the input given as a file, with a rejects file. `schemas` adds
/// `-s PATH`.
pub fn cli(input: &[u8], max: usize, schemas: Option<&Path>) -> Outcome {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("input.jsonl");
    std::fs::write(&file, input).expect("write input");
    let rejects = dir.path().join("rejects.ndjson");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_normalog"));
    cmd.arg("normalize")
        .arg("--max-record-bytes")
        .arg(max.to_string())
        .arg("--rejects")
        .arg(&rejects);
    if let Some(s) = schemas {
        cmd.arg("-s").arg(s);
    }
    let out = cmd
        .arg(&file)
        .stdin(Stdio::null())
        .output()
        .expect("run normalog");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "normalog failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    let rejects = std::fs::read_to_string(&rejects).unwrap_or_default();
    Outcome {
        events: text.lines().map(canonical_event).collect(),
        rejects: rejects
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).expect("rejects are JSON");
                let num = |k: &str| v[k].as_u64().expect("a number");
                let text = |k: &str| v[k].as_str().expect("a string").to_owned();
                (
                    num("record"),
                    num("line"),
                    num("byte"),
                    text("reason"),
                    text("error"),
                )
            })
            .collect(),
    }
}
