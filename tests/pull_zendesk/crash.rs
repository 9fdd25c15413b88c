//! Crashes and interrupts at every commit point, then a resume: every record exactly once.

use super::*;

/// Crash (abort, as kill -9) at `point`, then run again: every record exactly once.
fn crash_then_resume(
    point: &str,
    records: &[Rec],
    page: &str,
    batch: &str,
    must_crash: bool,
) -> Result<(), String> {
    let fake = FakeZendesk::start(records.to_vec(), token_auth());
    let run = PullDir::new();
    let flags = ["--page-size", page, "--batch-records", batch];
    let out = run.pull_env(&fake, &flags, &[("NORMALOG_PULL_FAIL_AT", point)]);
    let crashed = out.status.code().is_none();
    if must_crash && !crashed {
        return Err(format!(
            "{point}: the first run did not crash: {}",
            stderr(&out)
        ));
    }
    let out = run.pull(&fake, &flags);
    if code(&out) != 0 {
        return Err(format!("{point}: rerun failed: {}", stderr(&out)));
    }
    let got = run.ids();
    let want = expected(records);
    if got != want {
        return Err(format!(
            "{point} (crashed: {crashed}): got {got:?}, want {want:?}"
        ));
    }
    // Nothing hidden is left behind by the successful run.
    if run.hidden_at_top() != 0 {
        return Err(format!("{point}: hidden files left"));
    }
    Ok(())
}

#[test]
fn resume_after_a_crash_at_every_commit_point() {
    let records = dataset(1, 50, now_secs() - 500, 3);
    // 50 records, pages of 10, batches of 10: 5 batches, 5 state saves.
    for n in 1..=5 {
        crash_then_resume(&format!("after-sink:{n}"), &records, "10", "10", true).expect("resume");
        crash_then_resume(&format!("after-state:{n}"), &records, "10", "10", true).expect("resume");
    }
}

/// A first run that crashed before its first commit keeps its start: the rerun begins
/// there, whatever its own `--since` (pull review finding: nothing was saved, so the rerun
/// needed `--since` again, and a relative one started later, the records between the two
/// starts never read).
#[test]
fn a_first_run_crashed_before_its_first_commit_keeps_its_start() {
    let records = dataset(1, 50, now_secs() - 500, 3);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    let run = PullDir::new();
    let flags = ["--page-size", "10", "--batch-records", "10"];
    let out = run.pull_env(&fake, &flags, &[("NORMALOG_PULL_FAIL_AT", "after-sink:1")]);
    assert!(out.status.code().is_none(), "crashed: {}", stderr(&out));
    let out = run.pull(&fake, &[&flags[..], &["--since", "1m"]].concat());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--since is ignored"),
        "{}",
        stderr(&out)
    );
    assert_eq!(run.ids(), expected(&records));
}

/// SIGINT or SIGTERM while a batch is being normalized or committed into its staging
/// directory: the pull stops with 130 or 143, publishes nothing of that batch, leaves no
/// staging directory, and the next run delivers every record once (issue 16).
#[cfg(unix)]
#[test]
fn an_interrupt_stops_between_commits_and_the_next_run_resumes() {
    let records = dataset(1, 50, now_secs() - 500, 3);
    for (point, signal, status) in [("read", "INT", 130), ("commit", "TERM", 143)] {
        let fake = FakeZendesk::start(records.clone(), token_auth());
        let run = PullDir::new();
        let flags = ["--page-size", "10", "--batch-records", "10", "-q"];
        let out = interrupt_at(
            run.command(&fake, &flags, &[]),
            run.dir.path(),
            point,
            signal,
        );
        run.check_secrets(&out, &[TOKEN, MINTED_TOKEN]);
        assert_eq!(code(&out), status, "{point}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("interrupted by SIG{signal}")),
            "{}",
            stderr(&out)
        );
        // Nothing hidden left: no staging directory, no temporary file.
        let hidden = run.hidden_files();
        assert!(hidden.is_empty(), "{point}: {hidden:?}");
        // The records delivered so far are each there once; the rest come with the next run.
        assert!(run.ids().values().all(|&n| n == 1));
        let out = run.pull(&fake, &flags);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert_eq!(run.ids(), expected(&records), "{point}");
    }
}

