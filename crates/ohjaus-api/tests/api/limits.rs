//! Rate limits per API token and per calendar-feed link: over its allowance a secret gets 429
//! problem+json with `Retry-After`; another secret is not affected, and made-up tokens are
//! not counted (they are 401 however many).

use crate::api_test;
use crate::support::{Answer, TestApp, now};
use crate::world::World;
use ohjaus_api::limits::ApiLimits;
use ohjaus_store::Caller;
use ohjaus_store::testing::{Schema, TestDb, test_backends};

/// Asserts a 429 problem whose `Retry-After` is whole seconds, no more than a minute.
#[track_caller]
fn limited(answer: &Answer) {
    answer.problem(429);
    assert_eq!(answer.json["type"], "urn:ohjaus:problem:rate-limited");
    let retry: u64 = answer.headers.get("retry-after").expect("Retry-After").to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_over_its_allowance_waits_and_others_do_not() {
    for backend in test_backends() {
        let db = TestDb::create(&backend, Schema::Migrated).await;
        let store = db.store.clone();
        // Three requests a minute per token, two per feed link: refilled one per 20 and 30 s,
        // longer than the test takes.
        let app = TestApp::over(db, store).with_limits(ApiLimits::per_minute(3, 2));
        let w = World::build(&app).await;
        let admin = w.admin();
        for _ in 0..3 {
            app.get("/api/v1/organizations", admin).await.expect(200);
        }
        limited(&app.get("/api/v1/organizations", admin).await);
        limited(&app.get(&format!("/api/v1/series/{}", w.series_x), admin).await);
        // Another token of the same admin role is its own count.
        let coordinator = w.token("coordinator").unwrap();
        for _ in 0..3 {
            app.get(&format!("/api/v1/organizations/{}", w.org_a), coordinator).await.expect(200);
        }
        limited(&app.get(&format!("/api/v1/organizations/{}", w.org_a), coordinator).await);
        // Made-up tokens are refused as such, never counted into a limit.
        for _ in 0..5 {
            app.get("/api/v1/organizations", "ohj_madeup").await.problem(401);
        }

        let feed = format!("/calendar/{}.ics", w.feed_p1);
        for _ in 0..2 {
            app.call(axum::http::Method::GET, &feed, None, None).await.expect(200);
        }
        limited(&app.call(axum::http::Method::GET, &feed, None, None).await);
        let other = app.store.create_calendar_token(&Caller::Participant { person_id: w.q1 }, now()).await.unwrap();
        let other = format!("/calendar/{}.ics", other.secret.expose());
        app.call(axum::http::Method::GET, &other, None, None).await.expect(200);
        app.finish().await;
    }
}

api_test! {
    async fn no_limits_without_the_layer(app: TestApp) {
        let w = World::build(app).await;
        for _ in 0..30 {
            app.get("/api/v1/organizations", w.admin()).await.expect(200);
        }
    }
}
