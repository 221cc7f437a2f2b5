//! `poll_voters`: A person asked in a poll: the SHA-256 of their personal link's secret (and of the reminder's fresh link), their comment, when they answered and were reminded.

use sea_orm::entity::prelude::*;

/// A row of `poll_voters`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "poll_voters")]
pub struct Model {
    /// `id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `poll_id`.
    pub poll_id: Uuid,
    /// `person_id`.
    pub person_id: Uuid,
    /// `token_hash`.
    pub token_hash: String,
    /// `reminder_token_hash`.
    pub reminder_token_hash: Option<String>,
    /// `comment`.
    pub comment: Option<String>,
    /// `answered_at`.
    pub answered_at: Option<DateTimeUtc>,
    /// `reminded_at`.
    pub reminded_at: Option<DateTimeUtc>,
    /// `created_at`.
    pub created_at: DateTimeUtc,
    /// `updated_at`.
    pub updated_at: DateTimeUtc,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
