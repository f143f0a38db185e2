//! HTTP handlers of the jury's deliberation: scorecards, rankings, the shortlist, auditions, decisions.
use super::extract::Json;
use super::language::{ForReader, Language};
use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, middleware::from_fn, post, put, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    csv_export::{self, CsvFormat, Separator},
    extract::Query,
    jury::{RoundQuery, reason_of},
};
use crate::{
    auth::{Principal, access::authorize},
    domain::{
        application::parse_text,
        edition_lifecycle::parse_reason,
        scoring::{RankedApplication, Round},
        validation::check_name,
    },
    error::{self, ApiError},
    services::{
        editions::Edition,
        jury::{self, Decision, DecisionRequest, Scorecard},
        lookups::AuditionSlot,
    },
    state::AppState,
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"scores": {"general_interest": 16, "reproducibility": 12, "efficiency": 14, "sustainability": 15, "innovativeness": 17}, "comment": "Un projet solide."}))]
pub struct ScorecardRequest {
    /// Criterion key → score on the edition's scale (a draft may be partial).
    pub scores: BTreeMap<String, i32>,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub comment: String,
}

#[derive(Debug, Deserialize)]
pub struct ScorecardPath {
    id: Uuid,
    round: Round,
}

/// Save your draft scorecard on an application
///
/// Members of the edition's jury, on an application of the round (404 otherwise), while the edition
/// is at that round's stage (409 `scoring_closed`), when not conflicted (409
/// `conflict_of_interest`) and, if the round uses assignments, when assigned (409 `not_assigned`).
/// Scores may be partial, but each must name a criterion and lie on the edition's scale; each save
/// replaces the draft's scores and comment. A submitted scorecard is locked (409
/// `scorecard_submitted`).
#[utoipa::path(
    tag = "jury", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id"), ("round" = Round, Path, description = "Round")),
    request_body = ScorecardRequest,
    responses(
        (status = 200, description = "The draft", body = Scorecard),
        error::JsonWriteErrors,
    )
)]
#[put("/applications/{id}/scorecards/{round}", wrap = "from_fn(authorize)")]
pub async fn save_scorecard(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<ScorecardPath>,
    body: Json<ScorecardRequest>,
) -> Result<web::Json<Scorecard>, ApiError> {
    let body = body.into_inner();
    let comment = if body.comment.trim().is_empty() {
        String::new()
    } else {
        parse_text(&body.comment, 1, 5000)
            .map_err(|error| ApiError::Validation(vec![error.on("comment")]))?
    };
    Ok(web::Json(
        jury::save_scorecard(
            &state.db,
            &caller,
            path.id,
            path.round,
            body.scores,
            comment,
        )
        .await?,
    ))
}

/// Submit your scorecard on an application
///
/// Locks the caller's saved draft for the round (404 when there is none) once every criterion is
/// scored (422 otherwise); only staff can reopen it. The conditions of saving apply: a member of
/// the edition's jury, at the round's stage, not conflicted and, where the round uses assignments,
/// assigned.
#[utoipa::path(
    tag = "jury", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id"), ("round" = Round, Path, description = "Round")),
    responses(
        (status = 200, description = "Submitted", body = Scorecard),
        error::ActionErrors,
    )
)]
#[post(
    "/applications/{id}/scorecards/{round}/submit",
    wrap = "from_fn(authorize)"
)]
pub async fn submit_scorecard(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<ScorecardPath>,
) -> Result<web::Json<Scorecard>, ApiError> {
    Ok(web::Json(
        jury::submit_scorecard(&state.db, &caller, path.id, path.round).await?,
    ))
}

