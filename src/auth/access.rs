//! Enforces the access rules before any handler or body parsing runs: each request is matched
//! against the operations of the OpenAPI document, and the operation's rule is applied.
use actix_web::{
    Error, HttpMessage,
    body::{EitherBody, MessageBody},
    dev::{ResourceDef, ServiceRequest, ServiceResponse},
    http::{Method, header},
    middleware::Next,
    web,
};
use utoipa::openapi::{OpenApi, path::Operation};

use super::{
    Principal,
    policy::{Rule, rule_for},
};
use crate::{
    domain::Role,
    error::{ApiError, AuthFailure},
    services::accounts,
    startup::AppState,
};

pub struct Route {
    /// The documented path template, e.g. `/api/v1/users/{id}`.
    pub path: String,
    pattern: ResourceDef,
    /// Static patterns win over ones with parameters (`/users/me` before `/users/{id}`).
    dynamic_segments: usize,
    pub method: Method,
    pub operation_id: String,
    pub rule: Rule,
}

/// The operations of the API, as documented, with their access rules.
pub struct RouteTable {
    routes: Vec<Route>,
}

fn operations(item: &utoipa::openapi::PathItem) -> Vec<(Method, &Operation)> {
    [
        (Method::GET, &item.get),
        (Method::POST, &item.post),
        (Method::PUT, &item.put),
        (Method::PATCH, &item.patch),
        (Method::DELETE, &item.delete),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.as_ref().map(|op| (method, op)))
    .collect()
}

impl RouteTable {
    /// Fails, naming them, when operations of the document have no access rule.
    pub fn from_openapi(document: &OpenApi) -> Result<Self, String> {
        let mut routes = Vec::new();
        let mut missing = Vec::new();
        for (path, item) in &document.paths.paths {
            for (method, operation) in operations(item) {
                let operation_id = operation.operation_id.clone().unwrap_or_default();
                match rule_for(&operation_id) {
                    Some(rule) => routes.push(Route {
                        path: path.clone(),
                        pattern: ResourceDef::new(path.as_str()),
                        dynamic_segments: path.matches('{').count(),
                        method,
                        operation_id,
                        rule,
                    }),
                    None => missing.push(format!("{method} {path} ({operation_id})")),
                }
            }
        }
        if !missing.is_empty() {
            return Err(format!(
                "operations without an access rule: {}",
                missing.join(", ")
            ));
        }
        routes.sort_by_key(|route| route.dynamic_segments);
        Ok(Self { routes })
    }

    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    pub fn find(&self, method: &Method, path: &str) -> Option<&Route> {
        self.routes
            .iter()
            .find(|route| route.method == method && route.pattern.is_match(path))
    }

    /// The methods documented for `path`, for `405` answers; empty when the path is unknown.
    pub fn allowed_methods(&self, path: &str) -> Vec<String> {
        let mut methods: Vec<String> = self
            .routes
            .iter()
            .filter(|route| route.pattern.is_match(path))
            .map(|route| route.method.to_string())
            .collect();
        methods.sort();
        methods.dedup();
        methods
    }
}

/// Middleware: authenticates the caller when the operation needs it and applies its rule.
/// A refusal is answered here, as a response, so that outer layers (CORS, request id) see it.
pub async fn enforce(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let rule = request
        .app_data::<web::Data<RouteTable>>()
        .and_then(|table| {
            table
                .find(request.method(), request.path())
                .map(|route| route.rule)
        });
    let anonymous_optional =
        rule == Some(Rule::Optional) && !request.headers().contains_key(header::AUTHORIZATION);
    if let Some(rule) = rule.filter(|rule| *rule != Rule::Public && !anonymous_optional) {
        match authorize(&request, rule).await {
            Ok(principal) => {
                request.extensions_mut().insert(principal);
            }
            Err(error) => return Ok(request.error_response(error).map_into_right_body()),
        }
    }
    Ok(next.call(request).await?.map_into_left_body())
}

async fn authorize(request: &ServiceRequest, rule: Rule) -> Result<Principal, ApiError> {
    let state = request
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
    let principal = authenticate(state, request.headers().get(header::AUTHORIZATION)).await?;
    // A public voter's token votes and does nothing else.
    let voter_only = principal.prize_scope.is_some()
        && !matches!(rule, Rule::AnyOf(roles) if roles.contains(&Role::Public));
    if voter_only || !rule.allows(&principal.roles) {
        return Err(ApiError::Forbidden);
    }
    Ok(principal)
}

/// A valid bearer token of an existing, enabled account; roles are read from the database so
/// that a change of roles or a disabled account takes effect at once.
async fn authenticate(
    state: &AppState,
    authorization: Option<&header::HeaderValue>,
) -> Result<Principal, ApiError> {
    let authorization = authorization.ok_or(ApiError::Unauthorized(AuthFailure::MissingToken))?;
    let token = authorization
        .to_str()
        .ok()
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or(ApiError::Unauthorized(AuthFailure::InvalidToken))?;
    match state.jwt.verify(token) {
        Ok(claims) => accounts::active_principal(&state.db, claims.sub)
            .await?
            .ok_or(ApiError::Unauthorized(AuthFailure::InvalidToken)),
        // A public voter's token: no account behind it, nothing to look up.
        Err(failure) => state
            .jwt
            .verify_voter(token)
            .map(|claims| Principal {
                id: claims.sub,
                roles: claims.roles,
                platform_admin: false,
                prize_scope: Some(claims.prize),
            })
            .map_err(|_| ApiError::Unauthorized(failure)),
    }
}
