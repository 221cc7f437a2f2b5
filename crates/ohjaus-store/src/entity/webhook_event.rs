//! `webhook_events`: An event emitted by a change, in the change's transaction: its type, series and the JSON body posted.

use sea_orm::entity::prelude::*;

/// A row of `webhook_events`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_events")]
pub struct Model {
    /// `id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `organization_id`.
    pub organization_id: Option<Uuid>,
    /// `event_type`.
    pub event_type: String,
    /// `series_id`.
    pub series_id: Option<Uuid>,
    /// `payload`.
    pub payload: String,
    /// `created_at`.
    pub created_at: DateTimeUtc,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
