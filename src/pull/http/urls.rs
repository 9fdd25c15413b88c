//! The URLs of `pull`: which base URLs may carry credentials, the API path a base must not
//! repeat, and the encodings of query components and of the Basic header.

use super::PullError;

/// Refuse a base URL that would send credentials in clear text: `https://` anywhere,
/// `http://` only to a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`).
///
/// # Errors
///
/// [`PullError::Config`] for another scheme, or `http://` to another host.
pub fn check_base_url(url: &str) -> Result<(), PullError> {
    let https = url.strip_prefix("https://").filter(|rest| !rest.is_empty());
    let Some(rest) = https.or_else(|| url.strip_prefix("http://")) else {
        return Err(PullError::Config(format!(
            "{}: not an http(s) URL (e.g. https://acme.zendesk.com)",
            shown(url)
        )));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // Refused rather than printed in every message (review s41-h2 LOW-3): the client sends
    // no credentials from a URL, only those of the flags.
    if authority.contains('@') {
        return Err(PullError::Config(format!(
            "{}: a base URL carries no user name or password (`user:password@`): they are not \
             sent from it, and messages would print them; give the credentials with their flags",
            shown(url)
        )));
    }
    // What the HTTP client cannot parse is a mistake in the flag, not a network error to
    // retry (review s41-h2 LOW-2).
    if let Err(e) = url.parse::<ureq::http::Uri>() {
        return Err(PullError::Config(format!(
            "{}: not a valid URL ({e})",
            shown(url)
        )));
    }
    if https.is_some() {
        return Ok(());
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if loopback {
        Ok(())
    } else {
        Err(PullError::Config(format!(
            "{url}: http:// is allowed for loopback hosts only (credentials would travel in \
             clear text); use https://"
        )))
    }
}

/// Refuse a base URL (given with `flag`) whose path ends with `prefix`, the API path the
/// pull appends itself (`/v2` for Zoom, `/api/v2` for Zendesk): the requests would go to
/// `…/v2/v2/…` and fail with a 404 that says little. `example` is a base that works.
///
/// # Errors
///
/// [`PullError::Config`] naming the flag, with the fix.
pub fn refuse_api_path(
    flag: &str,
    url: &str,
    prefix: &str,
    example: &str,
) -> Result<(), PullError> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.split(['?', '#']).next().unwrap_or_default();
    let path = path
        .find('/')
        .map_or("", |i| &path[i..])
        .trim_end_matches('/');
    if path.ends_with(prefix) {
        return Err(PullError::Config(format!(
            "{flag} {url}: give the base without {prefix} (e.g. {example}): the pull appends \
             {prefix}… itself, and would request …{prefix}{prefix}…"
        )));
    }
    Ok(())
}

/// `url` without its query (for messages: the query of a page request is long, and what
/// went wrong is in the scheme, host and path).
#[must_use]
pub(crate) fn without_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// Everything but RFC 3986's unreserved characters (letters, digits, `-._~`).
const QUERY_COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encode a query component (everything but unreserved characters).
pub(crate) fn pct(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, QUERY_COMPONENT).to_string()
}

/// Standard base64, padded (for the Basic header).
pub(crate) fn base64(input: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(input)
}

/// A redirect's `Location` for a message: without its query, without the credentials of
/// its authority (`user:password@`), and at most 200 bytes.
pub(super) fn shown(location: &str) -> String {
    let url = without_query(location);
    let url = match authority_at(url) {
        Some(at) => {
            let rest = &url[at..];
            let end = rest.find('/').unwrap_or(rest.len());
            let host = rest[..end].rsplit('@').next().unwrap_or_default();
            format!("{}{host}{}", &url[..at], &rest[end..])
        }
        None => url.to_owned(),
    };
    let mut end = url.len().min(200);
    while !url.is_char_boundary(end) {
        end -= 1;
    }
    if end < url.len() {
        format!("{}...", &url[..end])
    } else {
        url
    }
}

/// Whether a `Location` names a host: an absolute URL (`https://host/…`) or a network-path
/// reference (`//host/…`), not a path on the same host.
pub(super) fn names_a_host(location: &str) -> bool {
    authority_at(without_query(location)).is_some()
}

