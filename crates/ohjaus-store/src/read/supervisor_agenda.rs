//! A supervisor's agenda (`GET /supervisors/{id}/upcoming`, the supervisor's pages): their
//! sessions in a window, each with its series' title, the organization's name and who is
//! invited, ordered by start — one statement through [`super::window`].

use super::window::{self, Whose, WindowSession};
use crate::limits::{MAX_UPCOMING_DAYS, MAX_WINDOW};
use crate::values::Zones;
use crate::write::sessions::Session;
use crate::{Caller, Store, StoreError, access};
use chrono::{DateTime, Utc};
use sea_orm::EntityTrait;
use serde::Serialize;
use uuid::Uuid;

/// A person invited to a session, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invitee {
    /// The person.
    pub id: Uuid,
    /// Their name.
    pub name: String,
}

/// One of a supervisor's sessions with what their agenda shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupervisorSession {
    /// The session.
    #[serde(flatten)]
    pub session: Session,
    /// Its series' title.
    pub series_title: String,
    /// The buying organization.
    pub organization_id: Uuid,
    /// Its name.
    pub organization_name: String,
    /// Who is invited, by name.
    pub participants: Vec<Invitee>,
}

impl SupervisorSession {
    /// The agenda item of a window's session, times at the local offset of its zone.
    pub(crate) fn from_window(loaded: WindowSession, zones: &mut Zones) -> Self {
        let session = loaded.session(zones);
        Self {
            session,
            series_title: loaded.title,
            organization_id: loaded.organization_id,
            organization_name: loaded.organization_name.unwrap_or_default(),
            participants: loaded.invitees.into_iter().map(|(id, name)| Invitee { id, name }).collect(),
        }
    }
}

impl Store {
    /// Supervisor `supervisor_id`'s sessions that are not cancelled and start in
    /// `[from, until)`, ordered by start (see [`access::reads_agenda_of`] for who may).
    pub async fn upcoming_for_supervisor(
        &self,
        caller: &Caller,
        supervisor_id: Uuid,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<SupervisorSession>, StoreError> {
        self.upcoming_page_for_supervisor(caller, supervisor_id, from, until, None, u32::MAX).await
    }

    /// A page of [`Store::upcoming_for_supervisor`]: at most `limit` sessions, those after
    /// the key `after` (start and id, the list's order) when it is given.
    pub async fn upcoming_page_for_supervisor(
        &self,
        caller: &Caller,
        supervisor_id: Uuid,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        after: Option<(DateTime<Utc>, Uuid)>,
        limit: u32,
    ) -> Result<Vec<SupervisorSession>, StoreError> {
        access::reads_agenda_of(caller, supervisor_id)?;
        if until <= from || until - from > MAX_WINDOW {
            return Err(StoreError::invalid(
                "days",
                format!("the window must be between a moment and {MAX_UPCOMING_DAYS} days"),
            ));
        }
        let loaded = window::page(self, Whose::Supervisor(supervisor_id), (from, until), after, limit).await?;
        if loaded.is_empty() {
            if caller.is_admin() {
                crate::entity::supervisor::Entity::find_by_id(supervisor_id)
                    .one(self.connection())
                    .await?
                    .ok_or(StoreError::not_found("supervisor"))?;
            }
            return Ok(Vec::new());
        }
        let mut zones = Zones::default();
        Ok(loaded.into_iter().map(|s| SupervisorSession::from_window(s, &mut zones)).collect())
    }
}
