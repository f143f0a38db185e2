//! An organization's webhooks: subscribe, list, read, replace, delete, rotate the secret, read
//! the deliveries and send one again. Staff of the organization only (others get 404).
use super::extract::Json;
use actix_web::middleware::from_fn;
use actix_web::{HttpResponse, delete, get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{API_PREFIX, extract::Query, organizations::PageQuery};
use crate::{
    auth::{Principal, access::authorize},
    domain::{pagination::Page, webhook::EventType},
    error::{self, ApiError},
    services::webhooks::{self, Webhook, WebhookDelivery, WebhookFields},
    state::AppState,
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://hooks.ceser.example/prix", "description": "Site du CESER", "events": ["application.submitted", "results.published"]}))]
pub struct WebhookRequest {
    /// Where deliveries are POSTed: an `https://` URL on a public host, at most 2,048
    /// characters, without credentials or fragment.
    #[schema(
        max_length = 2048,
        pattern = r"^\s*https?://[^\s/?#@]+([/?][^\s#]*)?\s*$"
    )]
    pub url: String,
    /// What it is for (at most 200 characters).
    #[schema(
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*$"
    )]
    pub description: Option<String>,
    /// The events it receives, at least one.
    #[schema(value_type = Vec<EventType>, min_items = 1, max_items = 9)]
    pub events: Vec<String>,
    /// `false` pauses it: events meanwhile are not kept for it. Default `true`.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

impl From<WebhookRequest> for WebhookFields {
    fn from(request: WebhookRequest) -> Self {
        Self {
            url: request.url,
            description: request.description,
            events: request.events,
            enabled: request.enabled,
        }
    }
}

/// A webhook with its signing secret: shown when made and when rotated, never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    /// Verify each delivery's `webhook-signature` with it (Standard Webhooks: HMAC-SHA256 of
    /// `webhook-id.webhook-timestamp.body`, keyed with the base64 after `whsec_`).
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7OpN4sBGdQ0=")]
    pub secret: String,
    #[serde(flatten)]
    pub webhook: Webhook,
}

/// A webhook's address: its organization and its id.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct WebhookPath {
    /// Organization id
    id: Uuid,
    /// Webhook id
    webhook_id: Uuid,
}

/// A delivery's address: its webhook's, and its id.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DeliveryPath {
    /// Organization id
    id: Uuid,
    /// Webhook id
    webhook_id: Uuid,
    /// Delivery id
    delivery_id: Uuid,
}

fn location(organization_id: Uuid, id: Uuid) -> String {
    format!("{API_PREFIX}/organizations/{organization_id}/webhooks/{id}")
}

/// Subscribe a URL to events
///
/// Staff of that organization (others get 404); an organization has at most 10 webhooks (409
/// `too_many_webhooks`), and the signing secret is in this answer only. Each event is POSTed as
/// JSON (`type`, `timestamp`, `data`) with the Standard Webhooks headers `webhook-id`,
/// `webhook-timestamp` and `webhook-signature`; a delivery not answered 2xx within 10 seconds is
/// tried again, 8 times at most, waiting four times longer each time. Events carry identifiers and
/// states only: never a vote, a reason written about a person or contact details. Destinations must
/// be public: the addresses a name resolves to are checked again at every delivery.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "Organization id")),
    request_body = WebhookRequest,
    responses(
        (status = 201, description = "The webhook, with its secret shown once", body = WebhookWithSecret),
        error::JsonWriteErrors,
    )
)]
#[post("/organizations/{id}/webhooks", wrap = "from_fn(authorize)")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: Json<WebhookRequest>,
) -> Result<HttpResponse, ApiError> {
    let (webhook, secret) = webhooks::create(
        &state.db,
        &caller,
        id.into_inner(),
        body.into_inner().into(),
        state.settings.webhook_private_destinations,
        &state.webhook_seal,
    )
    .await?;
    Ok(super::created(
        location(webhook.organization_id, webhook.id),
        WebhookWithSecret { secret, webhook },
    ))
}

/// List the organization's webhooks
///
/// A bounded list (at most 10, oldest first), without their secrets. Staff of that organization
/// (others get 404).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "Organization id")),
    responses(
        (status = 200, description = "The webhooks", body = Vec<Webhook>),
        error::ResourceErrors,
    )
)]
#[get("/organizations/{id}/webhooks", wrap = "from_fn(authorize)")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<Webhook>>, ApiError> {
    Ok(web::Json(
        webhooks::list(&state.db, &caller, id.into_inner()).await?,
    ))
}

/// Get one webhook
///
/// The webhook, without its secret. Staff of its organization (others get 404).
#[utoipa::path(
    tag = "webhooks",
    params(WebhookPath),
    responses(
        (status = 200, description = "The webhook", body = Webhook),
        error::ResourceErrors,
    )
)]
#[get(
    "/organizations/{id}/webhooks/{webhook_id}",
    wrap = "from_fn(authorize)"
)]
pub async fn get_webhook(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<WebhookPath>,
) -> Result<web::Json<Webhook>, ApiError> {
    let WebhookPath {
        id: organization_id,
        webhook_id: id,
    } = path.into_inner();
    Ok(web::Json(
        webhooks::find(&state.db, &caller, organization_id, id).await?,
    ))
}

