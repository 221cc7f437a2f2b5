//! What every handler can reach: the store, the metrics, the clock, the public URL.

use crate::metrics::Metrics;
use chrono::{DateTime, Utc};
use ohjaus_store::Store;
use std::sync::Arc;

/// The source of "now". Handlers never read the system clock directly, so tests can fix time.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self(Arc::new(Utc::now))
    }

    /// A clock that always answers `at`.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self(Arc::new(move || at))
    }

    /// A clock driven by a function (tests move time forward with it).
    pub fn from_fn(now: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        Self(Arc::new(now))
    }

    /// Now.
    pub fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Base URL for links (calendar feeds).
    pub public_url: url::Url,
    /// Per-request timeout.
    pub request_timeout: std::time::Duration,
    /// Largest body accepted.
    pub body_limit_bytes: usize,
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
}

impl axum::extract::FromRef<AppState> for Metrics {
    fn from_ref(state: &AppState) -> Self {
        state.metrics.clone()
    }
}
