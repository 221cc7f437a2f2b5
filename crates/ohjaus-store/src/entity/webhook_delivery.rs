//! `webhook_deliveries`: One event to one endpoint: `status` pending|sending|delivered|failed, its attempts, the lease of the worker that holds it and the last answer (at most 1 kB of its body).

use sea_orm::entity::prelude::*;

/// A row of `webhook_deliveries`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    /// `id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `endpoint_id`.
    pub endpoint_id: Uuid,
    /// `event_id`.
    pub event_id: Uuid,
    /// `series_id`.
    pub series_id: Option<Uuid>,
    /// `status`.
    pub status: String,
    /// `attempts`.
    pub attempts: i32,
    /// `next_attempt_at`.
    pub next_attempt_at: DateTimeUtc,
    /// `lease_owner`.
    pub lease_owner: Option<String>,
    /// `lease_expires_at`.
    pub lease_expires_at: Option<DateTimeUtc>,
    /// `last_attempt_at`.
    pub last_attempt_at: Option<DateTimeUtc>,
    /// `last_status_code`.
    pub last_status_code: Option<i32>,
    /// `last_duration_ms`.
    pub last_duration_ms: Option<i32>,
    /// `last_error`.
    pub last_error: Option<String>,
    /// `last_response`.
    pub last_response: Option<String>,
    /// `delivered_at`.
    pub delivered_at: Option<DateTimeUtc>,
    /// `created_at`.
    pub created_at: DateTimeUtc,
    /// `updated_at`.
    pub updated_at: DateTimeUtc,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
