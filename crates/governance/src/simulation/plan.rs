//! A drift simulation checked against the model's reference data: every bad field of the
//! request found at once (as 422 field errors), the rest resolved into steps the draw and the
//! scenarios run from.

use driftguard_core::{DomainError, DomainResult, FieldError};
use driftguard_stats::{Column, Dataset, Limits};

use super::scenario::{Scenario, Values};

/// Most scenarios in one request.
pub const MAX_SCENARIOS: usize = 50;
/// Most values of a swept scenario.
pub const MAX_SWEEP_VALUES: usize = 20;
/// Largest `shift` or `scale` factor, either sign (a shift of a thousand standard
/// deviations is already far past any drift threshold).
pub const MAX_FACTOR: f64 = 1_000.0;

/// What the request asks for besides the model.
#[derive(Debug, Clone, Copy)]
pub struct Draw<'a> {
    /// Rows to draw; `None` = as many as the reference has.
    pub rows: Option<u64>,
    /// The generator's seed.
    pub seed: u64,
    /// The scenarios, applied in order.
    pub scenarios: &'a [Scenario],
}

/// What one step does to its column; the value comes from the scenario (or the sweep).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operation {
    /// `x + value × std`.
    Shift { std: f64 },
    /// `mean + value × (x − mean)`.
    Scale { mean: f64 },
    /// `round(value × rows)` rows missing afterwards.
    MissingRate,
    /// `round(value × count)` of the rows holding code `from` get code `to` (reference codes).
    Move { from: u32, to: u32 },
}

/// One scenario, resolved.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Step {
    /// The column's position in the reference.
    pub column: usize,
    /// The operation.
    pub operation: Operation,
    /// Its values: one, or the sweep's.
    pub values: Vec<f64>,
}

/// A simulation ready to run over the reference it was checked against.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan<'a> {
    pub(crate) reference: &'a Dataset,
    pub(crate) rows: usize,
    pub(crate) seed: u64,
    pub(crate) steps: Vec<Step>,
    /// The step whose values are swept, if any.
    pub(crate) swept: Option<usize>,
}

impl<'a> Plan<'a> {
    /// Checks `draw` against `reference` and the upload `limits`: `Invalid` naming every bad
    /// field (`rows`, `scenarios[2].move.from`, …), `Conflict` when the reference has no rows.
    pub fn new(reference: &'a Dataset, draw: Draw<'_>, limits: &Limits) -> DomainResult<Self> {
        if reference.rows() == 0 {
            return Err(DomainError::Conflict(
                "the reference data has no rows to draw from".into(),
            ));
        }
        let mut errors = Vec::new();
        let rows = check_rows(draw.rows, reference, limits, &mut errors);
        if draw.scenarios.len() > MAX_SCENARIOS {
            errors.push(FieldError::new(
                "scenarios",
                format!("at most {MAX_SCENARIOS} scenarios"),
            ));
        }
        let mut steps = Vec::new();
        let mut swept = None;
        for (index, scenario) in draw.scenarios.iter().enumerate().take(MAX_SCENARIOS) {
            let field = format!("scenarios[{index}]");
            let Some(step) = resolve(reference, scenario, &field, &mut errors) else {
                continue;
            };
            if scenario.operations().iter().any(|(_, v)| v.is_list()) {
                if swept.is_some() {
                    errors.push(FieldError::new(
                        field,
                        "only one scenario of a request may give a list of values",
                    ));
                }
                swept.get_or_insert(steps.len());
            }
            steps.push(step);
        }
        if errors.is_empty() {
            Ok(Self {
                reference,
                rows,
                seed: draw.seed,
                steps,
                swept,
            })
        } else {
            Err(DomainError::invalid_fields(errors))
        }
    }

    /// Rows drawn.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The position in the request of the scenario that gives a list of values, if any.
    pub fn swept_scenario(&self) -> Option<usize> {
        self.swept
    }

    /// The swept values, if a scenario gives a list.
    pub fn sweep(&self) -> Option<&[f64]> {
        self.swept.map(|s| self.steps[s].values.as_slice())
    }

    /// How many evaluations the simulation runs: one per swept value, else one.
    pub fn runs(&self) -> usize {
        self.sweep().map_or(1, <[f64]>::len)
    }
}

