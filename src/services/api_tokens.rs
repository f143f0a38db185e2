//! API tokens: named, expiring bearer tokens an account creates for its scripts. Shown once,
//! stored as a SHA-256 hash; a token acts with its account's current rights, narrowed to reads
//! and to some organizations when created so.
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, Set, sea_query::Expr,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::{Principal, TokenLimits, secret_token},
    db,
    domain::{api_token as api_token_rules, validation::FieldError},
    entities::api_token,
    error::ApiError,
    services::{
        accounts,
        audit::{self, AuditEntry},
        staff::{self, StaffScope},
    },
};

/// What tells an API token from a session's JWT.
pub const PREFIX: &str = "pxc_";

/// A token as its owner sees it (never the token itself, but at its creation).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiToken {
    pub id: Uuid,
    #[schema(example = "Export nightly")]
    pub name: String,
    /// Reads only (`GET`, `HEAD`).
    pub read_only: bool,
    /// The organizations it may act on as staff; `null`: all its account manages.
    pub organizations: Option<Vec<Uuid>>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// The address it was last used from.
    pub last_used_from: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<api_token::Model> for ApiToken {
    fn from(model: api_token::Model) -> Self {
        Self {
            organizations: organizations(&model),
            id: model.id,
            name: model.name,
            read_only: model.read_only,
            created_at: model.created_at,
            expires_at: model.expires_at,
            last_used_at: model.last_used_at,
            last_used_from: model.last_used_from,
            revoked_at: model.revoked_at,
        }
    }
}

fn organizations(model: &api_token::Model) -> Option<Vec<Uuid>> {
    // Unreadable limits limit to nothing rather than to everything.
    model
        .organizations
        .as_deref()
        .map(|stored| serde_json::from_str(stored).unwrap_or_default())
}

/// What a new token may do.
pub struct NewToken {
    pub name: String,
    pub read_only: bool,
    pub organizations: Option<Vec<Uuid>>,
    pub days: i64,
}

/// A session's caller only: a token does not make tokens (nor outlive itself through one).
fn session_only(caller: &Principal) -> Result<(), ApiError> {
    if caller.token.is_some() || caller.prize_scope.is_some() {
        Err(ApiError::Forbidden)
    } else {
        Ok(())
    }
}

/// Creates a token; returns it with the secret, which is never shown again.
pub async fn create(
    db: &DatabaseConnection,
    caller: &Principal,
    new: NewToken,
) -> Result<(ApiToken, String), ApiError> {
    session_only(caller)?;
    if let Some(limited) = &new.organizations {
        let scope = staff::staff_scope(db, caller).await?;
        if let Some(index) = limited.iter().position(|id| !scope.covers(*id))
            && scope != StaffScope::All
        {
            return Err(ApiError::Validation(vec![FieldError::new(
                &format!("organizations[{index}]"),
                "invalid_value",
                text!("field-not-an-organization-you-manage"),
            )]));
        }
    }
    let secret = format!("{PREFIX}{}", secret_token::generate());
    let now = db::now();
    let model = api_token::Model {
        id: Uuid::now_v7(),
        user_id: caller.id,
        name: new.name,
        token_hash: secret_token::digest(&secret),
        read_only: new.read_only,
        organizations: new.organizations.map(|mut ids| {
            ids.sort();
            ids.dedup();
            json!(ids).to_string()
        }),
        created_at: now,
        expires_at: now + Duration::days(new.days),
        last_used_at: None,
        last_used_from: None,
        revoked_at: None,
    };
    let txn = db::begin_write(db).await?;
    // Two racing creations must not both pass the bound.
    db::lock_on(&txn, caller.id).await?;
    let live = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(caller.id))
        .filter(api_token::Column::RevokedAt.is_null())
        .filter(api_token::Column::ExpiresAt.gt(now))
        .count(&txn)
        .await?;
    api_token_rules::check_another(live)?;
    api_token::Entity::insert(model.clone().into_active_model())
        .exec_without_returning(&txn)
        .await?;
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "api_token.created",
            "api_token",
            model.id,
            json!({"name": model.name, "read_only": model.read_only,
                   "organizations": organizations(&model), "expires_at": model.expires_at}),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok((model.into(), secret))
}

/// The caller's live tokens, newest first (at most `MAX_LIVE`; revoked and expired ones are
/// in the audit trail).
pub async fn list(db: &DatabaseConnection, caller: &Principal) -> Result<Vec<ApiToken>, ApiError> {
    session_only(caller)?;
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(caller.id))
        .filter(api_token::Column::RevokedAt.is_null())
        .filter(api_token::Column::ExpiresAt.gt(db::now()))
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(ApiToken::from)
        .collect())
}

/// One of the caller's tokens, live or not (another's is 404).
pub async fn find(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
) -> Result<ApiToken, ApiError> {
    session_only(caller)?;
    Ok(api_token::Entity::find_by_id(id)
        .filter(api_token::Column::UserId.eq(caller.id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?
        .into())
}

/// Revokes one of the caller's tokens at once (another's is 404).
pub async fn revoke(db: &DatabaseConnection, caller: &Principal, id: Uuid) -> Result<(), ApiError> {
    session_only(caller)?;
    find(db, caller, id).await?;
    let txn = db::begin_write(db).await?;
    // One statement: of revocations racing, one revokes (and is audited), the others find it
    // done.
    let revoked = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(db::now()))
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if revoked.rows_affected == 1 {
        audit::record(
            &txn,
            AuditEntry::by(caller.id, "api_token.revoked", "api_token", id, json!({})),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The caller a token stands for, if it is live and its account still enabled; records its
/// use (the address, and an audit event when the address is new for it).
pub async fn authenticate(
    db: &DatabaseConnection,
    secret: &str,
    client: &str,
) -> Result<Option<Principal>, ApiError> {
    let Some(model) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(secret_token::digest(secret)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let now = db::now();
    if model.revoked_at.is_some() || model.expires_at <= now {
        return Ok(None);
    }
    let Some(mut principal) = accounts::active_principal(db, model.user_id).await? else {
        return Ok(None);
    };
    let limited = organizations(&model);
    let of_platform_admin = principal.platform_admin;
    // Limited to some organizations, a platform admin's token is not a platform admin's.
    principal.platform_admin &= limited.is_none();
    principal.token = Some(TokenLimits {
        id: model.id,
        read_only: model.read_only,
        organizations: limited,
        of_platform_admin,
    });
    record_use(db, model, client, now).await?;
    Ok(Some(principal))
}

/// Keeps the last use (at most once a minute from the same address: no write per request).
async fn record_use(
    db: &DatabaseConnection,
    model: api_token::Model,
    client: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let new_address = model.last_used_from.as_deref() != Some(client);
    let recent = model
        .last_used_at
        .is_some_and(|used| now - used < Duration::minutes(1));
    if !new_address && recent {
        return Ok(());
    }
    let (id, user_id) = (model.id, model.user_id);
    let txn = db::begin_write(db).await?;
    let mut active = model.into_active_model();
    active.last_used_at = Set(Some(now));
    active.last_used_from = Set(Some(client.to_owned()));
    active.update(&txn).await?;
    if new_address {
        audit::record(
            &txn,
            AuditEntry::by(
                user_id,
                "api_token.used_from_new_address",
                "api_token",
                id,
                json!({"address": client}),
            ),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
