//! The encodings of a small file's pages, written by hand because the parquet crate keeps
//! its encoders to itself: the RLE/bit-packed hybrid (levels and dictionary indices), and
//! `DELTA_BINARY_PACKED` (integers and times). Layouts as in the Parquet format's
//! `Encodings.md`.

/// Append `v` as an unsigned LEB128 varint.
pub(super) fn uleb(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v.to_le_bytes()[0] | 0x80);
        v >>= 7;
    }
    out.push(v.to_le_bytes()[0]);
}

/// `v` zigzag-encoded (small magnitudes, either sign, become small numbers).
pub(super) fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)).cast_unsigned()
}

/// The bits needed to write `v`.
fn width_of(v: u64) -> u8 {
    // At most 64: fits.
    u8::try_from(64 - v.leading_zeros()).unwrap_or(64)
}

/// Append `values` (each under 2^`width`) bit-packed, least significant bit first, padded
/// with zero bits to a whole byte.
fn bit_pack(out: &mut Vec<u8>, values: impl Iterator<Item = u64>, width: u8) {
    if width == 0 {
        return;
    }
    // Bits gather in `acc` and leave it eight bytes at a time: a byte at a time cost about
    // a third of the time of the deltas of a file's times and counters.
    let mut acc: u128 = 0;
    let mut bits = 0u32;
    for v in values {
        // `bits` is under 64 here, and `v` under 2^64: the shifted value fits.
        acc |= u128::from(v) << bits;
        bits += u32::from(width);
        if bits >= 64 {
            out.extend_from_slice(&acc.to_le_bytes()[..8]);
            acc >>= 64;
            bits -= 64;
        }
    }
    let tail = bits.div_ceil(8) as usize;
    out.extend_from_slice(&acc.to_le_bytes()[..tail]);
}

/// Append `values` (each under 2^`width`) in the RLE/bit-packed hybrid, without a length:
/// one run when all are equal, else bit-packed groups of 8 (the last one padded with
/// zeros). Pages of a few hundred values rarely have the long runs that would pay for
/// mixing both.
pub(super) fn hybrid<T: Copy + Into<u64>>(out: &mut Vec<u8>, values: &[T], width: u8) {
    let Some(&first) = values.first() else {
        return;
    };
    let first = first.into();
    if values.iter().all(|&v| v.into() == first) {
        uleb(out, (values.len() as u64) << 1);
        let bytes = usize::from(width).div_ceil(8);
        out.extend_from_slice(&first.to_le_bytes()[..bytes]);
    } else {
        let groups = values.len().div_ceil(8);
        uleb(out, ((groups as u64) << 1) | 1);
        let padding = std::iter::repeat_n(0, groups * 8 - values.len());
        bit_pack(out, values.iter().map(|&v| v.into()).chain(padding), width);
    }
}

/// Append `levels` (each at most `max`) as a data page v1 level block: a 4-byte length,
/// then the hybrid encoding.
pub(super) fn levels(out: &mut Vec<u8>, levels: &[u8], max: i16) {
    let width = u8::try_from(16 - max.leading_zeros()).unwrap_or(16);
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    hybrid(out, levels, width);
    let len = u32::try_from(out.len() - at - 4).unwrap_or(u32::MAX);
    out[at..at + 4].copy_from_slice(&len.to_le_bytes());
}

/// Values a block of `DELTA_BINARY_PACKED` holds, and its miniblocks (of 32 values each).
const BLOCK: usize = 128;
const MINIBLOCKS: usize = 4;
const MINIBLOCK: usize = BLOCK / MINIBLOCKS;

