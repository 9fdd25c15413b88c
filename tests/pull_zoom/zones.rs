//! Zoom does not say in which time zone it reads `from`/`to` (maybe the account's). Whatever
//! the zone, from UTC−12 to UTC+14, a first run and the run after it emit every record once:
//! none before the since day, none lost at the start of the since day or of a later run's
//! first day (in UTC−8 a date starts at 08:00 UTC), none lost before `--until` (in UTC+9 the
//! last hours of a UTC day are under the next date), none twice.

use super::*;

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// Zones behind and ahead of UTC, the extremes included.
const OFFSETS: [i64; 4] = [-12 * HOUR, -8 * HOUR, 9 * HOUR, 14 * HOUR];

fn midnight(t: i64) -> i64 {
    t.div_euclid(DAY) * DAY
}

/// The last instant whose records a run can get now from a Zoom that reads dates at
/// `offset` from UTC: no request asks for a date after today (UTC), and in a zone ahead of
/// UTC the end of today (UTC) is under tomorrow's date there.
fn reachable(now: i64, offset: i64) -> i64 {
    (now - 60).min(midnight(now) + DAY - offset - 1)
}

/// Both reports, from `first` up to `last`: a record at 7 and one at 37 minutes past every
/// hour (in each hour's first minutes too, where a date read behind UTC starts), a twin of
/// every fifth, and in every third hour one more that is not visible yet (it comes late).
fn hourly(first: i64, last: i64) -> Vec<Rec> {
    let mut records = Vec::new();
    let mut user = 1;
    let mut hour = first - first.rem_euclid(HOUR);
    while hour <= last {
        for (i, (kind, minute, visible)) in [
            (Kind::Activity, 7, true),
            (Kind::Operation, 37, true),
            (Kind::Activity, 20, hour % (3 * HOUR) != 0),
        ]
        .into_iter()
        .enumerate()
        {
            let time = hour + minute * 60;
            if time < first || time > last {
                continue;
            }
            let rec = Rec {
                kind,
                time,
                user,
                visible,
            };
            user += 1;
            if i == 0 && (hour / HOUR) % 5 == 0 {
                records.push(rec.clone());
            }
            records.push(rec);
        }
        hour += HOUR;
    }
    records
}

/// The visible records from `from` to `to` (inclusive), as [`expected`] counts them.
fn between(records: &[Rec], from: i64, to: i64) -> BTreeMap<Key, usize> {
    let inside: Vec<Rec> = records
        .iter()
        .filter(|r| r.time >= from && r.time <= to)
        .cloned()
        .collect();
    expected(&inside)
}

/// `got == want`, or a message that says what is missing, extra or repeated.
fn check(got: &BTreeMap<Key, usize>, want: &BTreeMap<Key, usize>, what: &str) {
    let missing: Vec<_> = want.keys().filter(|k| !got.contains_key(*k)).collect();
    let extra: Vec<_> = got.keys().filter(|k| !want.contains_key(*k)).collect();
    let counts: Vec<_> = want
        .iter()
        .filter(|(k, n)| got.get(*k).is_some_and(|g| g != *n))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && counts.is_empty(),
        "{what}: {} of {} records missing (first {:?}), {} not wanted (first {:?}), {} with \
         another count (first {:?})",
        missing.len(),
        want.len(),
        missing.first(),
        extra.len(),
        extra.first(),
        counts.len(),
        counts.first()
    );
}

/// Show the records that were late: the next run gets them.
fn arrive(fake: &FakeZoom) -> Vec<Rec> {
    let mut inner = fake.inner();
    for r in &mut inner.records {
        r.visible = true;
    }
    inner.records.clone()
}

#[test]
fn a_first_run_and_the_next_emit_every_record_once_in_any_zone_zoom_reads_dates_in() {
    let now = now_secs();
    let since_day = midnight(now - 3 * DAY);
    for offset in OFFSETS {
        let last = reachable(now, offset);
        let records = hourly(since_day - 2 * DAY, last);
        let fake = FakeZoom::start(records.clone());
        fake.inner().offset = offset;
        let run = PullDir::new();
        let out = run.pull(&fake, &["--since", "3d"]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let what = format!("UTC{:+}h, first run", offset / HOUR);
        check(&run.events(), &between(&records, since_day, last), &what);

        // The late records arrive, in the first hours of each day too: the next run reads
        // from two days (--overlap-days) before the day the first one got to, today, and
        // gets those from there on (older ones came later than the overlap), and only them.
        let after = arrive(&fake);
        let out = run.pull(&fake, &[]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let floor = midnight(now) - 2 * DAY;
        let mut want = between(&records, since_day, floor - 1);
        want.extend(between(&after, floor, last));
        let what = format!("UTC{:+}h, second run", offset / HOUR);
        check(&run.events(), &want, &what);
    }
}

#[test]
fn a_run_with_until_reads_up_to_it_and_the_next_one_goes_on_in_any_zone() {
    let now = now_secs();
    let since_day = midnight(now - 4 * DAY);
    // 20:00 UTC two days ago: in UTC+9 and beyond, its last hours are under the next date.
    let until = midnight(now) - 2 * DAY + 20 * HOUR;
    let until_arg = fake::server::rfc3339(until);
    for offset in OFFSETS {
        let last = reachable(now, offset);
        let records = hourly(since_day - 2 * DAY, last);
        let fake = FakeZoom::start(records.clone());
        fake.inner().offset = offset;
        let run = PullDir::new();
        let flags = ["--since", "4d", "--until", until_arg.as_str(), "-q"];
        let out = run.pull(&fake, &flags);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let what = format!("UTC{:+}h, run up to --until", offset / HOUR);
        check(&run.events(), &between(&records, since_day, until), &what);

        let records = arrive(&fake);
        let out = run.pull(&fake, &[]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let what = format!("UTC{:+}h, next run", offset / HOUR);
        check(&run.events(), &between(&records, since_day, last), &what);
    }
}
