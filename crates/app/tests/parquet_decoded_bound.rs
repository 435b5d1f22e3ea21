//! A footer that lies: what a Parquet file decodes to stays within 8× the byte limit even
//! when its footer understates it (the decoded values are counted batch by batch, across all
//! the columns, and the read stops about one batch past the bound), and a column chunk placed
//! outside the file is refused before the parquet crate reads it.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use bytes::Bytes;
use driftguard_app::parquet::read;
use driftguard_stats::{DatasetError, Limits, ParseOptions};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::{
    ColumnChunkMetaData, ColumnChunkMetaDataBuilder, ParquetMetaDataReader, ParquetMetaDataWriter,
};
use parquet::file::properties::{EnabledStatistics, WriterProperties};

/// Rows the reader decodes at a time (`parquet::BATCH_ROWS`).
const BATCH_ROWS: u64 = 64 * 1024;

/// Options whose byte limit is 1 MiB, so that 8 MiB may be decoded.
fn one_mebibyte() -> ParseOptions {
    ParseOptions {
        limits: Limits {
            max_bytes: 1 << 20,
            ..Limits::default()
        },
        ..ParseOptions::default()
    }
}

/// `columns` written with zstd, text not dictionary-encoded: repeated values pack into a
/// few kilobytes. No statistics, which would copy long values into the footer.
fn zstd_file(columns: Vec<(&str, ArrayRef)>) -> Vec<u8> {
    let batch = RecordBatch::try_from_iter(columns).expect("a batch");
    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_dictionary_enabled(false)
        .set_statistics_enabled(EnabledStatistics::None)
        .build();
    let mut writer =
        ArrowWriter::try_new(Vec::new(), batch.schema(), Some(properties)).expect("a writer");
    writer.write(&batch).expect("written");
    writer.into_inner().expect("finished")
}

/// `file` with its footer rewritten to declare each column chunk's decompressed size to
/// be its compressed size, as a hostile writer could: the pages are left as they were.
fn with_understated_sizes(file: &[u8]) -> Vec<u8> {
    with_chunks_rewritten(file, |chunk| {
        let compressed = chunk.compressed_size();
        chunk.into_builder().set_total_uncompressed_size(compressed)
    })
}

/// `file` with each column chunk's metadata rewritten by `rewrite` in its footer.
fn with_chunks_rewritten(
    file: &[u8],
    rewrite: impl Fn(ColumnChunkMetaData) -> ColumnChunkMetaDataBuilder,
) -> Vec<u8> {
    let metadata = ParquetMetaDataReader::new()
        .parse_and_finish(&Bytes::copy_from_slice(file))
        .expect("a footer");
    let tail: [u8; 4] = file[file.len() - 8..file.len() - 4]
        .try_into()
        .expect("4 bytes");
    let footer = usize::try_from(u32::from_le_bytes(tail)).expect("a length");
    let mut builder = metadata.into_builder();
    let groups = builder
        .take_row_groups()
        .into_iter()
        .map(|group| {
            let mut group = group.into_builder();
            let columns = group
                .take_columns()
                .into_iter()
                .map(|chunk| rewrite(chunk).build().expect("a column chunk"))
                .collect();
            group
                .set_column_metadata(columns)
                .build()
                .expect("a row group")
        })
        .collect();
    let metadata = builder.set_row_groups(groups).build();
    let mut lying = file[..file.len() - 8 - footer].to_vec();
    ParquetMetaDataWriter::new(&mut lying, &metadata)
        .with_preserve_page_index_locations(true)
        .finish()
        .expect("a footer written");
    lying
}

fn decodes_too_large(result: Result<driftguard_stats::Dataset, DatasetError>) -> (u64, u64) {
    match result {
        Err(DatasetError::DecodesTooLarge { found, limit }) => (found, limit),
        other => panic!("expected DecodesTooLarge, got {other:?}"),
    }
}

#[test]
fn a_footer_that_understates_the_decoded_size_is_stopped_while_decoding() {
    // 200,000 rows of a 100-byte label: 21.6 MB decoded (with 8 bytes a row), 7.1 MB a
    // batch, in a file of a few kilobytes.
    let rows = 200_000;
    let label = "y".repeat(100);
    let texts: ArrayRef = Arc::new(StringArray::from_iter_values(std::iter::repeat_n(
        label.as_str(),
        rows,
    )));
    let honest = zstd_file(vec![("t", texts)]);
    let options = one_mebibyte();
    let (declared, limit) = decodes_too_large(read(honest.clone(), &options));
    assert_eq!(limit, 8 << 20);
    assert!(declared > 20_000_000, "the footer's own size: {declared}");

    let lying = with_understated_sizes(&honest);
    assert!(lying.len() < 1 << 16, "{} bytes", lying.len());
    let (found, limit) = decodes_too_large(read(lying.clone(), &options));
    let per_batch = BATCH_ROWS * (100 + 8);
    assert!(found > limit, "{found}");
    assert_eq!(found, 2 * per_batch, "stopped at the batch that went past");
    // Within the default limits the same file reads: only the bound refuses it.
    let dataset = read(lying, &ParseOptions::default()).expect("reads");
    assert_eq!(dataset.rows(), rows);
}

#[test]
fn one_huge_text_value_counts_its_length() {
    let huge = "z".repeat(20 << 20);
    let texts: ArrayRef = Arc::new(StringArray::from_iter_values([huge.as_str(), "a", "b"]));
    let lying = with_understated_sizes(&zstd_file(vec![("t", texts)]));
    assert!(lying.len() < 1 << 20, "{} bytes", lying.len());
    let (found, limit) = decodes_too_large(read(lying, &one_mebibyte()));
    assert_eq!(limit, 8 << 20);
    assert_eq!(found, (20 << 20) + 2 + 3 * 8);
}

