//! Store load figures for BENCHMARKS.md, on SQLite and (with `OHJAUS_TEST_POSTGRES_URL`) on
//! PostgreSQL, each in a database of its own made for the run:
//!
//! 1. booking 1,000 series of 10 sessions across 100 supervisors (8 concurrent bookers),
//! 2. in a database of 200,000 sessions (median and p99 of each): a supervisor's next 30
//!    days, a person's next 30 days, the sessions of the next 48 hours with everyone invited
//!    (reminders), a supervisor's and a person's calendar feed, and the organization's
//!    report over 30 days,
//! 3. outbox claim + ack with 4 concurrent claimers (batches of 200),
//! 4. the conflict check of a 20-session series (a preview) for a supervisor with 10,000
//!    sessions and 10,000 busy blocks of their own calendar.
//!
//! `cargo bench -p ohjaus-store --features bench-data --bench store` (add `-- --quick` for a
//! smaller run, `-- calendars` for the fourth alone).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::{DateTime, Duration, NaiveDate, TimeDelta, Utc};
use ohjaus_core::calendar::{CalendarEvent, EventInstance, SessionStatus};
use ohjaus_core::notice::{CalendarMessage, Change, Party, Recipient, Role, SeriesInfo};
use ohjaus_core::{Locale, Notice, SeriesBody};
use ohjaus_store::entity::outbox;
use ohjaus_store::testing::{Schema, TestBackend, TestDatabase, test_backends};
use ohjaus_store::write::organizations::NewOrganization;
use ohjaus_store::write::people::NewPerson;
use ohjaus_store::write::supervisors::NewSupervisor;
use ohjaus_store::write::tokens::FeedOwner;
use ohjaus_store::{Caller, Store};
use sea_orm::{EntityTrait, IntoActiveModel, TransactionTrait};
use std::time::Instant;
use uuid::Uuid;

fn now() -> DateTime<Utc> {
    "2027-01-01T08:00:00Z".parse().unwrap()
}

struct Db {
    store: Store,
    label: &'static str,
    database: TestDatabase,
}

/// A migrated database of its own on `backend` (PostgreSQL with a pool of 12).
async fn open(backend: &TestBackend) -> Db {
    let database = TestDatabase::create(backend, Schema::Migrated).await;
    let (label, pool) = match backend {
        TestBackend::Sqlite => ("SQLite", None),
        TestBackend::Postgres(_) => ("PostgreSQL", Some(12)),
    };
    let store = Store::connect_with(database.url(), pool).await.unwrap();
    Db { store, label, database }
}

impl Db {
    async fn finish(self) {
        self.store.close().await.unwrap();
        self.database.remove().await;
    }
}

