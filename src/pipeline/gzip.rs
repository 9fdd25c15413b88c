//! A gzip input, read member by member (log shippers write files of many members).
//!
//! flate2's decoder checks each member whole (its CRC and length); what follows the last
//! member decides how the input ends: nothing, or only zero bytes (padding to a block size,
//! as tape and copy tools leave, which gzip itself ignores), end it; anything else is an
//! error. `MultiGzDecoder` took zero padding for a broken member header, and reported a
//! whole, intact file as failed.

use std::io::{self, BufRead, Read};

use flate2::bufread::GzDecoder;

/// The members of a gzip input in turn, through one decoder (reset between members, so
/// that a file of many small members costs no new decoder each).
pub(super) struct Members<B> {
    decoder: GzDecoder<Slot<B>>,
    done: bool,
}

impl<B: BufRead> Members<B> {
    pub(super) fn new(input: B) -> Self {
        Members {
            decoder: GzDecoder::new(Slot(Some(input))),
            done: false,
        }
    }
}

impl<B: BufRead> Read for Members<B> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while !self.done {
            let n = self.decoder.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            // A member ended, checked whole: what follows it?
            let after = self.decoder.get_mut().fill_buf()?;
            let next = after.first().copied();
            // Not another member (gzip's magic, 1f 8b): said as such; the decoder would
            // report "unexpected end of file" or "invalid gzip header", depending on them.
            let magic = [0x1f, 0x8b];
            if next.is_some_and(|b| b != 0) && !magic.starts_with(&after[..after.len().min(2)]) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "after a gzip member, bytes that are not another gzip member (data \
                     appended to a compressed file?)",
                ));
            }
            match next {
                None => self.done = true,
                Some(0) if zeros_to_end(self.decoder.get_mut())? => self.done = true,
                Some(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "after a gzip member, zero bytes and then bytes that are not another \
                         member",
                    ))
                }
                // Another member (its header is checked as it is read). `reset` swaps the
                // input out: lend it an empty slot and put the input back.
                Some(_) => {
                    let input = self.decoder.reset(Slot(None));
                    *self.decoder.get_mut() = input;
                }
            }
        }
        Ok(0)
    }
}

/// Whether `r` holds only zero bytes up to its end (reading them).
fn zeros_to_end(r: &mut impl BufRead) -> io::Result<bool> {
    loop {
        let block = r.fill_buf()?;
        if block.is_empty() {
            return Ok(true);
        }
        if block.iter().any(|&b| b != 0) {
            return Ok(false);
        }
        let n = block.len();
        r.consume(n);
    }
}

/// A reader that can be taken out of its decoder and put back ([`GzDecoder::reset`] takes
/// a new one and gives the old one back); empty while out.
struct Slot<B>(Option<B>);

impl<B: Read> Read for Slot<B> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.as_mut().map_or(Ok(0), |r| r.read(buf))
    }
}

impl<B: BufRead> BufRead for Slot<B> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match &mut self.0 {
            Some(r) => r.fill_buf(),
            None => Ok(&[]),
        }
    }

    fn consume(&mut self, n: usize) {
        if let Some(r) = &mut self.0 {
            r.consume(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).expect("write");
        e.finish().expect("finish")
    }

    fn read(bytes: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        Members::new(bytes).read_to_end(&mut out).map(|_| out)
    }

    #[test]
    fn every_member_in_turn_empty_ones_too() {
        let file = [gzip(b"a\n"), gzip(b""), gzip(b"b\n"), gzip(b"c\n")].concat();
        assert_eq!(read(&file).expect("read"), b"a\nb\nc\n");
        let many: Vec<u8> = (0..1000).flat_map(|_| gzip(b"x\n")).collect();
        assert_eq!(read(&many).expect("read").len(), 2000);
    }

    /// Zeros after the last member (padding to a block size) end the input, as gzip itself
    /// takes them (walkthrough finding: the input was reported as failed).
    #[test]
    fn zeros_after_the_last_member_end_the_input() {
        let mut padded = [gzip(b"a\n"), gzip(b"b\n")].concat();
        padded.extend(vec![0u8; 20_000]);
        assert_eq!(read(&padded).expect("read"), b"a\nb\n");
    }

    /// What is neither a member nor zero padding stays an error, and so does a member that
    /// is not whole: its CRC or its length wrong, or cut short (review finding: the first
    /// way of taking zero padding took any error at the end of the input for padding).
    #[test]
    fn anything_else_stays_an_error() {
        let good = gzip(&b"{\"a\":1}\n".repeat(1000));
        let n = good.len();
        let mut crc = good.clone();
        crc[n - 8] ^= 0xff;
        let mut length = good.clone();
        length[n - 1] ^= 1;
        let cases: Vec<(&str, Vec<u8>)> = vec![
            (
                "garbage after",
                [good.clone(), b"garbage".to_vec()].concat(),
            ),
            (
                "zeros then garbage",
                [good.clone(), vec![0; 100], b"AB".to_vec()].concat(),
            ),
            (
                "a second member cut in its header",
                [good.clone(), good[..5].to_vec()].concat(),
            ),
            (
                "a header cut, then zeros",
                [good.clone(), good[..5].to_vec(), vec![0; 100]].concat(),
            ),
            (
                "the magic, then zeros",
                [vec![0x1f, 0x8b], vec![0; 100]].concat(),
            ),
            ("a wrong CRC", crc),
            ("a wrong length", length),
            ("cut short", good[..n / 2].to_vec()),
            ("cut in the trailer", good[..n - 3].to_vec()),
        ];
        for (what, bytes) in cases {
            assert!(read(&bytes).is_err(), "{what}");
        }
        for tail in [&b"garbage"[..], b"{\"a\":1}\n", b"x"] {
            let err = read(&[good.clone(), tail.to_vec()].concat()).expect_err("trailing data");
            assert!(
                err.to_string()
                    .contains("bytes that are not another gzip member"),
                "{err}"
            );
        }
    }
}
