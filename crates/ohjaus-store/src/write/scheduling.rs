//! The scheduling plumbing the commands share: a stored series' schedule, planning it in the
//! future around days off, the conflicts of a plan with everyone's bookings, inserting the
//! planned sessions and their calendar event, invitations, the evaluation phases, the
//! cancellation terms, and the SEQUENCE every change that sends calendar messages raises.

use super::agendas::{participant_agendas, supervisor_agenda, window};
use crate::entity::{
    calendar_event, series, series_participant, session, session_participant, supervisor, team, team_member,
};
use crate::values::new_id;
use crate::{Store, StoreError};
use chrono::{DateTime, NaiveDateTime, Utc};
use ohjaus_core::series::parse_local_time;
use ohjaus_core::{
    CancellationTerms, Conflict, DaysOff, FieldError, HolidayPolicy, Occurrence, ParticipantAgenda, Participants, Plan,
    Recurrence, Schedule, SessionDuration, SessionStatus, SupervisorAgenda, TimeZone, ValidationErrors,
    find_conflicts_of, phase_of,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::collections::{BTreeSet, HashMap, HashSet};
use uuid::Uuid;

/// The schedule of a series' current rule, as stored.
pub(crate) fn schedule_of(series: &series::Model) -> Result<Schedule, StoreError> {
    let stored =
        |e: FieldError| StoreError::Database(sea_orm::DbErr::Custom(format!("stored series {}: {e}", series.id)));
    let first_start = parse_local_time("first_start", &series.first_start).map_err(stored)?;
    let timezone = TimeZone::parse("timezone", &series.timezone).map_err(stored)?;
    Ok(Schedule {
        first_start,
        timezone,
        duration: SessionDuration::from_minutes("duration_minutes", i64::from(series.duration_minutes))
            .map_err(stored)?,
        recurrence: Recurrence::from_rrule(&series.rrule, timezone, first_start).map_err(stored)?,
        holiday_policy: HolidayPolicy::parse(&series.holiday_policy).unwrap_or_default(),
    })
}

/// Recomputes the phases of the series' future sessions over the sessions that will still
/// take place (not cancelled, in time order): the 1st sets goals, the ⌈M/2⌉th is the
/// midpoint review, the Mth the final one. Past and held sessions keep theirs.
pub(crate) async fn renumber_phases<C: ConnectionTrait>(
    db: &C,
    series_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let rows = session::Entity::find()
        .filter(session::Column::SeriesId.eq(series_id))
        .filter(session::Column::Status.ne(SessionStatus::Cancelled.as_str()))
        .order_by_asc(session::Column::StartsAt)
        .order_by_asc(session::Column::Index)
        .all(db)
        .await?;
    let total = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    for (position, row) in (1u32..).zip(rows) {
        if row.status != SessionStatus::Scheduled.as_str() || row.starts_at <= now {
            continue;
        }
        let phase = phase_of(position, total).map(|p| p.as_str().to_owned());
        if phase != row.phase {
            let mut active = row.into_active_model();
            active.phase = Set(phase);
            active.update(db).await?;
        }
    }
    Ok(())
}

pub(crate) async fn participant_ids<C: ConnectionTrait>(db: &C, series_id: Uuid) -> Result<Vec<Uuid>, StoreError> {
    Ok(series_participant::Entity::find()
        .select_only()
        .column(series_participant::Column::PersonId)
        .filter(series_participant::Column::SeriesId.eq(series_id))
        .order_by_asc(series_participant::Column::PersonId)
        .into_tuple()
        .all(db)
        .await?)
}

/// The people a `Participants` names, checked to be of `organization_id`.
pub(crate) async fn resolve_participants<C: ConnectionTrait>(
    db: &C,
    organization_id: Uuid,
    participants: &Participants,
) -> Result<(Option<Uuid>, Vec<Uuid>), StoreError> {
    match participants {
        Participants::Team(team_id) => {
            let found = team::Entity::find_by_id(*team_id).one(db).await?;
            if found.is_none_or(|t| t.organization_id != organization_id) {
                return Err(StoreError::invalid("team_id", "no such team in the organization"));
            }
            let members: Vec<Uuid> = team_member::Entity::find()
                .select_only()
                .column(team_member::Column::PersonId)
                .filter(team_member::Column::TeamId.eq(*team_id))
                .order_by_asc(team_member::Column::PersonId)
                .into_tuple()
                .all(db)
                .await?;
            if members.is_empty() {
                return Err(StoreError::invalid("team_id", "the team has no members"));
            }
            Ok((Some(*team_id), members))
        }
        Participants::People(ids) => {
            let known: HashSet<Uuid> =
                Store::people_of_organization(db, organization_id, ids).await?.into_iter().collect();
            let errors: Vec<FieldError> = ids
                .iter()
                .enumerate()
                .filter(|(_, id)| !known.contains(id))
                .map(|(i, _)| FieldError::new(format!("participant_ids[{i}]"), "no such person in the organization"))
                .collect();
            ValidationErrors::check(errors)?;
            let mut sorted = ids.clone();
            sorted.sort();
            Ok((None, sorted))
        }
    }
}

/// The plan of `schedule` around `days_off`; its first session must be in the future.
pub(crate) fn future_plan(schedule: &Schedule, days_off: &DaysOff, now: DateTime<Utc>) -> Result<Plan, StoreError> {
    let plan = schedule.plan(days_off)?;
    if plan.sessions.first().is_none_or(|s| s.starts_at <= now) {
        return Err(StoreError::invalid("first_start", "must be in the future"));
    }
    Ok(plan)
}

/// The conflicts of `plan`'s sessions with the other bookings of `supervisors` (the series'
/// supervisor and co-supervisor: every session must fit both) and `people` (the sessions in
/// `exclude` left out), read fresh from the database.
pub(crate) async fn plan_conflicts<C: ConnectionTrait>(
    db: &C,
    supervisors: &[supervisor::Model],
    people: &[Uuid],
    plan: &Plan,
    exclude: &HashSet<Uuid>,
    now: DateTime<Utc>,
) -> Result<Vec<Conflict>, StoreError> {
    let occurrences: Vec<Occurrence> = plan
        .sessions
        .iter()
        .map(|s| Occurrence { index: s.index, starts_at: s.starts_at, ends_at: s.ends_at })
        .collect();
    let span = window(&occurrences).unwrap_or((now, now));
    let agendas = supervisor_agendas(db, supervisors, span, exclude).await?;
    let others = participant_agendas(db, people, span, exclude).await?;
    Ok(conflicts_with(&occurrences, &agendas, &others))
}

/// The ids of the series' supervisors: its supervisor, then its co-supervisor.
pub(crate) fn supervisor_ids(series: &series::Model) -> Vec<Uuid> {
    std::iter::once(series.supervisor_id).chain(series.co_supervisor_id).collect()
}

/// The rows of supervisors `ids`, in that order (a missing one is not found).
pub(crate) async fn supervisors_by_id<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<Vec<supervisor::Model>, StoreError> {
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        rows.push(supervisor::Entity::find_by_id(*id).one(db).await?.ok_or(StoreError::not_found("supervisor"))?);
    }
    Ok(rows)
}

