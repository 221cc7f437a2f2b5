//! A database outage as clients meet it: PostgreSQL behind a proxy the test cuts (every
//! connection closed, new ones refused) and restores, and a SQLite file whose write lock
//! another process holds. While it lasts every request that needs the database answers 503
//! problem+json with `Retry-After` (never 500) within the configured wait, `/readyz` too;
//! nothing half-done remains; afterwards everything works again without a restart. Any other
//! database failure stays a 500 that says nothing of its cause.

use crate::support::{Answer, TestApp};
use crate::world::World;
use axum::http::Method;
use ohjaus_store::Store;
use ohjaus_store::testing::proxy::DbProxy;
use ohjaus_store::testing::{Schema, TestBackend, TestDb, postgres_server, test_backends};
use sea_orm::ConnectionTrait as _;
use sea_orm::sqlx::{self, Connection as _};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The test's `database.wait_seconds`.
const WAIT: Duration = Duration::from_secs(1);

/// Generous bounds on how long a 503 may take: the wait, the pool's own retries, a busy CI.
const PROMPT: Duration = Duration::from_secs(10);

/// Asserts a 503 problem with a `Retry-After` of whole seconds.
#[track_caller]
fn unavailable(answer: &Answer, what: &str) {
    assert_eq!(answer.status.as_u16(), 503, "{what}: {}", answer.text);
    assert!(answer.content_type().starts_with("application/problem+json"), "{what}: {}", answer.content_type());
    let retry: u64 = answer
        .headers
        .get("retry-after")
        .unwrap_or_else(|| panic!("{what}: no Retry-After"))
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1, "{what}: Retry-After {retry}");
}

/// Requests that need the database: reads, writes, and the calendar feed.
fn requests(w: &World) -> Vec<(Method, String, Option<Value>)> {
    vec![
        (Method::GET, "/api/v1/organizations".into(), None),
        (Method::GET, format!("/api/v1/series/{}", w.series_x), None),
        (Method::GET, format!("/api/v1/series/{}/sessions", w.series_x), None),
        (Method::POST, "/api/v1/organizations".into(), Some(json!({"name": "Katkon aikana"}))),
        (
            Method::PATCH,
            format!("/api/v1/sessions/{}", w.sessions_x[3]),
            Some(json!({"starts_at_local": "2027-02-02T15:00"})),
        ),
        (Method::GET, format!("/calendar/{}.ics", w.feed_p1), None),
    ]
}

async fn send(app: &TestApp, token: &str, (method, path, body): &(Method, String, Option<Value>)) -> Answer {
    app.call(method.clone(), path, Some(token), body.as_ref()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_answers_503_and_recovers_by_itself() {
    let Some(server) = postgres_server() else { return };
    let db = TestDb::create(&TestBackend::Postgres(server), Schema::Migrated).await;
    let proxy = DbProxy::start(db.url()).await;
    let store = Store::connect_waiting(&proxy.url(db.url()), Some(4), WAIT).await.unwrap();
    let app = TestApp::over(db, store);
    let w = World::build(&app).await;
    let admin = w.admin();
    let before = app.counts().await;
    assert_eq!(app.call(Method::GET, "/readyz", None, None).await.status.as_u16(), 200);

    proxy.cut();
    for request in requests(&w) {
        let started = Instant::now();
        let answer = send(&app, admin, &request).await;
        unavailable(&answer, &format!("{} {}", request.0, request.1));
        assert!(started.elapsed() < PROMPT, "{} {} took {:?}", request.0, request.1, started.elapsed());
        assert_eq!(answer.json["type"], "urn:ohjaus:problem:unavailable");
    }
    // A token cannot even be checked: 503, not 401.
    unavailable(&app.get("/api/v1/organizations", "ohj_unknown").await, "an unchecked token");
    unavailable(&app.call(Method::GET, "/readyz", None, None).await, "/readyz");
    // The process itself is alive, and says so.
    assert_eq!(app.call(Method::GET, "/healthz", None, None).await.status.as_u16(), 200);

    proxy.restore().await;
    // The pool reconnects by itself: no restart. Connections cut with the proxy may fail one
    // request each on the way (as 503s), so wait until the server is ready again.
    let healed = Instant::now();
    while app.call(Method::GET, "/readyz", None, None).await.status.as_u16() != 200 {
        assert!(healed.elapsed() < PROMPT * 3, "the API did not recover");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.counts().await, before, "nothing of the outage's requests was written");
    for request in requests(&w) {
        let answer = send(&app, admin, &request).await;
        assert!(answer.status.is_success(), "{} {} after the outage: {}", request.0, request.1, answer.text);
    }
    drop(proxy);
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_sqlite_file_answers_503_to_writes_until_released() {
    let db = TestDb::create(&TestBackend::Sqlite, Schema::Migrated).await;
    let store = Store::connect_waiting(db.url(), None, WAIT).await.unwrap();
    let url = db.url().to_owned();
    let app = TestApp::over(db, store);
    let w = World::build(&app).await;
    let admin = w.admin();
    let before = app.counts().await;
    // The token's first use writes its `last_used_at` (then not again for minutes): done
    // before the lock, so that the reads below are reads only.
    app.get("/api/v1/organizations", admin).await.expect(200);

    // Another process (a backup tool, a second program) holds the file's write lock.
    let mut holder = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut holder).await.unwrap();
    let started = Instant::now();
    let refused = app.post("/api/v1/organizations", admin, &json!({"name": "Lukon aikana"})).await;
    unavailable(&refused, "a write while the file is locked");
    assert!(started.elapsed() < PROMPT, "the write took {:?}", started.elapsed());
    let moved = app
        .patch(&format!("/api/v1/sessions/{}", w.sessions_x[3]), admin, &json!({"starts_at_local": "2027-02-02T15:00"}))
        .await;
    unavailable(&moved, "a move while the file is locked");
    // Reading goes on beside the lock (WAL).
    app.get("/api/v1/organizations", admin).await.expect(200);
    assert_eq!(app.call(Method::GET, "/readyz", None, None).await.status.as_u16(), 200);

    sqlx::raw_sql("ROLLBACK").execute(&mut holder).await.unwrap();
    holder.close().await.unwrap();
    assert_eq!(app.counts().await, before, "nothing of the refused writes was written");
    app.post("/api/v1/organizations", admin, &json!({"name": "Lukon jälkeen"})).await.expect(201);
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_other_database_failure_is_500_and_keeps_its_cause() {
    for backend in test_backends() {
        let db = TestDb::create(&backend, Schema::Migrated).await;
        let store = db.store.clone();
        let app = TestApp::over(db, store);
        let w = World::build(&app).await;
        // A schema the program does not expect: a table gone missing.
        app.store.connection().execute_unprepared("ALTER TABLE closures RENAME TO closures_gone").await.unwrap();
        let answer = app.get(&format!("/api/v1/organizations/{}/closures", w.org_a), w.admin()).await;
        answer.problem(500);
        assert!(answer.headers.get("retry-after").is_none(), "{}", backend.name());
        assert!(!answer.text.contains("closures"), "the cause is logged, not returned: {}", answer.text);
        app.store.connection().execute_unprepared("ALTER TABLE closures_gone RENAME TO closures").await.unwrap();
        app.finish().await;
    }
}
