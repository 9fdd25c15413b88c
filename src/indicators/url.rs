//! Host extraction following Go's `url.Parse(s)` + `URL.Hostname()` and `net.SplitHostPort`.

use std::borrow::Cow;

/// Go's `url.Parse(s)` followed by `Hostname()`: the host of `s`, without userinfo, port and IPv6
/// brackets, percent-decoded as Go decodes hosts.
///
/// Returns `None` wherever Go's `url.Parse` fails (control bytes before a `#`, bad `%` escapes, invalid host or
/// userinfo characters, bad port) or the URL has no authority (`example.com/x`, `mailto:a@b`).
/// A host whose decoded bytes are not valid UTF-8 is also rejected (Go would keep the raw bytes).
pub(crate) fn url_hostname(s: &str) -> Option<Cow<'_, str>> {
    // memchr's vectorized searches for the delimiters: a URL is scanned a few times, and
    // `str::split_once`/`find` step through it a byte or a word at a time.
    let (rest, fragment) = match memchr::memchr(b'#', s.as_bytes()) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    // Go's `url.Parse` cuts the fragment off first and looks for control bytes in the rest
    // only: `https://a.com/#sec<TAB>tion` has a host (review s40-h1 F4).
    if has_control_byte(rest.as_bytes()) {
        return None;
    }
    if let Some(f) = fragment {
        check_escapes(f)?;
    }
    let (scheme, rest) = get_scheme(rest)?;
    let rest = memchr::memchr(b'?', rest.as_bytes()).map_or(rest, |i| &rest[..i]);
    if !rest.starts_with('/') {
        // Opaque URL (`mailto:x`) or a relative path: no host either way.
        return None;
    }
    if (scheme.is_none() && rest.starts_with("///")) || !rest.starts_with("//") {
        return None;
    }
    let authority = &rest[2..];
    let (authority, path) = match memchr::memchr(b'/', authority.as_bytes()) {
        Some(i) => authority.split_at(i),
        None => (authority, ""),
    };
    check_escapes(path)?;
    let host = parse_authority(authority)?;
    Some(match host {
        Cow::Borrowed(h) => Cow::Borrowed(hostname(h)),
        Cow::Owned(h) => Cow::Owned(hostname(&h).to_owned()),
    })
}

/// Whether `b` holds an ASCII control byte (below 0x20, or DEL), which Go's `url.Parse`
/// rejects. Eight bytes at a time: the byte loop was the largest single cost of a URL.
fn has_control_byte(b: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let mut chunks = b.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_ne_bytes(word);
        // The classic "has a byte less than n" and "has a zero byte" tests: the high bit of
        // some byte is set exactly when some byte is below 0x20, or is 0x7f (zero after the
        // xor). A borrow can only mark bytes above one that really matches, so "any" is exact.
        let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGHS;
        let del = x ^ (ONES * 0x7f);
        let is_del = del.wrapping_sub(ONES) & !del & HIGHS;
        if below_space | is_del != 0 {
            return true;
        }
    }
    chunks.remainder().iter().any(|&c| c < 0x20 || c == 0x7f)
}

/// Go's `getScheme`: `Ok`-like `Some((scheme, rest))`; `None` is Go's "missing protocol scheme".
fn get_scheme(s: &str) -> Option<(Option<&str>, &str)> {
    for (i, b) in s.bytes().enumerate() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' => {
                if i == 0 {
                    return Some((None, s));
                }
            }
            b':' => {
                if i == 0 {
                    return None;
                }
                return Some((Some(&s[..i]), &s[i + 1..]));
            }
            _ => return Some((None, s)),
        }
    }
    Some((None, s))
}

/// Go's `parseAuthority`, returning the (unescaped) host including any port.
fn parse_authority(authority: &str) -> Option<Cow<'_, str>> {
    match memchr::memrchr(b'@', authority.as_bytes()) {
        None => parse_host(authority),
        Some(i) => {
            let host = parse_host(&authority[i + 1..])?;
            let userinfo = &authority[..i];
            if !userinfo.bytes().all(valid_userinfo_byte) {
                return None;
            }
            check_escapes(userinfo)?;
            Some(host)
        }
    }
}

/// Go's `validUserinfo` character set (non-ASCII is rejected).
fn valid_userinfo_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.'
                | b'_'
                | b':'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b'%'
                | b'@'
        )
}

