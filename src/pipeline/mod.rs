//! Batch runs: read inputs, frame records, normalize them on all cores, count everything.
//!
//! A [`Batch`] holds the options of a run. It drives normalization three ways (and a fourth,
//! [`Batch::run_batches`], that hands Arrow batches to the caller):
//!
//! * [`Batch::run_ndjson`], the parallel path: a reader thread decodes the inputs
//!   ([`input`]) and cuts them into chunks on record boundaries (see
//!   [Framing](#framing)); a pool of worker threads, each with its own [`Normalizer`],
//!   normalizes chunks into NDJSON bytes held with the chunk; the calling thread writes
//!   chunks in input order. Output is the same whatever the number of threads (except
//!   `p_row_id` and `p_parse_time`). Memory is bounded by the chunks in flight: a fixed
//!   set of buffers circulates from the reader to the workers to the writer and back, so
//!   the reader waits when the writer is behind.
//! * [`Batch::run`], the single-threaded path into any [`Sink`]. It frames inputs the same
//!   way and reports the same rejects and counts.
//!
//! * [`Batch::run_parquet`] and [`Batch::run_ndjson_dir`], the parallel path into the
//!   data-lake layout: workers encode each chunk (Arrow record batches, one per log type;
//!   or NDJSON lines with their partition), and the calling thread hands them in input
//!   order to a [`ParquetWriter`] or [`NdjsonDirWriter`], which splits them by partition.
//!   [`Batch::run_batches`] is the same Arrow path without files: the batches go to the
//!   caller, in input order.
//!
//! Why a separate parallel path per output: the workers encode events themselves, because
//! an [`Event`](crate::Event) borrows the worker's buffers and cannot cross threads. So
//! the expensive per-event work (walking the event, appending to Arrow builders or NDJSON
//! bytes) runs on all cores; what crosses to the ordered writer is owned output: bytes, or
//! record batches. For Parquet the calling thread only splits batches by partition and
//! sends each file's rows, in order, to the writer thread that owns the file, which encodes
//! and compresses its pages (parquet's `ArrowWriter` is one writer per file, so a file's
//! pages are never encoded on two threads); see
//! [the `parquet` module](crate::sink::parquet#threads).
//!
//! Every record ends as exactly one event or one reject: in [`RunSummary::summary`],
//! `records == normalized + rejected` always holds. Problems that concern one record or
//! one input are reported to an [`Observer`] (in input order) and the run goes on; the
//! library itself never prints.
//!
//! # Example
//!
//! ```
//! use normalog::pipeline::{Batch, Ignore, Input};
//! use normalog::{NormalizerBuilder, Registry};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("zoom.ndjson");
//! std::fs::write(&path, "{\"email\":\"a@x.com\",\"time\":\"2023-07-01T14:00:00Z\"}\n")?;
//! let registry = Registry::builtin();
//! let mut out = Vec::new();
//! let run = Batch::new().threads(2).run_ndjson(
//!     &NormalizerBuilder::new(),
//!     &registry,
//!     &[Input::Path(path)],
//!     &mut out,
//!     Default::default(),
//!     &mut Ignore,
//! )?;
//! assert_eq!(run.summary.normalized, 1);
//! assert!(out.starts_with(br#"{"email":"a@x.com""#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Framing
//!
//! How a [`Batch`] run turns inputs into records: the reader cuts each decoded input into
//! chunks on record boundaries, and the workers split the chunks into records.
//!
//! The framing is detected from the content of each input, never from its name:
//!
//! * **NDJSON** (the fast path): one record per line, with the rules of
//!   [`parse::frame`](crate::parse::frame) that every entry point shares (byte-order mark,
//!   CRLF, blank lines, record limit); blank lines are counted. The reader cuts the stream
//!   into chunks of about [`Batch::chunk_bytes`] made of whole
//!   lines (8,192 lines at most: a worker holds its chunk's rejects until the chunk is
//!   written, and short lines that all fail would hold far more than the chunk's bytes),
//!   so workers can normalize chunks independently; from standard input or a pipe
//!   into [`run_ndjson`](Batch::run_ndjson), also whenever a read finds less than it asked
//!   for (the stream paused: `tail -f`), and that chunk's events are flushed. A line longer than the record
//!   limit is never buffered: it is skipped to its end and becomes one `too_long` reject.
//! * **Whole JSON documents**, when a JSON log type is loaded (with text log types alone,
//!   every input is lines): an input whose first non-blank byte is `[`, or whose first
//!   line opens a `{` it does not close (a pretty-printed object), is read whole (up to
//!   [`Batch::max_document_bytes`]; beyond that it is
//!   framed as NDJSON) and parsed as a sequence of JSON values. A top-level array is a list
//!   of records; a top-level object is a record. If the document is not valid JSON, it is
//!   framed as NDJSON instead, so every line is accounted for (and
//!   [`Observer::document_not_json`] is told where its JSON breaks). The reader checks the
//!   document and cuts it into chunks of its records (8,192 at most, about
//!   [`Batch::chunk_bytes`]), which the workers normalize like chunks of lines; whole,
//!   when a CSV log type with `hasHeader` is loaded (it takes its header from the
//!   document's first record, which a chunk from the middle would not show it).
//! * **API pages (envelopes)**: an object record that no schema accepts and that holds
//!   the records of a vendor's page in exactly one of the vendors' page fields
//!   (`audit_logs` of Zendesk `{"audit_logs":[...],"meta":..}`, `activity_logs` and
//!   `operation_logs` of Zoom `{"from":..,"activity_logs":[...]}`) is unwrapped: each
//!   element of the array is a record, and an empty page holds no record (it is counted
//!   in [`Summary::empty_pages`](crate::sink::Summary::empty_pages)). An element that is
//!   not an object (`null`, a number) is rejected on its own. The pages of other APIs are
//!   unwrapped when [`Batch::envelope`] names their field: guessed from an object's shape
//!   (an array under a key no schema names, beside keys that look like paging data),
//!   refused records of users' schemas were taken for pages, and vanished as empty ones
//!   or were replaced by their items. The reader cannot tell a page from a record, so a
//!   page reaches a worker whole; one of more than 8,192 elements is cut there into parts
//!   of at most that many elements and about [`Batch::chunk_bytes`], written one after
//!   the other like chunks (see `split.rs`). A page longer than the record limit (read
//!   whole as a document) is unwrapped without being tried as a record, the limit
//!   applying to each element, when [`Batch::envelope`] names its field or (not set) it is
//!   a vendor's page; otherwise it is a record, too long.
//! * **Single-record responses**: an object record that no schema accepts and whose only
//!   field is `audit_log` holding an object (Zendesk's "show audit log") is that object:
//!   it is normalized, or rejected with its own reason, inside the field.
//! * Neither when that field is a top-level field of one of the JSON log types tried: the
//!   object is then a record of that type that was refused, and is rejected with its own
//!   reason. With [`Batch::envelope`] set, an object holding that field as an array or as
//!   an object is unwrapped without being tried as a record first.
//!
//! Positions: `line` and `byte` always point at the record itself in the decoded input
//! (for a page element or a single-record response, at the object inside the envelope).
//! `record` is the record's 0-based index in its input (blank lines take none; a line a
//! text log type skips, such as a CSV header or a comment, takes one, in every chunk
//! alike), except for page elements, where it
//! is the index inside the page (and the reject carries that index as
//! [`Reject::index`]). Rejects of records found inside an envelope
//! name its field ([`Reject::field`]).

