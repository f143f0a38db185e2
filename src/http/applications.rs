//! Applications: drafting and submission by applicants, review and publication by staff,
//! the CSV export and the public gallery.
use super::API_PREFIX;
use super::extract::Json;
use super::language::{ForReader, Language};
use super::organizations::PageQuery;
use super::public_cache;
use crate::auth::access::authorize;
use crate::domain::Text;
use actix_web::middleware::from_fn;
use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    csv_export::{self, CsvFormat},
    extract::Query,
};
use crate::{
    auth::Principal,
    domain::{
        Email, FieldError,
        application::{
            ApplicantKind, ApplicationPatch, ApplicationStatus, Eligibility, Location, limits,
            parse_phone, parse_rna, parse_siret, parse_text, parse_video_url, parse_web_url,
        },
        edition_lifecycle::parse_reason,
        pagination::{Page, PageRequest},
    },
    error::{self, ApiError},
    services::applications::{self, Application, ApplicationFilter, Candidate},
    state::AppState,
};

/// The fields of an application. In a draft everything is optional; `submit` checks completeness.
/// In a PATCH, each field sent replaces the stored one (`locations` and `answers` whole).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "applicant_kind": "association", "structure_name": "Résonansemble", "siret": "73282932000074",
    "contact_name": "Claire Martin", "contact_email": "claire.martin@example.fr", "contact_phone": "04 72 00 00 00",
    "action_title": "De la musique live à l'hôpital",
    "summary": "Des concerts dans les EHPAD et les hôpitaux de la région.",
    "description": "Depuis janvier 2024, nos musiciens jouent chaque semaine…",
    "action_start": "2024-01-15", "action_end": "2025-11-30",
    "locations": [{"commune": "Lyon", "postal_code": "69003"}, {"commune": "Clermont-Ferrand", "postal_code": "63000"}],
    "answers": {"general_interest": "…", "reproducibility": "…", "efficiency": "…", "sustainability": "…", "innovativeness": "…"},
    "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "website": "https://resonansemble.example.fr"
}))]
pub struct ApplicationInput {
    pub applicant_kind: Option<ApplicantKind>,
    /// Legal entities only, 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub structure_name: Option<String>,
    /// Legal entities only: 14 digits with a valid check digit.
    #[schema(pattern = r"^\s*(\d\s*){14}$")]
    pub siret: Option<String>,
    /// Associations only, instead of a SIRET: `W` and nine digits.
    #[schema(pattern = r"^\s*[Ww][0-9]{9}\s*$", example = "W691234567")]
    pub rna: Option<String>,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub contact_name: Option<String>,
    #[schema(format = Email, max_length = 254)]
    pub contact_email: Option<String>,
    /// A French number (`04 72 00 00 00`) or an international one (`+33 4 72 00 00 00`).
    #[schema(pattern = r"^[ .-]*(\+([ .-]*[0-9]){8,15}|0[ .-]*[1-9]([ .-]*[0-9]){8})[ .-]*$")]
    pub contact_phone: Option<String>,
    /// 3 to 200 characters.
    #[schema(min_length = 3, max_length = 200, pattern = r"\S.*\S.*\S")]
    pub action_title: Option<String>,
    /// Up to 500 characters.
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub summary: Option<String>,
    /// Up to 10,000 characters.
    #[schema(min_length = 1, max_length = 10000, pattern = r"\S")]
    pub description: Option<String>,
    pub action_start: Option<NaiveDate>,
    pub action_end: Option<NaiveDate>,
    /// 1 to 20 places where the action takes place.
    #[schema(min_items = 1, max_items = 20)]
    pub locations: Option<Vec<Location>>,
    /// Criterion key → text (up to 5,000 characters each).
    #[schema(value_type = Option<BTreeMap<String, crate::openapi::rules::AnswerText>>)]
    pub answers: Option<BTreeMap<String, String>>,
    /// https, on YouTube, Vimeo or Dailymotion.
    #[schema(
        format = "uri",
        max_length = 500,
        pattern = r"^\s*https://(www\.youtube\.com|youtube\.com|youtu\.be|vimeo\.com|player\.vimeo\.com|www\.dailymotion\.com|dailymotion\.com|dai\.ly)(:443)?([/?#][^\s]*)?\s*$"
    )]
    pub video_url: Option<String>,
    #[schema(format = "uri", max_length = 500)]
    pub website: Option<String>,
}

