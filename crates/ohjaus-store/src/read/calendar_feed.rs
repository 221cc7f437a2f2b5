//! The data of a private calendar feed (`GET /calendar/{token}.ics`): the owner's series as
//! the same core `CalendarEvent`s the invitations describe, built by the same code
//! ([`EventRows::view`]), so a subscribed calendar and the emailed invites never disagree. A person's events carry only the sessions they are invited to; a
//! supervisor's carry every session of the series they supervise. Past, held and cancelled
//! sessions stay in (a calendar shows history, and a cancelled instance is how a client
//! learns of the cancellation).

use super::window::by_ids;
use crate::entity::{
    calendar_event, organization, person, series, series_participant, session, session_participant, supervisor,
};
use crate::status::SeriesStatus;
use crate::values::ID_CHUNK;
use crate::write::outbox_writer::{EventRows, SeriesContext};
use crate::write::tokens::FeedOwner;
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use ohjaus_core::CalendarEvent;
use ohjaus_core::notice::{Party, SeriesInfo};
use sea_orm::{ColumnTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, RelationTrait};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// A calendar feed's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarFeed {
    /// Whose feed.
    pub owner: FeedOwner,
    /// The owner's name (the calendar's name).
    pub owner_name: String,
    /// The zone the owner's times are shown in.
    pub timezone: String,
    /// The owner's series, oldest first.
    pub series: Vec<FeedSeries>,
    /// When anything the feed shows last changed (the owner's creation when they have no
    /// series): the feed's `DTSTAMP` and `Last-Modified`, so the same data always gives the
    /// same text and a client's conditional request can be answered `304`.
    pub last_modified: DateTime<Utc>,
}

/// One series in a feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedSeries {
    /// What the series is.
    pub info: SeriesInfo,
    /// Where it stands.
    pub status: SeriesStatus,
    /// The supervisor. (The feed's ORGANIZER is the service, as in the invitations.)
    pub supervisor: Party,
    /// The current participants (never listed in the feed: a PUBLISH object has no ATTENDEEs).
    pub attendees: Vec<Party>,
    /// The series' current SEQUENCE.
    pub sequence: u32,
    /// Its calendar events as the owner sees them, each with at least one instance.
    pub events: Vec<CalendarEvent>,
}

