//! What the core's conflict check needs, read fresh inside the writing transaction: the
//! supervisor's and the participants' bookings around the change, the busy blocks of their
//! own connected calendars (`BusySource::External`, so a collision says
//! `supervisor_busy_external` or `participant_busy_external`), absences and working hours.
//! And the row locks that serialize concurrent changes of the same people on PostgreSQL.

use super::calendar_connections::busy_blocks_of;
use super::supervisors::parse_stored_hours;
use crate::entity::{absence, person, session, session_participant, supervisor};
use crate::error::StoreError;
use chrono::{DateTime, TimeDelta, Utc};
use ohjaus_core::{
    Booking, BookingIndex, Busy, Occurrence, ParticipantAgenda, SessionStatus, SupervisorAgenda, WorkingHours,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, RelationTrait,
};
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

/// Locks the rows of the supervisors and then the people a change concerns, each in id
/// order, so two transactions touching the same people queue instead of both reading the
/// old state (PostgreSQL `SELECT … FOR UPDATE`; one global order, so no deadlock). SQLite
/// ignores the clause: its `BEGIN IMMEDIATE` already serializes writers.
pub(crate) async fn lock_parties<C: ConnectionTrait>(
    db: &C,
    supervisor_ids: &[Uuid],
    person_ids: &[Uuid],
) -> Result<(), StoreError> {
    if !supervisor_ids.is_empty() {
        supervisor::Entity::find()
            .select_only()
            .column(supervisor::Column::Id)
            .filter(supervisor::Column::Id.is_in(supervisor_ids.to_vec()))
            .order_by_asc(supervisor::Column::Id)
            .lock_exclusive()
            .into_tuple::<Uuid>()
            .all(db)
            .await?;
    }
    if !person_ids.is_empty() {
        person::Entity::find()
            .select_only()
            .column(person::Column::Id)
            .filter(person::Column::Id.is_in(person_ids.to_vec()))
            .order_by_asc(person::Column::Id)
            .lock_exclusive()
            .into_tuple::<Uuid>()
            .all(db)
            .await?;
    }
    Ok(())
}

/// The span `[from, until)` covering `occurrences`.
pub(crate) fn window(occurrences: &[Occurrence]) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let from = occurrences.iter().map(|o| o.starts_at).min()?;
    let until = occurrences.iter().map(|o| o.ends_at).max()?;
    Some((from, until))
}

/// The supervisor's agenda around `[from, until)` (widened by the buffer), without the
/// sessions in `exclude` (the ones being changed): the sessions they supervise or co-supervise.
pub(crate) async fn supervisor_agenda<C: ConnectionTrait>(
    db: &C,
    supervisor: &supervisor::Model,
    (from, until): (DateTime<Utc>, DateTime<Utc>),
    exclude: &HashSet<Uuid>,
) -> Result<SupervisorAgenda, StoreError> {
    let buffer = TimeDelta::minutes(i64::from(supervisor.buffer_minutes.max(0)));
    let sessions: Vec<(Uuid, DateTime<Utc>, DateTime<Utc>)> = session::Entity::find()
        .select_only()
        .columns([session::Column::Id, session::Column::StartsAt, session::Column::EndsAt])
        .filter(
            sea_orm::Condition::any()
                .add(session::Column::SupervisorId.eq(supervisor.id))
                .add(session::Column::CoSupervisorId.eq(supervisor.id)),
        )
        .filter(session::Column::Status.ne(SessionStatus::Cancelled.as_str()))
        .filter(session::Column::StartsAt.lt(until + buffer))
        .filter(session::Column::EndsAt.gt(from - buffer))
        .order_by_asc(session::Column::StartsAt)
        .into_tuple()
        .all(db)
        .await?;
    let mut bookings: Vec<Busy> = sessions
        .into_iter()
        .filter(|(id, _, _)| !exclude.contains(id))
        .map(|(id, starts_at, ends_at)| Busy::from(Booking { starts_at, ends_at, session_id: Some(id) }))
        .collect();
    let external = busy_blocks_of(db, "supervisor", &[supervisor.id], (from - buffer, until + buffer)).await?;
    bookings.extend(external.into_iter().map(|(_, busy)| busy));
    let absences: Vec<(DateTime<Utc>, DateTime<Utc>)> = absence::Entity::find()
        .select_only()
        .columns([absence::Column::StartsAt, absence::Column::EndsAt])
        .filter(absence::Column::SupervisorId.eq(supervisor.id))
        .filter(absence::Column::StartsAt.lt(until))
        .filter(absence::Column::EndsAt.gt(from))
        .into_tuple()
        .all(db)
        .await?;
    let hours = parse_stored_hours(&supervisor.working_hours)?;
    // Stored hours were checked when written.
    let working_hours = WorkingHours::parse("working_hours", &hours).unwrap_or_default();
    Ok(SupervisorAgenda {
        bookings: BookingIndex::from_busy(bookings),
        buffer,
        working_hours,
        timezone: crate::values::zone(&supervisor.timezone),
        absences: BookingIndex::new(absences.into_iter().map(|(s, e)| Booking::new(s, e)).collect()),
    })
}

/// Each person's sessions (any series, not cancelled) around `[from, until)`, without the
/// sessions in `exclude`.
pub(crate) async fn participant_agendas<C: ConnectionTrait>(
    db: &C,
    person_ids: &[Uuid],
    (from, until): (DateTime<Utc>, DateTime<Utc>),
    exclude: &HashSet<Uuid>,
) -> Result<Vec<ParticipantAgenda>, StoreError> {
    let mut by_person: BTreeMap<Uuid, Vec<Busy>> = person_ids.iter().map(|id| (*id, Vec::new())).collect();
    if person_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Uuid, Uuid, DateTime<Utc>, DateTime<Utc>)> = session_participant::Entity::find()
        .select_only()
        .column(session_participant::Column::PersonId)
        .column(session::Column::Id)
        .column(session::Column::StartsAt)
        .column(session::Column::EndsAt)
        .join(JoinType::InnerJoin, session_participant::Relation::Session.def())
        .filter(session_participant::Column::PersonId.is_in(person_ids.to_vec()))
        .filter(session::Column::Status.ne(SessionStatus::Cancelled.as_str()))
        .filter(session::Column::StartsAt.lt(until))
        .filter(session::Column::EndsAt.gt(from))
        .into_tuple()
        .all(db)
        .await?;
    for (person_id, session_id, starts_at, ends_at) in rows {
        if exclude.contains(&session_id) {
            continue;
        }
        if let Some(list) = by_person.get_mut(&person_id) {
            list.push(Busy::from(Booking { starts_at, ends_at, session_id: Some(session_id) }));
        }
    }
    for (person_id, busy) in busy_blocks_of(db, "person", person_ids, (from, until)).await? {
        if let Some(list) = by_person.get_mut(&person_id) {
            list.push(busy);
        }
    }
    Ok(by_person
        .into_iter()
        .map(|(person_id, bookings)| ParticipantAgenda { person_id, bookings: BookingIndex::from_busy(bookings) })
        .collect())
}
