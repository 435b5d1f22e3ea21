//! The form reference data is stored in when it came in a format that is not kept as is
//! (Parquet): CSV written from the parsed dataset. Read back with the kinds its profile
//! records, it gives the same dataset: numbers are written in their shortest round-trip
//! spelling, missing values as empty fields, categories as they are (quoted where needed).

use driftguard_core::{DomainError, DomainResult};
use driftguard_stats::{Column, Dataset};

/// `dataset` as CSV with a header row.
pub fn write(dataset: &Dataset) -> DomainResult<Vec<u8>> {
    let failed = |e: csv::Error| DomainError::internal_caused("writing the stored CSV failed", e);
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(dataset.names()).map_err(failed)?;
    let columns: Vec<&Column> = dataset.iter().map(|(_, column)| column).collect();
    let mut number = String::new();
    for row in 0..dataset.rows() {
        for column in &columns {
            match column {
                Column::Numeric(values) => {
                    number.clear();
                    let value = values[row];
                    if !value.is_nan() {
                        use std::fmt::Write;
                        let _ = write!(number, "{value}");
                    }
                    out.write_field(&number).map_err(failed)?;
                }
                Column::Categorical(labels) => {
                    out.write_field(labels.get(row).unwrap_or(""))
                        .map_err(failed)?;
                }
            }
        }
        out.write_record(None::<&[u8]>).map_err(failed)?;
    }
    out.into_inner()
        .map_err(|e| DomainError::internal_caused("writing the stored CSV failed", e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftguard_stats::ParseOptions;

    #[test]
    fn the_stored_csv_reads_back_to_the_same_dataset() {
        let csv = b"x,label,name\n0.1,1,\"a, b\"\n1e-7,0,\n,1,c\n3.25,0,\"q\"\"\"\n-2,1,d\n7,0,e\n";
        let dataset = Dataset::from_csv(csv, &ParseOptions::default()).expect("parses");
        let stored = write(&dataset).expect("writes");
        let kinds = dataset
            .profile()
            .into_iter()
            .map(|c| (c.name, c.kind))
            .collect();
        let again = Dataset::from_csv(
            &stored,
            &ParseOptions {
                kinds,
                ..ParseOptions::default()
            },
        )
        .expect("reads back");
        assert_eq!(again, dataset);
    }
}
