//! Batches delivered into a directory output: recovery, layouts, publishing, tags.

use super::*;
use crate::pipeline::Ignore;

fn delivery(dir: &Path) -> Delivery {
    let mut builder = NormalizerBuilder::new();
    builder.log_types(["Zendesk.Audit"]);
    let mut batch = Batch::new();
    batch.threads(1);
    let mut d = Delivery::new(
        Target::Dir {
            dir: dir.to_path_buf(),
            format: DirFormat::Ndjson {
                partition: Partition::None,
                max_open_files: 4,
            },
        },
        Registry::builtin(),
        ndjson::Options::default(),
        tag("zendesk", "acme", ""),
    );
    d.stream("audit_logs", builder, batch);
    d
}

fn page(ids: &[u64]) -> PageBuilder {
    let mut page = PageBuilder::new("audit_logs");
    for id in ids {
        page.push(&format!(
            r#"{{"id":{id},"action":"login","created_at":"2026-01-01T00:00:00Z","actor_id":1}}"#
        ));
    }
    page
}

fn ids_in(dir: &Path) -> Vec<u64> {
    let mut files = Vec::new();
    walk(&dir.join("zendesk_audit"), &mut files).expect("walk");
    let mut ids = Vec::new();
    for f in files {
        for line in std::fs::read_to_string(f).expect("read").lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("json");
            ids.push(v["id"].as_u64().expect("id"));
        }
    }
    ids.sort_unstable();
    ids
}

#[test]
fn uncommitted_batches_are_removed_on_recovery() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("out");
    let mut d = delivery(&dir);
    let c1 = Commit { run: 1, seq: 1 };
    d.write(c1, &mut page(&[1, 2]), &mut Ignore).expect("write");
    d.committed(c1).expect("committed");
    assert!(!dir
        .join(".pull-".to_owned() + &tag("zendesk", "acme", ""))
        .exists());
    // Batch 2 reaches the output, the run dies before its checkpoint.
    d.write(Commit { run: 1, seq: 2 }, &mut page(&[3]), &mut Ignore)
        .expect("write");
    assert_eq!(ids_in(&dir), [1, 2, 3]);
    drop(d);
    let mut d = delivery(&dir);
    assert_eq!(
        d.recover(&["zendesk_audit".into()], c1).expect("recover"),
        1
    );
    assert_eq!(ids_in(&dir), [1, 2]);
    // Nothing left to recover.
    assert_eq!(
        d.recover(&["zendesk_audit".into()], c1).expect("recover"),
        0
    );
}

/// What a normalize run killed in the lake left is cleaned up when a pull starts: its
/// interrupted commit completed (here a file of another layout, which the pull then
/// refuses), its temporary files removed and counted (pull left them to normalize).
#[test]
fn a_killed_normalize_runs_leftovers_are_handled_when_a_pull_starts() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("out");
    let dead = "1-abc";
    let locks = dir.join("_normalog/locks");
    std::fs::create_dir_all(&locks).expect("mkdir");
    std::fs::write(locks.join(dead), "").expect("lock");
    let table = dir.join("zendesk_audit");
    std::fs::create_dir_all(&table).expect("mkdir");
    let leftover = table.join(format!(".part-9.ndjson.tmp-{dead}"));
    std::fs::write(&leftover, "{}\n").expect("write");
    let mut d = delivery(&dir);
    let c0 = Commit { run: 0, seq: 0 };
    assert_eq!(
        d.recover(&["zendesk_audit".into()], c0).expect("recover"),
        1
    );
    assert!(!leftover.exists() && !locks.join(dead).exists());

    // A commit cut after its journal: completed, so the check sees its hour file.
    std::fs::write(locks.join(dead), "").expect("lock");
    let hour = "zendesk_audit/year=2026/month=1/day=1/hour=0";
    std::fs::create_dir_all(dir.join(hour)).expect("mkdir");
    let tmp_name = format!("{hour}/.part-0.ndjson.tmp-{dead}");
    std::fs::write(dir.join(&tmp_name), "{}\n").expect("write");
    let commits = dir.join("_normalog/commits");
    std::fs::create_dir_all(&commits).expect("mkdir");
    std::fs::write(
        commits.join(dead),
        format!("run -\n{tmp_name}\t{hour}/part-0.ndjson\n"),
    )
    .expect("journal");
    let e = d
        .recover(&["zendesk_audit".into()], c0)
        .expect_err("mixed layouts");
    assert!(e.to_string().contains("partitioned by hour"), "{e}");
    assert!(dir.join(hour).join("part-0.ndjson").exists());
}

/// A pull into a table another run wrote by hour is refused when it starts (the
/// delivery here writes unpartitioned files): a table of two layouts cannot be read.
#[test]
fn a_table_of_another_layout_is_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("out");
    let hour = dir.join("zendesk_audit/year=2026/month=1/day=1/hour=0");
    std::fs::create_dir_all(&hour).expect("mkdir");
    std::fs::write(hour.join("part-0.ndjson"), "{}\n").expect("write");
    let mut d = delivery(&dir);
    let c0 = Commit { run: 0, seq: 0 };
    let e = d
        .recover(&["zendesk_audit".into()], c0)
        .expect_err("mixed layouts");
    assert!(e.to_string().contains("partitioned by hour"), "{e}");
    // Another format's files too: a table of two formats is not one table to a reader.
    std::fs::rename(hour.join("part-0.ndjson"), hour.join("part-0.parquet")).expect("mv");
    let e = d
        .recover(&["zendesk_audit".into()], c0)
        .expect_err("other format");
    assert!(e.to_string().contains("in another format"), "{e}");
}

/// A run of another layout that committed into the table after this pull started
/// (the pull checked when it started, and found nothing): the batch is refused when
/// it would be published, under the lake's commit lock, and nothing of it appears.
#[test]
fn a_batch_is_refused_when_another_layout_came_in_meanwhile() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("out");
    let mut d = delivery(&dir);
    let c0 = Commit { run: 0, seq: 0 };
    d.recover(&["zendesk_audit".into()], c0)
        .expect("nothing yet");
    let hour = dir.join("zendesk_audit/year=2026/month=1/day=1/hour=0");
    std::fs::create_dir_all(&hour).expect("mkdir");
    std::fs::write(hour.join("part-0.ndjson"), "{}\n").expect("write");
    let e = d
        .write(Commit { run: 1, seq: 1 }, &mut page(&[1, 2]), &mut Ignore)
        .expect_err("mixed layouts");
    assert!(e.to_string().contains("partitioned by hour"), "{e}");
    let mut files = Vec::new();
    walk(&dir.join("zendesk_audit"), &mut files).expect("walk");
    assert_eq!(files, [hour.join("part-0.ndjson")]);
}

#[test]
fn tags_differ_per_account_and_state() {
    assert_eq!(tag("zendesk", "acme", ""), tag("zendesk", "acme", ""));
    assert_ne!(tag("zendesk", "acme", ""), tag("zendesk", "acm", ""));
    assert_eq!(tag("zendesk", "acme", "").len(), 8);
    // A state's id makes another tag; a state without one keeps the tag of before.
    assert_ne!(tag("zendesk", "acme", "1f"), tag("zendesk", "acme", "20"));
    assert_ne!(tag("zendesk", "acme", "1f"), tag("zendesk", "acme", ""));
    assert_eq!(tag("zendesk", "acme", ""), "52c1cbe1");
}
