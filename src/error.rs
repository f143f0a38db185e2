//! The one error type of the API, rendered as RFC 9457 `application/problem+json` with a
//! stable machine `code`. Every error the service can answer is a variant here.
use actix_web::{
    HttpResponse, ResponseError,
    http::{StatusCode, header},
};
use serde::Serialize;
use utoipa::{
    ToResponse, ToSchema,
    openapi::{ContentBuilder, RefOr, ResponseBuilder, response::Response},
};

use crate::domain::FieldError;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// Why a request was not authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    /// The operation needs a bearer token and none was sent.
    MissingToken,
    /// The bearer token is malformed, expired, forged or belongs to a disabled account.
    InvalidToken,
    /// Login with an unknown email or a wrong password (the two are not told apart).
    InvalidCredentials,
    /// The refresh token is unknown, expired, revoked or already used.
    InvalidRefreshToken,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("resource not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<String> },
    #[error("malformed request: {0}")]
    MalformedRequest(String),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("request body larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("conflict: {detail}")]
    Conflict { code: &'static str, detail: String },
    #[error("not authenticated: {0:?}")]
    Unauthorized(AuthFailure),
    #[error("forbidden")]
    Forbidden,
    #[error("service unavailable: {0}")]
    Unavailable(&'static str),
    #[error("rate limited, retry after {retry_after_secs}s")]
    RateLimited { retry_after_secs: u64 },
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(error: sea_orm::DbErr) -> Self {
        if crate::db::is_unstorable_text(&error) {
            // PostgreSQL stores no NUL character in text: bad input, not a server fault.
            return ApiError::Validation(vec![FieldError::new(
                "body",
                "invalid_value",
                "text must not contain NUL characters",
            )]);
        }
        ApiError::Internal(error.into())
    }
}

impl From<FieldError> for ApiError {
    fn from(error: FieldError) -> Self {
        ApiError::Validation(vec![error])
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(errors: Vec<FieldError>) -> Self {
        ApiError::Validation(errors)
    }
}

impl ApiError {
    /// A refusal by the state of things (409), with its stable code.
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        ApiError::Conflict {
            code,
            detail: detail.into(),
        }
    }

    /// A validation error on a single field.
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, code, message)])
    }

    /// The problem document sent on the wire for this error.
    pub fn problem(&self) -> Problem {
        let (code, detail) = match self {
            ApiError::NotFound => (
                "not_found",
                "No resource exists at this address.".to_owned(),
            ),
            ApiError::MethodNotAllowed { allow } => (
                "method_not_allowed",
                format!("This resource supports: {}.", allow.join(", ")),
            ),
            ApiError::MalformedRequest(reason) => ("malformed_request", reason.clone()),
            ApiError::UnsupportedMediaType => (
                "unsupported_media_type",
                "The request body must be sent as application/json.".to_owned(),
            ),
            ApiError::PayloadTooLarge { limit } => (
                "payload_too_large",
                format!("The request body must not exceed {limit} bytes."),
            ),
            ApiError::Validation(_) => (
                "validation_failed",
                "The request has invalid fields; see `errors`.".to_owned(),
            ),
            ApiError::Conflict { code, detail } => (*code, detail.clone()),
            ApiError::Unauthorized(failure) => match failure {
                AuthFailure::MissingToken => (
                    "authentication_required",
                    "This operation requires a bearer token.".to_owned(),
                ),
                AuthFailure::InvalidToken => (
                    "invalid_token",
                    "The bearer token is invalid or expired.".to_owned(),
                ),
                AuthFailure::InvalidCredentials => (
                    "invalid_credentials",
                    "Email or password is incorrect.".to_owned(),
                ),
                AuthFailure::InvalidRefreshToken => (
                    "invalid_refresh_token",
                    "The refresh token is invalid, expired or already used.".to_owned(),
                ),
            },
            ApiError::Forbidden => (
                "forbidden",
                "Your roles do not allow this operation.".to_owned(),
            ),
            ApiError::RateLimited { retry_after_secs } => (
                "rate_limited",
                format!("Too many requests; retry in {retry_after_secs} seconds."),
            ),
            ApiError::Unavailable(what) => (
                "service_unavailable",
                format!("The service cannot answer now: {what}."),
            ),
            ApiError::Internal(_) => (
                "internal_error",
                "An unexpected error occurred; it has been logged.".to_owned(),
            ),
        };
        let status = self.status_code();
        Problem {
            kind: format!("urn:prix-ceser:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            code: code.to_owned(),
            errors: match self {
                ApiError::Validation(errors) => errors.clone(),
                _ => Vec::new(),
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::MalformedRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            // The cause goes to the log (with the request id of the current span), never to the client.
            tracing::error!(error = format!("{cause:#}"), "internal error");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_CONTENT_TYPE));
        match self {
            ApiError::MethodNotAllowed { allow } => {
                response.insert_header((header::ALLOW, allow.join(", ")));
            }
            ApiError::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            ApiError::RateLimited { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            _ => {}
        }
        response.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// URI identifying the problem type: `urn:prix-ceser:problem:{code}`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the HTTP status.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// Explanation specific to this occurrence.
    pub detail: String,
    /// Stable machine-readable code.
    pub code: String,
    /// Invalid fields (validation errors only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

fn problem_response(description: &str, example: ApiError) -> Response {
    let example = serde_json::to_value(example.problem()).unwrap_or_default();
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_CONTENT_TYPE,
            ContentBuilder::new()
                .schema(Some(utoipa::openapi::Ref::from_schema_name("Problem")))
                .example(Some(example))
                .build(),
        )
        .build()
}

/// Declares reusable OpenAPI responses (`#/components/responses/…`), each with an example
/// rendered by the same code that renders the real error.
macro_rules! problem_responses {
    ($($name:ident: $description:literal => $example:expr;)*) => {
        $(
            pub struct $name;
            impl<'r> ToResponse<'r> for $name {
                fn response() -> (&'r str, RefOr<Response>) {
                    (stringify!($name), problem_response($description, $example).into())
                }
            }
        )*
    };
}

problem_responses! {
    BadRequest: "Malformed request (syntax error in the JSON body or the query)" =>
        ApiError::MalformedRequest("expected value at line 1 column 1".into());
    Unauthorized: "Missing, invalid or expired bearer token" =>
        ApiError::Unauthorized(AuthFailure::MissingToken);
    Forbidden: "The caller's roles do not allow this operation" => ApiError::Forbidden;
    NotFound: "No such resource (or not visible to the caller)" => ApiError::NotFound;
    Conflict: "The request conflicts with the current state" => ApiError::Conflict {
        code: "email_taken",
        detail: "An account with this email already exists.".into(),
    };
    PayloadTooLarge: "Request body too large" => ApiError::PayloadTooLarge { limit: 65536 };
    UnsupportedMediaType: "The body is not application/json" => ApiError::UnsupportedMediaType;
    ValidationFailed: "Invalid fields, each listed in `errors`" => ApiError::Validation(vec![
        FieldError::new("email", "invalid_format", "must be a valid email address"),
    ]);
    TooManyRequests: "Rate limit exceeded; see the `Retry-After` header" =>
        ApiError::RateLimited { retry_after_secs: 30 };
    ServiceUnavailable: "A dependency (the database) is not answering" =>
        ApiError::Unavailable("the database is not reachable");
    InternalError: "Unexpected server error (details are logged, never returned)" =>
        ApiError::Internal(anyhow::anyhow!("example"));
}

/// The sets of error responses most operations share, each status referring to the
/// reusable responses above.
macro_rules! error_sets {
    ($($(#[$doc:meta])* $name:ident: $($status:literal => $response:ident),*;)*) => {
        $(
            $(#[$doc])*
            pub struct $name;
            impl utoipa::IntoResponses for $name {
                fn responses() -> std::collections::BTreeMap<String, RefOr<Response>> {
                    [$(($status.to_owned(), RefOr::Ref(utoipa::openapi::Ref::from_response_name(stringify!($response))))),*].into()
                }
            }
        )*
    };
}

error_sets! {
    /// An authenticated operation with a JSON body.
    JsonWriteErrors: "400" => BadRequest, "401" => Unauthorized, "403" => Forbidden, "404" => NotFound, "409" => Conflict,
        "413" => PayloadTooLarge, "415" => UnsupportedMediaType, "422" => ValidationFailed, "500" => InternalError;
    /// An authenticated operation on one resource, without a body.
    ResourceErrors: "401" => Unauthorized, "403" => Forbidden, "404" => NotFound, "422" => ValidationFailed, "500" => InternalError;
    /// An authenticated action without a body, which the resource's state may refuse.
    ActionErrors: "401" => Unauthorized, "403" => Forbidden, "404" => NotFound, "409" => Conflict, "422" => ValidationFailed,
        "500" => InternalError;
    /// An anonymous, rate-limited operation with a JSON body.
    PublicJsonErrors: "400" => BadRequest, "413" => PayloadTooLarge, "415" => UnsupportedMediaType,
        "422" => ValidationFailed, "429" => TooManyRequests, "500" => InternalError;
    /// An anonymous operation on one resource.
    PublicResourceErrors: "404" => NotFound, "422" => ValidationFailed, "500" => InternalError;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_problem_lists_fields() {
        let problem = ApiError::invalid("email", "invalid_format", "bad").problem();
        assert_eq!(
            serde_json::to_value(problem).unwrap(),
            serde_json::json!({
                "type": "urn:prix-ceser:problem:validation_failed",
                "title": "Unprocessable Entity",
                "status": 422,
                "detail": "The request has invalid fields; see `errors`.",
                "code": "validation_failed",
                "errors": [{"field": "email", "code": "invalid_format", "message": "bad"}]
            })
        );
    }

    #[test]
    fn internal_problem_leaks_nothing() {
        let problem = ApiError::Internal(anyhow::anyhow!("password=hunter2 in SQL")).problem();
        let wire = serde_json::to_string(&problem).unwrap();
        assert!(!wire.contains("hunter2"));
        assert_eq!(problem.status, 500);
    }
}
