//! Attendance: who came to a session. Recorded by the series' supervisor (or an admin);
//! a participant can say ahead of time that they cannot come, which tells the supervisor.
//!
//! Rules: everyone recorded must be invited to the session; `present` and `absent` only once
//! the session has started, `excused` at any time; recording `present` or `absent` marks
//! the session `held`; a cancelled session takes no attendance. Entries are merged into what
//! is recorded (a person not listed keeps their record), so the supervisor's list does not
//! erase an absence a participant reported.
//!
//! Reading: the supervisor, admins and the organization's coordinator see every entry (the
//! organization sees attendance: docs/architecture.md, "Confidentiality"); a participant
//! invited to the session sees their own.

use super::outbox_writer::SeriesContext;
use crate::access::{Access, SeriesRole, is_invited, session_for};
use crate::entity::{attendance, person, session, session_participant};
use crate::outbox::queue::enqueue;
use crate::values::ID_CHUNK;
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, Utc};
use ohjaus_core::notice::Change;
use ohjaus_core::{FieldError, Notice, SessionStatus, ValidationErrors};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Most entries one request may carry (a session has at most a few dozen participants).
pub const MAX_ENTRIES: usize = 500;

/// Whether a person came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AttendanceStatus {
    /// Was there.
    Present,
    /// Was not there, without notice.
    Absent,
    /// Was not there, with notice.
    Excused,
}

impl AttendanceStatus {
    /// The wire name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Present => "present",
            Self::Absent => "absent",
            Self::Excused => "excused",
        }
    }

    /// Every status, in the order a form offers them.
    pub const ALL: [Self; 3] = [Self::Present, Self::Absent, Self::Excused];

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// Whether this can only be said of a session that has started.
    fn needs_start(self) -> bool {
        matches!(self, Self::Present | Self::Absent)
    }
}

/// One person's attendance at one session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attendance {
    /// The session.
    pub session_id: Uuid,
    /// The person.
    pub person_id: Uuid,
    /// Present, absent or excused.
    pub status: AttendanceStatus,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

impl TryFrom<attendance::Model> for Attendance {
    type Error = StoreError;

    fn try_from(row: attendance::Model) -> Result<Self, StoreError> {
        let status = AttendanceStatus::parse(&row.status).ok_or_else(|| {
            StoreError::Database(DbErr::Custom(format!("unknown attendance status {:?}", row.status)))
        })?;
        Ok(Self { session_id: row.session_id, person_id: row.person_id, status, recorded_at: row.recorded_at })
    }
}

/// The attendance of a session as answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionAttendance {
    /// The session.
    pub session_id: Uuid,
    /// The session's status after the change (`held` once someone was present or absent).
    pub session_status: SessionStatus,
    /// The entries the caller may see, by person id.
    pub entries: Vec<Attendance>,
}

/// `PUT /sessions/{id}/attendance` body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AttendanceUpdate {
    /// One entry per person.
    #[cfg_attr(feature = "openapi", schema(max_items = 500))]
    pub entries: Vec<AttendanceEntry>,
}

/// One person's attendance in [`AttendanceUpdate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AttendanceEntry {
    /// The person, who must be invited to the session.
    pub person_id: Uuid,
    /// Present, absent or excused.
    pub status: AttendanceStatus,
}

fn session_status(row: &session::Model) -> Result<SessionStatus, StoreError> {
    SessionStatus::parse(&row.status)
        .ok_or_else(|| StoreError::Database(DbErr::Custom(format!("unknown session status {:?}", row.status))))
}

/// Every attendance row of `session_id`, by person.
async fn entries_of(db: &impl ConnectionTrait, session_id: Uuid) -> Result<Vec<Attendance>, StoreError> {
    attendance::Entity::find()
        .filter(attendance::Column::SessionId.eq(session_id))
        .order_by_asc(attendance::Column::PersonId)
        .all(db)
        .await?
        .into_iter()
        .map(Attendance::try_from)
        .collect()
}

