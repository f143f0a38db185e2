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
            ApiError::Validation(vec![shape_error(".", &error.to_string(), "body")])
        }
        JsonPayloadError::Deserialize(error) => ApiError::MalformedRequest(text!(
            "detail-body-not-json",
            line = error.line(),
            column = error.column()
        )),
        other => ApiError::MalformedRequest(text!("detail-body-unreadable", reason = other)),
    }
}

/// The field a serde "shape" error is about: the one it names (an unknown or missing field)
/// within the value at `path` (`.`: the whole input, called `root`), else that value; told in
/// the catalogue's words, not serde's.
fn shape_error(path: &str, message: &str, root: &str) -> FieldError {
    let named = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(|field| match path {
                "." => field.to_owned(),
                // An unknown field's path already ends with it.
                path if path == field || path.ends_with(&format!(".{field}")) => path.to_owned(),
                parent => format!("{parent}.{field}"),
            })
    };
    if let Some(field) = named("unknown field `") {
        FieldError::new(&field, "unknown_field", text!("field-is-not-a-field-of"))
    } else if let Some(field) = named("missing field `") {
        FieldError::new(&field, "required", text!("field-is-required"))
    } else {
        let field = if path == "." { root } else { path };
        FieldError::new(field, "invalid_value", text!("field-wrong-shape"))
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
            ApiError::Validation(vec![shape_error(
                &path,
                &error.inner().to_string(),
                "query",
            )])
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
            // serde reads an object's fields from an array, in order; the contract says object.
            if value.is_array() && expects_object::<T>() {
                let field = FieldError::new("body", "invalid_value", text!("field-wrong-shape"));
                return Err(ApiError::Validation(vec![field]).into());
            }
            integral_numbers(&mut value);
            serde_path_to_error::deserialize(value)
                .map(Json)
                .map_err(|error| {
                    let path = error.path().to_string();
                    let field = shape_error(&path, &error.inner().to_string(), "body");
                    ApiError::Validation(vec![field]).into()
                })
        })
    }
}

/// Whether `T` is read from a JSON object (a struct or a map): learnt by asking it to read
/// itself from a probe that holds nothing and notes what it is asked for first.
fn expects_object<T: DeserializeOwned>() -> bool {
    use serde::de::{Deserializer, Visitor};

    #[derive(Debug)]
    struct Asked {
        object: bool,
    }

    impl std::fmt::Display for Asked {
        fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(formatter, "asked for an object: {}", self.object)
        }
    }

    impl std::error::Error for Asked {}

    impl serde::de::Error for Asked {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Asked { object: false }
        }
    }

    struct Probe;

    impl<'de> Deserializer<'de> for Probe {
        type Error = Asked;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Asked> {
            Err(Asked { object: false })
        }

        fn deserialize_map<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Asked> {
            Err(Asked { object: true })
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            _: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Asked> {
            Err(Asked { object: true })
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct enum
            identifier ignored_any
        }
    }

    matches!(T::deserialize(Probe), Err(Asked { object: true }))
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
    let PathError::Deserialize(_) = error else {
        return ApiError::NotFound;
    };
    ApiError::Validation(vec![FieldError::new(
        "path",
        "invalid_value",
        text!("field-wrong-shape"),
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
    fn a_struct_or_a_map_is_read_from_an_object_and_a_list_from_an_array() {
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct Change {
            name: Option<String>,
        }
        assert!(expects_object::<Change>());
        assert!(expects_object::<std::collections::BTreeMap<String, i32>>());
        assert!(!expects_object::<Vec<Change>>());
        assert!(!expects_object::<String>());
    }

    #[test]
    fn serde_shape_errors_name_the_field() {
        let unknown = shape_error(
            "roles",
            "unknown field `roles`, expected one of `email`, `password`",
            "body",
        );
        assert_eq!(
            (unknown.field.as_str(), unknown.code.as_str()),
            ("roles", "unknown_field")
        );
        let missing = shape_error("criteria[0]", "missing field `key`", "body");
        assert_eq!(
            (missing.field.as_str(), missing.code.as_str()),
            ("criteria[0].key", "required")
        );
        let other = shape_error(
            "language",
            "unknown variant `EN`, expected `fr` or `en`",
            "body",
        );
        assert_eq!(
            (other.field.as_str(), other.message),
            ("language", text!("field-wrong-shape"))
        );
        let whole = shape_error(".", "invalid type: sequence, expected a map", "query");
        assert_eq!(whole.field, "query");
    }
}
