//! The current data of a simulation: rows drawn from the reference, then the scenarios
//! applied in order.
//!
//! The draw keeps the sample as close to the reference as its size allows, so that what an
//! evaluation of it shows is the scenarios' doing: as many whole copies of the reference as
//! fit, then the remaining rows chosen without replacement. With the default row count the
//! sample is the reference itself, and a simulation without scenarios shows no drift.

use driftguard_core::{DomainError, DomainResult};
use driftguard_stats::dataset::MISSING_CODE;
use driftguard_stats::{Categorical, Column, Dataset};

use super::plan::{Operation, Plan, Step};
use super::random::{ROWS_STREAM, choose, count_of, generator};

/// A column's values while scenarios change them: numbers, or codes into the reference
/// column's categories (kept until the end, so that a `move` may target a category the draw
/// happened to leave out).
#[derive(Debug, Clone, PartialEq)]
enum Cells<'a> {
    Numbers(Vec<f64>),
    Codes(Vec<u32>, &'a [String]),
}

impl Cells<'_> {
    fn is_missing(&self, row: usize) -> bool {
        match self {
            Self::Numbers(v) => v[row].is_nan(),
            Self::Codes(c, _) => c[row] == MISSING_CODE,
        }
    }

    fn set_missing(&mut self, row: usize) {
        match self {
            Self::Numbers(v) => v[row] = f64::NAN,
            Self::Codes(c, _) => c[row] = MISSING_CODE,
        }
    }

    /// Maps every present number (codes have none); a result that is no longer a finite
    /// number is refused.
    fn transform(&mut self, f: impl Fn(f64) -> f64, name: &str) -> Result<(), String> {
        let Self::Numbers(values) = self else {
            return Ok(());
        };
        for x in values.iter_mut().filter(|x| !x.is_nan()) {
            *x = f(*x);
            if !x.is_finite() {
                return Err(format!("{name} takes the column past the finite numbers"));
            }
        }
        Ok(())
    }

    fn into_column(self) -> Column {
        match self {
            Self::Numbers(values) => Column::Numeric(values),
            Self::Codes(codes, categories) => {
                Column::Categorical(Categorical::from_codes(codes, categories))
            }
        }
    }
}

/// The drawn rows, before any scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample<'a> {
    columns: Vec<Cells<'a>>,
    rows: usize,
}

impl<'a> Plan<'a> {
    /// Draws the plan's rows from the reference (stream 0 of the seed).
    pub fn sample(&self) -> Sample<'a> {
        let n = self.reference.rows();
        let mut indices = Vec::with_capacity(self.rows);
        for _ in 0..self.rows / n {
            indices.extend(0..n);
        }
        let mut all: Vec<usize> = (0..n).collect();
        let mut rng = generator(self.seed, ROWS_STREAM);
        indices.extend_from_slice(choose(&mut rng, &mut all, self.rows % n));
        let columns = self
            .reference
            .iter()
            .map(|(_, column)| match column {
                Column::Numeric(v) => Cells::Numbers(indices.iter().map(|&i| v[i]).collect()),
                Column::Categorical(c) => Cells::Codes(
                    indices.iter().map(|&i| c.codes()[i]).collect(),
                    c.categories(),
                ),
            })
            .collect();
        Sample {
            columns,
            rows: self.rows,
        }
    }

    /// The current data of run `run` (0 without a sweep): `sample` with every scenario
    /// applied in order, the swept one with its `run`-th value. Scenario `i` makes its random
    /// choices with stream `i + 1`, so they are the same in every run and in a request of
    /// that value alone.
    pub fn current(&self, sample: &Sample<'a>, run: usize) -> DomainResult<Dataset> {
        let mut columns = sample.columns.clone();
        for (index, step) in self.steps.iter().enumerate() {
            let value = step.values.get(run).or(step.values.first()).copied();
            let value = value.unwrap_or_default();
            let mut rng = generator(self.seed, index as u64 + 1);
            apply(
                step,
                value,
                &mut columns[step.column],
                sample.rows,
                &mut rng,
            )
            .map_err(|message| {
                DomainError::invalid_field(format!("scenarios[{index}]"), message)
            })?;
        }
        let columns = self
            .reference
            .names()
            .iter()
            .cloned()
            .zip(columns.into_iter().map(Cells::into_column))
            .collect();
        Dataset::from_columns(columns).map_err(|e| DomainError::internal(e.to_string()))
    }
}

/// Applies one step with `value`; an error says why the result is unusable.
fn apply(
    step: &Step,
    value: f64,
    cells: &mut Cells,
    rows: usize,
    rng: &mut rand_chacha::ChaCha20Rng,
) -> Result<(), String> {
    match (&step.operation, cells) {
        (Operation::Shift { std }, cells) => cells.transform(|x| x + value * std, "shift"),
        (Operation::Scale { mean }, cells) => {
            cells.transform(|x| mean + value * (x - mean), "scale")
        }
        (Operation::MissingRate, cells) => {
            let mut present: Vec<usize> = (0..rows).filter(|&r| !cells.is_missing(r)).collect();
            let wanted = count_of(value, rows).saturating_sub(rows - present.len());
            for &row in choose(rng, &mut present, wanted) {
                cells.set_missing(row);
            }
            Ok(())
        }
        (Operation::Move { from, to }, Cells::Codes(codes, _)) => {
            let mut holders: Vec<usize> = (0..rows).filter(|&r| codes[r] == *from).collect();
            let moving = count_of(value, holders.len());
            for &row in choose(rng, &mut holders, moving) {
                codes[row] = *to;
            }
            Ok(())
        }
        // Resolved against the column's kind: a move is only ever given codes.
        (Operation::Move { .. }, Cells::Numbers(_)) => Ok(()),
    }
}