/// List an application's scorecards for a round
///
/// Staff of the edition's organization see them all. A member of the edition's jury sees the
/// submitted ones once their own on this application is submitted (409 `own_scorecard_pending`
/// before), and nothing on an application they are conflicted on (404). Anyone else gets 404.
#[utoipa::path(
    tag = "jury", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id"), RoundQuery),
    responses(
        (status = 200, description = "The scorecards", body = Vec<Scorecard>),
        error::ActionErrors,
    )
)]
#[get("/applications/{id}/scorecards", wrap = "from_fn(authorize)")]
pub async fn list_scorecards(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    query: Query<RoundQuery>,
) -> Result<web::Json<Vec<Scorecard>>, ApiError> {
    Ok(web::Json(
        jury::scorecards(&state.db, &caller, id.into_inner(), query.0.round).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Le juré a inversé deux notes."}))]
pub struct ReasonBody {
    #[schema(
        min_length = 10,
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub reason: String,
}

/// Reopen a submitted scorecard
///
/// Sends a submitted scorecard back to draft, so that its juror can correct and submit it again.
/// Staff of the edition's organization (others get 404), with a written `reason` (audited); a
/// submitted card only (409 `scorecard_not_submitted`), never after the results are published (409
/// `edition_closed`).
#[utoipa::path(
    tag = "jury", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Scorecard id")),
    request_body = ReasonBody,
    responses(
        (status = 200, description = "Back to draft", body = Scorecard),
        error::JsonWriteErrors,
    )
)]
#[post("/scorecards/{id}/reopen", wrap = "from_fn(authorize)")]
pub async fn reopen_scorecard(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: Json<ReasonBody>,
) -> Result<web::Json<Scorecard>, ApiError> {
    let reason = parse_reason(&body.reason)
        .map_err(|error| ApiError::Validation(vec![error.on("reason")]))?;
    Ok(web::Json(
        jury::reopen_scorecard(&state.db, &caller, id.into_inner(), reason).await?,
    ))
}

/// Get the ranking of a round
///
/// Best first, from submitted scorecards: weighted mean total, mean per criterion, spread,
/// scorecards and missing ones, rank, a normalised score correcting harsh or lenient jurors with
/// its own rank, and ties. Staff of the edition's organization see it whole; the jury's president
/// once their own cards of the round are all submitted (409 `own_scorecard_pending` before),
/// without the applications they are conflicted on. Other jury members get 403, anyone else 404.
#[utoipa::path(
    tag = "jury", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Edition id"), RoundQuery),
    responses(
        (status = 200, description = "Best first", body = Vec<RankedApplication>),
        error::ActionErrors,
    )
)]
#[get("/editions/{id}/rankings", wrap = "from_fn(authorize)")]
pub async fn get_rankings(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    query: Query<RoundQuery>,
) -> Result<web::Json<Vec<RankedApplication>>, ApiError> {
    Ok(web::Json(
        jury::rankings(&state.db, &caller, id.into_inner(), query.0.round).await?,
    ))
}