#[test]
fn crash_of_a_single_file_output_keeps_the_previous_file_and_state() {
    let records = dataset(1, 20, now_secs() - 500, 1);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    let run = PullDir::new();
    let file = run.dir.path().join("events.ndjson");
    let flags = [
        "-o",
        file.to_str().expect("utf-8"),
        "--page-size",
        "5",
        "--batch-records",
        "5",
    ];
    let out = run.pull_env(&fake, &flags, &[("NORMALOG_PULL_FAIL_AT", "after-sink:2")]);
    assert!(out.status.code().is_none(), "crashed");
    assert!(!file.exists());
    // The state holds where the first run started, and nothing committed.
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.state()).expect("state")).expect("JSON");
    assert_eq!(state["committed"]["seq"], 0, "{state}");
    let stream = &state["streams"][normalog::pull::zendesk::STREAM];
    assert!(
        stream["since"].as_str().is_some_and(|s| !s.is_empty()),
        "{state}"
    );
    let out = run.pull(&fake, &flags);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&file)
            .expect("read")
            .lines()
            .count(),
        20
    );
}

/// `--max-buffered-mib` is taken as normalize takes it (a number of MiB, here the bound of
/// each batch's Parquet writer), and a small bound gives the lake of the default one: one
/// file for the batch's partition, the rows of the NDJSON pull, nothing hidden left.
#[test]
fn max_buffered_mib_is_taken_for_parquet_batches() {
    let records = dataset(1, 3000, now_secs() - 3600, 7);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    let flags = ["--partition", "none", "--batch-records", "5000", "-q"];
    let ndjson = PullDir::new();
    let out = ndjson.pull(&fake, &flags);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut text = String::new();
    for f in ndjson.data_files() {
        text.push_str(&std::fs::read_to_string(f).expect("read"));
    }
    let want = util::lake::ndjson_rows(&text);
    assert_eq!(want.len(), 3000);

    for memory in [&[][..], &["--max-buffered-mib", "1"][..]] {
        let run = PullDir::new();
        let out = run.pull(
            &fake,
            &[&flags[..], &["--format", "parquet"], memory].concat(),
        );
        assert_eq!(code(&out), 0, "{memory:?}: {}", stderr(&out));
        assert_eq!(util::lake::parquet_rows(&run.out()), want, "{memory:?}");
        assert_eq!(util::lake::parquet_files(&run.out()).len(), 1, "{memory:?}");
        assert!(run.hidden_files().is_empty(), "{:?}", run.hidden_files());
    }
    // `--stats` counts the files the batches published.
    let run = PullDir::new();
    let out = run.pull(
        &fake,
        &[&flags[..], &["--format", "parquet", "--stats"]].concat(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("files: 1 written, 3000 rows per file on average"),
        "{}",
        stderr(&out)
    );

    // Its value is normalize's: a number of MiB.
    let run = PullDir::new();
    let out = run.pull(&fake, &["--max-buffered-mib", "1GB"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--max-buffered-mib"),
        "{}",
        stderr(&out)
    );
}

/// A pull of 100,000 fake records end to end into a directory, timed (run with
/// `cargo test --release --test pull_zendesk -- --ignored --nocapture`).
#[test]
#[ignore = "a timing, not a check"]
fn timing_100k_records() {
    let records = dataset(1, 100_000, now_secs() - 20 * 86_400, 1);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    let run = PullDir::new();
    let t = std::time::Instant::now();
    let out = run.pull(&fake, &["--stats", "-q"]);
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(run.ids().len(), 100_000);
    let busy = fake.inner().busy.as_secs_f64();
    println!(
        "100000 records: {secs:.2} s end to end, {:.0} records/s; fake server busy {busy:.2} s \
         ({:.0}%)\n{}",
        100_000.0 / secs,
        100.0 * busy / secs,
        stderr(&out)
    );
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

        /// Random datasets (sizes, same-second groups, late records), page and batch sizes,
        /// fault schedules and crash points: the directory output holds every record once.
        #[test]
        fn exactly_once_into_a_directory(
            n in 1usize..120,
            per_second in 1usize..30,
            late in proptest::collection::vec(0usize..120, 0..5),
            page in 1u32..40,
            batch in 1usize..50,
            crash_sink in any::<bool>(),
            crash_at in 1u64..6,
            faults in proptest::collection::vec(0u8..3, 0..4),
        ) {
            let now = now_secs();
            let mut records = dataset(1, n, now - 500, per_second);
            for i in &late {
                if let Some(r) = records.get_mut(*i) {
                    r.visible = false;
                }
            }
            let fake = FakeZendesk::start(records.clone(), token_auth());
            {
                let mut inner = fake.inner();
                inner.faults_after = 1;
                for f in &faults {
                    inner.faults.push_back(match f {
                        0 => Fault::Status(503),
                        1 => Fault::Reset,
                        _ => Fault::TooMany(RetryAfter::Seconds(0)),
                    });
                }
            }
            let run = PullDir::new();
            let (page, batch) = (page.to_string(), batch.to_string());
            let flags = ["--page-size", page.as_str(), "--batch-records", batch.as_str()];
            let point = format!("{}:{crash_at}", if crash_sink { "after-sink" } else { "after-state" });
            let _ = run.pull_env(&fake, &flags, &[("NORMALOG_PULL_FAIL_AT", &point)]);
            // The late records become visible; a rerun catches them and the rest.
            for r in &mut fake.inner().records {
                r.visible = true;
            }
            let out = run.pull(&fake, &flags);
            prop_assert_eq!(code(&out), 0, "{}", stderr(&out));
            let all: Vec<Rec> = fake.inner().records.clone();
            prop_assert_eq!(run.ids(), expected(&all));
        }
    }
}

/// `(run, batch)` of a part file `part-<tag>-<run>-<batch>-<n>.<ext>`.
fn run_and_batch(file: &std::path::Path) -> (u64, u64) {
    let name = file.file_name().and_then(|n| n.to_str()).expect("name");
    let mut parts = name
        .split(['-', '.'])
        .skip(2)
        .map(|n| n.parse().expect("number"));
    (parts.next().expect("run"), parts.next().expect("batch"))
}

/// The state file's `committed` `(run, seq)`.
fn committed(run: &PullDir) -> (u64, u64) {
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.state()).expect("state")).expect("json");
    let c = &state["committed"];
    (
        c["run"].as_u64().expect("run"),
        c["seq"].as_u64().expect("seq"),
    )
}

