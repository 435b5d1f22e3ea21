//! Signed gate attestations over HTTP on both backends: a deploy's attestation verifies with
//! the served public key, and fails once any byte is changed, for another digest, or as a
//! go-ahead when the decision was `blocked`; `driftguard attest verify` (the real binary)
//! exits accordingly. A model version's own `artifact_digest` is the subject of a deploy
//! that names none.

use crate::helpers::{TestApp, assert_error_body};
use crate::ui_browser::Browser;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use driftguard_app::audit::ArtifactDigest;
use driftguard_app::audit::attestation::{
    AttestationError, DigestSource, Envelope, PublicKey, verify_for_rollout,
};
use driftguard_core::Role;
use driftguard_test_kit::per_backend;
use secrecy::SecretString;
use serde_json::{Value, json};
use std::process::Command;

const KEYS: &str = "/.well-known/driftguard/attestation-keys";

fn digest_of(text: &str) -> ArtifactDigest {
    ArtifactDigest::of(text.as_bytes())
}

/// The served public keys, read without signing in.
async fn served_keys(app: &TestApp) -> Vec<PublicKey> {
    let (status, keys) = app.send(reqwest::Method::GET, KEYS, None, None).await;
    assert_eq!(status, 200, "{keys}");
    serde_json::from_value(keys).expect("a key list")
}

async fn envelope(app: &TestApp, deployment: &Value, token: &str) -> Envelope {
    let path = format!("/deployments/{}/attestation", deployment["id"]);
    let (status, body) = app.get(&path, token).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).expect("a DSSE envelope")
}

/// The newest history row of `model_id` with `outcome`.
async fn row(app: &TestApp, model_id: i64, outcome: &str, token: &str) -> Value {
    let path = format!("/deployments?model_id={model_id}&outcome={outcome}");
    let (status, page) = app.get(&path, token).await;
    assert_eq!(status, 200, "{page}");
    page["deployments"][0].clone()
}

/// `envelope` with one byte of its decoded payload (or signature) changed, re-encoded.
fn flipped(envelope: &Envelope, signature: bool, at: usize) -> Envelope {
    let mut changed = envelope.clone();
    let field = if signature {
        &mut changed.signatures[0].sig
    } else {
        &mut changed.payload
    };
    let mut bytes = STANDARD.decode(&*field).expect("base64");
    let at = at % bytes.len();
    bytes[at] ^= 0x20;
    *field = STANDARD.encode(bytes);
    changed
}

