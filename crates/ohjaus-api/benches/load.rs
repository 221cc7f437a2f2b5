//! HTTP load figures for BENCHMARKS.md: `GET /api/v1/supervisors/{id}/upcoming?days=30` on a
//! database of 200,000 sessions, beside `GET /healthz` in the same run as the ceiling of the
//! stack (TCP, HTTP, routing, layers, metrics), on SQLite and — with
//! `OHJAUS_TEST_POSTGRES_URL` — on PostgreSQL.
//!
//! The server runs on its own two-thread runtime; the load generator (a small Rust client
//! with keep-alive connections, `LOAD_CONNECTIONS` (default 16) at a time, every request timed) on another. Both
//! share the machine's two cores, as a real deployment would share them with its proxy.
//!
//! `cargo bench -p ohjaus-api --bench load` (add `-- --quick` for a shorter run).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::TimeDelta;
use ohjaus_api::{ApiConfig, AppState, Clock};
use ohjaus_store::{Caller, Store};
use sea_orm::{ConnectionTrait, Database};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn connections() -> usize {
    std::env::var("LOAD_CONNECTIONS").ok().and_then(|c| c.parse().ok()).unwrap_or(16)
}

struct Figures {
    rate: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: usize,
}

/// Requests `urls` round-robin from `connections()` clients for `seconds`.
fn load(urls: Vec<String>, token: Option<String>, seconds: f64) -> Figures {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async move {
        let client = reqwest::Client::builder().pool_max_idle_per_host(connections()).build().unwrap();
        let urls = Arc::new(urls);
        let deadline = Instant::now() + Duration::from_secs_f64(seconds);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for c in 0..connections() {
            let (client, urls, token) = (client.clone(), urls.clone(), token.clone());
            tasks.push(tokio::spawn(async move {
                let mut timings = Vec::new();
                let mut errors = 0;
                let mut i = c;
                while Instant::now() < deadline {
                    let mut request = client.get(&urls[i % urls.len()]);
                    if let Some(token) = &token {
                        request = request.bearer_auth(token);
                    }
                    let t = Instant::now();
                    match request.send().await {
                        Ok(response) if response.status().is_success() => {
                            let _ = response.bytes().await;
                            timings.push(t.elapsed().as_secs_f64() * 1000.0);
                        }
                        _ => errors += 1,
                    }
                    i += connections();
                }
                (timings, errors)
            }));
        }
        let mut timings = Vec::new();
        let mut errors = 0;
        for task in tasks {
            let (t, e) = task.await.unwrap();
            timings.extend(t);
            errors += e;
        }
        let elapsed = started.elapsed().as_secs_f64();
        timings.sort_by(f64::total_cmp);
        let at = |q: f64| timings[((timings.len() as f64 * q) as usize).min(timings.len() - 1)];
        Figures { rate: timings.len() as f64 / elapsed, p50_ms: at(0.5), p99_ms: at(0.99), errors }
    })
}

async fn store_for(label: &str) -> (Store, Option<(String, String)>, Option<tempfile::TempDir>) {
    if label == "SQLite" {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("load.db").display());
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        (store, None, Some(dir))
    } else {
        let server = std::env::var("OHJAUS_TEST_POSTGRES_URL").unwrap();
        let name = format!("ohjaus_load_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(&server).await.unwrap();
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
        admin.close().await.unwrap();
        let mut url = url::Url::parse(&server).unwrap();
        url.set_path(&format!("/{name}"));
        let store = Store::connect_with(url.as_str(), Some(16)).await.unwrap();
        store.migrate().await.unwrap();
        (store, Some((server, name)), None)
    }
}

