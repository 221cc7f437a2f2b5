//! What every page handler can reach: the store, the clock and the settings.

use chrono::{DateTime, TimeDelta, Utc};
use ohjaus_store::Store;
use std::sync::Arc;

/// The source of "now". Handlers never read the system clock directly, so tests can fix or
/// move time.
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

/// Settings of the pages.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The base URL people reach the service at: links in emails and feed links are made
    /// from it, a form must come from its origin, and an `https` one makes cookies `Secure`.
    pub public_url: url::Url,
    /// How long a sign-in link works.
    pub link_lifetime: TimeDelta,
    /// How long a signed-in browser stays signed in.
    pub session_lifetime: TimeDelta,
}

impl WebConfig {
    /// The defaults for `public_url`: links work 20 minutes, sessions last 12 hours (a
    /// working day; a shared computer on a ward forgets its user overnight).
    pub fn new(public_url: url::Url) -> Self {
        Self { public_url, link_lifetime: TimeDelta::minutes(20), session_lifetime: TimeDelta::hours(12) }
    }

    /// Whether pages are served over https (cookies are then `Secure` and `__Host-`).
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// An absolute URL of `path` (which starts with `/`) under the public URL.
    pub fn absolute(&self, path: &str) -> String {
        let base = self.public_url.as_str().trim_end_matches('/');
        format!("{base}{path}")
    }
}

/// The pages' state.
#[derive(Debug, Clone)]
pub struct WebState {
    /// The database.
    pub store: Store,
    /// Now.
    pub clock: Clock,
    /// Settings.
    pub config: Arc<WebConfig>,
}

impl WebState {
    /// The state of a service reached at `public_url`, with the default lifetimes.
    pub fn new(store: Store, clock: Clock, public_url: url::Url) -> Self {
        Self { store, clock, config: Arc::new(WebConfig::new(public_url)) }
    }

    /// The state with explicit settings.
    pub fn with_config(store: Store, clock: Clock, config: WebConfig) -> Self {
        Self { store, clock, config: Arc::new(config) }
    }
}
