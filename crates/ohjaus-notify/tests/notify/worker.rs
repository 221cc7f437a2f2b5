//! The outbox worker on SQLite: delivery through the file transport and a real SMTP server,
//! an SMTP outage that heals, one that does not, a lease that passed, and graceful shutdown.

use crate::fixtures::{self, participant, supervisor_recipient};
use crate::mime;
use crate::sink::{self, Sink};
use crate::store::{self, HandClock};
use chrono::TimeDelta;
use ohjaus_core::{Locale, Notice};
use ohjaus_notify::{Mailer, ScheduleConfig, Transport, Worker, WorkerConfig};
use ohjaus_store::Clock;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::watch;

/// Every kind of notice, in every language: 27 messages.
fn all_kinds() -> Vec<Notice> {
    let mut notices = Vec::new();
    for locale in [Locale::Fi, Locale::Sv, Locale::En] {
        notices.extend([
            fixtures::booked(participant(locale)),
            fixtures::booked(supervisor_recipient(locale)),
            fixtures::moved(participant(locale)),
            fixtures::cancelled(participant(locale)),
            fixtures::series_cancelled(participant(locale)),
            fixtures::reminder(participant(locale)),
            fixtures::digest(supervisor_recipient(locale)),
            fixtures::sign_in(participant(locale)),
            fixtures::absence(supervisor_recipient(locale)),
        ]);
    }
    notices
}

fn config(owner: &str) -> WorkerConfig {
    WorkerConfig {
        poll_interval_ms: 20,
        batch_size: 10,
        concurrency: 4,
        lease_seconds: 60,
        owner: Some(owner.to_owned()),
        schedule: ScheduleConfig { enabled: false, ..ScheduleConfig::default() },
        note_retention_months: 12,
    }
}

fn mailer(transport: Transport) -> Mailer {
    Mailer::new(transport, "Ohjaus <noreply@ohjaus.example>".parse().expect("a mailbox"))
}

fn never_stop() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    std::mem::forget(tx);
    rx
}

/// Where the tests whose workers run in real time (leases, SMTP) start their clocks: a fixed
/// date, never the wall clock's.
fn running_since_fixture() -> chrono::DateTime<chrono::Utc> {
    fixtures::utc("2027-01-05T08:00:00Z")
}

/// A port on 127.0.0.1 where nothing listens.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    listener.local_addr().expect("an address").port()
}

#[tokio::test]
async fn the_worker_sends_every_kind_through_the_file_transport() {
    let (store, dir) = store::fresh().await;
    let clock = HandClock::at(fixtures::utc("2027-01-05T08:00:00Z"));
    store::enqueue(&store, &all_kinds(), clock.now()).await;
    let folder = dir.path().join("mail");
    let worker = Worker::new(store.clone(), config("file-worker"), mailer(Transport::file(&folder).expect("a folder")))
        .with_clock(clock.clock());
    let mut stop = never_stop();
    let mut sent = 0;
    for _ in 0..3 {
        sent += worker.pass(&mut stop).await.expect("a pass").sent;
    }
    assert_eq!(sent, 27);
    assert!(worker.pass(&mut stop).await.expect("a pass").claimed == 0, "nothing is left");

    let rows = store::rows(&store).await;
    assert!(rows.iter().all(|r| r.status == "sent" && r.attempts == 1 && r.sent_at == Some(clock.now())));
    for row in &rows {
        let raw = std::fs::read_to_string(folder.join(format!("{}.eml", row.id))).expect("one file per row");
        let email = mime::parse(&raw);
        assert_eq!(email.header("message-id"), Some(format!("<{}@ohjaus.example>", row.id)));
        if row.kind == "invite" {
            // The calendar object is ohjaus-ical's, and the MIME method repeats its METHOD.
            let calendar = &email.parts[0].parts[2];
            let ics = calendar.body_text();
            let method = ics.lines().find_map(|l| l.strip_prefix("METHOD:")).expect("a METHOD").trim().to_owned();
            assert!(calendar.header("content-type").expect("a type").contains(&format!("method={method}")));
            assert!(ics.contains("BEGIN:VTIMEZONE"), "{ics}");
            assert_eq!(email.parts[1].body_text(), ics, "the attachment is the same object");
        }
    }
}

