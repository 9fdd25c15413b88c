//! Go's `net.ParseIP`, step by step: the reference that [`super::ip::is_ip`] decides the
//! common forms faster than, and the judge of the rest.
//!
//! As Go 1.17 to 1.19 read addresses (`net/ip.go`, `net/parse.go`), with the rule Go 1.17
//! added: an IPv4 field of more than one digit may not start with `0` (`01.2.3.4`, which
//! Go 1.15, Panther's open-source build, took and read as decimal; a listed departure).
//! Where Rust's std parser differs: an IPv6 group may have more than four hex digits as
//! long as its value fits in 16 bits (`::00001`; review s40-h1 F2).

/// Go's `big`: `dtoi` and `xtoi` fail once a number reaches it.
const BIG: u32 = 0xFF_FFFF;

/// Whether Go's `net.ParseIP` accepts `s`: IPv4 when a `.` comes before any `:`, IPv6 when
/// a `:` does, nothing without either.
pub(crate) fn parse_ip(s: &[u8]) -> bool {
    match s.iter().find(|&&b| b == b'.' || b == b':') {
        Some(b'.') => ipv4(s),
        Some(_) => ipv6(s),
        None => false,
    }
}

/// Go's `dtoi`/`xtoi`: the number at the start of `s` in `radix` (10 or 16) and how many
/// bytes it took; `None` without a digit, or once the value reaches [`BIG`].
fn number(s: &[u8], radix: u32) -> Option<(u32, usize)> {
    let mut n = 0u32;
    let mut taken = 0;
    for &b in s {
        let Some(d) = char::from(b).to_digit(radix) else {
            break;
        };
        n = n * radix + d;
        taken += 1;
        if n >= BIG {
            return None;
        }
    }
    (taken > 0).then_some((n, taken))
}

/// Go's `parseIPv4`: four decimal fields of at most 255, joined by dots, no leading zero.
fn ipv4(mut s: &[u8]) -> bool {
    for field in 0..4 {
        if field > 0 {
            match s.split_first() {
                Some((b'.', rest)) => s = rest,
                _ => return false,
            }
        }
        let Some((n, taken)) = number(s, 10) else {
            return false;
        };
        if n > 0xFF || (taken > 1 && s[0] == b'0') {
            return false;
        }
        s = &s[taken..];
    }
    s.is_empty()
}

/// Go's `parseIPv6` (without a zone): groups of hex digits of at most 0xFFFF, one `::`
/// standing for at least one zero group, an IPv4 tail in the last 32 bits.
fn ipv6(mut s: &[u8]) -> bool {
    const LEN: usize = 16;
    let mut ellipsis = None;
    if s.starts_with(b"::") {
        ellipsis = Some(0);
        s = &s[2..];
        if s.is_empty() {
            return true;
        }
    }
    let mut i = 0;
    while i < LEN {
        let Some((n, taken)) = number(s, 16) else {
            return false;
        };
        if n > 0xFFFF {
            return false;
        }
        if s.get(taken) == Some(&b'.') {
            if (ellipsis.is_none() && i != LEN - 4) || i + 4 > LEN || !ipv4(s) {
                return false;
            }
            s = &[];
            i += 4;
            break;
        }
        i += 2;
        s = &s[taken..];
        if s.is_empty() {
            break;
        }
        if s[0] != b':' || s.len() == 1 {
            return false;
        }
        s = &s[1..];
        if s[0] == b':' {
            if ellipsis.is_some() {
                return false;
            }
            ellipsis = Some(i);
            s = &s[1..];
            if s.is_empty() {
                break;
            }
        }
    }
    s.is_empty()
        && (if i < LEN {
            ellipsis.is_some()
        } else {
            ellipsis.is_none()
        })
}

#[cfg(test)]
mod tests {
    use super::parse_ip;

    /// Go 1.19's `net.ParseIP` on each (run with Go's own, review s40-h1).
    #[test]
    fn as_go_reads_them() {
        for (s, go) in [
            ("1.2.3.4", true),
            ("0.0.0.0", true),
            ("255.255.255.255", true),
            ("256.1.1.1", false),
            ("01.2.3.4", false),
            ("1.2.3.00", false),
            ("1.2.3", false),
            ("1.2.3.4.", false),
            ("1.2.3.4:80", false),
            ("::", true),
            ("::1", true),
            ("1::", true),
            (":", false),
            (":::", false),
            ("1:2:3:4:5:6:7:8", true),
            ("1:2:3:4:5:6:7:8:9", false),
            ("1:2:3:4:5:6:7::", true),
            ("1:2:3:4::5:6:7:8", false),
            ("::ffff:1.2.3.4", true),
            ("::ffff:01.2.3.4", false),
            ("1:2:3:4:5:6:1.2.3.4", true),
            ("1:2:3:4:5:1.2.3.4", false),
            ("1:2:3:4:5:6:7:1.2.3.4", false),
            ("::1.2.3.4:1", false),
            ("1.2.3.4::", false),
            // Groups of more than four digits whose value fits in 16 bits.
            ("::00001", true),
            ("00001::1", true),
            ("0000000001::", true),
            ("::0:00000000000000000ffff", true),
            ("::fffff", false),
            ("12345::", false),
            ("::ffff:00001.2.3.4", false),
            ("fe80::1%eth0", false),
            ("[::1]", false),
            (" ::1", false),
            ("example.com", false),
            ("", false),
        ] {
            assert_eq!(parse_ip(s.as_bytes()), go, "{s:?}");
        }
    }
}
