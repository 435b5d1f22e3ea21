//! One evaluation, from two datasets to the judged result: drift, fairness, performance, the
//! risk score, the metric map and the policy judgement. Pure; the HTTP API and the offline
//! `driftguard check` both call [`evaluate`].

use std::collections::BTreeMap;

use driftguard_core::{DomainError, RiskTier, Task};
use driftguard_stats::drift::{self, ColumnDriftOptions, DriftMethod, DriftOptions, DriftReport};
use driftguard_stats::performance::{self, PerformanceComparison};
use driftguard_stats::{ColumnRoles, Dataset, Reference, StatsError, fairness};
use serde::{Deserialize, Serialize};

use crate::column_requests::requested_columns;
use crate::judge::{Judgement, judge};
use crate::metric_map::{MetricMap, PerformanceInput, build_metric_map};
use crate::policy::Policy;
use crate::risk::{RiskScore, RiskSettings, Severities, risk_score};
use crate::sections::{FairnessSection, PerformanceSection, drift_wire};

/// The drift choices a request may make (`POST /models/{id}/evaluations`, `driftguard check`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EvaluationOptions {
    /// Method for every column without its own; `None` = Evidently's default per column.
    pub drift_method: Option<DriftMethod>,
    /// Threshold for every column; `None` = the method's default.
    pub drift_threshold: Option<f64>,
    /// Method per column name.
    pub column_methods: BTreeMap<String, DriftMethod>,
}

/// Everything one evaluation needs.
#[derive(Debug, Clone, Copy)]
pub struct EvaluationInput<'a> {
    /// The model's reference data: a dataset, or prepared once for every evaluation (which
    /// then must keep the prediction, label and score columns in row order).
    pub reference: Reference<'a>,
    /// The data the model sees now, with its predictions (and labels where known).
    pub current: &'a Dataset,
    /// Which columns are prediction, label, score, sensitive and ignored.
    pub roles: &'a ColumnRoles,
    /// The model's task.
    pub task: Task,
    /// The model's risk tier: scales the risk score and selects the policies.
    pub risk_tier: RiskTier,
    /// The request's drift choices.
    pub options: &'a EvaluationOptions,
    /// The policies to judge by; those inactive or not covering the tier are passed over.
    pub policies: &'a [Policy],
    /// The risk score's numbers.
    pub settings: &'a RiskSettings,
    /// Most groups a sensitive column may have (a setting; 1,000 by default), so that a
    /// column of unique values cannot make a fairness table of a million groups.
    pub max_groups: usize,
}

/// An evaluation's result: SPEC §3's evaluation body without `id`, `model_id` and
/// `created_at`, which the service adds when it stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationResult {
    /// Drift per feature column and over the dataset.
    #[serde(with = "drift_wire")]
    pub drift: DriftReport,
    /// Fairness, for a binary classifier with sensitive columns and labels.
    pub fairness: Option<FairnessSection>,
    /// Performance, when the roles name a prediction and a label.
    pub performance: Option<PerformanceSection>,
    /// The risk score and its breakdown.
    pub risk: RiskScore,
    /// Every policy metric this evaluation produced.
    pub metrics: MetricMap,
    /// `status`, `violations`, `skipped_rules` and `policy_versions`.
    #[serde(flatten)]
    pub judgement: Judgement,
}

/// Why an evaluation could not run: a problem with the input, never a crash.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvaluationError {
    /// A column named by the roles is not in the current data.
    #[error("the {role} column `{column}` is not in the current data")]
    MissingRoleColumn {
        /// The role (`prediction`, `label`, `score`, `sensitive`).
        role: &'static str,
        /// The column named.
        column: String,
    },
    /// The statistics engine rejected the data or the options.
    #[error(transparent)]
    Stats(#[from] StatsError),
    /// The risk settings are not usable.
    #[error("{0}")]
    Settings(String),
}

impl From<EvaluationError> for DomainError {
    /// Input problems are the caller's (422); bad settings are ours.
    fn from(error: EvaluationError) -> Self {
        match error {
            EvaluationError::Settings(message) => DomainError::internal(message),
            // The data is what is wrong; the message names the column.
            other => DomainError::invalid_field("data", other.to_string()),
        }
    }
}

