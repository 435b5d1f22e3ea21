//! DriftGuard's deployment audit trail: the rows of the append-only deployment history, their
//! canonical JSON and hash chain, the checkpoints of its head signed with a key kept outside
//! the database, verification of both (whole or in chunks), the [`DeploymentLog`] port
//! the stores implement, and the signed attestations of deploy decisions ([`attestation`]).

pub mod attestation;
mod chain;
mod checkpoint;
mod key;
mod log;
mod record;
#[cfg(test)]
mod test_support;
mod verify;

pub use chain::{GENESIS_HASH, canonical_json, row_hash};
pub use checkpoint::Checkpoint;
pub use driftguard_core::ArtifactDigest;
pub use key::ChainKey;
pub use log::{DeploymentFilter, DeploymentLog, verify_log};
pub use record::{DeploymentRecord, NewDeployment, Outcome};
pub use verify::{ChainVerifier, Failure, VerifyReport, verify};
