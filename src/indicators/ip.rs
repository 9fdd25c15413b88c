//! IP address recognition matching Go's `net.ParseIP` (as Go 1.17 to 1.19 read addresses:
//! [`super::go_ip`], which decides whatever the checks here do not):
//! - IPv4 dotted quad, four decimal fields 0..=255, leading zeros rejected (`01.2.3.4`), as Go
//!   does since 1.17 (Go 1.15, Panther's open-source build, accepted them: a listed departure);
//! - IPv6 groups of hex digits of at most 0xFFFF (four digits, or more with leading zeros:
//!   `::00001`), one `::`, which must stand for at least one group, and an optional embedded
//!   IPv4 tail (`::ffff:1.2.3.4`, `::1.2.3.4`), whose fields also reject leading zeros;
//! - no zone (`fe80::1%eth0`), no port, no CIDR suffix, no brackets, no surrounding whitespace.
//!
//! `is_ip` decides the common forms with cheap checks on byte-class masks and leaves the rest
//! (IPv4 tails, groups of five digits or more, text over 45 bytes) to the step-by-step port.
//! The unit tests below compare the checks with the port, and the port with std where the two
//! agree (every form but the long groups).

use wide::u8x16;

use crate::words::{read4, read8};

/// Whether `s` is an IPv4 or IPv6 address as Go's `net.ParseIP` would accept it.
pub(crate) fn is_ip(s: &str) -> bool {
    // The std parser costs well over a thousand instructions for an IPv6 address, several
    // times the checks below; whatever they cannot decide goes to std.
    match fast(s.as_bytes()) {
        Some(valid) => valid,
        None => super::go_ip::parse_ip(s.as_bytes()),
    }
}

/// Decides `b` when it can: `Some(valid)` for a dotted quad, for IPv6 text without an embedded
/// IPv4 part or a group of five digits or more, and for anything no address can be (a byte
/// no address contains at either end); `None` for the rest (an IPv4 tail, a long group,
/// text under four bytes or over 45).
///
/// The checks are done on masks of the byte classes, without a branch that depends on where
/// a field or group ends: a byte-by-byte parser mispredicts a few branches per address (how
/// many digits a field has), which costs more than the parsing (measured with callgrind's
/// branch simulation: 7 mispredictions per address on generated data).
///
/// The rules are Go's (see the module docs). IPv4: four fields of one to three digits joined
/// by single dots, each at most 255, no leading zero. IPv6: one to four hex digits per group
/// (more go to the port), exactly eight groups, or at most seven with one `::`; a single `:`
/// neither starts nor ends the text.
fn fast(b: &[u8]) -> Option<bool> {
    let n = b.len();
    // Every address starts and ends with a hex digit or a colon (an IPv4 field or tail ends
    // with a digit): most host names (`example.com`, `vpn.example.org`) are told apart by
    // their ends alone, without the masks below.
    let end = |c: &u8| c.is_ascii_hexdigit() || *c == b':';
    if !(b.first().is_none_or(end) && b.last().is_none_or(end)) {
        return Some(false);
    }
    // `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255` is the longest address of groups of
    // four digits at most; longer text is one with a long group, or none (the port fails
    // at its first byte that no address holds).
    if !(4..=45).contains(&n) {
        return None;
    }
    if n <= 15 {
        if let Some(v4) = ipv4(b) {
            return Some(v4);
        }
    }
    ipv6(b)
}

