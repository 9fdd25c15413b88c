//! The positions of two bytes in a line (a CSV row's delimiters and quotes), in order:
//! found eight bytes at a time into a bit mask per 64 bytes of the line, then read off the
//! masks bit by bit.
//!
//! `memchr2_iter` searches again from each position it gives, and each search has its setup
//! and its end checks, which cost more than the scan of a short CSV value (about a hundred
//! instructions a value, callgrind). The masks cost a fixed few instructions per eight bytes,
//! with no branch that depends on the text, and each position then costs its bit's.

use crate::words::read8;

const ONES: u64 = u64::MAX / 0xff;
const LOWS: u64 = ONES * 0x7f;
const TOPS: u64 = ONES * 0x80;

/// The positions in `text` of the bytes `a` and `b`, in increasing order.
pub(crate) struct Marks<'t> {
    text: &'t [u8],
    /// `a` and `b` in every byte of a word.
    a: u64,
    b: u64,
    /// The start of the 64 bytes `mask` covers...
    base: usize,
    /// ...and their marks not yet given: bit `i` for the byte at `base + i`.
    mask: u64,
}

impl<'t> Marks<'t> {
    pub(crate) fn new(a: u8, b: u8, text: &'t [u8]) -> Marks<'t> {
        let mut marks = Marks {
            text,
            a: ONES * u64::from(a),
            b: ONES * u64::from(b),
            base: 0,
            mask: 0,
        };
        marks.mask = marks.block(0);
        marks
    }

    /// The marks of the (up to) 64 bytes at `base`.
    #[inline]
    fn block(&self, base: usize) -> u64 {
        if let Some(chunk) = self.text.get(base..base + 64) {
            // A whole block: eight words at fixed offsets, a loop the compiler unrolls (the
            // loop below costs twice the instructions per word).
            let chunk: &[u8; 64] = chunk.try_into().unwrap_or(&[0; 64]);
            let mut mask = 0;
            for (k, word) in chunk.chunks_exact(8).enumerate() {
                let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
                mask |= self.word(w) << (8 * k);
            }
            return mask;
        }
        let end = self.text.len().min(base + 64);
        let mut mask = 0;
        let mut at = base;
        while at + 8 <= end {
            mask |= self.word(read8(self.text, at)) << (at - base);
            at += 8;
        }
        let left = end.saturating_sub(at);
        if left > 0 {
            let tail = if end >= 8 {
                // The last eight bytes of the text: the marks of the bytes before `at` (already
                // counted) are shifted out.
                self.word(read8(self.text, end - 8)) >> (8 - left)
            } else {
                // A text under eight bytes, padded; the marks past its end are cleared (the
                // padding is NUL, which may be one of the bytes).
                let mut word = [0u8; 8];
                word[..left].copy_from_slice(&self.text[at..end]);
                self.word(u64::from_le_bytes(word)) & ((1 << left) - 1)
            };
            mask |= tail << (at - base);
        }
        mask
    }

    /// Bit `k` set when byte `k` of `w` is `a` or `b`.
    #[inline]
    fn word(&self, w: u64) -> u64 {
        // A lane of `x` is zero exactly when adding 0x7f to its low seven bits leaves its
        // top bit clear and its top bit was clear: no carry crosses lanes.
        let unlike = |x: u64| ((x & LOWS) + LOWS) | x;
        let marked = !(unlike(w ^ self.a) & unlike(w ^ self.b)) & TOPS;
        // The top bit of byte k (bit 8k + 7) times bit 7(7 - k) of the factor lands on bit
        // 56 + k; no other product reaches bits 56..64.
        marked.wrapping_mul(0x0002_0408_1020_4081) >> 56
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
