//! Privacy (GDPR): the audit log, the erasure of a person, and the retention of notes.
//!
//! - The **audit log** has a row for every read of notes (API and pages alike, since both
//!   read through [`Store::list_notes`]), every export of a person's data, every erasure and
//!   every deletion of notes past their retention: who (role and id), when, what, and about
//!   whom (person, session, how many notes) — never what a note says. Admins read it; nobody
//!   changes it.
//! - An **erasure** (admin) takes a person out of everything still to come and out of every
//!   name and address the service keeps, in one transaction: they leave every active series
//!   (their future sessions get CANCELs, queued while their row still holds their real
//!   address, so the messages reach them), their teams, their reviews, API tokens, feed links,
//!   browser sessions and unused sign-in links; their row keeps its id with a placeholder
//!   name and an address under `.invalid`, so the attendance recorded for past sessions still
//!   counts in the organization's report without saying whose it was; messages already sent
//!   that name them lose their text. Erasing twice answers the first erasure and changes
//!   nothing.
//! - **Retention**: the worker deletes the notes of every series whose last session ended
//!   more than `privacy.note_retention_months` ago ([`Store::delete_expired_notes`]), once
//!   per tick of its schedule, and scrubs the payloads of messages already sent to erased
//!   people ([`Store::scrub_erased_messages`]).

use super::scheduling::participant_ids;
use super::series::apply_participants;
use super::sign_in::end_sign_ins;
use crate::entity::{
    api_token, audit_event, calendar_token, erasure, note, outbox, person, poll_voter, review, series,
    series_participant, session, session_participant, team, team_member,
};
use crate::page::{Page, Paged};
use crate::status::{NotificationStatus, SeriesStatus, SessionStatus};
use crate::values::new_id;
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, Months, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    JoinType, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, RelationTrait,
};
use serde::Serialize;
use uuid::Uuid;

/// The name an erased person's row keeps.
pub const ERASED_NAME: &str = "(erased)";

/// The domain of an erased person's address: `.invalid` never resolves (RFC 2606), so
/// nothing can be sent there.
pub const ERASED_DOMAIN: &str = "erased.invalid";

/// What the payload of a message sent to an erased person becomes.
const SCRUBBED_PAYLOAD: &str = r#"{"erased":true}"#;

/// What an audit row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// The notes of a session were read (`count` of them).
    NoteRead,
    /// All data about a person was exported.
    Export,
    /// A person was erased.
    Erasure,
    /// Notes past their retention were deleted by the worker (`count` of them).
    NoteDeletion,
}

impl AuditAction {
    /// The wire name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoteRead => "note_read",
            Self::Export => "export",
            Self::Erasure => "erasure",
            Self::NoteDeletion => "note_deletion",
        }
    }

    fn stored(value: &str) -> Self {
        [Self::NoteRead, Self::Export, Self::Erasure, Self::NoteDeletion]
            .into_iter()
            .find(|a| a.as_str() == value)
            .unwrap_or(Self::NoteRead)
    }
}

/// One row of the audit log as admins read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    /// Id (the log is in id order, which is time order).
    pub id: Uuid,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// Who acted: `admin`, `coordinator`, `supervisor`, `participant` or `worker`.
    pub actor_role: String,
    /// The actor's id: the supervisor, the person, a coordinator's organization; none for an
    /// admin or the worker.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub actor_id: Option<Uuid>,
    /// What was done.
    pub action: AuditAction,
    /// The person it was about (an export, an erasure).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub person_id: Option<Uuid>,
    /// The session whose notes were read.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub session_id: Option<Uuid>,
    /// Notes read or deleted; future sessions cancelled by an erasure.
    pub count: u32,
}

impl From<audit_event::Model> for AuditEvent {
    fn from(m: audit_event::Model) -> Self {
        Self {
            id: m.id,
            occurred_at: m.occurred_at,
            actor_role: m.actor_role,
            actor_id: m.actor_id,
            action: AuditAction::stored(&m.action),
            person_id: m.person_id,
            session_id: m.session_id,
            count: u32::try_from(m.count).unwrap_or_default(),
        }
    }
}

