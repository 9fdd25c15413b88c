//! What an input's first bytes say it is, before any of it is read as text: formats that
//! are not JSON text are refused with one message for the input, where read line by line
//! they would give one invalid-JSON reject per line. The bytes are looked at twice in a
//! compressed input: as they come, and once decompressed (a file compressed twice, a zip
//! archive gzipped).

use std::io::{self, Read};

use super::Compression;

/// Up to 4 bytes from the start of `r` (fewer only at its end), read in a loop: a pipe may
/// deliver fewer bytes per read.
pub(super) fn read_head(r: &mut impl Read) -> io::Result<([u8; 4], usize)> {
    let mut head = [0u8; 4];
    let mut got = 0;
    while got < head.len() {
        match r.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((head, got))
}

/// How much [`checked`] reads of a decompressed input at once. A decoder keeps what it
/// decompressed and did not hand out, and flate2's asks its input for more before handing
/// it out: a first read of 4 bytes held a live stream's first records back until the
/// writer's next write (review s41-h3 LOW-3). A decoder holds at most its window (32 KiB
/// for gzip) of such bytes; this takes them all.
const FIRST_READ: usize = 64 * 1024;

/// The first bytes read of a decompressed input, and the rest of it.
pub(super) type Peeked<R> = io::Chain<io::Cursor<Vec<u8>>, R>;

/// `decoded`, the decompressed bytes of an input compressed with `outer`, after a look at
/// its first bytes; refused as [`refused`] says.
pub(super) fn checked<R: Read>(mut decoded: R, outer: Compression) -> io::Result<Peeked<R>> {
    let mut first = vec![0; FIRST_READ];
    let mut got = 0;
    while got < 4 {
        match decoded.read(&mut first[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    first.truncate(got);
    if let Some(refused) = refused(&first[..got.min(4)], outer) {
        return Err(refused);
    }
    Ok(io::Cursor::new(first).chain(decoded))
}

/// Why an input whose (decompressed) text starts with `head` is not read, if it is not:
/// another format, UTF-16 or UTF-32 text, or, inside a compressed input (`outer`), data
/// compressed again.
pub(super) fn refused(head: &[u8], outer: Compression) -> Option<io::Error> {
    let inside = match outer {
        Compression::None => "",
        Compression::Gzip => " (inside the gzip compression)",
        Compression::Zstd => " (inside the zstd compression)",
    };
    let message = if let Some(what) = unsupported(head) {
        format!("{what}{inside}, not JSON text")
    } else if let Some(encoding) = crate::encoding::wide_text(head) {
        format!(
            "{encoding} text{inside}; normalog reads UTF-8: {}",
            crate::encoding::convert_hint(encoding)
        )
    } else {
        let again = match (outer, Compression::detect(head)) {
            (Compression::None, _) | (_, Compression::None) => return None,
            (_, Compression::Gzip) => "gzip",
            (_, Compression::Zstd) => "zstd",
        };
        format!("compressed twice: {again}-compressed data{inside}; decompress one layer first")
    };
    Some(io::Error::new(io::ErrorKind::InvalidData, message))
}

/// Formats an input directory often holds besides logs, told by their first bytes (none of
/// which can start JSON text).
fn unsupported(head: &[u8]) -> Option<&'static str> {
    const KNOWN: &[(&[u8], &str)] = &[
        (b"PAR1", "a Parquet file"),
        (b"PK\x03\x04", "a zip archive"),
        (b"BZh", "bzip2-compressed (not supported: use gzip or zstd)"),
        (
            b"\xfd7zX",
            "xz-compressed (not supported: use gzip or zstd)",
        ),
        (
            b"\x04\x22\x4d\x18",
            "lz4-compressed (not supported: use gzip or zstd)",
        ),
    ];
    KNOWN
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|&(_, what)| what)
}
