//! `init_tracing` writes JSON to `app.log`, and errors only to `errors.log`. A test binary of
//! its own: the global subscriber can be installed once per process.

use driftguard_observability::{LogSettings, ObservabilityError, init_tracing};

#[test]
fn writes_app_and_error_files_and_refuses_a_second_install() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = LogSettings {
        dir: dir.path().join("nested/logs"),
        level: "info".to_owned(),
        stdout: false,
    };
    let guard = init_tracing(&settings).expect("first install");
    tracing::info!(model_id = 1, "governance.evaluation");
    tracing::error!(password = "planted", "database.query_error");
    log::warn!("from the log crate");
    assert!(matches!(
        init_tracing(&settings),
        Err(ObservabilityError::AlreadyInitialised)
    ));
    drop(guard); // flushes the background writers

    let app = std::fs::read_to_string(settings.dir.join("app.log")).expect("app.log");
    let errors = std::fs::read_to_string(settings.dir.join("errors.log")).expect("errors.log");
    assert!(app.contains("governance.evaluation"), "{app}");
    assert!(app.contains("database.query_error"), "{app}");
    assert!(app.contains("from the log crate"), "{app}");
    assert!(!app.contains("planted"), "{app}");
    assert!(errors.contains("database.query_error"), "{errors}");
    assert!(!errors.contains("governance.evaluation"), "{errors}");
    for line in app.lines().chain(errors.lines()) {
        serde_json::from_str::<serde_json::Value>(line).expect("JSON lines");
    }
}

#[test]
fn an_unwritable_folder_is_an_error_not_a_panic() {
    let file = tempfile::NamedTempFile::new().expect("temp file");
    let settings = LogSettings {
        dir: file.path().join("logs"),
        ..LogSettings::default()
    };
    assert!(matches!(
        init_tracing(&settings),
        Err(ObservabilityError::LogDir { .. })
    ));
}
