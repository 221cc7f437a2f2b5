//! A small world to book in: an organization in Helsinki, supervisors who work weekdays
//! 08:00–18:00 with a 15-minute buffer, people, and helpers to look at the rows.

use ohjaus_core::{Notice, SeriesBody};
use ohjaus_store::entity::outbox;
use ohjaus_store::write::organizations::NewOrganization;
use ohjaus_store::write::people::NewPerson;
use ohjaus_store::write::supervisors::NewSupervisor;
use ohjaus_store::{Caller, Store};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder, Statement};
use serde_json::json;
use uuid::Uuid;

pub use super::{at, now};

pub struct World {
    pub organization: Uuid,
    pub coordinator: Caller,
    pub supervisor: Uuid,
    pub people: Vec<Uuid>,
}

pub async fn supervisor(store: &Store, name: &str) -> Uuid {
    let hours: Vec<_> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| ohjaus_core::WorkingHoursEntry { weekday: (*d).into(), start: "08:00".into(), end: "18:00".into() })
        .collect();
    let new = NewSupervisor {
        name: name.into(),
        email: format!("{}@ohjaajat.example", name.to_lowercase().replace(' ', ".")),
        locale: None,
        timezone: None,
        buffer_minutes: Some(15),
        working_hours: Some(hours),
    };
    store.create_supervisor(&Caller::Admin, &new, now()).await.unwrap().id
}

pub async fn person(store: &Store, organization: Uuid, name: &str) -> Uuid {
    let new = NewPerson {
        name: name.into(),
        email: format!("{}@osasto5.example", name.to_lowercase().replace(' ', ".")),
        locale: None,
    };
    store.create_person(&Caller::Admin, organization, &new, now()).await.unwrap().id
}

pub async fn world(store: &Store, people: usize) -> World {
    let organization = store
        .create_organization(
            &Caller::Admin,
            &NewOrganization { name: "Osasto 5".into(), timezone: None, locale: None },
            now(),
        )
        .await
        .unwrap()
        .id;
    let supervisor = supervisor(store, "Sanna Ohjaaja").await;
    let mut ids = Vec::new();
    for i in 0..people {
        ids.push(person(store, organization, &format!("Hoitaja {i}")).await);
    }
    World { organization, coordinator: Caller::Coordinator { organization_id: organization }, supervisor, people: ids }
}

/// A weekly series body (every `interval` weeks, `count` sessions of 90 minutes).
pub fn body(
    world: &World,
    supervisor: Uuid,
    people: &[Uuid],
    first_start: &str,
    interval: u8,
    count: u16,
) -> SeriesBody {
    serde_json::from_value(json!({
        "organization_id": world.organization,
        "kind": "group_supervision",
        "title": "Osasto 5 työnohjaus",
        "supervisor_id": supervisor,
        "participant_ids": people,
        "first_start": first_start,
        "duration_minutes": 90,
        "recurrence": {"frequency": "weekly", "interval": interval, "count": count},
        "location": "Neuvotteluhuone 2",
        "goals": ["Yhteinen käsitys työnjaosta"]
    }))
    .unwrap()
}

pub async fn count(store: &Store, table: &str) -> i64 {
    let db = store.connection();
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), format!("SELECT COUNT(*) AS n FROM {table}")))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// Pairs of overlapping non-cancelled sessions of one supervisor (must always be zero).
pub async fn overlaps(store: &Store) -> i64 {
    let db = store.connection();
    let sql = "SELECT COUNT(*) AS n FROM sessions a JOIN sessions b ON a.supervisor_id = b.supervisor_id AND a.id < b.id \
               AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at \
               WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'";
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// Pairs of overlapping non-cancelled sessions that one person is invited to.
pub async fn person_overlaps(store: &Store) -> i64 {
    let db = store.connection();
    let sql = "SELECT COUNT(*) AS n FROM session_participants pa JOIN session_participants pb \
               ON pa.person_id = pb.person_id AND pa.session_id < pb.session_id \
               JOIN sessions a ON a.id = pa.session_id JOIN sessions b ON b.id = pb.session_id \
               WHERE a.starts_at < b.ends_at AND b.starts_at < a.ends_at \
               AND a.status <> 'cancelled' AND b.status <> 'cancelled'";
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// The outbox in queue order, with the notices parsed.
pub async fn outbox(store: &Store) -> Vec<(outbox::Model, Notice)> {
    outbox::Entity::find()
        .order_by_asc(outbox::Column::Id)
        .all(store.connection())
        .await
        .unwrap()
        .into_iter()
        .map(|row| {
            let notice = serde_json::from_str(&row.payload).unwrap();
            (row, notice)
        })
        .collect()
}
