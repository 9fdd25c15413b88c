//! How long the answers ask `pull` to wait: a `Retry-After` in each of its forms, and the
//! pacing when a rate limit is nearly spent.

use std::time::Duration;

use super::Response;

/// Parse a `Retry-After` value: delta-seconds, an HTTP-date (`Wed, 21 Oct 2015 07:28:00
/// GMT`) or an RFC 3339 instant (`2020-05-31T00:00:00Z`, as Zoom sends). Returns how long to
/// wait from `now_ms` (Unix milliseconds); a date in the past gives zero. At most
/// [`LONGEST_RETRY_AFTER`]: a server's `18446744073709551615` must not overflow the sums
/// and the clock (`--max-wait` refuses such a wait anyway).
#[must_use]
pub(crate) fn parse_retry_after(value: &str, now_ms: i64) -> Option<Duration> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        // Past u64: longer than the longest anyway.
        let secs = v.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs).min(LONGEST_RETRY_AFTER));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v)
        .or_else(|_| chrono::DateTime::parse_from_rfc3339(v))
        .ok()?;
    let ms = at.timestamp_millis().saturating_sub(now_ms).max(0);
    Some(Duration::from_millis(u64::try_from(ms).unwrap_or(0)).min(LONGEST_RETRY_AFTER))
}

/// The longest `Retry-After` taken as said: a year, far past any `--max-wait` in use.
pub(crate) const LONGEST_RETRY_AFTER: Duration = Duration::from_secs(366 * 24 * 3600);

/// How long to wait before the next request after `resp`: when it says less than 5 % of
/// the rate limit is left, until the window resets (`ratelimit-reset`, at most 60 s) or
/// 1 s; otherwise none.
#[must_use]
pub(crate) fn pace(resp: &Response) -> Option<Duration> {
    let pair = |limit: &str, remaining: &str| -> Option<(u64, u64)> {
        let l = resp.header(limit)?.trim().parse().ok()?;
        let r = resp.header(remaining)?.trim().parse().ok()?;
        Some((l, r))
    };
    let (limit, remaining) = pair("x-rate-limit", "x-rate-limit-remaining")
        .or_else(|| pair("ratelimit-limit", "ratelimit-remaining"))
        .or_else(|| pair("x-ratelimit-limit", "x-ratelimit-remaining"))?;
    if limit == 0 || remaining.saturating_mul(20) >= limit {
        return None;
    }
    let reset = resp
        .header("ratelimit-reset")
        .and_then(|v| v.trim().parse::<u64>().ok());
    Some(reset.map_or(Duration::from_secs(1), |s| {
        Duration::from_secs(s.clamp(1, 60))
    }))
}
