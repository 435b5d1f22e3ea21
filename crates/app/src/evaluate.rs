//! Evaluation use cases: evaluate current data against a model's reference and the active
//! policies of its tier, store the result, and read stored evaluations back.

use std::sync::Arc;

use chrono::SubsecRound;
use driftguard_auth::Action;
use driftguard_core::{DomainError, DomainResult, EvaluationId, ModelId, Page, Timestamp, now};
use driftguard_governance::{
    EvaluationInput, EvaluationOptions, EvaluationResult, Policy, PolicyRepository, RiskSettings,
    evaluate,
};
use driftguard_registry::{Model, ModelColumns, ModelRepository};
use driftguard_stats::{ColumnRoles, Dataset, ParseOptions, PreparedReference};
use serde_json::Value;

use crate::actor::Actor;
use crate::changes::Announcer;
use crate::data::{UploadData, blocking, read};
use crate::ports::changes::Change;
use crate::ports::dashboard::ViolationCounts;
use crate::ports::evaluations::{EvaluationRepository, NewEvaluation, StoredEvaluation};
use crate::ports::references::{DataFormat, Ordered};
use crate::ports::usage::UsageMetrics;
use crate::reference::{ReferenceService, outcome_columns};

/// What an evaluation request may choose besides the data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvaluateOptions {
    /// Drift method and threshold, for every column or per column.
    pub drift: EvaluationOptions,
    /// Column roles, when they differ from the model's.
    pub columns: Option<ModelColumns>,
}

/// Evaluation use cases.
#[derive(Clone)]
pub struct EvaluationService {
    models: Arc<dyn ModelRepository>,
    references: ReferenceService,
    policies: Arc<dyn PolicyRepository>,
    evaluations: Arc<dyn EvaluationRepository>,
    usage: Arc<dyn UsageMetrics>,
    changes: Announcer,
    settings: RiskSettings,
}

/// A model, its reference data (prepared) and the policies active now for its tier:
/// everything an evaluation of some current data needs besides that data.
pub(crate) struct Judging {
    pub(crate) model: Model,
    pub(crate) reference: Arc<PreparedReference>,
    pub(crate) policies: Vec<Policy>,
    pub(crate) settings: RiskSettings,
    pub(crate) limits: driftguard_stats::Limits,
}

impl Judging {
    /// The evaluation pipeline (drift, fairness, performance, risk, judgement) of `current`,
    /// the one a stored evaluation and a simulation both run. CPU-bound: call it on the
    /// blocking pool.
    pub(crate) fn evaluate(
        &self,
        current: &Dataset,
        roles: &ColumnRoles,
        options: &EvaluationOptions,
    ) -> DomainResult<EvaluationResult> {
        let result = evaluate(&EvaluationInput {
            reference: (&*self.reference).into(),
            current,
            roles,
            task: self.model.task,
            risk_tier: self.model.risk_tier,
            options,
            policies: &self.policies,
            settings: &self.settings,
            max_groups: self.limits.max_groups,
        })?;
        Ok(result)
    }
}

/// The statistics engine's roles for a model's column roles.
pub fn roles_of(columns: &ModelColumns) -> ColumnRoles {
    ColumnRoles {
        prediction: columns.prediction.clone(),
        label: columns.label.clone(),
        score: columns.score.clone(),
        sensitive: columns.sensitive.clone(),
        ignore: columns.ignore.clone(),
    }
}

/// Reads the current data with the reference's kinds for the columns both have, so that a
/// column is compared as the same kind on both sides: in one pass, as the data arrives (the
/// same dataset as inferring the kinds and reading again with those that differ forced).
fn read_current(
    data: UploadData,
    format: DataFormat,
    reference: &PreparedReference,
    limits: driftguard_stats::Limits,
) -> DomainResult<Dataset> {
    let kinds_if_present = reference
        .iter()
        .map(|(name, column)| (name.to_owned(), column.kind()))
        .collect();
    let options = ParseOptions {
        limits,
        kinds_if_present,
        ..ParseOptions::default()
    };
    read(data, format, &options)
}

impl EvaluationService {
    /// The use cases over these stores, scoring risk with `settings`.
    pub fn new(
        models: Arc<dyn ModelRepository>,
        references: ReferenceService,
        policies: Arc<dyn PolicyRepository>,
        evaluations: Arc<dyn EvaluationRepository>,
        usage: Arc<dyn UsageMetrics>,
        changes: Announcer,
        settings: RiskSettings,
    ) -> Self {
        Self {
            models,
            references,
            policies,
            evaluations,
            usage,
            changes,
            settings,
        }
    }

