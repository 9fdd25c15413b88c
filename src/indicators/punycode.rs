//! The punycode decoding of domain indicators, as Panther's `decodePunycode` does it
//! (`LP/pantherlog/scanners.go`): a value that starts with `xn--` (lower case, as written)
//! goes through `idna.New().ToUnicode` of golang.org/x/net, a profile without checks: every
//! dot-separated label that starts with `xn--` is decoded (RFC 3492, as x/net's `decode`
//! reads it), the others are kept, and when any label fails to decode the value is kept as
//! it was. So `xn--bcher-kva.example` is `bücher.example`, but `www.xn--bcher-kva.example`
//! and `XN--bcher-kva.example` stay as written, `xn--google-.com` is `google.com` (x/net
//! takes a label that ends with `-` as its basic code points alone), and `xn--` is empty,
//! which is no indicator (review s40-h1 F1: labels anywhere were decoded, and results of
//! ASCII only refused).
//!
//! Hand-written rather than the `idna` crate (checked against idna 1.1.0), which maps the
//! whole name by UTS #46 (lower-casing it, and putting U+FFFD in labels that fail) and
//! brings 28 crates of ICU4X data: the 70 lines of `decode_into`, `digit_value` and `adapt`
//! are x/net's `decode`.
//!
//! Speed is not the concern: a domain indicator that starts with `xn--` is rare.

/// The IDNA ACE prefix, compared as written (x/net's `strings.HasPrefix`).
const ACE_PREFIX: &str = "xn--";

const BASE: u32 = 36;
const T_MIN: u32 = 1;
const T_MAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 128;

/// Most code points a label decodes to: x/net's `decode` fails past 1024 (insertion is
/// quadratic in the length; DNS labels are at most 63 bytes).
const MAX_DECODED: usize = 1024;

/// The domain as Panther's `decodePunycode` gives it: `None` when it is kept as written (it
/// does not start with `xn--`, or a label fails to decode), else the decoded name (which
/// may be empty: `xn--`).
pub(crate) fn domain_to_unicode(domain: &str) -> Option<String> {
    if !domain.starts_with(ACE_PREFIX) {
        return None;
    }
    let mut out = String::with_capacity(domain.len() + 8);
    for (i, label) in domain.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        match label.strip_prefix(ACE_PREFIX) {
            Some(encoded) => decode_into(encoded, &mut out)?,
            None => out.push_str(label),
        }
    }
    Some(out)
}

/// RFC 3492 bias adaptation.
fn adapt(delta: u32, num_points: u32, first_time: bool) -> u32 {
    let mut delta = if first_time { delta / DAMP } else { delta / 2 };
    delta += delta / num_points;
    let mut k = 0;
    while delta > ((BASE - T_MIN) * T_MAX) / 2 {
        delta /= BASE - T_MIN;
        k += BASE;
    }
    k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
}

/// The value of a Punycode digit (`a-z`/`A-Z` = 0..25, `0-9` = 26..35).
fn digit_value(b: u8) -> Option<u32> {
    match b {
        b'a'..=b'z' => Some(u32::from(b - b'a')),
        b'A'..=b'Z' => Some(u32::from(b - b'A')),
        b'0'..=b'9' => Some(u32::from(b - b'0') + 26),
        _ => None,
    }
}

/// Decode one Punycode string (without the ACE prefix) and append it to `out`, as x/net's
/// `decode`: empty is empty; a string that ends with its last `-` is its basic part alone
/// (whatever it holds); the basic part before the last `-` is copied as it is (non-ASCII
/// included), and the digits after it insert code points. A code point of a surrogate is
/// U+FFFD, as Go's conversion of the runes to a string makes it.
///
/// Returns `None` where x/net fails: a last `-` at the start, a bad or missing digit, an
/// overflow, a code point past U+10FFFF, more than [`MAX_DECODED`] code points.
fn decode_into(input: &str, out: &mut String) -> Option<()> {
    let bytes = input.as_bytes();
    let (mut output, mut pos): (Vec<char>, usize) = match bytes.iter().rposition(|&b| b == b'-') {
        Some(0) => return None,
        Some(d) if d + 1 == bytes.len() => {
            out.push_str(&input[..d]);
            return Some(());
        }
        Some(d) => (input[..d].chars().collect(), d + 1),
        None => (Vec::new(), 0),
    };
    let mut code_point = INITIAL_N;
    let mut index: u32 = 0;
    let mut bias = INITIAL_BIAS;
    while pos < bytes.len() {
        let old_index = index;
        let mut weight: u32 = 1;
        let mut k = BASE;
        loop {
            let digit = digit_value(*bytes.get(pos)?)?;
            pos += 1;
            index = add_product(index, digit, weight)?;
            let threshold = if k <= bias {
                T_MIN
            } else if k >= bias + T_MAX {
                T_MAX
            } else {
                k - bias
            };
            if digit < threshold {
                break;
            }
            weight = add_product(0, weight, BASE - threshold)?;
            k += BASE;
        }
        if output.len() >= MAX_DECODED {
            return None;
        }
        let len = u32::try_from(output.len()).ok()? + 1;
        bias = adapt(index - old_index, len, old_index == 0);
        code_point = code_point.checked_add(index / len)?;
        index %= len;
        if code_point > u32::from(char::MAX) {
            return None;
        }
        let c = char::from_u32(code_point).unwrap_or(char::REPLACEMENT_CHARACTER);
        output.insert(usize::try_from(index).ok()?, c);
        index += 1;
    }
    out.extend(output);
    Some(())
}

