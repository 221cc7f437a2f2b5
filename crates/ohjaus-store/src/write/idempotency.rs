//! Idempotency keys (the IETF httpapi `Idempotency-Key` draft): a client that retries a
//! write after a timeout sends the same key, and gets the first answer again instead of a
//! second booking.
//!
//! A key belongs to one caller (the API names the caller by a hash of its credentials) and
//! lives [`KEY_LIFETIME`]. Claiming it stores the hash of the request; the first request runs
//! and its answer is stored; a later request with the key and the same hash is answered that
//! answer, one with another hash is refused, and one while the first is still running is
//! told so. A claim whose answer never came (the process died) is taken over after
//! [`ABANDONED_AFTER`], longer than any request may run.

use crate::entity::idempotency_key;
use crate::error::is_unique_violation;
use crate::values::new_id;
use crate::{Store, StoreError};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, sea_query::Expr};

/// How long a key is remembered.
pub const KEY_LIFETIME: TimeDelta = TimeDelta::hours(24);

/// A claim with no answer this old is taken over: its request cannot still be running.
pub const ABANDONED_AFTER: TimeDelta = TimeDelta::minutes(5);

/// An answer as stored, to be replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    /// The status.
    pub status: u16,
    /// The headers worth replaying (`content-type`, `location`).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// What a key says about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyClaim {
    /// New (or expired, or abandoned): the request runs; store its answer.
    Claimed,
    /// The same request was answered: answer it again.
    Replay(StoredAnswer),
    /// The same key with another request: refused.
    Mismatch,
    /// The first request with this key is still running.
    InProgress,
}

impl Store {
    /// Claims `key` of `caller` for a request whose hash is `request_hash`.
    pub async fn claim_idempotency_key(
        &self,
        caller: &str,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<KeyClaim, StoreError> {
        let db = self.connection();
        // An expired key, or a claim abandoned without an answer, is free again.
        idempotency_key::Entity::delete_many()
            .filter(idempotency_key::Column::Caller.eq(caller))
            .filter(idempotency_key::Column::Key.eq(key))
            .filter(
                sea_orm::Condition::any().add(idempotency_key::Column::ExpiresAt.lte(now)).add(
                    sea_orm::Condition::all()
                        .add(idempotency_key::Column::ResponseStatus.is_null())
                        .add(idempotency_key::Column::CreatedAt.lte(now - ABANDONED_AFTER)),
                ),
            )
            .exec(db)
            .await?;
        let row = idempotency_key::Model {
            id: new_id(),
            caller: caller.to_owned(),
            key: key.to_owned(),
            request_hash: request_hash.to_owned(),
            response_status: None,
            response_headers: None,
            response_body: None,
            created_at: now,
            expires_at: now + KEY_LIFETIME,
        };
        match row.into_active_model().insert(db).await {
            Ok(_) => return Ok(KeyClaim::Claimed),
            Err(e) if is_unique_violation(&e) => {}
            Err(e) => return Err(e.into()),
        }
        let Some(found) = idempotency_key::Entity::find()
            .filter(idempotency_key::Column::Caller.eq(caller))
            .filter(idempotency_key::Column::Key.eq(key))
            .one(db)
            .await?
        else {
            // Deleted between our insert and this read (it expired): the client may retry.
            return Ok(KeyClaim::InProgress);
        };
        if found.request_hash != request_hash {
            return Ok(KeyClaim::Mismatch);
        }
        Ok(match found.response_status {
            None => KeyClaim::InProgress,
            Some(status) => KeyClaim::Replay(StoredAnswer {
                status: u16::try_from(status).unwrap_or(500),
                headers: found
                    .response_headers
                    .as_deref()
                    .and_then(|h| serde_json::from_str(h).ok())
                    .unwrap_or_default(),
                body: found.response_body.unwrap_or_default(),
            }),
        })
    }

    /// Stores the answer of a claimed key.
    pub async fn answer_idempotency_key(
        &self,
        caller: &str,
        key: &str,
        answer: &StoredAnswer,
    ) -> Result<(), StoreError> {
        idempotency_key::Entity::update_many()
            .col_expr(idempotency_key::Column::ResponseStatus, Expr::value(Some(i32::from(answer.status))))
            .col_expr(
                idempotency_key::Column::ResponseHeaders,
                Expr::value(Some(serde_json::to_string(&answer.headers).unwrap_or_default())),
            )
            .col_expr(idempotency_key::Column::ResponseBody, Expr::value(Some(answer.body.clone())))
            .filter(idempotency_key::Column::Caller.eq(caller))
            .filter(idempotency_key::Column::Key.eq(key))
            .exec(self.connection())
            .await?;
        Ok(())
    }

    /// Frees a claimed key whose request gave no answer worth keeping (the database was
    /// away, say): a retry with it runs.
    pub async fn release_idempotency_key(&self, caller: &str, key: &str) -> Result<(), StoreError> {
        idempotency_key::Entity::delete_many()
            .filter(idempotency_key::Column::Caller.eq(caller))
            .filter(idempotency_key::Column::Key.eq(key))
            .filter(idempotency_key::Column::ResponseStatus.is_null())
            .exec(self.connection())
            .await?;
        Ok(())
    }
}
