//! The store tests' world, with one fixed "now": [`parties`] books through the store (an
//! organization in Helsinki, supervisors, people); this module writes a small world of rows
//! for the scoping tests of tokens, goals, notes, attendance, reports
//! and personal reads, written straight through the entities (so these tests depend on the
//! schema, not on the booking code): two organizations, two supervisors, a team series in
//! organization A and an individual series in organization B.
//!
//! Series X (org A, supervisor S1, team T = p1 and p2): four weekly sessions Tuesdays 13:00
//! Helsinki from 2027-01-12, 90 minutes, one calendar event. p3 is in org A, outside X.
//! Series Y (org B, supervisor S2, participant q1): two sessions 2027-01-13 and 2027-01-20
//! 10:00 Helsinki, 60 minutes.

use chrono::{DateTime, TimeDelta, Utc};
use ohjaus_store::entity::{
    calendar_event, organization, person, series, series_participant, session, session_participant, supervisor, team,
    team_member,
};
use ohjaus_store::{Caller, Store};
use sea_orm::{ActiveModelTrait, IntoActiveModel};
use uuid::Uuid;

pub mod parties;

/// The present of every test of the store: one fixed instant, before everything booked.
pub fn now() -> DateTime<Utc> {
    at("2027-01-01T08:00:00Z")
}

pub fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// Before everything in the world: [`now`].
pub fn before() -> DateTime<Utc> {
    now()
}

pub struct World {
    pub org_a: Uuid,
    pub org_b: Uuid,
    pub s1: Uuid,
    pub s2: Uuid,
    pub p1: Uuid,
    pub p2: Uuid,
    pub p3: Uuid,
    pub q1: Uuid,
    pub team: Uuid,
    pub x: Uuid,
    pub y: Uuid,
    /// Sessions of X, index 1..=4 at [0..4].
    pub x_sessions: Vec<Uuid>,
    /// Sessions of Y.
    pub y_sessions: Vec<Uuid>,
    pub x_uid: String,
}

impl World {
    pub fn coord_a(&self) -> Caller {
        Caller::Coordinator { organization_id: self.org_a }
    }
    pub fn coord_b(&self) -> Caller {
        Caller::Coordinator { organization_id: self.org_b }
    }
    pub fn sup1(&self) -> Caller {
        Caller::Supervisor { supervisor_id: self.s1 }
    }
    pub fn sup2(&self) -> Caller {
        Caller::Supervisor { supervisor_id: self.s2 }
    }
    pub fn p1(&self) -> Caller {
        Caller::Participant { person_id: self.p1 }
    }
    pub fn p2(&self) -> Caller {
        Caller::Participant { person_id: self.p2 }
    }
    pub fn p3(&self) -> Caller {
        Caller::Participant { person_id: self.p3 }
    }
    pub fn q1(&self) -> Caller {
        Caller::Participant { person_id: self.q1 }
    }

    /// Callers who may not see anything of series X at all.
    pub fn outsiders_of_x(&self) -> Vec<Caller> {
        vec![self.coord_b(), self.sup2(), self.p3(), self.q1()]
    }

