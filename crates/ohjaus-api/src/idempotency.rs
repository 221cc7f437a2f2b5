//! `Idempotency-Key` on every POST (the IETF httpapi draft): a client that retries a write
//! after a timeout sends the same key and gets the first answer again, without the write
//! happening twice.
//!
//! The layer keys by caller — the SHA-256 of the request's `Authorization` header, so one
//! token's keys never meet another's — and by the key; it remembers the hash of the method,
//! path and body and, once answered, the answer (24 hours, in the database, so every
//! instance sees it). The same key and request: the first answer, replayed (with
//! `Idempotency-Replayed: true`). Another request: 422. Still running: 409 with
//! `Retry-After`. An answer of 5xx or 429 is not kept: the key is freed, so a retry runs.
//! A POST without the header, or without credentials, passes through untouched.

use crate::problem::Problem;
use crate::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ohjaus_core::FieldError;
use ohjaus_store::write::idempotency::{KeyClaim, StoredAnswer};
use sha2::{Digest as _, Sha256};

/// The request header.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The header a replayed answer carries.
pub const REPLAYED: &str = "idempotency-replayed";

/// Longest key accepted.
pub const MAX_KEY: usize = 255;

/// The headers of an answer that are kept and replayed.
const KEPT_HEADERS: [HeaderName; 2] = [header::CONTENT_TYPE, header::LOCATION];

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The layer (`axum::middleware::from_fn_with_state`).
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(key) = request.headers().get(IDEMPOTENCY_KEY).cloned() else {
        return next.run(request).await;
    };
    let Some(credentials) = request.headers().get(header::AUTHORIZATION).cloned() else {
        return next.run(request).await;
    };
    let key = match key.to_str() {
        Ok(text) if !text.is_empty() && text.len() <= MAX_KEY && text.bytes().all(|b| b.is_ascii_graphic()) => {
            text.to_owned()
        }
        _ => {
            let error = FieldError::new("Idempotency-Key", format!("1 to {MAX_KEY} visible ASCII characters"));
            return Problem::validation(&[error]).into_response();
        }
    };
    let caller = hex(&Sha256::digest(credentials.as_bytes()));
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, state.config.body_limit_bytes).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large", "the body is larger than allowed")
                .into_response();
        }
    };
    let request_hash = {
        let mut hash = Sha256::new();
        hash.update(parts.method.as_str().as_bytes());
        hash.update(b" ");
        hash.update(parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or_default().as_bytes());
        hash.update(b"\n");
        hash.update(&bytes);
        hex(&hash.finalize())
    };
    let store = &state.store;
    let claim = match store.claim_idempotency_key(&caller, &key, &request_hash, state.clock.now()).await {
        Ok(claim) => claim,
        Err(error) => return Problem::from(error).into_response(),
    };
    match claim {
        KeyClaim::Replay(answer) => replay(answer),
        KeyClaim::Mismatch => Problem::validation(&[FieldError::new(
            "Idempotency-Key",
            "was already used with another request (method, path or body)",
        )])
        .into_response(),
        KeyClaim::InProgress => {
            let mut problem = Problem::new(
                StatusCode::CONFLICT,
                "idempotency-in-progress",
                "a request with this Idempotency-Key is still being processed; try again shortly",
            );
            problem.retry_after = Some(1);
            problem.into_response()
        }
        KeyClaim::Claimed => {
            let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
            let status = response.status();
            if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
                if let Err(error) = store.release_idempotency_key(&caller, &key).await {
                    tracing::warn!(error = %error, "an idempotency key could not be freed");
                }
                return response;
            }
            let (parts, body) = response.into_parts();
            let Ok(body) = to_bytes(body, usize::MAX).await else {
                let _ = store.release_idempotency_key(&caller, &key).await;
                return Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "error", "the answer could not be read")
                    .into_response();
            };
            let headers = KEPT_HEADERS
                .iter()
                .filter_map(|name| {
                    let value = parts.headers.get(name)?.to_str().ok()?;
                    Some((name.as_str().to_owned(), value.to_owned()))
                })
                .collect();
            let answer = StoredAnswer { status: status.as_u16(), headers, body: body.to_vec() };
            if let Err(error) = store.answer_idempotency_key(&caller, &key, &answer).await {
                tracing::warn!(error = %error, "an idempotent answer could not be kept");
            }
            Response::from_parts(parts, Body::from(body))
        }
    }
}

/// A stored answer, sent again.
fn replay(answer: StoredAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut response = (status, answer.body).into_response();
    let headers = response.headers_mut();
    for (name, value) in answer.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::from_str(&value)) {
            headers.insert(name, value);
        }
    }
    headers.insert(HeaderName::from_static(REPLAYED), HeaderValue::from_static("true"));
    response
}

/// Documents the header on every POST of `openapi`.
pub fn describe(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::{ObjectBuilder, Required, Type};
    let parameter = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .schema(Some(ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)).max_length(Some(MAX_KEY))))
        .description(Some(
            "Makes the request safe to retry (IETF httpapi Idempotency-Key): within 24 hours the same key with \
             the same request answers the first answer again (header `Idempotency-Replayed: true`) without doing \
             anything; with another method, path or body it answers 422; while the first request is still being \
             processed it answers 409 with `Retry-After`. Keys belong to the credentials that sent them.",
        ))
        .build();
    use utoipa::openapi::{Ref, RefOr};
    for item in openapi.paths.paths.values_mut() {
        let Some(operation) = item.post.as_mut() else { continue };
        // Only requests with credentials are keyed.
        if !operation.responses.responses.contains_key("401") {
            continue;
        }
        operation.parameters.get_or_insert_with(Vec::new).push(RefOr::T(parameter.clone()));
        let answers = &mut operation.responses.responses;
        answers.entry("409".to_owned()).or_insert_with(|| RefOr::Ref(Ref::from_response_name("Conflict")));
        answers.entry("422".to_owned()).or_insert_with(|| RefOr::Ref(Ref::from_response_name("Invalid")));
    }
}
