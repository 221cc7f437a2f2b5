//! What every handler can reach: the store, the metrics, the clock, the public URL.

use crate::feed_cache::FeedCache;
use crate::metrics::Metrics;
use ohjaus_store::{Clock, Store};
use std::sync::Arc;

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Base URL for links (calendar feeds).
    pub public_url: url::Url,
    /// Per-request timeout.
    pub request_timeout: std::time::Duration,
    /// Largest body accepted.
    pub body_limit_bytes: usize,
    /// The ORGANIZER of the calendar feeds' events: the service's address (`mail.organizer`),
    /// as in the invitations, so a client holding both sees the same organizer and never
    /// takes a supervisor's feed for the supervisor's own copy.
    pub calendar_organizer: ohjaus_core::notice::Party,
}

/// The application state.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Request and outbox metrics.
    pub metrics: Metrics,
    /// Now.
    pub clock: Clock,
    /// Settings.
    pub config: Arc<ApiConfig>,
    /// The calendar feeds' answers, kept until a write or their time is up.
    pub feeds: FeedCache,
}

impl axum::extract::FromRef<AppState> for Metrics {
    fn from_ref(state: &AppState) -> Self {
        state.metrics.clone()
    }
}
