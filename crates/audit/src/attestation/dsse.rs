//! DSSE v1 (Dead Simple Signing Envelope): the pre-authentication encoding that is signed,
//! and the JSON envelope `{payload, payloadType, signatures: [{keyid, sig}]}`.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use serde::{Deserialize, Serialize};

use super::AttestationError;
use super::keys::{PublicKey, SigningKey};

/// `PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths as ASCII
/// decimal byte counts: what a signature covers, so that neither the type nor the body can
/// be swapped or cut.
pub fn pae(payload_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// One signature of an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// The id of the key that signed.
    pub keyid: String,
    /// The Ed25519 signature of the PAE, base64.
    pub sig: String,
}

/// A DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The signed body, base64.
    pub payload: String,
    /// What the body is (`application/vnd.in-toto+json`).
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    /// The signatures (DriftGuard writes one).
    pub signatures: Vec<EnvelopeSignature>,
}

/// DSSE readers accept the standard and the URL-safe base64 alphabets.
fn decode(text: &str) -> Option<Vec<u8>> {
    STANDARD
        .decode(text)
        .or_else(|_| URL_SAFE.decode(text))
        .ok()
}

impl Envelope {
    /// `body` of type `payload_type`, signed by `key`.
    pub fn sign(payload_type: &str, body: &[u8], key: &SigningKey) -> Self {
        let sig = key.sign(&pae(payload_type, body));
        Self {
            payload: STANDARD.encode(body),
            payload_type: payload_type.to_owned(),
            signatures: vec![EnvelopeSignature {
                keyid: key.public().keyid.clone(),
                sig: STANDARD.encode(sig),
            }],
        }
    }

    /// The body, once every signature is checked: each must name one of `keys` by its id
    /// and be that key's signature, and there must be at least one. A signature by an
    /// unknown key fails the envelope rather than being passed over, so that no byte of the
    /// envelope can change unnoticed.
    pub fn verify(&self, keys: &[PublicKey]) -> Result<Vec<u8>, AttestationError> {
        let body = decode(&self.payload)
            .ok_or_else(|| AttestationError::Envelope("the payload is not base64".to_owned()))?;
        if self.signatures.is_empty() {
            return Err(AttestationError::Signature(
                "the envelope has no signature".to_owned(),
            ));
        }
        let signed = pae(&self.payload_type, &body);
        for signature in &self.signatures {
            let key = keys
                .iter()
                .find(|k| k.keyid == signature.keyid)
                .ok_or_else(|| {
                    AttestationError::Signature(format!(
                        "signed by key {}, which is not among the keys given",
                        signature.keyid
                    ))
                })?;
            let valid = decode(&signature.sig).is_some_and(|sig| key.verifies(&signed, &sig));
            if !valid {
                return Err(AttestationError::Signature(format!(
                    "the signature by key {} does not verify",
                    signature.keyid
                )));
            }
        }
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_is_the_dsse_specs_encoding() {
        // The DSSE v1 protocol's example.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ");
        // Lengths count bytes, not characters.
        assert_eq!(pae("t", "é".as_bytes()), "DSSEv1 1 t 2 é".as_bytes());
    }

    #[test]
    fn an_envelope_verifies_with_its_key_only_and_not_once_changed() {
        let key = SigningKey::from_seed(&[3; 32]).expect("a seed");
        let other = SigningKey::from_seed(&[4; 32]).expect("a seed");
        let envelope = Envelope::sign("text/plain", b"hello", &key);
        let keys = [key.public().clone()];
        assert_eq!(envelope.verify(&keys).expect("verifies"), b"hello");
        assert!(envelope.verify(&[other.public().clone()]).is_err());
        let mut retyped = envelope.clone();
        retyped.payload_type = "text/html".to_owned();
        assert!(retyped.verify(&keys).is_err());
        let mut unsigned = envelope.clone();
        unsigned.signatures.clear();
        assert!(unsigned.verify(&keys).is_err());
        let mut swapped = envelope.clone();
        swapped.payload = STANDARD.encode(b"hellO");
        assert!(swapped.verify(&keys).is_err());
        let mut url_safe = envelope.clone();
        url_safe.signatures[0].sig = URL_SAFE.encode(
            STANDARD
                .decode(&envelope.signatures[0].sig)
                .expect("base64"),
        );
        assert!(url_safe.verify(&keys).is_ok());
    }
}
