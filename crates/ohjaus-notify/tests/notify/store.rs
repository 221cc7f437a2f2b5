//! A fresh SQLite store per test, a hand-moved clock, and ways to look at the outbox.

use chrono::{DateTime, TimeDelta, Utc};
use ohjaus_core::Notice;
use ohjaus_store::entity::outbox;
use ohjaus_store::{Clock, Store};
use sea_orm::{EntityTrait, QueryOrder};
use std::sync::{Arc, Mutex};

/// A migrated SQLite database in its own folder (kept alive by the returned guard).
pub async fn fresh() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("ohjaus.db").display());
    let store = Store::connect(&url).await.expect("connects");
    store.migrate().await.expect("migrates");
    (store, dir)
}

/// A clock the test moves.
#[derive(Clone)]
pub struct HandClock(Arc<Mutex<DateTime<Utc>>>);

impl HandClock {
    pub fn at(start: DateTime<Utc>) -> Self {
        Self(Arc::new(Mutex::new(start)))
    }

    pub fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("the clock")
    }

    pub fn advance(&self, by: TimeDelta) {
        *self.0.lock().expect("the clock") += by;
    }

    pub fn clock(&self) -> Clock {
        let inner = self.0.clone();
        Clock::from_fn(move || *inner.lock().expect("the clock"))
    }
}

/// Every outbox row, oldest first.
pub async fn rows(store: &Store) -> Vec<outbox::Model> {
    outbox::Entity::find().order_by_asc(outbox::Column::Id).all(store.connection()).await.expect("reads the outbox")
}

/// Queues `notices` with keys `test:{n}`.
pub async fn enqueue(store: &Store, notices: &[Notice], now: DateTime<Utc>) {
    for (n, notice) in notices.iter().enumerate() {
        assert!(store.enqueue_notice(notice, &format!("test:{n}"), now).await.expect("queues"));
    }
}

/// A fresh, migrated PostgreSQL database on the server in `OHJAUS_TEST_POSTGRES_URL`, dropped
/// by [`PgDb::finish`]; `None` (after saying so) when no server is configured, unless
/// `OHJAUS_POSTGRES_REQUIRED=1`, where that is a failure.
pub struct PgDb {
    pub store: Store,
    server: String,
    name: String,
}

pub async fn postgres(test: &str) -> Option<PgDb> {
    use sea_orm::{ConnectionTrait, Database};
    let Some(server) = std::env::var("OHJAUS_TEST_POSTGRES_URL").ok().filter(|u| !u.trim().is_empty()) else {
        let required = std::env::var("OHJAUS_POSTGRES_REQUIRED").is_ok_and(|v| v == "1");
        assert!(!required, "{test}: OHJAUS_TEST_POSTGRES_URL is not set but OHJAUS_POSTGRES_REQUIRED=1");
        eprintln!("{test}: PostgreSQL part skipped — set OHJAUS_TEST_POSTGRES_URL");
        return None;
    };
    let name = format!("ohjaus_notify_t_{}_{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let admin = Database::connect(&server).await.expect("PostgreSQL is reachable");
    admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("creates a database");
    admin.close().await.expect("closes");
    let store = Store::connect(&database_url(&server, &name)).await.expect("connects");
    store.migrate().await.expect("migrates");
    Some(PgDb { store, server, name })
}

impl PgDb {
    /// Closes the pool and drops the database.
    pub async fn finish(self) {
        use sea_orm::{ConnectionTrait, Database};
        self.store.close().await.expect("closes");
        let admin = Database::connect(&self.server).await.expect("PostgreSQL is reachable");
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name))
            .await
            .expect("drops the database");
        admin.close().await.expect("closes");
    }
}

/// `server` with its database replaced by `name`.
fn database_url(server: &str, name: &str) -> String {
    let (base, query) = server.split_once('?').map_or((server, None), |(b, q)| (b, Some(q)));
    let authority = base.find("://").map_or(0, |i| i + 3);
    let base = base[authority..].find('/').map_or(base, |slash| &base[..authority + slash]);
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}
