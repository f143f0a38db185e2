use crate::auth::access::authorize;
use actix_web::middleware::from_fn;
use actix_web::{HttpResponse, delete, get, web};

use crate::{
    auth::Principal,
    error::{self, ApiError},
    services::{
        accounts::{self, Account},
        privacy::{self, PersonalData},
    },
    startup::AppState,
};

/// The caller's own account.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's account", body = Account),
        (status = 401, response = error::Unauthorized),
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

/// Erase the caller's account (GDPR erasure).
///
/// Drafts are deleted; submitted files lose their contact details and their link to the
/// account but keep the description of the action (the organizer's and, for laureates, the
/// public record); the account, its sessions and roles are deleted.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Erased"),
        (status = 401, response = error::Unauthorized),
        (status = 500, response = error::InternalError),
    )
)]
#[delete("/me", wrap = "from_fn(authorize)")]
pub async fn delete_me(
    state: web::Data<AppState>,
    caller: Principal,
) -> Result<HttpResponse, ApiError> {
    privacy::erase(&state.db, &state.storage, &caller).await?;
    Ok(HttpResponse::NoContent().finish())
}
