//! Messages per second from the outbox to a local SMTP server, beside that server's ceiling
//! measured with a raw SMTP client in the same run.
//!
//! `cargo bench -p ohjaus-notify --bench outbox_smtp [-- MESSAGES] [--rounds N]`
//! (default 5,000 messages, 3 rounds; set `OHJAUS_INTEROP_PYTHON` to a Python with aiosmtpd
//! for the second server).
//!
//! Two servers, each measured both ways in every round, one right after the other:
//! - **aiosmtpd** (`tests/interop/smtp_sink.py`, a real SMTP server that stores each message
//!   as a file), with `MESSAGES / 5` messages both ways;
//! - **a trivial sink** written here (tokio; it answers 250 to everything and counts messages
//!   and connections), which does nothing per message and so shows how fast an SMTP exchange
//!   can go on this machine at all; `MESSAGES` through the worker, four times as many through
//!   the raw client (which is that much faster).
//!
//! The **ceiling** of a server is what a raw client gets through it: SMTP commands written
//! straight to a `TCP_NODELAY` socket, one pre-built message (the invite the worker makes,
//! dot-stuffed once), the same number of connections as the worker's pool, no database, no
//! rendering. The **worker's** figure includes everything it does per message: claim from a
//! SQLite outbox (WAL) under a lease, render the .ics (`ohjaus-ical`) and the email (fi/sv/en),
//! send over its pooled SMTP connections, ack. Queuing the messages is not timed.
//!
//! After the rounds, the worker's cost is taken apart without a server: rendering alone (per
//! stage), claim and ack alone, and the whole loop with the log transport. CPU figures are the
//! process's user + system time (every thread, 10 ms resolution) divided by the messages; with
//! the trivial sink they include the sink's own CPU, which runs in this process.

use chrono::Utc;
use ohjaus_core::notice::{CalendarMessage, Change, Party, Recipient, Role, SeriesInfo};
use ohjaus_core::{CalendarEvent, EventInstance, Locale, Notice, SessionStatus};
use ohjaus_notify::{Envelope, Mailer, ScheduleConfig, Transport, Worker, WorkerConfig};
use ohjaus_store::Store;
use ohjaus_store::testing::TestDb;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use uuid::Uuid;

/// Connections to the server, in both measurements (the worker's pool size and concurrency).
const CONNECTIONS: u32 = 8;

/// What the trivial sink has seen.
#[derive(Default)]
struct SinkCounts {
    messages: AtomicU64,
    connections: AtomicU64,
}

/// The trivial sink: one task per connection; 250 to everything, 354 to DATA.
async fn sink(listener: TcpListener, counts: Arc<SinkCounts>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { return };
        counts.connections.fetch_add(1, Ordering::Relaxed);
        let counts = counts.clone();
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            if write.write_all(b"220 sink ESMTP\r\n").await.is_err() {
                return;
            }
            let mut in_data = false;
            while let Ok(Some(line)) = lines.next_line().await {
                let reply: &[u8] = if in_data {
                    if line != "." {
                        continue;
                    }
                    in_data = false;
                    counts.messages.fetch_add(1, Ordering::Relaxed);
                    b"250 2.0.0 accepted\r\n"
                } else {
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    match verb.as_str() {
                        "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            in_data = true;
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"250 ok\r\n",
                    }
                };
                if write.write_all(reply).await.is_err() {
                    return;
                }
            }
        });
    }
}

/// A raw SMTP client: `count` messages over one connection, each MAIL/RCPT/DATA answered
/// before the next command.
async fn raw_client(port: u16, message: Arc<Vec<u8>>, count: u64) {
    let stream = TcpStream::connect(("127.0.0.1", port)).await.expect("connects");
    stream.set_nodelay(true).expect("TCP_NODELAY");
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let expect = async |lines: &mut tokio::io::Lines<BufReader<tokio::net::tcp::OwnedReadHalf>>| loop {
        let line = lines.next_line().await.expect("reads").expect("a reply");
        if line.as_bytes().get(3) != Some(&b'-') {
            return line;
        }
    };
    expect(&mut lines).await;
    write.write_all(b"EHLO bench\r\n").await.expect("writes");
    expect(&mut lines).await;
    for _ in 0..count {
        write.write_all(b"MAIL FROM:<noreply@ohjaus.example>\r\n").await.expect("writes");
        expect(&mut lines).await;
        write.write_all(b"RCPT TO:<maija@hus.example>\r\n").await.expect("writes");
        expect(&mut lines).await;
        write.write_all(b"DATA\r\n").await.expect("writes");
        expect(&mut lines).await;
        write.write_all(&message).await.expect("writes");
        expect(&mut lines).await;
    }
    write.write_all(b"QUIT\r\n").await.expect("writes");
}

