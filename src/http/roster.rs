//! The councillor roster of an organization: imported as CSV by invitation, accepted by the
//! holder of each address, kept current by staff.
use super::extract::Json;
use crate::auth::access::authorize;
use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, post, put, web};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{extract::Query, organizations::PageQuery};
use crate::domain::pagination::Page;

use crate::{
    auth::Principal,
    domain::application::parse_text,
    error::{self, ApiError},
    services::{
        ballots::{self, Councillor},
        roster::{self, ImportSummary},
    },
    state::AppState,
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"college": "Collège 1 — entreprises et activités professionnelles"}))]
pub struct CouncillorRequest {
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub college: String,
}

/// Change the college of a councillor on the roster
///
/// Staff of the organization (others get 404). Only for an account holding the `councillor` role
/// (409 `not_a_councillor`) that is already on the roster (409 `not_on_roster`): nobody is put on
/// the roster here; the roster import invites people, who join when they accept. Only councillors
/// on the roster vote in the councillors' ballot.
#[utoipa::path(
    tag = "ballots", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organization id"), ("user_id" = Uuid, Path, description = "Councillor account")),
    request_body = CouncillorRequest,
    responses(
        (status = 200, description = "The councillor, in the new college", body = Councillor),
        error::JsonWriteErrors,
    )
)]
#[put(
    "/organizations/{id}/councillors/{user_id}",
    wrap = "from_fn(authorize)"
)]
pub async fn set_councillor(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<CouncillorRequest>,
) -> Result<web::Json<Councillor>, ApiError> {
    let (organization_id, user_id) = path.into_inner();
    let college = parse_text(&body.college, 1, 100)
        .map_err(|error| ApiError::Validation(vec![error.on("college")]))?;
    Ok(web::Json(
        ballots::set_councillor(&state.db, &caller, organization_id, user_id, college).await?,
    ))
}

/// List the organization's councillor roster
///
/// Each councillor's account id and college. Staff of the organization (others get 404); paged with
/// `limit` and `cursor`.
#[utoipa::path(
    tag = "ballots", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organization id"), PageQuery),
    responses(
        (status = 200, description = "A page of the roster", body = Page<Councillor>),
        error::ResourceErrors,
    )
)]
#[get("/organizations/{id}/councillors", wrap = "from_fn(authorize)")]
pub async fn list_councillors(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    query: Query<PageQuery>,
) -> Result<web::Json<Page<Councillor>>, ApiError> {
    let page = query.into_inner().parse()?;
    let roster = ballots::councillors(&state.db, &caller, id.into_inner()).await?;
    Ok(web::Json(page.page_of(roster, |councillor| {
        councillor.user_id.to_string()
    })))
}

