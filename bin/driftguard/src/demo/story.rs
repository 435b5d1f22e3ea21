//! What the demo loads: six model versions over the four risk tiers and both tasks, how their
//! daily evaluations drift over four weeks, what happens when each is deployed, and a second policy.

use super::data::{self, Generator};
use driftguard_core::{RiskTier, Task};
use driftguard_governance::{AppliesTo, Op, PolicyDraft, Rule, Severity};
use driftguard_registry::{ModelColumns, NewModel};

/// The tag every demo model carries: `--force` replaces only models that have it.
pub const DEMO_TAG: &str = "demo";

/// Rows of each model's reference data. Over 1,000, so that Evidently's rule picks the
/// distance methods (Wasserstein, Jensen–Shannon), whose scores grow smoothly with the drift:
/// the chi-square test takes the reference shares as exact and flags a stable category
/// column in about a third of samples this size.
pub const REFERENCE_ROWS: usize = 4_000;

/// Rows of each evaluation's current data: enough that a group's selection rate and a
/// recall on a few positives do not swing a critical model's risk score on their own.
pub const CURRENT_ROWS: usize = 1_000;

/// What the demo does at the deploy button of a model, once its evaluations are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeployPlan {
    /// Leave it registered.
    Leave,
    /// An engineer deploys it.
    Deploy,
    /// An engineer tries; the gate is expected to block it.
    Attempt,
    /// An engineer tries and is blocked; an approver then overrides, with this justification.
    Override(&'static str),
}

/// The data a model is evaluated on, and how it drifts.
#[derive(Debug, Clone, Copy)]
pub struct History {
    /// Which kind of data.
    pub generator: Generator,
    /// The world the reference data (and the model) comes from.
    pub trained_on: f64,
    /// The drift of the last evaluation; the first is at `trained_on`.
    pub drift_to: f64,
    /// How many evaluations: one a day (a nightly monitoring job), the last one today.
    pub evaluations: u32,
}

impl History {
    /// The drift of evaluation `k` of [`History::evaluations`]: slow at first, faster later
    /// (a power curve), so that the risk trend bends upwards.
    pub fn drift_at(&self, k: u32) -> f64 {
        let span = f64::from(self.evaluations.saturating_sub(1).max(1));
        let t = f64::from(k) / span;
        self.trained_on + (self.drift_to - self.trained_on) * t.powf(1.6)
    }

    /// How many days ago evaluation `k` ran.
    pub fn days_ago(&self, k: u32) -> u32 {
        self.evaluations.saturating_sub(k + 1)
    }
}

/// One model version of the demo.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// What is registered.
    pub model: NewModel,
    /// Its data and evaluations; `None`: registered only, never evaluated.
    pub history: Option<History>,
    /// What happens at deploy time.
    pub deploy: DeployPlan,
}

fn columns(prediction: &str, label: &str, score: Option<&str>, sensitive: &[&str]) -> ModelColumns {
    ModelColumns {
        prediction: Some(prediction.to_owned()),
        label: Some(label.to_owned()),
        score: score.map(str::to_owned),
        sensitive: sensitive.iter().map(|c| (*c).to_owned()).collect(),
        ignore: Vec::new(),
    }
}

fn model(
    name: &str,
    version: &str,
    (task, tier): (Task, RiskTier),
    description: &str,
    tags: &[&str],
    columns: ModelColumns,
) -> NewModel {
    let mut model = NewModel::new(name, version, task, tier);
    model.description = Some(description.to_owned());
    model.framework = Some(
        if task == Task::Regression {
            "lightgbm"
        } else {
            "scikit-learn"
        }
        .to_owned(),
    );
    model.tags = std::iter::once(DEMO_TAG)
        .chain(tags.iter().copied())
        .map(str::to_owned)
        .collect();
    model.columns = columns;
    model
}

