//! Who may read and change what — the one policy every command and view asks.
//!
//! - An **organization** is managed by admins and by its coordinator; another organization's
//!   coordinator does not see it (`NotFound`), and supervisors and participants may not manage
//!   any (`Forbidden`). Booking a series, suggesting slots, people, teams, closures and the
//!   report are managing.
//! - A **series** (and each of its sessions) is seen by admins, by its organization's
//!   coordinator, by its supervisors (its supervisor and its co-supervisor, both in the role
//!   [`SeriesRole::Supervisor`]: co-supervision shares everything a supervisor may do and
//!   read, notes included) and by its participants; a *participant* is a person on
//!   its current list or invited to any of its sessions (someone who left midway still sees
//!   what they took part in). Anyone else gets `NotFound`, as if it did not exist. What a
//!   caller may do with it is their [`SeriesRole`] against the [`Access`] asked for; the
//!   confidential reads (goals, reviews, notes, attendance) decide their finer scope from the
//!   role.
//! - A **supervisor's agenda** is read by admins and by that supervisor; a coordinator may
//!   not (`Forbidden`), and to anyone else the supervisor does not exist. Their **billing
//!   profile** likewise.
//! - An **invoice** (a draft, an approved invoice, a credit note) is the seller's: its
//!   supervisor reads and acts on it (drafts, approves, discards, credits); admins read every
//!   invoice; the buying organization's coordinator reads its approved invoices; to anyone
//!   else it does not exist, and participants never see invoices (`Forbidden`). Only the
//!   seller acts: a reader who may not gets `Forbidden`.

use crate::entity::{organization, series, series_participant, session, session_participant};
use crate::{Caller, Store, StoreError};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, PaginatorTrait, QueryFilter, QuerySelect, RelationTrait,
};
use std::collections::HashSet;
use uuid::Uuid;

/// In which capacity a caller sees a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SeriesRole {
    /// An admin: an operator, not a party to the process.
    Admin,
    /// The coordinator of the series' organization.
    Coordinator,
    /// One of the series' supervisors (its supervisor or its co-supervisor).
    Supervisor(Uuid),
    /// A participant (current or earlier).
    Participant(Uuid),
}

/// What a caller needs to do with a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Read it: everyone who sees it.
    View,
    /// Change its sessions, cancel it, re-plan it: admin, coordinator, supervisor.
    Manage,
    /// Change its participants: admin, coordinator.
    Coordinate,
}

impl SeriesRole {
    /// Whether the caller takes part in the process (supervises it or participates): the
    /// parties to whom what is said in it belongs.
    pub(crate) fn is_party(self) -> bool {
        matches!(self, Self::Supervisor(_) | Self::Participant(_))
    }

    /// Whether this role may `access` the series.
    pub(crate) fn may(self, access: Access) -> bool {
        match access {
            Access::View => true,
            Access::Manage => !matches!(self, Self::Participant(_)),
            Access::Coordinate => matches!(self, Self::Admin | Self::Coordinator),
        }
    }
}

/// Series `id` and the caller's capacity in it, if they may `access` it: `NotFound` when they
/// may not see it, `Forbidden` when they see it but their role may not do this. `lock` takes
/// the row lock (PostgreSQL) so that changes of one series queue.
pub(crate) async fn series_for(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
    access: Access,
    lock: bool,
) -> Result<(series::Model, SeriesRole), StoreError> {
    let not_found = || StoreError::not_found("series");
    let mut query = series::Entity::find_by_id(id);
    if lock {
        query = query.lock_exclusive();
    }
    let series = query.one(db).await?.ok_or_else(not_found)?;
    let role = role_in(db, caller, &series).await?.ok_or_else(not_found)?;
    if !role.may(access) {
        return Err(StoreError::Forbidden);
    }
    Ok((series, role))
}

/// Session `id`, its series (locked when `lock`) and the caller's capacity in the series, if
/// they may `access` it; a session of a series out of reach is not found.
pub(crate) async fn session_for(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
    access: Access,
    lock: bool,
) -> Result<(session::Model, series::Model, SeriesRole), StoreError> {
    let session = session::Entity::find_by_id(id).one(db).await?.ok_or(StoreError::not_found("session"))?;
    let (series, role) = series_for(db, caller, session.series_id, access, lock)
        .await
        .map_err(|e| if matches!(e, StoreError::NotFound { .. }) { StoreError::not_found("session") } else { e })?;
    Ok((session, series, role))
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
            supervises(series, supervisor_id).then_some(SeriesRole::Supervisor(supervisor_id))
        }
        Caller::Participant { person_id } => {
            is_participant_of(db, person_id, series.id).await?.then_some(SeriesRole::Participant(person_id))
        }
    })
}