#[tokio::test]
async fn the_worker_delivers_everything_to_a_real_smtp_server() {
    let Some(python) = sink::python("the_worker_delivers_everything_to_a_real_smtp_server") else { return };
    let (store, dir) = store::fresh().await;
    let sink = Sink::start(&python, &dir.path().join("sink"), 0);
    let notices = all_kinds();
    store::enqueue(&store, &notices, running_since_fixture()).await;

    let transport = Transport::smtp(&sink.url(), 4, Duration::from_secs(10)).expect("a transport");
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
    let worker = Worker::new(store.clone(), config("smtp-worker"), mailer(transport))
        .with_clock(Clock::starting_at(running_since_fixture()));
    let running = tokio::spawn(ohjaus_notify::run(worker, async {
        let _ = done_rx.await;
    }));
    let messages = tokio::task::spawn_blocking(move || {
        let messages = sink.wait_for(notices.len(), Duration::from_secs(60));
        (sink, messages)
    });
    let (sink, messages) = messages.await.expect("waited");
    let _ = done_tx.send(());
    running.await.expect("the worker task").expect("the worker ends cleanly");

    assert_eq!(messages.len(), 27, "every message arrived once");
    let ids: BTreeSet<String> = messages
        .iter()
        .map(|raw| mime::parse(raw.split_once("\r\n").expect("the sink's line").1).header("message-id").expect("an id"))
        .collect();
    assert_eq!(ids.len(), 27, "27 distinct messages");
    assert!(store::rows(&store).await.iter().all(|r| r.status == "sent"));
    drop(sink);
}

#[tokio::test]
async fn an_smtp_outage_delays_but_loses_nothing() {
    let Some(python) = sink::python("an_smtp_outage_delays_but_loses_nothing") else { return };
    let (store, dir) = store::fresh().await;
    let mut sink = Sink::start(&python, &dir.path().join("sink"), 0);
    let clock = HandClock::at(fixtures::utc("2027-01-05T08:00:00Z"));
    let notices: Vec<Notice> = all_kinds().into_iter().take(10).collect();
    store::enqueue(&store, &notices, clock.now()).await;
    let transport = Transport::smtp(&sink.url(), 2, Duration::from_secs(5)).expect("a transport");
    let worker = Worker::new(store.clone(), config("outage"), mailer(transport)).with_clock(clock.clock());
    let mut stop = never_stop();

    sink.stop();
    let report = worker.pass(&mut stop).await.expect("a pass");
    assert_eq!((report.claimed, report.retried, report.sent), (10, 10, 0));
    for row in store::rows(&store).await {
        assert_eq!((row.status.as_str(), row.attempts), ("queued", 1));
        assert!(row.next_attempt_at > clock.now(), "backoff");
        let error = row.last_error.expect("the error is kept");
        assert!(!error.contains("maija.meikalainen@"), "no full address in the error: {error}");
    }
    assert_eq!(worker.pass(&mut stop).await.expect("a pass").claimed, 0, "nothing is due during the backoff");

    sink.restart();
    clock.advance(TimeDelta::minutes(1));
    let report = worker.pass(&mut stop).await.expect("a pass");
    assert_eq!((report.claimed, report.sent), (10, 10));
    assert_eq!(sink.wait_for(10, Duration::from_secs(10)).len(), 10);
    for row in store::rows(&store).await {
        assert_eq!((row.status.as_str(), row.attempts), ("sent", 2));
    }
}

#[tokio::test]
async fn a_server_down_for_good_leaves_rows_dead_with_the_error() {
    let (store, _dir) = store::fresh().await;
    let clock = HandClock::at(fixtures::utc("2027-01-05T08:00:00Z"));
    store::enqueue(&store, &all_kinds()[..3], clock.now()).await;
    let url = format!("smtp://127.0.0.1:{}", closed_port());
    let transport = Transport::smtp(&url, 2, Duration::from_secs(5)).expect("a transport");
    let worker = Worker::new(store.clone(), config("down"), mailer(transport)).with_clock(clock.clock());
    let mut stop = never_stop();
    let mut dead = 0;
    for _ in 0..20 {
        let report = worker.pass(&mut stop).await.expect("a pass");
        assert_eq!(report.sent, 0);
        dead += report.dead;
        clock.advance(TimeDelta::hours(2));
    }
    assert_eq!(dead, 3);
    for row in store::rows(&store).await {
        assert_eq!(row.status, "dead");
        assert_eq!(row.attempts, row.max_attempts, "every attempt was made");
        let error = row.last_error.expect("the error is kept");
        assert!(error.to_lowercase().contains("connect"), "{error}");
    }
}

