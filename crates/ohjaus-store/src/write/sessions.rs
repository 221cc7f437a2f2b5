//! Sessions: listed per series, read one by one, moved and cancelled (with a make-up when in
//! time). Past, held and cancelled sessions never change.

use super::agendas::{lock_parties, participant_agendas};
use super::closures::days_off;
use super::outbox_writer::{Audience, EventRows, OutboxWriter, SeriesContext};
use super::scheduling::{
    cancellation_terms, conflicts_with, insert_event, invite, invitees, mark_cancelled, participant_ids,
    raise_sequence, renumber_phases, schedule_of, scheduled_session, supervisor_agendas, supervisor_ids,
    supervisors_by_id,
};
use crate::access::{Access, session_for};
use crate::entity::{calendar_event, series, session};
use crate::values::{local, optional_label};
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, FixedOffset, Utc};
use ohjaus_core::notice::{CalendarMessage, Change};
use ohjaus_core::series::parse_local_time;
use ohjaus_core::{CancellationOutcome, Occurrence, SessionDuration, SessionStatus};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use uuid::Uuid;

/// How many recurrence slots a make-up search tries before it reports the conflicts of the
/// first one.
const MAKEUP_TRIES: usize = 104;

/// A session as answered: times at the series' local offset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    /// Id.
    pub id: Uuid,
    /// Its series.
    pub series_id: Uuid,
    /// 1-based number in the series.
    pub index: u32,
    /// Start, RFC 3339 at the local offset.
    pub starts_at: DateTime<FixedOffset>,
    /// End, RFC 3339 at the local offset.
    pub ends_at: DateTime<FixedOffset>,
    /// IANA zone of the series.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::TimeZone))]
    pub timezone: String,
    /// `scheduled`, `cancelled` or `held`.
    pub status: SessionStatus,
    /// `goal_setting`, `midpoint_review`, `final_review` or none.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ohjaus_core::Phase>, required = true))]
    pub phase: Option<String>,
    /// Cancelled with less notice than the terms ask (consumed).
    pub late_cancellation: bool,
    /// Where (the session's own, else the series').
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub location: Option<String>,
    /// Video link (the session's own, else the series').
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub video_url: Option<String>,
    /// When it was cancelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Why it was cancelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
    /// Who is invited.
    pub participant_ids: Vec<Uuid>,
}

impl Session {
    /// The record of a row of `series` with its invitees.
    pub(crate) fn new(m: session::Model, series: &series::Model, participant_ids: Vec<Uuid>) -> Self {
        Self {
            id: m.id,
            series_id: m.series_id,
            index: u32::try_from(m.index).unwrap_or_default(),
            starts_at: local(&m.timezone, m.starts_at),
            ends_at: local(&m.timezone, m.ends_at),
            location: m.location.or_else(|| series.location.clone()),
            video_url: m.video_url.or_else(|| series.video_url.clone()),
            timezone: m.timezone,
            status: SessionStatus::parse(&m.status).unwrap_or(SessionStatus::Scheduled),
            phase: m.phase,
            late_cancellation: m.late_cancellation,
            cancelled_at: m.cancelled_at,
            cancel_reason: m.cancel_reason,
            participant_ids,
        }
    }
}

/// `PATCH /sessions/{id}` body: what to change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SessionChanges {
    /// New local start `YYYY-MM-DDTHH:MM` in the series' zone.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ohjaus_core::openapi::LocalDateTime>))]
    pub starts_at_local: Option<String>,
    /// New length in minutes.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ohjaus_core::SessionDuration>))]
    pub duration_minutes: Option<i64>,
    /// New place of this session.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ohjaus_core::Label>))]
    pub location: Option<String>,
}

/// `POST /sessions/{id}/cancel` body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CancelSession {
    /// Why.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ohjaus_core::Label>))]
    pub reason: Option<String>,
    /// Append a make-up session (only for a cancellation in time).
    #[serde(default)]
    pub replace: Option<bool>,
}

/// The answer of a cancellation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cancelled {
    /// The cancelled session (`late_cancellation` tells whether it is consumed).
    pub session: Session,
    /// The make-up session appended, if one was asked for.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub makeup: Option<Session>,
}

