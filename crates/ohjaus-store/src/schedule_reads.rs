//! Reads for the notification worker's schedules (reminders and weekly digests), written by
//! the worker's engineer: upcoming sessions with the people invited to them, as the core's
//! notice types. They take no `Caller`: only the worker calls them, as the system, and what
//! they return goes to the people concerned and nowhere else.

use crate::entity::{organization, person, series, session, session_participant, supervisor};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use ohjaus_core::Locale;
use ohjaus_core::notice::{Party, Recipient, Role, SessionSummary};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Ids per `IN (…)` list, well under SQLite's parameter limit.
const CHUNK: usize = 500;

/// A scheduled session of an active series, with everyone invited to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpcomingSession {
    /// The session as reminders and digests show it.
    pub summary: SessionSummary,
    /// Its series.
    pub series_id: Uuid,
    /// The supervisor, as a recipient in their own language and zone.
    pub supervisor: Recipient,
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
        let sessions = session::Entity::find()
            .filter(session::Column::Status.eq("scheduled"))
            .filter(session::Column::StartsAt.gte(from))
            .filter(session::Column::StartsAt.lt(to))
            .order_by_asc(session::Column::StartsAt)
            .order_by_asc(session::Column::Id)
            .all(db)
            .await?;
        if sessions.is_empty() {
            return Ok(Vec::new());
        }
        let series =
            by_id(db, series::Entity::find(), series::Column::Id, sessions.iter().map(|s| s.series_id), |s| s.id)
                .await?;
        let organizations = by_id(
            db,
            organization::Entity::find(),
            organization::Column::Id,
            series.values().map(|s| s.organization_id),
            |o| o.id,
        )
        .await?;
        let supervisors = by_id(
            db,
            supervisor::Entity::find(),
            supervisor::Column::Id,
            series.values().map(|s| s.supervisor_id),
            |s| s.id,
        )
        .await?;
        let mut invited: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        let session_ids: Vec<Uuid> = sessions.iter().map(|s| s.id).collect();
        for chunk in session_ids.chunks(CHUNK) {
            for row in session_participant::Entity::find()
                .filter(session_participant::Column::SessionId.is_in(chunk.to_vec()))
                .all(db)
                .await?
            {
                invited.entry(row.session_id).or_default().push(row.person_id);
            }
        }
        let people =
            by_id(db, person::Entity::find(), person::Column::Id, invited.values().flatten().copied(), |p| p.id)
                .await?;

        let mut upcoming = Vec::with_capacity(sessions.len());
        for session in sessions {
            let Some(series) = series.get(&session.series_id).filter(|s| s.status == "active") else { continue };
            let (Some(organization), Some(supervisor)) =
                (organizations.get(&series.organization_id), supervisors.get(&series.supervisor_id))
            else {
                continue;
            };
            let supervisor_party = Party { name: supervisor.name.clone(), email: supervisor.email.clone() };
            let summary = SessionSummary {
                session_id: session.id,
                title: series.title.clone(),
                organization_name: organization.name.clone(),
                index: u32::try_from(session.index).unwrap_or_default(),
                total: u32::try_from(series.contracted_sessions).unwrap_or_default(),
                starts_at: session.starts_at,
                ends_at: session.ends_at,
                location: session.location.clone().or_else(|| series.location.clone()),
                video_url: session.video_url.clone().or_else(|| series.video_url.clone()),
                phase: session.phase.clone(),
                kind: Some(series.kind.clone()),
                supervisor: Some(supervisor_party.clone()),
                cancellation_notice_hours: u32::try_from(series.cancellation_notice_hours).ok(),
            };
            let mut participants: Vec<Recipient> = invited
                .get(&session.id)
                .into_iter()
                .flatten()
                .filter_map(|id| people.get(id))
                .map(|person| Recipient {
                    party: Party { name: person.name.clone(), email: person.email.clone() },
                    locale: Locale::parse(person.locale.as_deref().unwrap_or(&organization.locale)).unwrap_or_default(),
                    timezone: organization.timezone.clone(),
                    role: Role::Participant,
                    id: person.id,
                })
                .collect();
            participants.sort_by_key(|r| r.id);
            upcoming.push(UpcomingSession {
                summary,
                series_id: series.id,
                supervisor: Recipient {
                    party: supervisor_party,
                    locale: Locale::parse(&supervisor.locale).unwrap_or_default(),
                    timezone: supervisor.timezone.clone(),
                    role: Role::Supervisor,
                    id: supervisor.id,
                },
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
            agendas
                .entry(upcoming.supervisor.id)
                .or_insert_with(|| SupervisorAgendaDigest {
                    supervisor: upcoming.supervisor.clone(),
                    sessions: Vec::new(),
                })
                .sessions
                .push(upcoming.summary);
        }
        Ok(agendas.into_values().collect())
    }
}

/// Loads the rows of `ids` (deduplicated, in chunks) keyed by id.
async fn by_id<E, C, M>(
    db: &C,
    select: sea_orm::Select<E>,
    column: impl ColumnTrait,
    ids: impl Iterator<Item = Uuid>,
    key: impl Fn(&M) -> Uuid,
) -> Result<HashMap<Uuid, M>, StoreError>
where
    E: EntityTrait<Model = M>,
    C: sea_orm::ConnectionTrait,
    M: sea_orm::FromQueryResult + Send + Sync,
{
    let mut ids: Vec<Uuid> = ids.collect();
    ids.sort();
    ids.dedup();
    let mut rows = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        for row in select.clone().filter(column.is_in(chunk.to_vec())).all(db).await? {
            rows.insert(key(&row), row);
        }
    }
    Ok(rows)
}
