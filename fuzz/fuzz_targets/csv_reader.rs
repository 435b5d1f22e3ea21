//! The CSV reader on arbitrary bytes, under small limits so that every limit is reached:
//! it must answer (a dataset or an error) without panicking, and reading the same bytes
//! from a stream, a few bytes at a time, must give the same answer as reading the slice.
#![no_main]

use driftguard_fuzz::{SlowReader, small_options};
use driftguard_stats::Dataset;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = small_options();
    let from_slice = Dataset::from_csv(data, &options);
    let from_stream = Dataset::from_csv_reader(SlowReader::new(data), &options);
    // Debug, not PartialEq: a missing number is NaN, which is not equal to itself.
    assert_eq!(format!("{from_slice:?}"), format!("{from_stream:?}"));
    if let Ok(dataset) = from_slice {
        driftguard_fuzz::check_dataset(&dataset, &options);
    }
});
