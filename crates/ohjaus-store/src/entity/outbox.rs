//! `outbox`: A notification to send: `payload` is the JSON of a core `Notice`; `status` queued|sending|sent|dead; the lease fences the worker that claimed it.

use sea_orm::entity::prelude::*;

/// A row of `outbox`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    /// `id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `kind`.
    pub kind: String,
    /// `recipient_id`.
    pub recipient_id: Uuid,
    /// `recipient_domain`.
    pub recipient_domain: String,
    /// `payload`.
    pub payload: String,
    /// `dedupe_key`.
    pub dedupe_key: String,
    /// `status`.
    pub status: String,
    /// `attempts`.
    pub attempts: i32,
    /// `max_attempts`.
    pub max_attempts: i32,
    /// `next_attempt_at`.
    pub next_attempt_at: DateTimeUtc,
    /// `lease_owner`.
    pub lease_owner: Option<String>,
    /// `lease_expires_at`.
    pub lease_expires_at: Option<DateTimeUtc>,
    /// `last_error`.
    pub last_error: Option<String>,
    /// `created_at`.
    pub created_at: DateTimeUtc,
    /// `updated_at`.
    pub updated_at: DateTimeUtc,
    /// `sent_at`.
    pub sent_at: Option<DateTimeUtc>,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
