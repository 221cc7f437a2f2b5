//! Delivery that survives failures: a worker killed mid-run loses
//! nothing; two workers on PostgreSQL never send a message twice, and their schedules send
//! one reminder per session and person and one digest per supervisor and week; an SMTP
//! server that stays down leaves rows `dead` with their error visible in the API.

use crate::support::mail::{SmtpSink, messages};
use crate::support::python::python;
use crate::support::{InProcess, MovedClock, Program, test_now};
use chrono::{DateTime, TimeDelta, Utc};
use ohjaus_core::notice::{Party, Recipient, Role, SessionSummary};
use ohjaus_core::{Locale, Notice};
use ohjaus_store::testing::{Schema, TestDatabase, test_backends};
use ohjaus_store::{Caller, Store};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// A reminder notice for person `i` (a snapshot: it needs no rows besides its outbox row).
fn reminder(i: usize, now: DateTime<Utc>) -> Notice {
    Notice::Reminder {
        recipient: Recipient {
            party: Party { name: format!("Osallistuja {i}"), email: format!("p{i}@crash.example") },
            locale: Locale::Fi,
            timezone: "Europe/Helsinki".into(),
            role: Role::Participant,
            id: Uuid::from_u128(i as u128 + 1),
        },
        session: SessionSummary {
            session_id: Uuid::from_u128(10_000 + i as u128),
            title: "Työnohjaus".into(),
            organization_name: "Kaukolan sairaala".into(),
            index: 1,
            total: 10,
            starts_at: now + TimeDelta::days(1),
            ends_at: now + TimeDelta::days(1) + TimeDelta::minutes(90),
            location: Some("Neuvotteluhuone 2".into()),
            video_url: None,
            phase: None,
            kind: Some("group_supervision".into()),
            supervisor: Some(Party { name: "Anna Virtanen".into(), email: "anna@ohjaus.example".into() }),
            cancellation_notice_hours: Some(168),
        },
    }
}

async fn enqueue(store: &Store, count: usize, tag: &str) {
    let now = test_now();
    for i in 0..count {
        assert!(store.enqueue_notice(&reminder(i, now), &format!("{tag}:{i}"), now).await.unwrap());
    }
}

/// The `Message-ID` of a delivered message (derived from its outbox row's id, so a message
/// delivered twice has the same one).
fn message_id(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix("Message-ID: ").or_else(|| l.strip_prefix("Message-Id: ")))
        .map(|v| v.trim().to_owned())
        .unwrap_or_else(|| panic!("no Message-ID in {}", file.display()))
}

/// Deliveries per Message-ID.
fn deliveries(dir: &Path) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for file in messages(dir) {
        *counts.entry(message_id(&file)).or_insert(0) += 1;
    }
    counts
}

