//! Calendar feeds under load, for BENCHMARKS.md: a supervisor's feed of 500 sessions in 50
//! series (`GET /calendar/{token}.ics`) beside Radicale serving a calendar of 500 events
//! (`GET` of the collection), loaded the same way in the same run, and `GET /healthz` as the
//! ceiling of our stack.
//!
//! Rows: `/healthz`; the feed answered whole from the feed cache (what a calendar app that
//! sends no validator gets); the feed answered `304 Not Modified` to `If-None-Match`; the
//! feed rendered from the database on every request (the cache off, what the first request
//! after a change costs); Radicale's calendar. No rate limit is in the way (the limits are a
//! layer `ohjaus serve` adds).
//!
//! Radicale runs from `OHJAUS_INTEROP_PYTHON` (the venv `.ci/run` makes: `radicale` is in
//! tests/interop/requirements.txt), else `python3`. The server runs on a runtime of its own
//! (`LOAD_SERVER_THREADS`, default 2), the client on one thread (`LOAD_CONNECTIONS`, default
//! 8 connections); `LOAD_WRK=1` adds the same rows driven by `wrk`.
//!
//! `cargo bench -p ohjaus-api --bench feeds` (`-- --quick`: 3 s per row instead of 10 s).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use ohjaus_api::feed_cache::FeedCache;
use ohjaus_api::{ApiConfig, AppState, Clock};
use ohjaus_store::bench_data::{Shape, fill};
use ohjaus_store::{Caller, Store};
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod client;
use client::{Figures, connections, env_or, fetch, load, load_average, load_wrk, request};

const RADICALE_USER: &str = "bench";
const RADICALE_PASSWORD: &str = "bench";

/// A Radicale process with one calendar of `events` events, killed when dropped.
struct Radicale {
    child: Child,
    address: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for Radicale {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Radicale {
    fn start(events: usize) -> Self {
        let python = std::env::var("OHJAUS_INTEROP_PYTHON").unwrap_or_else(|_| "python3".into());
        let dir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        std::fs::write(dir.path().join("users"), format!("{RADICALE_USER}:{RADICALE_PASSWORD}\n")).unwrap();
        let config = format!(
            "[server]\nhosts = 127.0.0.1:{port}\n\n[auth]\ntype = htpasswd\nhtpasswd_filename = {users}\n\
             htpasswd_encryption = plain\ndelay = 0\n\n[storage]\nfilesystem_folder = {storage}\n\n\
             [rights]\ntype = owner_only\n\n[logging]\nlevel = error\n",
            users = dir.path().join("users").display(),
            storage = dir.path().join("collections").display(),
        );
        std::fs::write(dir.path().join("config"), config).unwrap();
        let child = Command::new(python)
            .args(["-m", "radicale", "--config"])
            .arg(dir.path().join("config"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("Radicale (pip install radicale, or set OHJAUS_INTEROP_PYTHON)");
        let address: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(address).is_err() {
            assert!(Instant::now() < deadline, "Radicale did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let radicale = Self { child, address, _dir: dir };
        radicale.fill(events);
        radicale
    }

    fn authorization() -> (String, String) {
        use base64::Engine as _;
        let pair = base64::engine::general_purpose::STANDARD.encode(format!("{RADICALE_USER}:{RADICALE_PASSWORD}"));
        ("Authorization".to_owned(), format!("Basic {pair}"))
    }

    /// A calendar of `events` one-hour events, each its own resource, as a calendar app
    /// keeps them.
    fn fill(&self, events: usize) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let http = reqwest::Client::new();
            let url = |path: &str| format!("http://{}{path}", self.address);
            let (name, value) = Self::authorization();
            let mkcalendar = http
                .request(reqwest::Method::from_bytes(b"MKCALENDAR").unwrap(), url("/bench/calendar/"))
                .header(&name, &value)
                .send()
                .await
                .unwrap();
            assert_eq!(mkcalendar.status().as_u16(), 201);
            for n in 0..events {
                let day =
                    chrono::NaiveDate::from_ymd_opt(2027, 1, 4).unwrap() + chrono::TimeDelta::days((n / 5) as i64);
                let hour = 8 + n % 5;
                let text = format!(
                    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ohjaus bench//EN\r\nBEGIN:VEVENT\r\nUID:bench-{n}\r\n\
                     DTSTAMP:20270101T000000Z\r\nDTSTART:{d}T{hour:02}0000Z\r\nDTEND:{d}T{end:02}0000Z\r\n\
                     SUMMARY:Työnohjaus {n}\r\nLOCATION:Neuvotteluhuone 2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                    d = day.format("%Y%m%d"),
                    end = hour + 1,
                );
                let put = http
                    .put(url(&format!("/bench/calendar/{n}.ics")))
                    .header(&name, &value)
                    .header("content-type", "text/calendar; charset=utf-8")
                    .body(text)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(put.status().as_u16(), 201, "event {n}");
            }
        });
    }
}

/// A load client: our own, or `wrk` when installed.
type Client = fn(SocketAddr, &[String], &[(String, String)], f64) -> Option<Figures>;

fn print_row(server: &str, route: &str, figures: &Figures, against: Option<(&str, f64)>) {
    let ratio = against.map_or_else(String::new, |(what, rate)| format!(" ({:.1}× {what})", figures.rate / rate));
    println!(
        "| {server} | {} | {route} | {:.0}{ratio} | {:.2} ms | {:.2} ms | {} |",
        figures.client, figures.rate, figures.p50_ms, figures.p99_ms, figures.errors
    );
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let seconds = if quick { 3.0 } else { 10.0 };
    let threads = env_or("LOAD_SERVER_THREADS", 2);
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name("load-server")
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("feeds.db").display());
    let (store, supervisor, secret) = server_runtime.block_on(async {
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let shape = Shape { supervisors: 1, series_per_supervisor: 50, sessions_per_series: 10 };
        let agendas = fill(&store, shape).await.unwrap();
        let supervisor = agendas.supervisors[0];
        let made = store
            .create_calendar_token(&Caller::Supervisor { supervisor_id: supervisor }, chrono::Utc::now())
            .await
            .unwrap();
        (store, supervisor, made.secret.expose().to_owned())
    });
    let serve = |feeds: FeedCache| {
        server_runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let address = listener.local_addr().unwrap();
            let state = AppState {
                store: store.clone(),
                metrics: ohjaus_api::metrics::Metrics::default(),
                clock: Clock::system(),
                config: Arc::new(ApiConfig {
                    public_url: url::Url::parse(&format!("http://{address}")).unwrap(),
                    request_timeout: Duration::from_secs(30),
                    body_limit_bytes: 262_144,
                    calendar_organizer: ohjaus_core::notice::Party {
                        name: "Ohjaus".into(),
                        email: "noreply@ohjaus.invalid".into(),
                    },
                }),
                feeds,
            };
            let (stop, mut stopped) = tokio::sync::watch::channel(false);
            tokio::spawn(ohjaus_api::serve(listener, state, async move {
                let _ = stopped.wait_for(|s| *s).await;
            }));
            (address, stop)
        })
    };
    let (cached, stop_cached) = serve(FeedCache::default());
    let (uncached, stop_uncached) = serve(FeedCache::disabled());
    let feed = vec![format!("/calendar/{secret}.ics")];
    let (status, body) = server_runtime.block_on(fetch(cached, &request(&feed[0], &[])));
    assert_eq!(status, 200);
    let text = String::from_utf8(body).unwrap();
    let occurrences = text.matches("RRULE:FREQ=WEEKLY;INTERVAL=1;COUNT=10").count();
    assert_eq!(occurrences, 50, "50 series of 10 sessions");
    let answer = server_runtime.block_on(async { reqwest::get(format!("http://{cached}{}", feed[0])).await.unwrap() });
    let etag = answer.headers()["etag"].to_str().unwrap().to_owned();
    let conditional = vec![("If-None-Match".to_owned(), etag)];
    let (status, _) = server_runtime.block_on(fetch(cached, &request(&feed[0], &conditional)));
    assert_eq!(status, 304, "the client's copy is current");
    let radicale = Radicale::start(500);
    let calendar = vec!["/bench/calendar/".to_owned()];
    let radicale_auth = vec![Radicale::authorization()];
    let (status, radicale_body) =
        server_runtime.block_on(fetch(radicale.address, &request(&calendar[0], &radicale_auth)));
    assert_eq!(status, 200);
    let radicale_text = String::from_utf8_lossy(&radicale_body);
    assert_eq!(radicale_text.matches("BEGIN:VEVENT").count(), 500, "Radicale serves the 500 events");

