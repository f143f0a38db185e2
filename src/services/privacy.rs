//! Personal data (GDPR): what the service holds about a person, and erasure.
//!
//! Erasure rule: drafts are deleted with their attachments; submitted and withdrawn applications
//! lose their personal fields (contact name, email, phone) and their link to the account,
//! but keep the description of the action, which is the organizer's record (and the public
//! record of laureates). The account is anonymised rather than deleted (no email, no name, no
//! password, disabled), so that what the person did for the prize stays whole: a juror's
//! submitted scorecards and the record that a councillor voted remain, attached to no one.
//! Its roles, sessions, pending tokens and staff memberships are deleted. The audit trail keeps
//! the account's id, never its email.
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, sea_query::Expr,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::Principal,
    auth::password,
    db,
    domain::{Lang, application::ApplicationStatus},
    entities::{
        account_token, application, audit_event, invitation, organization_admin, refresh_token,
        user, user_role,
    },
    error::ApiError,
    services::{
        accounts::{self, Account, NO_PASSWORD},
        applications::{self, Application},
        attachments::{self, Attachment, Storage},
        audit::{self, AuditEntry, AuditEvent},
        staff,
    },
};

#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Everything the service holds about the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonalData {
    pub exported_at: DateTime<Utc>,
    pub account: Account,
    /// Organizations whose staff the caller belongs to.
    pub staff_of: Vec<Uuid>,
    /// Sessions (refresh tokens are stored hashed and never exported).
    pub sessions: Vec<Session>,
    /// API tokens, revoked and expired ones included (their secrets are never stored).
    pub api_tokens: Vec<crate::services::api_tokens::ApiToken>,
    pub applications: Vec<Application>,
    pub attachments: Vec<Attachment>,
    /// Audit events the caller caused or that concern their account.
    pub audit_events: Vec<AuditEvent>,
}

pub async fn export(db: &DatabaseConnection, caller: &Principal) -> Result<PersonalData, ApiError> {
    let account = accounts::own(db, caller.id).await?;
    let staff_of = staff::organizations_of(db, caller.id).await?;
    let sessions = refresh_token::Entity::find()
        .filter(refresh_token::Column::UserId.eq(caller.id))
        .order_by_asc(refresh_token::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|token| Session {
            created_at: token.created_at,
            expires_at: token.expires_at,
            used_at: token.used_at,
            revoked_at: token.revoked_at,
        })
        .collect();
    let owned = application::Entity::find()
        .filter(application::Column::ApplicantId.eq(caller.id))
        .order_by_asc(application::Column::Id)
        .all(db)
        .await?;
    let mut applications_data = Vec::new();
    let mut attachments_data = Vec::new();
    for model in owned {
        attachments_data.extend(attachments::list(db, caller, model.id).await?);
        applications_data.push(applications::get(db, caller, model.id).await?);
    }
    let audit_events = audit_event::Entity::find()
        .filter(
            Condition::any()
                .add(audit_event::Column::ActorId.eq(caller.id))
                .add(audit_event::Column::TargetId.eq(caller.id.to_string())),
        )
        .order_by_asc(audit_event::Column::Seq)
        .all(db)
        .await?
        .into_iter()
        .map(AuditEvent::from)
        .collect();
    Ok(PersonalData {
        exported_at: db::now(),
        account,
        staff_of,
        sessions,
        api_tokens: crate::entities::api_token::Entity::find()
            .filter(crate::entities::api_token::Column::UserId.eq(caller.id))
            .order_by_asc(crate::entities::api_token::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
        applications: applications_data,
        attachments: attachments_data,
        audit_events,
    })
}

/// Erases the caller's account, once they have given their password again.
/// The name an erased account keeps.
const ERASED_NAME: &str = "Compte supprimé";

pub async fn erase(
    db: &DatabaseConnection,
    storage: &Storage,
    caller: &Principal,
    password: String,
) -> Result<(), ApiError> {
    let account = user::Entity::find_by_id(caller.id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !password::verify(Some(account.password_hash), password).await? {
        return Err(ApiError::invalid(
            "password",
            "incorrect",
            text!("field-is-not-this-account-s"),
        ));
    }
    let txn = db::begin_write(db).await?;
    // Waits for a change of the account in flight; one after it finds the account erased.
    db::lock_on(&txn, caller.id).await?;
    let drafts: Vec<Uuid> = application::Entity::find()
        .filter(application::Column::ApplicantId.eq(caller.id))
        .filter(application::Column::Status.eq(ApplicationStatus::Draft.as_str()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|model| model.id)
        .collect();
    application::Entity::delete_many()
        .filter(application::Column::Id.is_in(drafts.clone()))
        .exec(&txn)
        .await?;
    let anonymised = application::Entity::update_many()
        .set(application::ActiveModel {
            applicant_id: Set(None),
            contact_name: Set(None),
            contact_email: Set(None),
            contact_phone: Set(None),
            ..Default::default()
        })
        .col_expr(application::Column::UpdatedAt, Expr::value(db::now()))
        .filter(application::Column::ApplicantId.eq(caller.id))
        .exec(&txn)
        .await?
        .rows_affected;
    crate::services::mail::cancel_pending(&txn, &account.email).await?;
    let now = db::now();
    user::Entity::update_many()
        .set(user::ActiveModel {
            email: Set(accounts::erased_address(caller.id)),
            display_name: Set(ERASED_NAME.to_owned()),
            language: Set(Lang::default().tag().to_owned()),
            password_hash: Set(NO_PASSWORD.to_owned()),
            disabled: Set(true),
            email_verified_at: Set(None),
            updated_at: Set(now),
            ..Default::default()
        })
        .filter(user::Column::Id.eq(caller.id))
        .exec(&txn)
        .await?;
    user_role::Entity::delete_many()
        .filter(user_role::Column::UserId.eq(caller.id))
        .exec(&txn)
        .await?;
    refresh_token::Entity::delete_many()
        .filter(refresh_token::Column::UserId.eq(caller.id))
        .exec(&txn)
        .await?;
    account_token::Entity::delete_many()
        .filter(account_token::Column::UserId.eq(caller.id))
        .exec(&txn)
        .await?;
    crate::entities::api_token::Entity::delete_many()
        .filter(crate::entities::api_token::Column::UserId.eq(caller.id))
        .exec(&txn)
        .await?;
    invitation::Entity::delete_many()
        .filter(invitation::Column::UserId.eq(caller.id))
        .exec(&txn)
        .await?;
    organization_admin::Entity::delete_many()
        .filter(organization_admin::Column::UserId.eq(caller.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "user.erased",
            "user",
            caller.id,
            json!({ "drafts_deleted": drafts.len(), "files_anonymised": anonymised }),
        ),
    )
    .await?;
    txn.commit().await?;
    for draft in drafts {
        storage.remove_application(draft).await;
    }
    Ok(())
}
