//! The stamps on every event: `p_parse_time` from a cheap wall clock ([`Clock`]) and
//! `p_row_id` from a per-normalizer generator of unique ids ([`RowIds`]).

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::Timelike as _;

/// The wall clock for `p_parse_time`, read for every record.
///
/// On Linux it is the kernel's coarse real-time clock (`CLOCK_REALTIME_COARSE`), which
/// advances once per scheduler tick (1 to 4 ms; `Clock::resolution`) and costs a few
/// nanoseconds to read: reading the precise clock for every record took 6 to 12% of the
/// parse stage's throughput (measured with `normalog bench --only parse`). A parse time a
/// few milliseconds early is well within what the field is for. Elsewhere, the precise clock.
#[derive(Default)]
pub(super) struct Clock {
    /// The last reading, seconds and nanoseconds since the Unix epoch, and its timestamp.
    last: (u64, u32),
    stamp: crate::time::Timestamp,
    /// The start of second `last.0`, UTC.
    base: chrono::NaiveDateTime,
}

impl Clock {
    // Read for every record, from another module: without the hint, the move to this file
    // cost the call (about 15 instructions a record under callgrind).
    #[inline]
    pub(super) fn now(&mut self) -> crate::time::Timestamp {
        let reading = read_clock();
        if reading == self.last && reading.0 != 0 {
            // A coarse clock reads the same for many records in a row.
            return self.stamp;
        }
        if reading.0 != self.last.0 || self.last.0 == 0 {
            self.base = i64::try_from(reading.0)
                .ok()
                .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                .unwrap_or_default()
                .naive_utc();
        }
        self.last = reading;
        let time = self.base.time();
        self.stamp = chrono::NaiveTime::from_num_seconds_from_midnight_opt(
            time.num_seconds_from_midnight(),
            reading.1,
        )
        .map_or(self.base, |t| self.base.date().and_time(t))
        .and_utc();
        self.stamp
    }

    /// The clock's resolution: a reading is about this much behind the precise clock, at most.
    #[cfg(test)]
    fn resolution() -> std::time::Duration {
        #[cfg(target_os = "linux")]
        {
            let r = rustix::time::clock_getres(rustix::time::ClockId::RealtimeCoarse);
            std::time::Duration::new(
                u64::try_from(r.tv_sec).unwrap_or(0),
                u32::try_from(r.tv_nsec).unwrap_or(0),
            )
        }
        #[cfg(not(target_os = "linux"))]
        std::time::Duration::ZERO
    }
}

/// Seconds and nanoseconds since the Unix epoch.
#[cfg(target_os = "linux")]
fn read_clock() -> (u64, u32) {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::RealtimeCoarse);
    (
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

/// Seconds and nanoseconds since the Unix epoch.
#[cfg(not(target_os = "linux"))]
fn read_clock() -> (u64, u32) {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (d.as_secs(), d.subsec_nanos())
}

/// `p_row_id`: 16 hex digits naming this normalizer (process seed and instance number,
/// mixed) and 16 hex digits counting its events. Unique within a process, and across
/// processes with overwhelming probability.
pub(super) struct RowIds {
    node: u64,
    counter: u64,
    buf: [u8; 32],
}

static INSTANCES: AtomicU64 = AtomicU64::new(0);

impl RowIds {
    pub(super) fn new() -> Self {
        let instance = INSTANCES.fetch_add(1, Ordering::Relaxed);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        #[allow(clippy::cast_possible_truncation)] // only the low bits matter for a seed
        let seed = (now as u64) ^ (u64::from(std::process::id()) << 32);
        RowIds {
            node: splitmix(seed.wrapping_add(instance.wrapping_mul(0x9E37_79B9_7F4A_7C15))),
            counter: 0,
            buf: [b'0'; 32],
        }
    }

    // As `Clock::now`: per record, and inlined into the caller before the move.
    #[inline]
    pub(super) fn next(&mut self) -> [u8; 32] {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        if self.counter == 0 {
            for (i, word) in [self.node, 0].into_iter().enumerate() {
                for k in 0..16 {
                    self.buf[i * 16 + k] = HEX[((word >> (60 - 4 * k)) & 0xf) as usize];
                }
            }
        }
        self.counter += 1;
        // Increment the hex counter in place, like an odometer: one digit nearly always.
        for d in self.buf[16..].iter_mut().rev() {
            match *d {
                b'9' => {
                    *d = b'a';
                    break;
                }
                b'f' => *d = b'0',
                _ => {
                    *d += 1;
                    break;
                }
            }
        }
        self.buf
    }
}

fn splitmix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::RowIds;

    #[test]
    fn clock_follows_the_wall_clock() {
        let mut clock = super::Clock::default();
        let resolution = super::Clock::resolution();
        assert!(
            resolution <= std::time::Duration::from_millis(10),
            "{resolution:?}"
        );
        // A reading is the time of the last tick, which itself can come late: on a loaded
        // virtual machine a tick was seen 9 ms behind (resolution 4 ms). The bound still
        // tells a clock that stopped or runs on another time.
        let slack = chrono::Duration::from_std(resolution * 2).expect("small")
            + chrono::Duration::milliseconds(50);
        let mut last = clock.now();
        for _ in 0..2000 {
            let before = chrono::Utc::now();
            let t = clock.now();
            let after = chrono::Utc::now();
            assert!(before - slack <= t && t <= after, "{before} {t} {after}");
            assert!(t >= last, "{t} went back from {last}");
            last = t;
            std::thread::sleep(std::time::Duration::from_micros(5));
        }
    }

    #[test]
    fn row_ids_count_in_hex() {
        let mut rows = RowIds::new();
        let node = rows.node;
        for n in 1..=70_000u64 {
            let id = rows.next();
            assert_eq!(
                std::str::from_utf8(&id).unwrap(),
                format!("{node:016x}{n:016x}")
            );
        }
    }
}
