//! Talking to the API over HTTP, and the API served in this process on a real port with a
//! clock the test can move (for late cancellations and attendance after a session).

use chrono::{DateTime, TimeDelta, Utc};
use ohjaus_api::{ApiConfig, AppState};
use ohjaus_store::Clock;
use reqwest::Method;
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// An answer: status and JSON body (`Value::Null` when the body is empty or not JSON).
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The body as JSON.
    pub json: Value,
    /// The `Content-Type`.
    pub content_type: String,
    /// The raw body.
    pub text: String,
}

impl Answer {
    /// Panics with the body unless the status is `expected`; gives the JSON.
    #[track_caller]
    pub fn expect(&self, expected: u16) -> &Value {
        assert_eq!(self.status, expected, "unexpected status; body: {}", self.text);
        &self.json
    }
}

/// A client of one server.
#[derive(Debug, Clone)]
pub struct Api {
    client: reqwest::Client,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl Api {
    /// A client of `base`.
    pub fn new(base: &str) -> Self {
        Self { client: reqwest::Client::new(), base: base.trim_end_matches('/').to_owned() }
    }

    /// Any request; `body` is sent as JSON.
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<&Value>) -> Answer {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let text = response.text().await.unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer { status, json, content_type, text }
    }

    /// GET.
    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call(Method::GET, path, Some(token), None).await
    }

    /// POST with a JSON body.
    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Answer {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// PUT with a JSON body.
    pub async fn put(&self, path: &str, token: &str, body: &Value) -> Answer {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    /// Every series id the API lists to `token`, read page by page.
    pub async fn series_ids(&self, token: &str) -> std::collections::HashSet<String> {
        let mut ids = std::collections::HashSet::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = "/api/v1/series?limit=200".to_owned();
            if let Some(cursor) = &cursor {
                path.push_str(&format!("&cursor={cursor}"));
            }
            let page = self.get(&path, token).await;
            let body = page.expect(200);
            for item in body["items"].as_array().expect("a page of series") {
                ids.insert(item["id"].as_str().expect("an id").to_owned());
            }
            match body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return ids,
            }
        }
    }

    /// How many notifications the outbox holds (of `status`, when given), read page by page
    /// through `GET /api/v1/notifications`.
    pub async fn notification_count(&self, admin: &str, status: Option<&str>) -> usize {
        let mut total = 0;
        let mut cursor: Option<String> = None;
        loop {
            let mut path = "/api/v1/notifications?limit=200".to_owned();
            if let Some(status) = status {
                path.push_str(&format!("&status={status}"));
            }
            if let Some(cursor) = &cursor {
                path.push_str(&format!("&cursor={cursor}"));
            }
            let page = self.get(&path, admin).await;
            let body = page.expect(200);
            total += body["items"].as_array().map_or(0, Vec::len);
            match body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return total,
            }
        }
    }

    /// PATCH with a JSON body.
    pub async fn patch(&self, path: &str, token: &str, body: &Value) -> Answer {
        self.call(Method::PATCH, path, Some(token), Some(body)).await
    }
}

/// A clock that starts at a date the test chose and runs on in real time (SMTP and
/// processes need time to pass), and that `advance` jumps ahead (past a lease, a backoff, a
/// session's end). Tests never take their dates from the wall clock: on any day they live at
/// the same date.
#[derive(Debug, Clone)]
pub struct MovedClock {
    running: Clock,
    offset_seconds: Arc<AtomicI64>,
}

impl MovedClock {
    /// A clock reading `start` now.
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        Self { running: Clock::starting_at(start), offset_seconds: Arc::default() }
    }

    /// The clock, for the API or a worker.
    pub fn clock(&self) -> Clock {
        let moved = self.clone();
        Clock::from_fn(move || moved.now())
    }

    /// Moves the clock `by` into the future (cumulative).
    pub fn advance(&self, by: TimeDelta) {
        self.offset_seconds.fetch_add(by.num_seconds(), Ordering::SeqCst);
    }

    /// The clock's now.
    pub fn now(&self) -> DateTime<Utc> {
        self.running.now() + TimeDelta::seconds(self.offset_seconds.load(Ordering::SeqCst))
    }
}

/// The API served in this process, on a real port, with a movable clock.
#[derive(Debug)]
pub struct InProcess {
    /// A client of it.
    pub api: Api,
    /// The store behind it (for checks the API does not offer).
    pub store: ohjaus_store::Store,
    time: MovedClock,
    stop: tokio::sync::watch::Sender<bool>,
}

impl InProcess {
    /// Migrates `database_url` and serves it with a clock reading `now` at the start.
    pub async fn start(database_url: &str, now: DateTime<Utc>) -> Self {
        let store = ohjaus_store::Store::connect(database_url).await.expect("the database connects");
        store.migrate().await.expect("migrations apply");
        let time = MovedClock::starting_at(now);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let address = listener.local_addr().expect("its address");
        let state = AppState {
            store: store.clone(),
            metrics: ohjaus_api::metrics::Metrics::default(),
            clock: time.clock(),
            config: Arc::new(ApiConfig {
                public_url: url::Url::parse(&format!("http://{address}")).expect("a URL"),
                request_timeout: std::time::Duration::from_secs(30),
                body_limit_bytes: 262_144,
            }),
            feeds: ohjaus_api::feed_cache::FeedCache::default(),
        };
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(ohjaus_api::serve(listener, state, async move {
            let _ = stopped.wait_for(|s| *s).await;
        }));
        Self { api: Api::new(&format!("http://{address}")), store, time, stop }
    }

    /// Moves the server's clock `by` into the future (cumulative).
    pub fn advance(&self, by: TimeDelta) {
        self.time.advance(by);
    }

    /// The server's now.
    pub fn now(&self) -> DateTime<Utc> {
        self.time.now()
    }

    /// The server's clock, for a worker that must live at the same time.
    pub fn clock(&self) -> Clock {
        self.time.clock()
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
