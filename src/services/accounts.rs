//! Accounts: registration, staff management of users, and the caller's identity.
use crate::domain::{Lang, refusal::ProblemCode};
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, LikeExpr, Query, SelectStatement},
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::{Principal, password},
    db,
    domain::role::organization_may_change_roles,
    domain::{
        DisplayName, Email, Password, Role, address_proof,
        pagination::{Page, PageRequest},
        role,
    },
    entities::{
        application, councillor, edition, jury_member, organization_admin, refresh_token, user,
        user_role,
    },
    error::{ApiError, AuthFailure},
    services::{
        audit::{self, AuditEntry},
        mail,
        staff::{StaffScope, staff_scope},
    },
};

/// An account as the API shows it: never a hash.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01935f0e-8a47-7cc2-9f1e-3a6b2d4c5e60",
    "email": "claire.martin@example.fr",
    "display_name": "Claire Martin",
    "roles": ["applicant"],
    "disabled": false,
    "email_verified": true,
    "platform_admin": false,
    "language": "fr",
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
    /// The holder proved they own the address; roles and submissions wait for it.
    pub email_verified: bool,
    /// Manages every organization.
    pub platform_admin: bool,
    /// The language the account's emails are written in: the one it registered in.
    pub language: Lang,
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
            email_verified: model.email_verified_at.is_some(),
            platform_admin: model.platform_admin,
            language: model.language.parse().unwrap_or_default(),
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
    /// Whoever creates the account vouches for the address (a platform admin, the command
    /// line); a registration proves it through an emailed link instead.
    pub email_verified: bool,
    /// The language the account's emails are written in.
    pub language: Lang,
}

/// The stored password of an invited account that has not chosen one: nothing verifies
/// against it.
pub const NO_PASSWORD: &str = "!";

/// An account to insert, its password already hashed.
pub struct AccountRecord {
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub platform_admin: bool,
    pub email_verified: bool,
    pub language: Lang,
}

/// A validated change to an account; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct AccountChanges {
    pub roles: Option<Vec<Role>>,
    pub display_name: Option<DisplayName>,
    pub disabled: Option<bool>,
    pub language: Option<Lang>,
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
    let record = AccountRecord {
        email: new.email.as_str().to_owned(),
        password_hash: password::hash(new.password).await?,
        display_name: new.display_name.into_inner(),
        roles: new.roles,
        platform_admin: new.platform_admin,
        language: new.language,
        email_verified: new.email_verified,
    };
    let txn = db::begin_write(db).await?;
    let account = insert(&txn, actor, record).await?;
    txn.commit().await?;
    Ok(account)
}

/// Inserts an account and its roles in `txn`, audited; `email_taken` if the address has one.
pub async fn insert(
    txn: &DatabaseTransaction,
    actor: Option<Uuid>,
    record: AccountRecord,
) -> Result<Account, ApiError> {
    let now = db::now();
    let roles = sorted(record.roles);
    let model = user::Model {
        id: Uuid::now_v7(),
        email: record.email,
        password_hash: record.password_hash,
        display_name: record.display_name,
        disabled: false,
        platform_admin: record.platform_admin,
        language: record.language.tag().to_owned(),
        created_at: now,
        updated_at: now,
        email_verified_at: record.email_verified.then_some(now),
        sessions_revoked_at: None,
    };
    if let Err(error) = user::Entity::insert(model.clone().into_active_model())
        .exec_without_returning(txn)
        .await
    {
        return Err(if db::is_unique_violation(&error) {
            ApiError::conflict(ProblemCode::EmailTaken, text!("email-taken"))
        } else {
            error.into()
        });
    }
    insert_roles(txn, model.id, &roles).await?;
    audit::record(
        txn,
        AuditEntry {
            actor_id: actor.or(Some(model.id)),
            action: "user.created",
            target_type: "user",
            target_id: Some(model.id.to_string()),
            details: json!({ "roles": roles, "platform_admin": record.platform_admin }),
        },
    )
    .await?;
    tracing::info!(user_id = %model.id, "account created");
    Ok(Account::from_model(model, roles))
}

/// Refuses to give a role to an account whose holder has not proved they own its address.
pub async fn ensure_verified(db: &impl ConnectionTrait, user_id: Uuid) -> Result<(), ApiError> {
    let verified = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .is_some_and(|model| model.email_verified_at.is_some());
    Ok(address_proof::check_verified(verified)?)
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
        role: Set(*role),
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
        roles.entry(row.user_id).or_default().push(row.role);
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

/// The caller's own account.
pub async fn own(db: &DatabaseConnection, id: Uuid) -> Result<Account, ApiError> {
    let model = user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(with_roles(db, model).await?)
}

/// Whose accounts an organization's staff deal with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum People {
    /// Its staff, the jury of its editions and its councillors: they may be managed.
    Members,
    /// The members and the applicants of its editions, who may only be read.
    MembersAndApplicants,
}

fn user_ids(column: impl ColumnTrait, entity: impl EntityTrait) -> SelectStatement {
    Query::select().column(column).from(entity).to_owned()
}

