//! The one error type of the API, rendered as RFC 9457 `application/problem+json` with a
//! stable machine `code`. Every error the service can answer is a variant here.
use actix_web::{
    HttpResponse, ResponseError,
    http::{StatusCode, header},
};
use serde::Serialize;
use utoipa::{
    ToResponse, ToSchema,
    openapi::{
        AllOfBuilder, ContentBuilder, ObjectBuilder, Ref, RefOr, ResponseBuilder, Schema, Type,
        response::Response,
    },
};

use crate::{
    domain::{
        FieldError, Lang, Text,
        refusal::{Denial, ProblemCode, Refusal},
        text::Arg,
    },
    i18n,
};

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
    #[error("malformed request: {}", .0.id)]
    MalformedRequest(Text),
    #[error("unsupported media type, expected {expected}")]
    UnsupportedMediaType { expected: &'static str },
    #[error("request body larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("conflict: {code} ({})", detail.id)]
    Conflict { code: ProblemCode, detail: Text },
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
                text!("field-text-must-not-contain-nul"),
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

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        ApiError::Conflict {
            code: refusal.code,
            detail: refusal.detail,
        }
    }
}

impl From<Denial> for ApiError {
    fn from(denial: Denial) -> Self {
        match denial {
            Denial::Refused(refusal) => refusal.into(),
            Denial::Invalid(error) => error.into(),
        }
    }
}

impl ApiError {
    /// A refusal by the state of things (409), with its stable code.
    pub fn conflict(code: ProblemCode, detail: Text) -> Self {
        ApiError::Conflict { code, detail }
    }

    /// A validation error on a single field.
    pub fn invalid(field: &str, code: &str, message: Text) -> Self {
        ApiError::Validation(vec![FieldError::new(field, code, message)])
    }

    /// The stable code of this error, which also decides its status ([`status_of`]).
    pub fn code(&self) -> ProblemCode {
        match self {
            ApiError::NotFound => ProblemCode::NotFound,
            ApiError::MethodNotAllowed { .. } => ProblemCode::MethodNotAllowed,
            ApiError::MalformedRequest(_) => ProblemCode::MalformedRequest,
            ApiError::UnsupportedMediaType { .. } => ProblemCode::UnsupportedMediaType,
            ApiError::PayloadTooLarge { .. } => ProblemCode::PayloadTooLarge,
            ApiError::Validation(_) => ProblemCode::ValidationFailed,
            ApiError::Conflict { code, .. } => *code,
            ApiError::Unauthorized(AuthFailure::MissingToken) => {
                ProblemCode::AuthenticationRequired
            }
            ApiError::Unauthorized(AuthFailure::InvalidToken) => ProblemCode::InvalidToken,
            ApiError::Unauthorized(AuthFailure::InvalidCredentials) => {
                ProblemCode::InvalidCredentials
            }
            ApiError::Unauthorized(AuthFailure::InvalidRefreshToken) => {
                ProblemCode::InvalidRefreshToken
            }
            ApiError::Forbidden => ProblemCode::Forbidden,
            ApiError::RateLimited { .. } => ProblemCode::RateLimited,
            ApiError::Unavailable(_) => ProblemCode::ServiceUnavailable,
            ApiError::Internal(_) => ProblemCode::InternalError,
        }
    }

    fn detail(&self) -> Text {
        match self {
            ApiError::NotFound => text!("detail-not-found"),
            ApiError::MethodNotAllowed { allow } => {
                text!("detail-method-not-allowed", allowed = allow.join(", "))
            }
            ApiError::MalformedRequest(detail) => detail.clone(),
            ApiError::UnsupportedMediaType { expected } => {
                text!("detail-unsupported-media-type", expected)
            }
            ApiError::PayloadTooLarge { limit } => text!("detail-payload-too-large", limit),
            ApiError::Validation(_) => text!("detail-validation-failed"),
            ApiError::Conflict { detail, .. } => detail.clone(),
            ApiError::Unauthorized(AuthFailure::MissingToken) => {
                text!("detail-authentication-required")
            }
            ApiError::Unauthorized(AuthFailure::InvalidToken) => text!("detail-invalid-token"),
            ApiError::Unauthorized(AuthFailure::InvalidCredentials) => {
                text!("detail-invalid-credentials")
            }
            ApiError::Unauthorized(AuthFailure::InvalidRefreshToken) => {
                text!("detail-invalid-refresh-token")
            }
            ApiError::Forbidden => text!("detail-forbidden"),
            ApiError::RateLimited { retry_after_secs } => {
                let seconds = i64::try_from(*retry_after_secs).unwrap_or(i64::MAX);
                text!("detail-rate-limited", seconds = Arg::Number(seconds))
            }
            ApiError::Unavailable(what) => text!("detail-service-unavailable", what = *what),
            ApiError::Internal(_) => text!("detail-internal-error"),
        }
    }

