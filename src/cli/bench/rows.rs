//! The rows `normalog bench` measures: the raw simd-json tape parse, the normalizer into a
//! sink (none, NDJSON), and Parquet files.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};

use simd_json::{Buffers, Tape};

use super::super::Fatal;
use super::measure::{best, on_threads, Measured};
use normalog::error::Error;
use normalog::event::Event;
use normalog::sink::ndjson::NdjsonWriter;
use normalog::sink::parquet::{self, ParquetWriter};
use normalog::sink::{Discard, Sink};
use normalog::{Normalizer, NormalizerBuilder, Position, Registry};

/// The rows measured slice by slice, side by side, in table order (Parquet writes files
/// and is measured apart, in whole runs: [`parquet_row`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Row {
    /// The raw simd-json tape parse (the limit).
    Raw,
    /// The parse stage without output.
    Parse,
    /// Normalize to NDJSON, into `io::sink`.
    Ndjson,
}

impl Row {
    /// Every row; `row as usize` indexes it.
    pub(super) const ALL: [Row; 3] = [Row::Raw, Row::Parse, Row::Ndjson];

    /// One run of this row over `parts` (one per thread).
    pub(super) fn measure(
        self,
        registry: &Registry,
        names: &[String],
        parts: &[Vec<&[u8]>],
    ) -> Result<Measured, Fatal> {
        match self {
            Row::Raw => on_threads(parts, |lines| Ok(raw_tape(lines))),
            Row::Parse => on_threads(parts, |lines| {
                normalize(registry, names, lines, Discard).map_err(Fatal::from)
            }),
            Row::Ndjson => on_threads(parts, |lines| {
                normalize(registry, names, lines, NdjsonWriter::new(io::sink()))
                    .map_err(Fatal::from)
            }),
        }
    }
}

/// Refuse a temporary directory that does not exist when the Parquet row runs (`--only`
/// none or `parquet`): it writes its files under it, and the writer would create it and
/// leave it (review s45-h6 LOW-2).
pub(super) fn check_temp_dir(only: Option<super::BenchPath>) -> Result<(), Fatal> {
    let tmp = std::env::temp_dir();
    if !matches!(only, None | Some(super::BenchPath::Parquet)) || tmp.is_dir() {
        return Ok(());
    }
    // Rust takes an empty TMPDIR as it is, where mktemp and Python take /tmp (review s46-h3
    // LOW-7): the row would write under the current directory.
    let what = if tmp.as_os_str().is_empty() {
        "TMPDIR is set but empty".to_owned()
    } else if tmp.exists() {
        format!("{}: not a directory", tmp.display())
    } else {
        format!("{}: no such directory", tmp.display())
    };
    Err(Fatal::Message(format!(
        "{what}: the Parquet row writes its files under the temporary directory (TMPDIR); \
         set TMPDIR to a directory, or leave the row out with --only"
    )))
}

/// The Parquet row: one [`ParquetWriter`] per thread (zstd, the default options), each
/// writing into its own temporary directory, removed afterwards. Its runs cover the whole
/// data (files are written), one per round of the other rows.
pub(super) fn parquet_row(
    registry: &Registry,
    names: &[String],
    parts: &[Vec<&[u8]>],
    repeat: u32,
) -> Result<Measured, Fatal> {
    let base = own_dir();
    let result = best(repeat, || {
        let _ = std::fs::remove_dir_all(&base);
        let run = AtomicUsize::new(0);
        on_threads(parts, |lines| {
            let dir = base.join(run.fetch_add(1, Ordering::Relaxed).to_string());
            let sink = ParquetWriter::new(&dir, parquet::Options::default());
            normalize(registry, names, lines, sink).map_err(Fatal::from)
        })
    });
    let _ = std::fs::remove_dir_all(&base);
    result
}

/// The Parquet row's directories under the temporary directory: this prefix, then the
/// process id and a token of the start time (process ids repeat across PID namespaces: two
/// benches as pid 1 in containers sharing a TMPDIR took one directory: review s45-h6
/// MEDIUM-1).
const DIR_PREFIX: &str = "normalog-bench-";

/// This bench's Parquet directory.
fn own_dir() -> std::path::PathBuf {
    static NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let name = NAME.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!("{DIR_PREFIX}{}-{nanos:x}", std::process::id())
    });
    std::env::temp_dir().join(name)
}

/// The lock of this bench's Parquet directory: `$TMPDIR/normalog-bench-<pid>-<token>.lock`,
/// an `flock` held while the bench runs, removed at its end. A killed bench leaves its
/// directory and the lock file, unlocked; [`remove_stale_dirs`] takes them away.
pub(super) struct DirLock {
    path: std::path::PathBuf,
    _file: Option<std::fs::File>,
}

