//! The JSON reader on arbitrary bytes (both shapes: columns and records), under small
//! limits: a dataset within the limits or an error, never a panic.
#![no_main]

use driftguard_fuzz::small_options;
use driftguard_stats::Dataset;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = small_options();
    if let Ok(dataset) = Dataset::from_json(data, &options) {
        driftguard_fuzz::check_dataset(&dataset, &options);
    }
});
