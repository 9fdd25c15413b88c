//! End to end over the real-world corpus in `../shared/corpus` (kept beside the repository,
//! not in it): every record of every file either normalizes or is rejected with a reason a
//! person can act on, the counts balance, and nothing panics. The shipped sample files in
//! tests/data/samples normalize completely.

mod util;

use std::path::{Path, PathBuf};

use normalog::sink::Collect;
use normalog::{NormalizerBuilder, Registry};

fn corpus_files() -> Option<Vec<PathBuf>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !root.is_dir() {
        return None;
    }
    let mut files = Vec::new();
    for dir in [root.clone(), root.join("edge")] {
        for entry in std::fs::read_dir(dir).expect("read corpus dir") {
            let p = entry.expect("entry").path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let jsonl = p.extension().is_some_and(|e| e == "jsonl");
            if jsonl && !name.ends_with(".provenance.jsonl") {
                files.push(p);
            }
        }
    }
    files.sort();
    Some(files)
}

fn normalize_file(path: &Path) -> (normalog::Summary, Collect) {
    let registry = Registry::builtin();
    let mut n = NormalizerBuilder::new()
        .build(&registry)
        .expect("normalizer");
    let mut sink = Collect::default();
    let file = std::fs::File::open(path).expect("open");
    let summary = normalog::pipeline::normalize_reader(&mut n, file, &mut sink).expect("run");
    (summary, sink)
}

#[test]
fn real_world_corpus_balances() {
    let Some(files) = corpus_files() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the shared corpus must be beside the repository in CI"
        );
        eprintln!("skipped: ../shared/corpus is not present");
        return;
    };
    assert!(files.len() >= 6, "corpus files found: {files:?}");
    for f in files {
        let lines = std::fs::read_to_string(&f)
            .expect("read")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .count() as u64;
        let (s, sink) = normalize_file(&f);
        assert_eq!(s.records, lines, "{}", f.display());
        assert_eq!(s.records, s.normalized + s.rejected, "{}", f.display());
        assert_eq!(sink.events.len() as u64, s.normalized);
        assert_eq!(sink.rejects.len() as u64, s.rejected);
        for r in &sink.rejects {
            // Every reject names the record and says what was wrong.
            assert!(r.starts_with("record "), "{r}");
            assert!(r.contains("(line "), "{r}");
            assert!(
                r.contains("missing required field")
                    || r.contains("does not match time format")
                    || r.contains("expected ")
                    || r.contains("invalid JSON"),
                "reject without an actionable reason: {r}"
            );
        }
    }
}

#[test]
fn shipped_samples_normalize_completely() {
    for name in ["zendesk_audit", "zoom_activity", "zoom_operation", "mixed"] {
        let (s, sink) = normalize_file(&util::data(&format!("samples/{name}.jsonl")));
        assert!(s.records > 0);
        assert_eq!(s.rejected, 0, "{name}: {:?}", sink.rejects);
    }
}