/// Take a councillor off the roster
///
/// Removes the account from the roster and cancels its pending invitations to it, so that it no
/// longer votes in the councillors' ballot; it keeps its `councillor` role. Staff of the
/// organization (others get 404); 404 when the account is neither on the roster nor invited.
#[utoipa::path(
    tag = "ballots", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organization id"), ("user_id" = Uuid, Path, description = "Councillor account")),
    responses(
        (status = 204, description = "Removed"),
        error::ResourceErrors,
    )
)]
#[delete(
    "/organizations/{id}/councillors/{user_id}",
    wrap = "from_fn(authorize)"
)]
pub async fn remove_councillor(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (organization_id, user_id) = path.into_inner();
    ballots::remove_councillor(&state.db, &caller, organization_id, user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A councillor roster file.
#[derive(ToSchema)]
#[schema(value_type = String, pattern = r"^email,name,college\r?\n[^\r\n]*[^\s,][^\r\n]*", example = "email,name,college\nanne.dupont@example.fr,Anne Dupont,Collège 1 — entreprises\n")]
#[allow(dead_code)]
pub struct RosterCsv(String);

const MAX_ROSTER_BYTES: usize = 1024 * 1024;

/// Import the councillor roster from CSV
///
/// Staff of the organization (others get 404). Send `text/csv` (UTF-8, at most 1 MiB, with the
/// header `email,name,college`): every address not yet on the roster gets an emailed invitation
/// (valid 14 days) and joins the roster, with the `councillor` role, when its holder accepts;
/// councillors already on it have their college updated. A bad line is reported with its number and
/// nothing of the file is written; importing the same file again changes nothing.
#[utoipa::path(
    tag = "ballots", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organization id")),
    request_body(content = RosterCsv, content_type = "text/csv"),
    responses(
        (status = 200, description = "What the import did", body = ImportSummary, example = json!({"invited": 15, "updated": 1, "unchanged": 127})),
        (status = 400, response = error::BadRequest), (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound),
        (status = 413, response = error::PayloadTooLarge), (status = 415, response = error::UnsupportedMediaType),
        (status = 422, response = error::ValidationFailed), (status = 500, response = error::InternalError),
    )
)]
#[post("/organizations/{id}/councillors/import", wrap = "from_fn(authorize)")]
pub async fn import_councillors(
    state: web::Data<AppState>,
    caller: Principal,
    request: HttpRequest,
    id: web::Path<Uuid>,
    mut payload: web::Payload,
) -> Result<web::Json<ImportSummary>, ApiError> {
    let csv_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/csv") || value.starts_with("text/plain"));
    if !csv_type {
        return Err(ApiError::UnsupportedMediaType {
            expected: "text/csv",
        });
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = futures_util::StreamExt::next(&mut payload).await {
        let chunk = chunk.map_err(|error| {
            ApiError::MalformedRequest(text!("detail-body-unreadable", reason = error))
        })?;
        if body.len() + chunk.len() > MAX_ROSTER_BYTES {
            return Err(ApiError::PayloadTooLarge {
                limit: MAX_ROSTER_BYTES,
            });
        }
        body.extend_from_slice(&chunk);
    }
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::invalid("body", "invalid_format", text!("field-file-not-utf8")))?;
    let entries = crate::domain::roster::parse(text)?;
    Ok(web::Json(
        roster::import(
            &state.db,
            &caller,
            id.into_inner(),
            entries,
            &state.settings.invitation_url,
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"token": "q3Hc0Yw5m2k8n1V6tZpLrX9sD4fG7hJ0aB2cE5uWiOk", "password": "a long councillor password"}))]
pub struct AcceptInvitation {
    #[schema(min_length = 1, max_length = 100)]
    pub token: String,
    /// Required for a new account (it chooses its password now); refused for an account that
    /// has one, which accepts while logged in (with its bearer token) instead.
    #[schema(format = Password, min_length = 12, max_length = 128)]
    pub password: Option<String>,
}

/// Accept an invitation to a councillor roster
///
/// Accepts an invitation with the token from its email (single use, valid 14 days), which proves
/// the address. A new account sends `password` to choose it; an existing account sends none and
/// must be logged in as the invited account (401 without a token, 403 as another account). The
/// councillor role and the place on the roster exist only from now; a new account then logs in with
/// its password. Rate-limited like logins.
#[utoipa::path(
    tag = "auth",
    security((), ("bearer" = [])),
    request_body = AcceptInvitation,
    responses(
        (status = 204, description = "Accepted: log in (again) with `POST /api/v1/auth/token` to use the new role"),
        (status = 400, response = error::BadRequest), (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound),
        (status = 413, response = error::PayloadTooLarge), (status = 415, response = error::UnsupportedMediaType),
        (status = 422, response = error::ValidationFailed), (status = 429, response = error::TooManyRequests),
        (status = 500, response = error::InternalError),
    )
)]
#[post("/auth/invitations/accept", wrap = "from_fn(authorize)")]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    request: HttpRequest,
    caller: Option<Principal>,
    body: Json<AcceptInvitation>,
) -> Result<HttpResponse, ApiError> {
    state
        .auth_limiter
        .check_client(&request, &state.settings.trusted_proxies)
        .await?;
    let password = body
        .password
        .as_deref()
        .map(crate::domain::Password::parse)
        .transpose()
        .map_err(|error| ApiError::Validation(vec![error.on("password")]))?;
    roster::accept_invitation(&state.db, caller.as_ref(), &body.token, password).await?;
    Ok(HttpResponse::NoContent().finish())
}
