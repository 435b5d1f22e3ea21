//! The seeded models and their data, all derived from the model's number so that every run
//! seeds the same registry: the task, the risk tier, and a scenario that decides how the
//! current data differs from the reference data, hence whether the evaluation passes, warns
//! or fails under the default policy (drift share < 0.25 warns, ≥ 0.5 blocks, a disparate
//! impact under 0.8 blocks; see docs/governance-rules.md).

use super::rng::SplitMix64;
use serde_json::{Value, json};
use std::fmt::Write;

/// Rows in each uploaded data set: enough for the tests to detect a clear shift, small
/// enough that seeding measures the API rather than the statistics engine.
pub const ROWS: usize = 50;

/// The feature columns, in CSV order; `FEATURES.len()` is the denominator of the drift share.
const FEATURES: [&str; 4] = ["income", "age", "region", "plan"];
const REGIONS: [&str; 4] = ["north", "south", "east", "west"];
const PLANS: [&str; 3] = ["basic", "plus", "pro"];
const TIERS: [&str; 4] = ["low", "medium", "high", "critical"];

/// How the current data departs from the reference data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// The reference rows shuffled: no drift, same fairness and performance → pass.
    Stable,
    /// One feature of four shifted: drift share 0.25 → warn.
    MildDrift,
    /// Two or three features shifted: drift share ≥ 0.5 → fail.
    HeavyDrift,
    /// Group B never predicted positive: disparate impact 0 → fail (binary models only).
    Unfair,
}

/// Everything the seeder needs to know about model number `index`.
#[derive(Debug, Clone)]
pub struct ModelSpec {
    /// Model number, 0-based.
    pub index: u64,
    /// `true` for binary classification, `false` for regression.
    pub binary: bool,
    /// `low`, `medium`, `high` or `critical`.
    pub risk_tier: &'static str,
    /// How its current data is built.
    pub scenario: Scenario,
    /// The features shifted in the current data (indices into `FEATURES`).
    pub shifted: Vec<usize>,
    seed: u64,
}

impl ModelSpec {
    /// Model number `index`: 2/3 binary, tiers uniform, scenarios ~55% stable, 25% mild
    /// drift, 12% heavy drift, 8% unfair (heavy drift for regression models).
    pub fn new(index: u64) -> Self {
        let seed = index ^ 0xD1F7_6A2D_0000_0000;
        let mut rng = SplitMix64::new(seed);
        let binary = rng.below(3) != 0;
        let risk_tier = TIERS[rng.below(4) as usize];
        let scenario = match rng.below(100) {
            0..55 => Scenario::Stable,
            55..80 => Scenario::MildDrift,
            80..92 => Scenario::HeavyDrift,
            _ if binary => Scenario::Unfair,
            _ => Scenario::HeavyDrift,
        };
        let count = match scenario {
            Scenario::Stable | Scenario::Unfair => 0,
            Scenario::MildDrift => 1,
            Scenario::HeavyDrift => 2 + rng.below(2) as usize,
        };
        // A random subset of `count` features: the first `count` of a shuffled list.
        let mut order: Vec<usize> = (0..FEATURES.len()).collect();
        shuffle(&mut order, &mut rng);
        order.truncate(count);
        Self {
            index,
            binary,
            risk_tier,
            scenario,
            shifted: order,
            seed,
        }
    }

    /// The body of `POST /models`.
    pub fn registration(&self) -> Value {
        let (task, columns) = if self.binary {
            (
                "binary_classification",
                json!({"prediction": "prediction", "label": "label", "score": "score",
                       "sensitive": ["group"]}),
            )
        } else {
            (
                "regression",
                json!({"prediction": "prediction", "label": "label"}),
            )
        };
        json!({
            "name": format!("loadtest-{:05}", self.index),
            "version": "1.0.0",
            "task": task,
            "risk_tier": self.risk_tier,
            "framework": if self.binary { "sklearn" } else { "xgboost" },
            "tags": ["loadtest"],
            "columns": columns,
        })
    }

    /// The reference data as CSV.
    pub fn reference_csv(&self) -> String {
        to_csv(&self.reference_rows(), self.binary)
    }

    /// The current data as CSV: the reference rows shuffled, then the scenario applied.
    pub fn current_csv(&self) -> String {
        let mut rows = self.reference_rows();
        let mut rng = SplitMix64::new(self.seed.rotate_left(17));
        shuffle(&mut rows, &mut rng);
        for row in &mut rows {
            for &feature in &self.shifted {
                row.shift(feature);
            }
            if self.scenario == Scenario::Unfair && row.group == "B" {
                row.prediction = 0.0;
                row.score *= 0.3;
            }
        }
        to_csv(&rows, self.binary)
    }

    fn reference_rows(&self) -> Vec<Row> {
        let mut rng = SplitMix64::new(self.seed.rotate_left(7));
        let mut rows = Vec::with_capacity(ROWS);
        // Rows come in pairs, one per group, with the same label and prediction: the groups
        // then have equal rates, so the fairness metrics are perfect unless a scenario
        // breaks them, and a small sample cannot fail by chance.
        while rows.len() < ROWS {
            let label = rng.chance(0.5);
            let correct = rng.chance(0.8);
            let predicted = label == correct;
            let target = rng.normal();
            for group in ["A", "B"] {
                let income = 50.0 + 15.0 * rng.normal();
                let (prediction, label, score) = if self.binary {
                    let p = rng.unit() * 0.5;
                    (
                        f64::from(u8::from(predicted)),
                        f64::from(u8::from(label)),
                        if predicted { 0.5 + p } else { p },
                    )
                } else {
                    (target + 0.2 * rng.normal(), target, 0.0)
                };
                rows.push(Row {
                    income,
                    age: 20.0 + rng.unit() * 50.0,
                    region: REGIONS[rng.below(4) as usize],
                    plan: PLANS[rng.below(3) as usize],
                    group,
                    prediction,
                    label,
                    score,
                });
            }
        }
        rows.truncate(ROWS);
        rows
    }
}

