//! Webhook deliveries as the worker sees them, like the outbox's notices: claim due ones
//! under a lease (each attempt made by one worker at a time), then record each attempt's
//! result fenced by that lease.
//!
//! Order: per endpoint, the events of one series go out in the order they happened — a
//! delivery is due only when no earlier delivery of the same endpoint and series is still
//! pending or being sent, so a later event waits while an earlier one is retrying. Retries
//! follow [`RETRY_SCHEDULE`] with jitter (or a `Retry-After` the endpoint gave), then the
//! delivery is `failed`. A `410 Gone` disables the endpoint at once; an endpoint whose every
//! delivery has failed for [`DISABLE_AFTER`] is disabled too.

use super::claim::p;
use crate::entity::{webhook_delivery, webhook_endpoint, webhook_event};
use crate::status::DeliveryStatus;
use crate::store::Backend;
use crate::{Store, StoreError};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Statement, Value, sea_query::Expr};
use std::collections::HashMap;
use uuid::Uuid;

/// The waits before the 2nd … 8th attempt (Standard Webhooks' schedule); after the 8th
/// failed attempt a delivery is `failed`.
pub const RETRY_SCHEDULE: [TimeDelta; 7] = [
    TimeDelta::seconds(5),
    TimeDelta::minutes(5),
    TimeDelta::minutes(30),
    TimeDelta::hours(2),
    TimeDelta::hours(5),
    TimeDelta::hours(10),
    TimeDelta::hours(10),
];

/// Attempts before a delivery is `failed`.
pub const MAX_ATTEMPTS: i32 = RETRY_SCHEDULE.len() as i32 + 1;

/// An endpoint failing every delivery this long is disabled.
pub const DISABLE_AFTER: TimeDelta = TimeDelta::days(5);

/// The longest `Retry-After` honoured.
pub const MAX_RETRY_AFTER: TimeDelta = TimeDelta::hours(10);

/// Most characters of an answer's body kept (1 kB).
pub const MAX_RESPONSE_KEPT: usize = 1024;

/// Longest error text kept.
const MAX_ERROR_CHARS: usize = 1000;

/// The wait after `attempts` failed attempts: the schedule's step plus up to a tenth of it
/// at random (`unit` in `[0, 1)`), so that deliveries that failed together do not retry
/// together. `None`: no attempt is left.
pub fn retry_delay(attempts: i32, unit: f64) -> Option<TimeDelta> {
    let step = usize::try_from(attempts.checked_sub(1)?).ok()?;
    let base = *RETRY_SCHEDULE.get(step)?;
    let jitter_ms = (base.num_milliseconds() as f64 * 0.1 * unit.clamp(0.0, 1.0)) as i64;
    Some(base + TimeDelta::milliseconds(jitter_ms))
}

/// A delivery claimed for an attempt, with what the request needs.
#[derive(Clone, PartialEq, Eq)]
pub struct ClaimedDelivery {
    /// The delivery; give it back in a [`DeliveryResult`].
    pub id: Uuid,
    /// The endpoint.
    pub endpoint_id: Uuid,
    /// Where to post (not to be logged: its path may be a secret).
    pub url: String,
    /// The signing secrets (`whsec_…`): the current one, and the previous one during a rotation.
    pub secrets: Vec<String>,
    /// `webhook-id`.
    pub message_id: String,
    /// The event's type.
    pub event_type: String,
    /// The JSON body, exactly as signed.
    pub body: String,
    /// The series whose events go in order, if any.
    pub series_id: Option<Uuid>,
    /// Attempts including this one.
    pub attempts: i32,
}

impl std::fmt::Debug for ClaimedDelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Neither the URL nor the secrets reach a log.
        f.debug_struct("ClaimedDelivery")
            .field("id", &self.id)
            .field("endpoint_id", &self.endpoint_id)
            .field("message_id", &self.message_id)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryResult {
    /// The delivery.
    pub id: Uuid,
    /// The status answered (none: no answer — refused address, timeout, connection).
    pub status_code: Option<u16>,
    /// Whether it counts as delivered (a 2xx in time).
    pub delivered: bool,
    /// Why not, in words (never the URL).
    pub error: Option<String>,
    /// How long the attempt took.
    pub duration_ms: i32,
    /// The answer's body (cut to [`MAX_RESPONSE_KEPT`] when stored).
    pub response: Option<String>,
    /// A `Retry-After` given with a 429 or 503.
    pub retry_after: Option<TimeDelta>,
}

