//! Seeded sampling for the demo data: one ChaCha stream per data set, so that every run of
//! `driftguard demo` writes the same rows on every machine (rand's `StdRng` may change its
//! algorithm between releases; `ChaCha8Rng` is specified).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::f64::consts::TAU;
use std::fmt::{Display, Write};

/// A seeded source of the few distributions the demo needs.
pub struct Sampler(ChaCha8Rng);

impl Sampler {
    /// The stream of `seed`.
    pub fn new(seed: u64) -> Self {
        Self(ChaCha8Rng::seed_from_u64(seed))
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0.random()
    }

    /// Normal, by Box–Muller (rand has no normal distribution without rand_distr).
    pub fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let u = 1.0 - self.uniform(); // (0, 1]: ln stays finite
        let v = self.uniform();
        mean + sd * (-2.0 * u.ln()).sqrt() * (TAU * v).cos()
    }

    /// `e^N(mean, sd)`: incomes, amounts, distances.
    pub fn log_normal(&mut self, mean: f64, sd: f64) -> f64 {
        self.normal(mean, sd).exp()
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Poisson by Knuth's product of uniforms (fine for the small rates of counts here).
    pub fn poisson(&mut self, rate: f64) -> u32 {
        let limit = (-rate).exp();
        let (mut count, mut product) = (0, self.uniform());
        while product > limit {
            count += 1;
            product *= self.uniform();
        }
        count
    }

    /// One of `choices`, by weight (the weights need not add up to 1).
    pub fn pick<'a>(&mut self, choices: &[(&'a str, f64)]) -> &'a str {
        let total: f64 = choices.iter().map(|(_, w)| w).sum();
        let mut at = self.uniform() * total;
        for (name, weight) in choices {
            if at < *weight {
                return name;
            }
            at -= weight;
        }
        choices.last().map_or("", |(name, _)| name)
    }
}

/// The logistic function: a log-odds to a probability.
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Rows being written as CSV, the format an upload takes.
pub struct Table(String);

impl Table {
    /// An empty table with this header row.
    pub fn new(header: &[&str]) -> Self {
        Self(header.join(",") + "\n")
    }

    /// Appends one row (the demo's cells hold no commas or quotes).
    pub fn push(&mut self, cells: &[&dyn Display]) {
        for (i, cell) in cells.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            // Writing to a String cannot fail.
            let _ = write!(self.0, "{sep}{cell}");
        }
        self.0.push('\n');
    }

    /// The CSV bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_gives_the_same_stream_and_another_seed_another() {
        let draw = |seed| {
            let mut s = Sampler::new(seed);
            (0..5).map(|_| s.normal(0.0, 1.0)).collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn the_distributions_have_their_means() {
        let mut s = Sampler::new(1);
        let n = 20_000.0;
        let mean = |f: &mut dyn FnMut() -> f64| (0..20_000).map(|_| f()).sum::<f64>() / n;
        assert!((mean(&mut || s.normal(3.0, 2.0)) - 3.0).abs() < 0.05);
        assert!((mean(&mut || f64::from(s.poisson(2.5))) - 2.5).abs() < 0.05);
        let picked = (0..20_000).filter(|_| s.pick(&[("a", 1.0), ("b", 3.0)]) == "b");
        assert!((picked.count() as f64 / n - 0.75).abs() < 0.02);
    }

    #[test]
    fn a_table_is_csv_with_its_header() {
        let mut table = Table::new(&["x", "c"]);
        table.push(&[&1.5, &"a"]);
        assert_eq!(table.into_bytes(), b"x,c\n1.5,a\n");
    }
}