/// 1,000 series of 10 weekly sessions across 100 supervisors, 8 bookers at a time.
async fn booking(db: &Db, series_count: usize) -> f64 {
    let store = &db.store;
    let org = store
        .create_organization(
            &Caller::Admin,
            &NewOrganization { name: "Sairaala".into(), timezone: None, locale: None },
            now(),
        )
        .await
        .unwrap()
        .id;
    let mut supervisors = Vec::new();
    for i in 0..100 {
        let new = NewSupervisor {
            name: format!("Ohjaaja {i}"),
            email: format!("ohjaaja{i}@example.fi"),
            locale: None,
            timezone: None,
            buffer_minutes: Some(15),
            working_hours: None,
        };
        supervisors.push(store.create_supervisor(&Caller::Admin, &new, now()).await.unwrap().id);
    }
    let mut people = Vec::new();
    for i in 0..series_count * 2 {
        let new = NewPerson { name: format!("Hoitaja {i}"), email: format!("hoitaja{i}@example.fi"), locale: None };
        people.push(store.create_person(&Caller::Admin, org, &new, now()).await.unwrap().id);
    }
    let bodies: Vec<SeriesBody> = (0..series_count)
        .map(|i| {
            let j = i / 100;
            let day = NaiveDate::from_ymd_opt(2027, 1, 11).unwrap() + Duration::days((j % 5) as i64);
            let hour = 8 + 2 * (j / 5) % 8;
            serde_json::from_value(serde_json::json!({
                "organization_id": org,
                "kind": "group_supervision",
                "title": format!("Työnohjaus {i}"),
                "supervisor_id": supervisors[i % 100],
                "participant_ids": [people[2 * i], people[2 * i + 1]],
                "first_start": format!("{day}T{hour:02}:00"),
                "duration_minutes": 90,
                "recurrence": {"frequency": "weekly", "interval": 1, "count": 10}
            }))
            .unwrap()
        })
        .collect();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let store = store.clone();
        let mine: Vec<SeriesBody> = bodies.iter().skip(worker).step_by(8).cloned().collect();
        tasks.push(tokio::spawn(async move {
            for body in mine {
                store.book_series(&Caller::Admin, &body, now()).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    series_count as f64 / started.elapsed().as_secs_f64()
}

/// Median and p99 of `timings` (milliseconds).
fn spread(mut timings: Vec<f64>) -> (f64, f64) {
    timings.sort_by(|a, b| a.total_cmp(b));
    let median = timings[timings.len() / 2];
    let p99 = timings[(timings.len() * 99 / 100).min(timings.len() - 1)];
    (median, p99)
}

/// Times `reads` calls of `read` (given the call's number), each answering how many items it
/// found: median and p99 in milliseconds, and the items per call.
async fn timed<F, Fut>(reads: usize, mut read: F) -> (f64, f64, usize)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let mut timings = Vec::with_capacity(reads);
    let mut found = 0;
    for r in 0..reads {
        let t = Instant::now();
        found += read(r).await;
        timings.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (median, p99) = spread(timings);
    (median, p99, found / reads)
}

/// 200,000 sessions (200 supervisors × 10 series × 100 weekly sessions, two invitees each),
/// written in bulk; then the reads of the agendas, the reminders, the feeds and the report.
async fn reads(db: &Db, sessions_total: usize, reads: usize, label: &str) {
    let store = &db.store;
    let agendas = ohjaus_store::bench_data::fill_agendas(store, sessions_total).await.unwrap();
    let (supervisors, people, start) = (&agendas.supervisors, &agendas.people, agendas.start);
    let day = |r: usize| start + TimeDelta::days(((r * 13) % 600) as i64);
    let row = |what: &str, (median, p99, each): (f64, f64, usize), unit: &str| {
        println!(
            "| {label} | {what} among {sessions_total} sessions ({each} {unit} each) | median {median:.2} ms, p99 {p99:.2} ms |"
        );
    };

    let upcoming = timed(reads, |r| async move {
        let sup = supervisors[(r * 37) % supervisors.len()];
        let caller = Caller::Supervisor { supervisor_id: sup };
        store.upcoming_for_supervisor(&caller, sup, day(r), day(r) + TimeDelta::days(30)).await.unwrap().len()
    })
    .await;
    row("supervisor's next 30 days", upcoming, "sessions");

    let mine = timed(reads, |r| async move {
        let caller = Caller::Participant { person_id: people[(r * 37) % people.len()] };
        store.person_upcoming(&caller, 30, day(r)).await.unwrap().len()
    })
    .await;
    row("person's next 30 days", mine, "sessions");

    let due = timed(reads / 10, |r| async move {
        store.sessions_starting_between(day(r), day(r) + TimeDelta::hours(48)).await.unwrap().len()
    })
    .await;
    row("sessions of the next 48 hours with invitees (reminders)", due, "sessions");

    let feed = timed(reads / 10, |r| async move {
        let feed = store.calendar_feed(FeedOwner::Supervisor(supervisors[(r * 37) % supervisors.len()])).await;
        feed.unwrap().series.iter().flat_map(|s| &s.events).map(|e| e.instances.len()).sum()
    })
    .await;
    row("supervisor's calendar feed", feed, "sessions");

    let feed = timed(reads / 10, |r| async move {
        let feed = store.calendar_feed(FeedOwner::Person(people[(r * 37) % people.len()])).await.unwrap();
        feed.series.iter().flat_map(|s| &s.events).map(|e| e.instances.len()).sum()
    })
    .await;
    row("person's calendar feed", feed, "sessions");

    let report = timed(reads / 100, |r| async move {
        let from = day(r).date_naive();
        let report =
            store.organization_report(&Caller::Admin, agendas.organization, from, from + TimeDelta::days(29)).await;
        report.unwrap().teams.iter().map(|t| t.series.len()).sum()
    })
    .await;
    row("organization's report over 30 days", report, "series");
}

fn invite_payload() -> Notice {
    let series_id = Uuid::now_v7();
    let start: DateTime<Utc> = "2027-01-12T11:00:00Z".parse().unwrap();
    Notice::Invite {
        recipient: Recipient {
            party: Party { name: "Hoitaja".into(), email: "hoitaja@example.fi".into() },
            locale: Locale::Fi,
            timezone: "Europe/Helsinki".into(),
            role: Role::Participant,
            id: Uuid::now_v7(),
        },
        organizer: Party { name: "Ohjaaja".into(), email: "ohjaaja@example.fi".into() },
        supervisors: Vec::new(),
        attendees: (0..6).map(|i| Party { name: format!("Hoitaja {i}"), email: format!("h{i}@example.fi") }).collect(),
        series: SeriesInfo {
            series_id,
            title: "Osasto 5 työnohjaus".into(),
            kind: "group_supervision".into(),
            organization_name: "Osasto 5".into(),
            total_sessions: 10,
            cancellation_notice_hours: 168,
        },
        sequence: 0,
        change: Change::SeriesBooked,
        calendar: CalendarMessage::Request {
            event: CalendarEvent {
                uid: format!("{series_id}@ohjaus"),
                first_start: "2027-01-12T13:00:00".parse().unwrap(),
                timezone: "Europe/Helsinki".into(),
                duration_minutes: 90,
                rrule: Some("FREQ=WEEKLY;INTERVAL=3;COUNT=10".into()),
                instances: (0..10)
                    .map(|i| {
                        let at = start + TimeDelta::weeks(3 * i);
                        EventInstance {
                            session_id: Uuid::now_v7(),
                            index: i as u32 + 1,
                            recurrence_id: Some(at),
                            starts_at: at,
                            ends_at: at + TimeDelta::minutes(90),
                            status: SessionStatus::Scheduled,
                            location: Some("Neuvotteluhuone 2".into()),
                            video_url: None,
                        }
                    })
                    .collect(),
            },
        },
    }
}

/// `rows` queued invitations (about 2.5 kB of JSON each), then 4 claimers claiming 200 at a
/// time and acking each batch in one statement. Rows per second.
async fn outbox_throughput(db: &Db, rows: usize) -> f64 {
    let store = &db.store;
    let payload = serde_json::to_string(&invite_payload()).unwrap();
    let conn = store.connection();
    let txn = conn.begin().await.unwrap();
    let models: Vec<outbox::ActiveModel> = (0..rows)
        .map(|i| {
            outbox::Model {
                id: Uuid::now_v7(),
                kind: "invite".into(),
                recipient_id: Uuid::now_v7(),
                recipient_domain: "example.fi".into(),
                payload: payload.clone(),
                dedupe_key: format!("bench:{i}"),
                status: "queued".into(),
                attempts: 0,
                max_attempts: 8,
                next_attempt_at: now(),
                lease_owner: None,
                lease_expires_at: None,
                last_error: None,
                created_at: now(),
                updated_at: now(),
                sent_at: None,
            }
            .into_active_model()
        })
        .collect();
    for chunk in models.chunks(1000) {
        outbox::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await.unwrap();
    }
    txn.commit().await.unwrap();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..4 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let owner = format!("bench-{worker}");
            let mut done = 0;
            loop {
                let claimed = store.claim_due(&owner, 200, TimeDelta::minutes(5), now()).await.unwrap();
                if claimed.is_empty() {
                    return done;
                }
                let ids: Vec<Uuid> = claimed.iter().map(|c| c.id).collect();
                done += store.ack_many(&ids, &owner, now()).await.unwrap().len();
            }
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    assert_eq!(total, rows);
    rows as f64 / started.elapsed().as_secs_f64()
}

/// A supervisor with 10,000 sessions (100 weekly series of 100 half-hour sessions in distinct
/// slots, Mon–Fri 08:00–17:30, from 2027-01-04) and a connected calendar of 10,000 busy blocks
/// (45 minutes, pseudo-random starts between 06:00 and 16:00 UTC over the same two years);
/// then `reads` previews of a 20-session weekly series with two participants: median and p99
/// in milliseconds, and the conflicts of one.
async fn external_check(db: &Db, reads: usize) -> (f64, f64, usize) {
    use ohjaus_store::entity::{calendar_busy_block, calendar_connection};
    let store = &db.store;
    let org = store
        .create_organization(
            &Caller::Admin,
            &NewOrganization { name: "Sairaala".into(), timezone: None, locale: None },
            now(),
        )
        .await
        .unwrap()
        .id;
    let new = NewSupervisor {
        name: "Anna".into(),
        email: "anna@example.fi".into(),
        locale: None,
        timezone: None,
        // Back-to-back half hours: no buffer between them.
        buffer_minutes: Some(0),
        working_hours: None,
    };
    let supervisor = store.create_supervisor(&Caller::Admin, &new, now()).await.unwrap().id;
    let mut people = Vec::new();
    for i in 0..202 {
        let new = NewPerson { name: format!("Hoitaja {i}"), email: format!("h{i}@example.fi"), locale: None };
        people.push(store.create_person(&Caller::Admin, org, &new, now()).await.unwrap().id);
    }
    for i in 0..100 {
        let day = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap() + Duration::days(i % 5);
        let minutes = 8 * 60 + 30 * (i / 5);
        let body: SeriesBody = serde_json::from_value(serde_json::json!({
            "organization_id": org, "kind": "group_supervision", "title": format!("Sarja {i}"),
            "supervisor_id": supervisor,
            "participant_ids": [people[2 * i as usize], people[2 * i as usize + 1]],
            "first_start": format!("{day}T{:02}:{:02}", minutes / 60, minutes % 60),
            "duration_minutes": 30, "holiday_policy": "keep",
            "recurrence": {"frequency": "weekly", "interval": 1, "count": 100}
        }))
        .unwrap();
        store.book_series(&Caller::Admin, &body, now()).await.unwrap();
    }
    let connection = Uuid::now_v7();
    calendar_connection::Entity::insert(
        calendar_connection::Model {
            id: connection,
            owner_kind: "supervisor".into(),
            owner_id: supervisor,
            label: "Oma".into(),
            kind: "subscription".into(),
            url_shown: "https://calendar.example/a.ics".into(),
            user_name: None,
            secret_sealed: None,
            all_day_blocks: true,
            etag: None,
            last_modified: None,
            last_attempt_at: Some(now()),
            last_success_at: Some(now()),
            last_error: None,
            next_sync_at: now() + TimeDelta::days(1),
            created_at: now(),
        }
        .into_active_model(),
    )
    .exec_without_returning(store.connection())
    .await
    .unwrap();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let base: DateTime<Utc> = "2027-01-04T06:00:00Z".parse().unwrap();
    let blocks: Vec<calendar_busy_block::ActiveModel> = (0..10_000)
        .map(|_| {
            let starts_at =
                base + TimeDelta::days((next() % 728) as i64) + TimeDelta::minutes((next() % 40 * 15) as i64);
            calendar_busy_block::Model {
                id: 0,
                connection_id: connection,
                owner_kind: "supervisor".into(),
                owner_id: supervisor,
                starts_at,
                ends_at: starts_at + TimeDelta::minutes(45),
                uid_hash: (next() >> 1) as i64,
            }
            .into_active_model()
        })
        .map(|mut block| {
            block.id = sea_orm::ActiveValue::NotSet;
            block
        })
        .collect();
    let txn = store.connection().begin().await.unwrap();
    for chunk in blocks.chunks(1000) {
        calendar_busy_block::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await.unwrap();
    }
    txn.commit().await.unwrap();
    let body: SeriesBody = serde_json::from_value(serde_json::json!({
        "organization_id": org, "kind": "group_supervision", "title": "Uusi",
        "supervisor_id": supervisor, "participant_ids": [people[200], people[201]],
        "first_start": "2027-03-01T10:00", "duration_minutes": 90, "holiday_policy": "keep",
        "recurrence": {"frequency": "weekly", "interval": 1, "count": 20}
    }))
    .unwrap();
    let conflicts = store.preview_series(&Caller::Admin, &body, now()).await.unwrap().conflicts.len();
    let (median, p99, _) = timed(reads, |_| {
        let body = body.clone();
        async move { store.preview_series(&Caller::Admin, &body, now()).await.unwrap().conflicts.len() }
    })
    .await;
    (median, p99, conflicts)
}

async fn run(backend: &TestBackend, quick: bool, only_calendars: bool) {
    if only_calendars {
        let db = open(backend).await;
        let (median, p99, conflicts) = external_check(&db, if quick { 200 } else { 1000 }).await;
        let label = db.label;
        println!(
            "| {label} | preview of 20 sessions vs 10,000 sessions + 10,000 external blocks ({conflicts} conflicts) | median {median:.2} ms, p99 {p99:.2} ms |"
        );
        db.finish().await;
        return;
    }
    let db = open(backend).await;
    let label = db.label;
    let series = if quick { 200 } else { 1000 };
    let rate = booking(&db, series).await;
    println!("| {label} | book {series} series × 10 sessions, 100 supervisors, 8 bookers | {rate:.0} series/s |");
    db.finish().await;

    let db = open(backend).await;
    let total = if quick { 40_000 } else { 200_000 };
    reads(&db, total, 2000, label).await;
    db.finish().await;

    let db = open(backend).await;
    let rows = if quick { 10_000 } else { 40_000 };
    let rate = outbox_throughput(&db, rows).await;
    println!("| {label} | outbox claim+ack, 4 claimers, batches of 200, {rows} rows | {rate:.0} rows/s |");
    db.finish().await;
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let only_calendars = std::env::args().any(|a| a == "calendars");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
    runtime.block_on(async {
        println!("| backend | measure | result |\n|---|---|---|");
        for backend in test_backends() {
            run(&backend, quick, only_calendars).await;
        }
    });
}
