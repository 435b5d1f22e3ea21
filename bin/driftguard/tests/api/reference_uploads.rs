//! `GET /models/{id}/reference/uploads`: the record of every reference upload, the replaced
//! ones too (SPEC §2).

use crate::helpers::{TestApp, assert_error_body};
use driftguard_core::Role;
use driftguard_test_kit::per_backend;
use reqwest::Method;

async fn a_replaced_reference_stays_in_the_record_oldest_first(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let (_, me) = app.get("/auth/me", &engineer).await;
    let model = app.create_model(&engineer, "replaced", "1", "low").await;
    let path = format!("/models/{}/reference", model["id"]);
    let mut profiles = Vec::new();
    for csv in ["x\n1\n2\n3\n", "x\n4\n5\n"] {
        let (status, profile) = app.upload(Method::PUT, &path, &engineer, csv.into()).await;
        assert_eq!(status, 200, "{profile}");
        profiles.push(profile);
    }

    let viewer = app.token_for(Role::Viewer).await;
    let (status, body) = app.get(&format!("{path}/uploads"), &viewer).await;
    assert_eq!(status, 200, "a viewer may read it: {body}");
    let uploads = body["uploads"].as_array().expect("a list of uploads");
    assert_eq!(uploads.len(), 2, "{body}");
    for ((upload, profile), rows) in uploads.iter().zip(&profiles).zip([3, 2]) {
        assert_eq!(upload["model_id"], model["id"], "{upload}");
        assert_eq!(upload["sha256"], profile["sha256"], "{upload}");
        assert_eq!(upload["rows"], rows, "oldest first: {upload}");
        assert_eq!(upload["uploaded_by"], me["id"], "{upload}");
        assert_eq!(upload["uploaded_at"], profile["uploaded_at"], "{upload}");
    }
    assert_ne!(uploads[0]["sha256"], uploads[1]["sha256"]);
}

async fn uploads_of_an_unknown_model_are_404_and_need_a_token(app: TestApp) {
    let viewer = app.token_for(Role::Viewer).await;
    let (status, body) = app.get("/models/999999/reference/uploads", &viewer).await;
    assert_eq!(status, 404, "{body}");
    assert_error_body(&body, status, "not_found");

    let engineer = app.token_for(Role::Engineer).await;
    let model = app.create_model(&engineer, "fresh", "1", "low").await;
    let path = format!("/models/{}/reference/uploads", model["id"]);
    let (status, body) = app.get(&path, &viewer).await;
    assert_eq!((status, body), (200, serde_json::json!({"uploads": []})));
    let (status, body) = app.send(Method::GET, &path, None, None).await;
    assert_eq!(status, 401, "{body}");
}

per_backend!(
    crate::helpers::with_app =>
    a_replaced_reference_stays_in_the_record_oldest_first,
    uploads_of_an_unknown_model_are_404_and_need_a_token
);
