//! Registration and the proof of the address, login, refresh, logout and password reset. Each
//! is rate-limited per client IP, and emails per address.
use super::extract::Json;
use super::language::Language;
use crate::auth::access::authorize;
use crate::domain::Lang;
use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, HttpResponse, post, web};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    auth::Principal,
    domain::{DisplayName, Email, FieldError, Password, Role},
    error::{self, ApiError},
    http::ballots::VerificationSent,
    services::{
        accounts::NewAccount,
        addresses,
        sessions::{self, SessionConfig, TokenPair},
    },
    state::AppState,
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "claire.martin@example.fr", "password": "correct horse battery", "display_name": "Claire Martin"}))]
pub struct RegisterRequest {
    /// At most 254 characters; compared case-insensitively.
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// 12 to 128 characters.
    #[schema(format = Password, min_length = 12, max_length = 128)]
    pub password: String,
    /// 1 to 100 characters.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*[^\s\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0][^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*$"
    )]
    pub display_name: String,
}

/// Parses the fields every new account has, reporting every invalid one; `roles` come from
/// the caller's context.
pub fn parse_new_account(
    email: &str,
    password: &str,
    display_name: &str,
    roles: Vec<Role>,
    language: Lang,
) -> Result<NewAccount, Vec<FieldError>> {
    let email = Email::parse(email).map_err(|e| e.on("email"));
    let password = Password::parse(password).map_err(|e| e.on("password"));
    let display_name = DisplayName::parse(display_name).map_err(|e| e.on("display_name"));
    match (email, password, display_name) {
        (Ok(email), Ok(password), Ok(display_name)) => Ok(NewAccount {
            email,
            password,
            display_name,
            roles,
            platform_admin: false,
            // Proved through the emailed link, unless a platform admin vouches for it.
            email_verified: false,
            language,
        }),
        (email, password, display_name) => Err([email.err(), password.err(), display_name.err()]
            .into_iter()
            .flatten()
            .collect()),
    }
}

async fn limit_attempts(state: &AppState, request: &HttpRequest) -> Result<(), ApiError> {
    state
        .auth_limiter
        .check_client(request, &state.settings.trusted_proxies)
        .await
}

fn session_config(state: &AppState) -> SessionConfig<'_> {
    SessionConfig {
        jwt: &state.jwt,
        refresh_ttl: state.settings.refresh_token_ttl,
    }
}

/// Register an applicant account
///
/// Anyone may register; the account gets the `applicant` role only, and roles or any other field
/// are rejected. A link to confirm the address (valid 48 hours) is emailed: until it is followed,
/// the applicant can log in and draft, but not submit, and the account can be given no role. The
/// answer is the same when the address already has an account (that email then says so), so that
/// registering tells nobody who has an account. Rate-limited per client IP and per address (429).
#[utoipa::path(
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 202, description = "A confirmation link is on its way to the address", body = VerificationSent, example = json!({"status": "sent"})),
        error::PublicJsonErrors,
    )
)]
#[post("/auth/register", wrap = "from_fn(authorize)")]
pub async fn register(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: Json<RegisterRequest>,
    Language(lang): Language,
) -> Result<HttpResponse, ApiError> {
    limit_attempts(&state, &request).await?;
    let body = body.into_inner();
    // The account's emails are written in the language it registered in.
    let new = parse_new_account(
        &body.email,
        &body.password,
        &body.display_name,
        vec![Role::Applicant],
        lang,
    )?;
    limit_emails_to(&state, new.email.as_str()).await?;
    addresses::register(&state.db, &links(&state), new).await?;
    Ok(sent())
}

fn links(state: &AppState) -> addresses::Links {
    addresses::Links {
        verify_email: state.settings.verify_email_url.clone(),
        reset_password: state.settings.password_reset_url.clone(),
    }
}