/// Append `values` in `DELTA_BINARY_PACKED`. `bits` is the physical type's width (32 or 64):
/// an INT32 column's deltas wrap at 32 bits, as its readers add them, so that no
/// miniblock needs more than 32 bits.
pub(super) fn delta_binary_packed(out: &mut Vec<u8>, values: &[i64], bits: u32) {
    // The low 32 bits, sign-extended (the arithmetic shift copies bit 31 down).
    let wrap = |v: i64| if bits == 32 { (v << 32) >> 32 } else { v };
    uleb(out, BLOCK as u64);
    uleb(out, MINIBLOCKS as u64);
    uleb(out, values.len() as u64);
    uleb(out, zigzag(values.first().copied().unwrap_or(0)));
    // A block's deltas on the stack: a small file's columns are a block or two each, and
    // allocating for them cost as much as packing them.
    let mut deltas = [0i64; BLOCK];
    let mut rest = values;
    while rest.len() > 1 {
        let n = (rest.len() - 1).min(BLOCK);
        for (d, w) in deltas.iter_mut().zip(rest.windows(2)).take(n) {
            *d = wrap(w[1].wrapping_sub(w[0]));
        }
        rest = &rest[n..];
        let block = &deltas[..n];
        let min = block.iter().copied().min().unwrap_or(0);
        uleb(out, zigzag(min));
        // Above the minimum; below 2^bits.
        let relative = |d: i64| {
            let r = d.wrapping_sub(min).cast_unsigned();
            if bits == 32 {
                r & u64::from(u32::MAX)
            } else {
                r
            }
        };
        let mut widths = [0u8; MINIBLOCKS];
        for (width, mini) in widths.iter_mut().zip(block.chunks(MINIBLOCK)) {
            *width = width_of(mini.iter().map(|&d| relative(d)).max().unwrap_or(0));
        }
        out.extend_from_slice(&widths);
        for (mini, &width) in block.chunks(MINIBLOCK).zip(&widths) {
            // A miniblock is always MINIBLOCK values long, the last one padded with zeros.
            let padding = std::iter::repeat_n(0, MINIBLOCK - mini.len());
            bit_pack(out, mini.iter().map(|&d| relative(d)).chain(padding), width);
        }
    }
}

/// The bit width of dictionary indices below `entries` (at least 1: some readers take
/// width 0 for a corrupt page).
pub(super) fn index_width(entries: usize) -> u8 {
    width_of(entries.saturating_sub(1) as u64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Levels of one value, of equal values (a run) and of mixed ones (bit-packed), as the
    /// hybrid encoding lays them out.
    #[test]
    fn encodes_levels_as_runs_or_bit_packed_groups() {
        let mut out = Vec::new();
        levels(&mut out, &[1; 300], 1);
        assert_eq!(out, [3, 0, 0, 0, 0xd8, 0x04, 1]);
        out.clear();
        levels(&mut out, &[1, 0, 1, 1, 0, 0, 0, 1, 1], 1);
        assert_eq!(out, [3, 0, 0, 0, 0b101, 0b1000_1101, 0b1]);
        out.clear();
        levels(&mut out, &[3, 0, 2, 1], 3);
        assert_eq!(out, [3, 0, 0, 0, 0b11, 0b0110_0011, 0]);
    }

    /// The worked example of the format's `Encodings.md` (1, 2, 3, 4, 5: deltas all 1).
    #[test]
    fn delta_binary_packed_lays_out_header_blocks_and_miniblocks() {
        let mut out = Vec::new();
        delta_binary_packed(&mut out, &[1, 2, 3, 4, 5], 64);
        // Header: block 128, 4 miniblocks, 5 values, first value zigzag(1) = 2; block: min
        // delta zigzag(1) = 2, widths 0 (every delta equals the minimum).
        assert_eq!(out, [0x80, 0x01, 4, 5, 2, 2, 0, 0, 0, 0]);
        out.clear();
        delta_binary_packed(&mut out, &[7, 5, 3, 1, 2, 3, 4, 5], 64);
        // Deltas -2, -2, -2, 1, 1, 1, 1: min -2 (zigzag 3), relative 0 0 0 3 3 3 3 in 2 bits,
        // 32 values padded: 8 bytes.
        assert_eq!(&out[..7], [0x80, 0x01, 4, 8, 14, 3, 2]);
        assert_eq!(&out[7..10], [0, 0, 0]);
        assert_eq!(&out[10..], [0b1100_0000, 0b0011_1111, 0, 0, 0, 0, 0, 0]);
    }

    /// An INT32 column's deltas wrap at 32 bits, as its readers add them: from `i32::MIN` to
    /// `i32::MAX` is a delta of -1, not 2^32 - 1 (which would need 33 bits).
    #[test]
    fn int32_deltas_wrap_at_32_bits() {
        let mut out = Vec::new();
        let values = [
            i64::from(i32::MIN),
            i64::from(i32::MAX),
            i64::from(i32::MIN),
        ];
        delta_binary_packed(&mut out, &values, 32);
        // Header: 2 + 1 + 1 + 5 bytes (zigzag of i32::MIN); min delta -1 (zigzag 1); widths;
        // deltas -1, 1 relative 0, 2 in 2 bits, 32 values: 8 bytes.
        assert_eq!(&out[9..14], [1, 2, 0, 0, 0]);
        assert_eq!(out.len(), 22);
    }

    #[test]
    fn dictionary_indices_take_the_fewest_bits_but_one() {
        assert_eq!(index_width(1), 1);
        assert_eq!(index_width(2), 1);
        assert_eq!(index_width(3), 2);
        assert_eq!(index_width(256), 8);
        assert_eq!(index_width(257), 9);
    }
}
