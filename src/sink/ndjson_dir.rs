//! NDJSON in the data-lake directory layout: the lines of [`super::ndjson`], one table per
//! log type, partitioned by event time ([`super::layout`]):
//! `DIR/zoom_activity/year=2023/month=7/day=1/hour=14/part-0.ndjson`.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use super::layout::{table_name, PartFile, Partition, Parts};
use super::ndjson::{write_event, Options};
use crate::event::Event;

/// A [`Sink`](super::Sink) writing NDJSON files in the directory layout of
/// [`super::layout`]. Nothing appears under a final name until [`commit`](Self::commit) (or
/// [`Sink::finish`](super::Sink::finish)); dropped without it, the writer removes its
/// temporary files.
pub struct NdjsonDirWriter {
    opts: Options,
    parts: Parts<NdjsonPart>,
    /// Table index per log type.
    tables: Vec<(Arc<str>, usize)>,
    buf: Vec<u8>,
}

impl std::fmt::Debug for NdjsonDirWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NdjsonDirWriter")
            .field("opts", &self.opts)
            .field("tables", &self.tables)
            .finish_non_exhaustive()
    }
}

struct NdjsonPart {
    out: io::BufWriter<File>,
    /// Bytes written (buffered included).
    bytes: u64,
}

impl PartFile for NdjsonPart {
    type Table = ();
    const EXT: &'static str = "ndjson";
    fn open(file: File, (): &()) -> Result<Self, crate::Error> {
        Ok(NdjsonPart {
            out: io::BufWriter::with_capacity(1 << 16, file),
            bytes: 0,
        })
    }
    fn size(&self) -> u64 {
        self.bytes
    }
    fn finish(mut self) -> Result<(), crate::Error> {
        self.out.flush()?;
        Ok(())
    }
}

impl NdjsonDirWriter {
    /// A writer into `dir`, with at most `max_open_files` files open at once.
    #[must_use]
    pub fn new(dir: &Path, partition: Partition, max_open_files: usize, opts: Options) -> Self {
        NdjsonDirWriter {
            opts,
            parts: Parts::new(dir, partition, max_open_files),
            tables: Vec::new(),
            buf: Vec::new(),
        }
    }

    /// The NDJSON options.
    #[must_use]
    pub fn options(&self) -> Options {
        self.opts
    }

    /// The partitioning.
    #[must_use]
    pub fn partition(&self) -> Partition {
        self.parts.partition()
    }

    /// Name this run's part files after `id`, so that a re-run with the same id replaces
    /// them: as [`ParquetWriter::set_run_id`](super::parquet::ParquetWriter::set_run_id).
    pub fn set_run_id(&mut self, id: u64) {
        self.parts.set_run(id);
    }

    /// Remove the files of the earlier runs `ids` when this run commits: as
    /// [`ParquetWriter::supersede_runs`](super::parquet::ParquetWriter::supersede_runs).
    pub fn supersede_runs(&mut self, ids: &[u64]) {
        self.parts.supersede(ids);
    }

    /// Decide again at the commit which runs this one supersedes: as
    /// [`ParquetWriter::supersede_runs_decided_by`](super::parquet::ParquetWriter::supersede_runs_decided_by).
    pub fn supersede_runs_decided_by(&mut self, decide: crate::sink::layout::SupersedeDecider) {
        self.parts.supersede_decided_by(decide);
    }

    /// Record the run's inputs with its commit: as
    /// [`ParquetWriter::set_run_inputs`](super::parquet::ParquetWriter::set_run_inputs).
    pub fn set_run_inputs(&mut self, list: String) {
        self.parts.set_inputs_list(list);
    }

    /// Close a part file once it holds `bytes` or more, and write the partition's next lines
    /// into its next part; `None` (the default): one file per partition.
    pub fn set_target_file_size(&mut self, bytes: Option<u64>) {
        self.parts.set_target_size(bytes);
    }

    /// Rename the part files into place on up to `threads` threads when committing
    /// (default 1; [`Batch::run_ndjson_dir`](crate::pipeline::Batch::run_ndjson_dir) gives
    /// its own): with thousands of partitions, one rename after another is slow.
    pub(crate) fn set_threads(&mut self, threads: usize) {
        self.parts.set_threads(threads);
    }

