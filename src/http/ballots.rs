//! Ballots (the councillors' and the public's prizes), votes, receipts, results, laureates.
use super::extract::Json;
use super::language::{ForReader, Language};
use crate::auth::access::authorize;
use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, HttpResponse, get, http::header, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::API_PREFIX;
use super::{
    client_ip::client_ip,
    csv_export::{self, CsvFormat},
    extract::Query,
    organizations::PageQuery,
    public_cache,
};
use crate::domain::pagination::Page;

use crate::{
    auth::Principal,
    domain::{ballot::BallotState, edition_lifecycle::parse_reason},
    error::{self, ApiError},
    services::{
        ballots::{self, BallotView, Laureate, Receipt, Results},
        voters::{self, VoterToken},
    },
    state::AppState,
};

/// Get the ballot of a councillors' or public prize
///
/// State, window and candidates (without personal data), for anyone, without a token and from any
/// web origin; 404 for other prizes or an edition in draft. The state follows the window: a
/// scheduled ballot opens at `opens_at` only during its opening stages (the ceremony for the
/// councillors, from the auditions to the ceremony for the public) and closes at `closes_at`.
/// Cached with `Cache-Control: public, no-cache` and an `ETag`: revalidate to get a 304.
#[utoipa::path(
    tag = "ballots",
    params(("id" = Uuid, Path, description = "Prize id")),
    responses(
        (status = 200, description = "The ballot", body = BallotView),
        error::PublicResourceErrors,
    )
)]
#[get(
    "/prizes/{id}/ballot",
    wrap = "from_fn(public_cache::serve)",
    wrap = "from_fn(authorize)"
)]
pub async fn get_ballot(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Language(lang): Language,
) -> Result<HttpResponse, ApiError> {
    let ballot = ballots::get(&state.db, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ballot.for_reader(lang)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"opens_at": "2026-12-14T18:30:00+01:00", "closes_at": "2026-12-14T19:00:00+01:00"}))]
pub struct BallotWindow {
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
}

/// Set a ballot's opening and closing times
///
/// Staff of the prize's organization (others get 404), while the ballot is still scheduled (409
/// `ballot_started`) and before the edition's results are published (409 `edition_closed`);
/// audited. Either time may be null, and `closes_at` must be after `opens_at`. The ballot then
/// opens and closes by itself at those times, during its opening stages only.
#[utoipa::path(
    tag = "ballots", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Prize id")),
    request_body = BallotWindow,
    responses(
        (status = 200, description = "The ballot", body = BallotView),
        error::JsonWriteErrors,
    )
)]
#[put("/prizes/{id}/ballot", wrap = "from_fn(authorize)")]
pub async fn set_ballot_window(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: Json<BallotWindow>,
) -> Result<web::Json<BallotView>, ApiError> {
    Ok(web::Json(
        ballots::set_window(
            &state.db,
            &caller,
            id.into_inner(),
            body.opens_at,
            body.closes_at,
        )
        .await?,
    ))
}

