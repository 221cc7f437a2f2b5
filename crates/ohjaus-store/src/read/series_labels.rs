//! What a list of sessions shows of their series — title, kind, organization, team,
//! supervisors, sessions contracted — for the series the caller may see.

use super::window::by_ids;
use crate::access::visible_series;
use crate::entity::{organization, series, supervisor, team};
use crate::{Caller, Store, StoreError};
use sea_orm::EntityTrait;
use std::collections::HashMap;
use uuid::Uuid;

/// What a list of sessions shows of their series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesLabel {
    /// The series.
    pub series_id: Uuid,
    /// Its title.
    pub title: String,
    /// Its kind (wire name).
    pub kind: String,
    /// The organization's name.
    pub organization_name: String,
    /// The team's name, for a team series.
    pub team_name: Option<String>,
    /// The supervisor's name.
    pub supervisor_name: String,
    /// The co-supervisor's name, for a co-supervised series.
    pub co_supervisor_name: Option<String>,
    /// Sessions contracted: the N of "session k of N".
    pub contracted_sessions: u32,
}

impl Store {
    /// The labels of those of `series_ids` the caller may see (the others are left out), in
    /// a constant number of statements.
    pub async fn series_labels(
        &self,
        caller: &Caller,
        series_ids: &[Uuid],
    ) -> Result<HashMap<Uuid, SeriesLabel>, StoreError> {
        let db = self.connection();
        let rows = by_ids(db, series::Entity::find(), series::Column::Id, series_ids.iter().copied(), |s| s.id).await?;
        let rows = visible_series(db, caller, rows.into_values().collect()).await?;
        let organizations = by_ids(
            db,
            organization::Entity::find(),
            organization::Column::Id,
            rows.iter().map(|s| s.organization_id),
            |o| o.id,
        )
        .await?;
        let supervisors = by_ids(
            db,
            supervisor::Entity::find(),
            supervisor::Column::Id,
            rows.iter().flat_map(|s| std::iter::once(s.supervisor_id).chain(s.co_supervisor_id)),
            |s| s.id,
        )
        .await?;
        let teams =
            by_ids(db, team::Entity::find(), team::Column::Id, rows.iter().filter_map(|s| s.team_id), |t| t.id).await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let label = SeriesLabel {
                    series_id: row.id,
                    organization_name: organizations
                        .get(&row.organization_id)
                        .map(|o| o.name.clone())
                        .unwrap_or_default(),
                    team_name: row.team_id.and_then(|id| teams.get(&id)).map(|t| t.name.clone()),
                    supervisor_name: supervisors.get(&row.supervisor_id).map(|s| s.name.clone()).unwrap_or_default(),
                    co_supervisor_name: row
                        .co_supervisor_id
                        .and_then(|id| supervisors.get(&id))
                        .map(|s| s.name.clone()),
                    contracted_sessions: u32::try_from(row.contracted_sessions).unwrap_or_default(),
                    title: row.title,
                    kind: row.kind,
                };
                (label.series_id, label)
            })
            .collect())
    }
}