/// What the operations that email a link to an address share: the limits, a valid address,
/// and the same answer at once. The look-up and the email run after answering: whether the
/// address has an account must not show in the time the answer takes.
async fn email_a_link<F, W>(
    state: &AppState,
    request: &HttpRequest,
    email: &str,
    send: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(DatabaseConnection, addresses::Links, Email) -> W,
    W: Future<Output = Result<(), ApiError>> + 'static,
{
    limit_attempts(state, request).await?;
    let email = Email::parse(email).map_err(|error| error.on("email"))?;
    limit_emails_to(state, email.as_str()).await?;
    let work = send(state.db.clone(), links(state), email);
    actix_web::rt::spawn(async move {
        if let Err(error) = work.await {
            tracing::error!(error = %error, "sending an address email failed");
        }
    });
    Ok(sent())
}

fn sent() -> HttpResponse {
    HttpResponse::Accepted().json(VerificationSent { status: "sent" })
}

/// Emails to one address are limited, so that nobody can flood a mailbox through the API.
async fn limit_emails_to(state: &AppState, email: &str) -> Result<(), ApiError> {
    state
        .address_email_limiter
        .check(email.trim().to_lowercase())
        .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "claire.martin@example.fr"}))]
pub struct EmailRequest {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"token": "q3Hc0Yw5m2k8n1V6tZpLrX9sD4fG7hJ0aB2cE5uWiOk"}))]
pub struct TokenOnly {
    /// The token from the emailed link.
    #[schema(min_length = 1, max_length = 100)]
    pub token: String,
}

/// Confirm the account's email address
///
/// Confirms the address with the token of the emailed link (single use, valid 48 hours), logged in
/// as that account. A link cannot confirm an account someone else registered with its holder's
/// address (its holder takes it over with a password reset instead): another account's token is
/// answered like an unknown one, `422 invalid_token`. Rate-limited per client IP.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = TokenOnly,
    responses(
        (status = 204, description = "The address is confirmed"),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        error::PublicJsonErrors,
    )
)]
#[post("/auth/email/verify", wrap = "from_fn(authorize)")]
pub async fn verify_email(
    state: web::Data<AppState>,
    request: HttpRequest,
    caller: Principal,
    body: Json<TokenOnly>,
) -> Result<HttpResponse, ApiError> {
    limit_attempts(&state, &request).await?;
    addresses::verify_email(&state.db, caller.id, &body.token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Resend the address confirmation link
///
/// Emails a new confirmation link when the address belongs to an enabled account whose address is
/// not yet confirmed; the answer is the same otherwise, and it is given before any lookup, so it
/// tells nobody who has an account. Anyone, without a token; rate-limited per client IP and per
/// address.
#[utoipa::path(
    tag = "auth",
    request_body = EmailRequest,
    responses(
        (status = 202, description = "A link is on its way if the address has an unconfirmed account", body = VerificationSent, example = json!({"status": "sent"})),
        error::PublicJsonErrors,
    )
)]
#[post("/auth/email/resend", wrap = "from_fn(authorize)")]
pub async fn resend_verification(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: Json<EmailRequest>,
) -> Result<HttpResponse, ApiError> {
    email_a_link(
        &state,
        &request,
        &body.email,
        |db, links, email| async move { addresses::resend_verification(&db, &links, &email).await },
    )
    .await
}

/// Request a password reset link
///
/// Emails a single-use link, valid one hour, to choose a new password, when the address belongs to
/// an enabled account; the answer is the same otherwise. Anyone, without a token; rate-limited per
/// client IP and per address.
#[utoipa::path(
    tag = "auth",
    request_body = EmailRequest,
    responses(
        (status = 202, description = "A link is on its way if the address has an account", body = VerificationSent, example = json!({"status": "sent"})),
        error::PublicJsonErrors,
    )
)]
#[post("/auth/password/forgot", wrap = "from_fn(authorize)")]
pub async fn forgot_password(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: Json<EmailRequest>,
) -> Result<HttpResponse, ApiError> {
    email_a_link(
        &state,
        &request,
        &body.email,
        |db, links, email| async move { addresses::request_password_reset(&db, &links, &email).await },
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"token": "q3Hc0Yw5m2k8n1V6tZpLrX9sD4fG7hJ0aB2cE5uWiOk", "password": "a new long password"}))]
pub struct PasswordReset {
    /// The token from the emailed link.
    #[schema(min_length = 1, max_length = 100)]
    pub token: String,
    #[schema(format = Password, min_length = 12, max_length = 128)]
    pub password: String,
}