/// Open a scheduled ballot now
///
/// Staff of the prize's organization (others get 404); audited. Only a scheduled ballot (409
/// `invalid_ballot_transition`), and only during its opening stages: the ceremony for the
/// councillors' ballot, from the auditions to the ceremony for the public one (409
/// `edition_not_voting`). Its `opens_at` becomes now; the councillors are told, with the link.
#[utoipa::path(
    tag = "ballots", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Prize id")),
    responses(
        (status = 200, description = "Open", body = BallotView),
        error::ActionErrors,
    )
)]
#[post("/prizes/{id}/ballot/open", wrap = "from_fn(authorize)")]
pub async fn open_ballot(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<BallotView>, ApiError> {
    Ok(web::Json(
        ballots::set_state(
            &state.db,
            &caller,
            id.into_inner(),
            BallotState::Open,
            &state.settings.ballot_url,
        )
        .await?,
    ))
}

/// Close an open ballot now
///
/// Staff of the prize's organization (others get 404); audited. Only an open ballot (409
/// `invalid_ballot_transition`). Votes committed before the close count; none after.
#[utoipa::path(
    tag = "ballots", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Prize id")),
    responses(
        (status = 200, description = "Closed", body = BallotView),
        error::ActionErrors,
    )
)]
#[post("/prizes/{id}/ballot/close", wrap = "from_fn(authorize)")]
pub async fn close_ballot(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<BallotView>, ApiError> {
    Ok(web::Json(
        ballots::set_state(
            &state.db,
            &caller,
            id.into_inner(),
            BallotState::Closed,
            &state.settings.ballot_url,
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"application_id": "01935f0e-8a47-7cc2-9f1e-3a6b2d4c5e70"}))]
pub struct VoteRequest {
    pub application_id: Uuid,
}

/// Cast a vote
///
/// Once and for good (409 `already_voted`), in an open ballot (409 `ballot_not_open`), for one of
/// its candidates (422 otherwise). Entitled voters are the councillors on the roster of the prize's
/// organization for the councillors' prize, and the holders of a voter token for this public prize
/// (409 `not_entitled` otherwise). Returns a receipt to keep, which proves the vote is counted;
/// that someone voted and what they chose are stored apart. Any web origin may call it.
#[utoipa::path(
    tag = "ballots", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Prize id")),
    request_body = VoteRequest,
    responses(
        (status = 201, description = "Counted", body = Receipt),
        error::JsonWriteErrors,
    )
)]
#[post("/prizes/{id}/votes", wrap = "from_fn(authorize)")]
pub async fn cast_vote(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: Json<VoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let prize_id = id.into_inner();
    let receipt = ballots::vote(
        &state.db,
        &state.ballot_cache,
        &state.vote_writer,
        &state.voter_keys,
        &caller,
        prize_id,
        body.application_id,
    )
    .await?;
    Ok(super::created(
        format!(
            "{API_PREFIX}/prizes/{prize_id}/receipts/{}",
            receipt.receipt
        ),
        receipt,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptCheck {
    /// Always true: unknown receipts answer 404.
    pub counted: bool,
}

/// Check that the vote with this receipt is counted
///
/// Answers `{"counted": true}` when a ballot with this receipt is in the prize's count, 404
/// otherwise. Anyone holding the receipt, without a token and from any web origin.
#[utoipa::path(
    tag = "ballots",
    params(("id" = Uuid, Path, description = "Prize id"), ("code" = String, Path, description = "The receipt")),
    responses(
        (status = 200, description = "Counted", body = ReceiptCheck, example = json!({"counted": true})),
        error::PublicResourceErrors,
    )
)]
#[get("/prizes/{id}/receipts/{code}", wrap = "from_fn(authorize)")]
pub async fn check_receipt(
    state: web::Data<AppState>,
    path: web::Path<(Uuid, String)>,
) -> Result<web::Json<ReceiptCheck>, ApiError> {
    let (prize_id, code) = path.into_inner();
    ballots::check_receipt(&state.db, prize_id, &code).await?;
    Ok(web::Json(ReceiptCheck { counted: true }))
}

/// Get a ballot's results
///
/// What the caller may see: while the ballot is scheduled or open, anyone gets the turnout and
/// nobody the split; staff of the prize's organization get the tally once it is closed; once
/// published, everyone sees the tally and the winner. Between the close and the publication,
/// others get 409 `results_not_published`; other prizes and editions in draft are 404. Anonymous answers are cached with `no-cache` and an `ETag` (304 on
/// revalidation); any web origin may call it.
#[utoipa::path(
    tag = "ballots", security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Prize id")),
    responses(
        (status = 200, description = "What the caller may see of the results", body = Results),
        (status = 401, response = error::Unauthorized), (status = 404, response = error::NotFound),
        (status = 422, response = error::ValidationFailed),
        (status = 500, response = error::InternalError),
    )
)]
#[get(
    "/prizes/{id}/results",
    wrap = "from_fn(public_cache::serve)",
    wrap = "from_fn(authorize)"
)]
pub async fn get_results(
    state: web::Data<AppState>,
    caller: Option<Principal>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Results>, ApiError> {
    Ok(web::Json(
        ballots::results(
            &state.db,
            &state.voter_keys,
            caller.as_ref(),
            id.into_inner(),
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"application_id": "01935f0e-8a47-7cc2-9f1e-3a6b2d4c5e70", "reason": "Tirage au sort en séance, devant huissier."}))]
pub struct TieBreakRequest {
    pub application_id: Uuid,
    #[schema(
        min_length = 10,
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub reason: String,
}

/// List the receipt hashes in a ballot's count
///
/// The SHA-256 of each receipt in the count, in order, a page at a time (`limit`, `cursor`): a
/// voter checks that the hash of their receipt is there. For whoever may see the tally: staff of
/// the prize's organization once the ballot is closed, anyone once it is published (an empty page
/// before the close; 409 `results_not_published` to others between the close and the
/// publication).
#[utoipa::path(
    tag = "ballots",
    params(("id" = Uuid, Path, description = "Prize id"), PageQuery),
    responses(
        (status = 200, description = "A page of receipt hashes", body = Page<String>),
        (status = 401, response = error::Unauthorized), (status = 404, response = error::NotFound),
        (status = 422, response = error::ValidationFailed),
        (status = 500, response = error::InternalError),
    )
)]
#[get(
    "/prizes/{id}/results/receipts",
    wrap = "from_fn(public_cache::serve)",
    wrap = "from_fn(authorize)"
)]
pub async fn list_receipt_hashes(
    state: web::Data<AppState>,
    caller: Option<Principal>,
    id: web::Path<Uuid>,
    query: Query<PageQuery>,
) -> Result<web::Json<Page<String>>, ApiError> {
    let page = query.into_inner().parse()?;
    Ok(web::Json(
        ballots::receipt_hashes(&state.db, caller.as_ref(), id.into_inner(), page).await?,
    ))
}

