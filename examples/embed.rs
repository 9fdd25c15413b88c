//! Normalize NDJSON from standard input with the built-in schemas and write NDJSON events to
//! standard output; rejects are counted and described on standard error.
//!
//! ```sh
//! cargo run --example embed < tests/data/samples/mixed.jsonl
//! ```

use std::io::{self, BufRead, Write};

use normalog::parse::frame;
use normalog::sink::ndjson::Options;
use normalog::{NormalizerBuilder, Position, Registry};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let registry = Registry::builtin();
    let mut normalizer = NormalizerBuilder::new().build(&registry)?;
    let stdin = io::stdin().lock();
    let mut out = io::BufWriter::new(io::stdout().lock());
    let (mut ok, mut rejected) = (0u64, 0u64);
    let mut line = Vec::new();
    // Where each line starts in the input, and how many records came before it: the
    // positions rejects are reported at.
    let (mut byte, mut records) = (0u64, 0u64);
    for (i, text) in stdin.split(b'\n').enumerate() {
        let text = text?;
        let start = byte;
        byte += text.len() as u64 + 1;
        // Only the input's first line may start with a byte order mark.
        let skip = if i == 0 { frame::bom_len(&text) } else { 0 };
        // Without a trailing `\r`; blank lines are not records.
        let Some(record) = frame::record_of(&text[skip..]) else {
            continue;
        };
        line.clear();
        line.extend_from_slice(record);
        let pos = Position::new(start + skip as u64, i as u64 + 1, records);
        records += 1;
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
