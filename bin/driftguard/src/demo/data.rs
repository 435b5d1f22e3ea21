//! The demo's four kinds of data — credit risk, churn, fraud, demand — as functions of how far
//! the world has drifted, so that later evaluations drift more and some get blocked.
//!
//! Each generator draws the features of the world at `drift` (0 = the world the reference data
//! comes from, 1 = far off), the true outcome of that world, and the prediction of a model that
//! learnt the world at `trained_on`: the gap between the two is what degrades performance.

use super::sample::{Sampler, Table, sigmoid};

/// Where the world is, and where it was when the model learnt it.
#[derive(Debug, Clone, Copy)]
pub struct World {
    /// How far the data has drifted, 0 to about 1.
    pub drift: f64,
    /// The drift of the world the model was trained on.
    pub trained_on: f64,
}

impl World {
    /// How much has changed since training (never negative: a model does not suffer from a
    /// world that moved back).
    fn gap(self) -> f64 {
        (self.drift - self.trained_on).max(0.0)
    }
}

/// `rows` rows of one kind of data in `world`.
pub type Generator = fn(&mut Sampler, usize, World) -> Table;

/// Loan applicants: income falls, debt rises, histories shorten, contracts spread; defaults
/// rise beyond what the features explain. The old model leans on proxies that the new
/// applicant mix ties to gender, so its predictions grow unfair as the world drifts.
pub fn credit(s: &mut Sampler, rows: usize, world: World) -> Table {
    let w = world.drift;
    let mut table = Table::new(&[
        "age",
        "income",
        "debt_ratio",
        "credit_history_months",
        "loan_amount",
        "employment_type",
        "region",
        "gender",
        "defaulted",
        "default_score",
        "predicted_default",
    ]);
    for _ in 0..rows {
        let age = s.normal(42.0 - 5.0 * w, 11.0).clamp(18.0, 85.0).round();
        let income = s.log_normal(10.9 - 0.3 * w, 0.45).round();
        let debt_ratio = s.normal(0.30 + 0.10 * w, 0.11).clamp(0.0, 1.2);
        let history = s.normal(120.0 - 35.0 * w, 55.0).clamp(0.0, 480.0).round();
        let loan = s.log_normal(9.4 + 0.25 * w, 0.55).round();
        let employment = s.pick(&[
            ("salaried", 0.64 - 0.16 * w),
            ("self_employed", 0.17),
            ("contract", 0.13 + 0.11 * w),
            ("unemployed", 0.06 + 0.05 * w),
        ]);
        let region = s.pick(&[
            ("north", 0.3),
            ("south", 0.25),
            ("east", 0.25),
            ("west", 0.2),
        ]);
        let gender = s.pick(&[("female", 0.49), ("male", 0.51)]);
        let risk =
            4.0 * (debt_ratio - 0.30) - 1.1 * (income.ln() - 10.9) - 0.006 * (history - 120.0)
                + 0.3 * (loan.ln() - 9.4)
                + match employment {
                    "contract" => 0.35,
                    "unemployed" => 1.0,
                    _ => 0.0,
                };
        let defaulted = s.chance(sigmoid(-1.6 + 1.8 * risk + 0.9 * w));
        let proxy_bias = if gender == "female" {
            1.0 * world.gap()
        } else {
            0.0
        };
        let score =
            sigmoid(-1.6 + 1.8 * risk + 0.9 * world.trained_on + proxy_bias + s.normal(0.0, 0.35));
        table.push(&[
            &age,
            &income,
            &format_args!("{debt_ratio:.3}"),
            &history,
            &loan,
            &employment,
            &region,
            &gender,
            &u8::from(defaulted),
            &format_args!("{score:.4}"),
            &u8::from(score >= 0.35),
        ]);
    }
    table
}

/// Telecom customers: a price rise lifts monthly charges and support calls; the rest holds.
pub fn churn(s: &mut Sampler, rows: usize, world: World) -> Table {
    let w = world.drift;
    let mut table = Table::new(&[
        "tenure_months",
        "monthly_charges",
        "support_calls",
        "contract",
        "payment_method",
        "plan",
        "churned",
        "churn_score",
        "predicted_churn",
    ]);
    for _ in 0..rows {
        let tenure = s.normal(30.0, 20.0).clamp(1.0, 120.0).round();
        let charges = s.normal(65.0 + 12.0 * w, 18.0).clamp(15.0, 200.0);
        let calls = s.poisson(1.2 + 1.5 * w);
        let contract = s.pick(&[
            ("month_to_month", 0.5),
            ("one_year", 0.3),
            ("two_year", 0.2),
        ]);
        let payment = s.pick(&[
            ("card", 0.4),
            ("bank_transfer", 0.35),
            ("paper_check", 0.25),
        ]);
        let plan = s.pick(&[("basic", 0.45), ("plus", 0.35), ("premium", 0.2)]);
        let logit =
            -1.6 + if contract == "month_to_month" {
                0.9
            } else {
                0.0
            } - 0.03 * (tenure - 30.0)
                + 0.025 * (charges - 65.0)
                + 0.3 * (f64::from(calls) - 1.2);
        let churned = s.chance(sigmoid(logit + 0.6 * world.gap()));
        let score = sigmoid(logit + s.normal(0.0, 0.4));
        table.push(&[
            &tenure,
            &format_args!("{charges:.2}"),
            &calls,
            &contract,
            &payment,
            &plan,
            &u8::from(churned),
            &format_args!("{score:.4}"),
            &u8::from(score >= 0.4),
        ]);
    }
    table
}