/// What `--help` and the README tell a reader of `-o DIR/`: a part file can be visible
/// before it is committed (and a crash then makes the next run remove it and write its
/// records again), such files are present only while `.pull-<tag>/` exists, the committed
/// ones are those at most the state's `committed`, and after a run that exited 0 every
/// file is committed. `--help` said "files being written have hidden names", which let a
/// loader of files as they appear ingest records twice (review finding).
#[test]
fn what_a_reader_of_the_directory_may_rely_on() {
    let records = dataset(1, 30, now_secs() - 500, 3);
    let fake = FakeZendesk::start(records.clone(), token_auth());
    let run = PullDir::new();
    let flags = ["--page-size", "10", "--batch-records", "10"];
    let out = run.pull_env(&fake, &flags, &[("NORMALOG_PULL_FAIL_AT", "after-sink:2")]);
    assert!(out.status.code().is_none(), "crashed: {}", stderr(&out));
    let last = committed(&run);
    let visible = run.data_files();
    let uncommitted: Vec<_> = visible.iter().filter(|f| run_and_batch(f) > last).collect();
    assert!(!uncommitted.is_empty(), "a batch visible before its commit");
    assert_ne!(run.hidden_at_top(), 0, "the staging directory says so");
    let out = run.pull(&fake, &[&flags[..], &["--stats"]].concat());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("leftovers of a crashed run removed: 0,"),
        "{}",
        stderr(&out)
    );
    assert_eq!(run.hidden_at_top(), 0);
    let last = committed(&run);
    assert!(run.data_files().iter().all(|f| run_and_batch(f) <= last));
    assert_eq!(run.ids(), expected(&records));

    let help = Command::new(env!("CARGO_BIN_EXE_normalog"))
        .args(["pull", "zendesk", "--help"])
        .output()
        .expect("help");
    let help = String::from_utf8_lossy(&help.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for says in [
        "it is committed only when the state file is saved after it",
        "read DIR after a run that exited 0 or 1",
        "at most the state file's committed {run, seq}",
        "(S3 notifications, Auto Loader) gets at least once",
    ] {
        assert!(help.contains(says), "--help lacks {says:?}: {help}");
    }
    assert!(!help.contains("files being written have hidden names"));
}