    /// `POST /models/{id}/evaluations`: evaluates `data` (in `format`, as it arrives when it
    /// is arriving) against the model's reference data and the policies active for
    /// its tier, stores the result and returns it. `Conflict` when the model has no
    /// reference data; needs `engineer`.
    pub async fn evaluate(
        &self,
        model_id: ModelId,
        data: impl Into<UploadData>,
        format: DataFormat,
        options: EvaluateOptions,
        user: &Actor,
    ) -> DomainResult<StoredEvaluation> {
        self.run(model_id, data.into(), format, options, None, user)
            .await
    }

    /// [`evaluate`](Self::evaluate), recorded as run at `at` instead of now: for loading a
    /// history of evaluations (`driftguard demo`). No HTTP route calls it, so API clients
    /// cannot backdate. `at` must not be in the future nor before the model's latest
    /// evaluation (`Invalid`), so that the latest evaluation stays the newest one.
    pub async fn evaluate_at(
        &self,
        model_id: ModelId,
        data: impl Into<UploadData>,
        format: DataFormat,
        options: EvaluateOptions,
        at: Timestamp,
        user: &Actor,
    ) -> DomainResult<StoredEvaluation> {
        self.run(model_id, data.into(), format, options, Some(at), user)
            .await
    }

    /// `Invalid` unless `at` lies between the model's latest evaluation and now.
    async fn check_backdate(&self, model_id: ModelId, at: Timestamp) -> DomainResult<()> {
        let latest = self.evaluations.latest_for_model(model_id).await?;
        if at > now() || latest.is_some_and(|e| e.created_at > at) {
            return Err(DomainError::invalid_field(
                "evaluated_at",
                "must lie between the model's latest evaluation and now",
            ));
        }
        Ok(())
    }

    async fn run(
        &self,
        model_id: ModelId,
        data: UploadData,
        format: DataFormat,
        options: EvaluateOptions,
        backdate: Option<Timestamp>,
        user: &Actor,
    ) -> DomainResult<StoredEvaluation> {
        user.require(Action::EditModels)?;
        let wanted = options.columns.clone();
        let judging = self
            .judging(model_id, |model| {
                Ordered::Only(outcome_columns(wanted.as_ref().unwrap_or(&model.columns)))
            })
            .await?;
        // Stored at µs precision, so compared at it too.
        let backdate = backdate.map(|at| at.trunc_subsecs(6));
        if let Some(at) = backdate {
            self.check_backdate(model_id, at).await?;
        }
        let roles = roles_of(options.columns.as_ref().unwrap_or(&judging.model.columns));
        let result = blocking(move || {
            let current = read_current(data, format, &judging.reference, judging.limits)?;
            judging.evaluate(&current, &roles, &options.drift)
        })
        .await?;
        for violation in &result.judgement.violations {
            self.usage.violation(violation.kind);
        }
        let body = match serde_json::to_value(&result) {
            Ok(Value::Object(map)) => map,
            _ => return Err(DomainError::internal("an evaluation did not encode")),
        };
        let record = self.evaluations.record(NewEvaluation {
            model_id,
            created_by: user.id,
            created_at: backdate.unwrap_or_else(now),
            status: result.judgement.status,
            risk_score: result.risk.score,
            policy_versions: result.judgement.policy_versions.clone(),
            violations: ViolationCounts::of(&result.judgement.violations),
            body,
        });
        self.changes.after(&[Change::Evaluation], record).await
    }

    /// What judging data against the model needs, with the reference columns `ordered` asks
    /// for (given the model) in row order: `NotFound` for an unknown model, `Conflict` when
    /// it has no reference data. Evaluations and simulations both start here.
    pub(crate) async fn judging(
        &self,
        model_id: ModelId,
        ordered: impl FnOnce(&Model) -> Ordered,
    ) -> DomainResult<Judging> {
        let model = self
            .models
            .get(model_id)
            .await?
            .ok_or_else(|| model_id.not_found())?;
        let reference = self
            .references
            .load_prepared(&model, ordered(&model))
            .await?;
        let policies = self.policies.active_for_tier(model.risk_tier).await?;
        Ok(Judging {
            model,
            reference,
            policies,
            settings: self.settings,
            limits: self.references.limits(),
        })
    }

    /// `GET /models/{id}/evaluations`: a page of the model's evaluations, newest first.
    pub async fn list_evaluations(
        &self,
        model_id: ModelId,
        page: Page,
    ) -> DomainResult<(Vec<StoredEvaluation>, u64)> {
        if self.models.get(model_id).await?.is_none() {
            return Err(model_id.not_found());
        }
        self.evaluations.list_for_model(model_id, page).await
    }

    /// `GET /evaluations/{id}`.
    pub async fn get_evaluation(&self, id: EvaluationId) -> DomainResult<StoredEvaluation> {
        self.evaluations
            .get(id)
            .await?
            .ok_or_else(|| id.not_found())
    }
}