    /// Stop when `flag` becomes true: as
    /// [`ParquetWriter::cancel_on`](super::parquet::ParquetWriter::cancel_on).
    pub fn cancel_on(&mut self, flag: Arc<AtomicBool>) {
        self.parts.cancel_on(flag);
    }

    /// What the commit removed of an earlier run with the same identity: as
    /// [`ParquetWriter::replaced`](super::parquet::ParquetWriter::replaced).
    #[must_use]
    pub fn replaced(&self) -> Option<&crate::sink::layout::Replaced> {
        self.parts.replaced.as_ref()
    }

    /// Refuse a run whose tables hold other runs' files of another layout: as
    /// [`ParquetWriter::check_layout`](super::parquet::ParquetWriter::check_layout) (here,
    /// files are opened as rows come).
    ///
    /// # Errors
    ///
    /// A table directory holds files of another run in another layout.
    pub fn check_layout<'a>(
        &self,
        log_types: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), crate::error::Error> {
        self.parts.check_layout(log_types)
    }

    /// Part files opened so far.
    #[must_use]
    pub fn files_opened(&self) -> u64 {
        self.parts.files_opened
    }

    /// Part files closed because they reached the target file size.
    #[must_use]
    pub fn rotated_files(&self) -> u64 {
        self.parts.rotated_files
    }

    /// Part files opened for a partition that already had one in this run: as
    /// [`ParquetWriter::extra_files`](super::parquet::ParquetWriter::extra_files).
    #[must_use]
    pub fn extra_files(&self) -> u64 {
        self.parts.extra_files
    }

    /// Write one event into the file of its log type and event time.
    ///
    /// # Errors
    ///
    /// I/O errors.
    pub fn write_event(&mut self, event: &Event<'_>) -> Result<(), crate::Error> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        write_event(&mut buf, event, self.opts);
        buf.push(b'\n');
        let key = self.parts.partition().key(&event.event_time());
        let result = self.write_lines(event.log_type(), key, &buf);
        self.buf = buf;
        result
    }

    /// Write whole lines of `log_type` into the file of partition `key`
    /// ([`Partition::key`]).
    pub(crate) fn write_lines(
        &mut self,
        log_type: &str,
        key: i64,
        lines: &[u8],
    ) -> Result<(), crate::Error> {
        let found = self.tables.iter().find(|(lt, _)| &**lt == log_type);
        let table = if let Some((_, t)) = found {
            *t
        } else {
            let t = self.parts.table(&table_name(log_type));
            self.tables.push((log_type.into(), t));
            t
        };
        let file = self.parts.file(table, key, &())?;
        file.out.write_all(lines)?;
        file.bytes += lines.len() as u64;
        Ok(())
    }

    /// Close every file and rename all files into place.
    ///
    /// # Errors
    ///
    /// I/O errors.
    pub fn commit(&mut self) -> Result<(), crate::Error> {
        self.parts.commit()
    }
}

impl super::Sink for NdjsonDirWriter {
    type Error = crate::Error;
    fn record(&mut self, event: &Event<'_>) -> Result<bool, crate::Error> {
        self.write_event(event)?;
        Ok(true)
    }
    fn finish(&mut self, _summary: &super::Summary) -> Result<(), crate::Error> {
        self.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A commit with no file to put in place and no earlier commit of its run writes
    /// nothing (no manifest, no lock directory); after an earlier commit of its run, it
    /// still removes that commit's files.
    #[test]
    fn a_commit_of_nothing_writes_nothing() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        let writer = || {
            let mut w = NdjsonDirWriter::new(dir, Partition::None, 4, Options::default());
            w.set_run_id(7);
            w
        };
        writer().commit().expect("commit");
        assert_eq!(std::fs::read_dir(dir).expect("read").count(), 0);
        let mut w = writer();
        w.write_lines("Zoom.Activity", 0, b"{}\n").expect("write");
        w.commit().expect("commit");
        drop(w);
        let part = dir.join("zoom_activity/part-0000000000000007-0.ndjson");
        assert!(part.exists());
        // The same run again, with nothing this time: its earlier file goes.
        writer().commit().expect("commit");
        assert!(!part.exists());
    }

