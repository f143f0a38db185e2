//! HTTP handlers: parse, call a service, map the result. Every route is wrapped in
//! `auth::access::authorize`, which applies the dispatched operation's access rule before the
//! handler's extractors run; handlers of non-public operations take the `Principal`.
pub mod applications;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod ballots;
pub mod client_ip;
pub mod colleges;
pub mod cors;
pub mod csv_export;
pub mod deliberation;
pub mod editions;
pub mod extract;
pub mod health;
pub mod jury;
pub mod language;
pub mod me;
pub mod organizations;
pub mod problem_codes;
pub mod public_cache;
pub mod rate_limit;
pub mod request_id;
pub mod roster;
pub mod security_headers;
pub mod users;
pub mod webhooks;
pub mod widget;

use actix_web::{HttpRequest, HttpResponse, web};
use utoipa_actix_web::{scope, service_config::ServiceConfig};

use crate::{auth::access::RouteTable, error::ApiError};

pub const API_PREFIX: &str = "/api/v1";

/// Every documented route of the API. Used by the server and by the OpenAPI generation alike.
pub fn routes(config: &mut ServiceConfig) {
    config
        .service(health::health_live)
        .service(health::health_ready)
        .service(ballots::get_jwks)
        .service(
            scope("/widget/v1")
                .service(widget::get_widget_asset)
                .service(widget::get_widget_page)
                .service(widget::get_ceremony_screen),
        )
        .service(
            scope(API_PREFIX)
                .service(auth::register)
                .service(auth::issue_token)
                .service(auth::refresh_session)
                .service(auth::logout)
                .service(auth::verify_email)
                .service(auth::resend_verification)
                .service(auth::forgot_password)
                .service(auth::reset_password)
                .service(me::get_me)
                .service(me::update_me)
                .service(me::export_me)
                .service(me::delete_me)
                .service(me::create_api_token)
                .service(me::list_api_tokens)
                .service(me::get_api_token)
                .service(me::revoke_api_token)
                .service(users::create_user)
                .service(users::list_users)
                .service(users::get_user)
                .service(users::update_user)
                .service(audit::list_audit_events)
                .service(organizations::create_organization)
                .service(organizations::list_organizations)
                .service(organizations::get_organization)
                .service(organizations::update_organization)
                .service(organizations::list_organization_admins)
                .service(organizations::add_organization_admin)
                .service(organizations::remove_organization_admin)
                .service(colleges::list_colleges)
                .service(colleges::create_college)
                .service(colleges::rename_college)
                .service(colleges::delete_college)
                .service(webhooks::create_webhook)
                .service(webhooks::list_webhooks)
                .service(webhooks::get_webhook)
                .service(webhooks::update_webhook)
                .service(webhooks::delete_webhook)
                .service(webhooks::rotate_webhook_secret)
                .service(webhooks::list_webhook_deliveries)
                .service(webhooks::redeliver_webhook_delivery)
                .service(editions::create_edition)
                .service(editions::list_editions)
                .service(editions::get_edition)
                .service(editions::update_edition)
                .service(editions::transition_edition)
                .service(editions::replace_criteria)
                .service(editions::create_prize)
                .service(editions::get_prize)
                .service(editions::update_prize)
                .service(editions::delete_prize)
                .service(applications::create_application)
                .service(applications::list_applications)
                .service(applications::get_application)
                .service(applications::update_application)
                .service(applications::submit_application)
                .service(applications::withdraw_application)
                .service(applications::reopen_application)
                .service(applications::review_application)
                .service(applications::set_application_visibility)
                .service(applications::export_applications)
                .service(applications::list_candidates)
                .service(attachments::upload_attachment)
                .service(attachments::list_attachments)
                .service(attachments::download_attachment)
                .service(attachments::delete_attachment)
                .service(jury::set_jury_member)
                .service(jury::remove_jury_member)
                .service(jury::list_jury_members)
                .service(jury::check_jury_composition)
                .service(jury::declare_conflict)
                .service(jury::list_application_conflicts)
                .service(jury::list_conflicts)
                .service(jury::assign_reviewers)
                .service(jury::list_assignments)
                .service(jury::add_assignment)
                .service(jury::remove_assignment)
                .service(jury::list_jury_files)
                .service(deliberation::save_scorecard)
                .service(deliberation::submit_scorecard)
                .service(deliberation::list_scorecards)
                .service(deliberation::reopen_scorecard)
                .service(deliberation::get_rankings)
                .service(deliberation::export_rankings)
                .service(deliberation::confirm_shortlist)
                .service(deliberation::schedule_audition)
                .service(deliberation::decide_prize)
                .service(deliberation::get_prize_decision)
                .service(ballots::get_ballot)
                .service(ballots::set_ballot_window)
                .service(ballots::open_ballot)
                .service(ballots::close_ballot)
                .service(ballots::request_voter_code)
                .service(ballots::confirm_voter_code)
                .service(ballots::cast_vote)
                .service(ballots::check_receipt)
                .service(ballots::get_results)
                .service(ballots::live_results)
                .service(ballots::list_receipt_hashes)
                .service(ballots::break_tie)
                .service(ballots::publish_results)
                .service(ballots::list_laureates)
                .service(ballots::export_results)
                .service(ballots::get_signed_results)
                .service(roster::set_councillor)
                .service(roster::list_councillors)
                .service(roster::remove_councillor)
                .service(roster::import_councillors)
                .service(roster::accept_invitation),
        );
}

