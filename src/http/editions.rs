//! Editions, their criteria and prizes, and the lifecycle transitions.
use super::API_PREFIX;
use super::extract::Json;
use super::language::{ForReader, Language};
use super::public_cache;
use crate::auth::access::authorize;
use crate::domain::notification::NotificationKind;
use actix_web::middleware::from_fn;
use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::extract::Query;
use crate::{
    auth::Principal,
    domain::{
        FieldError,
        calendar::Calendar,
        departement,
        edition::{
            self, CriterionSpec, DateRange, EditionSettings, EditionStatus, PrizeSpec, ScoreScale,
        },
        edition_lifecycle,
        pagination::{Page, PageRequest},
    },
    error::{self, ApiError},
    services::{
        editions::{self, Edition, EditionFilter, NewEdition, Prize},
        organizations, stages,
    },
    state::AppState,
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "number": 6, "year": 2026, "title": "Prix du CESER 2026",
    "action_window": {"start": "2024-01-01", "end": "2025-12-31"},
    "calendar": {"applications_open_on": "2026-03-31", "applications_deadline": "2026-06-08",
                 "selection_on": "2026-06-25", "audition_on": "2026-11-04", "ceremony_on": "2026-12-14"},
    "prizes": [
        {"kind": "councillors", "name": "Prix des conseillers du CESER"},
        {"kind": "jury", "name": "Prix du jury"},
        {"kind": "public", "name": "Prix du public"}
    ]
}))]
pub struct CreateEditionRequest {
    #[schema(minimum = 1, maximum = 1000)]
    pub number: i32,
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*[^\s\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0][^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*$"
    )]
    pub title: String,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub theme: Option<String>,
    #[schema(value_type = Option<crate::openapi::rules::EnglishName>, example = "CESER Prize 2026")]
    pub title_en: Option<String>,
    /// The theme in English (optional; visitors reading English see the French without it).
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub theme_en: Option<String>,
    pub action_window: DateRange,
    /// Default: the organization's départements.
    #[schema(min_items = 1, value_type = Option<Vec<crate::openapi::rules::DepartementCode>>)]
    pub departements: Option<Vec<String>>,
    /// Default 5.
    #[schema(minimum = 1, maximum = 50)]
    pub shortlist_size: Option<i32>,
    /// Default 0 to 20.
    pub scoring_scale: Option<ScoreScale>,
    #[serde(default)]
    pub calendar: Calendar,
    /// Default: the five criteria of the Prix du CESER.
    #[schema(min_items = 1, max_items = 20)]
    pub criteria: Option<Vec<CriterionSpec>>,
    #[serde(default)]
    pub prizes: Vec<PrizeSpec>,
    /// The notifications the edition does not send (default: none; every kind once at most).
    #[serde(default)]
    #[schema(max_items = 8)] // notification::KINDS (a literal here; a test compares them)
    pub notifications_off: Vec<NotificationKind>,
}

fn parse_departements(codes: &[String], errors: &mut Vec<FieldError>) -> Vec<String> {
    departement::parse_list(codes)
        .map_err(|error| errors.push(error.on("departements")))
        .unwrap_or_default()
}

fn prize_violations(prizes: &[PrizeSpec]) -> Vec<FieldError> {
    prizes
        .iter()
        .enumerate()
        .filter_map(|(index, prize)| {
            prize.validate().err().map(|error| {
                let field = format!("prizes[{index}].{}", error.field);
                error.on(&field)
            })
        })
        .collect()
}

