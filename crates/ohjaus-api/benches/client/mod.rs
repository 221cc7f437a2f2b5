//! The HTTP load client the benchmarks share: requests written straight to keep-alive sockets,
//! answers read by their length, every request timed, CPU time by part of the stack from
//! `/proc`; or the same load from `wrk`.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

pub fn connections() -> usize {
    env_or("LOAD_CONNECTIONS", 8)
}

pub fn pools() -> Vec<u32> {
    std::env::var("LOAD_POOLS")
        .unwrap_or_else(|_| "2,10".into())
        .split(',')
        .filter_map(|p| p.trim().parse().ok())
        .collect()
}

pub fn gzip() -> bool {
    std::env::var("LOAD_GZIP").is_ok_and(|v| v == "1")
}

/// Seconds of CPU by part of the stack, from `/proc` (Linux; zero elsewhere). USER_HZ is 100
/// on Linux.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cpu {
    pub client: f64,
    pub server: f64,
    pub sqlite: f64,
    pub postgres: f64,
    pub children: f64,
}

/// utime + stime and the name of a `/proc/…/stat` text, in seconds.
pub fn stat_times(text: &str) -> Option<(String, f64, f64)> {
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
    pub fn now() -> Self {
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

    pub fn since(self, before: Self) -> Self {
        Self {
            client: self.client - before.client,
            server: self.server - before.server,
            sqlite: self.sqlite - before.sqlite,
            postgres: self.postgres - before.postgres,
            children: self.children - before.children,
        }
    }
}

pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split(' ').take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

pub struct Figures {
    pub client: &'static str,
    pub rate: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: usize,
    pub requests: usize,
    pub cpu: Cpu,
}

/// Reads one answer to the end into `buf` (by `Content-Length`, or chunked); its status and
/// where its body starts.
pub async fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<(u16, usize)> {
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

/// Whether the head of an answer says the server closes the connection after it.
pub fn closes(head: &[u8]) -> bool {
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    head.contains("\r\nconnection: close\r\n")
        || (head.starts_with("http/1.0") && !head.contains("\r\nconnection: keep-alive\r\n"))
}

/// The headers of a request carrying `token` as a bearer token (none without one).
pub fn bearer(token: Option<&str>) -> Vec<(String, String)> {
    token.map(|t| ("Authorization".to_owned(), format!("Bearer {t}"))).into_iter().collect()
}

/// The bytes of a GET of `path` with `headers`.
pub fn request(path: &str, headers: &[(String, String)]) -> Vec<u8> {
    let mut text = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    if gzip() {
        text.push_str("Accept-Encoding: gzip\r\n");
    }
    text.push_str("\r\n");
    text.into_bytes()
}

/// One GET through the client; the status and body.
pub async fn fetch(address: SocketAddr, request: &[u8]) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut buf = Vec::new();
    let (status, body) = read_response(&mut stream, &mut buf).await.unwrap();
    (status, buf[body..].to_vec())
}

/// Requests `paths` round-robin on `connections()` keep-alive connections for `seconds`.
pub fn load(address: SocketAddr, paths: &[String], headers: &[(String, String)], seconds: f64) -> Figures {
    let runtime =
        tokio::runtime::Builder::new_current_thread().thread_name("load-client").enable_all().build().unwrap();
    let requests: Arc<Vec<Vec<u8>>> = Arc::new(paths.iter().map(|p| request(p, headers)).collect());
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
                                // 304 is the answer a conditional request wants.
                                Ok((200 | 304, body)) => {
                                    timings.push(t.elapsed().as_secs_f64() * 1000.0);
                                    // A server that closes after each answer (Radicale's) gets a
                                    // new connection, as a real client would open one.
                                    if closes(&buf[..body]) {
                                        stream = TcpStream::connect(address).await.unwrap();
                                        stream.set_nodelay(true).unwrap();
                                    }
                                }
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
pub fn wrk_ms(text: &str) -> Option<f64> {
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
pub fn load_wrk(address: SocketAddr, paths: &[String], headers: &[(String, String)], seconds: f64) -> Option<Figures> {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("load.lua");
    let list: Vec<String> = paths.iter().map(|p| format!("{p:?}")).collect();
    let mut headers: Vec<String> = headers.iter().map(|(n, v)| format!("[{n:?}] = {v:?}")).collect();
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

/// Prints a row of the table.
pub fn row(label: &str, pool: u32, route: &str, figures: &Figures, ceiling: Option<f64>) {
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