/// Evaluates `current` against `reference` and judges the result.
///
/// Every column the roles name must be in the current data. The baseline performance comes
/// from the reference when it holds the prediction and label columns. Fairness is measured
/// for binary classification when the roles name sensitive columns, a prediction and a label.
pub fn evaluate(input: &EvaluationInput<'_>) -> Result<EvaluationResult, EvaluationError> {
    let settings = input.settings;
    settings.validate().map_err(EvaluationError::Settings)?;
    let roles = input.roles;
    check_roles(roles, input.current)?;

    let drift = drift::compare(
        input.reference,
        input.current,
        roles,
        &drift_options(input.options, settings),
    )?;
    let labelled = roles.prediction.is_some() && roles.label.is_some();
    // Fairness and performance read the same columns and nothing of each other: side by side.
    let (fairness, performance) = rayon::join(
        || match input.task {
            Task::BinaryClassification if labelled => {
                fairness::evaluate_with_max_groups(input.current, roles, input.max_groups)
                    .map(|f| f.map(FairnessSection::from))
            }
            _ => Ok(None),
        },
        || labelled.then(|| performance_section(input)).transpose(),
    );
    let (fairness, performance) = (fairness?, performance?);

    let severities = Severities {
        drift: (drift.total_columns > 0).then(|| settings.drift_severity(drift.share)),
        fairness: fairness
            .as_ref()
            .and_then(|f| settings.fairness_severity(&f.worst)),
        performance: performance
            .as_ref()
            .and_then(|p| Some(settings.performance_severity(p.baseline.as_ref()?, &p.current))),
    };
    let risk = risk_score(severities, input.risk_tier, settings);
    let extra_columns = requested_columns(input, &drift)?;
    let metrics = build_metric_map(
        &drift,
        &extra_columns,
        fairness.as_ref().map(|f| &f.worst),
        performance.as_ref().map(|p| PerformanceInput {
            current: &p.current,
            drop: p.drop.as_ref(),
        }),
        risk.score,
    );
    let judgement = judge(&metrics, input.policies, input.risk_tier);
    Ok(EvaluationResult {
        drift,
        fairness,
        performance,
        risk,
        metrics,
        judgement,
    })
}

fn check_roles(roles: &ColumnRoles, current: &Dataset) -> Result<(), EvaluationError> {
    let named = [
        ("prediction", &roles.prediction),
        ("label", &roles.label),
        ("score", &roles.score),
    ]
    .into_iter()
    .filter_map(|(role, column)| Some((role, column.as_deref()?)))
    .chain(roles.sensitive.iter().map(|c| ("sensitive", c.as_str())));
    for (role, column) in named {
        if current.column(column).is_none() {
            return Err(EvaluationError::MissingRoleColumn {
                role,
                column: column.to_owned(),
            });
        }
    }
    Ok(())
}

fn drift_options(options: &EvaluationOptions, settings: &RiskSettings) -> DriftOptions {
    DriftOptions {
        method: options.drift_method,
        threshold: options.drift_threshold,
        columns: options
            .column_methods
            .iter()
            .map(|(column, &method)| {
                let own = ColumnDriftOptions {
                    method: Some(method),
                    threshold: None,
                };
                (column.clone(), own)
            })
            .collect(),
        share_threshold: settings.drift_share_threshold,
        ..DriftOptions::default()
    }
}

fn stats_task(task: Task) -> performance::Task {
    match task {
        Task::BinaryClassification => performance::Task::BinaryClassification,
        Task::Regression => performance::Task::Regression,
    }
}

