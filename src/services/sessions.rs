//! Sessions: password login, rotating refresh tokens with reuse detection, logout.
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, sea_query::Expr,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::{JwtKeys, password, secret_token},
    db,
    domain::Email,
    entities::refresh_token,
    error::{ApiError, AuthFailure},
    services::{
        accounts,
        audit::{self, AuditEntry},
    },
};

/// What a successful login or refresh returns.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    /// JWT to send as `Authorization: Bearer …`.
    #[schema(example = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl")]
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Lifetime of the access token, in seconds.
    #[schema(example = 900)]
    pub expires_in: u64,
    /// Single-use token for `POST /api/v1/auth/refresh`.
    #[schema(example = "q3Hc0Yw5m2k8n1V6tZpLrX9sD4fG7hJ0aB2cE5uWiOk")]
    pub refresh_token: String,
}

/// Lifetimes and keys a session needs.
pub struct SessionConfig<'a> {
    pub jwt: &'a JwtKeys,
    pub refresh_ttl: std::time::Duration,
}

const INVALID_CREDENTIALS: ApiError = ApiError::Unauthorized(AuthFailure::InvalidCredentials);
const INVALID_REFRESH: ApiError = ApiError::Unauthorized(AuthFailure::InvalidRefreshToken);

/// Unknown email, wrong password and disabled account all give the same answer, in the same time.
pub async fn login(
    db: &DatabaseConnection,
    config: SessionConfig<'_>,
    email: &str,
    candidate: String,
) -> Result<TokenPair, ApiError> {
    let user = match Email::parse(email) {
        Ok(email) => accounts::find_by_email(db, &email).await?,
        Err(_) => None,
    };
    let verified = password::verify(
        user.as_ref().map(|user| user.password_hash.clone()),
        candidate,
    )
    .await?;
    let user = user
        .filter(|user| verified && !user.disabled)
        .ok_or(INVALID_CREDENTIALS)?;
    let principal = accounts::active_principal(db, user.id)
        .await?
        .ok_or(INVALID_CREDENTIALS)?;
    let refresh_token = secret_token::generate();
    insert_refresh_token(db, &config, user.id, Uuid::now_v7(), &refresh_token).await?;
    tracing::info!(user_id = %user.id, "logged in");
    issue(&config, principal.id, &principal.roles, refresh_token)
}

fn issue(
    config: &SessionConfig<'_>,
    user_id: Uuid,
    roles: &[crate::domain::Role],
    refresh_token: String,
) -> Result<TokenPair, ApiError> {
    Ok(TokenPair {
        access_token: config.jwt.issue(user_id, roles)?,
        token_type: "Bearer",
        expires_in: config.jwt.access_ttl.as_secs(),
        refresh_token,
    })
}

async fn insert_refresh_token(
    db: &impl ConnectionTrait,
    config: &SessionConfig<'_>,
    user_id: Uuid,
    family_id: Uuid,
    token: &str,
) -> Result<(), DbErr> {
    let now = db::now();
    refresh_token::Entity::insert(refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        family_id: Set(family_id),
        token_hash: Set(secret_token::digest(token)),
        created_at: Set(now),
        expires_at: Set(now + config.refresh_ttl),
        used_at: Set(None),
        revoked_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Exchanges a refresh token for a new pair. A token presented twice means it was stolen
/// (or raced): its whole family is revoked and both holders must log in again.
pub async fn refresh(
    db: &DatabaseConnection,
    config: SessionConfig<'_>,
    presented: &str,
) -> Result<TokenPair, ApiError> {
    let txn = db::begin_write(db).await?;
    let stored = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(secret_token::digest(presented)))
        .one(&txn)
        .await?
        .ok_or(INVALID_REFRESH)?;
    // Serialised with the end of every session (password reset, disabling): a refresh racing
    // it sees its token revoked.
    db::lock_on(&txn, stored.user_id).await?;
    let now = db::now();
    // Claim the token atomically: of two concurrent uses, exactly one succeeds.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(stored.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !claimed {
        if revoke_family(&txn, stored.family_id).await? > 0 {
            audit::record(
                &txn,
                AuditEntry::by(
                    stored.user_id,
                    "session.reuse_detected",
                    "user",
                    stored.user_id,
                    json!({ "family_id": stored.family_id }),
                ),
            )
            .await?;
        }
        txn.commit().await?;
        tracing::warn!(user_id = %stored.user_id, "refresh token reused: session family revoked");
        return Err(INVALID_REFRESH);
    }
    if stored.expires_at <= now {
        return Err(INVALID_REFRESH);
    }
    let principal = accounts::active_principal(&txn, stored.user_id)
        .await?
        .ok_or(INVALID_REFRESH)?;
    let refresh_token = secret_token::generate();
    insert_refresh_token(
        &txn,
        &config,
        stored.user_id,
        stored.family_id,
        &refresh_token,
    )
    .await?;
    txn.commit().await?;
    issue(&config, principal.id, &principal.roles, refresh_token)
}

async fn revoke_family(db: &impl ConnectionTrait, family_id: Uuid) -> Result<u64, DbErr> {
    Ok(refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(db::now()))
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

/// Ends the session the token belongs to. Unknown tokens are ignored: logout always succeeds.
pub async fn logout(db: &DatabaseConnection, presented: &str) -> Result<(), ApiError> {
    let stored = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(secret_token::digest(presented)))
        .one(db)
        .await?;
    if let Some(stored) = stored {
        revoke_family(db, stored.family_id).await?;
    }
    Ok(())
}
