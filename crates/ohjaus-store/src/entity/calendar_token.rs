//! `calendar_tokens`: A private calendar-feed token (hash only) of a person or supervisor (`owner_kind`).

use sea_orm::entity::prelude::*;

/// A row of `calendar_tokens`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_tokens")]
pub struct Model {
    /// `id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `token_hash`.
    pub token_hash: String,
    /// `owner_kind`.
    pub owner_kind: String,
    /// `owner_id`.
    pub owner_id: Uuid,
    /// `created_at`.
    pub created_at: DateTimeUtc,
    /// `revoked_at`.
    pub revoked_at: Option<DateTimeUtc>,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
