//! [`NormalizerBuilder`]: a normalizer's options (log types, source, record limit), and
//! building a [`Normalizer`] from them over a registry's plans.

use std::sync::Arc;

use simd_json::{Buffers, Tape};

use super::classify::{Classifier, Scan};
use super::stamp::{Clock, RowIds};
use super::text::TextSlot;
use super::{literals, Normalizer, DEFAULT_MAX_RECORD_BYTES, MAX_RECORD_BYTES_CEILING};
use crate::compile::Plan;
use crate::error::{Error, ErrorKind};
use crate::event::SourceMeta;
use crate::indicators::Indicators;
use crate::registry::Registry;

/// Builds [`Normalizer`]s; one builder can build a normalizer per thread.
#[derive(Debug, Clone)]
pub struct NormalizerBuilder {
    log_types: Vec<String>,
    meta: SourceMeta,
    max_record_bytes: usize,
}

impl Default for NormalizerBuilder {
    fn default() -> Self {
        NormalizerBuilder {
            log_types: Vec::new(),
            meta: SourceMeta::default(),
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
        }
    }
}

impl NormalizerBuilder {
    /// A builder with defaults: classify among all log types of the registry.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Restrict to these log types (tried in this order; one named twice, once, where first
    /// named). Empty means all.
    pub fn log_types<I, T>(&mut self, names: I) -> &mut Self
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        self.log_types = names.into_iter().map(Into::into).collect();
        self
    }

    /// `p_source_id` for every event.
    pub fn source_id(&mut self, id: Option<String>) -> &mut Self {
        self.meta.id = id;
        self
    }

    /// `p_source_label` for every event.
    pub fn source_label(&mut self, label: Option<String>) -> &mut Self {
        self.meta.label = label;
        self
    }

    /// Records longer than this are rejected without being parsed (0 rejects every record).
    /// A limit above [`MAX_RECORD_BYTES_CEILING`] is taken as that ceiling.
    pub fn max_record_bytes(&mut self, max: usize) -> &mut Self {
        self.max_record_bytes = max.min(MAX_RECORD_BYTES_CEILING);
        self
    }

    /// The record size limit set by [`max_record_bytes`](Self::max_record_bytes).
    #[must_use]
    pub fn record_limit(&self) -> usize {
        self.max_record_bytes
    }

    /// Build a normalizer over the registry's compiled plans.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownLogType`] when a requested log type is not in the registry (the
    /// error names the loaded ones and, when one is close, the one meant:
    /// [`UnknownLogType::suggestion`](crate::error::UnknownLogType::suggestion)), or
    /// [`ErrorKind::NoLogTypes`] when the registry is empty.
    ///
    /// ```
    /// use normalog::{ErrorKind, NormalizerBuilder, Registry};
    ///
    /// let e = NormalizerBuilder::new()
    ///     .log_types(["Zoom.Activty"])
    ///     .build(&Registry::builtin())
    ///     .unwrap_err();
    /// let ErrorKind::UnknownLogType(unknown) = e.kind() else { panic!("{e}") };
    /// assert_eq!(unknown.suggestion(), Some("Zoom.Activity"));
    /// assert_eq!(
    ///     e.to_string(),
    ///     "unknown log type \"Zoom.Activty\" (loaded log types: Zendesk.Audit, Zoom.Activity, \
    ///      Zoom.Operation); did you mean `Zoom.Activity`?"
    /// );
    /// ```
    pub fn build(&self, registry: &Registry) -> Result<Normalizer, Error> {
        let plans: Vec<Arc<Plan>> = if self.log_types.is_empty() {
            registry.plans().to_vec()
        } else {
            // A log type asked for twice is tried once, where first asked for (it was tried,
            // and named in rejects, twice: review finding).
            let mut plans: Vec<Arc<Plan>> = Vec::with_capacity(self.log_types.len());
            for name in &self.log_types {
                let plan = registry.lookup(name).map_err(Error::from)?;
                if !plans.iter().any(|p| Arc::ptr_eq(p, plan)) {
                    plans.push(Arc::clone(plan));
                }
            }
            plans
        };
        if plans.is_empty() {
            return Err(Error::new(ErrorKind::NoLogTypes));
        }
        // JSON log types first (the classifier indexes them), then the text ones, each in
        // the order asked for.
        let (mut plans, text): (Vec<_>, Vec<_>) = plans.into_iter().partition(|p| !p.is_text());
        let n_json = plans.len();
        let text_slots = text
            .iter()
            .filter_map(|p| {
                p.text
                    .as_ref()
                    .map(|t| TextSlot::new(t, self.max_record_bytes))
            })
            .collect();
        plans.extend(text);
        Ok(Normalizer {
            classifier: Classifier::new(&plans[..n_json]),
            n_json,
            text_slots,
            scratch: Vec::new(),
            literals: literals::Literals::default(),
            wants_literals: false,
            overflowed: Vec::new(),
            literals_read: false,
            text_refusals: Vec::new(),
            other_count: Vec::new(),
            scan: Scan::new(),
            plans,
            last: 0,
            start: None,
            meta: Arc::new(self.meta.clone()),
            max_record_bytes: self.max_record_bytes,
            buffers: Buffers::new(4096),
            tape: Tape(Vec::new()),
            vals: Vec::new(),
            text: String::new(),
            indicators: Some(Indicators::new()),
            copy: Vec::new(),
            rows: RowIds::new(),
            clock: Clock::default(),
        })
    }
}
