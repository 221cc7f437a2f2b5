//! The sessions coming up, for the notification worker's schedules (reminders and weekly
//! digests): scheduled sessions of active series with the people invited to them, as the
//! core's notice types, loaded through [`super::window`]. They take no `Caller`: only the
//! worker calls them, as the system, and what they return goes to the people concerned and
//! nowhere else.

use super::window::{self, Whose, by_ids};
use crate::entity::{organization, person, supervisor};
use crate::status::{SeriesStatus, SessionStatus};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use ohjaus_core::Locale;
use ohjaus_core::notice::{Party, Recipient, Role, SessionSummary};
use sea_orm::EntityTrait;
use std::collections::BTreeMap;
use uuid::Uuid;

/// A scheduled session of an active series, with everyone invited to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpcomingSession {
    /// The session as reminders and digests show it.
    pub summary: SessionSummary,
    /// Its series.
    pub series_id: Uuid,
    /// The supervisor, as a recipient in their own language and zone.
    pub supervisor: Recipient,
    /// The co-supervisor, if the session has one, likewise.
    pub co_supervisor: Option<Recipient>,
    /// The participants invited to this session, in their language and the organization's zone.
    pub participants: Vec<Recipient>,
}

/// One supervisor's sessions in a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupervisorAgendaDigest {
    /// The supervisor, as a recipient.
    pub supervisor: Recipient,
    /// Their sessions, in time order.
    pub sessions: Vec<SessionSummary>,
}

impl Store {
    /// Scheduled sessions of active series starting in `[from, to)`, in time order, each with
    /// the participants invited to it.
    pub async fn sessions_starting_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<UpcomingSession>, StoreError> {
        let db = self.connection();
        let mut sessions = window::all(self, Whose::Everyone, (from, to), usize::MAX).await?;
        sessions.retain(|s| {
            s.status == SessionStatus::Scheduled.as_str() && s.series_status == SeriesStatus::Active.as_str()
        });
        let organizations = by_ids(
            db,
            organization::Entity::find(),
            organization::Column::Id,
            sessions.iter().map(|s| s.organization_id),
            |o| o.id,
        )
        .await?;
        let supervisors = by_ids(
            db,
            supervisor::Entity::find(),
            supervisor::Column::Id,
            sessions.iter().flat_map(|s| std::iter::once(s.supervisor_id).chain(s.co_supervisor_id)),
            |s| s.id,
        )
        .await?;
        let invited: Vec<Uuid> = sessions.iter().flat_map(|s| &s.invitees).map(|(id, _)| *id).collect();
        let people = by_ids(db, person::Entity::find(), person::Column::Id, invited.into_iter(), |p| p.id).await?;

        let mut upcoming = Vec::with_capacity(sessions.len());
        for session in sessions {
            let (Some(organization), Some(supervisor)) =
                (organizations.get(&session.organization_id), supervisors.get(&session.supervisor_id))
            else {
                continue;
            };
            let supervisor_party = Party { name: supervisor.name.clone(), email: supervisor.email.clone() };
            let summary = SessionSummary {
                session_id: session.id,
                title: session.title.clone(),
                organization_name: organization.name.clone(),
                index: u32::try_from(session.index).unwrap_or_default(),
                total: u32::try_from(session.contracted_sessions).unwrap_or_default(),
                starts_at: session.starts_at,
                ends_at: session.ends_at,
                location: session.location.clone(),
                video_url: session.video_url.clone(),
                phase: session.phase.clone(),
                kind: Some(session.kind.clone()),
                supervisor: Some(supervisor_party.clone()),
                cancellation_notice_hours: u32::try_from(session.cancellation_notice_hours).ok(),
            };
            let mut participants: Vec<Recipient> = session
                .invitees
                .iter()
                .filter_map(|(id, _)| people.get(id))
                .map(|person| Recipient {
                    party: Party { name: person.name.clone(), email: person.email.clone() },
                    locale: Locale::parse(person.locale.as_deref().unwrap_or(&organization.locale)).unwrap_or_default(),
                    timezone: organization.timezone.clone(),
                    role: Role::Participant,
                    id: person.id,
                })
                .collect();
            participants.sort_by_key(|r| r.id);
            let as_recipient = |supervisor: &supervisor::Model| Recipient {
                party: Party { name: supervisor.name.clone(), email: supervisor.email.clone() },
                locale: Locale::parse(&supervisor.locale).unwrap_or_default(),
                timezone: supervisor.timezone.clone(),
                role: Role::Supervisor,
                id: supervisor.id,
            };
            upcoming.push(UpcomingSession {
                summary,
                series_id: session.series_id,
                supervisor: as_recipient(supervisor),
                co_supervisor: session.co_supervisor_id.and_then(|id| supervisors.get(&id)).map(as_recipient),
                participants,
            });
        }
        Ok(upcoming)
    }

    /// Each supervisor's scheduled sessions of active series starting in `[from, to)`, in time
    /// order; supervisors without any are left out.
    pub async fn supervisor_sessions_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<SupervisorAgendaDigest>, StoreError> {
        let mut agendas: BTreeMap<Uuid, SupervisorAgendaDigest> = BTreeMap::new();
        for upcoming in self.sessions_starting_between(from, to).await? {
            // A co-supervised session is in both supervisors' digests.
            for supervisor in std::iter::once(&upcoming.supervisor).chain(&upcoming.co_supervisor) {
                agendas
                    .entry(supervisor.id)
                    .or_insert_with(|| SupervisorAgendaDigest { supervisor: supervisor.clone(), sessions: Vec::new() })
                    .sessions
                    .push(upcoming.summary.clone());
            }
        }
        Ok(agendas.into_values().collect())
    }
}
