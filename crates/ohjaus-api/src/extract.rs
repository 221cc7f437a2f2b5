//! Extractors that answer in our problem format: a JSON body (unknown fields refused, the
//! failing field named), a query string, and path ids.

use crate::problem::Problem;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// A JSON body of type `T`. Wrong content type → 415, unreadable JSON → 400, a body that does
/// not fit `T` (unknown field, wrong type, missing field) → 422 naming the field.
#[derive(Debug, Clone, Copy, Default)]
pub struct Body<T>(pub T);

fn path_field(path: &serde_path_to_error::Path) -> String {
    let text = path.to_string();
    if text == "." { String::new() } else { text }
}

/// Turns a serde error at a path into a problem: the body fits no JSON shape of `T` (422).
fn json_problem(error: serde_path_to_error::Error<serde_json::Error>) -> Problem {
    let field = path_field(error.path());
    let inner = error.inner();
    // serde's own text ("unknown field `x`, expected one of …") is clear; strip its position.
    let message = inner.to_string();
    let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
    let field = if field.is_empty() {
        // An unknown or missing top-level field: name it from the message.
        message.split('`').nth(1).unwrap_or("body").to_owned()
    } else {
        field
    };
    Problem::validation(&[ohjaus_core::FieldError::new(field, message)])
}

/// Parses JSON bytes into `T` with the problem mapping of [`Body`].
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let value = json_value(bytes)?;
    serde_path_to_error::deserialize(ObjectsOnly(value)).map_err(json_problem)
}

/// The JSON text as a value, with whole numbers written as decimals (`3.0`) made integers:
/// JSON does not tell them apart, and neither do JSON Schema's `integer` and our fields.
fn json_value(bytes: &[u8]) -> Result<serde_json::Value, Problem> {
    let mut value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| Problem::bad_request(format!("the body is not valid JSON: {e}")))?;
    integral(&mut value);
    Ok(value)
}

/// A body's JSON value that a struct is read from only when it is an object: serde's derive
/// reads a struct from an array too (its fields in order, `[null, null]`), which no schema of
/// ours allows. Bodies that are lists (working hours) are still read as lists.
struct ObjectsOnly(serde_json::Value);

impl<'de> serde::Deserializer<'de> for ObjectsOnly {
    type Error = serde_json::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_any(visitor)
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        if self.0.is_array() {
            return Err(serde::de::Error::invalid_type(serde::de::Unexpected::Seq, &"a JSON object"));
        }
        self.0.deserialize_struct(name, fields, visitor)
    }

    fn deserialize_option<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_option(visitor)
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_newtype_struct(name, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

/// Largest integer an `f64` holds exactly.
const EXACT: f64 = 9_007_199_254_740_992.0;

fn integral(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(number) => {
            if let Some(float) = number.as_f64().filter(|_| number.is_f64())
                && float.fract() == 0.0
                && float.abs() <= EXACT
            {
                // Exact: a whole number within ±2^53.
                #[allow(clippy::cast_possible_truncation)]
                let whole = float as i64;
                *number = whole.into();
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral),
        serde_json::Value::Object(members) => members.values_mut().for_each(integral),
        _ => {}
    }
}

/// Whether the request says its body is JSON (`application/json` or `application/*+json`).
fn is_json(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
}

fn unsupported_media_type() -> Problem {
    Problem::new(
        axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
        "send the body as application/json",
    )
}

/// The body's bytes, within the body limit (413 beyond it).
async fn bytes<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes, Problem> {
    Bytes::from_request(request, state).await.map_err(|rejection| {
        let status = rejection.status();
        if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            Problem::new(status, "too-large", "the body is larger than the limit")
        } else {
            Problem::bad_request(format!("the body could not be read: {rejection}"))
        }
    })
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(&request) {
            return Err(unsupported_media_type());
        }
        parse_json(&bytes(request, state).await?).map(Body)
    }
}

/// A JSON body of type `T` that may be left out: an empty body or `null` is `T::default()` (a
/// cancellation without a reason); any other body is read as [`Body`] reads it.
#[derive(Debug, Clone, Copy, Default)]
pub struct OptionalBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for OptionalBody<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = is_json(&request);
        let bytes = bytes(request, state).await?;
        if bytes.is_empty() {
            return Ok(Self(T::default()));
        }
        if !json {
            return Err(unsupported_media_type());
        }
        let value = json_value(&bytes)?;
        if value.is_null() {
            return Ok(Self(T::default()));
        }
        serde_path_to_error::deserialize(ObjectsOnly(value)).map(Self).map_err(json_problem)
    }
}

/// A query string of type `T`; unknown parameters are refused when `T` says so.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer).map(Query).map_err(|error| {
            let field = path_field(error.path());
            let message = error.inner().to_string();
            let field = if field.is_empty() { message.split('`').nth(1).unwrap_or("query").to_owned() } else { field };
            Problem::validation(&[ohjaus_core::FieldError::new(field, message)])
        })
    }
}

/// An id in the path. An id that is not a UUID names nothing: 404.
#[derive(Debug, Clone, Copy)]
pub struct Id(pub uuid::Uuid);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw): axum::extract::Path<String> =
            axum::extract::Path::from_request_parts(parts, state).await.map_err(|_| Problem::not_found("resource"))?;
        raw.parse().map(Id).map_err(|_| Problem::not_found("resource"))
    }
}

/// Two ids in the path (`/goals/{id}/reviews/{review_id}`); either not a UUID: 404.
#[derive(Debug, Clone, Copy)]
pub struct Ids(pub uuid::Uuid, pub uuid::Uuid);

impl<S: Send + Sync> FromRequestParts<S> for Ids {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path((first, second)): axum::extract::Path<(String, String)> =
            axum::extract::Path::from_request_parts(parts, state).await.map_err(|_| Problem::not_found("resource"))?;
        match (first.parse(), second.parse()) {
            (Ok(first), Ok(second)) => Ok(Ids(first, second)),
            _ => Err(Problem::not_found("resource")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        inner: Inner,
    }

    #[test]
    fn errors_name_fields() {
        assert_eq!(parse_json::<Outer>(br#"{"name": "x", "inner": {"count": 3.0}}"#).unwrap().inner.count, 3);
        assert_eq!(parse_json::<Outer>(br#"{"name": "x", "inner": {"count": 3.5}}"#).unwrap_err().status, 422);
        let problem = parse_json::<Outer>(br#"{"name": "x", "inner": {"count": "ten"}}"#).unwrap_err();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.errors[0].field, "inner.count");
        let problem = parse_json::<Outer>(br#"{"name": "x", "inner": {"count": 1}, "extra": 1}"#).unwrap_err();
        assert_eq!(problem.errors[0].field, "extra");
        let problem = parse_json::<Outer>(br#"{"name": "x"}"#).unwrap_err();
        assert_eq!(problem.errors[0].field, "inner");
        assert_eq!(parse_json::<Outer>(b"{").unwrap_err().status, 400);
        assert_eq!(parse_json::<Outer>(b"\xff\xfe").unwrap_err().status, 400);
    }

    #[test]
    fn a_body_is_an_object() {
        // serde would take the fields in order from an array; the schema says object.
        let problem = parse_json::<Outer>(br#"["x", {"count": 1}]"#).unwrap_err();
        assert_eq!(problem.status, 422);
        assert!(problem.errors[0].message.contains("a JSON object"), "{:?}", problem.errors);
        assert_eq!(parse_json::<Outer>(b"3").unwrap_err().status, 422);
        // A body that is a list stays one.
        assert_eq!(parse_json::<Vec<Inner>>(br#"[{"count": 1}]"#).unwrap().len(), 1);
    }
}