impl ApplicationInput {
    fn parse(self) -> Result<ApplicationPatch, ApiError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut check =
            |field: &str,
             raw: Option<String>,
             parse: &dyn Fn(&str) -> Result<String, FieldError>| {
                raw.and_then(|raw| {
                    parse(&raw)
                        .map_err(|error| errors.push(error.on(field)))
                        .ok()
                })
            };
        let structure_name = check("structure_name", self.structure_name, &|raw| {
            parse_text(raw, 1, limits::NAME)
        });
        let siret = check("siret", self.siret, &parse_siret);
        let rna = check("rna", self.rna, &parse_rna);
        let contact_name = check("contact_name", self.contact_name, &|raw| {
            parse_text(raw, 1, limits::NAME)
        });
        let contact_email = check("contact_email", self.contact_email, &|raw| {
            Email::parse(raw).map(|email| email.as_str().to_owned())
        });
        let contact_phone = check("contact_phone", self.contact_phone, &parse_phone);
        let action_title = check("action_title", self.action_title, &|raw| {
            parse_text(raw, 3, limits::TITLE)
        });
        let summary = check("summary", self.summary, &|raw| {
            parse_text(raw, 1, limits::SUMMARY)
        });
        let description = check("description", self.description, &|raw| {
            parse_text(raw, 1, limits::DESCRIPTION)
        });
        let video_url = check("video_url", self.video_url, &parse_video_url);
        let website = check("website", self.website, &parse_web_url);
        let locations = self.locations.map(|locations| {
            if locations.is_empty() || locations.len() > limits::LOCATIONS {
                errors.push(FieldError::new(
                    "locations",
                    "out_of_range",
                    text!(
                        "field-between-1-and-locations",
                        locations = limits::LOCATIONS
                    ),
                ));
            }
            locations
                .iter()
                .enumerate()
                .filter_map(|(index, location)| {
                    location
                        .parse()
                        .map_err(|error| {
                            let field = format!("locations[{index}].{}", error.field);
                            errors.push(error.on(&field));
                        })
                        .ok()
                })
                .collect()
        });
        let answers = self.answers.map(|answers| {
            answers
                .into_iter()
                .filter_map(|(key, text)| match parse_text(&text, 1, limits::ANSWER) {
                    Ok(text) => Some((key, text)),
                    Err(error) => {
                        errors.push(error.on(&format!("answers.{key}")));
                        None
                    }
                })
                .collect()
        });
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(ApplicationPatch {
            applicant_kind: self.applicant_kind,
            structure_name,
            siret,
            rna,
            contact_name,
            contact_email,
            contact_phone,
            action_title,
            summary,
            description,
            action_start: self.action_start,
            action_end: self.action_end,
            locations,
            answers,
            video_url,
            website,
        })
    }
}

