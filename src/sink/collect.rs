//! Small sinks: [`Collect`] keeps owned NDJSON lines, and reject messages with their raw
//! records (handy in tests and small tools), [`Discard`] drops everything (for benchmarks of the parse stage). They live
//! apart from the [`Sink`] trait so that the trait's file imports no writer.

use super::{ndjson, Sink};
use crate::error::Error;
use crate::event::Event;

/// A sink that keeps every event as an NDJSON line and every reject as its message and its
/// raw record.
#[derive(Debug, Default)]
pub struct Collect {
    /// One JSON object per normalized event.
    pub events: Vec<String>,
    /// The rendered errors of rejected records.
    pub rejects: Vec<String>,
    /// The raw records of the rejects, one per entry of `rejects`, in the same order (see
    /// [`Sink::rejected_record`]; empty when [`Sink::rejected`] was called directly).
    pub rejected_raw: Vec<Vec<u8>>,
    opts: ndjson::Options,
    buf: Vec<u8>,
}

impl Collect {
    /// A collector writing events with the given NDJSON options.
    #[must_use]
    pub fn with_options(opts: ndjson::Options) -> Self {
        Collect {
            opts,
            ..Collect::default()
        }
    }
}

impl Sink for Collect {
    type Error = Error;
    fn record(&mut self, event: &Event<'_>) -> Result<bool, Error> {
        self.buf.clear();
        ndjson::write_event(&mut self.buf, event, self.opts);
        self.events
            .push(String::from_utf8_lossy(&self.buf).into_owned());
        Ok(true)
    }
    fn rejected(&mut self, err: &Error) -> Result<bool, Error> {
        self.rejected_record(err, &[])
    }
    fn rejected_record(&mut self, err: &Error, raw: &[u8]) -> Result<bool, Error> {
        self.rejects.push(err.to_string());
        self.rejected_raw.push(raw.to_vec());
        Ok(true)
    }
}

/// A sink that drops everything (for benchmarks of the parse stage).
#[derive(Debug, Default, Clone, Copy)]
pub struct Discard;

impl Sink for Discard {
    type Error = Error;
    fn record(&mut self, _event: &Event<'_>) -> Result<bool, Error> {
        Ok(true)
    }
}
