//! Councillor rosters imported as CSV: accounts created (with an emailed invitation to set a
//! password) or updated, the roster set; all of a file or nothing; the same file twice
//! changes nothing.
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::{Principal, password, secret_token},
    db,
    domain::{Password, Role, roster::RosterEntry},
    entities::{councillor, invitation, user, user_role},
    error::ApiError,
    services::{
        audit::{self, AuditEntry},
        mail, organizations,
    },
};

const INVITATION_DAYS: i64 = 14;

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

pub async fn import(
    db: &DatabaseConnection,
    caller: &Principal,
    organization_id: Uuid,
    entries: Vec<RosterEntry>,
    invitation_url: &str,
) -> Result<ImportSummary, ApiError> {
    let txn = db::begin_write(db).await?;
    organizations::ensure_staff(&txn, caller, organization_id).await?;
    let mut summary = ImportSummary {
        created: 0,
        updated: 0,
        unchanged: 0,
    };
    for entry in entries {
        let existing = user::Entity::find()
            .filter(user::Column::Email.eq(entry.email.as_str()))
            .one(&txn)
            .await?;
        let name = entry.name.into_inner();
        let mut changed = false;
        let created = existing.is_none();
        let user_id = match existing {
            Some(account) => {
                let id = account.id;
                if account.display_name != name {
                    let mut active = account.into_active_model();
                    active.display_name = Set(name.clone());
                    active.updated_at = Set(db::now());
                    active.update(&txn).await?;
                    changed = true;
                }
                if user_role::Entity::find_by_id((id, Role::Councillor.as_str().to_owned()))
                    .one(&txn)
                    .await?
                    .is_none()
                {
                    user_role::Entity::insert(user_role::ActiveModel {
                        user_id: Set(id),
                        role: Set(Role::Councillor.as_str().to_owned()),
                    })
                    .exec_without_returning(&txn)
                    .await?;
                    changed = true;
                }
                id
            }
            None => {
                let id = Uuid::now_v7();
                let now = db::now();
                user::Entity::insert(user::ActiveModel {
                    id: Set(id),
                    email: Set(entry.email.as_str().to_owned()),
                    // No password until the invitation is accepted: nothing verifies against this.
                    password_hash: Set("!".to_owned()),
                    display_name: Set(name.clone()),
                    disabled: Set(false),
                    platform_admin: Set(false),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec_without_returning(&txn)
                .await?;
                user_role::Entity::insert(user_role::ActiveModel {
                    user_id: Set(id),
                    role: Set(Role::Councillor.as_str().to_owned()),
                })
                .exec_without_returning(&txn)
                .await?;
                let token = secret_token::generate();
                invitation::Entity::insert(invitation::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    user_id: Set(id),
                    token_hash: Set(secret_token::digest(&token)),
                    expires_at: Set(now + chrono::Duration::days(INVITATION_DAYS)),
                    used_at: Set(None),
                    created_at: Set(now),
                })
                .exec_without_returning(&txn)
                .await?;
                let body = format!(
                    "Bonjour {name},\n\nUn compte de conseiller vous a été ouvert pour voter au Prix du CESER.\nPour choisir votre mot de passe (lien valable {INVITATION_DAYS} jours) :\n\n{invitation_url}{token}\n\n"
                );
                mail::enqueue(
                    &txn,
                    entry.email.as_str(),
                    "Votre invitation au Prix du CESER",
                    &body,
                )
                .await?;
                audit::record(
                    &txn,
                    AuditEntry {
                        actor_id: Some(caller.id),
                        action: "user.invited",
                        target_type: "user",
                        target_id: Some(id.to_string()),
                        details: json!({ "roles": ["councillor"] }),
                    },
                )
                .await?;
                summary.created += 1;
                id
            }
        };
        let on_roster = councillor::Entity::find_by_id((organization_id, user_id))
            .one(&txn)
            .await?;
        match on_roster {
            Some(row) if row.college == entry.college => {}
            Some(row) => {
                let mut active = row.into_active_model();
                active.college = Set(entry.college.clone());
                active.update(&txn).await?;
                changed = true;
            }
            None => {
                councillor::Entity::insert(councillor::ActiveModel {
                    organization_id: Set(organization_id),
                    user_id: Set(user_id),
                    college: Set(entry.college.clone()),
                })
                .exec_without_returning(&txn)
                .await?;
                changed = true;
            }
        }
        if !created {
            if changed {
                summary.updated += 1;
            } else {
                summary.unchanged += 1;
            }
        }
    }
    if summary.created + summary.updated == 0 {
        // The same file again: nothing to record, nothing written.
        return Ok(summary);
    }
    audit::record(&txn, AuditEntry {
        actor_id: Some(caller.id),
        action: "councillors.imported",
        target_type: "organization",
        target_id: Some(organization_id.to_string()),
        details: json!({ "created": summary.created, "updated": summary.updated, "unchanged": summary.unchanged }),
    })
    .await?;
    txn.commit().await?;
    Ok(summary)
}

/// Sets the password of an invited account with its single-use token.
pub async fn accept_invitation(
    db: &DatabaseConnection,
    token: &str,
    new_password: Password,
) -> Result<(), ApiError> {
    let hash = password::hash(new_password).await?;
    let txn = db::begin_write(db).await?;
    let invitation = invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(secret_token::digest(token)))
        .one(&txn)
        .await?
        .filter(|invitation| invitation.used_at.is_none() && invitation.expires_at > Utc::now())
        .ok_or_else(|| {
            ApiError::invalid(
                "token",
                "invalid_token",
                "this invitation is unknown, used or expired",
            )
        })?;
    let account = user::Entity::find_by_id(invitation.user_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut active = account.into_active_model();
    active.password_hash = Set(hash);
    active.updated_at = Set(db::now());
    active.update(&txn).await?;
    let user_id = invitation.user_id;
    let mut used = invitation.into_active_model();
    used.used_at = Set(Some(db::now()));
    used.update(&txn).await?;
    audit::record(
        &txn,
        AuditEntry {
            actor_id: Some(user_id),
            action: "user.invitation_accepted",
            target_type: "user",
            target_id: Some(user_id.to_string()),
            details: json!({}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
