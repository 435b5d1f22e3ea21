//! Two-sided two-sample Kolmogorov–Smirnov test, as `scipy.stats.ks_2samp(method="auto")`.

use super::kolmogorov::kstwo_sf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Largest sample size for which scipy's `auto` mode uses the exact distribution.
const MAX_EXACT_N: usize = 10_000;

/// Most steps the exact p-value may take; past it the p-value is the asymptotic one, as
/// when scipy's exact computation fails. scipy has no such bound: with samples of up to
/// 10,000 its recursion for unequal sizes takes up to 10^8 dependent divisions, most of a
/// second per column, minutes for a request of many columns. This bound takes a tenth of
/// that at most.
///
/// It moves no p-value that matters. The recursion for sizes m > n takes about
/// m · min(n + 1, 2·D·n + 1) steps (see [`exact_work`]), so going over the bound needs
/// m·n > 10^7 and D > 0.05 when m·n is at its largest (10^8), more elsewhere; the
/// largest asymptotic p-value at the bound, over every pair of sizes, is about 2.4e-11
/// (at 10,000 and 9,950). There the exact and the asymptotic p-values differ by less
/// than 1e-10, far within the 1e-6 to which p-values must match scipy, and both are
/// drift at any threshold. Equal sizes take the short path (at most 2n steps), never
/// bounded, so the reference values (10,000 against 10,000) are exact as before.
const MAX_EXACT_WORK: u64 = 10_000_000;

/// Most exact steps one comparison of two datasets may take over all its columns, about 2–4 s
/// of one core. [`MAX_EXACT_WORK`] bounds a column, but a request may have a thousand
/// columns; past this budget the request is refused (not answered with asymptotic p-values,
/// which would make a column's number depend on the others) with a message saying what to
/// change. Fifty columns at the per-column bound fit.
pub const MAX_EXACT_WORK_PER_COMPARISON: u64 = 500_000_000;

/// The exact steps one comparison may still take, shared by its columns (which run in
/// parallel). Whether it runs out depends only on the total, not on the order; once it has,
/// the comparison is refused, so the exact computations still running stop too.
#[derive(Debug)]
pub(crate) struct ExactBudget {
    left: AtomicU64,
    exhausted: AtomicBool,
}

impl ExactBudget {
    /// A budget of `steps`.
    pub(crate) fn new(steps: u64) -> Self {
        Self {
            left: AtomicU64::new(steps),
            exhausted: AtomicBool::new(false),
        }
    }

    /// Takes `work` steps, or `false` when fewer are left (taking none, and marking the
    /// budget exhausted).
    fn take(&self, work: u64) -> bool {
        let taken = self
            .left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(work)
            })
            .is_ok();
        if !taken {
            self.exhausted.store(true, Ordering::Relaxed);
        }
        taken
    }

    /// Whether some column's steps could not be taken.
    fn exhausted(&self) -> bool {
        self.exhausted.load(Ordering::Relaxed)
    }
}

/// The exact p-value would take more steps than the comparison has left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OverBudget;

/// Statistic D and two-sided p-value for two sorted, non-empty samples.
#[cfg(test)]
pub(crate) fn ks_2samp(a: &[f64], b: &[f64]) -> (f64, f64) {
    ks_2samp_within(a, b, &ExactBudget::new(u64::MAX)).unwrap_or((f64::NAN, f64::NAN))
}

