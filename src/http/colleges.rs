//! An organization's colleges: read by anyone, kept by its staff.
use actix_web::middleware::from_fn;
use actix_web::{HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{API_PREFIX, extract::Json};
use crate::{
    auth::{Principal, access::authorize},
    domain::college,
    error::{self, ApiError},
    services::colleges::{self, College},
    state::AppState,
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Collège 3 — associations"}))]
pub struct CollegeRequest {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*[^\s\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0][^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*$"
    )]
    pub name: String,
}

impl CollegeRequest {
    fn name(&self) -> Result<String, ApiError> {
        college::parse_name(&self.name)
            .map_err(|error| ApiError::Validation(vec![error.on("name")]))
    }
}

fn location(organization_id: Uuid, id: Uuid) -> String {
    format!("{API_PREFIX}/organizations/{organization_id}/colleges/{id}")
}

/// List an organization's colleges
///
/// The groups its councillors belong to (the CESER's four), in order: a bounded list (at most
/// 20). Anyone, without a token: an assembly's composition is public.
#[utoipa::path(
    tag = "organizations",
    params(("id" = Uuid, Path, description = "Organization id")),
    responses(
        (status = 200, description = "The colleges", body = Vec<College>),
        error::PublicResourceErrors,
    )
)]
#[get("/organizations/{id}/colleges", wrap = "from_fn(authorize)")]
pub async fn list_colleges(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<College>>, ApiError> {
    Ok(web::Json(colleges::list(&state.db, id.into_inner()).await?))
}

/// Create a college
///
/// Staff of the organization (others get 404). At most 20 colleges (409 `too_many_colleges`), each
/// name unique in the organization (409 `college_name_taken`); the new college comes last. Councillors
/// are then put in it by name (roster import, or a councillor's college). Audited.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organization id")),
    request_body = CollegeRequest,
    responses(
        (status = 201, description = "The college", body = College),
        error::JsonWriteErrors,
    )
)]
#[post("/organizations/{id}/colleges", wrap = "from_fn(authorize)")]
pub async fn create_college(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: Json<CollegeRequest>,
) -> Result<HttpResponse, ApiError> {
    let organization_id = id.into_inner();
    let college = colleges::create(&state.db, &caller, organization_id, body.name()?).await?;
    Ok(super::created(
        location(organization_id, college.id),
        college,
    ))
}

/// Rename a college
///
/// Its councillors and the pending invitations to it follow. Staff of the organization (others get
/// 404); the name stays unique in the organization (409 `college_name_taken`). Audited.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Organization id"),
        ("college_id" = Uuid, Path, description = "College id"),
    ),
    request_body = CollegeRequest,
    responses(
        (status = 200, description = "The renamed college", body = College),
        error::JsonWriteErrors,
    )
)]
#[put(
    "/organizations/{id}/colleges/{college_id}",
    wrap = "from_fn(authorize)"
)]
pub async fn rename_college(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<CollegeRequest>,
) -> Result<web::Json<College>, ApiError> {
    let (organization_id, college_id) = path.into_inner();
    let name = body.name()?;
    Ok(web::Json(
        colleges::rename(&state.db, &caller, organization_id, college_id, name).await?,
    ))
}

/// Delete a college
///
/// Only once nobody is in it or invited to it (409 `college_in_use`): move its councillors first.
/// Staff of the organization (others get 404). Audited.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Organization id"),
        ("college_id" = Uuid, Path, description = "College id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        error::ResourceErrors,
    )
)]
#[delete(
    "/organizations/{id}/colleges/{college_id}",
    wrap = "from_fn(authorize)"
)]
pub async fn delete_college(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (organization_id, college_id) = path.into_inner();
    colleges::delete(&state.db, &caller, organization_id, college_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