#[cfg(feature = "parquet")]
mod batches;
mod chunk;
mod chunker;
mod emitter;
mod envelope;
mod gzip;
pub mod input;
mod lines;
mod observe;
mod parallel;
mod pipe;
mod records;
pub mod rejects;
mod sequential;
mod split;

use std::io::{self, Read, Write};
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::error::Error;
use crate::parse::{Normalizer, NormalizerBuilder};
use crate::registry::Registry;
use crate::sink::ndjson;
use crate::sink::ndjson_dir::NdjsonDirWriter;
#[cfg(feature = "parquet")]
use crate::sink::parquet::ParquetWriter;
use crate::sink::{Sink, Summary};
use chunk::Framing;
use chunker::Source;
pub use input::{expand, Compression, Expander, Input, SharedReader};
pub use observe::{Ignore, Observer, Progress, Reject, RunSummary};

/// Default target size of a chunk of NDJSON input.
pub const DEFAULT_CHUNK_BYTES: usize = 1 << 20;
/// Default limit on a whole-document input (JSON array or pretty-printed page).
pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 64 << 20;
/// Most worker threads of a run ([`Batch::threads`]): far more than cores only costs
/// memory and the kernel's time (100,000 took 8 s of system time to start).
pub const MAX_THREADS: usize = 1024;

