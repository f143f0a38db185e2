//! Public voters: an emailed code proves the address, then a short-lived voter token votes
//! once for one prize. The service keeps a keyed hash of the address, not the address.
use crate::domain::refusal::ProblemCode;
use chrono::Utc;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait},
};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::JwtKeys,
    db,
    domain::Lang,
    domain::{
        ballot,
        voter::{self, CODE_TTL_SECONDS, MAX_ATTEMPTS},
    },
    entities::voter_verification,
    error::ApiError,
    services::{
        ballots,
        mail::{self, Letter, Template},
    },
};

#[derive(Debug, Serialize, ToSchema)]
pub struct VoterToken {
    /// Send as `Authorization: Bearer …` to `POST /api/v1/prizes/{id}/votes`.
    pub voter_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    #[schema(example = 1800)]
    pub expires_in: u64,
}

fn code_hash(identity: &str, code: &str) -> String {
    hex::encode(Sha256::digest(format!("{identity}:{code}").as_bytes()))
}

/// The voter's identity for this address (for the per-address rate limit too).
pub fn identity_of(key: &[u8], email: &str) -> Result<String, ApiError> {
    Ok(voter::identity(key, &normalized(email)?))
}

fn normalized(email: &str) -> Result<String, ApiError> {
    voter::normalize(email).map_err(|error| ApiError::Validation(vec![error.on("email")]))
}

/// The address's domain when codes sent to it are limited per domain (not a webmail domain
/// in `open_domains`): a catch-all domain could otherwise mint any number of voters.
pub fn limited_domain(email: &str, open_domains: &[String]) -> Result<Option<String>, ApiError> {
    let normalized = normalized(email)?;
    let domain = voter::domain(&normalized);
    Ok((!open_domains.iter().any(|open| open == domain)).then(|| domain.to_owned()))
}

/// Emails a code for a public prize whose ballot is open. Answers the same whether or not the
/// address has voted already.
pub async fn request(
    db: &DatabaseConnection,
    identity_key: &[u8],
    prize_id: Uuid,
    email: &str,
    lang: Lang,
) -> Result<(), ApiError> {
    let identity = identity_of(identity_key, email)?;
    ballot::check_voting(ballots::public_ballot_state(db, prize_id).await?)?;
    let code = voter::new_code();
    let txn = db::begin_write(db).await?;
    voter_verification::Entity::insert(voter_verification::ActiveModel {
        id: Set(Uuid::now_v7()),
        prize_id: Set(prize_id),
        identity: Set(identity.clone()),
        code_hash: Set(code_hash(&identity, &code)),
        attempts: Set(0),
        expires_at: Set(db::now() + chrono::Duration::seconds(CODE_TTL_SECONDS)),
        confirmed_at: Set(None),
        created_at: Set(db::now()),
    })
    .exec_without_returning(&txn)
    .await?;
    let letter = Letter::new(
        Template::VoterCode,
        lang,
        json!({ "code": code, "minutes": CODE_TTL_SECONDS / 60 }),
    );
    mail::send(&txn, email.trim(), letter).await?;
    txn.commit().await?;
    Ok(())
}

/// Exchanges a right code for a voter token. Each wrong code counts against the attempts.
pub async fn confirm(
    db: &DatabaseConnection,
    identity_key: &[u8],
    jwt: &JwtKeys,
    prize_id: Uuid,
    email: &str,
    code: &str,
) -> Result<VoterToken, ApiError> {
    let identity = identity_of(identity_key, email)?;
    let invalid = || ApiError::invalid("code", "invalid_code", text!("field-the-code-is-wrong-or"));
    let txn = db::begin_write(db).await?;
    let pending = voter_verification::Entity::find()
        .filter(voter_verification::Column::PrizeId.eq(prize_id))
        .filter(voter_verification::Column::Identity.eq(identity.as_str()))
        .filter(voter_verification::Column::ConfirmedAt.is_null())
        .order_by_desc(voter_verification::Column::Id)
        .one(&txn)
        .await?
        .filter(|verification| verification.expires_at > Utc::now())
        .ok_or_else(invalid)?;
    // Each try takes one of the attempts first, in one statement: racing tries cannot
    // evaluate more codes than allowed.
    let attempt = voter_verification::Entity::update_many()
        .col_expr(
            voter_verification::Column::Attempts,
            Expr::col(voter_verification::Column::Attempts).add(1),
        )
        .filter(voter_verification::Column::Id.eq(pending.id))
        .filter(voter_verification::Column::Attempts.lt(MAX_ATTEMPTS))
        .filter(voter_verification::Column::ConfirmedAt.is_null())
        .exec(&txn)
        .await?;
    if attempt.rows_affected == 0 {
        return Err(ApiError::conflict(
            ProblemCode::TooManyAttempts,
            text!("too-many-attempts"),
        ));
    }
    if code_hash(&identity, code.trim()) != pending.code_hash {
        txn.commit().await?;
        return Err(invalid());
    }
    voter_verification::Entity::update_many()
        .col_expr(
            voter_verification::Column::ConfirmedAt,
            Expr::value(db::now()),
        )
        .filter(voter_verification::Column::Id.eq(pending.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    let voter_id = Uuid::from_slice(&hex::decode(&identity).map_err(anyhow::Error::from)?[..16])
        .map_err(anyhow::Error::from)?;
    Ok(VoterToken {
        voter_token: jwt.issue_voter(voter_id, prize_id)?,
        token_type: "Bearer",
        expires_in: crate::auth::jwt::VOTER_TOKEN_TTL_SECONDS,
    })
}
