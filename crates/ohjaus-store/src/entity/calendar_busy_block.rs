//! `calendar_busy_blocks`: A span of time read as busy from a calendar connection.

use sea_orm::entity::prelude::*;

/// A row of `calendar_busy_blocks`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_busy_blocks")]
pub struct Model {
    /// `id`.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `connection_id`.
    pub connection_id: Uuid,
    /// `owner_kind`: the connection's.
    pub owner_kind: String,
    /// `owner_id`: the connection's.
    pub owner_id: Uuid,
    /// `starts_at`.
    pub starts_at: DateTimeUtc,
    /// `ends_at`.
    pub ends_at: DateTimeUtc,
    /// `uid_hash`: the first 8 bytes of SHA-256 of the event's UID, as a signed integer.
    pub uid_hash: i64,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
