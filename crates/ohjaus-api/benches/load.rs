//! HTTP load figures for BENCHMARKS.md: `GET /api/v1/supervisors/{id}/upcoming?days=30` on a
//! database of 200,000 sessions, beside `GET /healthz` in the same run as the ceiling of the
//! stack (TCP, HTTP, routing, layers, metrics), on SQLite and — with
//! `OHJAUS_TEST_POSTGRES_URL` — on PostgreSQL.
//!
//! The server runs in this process on a runtime of its own (`LOAD_SERVER_THREADS`, default 2:
//! the machine's cores). The load comes from a small HTTP/1.1 client written here — requests
//! written straight to keep-alive sockets, answers read by their length, every request timed —
//! on a one-thread runtime of its own, `LOAD_CONNECTIONS` (default 8) connections at a time.
//! With `LOAD_WRK=1` the same routes are also driven by `wrk` (a separate process, one thread,
//! as many connections), so the figures do not hang on our client. Server and client share
//! the machine's cores, as a deployment shares them with its proxy.
//!
//! One database is filled per backend; then, for each pool size of `LOAD_POOLS` (default
//! `2,10`: the cores, and the shipped `database.max_connections`), a server is started on it
//! and measured. Each row also gives the CPU time spent per request, by part: the client, the
//! server's runtime threads, SQLite's connection threads and PostgreSQL's server processes
//! (read from `/proc`, in 10 ms ticks; `wrk`'s from the children's times).
//!
//! `LOAD_GZIP=1` asks for gzip answers (`Accept-Encoding: gzip`), to see what compression costs.
//!
//! `cargo bench -p ohjaus-api --bench load` (add `-- --quick` for 40,000 sessions and 3 s
//! measures instead of 200,000 and 10 s).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::TimeDelta;
use ohjaus_api::{ApiConfig, AppState, Clock};
use ohjaus_store::{Caller, Store};
use sea_orm::{ConnectionTrait, Database};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod client;
use client::{bearer, connections, env_or, fetch, gzip, load, load_average, load_wrk, pools, request, row};

async fn store_for(label: &str) -> (String, Option<(String, String)>, Option<tempfile::TempDir>) {
    if label == "SQLite" {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("load.db").display());
        (url, None, Some(dir))
    } else {
        let server = std::env::var("OHJAUS_TEST_POSTGRES_URL").unwrap();
        let name = format!("ohjaus_load_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(&server).await.unwrap();
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
        admin.close().await.unwrap();
        let mut url = url::Url::parse(&server).unwrap();
        url.set_path(&format!("/{name}"));
        (url.to_string(), Some((server, name)), None)
    }
}

