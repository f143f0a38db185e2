//! Proving that people own their address: registration confirmed by an emailed link, password
//! reset by email. Every answer is the same whether or not an account has the address, so
//! that none of these operations tells who has an account.
use crate::domain::refusal::ProblemCode;
use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    auth::{password, secret_token},
    db,
    domain::{
        Email, Lang, Password,
        address_proof::{TokenPurpose, is_usable},
    },
    entities::{account_token, user},
    error::ApiError,
    services::{
        accounts::{self, AccountRecord, NewAccount},
        audit::{self, AuditEntry},
        mail::{self, Letter, Template},
    },
};

/// Where emailed links point: the front end's pages, to which the token is appended.
#[derive(Clone)]
pub struct Links {
    pub verify_email: String,
    pub reset_password: String,
}

/// Stores a new token for `user_id` and returns it, to be emailed.
async fn issue(
    txn: &impl ConnectionTrait,
    user_id: Uuid,
    purpose: TokenPurpose,
) -> Result<String, ApiError> {
    let token = secret_token::generate();
    let now = db::now();
    account_token::Entity::insert(account_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        purpose: Set(purpose.as_str().to_owned()),
        token_hash: Set(secret_token::digest(&token)),
        expires_at: Set(now + purpose.lifetime()),
        used_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(token)
}

fn invalid_token() -> ApiError {
    ApiError::invalid(
        "token",
        "invalid_token",
        text!("field-this-link-is-unknown-already"),
    )
}

/// The usable token of this purpose, read without using it up (a cheap check before any
/// costly work).
async fn usable(
    db: &impl ConnectionTrait,
    purpose: TokenPurpose,
    token: &str,
) -> Result<account_token::Model, ApiError> {
    account_token::Entity::find()
        .filter(account_token::Column::TokenHash.eq(secret_token::digest(token)))
        .filter(account_token::Column::Purpose.eq(purpose.as_str()))
        .one(db)
        .await?
        .filter(|model| is_usable(model.used_at, model.expires_at, Utc::now()))
        .ok_or_else(invalid_token)
}

/// Uses the token up; only one of two racing requests succeeds.
async fn use_up(txn: &impl ConnectionTrait, token: &account_token::Model) -> Result<(), ApiError> {
    let used = account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(db::now()))
        .filter(account_token::Column::Id.eq(token.id))
        .filter(account_token::Column::UsedAt.is_null())
        .exec(txn)
        .await?
        .rows_affected;
    if used == 1 {
        Ok(())
    } else {
        Err(invalid_token())
    }
}

async fn mark_verified(txn: &impl ConnectionTrait, user_id: Uuid) -> Result<(), ApiError> {
    user::Entity::update_many()
        .col_expr(user::Column::EmailVerifiedAt, Expr::value(db::now()))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::EmailVerifiedAt.is_null())
        .exec(txn)
        .await?;
    Ok(())
}

/// Registers an applicant and emails a link to confirm the address. When the address already
/// has an account, nothing changes and the email says so: the answer and the time taken are
/// the same either way.
#[tracing::instrument(skip_all)]
pub async fn register(
    db: &DatabaseConnection,
    links: &Links,
    new: NewAccount,
) -> Result<(), ApiError> {
    // Hashed in both cases, so that both take the same time.
    let password_hash = password::hash(new.password).await?;
    let email = new.email.as_str().to_owned();
    let txn = db::begin_write(db).await?;
    if let Some(existing) = accounts::find_by_email(&txn, &new.email).await? {
        tell_existing(&txn, &existing).await?;
        txn.commit().await?;
        return Ok(());
    }
    let record = AccountRecord {
        email: email.clone(),
        password_hash,
        display_name: new.display_name.into_inner(),
        roles: new.roles,
        platform_admin: false,
        email_verified: false,
        language: new.language,
    };
    match accounts::insert(&txn, None, record).await {
        Ok(account) => {
            send_verification(&txn, links, account.id, &account.email, account.language).await?;
            txn.commit().await?;
        }
        // A concurrent registration of the same address won the race.
        Err(ApiError::Conflict {
            code: ProblemCode::EmailTaken,
            ..
        }) => {
            txn.rollback().await?;
            let txn = db::begin_write(db).await?;
            if let Some(existing) = accounts::find_by_email(&txn, &new.email).await? {
                tell_existing(&txn, &existing).await?;
            }
            txn.commit().await?;
        }
        Err(error) => return Err(error),
    }
    Ok(())
}

