//! Cross-origin requests (CORS). The public reads, the receipt check and the public vote
//! answer any origin, without credentials (this API uses no cookies: a token travels in
//! `Authorization`, which the calling script sets itself); every other operation answers only
//! the origins of `PRIX_CORS_ORIGINS`.
//!
//! The policy depends on the operation, which actix-cors (one policy per scope) cannot
//! express: a request is judged on the operation actix dispatched it to, a preflight on the
//! operation its path and requested method name in the route table. In doubt (a path that
//! names no operation) only the configured origins are answered.
use actix_web::{
    Error, HttpResponse,
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{
        Method,
        header::{self, HeaderMap, HeaderValue},
    },
    middleware::Next,
    web,
};

use crate::{auth::access::RouteTable, auth::policy, state::AppState};

/// The request headers a cross-origin script may send.
const ALLOWED_HEADERS: &str =
    "Authorization, Content-Type, Accept, Accept-Language, If-None-Match, X-Request-Id";
/// The response headers a cross-origin script may read (besides the CORS-safelisted ones).
const EXPOSED_HEADERS: &str =
    "ETag, Location, Retry-After, X-Request-Id, Content-Language, Content-Disposition";
/// How long a browser may keep a preflight's answer, in seconds.
const PREFLIGHT_MAX_AGE: &str = "3600";

pub async fn apply(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let Some(origin) = request.headers().get(header::ORIGIN).cloned() else {
        return Ok(next.call(request).await?.map_into_left_body());
    };
    let configured = request
        .app_data::<web::Data<AppState>>()
        .is_some_and(|state| {
            let origin = origin.to_str().unwrap_or_default();
            state
                .settings
                .cors_origins
                .iter()
                .any(|allowed| allowed == origin)
        });
    if let Some(method) = preflight_method(&request) {
        let operation = request
            .app_data::<web::Data<RouteTable>>()
            .and_then(|table| table.operation_at(request.match_info().as_str(), &method))
            .map(str::to_owned);
        let Some(operation) = operation else {
            return Ok(next.call(request).await?.map_into_left_body());
        };
        let Some(allow_origin) = allowed_origin(&operation, &origin, configured) else {
            return Ok(next.call(request).await?.map_into_left_body());
        };
        let mut answer = HttpResponse::NoContent();
        answer
            .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, method.as_str()))
            .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, PREFLIGHT_MAX_AGE));
        let mut answer = answer.finish();
        allow(answer.headers_mut(), allow_origin);
        return Ok(request.into_response(answer).map_into_right_body());
    }
    let mut response = next.call(request).await?;
    let operation = response
        .request()
        .match_name()
        .unwrap_or_default()
        .to_owned();
    if let Some(allow_origin) = allowed_origin(&operation, &origin, configured) {
        let headers = response.headers_mut();
        allow(headers, allow_origin);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
    }
    Ok(response.map_into_left_body())
}

/// The method a preflight asks about, if `request` is one.
fn preflight_method(request: &ServiceRequest) -> Option<Method> {
    if request.method() != Method::OPTIONS {
        return None;
    }
    let requested = request
        .headers()
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)?;
    Method::from_bytes(requested.as_bytes()).ok()
}

/// The `Access-Control-Allow-Origin` that `operation` gives `origin`, if any: `*` where any
/// origin is answered, the origin itself where it is one of the configured ones.
fn allowed_origin(operation: &str, origin: &HeaderValue, configured: bool) -> Option<HeaderValue> {
    if policy::any_origin(operation) {
        Some(HeaderValue::from_static("*"))
    } else {
        configured.then(|| origin.clone())
    }
}

fn allow(headers: &mut HeaderMap, allow_origin: HeaderValue) {
    if allow_origin != "*" {
        // The answer depends on the origin: a shared cache must not give it to another.
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
}