/// Resolve a tie for first place of a closed ballot
///
/// Staff of the prize's organization (others get 404) choose the winner among the tied candidates
/// (422 otherwise), with a written `reason` that is shown with the results; audited. Only for a
/// closed ballot (409 `ballot_not_closed`) with a tie for first place (409 `no_tie`).
#[utoipa::path(
    tag = "ballots", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Prize id")),
    request_body = TieBreakRequest,
    responses(
        (status = 200, description = "The results with their winner", body = Results),
        error::JsonWriteErrors,
    )
)]
#[post("/prizes/{id}/results/tie-break", wrap = "from_fn(authorize)")]
pub async fn break_tie(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: Json<TieBreakRequest>,
) -> Result<web::Json<Results>, ApiError> {
    let reason = parse_reason(&body.reason)
        .map_err(|error| ApiError::Validation(vec![error.on("reason")]))?;
    Ok(web::Json(
        ballots::break_tie(
            &state.db,
            &state.voter_keys,
            &caller,
            id.into_inner(),
            body.application_id,
            reason,
        )
        .await?,
    ))
}

/// Publish a closed ballot's results
///
/// Staff of the prize's organization (others get 404); audited. Only a closed ballot (409
/// `ballot_not_closed`) whose tie for first place, if any, is resolved (409 `tie_unresolved`). The
/// count is then stored, and anyone sees the tally, the winner and the receipt hashes.
#[utoipa::path(
    tag = "ballots", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Prize id")),
    responses(
        (status = 200, description = "Published", body = Results),
        error::ActionErrors,
    )
)]
#[post("/prizes/{id}/results/publish", wrap = "from_fn(authorize)")]
pub async fn publish_results(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Results>, ApiError> {
    Ok(web::Json(
        ballots::publish(&state.db, &state.voter_keys, &caller, id.into_inner()).await?,
    ))
}

/// List an edition's published laureates
///
/// The laureates of the edition's prizes, with honourable mentions and without personal data: jury
/// and category decisions once the edition's results are published, each ballot's winner once its
/// ballot is published. Anyone, without a token and from any web origin; 404 for an edition in
/// draft. Cached (`max-age=30`, `ETag`, 304 on `If-None-Match`).
#[utoipa::path(
    tag = "ballots",
    params(("id" = Uuid, Path, description = "Edition id")),
    responses(
        (status = 200, description = "The laureates published so far", body = Vec<Laureate>),
        error::PublicResourceErrors,
    )
)]
#[get(
    "/editions/{id}/laureates",
    wrap = "from_fn(public_cache::serve)",
    wrap = "from_fn(authorize)"
)]
pub async fn list_laureates(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Language(lang): Language,
) -> Result<web::Json<Vec<Laureate>>, ApiError> {
    let laureates = ballots::laureates(&state.db, &state.voter_keys, id.into_inner()).await?;
    Ok(web::Json(laureates.for_reader(lang)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "electeur@example.org"}))]
