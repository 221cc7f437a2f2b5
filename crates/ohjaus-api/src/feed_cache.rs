//! The calendar feeds' answers, kept in memory for a while.
//!
//! Feeds are the service's steadiest load: every participant's and supervisor's calendar app
//! asks for theirs every few minutes to hours, and almost always nothing has changed. A feed
//! is rendered from the database once, then answered from here — whole, or `304 Not Modified`
//! to a client that sends its `ETag` back — without touching the database, until either
//!
//! - a write request (any POST, PUT, PATCH or DELETE) finishes in this process: the
//!   [`FeedCache::track_writes`] layer moves the cache's epoch on after the write's
//!   transaction has committed, and every entry filled before that is no longer used; or
//! - the entry is older than the configured time (`feeds.cache_seconds`), which bounds how long a
//!   change made by another instance or a command line process goes unseen.
//!
//! An entry is filled only from data read after the epoch it carries was read, so a write
//! that commits while a feed is being rendered moves the epoch on after the render and the
//! entry is never used. A render after the epoch moved gives the same text for the same data
//! (the `DTSTAMP` is the data's own last change), so a client still gets `304`.

use axum::body::Body;
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use ohjaus_store::write::tokens::FeedOwner;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// One rendered feed.
#[derive(Debug)]
pub struct FeedAnswer {
    /// Whose feed: the token resolved when it was filled.
    pub owner: FeedOwner,
    /// The strong validator: a digest of `body`.
    pub etag: String,
    /// When the data last changed (whole seconds, as HTTP dates carry).
    pub last_modified: DateTime<Utc>,
    /// The `text/calendar` text.
    pub body: Bytes,
    /// The cache's epoch read before the data was.
    epoch: u64,
}

impl FeedAnswer {
    /// An answer for `body`, rendered from data read after `epoch` was taken.
    pub fn new(owner: FeedOwner, last_modified: DateTime<Utc>, body: Bytes, epoch: u64) -> Self {
        use base64::Engine as _;
        let digest = Sha256::digest(&body);
        // 16 bytes of SHA-256: a collision between two versions of one feed is out of reach.
        let etag = format!("\"{}\"", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16]));
        let last_modified = DateTime::from_timestamp(last_modified.timestamp(), 0).unwrap_or(last_modified);
        Self { owner, etag, last_modified, body, epoch }
    }
}

/// The answers by token, with the epoch that write requests move on.
#[derive(Clone)]
pub struct FeedCache {
    entries: Option<moka::sync::Cache<[u8; 32], Arc<FeedAnswer>>>,
    epoch: Arc<AtomicU64>,
}

impl std::fmt::Debug for FeedCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeedCache")
            .field("enabled", &self.entries.is_some())
            .field("epoch", &self.epoch.load(Ordering::Relaxed))
            .finish()
    }
}

impl Default for FeedCache {
    /// A minute, at most 64 MiB of feeds.
    fn default() -> Self {
        Self::new(Duration::from_secs(60), 64 << 20)
    }
}

impl FeedCache {
    /// Entries live at most `ttl` (zero: nothing is kept) and take at most `max_bytes` in
    /// all, the least used going first.
    pub fn new(ttl: Duration, max_bytes: u64) -> Self {
        let entries = (!ttl.is_zero()).then(|| {
            moka::sync::Cache::builder()
                .time_to_live(ttl)
                .max_capacity(max_bytes)
                .weigher(|_: &[u8; 32], answer: &Arc<FeedAnswer>| {
                    u32::try_from(answer.body.len() + 256).unwrap_or(u32::MAX)
                })
                .build()
        });
        Self { entries, epoch: Arc::new(AtomicU64::new(0)) }
    }

    /// Nothing kept: every request renders.
    pub fn disabled() -> Self {
        Self::new(Duration::ZERO, 0)
    }

    /// The epoch to read before reading the data of a new entry.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// The answer kept for the link `secret`, if no write has finished since it was filled.
    pub fn get(&self, secret: &str) -> Option<Arc<FeedAnswer>> {
        let answer = self.entries.as_ref()?.get(&key(secret))?;
        (answer.epoch == self.epoch()).then_some(answer)
    }

    /// Keeps `answer` for the link `secret`.
    pub fn put(&self, secret: &str, answer: Arc<FeedAnswer>) {
        if let Some(entries) = &self.entries {
            entries.insert(key(secret), answer);
        }
    }

    /// Every entry filled so far is out of date.
    pub fn changed(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
    }

    /// The middleware that tells the cache of every finished write request: wrap every
    /// router whose requests write (the API's, the pages') with
    /// `axum::middleware::from_fn_with_state(cache, FeedCache::track_writes)`.
    pub async fn track_writes(
        axum::extract::State(cache): axum::extract::State<FeedCache>,
        request: Request<Body>,
        next: Next,
    ) -> Response {
        let writes = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        let response = next.run(request).await;
        // After the handler: its transaction has committed (or rolled back) by now.
        if writes {
            cache.changed();
        }
        response
    }
}

/// Entries are found by a digest of the link's secret, as the database finds its tokens.
fn key(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(cache: &FeedCache, text: &'static str) -> Arc<FeedAnswer> {
        let at = DateTime::from_timestamp(1_800_000_000, 123_000_000).unwrap();
        Arc::new(FeedAnswer::new(
            FeedOwner::Person(uuid::Uuid::nil()),
            at,
            Bytes::from_static(text.as_bytes()),
            cache.epoch(),
        ))
    }

    #[test]
    fn a_write_finished_after_the_fill_retires_the_entry() {
        let cache = FeedCache::default();
        let first = answer(&cache, "BEGIN:VCALENDAR");
        cache.put("secret", first.clone());
        assert!(cache.get("secret").is_some());
        assert!(cache.get("other").is_none());
        cache.changed();
        assert!(cache.get("secret").is_none(), "filled before the write");
        // The same data rendered again: the same validator.
        assert_eq!(answer(&cache, "BEGIN:VCALENDAR").etag, first.etag);
        assert_ne!(answer(&cache, "BEGIN:VCALENDAR ").etag, first.etag);
        assert_eq!(first.last_modified.timestamp_subsec_nanos(), 0, "HTTP dates carry whole seconds");
    }

    #[test]
    fn a_disabled_cache_keeps_nothing() {
        let cache = FeedCache::disabled();
        cache.put("secret", answer(&cache, "x"));
        assert!(cache.get("secret").is_none());
    }
}
