//! A fresh SQLite store per test and a folder beside it, a hand-moved clock, a fresh
//! PostgreSQL store (all from `ohjaus_store::testing`), and ways to look at the outbox.

use chrono::{DateTime, Utc};
use ohjaus_core::Notice;
use ohjaus_store::Store;
use ohjaus_store::entity::outbox;
use ohjaus_store::testing::TestDb;
use sea_orm::{EntityTrait, QueryOrder};
use std::path::Path;

pub use ohjaus_store::testing::HandClock;

/// What keeps a test's SQLite database alive, and a folder of its own (for mail).
pub struct Scratch {
    _db: TestDb,
    folder: tempfile::TempDir,
}

impl Scratch {
    /// The test's folder.
    pub fn path(&self) -> &Path {
        self.folder.path()
    }
}

/// A migrated SQLite database and a folder (kept alive by the returned guard).
pub async fn fresh() -> (Store, Scratch) {
    let db = TestDb::sqlite().await;
    (db.store.clone(), Scratch { _db: db, folder: tempfile::tempdir().expect("a temporary folder") })
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

/// A fresh, migrated PostgreSQL store, dropped by `finish`; `None` when no server is
/// configured (a failure instead with `OHJAUS_POSTGRES_REQUIRED=1`).
pub async fn postgres(test: &str) -> Option<TestDb> {
    let db = TestDb::postgres().await;
    if db.is_none() {
        eprintln!("{test}: PostgreSQL part skipped — set OHJAUS_TEST_POSTGRES_URL");
    }
    db
}
