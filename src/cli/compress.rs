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
/// before the output is committed. Dropped unfinished (the run failed or was interrupted),
/// it leaves the stream cut: gzip's encoder writes the stream's end when dropped, which made
/// a pipe's reader take a partial output for a whole one.
pub(super) struct Compressor(Option<Encoder>);

enum Encoder {
    Gzip(GzEncoder<Gate>),
    Zstd(zstd::Encoder<'static, Gate>),
}

/// The file under an encoder; once closed, writes fail and reach nothing.
struct Gate {
    file: File,
    closed: bool,
}

impl Write for Gate {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Err(io::Error::other("the output was abandoned"));
        }
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        self.file.flush()
    }
}

impl Compressor {
    /// A compressor of `codec` into `file`; none for [`Codec::None`].
    ///
    /// # Errors
    ///
    /// The file's handle cannot be duplicated, or zstd cannot start.
    pub(super) fn new(codec: Codec, file: &File) -> io::Result<Option<Compressor>> {
        let gate = || -> io::Result<Gate> {
            Ok(Gate {
                file: file.try_clone()?,
                closed: false,
            })
        };
        let encoder = match codec {
            Codec::None => return Ok(None),
            Codec::Gzip => Encoder::Gzip(GzEncoder::new(gate()?, flate2::Compression::default())),
            Codec::Zstd => Encoder::Zstd(zstd::Encoder::new(
                gate()?,
                zstd::DEFAULT_COMPRESSION_LEVEL,
            )?),
        };
        Ok(Some(Compressor(Some(encoder))))
    }

    /// Write the end of the compressed stream.
    ///
    /// # Errors
    ///
    /// Writing it failed.
    pub(super) fn finish(mut self) -> io::Result<()> {
        // In place, so that the gate closes on drop whatever happened: after an error,
        // gzip's drop would try to write the end again, and might make the cut stream
        // look whole; after success, it has nothing left to write.
        match &mut self.0 {
            Some(Encoder::Gzip(e)) => e.try_finish(),
            Some(Encoder::Zstd(e)) => e.do_finish(),
            None => Ok(()),
        }
    }

    fn encoder(&mut self) -> io::Result<&mut dyn Write> {
        match &mut self.0 {
            Some(Encoder::Gzip(e)) => Ok(e),
            Some(Encoder::Zstd(e)) => Ok(e),
            None => Err(io::Error::other("the compressed stream was finished")),
        }
    }
}

impl Drop for Compressor {
    fn drop(&mut self) {
        match &mut self.0 {
            Some(Encoder::Gzip(e)) => e.get_mut().closed = true,
            Some(Encoder::Zstd(e)) => e.get_mut().closed = true,
            None => {}
        }
    }
}

impl Write for Compressor {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.encoder()?.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.encoder()?.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Seek};

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

    /// Finished, the stream is whole; dropped unfinished, it is cut (gzip's encoder would
    /// otherwise end it as if whole).
    #[test]
    fn only_a_finished_stream_is_whole() {
        for finish in [true, false] {
            let mut file = tempfile::tempfile().expect("tempfile");
            let mut c = Compressor::new(Codec::Gzip, &file)
                .expect("compressor")
                .expect("gzip");
            c.write_all(&b"{\"a\":1}\n".repeat(1000)).expect("write");
            if finish {
                c.finish().expect("finish");
            } else {
                drop(c);
            }
            file.rewind().expect("rewind");
            let mut text = String::new();
            let read = flate2::read::GzDecoder::new(&mut file).read_to_string(&mut text);
            assert_eq!(read.is_ok(), finish, "{read:?}");
        }
    }
}
