//! Accounts: registration, staff management of users, and the caller's identity.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, LikeExpr, Query},
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::{Principal, password},
    db,
    domain::{
        DisplayName, Email, Password, Role,
        pagination::{Page, PageRequest},
    },
    entities::{refresh_token, user, user_role},
    error::ApiError,
    services::audit::{self, AuditEntry},
};

/// An account as the API shows it: never a hash.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01935f0e-8a47-7cc2-9f1e-3a6b2d4c5e60",
    "email": "claire.martin@example.fr",
    "display_name": "Claire Martin",
    "roles": ["applicant"],
    "disabled": false,
    "platform_admin": false,
    "created_at": "2026-03-31T08:00:00Z",
    "updated_at": "2026-03-31T08:00:00Z"
}))]
pub struct Account {
    pub id: Uuid,
    #[schema(example = "claire.martin@example.fr")]
    pub email: String,
    #[schema(example = "Claire Martin")]
    pub display_name: String,
    pub roles: Vec<Role>,
    pub disabled: bool,
    /// Manages every organization.
    pub platform_admin: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Account {
    fn from_model(model: user::Model, roles: Vec<Role>) -> Self {
        Self {
            id: model.id,
            email: model.email,
            display_name: model.display_name,
            roles,
            disabled: model.disabled,
            platform_admin: model.platform_admin,
            created_at: model.created_at,
            updated_at: model.updated_at,
        }
    }
}

/// A validated request to create an account.
#[derive(Debug)]
pub struct NewAccount {
    pub email: Email,
    pub password: Password,
    pub display_name: DisplayName,
    pub roles: Vec<Role>,
    /// Only the command line makes platform admins.
    pub platform_admin: bool,
}

/// A validated change to an account; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct AccountChanges {
    pub roles: Option<Vec<Role>>,
    pub display_name: Option<DisplayName>,
    pub disabled: Option<bool>,
}

fn sorted(mut roles: Vec<Role>) -> Vec<Role> {
    roles.sort();
    roles.dedup();
    roles
}

#[tracing::instrument(skip_all, fields(actor = ?actor))]
pub async fn create(
    db: &DatabaseConnection,
    actor: Option<Uuid>,
    new: NewAccount,
) -> Result<Account, ApiError> {
    let password_hash = password::hash(new.password).await?;
    let now = db::now();
    let roles = sorted(new.roles);
    let model = user::Model {
        id: Uuid::now_v7(),
        email: new.email.as_str().to_owned(),
        password_hash,
        display_name: new.display_name.into_inner(),
        disabled: false,
        platform_admin: new.platform_admin,
        created_at: now,
        updated_at: now,
    };
    let txn = db::begin_write(db).await?;
    if let Err(error) = user::Entity::insert(model.clone().into_active_model())
        .exec_without_returning(&txn)
        .await
    {
        return Err(if db::is_unique_violation(&error) {
            ApiError::Conflict {
                code: "email_taken",
                detail: "An account with this email already exists.".into(),
            }
        } else {
            error.into()
        });
    }
    insert_roles(&txn, model.id, &roles).await?;
    audit::record(
        &txn,
        AuditEntry {
            actor_id: actor.or(Some(model.id)),
            action: "user.created",
            target_type: "user",
            target_id: Some(model.id.to_string()),
            details: json!({ "roles": roles, "platform_admin": new.platform_admin }),
        },
    )
    .await?;
    txn.commit().await?;
    tracing::info!(user_id = %model.id, "account created");
    Ok(Account::from_model(model, roles))
}