/// The six model versions, in the order they are loaded.
pub fn scenarios() -> Vec<Scenario> {
    use RiskTier::{Critical, High, Low, Medium};
    use Task::{BinaryClassification as Binary, Regression};
    let credit_columns = || {
        columns(
            "predicted_default",
            "defaulted",
            Some("default_score"),
            &["gender"],
        )
    };
    vec![
        Scenario {
            model: model(
                "credit-risk",
                "1.0.0",
                (Binary, High),
                "Probability of default for consumer loan applications.",
                &["lending"],
                credit_columns(),
            ),
            history: Some(History {
                generator: data::credit,
                trained_on: 0.0,
                drift_to: 1.0,
                evaluations: 28,
            }),
            deploy: DeployPlan::Attempt,
        },
        Scenario {
            model: model(
                "credit-risk",
                "1.1.0",
                (Binary, High),
                "Retrained on this quarter's applications after 1.0.0 drifted.",
                &["lending"],
                credit_columns(),
            ),
            history: Some(History {
                generator: data::credit,
                trained_on: 1.0,
                drift_to: 1.05,
                evaluations: 10,
            }),
            deploy: DeployPlan::Deploy,
        },
        Scenario {
            model: model(
                "customer-churn",
                "2.3.0",
                (Binary, Medium),
                "Which subscribers are likely to cancel in the next 60 days.",
                &["marketing"],
                columns("predicted_churn", "churned", Some("churn_score"), &[]),
            ),
            history: Some(History {
                generator: data::churn,
                trained_on: 0.0,
                drift_to: 0.6,
                evaluations: 28,
            }),
            deploy: DeployPlan::Deploy,
        },
        Scenario {
            model: model(
                "card-fraud",
                "0.9.0",
                (Binary, Critical),
                "Flags card transactions for review before they settle.",
                &["payments"],
                columns("flagged", "is_fraud", Some("fraud_score"), &[]),
            ),
            history: Some(History {
                generator: data::fraud,
                trained_on: 0.0,
                drift_to: 1.0,
                evaluations: 28,
            }),
            deploy: DeployPlan::Override(
                "The rules engine this model replaces misses twice as much of the new \
                 electronics fraud; fraud ops review every flag daily until 1.0.0 is \
                 retrained (ticket FRAUD-212).",
            ),
        },
        Scenario {
            model: model(
                "store-demand",
                "4.2.1",
                (Regression, Low),
                "Units sold per store and day, for replenishment.",
                &["supply-chain"],
                columns("predicted_units", "units_sold", None, &[]),
            ),
            history: Some(History {
                generator: data::demand,
                trained_on: 0.0,
                drift_to: 0.15,
                evaluations: 28,
            }),
            deploy: DeployPlan::Deploy,
        },
        Scenario {
            model: model(
                "ticket-priority",
                "0.1.0",
                (Binary, Medium),
                "Routes support tickets by urgency; registered, awaiting its reference data.",
                &["support"],
                columns("predicted_urgent", "urgent", None, &[]),
            ),
            history: None,
            deploy: DeployPlan::Leave,
        },
    ]
}

/// The name of the demo's second policy (a forced reload reuses it rather than adding one).
pub const SECOND_POLICY: &str = "High-stakes models";

/// A stricter policy for the high and critical tiers, beside the default one.
pub fn second_policy() -> PolicyDraft {
    PolicyDraft {
        name: SECOND_POLICY.to_owned(),
        description: Some(
            "Lending and payments: demographic parity within 10 points, a ranking quality \
             worth keeping, and watch on the income column the credit models lean on."
                .to_owned(),
        ),
        active: true,
        applies_to: AppliesTo {
            risk_tiers: vec![RiskTier::High, RiskTier::Critical],
        },
        rules: vec![
            Rule::new(
                "fairness.demographic_parity_difference",
                Op::Le,
                0.1,
                Severity::Block,
            ),
            Rule::new("performance.roc_auc", Op::Ge, 0.75, Severity::Warn),
            Rule::new("drift.column.income.psi", Op::Lt, 0.2, Severity::Warn),
        ],
    }
}