/// What the store made of a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// Delivered.
    Delivered,
    /// Queued again for this instant.
    Retry {
        /// The next attempt.
        next_attempt_at: DateTime<Utc>,
    },
    /// No attempt left (or the endpoint is gone): `failed`.
    Failed,
    /// The lease had passed: someone else holds the delivery now.
    Stale,
}

/// `msg_` and the event's id without dashes: the `webhook-id` of an event, the same on
/// every attempt.
pub fn message_id(event_id: Uuid) -> String {
    format!("msg_{}", event_id.simple())
}

/// The binding an endpoint's sealed secret is kept under (`column`: `secret` or
/// `previous_secret`).
pub(crate) fn secret_binding(endpoint_id: Uuid, column: &str) -> String {
    format!("webhook-endpoint:{endpoint_id}:{column}")
}

fn cut(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}

impl Store {
    /// Claims up to `batch` due deliveries for `owner` until `now + lease`: each becomes
    /// `sending` with one more attempt. Due: pending ones whose time has come and ones whose
    /// lease expired, of enabled endpoints, with no earlier delivery of the same endpoint and
    /// series still pending or being sent. Concurrent claimers never get the same one
    /// (PostgreSQL `FOR UPDATE SKIP LOCKED`; SQLite runs one writer at a time). One whose
    /// lease expired after its last attempt becomes `failed`.
    pub async fn claim_webhook_deliveries(
        &self,
        owner: &str,
        batch: u32,
        lease: TimeDelta,
        now: DateTime<Utc>,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        let db = self.connection();
        let backend = self.backend();
        let bury = format!(
            "UPDATE webhook_deliveries SET status = 'failed', lease_owner = NULL, lease_expires_at = NULL, \
             updated_at = {now}, last_error = COALESCE(last_error, 'the lease expired after the last attempt') \
             WHERE status = 'sending' AND lease_expires_at <= {now2} AND attempts >= {max}",
            now = p(backend, 1),
            now2 = p(backend, 2),
            max = MAX_ATTEMPTS,
        );
        db.execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            bury,
            [Value::from(now), Value::from(now)],
        ))
        .await?;
        let due = "d.endpoint_id IN (SELECT e.id FROM webhook_endpoints e WHERE e.enabled = {true}) \
             AND ((d.status = 'pending' AND d.next_attempt_at <= {now}) \
               OR (d.status = 'sending' AND d.lease_expires_at <= {now})) \
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries b WHERE b.endpoint_id = d.endpoint_id \
               AND b.series_id = d.series_id AND b.id < d.id AND b.status IN ('pending', 'sending'))";
        let sql = match backend {
            Backend::Postgres => format!(
                "WITH due AS (SELECT d.id FROM webhook_deliveries d WHERE {} ORDER BY d.next_attempt_at, d.id \
                 LIMIT $2 FOR UPDATE SKIP LOCKED) \
                 UPDATE webhook_deliveries w SET status = 'sending', attempts = w.attempts + 1, lease_owner = $3, \
                 lease_expires_at = $4, last_attempt_at = $1, updated_at = $1 FROM due WHERE w.id = due.id \
                 RETURNING w.*",
                due.replace("{now}", "$1").replace("{true}", "TRUE")
            ),
            Backend::Sqlite => format!(
                "UPDATE webhook_deliveries SET status = 'sending', attempts = attempts + 1, lease_owner = ?3, \
                 lease_expires_at = ?4, last_attempt_at = ?1, updated_at = ?1 WHERE id IN \
                 (SELECT d.id FROM webhook_deliveries d WHERE {} ORDER BY d.next_attempt_at, d.id LIMIT ?2) \
                 RETURNING *",
                due.replace("{now}", "?1").replace("{true}", "1")
            ),
        };
        let values =
            [Value::from(now), Value::from(i64::from(batch)), Value::from(owner.to_owned()), Value::from(now + lease)];
        let mut rows = webhook_delivery::Entity::find()
            .from_raw_sql(Statement::from_sql_and_values(db.get_database_backend(), sql, values))
            .all(db)
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        rows.sort_by_key(|r| r.id);
        let endpoint_ids: Vec<Uuid> = rows.iter().map(|r| r.endpoint_id).collect();
        let event_ids: Vec<Uuid> = rows.iter().map(|r| r.event_id).collect();
        let endpoints: HashMap<Uuid, webhook_endpoint::Model> = webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::Id.is_in(endpoint_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
        let mut events: HashMap<Uuid, webhook_event::Model> = HashMap::new();
        for chunk in event_ids.chunks(crate::values::ID_CHUNK) {
            for event in
                webhook_event::Entity::find().filter(webhook_event::Column::Id.is_in(chunk.to_vec())).all(db).await?
            {
                events.insert(event.id, event);
            }
        }
        let mut claimed = Vec::with_capacity(rows.len());
        let mut unusable = Vec::new();
        for row in rows {
            let (Some(endpoint), Some(event)) = (endpoints.get(&row.endpoint_id), events.get(&row.event_id)) else {
                unusable.push((row.id, "the endpoint or the event is gone".to_owned()));
                continue;
            };
            match self.signing_secrets(endpoint, now) {
                Ok(secrets) => claimed.push(ClaimedDelivery {
                    id: row.id,
                    endpoint_id: endpoint.id,
                    url: endpoint.url.clone(),
                    secrets,
                    message_id: message_id(event.id),
                    event_type: event.event_type.clone(),
                    body: event.payload.clone(),
                    series_id: row.series_id,
                    attempts: row.attempts,
                }),
                Err(e) => unusable.push((row.id, format!("the signing secret cannot be opened: {e}"))),
            }
        }
        for (id, error) in unusable {
            // Nothing can be sent for it: fail it at once, whatever the attempts.
            let result = DeliveryResult {
                id,
                status_code: None,
                delivered: false,
                error: Some(error),
                duration_ms: 0,
                response: None,
                retry_after: None,
            };
            self.finish_one(db, owner, &result, now, 0.0, true).await?;
        }
        Ok(claimed)
    }

    /// The secrets an endpoint signs with now: its own, and the previous one until it expires.
    fn signing_secrets(
        &self,
        endpoint: &webhook_endpoint::Model,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError> {
        let key = self.secrets()?;
        let open = |sealed: &str, column: &str| {
            key.open(sealed, &secret_binding(endpoint.id, column))
                .map_err(|e| StoreError::invalid("secret", e.to_string()))
        };
        let mut secrets = vec![open(&endpoint.secret, "secret")?];
        if let (Some(previous), Some(until)) = (&endpoint.previous_secret, endpoint.previous_secret_expires_at)
            && until > now
        {
            secrets.push(open(previous, "previous_secret")?);
        }
        Ok(secrets)
    }

    /// Records the results of claimed attempts in one transaction, each fenced by `owner`'s
    /// lease; answers what each came to, in order.
    pub async fn finish_webhook_deliveries(
        &self,
        owner: &str,
        results: &[DeliveryResult],
        now: DateTime<Utc>,
    ) -> Result<Vec<DeliveryOutcome>, StoreError> {
        let txn = self.begin_write().await?;
        let mut outcomes = Vec::with_capacity(results.len());
        let mut delivered_ids = Vec::new();
        for result in results {
            let outcome = if result.delivered {
                // The common case in one fenced statement: no read, no endpoint write.
                let update = webhook_delivery::Entity::update_many()
                    .col_expr(webhook_delivery::Column::Status, Expr::value(DeliveryStatus::Delivered.as_str()))
                    .col_expr(webhook_delivery::Column::LeaseOwner, Expr::value(Option::<String>::None))
                    .col_expr(webhook_delivery::Column::LeaseExpiresAt, Expr::value(Option::<DateTime<Utc>>::None))
                    .col_expr(webhook_delivery::Column::LastStatusCode, Expr::value(result.status_code.map(i32::from)))
                    .col_expr(webhook_delivery::Column::LastDurationMs, Expr::value(Some(result.duration_ms)))
                    .col_expr(webhook_delivery::Column::LastError, Expr::value(Option::<String>::None))
                    .col_expr(
                        webhook_delivery::Column::LastResponse,
                        Expr::value(result.response.as_deref().map(|r| cut(r, MAX_RESPONSE_KEPT))),
                    )
                    .col_expr(webhook_delivery::Column::DeliveredAt, Expr::value(Some(now)))
                    .col_expr(webhook_delivery::Column::UpdatedAt, Expr::value(now))
                    .filter(webhook_delivery::Column::Id.eq(result.id))
                    .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Sending.as_str()))
                    .filter(webhook_delivery::Column::LeaseOwner.eq(owner))
                    .filter(webhook_delivery::Column::LeaseExpiresAt.gt(now))
                    .exec(&txn)
                    .await?;
                if update.rows_affected == 0 {
                    DeliveryOutcome::Stale
                } else {
                    delivered_ids.push(result.id);
                    DeliveryOutcome::Delivered
                }
            } else {
                self.finish_one(&txn, owner, result, now, rand::random::<f64>(), false).await?
            };
            outcomes.push(outcome);
        }
        // A success ends its endpoint's failure streak: one statement for the batch.
        for chunk in delivered_ids.chunks(crate::values::ID_CHUNK) {
            let endpoints = webhook_delivery::Entity::find()
                .select_only()
                .column(webhook_delivery::Column::EndpointId)
                .filter(webhook_delivery::Column::Id.is_in(chunk.to_vec()));
            webhook_endpoint::Entity::update_many()
                .col_expr(webhook_endpoint::Column::FailingSince, Expr::value(Option::<DateTime<Utc>>::None))
                .filter(webhook_endpoint::Column::FailingSince.is_not_null())
                .filter(webhook_endpoint::Column::Id.in_subquery(sea_orm::QueryTrait::into_query(endpoints)))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(outcomes)
    }

    async fn finish_one(
        &self,
        db: &impl ConnectionTrait,
        owner: &str,
        result: &DeliveryResult,
        now: DateTime<Utc>,
        unit: f64,
        last: bool,
    ) -> Result<DeliveryOutcome, StoreError> {
        let fenced = |query: sea_orm::UpdateMany<webhook_delivery::Entity>| {
            query
                .filter(webhook_delivery::Column::Id.eq(result.id))
                .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Sending.as_str()))
                .filter(webhook_delivery::Column::LeaseOwner.eq(owner))
                .filter(webhook_delivery::Column::LeaseExpiresAt.gt(now))
        };
        let Some(row) = webhook_delivery::Entity::find_by_id(result.id)
            .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Sending.as_str()))
            .filter(webhook_delivery::Column::LeaseOwner.eq(owner))
            .filter(webhook_delivery::Column::LeaseExpiresAt.gt(now))
            .one(db)
            .await?
        else {
            return Ok(DeliveryOutcome::Stale);
        };
        let gone = result.status_code == Some(410);
        let (outcome, status, next) = if result.delivered {
            (DeliveryOutcome::Delivered, DeliveryStatus::Delivered, row.next_attempt_at)
        } else {
            let wait = if last || gone {
                None
            } else if let Some(after) = result.retry_after {
                (row.attempts < MAX_ATTEMPTS).then_some(after.clamp(TimeDelta::zero(), MAX_RETRY_AFTER))
            } else {
                retry_delay(row.attempts, unit)
            };
            match wait {
                Some(wait) => {
                    let next = now + wait;
                    (DeliveryOutcome::Retry { next_attempt_at: next }, DeliveryStatus::Pending, next)
                }
                None => (DeliveryOutcome::Failed, DeliveryStatus::Failed, row.next_attempt_at),
            }
        };
        let update = webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::Status, Expr::value(status.as_str()))
            .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(next))
            .col_expr(webhook_delivery::Column::LeaseOwner, Expr::value(Option::<String>::None))
            .col_expr(webhook_delivery::Column::LeaseExpiresAt, Expr::value(Option::<DateTime<Utc>>::None))
            .col_expr(webhook_delivery::Column::LastStatusCode, Expr::value(result.status_code.map(i32::from)))
            .col_expr(webhook_delivery::Column::LastDurationMs, Expr::value(Some(result.duration_ms)))
            .col_expr(
                webhook_delivery::Column::LastError,
                Expr::value(result.error.as_deref().map(|e| cut(e, MAX_ERROR_CHARS))),
            )
            .col_expr(
                webhook_delivery::Column::LastResponse,
                Expr::value(result.response.as_deref().map(|r| cut(r, MAX_RESPONSE_KEPT))),
            )
            .col_expr(
                webhook_delivery::Column::DeliveredAt,
                Expr::value(if result.delivered { Some(now) } else { row.delivered_at }),
            )
            .col_expr(webhook_delivery::Column::UpdatedAt, Expr::value(now));
        if fenced(update).exec(db).await?.rows_affected == 0 {
            return Ok(DeliveryOutcome::Stale);
        }
        let endpoint = webhook_endpoint::Entity::update_many().filter(webhook_endpoint::Column::Id.eq(row.endpoint_id));
        if result.delivered {
            endpoint
                .col_expr(webhook_endpoint::Column::FailingSince, Expr::value(Option::<DateTime<Utc>>::None))
                .filter(webhook_endpoint::Column::FailingSince.is_not_null())
                .exec(db)
                .await?;
        } else if gone {
            let reason = "the endpoint answered 410 Gone";
            let disabled = endpoint
                .col_expr(webhook_endpoint::Column::Enabled, Expr::value(false))
                .col_expr(webhook_endpoint::Column::DisabledReason, Expr::value(Some(reason.to_owned())))
                .col_expr(webhook_endpoint::Column::UpdatedAt, Expr::value(now))
                .filter(webhook_endpoint::Column::Enabled.eq(true))
                .exec(db)
                .await?;
            if disabled.rows_affected > 0 {
                self.tell_disabled(db, row.endpoint_id, reason, now).await?;
            }
        } else {
            endpoint
                .clone()
                .col_expr(webhook_endpoint::Column::FailingSince, Expr::value(Some(now)))
                .filter(webhook_endpoint::Column::FailingSince.is_null())
                .exec(db)
                .await?;
            let reason = "every delivery failed for 5 days";
            let disabled = endpoint
                .col_expr(webhook_endpoint::Column::Enabled, Expr::value(false))
                .col_expr(webhook_endpoint::Column::DisabledReason, Expr::value(Some(reason.to_owned())))
                .col_expr(webhook_endpoint::Column::UpdatedAt, Expr::value(now))
                .filter(webhook_endpoint::Column::Enabled.eq(true))
                .filter(webhook_endpoint::Column::FailingSince.lte(now - DISABLE_AFTER))
                .exec(db)
                .await?;
            if disabled.rows_affected > 0 {
                self.tell_disabled(db, row.endpoint_id, reason, now).await?;
            }
        }
        Ok(outcome)
    }

    /// Tells who should know that an endpoint was just disabled, in the transaction that
    /// disabled it: an organization's coordinators by email; for an endpoint of every
    /// organization (an admin's), which has no coordinators, the operator — a warning in the
    /// log and, when `mail.operator` is set, an email. Neither carries the URL's path, which
    /// may be a secret.
    async fn tell_disabled(
        &self,
        db: &impl ConnectionTrait,
        endpoint_id: Uuid,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let Some(endpoint) = webhook_endpoint::Entity::find_by_id(endpoint_id).one(db).await? else { return Ok(()) };
        let shown = scheme_and_host(&endpoint.url);
        match endpoint.organization_id {
            Some(organization_id) => {
                tell_coordinators(db, self.backend(), organization_id, endpoint_id, &shown, reason, now).await
            }
            None => {
                tracing::warn!(
                    endpoint_id = %endpoint_id,
                    endpoint = %shown,
                    reason,
                    operator_emailed = self.operator().is_some(),
                    "a webhook endpoint of every organization was disabled; an admin may enable it again"
                );
                let Some(operator) = self.operator() else { return Ok(()) };
                let notice = ohjaus_core::Notice::WebhookDisabled {
                    recipient: ohjaus_core::notice::Recipient {
                        party: operator.clone(),
                        locale: ohjaus_core::Locale::En,
                        timezone: "UTC".to_owned(),
                        role: ohjaus_core::notice::Role::Participant,
                        // Nobody's id: the operator is a setting, not a person in the database.
                        id: Uuid::nil(),
                    },
                    organization_name: OPERATOR_ORGANIZATIONS.to_owned(),
                    endpoint: shown,
                    reason: reason.to_owned(),
                };
                let key = format!("webhook-disabled:{endpoint_id}:operator:{}", now.timestamp());
                super::queue::enqueue(db, &notice, &key, now).await?;
                Ok(())
            }
        }
    }
}

