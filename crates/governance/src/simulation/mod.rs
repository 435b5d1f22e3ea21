//! Drift simulation: current data made from a model's reference data by a seeded draw and
//! a list of scenarios (`shift`, `scale`, `missing_rate`, `move`), so that a person can see
//! what drift, risk and policy result such data would get, and, sweeping one scenario over a
//! list of values, where the result tips. Pure; `POST /simulation/drift` runs it.
//!
//! ```
//! use driftguard_governance::simulation::{Draw, Plan, Scenario, Values};
//! use driftguard_stats::{Dataset, Limits, ParseOptions};
//!
//! let csv = b"age,city\n31,Oslo\n45,Rome\n27,Oslo\n52,Rome\n38,Oslo\n61,Rome\n";
//! let reference = Dataset::from_csv(csv, &ParseOptions::default())?;
//! let shift = Scenario {
//!     column: "age".into(),
//!     shift: Some(Values::One(2.0)),
//!     scale: None,
//!     missing_rate: None,
//!     relabel: None,
//! };
//! let draw = Draw { rows: None, seed: 42, scenarios: &[shift] };
//! let plan = Plan::new(&reference, draw, &Limits::default())?;
//! let current = plan.current(&plan.sample(), 0)?;
//! assert_eq!(current.rows(), 6);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod draw;
mod plan;
mod random;
mod scenario;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::judge::Status;

pub use draw::Sample;
pub use plan::{Draw, MAX_FACTOR, MAX_SCENARIOS, MAX_SWEEP_VALUES, Plan};
pub use scenario::{Move, Scenario, Values};

/// Where a sweep's result changes: the first value whose status differs from the one before.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TippingPoint {
    /// The value.
    pub value: f64,
    /// Its position in the list.
    pub index: usize,
    /// The status of the value before it.
    pub from: Status,
    /// Its status.
    pub to: Status,
}

/// The first change of status along a sweep (`values[i]` gave `statuses[i]`), if any.
pub fn tipping_point(values: &[f64], statuses: &[Status]) -> Option<TippingPoint> {
    statuses
        .windows(2)
        .position(|pair| pair[0] != pair[1])
        .and_then(|before| {
            Some(TippingPoint {
                value: *values.get(before + 1)?,
                index: before + 1,
                from: statuses[before],
                to: statuses[before + 1],
            })
        })
}