#[derive(Debug, Clone)]
struct Row {
    income: f64,
    age: f64,
    region: &'static str,
    plan: &'static str,
    group: &'static str,
    prediction: f64,
    label: f64,
    score: f64,
}

impl Row {
    /// Moves one feature far enough that the default test (KS for numbers, chi-square for
    /// categories) flags it on 50 rows against 50.
    fn shift(&mut self, feature: usize) {
        match feature {
            0 => self.income += 60.0,
            1 => self.age += 40.0,
            2 => self.region = "west",
            _ => self.plan = "pro",
        }
    }
}

fn shuffle<T>(items: &mut [T], rng: &mut SplitMix64) {
    for i in (1..items.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

fn to_csv(rows: &[Row], binary: bool) -> String {
    let mut out = String::with_capacity(64 * (rows.len() + 1));
    out.push_str(&FEATURES.join(","));
    out.push_str(if binary {
        ",group,prediction,label,score\n"
    } else {
        ",prediction,label\n"
    });
    for r in rows {
        // Writing into a String cannot fail.
        let _ = write!(out, "{:.3},{:.1},{},{}", r.income, r.age, r.region, r.plan);
        let _ = if binary {
            writeln!(
                out,
                ",{},{},{},{:.4}",
                r.group, r.prediction, r.label, r.score
            )
        } else {
            writeln!(out, ",{:.4},{:.4}", r.prediction, r.label)
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_are_deterministic() {
        let a = ModelSpec::new(1234);
        let b = ModelSpec::new(1234);
        assert_eq!(a.reference_csv(), b.reference_csv());
        assert_eq!(a.current_csv(), b.current_csv());
        assert_eq!(a.registration(), b.registration());
    }

    #[test]
    fn the_mix_of_tasks_tiers_and_scenarios_is_mixed() {
        let specs: Vec<ModelSpec> = (0..2000).map(ModelSpec::new).collect();
        let share = |f: &dyn Fn(&ModelSpec) -> bool| {
            specs.iter().filter(|s| f(s)).count() as f64 / specs.len() as f64
        };
        assert!((share(&|s| s.binary) - 2.0 / 3.0).abs() < 0.05);
        for tier in TIERS {
            assert!((share(&|s| s.risk_tier == tier) - 0.25).abs() < 0.05);
        }
        assert!((share(&|s| s.scenario == Scenario::Stable) - 0.55).abs() < 0.05);
        assert!((share(&|s| s.scenario == Scenario::MildDrift) - 0.25).abs() < 0.05);
        assert!(share(&|s| s.scenario == Scenario::HeavyDrift) > 0.08);
        assert!(share(&|s| s.scenario == Scenario::Unfair) > 0.03);
        assert!(
            specs
                .iter()
                .all(|s| s.binary || s.scenario != Scenario::Unfair)
        );
    }

    #[test]
    fn the_shifted_share_matches_the_scenario() {
        for spec in (0..500).map(ModelSpec::new) {
            let share = spec.shifted.len() as f64 / FEATURES.len() as f64;
            match spec.scenario {
                Scenario::Stable | Scenario::Unfair => assert_eq!(share, 0.0),
                Scenario::MildDrift => assert!((0.25..0.5).contains(&share)),
                Scenario::HeavyDrift => assert!(share >= 0.5),
            }
        }
    }

    #[test]
    fn csvs_have_the_header_and_rows_the_roles_need() {
        let binary = (0..)
            .map(ModelSpec::new)
            .find(|s| s.binary)
            .expect("a binary spec");
        let regression = (0..)
            .map(ModelSpec::new)
            .find(|s| !s.binary)
            .expect("a regression spec");
        let csv = binary.reference_csv();
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("income,age,region,plan,group,prediction,label,score")
        );
        assert_eq!(lines.count(), ROWS);
        assert!(csv.lines().skip(1).all(|l| l.split(',').count() == 8));
        let csv = regression.current_csv();
        assert_eq!(
            csv.lines().next(),
            Some("income,age,region,plan,prediction,label")
        );
        assert!(csv.lines().skip(1).all(|l| l.split(',').count() == 6));
    }

    #[test]
    fn stable_current_data_is_the_reference_reordered() {
        let spec = (0..)
            .map(ModelSpec::new)
            .find(|s| s.scenario == Scenario::Stable)
            .expect("a stable spec");
        let sorted = |csv: String| {
            let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
            lines.sort();
            lines
        };
        assert_ne!(spec.reference_csv(), spec.current_csv());
        assert_eq!(sorted(spec.reference_csv()), sorted(spec.current_csv()));
    }

    #[test]
    fn groups_have_equal_positive_rates_in_the_reference_and_not_when_unfair() {
        let spec = (0..)
            .map(ModelSpec::new)
            .find(|s| s.scenario == Scenario::Unfair)
            .expect("an unfair spec");
        let positives = |csv: &str, group: &str| {
            csv.lines()
                .skip(1)
                .filter(|l| l.split(',').nth(4) == Some(group))
                .filter(|l| l.split(',').nth(5) == Some("1"))
                .count()
        };
        let reference = spec.reference_csv();
        assert_eq!(positives(&reference, "A"), positives(&reference, "B"));
        assert!(positives(&reference, "B") > 0);
        assert_eq!(positives(&spec.current_csv(), "B"), 0);
    }
}
