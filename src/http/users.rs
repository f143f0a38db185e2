//! Staff management of accounts.
use super::extract::Json;
use crate::auth::access::authorize;
use actix_web::middleware::from_fn;
use actix_web::{HttpResponse, get, patch, post, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::API_PREFIX;
use super::auth::parse_new_account;
use super::extract::Query;
use super::language::Language;
use crate::{
    auth::Principal,
    domain::{
        DisplayName, FieldError, Role,
        pagination::{Page, PageRequest},
    },
    error::{self, ApiError},
    services::accounts::{self, Account, AccountChanges, AccountFilter, NewAccount},
    state::AppState,
};

fn check_roles(field: &str, roles: &[Role], allow_empty: bool) -> Result<(), FieldError> {
    if let Some(role) = roles.iter().find(|role| !role.is_assignable_to_account()) {
        return Err(FieldError::new(
            field,
            "invalid_value",
            text!("field-unknown-role", role),
        ));
    }
    if roles.is_empty() && !allow_empty {
        return Err(FieldError::new(
            field,
            "required",
            text!("field-at-least-one-role-is"),
        ));
    }
    Ok(())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "jury1@example.fr", "password": "a long jury password", "display_name": "Jeanne Juré", "roles": ["jury", "councillor"]}))]
pub struct CreateUserRequest {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    #[schema(format = Password, min_length = 12, max_length = 128)]
    pub password: String,
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*[^\s\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0][^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*$"
    )]
    pub display_name: String,
    /// One or more of `admin`, `applicant`, `jury`, `councillor`.
    #[schema(min_items = 1, value_type = Vec<crate::openapi::rules::AssignableRole>)]
    pub roles: Vec<Role>,
}

/// Create an account with any roles
///
/// Platform admins only (other admins get 403): an organization's staff bring people in through
/// invitations instead. The account gets one or more of `admin`, `applicant`, `jury`, `councillor`,
/// and its address counts as confirmed, vouched for by the platform admin. An address that already
/// has an account gets 409 `email_taken`.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "Account created", body = Account),
        (status = 400, response = error::BadRequest),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),

        (status = 413, response = error::PayloadTooLarge),
        (status = 415, response = error::UnsupportedMediaType),
        (status = 422, response = error::ValidationFailed),
        (status = 500, response = error::InternalError),
    )
)]
#[post("/users", wrap = "from_fn(authorize)")]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Principal,
    body: Json<CreateUserRequest>,
    Language(lang): Language,
) -> Result<HttpResponse, ApiError> {
    // An organization's staff bring people in through invitations (roster, jury), which the
    // invited person accepts; only a platform admin creates accounts outright.
    if !caller.platform_admin {
        return Err(ApiError::Forbidden);
    }
    let body = body.into_inner();
    let roles_error = check_roles("roles", &body.roles, false).err();
    let new = match (
        parse_new_account(
            &body.email,
            &body.password,
            &body.display_name,
            body.roles,
            lang,
        ),
        roles_error,
    ) {
        (Ok(new), None) => new,
        (new, roles_error) => {
            return Err(ApiError::Validation(
                new.err()
                    .unwrap_or_default()
                    .into_iter()
                    .chain(roles_error)
                    .collect(),
            ));
        }
    };
    // The platform admin vouches for the address of an account they create.
    let new = NewAccount {
        email_verified: true,
        ..new
    };
    let account = accounts::create(&state.db, Some(caller.id), new).await?;
    Ok(super::created(
        format!("{API_PREFIX}/users/{}", account.id),
        account,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListUsersQuery {
    /// Only accounts holding this role.
    pub role: Option<Role>,
    /// Only accounts whose email contains this text (case-insensitive).
    #[param(max_length = 254)]
    pub email: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]*$", max_length = 400)]
    pub cursor: Option<String>,
}

/// List accounts, oldest first
///
/// Admins: a platform admin sees every account; an organization's staff see only their people (its
/// staff, the jury of its editions, its councillors and the applicants of its editions), never a
/// platform admin or another organization's staff. Filter by `role` or by part of the `email`
/// (case-insensitive); paged with `limit` and `cursor`.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(ListUsersQuery),
    responses(
        (status = 200, description = "A page of accounts", body = Page<Account>),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 422, response = error::ValidationFailed),
        (status = 500, response = error::InternalError),
    )
)]
#[get("/users", wrap = "from_fn(authorize)")]
pub async fn list_users(
    state: web::Data<AppState>,
    caller: Principal,
    query: Query<ListUsersQuery>,
) -> Result<web::Json<Page<Account>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    if query
        .email
        .as_ref()
        .is_some_and(|email| email.chars().count() > 254)
    {
        return Err(ApiError::invalid(
            "email",
            "too_long",
            text!("field-must-be-at-most-characters", max = 254),
        ));
    }
    let filter = AccountFilter {
        role: query.role,
        email_contains: query.email,
    };
    Ok(web::Json(
        accounts::list(&state.db, &caller, filter, page).await?,
    ))
}

/// Get one account
///
/// Admins: a platform admin reads any account; an organization's staff read only their people (its
/// staff, jurors, councillors and the applicants of its editions). Anyone else gets 404.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Account id")),
    responses(
        (status = 200, description = "The account", body = Account),
        error::ResourceErrors,
    )
)]
#[get("/users/{id}", wrap = "from_fn(authorize)")]
pub async fn get_user(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Account>, ApiError> {
    Ok(web::Json(
        accounts::find(&state.db, &caller, id.into_inner()).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"roles": ["jury"], "disabled": false}))]
pub struct UpdateUserRequest {
    /// Replaces the account's roles (may be empty).
    #[schema(value_type = Option<Vec<crate::openapi::rules::AssignableRole>>)]
    pub roles: Option<Vec<Role>>,
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*[^\s\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0][^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*$"
    )]
    pub display_name: Option<String>,
    /// A disabled account can neither log in nor refresh, and its tokens stop working.
    pub disabled: Option<bool>,
}

/// Change an account's roles, display name or disabled flag
///
/// A platform admin changes any account; an organization's staff change only their staff, jurors
/// and councillors (an applicant of their editions gets 403, anyone else 404), and may only
/// withdraw the `jury` and `councillor` roles (403 otherwise). `roles` replaces the whole list;
/// adding a role needs a confirmed address (409 `email_unverified`), and nobody may remove their
/// own admin role or disable themselves (409 `cannot_lock_out_self`). Each change is audited, and
/// disabling an account ends its sessions and API tokens.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Account id")),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, description = "The updated account", body = Account),
        error::JsonWriteErrors,
    )
)]
#[patch("/users/{id}", wrap = "from_fn(authorize)")]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: Json<UpdateUserRequest>,
) -> Result<web::Json<Account>, ApiError> {
    let body = body.into_inner();
    let mut errors = Vec::new();
    if let Some(roles) = &body.roles {
        errors.extend(check_roles("roles", roles, true).err());
    }
    let display_name = match body
        .display_name
        .as_deref()
        .map(DisplayName::parse)
        .transpose()
    {
        Ok(name) => name,
        Err(error) => {
            errors.push(error.on("display_name"));
            None
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let changes = AccountChanges {
        roles: body.roles,
        display_name,
        disabled: body.disabled,
        language: None,
    };
    Ok(web::Json(
        accounts::update(&state.db, &caller, id.into_inner(), changes).await?,
    ))
}
