//! Councillor rosters imported as CSV, by invitation: nobody is put on a roster, nor given the
//! councillor role, until the holder of the address accepts the emailed invitation. A new
//! address gets an account without a password (set on acceptance); an existing account
//! accepts while logged in. All of a file or nothing; the same file twice changes nothing.
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    sea_query::{Alias, Expr, ExprTrait, OnConflict},
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::{Principal, password, secret_token},
    db,
    domain::{
        Lang, Password, Role,
        address_proof::{INVITATION_LIFETIME_DAYS, is_usable},
        roster::RosterEntry,
    },
    entities::{councillor, invitation, user, user_role},
    error::{ApiError, AuthFailure},
    services::{
        accounts::{self, AccountRecord, NO_PASSWORD},
        audit::{self, AuditEntry},
        mail::{self, Letter, Template},
        staff,
    },
};

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportSummary {
    /// Addresses invited to join the roster. Whether an address already had an account is not
    /// told: that is its holder's business.
    pub invited: usize,
    /// Councillors already on the roster whose college changed.
    pub updated: usize,
    /// Lines that changed nothing (on the roster as is, or already invited).
    pub unchanged: usize,
}

/// Puts the account on the organization's roster in `college`; whether anything changed.
pub async fn put_on_roster(
    txn: &impl ConnectionTrait,
    organization_id: Uuid,
    user_id: Uuid,
    college: &str,
) -> Result<bool, ApiError> {
    let row = councillor::ActiveModel {
        organization_id: Set(organization_id),
        user_id: Set(user_id),
        college: Set(college.to_owned()),
    };
    // One statement: a new place, or a changed college; the same college writes nothing.
    let college_column = councillor::Column::College;
    let written = councillor::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                councillor::Column::OrganizationId,
                councillor::Column::UserId,
            ])
            .update_column(college_column)
            .action_and_where(
                Expr::col((councillor::Entity, college_column))
                    .ne(Expr::col((Alias::new("excluded"), college_column))),
            )
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    Ok(written > 0)
}

/// Withdraws the pending invitations of this account to this organization's roster (a wrong
/// line of an import); whether there were any.
pub async fn cancel_invitations(
    txn: &impl ConnectionTrait,
    organization_id: Uuid,
    user_id: Uuid,
) -> Result<bool, ApiError> {
    Ok(invitation::Entity::delete_many()
        .filter(invitation::Column::UserId.eq(user_id))
        .filter(invitation::Column::OrganizationId.eq(organization_id))
        .filter(invitation::Column::UsedAt.is_null())
        .exec(txn)
        .await?
        .rows_affected
        > 0)
}

/// An invitation of this account to this organization's roster that can still be accepted.
async fn pending_invitation(
    txn: &impl ConnectionTrait,
    user_id: Uuid,
    organization_id: Uuid,
) -> Result<Option<invitation::Model>, ApiError> {
    Ok(invitation::Entity::find()
        .filter(invitation::Column::UserId.eq(user_id))
        .filter(invitation::Column::OrganizationId.eq(organization_id))
        .all(txn)
        .await?
        .into_iter()
        .find(|invitation| is_usable(invitation.used_at, invitation.expires_at, Utc::now())))
}

