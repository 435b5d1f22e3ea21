//! DriftGuard's deployment audit trail: the rows of the append-only deployment history, their
//! canonical JSON and hash chain, verification of the chain (whole or in chunks), and the
//! [`DeploymentLog`] port the stores implement.

mod chain;
mod log;
mod record;
#[cfg(test)]
mod test_support;
mod verify;

pub use chain::{GENESIS_HASH, canonical_json, row_hash};
pub use log::{DeploymentFilter, DeploymentLog, verify_log};
pub use record::{DeploymentRecord, NewDeployment, Outcome};
pub use verify::{ChainVerifier, VerifyReport, verify};