/// The records of a series' sessions, in index order.
pub(crate) async fn session_records<C: ConnectionTrait>(
    db: &C,
    series: &series::Model,
) -> Result<Vec<Session>, StoreError> {
    let rows = session::Entity::find()
        .filter(session::Column::SeriesId.eq(series.id))
        .order_by_asc(session::Column::Index)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|s| s.id).collect();
    let mut people = invitees(db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let invited = people.remove(&row.id).unwrap_or_default();
            Session::new(row, series, invited)
        })
        .collect())
}

/// Refuses a change of a session that is past, held or cancelled.
fn changeable(session: &session::Model, now: DateTime<Utc>) -> Result<(), StoreError> {
    if session.status != SessionStatus::Scheduled.as_str() {
        return Err(StoreError::refused("session", format!("a {} session cannot change", session.status)));
    }
    if session.starts_at <= now {
        return Err(StoreError::refused("session", "a session that has begun cannot change"));
    }
    Ok(())
}

impl Store {
    /// A series' sessions in order (anyone who may see the series).
    pub async fn list_sessions(&self, caller: &Caller, series_id: Uuid) -> Result<Vec<Session>, StoreError> {
        let db = self.connection();
        let (series, _) = crate::access::series_for(db, caller, series_id, Access::View, false).await?;
        session_records(db, &series).await
    }

    /// One session (anyone who may see its series).
    pub async fn get_session(&self, caller: &Caller, id: Uuid) -> Result<Session, StoreError> {
        let db = self.connection();
        let (row, series, _) = session_for(db, caller, id, Access::View, false).await?;
        let mut people = invitees(db, &[row.id]).await?;
        Ok(Session::new(row, &series, people.remove(&id).unwrap_or_default()))
    }

    /// Moves a session and/or changes its length or place (admin, coordinator, supervisor),
    /// checked against everyone's bookings except itself. Sends the new time to everyone
    /// invited and the supervisor.
    pub async fn move_session(
        &self,
        caller: &Caller,
        id: Uuid,
        changes: &SessionChanges,
        now: DateTime<Utc>,
    ) -> Result<Session, StoreError> {
        let txn = self.begin_write().await?;
        let (row, series, _) = session_for(&txn, caller, id, Access::Manage, true).await?;
        changeable(&row, now)?;
        if changes.starts_at_local.is_none() && changes.duration_minutes.is_none() && changes.location.is_none() {
            return Err(StoreError::invalid("starts_at_local", "give starts_at_local, duration_minutes or location"));
        }
        let zone = crate::values::zone(&row.timezone);
        let mut errors = ohjaus_core::error::Collector::default();
        let start = match &changes.starts_at_local {
            Some(text) => errors.take(parse_local_time("starts_at_local", text)).map(|t| zone.resolve_utc(t)),
            None => Some(row.starts_at),
        };
        let duration = match changes.duration_minutes {
            Some(minutes) => errors.take(SessionDuration::from_minutes("duration_minutes", minutes)).map(|d| d.delta()),
            None => Some(row.ends_at - row.starts_at),
        };
        let location = errors.take(optional_label("location", changes.location.as_deref()));
        errors.finish()?;
        let (Some(starts_at), Some(duration), Some(location)) = (start, duration, location) else {
            unreachable!("every missing part recorded an error");
        };
        if starts_at <= now {
            return Err(StoreError::invalid("starts_at_local", "must be in the future"));
        }
        let ends_at = starts_at + duration;
        let people = invitees(&txn, &[id]).await?.remove(&id).unwrap_or_default();
        lock_parties(&txn, &supervisor_ids(&series), &people).await?;
        let sups = supervisors_by_id(&txn, &supervisor_ids(&series)).await?;
        let occurrence = [Occurrence { index: u32::try_from(row.index).unwrap_or_default(), starts_at, ends_at }];
        let exclude = HashSet::from([id]);
        let span = (starts_at, ends_at);
        let agendas = supervisor_agendas(&txn, &sups, span, &exclude).await?;
        let others = participant_agendas(&txn, &people, span, &exclude).await?;
        let conflicts = conflicts_with(&occurrence, &agendas, &others);
        if !conflicts.is_empty() {
            return Err(StoreError::Conflict(conflicts));
        }
        let previous_start = row.starts_at;
        let index = row.index;
        let uid = row.calendar_uid.clone();
        let mut active = row.into_active_model();
        active.starts_at = Set(starts_at);
        active.ends_at = Set(ends_at);
        if location.is_some() {
            active.location = Set(location);
        }
        active.updated_at = Set(now);
        active.update(&txn).await?;
        // A single event (a make-up) is the session itself: its DTSTART and length follow.
        let event = calendar_event::Entity::find_by_id(uid.clone()).one(&txn).await?;
        if let Some(event) = event.filter(|e| e.rrule.is_none()) {
            let mut active = event.into_active_model();
            active.first_start = Set(zone.local(starts_at).naive_local().format("%Y-%m-%dT%H:%M").to_string());
            active.duration_minutes = Set(i32::try_from(duration.num_minutes()).unwrap_or(i32::MAX));
            active.update(&txn).await?;
        }
        renumber_phases(&txn, series.id, now).await?;
        let series = raise_sequence(&txn, series, now).await?;
        let context = SeriesContext::load(&txn, series).await?;
        let event = EventRows::load(&txn, &uid).await?;
        let mut outbox = OutboxWriter::new(&context);
        let change = Change::SessionMoved { index: u32::try_from(index).unwrap_or_default(), previous_start };
        let single = event.is_single();
        outbox.about(&event, Audience::Everyone, &change, |view, person| {
            if person.is_some_and(|p| !event.is_invited(id, p)) {
                return None;
            }
            Some(if single {
                CalendarMessage::Request { event: view }
            } else {
                CalendarMessage::RequestInstance { event: view, session_id: id }
            })
        });
        outbox.write(&txn, now).await?;
        let extra = serde_json::json!({ "previous_starts_at": previous_start });
        super::webhooks::emit_session(&txn, &context.series, id, "session.moved", extra, now).await?;
        let moved = session::Entity::find_by_id(id).one(&txn).await?.ok_or(StoreError::not_found("session"))?;
        let record = Session::new(moved, &context.series, people);
        txn.commit().await?;
        Ok(record)
    }

