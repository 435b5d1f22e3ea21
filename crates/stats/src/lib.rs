//! DriftGuard's statistics engine: typed datasets read from CSV or JSON bytes, data drift
//! between a reference and a current dataset, group fairness and model performance.
//!
//! Every number reproduces the library users already trust (scipy, Evidently, Fairlearn,
//! scikit-learn); `DRIFT-METHODS.md` in the shared documentation is the contract. The crate
//! does no I/O beyond reading the bytes or the reader it is handed and is safe to call from
//! any thread; the heavy loops run in parallel on the global rayon pool.
//!
//! - [`Dataset::from_csv`], [`Dataset::from_csv_reader`], [`Dataset::from_json`]: typed
//!   columns (numeric or dictionary-encoded categorical), with [`Limits`] checked while
//!   reading and a [`DatasetError`] naming line and column; [`Dataset::profile`] for the
//!   upload summary. [`ColumnRoles`] says which columns are prediction, label, score,
//!   sensitive or ignored; the rest are features.
//! - [`drift::compare`]: per-feature drift with Evidently's default method choice,
//!   binning and thresholds, or methods and thresholds chosen per column
//!   ([`drift::DriftOptions`]), into a serialisable [`drift::DriftReport`].
//! - [`PreparedReference`]: a reference prepared once (sorted values, category counts) for
//!   every comparison with it; [`drift::compare`] takes it or a dataset as [`Reference`].
//! - [`fairness::evaluate`]: Fairlearn's between-group metrics per sensitive column.
//! - [`performance::evaluate`] and [`performance::compare`]: scikit-learn's
//!   classification or regression metrics, and their drop from the reference baseline.
//!
//! # Example
//!
//! ```
//! use driftguard_stats::{ColumnRoles, Dataset, ParseOptions, drift};
//!
//! let reference = b"age,city,label\n31,Oslo,1\n45,Rome,0\n27,Oslo,1\n52,Rome,0\n38,Oslo,1\n61,Rome,1\n";
//! let current = b"age,city,label\n33,Oslo,1\n72,Oslo,0\n29,Oslo,1\n66,Oslo,0\n41,Oslo,1\n70,Rome,1\n";
//!
//! let options = ParseOptions::default();
//! let reference = Dataset::from_csv(reference, &options)?;
//! let current = Dataset::from_csv(current, &options)?;
//! let roles = ColumnRoles { label: Some("label".into()), ..ColumnRoles::default() };
//!
//! let report = drift::compare(&reference, &current, &roles, &drift::DriftOptions::default())?;
//! assert_eq!(report.total_columns, 2);
//! let age = &report.columns[0];
//! assert_eq!(age.column, "age");
//! assert_eq!(age.method, Some(drift::DriftMethod::Ks));
//! println!("{}", serde_json::to_string_pretty(&report)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod baselines;
mod binning;
pub mod dataset;
pub mod drift;
mod error;
pub mod fairness;
mod outcome;
pub mod performance;
pub mod prepared;
pub mod sort;
mod special;

#[cfg(feature = "testing")]
pub mod testing;

pub use dataset::{
    Categorical, Column, ColumnDecoder, ColumnKind, ColumnProfile, ColumnRoles, Dataset,
    DatasetError, Limits, ParseOptions,
};
pub use error::StatsError;
pub use prepared::{PreparedColumn, PreparedReference, Reference};