async fn insert_roles(
    txn: &impl ConnectionTrait,
    user_id: Uuid,
    roles: &[Role],
) -> Result<(), DbErr> {
    if roles.is_empty() {
        return Ok(());
    }
    user_role::Entity::insert_many(roles.iter().map(|role| user_role::ActiveModel {
        user_id: Set(user_id),
        role: Set(role.as_str().to_owned()),
    }))
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// Roles of each user, read in one query.
async fn roles_of(
    db: &impl ConnectionTrait,
    user_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Role>>, DbErr> {
    let rows = user_role::Entity::find()
        .filter(user_role::Column::UserId.is_in(user_ids.iter().copied()))
        .all(db)
        .await?;
    let mut roles: HashMap<Uuid, Vec<Role>> = HashMap::new();
    for row in rows {
        // A role name that no longer exists in the code is ignored rather than fatal.
        if let Ok(role) = row.role.parse() {
            roles.entry(row.user_id).or_default().push(role);
        }
    }
    Ok(roles
        .into_iter()
        .map(|(id, roles)| (id, sorted(roles)))
        .collect())
}

async fn with_roles(db: &impl ConnectionTrait, model: user::Model) -> Result<Account, DbErr> {
    let roles = roles_of(db, &[model.id])
        .await?
        .remove(&model.id)
        .unwrap_or_default();
    Ok(Account::from_model(model, roles))
}

pub async fn find(db: &DatabaseConnection, id: Uuid) -> Result<Account, ApiError> {
    let model = user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(with_roles(db, model).await?)
}

/// The caller behind a verified token, if the account still exists and is enabled.
pub async fn active_principal(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<Principal>, DbErr> {
    let Some(model) = user::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    if model.disabled {
        return Ok(None);
    }
    let account = with_roles(db, model).await?;
    Ok(Some(Principal {
        id: account.id,
        roles: account.roles,
        platform_admin: account.platform_admin,
        prize_scope: None,
    }))
}

/// The account with this email, to check a login.
pub async fn find_by_email(
    db: &DatabaseConnection,
    email: &Email,
) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await
}

#[derive(Debug, Default)]
pub struct AccountFilter {
    pub role: Option<Role>,
    /// Part of the email, case-insensitive.
    pub email_contains: Option<String>,
}

/// Oldest first (ids are time-ordered UUIDv7).
pub async fn list(
    db: &DatabaseConnection,
    filter: AccountFilter,
    page: PageRequest<Uuid>,
) -> Result<Page<Account>, DbErr> {
    let mut query = user::Entity::find()
        .order_by_asc(user::Column::Id)
        .limit(page.fetch_limit());
    if let Some(after) = page.after {
        query = query.filter(user::Column::Id.gt(after));
    }
    if let Some(role) = filter.role {
        query = query.filter(
            user::Column::Id.in_subquery(
                Query::select()
                    .column(user_role::Column::UserId)
                    .from(user_role::Entity)
                    .and_where(user_role::Column::Role.eq(role.as_str()))
                    .to_owned(),
            ),
        );
    }
    if let Some(part) = filter.email_contains {
        let escaped = part
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        query = query
            .filter(user::Column::Email.like(LikeExpr::new(format!("%{escaped}%")).escape('\\')));
    }
    let models = query.all(db).await?;
    let ids: Vec<Uuid> = models.iter().map(|model| model.id).collect();
    let mut roles = roles_of(db, &ids).await?;
    let accounts = models
        .into_iter()
        .map(|model| {
            let roles = roles.remove(&model.id).unwrap_or_default();
            Account::from_model(model, roles)
        })
        .collect();
    Ok(page.paginate(accounts, |account| account.id.to_string()))
}

#[tracing::instrument(skip_all, fields(actor = %actor, user_id = %id))]
pub async fn update(
    db: &DatabaseConnection,
    actor: Uuid,
    id: Uuid,
    changes: AccountChanges,
) -> Result<Account, ApiError> {
    if actor == id {
        // Staff cannot lock themselves out: another admin must do it.
        let demotes = changes
            .roles
            .as_ref()
            .is_some_and(|roles| !roles.contains(&Role::Admin));
        if demotes || changes.disabled == Some(true) {
            return Err(ApiError::Conflict {
                code: "cannot_lock_out_self",
                detail: "You cannot remove your own admin role or disable your own account.".into(),
            });
        }
    }
    let txn = db::begin_write(db).await?;
    let model = user::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let before = with_roles(&txn, model.clone()).await?;
    let mut active = model.into_active_model();
    let mut events = Vec::new();

    if let Some(display_name) = changes.display_name {
        let display_name = display_name.into_inner();
        if display_name != before.display_name {
            active.display_name = Set(display_name);
            events.push(("user.renamed", json!({})));
        }
    }
    if let Some(roles) = changes
        .roles
        .map(sorted)
        .filter(|roles| *roles != before.roles)
    {
        user_role::Entity::delete_many()
            .filter(user_role::Column::UserId.eq(id))
            .exec(&txn)
            .await?;
        insert_roles(&txn, id, &roles).await?;
        events.push((
            "user.roles_changed",
            json!({ "from": before.roles, "to": roles }),
        ));
    }
    if let Some(disabled) = changes
        .disabled
        .filter(|disabled| *disabled != before.disabled)
    {
        active.disabled = Set(disabled);
        if disabled {
            revoke_all_sessions(&txn, id).await?;
        }
        events.push((
            if disabled {
                "user.disabled"
            } else {
                "user.enabled"
            },
            json!({}),
        ));
    }
    if events.is_empty() {
        txn.commit().await?;
        return Ok(before);
    }
    active.updated_at = Set(db::now());
    let model = active.update(&txn).await?;
    for (action, details) in events {
        audit::record(
            &txn,
            AuditEntry {
                actor_id: Some(actor),
                action,
                target_type: "user",
                target_id: Some(id.to_string()),
                details,
            },
        )
        .await?;
    }
    let account = with_roles(&txn, model).await?;
    txn.commit().await?;
    Ok(account)
}

async fn revoke_all_sessions(txn: &impl ConnectionTrait, user_id: Uuid) -> Result<(), DbErr> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(db::now()))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(txn)
        .await?;
    Ok(())
}