/// A booked-series invite with ten weekly sessions, in `locale`.
fn invite(n: usize, locale: Locale) -> Notice {
    let first: chrono::DateTime<Utc> = "2027-01-12T11:00:00Z".parse().expect("an instant");
    let event = CalendarEvent {
        uid: "01900000-0000-7000-8000-00000000000a@ohjaus".into(),
        first_start: chrono::NaiveDate::from_ymd_opt(2027, 1, 12)
            .and_then(|d| d.and_hms_opt(13, 0, 0))
            .expect("a wall time"),
        timezone: "Europe/Helsinki".into(),
        duration_minutes: 90,
        rrule: Some("FREQ=WEEKLY;COUNT=10".into()),
        instances: (0..10)
            .map(|k| {
                let starts_at = first + chrono::TimeDelta::weeks(k);
                EventInstance {
                    session_id: Uuid::from_u128(1000 + k as u128),
                    index: k as u32 + 1,
                    recurrence_id: Some(starts_at),
                    starts_at,
                    ends_at: starts_at + chrono::TimeDelta::minutes(90),
                    status: SessionStatus::Scheduled,
                    location: Some("Neuvotteluhuone 3".into()),
                    video_url: None,
                }
            })
            .collect(),
    };
    let person = |i: usize| Party { name: format!("Osallistuja {i}"), email: format!("person{i}@hus.example") };
    Notice::Invite {
        recipient: Recipient {
            party: person(n),
            locale,
            timezone: "Europe/Helsinki".into(),
            role: Role::Participant,
            id: Uuid::from_u128(n as u128),
        },
        organizer: Party { name: "Sari Ohjaaja".into(), email: "sari@tyonohjaus.example".into() },
        supervisors: Vec::new(),
        attendees: (0..6).map(person).collect(),
        series: SeriesInfo {
            series_id: Uuid::from_u128(10),
            title: "Osasto 5:n työnohjaus".into(),
            kind: "group_supervision".into(),
            organization_name: "HUS Meilahti".into(),
            total_sessions: 10,
            cancellation_notice_hours: 48,
        },
        sequence: 0,
        change: Change::SeriesBooked,
        calendar: CalendarMessage::Request { event },
    }
}

fn locale_of(n: usize) -> Locale {
    [Locale::Fi, Locale::Sv, Locale::En][n % 3]
}

/// User + system CPU time of process `pid` (`self` or a number), every thread counted, from
/// `/proc/{pid}/stat` (clock ticks of 10 ms: USER_HZ is 100 on Linux).
fn cpu_time(pid: &str) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// The 1-, 5- and 15-minute load averages.
fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

/// One timed run: messages, wall time, and this process's CPU time over it.
#[derive(Debug, Clone, Copy)]
struct Measure {
    count: u64,
    elapsed: Duration,
    cpu: Duration,
}

impl Measure {
    fn rate(&self) -> f64 {
        self.count as f64 / self.elapsed.as_secs_f64()
    }

    fn cpu_us(&self) -> f64 {
        self.cpu.as_secs_f64() * 1e6 / self.count as f64
    }
}

/// A clock started on the wall and on this process's CPU.
struct Stopwatch {
    wall: Instant,
    cpu: Duration,
}

impl Stopwatch {
    fn start() -> Self {
        Self { wall: Instant::now(), cpu: cpu_time("self") }
    }

    fn stop(&self, count: u64) -> Measure {
        Measure { count, elapsed: self.wall.elapsed(), cpu: cpu_time("self").saturating_sub(self.cpu) }
    }
}

