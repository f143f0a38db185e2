use crate::auth::access::authorize;
use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, HttpResponse, delete, get, web};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    auth::Principal,
    error::{self, ApiError},
    services::{
        accounts::{self, Account},
        privacy::{self, PersonalData},
    },
    state::AppState,
};

/// The caller's own account.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's account", body = Account),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 500, response = error::InternalError),
    )
)]
#[get("/me", wrap = "from_fn(authorize)")]
pub async fn get_me(
    state: web::Data<AppState>,
    caller: Principal,
) -> Result<web::Json<Account>, ApiError> {
    Ok(web::Json(accounts::own(&state.db, caller.id).await?))
}

/// Everything the service holds about the caller (GDPR access and portability).
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's personal data", body = PersonalData),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 500, response = error::InternalError),
    )
)]
#[get("/me/export", wrap = "from_fn(authorize)")]
pub async fn export_me(
    state: web::Data<AppState>,
    caller: Principal,
) -> Result<web::Json<PersonalData>, ApiError> {
    Ok(web::Json(privacy::export(&state.db, &caller).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "correct horse battery"}))]
pub struct EraseRequest {
    /// The account's password, asked again: erasure cannot be undone.
    #[schema(format = Password, max_length = 128)]
    pub password: String,
}

/// Erase the caller's account (GDPR erasure).
///
/// Drafts are deleted; submitted applications lose their contact details and their link to the
/// account but keep the description of the action (the organizer's and, for laureates, the
/// public record). The account is anonymised (no email, name or password; disabled) rather than
/// deleted, so that a juror's submitted scorecards and a councillor's record of having voted
/// stay whole; its roles, sessions and staff memberships are deleted.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = EraseRequest,
    responses(
        (status = 204, description = "Erased"),
        (status = 400, response = error::BadRequest),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 413, response = error::PayloadTooLarge),
        (status = 415, response = error::UnsupportedMediaType),
        (status = 422, response = error::ValidationFailed),
        (status = 429, response = error::TooManyRequests),
        (status = 500, response = error::InternalError),
    )
)]
#[delete("/me", wrap = "from_fn(authorize)")]
pub async fn delete_me(
    state: web::Data<AppState>,
    request: HttpRequest,
    caller: Principal,
    body: web::Json<EraseRequest>,
) -> Result<HttpResponse, ApiError> {
    // The password is checked: limited like logins.
    state
        .auth_limiter
        .check_client(&request, &state.settings.trusted_proxies)
        .await?;
    privacy::erase(
        &state.db,
        &state.storage,
        &caller,
        body.into_inner().password,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
