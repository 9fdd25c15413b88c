//! Indicator scanners and the `p_any_*` columns they fill.
//!
//! The scanners reproduce the open-source Panther log processor (`pantherlog/scanners.go`,
//! `scanners_aws.go`): every scanner runs on a decoded field value and appends what it extracts to
//! one or more [`Column`]s of an [`Indicators`] buffer. [`Indicators::finish`] then sorts each
//! column byte-wise (Go `sort.Strings`) and removes duplicates. Empty values are never stored.
//!
//! Trimming is Go's `strings.TrimSpace`, i.e. Unicode `White_Space`, which is what
//! [`str::trim`] removes.

mod arn;
mod ip;
mod punycode;
mod url;

use std::borrow::Cow;

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
    /// Every column, in `FieldID` order (`ALL[c.index()] == c`).
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

/// `FROM_COLUMN[c][i]` is all ones when `i >= c`, else zero: the columns whose end a value
/// of column `c` moves (see [`Indicators::finish`]).
const FROM_COLUMN: [[u32; Column::COUNT]; Column::COUNT] = {
    let mut a = [[0; Column::COUNT]; Column::COUNT];
    let mut c = 0;
    while c < Column::COUNT {
        let mut i = c;
        while i < Column::COUNT {
            a[c][i] = u32::MAX;
            i += 1;
        }
        c += 1;
    }
    a
};

/// Indicator values collected for one event. Values borrow from the event's input when possible
/// (`Cow::Owned` only when the value must be transformed: a lower-cased hash with upper-case
/// letters, a punycode-decoded domain, a percent-decoded URL host).
///
/// Scanners append to one list of values, with their columns alongside; [`Indicators::finish`]
/// sorts both in place into one run of values per column. One list instead of twelve: an
/// event holds a few indicators, and the buffers are handed between the normalizer and each
/// event for every record (only `values` borrows, so only it changes lifetime then).
#[derive(Debug, Default)]
pub struct Indicators<'a> {
    /// As scanned; after `finish`, sorted by column then byte-wise, and unique.
    values: Vec<Cow<'a, str>>,
    /// The column of each value.
    columns: Vec<Column>,
    /// After `finish`: column `c` is `values[ends[c - 1]..ends[c]]` (`0..ends[0]` for the first);
    /// all zero (every column empty) before.
    ends: [u32; Column::COUNT],
}

/// `str::trim` (Unicode `White_Space`), with a fast path for values that start and end with
/// a visible ASCII character, as nearly all do.
#[inline]
fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Trim a possibly owned string without re-allocating when nothing is trimmed.
fn trim_cow(s: Cow<'_, str>) -> Cow<'_, str> {
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(b.trim()),
        Cow::Owned(o) => {
            let t = o.trim();
            if t.len() == o.len() {
                Cow::Owned(o)
            } else {
                Cow::Owned(t.to_owned())
            }
        }
    }
}