pub struct VerificationRequest {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationSent {
    #[schema(example = "sent")]
    pub status: &'static str,
}

/// Request a code to vote for a public prize
///
/// Emails a 6-digit code (valid 10 minutes, 5 attempts) for a public prize whose ballot is open
/// (409 `ballot_not_open`; 404 for other prizes or an edition in draft). The answer is the same
/// whether or not the address has voted. Anyone, without a token and from any web origin;
/// rate-limited per client IP, per address and per email domain, large webmail providers excepted
/// (429).
#[utoipa::path(
    tag = "ballots",
    params(("id" = Uuid, Path, description = "Prize id (a public prize)")),
    request_body = VerificationRequest,
    responses(
        (status = 202, description = "A code is on its way", body = VerificationSent, example = json!({"status": "sent"})),
        (status = 400, response = error::BadRequest), (status = 404, response = error::NotFound),
        (status = 413, response = error::PayloadTooLarge),
        (status = 415, response = error::UnsupportedMediaType), (status = 422, response = error::ValidationFailed),
        (status = 429, response = error::TooManyRequests), (status = 500, response = error::InternalError),
    )
)]
#[post("/prizes/{id}/voter-verifications", wrap = "from_fn(authorize)")]
pub async fn request_voter_code(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<VerificationRequest>,
    Language(lang): Language,
) -> Result<HttpResponse, ApiError> {
    state
        .voter_ip_limiter
        .check_client(&request, &state.settings.trusted_proxies)
        .await?;
    let identity = voters::identity_of(&state.voter_keys.identity, &body.email)?;
    state.voter_address_limiter.check(identity).await?;
    if let Some(domain) = voters::limited_domain(&body.email, &state.settings.voter_open_domains)? {
        state.voter_domain_limiter.check(domain).await?;
    }
    voters::request(
        &state.db,
        &state.voter_keys.identity,
        id.into_inner(),
        &body.email,
        lang,
    )
    .await?;
    Ok(HttpResponse::Accepted().json(VerificationSent { status: "sent" }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "electeur@example.org", "code": "042917"}))]
pub struct ConfirmationRequest {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    #[schema(pattern = r"^\s*\d{6}\s*$")]
    pub code: String,
}

