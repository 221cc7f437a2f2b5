//! The contract terms of a series (*työnohjaussopimus*): set at booking or later, every change
//! kept as a new version; and the contract's figures (sessions contracted, charged, still to
//! come). Ending the contract early from session k cancels the sessions from k on — in time,
//! so never charged — and queues their CANCELs like an ordinary cancellation.
//!
//! | caller | reads | changes |
//! |---|---|---|
//! | admin, the organization's coordinator, the series' supervisor | yes | yes |
//! | a participant of the series | `Forbidden` | `Forbidden` |
//! | anyone else | `NotFound` | `NotFound` |

use super::outbox_writer::{Audience, EventRows, OutboxWriter, SeriesContext};
use super::scheduling::{mark_cancelled, raise_sequence, renumber_phases};
use crate::access::{Access, SeriesRole, series_for};
use crate::entity::{contract_terms, invoiced_session, series, session};
use crate::status::SessionStatus;
use crate::values::{ID_CHUNK, new_id};
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, Utc};
use ohjaus_core::notice::{CalendarMessage, Change};
use ohjaus_core::{ContractTerms, ContractTermsBody};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// One version of a series' contract terms.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractVersion {
    /// 1 for the terms set first, one more for each change.
    pub version: i32,
    /// The terms as given.
    pub terms: ContractTermsBody,
    /// Who changed them: `admin`, `coordinator` or `supervisor`.
    pub changed_by: String,
    /// When.
    pub changed_at: DateTime<Utc>,
}

/// What the contract has used and has left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractFigures {
    /// Sessions contracted (up to the early end, when the contract ended early).
    pub contracted: u32,
    /// Sessions charged so far: held ones, and late cancellations when the terms charge them.
    pub charged: u32,
    /// Sessions still to take place (scheduled).
    pub remaining: u32,
    /// Charged sessions already on an approved invoice.
    pub invoiced: u32,
}

/// The contract of a series: the terms in force, the figures, and every earlier version.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contract {
    /// The series.
    pub series_id: Uuid,
    /// The terms in force (the latest version).
    #[serde(flatten)]
    pub current: ContractVersion,
    /// The figures.
    pub figures: ContractFigures,
    /// Every version, oldest first (the last is the one in force).
    pub history: Vec<ContractVersion>,
}

fn version_of(row: contract_terms::Model) -> Result<ContractVersion, StoreError> {
    let terms: ContractTermsBody = serde_json::from_str(&row.body)
        .map_err(|e| StoreError::Database(DbErr::Custom(format!("contract terms {}: {e}", row.id))))?;
    Ok(ContractVersion { version: row.version, terms, changed_by: row.changed_by, changed_at: row.changed_at })
}

/// The role's name, as a change of terms records it.
fn role_name(role: SeriesRole) -> &'static str {
    match role {
        SeriesRole::Admin => "admin",
        SeriesRole::Coordinator => "coordinator",
        SeriesRole::Supervisor(_) => "supervisor",
        SeriesRole::Participant(_) => "participant",
    }
}

/// Writes version `version` of the terms of `series_id`.
pub(crate) async fn insert_terms<C: ConnectionTrait>(
    db: &C,
    series_id: Uuid,
    version: i32,
    body: &ContractTermsBody,
    changed_by: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let body = serde_json::to_string(body).map_err(|e| StoreError::Database(DbErr::Custom(e.to_string())))?;
    contract_terms::Model {
        id: new_id(),
        series_id,
        version,
        body,
        changed_by: changed_by.to_owned(),
        changed_at: now,
    }
    .into_active_model()
    .insert(db)
    .await?;
    Ok(())
}

/// The terms in force of each of `series_ids` that has any: the body as given and the terms
/// as the core reads it.
pub(crate) async fn terms_in_force<C: ConnectionTrait>(
    db: &C,
    series_ids: &[Uuid],
) -> Result<HashMap<Uuid, (ContractTermsBody, ContractTerms)>, StoreError> {
    let mut latest: HashMap<Uuid, contract_terms::Model> = HashMap::new();
    for chunk in series_ids.chunks(crate::values::ID_CHUNK) {
        let rows = contract_terms::Entity::find()
            .filter(contract_terms::Column::SeriesId.is_in(chunk.to_vec()))
            .order_by_asc(contract_terms::Column::Version)
            .all(db)
            .await?;
        for row in rows {
            latest.insert(row.series_id, row);
        }
    }
    latest
        .into_values()
        .map(|row| {
            let series_id = row.series_id;
            let body = version_of(row)?.terms;
            let terms = ContractTerms::parse(&body)
                .map_err(|e| StoreError::Database(DbErr::Custom(format!("stored contract terms: {e}"))))?;
            Ok((series_id, (body, terms)))
        })
        .collect()
}