/// Whether `supervisor_id` is one of the series' supervisors (its supervisor or co-supervisor).
pub(crate) fn supervises(series: &series::Model, supervisor_id: Uuid) -> bool {
    series.supervisor_id == supervisor_id || series.co_supervisor_id == Some(supervisor_id)
}

/// The condition "`supervisor_id` supervises the series" on `series` rows, for queries.
pub(crate) fn supervised_by(supervisor_id: Uuid) -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(series::Column::SupervisorId.eq(supervisor_id))
        .add(series::Column::CoSupervisorId.eq(supervisor_id))
}

/// Whether `person_id` is on the series' participant list or invited to any of its sessions.
pub(crate) async fn is_participant_of(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    series_id: Uuid,
) -> Result<bool, StoreError> {
    let listed = series_participant::Entity::find_by_id((series_id, person_id)).one(db).await?.is_some();
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

/// Those of `rows` the caller may see, in two statements at most (a participant's lists and
/// invitations), however many there are: the policy of [`role_in`] for a whole list.
pub(crate) async fn visible_series(
    db: &impl ConnectionTrait,
    caller: &Caller,
    mut rows: Vec<series::Model>,
) -> Result<Vec<series::Model>, StoreError> {
    match *caller {
        Caller::Admin => {}
        Caller::Coordinator { organization_id } => rows.retain(|s| s.organization_id == organization_id),
        Caller::Supervisor { supervisor_id } => rows.retain(|s| supervises(s, supervisor_id)),
        Caller::Participant { person_id } => {
            if rows.is_empty() {
                return Ok(rows);
            }
            let ids: Vec<Uuid> = rows.iter().map(|s| s.id).collect();
            let mut theirs: HashSet<Uuid> = HashSet::new();
            for chunk in ids.chunks(crate::values::ID_CHUNK) {
                let listed: Vec<Uuid> = series_participant::Entity::find()
                    .select_only()
                    .column(series_participant::Column::SeriesId)
                    .filter(series_participant::Column::PersonId.eq(person_id))
                    .filter(series_participant::Column::SeriesId.is_in(chunk.to_vec()))
                    .into_tuple()
                    .all(db)
                    .await?;
                let invited: Vec<Uuid> = session_participant::Entity::find()
                    .select_only()
                    .column(session::Column::SeriesId)
                    .distinct()
                    .join(JoinType::InnerJoin, session_participant::Relation::Session.def())
                    .filter(session_participant::Column::PersonId.eq(person_id))
                    .filter(session::Column::SeriesId.is_in(chunk.to_vec()))
                    .into_tuple()
                    .all(db)
                    .await?;
                theirs.extend(listed.into_iter().chain(invited));
            }
            rows.retain(|s| theirs.contains(&s.id));
        }
    }
    Ok(rows)
}

/// Whether `person_id` is invited to session `session_id`.
pub(crate) async fn is_invited(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    session_id: Uuid,
) -> Result<bool, StoreError> {
    Ok(session_participant::Entity::find_by_id((session_id, person_id)).one(db).await?.is_some())
}

/// Whether the caller's role manages organizations at all (admins, coordinators):
/// `Forbidden` for supervisors and participants, before anything else is looked at.
pub(crate) fn manages_some(caller: &Caller) -> Result<(), StoreError> {
    match caller {
        Caller::Admin | Caller::Coordinator { .. } => Ok(()),
        Caller::Supervisor { .. } | Caller::Participant { .. } => Err(StoreError::Forbidden),
    }
}

/// Whether the caller manages organization `organization_id`: admins and its coordinator;
/// another organization's coordinator does not see it (`NotFound`); supervisors and
/// participants may not (`Forbidden`).
pub(crate) fn manages(caller: &Caller, organization_id: Uuid) -> Result<(), StoreError> {
    manages_some(caller)?;
    match caller {
        Caller::Coordinator { organization_id: own } if *own != organization_id => {
            Err(StoreError::not_found("organization"))
        }
        _ => Ok(()),
    }
}

/// Whether the caller may read supervisor `supervisor_id`'s agenda: admins and that
/// supervisor; a coordinator may not (`Forbidden`); to others the supervisor does not exist.
pub(crate) fn reads_agenda_of(caller: &Caller, supervisor_id: Uuid) -> Result<(), StoreError> {
    match caller {
        Caller::Admin => Ok(()),
        Caller::Supervisor { supervisor_id: own } if *own == supervisor_id => Ok(()),
        Caller::Coordinator { .. } => Err(StoreError::Forbidden),
        _ => Err(StoreError::not_found("supervisor")),
    }
}

/// Whether the caller may read and change supervisor `supervisor_id`'s billing profile: that
/// supervisor and admins; a coordinator may not (`Forbidden`); to others the supervisor does
/// not exist.
pub(crate) fn keeps_books_of(caller: &Caller, supervisor_id: Uuid) -> Result<(), StoreError> {
    reads_agenda_of(caller, supervisor_id)
}

/// What a caller wants with an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InvoiceAccess {
    /// Read it, download it.
    Read,
    /// Approve, discard or credit it: the seller only.
    Act,
}

