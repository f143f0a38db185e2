//! HTTP handlers of the jury's seating and reading: members, conflicts of interest, reviewer
//! assignment, the applications of a round (the deliberation is in `deliberation.rs`).
use super::extract::Json;
use actix_web::{HttpResponse, delete, get, middleware::from_fn, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::API_PREFIX;
use super::extract::Query;
use super::language::Language;
use super::organizations::PageQuery;
use crate::domain::pagination::{Page, PageRequest};
use crate::{
    auth::{Principal, access::authorize},
    domain::{
        Lang,
        edition_lifecycle::parse_reason,
        jury::{CompositionFinding, Seat},
        scoring::Round,
    },
    error::{self, ApiError},
    services::jury::{self, Assignment, Conflict, JuryApplication, JuryMember},
    state::AppState,
};

pub(super) fn reason_of(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    raw.map(parse_reason)
        .transpose()
        .map_err(|error| ApiError::Validation(vec![error.on("reason")]))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"seat": "qualified_personality", "previous_laureate": true}))]
pub struct JurySeatRequest {
    pub seat: Seat,
    /// The previous edition's laureate (a qualified personality).
    #[serde(default)]
    pub previous_laureate: bool,
}

/// Seat a member on the edition's jury or change their seat
///
/// Staff of the edition's organization (others get 404), until the results are published (409
/// `edition_closed`); audited. The account must be enabled, hold the `jury` role (409
/// `not_a_juror`) and have a confirmed address (409 `email_unverified`). The `president` and
/// `youth_president` seats are held by one member each (409 `seat_taken`); seating a member again
/// changes their seat.
#[utoipa::path(
    tag = "jury", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Edition id"), ("user_id" = Uuid, Path, description = "Account with the jury role")),
    request_body = JurySeatRequest,
    responses(
        (status = 200, description = "The member", body = JuryMember),
        error::JsonWriteErrors,
    )
)]
#[put("/editions/{id}/jury/{user_id}", wrap = "from_fn(authorize)")]
pub async fn set_jury_member(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<JurySeatRequest>,
) -> Result<web::Json<JuryMember>, ApiError> {
    let (edition_id, user_id) = path.into_inner();
    Ok(web::Json(
        jury::set_member(
            &state.db,
            &caller,
            edition_id,
            user_id,
            body.seat,
            body.previous_laureate,
        )
        .await?,
    ))
}

/// Remove a member from the edition's jury
///
/// Staff of the edition's organization (others get 404), until the results are published (409
/// `edition_closed`); audited. An account not on the jury gets 404.
#[utoipa::path(
    tag = "jury", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Edition id"), ("user_id" = Uuid, Path, description = "Member")),
    responses(
        (status = 204, description = "Removed"),
        error::ResourceErrors,
    )
)]
#[delete("/editions/{id}/jury/{user_id}", wrap = "from_fn(authorize)")]
pub async fn remove_jury_member(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (edition_id, user_id) = path.into_inner();
    jury::remove_member(&state.db, &caller, edition_id, user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// List the edition's jury
///
/// Each member's display name, seat and whether they are the previous laureate. Staff of the
/// edition's organization and the members of this edition's jury; anyone else gets 404.
#[utoipa::path(
    tag = "jury", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Edition id")),
    responses(
        (status = 200, description = "The members", body = Vec<JuryMember>),
        error::ResourceErrors,
    )
)]
#[get("/editions/{id}/jury", wrap = "from_fn(authorize)")]
pub async fn list_jury_members(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<JuryMember>>, ApiError> {
    Ok(web::Json(
        jury::members(&state.db, &caller, id.into_inner()).await?,
    ))
}

/// Check the jury against the Prix du CESER composition rule
///
/// Lists every departure of the jury from the rule (one president, the youth president, three
/// qualified personalities of whom one is the previous laureate, councillors); empty when the rule
/// is met. Moving to the auditions with findings needs a written reason. Staff of the edition's
/// organization (others get 404).
#[utoipa::path(
    tag = "jury", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Edition id")),
    responses(
        (status = 200, description = "The findings (empty when the rule is met)", body = Vec<Finding>),
        error::ResourceErrors,
    )
)]
#[get("/editions/{id}/jury/composition-check", wrap = "from_fn(authorize)")]
pub async fn check_jury_composition(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Language(lang): Language,
) -> Result<web::Json<Vec<Finding>>, ApiError> {
    let findings = jury::composition(&state.db, &caller, id.into_inner()).await?;
    Ok(web::Json(
        findings
            .into_iter()
            .map(|finding| Finding::of(lang, finding))
            .collect(),
    ))
}

/// One departure of the jury from the composition rule.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CompositionFinding)]
pub struct Finding {
    #[schema(example = "qualified_personalities")]
    pub code: &'static str,
    /// What departs from the rule, in the answer's language.
    #[schema(example = "Personnalités qualifiées : 3 attendu, 2 en place.")]
    pub message: String,
}

