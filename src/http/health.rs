use crate::auth::access::authorize;
use actix_web::middleware::from_fn;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{error::ApiError, state::AppState};

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Check liveness
///
/// Answers `{"status": "ok"}` as long as the process is running, without touching the database.
/// Anyone, without a token.
#[utoipa::path(
    tag = "health",
    responses((status = 200, description = "The process is alive", body = Health, example = json!({"status": "ok"})))
)]
#[get("/health/live", wrap = "from_fn(authorize)")]
pub async fn health_live() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Check readiness
///
/// Answers 200 when the database answers, 503 otherwise, so that a load balancer holds traffic
/// back. Anyone, without a token.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve", body = Health, example = json!({"status": "ok"})),
        (status = 503, response = crate::error::ServiceUnavailable),
    )
)]
#[get("/health/ready", wrap = "from_fn(authorize)")]
pub async fn health_ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.db.ping().await.map_err(|error| {
        tracing::warn!(error = %error, "readiness check failed");
        ApiError::Unavailable("the database is not reachable")
    })?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}