fn finish<T>(value: T, errors: Vec<FieldError>) -> Result<T, ApiError> {
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Create an edition, in draft
///
/// Staff of the organization (others get 404). Settings not given default to the organization's
/// départements, a shortlist of 5, a 0 to 20 scale and the five criteria of the Prix du CESER;
/// prizes may be given now or added later. The `number` is unique within the organization (409
/// `edition_number_taken`).
#[utoipa::path(
    tag = "editions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organization id")),
    request_body = CreateEditionRequest,
    responses(
        (status = 201, description = "Edition created in draft", body = Edition),
        error::JsonWriteErrors,
    )
)]
#[post("/organizations/{id}/editions", wrap = "from_fn(authorize)")]
pub async fn create_edition(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: Json<CreateEditionRequest>,
    Language(lang): Language,
) -> Result<HttpResponse, ApiError> {
    let organization_id = id.into_inner();
    let body = body.into_inner();
    let mut errors = Vec::new();
    let departements = match &body.departements {
        Some(codes) => parse_departements(codes, &mut errors),
        // Checked for access by the service; a missing organization is a 404 there.
        None => organizations::find(&state.db, organization_id)
            .await
            .map(|o| o.default_departements)
            .unwrap_or_default(),
    };
    let settings = EditionSettings {
        number: body.number,
        year: body.year,
        title: body.title,
        theme: body.theme,
        title_en: body.title_en,
        theme_en: body.theme_en,
        action_window: body.action_window,
        departements,
        shortlist_size: body.shortlist_size.unwrap_or(5),
        scoring_scale: body.scoring_scale.unwrap_or_default(),
        calendar: body.calendar,
        notifications_off: body.notifications_off,
    };
    errors.extend(settings.violations());
    let criteria = body.criteria.unwrap_or_else(edition::default_criteria);
    errors.extend(edition::criteria_violations(&criteria));
    errors.extend(prize_violations(&body.prizes));
    let new = finish(
        NewEdition {
            settings,
            criteria,
            prizes: body.prizes,
        },
        errors,
    )?;
    let edition = editions::create(&state.db, &caller, organization_id, new).await?;
    Ok(super::created(
        format!("{API_PREFIX}/editions/{}", edition.id),
        edition.for_reader(lang),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListEditionsQuery {
    pub organization_id: Option<Uuid>,
    pub status: Option<EditionStatus>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]*$", max_length = 400)]
    pub cursor: Option<String>,
}

/// List editions
///
/// Anyone: every edition out of draft, plus, for a caller who sends a token, the drafts of the
/// organizations they manage (every draft for a platform admin). Filter by `organization_id` or
/// `status`; paged with `limit` and `cursor`. Anonymous answers are cached (`Cache-Control: public,
/// max-age=30`, `ETag`, 304 on `If-None-Match`); any web origin may call it.
#[utoipa::path(
    tag = "editions",
    security((), ("bearer" = [])),
    params(ListEditionsQuery),
    responses(
        (status = 200, description = "A page of editions", body = Page<Edition>),
        (status = 401, response = error::Unauthorized),
        (status = 422, response = error::ValidationFailed),
        (status = 500, response = error::InternalError),
    )
)]
#[get(
    "/editions",
    wrap = "from_fn(public_cache::serve)",
    wrap = "from_fn(authorize)"
)]
pub async fn list_editions(
    state: web::Data<AppState>,
    caller: Option<Principal>,
    query: Query<ListEditionsQuery>,
    Language(lang): Language,
) -> Result<web::Json<Page<Edition>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let filter = EditionFilter {
        organization_id: query.organization_id,
        status: query.status,
    };
    Ok(web::Json(
        editions::list(&state.db, caller.as_ref(), filter, page)
            .await?
            .for_reader(lang),
    ))
}

/// Get an edition with its calendar, criteria and prizes
///
/// Public once out of draft; a draft is visible to its organization's staff only (others get 404).
/// Anonymous answers are cached (`max-age=30`, `ETag`, 304 on `If-None-Match`); any web origin may
/// call it.
#[utoipa::path(
    tag = "editions",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Edition id")),
    responses(
        (status = 200, description = "The edition", body = Edition),
        (status = 401, response = error::Unauthorized),
        (status = 404, response = error::NotFound),
        (status = 422, response = error::ValidationFailed),
        (status = 500, response = error::InternalError),
    )
)]
#[get(
    "/editions/{id}",
    wrap = "from_fn(public_cache::serve)",
    wrap = "from_fn(authorize)"
)]
pub async fn get_edition(
    state: web::Data<AppState>,
    caller: Option<Principal>,
    id: web::Path<Uuid>,
    Language(lang): Language,
) -> Result<web::Json<Edition>, ApiError> {
    Ok(web::Json(
        editions::get(&state.db, caller.as_ref(), id.into_inner())
            .await?
            .for_reader(lang),
    ))
}

/// An optional text a PATCH may send: kept when absent, removed when empty.
fn replaced(sent: &Option<String>, current: &Option<String>) -> Option<String> {
    sent.clone()
        .or_else(|| current.clone())
        .filter(|text| !text.trim().is_empty())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"calendar": {"applications_open_on": "2026-03-31", "applications_deadline": "2026-06-15",
    "selection_on": "2026-06-25", "audition_on": "2026-11-04", "ceremony_on": "2026-12-14"}}))]
