//! The shapes of generated strings ([`StrKind`]): chosen from a field's indicators or name,
//! and written from the word lists of `text`.

use std::io::Write;

use super::{text, State};
use crate::indicators::IndicatorKind;
use crate::schema::IpVersion;

/// The shape of a generated string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StrKind {
    Ip(IpVersion),
    Cidr(IpVersion),
    Email,
    Domain,
    Url,
    NetAddr,
    Username,
    Hex(usize),
    Arn,
    AccountId,
    InstanceId,
    Tag,
    Uuid,
    Name,
    Sentence,
    UserAgent,
    Word,
}

impl StrKind {
    pub(super) fn for_indicator(k: IndicatorKind) -> StrKind {
        match k {
            IndicatorKind::Ip => StrKind::Ip(IpVersion::Any),
            IndicatorKind::Domain => StrKind::Domain,
            IndicatorKind::Hostname => StrKind::Domain,
            IndicatorKind::Url => StrKind::Url,
            IndicatorKind::NetAddr => StrKind::NetAddr,
            IndicatorKind::Email => StrKind::Email,
            IndicatorKind::Username => StrKind::Username,
            IndicatorKind::TraceId => StrKind::Uuid,
            IndicatorKind::Md5 => StrKind::Hex(32),
            IndicatorKind::Sha1 => StrKind::Hex(40),
            IndicatorKind::Sha256 => StrKind::Hex(64),
            IndicatorKind::AwsArn | IndicatorKind::AwsArnOnly => StrKind::Arn,
            IndicatorKind::AwsAccountId => StrKind::AccountId,
            IndicatorKind::AwsInstanceId => StrKind::InstanceId,
            IndicatorKind::AwsTag => StrKind::Tag,
        }
    }

    pub(super) fn for_name(name: &str) -> StrKind {
        let n = name.to_ascii_lowercase();
        let ends = |s: &str| n.ends_with(s);
        if n.contains("email") || n.contains("operator") {
            StrKind::Email
        } else if n == "ip" || ends("_ip") || n.contains("ip_address") || n.contains("ipaddress") {
            StrKind::Ip(IpVersion::Any)
        } else if n.contains("url") || n.contains("uri") || n.contains("link") {
            StrKind::Url
        } else if n.contains("host") || n.contains("domain") {
            StrKind::Domain
        } else if n.contains("agent") {
            StrKind::UserAgent
        } else if n.contains("user") || n.contains("login") || n.contains("actor") {
            StrKind::Username
        } else if n == "id" || ends("_id") || ends("id") || n.contains("uuid") {
            StrKind::Uuid
        } else if n.contains("name") || n.contains("label") {
            StrKind::Name
        } else if n.contains("desc")
            || n.contains("message")
            || n.contains("detail")
            || n.contains("reason")
            || n.contains("summary")
        {
            StrKind::Sentence
        } else {
            StrKind::Word
        }
    }

    pub(super) fn write(self, rng: &mut State, out: &mut Vec<u8>) {
        match self {
            StrKind::Ip(v) => text::ip(rng, out, v),
            StrKind::Cidr(v) => {
                let start = out.len();
                text::ip(rng, out, v);
                let bits = if out[start..].contains(&b':') { 64 } else { 24 };
                let _ = write!(out, "/{bits}");
            }
            StrKind::Email => text::email(rng, out),
            StrKind::Domain => out.extend_from_slice(rng.pick(text::DOMAINS).as_bytes()),
            StrKind::Url => {
                out.extend_from_slice(b"https://");
                out.extend_from_slice(rng.pick(text::DOMAINS).as_bytes());
                out.push(b'/');
                out.extend_from_slice(rng.pick(text::WORDS).as_bytes());
                let _ = write!(out, "/{}", rng.below(100_000));
            }
            StrKind::NetAddr => {
                text::ip(rng, out, IpVersion::Ipv4);
                let _ = write!(out, ":{}", 1024 + rng.below(60_000));
            }
            StrKind::Username => text::username(rng, out),
            StrKind::Hex(n) => text::hex(rng, out, n),
            StrKind::Arn => {
                let _ = write!(
                    out,
                    "arn:aws:iam::{:012}:role/{}",
                    rng.below(1_000_000_000_000),
                    rng.pick(text::WORDS)
                );
            }
            StrKind::AccountId => {
                let _ = write!(out, "{:012}", rng.below(1_000_000_000_000));
            }
            StrKind::InstanceId => {
                out.extend_from_slice(b"i-");
                text::hex(rng, out, 17);
            }
            StrKind::Tag => {
                let _ = write!(out, "team:{}", rng.pick(text::WORDS));
            }
            StrKind::Uuid => text::uuid(rng, out),
            StrKind::Name => out.extend_from_slice(rng.pick(text::NAMES).as_bytes()),
            StrKind::Sentence => text::sentence(rng, out),
            StrKind::UserAgent => out.extend_from_slice(rng.pick(text::USER_AGENTS).as_bytes()),
            StrKind::Word => out.extend_from_slice(rng.pick(text::WORDS).as_bytes()),
        }
    }
}
