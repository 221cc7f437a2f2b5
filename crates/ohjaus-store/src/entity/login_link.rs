//! `login_links`: A one-time sign-in link of the web pages (hash only) for a person or supervisor (`owner_kind`).

use sea_orm::entity::prelude::*;

/// A row of `login_links`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_links")]
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
    /// `expires_at`.
    pub expires_at: DateTimeUtc,
    /// `used_at`.
    pub used_at: Option<DateTimeUtc>,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
