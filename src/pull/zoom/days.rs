//! Which dates to ask Zoom for, when the time zone it reads them in is not known.
//!
//! The reports filter by date (`from`, `to`: `yyyy-mm-dd`), and Zoom does not say in which
//! time zone: it may be the account's (`vendor-apis.md` §2.2, §4.8). A record at the UTC
//! instant `t` is returned for the dates `from ..= to` when its date in that zone is one of
//! them, and time zones run from UTC−12 to UTC+14. So, whatever the zone:
//!
//! * every record at or after `floor` is in the dates from [`first_date`]`(floor)` on (the
//!   day before, for a floor at midnight UTC): a date read in UTC−8 starts at 08:00 UTC;
//! * every record up to `end` is in the dates up to the date of `end + 14 h`, but no
//!   request asks for a date after today (UTC), as whether Zoom accepts a future `to` is
//!   not known: [`last_date`]; today (UTC) is still a future date behind UTC until the
//!   account's midnight, and if Zoom refuses it, the run asks up to
//!   [`past_everywhere`] instead;
//! * the dates up to `to` hold every record up to [`held_until`]`(to)`, 10:00 UTC of `to`
//!   (a date read in UTC+14 ends then): what a window's commit may claim.
//!
//! Records of the extra dates that are older than the floor or newer than the end are
//! dropped by the caller.

/// Seconds in a day.
pub(super) const DAY: i64 = 86_400;
/// The furthest a time zone is behind UTC (UTC−12).
const BEHIND: i64 = 12 * 3600;
/// The furthest a time zone is ahead of UTC (UTC+14).
const AHEAD: i64 = 14 * 3600;

/// 00:00 UTC of the day of `t`.
pub(super) fn day_start(t: i64) -> i64 {
    t.div_euclid(DAY) * DAY
}

/// The UTC date of `t`, `yyyy-mm-dd`.
pub(super) fn date(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string()
}

/// The first date to ask for (its 00:00 UTC) so that every record at or after `floor` is
/// returned, in whichever time zone Zoom reads the date.
pub(super) fn first_date(floor: i64) -> i64 {
    day_start(floor - BEHIND)
}

/// The earliest floor whose [`first_date`] is not before `oldest` (a midnight UTC).
pub(super) fn earliest_floor(oldest: i64) -> i64 {
    oldest + DAY
}

/// The last date to ask for (its 00:00 UTC) so that every record up to `end` is returned,
/// but never after today (UTC) at `now`.
pub(super) fn last_date(end: i64, now: i64) -> i64 {
    day_start(end.saturating_add(AHEAD)).min(day_start(now))
}

/// The last date (its 00:00 UTC) that is today or earlier in every time zone at `now`:
/// yesterday (UTC) until 12:00 UTC, today from then on. A window that Zoom refused for a
/// later `to` is asked up to this date instead (see `super::run`).
pub(super) fn past_everywhere(now: i64) -> i64 {
    day_start(now - BEHIND)
}

/// The last instant whose records are all in the dates up to `to` (a midnight UTC),
/// whichever time zone Zoom reads them in.
pub(super) fn held_until(to: i64) -> i64 {
    to + DAY - AHEAD - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The date of `t` in a zone `offset` seconds east of UTC, as 00:00 UTC of that date.
    fn local_date(t: i64, offset: i64) -> i64 {
        day_start(t + offset)
    }

    #[test]
    fn days() {
        assert_eq!(date(1_767_225_600 + 86_399), "2026-01-01");
        assert_eq!(day_start(1_767_225_600 + 5), 1_767_225_600);
        assert_eq!(day_start(-1), -86_400);
    }

    #[test]
    fn the_dates_asked_for_hold_every_record_in_every_time_zone() {
        let midnight = 1_767_225_600; // 2026-01-01T00:00:00Z
        let now = midnight + 20 * DAY + 17 * 3600;
        // Every quarter hour from UTC−12 to UTC+14 (Nepal is +5:45, Chatham +12:45).
        for offset in (-48..=56).map(|q| q * 900) {
            for floor in [midnight, midnight + 7 * 3600 + 59] {
                let first = first_date(floor);
                assert!(first <= day_start(floor));
                for t in (floor..floor + 3 * DAY).step_by(1800) {
                    assert!(local_date(t, offset) >= first, "{offset} {floor} {t}");
                }
            }
            for end in [
                midnight + 5 * DAY,
                midnight + 5 * DAY + 23 * 3600 + 59 * 60,
                now,
            ] {
                let last = last_date(end, now);
                assert!(last <= day_start(now), "never a future date");
                let held = held_until(last).min(end);
                for t in (end - 3 * DAY..=held).rev().step_by(1800) {
                    assert!(local_date(t, offset) <= last, "{offset} {end} {t}");
                }
                if end < now - AHEAD {
                    assert_eq!(held, end, "a past end is read to its last record");
                }
            }
        }
        for now in (now - 2 * DAY..now).step_by(900) {
            let past = past_everywhere(now);
            assert!(past <= day_start(now));
            for offset in (-48..=56).map(|q| q * 900) {
                assert!(past <= local_date(now, offset), "{offset} {now}");
            }
            assert!(past >= day_start(now) - DAY);
        }
        assert_eq!(first_date(midnight), midnight - DAY);
        assert_eq!(first_date(earliest_floor(midnight)), midnight);
        assert_eq!(last_date(now, now), day_start(now));
        assert_eq!(held_until(day_start(now)), day_start(now) + 10 * 3600 - 1);
    }
}