/// Unknown path → 404; known path with another method → 405 with `Allow`.
/// `HEAD` on every `GET`: dispatched, authorized and answered as the `GET`, whose body the
/// HTTP layer then leaves out (it knew the request was `HEAD` when it read it).
pub async fn head_as_get(
    mut request: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    if request.method() == actix_web::http::Method::HEAD {
        request.head_mut().method = actix_web::http::Method::GET;
    }
    next.call(request).await
}

/// `201 Created` with the new resource's address in `Location`.
pub fn created(location: String, body: impl serde::Serialize) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, location))
        .json(body)
}

/// A documented string header.
fn string_header(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::header::Header> {
    use utoipa::openapi::{header::HeaderBuilder, schema};
    HeaderBuilder::new()
        .schema(Some(schema::Object::with_type(schema::Type::String)))
        .description(Some(description))
        .build()
        .into()
}

/// Documents the headers the server sets on answers: `Location` on every `201` (see
/// [`created`]), `X-Request-Id` on every answer, `Cache-Control: no-store` on the successes of
/// operations that need a token and of writes (`security_headers`), `Retry-After` on `429`
/// and `WWW-Authenticate` on `401`.
pub fn document_headers(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{RefOr, Response};
    let common = |code: &str, response: &mut Response| {
        response.headers.insert(
            "X-Request-Id".into(),
            string_header("This request's id, on every log line of it (yours, if you sent one)"),
        );
        match code {
            "429" => {
                response.headers.insert(
                    "Retry-After".into(),
                    string_header("Seconds to wait before trying again"),
                );
            }
            "401" => {
                response.headers.insert(
                    "WWW-Authenticate".into(),
                    string_header("`Bearer`, with the error when a token was refused"),
                );
            }
            _ => {}
        }
    };
    if let Some(components) = openapi.components.as_mut() {
        for (name, response) in components.responses.iter_mut() {
            if let RefOr::T(response) = response {
                let code = match name.as_str() {
                    "TooManyRequests" => "429",
                    "Unauthorized" => "401",
                    _ => "",
                };
                common(code, response);
            }
        }
    }
    for (_, item) in openapi.paths.paths.iter_mut() {
        for (method, operation) in [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("patch", &mut item.patch),
        ] {
            let Some(operation) = operation.as_mut() else {
                continue;
            };
            let needs_token = operation.security.as_ref().is_some_and(|requirements| {
                !requirements.is_empty() && !requirements.iter().any(|r| r == &Default::default())
            });
            for (code, response) in operation.responses.responses.iter_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                common(code, response);
                if code == "201" {
                    response.headers.insert(
                        "Location".into(),
                        string_header("The address of what was created"),
                    );
                }
                if code.starts_with('2') && (needs_token || method != "get") {
                    response.headers.insert(
                        "Cache-Control".into(),
                        string_header("`no-store`: an answer to an identified caller or to a write is never stored"),
                    );
                }
            }
        }
    }
}

pub async fn fallback(
    request: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    // The path as actix decoded it for routing, so that `Allow` names the resource it would reach.
    let allow = table.allowed_methods(request.match_info().as_str());
    Err(if allow.is_empty() {
        ApiError::NotFound
    } else {
        ApiError::MethodNotAllowed { allow }
    })
}
