//! Errors of the drift, fairness and performance computations.

/// Why a drift, fairness or performance evaluation could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// A column named by the roles or the options is not in the dataset.
    #[error("column `{column}` is not in the {side} data")]
    MissingColumn {
        /// The column asked for.
        column: String,
        /// Which dataset lacks it (`reference`, `current` or `input`).
        side: &'static str,
    },
    /// A prediction or label column holds something other than 0/1.
    #[error("column `{column}` must hold 0/1 (or true/false) values, found `{value}` at row {row}")]
    NotBinary {
        /// The offending column.
        column: String,
        /// The value found.
        value: String,
        /// Zero-based data row.
        row: usize,
    },
    /// The exact KS p-values of a comparison would take more steps than it may.
    #[error(
        "the exact Kolmogorov–Smirnov p-values of these columns would take more than {limit} \
         steps: test fewer columns with `ks`, or use another drift method (wasserstein, psi)"
    )]
    TooMuchExactWork {
        /// The budget of one comparison.
        limit: u64,
    },
    /// A score, prediction or label column must be numeric for this task.
    #[error("column `{column}` must be numeric, found `{value}` at row {row}")]
    NotNumeric {
        /// The offending column.
        column: String,
        /// The value found.
        value: String,
        /// Zero-based data row.
        row: usize,
    },
    /// The roles lack a column the task needs.
    #[error("the {role} column is required for this evaluation")]
    MissingRole {
        /// Which role (`prediction`, `label`).
        role: &'static str,
    },
    /// A threshold is not a finite, non-negative number (or a share outside 0..=1).
    #[error("invalid threshold {value} for {target}")]
    InvalidThreshold {
        /// What the threshold was for (a column name or `share`).
        target: String,
        /// The rejected value.
        value: f64,
    },
    /// A sensitive column has more groups (distinct present values) than the group limit.
    #[error("sensitive column `{column}` has {found} groups, more than the limit of {limit}")]
    TooManyGroups {
        /// The sensitive column.
        column: String,
        /// Its number of groups.
        found: usize,
        /// The limit.
        limit: usize,
    },
    /// A method cannot be applied to the kind of column it was asked for.
    #[error("method `{method}` cannot be applied to the categorical column `{column}`")]
    MethodNotApplicable {
        /// The column.
        column: String,
        /// The method's name.
        method: &'static str,
    },
}
