//! `api_tokens`: An API token: only the SHA-256 hex of the secret; `role` admin|coordinator|supervisor|participant; `subject_id` the organization, supervisor or person it speaks for.

use sea_orm::entity::prelude::*;

/// A row of `api_tokens`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    /// `id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `token_hash`.
    pub token_hash: String,
    /// `role`.
    pub role: String,
    /// `subject_id`.
    pub subject_id: Option<Uuid>,
    /// `label`.
    pub label: Option<String>,
    /// `created_at`.
    pub created_at: DateTimeUtc,
    /// `revoked_at`.
    pub revoked_at: Option<DateTimeUtc>,
    /// `last_used_at`.
    pub last_used_at: Option<DateTimeUtc>,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
