//! Compressed file outputs: a file named `*.gz` is written gzip-compressed and one named
//! `*.zst` zstd-compressed, as `normalize` reads such inputs. A name of another compressed
//! format is refused: plain text under a `.bz2` name only fails later, in the reader.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

use flate2::write::GzEncoder;

use super::Fatal;

/// How a file output is compressed, told by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Codec {
    None,
    Gzip,
    Zstd,
}

/// Names of compressed formats normalog does not write.
const NOT_WRITTEN: [&str; 7] = ["bz2", "xz", "lz4", "lzma", "zip", "br", "7z"];

impl Codec {
    /// The codec of `path`'s name (its last extension, in any case).
    ///
    /// # Errors
    ///
    /// A name of a compressed format normalog does not write (`.bz2`, `.xz`, ...).
    pub(super) fn for_path(path: &Path) -> Result<Codec, Fatal> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default()
            .to_ascii_lowercase();
        match ext.as_str() {
            "gz" => Ok(Codec::Gzip),
            "zst" => Ok(Codec::Zstd),
            e if NOT_WRITTEN.contains(&e) => Err(Fatal::Message(format!(
                "{}: normalog writes gzip (.gz) and zstd (.zst) files, not .{e}: name the file \
                 without .{e}, or write to standard output (-o -) and pipe it through the \
                 compressor",
                path.display()
            ))),
            _ => Ok(Codec::None),
        }
    }
}

/// A compressed stream into a file output (through a second handle of its file), finished
/// before the output is committed.
pub(super) enum Compressor {
    Gzip(GzEncoder<File>),
    Zstd(zstd::Encoder<'static, File>),
}

impl Compressor {
    /// A compressor of `codec` into `file`; none for [`Codec::None`].
    ///
    /// # Errors
    ///
    /// The file's handle cannot be duplicated, or zstd cannot start.
    pub(super) fn new(codec: Codec, file: &File) -> io::Result<Option<Compressor>> {
        Ok(match codec {
            Codec::None => None,
            Codec::Gzip => Some(Compressor::Gzip(GzEncoder::new(
                file.try_clone()?,
                flate2::Compression::default(),
            ))),
            Codec::Zstd => Some(Compressor::Zstd(zstd::Encoder::new(
                file.try_clone()?,
                zstd::DEFAULT_COMPRESSION_LEVEL,
            )?)),
        })
    }

    /// Write the end of the compressed stream.
    ///
    /// # Errors
    ///
    /// Writing it failed.
    pub(super) fn finish(self) -> io::Result<()> {
        match self {
            Compressor::Gzip(e) => e.finish().map(drop),
            Compressor::Zstd(e) => e.finish().map(drop),
        }
    }
}

impl Write for Compressor {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Compressor::Gzip(e) => e.write(buf),
            Compressor::Zstd(e) => e.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Compressor::Gzip(e) => e.flush(),
            Compressor::Zstd(e) => e.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codecs_by_name() {
        let codec = |p: &str| Codec::for_path(Path::new(p)).ok();
        assert_eq!(codec("a.ndjson.gz"), Some(Codec::Gzip));
        assert_eq!(codec("a.GZ"), Some(Codec::Gzip));
        assert_eq!(codec("logs/a.jsonl.zst"), Some(Codec::Zstd));
        assert_eq!(codec("a.ndjson"), Some(Codec::None));
        assert_eq!(codec("gz"), Some(Codec::None));
        assert_eq!(codec("a.ndjson.bz2"), None);
        assert_eq!(codec("a.XZ"), None);
    }
}