/// Start a draft application
///
/// Applicants, for an edition whose applications are open: from the opening day to the end of the
/// deadline day, Europe/Paris (409 `applications_closed` otherwise). Every field is optional in a
/// draft, but `answers` keys must be the edition's criteria and `action_end` may not precede
/// `action_start`. An applicant holds at most 5 applications per edition, withdrawn ones included
/// (409 `too_many_applications`). An unconfirmed address may draft, not submit.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Edition id")),
    request_body = ApplicationInput,
    responses(
        (status = 201, description = "Draft created", body = Application),
        error::JsonWriteErrors,
    )
)]
#[post("/editions/{id}/applications", wrap = "from_fn(authorize)")]
pub async fn create_application(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: Json<ApplicationInput>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_inner().parse()?;
    let application = applications::create(&state.db, &caller, id.into_inner(), patch).await?;
    Ok(super::created(
        format!("{API_PREFIX}/applications/{}", application.id),
        application,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListApplicationsQuery {
    pub edition_id: Option<Uuid>,
    pub status: Option<ApplicationStatus>,
    pub eligibility: Option<Eligibility>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]*$", max_length = 400)]
    pub cursor: Option<String>,
}

/// List applications
///
/// An applicant sees their own applications; staff also see those of their organizations' editions
/// (all of them for a platform admin). Filter by `edition_id`, `status` and `eligibility`
/// (`pending`: not reviewed yet); paged with `limit` and `cursor`.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(ListApplicationsQuery),
    responses(
        (status = 200, description = "A page of applications", body = Page<Application>),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 422, response = error::ValidationFailed),
        (status = 500, response = error::InternalError),
    )
)]
#[get("/applications", wrap = "from_fn(authorize)")]
pub async fn list_applications(
    state: web::Data<AppState>,
    caller: Principal,
    Language(lang): Language,
    query: Query<ListApplicationsQuery>,
) -> Result<web::Json<Page<Application>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let filter = ApplicationFilter {
        edition_id: query.edition_id,
        status: query.status,
        eligibility: query.eligibility,
    };
    Ok(web::Json(
        applications::list(&state.db, &caller, filter, page)
            .await?
            .for_reader(lang),
    ))
}

/// Get one application
///
/// Its applicant, or staff of its organization; anyone else gets 404. It carries the contact
/// details, the automatic eligibility check, the staff's review, the gallery and shortlist flags
/// and the audition slot.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    responses(
        (status = 200, description = "The application", body = Application),
        error::ResourceErrors,
    )
)]
#[get("/applications/{id}", wrap = "from_fn(authorize)")]
pub async fn get_application(
    state: web::Data<AppState>,
    caller: Principal,
    Language(lang): Language,
    id: web::Path<Uuid>,
) -> Result<web::Json<Application>, ApiError> {
    Ok(web::Json(
        applications::get(&state.db, &caller, id.into_inner())
            .await?
            .for_reader(lang),
    ))
}

/// Edit a draft application
///
/// Its applicant only (staff get 403, others 404), while it is a draft (409 `not_a_draft`) and
/// applications are open (409 `applications_closed`). Each field sent replaces the stored one,
/// `locations` and `answers` as a whole; fields not sent stay as they are.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = ApplicationInput,
    responses(
        (status = 200, description = "The updated draft", body = Application),
        error::JsonWriteErrors,
    )
)]
#[patch("/applications/{id}", wrap = "from_fn(authorize)")]
pub async fn update_application(
    state: web::Data<AppState>,
    caller: Principal,
    Language(lang): Language,
    id: web::Path<Uuid>,
    body: Json<ApplicationInput>,
) -> Result<web::Json<Application>, ApiError> {
    let patch = body.into_inner().parse()?;
    Ok(web::Json(
        applications::update(&state.db, &caller, id.into_inner(), patch)
            .await?
            .for_reader(lang),
    ))
}

/// Submit a draft application
///
/// Its applicant only (staff get 403, others 404), before the deadline (409 `applications_closed`)
/// and with a confirmed address (409 `email_unverified`). Every required field and an answer to
/// each criterion must be filled in (422 lists what is missing). The automatic eligibility check
/// (action dates in the edition's window, a location in its départements) is recorded and returned;
/// staff then confirm or override it.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    responses(
        (status = 200, description = "Submitted, with its automatic check", body = Application),
        error::ActionErrors,
    )
)]
#[post("/applications/{id}/submit", wrap = "from_fn(authorize)")]
pub async fn submit_application(
    state: web::Data<AppState>,
    caller: Principal,
    Language(lang): Language,
    id: web::Path<Uuid>,
) -> Result<web::Json<Application>, ApiError> {
    Ok(web::Json(
        applications::submit(&state.db, &caller, id.into_inner())
            .await?
            .for_reader(lang),
    ))
}

