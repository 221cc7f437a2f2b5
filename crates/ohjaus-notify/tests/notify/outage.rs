//! The worker through trouble it must ride out, as its log tells it (tracing captured): the
//! database unreachable (PostgreSQL behind a proxy the test cuts and restores) and a mail
//! folder that cannot be written. Each spell is said once when it begins and once when it
//! ends, however many polls or messages meet it; nothing is lost, everything queued before
//! and during the spell is delivered after it, without a restart.

use crate::fixtures::{self, participant, supervisor_recipient};
use crate::store::{self, HandClock};
use chrono::TimeDelta;
use ohjaus_core::{Locale, Notice};
use ohjaus_notify::{Mailer, ScheduleConfig, Transport, Worker, WorkerConfig};
use ohjaus_store::Store;
use ohjaus_store::testing::proxy::DbProxy;
use ohjaus_store::testing::{Schema, TestBackend, TestDb, postgres_server};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// The log of this test's thread, as text.
#[derive(Clone, Default)]
pub(crate) struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    /// Captures what is logged on this thread (a current-thread runtime runs every task of
    /// the test on it) until the guard is dropped.
    fn capture(&self) -> tracing::subscriber::DefaultGuard {
        self.capture_from(tracing::Level::INFO)
    }

    /// [`Self::capture`] of everything at `level` and above.
    pub(crate) fn capture_from(&self, level: tracing::Level) -> tracing::subscriber::DefaultGuard {
        let subscriber =
            tracing_subscriber::fmt().with_writer(self.clone()).with_ansi(false).with_max_level(level).finish();
        tracing::subscriber::set_default(subscriber)
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("the log")).into_owned()
    }

    /// The lines containing `needle`.
    fn lines(&self, needle: &str) -> Vec<String> {
        self.text().lines().filter(|l| l.contains(needle)).map(str::to_owned).collect()
    }
}

