//! Normalize NDJSON from standard input with the built-in schemas and write NDJSON events to
//! standard output; rejects are described on standard error and counted. The records read
//! as the command line reads them: `normalize_reader` frames the lines (a byte order mark,
//! `\r\n`, blank lines) and numbers them for the rejects' positions.
//!
//! ```sh
//! cargo run --example embed < tests/data/samples/mixed.jsonl
//! ```

use std::io::{self, Write};

use normalog::pipeline::normalize_reader;
use normalog::sink::ndjson::NdjsonWriter;
use normalog::{Error, Event, NormalizerBuilder, Registry, Sink};

/// Events to NDJSON, rejects described on standard error.
struct Output<W: Write> {
    events: NdjsonWriter<W>,
}

impl<W: Write> Sink for Output<W> {
    type Error = Error;

    fn record(&mut self, event: &Event<'_>) -> Result<bool, Error> {
        self.events.record(event)
    }

    fn rejected(&mut self, reject: &Error) -> Result<bool, Error> {
        eprintln!("rejected: {reject}");
        Ok(true)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let registry = Registry::builtin();
    let mut normalizer = NormalizerBuilder::new().build(&registry)?;
    let mut out = Output {
        events: NdjsonWriter::new(io::stdout().lock()),
    };
    let summary = normalize_reader(&mut normalizer, io::stdin().lock(), &mut out)?;
    // Dropped, the writer would flush too, but lose the error of that last write.
    out.events.flush()?;
    eprintln!(
        "{} normalized, {} rejected",
        summary.normalized, summary.rejected
    );
    Ok(())
}
