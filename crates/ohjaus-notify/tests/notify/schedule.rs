//! Reminders and digests over a series booked through the store: once per session and person,
//! once per supervisor and week, with two workers running the schedules, and a missed tick
//! caught up once.

use crate::fixtures;
use crate::mime;
use crate::store::{self, HandClock};
use chrono::{DateTime, TimeDelta, Utc};
use ohjaus_core::SeriesBody;
use ohjaus_notify::{Mailer, ScheduleConfig, Scheduler, Transport, Worker, WorkerConfig};
use ohjaus_store::entity::{job_lease, outbox};
use ohjaus_store::write::organizations::NewOrganization;
use ohjaus_store::write::people::NewPerson;
use ohjaus_store::write::supervisors::NewSupervisor;
use ohjaus_store::{Caller, Store};
use sea_orm::EntityTrait;
use tokio::sync::watch;
use uuid::Uuid;

struct Booked {
    supervisor: Uuid,
    people: Vec<Uuid>,
    sessions: Vec<Uuid>,
}

/// A Helsinki ward with two nurses (one reads Swedish) in weekly group supervision on
/// Wednesdays 13.00–14.30 from 13.1.2027, four sessions; and a second supervisor with nothing.
async fn book(store: &Store, now: DateTime<Utc>) -> Booked {
    let admin = Caller::Admin;
    let organization = store
        .create_organization(
            &admin,
            &NewOrganization { name: "HUS Meilahti".into(), timezone: None, locale: None },
            now,
        )
        .await
        .expect("an organization");
    let supervisor = |name: &str, email: &str| NewSupervisor {
        name: name.into(),
        email: email.into(),
        locale: None,
        timezone: None,
        buffer_minutes: None,
        working_hours: None,
    };
    let sari =
        store.create_supervisor(&admin, &supervisor("Sari Ohjaaja", "sari@tyonohjaus.example"), now).await.expect("");
    store.create_supervisor(&admin, &supervisor("Idle Ohjaaja", "idle@tyonohjaus.example"), now).await.expect("");
    let mut people = Vec::new();
    for (name, email, locale) in [("Maija", "maija@hus.example", None), ("Märta", "marta@hus.example", Some("sv"))] {
        let new = NewPerson { name: name.into(), email: email.into(), locale: locale.map(str::to_owned) };
        people.push(store.create_person(&admin, organization.id, &new, now).await.expect("a person").id);
    }
    let body: SeriesBody = serde_json::from_value(serde_json::json!({
        "organization_id": organization.id,
        "supervisor_id": sari.id,
        "participant_ids": people,
        "kind": "group_supervision",
        "title": "Osasto 5:n työnohjaus",
        "first_start": "2027-01-13T13:00",
        "duration_minutes": 90,
        "recurrence": { "frequency": "weekly", "count": 4 },
        "location": "Neuvotteluhuone 3",
        "cancellation_notice_hours": 48
    }))
    .expect("a body");
    let detail = store.book_series(&admin, &body, now).await.expect("booked");
    Booked { supervisor: sari.id, people, sessions: detail.sessions.iter().map(|s| s.id).collect() }
}

fn worker(store: &Store, owner: &str, clock: &HandClock, transport: Transport) -> Worker {
    let config = WorkerConfig { owner: Some(owner.to_owned()), ..WorkerConfig::default() };
    let mailer = Mailer::new(transport, "Ohjaus <noreply@ohjaus.example>".parse().expect("a mailbox"));
    Worker::new(store.clone(), config, mailer).with_clock(clock.clock())
}

fn scheduler() -> Scheduler {
    Scheduler::new(&ScheduleConfig::default()).expect("the default schedules")
}

