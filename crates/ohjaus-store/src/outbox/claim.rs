//! The outbox as the worker sees it: claim due rows with a lease, then ack or fail them
//! fenced by that lease; failures retry with capped exponential backoff and jitter, and a row
//! is `dead` after its last attempt, its error kept. An expired lease (a crashed worker) is
//! claimed again.

use crate::entity::outbox;
use crate::status::NotificationStatus;
use crate::store::Backend;
use crate::{Store, StoreError};
use chrono::{DateTime, TimeDelta, Utc};
use ohjaus_core::Notice;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement, Value};
use uuid::Uuid;

pub use super::queue::DEFAULT_MAX_ATTEMPTS;

/// The first retry waits about this long…
pub const RETRY_BASE: TimeDelta = TimeDelta::seconds(30);
/// …doubling with every attempt, up to this.
pub const RETRY_CAP: TimeDelta = TimeDelta::hours(1);

/// Longest error text kept.
const MAX_ERROR_CHARS: usize = 2000;

/// The wait before the next attempt after `attempts` failed ones: `RETRY_BASE · 2^(attempts−1)`
/// capped at `RETRY_CAP`, of which a random half (`unit` in `[0, 1)`) is jitter, so that
/// workers that failed together do not retry together ("equal jitter").
pub fn retry_delay(attempts: i32, unit: f64) -> TimeDelta {
    let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(0);
    let full = RETRY_BASE.checked_mul(1 << exponent.min(20)).unwrap_or(RETRY_CAP).min(RETRY_CAP);
    let half = full / 2;
    let jitter_ms = (half.num_milliseconds() as f64 * unit.clamp(0.0, 1.0)) as i64;
    half + TimeDelta::milliseconds(jitter_ms)
}

/// A row claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedNotice {
    /// The row; give it to `ack`/`fail`.
    pub id: Uuid,
    /// `invite`, `reminder`, …
    pub kind: String,
    /// The person or supervisor.
    pub recipient_id: Uuid,
    /// The unique key it was queued under.
    pub dedupe_key: String,
    /// Attempts including this one.
    pub attempts: i32,
    /// Attempts allowed.
    pub max_attempts: i32,
    /// When this claim's lease ends.
    pub lease_expires_at: DateTime<Utc>,
    /// What to send.
    pub notice: Notice,
}

/// What a failure led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOutcome {
    /// Queued again for this instant.
    Retry {
        /// The next attempt.
        next_attempt_at: DateTime<Utc>,
    },
    /// That was the last attempt: the row is `dead`.
    Dead,
}

/// Numbered placeholders `$i` (PostgreSQL) or `?i` (SQLite) for `n` parameters from
/// `first`, so that a statement may use one value twice.
fn params(backend: Backend, first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| if backend == Backend::Postgres { format!("${i}") } else { format!("?{i}") })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn p(backend: Backend, i: usize) -> String {
    params(backend, i, 1)
}

