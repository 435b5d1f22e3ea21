//! The baseline performance of a prepared reference, worked out once for each task and
//! choice of outcome columns: the same numbers at every evaluation against a kept
//! reference, so they are not computed again (its ROC AUC sorts a million scores).

use std::sync::{Mutex, PoisonError};

use crate::dataset::{ColumnRoles, Dataset};
use crate::error::StatsError;
use crate::performance::{self, PerformanceMetrics, Task};

/// At most this many choices are remembered; others are computed each time (a reference is
/// evaluated with its model's roles, or a few others).
const REMEMBERED: usize = 8;

/// What the baseline depends on besides the data.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Choice {
    task: Task,
    prediction: Option<String>,
    label: Option<String>,
    score: Option<String>,
}

impl Choice {
    fn of(task: Task, roles: &ColumnRoles) -> Self {
        Self {
            task,
            prediction: roles.prediction.clone(),
            label: roles.label.clone(),
            score: roles.score.clone(),
        }
    }
}

/// Baselines worked out so far. A memo of the data it belongs to: cloning copies it, and
/// it takes no part in comparisons.
#[derive(Debug, Default)]
pub(crate) struct Baselines(Mutex<Vec<(Choice, PerformanceMetrics)>>);

impl Baselines {
    /// The metrics of `ordered` (the reference's row-order columns) for `task` and `roles`,
    /// remembered once worked out; an error is not remembered.
    pub(crate) fn of(
        &self,
        ordered: &Dataset,
        task: Task,
        roles: &ColumnRoles,
    ) -> Result<PerformanceMetrics, StatsError> {
        let choice = Choice::of(task, roles);
        if let Some((_, metrics)) = self.lock().iter().find(|(c, _)| *c == choice) {
            return Ok(metrics.clone());
        }
        // Worked out without the lock: two evaluations at once may both compute it.
        let metrics = performance::evaluate(ordered, task, roles)?;
        let mut known = self.lock();
        if known.len() < REMEMBERED && !known.iter().any(|(c, _)| *c == choice) {
            known.push((choice, metrics.clone()));
        }
        Ok(metrics)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(Choice, PerformanceMetrics)>> {
        // A panic while holding it cannot leave the list half-written: pushes are whole.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Clone for Baselines {
    fn clone(&self) -> Self {
        Self(Mutex::new(self.lock().clone()))
    }
}

impl PartialEq for Baselines {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::ParseOptions;

    fn roles(score: Option<&str>) -> ColumnRoles {
        ColumnRoles {
            prediction: Some("p".into()),
            label: Some("y".into()),
            score: score.map(str::to_owned),
            ..ColumnRoles::default()
        }
    }

    /// Each choice is worked out once, with `evaluate`'s numbers; an error is not kept.
    #[test]
    fn each_choice_is_worked_out_once() {
        let csv = b"p,y,s\n1,1,0.9\n0,1,0.4\n1,0,0.6\n0,0,0.1\n";
        let data = Dataset::from_csv(csv, &ParseOptions::default()).expect("valid");
        let baselines = Baselines::default();
        let task = Task::BinaryClassification;
        for _ in 0..2 {
            for score in [Some("s"), None] {
                let expected = performance::evaluate(&data, task, &roles(score));
                assert_eq!(baselines.of(&data, task, &roles(score)), expected);
            }
        }
        assert!(baselines.of(&data, task, &roles(Some("absent"))).is_err());
        assert_eq!(baselines.lock().len(), 2);
        assert_eq!(baselines.clone().lock().len(), 2);
    }
}
