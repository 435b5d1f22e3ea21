//! Simulation use cases (engineer): what drift, risk and policy result current data made
//! from a model's reference by some scenarios would get (`drift`), and what a draft policy
//! would change in every model's latest result (`policy`). Both store nothing.

mod drift;
mod policy;

use std::sync::Arc;

use driftguard_governance::PolicyRepository;

use crate::evaluate::EvaluationService;
use crate::ports::evaluations::EvaluationRepository;

pub use drift::{
    DEFAULT_SEED, DriftSimulation, DriftSimulationRequest, SimulatedOutcome, Sweep, SweepResult,
    SweptScenario,
};
pub use policy::{ModelChange, PolicySimulation, PolicySimulationRequest};

/// Simulation use cases.
#[derive(Clone)]
pub struct SimulationService {
    evaluations: EvaluationService,
    policies: Arc<dyn PolicyRepository>,
    latest: Arc<dyn EvaluationRepository>,
}

impl SimulationService {
    /// The use cases over the evaluation pipeline and these stores.
    pub fn new(
        evaluations: EvaluationService,
        policies: Arc<dyn PolicyRepository>,
        latest: Arc<dyn EvaluationRepository>,
    ) -> Self {
        Self {
            evaluations,
            policies,
            latest,
        }
    }
}
