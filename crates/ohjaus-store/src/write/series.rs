//! Series: preview and booking (all or nothing, every occurrence checked on fresh data),
//! reading and listing in scope, cancelling, re-planning from session k, and changing the
//! participants — each change in one transaction with the invitations it causes.

use super::agendas::{lock_parties, participant_agendas, window};
use super::closures::days_off;
use super::outbox_writer::{Audience, EventRows, OutboxWriter, SeriesContext};
use super::scheduling::{
    cancellation_terms, conflicts_with, future_plan, future_sessions, insert_event, insert_planned, invite, invitees,
    mark_cancelled, participant_ids, people_of, plan_conflicts, raise_sequence, renumber_phases, resolve_participants,
    schedule_of, supervisor_agendas, supervisor_ids, supervisors_by_id, wall,
};
use super::sessions::{Session, session_records};
use crate::access::{Access, series_for, supervised_by};
use crate::entity::{
    goal, goal_version, organization, series, series_participant, session, session_participant, supervisor,
};
use crate::page::{Page, Paged};
use crate::status::{SeriesStatus, SessionStatus};
use crate::values::{local, new_id, optional_label};
use crate::write::goals::GoalStatus;
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, FixedOffset, Utc};
use ohjaus_core::CalendarEvent;
use ohjaus_core::notice::{CalendarMessage, Change};
use ohjaus_core::series::parse_local_time;
use ohjaus_core::{
    CancellationOutcome, Conflict, End, Occurrence, Participants, Plan, Preview, RecurrenceBody, Schedule, SeriesBody,
    SeriesSpec, SessionDuration, ValidationErrors, find_conflicts,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashSet};
use uuid::Uuid;

/// A series as answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Series {
    /// Id.
    pub id: Uuid,
    /// The buying organization.
    pub organization_id: Uuid,
    /// The supervisor.
    pub supervisor_id: Uuid,
    /// The co-supervisor (co-supervision, *pariohjaus*), if the series has one: every session
    /// fits both supervisors' time, and both receive the invitations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub co_supervisor_id: Option<Uuid>,
    /// The team whose members take part, if it is a team series.
    pub team_id: Option<Uuid>,
    /// Current participants.
    pub participant_ids: Vec<Uuid>,
    /// Kind (wire name).
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::SeriesKind))]
    pub kind: String,
    /// Title.
    pub title: String,
    /// Local wall time where the current rule starts (`YYYY-MM-DDTHH:MM`).
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::openapi::LocalDateTime))]
    pub first_start: String,
    /// IANA zone.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::TimeZone))]
    pub timezone: String,
    /// Minutes per session of the current rule.
    pub duration_minutes: i32,
    /// The current rule as an RRULE value.
    pub rrule: String,
    /// `skip`, `shift` or `keep`.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::HolidayPolicy))]
    pub holiday_policy: String,
    /// Where.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub location: Option<String>,
    /// Video link.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub video_url: Option<String>,
    /// Notice for an in-time cancellation.
    pub cancellation_notice_hours: i32,
    /// Sessions contracted (held, scheduled and late-cancelled ones count).
    pub contracted_sessions: i32,
    /// `active`, `cancelled` or `completed`.
    pub status: SeriesStatus,
    /// SEQUENCE of the latest calendar messages.
    pub ical_sequence: i32,
    /// Why it was cancelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
    /// Created, at the local offset.
    pub created_at: DateTime<FixedOffset>,
    /// Last changed, at the local offset.
    pub updated_at: DateTime<FixedOffset>,
}

/// A series with its sessions in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeriesDetail {
    /// The series.
    #[serde(flatten)]
    pub series: Series,
    /// Its sessions in index order.
    pub sessions: Vec<Session>,
}

/// Filters of `GET /series` (all optional; a caller's scope always applies on top).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesFilter {
    /// Of one organization.
    #[serde(default)]
    pub organization_id: Option<Uuid>,
    /// Of one supervisor.
    #[serde(default)]
    pub supervisor_id: Option<Uuid>,
    /// `active`, `cancelled` or `completed`.
    #[serde(default)]
    pub status: Option<String>,
}

/// `POST /series/{id}/cancel` body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CancelSeries {
    /// Why.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ohjaus_core::Label>))]
    pub reason: Option<String>,
}

/// `POST /series/{id}/replan` body.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Replan {
    /// The first session re-planned; it and every later scheduled one are replaced.
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub from_index: u32,
    /// Local wall time of the first re-planned session.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::openapi::LocalDateTime))]
    pub first_start: String,
    /// New cadence; default the current one. Without `count`/`until` it plans as many
    /// sessions as it replaces.
    #[serde(default)]
    pub recurrence: Option<RecurrenceBody>,
    /// New length; default the current one.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ohjaus_core::SessionDuration>))]
    pub duration_minutes: Option<i64>,
}

/// `PATCH /series/{id}` body: what may change about a booked series as a whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SeriesChanges {
    /// The co-supervisor: a supervisor id to add (or replace) one, `null` to remove it, absent
    /// to leave it. Adding checks every future session against the new co-supervisor's
    /// bookings, working hours and absences (409, each conflict naming them).
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Uuid>, nullable = true))]
    pub co_supervisor_id: Option<Option<Uuid>>,
}

