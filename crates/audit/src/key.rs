//! The key that signs checkpoints of the chain's head (HMAC-SHA256). It lives outside the
//! database (a setting or a file), so that whoever can rewrite the tables still cannot sign
//! what they wrote.
//!
//! HMAC rather than Ed25519: the server both signs and verifies, so a public key would buy
//! nothing, and HMAC-SHA256 needs no new primitive (SHA-256 already hashes the chain).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// What the key id is the MAC of: a fixed label, so that the id names the key without
/// revealing anything that helps forge a signature.
const KEY_ID_LABEL: &[u8] = b"driftguard audit key id";

/// The checkpoint-signing key. `Debug` shows its id, never the key.
#[derive(Clone)]
pub struct ChainKey {
    mac: HmacSha256,
    id: String,
}

impl std::fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainKey").field("id", &self.id).finish()
    }
}

impl ChainKey {
    /// A key from secret bytes (any length; the settings ask for at least 32).
    pub fn new(secret: &[u8]) -> Self {
        let mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
        let mut key = Self {
            mac,
            id: String::new(),
        };
        let tag = key.tag(KEY_ID_LABEL);
        key.id = hex::encode(&tag[..8]);
        key
    }

    /// A short public name of the key (16 hex digits), stored with each checkpoint so that a
    /// checkpoint signed with another key is told apart from a forged one.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `hex(HMAC-SHA256(key, message))`.
    pub(crate) fn sign(&self, message: &[u8]) -> String {
        hex::encode(self.tag(message))
    }

    /// Whether `signature` (hex) is this key's signature of `message`, compared in constant
    /// time.
    pub(crate) fn verifies(&self, message: &[u8], signature: &str) -> bool {
        let Ok(bytes) = hex::decode(signature) else {
            return false;
        };
        let mut mac = self.mac.clone();
        mac.update(message);
        mac.verify_slice(&bytes).is_ok()
    }

    fn tag(&self, message: &[u8]) -> Vec<u8> {
        let mut mac = self.mac.clone();
        mac.update(message);
        mac.finalize().into_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_rfc_4231_hmac_sha256_and_verify_only_with_the_key() {
        // RFC 4231, test case 2.
        let key = ChainKey::new(b"Jefe");
        let signature = key.sign(b"what do ya want for nothing?");
        assert_eq!(
            signature,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(key.verifies(b"what do ya want for nothing?", &signature));
        assert!(!key.verifies(b"what do ya want for nothing!", &signature));
        assert!(!ChainKey::new(b"Jeff").verifies(b"what do ya want for nothing?", &signature));
        assert!(!key.verifies(b"what do ya want for nothing?", "not hex"));
    }

    #[test]
    fn the_id_names_the_key_and_debug_hides_it() {
        let key = ChainKey::new(b"a key of thirty-two bytes or more");
        assert_eq!(key.id().len(), 16);
        assert_eq!(
            key.id(),
            ChainKey::new(b"a key of thirty-two bytes or more").id()
        );
        assert_ne!(key.id(), ChainKey::new(b"another key").id());
        let shown = format!("{key:?}");
        assert!(
            shown.contains(key.id()) && !shown.contains("thirty"),
            "{shown}"
        );
    }
}