/// Withdraw an application
///
/// Its applicant only (staff get 403, others 404), while the edition is at `applications_open` or
/// `selection`, until the selection day (409 `withdrawal_closed`); a second withdrawal gets 409
/// `already_withdrawn`. The application leaves the public gallery and still counts toward the 5
/// applications allowed per edition.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    responses(
        (status = 200, description = "Withdrawn", body = Application),
        error::ActionErrors,
    )
)]
#[post("/applications/{id}/withdraw", wrap = "from_fn(authorize)")]
pub async fn withdraw_application(
    state: web::Data<AppState>,
    caller: Principal,
    Language(lang): Language,
    id: web::Path<Uuid>,
) -> Result<web::Json<Application>, ApiError> {
    Ok(web::Json(
        applications::withdraw(&state.db, &caller, id.into_inner())
            .await?
            .for_reader(lang),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Il manque la réponse sur la pérennité."}))]
pub struct ReasonRequest {
    /// 10 to 2000 characters.
    #[schema(
        min_length = 10,
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub reason: String,
}

/// Send a submitted application back to draft
///
/// Staff of its organization (others get 404), with a written `reason` (audited), while
/// applications are still accepted (409 `applications_closed`), for a submitted application only
/// (409 `not_submitted`). Its automatic check, review and gallery visibility are cleared, so that
/// the applicant can edit and submit it again.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "Back to draft", body = Application),
        error::JsonWriteErrors,
    )
)]
#[post("/applications/{id}/reopen", wrap = "from_fn(authorize)")]
pub async fn reopen_application(
    state: web::Data<AppState>,
    caller: Principal,
    Language(lang): Language,
    id: web::Path<Uuid>,
    body: Json<ReasonRequest>,
) -> Result<web::Json<Application>, ApiError> {
    let reason = parse_reason(&body.reason)
        .map_err(|error| ApiError::Validation(vec![error.on("reason")]))?;
    Ok(web::Json(
        applications::reopen(&state.db, &caller, id.into_inner(), reason)
            .await?
            .for_reader(lang),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision": "eligible", "reason": "La commune de Saint-Didier-de-la-Tour a un code postal de l'Isère."}))]
pub struct ReviewRequest {
    /// `eligible` or `ineligible`.
    #[schema(value_type = crate::openapi::rules::ReviewDecision)]
    pub decision: Eligibility,
    /// Required when the decision contradicts the automatic check.
    #[schema(
        min_length = 10,
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub reason: Option<String>,
}

/// Decide a submitted application's eligibility
///
/// Staff of its organization (others get 404) record `eligible` or `ineligible` for a submitted
/// application (409 `not_submitted`), while applications are open or during the selection (409
/// `review_closed`). A `reason` is required when the decision contradicts the automatic check. An
/// ineligible application leaves the public gallery; only eligible ones enter the selection round.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = ReviewRequest,
    responses(
        (status = 200, description = "Reviewed", body = Application),
        error::JsonWriteErrors,
    )
)]
#[post("/applications/{id}/review", wrap = "from_fn(authorize)")]
pub async fn review_application(
    state: web::Data<AppState>,
    caller: Principal,
    Language(lang): Language,
    id: web::Path<Uuid>,
    body: Json<ReviewRequest>,
) -> Result<web::Json<Application>, ApiError> {
    let body = body.into_inner();
    let reason = body
        .reason
        .as_deref()
        .map(parse_reason)
        .transpose()
        .map_err(|error| ApiError::Validation(vec![error.on("reason")]))?;
    Ok(web::Json(
        applications::review(&state.db, &caller, id.into_inner(), body.decision, reason)
            .await?
            .for_reader(lang),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"public": true}))]
pub struct VisibilityRequest {
    pub public: bool,
}

