//! IP address recognition matching Go's `net.ParseIP`.
//!
//! `std::net::IpAddr::from_str` accepts exactly the textual forms that Go (1.17 and later) accepts:
//! - IPv4 dotted quad, four decimal fields 0..=255, leading zeros rejected (`01.2.3.4`), as Go
//!   does since 1.17 (earlier Go versions accepted and misread them);
//! - IPv6 with up to four hex digits per group, one `::`, which must stand for at least one group,
//!   and an optional embedded IPv4 tail (`::ffff:1.2.3.4`, `::1.2.3.4`), whose fields also reject
//!   leading zeros;
//! - no zone (`fe80::1%eth0`), no port, no CIDR suffix, no brackets, no surrounding whitespace.
//!
//! The std parser is the reference; `is_ip` decides the common forms with cheaper hand-written
//! checks and leaves the rest to it. The unit tests below pin these cases and compare the checks
//! with std.

use std::net::IpAddr;

/// Whether `s` is an IPv4 or IPv6 address as Go's `net.ParseIP` would accept it.
pub(crate) fn is_ip(s: &str) -> bool {
    // The std parser costs well over a thousand instructions for an IPv6 address, several
    // times the checks below; whatever they cannot decide goes to std.
    let b = s.as_bytes();
    if is_ipv4(b) {
        return true;
    }
    match ipv6_fast(b) {
        Some(valid) => valid,
        None => s.parse::<IpAddr>().is_ok(),
    }
}

/// Whether `b` is a dotted quad: four fields of one to three digits, each at most 255 and
/// without a leading zero (`0` itself is fine), joined by single dots, nothing else.
fn is_ipv4(b: &[u8]) -> bool {
    let mut rest = b;
    for field in 0..4 {
        let (value, after) = match rest {
            [d0 @ b'1'..=b'9', d1 @ b'0'..=b'9', d2 @ b'0'..=b'9', after @ ..] => (
                u32::from(d0 - b'0') * 100 + u32::from(d1 - b'0') * 10 + u32::from(d2 - b'0'),
                after,
            ),
            [d0 @ b'1'..=b'9', d1 @ b'0'..=b'9', after @ ..] => {
                (u32::from(d0 - b'0') * 10 + u32::from(d1 - b'0'), after)
            }
            [d0 @ b'0'..=b'9', after @ ..] => (u32::from(d0 - b'0'), after),
            _ => return false,
        };
        if value > 255 {
            return false;
        }
        rest = match after {
            [b'.', next @ ..] if field < 3 => next,
            [] if field == 3 => return true,
            _ => return false,
        };
    }
    false
}

/// Decides the text that [`is_ipv4`] rejected when it can: `Some(valid)` for text without an
/// embedded IPv4 part (hex groups and colons only) or with a byte no address can contain,
/// `None` for anything else.
///
/// The rules are std's `Ipv6Addr` parser's: one to four hex digits per group, exactly eight
/// groups, or at most seven with one `::` (which must stand for at least one group); a single
/// `:` neither starts nor ends the text.
fn ipv6_fast(b: &[u8]) -> Option<bool> {
    // Groups completed so far, hex digits in the current group, whether `::` was seen.
    let (mut groups, mut digits, mut ellipsis) = (0u32, 0u32, false);
    let mut i = 0;
    if b.starts_with(b"::") {
        ellipsis = true;
        i = 2;
    }
    while i < b.len() {
        match b[i] {
            c if c.is_ascii_hexdigit() => {
                digits += 1;
                if digits > 4 {
                    return Some(false);
                }
            }
            b':' => {
                if digits == 0 {
                    // A leading single `:` or a third colon in a row.
                    return Some(false);
                }
                groups += 1;
                digits = 0;
                match b.get(i + 1) {
                    Some(b':') if ellipsis => return Some(false),
                    Some(b':') => {
                        ellipsis = true;
                        i += 1;
                    }
                    Some(_) => {}
                    // A trailing single `:`.
                    None => return Some(false),
                }
            }
            // The IPv4 tail of an IPv6 address (`::ffff:1.2.3.4`) always follows a colon, and
            // the text is no IPv4 address (`is_ipv4` said so): with no colon yet, it is invalid.
            b'.' if groups == 0 && !ellipsis => return Some(false),
            // Such tails are rare: std decides them.
            b'.' => return None,
            // Neither parser accepts any other byte (std reads only digits, hex letters, `.`
            // and `:`).
            _ => return Some(false),
        }
        i += 1;
    }
    if digits > 0 {
        groups += 1;
    }
    Some(if ellipsis { groups <= 7 } else { groups == 8 })
}

#[cfg(test)]
mod tests {
    use super::is_ip;

    /// The fast paths against the std parser, which defines the behaviour: `is_ipv4` must agree
    /// with `Ipv4Addr`, `ipv6_fast` must agree with `IpAddr` whenever it decides, and so must
    /// `is_ip` always.
    fn check_against_std(s: &str) {
        let b = s.as_bytes();
        let std_v4 = s.parse::<std::net::Ipv4Addr>().is_ok();
        let std_any = s.parse::<std::net::IpAddr>().is_ok();
        assert_eq!(super::is_ipv4(b), std_v4, "is_ipv4({s:?})");
        if !std_v4 {
            if let Some(decided) = super::ipv6_fast(b) {
                assert_eq!(decided, std_any, "ipv6_fast({s:?})");
            }
        }
        assert_eq!(is_ip(s), std_any, "is_ip({s:?})");
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
            "0x1.2.3.4",
            "１.2.3.4",
            "::é",
        ] {
            check_against_std(s);
        }
    }

    #[test]
    fn fast_paths_agree_with_std_exhaustively_on_short_text() {
        // Every string of up to five bytes over an alphabet that reaches every branch.
        let alphabet = b"0129aFg:.%";
        let mut s = Vec::new();
        for len in 0..=5u32 {
            for mut n in 0..alphabet.len().pow(len) {
                s.clear();
                for _ in 0..len {
                    s.push(alphabet[n % alphabet.len()]);
                    n /= alphabet.len();
                }
                check_against_std(std::str::from_utf8(&s).expect("ascii"));
            }
        }
    }

    #[test]
    fn fast_paths_agree_with_std_on_random_token_strings() {
        // Longer strings glued from address-like pieces, so that most of them are near misses.
        let tokens = [
            "0", "1", "9", "00", "01", "09", "10", "99", "100", "199", "200", "249", "250", "255",
            "256", "300", "999", "1000", "a", "ff", "FFFF", "abcd", "0db8", "12345", "g", ".", ".",
            ".", ":", ":", ":", "::", " ", "%eth0", "/8", "ffff:", "::ffff:", "1.2.3.4",
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
            ":::",
            "1:2:3:4:5:6:7",
            "0x1.2.3.4",
            "localhost",
        ] {
            assert!(!is_ip(s), "{s}");
        }
    }
}
