//! Batch runs: read inputs, frame records, normalize them, count everything.
//!
//! [`run`] drives a [`Normalizer`] over a list of [`Input`]s and a [`Sink`], and returns a
//! [`Summary`] in which `records == normalized + rejected` always holds. Problems that
//! concern one record or one input are reported to an [`Observer`] and the run goes on;
//! the library itself never prints.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::PathBuf;

use crate::error::Error;
use crate::event::Event;
use crate::parse::frame::{Frame, LineReader};
use crate::parse::Normalizer;
use crate::sink::{Sink, Summary};

/// One input of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Standard input.
    Stdin,
    /// A file.
    Path(PathBuf),
}

impl Input {
    /// The name used in messages: the path as given, or `<stdin>`.
    #[must_use]
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".into(),
            Input::Path(p) => p.display().to_string(),
        }
    }

    fn open(&self) -> io::Result<Box<dyn BufRead>> {
        Ok(match self {
            Input::Stdin => Box::new(BufReader::with_capacity(1 << 16, io::stdin())),
            Input::Path(p) => Box::new(BufReader::with_capacity(1 << 16, File::open(p)?)),
        })
    }
}

/// Told about what does not stop a run: rejected records and unreadable inputs.
pub trait Observer {
    /// A record was rejected. `raw` is the record as read.
    ///
    /// # Errors
    ///
    /// An I/O error (e.g. writing a rejects file) aborts the run.
    fn rejected(&mut self, source: &str, err: &Error, raw: &[u8]) -> io::Result<()> {
        let _ = (source, err, raw);
        Ok(())
    }

    /// An input could not be opened or read to its end; the run goes on with the next one.
    /// `records` is how many records were read from it before the failure.
    fn input_failed(&mut self, source: &str, err: &io::Error, records: u64) {
        let _ = (source, err, records);
    }
}

/// An observer that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct Ignore;
impl Observer for Ignore {}

/// Totals of a run, with the inputs that failed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RunSummary {
    /// Record counts.
    pub summary: Summary,
    /// Inputs that could not be opened or read to the end.
    pub failed_inputs: u64,
    /// True when the sink asked to stop before the end.
    pub stopped: bool,
}

/// Normalize every record of every input into `sink`, then call [`Sink::finish`].
///
/// # Errors
///
/// The sink's errors and the observer's I/O errors abort the run. Unreadable inputs and
/// bad records do not.
pub fn run<S, O>(
    normalizer: &mut Normalizer,
    inputs: &[Input],
    max_record_bytes: usize,
    sink: &mut S,
    observer: &mut O,
) -> Result<RunSummary, S::Error>
where
    S: Sink + ?Sized,
    O: Observer + ?Sized,
{
    let mut out = RunSummary::default();
    for input in inputs {
        let source = input.name();
        let reader = match input.open() {
            Ok(r) => r,
            Err(e) => {
                observer.input_failed(&source, &e, 0);
                out.failed_inputs += 1;
                continue;
            }
        };
        match run_reader(
            normalizer,
            reader,
            &source,
            max_record_bytes,
            sink,
            observer,
            &mut out.summary,
        )? {
            Ok(true) => {}
            Ok(false) => {
                out.stopped = true;
                break;
            }
            Err((e, records)) => {
                observer.input_failed(&source, &e, records);
                out.failed_inputs += 1;
            }
        }
    }
    sink.finish(&out.summary)?;
    Ok(out)
}

/// One input. The outer `Result` is the sink's; the inner one tells whether to go on, or
/// the read error that ended this input early (with the records read before it).
///
/// # Errors
///
/// The sink's errors and the observer's I/O errors.
#[allow(clippy::type_complexity)]
pub fn run_reader<S, O, R>(
    normalizer: &mut Normalizer,
    reader: R,
    source: &str,
    max_record_bytes: usize,
    sink: &mut S,
    observer: &mut O,
    summary: &mut Summary,
) -> Result<Result<bool, (io::Error, u64)>, S::Error>
where
    S: Sink + ?Sized,
    O: Observer + ?Sized,
    R: BufRead,
{
    let mut lines = LineReader::new(reader, max_record_bytes);
    let result = loop {
        let frame = match lines.next_record() {
            Ok(f) => f,
            Err(e) => break Err((e, lines.records())),
        };
        let go_on = match frame {
            Frame::Eof => break Ok(true),
            Frame::Record(pos) => {
                let raw = lines.record();
                let mut counting = Counting {
                    inner: &mut *sink,
                    observer: &mut *observer,
                    summary: &mut *summary,
                    source,
                    raw,
                };
                normalizer.normalize_bytes(raw, pos, &mut counting)?
            }
            Frame::TooLong(pos, len) => {
                let err = Error::new(crate::error::ErrorKind::TooLong {
                    pos,
                    len,
                    max: max_record_bytes,
                });
                let mut counting = Counting {
                    inner: &mut *sink,
                    observer: &mut *observer,
                    summary: &mut *summary,
                    source,
                    raw: b"",
                };
                counting.rejected(&err)?
            }
        };
        if !go_on {
            break Ok(false);
        }
    };
    summary.bytes += lines.bytes();
    summary.blank_lines += lines.blank_lines();
    Ok(result)
}

/// Counts events and rejects into the summary and tells the observer about rejects.
struct Counting<'a, S: ?Sized, O: ?Sized> {
    inner: &'a mut S,
    observer: &'a mut O,
    summary: &'a mut Summary,
    source: &'a str,
    raw: &'a [u8],
}

impl<S: Sink + ?Sized, O: Observer + ?Sized> Sink for Counting<'_, S, O> {
    type Error = S::Error;

    fn record(&mut self, event: &Event<'_>) -> Result<bool, S::Error> {
        self.summary.add_event(event.log_type());
        self.inner.record(event)
    }

    fn rejected(&mut self, err: &Error) -> Result<bool, S::Error> {
        self.summary.add_reject(err.code());
        self.observer
            .rejected(self.source, err, self.raw)
            .map_err(|e| S::Error::from(Error::from(e)))?;
        self.inner.rejected(err)
    }
}

/// Normalize NDJSON from any reader into a sink (no observer), for embedding.
///
/// # Errors
///
/// The sink's errors, and I/O errors of the reader.
pub fn normalize_reader<R: Read, S: Sink + ?Sized>(
    normalizer: &mut Normalizer,
    reader: R,
    sink: &mut S,
) -> Result<Summary, S::Error> {
    let mut summary = Summary::default();
    let r = run_reader(
        normalizer,
        BufReader::new(reader),
        "<reader>",
        crate::parse::DEFAULT_MAX_RECORD_BYTES,
        sink,
        &mut Ignore,
        &mut summary,
    )?;
    if let Err((e, _)) = r {
        return Err(S::Error::from(Error::from(e)));
    }
    sink.finish(&summary)?;
    Ok(summary)
}
