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

/// NDJSON written by a delivery, kept for the test to read.
#[derive(Clone, Default)]
struct Written(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Written {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Written {
    fn events(&self) -> BTreeMap<Key, usize> {
        let bytes = self.0.lock().expect("lock").clone();
        let mut all = BTreeMap::new();
        for line in String::from_utf8(bytes).expect("utf-8").lines() {
            *all.entry(key_of(line)).or_default() += 1;
        }
        all
    }
}

/// Both reports pulled through the library as if the clock said `now` (the command line
/// reads the real clock), NDJSON into `out`.
fn pull_at(
    fake: &FakeZoom,
    state: &std::path::Path,
    out: &Written,
    since: Option<i64>,
    now: i64,
) -> Result<normalog::pull::zoom::Outcome, normalog::pull::PullError> {
    use normalog::pull::deliver::{self, Delivery, Target};
    use normalog::pull::http::{Client, Policy};
    use normalog::pull::zoom::{self, LogKind};
    let config = zoom::Config {
        account_id: ACCOUNT.into(),
        client_id: CLIENT_ID.into(),
        secret: normalog::pull::Secret::new(SECRET),
        api_base: fake.url.clone(),
        oauth_base: fake.url.clone(),
        kinds: LogKind::ALL.to_vec(),
        since,
        until: None,
        overlap_days: 2,
        window_days: 1,
        page_size: 300,
        batch_records: 1000,
    };
    let mut state = normalog::pull::state::StateFile::open(state, "zoom", ACCOUNT)?;
    let mut delivery = Delivery::new(
        Target::Stream(Box::new(out.clone())),
        normalog::Registry::builtin(),
        normalog::sink::ndjson::Options::default(),
        deliver::tag("zoom", ACCOUNT, state.id()),
    );
    for kind in LogKind::ALL {
        let mut builder = normalog::NormalizerBuilder::new();
        builder.log_types([kind.log_type()]);
        delivery.stream(kind.envelope(), builder, normalog::pipeline::Batch::new());
    }
    let mut client = Client::new(Policy {
        backoff_base: Duration::from_millis(10),
        ..Policy::default()
    });
    zoom::pull(
        &config,
        &mut client,
        &mut state,
        delivery,
        now,
        &mut normalog::pipeline::Ignore,
        &mut normalog::pull::NoProgress,
    )
}

/// Review finding (s41-h2): for an account behind UTC, today (UTC) is still a future date
/// until the account's midnight. A Zoom that refuses a future `to` failed every run in
/// those hours (8 a day in UTC−8), before the operation report was pulled at all. The run
/// now asks the refused window again up to the last date past in every zone, says so, and
/// a run after 12:00 UTC reads on; every record is emitted once. With `--since` today the
/// refusal is the answer to the first page asked before anything is committed.
#[test]
fn a_refused_future_date_is_asked_again_up_to_yesterday_and_the_next_run_reads_on() {
    let today = midnight(now_secs());
    for since in [today - 3 * DAY, today] {
        refused_future_then_read_on(today, since);
    }
}

fn refused_future_then_read_on(today: i64, since: i64) {
    let (first_now, second_now) = (today + 5 * HOUR, today + 13 * HOUR);
    let mut records = hourly(since - 2 * DAY, second_now);
    for r in &mut records {
        r.visible = true;
    }
    let fake = FakeZoom::start(records.clone());
    {
        let mut inner = fake.inner();
        inner.offset = -8 * HOUR;
        inner.refuse_future = true;
        inner.now = Some(first_now);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let out = Written::default();

    let outcome = pull_at(&fake, &state, &out, Some(since), first_now).expect("first run");
    let refused = fake.report_log().iter().filter(|l| l.status == 400).count();
    assert_eq!(refused, 1, "one refusal, then the earlier dates");
    let date = |t: i64| fake::server::rfc3339(t)[..10].to_owned();
    assert_eq!(outcome.warnings.len(), 1, "{:?}", outcome.warnings);
    let warning = &outcome.warnings[0];
    assert!(
        warning.starts_with(&format!(
            "activity: Zoom refused the dates up to {}",
            date(today)
        )) && warning.contains("The to date cannot be later than today.")
            && warning.ends_with(&format!(
                "this run read up to {} and a later run reads on",
                date(today - DAY)
            )),
        "{warning}"
    );
    // Yesterday in UTC−8 runs to 08:00 UTC today: nothing before now is left for later.
    check(
        &out.events(),
        &between(&records, since, first_now),
        "the first run, both reports",
    );

    fake.inner().now = Some(second_now);
    let outcome = pull_at(&fake, &state, &out, None, second_now).expect("second run");
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    check(
        &out.events(),
        &between(&records, since, second_now),
        "after the run at 13:00 UTC",
    );
}

/// A refused `to` that is past in every time zone is no future date: the run stops with
/// Zoom's message (exit 5 at the command line) where it was refused.
#[test]
fn a_refused_date_past_everywhere_stops_the_run() {
    let today = midnight(now_secs());
    let now = today + 13 * HOUR;
    let records = hourly(today - 3 * DAY, now);
    let fake = FakeZoom::start(records);
    {
        let mut inner = fake.inner();
        inner.refuse_future = true;
        // A Zoom whose clock is a day behind: it refuses today, which is past everywhere.
        inner.now = Some(now - DAY);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let out = Written::default();
    let err = pull_at(&fake, &state, &out, Some(today - 2 * DAY), now).expect_err("refused");
    assert!(
        err.message()
            .ends_with(": 400: The to date cannot be later than today."),
        "{}",
        err.message()
    );
    let today_utc = fake::server::rfc3339(today);
    assert!(out.events().keys().all(|k| k.2 < today_utc));
}
