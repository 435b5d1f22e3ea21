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

/// `np.histogram(sorted, edges)[0]` for ascending data: bin i holds
/// `edges[i] <= x < edges[i + 1]`, the last bin also `x == edges[last]`; values outside
/// the edges are not counted.
pub(crate) fn histogram(sorted: &[f64], edges: &[f64]) -> Vec<u64> {
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
        counts[bin] += 1;
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
    fn zero_fill_rule() {
        assert_eq!(fill_zeros(&[0.5, 0.5, 0.0]), [0.5, 0.5, 1e-4]);
        let filled = fill_zeros(&[0.0, 1e-4, 1.0 - 1e-4]);
        assert_eq!(filled[0], 1e-4 / 1e6);
    }
}