impl<'a> Indicators<'a> {
    /// An empty buffer (no allocation).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Run one scanner on one value (the decoded field value) and add what it extracts.
    pub fn scan(&mut self, kind: IndicatorKind, value: &'a str) {
        match kind {
            IndicatorKind::Ip => {
                let v = trim(value);
                if ip::is_ip(v) {
                    self.push(Column::IpAddresses, Cow::Borrowed(v));
                }
            }
            IndicatorKind::Domain => self.push_domain(Cow::Borrowed(value)),
            IndicatorKind::Hostname => self.push_host(Cow::Borrowed(value)),
            IndicatorKind::Url => {
                if let Some(host) = url::url_hostname(value) {
                    self.push_host(host);
                }
            }
            IndicatorKind::NetAddr => {
                let v = value.trim();
                let host = url::split_host_port(v).unwrap_or(v);
                self.push_host(Cow::Borrowed(host));
            }
            IndicatorKind::Email => {
                let v = trim(value);
                // memchr's vectorized search; `<[u8]>::contains` measured 43 more instructions
                // per record on the shipped mixed data.
                if memchr::memchr(b'@', v.as_bytes()).is_some() {
                    self.push(Column::Emails, Cow::Borrowed(v));
                }
            }
            IndicatorKind::Username => self.push(Column::Usernames, Cow::Borrowed(value.trim())),
            IndicatorKind::TraceId => self.push(Column::TraceIds, Cow::Borrowed(value.trim())),
            IndicatorKind::Md5 => self.push_hash(Column::Md5Hashes, value, 32),
            IndicatorKind::Sha1 => self.push_hash(Column::Sha1Hashes, value, 40),
            IndicatorKind::Sha256 => self.push_hash(Column::Sha256Hashes, value, 64),
            IndicatorKind::AwsArn | IndicatorKind::AwsArnOnly => {
                let Some(parsed) = arn::parse(value) else {
                    return;
                };
                self.push(Column::AwsArns, Cow::Borrowed(value));
                if kind == IndicatorKind::AwsArn {
                    if arn::is_account_id(parsed.account_id) {
                        self.push(Column::AwsAccountIds, Cow::Borrowed(parsed.account_id));
                    }
                    if let Some(id) = arn::instance_id(parsed.resource) {
                        self.push(Column::AwsInstanceIds, Cow::Borrowed(id));
                    }
                }
            }
            IndicatorKind::AwsAccountId => {
                if arn::is_account_id(value) {
                    self.push(Column::AwsAccountIds, Cow::Borrowed(value));
                }
            }
            IndicatorKind::AwsInstanceId => {
                if value.starts_with("i-") {
                    self.push(Column::AwsInstanceIds, Cow::Borrowed(value));
                }
            }
            IndicatorKind::AwsTag => self.push(Column::AwsTags, Cow::Borrowed(value)),
        }
    }

    /// Append a value unless it is empty.
    #[inline]
    fn push(&mut self, c: Column, v: Cow<'a, str>) {
        if !v.is_empty() {
            self.values.push(v);
            self.columns.push(c);
        }
    }

    /// Hostname logic: an IP address goes to the IP column, anything else to the domain column.
    fn push_host(&mut self, host: Cow<'a, str>) {
        let host = trim_cow(host);
        if ip::is_ip(&host) {
            self.push(Column::IpAddresses, host);
        } else {
            self.push_domain(host);
        }
    }

    /// Domain logic: trim, then decode `xn--` labels (keeping the text if decoding fails).
    fn push_domain(&mut self, domain: Cow<'a, str>) {
        let domain = trim_cow(domain);
        match punycode::domain_to_unicode(&domain) {
            Some(decoded) => self.push(Column::DomainNames, Cow::Owned(decoded)),
            None => self.push(Column::DomainNames, domain),
        }
    }

    /// Hash logic: trim, exactly `len` hex digits, lower-cased.
    fn push_hash(&mut self, c: Column, value: &'a str, len: usize) {
        let v = value.trim();
        if v.len() != len || !v.bytes().all(|b| b.is_ascii_hexdigit()) {
            return;
        }
        if v.bytes().any(|b| b.is_ascii_uppercase()) {
            self.push(c, Cow::Owned(v.to_ascii_lowercase()));
        } else {
            self.push(c, Cow::Borrowed(v));
        }
    }

    /// Sort byte-wise and deduplicate every column. Call after all scans; the columns read
    /// empty until then.
    pub fn finish(&mut self) {
        if self.values.len() > 1 {
            self.sort_dedup();
        }
        // Column `i` ends after the values of every column up to `i`: each run of a column
        // (the list is sorted) adds its length to the ends from its own on, through a mask.
        // A record uses one or two columns; a running total over all twelve cost more, and a
        // conditional store or `fill` from the column was not vectorized.
        let mut ends = [0u32; Column::COUNT];
        let mut start = 0;
        while let Some(&c) = self.columns.get(start) {
            let mut end = start + 1;
            while self.columns.get(end) == Some(&c) {
                end += 1;
            }
            #[allow(clippy::cast_possible_truncation)] // a record holds far fewer values
            let n = (end - start) as u32;
            start = end;
            for (e, &m) in ends.iter_mut().zip(&FROM_COLUMN[c.index()]) {
                *e += n & m;
            }
        }
        self.ends = ends;
    }

