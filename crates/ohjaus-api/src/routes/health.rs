//! Liveness, readiness and metrics: open to anyone, no secrets.

use crate::ApiRouter;
use crate::problem::Problem;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use utoipa_axum::routes;

/// The routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
        .routes(routes!(openapi_document))
}

/// The OpenAPI document, serialized once when the application is made.
#[derive(Debug, Clone)]
pub struct Document(pub std::sync::Arc<axum::body::Bytes>);

/// The OpenAPI 3.1 document of every endpoint, generated from the handlers.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "health",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object, content_type = "application/json")))]
async fn openapi_document(axum::Extension(document): axum::Extension<Document>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], (*document.0).clone())
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, description = "alive", body = String)))]
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/readyz", tag = "health", responses(
    (status = 200, description = "the database answers", body = String),
    (status = 503, description = "the database does not answer", body = Problem, content_type = "application/problem+json"),
))]
async fn readyz(State(state): State<AppState>) -> Result<&'static str, Problem> {
    state.store.ready().await.map(|()| "ready").map_err(|error| {
        if error.is_unavailable() {
            ohjaus_store::reach::log_unavailable(&error);
        } else {
            tracing::error!(%error, "database not ready");
        }
        let mut problem = Problem::new(StatusCode::SERVICE_UNAVAILABLE, "not-ready", "the database does not answer");
        problem.retry_after = Some(crate::problem::RETRY_AFTER_UNAVAILABLE_SECONDS);
        problem
    })
}

/// Prometheus metrics: requests by route and status, latency, outbox depth by status.
#[utoipa::path(get, path = "/metrics", tag = "health", responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")))]
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.outbox_counts().await {
        Ok(counts) => state.metrics.set_outbox_depth(&counts),
        Err(error) if error.is_unavailable() => ohjaus_store::reach::log_unavailable(&error),
        Err(error) => tracing::warn!(%error, "outbox depth unavailable"),
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.render())
}
