//! The HTTP API of Ohjaus: thin axum handlers over the store and the core.
//!
//! A tour:
//!
//! - [`router`] assembles every route (one module per resource under [`routes`]), the
//!   OpenAPI document generated from the same handlers (utoipa, so it cannot drift), and the
//!   layers: tracing, timeout, body limit, compression, metrics, and the problem fallback.
//! - [`serve`] runs it on a listener until a shutdown future resolves (graceful).
//! - [`auth`] turns a bearer token into a store [`Caller`](ohjaus_store::Caller); the store
//!   scopes every read and write by it.
//! - [`extract`] and [`problem`]: bodies, queries and ids read with errors in
//!   `application/problem+json`; [`error`] maps store errors onto statuses; [`docs`] writes
//!   the error answers into the OpenAPI document once, for every handler to name.
//! - [`paging`]: `limit` and `cursor` in, `{items, next_cursor}` out, for every list.
//! - [`metrics`]: Prometheus text at `/metrics`.
//! - [`request_span`]: each request traced under its route, never its path (paths carry
//!   the secrets of feed, sign-in and voting links).
//! - [`idempotency`]: `Idempotency-Key` on every POST: a retried write answers the first
//!   answer again instead of writing twice.
//! - [`limits`]: requests per minute per API token and per feed link (429 beyond), handed to
//!   the handlers by a layer the program adds.

pub mod auth;
pub mod docs;
pub mod error;
pub mod extract;
pub mod feed_cache;
pub mod idempotency;
pub mod limits;
pub mod links;
pub mod metrics;
pub mod paging;
pub mod problem;
pub mod request_span;
pub mod routes;
pub mod state;

pub use ohjaus_store::Clock;
pub use state::{ApiConfig, AppState};

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use feed_cache::FeedCache;
use problem::{PROBLEM_JSON, Problem};
use std::future::Future;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// The application: every route with its layers, and the OpenAPI document of it.
pub fn app(state: AppState) -> (Router, OpenApi) {
    let (routes, mut openapi) = routes::all().split_for_parts();
    routes::describe(&mut openapi);
    // Serialized once: the document is the same for every request.
    let document =
        routes::health::Document(std::sync::Arc::new(serde_json::to_vec(&openapi).unwrap_or_default().into()));
    let router = routes
        .layer(middleware::from_fn_with_state(state.clone(), idempotency::layer))
        .layer(axum::Extension(document))
        .fallback(|| async { Problem::not_found("route") })
        .method_not_allowed_fallback(|| async {
            Problem::new(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", "this route does not take that method")
        })
        // Inside out: the limit and the timeout answer early; their bare errors become problems;
        // metrics count what the client gets; compression applies to the final body.
        .layer(RequestBodyLimitLayer::new(state.config.body_limit_bytes))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, state.config.request_timeout))
        .layer(middleware::map_response(problem_for_bare_errors))
        .layer(middleware::from_fn_with_state(state.metrics.clone(), metrics::track))
        // Outside the handlers: a finished write retires the feeds kept so far.
        .layer(middleware::from_fn_with_state(state.feeds.clone(), FeedCache::track_writes))
        // gzip's fastest level: on a supervisor's month (29.5 kB of JSON) it costs 26 µs
        // instead of the default level's 109 µs, for 2.5 kB sent instead of 1.8 kB
        // (BENCHMARKS.md, "API").
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .layer(request_span::trace_layer())
        .with_state(state);
    (router, openapi)
}

/// The router alone.
pub fn router(state: AppState) -> Router {
    app(state).0
}

/// Error answers produced below the handlers (a layer's 408 or 413, say) come with an empty
/// body; give them the problem format too.
async fn problem_for_bare_errors(response: Response) -> Response {
    let status = response.status();
    let is_problem =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let slug = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "too-large",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::METHOD_NOT_ALLOWED => "method-not-allowed",
        _ => "error",
    };
    let mut problem = Problem::new(status, slug, status.canonical_reason().unwrap_or("error")).into_response();
    // Keep headers such as Allow on a 405.
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            problem.headers_mut().insert(name.clone(), value.clone());
        }
    }
    problem.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    problem
}

/// Serves the application on `listener` until `shutdown` resolves; requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}

/// The router type routes are collected into.
pub type ApiRouter = OpenApiRouter<AppState>;
