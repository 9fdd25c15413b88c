//! Proleptic Gregorian calendar arithmetic: leap years, month lengths, and civil date-time
//! fields (with a UTC offset) to a timestamp.

use super::unix::from_seconds;
use super::Timestamp;

pub(super) fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

pub(super) fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Builds a timestamp from validated-or-not civil fields and a UTC offset in seconds.
#[allow(clippy::too_many_arguments)]
pub(super) fn civil_to_ts(
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    offset: i64,
) -> Option<Timestamp> {
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
        || nanos > 999_999_999
        || !(-1_000_000..=1_000_000).contains(&year)
    {
        return None;
    }
    if (0..=9999).contains(&year) {
        // The usual case: the offset keeps the time within the same UTC day (always so for
        // offset 0). chrono then builds the date from its fields directly, cheaper than from a
        // day count, and the year stays within range; the fields were validated above.
        let second_of_day =
            i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second) - offset;
        if (0..86_400).contains(&second_of_day) {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // both in range
            return chrono::NaiveDate::from_ymd_opt(year as i32, month, day)
                .zip(chrono::NaiveTime::from_num_seconds_from_midnight_opt(
                    second_of_day as u32,
                    nanos,
                ))
                .map(|(d, t)| d.and_time(t).and_utc());
        }
    }
    let secs = days_from_civil(year, month, day) * 86_400
        + i64::from(hour) * 3600
        + i64::from(minute) * 60
        + i64::from(second)
        - offset;
    from_seconds(secs, nanos)
}