    /// The problem document sent on the wire for this error, in `lang`.
    pub fn problem(&self, lang: Lang) -> Problem {
        let errors = match self {
            ApiError::Validation(errors) => errors
                .iter()
                .map(|error| FieldProblem {
                    field: error.field.clone(),
                    code: error.code.clone(),
                    message: i18n::render(lang, &error.message),
                })
                .collect(),
            _ => Vec::new(),
        };
        let detail = i18n::render(lang, &self.detail());
        Problem::of(self.code(), lang, detail, errors)
    }

    /// The problem document as an answer's body, in `lang`.
    pub fn body(&self, lang: Lang) -> String {
        serde_json::to_string(&self.problem(lang)).unwrap_or_default()
    }
}

/// The HTTP status of each code: a refusal of a prize rule is a `409`.
pub fn status_of(code: ProblemCode) -> StatusCode {
    match code {
        ProblemCode::NotFound => StatusCode::NOT_FOUND,
        ProblemCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ProblemCode::MalformedRequest => StatusCode::BAD_REQUEST,
        ProblemCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ProblemCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ProblemCode::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
        ProblemCode::AuthenticationRequired
        | ProblemCode::InvalidToken
        | ProblemCode::InvalidCredentials
        | ProblemCode::InvalidRefreshToken => StatusCode::UNAUTHORIZED,
        ProblemCode::Forbidden => StatusCode::FORBIDDEN,
        ProblemCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ProblemCode::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        ProblemCode::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::CONFLICT,
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        status_of(self.code())
    }

    fn error_response(&self) -> HttpResponse {
        // In French; `http::language` renders it again when the caller reads another language.
        self.respond(Lang::default())
    }
}

impl ApiError {
    /// The answer to this error, its problem document in `lang`.
    pub fn respond(&self, lang: Lang) -> HttpResponse {
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
        response.body(self.body(lang))
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// URI identifying the problem type: `urn:prix-ceser:problem:{code}`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the problem type (one per `code`), in the answer's `Content-Language`.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// Explanation specific to this occurrence, in the answer's `Content-Language`.
    pub detail: String,
    /// Stable machine-readable code; each operation documents the codes it may answer.
    pub code: ProblemCode,
    /// Invalid fields (validation errors only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

impl Problem {
    /// A document of type `code` in `lang`: its type, title and status, what it says of this
    /// occurrence (`detail`), and the invalid fields.
    fn of(code: ProblemCode, lang: Lang, detail: String, errors: Vec<FieldProblem>) -> Self {
        Problem {
            kind: format!("urn:prix-ceser:problem:{code}"),
            title: i18n::title(lang, code),
            status: status_of(code).as_u16(),
            detail,
            code,
            errors,
        }
    }

    /// A document of type `code` for the contract's examples, in French: its title as detail.
    pub fn example(code: ProblemCode) -> Self {
        let lang = Lang::default();
        Problem::of(code, lang, i18n::title(lang, code), Vec::new())
    }
}

/// One invalid field of a request, as listed in a `validation_failed` problem.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FieldError, example = json!({"field": "email", "code": "invalid_format", "message": "doit être une adresse électronique valide"}))]
pub struct FieldProblem {
    /// The request field, as named in the request (`email`, `roles`, …).
    pub field: String,
    /// Stable machine code: `required`, `too_short`, `too_long`, `invalid_format`, `invalid_value`, …
    pub code: String,
    /// Explanation for people, in the answer's `Content-Language`.
    pub message: String,
}

/// The schema of a problem document whose `code` is one of `codes`.
pub fn problem_schema(codes: &[ProblemCode]) -> Schema {
    let codes = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(codes.iter().map(|code| code.as_str())));
    AllOfBuilder::new()
        .item(Ref::from_schema_name("Problem"))
        .item(ObjectBuilder::new().property("code", codes))
        .into()
}

/// A documented error response: the codes it may carry, and an example rendered by the same
/// code that renders the real error.
pub fn problem_response(description: &str, codes: &[ProblemCode], example: Problem) -> Response {
    let example = serde_json::to_value(example).unwrap_or_default();
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_CONTENT_TYPE,
            ContentBuilder::new()
                .schema(Some(problem_schema(codes)))
                .example(Some(example))
                .build(),
        )
        .build()
}

