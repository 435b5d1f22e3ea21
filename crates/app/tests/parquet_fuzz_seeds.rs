//! The seed corpus of the `parquet_reader` fuzz target (`fuzz/seeds/parquet_reader`): small
//! files of every codec and column type the reader takes, and broken ones. The ignored test
//! `write_the_fuzz_seeds` writes them (`cargo test -p driftguard-app --test
//! parquet_fuzz_seeds -- --ignored`); the other checks that the committed ones still read
//! as their names say, and fit the fuzzer's input size.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::StringDictionaryBuilder;
use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, Decimal128Array, Float32Array, Float64Array, Int8Array, Int16Array,
    Int32Array, Int64Array, LargeStringArray, RecordBatch, StringArray, TimestampSecondArray,
    UInt16Array, UInt64Array,
};
use driftguard_app::parquet::read;
use driftguard_stats::ParseOptions;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{WriterProperties, WriterVersion};

/// `cargo xtask fuzz` runs libFuzzer with `-max_len=4096`: a longer seed would be cut.
const MAX_SEED: usize = 4096;

fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/parquet_reader")
}

fn write(columns: Vec<(&str, ArrayRef)>, properties: WriterProperties) -> Vec<u8> {
    let batch = RecordBatch::try_from_iter(columns).expect("a batch");
    let mut writer =
        ArrowWriter::try_new(Vec::new(), batch.schema(), Some(properties)).expect("a writer");
    writer.write(&batch).expect("written");
    writer.into_inner().expect("finished")
}

fn codec(compression: Compression) -> WriterProperties {
    WriterProperties::builder()
        .set_compression(compression)
        .build()
}

fn labels(n: usize) -> Vec<Option<&'static str>> {
    let cycle = [Some("red"), Some("green"), None, Some("blue"), Some("")];
    (0..n).map(|i| cycle[i % cycle.len()]).collect()
}

/// The files that read, by name.
fn valid_seeds() -> Vec<(&'static str, Vec<u8>)> {
    let rows = 24;
    let ints = || -> ArrayRef {
        Arc::new(Int64Array::from_iter(
            (0..rows).map(|i| (i % 7 != 3).then_some(i as i64 * 3 - 20)),
        ))
    };
    let doubles = || -> ArrayRef {
        Arc::new(Float64Array::from_iter_values(
            (0..rows).map(|i| (i as f64).sqrt() - 2.0),
        ))
    };
    let texts = || -> ArrayRef { Arc::new(StringArray::from(labels(rows))) };
    let dictionary = || -> ArrayRef {
        let mut builder = StringDictionaryBuilder::<Int32Type>::new();
        for label in labels(rows) {
            builder.append_option(label);
        }
        Arc::new(builder.finish())
    };
    let mixed = || {
        vec![
            ("i", ints()),
            ("f", doubles()),
            ("t", texts()),
            ("d", dictionary()),
        ]
    };
    let decimals: ArrayRef = Arc::new(
        Decimal128Array::from_iter_values((0..rows).map(|i| i as i128 * 125 - 999))
            .with_precision_and_scale(9, 2)
            .expect("a decimal type"),
    );
    let small_types = vec![
        (
            "i8",
            Arc::new(Int8Array::from_iter_values((0..rows).map(|i| i as i8 - 9))) as ArrayRef,
        ),
        (
            "i16",
            Arc::new(Int16Array::from_iter_values(
                (0..rows).map(|i| i as i16 * 300),
            )),
        ),
        (
            "i32",
            Arc::new(Int32Array::from_iter(
                (0..rows).map(|i| (i % 5 != 0).then_some(i as i32)),
            )),
        ),
        (
            "u16",
            Arc::new(UInt16Array::from_iter_values((0..rows).map(|i| i as u16))),
        ),
        (
            "u64",
            Arc::new(UInt64Array::from_iter_values(
                (0..rows).map(|i| u64::MAX - i as u64),
            )),
        ),
        (
            "f32",
            Arc::new(Float32Array::from_iter_values(
                (0..rows).map(|i| i as f32 / 3.0),
            )),
        ),
        (
            "b",
            Arc::new(BooleanArray::from_iter(
                (0..rows).map(|i| (i % 4 != 1).then_some(i % 2 == 0)),
            )),
        ),
        ("dec", decimals),
    ];
    let large_text: ArrayRef = Arc::new(LargeStringArray::from(labels(rows)));
    vec![
        (
            "valid-snappy-mixed.parquet",
            write(mixed(), codec(Compression::SNAPPY)),
        ),
        (
            "valid-zstd-mixed.parquet",
            write(mixed(), codec(Compression::ZSTD(ZstdLevel::default()))),
        ),
        (
            "valid-lz4-number-types.parquet",
            write(small_types, codec(Compression::LZ4_RAW)),
        ),
        (
            "valid-uncompressed-v2-pages.parquet",
            write(
                vec![("t", large_text), ("i", ints())],
                WriterProperties::builder()
                    .set_writer_version(WriterVersion::PARQUET_2_0)
                    .set_dictionary_enabled(false)
                    .build(),
            ),
        ),
        (
            "valid-row-groups-of-5.parquet",
            write(
                vec![("f", doubles()), ("d", dictionary())],
                WriterProperties::builder()
                    .set_compression(Compression::SNAPPY)
                    .set_max_row_group_row_count(Some(5))
                    .build(),
            ),
        ),
    ]
}

/// Files that must be refused with an error: cut short, or of a type the reader refuses.
fn invalid_seeds(valid: &[(&str, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    for (name, bytes) in valid.iter().take(3) {
        let stem = name.trim_start_matches("valid-");
        seeds.push((
            format!("truncated-half-{stem}"),
            bytes[..bytes.len() / 2].to_vec(),
        ));
        seeds.push((
            format!("truncated-last-byte-{stem}"),
            bytes[..bytes.len() - 1].to_vec(),
        ));
    }
    let times: ArrayRef = Arc::new(TimestampSecondArray::from(vec![1, 2, 3]));
    seeds.push((
        "unsupported-timestamp.parquet".to_owned(),
        write(vec![("at", times)], codec(Compression::SNAPPY)),
    ));
    seeds
}

#[test]
#[ignore = "writes fuzz/seeds/parquet_reader; run when the seeds should change"]
fn write_the_fuzz_seeds() {
    let dir = seeds_dir();
    std::fs::create_dir_all(&dir).expect("the seeds folder");
    let valid = valid_seeds();
    for (name, bytes) in invalid_seeds(&valid) {
        std::fs::write(dir.join(name), bytes).expect("a seed written");
    }
    for (name, bytes) in valid {
        std::fs::write(dir.join(name), bytes).expect("a seed written");
    }
}

#[test]
fn the_committed_fuzz_seeds_read_as_their_names_say() {
    let mut seen = 0;
    for entry in std::fs::read_dir(seeds_dir()).expect("the seeds folder") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        let bytes = std::fs::read(&path).expect("a seed");
        assert!(bytes.len() <= MAX_SEED, "{name}: {} bytes", bytes.len());
        let read = read(bytes, &ParseOptions::default());
        if name.starts_with("valid-") {
            let dataset = read.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(dataset.rows(), 24, "{name}");
        } else {
            assert!(read.is_err(), "{name} is refused");
        }
        seen += 1;
    }
    assert!(seen >= valid_seeds().len(), "{seen} seeds");
}
