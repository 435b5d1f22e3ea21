//! The Ed25519 keys of the attestations: the one signing key of a server and the public keys
//! that verify, each named by a key id (the first 8 bytes of the SHA-256 of the public key, in
//! hex). Rotation keeps the public keys of retired signing keys, so that what they signed
//! still verifies.

use aws_lc_rs::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::AttestationError;

/// The only algorithm, as the key lists name it.
pub const ED25519_ALGORITHM: &str = "ed25519";

/// Bytes of an Ed25519 seed (the private key) and of a public key.
const KEY_BYTES: usize = 32;

/// A public key as `GET /.well-known/driftguard/attestation-keys` lists it and as
/// `driftguard attest verify --key` reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKey {
    /// `hex(sha256(public key)[..8])`, what a signature's `keyid` names.
    pub keyid: String,
    /// Always `ed25519`.
    pub algorithm: String,
    /// The 32 bytes of the key, base64 (standard alphabet, padded).
    pub public_key: String,
}

impl PublicKey {
    /// The entry of an Ed25519 public key of 32 bytes.
    fn ed25519(bytes: &[u8]) -> Self {
        Self {
            keyid: hex::encode(&Sha256::digest(bytes)[..8]),
            algorithm: ED25519_ALGORITHM.to_owned(),
            public_key: STANDARD.encode(bytes),
        }
    }

    /// The entry of a public key given as base64 (a retired key kept in the settings).
    pub fn from_base64(text: &str) -> Result<Self, AttestationError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| AttestationError::Key("a public key must be base64".to_owned()))?;
        if bytes.len() != KEY_BYTES {
            return Err(AttestationError::Key(format!(
                "an Ed25519 public key has {KEY_BYTES} bytes, not {}",
                bytes.len()
            )));
        }
        Ok(Self::ed25519(&bytes))
    }

    /// The checked form of an entry read from a file: Ed25519, 32 bytes, and a key id that
    /// is the key's own (so that a list cannot lend one key's id to another key).
    pub fn checked(&self) -> Result<Self, AttestationError> {
        if self.algorithm != ED25519_ALGORITHM {
            return Err(AttestationError::Key(format!(
                "algorithm `{}` is not supported (only {ED25519_ALGORITHM})",
                self.algorithm
            )));
        }
        let key = Self::from_base64(&self.public_key)?;
        if key.keyid != self.keyid {
            return Err(AttestationError::Key(format!(
                "key id {} does not match its public key (whose id is {})",
                self.keyid, key.keyid
            )));
        }
        Ok(key)
    }

    /// Whether `signature` is this key's Ed25519 signature of `message`.
    pub(crate) fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(bytes) = STANDARD.decode(&self.public_key) else {
            return false;
        };
        UnparsedPublicKey::new(&ED25519, bytes)
            .verify(message, signature)
            .is_ok()
    }
}

/// The key a server signs attestations with. `Debug` shows its id, never the key.
pub struct SigningKey {
    pair: Ed25519KeyPair,
    public: PublicKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("keyid", &self.public.keyid)
            .finish()
    }
}

impl SigningKey {
    /// The key of a 32-byte Ed25519 seed (RFC 8032's private key).
    pub fn from_seed(seed: &[u8]) -> Result<Self, AttestationError> {
        if seed.len() != KEY_BYTES {
            return Err(AttestationError::Key(format!(
                "an Ed25519 signing key is a seed of {KEY_BYTES} bytes, not {}",
                seed.len()
            )));
        }
        let pair = Ed25519KeyPair::from_seed_unchecked(seed)
            .map_err(|e| AttestationError::Key(format!("unusable Ed25519 seed: {e}")))?;
        let public = PublicKey::ed25519(pair.public_key().as_ref());
        Ok(Self { pair, public })
    }

    /// The key of a seed written as 64 hex digits (how the settings hold it).
    pub fn from_hex(text: &str) -> Result<Self, AttestationError> {
        let seed = hex::decode(text.trim()).map_err(|_| {
            AttestationError::Key("the signing key must be 64 hex digits".to_owned())
        })?;
        Self::from_seed(&seed)
    }

    /// Its public key.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// The Ed25519 signature of `message` (deterministic: the same message, the same bytes).
    pub(crate) fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.pair.sign(message).as_ref().to_vec()
    }
}

/// The signing key and the public keys of the keys it replaced.
#[derive(Debug)]
pub struct Keyring {
    signing: SigningKey,
    retired: Vec<PublicKey>,
}

impl Keyring {
    /// A ring that signs with `signing` and still lists `retired` (the active key is dropped
    /// from them, and repeats are kept once).
    pub fn new(signing: SigningKey, retired: Vec<PublicKey>) -> Self {
        let mut kept: Vec<PublicKey> = Vec::new();
        for key in retired {
            if key.keyid != signing.public.keyid && !kept.contains(&key) {
                kept.push(key);
            }
        }
        Self {
            signing,
            retired: kept,
        }
    }

    /// The key that signs.
    pub fn signing(&self) -> &SigningKey {
        &self.signing
    }

    /// Every public key, the signing key's first.
    pub fn public_keys(&self) -> Vec<PublicKey> {
        std::iter::once(self.signing.public.clone())
            .chain(self.retired.iter().cloned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8032, section 7.1, test 1.
    const SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    const PUBLIC: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    const SIGNATURE: &str = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

    #[test]
    fn signatures_are_rfc_8032_ed25519() {
        let key = SigningKey::from_hex(SEED).expect("a seed");
        let public = hex::decode(PUBLIC).expect("hex");
        assert_eq!(key.public().public_key, STANDARD.encode(&public));
        assert_eq!(hex::encode(key.sign(b"")), SIGNATURE);
        let signature = hex::decode(SIGNATURE).expect("hex");
        assert!(key.public().verifies(b"", &signature));
        assert!(!key.public().verifies(b"x", &signature));
        let other = SigningKey::from_seed(&[7; 32]).expect("a seed");
        assert!(!other.public().verifies(b"", &signature));
    }

    #[test]
    fn key_ids_are_the_start_of_the_public_keys_sha256_and_checked() {
        let key = SigningKey::from_hex(SEED).expect("a seed");
        let public = hex::decode(PUBLIC).expect("hex");
        assert_eq!(
            key.public().keyid,
            hex::encode(&Sha256::digest(&public)[..8])
        );
        assert_eq!(
            PublicKey::from_base64(&key.public().public_key).expect("base64"),
            *key.public()
        );
        assert_eq!(key.public().checked().expect("checks"), *key.public());
        let mut lent = key.public().clone();
        lent.keyid = "0011223344556677".to_owned();
        assert!(lent.checked().is_err());
        let mut rsa = key.public().clone();
        rsa.algorithm = "rsa".to_owned();
        assert!(rsa.checked().is_err());
        assert!(PublicKey::from_base64("AAAA").is_err());
        assert!(SigningKey::from_hex("00ff").is_err());
        assert!(SigningKey::from_hex("not hex").is_err());
        assert!(!format!("{key:?}").contains(SEED));
    }

    #[test]
    fn a_ring_lists_the_signing_key_first_and_each_retired_key_once() {
        let old = SigningKey::from_seed(&[1; 32]).expect("a seed");
        let new = SigningKey::from_seed(&[2; 32]).expect("a seed");
        let new_public = new.public().clone();
        let ring = Keyring::new(
            new,
            vec![
                old.public().clone(),
                new_public.clone(),
                old.public().clone(),
            ],
        );
        assert_eq!(ring.public_keys(), vec![new_public, old.public().clone()]);
    }
}