/// Exchange an emailed code for a voter token
///
/// Returns a voter token (role `public`, this prize only, valid 30 minutes) to send as the bearer
/// token of the vote; it is good for nothing else. A wrong or expired code gets 422 `invalid_code`
/// and a wrong one counts against the 5 attempts (409 `too_many_attempts` then: ask for a new
/// code). Anyone, without a token and from any web origin; rate-limited per client IP.
#[utoipa::path(
    tag = "ballots",
    params(("id" = Uuid, Path, description = "Prize id (a public prize)")),
    request_body = ConfirmationRequest,
    responses(
        (status = 200, description = "The voter token", body = VoterToken),
        (status = 400, response = error::BadRequest), (status = 404, response = error::NotFound),
        (status = 413, response = error::PayloadTooLarge),
        (status = 415, response = error::UnsupportedMediaType), (status = 422, response = error::ValidationFailed),
        (status = 429, response = error::TooManyRequests), (status = 500, response = error::InternalError),
    )
)]
#[post(
    "/prizes/{id}/voter-verifications/confirm",
    wrap = "from_fn(authorize)"
)]
pub async fn confirm_voter_code(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<ConfirmationRequest>,
) -> Result<web::Json<VoterToken>, ApiError> {
    state
        .voter_ip_limiter
        .check_client(&request, &state.settings.trusted_proxies)
        .await?;
    Ok(web::Json(
        voters::confirm(
            &state.db,
            &state.voter_keys.identity,
            &state.jwt,
            id.into_inner(),
            &body.email,
            &body.code,
        )
        .await?,
    ))
}

/// One Server-Sent Event of the live stream.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LiveEvent {
    /// `turnout` or `result`.
    #[schema(example = "turnout")]
    event: String,
    /// JSON: `{"state", "turnout"}` for `turnout`, the published results for `result`.
    #[schema(example = "{\"state\":\"open\",\"turnout\":42}")]
    data: String,
}

/// Stream a ballot's turnout and result (Server-Sent Events)
///
/// For the ceremony screen, anyone without a token: a `turnout` event every second while the ballot
/// is scheduled, open or closed, then one `result` event once published, and the stream ends. 404
/// for other prizes or an edition in draft. One poller per prize feeds every stream; a client
/// address may hold 10 streams at once (429 beyond).
#[utoipa::path(
    tag = "ballots",
    params(("id" = Uuid, Path, description = "Prize id")),
    responses(
        (status = 200, description = "An event stream", content_type = "text/event-stream", body = LiveEvent),
        (status = 429, response = error::TooManyRequests),
        error::PublicResourceErrors,
    )
)]
#[get("/prizes/{id}/live", wrap = "from_fn(authorize)")]
pub async fn live_results(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let prize_id = id.into_inner();
    // Refuse unknown prizes before starting the stream.
    ballots::live(&state.db, &state.voter_keys, prize_id).await?;
    let slot = client_ip(&request, &state.settings.trusted_proxies)
        .map(|ip| state.live_slots.acquire(ip))
        .transpose()?;
    const MAX_EVENTS: u32 = 4 * 3600;
    let frames = state.live_hub.watch(&state.db, prize_id);
    let events = futures_util::stream::unfold(
        (frames, slot, 0u32, false),
        |(mut frames, slot, sent, finished)| async move {
            if finished || sent >= MAX_EVENTS {
                return None;
            }
            frames.changed().await.ok()?;
            let frame = frames.borrow_and_update().clone()?;
            Some((
                Ok::<_, actix_web::Error>(actix_web::web::Bytes::from(frame.text)),
                (frames, slot, sent + 1, frame.last),
            ))
        },
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/event-stream"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        // Each event must reach the screen when sent: a compressor would hold it back.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .streaming(events))
}

/// Export an edition's published results as CSV
///
/// One row per counted candidate of each published ballot, then each laureate and mention of the
/// prizes decided by the jury. Columns: prize (named in the answer's language), kind, candidate, outcome (`laureate`, `mention` or
/// empty), votes, turnout, their header in the answer's language (`Accept-Language`: `Prix,Type,…`
/// in French, `Prize,Kind,…` in English); comma-separated, or `separator=semicolon&bom=true` for
/// French spreadsheets. Anyone, without a token and from any web origin; 404 for an edition in
/// draft.
#[utoipa::path(
    tag = "ballots",
    params(("id" = Uuid, Path, description = "Edition id"), CsvFormat),
    responses(
        (status = 200, description = "The published results as CSV", content_type = "text/csv", body = String,
         example = "Prix,Type,Candidat,Résultat,Voix,Participation\nPrix du public,public,Résonansemble,laureate,412,977\n"),
        error::PublicResourceErrors,
    )
)]
#[get(
    "/editions/{id}/results.csv",
    wrap = "from_fn(public_cache::serve)",
    wrap = "from_fn(authorize)"
)]
pub async fn export_results(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    format: Query<CsvFormat>,
    Language(lang): Language,
) -> Result<HttpResponse, ApiError> {
    let edition_id = id.into_inner();
    let document = ballots::results_document(&state.db, &state.voter_keys, edition_id)
        .await?
        .for_reader(lang);
    let header = [
        text!("csv-prize"),
        text!("csv-kind"),
        text!("csv-candidate"),
        text!("csv-outcome"),
        text!("csv-votes"),
        text!("csv-turnout"),
    ];
    csv_export::respond(
        lang,
        &header,
        document.csv_rows(),
        &format!(
            "results-{}-{}.csv",
            document.edition.year, document.edition.number
        ),
        &format.into_inner(),
    )
}

