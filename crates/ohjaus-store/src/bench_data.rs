//! Bulk data for benchmarks: a database of many supervisors' sessions written straight
//! through the entities (booking them one by one would take minutes). Only with the
//! `bench-data` feature; never used by the service.

use crate::entity::{calendar_event, organization, person, series, session, session_participant, supervisor};
use crate::{Store, StoreError};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ConnectionTrait, EntityTrait, IntoActiveModel, TransactionTrait};
use uuid::Uuid;

/// What [`fill_agendas`] made.
#[derive(Debug, Clone)]
pub struct Agendas {
    /// The supervisors, each with an equal share of the sessions.
    pub supervisors: Vec<Uuid>,
    /// The first session's day (a Monday, 06:00 UTC); sessions run weekly from there.
    pub start: DateTime<Utc>,
    /// The one organization every series is booked by.
    pub organization: Uuid,
    /// The people invited, two to each series.
    pub people: Vec<Uuid>,
}

fn now() -> DateTime<Utc> {
    "2027-01-01T08:00:00Z".parse().unwrap_or_default()
}

/// How many of what [`fill`] writes.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Supervisors.
    pub supervisors: usize,
    /// Series of each supervisor.
    pub series_per_supervisor: usize,
    /// Weekly sessions of each series.
    pub sessions_per_series: usize,
}

/// Writes `sessions_total` sessions: 200 supervisors, series of 100 weekly one-hour sessions
/// from 2027-01-04 with two invitees each (4,000 people), then refreshes the planner's
/// statistics.
pub async fn fill_agendas(store: &Store, sessions_total: usize) -> Result<Agendas, StoreError> {
    let shape = Shape { supervisors: 200, series_per_supervisor: sessions_total / 100 / 200, sessions_per_series: 100 };
    fill(store, shape).await
}

