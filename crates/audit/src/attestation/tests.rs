//! Attestations made from history rows, verified, refused, and broken byte by byte.

use super::*;
use crate::chain::GENESIS_HASH;
use crate::test_support::entry;
use driftguard_core::{DeploymentId, ModelId};

fn model() -> ModelIdentity {
    ModelIdentity {
        id: ModelId(3),
        name: "churn".to_owned(),
        version: "1.2.0".to_owned(),
    }
}

fn digest() -> ArtifactDigest {
    ArtifactDigest::of(b"the model's bytes")
}

fn row(outcome: Outcome, artifact: Option<ArtifactDigest>) -> DeploymentRecord {
    let mut e = entry(3);
    e.outcome = outcome;
    e.artifact_digest = artifact;
    DeploymentRecord::seal(e, DeploymentId(9), GENESIS_HASH)
}

fn key() -> SigningKey {
    SigningKey::from_seed(&[5; 32]).expect("a seed")
}

#[test]
fn a_deploys_attestation_verifies_for_its_digest_and_states_the_row() {
    let key = key();
    let record = row(Outcome::Deployed, Some(digest()));
    let envelope = attest(&record, model(), &key).expect("a decision");
    assert_eq!(envelope.payload_type, PAYLOAD_TYPE);
    let keys = [key.public().clone()];
    let statement = verify_for_rollout(&envelope, &keys, Some(&digest())).expect("verifies");
    assert_eq!(statement.subject[0].name, "churn@1.2.0");
    assert_eq!(statement.subject[0].digest.sha256, digest().hex());
    let predicate = &statement.predicate;
    assert_eq!(predicate.decision, Outcome::Deployed);
    assert_eq!(predicate.subject_digest_source, DigestSource::Artifact);
    assert_eq!(predicate.history.hash, record.hash);
    assert_eq!(predicate.history.deployment_id, DeploymentId(9));
    assert_eq!(predicate.governance_result["risk_score"], 12.5);
    assert_eq!(predicate.environment, "production");
    // Deterministic: the same row signs to the same bytes.
    assert_eq!(attest(&record, model(), &key), Some(envelope.clone()));
    // Without --digest any subject does.
    assert!(verify_for_rollout(&envelope, &keys, None).is_ok());
}

#[test]
fn another_digest_a_blocked_decision_or_another_key_is_refused() {
    let key = key();
    let keys = [key.public().clone()];
    let deployed =
        attest(&row(Outcome::Overridden, Some(digest())), model(), &key).expect("a decision");
    let other = ArtifactDigest::of(b"other bytes");
    assert!(matches!(
        verify_for_rollout(&deployed, &keys, Some(&other)),
        Err(AttestationError::Refused(_))
    ));
    let blocked =
        attest(&row(Outcome::Blocked, Some(digest())), model(), &key).expect("a decision");
    assert!(blocked.verify(&keys).is_ok(), "blocked is attested too");
    assert!(matches!(
        verify_for_rollout(&blocked, &keys, Some(&digest())),
        Err(AttestationError::Refused(_))
    ));
    let stranger = SigningKey::from_seed(&[6; 32]).expect("a seed");
    assert!(matches!(
        verify_for_rollout(&deployed, &[stranger.public().clone()], None),
        Err(AttestationError::Signature(_))
    ));
}

#[test]
fn without_an_artifact_digest_the_subject_is_the_model_identitys_digest() {
    let envelope = attest(&row(Outcome::Deployed, None), model(), &key()).expect("a decision");
    let statement = verify_for_rollout(&envelope, &[key().public().clone()], None).expect("ok");
    assert_eq!(
        statement.predicate.subject_digest_source,
        DigestSource::ModelIdentity
    );
    assert!(statement.names(&ArtifactDigest::of(b"churn@1.2.0")));
}

#[test]
fn rows_that_are_no_decision_have_no_attestation() {
    for outcome in [Outcome::Superseded, Outcome::Retired] {
        assert!(attest(&row(outcome, None), model(), &key()).is_none());
    }
}

#[test]
fn changing_any_byte_of_the_envelope_fails_verification() {
    let key = key();
    let keys = [key.public().clone()];
    let envelope =
        attest(&row(Outcome::Deployed, Some(digest())), model(), &key).expect("a decision");
    let text = serde_json::to_vec(&envelope).expect("encodes");
    for at in 0..text.len() {
        let mut bytes = text.clone();
        bytes[at] ^= 0x01;
        let verified = serde_json::from_slice::<Envelope>(&bytes)
            .ok()
            .map(|changed| verify_for_rollout(&changed, &keys, Some(&digest())));
        assert!(
            !matches!(verified, Some(Ok(_))),
            "byte {at} changed and it still verifies"
        );
    }
}

#[test]
fn a_payload_that_is_no_gate_result_is_refused_even_when_signed() {
    let key = key();
    let keys = [key.public().clone()];
    let other_type = Envelope::sign("text/plain", b"{}", &key);
    assert!(matches!(
        verify_for_rollout(&other_type, &keys, None),
        Err(AttestationError::Envelope(_))
    ));
    let not_a_statement = Envelope::sign(PAYLOAD_TYPE, b"{\"_type\":1}", &key);
    assert!(matches!(
        verify_for_rollout(&not_a_statement, &keys, None),
        Err(AttestationError::Envelope(_))
    ));
}