/// The ceiling: raw clients over `CONNECTIONS` connections, `count` messages in all.
async fn ceiling(port: u16, message: Arc<Vec<u8>>, count: u64) -> Measure {
    let per_connection = count / u64::from(CONNECTIONS);
    let clock = Stopwatch::start();
    let clients: Vec<_> =
        (0..CONNECTIONS).map(|_| tokio::spawn(raw_client(port, message.clone(), per_connection))).collect();
    for client in clients {
        client.await.expect("a client");
    }
    clock.stop(per_connection * u64::from(CONNECTIONS))
}

/// A fresh SQLite outbox (WAL) with `count` invites queued (the database lives as long as the
/// `TestDb`).
async fn queued(count: u64) -> (TestDb, Store) {
    let db = TestDb::sqlite().await;
    let store = db.store.clone();
    let now = Utc::now();
    for n in 0..count as usize {
        store.enqueue_notice(&invite(n, locale_of(n)), &format!("bench:{n}"), now).await.expect("queues");
    }
    (db, store)
}

/// The worker: queues `count` invites, then times the passes that claim, render, send through
/// `transport` (`concurrency` at a time) and ack them all.
async fn outbox(transport: Transport, concurrency: u32, count: u64, from: &lettre::message::Mailbox) -> Measure {
    let (_dir, store) = queued(count).await;
    let config = WorkerConfig {
        batch_size: 200,
        concurrency,
        lease_seconds: 300,
        owner: Some("bench".into()),
        schedule: ScheduleConfig { enabled: false, ..ScheduleConfig::default() },
        ..WorkerConfig::default()
    };
    let worker = Worker::new(store, config, Mailer::new(transport, from.clone()));
    let (_stop_tx, mut stop) = watch::channel(false);
    let clock = Stopwatch::start();
    let mut sent = 0u64;
    loop {
        let pass = worker.pass(&mut stop).await.expect("a pass");
        if pass.claimed == 0 {
            break;
        }
        assert_eq!(pass.sent, pass.claimed, "{pass:?}");
        sent += pass.sent as u64;
    }
    assert_eq!(sent, count);
    clock.stop(count)
}

/// The store alone: the same passes of claims of 200 (the SQL, and the JSON payloads read into
/// notices) and acks in groups of 32, with neither rendering nor sending in between. Answers
/// the claims' and the acks' measures.
async fn store_only(count: u64) -> (Measure, Measure) {
    let (_dir, store) = queued(count).await;
    let (mut claiming, mut acking) = (Measure { count, elapsed: Duration::ZERO, cpu: Duration::ZERO }, None);
    let mut acked = 0;
    loop {
        let clock = Stopwatch::start();
        let claimed = store.claim_due("bench", 200, chrono::TimeDelta::seconds(300), Utc::now()).await.expect("claims");
        let claim = clock.stop(count);
        claiming.elapsed += claim.elapsed;
        claiming.cpu += claim.cpu;
        if claimed.is_empty() {
            break;
        }
        let ids: Vec<Uuid> = claimed.iter().map(|c| c.id).collect();
        let clock = Stopwatch::start();
        for group in ids.chunks(ohjaus_notify::worker::ACK_GROUP) {
            acked += store.ack_many(group, "bench", Utc::now()).await.expect("acks").len();
        }
        let ack = clock.stop(count);
        let total = acking.get_or_insert(Measure { count, elapsed: Duration::ZERO, cpu: Duration::ZERO });
        total.elapsed += ack.elapsed;
        total.cpu += ack.cpu;
    }
    assert_eq!(acked as u64, count);
    (claiming, acking.expect("acks"))
}

/// Rendering alone, on this thread, as the worker does it ([`ohjaus_notify::worker::render_email`])
/// and then serialized as the SMTP transport does; the time of each stage is summed.
fn rendering(count: u64, from: &lettre::message::Mailbox) -> (Measure, [Duration; 4]) {
    let mut stages = [Duration::ZERO; 4];
    let clock = Stopwatch::start();
    for n in 0..count as usize {
        let notice = invite(n, locale_of(n));
        let envelope = Envelope::for_key(from.clone(), &n.to_string(), Utc::now());
        let t0 = Instant::now();
        let letter = ohjaus_notify::letter(&notice);
        let t1 = Instant::now();
        let calendar =
            ohjaus_notify::worker::render_calendar_with(&notice, &letter, &envelope.organizer_party(), envelope.date)
                .expect("renders");
        let t2 = Instant::now();
        let message = ohjaus_notify::compose_letter(&notice, &letter, calendar.as_ref(), &envelope).expect("composes");
        let t3 = Instant::now();
        std::hint::black_box(message.formatted());
        let t4 = Instant::now();
        for (stage, (from, to)) in stages.iter_mut().zip([(t0, t1), (t1, t2), (t2, t3), (t3, t4)]) {
            *stage += to - from;
        }
    }
    (clock.stop(count), stages)
}