#[tokio::test]
async fn an_ack_after_the_lease_passed_is_refused_and_the_row_sent_again() {
    let (store, dir) = store::fresh().await;
    let start = fixtures::utc("2027-01-05T08:00:00Z");
    store::enqueue(&store, &all_kinds()[..1], start).await;
    // The claim happens at `start`; everything after it (the send, the ack) two hours later,
    // as if the worker had stalled past its 60-second lease.
    let calls = Arc::new(AtomicUsize::new(0));
    let stalling = {
        let calls = calls.clone();
        Clock::from_fn(
            move || if calls.fetch_add(1, Ordering::SeqCst) == 0 { start } else { start + TimeDelta::hours(2) },
        )
    };
    let folder = dir.path().join("mail");
    let transport = Transport::file(&folder).expect("a folder");
    let stalled = Worker::new(store.clone(), config("stalled"), mailer(transport.clone())).with_clock(stalling);
    let mut stop = never_stop();
    let report = stalled.pass(&mut stop).await.expect("a pass");
    assert_eq!((report.claimed, report.sent, report.stale), (1, 0, 1), "the stale ack is logged, not fatal");
    assert_eq!(store::rows(&store).await[0].status, "sending");

    let clock = HandClock::at(start + TimeDelta::hours(2));
    let other = Worker::new(store.clone(), config("other"), mailer(transport)).with_clock(clock.clock());
    let report = other.pass(&mut stop).await.expect("a pass");
    assert_eq!((report.claimed, report.sent), (1, 1), "the expired lease is claimed again");
    let row = &store::rows(&store).await[0];
    assert_eq!((row.status.as_str(), row.attempts), ("sent", 2));
    assert_eq!(std::fs::read_dir(&folder).expect("a folder").count(), 1, "the second send replaced the file");
}

#[tokio::test]
async fn shutdown_finishes_the_messages_in_hand() {
    let (store, dir) = store::fresh().await;
    let now = running_since_fixture();
    let notices: Vec<Notice> = (0..8).flat_map(|_| all_kinds()).collect();
    store::enqueue(&store, &notices, now).await;
    let folder = dir.path().join("mail");
    let transport = Transport::file(&folder).expect("a folder");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let config = WorkerConfig { batch_size: 20, concurrency: 2, ..config("graceful") };
    let worker = Worker::new(store.clone(), config, mailer(transport)).with_clock(Clock::starting_at(now));
    let running = tokio::spawn(ohjaus_notify::run(worker, async {
        let _ = stop_rx.await;
    }));
    // Stop as soon as some messages are out.
    while std::fs::read_dir(&folder).map(|d| d.count()).unwrap_or(0) < 5 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let _ = stop_tx.send(());
    running.await.expect("the worker task").expect("the worker ends cleanly");

    let rows = store::rows(&store).await;
    let sent: BTreeSet<String> = rows.iter().filter(|r| r.status == "sent").map(|r| format!("{}.eml", r.id)).collect();
    let files: BTreeSet<String> = std::fs::read_dir(&folder)
        .expect("a folder")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, sent, "every message handed over was acked, and only those");
    assert!(sent.len() < rows.len(), "the worker stopped before the end ({} of {})", sent.len(), rows.len());
    assert!(rows.iter().all(|r| matches!(r.status.as_str(), "sent" | "queued" | "sending")), "nothing lost");
}

/// Unfolds an iCalendar text into its content lines.
fn content_lines(ics: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for physical in ics.split("\r\n").filter(|l| !l.is_empty()) {
        match physical.strip_prefix(' ') {
            Some(rest) => lines.last_mut().expect("a folded line continues one").push_str(rest),
            None => lines.push(physical.to_owned()),
        }
    }
    lines
}