/// A dotted quad's text (4 to 15 bytes) decided: `None` when it has a colon (IPv6 or nothing).
///
/// The text sits in one vector of sixteen bytes (`wide`'s safe vectors: SSE2 on x86-64);
/// each class is a bit mask of its bytes (bit `k` for byte `k`), and `>> 1` moves every
/// byte's flag to the byte before it.
fn ipv4(b: &[u8]) -> Option<bool> {
    let n = b.len();
    // Bytes 0..8 and 8..n; past the text, bytes are NUL, which is in no class.
    let word = if n >= 8 {
        // The last eight bytes moved down to start at byte 8: two shifts, as 8 * (16 - n)
        // is 64 when n is 8.
        let tail = read8(b, n - 8) >> 1 >> (8 * (16 - n) - 1);
        u128::from(read8(b, 0)) | u128::from(tail) << 64
    } else {
        // Bytes 0..4 and n-4..n, OR-ed where they overlap (the same bytes).
        u128::from(u64::from(read4(b, 0)) | u64::from(read4(b, n - 4)) << (8 * (n - 4)))
    };
    let lanes = u8x16::new(word.to_le_bytes());
    let is = |c: u8| lanes.simd_eq(u8x16::splat(c)).to_bitmask();
    let at_least = |lo: u8| lanes.max(u8x16::splat(lo)).simd_eq(lanes).to_bitmask();
    if is(b':') != 0 {
        return None;
    }
    let d = at_least(b'0') & !at_least(b'9' + 1);
    let dots = is(b'.');
    // Fields are runs of digits; `starts` are their first digits.
    let starts = d & !(d << 1);
    // Only the bytes of the text can be flagged: all of them are when there are `n` flags.
    let shape = (d | dots).count_ones() as usize == n
        && dots.count_ones() == 3
        && dots & (dots >> 1 | 1) == 0
        && b[n - 1] != b'.'
        && d & d >> 1 & d >> 2 & d >> 3 == 0
        && starts & !at_least(b'1') & d >> 1 == 0;
    // A field of three digits (no leading zero) is over 255 when it starts with 3-9, or with
    // 2 and then 6-9, or with 25 and then 6-9. For digits, at least '3' is a one-sided test.
    let three = starts & d >> 1 & d >> 2;
    let (two, five, six_up) = (is(b'2'), is(b'5'), at_least(b'6'));
    let over = three & (at_least(b'3') | two & (six_up >> 1 | five >> 1 & six_up >> 2));
    Some(shape && over == 0)
}

/// IPv6 text without an IPv4 tail decided (4 to 45 bytes); `None` for one with a tail.
fn ipv6(b: &[u8]) -> Option<bool> {
    let n = b.len();
    let words = Words::of(b);
    let [hex, colons, dots, high] = words.masks(|w| {
        [
            in_range(w, b'0', b'9') | in_range(w | (ONES * 0x20), b'a', b'f'),
            in_range(w, b':', b':'),
            in_range(w, b'.', b'.'),
            w,
        ]
    });
    // No address has a byte of 0x80 or more; the other masks are sound only without one.
    if high != 0 || colons == 0 {
        return Some(false);
    }
    if dots != 0 {
        // An IPv4 tail (`::ffff:1.2.3.4`): rare, std decides.
        return None;
    }
    let all = (1u64 << n) - 1;
    let last = 1u64 << (n - 1);
    // `pairs`: the first colon of each `::`.
    let pairs = colons & colons >> 1;
    if hex & hex >> 1 & hex >> 2 & hex >> 3 & hex >> 4 != 0 {
        // A group of five digits or more: an address when its value fits in 16 bits.
        return None;
    }
    let groups = (hex & !(hex << 1)).count_ones();
    let single_at_ends =
        (colons & 1 != 0 && colons & 2 == 0) || (colons & last != 0 && colons & last >> 1 == 0);
    Some(
        hex | colons == all
            && pairs & pairs >> 1 == 0
            && pairs.count_ones() <= 1
            && !single_at_ends
            && if pairs == 0 { groups == 8 } else { groups <= 7 },
    )
}

const ONES: u64 = 0x0101_0101_0101_0101;
const TOPS: u64 = ONES * 0x80;

/// The text of an address candidate (4 to 45 bytes) as the words that cover it: eight
/// bytes at 0, 8, 16... and the last eight (the last word overlaps the one before).
struct Words {
    read: [u64; 6],
    /// The byte position of each word.
    at: [usize; 6],
    count: usize,
}