/// What the operator's email names as the organization of an endpoint of every organization.
pub const OPERATOR_ORGANIZATIONS: &str = "every organization";

/// `scheme://host[:port]` of an endpoint's URL: what a message or a log line may show of it.
fn scheme_and_host(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            let host = u.host_str()?.to_owned();
            Some(match u.port() {
                Some(port) => format!("{}://{host}:{port}", u.scheme()),
                None => format!("{}://{host}", u.scheme()),
            })
        })
        .unwrap_or_default()
}

/// Queues an email to each coordinator of `organization_id` about endpoint `endpoint_id`
/// (shown as `shown`), just disabled.
async fn tell_coordinators(
    db: &impl ConnectionTrait,
    backend: Backend,
    organization_id: Uuid,
    endpoint_id: Uuid,
    shown: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    use ohjaus_core::notice::{Party, Recipient, Role};
    let sql = format!(
        "SELECT p.id, p.name, p.email, p.locale, o.locale AS organization_locale, o.timezone, o.name AS organization \
         FROM coordinators c JOIN people p ON p.id = c.person_id JOIN organizations o ON o.id = p.organization_id \
         WHERE p.organization_id = {} ORDER BY p.id",
        p(backend, 1)
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, [Value::from(organization_id)]))
        .await?;
    for row in rows {
        let id: Uuid = row.try_get("", "id")?;
        let locale: Option<String> = row.try_get("", "locale")?;
        let organization_locale: String = row.try_get("", "organization_locale")?;
        let recipient = Recipient {
            party: Party { name: row.try_get("", "name")?, email: row.try_get("", "email")? },
            locale: ohjaus_core::Locale::parse(locale.as_deref().unwrap_or(&organization_locale)).unwrap_or_default(),
            timezone: row.try_get("", "timezone")?,
            role: Role::Participant,
            id,
        };
        let notice = ohjaus_core::Notice::WebhookDisabled {
            recipient,
            organization_name: row.try_get("", "organization")?,
            endpoint: shown.to_owned(),
            reason: reason.to_owned(),
        };
        let key = format!("webhook-disabled:{endpoint_id}:{id}:{}", now.timestamp());
        super::queue::enqueue(db, &notice, &key, now).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_then_failed() {
        assert_eq!(retry_delay(1, 0.0), Some(TimeDelta::seconds(5)));
        assert_eq!(retry_delay(2, 0.0), Some(TimeDelta::minutes(5)));
        assert_eq!(retry_delay(7, 0.0), Some(TimeDelta::hours(10)));
        assert_eq!(retry_delay(7, 1.0), Some(TimeDelta::hours(11)));
        assert_eq!(retry_delay(MAX_ATTEMPTS, 0.0), None);
        assert_eq!(retry_delay(0, 0.0), None);
    }
}