/// Those of `sessions` on an approved invoice.
pub(crate) async fn invoiced_among<C: ConnectionTrait>(db: &C, sessions: &[Uuid]) -> Result<HashSet<Uuid>, StoreError> {
    let mut found = HashSet::new();
    for chunk in sessions.chunks(ID_CHUNK) {
        let ids: Vec<Uuid> = invoiced_session::Entity::find()
            .select_only()
            .column(invoiced_session::Column::SessionId)
            .filter(invoiced_session::Column::SessionId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(ids);
    }
    Ok(found)
}

/// The figures of `series` under `terms`.
async fn figures<C: ConnectionTrait>(
    db: &C,
    series: &series::Model,
    terms: &ContractTerms,
) -> Result<ContractFigures, StoreError> {
    let sessions = session::Entity::find().filter(session::Column::SeriesId.eq(series.id)).all(db).await?;
    let ids: Vec<Uuid> = sessions.iter().map(|s| s.id).collect();
    let invoiced = invoiced_among(db, &ids).await?;
    let mut charged = 0;
    let mut remaining = 0;
    let mut on_invoice = 0;
    for row in &sessions {
        let status = SessionStatus::parse(&row.status).unwrap_or(SessionStatus::Scheduled);
        if status == SessionStatus::Scheduled {
            remaining += 1;
        }
        let index = u16::try_from(row.index).unwrap_or(u16::MAX);
        if terms.charge(index, status, row.late_cancellation).is_some() {
            charged += 1;
            if invoiced.contains(&row.id) {
                on_invoice += 1;
            }
        }
    }
    let contracted = u32::try_from(series.contracted_sessions).unwrap_or_default();
    let contracted = match terms.ends_early_from() {
        Some(end) => contracted.min(u32::from(end).saturating_sub(1)),
        None => contracted,
    };
    Ok(ContractFigures { contracted, charged, remaining, invoiced: on_invoice })
}

async fn contract_of<C: ConnectionTrait>(db: &C, series: &series::Model) -> Result<Contract, StoreError> {
    let rows = contract_terms::Entity::find()
        .filter(contract_terms::Column::SeriesId.eq(series.id))
        .order_by_asc(contract_terms::Column::Version)
        .all(db)
        .await?;
    let history = rows.into_iter().map(version_of).collect::<Result<Vec<_>, _>>()?;
    let current = history.last().cloned().ok_or(StoreError::not_found("contract"))?;
    let terms = ContractTerms::parse(&current.terms)
        .map_err(|e| StoreError::Database(DbErr::Custom(format!("stored contract terms: {e}"))))?;
    let figures = figures(db, series, &terms).await?;
    Ok(Contract { series_id: series.id, current, figures, history })
}

impl Store {
    /// The contract of series `series_id` with its figures and history (admin, the
    /// organization's coordinator, the series' supervisor); `NotFound` when it has none.
    pub async fn get_contract(&self, caller: &Caller, series_id: Uuid) -> Result<Contract, StoreError> {
        let db = self.connection();
        let (series, _) = series_for(db, caller, series_id, Access::Manage, false).await?;
        contract_of(db, &series).await
    }

    /// The contract figures of series `series_id` when it has terms (as [`Store::get_contract`]
    /// decides who may read them), `None` when it has none.
    pub async fn contract_figures(
        &self,
        caller: &Caller,
        series_id: Uuid,
    ) -> Result<Option<ContractFigures>, StoreError> {
        match self.get_contract(caller, series_id).await {
            Ok(contract) => Ok(Some(contract.figures)),
            Err(StoreError::NotFound { what: "contract" }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// Sets the contract terms of series `series_id` as a new version (admin, the
    /// organization's coordinator, the series' supervisor). Every field is checked by the
    /// core (422, nothing stored). `ends_early_from: k`, newly given or moved earlier, ends
    /// the contract from session k: the scheduled sessions from k on are cancelled in time
    /// (never charged) and their CANCELs queued; a session from k on that was held refuses
    /// it (409), and an early end is never undone or moved later (409).
    pub async fn set_contract(
        &self,
        caller: &Caller,
        series_id: Uuid,
        body: &ContractTermsBody,
        now: DateTime<Utc>,
    ) -> Result<Contract, StoreError> {
        let terms = ContractTerms::parse(body)?;
        let txn = self.begin_write().await?;
        let (found, role) = series_for(&txn, caller, series_id, Access::Manage, true).await?;
        let previous = terms_in_force(&txn, &[series_id]).await?.remove(&series_id);
        let version = contract_terms::Entity::find()
            .filter(contract_terms::Column::SeriesId.eq(series_id))
            .all(&txn)
            .await?
            .iter()
            .map(|row| row.version)
            .max()
            .unwrap_or(0)
            + 1;
        let before = previous.as_ref().and_then(|(_, terms)| terms.ends_early_from());
        let ending = match (before, terms.ends_early_from()) {
            (Some(_), None) => {
                return Err(StoreError::refused("ends_early_from", "an early end cannot be undone"));
            }
            (Some(old), Some(new)) if new > old => {
                return Err(StoreError::refused(
                    "ends_early_from",
                    format!("the contract already ended from session {old}"),
                ));
            }
            (Some(old), Some(new)) if new == old => None,
            (_, new) => new,
        };
        insert_terms(&txn, series_id, version, body, role_name(role), now).await?;
        let found = match ending {
            Some(from) => end_early(&txn, found, from, now).await?,
            None => found,
        };
        let contract = contract_of(&txn, &found).await?;
        txn.commit().await?;
        Ok(contract)
    }
}

/// Cancels the scheduled sessions of `series` from index `from` on, in time (not charged),
/// and queues their CANCELs: one message per recipient and calendar event, naming the
/// sessions they were invited to. Refused when a session from `from` on was held.
async fn end_early<C: ConnectionTrait>(
    db: &C,
    series: series::Model,
    from: u16,
    now: DateTime<Utc>,
) -> Result<series::Model, StoreError> {
    let rows = session::Entity::find()
        .filter(session::Column::SeriesId.eq(series.id))
        .filter(session::Column::Index.gte(i32::from(from)))
        .order_by_asc(session::Column::Index)
        .all(db)
        .await?;
    if let Some(held) = rows.iter().find(|s| s.status == SessionStatus::Held.as_str()) {
        return Err(StoreError::refused(
            "ends_early_from",
            format!("session {} was held; the contract can end early only after it", held.index),
        ));
    }
    let mut by_event: BTreeMap<String, Vec<Uuid>> = BTreeMap::new();
    for row in rows.into_iter().filter(|s| s.status == SessionStatus::Scheduled.as_str()) {
        by_event.entry(row.calendar_uid.clone()).or_default().push(row.id);
        mark_cancelled(db, row, false, None, now).await?;
    }
    if by_event.is_empty() {
        return Ok(series);
    }
    renumber_phases(db, series.id, now).await?;
    let series = raise_sequence(db, series, now).await?;
    let context = SeriesContext::load(db, series.clone()).await?;
    let mut outbox = OutboxWriter::new(&context);
    let change = Change::SessionCancelled { index: u32::from(from), late: false, reason: None };
    for (uid, cancelled) in &by_event {
        let event = EventRows::load(db, uid).await?;
        outbox.about(&event, Audience::Everyone, &change, |view, person| {
            let theirs: Vec<Uuid> =
                cancelled.iter().copied().filter(|id| person.is_none_or(|p| event.is_invited(*id, p))).collect();
            if theirs.is_empty() {
                return None;
            }
            Some(if event.is_single() {
                CalendarMessage::CancelEvent { event: view }
            } else {
                CalendarMessage::CancelInstances { event: view, session_ids: theirs }
            })
        });
    }
    outbox.write(db, now).await?;
    Ok(series)
}
