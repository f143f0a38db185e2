//! Extractor settings, so that malformed input of every kind gets a problem document.
use actix_web::{
    error::{JsonPayloadError, PathError, QueryPayloadError},
    web,
};

use crate::{domain::FieldError, error::ApiError};

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .content_type_required(true)
        .error_handler(|error, _| json_error(error).into())
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, _| query_error(error).into())
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|error, _| path_error(error).into())
}

fn json_error(error: JsonPayloadError) -> ApiError {
    match error {
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => {
            ApiError::PayloadTooLarge { limit }
        }
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType,
        JsonPayloadError::Deserialize(error) if error.is_data() => {
            ApiError::Validation(vec![shape_error(&error.to_string())])
        }
        JsonPayloadError::Deserialize(error) => {
            ApiError::MalformedRequest(format!("The body is not valid JSON: {error}."))
        }
        other => ApiError::MalformedRequest(format!("The body could not be read: {other}.")),
    }
}

/// Names the field of a serde "shape" error when serde names it (unknown or missing field).
fn shape_error(message: &str) -> FieldError {
    let named = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_owned)
    };
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned();
    if let Some(field) = named("unknown field `") {
        FieldError::new(
            &field,
            "unknown_field",
            "is not a field of this request (or may not be set by the caller)",
        )
    } else if let Some(field) = named("missing field `") {
        FieldError::new(&field, "required", "is required")
    } else {
        FieldError::new("body", "invalid_value", message)
    }
}

fn query_error(error: QueryPayloadError) -> ApiError {
    let message = match error {
        QueryPayloadError::Deserialize(error) => error.to_string(),
        other => other.to_string(),
    };
    let field = message
        .split(':')
        .next()
        .filter(|f| !f.contains(' '))
        .unwrap_or("query")
        .to_owned();
    ApiError::Validation(vec![FieldError::new(&field, "invalid_value", message)])
}

fn path_error(error: PathError) -> ApiError {
    let PathError::Deserialize(error) = error else {
        return ApiError::NotFound;
    };
    ApiError::Validation(vec![FieldError::new(
        "path",
        "invalid_value",
        error.to_string(),
    )])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_shape_errors_name_the_field() {
        let unknown = shape_error(
            "unknown field `roles`, expected one of `email`, `password` at line 1 column 9",
        );
        assert_eq!(
            (unknown.field.as_str(), unknown.code.as_str()),
            ("roles", "unknown_field")
        );
        let missing = shape_error("missing field `email` at line 1 column 2");
        assert_eq!(
            (missing.field.as_str(), missing.code.as_str()),
            ("email", "required")
        );
        let other = shape_error("invalid type: integer `1`, expected a string at line 1 column 10");
        assert_eq!(
            (other.field.as_str(), other.message.as_str()),
            ("body", "invalid type: integer `1`, expected a string")
        );
    }
}
