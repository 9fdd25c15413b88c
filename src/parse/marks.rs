//! The positions of two bytes in a line (a CSV row's delimiters and quotes), in order:
//! found sixteen bytes at a time into a bit mask per 64 bytes of the line, then read off the
//! masks bit by bit.
//!
//! `memchr2_iter` searches again from each position it gives, and each search has its setup
//! and its end checks, which cost more than the scan of a short CSV value (about a hundred
//! instructions a value, callgrind). The masks cost a fixed few instructions per sixteen
//! bytes (two byte compares and a move-mask, through `wide`'s vectors: SSE2 on x86-64), with
//! no branch that depends on the text, and each position then costs its bit's.

use wide::u8x16;

use crate::words::mask16;

/// The positions in `text` of the bytes `a` and `b`, in increasing order.
pub(crate) struct Marks<'t> {
    text: &'t [u8],
    /// `a` and `b` in every lane.
    a: u8x16,
    b: u8x16,
    /// The start of the 64 bytes `mask` covers...
    base: usize,
    /// ...and their marks not yet given: bit `i` for the byte at `base + i`.
    mask: u64,
}

impl<'t> Marks<'t> {
    pub(crate) fn new(a: u8, b: u8, text: &'t [u8]) -> Marks<'t> {
        let mut marks = Marks {
            text,
            a: u8x16::splat(a),
            b: u8x16::splat(b),
            base: 0,
            mask: 0,
        };
        marks.mask = marks.block(0);
        marks
    }

    /// The marks of the (up to) 64 bytes at `base`.
    #[inline]
    fn block(&self, base: usize) -> u64 {
        let marked = |v: u8x16| v.simd_eq(self.a) | v.simd_eq(self.b);
        if let Some(chunk) = self.text.get(base..base + 64) {
            // A whole block: four vectors at fixed offsets, a loop the compiler unrolls.
            let mut mask = 0;
            for k in 0..4 {
                mask |= u64::from(mask16(chunk, 16 * k, marked)) << (16 * k);
            }
            return mask;
        }
        // The end of the text: fewer vectors, the last one partial.
        let mut mask = 0;
        let mut at = base;
        while at < self.text.len() {
            mask |= u64::from(mask16(self.text, at, marked)) << (at - base);
            at += 16;
        }
        mask
    }
}

impl Iterator for Marks<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            if self.base + 64 >= self.text.len() {
                return None;
            }
            self.base += 64;
            self.mask = self.block(self.base);
        }
        let i = self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(self.base + i)
    }
}

#[cfg(test)]
mod tests {
    use super::Marks;
    use crate::testing::xorshift;

    /// The positions are memchr's, on random texts of every length up to a few blocks, over
    /// bytes near the two (their neighbours, NUL, bytes with the top bit set), with the two
    /// bytes the same, different, NUL or not ASCII.
    #[test]
    fn marks_are_memchr2_positions() {
        let mut rnd = xorshift(0x3a7c);
        let pairs = [
            (b',', b'"'),
            (b'\t', b'"'),
            (b'"', b'"'),
            (0, b'"'),
            (0x80, 0xff),
            (b'|', 0),
        ];
        let mut total = 0;
        for len in 0..300 {
            for &(a, b) in &pairs {
                for _ in 0..8 {
                    let alphabet = [a, b, a ^ 1, b ^ 1, a ^ 0x80, 0, 0x7f, 0x80, 0xff, b'x'];
                    let text: Vec<u8> = (0..len)
                        .map(|_| {
                            if rnd(3) == 0 {
                                alphabet[rnd(alphabet.len())]
                            } else {
                                u8::try_from(rnd(256)).unwrap_or(0)
                            }
                        })
                        .collect();
                    let want: Vec<usize> = memchr::memchr2_iter(a, b, &text).collect();
                    let got: Vec<usize> = Marks::new(a, b, &text).collect();
                    assert_eq!(got, want, "{a:#x} {b:#x} in {text:?}");
                    total += want.len();
                }
            }
        }
        assert!(total > 50_000, "{total} marks");
    }
}