/// What an erasure did; asking again answers the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Erasure {
    /// The person.
    pub person_id: Uuid,
    /// When they were erased.
    pub erased_at: DateTime<Utc>,
    /// Future sessions they were taken out of (each got a CANCEL).
    pub sessions_cancelled: u32,
    /// Reviews of theirs removed.
    pub reviews_removed: u32,
    /// API tokens, feed links, browser sessions and sign-in links ended.
    pub tokens_revoked: u32,
}

impl From<erasure::Model> for Erasure {
    fn from(m: erasure::Model) -> Self {
        Self {
            person_id: m.person_id,
            erased_at: m.erased_at,
            sessions_cancelled: u32::try_from(m.sessions_cancelled).unwrap_or_default(),
            reviews_removed: u32::try_from(m.reviews_removed).unwrap_or_default(),
            tokens_revoked: u32::try_from(m.tokens_revoked).unwrap_or_default(),
        }
    }
}

/// An audited act, written in the caller's transaction (or alone).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Audit {
    /// Who: a caller, or the worker (`None`).
    pub actor: Option<Caller>,
    /// What.
    pub action: AuditAction,
    /// About whom.
    pub person_id: Option<Uuid>,
    /// Which session's notes.
    pub session_id: Option<Uuid>,
    /// How many.
    pub count: usize,
}

impl Audit {
    /// Writes the row.
    pub async fn write<C: ConnectionTrait>(self, db: &C, now: DateTime<Utc>) -> Result<(), StoreError> {
        let (role, id) = match self.actor {
            None => ("worker", None),
            Some(Caller::Admin) => ("admin", None),
            Some(Caller::Coordinator { organization_id }) => ("coordinator", Some(organization_id)),
            Some(Caller::Supervisor { supervisor_id }) => ("supervisor", Some(supervisor_id)),
            Some(Caller::Participant { person_id }) => ("participant", Some(person_id)),
        };
        audit_event::Model {
            id: new_id(),
            occurred_at: now,
            actor_role: role.to_owned(),
            actor_id: id,
            action: self.action.as_str().to_owned(),
            person_id: self.person_id,
            session_id: self.session_id,
            count: i32::try_from(self.count).unwrap_or(i32::MAX),
        }
        .into_active_model()
        .insert(db)
        .await?;
        Ok(())
    }
}