/// Options of a batch run.
#[derive(Debug, Clone)]
pub struct Batch {
    chunk_bytes: usize,
    /// Set only by the deprecated [`Batch::max_record_bytes`]: the run's limit is the
    /// normalizer's.
    max_record_bytes: Option<usize>,
    max_document_bytes: usize,
    max_expansion: input::ExpansionLimits,
    envelope: Option<String>,
    threads: usize,
    max_rejects: Option<u64>,
    cancel: Option<Arc<AtomicBool>>,
    /// [`Batch::live`]: the framing of the run on the caller's thread.
    live: bool,
}

impl Default for Batch {
    fn default() -> Self {
        Batch {
            chunk_bytes: DEFAULT_CHUNK_BYTES,
            max_record_bytes: None,
            max_document_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
            max_expansion: input::ExpansionLimits::default(),
            envelope: None,
            threads: std::thread::available_parallelism().map_or(1, NonZeroUsize::get),
            max_rejects: None,
            cancel: None,
            live: false,
        }
    }
}

impl Batch {
    /// Defaults: 1 MiB chunks, 64 MiB documents, compressed inputs expanding at most
    /// [`input::ExpansionLimits::default`] allows, one worker per core, pages detected
    /// automatically, no reject limit. The record size limit is the normalizer's
    /// ([`NormalizerBuilder::max_record_bytes`], 16 MiB by default).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Target size of a chunk: NDJSON input is cut at the first line end past it, or after
    /// 8,192 lines.
    pub fn chunk_bytes(&mut self, bytes: usize) -> &mut Self {
        self.chunk_bytes = bytes.max(1);
        self
    }