/// Card transactions: a fraud ring moves online into electronics, at night, far from home,
/// with bigger amounts; the old model has never seen the pattern and misses it.
pub fn fraud(s: &mut Sampler, rows: usize, world: World) -> Table {
    let w = world.drift;
    let mut table = Table::new(&[
        "amount",
        "hour",
        "merchant_category",
        "distance_from_home_km",
        "card_present",
        "transactions_24h",
        "is_fraud",
        "fraud_score",
        "flagged",
    ]);
    for _ in 0..rows {
        let amount = s.log_normal(3.8 + 0.6 * w, 1.0);
        let hour = (s.normal(14.0 - 4.0 * w, 4.5).rem_euclid(24.0)).floor();
        let category = s.pick(&[
            ("grocery", 0.3),
            ("restaurants", 0.25),
            ("online", 0.25),
            ("electronics", 0.12 + 0.2 * w),
            ("travel", 0.08),
        ]);
        let distance = s.log_normal(2.0 + 0.5 * w, 1.1);
        let card_present = s.chance(0.7 - 0.25 * w);
        let count = s.poisson(2.0 + 1.5 * w);
        let night = !(6.0..22.0).contains(&hour);
        let known = -2.4
            + 0.75 * (amount.ln() - 3.8)
            + if card_present { 0.0 } else { 1.8 }
            + if night { 0.9 } else { 0.0 }
            + 0.45 * (distance.ln() - 2.0)
            + 0.2 * (f64::from(count) - 2.0);
        let ring = if category == "electronics" {
            2.0 * w
        } else {
            0.0
        };
        let learnt_ring = if category == "electronics" {
            2.0 * world.trained_on
        } else {
            0.0
        };
        let is_fraud = s.chance(sigmoid(known + ring));
        let score = sigmoid(known + learnt_ring + s.normal(0.0, 0.4));
        table.push(&[
            &format_args!("{amount:.2}"),
            &hour,
            &category,
            &format_args!("{distance:.1}"),
            &u8::from(card_present),
            &count,
            &u8::from(is_fraud),
            &format_args!("{score:.4}"),
            &u8::from(score >= 0.3),
        ]);
    }
    table
}

/// Daily store demand: a warmer season, little else; the regression model keeps up.
pub fn demand(s: &mut Sampler, rows: usize, world: World) -> Table {
    let w = world.drift;
    let mut table = Table::new(&[
        "temperature_c",
        "day_of_week",
        "promotion",
        "price",
        "store_size",
        "units_sold",
        "predicted_units",
    ]);
    const DAYS: [(&str, f64); 7] = [
        ("mon", 1.0),
        ("tue", 1.0),
        ("wed", 1.0),
        ("thu", 1.0),
        ("fri", 1.0),
        ("sat", 1.0),
        ("sun", 1.0),
    ];
    for _ in 0..rows {
        let temperature = s.normal(18.0 + 3.0 * w, 7.0);
        let day = s.pick(&DAYS);
        let promotion = s.chance(0.2);
        let price = s.normal(4.5, 0.6).max(0.5);
        let size = s.pick(&[("small", 0.4), ("medium", 0.4), ("large", 0.2)]);
        let expected = 120.0 + 2.5 * temperature - 15.0 * (price - 4.5)
            + if promotion { 40.0 } else { 0.0 }
            + if matches!(day, "sat" | "sun") {
                25.0
            } else {
                0.0
            }
            + match size {
                "large" => 60.0,
                "medium" => 20.0,
                _ => 0.0,
            };
        let units = (expected + s.normal(0.0, 12.0)).max(0.0).round();
        let predicted = (expected + s.normal(0.0, 8.0)).max(0.0);
        table.push(&[
            &format_args!("{temperature:.1}"),
            &day,
            &u8::from(promotion),
            &format_args!("{price:.2}"),
            &size,
            &units,
            &format_args!("{predicted:.1}"),
        ]);
    }
    table
}
