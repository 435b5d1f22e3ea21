//! The Parquet reader an upload goes through (`driftguard_app::parquet::read`) on arbitrary
//! bytes, under small limits so that every limit is reached: it must answer (a dataset or an
//! error) without panicking outside the Parquet decoding crates, hanging or running away with
//! memory, and a dataset it returns passes the checks every reader's does.
#![no_main]

use std::sync::Once;

use driftguard_fuzz::{check_dataset, small_options};
use libfuzzer_sys::fuzz_target;

/// The crates of the Parquet decoding stack, as their sources' paths name them.
const DECODER_CRATES: [&str; 6] = [
    "/parquet-",
    "/arrow-",
    "/bytes-",
    "/snap-",
    "/zstd",
    "/lz4_flex-",
];

/// libFuzzer's panic hook aborts on every panic, also on those `parquet::read` catches and
/// answers as a corrupt file (the parquet crate asserts on many malformed inputs, e.g. a
/// dictionary-encoded page without a dictionary, or slices its buffers out of range). A panic
/// raised inside the decoding stack's crates is let through to that catch, silently; any
/// other (DriftGuard's own code) still aborts, as a finding.
fn let_decoder_panics_reach_the_reader() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_decoder = info.location().is_some_and(|at| {
                let file = at.file();
                DECODER_CRATES.iter().any(|name| file.contains(name))
            });
            if !in_decoder {
                abort(info);
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    let_decoder_panics_reach_the_reader();
    let options = small_options();
    if let Ok(dataset) = driftguard_app::parquet::read(data.to_vec(), &options) {
        check_dataset(&dataset, &options);
    }
});
