//! The key that signs published results documents (Ed25519: JWS `EdDSA`), so that a website
//! can check a document without trusting the way it came; its public half is served as a JSON
//! Web Key Set at `/.well-known/jwks.json`. The key is derived from the voter key (a purpose of
//! its own), so it needs no setting and stays the same across restarts and instances.
use jsonwebtoken::{
    Algorithm, EncodingKey, Header,
    jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash},
};
use serde::Serialize;

/// The DER prefix of an Ed25519 private key in PKCS#8 (RFC 8410), before its 32-byte seed:
/// the form `jsonwebtoken` reads.
const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// What a results document says it is, in its JWS header (`typ`).
pub const RESULTS_TYPE: &str = "prix-ceser-results+jwt";

pub struct ResultsSigner {
    key: EncodingKey,
    key_id: String,
    jwks: JwkSet,
}

impl ResultsSigner {
    /// The signer of the 32-byte `seed`.
    pub fn new(seed: &[u8]) -> anyhow::Result<Self> {
        let seed: &[u8; 32] = seed
            .get(..32)
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| anyhow::anyhow!("an Ed25519 seed is 32 bytes"))?;
        let mut der = ED25519_PKCS8_PREFIX.to_vec();
        der.extend_from_slice(seed);
        let key = EncodingKey::from_ed_der(&der);
        let mut jwk = Jwk::from_encoding_key(&key, Algorithm::EdDSA)?;
        // The key's id is its RFC 7638 thumbprint: a new key, a new id.
        let key_id = jwk.thumbprint(ThumbprintHash::SHA256)?;
        jwk.common.key_id = Some(key_id.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        Ok(Self {
            key,
            key_id,
            jwks: JwkSet { keys: vec![jwk] },
        })
    }

    /// `claims` as a compact JWS signed with the key, its id in the header.
    pub fn sign(&self, claims: &impl Serialize) -> anyhow::Result<String> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.key_id.clone());
        header.typ = Some(RESULTS_TYPE.to_owned());
        Ok(jsonwebtoken::encode(&header, claims, &self.key)?)
    }

    /// The public keys that verify what [`ResultsSigner::sign`] signs.
    pub fn jwks(&self) -> &JwkSet {
        &self.jwks
    }
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{DecodingKey, Validation};

    use super::*;

    #[test]
    fn a_signed_document_verifies_with_the_published_key_only() {
        let signer = ResultsSigner::new(&[7; 32]).unwrap();
        let token = signer
            .sign(&serde_json::json!({"iss": "prix-ceser", "laureate": "Résonansemble"}))
            .unwrap();
        let jwk = &signer.jwks().keys[0];
        assert_eq!(
            jwk.common.key_id,
            jsonwebtoken::decode_header(&token).unwrap().kid
        );
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.required_spec_claims.clear();
        let key = DecodingKey::from_jwk(jwk).unwrap();
        let claims: serde_json::Value = jsonwebtoken::decode(&token, &key, &validation)
            .unwrap()
            .claims;
        assert_eq!(claims["laureate"], "Résonansemble");
        // Another seed: another key, another id, and the signature does not verify with it.
        let other = ResultsSigner::new(&[8; 32]).unwrap();
        assert_ne!(other.jwks().keys[0].common.key_id, jwk.common.key_id);
        let other_key = DecodingKey::from_jwk(&other.jwks().keys[0]).unwrap();
        assert!(
            jsonwebtoken::decode::<serde_json::Value>(&token, &other_key, &validation).is_err()
        );
        assert!(ResultsSigner::new(&[1; 16]).is_err());
    }
}