    /// Cancels a session (admin, coordinator, supervisor). Later than the series' notice it
    /// is a late cancellation: consumed, and no make-up. In time, `replace` appends a make-up
    /// session at the first free slot of the series' rule after its last session, as a
    /// single calendar event.
    pub async fn cancel_session(
        &self,
        caller: &Caller,
        id: Uuid,
        cancel: &CancelSession,
        now: DateTime<Utc>,
    ) -> Result<Cancelled, StoreError> {
        let txn = self.begin_write().await?;
        let (row, series, _) = session_for(&txn, caller, id, Access::Manage, true).await?;
        changeable(&row, now)?;
        let reason = optional_label("reason", cancel.reason.as_deref())?;
        let terms = cancellation_terms(&series);
        let late = terms.outcome(row.starts_at, now) == CancellationOutcome::Late;
        let replace = cancel.replace.unwrap_or(false);
        if replace && late {
            return Err(StoreError::invalid(
                "replace",
                format!(
                    "a cancellation later than {} hours before the session is consumed and not replaced",
                    terms.notice_hours()
                ),
            ));
        }
        let people = invitees(&txn, &[id]).await?.remove(&id).unwrap_or_default();
        let index = row.index;
        let uid = row.calendar_uid.clone();
        mark_cancelled(&txn, row, late, reason.clone(), now).await?;

        let makeup = if replace { Some(self.append_makeup(&txn, &series, now).await?) } else { None };
        renumber_phases(&txn, series.id, now).await?;
        let series = raise_sequence(&txn, series, now).await?;
        let context = SeriesContext::load(&txn, series).await?;
        let mut outbox = OutboxWriter::new(&context);
        let event = EventRows::load(&txn, &uid).await?;
        let change = Change::SessionCancelled { index: u32::try_from(index).unwrap_or_default(), late, reason };
        let single = event.is_single();
        outbox.about(&event, Audience::Everyone, &change, |view, person| {
            if person.is_some_and(|p| !event.is_invited(id, p)) {
                return None;
            }
            Some(if single {
                CalendarMessage::CancelEvent { event: view }
            } else {
                CalendarMessage::CancelInstances { event: view, session_ids: vec![id] }
            })
        });
        if let Some(made) = &makeup {
            let event = EventRows::load(&txn, &made.calendar_uid).await?;
            let change = Change::MakeupAdded { index: u32::try_from(made.index).unwrap_or_default() };
            outbox.about(&event, Audience::Everyone, &change, |view, _| Some(CalendarMessage::Request { event: view }));
        }
        outbox.write(&txn, now).await?;
        let extra = serde_json::json!({ "makeup": makeup.as_ref().map(super::webhooks::session_summary) });
        super::webhooks::emit_session(&txn, &context.series, id, "session.cancelled", extra, now).await?;
        let cancelled = session::Entity::find_by_id(id).one(&txn).await?.ok_or(StoreError::not_found("session"))?;
        let record = Session::new(cancelled, &context.series, people);
        let makeup = match makeup {
            Some(made) => {
                let invited = invitees(&txn, &[made.id]).await?.remove(&made.id).unwrap_or_default();
                Some(Session::new(made, &context.series, invited))
            }
            None => None,
        };
        txn.commit().await?;
        Ok(Cancelled { session: record, makeup })
    }