impl Words {
    #[inline]
    fn of(b: &[u8]) -> Words {
        let n = b.len();
        let mut w = Words {
            read: [0; 6],
            at: [0; 6],
            count: 1,
        };
        if n < 8 {
            // Padded with NULs, which are in no class.
            let mut word = [0u8; 8];
            word[..n].copy_from_slice(b);
            w.read[0] = u64::from_le_bytes(word);
            return w;
        }
        w.read[0] = read8(b, 0);
        while w.count < 5 && 8 * w.count + 8 < n {
            w.read[w.count] = read8(b, 8 * w.count);
            w.at[w.count] = 8 * w.count;
            w.count += 1;
        }
        w.read[w.count] = read8(b, n - 8);
        w.at[w.count] = n - 8;
        w.count += 1;
        w
    }

    /// `K` byte-class masks: bit `i` of mask `k` is the top bit of byte `i` in
    /// `classes(word)[k]` (overlapping words agree).
    #[allow(clippy::inline_always)] // measured: the closure is not inlined otherwise
    #[inline(always)]
    fn masks<const K: usize>(&self, classes: impl Fn(u64) -> [u64; K]) -> [u64; K] {
        let mut out = [0u64; K];
        for (&w, &at) in self.read.iter().zip(&self.at).take(self.count) {
            for (o, m) in out.iter_mut().zip(classes(w)) {
                *o |= bits(m & TOPS) << at;
            }
        }
        out
    }
}

/// The bytes of `w` from `lo` to `hi`, as the top bits of their bytes (the other bits are
/// noise). For bytes under 0x80, adding `0x80 - lo` sets a byte's top bit exactly when it is
/// at least `lo`, without a carry into the next byte.
#[inline]
fn in_range(w: u64, lo: u8, hi: u8) -> u64 {
    let at_least_lo = w.wrapping_add(ONES * u64::from(0x80 - lo));
    let above_hi = w.wrapping_add(ONES * u64::from(0x7f - hi));
    at_least_lo & !above_hi
}

/// The top bits of the eight bytes of `m` (all its other bits clear) as an 8-bit mask.
#[inline]
fn bits(m: u64) -> u64 {
    // Top bit of byte k (bit 8k + 7) times bit 7(7 - k) of the factor lands on bit 56 + k;
    // no other product reaches bits 56..64.
    m.wrapping_mul(0x0002_0408_1020_4081) >> 56
}

#[cfg(test)]
mod tests {
    use super::is_ip;

    /// The fast path against the port of Go's parser, which defines the behaviour: `fast`
    /// must agree with it whenever it decides, and so must `is_ip` always. The port agrees
    /// with Rust's std parser but for IPv6 groups of five digits or more, which std refuses.
    fn check_against_std(s: &str) {
        let b = s.as_bytes();
        let go = super::super::go_ip::parse_ip(b);
        if let Some(decided) = super::fast(b) {
            assert_eq!(decided, go, "fast({s:?})");
        }
        assert_eq!(is_ip(s), go, "is_ip({s:?})");
        let long_group = s
            .split([':', '.'])
            .any(|g| g.len() > 4 && g.bytes().all(|c| c.is_ascii_hexdigit()));
        if !long_group {
            assert_eq!(s.parse::<std::net::IpAddr>().is_ok(), go, "std({s:?})");
        }
    }

    #[test]
    fn byte_masks_are_the_top_bits_in_order() {
        let mut next = crate::testing::xorshift(7);
        for _ in 0..10_000 {
            let w = (0..8).fold(0u64, |w, k| w | (next(2) as u64 * 0x80) << (8 * k));
            let naive = (0..8).fold(0u64, |m, k| m | (w >> (8 * k + 7) & 1) << k);
            assert_eq!(super::bits(w), naive, "{w:#x}");
        }
        let text = *b"0:9.aFg ";
        let w = u64::from_le_bytes(text);
        let class = |m: u64| super::bits(m & super::TOPS);
        assert_eq!(class(super::in_range(w, b'0', b'9')), 0b0000_0101);
        assert_eq!(class(super::in_range(w, b':', b':')), 0b0000_0010);
        assert_eq!(
            class(super::in_range(w | (super::ONES * 0x20), b'a', b'f')),
            0b0011_0000
        );
    }