async fn tell_existing(txn: &impl ConnectionTrait, account: &user::Model) -> Result<(), ApiError> {
    let letter = Letter::new(
        Template::AccountExists,
        accounts::language_of(account),
        json!({}),
    );
    mail::send(txn, &account.email, letter).await
}

async fn send_verification(
    txn: &impl ConnectionTrait,
    links: &Links,
    user_id: Uuid,
    email: &str,
    lang: Lang,
) -> Result<(), ApiError> {
    let token = issue(txn, user_id, TokenPurpose::VerifyEmail).await?;
    let link = format!("{}{token}", links.verify_email);
    let letter = Letter::new(Template::AddressToConfirm, lang, json!({ "link": link }));
    mail::send(txn, email, letter).await
}

/// The enabled account with this address, if any.
async fn enabled_account(
    txn: &impl ConnectionTrait,
    email: &Email,
) -> Result<Option<user::Model>, ApiError> {
    Ok(accounts::find_by_email(txn, email)
        .await?
        .filter(|account| !account.disabled))
}

/// Emails a new confirmation link to an account whose address is not yet confirmed.
pub async fn resend_verification(
    db: &DatabaseConnection,
    links: &Links,
    email: &Email,
) -> Result<(), ApiError> {
    let txn = db::begin_write(db).await?;
    if let Some(account) = enabled_account(&txn, email).await?
        && account.email_verified_at.is_none()
    {
        let lang = accounts::language_of(&account);
        send_verification(&txn, links, account.id, &account.email, lang).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Confirms the address of the caller's account with the emailed token.
pub async fn verify_email(
    db: &DatabaseConnection,
    caller: Uuid,
    token: &str,
) -> Result<(), ApiError> {
    let txn = db::begin_write(db).await?;
    let token = usable(&txn, TokenPurpose::VerifyEmail, token).await?;
    // Another account's link is as unknown as any other.
    if token.user_id != caller {
        return Err(invalid_token());
    }
    use_up(&txn, &token).await?;
    mark_verified(&txn, token.user_id).await?;
    audit::record(
        &txn,
        AuditEntry::by(
            token.user_id,
            "user.email_verified",
            "user",
            token.user_id,
            json!({}),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Emails a link to choose a new password, if an enabled account has this address.
pub async fn request_password_reset(
    db: &DatabaseConnection,
    links: &Links,
    email: &Email,
) -> Result<(), ApiError> {
    let txn = db::begin_write(db).await?;
    if let Some(account) = enabled_account(&txn, email).await? {
        let token = issue(&txn, account.id, TokenPurpose::ResetPassword).await?;
        let link = format!("{}{token}", links.reset_password);
        let letter = Letter::new(
            Template::PasswordReset,
            accounts::language_of(&account),
            json!({ "link": link }),
        );
        mail::send(&txn, &account.email, letter).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Sets a new password with the emailed token; the link also proves the address. Every
/// session of the account ends, and the account's other reset links stop working.
pub async fn reset_password(
    db: &DatabaseConnection,
    token: &str,
    new_password: Password,
) -> Result<(), ApiError> {
    // The cheap check first: nobody makes the server hash a password without a valid link.
    usable(db, TokenPurpose::ResetPassword, token).await?;
    let password_hash = password::hash(new_password).await?;
    let txn = db::begin_write(db).await?;
    let token = usable(&txn, TokenPurpose::ResetPassword, token).await?;
    use_up(&txn, &token).await?;
    let user_id = token.user_id;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(password_hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(db::now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    mark_verified(&txn, user_id).await?;
    account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(db::now()))
        .filter(account_token::Column::UserId.eq(user_id))
        .filter(account_token::Column::Purpose.eq(TokenPurpose::ResetPassword.as_str()))
        .filter(account_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    accounts::revoke_all_sessions(&txn, user_id).await?;
    audit::record(
        &txn,
        AuditEntry::by(user_id, "user.password_reset", "user", user_id, json!({})),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