/// Replace a webhook's URL, description, events and enabled flag
///
/// Replaces the URL, description, events and `enabled`; the secret stays. `enabled: false` pauses
/// the webhook: events raised meanwhile are not kept for it. Staff of its organization (others get
/// 404).
#[utoipa::path(
    tag = "webhooks",
    params(WebhookPath),
    request_body = WebhookRequest,
    responses(
        (status = 200, description = "The webhook as it now is", body = Webhook),
        error::JsonWriteErrors,
    )
)]
#[put(
    "/organizations/{id}/webhooks/{webhook_id}",
    wrap = "from_fn(authorize)"
)]
pub async fn update_webhook(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<WebhookPath>,
    body: Json<WebhookRequest>,
) -> Result<web::Json<Webhook>, ApiError> {
    let WebhookPath {
        id: organization_id,
        webhook_id: id,
    } = path.into_inner();
    Ok(web::Json(
        webhooks::update(
            &state.db,
            &caller,
            organization_id,
            id,
            body.into_inner().into(),
            state.settings.webhook_private_destinations,
        )
        .await?,
    ))
}

/// Delete a webhook
///
/// Deletes the webhook and its delivery log; nothing more is sent to it. Staff of its organization
/// (others get 404).
#[utoipa::path(
    tag = "webhooks",
    params(WebhookPath),
    responses(
        (status = 204, description = "Deleted"),
        error::ResourceErrors,
    )
)]
#[delete(
    "/organizations/{id}/webhooks/{webhook_id}",
    wrap = "from_fn(authorize)"
)]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<WebhookPath>,
) -> Result<HttpResponse, ApiError> {
    let WebhookPath {
        id: organization_id,
        webhook_id: id,
    } = path.into_inner();
    webhooks::delete(&state.db, &caller, organization_id, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// How a rotation treats the previous secret.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RotateQuery {
    /// `true` ends the previous secret at once (it leaked) instead of after 24 hours.
    #[serde(default)]
    pub revoke_previous: bool,
}

/// Rotate a webhook's signing secret
///
/// The new secret is in this answer only. For 24 hours, deliveries carry two signatures (new and
/// previous secret, space-separated in `webhook-signature`), so that receivers can switch;
/// `revoke_previous=true` ends the previous secret at once. Staff of its organization (others get
/// 404).
#[utoipa::path(
    tag = "webhooks",
    params(WebhookPath, RotateQuery),
    responses(
        (status = 200, description = "The webhook with its new secret, shown once", body = WebhookWithSecret),
        error::ActionErrors,
    )
)]
#[post(
    "/organizations/{id}/webhooks/{webhook_id}/rotate-secret",
    wrap = "from_fn(authorize)"
)]
pub async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<WebhookPath>,
    query: Query<RotateQuery>,
) -> Result<web::Json<WebhookWithSecret>, ApiError> {
    let WebhookPath {
        id: organization_id,
        webhook_id: id,
    } = path.into_inner();
    let (webhook, secret) = webhooks::rotate_secret(
        &state.db,
        &caller,
        organization_id,
        id,
        query.into_inner().revoke_previous,
        &state.webhook_seal,
    )
    .await?;
    Ok(web::Json(WebhookWithSecret { secret, webhook }))
}

/// List a webhook's deliveries, newest first
///
/// Each delivery with its status, its tries and the receiver's last answer. Staff of its
/// organization (others get 404); paged with `limit` and `cursor`.
#[utoipa::path(
    tag = "webhooks",
    params(WebhookPath, PageQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = Page<WebhookDelivery>),
        error::ResourceErrors,
    )
)]
#[get(
    "/organizations/{id}/webhooks/{webhook_id}/deliveries",
    wrap = "from_fn(authorize)"
)]
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<WebhookPath>,
    query: Query<PageQuery>,
) -> Result<web::Json<Page<WebhookDelivery>>, ApiError> {
    let WebhookPath {
        id: organization_id,
        webhook_id: id,
    } = path.into_inner();
    let page = query.into_inner().parse()?;
    Ok(web::Json(
        webhooks::deliveries(&state.db, &caller, organization_id, id, page).await?,
    ))
}

/// Send a webhook delivery again
///
/// Queues the delivery again, whatever became of it, and starts a fresh series of tries at once;
/// the receiver sees the same `webhook-id` (and can tell it already has it). Staff of its
/// organization (others get 404).
#[utoipa::path(
    tag = "webhooks",
    params(DeliveryPath),
    responses(
        (status = 202, description = "Queued: the delivery, pending", body = WebhookDelivery),
        error::ActionErrors,
    )
)]
#[post(
    "/organizations/{id}/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    wrap = "from_fn(authorize)"
)]
pub async fn redeliver_webhook_delivery(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<DeliveryPath>,
) -> Result<HttpResponse, ApiError> {
    let DeliveryPath {
        id: organization_id,
        webhook_id: id,
        delivery_id,
    } = path.into_inner();
    let delivery =
        webhooks::redeliver(&state.db, &caller, organization_id, id, delivery_id).await?;
    Ok(HttpResponse::Accepted().json(delivery))
}