/// Choose a new password with a reset link
///
/// Sets the password with the token of the emailed link. Every session of the account ends (log in
/// again), its API tokens are revoked and its other reset links stop working; the link also
/// confirms the address. An unknown, used or expired link gets `422 invalid_token`; rate-limited
/// per client IP.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordReset,
    responses(
        (status = 204, description = "The password is changed: log in with `POST /api/v1/auth/token`"),
        error::PublicJsonErrors,
    )
)]
#[post("/auth/password/reset", wrap = "from_fn(authorize)")]
pub async fn reset_password(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: Json<PasswordReset>,
) -> Result<HttpResponse, ApiError> {
    limit_attempts(&state, &request).await?;
    let password = Password::parse(&body.password)
        .map_err(|error| ApiError::Validation(vec![error.on("password")]))?;
    addresses::reset_password(&state.db, &body.token, password).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "claire.martin@example.fr", "password": "correct horse battery"}))]
pub struct TokenRequest {
    #[schema(max_length = 254)]
    pub email: String,
    #[schema(format = Password, max_length = 128)]
    pub password: String,
}

/// Log in with email and password
///
/// Returns a short-lived access token (15 minutes by default) and a single-use refresh token. An
/// unknown email, a wrong password and a disabled account get the same `401 invalid_credentials`.
/// Anyone, without a token; rate-limited per client IP (429 with `Retry-After`).
#[utoipa::path(
    tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenPair),
        (status = 400, response = error::BadRequest),
        (status = 401, response = error::Unauthorized),
        (status = 413, response = error::PayloadTooLarge),
        (status = 415, response = error::UnsupportedMediaType),
        (status = 422, response = error::ValidationFailed),
        (status = 429, response = error::TooManyRequests),
        (status = 500, response = error::InternalError),
    )
)]
#[post("/auth/token", wrap = "from_fn(authorize)")]
pub async fn issue_token(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: Json<TokenRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    limit_attempts(&state, &request).await?;
    let TokenRequest { email, password } = body.into_inner();
    let tokens = sessions::login(&state.db, session_config(&state), &email, password).await?;
    Ok(web::Json(tokens))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "q3Hc0Yw5m2k8n1V6tZpLrX9sD4fG7hJ0aB2cE5uWiOk"}))]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Exchange a refresh token for a new token pair
///
/// Refresh tokens rotate: each is valid once. Presenting an already-used token revokes every token
/// of its session, and the user must log in again. An unknown, expired or revoked token, or a
/// disabled account, gets `401 invalid_refresh_token`.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New token pair", body = TokenPair),
        (status = 400, response = error::BadRequest),
        (status = 401, response = error::Unauthorized),
        (status = 413, response = error::PayloadTooLarge),
        (status = 415, response = error::UnsupportedMediaType),
        (status = 422, response = error::ValidationFailed),
        (status = 500, response = error::InternalError),
    )
)]
#[post("/auth/refresh", wrap = "from_fn(authorize)")]
pub async fn refresh_session(
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let tokens = sessions::refresh(&state.db, session_config(&state), &body.refresh_token).await?;
    Ok(web::Json(tokens))
}

/// End a session
///
/// Revokes the refresh token and every token rotated from the same login; access tokens already
/// issued stay valid until they expire. Always answers 204, whether or not the token was known. No
/// bearer token is needed: the refresh token in the body names the session.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Session ended"),
        (status = 400, response = error::BadRequest),
        (status = 413, response = error::PayloadTooLarge),
        (status = 415, response = error::UnsupportedMediaType),
        (status = 422, response = error::ValidationFailed),
        (status = 500, response = error::InternalError),
    )
)]
#[post("/auth/logout", wrap = "from_fn(authorize)")]
pub async fn logout(
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    sessions::logout(&state.db, &body.refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}