    println!(
        "supervisor {supervisor}: feed {} bytes (50 series, 500 sessions); Radicale's calendar {} bytes (500 events); \
         {} connections; server runtime {threads} threads; {} core(s); load average before: {}",
        text.len(),
        radicale_body.len(),
        connections(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average(),
    );
    println!("| server | client | request | req/s | p50 | p99 | errors |\n|---|---|---|---|---|---|---|");
    let mut clients: Vec<Client> = vec![|a, p, h, s| Some(load(a, p, h, s))];
    if std::env::var("LOAD_WRK").is_ok_and(|v| v == "1") {
        clients.push(load_wrk);
    }
    for run in clients {
        let Some(radicale_figures) = run(radicale.address, &calendar, &radicale_auth, seconds) else { continue };
        let health = run(cached, &["/healthz".to_owned()], &[], seconds).unwrap();
        let whole = run(cached, &feed, &[], seconds).unwrap();
        let not_modified = run(cached, &feed, &conditional, seconds).unwrap();
        let rendered = run(uncached, &feed, &[], seconds).unwrap();
        print_row("Radicale 3.9", "GET the calendar (500 events)", &radicale_figures, None);
        print_row("Ohjaus", "GET /healthz", &health, None);
        print_row("Ohjaus", "GET the feed, whole (kept)", &whole, Some(("Radicale", radicale_figures.rate)));
        print_row("Ohjaus", "GET the feed, If-None-Match → 304", &not_modified, Some(("/healthz", health.rate)));
        print_row(
            "Ohjaus",
            "GET the feed, whole, rendered each time (cache off)",
            &rendered,
            Some(("Radicale", radicale_figures.rate)),
        );
    }
    println!("load average after: {}", load_average());
    let _ = stop_cached.send(true);
    let _ = stop_uncached.send(true);
}
