//! A person's agenda (`GET /me/upcoming?days=N`): the sessions they are invited to from
//! now on, with what they need to show up — the series, the organization, the supervisor,
//! where and the video link. For a supervisor caller the same endpoint is their own agenda,
//! [`Store::upcoming_for_supervisor`]; [`Store::my_upcoming`] answers either.
//!
//! The window is the supervisor view's: sessions that start in `[now, now + days)` and are
//! not cancelled (a cancelled one is not coming; its cancellation was sent by email and stays
//! in the calendar feed).

use super::supervisor_agenda::SupervisorSession;
use super::window::{self, Whose, by_ids};
use crate::entity::supervisor;
use crate::limits::{self, MAX_UPCOMING_SESSIONS};
use crate::values::Zones;
use crate::write::sessions::Session;
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::EntityTrait;
use serde::Serialize;
use uuid::Uuid;

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
fn upcoming_days(days: u32) -> Result<TimeDelta, StoreError> {
    Ok(TimeDelta::days(i64::from(limits::upcoming_days(Some(days))?)))
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
        let loaded = window::all(self, Whose::Person(person_id), (now, until), MAX_UPCOMING_SESSIONS as usize).await?;
        let supervisors = by_ids(
            self.connection(),
            supervisor::Entity::find(),
            supervisor::Column::Id,
            loaded.iter().map(|s| s.supervisor_id),
            |s| s.id,
        )
        .await?;
        let mut zones = Zones::default();
        Ok(loaded
            .into_iter()
            .map(|loaded| PersonUpcomingSession {
                session: loaded.session(&mut zones),
                supervisor_name: supervisors.get(&loaded.supervisor_id).map(|s| s.name.clone()).unwrap_or_default(),
                supervisor_id: loaded.supervisor_id,
                series_title: loaded.title,
                series_kind: loaded.kind,
                organization_id: loaded.organization_id,
                organization_name: loaded.organization_name.unwrap_or_default(),
            })
            .collect())
    }
}
