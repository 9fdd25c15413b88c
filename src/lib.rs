//! normalog turns raw JSON log records (and lines of text logs, read with `parser: csv`,
//! `regex` or `fastmatch`) into normalized, typed, indicator-enriched events, driven by
//! declarative YAML log schemas in the [Panther schema language].
//!
//! # Brief overview
//!
//! * [`Schema`] is what a user writes (a YAML log schema); [`schema::load`] reads and checks
//!   it, reporting every problem with `file:line:col`.
//! * [`Plan`] is a schema compiled once ([`compile::compile`]): key lookups, per-field
//!   decoders, time formats, indicator scanners, event-time priority.
//! * [`Registry`] holds the compiled plans by log type; [`Registry::builtin`] has the shipped
//!   schemas (Zendesk.Audit, Zoom.Activity, Zoom.Operation).
//! * [`Normalizer`] (built per thread by a [`NormalizerBuilder`]) parses one record with
//!   simd-json, in place and with reused buffers, decodes it with the plan, and hands a
//!   borrowed [`Event`] — or a reject [`Error`] — to a [`Sink`].
//! * [`sink::ndjson::NdjsonWriter`] writes events as NDJSON; [`pipeline::Batch`] drives a
//!   whole batch of inputs (files, directories, gzip/zstd, NDJSON, JSON arrays, API pages)
//!   on all cores, in input order, and counts every record.
//! * [`schematest::Suite`] runs schema test files in Panther's `*_tests.yml` format against
//!   the schemas (`normalog test`).
//!
//! # Module map
//!
//! The data flows down this table; each module imports only the ones above it and the
//! leaf utilities at the bottom (checked by `tests/layering.rs`), with two exceptions: the
//! normalizer builds [`Event`]s (`parse` → `event`) and pushes them into a [`Sink`]
//! (`parse` → `sink`, for the trait and its [`Summary`] only).
//!
//! | stage | module | principal types |
//! |---|---|---|
//! | what the user writes | [`schema`] (`load`, `yaml`, `model`, `validate`, `text`, `csv`) | [`Schema`], [`SchemaErrors`] |
//! | what goes wrong, and where | [`error`] | [`Error`] with a [`Position`] |
//! | compiled once | [`compile`], [`registry`] | [`Plan`], [`Registry`] |
//! | the hot path | [`parse`] (`frame`, `classify`, `tape`, `stream`) | [`Normalizer`], [`StreamNormalizer`] |
//! | its output | [`event`] | [`Event`] |
//! | where events go | [`sink`] (`ndjson`, `ndjson_dir`, `arrow`, `parquet`, `collect`; `layout`: the lake's partitions, runs and commits; `compact`: merging its small files) | [`Sink`], [`Summary`] |
//! | batch runs | [`pipeline`] (inputs, chunks, workers, ordered writer) | [`pipeline::Batch`] |
//! | around them | [`pull`] (vendor APIs into the outputs above; feature `pull`), [`gen`] (records for benchmarks), [`schematest`] (`*_tests.yml`) | [`gen::Generator`], [`schematest::Suite`] |
//! | leaf utilities | [`time`], [`indicators`], [`atomic`]; private `json`, `strconv`, `names`, `suggest`, `fnv`, `words`, `encoding` | [`time::TimeFormat`], [`indicators::IndicatorKind`] |
//!
//! The command line lives in the binary (`src/main.rs`, `src/cli/`), not in the library.
//!
//! # Example
//!
//! ```
//! use normalog::{NormalizerBuilder, Position, Registry, sink::Collect};
//!
//! let registry = Registry::builtin();
//! let mut normalizer = NormalizerBuilder::new().log_types(["Zoom.Activity"]).build(&registry)?;
//! let mut out = Collect::default();
//! let line = br#"{"email":"ann@example.com","time":"2023-07-01T14:00:00Z","ip_address":"10.0.0.1"}"#;
//! normalizer.normalize_bytes(line, Position::default(), &mut out)?;
//! assert!(out.events[0].contains(r#""p_any_ip_addresses":["10.0.0.1"]"#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [Panther schema language]: https://docs.panther.com/data-onboarding/custom-log-types/reference

#![warn(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]
// Without the optional features, the docs' links to their items (`ParquetWriter`, `gen`,
// `pull`) have nothing to point at: they show as plain text there, and are checked in the
// build with every feature (`.ci/run` builds the docs both ways).
#![cfg_attr(
    not(all(feature = "parquet", feature = "gen", feature = "pull")),
    allow(rustdoc::broken_intra_doc_links)
)]

pub mod atomic;
pub mod compile;
mod encoding;
pub mod error;
pub mod event;
mod fnv;
#[cfg(feature = "gen")]
pub mod gen;
mod hooks;
pub mod indicators;
mod json;
mod names;
pub mod parse;
pub mod pipeline;
#[cfg(feature = "pull")]
pub mod pull;
pub mod registry;
pub mod schema;
pub mod schematest;
pub mod sink;
mod strconv;
mod suggest;
pub mod time;
mod words;

pub use compile::Plan;
pub use error::{Category, Error, ErrorKind, Position, Result};
pub use event::{Elements, Event, Fields, Value};
pub use parse::{Normalizer, NormalizerBuilder, StreamNormalizer};
pub use registry::Registry;
pub use schema::{Schema, SchemaError, SchemaErrors};
pub use sink::{Sink, Summary};

/// The README's code blocks, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// Helpers shared by unit tests.
#[cfg(test)]
pub(crate) mod testing {
    /// A xorshift64 sequence for randomized tests: each call gives a value below `bound`.
    pub(crate) fn xorshift(mut x: u64) -> impl FnMut(usize) -> usize {
        move |bound: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            #[allow(clippy::cast_possible_truncation)] // only the low bits are used
            let v = x as usize;
            v % bound
        }
    }
}