/// Go's `validOptionalPort`: empty, or `:` followed by ASCII digits only.
fn valid_optional_port(port: &str) -> bool {
    port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// Go's `parseHost`: check brackets and port, then unescape in host (and zone) mode.
fn parse_host(host: &str) -> Option<Cow<'_, str>> {
    if host.starts_with('[') {
        let i = memchr::memrchr(b']', host.as_bytes())?;
        if !valid_optional_port(&host[i + 1..]) {
            return None;
        }
        if let Some(zone) = host[..i].find("%25") {
            let mut out = Vec::with_capacity(host.len());
            unescape_into(&host[..zone], Mode::Host, &mut out)?;
            unescape_into(&host[zone..i], Mode::Zone, &mut out)?;
            unescape_into(&host[i..], Mode::Host, &mut out)?;
            return String::from_utf8(out).ok().map(Cow::Owned);
        }
    } else if let Some(i) = memchr::memrchr(b':', host.as_bytes()) {
        if !valid_optional_port(&host[i..]) {
            return None;
        }
    }
    if memchr::memchr(b'%', host.as_bytes()).is_some() {
        let mut out = Vec::with_capacity(host.len());
        unescape_into(host, Mode::Host, &mut out)?;
        String::from_utf8(out).ok().map(Cow::Owned)
    } else {
        // No escape to decode: only the byte check of `unescape_into`, without writing the
        // host out (which allocated for every URL).
        host.bytes()
            .all(|b| b >= 0x80 || !host_should_escape(b))
            .then_some(Cow::Borrowed(host))
    }
}

/// Go's `URL.Hostname` (its `splitHostPort` helper): drop a valid `:port`, then `[ ]`.
fn hostname(host_port: &str) -> &str {
    let mut host = host_port;
    if let Some(colon) = memchr::memrchr(b':', host.as_bytes()) {
        if valid_optional_port(&host[colon..]) {
            host = &host[..colon];
        }
    }
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// Unescape modes that can fail differently in Go's `unescape`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Host,
    Zone,
}

fn hex(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Go's `shouldEscape(c, encodeHost)` (identical for `encodeZone`).
fn host_should_escape(c: u8) -> bool {
    HOST_SHOULD_ESCAPE[usize::from(c)]
}

/// [`host_should_escape`] for every byte, built once: one load instead of a chain of
/// comparisons for every byte of every host.
static HOST_SHOULD_ESCAPE: [bool; 256] = {
    let mut table = [true; 256];
    let mut c = 0;
    while c < 256 {
        #[allow(clippy::cast_possible_truncation)] // c < 256
        let b = c as u8;
        table[c] = !(b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'['
                    | b']'
                    | b'<'
                    | b'>'
                    | b'"'
                    | b'-'
                    | b'_'
                    | b'.'
                    | b'~'
            ));
        c += 1;
    }
    table
};

/// Go's `unescape` in host or zone mode, appending the decoded bytes to `out`.
fn unescape_into(s: &str, mode: Mode, out: &mut Vec<u8>) -> Option<()> {
    let bytes = s.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        let byte = bytes[pos];
        if byte == b'%' {
            let high = hex(*bytes.get(pos + 1)?)?;
            let low = hex(*bytes.get(pos + 2)?)?;
            let is_25 = high == 2 && low == 5;
            let decoded = high << 4 | low;
            match mode {
                Mode::Host if high < 8 && !is_25 => return None,
                Mode::Zone if !is_25 && decoded != b' ' && host_should_escape(decoded) => {
                    return None;
                }
                _ => {}
            }
            out.push(decoded);
            pos += 3;
        } else {
            if byte < 0x80 && host_should_escape(byte) {
                return None;
            }
            out.push(byte);
            pos += 1;
        }
    }
    Some(())
}

/// Go's `unescape` in the non-host modes used by `url.Parse` (path, fragment, userinfo): only
/// checks that every `%` starts a two-hex-digit escape.
fn check_escapes(s: &str) -> Option<()> {
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(i) = memchr::memchr(b'%', &b[from..]) {
        let i = from + i;
        hex(*b.get(i + 1)?)?;
        hex(*b.get(i + 2)?)?;
        from = i + 3;
    }
    Some(())
}