#[test]
fn the_columns_share_one_bound() {
    // Three columns of 400,000 zeros: each 3.2 MB decoded, under the 8 MiB bound, together
    // 9.6 MB over it. Dictionary and run-length encoding make each a few bytes on disk, so
    // even an honest footer declares next to nothing.
    let rows = 400_000;
    let zeros = || -> ArrayRef { Arc::new(Float64Array::from(vec![0.0; rows])) };
    let batch = RecordBatch::try_from_iter([("a", zeros()), ("b", zeros()), ("c", zeros())])
        .expect("a batch");
    let mut writer = ArrowWriter::try_new(Vec::new(), batch.schema(), None).expect("a writer");
    writer.write(&batch).expect("written");
    let file = writer.into_inner().expect("finished");
    let (found, limit) = decodes_too_large(read(file.clone(), &one_mebibyte()));
    assert!(found > limit && found <= 3 * rows as u64 * 8, "{found}");
    // A bound of exactly what the three decode to lets them through; a byte less does not.
    let bound = |max_bytes: usize| ParseOptions {
        limits: Limits {
            max_bytes,
            ..Limits::default()
        },
        ..ParseOptions::default()
    };
    let exact = 3 * rows; // × 8 bytes decoded per byte of the limit, 8 bytes a number
    assert_eq!(
        read(file.clone(), &bound(exact)).expect("reads").rows(),
        rows
    );
    assert!(matches!(
        read(file, &bound(exact - 1)),
        Err(DatasetError::DecodesTooLarge { .. })
    ));
}

/// Found by the `parquet_reader` fuzz target: a negative column chunk size in the footer made
/// the parquet crate panic (caught, but a panic all the same). Such a chunk, or one that ends
/// past the file, is now refused by name before the reader sees it.
#[test]
fn a_column_chunk_outside_the_file_is_refused_by_name() {
    let texts: ArrayRef = Arc::new(StringArray::from_iter_values(["a", "b", "c"]));
    let file = zstd_file(vec![("t", texts)]);
    let negative = with_chunks_rewritten(&file, |chunk| {
        chunk.into_builder().set_total_compressed_size(-1)
    });
    let past_the_end = with_chunks_rewritten(&file, |chunk| {
        let size = chunk.compressed_size();
        chunk
            .into_builder()
            .set_total_compressed_size(size + (1 << 20))
    });
    for bad in [negative, past_the_end] {
        let error = read(bad, &ParseOptions::default())
            .expect_err("refused")
            .to_string();
        assert!(
            error.contains("column chunk `t` lies outside the file"),
            "{error}"
        );
    }
}

/// The inputs the `parquet_reader` fuzz target saved (`tests/fixtures/fuzz-*.parquet`) are
/// answered as unreadable files: a negative chunk size by name (above), and a dictionary-encoded
/// page without a dictionary, on which the parquet crate panics deep in its decoder, through
/// the panic that `parquet::read` catches.
#[test]
fn the_fuzz_findings_are_unreadable_files() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for (name, expected) in [
        ("fuzz-negative-chunk-size.parquet", "lies outside the file"),
        (
            "fuzz-dictionary-page-missing.parquet",
            "not a readable Parquet file",
        ),
    ] {
        let bytes = std::fs::read(fixtures.join(name)).expect("a fixture");
        let error = read(bytes, &ParseOptions::default())
            .expect_err("refused")
            .to_string();
        assert!(error.contains(expected), "{name}: {error}");
    }
}

/// Found by the `parquet_reader` fuzz target: row groups whose row counts add up past
/// `usize::MAX` overflowed the parquet crate's sum. The row groups' count is held to the row
/// limit like the file's. (The metadata writer sums the groups into the file's count, and
/// would overflow too, so this file claims 2 × 2⁴⁰ rows rather than an overflowing count.)
#[test]
fn row_groups_that_claim_too_many_rows_are_refused() {
    let batch = RecordBatch::try_from_iter([(
        "f",
        Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0, 4.0])) as ArrayRef,
    )])
    .expect("a batch");
    let properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(2))
        .build();
    let mut writer =
        ArrowWriter::try_new(Vec::new(), batch.schema(), Some(properties)).expect("a writer");
    writer.write(&batch).expect("written");
    let file = writer.into_inner().expect("finished");
    let metadata = ParquetMetaDataReader::new()
        .parse_and_finish(&Bytes::copy_from_slice(&file))
        .expect("a footer");
    let tail: [u8; 4] = file[file.len() - 8..file.len() - 4]
        .try_into()
        .expect("4 bytes");
    let footer = usize::try_from(u32::from_le_bytes(tail)).expect("a length");
    let mut builder = metadata.into_builder();
    let groups = builder
        .take_row_groups()
        .into_iter()
        .map(|group| {
            group
                .into_builder()
                .set_num_rows(1 << 40)
                .build()
                .expect("a row group")
        })
        .collect();
    let metadata = builder.set_row_groups(groups).build();
    let mut lying = file[..file.len() - 8 - footer].to_vec();
    ParquetMetaDataWriter::new(&mut lying, &metadata)
        .with_preserve_page_index_locations(true)
        .finish()
        .expect("a footer written");
    assert!(matches!(
        read(lying, &ParseOptions::default()),
        Err(DatasetError::TooManyRows { .. })
    ));
}