async fn wait_until_sent(store: &Store, total: usize, timeout: Duration) {
    let started = Instant::now();
    loop {
        let counts: BTreeMap<String, i64> = store.outbox_counts().await.unwrap().into_iter().collect();
        if counts.get("sent").copied().unwrap_or(0) as usize >= total {
            return;
        }
        assert!(started.elapsed() < timeout, "not everything was sent in time: {counts:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn worker_program(database: &TestDatabase, sink: &SmtpSink, spool: &Path, owner: &str) -> Program {
    Program::new(database.url(), spool)
        .with("OHJAUS_MAIL__TRANSPORT", "smtp")
        .with("OHJAUS_MAIL__SMTP_URL", &sink.url())
        .with("OHJAUS_WORKER__LEASE_SECONDS", "2")
        .with("OHJAUS_WORKER__BATCH_SIZE", "25")
        .with("OHJAUS_WORKER__CONCURRENCY", "5")
        .with("OHJAUS_WORKER__OWNER", owner)
}

#[tokio::test]
async fn a_killed_worker_loses_nothing() {
    let Some(python) = python("crash test") else { return };
    for backend in test_backends() {
        let database = TestDatabase::create(&backend, Schema::Empty).await;
        let inbox = tempfile::tempdir().unwrap();
        let spool = tempfile::tempdir().unwrap();
        let sink = SmtpSink::start(&python, inbox.path(), 0);
        let store = Store::connect(database.url()).await.unwrap();
        store.migrate().await.unwrap();
        enqueue(&store, 1000, "crash").await;

        let mut worker = worker_program(&database, &sink, spool.path(), "first").spawn(&["worker"]);
        let started = Instant::now();
        while messages(inbox.path()).len() < 300 {
            assert!(started.elapsed() < Duration::from_secs(120), "the worker is too slow: {}", worker.log());
            std::thread::sleep(Duration::from_millis(10));
        }
        worker.kill();
        let at_kill = messages(inbox.path()).len();
        let _restarted = worker_program(&database, &sink, spool.path(), "second").spawn(&["worker"]);
        wait_until_sent(&store, 1000, Duration::from_secs(180)).await;
        std::thread::sleep(Duration::from_millis(500));

        let counts = deliveries(inbox.path());
        let duplicates: usize = counts.values().map(|n| n - 1).sum();
        eprintln!(
            "e2e crash test on {}: 1000 queued, {at_kill} delivered before SIGKILL, {} distinct delivered in all, \
             {duplicates} duplicate(s) (rows in flight at the kill; at most a batch of 25)",
            backend.name(),
            counts.len()
        );
        assert_eq!(counts.len(), 1000, "every message delivered");
        assert!(duplicates <= 25, "duplicates only of what was in flight: {duplicates}");
    }
}

#[tokio::test]
async fn two_workers_share_the_outbox_and_the_schedules() {
    let Some(python) = python("two workers") else { return };
    let Some(backend) = test_backends().into_iter().find(|b| b.name() == "postgres") else { return };
    let database = TestDatabase::create(&backend, Schema::Empty).await;
    let inbox = tempfile::tempdir().unwrap();
    let spool = tempfile::tempdir().unwrap();
    let sink = SmtpSink::start(&python, inbox.path(), 0);
    let store = Store::connect(database.url()).await.unwrap();
    store.migrate().await.unwrap();
    let booked = book_soon(&store).await;
    enqueue(&store, 400, "shared").await;

    let schedule = |owner: &str| {
        worker_program(&database, &sink, spool.path(), owner)
            .with("OHJAUS_SCHEDULE__ENABLED", "true")
            .with("OHJAUS_SCHEDULE__REMINDERS", "*/2 * * * * *")
            .with("OHJAUS_SCHEDULE__DIGEST", "*/3 * * * * *")
            .with("OHJAUS_SCHEDULE__REMINDER_HOURS", "72")
            .with("OHJAUS_SCHEDULE__CHECK_INTERVAL_MS", "200")
    };
    let mut one = schedule("worker-one").spawn(&["worker"]);
    let mut two = schedule("worker-two").spawn(&["worker"]);
    // Several ticks of both schedules pass while both workers run.
    tokio::time::sleep(Duration::from_secs(9)).await;
    let (reminders, digests) = (booked.reminders, 1);
    wait_until_sent(&store, 400 + booked.invites + reminders + digests, Duration::from_secs(120)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(one.terminate(Duration::from_secs(30)) && two.terminate(Duration::from_secs(30)), "graceful stops");

    let counts = deliveries(inbox.path());
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "no message sent twice: {twice:?}");
    let reminder_ids = outbox_rows_of_kind(&store, "reminder").await;
    let digest_ids = outbox_rows_of_kind(&store, "digest").await;
    eprintln!(
        "e2e two workers: {} messages, none twice; {reminder_ids} reminders, {digest_ids} digest(s)",
        counts.len()
    );
    assert_eq!(reminder_ids, reminders, "one reminder per session and person");
    assert_eq!(digest_ids, digests, "one digest per supervisor and week");
}

/// Outbox rows the schedules queued of one kind (their dedupe keys start with the kind; each
/// row is one message, and its Message-ID is the row's).
async fn outbox_rows_of_kind(store: &Store, kind: &str) -> usize {
    use ohjaus_store::entity::outbox;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let count = outbox::Entity::find()
        .filter(outbox::Column::Kind.eq(kind))
        .filter(outbox::Column::DedupeKey.starts_with(format!("{kind}:")))
        .count(store.connection())
        .await
        .unwrap();
    usize::try_from(count).unwrap()
}

/// What booking a series for tomorrow noon (Helsinki) queues and makes due.
struct Booked {
    invites: usize,
    reminders: usize,
}

async fn book_soon(store: &Store) -> Booked {
    use ohjaus_store::write::organizations::NewOrganization;
    use ohjaus_store::write::people::NewPerson;
    use ohjaus_store::write::supervisors::NewSupervisor;
    let admin = Caller::Admin;
    // The worker programs' clocks start at the same moment.
    let now = test_now();
    let org = store
        .create_organization(&admin, &NewOrganization { name: "Kaukola".into(), timezone: None, locale: None }, now)
        .await
        .unwrap();
    let supervisor = store
        .create_supervisor(
            &admin,
            &NewSupervisor {
                name: "Anna".into(),
                email: "anna@ohjaus.example".into(),
                locale: None,
                timezone: None,
                buffer_minutes: None,
                working_hours: None,
            },
            now,
        )
        .await
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..3 {
        let person = NewPerson { name: format!("Hoitaja {i}"), email: format!("h{i}@kaukola.example"), locale: None };
        ids.push(store.create_person(&admin, org.id, &person, now).await.unwrap().id);
    }
    let tomorrow = (now + TimeDelta::days(1)).with_timezone(&chrono_tz::Europe::Helsinki).date_naive();
    let body: ohjaus_core::SeriesBody = serde_json::from_value(serde_json::json!({
        "organization_id": org.id, "kind": "group_supervision", "title": "Työnohjaus",
        "supervisor_id": supervisor.id, "participant_ids": ids,
        "first_start": format!("{tomorrow}T12:00"), "duration_minutes": 60,
        "recurrence": {"frequency": "weekly", "count": 4}
    }))
    .unwrap();
    store.book_series(&admin, &body, now).await.unwrap();
    // Invites: three participants and the supervisor. Reminders: only the first session
    // starts within the 72 hours, so one for each of its three participants.
    Booked { invites: 4, reminders: 3 }
}

#[tokio::test]
async fn an_smtp_server_down_for_good_leaves_dead_rows_with_their_error() {
    let Some(python) = python("SMTP outage") else { return };
    let database = TestDatabase::create(&test_backends()[0], Schema::Empty).await;
    let server = InProcess::start(database.url(), test_now()).await;
    let inbox = tempfile::tempdir().unwrap();
    // A port with nothing behind it: start a sink to learn a free port, then stop it.
    let mut sink = SmtpSink::start(&python, inbox.path(), 0);
    sink.stop();
    enqueue(&server.store, 3, "outage").await;
    let mail = ohjaus_notify::MailConfig {
        transport: ohjaus_notify::TransportKind::Smtp,
        smtp_url: Some(sink.url()),
        smtp_timeout_ms: 2000,
        ..ohjaus_notify::MailConfig::default()
    };
    let time = MovedClock::starting_at(test_now());
    let worker = ohjaus_notify::Worker::new(
        server.store.clone(),
        ohjaus_notify::WorkerConfig { owner: Some("outage".into()), ..ohjaus_notify::WorkerConfig::default() },
        ohjaus_notify::Mailer::from_config(&mail).unwrap(),
    )
    .with_clock(time.clock());
    let (_stop, mut stop_rx) = tokio::sync::watch::channel(false);
    let admin = server.store.create_api_token(&Caller::Admin, Caller::Admin, None, server.now()).await.unwrap();
    let admin = admin.secret.expose().to_owned();
    // Each pass fails every row; moving the clock past the longest backoff makes them due.
    for _ in 0..ohjaus_store::outbox::queue::DEFAULT_MAX_ATTEMPTS + 1 {
        worker.pass(&mut stop_rx).await.unwrap();
        time.advance(TimeDelta::hours(2));
    }
    let dead = server.api.get("/api/v1/notifications?status=dead", &admin).await;
    let dead = dead.expect(200);
    let items = dead["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{dead}");
    for item in items {
        assert_eq!(item["attempts"], ohjaus_store::outbox::queue::DEFAULT_MAX_ATTEMPTS);
        assert!(item["last_error"].as_str().is_some_and(|e| !e.is_empty()), "{item}");
        assert!(!item.to_string().contains("p0@crash.example"), "no full address: {item}");
    }
}
