//! Prometheus metrics: requests and latency by route and status, and the outbox depth by
//! status (read from the database at scrape time, so every instance reports the same truth).
//!
//! The registry lives in the application state, not in a global, so that several servers in
//! one test process keep separate counts.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::time::Instant;

/// Labels of a request.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

/// Labels of the outbox gauge.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutboxLabels {
    status: String,
}

/// The metrics of one server.
#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RequestLabels, Histogram>,
    outbox: Family<OutboxLabels, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RequestLabels, Histogram>::new_with_constructor(|| {
            Histogram::new([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0])
        });
        let outbox = Family::<OutboxLabels, Gauge>::default();
        registry.register("ohjaus_http_requests", "HTTP requests by method, route and status", requests.clone());
        registry.register(
            "ohjaus_http_request_duration_seconds",
            "HTTP request latency by method, route and status",
            latency.clone(),
        );
        registry.register("ohjaus_outbox_notifications", "Notifications in the outbox by status", outbox.clone());
        Self { registry: Arc::new(registry), requests, latency, outbox }
    }
}

impl Metrics {
    /// Sets the outbox gauge from counts by status.
    pub fn set_outbox_depth(&self, counts: &[(String, i64)]) {
        for status in ["queued", "sending", "sent", "dead"] {
            let count = counts.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n);
            self.outbox.get_or_create(&OutboxLabels { status: status.to_owned() }).set(count);
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Encoding into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }

    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let labels = RequestLabels { method: method.to_owned(), route: route.to_owned(), status };
        self.requests.get_or_create(&labels).inc();
        self.latency.get_or_create(&labels).observe(seconds);
    }
}

/// Middleware recording every request under its route template (`/api/v1/series/{id}`), so
/// ids never become label values.
pub async fn track(State(metrics): State<Metrics>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.record(&method, &route, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}