async fn invite(
    txn: &impl ConnectionTrait,
    user_id: Uuid,
    organization_id: Uuid,
    college: &str,
) -> Result<String, ApiError> {
    let token = secret_token::generate();
    let now = db::now();
    invitation::Entity::insert(invitation::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        token_hash: Set(secret_token::digest(&token)),
        expires_at: Set(now + chrono::Duration::days(INVITATION_LIFETIME_DAYS)),
        used_at: Set(None),
        created_at: Set(now),
        organization_id: Set(Some(organization_id)),
        role: Set(Some(Role::Councillor)),
        college: Set(Some(college.to_owned())),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(token)
}

pub async fn import(
    db: &DatabaseConnection,
    caller: &Principal,
    organization_id: Uuid,
    entries: Vec<RosterEntry>,
    invitation_url: &str,
) -> Result<ImportSummary, ApiError> {
    let txn = db::begin_write(db).await?;
    staff::ensure_staff(&txn, caller, organization_id).await?;
    // The colleges held still until the invitations naming them are written.
    db::lock_on(&txn, organization_id).await?;
    let known = crate::services::colleges::names(&txn, organization_id).await?;
    let entries =
        crate::domain::roster::check_colleges(entries, &known).map_err(ApiError::Validation)?;
    let mut summary = ImportSummary {
        invited: 0,
        updated: 0,
        unchanged: 0,
    };
    for entry in entries {
        let name = entry.name.into_inner();
        let existing = accounts::find_by_email(&txn, &entry.email).await?;
        let on_roster = match &existing {
            Some(account) => councillor::Entity::find_by_id((organization_id, account.id))
                .one(&txn)
                .await?
                .is_some(),
            None => false,
        };
        // Whom the invitation goes to, in which language, and whether their account is new.
        let (user_id, lang, new_account) = match existing {
            // Already one of the organization's councillors: staff keep the college current.
            Some(account) if on_roster => {
                if put_on_roster(&txn, organization_id, account.id, &entry.college).await? {
                    summary.updated += 1;
                } else {
                    summary.unchanged += 1;
                }
                continue;
            }
            Some(account) => {
                if let Some(mut pending) = pending_invitation(&txn, account.id, organization_id)
                    .await?
                    .map(IntoActiveModel::into_active_model)
                {
                    if pending.college.as_ref().as_deref() != Some(entry.college.as_str()) {
                        pending.college = Set(Some(entry.college.clone()));
                        pending.update(&txn).await?;
                        summary.updated += 1;
                    } else {
                        summary.unchanged += 1;
                    }
                    continue;
                }
                summary.invited += 1;
                (account.id, accounts::language_of(&account), false)
            }
            None => {
                let account = accounts::insert(
                    &txn,
                    Some(caller.id),
                    AccountRecord {
                        email: entry.email.as_str().to_owned(),
                        password_hash: NO_PASSWORD.to_owned(),
                        display_name: name.clone(),
                        roles: Vec::new(),
                        platform_admin: false,
                        email_verified: false,
                        language: Lang::default(),
                    },
                )
                .await?;
                summary.invited += 1;
                (account.id, account.language, true)
            }
        };
        let token = invite(&txn, user_id, organization_id, &entry.college).await?;
        let letter = Letter::new(
            Template::Invitation,
            lang,
            json!({
                "name": name,
                "new_account": new_account,
                "days": INVITATION_LIFETIME_DAYS,
                "link": format!("{invitation_url}{token}"),
            }),
        );
        mail::send(&txn, entry.email.as_str(), letter).await?;
        audit::record(
            &txn,
            AuditEntry::by(
                caller.id,
                "councillor.invited",
                "organization",
                organization_id,
                json!({ "user_id": user_id, "college": entry.college }),
            ),
        )
        .await?;
    }
    if summary.invited + summary.updated == 0 {
        // The same file again: nothing to record, nothing written.
        return Ok(summary);
    }
    audit::record(&txn, AuditEntry::by(caller.id, "councillors.imported", "organization", organization_id, json!({ "invited": summary.invited, "updated": summary.updated, "unchanged": summary.unchanged })))
    .await?;
    txn.commit().await?;
    Ok(summary)
}

/// Accepts an invitation with its emailed token, which proves the address. An account without
/// a password chooses one now; an account with one accepts while logged in as its holder.
/// Then what the invitation grants (the councillor role, a place on the roster) is given.
pub async fn accept_invitation(
    db: &DatabaseConnection,
    caller: Option<&Principal>,
    token: &str,
    new_password: Option<Password>,
) -> Result<(), ApiError> {
    let invalid = || {
        ApiError::invalid(
            "token",
            "invalid_token",
            text!("field-this-invitation-is-unknown-used"),
        )
    };
    let find = async |db: &DatabaseConnection| -> Result<invitation::Model, ApiError> {
        invitation::Entity::find()
            .filter(invitation::Column::TokenHash.eq(secret_token::digest(token)))
            .one(db)
            .await?
            .filter(|invitation| is_usable(invitation.used_at, invitation.expires_at, Utc::now()))
            .ok_or_else(invalid)
    };
    // The cheap checks first: nobody makes the server hash a password without a valid token.
    let invitation = find(db).await?;
    let account = user::Entity::find_by_id(invitation.user_id)
        .one(db)
        .await?
        .filter(|account| !account.disabled)
        .ok_or_else(invalid)?;
    let password_hash = match (account.password_hash == NO_PASSWORD, new_password) {
        (true, Some(password)) => Some(password::hash(password).await?),
        (true, None) => {
            return Err(ApiError::invalid(
                "password",
                "required",
                text!("field-choose-a-password-to-open"),
            ));
        }
        (false, Some(_)) => {
            return Err(ApiError::invalid(
                "password",
                "not_allowed",
                text!("field-this-account-has-a-password"),
            ));
        }
        (false, None) => match caller {
            Some(caller) if caller.id == account.id => None,
            Some(_) => return Err(ApiError::Forbidden),
            None => return Err(ApiError::Unauthorized(AuthFailure::MissingToken)),
        },
    };

    let txn = db::begin_write(db).await?;
    let used = invitation::Entity::update_many()
        .col_expr(invitation::Column::UsedAt, Expr::value(db::now()))
        .filter(invitation::Column::Id.eq(invitation.id))
        .filter(invitation::Column::UsedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if used != 1 {
        return Err(invalid());
    }
    let mut active = account.into_active_model();
    if let Some(hash) = password_hash {
        active.password_hash = Set(hash);
    }
    if active.email_verified_at.as_ref().is_none() {
        active.email_verified_at = Set(Some(db::now()));
    }
    active.updated_at = Set(db::now());
    active.update(&txn).await?;
    let user_id = invitation.user_id;
    if let Some(role) = invitation.role {
        let granted = user_role::ActiveModel {
            user_id: Set(user_id),
            role: Set(role),
        };
        user_role::Entity::insert(granted)
            .on_conflict_do_nothing()
            .exec_without_returning(&txn)
            .await?;
    }
    if let Some(organization_id) = invitation.organization_id {
        // The college as it stands now, colleges held still: a rename racing this acceptance
        // has either moved the invitation along already or waits for it.
        db::lock_on(&txn, organization_id).await?;
        let college = invitation::Entity::find_by_id(invitation.id)
            .one(&txn)
            .await?
            .and_then(|invitation| invitation.college);
        if let Some(college) = college {
            put_on_roster(&txn, organization_id, user_id, &college).await?;
        }
    }
    audit::record(
        &txn,
        AuditEntry::by(
            user_id,
            "user.invitation_accepted",
            "user",
            user_id,
            json!({ "organization_id": invitation.organization_id, "role": invitation.role }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
