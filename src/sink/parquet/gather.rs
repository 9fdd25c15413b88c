//! Where a batch's rows go: the runs of rows of one partition, and whether they are
//! better gathered by partition first (input not in time order).

/// Runs of equal keys: `(key, start, len)`.
pub(super) fn runs(keys: &[i64]) -> Vec<(i64, usize, usize)> {
    let mut out: Vec<(i64, usize, usize)> = Vec::new();
    for (i, &k) in keys.iter().enumerate() {
        match out.last_mut() {
            Some((last, _, len)) if *last == k => *len += 1,
            _ => out.push((k, i, 1)),
        }
    }
    out
}

/// Rows per run below which gathering a batch's rows by partition (a copy of every column
/// with `take`) is cheaper than one Parquet write per run. Measured (callgrind, 20,000
/// Zoom.Activity rows alternating between two hours in runs of `k`): a write costs about
/// 43,000 instructions and the gather about 1,150 per row, so they break even near 37 rows
/// per run; with `k = 64` writing the runs took 10% fewer instructions than gathering, with
/// `k = 8` half as many as writing them.
const GATHER_BELOW_RUN_ROWS: usize = 32;

/// Whether the rows of a batch are better gathered by partition before writing: some
/// partition has several runs, and the runs are short on average.
pub(super) fn should_gather(runs: &[(i64, usize, usize)], rows: usize) -> bool {
    runs.len() > 1 && has_repeats(runs) && runs.len() * GATHER_BELOW_RUN_ROWS > rows
}

/// Whether some key has more than one run.
fn has_repeats(runs: &[(i64, usize, usize)]) -> bool {
    let mut keys: Vec<i64> = runs.iter().map(|r| r.0).collect();
    keys.sort_unstable();
    keys.windows(2).any(|w| w[0] == w[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_and_repeats() {
        assert_eq!(
            runs(&[1, 1, 2, 2, 2, 1]),
            vec![(1, 0, 2), (2, 2, 3), (1, 5, 1)]
        );
        assert!(has_repeats(&runs(&[1, 1, 2, 2, 2, 1])));
        assert!(!has_repeats(&runs(&[3, 1, 1, 2])));
        assert!(runs(&[]).is_empty());
    }

    #[test]
    fn gather_only_short_runs() {
        // One run per partition: nothing to gather.
        let one_each: Vec<i64> = (0..1000).map(|i| i / 500).collect();
        assert!(!should_gather(&runs(&one_each), one_each.len()));
        // Two partitions alternating in runs of 100 rows: written run by run.
        let long: Vec<i64> = (0..1000).map(|i| (i / 100) % 2).collect();
        assert!(!should_gather(&runs(&long), long.len()));
        // Alternating row by row, or in runs of 8: gathered.
        let short: Vec<i64> = (0..1000).map(|i| i % 2).collect();
        assert!(should_gather(&runs(&short), short.len()));
        let eights: Vec<i64> = (0..1000).map(|i| (i / 8) % 2).collect();
        assert!(should_gather(&runs(&eights), eights.len()));
    }
}
