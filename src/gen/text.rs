//! Word lists and small text shapes for generated values.

use std::io::Write as _;

use super::State;
use crate::schema::IpVersion;

pub(super) const WORDS: &[&str] = &[
    "alpha",
    "billing",
    "support",
    "engineering",
    "sales",
    "finance",
    "legal",
    "security",
    "marketing",
    "ops",
    "platform",
    "mobile",
    "payments",
    "search",
    "identity",
    "analytics",
    "onboarding",
    "export",
    "import",
    "webhook",
    "reports",
    "archive",
    "staging",
    "production",
];

/// People's names, some with non-ASCII letters.
pub(super) const NAMES: &[&str] = &[
    "Bob Cat",
    "Alice Nguyen",
    "José Álvarez",
    "Zoë Ødegaard",
    "Łukasz Żółkowski",
    "Chloé Dubois",
    "Søren Kierkegaard",
    "Ana María Pérez",
    "Jürgen Müller",
    "Dmitri Ivanov",
    "李雷",
    "山田 太郎",
    "Fatima Al-Sayed",
    "Priya Raman",
    "Olúwadámilọ́lá Adé",
    "Mary O'Brien",
    "Homer Simpson",
    "Sam \"Sammy\" Smith",
];

pub(super) const FIRST: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
    "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "homer", "marge",
    "jose", "zoe", "lukasz", "priya", "fatima",
];

pub(super) const LAST: &[&str] = &[
    "smith", "nguyen", "alvarez", "odegaard", "muller", "dubois", "ivanov", "raman", "obrien",
    "simpson", "tanaka", "garcia", "kim", "schmidt", "rossi", "silva",
];

pub(super) const DOMAINS: &[&str] = &[
    "example.com",
    "example.io",
    "acme-corp.com",
    "duff.io",
    "springfield.gov",
    "mail.example.co.uk",
    "contoso.onmicrosoft.com",
    "initech.net",
    "globex.example",
    "xn--bcher-kva.example",
];

pub(super) const USER_AGENTS: &[&str] = &[
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Zendesk/2.14 (iPhone; iOS 17.2; Scale/3.00)",
    "curl/8.5.0",
    "python-requests/2.31.0",
];

/// An IPv4 (or, for `Any`, about 20% IPv6) address.
pub(super) fn ip(rng: &mut State, out: &mut Vec<u8>, v: IpVersion) {
    let six = match v {
        IpVersion::Ipv4 => false,
        IpVersion::Ipv6 => true,
        IpVersion::Any => rng.chance(0.2),
    };
    if six {
        let _ = write!(
            out,
            "2001:db8:{:x}:{:x}::{:x}",
            rng.below(0x1_0000),
            rng.below(0x1_0000),
            1 + rng.below(0xffff)
        );
    } else {
        let first = [10, 172, 192, 198, 203, 34, 52, 81, 104, 185][rng.below(10)];
        let _ = write!(
            out,
            "{first}.{}.{}.{}",
            rng.below(256),
            rng.below(256),
            1 + rng.below(254)
        );
    }
}

/// `first.last@domain`, sometimes with a plus tag or digits.
pub(super) fn email(rng: &mut State, out: &mut Vec<u8>) {
    out.extend_from_slice(rng.pick(FIRST).as_bytes());
    out.push(b'.');
    out.extend_from_slice(rng.pick(LAST).as_bytes());
    match rng.below(10) {
        0 => {
            let _ = write!(out, "+{}", rng.pick(WORDS));
        }
        1 => {
            let _ = write!(out, "{}", rng.below(100));
        }
        _ => {}
    }
    out.push(b'@');
    out.extend_from_slice(rng.pick(DOMAINS).as_bytes());
}

pub(super) fn username(rng: &mut State, out: &mut Vec<u8>) {
    out.extend_from_slice(rng.pick(FIRST).as_bytes());
    out.push(b'_');
    out.extend_from_slice(rng.pick(LAST).as_bytes());
}

pub(super) fn hex(rng: &mut State, out: &mut Vec<u8>, n: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut bits = 0u64;
    for i in 0..n {
        if i % 16 == 0 {
            bits = rng.next_u64();
        }
        out.push(HEX[(bits & 0xf) as usize]);
        bits >>= 4;
    }
}

pub(super) fn uuid(rng: &mut State, out: &mut Vec<u8>) {
    for (i, n) in [8, 4, 4, 4, 12].into_iter().enumerate() {
        if i > 0 {
            out.push(b'-');
        }
        hex(rng, out, n);
    }
}

/// A short sentence, sometimes with quotes and non-ASCII text (JSON-safe only after
/// escaping: the caller escapes).
pub(super) fn sentence(rng: &mut State, out: &mut Vec<u8>) {
    let _ = write!(
        out,
        "{} {} for {} — {}",
        rng.pick(&["Updated", "Created", "Removed", "Exported", "Renamed"]),
        rng.pick(WORDS),
        rng.pick(NAMES).replace('"', "'"),
        rng.pick(WORDS)
    );
}
