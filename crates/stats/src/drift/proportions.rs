//! Tests on counts per value: Evidently's chi-square goodness of fit and two-proportion
//! z-test.

use crate::special::{chi2_sf, normal_cdf, np_sum};

/// Goodness of fit of the current counts to the reference proportions:
/// `f_exp = ref_count · n_cur / n_ref`, `f_obs = cur_count`, k − 1 degrees of freedom.
/// A value absent from the reference makes the statistic infinite and p = 0. With a
/// single value there is nothing to test: statistic 0, p = 1.
pub(crate) fn chisquare(reference: &[u64], current: &[u64]) -> (f64, f64) {
    let n_ref = reference.iter().sum::<u64>() as f64;
    let n_cur = current.iter().sum::<u64>() as f64;
    let k_norm = n_cur / n_ref;
    let terms: Vec<f64> = reference
        .iter()
        .zip(current)
        .map(|(&r, &c)| {
            let expected = r as f64 * k_norm;
            let diff = c as f64 - expected;
            diff * diff / expected
        })
        .collect();
    let statistic = np_sum(&terms);
    if reference.len() < 2 {
        return (0.0, 1.0);
    }
    (statistic, chi2_sf(statistic, (reference.len() - 1) as f64))
}

/// Pooled two-proportion z-test on "value ≠ the first (smallest) value":
/// `p = 2 · (1 − Φ(|z|))`; p = 1 when both sides are the same single value.
pub(crate) fn ztest(reference: &[u64], current: &[u64]) -> (f64, f64) {
    let n1 = reference.iter().sum::<u64>() as f64;
    let n2 = current.iter().sum::<u64>() as f64;
    let first = |counts: &[u64]| counts.first().copied().unwrap_or(0) as f64;
    let p1 = (n1 - first(reference)) / n1;
    let p2 = (n2 - first(current)) / n2;
    let pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
    if pooled == 0.0 || pooled == 1.0 {
        return (0.0, 1.0);
    }
    let z = (p1 - p2) / (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    (z, 2.0 * (1.0 - normal_cdf(z.abs())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chisquare_by_hand() {
        // f_exp = [50, 50], f_obs = [60, 40]: chi2 = 4, df = 1, p = 0.04550026389635842
        let (stat, p) = chisquare(&[50, 50], &[60, 40]);
        assert!((stat - 4.0).abs() < 1e-12);
        assert!((p - 0.045_500_263_896_358_42).abs() < 1e-12);
        // A value the reference never had: p = 0.
        assert_eq!(chisquare(&[10, 0], &[5, 5]).1, 0.0);
        assert_eq!(chisquare(&[7], &[3]), (0.0, 1.0));
    }

    #[test]
    fn ztest_by_hand() {
        // p1 = 0.5, p2 = 0.3, pooled 0.4: z = 0.2 / sqrt(0.24 · 0.02) = 2.886751345948129,
        // p = 2 · (1 − Φ(z)) = 0.0038924171227785465 (scipy)
        let (z, p) = ztest(&[50, 50], &[70, 30]);
        assert!((z - 2.886_751_345_948_129).abs() < 1e-12);
        assert!((p - 0.003_892_417_122_778_546_5).abs() < 1e-12);
        assert_eq!(ztest(&[10], &[4]), (0.0, 1.0));
        // Both constant but different values: complete separation.
        assert!(ztest(&[10, 0], &[0, 4]).1 < 1e-3);
    }
}