    /// Appends a make-up session to `series` at the first conflict-free slot of its rule
    /// after its last session, as a single calendar event, invited to the current
    /// participants.
    async fn append_makeup<C: ConnectionTrait>(
        &self,
        txn: &C,
        series: &series::Model,
        now: DateTime<Utc>,
    ) -> Result<session::Model, StoreError> {
        let schedule = schedule_of(series)?;
        let zone = schedule.timezone;
        let people = participant_ids(txn, series.id).await?;
        lock_parties(txn, &supervisor_ids(series), &people).await?;
        let sups = supervisors_by_id(txn, &supervisor_ids(series)).await?;
        let (last_start, last_index): (Option<DateTime<Utc>>, Option<i32>) = session::Entity::find()
            .select_only()
            .column_as(session::Column::StartsAt.max(), "last_start")
            .column_as(session::Column::Index.max(), "last_index")
            .filter(session::Column::SeriesId.eq(series.id))
            .into_tuple()
            .one(txn)
            .await?
            .unwrap_or((None, None));
        let after = zone.local(last_start.unwrap_or(now).max(now)).naive_local();
        let index = last_index.unwrap_or(0) + 1;
        let days_off = days_off(txn, series.organization_id).await?;
        let duration = schedule.duration.delta();
        let candidates: Vec<_> = schedule.makeup_candidates(after, &days_off).take(MAKEUP_TRIES).collect();
        let (Some(first), Some(last)) = (candidates.first(), candidates.last()) else {
            return Err(StoreError::invalid("replace", "the series' rule has no later occurrence for a make-up"));
        };
        let span = (zone.resolve_utc(*first), zone.resolve_utc(*last) + duration);
        let agendas = supervisor_agendas(txn, &sups, span, &HashSet::new()).await?;
        let others = participant_agendas(txn, &people, span, &HashSet::new()).await?;
        let mut first_conflicts = None;
        let mut chosen = None;
        for local_start in candidates {
            let starts_at = zone.resolve_utc(local_start);
            let occurrence = [Occurrence {
                index: u32::try_from(index).unwrap_or_default(),
                starts_at,
                ends_at: starts_at + duration,
            }];
            let conflicts = conflicts_with(&occurrence, &agendas, &others);
            if conflicts.is_empty() {
                chosen = Some((local_start, starts_at));
                break;
            }
            first_conflicts.get_or_insert(conflicts);
        }
        let Some((local_start, starts_at)) = chosen else {
            return Err(StoreError::Conflict(first_conflicts.unwrap_or_default()));
        };
        let uid = insert_event(txn, series.id, &schedule, local_start, false, now).await?;
        let made = scheduled_session(series, uid, index, (starts_at, starts_at + duration), zone.name(), now)
            .into_active_model()
            .insert(txn)
            .await?;
        invite(txn, &[made.id], &people).await?;
        Ok(made)
    }
}
