//! The data of a private calendar feed (`GET /calendar/{token}.ics`): the owner's series as
//! the same core `CalendarEvent`s the invitations describe, built by the same code
//! ([`crate::write::outbox_writer::EventRows::view`]), so a subscribed calendar and the emailed invites
//! never disagree. A person's events carry only the sessions they are invited to; a
//! supervisor's carry every session of the series they supervise. Past, held and cancelled
//! sessions stay in (a calendar shows history, and a cancelled instance is how a client
//! learns of the cancellation).

use crate::entity::{calendar_event, organization, person, series, session, session_participant, supervisor};
use crate::write::outbox_writer::{EventRows, SeriesContext};
use crate::write::tokens::FeedOwner;
use crate::{Store, StoreError};
use ohjaus_core::CalendarEvent;
use ohjaus_core::notice::{Party, SeriesInfo};
use sea_orm::{ColumnTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, RelationTrait};
use serde::Serialize;
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
}

/// One series in a feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedSeries {
    /// What the series is.
    pub info: SeriesInfo,
    /// `active`, `cancelled` or `completed`.
    pub status: String,
    /// The supervisor, as ORGANIZER.
    pub organizer: Party,
    /// The current participants, as ATTENDEEs.
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
        let (owner_name, timezone, person, series_rows) = match owner {
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
                (person.name, organization.timezone, Some(person_id), series_rows)
            }
            FeedOwner::Supervisor(supervisor_id) => {
                let supervisor = supervisor::Entity::find_by_id(supervisor_id)
                    .one(db)
                    .await?
                    .ok_or(StoreError::not_found("supervisor"))?;
                let series_rows = series::Entity::find()
                    .filter(series::Column::SupervisorId.eq(supervisor_id))
                    .order_by_asc(series::Column::CreatedAt)
                    .order_by_asc(series::Column::Id)
                    .all(db)
                    .await?;
                (supervisor.name, supervisor.timezone, None, series_rows)
            }
        };
        let mut feed_series = Vec::with_capacity(series_rows.len());
        for series in series_rows {
            let uids: Vec<String> = calendar_event::Entity::find()
                .select_only()
                .column(calendar_event::Column::Uid)
                .filter(calendar_event::Column::SeriesId.eq(series.id))
                .order_by_asc(calendar_event::Column::CreatedAt)
                .order_by_asc(calendar_event::Column::Uid)
                .into_tuple()
                .all(db)
                .await?;
            let mut events = Vec::with_capacity(uids.len());
            for uid in uids {
                let view = EventRows::load(db, &uid).await?.view(&series, person);
                if !view.instances.is_empty() {
                    events.push(view);
                }
            }
            if events.is_empty() {
                continue;
            }
            let status = series.status.clone();
            let context = SeriesContext::load(db, series).await?;
            feed_series.push(FeedSeries {
                info: context.info(),
                status,
                organizer: context.organizer(),
                attendees: context.attendees(),
                sequence: u32::try_from(context.series.ical_sequence).unwrap_or_default(),
                events,
            });
        }
        Ok(CalendarFeed { owner, owner_name, timezone, series: feed_series })
    }
}
