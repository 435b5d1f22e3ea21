//! Two-sided two-sample Kolmogorov–Smirnov test, as `scipy.stats.ks_2samp(method="auto")`.

use super::kolmogorov::kstwo_sf;

/// Largest sample size for which scipy's `auto` mode uses the exact distribution.
const MAX_EXACT_N: usize = 10_000;

/// Statistic D and two-sided p-value for two sorted, non-empty samples.
pub(crate) fn ks_2samp(a: &[f64], b: &[f64]) -> (f64, f64) {
    let (n1, n2) = (a.len() as u64, b.len() as u64);
    let g = gcd(n1, n2);
    let lcm = (n1 / g) * n2;
    // D · lcm is an integer: |i·(n2/g) − j·(n1/g)| at the largest gap of the ECDFs.
    let h = max_gap(a, b, n2 / g, n1 / g);
    let d = h as f64 / lcm as f64;
    if h == 0 {
        return (d, 1.0);
    }
    if a.len().max(b.len()) <= MAX_EXACT_N
        && let Some(p) = exact_p(n1, n2, g, h)
    {
        return (d, p);
    }
    let (m, n) = (n1.max(n2) as f64, n1.min(n2) as f64);
    let en = (m * n / (m + n)).round_ties_even();
    (d, kstwo_sf(d, en as u64).clamp(0.0, 1.0))
}

/// `max |i·wa − j·wb|` over the points where both ECDFs have taken every value ≤ x.
fn max_gap(a: &[f64], b: &[f64], wa: u64, wb: u64) -> u64 {
    let (mut i, mut j) = (0, 0);
    let mut best = 0u64;
    while i < a.len() || j < b.len() {
        let x = match (a.get(i), b.get(j)) {
            (Some(&p), Some(&q)) => p.min(q),
            (Some(&p), None) => p,
            (None, Some(&q)) => q,
            (None, None) => break,
        };
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        best = best.max((i as u64 * wa).abs_diff(j as u64 * wb));
    }
    best
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// scipy's `_attempt_exact_2kssamp` (two-sided); `None` when the computation fails and
/// scipy falls back to the asymptotic distribution.
fn exact_p(n1: u64, n2: u64, g: u64, h: u64) -> Option<f64> {
    let p = if n1 == n2 {
        prob_outside_square(n1, h)
    } else {
        outer_prob_inside_method(n1, n2, g, h)
    };
    (p.is_finite() && (0.0..=1.0).contains(&p)).then_some(p)
}

/// scipy's `_compute_prob_outside_square`: P(D_{n,n} ≥ h/n) by a Horner-like alternating
/// sum, `2 · A0 · (1 − A1 · (1 − A2 · (…)))`.
fn prob_outside_square(n: u64, h: u64) -> f64 {
    let (n, h) = (n as f64, h as f64);
    let mut p = 0.0;
    let mut k = (n / h).floor();
    while k >= 0.0 {
        let mut p1 = 1.0;
        let mut j = 0.0;
        while j < h {
            p1 = (n - k * h - j) * p1 / (n + k * h + j + 1.0);
            j += 1.0;
        }
        p = p1 * (1.0 - p);
        k -= 1.0;
    }
    2.0 * p
}

/// scipy's `_compute_outer_prob_inside_method`: the share of lattice paths from (0, 0) to
/// (m, n) that leave the band |x/m − y/n| < h/lcm, by Hodges' inside method computing
/// 1 − p directly (Viehmann's recursion).
fn outer_prob_inside_method(m: u64, n: u64, g: u64, h: u64) -> f64 {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let (mg, ng) = ((m / g) as i64, (n / g) as i64);
    let (m, n, h) = (m as i64, n as i64, h as i64);
    let mut minj: i64 = 0;
    let mut maxj: i64 = ceil_div(h, mg).min(n + 1);
    let mut curlen = maxj - minj;
    let len_a = (2 * maxj + 2).min(n + 1) as usize;
    let mut a = vec![1.0f64; len_a];
    a[..maxj as usize].fill(0.0);
    for i in 1..=m {
        let (lastminj, lastlen) = (minj, curlen);
        minj = (floor_div(ng * i - h, mg) + 1).max(0).min(n);
        maxj = ceil_div(ng * i + h, mg).min(n + 1);
        if maxj <= minj {
            return 1.0;
        }
        let mut val = if minj == 0 { 0.0 } else { 1.0 };
        for jj in 0..(maxj - minj) {
            let j = (jj + minj) as f64;
            let fi = i as f64;
            val = (a[(jj + minj - lastminj) as usize] * fi + val * j) / (fi + j);
            a[jj as usize] = val;
        }
        curlen = maxj - minj;
        if lastlen > curlen {
            let start = (maxj - minj) as usize;
            a[start..start + (lastlen - curlen) as usize].fill(1.0);
        }
    }
    a[(maxj - minj - 1) as usize]
}

/// ⌊p/q⌋ for q > 0, as `np.floor(p / q)` on exact integers.
fn floor_div(p: i64, q: i64) -> i64 {
    p.div_euclid(q)
}

/// ⌈p/q⌉ for q > 0.
fn ceil_div(p: i64, q: i64) -> i64 {
    -((-p).div_euclid(q))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_samples_match_scipy() {
        // scipy.stats.ks_2samp([1, 2, 3], [4, 5, 6, 7]) -> D = 1, p = 0.05714285714285714
        let (d, p) = ks_2samp(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0, 7.0]);
        assert_eq!(d, 1.0);
        assert!((p - 0.057_142_857_142_857_14).abs() < 1e-12);
        // ks_2samp([1, 2, 3, 4], [2, 3, 4, 5]) -> D = 0.25, p = 1.0
        let (d, p) = ks_2samp(&[1.0, 2.0, 3.0, 4.0], &[2.0, 3.0, 4.0, 5.0]);
        assert_eq!(d, 0.25);
        assert!((p - 1.0).abs() < 1e-12);
        assert_eq!(ks_2samp(&[1.0], &[1.0]), (0.0, 1.0));
    }
}
