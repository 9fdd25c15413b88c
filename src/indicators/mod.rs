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
mod go_ip;
mod ip;
mod kind;
mod punycode;
mod url;

use std::borrow::Cow;

pub use kind::{Column, IndicatorKind};

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
        Cow::Borrowed(b) => Cow::Borrowed(trim(b)),
        Cow::Owned(o) => {
            let t = trim(&o);
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
                // Trimmed first, as Panther's `ScanURL` does.
                if let Some(host) = url::url_hostname(trim(value)) {
                    self.push_host(host);
                }
            }
            IndicatorKind::NetAddr => {
                let v = trim(value);
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
            IndicatorKind::Username => self.push(Column::Usernames, Cow::Borrowed(trim(value))),
            IndicatorKind::TraceId => self.push(Column::TraceIds, Cow::Borrowed(trim(value))),
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
        let v = trim(value);
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
    #[inline]
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
            // Equality only: a different column or length decides most pairs without
            // comparing the text.
            if self.columns[kept - 1] != self.columns[i] || self.values[kept - 1] != self.values[i]
            {
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
mod tests;