/// Where the authority (`user@host:port`) of `url` (without its query) starts: after
/// `scheme://` (a scheme of letters, digits, `+`, `-` and `.`), or after a leading `//`.
fn authority_at(url: &str) -> Option<usize> {
    if url.starts_with("//") {
        return Some(2);
    }
    let (scheme, _) = url.split_once("://")?;
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    is_scheme.then_some(scheme.len() + 3)
}

/// Whether `no_proxy` (the value of `NO_PROXY`) names the host of `url` as curl, Go and
/// Python read it: a name covers the host itself and its subdomains (`zendesk.com`,
/// `.zendesk.com` and `*.zendesk.com` all cover `acme.zendesk.com`), `*` every host, an IP
/// address that address and a CIDR range (`10.0.0.0/8`) its addresses; a port after an
/// entry is not compared. The HTTP client matches only the host itself or a `.domain`
/// entry, so `NO_PROXY=zendesk.com,zoom.us`, as corporate set-ups write it, still sent the
/// pull through the proxy (review s45-h4 LOW-4).
pub(crate) fn no_proxy_covers(url: &str, no_proxy: &str) -> bool {
    let Some(rest) = url.split_once("://").map(|(_, r)| r) else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    }
    .to_ascii_lowercase();
    let ip = host.parse::<std::net::IpAddr>().ok();
    no_proxy.split(',').any(|entry| {
        let entry = entry.trim();
        let entry = match entry.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None if entry.matches(':').count() == 1 => entry.split(':').next().unwrap_or(entry),
            None => entry,
        };
        if entry == "*" {
            return true;
        }
        if let Some(ip) = ip {
            // An address is covered by itself or a range, never by a name's suffix.
            return in_range(ip, entry);
        }
        let domain = entry
            .trim_start_matches("*.")
            .trim_start_matches('.')
            .to_ascii_lowercase();
        !domain.is_empty()
            && (host == domain
                || host
                    .strip_suffix(domain.as_str())
                    .is_some_and(|sub| sub.ends_with('.')))
    })
}

/// Whether `ip` is the address `entry` or in its CIDR range (`10.0.0.0/8`, `fd00::/8`).
fn in_range(ip: std::net::IpAddr, entry: &str) -> bool {
    use std::net::IpAddr;
    let (addr, bits) = match entry.split_once('/') {
        Some((a, b)) => (a, b.parse::<u32>().ok()),
        None => (entry, None),
    };
    let Ok(net) = addr.parse::<IpAddr>() else {
        return false;
    };
    let (ip, net, width) = match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u128::from(a.to_bits()), u128::from(b.to_bits()), 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (a.to_bits(), b.to_bits(), 128),
        _ => return false,
    };
    let bits = bits.unwrap_or(width);
    if bits > width {
        return false;
    }
    let shift = width - bits;
    shift >= 128 || (ip >> shift) == (net >> shift)
}

#[cfg(test)]
mod no_proxy_tests {
    use super::no_proxy_covers;

    #[test]
    fn entries_cover_their_hosts_and_subdomains() {
        let url = "https://acme.zendesk.com/api/v2/audit_logs?x=1";
        for covers in [
            "zendesk.com",
            ".zendesk.com",
            "acme.zendesk.com",
            " zoom.us , ZENDESK.com ",
            "*",
            "zendesk.com:443",
        ] {
            assert!(no_proxy_covers(url, covers), "{covers}");
        }
        for not in [
            "",
            "desk.com",
            "acme.zendesk.co",
            "other.zendesk.com",
            "zoom.us",
            ",",
        ] {
            assert!(!no_proxy_covers(url, not), "{not}");
        }
        assert!(no_proxy_covers(url, "*.zendesk.com"));
        assert!(no_proxy_covers("https://[::1]:8443/x", "::1"));
        assert!(no_proxy_covers("https://[::1]:8443/x", "[::1]"));
        assert!(no_proxy_covers("https://[fd00::5]/x", "fd00::/8"));
        assert!(no_proxy_covers("https://10.1.2.3/x", "10.0.0.0/8"));
        assert!(no_proxy_covers("https://10.1.2.3:443/x", "10.1.2.3"));
        // An address is not a name: no suffix match.
        assert!(!no_proxy_covers("https://10.1.2.3/x", "2.3"));
        assert!(!no_proxy_covers("https://10.1.2.3/x", "11.0.0.0/8"));
        assert!(!no_proxy_covers("https://10.1.2.3/x", "10.0.0.0/40"));
        assert!(!no_proxy_covers("https://api.zoom.us/v2", "zendesk.com"));
    }
}
