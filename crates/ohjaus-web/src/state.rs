//! What every page handler can reach: the store, the clock and the settings.

use crate::limits::SignInLimits;
use chrono::TimeDelta;
use ohjaus_store::{Clock, Store};
use std::sync::Arc;
use tokio_util::task::TaskTracker;

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
    /// The rate limits of signing in.
    pub sign_in_limits: SignInLimits,
}

impl WebConfig {
    /// The defaults for `public_url`: links work 20 minutes, sessions last 12 hours (a
    /// working day; a shared computer on a ward forgets its user overnight), the default
    /// sign-in limits.
    pub fn new(public_url: url::Url) -> Self {
        Self {
            public_url,
            link_lifetime: TimeDelta::minutes(20),
            session_lifetime: TimeDelta::hours(12),
            sign_in_limits: SignInLimits::default(),
        }
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
    /// Work a request starts and does not wait for (sending sign-in links); the program
    /// waits for it at shutdown ([`WebState::settled`]).
    pub background: TaskTracker,
}

impl WebState {
    /// The state of a service reached at `public_url`, with the default lifetimes.
    pub fn new(store: Store, clock: Clock, public_url: url::Url) -> Self {
        Self::with_config(store, clock, WebConfig::new(public_url))
    }

    /// The state with explicit settings.
    pub fn with_config(store: Store, clock: Clock, config: WebConfig) -> Self {
        Self { store, clock, config: Arc::new(config), background: TaskTracker::new() }
    }

    /// Waits until the work requests started in the background is done (at shutdown; tests).
    pub async fn settled(&self) {
        self.background.close();
        self.background.wait().await;
        self.background.reopen();
    }
}
