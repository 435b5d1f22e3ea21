//! Parquet input reads the reference fixtures into exactly the datasets their CSV gives, under
//! the same limits, and refuses a corrupt file or a column it cannot read with a clear error.

#[path = "support/parquet.rs"]
mod support;

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray, TimestampSecondArray};
use driftguard_app::parquet::read;
use driftguard_stats::testing::read_reference;
use driftguard_stats::{Dataset, DatasetError, Limits, ParseOptions};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
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

/// Whether two datasets hold the same values, a missing number (NaN) equal to another.
fn same(a: &Dataset, b: &Dataset) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

#[test]
fn nulls_and_several_batches_read_the_same_as_from_csv() {
    let options = ParseOptions::default();
    // Nulls in integers, doubles and text (dictionary-encoded or not); ±inf and NaN typed
    // as doubles are missing values too.
    let csv = b"i,f,t,g\n1,1.5,x,a\n,,,\n3,inf,y,b\n4,NaN,x,\n5,2.5,,a\n6,-0.0,z,c\n";
    let from_csv = Dataset::from_csv(csv, &options).expect("the CSV reads");
    for dictionaries in [true, false] {
        let parquet = parquet_of_csv(csv, Compression::SNAPPY, dictionaries);
        let from_parquet = read(parquet, &options).expect("the Parquet reads");
        assert!(same(&from_parquet, &from_csv), "{from_parquet:?}");
    }
    // More rows than one batch decodes: the dictionaries' labels are met again batch
    // after batch.
    let fixture = read_reference("reference_10k.csv");
    let body_at = fixture.iter().position(|&b| b == b'\n').expect("a header") + 1;
    let mut csv = fixture.clone();
    for _ in 0..6 {
        csv.extend_from_slice(&fixture[body_at..]);
    }
    let from_csv = Dataset::from_csv(&csv, &options).expect("the CSV reads");
    assert_eq!(from_csv.rows(), 70_000);
    let parquet = parquet_of_csv(&csv, Compression::SNAPPY, true);
    let from_parquet = read(parquet, &options).expect("the Parquet reads");
    assert!(same(&from_parquet, &from_csv));
}

#[test]
fn a_file_that_decompresses_past_the_limit_is_refused_before_decoding() {
    // 10 MB of text, the same long label on every row, neither dictionary-encoded nor
    // readable without decompressing it all: zstd makes it a few kilobytes.
    let label = "x".repeat(1_000);
    let texts: ArrayRef = Arc::new(StringArray::from_iter_values(std::iter::repeat_n(
        label.as_str(),
        10_000,
    )));
    let batch = RecordBatch::try_from_iter([("t", texts)]).expect("a batch");
    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_dictionary_enabled(false)
        .build();
    let mut writer =
        ArrowWriter::try_new(Vec::new(), batch.schema(), Some(properties)).expect("a writer");
    writer.write(&batch).expect("written");
    let bomb = writer.into_inner().expect("finished");
    let max_bytes = 1 << 20;
    assert!(bomb.len() < max_bytes / 10, "{} bytes", bomb.len());
    let options = ParseOptions {
        limits: Limits {
            max_bytes,
            ..Limits::default()
        },
        ..ParseOptions::default()
    };
    match read(bomb.clone(), &options) {
        Err(DatasetError::DecodesTooLarge { found, limit }) => {
            assert_eq!(limit, 8 << 20);
            assert!(found > 10_000_000, "{found}");
        }
        other => panic!("expected DecodesTooLarge, got {other:?}"),
    }
    // Under a limit it fits, it reads.
    let dataset = read(bomb, &ParseOptions::default()).expect("reads");
    assert_eq!(dataset.rows(), 10_000);
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
