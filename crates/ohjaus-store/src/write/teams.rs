//! Teams of an organization. Setting a team's members makes the future sessions of its
//! active series follow: new members are invited, removed ones uninvited, with messages.

use super::series::apply_participants;
use crate::entity::{series, team, team_member};
use crate::values::new_id;
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, Utc};
use ohjaus_core::{FieldError, Label, ValidationErrors};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use uuid::Uuid;

/// A team as answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Team {
    /// Id.
    pub id: Uuid,
    /// Its organization.
    pub organization_id: Uuid,
    /// Name.
    pub name: String,
    /// Members.
    pub member_ids: Vec<Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl Team {
    fn of(row: team::Model, member_ids: Vec<Uuid>) -> Self {
        Self {
            id: row.id,
            organization_id: row.organization_id,
            name: row.name,
            member_ids,
            created_at: row.created_at,
        }
    }
}

/// `POST /organizations/{org}/teams` body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewTeam {
    /// Name.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::Label))]
    pub name: String,
    /// Members: people of the organization.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 500))]
    pub member_ids: Vec<Uuid>,
}

/// `PUT /teams/{id}/members` body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetMembers {
    /// The new members.
    #[cfg_attr(feature = "openapi", schema(max_items = 500))]
    pub member_ids: Vec<Uuid>,
}

/// Checks that `ids` are distinct people of `organization_id`; gives them sorted.
async fn check_members<C: ConnectionTrait>(
    db: &C,
    organization_id: Uuid,
    ids: &[Uuid],
) -> Result<Vec<Uuid>, StoreError> {
    let mut sorted = ids.to_vec();
    sorted.sort();
    sorted.dedup();
    if sorted.len() != ids.len() {
        return Err(StoreError::invalid("member_ids", "names a person twice"));
    }
    if ids.len() > ohjaus_core::series::MAX_PARTICIPANTS {
        return Err(StoreError::invalid("member_ids", "too many people"));
    }
    let known: HashSet<Uuid> = Store::people_of_organization(db, organization_id, ids).await?.into_iter().collect();
    let errors: Vec<FieldError> = ids
        .iter()
        .enumerate()
        .filter(|(_, id)| !known.contains(id))
        .map(|(i, _)| FieldError::new(format!("member_ids[{i}]"), "no such person in the organization"))
        .collect();
    ValidationErrors::check(errors)?;
    Ok(sorted)
}

async fn members<C: ConnectionTrait>(db: &C, team_id: Uuid) -> Result<Vec<Uuid>, StoreError> {
    Ok(team_member::Entity::find()
        .select_only()
        .column(team_member::Column::PersonId)
        .filter(team_member::Column::TeamId.eq(team_id))
        .order_by_asc(team_member::Column::PersonId)
        .into_tuple()
        .all(db)
        .await?)
}

impl Store {
    /// Creates a team (admin, the organization's coordinator); members must be people of
    /// the organization.
    pub async fn create_team(
        &self,
        caller: &Caller,
        organization_id: Uuid,
        new: &NewTeam,
        now: DateTime<Utc>,
    ) -> Result<Team, StoreError> {
        self.organization_to_manage(caller, organization_id).await?;
        let name = Label::parse("name", &new.name)?;
        let txn = self.begin_write().await?;
        let member_ids = check_members(&txn, organization_id, &new.member_ids).await?;
        let model = team::Model { id: new_id(), organization_id, name: name.as_str().to_owned(), created_at: now }
            .into_active_model()
            .insert(&txn)
            .await?;
        if !member_ids.is_empty() {
            let rows: Vec<team_member::ActiveModel> = member_ids
                .iter()
                .map(|p| team_member::Model { team_id: model.id, person_id: *p }.into_active_model())
                .collect();
            team_member::Entity::insert_many(rows).exec_without_returning(&txn).await?;
        }
        txn.commit().await?;
        Ok(Team { id: model.id, organization_id, name: model.name, member_ids, created_at: now })
    }

    /// One team (admin, the organization's coordinator).
    pub async fn get_team(&self, caller: &Caller, id: Uuid) -> Result<Team, StoreError> {
        let db = self.connection();
        let found = self.team_to_manage(db, caller, id, false).await?;
        let member_ids = members(db, id).await?;
        Ok(Team::of(found, member_ids))
    }

    /// An organization's teams by name (admin, its coordinator).
    pub async fn list_teams(&self, caller: &Caller, organization_id: Uuid) -> Result<Vec<Team>, StoreError> {
        self.organization_to_manage(caller, organization_id).await?;
        let db = self.connection();
        let rows = team::Entity::find()
            .filter(team::Column::OrganizationId.eq(organization_id))
            .order_by_asc(team::Column::Name)
            .all(db)
            .await?;
        let mut teams = Vec::with_capacity(rows.len());
        for row in rows {
            let member_ids = members(db, row.id).await?;
            teams.push(Team::of(row, member_ids));
        }
        Ok(teams)
    }

    /// Replaces a team's members (admin, the organization's coordinator). Every active
    /// series of the team follows in the same transaction: added members are invited to its
    /// future sessions (a conflict of theirs refuses the whole change), removed ones are
    /// uninvited, each with their messages.
    pub async fn set_team_members(
        &self,
        caller: &Caller,
        id: Uuid,
        set: &SetMembers,
        now: DateTime<Utc>,
    ) -> Result<Team, StoreError> {
        let txn = self.begin_write().await?;
        let found = self.team_to_manage(&txn, caller, id, true).await?;
        let member_ids = check_members(&txn, found.organization_id, &set.member_ids).await?;
        team_member::Entity::delete_many().filter(team_member::Column::TeamId.eq(id)).exec(&txn).await?;
        if !member_ids.is_empty() {
            let rows: Vec<team_member::ActiveModel> = member_ids
                .iter()
                .map(|p| team_member::Model { team_id: id, person_id: *p }.into_active_model())
                .collect();
            team_member::Entity::insert_many(rows).exec_without_returning(&txn).await?;
        }
        let active = series::Entity::find()
            .filter(series::Column::TeamId.eq(id))
            .filter(series::Column::Status.eq(crate::status::SeriesStatus::Active.as_str()))
            .order_by_asc(series::Column::Id)
            .lock_exclusive()
            .all(&txn)
            .await?;
        for row in active {
            apply_participants(&txn, row, Some(id), member_ids.clone(), now).await?;
        }
        txn.commit().await?;
        Ok(Team::of(found, member_ids))
    }

    /// Team `id` if the caller may manage its organization (locked for a write when `lock`);
    /// another organization's team is not found.
    async fn team_to_manage<C: ConnectionTrait>(
        &self,
        db: &C,
        caller: &Caller,
        id: Uuid,
        lock: bool,
    ) -> Result<team::Model, StoreError> {
        let mut query = team::Entity::find_by_id(id);
        if lock {
            query = query.lock_exclusive();
        }
        let found = query.one(db).await?.ok_or(StoreError::not_found("team"))?;
        self.organization_to_manage(caller, found.organization_id).await.map_err(|e| match e {
            StoreError::NotFound { .. } => StoreError::not_found("team"),
            other => other,
        })?;
        Ok(found)
    }
}