fn editions_of(organizations: &[Uuid]) -> SelectStatement {
    user_ids(edition::Column::Id, edition::Entity)
        .and_where(edition::Column::OrganizationId.is_in(organizations.iter().copied()))
        .to_owned()
}

/// The accounts of `people` of these organizations; never a platform admin nor the staff of
/// another organization.
fn people_of(organizations: &[Uuid], people: People) -> Condition {
    let ids = || organizations.iter().copied();
    let mut any = Condition::any()
        .add(
            user::Column::Id.in_subquery(
                user_ids(
                    organization_admin::Column::UserId,
                    organization_admin::Entity,
                )
                .and_where(organization_admin::Column::OrganizationId.is_in(ids()))
                .to_owned(),
            ),
        )
        .add(
            user::Column::Id.in_subquery(
                user_ids(jury_member::Column::UserId, jury_member::Entity)
                    .and_where(
                        jury_member::Column::EditionId.in_subquery(editions_of(organizations)),
                    )
                    .to_owned(),
            ),
        )
        .add(
            user::Column::Id.in_subquery(
                user_ids(councillor::Column::UserId, councillor::Entity)
                    .and_where(councillor::Column::OrganizationId.is_in(ids()))
                    .to_owned(),
            ),
        );
    if people == People::MembersAndApplicants {
        any = any.add(
            user::Column::Id.in_subquery(
                user_ids(application::Column::ApplicantId, application::Entity)
                    .and_where(
                        application::Column::EditionId.in_subquery(editions_of(organizations)),
                    )
                    .to_owned(),
            ),
        );
    }
    Condition::all()
        .add(any)
        .add(user::Column::PlatformAdmin.eq(false))
        .add(
            user::Column::Id.not_in_subquery(
                user_ids(
                    organization_admin::Column::UserId,
                    organization_admin::Entity,
                )
                .and_where(organization_admin::Column::OrganizationId.is_not_in(ids()))
                .to_owned(),
            ),
        )
}

/// The accounts `scope` may read.
fn visible(scope: &StaffScope) -> Condition {
    match scope {
        StaffScope::All => Condition::all(),
        StaffScope::Only(organizations) => people_of(organizations, People::MembersAndApplicants),
    }
}

/// One account the caller may read (any for a platform admin, their people for an
/// organization's staff); 404 otherwise.
pub async fn find(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
) -> Result<Account, ApiError> {
    let scope = staff_scope(db, caller).await?;
    let model = user::Entity::find_by_id(id)
        .filter(visible(&scope))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(with_roles(db, model).await?)
}

/// Whether the caller may change the account `id`: 404 when they may not even read it, 403
/// when they may only read it (an applicant of their editions).
pub async fn ensure_manages(
    txn: &impl ConnectionTrait,
    caller: &Principal,
    id: Uuid,
) -> Result<StaffScope, ApiError> {
    let scope = staff_scope(txn, caller).await?;
    let StaffScope::Only(organizations) = &scope else {
        return Ok(scope);
    };
    let count = |people| {
        user::Entity::find_by_id(id)
            .filter(people_of(organizations, people))
            .count(txn)
    };
    if count(People::Members).await? > 0 {
        Ok(scope)
    } else if count(People::MembersAndApplicants).await? > 0 {
        Err(ApiError::Forbidden)
    } else {
        Err(ApiError::NotFound)
    }
}

/// The caller behind an access token issued at `issued_at`, if the account still exists, is
/// enabled, and has not ended every session since.
pub async fn session_principal(
    db: &impl ConnectionTrait,
    id: Uuid,
    issued_at: DateTime<Utc>,
) -> Result<Option<Principal>, DbErr> {
    caller(db, id, |model| {
        model
            .sessions_revoked_at
            .is_none_or(|revoked_at| issued_at > revoked_at)
    })
    .await
}