/// The row of co-supervisor `id`, when one is given (booking, slot suggestions); one that
/// does not exist is `Invalid` on `co_supervisor_id`, as the request named it.
pub(crate) async fn co_supervisor_of<C: ConnectionTrait>(
    db: &C,
    id: Option<Uuid>,
) -> Result<Option<supervisor::Model>, StoreError> {
    let Some(id) = id else { return Ok(None) };
    let found = supervisor::Entity::find_by_id(id).one(db).await?;
    found.map(Some).ok_or_else(|| StoreError::invalid("co_supervisor_id", "no such supervisor"))
}

/// Each supervisor's agenda around `span` (the sessions in `exclude` left out).
pub(crate) async fn supervisor_agendas<C: ConnectionTrait>(
    db: &C,
    supervisors: &[supervisor::Model],
    span: (DateTime<Utc>, DateTime<Utc>),
    exclude: &HashSet<Uuid>,
) -> Result<Vec<(Uuid, SupervisorAgenda)>, StoreError> {
    let mut agendas = Vec::with_capacity(supervisors.len());
    for supervisor in supervisors {
        agendas.push((supervisor.id, supervisor_agenda(db, supervisor, span, exclude).await?));
    }
    Ok(agendas)
}

/// The conflicts of `occurrences` with every supervisor's agenda (each conflict naming its
/// supervisor) and the participants'.
pub(crate) fn conflicts_with(
    occurrences: &[Occurrence],
    agendas: &[(Uuid, SupervisorAgenda)],
    participants: &[ParticipantAgenda],
) -> Vec<Conflict> {
    let refs: Vec<(Uuid, &SupervisorAgenda)> = agendas.iter().map(|(id, agenda)| (*id, agenda)).collect();
    find_conflicts_of(occurrences, &refs, participants)
}

