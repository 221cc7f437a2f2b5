//! Webhook deliveries per second to a local receiver, beside that receiver's ceiling measured
//! with a plain HTTP client in the same run.
//!
//! `cargo bench -p ohjaus-notify --bench webhooks [-- DELIVERIES] [--rounds N]` (default
//! 5,000 deliveries, 3 rounds; PostgreSQL too when `OHJAUS_TEST_POSTGRES_URL` is set).
//!
//! The **receiver** is a trivial axum server in this process: it reads the body and answers
//! 204, counting requests, so it shows how fast an HTTP POST can go on this machine at all.
//! The **ceiling** is a plain reqwest client posting the same body with the same concurrency
//! as the worker (its batch), no database, no signature. The **worker's** figure includes
//! everything it does per delivery: claim from the store under a lease (opening the sealed
//! secret), sign (HMAC-SHA256), POST through the outgoing client (address policy, no
//! redirects, answer read up to 64 kB), record the result in one transaction per batch.
//! Queuing the events is not timed.

use axum::Router;
use axum::routing::post;
use chrono::{DateTime, Utc};
use ohjaus_notify::{WebhookConfig, WebhookSender};
use ohjaus_store::testing::TestDb;
use ohjaus_store::write::organizations::NewOrganization;
use ohjaus_store::write::webhooks::NewWebhookEndpoint;
use ohjaus_store::{Caller, Clock, Store};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tokio::task::JoinSet;

fn now() -> DateTime<Utc> {
    "2027-01-04T06:00:00Z".parse().expect("an instant")
}

/// Starts the receiver; answers its port and its count.
async fn receiver() -> (u16, Arc<AtomicU64>) {
    let count = Arc::new(AtomicU64::new(0));
    let seen = count.clone();
    let app = Router::new().route(
        "/hook",
        post(move |body: axum::body::Bytes| {
            let seen = seen.clone();
            async move {
                std::hint::black_box(body.len());
                seen.fetch_add(1, Ordering::Relaxed);
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let port = listener.local_addr().expect("an address").port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (port, count)
}

/// POSTs per second of a plain client: `total` posts, `concurrency` at a time.
async fn ceiling(port: u16, total: usize, concurrency: usize, body: &str) -> f64 {
    let client = reqwest::Client::builder().no_proxy().build().expect("a client");
    let url = format!("http://127.0.0.1:{port}/hook");
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for worker in 0..concurrency {
        let (client, url, body) = (client.clone(), url.clone(), body.to_owned());
        let share = total / concurrency + usize::from(worker < total % concurrency);
        tasks.spawn(async move {
            for _ in 0..share {
                let answer = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .expect("an answer");
                assert!(answer.status().is_success());
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    total as f64 / started.elapsed().as_secs_f64()
}

/// A store with one endpoint at the receiver and `total` test events queued to it.
async fn queued(store: &Store, port: u16, total: usize) {
    let organization = store
        .create_organization(
            &Caller::Admin,
            &NewOrganization { name: "Bench".into(), timezone: None, locale: None },
            now(),
        )
        .await
        .expect("an organization")
        .id;
    let hook = NewWebhookEndpoint { url: format!("http://127.0.0.1:{port}/hook"), ..Default::default() };
    let made =
        store.create_webhook_endpoint(&Caller::Admin, Some(organization), &hook, now()).await.expect("an endpoint");
    for _ in 0..total {
        store.send_test_webhook(&Caller::Admin, made.endpoint.id, now()).await.expect("an event");
    }
}

/// Deliveries per second of one worker draining `total` deliveries.
async fn deliver(store: &Store, total: usize, batch: u32) -> f64 {
    let config = WebhookConfig { allow_private_addresses: true, batch, ..WebhookConfig::default() };
    let sender = WebhookSender::new(store.clone(), config, "bench", Clock::fixed(now())).expect("a sender");
    let started = Instant::now();
    let mut delivered = 0;
    loop {
        let pass = sender.pass().await.expect("a pass");
        if pass.claimed == 0 {
            break;
        }
        delivered += pass.delivered;
    }
    assert_eq!(delivered, total);
    total as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let total: usize = args.iter().find(|a| !a.starts_with("--")).and_then(|a| a.parse().ok()).unwrap_or(5000);
    let rounds: usize = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let batch = 100;
    let (port, count) = receiver().await;
    let body = format!(
        r#"{{"type":"series.booked","timestamp":"2027-01-04T06:00:00.000Z","data":{{"series_id":"{}","sessions":[{}]}}}}"#,
        uuid::Uuid::nil(),
        (0..6)
            .map(|i| format!(r#"{{"index":{i},"starts_at":"2027-01-12T11:00:00Z","status":"scheduled"}}"#))
            .collect::<Vec<_>>()
            .join(",")
    );
    println!("webhooks: {total} deliveries, batch {batch}, {rounds} rounds");
    let mut backends = vec![("sqlite", None::<()>)];
    if std::env::var("OHJAUS_TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()) {
        backends.push(("postgres", None));
    }
    for round in 1..=rounds {
        let plain = ceiling(port, total, batch as usize, &body).await;
        println!("round {round}: receiver ceiling (plain client, {batch} at a time): {plain:.0}/s");
        for (name, _) in &backends {
            let db =
                if *name == "sqlite" { TestDb::sqlite().await } else { TestDb::postgres().await.expect("postgres") };
            let store = db.store.clone().with_private_webhook_addresses(true);
            queued(&store, port, total).await;
            let before = count.load(Ordering::Relaxed);
            let rate = deliver(&store, total, batch).await;
            assert_eq!(count.load(Ordering::Relaxed) - before, total as u64);
            println!(
                "round {round}: worker on {name}: {rate:.0} deliveries/s ({:.0}% of the ceiling)",
                100.0 * rate / plain
            );
            db.finish().await;
        }
    }
}