#[tokio::test]
async fn hostile_names_and_titles_arrive_whole_and_add_nothing() {
    const HOSTILE: &str = "Tiimi; \"A\", <b>ÄÖÅ</b> 🎉\r\nBcc: victim@evil.example\r\nX-EVIL:1\r\n\r\nInjected";
    let mut notice = fixtures::booked(participant(Locale::Sv));
    if let Notice::Invite { recipient, organizer, attendees, series, .. } = &mut notice {
        recipient.party.name = format!("Märta, Öhman; {HOSTILE}");
        organizer.name = format!("Sari {HOSTILE}");
        attendees[0].name = recipient.party.name.clone();
        series.title = format!("Handledning {HOSTILE}");
    }
    let (store, dir) = store::fresh().await;
    let clock = HandClock::at(fixtures::utc("2027-01-05T08:00:00Z"));
    store::enqueue(&store, &[notice], clock.now()).await;
    let folder = dir.path().join("mail");
    let worker = Worker::new(store.clone(), config("hostile"), mailer(Transport::file(&folder).expect("a folder")))
        .with_clock(clock.clock());
    assert_eq!(worker.pass(&mut never_stop()).await.expect("a pass").sent, 1);
    let row = &store::rows(&store).await[0];
    let raw = std::fs::read_to_string(folder.join(format!("{}.eml", row.id))).expect("the message");
    let email = mime::parse(&raw);

    // Headers: the same set as any invite, the values whole and on one line.
    let mut names: Vec<String> = email.headers.iter().map(|(name, _)| name.to_ascii_lowercase()).collect();
    names.sort();
    assert_eq!(
        names,
        ["auto-submitted", "content-type", "date", "from", "message-id", "mime-version", "reply-to", "subject", "to"]
    );
    let flat = "Tiimi; \"A\", <b>ÄÖÅ</b> 🎉 Bcc: victim@evil.example X-EVIL:1 Injected";
    let subject = email.decoded_header("subject").expect("a subject");
    assert!(subject.starts_with(&format!("Inbjudan: Handledning {flat} – 4 träffar")), "{subject}");
    assert!(email.decoded_header("to").expect("To").starts_with(&format!("Märta, Öhman; {flat} <")));

    // Bodies: the title whole in the text, escaped in the HTML.
    let text = email.parts[0].parts[0].body_text();
    assert!(text.contains(&format!("”Handledning {flat}”")), "{text}");
    assert!(email.parts[0].parts[1].body_text().contains("&lt;b&gt;ÄÖÅ&lt;/b&gt; 🎉"));

    // The calendar: no property beyond the expected ones, SUMMARY whole, escaped.
    let ics = email.parts[0].parts[2].body_text();
    let lines = content_lines(&ics);
    let mut names: BTreeSet<String> = BTreeSet::new();
    for line in &lines {
        let name = line.split([':', ';']).next().expect("a name").to_owned();
        assert!(!name.starts_with("X-EVIL") && !name.starts_with("Bcc") && !name.is_empty(), "{line}");
        names.insert(name);
    }
    let summary = lines.iter().find(|l| l.starts_with("SUMMARY")).expect("a SUMMARY");
    assert_eq!(
        summary,
        "SUMMARY:Handledning Tiimi\\; \"A\"\\, <b>ÄÖÅ</b> 🎉  Bcc: victim@evil.example  X-EVIL:1    Injected"
    );
    assert!(ics.split("\r\n").all(|l| l.len() <= 75), "folded at 75 octets");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_on_postgresql_never_send_a_row_twice() {
    let Some(db) = store::postgres("two_workers_on_postgresql_never_send_a_row_twice").await else { return };
    let now = running_since_fixture();
    let notices: Vec<Notice> = (0..4).flat_map(|_| all_kinds()).collect();
    store::enqueue(&db.store, &notices, now).await;
    let dir = tempfile::tempdir().expect("a folder");
    let folders = [dir.path().join("a"), dir.path().join("b")];
    let workers: Vec<Worker> = ["a", "b"]
        .iter()
        .zip(&folders)
        .map(|(owner, folder)| {
            let config = WorkerConfig { batch_size: 7, ..config(owner) };
            Worker::new(db.store.clone(), config, mailer(Transport::file(folder).expect("a folder")))
                .with_clock(Clock::starting_at(now))
        })
        .collect();
    let drain = |worker: Worker| async move {
        let mut stop = never_stop();
        let mut sent = 0;
        loop {
            let report = worker.pass(&mut stop).await.expect("a pass");
            if report.claimed == 0 {
                return sent;
            }
            sent += report.sent;
        }
    };
    let (a, b) = tokio::join!(drain(workers[0].clone()), drain(workers[1].clone()));
    let files = |folder: &std::path::Path| -> BTreeSet<String> {
        std::fs::read_dir(folder)
            .expect("a folder")
            .map(|e| e.expect("an entry").file_name().to_string_lossy().into())
            .collect()
    };
    let (in_a, in_b) = (files(&folders[0]), files(&folders[1]));
    assert_eq!(a + b, notices.len());
    assert_eq!(in_a.len() + in_b.len(), notices.len());
    assert!(in_a.is_disjoint(&in_b), "a row went out through both workers");
    assert!(store::rows(&db.store).await.iter().all(|r| r.status == "sent" && r.attempts == 1));
    db.finish().await;
}
