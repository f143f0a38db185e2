//! Organizers and their staff.
use super::extract::Json;
use crate::auth::access::authorize;
use actix_web::middleware::from_fn;
use actix_web::{HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::API_PREFIX;
use super::extract::Query;
use super::language::{ForReader, Language};
use super::public_cache;
use crate::{
    auth::Principal,
    domain::{
        Email, FieldError, departement,
        organization::{MAX_EMBED_ORIGINS, parse_embed_origin, parse_short_name},
        pagination::{Page, PageRequest},
        validation::{check_length, check_name},
    },
    error::{self, ApiError},
    services::organizations::{self, Organization, OrganizationFields, StaffMember},
    state::AppState,
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "short_name": "ceser-ara", "name": "CESER Auvergne-Rhône-Alpes", "region": "Auvergne-Rhône-Alpes",
    "default_departements": ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"],
    "contact_email": "prix@ceser-ara.example.fr",
    "postal_addresses": ["125 rue Smith, 69285 Lyon cedex 02", "59 Bd Léon Jouhaux, 63050 Clermont-Ferrand"]
}))]
pub struct OrganizationRequest {
    #[schema(pattern = r"^[a-z0-9][a-z0-9-]{0,30}[a-z0-9]$")]
    pub short_name: String,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*[^\s\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0][^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*$"
    )]
    pub name: String,
    #[serde(default)]
    #[schema(value_type = Option<crate::openapi::rules::EnglishName>, example = "CESER Auvergne-Rhône-Alpes")]
    pub name_en: Option<String>,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub region: String,
    /// Départements eligible by default in the organization's editions.
    #[schema(min_items = 1, value_type = Vec<crate::openapi::rules::DepartementCode>)]
    pub default_departements: Vec<String>,
    #[schema(format = Email, max_length = 254)]
    pub contact_email: String,
    /// Up to 10 addresses.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub postal_addresses: Vec<String>,
    /// The sites that may embed the voting widget, as origins (`https://www.ceser.example`);
    /// empty: any site (development). Up to 20.
    #[serde(default)]
    #[schema(max_items = 20, value_type = Vec<crate::openapi::rules::Origin>, example = json!(["https://ceser.auvergnerhonealpes.fr"]))]
    pub embed_origins: Vec<String>,
}

impl OrganizationRequest {
    fn parse(self) -> Result<OrganizationFields, ApiError> {
        let mut errors = Vec::new();
        let mut field = |name: &str, result: Result<String, FieldError>| {
            result
                .map_err(|error| errors.push(error.on(name)))
                .unwrap_or_default()
        };
        let short_name = field("short_name", parse_short_name(&self.short_name));
        let name = field(
            "name",
            check_name(&self.name, 1, 200).map(|_| self.name.trim().to_owned()),
        );
        let name_en = self.name_en.as_deref().map(|name_en| {
            field(
                "name_en",
                check_name(name_en, 1, 200).map(|_| name_en.trim().to_owned()),
            )
        });
        let region = field(
            "region",
            check_length(self.region.trim(), 1, 100).map(|_| self.region.trim().to_owned()),
        );
        let contact_email = field(
            "contact_email",
            Email::parse(&self.contact_email).map(|email| email.as_str().to_owned()),
        );
        let default_departements = departement::parse_list(&self.default_departements)
            .map_err(|error| errors.push(error.on("default_departements")))
            .unwrap_or_default();
        let postal_addresses: Vec<String> = self
            .postal_addresses
            .iter()
            .map(|address| address.trim().to_owned())
            .collect();
        if postal_addresses.len() > 10
            || postal_addresses
                .iter()
                .any(|address| check_length(address, 1, 300).is_err())
        {
            errors.push(FieldError::new(
                "postal_addresses",
                "invalid_value",
                text!("field-at-most-10-addresses-of"),
            ));
        }
        let embed_origins: Vec<String> = self
            .embed_origins
            .iter()
            .enumerate()
            .filter_map(|(index, origin)| {
                parse_embed_origin(origin)
                    .map_err(|error| errors.push(error.on(&format!("embed_origins[{index}]"))))
                    .ok()
            })
            .collect();
        if (1..embed_origins.len())
            .any(|index| embed_origins[..index].contains(&embed_origins[index]))
        {
            errors.push(FieldError::new(
                "embed_origins",
                "invalid_value",
                text!("field-each-origin-once"),
            ));
        }
        if embed_origins.len() > MAX_EMBED_ORIGINS {
            errors.push(FieldError::new(
                "embed_origins",
                "invalid_value",
                text!(
                    "field-at-most-origins",
                    max_embed_origins = MAX_EMBED_ORIGINS
                ),
            ));
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(OrganizationFields {
            short_name,
            name,
            name_en,
            region,
            default_departements,
            contact_email,
            postal_addresses,
            embed_origins,
        })
    }
}

/// Create an organization
///
/// Platform admins only (other admins get 403). The `short_name` must be unique (409
/// `short_name_taken`); `embed_origins` lists the sites that may frame the voting widget, empty
/// meaning any site.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    request_body = OrganizationRequest,
    responses(
        (status = 201, description = "Organization created", body = Organization),
        (status = 400, response = error::BadRequest),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),

