//! The pages while PostgreSQL is away (behind a proxy the test cuts and restores): every page
//! that needs the database answers a plain 503 page in the reader's language with
//! `Retry-After`, never a 500; when the database returns the pages work again by themselves.

use crate::{Browser, World, csrf_of};
use axum::http::StatusCode;
use ohjaus_store::Store;
use ohjaus_store::testing::proxy::DbProxy;
use ohjaus_store::testing::{Schema, TestBackend, TestDb, postgres_server};
use std::time::{Duration, Instant};

/// The pages' wait for the database in this test.
const WAIT: Duration = Duration::from_secs(1);

#[track_caller]
fn unavailable(answer: &crate::Answer, what: &str) {
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE, "{what}: {}", answer.text);
    assert!(answer.content_type.starts_with("text/html"), "{what}: {}", answer.content_type);
    assert!(answer.text.contains("Palvelu ei ole juuri nyt käytettävissä"), "{what}: {}", answer.text);
    let retry: u64 = answer.retry_after.as_deref().unwrap_or_else(|| panic!("{what}: no Retry-After")).parse().unwrap();
    assert!(retry >= 1, "{what}");
}

#[tokio::test]
async fn pages_answer_503_while_postgres_is_away_and_recover() {
    let Some(server) = postgres_server() else { return };
    let db = TestDb::create(&TestBackend::Postgres(server), Schema::Migrated).await;
    let proxy = DbProxy::start(db.url()).await;
    let store = Store::connect_waiting(&proxy.url(db.url()), Some(4), WAIT).await.unwrap();
    let world = World::over(db, store).await;
    let mut coordinator = Browser::default();
    coordinator.sign_in(&world, world.coordinator_email).await;
    let series = format!("/coordinator/series/{}", world.series_a);
    assert_eq!(coordinator.get(&world.app, &series).await.status, StatusCode::OK);
    let mut visitor = Browser::default();
    let csrf = csrf_of(&visitor.get(&world.app, "/sign-in").await.text);

    proxy.cut();
    unavailable(&coordinator.get(&world.app, "/coordinator").await, "the coordinator's home");
    unavailable(&coordinator.get(&world.app, &series).await, "a series");
    let asked = visitor.post(&world.app, "/sign-in", &[("csrf", &csrf), ("email", world.participant_email)]).await;
    unavailable(&asked, "asking for a sign-in link");
    // A page that needs nothing of the database still shows.
    assert_eq!(visitor.get(&world.app, "/sign-in").await.status, StatusCode::OK);

    proxy.restore().await;
    let healed = Instant::now();
    while coordinator.get(&world.app, "/coordinator").await.status != StatusCode::OK {
        assert!(healed.elapsed() < Duration::from_secs(30), "the pages did not recover");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(coordinator.get(&world.app, &series).await.status, StatusCode::OK);
    let asked = visitor.post(&world.app, "/sign-in", &[("csrf", &csrf), ("email", world.participant_email)]).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert_eq!(world.sent_links().await.len(), 1, "the link asked for after the outage");
    drop(proxy);
    world.close().await;
}
