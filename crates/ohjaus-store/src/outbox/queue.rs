//! Queuing a notification: one outbox row per notice and recipient under a unique key,
//! written in the caller's transaction, so a change and its notices commit together and a key
//! queued twice is sent once. Admins list the rows with the recipient's domain only.

use crate::entity::outbox;
use crate::page::{Page, Paged};
use crate::status::{NotificationKind, NotificationStatus};
use crate::values::{email_domain, new_id};
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, Utc};
use ohjaus_core::Notice;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

/// Attempts before an outbox row is `dead`.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 8;

/// An outbox row as admins see it: never the full address or the payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    /// Id.
    pub id: Uuid,
    /// `invite`, `reminder`, `digest`, `sign_in_link` or `info`.
    pub kind: NotificationKind,
    /// The person or supervisor.
    pub recipient_id: Uuid,
    /// The domain of the address only.
    pub recipient_domain: String,
    /// `queued`, `sending`, `sent` or `dead`.
    pub status: NotificationStatus,
    /// Attempts made.
    pub attempts: i32,
    /// Attempts allowed.
    pub max_attempts: i32,
    /// When the next attempt is due.
    pub next_attempt_at: DateTime<Utc>,
    /// The latest error.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_error: Option<String>,
    /// Queued.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Sent.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<outbox::Model> for Notification {
    fn from(m: outbox::Model) -> Self {
        Self {
            id: m.id,
            kind: NotificationKind::stored(&m.kind),
            recipient_id: m.recipient_id,
            recipient_domain: m.recipient_domain,
            status: NotificationStatus::stored(&m.status),
            attempts: m.attempts,
            max_attempts: m.max_attempts,
            next_attempt_at: m.next_attempt_at,
            last_error: m.last_error,
            created_at: m.created_at,
            updated_at: m.updated_at,
            sent_at: m.sent_at,
        }
    }
}

/// Queues `notice` under `dedupe_key`; `false` when a row with that key exists already
/// (the notice was queued before: nothing is sent twice).
pub(crate) async fn enqueue<C: ConnectionTrait>(
    db: &C,
    notice: &Notice,
    dedupe_key: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let recipient = notice.recipient();
    let payload =
        serde_json::to_string(notice).map_err(|e| StoreError::Database(sea_orm::DbErr::Json(e.to_string())))?;
    let row = outbox::Model {
        id: new_id(),
        kind: notice.kind().to_owned(),
        recipient_id: recipient.id,
        recipient_domain: email_domain(&recipient.party.email),
        payload,
        dedupe_key: dedupe_key.to_owned(),
        status: NotificationStatus::Queued.as_str().to_owned(),
        attempts: 0,
        max_attempts: DEFAULT_MAX_ATTEMPTS,
        next_attempt_at: now,
        lease_owner: None,
        lease_expires_at: None,
        last_error: None,
        created_at: now,
        updated_at: now,
        sent_at: None,
    };
    let result = outbox::Entity::insert(row.into_active_model())
        .on_conflict_do_nothing_on([outbox::Column::DedupeKey])
        .exec_without_returning(db)
        .await?;
    Ok(matches!(result, sea_orm::TryInsertResult::Inserted(n) if n > 0))
}

impl Store {
    /// Queues `notice` under `dedupe_key` (reminders, digests, sign-in links; changes of
    /// series queue theirs themselves). `false` when the key was queued before.
    pub async fn enqueue_notice(
        &self,
        notice: &Notice,
        dedupe_key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        enqueue(self.connection(), notice, dedupe_key, now).await
    }

    /// The outbox for admins, newest last, optionally of one status.
    pub async fn list_notifications(
        &self,
        caller: &Caller,
        status: Option<&str>,
        page: &Page,
    ) -> Result<Paged<Notification>, StoreError> {
        if !caller.is_admin() {
            return Err(StoreError::Forbidden);
        }
        let limit = page.limit()?;
        let mut query = outbox::Entity::find().order_by_asc(outbox::Column::Id);
        if let Some(status) = status {
            let Some(status) = NotificationStatus::parse(status) else {
                return Err(StoreError::invalid("status", "use queued, sending, sent or dead"));
            };
            query = query.filter(outbox::Column::Status.eq(status.as_str()));
        }
        if let Some(after) = page.after()? {
            query = query.filter(outbox::Column::Id.gt(after));
        }
        let rows = query.limit(u64::from(limit) + 1).all(self.connection()).await?;
        Ok(Paged::from_fetched(rows.into_iter().map(Notification::from).collect(), limit, |n| n.id))
    }
}
