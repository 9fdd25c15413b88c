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
//! The unit tests below pin these cases.

use std::net::IpAddr;

/// Whether `s` is an IPv4 or IPv6 address as Go's `net.ParseIP` would accept it.
pub(crate) fn is_ip(s: &str) -> bool {
    // Fast path for the common dotted quad; everything else goes to the std parser.
    match is_ipv4_fast(s.as_bytes()) {
        Some(v4) => v4,
        None => s.parse::<IpAddr>().is_ok(),
    }
}

/// `Some(valid)` for text made of ASCII digits and dots only (where the answer is exactly
/// std's `Ipv4Addr` parse), `None` for anything else.
#[inline]
fn is_ipv4_fast(b: &[u8]) -> Option<bool> {
    if !b.iter().all(|c| c.is_ascii_digit() || *c == b'.') {
        return None;
    }
    let (mut parts, mut digits, mut value, mut leading_zero) = (0u32, 0u32, 0u32, false);
    for &c in b {
        match c {
            b'0'..=b'9' => {
                if digits == 0 {
                    leading_zero = c == b'0';
                } else if leading_zero {
                    return Some(false);
                }
                digits += 1;
                value = value * 10 + u32::from(c - b'0');
                if digits > 3 || value > 255 {
                    return Some(false);
                }
            }
            b'.' => {
                if digits == 0 {
                    return Some(false);
                }
                parts += 1;
                digits = 0;
                value = 0;
            }
            _ => return None,
        }
    }
    Some(parts == 3 && digits > 0)
}

#[cfg(test)]
mod tests {
    use super::is_ip;

    #[test]
    fn fast_ipv4_path_agrees_with_std() {
        for s in [
            "1.2.3.4",
            "0.0.0.0",
            "255.255.255.255",
            "256.1.1.1",
            "01.2.3.4",
            "1.2.3",
            "1.2.3.4.5",
            "1..2.3",
            ".1.2.3",
            "1.2.3.",
            "1.2.3.04",
            "1.2.3.0",
            "1000.1.1.1",
            "",
            ".",
            "0",
            "10.0.0.1",
            "99.999.1.1",
            "1.2.3.4 ",
            "00.1.1.1",
            "0.00.1.1",
            "2001:DB8::1",
            "1234::1",
        ] {
            let std_ok = s.parse::<std::net::Ipv4Addr>().is_ok();
            assert_eq!(
                super::is_ipv4_fast(s.as_bytes()).unwrap_or(std_ok),
                std_ok,
                "{s:?}"
            );
            assert_eq!(is_ip(s), s.parse::<std::net::IpAddr>().is_ok(), "{s:?}");
        }
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