impl Store {
    /// Claims up to `batch` due rows for `owner` until `now + lease`: each becomes
    /// `sending` with one more attempt. Due: queued rows whose time has come, and rows whose
    /// lease expired (their worker is gone). Concurrent claimers never get the same row
    /// (PostgreSQL `FOR UPDATE SKIP LOCKED`; SQLite runs one writer at a time). A row whose
    /// lease expired on its last attempt becomes `dead`.
    pub async fn claim_due(
        &self,
        owner: &str,
        batch: u32,
        lease: TimeDelta,
        now: DateTime<Utc>,
    ) -> Result<Vec<ClaimedNotice>, StoreError> {
        let db = self.connection();
        let backend = self.backend();
        let expires = now + lease;
        let bury = format!(
            "UPDATE outbox SET status = 'dead', lease_owner = NULL, lease_expires_at = NULL, updated_at = {now}, \
             last_error = COALESCE(last_error, 'the lease expired after the last attempt') \
             WHERE status = 'sending' AND lease_expires_at <= {now2} AND attempts >= max_attempts",
            now = p(backend, 1),
            now2 = p(backend, 2),
        );
        db.execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            bury,
            [Value::from(now), Value::from(now)],
        ))
        .await?;
        let due = "(status = 'queued' AND next_attempt_at <= {now}) \
                   OR (status = 'sending' AND lease_expires_at <= {now} AND attempts < max_attempts)";
        let sql = match backend {
            Backend::Postgres => format!(
                "WITH due AS (SELECT id FROM outbox WHERE {} ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED) \
                 UPDATE outbox o SET status = 'sending', attempts = o.attempts + 1, lease_owner = $3, \
                 lease_expires_at = $4, updated_at = $1 FROM due WHERE o.id = due.id RETURNING o.*",
                due.replace("{now}", "$1")
            ),
            Backend::Sqlite => format!(
                "UPDATE outbox SET status = 'sending', attempts = attempts + 1, lease_owner = ?3, \
                 lease_expires_at = ?4, updated_at = ?1 WHERE id IN \
                 (SELECT id FROM outbox WHERE {} ORDER BY next_attempt_at, id LIMIT ?2) RETURNING *",
                due.replace("{now}", "?1")
            ),
        };
        let values =
            [Value::from(now), Value::from(i64::from(batch)), Value::from(owner.to_owned()), Value::from(expires)];
        let rows = outbox::Entity::find()
            .from_raw_sql(Statement::from_sql_and_values(db.get_database_backend(), sql, values))
            .all(db)
            .await?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in rows {
            let notice: Notice = match serde_json::from_str(&row.payload) {
                Ok(notice) => notice,
                Err(e) => {
                    // A payload that no longer parses can never be sent: bury it at once.
                    self.bury(row.id, owner, &format!("unreadable payload: {e}"), now).await?;
                    continue;
                }
            };
            claimed.push(ClaimedNotice {
                id: row.id,
                kind: row.kind,
                recipient_id: row.recipient_id,
                dedupe_key: row.dedupe_key,
                attempts: row.attempts,
                max_attempts: row.max_attempts,
                lease_expires_at: row.lease_expires_at.unwrap_or(expires),
                notice,
            });
        }
        claimed.sort_by_key(|c| c.id);
        Ok(claimed)
    }

    /// Marks a claimed row `sent`. Refused with `StaleLease` unless `owner` still holds an
    /// unexpired lease on it (a late ack after the row was claimed again changes nothing).
    pub async fn ack(&self, id: Uuid, owner: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let acked = self.ack_many(&[id], owner, now).await?;
        if acked.is_empty() { Err(StoreError::StaleLease) } else { Ok(()) }
    }

    /// Marks claimed rows `sent` in one statement; answers the ids acked (those whose lease
    /// `owner` still held; the others are left to whoever holds them now).
    pub async fn ack_many(&self, ids: &[Uuid], owner: &str, now: DateTime<Utc>) -> Result<Vec<Uuid>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let db = self.connection();
        let backend = self.backend();
        let mut acked = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let sql = format!(
                "UPDATE outbox SET status = 'sent', sent_at = {now}, updated_at = {now}, lease_owner = NULL, \
                 lease_expires_at = NULL WHERE status = 'sending' AND lease_owner = {owner} AND lease_expires_at > {now2} \
                 AND id IN ({list}) RETURNING id",
                now = p(backend, 1),
                owner = p(backend, 2),
                now2 = p(backend, 3),
                list = params(backend, 4, chunk.len()),
            );
            let mut values = vec![Value::from(now), Value::from(owner.to_owned()), Value::from(now)];
            values.extend(chunk.iter().map(|id| Value::from(*id)));
            let rows = db.query_all_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, values)).await?;
            for row in rows {
                acked.push(row.try_get::<Uuid>("", "id")?);
            }
        }
        Ok(acked)
    }

    /// Records a failed attempt of a claimed row: queued again after the backoff, or `dead`
    /// after its last attempt; the error is kept either way. Fenced like `ack`.
    pub async fn fail(
        &self,
        id: Uuid,
        owner: &str,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<FailOutcome, StoreError> {
        self.fail_with_jitter(id, owner, error, now, rand::random::<f64>()).await
    }

    /// `fail` with the jitter given (`unit` in `[0, 1)`), for tests.
    pub async fn fail_with_jitter(
        &self,
        id: Uuid,
        owner: &str,
        error: &str,
        now: DateTime<Utc>,
        unit: f64,
    ) -> Result<FailOutcome, StoreError> {
        let db = self.connection();
        let fence = outbox::Entity::find_by_id(id)
            .filter(outbox::Column::Status.eq(NotificationStatus::Sending.as_str()))
            .filter(outbox::Column::LeaseOwner.eq(owner))
            .filter(outbox::Column::LeaseExpiresAt.gt(now));
        let row = fence.one(db).await?.ok_or(StoreError::StaleLease)?;
        let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
        let (outcome, status, next) = if row.attempts >= row.max_attempts {
            (FailOutcome::Dead, NotificationStatus::Dead.as_str(), row.next_attempt_at)
        } else {
            let next = now + retry_delay(row.attempts, unit);
            (FailOutcome::Retry { next_attempt_at: next }, NotificationStatus::Queued.as_str(), next)
        };
        let result = outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, status.into())
            .col_expr(outbox::Column::NextAttemptAt, next.into())
            .col_expr(outbox::Column::LastError, Some(error).into())
            .col_expr(outbox::Column::LeaseOwner, Option::<String>::None.into())
            .col_expr(outbox::Column::LeaseExpiresAt, Option::<DateTime<Utc>>::None.into())
            .col_expr(outbox::Column::UpdatedAt, now.into())
            .filter(outbox::Column::Id.eq(id))
            .filter(outbox::Column::Status.eq(NotificationStatus::Sending.as_str()))
            .filter(outbox::Column::LeaseOwner.eq(owner))
            .filter(outbox::Column::LeaseExpiresAt.gt(now))
            .exec(db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::StaleLease);
        }
        Ok(outcome)
    }

    /// Buries a claimed row at once (a payload that cannot be sent, whatever the attempts).
    async fn bury(&self, id: Uuid, owner: &str, error: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, NotificationStatus::Dead.as_str().into())
            .col_expr(outbox::Column::LastError, Some(error.to_owned()).into())
            .col_expr(outbox::Column::LeaseOwner, Option::<String>::None.into())
            .col_expr(outbox::Column::LeaseExpiresAt, Option::<DateTime<Utc>>::None.into())
            .col_expr(outbox::Column::UpdatedAt, now.into())
            .filter(outbox::Column::Id.eq(id))
            .filter(outbox::Column::LeaseOwner.eq(owner))
            .exec(self.connection())
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_caps() {
        assert_eq!(retry_delay(1, 0.0), TimeDelta::seconds(15));
        assert_eq!(retry_delay(1, 1.0), TimeDelta::seconds(30));
        assert_eq!(retry_delay(2, 0.0), TimeDelta::seconds(30));
        assert_eq!(retry_delay(3, 1.0), TimeDelta::seconds(120));
        assert_eq!(retry_delay(20, 1.0), RETRY_CAP);
        assert_eq!(retry_delay(1000, 0.0), RETRY_CAP / 2);
        let delays: Vec<_> = (1..12).map(|a| retry_delay(a, 0.5)).collect();
        assert!(delays.windows(2).all(|w| w[0] <= w[1]));
    }
}