    /// Deprecated: set [`NormalizerBuilder::max_record_bytes`] instead. A run takes its
    /// record size limit from the normalizer it runs with (a record over it is rejected
    /// as `too_long`, and an over-long line is skipped without being buffered). When this
    /// is set too, the lower of the two limits applies to the whole run, so the framing
    /// and the normalizer always agree.
    #[deprecated(
        note = "set NormalizerBuilder::max_record_bytes: a run takes its normalizer's limit"
    )]
    pub fn max_record_bytes(&mut self, bytes: usize) -> &mut Self {
        self.max_record_bytes = Some(bytes);
        self
    }

    /// A whole-document input (JSON array, pretty-printed object) is read whole up to
    /// this size; a larger one is framed as NDJSON.
    pub fn max_document_bytes(&mut self, bytes: usize) -> &mut Self {
        self.max_document_bytes = bytes;
        self
    }

    /// The largest ratio of decompressed to compressed bytes a gzip or zstd input may reach
    /// once it has given [`input::BOMB_ALLOWANCE`] bytes, the same for both; `None`: no limit.
    /// Without it, [`input::MAX_EXPANSION_RATIO`] for gzip and
    /// [`input::MAX_ZSTD_EXPANSION_RATIO`] for zstd. An input past it fails there (a decompression bomb, or
    /// a very repetitive log), and the run goes on with the next one.
    pub fn max_expansion(&mut self, ratio: Option<u64>) -> &mut Self {
        self.max_expansion = input::ExpansionLimits::all(ratio);
        self
    }

    /// Name the field of API responses: an object holding it as an array of objects (a
    /// page) or as an object (a single-record response) is unwrapped without being tried
    /// as a record. `None` (the default) unwraps an object that no schema accepts when it
    /// holds a vendor's page (`audit_logs`, `activity_logs`, `operation_logs`) or is
    /// Zendesk's single-record response (`audit_log`).
    pub fn envelope(&mut self, field: Option<String>) -> &mut Self {
        self.envelope = field;
        self
    }

    /// For the run on the caller's thread ([`run`](Self::run)), whose sink or observer shows
    /// what it is told as it comes: the lines of a stream input (standard input, a pipe) are
    /// normalized as soon as a read finds the stream paused (`tail -f`), not a chunk's worth
    /// at a time, and [`Progress::paused`] tells the observer. Off by default: for files, or
    /// a fast producer, a chunk's worth is cheaper. The parallel runs choose for
    /// themselves: live for [`run_ndjson`](Self::run_ndjson), not for Parquet.
    pub fn live(&mut self, live: bool) -> &mut Self {
        self.live = live;
        self
    }

    /// The framing of a run with normalizers like `norm`: one record limit for the chunker,
    /// the workers and the normalizer; JSON documents only when they have JSON log types;
    /// `live` ([`Framing::live`]) for a run whose events go to a stream.
    fn framing(&self, norm: &Normalizer, live: bool) -> Framing {
        let normalizer_limit = norm.max_record_bytes;
        Framing {
            chunk_bytes: self.chunk_bytes,
            max_record_bytes: self
                .max_record_bytes
                .map_or(normalizer_limit, |own| own.min(normalizer_limit)),
            max_document_bytes: self.max_document_bytes,
            max_expansion: self.max_expansion,
            envelope: self.envelope.clone(),
            live,
            documents: norm.reads_json(),
            reads_headers: norm.reads_headers(),
            skip_lines: norm.skip_lines().into(),
        }
    }

    /// Worker threads of the parallel runs (1 to [`MAX_THREADS`]; `n` is clamped to that
    /// range); with 2 or more, [`run_parquet`](Self::run_parquet) also starts as many
    /// Parquet writer threads (at most the writer's
    /// [`max_open_files`](crate::sink::parquet::Options::max_open_files)).
    pub fn threads(&mut self, n: usize) -> &mut Self {
        self.threads = n.clamp(1, MAX_THREADS);
        self
    }

    /// Stop once more than this many records were rejected (a safety valve for a schema
    /// that does not fit the data): the run stops at the end of the chunk
    /// ([`chunk_bytes`](Self::chunk_bytes)) in which the limit was passed and sets
    /// [`RunSummary::too_many_rejects`]. The observer is told of the first `n + 1` rejects
    /// only; the summary counts every record of the chunks read, and the sink was given all
    /// their events and rejects (workers run ahead of the count). A caller that treats the
    /// limit as a failure discards the sink's output, as the CLI does.
    pub fn max_rejects(&mut self, n: Option<u64>) -> &mut Self {
        self.max_rejects = n;
        self
    }

    /// Cancel the run when `flag` becomes true (set it from a signal handler, another
    /// thread, a deadline): the reader stops cutting chunks, the workers stop taking them,
    /// and the run returns [`ErrorKind::Cancelled`](crate::ErrorKind::Cancelled) after the
    /// chunk being written, within a fraction of a second. The directory writers of
    /// [`run_parquet`](Self::run_parquet) and [`run_ndjson_dir`](Self::run_ndjson_dir) get
    /// the flag too, so that their commit refuses to put anything in place once it is set
    /// (see [`ParquetWriter::cancel_on`]). The library never installs a signal handler: the
    /// application decides what stops a run.
    pub fn cancel_on(&mut self, flag: Arc<AtomicBool>) -> &mut Self {
        self.cancel = Some(flag);
        self
    }

    /// Whether the flag of [`cancel_on`](Self::cancel_on) is set.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.cancelled()
    }

    fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|f| f.load(Ordering::Relaxed))
    }

    /// Normalize every input on [`threads`](Self::threads) workers and write NDJSON events
    /// to `out` in input order. Each worker builds its normalizer from `builder`.
    ///
    /// # Errors
    ///
    /// A normalizer cannot be built (unknown log type), writing `out` fails, or the
    /// observer fails. Unreadable inputs and bad records do not stop the run.
    pub fn run_ndjson<W, O>(
        &self,
        builder: &NormalizerBuilder,
        registry: &Registry,
        inputs: &[Input],
        out: &mut W,
        opts: ndjson::Options,
        observer: &mut O,
    ) -> Result<RunSummary, Error>
    where
        W: Write + ?Sized,
        O: Observer + ?Sized,
    {
        let run = parallel::run(
            self,
            builder,
            registry,
            inputs,
            || parallel::NdjsonEncoder { opts },
            |chunk, ()| {
                out.write_all(&chunk.bufs.out)?;
                // Events of a stream that paused reach the reader now, not with the next
                // chunk's worth.
                if chunk.live {
                    out.flush()?;
                }
                Ok(())
            },
            observer,
        )?;
        out.flush()?;
        Ok(run)
    }

    #[cfg(feature = "parquet")]
    /// Normalize every input on [`threads`](Self::threads) workers into Parquet: each worker
    /// builds Arrow record batches (one per log type per chunk), and this thread hands them
    /// to `writer` in input order; with 2 threads or more, as many writer threads encode the
    /// files for the run (each file on one of them, rows in input order; see
    /// [the `parquet` module](crate::sink::parquet#threads)). The files appear when the caller
    /// [commits](ParquetWriter::commit) the writer; dropping it instead removes them.
    ///
    /// # Errors
    ///
    /// A normalizer cannot be built, writing fails, or the observer fails. Unreadable
    /// inputs and bad records do not stop the run.
    pub fn run_parquet<O>(
        &self,
        builder: &NormalizerBuilder,
        registry: &Registry,
        inputs: &[Input],
        writer: &mut ParquetWriter,
        observer: &mut O,
    ) -> Result<RunSummary, Error>
    where
        O: Observer + ?Sized,
    {
        if let Some(flag) = &self.cancel {
            writer.cancel_on(Arc::clone(flag));
        }
        writer.start_threads(self.threads)?;
        let run = parallel::run(
            self,
            builder,
            registry,
            inputs,
            batches::BatchEncoder::<false>::default,
            |_, batches: batches::Batches| {
                for (log_type, batch) in batches? {
                    writer.write_batch(&log_type, &batch)?;
                }
                Ok(())
            },
            observer,
        );
        // A writer thread's error first: the run's may only say that the thread is gone.
        writer.stop_threads()?;
        run
    }

    /// Normalize every input on [`threads`](Self::threads) workers into NDJSON files in the
    /// directory layout of `writer` (one table per log type, partitioned by event time).
    /// Lines are in input order within each file. The files appear when the caller
    /// [commits](NdjsonDirWriter::commit) the writer.
    ///
    /// # Errors
    ///
    /// As [`run_parquet`](Self::run_parquet).
    pub fn run_ndjson_dir<O>(
        &self,
        builder: &NormalizerBuilder,
        registry: &Registry,
        inputs: &[Input],
        writer: &mut NdjsonDirWriter,
        observer: &mut O,
    ) -> Result<RunSummary, Error>
    where
        O: Observer + ?Sized,
    {
        if let Some(flag) = &self.cancel {
            writer.cancel_on(Arc::clone(flag));
        }
        writer.set_threads(self.threads);
        let (opts, partition) = (writer.options(), writer.partition());
        parallel::run(
            self,
            builder,
            registry,
            inputs,
            || parallel::NdjsonRunsEncoder { opts, partition },
            |chunk, runs: parallel::Runs| {
                for (log_type, key, range) in runs {
                    writer.write_lines(&log_type, key, &chunk.bufs.out[range])?;
                }
                Ok(())
            },
            observer,
        )
    }
}