impl Store {
    /// The feed of `owner` (resolved from a calendar token by
    /// [`Store::resolve_calendar_token`]; the token is the authority, so no caller). An
    /// owner that no longer exists is `NotFound`.
    pub async fn calendar_feed(&self, owner: FeedOwner) -> Result<CalendarFeed, StoreError> {
        let db = self.connection();
        let (owner_name, timezone, person, series_rows, created_at) = match owner {
            FeedOwner::Person(person_id) => {
                let person =
                    person::Entity::find_by_id(person_id).one(db).await?.ok_or(StoreError::not_found("person"))?;
                let organization = organization::Entity::find_by_id(person.organization_id)
                    .one(db)
                    .await?
                    .ok_or(StoreError::not_found("organization"))?;
                let series_ids: Vec<Uuid> = session_participant::Entity::find()
                    .select_only()
                    .column(session::Column::SeriesId)
                    .distinct()
                    .join(JoinType::InnerJoin, session_participant::Relation::Session.def())
                    .filter(session_participant::Column::PersonId.eq(person_id))
                    .into_tuple()
                    .all(db)
                    .await?;
                let series_rows = if series_ids.is_empty() {
                    Vec::new()
                } else {
                    series::Entity::find()
                        .filter(series::Column::Id.is_in(series_ids))
                        .order_by_asc(series::Column::CreatedAt)
                        .order_by_asc(series::Column::Id)
                        .all(db)
                        .await?
                };
                (person.name, organization.timezone, Some(person_id), series_rows, person.created_at)
            }
            FeedOwner::Supervisor(supervisor_id) => {
                let supervisor = supervisor::Entity::find_by_id(supervisor_id)
                    .one(db)
                    .await?
                    .ok_or(StoreError::not_found("supervisor"))?;
                // The series they supervise or co-supervise.
                let series_rows = series::Entity::find()
                    .filter(crate::access::supervised_by(supervisor_id))
                    .order_by_asc(series::Column::CreatedAt)
                    .order_by_asc(series::Column::Id)
                    .all(db)
                    .await?;
                (supervisor.name, supervisor.timezone, None, series_rows, supervisor.created_at)
            }
        };
        // Everything the series' events and messages show, a constant number of statements
        // (chunked by id) however many series, events and sessions there are.
        let series_ids: Vec<Uuid> = series_rows.iter().map(|s| s.id).collect();
        let mut events: Vec<calendar_event::Model> = Vec::new();
        let mut sessions: Vec<session::Model> = Vec::new();
        let mut listed: Vec<series_participant::Model> = Vec::new();
        for chunk in series_ids.chunks(ID_CHUNK) {
            events.extend(
                calendar_event::Entity::find()
                    .filter(calendar_event::Column::SeriesId.is_in(chunk.to_vec()))
                    .all(db)
                    .await?,
            );
            sessions
                .extend(session::Entity::find().filter(session::Column::SeriesId.is_in(chunk.to_vec())).all(db).await?);
            listed.extend(
                series_participant::Entity::find()
                    .filter(series_participant::Column::SeriesId.is_in(chunk.to_vec()))
                    .all(db)
                    .await?,
            );
        }
        events.sort_by(|a, b| (a.created_at, &a.uid).cmp(&(b.created_at, &b.uid)));
        // Every change to what a feed shows touches one of these rows: a session moved,
        // cancelled or held, an event added, the series' SEQUENCE or participants.
        let last_modified = series_rows
            .iter()
            .map(|s| s.updated_at)
            .chain(sessions.iter().map(|s| s.updated_at))
            .chain(events.iter().map(|e| e.created_at))
            .fold(created_at, DateTime::max);
        sessions.sort_by_key(|s| (s.starts_at, s.index));
        let session_ids: Vec<Uuid> = sessions.iter().map(|s| s.id).collect();
        let mut invited: HashMap<Uuid, BTreeSet<Uuid>> = HashMap::new();
        for chunk in session_ids.chunks(ID_CHUNK) {
            for row in session_participant::Entity::find()
                .filter(session_participant::Column::SessionId.is_in(chunk.to_vec()))
                .all(db)
                .await?
            {
                invited.entry(row.session_id).or_default().insert(row.person_id);
            }
        }
        let organizations = by_ids(
            db,
            organization::Entity::find(),
            organization::Column::Id,
            series_rows.iter().map(|s| s.organization_id),
            |o| o.id,
        )
        .await?;
        let supervisors = by_ids(
            db,
            supervisor::Entity::find(),
            supervisor::Column::Id,
            series_rows.iter().flat_map(|s| std::iter::once(s.supervisor_id).chain(s.co_supervisor_id)),
            |s| s.id,
        )
        .await?;
        let people =
            by_ids(db, person::Entity::find(), person::Column::Id, listed.iter().map(|l| l.person_id), |p| p.id)
                .await?;
        let mut sessions_of: HashMap<String, Vec<session::Model>> = HashMap::new();
        for session in sessions {
            sessions_of.entry(session.calendar_uid.clone()).or_default().push(session);
        }
        let mut feed_series = Vec::with_capacity(series_rows.len());
        for series in series_rows {
            let mut views = Vec::new();
            for event in events.iter().filter(|e| e.series_id == series.id) {
                let sessions = sessions_of.remove(&event.uid).unwrap_or_default();
                let invited = sessions.iter().filter_map(|s| invited.get(&s.id).map(|p| (s.id, p.clone()))).collect();
                let rows = EventRows { event: event.clone(), sessions, invited };
                let view = rows.view(&series, person);
                if !view.instances.is_empty() {
                    views.push(view);
                }
            }
            let (Some(organization), Some(supervisor)) =
                (organizations.get(&series.organization_id), supervisors.get(&series.supervisor_id))
            else {
                continue;
            };
            if views.is_empty() {
                continue;
            }
            let participants: BTreeMap<Uuid, person::Model> = listed
                .iter()
                .filter(|l| l.series_id == series.id)
                .filter_map(|l| people.get(&l.person_id))
                .map(|p| (p.id, p.clone()))
                .collect();
            let status = SeriesStatus::stored(&series.status);
            let context = SeriesContext {
                co_supervisor: series.co_supervisor_id.and_then(|id| supervisors.get(&id)).cloned(),
                series,
                organization: organization.clone(),
                supervisor: supervisor.clone(),
                participants,
                others: HashMap::new(),
            };
            feed_series.push(FeedSeries {
                info: context.info(),
                status,
                supervisor: context.organizer(),
                attendees: context.attendees(),
                sequence: u32::try_from(context.series.ical_sequence).unwrap_or_default(),
                events: views,
            });
        }
        Ok(CalendarFeed { owner, owner_name, timezone, series: feed_series, last_modified })
    }
}
