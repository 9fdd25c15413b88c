//! Little-endian words read from byte slices, for the checks that look at eight (or four)
//! bytes at once: the key lookup of compiled plans and the IP address scanner; and the
//! sixteen-byte blocks the text parsers search.

use wide::u8x16;

/// Bit `k` set when `mark` flags byte `base + k` of `text`, for the sixteen bytes at
/// `base` or, at the end of `text`, the fewer that are left (`base` is within `text`).
/// `mark` flags the lanes of a vector (all ones in a flagged lane, as `simd_eq` gives).
#[inline]
pub(crate) fn mask16(text: &[u8], base: usize, mark: impl Fn(u8x16) -> u8x16) -> u32 {
    let bits = |part: &[u8]| {
        let part: [u8; 16] = part.try_into().unwrap_or([0; 16]);
        mark(u8x16::new(part)).to_bitmask()
    };
    if let Some(part) = text.get(base..base + 16) {
        return bits(part);
    }
    let left = text.len().saturating_sub(base);
    if let Some(last) = text.len().checked_sub(16) {
        // The last sixteen bytes: the bytes before `base` shifted out.
        bits(&text[last..]) >> (16 - left)
    } else {
        // A text under sixteen bytes, padded with NUL (which `mark` may flag: the bits
        // past its end are cleared).
        let mut padded = [0u8; 16];
        padded[..left].copy_from_slice(&text[base..]);
        bits(&padded) & ((1 << left) - 1)
    }
}

/// The eight bytes of `b` at `at` (which must be in bounds) as a little-endian word.
#[inline]
pub(crate) fn read8(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

/// The four bytes of `b` at `at` (which must be in bounds) as a little-endian word.
#[inline]
pub(crate) fn read4(b: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(w)
}