fn print(label: &str, measure: &Measure, ceiling: Option<&Measure>) {
    let share =
        ceiling.map(|c| format!(" = {:.0}% of the ceiling", 100.0 * measure.rate() / c.rate())).unwrap_or_default();
    println!(
        "{label}: {} messages in {:.2} s = {:.0} msg/s{share} (CPU of this process {:.0} µs a message)",
        measure.count,
        measure.elapsed.as_secs_f64(),
        measure.rate(),
        measure.cpu_us()
    );
}

/// aiosmtpd (tests/interop/smtp_sink.py, which stores each message as a file), when
/// `OHJAUS_INTEROP_PYTHON` names a Python that has it.
fn aiosmtpd(folder: &std::path::Path) -> Option<(std::process::Child, u16)> {
    use std::io::BufRead as _;
    let python = std::env::var_os("OHJAUS_INTEROP_PYTHON")?;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/interop/smtp_sink.py");
    let mut child = std::process::Command::new(python)
        .args([script, "--port", "0", "--dir"])
        .arg(folder)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take()?).read_line(&mut first).ok()?;
    let port = first.trim().strip_prefix("LISTENING ")?.parse().ok()?;
    Some((child, port))
}

/// The ceiling and the worker's rate against one server, in every round.
#[derive(Default)]
struct Server {
    ceilings: Vec<f64>,
    worker: Vec<f64>,
}

impl Server {
    fn median(values: &[f64]) -> f64 {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
    }

    fn range(values: &[f64]) -> String {
        let low = values.iter().copied().fold(f64::INFINITY, f64::min);
        let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        format!("{low:.0}–{high:.0}")
    }

    fn summary(&self, name: &str) {
        let shares: Vec<f64> = self.worker.iter().zip(&self.ceilings).map(|(w, c)| 100.0 * w / c).collect();
        let (worker, share) = (Self::median(&self.worker), Self::median(&shares));
        let mark = |ok: bool| if ok { "met" } else { "NOT met" };
        println!(
            "{name}: ceiling {} msg/s (median {:.0}); worker {} msg/s (median {worker:.0}) = {}% of the ceiling \
             (median {share:.0}%)",
            Self::range(&self.ceilings),
            Self::median(&self.ceilings),
            Self::range(&self.worker),
            Self::range(&shares),
        );
        println!(
            "  goal ≥ 500 msg/s: {} (median); goal ≥ half the ceiling: {} (median; {} of {} rounds)",
            mark(worker >= 500.0),
            mark(share >= 50.0),
            shares.iter().filter(|s| **s >= 50.0).count(),
            shares.len()
        );
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // `[MESSAGES] [--rounds N]`; cargo adds `--bench`, which is neither.
    let (mut messages, mut rounds) = (5000u64, 3usize);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--rounds" {
            rounds = args.next().and_then(|r| r.parse().ok()).filter(|r| *r > 0).expect("--rounds N, N ≥ 1");
        } else if let Ok(count) = arg.parse::<u64>() {
            messages = count.max(u64::from(CONNECTIONS) * 5);
        }
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let port = listener.local_addr().expect("an address").port();
    let counts = Arc::new(SinkCounts::default());
    tokio::spawn(sink(listener, counts.clone()));