fn performance_section(input: &EvaluationInput<'_>) -> Result<PerformanceSection, StatsError> {
    let task = stats_task(input.task);
    let roles = input.roles;
    let reference_has = |column: &Option<String>| {
        column
            .as_deref()
            .is_some_and(|c| input.reference.has_column(c))
    };
    let section = if reference_has(&roles.prediction) && reference_has(&roles.label) {
        let PerformanceComparison {
            baseline,
            current,
            drop,
        } = performance::compare(input.reference, input.current, task, roles)?;
        PerformanceSection {
            task: input.task,
            current,
            baseline: Some(baseline),
            drop: Some(drop),
        }
    } else {
        PerformanceSection {
            task: input.task,
            current: performance::evaluate(input.current, task, roles)?,
            baseline: None,
            drop: None,
        }
    };
    Ok(section)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::Status;
    use crate::policy::PolicyDraft;
    use crate::rule::{Op, Rule, Severity};
    use crate::test_support::policy;
    use driftguard_stats::ParseOptions;

    /// Six rows a side: `age` shifts, `city` does not; predictions go wrong in the current.
    const REFERENCE: &str = "age,city,group,y,p,s\n\
        31,Oslo,a,1,1,0.9\n45,Rome,b,0,0,0.2\n27,Oslo,a,1,1,0.8\n\
        52,Rome,b,0,0,0.1\n38,Oslo,a,1,1,0.7\n61,Rome,b,0,0,0.3\n";
    const CURRENT: &str = "age,city,group,y,p,s\n\
        73,Oslo,a,1,1,0.9\n85,Rome,b,0,1,0.6\n77,Oslo,a,1,1,0.8\n\
        92,Rome,b,0,0,0.1\n88,Oslo,a,1,0,0.4\n91,Rome,b,0,0,0.3\n";

    fn dataset(csv: &str) -> Dataset {
        Dataset::from_csv(csv.as_bytes(), &ParseOptions::default()).expect("valid csv")
    }

    fn roles() -> ColumnRoles {
        ColumnRoles {
            prediction: Some("p".into()),
            label: Some("y".into()),
            score: Some("s".into()),
            sensitive: vec!["group".into()],
            ignore: vec![],
        }
    }

    /// One evaluation of [`CURRENT`]; the default is the full roles, binary classification,
    /// the default policy and settings.
    struct Case {
        reference: &'static str,
        roles: ColumnRoles,
        task: Task,
        options: EvaluationOptions,
        policies: Vec<Policy>,
        settings: RiskSettings,
    }

    impl Default for Case {
        fn default() -> Self {
            Self {
                reference: REFERENCE,
                roles: roles(),
                task: Task::BinaryClassification,
                options: EvaluationOptions::default(),
                policies: vec![policy(1, 1, PolicyDraft::default_policy())],
                settings: RiskSettings::default(),
            }
        }
    }

    impl Case {
        fn run(&self) -> Result<EvaluationResult, EvaluationError> {
            let (reference, current) = (dataset(self.reference), dataset(CURRENT));
            evaluate(&EvaluationInput {
                reference: (&reference).into(),
                current: &current,
                roles: &self.roles,
                task: self.task,
                risk_tier: RiskTier::Medium,
                options: &self.options,
                policies: &self.policies,
                settings: &self.settings,
                max_groups: driftguard_stats::Limits::default().max_groups,
            })
        }
    }

    #[test]
    fn a_full_evaluation_has_every_section_and_a_consistent_score() {
        let result = Case::default().run().expect("evaluates");
        assert_eq!(result.drift.total_columns, 2);
        assert!(result.fairness.is_some());
        let performance = result.performance.as_ref().expect("labelled");
        assert_eq!(
            performance.baseline.as_ref().and_then(|b| b.accuracy),
            Some(1.0)
        );
        // 6 of 6 right on the reference, 4 of 6 on the current.
        assert!((result.metrics["performance.accuracy_drop"] - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(result.metrics["risk.score"], result.risk.score);
        assert_eq!(result.risk.components.total().min(100.0), result.risk.score);
        assert_eq!(result.judgement.status, Status::Fail);
        assert_eq!(result.judgement.policy_versions.len(), 1);
    }

    #[test]
    fn no_labels_in_the_roles_means_no_fairness_and_no_performance() {
        let roles = ColumnRoles {
            label: None,
            ..roles()
        };
        let result = Case {
            roles,
            ..Case::default()
        }
        .run()
        .expect("evaluates");
        assert!(result.fairness.is_none() && result.performance.is_none());
        // `y` is a feature now.
        assert_eq!(result.drift.total_columns, 3);
        assert!(result.risk.components.fairness.is_none());
        assert!(result.risk.components.drift.is_some());
    }

    #[test]
    fn a_reference_without_predictions_has_no_baseline() {
        let reference = "age,city,group,y,s\n31,Oslo,a,1,0.9\n45,Rome,b,0,0.2\n27,Oslo,a,1,0.8\n";
        let result = Case {
            reference,
            ..Case::default()
        }
        .run()
        .expect("evaluates");
        let performance = result.performance.expect("labelled current");
        assert!(performance.baseline.is_none() && performance.drop.is_none());
        assert!(result.risk.components.performance.is_none());
        assert!(!result.metrics.contains_key("performance.accuracy_drop"));
        assert!(
            result
                .judgement
                .skipped_rules
                .iter()
                .any(|s| s.metric == "performance.accuracy_drop")
        );
    }

    #[test]
    fn regression_has_no_fairness() {
        let roles = ColumnRoles {
            score: None,
            ..roles()
        };
        let result = Case {
            roles,
            task: Task::Regression,
            ..Case::default()
        }
        .run()
        .expect("evaluates");
        assert!(result.fairness.is_none());
        assert!(result.metrics.contains_key("performance.mae"));
    }

    #[test]
    fn input_problems_are_typed_errors() {
        let roles = ColumnRoles {
            sensitive: vec!["gender".into()],
            ..roles()
        };
        let error = Case {
            roles,
            ..Case::default()
        }
        .run()
        .expect_err("no gender");
        assert_eq!(
            error.to_string(),
            "the sensitive column `gender` is not in the current data"
        );
        assert!(matches!(
            DomainError::from(error),
            DomainError::Invalid { .. }
        ));

        let reference = "age,city,height,group,y,p,s\n31,Oslo,1.8,a,1,1,0.9\n";
        let error = Case {
            reference,
            ..Case::default()
        }
        .run()
        .expect_err("height is not in the current data");
        assert!(matches!(
            error,
            EvaluationError::Stats(StatsError::MissingColumn { .. })
        ));
    }

    #[test]
    fn options_choose_methods_and_settings_are_checked() {
        let mut case = Case {
            options: EvaluationOptions {
                drift_method: Some(DriftMethod::Psi),
                drift_threshold: None,
                column_methods: BTreeMap::from([("city".to_owned(), DriftMethod::Jensenshannon)]),
            },
            policies: vec![],
            ..Case::default()
        };
        let result = case.run().expect("evaluates");
        for metric in [
            "drift.column.age.psi",
            "drift.column.city.jensenshannon",
            "drift.max_psi",
        ] {
            assert!(result.metrics.contains_key(metric), "{metric}");
        }
        assert_eq!(result.judgement.status, Status::Pass);

        case.settings.performance_drop_scale = f64::NAN;
        let error = case.run().expect_err("bad settings");
        assert!(matches!(
            DomainError::from(error),
            DomainError::Internal { .. }
        ));
    }

    #[test]
    fn a_policy_rule_picks_a_column_method() {
        let rule = |metric: &str| Rule::new(metric, Op::Lt, 0.1, Severity::Block);
        let draft = PolicyDraft {
            rules: vec![
                rule("drift.column.age.psi"),
                rule("drift.column.age.ks"),
                // Not applicable to a categorical column, and not a feature: skipped.
                rule("drift.column.city.wasserstein"),
                rule("drift.column.y.psi"),
            ],
            ..PolicyDraft::default_policy()
        };
        let result = Case {
            policies: vec![policy(1, 1, draft)],
            ..Case::default()
        }
        .run()
        .expect("evaluates");
        // Evidently's default for a small numeric column is ks; the policy adds psi.
        assert_eq!(result.drift.columns[0].method, Some(DriftMethod::Ks));
        let psi = result.metrics["drift.column.age.psi"];
        assert!(psi > 0.1, "{psi}");
        assert!(!result.metrics.contains_key("drift.max_psi"));
        let violated: Vec<_> = result
            .judgement
            .violations
            .iter()
            .map(|v| v.metric.as_str())
            .collect();
        assert_eq!(violated, ["drift.column.age.psi"]);
        let skipped: Vec<_> = result
            .judgement
            .skipped_rules
            .iter()
            .map(|s| s.metric.as_str())
            .collect();
        assert_eq!(
            skipped,
            ["drift.column.city.wasserstein", "drift.column.y.psi"]
        );
    }

    #[test]
    fn the_json_is_the_spec_body() {
        let result = Case::default().run().expect("evaluates");
        let json = serde_json::to_value(&result).expect("serialises");
        for key in [
            "status",
            "drift",
            "fairness",
            "performance",
            "risk",
            "metrics",
            "violations",
            "skipped_rules",
            "policy_versions",
        ] {
            assert!(json.get(key).is_some(), "{key} missing");
        }
        assert_eq!(json["performance"]["task"], "binary_classification");
        assert!(json["fairness"]["disparate_impact"].is_number());
        assert!(json["risk"]["components"]["drift"]["contribution"].is_number());
        let back: EvaluationResult = serde_json::from_value(json).expect("reads back");
        assert_eq!(back, result);
    }
}
