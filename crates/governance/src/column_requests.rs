//! Per-column drift scores that policy rules ask for by name (`drift.column.<c>.<m>`) with a
//! method other than the one the evaluation chose for the column: this is how a policy picks
//! a column's method, and through the rule's threshold, the column's threshold.

use std::collections::{BTreeMap, BTreeSet};

use driftguard_stats::StatsError;
use driftguard_stats::drift::{self, ColumnDrift, DriftMethod, DriftOptions, DriftReport};

use crate::evaluation::EvaluationInput;
use crate::metrics::parse_column_metric;

/// The columns of `report` re-tested with each method a judging policy's rule names for
/// them. Columns the evaluation left untested, and names of columns that are not features,
/// are passed over: those rules are then skipped (or violated when required).
pub(crate) fn requested_columns(
    input: &EvaluationInput<'_>,
    report: &DriftReport,
) -> Result<Vec<ColumnDrift>, StatsError> {
    let chosen: BTreeMap<&str, DriftMethod> = report
        .columns
        .iter()
        .filter_map(|c| Some((c.column.as_str(), c.method?)))
        .collect();
    let requests: Vec<(&str, DriftMethod)> = input
        .policies
        .iter()
        .filter(|p| p.judges(input.risk_tier))
        .flat_map(|p| &p.rules)
        .filter_map(|rule| parse_column_metric(&rule.metric))
        .filter(|(column, method)| chosen.get(column).is_some_and(|m| m != method))
        .collect();
    let mut columns = Vec::new();
    for method in DriftMethod::ALL {
        let wanted: BTreeSet<&str> = requests
            .iter()
            .filter(|(_, m)| *m == method)
            .map(|(column, _)| *column)
            .collect();
        if wanted.is_empty() {
            continue;
        }
        // One more comparison per method, over just the columns that want it.
        let mut roles = input.roles.clone();
        let others = report
            .columns
            .iter()
            .map(|c| c.column.as_str())
            .filter(|c| !wanted.contains(c));
        roles.ignore.extend(others.map(str::to_owned));
        let options = DriftOptions {
            method: Some(method),
            ..DriftOptions::default()
        };
        columns.extend(drift::compare(input.reference, input.current, &roles, &options)?.columns);
    }
    Ok(columns)
}
