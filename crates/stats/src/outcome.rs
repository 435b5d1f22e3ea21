//! Reading prediction, label and score columns as the metrics need them.

use std::borrow::Cow;

use crate::dataset::{Column, Dataset};
use crate::error::StatsError;

/// A 0/1 value, or missing.
pub(crate) const MISSING: u8 = 2;

/// The dataset's column named by a role.
pub(crate) fn column<'a>(
    dataset: &'a Dataset,
    name: Option<&'a str>,
    role: &'static str,
) -> Result<(&'a str, &'a Column), StatsError> {
    let name = name.ok_or(StatsError::MissingRole { role })?;
    let column = dataset
        .column(name)
        .ok_or_else(|| StatsError::MissingColumn {
            column: name.to_owned(),
            side: "input",
        })?;
    Ok((name, column))
}

/// Numeric 0/1 or the labels `0`, `1`, `true`, `false` (any case) as 0/1, missing as
/// [`MISSING`]; anything else is an error naming the first offending row.
pub(crate) fn binary(name: &str, column: &Column) -> Result<Vec<u8>, StatsError> {
    let not_binary = |value: String, row: usize| StatsError::NotBinary {
        column: name.to_owned(),
        value,
        row,
    };
    match column {
        Column::Numeric(values) => values
            .iter()
            .enumerate()
            .map(|(row, &v)| match v {
                _ if v.is_nan() => Ok(MISSING),
                0.0 => Ok(0),
                1.0 => Ok(1),
                _ => Err(not_binary(v.to_string(), row)),
            })
            .collect(),
        Column::Categorical(c) => {
            let table: Vec<Option<u8>> = c
                .categories()
                .iter()
                .map(|s| match s.to_ascii_lowercase().as_str() {
                    "0" | "false" => Some(0),
                    "1" | "true" => Some(1),
                    _ => None,
                })
                .collect();
            c.codes()
                .iter()
                .enumerate()
                .map(|(row, &code)| match table.get(code as usize) {
                    None => Ok(MISSING),
                    Some(Some(v)) => Ok(*v),
                    Some(None) => Err(not_binary(c.get(row).unwrap_or_default().to_owned(), row)),
                })
                .collect()
        }
    }
}

/// The column as numbers (NaN = missing); a categorical column qualifies when all its
/// labels are numbers.
pub(crate) fn numbers<'a>(name: &str, column: &'a Column) -> Result<Cow<'a, [f64]>, StatsError> {
    match column {
        Column::Numeric(values) => Ok(values.into()),
        Column::Categorical(c) => {
            let table: Vec<Option<f64>> = c
                .categories()
                .iter()
                .map(|s| s.parse::<f64>().ok().filter(|v| v.is_finite()))
                .collect();
            c.codes()
                .iter()
                .enumerate()
                .map(|(row, &code)| match table.get(code as usize) {
                    None => Ok(f64::NAN),
                    Some(Some(v)) => Ok(*v),
                    Some(None) => Err(StatsError::NotNumeric {
                        column: name.to_owned(),
                        value: c.get(row).unwrap_or_default().to_owned(),
                        row,
                    }),
                })
                .collect::<Result<Vec<f64>, _>>()
                .map(Cow::Owned)
        }
    }
}
