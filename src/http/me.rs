use super::API_PREFIX;
use super::extract::Json;
use crate::auth::access::authorize;
use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::Principal,
    domain::{Lang, api_token, display_name::DisplayName, validation::FieldError},
    error::{self, ApiError},
    services::{
        accounts::{self, Account},
        api_tokens::{self, ApiToken, NewToken},
        privacy::{self, PersonalData},
    },
    state::AppState,
};

/// Get the caller's own account
///
/// The account behind the bearer token, with its roles and its `email_verified` and
/// `platform_admin` flags. Any valid token.
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"language": "en"}))]
pub struct UpdateMeRequest {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*[^\s\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0][^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*$"
    )]
    pub display_name: Option<String>,
    /// The language the account's emails are written in.
    pub language: Option<Lang>,
}

/// Change the caller's own display name or language
///
/// The account behind the bearer token changes its display name and the language its emails are
/// written in (`fr` or `en`); each change is audited. Any valid token that may write.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = UpdateMeRequest,
    responses(
        (status = 200, description = "The caller's account", body = Account),
        error::JsonWriteErrors,
    )
)]
#[patch("/me", wrap = "from_fn(authorize)")]
pub async fn update_me(
    state: web::Data<AppState>,
    caller: Principal,
    body: Json<UpdateMeRequest>,
) -> Result<web::Json<Account>, ApiError> {
    let body = body.into_inner();
    let display_name = body
        .display_name
        .as_deref()
        .map(DisplayName::parse)
        .transpose()
        .map_err(|error| ApiError::Validation(vec![error.on("display_name")]))?;
    Ok(web::Json(
        accounts::update_own(&state.db, &caller, display_name, body.language).await?,
    ))
}

/// Export the caller's personal data
///
/// Everything the service holds about the caller (GDPR access and portability): the account, staff
/// memberships, sessions (never their tokens), API tokens, applications with their attachments'
/// metadata, and the audit events the caller caused or that concern their account. Any valid token.
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

/// Erase the caller's account (GDPR erasure)
///
/// Asks for the account's password again (a wrong one gets 422; rate-limited like logins): erasure
/// cannot be undone. Drafts are deleted with their attachments; submitted and withdrawn
/// applications lose their contact details and their link to the account but keep the description
/// of the action (the organizer's and, for laureates, the public record). The account is anonymised
/// (no email, name or password; disabled) rather than deleted, so that a juror's submitted
/// scorecards and a councillor's record of having voted stay whole; its roles, sessions and staff
/// memberships are deleted.
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
    body: Json<EraseRequest>,
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Export nightly", "read_only": true, "expires_in_days": 90}))]
pub struct NewApiTokenRequest {
    /// What it is for (1 to 100 characters).
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*[^\s\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0][^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*$"
    )]
    pub name: String,
    /// Reads only (`GET`, `HEAD`): anything else is refused with 403.
    pub read_only: bool,
    /// The organizations it may act on as staff (among those you manage); absent: all of them.
    #[schema(max_items = 50)]
    pub organizations: Option<Vec<Uuid>>,
    /// Days until it expires: 1 to 365, 90 when absent.
    #[schema(minimum = 1, maximum = 365)]
    pub expires_in_days: Option<i64>,
}

/// A new token, with its secret: shown this once, stored only as a hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiToken {
    /// Send as `Authorization: Bearer …`.
    #[schema(example = "pxc_3q2+7w…")]
    pub token: String,
    #[serde(flatten)]
    pub details: ApiToken,
}

/// Create an API token for scripts
///
/// A named bearer token expiring after 1 to 365 days (90 by default), read-only (`GET` and `HEAD`
/// only, anything else 403) or read-write, possibly limited to some of the organizations you
/// manage. It acts with your account's rights as they are when it is used: a role you lose, it
/// loses. The token is in this answer only, and an account holds at most 20 live tokens (409
/// `too_many_tokens`). Tokens cannot create tokens: log in for that (403 otherwise).
#[utoipa::path(
    tag = "auth",
    request_body = NewApiTokenRequest,
    responses(
        (status = 201, description = "The token, shown once", body = CreatedApiToken),
        error::JsonWriteErrors,
    )
)]
#[post("/me/tokens", wrap = "from_fn(authorize)")]
pub async fn create_api_token(
    state: web::Data<AppState>,
    caller: Principal,
    body: Json<NewApiTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut errors = Vec::new();
    let name = DisplayName::parse(&body.name)
        .map_err(|error| errors.push(error.on("name")))
        .ok();
    let days = api_token::parse_days(body.expires_in_days)
        .map_err(|error| errors.push(error.on("expires_in_days")))
        .unwrap_or_default();
    if body
        .organizations
        .as_ref()
        .is_some_and(|ids| ids.len() > 50)
    {
        errors.push(FieldError::new(
            "organizations",
            "invalid_value",
            text!("field-at-most-50"),
        ));
    }
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    let (details, token) = api_tokens::create(
        &state.db,
        &caller,
        NewToken {
            name: name.into_inner(),
            read_only: body.read_only,
            organizations: body.organizations,
            days,
        },
    )
    .await?;
    Ok(super::created(
        format!("{API_PREFIX}/me/tokens/{}", details.id),
        CreatedApiToken { token, details },
    ))
}

/// List your live API tokens
///
/// Your tokens that are neither revoked nor expired, newest first, without their secrets (revoked
/// and expired ones are in the audit trail). From a logged-in session only: an API token gets 403.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "The caller's live tokens (revoked and expired ones are in the audit trail)", body = Vec<ApiToken>),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 500, response = error::InternalError),
    )
)]
#[get("/me/tokens", wrap = "from_fn(authorize)")]
pub async fn list_api_tokens(
    state: web::Data<AppState>,
    caller: Principal,
) -> Result<web::Json<Vec<ApiToken>>, ApiError> {
    Ok(web::Json(api_tokens::list(&state.db, &caller).await?))
}

/// Get one of your API tokens
///
/// One of your tokens, live or not, with when and from where it was last used, without its secret.
/// Another account's token is 404; from a logged-in session only (an API token gets 403).
#[utoipa::path(
    tag = "auth",
    params(("id" = Uuid, Path, description = "Token id")),
    responses(
        (status = 200, description = "The token", body = ApiToken),
        error::ResourceErrors,
    )
)]
#[get("/me/tokens/{id}", wrap = "from_fn(authorize)")]
pub async fn get_api_token(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<ApiToken>, ApiError> {
    Ok(web::Json(
        api_tokens::find(&state.db, &caller, id.into_inner()).await?,
    ))
}

/// Revoke one of your API tokens
///
/// Revokes the token at once; revoking it again changes nothing. Another account's token is 404;
/// from a logged-in session only (an API token gets 403).
#[utoipa::path(
    tag = "auth",
    params(("id" = Uuid, Path, description = "Token id")),
    responses(
        (status = 204, description = "Revoked (again: no change)"),
        error::ResourceErrors,
    )
)]
#[delete("/me/tokens/{id}", wrap = "from_fn(authorize)")]
pub async fn revoke_api_token(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    api_tokens::revoke(&state.db, &caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
