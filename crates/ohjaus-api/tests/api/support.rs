//! Fresh databases (`ohjaus_store::testing`: a SQLite temp file; PostgreSQL cloned from a
//! migrated template when `OHJAUS_TEST_POSTGRES_URL` is set), the router driven with `oneshot`
//! at a fixed time, and the `api_test!` macro that runs one test on both backends.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chrono::{DateTime, TimeZone as _, Utc};
use ohjaus_api::metrics::Metrics;
use ohjaus_api::{ApiConfig, AppState, Clock};
use ohjaus_store::testing::TestDb;
use ohjaus_store::{Backend, Store};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use tower::ServiceExt;

/// The fixed "now" of every test: Monday 4 January 2027, 10:00 in Helsinki.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 4, 8, 0, 0).unwrap()
}

/// The largest body the test server accepts.
pub const BODY_LIMIT: usize = 256 * 1024;

/// One test's database and the application over it.
pub struct TestApp {
    pub store: Store,
    pub router: Router,
    /// The OpenAPI document the router serves.
    pub openapi: Value,
    db: TestDb,
}

/// An answer: status, headers and the body as JSON (`Null` when it is not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
    pub text: String,
}

impl Answer {
    /// The `Content-Type`.
    pub fn content_type(&self) -> &str {
        self.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    /// Panics with the body unless the status is `expected`; gives the JSON.
    #[track_caller]
    pub fn expect(&self, expected: u16) -> &Value {
        assert_eq!(self.status.as_u16(), expected, "unexpected status; body: {}", self.text);
        &self.json
    }

    /// Asserts a problem+json answer of `status` and gives it.
    #[track_caller]
    pub fn problem(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text);
        assert!(self.content_type().starts_with("application/problem+json"), "not a problem: {}", self.content_type());
        assert_eq!(self.json["status"], status, "{}", self.text);
        for key in ["type", "title", "detail"] {
            assert!(self.json[key].is_string(), "problem without {key}: {}", self.text);
        }
        &self.json
    }

    /// The names of the invalid fields of a 422.
    pub fn fields(&self) -> Vec<String> {
        self.json["errors"]
            .as_array()
            .map(|errors| errors.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }
}

impl TestApp {
    /// A migrated SQLite database in a temp file.
    pub async fn sqlite() -> Self {
        Self::new(TestDb::sqlite().await)
    }

    /// A migrated PostgreSQL database cloned from the run's template, or `None` without a
    /// server. Panics when one is configured but unreachable.
    pub async fn postgres() -> Option<Self> {
        Some(Self::new(TestDb::postgres().await?))
    }

    fn new(db: TestDb) -> Self {
        let store = db.store.clone();
        Self::over(db, store)
    }

    /// The application over `store`, which reaches `db` its own way (through a proxy, say).
    pub fn over(db: TestDb, store: Store) -> Self {
        let state = AppState {
            store: store.clone(),
            metrics: Metrics::default(),
            clock: Clock::fixed(now()),
            config: Arc::new(ApiConfig {
                public_url: "http://ohjaus.test/".parse().unwrap(),
                request_timeout: std::time::Duration::from_secs(30),
                body_limit_bytes: BODY_LIMIT,
                calendar_organizer: ohjaus_core::notice::Party {
                    name: "Ohjaus".into(),
                    email: "noreply@ohjaus.invalid".into(),
                },
            }),
            feeds: ohjaus_api::feed_cache::FeedCache::default(),
        };
        let (router, openapi) = ohjaus_api::app(state);
        Self { store, router, openapi: serde_json::to_value(openapi).unwrap(), db }
    }

    /// The same application with rate limits.
    #[must_use]
    pub fn with_limits(mut self, limits: ohjaus_api::limits::ApiLimits) -> Self {
        self.router = self.router.layer(limits.layer());
        self
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// Sends raw bytes with the given headers.
    pub async fn raw(&self, method: Method, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Answer {
        let mut request = Request::builder().method(method).uri(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if !body.is_empty() {
            request = request.header(header::CONTENT_LENGTH, body.len());
        }
        let response = self.router.clone().oneshot(request.body(Body::from(body)).unwrap()).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer { status, headers, json, text }
    }

    /// A request with an optional bearer token and JSON body.
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<&Value>) -> Answer {
        let bearer = token.map(|t| format!("Bearer {t}"));
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if let Some(bearer) = &bearer {
            headers.push(("authorization", bearer));
        }
        let bytes = match body {
            Some(body) => {
                headers.push(("content-type", "application/json"));
                serde_json::to_vec(body).unwrap()
            }
            None => Vec::new(),
        };
        self.raw(method, path, &headers, bytes).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Answer {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: &Value) -> Answer {
        self.call(Method::PATCH, path, Some(token), Some(body)).await
    }

    /// The statuses the document gives for `method` on the route `template` (`{name}` form).
    pub fn documented(&self, method: &str, template: &str) -> Vec<u16> {
        let wanted = crate::matrix::normalized(template);
        let paths = self.openapi["paths"].as_object().unwrap();
        let Some((_, item)) = paths.iter().find(|(path, _)| crate::matrix::normalized(path) == wanted) else {
            return Vec::new();
        };
        item[method.to_ascii_lowercase()]["responses"]
            .as_object()
            .map(|responses| responses.keys().filter_map(|k| k.parse().ok()).collect())
            .unwrap_or_default()
    }

    /// Rows per table: what a refused request must leave as it was.
    pub async fn counts(&self) -> BTreeMap<String, i64> {
        let db = self.store.connection();
        let (backend, list) = match self.backend() {
            Backend::Sqlite => (
                DbBackend::Sqlite,
                "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            ),
            Backend::Postgres => {
                (DbBackend::Postgres, "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'")
            }
        };
        let tables: Vec<String> = db
            .query_all_raw(Statement::from_string(backend, list))
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.try_get::<String>("", "t").unwrap())
            .filter(|t| t != "seaql_migrations")
            .collect();
        let mut counts = BTreeMap::new();
        for table in tables {
            let row = db
                .query_one_raw(Statement::from_string(backend, format!("SELECT COUNT(*) AS n FROM \"{table}\"")))
                .await
                .unwrap()
                .unwrap();
            counts.insert(table, row.try_get::<i64>("", "n").unwrap());
        }
        counts
    }

    /// Closes the pool and drops a PostgreSQL database.
    pub async fn finish(self) {
        let Self { store, router, db, .. } = self;
        drop((router, store));
        db.finish().await;
    }
}

/// Runs `async fn $name(app: TestApp)` as two tests, `$name::sqlite` and `$name::postgres`
/// (the latter passes without running when no PostgreSQL URL is set).
#[macro_export]
macro_rules! api_test {
    ($(#[$meta:meta])* async fn $name:ident($app:ident: TestApp) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run_test($app: &$crate::support::TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::support::TestApp::sqlite().await;
                run_test(&app).await;
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::support::TestApp::postgres().await {
                    run_test(&app).await;
                    app.finish().await;
                }
            }
        }
    };
}
