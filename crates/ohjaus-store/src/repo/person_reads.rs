//! A person's own view (`GET /me/upcoming?days=N`): the sessions they are invited to from
//! now on, with what they need to show up — the series, the organization, the supervisor,
//! where and the video link. For a supervisor caller the same endpoint is their own agenda,
//! [`Store::upcoming_for_supervisor`]; [`Store::my_upcoming`] answers either.
//!
//! The window is the supervisor view's: sessions that start in `[now, now + days)` and are
//! not cancelled (a cancelled one is not coming; its cancellation was sent by email and stays
//! in the calendar feed).

use super::sessions::{Session, invitees};
use super::upcoming_supervisor::SupervisorSession;
use crate::entity::{organization, series, session, session_participant, supervisor};
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ColumnTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, RelationTrait};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// Longest look-ahead of an upcoming view, in days.
pub const MAX_UPCOMING_DAYS: u32 = 366;
/// Most sessions one upcoming view lists.
const MAX_UPCOMING_SESSIONS: u64 = 1_000;

/// One of a person's upcoming sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonUpcomingSession {
    /// The session (times at the series' local offset; location and video link resolved).
    #[serde(flatten)]
    pub session: Session,
    /// The series' title.
    pub series_title: String,
    /// The series' kind (wire name).
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::SeriesKind))]
    pub series_kind: String,
    /// The buying organization.
    pub organization_id: Uuid,
    /// Its name.
    pub organization_name: String,
    /// The supervisor.
    pub supervisor_id: Uuid,
    /// Their name.
    pub supervisor_name: String,
}

/// The caller's own upcoming sessions, as a participant or as a supervisor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum MyUpcoming {
    /// A participant's sessions.
    Participant(Vec<PersonUpcomingSession>),
    /// A supervisor's sessions (their agenda, with who is invited).
    Supervisor(Vec<SupervisorSession>),
}

/// The checked look-ahead.
pub(crate) fn upcoming_days(days: u32) -> Result<TimeDelta, StoreError> {
    if (1..=MAX_UPCOMING_DAYS).contains(&days) {
        Ok(TimeDelta::days(i64::from(days)))
    } else {
        Err(StoreError::invalid("days", format!("must be between 1 and {MAX_UPCOMING_DAYS}")))
    }
}

impl Store {
    /// `GET /me/upcoming?days=N`: a participant's [`Store::person_upcoming`], or a
    /// supervisor's own [`Store::upcoming_for_supervisor`] over the same window. Admins and
    /// coordinators are nobody's calendar: `Forbidden`.
    pub async fn my_upcoming(&self, caller: &Caller, days: u32, now: DateTime<Utc>) -> Result<MyUpcoming, StoreError> {
        match *caller {
            Caller::Participant { .. } => Ok(MyUpcoming::Participant(self.person_upcoming(caller, days, now).await?)),
            Caller::Supervisor { supervisor_id } => {
                let until = now + upcoming_days(days)?;
                Ok(MyUpcoming::Supervisor(self.upcoming_for_supervisor(caller, supervisor_id, now, until).await?))
            }
            Caller::Admin | Caller::Coordinator { .. } => Err(StoreError::Forbidden),
        }
    }

    /// The calling participant's sessions that are not cancelled and start within `days`
    /// days (1–366) from `now`, in time order. Other roles: `Forbidden`.
    pub async fn person_upcoming(
        &self,
        caller: &Caller,
        days: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<PersonUpcomingSession>, StoreError> {
        let Caller::Participant { person_id } = *caller else {
            return Err(StoreError::Forbidden);
        };
        let until = now + upcoming_days(days)?;
        let db = self.connection();
        let rows = session::Entity::find()
            .join(JoinType::InnerJoin, session_participant::Relation::Session.def().rev())
            .filter(session_participant::Column::PersonId.eq(person_id))
            .filter(session::Column::Status.ne("cancelled"))
            .filter(session::Column::StartsAt.gte(now))
            .filter(session::Column::StartsAt.lt(until))
            .order_by_asc(session::Column::StartsAt)
            .order_by_asc(session::Column::Id)
            .limit(MAX_UPCOMING_SESSIONS)
            .all(db)
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut series_ids: Vec<Uuid> = rows.iter().map(|s| s.series_id).collect();
        series_ids.sort_unstable();
        series_ids.dedup();
        let series: HashMap<Uuid, series::Model> = series::Entity::find()
            .filter(series::Column::Id.is_in(series_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        let mut organization_ids: Vec<Uuid> = series.values().map(|s| s.organization_id).collect();
        organization_ids.sort_unstable();
        organization_ids.dedup();
        let organizations: HashMap<Uuid, String> = organization::Entity::find()
            .filter(organization::Column::Id.is_in(organization_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        let mut supervisor_ids: Vec<Uuid> = series.values().map(|s| s.supervisor_id).collect();
        supervisor_ids.sort_unstable();
        supervisor_ids.dedup();
        let supervisors: HashMap<Uuid, String> = supervisor::Entity::find()
            .filter(supervisor::Column::Id.is_in(supervisor_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        let ids: Vec<Uuid> = rows.iter().map(|s| s.id).collect();
        let mut people = invitees(db, &ids).await?;
        let mut upcoming = Vec::with_capacity(rows.len());
        for row in rows {
            let Some(series) = series.get(&row.series_id) else { continue };
            let invited = people.remove(&row.id).unwrap_or_default();
            upcoming.push(PersonUpcomingSession {
                session: Session::new(row, series, invited),
                series_title: series.title.clone(),
                series_kind: series.kind.clone(),
                organization_id: series.organization_id,
                organization_name: organizations.get(&series.organization_id).cloned().unwrap_or_default(),
                supervisor_id: series.supervisor_id,
                supervisor_name: supervisors.get(&series.supervisor_id).cloned().unwrap_or_default(),
            });
        }
        Ok(upcoming)
    }
}
