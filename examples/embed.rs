//! Normalize NDJSON from standard input with the built-in schemas and write NDJSON events to
//! standard output; rejects are counted and described on standard error.
//!
//! ```sh
//! cargo run --example embed < tests/data/samples/mixed.jsonl
//! ```

use std::io::{self, BufRead, Write};

use normalog::sink::ndjson::Options;
use normalog::{NormalizerBuilder, Position, Registry};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let registry = Registry::builtin();
    let mut normalizer = NormalizerBuilder::new().build(&registry)?;
    let stdin = io::stdin().lock();
    let mut out = io::BufWriter::new(io::stdout().lock());
    let (mut ok, mut rejected) = (0u64, 0u64);
    let mut line = Vec::new();
    for (i, text) in stdin.split(b'\n').enumerate() {
        line.clear();
        line.extend_from_slice(&text?);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let pos = Position::new(0, i as u64 + 1, i as u64);
        match normalizer.normalize(&mut line, pos) {
            Ok(event) => {
                event.write_ndjson(&mut out, Options::default())?;
                ok += 1;
                let buffers = event.into_buffers();
                normalizer.reuse(buffers);
            }
            Err(reject) => {
                rejected += 1;
                eprintln!("rejected: {reject}");
            }
        }
    }
    out.flush()?;
    eprintln!("{ok} normalized, {rejected} rejected");
    Ok(())
}
