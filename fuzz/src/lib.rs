//! What the fuzz targets share: small limits (so that fuzzed inputs reach every limit), a
//! reader that hands out a few bytes per call, and the checks every parsed dataset passes.

use driftguard_governance::MetricMap;
use driftguard_stats::{Column, Dataset, Limits, ParseOptions};

/// Limits small enough for a fuzzer's inputs to go past each of them.
pub fn small_options() -> ParseOptions {
    ParseOptions {
        limits: Limits {
            max_bytes: 1 << 16,
            max_rows: 200,
            max_columns: 16,
            max_record_bytes: 512,
            max_categories: 32,
            max_groups: 8,
        },
        ..ParseOptions::default()
    }
}

/// A reader that returns at most 3 bytes per call, like a slow socket: block and record
/// boundaries fall anywhere.
pub struct SlowReader<'a> {
    rest: &'a [u8],
}

impl<'a> SlowReader<'a> {
    /// Reads `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }
}

impl std::io::Read for SlowReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(3).min(self.rest.len());
        buf[..n].copy_from_slice(&self.rest[..n]);
        self.rest = &self.rest[n..];
        Ok(n)
    }
}

/// What every dataset the readers return must satisfy: within the limits, columns of one
/// length, category codes that name a category (or the missing code), sorted categories.
pub fn check_dataset(dataset: &Dataset, options: &ParseOptions) {
    let limits = options.limits;
    assert!(dataset.rows() <= limits.max_rows);
    assert!(
        dataset.rows() > 0,
        "an empty dataset is an error, not a dataset"
    );
    let mut columns = 0;
    for (name, column) in dataset.iter() {
        columns += 1;
        assert_eq!(column.len(), dataset.rows(), "column `{name}`");
        assert!(column.missing() <= column.len());
        if let Column::Categorical(c) = column {
            let categories = c.categories();
            assert!(categories.len() <= limits.max_categories);
            assert!(
                categories.windows(2).all(|w| w[0] < w[1]),
                "sorted, distinct"
            );
            for &code in c.codes() {
                assert!(
                    (code as usize) < categories.len()
                        || code == driftguard_stats::dataset::MISSING_CODE,
                    "code {code} of `{name}`"
                );
            }
        }
    }
    assert!(columns <= limits.max_columns);
}

/// A metric map with a few of every kind of metric, some on the edge of common thresholds.
pub fn some_metrics() -> MetricMap {
    [
        ("drift.share", 0.5),
        ("drift.max_psi", 0.2),
        ("drift.min_ks_pvalue", 0.05),
        ("fairness.disparate_impact", 0.8),
        ("fairness.demographic_parity_difference", 0.1),
        ("performance.accuracy", 0.9),
        ("performance.accuracy_drop", 0.05),
        ("risk.score", 50.0),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value))
    .collect()
}