/// Declares reusable OpenAPI responses (`#/components/responses/…`) for the codes any
/// operation may answer with; the codes only some operations answer with are documented on
/// those operations (`http::problem_codes`).
macro_rules! problem_responses {
    ($($name:ident: $description:literal [$($code:ident),+] => $example:expr;)*) => {
        $(
            pub struct $name;
            impl<'r> ToResponse<'r> for $name {
                fn response() -> (&'r str, RefOr<Response>) {
                    let codes = [$(ProblemCode::$code),+];
                    (stringify!($name), problem_response($description, &codes, $example.problem(Lang::default())).into())
                }
            }
        )*
    };
}

problem_responses! {
    BadRequest: "Malformed request (syntax error in the JSON body or the query)" [MalformedRequest] =>
        ApiError::MalformedRequest(text!("detail-body-not-json", line = 1, column = 1));
    Unauthorized: "Missing, invalid or expired bearer token" [AuthenticationRequired, InvalidToken] =>
        ApiError::Unauthorized(AuthFailure::MissingToken);
    Forbidden: "The caller's roles do not allow this operation" [Forbidden] => ApiError::Forbidden;
    NotFound: "No such resource (or not visible to the caller)" [NotFound] => ApiError::NotFound;
    PayloadTooLarge: "Request body too large" [PayloadTooLarge] => ApiError::PayloadTooLarge { limit: 65536 };
    UnsupportedMediaType: "The body is not application/json" [UnsupportedMediaType] =>
        ApiError::UnsupportedMediaType { expected: "application/json" };
    ValidationFailed: "Invalid fields, each listed in `errors`" [ValidationFailed] => ApiError::Validation(vec![
        FieldError::new("email", "invalid_format", text!("field-must-be-a-valid-email")),
    ]);
    TooManyRequests: "Rate limit exceeded; see the `Retry-After` header" [RateLimited] =>
        ApiError::RateLimited { retry_after_secs: 30 };
    ServiceUnavailable: "A dependency (the database) is not answering" [ServiceUnavailable] =>
        ApiError::Unavailable("the database is not reachable");
    InternalError: "Unexpected server error (details are logged, never returned)" [InternalError] =>
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
    /// An authenticated operation with a JSON body (its refusals are documented per operation).
    JsonWriteErrors: "400" => BadRequest, "401" => Unauthorized, "403" => Forbidden, "404" => NotFound,
        "413" => PayloadTooLarge, "415" => UnsupportedMediaType, "422" => ValidationFailed, "500" => InternalError;
    /// An authenticated operation on one resource, without a body.
    ResourceErrors: "401" => Unauthorized, "403" => Forbidden, "404" => NotFound, "422" => ValidationFailed, "500" => InternalError;
    /// An authenticated action without a body, which the resource's state may refuse.
    ActionErrors: "401" => Unauthorized, "403" => Forbidden, "404" => NotFound, "422" => ValidationFailed,
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
    fn validation_problem_lists_fields_in_the_language_asked() {
        let error = ApiError::invalid(
            "email",
            "invalid_format",
            text!("field-must-be-a-valid-email"),
        );
        let wire = |lang| serde_json::to_value(error.problem(lang)).unwrap();
        assert_eq!(
            wire(Lang::Fr),
            serde_json::json!({
                "type": "urn:prix-ceser:problem:validation_failed",
                "title": "Des champs sont invalides, chacun est listé dans `errors`",
                "status": 422,
                "detail": "La requête comporte des champs invalides ; consultez `errors`.",
                "code": "validation_failed",
                "errors": [{"field": "email", "code": "invalid_format", "message": "doit être une adresse e-mail valide"}]
            })
        );
        assert_eq!(
            wire(Lang::En),
            serde_json::json!({
                "type": "urn:prix-ceser:problem:validation_failed",
                "title": "Fields are invalid, each listed in `errors`",
                "status": 422,
                "detail": "The request has invalid fields; see `errors`.",
                "code": "validation_failed",
                "errors": [{"field": "email", "code": "invalid_format", "message": "must be a valid email address"}]
            })
        );
    }

    #[test]
    fn internal_problem_leaks_nothing() {
        let problem =
            ApiError::Internal(anyhow::anyhow!("password=hunter2 in SQL")).problem(Lang::Fr);
        let wire = serde_json::to_string(&problem).unwrap();
        assert!(!wire.contains("hunter2"));
        assert_eq!(problem.status, 500);
    }
}
