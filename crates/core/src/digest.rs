//! The artefact digest a model version or a deploy names (`sha256:` and 64 hex digits): the
//! subject of a deploy decision's signed attestation. Shared by the registry (the model's)
//! and the audit trail (the deploy's).

use std::fmt::Write;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};
use utoipa::openapi::schema::Object;

use crate::schema::{or_null, text};

/// The only algorithm accepted, as written before the colon.
const PREFIX: &str = "sha256:";

/// The characters of a digest: `sha256:` and 64 hex digits.
const LENGTH: usize = PREFIX.len() + 64;

/// What a request may send (JSON Schema patterns are searched, hence the anchors).
pub const PATTERN: &str = "^sha256:[0-9a-fA-F]{64}$";

/// A SHA-256 digest written `sha256:<64 lower-case hex digits>`; upper-case hex is read and
/// lower-cased, so that one artefact has one spelling.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArtifactDigest(String);

impl ArtifactDigest {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        let mut digest = String::with_capacity(LENGTH);
        digest.push_str(PREFIX);
        for byte in Sha256::digest(bytes).iter() {
            // Writing to a String cannot fail.
            let _ = write!(digest, "{byte:02x}");
        }
        Self(digest)
    }

    /// The 64 hex digits after `sha256:`.
    pub fn hex(&self) -> &str {
        &self.0[PREFIX.len()..]
    }

    /// `sha256:<hex>`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The OpenAPI schema of an optional digest field: [`PATTERN`], or `null`.
pub fn schema_or_null() -> Object {
    or_null(text(LENGTH, LENGTH, Some(PATTERN)))
}

impl std::str::FromStr for ArtifactDigest {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let hex = s
            .strip_prefix(PREFIX)
            .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| "must be `sha256:` followed by 64 hex digits".to_owned())?;
        Ok(Self(format!("{PREFIX}{}", hex.to_ascii_lowercase())))
    }
}

impl std::fmt::Display for ArtifactDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for ArtifactDigest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ArtifactDigest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_sha256_and_64_hex_digits_lower_cased() {
        let hex = "ab".repeat(32);
        let digest: ArtifactDigest = format!("sha256:{}", hex.to_uppercase())
            .parse()
            .expect("valid");
        assert_eq!(digest.as_str(), format!("sha256:{hex}"));
        assert_eq!(digest.hex(), hex);
        for bad in [
            hex.clone(),
            format!("sha512:{hex}"),
            format!("sha256:{}", &hex[1..]),
            format!("sha256:{hex}0"),
            format!("sha256:{}g", &hex[1..]),
            String::new(),
        ] {
            assert!(bad.parse::<ArtifactDigest>().is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<ArtifactDigest>(r#""sha256:00""#).is_err());
    }

    #[test]
    fn the_digest_of_bytes_is_their_sha256() {
        assert_eq!(
            ArtifactDigest::of(b"abc").as_str(),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