/// Writes (or overwrites) one person's attendance.
async fn upsert(
    db: &impl ConnectionTrait,
    session_id: Uuid,
    person_id: Uuid,
    status: AttendanceStatus,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let row = attendance::Model { session_id, person_id, status: status.as_str().to_owned(), recorded_at: now };
    attendance::Entity::insert(row.into_active_model())
        .on_conflict(
            OnConflict::columns([attendance::Column::SessionId, attendance::Column::PersonId])
                .update_columns([attendance::Column::Status, attendance::Column::RecordedAt])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Session `session_id` locked for the change (PostgreSQL), and the caller's capacity.
async fn session_to_change(
    db: &impl ConnectionTrait,
    caller: &Caller,
    session_id: Uuid,
) -> Result<(session::Model, crate::entity::series::Model, SeriesRole), StoreError> {
    let (_, series, role) = session_for(db, caller, session_id, Access::View, false).await?;
    // Re-read under the row lock: the status checked is the status written over.
    let session = session::Entity::find_by_id(session_id)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or(StoreError::not_found("session"))?;
    Ok((session, series, role))
}

impl Store {
    /// Records attendance at session `session_id` (the series' supervisor or an admin; the
    /// coordinator and participants: `Forbidden`). Every entry is checked and every wrong one
    /// named (`entries[i].person_id`, `entries[i].status`); nothing is written unless all
    /// are right. Answers the session's whole attendance.
    pub async fn record_attendance(
        &self,
        caller: &Caller,
        session_id: Uuid,
        update: &AttendanceUpdate,
        now: DateTime<Utc>,
    ) -> Result<SessionAttendance, StoreError> {
        if update.entries.len() > MAX_ENTRIES {
            return Err(StoreError::invalid("entries", format!("at most {MAX_ENTRIES} entries")));
        }
        let txn = self.begin_write().await?;
        let (session, series, role) = session_to_change(&txn, caller, session_id).await?;
        if !matches!(role, SeriesRole::Supervisor(_) | SeriesRole::Admin) {
            return Err(StoreError::Forbidden);
        }
        let status = session_status(&session)?;
        if status == SessionStatus::Cancelled {
            return Err(StoreError::invalid(
                "entries",
                "the session is cancelled: a cancelled session takes no attendance",
            ));
        }
        let invited: HashSet<Uuid> = session_participant::Entity::find()
            .select_only()
            .column(session_participant::Column::PersonId)
            .filter(session_participant::Column::SessionId.eq(session_id))
            .into_tuple::<Uuid>()
            .all(&txn)
            .await?
            .into_iter()
            .collect();
        let mut errors = Vec::new();
        let mut seen = HashSet::new();
        for (i, entry) in update.entries.iter().enumerate() {
            if !invited.contains(&entry.person_id) {
                errors.push(FieldError::new(format!("entries[{i}].person_id"), "is not invited to this session"));
            } else if !seen.insert(entry.person_id) {
                errors.push(FieldError::new(format!("entries[{i}].person_id"), "appears more than once"));
            }
            if entry.status.needs_start() && now < session.starts_at {
                errors.push(FieldError::new(
                    format!("entries[{i}].status"),
                    format!("{} can be recorded only once the session has started", entry.status.as_str()),
                ));
            }
        }
        ValidationErrors::check(errors)?;
        for entry in &update.entries {
            upsert(&txn, session_id, entry.person_id, entry.status, now).await?;
        }
        let mut status = status;
        if status == SessionStatus::Scheduled && update.entries.iter().any(|e| e.status.needs_start()) {
            session::Entity::update_many()
                .col_expr(session::Column::Status, Expr::value(SessionStatus::Held.as_str()))
                .col_expr(session::Column::UpdatedAt, Expr::value(now))
                .filter(session::Column::Id.eq(session_id))
                .exec(&txn)
                .await?;
            status = SessionStatus::Held;
        }
        let entries = entries_of(&txn, session_id).await?;
        let recorded: Vec<_> = update
            .entries
            .iter()
            .map(|e| serde_json::json!({ "person_id": e.person_id, "status": e.status.as_str() }))
            .collect();
        let extra = serde_json::json!({ "attendance": recorded });
        super::webhooks::emit_session(&txn, &series, session_id, "session.attendance_recorded", extra, now).await?;
        txn.commit().await?;
        Ok(SessionAttendance { session_id, session_status: status, entries })
    }

    /// The attendance of session `session_id`: every entry for its supervisor, admins and
    /// the organization's coordinator; their own for a participant invited to it (another
    /// participant of the series: `Forbidden`).
    pub async fn get_attendance(&self, caller: &Caller, session_id: Uuid) -> Result<SessionAttendance, StoreError> {
        let db = self.connection();
        let (session, _, role) = session_for(db, caller, session_id, Access::View, false).await?;
        let mut entries = entries_of(db, session_id).await?;
        if let SeriesRole::Participant(person_id) = role {
            if !is_invited(db, person_id, session_id).await? {
                return Err(StoreError::Forbidden);
            }
            entries.retain(|e| e.person_id == person_id);
        }
        Ok(SessionAttendance { session_id, session_status: session_status(&session)?, entries })
    }

    /// The calling participant's own attendance at those of `session_ids` where it is
    /// recorded, by session, in a constant number of statements (other roles: `Forbidden`).
    pub async fn own_attendance(
        &self,
        caller: &Caller,
        session_ids: &[Uuid],
    ) -> Result<HashMap<Uuid, AttendanceStatus>, StoreError> {
        let Caller::Participant { person_id } = *caller else {
            return Err(StoreError::Forbidden);
        };
        let mut own = HashMap::new();
        for chunk in session_ids.chunks(ID_CHUNK) {
            let rows = attendance::Entity::find()
                .filter(attendance::Column::PersonId.eq(person_id))
                .filter(attendance::Column::SessionId.is_in(chunk.to_vec()))
                .all(self.connection())
                .await?;
            for row in rows {
                let entry = Attendance::try_from(row)?;
                own.insert(entry.session_id, entry.status);
            }
        }
        Ok(own)
    }

    /// "I can't attend": the calling participant marks themselves `excused` for a future
    /// session they are invited to, and the supervisor is told (a core `Notice::Info` with
    /// `Change::AbsenceReported`, queued in the same transaction, once per person and
    /// session). Only participants may (`Forbidden` for other roles); a session that has
    /// started, or is not scheduled, is `Invalid` on `session`.
    pub async fn report_absence(
        &self,
        caller: &Caller,
        session_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Attendance, StoreError> {
        let Caller::Participant { person_id } = *caller else {
            return Err(StoreError::Forbidden);
        };
        let txn = self.begin_write().await?;
        let (session, series, _) = session_to_change(&txn, caller, session_id).await?;
        if !is_invited(&txn, person_id, session_id).await? {
            return Err(StoreError::Forbidden);
        }
        if session_status(&session)? != SessionStatus::Scheduled || session.starts_at <= now {
            return Err(StoreError::refused("session", "only a future, scheduled session can be excused in advance"));
        }
        upsert(&txn, session_id, person_id, AttendanceStatus::Excused, now).await?;
        let person = person::Entity::find_by_id(person_id).one(&txn).await?.ok_or(StoreError::not_found("person"))?;
        let context = SeriesContext::load(&txn, series).await?;
        // Both supervisors of a co-supervised series are told; the first keeps the key it had.
        for (n, recipient) in context.supervisor_recipients().into_iter().enumerate() {
            let key = if n == 0 {
                format!("absence:{session_id}:{person_id}")
            } else {
                format!("absence:{session_id}:{person_id}:{}", recipient.id)
            };
            let notice = Notice::Info {
                recipient,
                series: context.info(),
                change: Change::AbsenceReported {
                    index: u32::try_from(session.index).unwrap_or_default(),
                    participant: person.name.clone(),
                },
            };
            enqueue(&txn, &notice, &key, now).await?;
        }
        let row = attendance::Entity::find_by_id((session_id, person_id))
            .one(&txn)
            .await?
            .ok_or(StoreError::not_found("attendance"))?;
        txn.commit().await?;
        Attendance::try_from(row)
    }
}
