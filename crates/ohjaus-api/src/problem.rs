//! Errors as `application/problem+json` (RFC 9457): every failure a client sees, from bad JSON
//! to a conflict, has the same shape: `type`, `title`, `status`, `detail`, and for validation
//! errors `errors: [{field, message}]`, for conflicts `conflicts: [...]`.
//!
//! Internal causes are logged, never returned.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ohjaus_core::FieldError;
use ohjaus_core::preview::ConflictView;
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldProblem {
    /// Path of the field in the body or query, e.g. `recurrence.count`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// A problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem, e.g. `urn:ohjaus:problem:validation`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What happened in this case.
    pub detail: String,
    /// The invalid fields (validation errors).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub errors: Vec<FieldProblem>,
    /// Every conflicting occurrence (409 on booking, moving, re-planning).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflicts: Option<Vec<ConflictView>>,
    /// Seconds after which trying again makes sense: sent as the `Retry-After` header (429,
    /// 503), not in the body. (Sixteen bits keep the problem small enough to return by value.)
    #[serde(skip)]
    pub retry_after: Option<u16>,
}

/// What a client is told to wait before trying again while the database is unreachable:
/// long enough not to add load to a recovering server, short enough that a restart of the
/// database is hardly noticed.
pub const RETRY_AFTER_UNAVAILABLE_SECONDS: u16 = 5;

impl Problem {
    /// A problem of `status` with a kind slug (`urn:ohjaus:problem:{slug}`).
    pub fn new(status: StatusCode, slug: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("urn:ohjaus:problem:{slug}"),
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            conflicts: None,
            retry_after: None,
        }
    }

    /// 422 with a field list.
    pub fn validation(errors: &[FieldError]) -> Self {
        let detail = match errors {
            [one] => format!("{}: {}", one.field, one.message),
            _ => format!("{} fields are invalid", errors.len()),
        };
        let mut problem = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", detail);
        problem.errors =
            errors.iter().map(|e| FieldProblem { field: e.field.clone(), message: e.message.clone() }).collect();
        problem
    }

    /// 409 for a change the resource's current state refuses (a cancelled series cancelled
    /// again, a second review of the same phase), with the fields concerned.
    pub fn state(errors: &[FieldError]) -> Self {
        let mut problem = Self::validation(errors);
        problem.kind = "urn:ohjaus:problem:state".to_owned();
        problem.title = "Conflict";
        problem.status = StatusCode::CONFLICT.as_u16();
        problem
    }

    /// 400 for a body or query that cannot be read at all.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", detail)
    }

    /// 401.
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", "a valid bearer token is required")
    }

    /// 403.
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "your role may not do this")
    }

    /// 404.
    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", format!("{what} not found"))
    }

    /// 409 with the conflicts.
    pub fn conflict(detail: impl Into<String>, conflicts: Vec<ConflictView>) -> Self {
        let mut problem = Self::new(StatusCode::CONFLICT, "conflict", detail);
        problem.conflicts = Some(conflicts);
        problem
    }

    /// 503 while the database cannot be reached, with `Retry-After`.
    pub fn unavailable() -> Self {
        let mut problem = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the database cannot be reached right now; nothing was changed; try again shortly",
        );
        problem.retry_after = Some(RETRY_AFTER_UNAVAILABLE_SECONDS);
        problem
    }

    /// 429 for a caller over its rate limit, with `Retry-After` (whole seconds, at least 1).
    pub fn too_many_requests(detail: impl Into<String>, retry_after: std::time::Duration) -> Self {
        let mut problem = Self::new(StatusCode::TOO_MANY_REQUESTS, "rate-limited", detail);
        let seconds = retry_after.as_secs_f64().ceil().clamp(1.0, f64::from(u16::MAX));
        problem.retry_after = Some(seconds as u16);
        problem
    }

    /// 500, with nothing of the cause.
    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "something went wrong on our side; it has been logged")
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