/// A field that is present (`Some`), its value possibly `null` (`Some(None)`); an absent one is
/// `None` by `#[serde(default)]`.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// `PUT /series/{id}/participants` body: named people or a team.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetParticipants {
    /// Named people of the organization.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 500))]
    pub participant_ids: Option<Vec<Uuid>>,
    /// A team of the organization (followed when the team changes).
    #[serde(default)]
    pub team_id: Option<Uuid>,
}

fn series_record(m: series::Model, participant_ids: Vec<Uuid>) -> Series {
    Series {
        id: m.id,
        organization_id: m.organization_id,
        supervisor_id: m.supervisor_id,
        co_supervisor_id: m.co_supervisor_id,
        team_id: m.team_id,
        participant_ids,
        kind: m.kind,
        title: m.title,
        first_start: m.first_start,
        created_at: local(&m.timezone, m.created_at),
        updated_at: local(&m.timezone, m.updated_at),
        timezone: m.timezone,
        duration_minutes: m.duration_minutes,
        rrule: m.rrule,
        holiday_policy: m.holiday_policy,
        location: m.location,
        video_url: m.video_url,
        cancellation_notice_hours: m.cancellation_notice_hours,
        contracted_sessions: m.contracted_sessions,
        status: SeriesStatus::stored(&m.status),
        ical_sequence: m.ical_sequence,
        cancel_reason: m.cancel_reason,
    }
}

async fn detail<C: ConnectionTrait>(db: &C, m: series::Model) -> Result<SeriesDetail, StoreError> {
    let sessions = session_records(db, &m).await?;
    let ids = participant_ids(db, m.id).await?;
    Ok(SeriesDetail { series: series_record(m, ids), sessions })
}

/// A checked booking request with the rows it depends on, read in the transaction.
pub(crate) struct Prepared {
    pub(crate) spec: SeriesSpec,
    pub(crate) organization: organization::Model,
    pub(crate) supervisor: supervisor::Model,
    pub(crate) co_supervisor: Option<supervisor::Model>,
    pub(crate) team_id: Option<Uuid>,
    pub(crate) people: Vec<Uuid>,
    pub(crate) plan: Plan,
    pub(crate) conflicts: Vec<Conflict>,
}

/// Validates `body`, reads what it depends on (locking the parties when `lock`), plans it
/// and finds its conflicts.
pub(crate) async fn prepare<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    body: &SeriesBody,
    now: DateTime<Utc>,
    lock: bool,
) -> Result<Prepared, StoreError> {
    // Supervisors and participants never book: say so before looking at the body.
    if matches!(caller, Caller::Supervisor { .. } | Caller::Participant { .. }) {
        return Err(StoreError::Forbidden);
    }
    let spec = body.validate()?;
    ValidationErrors::check(spec.missing_parties())?;
    let (Some(organization_id), Some(supervisor_id), Some(participants)) =
        (spec.organization_id, spec.supervisor_id, spec.participants.clone())
    else {
        unreachable!("missing parties were reported");
    };
    match caller {
        Caller::Admin => {}
        Caller::Coordinator { organization_id: own } if *own == organization_id => {}
        Caller::Coordinator { .. } => return Err(StoreError::not_found("organization")),
        _ => return Err(StoreError::Forbidden),
    }
    let organization = organization::Entity::find_by_id(organization_id)
        .one(db)
        .await?
        .ok_or(StoreError::not_found("organization"))?;
    let (team_id, people) = resolve_participants(db, organization_id, &participants).await?;
    if lock {
        let supervisors: Vec<Uuid> = std::iter::once(supervisor_id).chain(spec.co_supervisor_id).collect();
        lock_parties(db, &supervisors, &people).await?;
    }
    let supervisor = supervisor::Entity::find_by_id(supervisor_id)
        .one(db)
        .await?
        .ok_or_else(|| StoreError::invalid("supervisor_id", "no such supervisor"))?;
    let co_supervisor = match spec.co_supervisor_id {
        Some(id) => Some(
            supervisor::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| StoreError::invalid("co_supervisor_id", "no such supervisor"))?,
        ),
        None => None,
    };
    let days_off = days_off(db, organization_id).await?;
    let plan = future_plan(&spec.schedule, &days_off, now)?;
    let supervisors: Vec<supervisor::Model> =
        std::iter::once(supervisor.clone()).chain(co_supervisor.clone()).collect();
    let conflicts = plan_conflicts(db, &supervisors, &people, &plan, &HashSet::new(), now).await?;
    Ok(Prepared { spec, organization, supervisor, co_supervisor, team_id, people, plan, conflicts })
}

impl Store {
    /// Plans a series body and lists every conflict on current data; books nothing
    /// (admin, the organization's coordinator).
    pub async fn preview_series(
        &self,
        caller: &Caller,
        body: &SeriesBody,
        now: DateTime<Utc>,
    ) -> Result<Preview, StoreError> {
        let prepared = prepare(self.connection(), caller, body, now, false).await?;
        let zone = prepared.spec.schedule.timezone;
        let mut preview = Preview::new(&prepared.plan, &prepared.conflicts, zone);
        preview.warnings = self.stale_calendar_warnings(&prepared.supervisor, &prepared.people, now, zone).await?;
        Ok(preview)
    }