/// The rows to draw: at least one, at most the upload's row limit, and no more cells than an
/// upload within the size limit could hold (a cell takes at least a value and a separator).
fn check_rows(
    rows: Option<u64>,
    reference: &Dataset,
    limits: &Limits,
    errors: &mut Vec<FieldError>,
) -> usize {
    let columns = reference.names().len().max(1);
    let most = limits.max_rows.min(limits.max_bytes / 2 / columns).max(1);
    let Some(asked) = rows else {
        return reference.rows().min(most);
    };
    match usize::try_from(asked) {
        Ok(n) if (1..=most).contains(&n) => n,
        _ => {
            errors.push(FieldError::new(
                "rows",
                format!(
                    "must be 1 to {most} for this model's {columns} columns (the upload limits)"
                ),
            ));
            0
        }
    }
}

fn resolve(
    reference: &Dataset,
    scenario: &Scenario,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<Step> {
    let operations = scenario.operations();
    let [(name, values)] = operations.as_slice() else {
        errors.push(FieldError::new(
            field,
            "give exactly one of shift, scale, missing_rate, move",
        ));
        return None;
    };
    let Some(column) = reference.names().iter().position(|n| *n == scenario.column) else {
        errors.push(FieldError::new(
            format!("{field}.column"),
            format!("the reference data has no column `{}`", scenario.column),
        ));
        return None;
    };
    let values_field = match *name {
        "move" => format!("{field}.move.fraction"),
        other => format!("{field}.{other}"),
    };
    let checked = check_values(values, name, &values_field, errors);
    let data = reference.column(&scenario.column)?;
    let operation = operation(data, scenario, name, field, errors)?;
    checked.then(|| Step {
        column,
        operation,
        values: values.as_slice().to_vec(),
    })
}

/// Checks the values of an operation; true when they are all usable.
fn check_values(values: &Values, name: &str, field: &str, errors: &mut Vec<FieldError>) -> bool {
    let before = errors.len();
    if values.is_list() && !(1..=MAX_SWEEP_VALUES).contains(&values.as_slice().len()) {
        errors.push(FieldError::new(
            field,
            format!("a list of 1 to {MAX_SWEEP_VALUES} values"),
        ));
    }
    let (range, allowed) = match name {
        "shift" | "scale" => (
            (-MAX_FACTOR, MAX_FACTOR),
            format!("from -{MAX_FACTOR} to {MAX_FACTOR}"),
        ),
        _ => ((0.0, 1.0), "from 0 to 1".to_owned()),
    };
    for (i, value) in values.as_slice().iter().enumerate().take(MAX_SWEEP_VALUES) {
        if !(range.0..=range.1).contains(value) {
            let at = if values.is_list() {
                format!("{field}[{i}]")
            } else {
                field.to_owned()
            };
            errors.push(FieldError::new(at, format!("must be {allowed}")));
        }
    }
    errors.len() == before
}

fn operation(
    column: &Column,
    scenario: &Scenario,
    name: &str,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<Operation> {
    let kind = column.kind();
    let wrong_kind = |needed: &str| {
        FieldError::new(
            format!("{field}.{name}"),
            format!(
                "column `{}` is {kind}; {name} applies to {needed} columns",
                scenario.column
            ),
        )
    };
    match (name, column) {
        ("missing_rate", _) => Some(Operation::MissingRate),
        ("shift" | "scale", Column::Numeric(_)) => {
            // A column with no present value has nothing to shift or scale.
            let (mean, std) = column.mean_and_std().unwrap_or((0.0, 0.0));
            Some(match name {
                "shift" => Operation::Shift { std },
                _ => Operation::Scale { mean },
            })
        }
        ("move", Column::Categorical(labels)) => {
            let relabel = scenario.relabel.as_ref()?;
            let code = |category: &str, part: &str, errors: &mut Vec<FieldError>| {
                let found = labels
                    .categories()
                    .binary_search_by(|c| c.as_str().cmp(category));
                if found.is_err() {
                    errors.push(FieldError::new(
                        format!("{field}.move.{part}"),
                        format!("column `{}` has no category `{category}`", scenario.column),
                    ));
                }
                found.ok().map(|i| i as u32)
            };
            let from = code(&relabel.from, "from", errors);
            let to = code(&relabel.to, "to", errors);
            if relabel.from == relabel.to {
                errors.push(FieldError::new(
                    format!("{field}.move.to"),
                    "must differ from `from`",
                ));
                return None;
            }
            Some(Operation::Move {
                from: from?,
                to: to?,
            })
        }
        ("move", Column::Numeric(_)) => {
            errors.push(wrong_kind("categorical"));
            None
        }
        _ => {
            errors.push(wrong_kind("numeric"));
            None
        }
    }
}
