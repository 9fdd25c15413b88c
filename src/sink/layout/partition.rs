//! The partitions of the layout (directories by `p_event_time`, UTC).

use std::path::PathBuf;

use chrono::{Datelike, Timelike};

use crate::time::Timestamp;

/// How output is split into directories by `p_event_time` (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Partition {
    /// One directory per table.
    None,
    /// `year=YYYY/month=M/day=D` (numbers not zero-padded).
    Day,
    /// `year=YYYY/month=M/day=D/hour=H` (the default; numbers not zero-padded).
    #[default]
    Hour,
}

const SECS_PER_HOUR: i64 = 3600;
const SECS_PER_DAY: i64 = 24 * SECS_PER_HOUR;

impl Partition {
    /// The partition of a time as a number: hours or days since the epoch, or 0.
    #[must_use]
    pub fn key(self, t: &Timestamp) -> i64 {
        self.key_of_secs(t.timestamp())
    }

    /// [`key`](Self::key) of a time given in microseconds since the epoch.
    #[must_use]
    pub fn key_of_micros(self, micros: i64) -> i64 {
        self.key_of_secs(micros.div_euclid(1_000_000))
    }

    fn key_of_secs(self, secs: i64) -> i64 {
        match self {
            Partition::None => 0,
            Partition::Day => secs.div_euclid(SECS_PER_DAY),
            Partition::Hour => secs.div_euclid(SECS_PER_HOUR),
        }
    }

    /// The directory of a partition key, relative to the table directory (empty for
    /// [`Partition::None`]).
    #[must_use]
    pub fn dir(self, key: i64) -> PathBuf {
        let secs = match self {
            Partition::None => return PathBuf::new(),
            Partition::Day => key.saturating_mul(SECS_PER_DAY),
            Partition::Hour => key.saturating_mul(SECS_PER_HOUR),
        };
        let t = chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default();
        // Numbers as they are, not zero-padded: engines type a partition column from its
        // values, and DuckDB keeps `month=07` as text (a number would lose the zero) but
        // reads `year=2023` as a number, so padded directories came out as a mix of
        // VARCHAR and BIGINT columns. Unpadded, all four are integers everywhere (as
        // DuckDB's and Spark's own partitioned writes name them).
        let mut dir = PathBuf::from(format!("year={}", t.year()));
        dir.push(format!("month={}", t.month()));
        dir.push(format!("day={}", t.day()));
        if self == Partition::Hour {
            dir.push(format!("hour={}", t.hour()));
        }
        dir
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn partition_dirs() {
        let t: Timestamp = "2023-07-01T14:59:59.999Z".parse().expect("time");
        let hour = Partition::Hour.key(&t);
        assert_eq!(
            Partition::Hour.dir(hour),
            Path::new("year=2023/month=7/day=1/hour=14")
        );
        let day = Partition::Day.key(&t);
        assert_eq!(
            Partition::Day.dir(day),
            Path::new("year=2023/month=7/day=1")
        );
        assert_eq!(Partition::None.dir(Partition::None.key(&t)), Path::new(""));
        assert_eq!(Partition::Hour.key_of_micros(t.timestamp_micros()), hour);
        // Before the epoch, keys round toward the past.
        let t: Timestamp = "1969-12-31T23:30:00Z".parse().expect("time");
        assert_eq!(
            Partition::Hour.dir(Partition::Hour.key(&t)),
            Path::new("year=1969/month=12/day=31/hour=23")
        );
        let t: Timestamp = "0001-01-01T00:00:00Z".parse().expect("time");
        assert_eq!(
            Partition::Day.dir(Partition::Day.key(&t)),
            Path::new("year=1/month=1/day=1")
        );
    }
}