fn count(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl Store {
    /// The audit log, oldest first (admins only); with `person_id`, only the rows about that
    /// person or acted by them.
    pub async fn list_audit(
        &self,
        caller: &Caller,
        person_id: Option<Uuid>,
        page: &Page,
    ) -> Result<Paged<AuditEvent>, StoreError> {
        if !caller.is_admin() {
            return Err(StoreError::Forbidden);
        }
        let limit = page.limit()?;
        let mut query = audit_event::Entity::find().order_by_asc(audit_event::Column::Id);
        if let Some(person_id) = person_id {
            query = query.filter(
                Condition::any()
                    .add(audit_event::Column::PersonId.eq(person_id))
                    .add(audit_event::Column::ActorId.eq(person_id)),
            );
        }
        if let Some(after) = page.after()? {
            query = query.filter(audit_event::Column::Id.gt(after));
        }
        let rows = query.limit(u64::from(limit) + 1).all(self.connection()).await?;
        Ok(Paged::from_fetched(rows.into_iter().map(AuditEvent::from).collect(), limit, |e| e.id))
    }

    /// Erases person `id` (admins only; see the module's notes). One transaction; a person
    /// erased before answers their first erasure.
    pub async fn erase_person(&self, caller: &Caller, id: Uuid, now: DateTime<Utc>) -> Result<Erasure, StoreError> {
        if !caller.is_admin() {
            return Err(StoreError::Forbidden);
        }
        let txn = self.begin_write().await?;
        person::Entity::find_by_id(id).one(&txn).await?.ok_or(StoreError::not_found("person"))?;
        // Locks in the global order (teams, series, people), so a concurrent change of a team
        // or a series they are in waits for this one, or this one for it.
        team::Entity::find()
            .filter(
                team::Column::Id.in_subquery(
                    team_member::Entity::find()
                        .select_only()
                        .column(team_member::Column::TeamId)
                        .filter(team_member::Column::PersonId.eq(id))
                        .into_query(),
                ),
            )
            .order_by_asc(team::Column::Id)
            .lock_exclusive()
            .all(&txn)
            .await?;
        let active = series::Entity::find()
            .filter(
                series::Column::Id.in_subquery(
                    series_participant::Entity::find()
                        .select_only()
                        .column(series_participant::Column::SeriesId)
                        .filter(series_participant::Column::PersonId.eq(id))
                        .into_query(),
                ),
            )
            .filter(series::Column::Status.eq(SeriesStatus::Active.as_str()))
            .order_by_asc(series::Column::Id)
            .lock_exclusive()
            .all(&txn)
            .await?;
        let found =
            person::Entity::find_by_id(id).lock_exclusive().one(&txn).await?.ok_or(StoreError::not_found("person"))?;
        if let Some(done) = erasure::Entity::find_by_id(id).one(&txn).await? {
            txn.commit().await?;
            return Ok(done.into());
        }

        // Messages queued for them before this change (reminders, earlier invitations, links)
        // are not sent: what is to come is cancelled below.
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value(NotificationStatus::Dead.as_str()))
            .col_expr(outbox::Column::LastError, Expr::value("the recipient was erased"))
            .col_expr(outbox::Column::UpdatedAt, Expr::value(now))
            .filter(outbox::Column::RecipientId.eq(id))
            .filter(outbox::Column::Status.eq(NotificationStatus::Queued.as_str()))
            .exec(&txn)
            .await?;

        // Their future sessions, counted before they leave them.
        let sessions_cancelled = session_participant::Entity::find()
            .join(JoinType::InnerJoin, session_participant::Relation::Session.def())
            .filter(session_participant::Column::PersonId.eq(id))
            .filter(session::Column::Status.eq(SessionStatus::Scheduled.as_str()))
            .filter(session::Column::StartsAt.gt(now))
            .count(&txn)
            .await?;

        // Out of their teams and every active series: the CANCELs are queued here, while the
        // person's row still holds their address.
        team_member::Entity::delete_many().filter(team_member::Column::PersonId.eq(id)).exec(&txn).await?;
        for row in active {
            let remaining: Vec<Uuid> = participant_ids(&txn, row.id).await?.into_iter().filter(|p| *p != id).collect();
            let team_id = row.team_id;
            apply_participants(&txn, row, team_id, remaining, now).await?;
        }

        let reviews_removed = review::Entity::delete_many()
            .filter(review::Column::AuthorKind.eq("person"))
            .filter(review::Column::AuthorId.eq(id))
            .exec(&txn)
            .await?
            .rows_affected;
        // Their votes in rhythm polls go, comments and answers with them (the foreign keys
        // cascade), and with them their voting links.
        poll_voter::Entity::delete_many().filter(poll_voter::Column::PersonId.eq(id)).exec(&txn).await?;
        let api_tokens = api_token::Entity::update_many()
            .col_expr(api_token::Column::RevokedAt, Expr::value(now))
            .filter(api_token::Column::Role.eq("participant"))
            .filter(api_token::Column::SubjectId.eq(id))
            .filter(api_token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?
            .rows_affected;
        let feeds = calendar_token::Entity::update_many()
            .col_expr(calendar_token::Column::RevokedAt, Expr::value(now))
            .filter(calendar_token::Column::OwnerKind.eq("person"))
            .filter(calendar_token::Column::OwnerId.eq(id))
            .filter(calendar_token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?
            .rows_affected;
        let sign_ins = end_sign_ins(&txn, id, now).await?;

        // Messages already sent (or given up) that name them — to them or to anyone whose
        // invitation listed them as an attendee — lose their text, which held their name and
        // address; the rows' kinds and times stay. Those queued above still go.
        let named = format!("%\"email\":{}%", serde_json::Value::from(found.email.clone()));
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Payload, Expr::value(SCRUBBED_PAYLOAD))
            .filter(
                outbox::Column::Status.is_in([NotificationStatus::Sent.as_str(), NotificationStatus::Dead.as_str()]),
            )
            .filter(outbox::Column::Payload.like(named))
            .exec(&txn)
            .await?;

        let mut renamed = found.into_active_model();
        renamed.name = Set(ERASED_NAME.to_owned());
        renamed.email = Set(format!("erased-{id}@{ERASED_DOMAIN}"));
        renamed.locale = Set(None);
        renamed.update(&txn).await?;

        let record = erasure::Model {
            person_id: id,
            erased_at: now,
            sessions_cancelled: count(sessions_cancelled),
            reviews_removed: count(reviews_removed),
            tokens_revoked: count(api_tokens + feeds + sign_ins),
        }
        .into_active_model()
        .insert(&txn)
        .await?;
        Audit {
            actor: Some(*caller),
            action: AuditAction::Erasure,
            person_id: Some(id),
            session_id: None,
            count: usize::try_from(sessions_cancelled).unwrap_or(usize::MAX),
        }
        .write(&txn, now)
        .await?;
        txn.commit().await?;
        Ok(record.into())
    }

    /// Deletes the notes of every series whose last session ended more than `months` before
    /// `now` (the worker's retention job), with an audit row when any went. Deleting is
    /// idempotent: a second run finds nothing. Answers how many notes were deleted.
    pub async fn delete_expired_notes(&self, months: u32, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let cutoff = now
            .checked_sub_months(Months::new(months))
            .ok_or_else(|| StoreError::Database(DbErr::Custom(format!("{months} months before {now}"))))?;
        let ended = session::Entity::find()
            .select_only()
            .column(session::Column::SeriesId)
            .group_by(session::Column::SeriesId)
            .having(Expr::col(session::Column::EndsAt).max().lt(cutoff))
            .into_query();
        let sessions = session::Entity::find()
            .select_only()
            .column(session::Column::Id)
            .filter(session::Column::SeriesId.in_subquery(ended))
            .into_query();
        let txn = self.begin_write().await?;
        let deleted =
            note::Entity::delete_many().filter(note::Column::SessionId.in_subquery(sessions)).exec(&txn).await?;
        if deleted.rows_affected > 0 {
            Audit {
                actor: None,
                action: AuditAction::NoteDeletion,
                person_id: None,
                session_id: None,
                count: usize::try_from(deleted.rows_affected).unwrap_or(usize::MAX),
            }
            .write(&txn, now)
            .await?;
        }
        txn.commit().await?;
        Ok(deleted.rows_affected)
    }

    /// Replaces the payload of every message sent (or given up) to an erased person, which
    /// held their name and address until it went: the row's kind and times stay. Answers how
    /// many were scrubbed.
    pub async fn scrub_erased_messages(&self) -> Result<u64, StoreError> {
        let result = outbox::Entity::update_many()
            .col_expr(outbox::Column::Payload, Expr::value(SCRUBBED_PAYLOAD))
            .filter(
                outbox::Column::RecipientId
                    .in_subquery(erasure::Entity::find().select_only().column(erasure::Column::PersonId).into_query()),
            )
            .filter(
                outbox::Column::Status.is_in([NotificationStatus::Sent.as_str(), NotificationStatus::Dead.as_str()]),
            )
            .filter(outbox::Column::Payload.ne(SCRUBBED_PAYLOAD))
            .exec(self.connection())
            .await?;
        Ok(result.rows_affected)
    }
}
