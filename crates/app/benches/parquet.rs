//! Reading Parquet: both 1M-row files of `cargo xtask bench-data` (24 columns: 14 numbers,
//! categorical features, prediction, label, score, group), written once as Parquet (snappy,
//! numbers as doubles, categories as dictionaries, as pandas writes a frame with categorical
//! columns) next to the CSVs, then read from memory with `driftguard_app::parquet::read` as
//! an upload is. Without the CSVs the bench prints a note and skips. `cargo bench -p
//! driftguard-app --bench parquet`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, DictionaryArray, Float64Array, Int32Array, RecordBatch, StringArray};
use criterion::{Criterion, criterion_group, criterion_main};
use driftguard_stats::{Column, Dataset, ParseOptions};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

fn data_dir() -> PathBuf {
    std::env::var_os("DRIFTGUARD_BENCH_DATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench-data"),
        PathBuf::from,
    )
}

fn array(column: &Column) -> ArrayRef {
    match column {
        Column::Numeric(values) => Arc::new(Float64Array::from_iter(
            values.iter().map(|&v| (!v.is_nan()).then_some(v)),
        )),
        Column::Categorical(labels) => {
            // A code past the categories is a missing value.
            let keys = Int32Array::from_iter(labels.codes().iter().map(|&code| {
                i32::try_from(code)
                    .ok()
                    .filter(|&c| (c as usize) < labels.categories().len())
            }));
            let values = StringArray::from_iter_values(labels.categories());
            Arc::new(
                DictionaryArray::<Int32Type>::try_new(keys, Arc::new(values)).expect("valid keys"),
            )
        }
    }
}

/// The Parquet twin of `csv`, made once.
fn parquet_of(csv: &Path) -> Option<Vec<u8>> {
    let target = csv.with_extension("parquet");
    if let Ok(bytes) = std::fs::read(&target) {
        return Some(bytes);
    }
    let file = std::fs::File::open(csv).ok()?;
    let dataset = Dataset::from_csv_reader(file, &ParseOptions::default()).expect("parses");
    let batch = RecordBatch::try_from_iter(
        dataset
            .iter()
            .map(|(name, column)| (name.to_owned(), array(column))),
    )
    .expect("a batch");
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut writer =
        ArrowWriter::try_new(Vec::new(), batch.schema(), Some(properties)).expect("a writer");
    writer.write(&batch).expect("written");
    let bytes = writer.into_inner().expect("finished");
    std::fs::write(&target, &bytes).expect("cached");
    Some(bytes)
}

fn benches(c: &mut Criterion) {
    let dir = data_dir();
    let files: Option<Vec<bytes::Bytes>> = ["reference_1m.csv", "current_1m.csv"]
        .iter()
        .map(|name| parquet_of(&dir.join(name)).map(bytes::Bytes::from))
        .collect();
    let Some(files) = files else {
        eprintln!(
            "skipping the Parquet bench: no {}/{{reference,current}}_1m.csv (run `cargo xtask bench-data`)",
            dir.display()
        );
        return;
    };
    let options = ParseOptions::default();
    let mut group = c.benchmark_group("1m");
    group.sample_size(10);
    group.bench_function("read_both_parquet", |b| {
        b.iter(|| {
            for bytes in &files {
                let dataset =
                    driftguard_app::parquet::read(bytes.clone(), &options).expect("reads");
                assert_eq!(dataset.rows(), 1_000_000);
            }
        });
    });
    group.finish();
}

criterion_group!(parquet_benches, benches);
criterion_main!(parquet_benches);
