//! `GET /audit/verify` over HTTP: every attempt is sealed by a signed checkpoint, and a tail
//! cut off the history by someone with database access fails verification with its reason.

use crate::helpers::TestApp;
use driftguard_core::Role;
use driftguard_test_kit::per_backend;
use driftguard_test_kit::{lift_append_only, raw};
use serde_json::json;

async fn a_cut_tail_fails_verification(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let engineer = app.token_for(Role::Engineer).await;
    let model = app.create_model(&engineer, "churn", "1", "high").await;
    let deploy = format!("/models/{}/deploy", model["id"]);
    for _ in 0..3 {
        // No evaluation yet: blocked, and recorded.
        let (status, body) = app.post(&deploy, Some(&engineer), json!({})).await;
        assert_eq!(status, 409, "{body}");
    }
    let (status, intact) = app.get("/audit/verify", &admin).await;
    assert_eq!(status, 200, "{intact}");
    assert_eq!(
        (
            &intact["ok"],
            &intact["rows_checked"],
            &intact["checkpoints_checked"]
        ),
        (&json!(true), &json!(3), &json!(3))
    );
    assert_eq!(intact["reason"], json!(null));
    assert_eq!(intact["first_invalid_id"], json!(null));
    assert_eq!(intact["signed_head"]["last_id"], 3);
    assert_eq!(intact["signed_head"]["head_hash"], intact["head_hash"]);

    let store = app.database().store();
    lift_append_only(&store).await.expect("lift the guard");
    let cut = raw(&store, "DELETE FROM deployment_history WHERE id = 3").await;
    assert_eq!(cut.expect("cut the tail"), 1);
    let (status, report) = app.get("/audit/verify", &admin).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(report["rows_checked"], 2);
    assert_eq!(report["first_invalid_id"], 3);
    assert_eq!(report["reason"], "signed_row_missing");
    assert_eq!(report["signed_head"], intact["signed_head"]);
    assert_ne!(report["head_hash"], intact["head_hash"]);
}

per_backend!(
    crate::helpers::with_app =>a_cut_tail_fails_verification);