pub struct UpdateEditionRequest {
    #[schema(minimum = 1, maximum = 1000)]
    pub number: Option<i32>,
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*[^\s\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0][^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*$"
    )]
    pub title: Option<String>,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub theme: Option<String>,
    /// The title in English; an empty text removes it.
    #[schema(max_length = 200)]
    pub title_en: Option<String>,
    /// The theme in English; an empty text removes it.
    #[schema(max_length = 200)]
    pub theme_en: Option<String>,
    pub action_window: Option<DateRange>,
    #[schema(min_items = 1, value_type = Option<Vec<crate::openapi::rules::DepartementCode>>)]
    pub departements: Option<Vec<String>>,
    #[schema(minimum = 1, maximum = 50)]
    pub shortlist_size: Option<i32>,
    pub scoring_scale: Option<ScoreScale>,
    /// Replaces the whole calendar.
    pub calendar: Option<Calendar>,
    /// Replaces the list of notifications the edition does not send.
    #[schema(max_items = 8)] // notification::KINDS (a literal here; a test compares them)
    pub notifications_off: Option<Vec<NotificationKind>>,
}

/// Change an edition's settings
///
/// Staff of the edition's organization (others get 404). Anything may change in draft; while
/// applications are open, only the title, theme and calendar (dates may move but not be removed)
/// and the notifications; then only the notifications switched off, until the results are
/// published; nothing after (409 `edition_locked`). Each field sent replaces the stored one,
/// `calendar` as a whole.
#[utoipa::path(
    tag = "editions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Edition id")),
    request_body = UpdateEditionRequest,
    responses(
        (status = 200, description = "The updated edition", body = Edition),
        error::JsonWriteErrors,
    )
)]
#[patch("/editions/{id}", wrap = "from_fn(authorize)")]
pub async fn update_edition(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: Json<UpdateEditionRequest>,
    Language(lang): Language,
) -> Result<web::Json<Edition>, ApiError> {
    let body = body.into_inner();
    let edition = editions::update(&state.db, &caller, id.into_inner(), |current| {
        let mut errors = Vec::new();
        let departements = match &body.departements {
            Some(codes) => parse_departements(codes, &mut errors),
            None => current.departements.clone(),
        };
        let settings = EditionSettings {
            number: body.number.unwrap_or(current.number),
            year: body.year.unwrap_or(current.year),
            title: body.title.clone().unwrap_or_else(|| current.title.clone()),
            theme: replaced(&body.theme, &current.theme),
            title_en: replaced(&body.title_en, &current.title_en),
            theme_en: replaced(&body.theme_en, &current.theme_en),
            action_window: body.action_window.unwrap_or(current.action_window),
            departements,
            shortlist_size: body.shortlist_size.unwrap_or(current.shortlist_size),
            scoring_scale: body.scoring_scale.unwrap_or(current.scoring_scale),
            calendar: body
                .calendar
                .clone()
                .unwrap_or_else(|| current.calendar.clone()),
            notifications_off: body
                .notifications_off
                .clone()
                .unwrap_or_else(|| current.notifications_off.clone()),
        };
        errors.extend(settings.violations());
        finish(settings, errors)
    })
    .await?;
    Ok(web::Json(edition.for_reader(lang)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "selection", "reason": "Le jury se réunit plus tôt cette année."}))]
pub struct TransitionRequest {
    /// The next status.
    pub to: EditionStatus,
    /// A written reason (10 characters or more) forces a guard that allows it, such as leaving
    /// the application phase before the deadline. It is recorded in the audit trail.
    #[schema(
        min_length = 10,
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub reason: Option<String>,
}

/// Move an edition to its next status
///
/// Staff of the edition's organization (others get 404); one step forward only (409
/// `invalid_transition`), and every transition is audited with its `reason`. `draft` →
/// `applications_open` needs a complete calendar in order, criteria and a prize;
/// `applications_open` → `selection` needs the deadline to have passed, or a `reason`; `selection`
/// → `audition` is normally made by confirming the shortlist (otherwise a `reason` is needed).
/// Moving to `results_published` closes any ballot still open.
#[utoipa::path(
    tag = "editions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Edition id")),
    request_body = TransitionRequest,
    responses(
        (status = 200, description = "The edition in its new status", body = Edition),
        error::JsonWriteErrors,
    )
)]
#[post("/editions/{id}/transitions", wrap = "from_fn(authorize)")]
pub async fn transition_edition(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: Json<TransitionRequest>,
    Language(lang): Language,
) -> Result<web::Json<Edition>, ApiError> {
    let body = body.into_inner();
    let reason = body
        .reason
        .as_deref()
        .map(edition_lifecycle::parse_reason)
        .transpose()
        .map_err(|error| ApiError::Validation(vec![error.on("reason")]))?;
    Ok(web::Json(
        stages::transition(
            &state.db,
            &state.voter_keys,
            &caller,
            id.into_inner(),
            body.to,
            reason,
        )
        .await?
        .for_reader(lang),
    ))
}

