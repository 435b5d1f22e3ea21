//! Sorting `f64` samples: drift sorts every numeric column of both datasets once, as
//! integers with the floats' order (a comparison of `u64`s is cheaper than `total_cmp`). The
//! same keys store sorted samples compactly (the app's prepared reference data).

/// Maps a float to an unsigned key with the same order (`total_cmp` order): flip every
/// bit of a negative number, only the sign bit of a positive one.
pub fn key(v: f64) -> u64 {
    let bits = v.to_bits();
    let mask = ((bits as i64 >> 63) as u64) | (1 << 63);
    bits ^ mask
}

/// The float whose [`key`] is `k`.
pub fn value(k: u64) -> f64 {
    let mask = (((!k) as i64 >> 63) as u64) | (1 << 63);
    f64::from_bits(k ^ mask)
}

/// The non-NaN values of `values`, sorted ascending.
pub(crate) fn sorted_present(values: &[f64]) -> Vec<f64> {
    // Every NaN becomes the largest key, so that after the sort they are all at the end and
    // cut off there: a pass without a branch (it vectorises), where filtering them out first
    // pushed the keys one by one. The largest key is itself a NaN's (all bits set but the
    // sign), so no number is cut with them.
    let mut keys: Vec<u64> = values
        .iter()
        .map(|&v| if v.is_nan() { u64::MAX } else { key(v) })
        .collect();
    // std's unstable sort (ipnsort) on the integer keys, at every length: on this machine
    // it took under half the time of the LSD radix sort it replaced at 1M-10M values, and
    // less at 10k-100k (the radix sort's 11-bit digits scatter keys over 2,048 pages: at 10M
    // values that was 45 % of `driftguard check`'s CPU), and it needs no scratch copy. The
    // output is the same: equal keys are equal bits.
    keys.sort_unstable();
    keys.truncate(keys.partition_point(|&k| k != u64::MAX));
    // Same size and alignment: collects in place, without a second allocation.
    keys.into_iter().map(value).collect()
}

/// True when `values` holds no NaN and ascends as [`sorted_present`] orders it: what a
/// sorted sample read back from storage must be.
pub(crate) fn is_sorted_present(values: &[f64]) -> bool {
    // One pass over the keys, without an early exit so that it vectorises (an evaluation
    // checks every prepared column it reads). A NaN's key lies beyond an infinity's, so
    // ascending keys between the two infinities' hold none.
    let ascending = values
        .iter()
        .zip(values.iter().skip(1))
        .fold(true, |ok, (&a, &b)| ok & (key(a) <= key(b)));
    ascending
        && values
            .first()
            .is_none_or(|&v| key(v) >= key(f64::NEG_INFINITY))
        && values.last().is_none_or(|&v| key(v) <= key(f64::INFINITY))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_comparison_sort() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let values: Vec<f64> = (0..10_000)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                if i % 97 == 0 {
                    f64::NAN
                } else {
                    (state % 20_000) as f64 / 7.0 - 1_000.0
                }
            })
            .collect();
        let mut expected: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        expected.sort_by(f64::total_cmp);
        assert_eq!(sorted_present(&values), expected);
        assert_eq!(
            sorted_present(&[3.0, -0.5, f64::NAN, 1e300]),
            [-0.5, 3.0, 1e300]
        );
        // NaNs of either sign and any payload (the largest key's among them), infinities kept.
        let nans = [
            -f64::NAN,
            f64::from_bits(u64::MAX >> 1),
            f64::from_bits(u64::MAX),
            f64::from_bits(0x7ff0_0000_0000_0001),
        ];
        let mut mixed = vec![f64::INFINITY, 2.0, f64::NEG_INFINITY, -0.0];
        mixed.extend(nans);
        assert_eq!(
            sorted_present(&mixed),
            [f64::NEG_INFINITY, -0.0, 2.0, f64::INFINITY]
        );
        assert!(sorted_present(&nans).is_empty());
        assert!(is_sorted_present(&sorted_present(&values)));
        assert!(is_sorted_present(&[-0.0, 0.0]));
        assert!(!is_sorted_present(&[0.0, -0.0]));
        assert!(!is_sorted_present(&[f64::NAN]));
        assert!(!is_sorted_present(&[-f64::NAN, 1.0]));
        assert!(!is_sorted_present(&[1.0, f64::NAN]));
        assert!(is_sorted_present(&[f64::NEG_INFINITY, f64::INFINITY]));
        assert!(is_sorted_present(&[]));
    }
}
