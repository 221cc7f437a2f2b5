//! A fresh SQLite store per test, a hand-moved clock, and ways to look at the outbox.

use chrono::{DateTime, TimeDelta, Utc};
use ohjaus_core::Notice;
use ohjaus_notify::Clock;
use ohjaus_store::Store;
use ohjaus_store::entity::outbox;
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
        Arc::new(move || *inner.lock().expect("the clock"))
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