/// Whether the caller sees invoices at all: participants never do (`Forbidden`).
pub(crate) fn reads_invoices(caller: &Caller) -> Result<(), StoreError> {
    match caller {
        Caller::Participant { .. } => Err(StoreError::Forbidden),
        _ => Ok(()),
    }
}

/// The supervisor who drafts invoices as the caller (only a supervisor, for their own sales).
pub(crate) fn sells(caller: &Caller) -> Result<Uuid, StoreError> {
    match caller {
        Caller::Supervisor { supervisor_id } => Ok(*supervisor_id),
        _ => Err(StoreError::Forbidden),
    }
}

/// Whether the caller may `access` an invoice of seller `supervisor_id` to organization
/// `organization_id` (`approved`: approved or a credit note, not a draft); see the module's
/// list.
pub(crate) fn invoice_access(
    caller: &Caller,
    supervisor_id: Uuid,
    organization_id: Uuid,
    approved: bool,
    access: InvoiceAccess,
) -> Result<(), StoreError> {
    let sees = match caller {
        Caller::Participant { .. } => return Err(StoreError::Forbidden),
        Caller::Admin => true,
        Caller::Supervisor { supervisor_id: own } => *own == supervisor_id,
        Caller::Coordinator { organization_id: own } => *own == organization_id && approved,
    };
    if !sees {
        return Err(StoreError::not_found("invoice"));
    }
    match (access, caller) {
        (InvoiceAccess::Read, _) | (InvoiceAccess::Act, Caller::Supervisor { .. }) => Ok(()),
        (InvoiceAccess::Act, _) => Err(StoreError::Forbidden),
    }
}

/// Whether the caller may see and change the connected calendars of the `owner_kind`
/// (`supervisor` or `person`) `owner_id`, which `exists` or not: admins and the owner
/// themself; a coordinator may not (`Forbidden`, for a supervisor that exists); to others the
/// owner does not exist.
pub(crate) fn keeps_calendars_of(
    caller: &Caller,
    owner_kind: &str,
    owner_id: Uuid,
    exists: bool,
) -> Result<(), StoreError> {
    let what = if owner_kind == "supervisor" { "supervisor" } else { "person" };
    let own = match caller {
        Caller::Admin => true,
        Caller::Supervisor { supervisor_id } => owner_kind == "supervisor" && *supervisor_id == owner_id,
        Caller::Participant { person_id } => owner_kind == "person" && *person_id == owner_id,
        Caller::Coordinator { .. } if exists && owner_kind == "supervisor" => return Err(StoreError::Forbidden),
        Caller::Coordinator { .. } => false,
    };
    if own && exists { Ok(()) } else { Err(StoreError::not_found(what)) }
}

impl Store {
    /// The organization row if the caller manages it (see [`manages`]).
    pub(crate) async fn organization_to_manage(
        &self,
        caller: &Caller,
        organization_id: Uuid,
    ) -> Result<organization::Model, StoreError> {
        organization_to_manage(self.connection(), caller, organization_id).await
    }
}

/// The organization row if the caller manages it (see [`manages`]), read on `db`.
pub(crate) async fn organization_to_manage(
    db: &impl ConnectionTrait,
    caller: &Caller,
    organization_id: Uuid,
) -> Result<organization::Model, StoreError> {
    manages(caller, organization_id)?;
    organization::Entity::find_by_id(organization_id).one(db).await?.ok_or(StoreError::not_found("organization"))
}

/// Whether `caller` may export all data about person `person_id`: an admin anyone's, a
/// participant their own (anyone else is not found); coordinators and supervisors no one's
/// (`Forbidden`) — an export holds more than the organization's view of a person.
pub(crate) fn may_export(caller: &Caller, person_id: Uuid) -> Result<(), StoreError> {
    match caller {
        Caller::Admin => Ok(()),
        Caller::Participant { person_id: own } if *own == person_id => Ok(()),
        Caller::Participant { .. } => Err(StoreError::not_found("person")),
        Caller::Coordinator { .. } | Caller::Supervisor { .. } => Err(StoreError::Forbidden),
    }
}
