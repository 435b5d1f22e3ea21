//! The reference data pair kept in the repository (`testdata/reference/`, or the folder
//! `DRIFTGUARD_REFERENCE_DIR` names) and its column roles, for the tests and benches of
//! every crate that reproduces its values. Behind the `testing` feature.

use std::path::PathBuf;

use crate::ColumnRoles;

/// The column roles of the reference pair, and of `cargo xtask bench-data`'s files, which
/// have its columns: `prediction`, `label`, `score`, and `group` as the sensitive one.
pub fn reference_roles() -> ColumnRoles {
    ColumnRoles {
        prediction: Some("prediction".into()),
        label: Some("label".into()),
        score: Some("score".into()),
        sensitive: vec!["group".into()],
        ignore: vec![],
    }
}

/// The folder of the reference files.
pub fn reference_dir() -> PathBuf {
    std::env::var_os("DRIFTGUARD_REFERENCE_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/reference"),
        PathBuf::from,
    )
}

/// The bytes of one reference file; a missing file fails the test with where to find it.
pub fn read_reference(name: &str) -> Vec<u8> {
    let path = reference_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}. The reference files live in testdata/reference in the \
             repository; DRIFTGUARD_REFERENCE_DIR names another folder.",
            path.display()
        )
    })
}