impl Finding {
    fn of(lang: Lang, finding: CompositionFinding) -> Self {
        Finding {
            code: finding.code,
            message: crate::i18n::render(lang, &finding.message),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Je siège au conseil d'administration de cette association."}))]
pub struct ConflictRequest {
    #[schema(
        min_length = 10,
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub reason: String,
    /// Staff only: the member the conflict is recorded for (default: the caller).
    pub user_id: Option<Uuid>,
}

/// List the conflicts recorded on an application
///
/// Staff of the edition's organization see every conflict recorded on it; a member of the
/// edition's jury sees their own (anyone else gets 404). This is where a declared conflict's
/// `Location` points.
#[utoipa::path(
    tag = "jury", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    responses(
        (status = 200, description = "The conflicts on the application", body = Vec<Conflict>),
        error::ResourceErrors,
    )
)]
#[get("/applications/{id}/conflicts", wrap = "from_fn(authorize)")]
pub async fn list_application_conflicts(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<Conflict>>, ApiError> {
    Ok(web::Json(
        jury::application_conflicts(&state.db, &caller, id.into_inner()).await?,
    ))
}

/// Declare a conflict of interest on an application
///
/// A member of the edition's jury for themselves, or staff of its organization for a member
/// (`user_id`); others get 404. The member can no longer score the application, does not see its
/// scores and is left out of its aggregates and assignments: their draft scorecard is dropped and a
/// submitted one withdrawn. Once the member's scorecard is submitted, only staff may record the
/// conflict (409 `scorecard_submitted`); a second declaration gets 409 `conflict_already_declared`,
/// and nothing changes after the results are published (409 `edition_closed`).
#[utoipa::path(
    tag = "jury", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = ConflictRequest,
    responses(
        (status = 201, description = "Recorded", body = Conflict),
        error::JsonWriteErrors,
    )
)]
#[post("/applications/{id}/conflicts", wrap = "from_fn(authorize)")]
pub async fn declare_conflict(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: Json<ConflictRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let reason = parse_reason(&body.reason)
        .map_err(|error| ApiError::Validation(vec![error.on("reason")]))?;
    let recorded =
        jury::declare_conflict(&state.db, &caller, id.into_inner(), reason, body.user_id).await?;
    Ok(super::created(
        format!(
            "{API_PREFIX}/applications/{}/conflicts",
            recorded.application_id
        ),
        recorded,
    ))
}

/// List the conflicts of interest of an edition
///
/// The conflicts declared on the edition's applications, by application and member, with their
/// reasons. Staff of the edition's organization (others get 404); paged with `limit` and `cursor`.
#[utoipa::path(
    tag = "jury", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Edition id"), PageQuery),
    responses(
        (status = 200, description = "A page of the conflicts, by application and member", body = Page<Conflict>),
        error::ResourceErrors,
    )
)]
#[get("/editions/{id}/conflicts", wrap = "from_fn(authorize)")]
pub async fn list_conflicts(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    query: Query<PageQuery>,
) -> Result<web::Json<Page<Conflict>>, ApiError> {
    let page = query.into_inner().parse()?;
    let conflicts = jury::conflicts(&state.db, &caller, id.into_inner()).await?;
    Ok(web::Json(page.page_of(conflicts, |conflict| {
        format!("{}/{}", conflict.application_id, conflict.user_id)
    })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RoundQuery {
    pub round: Round,
}

/// A round, and a page of its list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RoundPageQuery {
    pub round: Round,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]*$", max_length = 400)]
    pub cursor: Option<String>,
}

impl RoundPageQuery {
    fn parse(self) -> Result<(Round, PageRequest<String>), ApiError> {
        let page = PageQuery {
            limit: self.limit,
            cursor: self.cursor,
        }
        .parse()?;
        Ok((self.round, page))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"round": "selection", "reviewers_per_file": 3}))]
pub struct AssignRequest {
    pub round: Round,
    #[schema(minimum = 1, maximum = 50)]
    pub reviewers_per_file: u32,
}