/// x/net's `madd`: `a + b * c`, failing past `i32::MAX`.
fn add_product(a: u32, b: u32, c: u32) -> Option<u32> {
    let sum = u64::from(a) + u64::from(b) * u64::from(c);
    i32::try_from(sum).ok().and_then(|v| u32::try_from(v).ok())
}

#[cfg(test)]
mod tests {
    use super::{decode_into, domain_to_unicode};

    fn decode(s: &str) -> Option<String> {
        let mut out = String::new();
        decode_into(s, &mut out).map(|()| out)
    }

    #[test]
    fn rfc3492_samples() {
        assert_eq!(decode("bcher-kva").as_deref(), Some("bücher"));
        assert_eq!(decode("mnchen-3ya").as_deref(), Some("münchen"));
        // RFC 3492 7.1 (A) Arabic (Egyptian).
        assert_eq!(
            decode("egbpdaj6bu4bxfgehfvwxn").as_deref(),
            Some("\u{0644}\u{064A}\u{0647}\u{0645}\u{0627}\u{0628}\u{062A}\u{0643}\u{0644}\u{0645}\u{0648}\u{0634}\u{0639}\u{0631}\u{0628}\u{064A}\u{061F}")
        );
        // RFC 3492 7.1 (B) Chinese (simplified).
        assert_eq!(
            decode("ihqwcrb4cv8a8dqg056pqjye").as_deref(),
            Some("\u{4ED6}\u{4EEC}\u{4E3A}\u{4EC0}\u{4E48}\u{4E0D}\u{8BF4}\u{4E2D}\u{6587}")
        );
        // RFC 3492 7.1 (L) mixed basic and non-basic.
        assert_eq!(
            decode("3B-ww4c5e180e575a65lsy2b").as_deref(),
            Some("3\u{5E74}B\u{7D44}\u{91D1}\u{516B}\u{5148}\u{751F}")
        );
        assert_eq!(decode("4ca").as_deref(), Some("ä"));
    }

    /// What x/net's `decode` makes of the strings that are not A-labels (checked with Go
    /// 1.19's x/net, review s40-h1): it decodes them all the same.
    #[test]
    fn as_x_net_decodes() {
        assert_eq!(decode("").as_deref(), Some(""));
        assert_eq!(decode("google-").as_deref(), Some("google"));
        assert_eq!(decode("a-b-").as_deref(), Some("a-b"));
        assert_eq!(decode("ü-kva").as_deref(), Some("üǴ"));
        assert_eq!(decode("-"), None);
        assert_eq!(decode("-abc"), None);
        assert_eq!(decode("bcher-kv!"), None);
        assert_eq!(decode("bcher-kv"), None); // truncated
        assert_eq!(decode("99999999999999"), None); // overflow
        assert_eq!(decode(&"a".repeat(2000)), None); // past 1024 code points
                                                     // A surrogate's code point is U+FFFD, as Go's string of runes makes it.
                                                     // (`bb0c` is the one code point 0xDCC2.)
        assert_eq!(decode("bb0c").as_deref(), Some("\u{FFFD}"));
    }

    #[test]
    fn domains_as_panther_decodes_them() {
        assert_eq!(
            domain_to_unicode("xn--bcher-kva.example").as_deref(),
            Some("bücher.example")
        );
        // Every lower-case `xn--` label, once the value starts with one.
        assert_eq!(
            domain_to_unicode("xn--bcher-kva.xn--mnchen-3ya.de").as_deref(),
            Some("bücher.münchen.de")
        );
        assert_eq!(
            domain_to_unicode("xn--bcher-kva.XN--mnchen-3ya.de").as_deref(),
            Some("bücher.XN--mnchen-3ya.de")
        );
        // A value that does not start with `xn--` is kept, labels further on included.
        assert_eq!(domain_to_unicode("www.xn--bcher-kva.example"), None);
        assert_eq!(domain_to_unicode("XN--bcher-kva.example"), None);
        assert_eq!(domain_to_unicode("Xn--bcher-kva.example"), None);
        assert_eq!(domain_to_unicode("example.com"), None);
        assert_eq!(domain_to_unicode(""), None);
        // Labels of basic code points alone, and empty ones, decode.
        assert_eq!(
            domain_to_unicode("xn--google-.com").as_deref(),
            Some("google.com")
        );
        assert_eq!(
            domain_to_unicode("xn--PayPal-.com").as_deref(),
            Some("PayPal.com")
        );
        assert_eq!(
            domain_to_unicode("xn--ab-.xn--bcher-kva").as_deref(),
            Some("ab.bücher")
        );
        assert_eq!(domain_to_unicode("xn--.com").as_deref(), Some(".com"));
        assert_eq!(domain_to_unicode("xn--").as_deref(), Some(""));
        // A label that fails keeps the whole value.
        assert_eq!(domain_to_unicode("xn--bcher-kv!.com"), None);
        assert_eq!(domain_to_unicode("xn--bcher-kva.xn--bcher-kv"), None);
    }
}