/// Go's `net.SplitHostPort`, returning only the host (`None` where Go returns an error).
pub(crate) fn split_host_port(hostport: &str) -> Option<&str> {
    let i = hostport.rfind(':')?;
    let (host, j, k) = if hostport.starts_with('[') {
        let end = hostport.find(']')?;
        if end + 1 != i {
            // `]` at the very end (missing port), not followed by the last colon, or too many colons.
            return None;
        }
        (&hostport[1..end], 1, end + 1)
    } else {
        let host = &hostport[..i];
        if host.contains(':') {
            return None;
        }
        (host, 0, 0)
    };
    if hostport[j..].contains('[') || hostport[k..].contains(']') {
        return None;
    }
    Some(host)
}

#[cfg(test)]
mod tests {
    use super::{split_host_port, url_hostname};

    #[test]
    fn hostnames() {
        let cases: &[(&str, Option<&str>)] = &[
            ("https://user@Example.com:8080/x", Some("Example.com")),
            (
                "https://user:pa%20ss@example.com/x?y#z",
                Some("example.com"),
            ),
            ("http://[::1]:8080/", Some("::1")),
            ("http://[::1]/", Some("::1")),
            ("http://[fe80::1%25en0]:80/", Some("fe80::1%en0")),
            ("http://1.2.3.4", Some("1.2.3.4")),
            ("//host.example/path", Some("host.example")),
            ("http://a:/", Some("a")),
            ("http://a?b/c", Some("a")),
            ("http://a#b/c", Some("a")),
            ("HTTP://a.b", Some("a.b")),
            ("http://ex%C3%A4mple.com/", Some("exämple.com")),
            ("http://exämple.com/", Some("exämple.com")),
            ("s3://bucket/key", Some("bucket")),
            ("http://", Some("")),
            ("http:///x", Some("")),
            ("example.com/x", None),
            ("example.com", None),
            ("example.com:80", None),
            ("1.2.3.4:80/x", None),
            ("mailto:a@b.c", None),
            ("http:a.b", None),
            ("///x", None),
            (":foo", None),
            ("", None),
            (" http://a", None),
            ("http://a ", None),
            ("http://a\n", None),
            ("http://a/p\ty#f", None),
            // The fragment is cut off before Go looks for control bytes (review s40-h1 F4).
            ("https://example.com/page#sec\ttion", Some("example.com")),
            ("http://a.com#x\ny", Some("a.com")),
            ("http://a.com#x\u{7f}y", Some("a.com")),
            ("http://a:b/", None),
            ("http://[::1/", None),
            ("http://[::1]x/", None),
            ("http://a%2e.com/", None),
            ("http://a%zz/", None),
            ("http://a/%zz", None),
            ("http://a/#%zz", None),
            ("http://us{er@a/", None),
            ("http://a{b/", None),
            ("http://%ff/", None),
        ];
        for &(input, want) in cases {
            assert_eq!(url_hostname(input).as_deref(), want, "{input:?}");
        }
    }

    #[test]
    fn control_bytes_anywhere() {
        // Every position of an 8-byte word and of the tail, with neighbours just outside the
        // control range (0x20, 0x7e, 0x80) that must not trigger.
        for len in 1..20 {
            for at in 0..len {
                for (byte, control) in [
                    (0x00, true),
                    (0x1f, true),
                    (0x7f, true),
                    (0x20, false),
                    (0x7e, false),
                    (0x80, false),
                    (0xff, false),
                ] {
                    let mut b = vec![b'a'; len];
                    b[at] = byte;
                    assert_eq!(super::has_control_byte(&b), control, "{b:?}");
                }
            }
        }
    }

    #[test]
    fn url_borrows_when_possible() {
        assert!(matches!(
            url_hostname("http://a.b/"),
            Some(std::borrow::Cow::Borrowed("a.b"))
        ));
    }

    #[test]
    fn split() {
        let cases: &[(&str, Option<&str>)] = &[
            ("host:80", Some("host")),
            ("1.2.3.4:80", Some("1.2.3.4")),
            ("[::1]:443", Some("::1")),
            ("[::1]:", Some("::1")),
            (":80", Some("")),
            ("host:", Some("host")),
            ("host", None),
            ("::1", None),
            ("[::1]", None),
            ("[::1]x:80", None),
            ("[::1]:80:90", None),
            ("[::1:80", None),
            ("a]:80", None),
            ("[a[b]:80", None),
            ("", None),
        ];
        for &(input, want) in cases {
            assert_eq!(split_host_port(input), want, "{input:?}");
        }
    }
}
