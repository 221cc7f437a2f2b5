//! Rate limits per secret: API requests per bearer token, calendar-feed requests per feed
//! link. Over its limit a request answers 429 problem+json with `Retry-After`; another token
//! or link is not affected.
//!
//! The counts (governor's GCRA: a burst of the whole allowance, then one request every
//! `60 s / allowance`) are kept in this process: a second `ohjaus serve` behind a load
//! balancer gives a token a second allowance, which bounds abuse just the same; what must
//! hold across instances (sign-in links per address) is counted in the database instead.
//! A count is keyed by the SHA-256 of the secret, never the secret, and only once the
//! secret has been found valid, so made-up tokens cannot fill the memory.
//!
//! The limits reach the handlers as a request extension ([`ApiLimits::layer`]), so a router
//! without the layer (tests, benchmarks) has none.

use crate::problem::Problem;
use governor::clock::Clock as _;
use governor::{DefaultKeyedRateLimiter, Quota};
use ohjaus_store::write::tokens::secret_hash;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// One allowance per key: `per_minute` requests, all at once if need be.
#[derive(Debug)]
pub struct PerMinute {
    limiter: DefaultKeyedRateLimiter<String>,
}

impl PerMinute {
    /// `per_minute` requests a minute per key; `None` for 0 (no limit).
    pub fn new(per_minute: u32) -> Option<Self> {
        let per_minute = NonZeroU32::new(per_minute)?;
        Some(Self { limiter: DefaultKeyedRateLimiter::keyed(Quota::per_minute(per_minute)) })
    }

    /// Counts a request of `secret`; when over the allowance, how long until the next one is
    /// allowed.
    pub fn check(&self, secret: &str) -> Result<(), Duration> {
        self.limiter
            .check_key(&secret_hash(secret))
            .map_err(|not_until| not_until.wait_time_from(self.limiter.clock().now()))
    }
}

/// The limits of the API and the feeds; `None` is no limit.
#[derive(Debug, Clone, Default)]
pub struct ApiLimits {
    /// Requests per minute per API token.
    pub api: Option<Arc<PerMinute>>,
    /// Requests per minute per calendar-feed link.
    pub feed: Option<Arc<PerMinute>>,
}

impl ApiLimits {
    /// `api` requests a minute per token and `feed` per feed link (0: no limit).
    pub fn per_minute(api: u32, feed: u32) -> Self {
        Self { api: PerMinute::new(api).map(Arc::new), feed: PerMinute::new(feed).map(Arc::new) }
    }

    /// The layer that hands the limits to the handlers: `router.layer(limits.layer())`.
    pub fn layer(self) -> axum::Extension<Self> {
        axum::Extension(self)
    }

    /// Counts a request of API token `secret`.
    pub fn check_api(&self, secret: &str) -> Result<(), Problem> {
        check(self.api.as_deref(), secret, "this token has made more requests than its rate limit allows")
    }

    /// Counts a request of feed link `secret`.
    pub fn check_feed(&self, secret: &str) -> Result<(), Problem> {
        check(self.feed.as_deref(), secret, "this calendar link has been read more often than its rate limit allows")
    }
}

fn check(limit: Option<&PerMinute>, secret: &str, detail: &str) -> Result<(), Problem> {
    match limit.map(|limit| limit.check(secret)) {
        Some(Err(wait)) => Err(Problem::too_many_requests(detail, wait)),
        _ => Ok(()),
    }
}