fn run(label: &'static str, sessions: usize, seconds: f64) {
    let server_runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (store, drop, _dir, agendas, base, stop) = server_runtime.block_on(async {
        let (store, drop, dir) = store_for(label).await;
        let agendas = ohjaus_store::bench_data::fill_agendas(&store, sessions).await.unwrap();
        // "Now" is a Monday in the middle of the data, so every supervisor has a month ahead.
        let now = agendas.start + TimeDelta::weeks(20);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let state = AppState {
            store: store.clone(),
            metrics: ohjaus_api::metrics::Metrics::default(),
            clock: Clock::fixed(now),
            config: Arc::new(ApiConfig {
                public_url: url::Url::parse(&format!("http://{address}")).unwrap(),
                request_timeout: Duration::from_secs(30),
                body_limit_bytes: 262_144,
            }),
        };
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(ohjaus_api::serve(listener, state, async move {
            let _ = stopped.wait_for(|s| *s).await;
        }));
        (store, drop, dir, agendas, format!("http://{address}"), stop)
    });
    let admin = server_runtime.block_on(async {
        let made = store.create_api_token(&Caller::Admin, Caller::Admin, None, chrono::Utc::now()).await.unwrap();
        made.secret.expose().to_owned()
    });
    // Where the time goes: the store's two calls of a request, timed without HTTP.
    let (auth_ms, upcoming_ms) = server_runtime.block_on(async {
        let now = agendas.start + TimeDelta::weeks(20);
        let (mut auth, mut upcoming) = (Vec::new(), Vec::new());
        for (i, id) in agendas.supervisors.iter().take(50).cycle().take(500).enumerate() {
            let t = Instant::now();
            let caller = store.authenticate(&admin, now).await.unwrap().unwrap();
            auth.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            let list = store.upcoming_for_supervisor(&caller, *id, now, now + TimeDelta::days(30)).await.unwrap();
            upcoming.push(t.elapsed().as_secs_f64() * 1000.0);
            assert!(i > 0 || !list.is_empty(), "the window holds sessions");
        }
        auth.sort_by(f64::total_cmp);
        upcoming.sort_by(f64::total_cmp);
        (auth[auth.len() / 2], upcoming[upcoming.len() / 2])
    });
    println!(
        "| {label} | (store only) authenticate p50 {auth_ms:.2} ms, upcoming_for_supervisor p50 {upcoming_ms:.2} ms | | | | |"
    );
    let health = load(vec![format!("{base}/healthz")], None, seconds);
    // The admin token reads every supervisor's agenda: the same query as each supervisor's own.
    let upcoming_urls: Vec<String> = agendas
        .supervisors
        .iter()
        .take(50)
        .map(|id| format!("{base}/api/v1/supervisors/{id}/upcoming?days=30"))
        .collect();
    let upcoming = load(upcoming_urls, Some(admin), seconds);
    println!(
        "| {label} | /healthz | {:.0} req/s | {:.2} ms | {:.2} ms | {} |",
        health.rate, health.p50_ms, health.p99_ms, health.errors
    );
    println!(
        "| {label} | /api/v1/supervisors/{{id}}/upcoming?days=30 ({sessions} sessions in the database) | {:.0} req/s ({:.0} % of /healthz) | {:.2} ms | {:.2} ms | {} |",
        upcoming.rate,
        100.0 * upcoming.rate / health.rate,
        upcoming.p50_ms,
        upcoming.p99_ms,
        upcoming.errors
    );
    let _ = stop.send(true);
    server_runtime.block_on(async {
        store.close().await.unwrap();
        if let Some((server, name)) = drop {
            let admin = Database::connect(&server).await.unwrap();
            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.unwrap();
            admin.close().await.unwrap();
        }
    });
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (sessions, seconds) = if quick { (40_000, 3.0) } else { (200_000, 10.0) };
    println!("| backend | route | throughput | p50 | p99 | errors |\n|---|---|---|---|---|---|");
    run("SQLite", sessions, seconds);
    if std::env::var("OHJAUS_TEST_POSTGRES_URL").is_ok() {
        run("PostgreSQL", sessions, seconds);
    }
}
