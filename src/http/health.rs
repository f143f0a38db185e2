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

/// Liveness: the process answers.
#[utoipa::path(
    tag = "health",
    responses((status = 200, description = "The process is alive", body = Health, example = json!({"status": "ok"})))
)]
#[get("/health/live", wrap = "from_fn(authorize)")]
pub async fn health_live() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Readiness: the database answers.
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