    // The same message both ways: an invite as the worker builds it.
    let from: lettre::message::Mailbox = "Ohjaus <noreply@ohjaus.example>".parse().expect("a mailbox");
    let email = ohjaus_notify::worker::render_email(
        &invite(0, Locale::Fi),
        &Envelope::for_key(from.clone(), "bench", Utc::now()),
    )
    .expect("renders")
    .formatted();
    let size = email.len();
    // Dot-stuffing, as an SMTP client must, and the end of data in the same write.
    let mut stuffed = String::from_utf8(email).expect("ASCII").replace("\r\n.", "\r\n..");
    stuffed.push_str("\r\n.\r\n");
    let stuffed = Arc::new(stuffed.into_bytes());
    let smtp = |port: u16, pool: u32| {
        Transport::smtp(&format!("smtp://127.0.0.1:{port}"), pool, Duration::from_secs(10)).expect("a transport")
    };

    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!("message: an invite of 10 sessions, {size} bytes (text, HTML, .ics inline and attached)");
    println!("{cores} cores; load average {} at the start; {rounds} rounds", load_average());
    let folder = tempfile::tempdir().expect("a folder");
    let mut python = aiosmtpd(folder.path());
    let (mut trivial, mut real) = (Server::default(), Server::default());
    for round in 1..=rounds {
        println!("-- round {round} (load average {})", load_average());
        if let Some((child, port)) = &python {
            let count = messages / 5;
            let pid = child.id().to_string();
            let before = cpu_time(&pid);
            let top = ceiling(*port, stuffed.clone(), count).await;
            let server_cpu = cpu_time(&pid).saturating_sub(before);
            print(&format!("aiosmtpd 1.4.6, ceiling: raw SMTP client, {CONNECTIONS} connections"), &top, None);
            println!("  aiosmtpd's own CPU: {:.0} µs a message", server_cpu.as_secs_f64() * 1e6 / count as f64);
            let before = cpu_time(&pid);
            let worker = outbox(smtp(*port, CONNECTIONS), CONNECTIONS, count, &from).await;
            let server_cpu = cpu_time(&pid).saturating_sub(before);
            print(&format!("aiosmtpd 1.4.6, outbox → SMTP, pool of {CONNECTIONS}"), &worker, Some(&top));
            println!("  aiosmtpd's own CPU: {:.0} µs a message", server_cpu.as_secs_f64() * 1e6 / count as f64);
            real.ceilings.push(top.rate());
            real.worker.push(worker.rate());
        }
        // Four times the messages: at tens of thousands a second, fewer would take a
        // fraction of a second and measure the scheduler's noise.
        let top = ceiling(port, stuffed.clone(), messages * 4).await;
        print(&format!("trivial sink, ceiling: raw SMTP client, {CONNECTIONS} connections"), &top, None);
        let connections = counts.connections.load(Ordering::Relaxed);
        let worker = outbox(smtp(port, CONNECTIONS), CONNECTIONS, messages, &from).await;
        print(&format!("trivial sink, outbox → SMTP, pool of {CONNECTIONS}"), &worker, Some(&top));
        println!("  connections the pool opened: {}", counts.connections.load(Ordering::Relaxed) - connections);
        trivial.ceilings.push(top.rate());
        trivial.worker.push(worker.rate());
    }
    if let Some((mut child, _)) = python.take() {
        let _ = child.kill();
        let _ = child.wait();
    }

    println!("-- where the worker's time goes (load average {})", load_average());
    let one = outbox(smtp(port, 1), 1, messages / 5, &from).await;
    print("trivial sink, outbox → SMTP, one connection, one send at a time", &one, None);
    let (render, stages) = rendering(messages, &from);
    print("rendering alone (one thread, no database, no network)", &render, None);
    let per_message = |d: Duration| d.as_secs_f64() * 1e6 / messages as f64;
    println!(
        "  per message: letter {:.0} µs, .ics {:.0} µs, MIME {:.0} µs, bytes for SMTP {:.0} µs",
        per_message(stages[0]),
        per_message(stages[1]),
        per_message(stages[2]),
        per_message(stages[3])
    );
    let (claiming, acking) = store_only(messages).await;
    print("claims alone (SQL + JSON payloads, 200 rows a claim)", &claiming, None);
    print("acks alone (one statement per 32 rows)", &acking, None);
    let log = outbox(Transport::Log, CONNECTIONS, messages, &from).await;
    print("outbox → log transport (claim, render, ack; no SMTP)", &log, None);

    println!("-- summary (load average {})", load_average());
    if real.ceilings.is_empty() {
        println!("aiosmtpd: skipped (set OHJAUS_INTEROP_PYTHON to a Python with aiosmtpd)");
    } else {
        real.summary("aiosmtpd 1.4.6");
    }
    trivial.summary("trivial sink");
}
