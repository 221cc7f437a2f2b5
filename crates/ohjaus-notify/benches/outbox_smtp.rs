//! Messages per second from the outbox to a local SMTP server, beside that server's ceiling
//! measured with a raw SMTP client in the same run.
//!
//! `cargo bench -p ohjaus-notify --bench outbox_smtp [-- MESSAGES]`
//!
//! The server is a tiny SMTP sink written here (tokio; it answers 250 to everything and counts
//! the messages), because a Python server (aiosmtpd) would be the bottleneck and measure
//! itself. The ceiling is what a raw client — SMTP commands written straight to a
//! `TCP_NODELAY` socket, the same pre-built message, the same number of connections, no
//! database — gets through that server. The worker's figure includes everything it does per message: claim from
//! SQLite under a lease, render the .ics (`ohjaus-ical`) and the email (fi/sv/en), send over
//! lettre's pooled SMTP transport, ack.

use chrono::Utc;
use ohjaus_core::notice::{CalendarMessage, Change, Party, Recipient, Role, SeriesInfo};
use ohjaus_core::{CalendarEvent, EventInstance, Locale, Notice, SessionStatus};
use ohjaus_notify::{Envelope, Mailer, ScheduleConfig, Transport, Worker, WorkerConfig, compose};
use ohjaus_store::Store;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use uuid::Uuid;

/// Connections to the server, in both measurements.
const CONNECTIONS: u32 = 8;

/// The sink: one task per connection; 250 to everything, 354 to DATA, counts messages.
async fn sink(listener: TcpListener, received: Arc<AtomicU64>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { return };
        let received = received.clone();
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
                    received.fetch_add(1, Ordering::Relaxed);
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

fn rate(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

/// The ceiling: raw clients over `CONNECTIONS` connections, `count` messages in all.
async fn ceiling(port: u16, message: Arc<Vec<u8>>, count: u64) -> (u64, Duration) {
    let per_connection = count / u64::from(CONNECTIONS);
    let start = Instant::now();
    let clients: Vec<_> =
        (0..CONNECTIONS).map(|_| tokio::spawn(raw_client(port, message.clone(), per_connection))).collect();
    for client in clients {
        client.await.expect("a client");
    }
    (per_connection * u64::from(CONNECTIONS), start.elapsed())
}

/// The worker: queues `count` invites in a fresh SQLite outbox, then times the passes that
/// claim, render, send through `transport` and ack them all.
async fn outbox(transport: Transport, concurrency: u32, count: u64, from: &lettre::message::Mailbox) -> Duration {
    let dir = tempfile::tempdir().expect("a folder");
    let store = Store::connect(&format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display()))
        .await
        .expect("connects");
    store.migrate().await.expect("migrates");
    let now = Utc::now();
    for n in 0..count as usize {
        let locale = [Locale::Fi, Locale::Sv, Locale::En][n % 3];
        store.enqueue_notice(&invite(n, locale), &format!("bench:{n}"), now).await.expect("queues");
    }
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
    let start = Instant::now();
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
    start.elapsed()
}

fn line(label: &str, count: u64, elapsed: Duration, ceiling: Option<f64>) {
    let per_second = rate(count, elapsed);
    let share = ceiling.map(|c| format!(" ({:.0}% of the ceiling)", 100.0 * per_second / c)).unwrap_or_default();
    println!("{label}: {count} messages in {:.2} s = {per_second:.0} msg/s{share}", elapsed.as_secs_f64());
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

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let messages: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(5000);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let port = listener.local_addr().expect("an address").port();
    let received = Arc::new(AtomicU64::new(0));
    tokio::spawn(sink(listener, received.clone()));

    // The same message both ways: an invite as the worker builds it.
    let from: lettre::message::Mailbox = "Ohjaus <noreply@ohjaus.example>".parse().expect("a mailbox");
    let sample = invite(0, Locale::Fi);
    let calendar = ohjaus_notify::worker::render_calendar(&sample, Utc::now()).expect("renders");
    let email = compose(&sample, calendar.as_ref(), &Envelope::for_key(from.clone(), "bench", Utc::now()))
        .expect("composes")
        .formatted();
    let size = email.len();
    // Dot-stuffing, as an SMTP client must, and the end of data in the same write.
    let mut stuffed = String::from_utf8(email).expect("ASCII").replace("\r\n.", "\r\n..");
    stuffed.push_str("\r\n.\r\n");
    let stuffed = Arc::new(stuffed.into_bytes());
    let smtp = |port: u16, pool: u32| {
        Transport::smtp(&format!("smtp://127.0.0.1:{port}"), pool, Duration::from_secs(10)).expect("a transport")
    };

    println!("message: an invite of 10 sessions, {size} bytes (text, HTML, .ics inline and attached)");
    println!("-- the Rust sink (answers 250 to everything)");
    let (raw_count, raw_elapsed) = ceiling(port, stuffed.clone(), messages).await;
    assert_eq!(received.load(Ordering::Relaxed), raw_count);
    let top = rate(raw_count, raw_elapsed);
    line(&format!("ceiling: raw SMTP client, {CONNECTIONS} connections"), raw_count, raw_elapsed, None);
    let elapsed = outbox(smtp(port, CONNECTIONS), CONNECTIONS, messages, &from).await;
    line(&format!("outbox → SMTP, pool of {CONNECTIONS}"), messages, elapsed, Some(top));
    let elapsed = outbox(smtp(port, 1), 1, messages / 5, &from).await;
    line("outbox → SMTP, one connection", messages / 5, elapsed, Some(top));
    let start = Instant::now();
    let mut calendar_time = Duration::ZERO;
    for n in 0..messages as usize {
        let notice = invite(n, [Locale::Fi, Locale::Sv, Locale::En][n % 3]);
        let t = Instant::now();
        let calendar = ohjaus_notify::worker::render_calendar(&notice, Utc::now()).expect("renders");
        calendar_time += t.elapsed();
        let envelope = Envelope::for_key(from.clone(), &n.to_string(), Utc::now());
        std::hint::black_box(compose(&notice, calendar.as_ref(), &envelope).expect("composes").formatted());
    }
    let elapsed = start.elapsed();
    line("rendering alone (.ics + email, one thread)", messages, elapsed, None);
    println!("  of which the .ics: {:.0} µs a message", calendar_time.as_secs_f64() * 1e6 / messages as f64);
    let elapsed = outbox(Transport::Log, CONNECTIONS, messages, &from).await;
    line("outbox → log transport (the worker's own cost: claim, render, ack)", messages, elapsed, None);

    let folder = tempfile::tempdir().expect("a folder");
    match aiosmtpd(folder.path()) {
        Some((mut child, port)) => {
            println!("-- aiosmtpd 1.4.6 (tests/interop/smtp_sink.py: one file per message)");
            let count = messages / 5;
            let (raw_count, raw_elapsed) = ceiling(port, stuffed.clone(), count).await;
            let top = rate(raw_count, raw_elapsed);
            line(&format!("ceiling: raw SMTP client, {CONNECTIONS} connections"), raw_count, raw_elapsed, None);
            let elapsed = outbox(smtp(port, CONNECTIONS), CONNECTIONS, count, &from).await;
            line(&format!("outbox → SMTP, pool of {CONNECTIONS}"), count, elapsed, Some(top));
            let _ = child.kill();
            let _ = child.wait();
        }
        None => println!("-- aiosmtpd: skipped (set OHJAUS_INTEROP_PYTHON to a Python with aiosmtpd)"),
    }
}