    #[test]
    fn fast_paths_agree_with_std_on_edge_cases() {
        for s in [
            "1.2.3.4",
            "0.0.0.0",
            "255.255.255.255",
            "256.1.1.1",
            "1.256.1.1",
            "1.1.1.256",
            "300.1.1.1",
            "01.2.3.4",
            "1.2.3.04",
            "1.2.3.00",
            "00.1.1.1",
            "0.00.1.1",
            "1.2.3",
            "1.2.3.4.5",
            "1..2.3",
            ".1.2.3",
            "1.2.3.",
            "1.2.3.4.",
            "1.2.3.0",
            "1000.1.1.1",
            "99.999.1.1",
            "",
            ".",
            "0",
            "10.0.0.1",
            "1.2.3.4 ",
            " 1.2.3.4",
            "1.2.3.4:80",
            "1.2.3.4/8",
            "1.2.3.-4",
            "+1.2.3.4",
            "1.2.3.4%",
            "2001:DB8::1",
            "2001:db8:ffad:5e95::71e7",
            "1234::1",
            "::",
            "::1",
            "1::",
            ":",
            ":::",
            "::::",
            ":1",
            "1:",
            "1::2:",
            ":1::2",
            "1::2::3",
            "1:::2",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7::",
            "::1:2:3:4:5:6:7",
            "::1:2:3:4:5:6:7:8",
            "1:2:3:4::5:6:7:8",
            "1:2:3:4:5:6:7:8::",
            "12345::",
            "::12345",
            "0000:0000:0000:0000:0000:0000:0000:0000",
            "00000::",
            "abcd:EF01:2345:6789:abcd:ef01:2345:6789",
            "g::1",
            "::g",
            "::ffff:1.2.3.4",
            "::ffff:01.2.3.4",
            "::ffff:256.2.3.4",
            "::1.2.3.4",
            "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4",
            "1::1.2.3.4",
            "1.2.3.4::",
            "::1.2.3.4:1",
            "a.b.c.d",
            "1.2.3.a",
            "fe80::1%eth0",
            "[::1]",
            "::1 ",
            "localhost",
            "example.com",
            "face.b00c",
            "cafe.example",
            "beef.io",
            "deadbeef.cafe",
            "vpn.example.org",
            "1.2.3.4a",
            "a1.2.3.4",
            "0x1.2.3.4",
            "１.2.3.4",
            "::é",
        ] {
            check_against_std(s);
        }
    }

    #[test]
    fn fast_paths_agree_with_std_on_every_field_value() {
        // Each of 0..=999, with and without leading zeros, in each position of a quad.
        let mut fields = Vec::new();
        for v in 0..1000 {
            fields.extend([format!("{v}"), format!("{v:02}"), format!("{v:03}")]);
        }
        for f in &fields {
            for at in 0..4 {
                let mut quad = ["1", "22", "199", "0"];
                quad[at] = f;
                check_against_std(&quad.join("."));
            }
        }
    }

    #[test]
    fn fast_paths_agree_with_std_exhaustively_on_short_text() {
        // Every string of up to five bytes over an alphabet that reaches every branch.
        every_string(b"0129aFg:.%", 0..=5, check_against_std);
    }

    /// Calls `f` with every string of each of `lengths` bytes over `alphabet` (ASCII).
    fn every_string(alphabet: &[u8], lengths: std::ops::RangeInclusive<u32>, f: fn(&str)) {
        let mut s = Vec::new();
        for len in lengths {
            for mut n in 0..alphabet.len().pow(len) {
                s.clear();
                for _ in 0..len {
                    s.push(alphabet[n % alphabet.len()]);
                    n /= alphabet.len();
                }
                f(std::str::from_utf8(&s).expect("ascii"));
            }
        }
    }

