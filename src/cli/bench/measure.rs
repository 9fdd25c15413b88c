//! How `normalog bench` measures: the data cut into per-thread parts and slices, runs timed
//! on threads, and the best run kept per slice.

use std::time::Instant;

use super::super::Fatal;

/// One measured row.
pub(super) struct Measured {
    pub(super) secs: f64,
    pub(super) ok: u64,
    pub(super) rejected: u64,
}

/// The lines of `data`, in `n` parts of about equal size.
pub(super) fn split(data: &[u8], n: usize) -> Vec<Vec<&[u8]>> {
    split_after(data, 0, n)
}

/// The lines of `data` after its first `preamble` lines, in `n` parts of about equal size,
/// each part starting with those `preamble` lines (each part is read as an input of its own).
pub(super) fn split_after(data: &[u8], preamble: usize, n: usize) -> Vec<Vec<&[u8]>> {
    let mut lines = data.split(|&b| b == b'\n');
    let head: Vec<&[u8]> = lines.by_ref().take(preamble).collect();
    let rest: Vec<&[u8]> = lines.filter(|l| !l.is_empty()).collect();
    let per = rest.len().div_ceil(n).max(1);
    let mut parts: Vec<Vec<&[u8]>> = rest
        .chunks(per)
        .map(|c| head.iter().copied().chain(c.iter().copied()).collect())
        .collect();
    parts.resize_with(n, || head.clone());
    parts
}

/// Bytes of data per thread in one slice, at least: twice the last-level cache of common
/// server CPUs (32 MiB), so that each slice streams from memory in every row, as a file read
/// does, rather than from what the row before left in the cache.
const SLICE_BYTES_PER_THREAD: usize = 64 << 20;

/// At most this many slices, so that a slice's run stays long against the timer and the
/// start of its threads.
const MAX_SLICES: usize = 16;

/// How the runs were made, for the table's header.
#[derive(Clone, Copy)]
pub(super) struct Rounds {
    pub(super) repeat: u32,
    pub(super) slices: usize,
}

/// The `parts` (one per thread; `bytes` in all) cut into slices measured one at a time:
/// slice `s` holds the `s`-th piece of every part, so that every run of a slice keeps the
/// threads' split. Data under one slice's worth is a single slice.
pub(super) fn slices<'d>(parts: &[Vec<&'d [u8]>], bytes: usize) -> Vec<Vec<Vec<&'d [u8]>>> {
    let slice_bytes = SLICE_BYTES_PER_THREAD * parts.len().max(1);
    let n = (bytes / slice_bytes).clamp(1, MAX_SLICES);
    (0..n)
        .map(|s| {
            parts
                .iter()
                .map(|part| {
                    let (from, to) = (part.len() * s / n, part.len() * (s + 1) / n);
                    part[from..to].to_vec()
                })
                .collect()
        })
        .collect()
}

/// The runs of the slices added up; `None` if a slice has none.
pub(super) fn sum_of<'m>(runs: impl Iterator<Item = &'m Option<Measured>>) -> Option<Measured> {
    let mut total = Measured {
        secs: 0.0,
        ok: 0,
        rejected: 0,
    };
    for m in runs {
        let m = m.as_ref()?;
        total.secs += m.secs;
        total.ok += m.ok;
        total.rejected += m.rejected;
    }
    Some(total)
}

pub(super) fn keep_best(best: &mut Option<Measured>, m: Measured) {
    if best.as_ref().is_none_or(|b| m.secs < b.secs) {
        *best = Some(m);
    }
}

/// The best (shortest) of `k` runs.
pub(super) fn best(
    k: u32,
    mut run: impl FnMut() -> Result<Measured, Fatal>,
) -> Result<Measured, Fatal> {
    let mut best: Option<Measured> = None;
    for _ in 0..k {
        let m = run()?;
        if best.as_ref().is_none_or(|b| m.secs < b.secs) {
            best = Some(m);
        }
    }
    best.ok_or_else(|| Fatal::Message("no run".into()))
}

/// Run `work` on each part on its own thread; sum the counts, time the whole.
pub(super) fn on_threads<'d, W>(parts: &[Vec<&'d [u8]>], work: W) -> Result<Measured, Fatal>
where
    W: Fn(&[&'d [u8]]) -> Result<(u64, u64), Fatal> + Sync,
{
    let started = Instant::now();
    let results: Vec<Result<(u64, u64), Fatal>> = std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .iter()
            .map(|p| {
                let work = &work;
                s.spawn(move || work(p))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Fatal::Message("bench thread panicked".into())))
            })
            .collect()
    });
    let secs = started.elapsed().as_secs_f64();
    let (mut ok, mut rejected) = (0, 0);
    for r in results {
        let (o, r) = r?;
        ok += o;
        rejected += r;
    }
    Ok(Measured { secs, ok, rejected })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_lines_into_equal_parts() {
        let parts = split(b"a\nb\nc\n\nd\ne", 2);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], vec![&b"a"[..], b"b", b"c"]);
        assert_eq!(parts[1], vec![&b"d"[..], b"e"]);
        assert_eq!(split(b"a\n", 3).len(), 3);
        let parts = split_after(b"h\n#\na\nb\n\nc\n", 2, 2);
        assert_eq!(parts[0], vec![&b"h"[..], b"#", b"a", b"b"]);
        assert_eq!(parts[1], vec![&b"h"[..], b"#", b"c"]);
        assert_eq!(split_after(b"h\na\n", 1, 3)[2], vec![&b"h"[..]]);
    }

    #[test]
    fn slices_keep_every_line_of_every_thread_once_in_order() {
        let data: Vec<u8> = (0..1000)
            .flat_map(|i| format!("{i}\n").into_bytes())
            .collect();
        let parts = split(&data, 3);
        let per = SLICE_BYTES_PER_THREAD;
        for (bytes, want) in [
            (data.len(), 1),
            (3 * 3 * per, 3),
            (3 * 3 * per + per, 3),
            (1000 * 3 * per, MAX_SLICES),
        ] {
            let slices = slices(&parts, bytes);
            assert_eq!(slices.len(), want, "{bytes} bytes");
            for (t, part) in parts.iter().enumerate() {
                let joined: Vec<&[u8]> = slices.iter().flat_map(|s| s[t].clone()).collect();
                assert_eq!(&joined, part, "thread {t}, {want} slices");
            }
        }
        // A slice without a run (none can be, with --repeat at least 1) makes no total.
        let run = |secs| {
            Some(Measured {
                secs,
                ok: 2,
                rejected: 1,
            })
        };
        let total = sum_of([run(1.0), run(0.5)].iter()).expect("both have a run");
        assert_eq!((total.secs, total.ok, total.rejected), (1.5, 4, 2));
        assert!(sum_of([run(1.0), None].iter()).is_none());
    }
}