    /// Sort and deduplicate (out of line: most records have at most one value, and `finish`
    /// stays small without it).
    #[inline(never)]
    fn sort_dedup(&mut self) {
        if self.values.len() == 2 {
            // The usual case (two values, often of two columns): one comparison decides both.
            match self.cmp(0, 1) {
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Greater => self.swap(0, 1),
                std::cmp::Ordering::Equal => {
                    self.values.truncate(1);
                    self.columns.truncate(1);
                }
            }
            return;
        }
        self.sort();
        self.dedup();
    }

    /// The order of values `i` and `j`: column first (`FieldID` order), then Go's byte-wise
    /// string order.
    fn cmp(&self, i: usize, j: usize) -> std::cmp::Ordering {
        self.columns[i]
            .cmp(&self.columns[j])
            .then_with(|| self.values[i].as_bytes().cmp(self.values[j].as_bytes()))
    }

    fn swap(&mut self, i: usize, j: usize) {
        self.values.swap(i, j);
        self.columns.swap(i, j);
    }

    /// Sort `values` and `columns` together.
    fn sort(&mut self) {
        let n = self.values.len();
        if n <= 16 {
            // Insertion sort: an event holds a handful of indicators.
            for i in 1..n {
                let mut j = i;
                while j > 0 && self.cmp(j - 1, j).is_gt() {
                    self.swap(j - 1, j);
                    j -= 1;
                }
            }
            return;
        }
        // Heapsort, in place on both lists: no scratch buffer to keep in every `Indicators`
        // (the struct is moved and dropped for every record).
        for root in (0..n / 2).rev() {
            self.sift_down(root, n);
        }
        for end in (1..n).rev() {
            self.swap(0, end);
            self.sift_down(0, end);
        }
    }

    /// Restore the max-heap property below `root` within `0..end`.
    fn sift_down(&mut self, mut root: usize, end: usize) {
        loop {
            let mut child = 2 * root + 1;
            if child >= end {
                return;
            }
            if child + 1 < end && self.cmp(child, child + 1).is_lt() {
                child += 1;
            }
            if self.cmp(root, child).is_ge() {
                return;
            }
            self.swap(root, child);
            root = child;
        }
    }

    /// Drop repeated values of a column (the list is sorted).
    fn dedup(&mut self) {
        let mut kept = 1;
        for i in 1..self.values.len() {
            if self.cmp(kept - 1, i).is_ne() {
                if kept != i {
                    self.swap(kept, i);
                }
                kept += 1;
            }
        }
        self.values.truncate(kept);
        self.columns.truncate(kept);
    }

    /// The values of one column, sorted and unique (empty before [`Indicators::finish`]).
    #[must_use]
    pub fn column(&self, c: Column) -> &[Cow<'a, str>] {
        let i = c.index();
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.values[start as usize..self.ends[i] as usize]
    }

    /// Whether no column holds a value.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Clear all columns and hand back the same allocations with a new lifetime, so one
    /// `Indicators` can be reused for every record without allocating.
    #[must_use]
    pub fn recycle<'b>(self) -> Indicators<'b> {
        let mut columns = self.columns;
        columns.clear();
        Indicators {
            values: empty(self.values),
            columns,
            ends: [0; Column::COUNT],
        }
    }
}

