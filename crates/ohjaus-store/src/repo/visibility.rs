//! Who may see a series or a session, and in which capacity — the one place where the
//! confidential reads (goals, reviews, notes, attendance) decide their scope.
//!
//! A series is seen by admins, by its organization's coordinator, by its supervisor, and by
//! its participants. A *participant* of a series is a person on its current participant list
//! or invited to any of its sessions (someone who left midway still sees what they took part
//! in). Anyone else gets `NotFound`, as if the series did not exist.

use crate::entity::{series, series_participant, session, session_participant};
use crate::{Caller, StoreError};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, PaginatorTrait, QueryFilter, QuerySelect, RelationTrait,
};
use uuid::Uuid;

/// In which capacity a caller sees a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SeriesRole {
    /// An admin: an operator, not a party to the process.
    Admin,
    /// The coordinator of the series' organization.
    Coordinator,
    /// The series' supervisor.
    Supervisor(Uuid),
    /// A participant (current or earlier).
    Participant(Uuid),
}

impl SeriesRole {
    /// Whether the caller takes part in the process (supervises it or participates): the
    /// parties to whom what is said in it belongs.
    pub(crate) fn is_party(self) -> bool {
        matches!(self, Self::Supervisor(_) | Self::Participant(_))
    }
}

/// Series `series_id` and the caller's capacity in it, or `NotFound` when the caller may not
/// see it.
pub(crate) async fn series_for(
    db: &impl ConnectionTrait,
    caller: &Caller,
    series_id: Uuid,
) -> Result<(series::Model, SeriesRole), StoreError> {
    let not_found = || StoreError::not_found("series");
    let series = series::Entity::find_by_id(series_id).one(db).await?.ok_or_else(not_found)?;
    let role = role_in(db, caller, &series).await?.ok_or_else(not_found)?;
    Ok((series, role))
}

/// The caller's capacity in `series`, or `None` when they may not see it.
pub(crate) async fn role_in(
    db: &impl ConnectionTrait,
    caller: &Caller,
    series: &series::Model,
) -> Result<Option<SeriesRole>, StoreError> {
    Ok(match *caller {
        Caller::Admin => Some(SeriesRole::Admin),
        Caller::Coordinator { organization_id } => {
            (organization_id == series.organization_id).then_some(SeriesRole::Coordinator)
        }
        Caller::Supervisor { supervisor_id } => {
            (supervisor_id == series.supervisor_id).then_some(SeriesRole::Supervisor(supervisor_id))
        }
        Caller::Participant { person_id } => {
            is_participant_of(db, person_id, series.id).await?.then_some(SeriesRole::Participant(person_id))
        }
    })
}

/// Whether `person_id` is on the series' participant list or invited to any of its sessions.
pub(crate) async fn is_participant_of(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    series_id: Uuid,
) -> Result<bool, StoreError> {
    let listed = series_participant::Entity::find()
        .filter(series_participant::Column::SeriesId.eq(series_id))
        .filter(series_participant::Column::PersonId.eq(person_id))
        .count(db)
        .await?
        > 0;
    if listed {
        return Ok(true);
    }
    let invited = session_participant::Entity::find()
        .join(JoinType::InnerJoin, session_participant::Relation::Session.def())
        .filter(session_participant::Column::PersonId.eq(person_id))
        .filter(session::Column::SeriesId.eq(series_id))
        .count(db)
        .await?
        > 0;
    Ok(invited)
}

/// Whether `person_id` is invited to session `session_id`.
pub(crate) async fn is_invited(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    session_id: Uuid,
) -> Result<bool, StoreError> {
    Ok(session_participant::Entity::find_by_id((session_id, person_id)).one(db).await?.is_some())
}

/// Session `session_id`, its series and the caller's capacity in the series, or `NotFound`
/// (`what` = `session`) when the caller may not see the series.
pub(crate) async fn session_for(
    db: &impl ConnectionTrait,
    caller: &Caller,
    session_id: Uuid,
) -> Result<(session::Model, series::Model, SeriesRole), StoreError> {
    let not_found = || StoreError::not_found("session");
    let session = session::Entity::find_by_id(session_id).one(db).await?.ok_or_else(not_found)?;
    let series = series::Entity::find_by_id(session.series_id).one(db).await?.ok_or_else(not_found)?;
    let role = role_in(db, caller, &series).await?.ok_or_else(not_found)?;
    Ok((session, series, role))
}