    /// Two runs without an identity (from standard input) writing the same directory at the
    /// same time both chose `part-0` when they opened their files: the second to commit
    /// puts its file in place as `part-1`, and no row of either is lost.
    #[test]
    fn concurrent_adding_runs_keep_each_others_files() {
        let tmp = tempfile::tempdir().expect("tempdir");
        for partition in [Partition::None, Partition::Hour] {
            // A directory each: one table keeps one layout.
            let dir = &tmp.path().join(format!("{partition:?}"));
            let mut first = NdjsonDirWriter::new(dir, partition, 4, Options::default());
            let mut second = NdjsonDirWriter::new(dir, partition, 4, Options::default());
            first
                .write_lines("Zoom.Activity", 3, b"{\"run\":1}\n")
                .expect("write");
            second
                .write_lines("Zoom.Activity", 3, b"{\"run\":2}\n")
                .expect("write");
            first.commit().expect("commit");
            second.commit().expect("commit");
            drop((first, second));
            let part_dir = match partition {
                Partition::None => dir.join("zoom_activity"),
                p => dir.join("zoom_activity").join(p.dir(3)),
            };
            let mut contents: Vec<String> = std::fs::read_dir(&part_dir)
                .expect("read")
                .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("file"))
                .collect();
            contents.sort();
            assert_eq!(
                contents,
                ["{\"run\":1}\n", "{\"run\":2}\n"],
                "{partition:?}"
            );
            assert!(
                part_dir.join("part-0.ndjson").exists() && part_dir.join("part-1.ndjson").exists()
            );
        }
    }

    /// A rename that fails in the middle of a commit on several threads: the commit says
    /// which file, and that the next run completes it; the journal and the files not yet
    /// renamed stay (a commit is never half undone), and once the obstacle is gone
    /// [`recover`](crate::sink::layout::recover) puts every file in place and leaves nothing
    /// hidden.
    #[test]
    fn a_failed_rename_is_completed_by_the_next_recovery() {
        fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).expect("read").flatten() {
                let path = e.path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push(path);
                }
            }
        }
        let names = |p: &std::path::PathBuf| {
            p.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned()
        };
        for threads in [1, 2, 4] {
            let tmp = tempfile::tempdir().expect("tempdir");
            let dir = tmp.path();
            let mut w = NdjsonDirWriter::new(dir, Partition::Hour, 64, Options::default());
            w.set_run_id(7);
            w.set_threads(threads);
            for hour in 0..40 {
                w.write_lines("Zoom.Activity", hour, b"{}\n")
                    .expect("write");
            }
            // A directory, not empty, where the part of hour 20 goes: its rename fails.
            let blocked = dir
                .join("zoom_activity")
                .join(Partition::Hour.dir(20))
                .join("part-0000000000000007-0.ndjson");
            std::fs::create_dir_all(blocked.join("inside")).expect("mkdir");
            let err = w.commit().expect_err("a rename fails").to_string();
            assert!(
                err.contains("hour=20") && err.contains("the next run into"),
                "{threads}: {err}"
            );
            drop(w);
            let mut left = Vec::new();
            walk(dir, &mut left);
            let journal = |p: &&std::path::PathBuf| {
                p.starts_with(dir.join(crate::sink::layout::paths::COMMITS_DIR))
            };
            assert_eq!(
                left.iter().filter(journal).count(),
                1,
                "{threads}: {left:?}"
            );
            assert!(left.iter().any(|p| names(p).starts_with(".part-")));
            std::fs::remove_dir_all(&blocked).expect("remove the obstacle");
            let got = crate::sink::layout::recover(dir).expect("recover");
            assert_eq!(got.commits_completed, 1, "{threads}");
            let mut left = Vec::new();
            walk(dir, &mut left);
            let parts: Vec<_> = left
                .iter()
                .filter(|p| !p.starts_with(dir.join(crate::sink::layout::paths::CONTROL_DIR)))
                .collect();
            assert_eq!(parts.len(), 40, "{threads}: {parts:?}");
            for p in parts {
                assert!(names(p).starts_with("part-0000000000000007-"), "{p:?}");
                assert_eq!(std::fs::read(p).expect("read"), b"{}\n");
            }
            assert!(left.iter().all(|p| !names(p).starts_with('.')), "{left:?}");
            assert!(!left.iter().any(|p| journal(&p)), "{left:?}");
        }
    }
}