/// An emptied vector with another element lifetime, in the same allocation: `T` and `U`
/// differ only by lifetime, so collecting the emptied `vec::IntoIter` is done in place.
#[inline]
fn empty<T, U>(mut values: Vec<T>) -> Vec<U> {
    if values.capacity() == 0 {
        return Vec::new();
    }
    values.clear();
    values.into_iter().map_while(|_| None).collect()
}

#[cfg(test)]
mod tests {
    use super::{Column, IndicatorKind, Indicators};
    use std::borrow::Cow;

    /// One line per case: `(Kind, input) => [Column: [values...], ...]`; every column not listed
    /// must be empty. `=> []` means nothing is extracted.
    macro_rules! cases {
        ($( ($kind:ident, $input:expr) => [ $( $col:ident : [ $($v:expr),* $(,)? ] ),* $(,)? ] ;)*) => {
            vec![ $( (
                IndicatorKind::$kind,
                $input,
                vec![ $( (Column::$col, vec![ $($v),* ]) ),* ],
            ) ),* ]
        };
    }

    type Case = (
        IndicatorKind,
        &'static str,
        Vec<(Column, Vec<&'static str>)>,
    );

    fn run(cases: Vec<Case>) {
        for (kind, input, expected) in cases {
            let mut ind = Indicators::new();
            ind.scan(kind, input);
            ind.finish();
            for c in Column::ALL {
                let want: Vec<&str> = expected
                    .iter()
                    .find(|(col, _)| *col == c)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                let got: Vec<&str> = ind.column(c).iter().map(AsRef::as_ref).collect();
                assert_eq!(got, want, "{kind:?} {input:?} column {}", c.name());
            }
        }
    }

    #[test]
    fn ip() {
        run(cases! {
            (Ip, "1.2.3.4") => [IpAddresses: ["1.2.3.4"]];
            (Ip, " 10.0.0.1 ") => [IpAddresses: ["10.0.0.1"]];
            (Ip, "\u{a0}10.0.0.1\t\n") => [IpAddresses: ["10.0.0.1"]];
            (Ip, "::1") => [IpAddresses: ["::1"]];
            (Ip, "::ffff:1.2.3.4") => [IpAddresses: ["::ffff:1.2.3.4"]];
            (Ip, "2001:DB8::1") => [IpAddresses: ["2001:DB8::1"]];
            (Ip, "1.2.3.4:80") => [];
            (Ip, "01.2.3.4") => [];
            (Ip, "10.0.0.0/8") => [];
            (Ip, "fe80::1%eth0") => [];
            (Ip, "[::1]") => [];
            (Ip, "example.com") => [];
            (Ip, "") => [];
            (Ip, "   ") => [];
        });
    }

    #[test]
    fn domain_and_hostname() {
        run(cases! {
            (Domain, "example.com") => [DomainNames: ["example.com"]];
            (Domain, " Example.COM ") => [DomainNames: ["Example.COM"]];
            (Domain, "1.2.3.4") => [DomainNames: ["1.2.3.4"]];
            (Domain, "not a domain!") => [DomainNames: ["not a domain!"]];
            (Domain, "xn--bcher-kva.example") => [DomainNames: ["bücher.example"]];
            (Domain, "xn--bcher-kv!.example") => [DomainNames: ["xn--bcher-kv!.example"]];
            (Domain, "") => [];
            (Domain, " \t") => [];
            (Hostname, "127.0.0.1") => [IpAddresses: ["127.0.0.1"]];
            (Hostname, " ::1 ") => [IpAddresses: ["::1"]];
            (Hostname, "localhost") => [DomainNames: ["localhost"]];
            (Hostname, "xn--mnchen-3ya.de") => [DomainNames: ["münchen.de"]];
            (Hostname, "1.2.3.4:80") => [DomainNames: ["1.2.3.4:80"]];
            (Hostname, "") => [];
        });
    }

    #[test]
    fn url() {
        run(cases! {
            (Url, "https://user@Example.com:8080/x") => [DomainNames: ["Example.com"]];
            (Url, "https://user:pw@10.1.2.3:8443/a?b=c#d") => [IpAddresses: ["10.1.2.3"]];
            (Url, "http://[::1]:8080/") => [IpAddresses: ["::1"]];
            (Url, "//cdn.example.com/lib.js") => [DomainNames: ["cdn.example.com"]];
            (Url, "http://xn--bcher-kva.example/") => [DomainNames: ["bücher.example"]];
            (Url, "http://b%C3%BCcher.example/") => [DomainNames: ["bücher.example"]];
            (Url, "example.com/x") => [];
            (Url, "example.com") => [];
            (Url, "mailto:a@example.com") => [];
            (Url, "http:///x") => [];
            (Url, "http://host:port/") => [];
            (Url, " https://example.com") => [];
            (Url, "") => [];
        });
    }

    #[test]
    fn net_addr() {
        run(cases! {
            (NetAddr, "[::1]:443") => [IpAddresses: ["::1"]];
            (NetAddr, "1.2.3.4:80") => [IpAddresses: ["1.2.3.4"]];
            (NetAddr, " 1.2.3.4:80 ") => [IpAddresses: ["1.2.3.4"]];
            (NetAddr, "1.2.3.4") => [IpAddresses: ["1.2.3.4"]];
            (NetAddr, "::1") => [IpAddresses: ["::1"]];
            (NetAddr, "example.com:443") => [DomainNames: ["example.com"]];
            (NetAddr, "example.com") => [DomainNames: ["example.com"]];
            (NetAddr, "[::1]") => [DomainNames: ["[::1]"]];
            (NetAddr, ":80") => [];
            (NetAddr, "") => [];
        });
    }

    #[test]
    fn strings() {
        run(cases! {
            (Email, " a@b.c ") => [Emails: ["a@b.c"]];
            (Email, "@") => [Emails: ["@"]];
            (Email, "no-at-sign") => [];
            (Email, "") => [];
            (Username, " Jon Bixton ") => [Usernames: ["Jon Bixton"]];
            (Username, "  ") => [];
            (TraceId, "abc-123") => [TraceIds: ["abc-123"]];
            (TraceId, "") => [];
            (AwsTag, " key:value ") => [AwsTags: [" key:value "]];
            (AwsTag, " ") => [AwsTags: [" "]];
            (AwsTag, "") => [];
        });
    }

    #[test]
    fn hashes() {
        run(cases! {
            (Md5, "d41d8cd98f00b204e9800998ecf8427e") => [Md5Hashes: ["d41d8cd98f00b204e9800998ecf8427e"]];
            (Md5, " D41D8CD98F00B204E9800998ECF8427E ") => [Md5Hashes: ["d41d8cd98f00b204e9800998ecf8427e"]];
            (Md5, "d41d8cd98f00b204e9800998ecf8427") => [];
            (Md5, "d41d8cd98f00b204e9800998ecf8427g") => [];
            (Md5, "da39a3ee5e6b4b0d3255bfef95601890afd80709") => [];
            (Sha1, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709") => [Sha1Hashes: ["da39a3ee5e6b4b0d3255bfef95601890afd80709"]];
            (Sha1, "d41d8cd98f00b204e9800998ecf8427e") => [];
            (Sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") => [Sha256Hashes: ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]];
            (Sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85") => [];
            (Sha256, "") => [];
        });
    }

    #[test]
    fn aws() {
        run(cases! {
            (AwsArn, "arn:aws:ec2:us-east-1:123456789012:instance/i-0abcd1234") => [
                AwsArns: ["arn:aws:ec2:us-east-1:123456789012:instance/i-0abcd1234"],
                AwsAccountIds: ["123456789012"],
                AwsInstanceIds: ["i-0abcd1234"],
            ];
            (AwsArn, "arn:aws:iam::123456789012:role/Admin") => [
                AwsArns: ["arn:aws:iam::123456789012:role/Admin"],
                AwsAccountIds: ["123456789012"],
            ];
            (AwsArn, "arn:aws:s3:::bucket") => [AwsArns: ["arn:aws:s3:::bucket"]];
            (AwsArn, "arn:aws:ec2:r:1234:instance/x") => [AwsArns: ["arn:aws:ec2:r:1234:instance/x"]];
            (AwsArn, "arn:aws:s3::bucket") => [];
            (AwsArn, " arn:aws:s3:::bucket") => [];
            (AwsArn, "123456789012") => [];
            (AwsArnOnly, "arn:aws:ec2:us-east-1:123456789012:instance/i-0abcd1234") => [
                AwsArns: ["arn:aws:ec2:us-east-1:123456789012:instance/i-0abcd1234"],
            ];
            (AwsArnOnly, "arn:aws") => [];
            (AwsAccountId, "123456789012") => [AwsAccountIds: ["123456789012"]];
            (AwsAccountId, " 123456789012") => [];
            (AwsAccountId, "12345678901") => [];
            (AwsInstanceId, "i-0abcd1234") => [AwsInstanceIds: ["i-0abcd1234"]];
            (AwsInstanceId, " i-0abcd1234") => [];
            (AwsInstanceId, "0abcd1234") => [];
        });
    }

    #[test]
    fn borrowed_unless_transformed() {
        let mut ind = Indicators::new();
        ind.scan(IndicatorKind::Md5, "d41d8cd98f00b204e9800998ecf8427e");
        ind.scan(
            IndicatorKind::Sha1,
            "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709",
        );
        ind.scan(IndicatorKind::Domain, " example.com ");
        ind.scan(IndicatorKind::Url, "http://xn--bcher-kva.example/");
        ind.scan(IndicatorKind::Ip, " 1.2.3.4 ");
        ind.finish();
        assert!(matches!(ind.column(Column::Md5Hashes)[0], Cow::Borrowed(_)));
        assert!(matches!(ind.column(Column::Sha1Hashes)[0], Cow::Owned(_)));
        // Sorted: "bücher.example" (decoded) before "example.com".
        assert!(matches!(ind.column(Column::DomainNames)[0], Cow::Owned(_)));
        assert!(matches!(
            ind.column(Column::DomainNames)[1],
            Cow::Borrowed(_)
        ));
        assert!(matches!(
            ind.column(Column::IpAddresses)[0],
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn dedup_and_bytewise_sort() {
        let mut ind = Indicators::new();
        assert!(ind.is_empty());
        for v in [
            "52.119.169.95",
            "172.31.20.31",
            "52.119.169.95",
            " 172.31.20.31",
        ] {
            ind.scan(IndicatorKind::Ip, v);
        }
        for v in ["b.com", "B.com", "a.com", "b.com", "ä.com"] {
            ind.scan(IndicatorKind::Hostname, v);
        }
        ind.scan(IndicatorKind::Username, "Jon Bixton");
        ind.scan(IndicatorKind::Username, "Jon Bixton");
        ind.finish();
        assert!(!ind.is_empty());
        let col = |c| -> Vec<&str> { ind.column(c).iter().map(AsRef::as_ref).collect() };
        assert_eq!(col(Column::IpAddresses), ["172.31.20.31", "52.119.169.95"]);
        assert_eq!(
            col(Column::DomainNames),
            ["B.com", "a.com", "b.com", "ä.com"]
        );
        assert_eq!(col(Column::Usernames), ["Jon Bixton"]);
    }

    #[test]
    fn multiple_scanners_on_one_value() {
        let mut ind = Indicators::new();
        let v = "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc";
        for k in [
            IndicatorKind::AwsArn,
            IndicatorKind::AwsArnOnly,
            IndicatorKind::Username,
        ] {
            ind.scan(k, v);
        }
        ind.finish();
        assert_eq!(ind.column(Column::AwsArns).len(), 1);
        assert_eq!(ind.column(Column::Usernames).len(), 1);
        assert_eq!(ind.column(Column::AwsInstanceIds), ["i-0abc"]);
    }

    #[test]
    fn finish_sorts_and_dedups_like_a_sorted_set() {
        // Random lists, short (insertion sort) and long (permutation), with repeats within
        // and across columns, owned and borrowed; compared with a BTreeSet of (column, text).
        let mut next = crate::testing::xorshift(0x51_7c_c1_b7_27_22_0a_95);
        let texts: Vec<String> = (0..12).map(|i| format!("v{}", i % 7)).collect();
        let mut ind = Indicators::new();
        for round in 0..400 {
            let n = if round % 4 == 0 { next(80) } else { next(17) };
            let mut want = std::collections::BTreeSet::new();
            for _ in 0..n {
                let c = Column::ALL[next(Column::COUNT)];
                let t = &texts[next(texts.len())];
                want.insert((c, t.clone()));
                let v = if next(2) == 0 {
                    Cow::Borrowed(t.as_str())
                } else {
                    Cow::Owned(t.clone())
                };
                ind.push(c, v);
            }
            ind.finish();
            let got: Vec<(Column, String)> = Column::ALL
                .iter()
                .flat_map(|&c| ind.column(c).iter().map(move |v| (c, v.to_string())))
                .collect();
            assert_eq!(got, want.into_iter().collect::<Vec<_>>(), "round {round}");
            ind = ind.recycle();
        }
    }

    #[test]
    fn finish_two_values() {
        // Two values take a shortcut: in order, out of order, equal (borrowed and owned),
        // in one column or two.
        type Case = (
            Column,
            &'static str,
            Column,
            &'static str,
            &'static [(Column, &'static str)],
        );
        let cases: [Case; 6] = [
            (
                Column::Emails,
                "a",
                Column::Emails,
                "b",
                &[(Column::Emails, "a"), (Column::Emails, "b")],
            ),
            (
                Column::Emails,
                "b",
                Column::Emails,
                "a",
                &[(Column::Emails, "a"), (Column::Emails, "b")],
            ),
            (
                Column::Emails,
                "a",
                Column::Emails,
                "a",
                &[(Column::Emails, "a")],
            ),
            (
                Column::Emails,
                "a",
                Column::IpAddresses,
                "b",
                &[(Column::IpAddresses, "b"), (Column::Emails, "a")],
            ),
            (
                Column::IpAddresses,
                "b",
                Column::Emails,
                "a",
                &[(Column::IpAddresses, "b"), (Column::Emails, "a")],
            ),
            (
                Column::Usernames,
                "a",
                Column::IpAddresses,
                "a",
                &[(Column::IpAddresses, "a"), (Column::Usernames, "a")],
            ),
        ];
        for (c0, v0, c1, v1, want) in cases {
            let mut ind = Indicators::new();
            ind.push(c0, Cow::Borrowed(v0));
            ind.push(c1, Cow::Owned(v1.to_owned()));
            ind.finish();
            let got: Vec<(Column, &str)> = Column::ALL
                .iter()
                .flat_map(|&c| ind.column(c).iter().map(move |v| (c, v.as_ref())))
                .collect();
            assert_eq!(got, want, "{c0:?} {v0} {c1:?} {v1}");
        }
    }

    #[test]
    fn recycle_keeps_capacity() {
        let owned: Vec<String> = (0..100).map(|i| format!("10.0.0.{i}")).collect();
        let mut ind = Indicators::new();
        for v in &owned {
            ind.scan(IndicatorKind::Ip, v);
            ind.scan(IndicatorKind::Username, v);
        }
        ind.finish();
        let caps = |ind: &Indicators<'_>| {
            (
                (ind.columns.capacity(), ind.columns.as_ptr().cast::<u8>()),
                (ind.values.capacity(), ind.values.as_ptr().cast::<u8>()),
            )
        };
        let before = caps(&ind);
        assert!(before.0 .0 >= 200 && before.1 .0 >= 200);
        let mut ind = ind.recycle();
        // The recycled buffer no longer borrows the first record's input.
        drop(owned);
        let second = String::from("192.168.0.1");
        assert!(ind.is_empty());
        assert_eq!(caps(&ind), before);
        ind.scan(IndicatorKind::Ip, &second);
        ind.finish();
        assert_eq!(ind.column(Column::IpAddresses), ["192.168.0.1"]);
    }

    #[test]
    fn names_round_trip() {
        for k in IndicatorKind::ALL {
            assert_eq!(IndicatorKind::from_name(k.name()), Some(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.name()));
            let back: IndicatorKind = serde_json::from_str(&json).unwrap();
            assert_eq!(back, k);
            assert!(!k.columns().is_empty());
            assert!(k.columns().windows(2).all(|w| w[0] < w[1]));
        }
        assert_eq!(IndicatorKind::from_name("IP"), None);
        assert_eq!(IndicatorKind::from_name("net-addr"), None);
        assert_eq!(IndicatorKind::from_name(""), None);
        for (i, c) in Column::ALL.iter().enumerate() {
            assert_eq!(c.index(), i);
            assert!(c.name().starts_with("p_any_"));
        }
        assert_eq!(Column::ALL.len(), Column::COUNT);
        assert_eq!(Column::IpAddresses.name(), "p_any_ip_addresses");
        assert_eq!(Column::Usernames.name(), "p_any_usernames");
    }

    #[test]
    fn columns_cover_what_scanners_write() {
        // Scan values that trigger every output of every scanner; nothing may land outside
        // `kind.columns()`.
        let inputs = [
            "1.2.3.4",
            "example.com",
            "http://example.com/",
            "http://1.2.3.4/",
            "1.2.3.4:80",
            "a@b",
            "d41d8cd98f00b204e9800998ecf8427e",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc",
            "123456789012",
            "i-0abc",
        ];
        for k in IndicatorKind::ALL {
            let mut ind = Indicators::new();
            for v in inputs {
                ind.scan(k, v);
            }
            ind.finish();
            for c in Column::ALL {
                if !ind.column(c).is_empty() {
                    assert!(k.columns().contains(&c), "{k:?} wrote {}", c.name());
                }
            }
            for c in k.columns() {
                assert!(!ind.column(*c).is_empty(), "{k:?} never wrote {}", c.name());
            }
        }
    }

    #[test]
    fn never_panics_on_odd_input() {
        let odd = [
            "",
            ":",
            "[",
            "]",
            "[]:",
            "%",
            "%2",
            "http://%",
            "http://[",
            "http://[]",
            "//",
            "///",
            "arn:",
            "arn:::::",
            "xn--",
            "xn--.xn--",
            "ü",
            "http://ü/",
            "[ü]:1",
            "ü:ü",
            "\u{0}",
            "http://a@b@c/",
            "xn--ü",
            "XN--A",
            "xn--99999999999999999",
        ];
        let mut ind = Indicators::new();
        for v in odd {
            for k in IndicatorKind::ALL {
                ind.scan(k, v);
            }
        }
        ind.finish();
        // Pseudo-random strings over an alphabet of the characters the parsers care about.
        let alphabet: Vec<char> = "arnx-:/[]%@.?#i25fF0 \u{e4}\u{a0}".chars().collect();
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut inputs = Vec::new();
        for _ in 0..5000 {
            let mut s = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = usize::try_from(state % 24).unwrap();
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                s.push(alphabet[usize::try_from(state % alphabet.len() as u64).unwrap()]);
            }
            inputs.push(s);
        }
        let mut ind = Indicators::new();
        for v in &inputs {
            for k in IndicatorKind::ALL {
                ind.scan(k, v);
            }
        }
        ind.finish();
    }
}