/// Export the ranking of a round as CSV
///
/// Columns `rank`, `application_id`, `total`, `spread`, `scorecards`, `missing`, `normalized`,
/// `normalized_rank`, `tied`, then one `mean_<criterion>` per criterion. Same access as the
/// ranking: staff of the edition's organization, or the jury's president once their own cards of
/// the round are submitted (409 `own_scorecard_pending` before). Comma-separated, or
/// `separator=semicolon&bom=true` for French spreadsheets.
#[utoipa::path(
    tag = "jury", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Edition id"), RankingsCsvQuery),
    responses(
        (status = 200, description = "The ranking as CSV", content_type = "text/csv", body = String,
         example = "Rang,Candidature,Total,…\n1,01935f0e-…,15.2,…\n"),
        error::ActionErrors,
    )
)]
#[get("/editions/{id}/rankings.csv", wrap = "from_fn(authorize)")]
pub async fn export_rankings(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    query: Query<RankingsCsvQuery>,
    Language(lang): Language,
) -> Result<HttpResponse, ApiError> {
    let RankingsCsvQuery {
        round,
        separator,
        bom,
    } = query.into_inner();
    let edition_id = id.into_inner();
    let ranking = jury::rankings(&state.db, &caller, edition_id, round).await?;
    let criteria: Vec<String> = ranking
        .iter()
        .flat_map(|application| application.criteria.keys().cloned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut header = vec![
        text!("csv-rank"),
        text!("csv-application-id"),
        text!("csv-total"),
        text!("csv-spread"),
        text!("csv-scorecards"),
        text!("csv-missing"),
        text!("csv-normalized"),
        text!("csv-normalized-rank"),
        text!("csv-tied"),
    ];
    header.extend(
        criteria
            .iter()
            .map(|key| text!("csv-mean", criterion = key)),
    );
    let number = |value: Option<f64>| value.map(|v| format!("{v:.3}")).unwrap_or_default();
    let rows = ranking.iter().map(|application| {
        let mut row = vec![
            application.rank.map(|r| r.to_string()).unwrap_or_default(),
            application.application_id.to_string(),
            number(application.total),
            number(application.spread),
            application.scorecards.to_string(),
            application.missing.to_string(),
            number(application.normalized),
            application
                .normalized_rank
                .map(|r| r.to_string())
                .unwrap_or_default(),
            application.tied.to_string(),
        ];
        row.extend(
            criteria
                .iter()
                .map(|key| number(application.criteria.get(key).copied())),
        );
        row
    });
    csv_export::respond(
        lang,
        &header,
        rows,
        &format!("rankings-{edition_id}-{}.csv", round.as_str()),
        &CsvFormat { separator, bom },
    )
}

/// A round, and how its CSV is written (see [`CsvFormat`]).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RankingsCsvQuery {
    pub round: Round,
    /// `comma` (default) or `semicolon`.
    #[serde(default)]
    #[param(inline)]
    pub separator: Separator,
    /// Start with a UTF-8 byte-order mark (default `false`).
    #[serde(default)]
    pub bom: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"application_ids": ["01935f0e-8a47-7cc2-9f1e-3a6b2d4c5e70"], "reason": null}))]
pub struct ShortlistRequest {
    #[schema(min_items = 1)]
    pub application_ids: Vec<Uuid>,
    /// Required when the list differs from the proposed top N of the selection ranking, or
    /// when the jury departs from the composition rule.
    #[schema(
        min_length = 10,
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub reason: Option<String>,
}

/// Confirm the shortlist and open the auditions
///
/// Staff of the edition's organization (others get 404), during the selection (409
/// `not_in_selection`). Each listed application must be an eligible application of the edition,
/// listed once; a `reason` is required when the list differs from the top `shortlist_size` of the
/// selection ranking, or when the jury departs from the composition rule (409 `jury_composition`).
/// The shortlisted applications become public in the gallery, their applicants see it, and the
/// edition moves to `audition` (audited).
#[utoipa::path(
    tag = "jury", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Edition id")),
    request_body = ShortlistRequest,
    responses(
        (status = 200, description = "The edition, now in audition", body = Edition),
        error::JsonWriteErrors,
    )
)]
#[post("/editions/{id}/shortlist", wrap = "from_fn(authorize)")]
pub async fn confirm_shortlist(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: Json<ShortlistRequest>,
    Language(lang): Language,
) -> Result<web::Json<Edition>, ApiError> {
    let body = body.into_inner();
    let reason = reason_of(body.reason.as_deref())?;
    Ok(web::Json(
        jury::confirm_shortlist(
            &state.db,
            &caller,
            id.into_inner(),
            body.application_ids,
            reason,
        )
        .await?
        .for_reader(lang),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_at": "2026-11-04T09:30:00+01:00", "place": "Hôtel de Région, Lyon — salle 3"}))]
pub struct AuditionRequest {
    pub starts_at: DateTime<Utc>,
    /// A name, as people write it: no line breaks, no hidden characters.
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*[^\s\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0][^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*$"
    )]
    pub place: String,
}

/// Schedule a shortlisted candidate's audition
///
/// Sets the time and place of the audition, which the applicant and the jury see; scheduling again
/// replaces them. Staff of the application's organization (others get 404), for a shortlisted
/// application only (409 `not_shortlisted`), until the results are published (409
/// `edition_closed`).
#[utoipa::path(
    tag = "jury", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = AuditionRequest,
    responses(
        (status = 200, description = "Scheduled", body = AuditionSlot),
        error::JsonWriteErrors,
    )
)]
#[put("/applications/{id}/audition", wrap = "from_fn(authorize)")]
pub async fn schedule_audition(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: Json<AuditionRequest>,
) -> Result<web::Json<AuditionSlot>, ApiError> {
    let body = body.into_inner();
    let place = parse_text(&body.place, 1, 300)
        .and_then(|place| check_name(&place, 1, 300).map(|()| place))
        .map_err(|error| ApiError::Validation(vec![error.on("place")]))?;
    Ok(web::Json(
        jury::schedule_audition(&state.db, &caller, id.into_inner(), body.starts_at, place).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"laureate": "01935f0e-8a47-7cc2-9f1e-3a6b2d4c5e70", "casting_vote": true, "mentions": []}))]