impl DirLock {
    /// Create and lock this bench's lock file (where it cannot be, nothing: the directory
    /// is then only removed at the bench's end).
    pub(super) fn claim() -> DirLock {
        let mut path = own_dir().into_os_string();
        path.push(".lock");
        let path = std::path::PathBuf::from(path);
        let file = std::fs::File::create(&path).ok().filter(locked);
        DirLock { path, _file: file }
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Take an exclusive `flock` on `file` without waiting.
#[cfg(target_os = "linux")]
fn locked(file: &std::fs::File) -> bool {
    rustix::fs::flock(file, rustix::fs::FlockOperation::NonBlockingLockExclusive).is_ok()
}

/// Without `flock`, no lock: never taken.
#[cfg(not(target_os = "linux"))]
fn locked(_file: &std::fs::File) -> bool {
    false
}

/// Remove the Parquet directories of killed benches: those whose lock file
/// (`normalog-bench-<pid>-<token>.lock`, see [`DirLock`]) is there and no process holds (a
/// running bench holds its own, in any PID namespace; a directory without a lock file is
/// not a bench's, or not known to be: it stays). Returns the directories removed.
pub(super) fn remove_stale_dirs() -> Vec<std::path::PathBuf> {
    let tmp = std::env::temp_dir();
    let Ok(entries) = std::fs::read_dir(&tmp) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(id) = name
            .to_str()
            .and_then(|n| n.strip_prefix(DIR_PREFIX))
            .and_then(|n| n.strip_suffix(".lock"))
            .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'))
        else {
            continue;
        };
        let lock = entry.path();
        let Ok(file) = std::fs::File::open(&lock) else {
            continue;
        };
        if !locked(&file) {
            continue;
        }
        let dir = tmp.join(format!("{DIR_PREFIX}{id}"));
        if dir.is_dir() && std::fs::remove_dir_all(&dir).is_ok() {
            removed.push(dir);
        }
        let _ = std::fs::remove_file(&lock);
    }
    removed
}

/// The limit: simd-json's tape parse of each line, with reused buffers and tape.
pub(super) fn raw_tape(lines: &[&[u8]]) -> (u64, u64) {
    let mut buffers = Buffers::new(4096);
    let mut tape: Tape<'static> = Tape(Vec::new());
    let mut copy: Vec<u8> = Vec::new();
    let (mut ok, mut bad) = (0u64, 0u64);
    for line in lines {
        copy.clear();
        copy.extend_from_slice(line);
        let mut t: Tape<'_> = tape.reset();
        match simd_json::fill_tape(&mut copy, &mut buffers, &mut t) {
            Ok(()) => ok += u64::from(!t.0.is_empty()),
            Err(_) => bad += 1,
        }
        tape = t.reset();
    }
    (ok, bad)
}

/// Normalize each line into `sink` with a fresh normalizer; counts events and rejects.
pub(super) fn normalize<S: Sink<Error = Error>>(
    registry: &Registry,
    names: &[String],
    lines: &[&[u8]],
    sink: S,
) -> Result<(u64, u64), Error> {
    let mut normalizer: Normalizer = NormalizerBuilder::new()
        .log_types(names.iter().cloned())
        .build(registry)?;
    let mut counting = Counting {
        inner: sink,
        ok: 0,
        rejected: 0,
    };
    let mut byte = 0u64;
    for (i, line) in lines.iter().enumerate() {
        let pos = Position::new(byte, i as u64 + 1, i as u64);
        normalizer.normalize_bytes(line, pos, &mut counting)?;
        byte += line.len() as u64 + 1;
    }
    counting.finish(&normalog::Summary::default())?;
    Ok((counting.ok, counting.rejected))
}

/// Counts events and rejects on their way to another sink.
struct Counting<S> {
    inner: S,
    ok: u64,
    rejected: u64,
}

impl<S: Sink> Sink for Counting<S> {
    type Error = S::Error;
    fn record(&mut self, event: &Event<'_>) -> Result<bool, S::Error> {
        self.ok += 1;
        self.inner.record(event)
    }
    fn rejected(&mut self, _err: &Error) -> Result<bool, S::Error> {
        self.rejected += 1;
        Ok(true)
    }
    fn finish(&mut self, summary: &normalog::Summary) -> Result<(), S::Error> {
        self.inner.finish(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::super::measure::split;
    use super::*;
    use normalog::gen::GenOptions;

    #[test]
    fn counts_add_up() {
        let registry = Registry::builtin();
        let names: Vec<String> = registry.log_types().map(str::to_owned).collect();
        let data = normalog::gen::Generator::new(
            &registry,
            &names,
            &GenOptions {
                seed: 2,
                invalid_rate: 0.1,
                ..GenOptions::default()
            },
        )
        .unwrap()
        .generate(500);
        let parts = split(&data, 2);
        let Ok(raw) = on_threads(&parts, |l| Ok(raw_tape(l))) else {
            panic!("raw parse failed")
        };
        let Ok(ours) = on_threads(&parts, |l| {
            normalize(&registry, &names, l, Discard).map_err(Fatal::from)
        }) else {
            panic!("normalize failed")
        };
        assert_eq!(raw.ok + raw.rejected, 500);
        assert_eq!(ours.ok + ours.rejected, 500);
        assert!(ours.rejected >= raw.rejected && ours.rejected > 0);
    }
}
