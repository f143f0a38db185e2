//! Access tokens: HS256 JWTs with every registered claim checked.
use std::time::Duration;

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{domain::Role, error::AuthFailure};

pub const ISSUER: &str = "prix-ceser";
pub const AUDIENCE: &str = "prix-ceser-api";
/// Public voter tokens are for voting only: another audience, so they open nothing else.
pub const VOTER_AUDIENCE: &str = "prix-ceser-voter";
pub const VOTER_TOKEN_TTL_SECONDS: u64 = 1800;
/// The only algorithm accepted; the header's `alg` is never trusted.
pub const ALGORITHM: Algorithm = Algorithm::HS256;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub roles: Vec<Role>,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    pub jti: Uuid,
}

impl Claims {
    /// When the token was issued, to the millisecond when its `jti` is time-ordered (tokens
    /// issued by this version), else to the second.
    pub fn issued_at(&self) -> chrono::DateTime<Utc> {
        self.jti
            .get_timestamp()
            .and_then(|timestamp| {
                let (seconds, nanos) = timestamp.to_unix();
                chrono::DateTime::from_timestamp(seconds as i64, nanos)
            })
            .or_else(|| chrono::DateTime::from_timestamp(self.iat, 0))
            .unwrap_or_default()
    }
}

/// A public voter's token: one prize, no account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoterClaims {
    /// Derived from the voter's keyed identity.
    pub sub: Uuid,
    pub roles: Vec<Role>,
    /// The only prize this token votes for.
    pub prize: Uuid,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    pub jti: Uuid,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    voter_validation: Validation,
    pub access_ttl: Duration,
}

impl JwtKeys {
    pub fn new(secret: &[u8], access_ttl: Duration) -> Self {
        let mut validation = Validation::new(ALGORITHM);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 30;
        let mut voter_validation = validation.clone();
        voter_validation.set_audience(&[VOTER_AUDIENCE]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            voter_validation,
            access_ttl,
        }
    }

    pub fn issue(&self, user_id: Uuid, roles: &[Role]) -> anyhow::Result<String> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user_id,
            roles: roles.to_vec(),
            iat: now,
            exp: now + self.access_ttl.as_secs() as i64,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            // Time-ordered: it tells to the millisecond when the token was issued.
            jti: Uuid::now_v7(),
        };
        Ok(encode(&Header::new(ALGORITHM), &claims, &self.encoding)?)
    }

    pub fn issue_voter(&self, voter: Uuid, prize: Uuid) -> anyhow::Result<String> {
        let now = Utc::now().timestamp();
        let claims = VoterClaims {
            sub: voter,
            roles: vec![Role::Public],
            prize,
            iat: now,
            exp: now + VOTER_TOKEN_TTL_SECONDS as i64,
            iss: ISSUER.to_owned(),
            aud: VOTER_AUDIENCE.to_owned(),
            jti: Uuid::new_v4(),
        };
        Ok(encode(&Header::new(ALGORITHM), &claims, &self.encoding)?)
    }

    pub fn verify_voter(&self, token: &str) -> Result<VoterClaims, AuthFailure> {
        decode::<VoterClaims>(token, &self.decoding, &self.voter_validation)
            .map(|data| data.claims)
            .map_err(|_| AuthFailure::InvalidToken)
    }

    /// Checks signature, algorithm, issuer, audience and expiry; any failure is the same 401.
    pub fn verify(&self, token: &str) -> Result<Claims, AuthFailure> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|_| AuthFailure::InvalidToken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn issued_tokens_verify_with_their_claims() {
        let keys = JwtKeys::new(SECRET, Duration::from_secs(900));
        let id = Uuid::new_v4();
        let claims = keys
            .verify(&keys.issue(id, &[Role::Jury]).unwrap())
            .unwrap();
        assert_eq!(
            (claims.sub, claims.roles, claims.exp - claims.iat),
            (id, vec![Role::Jury], 900)
        );
    }

    #[test]
    fn another_secret_is_rejected() {
        let keys = JwtKeys::new(SECRET, Duration::from_secs(900));
        let other = JwtKeys::new(
            b"another secret another secret 00",
            Duration::from_secs(900),
        );
        let token = other.issue(Uuid::new_v4(), &[]).unwrap();
        assert_eq!(keys.verify(&token), Err(AuthFailure::InvalidToken));
    }
}
