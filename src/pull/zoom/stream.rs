//! Where each log type's run starts: its floor, from the state or `--since`, clamped to what
//! Zoom serves.

use std::collections::BTreeMap;

use super::days::{self, date, day_start, DAY};
use super::{Config, LogKind, MAX_DAYS_BACK};
use crate::pull::http::Response;
use crate::pull::state::{StateFile, StreamState};
use crate::pull::{format_time, parse_rfc3339, PullError};

/// One log type's run: its first day, the hashes emitted, the watermark.
pub(super) struct StreamRun {
    pub(super) kind: LogKind,
    pub(super) floor: i64,
    pub(super) seen: BTreeMap<String, (i64, u32)>,
    /// The watermark of the state: a window re-read within the overlap does not move it
    /// back (the next run would read back further than `seen` remembers).
    pub(super) previous: Option<i64>,
    /// Every record emitted from here on is in `seen`.
    pub(super) remembered: i64,
    /// Where the stream's first read began (see [`StreamState::began`]), when known.
    pub(super) began: Option<i64>,
    pub(super) watermark: Option<i64>,
    /// Where a stream without a position starts (its saved start, or `--since`).
    pub(super) since: Option<i64>,
    /// The first page of the first window, asked before anything is committed, and its
    /// URL.
    pub(super) prefetched: Option<(String, Response)>,
    /// Why the report failed in this run (the others went on: see `report_failure`).
    pub(super) failed: Option<PullError>,
    /// It failed after its first page: it may have emitted records.
    pub(super) failed_draining: bool,
}

/// Each configured log type's run, in order: where it starts (see the module docs of
/// [`super`]), what it emitted already. Things the user should know go to `warnings`.
pub(super) fn start(
    config: &Config,
    state: &StateFile,
    now: i64,
    warnings: &mut Vec<String>,
) -> Result<Vec<StreamRun>, PullError> {
    let overlap = i64::from(config.overlap_days) * DAY;
    let oldest = day_start(now) - MAX_DAYS_BACK * DAY;
    let mut streams = Vec::new();
    for &kind in &config.kinds {
        let started = state.stream(kind.name()).filter(|p| p.since.is_empty());
        // Where the stream began: kept from the state, or this (first) run's floor.
        let mut began = None;
        let (floor, seen, previous, since) = if let Some(p) = started {
            let w = p.watermark_secs()?;
            let floor = p.read_back_to(day_start(w) - overlap)?;
            if p.forgets_before(day_start(w) - overlap, floor) {
                warnings.push(format!(
                    "{}: --overlap-days {} reaches back before what the state remembers: \
                     this run reads from {} (records before it would be emitted again); the \
                     overlap widens as the runs go on",
                    kind.name(),
                    config.overlap_days,
                    date(floor)
                ));
            }
            began = parse_rfc3339(&p.began);
            (floor, p.recent_hashes.clone(), Some(w), None)
        } else {
            // No position, or only where the stream starts (saved by an earlier run that
            // stopped before this stream's first commit): that start wins over --since.
            let saved = state.stream(kind.name()).map(StreamState::since_secs);
            let since = saved
                .transpose()?
                .flatten()
                .or(config.since)
                .ok_or_else(|| {
                    PullError::Config(format!(
                        "the state file has no position for {} yet: give --since (e.g. --since \
                     30d or --since 2026-01-01T00:00:00Z)",
                        kind.name()
                    ))
                })?;
            // What a run stopped within its first window had emitted (see `run`).
            let seen = state
                .stream(kind.name())
                .map(|p| p.recent_hashes.clone())
                .unwrap_or_default();
            (day_start(since), seen, None, Some(since))
        };
        // The run asks from the date before the floor's: that one must be served too.
        let earliest = days::earliest_floor(oldest);
        let floor = if floor < earliest {
            warnings.push(format!(
                "{}: Zoom serves the last six months only: reading from {} instead of {}",
                kind.name(),
                date(earliest),
                date(floor)
            ));
            earliest
        } else {
            floor
        };
        streams.push(StreamRun {
            kind,
            floor,
            seen,
            previous,
            began: began.or(since.map(|_| floor)),
            remembered: floor,
            watermark: None,
            since,
            prefetched: None,
            failed: None,
            failed_draining: false,
        });
    }
    Ok(streams)
}

impl StreamRun {
    /// The position to save: the watermark of the last window drained (or the state's),
    /// with every record emitted so far remembered, so that a run stopped within a window
    /// leaves a state whose next run reads that window again and skips what was emitted.
    /// `None` for a stream with neither a watermark nor a start (not reached).
    pub(super) fn position(&self) -> Option<StreamState> {
        let base = match (self.watermark.or(self.previous), self.since) {
            (Some(w), _) => StreamState {
                watermark: format_time(w),
                ..StreamState::default()
            },
            (None, Some(since)) => StreamState::starting_at(since),
            (None, None) => return None,
        };
        Some(StreamState {
            recent_hashes: self.seen.clone(),
            remembered_from: format_time(self.remembered),
            began: self.began.map(format_time).unwrap_or_default(),
            ..base
        })
    }
}
