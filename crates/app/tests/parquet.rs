//! Parquet input reads the reference fixtures into exactly the datasets their CSV gives, under
//! the same limits, and refuses a corrupt file or a column it cannot read with a clear error.

#[path = "support/parquet.rs"]
mod support;

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, TimestampSecondArray};
use driftguard_app::parquet::read;
use driftguard_stats::testing::read_reference;
use driftguard_stats::{Dataset, DatasetError, Limits, ParseOptions};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use support::parquet_of_csv;

#[test]
fn the_fixtures_read_the_same_from_parquet_as_from_csv() {
    let options = ParseOptions::default();
    let codecs = [
        (Compression::SNAPPY, true),
        (Compression::ZSTD(ZstdLevel::default()), false),
        (Compression::LZ4_RAW, true),
        (Compression::UNCOMPRESSED, false),
    ];
    for name in ["reference_10k.csv", "current_10k.csv"] {
        let csv = read_reference(name);
        let from_csv = Dataset::from_csv(&csv, &options).expect("the CSV reads");
        for (codec, dictionaries) in codecs {
            let parquet = parquet_of_csv(&csv, codec, dictionaries);
            let from_parquet = read(parquet, &options).expect("the Parquet reads");
            assert_eq!(from_parquet, from_csv, "{name} {codec:?}");
        }
    }
}

#[test]
fn the_csv_limits_hold() {
    let csv = read_reference("reference_10k.csv");
    let parquet = parquet_of_csv(&csv, Compression::SNAPPY, true);
    let with = |limits: Limits| ParseOptions {
        limits,
        ..ParseOptions::default()
    };
    let bytes = read(
        parquet.clone(),
        &with(Limits {
            max_bytes: parquet.len() - 1,
            ..Limits::default()
        }),
    );
    assert!(
        matches!(bytes, Err(DatasetError::TooLarge { .. })),
        "{bytes:?}"
    );
    let rows = read(
        parquet.clone(),
        &with(Limits {
            max_rows: 9_999,
            ..Limits::default()
        }),
    );
    assert!(
        matches!(rows, Err(DatasetError::TooManyRows { limit: 9_999 })),
        "{rows:?}"
    );
    let columns = read(
        parquet.clone(),
        &with(Limits {
            max_columns: 23,
            ..Limits::default()
        }),
    );
    assert!(
        matches!(columns, Err(DatasetError::TooManyColumns { .. })),
        "{columns:?}"
    );
    let categories = read(
        parquet,
        &with(Limits {
            max_categories: 3,
            ..Limits::default()
        }),
    );
    assert!(
        matches!(categories, Err(DatasetError::TooManyCategories { .. })),
        "{categories:?}"
    );
}

#[test]
fn a_corrupt_file_or_an_unreadable_column_is_a_clear_error() {
    let options = ParseOptions::default();
    let parquet = parquet_of_csv(b"a,b\n1,x\n2,y\n", Compression::SNAPPY, false);
    let mut truncated = parquet.clone();
    truncated.truncate(parquet.len() / 2);
    for bad in [b"a,b\n1,2\n".to_vec(), truncated] {
        let error = read(bad, &options).expect_err("refused").to_string();
        assert!(error.contains("not a readable Parquet file"), "{error}");
    }
    let mut damaged = parquet;
    // Bytes inside the first column chunk, past the magic number.
    for byte in &mut damaged[8..40] {
        *byte = !*byte;
    }
    assert!(read(damaged, &options).is_err());

    let times: ArrayRef = Arc::new(TimestampSecondArray::from(vec![1, 2, 3]));
    let batch = RecordBatch::try_from_iter([("at", times)]).expect("a batch");
    let mut writer = ArrowWriter::try_new(Vec::new(), batch.schema(), None).expect("a writer");
    writer.write(&batch).expect("written");
    let error = read(writer.into_inner().expect("finished"), &options)
        .expect_err("refused")
        .to_string();
    assert!(
        error.contains("column `at` has the Parquet (Arrow) type Timestamp"),
        "{error}"
    );
    assert!(error.contains("cast it to a number or a string"), "{error}");
}