fn run(label: &'static str, sessions: usize, seconds: f64) {
    let threads = env_or("LOAD_SERVER_THREADS", 2);
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name("load-server")
        .enable_all()
        .build()
        .unwrap();
    let (url, drop, _dir) = server_runtime.block_on(store_for(label));
    let (agendas, admin) = server_runtime.block_on(async {
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let agendas = ohjaus_store::bench_data::fill_agendas(&store, sessions).await.unwrap();
        if label == "PostgreSQL" {
            // What autovacuum does after a bulk load (the visibility map lets the invitees'
            // primary key answer without the table), done now rather than at its own time.
            store.connection().execute_unprepared("VACUUM ANALYZE").await.unwrap();
        }
        let made = store.create_api_token(&Caller::Admin, Caller::Admin, None, chrono::Utc::now()).await.unwrap();
        store.close().await.unwrap();
        (agendas, made.secret.expose().to_owned())
    });
    // "Now" is a Monday in the middle of the data, so every supervisor has a month ahead.
    let now = agendas.start + TimeDelta::weeks(20);
    // The admin token reads every supervisor's agenda: the same query as each supervisor's own.
    let upcoming: Vec<String> =
        agendas.supervisors.iter().take(50).map(|id| format!("/api/v1/supervisors/{id}/upcoming?days=30")).collect();
    let health = vec!["/healthz".to_owned()];
    println!("| {label} | | | load average before: {} | | | | | |", load_average());
    for pool in pools() {
        let (store, address, stop) = server_runtime.block_on(async {
            let store = Store::connect_with(&url, Some(pool)).await.unwrap();
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
                    calendar_organizer: ohjaus_core::notice::Party {
                        name: "Ohjaus".into(),
                        email: "noreply@ohjaus.invalid".into(),
                    },
                }),
                feeds: ohjaus_api::feed_cache::FeedCache::default(),
            };
            let (stop, mut stopped) = tokio::sync::watch::channel(false);
            tokio::spawn(ohjaus_api::serve(listener, state, async move {
                let _ = stopped.wait_for(|s| *s).await;
            }));
            (store, address, stop)
        });
        // Where the time goes: the store's calls of a request and the answer's JSON, timed
        // one at a time without HTTP.
        let (auth_ms, upcoming_ms, json_ms, items) = server_runtime.block_on(async {
            let (mut auth, mut reads, mut json) = (Vec::new(), Vec::new(), Vec::new());
            let mut items = 0;
            for id in agendas.supervisors.iter().take(50).cycle().take(1000) {
                let t = Instant::now();
                let caller = store.authenticate(&admin, now).await.unwrap().unwrap();
                auth.push(t.elapsed().as_secs_f64() * 1000.0);
                let t = Instant::now();
                let list = store.upcoming_for_supervisor(&caller, *id, now, now + TimeDelta::days(30)).await.unwrap();
                reads.push(t.elapsed().as_secs_f64() * 1000.0);
                let t = Instant::now();
                let bytes = serde_json::to_vec(&list).unwrap();
                json.push(t.elapsed().as_secs_f64() * 1000.0);
                assert!(!bytes.is_empty());
                items = list.len();
            }
            for v in [&mut auth, &mut reads, &mut json] {
                v.sort_by(f64::total_cmp);
            }
            (auth[auth.len() / 2], reads[reads.len() / 2], json[json.len() / 2], items)
        });
        // The answer is what the route should give: a page of the supervisor's sessions.
        let (status, body) = server_runtime.block_on(fetch(address, &request(&upcoming[0], &bearer(Some(&admin)))));
        assert_eq!(status, 200);
        if !gzip() {
            let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert!(page["items"].as_array().is_some_and(|items| !items.is_empty()), "the window holds sessions");
        }
        println!(
            "| {label} | {pool} | (store only) | authenticate p50 {auth_ms:.3} ms, upcoming_for_supervisor p50 \
             {upcoming_ms:.3} ms ({items} sessions), JSON of the answer p50 {json_ms:.3} ms ({} bytes over HTTP) | | | | | |",
            body.len()
        );
        let mut runs =
            vec![(load(address, &health, &[], seconds), load(address, &upcoming, &bearer(Some(&admin)), seconds))];
        if std::env::var("LOAD_WRK").is_ok_and(|v| v == "1")
            && let (Some(h), Some(u)) =
                (load_wrk(address, &health, &[], seconds), load_wrk(address, &upcoming, &bearer(Some(&admin)), seconds))
        {
            runs.push((h, u));
        }
        for (health, upcoming) in &runs {
            row(label, pool, "/healthz", health, None);
            row(
                label,
                pool,
                &format!("/api/v1/supervisors/{{id}}/upcoming?days=30 ({sessions} sessions)"),
                upcoming,
                Some(health.rate),
            );
        }
        let _ = stop.send(true);
        server_runtime.block_on(async { store.close().await.unwrap() });
    }
    println!("| {label} | | | load average after: {} | | | | | |", load_average());
    server_runtime.block_on(async {
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
    println!(
        "{} connections; server runtime {} threads; {} core(s); gzip {}",
        connections(),
        env_or("LOAD_SERVER_THREADS", 2),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        if gzip() { "asked" } else { "not asked" }
    );
    println!(
        "| backend | pool | client | route | req/s | p50 | p99 | CPU µs per request: client / server / SQLite threads / PostgreSQL | errors |\n\
         |---|---|---|---|---|---|---|---|---|"
    );
    run("SQLite", sessions, seconds);
    if std::env::var("OHJAUS_TEST_POSTGRES_URL").is_ok() {
        run("PostgreSQL", sessions, seconds);
    }
}
