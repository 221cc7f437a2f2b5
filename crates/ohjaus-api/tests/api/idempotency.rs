//! `Idempotency-Key`: twenty concurrent bookings with one key book one series and all get
//! the same answer (201, or 409 while the first is still running); the same request an hour
//! later answers the same body again; another body with the key answers 422; a key is its
//! caller's alone; the header is documented on every POST.

use crate::api_test;
use crate::support::{BODY_LIMIT, TestApp, now};
use crate::world::{World, series_body};
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request};
use chrono::TimeDelta;
use ohjaus_api::metrics::Metrics;
use ohjaus_api::{ApiConfig, AppState};
use ohjaus_store::testing::HandClock;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

/// Status, the replay header and the body of a POST with `key`.
async fn post(router: &Router, path: &str, token: &str, key: &str, body: &Value) -> (u16, bool, String) {
    let request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .header("idempotency-key", key)
        .body(Body::from(serde_json::to_vec(body).unwrap()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let replayed = response.headers().get("idempotency-replayed").is_some();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, replayed, String::from_utf8_lossy(&bytes).into_owned())
}

async fn series_of_a(app: &TestApp, w: &World) -> usize {
    let answer = app.get(&format!("/api/v1/series?organization_id={}&limit=200", w.org_a), w.admin()).await;
    answer.expect(200)["items"].as_array().unwrap().len()
}

api_test! {
    async fn one_key_books_once(app: TestApp) {
        let w = World::build(app).await;
        let clock = HandClock::at(now());
        let router = ohjaus_api::router(AppState {
            store: app.store.clone(),
            metrics: Metrics::default(),
            clock: clock.clock(),
            config: Arc::new(ApiConfig {
                public_url: "http://ohjaus.test/".parse().unwrap(),
                request_timeout: std::time::Duration::from_secs(30),
                body_limit_bytes: BODY_LIMIT,
            }),
            feeds: ohjaus_api::feed_cache::FeedCache::default(),
        });
        let coordinator = w.token("coordinator").unwrap().to_owned();
        let body = series_body(&w, "2027-04-06T10:00", 3);
        let before = series_of_a(app, &w).await;

        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let (router, token, body) = (router.clone(), coordinator.clone(), body.clone());
            tasks.spawn(async move { post(&router, "/api/v1/series", &token, "booking-1", &body).await });
        }
        let answers: Vec<(u16, bool, String)> = tasks.join_all().await;
        assert_eq!(series_of_a(app, &w).await, before + 1, "one series, never two");
        let created: Vec<&(u16, bool, String)> = answers.iter().filter(|a| a.0 == 201).collect();
        assert!(!created.is_empty(), "{answers:?}");
        assert!(answers.iter().all(|a| a.0 == 201 || a.0 == 409), "{answers:?}");
        assert!(created.iter().all(|a| a.2 == created[0].2), "every 201 is the same answer");
        for busy in answers.iter().filter(|a| a.0 == 409) {
            assert!(busy.2.contains("idempotency-in-progress"), "{}", busy.2);
        }
        let first = created[0].2.clone();

        // The same request later (an hour on): the same answer, replayed, nothing booked.
        clock.advance(TimeDelta::hours(1));
        let again = post(&router, "/api/v1/series", &coordinator, "booking-1", &body).await;
        assert_eq!((again.0, again.1), (201, true));
        assert_eq!(again.2, first);
        assert_eq!(series_of_a(app, &w).await, before + 1);

        // Another body with the key: 422, nothing booked.
        let other = series_body(&w, "2027-05-04T10:00", 3);
        let refused = post(&router, "/api/v1/series", &coordinator, "booking-1", &other).await;
        assert_eq!(refused.0, 422, "{}", refused.2);
        assert!(refused.2.contains("Idempotency-Key"));
        assert_eq!(series_of_a(app, &w).await, before + 1);

        // A key is its caller's: the admin's "booking-1" is another key.
        let admin = post(&router, "/api/v1/series", w.admin(), "booking-1", &other).await;
        assert_eq!((admin.0, admin.1), (201, false), "{}", admin.2);

        // A refusal is an answer too, replayed as it was; a bad key is refused.
        let conflict = post(&router, "/api/v1/series", &coordinator, "booking-2", &other).await;
        assert_eq!(conflict.0, 409, "the admin booked that slot: {}", conflict.2);
        assert_eq!(post(&router, "/api/v1/series", &coordinator, "booking-2", &other).await.2, conflict.2);
        let bad = post(&router, "/api/v1/series", &coordinator, "ei välilyöntejä", &other).await;
        assert_eq!(bad.0, 422);

        // After 24 hours the key is free again.
        clock.advance(TimeDelta::hours(24));
        let later = series_body(&w, "2027-06-15T10:00", 3);
        let fresh = post(&router, "/api/v1/series", &coordinator, "booking-1", &later).await;
        assert_eq!((fresh.0, fresh.1), (201, false), "{}", fresh.2);
    }
}

api_test! {
    async fn the_header_is_documented_on_every_post(app: TestApp) {
        for (path, item) in app.openapi["paths"].as_object().unwrap() {
            let Some(post) = item.get("post") else { continue };
            if post["responses"].get("401").is_none() {
                continue;
            }
            let parameters = post["parameters"].as_array().cloned().unwrap_or_default();
            assert!(
                parameters.iter().any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header"),
                "POST {path} does not document Idempotency-Key"
            );
            assert!(post["responses"].get("409").is_some() && post["responses"].get("422").is_some(), "{path}");
        }
    }
}

api_test! {
    async fn a_poll_posted_twice_with_one_key_is_one_poll_and_one_set_of_invitations(app: TestApp) {
        let w = World::build(app).await;
        let coordinator = w.token("coordinator").unwrap().to_owned();
        let path = format!("/api/v1/organizations/{}/polls", w.org_a);
        let body = serde_json::to_vec(&crate::world::poll_json(&w)).unwrap();
        let headers = [
            ("authorization", format!("Bearer {coordinator}")),
            ("content-type", "application/json".to_owned()),
            ("idempotency-key", "kysely-1".to_owned()),
        ];
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let before = app.counts().await;
        let first = app.raw(Method::POST, &path, &headers, body.clone()).await;
        let again = app.raw(Method::POST, &path, &headers, body).await;
        assert_eq!((first.status.as_u16(), again.status.as_u16()), (201, 201), "{}", again.text);
        assert!(again.headers.get("idempotency-replayed").is_some());
        assert_eq!(first.json["id"], again.json["id"]);
        let after = app.counts().await;
        assert_eq!(after["polls"], before["polls"] + 1);
        assert_eq!(after["outbox"], before["outbox"] + 1, "team A's one member is invited once");
    }
}