/// The wall-time text stored for a series or event.
pub(crate) fn wall(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

/// Inserts the sessions of `plan` as instances of event `uid` with `people` invited.
pub(crate) async fn insert_planned<C: ConnectionTrait>(
    db: &C,
    series: &series::Model,
    uid: &str,
    schedule: &Schedule,
    plan: &Plan,
    people: &[Uuid],
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, StoreError> {
    let rows: Vec<session::Model> = plan
        .sessions
        .iter()
        .map(|planned| session::Model {
            phase: planned.phase.map(|p| p.as_str().to_owned()),
            recurrence_id: Some(schedule.timezone.resolve_utc(planned.rule_start)),
            ..scheduled_session(
                series,
                uid.to_owned(),
                i32::try_from(planned.index).unwrap_or(i32::MAX),
                (planned.starts_at, planned.ends_at),
                schedule.timezone.name(),
                now,
            )
        })
        .collect();
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    for chunk in rows.chunks(100) {
        session::Entity::insert_many(chunk.iter().cloned().map(IntoActiveModel::into_active_model).collect::<Vec<_>>())
            .exec_without_returning(db)
            .await?;
    }
    invite(db, &ids, people).await?;
    Ok(ids)
}

/// Inserts a new calendar event of series `series_id` with `schedule`'s zone and length from
/// `first_start`: the schedule's rule when `recurring`, else a single event (a make-up).
/// Answers its UID.
pub(crate) async fn insert_event<C: ConnectionTrait>(
    db: &C,
    series_id: Uuid,
    schedule: &Schedule,
    first_start: NaiveDateTime,
    recurring: bool,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    let uid = format!("{}@ohjaus", new_id());
    calendar_event::Model {
        uid: uid.clone(),
        series_id,
        first_start: wall(first_start),
        timezone: schedule.timezone.name().to_owned(),
        duration_minutes: i32::from(schedule.duration.minutes()),
        rrule: recurring.then(|| schedule.recurrence.to_rrule(schedule.timezone)),
        created_at: now,
    }
    .into_active_model()
    .insert(db)
    .await?;
    Ok(uid)
}

/// The cancellation terms of `series` (its notice in hours).
pub(crate) fn cancellation_terms(series: &series::Model) -> CancellationTerms {
    CancellationTerms::new(u32::try_from(series.cancellation_notice_hours).unwrap_or_default()).unwrap_or_default()
}

/// A new scheduled session of `series`, an instance of the calendar event `uid`, from
/// `times.0` to `times.1` in `timezone`: the series' place, no evaluation phase, no
/// recurrence id (callers that have them set them).
pub(crate) fn scheduled_session(
    series: &series::Model,
    uid: String,
    index: i32,
    times: (DateTime<Utc>, DateTime<Utc>),
    timezone: &str,
    now: DateTime<Utc>,
) -> session::Model {
    session::Model {
        id: new_id(),
        series_id: series.id,
        supervisor_id: series.supervisor_id,
        co_supervisor_id: series.co_supervisor_id,
        calendar_uid: uid,
        index,
        starts_at: times.0,
        ends_at: times.1,
        timezone: timezone.to_owned(),
        status: SessionStatus::Scheduled.as_str().to_owned(),
        phase: None,
        late_cancellation: false,
        recurrence_id: None,
        location: None,
        video_url: None,
        cancelled_at: None,
        cancel_reason: None,
        created_at: now,
        updated_at: now,
    }
}

/// Marks a session cancelled (`late`: consumed, no make-up) for `reason`; it leaves the
/// evaluation phases.
pub(crate) async fn mark_cancelled<C: ConnectionTrait>(
    db: &C,
    row: session::Model,
    late: bool,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut active = row.into_active_model();
    active.status = Set(SessionStatus::Cancelled.as_str().to_owned());
    active.late_cancellation = Set(late);
    active.cancelled_at = Set(Some(now));
    active.cancel_reason = Set(reason);
    active.phase = Set(None);
    active.updated_at = Set(now);
    active.update(db).await?;
    Ok(())
}

/// Invitees of each of `sessions`.
pub(crate) async fn invitees<C: ConnectionTrait>(
    db: &C,
    sessions: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Uuid>>, StoreError> {
    let mut map: HashMap<Uuid, Vec<Uuid>> = sessions.iter().map(|id| (*id, Vec::new())).collect();
    for chunk in sessions.chunks(500) {
        let rows = session_participant::Entity::find()
            .filter(session_participant::Column::SessionId.is_in(chunk.to_vec()))
            .order_by_asc(session_participant::Column::PersonId)
            .all(db)
            .await?;
        for row in rows {
            map.entry(row.session_id).or_default().push(row.person_id);
        }
    }
    Ok(map)
}

/// Invites every person in `people` to every session in `sessions`.
pub(crate) async fn invite<C: ConnectionTrait>(db: &C, sessions: &[Uuid], people: &[Uuid]) -> Result<(), StoreError> {
    let rows: Vec<session_participant::ActiveModel> = sessions
        .iter()
        .flat_map(|s| people.iter().map(move |p| session_participant::Model { session_id: *s, person_id: *p }))
        .map(IntoActiveModel::into_active_model)
        .collect();
    for chunk in rows.chunks(400) {
        session_participant::Entity::insert_many(chunk.to_vec()).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Raises the series' SEQUENCE by one (every change that sends calendar messages does).
pub(crate) async fn raise_sequence<C: ConnectionTrait>(
    db: &C,
    series: series::Model,
    now: DateTime<Utc>,
) -> Result<series::Model, StoreError> {
    let next = series.ical_sequence + 1;
    let mut active = series.into_active_model();
    active.ical_sequence = Set(next);
    active.updated_at = Set(now);
    Ok(active.update(db).await?)
}

/// Sessions of a series still to take place (scheduled, starting after `now`).
pub(crate) async fn future_sessions<C: ConnectionTrait>(
    db: &C,
    series_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<session::Model>, StoreError> {
    Ok(session::Entity::find()
        .filter(session::Column::SeriesId.eq(series_id))
        .filter(session::Column::Status.eq(SessionStatus::Scheduled.as_str()))
        .filter(session::Column::StartsAt.gt(now))
        .order_by_asc(session::Column::StartsAt)
        .all(db)
        .await?)
}

/// The people invited to any of `sessions`.
pub(crate) fn people_of(map: &HashMap<Uuid, Vec<Uuid>>) -> BTreeSet<Uuid> {
    map.values().flatten().copied().collect()
}
