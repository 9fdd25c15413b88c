//! How far a compressed input may expand ([`ExpansionLimits`]), and the reader that stops
//! a decompression bomb past it ([`BombGuard`], with the count of compressed bytes it
//! compares against: [`Counted`]). See the parent module's docs.

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Decompressed bytes allowed before the expansion ratio is checked.
pub const BOMB_ALLOWANCE: u64 = 64 * 1024 * 1024;
/// Largest accepted ratio of decompressed to compressed bytes, past [`BOMB_ALLOWANCE`], by
/// default: half of what a gzip bomb of zeros reaches, and above what the same log line
/// repeated a million times reaches with `gzip -9` (about 300×), which a ratio of 200 cut
/// off.
pub const MAX_EXPANSION_RATIO: u64 = 500;
/// [`MAX_EXPANSION_RATIO`] for zstd: above the same log line repeated (about 11,000× at
/// any level, which 500 cut off), below a frame of run-length blocks (32,768×).
pub const MAX_ZSTD_EXPANSION_RATIO: u64 = 20_000;

/// The largest expansion of a compressed input, per codec (`None`: no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpansionLimits {
    /// For gzip.
    pub gzip: Option<u64>,
    /// For zstd.
    pub zstd: Option<u64>,
}

/// The error of an input stopped by its expansion limit, inside the `io::Error`
/// ([`io::ErrorKind::InvalidData`]) that the run reports for the input: a caller that
/// lets its user set the limit can say how ([`ExpansionExceeded::of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpansionExceeded {
    /// Bytes the input had given when it was stopped.
    pub decompressed: u64,
    /// Compressed bytes read by then.
    pub compressed: u64,
    /// The limit it went past.
    pub ratio: u64,
}

impl ExpansionExceeded {
    /// The expansion error inside `err` (or in its chain of sources), if that is what
    /// stopped an input.
    #[must_use]
    pub fn of(err: &io::Error) -> Option<&ExpansionExceeded> {
        let mut e: &(dyn std::error::Error + 'static) = err.get_ref()?;
        loop {
            if let Some(exceeded) = e.downcast_ref() {
                return Some(exceeded);
            }
            e = e.source()?;
        }
    }
}

impl std::fmt::Display for ExpansionExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "decompression stopped: {} bytes from {} compressed bytes is more than {}x, the \
             largest expansion allowed (a decompression bomb?)",
            self.decompressed, self.compressed, self.ratio
        )
    }
}

impl std::error::Error for ExpansionExceeded {}

impl Default for ExpansionLimits {
    /// [`MAX_EXPANSION_RATIO`] and [`MAX_ZSTD_EXPANSION_RATIO`].
    fn default() -> Self {
        ExpansionLimits {
            gzip: Some(MAX_EXPANSION_RATIO),
            zstd: Some(MAX_ZSTD_EXPANSION_RATIO),
        }
    }
}

impl ExpansionLimits {
    /// One ratio (or none) for every codec.
    #[must_use]
    pub fn all(ratio: Option<u64>) -> Self {
        ExpansionLimits {
            gzip: ratio,
            zstd: ratio,
        }
    }
}

/// Counts the compressed bytes a decoder consumes.
pub(super) struct Counted<R> {
    pub(super) inner: R,
    pub(super) count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Marked, so that the decoder above does not say the data was damaged.
        let n = self.inner.read(buf).map_err(super::damage::from_source)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Fails a decoder whose output outgrows `ratio` times its input ([`MAX_EXPANSION_RATIO`]
/// unless the run sets another; `None`: never).
pub(super) struct BombGuard<R> {
    inner: R,
    compressed: Arc<AtomicU64>,
    decompressed: u64,
    ratio: Option<u64>,
}

impl<R> BombGuard<R> {
    /// Guard `inner`, a decoder of the bytes `compressed` counts.
    pub(super) fn new(inner: R, compressed: &Arc<AtomicU64>, ratio: Option<u64>) -> Self {
        BombGuard {
            inner,
            compressed: Arc::clone(compressed),
            decompressed: 0,
            ratio,
        }
    }
}

impl<R: Read> Read for BombGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.decompressed += n as u64;
        if let Some(ratio) = self.ratio.filter(|_| self.decompressed > BOMB_ALLOWANCE) {
            let compressed = self.compressed.load(Ordering::Relaxed).max(1);
            if self.decompressed / compressed > ratio {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    ExpansionExceeded {
                        decompressed: self.decompressed,
                        compressed,
                        ratio,
                    },
                ));
            }
        }
        Ok(n)
    }
}
