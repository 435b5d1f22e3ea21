//! The data sets of `cargo xtask bench-compare`: `<rows>x20` are `gen.py`'s files (14 numeric
//! and 6 categorical features, plus prediction, label, score and a sensitive group), any other
//! `<rows>x<columns>` a numeric table made in Rust (`bench_data::synthetic`). All are written
//! once into `bench-data/` and reused.

use anyhow::bail;
use std::path::PathBuf;

use crate::bench_data::synthetic::Shape;

/// The shapes compared by default: the four, from evidently#763's 356k × 100.
pub const DEFAULT: &str = "100kx20,1mx20,100kx100,356kx100";

/// One pair of files and what is in them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSet {
    /// As asked for: `1mx20`.
    pub name: String,
    /// The size `gen.py` knows (`100k`), or `None` for a table made in Rust.
    generated: Option<&'static str>,
    shape: Shape,
}

impl DataSet {
    /// Reads a comma-separated list of shapes.
    pub fn parse_list(text: &str) -> anyhow::Result<Vec<Self>> {
        text.split(',').map(Self::parse).collect()
    }

    fn parse(name: &str) -> anyhow::Result<Self> {
        let Some(shape) = Shape::parse(name) else {
            bail!("`{name}` is not a shape <rows>x<columns> (such as 1mx20)");
        };
        let generated = match (shape.rows, shape.columns) {
            (10_000, 20) => Some("10k"),
            (100_000, 20) => Some("100k"),
            (1_000_000, 20) => Some("1m"),
            (_, 20) => bail!("{name}: 20-column sets come from gen.py, at 10k, 100k or 1m rows"),
            _ => None,
        };
        Ok(Self {
            name: name.to_owned(),
            generated,
            shape,
        })
    }

    /// Writes the pair into `bench-data/` unless it is there.
    pub fn generate(&self) -> anyhow::Result<()> {
        if self.reference().is_file() && self.current().is_file() {
            return Ok(());
        }
        crate::bench_data::run(self.file_tag())
    }

    fn file_tag(&self) -> &str {
        self.generated.unwrap_or(&self.name)
    }

    /// The reference file.
    pub fn reference(&self) -> PathBuf {
        self.file("reference")
    }

    /// The current file.
    pub fn current(&self) -> PathBuf {
        self.file("current")
    }

    fn file(&self, side: &str) -> PathBuf {
        crate::ci::root()
            .join("bench-data")
            .join(format!("{side}_{}.csv", self.file_tag()))
    }

    /// The columns every tool measures the drift of.
    pub fn features(&self) -> Vec<String> {
        if self.generated.is_some() {
            let numeric = (1..=14).map(|i| format!("n{i:02}"));
            let categorical = (1..=6).map(|i| format!("c{i:02}"));
            numeric.chain(categorical).collect()
        } else {
            (1..=self.shape.columns)
                .map(|j| format!("f{j:04}"))
                .collect()
        }
    }

    /// DriftGuard's column roles: the model's outputs and the sensitive column are no
    /// features (DriftGuard then computes fairness and performance too, which the peers do
    /// not: it is measured doing more).
    pub fn roles(&self) -> &'static [&'static str] {
        if self.generated.is_some() {
            &[
                "--prediction",
                "prediction",
                "--label",
                "label",
                "--score",
                "score",
                "--sensitive",
                "group",
            ]
        } else {
            &[]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_columns_come_from_the_generator_and_others_from_rust() {
        let sets = DataSet::parse_list("1mx20,356kx100").expect("shapes");
        assert_eq!(sets[0].file_tag(), "1m");
        assert_eq!(sets[0].features().len(), 20);
        assert_eq!(sets[0].features()[14], "c01");
        assert_eq!(sets[1].file_tag(), "356kx100");
        assert_eq!(sets[1].features().len(), 100);
        assert_eq!(sets[1].features()[99], "f0100");
        assert!(sets[1].roles().is_empty());
    }

    #[test]
    fn a_twenty_column_size_gen_py_does_not_know_is_refused() {
        let error = DataSet::parse_list("300kx20").expect_err("refused");
        assert!(error.to_string().contains("gen.py"), "{error}");
        assert!(DataSet::parse_list("1m").is_err());
    }
}