    pub async fn build(store: &Store) -> Self {
        let db = store.connection();
        let now = before() - TimeDelta::days(30);
        let org_a = Uuid::now_v7();
        let org_b = Uuid::now_v7();
        for (id, name) in [(org_a, "Osasto 5"), (org_b, "Koulu")] {
            organization::Model {
                id,
                name: name.into(),
                timezone: "Europe/Helsinki".into(),
                locale: "fi".into(),
                created_at: now,
            }
            .into_active_model()
            .insert(db)
            .await
            .unwrap();
        }
        let s1 = Uuid::now_v7();
        let s2 = Uuid::now_v7();
        for (id, name, email) in [(s1, "Sanna Ohjaaja", "sanna@ohjaus.fi"), (s2, "Timo Coach", "timo@coach.fi")] {
            supervisor::Model {
                id,
                name: name.into(),
                email: email.into(),
                locale: "fi".into(),
                timezone: "Europe/Helsinki".into(),
                buffer_minutes: 0,
                working_hours: "[]".into(),
                created_at: now,
            }
            .into_active_model()
            .insert(db)
            .await
            .unwrap();
        }
        let person = |org: Uuid, name: &str, email: &str| person::Model {
            id: Uuid::now_v7(),
            organization_id: org,
            name: name.into(),
            email: email.into(),
            locale: None,
            created_at: now,
        };
        let p1 = person(org_a, "Pia Hoitaja", "pia@hus.fi").into_active_model().insert(db).await.unwrap().id;
        let p2 = person(org_a, "Olli Lähihoitaja", "olli@hus.fi").into_active_model().insert(db).await.unwrap().id;
        let p3 = person(org_a, "Kaija Ulkopuolinen", "kaija@hus.fi").into_active_model().insert(db).await.unwrap().id;
        let q1 = person(org_b, "Quinn Opettaja", "quinn@koulu.fi").into_active_model().insert(db).await.unwrap().id;
        let team = team::Model {
            id: Uuid::now_v7(),
            organization_id: org_a,
            name: "Osasto 5 hoitajat".into(),
            created_at: now,
        }
        .into_active_model()
        .insert(db)
        .await
        .unwrap()
        .id;
        for person_id in [p1, p2] {
            team_member::Model { team_id: team, person_id }.into_active_model().insert(db).await.unwrap();
        }
        let (x, x_uid, x_sessions) = insert_series(
            store,
            SeriesRows {
                organization_id: org_a,
                supervisor_id: s1,
                team_id: Some(team),
                title: "Osasto 5 työnohjaus",
                kind: "group_supervision",
                first_start: "2027-01-12T13:00",
                starts: &[
                    "2027-01-12T11:00:00Z",
                    "2027-01-19T11:00:00Z",
                    "2027-01-26T11:00:00Z",
                    "2027-02-02T11:00:00Z",
                ],
                minutes: 90,
                participants: &[p1, p2],
                location: Some("Neuvotteluhuone 2"),
            },
        )
        .await;
        let (y, _, y_sessions) = insert_series(
            store,
            SeriesRows {
                organization_id: org_b,
                supervisor_id: s2,
                team_id: None,
                title: "Rehtorin coaching",
                kind: "individual_coaching",
                first_start: "2027-01-13T10:00",
                starts: &["2027-01-13T08:00:00Z", "2027-01-20T08:00:00Z"],
                minutes: 60,
                participants: &[q1],
                location: None,
            },
        )
        .await;
        Self { org_a, org_b, s1, s2, p1, p2, p3, q1, team, x, y, x_sessions, y_sessions, x_uid }
    }
}

pub struct SeriesRows<'a> {
    pub organization_id: Uuid,
    pub supervisor_id: Uuid,
    pub team_id: Option<Uuid>,
    pub title: &'a str,
    pub kind: &'a str,
    pub first_start: &'a str,
    /// UTC starts of the sessions, index 1.. in order.
    pub starts: &'a [&'a str],
    pub minutes: i64,
    pub participants: &'a [Uuid],
    pub location: Option<&'a str>,
}