    #[test]
    fn fast_paths_agree_with_std_exhaustively_around_the_first_word() {
        // Every string of 6 to 12 bytes over `1:.`: shorter than a word, one word, and a
        // word plus an overlapping one, in every arrangement of groups, fields and `::`.
        every_string(b"1:.", 6..=12, check_against_std);
    }

    #[test]
    fn fast_paths_agree_with_std_on_random_token_strings() {
        // Longer strings glued from address-like pieces, so that most of them are near misses.
        let tokens = [
            "0", "1", "9", "00", "01", "09", "10", "99", "100", "199", "200", "249", "250", "255",
            "256", "300", "999", "1000", "a", "ff", "FFFF", "abcd", "0db8", "12345", "g", ".", ".",
            ".", ":", ":", ":", "::", " ", "%eth0", "/8", "ffff:", "::ffff:", "1.2.3.4", "example",
            "io", "xn--", "-", "face", "Z",
        ];
        let mut next = crate::testing::xorshift(0x9e37_79b9_7f4a_7c15);
        let mut s = String::new();
        for _ in 0..200_000 {
            s.clear();
            for _ in 0..=next(16) {
                s.push_str(tokens[next(tokens.len())]);
            }
            check_against_std(&s);
        }
        // IPv6-shaped text: up to ten groups of zero to five hex digits, `:` or `::` between
        // them, sometimes an IPv4 tail, so that many are valid and the rest barely are not.
        let (mut valid, mut total) = (0, 0);
        for _ in 0..200_000 {
            s.clear();
            let groups = next(11);
            for g in 0..groups {
                if g > 0 || next(8) == 0 {
                    s.push_str(if next(10) == 0 { "::" } else { ":" });
                }
                for _ in 0..next(6) {
                    s.push(char::from(b"0123456789abcdefABCDEF"[next(22)]));
                }
            }
            if next(6) == 0 {
                s.push_str(if next(2) == 0 { ":1.2.3.4" } else { "::" });
            }
            check_against_std(&s);
            total += 1;
            valid += usize::from(is_ip(&s));
        }
        assert!(
            valid * 20 > total,
            "only {valid} of {total} valid: the generator drifted"
        );
    }

    #[test]
    fn accepts_like_go() {
        for s in [
            "0.0.0.0",
            "1.2.3.4",
            "255.255.255.255",
            "10.0.0.1",
            "::",
            "::1",
            "::ffff:1.2.3.4",
            "::1.2.3.4",
            "1:2:3:4:5:6:1.2.3.4",
            "2001:DB8::0001",
            "fe80::1",
            "1:2:3:4:5:6:7:8",
            "1::",
            // Go's groups take any number of leading zeros (review s40-h1 F2).
            "::00001",
            "00001::1",
            "0000000001::",
            "::0:00000000000000000ffff",
            "0:0:0:0:0:0:0:000000000000000000000000000000000000000000000001",
        ] {
            assert!(is_ip(s), "{s}");
        }
    }

    #[test]
    fn rejects_like_go() {
        for s in [
            "",
            "01.2.3.4",
            "1.2.3.04",
            "256.1.1.1",
            "1.2.3",
            "1.2.3.4.5",
            "1.2.3.4:80",
            "10.0.0.0/8",
            " 1.2.3.4",
            "[::1]",
            "fe80::1%eth0",
            "::ffff:01.2.3.4",
            "1:2:3:4::5:6:7:8",
            "12345::",
            "::fffff",
            "::ffff:00001.2.3.4",
            &"0".repeat(60),
            ":::",
            "1:2:3:4:5:6:7",
            "0x1.2.3.4",
            "localhost",
        ] {
            assert!(!is_ip(s), "{s}");
        }
    }
}