/// The claims of a signed results document.
#[derive(Serialize, ToSchema)]
pub struct SignedResults {
    /// Who signed: always `prix-ceser`.
    #[schema(example = "prix-ceser")]
    pub iss: &'static str,
    /// When it was signed (Unix seconds).
    pub iat: i64,
    #[serde(flatten)]
    pub document: ballots::ResultsDocument,
}

/// Get an edition's published results, signed (JWS)
///
/// A compact JWS (`application/jose`) signed with Ed25519 (`alg` `EdDSA`, `typ`
/// `prix-ceser-results+jwt`, `kid` the key's RFC 7638 thumbprint), whose payload is a
/// `SignedResults`: the laureates and the published tallies, with `complete` true once the
/// edition's results are all published, the prizes' `localized_prize_name` in the answer's
/// language (`Accept-Language`). Verify it with the public key of the same `kid` at
/// `/.well-known/jwks.json`, whatever server or cache it came through. Anyone, without a token and
/// from any web origin; 404 for an edition in draft.
#[utoipa::path(
    tag = "ballots",
    params(("id" = Uuid, Path, description = "Edition id")),
    responses(
        (status = 200, description = "The published results, signed", content_type = "application/jose", body = String,
         example = "eyJ0eXAiOiJwcml4LWNlc2VyLXJlc3VsdHMrand0IiwiYWxnIjoiRWREU0EiLCJraWQiOiIuLi4ifQ.eyJpc3MiOiJwcml4LWNlc2VyIiwiLi4uIjoiLi4uIn0.c2lnbmF0dXJl"),
        error::PublicResourceErrors,
    )
)]
#[get(
    "/editions/{id}/results.jws",
    wrap = "from_fn(public_cache::serve)",
    wrap = "from_fn(authorize)"
)]
pub async fn get_signed_results(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Language(lang): Language,
) -> Result<HttpResponse, ApiError> {
    let document = ballots::results_document(&state.db, &state.voter_keys, id.into_inner())
        .await?
        .for_reader(lang);
    let signed = state.results_signer.sign(&SignedResults {
        iss: "prix-ceser",
        iat: Utc::now().timestamp(),
        document,
    })?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/jose"))
        .body(signed))
}

/// Get the public keys that verify signed results (JWKS)
///
/// The JSON Web Key Set of the Ed25519 keys that verify the signed results documents, each with its
/// `kid`. Anyone, without a token and from any web origin; cacheable for an hour.
#[utoipa::path(
    tag = "ballots",
    responses(
        (status = 200, description = "The keys, each with its `kid`", content_type = "application/jwk-set+json", body = Object,
         example = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "kid": "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k", "use": "sig", "alg": "EdDSA"}]})),
        (status = 500, response = error::InternalError),
    )
)]
#[get("/.well-known/jwks.json", wrap = "from_fn(authorize)")]
pub async fn get_jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/jwk-set+json"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .json(state.results_signer.jwks())
}
