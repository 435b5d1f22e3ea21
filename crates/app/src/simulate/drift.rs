//! `POST /simulation/drift`: rows drawn from the model's reference, changed by scenarios,
//! run through the evaluation pipeline and judged by the policies active now; one result,
//! or one per value of a swept scenario with the value at which the status tips.

use driftguard_auth::Action;
use driftguard_core::{DomainError, DomainResult, ModelId};
use driftguard_governance::simulation::{Draw, Plan, Scenario, TippingPoint, tipping_point};
use driftguard_governance::{EvaluationOptions, EvaluationResult};
use driftguard_stats::{ColumnRoles, PreparedReference};
use serde::{Deserialize, Serialize};

use super::SimulationService;
use crate::actor::Actor;
use crate::data::blocking;
use crate::evaluate::roles_of;
use crate::ports::references::Ordered;

/// The seed of a request that gives none.
pub const DEFAULT_SEED: u64 = 0;

/// What `POST /simulation/drift` takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriftSimulationRequest {
    /// The model whose reference data the rows are drawn from.
    pub model_id: ModelId,
    /// Rows to draw; absent = the reference's row count (bounded by the upload limits).
    #[serde(default)]
    pub rows: Option<u64>,
    /// The generator's seed; absent = [`DEFAULT_SEED`].
    #[serde(default)]
    pub seed: Option<u64>,
    /// The scenarios, applied in order.
    #[serde(deserialize_with = "driftguard_core::object::list")]
    pub scenarios: Vec<Scenario>,
}

/// The scenario a sweep varies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweptScenario {
    /// Its position in `scenarios`.
    pub scenario: usize,
    /// Its column.
    pub column: String,
    /// `shift`, `scale`, `missing_rate` or `move`.
    pub parameter: String,
    /// The values tried, in order.
    pub values: Vec<f64>,
}

/// One value of a sweep and what it gave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepResult {
    /// The swept scenario's value.
    pub value: f64,
    /// The evaluation of the data it made.
    #[serde(flatten)]
    pub result: EvaluationResult,
}

/// The results of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sweep {
    /// What was swept.
    pub sweep: SweptScenario,
    /// One result per value, in order.
    pub results: Vec<SweepResult>,
    /// The first value whose status differs from the one before; `null` when none does.
    pub tipping_point: Option<TippingPoint>,
}

/// One result (no scenario gives a list), or a sweep's.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SimulatedOutcome {
    /// `drift`, `fairness`, `performance`, `risk`, `metrics`, `status`, `violations`, ….
    One(Box<EvaluationResult>),
    /// `sweep`, `results`, `tipping_point`.
    Sweep(Sweep),
}

/// The answer of `POST /simulation/drift`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftSimulation {
    /// Always true: nothing was stored.
    pub simulated: bool,
    /// The model.
    pub model_id: ModelId,
    /// Rows drawn.
    pub rows: usize,
    /// The seed used.
    pub seed: u64,
    /// The scenarios as given.
    pub scenarios: Vec<Scenario>,
    /// The result or the sweep.
    #[serde(flatten)]
    pub outcome: SimulatedOutcome,
}

/// The model's roles, less the columns its reference lacks: a simulation measures fairness
/// and performance only where the reference has the columns to.
fn roles_in(roles: ColumnRoles, data: &PreparedReference) -> ColumnRoles {
    let has = |c: &Option<String>| c.clone().filter(|c| data.column(c).is_some());
    ColumnRoles {
        prediction: has(&roles.prediction),
        label: has(&roles.label),
        score: has(&roles.score),
        sensitive: roles
            .sensitive
            .into_iter()
            .filter(|c| data.column(c).is_some())
            .collect(),
        ignore: roles.ignore,
    }
}

impl SimulationService {
    /// `POST /simulation/drift`: needs `engineer`; `NotFound` for an unknown model,
    /// `Conflict` without reference data, `Invalid` naming each bad field. Stores nothing.
    pub async fn drift(
        &self,
        request: DriftSimulationRequest,
        user: &Actor,
    ) -> DomainResult<DriftSimulation> {
        user.require(Action::EditModels)?;
        // The draw reads every column of the reference row by row.
        let judging = self
            .evaluations
            .judging(request.model_id, |_| Ordered::All)
            .await?;
        blocking(move || {
            let roles = roles_in(roles_of(&judging.model.columns), &judging.reference);
            let seed = request.seed.unwrap_or(DEFAULT_SEED);
            let draw = Draw {
                rows: request.rows,
                seed,
                scenarios: &request.scenarios,
            };
            let plan = Plan::new(judging.reference.ordered(), draw, &judging.limits)?;
            let sample = plan.sample();
            let options = EvaluationOptions::default();
            let mut results = (0..plan.runs())
                .map(|run| judging.evaluate(&plan.current(&sample, run)?, &roles, &options))
                .collect::<DomainResult<Vec<_>>>()?;
            let outcome = match (plan.swept_scenario(), plan.sweep()) {
                (Some(index), Some(values)) => {
                    let statuses: Vec<_> = results.iter().map(|r| r.judgement.status).collect();
                    let scenario = &request.scenarios[index];
                    let parameter = scenario
                        .operations()
                        .first()
                        .map_or("", |(name, _)| name)
                        .to_owned();
                    SimulatedOutcome::Sweep(Sweep {
                        tipping_point: tipping_point(values, &statuses),
                        sweep: SweptScenario {
                            scenario: index,
                            column: scenario.column.clone(),
                            parameter,
                            values: values.to_vec(),
                        },
                        results: values
                            .iter()
                            .zip(results)
                            .map(|(&value, result)| SweepResult { value, result })
                            .collect(),
                    })
                }
                _ => SimulatedOutcome::One(Box::new(
                    results
                        .pop()
                        .ok_or_else(|| DomainError::internal("a simulation ran no evaluation"))?,
                )),
            };
            Ok(DriftSimulation {
                simulated: true,
                model_id: request.model_id,
                rows: plan.rows(),
                seed,
                scenarios: request.scenarios,
                outcome,
            })
        })
        .await
    }
}
