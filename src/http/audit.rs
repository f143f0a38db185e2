use crate::auth::access::authorize;
use actix_web::middleware::from_fn;
use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::extract::Query;
use crate::{
    auth::Principal,
    domain::pagination::{Page, PageRequest},
    error::{self, ApiError},
    services::{
        audit::{self, AuditEvent, AuditFilter},
        staff,
    },
    state::AppState,
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListAuditQuery {
    /// Only this action, e.g. `user.roles_changed`.
    pub action: Option<String>,
    /// Only events caused by this account.
    pub actor_id: Option<Uuid>,
    /// Only events about this kind of target, e.g. `user`.
    pub target_type: Option<String>,
    /// Only events about this target.
    pub target_id: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]*$", max_length = 400)]
    pub cursor: Option<String>,
}

/// List the audit trail, newest first
///
/// Every state change is recorded with its actor, and events are hash-chained: `prix-ceser audit
/// verify` detects any edited or deleted event. Admins: a platform admin sees every event; an
/// organization's staff see their organizations' events and their own actions (only the
/// organizations' events through an API token limited to some of them). Filter by `action`,
/// `actor_id`, `target_type` or `target_id`; paged with `limit` and `cursor`.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(ListAuditQuery),
    responses(
        (status = 200, description = "A page of events", body = Page<AuditEvent>),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 422, response = error::ValidationFailed),
        (status = 500, response = error::InternalError),
    )
)]
#[get("/audit", wrap = "from_fn(authorize)")]
pub async fn list_audit_events(
    state: web::Data<AppState>,
    caller: Principal,
    query: Query<ListAuditQuery>,
) -> Result<web::Json<Page<AuditEvent>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let filter = AuditFilter {
        action: query.action,
        actor_id: query.actor_id,
        target_type: query.target_type,
        target_id: query.target_id,
    };
    let scope = staff::staff_scope(&state.db, &caller).await?;
    // A token limited to some organizations reads their trail, not all its account did.
    let limited = caller
        .token
        .as_ref()
        .is_some_and(|token| token.organizations.is_some());
    let own_actions = (!limited).then_some(caller.id);
    Ok(web::Json(
        audit::list(&state.db, own_actions, &scope, filter, page).await?,
    ))
}
