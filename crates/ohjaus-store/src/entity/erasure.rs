//! `erasures`: A person erased, when, and what the erasure did.

use sea_orm::entity::prelude::*;

/// A row of `erasures`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "erasures")]
pub struct Model {
    /// `person_id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: Uuid,
    /// `erased_at`.
    pub erased_at: DateTimeUtc,
    /// `sessions_cancelled`.
    pub sessions_cancelled: i32,
    /// `reviews_removed`.
    pub reviews_removed: i32,
    /// `tokens_revoked`.
    pub tokens_revoked: i32,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
