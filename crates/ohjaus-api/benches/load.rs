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
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn connections() -> usize {
    env_or("LOAD_CONNECTIONS", 8)
}

fn pools() -> Vec<u32> {
    std::env::var("LOAD_POOLS")
        .unwrap_or_else(|_| "2,10".into())
        .split(',')
        .filter_map(|p| p.trim().parse().ok())
        .collect()
}

fn gzip() -> bool {
    std::env::var("LOAD_GZIP").is_ok_and(|v| v == "1")
}

/// Seconds of CPU by part of the stack, from `/proc` (Linux; zero elsewhere). USER_HZ is 100
/// on Linux.
#[derive(Debug, Clone, Copy, Default)]
struct Cpu {
    client: f64,
    server: f64,
    sqlite: f64,
    postgres: f64,
    children: f64,
}

/// utime + stime and the name of a `/proc/…/stat` text, in seconds.
fn stat_times(text: &str) -> Option<(String, f64, f64)> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let name = text[open + 1..close].to_owned();
    let fields: Vec<&str> = text[close + 2..].split(' ').collect();
    // After the name: state is field 3 of stat(5), so utime (14) is index 11 here, stime 12,
    // cutime 13, cstime 14.
    let tick = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0) / 100.0;
    Some((name, tick(11) + tick(12), tick(13) + tick(14)))
}

impl Cpu {
    fn now() -> Self {
        let mut cpu = Self::default();
        if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
            for task in tasks.flatten() {
                let Ok(text) = std::fs::read_to_string(task.path().join("stat")) else { continue };
                let Some((name, own, _)) = stat_times(&text) else { continue };
                if name.starts_with("load-client") {
                    cpu.client += own;
                } else if name.starts_with("load-server") {
                    cpu.server += own;
                } else if name.starts_with("sqlx-sqlite") {
                    cpu.sqlite += own;
                }
            }
        }
        if let Some((_, _, children)) = std::fs::read_to_string("/proc/self/stat").ok().as_deref().and_then(stat_times)
        {
            cpu.children = children;
        }
        if let Ok(processes) = std::fs::read_dir("/proc") {
            for process in processes.flatten() {
                if !process.file_name().to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(process.path().join("stat")) else { continue };
                if let Some((name, own, _)) = stat_times(&text)
                    && name == "postgres"
                {
                    cpu.postgres += own;
                }
            }
        }
        cpu
    }

    fn since(self, before: Self) -> Self {
        Self {
            client: self.client - before.client,
            server: self.server - before.server,
            sqlite: self.sqlite - before.sqlite,
            postgres: self.postgres - before.postgres,
            children: self.children - before.children,
        }
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split(' ').take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

struct Figures {
    client: &'static str,
    rate: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: usize,
    requests: usize,
    cpu: Cpu,
}

/// Reads one answer to the end into `buf` (by `Content-Length`, or chunked); its status and
/// where its body starts.
async fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<(u16, usize)> {
    async fn more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<()> {
        buf.reserve(16 * 1024);
        if stream.read_buf(buf).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        Ok(())
    }
    let find = |buf: &[u8], from: usize, what: &[u8]| {
        buf[from..].windows(what.len()).position(|w| w == what).map(|p| p + from)
    };
    buf.clear();
    let body = loop {
        if let Some(end) = find(buf, 0, b"\r\n\r\n") {
            break end + 4;
        }
        more(stream, buf).await?;
    };
    let head = String::from_utf8_lossy(&buf[..body]).to_ascii_lowercase();
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "not an HTTP answer");
    let status: u16 = head.get(9..12).and_then(|s| s.parse().ok()).ok_or_else(bad)?;
    let length =
        head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse::<usize>().ok());
    if let Some(length) = length {
        while buf.len() < body + length {
            more(stream, buf).await?;
        }
    } else if head.contains("transfer-encoding: chunked") {
        let mut at = body;
        loop {
            let line_end = loop {
                if let Some(end) = find(buf, at, b"\r\n") {
                    break end;
                }
                more(stream, buf).await?;
            };
            let size =
                usize::from_str_radix(String::from_utf8_lossy(&buf[at..line_end]).trim(), 16).map_err(|_| bad())?;
            let next = line_end + 2 + size + 2;
            while buf.len() < next {
                more(stream, buf).await?;
            }
            at = next;
            if size == 0 {
                break;
            }
        }
    }
    Ok((status, body))
}

/// The bytes of a GET of `path`.
fn request(path: &str, token: Option<&str>) -> Vec<u8> {
    let mut text = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    if let Some(token) = token {
        text.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    if gzip() {
        text.push_str("Accept-Encoding: gzip\r\n");
    }
    text.push_str("\r\n");
    text.into_bytes()
}

/// One GET through the client; the status and body.
async fn fetch(address: SocketAddr, request: &[u8]) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut buf = Vec::new();
    let (status, body) = read_response(&mut stream, &mut buf).await.unwrap();
    (status, buf[body..].to_vec())
}

