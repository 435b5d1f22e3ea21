//! Criterion benches on `gen.py`'s 100k and 1M datasets: CSV parsing, drift with the
//! default methods, and fairness + performance. Generate the data first with
//! `cargo xtask bench-data` (it lands in `<repo>/bench-data/`, or set
//! `DRIFTGUARD_BENCH_DATA`); without it the benches print a note and skip.
#![allow(missing_docs)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use driftguard_stats::drift::{self, DriftOptions};
use driftguard_stats::performance::{self, Task};
use driftguard_stats::testing::reference_roles;
use driftguard_stats::{Dataset, ParseOptions, fairness};

fn data_dir() -> PathBuf {
    std::env::var_os("DRIFTGUARD_BENCH_DATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench-data"),
        PathBuf::from,
    )
}

/// Raw bytes of the reference and current files of one size, if generated.
fn load(tag: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    let dir = data_dir();
    let read = |side: &str| std::fs::read(dir.join(format!("{side}_{tag}.csv"))).ok();
    match (read("reference"), read("current")) {
        (Some(r), Some(c)) => Some((r, c)),
        _ => {
            eprintln!(
                "skipping {tag} benches: no {}/{{reference,current}}_{tag}.csv \
                 (run `cargo xtask bench-data`)",
                dir.display()
            );
            None
        }
    }
}

fn parse(bytes: &[u8]) -> Dataset {
    let options = ParseOptions::default();
    match Dataset::from_csv(bytes, &options) {
        Ok(d) => d,
        Err(e) => panic!("bench data does not parse: {e}"),
    }
}

fn benches(c: &mut Criterion) {
    for tag in ["100k", "1m"] {
        let Some((reference, current)) = load(tag) else {
            continue;
        };
        let mut group = c.benchmark_group(tag);
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(20));
        group.bench_function("parse_both_csv", |b| {
            b.iter(|| (parse(black_box(&reference)), parse(black_box(&current))));
        });
        let (reference, current) = (parse(&reference), parse(&current));
        let roles = reference_roles();
        let options = DriftOptions::default();
        group.bench_function("drift_default_methods", |b| {
            b.iter(|| drift::compare(black_box(&reference), &current, &roles, &options));
        });
        group.bench_function("fairness_and_performance", |b| {
            b.iter(|| {
                (
                    fairness::evaluate(black_box(&current), &roles),
                    performance::compare(&reference, &current, Task::BinaryClassification, &roles),
                )
            });
        });
        group.finish();
    }
}

criterion_group!(stats, benches);
criterion_main!(stats);