/// `driftguard attest verify --key KEYS FILE [--digest D]`: its exit code and output.
fn cli_verify(keys: &[PublicKey], envelope: &Envelope, digest: Option<&str>) -> (i32, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let key_file = dir.path().join("keys.json");
    let file = dir.path().join("attestation.json");
    std::fs::write(&key_file, serde_json::to_vec(keys).expect("keys")).expect("write");
    std::fs::write(&file, serde_json::to_vec(envelope).expect("envelope")).expect("write");
    let mut command = Command::new(env!("CARGO_BIN_EXE_driftguard"));
    command
        .args(["attest", "verify", "--key"])
        .arg(&key_file)
        .arg(&file);
    if let Some(digest) = digest {
        command.args(["--digest", digest]);
    }
    let output = command.output().expect("run driftguard attest verify");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

async fn deploy_decisions_are_signed_and_verify_only_unchanged(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let approver = app.token_for(Role::Approver).await;
    let model = app.create_model(&engineer, "churn", "2.1.0", "high").await;
    let id = model["id"].as_i64().expect("id");
    let deploy = format!("/models/{id}/deploy");
    let artefact = digest_of("the model file's bytes");

    // A malformed digest is a 422 on the field, and nothing is recorded.
    for bad in ["sha256:1234", "md5:abc", "deadbeef"] {
        let (status, body) = app
            .post(&deploy, Some(&engineer), json!({"artifact_digest": bad}))
            .await;
        assert_error_body(&body, 422, "validation_error");
        assert_eq!(status, 422);
        assert_eq!(body["errors"][0]["field"], "artifact_digest", "{body}");
    }

    // Never evaluated: blocked, and the blocked decision is attested too.
    let (status, body) = app
        .post(
            &deploy,
            Some(&engineer),
            json!({"artifact_digest": artefact.as_str()}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    let blocked = row(&app, id, "blocked", &engineer).await;
    assert_eq!(blocked["artifact_digest"], artefact.as_str());
    let keys = served_keys(&app).await;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].algorithm, "ed25519");
    let blocked_envelope = envelope(&app, &blocked, &engineer).await;
    assert!(blocked_envelope.verify(&keys).is_ok(), "validly signed");
    assert!(matches!(
        verify_for_rollout(&blocked_envelope, &keys, Some(&artefact)),
        Err(AttestationError::Refused(_))
    ));

    // Overridden by an approver: a go-ahead for that artefact only.
    let (status, body) = app
        .post(
            &deploy,
            Some(&approver),
            json!({"override": true, "justification": "accepted by the risk board, ticket RISK-7",
                   "environment": "staging",
                   "artifact_digest": format!("sha256:{}", artefact.hex().to_uppercase())}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let deployment = &body["deployment"];
    assert_eq!(
        deployment["artifact_digest"],
        artefact.as_str(),
        "lower-cased"
    );
    let signed = envelope(&app, deployment, &engineer).await;
    assert_eq!(signed.payload_type, "application/vnd.in-toto+json");
    assert_eq!(signed.signatures[0].keyid, keys[0].keyid);
    let statement = verify_for_rollout(&signed, &keys, Some(&artefact)).expect("verifies");
    assert_eq!(statement.subject[0].name, "churn@2.1.0");
    assert_eq!(statement.subject[0].digest.sha256, artefact.hex());
    let predicate = &statement.predicate;
    assert_eq!(predicate.decision.as_str(), "overridden");
    assert_eq!(predicate.subject_digest_source, DigestSource::Artifact);
    assert_eq!(predicate.environment, "staging");
    assert_eq!(
        predicate.history.hash,
        deployment["hash"].as_str().expect("hash")
    );
    assert_eq!(
        predicate.history.deployment_id.0,
        deployment["id"].as_i64().expect("id")
    );
    assert_eq!(predicate.governance_result, deployment["governance_result"]);
    assert!(predicate.override_used);
    // Made on read, deterministically: the same bytes every time.
    assert_eq!(envelope(&app, deployment, &approver).await, signed);

    // Any changed byte of the payload or the signature, or another digest, fails.
    let payload_len = STANDARD.decode(&signed.payload).expect("base64").len();
    for at in [0, 1, payload_len / 2, payload_len - 1] {
        assert!(verify_for_rollout(&flipped(&signed, false, at), &keys, None).is_err());
    }
    for at in [0, 31, 63] {
        assert!(verify_for_rollout(&flipped(&signed, true, at), &keys, None).is_err());
    }
    let other = digest_of("another model file");
    assert!(verify_for_rollout(&signed, &keys, Some(&other)).is_err());

    // The CLI a CD pipeline runs: 0 only for the valid go-ahead of that digest.
    let (code, text) = cli_verify(&keys, &signed, Some(artefact.as_str()));
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("verified: overridden"), "{text}");
    assert_eq!(cli_verify(&keys, &signed, None).0, 0);
    let (code, text) = cli_verify(&keys, &signed, Some(other.as_str()));
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("not about"), "{text}");
    let (code, text) = cli_verify(&keys, &flipped(&signed, false, 10), None);
    assert_eq!(code, 1, "{text}");
    let (code, text) = cli_verify(&keys, &blocked_envelope, Some(artefact.as_str()));
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("blocked"), "{text}");
    let (code, text) = cli_verify(&keys, &signed, Some("sha256:nothex"));
    assert_eq!(code, 2, "{text}");

    // The history still verifies with the digests in it.
    let admin = app.token_for(Role::Admin).await;
    let (status, report) = app.get("/audit/verify", &admin).await;
    assert_eq!((status, &report["ok"]), (200, &json!(true)), "{report}");
}

