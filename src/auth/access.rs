//! Enforces the access rules on the route actix actually dispatched to.
//!
//! Every documented handler is wrapped in [`authorize`] (`wrap = "from_fn(authorize)"` on its
//! route attribute): it runs after routing, reads the dispatched resource's name (the handler's
//! name, which is also its OpenAPI `operationId`) and applies that operation's rule before any
//! extractor or body parsing runs. A request whose operation has no rule is refused. Handlers of
//! non-public operations also take the [`Principal`] extractor, which only the rule check sets.
use std::collections::{BTreeMap, HashMap};

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
    services::{accounts, api_tokens},
    state::AppState,
};

/// One documented operation.
pub struct Route {
    /// The documented path template, e.g. `/api/v1/users/{id}`.
    pub path: String,
    pub method: Method,
    pub operation_id: String,
    pub rule: Rule,
}

/// A documented path template and the methods of its operations.
struct Resource {
    pattern: ResourceDef,
    /// More specific templates win (`…/jury/composition-check` over `…/jury/{user_id}`).
    dynamic_segments: usize,
    methods: Vec<String>,
}

/// The operations of the API, as documented, with their access rules. Used to check at start-up
/// that every operation has a rule, and to answer `405` with the `Allow` of the exact resource.
pub struct RouteTable {
    routes: Vec<Route>,
    resources: Vec<Resource>,
    /// For an operation whose path has parameters, the more specific resources its pattern
    /// also matches (`…/jury/composition-check` for `…/jury/{user_id}`): a request for one of
    /// those paths is theirs, whichever route actix tried first.
    shadowed: HashMap<String, Vec<usize>>,
}

