//! The schema's indicator vocabulary: [`IndicatorKind`] (a scanner name in a schema's
//! `indicators:` list, with its serde and JSON Schema forms) and [`Column`] (a `p_any_*`
//! output column), and which columns each scanner fills.

/// An indicator scanner name as written in a schema's `indicators:` list.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IndicatorKind {
    /// `ip`: the trimmed value if it is an IPv4 or IPv6 address (Go `net.ParseIP`).
    Ip,
    /// `domain`: the trimmed value, with `xn--` labels decoded from Punycode.
    Domain,
    /// `hostname`: an IP address goes to the IP column, anything else is scanned as `domain`.
    Hostname,
    /// `url`: the host of a URL with an authority (`scheme://host`, `//host`), scanned as `hostname`.
    Url,
    /// `net_addr`: the host of `host:port` / `[v6]:port` (or the whole value), scanned as `hostname`.
    NetAddr,
    /// `email`: the trimmed value if it contains `@`.
    Email,
    /// `username`: the trimmed value.
    Username,
    /// `trace_id`: the trimmed value.
    TraceId,
    /// `md5`: 32 hex digits after trimming, lower-cased.
    Md5,
    /// `sha1`: 40 hex digits after trimming, lower-cased.
    Sha1,
    /// `sha256`: 64 hex digits after trimming, lower-cased.
    Sha256,
    /// `aws_arn`: a valid ARN, plus its account id and EC2 instance id when present.
    AwsArn,
    /// `aws_arn_only`: a valid ARN, nothing else.
    AwsArnOnly,
    /// `aws_account_id`: exactly 12 ASCII digits (not trimmed).
    AwsAccountId,
    /// `aws_instance_id`: a value starting with `i-` (not trimmed).
    AwsInstanceId,
    /// `aws_tag`: any non-empty value, as is.
    AwsTag,
}

impl IndicatorKind {
    /// Every scanner, in declaration order.
    pub const ALL: [IndicatorKind; 16] = [
        Self::Ip,
        Self::Domain,
        Self::Hostname,
        Self::Url,
        Self::NetAddr,
        Self::Email,
        Self::Username,
        Self::TraceId,
        Self::Md5,
        Self::Sha1,
        Self::Sha256,
        Self::AwsArn,
        Self::AwsArnOnly,
        Self::AwsAccountId,
        Self::AwsInstanceId,
        Self::AwsTag,
    ];

    /// The scanner's name in a schema (`"ip"`, `"net_addr"`, ...), identical to its serde name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Ip => "ip",
            Self::Domain => "domain",
            Self::Hostname => "hostname",
            Self::Url => "url",
            Self::NetAddr => "net_addr",
            Self::Email => "email",
            Self::Username => "username",
            Self::TraceId => "trace_id",
            Self::Md5 => "md5",
            Self::Sha1 => "sha1",
            Self::Sha256 => "sha256",
            Self::AwsArn => "aws_arn",
            Self::AwsArnOnly => "aws_arn_only",
            Self::AwsAccountId => "aws_account_id",
            Self::AwsInstanceId => "aws_instance_id",
            Self::AwsTag => "aws_tag",
        }
    }

    /// The scanner with this exact (case-sensitive) name, if any.
    #[must_use]
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == s)
    }

    /// The output columns this scanner can write, in [`Column`] (`FieldID`) order
    /// (e.g. `Hostname` -> `[IpAddresses, DomainNames]`;
    /// `AwsArn` -> `[AwsAccountIds, AwsInstanceIds, AwsArns]`).
    #[must_use]
    pub fn columns(self) -> &'static [Column] {
        match self {
            Self::Ip => &[Column::IpAddresses],
            Self::Domain => &[Column::DomainNames],
            Self::Hostname | Self::Url | Self::NetAddr => {
                &[Column::IpAddresses, Column::DomainNames]
            }
            Self::Email => &[Column::Emails],
            Self::Username => &[Column::Usernames],
            Self::TraceId => &[Column::TraceIds],
            Self::Md5 => &[Column::Md5Hashes],
            Self::Sha1 => &[Column::Sha1Hashes],
            Self::Sha256 => &[Column::Sha256Hashes],
            Self::AwsArn => &[
                Column::AwsAccountIds,
                Column::AwsInstanceIds,
                Column::AwsArns,
            ],
            Self::AwsArnOnly => &[Column::AwsArns],
            Self::AwsAccountId => &[Column::AwsAccountIds],
            Self::AwsInstanceId => &[Column::AwsInstanceIds],
            Self::AwsTag => &[Column::AwsTags],
        }
    }
}

/// A `p_any_*` output column, in Panther's `FieldID` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Column {
    /// `p_any_ip_addresses`
    IpAddresses,
    /// `p_any_domain_names`
    DomainNames,
    /// `p_any_md5_hashes`
    Md5Hashes,
    /// `p_any_sha1_hashes`
    Sha1Hashes,
    /// `p_any_sha256_hashes`
    Sha256Hashes,
    /// `p_any_trace_ids`
    TraceIds,
    /// `p_any_aws_account_ids`
    AwsAccountIds,
    /// `p_any_aws_instance_ids`
    AwsInstanceIds,
    /// `p_any_aws_arns`
    AwsArns,
    /// `p_any_aws_tags`
    AwsTags,
    /// `p_any_emails`
    Emails,
    /// `p_any_usernames`
    Usernames,
}

impl Column {
    /// Every column, in `FieldID` order (`ALL[c.index()] == c`). Panther adds columns now
    /// and then (`p_any_actor_ids`): the enum is non-exhaustive, and this array grows with
    /// it.
    pub const ALL: [Column; 12] = [
        Self::IpAddresses,
        Self::DomainNames,
        Self::Md5Hashes,
        Self::Sha1Hashes,
        Self::Sha256Hashes,
        Self::TraceIds,
        Self::AwsAccountIds,
        Self::AwsInstanceIds,
        Self::AwsArns,
        Self::AwsTags,
        Self::Emails,
        Self::Usernames,
    ];

    /// The number of columns.
    pub const COUNT: usize = 12;

    /// The output field name, e.g. `"p_any_ip_addresses"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::IpAddresses => "p_any_ip_addresses",
            Self::DomainNames => "p_any_domain_names",
            Self::Md5Hashes => "p_any_md5_hashes",
            Self::Sha1Hashes => "p_any_sha1_hashes",
            Self::Sha256Hashes => "p_any_sha256_hashes",
            Self::TraceIds => "p_any_trace_ids",
            Self::AwsAccountIds => "p_any_aws_account_ids",
            Self::AwsInstanceIds => "p_any_aws_instance_ids",
            Self::AwsArns => "p_any_aws_arns",
            Self::AwsTags => "p_any_aws_tags",
            Self::Emails => "p_any_emails",
            Self::Usernames => "p_any_usernames",
        }
    }

    /// The position of this column in [`Column::ALL`] (`FieldID` - 1).
    #[must_use]
    pub fn index(self) -> usize {
        self as usize
    }
}
