//! Bins as numpy and Evidently make them: Sturges equal-width edges
//! (`np.histogram_bin_edges(x, bins="sturges")`), histogram counts with the last bin
//! closed, one bin per distinct value, and Evidently's zero-share filling.

/// numpy's Sturges edges for data of `size` values spanning `min..=max`.
pub(crate) fn sturges_edges(min: f64, max: f64, size: usize) -> Vec<f64> {
    let (mut first, mut last) = (min, max);
    if first == last {
        first -= 0.5;
        last += 0.5;
    }
    // numpy derives the count from a width, not straight from the formula; keep its
    // rounding: n = ceil(ptp / (ptp / (log2(size) + 1))).
    let ptp = max - min;
    let width = ptp / ((size as f64).log2() + 1.0);
    let bins = if width > 0.0 {
        ((last - first) / width).ceil() as usize
    } else {
        1
    };
    linspace(first, last, bins + 1)
}

/// `np.linspace(start, stop, num)` with its exact arithmetic (`i * step + start`, last
/// point set to `stop`).
fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    let step = (stop - start) / (num - 1) as f64;
    let mut edges: Vec<f64> = (0..num).map(|i| i as f64 * step + start).collect();
    if let Some(end) = edges.last_mut() {
        *end = stop;
    }
    edges
}

/// `np.histogram(sorted, edges)[0]` for ascending data without NaN: bin i holds
/// `edges[i] <= x < edges[i + 1]`, the last bin also `x == edges[last]`; values outside
/// the edges are not counted.
pub(crate) fn histogram(sorted: &[f64], edges: &[f64]) -> Vec<u64> {
    let bins = edges.len().saturating_sub(1);
    let (Some(&first), Some(&last)) = (edges.first(), edges.last()) else {
        return Vec::new();
    };
    if bins == 0 || edges.iter().any(|e| e.is_nan()) {
        return histogram_by_scan(sorted, edges);
    }
    // Where each bin ends is a binary search, not a look at every value (the scan was 5 %
    // of a check at 10M rows). As the scan moves on, bin i ends at the first value from
    // the end of bin i - 1 on that reaches `edges[i + 1]`, so the counts are the scan's
    // whatever the edges' order.
    let start = sorted.partition_point(|&x| x < first);
    let end = sorted.partition_point(|&x| x <= last).max(start);
    let mut counts = Vec::with_capacity(bins);
    let mut from = start;
    for &edge in &edges[1..bins] {
        let to = sorted.partition_point(|&x| x < edge).clamp(from, end);
        counts.push((to - from) as u64);
        from = to;
    }
    counts.push((end - from) as u64);
    counts
}

/// [`histogram`] by looking at every value: for NaN edges, which a binary search cannot
/// take (they come only from a range too wide for `f64`).
fn histogram_by_scan(sorted: &[f64], edges: &[f64]) -> Vec<u64> {
    let bins = edges.len().saturating_sub(1);
    let mut counts = vec![0u64; bins];
    let (Some(&first), Some(&last)) = (edges.first(), edges.last()) else {
        return counts;
    };
    let mut bin = 0;
    for &x in sorted {
        if x < first || x > last {
            continue;
        }
        while bin + 1 < bins && x >= edges[bin + 1] {
            bin += 1;
        }
        if let Some(count) = counts.get_mut(bin) {
            *count += 1;
        }
    }
    counts
}

/// Distinct values of ascending data with their counts.
pub(crate) fn value_counts(sorted: &[f64]) -> Vec<(f64, u64)> {
    let mut out: Vec<(f64, u64)> = Vec::new();
    for &x in sorted {
        match out.last_mut() {
            Some((v, n)) if *v == x => *n += 1,
            _ => out.push((x, 1)),
        }
    }
    out
}

/// Counts of each of `keys` (ascending, distinct) in ascending data.
pub(crate) fn counts_at(sorted: &[f64], keys: &[f64]) -> Vec<u64> {
    let mut counts = vec![0u64; keys.len()];
    let mut k = 0;
    for &x in sorted {
        while k < keys.len() && keys[k] < x {
            k += 1;
        }
        if let Some(c) = counts.get_mut(k) {
            *c += 1;
        }
    }
    counts
}

/// Counts divided by the sample size.
pub(crate) fn shares(counts: &[u64], n: usize) -> Vec<f64> {
    counts.iter().map(|&c| c as f64 / n as f64).collect()
}

/// Evidently's `feel_zeroes`: zeros become `min(non-zero) / 1e6` when that minimum is at
/// most 1e-4, else 1e-4; no renormalising.
pub(crate) fn fill_zeros(shares: &[f64]) -> Vec<f64> {
    let min = shares
        .iter()
        .copied()
        .filter(|&s| s != 0.0)
        .fold(f64::INFINITY, f64::min);
    let eps = if min <= 1e-4 { min / 1e6 } else { 1e-4 };
    shares
        .iter()
        .map(|&s| if s == 0.0 { eps } else { s })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sturges_edges_like_numpy() {
        // np.histogram_bin_edges(np.arange(10.0), bins="sturges")
        let edges = sturges_edges(0.0, 9.0, 10);
        assert_eq!(edges.len(), 6);
        assert_eq!(edges, [0.0, 1.8, 3.6, 5.4, 7.2, 9.0]);
        assert_eq!(sturges_edges(2.0, 2.0, 3), [1.5, 2.5]);
    }

    #[test]
    fn histogram_closes_the_last_bin() {
        let edges = [0.0, 1.0, 2.0];
        assert_eq!(histogram(&[0.0, 0.5, 1.0, 2.0, 3.0], &edges), [2, 2]);
        assert_eq!(counts_at(&[1.0, 1.0, 3.0], &[1.0, 2.0, 3.0]), [2, 0, 1]);
        assert_eq!(value_counts(&[1.0, 1.0, 3.0]), [(1.0, 2), (3.0, 1)]);
    }

    #[test]
    fn histogram_by_search_counts_as_the_scan() {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = |modulo: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % modulo) as f64 / 4.0 - 10.0
        };
        for round in 0..300 {
            let mut data: Vec<f64> = (0..round % 50).map(|_| next(80)).collect();
            data.sort_by(f64::total_cmp);
            let mut edges: Vec<f64> = (0..1 + round % 7).map(|_| next(100)).collect();
            // Ascending edges (as Sturges makes them) two times in three, any order else.
            if round % 3 != 0 {
                edges.sort_by(f64::total_cmp);
            }
            let want = histogram_by_scan(&data, &edges);
            assert_eq!(histogram(&data, &edges), want, "{data:?} {edges:?}");
        }
        let nan = [0.0, f64::NAN, 2.0];
        assert_eq!(
            histogram(&[0.5, 1.5], &nan),
            histogram_by_scan(&[0.5, 1.5], &nan)
        );
    }

    #[test]
    fn zero_fill_rule() {
        assert_eq!(fill_zeros(&[0.5, 0.5, 0.0]), [0.5, 0.5, 1e-4]);
        let filled = fill_zeros(&[0.0, 1e-4, 1.0 - 1e-4]);
        assert_eq!(filled[0], 1e-4 / 1e6);
    }
}
