//! Signed gate attestations: each deploy decision as an in-toto Statement v1 in a DSSE
//! envelope signed with Ed25519, and the check a CD pipeline runs before rolling out (a valid
//! signature over a `deployed` or `overridden` decision for the artefact's digest).

mod dsse;
mod keys;
mod statement;

pub use dsse::{Envelope, EnvelopeSignature, pae};
pub use keys::{ED25519_ALGORITHM, Keyring, PublicKey, SigningKey};
pub use statement::{
    DigestSource, GateResult, HistoryLink, ModelIdentity, PREDICATE_TYPE, STATEMENT_TYPE,
    Statement, Subject, SubjectDigest,
};

use crate::record::{DeploymentRecord, Outcome};
use driftguard_core::ArtifactDigest;

/// The DSSE `payloadType` of an in-toto statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// Why an attestation cannot be made, read, or trusted for a rollout.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttestationError {
    /// A key is malformed.
    #[error("bad key: {0}")]
    Key(String),
    /// The envelope or its statement is malformed.
    #[error("bad attestation: {0}")]
    Envelope(String),
    /// A signature is missing, by an unknown key, or does not verify.
    #[error("signature check failed: {0}")]
    Signature(String),
    /// Validly signed, but not a go-ahead for this artefact.
    #[error("refused: {0}")]
    Refused(String),
}

/// The signed statement of the decision `record` holds about `model`; `None` for a row that
/// is no deploy decision. Ed25519 is deterministic, so the same row always gives the same
/// envelope.
pub fn attest(
    record: &DeploymentRecord,
    model: ModelIdentity,
    key: &SigningKey,
) -> Option<Envelope> {
    let statement = Statement::of_decision(record, model)?;
    let body = serde_json::to_vec(&statement).expect("a statement always encodes");
    Some(Envelope::sign(PAYLOAD_TYPE, &body, key))
}

/// The statement of `envelope` once it is trusted for a rollout: signed by one of `keys`, an
/// in-toto statement of DriftGuard's gate result, a `deployed` or `overridden` decision and,
/// when `digest` is given, about that artefact.
pub fn verify_for_rollout(
    envelope: &Envelope,
    keys: &[PublicKey],
    digest: Option<&ArtifactDigest>,
) -> Result<Statement, AttestationError> {
    let body = envelope.verify(keys)?;
    if envelope.payload_type != PAYLOAD_TYPE {
        return Err(AttestationError::Envelope(format!(
            "payloadType is `{}`, not `{PAYLOAD_TYPE}`",
            envelope.payload_type
        )));
    }
    let statement: Statement = serde_json::from_slice(&body).map_err(|e| {
        AttestationError::Envelope(format!("the payload is not a gate-result statement: {e}"))
    })?;
    if statement.statement_type != STATEMENT_TYPE || statement.predicate_type != PREDICATE_TYPE {
        return Err(AttestationError::Envelope(format!(
            "expected a {STATEMENT_TYPE} of {PREDICATE_TYPE}"
        )));
    }
    let decision = statement.predicate.decision;
    if !matches!(decision, Outcome::Deployed | Outcome::Overridden) {
        return Err(AttestationError::Refused(format!(
            "the decision is `{}`, not deployed or overridden",
            decision.as_str()
        )));
    }
    if let Some(digest) = digest
        && !statement.names(digest)
    {
        return Err(AttestationError::Refused(format!(
            "the attestation is not about {digest}"
        )));
    }
    Ok(statement)
}

#[cfg(test)]
mod tests;