async fn attestations_need_a_decision_row_and_a_signed_in_user(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let approver = app.token_for(Role::Approver).await;
    let model = app.create_model(&engineer, "fraud", "1.0.0", "low").await;
    let id = model["id"].as_i64().expect("id");
    let justification = "accepted by the risk board, ticket RISK-8";
    let (status, body) = app
        .post(
            &format!("/models/{id}/deploy"),
            Some(&approver),
            json!({"override": true, "justification": justification}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let deployment = &body["deployment"];
    assert!(deployment.get("artifact_digest").is_none(), "{deployment}");
    let path = format!("/deployments/{}/attestation", deployment["id"]);
    let (status, body) = app.send(reqwest::Method::GET, &path, None, None).await;
    assert_error_body(&body, 401, "unauthorized");
    assert_eq!(status, 401);

    // No digest given: the subject is the digest of `name@version`, and says so.
    let keys = served_keys(&app).await;
    let signed = envelope(&app, deployment, &engineer).await;
    let identity = digest_of("fraud@1.0.0");
    let statement = verify_for_rollout(&signed, &keys, Some(&identity)).expect("verifies");
    assert_eq!(
        statement.predicate.subject_digest_source,
        DigestSource::ModelIdentity
    );

    // A retirement is no deploy decision; an unknown row is not found.
    let (status, retired) = app
        .post(&format!("/models/{id}/retire"), Some(&approver), json!({}))
        .await;
    assert_eq!(status, 200, "{retired}");
    let retired_path = format!("/deployments/{}/attestation", retired["deployment"]["id"]);
    let (status, body) = app.get(&retired_path, &engineer).await;
    assert_eq!(status, 404, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("retired")),
        "{body}"
    );
    let (status, body) = app.get("/deployments/999999/attestation", &engineer).await;
    assert_error_body(&body, 404, "not_found");
    assert_eq!(status, 404);
}

/// How many history rows the model has.
async fn history_rows(app: &TestApp, model_id: i64, token: &str) -> u64 {
    let (status, page) = app
        .get(&format!("/deployments?model_id={model_id}"), token)
        .await;
    assert_eq!(status, 200, "{page}");
    page["pagination"]["total"].as_u64().expect("a total")
}

async fn a_model_version_s_digest_is_the_subject_when_the_deploy_names_none(app: TestApp) {
    let engineer = app.token_for(Role::Engineer).await;
    let approver = app.token_for(Role::Approver).await;
    let artefact = digest_of("the registered model file");
    let new_model = |digest: &str| {
        json!({"name": "scored", "version": "3.0.0", "task": "binary_classification",
               "risk_tier": "low", "artifact_digest": digest})
    };
    let (status, body) = app
        .post("/models", Some(&engineer), new_model("sha256:abc"))
        .await;
    assert_error_body(&body, 422, "validation_error");
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "artifact_digest", "{body}");
    let upper = format!("sha256:{}", artefact.hex().to_uppercase());
    let (status, model) = app
        .post("/models", Some(&engineer), new_model(&upper))
        .await;
    assert_eq!(status, 201, "{model}");
    assert_eq!(model["artifact_digest"], artefact.as_str(), "lower-cased");
    let id = model["id"].as_i64().expect("id");
    let deploy = format!("/models/{id}/deploy");
    let justification = "accepted by the risk board, ticket RISK-10";

    // A deploy naming another artefact than the registered one is refused, unrecorded.
    let other = digest_of("some other file");
    let (status, body) = app
        .post(
            &deploy,
            Some(&approver),
            json!({"override": true, "justification": justification,
                   "artifact_digest": other.as_str()}),
        )
        .await;
    assert_error_body(&body, 422, "validation_error");
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "artifact_digest", "{body}");
    assert_eq!(history_rows(&app, id, &engineer).await, 0);

    // Naming none: the registered digest is recorded and attested.
    let (status, body) = app
        .post(
            &deploy,
            Some(&approver),
            json!({"override": true, "justification": justification}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let deployment = &body["deployment"];
    assert_eq!(deployment["artifact_digest"], artefact.as_str());
    let keys = served_keys(&app).await;
    let signed = envelope(&app, deployment, &engineer).await;
    let statement = verify_for_rollout(&signed, &keys, Some(&artefact)).expect("verifies");
    assert_eq!(statement.subject[0].digest.sha256, artefact.hex());
    assert_eq!(
        statement.predicate.subject_digest_source,
        DigestSource::Artifact
    );
    let (code, text) = cli_verify(&keys, &signed, Some(artefact.as_str()));
    assert_eq!(code, 0, "{text}");
    assert_eq!(cli_verify(&keys, &signed, Some(other.as_str())).0, 1);

    // The same digest named by both (in any case) is that digest.
    let (status, body) = app
        .post(
            &deploy,
            Some(&approver),
            json!({"override": true, "justification": justification, "artifact_digest": upper}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["deployment"]["artifact_digest"], artefact.as_str());

    // The model page shows it.
    let mut browser = Browser::signed_in(&app, Role::Viewer).await;
    let page = browser.get(&format!("/ui/models/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(artefact.as_str()), "the digest shown");

    // An edit changes or clears it; earlier deploys keep theirs.
    let path = format!("/models/{id}");
    let (status, body) = app
        .send(
            reqwest::Method::PATCH,
            &path,
            Some(&engineer),
            Some(json!({"artifact_digest": "sha256:xyz"})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "artifact_digest", "{body}");
    let (status, changed) = app
        .send(
            reqwest::Method::PATCH,
            &path,
            Some(&engineer),
            Some(json!({"artifact_digest": other.as_str()})),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["artifact_digest"], other.as_str());
    let (status, cleared) = app
        .send(
            reqwest::Method::PATCH,
            &path,
            Some(&engineer),
            Some(json!({"artifact_digest": null})),
        )
        .await;
    assert_eq!(status, 200, "{cleared}");
    assert_eq!(cleared["artifact_digest"], Value::Null);
    assert_eq!(
        envelope(&app, deployment, &engineer).await,
        signed,
        "an attestation is of its history row"
    );
}

/// Rotation: the generated key retired into the settings of a restart with a new signing
/// key; both are served, what the old key signed still verifies, and rows are signed anew
/// with the new key.
async fn a_rotated_key_stays_trusted_for_what_it_signed(app: TestApp) {
    let approver = app.token_for(Role::Approver).await;
    let model = app.create_model(&approver, "rotate", "1.0.0", "low").await;
    let (status, body) = app
        .post(
            &format!("/models/{}/deploy", model["id"]),
            Some(&approver),
            json!({"override": true, "justification": "accepted by the risk board, ticket RISK-9"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let deployment = &body["deployment"];
    let old_keys = served_keys(&app).await;
    let before = envelope(&app, deployment, &approver).await;

    let new_seed = "07".repeat(32);
    let retired = old_keys[0].public_key.clone();
    let rotated = app
        .restarted_with(|s| {
            s.attestation.signing_key = Some(SecretString::from(new_seed));
            s.attestation.retired_public_keys = vec![retired];
        })
        .await;
    let keys = served_keys(&rotated).await;
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert_eq!(
        keys[1], old_keys[0],
        "the retired key, after the signing key"
    );
    assert_ne!(keys[0].keyid, old_keys[0].keyid);
    let after = envelope(&rotated, deployment, &approver).await;
    assert_eq!(after.signatures[0].keyid, keys[0].keyid, "signed anew");
    assert_eq!(after.payload, before.payload, "the same statement");
    for signed in [&before, &after] {
        assert!(verify_for_rollout(signed, &keys, None).is_ok());
        assert_eq!(cli_verify(&keys, signed, None).0, 0);
    }
    assert!(verify_for_rollout(&after, &old_keys, None).is_err());
}

per_backend!(
    crate::helpers::with_app => deploy_decisions_are_signed_and_verify_only_unchanged,
    attestations_need_a_decision_row_and_a_signed_in_user,
    a_model_version_s_digest_is_the_subject_when_the_deploy_names_none,
    a_rotated_key_stays_trusted_for_what_it_signed
);