/// Normalize NDJSON (or a JSON document, or an API page) from any reader into a sink (no
/// observer), for embedding. Compressed input is decoded; the framing, rejects and counts
/// are those of a [`Batch::run`] over one input named `<reader>`.
///
/// It reads on the calling thread, so any reader will do: a borrowed one (`&[u8]`,
/// `&mut File`, `reader.by_ref()`), a lock (`io::stdin().lock()`), one that is not `Send`
/// (`Box<dyn Read>`). The reader is read to its end (or until the sink stops the run),
/// 64 KiB at a time: buffering it first with a `BufReader` adds nothing. For parallel
/// runs, which read on a thread of their own, give [`Batch`] owned inputs:
/// [`Input::Path`], or [`Input::Reader`] for a reader that is `Send + 'static`.
///
/// # Errors
///
/// The sink's errors, and I/O errors of the reader (a truncated gzip stream, a connection
/// reset): the message says how many records were read before, whose events and rejects
/// the sink was given. For the counts of a run whose input may fail, and each failure as
/// its own report, use [`Batch::run`] with an [`Observer`].
///
/// # Example
///
/// ```
/// use normalog::pipeline::normalize_reader;
/// use normalog::{sink::Collect, NormalizerBuilder, Registry};
///
/// let registry = Registry::builtin();
/// let mut normalizer = NormalizerBuilder::new().build(&registry)?;
/// let data = String::from(concat!(
///     r#"{"email":"ann@example.com","time":"2023-07-01T14:00:00Z"}"#,
///     "\nnot json\n",
/// ));
/// let mut out = Collect::default();
/// // A borrowed slice of a local: no copy, no `'static`.
/// let summary = normalize_reader(&mut normalizer, data.as_bytes(), &mut out)?;
/// assert_eq!((summary.records, summary.normalized, summary.rejected), (2, 1, 1));
/// assert_eq!(out.events.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn normalize_reader<R: Read, S: Sink + ?Sized>(
    normalizer: &mut Normalizer,
    reader: R,
    sink: &mut S,
) -> Result<Summary, S::Error> {
    struct Failed(Option<io::Error>);
    impl Observer for Failed {
        fn input_failed(&mut self, _: &str, err: &io::Error, records: u64) {
            // The events before the failure went to the sink: say how many records there
            // were, as the summary that the error replaces would have; an expansion limit
            // stays known by its type ([`input::ExpansionExceeded::of`]).
            self.0 = Some(io::Error::new(
                err.kind(),
                ReaderFailed {
                    message: format!(
                        "<reader>: {err} (after {records} record{})",
                        if records == 1 { "" } else { "s" }
                    ),
                    expansion: input::ExpansionExceeded::of(err).copied(),
                },
            ));
        }
    }
    let reader: Box<dyn Read + '_> = Box::new(reader);
    let mut failed = Failed(None);
    let run = Batch::new().run_source(
        normalizer,
        Source::Borrowed(Some(reader)),
        sink,
        &mut failed,
    )?;
    if let Some(e) = failed.0 {
        return Err(S::Error::from(Error::from(e)));
    }
    Ok(run.summary)
}

/// The error of [`normalize_reader`]'s reader: its message, and the expansion limit that
/// stopped it, if that is what did.
#[derive(Debug)]
struct ReaderFailed {
    message: String,
    expansion: Option<input::ExpansionExceeded>,
}

impl std::fmt::Display for ReaderFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ReaderFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.expansion
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests;