/// Show or hide an application in the public gallery
///
/// Staff of its organization (others get 404). Only a submitted application reviewed as eligible
/// can be made public (409 `not_eligible`); hiding one is always allowed, until the edition's
/// results are published (409 `edition_closed`). Shortlisted applications appear in the gallery
/// whatever this flag says.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = VisibilityRequest,
    responses(
        (status = 200, description = "Visibility changed", body = Application),
        error::JsonWriteErrors,
    )
)]
#[post("/applications/{id}/visibility", wrap = "from_fn(authorize)")]
pub async fn set_application_visibility(
    state: web::Data<AppState>,
    caller: Principal,
    Language(lang): Language,
    id: web::Path<Uuid>,
    body: Json<VisibilityRequest>,
) -> Result<web::Json<Application>, ApiError> {
    Ok(web::Json(
        applications::set_public(&state.db, &caller, id.into_inner(), body.public)
            .await?
            .for_reader(lang),
    ))
}

/// A column of the CSV export: its header, and how it reads an application (the columns below,
/// then one per criterion, with the applicant's answer).
type CsvColumn = (fn() -> Text, fn(&Application) -> String);

const CSV_COLUMNS: &[CsvColumn] = &[
    (|| text!("csv-id"), |row| row.id.to_string()),
    (|| text!("csv-status"), |row| row.status.to_string()),
    (
        || text!("csv-eligibility"),
        |row| row.eligibility.to_string(),
    ),
    (
        || text!("csv-automatic-check-eligible"),
        |row| text(row.automatic_check.as_ref().map(|check| check.eligible)),
    ),
    (
        || text!("csv-applicant-kind"),
        |row| text(row.content.action.applicant_kind),
    ),
    (
        || text!("csv-structure-name"),
        |row| text(row.content.action.structure_name.as_ref()),
    ),
    (
        || text!("csv-siret"),
        |row| text(row.content.private.siret.as_ref()),
    ),
    (
        || text!("csv-rna"),
        |row| text(row.content.private.rna.as_ref()),
    ),
    (
        || text!("csv-contact-name"),
        |row| text(row.content.private.contact_name.as_ref()),
    ),
    (
        || text!("csv-contact-email"),
        |row| text(row.content.private.contact_email.as_ref()),
    ),
    (
        || text!("csv-contact-phone"),
        |row| text(row.content.private.contact_phone.as_ref()),
    ),
    (
        || text!("csv-action-title"),
        |row| text(row.content.action.action_title.as_ref()),
    ),
    (
        || text!("csv-summary"),
        |row| text(row.content.action.summary.as_ref()),
    ),
    (
        || text!("csv-action-start"),
        |row| text(row.content.action.action_start),
    ),
    (
        || text!("csv-action-end"),
        |row| text(row.content.action.action_end),
    ),
    (
        || text!("csv-locations"),
        |row| {
            let places: Vec<String> = (row.content.action.locations.iter())
                .map(|place| format!("{} ({})", place.commune, place.postal_code))
                .collect();
            places.join("; ")
        },
    ),
    (
        || text!("csv-video-url"),
        |row| text(row.content.action.video_url.as_ref()),
    ),
    (
        || text!("csv-website"),
        |row| text(row.content.action.website.as_ref()),
    ),
    (
        || text!("csv-submitted-at"),
        |row| text(row.submitted_at.map(|at| at.to_rfc3339())),
    ),
    (|| text!("csv-applicant-id"), |row| text(row.applicant_id)),
    (
        || text!("csv-description"),
        |row| text(row.content.action.description.as_ref()),
    ),
    (
        || text!("csv-review-reason"),
        |row| {
            text(
                row.review
                    .as_ref()
                    .and_then(|review| review.reason.as_ref()),
            )
        },
    ),
    (
        || text!("csv-reviewed-at"),
        |row| {
            text(
                row.review
                    .as_ref()
                    .map(|review| review.reviewed_at.to_rfc3339()),
            )
        },
    ),
    (|| text!("csv-public"), |row| row.public.to_string()),
    (
        || text!("csv-shortlisted"),
        |row| row.shortlisted.to_string(),
    ),
    (
        || text!("csv-audition-starts-at"),
        |row| {
            text(
                row.audition
                    .as_ref()
                    .map(|slot| slot.starts_at.to_rfc3339()),
            )
        },
    ),
    (
        || text!("csv-audition-place"),
        |row| text(row.audition.as_ref().map(|slot| &slot.place)),
    ),
    (
        || text!("csv-created-at"),
        |row| row.created_at.to_rfc3339(),
    ),
    (
        || text!("csv-updated-at"),
        |row| row.updated_at.to_rfc3339(),
    ),
];

