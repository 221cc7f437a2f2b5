//! A supervisor's sessions in a window, for `GET /supervisors/{id}/upcoming`: each with its
//! series' title, the organization's name and who is invited, ordered by start. Three
//! indexed queries (sessions by `(supervisor_id, starts_at)`, their series with
//! organizations, their invitees with names) whatever the window holds.

use super::sessions::Session;
use crate::entity::{organization, person, series, session, session_participant};
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ColumnTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, RelationTrait};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// Longest window one call may ask for.
pub const MAX_WINDOW: TimeDelta = TimeDelta::days(366);

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

impl Store {
    /// Supervisor `supervisor_id`'s sessions that are not cancelled and start in
    /// `[from, until)`, ordered by start (admin or that supervisor; a coordinator may not; to
    /// others the supervisor does not exist).
    pub async fn upcoming_for_supervisor(
        &self,
        caller: &Caller,
        supervisor_id: Uuid,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<SupervisorSession>, StoreError> {
        match caller {
            Caller::Admin => {}
            Caller::Supervisor { supervisor_id: own } if *own == supervisor_id => {}
            Caller::Coordinator { .. } => return Err(StoreError::Forbidden),
            _ => return Err(StoreError::not_found("supervisor")),
        }
        if until <= from || until - from > MAX_WINDOW {
            return Err(StoreError::invalid("days", "the window must be between a moment and 366 days"));
        }
        let db = self.connection();
        let rows = session::Entity::find()
            .filter(session::Column::SupervisorId.eq(supervisor_id))
            .filter(session::Column::StartsAt.gte(from))
            .filter(session::Column::StartsAt.lt(until))
            .filter(session::Column::Status.ne("cancelled"))
            .order_by_asc(session::Column::StartsAt)
            .order_by_asc(session::Column::Id)
            .all(db)
            .await?;
        if rows.is_empty() {
            if caller.is_admin() {
                crate::entity::supervisor::Entity::find_by_id(supervisor_id)
                    .one(db)
                    .await?
                    .ok_or(StoreError::not_found("supervisor"))?;
            }
            return Ok(Vec::new());
        }
        let mut series_ids: Vec<Uuid> = rows.iter().map(|s| s.series_id).collect();
        series_ids.sort();
        series_ids.dedup();
        let series: HashMap<Uuid, (series::Model, Option<organization::Model>)> = series::Entity::find()
            .find_also_related(organization::Entity)
            .filter(series::Column::Id.is_in(series_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|(s, o)| (s.id, (s, o)))
            .collect();
        let session_ids: Vec<Uuid> = rows.iter().map(|s| s.id).collect();
        let mut invited: HashMap<Uuid, Vec<Invitee>> = HashMap::new();
        for chunk in session_ids.chunks(500) {
            let people: Vec<(Uuid, Uuid, String)> = session_participant::Entity::find()
                .select_only()
                .column(session_participant::Column::SessionId)
                .column(person::Column::Id)
                .column(person::Column::Name)
                .join(JoinType::InnerJoin, session_participant::Relation::Person.def())
                .filter(session_participant::Column::SessionId.is_in(chunk.to_vec()))
                .order_by_asc(person::Column::Name)
                .into_tuple()
                .all(db)
                .await?;
            for (session_id, id, name) in people {
                invited.entry(session_id).or_default().push(Invitee { id, name });
            }
        }
        let mut answer = Vec::with_capacity(rows.len());
        for row in rows {
            let Some((series, organization)) = series.get(&row.series_id) else { continue };
            let participants = invited.remove(&row.id).unwrap_or_default();
            let ids = {
                let mut ids: Vec<Uuid> = participants.iter().map(|p| p.id).collect();
                ids.sort();
                ids
            };
            answer.push(SupervisorSession {
                session: Session::new(row, series, ids),
                series_title: series.title.clone(),
                organization_id: series.organization_id,
                organization_name: organization.as_ref().map(|o| o.name.clone()).unwrap_or_default(),
                participants,
            });
        }
        Ok(answer)
    }
}