/// Inserts a series with one weekly calendar event, its sessions, and every participant
/// invited to every session. Returns the series id, the event UID and the session ids.
pub async fn insert_series(store: &Store, rows: SeriesRows<'_>) -> (Uuid, String, Vec<Uuid>) {
    let db = store.connection();
    let now = before() - TimeDelta::days(20);
    let id = Uuid::now_v7();
    let count = i32::try_from(rows.starts.len()).unwrap();
    series::Model {
        id,
        organization_id: rows.organization_id,
        supervisor_id: rows.supervisor_id,
        co_supervisor_id: None,
        team_id: rows.team_id,
        kind: rows.kind.into(),
        title: rows.title.into(),
        first_start: rows.first_start.into(),
        timezone: "Europe/Helsinki".into(),
        duration_minutes: i32::try_from(rows.minutes).unwrap(),
        rrule: format!("FREQ=WEEKLY;INTERVAL=1;COUNT={count}"),
        holiday_policy: "skip".into(),
        location: rows.location.map(Into::into),
        video_url: None,
        cancellation_notice_hours: 168,
        contracted_sessions: count,
        status: "active".into(),
        ical_sequence: 0,
        cancel_reason: None,
        created_at: now,
        updated_at: now,
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap();
    for person_id in rows.participants {
        series_participant::Model { series_id: id, person_id: *person_id }
            .into_active_model()
            .insert(db)
            .await
            .unwrap();
    }
    let uid = format!("{id}@ohjaus");
    calendar_event::Model {
        uid: uid.clone(),
        series_id: id,
        first_start: rows.first_start.into(),
        timezone: "Europe/Helsinki".into(),
        duration_minutes: i32::try_from(rows.minutes).unwrap(),
        rrule: Some(format!("FREQ=WEEKLY;INTERVAL=1;COUNT={count}")),
        created_at: now,
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap();
    let mut sessions = Vec::new();
    for (i, start) in rows.starts.iter().enumerate() {
        let starts_at = at(start);
        let session_id = Uuid::now_v7();
        session::Model {
            id: session_id,
            series_id: id,
            supervisor_id: rows.supervisor_id,
            co_supervisor_id: None,
            calendar_uid: uid.clone(),
            index: i32::try_from(i + 1).unwrap(),
            starts_at,
            ends_at: starts_at + TimeDelta::minutes(rows.minutes),
            timezone: "Europe/Helsinki".into(),
            status: "scheduled".into(),
            phase: None,
            late_cancellation: false,
            recurrence_id: Some(starts_at),
            location: None,
            video_url: None,
            cancelled_at: None,
            cancel_reason: None,
            created_at: now,
            updated_at: now,
        }
        .into_active_model()
        .insert(db)
        .await
        .unwrap();
        for person_id in rows.participants {
            session_participant::Model { session_id, person_id: *person_id }
                .into_active_model()
                .insert(db)
                .await
                .unwrap();
        }
        sessions.push(session_id);
    }
    (id, uid, sessions)
}

/// Sets a session's status (and late flag) directly, as a cancellation or holding would.
pub async fn set_status(store: &Store, session_id: Uuid, status: &str, late: bool) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    session::Entity::update_many()
        .col_expr(session::Column::Status, Expr::value(status))
        .col_expr(session::Column::LateCancellation, Expr::value(late))
        .filter(session::Column::Id.eq(session_id))
        .exec(store.connection())
        .await
        .unwrap();
}

/// Uninvites `person_id` from a session (as a membership change would).
pub async fn uninvite(store: &Store, session_id: Uuid, person_id: Uuid) {
    use sea_orm::EntityTrait;
    session_participant::Entity::delete_by_id((session_id, person_id)).exec(store.connection()).await.unwrap();
}

/// Asserts that `result` is `NotFound`.
#[track_caller]
pub fn assert_not_found<T: std::fmt::Debug>(result: Result<T, ohjaus_store::StoreError>) {
    match result {
        Err(ohjaus_store::StoreError::NotFound { .. }) => {}
        other => panic!("expected NotFound, got {other:?}"),
    }
}

/// Asserts that `result` is `Forbidden`.
#[track_caller]
pub fn assert_forbidden<T: std::fmt::Debug>(result: Result<T, ohjaus_store::StoreError>) {
    match result {
        Err(ohjaus_store::StoreError::Forbidden) => {}
        other => panic!("expected Forbidden, got {other:?}"),
    }
}

/// Asserts that `result` is `Invalid` naming `field`.
#[track_caller]
pub fn assert_invalid<T: std::fmt::Debug>(result: Result<T, ohjaus_store::StoreError>, field: &str) {
    match result {
        Err(ohjaus_store::StoreError::Invalid(errors)) => {
            assert!(errors.errors().iter().any(|e| e.field == field), "expected an error on {field}, got {errors}");
        }
        other => panic!("expected Invalid on {field}, got {other:?}"),
    }
}

/// Asserts that `result` is `State` (refused by the resource's current state) naming `field`.
#[track_caller]
pub fn assert_refused<T: std::fmt::Debug>(result: Result<T, ohjaus_store::StoreError>, field: &str) {
    match result {
        Err(ohjaus_store::StoreError::State(errors)) => {
            assert!(errors.errors().iter().any(|e| e.field == field), "expected a refusal of {field}, got {errors}");
        }
        other => panic!("expected State on {field}, got {other:?}"),
    }
}
