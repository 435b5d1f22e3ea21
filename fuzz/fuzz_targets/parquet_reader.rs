//! The Parquet reader an upload goes through (`driftguard_app::parquet::read`) on arbitrary
//! bytes, under small limits so that every limit is reached: it must answer (a dataset or an
//! error) without panicking, hanging or running away with memory, and a dataset it returns
//! passes the checks every reader's does.
#![no_main]

use driftguard_fuzz::{check_dataset, small_options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = small_options();
    if let Ok(dataset) = driftguard_app::parquet::read(data.to_vec(), &options) {
        check_dataset(&dataset, &options);
    }
});