    /// Books a series (admin, the organization's coordinator): all or nothing. Every
    /// occurrence is checked against the supervisor's and each participant's bookings,
    /// absences and working hours read in the same transaction; any conflict refuses the
    /// whole series with every conflict listed. Invitations (one `Request` of the event per
    /// recipient) are queued with it.
    pub async fn book_series(
        &self,
        caller: &Caller,
        body: &SeriesBody,
        now: DateTime<Utc>,
    ) -> Result<SeriesDetail, StoreError> {
        let txn = self.begin_write().await?;
        let model = book_in(&txn, caller, body, now).await?;
        let answer = detail(&txn, model).await?;
        txn.commit().await?;
        Ok(answer)
    }

    /// One series with its sessions (anyone who may see it).
    pub async fn get_series(&self, caller: &Caller, id: Uuid) -> Result<SeriesDetail, StoreError> {
        let db = self.connection();
        let found = series_for(db, caller, id, Access::View, false).await?.0;
        detail(db, found).await
    }

    /// Series in the caller's scope, filtered, in creation order, one page at a time.
    pub async fn list_series(
        &self,
        caller: &Caller,
        filter: &SeriesFilter,
        page: &Page,
    ) -> Result<Paged<Series>, StoreError> {
        let limit = page.limit()?;
        let db = self.connection();
        let mut query = series::Entity::find().order_by_asc(series::Column::Id);
        match caller {
            Caller::Admin => {}
            Caller::Coordinator { organization_id } => {
                query = query.filter(series::Column::OrganizationId.eq(*organization_id))
            }
            Caller::Supervisor { supervisor_id } => query = query.filter(supervised_by(*supervisor_id)),
            Caller::Participant { person_id } => {
                let ids: Vec<Uuid> = series_participant::Entity::find()
                    .select_only()
                    .column(series_participant::Column::SeriesId)
                    .filter(series_participant::Column::PersonId.eq(*person_id))
                    .into_tuple()
                    .all(db)
                    .await?;
                query = query.filter(series::Column::Id.is_in(ids));
            }
        }
        if let Some(id) = filter.organization_id {
            query = query.filter(series::Column::OrganizationId.eq(id));
        }
        if let Some(id) = filter.supervisor_id {
            query = query.filter(supervised_by(id));
        }
        if let Some(status) = &filter.status {
            let Some(status) = SeriesStatus::parse(status) else {
                return Err(StoreError::invalid("status", "use active, cancelled or completed"));
            };
            query = query.filter(series::Column::Status.eq(status.as_str()));
        }
        if let Some(after) = page.after()? {
            query = query.filter(series::Column::Id.gt(after));
        }
        let rows = query.limit(u64::from(limit) + 1).all(db).await?;
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            let ids = participant_ids(db, row.id).await?;
            items.push(series_record(row, ids));
        }
        Ok(Paged::from_fetched(items, limit, |s| s.id))
    }

    /// Cancels a series (admin, coordinator, supervisor): every remaining future session is
    /// cancelled (late ones per the terms), the series is `cancelled`, and every event with
    /// such sessions is cancelled in the calendars of those invited.
    pub async fn cancel_series(
        &self,
        caller: &Caller,
        id: Uuid,
        cancel: &CancelSeries,
        now: DateTime<Utc>,
    ) -> Result<SeriesDetail, StoreError> {
        let txn = self.begin_write().await?;
        let found = series_for(&txn, caller, id, Access::Manage, true).await?.0;
        if found.status != SeriesStatus::Active.as_str() {
            return Err(StoreError::refused("series", format!("a {} series cannot be cancelled", found.status)));
        }
        let reason = optional_label("reason", cancel.reason.as_deref())?;
        let terms = cancellation_terms(&found);
        let future = future_sessions(&txn, id, now).await?;
        let mut touched: BTreeSet<String> = BTreeSet::new();
        for row in future {
            touched.insert(row.calendar_uid.clone());
            let late = terms.outcome(row.starts_at, now) == CancellationOutcome::Late;
            mark_cancelled(&txn, row, late, reason.clone(), now).await?;
        }
        let mut active = found.into_active_model();
        active.status = Set(SeriesStatus::Cancelled.as_str().to_owned());
        active.cancel_reason = Set(reason.clone());
        let found = active.update(&txn).await?;
        let found = raise_sequence(&txn, found, now).await?;
        let context = SeriesContext::load(&txn, found.clone()).await?;
        let mut outbox = OutboxWriter::new(&context);
        let change = Change::SeriesCancelled { reason };
        for uid in &touched {
            let event = EventRows::load(&txn, uid).await?;
            outbox.about(&event, Audience::Everyone, &change, |view, _| {
                Some(CalendarMessage::CancelEvent { event: view })
            });
        }
        outbox.write(&txn, now).await?;
        super::webhooks::emit_series(&txn, &found, "series.cancelled", serde_json::json!({}), now).await?;
        let answer = detail(&txn, found).await?;
        txn.commit().await?;
        Ok(answer)
    }

    /// Re-plans a series from session `from_index` on (admin, coordinator, supervisor): its
    /// scheduled future sessions with that index or above are replaced by a new plan (new
    /// time, weekday, cadence or length), every new occurrence checked. The old calendar
    /// events lose those sessions (a `Request` of what is left, or a `CancelEvent` when
    /// nothing is) and a new event carries the new sessions. Cancelled sessions at or after
    /// `from_index` stay as history, renumbered after the new ones.
    pub async fn replan_series(
        &self,
        caller: &Caller,
        id: Uuid,
        replan: &Replan,
        now: DateTime<Utc>,
    ) -> Result<SeriesDetail, StoreError> {
        let txn = self.begin_write().await?;
        let found = series_for(&txn, caller, id, Access::Manage, true).await?.0;
        if found.status != SeriesStatus::Active.as_str() {
            return Err(StoreError::refused("series", format!("a {} series cannot be re-planned", found.status)));
        }
        let all = session::Entity::find()
            .filter(session::Column::SeriesId.eq(id))
            .order_by_asc(session::Column::Index)
            .all(&txn)
            .await?;
        let (replaced, kept_cancelled) = replaced_sessions(&all, replan.from_index, now)?;
        let schedule = replan.schedule(&schedule_of(&found)?, replaced.len())?;
        let days_off = days_off(&txn, found.organization_id).await?;
        let mut plan = future_plan(&schedule, &days_off, now)?;
        let new_count = u32::try_from(plan.sessions.len()).unwrap_or(u32::MAX);
        plan.renumber(replan.from_index, replan.from_index + new_count - 1);
        // Who takes part in the new sessions: the current participants.
        let people = participant_ids(&txn, id).await?;
        lock_parties(&txn, &supervisor_ids(&found), &people).await?;
        let sups = supervisors_by_id(&txn, &supervisor_ids(&found)).await?;
        let exclude: HashSet<Uuid> = replaced.iter().map(|s| s.id).collect();
        let conflicts = plan_conflicts(&txn, &sups, &people, &plan, &exclude, now).await?;
        if !conflicts.is_empty() {
            return Err(StoreError::Conflict(conflicts));
        }

        // Who was invited to the replaced sessions, per old event, for the messages.
        let replaced_ids: Vec<Uuid> = replaced.iter().map(|s| s.id).collect();
        let old_invited = invitees(&txn, &replaced_ids).await?;
        let old_uids: BTreeSet<String> = replaced.iter().map(|s| s.calendar_uid.clone()).collect();
        let mut affected_people = people_of(&old_invited);
        affected_people.extend(people.iter().copied());

        // Free the indices from k on: kept cancelled sessions go after the new ones.
        for chunk in replaced_ids.chunks(400) {
            session::Entity::delete_many().filter(session::Column::Id.is_in(chunk.to_vec())).exec(&txn).await?;
        }
        let after_new = i32::try_from(replan.from_index + new_count).unwrap_or(i32::MAX);
        for (offset, row) in (0..).zip(&kept_cancelled) {
            let mut active = (*row).clone().into_active_model();
            active.index = Set(-(after_new + offset));
            active.update(&txn).await?;
        }
        for (offset, row) in (0..).zip(&kept_cancelled) {
            let mut active = (*row).clone().into_active_model();
            active.index = Set(after_new + offset);
            active.update(&txn).await?;
        }

        let new_uid = insert_event(&txn, id, &schedule, schedule.first_start, true, now).await?;
        insert_planned(&txn, &found, &new_uid, &schedule, &plan, &people, now).await?;
        let contracted = found.contracted_sessions - i32::try_from(replaced.len()).unwrap_or(0)
            + i32::try_from(new_count).unwrap_or(0);
        let mut active = found.into_active_model();
        active.first_start = Set(wall(schedule.first_start));
        active.duration_minutes = Set(i32::from(schedule.duration.minutes()));
        active.rrule = Set(schedule.recurrence.to_rrule(schedule.timezone));
        active.contracted_sessions = Set(contracted);
        let found = active.update(&txn).await?;
        renumber_phases(&txn, id, now).await?;
        let found = raise_sequence(&txn, found, now).await?;

        let mut context = SeriesContext::load(&txn, found.clone()).await?;
        context.know(&txn, affected_people.iter().copied()).await?;
        let mut outbox = OutboxWriter::new(&context);
        let change = Change::SeriesReplanned { from_index: replan.from_index };
        for uid in &old_uids {
            let event = EventRows::load(&txn, uid).await?;
            // What the replaced sessions of this event were, for the people who lose them.
            let removed = EventRows {
                event: event.event.clone(),
                sessions: replaced.iter().filter(|s| s.calendar_uid == *uid).map(|s| (*s).clone()).collect(),
                invited: old_invited.iter().map(|(k, v)| (*k, v.iter().copied().collect())).collect(),
            };
            // People who were invited to replaced sessions of this event and to nothing left
            // in it see an empty view, so they get the cancellation of the whole event.
            let audience: BTreeSet<Uuid> =
                removed.sessions.iter().flat_map(|s| old_invited.get(&s.id).into_iter().flatten().copied()).collect();
            let left: BTreeSet<Uuid> = audience.iter().copied().filter(|p| event.people().contains(p)).collect();
            let gone: BTreeSet<Uuid> = audience.difference(&left).copied().collect();
            let cancel_removed = |mut view: CalendarEvent, _| {
                for instance in &mut view.instances {
                    instance.status = SessionStatus::Cancelled;
                }
                Some(CalendarMessage::CancelEvent { event: view })
            };
            if event.sessions.is_empty() {
                outbox.about(&removed, Audience::Everyone, &change, cancel_removed);
                continue;
            }
            let request = |view, _| Some(CalendarMessage::Request { event: view });
            outbox.about(&event, Audience::Supervisor, &change, request);
            outbox.about(&event, Audience::People(&left), &change, request);
            if !gone.is_empty() {
                outbox.about(&removed, Audience::People(&gone), &change, cancel_removed);
            }
        }
        let event = EventRows::load(&txn, &new_uid).await?;
        outbox.about(&event, Audience::Everyone, &change, |view, _| Some(CalendarMessage::Request { event: view }));
        outbox.write(&txn, now).await?;
        let extra = serde_json::json!({ "from_index": replan.from_index });
        super::webhooks::emit_series(&txn, &found, "series.replanned", extra, now).await?;
        let answer = detail(&txn, found).await?;
        txn.commit().await?;
        Ok(answer)
    }

    /// Changes a series as a whole (admin, the organization's coordinator): for now its
    /// co-supervisor. A new co-supervisor must fit every future scheduled session (their
    /// bookings, working hours and absences, checked on fresh data under the row locks);
    /// the future sessions are theirs from then on, past ones stay as they were. The new
    /// co-supervisor gets the invitations of what is ahead, a removed one the cancellations,
    /// and the supervisor the new list of chairs.
    pub async fn update_series(
        &self,
        caller: &Caller,
        id: Uuid,
        changes: &SeriesChanges,
        now: DateTime<Utc>,
    ) -> Result<SeriesDetail, StoreError> {
        let txn = self.begin_write().await?;
        let found = series_for(&txn, caller, id, Access::Coordinate, true).await?.0;
        let Some(wanted) = changes.co_supervisor_id else {
            let answer = detail(&txn, found).await?;
            txn.commit().await?;
            return Ok(answer);
        };
        if wanted == found.co_supervisor_id {
            let answer = detail(&txn, found).await?;
            txn.commit().await?;
            return Ok(answer);
        }
        if wanted == Some(found.supervisor_id) {
            return Err(StoreError::invalid("co_supervisor_id", "must differ from supervisor_id"));
        }
        if found.status != SeriesStatus::Active.as_str() {
            return Err(StoreError::refused(
                "series",
                format!("the supervisors of a {} series cannot change", found.status),
            ));
        }
        let new_co = match wanted {
            Some(co) => {
                lock_parties(&txn, &[found.supervisor_id, co], &[]).await?;
                Some(
                    supervisor::Entity::find_by_id(co)
                        .one(&txn)
                        .await?
                        .ok_or_else(|| StoreError::invalid("co_supervisor_id", "no such supervisor"))?,
                )
            }
            None => None,
        };
        let future = future_sessions(&txn, id, now).await?;
        if let Some(co) = &new_co {
            let occurrences: Vec<Occurrence> = future
                .iter()
                .map(|s| Occurrence {
                    index: u32::try_from(s.index).unwrap_or_default(),
                    starts_at: s.starts_at,
                    ends_at: s.ends_at,
                })
                .collect();
            if let Some(span) = window(&occurrences) {
                let exclude: HashSet<Uuid> = future.iter().map(|s| s.id).collect();
                let agendas = supervisor_agendas(&txn, std::slice::from_ref(co), span, &exclude).await?;
                let conflicts = conflicts_with(&occurrences, &agendas, &[]);
                if !conflicts.is_empty() {
                    return Err(StoreError::Conflict(conflicts));
                }
            }
        }
        let uids: BTreeSet<String> = future.iter().map(|s| s.calendar_uid.clone()).collect();
        let future_set: HashSet<Uuid> = future.iter().map(|s| s.id).collect();
        let found = raise_sequence(&txn, found, now).await?;
        // The co-supervisor leaving (or replaced) loses what is ahead, told while still a chair.
        if found.co_supervisor_id.is_some() && !future.is_empty() {
            let context = SeriesContext::load(&txn, found.clone()).await?;
            let mut outbox = OutboxWriter::new(&context);
            for uid in &uids {
                let event = EventRows::load(&txn, uid).await?;
                outbox.about(&event, Audience::CoSupervisor, &Change::CoSupervisorRemoved, |view, _| {
                    let session_ids: Vec<Uuid> =
                        view.instances.iter().map(|i| i.session_id).filter(|s| future_set.contains(s)).collect();
                    if session_ids.is_empty() {
                        return None;
                    }
                    Some(if view.rrule.is_none() {
                        CalendarMessage::CancelEvent { event: view }
                    } else {
                        CalendarMessage::CancelInstances { event: view, session_ids }
                    })
                });
            }
            outbox.write(&txn, now).await?;
        }
        let new_id = new_co.as_ref().map(|c| c.id);
        for chunk in future.iter().map(|s| s.id).collect::<Vec<_>>().chunks(400) {
            session::Entity::update_many()
                .col_expr(session::Column::CoSupervisorId, sea_orm::sea_query::Expr::value(new_id))
                .filter(session::Column::Id.is_in(chunk.to_vec()))
                .exec(&txn)
                .await?;
        }
        let mut active = found.into_active_model();
        active.co_supervisor_id = Set(new_id);
        active.updated_at = Set(now);
        let found = active.update(&txn).await?;
        if !future.is_empty() {
            let context = SeriesContext::load(&txn, found.clone()).await?;
            let mut outbox = OutboxWriter::new(&context);
            let request = |view, _| Some(CalendarMessage::Request { event: view });
            for uid in &uids {
                let event = EventRows::load(&txn, uid).await?;
                if new_id.is_some() {
                    outbox.about(&event, Audience::CoSupervisor, &Change::CoSupervisorAdded, request);
                }
                outbox.about(&event, Audience::MainSupervisor, &Change::SupervisorsChanged, request);
            }
            outbox.write(&txn, now).await?;
        }
        let answer = detail(&txn, found).await?;
        txn.commit().await?;
        Ok(answer)
    }

    /// Sets who takes part (admin, coordinator): named people or a team of the
    /// organization. Future sessions follow: people added are invited (checked against
    /// their own bookings) and get the events; people removed are uninvited and get
    /// cancellations of their future sessions; the supervisor gets the new attendee list.
    pub async fn set_series_participants(
        &self,
        caller: &Caller,
        id: Uuid,
        set: &SetParticipants,
        now: DateTime<Utc>,
    ) -> Result<SeriesDetail, StoreError> {
        let txn = self.begin_write().await?;
        let found = series_for(&txn, caller, id, Access::Coordinate, true).await?.0;
        let participants = match (set.team_id, &set.participant_ids) {
            (Some(team), None) => Participants::Team(team),
            (None, Some(ids)) => {
                let mut unique = ids.clone();
                unique.sort();
                unique.dedup();
                if ids.is_empty() {
                    return Err(StoreError::invalid("participant_ids", "must name at least one person"));
                }
                if unique.len() != ids.len() {
                    return Err(StoreError::invalid("participant_ids", "names a person twice"));
                }
                if ids.len() > ohjaus_core::series::MAX_PARTICIPANTS {
                    return Err(StoreError::invalid("participant_ids", "too many people"));
                }
                Participants::People(ids.clone())
            }
            _ => return Err(StoreError::invalid("participant_ids", "give either team_id or participant_ids")),
        };
        let (team_id, people) = resolve_participants(&txn, found.organization_id, &participants).await?;
        let found = apply_participants(&txn, found, team_id, people, now).await?;
        let answer = detail(&txn, found).await?;
        txn.commit().await?;
        Ok(answer)
    }
}

