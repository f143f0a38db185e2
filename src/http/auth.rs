//! Registration, login, refresh and logout. Login and registration are rate-limited per client IP.
use crate::auth::access::authorize;
use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::client_ip::client_ip;
use crate::{
    domain::{DisplayName, Email, FieldError, Password, Role},
    error::{self, ApiError},
    services::{
        accounts::{self, Account, NewAccount},
        sessions::{self, SessionConfig, TokenPair},
    },
    startup::AppState,
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
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub display_name: String,
}

/// Parses the fields every new account has, reporting every invalid one; `roles` come from
/// the caller's context.
pub fn parse_new_account(
    email: &str,
    password: &str,
    display_name: &str,
    roles: Vec<Role>,
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
        }),
        (email, password, display_name) => Err([email.err(), password.err(), display_name.err()]
            .into_iter()
            .flatten()
            .collect()),
    }
}

fn limit_attempts(state: &AppState, request: &HttpRequest) -> Result<(), ApiError> {
    match client_ip(request, &state.settings.trusted_proxies) {
        Some(ip) => state.auth_limiter.check(ip),
        None => Ok(()),
    }
}

fn session_config(state: &AppState) -> SessionConfig<'_> {
    SessionConfig {
        jwt: &state.jwt,
        refresh_ttl: state.settings.refresh_token_ttl,
    }
}

/// Create an applicant account.
///
/// Anyone may register; the account gets the `applicant` role only. Roles and any other field
/// are rejected.
#[utoipa::path(
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created", body = Account),
        (status = 400, response = error::BadRequest),
        (status = 409, response = error::Conflict),
        (status = 413, response = error::PayloadTooLarge),
        (status = 415, response = error::UnsupportedMediaType),
        (status = 422, response = error::ValidationFailed),
        (status = 429, response = error::TooManyRequests),
        (status = 500, response = error::InternalError),
    )
)]
#[post("/auth/register", wrap = "from_fn(authorize)")]
pub async fn register(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    limit_attempts(&state, &request)?;
    let body = body.into_inner();
    let new = parse_new_account(
        &body.email,
        &body.password,
        &body.display_name,
        vec![Role::Applicant],
    )?;
    let account = accounts::create(&state.db, None, new).await?;
    Ok(HttpResponse::Created().json(account))
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

/// Log in with email and password.
///
/// Returns a short-lived access token and a single-use refresh token. An unknown email, a
/// wrong password and a disabled account get the same `401 invalid_credentials`.
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
    body: web::Json<TokenRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    limit_attempts(&state, &request)?;
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

/// Exchange a refresh token for a new token pair.
///
/// Refresh tokens rotate: each is valid once. Presenting an already-used token revokes every
/// token of its session, and the user must log in again.
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
    body: web::Json<RefreshRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let tokens = sessions::refresh(&state.db, session_config(&state), &body.refresh_token).await?;
    Ok(web::Json(tokens))
}

/// End a session.
///
/// Revokes the refresh token and every token rotated from the same login. Always answers 204,
/// whether or not the token was known.
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
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    sessions::logout(&state.db, &body.refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}