pub struct DecisionBody {
    /// The laureate (for a jury prize: the top of the ranking of the prize's pool).
    pub laureate: Uuid,
    /// The president's casting vote, required to decide a tie for first place.
    #[serde(default)]
    pub casting_vote: bool,
    /// Honourable mentions, where the prize allows them.
    #[serde(default)]
    pub mentions: Vec<Uuid>,
    /// The deliberation's reason: required to award the prize to a candidate other than the top
    /// of the audition ranking, and (staff only) to change an existing decision.
    #[schema(
        min_length = 10,
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub reason: Option<String>,
}

/// Decide a jury or category prize
///
/// The jury's president or staff of the edition's organization (other members of its jury get 403,
/// as do callers holding neither the jury nor the admin role; other juries and other organizations'
/// staff 404), while the edition is at `audition` or `ceremony` (409 `decisions_closed`); ballot
/// prizes are refused (409 `decided_by_ballot`). The laureate and any mentions come from the
/// prize's pool; a jury prize goes to the top of the ranking (a tie for first place needs the
/// president's `casting_vote`), or to another candidate of the pool with the deliberation's
/// `reason` written, as when the jury deliberated without scoring (409 `not_top_ranked`,
/// `no_ranking` without one). The president decides once their own cards of the round are
/// submitted and when not conflicted on a candidate (409 `president_conflicted`: staff record it
/// then). Audited; an existing decision is changed by staff only, with a `reason` (409
/// `decision_exists` otherwise).
#[utoipa::path(
    tag = "jury", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Prize id")),
    request_body = DecisionBody,
    responses(
        (status = 200, description = "The decision", body = Decision),
        error::JsonWriteErrors,
    )
)]
#[post("/prizes/{id}/decision", wrap = "from_fn(authorize)")]
pub async fn decide_prize(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: Json<DecisionBody>,
) -> Result<web::Json<Decision>, ApiError> {
    let body = body.into_inner();
    let request = DecisionRequest {
        laureate: body.laureate,
        casting_vote: body.casting_vote,
        mentions: body.mentions,
        reason: reason_of(body.reason.as_deref())?,
    };
    Ok(web::Json(
        jury::decide(&state.db, &caller, id.into_inner(), request).await?,
    ))
}

/// Get a prize's decision
///
/// Staff of the edition's organization, and the members of its jury once their own cards of the
/// decision's round are submitted (409 `own_scorecard_pending` before); anyone else gets 404, as
/// does a prize not decided yet. The public learns the laureates once published, from the laureates
/// list.
#[utoipa::path(
    tag = "jury", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Prize id")),
    responses(
        (status = 200, description = "The decision", body = Decision),
        error::ActionErrors,
    )
)]
#[get("/prizes/{id}/decision", wrap = "from_fn(authorize)")]
pub async fn get_prize_decision(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Decision>, ApiError> {
    Ok(web::Json(
        jury::decision(&state.db, &caller, id.into_inner()).await?,
    ))
}