/// The account as a caller, if it still exists and is enabled.
pub async fn active_principal(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<Principal>, DbErr> {
    caller(db, id, |_| true).await
}

async fn caller(
    db: &impl ConnectionTrait,
    id: Uuid,
    valid: impl FnOnce(&user::Model) -> bool,
) -> Result<Option<Principal>, DbErr> {
    let Some(model) = user::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    if model.disabled || !valid(&model) {
        return Ok(None);
    }
    let account = with_roles(db, model).await?;
    Ok(Some(Principal {
        id: account.id,
        roles: account.roles,
        platform_admin: account.platform_admin,
        prize_scope: None,
        token: None,
    }))
}

/// The account with this email, to check a login.
/// The language an account's emails are written in.
pub fn language_of(account: &user::Model) -> Lang {
    account.language.parse().unwrap_or_default()
}

pub async fn find_by_email(
    db: &impl ConnectionTrait,
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

/// The accounts the caller may read, oldest first (ids are time-ordered UUIDv7).
pub async fn list(
    db: &DatabaseConnection,
    caller: &Principal,
    filter: AccountFilter,
    page: PageRequest<Uuid>,
) -> Result<Page<Account>, DbErr> {
    let scope = staff_scope(db, caller).await?;
    let mut query = user::Entity::find()
        .filter(visible(&scope))
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

/// Changes an account: any for a platform admin; for an organization's staff, the members of
/// their organizations, and only the roles an organization grants.
#[tracing::instrument(skip_all, fields(actor = %caller.id, user_id = %id))]
pub async fn update(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
    changes: AccountChanges,
) -> Result<Account, ApiError> {
    let actor = caller.id;
    let drops_admin = changes
        .roles
        .as_ref()
        .is_some_and(|roles| !roles.contains(&Role::Admin));
    role::check_own_account_change(actor == id, drops_admin, changes.disabled == Some(true))?;
    let txn = db::begin_write(db).await?;
    // Changes of one account, and its erasure, wait for each other.
    db::lock_on(&txn, id).await?;
    let scope = ensure_manages(&txn, caller, id).await?;
    let model = user::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    role::check_not_erased(is_erased(&model))?;
    let before = with_roles(&txn, model.clone()).await?;
    let organization_staff = matches!(scope, StaffScope::Only(_));
    if let Some(roles) = &changes.roles {
        if organization_staff && !organization_may_change_roles(&before.roles, roles) {
            return Err(ApiError::Forbidden);
        }
        // Roles are given to people who proved their address; withdrawing one needs no proof.
        let adds_a_role = roles.iter().any(|role| !before.roles.contains(role));
        address_proof::check_verified(before.email_verified || !adds_a_role)?;
    }
    let account = apply(&txn, actor, model, before, changes).await?;
    txn.commit().await?;
    Ok(account)
}

/// The address an erased account is left with: its own, and no one's.
pub fn erased_address(id: Uuid) -> String {
    format!("erased-{}@{ERASED_DOMAIN}", id.simple())
}

const ERASED_DOMAIN: &str = "erased.invalid";

fn is_erased(model: &user::Model) -> bool {
    model.email.ends_with(&format!("@{ERASED_DOMAIN}"))
}

/// Changes the caller's own account: their display name and the language of their emails.
#[tracing::instrument(skip_all, fields(user_id = %caller.id))]
pub async fn update_own(
    db: &DatabaseConnection,
    caller: &Principal,
    display_name: Option<DisplayName>,
    language: Option<Lang>,
) -> Result<Account, ApiError> {
    let txn = db::begin_write(db).await?;
    db::lock_on(&txn, caller.id).await?;
    let model = user::Entity::find_by_id(caller.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    // Disabled, or erased, since the request's token was checked.
    if model.disabled {
        return Err(ApiError::Unauthorized(AuthFailure::InvalidToken));
    }
    let before = with_roles(&txn, model.clone()).await?;
    let changes = AccountChanges {
        display_name,
        language,
        ..AccountChanges::default()
    };
    let account = apply(&txn, caller.id, model, before, changes).await?;
    txn.commit().await?;
    Ok(account)
}

/// Writes the `changes` that differ from the account as it was (`before`), each audited as
/// done by `actor`; the account as it is then.
async fn apply(
    txn: &DatabaseTransaction,
    actor: Uuid,
    model: user::Model,
    before: Account,
    changes: AccountChanges,
) -> Result<Account, ApiError> {
    let (id, email) = (model.id, model.email.clone());
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
            .exec(txn)
            .await?;
        insert_roles(txn, id, &roles).await?;
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
            revoke_all_sessions(txn, id).await?;
            mail::cancel_pending(txn, &email).await?;
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
    if let Some(language) = changes
        .language
        .filter(|language| *language != before.language)
    {
        active.language = Set(language.tag().to_owned());
        events.push(("user.language_changed", json!({ "to": language })));
    }
    if events.is_empty() {
        return Ok(before);
    }
    active.updated_at = Set(db::now());
    let model = active.update(txn).await?;
    for (action, details) in events {
        audit::record(
            txn,
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
    Ok(with_roles(txn, model).await?)
}

/// Ends every session of the account: its refresh tokens stop working, and so do the access
/// tokens already issued and its API tokens (a password reset or a disabled account must not
/// leave a script's token behind). Serialised with refreshes of the account's sessions, so
/// that none racing it outlives it.
pub async fn revoke_all_sessions(txn: &DatabaseTransaction, user_id: Uuid) -> Result<(), DbErr> {
    db::lock_on(txn, user_id).await?;
    user::Entity::update_many()
        .col_expr(user::Column::SessionsRevokedAt, Expr::value(db::now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(txn)
        .await?;
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(db::now()))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(txn)
        .await?;
    crate::entities::api_token::Entity::update_many()
        .col_expr(
            crate::entities::api_token::Column::RevokedAt,
            Expr::value(db::now()),
        )
        .filter(crate::entities::api_token::Column::UserId.eq(user_id))
        .filter(crate::entities::api_token::Column::RevokedAt.is_null())
        .exec(txn)
        .await?;
    Ok(())
}