impl std::io::Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("the log").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Logs {
    type Writer = Self;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Fast polling, and the schedules checked often too: both loops meet the outage.
fn config(owner: &str) -> WorkerConfig {
    WorkerConfig {
        poll_interval_ms: 20,
        owner: Some(owner.to_owned()),
        schedule: ScheduleConfig { enabled: true, check_interval_ms: 100, ..ScheduleConfig::default() },
        ..WorkerConfig::default()
    }
}

fn notices(count: usize) -> Vec<Notice> {
    let kinds = [fixtures::booked(participant(Locale::Fi)), fixtures::digest(supervisor_recipient(Locale::En))];
    kinds.into_iter().cycle().take(count).collect()
}

async fn queue(store: &Store, notices: &[Notice], prefix: &str, clock: &HandClock) {
    for (n, notice) in notices.iter().enumerate() {
        assert!(store.enqueue_notice(notice, &format!("{prefix}:{n}"), clock.now()).await.expect("queues"));
    }
}

/// The `.eml` files in `folder`.
fn files(folder: &Path) -> usize {
    std::fs::read_dir(folder).map_or(0, |entries| {
        entries.filter_map(Result::ok).filter(|e| e.path().extension().is_some_and(|x| x == "eml")).count()
    })
}

/// Waits until `folder` holds `count` messages.
async fn delivered(folder: &Path, count: usize) {
    let started = Instant::now();
    while files(folder) < count {
        assert!(started.elapsed() < Duration::from_secs(60), "{} of {count} messages delivered", files(folder));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Runs `worker` until the sender is used or dropped.
fn run(worker: Worker) -> (oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let (stop, stopped) = oneshot::channel::<()>();
    let running = tokio::spawn(async move {
        ohjaus_notify::run(worker, async {
            let _ = stopped.await;
        })
        .await
        .expect("the worker starts");
    });
    (stop, running)
}

#[tokio::test(flavor = "current_thread")]
async fn the_worker_rides_out_a_database_outage_and_says_so_once() {
    let Some(server) = postgres_server() else { return };
    let logs = Logs::default();
    let _capture = logs.capture();
    let db = TestDb::create(&TestBackend::Postgres(server), Schema::Migrated).await;
    let proxy = DbProxy::start(db.url()).await;
    // A connection for each of the worker's loops (outbox, schedules, calendar sync) and one to
    // spare: with fewer, a loop that waits for the pool right after the outage reads as a new one.
    let store = Store::connect_waiting(&proxy.url(db.url()), Some(4), Duration::from_secs(1)).await.expect("connects");
    let clock = HandClock::at(fixtures::utc("2027-01-05T08:00:00Z"));
    let folder = tempfile::tempdir().expect("a folder");
    let mailer = Mailer::new(
        Transport::file(folder.path()).expect("a transport"),
        "Ohjaus <noreply@ohjaus.example>".parse().expect("a mailbox"),
    );
    let worker = Worker::new(store.clone(), config("outage"), mailer)
        .with_clock(clock.clock())
        .with_outage_backoff(Duration::from_millis(400));
    queue(&db.store, &notices(3), "before", &clock).await;
    let (stop, running) = run(worker);
    delivered(folder.path(), 3).await;

    proxy.cut();
    // Many polls of both loops meet the outage (each fails within the second's wait, then
    // pauses up to 0.4 s); meanwhile the program's other half goes on writing (straight to
    // the server, not through the proxy).
    tokio::time::sleep(Duration::from_secs(4)).await;
    queue(&db.store, &notices(2), "during", &clock).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(files(folder.path()), 3, "nothing is delivered while the database is away");
    proxy.restore().await;
    delivered(folder.path(), 5).await;
    let _ = stop.send(());
    running.await.expect("the worker ran");

    let began = logs.lines("the database cannot be reached");
    let ended = logs.lines("the database can be reached again");
    assert_eq!(began.len(), 1, "one warning for the outage:\n{}", logs.text());
    assert!(began[0].contains("WARN"), "{}", began[0]);
    assert_eq!(ended.len(), 1, "one line when it ends:\n{}", logs.text());
    assert!(logs.lines("ERROR").is_empty(), "an outage is not an error:\n{}", logs.text());
    drop(proxy);
    db.finish().await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_mail_folder_that_cannot_be_written_is_said_once_with_its_path() {
    let logs = Logs::default();
    let _capture = logs.capture();
    let (store, scratch) = store::fresh().await;
    let clock = HandClock::at(fixtures::utc("2027-01-05T08:00:00Z"));
    let folder = scratch.path().join("mail");
    let mailer = Mailer::new(
        Transport::file(&folder).expect("a transport"),
        "Ohjaus <noreply@ohjaus.example>".parse().expect("a mailbox"),
    );
    let worker = Worker::new(store.clone(), config("folder"), mailer).with_clock(clock.clock());
    queue(&store, &notices(2), "before", &clock).await;
    let (stop, running) = run(worker);
    delivered(&folder, 2).await;

    // The folder becomes a file: nothing can be written there.
    std::fs::remove_dir_all(&folder).expect("removed");
    std::fs::write(&folder, b"not a folder").expect("written");
    queue(&store, &notices(6), "during", &clock).await;
    let started = Instant::now();
    while store::rows(&store).await.iter().filter(|r| r.attempts > 0 && r.status == "queued").count() < 6 {
        assert!(started.elapsed() < Duration::from_secs(30), "the failures were not recorded");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Writable again; the retries fall due, and go through.
    std::fs::remove_file(&folder).expect("removed");
    clock.advance(TimeDelta::hours(1));
    // The folder is made again, and holds the six (the first two went with the old one).
    delivered(&folder, 6).await;
    assert!(store::rows(&store).await.iter().all(|r| r.status == "sent"));
    let _ = stop.send(());
    running.await.expect("the worker ran");

    let said = logs.lines("messages cannot be handed over");
    assert_eq!(said.len(), 1, "once for six messages:\n{}", logs.text());
    assert!(said[0].contains(&folder.display().to_string()), "the path is named: {}", said[0]);
    assert_eq!(logs.lines("messages are handed over again").len(), 1, "{}", logs.text());
    assert!(!logs.text().contains("maija.meikalainen@hus.example"), "no full address in the log");
}