/// An optional value as CSV text (empty when absent).
fn text(value: Option<impl std::fmt::Display>) -> String {
    value.map(|value| value.to_string()).unwrap_or_default()
}

fn csv_row(criteria: &[String], application: &Application) -> Vec<String> {
    CSV_COLUMNS
        .iter()
        .map(|(_, read)| read(application))
        .chain(criteria.iter().map(|key| {
            application
                .content
                .action
                .answers
                .get(key)
                .cloned()
                .unwrap_or_default()
        }))
        .collect()
}

/// Export an edition's applications as CSV
///
/// Staff of the edition's organization (others get 404). One row per application, drafts and
/// withdrawn ones included, oldest first, contact details included; UTF-8 with a header row in the
/// answer's language (`Accept-Language`) and one column per criterion (`Réponse : <criterion>`). Comma-separated, or `separator=semicolon&bom=true`
/// for French spreadsheets; cells a spreadsheet would take for formulas are prefixed with `'`.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Edition id"), CsvFormat),
    responses(
        (status = 200, description = "The applications as CSV", content_type = "text/csv", body = String,
         example = "Identifiant,Statut,Éligibilité,…\n01935f0e-…,submitted,eligible,…\n"),
        error::ResourceErrors,
    )
)]
#[get("/editions/{id}/applications.csv", wrap = "from_fn(authorize)")]
pub async fn export_applications(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    format: Query<CsvFormat>,
    Language(lang): Language,
) -> Result<HttpResponse, ApiError> {
    let edition_id = id.into_inner();
    let (criteria, all) = applications::all_of_edition(&state.db, &caller, edition_id).await?;
    let header: Vec<Text> = CSV_COLUMNS
        .iter()
        .map(|(header, _)| header())
        .chain(
            criteria
                .iter()
                .map(|key| text!("csv-answer", criterion = key)),
        )
        .collect();
    csv_export::respond(
        lang,
        &header,
        all.iter()
            .map(|application| csv_row(&criteria, application)),
        &format!("applications-{edition_id}.csv"),
        &format.into_inner(),
    )
}

/// List an edition's public candidates (the gallery)
///
/// The public gallery of an edition out of draft (404 otherwise): the submitted applications its
/// organizer made public, and the shortlisted ones, without personal data. Anyone, without a token
/// and from any web origin; this is what the organizer's website embeds. Paged with `limit` and
/// `cursor`; cached (`max-age=30`, `ETag`, 304 on `If-None-Match`).
#[utoipa::path(
    tag = "applications",
    params(("id" = Uuid, Path, description = "Edition id"), PageQuery),
    responses(
        (status = 200, description = "A page of the public candidates", body = Page<Candidate>),
        error::PublicResourceErrors,
    )
)]
#[get(
    "/editions/{id}/candidates",
    wrap = "from_fn(public_cache::serve)",
    wrap = "from_fn(authorize)"
)]
pub async fn list_candidates(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: Query<PageQuery>,
) -> Result<web::Json<Page<Candidate>>, ApiError> {
    let page = query.into_inner().parse()?;
    let candidates = applications::candidates(&state.db, id.into_inner()).await?;
    Ok(web::Json(
        page.page_of(candidates, |candidate| candidate.id.to_string()),
    ))
}
