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
    s.parse::<IpAddr>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::is_ip;

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
