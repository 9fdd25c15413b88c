//! The memory of a Parquet run that spills and merges stays bounded by its options, not by
//! the number of files it writes (review s40-h3 F3): a sparse archive (a record or two per
//! hour) made some 3 KB of Arrow slices and lists wait per partition in the merge, until
//! 65,536 rows had come, so a run of 80,000 files took 171 MB whatever
//! `--max-buffered-mib` said. Measured here as the peak of live heap bytes (a counting
//! allocator: the same on every machine), for twice the files.

// A counting global allocator needs `unsafe impl GlobalAlloc`; it only forwards to `System`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};

use normalog::pipeline::{Batch, Ignore, Input};
use normalog::sink::parquet::{Options, ParquetWriter};
use normalog::{NormalizerBuilder, Registry};

struct Peak;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let live = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Peak {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            grew(new_size - layout.size());
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Peak = Peak;

/// The peak of live heap bytes over a run of `hours` Zoom.Activity records, one an hour
/// (so one file each), in reverse time order (so the rows are spilled and merged), into a
/// new lake; and the files written.
fn peak_of(hours: u64, dir: &std::path::Path) -> (usize, u64) {
    let mut text = String::new();
    for h in (0..hours).rev() {
        let (day, hour) = (h / 24, h % 24);
        let date = time_of(day);
        writeln!(
            text,
            r#"{{"email":"u{h}@example.org","time":"{date}T{hour:02}:00:00Z","type":"Sign in","ip_address":"10.0.0.1"}}"#
        )
        .expect("a String takes it");
    }
    let input = dir.join(format!("in{hours}.jsonl"));
    std::fs::write(&input, text).expect("write");
    let lake = dir.join(format!("lake{hours}"));
    let opts = Options {
        max_buffered_bytes: 1 << 20,
        ..Options::default()
    };
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
    let mut writer = ParquetWriter::new(&lake, opts);
    let run = Batch::new()
        .threads(1)
        .run_parquet(
            &NormalizerBuilder::new(),
            &Registry::builtin(),
            &[Input::Path(input)],
            &mut writer,
            &mut Ignore,
        )
        .expect("run");
    assert_eq!(run.summary.normalized, hours);
    assert!(writer.spilled_rows() > 0, "the rows were not spilled");
    writer.commit().expect("commit");
    let files = writer.files_opened();
    drop(writer);
    (PEAK.load(Ordering::Relaxed), files)
}

/// `YYYY-MM-DD` of day `day` after 2020-01-01 (months of 28 days are enough for unique
/// hours: the test only needs each record in an hour of its own).
fn time_of(day: u64) -> String {
    let (year, rest) = (2020 + day / (12 * 28), day % (12 * 28));
    format!("{year}-{:02}-{:02}", rest / 28 + 1, rest % 28 + 1)
}

#[test]
fn merging_spilled_rows_holds_no_memory_per_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (small, small_files) = peak_of(3_000, dir.path());
    let (large, large_files) = peak_of(9_000, dir.path());
    assert_eq!((small_files, large_files), (3_000, 9_000));
    // What a file costs until the commit (its paths in the rename list and the layout's
    // maps: 1,199 bytes here) is allowed; the merge's slices of every file waiting (3,368
    // bytes a file more before the fix) are not.
    let per_file = large.saturating_sub(small) / 6_000;
    assert!(
        per_file < 2_000,
        "the peak grew by {per_file} bytes a file ({small} -> {large} bytes)"
    );
}