/// A path the template matches, its parameters filled in.
fn example_path(template: &str) -> String {
    template
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "x"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
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
        let mut methods_by_path: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (path, item) in &document.paths.paths {
            for (method, operation) in operations(item) {
                let operation_id = operation.operation_id.clone().unwrap_or_default();
                methods_by_path
                    .entry(path)
                    .or_default()
                    .push(method.to_string());
                match rule_for(&operation_id) {
                    Some(rule) => routes.push(Route {
                        path: path.clone(),
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
        let resources: Vec<Resource> = methods_by_path
            .into_iter()
            .map(|(path, mut methods)| {
                // Every GET answers HEAD too (`http::head_as_get`).
                if methods.iter().any(|method| method == "GET") {
                    methods.push("HEAD".to_owned());
                }
                methods.sort();
                Resource {
                    pattern: ResourceDef::new(path),
                    dynamic_segments: path.matches('{').count(),
                    methods,
                }
            })
            .collect();
        let shadowed = routes
            .iter()
            .map(|route| {
                let pattern = ResourceDef::new(route.path.as_str());
                let dynamic_segments = route.path.matches('{').count();
                let more_specific = resources
                    .iter()
                    .enumerate()
                    .filter(|(_, resource)| {
                        resource.dynamic_segments < dynamic_segments
                            && pattern.is_match(&example_path(
                                resource.pattern.pattern().unwrap_or_default(),
                            ))
                    })
                    .map(|(index, _)| index)
                    .collect();
                (route.operation_id.clone(), more_specific)
            })
            .collect();
        Ok(Self {
            routes,
            resources,
            shadowed,
        })
    }

    /// The methods of the more specific resource `path` names, when actix dispatched it to
    /// `operation`, whose pattern only happens to match it too.
    pub fn shadowing(&self, operation: &str, path: &str) -> Option<Vec<String>> {
        self.shadowed
            .get(operation)?
            .iter()
            .map(|index| &self.resources[*index])
            .find(|resource| resource.pattern.is_match(path))
            .map(|resource| resource.methods.clone())
    }

    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The operation of the documented resource that `path` (as actix decoded it for routing)
    /// names, for `method`.
    pub fn operation_at(&self, path: &str, method: &Method) -> Option<&str> {
        let resource = self
            .resources
            .iter()
            .filter(|resource| resource.pattern.is_match(path))
            .min_by_key(|resource| resource.dynamic_segments)?;
        let template = resource.pattern.pattern()?;
        self.routes
            .iter()
            .find(|route| route.path == template && route.method == method)
            .map(|route| route.operation_id.as_str())
    }

    /// The methods of the documented resource that `path` (as actix decoded it for routing)
    /// names, for `405` answers; empty when the path names no resource.
    pub fn allowed_methods(&self, path: &str) -> Vec<String> {
        self.resources
            .iter()
            .filter(|resource| resource.pattern.is_match(path))
            .min_by_key(|resource| resource.dynamic_segments)
            .map(|resource| resource.methods.clone())
            .unwrap_or_default()
    }
}

/// Middleware on every documented route: applies the rule of the operation actix dispatched to.
/// A refusal is answered here, as a response, so that outer layers (CORS, request id) see it.
pub async fn authorize(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    // Inside a resource, `match_name` is the name of the resource that was dispatched to.
    let operation = request.match_name().map(str::to_owned);
    let operation = operation.as_deref();
    let Some(rule) = operation.and_then(rule_for) else {
        tracing::error!(
            ?operation,
            "refused: no access rule for the dispatched operation"
        );
        return Ok(request
            .error_response(ApiError::Forbidden)
            .map_into_right_body());
    };
    // A static path that a templated route also matches belongs to its own resource: a
    // method that resource lacks is 405, not a call of the templated operation.
    if let Some(allow) = request
        .app_data::<web::Data<RouteTable>>()
        .and_then(|table| {
            table.shadowing(operation.unwrap_or_default(), request.match_info().as_str())
        })
    {
        return Ok(request
            .error_response(ApiError::MethodNotAllowed { allow })
            .map_into_right_body());
    }
    let anonymous_optional =
        rule == Rule::Optional && !request.headers().contains_key(header::AUTHORIZATION);
    if rule != Rule::Public && !anonymous_optional {
        match check(&request, rule).await {
            Ok(Some(principal)) => {
                request.extensions_mut().insert(principal);
            }
            Ok(None) => {}
            Err(error) => {
                answered_with(operation, &error);
                return Ok(request.error_response(error).map_into_right_body());
            }
        }
    }
    let response = next.call(request).await?;
    if let Some(error) = response
        .response()
        .error()
        .and_then(|error| error.as_error::<ApiError>())
    {
        answered_with(operation, error);
    }
    Ok(response.map_into_left_body())
}

/// Logs the problem an operation answered with: which codes each operation really gives is
/// what the contract's per-operation codes are checked against.
fn answered_with(operation: Option<&str>, error: &ApiError) {
    tracing::info!(
        target: PROBLEM_LOG_TARGET,
        operation = operation.unwrap_or_default(),
        code = error.code().as_str(),
        "answered with a problem"
    );
}

/// The `tracing` target of [`answered_with`]'s events.
pub const PROBLEM_LOG_TARGET: &str = "prix_ceser::problem";

/// The caller the rule lets through; `None` for a public voter's token on an operation open
/// to anyone, which then answers as to an anonymous caller.
async fn check(request: &ServiceRequest, rule: Rule) -> Result<Option<Principal>, ApiError> {
    let state = request
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
    let client =
        crate::http::client_ip::client_ip(request.request(), &state.settings.trusted_proxies)
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let principal =
        authenticate(state, request.headers().get(header::AUTHORIZATION), &client).await?;
    // A read-only API token reads, and does nothing else.
    if principal
        .token
        .as_ref()
        .is_some_and(|token| token.read_only)
        && ![Method::GET, Method::HEAD].contains(request.method())
    {
        return Err(ApiError::Forbidden);
    }
    // A public voter's token votes and does nothing else.
    let voter_only = principal.prize_scope.is_some()
        && !matches!(rule, Rule::AnyOf(roles) if roles.contains(&Role::Public));
    if voter_only && rule == Rule::Optional {
        return Ok(None);
    }
    if voter_only || !rule.allows(&principal.roles) {
        return Err(ApiError::Forbidden);
    }
    Ok(Some(principal))
}

/// A valid bearer token of an existing, enabled account; roles are read from the database so
/// that a change of roles or a disabled account takes effect at once.
async fn authenticate(
    state: &AppState,
    authorization: Option<&header::HeaderValue>,
    client: &str,
) -> Result<Principal, ApiError> {
    let authorization = authorization.ok_or(ApiError::Unauthorized(AuthFailure::MissingToken))?;
    let token = authorization
        .to_str()
        .ok()
        // The scheme is case-insensitive (RFC 9110 §11.1).
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or(ApiError::Unauthorized(AuthFailure::InvalidToken))?;
    if token.starts_with(api_tokens::PREFIX) {
        return api_tokens::authenticate(&state.db, token, client)
            .await?
            .ok_or(ApiError::Unauthorized(AuthFailure::InvalidToken));
    }
    match state.jwt.verify(token) {
        Ok(claims) => accounts::session_principal(&state.db, claims.sub, claims.issued_at())
            .await?
            .ok_or(ApiError::Unauthorized(AuthFailure::InvalidToken)),
        // A public voter's token: no account behind it, nothing to look up.
        Err(failure) => state
            .jwt
            .verify_voter(token)
            .map(|claims| Principal {
                token: None,
                id: claims.sub,
                roles: claims.roles,
                platform_admin: false,
                prize_scope: Some(claims.prize),
            })
            .map_err(|_| ApiError::Unauthorized(failure)),
    }
}