/// Replace a draft edition's criteria
///
/// Replaces the whole list of criteria, while the edition is a draft (409 `edition_locked` after).
/// Staff of the edition's organization (others get 404); audited.
#[utoipa::path(
    tag = "editions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Edition id")),
    request_body = crate::openapi::rules::CriteriaList,
    responses(
        (status = 200, description = "The edition with its new criteria", body = Edition),
        error::JsonWriteErrors,
    )
)]
#[put("/editions/{id}/criteria", wrap = "from_fn(authorize)")]
pub async fn replace_criteria(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: Json<Vec<CriterionSpec>>,
    Language(lang): Language,
) -> Result<web::Json<Edition>, ApiError> {
    let criteria = body.into_inner();
    let criteria = finish(criteria.clone(), edition::criteria_violations(&criteria))?;
    Ok(web::Json(
        editions::replace_criteria(&state.db, &caller, id.into_inner(), criteria)
            .await?
            .for_reader(lang),
    ))
}

/// Add a prize to a draft edition
///
/// Staff of the edition's organization (others get 404), while the edition is a draft (409
/// `edition_locked` after). `councillors` and `public` prizes are decided by a ballot, `jury` and
/// `category` prizes by the jury.
#[utoipa::path(
    tag = "editions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Edition id")),
    request_body = PrizeSpec,
    responses(
        (status = 201, description = "Prize created", body = Prize),
        error::JsonWriteErrors,
    )
)]
#[post("/editions/{id}/prizes", wrap = "from_fn(authorize)")]
pub async fn create_prize(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: Json<PrizeSpec>,
    Language(lang): Language,
) -> Result<HttpResponse, ApiError> {
    let spec = body.into_inner();
    let spec = finish(spec.clone(), spec.validate().err().into_iter().collect())?;
    let prize = editions::add_prize(&state.db, &caller, id.into_inner(), spec).await?;
    Ok(super::created(
        format!("{API_PREFIX}/prizes/{}", prize.id),
        prize.for_reader(lang),
    ))
}

/// Get one prize of an edition
///
/// Anyone, for an edition out of draft; a draft's prizes are visible to its organization's staff
/// only (others get 404).
#[utoipa::path(
    tag = "editions",
    params(("id" = Uuid, Path, description = "Prize id")),
    responses(
        (status = 200, description = "The prize", body = Prize),
        (status = 401, response = error::Unauthorized),
        (status = 404, response = error::NotFound),
        (status = 422, response = error::ValidationFailed),
        (status = 500, response = error::InternalError),
    )
)]
#[get(
    "/prizes/{id}",
    wrap = "from_fn(public_cache::serve)",
    wrap = "from_fn(authorize)"
)]
pub async fn get_prize(
    state: web::Data<AppState>,
    caller: Option<Principal>,
    id: web::Path<Uuid>,
    Language(lang): Language,
) -> Result<web::Json<Prize>, ApiError> {
    Ok(web::Json(
        editions::find_prize(&state.db, caller.as_ref(), id.into_inner())
            .await?
            .for_reader(lang),
    ))
}

/// Replace a prize of a draft edition
///
/// Staff of the edition's organization (others get 404), while the edition is a draft (409
/// `edition_locked` after). The prize keeps its id and its place in the edition's list.
#[utoipa::path(
    tag = "editions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Prize id")),
    request_body = PrizeSpec,
    responses(
        (status = 200, description = "The updated prize", body = Prize),
        error::JsonWriteErrors,
    )
)]
#[put("/prizes/{id}", wrap = "from_fn(authorize)")]
pub async fn update_prize(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: Json<PrizeSpec>,
    Language(lang): Language,
) -> Result<web::Json<Prize>, ApiError> {
    let spec = body.into_inner();
    let spec = finish(spec.clone(), spec.validate().err().into_iter().collect())?;
    Ok(web::Json(
        editions::update_prize(&state.db, &caller, id.into_inner(), spec)
            .await?
            .for_reader(lang),
    ))
}

/// Delete a prize of a draft edition
///
/// Staff of the edition's organization (others get 404), while the edition is a draft (409
/// `edition_locked` after).
#[utoipa::path(
    tag = "editions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Prize id")),
    responses(
        (status = 204, description = "Deleted"),
        error::ActionErrors,
    )
)]
#[delete("/prizes/{id}", wrap = "from_fn(authorize)")]
pub async fn delete_prize(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    editions::delete_prize(&state.db, &caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
