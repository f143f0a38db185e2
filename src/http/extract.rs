//! Extractors and their settings, so that malformed input of every kind gets a problem document.
use std::future::{Ready, ready};

use actix_web::{
    FromRequest, HttpRequest,
    dev::Payload,
    error::{JsonPayloadError, PathError},
    web,
};
use serde::de::DeserializeOwned;

use crate::{domain::FieldError, error::ApiError};

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .content_type_required(true)
        .error_handler(|error, _| json_error(error).into())
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
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType {
            expected: "application/json",
        },
        JsonPayloadError::Deserialize(error) if error.is_data() => {
            ApiError::Validation(vec![shape_error(&error.to_string())])
        }
        JsonPayloadError::Deserialize(error) => {
            ApiError::MalformedRequest(text!("detail-body-not-json", reason = error))
        }
        other => ApiError::MalformedRequest(text!("detail-body-unreadable", reason = other)),
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
        FieldError::new(&field, "unknown_field", text!("field-is-not-a-field-of"))
    } else if let Some(field) = named("missing field `") {
        FieldError::new(&field, "required", text!("field-is-required"))
    } else {
        FieldError::new(
            "body",
            "invalid_value",
            text!("field-unreadable", reason = message),
        )
    }
}

/// Query parameters, like `web::Query`, but an invalid parameter is named in the 422.
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let pairs = form_urlencoded::parse(request.query_string().as_bytes());
        let parsed = serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs));
        ready(parsed.map(Query).map_err(|error| {
            let path = error.path().to_string();
            let mut field_error = shape_error(&error.inner().to_string());
            if field_error.field == "body" {
                field_error.field = if path == "." {
                    "query".to_owned()
                } else {
                    path
                };
            }
            ApiError::Validation(vec![field_error])
        }))
    }
}

/// A JSON body, like `web::Json` (same limit and errors), where a number with a zero
/// fraction (`38.0`) is the integer it equals, as JSON Schema counts it: a request valid for the
/// contract is not refused for writing an integer that way.
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let value = web::Json::<serde_json::Value>::from_request(request, payload);
        Box::pin(async move {
            let mut value = value.await?.into_inner();
            integral_numbers(&mut value);
            serde_json::from_value(value)
                .map(Json)
                .map_err(|error| ApiError::Validation(vec![shape_error(&error.to_string())]).into())
        })
    }
}

/// Turns every number with a zero fraction into the integer it equals (within `i64`).
fn integral_numbers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(number) => {
            if let Some(float) = number.as_f64().filter(|_| number.is_f64())
                && float.fract() == 0.0
                && float.abs() < 9.0e15
            {
                *number = (float as i64).into();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        Value::Object(fields) => fields.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

fn path_error(error: PathError) -> ApiError {
    let PathError::Deserialize(error) = error else {
        return ApiError::NotFound;
    };
    ApiError::Validation(vec![FieldError::new(
        "path",
        "invalid_value",
        text!("field-unreadable", reason = error),
    )])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_floats_are_integers_and_others_stay() {
        let mut value = serde_json::json!({"a": 38.0, "b": [1.5, -2.0], "c": 1e300, "d": "3.0"});
        integral_numbers(&mut value);
        assert_eq!(
            value,
            serde_json::json!({"a": 38, "b": [1.5, -2], "c": 1e300, "d": "3.0"})
        );
        assert!(value["a"].is_i64());
    }

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
            (other.field.as_str(), other.message),
            (
                "body",
                text!(
                    "field-unreadable",
                    reason = "invalid type: integer `1`, expected a string"
                )
            )
        );
    }
}
