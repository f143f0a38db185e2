//! Headers every answer carries: no content sniffing, no referrer, nothing personal kept by
//! caches, and HSTS when the deployment is HTTPS only.
use actix_web::{
    Error,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::{
        Method,
        header::{self, HeaderValue},
    },
    middleware::Next,
    web,
};

use crate::state::AppState;

pub async fn apply(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    // Answers to a caller who identified themselves, and every write (tokens, codes and
    // receipts are answers to writes), are never stored by a cache.
    let private = request.headers().contains_key(header::AUTHORIZATION)
        || ![Method::GET, Method::HEAD].contains(request.method());
    let hsts = request
        .app_data::<web::Data<AppState>>()
        .and_then(|state| state.settings.hsts_max_age);
    let mut response = next.call(request).await?;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // A page may ask for more (the widget, whose video players need to know the site).
    if !headers.contains_key(header::REFERRER_POLICY) {
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
    }
    if private {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if let Some(max_age) = hsts
        && let Ok(value) = HeaderValue::from_str(&format!("max-age={max_age}; includeSubDomains"))
    {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, value);
    }
    Ok(response)
}