/// Requests `paths` round-robin on `connections()` keep-alive connections for `seconds`.
fn load(address: SocketAddr, paths: &[String], token: Option<&str>, seconds: f64) -> Figures {
    let runtime =
        tokio::runtime::Builder::new_current_thread().thread_name("load-client").enable_all().build().unwrap();
    let requests: Arc<Vec<Vec<u8>>> = Arc::new(paths.iter().map(|p| request(p, token)).collect());
    // The client's runtime runs on a thread of its own so that its CPU time can be told apart.
    std::thread::Builder::new()
        .name("load-client".into())
        .spawn(move || {
            runtime.block_on(async move {
                let before = Cpu::now();
                let started = Instant::now();
                let deadline = started + Duration::from_secs_f64(seconds);
                let mut tasks = Vec::new();
                for c in 0..connections() {
                    let requests = requests.clone();
                    tasks.push(tokio::spawn(async move {
                        let mut timings = Vec::with_capacity(100_000);
                        let mut errors = 0;
                        let mut stream = TcpStream::connect(address).await.unwrap();
                        stream.set_nodelay(true).unwrap();
                        let mut buf = Vec::with_capacity(64 * 1024);
                        let mut i = c;
                        while Instant::now() < deadline {
                            let t = Instant::now();
                            stream.write_all(&requests[i % requests.len()]).await.unwrap();
                            match read_response(&mut stream, &mut buf).await {
                                Ok((200, _)) => timings.push(t.elapsed().as_secs_f64() * 1000.0),
                                Ok(_) => errors += 1,
                                Err(_) => {
                                    errors += 1;
                                    stream = TcpStream::connect(address).await.unwrap();
                                    stream.set_nodelay(true).unwrap();
                                }
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
                let cpu = Cpu::now().since(before);
                timings.sort_by(f64::total_cmp);
                let at = |q: f64| timings[((timings.len() as f64 * q) as usize).min(timings.len() - 1)];
                Figures {
                    client: "Rust",
                    rate: timings.len() as f64 / elapsed,
                    p50_ms: at(0.5),
                    p99_ms: at(0.99),
                    errors,
                    requests: timings.len() + errors,
                    cpu,
                }
            })
        })
        .unwrap()
        .join()
        .unwrap()
}

/// A latency of wrk's output (`812.00us`, `1.20ms`, `1.01s`) in milliseconds.
fn wrk_ms(text: &str) -> Option<f64> {
    let (number, factor) = if let Some(n) = text.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

/// The same load from `wrk` (one thread, `connections()` connections), if it is installed.
fn load_wrk(address: SocketAddr, paths: &[String], token: Option<&str>, seconds: f64) -> Option<Figures> {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("load.lua");
    let list: Vec<String> = paths.iter().map(|p| format!("{p:?}")).collect();
    let mut headers = Vec::new();
    if let Some(token) = token {
        headers.push(format!("[\"Authorization\"] = \"Bearer {token}\""));
    }
    if gzip() {
        headers.push("[\"Accept-Encoding\"] = \"gzip\"".to_owned());
    }
    std::fs::write(
        &script,
        format!(
            "local paths = {{ {} }}\nlocal headers = {{ {} }}\nlocal i = 0\n\
             request = function()\n  i = i + 1\n  return wrk.format(\"GET\", paths[(i % #paths) + 1], headers)\nend\n",
            list.join(", "),
            headers.join(", ")
        ),
    )
    .unwrap();
    let before = Cpu::now();
    let output = std::process::Command::new("wrk")
        .args(["-t1", &format!("-c{}", connections()), &format!("-d{}s", seconds.round() as u64), "--latency", "-s"])
        .arg(&script)
        .arg(format!("http://{address}"))
        .output()
        .ok()?;
    let cpu = Cpu::now().since(before);
    let text = String::from_utf8_lossy(&output.stdout);
    let field = |prefix: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix).map(|v| v.split_whitespace().next().unwrap_or("").to_owned()))
    };
    let rate: f64 = field("Requests/sec:")?.parse().ok()?;
    let requests: usize = text.lines().find_map(|l| l.trim().split(" requests in ").next()?.parse().ok())?;
    let errors = field("Non-2xx or 3xx responses:").and_then(|n| n.parse().ok()).unwrap_or(0);
    Some(Figures {
        client: "wrk",
        rate,
        p50_ms: field("50%").as_deref().and_then(wrk_ms)?,
        p99_ms: field("99%").as_deref().and_then(wrk_ms)?,
        errors,
        requests,
        cpu,
    })
}

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

/// Prints a row of the table.
fn row(label: &str, pool: u32, route: &str, figures: &Figures, ceiling: Option<f64>) {
    let per_request = |seconds: f64| 1e6 * seconds / figures.requests.max(1) as f64;
    let cpu = figures.cpu;
    let client = if figures.client == "wrk" { cpu.children } else { cpu.client };
    let ratio = ceiling.map_or_else(String::new, |c| format!(" ({:.1} % of /healthz)", 100.0 * figures.rate / c));
    println!(
        "| {label} | {pool} | {} | {route} | {:.0}{ratio} | {:.2} ms | {:.2} ms | {:.0} / {:.0} / {:.0} / {:.0} | {} |",
        figures.client,
        figures.rate,
        figures.p50_ms,
        figures.p99_ms,
        per_request(client),
        per_request(cpu.server),
        per_request(cpu.sqlite),
        per_request(cpu.postgres),
        figures.errors,
    );
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
                }),
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
        let (status, body) = server_runtime.block_on(fetch(address, &request(&upcoming[0], Some(&admin))));
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
        let mut runs = vec![(load(address, &health, None, seconds), load(address, &upcoming, Some(&admin), seconds))];
        if std::env::var("LOAD_WRK").is_ok_and(|v| v == "1")
            && let (Some(h), Some(u)) =
                (load_wrk(address, &health, None, seconds), load_wrk(address, &upcoming, Some(&admin), seconds))
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
