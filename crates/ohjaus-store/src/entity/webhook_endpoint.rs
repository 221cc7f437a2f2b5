//! `webhook_endpoints`: Where an organization's (or, with no organization, every organization's) events are posted; `secret` and `previous_secret` are sealed; `event_types` is a JSON array (empty: all).

use sea_orm::entity::prelude::*;

/// A row of `webhook_endpoints`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    /// `id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `organization_id` (NULL: every organization).
    pub organization_id: Option<Uuid>,
    /// `url`.
    pub url: String,
    /// `description`.
    pub description: String,
    /// `event_types`.
    pub event_types: String,
    /// `enabled`.
    pub enabled: bool,
    /// `disabled_reason`.
    pub disabled_reason: Option<String>,
    /// `secret` (sealed).
    pub secret: String,
    /// `previous_secret` (sealed).
    pub previous_secret: Option<String>,
    /// `previous_secret_expires_at`.
    pub previous_secret_expires_at: Option<DateTimeUtc>,
    /// `failing_since`.
    pub failing_since: Option<DateTimeUtc>,
    /// `created_at`.
    pub created_at: DateTimeUtc,
    /// `updated_at`.
    pub updated_at: DateTimeUtc,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