/// Assign reviewers to every application of a round
///
/// Assigns `reviewers_per_file` members to each application of the round (eligible ones for
/// `selection`, shortlisted ones for `audition`), balancing the load and never assigning a
/// conflicted member; the round's previous assignments are replaced. Without assignments, every
/// member scores every application. Staff of the edition's organization (others get 404); needs a
/// seated jury (409 `no_jury`) and is refused once the results are published (409
/// `edition_closed`).
#[utoipa::path(
    tag = "jury", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Edition id")),
    request_body = AssignRequest,
    responses(
        (status = 200, description = "The round's assignments", body = Vec<Assignment>),
        error::JsonWriteErrors,
    )
)]
#[post("/editions/{id}/assignments", wrap = "from_fn(authorize)")]
pub async fn assign_reviewers(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: Json<AssignRequest>,
) -> Result<web::Json<Vec<Assignment>>, ApiError> {
    if !(1..=50).contains(&body.reviewers_per_file) {
        return Err(ApiError::invalid(
            "reviewers_per_file",
            "out_of_range",
            text!("field-between", min = 1, max = 50),
        ));
    }
    Ok(web::Json(
        jury::assign(
            &state.db,
            &caller,
            id.into_inner(),
            body.round,
            body.reviewers_per_file as usize,
        )
        .await?,
    ))
}

/// List the reviewer assignments of a round
///
/// The round's assignments, by application and member. Staff of the edition's organization (others
/// get 404); paged with `limit` and `cursor`.
#[utoipa::path(
    tag = "jury", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Edition id"), RoundPageQuery),
    responses(
        (status = 200, description = "A page of the round's assignments, by application and member", body = Page<Assignment>),
        error::ResourceErrors,
    )
)]
#[get("/editions/{id}/assignments", wrap = "from_fn(authorize)")]
pub async fn list_assignments(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    query: Query<RoundPageQuery>,
) -> Result<web::Json<Page<Assignment>>, ApiError> {
    let (round, page) = query.into_inner().parse()?;
    let assignments = jury::assignments(&state.db, &caller, id.into_inner(), round).await?;
    Ok(web::Json(page.page_of(assignments, |assignment| {
        format!("{}/{}", assignment.application_id, assignment.user_id)
    })))
}

/// Assign one reviewer to an application
///
/// Makes the member a reviewer of the application for `round`; assigning them again changes
/// nothing. Once a round has any assignment, only assigned members score its applications. Staff of
/// the edition's organization (others get 404); a conflicted member is refused (409
/// `conflict_of_interest`), as is any change after the results are published (409
/// `edition_closed`).
#[utoipa::path(
    tag = "jury", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Edition id"), ("application_id" = Uuid, Path, description = "Application"), ("user_id" = Uuid, Path, description = "Member"), RoundQuery),
    responses(
        (status = 204, description = "Assigned"),
        error::ActionErrors,
    )
)]
#[put(
    "/editions/{id}/assignments/{application_id}/{user_id}",
    wrap = "from_fn(authorize)"
)]
pub async fn add_assignment(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid, Uuid)>,
    query: Query<RoundQuery>,
) -> Result<HttpResponse, ApiError> {
    let (edition_id, application_id, user_id) = path.into_inner();
    jury::adjust_assignment(
        &state.db,
        &caller,
        edition_id,
        query.0.round,
        application_id,
        user_id,
        true,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Remove one reviewer from an application
///
/// Removes the member's assignment to the application for `round`; 404 when there is none. Staff of
/// the edition's organization (others get 404); refused once the results are published (409
/// `edition_closed`).
#[utoipa::path(
    tag = "jury", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Edition id"), ("application_id" = Uuid, Path, description = "Application"), ("user_id" = Uuid, Path, description = "Member"), RoundQuery),
    responses(
        (status = 204, description = "Removed"),
        error::ResourceErrors,
    )
)]
#[delete(
    "/editions/{id}/assignments/{application_id}/{user_id}",
    wrap = "from_fn(authorize)"
)]
pub async fn remove_assignment(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid, Uuid)>,
    query: Query<RoundQuery>,
) -> Result<HttpResponse, ApiError> {
    let (edition_id, application_id, user_id) = path.into_inner();
    jury::adjust_assignment(
        &state.db,
        &caller,
        edition_id,
        query.0.round,
        application_id,
        user_id,
        false,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// List a round's applications as the jury sees them
///
/// The applications of the round (eligible ones for `selection`, shortlisted ones for `audition`)
/// without contact details, each with whether the caller is to score it, has a conflict on it, and
/// the status of their scorecard. Members of this edition's jury only (anyone else gets 404); paged
/// with `limit` and `cursor`.
#[utoipa::path(
    tag = "jury", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Edition id"), RoundPageQuery),
    responses(
        (status = 200, description = "A page of the round's applications", body = Page<JuryApplication>),
        error::ResourceErrors,
    )
)]
#[get("/editions/{id}/jury/files", wrap = "from_fn(authorize)")]
pub async fn list_jury_files(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    query: Query<RoundPageQuery>,
) -> Result<web::Json<Page<JuryApplication>>, ApiError> {
    let (round, page) = query.into_inner().parse()?;
    let files = jury::applications_for_jury(&state.db, &caller, id.into_inner(), round).await?;
    Ok(web::Json(
        page.page_of(files, |file| file.application_id.to_string()),
    ))
}