async fn keys(store: &Store, prefix: &str) -> Vec<String> {
    let mut keys: Vec<String> =
        store::rows(store).await.into_iter().map(|r| r.dedupe_key).filter(|k| k.starts_with(prefix)).collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn reminders_go_once_per_session_and_person_whatever_the_workers() {
    let (store, _dir) = store::fresh().await;
    reminders_once(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_go_once_on_postgresql_with_two_workers() {
    let Some(db) = store::postgres("reminders_go_once_on_postgresql_with_two_workers").await else { return };
    reminders_once(&db.store).await;
    db.finish().await;
}

async fn reminders_once(store: &Store) {
    let store = store.clone();
    // Tuesday 12.1.2027 08:00 Helsinki: after the 07:00 tick; session 1 is tomorrow 13:00.
    let clock = HandClock::at(fixtures::utc("2027-01-12T06:00:00Z"));
    let booked = book(&store, clock.now() - TimeDelta::days(7)).await;
    let a = worker(&store, "a", &clock, Transport::Log);
    let b = worker(&store, "b", &clock, Transport::Log);
    let schedules = scheduler();

    let (first, second) = tokio::join!(schedules.check(&a), schedules.check(&b));
    let (first, second) = (first.expect("checks"), second.expect("checks"));
    let runs: Vec<_> = [first.0, second.0].into_iter().flatten().collect();
    assert_eq!(runs.len(), 1, "one worker runs the tick");
    assert_eq!(runs[0].queued, 2, "both participants of session 1");

    let expected: Vec<String> =
        booked.people.iter().map(|p| format!("reminder:{}:{p}", booked.sessions[0])).collect::<Vec<_>>();
    let mut expected = expected;
    expected.sort();
    assert_eq!(keys(&store, "reminder:").await, expected);

    // The same tick again, by either worker: nothing.
    assert_eq!(schedules.check(&a).await.expect("checks").0, None);
    assert_eq!(schedules.check(&b).await.expect("checks").0, None);
    // The next day's tick runs, but session 1's reminders exist already.
    clock.advance(TimeDelta::days(1));
    let next = schedules.check(&b).await.expect("checks").0.expect("the next tick runs");
    assert_eq!((next.queued, next.already), (0, 2));
    assert_eq!(keys(&store, "reminder:").await.len(), 2);
}

#[tokio::test]
async fn a_missed_tick_is_caught_up_once() {
    let (store, _dir) = store::fresh().await;
    let clock = HandClock::at(fixtures::utc("2027-01-09T06:00:00Z"));
    let booked = book(&store, clock.now()).await;
    let a = worker(&store, "a", &clock, Transport::Log);
    let schedules = scheduler();
    assert!(schedules.check(&a).await.expect("checks").0.is_some(), "Saturday's tick");
    // Down from Saturday to Tuesday 08:00: the ticks of Sunday, Monday and Tuesday were missed.
    clock.advance(TimeDelta::days(3));
    let (caught_up, _) = schedules.check(&a).await.expect("checks");
    assert!(caught_up.is_some(), "the latest missed tick runs");
    for _ in 0..3 {
        assert_eq!(schedules.check(&a).await.expect("checks").0, None, "and only once");
    }
    let lease =
        job_lease::Entity::find_by_id("reminders").one(store.connection()).await.expect("reads").expect("a row");
    assert_eq!(lease.last_tick_at, Some(fixtures::utc("2027-01-12T05:00:00Z")), "Tuesday 07:00 Helsinki");
    assert_eq!(keys(&store, "reminder:").await.len(), booked.people.len());
}

#[tokio::test]
async fn each_supervisor_gets_one_digest_a_week() {
    let (store, dir) = store::fresh().await;
    digest_once(&store, dir.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_digest_a_week_on_postgresql_with_two_workers() {
    let Some(db) = store::postgres("one_digest_a_week_on_postgresql_with_two_workers").await else { return };
    let dir = tempfile::tempdir().expect("a folder");
    digest_once(&db.store, dir.path()).await;
    db.finish().await;
}

async fn digest_once(store: &Store, dir: &std::path::Path) {
    let store = store.clone();
    // Monday 11.1.2027 09:00 Helsinki.
    let clock = HandClock::at(fixtures::utc("2027-01-11T07:00:00Z"));
    let booked = book(&store, clock.now() - TimeDelta::days(7)).await;
    let folder = dir.join("mail");
    let a = worker(&store, "a", &clock, Transport::file(&folder).expect("a folder"));
    let b = worker(&store, "b", &clock, Transport::Log);
    let schedules = scheduler();

    let (first, second) = tokio::join!(schedules.check(&a), schedules.check(&b));
    let digests: Vec<_> = [first.expect("checks").1, second.expect("checks").1].into_iter().flatten().collect();
    assert_eq!(digests.len(), 1, "one worker runs the tick");
    assert_eq!(digests[0].queued, 1, "the supervisor with sessions; not the idle one");
    assert_eq!(keys(&store, "digest:").await, [format!("digest:{}:2027-W02", booked.supervisor)]);
    clock.advance(TimeDelta::hours(3));
    assert_eq!(schedules.check(&a).await.expect("checks").1, None);

    // The digest as sent: this week's one session, in Finnish.
    let (_tx, mut stop) = watch::channel(false);
    a.pass(&mut stop).await.expect("a pass");
    let row = store::rows(&store).await.into_iter().find(|r: &outbox::Model| r.kind == "digest").expect("a digest row");
    assert_eq!(row.status, "sent");
    let raw = std::fs::read_to_string(folder.join(format!("{}.eml", row.id))).expect("the digest file");
    let email = mime::parse(&raw);
    assert_eq!(email.decoded_header("subject").as_deref(), Some("Viikkokatsaus 11.1.2027–17.1.2027: 1 istunto"));
    let text = email.parts[0].body_text();
    assert!(
        text.contains("keskiviikko 13.1.2027 klo 13.00–14.30 · Osasto 5:n työnohjaus (HUS Meilahti) · istunto 1/4"),
        "{text}"
    );
}

#[tokio::test]
async fn reminders_are_written_in_each_persons_language() {
    let (store, dir) = store::fresh().await;
    let clock = HandClock::at(fixtures::utc("2027-01-12T06:00:00Z"));
    book(&store, clock.now() - TimeDelta::days(7)).await;
    let folder = dir.path().join("mail");
    let a = worker(&store, "a", &clock, Transport::file(&folder).expect("a folder"));
    scheduler().remind(&a, clock.now()).await.expect("reminders");
    let (_tx, mut stop) = watch::channel(false);
    while a.pass(&mut stop).await.expect("a pass").claimed > 0 {}
    let mut subjects: Vec<String> = store::rows(&store)
        .await
        .into_iter()
        .filter(|r| r.kind == "reminder")
        .map(|r| {
            let raw = std::fs::read_to_string(folder.join(format!("{}.eml", r.id))).expect("a file");
            mime::parse(&raw).decoded_header("subject").expect("a subject")
        })
        .collect();
    subjects.sort();
    assert_eq!(
        subjects,
        [
            "Muistutus: Osasto 5:n työnohjaus, ke 13.1.2027 klo 13.00",
            "Påminnelse: Osasto 5:n työnohjaus, ons 13.1.2027 kl. 13.00"
        ]
    );
}

/// The retention job on the store's moved clock: a year after the series' last session
/// (3.2.2027) its notes go, by one of two workers, once; with 0 months nothing ever goes.
#[tokio::test]
async fn notes_go_a_year_after_the_series_by_one_worker_once() {
    use ohjaus_store::write::notes::{NewNote, NoteVisibility};
    let (store, _dir) = store::fresh().await;
    let clock = HandClock::at(fixtures::utc("2027-01-12T06:00:00Z"));
    let booked = book(&store, clock.now()).await;
    let sari = Caller::Supervisor { supervisor_id: booked.supervisor };
    let note = NewNote { text: "Ryhmä jaksaa".into(), visibility: NoteVisibility::Supervisor };
    for session in &booked.sessions {
        store.create_note(&sari, *session, &note, clock.now()).await.expect("a note");
    }
    let a = worker(&store, "a", &clock, Transport::Log);
    let b = worker(&store, "b", &clock, Transport::Log);
    let keeper = Worker::new(
        store.clone(),
        WorkerConfig { owner: Some("keeper".into()), note_retention_months: 0, ..WorkerConfig::default() },
        Mailer::new(Transport::Log, "Ohjaus <noreply@ohjaus.example>".parse().expect("a mailbox")),
    )
    .with_clock(clock.clock());
    let schedules = scheduler();
    let (first, second) = tokio::join!(schedules.retain(&a), schedules.retain(&b));
    let runs: Vec<_> = [first.expect("runs"), second.expect("runs")].into_iter().flatten().collect();
    assert_eq!(runs, [(0, 0)], "one worker runs the tick; nothing is old enough");

    // Eleven months after the last session: still kept.
    clock.advance(fixtures::utc("2028-01-04T06:00:00Z") - clock.now());
    assert_eq!(schedules.retain(&a).await.expect("runs"), Some((0, 0)));
    // A year and a day after it, on a worker that keeps notes forever: kept.
    clock.advance(fixtures::utc("2028-02-05T06:00:00Z") - clock.now());
    assert_eq!(schedules.retain(&keeper).await.expect("runs"), Some((0, 0)));
    assert_eq!(store.list_notes(&sari, booked.sessions[0], clock.now()).await.expect("notes").len(), 1);
    // The next tick, on the default twelve months: gone, once.
    clock.advance(TimeDelta::days(1));
    let (first, second) = tokio::join!(schedules.retain(&a), schedules.retain(&b));
    let runs: Vec<_> = [first.expect("runs"), second.expect("runs")].into_iter().flatten().collect();
    assert_eq!(runs, [(4, 0)]);
    assert_eq!(schedules.retain(&b).await.expect("runs"), None, "the same tick runs once");
    assert!(store.list_notes(&sari, booked.sessions[0], clock.now()).await.expect("notes").is_empty());
}