/// Writes the series and sessions of `shape` (series k of a supervisor meets weekly on weekday
/// k % 5 at hour 8 + k / 5 from 2027-01-04, two of 4,000 people invited), then refreshes the
/// planner's statistics.
pub async fn fill(store: &Store, shape: Shape) -> Result<Agendas, StoreError> {
    let conn = store.connection();
    let txn = conn.begin().await?;
    let org = organization::Model {
        id: Uuid::now_v7(),
        name: "Kaupunki".into(),
        timezone: "Europe/Helsinki".into(),
        locale: "fi".into(),
        created_at: now(),
    };
    organization::Entity::insert(org.clone().into_active_model()).exec_without_returning(&txn).await?;
    let supervisors: Vec<supervisor::Model> = (0..shape.supervisors)
        .map(|i| supervisor::Model {
            id: Uuid::now_v7(),
            name: format!("Ohjaaja {i}"),
            email: format!("u{i}@example.fi"),
            locale: "fi".into(),
            timezone: "Europe/Helsinki".into(),
            buffer_minutes: 0,
            working_hours: "[]".into(),
            created_at: now(),
        })
        .collect();
    supervisor::Entity::insert_many(
        supervisors.iter().cloned().map(IntoActiveModel::into_active_model).collect::<Vec<_>>(),
    )
    .exec_without_returning(&txn)
    .await?;
    let people: Vec<person::Model> = (0..4000)
        .map(|i| person::Model {
            id: Uuid::now_v7(),
            organization_id: org.id,
            name: format!("Henkilö {i}"),
            email: format!("h{i}@example.fi"),
            locale: None,
            created_at: now(),
        })
        .collect();
    for chunk in people.chunks(1000) {
        person::Entity::insert_many(chunk.iter().cloned().map(IntoActiveModel::into_active_model).collect::<Vec<_>>())
            .exec_without_returning(&txn)
            .await?;
    }
    let per_series = shape.sessions_per_series;
    let series_per_supervisor = shape.series_per_supervisor;
    let sessions_total = supervisors.len() * series_per_supervisor * per_series;
    let start: DateTime<Utc> = "2027-01-04T06:00:00Z".parse().unwrap_or_default();
    let mut session_rows = Vec::with_capacity(sessions_total);
    let mut invite_rows = Vec::with_capacity(sessions_total * 2);
    for (s, sup) in supervisors.iter().enumerate() {
        for k in 0..series_per_supervisor {
            let id = Uuid::now_v7();
            let uid = format!("{id}@ohjaus");
            // Its first session in Helsinki time (UTC+2 in January), as its rule starts.
            let first_start = format!("2027-01-{:02}T{:02}:00", 4 + k % 5, 8 + k / 5);
            series::Entity::insert(
                series::Model {
                    id,
                    organization_id: org.id,
                    supervisor_id: sup.id,
                    co_supervisor_id: None,
                    team_id: None,
                    kind: "group_supervision".into(),
                    title: format!("Sarja {s}/{k}"),
                    first_start: first_start.clone(),
                    timezone: "Europe/Helsinki".into(),
                    duration_minutes: 60,
                    rrule: format!("FREQ=WEEKLY;INTERVAL=1;COUNT={per_series}"),
                    holiday_policy: "keep".into(),
                    location: None,
                    video_url: None,
                    cancellation_notice_hours: 168,
                    contracted_sessions: per_series as i32,
                    status: "active".into(),
                    ical_sequence: 0,
                    cancel_reason: None,
                    created_at: now(),
                    updated_at: now(),
                }
                .into_active_model(),
            )
            .exec_without_returning(&txn)
            .await?;
            calendar_event::Entity::insert(
                calendar_event::Model {
                    uid: uid.clone(),
                    series_id: id,
                    first_start: first_start.clone(),
                    timezone: "Europe/Helsinki".into(),
                    duration_minutes: 60,
                    rrule: Some(format!("FREQ=WEEKLY;INTERVAL=1;COUNT={per_series}")),
                    created_at: now(),
                }
                .into_active_model(),
            )
            .exec_without_returning(&txn)
            .await?;
            let (a, b) = (&people[(s * 20 + k * 2) % 4000], &people[(s * 20 + k * 2 + 1) % 4000]);
            for n in 0..per_series {
                // Series k of a supervisor meets on weekday k % 5 at hour 8 + k / 5 (weekly).
                let starts_at =
                    start + TimeDelta::days((k % 5) as i64 + 7 * n as i64) + TimeDelta::hours((k / 5) as i64);
                let sid = Uuid::now_v7();
                session_rows.push(session::Model {
                    id: sid,
                    series_id: id,
                    supervisor_id: sup.id,
                    co_supervisor_id: None,
                    calendar_uid: uid.clone(),
                    index: n as i32 + 1,
                    starts_at,
                    ends_at: starts_at + TimeDelta::hours(1),
                    timezone: "Europe/Helsinki".into(),
                    status: "scheduled".into(),
                    phase: None,
                    late_cancellation: false,
                    recurrence_id: Some(starts_at),
                    location: None,
                    video_url: None,
                    cancelled_at: None,
                    cancel_reason: None,
                    created_at: now(),
                    updated_at: now(),
                });
                invite_rows.push(session_participant::Model { session_id: sid, person_id: a.id });
                invite_rows.push(session_participant::Model { session_id: sid, person_id: b.id });
            }
        }
    }
    for chunk in session_rows.chunks(1000) {
        session::Entity::insert_many(chunk.iter().cloned().map(IntoActiveModel::into_active_model).collect::<Vec<_>>())
            .exec_without_returning(&txn)
            .await?;
    }
    for chunk in invite_rows.chunks(4000) {
        session_participant::Entity::insert_many(
            chunk.iter().cloned().map(IntoActiveModel::into_active_model).collect::<Vec<_>>(),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    txn.commit().await?;
    // Fresh statistics, as a database that has lived would have.
    conn.execute_unprepared("ANALYZE").await?;
    Ok(Agendas {
        supervisors: supervisors.iter().map(|s| s.id).collect(),
        start,
        organization: org.id,
        people: people.iter().map(|p| p.id).collect(),
    })
}
