//! The separator between two placeholders of a fastmatch pattern, and its search in a line.
//!
//! The values between separators are short (a few to a few tens of bytes), so a search is
//! mostly set-up: `memchr::memmem::Finder::find` chooses its searcher and checks the
//! haystack's length at each call, about a hundred instructions a separator (callgrind, on
//! the web access log of the benches). Here the first byte of the separator is looked for
//! sixteen bytes at a time (two instructions and a move-mask, through `wide`'s safe vectors:
//! SSE2 on x86-64), and each candidate is checked against the rest. A candidate costs one
//! comparison of the separator's length, so the search stays linear in the line for a given
//! pattern.

use wide::u8x16;

use crate::words::mask16;

/// A separator (never empty) and its first byte in every lane.
#[derive(Debug)]
pub(crate) struct Sep {
    needle: Box<[u8]>,
    first: u8x16,
}

impl Sep {
    /// `None` for an empty separator (schema checks refuse two placeholders without text
    /// between them).
    pub(crate) fn new(text: &str) -> Option<Sep> {
        let &first = text.as_bytes().first()?;
        Some(Sep {
            needle: text.as_bytes().into(),
            first: u8x16::splat(first),
        })
    }

    /// The separator's length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.needle.len()
    }

    /// Whether `hay` starts with the separator.
    #[inline]
    pub(crate) fn starts(&self, hay: &[u8]) -> bool {
        hay.starts_with(&self.needle)
    }

    /// Where the separator first occurs in `hay` (as `memmem::find`).
    #[inline]
    pub(crate) fn find(&self, hay: &[u8]) -> Option<usize> {
        let last = hay.len().checked_sub(self.needle.len())?;
        let mut base = 0;
        while base <= last {
            let mut mask = self.block(hay, base);
            while mask != 0 {
                let at = base + mask.trailing_zeros() as usize;
                if at > last {
                    return None;
                }
                if self.rest_at(hay, at) {
                    return Some(at);
                }
                mask &= mask - 1;
            }
            base += 16;
        }
        None
    }

    /// Whether the bytes after `hay[at]` are the rest of the separator (`at` is at most
    /// `hay.len() - self.len()`). Byte by byte: a separator is a few bytes, shorter than
    /// the set-up of a call to `memcmp`.
    #[inline]
    fn rest_at(&self, hay: &[u8], at: usize) -> bool {
        let rest = self.needle.iter().skip(1);
        rest.zip(hay.iter().skip(at + 1)).all(|(a, b)| a == b)
    }

    /// Bit `k` set when `hay[base + k]` is the first byte, for the (up to) sixteen bytes at
    /// `base` (which is within `hay`).
    #[inline]
    fn block(&self, hay: &[u8], base: usize) -> u32 {
        mask16(hay, base, |v| v.simd_eq(self.first))
    }
}

#[cfg(test)]
mod tests {
    use super::Sep;
    use crate::testing::xorshift;

    /// The positions are memmem's, for separators of one to five bytes over a small alphabet
    /// (so that partial matches are common), on haystacks of every length up to a few blocks.
    #[test]
    fn finds_what_memmem_finds() {
        let mut rnd = xorshift(0x51e9);
        let alphabet = [b' ', b'"', b'[', b']', b'a', 0, 0xc3];
        let mut found = 0;
        for len in 0..70 {
            for _ in 0..200 {
                let hay: Vec<u8> = (0..len).map(|_| alphabet[rnd(alphabet.len())]).collect();
                let needle: Vec<u8> = (0..=rnd(5)).map(|_| alphabet[rnd(3)]).collect();
                let text = String::from_utf8_lossy(&needle);
                let sep = Sep::new(&text).unwrap();
                let want = memchr::memmem::find(&hay, text.as_bytes());
                assert_eq!(sep.find(&hay), want, "{text:?} in {hay:?}");
                found += usize::from(want.is_some());
            }
        }
        assert!(found > 3_000, "{found} found");
        assert!(Sep::new("").is_none());
    }
}
