//! A small RFC 3492 Punycode decoder, used to turn `xn--` labels of domain names into Unicode.
//!
//! Hand-written rather than the `idna` crate, for two reasons (checked against idna 1.1.0):
//!
//! - `idna::domain_to_unicode` applies UTS #46 mapping to the whole name, which changes the
//!   `p_any_domain_names` we emit: `WWW.xn--bcher-kva.Example` becomes `www.bücher.example`
//!   (we keep `WWW.bücher.Example`), `Example.COM` is lower-cased (we leave it alone), and a
//!   label that fails to decode comes back with U+FFFD in it (we keep the original text).
//! - `idna::punycode::decode_to_string` alone gives the same labels as [`decode_into`] (it
//!   accepts an empty label, which we reject), but idna depends on ICU4X's normalizer and
//!   properties with their compiled data: 28 crates that are not in our `Cargo.lock`, about
//!   13 s of CPU to build in release (measured on a 2-core dev box), to replace the 70 lines of
//!   `decode_into`, `digit_value` and `adapt`.
//!
//! Speed is not the reason: a domain indicator with an `xn--` label is rare.

/// The IDNA ACE prefix (compared ASCII case-insensitively, as RFC 3490 requires).
const ACE_PREFIX: &str = "xn--";

const BASE: u32 = 36;
const T_MIN: u32 = 1;
const T_MAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 128;

/// Longest encoded label (after the prefix) that is decoded. Insertion is quadratic in the label
/// length; DNS labels are at most 63 bytes, so this bound only rejects garbage.
const MAX_LABEL_LEN: usize = 1024;

/// Whether `label` starts with the ACE prefix `xn--` (ASCII case-insensitive).
fn has_ace_prefix(label: &str) -> bool {
    label
        .as_bytes()
        .get(..ACE_PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(ACE_PREFIX.as_bytes()))
}

/// Whether some dot-separated label of `domain` starts with `xn--` (ASCII case-insensitive).
///
/// Nearly every domain has none: looking for the `--` with memchr, and at its label only then,
/// is several times cheaper than splitting the name into labels.
fn has_ace_label(domain: &[u8]) -> bool {
    memchr::memchr_iter(b'-', domain).any(|i| {
        i >= 2
            && domain.get(i + 1) == Some(&b'-')
            && (i == 2 || domain[i - 3] == b'.')
            && domain[i - 2..i].eq_ignore_ascii_case(b"xn")
    })
}

/// Decode the `xn--` labels of a dot-separated domain name.
///
/// Returns `None` when no label carries the ACE prefix (nothing to do) or when any such label fails
/// to decode (the caller then keeps the original text).
pub(crate) fn domain_to_unicode(domain: &str) -> Option<String> {
    if !has_ace_label(domain.as_bytes()) {
        return None;
    }
    let mut out = String::with_capacity(domain.len() + 8);
    for (i, label) in domain.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        if has_ace_prefix(label) {
            decode_into(&label[ACE_PREFIX.len()..], &mut out)?;
        } else {
            out.push_str(label);
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

/// Decode one Punycode string (without the ACE prefix) and append it to `out`.
///
/// Returns `None` on any decoding error: non-ASCII input, bad digit, overflow, an invalid or basic
/// decoded code point, an empty result, a result of ASCII only, or an over-long input.
///
/// A result of ASCII only (`google-` gives `google`) is not an A-label: encoding it again
/// would give no `xn--` label (RFC 5891 §5.4), and UTS #46 (since Unicode 15.1) counts it as
/// an error. Decoding it would let `xn--google-.com` pass for `google.com`.
pub(crate) fn decode_into(input: &str, out: &mut String) -> Option<()> {
    if !input.is_ascii() || input.len() > MAX_LABEL_LEN {
        return None;
    }
    let bytes = input.as_bytes();
    let (mut output, mut pos): (Vec<char>, usize) = match bytes.iter().rposition(|&b| b == b'-') {
        Some(d) => (bytes[..d].iter().map(|&b| char::from(b)).collect(), d + 1),
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
            index = index.checked_add(digit.checked_mul(weight)?)?;
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
            weight = weight.checked_mul(BASE - threshold)?;
            k += BASE;
        }
        let len = u32::try_from(output.len()).ok()? + 1;
        bias = adapt(index - old_index, len, old_index == 0);
        code_point = code_point.checked_add(index / len)?;
        index %= len;
        if code_point < INITIAL_N {
            return None;
        }
        output.insert(usize::try_from(index).ok()?, char::from_u32(code_point)?);
        index += 1;
    }
    if output.iter().all(char::is_ascii) {
        return None;
    }
    out.extend(output);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::{decode_into, domain_to_unicode, has_ace_label, has_ace_prefix};

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

    #[test]
    fn rejects() {
        assert_eq!(decode(""), None);
        assert_eq!(decode("-"), None);
        assert_eq!(decode("bcher-kv!"), None);
        assert_eq!(decode("bcher-kv"), None); // truncated
        assert_eq!(decode("ü-kva"), None);
        assert_eq!(decode("99999999999999"), None); // overflow
        assert_eq!(decode(&"a".repeat(2000)), None);
    }

    #[test]
    fn domains() {
        assert_eq!(
            domain_to_unicode("xn--bcher-kva.example").as_deref(),
            Some("bücher.example")
        );
        assert_eq!(
            domain_to_unicode("www.XN--mnchen-3ya.de").as_deref(),
            Some("www.münchen.de")
        );
        assert_eq!(domain_to_unicode("example.com"), None);
        assert_eq!(domain_to_unicode("axn--b.com"), None);
        assert_eq!(domain_to_unicode("xn--.com"), None);
        assert_eq!(domain_to_unicode("xn--bcher-kv!.com"), None);
        // Labels that decode to ASCII only are not A-labels: the text is kept, so that
        // `xn--google-.com` does not pass for `google.com`.
        assert_eq!(domain_to_unicode("xn--google-.com"), None);
        assert_eq!(domain_to_unicode("xn--PayPal-.com"), None);
        assert_eq!(domain_to_unicode("a.xn--bcher-kva.xn--invalid-"), None);
        assert_eq!(domain_to_unicode(""), None);
    }

    #[test]
    fn ace_label_scan_matches_label_split() {
        for domain in [
            "",
            "x",
            "xn",
            "xn-",
            "xn--",
            "XN--a",
            "xN--a.b",
            "a.xn--b",
            "a.Xn--",
            "axn--b",
            "a.bxn--c",
            "xn-a--b",
            "x--n",
            "--",
            ".--",
            "a.--b",
            "xn---",
            "a-xn--b",
            "ü.xn--a",
            "xn.--a",
            "a..xn--",
            "my-site.example",
            "a--b.example",
            "xn-x.xn--",
        ] {
            assert_eq!(
                has_ace_label(domain.as_bytes()),
                domain.split('.').any(has_ace_prefix),
                "{domain:?}"
            );
        }
    }
}