        (status = 413, response = error::PayloadTooLarge),
        (status = 415, response = error::UnsupportedMediaType),
        (status = 422, response = error::ValidationFailed),
        (status = 500, response = error::InternalError),
    )
)]
#[post("/organizations", wrap = "from_fn(authorize)")]
pub async fn create_organization(
    state: web::Data<AppState>,
    caller: Principal,
    body: Json<OrganizationRequest>,
    Language(lang): Language,
) -> Result<HttpResponse, ApiError> {
    let fields = body.into_inner().parse()?;
    let organization = organizations::create(&state.db, &caller, fields).await?;
    Ok(super::created(
        format!("{API_PREFIX}/organizations/{}", organization.id),
        organization.for_reader(lang),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]*$", max_length = 400)]
    pub cursor: Option<String>,
}

impl PageQuery {
    pub fn parse<K: std::str::FromStr>(self) -> Result<PageRequest<K>, ApiError> {
        Ok(PageRequest::parse(self.limit, self.cursor.as_deref())?)
    }
}

/// List the organizers
///
/// The organizations hosted by this installation, which are public information. Anyone, without a
/// token and from any web origin; paged with `limit` and `cursor`.
#[utoipa::path(
    tag = "organizations",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of organizations", body = Page<Organization>),
        (status = 422, response = error::ValidationFailed),
        (status = 500, response = error::InternalError),
    )
)]
#[get(
    "/organizations",
    wrap = "from_fn(public_cache::serve)",
    wrap = "from_fn(authorize)"
)]
pub async fn list_organizations(
    state: web::Data<AppState>,
    query: Query<PageQuery>,
    Language(lang): Language,
) -> Result<web::Json<Page<Organization>>, ApiError> {
    let page = query.into_inner().parse()?;
    Ok(web::Json(
        organizations::list(&state.db, page).await?.for_reader(lang),
    ))
}

/// Get one organizer
///
/// An organization's public details, its `embed_origins` included. Anyone, without a token and from
/// any web origin.
#[utoipa::path(
    tag = "organizations",
    params(("id" = Uuid, Path, description = "Organization id")),
    responses(
        (status = 200, description = "The organization", body = Organization),
        error::PublicResourceErrors,
    )
)]
#[get(
    "/organizations/{id}",
    wrap = "from_fn(public_cache::serve)",
    wrap = "from_fn(authorize)"
)]
pub async fn get_organization(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Language(lang): Language,
) -> Result<web::Json<Organization>, ApiError> {
    Ok(web::Json(
        organizations::find(&state.db, id.into_inner())
            .await?
            .for_reader(lang),
    ))
}

/// Replace an organization's details
///
/// Staff of that organization (others get 404). Every field is replaced, `postal_addresses` and
/// `embed_origins` included, and the `short_name` must stay unique (409 `short_name_taken`). New
/// `default_departements` apply to editions created afterwards only.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organization id")),
    request_body = OrganizationRequest,
    responses(
        (status = 200, description = "The updated organization", body = Organization),
        error::JsonWriteErrors,
    )
)]
#[put("/organizations/{id}", wrap = "from_fn(authorize)")]
pub async fn update_organization(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: Json<OrganizationRequest>,
    Language(lang): Language,
) -> Result<web::Json<Organization>, ApiError> {
    let fields = body.into_inner().parse()?;
    Ok(web::Json(
        organizations::update(&state.db, &caller, id.into_inner(), fields)
            .await?
            .for_reader(lang),
    ))
}

/// List the organization's staff
///
/// The accounts on the organization's staff, with their email and display name. Staff of that
/// organization (others get 404); paged with `limit` and `cursor`.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organization id"), PageQuery),
    responses(
        (status = 200, description = "A page of the organization's admins", body = Page<StaffMember>),
        error::ResourceErrors,
    )
)]
#[get("/organizations/{id}/admins", wrap = "from_fn(authorize)")]
pub async fn list_organization_admins(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    query: Query<PageQuery>,
) -> Result<web::Json<Page<StaffMember>>, ApiError> {
    let page = query.into_inner().parse()?;
    let admins = organizations::list_admins(&state.db, &caller, id.into_inner()).await?;
    Ok(web::Json(
        page.page_of(admins, |admin| admin.user_id.to_string()),
    ))
}

/// Add an admin account to the organization's staff
///
/// Staff of that organization (others get 404). The account must hold the `admin` role (409
/// `not_an_admin`) and have a confirmed address (409 `email_unverified`); an organization's staff
/// may add only people they already manage (staff, jurors, councillors: an applicant gets 403,
/// anyone else 404), a platform admin any account. Idempotent: an account already on the staff
/// changes nothing.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organization id"), ("user_id" = Uuid, Path, description = "Account holding the admin role")),
    responses(
        (status = 204, description = "The account is on the staff"),
        error::ActionErrors,
    )
)]
#[put("/organizations/{id}/admins/{user_id}", wrap = "from_fn(authorize)")]
pub async fn add_organization_admin(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, user_id) = path.into_inner();
    organizations::add_admin(&state.db, &caller, id, user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Remove an account from the organization's staff
///
/// Staff of that organization (others get 404). Nobody removes themselves (409
/// `cannot_lock_out_self`: another admin does), and an account not on the staff gets 404. The
/// account keeps its `admin` role.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organization id"), ("user_id" = Uuid, Path, description = "Staff account")),
    responses(
        (status = 204, description = "Removed"),
        error::ResourceErrors,
    )
)]
#[delete("/organizations/{id}/admins/{user_id}", wrap = "from_fn(authorize)")]
pub async fn remove_organization_admin(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, user_id) = path.into_inner();
    organizations::remove_admin(&state.db, &caller, id, user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