/// Statistic D and two-sided p-value for two sorted, non-empty samples, the exact path's
/// steps taken from `budget`.
pub(crate) fn ks_2samp_within(
    a: &[f64],
    b: &[f64],
    budget: &ExactBudget,
) -> Result<(f64, f64), OverBudget> {
    let (n1, n2) = (a.len() as u64, b.len() as u64);
    let g = gcd(n1, n2);
    let lcm = (n1 / g) * n2;
    // D · lcm is an integer: |i·(n2/g) − j·(n1/g)| at the largest gap of the ECDFs.
    let h = max_gap(a, b, n2 / g, n1 / g);
    let d = h as f64 / lcm as f64;
    if h == 0 {
        return Ok((d, 1.0));
    }
    let work = exact_work(n1, n2, g, h);
    if a.len().max(b.len()) <= MAX_EXACT_N && work <= MAX_EXACT_WORK {
        if !budget.take(work) {
            return Err(OverBudget);
        }
        let p = exact_p(n1, n2, g, h, &|| budget.exhausted());
        if budget.exhausted() {
            // The comparison is refused: whatever this column found is not reported.
            return Err(OverBudget);
        }
        if let Some(p) = p {
            return Ok((d, p));
        }
    }
    let (m, n) = (n1.max(n2) as f64, n1.min(n2) as f64);
    let en = (m * n / (m + n)).round_ties_even();
    Ok((d, kstwo_sf(d, en as u64).clamp(0.0, 1.0)))
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

/// An upper bound on the inner steps of [`exact_p`]. Equal sizes: (⌊n/h⌋ + 1)·h. Unequal
/// sizes m > n: m columns of the lattice, each at most as wide as the band
/// |i·n/g − j·m/g| < h, that is 2h/(m/g) + 1 = 2·D·n + 1, and at most n + 1.
fn exact_work(n1: u64, n2: u64, g: u64, h: u64) -> u64 {
    if n1 == n2 {
        return (n1 / h + 1).saturating_mul(h);
    }
    let (m, n) = (n1.max(n2), n1.min(n2));
    let band = (2 * h / (m / g) + 1).min(n + 1);
    m.saturating_mul(band)
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// scipy's `_attempt_exact_2kssamp` (two-sided); `None` when the computation fails and
/// scipy falls back to the asymptotic distribution.
/// The exact p-value; `stop` is asked now and then whether to give up (then `None`).
fn exact_p(n1: u64, n2: u64, g: u64, h: u64, stop: &dyn Fn() -> bool) -> Option<f64> {
    let p = if n1 == n2 {
        prob_outside_square(n1, h)
    } else {
        outer_prob_inside_method(n1, n2, g, h, stop)
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
fn outer_prob_inside_method(m: u64, n: u64, g: u64, h: u64, stop: &dyn Fn() -> bool) -> f64 {
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
        if stop() {
            return f64::NAN;
        }
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

    /// The asymptotic p-value as `ks_2samp` computes it.
    fn asymptotic(n1: u64, n2: u64, d: f64) -> f64 {
        let en = (n1 * n2) as f64 / (n1 + n2) as f64;
        kstwo_sf(d, en.round_ties_even() as u64)
    }

    #[test]
    fn the_exact_path_takes_its_steps_from_the_comparison_s_budget() {
        // 1,000 against 999 values, D = 0.1: an exact p-value of about 2·10^5 steps.
        let a: Vec<f64> = (0..1_000).map(f64::from).collect();
        let b: Vec<f64> = (0..999).map(|j| f64::from(j + 100)).collect();
        let unlimited = ks_2samp(&a, &b);
        let h = (unlimited.0 * (1_000.0 * 999.0)).round() as u64;
        let work = exact_work(1_000, 999, 1, h);
        let exact = ExactBudget::new(work);
        assert_eq!(ks_2samp_within(&a, &b, &exact), Ok(unlimited));
        assert_eq!(
            ks_2samp_within(&a, &b, &exact),
            Err(OverBudget),
            "the budget is spent"
        );
        assert_eq!(
            ks_2samp_within(&a, &b, &ExactBudget::new(work - 1)),
            Err(OverBudget)
        );
        // No exact path, nothing taken: equal samples (D = 0) and the asymptotic branch.
        let none = ExactBudget::new(0);
        assert_eq!(ks_2samp_within(&a, &a, &none), Ok((0.0, 1.0)));
        let big: Vec<f64> = (0..10_001).map(f64::from).collect();
        assert!(ks_2samp_within(&big, &b, &none).is_ok());
    }

    #[test]
    fn exact_work_is_bounded_where_the_p_value_is_negligible() {
        // 10,000 against 9,999 values, the second shifted by `shift`: D = shift / 10,000.
        let a: Vec<f64> = (0..10_000).map(f64::from).collect();
        let sample =
            |shift: u32| -> Vec<f64> { (0..9_999).map(|j| f64::from(j + shift)).collect() };
        let (n1, n2) = (10_000, 9_999);

        // D = 0.04: about 8·10^6 steps, within the bound: the exact p-value.
        let (d, p) = ks_2samp(&a, &sample(400));
        let h = (d * (n1 * n2) as f64).round() as u64;
        assert!(exact_work(n1, n2, 1, h) <= MAX_EXACT_WORK);
        assert_eq!(Some(p), exact_p(n1, n2, 1, h, &|| false));
        assert!(p > 1e-8, "{p}");

        // D = 0.06: about 1.2·10^7 steps, past the bound: the asymptotic p-value, which
        // is where the exact one is too, both negligible.
        let (d, p) = ks_2samp(&a, &sample(600));
        assert_eq!(d, 0.06);
        let h = (d * (n1 * n2) as f64).round() as u64;
        assert!(exact_work(n1, n2, 1, h) > MAX_EXACT_WORK);
        assert_eq!(p, asymptotic(n1, n2, d));
        let exact = exact_p(n1, n2, 1, h, &|| false).expect("exact p-value");
        assert_ne!(p, exact);
        assert!(p < 1e-12 && exact < 1e-12, "{p} {exact}");

        // Equal sizes take the short path, never bounded.
        let (d, p) = ks_2samp(&a, &a.iter().map(|x| x + 600.0).collect::<Vec<_>>());
        assert_eq!(
            Some(p),
            exact_p(n1, n1, n1, (d * n1 as f64).round() as u64, &|| false)
        );
        assert!(exact_work(n1, n1, n1, 600) <= 2 * n1);
    }

    #[test]
    fn the_work_bound_is_an_upper_bound_on_the_steps() {
        // Steps of outer_prob_inside_method counted directly, for a few sizes and gaps.
        for (m, n, h) in [
            (7u64, 5u64, 9u64),
            (12, 8, 20),
            (30, 12, 45),
            (100, 35, 700),
        ] {
            let g = gcd(m, n);
            let (mg, ng) = ((m / g) as i64, (n / g) as i64);
            let (mi, ni, hi) = (m as i64, n as i64, h as i64);
            let steps: i64 = (1..=mi)
                .map(|i| {
                    let minj = (floor_div(ng * i - hi, mg) + 1).max(0).min(ni);
                    let maxj = ceil_div(ng * i + hi, mg).min(ni + 1);
                    (maxj - minj).max(0)
                })
                .sum();
            assert!(steps as u64 <= exact_work(m, n, g, h), "{m} {n} {h}");
        }
    }
}