/// Books `body` in the caller's transaction `txn`: what [`Store::book_series`] does, for it and
/// for a rhythm poll's choice (`write::polls`), which must book exactly the same way in the
/// same transaction as it marks the poll decided. Answers the series row.
pub(crate) async fn book_in<C: ConnectionTrait>(
    txn: &C,
    caller: &Caller,
    body: &SeriesBody,
    now: DateTime<Utc>,
) -> Result<series::Model, StoreError> {
    let prepared = prepare(txn, caller, body, now, true).await?;
    if !prepared.conflicts.is_empty() {
        return Err(StoreError::Conflict(prepared.conflicts));
    }
    let Prepared { spec, organization, supervisor, co_supervisor, team_id, people, plan, .. } = prepared;
    let schedule = &spec.schedule;
    let model = series::Model {
        id: new_id(),
        organization_id: organization.id,
        supervisor_id: supervisor.id,
        co_supervisor_id: co_supervisor.map(|c| c.id),
        team_id,
        kind: spec.kind.as_str().to_owned(),
        title: spec.title.as_str().to_owned(),
        first_start: wall(schedule.first_start),
        timezone: schedule.timezone.name().to_owned(),
        duration_minutes: i32::from(schedule.duration.minutes()),
        rrule: schedule.recurrence.to_rrule(schedule.timezone),
        holiday_policy: schedule.holiday_policy.as_str().to_owned(),
        location: spec.location.as_ref().map(|l| l.as_str().to_owned()),
        video_url: spec.video_url.as_ref().map(|v| v.as_str().to_owned()),
        cancellation_notice_hours: i32::try_from(spec.terms.notice_hours()).unwrap_or(i32::MAX),
        contracted_sessions: i32::try_from(plan.sessions.len()).unwrap_or(i32::MAX),
        status: SeriesStatus::Active.as_str().to_owned(),
        ical_sequence: 0,
        cancel_reason: None,
        created_at: now,
        updated_at: now,
    };
    let model = model.into_active_model().insert(txn).await?;
    let rows: Vec<series_participant::ActiveModel> = people
        .iter()
        .map(|p| series_participant::Model { series_id: model.id, person_id: *p }.into_active_model())
        .collect();
    for chunk in rows.chunks(400) {
        series_participant::Entity::insert_many(chunk.to_vec()).exec_without_returning(txn).await?;
    }
    let uid = insert_event(txn, model.id, schedule, schedule.first_start, true, now).await?;
    insert_planned(txn, &model, &uid, schedule, &plan, &people, now).await?;
    if let (Some(body), Some(terms)) = (&body.contract, &spec.contract) {
        if terms.ends_early_from().is_some() {
            return Err(StoreError::invalid(
                "contract.ends_early_from",
                "a contract ends early later, with PUT /series/{id}/contract",
            ));
        }
        let role = if caller.is_admin() { "admin" } else { "coordinator" };
        super::contracts::insert_terms(txn, model.id, 1, body, role, now).await?;
    }
    for text in &spec.goals {
        let goal = goal::Model {
            id: new_id(),
            series_id: model.id,
            text: text.as_str().to_owned(),
            focus: None,
            status: GoalStatus::Active.as_str().to_owned(),
            shared_with_organization: false,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let version = goal_version::Model {
            goal_id: goal.id,
            version: 1,
            text: goal.text.clone(),
            focus: None,
            status: goal.status.clone(),
            changed_at: now,
        };
        goal.into_active_model().insert(txn).await?;
        version.into_active_model().insert(txn).await?;
    }
    let context = SeriesContext::load(txn, model.clone()).await?;
    let event = EventRows::load(txn, &uid).await?;
    let mut outbox = OutboxWriter::new(&context);
    outbox.about(&event, Audience::Everyone, &Change::SeriesBooked, |view, _| {
        Some(CalendarMessage::Request { event: view })
    });
    outbox.write(txn, now).await?;
    super::webhooks::emit_series(txn, &model, "series.booked", serde_json::json!({}), now).await?;
    Ok(model)
}

/// The sessions a re-plan from `from_index` replaces (the scheduled ones from there on, in
/// index order) and the cancelled ones it keeps as history, checked: the index exists, no
/// session from there on has begun, and at least one is still scheduled.
fn replaced_sessions(
    all: &[session::Model],
    from_index: u32,
    now: DateTime<Utc>,
) -> Result<(Vec<&session::Model>, Vec<&session::Model>), StoreError> {
    let k = i32::try_from(from_index).unwrap_or(i32::MAX);
    if !all.iter().any(|s| s.index == k) {
        return Err(StoreError::invalid("from_index", "no session with this index"));
    }
    let is = |s: &session::Model, status: SessionStatus| s.status == status.as_str();
    if let Some(done) = all.iter().find(|s| {
        s.index >= k && !is(s, SessionStatus::Cancelled) && (is(s, SessionStatus::Held) || s.starts_at <= now)
    }) {
        return Err(StoreError::invalid("from_index", format!("session {} has already begun", done.index)));
    }
    let replaced: Vec<&session::Model> =
        all.iter().filter(|s| s.index >= k && is(s, SessionStatus::Scheduled)).collect();
    if replaced.is_empty() {
        return Err(StoreError::invalid("from_index", "no scheduled session from this index on"));
    }
    let kept = all.iter().filter(|s| s.index >= k && is(s, SessionStatus::Cancelled)).collect();
    Ok((replaced, kept))
}

impl Replan {
    /// The schedule of the re-planned sessions: this body over the `current` one, planning
    /// as many sessions as it `replaces` when the new cadence names no end.
    fn schedule(&self, current: &Schedule, replaces: usize) -> Result<Schedule, StoreError> {
        let mut errors = ohjaus_core::error::Collector::default();
        let first_start = errors.take(parse_local_time("first_start", &self.first_start));
        let duration = match self.duration_minutes {
            Some(m) => errors.take(SessionDuration::from_minutes("duration_minutes", m)),
            None => Some(current.duration),
        };
        errors.finish()?;
        let (Some(first_start), Some(duration)) = (first_start, duration) else {
            unreachable!("every missing part recorded an error");
        };
        let count = u16::try_from(replaces).unwrap_or(u16::MAX);
        let recurrence = match &self.recurrence {
            Some(body) => {
                let mut body = body.clone();
                if body.count.is_none() && body.until.is_none() {
                    body.count = Some(i64::from(count));
                }
                match body.validate(first_start) {
                    Ok(recurrence) => recurrence,
                    Err(list) => {
                        ValidationErrors::check(list.into_iter().map(|e| e.within("recurrence")).collect())?;
                        return Err(StoreError::invalid("recurrence", "is not valid"));
                    }
                }
            }
            None => current.recurrence.with_end(End::Count(count)),
        };
        Ok(Schedule {
            first_start,
            timezone: current.timezone,
            duration,
            recurrence,
            holiday_policy: current.holiday_policy,
        })
    }
}

/// Makes `people` the participants of `series` (and `team_id` its team): future sessions
/// follow, with conflicts checked for the people added and the messages queued. The caller
/// has locked the series row.
pub(crate) async fn apply_participants<C: ConnectionTrait>(
    txn: &C,
    found: series::Model,
    team_id: Option<Uuid>,
    people: Vec<Uuid>,
    now: DateTime<Utc>,
) -> Result<series::Model, StoreError> {
    if found.status != SeriesStatus::Active.as_str() {
        return Err(StoreError::refused(
            "series",
            format!("the participants of a {} series cannot change", found.status),
        ));
    }
    let old: BTreeSet<Uuid> = participant_ids(txn, found.id).await?.into_iter().collect();
    let new: BTreeSet<Uuid> = people.iter().copied().collect();
    let added: BTreeSet<Uuid> = new.difference(&old).copied().collect();
    let removed: BTreeSet<Uuid> = old.difference(&new).copied().collect();
    let found = if found.team_id != team_id {
        let mut active = found.into_active_model();
        active.team_id = Set(team_id);
        active.updated_at = Set(now);
        active.update(txn).await?
    } else {
        found
    };
    if added.is_empty() && removed.is_empty() {
        return Ok(found);
    }
    let added_list: Vec<Uuid> = added.iter().copied().collect();
    lock_parties(txn, &[], &added_list).await?;
    let future = future_sessions(txn, found.id, now).await?;
    let future_ids: Vec<Uuid> = future.iter().map(|s| s.id).collect();
    if !added.is_empty() && !future.is_empty() {
        let occurrences: Vec<Occurrence> = future
            .iter()
            .map(|s| Occurrence {
                index: u32::try_from(s.index).unwrap_or_default(),
                starts_at: s.starts_at,
                ends_at: s.ends_at,
            })
            .collect();
        let span = window(&occurrences).unwrap_or((now, now));
        let others = participant_agendas(txn, &added_list, span, &HashSet::new()).await?;
        let conflicts = find_conflicts(&occurrences, &ohjaus_core::SupervisorAgenda::default(), &others);
        if !conflicts.is_empty() {
            return Err(StoreError::Conflict(conflicts));
        }
    }
    let found = raise_sequence(txn, found, now).await?;
    let mut context = SeriesContext::load(txn, found.clone()).await?;
    let uids: BTreeSet<String> = future.iter().map(|s| s.calendar_uid.clone()).collect();
    let future_set: HashSet<Uuid> = future_ids.iter().copied().collect();

    // Messages to the people removed, while they are still invited.
    let mut removed_notices = Vec::new();
    {
        let mut outbox = OutboxWriter::new(&context);
        for uid in &uids {
            let event = EventRows::load(txn, uid).await?;
            outbox.about(&event, Audience::People(&removed), &Change::ParticipantRemoved, |view, _| {
                let session_ids: Vec<Uuid> =
                    view.instances.iter().map(|i| i.session_id).filter(|s| future_set.contains(s)).collect();
                if session_ids.is_empty() {
                    return None;
                }
                let single = view.rrule.is_none();
                Some(if single {
                    CalendarMessage::CancelEvent { event: view }
                } else {
                    CalendarMessage::CancelInstances { event: view, session_ids }
                })
            });
        }
        removed_notices.push(outbox);
    }
    for outbox in removed_notices {
        outbox.write(txn, now).await?;
    }

    let removed_list: Vec<Uuid> = removed.iter().copied().collect();
    for chunk in future_ids.chunks(300) {
        if !removed_list.is_empty() {
            session_participant::Entity::delete_many()
                .filter(session_participant::Column::SessionId.is_in(chunk.to_vec()))
                .filter(session_participant::Column::PersonId.is_in(removed_list.clone()))
                .exec(txn)
                .await?;
        }
    }
    invite(txn, &future_ids, &added_list).await?;
    if !removed_list.is_empty() {
        series_participant::Entity::delete_many()
            .filter(series_participant::Column::SeriesId.eq(found.id))
            .filter(series_participant::Column::PersonId.is_in(removed_list))
            .exec(txn)
            .await?;
    }
    if !added_list.is_empty() {
        let rows: Vec<series_participant::ActiveModel> = added_list
            .iter()
            .map(|p| series_participant::Model { series_id: found.id, person_id: *p }.into_active_model())
            .collect();
        series_participant::Entity::insert_many(rows).exec_without_returning(txn).await?;
    }
    context.set_participants(txn, &people).await?;
    let mut outbox = OutboxWriter::new(&context);
    let supervisor_change = if added.is_empty() { Change::ParticipantRemoved } else { Change::ParticipantAdded };
    for uid in &uids {
        let event = EventRows::load(txn, uid).await?;
        outbox.about(&event, Audience::People(&added), &Change::ParticipantAdded, |view, _| {
            Some(CalendarMessage::Request { event: view })
        });
        outbox.about(&event, Audience::Supervisor, &supervisor_change, |view, _| {
            Some(CalendarMessage::Request { event: view })
        });
    }
    outbox.write(txn, now).await?;
    let extra = serde_json::json!({ "added_ids": added, "removed_ids": removed });
    super::webhooks::emit_series(txn, &found, "series.participants_changed", extra, now).await?;
    Ok(found)
}
